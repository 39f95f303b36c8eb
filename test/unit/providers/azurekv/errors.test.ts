import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRetryAfterMs, toProjectorError } from '../../../../src/providers/azurekv/errors.ts';
import { ProjectorError } from '../../../../src/core/errors.ts';
import { MAX_RETRY_AFTER_MS } from '../../../../src/core/limits.ts';

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

  // Each Key Vault answer gets one code, one cause and a message naming the real cause and what to
  // do; the codes are those Key Vault puts in its error bodies (REST reference, common error codes).
  const ANSWERS: { what: string; status: number; code?: string; inner?: string; ctx?: Partial<typeof ctx> & { version?: string; valueBytes?: number }; want: [string, string, RegExp] }[] = [
    { what: '400 BadParameter for a name outside the rule', status: 400, code: 'BadParameter', ctx: { secretName: 'DB_PASSWORD' },
      want: ['InvalidSpec', 'invalid-name', /refused the secret name \(400 BadParameter\): "DB_PASSWORD" cannot be a Key Vault secret name: .*0-9, a-z, A-Z and "-".*"DB-PASSWORD".*fix remoteRef\.key/] },
    { what: '400 BadParameter for a valid name', status: 400, code: 'BadParameter',
      want: ['InvalidSpec', 'bad-request', /^secret "netbox-db" in vault \S+ was refused as malformed \(400 BadParameter\)/] },
    { what: '400 BadParameter for a value over 25 KB', status: 400, code: 'BadParameter', ctx: { valueBytes: 30_000 },
      want: ['InvalidSpec', 'bad-request', /^secret "netbox-db" in vault \S+ was refused \(400 BadParameter\): the value is 30000 bytes and Key Vault holds at most 25600 bytes \(25 KB\) per secret value$/] },
    { what: '401 Unauthorized', status: 401, code: 'Unauthorized',
      want: ['StoreAuthFailed', 'unauthorized', /refused the store's access token while reading secret "netbox-db" \(401 Unauthorized\); check .*tenantId/] },
    { what: '403 SecretDisabled', status: 403, code: 'Forbidden', inner: 'SecretDisabled',
      want: ['VaultForbidden', 'disabled', /^secret "netbox-db" in vault https:\/\/v\.example\/ is disabled \(403 Forbidden\/SecretDisabled\); enable it/] },
    { what: '403 SecretDisabled on a pinned version', status: 403, code: 'Forbidden', inner: 'SecretDisabled', ctx: { version: 'abc123' },
      want: ['VaultForbidden', 'disabled', /^secret "netbox-db" version "abc123" in vault .* is disabled \(403 Forbidden\/SecretDisabled\); enable that version in the vault, or fix remoteRef\.version \(remove it to read the latest\)$/] },
    { what: '403 SecretExpired', status: 403, code: 'Forbidden', inner: 'SecretExpired',
      want: ['VaultForbidden', 'expired', /secret "netbox-db" .* has expired .*\(403 Forbidden\/SecretExpired\); set a new version or a later expiry date/] },
    { what: '403 SecretNotYetValid', status: 403, code: 'Forbidden', inner: 'SecretNotYetValid',
      want: ['VaultForbidden', 'not-yet-valid', /is not valid yet .*activation date/] },
    { what: '403 ForbiddenByPolicy', status: 403, code: 'Forbidden', inner: 'ForbiddenByPolicy',
      want: ['VaultForbidden', 'forbidden', /the store's identity may not read secret "netbox-db" .*\(403 Forbidden\/ForbiddenByPolicy\); grant it get on secrets/] },
    { what: '403 ForbiddenByPolicy on a list (dataFrom.find, the store check)', status: 403, code: 'Forbidden', inner: 'ForbiddenByPolicy', ctx: { secretName: undefined },
      want: ['VaultForbidden', 'forbidden', /^the store's identity may not list the secrets of vault https:\/\/v\.example\/ \(403 Forbidden\/ForbiddenByPolicy\); grant it list on secrets .*assigned on the vault/] },
    { what: '403 ForbiddenByFirewall (the vault\'s network rules, before any permission)', status: 403, code: 'Forbidden', inner: 'ForbiddenByFirewall',
      want: ['VaultForbidden', 'forbidden', /^vault https:\/\/v\.example\/ refused the operator's network address \(403 Forbidden\/ForbiddenByFirewall\); allow it in the vault's firewall/] },
    { what: '404 SecretNotFound', status: 404, code: 'SecretNotFound',
      want: ['VaultNotFound', 'not-found', /secret "netbox-db" in vault .* does not exist \(404 SecretNotFound\); create it or fix remoteRef\.key .*recovered/] },
    { what: '404 for a pinned version', status: 404, code: 'SecretNotFound', ctx: { version: '0123abcd' },
      want: ['VaultNotFound', 'version-not-found', /secret "netbox-db" version "0123abcd" in vault .* does not exist .*fix remoteRef\.version/] },
    { what: '409 ObjectIsDeletedButRecoverable', status: 409, code: 'Conflict', inner: 'ObjectIsDeletedButRecoverable',
      want: ['VaultForbidden', 'deleted-recoverable', /is deleted but recoverable .*recover it or purge it/] },
    { what: '429 Throttled', status: 429, code: 'Throttled',
      want: ['VaultThrottled', 'throttled', /is throttling requests \(429 Throttled\) while reading secret "netbox-db"/] },
    { what: '503', status: 503, code: 'ServiceUnavailable',
      want: ['VaultUnavailable', 'unavailable', /answered 503 ServiceUnavailable while reading secret "netbox-db": Key Vault is unavailable/] },
    { what: '500 without a code', status: 500, want: ['VaultUnavailable', 'unavailable', /answered 500 while reading/] },
  ];

  for (const a of ANSWERS) {
    it(`maps ${a.what} to ${a.want[0]} (${a.want[1]}) with a message naming the cause`, () => {
      const err = restError(a.status, { ...(a.code && { code: a.code }), ...(a.inner && { innerCode: a.inner }) });
      const e = toProjectorError(err, { ...ctx, ...a.ctx }, NOW);
      assert.ok(!e.message.includes(CANARY) && !JSON.stringify(e.details).includes(CANARY), e.message);
      assert.deepEqual([e.code, e.details.cause, e.details.httpStatus], [a.want[0], a.want[1], a.status]);
      assert.match(e.message, a.want[2]);
      assert.equal(e.details.remoteCode, a.inner ?? a.code);
    });
  }

  it('reads the inner code from a raw AKV body (innererror) as from the SDK (innerError)', () => {
    const raw = restError(403, { code: 'Forbidden' });
    raw['details'] = { error: { code: 'Forbidden', message: CANARY, innererror: { code: 'SecretDisabled' } } };
    assert.equal(mapped(raw).details.cause, 'disabled');
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

  it('reports MSAL network_error (IMDS or authority did not answer) as unreachable, not as bad credentials', () => {
    const inner = new Error(`network_error: See https://aka.ms/msal.js.errors#network_error ${CANARY}`) as Error & Record<string, unknown>;
    inner.name = 'ClientAuthError';
    inner['errorCode'] = 'network_error';
    const outer = new Error(`ManagedIdentityCredential: Network unreachable. Message: network_error ${CANARY}`, { cause: inner });
    outer.name = 'CredentialUnavailableError';
    const e = mapped(outer);
    assert.equal(e.code, 'VaultUnavailable');
    assert.equal(e.details.cause, 'unavailable');
    assert.match(e.message, /managed identity endpoint .* is unreachable \(network_error\)/);
    assert.ok(!e.message.includes(CANARY));
  });

  it('maps a 409 other than ObjectIsDeletedButRecoverable to a transient VaultUnavailable, never InvalidSpec', () => {
    const e = mapped(restError(409, { code: 'Conflict' }));
    assert.equal(e.code, 'VaultUnavailable');
    assert.equal(e.details.cause, 'unavailable');
    assert.match(e.message, /answered 409 Conflict for secret "netbox-db" .*another operation on it is in progress/);
  });

  it("names the caller's own field or flag for the secret and version (the CLI's --name, --version), remoteRef.* by default", () => {
    const cli = { nameField: '--name', versionField: '--version' };
    const cases: [number, string, string | undefined, Record<string, string>, RegExp][] = [
      [404, 'SecretNotFound', undefined, {}, /; create it or fix --name \(a secret deleted/],
      [404, 'SecretNotFound', undefined, { version: '0123abcd' }, /fix --version or remove it/],
      [400, 'BadParameter', undefined, { secretName: 'bad_name' }, /"bad_name" cannot be a Key Vault secret name: .*; fix --name$/],
      [400, 'BadParameter', undefined, { version: 'v1' }, /a Key Vault version is 32 hexadecimal characters; fix --version$/],
      [400, 'BadParameter', undefined, {}, /as malformed \(400 BadParameter\); check --name and --version$/],
      [403, 'Forbidden', 'SecretDisabled', {}, /point --name at an enabled secret$/],
      [403, 'Forbidden', 'SecretDisabled', { version: '0123abcd' }, /enable that version in the vault, or fix --version \(remove it/],
    ];
    for (const [status, code, inner, extra, want] of cases) {
      const err = () => restError(status, { code, ...(inner && { innerCode: inner }) });
      const e = toProjectorError(err(), { ...ctx, ...extra, ...cli }, NOW);
      assert.match(e.message, want);
      assert.doesNotMatch(e.message, /remoteRef/);
      // Without them, the ExternalSecret's fields, as the operator, check and dev say.
      assert.match(toProjectorError(err(), { ...ctx, ...extra }, NOW).message, /remoteRef\.(key|version)/);
    }
  });

  it('says a 400 on a version that is not 32 hex characters is about the version', () => {
    const e = toProjectorError(restError(400, { code: 'BadParameter' }), { ...ctx, version: 'v1' }, NOW);
    assert.equal(e.code, 'InvalidSpec');
    assert.match(e.message, /refused version "v1" of secret "netbox-db" \(400 BadParameter\): a Key Vault version is 32 hexadecimal characters/);
  });

  describe('a 400 for an api-version the server does not serve', () => {
    // Key Vault's own answer (and the local vault's, src/vault/app.ts assertApiVersion).
    const refusal = (message: string, url = 'https://v.example/secrets/netbox-db/?api%2Dversion=2026-04-01') => {
      const e = restError(400, { code: 'BadParameter' });
      e['details'] = { error: { code: 'BadParameter', message } };
      e['request'] = { url };
      return e;
    };

    it('names the version sent (from the request, not the answer) and the store annotation', () => {
      const e = toProjectorError(refusal(`The specified version (2026-04-01) is not recognized. Consider using the latest supported version (7.0). ${CANARY}`), ctx, NOW);
      assert.equal(e.code, 'InvalidSpec');
      assert.equal(
        e.message,
        'vault https://v.example/ does not serve Key Vault REST api-version 2026-04-01 (400 BadParameter): an older Key Vault-compatible server (Azure Stack Hub, an emulator) needs an older one; set the store annotation projector.io/azurekv-api-version to a version the server supports (e.g. "7.0")',
      );
      assert.ok(!e.message.includes(CANARY));
    });

    it("names the caller's own fix when given (the CLI's --api-version), and a missing version", () => {
      const e = toProjectorError(refusal('The api-version query parameter is missing.', 'https://v.example/secrets'), { vaultUrl: 'https://v.example/', apiVersionFix: 'pass --api-version' }, NOW);
      assert.match(e.message, /does not serve Key Vault REST api-version \(none\) \(400 BadParameter\): .*; pass --api-version$/);
    });

    it("hedges when the SDK's pager kept no answer text, and leaves other 400s alone", () => {
      const pager = restError(400, { code: 'BadParameter' });
      pager.message = 'Pagination failed with unexpected statusCode 400';
      pager['request'] = { url: 'https://v.example/secrets?api%2Dversion=2026-04-01' };
      const listed = toProjectorError(pager, { vaultUrl: 'https://v.example/' }, NOW);
      assert.match(listed.message, /refused the request for vault https:\/\/v\.example\/ \(400 BadParameter\) without saying why; a Key Vault-compatible server that does not serve api-version 2026-04-01 .*answers so: set the store annotation projector\.io\/azurekv-api-version/);
      // Another BadParameter (say, a bad maxresults) is not taken for an api-version problem.
      const other = toProjectorError(refusal('The parameter maxresults is out of range.'), ctx, NOW);
      assert.match(other.message, /as malformed \(400 BadParameter\)/);
      // An invalid secret name explains a silent 400 better than the api-version does.
      pager['request'] = { url: 'https://v.example/secrets/DB_PASSWORD?api%2Dversion=2026-04-01' };
      assert.match(toProjectorError(pager, { vaultUrl: 'https://v.example/', secretName: 'DB_PASSWORD' }, NOW).message, /refused the secret name/);
    });
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
    const e = mapped(new RangeError(CANARY));
    assert.equal(e.code, 'Internal');
    assert.match(e.message, /RangeError/);
  });

  it('maps a 200 whose body the SDK could not read to a transient VaultUnavailable (bad-response), never InvalidSpec', () => {
    for (const err of [restError(200, { code: 'PARSE_ERROR' }), restError(200), restError(204)]) {
      const e = mapped(err);
      assert.equal(e.code, 'VaultUnavailable');
      assert.equal(e.retry, 'backoff');
      assert.equal(e.details.cause, 'bad-response');
      assert.match(e.message, /not a Key Vault response while reading secret "netbox-db"/);
    }
    // The SDK's model conversion on a body of the wrong shape throws TypeError / SyntaxError.
    for (const err of [new TypeError(CANARY), new SyntaxError(CANARY)]) {
      const e = mapped(err);
      assert.equal(e.code, 'VaultUnavailable');
      assert.equal(e.details.cause, 'bad-response');
    }
  });

  it('caps a huge Retry-After at MAX_RETRY_AFTER_MS', () => {
    assert.equal(parseRetryAfterMs(headers({ 'Retry-After': '99999999' }), NOW), MAX_RETRY_AFTER_MS);
    assert.equal(parseRetryAfterMs(headers({ 'Retry-After': String(MAX_RETRY_AFTER_MS / 1000) }), NOW), MAX_RETRY_AFTER_MS);
    assert.equal(parseRetryAfterMs(headers({ 'Retry-After': String(MAX_RETRY_AFTER_MS / 1000 - 1) }), NOW), MAX_RETRY_AFTER_MS - 1000);
    assert.equal(parseRetryAfterMs(headers({ 'Retry-After': 'Fri, 01 Jan 2100 00:00:00 GMT' }), NOW), MAX_RETRY_AFTER_MS);
    assert.equal(parseRetryAfterMs(headers({ 'retry-after-ms': '1e12' }), NOW), MAX_RETRY_AFTER_MS);
    assert.equal(parseRetryAfterMs(headers({ 'Retry-After': '0' }), NOW), 0);
  });
});
