// `projector dev --cluster` and what a reload deletes: the objects the previous apply put into the
// cluster that the repository no longer has. Only what this dev session applied is deleted, and
// nothing when dev stops. The order lets the in-process operator finish with each object while
// what it needs is still there: ExternalSecrets first (their finalizer runs; dev waits until they
// are gone, so none is reconciled against a store or generator that just went and flipped to
// failing), then ClusterPushSecrets and PushSecrets (their finalizers delete what they pushed,
// through the stores, which a PushSecret with deletionPolicy Delete holds by the stores' own
// finalizer, core/store-finalizer.ts), the PushSecrets' source Secrets, the generators, the stores,
// and last dev's credential Secrets that no remaining store reads. A store such a PushSecret still
// uses stays (Terminating) after its deletion: dev says so, keeps its credential Secret (the
// PushSecret's cleanup reads the vault through the store), and reports it deleted once it is gone
// (Pending, finishDeletions). Generators carry no finalizer of the operator's (ESO puts one only on
// GeneratorState objects, which dev does not apply), so their deletion is not waited for.
import type { ClusterPushSecret, ExternalSecret, GenericStore, GeneratorObject, PushSecret } from '../../api/index.ts';
import { pushSecretHoldsStore, SECRET_STORE_FINALIZER } from '../../core/store-finalizer.ts';
import { API_VERSION } from '../../api/constants.ts';
import { GENERATOR_API_VERSION, GENERATOR_PLURALS, type ImplementedGeneratorKind } from '../../api/generators.ts';
import { isClusterScopedKind, objectKey, objectLabel, type ObjectKey } from '../../api/object-key.ts';
import { isOwnedByClusterPushSecret } from '../../core/cluster-push-secret.ts';
import { creationPolicyOf, deletionPolicyOf, targetNameOf } from '../../core/external-secret.ts';
import { genericTargetOf } from '../../core/generic-target.ts';
import { controllerOf } from '../../core/plan-target-secret.ts';
import type { ObjectMeta } from '../../api/meta.ts';
import type { Manager } from '../../controller/manager.ts';
import type { KubeClient } from '../../kube/client.ts';
import { originKey, type RepoSecret } from '../repo-objects.ts';
import { devCredentialKeyOf } from './local-stores.ts';
import type { Printer } from './dev-session.ts';

/** An object dev applied: its kind, namespace (undefined for a cluster-scoped kind) and name. */
export interface AppliedRef {
  kind: string;
  namespace: string | undefined;
  name: string;
}

/** A store dev applied, and the dev credential Secret its copy reads ("ns/name"; none for a non-azurekv store). */
export interface AppliedStore extends AppliedRef {
  credential: ObjectKey | undefined;
}

/**
 * What dev has applied to the cluster in this session, per kind, keyed "Kind/ns/name" (repo-objects.ts
 * originKey, the key of RepoObjects.refused). ExternalSecrets keep the object as applied, for the
 * policies their deletion line reports.
 */
export interface AppliedSet {
  externalSecrets: Map<string, ExternalSecret>;
  clusterPushSecrets: Map<string, AppliedRef>;
  pushSecrets: Map<string, AppliedRef>;
  secrets: Map<string, AppliedRef>;
  generators: Map<string, AppliedRef>;
  stores: Map<string, AppliedStore>;
}

/** What a reload deletes, per kind (dev-cluster.ts deletes them in the order of deleteDropped). */
export interface Dropped {
  externalSecrets: ExternalSecret[];
  /** ClusterPushSecret names. */
  clusterPushSecrets: string[];
  /** "ns/name" of PushSecrets. */
  pushSecrets: ObjectKey[];
  /** "ns/name" of the PushSecrets' source Secrets (the repository's Secret manifests). */
  secrets: ObjectKey[];
  generators: AppliedRef[];
  stores: AppliedStore[];
  /** "ns/name" of dev's credential Secrets (local-stores.ts DEV_CREDENTIALS) no store left reads. */
  credentialSecrets: ObjectKey[];
}

export function emptyAppliedSet(): AppliedSet {
  return { externalSecrets: new Map(), clusterPushSecrets: new Map(), pushSecrets: new Map(), secrets: new Map(), generators: new Map(), stores: new Map() };
}

const ref = (kind: string, meta: Pick<ObjectMeta, 'namespace' | 'name'>): AppliedRef => ({ kind, namespace: isClusterScopedKind(kind) ? undefined : meta.namespace, name: meta.name ?? '' });
const keyOf = (r: AppliedRef) => originKey(r.kind, r.namespace, r.name);
const byKey = <T extends AppliedRef>(refs: T[]) => new Map(refs.map((r) => [keyOf(r), r] as const));

/** The set one apply applied: `stores` as dev applies them (local-stores.ts pointStoreAtLocalVault). */
export function appliedSetOf(o: { externalSecrets: readonly ExternalSecret[]; stores: readonly GenericStore[]; generators: readonly GeneratorObject[]; pushSecrets: readonly PushSecret[]; clusterPushSecrets: readonly ClusterPushSecret[]; secrets: readonly RepoSecret[] }): AppliedSet {
  return {
    externalSecrets: new Map(o.externalSecrets.map((es) => [originKey('ExternalSecret', es.metadata.namespace, es.metadata.name), es] as const)),
    clusterPushSecrets: byKey(o.clusterPushSecrets.map((c) => ref('ClusterPushSecret', c.metadata))),
    pushSecrets: byKey(o.pushSecrets.map((ps) => ref('PushSecret', ps.metadata))),
    secrets: byKey(o.secrets.map((s) => ref('Secret', s.metadata))),
    generators: byKey(o.generators.map((g) => ref(g.kind, g.metadata))),
    stores: byKey(o.stores.map((s) => ({ ...ref(s.kind, s.metadata), credential: devCredentialKeyOf(s) }))),
  };
}

/** The dev credential Secrets the stores read. */
function credentialsOf(stores: ReadonlyMap<string, AppliedStore>): Set<ObjectKey> {
  return new Set([...stores.values()].flatMap((s) => (s.credential ? [s.credential] : [])));
}

/**
 * What a reload deletes (`drop`) and what dev has applied from then on (`now`). An object the
 * previous apply had and this one has not is dropped, unless the load refused its manifest
 * (`refused`, RepoObjects.refused "Kind/ns/name": the API server would refuse the edit, so the
 * cluster keeps the version applied before, as after a failed `kubectl apply`; it stays in `now`,
 * so removing it from the repository later deletes it). A dev credential Secret is dropped when no
 * store of `now` reads it. A renamed object is the old name dropped and the new one applied.
 */
export function droppedSince(previous: AppliedSet, applied: AppliedSet, refused: readonly string[]): { drop: Dropped; now: AppliedSet } {
  const kept = new Set(refused);
  const merge = <T>(prev: Map<string, T>, next: Map<string, T>): Map<string, T> => {
    const out = new Map(next);
    for (const [k, v] of prev) if (!out.has(k) && kept.has(k)) out.set(k, v);
    return out;
  };
  const gone = <T>(prev: Map<string, T>, now: Map<string, T>): T[] => [...prev].filter(([k]) => !now.has(k)).map(([, v]) => v);
  const now: AppliedSet = {
    externalSecrets: merge(previous.externalSecrets, applied.externalSecrets),
    clusterPushSecrets: merge(previous.clusterPushSecrets, applied.clusterPushSecrets),
    pushSecrets: merge(previous.pushSecrets, applied.pushSecrets),
    secrets: merge(previous.secrets, applied.secrets),
    generators: merge(previous.generators, applied.generators),
    stores: merge(previous.stores, applied.stores),
  };
  const credentialsNow = credentialsOf(now.stores);
  const nsKey = (r: AppliedRef) => objectKey(r.namespace, r.name);
  return {
    now,
    drop: {
      externalSecrets: gone(previous.externalSecrets, now.externalSecrets),
      clusterPushSecrets: gone(previous.clusterPushSecrets, now.clusterPushSecrets).map((r) => r.name),
      pushSecrets: gone(previous.pushSecrets, now.pushSecrets).map(nsKey),
      secrets: gone(previous.secrets, now.secrets).map(nsKey),
      generators: gone(previous.generators, now.generators),
      stores: gone(previous.stores, now.stores),
      credentialSecrets: [...credentialsOf(previous.stores)].filter((k) => !credentialsNow.has(k)),
    },
  };
}

/**
 * The ExternalSecret's target as read just before dev deleted the ExternalSecret: `absent` (not
 * found), `owned` (its controller reference names the ExternalSecret: creationPolicy Owner set it,
 * core/plan-target-secret.ts ownerReferenceFor, controller and blockOwnerDeletion true), `not-owned`,
 * or undefined when it could not be read.
 */
export type TargetState = 'absent' | 'owned' | 'not-owned' | undefined;

/**
 * What dev prints once an ExternalSecret it deleted is gone, and what became of its target (a
 * Secret, or a generic target's object). The ExternalSecret's finalizer (controller/externalsecret
 * reconciler.ts #finalize, ESO cleanupManagedSecrets) deletes the target under deletionPolicy Delete
 * when the ExternalSecret controls it; else a target whose controller reference names the
 * ExternalSecret is a dependent the cluster's garbage collector (kube-controller-manager) deletes
 * once its owner is gone (the API server's default background propagation); any other target
 * (creationPolicy Orphan, Merge, CreateOrMerge, None) has no owner reference to it and stays.
 */
export function externalSecretDeletedLine(es: ExternalSecret, state: TargetState): string {
  const id = `${es.metadata.namespace}/${es.metadata.name}`;
  const generic = genericTargetOf(es);
  const target = `${generic ? generic.kind : 'Secret'} ${es.metadata.namespace}/${targetNameOf(es)}`;
  const creation = creationPolicyOf(es);
  const head = `- ExternalSecret ${id} deleted (not in the repository); creationPolicy ${creation}`;
  switch (state) {
    case 'absent':
      return `${head}: there was no ${target}`;
    case 'owned':
      return deletionPolicyOf(es) === 'Delete'
        ? `${head}, deletionPolicy Delete: the operator deleted ${target}, which it owned (the ExternalSecret's finalizer)`
        : `${head}: ${target} has it as owner (ownerReference), so the cluster's garbage collector deletes the ${generic ? generic.kind : 'Secret'}`;
    case 'not-owned':
      return `${head}: ${target} stays (no ownerReference to the ExternalSecret)`;
    default:
      return creation === 'Owner'
        ? `${head}: ${target} (not read) is deleted by the cluster's garbage collector if it has the ExternalSecret as owner (ownerReference)`
        : `${head}: ${target} stays (not owned under creationPolicy ${creation})`;
  }
}

export interface PruneDeps {
  kube: Pick<KubeClient, 'getSecret' | 'getObject' | 'deleteExternalSecret' | 'deleteClusterPushSecret' | 'deletePushSecret' | 'deleteSecret' | 'deleteCustomObject'>;
  /** The in-process Manager's caches; undefined before it runs (nothing to wait for). */
  manager: PruneCaches | undefined;
  print: Printer;
  /** How long to wait for the operator to finish the deleted ExternalSecrets (their finalizer) and stores; default 30 s. */
  waitMs?: number;
}

/** The in-process Manager's caches a deletion waits on. */
export type PruneCaches = Pick<Manager, 'externalSecrets' | 'pushSecrets' | 'clusterPushSecrets' | 'secretStores' | 'clusterSecretStores'>;

/**
 * What this session deleted that is not gone yet, and what waits for it; kept across reloads
 * (dev-cluster.ts), as a store can stay until a later reload drops the PushSecret that holds it.
 */
export interface Pending {
  /** Stores deleted but still in the cluster (held by a finalizer), "Kind/ns/name" → the store. */
  stores: Map<string, AppliedStore>;
  /** Dev credential Secrets no applied store reads, kept while a pending store still does. */
  credentialSecrets: Set<ObjectKey>;
}

/** Nothing pending: a session's start. */
export function emptyPending(): Pending {
  return { stores: new Map(), credentialSecrets: new Set() };
}

/** The store as the in-process operator's cache has it now (undefined: gone, or no Manager yet). */
function liveStore(manager: PruneCaches | undefined, s: AppliedRef): GenericStore | undefined {
  return (s.kind === 'ClusterSecretStore' ? manager?.clusterSecretStores : manager?.secretStores)?.get(objectKey(s.namespace, s.name));
}

const pushKey = (ps: PushSecret) => objectKey(ps.metadata.namespace, ps.metadata.name);
/** A PushSecret being deleted: its deletionTimestamp seen, or deleted by dev (`deleting`, "ns/name") before the cache saw it. */
const beingDeleted = (ps: PushSecret, deleting: ReadonlySet<ObjectKey>) => !!ps.metadata.deletionTimestamp || deleting.has(pushKey(ps));

/**
 * Will the deleted store stay until a later edit? Its deletion is seen (deletionTimestamp) and a
 * PushSecret that is not being deleted holds it (core/store-finalizer.ts pushSecretHoldsStore: one
 * with deletionPolicy Delete that names, selects or pushed through it): the operator keeps the
 * store's finalizer until that PushSecret is deleted or no longer uses it. A store held only by
 * PushSecrets being deleted goes once their finalizers have run: worth waiting for.
 */
function storeStays(store: GenericStore, pushSecrets: readonly PushSecret[], deleting: ReadonlySet<ObjectKey>): boolean {
  return !!store.metadata.deletionTimestamp && pushSecrets.some((ps) => !beingDeleted(ps, deleting) && pushSecretHoldsStore(ps, store));
}

/** Is each store dev deleted gone, or held by a PushSecret that stays (nothing to wait for)? `deleting`: "ns/name" of PushSecrets dev deleted. */
function storesSettled(manager: PruneCaches | undefined, stores: Iterable<AppliedRef>, deleting: Iterable<ObjectKey>): boolean {
  const d = new Set(deleting);
  const pushSecrets = manager?.pushSecrets.list() ?? [];
  return [...stores].every((s) => {
    const live = liveStore(manager, s);
    return !live || storeStays(live, pushSecrets, d);
  });
}

/** storesSettled for the pending stores: the state block waits for them (dev-cluster.ts settle). */
export function pendingStoresSettled(manager: PruneCaches, pending: Pending, deleting: Iterable<ObjectKey>): boolean {
  return storesSettled(manager, pending.stores.values(), deleting);
}

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

/**
 * The line of a store dev deleted that is still in the cluster (`store`, as the operator's cache
 * has it), naming what holds it: the operator's finalizer secretstore.externalsecrets.io/finalizer
 * and the PushSecrets with deletionPolicy Delete that use the store (`pushSecrets`: the cache's;
 * `deleting`: "ns/name" of those dev deleted), as the store reconciler decides it (ESO
 * pkg/controllers/secretstore/common.go handleFinalizer); any other finalizer by name.
 */
export function storePendingLine(store: GenericStore, pushSecrets: readonly PushSecret[], deleting: ReadonlySet<ObjectKey>): string {
  const label = objectLabel(store.kind, store.metadata.namespace, store.metadata.name);
  const finalizers = store.metadata.finalizers ?? [];
  const parts: string[] = [];
  if (finalizers.includes(SECRET_STORE_FINALIZER)) {
    const holders = pushSecrets.filter((ps) => pushSecretHoldsStore(ps, store));
    const staying = holders.filter((ps) => !beingDeleted(ps, deleting)).map(pushKey);
    const going = holders.filter((ps) => beingDeleted(ps, deleting)).map(pushKey);
    const why = [
      ...(staying.length ? [`${plural(staying.length, 'PushSecret', 'PushSecrets')} ${staying.join(', ')} with deletionPolicy Delete ${plural(staying.length, 'uses', 'use')} it (names it or pushed through it); it goes when ${plural(staying.length, 'that PushSecret is', 'those PushSecrets are')} deleted or set deletionPolicy None`] : []),
      ...(going.length ? [`${plural(going.length, 'PushSecret', 'PushSecrets')} ${going.join(', ')} ${plural(going.length, 'is', 'are')} being deleted and ${plural(going.length, 'has', 'have')} not yet deleted what ${plural(going.length, 'it', 'they')} pushed through it`] : []),
    ];
    parts.push(`the operator's finalizer ${SECRET_STORE_FINALIZER}: ${why.length ? why.join('; ') : 'no PushSecret uses it any more, but the operator has not removed the finalizer yet'}`);
  }
  const others = finalizers.filter((f) => f !== SECRET_STORE_FINALIZER);
  if (others.length) parts.push(`${plural(others.length, 'finalizer', 'finalizers')} ${others.join(', ')} (not the operator's)`);
  return `✗ ${label} deletion pending: ${parts.length ? `held by ${parts.join('; and by ')}` : 'the API server has not removed it yet'}`;
}

const storeDeletedLine = (s: AppliedRef) => `- ${objectLabel(s.kind, s.namespace, s.name)} deleted (not in the repository)`;

async function deleteCredentialSecret(kube: PruneDeps['kube'], print: Printer, key: ObjectKey): Promise<void> {
  const [ns, name] = key.split('/') as [string, string];
  await kube.deleteSecret(ns, name);
  print.line(`- Secret ${key} deleted (dev's credential Secret for the local vault; no store of the repository reads it now)`);
}

/**
 * Resolves what earlier deletions left pending (`pending`, updated in place), once the in-process
 * operator let it go: a store now gone gets its deleted line, then a dev credential Secret no store
 * reads any more is deleted (not before: the PushSecrets that held the store read the vault through
 * it with that credential). A store the repository has again (`applied`) is no longer reported, and
 * a credential Secret an applied store reads is kept. dev-cluster.ts calls it with the state block.
 */
export async function finishDeletions(pending: Pending, applied: AppliedSet, d: Pick<PruneDeps, 'kube' | 'manager' | 'print'>): Promise<void> {
  for (const [key, s] of pending.stores) {
    if (applied.stores.has(key)) pending.stores.delete(key);
    else if (!liveStore(d.manager, s)) {
      d.print.line(storeDeletedLine(s));
      pending.stores.delete(key);
    }
  }
  const readNow = credentialsOf(applied.stores);
  const readByPending = credentialsOf(pending.stores);
  for (const key of pending.credentialSecrets) {
    if (readByPending.has(key)) continue;
    pending.credentialSecrets.delete(key);
    if (!readNow.has(key)) await deleteCredentialSecret(d.kube, d.print, key);
  }
}

async function waitUntil(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/** The target's state before its ExternalSecret goes (see TargetState); a failed read is undefined. */
async function targetStateOf(kube: PruneDeps['kube'], es: ExternalSecret, live: ExternalSecret | undefined): Promise<TargetState> {
  try {
    const generic = genericTargetOf(es);
    const obj = generic ? await kube.getObject(generic) : await kube.getSecret(es.metadata.namespace, targetNameOf(es));
    if (!obj) return 'absent';
    const c = controllerOf(obj.metadata);
    const uid = live?.metadata.uid;
    return c?.kind === 'ExternalSecret' && c.name === es.metadata.name && (!uid || c.uid === uid) ? 'owned' : 'not-owned';
  } catch {
    return undefined;
  }
}

/**
 * Deletes what a reload dropped, in the order above, and prints one line per object. Returns the
 * PushSecrets deleted ("ns/name" → the object as last seen): their line waits for their finalizer
 * (dev-push.ts pushDeletedLine, printed with the state block). A store still in the cluster after
 * the wait (held by a finalizer) gets a pending line and goes to `pending.stores`, with the dev
 * credential Secrets it reads (`pending.credentialSecrets`): finishDeletions reports them later.
 */
export async function deleteDropped(drop: Dropped, d: PruneDeps, pending: Pending = emptyPending()): Promise<Map<ObjectKey, PushSecret | undefined>> {
  const { kube, manager, print } = d;
  // ExternalSecrets, then wait for the operator to run their finalizer (and drop them from its cache).
  const states = new Map<ExternalSecret, TargetState>();
  for (const es of drop.externalSecrets) {
    const key = objectKey(es.metadata.namespace, es.metadata.name);
    states.set(es, await targetStateOf(kube, es, manager?.externalSecrets.get(key)));
    await kube.deleteExternalSecret(es.metadata.namespace, es.metadata.name);
  }
  const esKeys = drop.externalSecrets.map((es) => objectKey(es.metadata.namespace, es.metadata.name));
  await waitUntil(() => esKeys.every((k) => !manager?.externalSecrets.get(k)), d.waitMs ?? 30_000);
  for (const es of drop.externalSecrets) {
    const still = manager?.externalSecrets.get(objectKey(es.metadata.namespace, es.metadata.name));
    // Its finalizer has not run to the end (dev.log says why: "could not finish deleting the ExternalSecret").
    if (still) print.line(`✗ ExternalSecret ${es.metadata.namespace}/${es.metadata.name} deletion pending: the operator has not run its finalizer yet`);
    else print.line(externalSecretDeletedLine(es, states.get(es)));
  }
  // ClusterPushSecrets (then the PushSecrets they controlled, as the garbage collector would),
  // PushSecrets (the operator runs their finalizer: deletionPolicy Delete removes what was pushed),
  // then the source Secrets.
  const pushDeleted = new Map<ObjectKey, PushSecret | undefined>();
  const deletePs = async (key: ObjectKey) => {
    const [ns, name] = key.split('/') as [string, string];
    pushDeleted.set(key, manager?.pushSecrets.get(key));
    await kube.deletePushSecret(ns, name);
  };
  for (const name of drop.clusterPushSecrets) {
    await kube.deleteClusterPushSecret(name);
    print.line(`- ClusterPushSecret ${name} deleted (not in the repository)`);
    await waitUntil(() => !manager?.clusterPushSecrets.get(objectKey(undefined, name)), 5_000);
    for (const ps of manager?.pushSecrets.list() ?? []) {
      if (isOwnedByClusterPushSecret(ps, name)) await deletePs(objectKey(ps.metadata.namespace, ps.metadata.name));
    }
  }
  for (const key of drop.pushSecrets) if (!pushDeleted.has(key)) await deletePs(key);
  for (const key of drop.secrets) {
    const [ns, name] = key.split('/') as [string, string];
    await kube.deleteSecret(ns, name);
    print.line(`- Secret ${key} deleted (not in the repository)`);
  }
  // Nothing dev applied uses the generators and stores any more.
  for (const g of drop.generators) {
    await kube.deleteCustomObject({ apiVersion: GENERATOR_API_VERSION, plural: GENERATOR_PLURALS[g.kind as ImplementedGeneratorKind], ...g });
    print.line(`- ${objectLabel(g.kind, g.namespace, g.name)} deleted (not in the repository)`);
  }
  // The stores, then wait until the operator has let them go: a store a PushSecret with
  // deletionPolicy Delete uses keeps its finalizer (core/store-finalizer.ts), so the DELETE only
  // marks it; dev waits while the PushSecrets deleted above finish, not for one that stays.
  for (const { kind, namespace, name } of drop.stores) {
    await kube.deleteCustomObject({ apiVersion: API_VERSION, plural: kind === 'SecretStore' ? 'secretstores' : 'clustersecretstores', kind, namespace, name });
  }
  const deleting = new Set(pushDeleted.keys());
  await waitUntil(() => storesSettled(manager, drop.stores, deleting), d.waitMs ?? 30_000);
  for (const s of drop.stores) {
    const live = liveStore(manager, s);
    if (!live) print.line(storeDeletedLine(s));
    else {
      print.line(storePendingLine(live, manager?.pushSecrets.list() ?? [], deleting));
      pending.stores.set(keyOf(s), s);
    }
  }
  // A store still there may still be read through (a PushSecret's cleanup): its credential stays.
  const readByPending = credentialsOf(pending.stores);
  for (const key of drop.credentialSecrets) {
    if (readByPending.has(key)) pending.credentialSecrets.add(key);
    else await deleteCredentialSecret(kube, print, key);
  }
  return pushDeleted;
}
