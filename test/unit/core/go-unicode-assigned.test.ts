// Go 1.26's unicode package is Unicode 15.0.0; Node 24's RegExp property escapes are Unicode 17.0.
// Expected values are Go's: unicode.IsLetter / IsNumber are false for a code point Go does not
// assign (category Cn), so ESO's conversionStrategy (runtime/esutils/utils.go convert) replaces it.
// The template functions are checked against Go itself in template/go-differential.test.ts
// (corpus case edge/unicode-newer-than-go).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GO_UNICODE_VERSION, goUnicodeTest, isGoAssigned } from '../../../src/core/go-unicode-assigned.ts';
import { convertKey } from '../../../src/core/transform.ts';

describe('Go 1.26 Unicode assignment', () => {
  it('knows which code points Go 1.26 leaves unassigned', () => {
    assert.equal(GO_UNICODE_VERSION, '15.0.0');
    // U+088F (Unicode 16 Arabic), U+1C89 (Unicode 16 Cyrillic), U+10D40 (Unicode 16 Garay), U+0378, U+10FFFF: Cn in Go 1.26.
    for (const cp of [0x88f, 0x1c89, 0x10d40, 0x378, 0x10ffff]) assert.equal(isGoAssigned(cp), false, cp.toString(16));
    // ASCII, é, U+1F600 (So), U+E000 (Co), U+0000 (Cc): assigned.
    for (const cp of [0x41, 0xe9, 0x1f600, 0xe000, 0x0]) assert.equal(isGoAssigned(cp), true, cp.toString(16));
  });

  it('answers a property test with Node\'s answer only for characters Go assigns', () => {
    const letter = /^\p{L}$/u;
    assert.equal(letter.test('\u088F'), true, 'Node knows U+088F as a letter (newer Unicode)');
    assert.equal(goUnicodeTest(letter, '\u088F'), false);
    assert.equal(goUnicodeTest(letter, 'é'), true);
  });
});

describe('conversionStrategy with characters newer than Go\'s Unicode (ESO runtime/esutils/utils.go convert)', () => {
  it('replaces them as Go does, keeping the letters Go knows', () => {
    assert.equal(convertKey('a\u088Fb\u{10D40}é', 'Default'), 'a_b_é');
    assert.equal(convertKey('a\u088Fb\u{10D40}é', 'Unicode'), 'a_U088f_b_U10d40_é');
  });
});
