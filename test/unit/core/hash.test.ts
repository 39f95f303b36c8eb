// Expected hashes were computed with Go 1.26 exactly as ESO computes them: ESO's `esutils.ObjectHash`
// (runtime/esutils/utils.go) is `fmt.Sprintf("%x", sha3.Sum224([]byte(fmt.Sprintf("%+v", object))))`
// (Go packages fmt and crypto/sha3), called on `secret.Data` (map[string][]byte) for the data-hash
// annotation, on `fmt.Sprintf("%v/%v", namespace, name)` for the created-by label
// (pkg/controllers/externalsecret/externalsecret_controller.go), and on
// `struct{ annotations, labels map[string]string }` in HashMeta (pkg/controllers/util/util.go).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createdByLabelValue, dataHash, metaHash } from '../../../src/core/hash.ts';
import { hashSecretData } from '../../../src/core/secret-data.ts';
import { syncVersionOf } from '../../../src/core/external-secret.ts';
import { Sensitive } from '../../../src/core/sensitive.ts';
import type { ExternalSecret } from '../../../src/api/index.ts';

const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
const all256 = new Uint8Array(256).map((_, i) => i);
const big = new Uint8Array(100_000).map((_, i) => (i * 7) & 0xff);
const many: Record<string, Uint8Array> = {};
for (let i = 0; i < 100; i++) many[`k${String(99 - i).padStart(3, '0')}`] = bytes(`v${i}`);

describe('dataHash (ESO ObjectHash of map[string][]byte)', () => {
  // Go: map[string][]byte literals; keys listed in an order different from Go's sorted output.
  const cases: [string, Record<string, Uint8Array>, string][] = [
    ['empty map (prints map[])', {}, '74a974446e359fb3e6baff9bd0058950e6edd0f040888d9989b0a11b'],
    ['one empty value (prints map[a:[]])', { a: new Uint8Array(0) }, 'b4267d3031c382774d3148a47147cc308a0e534ac8381b5d58565df8'],
    ['two keys, unsorted input', { b: bytes('hello'), a: new Uint8Array([1, 2, 3]) }, '38e116408462f98c3f610c51e579fbafb5a80fd9a35592286f453a46'],
    [
      'non-ASCII keys sorted by UTF-8 bytes (U+FF61 before U+1F600, unlike UTF-16 order)',
      { z: new Uint8Array([1]), é: new Uint8Array([2]), 日本: new Uint8Array([3]), '😀': new Uint8Array([4]), '\uff61': new Uint8Array([5]), A: new Uint8Array([6]), 'a b:c': new Uint8Array([7]) },
      '763cfa6064d875fc10471d8cc41616c5676e66f57f763b9950e62730',
    ],
    ['every byte value 0..255', { bin: all256 }, '9f4ae63b647a88190e242c92071460f509da885b6dbed519aed9c7c0'],
    ['100 keys', many, '52a6f678f8f07733d731ac8413d36c750bf9964d269e8b789e2f4df4'],
    ['a 100000-byte value spanning several chunks', { big, small: new Uint8Array([0]) }, 'eb592d3038147bad9281714232d375e62084b7a9a9c8afb1e3be3fe7'],
  ];
  for (const [name, data, want] of cases) {
    it(name, () => {
      assert.equal(dataHash(data), want);
      assert.equal(dataHash(new Map(Object.entries(data))), want, 'a Map hashes like a plain object');
    });
  }

  it('hashSecretData hashes the revealed bytes of Sensitive values the same way', () => {
    const data = new Map([
      ['b', new Sensitive(bytes('hello'))],
      ['a', new Sensitive(new Uint8Array([1, 2, 3]))],
    ]);
    assert.equal(hashSecretData(data), '38e116408462f98c3f610c51e579fbafb5a80fd9a35592286f453a46');
  });

  it('a large hash leaves nothing behind for the next one (shared formatting buffer)', () => {
    dataHash({ big });
    assert.equal(dataHash({ a: new Uint8Array(0) }), 'b4267d3031c382774d3148a47147cc308a0e534ac8381b5d58565df8');
  });

  it('does not change its input', () => {
    const v = new Uint8Array([9, 8, 7]);
    dataHash({ k: v });
    assert.deepEqual([...v], [9, 8, 7]);
  });
});

describe('metaHash (ESO HashMeta) and syncVersionOf (ESO GetResourceVersion)', () => {
  const cases: [string, Record<string, string> | undefined, Record<string, string> | undefined, string][] = [
    // Go: {annotations:map[] labels:map[]}; a nil map and an empty one print alike.
    ['no labels, no annotations', undefined, undefined, 'f47fe3c0b255b6dd8047cdffa772587bb829efe7a1cb70febeda2eb2'],
    ['empty maps', {}, {}, 'f47fe3c0b255b6dd8047cdffa772587bb829efe7a1cb70febeda2eb2'],
    ['annotations only', undefined, { a: 'b' }, 'bf2e191ffa050d7e5617bad52426046fb9b3f137ba45f6c09b8f320b'],
    ['labels only', { tier: 'db', app: 'web' }, undefined, '95a988fab4d84f9a5cc77a251fc56f0cd90c61986b03772f94978d48'],
    [
      'spaces, colons, quotes, brackets and non-ASCII printed as-is',
      { z: '', a: '1', '\uff61': 'x', '😀': 'y' },
      { 'force-sync': '1700000000', note: 'a b: c "q" map[x:y]', 'ü/k': '日本 😀' },
      '95e6b55b95fcf7e8dce0212daaa70884d0a6d209af0060802ffcccf7',
    ],
  ];
  for (const [name, labels, annotations, want] of cases) {
    it(name, () => assert.equal(metaHash(labels, annotations), want));
  }

  it('labels and annotations are not interchangeable', () => {
    assert.notEqual(metaHash({ a: 'b' }, undefined), metaHash(undefined, { a: 'b' }));
  });

  it('syncedResourceVersion is <generation>-<HashMeta>', () => {
    const es = { metadata: { name: 'x', namespace: 'n', generation: 3, annotations: { a: 'b' } }, spec: {} } as unknown as ExternalSecret;
    assert.equal(syncVersionOf(es), '3-bf2e191ffa050d7e5617bad52426046fb9b3f137ba45f6c09b8f320b');
  });
});

describe('createdByLabelValue (ESO owner label)', () => {
  const cases: [string, string, string][] = [
    ['default', 'my-es', 'b8464376b5fe3535e690594280bfe59b60be2603cb6cbb6d6c8bcbb4'],
    ['team-a', 'db-credentials', 'fc7e00f9b9f72fb8092e5e82de71007794da4f246024bd0142ebd45e'],
    ['', '', '97c2c9b7f5389e72617a8b2d527317c2070c5be2b468cb491757a589'],
  ];
  for (const [ns, name, want] of cases) {
    it(`${ns}/${name}`, () => {
      assert.equal(createdByLabelValue(ns, name), want);
      assert.match(want, /^[0-9a-f]{56}$/, 'fits a label value (at most 63 characters)');
    });
  }
});
