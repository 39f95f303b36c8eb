// The edge where Azure SDK errors become ProjectorError.
//
// Only names, HTTP statuses and short machine codes cross this line. The SDK's `message` fields
// are never read into ours: RestError messages can carry response bodies, and AuthenticationError
// messages quote the token endpoint's reply. Codes are accepted only when they look like codes.
import { ProjectorError, isProjectorError } from '../../core/errors.ts';

/** What the failing call was about, for the message. */
export interface CallContext {
  vaultUrl: string;
  /** The secret name, when the call was about one secret. */
  secretName?: string | undefined;
}

/** A response header reader, as the SDK's HttpHeaders has. */
export interface HeaderReader {
  get(name: string): string | undefined;
}

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  errorCode?: unknown;
  statusCode?: unknown;
  status?: unknown;
  cause?: unknown;
  response?: { status?: unknown; headers?: HeaderReader };
  errorResponse?: { error?: unknown };
  details?: unknown;
  errors?: unknown;
}

const SAFE_CODE = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH',
  'ENETUNREACH', 'EPIPE', 'ENOENT', 'REQUEST_SEND_ERROR', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET',
]);

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_NOT_YET_VALID',
  'ERR_SSL_WRONG_VERSION_NUMBER', 'EPROTO',
]);

/** Names of the SDK's credential errors: a failure to get a token, not a vault answer. */
const AUTH_ERROR_NAMES = new Set([
  'AuthenticationError', 'AuthenticationRequiredError', 'CredentialUnavailableError', 'AggregateAuthenticationError',
  'ClientAuthError', 'ServerError', 'AuthError', 'ClientConfigurationError',
]);

function safeCode(v: unknown): string | undefined {
  return typeof v === 'string' && SAFE_CODE.test(v) ? v : undefined;
}

function asErrorLike(e: unknown): ErrorLike | undefined {
  return e && typeof e === 'object' ? (e as ErrorLike) : undefined;
}

/** The error and its causes, outermost first (bounded: cause chains can be cyclic). */
function causeChain(err: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  let current = asErrorLike(err);
  while (current && chain.length < 8 && !chain.includes(current)) {
    chain.push(current);
    current = asErrorLike(current.cause);
  }
  return chain;
}

function statusOf(e: ErrorLike): number | undefined {
  for (const v of [e.statusCode, e.status, e.response?.status]) {
    if (typeof v === 'number' && v > 0) return v;
  }
  return undefined;
}

/** The AKV error code (`SecretNotFound`, `Forbidden`, inner `SecretDisabled` wins when present). */
function vaultErrorCode(e: ErrorLike): string | undefined {
  // The SDK deserialises the body's `innererror` as `innerError`; raw bodies keep the wire name.
  const details = asErrorLike(e.details) as { error?: { code?: unknown; innerError?: { code?: unknown }; innererror?: { code?: unknown } } } | undefined;
  const inner = details?.error?.innerError ?? details?.error?.innererror;
  return safeCode(inner?.code) ?? safeCode(details?.error?.code) ?? safeCode(e.code);
}

/**
 * Milliseconds to wait from `retry-after-ms`, `x-ms-retry-after-ms` or `Retry-After` (seconds or an
 * HTTP date), in the SDK's order of preference. Undefined when none is usable.
 */
export function parseRetryAfterMs(headers: HeaderReader | undefined, nowMs: number): number | undefined {
  if (!headers) return undefined;
  for (const [name, factor] of [['retry-after-ms', 1], ['x-ms-retry-after-ms', 1], ['retry-after', 1000]] as const) {
    const raw = headers.get(name);
    if (raw === undefined || raw.trim() === '') continue;
    const n = Number(raw);
    if (Number.isFinite(n) && n >= 0) return Math.round(n * factor);
    if (factor === 1000) {
      const at = Date.parse(raw);
      if (Number.isFinite(at)) return Math.max(0, at - nowMs);
    }
  }
  return undefined;
}

function describeTarget(ctx: CallContext): string {
  return ctx.secretName !== undefined ? `secret "${ctx.secretName}" in vault ${ctx.vaultUrl}` : `vault ${ctx.vaultUrl}`;
}

function fromHttpStatus(status: number, e: ErrorLike, ctx: CallContext, nowMs: number): ProjectorError {
  const remoteCode = vaultErrorCode(e);
  const codeText = remoteCode ? ` ${remoteCode}` : '';
  const details = { httpStatus: status, ...(remoteCode ? { remoteCode } : {}) };
  const retryAfterMs = parseRetryAfterMs(e.response?.headers, nowMs);
  const target = describeTarget(ctx);
  if (status === 404) return new ProjectorError('VaultNotFound', `${target} does not exist (404${codeText})`, details);
  if (status === 401 || status === 403) {
    return new ProjectorError('VaultForbidden', `the store's identity may not read ${target} (${status}${codeText})`, details);
  }
  if (status === 429) {
    const wait = retryAfterMs !== undefined ? `; retry after ${retryAfterMs} ms` : '';
    return new ProjectorError('VaultThrottled', `vault ${ctx.vaultUrl} is throttling reads (429${codeText})${wait}`, {
      ...details,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
  if (status >= 500 || status === 408) {
    return new ProjectorError('VaultUnavailable', `vault ${ctx.vaultUrl} answered ${status}${codeText}`, {
      ...details,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
  return new ProjectorError('InvalidSpec', `vault ${ctx.vaultUrl} rejected the request for ${target} (${status}${codeText})`, details);
}

function networkCodeIn(chain: ErrorLike[]): string | undefined {
  for (const e of chain) {
    const code = safeCode(e.code);
    if (code && (NETWORK_CODES.has(code) || TLS_CODES.has(code))) return code;
  }
  return undefined;
}

function fromNetworkCode(code: string, ctx: CallContext, authority: boolean): ProjectorError {
  const where = authority ? `the authority host for vault ${ctx.vaultUrl}` : `vault ${ctx.vaultUrl}`;
  if (TLS_CODES.has(code)) {
    return new ProjectorError('VaultUnavailable', `TLS verification of ${where} failed (${code}); check caBundle/caProvider`, { remoteCode: code });
  }
  return new ProjectorError('VaultUnavailable', `${where} is unreachable (${code})`, { remoteCode: code });
}

function oauthCodeIn(chain: ErrorLike[]): string | undefined {
  for (const e of chain) {
    const code = safeCode(e.errorResponse?.error) ?? safeCode(e.errorCode);
    if (code) return code;
  }
  return undefined;
}

/**
 * MSAL reports an authority it could not fetch the OpenID configuration from as
 * `endpoints_resolution_error`, and @azure/identity rethrows it as a bare CredentialUnavailableError
 * without the network cause: recognised by message, never echoed.
 */
function isUnresolvableAuthority(err: unknown): boolean {
  const message = err instanceof Error ? err.message : '';
  return /endpoints_resolution_error|endpoints could not be resolved|could not resolve endpoints/i.test(message);
}

function fromAuthFailure(chain: ErrorLike[], ctx: CallContext): ProjectorError {
  const network = networkCodeIn(chain);
  if (network) return fromNetworkCode(network, ctx, true);
  if (chain.some(isUnresolvableAuthority)) {
    return new ProjectorError(
      'VaultUnavailable',
      `the authority host for vault ${ctx.vaultUrl} is unreachable or serves no OpenID configuration (endpoints_resolution_error); check customCloudConfig.activeDirectoryEndpoint and its CA`,
      { remoteCode: 'endpoints_resolution_error' },
    );
  }
  const oauthCode = oauthCodeIn(chain);
  const status = chain.map(statusOf).find((s) => s !== undefined);
  const what = [oauthCode, status].filter((x) => x !== undefined).join(', ');
  const name = safeCode(chain[0]?.name) ?? 'Error';
  return new ProjectorError(
    'StoreAuthFailed',
    `could not get a token for vault ${ctx.vaultUrl}: ${name}${what ? ` (${what})` : ''}; check tenantId, clientId and the credential`,
    { ...(status !== undefined ? { httpStatus: status } : {}), ...(oauthCode ? { remoteCode: oauthCode } : {}) },
  );
}

function isAbort(chain: ErrorLike[]): boolean {
  return chain.some((e) => e.name === 'AbortError');
}

function isTenantMismatch(err: unknown): boolean {
  // Classified by message but never echoed: the SDK refuses a challenge naming another tenant.
  const message = err instanceof Error ? err.message : '';
  return /tenant/i.test(message) && /additionallyAllowedTenants|not allowed|does not match/i.test(message);
}

/**
 * Converts anything the Azure SDK throws into a ProjectorError (a ProjectorError passes through).
 * 404 → VaultNotFound; 401/403 → VaultForbidden; 429 → VaultThrottled(+retryAfterMs); 5xx, 408,
 * network, TLS and timeouts → VaultUnavailable; token acquisition failures → StoreAuthFailed.
 */
export function toProjectorError(err: unknown, ctx: CallContext, nowMs: number = Date.now()): ProjectorError {
  if (isProjectorError(err)) return err;
  const chain = causeChain(err);
  const ours = chain.find((e): e is ErrorLike & ProjectorError => isProjectorError(e));
  if (ours) return ours;
  const outer = chain[0];
  if (!outer) return new ProjectorError('Internal', `unexpected non-error thrown while calling vault ${ctx.vaultUrl}`);
  if (chain.some((e) => typeof e.name === 'string' && AUTH_ERROR_NAMES.has(e.name))) return fromAuthFailure(chain, ctx);
  if (isTenantMismatch(err)) {
    return new ProjectorError('StoreAuthFailed', `vault ${ctx.vaultUrl} belongs to another tenant than the store's tenantId`, { remoteCode: 'TenantMismatch' });
  }
  if (isAbort(chain)) return new ProjectorError('VaultUnavailable', `request to vault ${ctx.vaultUrl} timed out or was cancelled`, { remoteCode: 'Aborted' });
  const status = statusOf(outer);
  if (status !== undefined) return fromHttpStatus(status, outer, ctx, nowMs);
  const network = networkCodeIn(chain);
  if (network) return fromNetworkCode(network, ctx, false);
  const name = safeCode(outer.name) ?? 'Error';
  return new ProjectorError('Internal', `unexpected ${name} while calling vault ${ctx.vaultUrl}`);
}
