// providers/azurekv/push-objects.ts against ESO v2.9's Azure provider
// (providers/v1/azure/keyvault/keyvault.go: getKeyFromValue + jwk.FromRaw, equalKeys,
// getCertificateFromValue, the SHA3-512 comparison of setKeyVaultCertificate).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';
import { ProjectorError } from '../../../../src/core/errors.ts';
import { certificateDer, certificateUnchanged, keyUnchanged, privateKeyJwk } from '../../../../src/providers/azurekv/push-objects.ts';
import { testCertificate } from '../../../support/certificates.ts';

const enc = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
const b64u = (b: Uint8Array | undefined) => Buffer.from(b ?? []).toString('base64url');
const badValue = (re: RegExp, secret?: string) => (e: unknown) => e instanceof ProjectorError && e.code === 'VaultBadValue' && re.test(e.message) && (!secret || !e.message.includes(secret));

// A P-256 key written by Go 1.26 (x509.MarshalECPrivateKey + pem.EncodeToMemory); x, y and d are
// big.Int.FillBytes to 32 bytes, base64url without padding, as jwx v2 writes an EC JWK.
const GO_EC_PEM = `-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIPRTKkimCcWyauBDvIPmhpgflWegZBmdsem+MANF2CyOoAoGCCqGSM49
AwEHoUQDQgAENJ7YyzzEcloCYQ4uzt7+QP3doyuzPNyVl4hWEs1VQRyno4phDPo3
flFN4P8oUfTeyxaH4ltblUMa4nDCT88k3w==
-----END EC PRIVATE KEY-----
`;

describe('azurekv key push: PEM private key → JWK (ESO getKeyFromValue + jwk.FromRaw)', () => {
  it('reads a SEC 1 EC key as Go does: crv, x, y, d', () => {
    const jwk = privateKeyJwk(enc(GO_EC_PEM), 'k');
    assert.equal(jwk.kty, 'EC');
    assert.equal(jwk.crv, 'P-256');
    assert.equal(b64u(jwk.x), 'NJ7YyzzEcloCYQ4uzt7-QP3doyuzPNyVl4hWEs1VQRw');
    assert.equal(b64u(jwk.y), 'p6OKYQz6N35RTeD_KFH03ssWh-JbW5VDGuJwwk_PJN8');
    assert.equal(b64u(jwk.d), '9FMqSKYJxbJq4EO8g-aGmB-VZ6BkGZ2x6b4wA0XYLI4');
  });

  it('reads PKCS#1 and PKCS#8 RSA keys (and PKCS#8 EC) into the same key, after junk lines', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pkcs1 = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const a = privateKeyJwk(enc(`Bag Attributes\n${pkcs1}`), 'k');
    const b = privateKeyJwk(enc(pkcs8), 'k');
    assert.equal(a.kty, 'RSA');
    assert.deepEqual(a, b);
    // The JWK is the same private key: rebuilt from its members it exports the same PKCS#8.
    const members = Object.fromEntries(Object.entries(a).map(([k, v]) => [k, typeof v === 'string' ? v : b64u(v)]));
    assert.equal(createPrivateKey({ key: members as never, format: 'jwk' }).export({ type: 'pkcs8', format: 'pem' }).toString(), pkcs8);
    const ec8 = createPrivateKey(GO_EC_PEM).export({ type: 'pkcs8', format: 'pem' }).toString();
    assert.deepEqual(privateKeyJwk(enc(ec8), 'k'), privateKeyJwk(enc(GO_EC_PEM), 'k'));
  });

  it('a value without a PEM block is a symmetric key; Ed25519 becomes an OKP key (Key Vault decides)', () => {
    assert.deepEqual(privateKeyJwk(enc('raw-bytes'), 'k'), { kty: 'oct', k: enc('raw-bytes') });
    const ed = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const okp = privateKeyJwk(enc(ed), 'k');
    assert.deepEqual([okp.kty, okp.crv, okp.d?.length], ['OKP', 'Ed25519', 32]);
  });

  it('refuses other PEM types, encrypted keys, a PKCS#8 body under an RSA label and P-224, naming the remote key only', () => {
    const cert = testCertificate();
    const certPem = forge.pki.certificateToPem(forge.pki.certificateFromAsn1(forge.asn1.fromDer(cert.certDer.toString('binary'))));
    assert.throws(() => privateKeyJwk(enc(certPem), 'k1'), badValue(/^could not load private key k1: key type CERTIFICATE is not supported/));
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const encrypted = privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }).toString();
    assert.throws(() => privateKeyJwk(enc(encrypted), 'k'), badValue(/key type ENCRYPTED PRIVATE KEY is not supported/));
    const pkcs8Body = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().replaceAll('PRIVATE KEY', 'RSA PRIVATE KEY');
    assert.throws(() => privateKeyJwk(enc(pkcs8Body), 'k'), badValue(/x509: failed to parse private key/));
    const p224 = generateKeyPairSync('ec', { namedCurve: 'secp224r1' }).privateKey.export({ type: 'sec1', format: 'pem' }).toString();
    assert.throws(() => privateKeyJwk(enc(p224), 'k'), badValue(/failed to generate a JWK from secret k content/));
  });

  it('unchanged as equalKeys: same type and public key (RSA n/e, EC crv/x/y); oct never', () => {
    const ec = privateKeyJwk(enc(GO_EC_PEM), 'k');
    assert.equal(keyUnchanged(ec, { kty: 'EC', crv: 'P-256', x: ec.x, y: ec.y }), true);
    assert.equal(keyUnchanged(ec, { kty: 'EC', crv: 'P-384', x: ec.x, y: ec.y }), false);
    assert.equal(keyUnchanged(ec, undefined), false);
    const rsa = privateKeyJwk(enc(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()), 'k');
    assert.equal(keyUnchanged(rsa, { kty: 'RSA', n: Uint8Array.from([0, ...rsa.n!]), e: rsa.e }), true, 'a leading zero byte is the same integer');
    assert.equal(keyUnchanged(rsa, { kty: 'RSA-HSM', n: rsa.n, e: rsa.e }), false);
    assert.equal(keyUnchanged(rsa, { kty: 'RSA', n: rsa.n!.map((v, i) => (i === 5 ? v ^ 1 : v)), e: rsa.e }), false);
    assert.equal(keyUnchanged({ kty: 'oct', k: enc('x') }, { kty: 'oct' }), false);
  });
});

describe('azurekv certificate push (ESO getCertificateFromValue)', () => {
  const cert = testCertificate();
  it('finds the certificate in a password-less PKCS#12, in DER, and in PEM with the key first', () => {
    assert.deepEqual(Buffer.from(certificateDer(Buffer.from(cert.pfxBase64, 'base64'), 'c')), cert.certDer);
    assert.deepEqual(Buffer.from(certificateDer(cert.certDer, 'c')), cert.certDer);
    assert.ok(cert.pemFile.startsWith('-----BEGIN RSA PRIVATE KEY-----'), 'the key comes first, as cert-manager writes it');
    assert.deepEqual(Buffer.from(certificateDer(enc(cert.pemFile), 'c')), cert.certDer);
  });

  it('refuses a PKCS#12 with a password and anything else with ESO\'s message, never quoting the value', () => {
    const keys = forge.pki.privateKeyFromPem(cert.keyPem);
    const forgeCert = forge.pki.certificateFromAsn1(forge.asn1.fromDer(cert.certDer.toString('binary')));
    const locked = Buffer.from(forge.asn1.toDer(forge.pkcs12.toPkcs12Asn1(keys, [forgeCert], 'pw', { algorithm: '3des' })).getBytes(), 'binary');
    assert.throws(() => certificateDer(locked, 'c'), badValue(/^certificate c: value from secret is not a valid certificate: could not parse certificate value as PKCS#12, DER or PEM/));
    assert.throws(() => certificateDer(enc('hunter2-not-a-cert'), 'c'), badValue(/PKCS#12, DER or PEM/, 'hunter2'));
  });

  it('unchanged when Key Vault\'s cer is the same DER', () => {
    assert.equal(certificateUnchanged(cert.certDer, new Uint8Array(cert.certDer)), true);
    assert.equal(certificateUnchanged(cert.certDer, undefined), false);
    assert.equal(certificateUnchanged(cert.certDer, testCertificate().certDer), false);
  });
});
