import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sprint, sprintf, sprintln } from '../../../../src/core/template/go-fmt.ts';
import { renderTemplate, TemplateError } from '../../../../src/core/template/index.ts';
import { GO_FMT_CASES, GO_FMT_DATA } from './go-fmt-cases.ts';

describe("printf, print, println and {{ value }} write what Go's fmt writes", () => {
  for (const [template, output] of GO_FMT_CASES) {
    it(template, () => {
      assert.equal(renderTemplate(template, GO_FMT_DATA, 'fmt'), output);
    });
  }
});

describe('fmt of values a template literal cannot write (expected values from Go 1.26 fmt.Sprintf)', () => {
  // (float64 "NaN") etc.: Go's fmt of math.NaN(), math.Inf(1), math.Inf(-1).
  const NAN_INF: readonly (readonly [string, number, string])[] = [
    ['[%v]', NaN, '[NaN]'],
    ['[%5.2f]', NaN, '[  NaN]'],
    ['[%+f]', NaN, '[+NaN]'],
    ['[% f]', NaN, '[ NaN]'],
    ['[%05f]', NaN, '[  NaN]'],
    ['[%-6e|]', NaN, '[NaN   |]'],
    ['[%x]', NaN, '[NaN]'],
    ['[%d]', NaN, '[%!d(float64=NaN)]'],
    ['[%010v]', NaN, '[       NaN]'],
    ['[%v]', Infinity, '[+Inf]'],
    ['[%5.2f]', Infinity, '[ +Inf]'],
    ['[% f]', Infinity, '[ Inf]'],
    ['[%05f]', Infinity, '[ +Inf]'],
    ['[%#g]', Infinity, '[+Inf]'],
    ['[%q]', Infinity, '[%!q(float64=+Inf)]'],
    ['[% 010v]', Infinity, '[       Inf]'],
    ['[%v]', -Infinity, '[-Inf]'],
    ['[% f]', -Infinity, '[-Inf]'],
    ['[%-6e|]', -Infinity, '[-Inf  |]'],
    ['[%d]', -Infinity, '[%!d(float64=-Inf)]'],
    ['[%+010v]', -Infinity, '[      -Inf]'],
  ];
  for (const [format, value, output] of NAN_INF) {
    it(`${format} of ${value}`, () => assert.equal(sprintf(format, [value]), output));
  }

  it('Sprint spaces operands only when neither is a string; Sprintln always, then a newline', () => {
    // fmt.Sprint(1, 2, "a", "b", 3, nil, nil) and fmt.Sprintln of the same operands.
    assert.equal(sprint([1n, 2n, 'a', 'b', 3n, null, null]), '1 2ab3 <nil> <nil>');
    assert.equal(sprintln([1n, 2n, 'a', 'b', 3n, null, null]), '1 2 a b 3 <nil> <nil>\n');
  });
});

describe('bad-verb output embeds the operand (it is output, as in Go), error messages never do', () => {
  it('writes %!d(string=…) into the output like Go', () => {
    assert.equal(renderTemplate('{{ printf "%d" .password }}', { password: 'hunter2' }, 'k'), '%!d(string=hunter2)');
  });

  it('a failing printf call names the function, not the operand', () => {
    // printf with a non-string format is a call error in Go (wrong argument type).
    assert.throws(
      () => renderTemplate('{{ printf 1 .password }}', { password: 'hunter2' }, 'k'),
      (e: unknown) => e instanceof TemplateError && !e.message.includes('hunter2'),
    );
  });
});
