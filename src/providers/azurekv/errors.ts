// The edge where Azure SDK errors become ProjectorError.
//
// Only names, HTTP statuses and short machine codes cross this line. The SDK's `message` fields
// are never read into ours: RestError messages can carry response bodies, and AuthenticationError
// messages quote the token endpoint's reply. Codes are accepted only when they look like codes.
import { ProjectorError, isProjectorError, type ErrorCode, type ErrorDetails, type VaultCause } from '../../core/errors.ts';
import { clampRetryAfterMs } from '../../core/limits.ts';
import { objectNameProblem, type ObjectType } from './object-ref.ts';

/** What the failing call was about, for the message. */
export interface CallContext {
  vaultUrl: string;
  /** The secret name, when the call was about one secret. */
  secretName?: string | undefined;
  /** The version asked for, when one was pinned. */
  version?: string | undefined;
  /** Which API the call went to (`cert/`, `key/` refs); default secret. */
  objectType?: ObjectType | undefined;
  /**
   * How the caller sets the Key Vault REST api-version, named when the vault refuses the one sent
   * (default: the store annotation, for the operator, `check` and `dev`; `--api-version` for the CLI).
   */
  apiVersionFix?: string | undefined;
  /**
   * The field or flag that names the secret, in "fix …" hints (default `remoteRef.key`, the
   * ExternalSecret's field, for the operator, `check` and `dev`; `--name` for `vault secret`).
   */
  nameField?: string | undefined;
  /** The field or flag that pins the version, likewise (default `remoteRef.version`; `--version` for the CLI). */
  versionField?: string | undefined;
  /** A write's value size in UTF-8 bytes: a 400 for a value over Key Vault's limit says so. */
  valueBytes?: number | undefined;
}

/** Key Vault's limit on a secret value: 25 KB of UTF-8 (Azure Key Vault service limits; src/vault/state.ts MAX_VALUE_BYTES). */
const KV_MAX_VALUE_BYTES = 25 * 1024;

const nameField = (ctx: CallContext): string => ctx.nameField ?? 'remoteRef.key';
const versionField = (ctx: CallContext): string => ctx.versionField ?? 'remoteRef.version';

/** "secret", "certificate" or "key", for messages. */
function noun(ctx: CallContext): string {
  return ctx.objectType === 'cert' ? 'certificate' : ctx.objectType ?? 'secret';
}

/**
 * The permission a read of this object type needs, in Key Vault's two models: an access policy's
 * `<type>/get`, or the data-plane role that includes it (learn.microsoft.com, "Azure built-in roles
 * for Key Vault data plane operations").
 */
function readPermission(ctx: CallContext): string {
  if (ctx.objectType === 'cert') return 'certificates/get (an access policy with Get on certificates, or the Key Vault Certificate User role); secrets/get does not cover certificates';
  if (ctx.objectType === 'key') return 'keys/get (an access policy with Get on keys, or the Key Vault Crypto User role); secrets/get does not cover keys';
  return 'get on secrets (an access policy, or the Key Vault Secrets User role)';
}

/** The advice for a store: the annotation providers/azurekv/api-version.ts reads. */
export const STORE_API_VERSION_FIX = 'set the store annotation projector.io/azurekv-api-version to a version the server supports (e.g. "7.0")';

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
  response?: { status?: unknown; headers?: HeaderReader; bodyAsText?: unknown };
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

/**
 * 403 inner codes of Key Vault's network rules (its firewall; public access disabled, reached
 * outside a private endpoint), as opposed to the identity's permissions (ForbiddenByPolicy,
 * ForbiddenByRbac, AccessDenied).
 */
const NETWORK_REFUSALS: ReadonlySet<string> = new Set(['ForbiddenByFirewall', 'ForbiddenByConnection']);

/** A mapped 403 that came from the vault's network rules (NETWORK_REFUSALS), not from a permission. */
export function isNetworkRefusal(e: unknown): boolean {
  return e instanceof ProjectorError && e.details.cause === 'forbidden' && NETWORK_REFUSALS.has(e.details.remoteCode ?? '');
}

/** A mapped 403 for want of a permission: the vault accepted the identity and refused the operation. */
export function isPermissionRefusal(e: unknown): e is ProjectorError {
  return e instanceof ProjectorError && e.details.cause === 'forbidden' && !isNetworkRefusal(e);
}

/** The body's top-level code (`SecretNotFound`, `Forbidden`, `BadParameter`), else the error's own code. */
function outerCode(e: ErrorLike): string | undefined {
  const details = (asErrorLike(e.details) ?? bodyOf(e)) as { error?: { code?: unknown } } | undefined;
  return safeCode(details?.error?.code) ?? safeCode(e.code);
}

/** The body's inner code (`SecretDisabled`, `ForbiddenByPolicy`, `ObjectIsDeletedButRecoverable`). */
function innerCode(e: ErrorLike): string | undefined {
  // The SDK deserialises the body's `innererror` as `innerError`; raw bodies keep the wire name.
  const details = (asErrorLike(e.details) ?? bodyOf(e)) as { error?: { innerError?: { code?: unknown }; innererror?: { code?: unknown } } } | undefined;
  const inner = details?.error?.innerError ?? details?.error?.innererror;
  return safeCode(inner?.code);
}

/**
 * The error body, for the paged list calls, whose RestError carries no deserialised `details`.
 * Only codes are read from it (safeCode), never text; a body too large for an error is ignored.
 */
function bodyOf(e: ErrorLike): unknown {
  const text = e.response?.bodyAsText;
  if (typeof text !== 'string' || text.length > 16_384) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Milliseconds to wait from `retry-after-ms`, `x-ms-retry-after-ms` or `Retry-After` (seconds or an
 * HTTP date), in the SDK's order of preference, capped at MAX_RETRY_AFTER_MS (core/limits.ts): a
 * header asking for hours must not stop a vault's reads for hours. Undefined when none is usable.
 */
export function parseRetryAfterMs(headers: HeaderReader | undefined, nowMs: number): number | undefined {
  if (!headers) return undefined;
  for (const [name, factor] of [['retry-after-ms', 1], ['x-ms-retry-after-ms', 1], ['retry-after', 1000]] as const) {
    const raw = headers.get(name);
    if (raw === undefined || raw.trim() === '') continue;
    const n = Number(raw);
    if (Number.isFinite(n) && n >= 0) return clampRetryAfterMs(n * factor);
    if (factor === 1000) {
      const at = Date.parse(raw);
      if (Number.isFinite(at)) return clampRetryAfterMs(at - nowMs);
    }
  }
  return undefined;
}

/** A Key Vault secret version id: 32 hex characters (the `{secret-version}` segment of a secret id). */
const KV_VERSION = /^[0-9a-fA-F]{32}$/;

function describeSecret(ctx: CallContext): string {
  if (ctx.secretName === undefined) return `vault ${ctx.vaultUrl}`;
  const version = ctx.version ? ` version "${ctx.version}"` : '';
  return `${noun(ctx)} "${ctx.secretName}"${version} in vault ${ctx.vaultUrl}`;
}

/** " while reading secret "x"" when the call was about one secret. */
function whileReading(ctx: CallContext): string {
  return ctx.secretName === undefined ? '' : ` while reading ${noun(ctx)} "${ctx.secretName}"${ctx.version ? ` version "${ctx.version}"` : ''}`;
}

/**
 * One Key Vault answer → one ProjectorError whose message names the real cause and what to do
 * (Key Vault REST reference, "Get Secret" responses and the common error codes):
 *
 * | answer                                   | code             | cause               |
 * |------------------------------------------|------------------|---------------------|
 * | 400 BadParameter, name outside the rule  | InvalidSpec      | invalid-name        |
 * | 400 other                                | InvalidSpec      | bad-request         |
 * | 401                                      | StoreAuthFailed  | unauthorized        |
 * | 403 + inner SecretDisabled               | VaultForbidden   | disabled            |
 * | 403 + inner SecretExpired                | VaultForbidden   | expired             |
 * | 403 + inner SecretNotYetValid            | VaultForbidden   | not-yet-valid       |
 * | 403 + inner ForbiddenByFirewall/…Connection | VaultForbidden | forbidden (network) |
 * | 403 other (ForbiddenByPolicy, RBAC)      | VaultForbidden   | forbidden           |
 * | 404 with a pinned version                | VaultNotFound    | version-not-found   |
 * | 404                                      | VaultNotFound    | not-found           |
 * | 409 ObjectIsDeletedButRecoverable        | VaultForbidden   | deleted-recoverable |
 * | 409 other (Conflict: operation running)  | VaultUnavailable | unavailable         |
 * | 429                                      | VaultThrottled   | throttled           |
 * | 408, 5xx                                 | VaultUnavailable | unavailable         |
 * | 2xx the SDK could not read (PARSE_ERROR) | VaultUnavailable | bad-response        |
 *
 * Key Vault serves expired and not-yet-valid secrets (200; "About Azure Key Vault secrets",
 * date-time controlled operations); the 403 SecretExpired/SecretNotYetValid rows are for vaults
 * that enforce the window (the local vault's `enforceValidity`). A soft-deleted secret answers 404
 * on GET like a missing one (only a write of its name answers 409), hence the hint on 404.
 * VaultNotFound stays reserved for 404 (ESO's NoSecretError: deletionPolicy may act on it).
 */
function fromHttpStatus(status: number, e: ErrorLike, ctx: CallContext, nowMs: number): ProjectorError {
  const outer = outerCode(e);
  const inner = innerCode(e);
  const remoteCode = inner ?? outer;
  const codes = [outer, inner].filter((c, i, all) => c !== undefined && all.indexOf(c) === i).join('/');
  const answered = `${status}${codes ? ` ${codes}` : ''}`;
  const base = { httpStatus: status, ...(remoteCode ? { remoteCode } : {}) };
  const retryAfterMs = parseRetryAfterMs(e.response?.headers, nowMs);
  const target = describeSecret(ctx);
  const error = (code: ErrorCode, cause: VaultCause, message: string, extra: ErrorDetails = {}) =>
    new ProjectorError(code, message, { ...base, cause, ...extra });

  if (status >= 200 && status < 300) return badResponse(ctx, answered, base);
  if (status === 400) {
    const refused = refusedApiVersion(e, ctx);
    if (refused !== undefined) {
      // The vault's answer is Azure's own (BadParameter, "The specified version (X) is not
      // recognized..."); what to change is ours to say.
      const sent = refused.version || '(none)';
      const fix = ctx.apiVersionFix ?? STORE_API_VERSION_FIX;
      return error(
        'InvalidSpec',
        'bad-request',
        refused.certain
          ? `vault ${ctx.vaultUrl} does not serve Key Vault REST api-version ${sent} (${answered}): an older Key Vault-compatible server (Azure Stack Hub, an emulator) needs an older one; ${fix}`
          : `vault ${ctx.vaultUrl} refused the request for ${target} (${answered}) without saying why; a Key Vault-compatible server that does not serve api-version ${sent} (Azure Stack Hub, an emulator) answers so: ${fix}`,
      );
    }
    const nameProblem = ctx.secretName !== undefined ? objectNameProblem(ctx.secretName, ctx.objectType) : undefined;
    if (nameProblem) {
      return error('InvalidSpec', 'invalid-name', `vault ${ctx.vaultUrl} refused the ${noun(ctx)} name (${answered}): ${nameProblem}; fix ${nameField(ctx)}`);
    }
    if (ctx.secretName !== undefined && ctx.version && !KV_VERSION.test(ctx.version)) {
      return error('InvalidSpec', 'bad-request', `vault ${ctx.vaultUrl} refused version "${ctx.version}" of ${noun(ctx)} "${ctx.secretName}" (${answered}): a Key Vault version is 32 hexadecimal characters; fix ${versionField(ctx)}`);
    }
    if (ctx.valueBytes !== undefined && ctx.valueBytes > KV_MAX_VALUE_BYTES) {
      return error('InvalidSpec', 'bad-request', `${target} was refused (${answered}): the value is ${ctx.valueBytes} bytes and Key Vault holds at most ${KV_MAX_VALUE_BYTES} bytes (25 KB) per secret value`);
    }
    return error('InvalidSpec', 'bad-request', `${target} was refused as malformed (${answered}); check ${nameField(ctx)} and ${versionField(ctx)}`);
  }
  if (status === 401) {
    return error('StoreAuthFailed', 'unauthorized', `vault ${ctx.vaultUrl} refused the store's access token${whileReading(ctx)} (${answered}); check that the store's tenantId is the vault's tenant and that its credential is current`);
  }
  if (status === 403) {
    if (inner === 'SecretDisabled' || inner === 'KeyDisabled' || inner === 'CertificateDisabled') {
      // Key Vault enables and disables each version: a pinned one may be off while the latest is on.
      const fix = ctx.version ? `enable that version in the vault, or fix ${versionField(ctx)} (remove it to read the latest)` : `enable it in the vault or point ${nameField(ctx)} at an enabled ${noun(ctx)}`;
      return error('VaultForbidden', 'disabled', `${target} is disabled (${answered}); ${fix}`);
    }
    if (inner === 'SecretExpired') {
      return error('VaultForbidden', 'expired', `${target} has expired and this vault refuses to serve it (${answered}); set a new version or a later expiry date`);
    }
    if (inner === 'SecretNotYetValid') {
      return error('VaultForbidden', 'not-yet-valid', `${target} is not valid yet (its activation date is in the future) and this vault refuses to serve it (${answered}); wait, or move its activation date`);
    }
    if (inner !== undefined && NETWORK_REFUSALS.has(inner)) {
      // The vault's network rules, checked before the identity's permissions: no grant helps.
      return error('VaultForbidden', 'forbidden', `vault ${ctx.vaultUrl} refused the operator's network address (${answered}); allow it in the vault's firewall (Networking), or reach the vault through its private endpoint`);
    }
    if (ctx.secretName === undefined) {
      // A list call (dataFrom.find, the store check): listing is its own permission in Key Vault.
      return error('VaultForbidden', 'forbidden', `the store's identity may not list the ${noun(ctx)}s of vault ${ctx.vaultUrl} (${answered}); grant it list on ${noun(ctx)}s (an access policy with List, or a Key Vault reader role assigned on the vault: one assigned on single ${noun(ctx)}s does not allow listing)`);
    }
    return error('VaultForbidden', 'forbidden', `the store's identity may not read ${target} (${answered}); grant it ${readPermission(ctx)}`);
  }
  if (status === 404) {
    if (ctx.secretName !== undefined && ctx.version) {
      return error('VaultNotFound', 'version-not-found', `${target} does not exist (${answered}): the ${noun(ctx)} has no such version, or does not exist; fix ${versionField(ctx)} or remove it to read the latest`);
    }
    if (ctx.secretName !== undefined) {
      return error('VaultNotFound', 'not-found', `${target} does not exist (${answered}); create it or fix ${nameField(ctx)} (a ${noun(ctx)} deleted less than the retention period ago can be recovered)`);
    }
    return error('VaultNotFound', 'not-found', `vault ${ctx.vaultUrl} answered ${answered}; check the store's vaultUrl`);
  }
  if (status === 409 && (inner === 'ObjectIsDeletedButRecoverable' || outer === 'ObjectIsDeletedButRecoverable')) {
    return error('VaultForbidden', 'deleted-recoverable', `${target} is deleted but recoverable (${answered}); recover it or purge it in the vault`);
  }
  if (status === 409) {
    // Key Vault's other 409s (Conflict: an operation on the same name is still running, e.g. a
    // delete or a recovery) pass: the spec is not at fault, so never InvalidSpec.
    return error('VaultUnavailable', 'unavailable', `vault ${ctx.vaultUrl} answered ${answered} for ${target}: another operation on it is in progress; retrying with backoff`);
  }
  if (status === 429) {
    const wait = retryAfterMs !== undefined ? `; reads to this vault pause for ${retryAfterMs} ms, then retry` : '; reads to this vault pause, then retry';
    return error('VaultThrottled', 'throttled', `vault ${ctx.vaultUrl} is throttling requests (${answered})${whileReading(ctx)}${wait}`, {
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
  if (status >= 500 || status === 408) {
    return error('VaultUnavailable', 'unavailable', `vault ${ctx.vaultUrl} answered ${answered}${whileReading(ctx)}: Key Vault is unavailable or overloaded; retrying with backoff`, {
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
  return error('InvalidSpec', 'bad-request', `vault ${ctx.vaultUrl} rejected the request for ${target} (${answered})`);
}

/**
 * Whether a 400 is about the api-version, and which one was sent ('' when none). `certain` when the
 * answer says so: Key Vault's BadParameter for it reads "The specified version (X) is not
 * recognized. Consider using the latest supported version (Y)." or "The api-version query parameter
 * is missing."; the text is only tested, never quoted. Not certain when the SDK kept no answer text
 * (its pager throws "Pagination failed with unexpected statusCode 400" without the body) and the
 * request was not about a name or version that explains the 400. The version is read from the
 * request URL the SDK sent (our own), not from the answer.
 */
function refusedApiVersion(e: ErrorLike, ctx: CallContext): { version: string; certain: boolean } | undefined {
  const details = asErrorLike(e.details) as { error?: { message?: unknown } } | undefined;
  const bodyText = typeof details?.error?.message === 'string' ? details.error.message : undefined;
  const message = typeof (e as { message?: unknown }).message === 'string' ? (e as { message: string }).message : '';
  const says = [bodyText, message].some((t) => t !== undefined && /specified version \([^)]*\) is not recognized|api-version query parameter is missing/i.test(t));
  const silent = bodyText === undefined && /^Pagination failed with unexpected statusCode 400/.test(message);
  if (!says && !silent) return undefined;
  if (!says && ctx.secretName !== undefined && (objectNameProblem(ctx.secretName) || (ctx.version && !KV_VERSION.test(ctx.version)))) return undefined;
  const url = (e as { request?: { url?: unknown } }).request?.url;
  let version = '';
  if (typeof url === 'string' && URL.canParse(url)) {
    for (const [k, v] of new URL(url).searchParams) if (k.toLowerCase() === 'api-version') version = v;
  }
  return { version, certain: says };
}

/**
 * A success status with a body that is not a Key Vault response: the SDK's deserializer throws a
 * RestError carrying the 2xx status (code PARSE_ERROR for text that is not JSON, no code for JSON of
 * the wrong shape), and its model conversion throws a TypeError or SyntaxError for a body that parsed
 * but lacks the fields it reads. A vault, a proxy or a cut connection mangled one answer: retried
 * with backoff like a 5xx, never InvalidSpec (the spec is not at fault). The body is never read into
 * the message: the SDK quotes it in its own, and it may hold the secret's value.
 */
function badResponse(ctx: CallContext, answered: string | undefined, base: ErrorDetails = {}): ProjectorError {
  const what = answered ? `answered ${answered} with a body` : 'sent a response';
  return new ProjectorError(
    'VaultUnavailable',
    `vault ${ctx.vaultUrl} ${what} that is not a Key Vault response${whileReading(ctx)} (cut short, not JSON or of the wrong shape; a proxy may have replaced it); retrying with backoff`,
    { remoteCode: 'BadResponse', ...base, cause: 'bad-response' },
  );
}

/** Errors the SDK's response handling throws on a body of the wrong shape (see badResponse). */
const RESPONSE_SHAPE_ERRORS = new Set(['TypeError', 'SyntaxError']);

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
    return new ProjectorError('VaultUnavailable', `TLS verification of ${where} failed (${code}): its certificate is not trusted; give the CA that signed it in caBundle/caProvider (projector check and vault secret: --ca-file)`, { remoteCode: code, cause: 'unavailable' });
  }
  return new ProjectorError('VaultUnavailable', `${where} is unreachable (${code})`, { remoteCode: code, cause: 'unavailable' });
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

/** MSAL's network_error, by message (its errorCode is not always set); never echoed. */
function isMsalNetworkError(e: ErrorLike): boolean {
  const message = (e as { message?: unknown }).message;
  return typeof message === 'string' && /(^|\W)network_error(\W|$)|Network unreachable/.test(message);
}

function isManagedIdentityError(e: ErrorLike): boolean {
  const message = (e as { message?: unknown }).message;
  return typeof message === 'string' && message.startsWith('ManagedIdentityCredential');
}

function fromAuthFailure(chain: ErrorLike[], ctx: CallContext): ProjectorError {
  const network = networkCodeIn(chain);
  if (network) return fromNetworkCode(network, ctx, true);
  if (chain.some(isUnresolvableAuthority)) {
    return new ProjectorError(
      'VaultUnavailable',
      `the authority host for vault ${ctx.vaultUrl} is unreachable or serves no OpenID configuration (endpoints_resolution_error); check customCloudConfig.activeDirectoryEndpoint and its CA`,
      { remoteCode: 'endpoints_resolution_error', cause: 'unavailable' },
    );
  }
  const oauthCode = oauthCodeIn(chain);
  const status = chain.map(statusOf).find((s) => s !== undefined);
  // MSAL's network_error: the token endpoint (an authority, or the managed identity endpoint, IMDS)
  // did not answer. Nothing was refused: unreachable, retried, never "forbidden".
  if (oauthCode === 'network_error' || chain.some(isMsalNetworkError)) {
    const managed = chain.some((e) => e.name === 'CredentialUnavailableError') && chain.some(isManagedIdentityError);
    const endpoint = managed ? 'the managed identity endpoint (IMDS, or AZURE_POD_IDENTITY_AUTHORITY_HOST / IDENTITY_ENDPOINT when set)' : 'the token authority';
    return new ProjectorError('VaultUnavailable', `could not get a token for vault ${ctx.vaultUrl}: ${endpoint} is unreachable (network_error)`, { remoteCode: 'network_error', cause: 'unavailable' });
  }
  const what = [oauthCode, status].filter((x) => x !== undefined).join(', ');
  const name = safeCode(chain[0]?.name) ?? 'Error';
  // Entra ID's AADSTS number says which check failed (unknown client, wrong secret, tenant); a code, safe to print.
  const aadsts = chain.map((e) => /\bAADSTS\d{4,8}\b/.exec(String((e as { message?: unknown }).message ?? ''))?.[0]).find((c) => c !== undefined);
  const codes = [what, aadsts].filter((x) => x).join(', ');
  const hint = aadsts ? AADSTS_HINTS[aadsts] : undefined;
  return new ProjectorError(
    'StoreAuthFailed',
    `could not get a token for vault ${ctx.vaultUrl}: ${name}${codes ? ` (${codes})` : ''}${hint ? `: ${hint}` : '; check tenantId, clientId and the credential'}`,
    { ...(status !== undefined ? { httpStatus: status } : {}), ...(oauthCode ? { remoteCode: oauthCode } : {}) },
  );
}

/**
 * What to do for the AADSTS codes users meet first (Entra ID's codes; the local vault's token endpoint
 * answers the same ones). Codes and fixed text only: nothing from the answer is echoed.
 */
const AADSTS_HINTS: Record<string, string> = {
  AADSTS700016: 'unknown client id in this tenant (clientId); with the local vault, register it with `projector vault serve --principals FILE` (a JSON array of {"clientId", "clientSecret"}) or use the development principal `vault serve` writes to <data-dir>/dev-principal.env',
  AADSTS7000215: 'wrong client secret for this client id (clientSecret)',
  AADSTS90002: 'unknown tenant (tenantId); with the local vault, use the Tenant ID `projector vault serve` prints',
};

function isAbort(chain: ErrorLike[]): boolean {
  return chain.some((e) => e.name === 'AbortError');
}

function isTenantMismatch(err: unknown): boolean {
  // Classified by message but never echoed: the SDK refuses a challenge naming another tenant.
  const message = err instanceof Error ? err.message : '';
  return /tenant/i.test(message) && /additionallyAllowedTenants|not allowed|does not match/i.test(message);
}

/**
 * Converts anything the Azure SDK (or the local vault's in-process admin API, whose VaultApiError
 * has RestError's shape) throws into a ProjectorError; a ProjectorError passes through. HTTP
 * answers: see fromHttpStatus. Network, TLS and timeouts → VaultUnavailable; token acquisition
 * failures → StoreAuthFailed; a 2xx body the SDK could not read (or its TypeError/SyntaxError on one)
 * → VaultUnavailable (cause bad-response); anything else → Internal, named but never quoted.
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
  if (typeof outer.name === 'string' && RESPONSE_SHAPE_ERRORS.has(outer.name)) return badResponse(ctx, undefined, { remoteCode: outer.name });
  const name = safeCode(outer.name) ?? 'Error';
  return new ProjectorError('Internal', `unexpected ${name} while calling vault ${ctx.vaultUrl}`);
}
