// Pure rules of ESO's Azure PushSecret for Key Vault keys and certificates
// (providers/v1/azure/keyvault/keyvault.go: getKeyFromValue, setKeyVaultKey, equalKeys,
// getCertificateFromValue, setKeyVaultCertificate). No I/O: client.ts sends what these decide.
// Key material is read with the Go-faithful parsers of core/template (go-pem, go-x509, go-pkcs12);
// errors name the remote key and the format problem, never key or certificate bytes.
import { ProjectorError } from '../../core/errors.ts';
import { pemDecode } from '../../core/template/go-pem.ts';
import { decodeChain } from '../../core/template/go-pkcs12.ts';
import { parseCertificate, parseEcPrivateKey, parsePkcs1PrivateKey, parsePkcs8PrivateKey, type GoKey } from '../../core/template/go-x509.ts';

/**
 * A JSON Web Key as ESO imports it (jwk.FromRaw of the parsed key, marshalled into Key Vault's
 * JSONWebKey): members as bytes, the way @azure/keyvault-keys' JsonWebKey holds them.
 */
export interface PushJwk {
  kty: string;
  crv?: string;
  n?: Uint8Array;
  e?: Uint8Array;
  d?: Uint8Array;
  p?: Uint8Array;
  q?: Uint8Array;
  dp?: Uint8Array;
  dq?: Uint8Array;
  qi?: Uint8Array;
  x?: Uint8Array;
  y?: Uint8Array;
  k?: Uint8Array;
}

const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');
const b64u = (s: string | undefined) => new Uint8Array(Buffer.from(s ?? '', 'base64url'));

function keyError(name: string, why: string): ProjectorError {
  return new ProjectorError('VaultBadValue', `could not load private key ${name}: ${why}`);
}

/**
 * ESO's getKeyFromValue + jwk.FromRaw: the value's first PEM block (Go's pem.Decode) read by its
 * type, `PRIVATE KEY` (PKCS#8: RSA, EC, Ed25519, X25519), `RSA PRIVATE KEY` (PKCS#1) or
 * `EC PRIVATE KEY` (SEC 1); any other block type is refused; a value with no PEM block is a
 * symmetric key (kty `oct`, `k` the bytes), which Key Vault accepts only in a Managed HSM.
 * EC curves as jwx v2 has them (P-256, P-384, P-521). Encrypted PEM is not decrypted (its body
 * does not parse). Throws ProjectorError VaultBadValue naming the remote key, never the bytes.
 */
export function privateKeyJwk(value: Uint8Array, name: string): PushJwk {
  const { block } = pemDecode(value);
  if (!block) return { kty: 'oct', k: new Uint8Array(value) };
  const type = latin1(block.type);
  let key: GoKey;
  try {
    if (type === 'PRIVATE KEY') key = parsePkcs8PrivateKey(block.bytes);
    else if (type === 'RSA PRIVATE KEY') key = parsePkcs1PrivateKey(block.bytes);
    else if (type === 'EC PRIVATE KEY') key = parseEcPrivateKey(block.bytes);
    else throw keyError(name, `key type ${type} is not supported (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)`);
  } catch (e) {
    if (e instanceof ProjectorError) throw e;
    throw keyError(name, e instanceof Error ? e.message : 'unreadable key');
  }
  let jwk: Record<string, string | undefined>;
  try {
    jwk = key.key.export({ format: 'jwk' }) as Record<string, string | undefined>;
  } catch {
    // Node exports JWKs for the curves JOSE names; P-224 has no JOSE name (jwx refuses it too).
    throw new ProjectorError('VaultBadValue', `failed to generate a JWK from secret ${name} content: the key's curve has no JSON Web Key name`);
  }
  if (key.kind === 'rsa') {
    return { kty: 'RSA', n: b64u(jwk.n), e: b64u(jwk.e), d: b64u(jwk.d), p: b64u(jwk.p), q: b64u(jwk.q), dp: b64u(jwk.dp), dq: b64u(jwk.dq), qi: b64u(jwk.qi) };
  }
  if (key.kind === 'ec') return { kty: 'EC', crv: jwk.crv!, x: b64u(jwk.x), y: b64u(jwk.y), d: b64u(jwk.d) };
  // Ed25519 / X25519: an OKP key, as jwx writes it; Key Vault answers whether it imports one.
  return { kty: 'OKP', crv: jwk.crv!, x: b64u(jwk.x), d: b64u(jwk.d) };
}

/** The public members of a key Key Vault returns, as far as the comparison needs them. */
export interface LiveJwk {
  kty?: string | undefined;
  crv?: string | undefined;
  n?: Uint8Array | undefined;
  e?: Uint8Array | undefined;
  x?: Uint8Array | undefined;
  y?: Uint8Array | undefined;
}

/** Two big-endian unsigned integers equal, leading zero bytes aside (base64url encoders differ there). */
function sameUnsigned(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (!a || !b) return false;
  const strip = (v: Uint8Array) => {
    let i = 0;
    while (i < v.length - 1 && v[i] === 0) i++;
    return Buffer.from(v.subarray(i));
  };
  return strip(a).equals(strip(b));
}

/**
 * ESO's equalKeys: the same key type and the same public key, kid and key_ops aside: RSA by n and
 * e; EC by crv, x and y. (ESO's EC branch also requires the HSM token `T`, which Key Vault never
 * returns, so ESO re-imports an unchanged EC key on every sync; Projector compares the public
 * point instead: docs/pushsecret.md.) A symmetric key is never reported unchanged: Key Vault
 * does not return `k`.
 */
export function keyUnchanged(next: PushJwk, live: LiveJwk | undefined): boolean {
  if (!live || next.kty !== live.kty) return false;
  if (next.kty === 'RSA') return sameUnsigned(next.n, live.n) && sameUnsigned(next.e, live.e);
  if (next.kty === 'EC') return next.crv === live.crv && sameUnsigned(next.x, live.x) && sameUnsigned(next.y, live.y);
  return false;
}

/**
 * ESO's getCertificateFromValue: the certificate whose DER ESO compares with Key Vault's `cer`,
 * tried as a PKCS#12 with the empty password (go-pkcs12 Decode, then DecodeChain: the first
 * certificate bag), as one DER certificate, then as PEM (the first block of any type whose bytes
 * parse as a certificate, so a key may come first, as cert-manager writes it). A PKCS#12 with a
 * password does not decode, as in ESO. Throws ProjectorError VaultBadValue with ESO's message.
 */
export function certificateDer(value: Uint8Array, name: string): Uint8Array {
  try {
    return decodeChain(value, new Uint8Array(0)).certificate.raw;
  } catch {
    // next format
  }
  try {
    return parseCertificate(value).raw;
  } catch {
    // next format
  }
  let rest = value;
  for (;;) {
    const { block, rest: after } = pemDecode(rest);
    if (!block) break;
    rest = after;
    try {
      return parseCertificate(block.bytes).raw;
    } catch {
      // ESO skips a block that is not a certificate
    }
  }
  throw new ProjectorError('VaultBadValue', `certificate ${name}: value from secret is not a valid certificate: could not parse certificate value as PKCS#12, DER or PEM (a PKCS#12 must have no password)`);
}

/** ESO's certificate comparison (SHA3-512 of both DERs, i.e. the same DER). */
export function certificateUnchanged(localDer: Uint8Array, liveCer: Uint8Array | undefined): boolean {
  return liveCer !== undefined && Buffer.from(localDer).equals(Buffer.from(liveCer));
}
