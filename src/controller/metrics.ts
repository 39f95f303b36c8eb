// The operator's Prometheus metrics, on prom-client. One OperatorMetrics (and one Registry) per
// operator process: the composition root creates it and passes it to the Manager, the provider
// registry and the HTTP endpoint; tests pass a fresh Registry so nothing leaks between them.
//
// Names, types, label names, label values and buckets follow what an ESO v2.9 installation exposes:
// ESO's own families (pkg/controllers/externalsecret/esmetrics, pkg/controllers/secretstore/
// {ssmetrics,cssmetrics,metrics}, pkg/controllers/metrics/labels.go, runtime/metrics/metrics.go) and
// those controller-runtime v0.24.1 registers for it (pkg/internal/controller/metrics/metrics.go,
// pkg/internal/metrics/workqueue.go with client-go v0.36 util/workqueue semantics,
// pkg/metrics/client_go_adapter.go, pkg/metrics/leaderelection.go). docs/metrics.md lists them all.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ClusterExternalSecret, ClusterPushSecret, ExternalSecret, GenericStore, ObjectKey, PushSecret } from '../api/index.ts';
import type { Clock } from '../platform/clock.ts';
import { PromTextFormatter } from '../platform/prom-text.ts';
import type { RestClientMetrics } from '../kube/http.ts';
import type { VaultReadObserver } from '../sync/rate-limit.ts';
import type { Result } from './reconciler.ts';

/** controller-runtime's ReconcileTime buckets (seconds). */
export const RECONCILE_TIME_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15,
  20, 25, 30, 40, 50, 60,
];

/** prometheus.ExponentialBuckets(10e-9, 10, 12): 1e-8 … 1e3 seconds (controller-runtime's workqueue histograms). */
export const WORKQUEUE_BUCKETS = Array.from({ length: 12 }, (_, i) => Number(`1e${i - 8}`));

/** The labels `--enable-extended-metric-labels` adds (ESO pkg/controllers/metrics/labels.go SetUpLabelNames). */
export const EXTENDED_LABEL_NAMES = [
  'app_kubernetes_io_name',
  'app_kubernetes_io_instance',
  'app_kubernetes_io_version',
  'app_kubernetes_io_component',
  'app_kubernetes_io_part_of',
  'app_kubernetes_io_managed_by',
] as const;

/** ESO's provider label for Azure Key Vault (runtime/constants ProviderAzureKV). */
export const PROVIDER_AZURE_KV = 'Azure/KeyVault';

/** controller-runtime's reconcile_total result values (pkg/internal/controller/controller.go). */
export type ReconcileResultLabel = 'success' | 'error' | 'requeue' | 'requeue_after';

/**
 * The result label controller-runtime would give this outcome. A Result carrying `error` is what a
 * Go reconciler returns as `err` (ESO returns the provider's error: the key is retried with
 * backoff, or — a spec error Projector does not retry — the equivalent of a TerminalError); a
 * scheduled refresh is `requeue_after`, a plain rate-limited requeue `requeue`, anything else `success`.
 */
export function resultLabel(result: Result): ReconcileResultLabel {
  if (result.error) return 'error';
  if (result.kind === 'requeueAfter' || result.kind === 'retryAfter') return result.ms > 0 ? 'requeue_after' : 'success';
  if (result.kind === 'retry') return 'requeue';
  return 'success';
}

export interface OperatorMetricsOptions {
  /** Defaults to a new Registry. Pass one to share it with other collectors of the process. */
  registry?: Registry;
  /** `--enable-extended-metric-labels`: app.kubernetes.io/* labels of the object as metric labels. */
  extendedLabels?: boolean;
  /** Process and Node.js runtime metrics (prom-client collectDefaultMetrics). Default false (tests). */
  processMetrics?: boolean;
  clock: Clock;
}

/**
 * ESO's RefineLabels (pkg/controllers/metrics/labels.go), applied as its callers do to name and
 * namespace plus the object's labels (esmetrics, cesmetrics, psmetrics, cpsmetrics,
 * secretstore/metrics `maps.Copy(info, obj.Labels)`; the ExternalSecret reconciler's
 * `RefineLabels(resourceLabels, externalSecret.Labels)`): keep only the registered label names; a
 * Kubernetes label key becomes a label name by replacing each run of characters outside
 * [a-zA-Z0-9 ] with `_`. An object label named `name` or `namespace` replaces the object's own
 * name or namespace in the metric's labels, as in ESO.
 */
function refineLabels(names: readonly string[], base: Record<string, string>, extra: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) out[n] = base[n] ?? '';
  for (const [k, v] of Object.entries(extra ?? {})) {
    const clean = k.replace(/[^a-zA-Z0-9 ]+/g, '_');
    if (clean in out) out[clean] = v;
  }
  return out;
}

/**
 * One series' identity: its label pairs in name order. (Sorting the [name, value] entries, as
 * before, made the sort compare each pair as a joined string, allocating two per comparison.)
 */
function seriesId(labels: Record<string, string>): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

function splitKey(key: ObjectKey): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** What client-go's queue metrics need from a WorkQueue (util/workqueue/metrics.go queueMetrics). */
export interface QueueMetricsSink<K> {
  added(key: K): void;
  got(key: K): void;
  done(key: K): void;
  retried(): void;
}

/** Per-controller instruments (the controller label is ESO's controller name, e.g. "externalsecret"). */
export interface ControllerMetrics {
  readonly name: string;
  queue: QueueMetricsSink<ObjectKey>;
  /** controller-runtime's startup: every result at 0, max_concurrent_reconciles set. */
  started(maxConcurrent: number): void;
  workerBusy(delta: 1 | -1): void;
  /** A reconcile finished (after `seconds`), with its Result or a thrown exception; `timedOut`: its deadline passed. */
  reconciled(seconds: number, outcome: { result: Result } | { thrown: unknown }, timedOut: boolean): void;
}

export class OperatorMetrics {
  readonly registry: Registry;
  readonly extendedLabels: boolean;
  readonly #clock: Clock;
  readonly #nonConditionLabels: string[];
  readonly #conditionLabels: string[];

  // controller-runtime
  readonly #reconcileTotal: Counter<'controller' | 'result'>;
  readonly #reconcileErrors: Counter<'controller'>;
  readonly #terminalErrors: Counter<'controller'>;
  readonly #reconcilePanics: Counter<'controller'>;
  readonly #reconcileTimeouts: Counter<'controller'>;
  readonly #reconcileTime: Histogram<'controller'>;
  readonly #maxConcurrent: Gauge<'controller'>;
  readonly #activeWorkers: Gauge<'controller'>;
  // workqueue
  readonly #depth: Gauge<'name' | 'controller' | 'priority'>;
  readonly #adds: Counter<'name' | 'controller'>;
  readonly #queueLatency: Histogram<'name' | 'controller'>;
  readonly #workDuration: Histogram<'name' | 'controller'>;
  readonly #retries: Counter<'name' | 'controller'>;
  /** Per queue: keys waiting (client-go counts an add while processing too) and processing start times. */
  readonly #queues = new Map<string, { depth: number; processing: Map<string, number> }>();
  // rest client, leader election
  readonly #restRequests: Counter<'code' | 'method' | 'host'>;
  readonly #leader: Gauge<'name'>;
  readonly #leaders = new Map<string, () => boolean>();
  // ESO
  readonly #syncCalls: Counter<string>;
  readonly #syncErrors: Counter<string>;
  readonly #esDuration: Gauge<string>;
  readonly #esCondition: Gauge<string>;
  readonly #ssDuration: Gauge<string>;
  readonly #ssCondition: Gauge<string>;
  readonly #cssDuration: Gauge<string>;
  readonly #cssCondition: Gauge<string>;
  readonly #cesDuration: Gauge<string>;
  readonly #cesCondition: Gauge<string>;
  readonly #psDuration: Gauge<string>;
  readonly #psCondition: Gauge<string>;
  readonly #cpsDuration: Gauge<string>;
  readonly #cpsCondition: Gauge<string>;
  readonly #apiCalls: Counter<'provider' | 'call' | 'status'>;
  // Projector
  readonly #readsSaved: Counter<string>;
  readonly #limiterWaits: Counter<'vault'>;
  readonly #limiterWaitSeconds: Counter<'vault'>;
  readonly #throttled: Counter<'vault'>;
  /**
   * Label sets of the gauges ESO deletes by partial match (status conditions, store durations), per
   * gauge and per object (`namespace/name`): every match names its object, so a delete looks at that
   * object's few series, not at every series of the gauge (which made a sync O(N) in N objects).
   */
  readonly #series = new Map<Gauge<string>, Map<string, Map<string, { labels: Record<string, string>; value: number }>>>();
  /**
   * The per-object families (status conditions, reconcile durations, sync calls: a few series per
   * ExternalSecret, store, PushSecret…) in a registry of their own whose exposition text is kept
   * until one of their series changes. At 10,000 ExternalSecrets they are 40,000 lines, and
   * formatting them took 250–450 ms of CPU and ~30 MB of RSS per scrape; between refreshes they do
   * not change, so a scrape then costs the small families only. The text is the same either way.
   */
  readonly #objects = new Registry();
  /** Formats #objects, keeping each series' label text between scrapes (platform/prom-text.ts). */
  readonly #objectsFormatter = new PromTextFormatter();
  /** Formats the process-wide registry the same way (Go's numbers, no family without series). */
  readonly #mainFormatter = new PromTextFormatter();
  /** Bumped by every change of a per-object series; the cached text names the version it shows. */
  #objectsVersion = 0;
  #objectsText: { version: number; text: string } | undefined;

  constructor(o: OperatorMetricsOptions) {
    const registers = [(this.registry = o.registry ?? new Registry())];
    const objectRegisters = [this.#objects];
    this.extendedLabels = o.extendedLabels ?? false;
    this.#clock = o.clock;
    this.#nonConditionLabels = ['name', 'namespace', ...(this.extendedLabels ? EXTENDED_LABEL_NAMES : [])];
    this.#conditionLabels = ['name', 'namespace', 'condition', 'status', ...(this.extendedLabels ? EXTENDED_LABEL_NAMES : [])];
    const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) => new Counter<L>({ name, help, labelNames, registers });
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[], collect?: () => void) => new Gauge<L>({ name, help, labelNames, registers, ...(collect ? { collect } : {}) });
    const histogram = <L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]) => new Histogram<L>({ name, help, labelNames, buckets, registers });
    const objectCounter = (name: string, help: string, labelNames: readonly string[]) => new Counter<string>({ name, help, labelNames, registers: objectRegisters });
    const objectGauge = (name: string, help: string, labelNames: readonly string[]) => new Gauge<string>({ name, help, labelNames, registers: objectRegisters });

    this.#reconcileTotal = counter('controller_runtime_reconcile_total', 'Total number of reconciliations per controller', ['controller', 'result']);
    this.#reconcileErrors = counter('controller_runtime_reconcile_errors_total', 'Total number of reconciliation errors per controller', ['controller']);
    this.#terminalErrors = counter('controller_runtime_terminal_reconcile_errors_total', 'Total number of terminal reconciliation errors per controller', ['controller']);
    this.#reconcilePanics = counter('controller_runtime_reconcile_panics_total', 'Total number of reconciliation panics per controller', ['controller']);
    this.#reconcileTimeouts = counter('controller_runtime_reconcile_timeouts_total', 'Total number of reconciliation timeouts per controller', ['controller']);
    this.#reconcileTime = histogram('controller_runtime_reconcile_time_seconds', 'Length of time per reconciliation per controller', ['controller'], RECONCILE_TIME_BUCKETS);
    this.#maxConcurrent = gauge('controller_runtime_max_concurrent_reconciles', 'Maximum number of concurrent reconciles per controller', ['controller']);
    this.#activeWorkers = gauge('controller_runtime_active_workers', 'Number of currently used workers per controller', ['controller']);

    this.#depth = gauge('workqueue_depth', 'Current depth of workqueue by workqueue and priority', ['name', 'controller', 'priority'], () => {
      for (const [name, q] of this.#queues) this.#depth.set({ name, controller: name, priority: '' }, q.depth);
    });
    this.#adds = counter('workqueue_adds_total', 'Total number of adds handled by workqueue', ['name', 'controller']);
    this.#queueLatency = histogram('workqueue_queue_duration_seconds', 'How long in seconds an item stays in workqueue before being requested', ['name', 'controller'], WORKQUEUE_BUCKETS);
    this.#workDuration = histogram('workqueue_work_duration_seconds', 'How long in seconds processing an item from workqueue takes.', ['name', 'controller'], WORKQUEUE_BUCKETS);
    const unfinished = gauge('workqueue_unfinished_work_seconds', "How many seconds of work has been done that is in progress and hasn't been observed by work_duration. Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.", ['name', 'controller'], () => {
      for (const [name, q] of this.#queues) unfinished.set({ name, controller: name }, this.#ages(q.processing).total);
    });
    const longest = gauge('workqueue_longest_running_processor_seconds', 'How many seconds has the longest running processor for workqueue been running.', ['name', 'controller'], () => {
      for (const [name, q] of this.#queues) longest.set({ name, controller: name }, this.#ages(q.processing).oldest);
    });
    this.#retries = counter('workqueue_retries_total', 'Total number of items added to the workqueue with a non-zero delay (rate-limited requeues, explicit RequeueAfter or AddAfter calls)', ['name', 'controller']);

    this.#restRequests = counter('rest_client_requests_total', 'Number of HTTP requests, partitioned by status code, method, and host.', ['code', 'method', 'host']);
    this.#leader = gauge('leader_election_master_status', "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. 'name' is the string used to identify the lease. Please make sure to group by name.", ['name'], () => {
      for (const [name, isLeader] of this.#leaders) this.#leader.set({ name }, isLeader() ? 1 : 0);
    });

    this.#syncCalls = objectCounter('externalsecret_sync_calls_total', 'Total number of the External Secret sync calls', this.#nonConditionLabels);
    this.#syncErrors = objectCounter('externalsecret_sync_calls_error', 'Total number of the External Secret sync errors', this.#nonConditionLabels);
    this.#esCondition = objectGauge('externalsecret_status_condition', 'The status condition of a specific External Secret', this.#conditionLabels);
    this.#esDuration = objectGauge('externalsecret_reconcile_duration', 'The duration time to reconcile the External Secret', this.#nonConditionLabels);
    this.#ssCondition = objectGauge('secretstore_status_condition', 'The status condition of a specific Secret Store', this.#conditionLabels);
    this.#ssDuration = objectGauge('secretstore_reconcile_duration', 'The duration time to reconcile the Secret Store', this.#nonConditionLabels);
    this.#cssCondition = objectGauge('clustersecretstore_status_condition', 'The status condition of a specific Cluster Secret Store', this.#conditionLabels);
    this.#cssDuration = objectGauge('clustersecretstore_reconcile_duration', 'The duration time to reconcile the Cluster Secret Store', this.#nonConditionLabels);
    // ESO's cesmetrics (pkg/controllers/clusterexternalsecret/cesmetrics): same names and label sets; namespace is "".
    this.#cesCondition = objectGauge('clusterexternalsecret_status_condition', 'The status condition of a specific Cluster External Secret', this.#conditionLabels);
    this.#cesDuration = objectGauge('clusterexternalsecret_reconcile_duration', 'The duration time to reconcile the Cluster External Secret', this.#nonConditionLabels);
    // ESO's psmetrics (pkg/controllers/pushsecret/psmetrics): same names and label sets.
    this.#psCondition = objectGauge('pushsecret_status_condition', 'The status condition of a specific Push Secret', this.#conditionLabels);
    this.#psDuration = objectGauge('pushsecret_reconcile_duration', 'The duration time to reconcile the Push Secret', this.#nonConditionLabels);
    // ESO's cpsmetrics (pkg/controllers/clusterpushsecret/cpsmetrics): same names and label sets; namespace is "".
    this.#cpsCondition = objectGauge('clusterpushsecret_status_condition', 'The status condition of a specific Cluster Push Secret', this.#conditionLabels);
    this.#cpsDuration = objectGauge('clusterpushsecret_reconcile_duration', 'The duration time to reconcile the Cluster Push Secret', this.#nonConditionLabels);
    this.#apiCalls = counter('externalsecret_provider_api_calls_count', 'Number of API calls towards the secret provider', ['provider', 'call', 'status']);

    this.#readsSaved = counter('projector_vault_reads_saved_total', 'Vault reads answered by sharing an identical read in the read window instead of calling the vault.', []);
    this.#limiterWaits = counter('projector_vault_limiter_waits_total', 'Vault reads that waited for the per-vault rate limiter.', ['vault']);
    this.#limiterWaitSeconds = counter('projector_vault_limiter_wait_seconds_total', 'Seconds vault reads spent waiting for the per-vault rate limiter.', ['vault']);
    this.#throttled = counter('projector_vault_throttled_total', 'Vault answers 429 (Too Many Requests): the vault is paused for its Retry-After.', ['vault']);

    if (o.processMetrics) collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
  }

  #ages(processing: Map<string, number>): { total: number; oldest: number } {
    const now = this.#clock.now().getTime();
    let total = 0;
    let oldest = 0;
    for (const start of processing.values()) {
      const age = (now - start) / 1000;
      total += age;
      oldest = Math.max(oldest, age);
    }
    return { total, oldest };
  }

  /** Instruments for one controller and its queue (queue name = controller name, as controller-runtime). */
  controller(name: string): ControllerMetrics {
    const q = { depth: 0, processing: new Map<string, number>() };
    this.#queues.set(name, q);
    const addedAt = new Map<string, number>();
    const ql = { name, controller: name };
    const c = { controller: name };
    const now = () => this.#clock.now().getTime();
    this.#adds.inc(ql, 0);
    this.#retries.inc(ql, 0);
    return {
      name,
      queue: {
        added: (key) => {
          this.#adds.inc(ql);
          q.depth++;
          if (!addedAt.has(key)) addedAt.set(key, now());
        },
        got: (key) => {
          q.depth--;
          q.processing.set(key, now());
          const t = addedAt.get(key);
          if (t !== undefined) {
            this.#queueLatency.observe(ql, (now() - t) / 1000);
            addedAt.delete(key);
          }
        },
        done: (key) => {
          const t = q.processing.get(key);
          if (t !== undefined) {
            this.#workDuration.observe(ql, (now() - t) / 1000);
            q.processing.delete(key);
          }
        },
        retried: () => this.#retries.inc(ql),
      },
      started: (maxConcurrent) => {
        for (const result of ['error', 'requeue_after', 'requeue', 'success']) this.#reconcileTotal.inc({ controller: name, result }, 0);
        for (const m of [this.#reconcileErrors, this.#terminalErrors, this.#reconcilePanics, this.#reconcileTimeouts]) m.inc(c, 0);
        this.#maxConcurrent.set(c, maxConcurrent);
        this.#activeWorkers.set(c, 0);
      },
      workerBusy: (delta) => this.#activeWorkers.inc(c, delta),
      reconciled: (seconds, outcome, timedOut) => {
        this.#reconcileTime.observe(c, seconds);
        if (timedOut) this.#reconcileTimeouts.inc(c);
        if ('thrown' in outcome) {
          // controller-runtime recovers a panic into an error: counted as a panic and as an error.
          this.#reconcilePanics.inc(c);
          this.#reconcileErrors.inc(c);
          this.#reconcileTotal.inc({ controller: name, result: 'error' });
          return;
        }
        const label = resultLabel(outcome.result);
        if (label === 'error') {
          this.#reconcileErrors.inc(c);
          if (outcome.result.kind === 'done') this.#terminalErrors.inc(c);
        }
        this.#reconcileTotal.inc({ controller: name, result: label });
      },
    };
  }

  /** client-go's rest_client_requests_total adapter: code is the HTTP status, or `<error>` when none came. */
  readonly rest: RestClientMetrics = {
    observe: (code, method, host) => this.#restRequests.inc({ code, method, host }),
  };

  /** ESO's ObserveAPICall (runtime/metrics): status `error` when the call failed, else `success`. */
  observeApiCall(provider: string, call: string, failed: boolean): void {
    this.#apiCalls.inc({ provider, call, status: failed ? 'error' : 'success' });
  }

  /** Hooks for the per-vault limiter and the read sharing (Projector's own families). */
  readonly vault: VaultReadObserver & { readShared(): void } = {
    waited: (vault, ms) => {
      this.#limiterWaits.inc({ vault });
      this.#limiterWaitSeconds.inc({ vault }, ms / 1000);
    },
    throttled: (vault) => this.#throttled.inc({ vault }),
    readShared: () => this.#readsSaved.inc(),
  };

  /**
   * The exposition text of every family with a series (Prometheus text format 0.0.4,
   * `registry.contentType`, written as client_golang writes it: platform/prom-text.ts): the
   * process-wide registry's, then the per-object families', the latter formatted again only after
   * one of their series changed.
   */
  async text(): Promise<string> {
    const main = await this.#mainFormatter.text(this.registry);
    const version = this.#objectsVersion;
    let objects = this.#objectsText?.version === version ? this.#objectsText.text : undefined;
    if (objects === undefined) {
      objects = await this.#objectsFormatter.text(this.#objects);
      // Kept only if nothing changed while it was formatted.
      if (this.#objectsVersion === version) this.#objectsText = { version, text: objects };
    }
    return main + objects;
  }

  /** Every family registered, process-wide and per-object alike: name, type, label names and help text. */
  families(): { name: string; type: string; labelNames: string[]; help: string }[] {
    return [...this.registry.getMetricsAsArray(), ...this.#objects.getMetricsAsArray()].map((m) => {
      const { name, type, labelNames, help } = m as unknown as { name: string; type: string; labelNames?: readonly string[]; help: string };
      return { name, type: String(type), labelNames: [...(labelNames ?? [])], help };
    });
  }

  /** leader_election_master_status{name=leaseName}, read at each scrape (only with leader election, as controller-runtime). */
  trackLeader(leaseName: string, isLeader: () => boolean): void {
    this.#leaders.set(leaseName, isLeader);
  }

  /**
   * The ExternalSecret reconciler's own families, as ESO's Reconcile updates them (deferred;
   * externalsecret_controller.go). `objectLabels`: the labels of the ExternalSecret the reconcile
   * read, when it existed and was not being deleted — ESO then refines its resourceLabels with them
   * (`RefineLabels(resourceLabels, externalSecret.Labels)`), so the extended labels carry their
   * values and a label `name` or `namespace` replaces the key's; otherwise name and namespace only.
   */
  externalSecretReconciled(key: ObjectKey, seconds: number, failed: boolean, objectLabels?: Record<string, string>): void {
    const labels = refineLabels(this.#nonConditionLabels, splitKey(key), objectLabels);
    this.#objectsVersion++;
    this.#esDuration.set(labels, seconds * 1e9);
    this.#syncCalls.inc(labels);
    if (failed) this.#syncErrors.inc(labels);
  }

  storeReconciled(kind: 'SecretStore' | 'ClusterSecretStore', key: ObjectKey, seconds: number): void {
    const gauge = kind === 'SecretStore' ? this.#ssDuration : this.#cssDuration;
    this.#set(gauge, refineLabels(this.#nonConditionLabels, splitKey(key), undefined), seconds * 1e9);
  }

  /**
   * ESO's esmetrics.UpdateExternalSecretCondition for the Ready condition: Ready=True sets
   * {Ready,True}=1 and {Ready,False}=0 (and the reverse), Unknown sets only {Ready,Unknown}=1; a
   * deleted ExternalSecret drops its Ready series and leaves {Deleted,False}=1, as ESO does. The
   * series are matched for removal by the object's own name and namespace (ESO's baseLabels), so
   * series an object label `name`/`namespace` renamed are not removed, as in ESO.
   */
  setExternalSecretCondition(es: Pick<ExternalSecret, 'metadata' | 'status'>, deleted = false): void {
    const base = { name: es.metadata.name!, namespace: es.metadata.namespace ?? '' };
    const labels = refineLabels(this.#conditionLabels, base, es.metadata.labels);
    const g = this.#esCondition;
    const drop = (condition: string) => this.#removeMatching(g, { ...base, condition });
    if (deleted) {
      drop('Ready');
      // ESO sets it on a stand-in object with only name and namespace (externalsecret_controller.go,
      // NotFound): none of the deleted object's labels.
      this.#set(g, { ...refineLabels(this.#conditionLabels, base, undefined), condition: 'Deleted', status: 'False' }, 1);
      return;
    }
    const ready = es.status?.conditions?.find((c) => c.type === 'Ready');
    if (!ready) return;
    drop('Deleted');
    this.#setCondition(g, labels, base, ready.status);
  }

  /** ESO's secretstore/metrics UpdateStatusCondition; a deleted store's series are removed (RemoveMetrics). */
  setStoreCondition(store: GenericStore, deleted = false): void {
    const kind = store.kind === 'ClusterSecretStore' ? 'ClusterSecretStore' : 'SecretStore';
    const [condition, duration] = kind === 'SecretStore' ? [this.#ssCondition, this.#ssDuration] : [this.#cssCondition, this.#cssDuration];
    const base = { name: store.metadata.name!, namespace: store.metadata.namespace ?? '' };
    if (deleted) {
      this.#removeMatching(condition, base);
      this.#removeMatching(duration, base);
      return;
    }
    const ready = store.status?.conditions?.find((c) => c.type === 'Ready');
    if (!ready) return;
    this.#setCondition(condition, refineLabels(this.#conditionLabels, base, store.metadata.labels), base, ready.status);
  }

  /** ESO's deferred clusterexternalsecret_reconcile_duration (name and namespace "" only, as ESO refines them). */
  clusterExternalSecretReconciled(key: ObjectKey, seconds: number): void {
    this.#set(this.#cesDuration, refineLabels(this.#nonConditionLabels, splitKey(key), undefined), seconds * 1e9);
  }

  /**
   * ESO's cesmetrics.UpdateClusterExternalSecretCondition for the Ready condition: Ready=True sets
   * {Ready,True}=1 and {Ready,False}=0, with the object's labels refined into the extended labels; a
   * deleted ClusterExternalSecret's series are removed (RemoveMetrics). One difference: ESO returns
   * early when the status is not True, leaving {Ready,True}=1 on a ClusterExternalSecret that failed;
   * here Ready=False sets {Ready,False}=1 and {Ready,True}=0, as for ExternalSecrets, so the failure shows.
   */
  setClusterExternalSecretCondition(ces: Pick<ClusterExternalSecret, 'metadata' | 'status'>, deleted = false): void {
    const base = { name: ces.metadata.name!, namespace: '' };
    if (deleted) {
      this.#removeMatching(this.#cesCondition, base);
      this.#removeMatching(this.#cesDuration, base);
      return;
    }
    const ready = ces.status?.conditions?.find((c) => c.type === 'Ready');
    if (!ready) return;
    this.#setCondition(this.#cesCondition, refineLabels(this.#conditionLabels, base, ces.metadata.labels), base, ready.status);
  }

  /** ESO's deferred pushsecret_reconcile_duration (pushsecret_controller.go Reconcile). */
  pushSecretReconciled(key: ObjectKey, seconds: number): void {
    this.#set(this.#psDuration, refineLabels(this.#nonConditionLabels, splitKey(key), undefined), seconds * 1e9);
  }

  /**
   * ESO's psmetrics.UpdatePushSecretCondition for the Ready condition (called from
   * SetPushSecretCondition): the current status 1, the opposite 0, the object's labels refined into
   * the extended labels; a deleted PushSecret's series are removed.
   */
  setPushSecretCondition(ps: Pick<PushSecret, 'metadata' | 'status'>, deleted = false): void {
    const base = { name: ps.metadata.name!, namespace: ps.metadata.namespace ?? '' };
    if (deleted) {
      this.#removeMatching(this.#psCondition, base);
      this.#removeMatching(this.#psDuration, base);
      return;
    }
    const ready = ps.status?.conditions?.find((c) => c.type === 'Ready');
    if (!ready) return;
    this.#setCondition(this.#psCondition, refineLabels(this.#conditionLabels, base, ps.metadata.labels), base, ready.status);
  }

  /**
   * clusterpushsecret_reconcile_duration (name and namespace "" only): ESO registers the family but
   * never sets it; Projector sets it per reconcile, as pushsecret_reconcile_duration.
   */
  clusterPushSecretReconciled(key: ObjectKey, seconds: number): void {
    this.#set(this.#cpsDuration, refineLabels(this.#nonConditionLabels, splitKey(key), undefined), seconds * 1e9);
  }

  /**
   * ESO's cpsmetrics.UpdateClusterPushSecretCondition for the Ready condition; a deleted
   * ClusterPushSecret's series are removed (RemoveMetrics). As for ClusterExternalSecrets (same
   * code in ESO), Ready=False sets {Ready,False}=1 and {Ready,True}=0, where ESO returns early.
   */
  setClusterPushSecretCondition(cps: Pick<ClusterPushSecret, 'metadata' | 'status'>, deleted = false): void {
    const base = { name: cps.metadata.name!, namespace: '' };
    if (deleted) {
      this.#removeMatching(this.#cpsCondition, base);
      this.#removeMatching(this.#cpsDuration, base);
      return;
    }
    const ready = cps.status?.conditions?.find((c) => c.type === 'Ready');
    if (!ready) return;
    this.#setCondition(this.#cpsCondition, refineLabels(this.#conditionLabels, base, cps.metadata.labels), base, ready.status);
  }

  #setCondition(g: Gauge<string>, labels: Record<string, string>, base: { name: string; namespace: string }, status: string): void {
    const opposite = status === 'True' ? 'False' : status === 'False' ? 'True' : undefined;
    // A series with other extended-label values (labels changed) would otherwise linger.
    if (opposite) this.#set(g, { ...labels, condition: 'Ready', status: opposite }, 0, { ...base, condition: 'Ready', status: opposite });
    this.#set(g, { ...labels, condition: 'Ready', status }, 1, { ...base, condition: 'Ready', status });
  }

  /**
   * Sets a series of a gauge whose series are later removed by partial match; remembers its labels.
   * With `replacing`, the object's other series matching it go first (DeletePartialMatch, then Set).
   * A series already at `value` is left alone: every watch event of an object comes here, and most
   * change nothing (and the formatted text stays cached).
   */
  #set(g: Gauge<string>, labels: Record<string, string>, value: number, replacing?: Record<string, string> & { name: string; namespace: string }): void {
    const id = seriesId(labels);
    if (replacing) this.#removeMatching(g, replacing, id);
    let byObject = this.#series.get(g);
    if (!byObject) this.#series.set(g, (byObject = new Map()));
    const object = `${labels.namespace ?? ''}/${labels.name ?? ''}`;
    let known = byObject.get(object);
    if (!known) byObject.set(object, (known = new Map()));
    const current = known.get(id);
    if (current?.value === value) return;
    // The series' first labels object again: prom-client keeps the object it is given, and the
    // exposition keeps each series' label text by that object (platform/prom-text.ts).
    const stable = current?.labels ?? labels;
    known.set(id, { labels: stable, value });
    this.#objectsVersion++;
    g.set(stable, value);
  }

  /**
   * prometheus.GaugeVec.DeletePartialMatch: drop every series whose labels include `match` (which
   * names its object), but the one with id `except`.
   */
  #removeMatching(g: Gauge<string>, match: Record<string, string> & { name: string; namespace: string }, except?: string): void {
    const byObject = this.#series.get(g);
    const object = `${match.namespace}/${match.name}`;
    const known = byObject?.get(object);
    if (!known) return;
    for (const [id, { labels }] of known) {
      if (id !== except && Object.entries(match).every(([k, v]) => labels[k] === v)) {
        this.#objectsVersion++;
        g.remove(labels);
        known.delete(id);
      }
    }
    if (known.size === 0) byObject!.delete(object);
  }
}
