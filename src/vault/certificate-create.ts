// Self-signed certificates for `POST /certificates/{name}/create` with issuer `Self`: the policy
// read as Key Vault reads it (Certificates - Create Certificate, CertificatePolicy: key_props,
// secret_props, x509_props, issuer), a new key pair, the X.509 certificate and the PKCS#10 request
// AKV reports in the certificate operation. node:crypto makes the key and the signature; the DER
// structures are written with der-writer.ts because node:crypto cannot build a certificate
// and node-forge signs with RSA keys only (Key Vault creates EC certificates too).
// Errors name policy fields, never key material.
import { X509Certificate, createHash, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { derBitString, derExplicit, derNull, derOctets, derOid, derSeq, derSet, derSmallInt, derUnsigned, tlv } from './der-writer.ts';
import { badParameter, VaultApiError } from './api-error.ts';
import { PEM_FILE, PKCS12, secretValueOf, type ImportedCertificate } from './certificate-material.ts';

/** The policy of a certificate to create, as the vault keeps and serves it (AKV's wire names). */
export interface CreatePolicy {
  key_props: { exportable: boolean; kty: 'RSA' | 'RSA-HSM' | 'EC' | 'EC-HSM'; key_size?: number; crv?: string; reuse_key: boolean };
  secret_props: { contentType: typeof PKCS12 | typeof PEM_FILE };
  x509_props: {
    subject: string;
    sans?: { emails?: string[]; dns_names?: string[]; upns?: string[]; uris?: string[]; ipAddresses?: string[] };
    ekus: string[];
    key_usage: string[];
    validity_months: number;
  };
  issuer: { name: string; cty?: string; cert_transparency?: boolean };
  lifetime_actions: unknown[];
}

/** AKV's curve names and node:crypto's. */
const CURVES: Readonly<Record<string, string>> = { 'P-256': 'P-256', 'P-384': 'P-384', 'P-521': 'P-521', 'P-256K': 'secp256k1' };
/** Key Vault's default extended key usages for a new certificate: TLS server and client authentication. */
const DEFAULT_EKUS = ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'];
/** RFC 5280 KeyUsage bits, in AKV's spelling (KeyUsageType). */
const KEY_USAGE_BITS: Readonly<Record<string, number>> = {
  digitalSignature: 0, nonRepudiation: 1, keyEncipherment: 2, dataEncipherment: 3, keyAgreement: 4, keyCertSign: 5, cRLSign: 6, encipherOnly: 7, decipherOnly: 8,
};

const obj = (raw: unknown, path: string): Record<string, unknown> => {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw badParameter(`Property ${path} must be an object.`);
  return raw as Record<string, unknown>;
};

const strings = (raw: unknown, path: string): string[] | undefined => {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw) || !raw.every((x) => typeof x === 'string')) throw badParameter(`Property ${path} must be an array of strings.`);
  return raw as string[];
};

/**
 * Reads a Create Certificate policy with Key Vault's defaults: kty RSA (2048 bits; EC P-256),
 * exportable, contentType application/x-pkcs12, validity 12 months, key usage digitalSignature and
 * keyEncipherment (digitalSignature only for EC), EKUs serverAuth and clientAuth. A subject or a SAN
 * is required. 400 BadParameter naming the field otherwise.
 */
export function readCreatePolicy(raw: unknown): CreatePolicy {
  if (raw === undefined || raw === null) throw badParameter('Property policy is required to create a certificate.');
  const p = obj(raw, 'policy');
  const key = obj(p.key_props, 'policy.key_props');
  const secret = obj(p.secret_props, 'policy.secret_props');
  const x509 = obj(p.x509_props, 'policy.x509_props');
  const issuer = obj(p.issuer, 'policy.issuer');

  const kty = key.kty ?? 'RSA';
  if (kty !== 'RSA' && kty !== 'RSA-HSM' && kty !== 'EC' && kty !== 'EC-HSM') throw badParameter('Property policy.key_props.kty must be one of RSA, RSA-HSM, EC, EC-HSM.');
  const ec = kty.startsWith('EC');
  const keyProps: CreatePolicy['key_props'] = { exportable: key.exportable !== false, kty, reuse_key: key.reuse_key === true };
  if (ec) {
    const crv = key.crv ?? 'P-256';
    if (typeof crv !== 'string' || !CURVES[crv]) throw badParameter('Property policy.key_props.crv must be one of P-256, P-384, P-521, P-256K for an EC key.');
    keyProps.crv = crv;
  } else {
    const size = key.key_size ?? 2048;
    if (size !== 2048 && size !== 3072 && size !== 4096) throw badParameter('Property policy.key_props.key_size must be 2048, 3072 or 4096 for an RSA key.');
    keyProps.key_size = size;
  }

  const contentType = secret.contentType ?? PKCS12;
  if (contentType !== PKCS12 && contentType !== PEM_FILE) throw badParameter(`Property policy.secret_props.contentType must be ${PKCS12} or ${PEM_FILE}.`);

  const subject = x509.subject ?? '';
  if (typeof subject !== 'string') throw badParameter('Property policy.x509_props.subject must be a string.');
  const sansRaw = obj(x509.sans, 'policy.x509_props.sans');
  const sans: NonNullable<CreatePolicy['x509_props']['sans']> = {};
  for (const k of ['emails', 'dns_names', 'upns', 'uris', 'ipAddresses'] as const) {
    const list = strings(sansRaw[k], `policy.x509_props.sans.${k}`);
    if (list?.length) sans[k] = list;
  }
  for (const ip of sans.ipAddresses ?? []) if (!isIP(ip)) throw badParameter('Property policy.x509_props.sans.ipAddresses must hold IP addresses.');
  if (subject === '' && Object.keys(sans).length === 0) throw badParameter('Property policy.x509_props must have a subject or subject alternative names.');
  const validity = x509.validity_months ?? 12;
  if (typeof validity !== 'number' || !Number.isInteger(validity) || validity < 1 || validity > 1200) throw badParameter('Property policy.x509_props.validity_months must be a whole number of months from 1 to 1200.');
  const keyUsage = strings(x509.key_usage, 'policy.x509_props.key_usage') ?? (ec ? ['digitalSignature'] : ['digitalSignature', 'keyEncipherment']);
  for (const u of keyUsage) if (KEY_USAGE_BITS[u] === undefined) throw badParameter(`Property policy.x509_props.key_usage has an unknown usage; allowed: ${Object.keys(KEY_USAGE_BITS).join(', ')}.`);
  const ekus = strings(x509.ekus, 'policy.x509_props.ekus') ?? DEFAULT_EKUS;
  for (const e of ekus) if (!/^[0-2](\.\d+)+$/.test(e)) throw badParameter('Property policy.x509_props.ekus must hold object identifiers.');
  // Parsed now so that a bad subject is refused before anything is created.
  parseDistinguishedName(subject);

  const issuerName = issuer.name;
  if (typeof issuerName !== 'string' || issuerName === '') throw badParameter('Property policy.issuer.name is required to create a certificate.');
  return {
    key_props: keyProps,
    secret_props: { contentType },
    x509_props: { subject, ...(Object.keys(sans).length > 0 && { sans }), ekus, key_usage: keyUsage, validity_months: validity },
    issuer: { name: issuerName, ...(typeof issuer.cty === 'string' && { cty: issuer.cty }), ...(typeof issuer.cert_transparency === 'boolean' && { cert_transparency: issuer.cert_transparency }) },
    lifetime_actions: Array.isArray(p.lifetime_actions) ? p.lifetime_actions : [{ trigger: { lifetime_percentage: 80 }, action: { action_type: 'AutoRenew' } }],
  };
}

/**
 * Key Vault signs a certificate itself for issuer `Self` only (case-insensitive); `Unknown` means a
 * CSR to merge later, and any other name must be an issuer object of the vault, which this vault
 * has none of. 400 BadParameter for those (our wording).
 */
export function assertSelfIssuer(name: string): void {
  if (name.toLowerCase() === 'self') return;
  if (name.toLowerCase() === 'unknown') throw badParameter('Issuer Unknown (a certificate signing request to merge later) is not supported by the local vault; use issuer Self.');
  throw new VaultApiError(400, 'BadParameter', `Issuer not found: ${name}. The local vault has no certificate issuers; use issuer Self.`);
}

// ---- X.500 names ---------------------------------------------------------------------------------

const NAME_OIDS: Readonly<Record<string, string>> = {
  CN: '2.5.4.3', C: '2.5.4.6', L: '2.5.4.7', S: '2.5.4.8', ST: '2.5.4.8', STREET: '2.5.4.9', O: '2.5.4.10', OU: '2.5.4.11',
  SERIALNUMBER: '2.5.4.5', T: '2.5.4.12', TITLE: '2.5.4.12', G: '2.5.4.42', SN: '2.5.4.4', DC: '0.9.2342.19200300.100.1.25',
  E: '1.2.840.113549.1.9.1', EMAIL: '1.2.840.113549.1.9.1', UID: '0.9.2342.19200300.100.1.1',
};

/**
 * An X.500 name in Key Vault's spelling (`CN=a, O=b`; commas and plus signs inside values escaped
 * with a backslash or the value quoted): RDNs in the given order, UTF8String values (PrintableString
 * for C, IA5String for E and DC, as X.509 requires).
 */
export function parseDistinguishedName(subject: string): Uint8Array {
  const rdns: Uint8Array[] = [];
  for (const part of splitUnescaped(subject, ',')) {
    const text = part.trim();
    if (text === '') continue;
    const eq = text.indexOf('=');
    if (eq <= 0) throw badParameter('Property policy.x509_props.subject is not a valid X.500 distinguished name.');
    const type = text.slice(0, eq).trim().toUpperCase();
    let value = text.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    value = value.replace(/\\(.)/g, '$1');
    const oid = NAME_OIDS[type] ?? (/^[0-2](\.\d+)+$/.test(type) ? type : undefined);
    if (!oid) throw badParameter(`Property policy.x509_props.subject has an unknown attribute type ${type.slice(0, 32)}.`);
    const tag = oid === '2.5.4.6' ? 0x13 : oid === NAME_OIDS.E || oid === NAME_OIDS.DC ? 0x16 : 0x0c;
    rdns.push(derSet(derSeq(derOid(oid), tlv(tag, Buffer.from(value, 'utf8')))));
  }
  return derSeq(...rdns);
}

function splitUnescaped(text: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      cur += c + text[++i];
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === sep && !quoted) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(cur);
  return out;
}

// ---- extensions ----------------------------------------------------------------------------------

function extension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  return derSeq(derOid(oid), ...(critical ? [Uint8Array.of(0x01, 0x01, 0xff)] : []), derOctets(value));
}

/** KeyUsage as a DER BIT STRING: named bits, trailing zero bits dropped (X.690 11.2.2). */
function keyUsageBits(usages: readonly string[]): Uint8Array {
  const bits = usages.map((u) => KEY_USAGE_BITS[u]!);
  const highest = Math.max(...bits);
  const bytes = new Uint8Array(Math.floor(highest / 8) + 1);
  for (const b of bits) bytes[b >> 3]! |= 0x80 >> (b & 7);
  const unused = 7 - (highest & 7);
  return tlv(0x03, Uint8Array.of(unused), bytes);
}

function subjectAltNames(sans: NonNullable<CreatePolicy['x509_props']['sans']>): Uint8Array {
  const names: Uint8Array[] = [];
  for (const e of sans.emails ?? []) names.push(tlv(0x81, Buffer.from(e, 'utf8')));
  for (const d of sans.dns_names ?? []) names.push(tlv(0x82, Buffer.from(d, 'utf8')));
  for (const u of sans.uris ?? []) names.push(tlv(0x86, Buffer.from(u, 'utf8')));
  for (const ip of sans.ipAddresses ?? []) names.push(tlv(0x87, ipBytes(ip)));
  // A UPN is an otherName (Microsoft's 1.3.6.1.4.1.311.20.2.3) holding a UTF8String.
  for (const upn of sans.upns ?? []) names.push(tlv(0xa0, derOid('1.3.6.1.4.1.311.20.2.3'), derExplicit(0, tlv(0x0c, Buffer.from(upn, 'utf8')))));
  return derSeq(...names);
}

function ipBytes(ip: string): Uint8Array {
  if (isIP(ip) === 4) return Uint8Array.from(ip.split('.').map(Number));
  // IPv6: expand "::" and write 8 groups of 16 bits.
  const [head, tail] = ip.includes('::') ? ip.split('::') as [string, string] : [ip, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return Uint8Array.from(groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]));
}

function extensionsOf(policy: CreatePolicy, spki: Buffer): Uint8Array[] {
  const x = policy.x509_props;
  const publicKeyBits = spkiPublicKeyBits(spki);
  return [
    extension('2.5.29.15', true, keyUsageBits(x.key_usage)),
    ...(x.ekus.length > 0 ? [extension('2.5.29.37', false, derSeq(...x.ekus.map(derOid)))] : []),
    ...(x.sans ? [extension('2.5.29.17', false, subjectAltNames(x.sans))] : []),
    // Subject key identifier: SHA-1 of the public key bits (RFC 5280 4.2.1.2, method 1).
    extension('2.5.29.14', false, derOctets(createHash('sha1').update(publicKeyBits).digest())),
  ];
}

/** The subjectPublicKey BIT STRING's bytes of an SPKI (after its unused-bits octet). */
function spkiPublicKeyBits(spki: Buffer): Buffer {
  // SPKI = SEQUENCE { AlgorithmIdentifier, BIT STRING }: skip the outer header and the algorithm.
  const skipHeader = (buf: Buffer, at: number): { body: number; end: number } => {
    const first = buf[at + 1]!;
    const lenBytes = first & 0x80 ? first & 0x7f : 0;
    const len = lenBytes ? buf.subarray(at + 2, at + 2 + lenBytes).reduce((a, b) => a * 256 + b, 0) : first;
    const body = at + 2 + lenBytes;
    return { body, end: body + len };
  };
  const outer = skipHeader(spki, 0);
  const algorithm = skipHeader(spki, outer.body);
  const bits = skipHeader(spki, algorithm.end);
  return spki.subarray(bits.body + 1, bits.end);
}

// ---- signing -------------------------------------------------------------------------------------

/** The signature algorithm for a key: SHA-256 with RSA; ECDSA with the curve's matching hash. */
function signatureAlgorithm(key: KeyObject): { id: Uint8Array; hash: string } {
  if (key.asymmetricKeyType === 'rsa') return { id: derSeq(derOid('1.2.840.113549.1.1.11'), derNull()), hash: 'sha256' };
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (curve === 'secp384r1') return { id: derSeq(derOid('1.2.840.10045.4.3.3')), hash: 'sha384' };
  if (curve === 'secp521r1') return { id: derSeq(derOid('1.2.840.10045.4.3.4')), hash: 'sha512' };
  return { id: derSeq(derOid('1.2.840.10045.4.3.2')), hash: 'sha256' };
}

/** X.509 Time: UTCTime through 2049, GeneralizedTime after (RFC 5280 4.1.2.5). */
function x509Time(seconds: number): Uint8Array {
  const iso = new Date(seconds * 1000).toISOString();
  const digits = iso.slice(0, 19).replace(/[-:T]/g, '');
  const year = Number(iso.slice(0, 4));
  return year < 2050 ? tlv(0x17, Buffer.from(`${digits.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${digits}Z`));
}

/** `months` calendar months after `seconds` (UTC), as validity_months counts them. */
function addMonths(seconds: number, months: number): number {
  const d = new Date(seconds * 1000);
  d.setUTCMonth(d.getUTCMonth() + months);
  return Math.floor(d.getTime() / 1000);
}

/** A positive 16-byte serial whose first byte is non-zero, so it keeps its length through DER. */
function serialBytes(random: (n: number) => Uint8Array): Uint8Array {
  const bytes = Uint8Array.from(random(16));
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;
  return bytes;
}

export interface CreatedCertificate extends ImportedCertificate {
  /** The PKCS#10 request over the same key and names (DER), as AKV reports it in the operation. */
  csr: Buffer;
}

/**
 * A key pair as the policy asks and a certificate signed by it, valid from `now` (unix seconds) for
 * `validity_months`, with the backing secret's value in the policy's content type. `random` gives
 * the serial's bytes (tests pass fixed ones).
 */
export function createSelfSignedCertificate(policy: CreatePolicy, now: number, random: (n: number) => Uint8Array = randomBytes): CreatedCertificate {
  const kp = policy.key_props;
  const privateKey = kp.kty.startsWith('EC')
    ? generateKeyPairSync('ec', { namedCurve: CURVES[kp.crv ?? 'P-256']! }).privateKey
    : generateKeyPairSync('rsa', { modulusLength: kp.key_size ?? 2048, publicExponent: 0x10001 }).privateKey;
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const name = parseDistinguishedName(policy.x509_props.subject);
  const alg = signatureAlgorithm(privateKey);
  const notAfter = addMonths(now, policy.x509_props.validity_months);
  const extensions = extensionsOf(policy, spki);
  const tbs = derSeq(
    derExplicit(0, derSmallInt(2)),
    derUnsigned(serialBytes(random)),
    alg.id,
    name,
    derSeq(x509Time(now), x509Time(notAfter)),
    name,
    spki,
    derExplicit(3, derSeq(...extensions)),
  );
  const leaf = Buffer.from(derSeq(tbs, alg.id, derBitString(sign(alg.hash, tbs, privateKey))));
  // PKCS#10: the same name, key and extensions (as an extensionRequest attribute, PKCS#9).
  const info = derSeq(derSmallInt(0), name, spki, derExplicit(0, derSeq(derOid('1.2.840.113549.1.9.14'), derSet(derSeq(...extensions)))));
  const csr = Buffer.from(derSeq(info, alg.id, derBitString(sign(alg.hash, info, privateKey))));
  const x509 = new X509Certificate(leaf);
  return {
    leaf,
    chain: [leaf],
    privateKey,
    contentType: policy.secret_props.contentType,
    secretValue: secretValueOf(policy.secret_props.contentType, [leaf], privateKey),
    subject: x509.subject.split('\n').join(', '),
    notBefore: now,
    expires: notAfter,
    x5t: createHash('sha1').update(leaf).digest('base64url'),
    csr,
  };
}
