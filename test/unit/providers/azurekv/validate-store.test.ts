import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AzureKVProvider, GenericStore } from '../../../../src/api/index.ts';
import { azureKeyVaultProvider, resolveStoreConfig } from '../../../../src/providers/azurekv/index.ts';
import { silentLogger } from '../../../../src/platform/logger.ts';
import { ProjectorError } from '../../../../src/core/errors.ts';
import { isReferentConfig } from '../../../../src/providers/azurekv/store-config.ts';
import { secretRefNamespace } from '../../../../src/kube/provider-host.ts';

type Kind = GenericStore['kind'];

function store(azurekv: Partial<AzureKVProvider> & Record<string, unknown>, kind: Kind = 'ClusterSecretStore', namespace?: string): GenericStore {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind,
    metadata: { name: 'akv', ...(namespace ? { namespace } : {}) },
    spec: { provider: { azurekv: { vaultUrl: 'https://hybridops.vault.azure.net/', ...azurekv } as AzureKVProvider } },
  };
}

const ref = (key: string, namespace?: string) => ({ valueFrom: { secretKeyRef: { name: 'akv-sp-credentials', key, ...(namespace ? { namespace } : {}) } } });
const sel = (key: string, namespace?: string) => ({ name: 'akv-sp-credentials', key, ...(namespace ? { namespace } : {}) });

/** The ClusterSecretStore from the HOWTO, verbatim in shape. */
const howto = {
  authType: 'ServicePrincipal' as const,
  tenantId: ref('tenant-id', 'external-secrets'),
  clientId: ref('client-id', 'external-secrets'),
  clientSecret: ref('client-secret', 'external-secrets'),
};

function codes(s: GenericStore): string[] {
  return azureKeyVaultProvider.validateStore(s).filter((i) => i.severity === 'error').map((i) => `${i.code}@${i.path}`);
}

describe('azurekv validateStore', () => {
  it('accepts the HOWTO form (tenantId/clientId/clientSecret as valueFrom.secretKeyRef)', () => {
    assert.deepEqual(codes(store(howto)), []);
  });

  it('accepts ESO form (tenantId string + authSecretRef)', () => {
    assert.deepEqual(codes(store({ tenantId: 'tid', authSecretRef: { clientId: sel('client-id', 'ns'), clientSecret: sel('client-secret', 'ns') } })), []);
  });

  it('accepts a client certificate instead of a secret', () => {
    assert.deepEqual(codes(store({ tenantId: 'tid', authSecretRef: { clientId: sel('id', 'ns'), clientCertificate: sel('cert', 'ns') } })), []);
  });

  it('requires https for the vault URL', () => {
    assert.deepEqual(codes(store({ ...howto, vaultUrl: 'http://hybridops.vault.azure.net/' })), ['InsecureURL@spec.provider.azurekv.vaultUrl']);
    assert.deepEqual(codes(store({ ...howto, vaultUrl: 'not a url' })), ['InvalidURL@spec.provider.azurekv.vaultUrl']);
  });

  it('rejects an unknown authType', () => {
    assert.deepEqual(codes(store({ ...howto, authType: 'Magic' as never })), ['InvalidValue@spec.provider.azurekv.authType']);
  });

  it('requires tenant, client ID and exactly one client credential for ServicePrincipal', () => {
    assert.deepEqual(codes(store({ authType: 'ServicePrincipal' })).sort(), [
      'Required@spec.provider.azurekv.authSecretRef.clientId',
      'Required@spec.provider.azurekv.authSecretRef.clientSecret',
      'Required@spec.provider.azurekv.tenantId',
    ]);
    assert.deepEqual(codes(store({ tenantId: 't', authSecretRef: { clientId: sel('a', 'n'), clientSecret: sel('b', 'n'), clientCertificate: sel('c', 'n') } })),
      ['Conflict@spec.provider.azurekv.authSecretRef.clientCertificate']);
  });

  it('refuses one credential named both in HOWTO form and in authSecretRef', () => {
    assert.deepEqual(codes(store({ ...howto, authSecretRef: { clientId: sel('client-id', 'ns') } })), ['Conflict@spec.provider.azurekv.clientId']);
  });

  // ESO's keyvault.go: ServicePrincipal reads only the tenantId string (authorizerForServicePrincipal);
  // the legacy WorkloadIdentity reads authSecretRef.tenantId first (authorizerForWorkloadIdentity).
  it('takes the tenant ESO takes when tenantId is a string and authSecretRef.tenantId is set too, and warns', () => {
    const both = { tenantId: 'spec-tenant', authSecretRef: { tenantId: sel('tenant-id', 'ns'), clientId: sel('client-id', 'ns'), clientSecret: sel('client-secret', 'ns') } };
    const sp = resolveStoreConfig(store(both));
    assert.deepEqual(sp.config!.tenantId, { inline: 'spec-tenant' });
    assert.deepEqual(sp.issues.map((i) => `${i.severity}:${i.code}@${i.path}`), ['warning:Ignored@spec.provider.azurekv.authSecretRef.tenantId']);
    const wi = resolveStoreConfig(store({ ...both, authType: 'WorkloadIdentity', serviceAccountRef: { name: 'sa', namespace: 'ns' } }));
    assert.equal((wi.config!.tenantId as { field: string }).field, 'spec.provider.azurekv.authSecretRef.tenantId');
    assert.ok(wi.issues.some((i) => i.severity === 'warning' && i.path === 'spec.provider.azurekv.tenantId'));
    const wiNewSdk = resolveStoreConfig(store({ ...both, authType: 'WorkloadIdentity', useAzureSDK: true, serviceAccountRef: { name: 'sa', namespace: 'ns' } }));
    assert.deepEqual(wiNewSdk.config!.tenantId, { inline: 'spec-tenant' });
  });

  // keyvault_new_sdk.go buildWorkloadIdentityCredential reads provider.TenantID, then the annotation,
  // never authSecretRef.tenantId; keyvault.go authorizerForWorkloadIdentity refuses an authSecretRef
  // without clientId (errMissingClientIDSecret), checked when the credential is built (auth.ts).
  it('ignores authSecretRef.tenantId for WorkloadIdentity with useAzureSDK, and marks an authSecretRef without clientId', () => {
    const wi = { authType: 'WorkloadIdentity' as const, useAzureSDK: true, serviceAccountRef: { name: 'sa', namespace: 'ns' }, authSecretRef: { tenantId: sel('tenant-id', 'ns') } };
    const newSdk = resolveStoreConfig(store(wi));
    assert.equal(newSdk.config!.tenantId, undefined);
    assert.deepEqual(newSdk.issues.map((i) => `${i.severity}:${i.code}@${i.path}`), ['warning:Ignored@spec.provider.azurekv.authSecretRef.tenantId']);
    assert.equal(newSdk.config!.authSecretRefWithoutClientId, true);
    const legacy = resolveStoreConfig(store({ ...wi, useAzureSDK: false }));
    assert.equal((legacy.config!.tenantId as { field: string }).field, 'spec.provider.azurekv.authSecretRef.tenantId');
    assert.deepEqual(legacy.issues, []);
    assert.equal(resolveStoreConfig(store({ ...wi, authSecretRef: { clientId: sel('client-id', 'ns') } })).config!.authSecretRefWithoutClientId, false);
    assert.equal(resolveStoreConfig(store({ authType: 'WorkloadIdentity', serviceAccountRef: { name: 'sa', namespace: 'ns' } })).config!.authSecretRefWithoutClientId, false);
  });

  it('refuses an inline client secret', () => {
    assert.deepEqual(codes(store({ ...howto, clientSecret: 'canary-inline-secret' })), ['InlineSecret@spec.provider.azurekv.clientSecret']);
    const messages = JSON.stringify(azureKeyVaultProvider.validateStore(store({ ...howto, clientSecret: 'canary-inline-secret' })));
    assert.ok(!messages.includes('canary-inline-secret'));
  });

  it('refuses a namespaced SecretStore that names another namespace', () => {
    const s = store({ ...howto, tenantId: 'tid', clientId: ref('client-id'), clientSecret: ref('client-secret', 'other') }, 'SecretStore', 'apps');
    assert.deepEqual(codes(s), ['CrossNamespace@spec.provider.azurekv.clientSecret.valueFrom.secretKeyRef.namespace']);
    const same = store({ ...howto, tenantId: 'tid', clientId: ref('client-id', 'apps'), clientSecret: ref('client-secret') }, 'SecretStore', 'apps');
    assert.deepEqual(codes(same), []);
  });

  // ESO keyvault.go ValidateStore checks the namespace of clientId, clientSecret and
  // serviceAccountRef only; runtime/esutils/resolvers/secret_ref.go SecretKeyRef reads every ref of a
  // SecretStore from the store's own namespace. So another namespace on tenantId or
  // clientCertificate works in ESO: a warning here, and the host reads the store's namespace.
  it('warns, and reads the store\'s own namespace, when a SecretStore\'s tenantId or clientCertificate names another namespace', () => {
    const s = store({ authSecretRef: { tenantId: sel('tenant-id', 'other'), clientId: sel('client-id'), clientCertificate: sel('tls.crt', 'other') } }, 'SecretStore', 'apps');
    assert.deepEqual(codes(s), []);
    const warned = azureKeyVaultProvider.validateStore(s).filter((i) => i.code === 'NamespaceIgnored');
    assert.deepEqual(warned.map((i) => [i.path, i.severity]), [
      ['spec.provider.azurekv.authSecretRef.tenantId.namespace', 'warning'],
      ['spec.provider.azurekv.authSecretRef.clientCertificate.namespace', 'warning'],
    ]);
    assert.equal(secretRefNamespace(s, 'other', 'apps', 'Secret akv-sp-credentials'), 'apps');
    const css = store({}, 'ClusterSecretStore');
    assert.equal(secretRefNamespace(css, 'other', 'apps', 'Secret akv-sp-credentials'), 'other');
  });

  // ESO keyvault.go isReferentSpec: clientId, clientSecret or serviceAccountRef without a namespace.
  it('calls a ClusterSecretStore referent for clientId, clientSecret or serviceAccountRef without a namespace only', () => {
    const config = (p: Partial<AzureKVProvider>) => resolveStoreConfig(store(p)).config!;
    assert.equal(isReferentConfig(config({ authSecretRef: { tenantId: sel('tenant-id'), clientId: sel('client-id', 'ns'), clientSecret: sel('secret', 'ns') } })), false);
    assert.equal(isReferentConfig(config({ tenantId: 'tid', authSecretRef: { clientId: sel('client-id', 'ns'), clientCertificate: sel('tls.crt') } })), false);
    assert.equal(isReferentConfig(config({ tenantId: 'tid', authSecretRef: { clientId: sel('client-id'), clientSecret: sel('secret', 'ns') } })), true);
    assert.equal(isReferentConfig(config({ authType: 'WorkloadIdentity', serviceAccountRef: { name: 'sa' } })), true);
  });

  it('refuses a namespaced SecretStore whose serviceAccountRef names another namespace', () => {
    const s = store({ authType: 'WorkloadIdentity', serviceAccountRef: { name: 'sa', namespace: 'other' } }, 'SecretStore', 'apps');
    assert.deepEqual(codes(s), ['CrossNamespace@spec.provider.azurekv.serviceAccountRef.namespace']);
  });

  it('needs nothing more for ManagedIdentity and warns about ignored client secrets', () => {
    assert.deepEqual(codes(store({ authType: 'ManagedIdentity', identityId: 'mi-client' })), []);
    const issues = azureKeyVaultProvider.validateStore(store({ authType: 'ManagedIdentity', authSecretRef: { clientSecret: sel('s', 'n') } }));
    assert.deepEqual(issues.map((i) => `${i.severity}:${i.code}`), ['warning:Ignored']);
  });

  it('requires a secretKeyRef to name a Secret and a key', () => {
    assert.deepEqual(codes(store({ ...howto, tenantId: { valueFrom: { secretKeyRef: { namespace: 'n' } } } as never })).sort(), [
      'Required@spec.provider.azurekv.tenantId.valueFrom.secretKeyRef.key',
      'Required@spec.provider.azurekv.tenantId.valueFrom.secretKeyRef.name',
    ]);
  });

  it('uses a custom authority without instance discovery and the environment default otherwise', () => {
    const custom = resolveStoreConfig(store({ ...howto, customCloudConfig: { activeDirectoryEndpoint: 'https://127.0.0.1:8443/' } })).config!;
    assert.equal(custom.authorityHost, 'https://127.0.0.1:8443');
    assert.equal(custom.isCustomAuthority, true);
    const china = resolveStoreConfig(store({ ...howto, environmentType: 'ChinaCloud' })).config!;
    assert.equal(china.authorityHost, 'https://login.chinacloudapi.cn');
    assert.equal(china.isCustomAuthority, false);
    assert.deepEqual(codes(store({ ...howto, environmentType: 'AzureStackCloud' })), ['Required@spec.provider.azurekv.customCloudConfig']);
  });

  // ESO keyvault_new_sdk.go getCloudConfiguration refuses GermanCloud with or without
  // customCloudConfig; the legacy SDK (autorest's GermanCloud) takes it. ESO's ValidateStore refuses
  // customCloudConfig without useAzureSDK; Projector does not (docs/design/000-overview.md).
  it('refuses GermanCloud with useAzureSDK, as ESO\'s new SDK does, and takes customCloudConfig with either SDK', () => {
    const custom = { activeDirectoryEndpoint: 'https://127.0.0.1:8443/' };
    assert.deepEqual(codes(store({ ...howto, environmentType: 'GermanCloud' })), []);
    assert.deepEqual(codes(store({ ...howto, useAzureSDK: true, environmentType: 'GermanCloud' })), ['InvalidValue@spec.provider.azurekv.environmentType']);
    assert.deepEqual(codes(store({ ...howto, useAzureSDK: true, environmentType: 'GermanCloud', customCloudConfig: custom })), ['InvalidValue@spec.provider.azurekv.environmentType']);
    assert.deepEqual(codes(store({ ...howto, customCloudConfig: custom })), []);
    assert.deepEqual(codes(store({ ...howto, useAzureSDK: true, environmentType: 'AzureStackCloud', customCloudConfig: custom })), []);
  });

  it('turns off challenge resource verification only for hosts outside Key Vault domains', () => {
    assert.equal(resolveStoreConfig(store(howto)).config!.disableChallengeResourceVerification, false);
    assert.equal(resolveStoreConfig(store({ ...howto, vaultUrl: 'https://127.0.0.1:9443/' })).config!.disableChallengeResourceVerification, true);
  });

  it('checks caBundle is a base64 PEM and caProvider names its namespace in a ClusterSecretStore', () => {
    const pem = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');
    assert.deepEqual(codes(store({ ...howto, caBundle: pem })), []);
    assert.deepEqual(codes(store({ ...howto, caBundle: Buffer.from('nope').toString('base64') })), ['InvalidValue@spec.provider.azurekv.caBundle']);
    assert.deepEqual(codes(store({ ...howto, caProvider: { type: 'ConfigMap', name: 'ca', key: 'ca.crt' } })), ['Required@spec.provider.azurekv.caProvider.namespace']);
  });

  it("decodes caBundle as Kubernetes decodes []byte fields (Go's base64.StdEncoding): unpadded or space-wrapped base64 is refused", () => {
    const pem = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');
    assert.ok(pem.endsWith('='), 'the fixture must carry padding for the unpadded case to differ');
    assert.deepEqual(codes(store({ ...howto, caBundle: `${pem.slice(0, 40)}\n${pem.slice(40)}\n` })), []);
    assert.deepEqual(codes(store({ ...howto, caBundle: pem.replace(/=+$/, '') })), ['InvalidValue@spec.provider.azurekv.caBundle']);
    assert.deepEqual(codes(store({ ...howto, caBundle: ` ${pem}` })), ['InvalidValue@spec.provider.azurekv.caBundle']);
  });

  it('reports a store without an azurekv block', () => {
    const s = store(howto);
    delete (s.spec.provider as Record<string, unknown>)['azurekv'];
    assert.deepEqual(codes(s), ['Required@spec.provider.azurekv']);
  });

  it('answers Unknown for a referent ClusterSecretStore checked without a namespace, as ESO does', async () => {
    const host = {
      log: silentLogger(),
      readSecretKey: async () => assert.fail('must not read credentials without a namespace'),
      serviceAccountToken: async () => assert.fail('must not mint tokens without a namespace'),
    };
    const referent = store({ tenantId: 'tid', authSecretRef: { clientId: sel('client-id'), clientSecret: sel('client-secret') } });
    const client = await azureKeyVaultProvider.newClient(referent, host, AbortSignal.timeout(1000));
    assert.equal(await client.validate(AbortSignal.timeout(1000)), 'Unknown');
    await assert.rejects(client.getSecret({ key: 'x' }, AbortSignal.timeout(1000)), (e: unknown) => e instanceof ProjectorError && e.code === 'StoreNotReady');
  });

  it('refuses to build a client for a store with spec errors', async () => {
    const host = { log: silentLogger(), readSecretKey: async () => assert.fail(), serviceAccountToken: async () => assert.fail() };
    await assert.rejects(azureKeyVaultProvider.newClient(store({ ...howto, vaultUrl: 'http://x/' }), host, AbortSignal.timeout(1000)),
      (e: unknown) => e instanceof ProjectorError && e.code === 'InvalidSpec' && e.details.field === 'spec.provider.azurekv.vaultUrl');
    // The field is named once: an issue whose message starts with its path is not prefixed again.
    await assert.rejects(azureKeyVaultProvider.newClient(store({ ...howto, vaultUrl: 'https://<YOUR_KEYVAULT_NAME>.vault.azure.net/' }), host, AbortSignal.timeout(1000)),
      (e: unknown) => e instanceof ProjectorError && e.code === 'InvalidSpec' && /^spec\.provider\.azurekv\.vaultUrl still contains a placeholder \(<YOUR_KEYVAULT_NAME>\); set your vault's URL$/.test(e.message));
  });
});
