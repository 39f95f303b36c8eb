// The local vault's ACR token endpoints (src/vault/auth/acr.ts), as ACR's REST API answers:
// /oauth2/exchange (Entra ID ARM token → refresh token) and /oauth2/token (refresh token + scope →
// access token), errors in ACR's {"errors": [...]} shape.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { issueAccessToken } from '../../../src/vault/auth/access-token.ts';
import { acrExchange, acrToken, ACR_ACCESS_TOKEN_SECONDS } from '../../../src/vault/auth/acr.ts';

const key = randomBytes(32);
const NOW = 1_800_000_000;
const TENANT = '11111111-2222-3333-4444-555555555555';
const claims = (t: string) => JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString());

function armToken(audience = 'https://management.azure.com', now = NOW): string {
  return issueAccessToken({ tenantId: TENANT, clientId: 'app-1' }, audience, now, key).token;
}

describe('local vault as ACR', () => {
  it('exchanges an ARM token for a refresh token, then a refresh token + scope for an access token', () => {
    const ex = acrExchange(new URLSearchParams({ grant_type: 'access_token', service: 'r.example:443', tenant: TENANT, access_token: armToken() }), key, NOW);
    assert.equal(ex.status, 200);
    const refresh = (ex.body as { refresh_token: string }).refresh_token;
    assert.equal(claims(refresh).aud, 'r.example:443');
    const tok = acrToken(new URLSearchParams({ grant_type: 'refresh_token', service: 'r.example:443', scope: 'repository:app:pull,push', refresh_token: refresh }), key, NOW);
    assert.equal(tok.status, 200);
    const c = claims((tok.body as { access_token: string }).access_token);
    assert.deepEqual(c.access, [{ type: 'repository', name: 'app', actions: ['pull', 'push'] }]);
    assert.equal(c.exp - c.iat, ACR_ACCESS_TOKEN_SECONDS);
  });

  it("refuses as ACR does: wrong audience, foreign signature, expiry, another registry's refresh token, bad grant", () => {
    const status = (o: { status: number; body: unknown }) => [o.status, (o.body as { errors?: { code: string }[] }).errors?.[0]?.code];
    const form = (t: string) => new URLSearchParams({ grant_type: 'access_token', service: 'r', tenant: TENANT, access_token: t });
    assert.deepEqual(status(acrExchange(form(armToken('https://vault.azure.net')), key, NOW)), [401, 'UNAUTHORIZED']);
    assert.deepEqual(status(acrExchange(form(issueAccessToken({ tenantId: TENANT, clientId: 'x' }, 'https://management.azure.com', NOW, randomBytes(32)).token), key, NOW)), [401, 'UNAUTHORIZED']);
    assert.deepEqual(status(acrExchange(form(armToken(undefined, NOW - 7200)), key, NOW)), [401, 'UNAUTHORIZED']);
    assert.deepEqual(status(acrExchange(new URLSearchParams({ grant_type: 'password', service: 'r' }), key, NOW)), [400, 'UNSUPPORTED']);
    const refresh = (acrExchange(form(armToken()), key, NOW).body as { refresh_token: string }).refresh_token;
    assert.deepEqual(status(acrToken(new URLSearchParams({ grant_type: 'refresh_token', service: 'other', scope: 'repository:a:pull', refresh_token: refresh }), key, NOW)), [401, 'UNAUTHORIZED']);
    assert.deepEqual(status(acrToken(new URLSearchParams({ grant_type: 'refresh_token', service: 'r', scope: 'nonsense', refresh_token: refresh }), key, NOW)), [400, 'BAD_REQUEST']);
  });
});
