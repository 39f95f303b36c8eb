/**
 * sprig v3.3.0's crypto functions (crypto.go) that Projector implements: bcrypt, htpasswd (ESO's
 * variant with a hash argument), derivePassword (the Master Password algorithm), encryptAES/decryptAES,
 * randBytes and genPrivateKey. Byte strings in and out are Go strings (core/go-string.ts).
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, generateKeyPairSync, randomBytes, scryptSync } from 'node:crypto';
import { goStringFromBytes, goStringToBytes } from '../go-string.ts';
import { fn, type TemplateFunc } from './func-table.ts';
import { bcryptGenerate, BcryptError } from './go-bcrypt.ts';
import { FuncError } from './template-error.ts';

const bytesOf = (s: string): Buffer => Buffer.from(goStringToBytes(s) ?? new Uint8Array());

/**
 * ESO's htpasswd(user, password, algorithm) (its vendored sprig): "sha" gives `user:{SHA}` and the
 * base64 of the password's SHA-1; other algorithms are bcrypt (`bcrypt` below). A user containing
 * ':' gives the text "invalid username: <user>" as the result.
 */
function htpasswd(user: string, password: string, algorithm: string): string {
  if (user.includes(':')) return `invalid username: ${user}`;
  if (algorithm === 'sha') return `${user}:{SHA}${createHash('sha1').update(bytesOf(password)).digest('base64')}`;
  return `${user}:${bcrypt(password)}`;
}

/**
 * sprig's bcrypt: bcrypt.GenerateFromPassword at the default cost 10 (`$2a$10$…`, random salt);
 * Go's error becomes the result text ("failed to encrypt string with bcrypt: …", for passwords
 * over 72 bytes).
 */
function bcrypt(password: string): string {
  try {
    return bcryptGenerate(bytesOf(password));
  } catch (e) {
    if (e instanceof BcryptError) return `failed to encrypt string with bcrypt: ${e.message}`;
    throw e;
  }
}

const MASTER_PASSWORD_SEED = 'com.lyndir.masterpassword';

/** The Master Password templates sprig uses (crypto.go passwordTypeTemplates): one per class letter. */
const PASSWORD_TEMPLATES: Readonly<Record<string, readonly string[]>> = {
  maximum: ['anoxxxxxxxxxxxxxxxxx', 'axxxxxxxxxxxxxxxxxno'],
  long: [
    'CvcvnoCvcvCvcv', 'CvcvCvcvnoCvcv', 'CvcvCvcvCvcvno', 'CvccnoCvcvCvcv', 'CvccCvcvnoCvcv',
    'CvccCvcvCvcvno', 'CvcvnoCvccCvcv', 'CvcvCvccnoCvcv', 'CvcvCvccCvcvno', 'CvcvnoCvcvCvcc',
    'CvcvCvcvnoCvcc', 'CvcvCvcvCvccno', 'CvccnoCvccCvcv', 'CvccCvccnoCvcv', 'CvccCvccCvcvno',
    'CvcvnoCvccCvcc', 'CvcvCvccnoCvcc', 'CvcvCvccCvccno', 'CvccnoCvcvCvcc', 'CvccCvcvnoCvcc',
    'CvccCvcvCvccno',
  ],
  medium: ['CvcnoCvc', 'CvcCvcno'],
  short: ['Cvcn'],
  basic: ['aaanaaan', 'aannaaan', 'aaannaaa'],
  pin: ['nnnn'],
};

const TEMPLATE_CHARACTERS: Readonly<Record<string, string>> = {
  V: 'AEIOU',
  C: 'BCDFGHJKLMNPQRSTVWXYZ',
  v: 'aeiou',
  c: 'bcdfghjklmnpqrstvwxyz',
  A: 'AEIOUBCDFGHJKLMNPQRSTVWXYZ',
  a: 'AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz',
  n: '0123456789',
  o: "@&%?,=[]_:-+*$#!'^~;()/.",
  x: 'AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()',
};

function uint32be(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/**
 * sprig's derivePassword(counter, type, password, user, site): scrypt(password, seed‖len(user)‖user,
 * N=32768, r=8, p=2, 64 bytes) keys an HMAC-SHA256 of seed‖len(site)‖site‖counter, whose bytes pick
 * the template and each character. An unknown type gives "cannot find password template <type>".
 */
function derivePassword(counter: bigint, type: string, password: string, user: string, site: string): string {
  const templates = Object.hasOwn(PASSWORD_TEMPLATES, type) ? PASSWORD_TEMPLATES[type]! : undefined;
  if (!templates) return `cannot find password template ${type}`;
  const userBytes = bytesOf(user);
  const siteBytes = bytesOf(site);
  const salt = Buffer.concat([Buffer.from(MASTER_PASSWORD_SEED), uint32be(userBytes.length), userBytes]);
  const key = scryptSync(bytesOf(password), salt, 64, { N: 32768, r: 8, p: 2, maxmem: 64 * 1024 * 1024 });
  const seed = createHmac('sha256', key)
    .update(Buffer.concat([Buffer.from(MASTER_PASSWORD_SEED), uint32be(siteBytes.length), siteBytes, uint32be(Number(BigInt.asUintN(32, counter)))]))
    .digest();
  const template = templates[seed[0]! % templates.length]!;
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const chars = TEMPLATE_CHARACTERS[template[i]!]!;
    out += chars[seed[i + 1]! % chars.length];
  }
  return out;
}

/** The AES-256 key sprig makes of a password: its bytes, cut or zero-padded to 32. */
function aesKey(password: string): Buffer {
  const key = Buffer.alloc(32);
  bytesOf(password).copy(key, 0, 0, 32);
  return key;
}

/** sprig's encryptAES: AES-256-CBC, PKCS#7 padding, a random IV in front, base64. "" stays "". */
function encryptAES(password: string, plaintext: string): string {
  if (plaintext === '') return '';
  const content = bytesOf(plaintext);
  const padding = 16 - (content.length % 16);
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', aesKey(password), iv).setAutoPadding(false);
  const body = Buffer.concat([cipher.update(Buffer.concat([content, Buffer.alloc(padding, padding)])), cipher.final()]);
  return Buffer.concat([iv, body]).toString('base64');
}

/**
 * sprig's decryptAES: base64 (standard, padded; an error otherwise), the IV, AES-256-CBC; the last
 * byte says how much padding to cut, unchecked, as sprig does. Input too short or not whole blocks
 * makes Go panic; so does a padding byte larger than the text.
 */
function decryptAES(password: string, crypt64: string): string {
  if (crypt64 === '') return '';
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(crypt64.replace(/[\r\n]/g, ''))) {
    throw new FuncError('illegal base64 data');
  }
  const crypt = Buffer.from(crypt64, 'base64');
  if (crypt.length < 16) throw new FuncError('runtime error: slice bounds out of range');
  const body = crypt.subarray(16);
  if (body.length % 16 !== 0) throw new FuncError('crypto/cipher: input not full blocks');
  if (body.length === 0) throw new FuncError('runtime error: index out of range [-1]');
  const decipher = createDecipheriv('aes-256-cbc', aesKey(password), crypt.subarray(0, 16)).setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(body), decipher.final()]);
  const cut = plain.length - plain[plain.length - 1]!;
  if (cut < 0) throw new FuncError('runtime error: slice bounds out of range');
  return goStringFromBytes(plain.subarray(0, cut));
}

/** sprig's randBytes: `count` bytes from crypto/rand, base64; a negative count is Go's makeslice panic. */
function randBytesB64(count: bigint): string {
  if (count < 0n) throw new FuncError('runtime error: makeslice: len out of range');
  if (count > 16n * 1024n * 1024n) throw new FuncError('randBytes count exceeds the output limit');
  return randomBytes(Number(count)).toString('base64');
}

/**
 * sprig's genPrivateKey: "" and "rsa" give a 4096-bit RSA key in PKCS#1 ("RSA PRIVATE KEY"),
 * "ecdsa" a P-256 key in SEC 1 ("EC PRIVATE KEY", with curve and public key as Go writes it),
 * "ed25519" PKCS#8 ("PRIVATE KEY"); any other type gives "Unknown type <type>". DSA is not
 * generated (no DSA key format in Node's crypto matches sprig's own ASN.1 layout).
 */
function genPrivateKey(type: string): string {
  switch (type) {
    case '':
    case 'rsa':
      return generateKeyPairSync('rsa', { modulusLength: 4096 }).privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
    case 'ecdsa':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'sec1', format: 'pem' }) as string;
    case 'ed25519':
      return generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    case 'dsa':
      throw new FuncError('genPrivateKey "dsa" is not supported by Projector', true);
    default:
      return `Unknown type ${type}`;
  }
}

export const SPRIG_CRYPTO: ReadonlyMap<string, TemplateFunc> = new Map<string, TemplateFunc>([
  [
    'htpasswd',
    fn(['string', 'string', 'string'], ([u, p, a], ctx) => {
      // The third parameter is sprig.HashAlgorithm, a named string type: text/template converts a
      // string literal to it, but a string-typed value (a variable, a pipeline) is not assignable.
      if (!ctx.isLiteralArg(2)) throw new FuncError('wrong type for value; expected sprig.HashAlgorithm; got string');
      return htpasswd(u as string, p as string, a as string);
    }),
  ],
  ['bcrypt', fn(['string'], ([p]) => bcrypt(p as string))],
  ['derivePassword', fn(['int', 'string', 'string', 'string', 'string'], ([c, t, p, u, s]) => derivePassword(c as bigint, t as string, p as string, u as string, s as string))],
  ['encryptAES', fn(['string', 'string'], ([k, t]) => encryptAES(k as string, t as string))],
  ['decryptAES', fn(['string', 'string'], ([k, c]) => decryptAES(k as string, c as string))],
  ['randBytes', fn(['int'], ([n]) => randBytesB64(n as bigint))],
  ['genPrivateKey', fn(['string'], ([t]) => genPrivateKey(t as string))],
]);
