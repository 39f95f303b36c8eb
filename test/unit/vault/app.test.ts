import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { createHarness, API, BASE_URL, TENANT } from './app-harness.ts';
import { SUPPORTED_API_VERSIONS } from '../../../src/vault/app.ts';

const CANARY = 'canary-7f3a9c1e-value';

function rs256(claims: Record<string, unknown>, privateKey: import('node:crypto').KeyObject, kid: string): string {
  const h = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid })).toString('base64url');
  const c = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${h}.${c}.${sign('sha256', Buffer.from(`${h}.${c}`), privateKey).toString('base64url')}`;
}

describe('vault app: api-version and authentication', () => {
  it('refuses a request without api-version with 400 BadParameter', async () => {
    const h = createHarness();
    const res = await h.call('GET', '/secrets/x');
    assert.equal(res.status, 400);
    assert.equal(res.json.error.code, 'BadParameter');
  });

  it('refuses an unknown api-version with 400 and accepts every version the official SDKs send', async () => {
    const h = createHarness();
    for (const unknown of ['7.9', '2099-01-01', '1.0']) {
      const res = await h.call('GET', `/secrets/x?api-version=${unknown}`);
      assert.equal(res.status, 400, unknown);
      assert.equal(res.json.error.code, 'BadParameter');
      assert.equal(res.json.error.message, `The specified version (${unknown}) is not recognized. Consider using the latest supported version (2026-04-01).`);
    }
    // @azure/keyvault-secrets 4.12 SecretClientOptions.serviceVersion: "7.0" … "7.6", "2025-07-01", "2026-04-01";
    // ESO's legacy Go SDK (services/keyvault/v7.0) sends 7.0; Go's 2016-10-01 package and Azure Stack Hub 2016-10-01.
    for (const v of ['2016-10-01', '7.0', '7.1', '7.2', '7.3', '7.4', '7.5', '7.6', '7.6-preview.2', '2025-07-01', '2026-04-01']) {
      assert.ok(SUPPORTED_API_VERSIONS.includes(v), v);
      assert.equal((await h.call('GET', `/secrets/x?api-version=${v}`)).status, 401, v);
    }
  });

  it('emulates an older server: only the configured api-versions are accepted, the latest of them is named', async () => {
    const h = createHarness({ apiVersions: ['2016-10-01', '7.0'] });
    const token = await h.tokenFor('reader', 'reader-secret');
    assert.equal((await h.call('GET', '/secrets?api-version=7.0', { token })).status, 200);
    const refused = await h.call('GET', '/secrets?api-version=7.4', { token });
    assert.equal(refused.status, 400);
    assert.equal(refused.json.error.message, 'The specified version (7.4) is not recognized. Consider using the latest supported version (7.0).');
  });

  it('challenges an unauthenticated request with the authority and vault resource', async () => {
    const h = createHarness();
    const res = await h.call('GET', `/secrets/x?${API}`);
    assert.equal(res.status, 401);
    assert.equal(res.json.error.code, 'Unauthorized');
    assert.equal(res.headers['www-authenticate'], `Bearer authorization="${BASE_URL}/${TENANT}", resource="https://vault.azure.net"`);
  });

  it('serves OpenID discovery for the vault tenant and 400 for an unknown tenant', async () => {
    const h = createHarness();
    const ok = await h.call('GET', `/${TENANT}/v2.0/.well-known/openid-configuration`);
    assert.equal(ok.status, 200);
    for (const field of ['issuer', 'authorization_endpoint', 'token_endpoint', 'end_session_endpoint', 'jwks_uri']) assert.ok(ok.json[field], field);
    assert.equal(ok.json.token_endpoint, `${BASE_URL}/${TENANT}/oauth2/v2.0/token`);
    const bad = await h.call('GET', '/99999999-0000-0000-0000-000000000000/v2.0/.well-known/openid-configuration');
    assert.equal(bad.status, 400);
    assert.match(bad.json.error_description, /^AADSTS90002/);
  });

  it('answers a wrong client secret with 401 invalid_client AADSTS7000215 and never echoes the secret', async () => {
    const h = createHarness();
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: 'reader', client_secret: CANARY, scope: 'https://vault.azure.net/.default' });
    const res = await h.call('POST', `/${TENANT}/oauth2/v2.0/token`, { body: form.toString() });
    assert.equal(res.status, 401);
    assert.equal(res.json.error, 'invalid_client');
    assert.deepEqual(res.json.error_codes, [7000215]);
    assert.ok(!res.body.includes(CANARY));
    assert.ok(!h.logs.join('').includes(CANARY));
  });

  it('answers an unknown tenant on the token endpoint with 400 AADSTS90002', async () => {
    const h = createHarness();
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: 'reader', client_secret: 'reader-secret', scope: 'https://vault.azure.net/.default' });
    const res = await h.call('POST', '/00000000-0000-0000-0000-000000000000/oauth2/v2.0/token', { body: form.toString() });
    assert.equal(res.status, 400);
    assert.deepEqual(res.json.error_codes, [90002]);
  });

  it('answers an unknown client with 400 unauthorized_client', async () => {
    const h = createHarness();
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: 'ghost', client_secret: 'x', scope: 'https://vault.azure.net/.default' });
    const res = await h.call('POST', `/${TENANT}/oauth2/v2.0/token`, { body: form.toString() });
    assert.equal(res.status, 400);
    assert.equal(res.json.error, 'unauthorized_client');
    assert.deepEqual(res.json.error_codes, [700016]);
    assert.match(res.json.error_description, /^AADSTS700016: Application with identifier 'ghost' was not found in the directory '[^']+'\. Unknown client id: register it with `projector vault serve --principals FILE`/);
  });

  it('issues a bearer token that the secrets API accepts', async () => {
    const h = createHarness();
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: 'reader', client_secret: 'reader-secret', scope: 'https://vault.azure.net/.default' });
    const res = await h.call('POST', `/${TENANT}/oauth2/v2.0/token`, { body: form.toString() });
    assert.equal(res.status, 200);
    assert.equal(res.json.token_type, 'Bearer');
    assert.equal(res.json.expires_in, 3600);
    assert.equal((await h.call('GET', `/secrets?${API}`, { token: res.json.access_token })).status, 200);
  });

  it('refuses a tampered, an expired, and a foreign-tenant token with 401', async () => {
    const h = createHarness({
      principals: [
        { clientId: 'reader', clientSecret: 'reader-secret' },
        { clientId: 'foreign', clientSecret: 'f', tenantId: '99999999-0000-0000-0000-000000000000' },
      ],
    });
    const token = await h.tokenFor('reader', 'reader-secret');
    const [a, b, c] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(b, 'base64url').toString());
    const tampered = `${a}.${Buffer.from(JSON.stringify({ ...claims, appid: 'someone-else' })).toString('base64url')}.${c}`;
    assert.equal((await h.call('GET', `/secrets?${API}`, { token: tampered })).status, 401);

    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: 'foreign', client_secret: 'f', scope: 'https://vault.azure.net/.default' });
    const foreign = await h.call('POST', '/99999999-0000-0000-0000-000000000000/oauth2/v2.0/token', { body: form.toString() });
    assert.equal(foreign.status, 200);
    const res = await h.call('GET', `/secrets?${API}`, { token: foreign.json.access_token });
    assert.equal(res.status, 401);
    assert.match(res.json.error.message, /tenant/);

    h.clock.ms += 3601_000;
    assert.equal((await h.call('GET', `/secrets?${API}`, { token })).status, 401);
  });
});

describe('vault app: secrets API', () => {
  async function withToken() {
    const h = createHarness();
    const token = await h.tokenFor('reader', 'reader-secret');
    return { h, token };
  }

  it('answers 400 BadParameter "The request URI contains an invalid name" on every route that takes a name, as AKV does, never 404', async () => {
    const { h, token } = await withToken();
    const version = '0123456789abcdef0123456789abcdef';
    const routes: [string, string, unknown?][] = [
      ['GET', '/secrets/DB_PASSWORD'],
      ['GET', `/secrets/DB_PASSWORD/${version}`],
      ['GET', '/secrets/DB_PASSWORD/versions'],
      ['PUT', '/secrets/DB_PASSWORD', { value: 'v' }],
      ['PATCH', '/secrets/DB_PASSWORD', { attributes: { enabled: false } }],
      ['PATCH', `/secrets/DB_PASSWORD/${version}`, { attributes: { enabled: false } }],
      ['DELETE', '/secrets/DB_PASSWORD'],
      ['GET', '/deletedsecrets/DB_PASSWORD'],
      ['DELETE', '/deletedsecrets/DB_PASSWORD'],
      ['POST', '/deletedsecrets/DB_PASSWORD/recover'],
      ['GET', `/secrets/${'x'.repeat(128)}`],
      ['GET', '/secrets/a%20b'],
    ];
    for (const [method, path, body] of routes) {
      const res = await h.call(method, `${path}?${API}`, { token, ...(body !== undefined && { body }) });
      const name = decodeURIComponent(path.split('/')[2]!);
      assert.equal(res.status, 400, `${method} ${path}`);
      assert.deepEqual(res.json, { error: { code: 'BadParameter', message: `The request URI contains an invalid name: ${name}` } }, `${method} ${path}`);
    }
    assert.equal(h.persists.count, 0, 'nothing was written');
    // A valid name that does not exist is still 404: the two answers stay distinguishable.
    assert.equal((await h.call('GET', `/secrets/DB-PASSWORD?${API}`, { token })).status, 404);
  });

  it('sets and gets a secret with AKV bundle fields, persisting before it answers', async () => {
    const { h, token } = await withToken();
    const put = await h.call('PUT', `/secrets/db-password?${API}`, { token, body: { value: CANARY, contentType: 'text/plain', tags: { app: 'netbox' }, attributes: { enabled: true } } });
    assert.equal(put.status, 200);
    assert.equal(h.persists.count, 1);
    const version = put.json.id.split('/').at(-1);
    assert.match(version, /^[0-9a-f]{32}$/);
    assert.equal(put.json.id, `${BASE_URL}/secrets/db-password/${version}`);

    for (const path of ['/secrets/db-password', '/secrets/db-password/', `/secrets/db-password/${version}`]) {
      const got = await h.call('GET', `${path}?${API}`, { token });
      assert.equal(got.status, 200, path);
      assert.equal(got.json.value, CANARY);
      assert.equal(got.json.contentType, 'text/plain');
      assert.deepEqual(got.json.tags, { app: 'netbox' });
      assert.deepEqual(got.json.attributes, { enabled: true, created: 1_700_000_000, updated: 1_700_000_000, recoverableDays: 90, recoveryLevel: 'Recoverable+Purgeable' });
    }
  });

  it('answers 404 SecretNotFound for a missing secret or version', async () => {
    const { h, token } = await withToken();
    const res = await h.call('GET', `/secrets/missing?${API}`, { token });
    assert.equal(res.status, 404);
    assert.equal(res.json.error.code, 'SecretNotFound');
    await h.call('PUT', `/secrets/present?${API}`, { token, body: { value: 'v' } });
    assert.equal((await h.call('GET', `/secrets/present/${'a'.repeat(32)}?${API}`, { token })).status, 404);
  });

  it('refuses malformed bodies without quoting them', async () => {
    const { h, token } = await withToken();
    const res = await h.call('PUT', `/secrets/x?${API}`, { token, body: `{"value": "${CANARY}` });
    assert.equal(res.status, 400);
    assert.ok(!res.body.includes(CANARY));
    assert.equal((await h.call('PUT', `/secrets/x?${API}`, { token, body: { value: 42 } })).status, 400);
    assert.equal((await h.call('PUT', `/secrets/bad_name?${API}`, { token, body: { value: 'v' } })).status, 400);
  });

  it('answers 403 SecretDisabled for a disabled version and serves it again once enabled', async () => {
    const { h, token } = await withToken();
    const put = await h.call('PUT', `/secrets/k?${API}`, { token, body: { value: 'v', attributes: { enabled: false } } });
    const version = put.json.id.split('/').at(-1);
    const res = await h.call('GET', `/secrets/k?${API}`, { token });
    assert.equal(res.status, 403);
    assert.equal(res.json.error.code, 'Forbidden');
    assert.equal(res.json.error.innererror.code, 'SecretDisabled');
    const patch = await h.call('PATCH', `/secrets/k/${version}?${API}`, { token, body: { attributes: { enabled: true }, tags: { t: '1' } } });
    assert.equal(patch.status, 200);
    assert.equal(patch.json.value, undefined);
    assert.deepEqual(patch.json.tags, { t: '1' });
    assert.equal((await h.call('GET', `/secrets/k?${API}`, { token })).status, 200);
  });

  it('serves expired and not-yet-valid secrets like AKV, and refuses them when validity is enforced', async () => {
    const now = 1_700_000_000;
    for (const enforce of [false, true]) {
      const h = createHarness({ enforceValidity: enforce });
      const token = await h.tokenFor('reader', 'reader-secret');
      await h.call('PUT', `/secrets/expired?${API}`, { token, body: { value: 'v', attributes: { exp: now - 10 } } });
      await h.call('PUT', `/secrets/future?${API}`, { token, body: { value: 'v', attributes: { nbf: now + 100 } } });
      const expired = await h.call('GET', `/secrets/expired?${API}`, { token });
      const future = await h.call('GET', `/secrets/future?${API}`, { token });
      assert.equal(expired.status, enforce ? 403 : 200);
      assert.equal(future.status, enforce ? 403 : 200);
      if (enforce) assert.equal(expired.json.error.innererror.code, 'SecretExpired');
    }
  });

  it('pages GET /secrets with maxresults and an absolute nextLink, without values', async () => {
    const { h, token } = await withToken();
    for (let i = 0; i < 23; i++) await h.call('PUT', `/secrets/s-${String(i).padStart(2, '0')}?${API}`, { token, body: { value: CANARY } });
    const names: string[] = [];
    let link: string | null = `/secrets?${API}&maxresults=10`;
    let pages = 0;
    while (link) {
      const res = await h.call('GET', link.replace(BASE_URL, ''), { token });
      assert.equal(res.status, 200);
      assert.ok(!res.body.includes(CANARY));
      names.push(...res.json.value.map((item: { id: string }) => item.id.split('/').at(-1)));
      link = res.json.nextLink;
      if (link) {
        assert.ok(link.startsWith(`${BASE_URL}/secrets?`));
        assert.match(link, /\$skiptoken=/);
        assert.match(link, /api-version=7\.5/);
      }
      pages++;
    }
    assert.equal(pages, 3);
    assert.deepEqual(names, Array.from({ length: 23 }, (_, i) => `s-${String(i).padStart(2, '0')}`));
    // As AKV's: the next page's link repeats the api-version the caller asked with.
    const old = await h.call('GET', `/secrets?api-version=7.0&maxresults=10`, { token });
    assert.match(old.json.nextLink, /^https:\/\/vault\.test:8443\/secrets\?api-version=7\.0&\$skiptoken=[\w-]+&maxresults=10$/);
    assert.equal((await h.call('GET', `/secrets?${API}&maxresults=26`, { token })).status, 400);
    assert.equal((await h.call('GET', `/secrets?${API}&maxresults=0`, { token })).status, 400);
    assert.equal((await h.call('GET', `/secrets?${API}&$skiptoken=garbage`, { token })).status, 400);
  });

  it('lists versions with their ids, paged', async () => {
    const { h, token } = await withToken();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await h.call('PUT', `/secrets/k?${API}`, { token, body: { value: `v${i}` } })).json.id);
    const first = await h.call('GET', `/secrets/k/versions?${API}&maxresults=3`, { token });
    assert.equal(first.json.value.length, 3);
    const second = await h.call('GET', first.json.nextLink.replace(BASE_URL, ''), { token });
    assert.equal(second.json.nextLink, null);
    assert.deepEqual([...first.json.value, ...second.json.value].map((x: { id: string }) => x.id), ids);
    assert.equal((await h.call('GET', `/secrets/none/versions?${API}`, { token })).status, 404);
  });

  it('soft-deletes, lists, recovers and purges through the HTTP API', async () => {
    const { h, token } = await withToken();
    await h.call('PUT', `/secrets/k?${API}`, { token, body: { value: CANARY } });
    const del = await h.call('DELETE', `/secrets/k?${API}`, { token });
    assert.equal(del.status, 200);
    assert.equal(del.json.recoveryId, `${BASE_URL}/deletedsecrets/k`);
    assert.equal(del.json.deletedDate, 1_700_000_000);
    assert.equal(del.json.scheduledPurgeDate, 1_700_000_000 + 90 * 86_400);
    assert.equal(del.json.value, undefined);
    assert.equal((await h.call('GET', `/secrets/k?${API}`, { token })).status, 404);
    const conflict = await h.call('PUT', `/secrets/k?${API}`, { token, body: { value: 'again' } });
    assert.equal(conflict.status, 409);
    assert.equal(conflict.json.error.innererror.code, 'ObjectIsDeletedButRecoverable');
    const list = await h.call('GET', `/deletedsecrets?${API}`, { token });
    assert.deepEqual(list.json.value.map((d: { recoveryId: string }) => d.recoveryId), [`${BASE_URL}/deletedsecrets/k`]);
    assert.equal((await h.call('GET', `/deletedsecrets/k?${API}`, { token })).status, 200);

    assert.equal((await h.call('POST', `/deletedsecrets/k/recover?${API}`, { token })).status, 200);
    assert.equal((await h.call('GET', `/secrets/k?${API}`, { token })).json.value, CANARY);

    await h.call('DELETE', `/secrets/k?${API}`, { token });
    assert.equal((await h.call('DELETE', `/deletedsecrets/k?${API}`, { token })).status, 204);
    assert.equal((await h.call('GET', `/deletedsecrets/k?${API}`, { token })).status, 404);
    assert.equal((await h.call('PUT', `/secrets/k?${API}`, { token, body: { value: 'new' } })).status, 200);
  });

  it('counts secret reads per name, but not listings, metadata or failed reads', async () => {
    const { h, token } = await withToken();
    await h.call('PUT', `/secrets/a?${API}`, { token, body: { value: 'v' } });
    await h.call('GET', `/secrets/a?${API}`, { token });
    await h.call('GET', `/secrets/a/?${API}`, { token });
    await h.call('GET', `/secrets/b?${API}`, { token });
    await h.call('GET', `/secrets?${API}`, { token });
    const stats = h.app.stats();
    assert.equal(stats.secretReads, 2);
    assert.deepEqual(stats.byName, { a: 2 });
    assert.ok(stats.requests >= 6);
  });

  it('never writes a value into its logs', async () => {
    const { h, token } = await withToken();
    await h.call('PUT', `/secrets/a?${API}`, { token, body: { value: CANARY } });
    await h.call('GET', `/secrets/a?${API}`, { token });
    await h.call('PUT', `/secrets/a?${API}`, { token, body: `{"value":"${CANARY}"` });
    assert.ok(h.logs.length > 0);
    assert.ok(!h.logs.join('\n').includes(CANARY));
    assert.ok(!h.logs.join('\n').includes(token));
  });
});

describe('vault app: access control', () => {
  it('lets a principal read only the names its allowRead lists, with a 403 naming principal and secret', async () => {
    const h = createHarness({
      principals: [
        { clientId: 'admin', clientSecret: 'a' },
        { clientId: 'netbox', clientSecret: 'n', allowRead: ['netbox-*', 'shared'], allowWrite: [] },
      ],
    });
    const admin = await h.tokenFor('admin', 'a');
    const netbox = await h.tokenFor('netbox', 'n');
    for (const name of ['netbox-db', 'shared', 'billing-db']) await h.call('PUT', `/secrets/${name}?${API}`, { token: admin, body: { value: CANARY } });

    assert.equal((await h.call('GET', `/secrets/netbox-db?${API}`, { token: netbox })).status, 200);
    assert.equal((await h.call('GET', `/secrets/Shared?${API}`, { token: netbox })).status, 200);
    const denied = await h.call('GET', `/secrets/billing-db?${API}`, { token: netbox });
    assert.equal(denied.status, 403);
    assert.equal(denied.json.error.code, 'Forbidden');
    assert.match(denied.json.error.message, /appid=netbox/);
    assert.match(denied.json.error.message, /billing-db/);
    assert.ok(!denied.body.includes(CANARY));

    const list = await h.call('GET', `/secrets?${API}`, { token: netbox });
    assert.deepEqual(list.json.value.map((i: { id: string }) => i.id.split('/').at(-1)), ['netbox-db', 'shared']);
    assert.equal((await h.call('PUT', `/secrets/netbox-db?${API}`, { token: netbox, body: { value: 'x' } })).status, 403);
    assert.equal((await h.call('DELETE', `/secrets/netbox-db?${API}`, { token: netbox })).status, 403);
  });

  it('answers a list by a principal without the list permission with Key Vault\'s 403, and still serves its gets', async () => {
    const h = createHarness({
      principals: [
        { clientId: 'admin', clientSecret: 'a' },
        { clientId: 'get-only', clientSecret: 'g', listSecrets: false },
      ],
    });
    await h.call('PUT', `/secrets/app-db?${API}`, { token: await h.tokenFor('admin', 'a'), body: { value: CANARY } });
    const token = await h.tokenFor('get-only', 'g');
    assert.equal((await h.call('GET', `/secrets/app-db?${API}`, { token })).status, 200);
    const denied = await h.call('GET', `/secrets?${API}&maxresults=1`, { token });
    assert.equal(denied.status, 403);
    assert.equal(denied.json.error.code, 'Forbidden');
    assert.equal(denied.json.error.innererror.code, 'ForbiddenByPolicy');
    assert.match(denied.json.error.message, /^The user, group or application 'appid=get-only' does not have secrets list permission on key vault /);
  });

  it('refuses tokens of a principal no longer registered', async () => {
    const h = createHarness({ principals: [{ clientId: 'reader', clientSecret: 'reader-secret', tenantId: TENANT }] });
    const token = await h.tokenFor('reader', 'reader-secret');
    h.app.addPrincipal({ clientId: 'reader', clientSecret: 'reader-secret', tenantId: '99999999-0000-0000-0000-000000000000' });
    assert.equal((await h.call('GET', `/secrets?${API}`, { token })).status, 401);
  });
});

describe('vault app: throttling and faults', () => {
  it('answers 429 Throttled with Retry-After past the read limit and admits again after the window', async () => {
    const h = createHarness({ throttle: { readsPer10s: 2, writesPer10s: 1 } });
    const token = await h.tokenFor('reader', 'reader-secret');
    assert.equal((await h.call('PUT', `/secrets/a?${API}`, { token, body: { value: 'v' } })).status, 200);
    const writeLimited = await h.call('PUT', `/secrets/a?${API}`, { token, body: { value: 'v' } });
    assert.equal(writeLimited.status, 429);
    assert.equal((await h.call('GET', `/secrets/a?${API}`, { token })).status, 200);
    h.clock.ms += 4000;
    assert.equal((await h.call('GET', `/secrets/a?${API}`, { token })).status, 200);
    const limited = await h.call('GET', `/secrets/a?${API}`, { token });
    assert.equal(limited.status, 429);
    assert.equal(limited.json.error.code, 'Throttled');
    assert.equal(limited.headers['retry-after'], '6');
    h.clock.ms += 6000;
    assert.equal((await h.call('GET', `/secrets/a?${API}`, { token })).status, 200);
  });

  it('fails the next N secrets API requests on demand but leaves the token endpoint alone', async () => {
    const h = createHarness();
    h.faults.failNext(503, 2, { retryAfterSeconds: 3 });
    const token = await h.tokenFor('reader', 'reader-secret');
    const first = await h.call('GET', `/secrets?${API}`, { token });
    assert.equal(first.status, 503);
    assert.equal(first.headers['retry-after'], '3');
    assert.equal((await h.call('GET', `/secrets?${API}`, { token })).status, 503);
    assert.equal((await h.call('GET', `/secrets?${API}`, { token })).status, 200);
  });

  it('limits injected failures to a path when asked', async () => {
    const h = createHarness();
    const token = await h.tokenFor('reader', 'reader-secret');
    h.faults.failNext(500, 1, { path: /\/secrets\/target/ });
    assert.equal((await h.call('GET', `/secrets?${API}`, { token })).status, 200);
    assert.equal((await h.call('GET', `/secrets/target?${API}`, { token })).status, 500);
    assert.equal((await h.call('GET', `/secrets/target?${API}`, { token })).status, 404);
  });
});

describe('vault app: workload identity and managed identity', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwks = { keys: [{ ...(publicKey.export({ format: 'jwk' }) as Record<string, unknown>), kid: 'k1', use: 'sig', alg: 'RS256' }] };
  const issuer = 'https://kubernetes.default.svc.cluster.local';
  const subject = 'system:serviceaccount:projector:projector';
  const principals = [{ clientId: 'wi-app', federated: { issuer, subject } }];

  async function exchange(h: ReturnType<typeof createHarness>, claims: Record<string, unknown>) {
    const assertion = rs256(claims, privateKey, 'k1');
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: 'wi-app',
      scope: 'https://vault.azure.net/.default',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    });
    return h.call('POST', `/${TENANT}/oauth2/v2.0/token`, { body: form.toString() });
  }

  it('exchanges a valid service-account token for a vault token', async () => {
    const h = createHarness({ principals, jwks });
    const now = h.clock.ms / 1000;
    const res = await exchange(h, { iss: issuer, sub: subject, aud: ['api://AzureADTokenExchange'], exp: now + 600, iat: now });
    assert.equal(res.status, 200);
    assert.equal((await h.call('GET', `/secrets?${API}`, { token: res.json.access_token })).status, 200);
  });

  it('refuses a service-account token with the wrong subject, audience, issuer or lifetime', async () => {
    const h = createHarness({ principals, jwks });
    const now = h.clock.ms / 1000;
    const good = { iss: issuer, sub: subject, aud: 'api://AzureADTokenExchange', exp: now + 600 };
    for (const bad of [{ sub: 'system:serviceaccount:other:sa' }, { aud: 'https://kubernetes.default.svc' }, { iss: 'https://evil' }, { exp: now - 1 }]) {
      const res = await exchange(h, { ...good, ...bad });
      assert.equal(res.status, 401, JSON.stringify(bad));
      assert.equal(res.json.error, 'invalid_client');
    }
  });

  it('refuses a service-account token signed by a key outside the JWKS', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const h = createHarness({ principals, jwks });
    const now = h.clock.ms / 1000;
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: 'wi-app',
      scope: 'https://vault.azure.net/.default',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: rs256({ iss: issuer, sub: subject, aud: 'api://AzureADTokenExchange', exp: now + 600 }, other, 'k1'),
    });
    assert.equal((await h.call('POST', `/${TENANT}/oauth2/v2.0/token`, { body: form.toString() })).status, 401);
  });

  it('answers the IMDS probe without Metadata header with 400 and issues tokens to a managed identity', async () => {
    const h = createHarness({ principals: [{ clientId: 'mi-1', managedIdentity: true }, { clientId: 'app', clientSecret: 's' }] });
    const path = '/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://vault.azure.net';
    const probe = await h.app.handleImds({ method: 'GET', url: path, headers: {}, body: '' });
    assert.equal(probe.status, 400);
    const res = await h.app.handleImds({ method: 'GET', url: path.replace('/token?', '/token/?'), headers: { metadata: 'true' }, body: '' });
    assert.equal(res.status, 200);
    const body = JSON.parse(res.body);
    assert.equal(body.client_id, 'mi-1');
    assert.equal(typeof body.expires_on, 'string');
    assert.equal((await h.call('GET', `/secrets?${API}`, { token: body.access_token })).status, 200);
    const unknown = await h.app.handleImds({ method: 'GET', url: `${path}&client_id=app`, headers: { metadata: 'true' }, body: '' });
    assert.equal(unknown.status, 400);
  });
});
