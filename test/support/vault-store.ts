// The store set-up the controller tests share: a service principal registered in the local vault,
// the Kubernetes Secret holding its client id and secret, and an azurekv SecretStore or
// ClusterSecretStore that reads that Secret and reaches the local vault (the vault is its own token
// authority, and its CA is the store's caBundle). The field names are the HOWTO's and ESO's
// (apis/externalsecrets/v1/secretstore_azurekv_types.go: authSecretRef.clientId/clientSecret).
import type { KubernetesObject } from '@kubernetes/client-node';
import type { StartedVault } from '../../src/vault/index.ts';
import type { Cluster } from './cluster.ts';

export interface ServicePrincipalStore {
  /** The principal's client id, registered in the vault and written to the Secret's `client-id` key. */
  clientId: string;
  /** Its client secret (a canary: it must appear nowhere), written to the Secret's `client-secret` key. */
  clientSecret: string;
  /** The store: a ClusterSecretStore when `namespace` is absent, else a SecretStore in that namespace. */
  store: { kind: 'SecretStore' | 'ClusterSecretStore'; name: string; namespace?: string };
  /** The Secret holding the credentials; its namespace defaults to the store's. */
  credentials: { name: string; namespace?: string };
}

/**
 * The store manifest alone: `authType: ServicePrincipal`, `tenantId` the vault's, `authSecretRef`
 * naming `client-id` and `client-secret` in `o.credentials` (with its namespace only when it is set,
 * as a SecretStore's references stay in its own namespace).
 */
export function servicePrincipalStoreManifest(vault: StartedVault, o: Pick<ServicePrincipalStore, 'store' | 'credentials'>): KubernetesObject {
  const ref = (key: string) => ({ name: o.credentials.name, ...(o.credentials.namespace ? { namespace: o.credentials.namespace } : {}), key });
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: o.store.kind,
    metadata: { name: o.store.name, ...(o.store.kind === 'SecretStore' ? { namespace: o.store.namespace } : {}) },
    spec: {
      provider: {
        azurekv: {
          vaultUrl: `${vault.url}/`,
          tenantId: vault.tenantId,
          authType: 'ServicePrincipal',
          customCloudConfig: { activeDirectoryEndpoint: vault.authorityHost },
          caBundle: Buffer.from(vault.caPem).toString('base64'),
          authSecretRef: { clientId: ref('client-id'), clientSecret: ref('client-secret') },
        },
      },
    },
  } as KubernetesObject;
}

/** The credentials Secret (`client-id`, `client-secret` as stringData). */
export function servicePrincipalSecret(o: Pick<ServicePrincipalStore, 'clientId' | 'clientSecret' | 'store' | 'credentials'>): KubernetesObject {
  const namespace = o.credentials.namespace ?? o.store.namespace;
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name: o.credentials.name, namespace }, stringData: { 'client-id': o.clientId, 'client-secret': o.clientSecret } } as KubernetesObject;
}

/**
 * Registers the principal in the vault, then applies its credentials Secret and the store (plus
 * `extra` objects in the same apply). The namespaces must exist. Does not wait for the store to be
 * Ready: the operator may not be running yet.
 */
export async function setUpServicePrincipalStore(k: Cluster, vault: StartedVault, o: ServicePrincipalStore, extra: KubernetesObject[] = []): Promise<void> {
  await vault.admin.addPrincipal({ clientId: o.clientId, clientSecret: o.clientSecret });
  await k.apply([servicePrincipalSecret(o), servicePrincipalStoreManifest(vault, o), ...extra]);
}
