// Azure Container Registry's token endpoints, as the local vault plays them for ACRAccessToken
// generators (ESO generators/v1/acr/acr.go is the client). ACR's REST API (Container Registry
// "Refresh Tokens - Get From Exchange" and "Access Tokens - Get"; Azure/acr docs/AAD-OAuth.md):
//
//   POST /oauth2/exchange  form grant_type=access_token, service, tenant, access_token (an Entra ID
//                          token for Azure Resource Manager) → 200 {"refresh_token": …}
//   POST /oauth2/token     form grant_type=refresh_token, service, scope, refresh_token
//                          → 200 {"access_token": …}
//   errors                 {"errors": [{"code", "message", "detail"}]} (ACR's AcrErrors)
//
// Tokens are HS256 JWTs signed with the vault's key (like its Entra ID tokens): a refresh token for
// `service` lives 3 hours, an access token 75 minutes, ACR's documented lifetimes. Pure: no I/O.
import { checkLifetime, decodeJwt, hasAudience, JwtError, signHs256, verifyHs256 } from './jwt.ts';

/** Azure Resource Manager audiences ACR accepts from Entra ID (public and sovereign clouds). */
const ARM_AUDIENCES = ['https://management.azure.com', 'https://management.usgovcloudapi.net', 'https://management.chinacloudapi.cn', 'https://management.microsoftazure.de'];
export const ACR_REFRESH_TOKEN_SECONDS = 3 * 3600;
export const ACR_ACCESS_TOKEN_SECONDS = 75 * 60;

export interface AcrOutcome {
  status: number;
  body: unknown;
  /** Why it was refused (logged); never a token. */
  reason?: string;
  clientId?: string;
}

function acrError(status: number, code: string, message: string, reason: string): AcrOutcome {
  return { status, body: { errors: [{ code, message, detail: null }] }, reason };
}

function isArmToken(claims: Record<string, unknown>): boolean {
  return ARM_AUDIENCES.some((a) => hasAudience(claims, a) || hasAudience(claims, `${a}/`));
}

/** POST /oauth2/exchange: an Entra ID access token (issued by this vault) → an ACR refresh token. */
export function acrExchange(form: URLSearchParams, signingKey: Buffer, nowSeconds: number): AcrOutcome {
  const grant = form.get('grant_type');
  const service = form.get('service');
  const aad = form.get('access_token');
  if (grant !== 'access_token' && grant !== 'access_token_refresh_token') return acrError(400, 'UNSUPPORTED', 'grant_type must be access_token', 'unsupported grant_type');
  if (!service) return acrError(400, 'BAD_REQUEST', 'service is required', 'no service');
  if (!aad) return acrError(400, 'BAD_REQUEST', 'access_token is required', 'no access_token');
  let claims: Record<string, unknown>;
  try {
    const jwt = decodeJwt(aad);
    verifyHs256(jwt, signingKey);
    checkLifetime(jwt.claims, nowSeconds, 0);
    claims = jwt.claims;
  } catch (e) {
    return acrError(401, 'UNAUTHORIZED', 'authentication required', e instanceof JwtError ? e.message : 'access token could not be verified');
  }
  if (!isArmToken(claims)) return acrError(401, 'UNAUTHORIZED', 'authentication required', 'access token audience is not Azure Resource Manager');
  const tenant = form.get('tenant');
  if (tenant && typeof claims.tid === 'string' && tenant.toLowerCase() !== claims.tid.toLowerCase()) {
    return acrError(401, 'UNAUTHORIZED', 'authentication required', 'tenant does not match the access token');
  }
  const clientId = typeof claims.appid === 'string' ? claims.appid : undefined;
  const refresh = signHs256(
    { aud: service, iss: 'Azure Container Registry', sub: clientId, tid: claims.tid, grant_type: 'refresh_token', iat: nowSeconds, nbf: nowSeconds, exp: nowSeconds + ACR_REFRESH_TOKEN_SECONDS },
    signingKey,
  );
  return { status: 200, body: { refresh_token: refresh }, ...(clientId !== undefined ? { clientId } : {}) };
}

/** `repository:name:pull,push` → ACR's access claim entry (docker registry scope grammar). */
function accessOf(scope: string): { type: string; name: string; actions: string[] }[] | undefined {
  const out = [];
  for (const s of scope.split(' ').filter(Boolean)) {
    const first = s.indexOf(':');
    const last = s.lastIndexOf(':');
    if (first < 1 || last === first) return undefined;
    out.push({ type: s.slice(0, first), name: s.slice(first + 1, last), actions: s.slice(last + 1).split(',').filter(Boolean) });
  }
  return out.length ? out : undefined;
}

/** POST /oauth2/token: an ACR refresh token (from acrExchange) + scope → an ACR access token. */
export function acrToken(form: URLSearchParams, signingKey: Buffer, nowSeconds: number): AcrOutcome {
  const service = form.get('service');
  const refresh = form.get('refresh_token');
  const scope = form.get('scope') ?? '';
  if (form.get('grant_type') !== 'refresh_token') return acrError(400, 'UNSUPPORTED', 'grant_type must be refresh_token', 'unsupported grant_type');
  if (!service || !refresh) return acrError(400, 'BAD_REQUEST', 'service and refresh_token are required', 'missing parameter');
  const access = accessOf(scope);
  if (!access) return acrError(400, 'BAD_REQUEST', 'scope is invalid', 'invalid scope');
  let claims: Record<string, unknown>;
  try {
    const jwt = decodeJwt(refresh);
    verifyHs256(jwt, signingKey);
    checkLifetime(jwt.claims, nowSeconds, 0);
    claims = jwt.claims;
  } catch (e) {
    return acrError(401, 'UNAUTHORIZED', 'authentication required', e instanceof JwtError ? e.message : 'refresh token could not be verified');
  }
  if (claims.grant_type !== 'refresh_token' || !hasAudience(claims, service)) return acrError(401, 'UNAUTHORIZED', 'authentication required', 'refresh token is not for this registry');
  const clientId = typeof claims.sub === 'string' ? claims.sub : undefined;
  const token = signHs256({ aud: service, iss: 'Azure Container Registry', sub: clientId, access, iat: nowSeconds, nbf: nowSeconds, exp: nowSeconds + ACR_ACCESS_TOKEN_SECONDS }, signingKey);
  return { status: 200, body: { access_token: token }, ...(clientId !== undefined ? { clientId } : {}) };
}
