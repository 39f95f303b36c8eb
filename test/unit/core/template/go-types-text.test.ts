import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderTemplate, TemplateError } from '../../../../src/core/template/index.ts';
import { GO_TYPES_CASES, GO_TYPES_DATA } from './go-types-text-cases.ts';

function withoutParseColumn(message: string): string {
  return message.replace(/^(template: [^:]+:\d+):\d+: /, '$1: ');
}

function renderError(template: string): TemplateError {
  try {
    renderTemplate(template, GO_TYPES_DATA, 't');
  } catch (e) {
    assert.ok(e instanceof TemplateError, `not a TemplateError: ${String(e)}`);
    return e;
  }
  assert.fail('rendered, but Go fails');
}

describe('Go types and sprig text functions render as Go renders them (ESO function map)', () => {
  for (const c of GO_TYPES_CASES) {
    if (c.output !== undefined) {
      it(`renders ${c.name} like Go`, () => {
        assert.equal(renderTemplate(c.template, GO_TYPES_DATA, 't'), c.output);
      });
    } else if (c.projectorError !== undefined) {
      it(`fails ${c.name} as Go does, with Projector's own message`, () => {
        assert.equal(renderError(c.template).message, c.projectorError);
      });
    } else if (c.parseError !== undefined) {
      it(`fails to parse ${c.name} with Go's message`, () => {
        const e = renderError(c.template);
        assert.equal(e.kind, 'parse');
        assert.equal(withoutParseColumn(e.message), c.parseError);
      });
    } else {
      it(`fails ${c.name} with Go's message`, () => {
        assert.equal(renderError(c.template).message, c.error);
      });
    }
  }
});

describe('map order where Go randomises it', () => {
  it('returns keys and values in sorted key order (Go: map iteration order, random)', () => {
    assert.equal(renderTemplate('{{ keys (dict "b" 1 "a" 2 "é" 3 "B" 4) }} {{ values (dict "b" 1 "a" 2) }}', {}), '[B a b é] [2 1]');
  });
});
