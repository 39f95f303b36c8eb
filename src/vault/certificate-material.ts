// Certificate material for `POST /certificates/{name}/import`: a PEM file or a PKCS#12 (base64)
// holding the certificate chain and its private key, as AKV accepts them. Yields the leaf's DER, the
// private key and the backing secret's value (PEM: key then certificates; PKCS#12: re-exported
// without a password, as AKV serves it). Errors name the problem, never the material.
import { X509Certificate, createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { badParameter } from './api-error.ts';

export const PKCS12 = 'application/x-pkcs12';
export const PEM_FILE = 'application/x-pem-file';

export interface ImportedCertificate {
  /** DER of the leaf certificate. */
  leaf: Buffer;
  chain: Buffer[];
  privateKey: KeyObject;
  contentType: typeof PKCS12 | typeof PEM_FILE;
  /** What GET /secrets/{name} answers for this version. */
  secretValue: string;
  subject: string;
  notBefore: number;
  expires: number;
  /** SHA-1 of the leaf DER, base64url (AKV's x5t). */
  x5t: string;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

function derOfPem(body: string): Buffer {
  return Buffer.from(body.replace(/\s+/g, ''), 'base64');
}

function pemOf(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** The certificate whose public key is the private key's first, then the others (AKV orders leaf first). */
function leafFirst(certs: Buffer[], key: KeyObject): Buffer[] {
  const want = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const i = certs.findIndex((der) => new X509Certificate(der).publicKey.export({ type: 'spki', format: 'der' }).equals(want));
  if (i <= 0) return certs;
  return [certs[i]!, ...certs.filter((_, j) => j !== i)];
}

function fromPem(text: string): { certs: Buffer[]; key: KeyObject } {
  const certs: Buffer[] = [];
  let key: KeyObject | undefined;
  for (const m of text.matchAll(PEM_BLOCK)) {
    const label = m[1]!;
    if (label === 'CERTIFICATE') certs.push(derOfPem(m[2]!));
    else if (/PRIVATE KEY$/.test(label) && label !== 'ENCRYPTED PRIVATE KEY' && !key) {
      try {
        key = createPrivateKey({ key: m[0], format: 'pem' });
      } catch {
        throw badParameter('The specified PEM X.509 certificate content contains a private key that cannot be read.');
      }
    }
  }
  if (certs.length === 0) throw badParameter('The specified PEM X.509 certificate content is in an unexpected format. Please check if certificate is in valid PEM format.');
  if (!key) throw badParameter('Private key is not specified in the specified X.509 PEM certificate content. Please specify private key in the X.509 PEM certificate content.');
  return { certs, key };
}

function fromPkcs12(base64: string, password: string): { certs: Buffer[]; key: KeyObject } {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    const der = Buffer.from(base64.replace(/\s+/g, ''), 'base64').toString('binary');
    p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(der), password);
  } catch {
    // forge's messages may describe the input: only the fact is reported.
    throw badParameter('The specified PKCS#12 X.509 certificate content can not be read. Please check if certificate is in valid PKCS#12 format and the password is right.');
  }
  const certBags = p12.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!] ?? [];
  const keyBags = [
    ...(p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag! })[forge.pki.oids.pkcs8ShroudedKeyBag!] ?? []),
    ...(p12.getBags({ bagType: forge.pki.oids.keyBag! })[forge.pki.oids.keyBag!] ?? []),
  ];
  const certs = certBags.filter((b) => b.cert).map((b) => Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(b.cert!)).getBytes(), 'binary'));
  const forgeKey = keyBags.find((b) => b.key)?.key;
  if (certs.length === 0) throw badParameter('The specified PKCS#12 X.509 certificate content holds no certificate.');
  if (!forgeKey) throw badParameter('Private key is not specified in the specified PKCS#12 X.509 certificate content. Please specify private key in the PKCS#12 X.509 certificate content.');
  const key = createPrivateKey({ key: forge.pki.privateKeyToPem(forgeKey), format: 'pem' });
  return { certs, key };
}

/** A PKCS#12 of the key and chain without a password, as AKV serves a PKCS#12 certificate's secret. */
function toPkcs12(certs: Buffer[], key: KeyObject): string {
  const forgeKey = forge.pki.privateKeyFromPem(key.export({ type: 'pkcs8', format: 'pem' }).toString());
  const forgeCerts = certs.map((der) => forge.pki.certificateFromAsn1(forge.asn1.fromDer(der.toString('binary'))));
  const asn1 = forge.pkcs12.toPkcs12Asn1(forgeKey, forgeCerts, null, { algorithm: '3des' });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary').toString('base64');
}

/**
 * The PEM text a base64 `value` carries, when it carries one: SDKs that import without a policy
 * base64-encode whatever bytes they are given (@azure/keyvault-certificates parseCertificateBytes,
 * ESO's setKeyVaultCertificate), and Key Vault takes a base64-encoded PEM file as PEM (ESO's
 * PushSecret of a PEM certificate relies on it). Printable text with a BEGIN line only.
 */
function pemInBase64(value: string): string | undefined {
  const text = Buffer.from(value.replace(/\s+/g, ''), 'base64').toString('latin1');
  return text.includes('-----BEGIN') && /^[\t\n\r\x20-\x7e]*$/.test(text) ? text : undefined;
}

/**
 * Reads an import's `value` (and `pwd`): PEM when `contentType` is application/x-pem-file (or the
 * text, or the base64 text, is PEM and no policy says otherwise), else base64 PKCS#12. 400 BadParameter when it holds
 * no certificate or no private key, as AKV answers. PKCS#12 is read with node-forge, which reads RSA
 * keys only: an EC key in a PKCS#12 is refused (import it as PEM).
 */
export function readCertificateImport(value: string, password: string | undefined, contentType: string | undefined): ImportedCertificate {
  const base64Pem = contentType === undefined && !value.includes('-----BEGIN') ? pemInBase64(value) : undefined;
  const pem = contentType === PEM_FILE || (contentType === undefined && (value.includes('-----BEGIN') || base64Pem !== undefined));
  const { certs, key } = pem ? fromPem(base64Pem ?? value) : fromPkcs12(value, password ?? '');
  let chain: Buffer[];
  let x509: X509Certificate;
  try {
    chain = leafFirst(certs, key);
    x509 = new X509Certificate(chain[0]!);
  } catch {
    throw badParameter('The specified X.509 certificate content can not be read.');
  }
  const leaf = chain[0]!;
  const secretValue = pem
    ? pemOf('PRIVATE KEY', key.export({ type: 'pkcs8', format: 'der' })) + chain.map((c) => pemOf('CERTIFICATE', c)).join('')
    : toPkcs12(chain, key);
  return {
    leaf,
    chain,
    privateKey: key,
    contentType: pem ? PEM_FILE : PKCS12,
    secretValue,
    subject: x509.subject.split('\n').join(', '),
    notBefore: Math.floor(Date.parse(x509.validFrom) / 1000),
    expires: Math.floor(Date.parse(x509.validTo) / 1000),
    x5t: createHash('sha1').update(leaf).digest('base64url'),
  };
}
