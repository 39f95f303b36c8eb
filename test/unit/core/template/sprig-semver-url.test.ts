import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderTemplate, TemplateError } from '../../../../src/core/template/index.ts';
import { SEMVER_CASES, SEMVER_COMPARE_CASES, URL_CASES, type SemverUrlCase } from './sprig-semver-url-cases.ts';

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

describe('semver as sprig v3.3.0 / Masterminds semver v3.4.0 / Go text/template compute it', () => run(SEMVER_CASES));
describe('semverCompare as sprig v3.3.0 / Masterminds semver v3.4.0 computes it', () => run(SEMVER_COMPARE_CASES));
describe('urlParse and urlJoin as sprig v3.3.0 / Go net/url compute them', () => run(URL_CASES));

describe('URL and version errors name no value', () => {
  it('urlParse of a malformed URL does not quote the URL (Go does)', () => {
    assert.throws(() => renderTemplate('{{ urlParse .u }}', { u: 'http://sec%zzret/' }), (e: Error) => !e.message.includes('sec'));
  });
  it('semverCompare of an out-of-range segment does not quote it (Go does)', () => {
    assert.throws(() => renderTemplate('{{ semverCompare "1" .v }}', { v: '98765432109876543210' }), (e: Error) => !e.message.includes('98765'));
  });

  // A version can carry a secret in its prerelease or metadata. Go prints the version (its String)
  // in these messages (text/template exec.go walkRange, funcs.go eq); Projector names its type.
  const version = '1.0.0-canary-7f3a9c-VALUE';
  for (const [source, message] of [
    ['{{ range semver .v }}{{ end }}', "range can't iterate over a value of type *semver.Version"],
    ['{{ eq (semver .v) (semver .v).IncMajor }}', 'error calling eq: non-comparable types: *semver.Version, semver.Version'],
    ['{{ eq (semver .v) (dict) }}', 'error calling eq: non-comparable types: *semver.Version, map[string]interface {}'],
    ['{{ (semver "1").SetPrerelease .bad }}', 'error calling SetPrerelease: invalid prerelease string'],
  ] as const) {
    it(`${source} fails without the version in the message`, () => {
      let err: unknown;
      try {
        renderTemplate(source, { v: version, bad: 'canary-7f3a9c-VALUE!' }, 't');
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof TemplateError, 'rendered, but Go fails');
      assert.ok(err.message.endsWith(message), err.message);
      assert.ok(!err.message.includes('canary'), err.message);
    });
  }
});

describe('the methods of *semver.Version that Projector does not run', () => {
  // MarshalJSON/MarshalText return []byte and UnmarshalJSON/UnmarshalText/Scan return an error value
  // after changing the version in place (version.go); Go runs them, Projector refuses them plainly.
  for (const source of ['{{ (semver "1").MarshalJSON }}', '{{ (semver "1").IncMajor.MarshalText }}', '{{ $v := semver "1" }}{{ $v.Scan "2.0.0" }}', '{{ (semver "1").UnmarshalText "2" }}', '{{ (semver "1").UnmarshalJSON "2" }}']) {
    it(`${source} fails with kind unsupported`, () => {
      assert.throws(() => renderTemplate(source, {}, 't'), (e: unknown) => e instanceof TemplateError && e.kind === 'unsupported' && /is not supported by Projector$/.test(e.message));
    });
  }
});
