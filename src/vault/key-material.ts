// Key material for the vault's keys API: generating (POST /keys/{name}/create), checking an imported
// JSON Web Key (PUT /keys/{name}) and the public view AKV serves. node:crypto does the cryptography;
// errors name fields only, never key material.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { badParameter } from './api-error.ts';

/** AKV's curve names and node:crypto's. */
const CURVES: Readonly<Record<string, string>> = { 'P-256': 'P-256', 'P-384': 'P-384', 'P-521': 'P-521', 'P-256K': 'secp256k1' };
const NODE_TO_AKV_CURVE: Readonly<Record<string, string>> = { 'P-256': 'P-256', 'P-384': 'P-384', 'P-521': 'P-521', secp256k1: 'P-256K' };

/** The key types a (non-HSM) vault accepts; `-HSM` types are served as asked (no HSM behind them here). */
const KEY_TYPES = new Set(['RSA', 'RSA-HSM', 'EC', 'EC-HSM']);

/** AKV's default key_ops for a new key of each family ("About keys": key operations). */
export function defaultKeyOps(kty: string): string[] {
  return kty.startsWith('EC') ? ['sign', 'verify'] : ['encrypt', 'decrypt', 'sign', 'verify', 'wrapKey', 'unwrapKey'];
}

const RSA_PUBLIC = ['n', 'e'] as const;
const RSA_PRIVATE = ['d', 'dp', 'dq', 'qi', 'p', 'q'] as const;
const EC_PUBLIC = ['x', 'y'] as const;

function toStoredJwk(kty: string, key: KeyObject): Record<string, string> {
  const jwk = key.export({ format: 'jwk' }) as Record<string, string>;
  const out: Record<string, string> = { kty };
  if (kty.startsWith('RSA')) {
    for (const f of [...RSA_PUBLIC, ...RSA_PRIVATE]) if (jwk[f] !== undefined) out[f] = jwk[f];
  } else {
    out.crv = NODE_TO_AKV_CURVE[jwk.crv ?? ''] ?? jwk.crv ?? '';
    for (const f of [...EC_PUBLIC, 'd'] as const) if (jwk[f] !== undefined) out[f] = jwk[f];
  }
  return out;
}

/**
 * A new key pair for `POST /keys/{name}/create` `{kty, key_size?, crv?}`: RSA 2048 (or 3072, 4096)
 * by default, EC P-256 by default. `oct` keys exist only in Managed HSM: 400 here, as in a vault.
 */
export function generateKey(kty: unknown, keySize: unknown, crv: unknown): Record<string, string> {
  if (typeof kty !== 'string' || !KEY_TYPES.has(kty)) throw badParameter('Property kty is required and must be one of RSA, RSA-HSM, EC, EC-HSM.');
  if (kty.startsWith('RSA')) {
    const size = keySize === undefined || keySize === null ? 2048 : keySize;
    if (size !== 2048 && size !== 3072 && size !== 4096) throw badParameter('Property key_size must be 2048, 3072 or 4096 for an RSA key.');
    return toStoredJwk(kty, generateKeyPairSync('rsa', { modulusLength: size, publicExponent: 0x10001 }).privateKey);
  }
  const curve = crv === undefined || crv === null ? 'P-256' : crv;
  if (typeof curve !== 'string' || !CURVES[curve]) throw badParameter('Property crv must be one of P-256, P-384, P-521, P-256K for an EC key.');
  return toStoredJwk(kty, generateKeyPairSync('ec', { namedCurve: CURVES[curve]! }).privateKey);
}

/**
 * The `key` of `PUT /keys/{name}`: an RSA or EC JSON Web Key with its private part (AKV imports key
 * pairs). Checked by loading it; stored normalised as node:crypto exports it.
 */
export function importJwk(raw: unknown): { jwk: Record<string, string>; keyOps?: string[] } {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw badParameter('Property key is required and must be a JSON Web Key.');
  const k = raw as Record<string, unknown>;
  const kty = k.kty;
  if (typeof kty !== 'string' || !KEY_TYPES.has(kty)) throw badParameter('Property key.kty must be one of RSA, RSA-HSM, EC, EC-HSM.');
  if (typeof k.d !== 'string') throw badParameter('Property key.d is required: an imported key must include its private part.');
  const family = kty.startsWith('RSA') ? 'RSA' : 'EC';
  const members: Record<string, unknown> = { kty: family };
  for (const f of family === 'RSA' ? [...RSA_PUBLIC, ...RSA_PRIVATE] : [...EC_PUBLIC, 'd']) if (k[f] !== undefined) members[f] = k[f];
  if (family === 'EC') members.crv = typeof k.crv === 'string' ? CURVES[k.crv] : undefined;
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: members as never, format: 'jwk' });
  } catch {
    // node:crypto's message may describe the material: only the fact is reported.
    throw badParameter('Property key is not a valid RSA or EC private JSON Web Key.');
  }
  const keyOps = Array.isArray(k.key_ops) && k.key_ops.every((o) => typeof o === 'string') ? (k.key_ops as string[]) : undefined;
  return { jwk: toStoredJwk(kty, key), ...(keyOps && { keyOps }) };
}

/** The stored JWK of a node KeyObject (a certificate's private key): its backing key. */
export function jwkOfKeyObject(key: KeyObject): { kty: 'RSA' | 'EC'; jwk: Record<string, string> } {
  const kty = key.asymmetricKeyType === 'ec' ? 'EC' : 'RSA';
  return { kty, jwk: toStoredJwk(kty, key) };
}

/**
 * The public members AKV serves in a KeyBundle's `key`, in its order: `kid`, `kty`, `key_ops`, then
 * `n`, `e` (RSA) or `crv`, `x`, `y` (EC). Private members never leave the vault.
 */
export function publicJwk(kid: string, jwk: Record<string, string>, keyOps: string[]): Record<string, unknown> {
  const kty = jwk.kty ?? '';
  const out: Record<string, unknown> = { kid, kty, key_ops: keyOps };
  if (kty.startsWith('RSA')) {
    out.n = jwk.n;
    out.e = jwk.e;
  } else {
    out.crv = jwk.crv;
    out.x = jwk.x;
    out.y = jwk.y;
  }
  return out;
}

/** The public key of a stored JWK (to match a certificate's leaf to its private key). */
export function publicKeyOf(jwk: Record<string, string>): KeyObject {
  const family = (jwk.kty ?? '').startsWith('RSA') ? 'RSA' : 'EC';
  const members: Record<string, string> = { kty: family };
  for (const f of family === 'RSA' ? RSA_PUBLIC : EC_PUBLIC) members[f] = jwk[f]!;
  if (family === 'EC') members.crv = CURVES[jwk.crv ?? ''] ?? '';
  return createPublicKey({ key: members as never, format: 'jwk' });
}
