// Compact JWS (JWT) encoding and verification with node:crypto only. Decoding never passes a parser's
// message on: a malformed token is just "malformed", because parser messages quote their input.
import { createHmac, createPublicKey, createSecretKey, timingSafeEqual, verify, constants, type KeyObject } from 'node:crypto';

export interface JwtHeader {
  alg?: string;
  typ?: string;
  kid?: string;
  x5t?: string;
  'x5t#S256'?: string;
  [k: string]: unknown;
}

export interface JwtClaims {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  exp?: number;
  nbf?: number;
  iat?: number;
  [k: string]: unknown;
}

export interface DecodedJwt {
  header: JwtHeader;
  claims: JwtClaims;
  signingInput: string;
  signature: Buffer;
}

/** Why a token was refused; safe to print (never contains the token). */
export class JwtError extends Error {
  override readonly name = 'JwtError';
}

export function decodeJwt(token: string): DecodedJwt {
  const parts = token.split('.');
  if (parts.length !== 3) throw new JwtError('malformed token');
  const [h, c, s] = parts as [string, string, string];
  return { header: parseSegment(h) as JwtHeader, claims: parseSegment(c) as JwtClaims, signingInput: `${h}.${c}`, signature: Buffer.from(s, 'base64url') };
}

function parseSegment(segment: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new JwtError('malformed token');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new JwtError('malformed token');
  return parsed as Record<string, unknown>;
}

/**
 * The KeyObject for an HMAC key, made once per key Buffer: given a Buffer, createHmac imports the
 * key again on every call, which was most of the local vault's cost of checking the bearer token
 * that comes with every request.
 */
const hmacKeys = new WeakMap<Buffer, KeyObject>();
function hmacKey(key: Buffer): KeyObject {
  let k = hmacKeys.get(key);
  if (!k) hmacKeys.set(key, (k = createSecretKey(key)));
  return k;
}

export function signHs256(claims: JwtClaims, key: Buffer, extraHeader: Record<string, string> = {}): string {
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', ...extraHeader })).toString('base64url');
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signature = createHmac('sha256', hmacKey(key)).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

export function verifyHs256(jwt: DecodedJwt, key: Buffer): void {
  if (jwt.header.alg !== 'HS256') throw new JwtError('unexpected signing algorithm');
  const expected = createHmac('sha256', hmacKey(key)).update(jwt.signingInput).digest();
  if (expected.length !== jwt.signature.length || !timingSafeEqual(expected, jwt.signature)) throw new JwtError('bad signature');
}

/** RS256 or PS256 (MSAL signs certificate assertions with PS256 when it uses a SHA-256 thumbprint). */
export function verifyRsaSignature(jwt: DecodedJwt, key: KeyObject): void {
  const data = Buffer.from(jwt.signingInput);
  let ok: boolean;
  if (jwt.header.alg === 'RS256') {
    ok = verify('sha256', data, key, jwt.signature);
  } else if (jwt.header.alg === 'PS256') {
    ok = verify('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, jwt.signature);
  } else {
    throw new JwtError('unexpected signing algorithm');
  }
  if (!ok) throw new JwtError('bad signature');
}

/** Checks exp/nbf with a small clock skew allowance, as token services do. */
export function checkLifetime(claims: JwtClaims, nowSeconds: number, skewSeconds = 300): void {
  if (typeof claims.exp !== 'number') throw new JwtError('token has no exp');
  if (claims.exp + skewSeconds <= nowSeconds) throw new JwtError('token expired');
  if (typeof claims.nbf === 'number' && claims.nbf - skewSeconds > nowSeconds) throw new JwtError('token not yet valid');
}

export function hasAudience(claims: JwtClaims, audience: string): boolean {
  return Array.isArray(claims.aud) ? claims.aud.includes(audience) : claims.aud === audience;
}

export function publicKeyFromJwk(jwk: Record<string, unknown>): KeyObject {
  try {
    return createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
  } catch {
    throw new JwtError('unusable JWKS key');
  }
}
