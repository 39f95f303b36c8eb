import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderTemplate, TemplateError } from '../../../../src/core/template/index.ts';
import { SEMVER_COMPARE_CASES, URL_CASES, type SemverUrlCase } from './sprig-semver-url-cases.ts';

function run(cases: readonly SemverUrlCase[]): void {
  for (const c of cases) {
    if (c.output !== undefined) {
      it(`renders ${c.template} as Go does`, () => {
        assert.equal(renderTemplate(c.template, {}, 't'), c.output);
      });
    } else {
      it(`fails ${c.template} as Go does`, () => {
        let err: unknown;
        try {
          renderTemplate(c.template, {}, 't');
        } catch (e) {
          err = e;
        }
        assert.ok(err instanceof TemplateError, 'rendered, but Go fails');
        assert.equal(err.kind, 'exec');
        assert.equal(err.message, c.projectorError);
      });
    }
  }
}

describe('semverCompare as sprig v3.3.0 / Masterminds semver v3.4.0 computes it', () => run(SEMVER_COMPARE_CASES));
describe('urlParse and urlJoin as sprig v3.3.0 / Go net/url compute them', () => run(URL_CASES));

describe('URL and version errors name no value', () => {
  it('urlParse of a malformed URL does not quote the URL (Go does)', () => {
    assert.throws(() => renderTemplate('{{ urlParse .u }}', { u: 'http://sec%zzret/' }), (e: Error) => !e.message.includes('sec'));
  });
  it('semverCompare of an out-of-range segment does not quote it (Go does)', () => {
    assert.throws(() => renderTemplate('{{ semverCompare "1" .v }}', { v: '98765432109876543210' }), (e: Error) => !e.message.includes('98765'));
  });
});
