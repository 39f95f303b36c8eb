// The azurekv provider through the official SDK against the local vault over HTTPS: every authType,
// the error mapping, throttling, a down vault, and a canary leak check over logs and errors.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createNetServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { startVault, type StartedVault } from '../../../../src/vault/index.ts';
import { ANNOTATION_API_VERSION, createAzureKeyVaultProvider } from '../../../../src/providers/azurekv/index.ts';
import type { AzureKvSecretsClient } from '../../../../src/providers/azurekv/client.ts';
import { ProjectorError } from '../../../../src/core/errors.ts';
import type { GenericStore, AzureKVProvider } from '../../../../src/api/index.ts';
import type { SecretsClient } from '../../../../src/providers/provider.ts';
import { VaultRateLimiter } from '../../../../src/sync/rate-limit.ts';
import { systemClock } from '../../../../src/platform/clock.ts';
import { FakeHost, ISSUER, TokenIssuer, captureLog, clusterStore, secretRef, selfSignedCertificate, text } from './harness.ts';

import { testCertificate } from '../../../support/certificates.ts';
import { X509Certificate } from 'node:crypto';
import { ClientSecretCredential } from '@azure/identity';
import { CertificateClient } from '@azure/keyvault-certificates';

const pfx = testCertificate();
const run = `${process.pid}`;
const CANARIES = {
  dbPassword: `canary-db-password-${run}`,
  dbJson: `canary-json-pass-${run}`,
  v1: `canary-version-one-${run}`,
  v2: `canary-version-two-${run}`,
  clientSecret: `canary-client-secret-${run}`,
  wrongSecret: `canary-wrong-client-secret-${run}`,
  tagged: `canary-tagged-${run}`,
  disabled: `canary-disabled-${run}`,
  forbidden: `canary-forbidden-${run}`,
};

const SP = { clientId: 'sp-client', clientSecret: CANARIES.clientSecret };
const CERT_CLIENT = 'cert-client';
const MI_CLIENT = 'mi-client';
const WI_CLIENT = 'wi-client';
const LIMITED_CLIENT = 'limited-client';
const GET_ONLY_CLIENT = 'get-only-client';

describe('azurekv provider against the local vault', () => {
  let dir: string;
  let vault: StartedVault;
  let issuer: TokenIssuer;
  let caBundle: string;
  let certBundlePem: string;
  const capture = captureLog();
  const errorsSeen: string[] = [];
  let host: FakeHost;
  const limiter = new VaultRateLimiter({ clock: systemClock });
  const provider = createAzureKeyVaultProvider({ limiter });
  const signal = () => AbortSignal.timeout(20_000);
  let v1Version = '';

  /** Records every error's printable parts for the leak check, then rethrows it. */
  async function expectError(p: Promise<unknown>, code: string): Promise<ProjectorError> {
    try {
      await p;
    } catch (e) {
      assert.ok(e instanceof ProjectorError, `not a ProjectorError: ${(e as Error)?.name}`);
      errorsSeen.push(e.describe(), JSON.stringify(e.details), String(e.stack));
      assert.equal(e.code, code, e.describe());
      return e;
    }
    assert.fail(`expected ${code}`);
  }

  function spStore(extra: Partial<AzureKVProvider> = {}): GenericStore {
    return clusterStore({
      vaultUrl: vault.url,
      authType: 'ServicePrincipal',
      tenantId: secretRef('akv-sp', 'tenant-id', 'external-secrets'),
      clientId: secretRef('akv-sp', 'client-id', 'external-secrets'),
      clientSecret: secretRef('akv-sp', 'client-secret', 'external-secrets'),
      customCloudConfig: { activeDirectoryEndpoint: vault.authorityHost },
      caBundle,
      ...extra,
    });
  }

  async function spClient(extra: Partial<AzureKVProvider> = {}): Promise<AzureKvSecretsClient> {
    return (await provider.newClient(spStore(extra), host, signal())) as AzureKvSecretsClient;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'projector-azurekv-'));
    issuer = new TokenIssuer();
    await issuer.start();
    const cert = selfSignedCertificate();
    certBundlePem = cert.bundlePem;
    vault = await startVault({
      dataDir: dir,
      jwks: { uri: issuer.jwksUri },
      principals: [
        { clientId: SP.clientId, clientSecret: SP.clientSecret },
        { clientId: CERT_CLIENT, certificatePem: cert.certPem },
        { clientId: MI_CLIENT, managedIdentity: true },
        { clientId: WI_CLIENT, federated: { issuer: ISSUER, subject: 'system:serviceaccount:apps:netbox' } },
        { clientId: LIMITED_CLIENT, clientSecret: SP.clientSecret, allowRead: ['netbox-*'] },
        { clientId: GET_ONLY_CLIENT, clientSecret: SP.clientSecret, listSecrets: false },
      ],
    });
    caBundle = Buffer.from(vault.caPem).toString('base64');
    host = new FakeHost({ namespace: 'apps', log: capture.log, issuer });
    host.setSecret('external-secrets', 'akv-sp', { 'tenant-id': vault.tenantId, 'client-id': SP.clientId, 'client-secret': SP.clientSecret });
    host.setSecret('external-secrets', 'akv-wrong', { 'client-id': SP.clientId, 'client-secret': CANARIES.wrongSecret });
    host.setSecret('external-secrets', 'akv-cert', { 'client-id': CERT_CLIENT, 'tls.pem': certBundlePem });
    host.setSecret('external-secrets', 'akv-limited', { 'client-id': LIMITED_CLIENT, 'client-secret': SP.clientSecret });
    host.setSecret('external-secrets', 'akv-get-only', { 'client-id': GET_ONLY_CLIENT, 'client-secret': SP.clientSecret });

    v1Version = (await vault.admin.setSecret('netbox-db-password', CANARIES.v1)).version;
    await vault.admin.setSecret('netbox-db-password', CANARIES.v2, { tags: { app: 'netbox', owner: 'platform' } });
    await vault.admin.setSecret('netbox-db', JSON.stringify({ username: 'netbox', password: CANARIES.dbJson, port: 5432, opts: { ssl: true } }));
    await vault.admin.setSecret('netbox-tagged', CANARIES.tagged, { tags: { app: 'netbox' } });
    await vault.admin.setSecret('netbox-off', CANARIES.disabled, { enabled: false, tags: { app: 'netbox' } });
    await vault.admin.setSecret('netbox-expired', CANARIES.disabled, { expiresOn: new Date(Date.now() - 60_000), tags: { app: 'netbox' } });
    await vault.admin.setSecret('other-secret', CANARIES.forbidden, { tags: { app: 'other' } });
    await vault.admin.setSecret('netbox-pfx', pfx.pfxBase64, { contentType: 'application/x-pkcs12' });
  });

  after(async () => {
    await vault?.close();
    await issuer?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('ServicePrincipal with a client secret (HOWTO form, caBundle trust)', () => {
    it('reads the latest value and reports the store Ready', async () => {
      const client = await spClient();
      assert.equal(await client.validate(signal()), 'Ready');
      assert.equal(text(await client.getSecret({ key: 'netbox-db-password' }, signal())), CANARIES.v2);
      assert.equal(text(await client.getSecret({ key: 'secret/netbox-db-password' }, signal())), CANARIES.v2);
    });

    it('reads a pinned version', async () => {
      const client = await spClient();
      assert.equal(text(await client.getSecret({ key: 'netbox-db-password', version: v1Version }, signal())), CANARIES.v1);
    });

    it('extracts a property from a JSON value and maps the object for dataFrom.extract', async () => {
      const client = await spClient();
      assert.equal(text(await client.getSecret({ key: 'netbox-db', property: 'password' }, signal())), CANARIES.dbJson);
      assert.equal(text(await client.getSecret({ key: 'netbox-db', property: 'port' }, signal())), '5432');
      const map = await client.getSecretMap({ key: 'netbox-db' }, signal());
      assert.deepEqual(Object.fromEntries([...map].map(([k, v]) => [k, text(v)])),
        { username: 'netbox', password: CANARIES.dbJson, port: '5432', opts: '{"ssl":true}' });
    });

    it('reports a missing property with its name, not the value', async () => {
      const client = await spClient();
      const e = await expectError(client.getSecret({ key: 'netbox-db', property: 'hostname' }, signal()), 'VaultBadValue');
      assert.match(e.message, /"hostname"/);
    });

    it('returns tags instead of the value with metadataPolicy Fetch', async () => {
      const client = await spClient();
      assert.equal(text(await client.getSecret({ key: 'netbox-db-password', metadataPolicy: 'Fetch', property: 'owner' }, signal())), 'platform');
      const all = JSON.parse(text(await client.getSecret({ key: 'netbox-db-password', metadataPolicy: 'Fetch' }, signal())));
      assert.equal(all.app, 'netbox');
      assert.match(all['attribute.created'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      const tagMap = await client.getSecretMap({ key: 'netbox-db-password', metadataPolicy: 'Fetch' }, signal());
      assert.equal(text(tagMap.get('netbox-db-password_owner')!), 'platform');
    });

    it('finds secrets by name regexp and by tags, skipping disabled ones (as ESO; expired ones are served)', async () => {
      const client = await spClient();
      const byName = await client.getAllSecrets({ name: { regexp: '^netbox-' } }, signal());
      assert.deepEqual([...byName.keys()], ['netbox-db', 'netbox-db-password', 'netbox-expired', 'netbox-pfx', 'netbox-tagged']);
      const byTag = await client.getAllSecrets({ tags: { app: 'netbox' } }, signal());
      assert.deepEqual([...byTag.keys()], ['netbox-db-password', 'netbox-expired', 'netbox-tagged']);
      assert.equal(text(byTag.get('netbox-tagged')!), CANARIES.tagged);
    });

    it('reads cert/ refs through the certificates API: a plain secret holding a PFX is no certificate (404, as in ESO)', async () => {
      const client = await spClient();
      const e = await expectError(client.getSecret({ key: 'cert/netbox-pfx' }, signal()), 'VaultNotFound');
      assert.match(e.message, /^certificate "netbox-pfx" in vault .* does not exist \(404 CertificateNotFound\)/);
    });

    it('reads an EC certificate (created with issuer Self in the vault) as ESO does: cert/ the DER, key/ the EC JSON Web Key', async () => {
      const credential = new ClientSecretCredential(vault.tenantId, SP.clientId, SP.clientSecret, { authorityHost: vault.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca: vault.caPem } } as never);
      const certs = new CertificateClient(vault.url, credential, { disableChallengeResourceVerification: true, tlsOptions: { ca: vault.caPem } } as never);
      const made = await (await certs.beginCreateCertificate('netbox-ec', { issuerName: 'Self', subject: 'CN=netbox-ec.example', keyType: 'EC', keyCurveName: 'P-256' }, { intervalInMs: 10 })).pollUntilDone();
      const client = await spClient();
      const der = await client.getSecret({ key: 'cert/netbox-ec' }, signal());
      assert.deepEqual(Buffer.from(der.reveal()), Buffer.from(made.cer!));
      assert.equal(new X509Certificate(Buffer.from(der.reveal())).publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
      // ESO marshals keyvault.JSONWebKey (services/keyvault/v7.0): kid, kty, key_ops, then crv, x, y for EC.
      const jwk = JSON.parse(text(await client.getSecret({ key: 'key/netbox-ec' }, signal())));
      assert.deepEqual(Object.keys(jwk), ['kid', 'kty', 'key_ops', 'crv', 'x', 'y']);
      const expected = new X509Certificate(Buffer.from(made.cer!)).publicKey.export({ format: 'jwk' }) as { x: string; y: string };
      assert.deepEqual([jwk.kty, jwk.crv], ['EC', 'P-256']);
      // The v7.0 JSONWebKey's members are *string: x and y as Key Vault sent them, base64url.
      assert.deepEqual([jwk.x, jwk.y], [expected.x, expected.y]);
    });

    it('sends exactly one vault request per read once authenticated, paced by the limiter', async () => {
      const slow = createAzureKeyVaultProvider({
        limiter: new VaultRateLimiter({ clock: systemClock, options: { readsPerWindow: 20, windowMs: 1000, burstFraction: 0.1 } }),
      });
      const client = await slow.newClient(spStore(), host, signal());
      await client.getSecret({ key: 'netbox-tagged' }, signal()); // challenge + token + read
      const before = vault.stats().requests;
      const started = Date.now();
      await Promise.all(Array.from({ length: 10 }, () => client.getSecret({ key: 'netbox-tagged' }, signal())));
      const ms = Date.now() - started;
      assert.equal(vault.stats().requests - before, 10);
      // 1 token left after the warm-up read, then 18 reads/s: 9 waits of ~56 ms.
      assert.ok(ms >= 400, `the limiter let 10 reads through in ${ms} ms`);
    });

    it('a new client sends its first request alone: one 401 challenge, not one per concurrent read', async () => {
      // @azure/keyvault-common's keyVaultAuthenticationPolicy sends every request that starts before
      // the vault's first 401 challenge is answered without a token; challenge-gate.ts holds them back.
      // A provider of its own, so no credential from another test is shared (credential-pool.ts).
      const client = await createAzureKeyVaultProvider({ limiter }).newClient(spStore(), host, signal());
      const before = vault.stats();
      await Promise.all(Array.from({ length: 10 }, () => client.getSecret({ key: 'netbox-tagged' }, signal())));
      const after = vault.stats();
      assert.equal(after.secretReads - before.secretReads, 10);
      assert.equal((after.tokens.issued[SP.clientId] ?? 0) - (before.tokens.issued[SP.clientId] ?? 0), 1);
      // 10 reads + 1 challenge (401) + the credential's authority discovery and token request; without
      // the gate: 10 challenges, 22 requests.
      assert.equal(after.requests - before.requests, 13);
    });

    it('shares connections between the clients of different stores on the same vault and CA (http-client.ts)', async () => {
      // Each SDK client and credential would otherwise open its own connections: two new stores'
      // first reads, one after the other, took 4 TLS connections (2 credentials, 2 SecretClients).
      const a = await provider.newClient(spStore(), host, signal());
      const b = await provider.newClient({ ...spStore(), metadata: { name: 'akv-second', uid: 'second' } } as GenericStore, host, signal());
      const before = vault.stats().connections;
      await a.getSecret({ key: 'netbox-tagged' }, signal());
      await b.getSecret({ key: 'netbox-tagged' }, signal());
      assert.ok(vault.stats().connections - before <= 1, `new TLS connections: ${vault.stats().connections - before}`);
    });

    it('shares one credential and token between stores with the same service principal, and gives a store check one made within its window (credential-pool.ts)', async () => {
      const own = createAzureKeyVaultProvider({ limiter });
      const issued = () => vault.stats().tokens.issued[SP.clientId] ?? 0;
      const named = (name: string) => ({ ...spStore(), metadata: { name, uid: name } }) as GenericStore;
      const before = issued();
      // Ten stores (one per namespace, say), each with its own copy of one credential Secret,
      // checked at once: one token request.
      const clients = await Promise.all(Array.from({ length: 10 }, (_, i) => own.newClient(named(`s${i}`), host, signal(), { credentialMaxAgeMs: 60_000 })));
      assert.deepEqual(await Promise.all(clients.map((c) => c.validate(signal()))), Array(10).fill('Ready'));
      assert.equal(issued() - before, 1);
      assert.equal(text(await clients[0]!.getSecret({ key: 'netbox-tagged' }, signal())), CANARIES.tagged);
      // A store check whose window has passed asks Entra ID again (a revoked secret shows on it),
      // with a new credential behind the shared one: its authority discovery and token request, and
      // the list. The SDK client stays, past the vault's challenge: no 401 again (the stores' reads
      // in a burst used to pay a new SecretClient and challenge after every check; docs/benchmarks.md).
      await new Promise((r) => setTimeout(r, 5));
      const beforeLate = vault.stats().requests;
      const check = await own.newClient(named('late'), host, signal(), { credentialMaxAgeMs: 1 });
      assert.equal(await check.validate(signal()), 'Ready');
      assert.equal(issued() - before, 2);
      assert.equal(vault.stats().requests - beforeLate, 3);
      // The stores' clients and a client built for reads take their tokens from the newest
      // credential, whose token is fresh; their reads need one request each.
      const reader = await own.newClient(named('reader'), host, signal());
      const beforeReads = vault.stats().requests;
      assert.equal(text(await reader.getSecret({ key: 'netbox-tagged' }, signal())), CANARIES.tagged);
      assert.equal(text(await clients[1]!.getSecret({ key: 'netbox-tagged' }, signal())), CANARIES.tagged);
      assert.equal(vault.stats().requests - beforeReads, 2);
      assert.equal(issued() - before, 2);
      // Another client secret is another identity: its own credential, refused by the vault.
      host.setSecret('external-secrets', 'akv-sp-wrong', { 'tenant-id': vault.tenantId, 'client-id': SP.clientId, 'client-secret': 'canary-wrong-pool-secret' });
      const wrong = await own.newClient(clusterStore({ ...spStore().spec!.provider!.azurekv!, clientSecret: secretRef('akv-sp-wrong', 'client-secret', 'external-secrets') }), host, signal());
      await expectError(wrong.validate(signal()), 'StoreAuthFailed');
    });

    it('shows a client secret revoked in Entra ID on the next store check, although the stores\' clients still hold a valid token (credential-pool.ts, index.ts askToken)', async () => {
      const own = createAzureKeyVaultProvider({ limiter });
      const clientId = 'revoked-sp';
      await vault.admin.addPrincipal({ clientId, clientSecret: CANARIES.clientSecret });
      host.setSecret('external-secrets', 'akv-revoked', { 'tenant-id': vault.tenantId, 'client-id': clientId, 'client-secret': CANARIES.clientSecret });
      const store = (name: string) =>
        ({ ...clusterStore({ ...spStore().spec!.provider!.azurekv!, clientId: secretRef('akv-revoked', 'client-id', 'external-secrets'), clientSecret: secretRef('akv-revoked', 'client-secret', 'external-secrets') }), metadata: { name, uid: name } }) as GenericStore;
      const first = await own.newClient(store('r1'), host, signal(), { credentialMaxAgeMs: 1 });
      assert.equal(await first.validate(signal()), 'Ready');
      const reader = await own.newClient(store('r2'), host, signal());
      assert.equal(text(await reader.getSecret({ key: 'netbox-tagged' }, signal())), CANARIES.tagged);
      // The secret is replaced on the identity provider's side; the token already issued stays valid.
      await vault.admin.addPrincipal({ clientId, clientSecret: CANARIES.wrongSecret });
      await new Promise((r) => setTimeout(r, 5));
      const check = await own.newClient(store('r3'), host, signal(), { credentialMaxAgeMs: 1 });
      const e = await expectError(check.validate(signal()), 'StoreAuthFailed');
      assert.match(e.message, /7000215|client secret/i);
      assert.equal(vault.stats().tokens.refused[clientId]?.['wrong client secret'], 1);
    });

    it('gives stores with one credential and vault one SDK client: one challenge, and one store check for those checked together (sdk-client-pool.ts)', async () => {
      const own = createAzureKeyVaultProvider({ limiter });
      const named = (name: string) => ({ ...spStore(), metadata: { name, uid: name } }) as GenericStore;
      const before = vault.stats();
      const clients = await Promise.all(Array.from({ length: 10 }, (_, i) => own.newClient(named(`c${i}`), host, signal(), { credentialMaxAgeMs: 60_000 })));
      assert.deepEqual(await Promise.all(clients.map((c) => c.validate(signal()))), Array(10).fill('Ready'));
      const checked = vault.stats();
      // The credential's authority discovery and token request, one 401 challenge, one list; one
      // client per store: 10 challenges and 10 lists (22 requests).
      assert.equal(checked.requests - before.requests, 4);
      assert.equal((checked.tokens.issued[SP.clientId] ?? 0) - (before.tokens.issued[SP.clientId] ?? 0), 1);
      // Their reads go through the one client, already past the challenge: a request per read.
      await Promise.all(clients.map((c) => c.getSecret({ key: 'netbox-tagged' }, signal())));
      assert.equal(vault.stats().requests - checked.requests, 10);
      // A client built for reads joins only a check in flight; one caller giving up does not fail
      // the other.
      const [x, y] = await Promise.all(['x', 'y'].map((name) => own.newClient(named(name), host, signal())));
      const gaveUp = new AbortController();
      const first = x!.validate(gaveUp.signal);
      const second = y!.validate(signal());
      gaveUp.abort();
      await assert.rejects(first, { name: 'AbortError' });
      assert.equal(await second, 'Ready');
      assert.equal(vault.stats().requests - checked.requests, 11, 'one list for both');
      // Another api-version is another client: the same credential, its own challenge and list.
      const pinned = { ...named('pinned'), metadata: { name: 'pinned', uid: 'pinned', annotations: { [ANNOTATION_API_VERSION]: '7.4' } } } as GenericStore;
      const other = await own.newClient(pinned, host, signal(), { credentialMaxAgeMs: 60_000 });
      const beforeOther = vault.stats().requests;
      assert.equal(await other.validate(signal()), 'Ready');
      assert.equal(vault.stats().requests - beforeOther, 2);
    });

    it('reads key/ refs through the keys API: a missing key is VaultNotFound naming the key', async () => {
      const client = await spClient();
      const e = await expectError(client.getSecret({ key: 'key/signing' }, signal()), 'VaultNotFound');
      assert.match(e.message, /^key "signing" in vault .* does not exist \(404 KeyNotFound\)/);
    });

    it('describes a secret for projector check without returning its value', async () => {
      const client = await spClient();
      const d = await client.describeSecret({ key: 'netbox-db', property: 'password' }, signal());
      assert.equal(d.exists, true);
      assert.equal(d.enabled, true);
      assert.equal(d.expired, false);
      assert.equal(d.hasProperty, true);
      assert.match(d.version ?? '', /^[0-9a-f]{32}$/);
      assert.ok(!JSON.stringify(d).includes(CANARIES.dbJson));
      assert.equal((await client.describeSecret({ key: 'netbox-db', property: 'nope' }, signal())).hasProperty, false);
      assert.deepEqual(await client.describeSecret({ key: 'absent' }, signal()), { exists: false, enabled: false, expired: false });
      assert.deepEqual(await client.describeSecret({ key: 'netbox-off' }, signal()), { exists: true, enabled: false, expired: false });
      const expired = await client.describeSecret({ key: 'netbox-expired' }, signal());
      assert.deepEqual([expired.exists, expired.enabled, expired.expired], [true, true, true]);
    });

    it('maps a missing secret to VaultNotFound', async () => {
      const client = await spClient();
      const e = await expectError(client.getSecret({ key: 'does-not-exist' }, signal()), 'VaultNotFound');
      assert.equal(e.details.httpStatus, 404);
      assert.equal(e.details.remoteCode, 'SecretNotFound');
    });

    it('reports a disabled secret as disabled, naming it and what to do, not as a permissions problem', async () => {
      // The field case disabled-secret-message: the vault answers 403 Forbidden, inner SecretDisabled.
      const client = await spClient();
      const e = await expectError(client.getSecret({ key: 'netbox-off' }, signal()), 'VaultForbidden');
      assert.equal(e.details.remoteCode, 'SecretDisabled');
      assert.equal(e.details.cause, 'disabled');
      assert.equal(e.message, `secret "netbox-off" in vault ${vault.url}/ is disabled (403 Forbidden/SecretDisabled); enable it in the vault or point remoteRef.key at an enabled secret`);
      assert.doesNotMatch(e.message, /may not read|identity|grant/);
    });

    it('names the version when a pinned version does not exist', async () => {
      const client = await spClient();
      const missing = '0123456789abcdef0123456789abcdef';
      const e = await expectError(client.getSecret({ key: 'netbox-db-password', version: missing }, signal()), 'VaultNotFound');
      assert.equal(e.details.cause, 'version-not-found');
      assert.match(e.message, new RegExp(`^secret "netbox-db-password" version "${missing}" in vault .* does not exist \\(404 SecretNotFound\\).*remoteRef\\.version`));
    });

    it('reads an expired secret, as Key Vault serves values outside their validity window', async () => {
      const client = await spClient();
      assert.equal(text(await client.getSecret({ key: 'netbox-expired' }, signal())), CANARIES.disabled);
    });

    it('refuses a key Key Vault cannot hold before any vault call, naming the rule', async () => {
      const client = await spClient();
      const before = vault.stats().requests;
      const e = await expectError(client.getSecret({ key: 'DB_PASSWORD' }, signal()), 'InvalidSpec');
      assert.match(e.message, /"DB_PASSWORD" cannot be a Key Vault secret name: Key Vault names are 1-127 characters/);
      assert.equal(vault.stats().requests, before);
    });
  });

  describe('ESO form and other credentials', () => {
    it('accepts tenantId as a string with authSecretRef', async () => {
      const client = await provider.newClient(clusterStore({
        vaultUrl: vault.url, tenantId: vault.tenantId, caBundle,
        authSecretRef: { clientId: { name: 'akv-sp', key: 'client-id', namespace: 'external-secrets' }, clientSecret: { name: 'akv-sp', key: 'client-secret', namespace: 'external-secrets' } },
        customCloudConfig: { activeDirectoryEndpoint: vault.authorityHost },
      }), host, signal());
      assert.equal(text(await client.getSecret({ key: 'netbox-tagged' }, signal())), CANARIES.tagged);
    });

    it('authenticates with a client certificate', async () => {
      const client = await provider.newClient(clusterStore({
        vaultUrl: vault.url, tenantId: vault.tenantId, caBundle,
        authSecretRef: { clientId: { name: 'akv-cert', key: 'client-id', namespace: 'external-secrets' }, clientCertificate: { name: 'akv-cert', key: 'tls.pem', namespace: 'external-secrets' } },
        customCloudConfig: { activeDirectoryEndpoint: vault.authorityHost },
      }), host, signal());
      assert.equal(await client.validate(signal()), 'Ready');
      assert.equal(text(await client.getSecret({ key: 'netbox-tagged' }, signal())), CANARIES.tagged);
    });

    it('authenticates with a managed identity through the IMDS endpoint', async () => {
      process.env['AZURE_POD_IDENTITY_AUTHORITY_HOST'] = vault.imdsEndpoint;
      try {
        const client = await provider.newClient(clusterStore({ vaultUrl: vault.url, authType: 'ManagedIdentity', identityId: MI_CLIENT, caBundle }), host, signal());
        assert.equal(text(await client.getSecret({ key: 'netbox-tagged' }, signal())), CANARIES.tagged);
      } finally {
        delete process.env['AZURE_POD_IDENTITY_AUTHORITY_HOST'];
      }
    });

    it('authenticates with workload identity, reading client and tenant from service account annotations', async () => {
      host.annotations.set('apps/netbox', { 'azure.workload.identity/client-id': WI_CLIENT, 'azure.workload.identity/tenant-id': vault.tenantId });
      const client = await provider.newClient(clusterStore({
        vaultUrl: vault.url, authType: 'WorkloadIdentity', serviceAccountRef: { name: 'netbox' }, caBundle,
        customCloudConfig: { activeDirectoryEndpoint: vault.authorityHost },
      }), host, signal());
      assert.equal(text(await client.getSecret({ key: 'netbox-tagged' }, signal())), CANARIES.tagged);
      assert.deepEqual(host.issuedAudiences.at(-1), ['api://AzureADTokenExchange']);
    });

    it('authenticates with workload identity using clientId and tenantId from the store', async () => {
      host.setSecret('apps', 'wi', { 'client-id': WI_CLIENT });
      const client = await provider.newClient(clusterStore({
        vaultUrl: vault.url, authType: 'WorkloadIdentity', tenantId: vault.tenantId, caBundle,
        serviceAccountRef: { name: 'plain', namespace: 'apps' },
        authSecretRef: { clientId: { name: 'wi', key: 'client-id' } },
        customCloudConfig: { activeDirectoryEndpoint: vault.authorityHost },
      }), host, signal());
      // The federated credential is registered for apps/netbox only: apps/plain must be refused.
      const e = await expectError(client.getSecret({ key: 'netbox-tagged' }, signal()), 'StoreAuthFailed');
      assert.equal(e.details.remoteCode, 'invalid_client');
    });

    it('passes the host\'s error through when no service account token can be minted', async () => {
      const client = await provider.newClient(clusterStore({
        vaultUrl: vault.url, authType: 'WorkloadIdentity', tenantId: vault.tenantId, caBundle,
        serviceAccountRef: { name: 'missing' }, authSecretRef: { clientId: { name: 'wi', key: 'client-id' } },
        customCloudConfig: { activeDirectoryEndpoint: vault.authorityHost },
      }), host, signal());
      const e = await expectError(client.getSecret({ key: 'netbox-tagged' }, signal()), 'CredentialNotFound');
      assert.match(e.message, /ServiceAccount apps\/missing/);
    });

    it('refuses workload identity when clientId is set both on the store and on the service account', async () => {
      host.setSecret('apps', 'wi', { 'client-id': WI_CLIENT });
      await expectError(provider.newClient(clusterStore({
        vaultUrl: vault.url, authType: 'WorkloadIdentity', caBundle, serviceAccountRef: { name: 'netbox' },
        authSecretRef: { clientId: { name: 'wi', key: 'client-id' } },
        customCloudConfig: { activeDirectoryEndpoint: vault.authorityHost },
      }), host, signal()), 'StoreAuthFailed');
    });

    // ESO's new SDK (useAzureSDK: true, keyvault_new_sdk.go getWorkloadIdentityCredential): clientId
    // only from the annotation (the store's is not used), the store's tenantId before the
    // annotation's, without the legacy SDK's conflict error.
    it('with useAzureSDK takes clientId from the annotation only and the store tenantId first, as ESO\'s new SDK', async () => {
      host.annotations.set('apps/netbox', { 'azure.workload.identity/client-id': WI_CLIENT, 'azure.workload.identity/tenant-id': '00000000-0000-0000-0000-00000000dead' });
      host.setSecret('apps', 'wi', { 'client-id': 'not-used' });
      const client = await provider.newClient(clusterStore({
        vaultUrl: vault.url, authType: 'WorkloadIdentity', tenantId: vault.tenantId, useAzureSDK: true, caBundle, serviceAccountRef: { name: 'netbox' },
        authSecretRef: { clientId: { name: 'wi', key: 'client-id' } },
        customCloudConfig: { activeDirectoryEndpoint: vault.authorityHost },
      }), host, signal());
      assert.equal(text(await client.getSecret({ key: 'netbox-tagged' }, signal())), CANARIES.tagged);
      host.annotations.set('apps/netbox', {});
      const e = await expectError(provider.newClient(clusterStore({
        vaultUrl: vault.url, authType: 'WorkloadIdentity', tenantId: vault.tenantId, useAzureSDK: true, caBundle, serviceAccountRef: { name: 'netbox' },
        authSecretRef: { clientId: { name: 'wi', key: 'client-id' } },
        customCloudConfig: { activeDirectoryEndpoint: vault.authorityHost },
      }), host, signal()), 'StoreAuthFailed');
      assert.match(e.message, /azure\.workload\.identity\/client-id/);
    });

    // keyvault_new_sdk.go buildWorkloadIdentityCredential never reads authSecretRef.tenantId;
    // keyvault.go authorizerForWorkloadIdentity refuses an authSecretRef without clientId
    // (errMissingClientIDSecret) even when the annotation names the client.
    it('ignores authSecretRef.tenantId with useAzureSDK and refuses a legacy authSecretRef without clientId, as ESO does', async () => {
      host.annotations.set('apps/netbox', { 'azure.workload.identity/client-id': WI_CLIENT });
      host.setSecret('apps', 'wi-tenant', { 'tenant-id': vault.tenantId });
      const store = (extra: Partial<AzureKVProvider>) => clusterStore({
        vaultUrl: vault.url, authType: 'WorkloadIdentity', caBundle, serviceAccountRef: { name: 'netbox' },
        authSecretRef: { tenantId: { name: 'wi-tenant', key: 'tenant-id' } },
        customCloudConfig: { activeDirectoryEndpoint: vault.authorityHost },
        ...extra,
      });
      const newSdk = await expectError(provider.newClient(store({ useAzureSDK: true }), host, signal()), 'StoreAuthFailed');
      assert.match(newSdk.message, /needs tenantId or the annotation azure\.workload\.identity\/tenant-id/);
      const legacy = await expectError(provider.newClient(store({}), host, signal()), 'StoreAuthFailed');
      assert.match(legacy.message, /authSecretRef needs authSecretRef\.clientId/);
      host.annotations.set('apps/netbox', { 'azure.workload.identity/client-id': WI_CLIENT, 'azure.workload.identity/tenant-id': vault.tenantId });
      const client = await provider.newClient(store({ useAzureSDK: true }), host, signal());
      assert.equal(text(await client.getSecret({ key: 'netbox-tagged' }, signal())), CANARIES.tagged);
    });
  });

  describe('failures', () => {
    it('reports a wrong client secret as StoreAuthFailed from validate', async () => {
      const client = await spClient({ clientSecret: secretRef('akv-wrong', 'client-secret', 'external-secrets') });
      const e = await expectError(client.validate(signal()), 'StoreAuthFailed');
      assert.equal(e.details.remoteCode, 'invalid_client');
    });

    it('reports a wrong tenant as StoreAuthFailed', async () => {
      host.setSecret('external-secrets', 'akv-tenant', { 'tenant-id': '00000000-0000-4000-8000-000000000bad' });
      const client = await spClient({ tenantId: secretRef('akv-tenant', 'tenant-id', 'external-secrets') });
      await expectError(client.validate(signal()), 'StoreAuthFailed');
    });

    it('reports a missing credential Secret key as CredentialNotFound from the host', async () => {
      await expectError(provider.newClient(spStore({ clientSecret: secretRef('akv-sp', 'nope', 'external-secrets') }), host, signal()), 'CredentialNotFound');
    });

    it('maps 403 for a secret the principal may not read to VaultForbidden', async () => {
      const client = await spClient({ clientId: secretRef('akv-limited', 'client-id', 'external-secrets'), clientSecret: secretRef('akv-limited', 'client-secret', 'external-secrets') });
      assert.equal(text(await client.getSecret({ key: 'netbox-tagged' }, signal())), CANARIES.tagged);
      const e = await expectError(client.getSecret({ key: 'other-secret' }, signal()), 'VaultForbidden');
      assert.equal(e.details.httpStatus, 403);
    });

    // ESO's azurekv Validate asks the vault nothing (providers/v1/azure/keyvault/keyvault.go), so an
    // identity allowed to get but not to list secrets (an access policy with Get alone, a role
    // assigned on single secrets) has a Ready store there, and its ExternalSecrets sync.
    it('reports a store whose identity may get but not list secrets Ready, reads through it, and names the list permission for a find', async () => {
      const client = await spClient({ clientId: secretRef('akv-get-only', 'client-id', 'external-secrets'), clientSecret: secretRef('akv-get-only', 'client-secret', 'external-secrets') });
      assert.equal(await client.validate(signal()), 'Ready');
      assert.equal(text(await client.getSecret({ key: 'netbox-db-password' }, signal())), CANARIES.v2);
      const e = await expectError(client.getAllSecrets({ name: { regexp: '^netbox-' } }, signal()), 'VaultForbidden');
      assert.equal(e.details.httpStatus, 403);
      assert.match(e.message, /may not list the secrets of vault .*grant it list on secrets/);
      // A refused token is still the store's failure: only the vault's 403 counts as authenticated.
      const wrong = await spClient({ clientId: secretRef('akv-get-only', 'client-id', 'external-secrets'), clientSecret: secretRef('akv-wrong', 'client-secret', 'external-secrets') });
      await expectError(wrong.validate(signal()), 'StoreAuthFailed');
    });

    it('maps 429 to VaultThrottled with Retry-After and pauses the whole vault in the limiter', async () => {
      const client = await spClient();
      await client.getSecret({ key: 'netbox-tagged' }, signal()); // authenticate first
      vault.faults.failNext(429, 1, { retryAfterSeconds: 7 });
      const e = await expectError(client.getSecret({ key: 'netbox-tagged' }, signal()), 'VaultThrottled');
      assert.equal(e.details.retryAfterMs, 7000);
      assert.equal(limiter.available(new URL(vault.url).origin), 0);
      limiter.pause(new URL(vault.url).origin, 0); // (pauses only extend; use a fresh provider below)
    });

    it('maps a vault 503 to VaultUnavailable after the SDK retries', async () => {
      const fresh = createAzureKeyVaultProvider();
      const client = await fresh.newClient(spStore(), host, signal());
      await client.getSecret({ key: 'netbox-tagged' }, signal());
      vault.faults.failNext(503, 5);
      const e = await expectError(client.getSecret({ key: 'netbox-tagged' }, signal()), 'VaultUnavailable');
      assert.equal(e.details.httpStatus, 503);
      vault.faults.clear();
    });

    it('fails TLS verification without the vault CA and says where to add it', async () => {
      const fresh = createAzureKeyVaultProvider();
      const client = await fresh.newClient(spStore({ caBundle: undefined }), host, signal());
      const e = await expectError(client.validate(signal()), 'VaultUnavailable');
      assert.match(e.message, /caBundle/);
    });

    it('trusts a CA given through caProvider (ConfigMap)', async () => {
      host.configMaps.set('external-secrets/vault-ca/ca.crt', vault.caPem);
      const fresh = createAzureKeyVaultProvider();
      const client = await fresh.newClient(spStore({ caBundle: undefined, caProvider: { type: 'ConfigMap', name: 'vault-ca', key: 'ca.crt', namespace: 'external-secrets' } }), host, signal());
      assert.equal(await client.validate(signal()), 'Ready');
    });

    it('reports a refused connection as VaultUnavailable within a few seconds', async () => {
      const closed = createNetServer();
      await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((r) => closed.close(() => r()));
      const fresh = createAzureKeyVaultProvider();
      const client = await fresh.newClient(spStore({ vaultUrl: `https://127.0.0.1:${port}/` }), host, signal());
      const started = Date.now();
      const e = await expectError(client.getSecret({ key: 'netbox-tagged' }, signal()), 'VaultUnavailable');
      const ms = Date.now() - started;
      assert.ok(ms < 3000, `took ${ms} ms`);
      assert.equal(e.details.remoteCode, 'ECONNREFUSED');
      capture.log.info({ measuredMs: ms }, 'refused connection detected');
    });

    it('reports a vault that accepts connections but never answers as VaultUnavailable after the request timeout', async () => {
      const silent: Server = createNetServer(() => {});
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      try {
        const fresh = createAzureKeyVaultProvider({ requestTimeoutMs: 500 });
        const port = (silent.address() as AddressInfo).port;
        const client = await fresh.newClient(spStore({ vaultUrl: `https://127.0.0.1:${port}/` }), host, signal());
        const started = Date.now();
        await expectError(client.getSecret({ key: 'netbox-tagged' }, signal()), 'VaultUnavailable');
        const ms = Date.now() - started;
        assert.ok(ms < 3000, `took ${ms} ms`);
        capture.log.info({ measuredMs: ms }, 'silent vault detected');
      } finally {
        silent.close();
      }
    });

    it('reports an unreachable authority as VaultUnavailable, not as bad credentials', async () => {
      const closed = createNetServer();
      await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((r) => closed.close(() => r()));
      const fresh = createAzureKeyVaultProvider();
      const client = await fresh.newClient(spStore({ customCloudConfig: { activeDirectoryEndpoint: `https://127.0.0.1:${port}` } }), host, signal());
      const started = Date.now();
      const e = await expectError(client.validate(signal()), 'VaultUnavailable');
      // Named by its metadata URL and the store field to fix (providers/azurekv/authority.ts).
      assert.match(e.message, new RegExp(`^token authority unreachable: nothing answered at https://127\\.0\\.0\\.1:${port}/.*/v2\\.0/\\.well-known/openid-configuration \\(ECONNREFUSED\\); check spec\\.provider\\.azurekv\\.customCloudConfig\\.activeDirectoryEndpoint`));
      assert.equal(e.details.cause, 'unavailable');
      capture.log.info({ measuredMs: Date.now() - started }, 'unreachable authority detected');
    });

    it('trusts the vault CA from NODE_EXTRA_CA_CERTS alone (no caBundle)', async () => {
      const script = join(import.meta.dirname, 'extra-ca-probe.ts');
      const env = { ...process.env, NODE_EXTRA_CA_CERTS: vault.caFile, PROBE_VAULT_URL: vault.url, PROBE_TENANT: vault.tenantId,
        PROBE_CLIENT_ID: SP.clientId, PROBE_CLIENT_SECRET: SP.clientSecret };
      // Asynchronously: the vault runs in this process and must keep answering.
      const { stdout } = await promisify(execFile)(process.execPath, [script], { env, encoding: 'utf8', timeout: 30_000 });
      assert.equal(stdout.trim(), `Ready ${CANARIES.tagged.length}`);
    });

    it('reports dropped connections as VaultUnavailable', async () => {
      const fresh = createAzureKeyVaultProvider();
      const client: SecretsClient = await fresh.newClient(spStore(), host, signal());
      vault.faults.dropConnections(true);
      try {
        await expectError(client.getSecret({ key: 'netbox-tagged' }, signal()), 'VaultUnavailable');
      } finally {
        vault.faults.dropConnections(false);
      }
    });
  });

  it('leaks no seeded value into logs or error messages', () => {
    const printed = capture.text() + errorsSeen.join('\n');
    assert.ok(errorsSeen.length >= 10, 'the failure tests must have run first');
    for (const [name, canary] of Object.entries(CANARIES)) assert.ok(!printed.includes(canary), `canary ${name} leaked`);
  });
});
