// The finalizer a SecretStore or ClusterSecretStore carries while a PushSecret with deletionPolicy
// Delete may still have to delete what it pushed through the store. Without it a namespace (or a
// manifest) deletion can remove the store first, and the PushSecret's cleanup then has no store to
// delete through: its own finalizer stays, and the namespace stays Terminating.
// ESO: pkg/controllers/secretstore/common.go (handleFinalizer, hasPushSecretsWithDeletePolicy,
// hasSyncedPushSecrets, hasUnsyncedPushSecretRefs) and util.go (storeMatchesRef).
import type { GenericStore } from '../api/index.ts';
import type { PushSecret, PushSecretStoreRef } from '../api/pushsecret.ts';
import { matchesLabelSelector } from './store-access.ts';
import { checkLabelSelector } from './validate.ts';

export const SECRET_STORE_FINALIZER = 'secretstore.externalsecrets.io/finalizer';

type StoreKind = 'SecretStore' | 'ClusterSecretStore';

/** The parts of a store the decision reads. */
export type StoreIdentity = Pick<GenericStore, 'kind'> & { metadata: Pick<GenericStore['metadata'], 'name' | 'namespace' | 'labels'> };

/**
 * ESO's storeMatchesRef: the ref's kind is the store's (an empty kind is either), and the name is
 * the store's or the label selector matches its labels (an invalid selector matches nothing).
 */
export function pushRefMatchesStore(ref: PushSecretStoreRef, store: StoreIdentity): boolean {
  if (ref.kind && ref.kind !== store.kind) return false;
  if (ref.name === store.metadata.name) return true;
  const sel = ref.labelSelector;
  return !!sel && checkLabelSelector(sel, '').length === 0 && matchesLabelSelector(sel, store.metadata.labels ?? {});
}

/**
 * Does this PushSecret keep the store's finalizer on? Only with deletionPolicy Delete, when it has
 * pushed through the store (`status.syncedPushSecrets["<Kind>/<name>"]`) or names or selects it in
 * `spec.secretStoreRefs` (it may push later). A SecretStore only by PushSecrets of its namespace, a
 * ClusterSecretStore by those of any namespace, as ESO's namespaced list. A PushSecret being deleted
 * still counts: its cleanup needs the store.
 */
export function pushSecretHoldsStore(ps: PushSecret, store: StoreIdentity): boolean {
  if (ps.spec.deletionPolicy !== 'Delete') return false;
  if (store.kind === 'SecretStore' && ps.metadata.namespace !== store.metadata.namespace) return false;
  if (Object.hasOwn(ps.status?.syncedPushSecrets ?? {}, `${store.kind}/${store.metadata.name}`)) return true;
  return (ps.spec.secretStoreRefs ?? []).some((ref) => pushRefMatchesStore(ref, store));
}

/** A store a PushSecret may hold: its kind, namespace ('' for a ClusterSecretStore) and name, `*` for any a selector may pick. */
export interface StoreHoldRef {
  kind: StoreKind;
  namespace: string;
  name: string;
}

/**
 * The stores a PushSecret may hold (pushSecretHoldsStore then decides): those it pushed to or names,
 * and `*` in a namespace (any ClusterSecretStore) where a label selector may pick one. Only
 * PushSecrets with deletionPolicy Delete hold stores, as ESO's field indexes.
 */
export function storeHoldRefs(ps: PushSecret): StoreHoldRef[] {
  if (ps.spec.deletionPolicy !== 'Delete') return [];
  const ref = (kind: StoreKind, name: string): StoreHoldRef => ({ kind, namespace: kind === 'ClusterSecretStore' ? '' : ps.metadata.namespace ?? '', name });
  const kindsOf = (kind: string | undefined): StoreKind[] => (kind === 'SecretStore' || kind === 'ClusterSecretStore' ? [kind] : ['SecretStore', 'ClusterSecretStore']);
  const refs: StoreHoldRef[] = [];
  for (const synced of Object.keys(ps.status?.syncedPushSecrets ?? {})) {
    const slash = synced.indexOf('/');
    for (const kind of kindsOf(synced.slice(0, slash))) refs.push(ref(kind, synced.slice(slash + 1)));
  }
  for (const r of ps.spec.secretStoreRefs ?? []) {
    for (const kind of kindsOf(r.kind)) {
      if (r.name) refs.push(ref(kind, r.name));
      if (r.labelSelector) refs.push(ref(kind, '*'));
    }
  }
  return refs;
}

const holdKey = (r: StoreHoldRef) => `${r.kind}:${r.namespace}/${r.name}`;

/**
 * The index keys of storeHoldRefs: `<Kind>:<namespace>/<name>` (`<Kind>:/<name>` for a
 * ClusterSecretStore), `<Kind>:<namespace>/*` for stores a label selector may pick.
 */
export function storeHoldKeys(ps: PushSecret): string[] {
  return [...new Set(storeHoldRefs(ps).map(holdKey))];
}

/** The keys storeHoldKeys gives a PushSecret that may hold this store. */
export function storeHoldLookups(store: StoreIdentity): string[] {
  const namespace = store.kind === 'ClusterSecretStore' ? '' : (store.metadata.namespace ?? '');
  return [holdKey({ kind: store.kind as StoreKind, namespace, name: store.metadata.name }), holdKey({ kind: store.kind as StoreKind, namespace, name: '*' })];
}

/**
 * ESO's handleFinalizer: the store's finalizers after the change, or undefined when none is due.
 * Held: added (not to a store being deleted, which the API server would refuse). Not held: removed,
 * whether or not the store is being deleted. A store being deleted while held keeps it until the
 * last such PushSecret has cleaned up and gone.
 */
export function storeFinalizersFor(store: { metadata: { finalizers?: string[] | undefined; deletionTimestamp?: string | undefined } }, held: boolean): string[] | undefined {
  const finalizers = store.metadata.finalizers ?? [];
  const has = finalizers.includes(SECRET_STORE_FINALIZER);
  if (held) return has || store.metadata.deletionTimestamp ? undefined : [...finalizers, SECRET_STORE_FINALIZER];
  return has ? finalizers.filter((f) => f !== SECRET_STORE_FINALIZER) : undefined;
}
