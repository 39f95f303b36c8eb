// Why a token authority could not be used. MSAL reports an authority whose OpenID configuration it
// could not fetch as `endpoints_resolution_error` and @azure/identity drops the cause, so one error
// covers three problems a user fixes in three different places: nothing answers at the URL (the
// authority host is wrong or down), the answer's certificate is not trusted (a CA is missing), or
// something answers but serves no OpenID metadata there (the URL is not an authority). The
// diagnosing credential asks the URL itself once, when that error happens, and says which.
//
// The metadata document is `{authority}/{tenant}/v2.0/.well-known/openid-configuration` (OpenID
// Connect Discovery 1.0 §4; the path MSAL requests for an AAD authority), which must be JSON with
// `token_endpoint`.
import type { SecureContext } from 'node:tls';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { ProjectorError } from '../../core/errors.ts';

/** What asking the metadata URL gave. Codes are Node's (libuv / OpenSSL verify codes). */
export type ProbeResult =
  | { kind: 'ok' }
  | { kind: 'network'; code: string }
  | { kind: 'tls'; code: string }
  | { kind: 'http'; status: number }
  | { kind: 'not-metadata' };

/** Where the user fixes each problem: store field names for the operator, flag names for the CLI. */
export interface AuthorityFix {
  /** e.g. `--authority-host` or `spec.provider.azurekv.customCloudConfig.activeDirectoryEndpoint`. */
  authority: string;
  /** e.g. `--ca-file` or `spec.provider.azurekv.caBundle/caProvider`. */
  ca: string;
}

export interface AuthorityContext {
  /** The authority's base URL, e.g. https://login.microsoftonline.com. */
  authorityHost: string;
  tenantId: string;
  /**
   * What the credential trusts (undefined: Node's defaults): a CA list (CLI) or the store's shared
   * SecureContext (providers/azurekv/trust.ts).
   */
  ca?: string[] | SecureContext | undefined;
  fix: AuthorityFix;
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID', 'ERR_SSL_WRONG_VERSION_NUMBER', 'EPROTO', 'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE',
]);

const SAFE_CODE = /^[A-Z][A-Z0-9_]{1,63}$/;

export function metadataUrl(authorityHost: string, tenantId: string): string {
  return `${authorityHost.replace(/\/+$/, '')}/${encodeURIComponent(tenantId)}/v2.0/.well-known/openid-configuration`;
}

/** GETs `url` once (5 s), reading at most 64 KiB; never throws. */
export function probeMetadata(url: string, ca: string[] | SecureContext | undefined, timeoutMs = 5_000): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      resolve({ kind: 'network', code: 'ERR_INVALID_URL' });
      return;
    }
    const request = u.protocol === 'http:' ? httpRequest : httpsRequest;
    const trust = ca === undefined || u.protocol !== 'https:' ? {} : Array.isArray(ca) ? { ca } : { secureContext: ca };
    const req = request(u, { method: 'GET', timeout: timeoutMs, ...trust }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= 65_536) chunks.push(c);
      });
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300) return resolve({ kind: 'http', status });
        try {
          const doc = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { token_endpoint?: unknown };
          resolve(typeof doc?.token_endpoint === 'string' ? { kind: 'ok' } : { kind: 'not-metadata' });
        } catch {
          resolve({ kind: 'not-metadata' });
        }
      });
      res.on('error', () => resolve({ kind: 'network', code: 'ECONNRESET' }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => {
      const code = typeof e.code === 'string' && SAFE_CODE.test(e.code) ? e.code : 'ECONNREFUSED';
      resolve(TLS_CODES.has(code) ? { kind: 'tls', code } : { kind: 'network', code });
    });
    req.end();
  });
}

/**
 * The ProjectorError for a probe's result (pure). Unreachable and untrusted are VaultUnavailable
 * (cause `unavailable`: `projector check` reports `unreachable`, exit 2; the operator retries with
 * backoff); an answer that is not OpenID metadata is StoreAuthFailed (cause `bad-request`: a
 * configuration error, reported as `error`). Undefined when the metadata was fine: the failure was
 * elsewhere and the original error stands.
 */
export function authorityError(result: ProbeResult, url: string, fix: AuthorityFix): ProjectorError | undefined {
  switch (result.kind) {
    case 'ok':
      return undefined;
    case 'network':
      return new ProjectorError('VaultUnavailable', `token authority unreachable: nothing answered at ${url} (${result.code}); check ${fix.authority} and that the authority is running`, {
        cause: 'unavailable',
        remoteCode: result.code,
      });
    case 'tls':
      return new ProjectorError('VaultUnavailable', `token authority not trusted: the certificate served at ${url} failed verification (${result.code}); give the CA that signed it with ${fix.ca}`, {
        cause: 'unavailable',
        remoteCode: result.code,
      });
    case 'http':
      return new ProjectorError('StoreAuthFailed', `token authority serves no OpenID metadata: ${url} answered ${result.status}; ${fix.authority} must be the authority's base URL (the local vault prints it as "Authority host")`, {
        cause: 'bad-request',
        httpStatus: result.status,
        remoteCode: 'NoOpenIdMetadata',
      });
    case 'not-metadata':
      return new ProjectorError('StoreAuthFailed', `token authority serves no OpenID metadata: ${url} answered with something that is not an OpenID configuration (no token_endpoint); ${fix.authority} must be the authority's base URL`, {
        cause: 'bad-request',
        remoteCode: 'NoOpenIdMetadata',
      });
  }
}

/** MSAL's code for an authority whose metadata it could not fetch; recognised by message, never echoed. */
export function isEndpointsResolutionError(err: unknown): boolean {
  for (let e = err as { message?: unknown; cause?: unknown } | undefined, i = 0; e && i < 8; e = e.cause as typeof e, i++) {
    if (typeof e.message === 'string' && /endpoints_resolution_error|endpoints could not be resolved|could not resolve endpoints/i.test(e.message)) return true;
  }
  return false;
}

/**
 * `inner`, whose endpoints_resolution_error is replaced by the diagnosis of the authority's
 * metadata URL (authorityError). Other failures pass through unchanged.
 */
export function diagnosingCredential(inner: TokenCredential, ctx: AuthorityContext, probe: typeof probeMetadata = probeMetadata): TokenCredential {
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      try {
        return await inner.getToken(scopes, options);
      } catch (e) {
        if (!ctx.authorityHost || !isEndpointsResolutionError(e)) throw e;
        const url = metadataUrl(ctx.authorityHost, ctx.tenantId);
        throw authorityError(await probe(url, ctx.ca), url, ctx.fix) ?? e;
      }
    },
  };
}
