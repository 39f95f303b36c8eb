// A private CA and a server certificate for the vault, generated on first start and reused after.
// Keys come from node:crypto; node-forge only assembles and signs the X.509 structures.
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
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

/** Loads the CA and server certificate from `dir`, creating or renewing what is missing, expiring or not covering `hosts`. */
export async function ensureTlsMaterial(dir: string, hosts: string[], nowMs = Date.now()): Promise<TlsMaterial> {
  mkdirSync(dir, { recursive: true });
  const paths = { caFile: join(dir, 'ca.pem'), caKey: join(dir, 'ca-key.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server-key.pem') };
  const names = [...new Set([...DEFAULT_NAMES, ...hosts.filter((h) => h && h !== '0.0.0.0' && h !== '::')])];

  let ca = readPair(paths.caFile, paths.caKey);
  if (!ca || !isValidAt(ca.certPem, nowMs)) {
    ca = createCa(nowMs);
    await writeFileAtomic(paths.caKey, ca.keyPem, 0o600);
    await writeFileAtomic(paths.caFile, ca.certPem, 0o644);
  }
  let server = readPair(paths.cert, paths.key);
  if (!server || !isValidAt(server.certPem, nowMs) || !coversNames(server.certPem, names) || !isIssuedBy(server.certPem, ca.certPem)) {
    server = createServerCert(ca, names, nowMs);
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

function isIssuedBy(certPem: string, caPem: string): boolean {
  return new X509Certificate(certPem).verify(new X509Certificate(caPem).publicKey);
}

function newRsaKeys(): { publicKey: forge.pki.PublicKey; privateKey: forge.pki.rsa.PrivateKey; keyPem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  return { privateKey: forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e), keyPem };
}

function newCertificate(publicKey: forge.pki.PublicKey, nowMs: number, days: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // A positive serial: the high bit cleared.
  cert.serialNumber = '0' + randomBytes(16).toString('hex').replace(/^[89a-f]/, '1');
  cert.validity.notBefore = new Date(nowMs - 60_000);
  cert.validity.notAfter = new Date(nowMs + days * 24 * 3600 * 1000);
  return cert;
}

function createCa(nowMs: number): CertAndKey {
  const keys = newRsaKeys();
  const cert = newCertificate(keys.publicKey, nowMs, 3650);
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

function createServerCert(ca: CertAndKey, names: string[], nowMs: number): CertAndKey {
  const keys = newRsaKeys();
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const cert = newCertificate(keys.publicKey, nowMs, 825);
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
