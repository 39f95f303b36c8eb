// ESO's SSHKey generator (generators/v1/sshkey/sshkey.go), the pure half: which key a spec asks for,
// and the OpenSSH encodings of a generated key. The key itself is made at the edge
// (sync/ssh-keygen.ts, node:crypto); this module gets its components as a JWK (RFC 7517/7518, as
// node:crypto's KeyObject.export({ format: 'jwk' }) writes them) and returns bytes.
//
// Encodings follow golang.org/x/crypto/ssh v0.53.0 (the version ESO v2.9 builds with), keys.go:
// MarshalPrivateKey (marshalOpenSSHPrivateKey + unencryptedOpenSSHMarshaler + generateOpenSSHPadding,
// wrapped by encoding/pem.EncodeToMemory: 64-column base64 lines) and MarshalAuthorizedKey (plus
// ESO's " <comment>" before the newline when a comment is set). The wire primitives are RFC 4251 §5
// (uint32, string, mpint). Why not a library: docs/design/006-sshkey-encoder.md.
import type { SSHKeySpec } from '../api/generators.ts';
import { issue, type Issue } from './issues.ts';

/** What to generate: the outcome of ESO's generateSSHKey switch. */
export type SshKeyParams = { type: 'rsa'; bits: number } | { type: 'ed25519' } | { type: 'ecdsa'; curve: 'P-256' | 'P-384' | 'P-521' };

/** ESO's CRD bounds on keySize (types_sshkey.go kubebuilder Minimum/Maximum). */
export const SSH_KEY_SIZE_MIN = 256;
export const SSH_KEY_SIZE_MAX = 8192;
/** Go's crypto/rsa.GenerateKey refuses smaller moduli since Go 1.24 ("N-bit keys are insecure"). */
export const RSA_MIN_BITS = 1024;

/**
 * The rules ESO applies to an SSHKey spec at generation time, as issues at `path`: keyType one of
 * rsa / ecdsa / ed25519 (ESO: `unsupported key type`), keySize within the CRD's 256..8192 (checked
 * here too, for a ClusterGenerator member or a manifest read by `validate`), and an RSA keySize of at
 * least 1024 (ESO fails in crypto/rsa: `unable to generate SSH key: crypto/rsa: 512-bit keys are
 * insecure`).
 */
export function sshKeyIssues(spec: Partial<SSHKeySpec> | undefined, path: string): Issue[] {
  const out: Issue[] = [];
  const keyType = spec?.keyType || 'rsa';
  if (!['rsa', 'ecdsa', 'ed25519'].includes(keyType)) out.push(issue(`${path}.keyType`, 'InvalidSpec', 'unsupported key type (one of rsa, ecdsa, ed25519)'));
  const size = spec?.keySize;
  if (size !== undefined) {
    if (!Number.isInteger(size) || size < SSH_KEY_SIZE_MIN || size > SSH_KEY_SIZE_MAX) out.push(issue(`${path}.keySize`, 'InvalidSpec', `keySize must be an integer from ${SSH_KEY_SIZE_MIN} to ${SSH_KEY_SIZE_MAX}`));
    else if (keyType === 'rsa' && size < RSA_MIN_BITS) out.push(issue(`${path}.keySize`, 'InvalidSpec', `RSA keys need at least ${RSA_MIN_BITS} bits (Go's crypto/rsa, which ESO uses, refuses ${size}-bit keys as insecure)`));
  }
  return out;
}

/**
 * ESO's generateSSHKey: keyType defaults to rsa; rsa uses keySize (default 2048); ecdsa maps keySize
 * 384 → P-384, 521 → P-521 and anything else (256, absent, 300, …) → P-256; ed25519 ignores keySize.
 * Call after sshKeyIssues found nothing.
 */
export function sshKeyParamsOf(spec: Partial<SSHKeySpec> | undefined): SshKeyParams {
  const keyType = spec?.keyType || 'rsa';
  if (keyType === 'ed25519') return { type: 'ed25519' };
  if (keyType === 'ecdsa') return { type: 'ecdsa', curve: spec?.keySize === 384 ? 'P-384' : spec?.keySize === 521 ? 'P-521' : 'P-256' };
  return { type: 'rsa', bits: spec?.keySize ?? 2048 };
}

/** A private key's components (base64url, as in a JWK). */
export interface PrivateJwk {
  kty?: string;
  crv?: string;
  n?: string;
  e?: string;
  d?: string;
  p?: string;
  q?: string;
  qi?: string;
  x?: string;
  y?: string;
}

// --- RFC 4251 §5 wire primitives -------------------------------------------------------------------

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}
function sshString(b: Uint8Array | string): Buffer {
  const bytes = typeof b === 'string' ? Buffer.from(b, 'utf8') : Buffer.from(b);
  return Buffer.concat([u32(bytes.length), bytes]);
}
/** An mpint from an unsigned big-endian magnitude: leading zeros dropped, a 0x00 added when the top bit is set (Go's ssh writeInt for a positive *big.Int). */
function mpint(magnitude: Uint8Array): Buffer {
  let i = 0;
  while (i < magnitude.length && magnitude[i] === 0) i++;
  const m = Buffer.from(magnitude.subarray(i));
  if (m.length === 0) return u32(0);
  return sshString(m[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), m]) : m);
}
function field(jwk: PrivateJwk, name: keyof PrivateJwk): Buffer {
  const v = jwk[name];
  if (typeof v !== 'string') throw new Error(`JWK member ${name} missing`);
  return Buffer.from(v, 'base64url');
}

const CURVES = { 'P-256': 'nistp256', 'P-384': 'nistp384', 'P-521': 'nistp521' } as const;

/** The key's algorithm name, public blob (RFC 4253 §6.6 / RFC 5656 §3.1 / RFC 8709 §4) and the private fields that follow the key type in OpenSSH's private section. */
function parts(jwk: PrivateJwk): { type: string; pub: Buffer; priv: Buffer } {
  if (jwk.kty === 'RSA') {
    const n = field(jwk, 'n');
    const e = field(jwk, 'e');
    // x/crypto/ssh: E and N swap places between the public blob and the private section; iqmp is
    // q⁻¹ mod p (Go's Precomputed.Qinv, a JWK's qi) with P = Primes[0] (the JWK's p).
    return {
      type: 'ssh-rsa',
      pub: Buffer.concat([sshString('ssh-rsa'), mpint(e), mpint(n)]),
      priv: Buffer.concat([mpint(n), mpint(e), mpint(field(jwk, 'd')), mpint(field(jwk, 'qi')), mpint(field(jwk, 'p')), mpint(field(jwk, 'q'))]),
    };
  }
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') {
    const pub = field(jwk, 'x');
    // Go's ed25519.PrivateKey: the 32-byte seed followed by the 32-byte public key.
    return {
      type: 'ssh-ed25519',
      pub: Buffer.concat([sshString('ssh-ed25519'), sshString(pub)]),
      priv: Buffer.concat([sshString(pub), sshString(Buffer.concat([field(jwk, 'd'), pub]))]),
    };
  }
  if (jwk.kty === 'EC' && jwk.crv && jwk.crv in CURVES) {
    const curve = CURVES[jwk.crv as keyof typeof CURVES];
    const type = `ecdsa-sha2-${curve}`;
    // elliptic.Marshal: the uncompressed point 0x04 ‖ X ‖ Y, each coordinate at the curve's full size (JWK x/y are already full size).
    const q = Buffer.concat([Buffer.from([4]), field(jwk, 'x'), field(jwk, 'y')]);
    return {
      type,
      pub: Buffer.concat([sshString(type), sshString(curve), sshString(q)]),
      priv: Buffer.concat([sshString(curve), sshString(q), mpint(field(jwk, 'd'))]),
    };
  }
  throw new Error(`unsupported JWK (kty ${jwk.kty ?? 'none'}, crv ${jwk.crv ?? 'none'})`);
}

/** encoding/pem.EncodeToMemory for a block without headers: base64 in 64-character lines. */
function pem(type: string, body: Buffer): string {
  const b64 = body.toString('base64');
  let out = `-----BEGIN ${type}-----\n`;
  for (let i = 0; i < b64.length; i += 64) out += `${b64.slice(i, i + 64)}\n`;
  return `${out}-----END ${type}-----\n`;
}

/**
 * The OpenSSH private key file (`-----BEGIN OPENSSH PRIVATE KEY-----`, openssh-key-v1, cipher and
 * KDF `none`, one key) as x/crypto/ssh MarshalPrivateKey + pem.EncodeToMemory write it; `checkInt`
 * is the random 32-bit check value Go reads from crypto/rand (repeated twice), `comment` the key's
 * comment. The private section is padded with 1, 2, 3, … to a multiple of 8 bytes.
 * Throws (a plain Error naming the JWK's type, never a value) for a key that is not RSA, Ed25519 or
 * ECDSA on P-256/384/521.
 */
export function openSshPrivateKey(jwk: PrivateJwk, comment: string, checkInt: number): string {
  const { type, pub, priv } = parts(jwk);
  let block = Buffer.concat([u32(checkInt), u32(checkInt), sshString(type), priv, sshString(comment)]);
  const pad: number[] = [];
  for (let i = 0; (block.length + i) % 8 !== 0; i++) pad.push(i + 1);
  block = Buffer.concat([block, Buffer.from(pad)]);
  const body = Buffer.concat([Buffer.from('openssh-key-v1\0', 'latin1'), sshString('none'), sshString('none'), sshString(''), u32(1), sshString(pub), sshString(block)]);
  return pem('OPENSSH PRIVATE KEY', body);
}

/**
 * The authorized_keys line of the key's public half: `<type> <base64 blob>\n` (ssh.MarshalAuthorizedKey),
 * and with a comment `<type> <base64 blob> <comment>\n` as ESO appends it.
 */
export function openSshAuthorizedKey(jwk: PrivateJwk, comment: string): string {
  const { type, pub } = parts(jwk);
  return `${type} ${pub.toString('base64')}${comment !== '' ? ` ${comment}` : ''}\n`;
}
