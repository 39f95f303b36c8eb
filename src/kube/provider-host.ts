// The ProviderHost the operator gives providers: credential reads that enforce ESO's namespace rule.
import type { GenericStore, SecretKeySelector, ServiceAccountSelector } from '../api/index.ts';
import { ProjectorError } from '../core/errors.ts';
import type { Sensitive } from '../core/sensitive.ts';
import type { Logger } from '../platform/logger.ts';
import type { CredentialKind, CredentialRead, ProviderHost } from '../providers/provider.ts';
import type { KubeClient } from './client.ts';


/**
 * Where a reference made from `store` (used by an ExternalSecret in `esNamespace`) may read.
 * A namespaced SecretStore reads only its own namespace; a ClusterSecretStore reads the namespace it
 * names, else the ExternalSecret's.
 */
export function credentialNamespace(store: GenericStore, refNamespace: string | undefined, esNamespace: string | undefined, what: string): string {
  if (store.kind === 'SecretStore') {
    const own = store.metadata.namespace!;
    if (refNamespace && refNamespace !== own) {
      throw new ProjectorError('StoreNotAllowed', `SecretStore ${own}/${store.metadata.name} may not read ${what} from namespace "${refNamespace}"; a namespaced store reads only its own namespace`);
    }
    return own;
  }
  const ns = refNamespace ?? esNamespace;
  if (!ns) throw new ProjectorError('InvalidSpec', `ClusterSecretStore ${store.metadata.name}: ${what} needs a namespace`);
  return ns;
}

/**
 * The namespace a Secret ref made from `store` is read in: ESO's resolver reads a SecretStore's refs
 * from the store's own namespace whatever they name (runtime/esutils/resolvers/secret_ref.go
 * SecretKeyRef; its webhook refuses another namespace on clientId and clientSecret only, as
 * `validate` does); a ClusterSecretStore's as credentialNamespace says.
 */
export function secretRefNamespace(store: GenericStore, refNamespace: string | undefined, esNamespace: string | undefined, what: string): string {
  return store.kind === 'SecretStore' ? store.metadata.namespace! : credentialNamespace(store, refNamespace, esNamespace, what);
}

/**
 * `onRead` is told of every object a client is built from (credential Secrets, caProvider
 * ConfigMaps, workload identity ServiceAccounts: kind, namespace, name, resourceVersion; undefined
 * when not found): the client cache rebuilds a client when one of them changes, where ESO reads
 * them again at every reconcile.
 */
export function kubeProviderHost(
  kube: KubeClient,
  store: GenericStore,
  esNamespace: string | undefined,
  log: Logger,
  onRead?: (read: CredentialRead) => void,
): ProviderHost & {
  serviceAccountAnnotations(sa: ServiceAccountSelector, signal: AbortSignal): Promise<Record<string, string>>;
} {
  const recorder = (kind: CredentialKind, namespace: string, name: string) =>
    onRead && ((resourceVersion: string | undefined) => onRead({ kind, namespace, name, resourceVersion }));
  return {
    namespace: esNamespace,
    log,
    async readSecretKey(ref: SecretKeySelector): Promise<Sensitive<string>> {
      if (!ref.name || !ref.key) throw new ProjectorError('InvalidSpec', `${store.kind} ${store.metadata.name}: a secretKeyRef needs name and key`);
      const ns = secretRefNamespace(store, ref.namespace, esNamespace, `Secret ${ref.name}`);
      const name = ref.name;
      return kube.readSecretKey(ns, name, ref.key, recorder('Secret', ns, name));
    },
    async readConfigMapKey(ref) {
      const ns = credentialNamespace(store, ref.namespace, esNamespace, `ConfigMap ${ref.name}`);
      return kube.readConfigMapKey(ns, ref.name, ref.key, recorder('ConfigMap', ns, ref.name));
    },
    async serviceAccountToken(sa: ServiceAccountSelector, audiences: string[]): Promise<Sensitive<string>> {
      const ns = credentialNamespace(store, sa.namespace, esNamespace, `ServiceAccount ${sa.name}`);
      return kube.serviceAccountToken(ns, sa.name, audiences);
    },
    async serviceAccountAnnotations(sa: ServiceAccountSelector): Promise<Record<string, string>> {
      const ns = credentialNamespace(store, sa.namespace, esNamespace, `ServiceAccount ${sa.name}`);
      return kube.serviceAccountAnnotations(ns, sa.name, recorder('ServiceAccount', ns, sa.name));
    },
  };
}

/**
 * The host a generator's credential reads go through (ACRAccessToken): everything is read in the
 * ExternalSecret's namespace, as ESO's ACR generator reads its Secrets and service account there (a
 * `namespace` in a selector is not used).
 */
export function generatorProviderHost(kube: KubeClient, namespace: string, log: Logger): ProviderHost & {
  serviceAccountAnnotations(sa: ServiceAccountSelector, signal: AbortSignal): Promise<Record<string, string>>;
} {
  return {
    namespace,
    log,
    async readSecretKey(ref: SecretKeySelector): Promise<Sensitive<string>> {
      if (!ref.name || !ref.key) throw new ProjectorError('InvalidSpec', 'a generator secretRef needs name and key');
      return kube.readSecretKey(namespace, ref.name, ref.key);
    },
    async serviceAccountToken(sa: ServiceAccountSelector, audiences: string[]): Promise<Sensitive<string>> {
      return kube.serviceAccountToken(namespace, sa.name, audiences);
    },
    async serviceAccountAnnotations(sa: ServiceAccountSelector): Promise<Record<string, string>> {
      return kube.serviceAccountAnnotations(namespace, sa.name);
    },
  };
}
