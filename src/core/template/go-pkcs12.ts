/**
 * PKCS#12 as software.sslmate.com/src/go-pkcs12 v0.7.0 (the version ESO pins in runtime/go.mod)
 * reads and writes it: `DecodeChain` (what ESO's pkcs12key/pkcs12cert call) and `Modern.Encode` /
 * `Modern.EncodeTrustStore` (what pemToPkcs12 and pemTruststoreToPKCS12 call).
 *
 * DecodeChain rules kept here: PFX version 3 with a `data` auth safe; a MAC is required unless the
 * password is empty; the MAC (SHA-1/256/512 with the PKCS#12 KDF, or PBMAC1) is tried with the
 * password as a zero-terminated BMPString and, for the empty password, again with no bytes at all
 * (and that variant is then used to decrypt); one or two items in the authenticated safe, each
 * `data` or `encryptedData` (PBE-SHA1-3DES, PBE-SHA1-RC2-128/40, PBES2 with PBKDF2 and AES-CBC, the
 * password as UTF-8 for PBES2); Go's CBC padding check; the first certificate bag is the
 * certificate, the others CA certificates in file order; exactly one key bag. Encode writes the
 * same structure as go-pkcs12 (AES-256-CBC PBES2, PBKDF2-HMAC-SHA256, 2048 iterations, 16-byte
 * salts, SHA-256 MAC); its salts and IVs are random, so its output is compared by decoding it.
 *
 * Errors carry go-pkcs12's messages, which never include key or certificate bytes.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, hash, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';
import type Forge from 'node-forge';
import {
  DerError,
  derExplicit,
  derOctets,
  derOid,
  derSeq,
  derSet,
  derSmallInt,
  isUniversal,
  parseOnly,
  readInt,
  readOctets,
  readOid,
  readTlv,
  seq,
  TAG,
  tlv,
  type Tlv,
} from './der.ts';
import { marshalPkcs8, parseCertificate, parsePkcs8PrivateKey, type GoKey, type ParsedCertificate } from './go-x509.ts';

export class Pkcs12Error extends Error {
  override readonly name = 'Pkcs12Error';
}

const OID = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  localKeyId: '1.2.840.113549.1.9.21',
  friendlyName: '1.2.840.113549.1.9.20',
  javaTrustStore: '2.16.840.1.113894.746875.1.1',
  anyExtendedKeyUsage: '2.5.29.37.0',
  pbeSha3Des: '1.2.840.113549.1.12.1.3',
  pbeShaRc2128: '1.2.840.113549.1.12.1.5',
  pbeShaRc240: '1.2.840.113549.1.12.1.6',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  pbmac1: '1.2.840.113549.1.5.14',
  hmacSha1: '1.2.840.113549.2.7',
  hmacSha256: '1.2.840.113549.2.9',
  hmacSha512: '1.2.840.113549.2.11',
  aes128: '2.16.840.1.101.3.4.1.2',
  aes192: '2.16.840.1.101.3.4.1.22',
  aes256: '2.16.840.1.101.3.4.1.42',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha512: '2.16.840.1.101.3.4.2.3',
} as const;

// ---- passwords ----

/** go-pkcs12's bmpStringZeroTerminated: UTF-16BE code units of a BMP-only string, then 00 00. */
function bmpZeroTerminated(password: Uint8Array): Uint8Array {
  // Go ranges over the string's runes: an invalid byte is U+FFFD.
  const text = Buffer.from(password).toString('utf8');
  const out: number[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp > 0xffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      throw new Pkcs12Error('pkcs12: string contains characters that cannot be encoded in UCS-2');
    }
    out.push(cp >> 8, cp & 0xff);
  }
  out.push(0, 0);
  return Uint8Array.from(out);
}

/** decodeBMPString then UTF-8, for PBES2 and PBMAC1 (go-pkcs12 passes those the UTF-8 password). */
function bmpToUtf8(bmp: Uint8Array): Uint8Array {
  let b = bmp;
  if (b.length % 2 !== 0) throw new Pkcs12Error('pkcs12: odd-length BMP string');
  if (b.length >= 2 && b[b.length - 1] === 0 && b[b.length - 2] === 0) b = b.subarray(0, b.length - 2);
  let s = '';
  for (let i = 0; i < b.length; i += 2) s += String.fromCharCode((b[i]! << 8) | b[i + 1]!);
  return new Uint8Array(Buffer.from(s, 'utf8'));
}

// ---- key derivation ----

/** RFC 7292 appendix B.2 (go-pkcs12's pbkdf) with hash `alg` (block size v bytes, output u bytes). */
function pkcs12Kdf(alg: string, u: number, v: number, salt: Uint8Array, password: Uint8Array, iterations: number, id: number, size: number): Uint8Array {
  const D = new Uint8Array(v).fill(id);
  const fill = (src: Uint8Array): Uint8Array => {
    if (src.length === 0) return new Uint8Array(0);
    const n = v * Math.ceil(src.length / v);
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = src[i % src.length]!;
    return out;
  };
  const I = Uint8Array.from([...fill(salt), ...fill(password)]);
  const c = Math.ceil(size / u);
  const A = new Uint8Array(c * u);
  for (let i = 0; i < c; i++) {
    let Ai: Buffer = createHash(alg).update(D).update(I).digest();
    if (alg === 'sha1') Ai = iterateSha1(Ai, iterations - 1);
    // One-shot hashing: thousands of iterations per derivation, so no Hash object per round.
    else for (let j = 1; j < iterations; j++) Ai = hash(alg, Ai, 'buffer');
    A.set(Ai, i * u);
    if (i < c - 1) {
      const B = new Uint8Array(v);
      for (let k = 0; k < v; k++) B[k] = Ai[k % u]!;
      for (let j = 0; j < I.length / v; j++) {
        let carry = 1;
        for (let k = v - 1; k >= 0; k--) {
          const x = I[j * v + k]! + B[k]! + carry;
          I[j * v + k] = x & 0xff;
          carry = x >> 8;
        }
      }
    }
  }
  return A.subarray(0, size);
}

/**
 * `n` more rounds of SHA-1 over a 20-byte digest. Legacy PKCS#12 files derive every key, IV and MAC
 * key with SHA-1 over thousands of rounds; one native call per round costs microseconds, this loop
 * over a single padded block a fraction of that (same result as hashing each digest).
 */
function iterateSha1(digest: Uint8Array, n: number): Buffer {
  const w = new Int32Array(80);
  const dv = new DataView(digest.buffer, digest.byteOffset, 20);
  let h0 = dv.getInt32(0), h1 = dv.getInt32(4), h2 = dv.getInt32(8), h3 = dv.getInt32(12), h4 = dv.getInt32(16);
  for (let r = 0; r < n; r++) {
    w[0] = h0; w[1] = h1; w[2] = h2; w[3] = h3; w[4] = h4;
    w[5] = 0x80000000 | 0;
    for (let i = 6; i < 15; i++) w[i] = 0;
    w[15] = 160;
    for (let i = 16; i < 80; i++) {
      const x = w[i - 3]! ^ w[i - 8]! ^ w[i - 14]! ^ w[i - 16]!;
      w[i] = (x << 1) | (x >>> 31);
    }
    let a = 0x67452301 | 0, b = 0xefcdab89 | 0, c = 0x98badcfe | 0, d = 0x10325476 | 0, e = 0xc3d2e1f0 | 0;
    for (let i = 0; i < 80; i++) {
      let f: number, k: number;
      if (i < 20) { f = (b & c) | (~b & d); k = 0x5a827999; }
      else if (i < 40) { f = b ^ c ^ d; k = 0x6ed9eba1; }
      else if (i < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8f1bbcdc | 0; }
      else { f = b ^ c ^ d; k = 0xca62c1d6 | 0; }
      const t = (((a << 5) | (a >>> 27)) + f + e + k + w[i]!) | 0;
      e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t;
    }
    h0 = (0x67452301 + a) | 0; h1 = (0xefcdab89 + b) | 0; h2 = (0x98badcfe + c) | 0; h3 = (0x10325476 + d) | 0; h4 = (0xc3d2e1f0 + e) | 0;
  }
  const out = Buffer.alloc(20);
  [h0, h1, h2, h3, h4].forEach((h, i) => out.writeInt32BE(h, i * 4));
  return out;
}

const sha1Kdf = (salt: Uint8Array, pw: Uint8Array, iter: number, id: number, size: number): Uint8Array =>
  pkcs12Kdf('sha1', 20, 64, salt, pw, iter, id, size);

// ---- ciphers ----

interface BlockCipher {
  readonly blockSize: number;
  decrypt(data: Uint8Array): Uint8Array;
  encrypt(data: Uint8Array): Uint8Array;
}

function nodeCbc(name: string, key: Uint8Array, iv: Uint8Array, blockSize: number): BlockCipher {
  const run = (mode: 'enc' | 'dec', data: Uint8Array): Uint8Array => {
    const c = mode === 'enc' ? createCipheriv(name, key, iv) : createDecipheriv(name, key, iv);
    c.setAutoPadding(false);
    return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
  };
  return { blockSize, decrypt: (d) => run('dec', d), encrypt: (d) => run('enc', d) };
}

let forgeLib: typeof Forge | undefined;
/** node-forge, loaded on the first RC2 use (a legacy PKCS#12 file) rather than at start (~2.7 MB of RSS). */
const loadForge = (): typeof Forge => (forgeLib ??= createRequire(import.meta.url)('node-forge') as typeof Forge);

/** RC2 is not in OpenSSL 3's default provider; node-forge implements it (Go: rc2.New(key, len(key)*8)). */
function rc2Cbc(key: Uint8Array, iv: Uint8Array): BlockCipher {
  const run = (enc: boolean, data: Uint8Array): Uint8Array => {
    const forge = loadForge();
    const c = enc
      ? forge.rc2.createEncryptionCipher(forge.util.createBuffer(Buffer.from(key).toString('binary')), key.length * 8)
      : forge.rc2.createDecryptionCipher(forge.util.createBuffer(Buffer.from(key).toString('binary')), key.length * 8);
    c.start(forge.util.createBuffer(Buffer.from(iv).toString('binary')));
    c.update(forge.util.createBuffer(Buffer.from(data).toString('binary')));
    // forge's finish() pads/unpads; the output buffer already holds every full block.
    const out = new Uint8Array(Buffer.from(c.output.getBytes(), 'binary'));
    return out;
  };
  return { blockSize: 8, decrypt: (d) => run(false, d), encrypt: (d) => run(true, d) };
}

interface AlgorithmIdentifier {
  readonly oid: string;
  /** The parameters element, if any. */
  readonly params: Tlv | undefined;
}

function algorithmIdentifier(t: Tlv | undefined, what: string): AlgorithmIdentifier {
  const parts = seq(t, what);
  return { oid: readOid(parts[0], what), params: parts[1] };
}

function notImplemented(message: string): Pkcs12Error {
  return new Pkcs12Error(`pkcs12: ${message}`);
}

function pbkdf2Params(t: Tlv | undefined): { salt: Uint8Array; iterations: number; keyLength: number; prf: string } {
  const parts = seq(parseOnly(t?.full ?? new Uint8Array(0)), 'pbkdf2 params');
  const salt: Tlv | undefined = parts[0];
  if (salt === undefined) throw new DerError('asn1: syntax error: sequence truncated');
  if (!isUniversal(salt, TAG.OCTET_STRING)) throw notImplemented('only octet string salts are supported for pbes2/pbkdf2');
  const iterations = readInt(parts[1], 'iterations');
  let i = 2;
  let keyLength = 0;
  if (isUniversal(parts[i], TAG.INTEGER)) keyLength = readInt(parts[i++], 'keyLength');
  let prf: string = OID.hmacSha1;
  if (parts[i]) prf = algorithmIdentifier(parts[i], 'prf').oid;
  return { salt: salt.content, iterations, keyLength, prf };
}

const HMAC_HASH: Record<string, string> = { [OID.hmacSha1]: 'sha1', [OID.hmacSha256]: 'sha256', [OID.hmacSha512]: 'sha512' };

function pbes2Cipher(params: Tlv | undefined, password: Uint8Array): BlockCipher {
  const [kdf, scheme] = seq(parseOnly(params?.full ?? new Uint8Array(0)), 'pbes2 params');
  const kdfAlg = algorithmIdentifier(kdf, 'kdf');
  if (kdfAlg.oid !== OID.pbkdf2) throw notImplemented(`pbes2 kdf algorithm ${kdfAlg.oid} is not supported`);
  const p = pbkdf2Params(kdfAlg.params);
  const hash = HMAC_HASH[p.prf];
  if (!hash) throw notImplemented(`pbes2 prf ${p.prf} is not supported`);
  const enc = algorithmIdentifier(scheme, 'encryptionScheme');
  const keyLen = enc.oid === OID.aes256 ? 32 : enc.oid === OID.aes192 ? 24 : enc.oid === OID.aes128 ? 16 : 0;
  if (keyLen === 0) throw notImplemented(`pbes2 algorithm ${enc.oid} is not supported`);
  const key = pbkdf2Sync(password, p.salt, p.iterations, keyLen, hash);
  const iv = enc.params?.content ?? new Uint8Array(0);
  if (iv.length !== 16) throw new Pkcs12Error('cipher.NewCBCDecrypter: IV length must equal block size');
  return nodeCbc(`aes-${keyLen * 8}-cbc`, key, iv, 16);
}

function pbeCipher(alg: AlgorithmIdentifier, password: Uint8Array): BlockCipher {
  if (alg.oid === OID.pbes2) return pbes2Cipher(alg.params, bmpToUtf8(password));
  const kinds: Record<string, { keyLen: number; make: (k: Uint8Array, iv: Uint8Array) => BlockCipher }> = {
    [OID.pbeSha3Des]: { keyLen: 24, make: (k, iv) => nodeCbc('des-ede3-cbc', k, iv, 8) },
    [OID.pbeShaRc2128]: { keyLen: 16, make: rc2Cbc },
    [OID.pbeShaRc240]: { keyLen: 5, make: rc2Cbc },
  };
  const kind = kinds[alg.oid];
  if (!kind) throw notImplemented(`pbe algorithm ${alg.oid} is not supported`);
  const parts = seq(parseOnly(alg.params?.full ?? new Uint8Array(0)), 'pbe params');
  const salt = readOctets(parts[0], 'salt');
  const iterations = readInt(parts[1], 'iterations');
  return kind.make(sha1Kdf(salt, password, iterations, 1, kind.keyLen), sha1Kdf(salt, password, iterations, 2, 8));
}

/** go-pkcs12's pbDecrypt, with its padding check. */
function pbDecrypt(alg: AlgorithmIdentifier, encrypted: Uint8Array, password: Uint8Array): Uint8Array {
  const cipher = pbeCipher(alg, password);
  if (encrypted.length === 0) throw new Pkcs12Error('pkcs12: empty encrypted data');
  if (encrypted.length % cipher.blockSize !== 0) throw new Pkcs12Error('pkcs12: input is not a multiple of the block size');
  const dec = cipher.decrypt(encrypted);
  const ps = dec[dec.length - 1]!;
  if (ps === 0 || ps > cipher.blockSize || dec.length < ps) throw new Pkcs12Error('pkcs12: decryption error, incorrect padding');
  for (let i = dec.length - ps; i < dec.length; i++) {
    if (dec[i] !== ps) throw new Pkcs12Error('pkcs12: decryption error, incorrect padding');
  }
  return dec.subarray(0, dec.length - ps);
}

// ---- MAC ----

interface MacData {
  readonly alg: AlgorithmIdentifier;
  readonly digest: Uint8Array;
  readonly salt: Uint8Array;
  readonly iterations: number;
}

function doMac(mac: MacData, message: Uint8Array, password: Uint8Array): Uint8Array {
  if (mac.alg.oid === OID.pbmac1) {
    const [kdf, macAlg] = seq(parseOnly(mac.alg.params?.full ?? new Uint8Array(0)), 'PBMAC1 params');
    const kdfAlg = algorithmIdentifier(kdf, 'kdf');
    if (kdfAlg.oid !== OID.pbkdf2) throw notImplemented(`PBMAC1 KDF algorithm ${kdfAlg.oid} is not supported`);
    const p = pbkdf2Params(kdfAlg.params);
    const prf = HMAC_HASH[p.prf];
    if (!prf) throw notImplemented(`PBMAC1 PRF ${p.prf} is not supported`);
    const macOid = algorithmIdentifier(macAlg, 'macAlg').oid;
    const h = HMAC_HASH[macOid];
    if (!h) throw notImplemented(`PBMAC1 MAC algorithm ${macOid} is not supported`);
    if (p.keyLength <= 0) throw new Pkcs12Error('pkcs12: PBMAC1 requires explicit KeyLength parameter in PBKDF2 parameters');
    const key = pbkdf2Sync(bmpToUtf8(password), p.salt, p.iterations, p.keyLength, prf);
    return createHmac(h, key).update(message).digest();
  }
  const kinds: Record<string, [string, number, number]> = {
    [OID.sha1]: ['sha1', 20, 64],
    [OID.sha256]: ['sha256', 32, 64],
    [OID.sha512]: ['sha512', 64, 128],
  };
  const kind = kinds[mac.alg.oid];
  if (!kind) throw notImplemented(`MAC digest algorithm not supported: ${mac.alg.oid}`);
  const [hash, u, v] = kind;
  const key = pkcs12Kdf(hash, u, v, mac.salt, password, mac.iterations, 3, u);
  return createHmac(hash, key).update(message).digest();
}

function verifyMac(mac: MacData, message: Uint8Array, password: Uint8Array): boolean {
  const computed = doMac(mac, message, password);
  return computed.length === mac.digest.length && timingSafeEqual(computed, mac.digest);
}

// ---- decoding ----

interface SafeBag {
  readonly id: string;
  /** The content of the bag's [0] EXPLICIT value: the inner element's full encoding. */
  readonly value: Uint8Array;
}

function getSafeContents(pfxData: Uint8Array, passwordIn: Uint8Array): { bags: SafeBag[]; password: Uint8Array } {
  let password = passwordIn;
  let pfx: Tlv[];
  try {
    pfx = seq(parseOnly(pfxData), 'pfx');
  } catch (e) {
    throw new Pkcs12Error(`pkcs12: error reading P12 data: ${e instanceof Error ? e.message : 'asn1'}`);
  }
  if (readInt(pfx[0], 'version') !== 3) throw notImplemented("can only decode v3 PFX PDU's");
  const authSafe = seq(pfx[1], 'authSafe');
  if (readOid(authSafe[0], 'contentType') !== OID.data) throw notImplemented('only password-protected PFX is implemented');
  const wrapper = authSafe[1];
  if (!wrapper || wrapper.cls !== 2 || wrapper.tag !== 0) throw new DerError('asn1: structure error: authSafe content');
  const authSafeBytes = readOctets(parseOnly(wrapper.content), 'authSafe octets');

  const macTlv = pfx[2];
  if (macTlv === undefined) {
    if (!(password.length === 2 && password[0] === 0 && password[1] === 0)) throw new Pkcs12Error('pkcs12: no MAC in data');
  } else {
    const m = seq(macTlv, 'macData');
    const digestInfo = seq(m[0], 'digestInfo');
    const mac: MacData = {
      alg: algorithmIdentifier(digestInfo[0], 'mac algorithm'),
      digest: readOctets(digestInfo[1], 'digest'),
      salt: readOctets(m[1], 'macSalt'),
      iterations: m[2] ? readInt(m[2], 'iterations') : 1,
    };
    if (!verifyMac(mac, authSafeBytes, password)) {
      const emptyRetry = password.length === 2 && password[0] === 0 && password[1] === 0 && verifyMac(mac, authSafeBytes, new Uint8Array(0));
      if (!emptyRetry) throw new Pkcs12Error('pkcs12: decryption password incorrect');
      password = new Uint8Array(0);
    }
  }

  const items = seq(parseOnly(authSafeBytes), 'authenticatedSafe');
  if (items.length < 1 || items.length > 2) {
    throw notImplemented(`expected between 1 and 2 items in the authenticated safe, but this file has ${items.length}`);
  }
  const bags: SafeBag[] = [];
  for (const ci of items) {
    const parts = seq(ci, 'contentInfo');
    const type = readOid(parts[0], 'contentType');
    const content = parts[1];
    const inner = content && content.cls === 2 && content.tag === 0 ? parseOnly(content.content) : undefined;
    let data: Uint8Array;
    if (type === OID.data) {
      data = readOctets(inner, 'data');
    } else if (type === OID.encryptedData) {
      const ed = seq(inner, 'encryptedData');
      if (readInt(ed[0], 'version') !== 0) throw notImplemented('only version 0 of EncryptedData is supported');
      const eci = seq(ed[1], 'encryptedContentInfo');
      const alg = algorithmIdentifier(eci[1], 'contentEncryptionAlgorithm');
      const enc = eci[2] && eci[2].cls === 2 && eci[2].tag === 0 && !eci[2].constructed ? eci[2].content : new Uint8Array(0);
      data = pbDecrypt(alg, enc, password);
    } else {
      throw notImplemented('only data and encryptedData content types are supported in authenticated safe');
    }
    for (const bag of seq(parseOnly(data), 'safeContents')) {
      const fields = seq(bag, 'safeBag');
      const value = fields[1];
      if (!value || value.cls !== 2 || value.tag !== 0 || !value.constructed) throw new DerError('asn1: structure error: safeBag value');
      bags.push({ id: readOid(fields[0], 'bagId'), value: value.content });
    }
  }
  return { bags, password };
}

export interface DecodedChain {
  readonly key: GoKey;
  readonly certificate: ParsedCertificate;
  readonly caCerts: ParsedCertificate[];
}

/**
 * go-pkcs12's DecodeChain.
 * @param pfx the PFX (DER) bytes; @param password the password's bytes (a Go string).
 * @throws Pkcs12Error / DerError / X509Error with go-pkcs12's and Go's messages.
 */
export function decodeChain(pfx: Uint8Array, password: Uint8Array): DecodedChain {
  const { bags, password: used } = getSafeContents(pfx, bmpZeroTerminated(password));
  let key: GoKey | undefined;
  let certificate: ParsedCertificate | undefined;
  const caCerts: ParsedCertificate[] = [];
  for (const bag of bags) {
    if (bag.id === OID.certBag) {
      const cb = seq(parseOnly(bag.value), 'certBag');
      if (readOid(cb[0], 'certId') !== OID.x509Certificate) throw notImplemented('only X509 certificates are supported in cert bags');
      const wrapped = cb[1];
      if (!wrapped || wrapped.cls !== 2 || wrapped.tag !== 0) throw new DerError('asn1: structure error: certBag data');
      const der = readOctets(parseOnly(wrapped.content), 'certBag data');
      // x509.ParseCertificates: a concatenation of certificates, exactly one here.
      const certs: ParsedCertificate[] = [];
      for (let i = 0; i < der.length; ) {
        const { next } = readTlv(der, i);
        certs.push(parseCertificate(der.subarray(i, next)));
        i = next;
      }
      if (certs.length !== 1) throw new Pkcs12Error('pkcs12: expected exactly one certificate in the certBag');
      if (certificate === undefined) certificate = certs[0];
      else caCerts.push(certs[0]!);
    } else if (bag.id === OID.keyBag || bag.id === OID.shroudedKeyBag) {
      if (key !== undefined) throw new Pkcs12Error('pkcs12: expected exactly one key bag');
      if (bag.id === OID.keyBag) {
        key = parsePkcs8PrivateKey(bag.value);
      } else {
        const info = seq(parseOnly(bag.value), 'encryptedPrivateKeyInfo');
        const plain = pbDecrypt(algorithmIdentifier(info[0], 'algorithm'), readOctets(info[1], 'encryptedData'), used);
        parseOnly(plain);
        key = parsePkcs8PrivateKey(plain);
      }
    }
  }
  if (certificate === undefined) throw new Pkcs12Error('pkcs12: certificate missing');
  if (key === undefined) throw new Pkcs12Error('pkcs12: private key missing');
  return { key, certificate, caCerts };
}

// ---- encoding (go-pkcs12 Modern = Modern2023) ----

const ITERATIONS = 2048;
const SALT_LEN = 16;

function pbes2Encrypt(plain: Uint8Array, bmpPassword: Uint8Array): { algorithm: Uint8Array; encrypted: Uint8Array } {
  const salt = randomBytes(SALT_LEN);
  const iv = randomBytes(16);
  const params = derSeq(
    derSeq(derOid(OID.pbkdf2), derSeq(derOctets(salt), derSmallInt(ITERATIONS), derSeq(derOid(OID.hmacSha256)))),
    derSeq(derOid(OID.aes256), derOctets(iv)),
  );
  const key = pbkdf2Sync(bmpToUtf8(bmpPassword), salt, ITERATIONS, 32, 'sha256');
  const pad = 16 - (plain.length % 16);
  const padded = Uint8Array.from([...plain, ...new Uint8Array(pad).fill(pad)]);
  const encrypted = nodeCbc('aes-256-cbc', key, iv, 16).encrypt(padded);
  return { algorithm: derSeq(derOid(OID.pbes2), params), encrypted };
}

function attribute(oid: string, ...values: Uint8Array[]): Uint8Array {
  return derSeq(derOid(oid), derSet(...values));
}

function certBag(raw: Uint8Array, attributes: Uint8Array[]): Uint8Array {
  const value = derSeq(derOid(OID.x509Certificate), derExplicit(0, derOctets(raw)));
  // go-pkcs12 passes a non-nil (possibly empty) attribute slice, which encoding/asn1 writes as a SET.
  return derSeq(derOid(OID.certBag), derExplicit(0, value), derSet(...attributes));
}

function encryptedContentInfo(bags: Uint8Array[], bmpPassword: Uint8Array): Uint8Array {
  const { algorithm, encrypted } = pbes2Encrypt(derSeq(...bags), bmpPassword);
  const encryptedData = derSeq(derSmallInt(0), derSeq(derOid(OID.data), algorithm, tlv(0x80, encrypted)));
  return derSeq(derOid(OID.encryptedData), derExplicit(0, encryptedData));
}

function finishPfx(authenticatedSafe: Uint8Array, bmpPassword: Uint8Array): Uint8Array {
  const macSalt = randomBytes(SALT_LEN);
  const macKey = pkcs12Kdf('sha256', 32, 64, macSalt, bmpPassword, ITERATIONS, 3, 32);
  const digest = createHmac('sha256', macKey).update(authenticatedSafe).digest();
  const macData = derSeq(derSeq(derSeq(derOid(OID.sha256)), derOctets(digest)), derOctets(macSalt), derSmallInt(ITERATIONS));
  return derSeq(derSmallInt(3), derSeq(derOid(OID.data), derExplicit(0, derOctets(authenticatedSafe))), macData);
}

/**
 * go-pkcs12 `Modern.Encode(key, cert, caCerts, password)`: certificates in an encrypted safe (the
 * leaf carrying localKeyId = SHA-1 of its DER), the shrouded key with the same localKeyId in a
 * plain safe, a SHA-256 MAC.
 */
export function encodeModern(key: GoKey, cert: ParsedCertificate, caCerts: readonly ParsedCertificate[], password: Uint8Array): Uint8Array {
  const bmp = bmpZeroTerminated(password);
  const localKeyId = attribute(OID.localKeyId, derOctets(createHash('sha1').update(cert.raw).digest()));
  const certBags = [certBag(cert.raw, [localKeyId]), ...caCerts.map((c) => certBag(c.raw, []))];
  const { algorithm, encrypted } = pbes2Encrypt(marshalPkcs8(key), bmp);
  const keyBag = derSeq(derOid(OID.shroudedKeyBag), derExplicit(0, derSeq(algorithm, derOctets(encrypted))), derSet(localKeyId));
  const plainSafe = derSeq(derOid(OID.data), derExplicit(0, derOctets(derSeq(keyBag))));
  return finishPfx(derSeq(encryptedContentInfo(certBags, bmp), plainSafe), bmp);
}

/** go-pkcs12 `Modern.EncodeTrustStore`: each certificate with the Java trust attribute and its subject as friendlyName. */
export function encodeTrustStoreModern(certs: readonly ParsedCertificate[], password: Uint8Array): Uint8Array {
  const bmp = bmpZeroTerminated(password);
  const trust = attribute(OID.javaTrustStore, derOid(OID.anyExtendedKeyUsage));
  const bags = certs.map((c) => {
    const name = bmpZeroTerminated(new Uint8Array(Buffer.from(c.subjectString, 'utf8')));
    const friendly = attribute(OID.friendlyName, tlv(0x1e, name.subarray(0, name.length - 2)));
    return certBag(c.raw, [trust, friendly]);
  });
  return finishPfx(derSeq(encryptedContentInfo(bags, bmp)), bmp);
}

