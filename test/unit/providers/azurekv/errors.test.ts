import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRetryAfterMs, toProjectorError } from '../../../../src/providers/azurekv/errors.ts';
import { ProjectorError } from '../../../../src/core/errors.ts';

const CANARY = 'canary-err-91c2';
const ctx = { vaultUrl: 'https://v.example/', secretName: 'netbox-db' };
const NOW = Date.parse('2025-01-01T00:00:00Z');

function headers(h: Record<string, string>) {
  const lower = Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
  return { get: (n: string) => lower[n.toLowerCase()] };
}

/** The shape of a RestError from @azure/core-rest-pipeline, with a body that quotes a canary. */
function restError(status: number | undefined, opts: { code?: string; headers?: Record<string, string>; innerCode?: string } = {}) {
  const e = new Error(`body: {"value":"${CANARY}"}`) as Error & Record<string, unknown>;
  e.name = 'RestError';
  if (status !== undefined) e['statusCode'] = status;
  if (opts.code) e['code'] = opts.code;
  e['response'] = { status, headers: headers(opts.headers ?? {}), bodyAsText: CANARY };
  if (opts.innerCode) e['details'] = { error: { code: opts.code, message: CANARY, innerError: { code: opts.innerCode } } };
  return e;
}

function authError(statusCode: number, error: string) {
  const e = new Error(`${error} ${CANARY}`) as Error & Record<string, unknown>;
  e.name = 'AuthenticationError';
  e['statusCode'] = statusCode;
  e['errorResponse'] = { error, errorDescription: CANARY };
  return e;
}

function mapped(err: unknown): ProjectorError {
  const e = toProjectorError(err, ctx, NOW);
  assert.ok(!e.message.includes(CANARY), `message leaks: ${e.message}`);
  assert.ok(!JSON.stringify(e.details).includes(CANARY));
  return e;
}

describe('toProjectorError', () => {
  it('maps 404 to VaultNotFound with the AKV code and secret name', () => {
    const e = mapped(restError(404, { code: 'SecretNotFound' }));
    assert.equal(e.code, 'VaultNotFound');
    assert.equal(e.details.httpStatus, 404);
    assert.equal(e.details.remoteCode, 'SecretNotFound');
    assert.match(e.message, /secret "netbox-db" in vault https:\/\/v\.example\//);
  });

  it('maps 401 and 403 to VaultForbidden, preferring the inner code (SecretDisabled)', () => {
    assert.equal(mapped(restError(401, { code: 'Unauthorized' })).code, 'VaultForbidden');
    const e = mapped(restError(403, { code: 'Forbidden', innerCode: 'SecretDisabled' }));
    assert.equal(e.code, 'VaultForbidden');
    assert.equal(e.details.remoteCode, 'SecretDisabled');
  });

  it('maps 429 to VaultThrottled with retryAfterMs from Retry-After seconds', () => {
    const e = mapped(restError(429, { code: 'Throttled', headers: { 'Retry-After': '3' } }));
    assert.equal(e.code, 'VaultThrottled');
    assert.equal(e.details.retryAfterMs, 3000);
  });

  it('prefers retry-after-ms over x-ms-retry-after-ms over Retry-After', () => {
    assert.equal(parseRetryAfterMs(headers({ 'retry-after-ms': '250', 'x-ms-retry-after-ms': '500', 'Retry-After': '9' }), NOW), 250);
    assert.equal(parseRetryAfterMs(headers({ 'x-ms-retry-after-ms': '500', 'Retry-After': '9' }), NOW), 500);
    assert.equal(parseRetryAfterMs(headers({ 'Retry-After': 'Wed, 01 Jan 2025 00:00:05 GMT' }), NOW), 5000);
    assert.equal(parseRetryAfterMs(headers({ 'Retry-After': 'soon' }), NOW), undefined);
    assert.equal(parseRetryAfterMs(headers({}), NOW), undefined);
  });

  it('maps 5xx to VaultUnavailable', () => {
    const e = mapped(restError(503, { headers: { 'Retry-After': '1' } }));
    assert.equal(e.code, 'VaultUnavailable');
    assert.equal(e.details.retryAfterMs, 1000);
    assert.equal(mapped(restError(500)).code, 'VaultUnavailable');
  });

  it('maps connection refused and TLS failures to VaultUnavailable naming the code', () => {
    const refused = mapped(restError(undefined, { code: 'ECONNREFUSED' }));
    assert.equal(refused.code, 'VaultUnavailable');
    assert.match(refused.message, /unreachable \(ECONNREFUSED\)/);
    const tls = mapped(restError(undefined, { code: 'SELF_SIGNED_CERT_IN_CHAIN' }));
    assert.equal(tls.code, 'VaultUnavailable');
    assert.match(tls.message, /caBundle/);
  });

  it('maps an aborted or timed-out request to VaultUnavailable', () => {
    const e = new Error(CANARY);
    e.name = 'AbortError';
    assert.equal(mapped(e).code, 'VaultUnavailable');
  });

  it('maps token endpoint refusals to StoreAuthFailed with the OAuth error code only', () => {
    const e = mapped(authError(401, 'invalid_client'));
    assert.equal(e.code, 'StoreAuthFailed');
    assert.equal(e.details.remoteCode, 'invalid_client');
    assert.match(e.message, /invalid_client/);
  });

  it('finds the cause under an AuthenticationRequiredError wrapper', () => {
    const inner = new Error(CANARY) as Error & Record<string, unknown>;
    inner.name = 'ServerError';
    inner['errorCode'] = 'invalid_client';
    const outer = new Error(CANARY, { cause: inner });
    outer.name = 'AuthenticationRequiredError';
    const e = mapped(outer);
    assert.equal(e.code, 'StoreAuthFailed');
    assert.equal(e.details.remoteCode, 'invalid_client');
  });

  it('reports an unreachable authority as VaultUnavailable, not as bad credentials', () => {
    const inner = restError(undefined, { code: 'ECONNREFUSED' });
    const outer = new Error(CANARY, { cause: inner });
    outer.name = 'AuthenticationRequiredError';
    const e = mapped(outer);
    assert.equal(e.code, 'VaultUnavailable');
    assert.match(e.message, /authority host/);
  });

  it('reports an authority whose OpenID configuration cannot be fetched as VaultUnavailable', () => {
    const e = new Error(`endpoints_resolution_error: Could not resolve endpoints. ${CANARY}`);
    e.name = 'CredentialUnavailableError';
    const mappedError = mapped(e);
    assert.equal(mappedError.code, 'VaultUnavailable');
    assert.equal(mappedError.details.remoteCode, 'endpoints_resolution_error');
  });

  it('passes a ProjectorError through, also from inside a cause chain', () => {
    const ours = new ProjectorError('CredentialNotFound', 'secret "sp" has no key "client-secret"');
    assert.equal(toProjectorError(ours, ctx), ours);
    const wrapped = new Error('wrapped', { cause: ours });
    wrapped.name = 'AuthenticationError';
    assert.equal(toProjectorError(wrapped, ctx), ours);
  });

  it('ignores codes that do not look like codes', () => {
    const e = mapped(restError(404, { code: `has spaces ${CANARY}` }));
    assert.equal(e.details.remoteCode, undefined);
  });

  it('maps anything unknown to Internal without its message', () => {
    const e = mapped(new TypeError(CANARY));
    assert.equal(e.code, 'Internal');
    assert.match(e.message, /TypeError/);
  });
});
