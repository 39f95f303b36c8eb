// A real self-signed certificate with its key, as PKCS#12 (base64) and PEM, for cert/ tests.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { certificateSerialHex } from '../../src/vault/tls.ts';

export interface TestCertificate {
  certDer: Buffer;
  keyPem: string;
  pfxBase64: string;
  pemFile: string;
}

export function testCertificate(cn = 'netbox.example'): TestCertificate {
  const keys = forge.pki.rsa.generateKeyPair(1024);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date('2026-01-01T00:00:00Z');
  cert.validity.notAfter = new Date('2036-01-01T00:00:00Z');
  cert.setSubject([{ name: 'commonName', value: cn }]);
  cert.setIssuer([{ name: 'commonName', value: cn }]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  const p12 = forge.pkcs12.toPkcs12Asn1(keys.privateKey, [cert], '', { algorithm: '3des' });
  const keyPem = forge.pki.privateKeyToPem(keys.privateKey);
  return {
    certDer: Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary'),
    keyPem,
    pfxBase64: Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary').toString('base64'),
    pemFile: keyPem + forge.pki.certificateToPem(cert),
  };
}

export interface TestCa {
  certPem: string;
  key: forge.pki.rsa.PrivateKey;
}

/** A CA for test TLS servers (the fault proxy): RSA 2048 from node:crypto, signed by node-forge. */
export function testCa(cn = 'projector test CA'): TestCa {
  const { key, publicKey } = rsaKeys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serial();
  validForTests(cert);
  cert.setSubject([{ name: 'commonName', value: cn }]);
  cert.setIssuer([{ name: 'commonName', value: cn }]);
  cert.setExtensions([{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }]);
  cert.sign(key, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), key };
}

/** A serving certificate for 127.0.0.1 and localhost issued by `ca`; each call gives a new key. */
export function testServerCertificate(ca: TestCa): { certPem: string; keyPem: string } {
  const { key, publicKey } = rsaKeys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serial();
  validForTests(cert);
  cert.setSubject([{ name: 'commonName', value: '127.0.0.1' }]);
  cert.setIssuer(forge.pki.certificateFromPem(ca.certPem).subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
  ]);
  cert.sign(ca.key, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(key) };
}

function rsaKeys(): { key: forge.pki.rsa.PrivateKey; publicKey: forge.pki.PublicKey } {
  // node:crypto generates the key in milliseconds; forge's pure-JS generator takes seconds at 2048 bits.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()) as forge.pki.rsa.PrivateKey;
  return { key, publicKey: forge.pki.setRsaPublicKey(key.n, key.e) };
}

function serial(): string {
  // The vault's own rule: positive and minimally encoded. The former '0' + random hex made a padded
  // serial OpenSSL refuses (ERR_OSSL_ASN1_ILLEGAL_PADDING) for 1 random string in 512.
  return certificateSerialHex(randomBytes(16));
}

function validForTests(cert: forge.pki.Certificate): void {
  cert.validity.notBefore = new Date(Date.now() - 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 30 * 24 * 3600_000);
}
