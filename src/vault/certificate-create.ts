// Self-signed certificates for `POST /certificates/{name}/create` with issuer `Self`: the policy
// read as Key Vault reads it (Certificates - Create Certificate, CertificatePolicy: key_props,
// secret_props, x509_props, issuer), a new key pair, the X.509 certificate and the PKCS#10 request
// AKV reports in the certificate operation. @peculiar/x509 builds and signs the certificate and the
// request over WebCrypto (node:crypto's; @peculiar/webcrypto for P-256K, which node's lacks):
// node:crypto cannot build a certificate and node-forge signs with RSA keys only, while Key Vault
// creates EC certificates too (docs/design/005-vault-certificates.md). Those libraries load on the
// first certificate created, not with the vault. Errors name policy fields, never key material.
import { X509Certificate, createHash, createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import type { JsonAttributeObject } from '@peculiar/x509';
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

/** AKV's curve names and WebCrypto's (K-256 is @peculiar/webcrypto's name for secp256k1). */
const CURVES: Readonly<Record<string, string>> = { 'P-256': 'P-256', 'P-384': 'P-384', 'P-521': 'P-521', 'P-256K': 'K-256' };
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

/** A distinguished name as @peculiar/x509's `Name` takes it: RDNs in order, each `{ oid: [value] }`. */
export type NameParams = Array<Record<string, JsonAttributeObject[]>>;

/**
 * An X.500 name in Key Vault's spelling (`CN=a, O=b`; commas inside values escaped with a
 * backslash or the value quoted; the short names of NAME_OIDS or dotted OIDs): RDNs in the given
 * order, UTF8String values (PrintableString for C, IA5String for E and DC, as X.509 requires). Our
 * reading rather than @peculiar/x509's string parser, which knows fewer of Key Vault's short names
 * (S, T, G, E) and picks PrintableString for plain text. 400 BadParameter naming the field.
 */
export function parseDistinguishedName(subject: string): NameParams {
  const rdns: NameParams = [];
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
    const encoded: JsonAttributeObject = oid === '2.5.4.6' ? { printableString: value } : oid === NAME_OIDS.E || oid === NAME_OIDS.DC ? { ia5String: value } : { utf8String: value };
    rdns.push({ [oid]: [encoded] });
  }
  return rdns;
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

// ---- the certificate -----------------------------------------------------------------------------

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
 * @peculiar/x509 with the Reflect metadata polyfill its dependency injection (tsyringe) needs
 * first, imported on the first call only: the vault starts, and the operator runs, without them.
 */
async function loadX509(): Promise<typeof import('@peculiar/x509')> {
  await import('reflect-metadata');
  return import('@peculiar/x509');
}

/**
 * WebCrypto for a key type and the key pair, and the signature algorithm: RSASSA-PKCS1-v1_5 with
 * SHA-256; ECDSA with the curve's hash (SHA-256, SHA-384, SHA-512; SHA-256 for P-256K). node:crypto's
 * WebCrypto has no secp256k1, so P-256K keys are made and used through @peculiar/webcrypto.
 */
async function newKeyPair(kp: CreatePolicy['key_props']): Promise<{ crypto: webcrypto.Crypto; keys: webcrypto.CryptoKeyPair; signingAlgorithm: webcrypto.Algorithm | webcrypto.EcdsaParams }> {
  const usages: webcrypto.KeyUsage[] = ['sign', 'verify'];
  if (!kp.kty.startsWith('EC')) {
    const algorithm = { name: 'RSASSA-PKCS1-v1_5', modulusLength: kp.key_size ?? 2048, publicExponent: Uint8Array.of(1, 0, 1), hash: 'SHA-256' };
    return { crypto: webcrypto, keys: await webcrypto.subtle.generateKey(algorithm, true, usages), signingAlgorithm: algorithm };
  }
  const namedCurve = CURVES[kp.crv ?? 'P-256']!;
  const hash = namedCurve === 'P-384' ? 'SHA-384' : namedCurve === 'P-521' ? 'SHA-512' : 'SHA-256';
  const crypto: webcrypto.Crypto = namedCurve === 'K-256' ? (new (await import('@peculiar/webcrypto')).Crypto() as unknown as webcrypto.Crypto) : webcrypto;
  const keys = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve }, true, usages)) as webcrypto.CryptoKeyPair;
  return { crypto, keys, signingAlgorithm: { name: 'ECDSA', hash } };
}

/**
 * A key pair as the policy asks and a certificate signed by it, valid from `now` (unix seconds) for
 * `validity_months`, with the backing secret's value in the policy's content type. `random` gives
 * the serial's bytes (tests pass fixed ones). Extensions: key usage (critical), extended key usage
 * (when any), subject alternative names (when any), subject key identifier (SHA-1 of the public
 * key, RFC 5280 4.2.1.2); the PKCS#10 request carries the same name, key and extensions.
 */
export async function createSelfSignedCertificate(policy: CreatePolicy, now: number, random: (n: number) => Uint8Array = randomBytes): Promise<CreatedCertificate> {
  const x509lib = await loadX509();
  const { crypto, keys, signingAlgorithm } = await newKeyPair(policy.key_props);
  const x = policy.x509_props;
  const name = new x509lib.Name(parseDistinguishedName(x.subject));
  const sans: Array<{ type: 'email' | 'dns' | 'url' | 'ip' | 'upn'; value: string }> = [
    ...(x.sans?.emails ?? []).map((value) => ({ type: 'email' as const, value })),
    ...(x.sans?.dns_names ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(x.sans?.uris ?? []).map((value) => ({ type: 'url' as const, value })),
    ...(x.sans?.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
    // A UPN is an otherName (Microsoft's 1.3.6.1.4.1.311.20.2.3) holding a UTF8String.
    ...(x.sans?.upns ?? []).map((value) => ({ type: 'upn' as const, value })),
  ];
  const extensions = [
    new x509lib.KeyUsagesExtension(x.key_usage.reduce((flags, u) => flags | (1 << KEY_USAGE_BITS[u]!), 0), true),
    ...(x.ekus.length > 0 ? [new x509lib.ExtendedKeyUsageExtension(x.ekus, false)] : []),
    ...(sans.length > 0 ? [new x509lib.SubjectAlternativeNameExtension(sans, false)] : []),
    await x509lib.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
  ];
  const notAfter = addMonths(now, x.validity_months);
  const cert = await x509lib.X509CertificateGenerator.createSelfSigned(
    { serialNumber: Buffer.from(serialBytes(random)).toString('hex'), name, notBefore: new Date(now * 1000), notAfter: new Date(notAfter * 1000), signingAlgorithm, keys, extensions },
    crypto,
  );
  const csr = await x509lib.Pkcs10CertificateRequestGenerator.create({ name, keys, signingAlgorithm, extensions }, crypto);
  const leaf = Buffer.from(cert.rawData);
  const privateKey = createPrivateKey({ key: Buffer.from(await crypto.subtle.exportKey('pkcs8', keys.privateKey)), format: 'der', type: 'pkcs8' });
  const parsed = new X509Certificate(leaf);
  return {
    leaf,
    chain: [leaf],
    privateKey,
    contentType: policy.secret_props.contentType,
    secretValue: await secretValueOf(policy.secret_props.contentType, [leaf], privateKey),
    subject: parsed.subject.split('\n').join(', '),
    notBefore: now,
    expires: notAfter,
    x5t: createHash('sha1').update(leaf).digest('base64url'),
    csr: Buffer.from(csr.rawData),
  };
}
