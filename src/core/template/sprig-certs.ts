/**
 * sprig v3.3.0's certificate functions (crypto.go): genCA, genCAWithKey, genSelfSignedCert,
 * genSelfSignedCertWithKey, genSignedCert, genSignedCertWithKey and buildCustomCert. They return
 * sprig's `certificate` struct {Cert, Key string} (a GoObject: `.Cert`/`.Key`, %v `{cert key}`).
 *
 * The certificate is written as Go 1.26's x509.CreateCertificate writes sprig's template
 * (getBaseCertTemplate): v3, a random 128-bit serial, subject CN only, NotBefore = now, NotAfter =
 * now + days×24h, KeyUsage digitalSignature|keyEncipherment (CA: |certSign, critical), ExtKeyUsage
 * serverAuth+clientAuth, BasicConstraints (critical; CA:TRUE for genCA), for a CA a SubjectKeyId
 * of the first 20 bytes of SHA-256 over the public key (Go 1.26's default), an AuthorityKeyId from
 * the signer's SubjectKeyId when issuer ≠ subject, and SANs (DNS names then IPs; critical when the
 * subject is empty), in Go's extension order. Signatures: SHA256WithRSA for RSA keys, ECDSA with
 * SHA-256/384/512 by curve, Ed25519. Keys are written as sprig's pemBlockForKey writes them (RSA →
 * PKCS#1 "RSA PRIVATE KEY", EC → SEC 1 "EC PRIVATE KEY", Ed25519 → PKCS#8 "PRIVATE KEY").
 * Generated keys are RSA 2048, as in sprig. Serials, keys and times differ from run to run, as in Go.
 *
 * Error texts follow sprig's, without the values Go would quote (an IP string, a PEM type).
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { goStringToBytes } from '../go-string.ts';
import { derBitString, derExplicit, derOctets, derOid, derSeq, derSet, derSmallInt, derUnsigned, expect, readTlv, seq, tlv, TAG, type Tlv } from './der.ts';
import { fn, type CallContext, type GoTypeParam, type TemplateFunc } from './func-table.ts';
import { parseGoIpForSan } from './go-netip.ts';
import { pemDecode, pemEncode } from './go-pem.ts';
import { ecComponents, marshalPkcs8, marshalPkix, parsePkcs8PrivateKey, pkcs1Private, type GoKey, X509Error } from './go-x509.ts';
import { FuncError } from './template-error.ts';
import { GoObject, goTypeName, sliceElemType, type GoStructType } from './values.ts';

export interface SprigCertificate {
  readonly Cert: string;
  readonly Key: string;
}

/**
 * sprig's `type certificate struct { Cert string; Key string }` (crypto.go): no methods, so
 * encoding/json writes both fields and copystructure copies both; `==` compares both strings.
 */
const CERTIFICATE: GoStructType<SprigCertificate> = {
  name: 'sprig.certificate',
  fields: (c) => [
    ['Cert', c.Cert],
    ['Key', c.Key],
  ],
  methods: new Map(),
  copy: (c) => ({ Cert: c.Cert, Key: c.Key }),
};

/** The functions return the struct itself, not a pointer to it. */
function certificate(cert: string, key: string): GoObject<SprigCertificate> {
  return new GoObject(CERTIFICATE, { Cert: cert, Key: key }, false);
}

const bytesOf = (s: string): Uint8Array => goStringToBytes(s) ?? new Uint8Array(Buffer.from(s, 'utf8'));
const ascii = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

const CURVE_OIDS: Record<string, string> = {
  secp224r1: '1.3.132.0.33',
  prime256v1: '1.2.840.10045.3.1.7',
  secp384r1: '1.3.132.0.34',
  secp521r1: '1.3.132.0.35',
};
const CURVE_BYTES: Record<string, number> = { secp224r1: 28, prime256v1: 32, secp384r1: 48, secp521r1: 66 };

function classify(key: KeyObject): GoKey | 'unsupported' {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return { key, kind: 'rsa' };
    case 'ed25519':
      return { key, kind: 'ed25519' };
    case 'x25519':
      return { key, kind: 'x25519' };
    case 'ec':
      return key.asymmetricKeyDetails?.namedCurve !== undefined && key.asymmetricKeyDetails.namedCurve in CURVE_OIDS ? { key, kind: 'ec' } : 'unsupported';
    default:
      return 'unsupported';
  }
}

function parseWith(der: Uint8Array, type: 'pkcs1' | 'sec1', what: string): GoKey {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: Buffer.from(der), format: 'der', type });
  } catch {
    throw new FuncError(`parsing ${what} private key from PEM: x509: failed to parse private key`);
  }
  const k = classify(key);
  if (k === 'unsupported' || (type === 'pkcs1' && k.kind !== 'rsa') || (type === 'sec1' && k.kind !== 'ec')) {
    throw new FuncError(`parsing ${what} private key from PEM: x509: failed to parse private key`);
  }
  return k;
}

/** sprig's parsePrivateKeyPEM (the first PEM block decides). */
function parsePrivateKeyPem(pemText: string): GoKey {
  const { block } = pemDecode(bytesOf(pemText));
  if (!block) throw new FuncError('no PEM data in input');
  const type = ascii(block.type);
  if (type === 'PRIVATE KEY') {
    try {
      return parsePkcs8PrivateKey(block.bytes);
    } catch (e) {
      if (e instanceof X509Error) throw new FuncError(`decoding PEM as PKCS#8: ${e.message}`);
      throw e;
    }
  }
  // Go names the PEM type in these two messages; it comes from the input, so it is left out.
  if (!type.endsWith(' PRIVATE KEY')) throw new FuncError('no private key data in PEM block of this type');
  switch (type.slice(0, -12)) {
    case 'RSA':
      return parseWith(block.bytes, 'pkcs1', 'RSA');
    case 'EC':
      return parseWith(block.bytes, 'sec1', 'EC');
    case 'DSA':
      throw new FuncError('DSA keys are not supported by Projector', true);
    default:
      throw new FuncError('invalid private key type');
  }
}

/** sprig's pemBlockForKey, PEM-encoded. */
function keyPem(k: GoKey): string {
  switch (k.kind) {
    case 'rsa':
      return ascii(pemEncode({ type: 'RSA PRIVATE KEY', bytes: pkcs1Private(k.key.export({ format: 'jwk' })) }));
    case 'ec': {
      // x509.MarshalECPrivateKey: version 1, the scalar padded to the field size, curve, public point.
      const curve = k.key.asymmetricKeyDetails!.namedCurve!;
      const { d, point } = ecComponents(k.key);
      const padded = Uint8Array.from([...new Uint8Array(Math.max(0, CURVE_BYTES[curve]! - d.length)), ...d]);
      const der = derSeq(derSmallInt(1), derOctets(padded), derExplicit(0, derOid(CURVE_OIDS[curve]!)), derExplicit(1, derBitString(point)));
      return ascii(pemEncode({ type: 'EC PRIVATE KEY', bytes: der }));
    }
    default:
      return ascii(pemEncode({ type: 'PRIVATE KEY', bytes: marshalPkcs8(k) }));
  }
}

/** signingParamsForKey: the signature AlgorithmIdentifier and how to sign. */
function signingParams(k: GoKey): { algorithm: Uint8Array; hash: string | null } {
  switch (k.kind) {
    case 'rsa':
      return { algorithm: derSeq(derOid('1.2.840.113549.1.1.11'), Uint8Array.of(0x05, 0x00)), hash: 'sha256' };
    case 'ec': {
      const curve = k.key.asymmetricKeyDetails!.namedCurve!;
      if (curve === 'prime256v1') return { algorithm: derSeq(derOid('1.2.840.10045.4.3.2')), hash: 'sha256' };
      if (curve === 'secp384r1') return { algorithm: derSeq(derOid('1.2.840.10045.4.3.3')), hash: 'sha384' };
      if (curve === 'secp521r1') return { algorithm: derSeq(derOid('1.2.840.10045.4.3.4')), hash: 'sha512' };
      throw new FuncError('error creating certificate: x509: unsupported elliptic curve');
    }
    case 'ed25519':
      return { algorithm: derSeq(derOid('1.3.101.112')), hash: null };
    default:
      throw new FuncError('error creating certificate: x509: certificate private key does not implement crypto.Signer');
  }
}

/** encoding/asn1's string choice: PrintableString when every byte allows it ('*' and '&' do not), else UTF8String. */
function asn1String(s: string): Uint8Array {
  const b = bytesOf(s);
  const printable = [...b].every((c) => /[A-Za-z0-9'()+,\-./ :=?]/.test(String.fromCharCode(c)));
  if (!printable && goStringToBytes(s) !== undefined && Buffer.from(b).toString('utf8') !== s) throw new FuncError('error creating certificate: asn1: string not valid UTF-8');
  return tlv(printable ? 0x13 : 0x0c, b);
}

/** pkix.Name{CommonName: cn}.ToRDNSequence(), marshalled: an empty CN gives an empty sequence. */
function subjectDer(cn: string): Uint8Array {
  if (cn === '') return derSeq();
  return derSeq(derSet(derSeq(derOid('2.5.4.3'), asn1String(cn))));
}

/** encoding/asn1's time.Time: UTCTime for 1950 ≤ year < 2050, GeneralizedTime otherwise (seconds, UTC). */
function asn1Time(ms: number): Uint8Array {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  if (!Number.isFinite(ms) || year < 0 || year > 9999) throw new FuncError('error creating certificate: asn1: cannot represent time as GeneralizedTime');
  const two = (n: number) => String(n).padStart(2, '0');
  const rest = `${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}Z`;
  if (year >= 1950 && year < 2050) return tlv(0x17, Buffer.from(`${two(year % 100)}${rest}`, 'latin1'));
  return tlv(0x18, Buffer.from(`${String(year).padStart(4, '0')}${rest}`, 'latin1'));
}

/** A `[]interface{}` parameter: a list from `list`, or nil; anything else is Go's type error. */
function interfaceList(v: unknown): unknown[] {
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v) || sliceElemType(v) !== 'interface {}') throw new FuncError(`wrong type for value; expected []interface {}; got ${goTypeName(v)}`);
  return v;
}

/** sprig's getNetIPs. */
function netIps(ips: unknown): Uint8Array[] {
  return interfaceList(ips).map((ip) => {
    if (typeof ip !== 'string') throw new FuncError('error parsing ip: not a string');
    const parsed = parseGoIpForSan(ip);
    if (!parsed) throw new FuncError('error parsing ip: not an IP address');
    return parsed;
  });
}

/** sprig's getAlternateDNSStrs, and x509's IA5String check on each name. */
function dnsNames(names: unknown): string[] {
  return interfaceList(names).map((n) => {
    if (typeof n !== 'string') throw new FuncError('error processing alternate dns name: not a string');
    return n;
  });
}

function extension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  return derSeq(derOid(oid), ...(critical ? [Uint8Array.of(0x01, 0x01, 0xff)] : []), derOctets(value));
}

/** The subjectPublicKey bits of a key's SubjectPublicKeyInfo (Go's publicKeyBytes). */
function publicKeyBits(spki: Uint8Array): Uint8Array {
  return expect(seq(readTlv(spki).tlv, 'spki')[1], TAG.BIT_STRING, 'subjectPublicKey').content.subarray(1);
}

/**
 * Go's privPub.Equal(parent.PublicKey). Keys of different types are unequal without asking OpenSSL:
 * its EVP_PKEY_eq leaves "different key types" on the thread's error queue, which the next
 * createPrivateKey then reports as its own failure.
 */
function samePublicKey(a: KeyObject, b: KeyObject): boolean {
  if (a.asymmetricKeyType !== b.asymmetricKeyType) return false;
  if (a.asymmetricKeyDetails?.namedCurve !== b.asymmetricKeyDetails?.namedCurve) return false;
  return a.equals(b);
}

interface Parent {
  readonly rawSubject: Uint8Array;
  readonly subjectKeyId: Uint8Array | undefined;
  readonly publicKey: KeyObject;
}

interface Template {
  readonly cn: string;
  readonly ips: Uint8Array[];
  readonly dns: string[];
  readonly days: bigint;
  readonly isCA: boolean;
}

const NS_PER_DAY = 24n * 3600n * 1_000_000_000n;

/** x509.CreateCertificate for sprig's template (see the module comment), PEM-encoded. */
function createCertificate(t: Template, signee: GoKey, parent: Parent | undefined, signer: GoKey, nowNanos: bigint): string {
  for (const name of t.dns) {
    if (![...name].every((c) => c.charCodeAt(0) < 0x80)) throw new FuncError('error creating certificate: x509: a DNS name cannot be encoded as an IA5String');
  }
  const { algorithm, hash } = signingParams(signer);
  if (signee.kind === 'x25519') throw new FuncError('error creating certificate: x509: unsupported public key type: *ecdh.PublicKey');
  const spki = marshalPkix({ key: createPublicKey(signee.key), kind: signee.kind });
  const subject = subjectDer(t.cn);
  const issuer = parent ? parent.rawSubject : subject;
  if (parent && !samePublicKey(createPublicKey(signer.key), parent.publicKey)) {
    throw new FuncError("error creating certificate: x509: provided PrivateKey doesn't match parent's PublicKey");
  }
  const sameName = Buffer.compare(Buffer.from(issuer), Buffer.from(subject)) === 0;
  const authorityKeyId = !sameName && parent?.subjectKeyId && parent.subjectKeyId.length > 0 ? parent.subjectKeyId : undefined;
  const subjectKeyId = t.isCA ? createHash('sha256').update(publicKeyBits(spki)).digest().subarray(0, 20) : undefined;

  // time.Hour*24*time.Duration(days) is int64 nanoseconds and wraps as Go's arithmetic does.
  const addNs = BigInt.asIntN(64, NS_PER_DAY * BigInt.asIntN(64, t.days));
  const now = Number(nowNanos / 1_000_000n);
  const notAfter = Number((nowNanos + addNs) / 1_000_000n);

  const extensions: Uint8Array[] = [
    extension('2.5.29.15', true, t.isCA ? Uint8Array.of(0x03, 0x02, 0x02, 0xa4) : Uint8Array.of(0x03, 0x02, 0x05, 0xa0)),
    extension('2.5.29.37', false, derSeq(derOid('1.3.6.1.5.5.7.3.1'), derOid('1.3.6.1.5.5.7.3.2'))),
    extension('2.5.29.19', true, t.isCA ? derSeq(Uint8Array.of(0x01, 0x01, 0xff)) : derSeq()),
  ];
  if (subjectKeyId) extensions.push(extension('2.5.29.14', false, derOctets(subjectKeyId)));
  if (authorityKeyId) extensions.push(extension('2.5.29.35', false, derSeq(tlv(0x80, authorityKeyId))));
  if (t.dns.length > 0 || t.ips.length > 0) {
    const names = [...t.dns.map((n) => tlv(0x82, Buffer.from(n, 'latin1'))), ...t.ips.map((ip) => tlv(0x87, ip))];
    extensions.push(extension('2.5.29.17', t.cn === '', derSeq(...names)));
  }
  const tbs = derSeq(
    derExplicit(0, derSmallInt(2)),
    derUnsigned(randomBytes(16)),
    algorithm,
    issuer,
    derSeq(asn1Time(now), asn1Time(notAfter)),
    subject,
    spki,
    derExplicit(3, derSeq(...extensions)),
  );
  const signature = hash === null ? sign(null, tbs, signer.key) : sign(hash, tbs, signer.kind === 'ec' ? { key: signer.key, dsaEncoding: 'der' } : signer.key);
  const der = derSeq(tbs, algorithm, derBitString(signature));
  return ascii(pemEncode({ type: 'CERTIFICATE', bytes: der }));
}

/** The parts of the signer certificate x509.CreateCertificate reads: raw subject, SubjectKeyId, public key. */
function parseParent(certPem: string): Parent {
  const { block } = pemDecode(bytesOf(certPem));
  if (!block) throw new FuncError('unable to decode certificate');
  const fail = (): never => {
    throw new FuncError('error parsing certificate: decodedSignerCert.Bytes: x509: malformed certificate');
  };
  let x509: X509Certificate;
  let tbs: Tlv[];
  try {
    const { tlv: top, next } = readTlv(block.bytes);
    if (next !== block.bytes.length) fail();
    tbs = seq(seq(top, 'certificate')[0], 'tbsCertificate');
    x509 = new X509Certificate(Buffer.from(block.bytes));
  } catch (e) {
    if (e instanceof FuncError) throw e;
    return fail();
  }
  const offset = tbs[0]?.tag === 0 && tbs[0].cls === 2 ? 1 : 0;
  const subjectTlv = tbs[offset + 4]!;
  let subjectKeyId: Uint8Array | undefined;
  const extsTlv = tbs.find((t) => t.cls === 2 && t.tag === 3);
  if (extsTlv) {
    for (const ext of seq(readTlv(extsTlv.content).tlv, 'extensions')) {
      const parts = seq(ext, 'extension');
      if (ascii(parts[0]!.full) === ascii(derOid('2.5.29.14'))) {
        const value = parts[parts.length - 1]!.content;
        subjectKeyId = readTlv(value).tlv.content;
      }
    }
  }
  return { rawSubject: subjectTlv.full, subjectKeyId, publicKey: x509.publicKey };
}

function newRsaKey(): GoKey {
  return { key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, kind: 'rsa' };
}

function withKeyPem(pem: string): GoKey {
  try {
    return parsePrivateKeyPem(pem);
  } catch (e) {
    if (e instanceof FuncError && !e.unsupported) throw new FuncError(`parsing private key: ${e.message}`);
    throw e;
  }
}

function genCA(cn: string, days: bigint, key: GoKey, now: bigint): GoObject<SprigCertificate> {
  return certificate(createCertificate({ cn, ips: [], dns: [], days, isCA: true }, key, undefined, key, now), keyPem(key));
}

function genSelfSigned(cn: string, ips: unknown, dns: unknown, days: bigint, key: GoKey, now: bigint): GoObject<SprigCertificate> {
  const t = { cn, ips: netIps(ips), dns: dnsNames(dns), days, isCA: false };
  return certificate(createCertificate(t, key, undefined, key, now), keyPem(key));
}

/** genSignedCert's `ca certificate` parameter: the executor checks the type, as Go's does. */
const CA_PARAM: GoTypeParam = { goType: CERTIFICATE.name };

function genSigned(cn: string, ips: unknown, dns: unknown, days: bigint, caValue: unknown, key: () => GoKey, now: bigint): GoObject<SprigCertificate> {
  const ca = (caValue as GoObject<SprigCertificate>).value;
  const signee = key();
  const parent = parseParent(ca.Cert);
  let signer: GoKey;
  try {
    signer = parsePrivateKeyPem(ca.Key);
  } catch (e) {
    if (e instanceof FuncError && !e.unsupported) throw new FuncError(`error parsing private key: ${e.message}`);
    throw e;
  }
  const t = { cn, ips: netIps(ips), dns: dnsNames(dns), days, isCA: false };
  return certificate(createCertificate(t, signee, parent, signer, now), keyPem(signee));
}

/** sprig's buildCustomCertificate: base64 PEM certificate and key, checked, returned as given. */
function buildCustomCert(b64cert: string, b64key: string): GoObject<SprigCertificate> {
  const b64 = /^[A-Za-z0-9+/]*={0,2}$/;
  const decode = (s: string, what: string): Buffer => {
    // base64.StdEncoding: padded, no whitespace other than CR/LF (which Go skips).
    const t = s.replace(/[\r\n]/g, '');
    if (!b64.test(t) || t.length % 4 !== 0) throw new FuncError(`unable to decode base64 ${what}`);
    return Buffer.from(t, 'base64');
  };
  const cert = decode(b64cert, 'certificate');
  const key = decode(b64key, 'private key');
  const { block } = pemDecode(new Uint8Array(cert));
  if (!block) throw new FuncError('unable to decode certificate');
  try {
    const { next } = readTlv(block.bytes);
    if (next !== block.bytes.length) throw new Error('trailing data');
    new X509Certificate(Buffer.from(block.bytes));
  } catch {
    throw new FuncError('error parsing certificate: decodedCert.Bytes: x509: malformed certificate');
  }
  try {
    parsePrivateKeyPem(ascii(key));
  } catch (e) {
    if (e instanceof FuncError && !e.unsupported) throw new FuncError(`error parsing private key: ${e.message}`);
    throw e;
  }
  return certificate(cert.toString('latin1'), key.toString('latin1'));
}

/**
 * The render's time.Now() in Unix nanoseconds (CallContext.now). The engine has no clock of its
 * own (the core is pure): a caller that passes none gets a clear failure, not a made-up time.
 */
function renderNow(ctx: CallContext): bigint {
  if (!ctx.now) throw new FuncError(`${ctx.name} needs the render time, which this caller does not pass`, true);
  return ctx.now.unixNanos;
}

export const SPRIG_CERTS: ReadonlyMap<string, TemplateFunc> = new Map<string, TemplateFunc>([
  ['genCA', fn(['string', 'int'], ([cn, d], ctx) => genCA(cn as string, d as bigint, newRsaKey(), renderNow(ctx)))],
  ['genCAWithKey', fn(['string', 'int', 'string'], ([cn, d, k], ctx) => genCA(cn as string, d as bigint, withKeyPem(k as string), renderNow(ctx)))],
  ['genSelfSignedCert', fn(['string', 'any', 'any', 'int'], ([cn, ips, dns, d], ctx) => genSelfSigned(cn as string, ips, dns, d as bigint, newRsaKey(), renderNow(ctx)))],
  [
    'genSelfSignedCertWithKey',
    fn(['string', 'any', 'any', 'int', 'string'], ([cn, ips, dns, d, k], ctx) =>
      genSelfSigned(cn as string, ips, dns, d as bigint, withKeyPem(k as string), renderNow(ctx))),
  ],
  ['genSignedCert', fn(['string', 'any', 'any', 'int', CA_PARAM], ([cn, ips, dns, d, ca], ctx) => genSigned(cn as string, ips, dns, d as bigint, ca, newRsaKey, renderNow(ctx)))],
  [
    'genSignedCertWithKey',
    fn(['string', 'any', 'any', 'int', CA_PARAM, 'string'], ([cn, ips, dns, d, ca, k], ctx) =>
      genSigned(cn as string, ips, dns, d as bigint, ca, () => withKeyPem(k as string), renderNow(ctx))),
  ],
  ['buildCustomCert', fn(['string', 'string'], ([c, k]) => buildCustomCert(c as string, k as string))],
]);
