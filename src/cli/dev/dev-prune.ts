// `projector dev --cluster` and what a reload deletes: the objects the previous apply put into the
// cluster that the repository no longer has. Only what this dev session applied is deleted, and
// nothing when dev stops. The order lets the in-process operator finish with each object while
// what it needs is still there: ExternalSecrets first (their finalizer runs; dev waits until they
// are gone, so none is reconciled against a store or generator that just went and flipped to
// failing), then ClusterPushSecrets and PushSecrets (their finalizers delete what they pushed,
// through the stores, which a PushSecret with deletionPolicy Delete holds by the stores' own
// finalizer, core/store-finalizer.ts), the PushSecrets' source Secrets, the generators, the stores,
// and last dev's credential Secrets that no remaining store reads.
import type { ClusterPushSecret, ExternalSecret, GenericStore, GeneratorObject, PushSecret } from '../../api/index.ts';
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
  stores: AppliedRef[];
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
function credentialsOf(stores: Map<string, AppliedStore>): Set<ObjectKey> {
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
      stores: gone(previous.stores, now.stores).map(({ kind, namespace, name }) => ({ kind, namespace, name })),
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
  manager: Pick<Manager, 'externalSecrets' | 'pushSecrets' | 'clusterPushSecrets'> | undefined;
  print: Printer;
  /** How long to wait for the operator to finish the deleted ExternalSecrets (their finalizer); default 30 s. */
  waitMs?: number;
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
 * (dev-push.ts pushDeletedLine, printed with the state block).
 */
export async function deleteDropped(drop: Dropped, d: PruneDeps): Promise<Map<ObjectKey, PushSecret | undefined>> {
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
  for (const s of drop.stores) {
    await kube.deleteCustomObject({ apiVersion: API_VERSION, plural: s.kind === 'SecretStore' ? 'secretstores' : 'clustersecretstores', ...s });
    print.line(`- ${objectLabel(s.kind, s.namespace, s.name)} deleted (not in the repository)`);
  }
  for (const key of drop.credentialSecrets) {
    const [ns, name] = key.split('/') as [string, string];
    await kube.deleteSecret(ns, name);
    print.line(`- Secret ${key} deleted (dev's credential Secret for the local vault; no store of the repository reads it now)`);
  }
  return pushDeleted;
}
