// The local vault exercised over real HTTPS through the official Azure SDK and every credential
// type the azurekv provider may use.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { X509Certificate, createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SecretClient } from '@azure/keyvault-secrets';
import { CertificateClient, DefaultCertificatePolicy } from '@azure/keyvault-certificates';
import { KeyClient } from '@azure/keyvault-keys';
import { decodeChain, encodeModern } from '../../../src/core/template/go-pkcs12.ts';
import { parseCertificate } from '../../../src/core/template/go-x509.ts';
import { ClientSecretCredential, ClientCertificateCredential, ClientAssertionCredential, ManagedIdentityCredential } from '@azure/identity';
import { startTestVault, credentialOptions, clientOptions, selfSignedClientCertificate, canary, type TestVault } from './vault-support.ts';

const ISSUER = 'https://kubernetes.default.svc.cluster.local';
const SUBJECT = 'system:serviceaccount:projector:projector';
const wiKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const clientCert = selfSignedClientCertificate('projector-test-client');
const canaries: string[] = [];

function serviceAccountToken(claims: Partial<Record<string, unknown>> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const h = Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'sa-key-1' })).toString('base64url');
  const c = Buffer.from(JSON.stringify({ iss: ISSUER, sub: SUBJECT, aud: ['api://AzureADTokenExchange'], iat: now, exp: now + 3600, ...claims })).toString('base64url');
  return `${h}.${c}.${sign('sha256', Buffer.from(`${h}.${c}`), wiKeys.privateKey).toString('base64url')}`;
}

describe('local vault through the official SDK', () => {
  let tv: TestVault;
  let jwksServer: Server;

  before(async () => {
    jwksServer = createServer((req, res) => {
      const jwk = { ...(wiKeys.publicKey.export({ format: 'jwk' }) as object), kid: 'sa-key-1', use: 'sig', alg: 'RS256' };
      res.writeHead(req.url === '/openid/v1/jwks' ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
    const jwksPort = (jwksServer.address() as AddressInfo).port;
    tv = await startTestVault({
      principals: [
        { clientId: 'admin-app', clientSecret: 'admin-secret' },
        { clientId: 'cert-app', certificatePem: clientCert.certificatePem },
        { clientId: 'wi-app', federated: { issuer: ISSUER, subject: SUBJECT } },
        { clientId: 'mi-app', managedIdentity: true },
        { clientId: 'narrow-app', clientSecret: 'narrow-secret', allowRead: ['public-*'] },
      ],
      jwks: { uri: `http://127.0.0.1:${jwksPort}/openid/v1/jwks` },
    });
  });

  after(async () => {
    // Every test seeded canaries; none may reach the vault's logs.
    const logs = tv.logs.join('\n');
    for (const c of canaries) assert.ok(!logs.includes(c), 'a canary value reached the vault logs');
    await tv.stop();
    await new Promise<void>((r) => jwksServer.close(() => r()));
  });

  function adminClient(): SecretClient {
    return new SecretClient(tv.vault.url, new ClientSecretCredential(tv.vault.tenantId, 'admin-app', 'admin-secret', credentialOptions(tv.vault)), clientOptions(tv.vault));
  }

  it('sets, reads, versions, updates, lists and deletes with ClientSecretCredential', async () => {
    const client = adminClient();
    const v1 = canary('v1');
    const v2 = canary('v2');
    canaries.push(v1, v2);
    const first = await client.setSecret('sdk-roundtrip', v1, { contentType: 'text/plain', tags: { owner: 'tests' } });
    const second = await client.setSecret('sdk-roundtrip', v2);
    assert.equal((await client.getSecret('sdk-roundtrip')).value, v2);
    assert.equal((await client.getSecret('sdk-roundtrip', { version: first.properties.version! })).value, v1);
    assert.equal(first.properties.tags?.owner, 'tests');
    assert.equal(first.properties.recoveryLevel, 'Recoverable+Purgeable');
    assert.equal(first.properties.vaultUrl, tv.vault.url);

    const versions: string[] = [];
    for await (const p of client.listPropertiesOfSecretVersions('sdk-roundtrip')) versions.push(p.version!);
    assert.deepEqual(versions.sort(), [first.properties.version!, second.properties.version!].sort());

    await client.updateSecretProperties('sdk-roundtrip', second.properties.version!, { enabled: false });
    await assert.rejects(client.getSecret('sdk-roundtrip'), (e: { statusCode?: number; code?: string }) => e.statusCode === 403 && e.code === 'Forbidden');

    const poller = await client.beginDeleteSecret('sdk-roundtrip');
    const deleted = await poller.pollUntilDone();
    assert.equal(deleted.name, 'sdk-roundtrip');
    assert.ok(deleted.recoveryId);
    await client.purgeDeletedSecret('sdk-roundtrip');
    await assert.rejects(client.getDeletedSecret('sdk-roundtrip'), (e: { statusCode?: number }) => e.statusCode === 404);
  });

  it('follows nextLink across pages when listing more than 25 secrets', async () => {
    const client = adminClient();
    for (let i = 0; i < 30; i++) await tv.vault.admin.setSecret(`page-${String(i).padStart(2, '0')}`, `v${i}`);
    const names: string[] = [];
    for await (const p of client.listPropertiesOfSecrets()) if (p.name.startsWith('page-')) names.push(p.name);
    assert.equal(names.length, 30);
  });

  it('backs up a secret (every version), refuses a restore over a live or deleted name, restores after a purge', async () => {
    const client = adminClient();
    const v1 = canary('backup-v1');
    const v2 = canary('backup-v2');
    canaries.push(v1, v2);
    const first = await client.setSecret('sdk-backup', v1, { tags: { kept: 'yes' } });
    await client.setSecret('sdk-backup', v2);
    const blob = (await client.backupSecret('sdk-backup'))!;
    assert.ok(blob.length > 0);
    assert.ok(!Buffer.from(blob).toString('latin1').includes(v1), 'the blob is opaque');
    await assert.rejects(client.restoreSecretBackup(blob), (e: { statusCode?: number; code?: string }) => e.statusCode === 409 && e.code === 'Conflict');
    await (await client.beginDeleteSecret('sdk-backup')).pollUntilDone();
    await assert.rejects(client.restoreSecretBackup(blob), (e: { statusCode?: number; code?: string }) => e.statusCode === 409);
    await client.purgeDeletedSecret('sdk-backup');
    const restored = await client.restoreSecretBackup(blob);
    assert.equal(restored.name, 'sdk-backup');
    assert.equal((await client.getSecret('sdk-backup')).value, v2);
    const old = await client.getSecret('sdk-backup', { version: first.properties.version! });
    assert.equal(old.value, v1);
    assert.equal(old.properties.tags?.kept, 'yes');
    await assert.rejects(client.restoreSecretBackup(new Uint8Array([1, 2, 3])), (e: { statusCode?: number; code?: string }) => e.statusCode === 400 && e.code === 'BadParameter');
  });

  it('authenticates with ClientCertificateCredential', async () => {
    const value = canary('cert');
    canaries.push(value);
    await tv.vault.admin.setSecret('cert-read', value);
    const credential = new ClientCertificateCredential(tv.vault.tenantId, 'cert-app', { certificate: clientCert.combinedPem }, credentialOptions(tv.vault));
    const client = new SecretClient(tv.vault.url, credential, clientOptions(tv.vault));
    assert.equal((await client.getSecret('cert-read')).value, value);
  });

  it('refuses a certificate the principal did not register', async () => {
    const other = selfSignedClientCertificate('someone-else');
    const credential = new ClientCertificateCredential(tv.vault.tenantId, 'cert-app', { certificate: other.combinedPem }, credentialOptions(tv.vault));
    const client = new SecretClient(tv.vault.url, credential, clientOptions(tv.vault));
    await assert.rejects(client.getSecret('cert-read'), /AADSTS700027/);
  });

  it('authenticates a workload identity with ClientAssertionCredential verified against the JWKS', async () => {
    const value = canary('wi');
    canaries.push(value);
    await tv.vault.admin.setSecret('wi-read', value);
    const credential = new ClientAssertionCredential(tv.vault.tenantId, 'wi-app', async () => serviceAccountToken(), credentialOptions(tv.vault));
    const client = new SecretClient(tv.vault.url, credential, clientOptions(tv.vault));
    assert.equal((await client.getSecret('wi-read')).value, value);

    const wrongSubject = new ClientAssertionCredential(tv.vault.tenantId, 'wi-app', async () => serviceAccountToken({ sub: 'system:serviceaccount:x:y' }), credentialOptions(tv.vault));
    await assert.rejects(new SecretClient(tv.vault.url, wrongSubject, clientOptions(tv.vault)).getSecret('wi-read'), /AADSTS700027/);
  });

  it('serves ManagedIdentityCredential through AZURE_POD_IDENTITY_AUTHORITY_HOST', async () => {
    const value = canary('mi');
    canaries.push(value);
    await tv.vault.admin.setSecret('mi-read', value);
    const saved = process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST;
    process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = tv.vault.imdsEndpoint;
    try {
      const credential = new ManagedIdentityCredential({ clientId: 'mi-app' });
      const client = new SecretClient(tv.vault.url, credential, clientOptions(tv.vault));
      assert.equal((await client.getSecret('mi-read')).value, value);
    } finally {
      if (saved === undefined) delete process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST;
      else process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = saved;
    }
  });

  it('rejects a wrong client secret without echoing it', async () => {
    const wrong = canary('wrong-secret');
    canaries.push(wrong);
    const client = new SecretClient(tv.vault.url, new ClientSecretCredential(tv.vault.tenantId, 'admin-app', wrong, credentialOptions(tv.vault)), clientOptions(tv.vault));
    await assert.rejects(client.getSecret('anything'), (e: Error) => /AADSTS7000215/.test(e.message) && !e.message.includes(wrong));
  });

  it('answers 403 to a principal reading outside its allowRead', async () => {
    await tv.vault.admin.setSecret('private-thing', 'x');
    await tv.vault.admin.setSecret('public-thing', 'y');
    const client = new SecretClient(tv.vault.url, new ClientSecretCredential(tv.vault.tenantId, 'narrow-app', 'narrow-secret', credentialOptions(tv.vault)), clientOptions(tv.vault));
    assert.equal((await client.getSecret('public-thing')).value, 'y');
    await assert.rejects(client.getSecret('private-thing'), (e: { statusCode?: number; message: string }) => e.statusCode === 403 && e.message.includes('narrow-app'));
  });

  it('retries a 429 after its Retry-After and counts both attempts', async () => {
    const client = adminClient();
    await tv.vault.admin.setSecret('throttled', 'z');
    await client.getSecret('throttled'); // warm the token so only the secret GETs are counted
    const before = tv.vault.stats();
    tv.vault.faults.failNext(429, 1, { retryAfterSeconds: 1, path: /^\/secrets\/throttled/ });
    const started = Date.now();
    assert.equal((await client.getSecret('throttled')).value, 'z');
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 900, `the SDK waited ${elapsed} ms, less than Retry-After`);
    const afterStats = tv.vault.stats();
    assert.equal(afterStats.requests - before.requests, 2);
    assert.equal(afterStats.byName.throttled! - before.byName.throttled!, 1);
  });

  it('throttles past the configured read limit with 429 + Retry-After', async () => {
    const limited = await startTestVault({ principals: [{ clientId: 'a', clientSecret: 'b' }], throttle: { readsPer10s: 3 } });
    try {
      await limited.vault.admin.setSecret('hot', 'v');
      const token = await new ClientSecretCredential(limited.vault.tenantId, 'a', 'b', credentialOptions(limited.vault)).getToken('https://vault.azure.net/.default');
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      const { request } = await import('node:https');
      for (let i = 0; i < 4; i++) {
        const res = await new Promise<{ status: number; retryAfter: string | null }>((resolve, reject) => {
          const req = request(`${limited.vault.url}/secrets/hot?api-version=7.5`, { ca: limited.vault.caPem, headers: { authorization: `Bearer ${token!.token}` } }, (r) => {
            r.resume();
            r.on('end', () => resolve({ status: r.statusCode!, retryAfter: (r.headers['retry-after'] as string | undefined) ?? null }));
          });
          req.on('error', reject);
          req.end();
        });
        statuses.push(res.status);
        retryAfter = res.retryAfter;
      }
      assert.deepEqual(statuses, [200, 200, 200, 429]);
      assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 10);
    } finally {
      await limited.stop();
    }
  });

  it('drops connections and adds latency on demand', async () => {
    const client = new SecretClient(tv.vault.url, new ClientSecretCredential(tv.vault.tenantId, 'admin-app', 'admin-secret', credentialOptions(tv.vault)), {
      ...clientOptions(tv.vault),
      retryOptions: { maxRetries: 0 },
    });
    await tv.vault.admin.setSecret('faulty', 'v');
    await client.getSecret('faulty');
    tv.vault.faults.dropConnections(true);
    await assert.rejects(client.getSecret('faulty'));
    tv.vault.faults.clear();
    tv.vault.faults.setLatencyMs(300);
    const started = Date.now();
    await client.getSecret('faulty');
    assert.ok(Date.now() - started >= 290);
    tv.vault.faults.clear();
  });

  it('creates self-signed certificates with beginCreateCertificate (DefaultCertificatePolicy, an EC policy) and imports an EC PKCS#12', async () => {
    const credential = new ClientSecretCredential(tv.vault.tenantId, 'admin-app', 'admin-secret', credentialOptions(tv.vault));
    const certs = new CertificateClient(tv.vault.url, credential, clientOptions(tv.vault));
    const secrets = new SecretClient(tv.vault.url, credential, clientOptions(tv.vault));
    const keys = new KeyClient(tv.vault.url, credential, clientOptions(tv.vault));

    const poller = await certs.beginCreateCertificate('sdk-default', DefaultCertificatePolicy, { intervalInMs: 10 });
    const made = await poller.pollUntilDone();
    assert.equal(made.name, 'sdk-default');
    assert.equal(made.policy?.issuerName, 'Self');
    assert.equal(made.policy?.subject, 'cn=MyCert');
    const x509 = new X509Certificate(Buffer.from(made.cer!));
    assert.equal(x509.subject, 'CN=MyCert');
    assert.ok(x509.verify(x509.publicKey));
    assert.equal((await certs.getCertificateOperation('sdk-default')).getOperationState().certificateOperation?.status, 'completed');
    const secret = await secrets.getSecret('sdk-default');
    assert.equal(secret.properties.contentType, 'application/x-pkcs12');
    assert.deepEqual(Buffer.from(decodeChain(Buffer.from(secret.value!, 'base64'), new Uint8Array()).certificate.raw), Buffer.from(made.cer!));

    const ec = await (await certs.beginCreateCertificate('sdk-ec', {
      issuerName: 'Self',
      subject: 'CN=ec.sdk.example',
      subjectAlternativeNames: { dnsNames: ['ec.sdk.example'] },
      keyType: 'EC',
      keyCurveName: 'P-384',
      contentType: 'application/x-pem-file',
      validityInMonths: 6,
    }, { intervalInMs: 10 })).pollUntilDone();
    const ecX509 = new X509Certificate(Buffer.from(ec.cer!));
    assert.equal(ecX509.publicKey.asymmetricKeyDetails?.namedCurve, 'secp384r1');
    assert.equal(ecX509.subjectAltName, 'DNS:ec.sdk.example');
    assert.equal(ec.policy?.keyCurveName, 'P-384');
    const ecKey = await keys.getKey('sdk-ec');
    assert.deepEqual([ecKey.keyType, ecKey.key?.crv], ['EC', 'P-384']);
    assert.match((await secrets.getSecret('sdk-ec')).value!, /^-----BEGIN PRIVATE KEY-----/);

    await assert.rejects(
      certs.beginCreateCertificate('sdk-other', { ...DefaultCertificatePolicy, issuerName: 'MyCA' }).then((p) => p.pollUntilDone()),
      (e: { statusCode?: number; code?: string; message?: string }) => e.statusCode === 400 && e.code === 'BadParameter' && /Issuer not found: MyCA/.test(e.message ?? ''),
    );

    // An EC PKCS#12 (go-pkcs12's Modern encoding, with a password) imported through the SDK.
    const pemSecret = (await secrets.getSecret('sdk-ec')).value!;
    const ecPrivate = createPrivateKey(pemSecret);
    const pfx = encodeModern({ key: ecPrivate, kind: 'ec' }, parseCertificate(Buffer.from(ec.cer!)), [], new Uint8Array(Buffer.from('pfx-pass')));
    const imported = await certs.importCertificate('sdk-ec-pfx', pfx, { password: 'pfx-pass' });
    assert.deepEqual(Buffer.from(imported.cer!), Buffer.from(ec.cer!));
    const importedKey = await keys.getKey('sdk-ec-pfx');
    assert.deepEqual([importedKey.keyType, importedKey.key?.crv], ['EC', 'P-384']);
  });
});
