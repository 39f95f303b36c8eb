// `projector dev --cluster`: the same local vault and manifests, reconciled into a real cluster by
// the operator's own Manager running in this process. The stores are applied pointing at the local
// vault with controller class "projector-dev", so an operator already running in the cluster leaves
// them alone, and this process serves only them: unlike an ESO controller class it leaves stores that
// name no class to the cluster's operator (exclusiveControllerClass, core/controller-class.ts).
import { describeKubeConfig, resolveKubeConfig } from '../kubeconfig.ts';
import type { ClusterPushSecret, ExternalSecret, GeneratorObject, GenericStore, PushSecret } from '../../api/index.ts';
import { PUSH_SECRET_VERSION } from '../../api/pushsecret.ts';
import { CLUSTER_PUSH_SECRET_VERSION } from '../../api/clusterpushsecret.ts';
import { GROUP } from '../../api/constants.ts';
import { GENERATOR_API_VERSION, GENERATOR_PLURALS, type ImplementedGeneratorKind } from '../../api/generators.ts';
import { API_VERSION } from '../../api/constants.ts';
import { ProjectorError } from '../../core/errors.ts';
import { syncVersionOf, targetNameOf } from '../../core/external-secret.ts';
import { objectKey, type ObjectKey, type ObjectMeta } from '../../api/meta.ts';
import { lazyTemplateEngine } from '../../controller/template-engine.ts';
import { Manager } from '../../controller/manager.ts';
import { ReadyMessage } from '../../controller/externalsecret/status.ts';
import { KubeClient } from '../../kube/client.ts';
import { systemClock, systemTemplateClock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/logger.ts';
import { defaultRegistry } from '../default-registry.ts';
import { customResourceDefinitions } from '../../api/crds.ts';
import { devCredentialSecrets, pointStoreAtLocalVault } from './local-stores.ts';
import { readyConditionOf, startLocalVault, stateLines, type DevOptions, type LocalVault, type Printer } from './dev-session.ts';
import type { RepoObjects, RepoSecret } from '../repo-objects.ts';
import { appliedSetOf, deleteDropped, droppedSince, emptyAppliedSet, emptyPending, finishDeletions, pendingStoresSettled } from './dev-prune.ts';
import { applyNamespaces, deleteUnusedNamespaces, emptyNamespaceBook, namespacesInUse, namespacesOf } from './dev-namespaces.ts';
import { ownedByRepo, PUSH_CRDS, pushDeletedLine, pushSettled, pushSourceSecrets, pushStateLines, pushStateOf, type PushStateEntry } from './dev-push.ts';

export const DEV_CONTROLLER_CLASS = 'projector-dev';
const FIELD_MANAGER = 'projector-dev';

async function ensureCrds(kube: KubeClient, install: boolean, print: Printer): Promise<void> {
  if (await kube.servesGroupVersion('external-secrets.io/v1')) return;
  if (!install) throw new ProjectorError('InvalidSpec', 'the cluster does not serve external-secrets.io/v1; install the CRDs (kubectl apply -k deploy/) or pass --install-crds');
  // Every CRD the operator serves (the same list scripts/gen-crds.ts writes to deploy/crds).
  for (const crd of customResourceDefinitions()) await kube.applyObject(crd as never, 'customresourcedefinitions', FIELD_MANAGER);
  print.line('installed the external-secrets.io CRDs');
  for (let i = 0; i < 50 && !(await kube.servesGroupVersion('external-secrets.io/v1')); i++) await new Promise((r) => setTimeout(r, 200));
}

/** The push kinds of a repository as dev applies them (push.ts chooses the source Secrets). */
interface PushObjects {
  pushSecrets: PushSecret[];
  clusterPushSecrets: ClusterPushSecret[];
  secrets: RepoSecret[];
}

/** What an apply produced: ExternalSecret and PushSecret generations, and the push objects not applied ("Kind/ns/name"). */
interface Applied {
  generations: Map<ObjectKey, number>;
  pushGenerations: Map<string, { kind: 'PushSecret' | 'ClusterPushSecret'; generation: number }>;
  notApplied: string[];
}

/**
 * Applies the repository into namespaces that exist (dev-namespaces.ts applyNamespaces); returns
 * the generation the API server gave each ExternalSecret and PushSecret.
 */
async function applyRepo(kube: KubeClient, externalSecrets: ExternalSecret[], stores: GenericStore[], credentials: Map<string, Record<string, string>>, refresh: string, generators: GeneratorObject[] = [], push: PushObjects = { pushSecrets: [], clusterPushSecrets: [], secrets: [] }, print?: Printer): Promise<Applied> {
  for (const [key, data] of credentials) {
    const [namespace, name] = key.split('/') as [string, string];
    await kube.applyObject({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'projector-dev' } }, stringData: data } as never, 'secrets', FIELD_MANAGER);
  }
  const clean = (m: ObjectMeta) => ({ name: m.name, namespace: m.namespace, labels: m.labels, annotations: m.annotations });
  for (const s of stores) {
    await kube.applyObject({ apiVersion: API_VERSION, kind: s.kind, metadata: clean(s.metadata) as never, spec: { ...s.spec, controller: DEV_CONTROLLER_CLASS } } as never, s.kind === 'SecretStore' ? 'secretstores' : 'clustersecretstores', FIELD_MANAGER);
  }
  // The repository's generators, which its ExternalSecrets' generatorRefs read (the operator GETs them at each sync).
  if (generators.length > 0) {
    // CRDs installed a moment ago: the generators group may be served a little after external-secrets.io.
    for (let i = 0; i < 50 && !(await kube.servesGroupVersion(GENERATOR_API_VERSION)); i++) await new Promise((r) => setTimeout(r, 200));
  }
  for (const g of generators) {
    await kube.applyObject({ apiVersion: GENERATOR_API_VERSION, kind: g.kind, metadata: clean(g.metadata) as never, spec: g.spec } as never, GENERATOR_PLURALS[g.kind as ImplementedGeneratorKind], FIELD_MANAGER);
  }
  const generations = new Map<ObjectKey, number>();
  for (const es of externalSecrets) {
    const applied = await kube.applyObject({ apiVersion: API_VERSION, kind: 'ExternalSecret', metadata: clean(es.metadata) as never, spec: { ...es.spec, refreshInterval: refresh } } as never, 'externalsecrets', FIELD_MANAGER);
    generations.set(objectKey(es.metadata.namespace, es.metadata.name), applied.generation ?? 0);
  }
  const pushGenerations: Applied['pushGenerations'] = new Map();
  const notApplied: string[] = [];
  // The Secrets the PushSecrets read, as the repository declares them (values never printed: a
  // refusal names the Secret and the API server's reason code only).
  for (const sec of push.secrets) {
    try {
      await kube.applyObject({ apiVersion: 'v1', kind: 'Secret', metadata: sec.metadata, ...(sec.type && { type: sec.type }), ...(sec.data && { data: sec.data }), ...(sec.stringData && { stringData: sec.stringData }) } as never, 'secrets', FIELD_MANAGER);
    } catch (e) {
      if (!(e instanceof ProjectorError)) throw e;
      print?.line(`✗ Secret ${sec.metadata.namespace}/${sec.metadata.name} not applied: the API server refused it (${e.code}${e.details.httpStatus ? ` ${e.details.httpStatus}` : ''})`);
    }
  }
  // PushSecrets and ClusterPushSecrets as written (their own refreshInterval: dev's --refresh is for
  // reading the vault); the in-process operator pushes them to the stores above.
  const applyPush = async (kind: 'PushSecret' | 'ClusterPushSecret', obj: PushSecret | ClusterPushSecret, plural: string, version: string) => {
    const id = `${kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    try {
      const applied = await kube.applyObject({ apiVersion: `${GROUP}/${version}`, kind, metadata: clean(obj.metadata) as never, spec: obj.spec } as never, plural, FIELD_MANAGER);
      pushGenerations.set(id, { kind, generation: applied.generation ?? 0 });
    } catch (e) {
      if (!(e instanceof ProjectorError)) throw e;
      print?.line(`✗ ${kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata.name} not applied: ${e.message}`);
      notApplied.push(id);
    }
  };
  for (const ps of push.pushSecrets) await applyPush('PushSecret', ps, 'pushsecrets', PUSH_SECRET_VERSION);
  for (const cps of push.clusterPushSecrets) await applyPush('ClusterPushSecret', cps, 'clusterpushsecrets', CLUSTER_PUSH_SECRET_VERSION);
  return { generations, pushGenerations, notApplied };
}

/**
 * The push kinds are optional CRDs (a cluster with only the external-secrets.io/v1 ones installed
 * serves ExternalSecrets without them): with --install-crds the missing push CRDs are installed;
 * without, the objects of a kind the cluster does not serve are left out, said once per apply and
 * counted as failing. Returns the push objects to apply and the ids left out ("Kind/ns/name").
 */
async function servablePush(kube: KubeClient, repo: RepoObjects, install: boolean, print: Printer): Promise<{ push: PushObjects; notServed: string[] }> {
  const pushSecrets = repo.pushSecrets ?? [];
  const clusterPushSecrets = repo.clusterPushSecrets ?? [];
  if (pushSecrets.length === 0 && clusterPushSecrets.length === 0) return { push: { pushSecrets, clusterPushSecrets, secrets: [] }, notServed: [] };
  const gv = `${GROUP}/${PUSH_SECRET_VERSION}`;
  let served = await kube.servedResources(gv);
  // A ClusterPushSecret needs the PushSecret CRD as well: it creates PushSecrets.
  const wanted = ['pushsecrets' as const, ...(clusterPushSecrets.length ? ['clusterpushsecrets' as const] : [])];
  const missing = wanted.filter((p) => !served.includes(p));
  if (missing.length > 0 && install) {
    for (const plural of missing) {
      const crd = customResourceDefinitions().find((c) => (c as { metadata: { name: string } }).metadata.name === PUSH_CRDS[plural]);
      if (crd) await kube.applyObject(crd as never, 'customresourcedefinitions', FIELD_MANAGER);
    }
    print.line(`installed the ${missing.map((p) => PUSH_CRDS[p]).join(' and ')} CRD(s)`);
    for (let i = 0; i < 50 && missing.some((p) => !served.includes(p)); i++) {
      await new Promise((r) => setTimeout(r, 200));
      served = await kube.servedResources(gv);
    }
  }
  const notServed: string[] = [];
  const keep = <T extends PushSecret | ClusterPushSecret>(kind: string, plural: keyof typeof PUSH_CRDS, objs: T[]): T[] => {
    if (objs.length === 0 || served.includes(plural)) return objs;
    print.line(`✗ the cluster does not serve ${kind}s (CRD ${PUSH_CRDS[plural]} not installed): ${objs.length} ${kind}(s) not applied; install the CRDs (kubectl apply -k deploy/) or pass --install-crds`);
    notServed.push(...objs.map((o) => `${kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`));
    return [];
  };
  const cps = served.includes('pushsecrets') ? keep('ClusterPushSecret', 'clusterpushsecrets', clusterPushSecrets) : keep('ClusterPushSecret', 'pushsecrets', clusterPushSecrets);
  const ps = keep('PushSecret', 'pushsecrets', pushSecrets);
  return { push: { pushSecrets: ps, clusterPushSecrets: cps, secrets: pushSourceSecrets({ secrets: repo.secrets ?? [], pushSecrets: ps, clusterPushSecrets: cps }) }, notServed };
}

/** A repository applied by a reload: what `printState` waits for and compares against. */
export interface AppliedRepo {
  repo: RepoObjects;
  /** ExternalSecret → the generation the apply produced. */
  generations: Map<ObjectKey, number>;
  /** ExternalSecret → its target Secret's data hash before the apply (undefined: no Secret yet). */
  hashesBefore: Map<ObjectKey, string | undefined>;
  /** "Kind/ns/name" of each applied PushSecret and ClusterPushSecret → its kind and generation. */
  pushGenerations: Map<string, { kind: 'PushSecret' | 'ClusterPushSecret'; generation: number }>;
  /** "Kind/ns/name" of push objects not applied (refused by the load, the API server, or a missing CRD). */
  pushNotApplied: string[];
  /** PushSecrets the reload deleted ("ns/name" → the object as last seen), for their deletion line. */
  pushDeleted: Map<ObjectKey, PushSecret | undefined>;
}

function targetHash(manager: Manager, es: ExternalSecret): string | undefined {
  return manager.managedSecrets.get(objectKey(es.metadata.namespace, targetNameOf(es)))?.observedDataHash;
}

/** The cached object of a push id ("Kind/ns/name"). */
function pushObject(manager: Pick<Manager, 'pushSecrets' | 'clusterPushSecrets'>, id: string): PushSecret | ClusterPushSecret | undefined {
  const [kind, ns, name] = id.split('/') as [string, string, string];
  return kind === 'ClusterPushSecret' ? manager.clusterPushSecrets.get(objectKey(undefined, name)) : manager.pushSecrets.get(objectKey(ns, name));
}

/** The PushSecrets dev shows: the repository's, and those its ClusterPushSecrets created. */
function shownPushSecrets(manager: Pick<Manager, 'pushSecrets'>, repo: Pick<RepoObjects, 'pushSecrets' | 'clusterPushSecrets'>): PushSecret[] {
  const own = new Set((repo.pushSecrets ?? []).map((ps) => objectKey(ps.metadata.namespace, ps.metadata.name)));
  return manager.pushSecrets.list().filter((ps) => own.has(objectKey(ps.metadata.namespace, ps.metadata.name)) || ownedByRepo(ps, repo.clusterPushSecrets ?? []));
}

/** Polls (100 ms apart) with nothing queued or running that settle a reload. */
const QUIET_POLLS = 3;
/**
 * Polls with everything applied reconciled that settle a reload even while the queue is never
 * quiet: with a short --refresh (1s) under load, a refresh is queued or running at almost every
 * poll, and waiting for three quiet polls in a row ran into the 30 s limit (a state block printed
 * 30 s late). Two seconds is ample for the watch events the apply caused (the target Secret's,
 * which `updated` reads) to arrive.
 */
const RECONCILED_POLLS = 20;

/**
 * Waits until the in-process operator has reconciled what a reload applied: each ExternalSecret's
 * cached copy has the applied generation and a Ready condition for it (Ready=True with the
 * syncedResourceVersion of that generation, or Ready=False), each PushSecret and ClusterPushSecret
 * likewise (dev-push.ts pushSettled; the PushSecrets a ClusterPushSecret created too), each deleted
 * PushSecret gone (its finalizer run), `alsoDone` true (dev's pending store deletions: gone or held
 * by a PushSecret that stays, dev-prune.ts pendingStoresSettled), and then the ExternalSecret queue has been empty with no
 * reconcile running for QUIET_POLLS polls in a row, or all that has held for RECONCILED_POLLS polls
 * in a row (100 ms apart). Gives up after `timeoutMs` and reports as is.
 */
export async function settle(manager: Pick<Manager, 'externalSecrets' | 'pushSecrets' | 'clusterPushSecrets' | 'counters'>, applied: Pick<AppliedRepo, 'generations' | 'pushGenerations' | 'pushDeleted' | 'repo'>, timeoutMs: number, alsoDone: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const counters = manager.counters.externalSecrets;
  let quiet = 0;
  let done = 0;
  while (Date.now() < deadline && quiet < QUIET_POLLS && done < RECONCILED_POLLS) {
    await new Promise((r) => setTimeout(r, 100));
    const reconciled = [...applied.generations].every(([key, generation]) => {
      const es = manager.externalSecrets.get(key);
      if (!es || (es.metadata.generation ?? 0) < generation) return false;
      const ready = readyConditionOf(es);
      return ready !== undefined && (ready.status !== 'True' || es.status?.syncedResourceVersion === syncVersionOf(es));
    });
    const pushed =
      [...applied.pushGenerations].every(([id, { kind, generation }]) => pushSettled(kind, pushObject(manager, id), generation)) &&
      shownPushSecrets(manager, applied.repo).every((ps) => pushSettled('PushSecret', ps, ps.metadata.generation ?? 0)) &&
      [...applied.pushDeleted.keys()].every((key) => !manager.pushSecrets.get(key)) &&
      alsoDone();
    done = reconciled && pushed ? done + 1 : 0;
    quiet = done > 0 && counters.inFlight === 0 && counters.queueDepth() === 0 ? quiet + 1 : 0;
  }
}

/** Prints each ExternalSecret's, PushSecret's and ClusterPushSecret's Ready transitions as the in-process operator reports them. */
function reportTransitions(manager: Manager, print: Printer, current: () => RepoObjects): () => void {
  const last = new Map<string, string>();
  const show = (id: string, line: string) => {
    if (last.get(id) !== line) print.line(line);
    last.set(id, line);
  };
  const timer = setInterval(() => {
    const present = new Set<string>();
    for (const es of manager.externalSecrets.list()) {
      const id = `${es.metadata.namespace}/${es.metadata.name}`;
      present.add(id);
      const c = es.status?.conditions?.find((x) => x.type === 'Ready');
      if (!c) continue;
      // Ready=True also reports a Secret deleted or retained by policy (ESO's conditions): say which.
      const done = c.message === ReadyMessage.Synced ? `✓ ${id} → Secret ${es.metadata.namespace}/${targetNameOf(es)} (synced ${es.status?.refreshTime})` : `✓ ${id}: ${c.message}`;
      show(id, c.status === 'True' ? done : `✗ ${id}: ${c.message}`);
    }
    // The repository's push objects (and the PushSecrets its ClusterPushSecrets created), once reconciled.
    const repo = current();
    const pushes: PushStateEntry[] = [
      ...shownPushSecrets(manager, repo).map((ps) => ({ kind: 'PushSecret' as const, id: `${ps.metadata.namespace}/${ps.metadata.name}`, obj: ps })),
      ...(repo.clusterPushSecrets ?? []).map((c) => ({ kind: 'ClusterPushSecret' as const, id: c.metadata.name, obj: manager.clusterPushSecrets.get(objectKey(undefined, c.metadata.name)) })),
    ];
    for (const p of pushes) {
      present.add(`${p.kind}/${p.id}`);
      if (!p.obj?.status?.conditions?.some((c) => c.type === 'Ready')) continue;
      const s = pushStateOf(p.kind, p.id, p.obj);
      show(`${p.kind}/${p.id}`, `${s.ok ? '✓' : '✗'} ${s.text}`);
    }
    // A deleted object (dev-prune.ts) forgets its last line: one applied again under its name
    // reports its first sync instead of being taken for a repeat of the old line.
    for (const id of last.keys()) if (!present.has(id)) last.delete(id);
  }, 250);
  return () => clearInterval(timer);
}

export interface DevCluster {
  manager: Manager;
  kube: KubeClient;
  local: LocalVault;
  /** Settles when the in-process operator stops. */
  done: Promise<void>;
  /** What the first apply applied (for `--once` and `--demo`). */
  initial: AppliedRepo;
  /**
   * Applies an edited repository (manifest watch), creating the namespaces it needs
   * (dev-namespaces.ts); deletes what this session applied that it no longer has (dev-prune.ts).
   */
  reapply(repo: RepoObjects): Promise<AppliedRepo>;
  /**
   * After a reload, once its reconciles have run: one line per ExternalSecret of the applied
   * repository (✓ updated / unchanged, ✗ failing and why), as `dev` without --cluster prints
   * (dev-session.ts stateLines): the transitions alone say nothing about an edit that changed
   * nothing. Then the push kinds' state (dev-push.ts pushStateLines) and the deleted PushSecrets;
   * then the stores deleted earlier that are gone now (dev-prune.ts finishDeletions), and the
   * namespaces this session created that nothing of the repository is in now, deleted
   * (dev-namespaces.ts deleteUnusedNamespaces: waits up to 30 s for each to go).
   */
  printState(applied: AppliedRepo, timeoutMs?: number): Promise<void>;
  /** Waits (up to `timeoutMs`) for an apply's reconciles; returns its push objects' state. */
  pushState(applied: AppliedRepo, timeoutMs?: number): Promise<{ entries: PushStateEntry[]; notApplied: string[] }>;
}

export async function runDevCluster(o: DevOptions & { kubeconfig?: string; installCrds: boolean; log: Logger }, signal: AbortSignal, print: Printer): Promise<DevCluster> {
  const resolved = resolveKubeConfig(o.kubeconfig);
  const kc = resolved.kubeConfig;
  const kube = new KubeClient(kc);
  print.line(`cluster: ${describeKubeConfig(resolved)}`);
  await ensureCrds(kube, o.installCrds, print);
  const local = await startLocalVault(o, print, { cluster: true });
  // What this session applied, so a reload deletes what the repository dropped (dev-prune.ts); what
  // it deleted that is not gone yet; the namespaces it created (dev-namespaces.ts).
  let appliedSet = emptyAppliedSet();
  const pending = emptyPending();
  const namespaces = emptyNamespaceBook();
  let current = local.repo;
  const apply = async (repo: RepoObjects): Promise<AppliedRepo> => {
    const stores = repo.stores.map((s) => pointStoreAtLocalVault(s, local.vault));
    const hashesBefore = new Map(repo.externalSecrets.map((es) => [objectKey(es.metadata.namespace, es.metadata.name), manager ? targetHash(manager, es) : undefined] as const));
    const { push, notServed } = await servablePush(kube, repo, o.installCrds, print);
    const next = appliedSetOf({ externalSecrets: repo.externalSecrets, stores, generators: repo.generators, ...push });
    await applyNamespaces(kube, namespacesOf(next), namespaces, print, FIELD_MANAGER);
    const result = await applyRepo(kube, repo.externalSecrets, stores, devCredentialSecrets(stores, local.principal), o.refresh, repo.generators, push, print);
    current = repo;
    const { drop, now } = droppedSince(appliedSet, next, repo.refused ?? []);
    const pushDeleted = await deleteDropped(drop, { kube, manager, print }, pending);
    // Only once deleted: a reload that failed half-way deletes the rest the next time.
    appliedSet = now;
    const refused = (repo.refused ?? []).filter((k) => k.startsWith('PushSecret/') || k.startsWith('ClusterPushSecret/'));
    return { repo, generations: result.generations, hashesBefore, pushGenerations: result.pushGenerations, pushNotApplied: [...refused, ...notServed, ...result.notApplied], pushDeleted };
  };
  let manager: Manager | undefined;
  const initial = await apply(local.repo);
  manager = new Manager({
    kubeConfig: kc,
    registry: defaultRegistry(systemClock),
    log: o.log,
    clock: systemClock,
    concurrency: 4,
    controllerClass: DEV_CONTROLLER_CLASS,
    exclusiveControllerClass: true,
    // ClusterExternalSecrets stamp ExternalSecrets into the user's cluster: the cluster's operator's job.
    clusterExternalSecrets: false,
    // No flood gate, as `dev` on files (which has no store status at all): dev applies its stores
    // with the ExternalSecrets, so the gate would fail every first sync until the store's first check
    // (a spurious ✗ line), and a broken store would show as StoreNotReady instead of its cause. The
    // gate protects an identity provider from many ExternalSecrets; dev reads its own local vault.
    floodGate: false,
    templates: lazyTemplateEngine(systemTemplateClock),
    // As the operator's flag (default false): generic targets are written with the user's credentials only when asked for.
    allowGenericTargets: o.allowGenericTargets ?? false,
  });
  const m = manager;
  const stopReporting = reportTransitions(m, print, () => current);
  const done = m.run(signal).finally(async () => {
    stopReporting();
    await local.vault.close();
  });
  const pushState = async (applied: AppliedRepo, timeoutMs = 30_000) => {
    await settle(m, applied, timeoutMs, () => pendingStoresSettled(m, pending, applied.pushDeleted.keys()));
    const entries: PushStateEntry[] = [
      ...shownPushSecrets(m, applied.repo).map((ps) => ({ kind: 'PushSecret' as const, id: `${ps.metadata.namespace}/${ps.metadata.name}`, obj: ps })),
      // A repository PushSecret not in the cache yet still has a line (not reconciled yet).
      ...(applied.repo.pushSecrets ?? [])
        .filter((ps) => applied.pushGenerations.has(`PushSecret/${ps.metadata.namespace}/${ps.metadata.name}`) && !m.pushSecrets.get(objectKey(ps.metadata.namespace, ps.metadata.name)))
        .map((ps) => ({ kind: 'PushSecret' as const, id: `${ps.metadata.namespace}/${ps.metadata.name}`, obj: undefined })),
      ...(applied.repo.clusterPushSecrets ?? [])
        .filter((c) => applied.pushGenerations.has(`ClusterPushSecret//${c.metadata.name}`))
        .map((c) => ({ kind: 'ClusterPushSecret' as const, id: c.metadata.name, obj: m.clusterPushSecrets.get(objectKey(undefined, c.metadata.name)) })),
    ];
    return { entries, notApplied: applied.pushNotApplied };
  };
  return {
    manager: m,
    kube,
    local,
    done,
    initial,
    reapply: apply,
    pushState,
    printState: async (applied, timeoutMs = 30_000) => {
      const push = await pushState(applied, timeoutMs);
      const entries = applied.repo.externalSecrets.map((wanted) => {
        const key = objectKey(wanted.metadata.namespace, wanted.metadata.name);
        const es = m.externalSecrets.get(key);
        const ready = es && readyConditionOf(es);
        return { id: `${wanted.metadata.namespace}/${wanted.metadata.name}`, ready, updated: es !== undefined && targetHash(m, es) !== applied.hashesBefore.get(key) };
      });
      const refused = (applied.repo.refused ?? []).filter((k) => k.startsWith('ExternalSecret/'));
      for (const line of stateLines(entries, refused)) print.line(line);
      for (const line of pushStateLines(push.entries, push.notApplied)) print.line(line);
      for (const [key, last] of applied.pushDeleted) {
        const still = m.pushSecrets.get(key);
        // Its finalizer has not run to the end (a store error, say): the condition says why.
        if (still) print.line(`✗ PushSecret ${key} deletion pending: ${readyConditionOf(still as never)?.message ?? 'its finalizer has not run yet'}`);
        else print.line(pushDeletedLine(key, last));
      }
      // Then what earlier deletions left: stores now gone (and the credential Secret they read),
      // and the namespaces this session created that nothing of the repository is in now.
      await finishDeletions(pending, appliedSet, { kube, manager: m, print });
      await deleteUnusedNamespaces(namespaces, namespacesInUse(appliedSet, applied.repo.namespaces ?? [], pending), { kube, manager: m, print });
    },
  };
}
