// The vault's keys and certificates API in-process: shapes, versions, soft delete, certificates backed
// by a managed key and secret, and per-object-type permissions (Key Vault REST reference: Keys -
// Create Key / Import Key / Get Key / Get Key Versions / Delete Key, Certificates - Import Certificate /
// Get Certificate / Delete Certificate, and the deleted-object operations).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createHash, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { decodeChain, encodeModern } from '../../../src/core/template/go-pkcs12.ts';
import { parseCertificate } from '../../../src/core/template/go-x509.ts';
import { derBitString, derExplicit, derOid, derSeq, derSet, derSmallInt, tlv } from '../../../src/core/template/der.ts';
import { createHarness, API, BASE_URL } from './app-harness.ts';
import { testCertificate } from '../../support/certificates.ts';

const cert = testCertificate('keys.example');

async function admin() {
  const h = createHarness({
    principals: [
      { clientId: 'reader', clientSecret: 'reader-secret' },
      { clientId: 'secrets-only', clientSecret: 's', allowRead: ['*'], allowWrite: ['*'] },
      { clientId: 'cert-reader', clientSecret: 'c', allowRead: [], certificates: { allowRead: ['tls-*'], allowWrite: [] } },
    ],
  });
  return { h, token: await h.tokenFor('reader', 'reader-secret') };
}

describe('vault app: keys', () => {
  it('creates an RSA key and serves only its public members, in AKV order', async () => {
    const { h, token } = await admin();
    const res = await h.call('POST', `/keys/signing/create?${API}`, { token, body: { kty: 'RSA', key_size: 2048, tags: { app: 'x' } } });
    assert.equal(res.status, 200);
    const key = res.json.key;
    assert.deepEqual(Object.keys(key), ['kid', 'kty', 'key_ops', 'n', 'e']);
    assert.match(key.kid, new RegExp(`^${BASE_URL}/keys/signing/[0-9a-f]{32}$`));
    assert.equal(key.kty, 'RSA');
    assert.deepEqual(key.key_ops, ['encrypt', 'decrypt', 'sign', 'verify', 'wrapKey', 'unwrapKey']);
    assert.equal(Buffer.from(key.n, 'base64url').length, 256);
    assert.equal(key.e, 'AQAB');
    assert.deepEqual(res.json.tags, { app: 'x' });
    assert.equal(res.json.attributes.enabled, true);
    assert.equal(res.json.attributes.recoveryLevel, 'Recoverable+Purgeable');
    const got = await h.call('GET', `/keys/signing?${API}`, { token });
    assert.deepEqual(got.json.key, key);
    assert.ok(!('d' in got.json.key));
  });

  it('creates an EC key (P-256 by default) and refuses oct and unknown curves', async () => {
    const { h, token } = await admin();
    const ec = await h.call('POST', `/keys/ec/create?${API}`, { token, body: { kty: 'EC' } });
    assert.deepEqual(Object.keys(ec.json.key), ['kid', 'kty', 'key_ops', 'crv', 'x', 'y']);
    assert.equal(ec.json.key.crv, 'P-256');
    assert.deepEqual(ec.json.key.key_ops, ['sign', 'verify']);
    const k = await h.call('POST', `/keys/ec2/create?${API}`, { token, body: { kty: 'EC', crv: 'P-256K' } });
    assert.equal(k.json.key.crv, 'P-256K');
    for (const body of [{ kty: 'oct' }, { kty: 'EC', crv: 'P-999' }, { kty: 'RSA', key_size: 1000 }]) {
      const bad = await h.call('POST', `/keys/bad/create?${API}`, { token, body });
      assert.equal(bad.status, 400, JSON.stringify(body));
      assert.equal(bad.json.error.code, 'BadParameter');
    }
  });

  it('imports a private JWK as a new version, keeps versions, and answers KeyNotFound as AKV', async () => {
    const { h, token } = await admin();
    const first = await h.call('POST', `/keys/k/create?${API}`, { token, body: { kty: 'RSA' } });
    const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
    const imported = await h.call('PUT', `/keys/k?${API}`, { token, body: { key: { ...jwk, key_ops: ['sign', 'verify'] }, tags: { pushed: 'yes' } } });
    assert.equal(imported.status, 200);
    assert.equal(imported.json.key.n, jwk.n);
    assert.deepEqual(imported.json.key.key_ops, ['sign', 'verify']);
    const versions = await h.call('GET', `/keys/k/versions?${API}`, { token });
    assert.deepEqual(versions.json.value.map((v: { kid: string }) => v.kid), [first.json.key.kid, imported.json.key.kid]);
    const old = await h.call('GET', `/keys/k/${first.json.key.kid.split('/').at(-1)}?${API}`, { token });
    assert.equal(old.json.key.n, first.json.key.n);
    const list = await h.call('GET', `/keys?${API}`, { token });
    assert.deepEqual(list.json.value.map((v: { kid: string }) => v.kid), [`${BASE_URL}/keys/k`]);
    const missing = await h.call('GET', `/keys/nope?${API}`, { token });
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json.error, { code: 'KeyNotFound', message: 'A key with (name/id) nope was not found in this key vault.' });
    const publicOnly = await h.call('PUT', `/keys/pub?${API}`, { token, body: { key: { kty: 'RSA', n: jwk.n, e: jwk.e } } });
    assert.equal(publicOnly.status, 400);
    const notKey = await h.call('PUT', `/keys/pub?${API}`, { token, body: { key: { kty: 'RSA', n: 'AA', e: 'AQAB', d: 'AA' } } });
    assert.equal(notKey.status, 400);
    assert.equal(notKey.json.error.message, 'Property key is not a valid RSA or EC private JSON Web Key.');
  });

  it('soft-deletes, lists deleted, recovers and purges keys', async () => {
    const { h, token } = await admin();
    await h.call('POST', `/keys/gone/create?${API}`, { token, body: { kty: 'EC' } });
    const del = await h.call('DELETE', `/keys/gone?${API}`, { token });
    assert.equal(del.status, 200);
    assert.equal(del.json.recoveryId, `${BASE_URL}/deletedkeys/gone`);
    assert.equal(del.json.scheduledPurgeDate - del.json.deletedDate, 90 * 86_400);
    assert.equal((await h.call('GET', `/keys/gone?${API}`, { token })).status, 404);
    const reuse = await h.call('POST', `/keys/gone/create?${API}`, { token, body: { kty: 'EC' } });
    assert.equal(reuse.status, 409);
    assert.equal(reuse.json.error.innererror.code, 'ObjectIsDeletedButRecoverable');
    assert.deepEqual((await h.call('GET', `/deletedkeys?${API}`, { token })).json.value.map((d: { kid: string }) => d.kid), [`${BASE_URL}/keys/gone`]);
    assert.equal((await h.call('POST', `/deletedkeys/gone/recover?${API}`, { token })).status, 200);
    assert.equal((await h.call('GET', `/keys/gone?${API}`, { token })).status, 200);
    await h.call('DELETE', `/keys/gone?${API}`, { token });
    assert.equal((await h.call('DELETE', `/deletedkeys/gone?${API}`, { token })).status, 204);
    assert.equal((await h.call('GET', `/deletedkeys/gone?${API}`, { token })).status, 404);
  });
});

describe('vault app: certificates', () => {
  it('imports a PKCS#12 and serves cer, x5t, kid, sid, policy; the backing secret and key are managed', async () => {
    const { h, token } = await admin();
    const res = await h.call('POST', `/certificates/tls-pfx/import?${API}`, { token, body: { value: cert.pfxBase64, tags: { env: 'dev' } } });
    assert.equal(res.status, 200, res.body);
    const version = res.json.id.split('/').at(-1);
    assert.match(version, /^[0-9a-f]{32}$/);
    assert.equal(res.json.id, `${BASE_URL}/certificates/tls-pfx/${version}`);
    assert.equal(res.json.kid, `${BASE_URL}/keys/tls-pfx/${version}`);
    assert.equal(res.json.sid, `${BASE_URL}/secrets/tls-pfx/${version}`);
    assert.deepEqual(Buffer.from(res.json.cer, 'base64'), cert.certDer);
    assert.equal(res.json.x5t, createHash('sha1').update(cert.certDer).digest('base64url'));
    assert.equal(res.json.contentType, 'application/x-pkcs12');
    assert.equal(res.json.attributes.nbf, Date.parse('2026-01-01T00:00:00Z') / 1000);
    assert.equal(res.json.attributes.exp, Date.parse('2036-01-01T00:00:00Z') / 1000);
    assert.equal(res.json.policy.secret_props.contentType, 'application/x-pkcs12');
    assert.equal(res.json.policy.issuer.name, 'Unknown');

    const secret = await h.call('GET', `/secrets/tls-pfx?${API}`, { token });
    assert.equal(secret.json.managed, true);
    assert.equal(secret.json.kid, res.json.kid);
    assert.equal(secret.json.contentType, 'application/x-pkcs12');
    assert.ok(Buffer.from(secret.json.value, 'base64').length > cert.certDer.length);
    const key = await h.call('GET', `/keys/tls-pfx?${API}`, { token });
    assert.equal(key.json.managed, true);
    assert.equal(key.json.key.kid, res.json.kid);

    const byVersion = await h.call('GET', `/certificates/tls-pfx/${version}?${API}`, { token });
    assert.equal(byVersion.json.cer, res.json.cer);
    assert.ok(!('policy' in byVersion.json));
    assert.equal((await h.call('GET', `/certificates/tls-pfx/policy?${API}`, { token })).json.secret_props.contentType, 'application/x-pkcs12');
    const list = await h.call('GET', `/certificates?${API}`, { token });
    assert.deepEqual(list.json.value.map((c: { id: string; x5t: string }) => [c.id, c.x5t]), [[`${BASE_URL}/certificates/tls-pfx`, res.json.x5t]]);
  });

  it('imports PEM (key and certificate) and serves the PEM through the backing secret', async () => {
    const { h, token } = await admin();
    const res = await h.call('POST', `/certificates/tls-pem/import?${API}`, { token, body: { value: cert.pemFile, policy: { secret_props: { contentType: 'application/x-pem-file' } } } });
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(Buffer.from(res.json.cer, 'base64'), cert.certDer);
    const secret = await h.call('GET', `/secrets/tls-pem?${API}`, { token });
    assert.equal(secret.json.contentType, 'application/x-pem-file');
    assert.match(secret.json.value, /^-----BEGIN PRIVATE KEY-----\n[\s\S]+-----END PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
    assert.ok(secret.json.value.includes(cert.certDer.toString('base64').slice(0, 64)));
  });

  it('takes a base64-encoded PEM file without a policy as PEM (what SDKs send without a content type, and ESO\'s PushSecret does)', async () => {
    const { h, token } = await admin();
    const res = await h.call('POST', `/certificates/tls-b64pem/import?${API}`, { token, body: { value: Buffer.from(cert.pemFile).toString('base64') } });
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(Buffer.from(res.json.cer, 'base64'), cert.certDer);
    assert.equal((await h.call('GET', `/secrets/tls-b64pem?${API}`, { token })).json.contentType, 'application/x-pem-file');
  });

  it('refuses a certificate without its private key, and writes to a managed secret or key', async () => {
    const { h, token } = await admin();
    const certOnly = cert.pemFile.slice(cert.pemFile.indexOf('-----BEGIN CERTIFICATE-----'));
    const res = await h.call('POST', `/certificates/c/import?${API}`, { token, body: { value: certOnly, policy: { secret_props: { contentType: 'application/x-pem-file' } } } });
    assert.equal(res.status, 400);
    assert.match(res.json.error.message, /^Private key is not specified/);
    const garbage = await h.call('POST', `/certificates/c/import?${API}`, { token, body: { value: Buffer.from('not a pfx').toString('base64') } });
    assert.equal(garbage.status, 400);
    await h.call('POST', `/certificates/tls/import?${API}`, { token, body: { value: cert.pfxBase64 } });
    assert.equal((await h.call('PUT', `/secrets/tls?${API}`, { token, body: { value: 'x' } })).status, 409);
    assert.equal((await h.call('DELETE', `/secrets/tls?${API}`, { token })).status, 409);
    assert.equal((await h.call('POST', `/keys/tls/create?${API}`, { token, body: { kty: 'RSA' } })).status, 409);
    await h.call('PUT', `/secrets/plain?${API}`, { token, body: { value: 'x' } });
    assert.equal((await h.call('POST', `/certificates/plain/import?${API}`, { token, body: { value: cert.pfxBase64 } })).status, 409);
  });

  it('deletes a certificate with its backing secret and key, and recovers them together', async () => {
    const { h, token } = await admin();
    await h.call('POST', `/certificates/tls/import?${API}`, { token, body: { value: cert.pfxBase64 } });
    const del = await h.call('DELETE', `/certificates/tls?${API}`, { token });
    assert.equal(del.json.recoveryId, `${BASE_URL}/deletedcertificates/tls`);
    for (const path of ['/certificates/tls', '/secrets/tls', '/keys/tls']) assert.equal((await h.call('GET', `${path}?${API}`, { token })).status, 404, path);
    const missing = await h.call('GET', `/certificates/tls?${API}`, { token });
    assert.deepEqual(missing.json.error, { code: 'CertificateNotFound', message: 'A certificate with (name/id) tls was not found in this key vault.' });
    assert.equal((await h.call('GET', `/deletedcertificates/tls?${API}`, { token })).status, 200);
    assert.equal((await h.call('POST', `/deletedcertificates/tls/recover?${API}`, { token })).status, 200);
    for (const path of ['/certificates/tls', '/secrets/tls', '/keys/tls']) assert.equal((await h.call('GET', `${path}?${API}`, { token })).status, 200, path);
    await h.call('DELETE', `/certificates/tls?${API}`, { token });
    assert.equal((await h.call('DELETE', `/deletedcertificates/tls?${API}`, { token })).status, 204);
    assert.equal((await h.call('POST', `/certificates/tls/import?${API}`, { token, body: { value: cert.pfxBase64 } })).status, 200);
  });

  it('judges keys and certificates by their own permissions: secrets/get grants neither', async () => {
    const { h, token } = await admin();
    await h.call('POST', `/certificates/tls-a/import?${API}`, { token, body: { value: cert.pfxBase64 } });
    await h.call('POST', `/keys/k/create?${API}`, { token, body: { kty: 'EC' } });
    const secretsOnly = await h.tokenFor('secrets-only', 's');
    const refused = await h.call('GET', `/certificates/tls-a?${API}`, { token: secretsOnly });
    assert.equal(refused.status, 403);
    assert.equal(refused.json.error.code, 'Forbidden');
    assert.equal(refused.json.error.message, "The user, group or application 'appid=secrets-only' does not have certificates get permission on key vault 'vault.test:8443'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287");
    assert.match((await h.call('GET', `/keys/k?${API}`, { token: secretsOnly })).json.error.message, /does not have keys get permission/);
    assert.match((await h.call('POST', `/certificates/x/import?${API}`, { token: secretsOnly, body: { value: cert.pfxBase64 } })).json.error.message, /does not have certificates import permission/);
    assert.deepEqual((await h.call('GET', `/certificates?${API}`, { token: secretsOnly })).json.value, []);
    // The backing secret is a secret: secrets/get reads it, as in AKV.
    assert.equal((await h.call('GET', `/secrets/tls-a?${API}`, { token: secretsOnly })).status, 200);

    const certReader = await h.tokenFor('cert-reader', 'c');
    assert.equal((await h.call('GET', `/certificates/tls-a?${API}`, { token: certReader })).status, 200);
    assert.equal((await h.call('GET', `/secrets/tls-a?${API}`, { token: certReader })).status, 403);
    assert.equal((await h.call('DELETE', `/certificates/tls-a?${API}`, { token: certReader })).status, 403);
  });
});

// Create Certificate (issuer Self) and Get Certificate Operation (Key Vault REST reference:
// Certificates - Create Certificate, Get Certificate Operation), and EC keys in imported PKCS#12.
describe('vault app: certificates created with issuer Self, and EC certificates', () => {
  it('creates an RSA certificate with the default policy: 202 and the operation, then the certificate, its key and a PKCS#12 secret', async () => {
    const { h, token } = await admin();
    const res = await h.call('POST', `/certificates/made/create?${API}`, { token, body: { policy: { issuer: { name: 'Self' }, x509_props: { subject: 'CN=made.example' } }, tags: { team: 'a' } } });
    assert.equal(res.status, 202, res.body);
    assert.equal(res.json.id, `${BASE_URL}/certificates/made/pending`);
    assert.deepEqual(res.json.issuer, { name: 'Self' });
    assert.equal(res.json.status, 'completed');
    assert.equal(res.json.target, `${BASE_URL}/certificates/made`);
    assert.equal(res.json.cancellation_requested, false);
    const csr = Buffer.from(res.json.csr, 'base64');
    assert.equal(csr[0], 0x30);

    const pending = await h.call('GET', `/certificates/made/pending?${API}`, { token });
    assert.equal(pending.status, 200);
    assert.deepEqual(pending.json, res.json);

    const got = await h.call('GET', `/certificates/made?${API}`, { token });
    assert.equal(got.status, 200);
    const x509 = new X509Certificate(Buffer.from(got.json.cer, 'base64'));
    assert.equal(x509.subject, 'CN=made.example');
    assert.ok(x509.verify(x509.publicKey), 'self-signed: verified by its own key');
    assert.equal(x509.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
    assert.equal(got.json.attributes.nbf, h.clock.ms / 1000);
    assert.equal(got.json.attributes.exp, Date.parse('2024-11-14T22:13:20Z') / 1000, '12 months by default');
    assert.deepEqual(x509.keyUsage, ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    assert.equal(got.json.policy.issuer.name, 'Self');
    assert.deepEqual(got.json.policy.key_props, { exportable: true, kty: 'RSA', reuse_key: false, key_size: 2048 });
    assert.deepEqual(got.json.policy.x509_props.key_usage, ['digitalSignature', 'keyEncipherment']);
    assert.equal(got.json.policy.secret_props.contentType, 'application/x-pkcs12');
    assert.deepEqual(got.json.tags, { team: 'a' });

    const secret = await h.call('GET', `/secrets/made?${API}`, { token });
    assert.equal(secret.json.contentType, 'application/x-pkcs12');
    assert.equal(secret.json.managed, true);
    // The PKCS#12 read back by an independent reader (the go-pkcs12 port), with no password.
    const chain = decodeChain(Buffer.from(secret.json.value, 'base64'), new Uint8Array());
    assert.deepEqual(Buffer.from(chain.certificate.raw), Buffer.from(got.json.cer, 'base64'));
    assert.equal(chain.key.kind, 'rsa');
    const key = await h.call('GET', `/keys/made?${API}`, { token });
    assert.equal(key.json.key.kty, 'RSA');
    assert.equal(key.json.key.n, (x509.publicKey.export({ format: 'jwk' }) as { n: string }).n);
  });

  for (const [crv, bits, alg] of [['P-256', 'prime256v1', 'ecdsa-with-SHA256'], ['P-384', 'secp384r1', 'ecdsa-with-SHA384'], ['P-521', 'secp521r1', 'ecdsa-with-SHA512']] as const) {
    it(`creates an EC ${crv} certificate with SANs and a PEM secret (${alg})`, async () => {
      const { h, token } = await admin();
      const policy = {
        issuer: { name: 'self' },
        key_props: { kty: 'EC', crv },
        secret_props: { contentType: 'application/x-pem-file' },
        x509_props: { subject: 'CN=ec.example, O=Acme', sans: { dns_names: ['ec.example', 'www.ec.example'] }, validity_months: 3 },
      };
      const res = await h.call('POST', `/certificates/ec-made/create?${API}`, { token, body: { policy } });
      assert.equal(res.status, 202, res.body);
      const got = await h.call('GET', `/certificates/ec-made?${API}`, { token });
      const x509 = new X509Certificate(Buffer.from(got.json.cer, 'base64'));
      assert.equal(x509.publicKey.asymmetricKeyDetails?.namedCurve, bits);
      assert.equal(x509.subject, 'CN=ec.example\nO=Acme');
      assert.equal(x509.subjectAltName, 'DNS:ec.example, DNS:www.ec.example');
      assert.ok(x509.verify(x509.publicKey));
      assert.equal(got.json.attributes.exp, Date.parse('2024-02-14T22:13:20Z') / 1000, '3 calendar months');
      assert.deepEqual(got.json.policy.key_props, { exportable: true, kty: 'EC', reuse_key: false, crv });
      const secret = await h.call('GET', `/secrets/ec-made?${API}`, { token });
      assert.equal(secret.json.contentType, 'application/x-pem-file');
      const keyPem = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----\n/.exec(secret.json.value)![0];
      assert.deepEqual(createPublicKey(keyPem).export({ format: 'jwk' }), x509.publicKey.export({ format: 'jwk' }));
      const key = await h.call('GET', `/keys/ec-made?${API}`, { token });
      const jwk = x509.publicKey.export({ format: 'jwk' }) as { x: string; y: string };
      assert.deepEqual([key.json.key.kty, key.json.key.crv, key.json.key.x, key.json.key.y], ['EC', crv, jwk.x, jwk.y]);
    });
  }

  it('creates a new version with the certificate\'s own policy when none is given; refuses issuers it does not have and bad policies', async () => {
    const { h, token } = await admin();
    const policy = { issuer: { name: 'Self' }, key_props: { kty: 'EC' }, x509_props: { subject: 'CN=v.example' } };
    const first = await h.call('POST', `/certificates/v/create?${API}`, { token, body: { policy } });
    assert.equal(first.status, 202);
    const second = await h.call('POST', `/certificates/v/create?${API}`, { token, body: {} });
    assert.equal(second.status, 202, second.body);
    const versions = await h.call('GET', `/certificates/v/versions?${API}`, { token });
    assert.equal(versions.json.value.length, 2);
    assert.equal((await h.call('GET', `/certificates/v?${API}`, { token })).json.policy.key_props.kty, 'EC');

    const digicert = await h.call('POST', `/certificates/w/create?${API}`, { token, body: { policy: { ...policy, issuer: { name: 'DigiCertIssuer' } } } });
    assert.equal(digicert.status, 400);
    assert.equal(digicert.json.error.code, 'BadParameter');
    assert.match(digicert.json.error.message, /^Issuer not found: DigiCertIssuer\./);
    assert.equal((await h.call('GET', `/certificates/w?${API}`, { token })).status, 404, 'nothing created');
    const noPolicy = await h.call('POST', `/certificates/w/create?${API}`, { token, body: {} });
    assert.equal(noPolicy.status, 400);
    assert.match(noPolicy.json.error.message, /policy is required/);
    const noNames = await h.call('POST', `/certificates/w/create?${API}`, { token, body: { policy: { issuer: { name: 'Self' } } } });
    assert.match(noNames.json.error.message, /subject or subject alternative names/);
    const badCurve = await h.call('POST', `/certificates/w/create?${API}`, { token, body: { policy: { ...policy, key_props: { kty: 'EC', crv: 'P-999' } } } });
    assert.match(badCurve.json.error.message, /crv must be one of/);

    // An imported certificate has no pending operation.
    await h.call('POST', `/certificates/imp/import?${API}`, { token, body: { value: cert.pfxBase64 } });
    const none = await h.call('GET', `/certificates/imp/pending?${API}`, { token });
    assert.equal(none.status, 404);
    assert.equal(none.json.error.code, 'PendingCertificateNotFound');
    // certificates/create is its own permission.
    const reader = await h.tokenFor('cert-reader', 'c');
    assert.match((await h.call('POST', `/certificates/tls-x/create?${API}`, { token: reader, body: { policy } })).json.error.message, /does not have certificates create permission/);
  });

  for (const curve of ['P-256', 'P-384', 'P-521'] as const) {
    it(`imports a PKCS#12 whose key is EC ${curve} (written by the go-pkcs12 port, AES and a password) and serves the key as EC`, async () => {
      const { h, token } = await admin();
      const ec = ecCertificate(curve);
      const pfx = encodeModern({ key: ec.key, kind: 'ec' }, parseCertificate(ec.der), [], new Uint8Array(Buffer.from('pw')));
      const res = await h.call('POST', `/certificates/ec-pfx/import?${API}`, { token, body: { value: Buffer.from(pfx).toString('base64'), pwd: 'pw' } });
      assert.equal(res.status, 200, res.body);
      assert.deepEqual(Buffer.from(res.json.cer, 'base64'), ec.der);
      const jwk = ec.key.export({ format: 'jwk' }) as { x: string; y: string };
      const key = await h.call('GET', `/keys/ec-pfx?${API}`, { token });
      assert.deepEqual(Object.keys(key.json.key), ['kid', 'kty', 'key_ops', 'crv', 'x', 'y']);
      assert.deepEqual([key.json.key.kty, key.json.key.crv, key.json.key.x, key.json.key.y], ['EC', curve, jwk.x, jwk.y]);
      assert.deepEqual((await h.call('GET', `/certificates/ec-pfx/policy?${API}`, { token })).json.key_props.crv, curve);
      // Served back as a passwordless PKCS#12 holding the same EC key.
      const chain = decodeChain(Buffer.from((await h.call('GET', `/secrets/ec-pfx?${API}`, { token })).json.value, 'base64'), new Uint8Array());
      assert.deepEqual(chain.key.key.export({ format: 'jwk' }), ec.key.export({ format: 'jwk' }));
      // The same material as PEM.
      const pem = ec.key.export({ type: 'pkcs8', format: 'pem' }).toString() + new X509Certificate(ec.der).toString();
      const asPem = await h.call('POST', `/certificates/ec-pem/import?${API}`, { token, body: { value: pem } });
      assert.equal(asPem.status, 200, asPem.body);
      assert.equal((await h.call('GET', `/keys/ec-pem?${API}`, { token })).json.key.crv, curve);
    });
  }

  it('refuses a PKCS#12 with a wrong password without describing it', async () => {
    const { h, token } = await admin();
    const ec = ecCertificate('P-256');
    const pfx = encodeModern({ key: ec.key, kind: 'ec' }, parseCertificate(ec.der), [], new Uint8Array(Buffer.from('pw')));
    const res = await h.call('POST', `/certificates/ec-pfx/import?${API}`, { token, body: { value: Buffer.from(pfx).toString('base64'), pwd: 'wrong' } });
    assert.equal(res.status, 400);
    assert.match(res.json.error.message, /can not be read/);
  });
});

/**
 * An EC certificate made without the vault's code: openssl-free, node:crypto keys and a
 * certificate from a PKCS#10-less self-signature over a minimal TBSCertificate (core/template/der.ts).
 */
function ecCertificate(curve: 'P-256' | 'P-384' | 'P-521'): { key: KeyObject; der: Buffer } {
  const named = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' }[curve];
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: named });
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const alg = derSeq(derOid('1.2.840.10045.4.3.2'));
  const name = derSeq(derSet(derSeq(derOid('2.5.4.3'), tlv(0x0c, Buffer.from(`ec-${curve}.example`)))));
  const time = (s: string) => tlv(0x17, Buffer.from(s));
  const tbs = derSeq(derExplicit(0, derSmallInt(2)), derSmallInt(7), alg, name, derSeq(time('260101000000Z'), time('360101000000Z')), name, spki);
  return { key: privateKey, der: Buffer.from(derSeq(tbs, alg, derBitString(sign('sha256', tbs, privateKey)))) };
}
