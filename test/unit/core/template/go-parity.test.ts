import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderTemplate, TemplateError } from '../../../../src/core/template/index.ts';
import { GO_PARITY_CASES, GO_PARITY_DATA } from './go-parity-cases.ts';

/** Go prints `template: NAME:LINE: msg` for parse errors; ours also name the column. */
function withoutParseColumn(message: string): string {
  return message.replace(/^(template: [^:]+:\d+):\d+: /, '$1: ');
}

describe('templates render as Go text/template + sprig render them (ESO options)', () => {
  for (const c of GO_PARITY_CASES) {
    if (c.error === undefined) {
      it(`renders ${c.name} like Go`, () => {
        assert.equal(renderTemplate(c.template, c.data ?? GO_PARITY_DATA, c.name), c.output);
      });
    } else {
      it(`fails ${c.name} with Go's message`, () => {
        assert.throws(
          () => renderTemplate(c.template, c.data ?? GO_PARITY_DATA, c.name),
          (e: unknown) => {
            assert.ok(e instanceof TemplateError);
            const actual = e.kind === 'parse' ? withoutParseColumn(e.message) : e.message;
            assert.equal(actual, c.error);
            return true;
          },
        );
      });
    }
  }
});
