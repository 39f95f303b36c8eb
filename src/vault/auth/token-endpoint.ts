// The AAD v2 token endpoint (client credentials) and OpenID discovery, as MSAL calls them.
// Errors follow AAD's JSON shape (`error`, `error_description` with an AADSTS code, `error_codes`);
// descriptions name client ids and tenants only, never secrets or assertions.
import { X509Certificate, type KeyObject } from 'node:crypto';
import type { VaultPrincipal } from '../index.ts';
import type { PrincipalRegistry } from './principals.ts';
import { audienceOfScope, issueAccessToken } from './access-token.ts';
import { checkLifetime, decodeJwt, hasAudience, publicKeyFromJwk, verifyRsaSignature, JwtError, type DecodedJwt } from './jwt.ts';

export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
export const DEFAULT_FEDERATED_AUDIENCE = 'api://AzureADTokenExchange';

/** Appended to AADSTS700016: the local vault's way to make a client id known. */
export const UNKNOWN_CLIENT_HINT =
  'Unknown client id: register it with `projector vault serve --principals FILE` (a JSON array of {"clientId", "clientSecret"}), ' +
  'or use the development principal whose credentials `projector vault serve` writes to <data-dir>/dev-principal.env.';

export interface JsonWebKeySet {
  keys: Array<Record<string, unknown>>;
}

export interface TokenEndpointDeps {
  principals: PrincipalRegistry;
  signingKey: Buffer;
  nowSeconds: number;
  /** Keys for federated (workload identity) assertions; called only when such an assertion arrives. */
  loadJwks: () => Promise<JsonWebKeySet>;
}

export interface AadResponse {
  status: number;
  body: Record<string, unknown>;
}

/** Why a principal was refused; `reason` is for the vault's log, never returned with secrets. */
export interface TokenOutcome {
  response: AadResponse;
  clientId?: string;
  reason?: string;
}

export async function handleTokenRequest(tenantId: string, vaultTenantIds: Set<string>, form: URLSearchParams, deps: TokenEndpointDeps): Promise<TokenOutcome> {
  if (!vaultTenantIds.has(tenantId.toLowerCase())) return { response: tenantNotFound(tenantId), reason: 'unknown tenant' };
  if (form.get('grant_type') !== 'client_credentials') {
    return { response: aadError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.'), reason: 'unsupported grant' };
  }
  const clientId = form.get('client_id') ?? '';
  const principal = deps.principals.find(tenantId, clientId);
  if (!principal) {
    return {
      // AAD's code and first sentence, then what to do here: the local vault knows only the
      // principals registered with it.
      response: aadError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${tenantId}'. ${UNKNOWN_CLIENT_HINT}`),
      clientId,
      reason: 'unknown client',
    };
  }
  const audience = audienceOfScope(form.get('scope') ?? '');
  if (!audience) return { response: aadError(400, 'invalid_scope', 1002012, 'The provided value for scope is not valid.'), clientId, reason: 'invalid scope' };

  const refusal = await authenticateClient(principal, form, deps);
  if (refusal) return { response: refusal.response, clientId, reason: refusal.reason };

  const { token, expiresIn } = issueAccessToken({ tenantId: deps.principals.tenantOf(principal), clientId: principal.clientId }, audience, deps.nowSeconds, deps.signingKey);
  return {
    response: { status: 200, body: { token_type: 'Bearer', expires_in: expiresIn, ext_expires_in: expiresIn, access_token: token } },
    clientId,
  };
}

async function authenticateClient(p: VaultPrincipal, form: URLSearchParams, deps: TokenEndpointDeps): Promise<{ response: AadResponse; reason: string } | undefined> {
  const secret = form.get('client_secret');
  const assertion = form.get('client_assertion');
  if (secret !== null) {
    if (p.clientSecret !== undefined && secret === p.clientSecret) return undefined;
    return {
      response: aadError(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${p.clientId}'.`),
      reason: 'wrong client secret',
    };
  }
  if (assertion !== null) {
    if (form.get('client_assertion_type') !== JWT_BEARER_ASSERTION_TYPE) {
      return { response: aadError(400, 'invalid_request', 50027, 'Invalid client assertion type.'), reason: 'bad assertion type' };
    }
    try {
      const jwt = decodeJwt(assertion);
      if (p.federated && (jwt.claims.iss === p.federated.issuer || !p.certificatePem)) await verifyFederatedAssertion(p, jwt, deps);
      else verifyCertificateAssertion(p, jwt, deps.nowSeconds);
      return undefined;
    } catch (e) {
      const reason = e instanceof JwtError ? e.message : 'assertion could not be verified';
      return { response: aadError(401, 'invalid_client', 700027, `Client assertion failed signature validation or was not accepted for app '${p.clientId}'.`), reason };
    }
  }
  return { response: aadError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."), reason: 'no credential' };
}

/** Certificate credential: the assertion is signed by the key of the registered certificate (x5t or x5t#S256). */
function verifyCertificateAssertion(p: VaultPrincipal, jwt: DecodedJwt, nowSeconds: number): void {
  if (!p.certificatePem) throw new JwtError('principal has no certificate');
  const cert = parseCertificate(p.certificatePem);
  const thumbprintMatches =
    (jwt.header.x5t !== undefined && jwt.header.x5t === thumbprintOf(cert.fingerprint)) ||
    (jwt.header['x5t#S256'] !== undefined && jwt.header['x5t#S256'] === thumbprintOf(cert.fingerprint256));
  if (!thumbprintMatches) throw new JwtError('assertion thumbprint does not match the registered certificate');
  verifyRsaSignature(jwt, cert.publicKey);
  checkLifetime(jwt.claims, nowSeconds);
  if (jwt.claims.iss !== p.clientId || jwt.claims.sub !== p.clientId) throw new JwtError('assertion iss/sub is not the client id');
  if (!isTokenEndpointAudience(jwt.claims.aud)) throw new JwtError('assertion audience is not the token endpoint');
}

/** Workload identity: a token from the configured issuer for the registered subject, signed by a JWKS key. */
async function verifyFederatedAssertion(p: VaultPrincipal, jwt: DecodedJwt, deps: TokenEndpointDeps): Promise<void> {
  const federated = p.federated;
  if (!federated) throw new JwtError('principal has no federated credential');
  if (jwt.claims.iss !== federated.issuer) throw new JwtError('assertion issuer does not match');
  if (jwt.claims.sub !== federated.subject) throw new JwtError('assertion subject does not match');
  if (!hasAudience(jwt.claims, federated.audience ?? DEFAULT_FEDERATED_AUDIENCE)) throw new JwtError('assertion audience does not match');
  if (jwt.header.alg !== 'RS256') throw new JwtError('unexpected signing algorithm');
  checkLifetime(jwt.claims, deps.nowSeconds, 0);
  const key = await findJwksKey(await deps.loadJwks(), jwt.header.kid);
  verifyRsaSignature(jwt, key);
}

async function findJwksKey(jwks: JsonWebKeySet, kid: string | undefined): Promise<KeyObject> {
  const candidates = jwks.keys.filter((k) => k.kty === 'RSA' && (kid === undefined || k.kid === kid));
  const jwk = candidates[0];
  if (!jwk) throw new JwtError('no JWKS key matches the assertion kid');
  return publicKeyFromJwk(jwk);
}

function parseCertificate(pem: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch {
    throw new JwtError('registered certificate is unreadable');
  }
}

/** X509Certificate fingerprints are colon-separated hex; JWT thumbprints are base64url of the raw digest. */
function thumbprintOf(colonHex: string): string {
  return Buffer.from(colonHex.replaceAll(':', ''), 'hex').toString('base64url');
}

function isTokenEndpointAudience(aud: unknown): boolean {
  const auds = Array.isArray(aud) ? aud : [aud];
  return auds.some((a) => typeof a === 'string' && /\/oauth2\/v2\.0\/token\/?$/.test(a));
}

export function tenantNotFound(tenantId: string): AadResponse {
  return aadError(400, 'invalid_request', 90002, `Tenant '${tenantId}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
}

export function aadError(status: number, error: string, code: number, description: string): AadResponse {
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${description}`,
      error_codes: [code],
      timestamp: new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
      trace_id: '00000000-0000-0000-0000-000000000000',
      correlation_id: '00000000-0000-0000-0000-000000000000',
    },
  };
}

export function openIdConfiguration(authorityHost: string, tenantId: string): Record<string, unknown> {
  const base = `${authorityHost}/${tenantId}`;
  return {
    issuer: `${base}/v2.0`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    token_endpoint: `${base}/oauth2/v2.0/token`,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    tenant_region_scope: null,
    cloud_instance_name: 'microsoftonline.com',
  };
}
