/**
 * The parts of Go's `crypto/x509` that ESO's template functions use, producing Go's bytes:
 * private keys parsed as ESO's parsePrivateKey tries them (PKCS#1, then PKCS#8, then SEC 1) and
 * marshalled as `x509.MarshalPKCS8PrivateKey` writes them; public keys as
 * `x509.MarshalPKIXPublicKey`; from certificates the raw DER, key identifiers, SANs and the
 * subject as `pkix.Name.String()` prints it.
 *
 * Key material is read and checked by Node's crypto (OpenSSL); the DER Go writes is rebuilt here
 * from the key's components, so output does not depend on how OpenSSL would re-encode a key.
 * Key types: RSA, ECDSA on P-224/P-256/P-384/P-521, Ed25519 and X25519, as Go's PKCS#8 parser
 * accepts; anything else fails as Go's does. Errors never include key or certificate content.
 */
import { createPrivateKey, createPublicKey, X509Certificate, type JsonWebKey, type KeyObject } from 'node:crypto';
import {
  children,
  derBitString,
  derExplicit,
  derNull,
  derOctets,
  derOid,
  derSeq,
  derSmallInt,
  derUnsigned,
  expect,
  isUniversal,
  readOctets,
  readOid,
  readTlv,
  seq,
  TAG,
  type Tlv,
} from './der.ts';

export class X509Error extends Error {
  override readonly name = 'X509Error';
}

const OID_RSA = '1.2.840.113549.1.1.1';
const OID_EC = '1.2.840.10045.2.1';
const OID_ED25519 = '1.3.101.112';
const OID_X25519 = '1.3.101.110';

/** Node's curve names → Go's curve OIDs and field sizes. */
const CURVES: Record<string, { oid: string; bytes: number }> = {
  secp224r1: { oid: '1.3.132.0.33', bytes: 28 },
  prime256v1: { oid: '1.2.840.10045.3.1.7', bytes: 32 },
  secp384r1: { oid: '1.3.132.0.34', bytes: 48 },
  secp521r1: { oid: '1.3.132.0.35', bytes: 66 },
};

/** A private or public key Go can marshal, held as a Node KeyObject. */
export interface GoKey {
  readonly key: KeyObject;
  readonly kind: 'rsa' | 'ec' | 'ed25519' | 'x25519';
}

function b64u(s: string | undefined): Uint8Array {
  return new Uint8Array(Buffer.from(s ?? '', 'base64url'));
}

function classify(key: KeyObject): GoKey {
  const type = key.asymmetricKeyType;
  if (type === 'rsa') return { key, kind: 'rsa' };
  if (type === 'ed25519') return { key, kind: 'ed25519' };
  if (type === 'x25519') return { key, kind: 'x25519' };
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve !== undefined && curve in CURVES) return { key, kind: 'ec' };
    throw new X509Error('x509: unknown elliptic curve');
  }
  throw new X509Error('x509: PKCS#8 wrapping contained private key with unknown algorithm');
}

function tryPrivate(der: Uint8Array, type: 'pkcs1' | 'pkcs8' | 'sec1'): KeyObject | undefined {
  try {
    return createPrivateKey({ key: Buffer.from(der), format: 'der', type });
  } catch {
    return undefined;
  }
}

/** The algorithm OID of a PKCS#8 PrivateKeyInfo, if `der` is one (to refuse what Go's parser refuses). */
function pkcs8Algorithm(der: Uint8Array): string | undefined {
  try {
    const parts = seq(readTlv(der).tlv, 'pkcs8');
    return readOid(seq(parts[1], 'algorithm')[0], 'algorithm');
  } catch {
    return undefined;
  }
}

/**
 * `x509.ParsePKCS8PrivateKey`: RSA, EC (named P-curves), Ed25519, X25519.
 * @throws X509Error when Go's parser fails.
 */
export function parsePkcs8PrivateKey(der: Uint8Array): GoKey {
  const oid = pkcs8Algorithm(der);
  if (oid === undefined) throw new X509Error('x509: failed to parse private key');
  if (![OID_RSA, OID_EC, OID_ED25519, OID_X25519].includes(oid)) {
    throw new X509Error('x509: PKCS#8 wrapping contained private key with unknown algorithm');
  }
  const key = tryPrivate(der, 'pkcs8');
  if (!key) throw new X509Error('x509: failed to parse private key');
  return classify(key);
}

/**
 * ESO's parsePrivateKey (runtime/template/v2/pkcs12.go): PKCS#1, then PKCS#8, then SEC 1.
 * @throws X509Error `unable to parse private key type`, ESO's message, when none fits.
 */
export function parseAnyPrivateKey(der: Uint8Array): GoKey {
  const pkcs1 = isPkcs1Shape(der) ? tryPrivate(der, 'pkcs1') : undefined;
  if (pkcs1) return classify(pkcs1);
  try {
    return parsePkcs8PrivateKey(der);
  } catch {
    // next form
  }
  const sec1 = isSec1Shape(der) ? tryPrivate(der, 'sec1') : undefined;
  if (sec1) {
    try {
      return classify(sec1);
    } catch {
      // an unknown curve: Go's ParseECPrivateKey fails too
    }
  }
  throw new X509Error('unable to parse private key type');
}

/**
 * `x509.ParsePKCS1PrivateKey`: an RSA key in PKCS#1 form only.
 * @throws X509Error `x509: failed to parse private key` otherwise (Go's message without its hint).
 */
export function parsePkcs1PrivateKey(der: Uint8Array): GoKey {
  const key = isPkcs1Shape(der) ? tryPrivate(der, 'pkcs1') : undefined;
  if (!key) throw new X509Error('x509: failed to parse private key');
  return classify(key);
}

/**
 * `x509.ParseECPrivateKey`: a SEC 1 ECPrivateKey on a curve Go knows (P-224/256/384/521).
 * @throws X509Error `x509: failed to parse EC private key` or `x509: unknown elliptic curve`.
 */
export function parseEcPrivateKey(der: Uint8Array): GoKey {
  const key = isSec1Shape(der) ? tryPrivate(der, 'sec1') : undefined;
  if (!key) throw new X509Error('x509: failed to parse EC private key');
  return classify(key);
}

/** PKCS#1 RSAPrivateKey: SEQUENCE starting with INTEGER version then INTEGER modulus. */
function isPkcs1Shape(der: Uint8Array): boolean {
  try {
    const { tlv, next } = readTlv(der);
    const items = seq(tlv, 'pkcs1');
    return next === der.length && items.length >= 9 && items.slice(0, 9).every((t) => isUniversal(t, TAG.INTEGER));
  } catch {
    return false;
  }
}

/** SEC 1 ECPrivateKey: SEQUENCE { INTEGER 1, OCTET STRING, ... }. */
function isSec1Shape(der: Uint8Array): boolean {
  try {
    const items = seq(readTlv(der).tlv, 'sec1');
    return isUniversal(items[0], TAG.INTEGER) && isUniversal(items[1], TAG.OCTET_STRING);
  } catch {
    return false;
  }
}

function jwkOf(key: KeyObject): JsonWebKey {
  return key.export({ format: 'jwk' });
}

/** `x509.MarshalPKCS1PrivateKey` of a two-prime key. */
export function pkcs1Private(j: JsonWebKey): Uint8Array {
  return derSeq(
    derSmallInt(0),
    ...[j.n, j.e, j.d, j.p, j.q, j.dp, j.dq, j.qi].map((v) => derUnsigned(b64u(v))),
  );
}

/**
 * The uncompressed public point of an EC key, from its SubjectPublicKeyInfo (DER rather than JWK,
 * which has no P-224). Node exports points uncompressed, as Go's elliptic.Marshal writes them.
 */
function ecPublicPoint(key: KeyObject): Uint8Array {
  const spki = new Uint8Array((key.type === 'private' ? createPublicKey(key) : key).export({ format: 'der', type: 'spki' }));
  const bits = expect(seq(readTlv(spki).tlv, 'spki')[1], TAG.BIT_STRING, 'subjectPublicKey').content;
  return bits.subarray(1);
}

/** The private scalar (as stored) and public point of an EC private key, from its SEC 1 form. */
export function ecComponents(key: KeyObject): { d: Uint8Array; point: Uint8Array } {
  const sec1 = new Uint8Array(key.export({ format: 'der', type: 'sec1' }));
  let d = readOctets(seq(readTlv(sec1).tlv, 'ecPrivateKey')[1], 'privateKey');
  while (d.length > 0 && d[0] === 0 && d.length > (key.asymmetricKeyDetails?.namedCurve ? CURVES[key.asymmetricKeyDetails.namedCurve]!.bytes : 0)) d = d.subarray(1);
  return { d, point: ecPublicPoint(key) };
}

/** The raw 32-byte seed / scalar of an Ed25519 or X25519 key, from its PKCS#8 form. */
function okpPrivateBytes(key: KeyObject): Uint8Array {
  const der = new Uint8Array(key.export({ format: 'der', type: 'pkcs8' }));
  const inner = readOctets(seq(readTlv(der).tlv, 'pkcs8')[2], 'privateKey');
  return readOctets(readTlv(inner).tlv, 'curvePrivateKey');
}

/** `x509.MarshalPKCS8PrivateKey`, byte for byte. */
export function marshalPkcs8(k: GoKey): Uint8Array {
  if (k.key.type !== 'private') throw new X509Error('x509: unknown key type while marshaling PKCS#8');
  switch (k.kind) {
    case 'rsa': {
      const j = jwkOf(k.key);
      if (j.p === undefined || j.q === undefined) throw new X509Error('x509: unknown key type while marshaling PKCS#8');
      return derSeq(derSmallInt(0), derSeq(derOid(OID_RSA), derNull()), derOctets(pkcs1Private(j)));
    }
    case 'ec': {
      const curve = CURVES[k.key.asymmetricKeyDetails!.namedCurve!]!;
      const { d, point } = ecComponents(k.key);
      const padded = Uint8Array.from([...new Uint8Array(Math.max(0, curve.bytes - d.length)), ...d]);
      const ecPrivateKey = derSeq(derSmallInt(1), derOctets(padded), tlvContext1(derBitString(point)));
      return derSeq(derSmallInt(0), derSeq(derOid(OID_EC), derOid(curve.oid)), derOctets(ecPrivateKey));
    }
    case 'ed25519':
      return derSeq(derSmallInt(0), derSeq(derOid(OID_ED25519)), derOctets(derOctets(okpPrivateBytes(k.key))));
    case 'x25519':
      return derSeq(derSmallInt(0), derSeq(derOid(OID_X25519)), derOctets(derOctets(okpPrivateBytes(k.key))));
  }
}

/** `[1] EXPLICIT` around the public key in an ECPrivateKey. */
function tlvContext1(inner: Uint8Array): Uint8Array {
  return derExplicit(1, inner);
}

/** `x509.MarshalPKIXPublicKey` of a public key, byte for byte. */
export function marshalPkix(k: GoKey): Uint8Array {
  if (k.key.type !== 'public') throw new X509Error('x509: unsupported public key type');
  switch (k.kind) {
    case 'rsa': {
      const j = jwkOf(k.key);
      const pkcs1 = derSeq(derUnsigned(b64u(j.n)), derUnsigned(b64u(j.e)));
      return derSeq(derSeq(derOid(OID_RSA), derNull()), derBitString(pkcs1));
    }
    case 'ec': {
      const curve = CURVES[k.key.asymmetricKeyDetails!.namedCurve!]!;
      return derSeq(derSeq(derOid(OID_EC), derOid(curve.oid)), derBitString(ecPublicPoint(k.key)));
    }
    case 'ed25519':
      return derSeq(derSeq(derOid(OID_ED25519)), derBitString(b64u(jwkOf(k.key).x)));
    case 'x25519':
      return derSeq(derSeq(derOid(OID_X25519)), derBitString(b64u(jwkOf(k.key).x)));
  }
}

/** A key from a JWK as Node reads it, classified for Go (private when it has `d`). */
export function keyFromJwk(jwk: JsonWebKey, isPrivate: boolean): GoKey {
  const key = isPrivate ? createPrivateKey({ key: jwk, format: 'jwk' }) : createPublicKey({ key: jwk, format: 'jwk' });
  return classify(key);
}

// ---- certificates ----

export interface ParsedCertificate {
  readonly raw: Uint8Array;
  /** Absent extension (or absent keyIdentifier) → undefined, as Go's nil. */
  readonly subjectKeyId: Uint8Array | undefined;
  readonly authorityKeyId: Uint8Array | undefined;
  readonly sans: string[];
  readonly subjectString: string;
}

const OID_SKI = '2.5.29.14';
const OID_AKI = '2.5.29.35';
const OID_SAN = '2.5.29.17';

/**
 * `x509.ParseCertificate` for what ESO reads: the raw bytes, the key identifiers, the SANs in
 * Go's order (DNS names, IPs, emails, URIs) and the subject string. Well-formedness is checked by
 * Node's X.509 parser; trailing bytes fail as in Go.
 * @throws X509Error when the DER is not one certificate.
 */
export function parseCertificate(der: Uint8Array): ParsedCertificate {
  let parts: Tlv[];
  try {
    const { tlv, next } = readTlv(der);
    if (next !== der.length) throw new X509Error('x509: trailing data');
    parts = seq(tlv, 'certificate');
    new X509Certificate(Buffer.from(der));
  } catch (e) {
    if (e instanceof X509Error) throw e;
    throw new X509Error('x509: malformed certificate');
  }
  try {
    const tbs = seq(parts[0], 'tbsCertificate');
    let i = 0;
    if (tbs[0]?.cls === 2 && tbs[0].tag === 0) i = 1; // version
    const subject = tbs[i + 4];
    // Go 1.23+ refuses negative serial numbers (GODEBUG x509negativeserial, off in ESO's build).
    const serial = expect(tbs[i], TAG.INTEGER, 'serialNumber').content;
    if (serial.length > 0 && (serial[0]! & 0x80) !== 0) throw new X509Error('x509: negative serial number');
    let subjectKeyId: Uint8Array | undefined;
    let authorityKeyId: Uint8Array | undefined;
    let sans: string[] = [];
    const extWrapper = tbs.slice(i + 6).find((t) => t.cls === 2 && t.tag === 3);
    if (extWrapper) {
      const seen = new Set<string>();
      for (const ext of seq(children(extWrapper)[0], 'extensions')) {
        const fields = seq(ext, 'extension');
        const oid = readOid(fields[0], 'extnID');
        if (seen.has(oid)) throw new X509Error('x509: certificate contains duplicate extension');
        seen.add(oid);
        const value = readOctets(fields[fields.length - 1], 'extnValue');
        if (oid === OID_SKI) subjectKeyId = readOctets(readTlv(value).tlv, 'subjectKeyId');
        if (oid === OID_AKI) {
          const keyId = seq(readTlv(value).tlv, 'authorityKeyId').find((t) => t.cls === 2 && t.tag === 0);
          if (keyId) authorityKeyId = keyId.content;
        }
        if (oid === OID_SAN) sans = parseSans(value);
      }
    }
    return { raw: der, subjectKeyId, authorityKeyId, sans, subjectString: nameString(subject) };
  } catch (e) {
    if (e instanceof X509Error) throw e;
    throw new X509Error('x509: malformed certificate');
  }
}

function isIa5(b: Uint8Array): boolean {
  return b.every((x) => x < 0x80);
}

/** Go's parseSANExtension plus the order certSANs appends them in. */
function parseSans(value: Uint8Array): string[] {
  const dns: string[] = [];
  const ips: string[] = [];
  const emails: string[] = [];
  const uris: string[] = [];
  for (const gn of seq(readTlv(value).tlv, 'subjectAltName')) {
    if (gn.cls !== 2) continue;
    const text = Buffer.from(gn.content).toString('latin1');
    switch (gn.tag) {
      case 1:
        if (!isIa5(gn.content)) throw new X509Error('x509: SAN rfc822Name is malformed');
        emails.push(text);
        break;
      case 2:
        if (!isIa5(gn.content)) throw new X509Error('x509: SAN dNSName is malformed');
        dns.push(text);
        break;
      case 6:
        if (!isIa5(gn.content)) throw new X509Error('x509: SAN uniformResourceIdentifier is malformed');
        uris.push(text);
        break;
      case 7:
        if (gn.content.length !== 4 && gn.content.length !== 16) throw new X509Error('x509: cannot parse IP address');
        ips.push(goIpString(gn.content));
        break;
    }
  }
  return [...dns, ...ips, ...emails, ...uris];
}

/** Go's net.IP.String for 4- and 16-byte addresses (IPv4-mapped IPv6 prints dotted). */
export function goIpString(ip: Uint8Array): string {
  const mapped = ip.length === 16 && ip.subarray(0, 10).every((b) => b === 0) && ip[10] === 0xff && ip[11] === 0xff;
  if (ip.length === 4 || mapped) return [...ip.subarray(ip.length - 4)].join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((ip[i]! << 8) | ip[i + 1]!);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += '::';
      i += bestLen - 1;
      continue;
    }
    if (out !== '' && !out.endsWith(':')) out += ':';
    out += groups[i]!.toString(16);
  }
  return out;
}

const NAME_TYPES: Record<string, string> = {
  '2.5.4.6': 'C',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.3': 'CN',
  '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.17': 'POSTALCODE',
};
/** The order pkix.Name.ToRDNSequence emits the parsed fields in. */
const FIELD_ORDER = ['2.5.4.6', '2.5.4.8', '2.5.4.7', '2.5.4.9', '2.5.4.17', '2.5.4.10', '2.5.4.11'];
const STRING_TAGS = new Set([TAG.UTF8_STRING, TAG.PRINTABLE_STRING, TAG.T61_STRING, TAG.IA5_STRING, TAG.BMP_STRING, 18]);

function attrString(t: Tlv): string | undefined {
  if (t.cls !== 0 || !STRING_TAGS.has(t.tag as never)) return undefined;
  if (t.tag === TAG.BMP_STRING) {
    let s = '';
    for (let i = 0; i + 1 < t.content.length; i += 2) s += String.fromCharCode((t.content[i]! << 8) | t.content[i + 1]!);
    return s;
  }
  return Buffer.from(t.content).toString(t.tag === TAG.T61_STRING ? 'latin1' : 'utf8');
}

function escapeValue(v: string): string {
  const chars = [...v];
  return chars
    .map((c, k) => {
      const esc = ',+"\\<>;'.includes(c) || (c === ' ' && (k === 0 || k === chars.length - 1)) || (c === '#' && k === 0);
      return esc ? `\\${c}` : c;
    })
    .join('');
}

/** Go's pkix.Name.String() of a parsed subject (FillFromRDNSequence then String). */
function nameString(subject: Tlv | undefined): string {
  const fields = new Map<string, string[]>();
  const extra: Array<{ oid: string; full: Uint8Array; value: string | undefined }> = [];
  for (const rdn of children(expect(subject, TAG.SEQUENCE, 'subject'))) {
    for (const atv of children(expect(rdn, TAG.SET, 'rdn'))) {
      const [typ, val] = seq(atv, 'atv');
      const oid = readOid(typ, 'type');
      const value = val ? attrString(val) : undefined;
      const standard = oid in NAME_TYPES || oid === '2.5.4.5';
      if (standard && value !== undefined) {
        if (oid === '2.5.4.3' || oid === '2.5.4.5') fields.set(oid, [value]);
        else fields.set(oid, [...(fields.get(oid) ?? []), value]);
      }
      if (!(standard && ['3', '5', '6', '7', '8', '9', '10', '11', '17'].includes(oid.split('.')[3]!))) {
        extra.push({ oid, full: val?.full ?? new Uint8Array(0), value });
      }
    }
  }
  const rdns: string[][] = [];
  for (const e of extra) rdns.push([`${e.oid}=#${Buffer.from(reMarshal(e)).toString('hex')}`]);
  for (const oid of FIELD_ORDER) {
    const values = fields.get(oid);
    if (values && values.length > 0) rdns.push(values.map((v) => `${NAME_TYPES[oid]}=${escapeValue(v)}`));
  }
  for (const oid of ['2.5.4.3', '2.5.4.5']) {
    const v = fields.get(oid)?.[0];
    if (v !== undefined && v !== '') rdns.push([`${NAME_TYPES[oid]}=${escapeValue(v)}`]);
  }
  return rdns.reverse().map((r) => r.join('+')).join(',');
}

/** asn1.Marshal of a parsed attribute value: a Go string re-encodes as PrintableString if it can, else UTF8String. */
function reMarshal(e: { full: Uint8Array; value: string | undefined }): Uint8Array {
  if (e.value === undefined) return e.full;
  const printable = /^[A-Za-z0-9 '()+,\-./:=?*&]*$/.test(e.value);
  const body = Buffer.from(e.value, 'utf8');
  const len = body.length < 0x80 ? [body.length] : body.length < 0x100 ? [0x81, body.length] : [0x82, body.length >> 8, body.length & 0xff];
  return Uint8Array.from([printable ? TAG.PRINTABLE_STRING : TAG.UTF8_STRING, ...len, ...body]);
}

