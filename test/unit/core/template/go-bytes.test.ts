// Every template function given bytes that are not UTF-8 renders what Go renders (go-bytes-cases.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { goStringFromBytes, goStringToBytes } from '../../../../src/core/go-string.ts';
import { renderTemplate, TemplateError } from '../../../../src/core/template/index.ts';
import { BYTES_DATA, ERROR, GO_BYTES_CASES } from './go-bytes-cases.ts';

const scope = Object.fromEntries(Object.entries(BYTES_DATA).map(([k, v]) => [k, goStringFromBytes(v)]));

describe('template functions on bytes that are not UTF-8, as Go and sprig process them', () => {
  for (const [template, output] of GO_BYTES_CASES) {
    it(template, () => {
      if (output === ERROR) {
        assert.throws(() => renderTemplate(template, scope), TemplateError);
        return;
      }
      const rendered = goStringToBytes(renderTemplate(template, scope));
      assert.ok(rendered, 'the output is a Go string');
      assert.equal(Buffer.from(rendered).toString('hex'), output);
    });
  }
});
