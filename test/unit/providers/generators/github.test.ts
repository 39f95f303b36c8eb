// The GithubAccessToken generator end to end against a local server answering as GitHub's REST API
// does for POST /app/installations/{id}/access_tokens (201 with token, expires_at, permissions,
// repository_selection; errors as {message, documentation_url}). Expected values: ESO v2.9.0
// generators/v1/github/github.go (generate, newGHClient, GetInstallationToken) and its test
// (github_test.go testHTTPSrv: POST, a body, an Authorization header, Accept
// application/vnd.github.v3+json; TestGenerate's answers).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { GithubAccessTokenSpec } from '../../../../src/api/index.ts';
import { ProjectorError } from '../../../../src/core/errors.ts';
import { Sensitive } from '../../../../src/core/sensitive.ts';
import { generateGithubAccessToken } from '../../../../src/providers/generators/github.ts';
import type { GeneratorKube } from '../../../../src/providers/generators/webhook.ts';
import { canaryMaker } from '../../../support/canaries.ts';

const signal = new AbortController().signal;
const PEM = readFileSync(new URL('../../../fixtures/github-app/app-key.pem', import.meta.url), 'utf8');
const { canaries, canary } = canaryMaker();
const TOKEN = `ghs_${canary('installation-token')}`;
canaries.push(PEM.split('\n')[1]!, PEM.split('\n')[5]!);
const NOW = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: string;
}

function kube(secrets: Record<string, Record<string, string>>): GeneratorKube {
  return {
    async getSecret() {
      return undefined;
    },
    async readSecretKey(ns, name, key) {
      const s = secrets[`${ns}/${name}`];
      if (!s) throw new ProjectorError('CredentialNotFound', `credential Secret ${ns}/${name} not found`);
      if (s[key] === undefined) throw new ProjectorError('CredentialNotFound', `credential Secret ${ns}/${name} has no key "${key}"`);
      return new Sensitive(s[key]!);
    },
    async readConfigMapKey() {
      throw new Error('not used');
    },
  };
}

describe('GithubAccessToken generator against a GitHub-like server', () => {
  const seen: Seen[] = [];
  let server: http.Server;
  let url: string;
  before(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, rawHeaders: req.rawHeaders, body });
        const m = /^\/api\/v3\/app\/installations\/([^/]+)\/access_tokens$/.exec(req.url!);
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        if (!m) {
          res.writeHead(404).end(JSON.stringify({ message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' }));
          return;
        }
        if (m[1] === '422') {
          res.writeHead(422).end(
            JSON.stringify({
              message: 'There is at least one repository that does not exist or is not accessible to the parent installation.',
              documentation_url: 'https://docs.github.com/rest/reference/apps#create-an-installation-access-token-for-an-app',
              status: '422',
            }),
          );
          return;
        }
        if (m[1] === '401') {
          res.writeHead(401).end(JSON.stringify({ message: 'A JSON web token could not be decoded', documentation_url: 'https://docs.github.com/rest' }));
          return;
        }
        res.writeHead(201).end(
          JSON.stringify({ token: TOKEN, expires_at: '2026-01-02T04:04:05Z', permissions: { contents: 'read', metadata: 'read' }, repository_selection: 'selected', repositories: [{ id: 1296269, name: 'Hello-World' }] }),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v3`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const spec = (extra: Partial<GithubAccessTokenSpec> = {}): GithubAccessTokenSpec => ({
    url,
    appID: '123456',
    installID: '42',
    auth: { privateKey: { secretRef: { name: 'gh-app', key: 'key.pem', namespace: 'ignored' } } },
    ...extra,
  });
  const k = kube({ 'app/gh-app': { 'key.pem': PEM } });
  const failure = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      assert.ok(e instanceof ProjectorError, String(e));
      for (const c of canaries) assert.ok(!e.message.includes(c), 'no key or token in the error');
      return e;
    }
    assert.fail('no error');
  };

  it('POSTs the App JWT and the requested scope; returns the installation token as `token`', async () => {
    const out = await generateGithubAccessToken(spec({ repositories: ['Hello-World'], permissions: { contents: 'read' } }), 'app', k, { now: () => NOW }, signal);
    assert.deepEqual([...out.keys()], ['token']);
    assert.equal(Buffer.from(out.get('token')!.reveal()).toString(), TOKEN);
    const req = seen.at(-1)!;
    assert.equal(req.method, 'POST');
    assert.equal(req.url, '/api/v3/app/installations/42/access_tokens');
    assert.equal(req.body, '{"permissions":{"contents":"read"},"repositories":["Hello-World"]}');
    // Go's order: Host, User-Agent, Content-Length, the headers sorted, Accept-Encoding (Connection is Node's).
    const names = req.rawHeaders.filter((_, i) => i % 2 === 0).filter((n) => n !== 'Connection');
    assert.deepEqual(names, ['Host', 'User-Agent', 'Content-Length', 'Accept', 'Authorization', 'Accept-Encoding']);
    assert.equal(req.headers['user-agent'], 'Go-http-client/1.1');
    assert.equal(req.headers.accept, 'application/vnd.github.v3+json');
    assert.equal(req.headers['content-type'], undefined);
    // The JWT verifies with the App's public key; iat 10 s back, exp 300 s ahead, iss the App ID.
    const jwt = /^Bearer (.+)$/.exec(req.headers.authorization!)![1]!;
    const [h, p, sig] = jwt.split('.');
    assert.ok(verify('sha256', Buffer.from(`${h}.${p}`), createPublicKey(PEM), Buffer.from(sig!, 'base64url')));
    const now = Math.floor(NOW / 1000);
    assert.deepEqual(JSON.parse(Buffer.from(p!, 'base64url').toString()), { iss: '123456', exp: now + 300, iat: now - 10 });
  });

  it('without permissions or repositories: no body, Content-Length 0', async () => {
    await generateGithubAccessToken(spec(), 'app', k, { now: () => NOW }, signal);
    assert.equal(seen.at(-1)!.body, '');
    assert.equal(seen.at(-1)!.headers['content-length'], '0');
  });

  it("GitHub's refusals name the status, never its message (ESO: `error generating token: response code: 422, response: …`)", async () => {
    const e422 = await failure(generateGithubAccessToken(spec({ installID: '422' }), 'app', k, { now: () => NOW }, signal));
    assert.equal(e422.code, 'GeneratorFailed');
    assert.equal(e422.message, 'error generating token: response code: 422');
    const e401 = await failure(generateGithubAccessToken(spec({ installID: '401' }), 'app', k, { now: () => NOW }, signal));
    assert.equal(e401.message, 'error generating token: response code: 401');
    // A url without /api/v3 (a GitHub Enterprise mistake): GitHub's 404.
    const e404 = await failure(generateGithubAccessToken(spec({ url: url.replace('/api/v3', '') }), 'app', k, { now: () => NOW }, signal));
    assert.equal(e404.message, 'error generating token: response code: 404');
  });

  it("the key is read in the ExternalSecret's namespace (the selector's is not used); a missing one is CredentialNotFound", async () => {
    const e = await failure(generateGithubAccessToken(spec(), 'other', k, { now: () => NOW }, signal));
    assert.equal(e.code, 'CredentialNotFound');
    const notRsa = kube({ 'app/gh-app': { 'key.pem': readFileSync(new URL('../../../fixtures/github-app/ec-pkcs8.pem', import.meta.url), 'utf8') } });
    const e2 = await failure(generateGithubAccessToken(spec(), 'app', notRsa, { now: () => NOW }, signal));
    assert.equal(e2.message, 'error parsing RSA private key in Secret app/gh-app key "key.pem": key is not a valid RSA private key');
  });

  it('an unreachable GitHub fails naming the step only', async () => {
    const e = await failure(generateGithubAccessToken(spec({ url: 'http://127.0.0.1:1' }), 'app', k, { now: () => NOW }, signal));
    assert.equal(e.message, 'error performing request: dial tcp: connect: connection refused');
  });
});
