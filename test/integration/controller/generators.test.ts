// Generators through the operator on a real API server (issue 13 item 3): ExternalSecrets whose
// dataFrom[].sourceRef.generatorRef names a Password, UUID, Fake, ClusterGenerator, SSHKey, MFA or ACRAccessToken
// produce a Secret with ESO's keys, and a fresh value at each refresh (ESO runs the generator in every
// sync that reads the provider: pkg/controllers/externalsecret/externalsecret_controller_secret.go
// handleGenerateSecrets). ACRAccessToken runs against the local vault playing Entra ID and ACR's
// /oauth2/exchange and /oauth2/token; Webhook against a local HTTPS service trusted through
// caBundle; GithubAccessToken against a local server answering as GitHub's REST API does.
//
// The operator starts before the generator CRDs exist: it must become ready, and an ExternalSecret
// naming a generator must fail alone (GeneratorNotFound) until the CRD and object appear.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { HowtoEnv } from '../howto/howto-env.ts';
import { GENERATOR_CRD_FILES } from '../../support/cluster.ts';
import { eventually } from '../../support/eventually.ts';
import { assertNowhere } from '../../support/cluster.ts';
import { canaryMaker } from '../../support/canaries.ts';
import { testCa, testServerCertificate } from '../../support/certificates.ts';

const NS = 'gen';
const SP_CLIENT = '6a1f3b0e-1111-4222-8333-944455556666';
const SP_SECRET = 'sp-secret-for-acr-tests';
const REFRESH = '2s';

function es(name: string, generatorRef: { kind: string; name: string }, extra: Record<string, unknown> = {}): any {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name, namespace: NS },
    spec: { refreshInterval: REFRESH, target: { name }, dataFrom: [{ sourceRef: { generatorRef: { apiVersion: 'generators.external-secrets.io/v1alpha1', ...generatorRef } }, ...extra }] },
  };
}

/** The JWT claims of a token the local vault signed (its payload is plain base64url JSON). */
function claimsOf(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
}

describe('generators (dataFrom generatorRef) through the operator', { timeout: 300_000 }, () => {
  let env: HowtoEnv;
  const k = () => env.k;
  const data = async (name: string): Promise<Record<string, string>> => {
    const s = await k().secret(NS, name);
    return Object.fromEntries(Object.entries((s?.data ?? {}) as Record<string, string>).map(([key, v]) => [key, Buffer.from(v, 'base64').toString('utf8')]));
  };

  before(async () => {
    env = await HowtoEnv.start({
      principals: [{ clientId: SP_CLIENT, clientSecret: SP_SECRET }],
      // The operator is started by HowtoEnv; its ACR authority and trust are the local vault's.
      operator: {},
    });
    // Restart the operator with the vault's authority and CA for ACRAccessToken (the vault's URL is known only now).
    await env.op.stop();
    const { startOperator } = await import('../../support/operator.ts');
    env.op = await startOperator(env.cp.admin, { acr: { authorityHost: env.vault.authorityHost, caPems: [env.vault.caPem] } });
    await k().namespace(NS);
  });
  after(async () => {
    await env?.stop();
  });

  it('starts without the generator CRDs; an ExternalSecret naming a generator fails alone with GeneratorNotFound', async () => {
    await k().apply([es('early', { kind: 'Password', name: 'pw' })]);
    const ready = await eventually(() => k().ready(NS, 'externalsecrets', 'early'), (r) => r.status === 'False', { timeoutMs: 30_000, message: 'early ExternalSecret fails' });
    assert.match(ready.message ?? '', /^GeneratorNotFound: Password "pw" in namespace "gen" not found/);
    await k().installCrds(GENERATOR_CRD_FILES);
    await k().apply([{ apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Password', metadata: { name: 'pw', namespace: NS }, spec: { length: 32, digits: 5, symbols: 0, noUpper: true, allowRepeat: true } } as never]);
    // Retried with backoff: synced once the generator exists.
    await eventually(() => k().ready(NS, 'externalsecrets', 'early'), (r) => r.status === 'True', { timeoutMs: 60_000, message: 'early ExternalSecret synced' });
    const d = await data('early');
    assert.deepEqual(Object.keys(d), ['password']);
    assert.match(d.password!, /^[a-z0-9]{32}$/);
    assert.equal(d.password!.replace(/[^0-9]/g, '').length, 5);
  });

  it('Password: the API server fills ESO\'s defaults; a fresh 24-character value at every refresh, under the rewritten key', async () => {
    await k().apply([
      { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Password', metadata: { name: 'defaults', namespace: NS }, spec: {} } as never,
      es('pw-default', { kind: 'Password', name: 'defaults' }, { rewrite: [{ regexp: { source: '^password$', target: 'DB_PASSWORD' } }] }),
    ]);
    const stored = JSON.parse((await k().request('GET', `/apis/generators.external-secrets.io/v1alpha1/namespaces/${NS}/passwords/defaults`)).body);
    assert.deepEqual(stored.spec, { length: 24, noUpper: false, allowRepeat: false, encoding: 'raw' });
    const first = await eventually(() => data('pw-default'), (d) => typeof d.DB_PASSWORD === 'string', { timeoutMs: 30_000, message: 'password generated' });
    assert.deepEqual(Object.keys(first), ['DB_PASSWORD']);
    const pw = first.DB_PASSWORD!;
    assert.equal(pw.length, 24);
    // ESO's defaults: 25% digits, 25% symbols (int(24 * 0.25) = 6 each), no repeats.
    assert.equal(pw.replace(/[^0-9]/g, '').length, 6);
    assert.equal(pw.replace(/[a-zA-Z0-9]/g, '').length, 6);
    assert.equal(new Set(pw).size, 24);
    await eventually(() => data('pw-default'), (d) => d.DB_PASSWORD !== undefined && d.DB_PASSWORD !== pw, { timeoutMs: 30_000, message: 'a fresh password after a refresh' });
  });

  it('UUID and Fake: keys uuid and the Fake data verbatim; UUID changes at each refresh', async () => {
    await k().apply([
      { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'UUID', metadata: { name: 'id', namespace: NS }, spec: {} } as never,
      { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Fake', metadata: { name: 'fake', namespace: NS }, spec: { data: { user: 'alice', 'api.key': 'k-1' } } } as never,
      es('uuid', { kind: 'UUID', name: 'id' }),
      es('fake', { kind: 'Fake', name: 'fake' }),
    ]);
    const u = await eventually(() => data('uuid'), (d) => typeof d.uuid === 'string', { timeoutMs: 30_000, message: 'uuid generated' });
    assert.match(u.uuid!, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    await eventually(() => data('uuid'), (d) => d.uuid !== u.uuid, { timeoutMs: 30_000, message: 'a fresh uuid after a refresh' });
    const f = await eventually(() => data('fake'), (d) => d.user === 'alice', { timeoutMs: 30_000, message: 'fake data' });
    assert.deepEqual(f, { user: 'alice', 'api.key': 'k-1' });
  });

  it('ClusterGenerator: a cluster-scoped Password spec; a kind Projector does not run is NotSupported', async () => {
    await k().apply([
      { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'ClusterGenerator', metadata: { name: 'cluster-pw' }, spec: { kind: 'Password', generator: { passwordSpec: { length: 12, digits: 0, symbols: 0, noUpper: false, allowRepeat: true, secretKeys: ['a', 'b'], encoding: 'hex' } } } } as never,
      { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'ClusterGenerator', metadata: { name: 'cluster-ecr' }, spec: { kind: 'ECRAuthorizationToken', generator: { ecrAuthorizationTokenSpec: { region: 'eu-west-1' } } } } as never,
      es('cluster', { kind: 'ClusterGenerator', name: 'cluster-pw' }),
      es('cluster-ecr', { kind: 'ClusterGenerator', name: 'cluster-ecr' }),
    ]);
    const d = await eventually(() => data('cluster'), (x) => typeof x.a === 'string', { timeoutMs: 30_000, message: 'cluster generator data' });
    assert.deepEqual(Object.keys(d).sort(), ['a', 'b']);
    // hex of 12 letters: 24 hex digits, decoding to letters only.
    for (const v of [d.a!, d.b!]) assert.match(Buffer.from(v, 'hex').toString('latin1'), /^[a-zA-Z]{12}$/);
    const r = await eventually(() => k().ready(NS, 'externalsecrets', 'cluster-ecr'), (x) => x.status === 'False', { timeoutMs: 30_000, message: 'ECRAuthorizationToken refused' });
    assert.match(r.message ?? '', /^NotSupported: ClusterGenerator cluster-ecr spec\.kind: generator kind ECRAuthorizationToken is not supported/);
  });

  it('SSHKey: an OpenSSH key pair (ecdsa P-384, comment), a new pair at each refresh; the private key never in the logs', async () => {
    await k().apply([
      { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'SSHKey', metadata: { name: 'deploy-key', namespace: NS }, spec: { keyType: 'ecdsa', keySize: 384, comment: 'deploy@gen' } } as never,
      es('ssh', { kind: 'SSHKey', name: 'deploy-key' }),
    ]);
    const first = await eventually(() => data('ssh'), (d) => typeof d.publicKey === 'string', { timeoutMs: 30_000, message: 'ssh key generated' });
    assert.deepEqual(Object.keys(first).sort(), ['privateKey', 'publicKey']);
    // ssh.MarshalAuthorizedKey + ESO's comment: "<type> <base64 blob> <comment>\n".
    const m = /^ecdsa-sha2-nistp384 ([A-Za-z0-9+/=]+) deploy@gen\n$/.exec(first.publicKey!);
    assert.ok(m, 'authorized_keys line');
    const blob = Buffer.from(m[1]!, 'base64');
    assert.equal(blob.subarray(4, 4 + blob.readUInt32BE(0)).toString(), 'ecdsa-sha2-nistp384');
    // The OpenSSH private key file: unencrypted openssh-key-v1 holding the same public blob.
    const pem = /^-----BEGIN OPENSSH PRIVATE KEY-----\n([A-Za-z0-9+/=\n]+)-----END OPENSSH PRIVATE KEY-----\n$/.exec(first.privateKey!);
    assert.ok(pem, 'OpenSSH PEM');
    const body = Buffer.from(pem[1]!.replace(/\n/g, ''), 'base64');
    assert.equal(body.subarray(0, 15).toString('latin1'), 'openssh-key-v1\0');
    assert.ok(body.includes(blob), 'the private file holds the public blob');
    const second = await eventually(() => data('ssh'), (d) => d.publicKey !== first.publicKey, { timeoutMs: 30_000, message: 'a new key pair after a refresh' });
    assert.match(second.publicKey!, /^ecdsa-sha2-nistp384 /);
    const pemBody = (p: string) => p.split('\n').slice(1, -2).join('');
    assert.ok(!env.op.logs().includes(pemBody(first.privateKey!).slice(0, 64)) && !env.op.logs().includes(pemBody(second.privateKey!).slice(0, 64)));
  });

  it('MFA: a TOTP code from the seed in a Secret (RFC 6238 vector at a pinned `when`), and one for now; a seed that is not base32 fails naming the Secret only', async () => {
    // RFC 6238 Appendix B: seed "12345678901234567890" (base32 below, spaced and lower-cased as ESO cleans it), T = 59 s, 8 digits → 94287082.
    const seed = 'gezd gnbv gy3t qojq gezd gnbv gy3t qojq';
    await k().apply([
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'otp-seed', namespace: NS }, stringData: { seed, bad: 'not-base32-seed!' } } as never,
      { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'MFA', metadata: { name: 'pinned', namespace: NS }, spec: { secret: { name: 'otp-seed', key: 'seed' }, length: 8, when: '1970-01-01T00:00:59Z' } } as never,
      { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'MFA', metadata: { name: 'now', namespace: NS }, spec: { secret: { name: 'otp-seed', key: 'seed' } } } as never,
      { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'MFA', metadata: { name: 'bad-seed', namespace: NS }, spec: { secret: { name: 'otp-seed', key: 'bad' } } } as never,
      es('mfa-pinned', { kind: 'MFA', name: 'pinned' }),
      es('mfa-now', { kind: 'MFA', name: 'now' }),
      es('mfa-bad', { kind: 'MFA', name: 'bad-seed' }),
    ]);
    const pinned = await eventually(() => data('mfa-pinned'), (d) => typeof d.token === 'string', { timeoutMs: 30_000, message: 'pinned MFA token' });
    assert.deepEqual(pinned, { token: '94287082', timeLeft: '1' });
    const now = await eventually(() => data('mfa-now'), (d) => typeof d.token === 'string', { timeoutMs: 30_000, message: 'MFA token for now' });
    assert.match(now.token!, /^\d{6}$/);
    assert.ok(Number(now.timeLeft) >= 1 && Number(now.timeLeft) <= 30, `timeLeft ${now.timeLeft}`);
    const r = await eventually(() => k().ready(NS, 'externalsecrets', 'mfa-bad'), (x) => x.status === 'False', { timeoutMs: 30_000, message: 'bad seed refused' });
    assert.match(r.message ?? '', /^GeneratorFailed: MFA bad-seed: the seed in Secret gen\/otp-seed key "bad" is not base32 \(illegal base32 data at input byte 3\)$/);
    assert.ok(!(r.message ?? '').toUpperCase().includes('NOT-BASE32-SEED'));
    assert.equal(await k().secret(NS, 'mfa-bad'), undefined);
    const logs = env.op.logs();
    // (The tokens are short digit strings that may occur in any log by chance; they are Sensitive like the seed.)
    assert.ok(!logs.includes(seed) && !logs.includes('not-base32-seed'));
  });

  it('ACRAccessToken: service principal → Entra ID → /oauth2/exchange (refresh token) and, with scope, /oauth2/token (access token)', async () => {
    const registry = new URL(env.vault.url).host;
    await k().apply([
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'acr-sp', namespace: NS }, stringData: { id: SP_CLIENT, secret: SP_SECRET } } as never,
      ...['refresh', 'scoped'].map((name) => ({
        apiVersion: 'generators.external-secrets.io/v1alpha1',
        kind: 'ACRAccessToken',
        metadata: { name, namespace: NS },
        spec: {
          tenantId: env.vault.tenantId,
          registry,
          ...(name === 'scoped' ? { scope: 'repository:app:pull' } : {}),
          auth: { servicePrincipal: { secretRef: { clientId: { name: 'acr-sp', key: 'id' }, clientSecret: { name: 'acr-sp', key: 'secret' } } } },
        },
      }) as never),
      es('acr-refresh', { kind: 'ACRAccessToken', name: 'refresh' }),
      es('acr-scoped', { kind: 'ACRAccessToken', name: 'scoped' }),
    ]);
    const refresh = await eventually(() => data('acr-refresh'), (d) => typeof d.password === 'string', { timeoutMs: 60_000, message: 'ACR refresh token' });
    assert.equal(refresh.username, '00000000-0000-0000-0000-000000000000');
    const rc = claimsOf(refresh.password!);
    assert.equal(rc.aud, registry);
    assert.equal(rc.grant_type, 'refresh_token');
    assert.equal(rc.sub, SP_CLIENT);
    const scoped = await eventually(() => data('acr-scoped'), (d) => typeof d.password === 'string', { timeoutMs: 60_000, message: 'ACR access token' });
    const ac = claimsOf(scoped.password!);
    assert.deepEqual(ac.access, [{ type: 'repository', name: 'app', actions: ['pull'] }]);
    assert.equal(ac.aud, registry);
    // The vault logged both steps; no token reached the operator's log.
    assert.match(env.vaultLogs(), /ACR refresh token issued/);
    assert.match(env.vaultLogs(), /ACR access token issued/);
    assert.ok(!env.op.logs().includes(scoped.password!) && !env.op.logs().includes(refresh.password!));
  });

  it('Webhook: templates over a labelled Secret, caBundle trust, the object at result.jsonPath; 404 is missing under deletionPolicy Delete; no secret value leaks', async () => {
    const { canaries, canary } = canaryMaker();
    const apiToken = canary('hook-api-token');
    const issued = canary('hook-issued-password');
    const ca = testCa('webhook service CA');
    const cert = testServerCertificate(ca);
    const seen: { url: string; auth: string | undefined; ua: string | undefined; body: string }[] = [];
    const server = https.createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ url: req.url!, auth: req.headers.authorization, ua: req.headers['user-agent'], body });
        res.setHeader('Content-Type', 'application/json');
        if (req.url!.startsWith('/gone')) return void res.writeHead(404).end('{"error":"no such credential"}');
        if (req.headers.authorization !== `Bearer ${apiToken}`) return void res.writeHead(401).end('{"error":"unauthorized"}');
        res.end(JSON.stringify({ data: { username: 'svc-app', password: issued, ttl: 3600 }, request_id: 'r-1' }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const hook = (name: string, path: string, secretName: string) => ({
        apiVersion: 'generators.external-secrets.io/v1alpha1',
        kind: 'Webhook',
        metadata: { name, namespace: NS },
        spec: {
          url: `${base}${path}?team={{ .auth.team }}`,
          method: 'POST',
          headers: { Authorization: 'Bearer {{ .auth.token }}', 'content-type': 'application/json' },
          body: '{"ttl":"1h"}',
          timeout: '10s',
          result: { jsonPath: '$.data' },
          secrets: [{ name: 'auth', secretRef: { name: secretName } }],
          caBundle: Buffer.from(ca.certPem).toString('base64'),
        },
      });
      await k().apply([
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'hook-creds', namespace: NS, labels: { 'external-secrets.io/type': 'webhook' } }, stringData: { token: apiToken, team: 'payments' } } as never,
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'hook-unlabelled', namespace: NS }, stringData: { token: apiToken, team: 'payments' } } as never,
        hook('issue', '/issue', 'hook-creds') as never,
        hook('gone', '/gone', 'hook-creds') as never,
        hook('unlabelled', '/issue', 'hook-unlabelled') as never,
        es('hook', { kind: 'Webhook', name: 'issue' }),
        { ...es('hook-gone', { kind: 'Webhook', name: 'gone' }), spec: { ...es('hook-gone', { kind: 'Webhook', name: 'gone' }).spec, target: { name: 'hook-gone', deletionPolicy: 'Delete' } } },
        es('hook-unlabelled', { kind: 'Webhook', name: 'unlabelled' }),
      ]);
      const d = await eventually(() => data('hook'), (x) => typeof x.password === 'string', { timeoutMs: 30_000, message: 'webhook data' });
      // GetByteValue: strings as they are, the number as strconv 'f'.
      assert.deepEqual(d, { username: 'svc-app', password: issued, ttl: '3600' });
      const call = seen.find((c) => c.url.startsWith('/issue'))!;
      assert.equal(call.url, '/issue?team=payments');
      assert.equal(call.ua, 'Go-http-client/1.1');
      assert.equal(call.body, '{"ttl":"1h"}');
      // 404 is ESO's NoSecretError: under deletionPolicy Delete the entry is missing (an event), no Secret.
      await eventually(() => k().events(NS), (evs) => evs.some((e) => e.name === 'hook-gone' && e.reason === 'MissingProviderSecret'), { timeoutMs: 30_000, message: 'MissingProviderSecret for the 404' });
      assert.equal(await k().secret(NS, 'hook-gone'), undefined);
      const r = await eventually(() => k().ready(NS, 'externalsecrets', 'hook-unlabelled'), (x) => x.status === 'False', { timeoutMs: 30_000, message: 'unlabelled Secret refused' });
      assert.match(r.message ?? '', /^GeneratorFailed: Webhook unlabelled: Secret gen\/hook-unlabelled: secret does not contain needed label 'external-secrets.io\/type: webhook'/);
      assert.ok(!seen.some((c) => c.url.startsWith('/issue') && c.auth === undefined), 'nothing sent without the Secret');
      assertNowhere(canaries, { 'operator logs': env.op.logs(), 'statuses and events': await k().observableText([NS]) });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('GithubAccessToken: the App JWT (RS256, verifiable with the App key) POSTed to /app/installations/<id>/access_tokens; `token` in the Secret; a 422 names the status only', async () => {
    const { canaries, canary } = canaryMaker();
    const token = `ghs_${canary('installation-token')}`;
    const pem = readFileSync(new URL('../../fixtures/github-app/app-key.pem', import.meta.url), 'utf8');
    // The key's base64 lines are canaries too: the key must reach no output.
    canaries.push(...pem.split('\n').filter((l) => l.length === 64).slice(0, 3));
    const seen: { method: string; url: string; jwt: string; accept: string | undefined; body: string }[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const jwt = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
        seen.push({ method: req.method!, url: req.url!, jwt, accept: req.headers.accept, body });
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        const [h, p, sig] = jwt.split('.');
        if (!sig || !verify('sha256', Buffer.from(`${h}.${p}`), createPublicKey(pem), Buffer.from(sig, 'base64url'))) {
          return void res.writeHead(401).end(JSON.stringify({ message: 'A JSON web token could not be decoded', documentation_url: 'https://docs.github.com/rest' }));
        }
        if (req.url === '/app/installations/999/access_tokens') {
          return void res.writeHead(422).end(JSON.stringify({ message: 'There is at least one repository that does not exist or is not accessible to the parent installation.', documentation_url: 'https://docs.github.com/rest/reference/apps', status: '422' }));
        }
        res.writeHead(201).end(JSON.stringify({ token, expires_at: '2030-01-01T00:00:00Z', permissions: { contents: 'read' }, repository_selection: 'selected' }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const gh = (name: string, installID: string) => ({
        apiVersion: 'generators.external-secrets.io/v1alpha1',
        kind: 'GithubAccessToken',
        metadata: { name, namespace: NS },
        spec: { url, appID: '123456', installID, repositories: ['Hello-World'], permissions: { contents: 'read' }, auth: { privateKey: { secretRef: { name: 'gh-app', key: 'private-key.pem' } } } },
      });
      await k().apply([
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'gh-app', namespace: NS }, stringData: { 'private-key.pem': pem } } as never,
        gh('gh', '42') as never,
        gh('gh-bad', '999') as never,
        es('gh', { kind: 'GithubAccessToken', name: 'gh' }),
        es('gh-bad', { kind: 'GithubAccessToken', name: 'gh-bad' }),
      ]);
      const d = await eventually(() => data('gh'), (x) => typeof x.token === 'string', { timeoutMs: 30_000, message: 'github token' });
      assert.deepEqual(d, { token });
      const call = seen.find((c) => c.url === '/app/installations/42/access_tokens')!;
      assert.equal(call.method, 'POST');
      assert.equal(call.accept, 'application/vnd.github.v3+json');
      assert.equal(call.body, '{"permissions":{"contents":"read"},"repositories":["Hello-World"]}');
      const claims = JSON.parse(Buffer.from(call.jwt.split('.')[1]!, 'base64url').toString());
      assert.equal(claims.iss, '123456');
      assert.equal(claims.exp - claims.iat, 310);
      const r = await eventually(() => k().ready(NS, 'externalsecrets', 'gh-bad'), (x) => x.status === 'False', { timeoutMs: 30_000, message: 'GitHub 422' });
      assert.equal(r.message, 'GeneratorFailed: GithubAccessToken gh-bad: error generating token: response code: 422');
      assert.equal(await k().secret(NS, 'gh-bad'), undefined);
      assertNowhere(canaries, { 'operator logs': env.op.logs(), 'statuses and events': await k().observableText([NS]) });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('ACRAccessToken with a wrong client secret: StoreAuthFailed, no Secret', async () => {
    await k().apply([
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'acr-bad-cred', namespace: NS }, stringData: { id: SP_CLIENT, secret: 'wrong' } } as never,
      {
        apiVersion: 'generators.external-secrets.io/v1alpha1',
        kind: 'ACRAccessToken',
        metadata: { name: 'bad', namespace: NS },
        spec: { tenantId: env.vault.tenantId, registry: new URL(env.vault.url).host, auth: { servicePrincipal: { secretRef: { clientId: { name: 'acr-bad-cred', key: 'id' }, clientSecret: { name: 'acr-bad-cred', key: 'secret' } } } } },
      } as never,
      es('acr-bad', { kind: 'ACRAccessToken', name: 'bad' }),
    ]);
    const r = await eventually(() => k().ready(NS, 'externalsecrets', 'acr-bad'), (x) => x.status === 'False', { timeoutMs: 60_000, message: 'ACR auth failure' });
    assert.match(r.message ?? '', /^StoreAuthFailed: /);
    assert.ok(!(r.message ?? '').includes('wrong'));
    assert.equal(await k().secret(NS, 'acr-bad'), undefined);
  });
});
