// A private CA and a server certificate for the vault, generated on first start and reused after.
// Keys come from node:crypto; node-forge only assembles and signs the X.509 structures.
import { createPrivateKey, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import forge from 'node-forge';
import { writeFileAtomic } from './persistence.ts';

export interface TlsMaterial {
  caPem: string;
  caFile: string;
  certPem: string;
  keyPem: string;
}

const DEFAULT_NAMES = ['localhost', '127.0.0.1', '::1'];
const RENEW_BEFORE_MS = 7 * 24 * 3600 * 1000;

/**
 * Loads the CA and server certificate from `dir`, creating or renewing what is missing, expiring,
 * not covering `hosts` or not parseable. `random` supplies the serial numbers' bytes (tests pass
 * fixed ones); `nowMs` is epoch milliseconds.
 */
export async function ensureTlsMaterial(dir: string, hosts: string[], nowMs = Date.now(), random: (n: number) => Uint8Array = randomBytes): Promise<TlsMaterial> {
  mkdirSync(dir, { recursive: true });
  const paths = { caFile: join(dir, 'ca.pem'), caKey: join(dir, 'ca-key.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server-key.pem') };
  const names = [...new Set([...DEFAULT_NAMES, ...hosts.filter((h) => h && h !== '0.0.0.0' && h !== '::')])];

  let ca = readPair(paths.caFile, paths.caKey);
  if (!ca || !isValidAt(ca.certPem, nowMs) || !keyMatches(ca.certPem, ca.keyPem)) {
    ca = createCa(nowMs, random);
    await writeFileAtomic(paths.caKey, ca.keyPem, 0o600);
    await writeFileAtomic(paths.caFile, ca.certPem, 0o644);
  }
  let server = readPair(paths.cert, paths.key);
  if (!server || !isValidAt(server.certPem, nowMs) || !coversNames(server.certPem, names) || !isIssuedBy(server.certPem, ca.certPem) || !keyMatches(server.certPem, server.keyPem)) {
    server = createServerCert(ca, names, nowMs, random);
    await writeFileAtomic(paths.key, server.keyPem, 0o600);
    await writeFileAtomic(paths.cert, server.certPem, 0o644);
  }
  return { caPem: ca.certPem, caFile: paths.caFile, certPem: server.certPem, keyPem: server.keyPem };
}

interface CertAndKey {
  certPem: string;
  keyPem: string;
}

function readPair(certPath: string, keyPath: string): CertAndKey | undefined {
  if (!existsSync(certPath) || !existsSync(keyPath)) return undefined;
  return { certPem: readFileSync(certPath, 'utf8'), keyPem: readFileSync(keyPath, 'utf8') };
}

function isValidAt(certPem: string, nowMs: number): boolean {
  try {
    const cert = new X509Certificate(certPem);
    return Date.parse(cert.validTo) - RENEW_BEFORE_MS > nowMs && Date.parse(cert.validFrom) <= nowMs;
  } catch {
    return false;
  }
}

function coversNames(certPem: string, names: string[]): boolean {
  const cert = new X509Certificate(certPem);
  return names.every((n) => (isIP(n) ? cert.checkIP(n) !== undefined : cert.checkHost(n) !== undefined));
}

/** A key file that does not parse, or is not the certificate's, would stop the HTTPS server from starting: renew instead. */
function keyMatches(certPem: string, keyPem: string): boolean {
  try {
    return new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

function isIssuedBy(certPem: string, caPem: string): boolean {
  return new X509Certificate(certPem).verify(new X509Certificate(caPem).publicKey);
}

function newRsaKeys(): { publicKey: forge.pki.PublicKey; privateKey: forge.pki.rsa.PrivateKey; keyPem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  return { privateKey: forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e), keyPem };
}

/**
 * A certificate serial number as node-forge takes it (hex), from 16 random bytes: positive and at
 * most 20 octets (RFC 5280 §4.1.2.2), and minimally DER-encoded (X.690 §8.3.2). The first octet is
 * forced into 0x40-0x7f: never 0x00 (a leading zero octet followed by one below 0x80 is padding
 * OpenSSL refuses, ERR_OSSL_ASN1_ILLEGAL_PADDING) and never 0x80 or above (which would need a zero
 * octet in front to stay positive). The former code prefixed '0' and cleared the high nibble only:
 * for 1 random byte string in 512 (first byte 0x00, second below 0x80) the serial was padded, node
 * refused the certificate and `vault serve` died at start-up (issue 12).
 */
export function certificateSerialHex(random: Uint8Array): string {
  if (random.length < 1 || random.length > 20) throw new RangeError('a serial takes 1 to 20 random bytes');
  const bytes = Buffer.from(random);
  bytes[0] = (bytes[0]! & 0x3f) | 0x40;
  return bytes.toString('hex');
}

function newCertificate(publicKey: forge.pki.PublicKey, nowMs: number, days: number, random: (n: number) => Uint8Array): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = certificateSerialHex(random(16));
  cert.validity.notBefore = new Date(nowMs - 60_000);
  cert.validity.notAfter = new Date(nowMs + days * 24 * 3600 * 1000);
  return cert;
}

function createCa(nowMs: number, random: (n: number) => Uint8Array): CertAndKey {
  const keys = newRsaKeys();
  const cert = newCertificate(keys.publicKey, nowMs, 3650, random);
  const subject = [{ name: 'commonName', value: 'Projector local vault CA' }, { name: 'organizationName', value: 'Projector (development only)' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.keyPem };
}

function createServerCert(ca: CertAndKey, names: string[], nowMs: number, random: (n: number) => Uint8Array): CertAndKey {
  const keys = newRsaKeys();
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const cert = newCertificate(keys.publicKey, nowMs, 825, random);
  cert.setSubject([{ name: 'commonName', value: names[0] ?? 'localhost' }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: names.map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n })) },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(ca.keyPem) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.keyPem };
}
