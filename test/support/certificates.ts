// A real self-signed certificate with its key, as PKCS#12 (base64) and PEM, for cert/ tests.
import forge from 'node-forge';

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
