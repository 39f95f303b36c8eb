// The GithubAccessToken generator's pure parts against ESO v2.9.0 (generators/v1/github/github.go:
// GetInstallationToken, newGHClient, generate) and golang-jwt/jwt/v5 v5.3.0
// (ParseRSAPrivateKeyFromPEM). Expected values: ESO's own test (github_test.go TestGenerate: the
// valid and 422 answers) and test/fixtures/github-app/eso-results.json (ESO's code run on the
// fixture keys: README.md there).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ProjectorError } from '../../../src/core/errors.ts';
import { githubAppJwt, githubIssues, githubTokenRequest, githubTokenUrl, parseGithubAppKey, parseGithubTokenResponse } from '../../../src/core/github-app.ts';
import { Sensitive } from '../../../src/core/sensitive.ts';
import type { GithubAccessTokenSpec } from '../../../src/api/index.ts';

const dir = new URL('../../fixtures/github-app/', import.meta.url);
const eso = JSON.parse(readFileSync(new URL('eso-results.json', dir), 'utf8'));
const pem = (f: string) => new Sensitive(new Uint8Array(readFileSync(new URL(f, dir))));
const spec = (extra: Partial<GithubAccessTokenSpec> = {}): GithubAccessTokenSpec => ({ appID: '0000000', installID: '00000000', auth: { privateKey: { secretRef: { name: 'testName', key: 'privateKey' } } }, ...extra });
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

describe('GithubAccessToken: the App JWT (ESO GetInstallationToken)', () => {
  it("is byte for byte the JWT ESO signs with the same key, app ID and second (iat now-10 s, exp now+300 s, iss HTML-escaped)", () => {
    for (const f of eso.jwt.keys as string[]) {
      const key = parseGithubAppKey(pem(f), f);
      // ESO's token was made at iat + 10 s.
      const jwt = githubAppJwt(key, eso.jwt.appID, (eso.jwt.iat + 10) * 1000 + 999);
      assert.equal(jwt.reveal(), eso.jwt.token, f);
    }
    const [h, c] = (eso.jwt.token as string).split('.');
    assert.equal(Buffer.from(h!, 'base64url').toString(), '{"alg":"RS256","typ":"JWT"}');
    assert.deepEqual(JSON.parse(Buffer.from(c!, 'base64url').toString()), { iss: '12<3>&', exp: eso.jwt.exp, iat: eso.jwt.iat });
  });

  it('prints [REDACTED]; an empty app ID leaves iss out (RegisteredClaims omitempty)', () => {
    const key = parseGithubAppKey(pem('app-key.pem'), 'k');
    const jwt = githubAppJwt(key, '', 1_000_000);
    assert.equal(String(jwt), '[REDACTED]');
    assert.equal(Buffer.from(jwt.reveal().split('.')[1]!, 'base64url').toString(), '{"exp":1300,"iat":990}');
  });

  it("refuses what golang-jwt and Go's crypto refuse, with their texts (eso-results.json keyErrors)", () => {
    const msg = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        assert.ok(e instanceof ProjectorError && e.code === 'GeneratorFailed');
        return e.message;
      }
      assert.fail('no error');
    };
    assert.equal(msg(() => parseGithubAppKey(pem('ec-pkcs8.pem'), 'Secret a/b key "k"')), `error parsing RSA private key in Secret a/b key "k": ${eso.keyErrors['ec-pkcs8.pem']}`);
    assert.match(msg(() => parseGithubAppKey(pem('ec-sec1.pem'), 'k')), new RegExp(`: ${eso.keyErrors['ec-sec1.pem'].replace(/[()]/g, '\\$&')}$`));
    assert.match(msg(() => parseGithubAppKey(new Sensitive(new TextEncoder().encode('junk')), 'k')), new RegExp(`: ${eso.keyErrors.junk}$`));
    assert.match(msg(() => githubAppJwt(parseGithubAppKey(pem('rsa-768.pem'), 'k'), '1', 0)), /error signing token: crypto\/rsa: 768-bit keys are insecure/);
    // Junk before the PEM block is skipped, as pem.Decode does.
    parseGithubAppKey(new Sensitive(new Uint8Array(Buffer.concat([Buffer.from('leading text\n'), readFileSync(new URL('app-key.pem', dir))]))), 'k');
  });
});

describe('GithubAccessToken: the request (ESO generate)', () => {
  const jwt = new Sensitive('h.p.s');
  it('POSTs to <url>/app/installations/<installID>/access_tokens, https://api.github.com by default, joined as written', () => {
    assert.equal(githubTokenUrl(spec()), 'https://api.github.com/app/installations/00000000/access_tokens');
    assert.equal(githubTokenUrl(spec({ url: 'https://ghe.example/api/v3' })), 'https://ghe.example/api/v3/app/installations/00000000/access_tokens');
    assert.equal(githubTokenUrl(spec({ url: '' })), 'https://api.github.com/app/installations/00000000/access_tokens');
  });

  it("sends ESO's headers and json.Marshal's body (eso-results.json requestBodies)", () => {
    const r = githubTokenRequest(spec(), jwt);
    assert.equal(r.method, 'POST');
    assert.deepEqual(r.headers.reveal(), { userAgent: 'Go-http-client/1.1', fields: [['Accept', 'application/vnd.github.v3+json'], ['Authorization', 'Bearer h.p.s']], requestedGzip: true });
    const bodies = eso.requestBodies as Record<string, string>;
    assert.equal(text(r.body.reveal()), bodies['no permissions, no repositories']);
    assert.equal(text(githubTokenRequest(spec({ permissions: {}, repositories: [] }), jwt).body.reveal()), bodies['permissions: {}, repositories: []']);
    assert.equal(text(githubTokenRequest(spec({ permissions: { z: 'read', 'a<': 'write' }, repositories: ['b', 'a&'] }), jwt).body.reveal()), bodies['permissions: {z: read, a<: write}, repositories: [b, a&]']);
  });

  it("the spec's rules: appID, installID, the key's Secret and key, an http(s) url", () => {
    assert.deepEqual(githubIssues(spec(), 'spec'), []);
    const paths = githubIssues({ appID: '', installID: '', url: 'api.github.com', auth: { privateKey: { secretRef: { name: 'x' } } } }, 'spec').map((i) => i.path);
    assert.deepEqual(paths, ['spec.appID', 'spec.installID', 'spec.auth.privateKey.secretRef', 'spec.url']);
  });
});

describe("GithubAccessToken: GitHub's answer (ESO generate)", () => {
  // github_test.go TestGenerate: validResponce (201) gives {"token": "ghs_16C7e42F292c6912E7710c838347Ae178B4a"}.
  const valid = `{
		"token": "ghs_16C7e42F292c6912E7710c838347Ae178B4a",
		"expires_at": "2016-07-11T22:14:10Z",
		"permissions": {
		  "contents": "read"
		},
		"repositories": [
			{
				"id": 10000
			}
		],
		"repository_selection": "selected"
	  }`;
  const invalid = `{
		"documentation_url": "https://docs.github.com/rest/reference/apps#create-an-installation-access-token-for-an-app",
		"message": "There is at least one repository that does not exist or is not accessible to the parent installation.",
		"status": 422
	  }`;
  const enc = (s: string) => new TextEncoder().encode(s);
  const err = (status: number, body: string) => {
    try {
      parseGithubTokenResponse(status, enc(body));
    } catch (e) {
      assert.ok(e instanceof ProjectorError && e.code === 'GeneratorFailed');
      return e.message;
    }
    assert.fail('no error');
  };

  it('returns the one key `token`', () => {
    const out = parseGithubTokenResponse(201, enc(valid));
    assert.deepEqual([...out.keys()], ['token']);
    assert.equal(text(out.get('token')!.reveal()), 'ghs_16C7e42F292c6912E7710c838347Ae178B4a');
    // json.Decoder reads the first value only.
    assert.equal(text(parseGithubTokenResponse(200, enc('{"token":"a"} trailing')).get('token')!.reveal()), 'a');
  });

  it("fails as ESO does (github_test.go 'fail on bad request'; eso-results.json errors), GitHub's message left out", () => {
    const e422 = err(422, invalid);
    assert.equal(e422, 'error generating token: response code: 422');
    assert.ok(!e422.includes('repository'), 'the body is never quoted');
    assert.equal(err(401, 'not json'), eso.errors['401 not json']);
    assert.equal(err(201, '{"token":5}'), eso.errors['201 {"token":5}']);
    assert.equal(err(200, 'null'), "token isn't a string or token key doesn't exist");
    assert.match(err(200, '{"token":"x"'), /^error decoding response \(/);
    assert.match(err(200, ''), /^error decoding response \(EOF\)$/);
    assert.match(err(200, '["token"]'), /^error decoding response/);
  });
});
