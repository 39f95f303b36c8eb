// Points a repository's azurekv stores at the local vault, for `projector dev`. The ExternalSecrets
// are used exactly as committed; only the store's connection changes: vault URL, authority, CA, and
// the identity (a development service principal whose credentials live in one local Secret).
import type { GenericStore } from '../../api/index.ts';
import type { CheckReference } from '../check/references.ts';
import { parseObjectRef, remoteKeyIssues } from '../../providers/azurekv/object-ref.ts';

export const DEV_CREDENTIALS = { namespace: 'external-secrets', name: 'projector-dev-vault-credentials' } as const;

export interface LocalVaultEndpoint {
  url: string;
  authorityHost: string;
  tenantId: string;
  caPem: string;
}

export interface DevPrincipal {
  clientId: string;
  clientSecret: string;
}

/** The store as `projector dev` uses it; non-azurekv stores (fake) are returned unchanged. */
export function pointStoreAtLocalVault(store: GenericStore, vault: LocalVaultEndpoint): GenericStore {
  const az = store.spec.provider.azurekv;
  if (!az) return store;
  const ref = (key: string) => ({ name: DEV_CREDENTIALS.name, namespace: store.kind === 'SecretStore' ? store.metadata.namespace : DEV_CREDENTIALS.namespace, key });
  return {
    ...store,
    spec: {
      ...store.spec,
      provider: {
        azurekv: {
          vaultUrl: vault.url,
          authType: 'ServicePrincipal',
          tenantId: vault.tenantId,
          authSecretRef: { clientId: ref('client-id'), clientSecret: ref('client-secret') },
          customCloudConfig: { activeDirectoryEndpoint: vault.authorityHost },
          caBundle: Buffer.from(vault.caPem).toString('base64'),
        },
      },
    },
  };
}

/**
 * The credential Secret a store's dev copy reads ("namespace/name": DEV_CREDENTIALS.name in a
 * SecretStore's namespace, or DEV_CREDENTIALS.namespace for a ClusterSecretStore), or undefined for
 * a store that reads none of dev's (non-azurekv stores, left unchanged by pointStoreAtLocalVault).
 */
export function devCredentialKeyOf(store: GenericStore): `${string}/${string}` | undefined {
  if (!store.spec.provider.azurekv) return undefined;
  const ns = store.kind === 'SecretStore' ? store.metadata.namespace! : DEV_CREDENTIALS.namespace;
  return `${ns}/${DEV_CREDENTIALS.name}`;
}

/** The credential Secret(s) the rewritten stores read, keyed "namespace/name". */
export function devCredentialSecrets(stores: readonly GenericStore[], principal: DevPrincipal): Map<string, Record<string, string>> {
  const data = { 'client-id': principal.clientId, 'client-secret': principal.clientSecret };
  const out = new Map<string, Record<string, string>>();
  for (const s of stores) {
    const key = devCredentialKeyOf(s);
    if (key) out.set(key, data);
  }
  return out;
}

/**
 * Vault secret names the references read (secret/ prefix stripped), with the JSON properties asked
 * of each. cert/ and key/ objects are not seeded, nor keys Key Vault could never hold (the
 * provider's own name rule): those fail their ExternalSecret with the provider's clear message.
 */
export function remoteKeysNeeded(refs: readonly CheckReference[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const ref of refs) {
    if (!ref.remoteRef || ref.generator) continue;
    if (remoteKeyIssues(ref.remoteRef.key, ref.field).length > 0) continue;
    const target = parseObjectRef(ref.remoteRef.key);
    if (target.objectType !== 'secret') continue;
    const name = target.name;
    const props = out.get(name) ?? new Set<string>();
    if (ref.remoteRef.property && ref.remoteRef.metadataPolicy !== 'Fetch') props.add(ref.remoteRef.property);
    out.set(name, props);
  }
  return out;
}
