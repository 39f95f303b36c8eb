// Composition root of the operator: reflectors → object stores (with indexes) → queues → reconcilers.
// Watch handlers only map events to keys; reconcilers read the stores.
import type { KubeConfig } from '@kubernetes/client-node';
import type { ClusterExternalSecret, ExternalSecret, GenericStore, LabelSelector, ObjectKey } from '../api/index.ts';
import { GROUP, LABEL_MANAGED } from '../api/constants.ts';
import { objectKey } from '../api/object-key.ts';
import type { ObjectMeta } from '../api/meta.ts';
import { CREATED_BY_INDEX, createdByIndexValuesOf, storeKeyOf, storeRefsOf, targetKeyOf } from '../core/external-secret.ts';
import { liveTargetMetaOf } from '../core/secret-data.ts';
import type { LiveTargetMeta } from '../core/refresh.ts';
import type { TemplateEngine } from '../core/template-use.ts';
import { KubeClient } from '../kube/client.ts';
import { ProjectorError } from '../core/errors.ts';
import { KubeLeaseLock, LeaderElector, type LeaderElectionTimings, type LeaseLock } from '../kube/lease.ts';
import { ObjectStore } from '../kube/object-store.ts';
import { kubeProviderHost } from '../kube/provider-host.ts';
import { Reflector, type ReflectorOptions } from '../kube/reflector.ts';
import type { Clock } from '../platform/clock.ts';
import { TokenBucket } from '../platform/token-bucket.ts';
import type { Logger } from '../platform/logger.ts';
import type { ProviderRegistry } from '../providers/registry.ts';
import { CREDENTIAL_KINDS, type CredentialKind } from '../providers/provider.ts';
import { ClientCache, UNWATCHED } from '../sync/client-cache.ts';
import { ChangeTimes } from './change-times.ts';
import { EventComponent, EventRecorder } from './events.ts';
import { OperatorMetrics } from './metrics.ts';
import { servesExternalSecret, shouldProcessStore } from '../core/controller-class.ts';
import { ExternalSecretReconciler } from './externalsecret/reconciler.ts';
import { GenericWatches } from './generic-watches.ts';
import { genericTargetIndexValue, genericTargetOf, gvkKey, isGenericTarget } from '../core/generic-target.ts';
import { defaultControllerRateLimiter } from './rate-limiter.ts';
import type { Reconciler } from './reconciler.ts';
import { runWorkers, WorkerCounters, type WorkActivity } from './run-workers.ts';
import { SecretStoreReconciler } from './secretstore/reconciler.ts';
import { ClusterExternalSecretReconciler } from './clusterexternalsecret/reconciler.ts';
import { isOwnedByClusterExternalSecret, selectsNamespace, type NamespaceView } from '../core/cluster-external-secret.ts';
import { WorkQueue } from './workqueue.ts';
import { WORKLOAD_KINDS } from '../core/workload-reload.ts';
import { matchesLabelSelector } from '../core/store-access.ts';
import { checkLabelSelector } from '../core/validate.ts';
import { WORKLOAD_PLURALS, WorkloadReloader } from './workload-reload.ts';
import { PushSecretReconciler, type PushGenerator } from './pushsecret/reconciler.ts';
import type { PushSecret } from '../api/pushsecret.ts';
import type { ClusterPushSecret } from '../api/clusterpushsecret.ts';
import { CLUSTER_PUSH_SECRET_VERSION, PUSH_SECRET_VERSION } from '../api/kinds.ts';
import { ClusterPushSecretReconciler } from './clusterpushsecret/reconciler.ts';
import { isOwnedByClusterPushSecret, pushSelectsNamespace } from '../core/cluster-push-secret.ts';
import { pushSecretHoldsStore, storeFinalizersFor, storeHoldKeys, storeHoldLookups, storeHoldRefs } from '../core/store-finalizer.ts';
import { GENERATOR_PLURALS } from '../api/kinds.ts';
import { generatorProviderHost } from '../kube/provider-host.ts';
import { cryptoRandom } from '../platform/random.ts';
import { generateAcrAccessToken, type AcrOptions } from '../providers/azurekv/acr.ts';
import { resolveGeneratorRef, runGeneratorRef, type GeneratorDeps } from '../sync/generate.ts';
import type { GeneratorKube } from '../providers/generators/webhook.ts';

export interface ManagerOptions {
  kubeConfig: KubeConfig;
  registry: ProviderRegistry;
  log: Logger;
  clock: Clock;
  /** Watch one namespace only (namespace labels are then not watched; ClusterSecretStores still are). */
  namespace?: string;
  concurrency: number;
  controllerClass: string;
  /** Serve only stores naming `controllerClass`, not those naming none (`projector dev --cluster`). */
  exclusiveControllerClass?: boolean;
  readWindowMs?: number;
  /**
   * Go templates (target.template, rewrite transforms, PushSecret templates): loaded by the first
   * reconcile that needs them (controller/template-engine.ts lazyTemplateEngine).
   */
  templates?: TemplateEngine;
  /** Tests pass identity to make refresh times exact. */
  jitter?: (ms: number) => number;
  /** Every object is enqueued again this often (informer resync). Default 10 minutes. */
  resyncMs?: number;
  /** API-server request rate for reconcile writes (client-go's QPS/burst); Infinity: not limited. */
  clientQps?: number;
  clientBurst?: number;
  /** Reconcile only while holding this Lease (reflectors run regardless, so a successor starts warm). */
  leaderElection?: ManagerLeaderElection;
  /** The process's metrics (one per operator process); default: a fresh registry of its own. */
  metrics?: OperatorMetrics;
  /**
   * Told when reconciles begin and end, and when the caches first synced, so memory can be given
   * back when the operator goes quiet (platform/memory-reducer.ts; `projector operator` passes one).
   */
  activity?: WorkActivity & { poke(): void };
  /** Stores without spec.refreshInterval are validated again this often (ESO --store-requeue-interval, default 5 min). */
  storeRequeueMs?: number;
  /** Serve ClusterExternalSecrets (ESO --enable-cluster-external-secret-reconciler, default true); only when watching all namespaces. */
  clusterExternalSecrets?: boolean;
  /**
   * Projector extension (--enable-workload-reload): watch Deployments, StatefulSets and DaemonSets and
   * roll those that opt in with Reloader's annotations when a managed Secret they consume changes
   * (controller/workload-reload.ts). Needs list/watch/patch on them (deploy/components/workload-reload).
   */
  workloadReload?: boolean;
  /** Serve PushSecrets (ESO --enable-push-secret-reconciler, default true). */
  pushSecrets?: boolean;
  /**
   * ESO --enable-flood-gate (default true): an ExternalSecret reads through a store only while the
   * store's Ready condition is True (core/store-readiness.ts); PushSecrets are not gated, as in ESO.
   */
  floodGate?: boolean;
  /**
   * Serve ClusterSecretStores (ESO `--enable-cluster-store-reconciler`, default true): watch them,
   * with `namespace` too; when false, ExternalSecrets naming one are left alone.
   */
  clusterStores?: boolean;
  /** Serve ClusterPushSecrets (ESO --enable-cluster-push-secret-reconciler, default true); only when watching all namespaces. */
  clusterPushSecrets?: boolean;
  /** Generators for PushSecret selector.generatorRef, when this build has them. */
  pushGenerator?: PushGenerator;
  /** ACRAccessToken generators: tests point the Entra ID authority and trust at the local vault. */
  acr?: AcrOptions;
  /**
   * ESO `--unsafe-allow-generic-targets` (default false): write spec.target.manifest targets other
   * than v1 Secret, and watch their kinds (controller/generic-watches.ts).
   */
  allowGenericTargets?: boolean;
}

// --- leader election (docs/design/002-leader-election.md) ---
export interface ManagerLeaderElection extends LeaderElectionTimings {
  namespace: string;
  /** Lease name, default projector-controller. */
  name: string;
  /** Unique per process: hostname + random suffix. */
  identity: string;
  /** Renewal failed past the deadline and the workers were told to stop; the CLI exits the process here. */
  onLostLeadership(): void;
  /** Tests wrap the Lease lock (e.g. to cut a "killed" instance off); default: the Lease on the API server. */
  lock?: LeaseLock;
}
// --- end leader election ---

type NamespaceObject = { metadata: ObjectMeta };

function namespaceView(ns: NamespaceObject): NamespaceView {
  return { name: ns.metadata.name!, labels: ns.metadata.labels ?? {}, finalizers: ns.metadata.finalizers ?? [], terminating: !!ns.metadata.deletionTimestamp, resourceVersion: ns.metadata.resourceVersion };
}

/** The ClusterExternalSecret controlling an ExternalSecret, if any (ESO's Owns watch maps to it). */
function cesOwnerOf(es: ExternalSecret): string | undefined {
  const owner = es.metadata.ownerReferences?.find((o) => o.controller && o.kind === 'ClusterExternalSecret');
  return owner && isOwnedByClusterExternalSecret(es, owner.name) ? owner.name : undefined;
}

function nsPath(namespace: string | undefined, plural: string, version = 'v1', group = GROUP): string {
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  return namespace ? `${base}/namespaces/${namespace}/${plural}` : `${base}/${plural}`;
}

function metaChanged(a: ObjectMeta | undefined, b: ObjectMeta): boolean {
  return !a || a.generation !== b.generation || JSON.stringify(a.labels ?? {}) !== JSON.stringify(b.labels ?? {}) || JSON.stringify(a.annotations ?? {}) !== JSON.stringify(b.annotations ?? {}) || a.deletionTimestamp !== b.deletionTimestamp;
}

function readyOf(s: GenericStore | undefined): string | undefined {
  return s?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
}

/** The PushSecret queue, its source-change marks and its controller metrics. */
interface PushWiring {
  queue: WorkQueue<ObjectKey>;
  changes: ChangeTimes;
  metrics: ReturnType<OperatorMetrics['controller']>;
}

/** The log field naming a changed credential object, by kind (`secret` as before ConfigMaps and ServiceAccounts were watched). */
const LOG_FIELD: Record<CredentialKind, string> = { Secret: 'secret', ConfigMap: 'configMap', ServiceAccount: 'serviceAccount' };

export class Manager {
  readonly counters = { externalSecrets: new WorkerCounters(), secretStores: new WorkerCounters(), clusterSecretStores: new WorkerCounters(), clusterExternalSecrets: new WorkerCounters() };
  readonly clusterExternalSecrets = new ObjectStore<ClusterExternalSecret>();
  readonly externalSecrets = new ObjectStore<ExternalSecret>();
  readonly secretStores = new ObjectStore<GenericStore>();
  readonly clusterSecretStores = new ObjectStore<GenericStore>();
  readonly namespaces = new ObjectStore<NamespaceObject>();
  readonly managedSecrets = new ObjectStore<LiveTargetMeta>();
  readonly pushSecrets = new ObjectStore<PushSecret>();
  readonly clusterPushSecrets = new ObjectStore<ClusterPushSecret>();
  /** Every Secret's name and resourceVersion (metadata-only watch): which store credentials changed. */
  readonly credentialSecrets = new ObjectStore<NamespaceObject>();
  /**
   * Every ConfigMap's and ServiceAccount's name and resourceVersion (metadata-only watches): which
   * caProvider bundles and workload identities that clients were built from changed. ESO reads them
   * at every reconcile (ConfigMaps live, ServiceAccounts from its informer).
   */
  readonly credentialConfigMaps = new ObjectStore<NamespaceObject>();
  readonly credentialServiceAccounts = new ObjectStore<NamespaceObject>();
  readonly clients: ClientCache;
  readonly metrics: OperatorMetrics;
  readonly #credentialObjects: Record<CredentialKind, ObjectStore<NamespaceObject>> = {
    Secret: this.credentialSecrets,
    ConfigMap: this.credentialConfigMaps,
    ServiceAccount: this.credentialServiceAccounts,
  };
  /** The ConfigMap and ServiceAccount watches, which may be forbidden (an older Role): then UNWATCHED. */
  readonly #credentialWatches: Partial<Record<CredentialKind, Reflector<any>>> = {};
  readonly #o: ManagerOptions;
  readonly #kube: KubeClient;
  readonly #reflectors: Reflector<any>[] = [];
  /** When ExternalSecrets (or their stores) changed: forces refreshes and bounds read sharing. */
  readonly #changes = new ChangeTimes();
  readonly #elector: LeaderElector | undefined;

  constructor(o: ManagerOptions) {
    this.#o = o;
    // The Secrets each ExternalSecret created as Owner (ESO's created-by label): orphans to delete
    // when its target name changes (controller/externalsecret/reconciler.ts #deleteOrphans).
    this.managedSecrets.addIndex(CREATED_BY_INDEX, (s) => createdByIndexValuesOf(s.metadata));
    const metrics = (this.metrics = o.metrics ?? new OperatorMetrics({ clock: o.clock }));
    this.#kube = new KubeClient(o.kubeConfig, {
      // Infinity: no limit (ESO's --client-qps below 0, as client-go reads it).
      ...(Number.isFinite(o.clientQps ?? 50) && { limiter: new TokenBucket(o.clock, o.clientQps ?? 50, o.clientBurst ?? 100) }),
      metrics: metrics.rest,
      // With leader election, nothing is written unless the lease was confirmed within the renew
      // deadline: after a pause (SIGSTOP, a frozen VM) the workers' due timers fire before the
      // renewal that would tell them a successor took over.
      writeGuard: () => {
        if (this.#elector && !this.#elector.mayWrite()) {
          throw new ProjectorError('KubeUnavailable', 'not writing: the leader lease has not been confirmed within the renew deadline');
        }
      },
    });
    this.clients = new ClientCache({
      registry: o.registry,
      hostFor: (store, ns, onRead) => ({
        ...kubeProviderHost(this.#kube, store, ns, o.log.child({ component: 'provider-host' }), onRead),
        observeApiCall: (provider, call, failed) => metrics.observeApiCall(provider, call, failed),
      }),
      credentialVersion: (kind, ns, name) =>
        this.#credentialWatches[kind]?.forbidden() ? UNWATCHED : this.#credentialObjects[kind].get(objectKey(ns, name))?.metadata.resourceVersion,
      clock: o.clock,
      log: o.log,
      readWindowMs: o.readWindowMs,
      onReadShared: () => metrics.vault.readShared(),
    });
    const le = o.leaderElection;
    this.#elector = le && new LeaderElector({ ...le, lock: le.lock ?? new KubeLeaseLock(o.kubeConfig, le.namespace, le.name), clock: o.clock, log: o.log.child({ component: 'leader-election' }) });
    // Secret targets only (ESO indexESTargetSecretNameField leaves generic targets out).
    this.externalSecrets.addIndex('target', (es) => (isGenericTarget(es) ? [] : [targetKeyOf(es)]));
    // Generic targets by group/version/kind/name (ESO indexESTargetResourceField), namespace checked on lookup.
    this.externalSecrets.addIndex('generic-target', (es) => {
      const t = genericTargetOf(es);
      return t ? [genericTargetIndexValue(t)] : [];
    });
    this.externalSecrets.addIndex('store', (es) => storeRefsOf(es).map((r) => `${r.kind}:${storeKeyOf(r, es.metadata.namespace)}`));
    this.externalSecrets.addIndex('namespace', (es) => [es.metadata.namespace]);
  }

  /**
   * dataFrom generatorRef: the generator is read by GET at each sync that runs it, as ESO's resolver
   * does (no reflector: generators are read only at refresh time, and an absent generator CRD then
   * fails only the ExternalSecrets naming it instead of keeping the operator from becoming ready).
   */
  #generate(log: Logger): Pick<import('../sync/fetch-provider-data.ts').FetchOptions, 'generate' | 'resolveGenerator'> {
    const deps = this.#generatorDeps(log);
    return {
      generate: (ref, ns, field, signal, judged) => runGeneratorRef(ref, ns, field, deps, signal, undefined, judged),
      resolveGenerator: (ref, ns, field, signal) => resolveGeneratorRef(ref, ns, field, deps, signal),
    };
  }

  /** PushSecret's selector.generatorRef (ESO: resolveSecretFromGenerator): the same generators, its field named in errors. */
  #pushGenerate(log: Logger): PushGenerator {
    const deps = this.#generatorDeps(log);
    return (ns, ref, signal) => runGeneratorRef(ref, ns, 'spec.selector', deps, signal, 'spec.selector.generatorRef');
  }

  #generatorDeps(log: Logger): GeneratorDeps {
    return {
      getGenerator: (kind, ns, name) => this.#kube.getGenerator(GENERATOR_PLURALS[kind], ns, name),
      random: cryptoRandom,
      // ESO's shouldSkipGenerator: a generator naming another controller class skips the ExternalSecret.
      controllerClass: this.#o.controllerClass,
      acr: (spec, ns, signal) => generateAcrAccessToken(spec, generatorProviderHost(this.#kube, ns, log.child({ component: 'generator' })), this.#o.acr ?? {}, signal),
      // MFA's seed, read in the ExternalSecret's namespace as ESO does; its time from the operator's clock.
      readSecretKey: (ns, name, key) => this.#kube.readSecretKey(ns, name, key),
      now: () => this.#o.clock.now().getTime(),
      // Webhook and GithubAccessToken read their Secrets (and the Webhook's CA) in the ExternalSecret's namespace.
      // Loaded on first use: the Webhook generator brings the template engine (controller/template-engine.ts).
      webhook: async (spec, ns, signal) => (await import('../providers/generators/webhook.ts')).generateWebhook(spec, ns, this.#generatorKube(), signal),
      github: async (spec, ns, signal) => (await import('../providers/generators/github.ts')).generateGithubAccessToken(spec, ns, this.#generatorKube(), { now: () => this.#o.clock.now().getTime() }, signal),
    };
  }

  /** What the Webhook and GithubAccessToken generators read, through the operator's client (GET each time, as ESO's client does). */
  #generatorKube(): GeneratorKube {
    const kube = this.#kube;
    return {
      getSecret: async (ns, name) => {
        const s = await kube.getSecret(ns, name);
        return s && { labels: s.metadata.labels ?? {}, data: s.data };
      },
      readSecretKey: (ns, name, key) => kube.readSecretKey(ns, name, key),
      readConfigMapKey: (ns, name, key) => kube.readConfigMapKey(ns, name, key),
      observeApiCall: (provider, call, failed) => this.metrics.observeApiCall(provider, call, failed),
    };
  }

  /** True when this instance runs the workers' writes: always without leader election. */
  isLeader(): boolean {
    return this.#elector ? this.#elector.isLeader() : true;
  }

  hasSynced(): boolean {
    return this.#reflectors.length > 0 && this.#reflectors.every((r) => r.hasSynced());
  }

  /**
   * The resources the API server does not serve right now (404: their CRD is not installed), for
   * /readyz. An optional one does not keep the operator from being ready; a required one does.
   */
  missingResources(): { path: string; crd: string | undefined; optional: boolean }[] {
    return this.#reflectors.filter((r) => r.missing()).map((r) => r.describe());
  }

  async run(signal: AbortSignal): Promise<void> {
    const { log, clock, namespace } = this.#o;
    const clusterWide = !namespace;
    const reflect = (name: string, path: string, store: ObjectStore<any>, extra: Partial<ReflectorOptions<any>> = {}) => {
      const r = new Reflector<any>({ kubeConfig: this.#o.kubeConfig, path, store, log: log.child({ kind: name }), clock, restMetrics: this.metrics.rest, ...extra });
      this.#reflectors.push(r);
      return r;
    };
    // Each external-secrets.io kind names its CRD, so a 404 says what to install (kube/reflector.ts).
    const crdOf = (plural: string, group = GROUP) => ({ crd: `${plural}.${group}` });
    reflect('externalsecrets', nsPath(namespace, 'externalsecrets'), this.externalSecrets, crdOf('externalsecrets'));
    reflect('secretstores', nsPath(namespace, 'secretstores'), this.secretStores, crdOf('secretstores'));
    // ClusterSecretStores are cluster-scoped: watched with --namespace too, as ESO's cache watches
    // cluster-scoped kinds whatever its DefaultNamespaces (cmd/controller/root.go), unless
    // --enable-cluster-store-reconciler=false (ESO's chart sets it with scopedRBAC).
    if (this.#o.clusterStores ?? true) reflect('clustersecretstores', nsPath(undefined, 'clustersecretstores'), this.clusterSecretStores, crdOf('clustersecretstores'));
    if (clusterWide) {
      // Finalizers and deletion: ClusterExternalSecrets keep a finalizer on the namespaces they provision.
      reflect('namespaces', '/api/v1/namespaces', this.namespaces, {
        transform: (o: any) => ({ metadata: { name: o.metadata.name, labels: o.metadata.labels, resourceVersion: o.metadata.resourceVersion, finalizers: o.metadata.finalizers, deletionTimestamp: o.metadata.deletionTimestamp } }),
      });
    }
    const cesEnabled = clusterWide && (this.#o.clusterExternalSecrets ?? true);
    // Optional kinds (a cluster may lack their CRD): the rest is served meanwhile; their controller
    // starts serving when the CRD appears (ReflectorOptions.optional). Kinds added later pass
    // `{ ...crdOf(plural, group), optional: true }` the same way.
    if (cesEnabled) reflect('clusterexternalsecrets', nsPath(undefined, 'clusterexternalsecrets'), this.clusterExternalSecrets, { ...crdOf('clusterexternalsecrets'), optional: true });
    else if (this.#o.clusterExternalSecrets ?? true) log.info('watching one namespace: ClusterExternalSecrets (cluster-scoped) are not served');
    reflect('secrets', `${namespace ? `/api/v1/namespaces/${namespace}/secrets` : '/api/v1/secrets'}`, this.managedSecrets, {
      labelSelector: `${LABEL_MANAGED}=true`,
      transform: liveTargetMetaOf, // the values are dropped on arrival
    });

    // Store credentials (authSecretRef, caProvider Secrets) can be any Secret: watch them all, names
    // and versions only, so a rotated credential rebuilds its store's clients within seconds.
    reflect('credential-secrets', `${namespace ? `/api/v1/namespaces/${namespace}/secrets` : '/api/v1/secrets'}`, this.credentialSecrets, {
      metadataOnly: true,
      // Labels too: a PushSecret's selector.secret.selector is matched against them.
      transform: (o: any) => ({ metadata: { name: o.metadata.name, namespace: o.metadata.namespace, resourceVersion: o.metadata.resourceVersion, labels: o.metadata.labels } }),
    });
    // caProvider ConfigMaps and workload identity ServiceAccounts, likewise: a new CA bundle or
    // client-id annotation rebuilds the clients built from the old one.
    const versionOnly = (o: any) => ({ metadata: { name: o.metadata.name, namespace: o.metadata.namespace, resourceVersion: o.metadata.resourceVersion } });
    // Tolerated if forbidden (a Role from before they were watched): the operator serves, and
    // clients built from these kinds are then replaced only by age (10 minutes), as before.
    const watched = [
      { kind: 'ConfigMap', plural: 'configmaps', what: 'a changed caProvider ConfigMap' },
      { kind: 'ServiceAccount', plural: 'serviceaccounts', what: 'a changed workload identity ServiceAccount' },
    ] as const;
    for (const { kind, plural, what } of watched) {
      this.#credentialWatches[kind] = reflect(`credential-${plural}`, namespace ? `/api/v1/namespaces/${namespace}/${plural}` : `/api/v1/${plural}`, this.#credentialObjects[kind], {
        metadataOnly: true,
        transform: versionOnly,
        forbidden: `${what} reaches its store clients only when they are rebuilt (at most 10 minutes)`,
        absentPollMs: 60_000,
      });
    }

    const pushEnabled = this.#o.pushSecrets ?? true;
    const cpsEnabled = clusterWide && (this.#o.clusterPushSecrets ?? true);
    if (cpsEnabled) reflect('clusterpushsecrets', nsPath(undefined, 'clusterpushsecrets', CLUSTER_PUSH_SECRET_VERSION), this.clusterPushSecrets, { ...crdOf('clusterpushsecrets'), optional: true });
    // The ClusterPushSecret controller reads the PushSecrets it provisions from the same cache.
    if (pushEnabled || cpsEnabled) reflect('pushsecrets', nsPath(namespace, 'pushsecrets', PUSH_SECRET_VERSION), this.pushSecrets, { ...crdOf('pushsecrets'), optional: true });
    const pushQueue = pushEnabled ? this.#wirePushSecrets() : undefined;
    const cpsQueue = cpsEnabled ? this.#wireClusterPushSecrets() : undefined;

    const reloader = this.#o.workloadReload ? new WorkloadReloader({ managedSecrets: this.managedSecrets, kube: this.#kube, events: new EventRecorder({ kube: this.#kube, clock, log }), log: log.child({ controller: 'workload-reload' }) }) : undefined;
    if (reloader) {
      for (const kind of WORKLOAD_KINDS) {
        const plural = WORKLOAD_PLURALS[kind];
        reflect(plural, namespace ? `/apis/apps/v1/namespaces/${namespace}/${plural}` : `/apis/apps/v1/${plural}`, reloader.stores[kind], { transform: reloader.transform(kind) });
      }
    }

    // controller-runtime names each controller (and its queue) after the lower-cased kind.
    const esMetrics = this.metrics.controller('externalsecret');
    const ssMetrics = this.metrics.controller('secretstore');
    const cssMetrics = this.metrics.controller('clustersecretstore');
    const newQueue = (m: typeof esMetrics) => new WorkQueue<ObjectKey>({ clock, rateLimiter: defaultControllerRateLimiter(clock), metrics: m.queue });
    const esQueue = newQueue(esMetrics);
    const ssQueue = newQueue(ssMetrics);
    const cssQueue = newQueue(cssMetrics);
    const cesMetrics = this.metrics.controller('clusterexternalsecret');
    const cesQueue = newQueue(cesMetrics);
    const leaseName = this.#o.leaderElection?.name;
    if (leaseName) this.metrics.trackLeader(leaseName, () => this.isLeader());
    this.#wireEvents(esQueue, ssQueue, cssQueue);
    if (pushEnabled) this.#wireStoreFinalizers(ssQueue, cssQueue);
    if (cesEnabled) this.#wireClusterExternalSecretEvents(cesQueue);
    const reloadMetrics = reloader ? this.metrics.controller('workload-reload') : undefined;
    const reloadQueue = reloadMetrics ? newQueue(reloadMetrics) : undefined;
    if (reloader && reloadQueue) reloader.wire(reloadQueue);

    // One recorder per controller: each records under ESO's component for it (events.ts EventComponent).
    const recorder = (component: string) => new EventRecorder({ kube: this.#kube, clock, log, component });
    const events = recorder(EventComponent.ExternalSecret);
    const genericWatches = this.#o.allowGenericTargets ? this.#genericWatches(signal, esQueue) : undefined;
    const esReconciler = new ExternalSecretReconciler({
      externalSecrets: this.externalSecrets,
      secretStores: this.secretStores,
      clusterSecretStores: this.clusterSecretStores,
      namespaceLabels: (ns) => this.namespaces.get(objectKey(undefined, ns))?.metadata.labels ?? (clusterWide ? undefined : { 'kubernetes.io/metadata.name': ns }),
      managedSecrets: this.managedSecrets,
      kube: this.#kube,
      clients: this.clients,
      events,
      clock,
      log: log.child({ controller: 'externalsecret' }),
      controllerClass: this.#o.controllerClass,
      exclusiveControllerClass: this.#o.exclusiveControllerClass,
      floodGate: this.#o.floodGate ?? true,
      clusterStores: this.#o.clusterStores ?? true,
      templates: this.#o.templates,
      fetchOptions: this.#generate(log),
      changes: this.#changes,
      allowGenericTargets: this.#o.allowGenericTargets ?? false,
      ...(genericWatches && { genericWatches }),
    });
    const storeReconciler = (kind: 'SecretStore' | 'ClusterSecretStore', stores: ObjectStore<GenericStore>) =>
      new SecretStoreReconciler({
        kind, stores, registry: this.#o.registry, clients: this.clients, kube: this.#kube, events: recorder(EventComponent[kind]), clock, log: log.child({ controller: kind.toLowerCase() }),
        controllerClass: this.#o.controllerClass, exclusiveControllerClass: this.#o.exclusiveControllerClass, defaultRevalidateMs: this.#o.storeRequeueMs,
        hasUsers: (key) => this.externalSecrets.keysByIndex('store', `${kind}:${key}`).length > 0,
        ...(pushEnabled ? { pushSecretsHold: (store: GenericStore) => this.#pushSecretsHold(store) } : {}),
      });

    const cesReconciler = new ClusterExternalSecretReconciler({
      clusterExternalSecrets: this.clusterExternalSecrets,
      externalSecrets: this.externalSecrets,
      namespaces: () => this.namespaces.list().map(namespaceView),
      namespace: (name) => {
        const ns = this.namespaces.get(objectKey(undefined, name));
        return ns && namespaceView(ns);
      },
      kube: this.#kube,
      clock,
      log: log.child({ controller: 'clusterexternalsecret' }),
    });

    const running = this.#reflectors.map((r) => r.run(signal));
    // Once the caches are filled the first lists' pages are garbage: work done, on a leader and a
    // standby replica alike (whose workers never start).
    const activity = this.#o.activity;
    if (activity) Promise.all(this.#reflectors.map((r) => r.waitForSync(signal))).then(() => activity.poke(), () => {});
    // Workers stop when `workSignal` aborts: shutdown, or (with leader election) a lost lease.
    const startWorkers = async (workSignal: AbortSignal): Promise<void> => {
      try {
        await Promise.all(this.#reflectors.map((r) => r.waitForSync(workSignal)));
      } catch (e) {
        if (workSignal.aborted) return;
        throw e;
      }
      log.info({ externalSecrets: this.externalSecrets.size(), secretStores: this.secretStores.size(), clusterSecretStores: this.clusterSecretStores.size(), managedSecrets: this.managedSecrets.size() }, 'caches synced; starting workers');
      // No jitter on refreshes: they are aligned to waves on purpose (core/refresh.ts nextRefreshAt).
      const common = { log, signal: workSignal, clock, jitter: this.#o.jitter ?? ((ms: number) => ms), ...(this.#o.activity ? { activity: this.#o.activity } : {}) };
      // Periodic resync, as informers do: every object is looked at again (level-based, so a
      // reconcile with nothing due returns at once without a vault or API call).
      const resync = setInterval(() => {
        for (const [store, queue] of [[this.externalSecrets, esQueue], [this.secretStores, ssQueue], [this.clusterSecretStores, cssQueue], [this.clusterExternalSecrets, cesQueue]] as const) {
          for (const o of store.list()) queue.add(objectKey(o.metadata.namespace, o.metadata.name));
        }
      }, this.#o.resyncMs ?? 10 * 60_000);
      workSignal.addEventListener('abort', () => clearInterval(resync), { once: true });
      await Promise.all([
        ...(pushQueue ? [this.#runPushSecrets(pushQueue, common, recorder(EventComponent.PushSecret))] : []),
        ...(cpsQueue ? [this.#runClusterPushSecrets(cpsQueue, common, recorder(EventComponent.ClusterPushSecret))] : []),
        runWorkers({ ...common, queue: esQueue, reconciler: this.#timedExternalSecrets(esReconciler), concurrency: this.#o.concurrency, counters: this.counters.externalSecrets, metrics: esMetrics }),
        runWorkers({ ...common, queue: ssQueue, reconciler: this.#timedStores('SecretStore', storeReconciler('SecretStore', this.secretStores)), concurrency: 2, counters: this.counters.secretStores, metrics: ssMetrics }),
        runWorkers({ ...common, queue: cssQueue, reconciler: this.#timedStores('ClusterSecretStore', storeReconciler('ClusterSecretStore', this.clusterSecretStores)), concurrency: 2, counters: this.counters.clusterSecretStores, metrics: cssMetrics }),
        ...(cesEnabled ? [runWorkers({ ...common, queue: cesQueue, reconciler: this.#timedWhileExists(cesReconciler, this.clusterExternalSecrets, (key, sec) => this.metrics.clusterExternalSecretReconciled(key, sec)), concurrency: this.#o.concurrency, counters: this.counters.clusterExternalSecrets, metrics: cesMetrics })] : []),
        ...(reloader && reloadQueue && reloadMetrics ? [runWorkers({ ...common, queue: reloadQueue, reconciler: reloader.reconciler(), concurrency: 2, metrics: reloadMetrics })] : []),
      ]);
    };
    const elector = this.#elector;
    const onLostLeadership = this.#o.leaderElection?.onLostLeadership;
    const work = elector && onLostLeadership ? elector.run(signal, { onStartedLeading: startWorkers, onLostLeadership }) : startWorkers(signal);
    await Promise.all([work, ...running]);
    await this.clients.closeAll();
  }

  /**
   * The watches of generic target kinds: an event on an object of a watched kind (managed label)
   * enqueues the ExternalSecrets naming it (ESO's informer manager enqueueHandler), those in its
   * namespace, or in any namespace for a cluster-scoped object. An ExternalSecret that stops naming
   * a kind (deleted, its target changed) gives up its use of the kind's watch.
   */
  #genericWatches(signal: AbortSignal, esQueue: WorkQueue<ObjectKey>): GenericWatches {
    const watches = new GenericWatches({
      kubeConfig: this.#o.kubeConfig,
      kube: this.#kube,
      namespace: this.#o.namespace,
      log: this.#o.log.child({ component: 'generic-target-watches' }),
      clock: this.#o.clock,
      restMetrics: this.metrics.rest,
      signal,
      onObject: (gvk, meta) => {
        if (!meta.name) return;
        for (const es of this.externalSecrets.byIndex('generic-target', genericTargetIndexValue({ ...gvk, name: meta.name }))) {
          if (meta.namespace && es.metadata.namespace !== meta.namespace) continue;
          esQueue.add(objectKey(es.metadata.namespace, es.metadata.name));
        }
      },
    });
    this.externalSecrets.onChange((type, es, old) => {
      const before = old && genericTargetOf(old);
      if (!before) return;
      const after = type === 'deleted' ? undefined : genericTargetOf(es);
      if (!after || gvkKey(after) !== gvkKey(before)) watches.release(before, objectKey(es.metadata.namespace, es.metadata.name));
    });
    return watches;
  }

  /**
   * PushSecrets: their own queue and workers. Enqueued on create, delete, spec/label/annotation or
   * finalizer changes (ESO's predicate), on the resync, and (Projector) when the source Secret they
   * name changes, so a rotation reaches the provider without waiting for refreshInterval.
   */
  #wirePushSecrets(): PushWiring {
    const { clock } = this.#o;
    const metrics = this.metrics.controller('pushsecret');
    const queue = new WorkQueue<ObjectKey>({ clock, rateLimiter: defaultControllerRateLimiter(clock), metrics: metrics.queue });
    const changes = new ChangeTimes();
    const keyOf = (m: ObjectMeta) => objectKey(m.namespace, m.name!);
    this.pushSecrets.addIndex('source', (ps) => (ps.spec.selector?.secret?.name ? [`${ps.metadata.namespace}/${ps.spec.selector.secret.name}`] : []));
    const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
    this.pushSecrets.onChange((type, ps, old) => {
      if (type === 'modified' && !metaChanged(old?.metadata, ps.metadata) && same(old?.metadata.finalizers, ps.metadata.finalizers)) return;
      queue.add(keyOf(ps.metadata));
    });
    // Label-selected sources: PushSecrets by namespace, matched against the Secret's old and new labels.
    this.pushSecrets.addIndex('source-selector', (ps) => (!ps.spec.selector?.secret?.name && ps.spec.selector?.secret?.selector ? [ps.metadata.namespace] : []));
    this.credentialSecrets.onChange((type, secret, old) => {
      if (type === 'modified' && old?.metadata.resourceVersion === secret.metadata.resourceVersion) return;
      const selecting = this.pushSecrets.byIndex('source-selector', secret.metadata.namespace!).filter((ps) => {
        const sel = ps.spec.selector.secret!.selector!;
        return checkLabelSelector(sel, '').length === 0 && (matchesLabelSelector(sel, secret.metadata.labels ?? {}) || (old !== undefined && matchesLabelSelector(sel, old.metadata.labels ?? {})));
      });
      for (const ps of [...this.pushSecrets.byIndex('source', keyOf(secret.metadata)), ...selecting]) {
        const k = keyOf(ps.metadata);
        changes.mark(k, clock.now().getTime(), true);
        queue.add(k);
      }
    });
    // Label-selected stores (secretStoreRefs[].labelSelector): a store created, relabelled or deleted
    // that a selector of its kind matches (old or new labels) pushes at once, as a changed source
    // does (ESO waits for refreshInterval). Same namespace for SecretStores.
    this.pushSecrets.addIndex('store-selector', (ps) => ((ps.spec.secretStoreRefs ?? []).some((r) => r.labelSelector) ? ['*'] : []));
    const onStore = (kind: 'SecretStore' | 'ClusterSecretStore') => (type: string, store: GenericStore, old: GenericStore | undefined) => {
      if (type === 'modified' && same(old?.metadata.labels, store.metadata.labels)) return;
      const hit = (sel: LabelSelector) => checkLabelSelector(sel, '').length === 0 && (matchesLabelSelector(sel, store.metadata.labels ?? {}) || (old !== undefined && matchesLabelSelector(sel, old.metadata.labels ?? {})));
      for (const ps of this.pushSecrets.byIndex('store-selector', '*')) {
        if (kind === 'SecretStore' && ps.metadata.namespace !== store.metadata.namespace) continue;
        if (!ps.spec.secretStoreRefs.some((r) => r.labelSelector && (r.kind ?? 'SecretStore') === kind && hit(r.labelSelector))) continue;
        const k = keyOf(ps.metadata);
        changes.mark(k, clock.now().getTime(), true);
        queue.add(k);
      }
    };
    this.secretStores.onChange(onStore('SecretStore'));
    this.clusterSecretStores.onChange(onStore('ClusterSecretStore'));
    return { queue, changes, metrics };
  }

  /**
   * The store finalizer for PushSecrets with deletionPolicy Delete (core/store-finalizer.ts): an
   * index from stores to the PushSecrets that may hold them, and a store requeued when a PushSecret
   * that held it or holds it now changes or goes (ESO: the store controllers' PushSecret watch,
   * pkg/controllers/secretstore/common.go findStoresForPushSecret). Only stores whose finalizer is
   * then due to change are requeued: ESO re-checks the store at every PushSecret event, but each
   * check here asks the vault, and a PushSecret's status is written at every push.
   */
  #wireStoreFinalizers(ssQueue: WorkQueue<ObjectKey>, cssQueue: WorkQueue<ObjectKey>): void {
    this.pushSecrets.addIndex('store-hold', storeHoldKeys);
    const candidates = (ps: PushSecret): GenericStore[] => {
      const out: GenericStore[] = [];
      for (const { kind, namespace, name } of storeHoldRefs(ps)) {
        const lister = kind === 'ClusterSecretStore' ? this.clusterSecretStores : this.secretStores;
        if (name === '*') out.push(...lister.list().filter((st) => kind === 'ClusterSecretStore' || st.metadata.namespace === namespace));
        else {
          const st = lister.get(objectKey(namespace || undefined, name));
          if (st) out.push(st);
        }
      }
      return out;
    };
    this.pushSecrets.onChange((_type, ps, old) => {
      const seen = new Set<string>();
      for (const store of [...candidates(ps), ...(old ? candidates(old) : [])]) {
        const k = objectKey(store.metadata.namespace, store.metadata.name);
        if (seen.has(`${store.kind}:${k}`)) continue;
        seen.add(`${store.kind}:${k}`);
        if (!shouldProcessStore(store, this.#o.controllerClass, this.#o.exclusiveControllerClass)) continue;
        if (storeFinalizersFor(store, this.#pushSecretsHold(store)) === undefined) continue;
        (store.kind === 'ClusterSecretStore' ? cssQueue : ssQueue).add(k);
      }
    });
  }

  /** ESO's hasPushSecretsWithDeletePolicy, from the index #wireStoreFinalizers keeps. */
  #pushSecretsHold(store: GenericStore): boolean {
    return storeHoldLookups(store).some((k) => this.pushSecrets.byIndex('store-hold', k).some((ps) => pushSecretHoldsStore(ps, store)));
  }

  /**
   * ClusterPushSecrets: ESO's watches (the object, the PushSecrets it owns, namespaces), namespaces
   * mapped through their old and new labels as for ClusterExternalSecrets.
   */
  #wireClusterPushSecrets(): { queue: WorkQueue<ObjectKey>; metrics: ReturnType<OperatorMetrics['controller']> } {
    const { clock } = this.#o;
    const metrics = this.metrics.controller('clusterpushsecret');
    const queue = new WorkQueue<ObjectKey>({ clock, rateLimiter: defaultControllerRateLimiter(clock), metrics: metrics.queue });
    this.clusterPushSecrets.onChange((type, cps) => this.metrics.setClusterPushSecretCondition(cps, type === 'deleted'));
    this.clusterPushSecrets.onChange((type, cps, old) => {
      if (type === 'modified' && !metaChanged(old?.metadata, cps.metadata)) return;
      queue.add(objectKey(undefined, cps.metadata.name));
    });
    const ownerOf = (ps: PushSecret) => {
      const o = ps.metadata.ownerReferences?.find((r) => r.controller && r.kind === 'ClusterPushSecret');
      return o && isOwnedByClusterPushSecret(ps, o.name) ? o.name : undefined;
    };
    this.pushSecrets.onChange((_type, ps, old) => {
      for (const owner of new Set([ownerOf(ps), old && ownerOf(old)])) if (owner) queue.add(objectKey(undefined, owner));
    });
    this.namespaces.onChange((type, ns, old) => {
      if (type === 'modified' && JSON.stringify(old?.metadata.labels ?? {}) === JSON.stringify(ns.metadata.labels ?? {})) return;
      for (const cps of this.clusterPushSecrets.list()) {
        if (pushSelectsNamespace(cps, ns.metadata.labels ?? {}) || (old !== undefined && pushSelectsNamespace(cps, old.metadata.labels ?? {}))) queue.add(objectKey(undefined, cps.metadata.name));
      }
    });
    return { queue, metrics };
  }

  #runClusterPushSecrets(
    { queue, metrics }: { queue: WorkQueue<ObjectKey>; metrics: ReturnType<OperatorMetrics['controller']> },
    common: { log: Logger; signal: AbortSignal; clock: Clock; jitter: (ms: number) => number; activity?: WorkActivity },
    events: EventRecorder,
  ): Promise<void> {
    const { clock, log } = this.#o;
    for (const cps of this.clusterPushSecrets.list()) queue.add(objectKey(undefined, cps.metadata.name));
    const resync = setInterval(() => {
      for (const cps of this.clusterPushSecrets.list()) queue.add(objectKey(undefined, cps.metadata.name));
    }, this.#o.resyncMs ?? 10 * 60_000);
    common.signal.addEventListener('abort', () => clearInterval(resync), { once: true });
    const reconciler = new ClusterPushSecretReconciler({
      clusterPushSecrets: this.clusterPushSecrets,
      pushSecrets: this.pushSecrets,
      namespaces: () => this.namespaces.list().map(namespaceView),
      kube: this.#kube,
      events,
      clock,
      log: log.child({ controller: 'clusterpushsecret' }),
    });
    // ESO's clusterpushsecret_reconcile_duration, while the ClusterPushSecret exists.
    const timed = this.#timedWhileExists(reconciler, this.clusterPushSecrets, (key, s) => this.metrics.clusterPushSecretReconciled(key, s));
    return runWorkers({ ...common, queue, reconciler: timed, concurrency: this.#o.concurrency, metrics });
  }

  #runPushSecrets(
    { queue, changes, metrics }: PushWiring,
    common: { log: Logger; signal: AbortSignal; clock: Clock; jitter: (ms: number) => number; activity?: WorkActivity },
    events: EventRecorder,
  ): Promise<void> {
    const { clock, log } = this.#o;
    const keyOf = (m: ObjectMeta) => objectKey(m.namespace, m.name!);
    for (const ps of this.pushSecrets.list()) queue.add(keyOf(ps.metadata));
    const resync = setInterval(() => {
      for (const ps of this.pushSecrets.list()) queue.add(keyOf(ps.metadata));
    }, this.#o.resyncMs ?? 10 * 60_000);
    common.signal.addEventListener('abort', () => clearInterval(resync), { once: true });
    const clusterWide = !this.#o.namespace;
    const reconciler = new PushSecretReconciler({
      pushSecrets: this.pushSecrets,
      secretStores: this.secretStores,
      clusterSecretStores: this.clusterSecretStores,
      namespaceLabels: (ns) => this.namespaces.get(objectKey(undefined, ns))?.metadata.labels ?? (clusterWide ? undefined : { 'kubernetes.io/metadata.name': ns }),
      kube: this.#kube,
      clients: this.clients,
      events,
      clock,
      log: log.child({ controller: 'pushsecret' }),
      controllerClass: this.#o.controllerClass,
      exclusiveControllerClass: this.#o.exclusiveControllerClass,
      templates: this.#o.templates,
      // selector.generatorRef runs the generators dataFrom uses (ESO: resolveSecretFromGenerator).
      generate: this.#o.pushGenerator ?? this.#pushGenerate(log),
      changes,
    });
    return runWorkers({ ...common, queue, reconciler: this.#timedWhileExists(reconciler, this.pushSecrets, (key, sec) => this.metrics.pushSecretReconciled(key, sec)), concurrency: this.#o.concurrency, metrics });
  }

  // --- metrics (controller/metrics.ts) ---
  /**
   * ESO's Reconcile defers: externalsecret_sync_calls_total, _error and _reconcile_duration per
   * reconcile, labelled with the labels of the ExternalSecret as the reconcile read it when it
   * exists and is not being deleted (externalsecret_controller.go refines resourceLabels with them
   * after its Get and deletion branch).
   */
  // Durations use the monotonic high-resolution timer: ESO reports nanoseconds, and most
  // reconciles (nothing due) take well under the clock's millisecond.
  #timedExternalSecrets(inner: Reconciler): Reconciler {
    return {
      name: inner.name,
      reconcile: async (key, signal) => {
        const started = performance.now();
        const read = this.externalSecrets.get(key);
        const objectLabels = read && !read.metadata.deletionTimestamp ? (read.metadata.labels ?? {}) : undefined;
        let failed = true;
        try {
          const result = await inner.reconcile(key, signal);
          failed = result.error !== undefined;
          return result;
        } finally {
          this.metrics.externalSecretReconciled(key, (performance.now() - started) / 1000, failed, objectLabels);
        }
      },
    };
  }

  /** ESO's (cluster)secretstore_reconcile_duration. */
  #timedStores(kind: 'SecretStore' | 'ClusterSecretStore', inner: Reconciler): Reconciler {
    return {
      name: inner.name,
      reconcile: async (key, signal) => {
        const started = performance.now();
        try {
          return await inner.reconcile(key, signal);
        } finally {
          if ((kind === 'SecretStore' ? this.secretStores : this.clusterSecretStores).get(key)) this.metrics.storeReconciled(kind, key, (performance.now() - started) / 1000);
        }
      },
    };
  }

  /**
   * ESO's deferred `<kind>_reconcile_duration` (ClusterExternalSecret, PushSecret, ClusterPushSecret):
   * `record(key, seconds)` after each reconcile of an object that still exists in `objects`, so a
   * deleted object's series stays removed.
   */
  #timedWhileExists(inner: Reconciler, objects: { get(key: ObjectKey): unknown }, record: (key: ObjectKey, seconds: number) => void): Reconciler {
    return {
      name: inner.name,
      reconcile: async (key, signal) => {
        const started = performance.now();
        try {
          return await inner.reconcile(key, signal);
        } finally {
          if (objects.get(key)) record(key, (performance.now() - started) / 1000);
        }
      },
    };
  }

  /** Do we serve this ExternalSecret (every store it names is ours, or missing)? ESO reports conditions only for those. */
  #servesExternalSecret(es: ExternalSecret): boolean {
    const find = (kind: string | undefined, key: ObjectKey) => (kind === 'ClusterSecretStore' ? this.clusterSecretStores : this.secretStores).get(key);
    return servesExternalSecret(es, find, this.#o.controllerClass, this.#o.exclusiveControllerClass);
  }

  /** *_status_condition follow the status the API server holds (our own writes come back through the watch). */
  #wireConditionMetrics(): void {
    this.externalSecrets.onChange((type, es) => {
      if (type === 'deleted') this.metrics.setExternalSecretCondition(es, true);
      else if (this.#servesExternalSecret(es)) this.metrics.setExternalSecretCondition(es);
    });
    const onStore = (type: string, store: GenericStore) => {
      if (type === 'deleted') this.metrics.setStoreCondition(store, true);
      else if (shouldProcessStore(store, this.#o.controllerClass, this.#o.exclusiveControllerClass)) this.metrics.setStoreCondition(store);
    };
    this.secretStores.onChange(onStore);
    this.clusterSecretStores.onChange(onStore);
    this.clusterExternalSecrets.onChange((type, ces) => this.metrics.setClusterExternalSecretCondition(ces, type === 'deleted'));
    this.pushSecrets.onChange((type, ps) => this.metrics.setPushSecretCondition(ps, type === 'deleted'));
  }
  // --- end metrics ---

  /**
   * ESO's ClusterExternalSecret watches: the object itself (not its status-only updates), the
   * ExternalSecrets it controls (Owns), and namespaces created, deleted, relabelled or marked for
   * deletion, mapped to every ClusterExternalSecret selecting them before or after the change.
   */
  #wireClusterExternalSecretEvents(cesQueue: WorkQueue<ObjectKey>): void {
    const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
    this.clusterExternalSecrets.onChange((type, ces, old) => {
      if (type === 'modified' && !metaChanged(old?.metadata, ces.metadata) && same(old?.metadata.finalizers, ces.metadata.finalizers)) return;
      cesQueue.add(objectKey(undefined, ces.metadata.name));
    });
    this.externalSecrets.onChange((type, es, old) => {
      if (type === 'modified' && old && !metaChanged(old.metadata, es.metadata) && same(old.metadata.ownerReferences, es.metadata.ownerReferences)) return;
      for (const owner of new Set([cesOwnerOf(es), old && cesOwnerOf(old)])) if (owner) cesQueue.add(objectKey(undefined, owner));
    });
    this.namespaces.onChange((type, ns, old) => {
      if (type === 'modified' && same(old?.metadata.labels, ns.metadata.labels) && !!old?.metadata.deletionTimestamp === !!ns.metadata.deletionTimestamp) return;
      const name = ns.metadata.name!;
      for (const ces of this.clusterExternalSecrets.list()) {
        const selected = selectsNamespace(ces, name, ns.metadata.labels ?? {}) || (old !== undefined && selectsNamespace(ces, name, old.metadata.labels ?? {}));
        if (selected) cesQueue.add(objectKey(undefined, ces.metadata.name));
      }
    });
  }

  #wireEvents(esQueue: WorkQueue<ObjectKey>, ssQueue: WorkQueue<ObjectKey>, cssQueue: WorkQueue<ObjectKey>): void {
    this.#wireConditionMetrics();
    const keyOf = (m: ObjectMeta) => objectKey(m.namespace, m.name!);
    const enqueueUsers = (kind: string, storeKey: ObjectKey, forced: boolean) => {
      for (const es of this.externalSecrets.byIndex('store', `${kind}:${storeKey}`)) {
        const k = keyOf(es.metadata);
        if (forced) this.#changes.mark(k, this.#o.clock.now().getTime(), true);
        esQueue.add(k);
      }
    };
    // Status-only updates (our own writes) do not enqueue; spec, label and annotation changes do
    // (force-sync), as ESO's shouldEnqueueExternalSecretUpdate. Whether they refresh is the refresh
    // policy's call (core/refresh.ts refreshReason).
    this.externalSecrets.onChange((type, es, old) => {
      const k = keyOf(es.metadata);
      if (type === 'deleted') {
        // The reconcile of a deleted key returns before it consumes the mark; it still runs, so the
        // queue forgets the key's backoff.
        this.#changes.consume(k);
        esQueue.add(k);
        return;
      }
      if (type === 'modified' && !metaChanged(old?.metadata, es.metadata)) return;
      this.#changes.mark(k, this.#o.clock.now().getTime(), false);
      esQueue.add(k);
    });
    // ESO's Secret watch: Secrets with the managed label (the reflector's selector), any change of
    // resourceVersion, mapped to the ExternalSecrets whose target it is. The reconcile decides from
    // the data hash and creationPolicy whether it is a change to repair.
    this.managedSecrets.onChange((_type, s) => {
      for (const es of this.externalSecrets.byIndex('target', keyOf(s.metadata))) esQueue.add(keyOf(es.metadata));
    });
    const onStore = (kind: string, queue: WorkQueue<ObjectKey>) => (type: string, store: GenericStore, old: GenericStore | undefined) => {
      const k = keyOf(store.metadata);
      if (type !== 'modified' || metaChanged(old?.metadata, store.metadata)) queue.add(k);
      // A changed store spec (vault URL, identity) means every user reads again. A store that
      // appears or changes readiness only gets its users looked at: those that failed for want of
      // it are due anyway, and the synced ones (say, at operator start) need no read.
      const specChanged = type === 'modified' && old?.metadata.generation !== store.metadata.generation;
      if (type !== 'modified' || specChanged || readyOf(old) !== readyOf(store)) enqueueUsers(kind, k, specChanged);
    };
    // An object clients were built from changed (a credential Secret rotated, a CA bundle or a
    // workload identity annotation changed; created, deleted): the clients built from it are dropped,
    // and its stores (status) and their ExternalSecrets are looked at again with the new one.
    for (const kind of CREDENTIAL_KINDS) {
      this.#credentialObjects[kind].onChange((type, object, old) => {
        if (type === 'modified' && old?.metadata.resourceVersion === object.metadata.resourceVersion) return;
        const ns = object.metadata.namespace!;
        const name = object.metadata.name!;
        const stores = this.clients.storesReading(kind, ns, name);
        if (stores.length === 0) return;
        this.clients.dropBuiltFrom(kind, ns, name, type === 'deleted' ? undefined : object.metadata.resourceVersion);
        this.#o.log.info({ [LOG_FIELD[kind]]: `${ns}/${name}`, change: type, stores: stores.map((st) => `${st.kind} ${st.namespace ? `${st.namespace}/` : ''}${st.name}`) }, `store credential ${kind} changed; rebuilding its clients`);
        for (const st of stores) {
          const key = objectKey(st.namespace, st.name);
          (st.kind === 'ClusterSecretStore' ? cssQueue : ssQueue).add(key);
          enqueueUsers(st.kind, key, false);
        }
      });
    }
    this.secretStores.onChange(onStore('SecretStore', ssQueue));
    this.clusterSecretStores.onChange(onStore('ClusterSecretStore', cssQueue));
    this.namespaces.onChange((type, ns, old) => {
      if (type === 'modified' && JSON.stringify(old?.metadata.labels ?? {}) === JSON.stringify(ns.metadata.labels ?? {})) return;
      for (const es of this.externalSecrets.byIndex('namespace', ns.metadata.name!)) esQueue.add(keyOf(es.metadata));
    });
  }
}
