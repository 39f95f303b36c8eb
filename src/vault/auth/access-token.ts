// Access tokens the vault issues (token endpoint, IMDS) and accepts on the secrets API: HS256 JWTs
// shaped like AAD's v1 app tokens (aud, iss, tid, appid, oid), signed with a key kept in dataDir.
import { checkLifetime, decodeJwt, hasAudience, signHs256, verifyHs256, JwtError } from './jwt.ts';

export const VAULT_RESOURCE = 'https://vault.azure.net';
export const TOKEN_LIFETIME_SECONDS = 3600;

export interface AccessTokenIdentity {
  tenantId: string;
  clientId: string;
}

export function issueAccessToken(identity: AccessTokenIdentity, audience: string, nowSeconds: number, key: Buffer): { token: string; expiresIn: number; expiresOn: number } {
  const exp = nowSeconds + TOKEN_LIFETIME_SECONDS;
  const token = signHs256(
    {
      aud: audience,
      iss: `https://sts.windows.net/${identity.tenantId}/`,
      iat: nowSeconds,
      nbf: nowSeconds,
      exp,
      tid: identity.tenantId,
      appid: identity.clientId,
      oid: identity.clientId,
      sub: identity.clientId,
      idtyp: 'app',
    },
    key,
  );
  return { token, expiresIn: TOKEN_LIFETIME_SECONDS, expiresOn: exp };
}

/** The identity in a bearer token meant for the vault; throws JwtError with a printable reason. */
export function verifyAccessToken(token: string, tenantId: string, nowSeconds: number, key: Buffer): AccessTokenIdentity {
  const jwt = decodeJwt(token);
  verifyHs256(jwt, key);
  checkLifetime(jwt.claims, nowSeconds, 0);
  if (!hasAudience(jwt.claims, VAULT_RESOURCE) && !hasAudience(jwt.claims, `${VAULT_RESOURCE}/`)) throw new JwtError('token audience is not the vault');
  const { tid, appid } = jwt.claims;
  if (typeof tid !== 'string' || tid.toLowerCase() !== tenantId.toLowerCase()) throw new JwtError('token tenant does not match the vault tenant');
  if (typeof appid !== 'string') throw new JwtError('token has no appid');
  return { tenantId: tid, clientId: appid };
}

/** The audience a v2 scope like `https://vault.azure.net/.default` asks for. */
export function audienceOfScope(scope: string): string | undefined {
  const first = scope.split(' ').find((s) => s.endsWith('/.default'));
  return first?.slice(0, -'/.default'.length);
}
