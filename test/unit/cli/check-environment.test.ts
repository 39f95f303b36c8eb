import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { GenericStore } from '../../../src/api/index.ts';
import { credentialEnvironment, environmentHost, missingVariables, requiredRoles } from '../../../src/cli/check/environment-host.ts';
import { applyStoreOverrides, parseStoreOverride } from '../../../src/cli/check/store-overrides.ts';
import { ProjectorError } from '../../../src/core/errors.ts';
import { silentLogger } from '../../../src/platform/logger.ts';
import { resolveStoreConfig } from '../../../src/providers/azurekv/store-config.ts';

const ref = (name: string, key: string) => ({ valueFrom: { secretKeyRef: { name, namespace: 'external-secrets', key } } });

function howtoStore(extra: Record<string, unknown> = {}): GenericStore {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ClusterSecretStore',
    metadata: { name: 'akv-hybridops' },
    spec: {
      provider: {
        azurekv: {
          vaultUrl: 'https://kv-hybridops.vault.azure.net/',
          authType: 'ServicePrincipal',
          tenantId: ref('akv-sp-credentials', 'tenant-id'),
          clientId: ref('akv-sp-credentials', 'client-id'),
          clientSecret: ref('akv-sp-credentials', 'client-secret'),
          ...extra,
        },
      },
    },
  } as GenericStore;
}

const configOf = (store: GenericStore) => resolveStoreConfig(store).config!;

describe('check: credentials from the environment', () => {
  it('needs tenant, client and secret variables for the HOWTO service-principal store', () => {
    assert.deepEqual(requiredRoles(configOf(howtoStore())), ['tenantId', 'clientId', 'clientSecret']);
    assert.deepEqual(missingVariables(requiredRoles(configOf(howtoStore())), credentialEnvironment({ AZURE_CLIENT_ID: 'c' }, {})), ['AZURE_TENANT_ID', 'AZURE_CLIENT_SECRET']);
  });

  it('does not ask for a tenant written inline in the store (ESO form)', () => {
    assert.deepEqual(requiredRoles(configOf(howtoStore({ tenantId: 'tenant-guid' }))), ['clientId', 'clientSecret']);
  });

  it('asks for the certificate file instead of the secret with authSecretRef.clientCertificate', () => {
    const store = howtoStore({ clientSecret: undefined, authSecretRef: { clientCertificate: { name: 'akv-cert', namespace: 'external-secrets', key: 'tls.pem' } } });
    assert.deepEqual(requiredRoles(configOf(store)), ['tenantId', 'clientId', 'clientCertificate']);
  });

  it('asks for the federated token file, client and tenant for workload identity, and nothing for managed identity', () => {
    const wi = howtoStore({ authType: 'WorkloadIdentity', tenantId: undefined, clientId: undefined, clientSecret: undefined, serviceAccountRef: { name: 'netbox', namespace: 'netbox' } });
    assert.deepEqual(requiredRoles(configOf(wi)), ['serviceAccountToken', 'clientId', 'tenantId']);
    const mi = howtoStore({ authType: 'ManagedIdentity', tenantId: undefined, clientId: undefined, clientSecret: undefined });
    assert.deepEqual(requiredRoles(configOf(mi)), []);
  });

  it('lets --tenant-id win over AZURE_TENANT_ID', () => {
    assert.equal(credentialEnvironment({ AZURE_TENANT_ID: 'from-env' }, { tenantId: 'from-flag' }).AZURE_TENANT_ID, 'from-flag');
    assert.equal(credentialEnvironment({ AZURE_TENANT_ID: '' }, {}).AZURE_TENANT_ID, undefined);
  });

  it('answers each Secret reference by the role it plays in the store', async () => {
    const store = howtoStore();
    const env = credentialEnvironment({ AZURE_TENANT_ID: 'tenant', AZURE_CLIENT_ID: 'client', AZURE_CLIENT_SECRET: 'CANARY-secret' }, {});
    const host = environmentHost({ store, config: configOf(store), env, log: silentLogger() });
    const read = async (key: string) => (await host.readSecretKey({ name: 'akv-sp-credentials', namespace: 'external-secrets', key }, AbortSignal.abort())).reveal();
    assert.equal(await read('tenant-id'), 'tenant');
    assert.equal(await read('client-id'), 'client');
    assert.equal(await read('client-secret'), 'CANARY-secret');
  });

  it('refuses a Secret reference that plays no credential role, naming it but no value', async () => {
    const store = howtoStore();
    const host = environmentHost({ store, config: configOf(store), env: credentialEnvironment({ AZURE_CLIENT_SECRET: 'CANARY-x' }, {}), log: silentLogger() });
    await assert.rejects(
      host.readSecretKey({ name: 'other', key: 'k' }, AbortSignal.abort()),
      (e: unknown) => e instanceof ProjectorError && e.code === 'CredentialNotFound' && e.message.includes('other') && !e.message.includes('CANARY'),
    );
  });

  it('reads the certificate and federated token from the files the variables name', async () => {
    const store = howtoStore({ clientSecret: undefined, authSecretRef: { clientCertificate: { name: 'akv-cert', namespace: 'external-secrets', key: 'tls.pem' } } });
    const files: Record<string, string> = { '/ci/cert.pem': 'PEM', '/ci/token': 'jwt\n' };
    const env = credentialEnvironment({ AZURE_CLIENT_CERTIFICATE_PATH: '/ci/cert.pem', AZURE_FEDERATED_TOKEN_FILE: '/ci/token' }, {});
    const host = environmentHost({ store, config: configOf(store), env, log: silentLogger(), readTextFile: async (p) => files[p] ?? Promise.reject(new Error('ENOENT')) });
    assert.equal((await host.readSecretKey({ name: 'akv-cert', namespace: 'external-secrets', key: 'tls.pem' }, AbortSignal.abort())).reveal(), 'PEM');
    assert.equal((await host.serviceAccountToken({ name: 'sa' }, [], AbortSignal.abort())).reveal(), 'jwt');
  });

  it('names the variable when a file cannot be read', async () => {
    const store = howtoStore();
    const env = credentialEnvironment({ AZURE_FEDERATED_TOKEN_FILE: '/nope' }, {});
    const host = environmentHost({ store, config: configOf(store), env, log: silentLogger(), readTextFile: () => Promise.reject(new Error('ENOENT')) });
    await assert.rejects(host.serviceAccountToken({ name: 'sa' }, [], AbortSignal.abort()), /AZURE_FEDERATED_TOKEN_FILE/);
  });

  it('gives workload identity the client and tenant as service-account annotations when the store does not name them', async () => {
    const store = howtoStore({ authType: 'WorkloadIdentity', tenantId: undefined, clientId: undefined, clientSecret: undefined, serviceAccountRef: { name: 'netbox', namespace: 'netbox' } });
    const env = credentialEnvironment({ AZURE_CLIENT_ID: 'wi-client', AZURE_TENANT_ID: 'wi-tenant' }, {});
    const host = environmentHost({ store, config: configOf(store), env, log: silentLogger() });
    assert.deepEqual(await host.serviceAccountAnnotations!({ name: 'netbox' }, AbortSignal.abort()), {
      'azure.workload.identity/client-id': 'wi-client',
      'azure.workload.identity/tenant-id': 'wi-tenant',
    });
  });
});

describe('check: store overrides', () => {
  it('replaces vaultUrl, authority and CA of every azurekv store, dropping caProvider', () => {
    const store = howtoStore({ caProvider: { type: 'ConfigMap', name: 'ca', key: 'ca.pem', namespace: 'external-secrets' } });
    const next = applyStoreOverrides(store, { vaultUrl: 'https://127.0.0.1:8443', authorityHost: 'https://127.0.0.1:8443', caPem: '-----BEGIN CERTIFICATE-----' });
    const p = next.spec.provider.azurekv!;
    assert.equal(p.vaultUrl, 'https://127.0.0.1:8443');
    assert.equal(p.customCloudConfig?.activeDirectoryEndpoint, 'https://127.0.0.1:8443');
    assert.equal(Buffer.from(p.caBundle!, 'base64').toString(), '-----BEGIN CERTIFICATE-----');
    assert.equal(p.caProvider, undefined);
    assert.equal(store.spec.provider.azurekv!.vaultUrl, 'https://kv-hybridops.vault.azure.net/', 'the input is not modified');
  });

  it('lets a per-store override win over --vault-url, matching kind and name', () => {
    const overrides = { vaultUrl: 'https://all.example', stores: [parseStoreOverride('ClusterSecretStore/akv-hybridops=https://one.example')] };
    assert.equal(applyStoreOverrides(howtoStore(), overrides).spec.provider.azurekv!.vaultUrl, 'https://one.example');
    const other = { ...howtoStore(), metadata: { name: 'other' } };
    assert.equal(applyStoreOverrides(other, overrides).spec.provider.azurekv!.vaultUrl, 'https://all.example');
  });

  it('replaces an inline tenantId only when --tenant-id is given', () => {
    assert.equal(applyStoreOverrides(howtoStore({ tenantId: 'manifest-tenant' }), {}).spec.provider.azurekv!.tenantId, 'manifest-tenant');
    assert.equal(applyStoreOverrides(howtoStore({ tenantId: 'manifest-tenant' }), { tenantId: 'flag-tenant' }).spec.provider.azurekv!.tenantId, 'flag-tenant');
  });

  it('leaves stores of other providers alone', () => {
    const fake = { ...howtoStore(), spec: { provider: { fake: { data: [] } } } } as GenericStore;
    assert.equal(applyStoreOverrides(fake, { vaultUrl: 'https://x.example' }), fake);
  });

  it('parses --store in its three forms and refuses anything else', () => {
    assert.deepEqual(parseStoreOverride('SecretStore/netbox/local=https://kv.example'), { kind: 'SecretStore', namespace: 'netbox', name: 'local', vaultUrl: 'https://kv.example' });
    assert.deepEqual(parseStoreOverride('secretstore/local=https://kv.example'), { kind: 'SecretStore', name: 'local', vaultUrl: 'https://kv.example' });
    assert.throws(() => parseStoreOverride('ClusterSecretStore/akv'), /must be/);
    assert.throws(() => parseStoreOverride('Store/akv=https://kv.example'), /must be/);
    assert.throws(() => parseStoreOverride('ClusterSecretStore/akv=http://kv.example'), /https/);
  });
});
