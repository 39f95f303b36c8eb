// The shape of every metric family /metrics serves: names, types, labels and label values as ESO
// v2.9 and controller-runtime v0.24.1 expose them (sources cited in src/controller/metrics.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { PushSecret } from '../../../src/api/pushsecret.ts';
import type { ClusterExternalSecret, ExternalSecret, GenericStore, ObjectKey } from '../../../src/api/index.ts';
import { OperatorMetrics, RECONCILE_TIME_BUCKETS, resultLabel, WORKQUEUE_BUCKETS } from '../../../src/controller/metrics.ts';
import type { Reconciler, Result } from '../../../src/controller/reconciler.ts';
import { ExponentialFailureRateLimiter } from '../../../src/controller/rate-limiter.ts';
import { runWorkers } from '../../../src/controller/run-workers.ts';
import { WorkQueue } from '../../../src/controller/workqueue.ts';
import { silentLogger } from '../../../src/platform/logger.ts';
import { VaultRateLimiter } from '../../../src/sync/rate-limit.ts';
import { FakeClock, flushMicrotasks } from '../../support/fake-clock.ts';
import { parsePromText, select, valueOf, type Scrape } from '../../support/prom-text.ts';

async function scrape(m: OperatorMetrics): Promise<Scrape> {
  return parsePromText(await m.text());
}

function es(name: string, ready: 'True' | 'False' | 'Unknown' | undefined, labels?: Record<string, string>): ExternalSecret {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name, namespace: 'team', labels },
    spec: {},
    status: ready ? { conditions: [{ type: 'Ready', status: ready, reason: 'r', message: 'm' }] } : {},
  } as unknown as ExternalSecret;
}

function store(kind: 'SecretStore' | 'ClusterSecretStore', name: string, ready: 'True' | 'False'): GenericStore {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind,
    metadata: { name, ...(kind === 'SecretStore' ? { namespace: 'team' } : {}) },
    spec: { provider: {} },
    status: { conditions: [{ type: 'Ready', status: ready, reason: 'r', message: 'm' }] },
  } as unknown as GenericStore;
}

/** A reconciler returning scripted outcomes in order; each takes `ms` of fake time. */
function scripted(clock: FakeClock, outcomes: (Result | Error)[], ms = 30): Reconciler {
  return {
    name: 'externalsecret',
    async reconcile() {
      const next = outcomes.shift();
      await clock.sleep(ms);
      if (next instanceof Error) throw next;
      return next ?? { kind: 'done' };
    },
  };
}

describe('OperatorMetrics', () => {
  it("maps results to controller-runtime's labels: a failed reconcile is error, whatever the queue does next", () => {
    assert.equal(resultLabel({ kind: 'done' }), 'success');
    assert.equal(resultLabel({ kind: 'requeueAfter', ms: 1000 }), 'requeue_after');
    assert.equal(resultLabel({ kind: 'requeueAfter', ms: 0 }), 'success');
    assert.equal(resultLabel({ kind: 'retry' }), 'requeue');
    assert.equal(resultLabel({ kind: 'retry', error: 'VaultUnavailable' }), 'error');
    assert.equal(resultLabel({ kind: 'retryAfter', ms: 5000, error: 'VaultThrottled' }), 'error');
    assert.equal(resultLabel({ kind: 'done', error: 'InvalidSpec' }), 'error');
  });

  it('counts controller_runtime_* per controller and result, through the worker loop', async () => {
    const clock = new FakeClock();
    const m = new OperatorMetrics({ clock });
    const cm = m.controller('externalsecret');
    // Backoffs longer than the test, so each key is reconciled once.
    const queue = new WorkQueue<ObjectKey>({ clock, rateLimiter: new ExponentialFailureRateLimiter({ baseMs: 600_000, maxMs: 600_000 }), metrics: cm.queue });
    const outcomes: (Result | Error)[] = [
      { kind: 'done' },
      { kind: 'requeueAfter', ms: 60_000 },
      { kind: 'retry', error: 'VaultForbidden' },
      { kind: 'done', error: 'InvalidSpec' },
      new TypeError('bug'),
    ];
    const ac = new AbortController();
    const running = runWorkers({ queue, reconciler: scripted(clock, outcomes), concurrency: 3, log: silentLogger(), signal: ac.signal, clock, jitter: (ms) => ms, metrics: cm });
    let s = await scrape(m);
    // controller-runtime initialises every result at 0 and sets the worker count at start.
    for (const result of ['success', 'error', 'requeue', 'requeue_after']) assert.equal(valueOf(s, 'controller_runtime_reconcile_total', { controller: 'externalsecret', result }), 0);
    assert.equal(valueOf(s, 'controller_runtime_max_concurrent_reconciles', { controller: 'externalsecret' }), 3);
    for (const k of ['a', 'b', 'c', 'd', 'e']) queue.add(`ns/${k}`);
    await flushMicrotasks();
    s = await scrape(m);
    assert.equal(valueOf(s, 'controller_runtime_active_workers', { controller: 'externalsecret' }), 3);
    await clock.advance(30);
    await clock.advance(30);
    await flushMicrotasks();
    s = await scrape(m);
    const total = (result: string) => valueOf(s, 'controller_runtime_reconcile_total', { controller: 'externalsecret', result });
    assert.deepEqual([total('success'), total('requeue_after'), total('error'), total('requeue')], [1, 1, 3, 0]);
    assert.equal(valueOf(s, 'controller_runtime_reconcile_errors_total', { controller: 'externalsecret' }), 3);
    assert.equal(valueOf(s, 'controller_runtime_terminal_reconcile_errors_total', { controller: 'externalsecret' }), 1);
    assert.equal(valueOf(s, 'controller_runtime_reconcile_panics_total', { controller: 'externalsecret' }), 1);
    assert.equal(valueOf(s, 'controller_runtime_active_workers', { controller: 'externalsecret' }), 0);
    assert.equal(s.types.get('controller_runtime_reconcile_time_seconds'), 'histogram');
    assert.equal(valueOf(s, 'controller_runtime_reconcile_time_seconds_count', { controller: 'externalsecret' }), 5);
    assert.ok(Math.abs(valueOf(s, 'controller_runtime_reconcile_time_seconds_sum', { controller: 'externalsecret' }) - 0.15) < 1e-9);
    assert.deepEqual(select(s, 'controller_runtime_reconcile_time_seconds_bucket', { controller: 'externalsecret' }).map((x) => x.labels.le), [...RECONCILE_TIME_BUCKETS.map(String), '+Inf']);
    ac.abort();
    await running;
  });

  it("keeps client-go's workqueue_* semantics: dedup'd adds, depth, waiting and working time, retries", async () => {
    const clock = new FakeClock();
    const m = new OperatorMetrics({ clock });
    const cm = m.controller('secretstore');
    const queue = new WorkQueue<ObjectKey>({ clock, rateLimiter: new ExponentialFailureRateLimiter({ baseMs: 5, maxMs: 1000 }), metrics: cm.queue });
    const q = { name: 'secretstore', controller: 'secretstore' };
    queue.add('ns/a');
    queue.add('ns/a'); // already waiting: not an add
    queue.add('ns/b');
    let s = await scrape(m);
    assert.equal(valueOf(s, 'workqueue_adds_total', q), 2);
    assert.equal(valueOf(s, 'workqueue_depth', { ...q, priority: '' }), 2);
    await clock.advance(2000);
    const key = await queue.get();
    assert.equal(key, 'ns/a');
    await clock.advance(500);
    s = await scrape(m);
    assert.equal(valueOf(s, 'workqueue_depth', { ...q, priority: '' }), 1);
    assert.equal(valueOf(s, 'workqueue_queue_duration_seconds_count', q), 1);
    assert.equal(valueOf(s, 'workqueue_queue_duration_seconds_sum', q), 2);
    assert.equal(valueOf(s, 'workqueue_unfinished_work_seconds', q), 0.5);
    assert.equal(valueOf(s, 'workqueue_longest_running_processor_seconds', q), 0.5);
    queue.done('ns/a');
    queue.addRateLimited('ns/a');
    s = await scrape(m);
    assert.equal(valueOf(s, 'workqueue_work_duration_seconds_count', q), 1);
    assert.equal(valueOf(s, 'workqueue_work_duration_seconds_sum', q), 0.5);
    assert.equal(valueOf(s, 'workqueue_unfinished_work_seconds', q), 0);
    assert.equal(valueOf(s, 'workqueue_retries_total', q), 1);
    assert.deepEqual(select(s, 'workqueue_work_duration_seconds_bucket', q).map((x) => Number(x.labels.le)).slice(0, 12), WORKQUEUE_BUCKETS);
    for (const f of ['workqueue_adds_total', 'workqueue_retries_total']) assert.equal(s.types.get(f), 'counter');
    for (const f of ['workqueue_depth', 'workqueue_unfinished_work_seconds', 'workqueue_longest_running_processor_seconds']) assert.equal(s.types.get(f), 'gauge');
    queue.shutDown();
  });

  it('externalsecret_status_condition: the current status at 1, the opposite at 0; a deleted ExternalSecret leaves Deleted=False only', async () => {
    const m = new OperatorMetrics({ clock: new FakeClock() });
    const series = async () => select(await scrape(m), 'externalsecret_status_condition', { name: 'db' }).map((x) => `${x.labels.condition}/${x.labels.status}=${x.value}`).sort();
    m.setExternalSecretCondition(es('db', undefined));
    assert.deepEqual(await series(), []);
    m.setExternalSecretCondition(es('db', 'True'));
    assert.deepEqual(await series(), ['Ready/False=0', 'Ready/True=1']);
    m.setExternalSecretCondition(es('db', 'False'));
    assert.deepEqual(await series(), ['Ready/False=1', 'Ready/True=0']);
    m.setExternalSecretCondition(es('db', 'False'), true);
    assert.deepEqual(await series(), ['Deleted/False=1']);
    m.setExternalSecretCondition(es('db', 'True'));
    assert.deepEqual(await series(), ['Ready/False=0', 'Ready/True=1']);
    assert.equal((await scrape(m)).types.get('externalsecret_status_condition'), 'gauge');
  });

  it('secretstore_ and clustersecretstore_status_condition follow the same rule; a deleted store loses its series', async () => {
    const m = new OperatorMetrics({ clock: new FakeClock() });
    m.setStoreCondition(store('SecretStore', 'akv', 'True'));
    m.setStoreCondition(store('ClusterSecretStore', 'shared', 'False'));
    m.storeReconciled('ClusterSecretStore', '/shared', 0.25);
    let s = await scrape(m);
    assert.equal(valueOf(s, 'secretstore_status_condition', { name: 'akv', namespace: 'team', condition: 'Ready', status: 'True' }), 1);
    assert.equal(valueOf(s, 'secretstore_status_condition', { name: 'akv', namespace: 'team', condition: 'Ready', status: 'False' }), 0);
    assert.equal(valueOf(s, 'clustersecretstore_status_condition', { name: 'shared', namespace: '', condition: 'Ready', status: 'False' }), 1);
    assert.equal(valueOf(s, 'clustersecretstore_reconcile_duration', { name: 'shared', namespace: '' }), 0.25e9);
    m.setStoreCondition(store('ClusterSecretStore', 'shared', 'False'), true);
    s = await scrape(m);
    assert.deepEqual(select(s, 'clustersecretstore_status_condition'), []);
    assert.deepEqual(select(s, 'clustersecretstore_reconcile_duration'), []);
    assert.equal(select(s, 'secretstore_status_condition').length, 2);
  });

  it("clusterexternalsecret_status_condition and _reconcile_duration: ESO's cesmetrics names and labels (namespace \"\"), extended labels from the object, removed on delete", async () => {
    const ces = (ready: 'True' | 'False' | undefined) =>
      ({ metadata: { name: 'shared', labels: { 'app.kubernetes.io/name': 'netbox' } }, status: ready ? { conditions: [{ type: 'Ready', status: ready }] } : {} }) as unknown as ClusterExternalSecret;
    const m = new OperatorMetrics({ clock: new FakeClock(), extendedLabels: true });
    const series = async () => select(await scrape(m), 'clusterexternalsecret_status_condition', { name: 'shared' }).map((x) => `${x.labels.condition}/${x.labels.status}=${x.value}`).sort();
    m.setClusterExternalSecretCondition(ces(undefined));
    assert.deepEqual(await series(), []);
    m.setClusterExternalSecretCondition(ces('True'));
    assert.deepEqual(await series(), ['Ready/False=0', 'Ready/True=1']);
    // ESO would leave True=1 here (its update returns early unless True); the failure shows instead.
    m.setClusterExternalSecretCondition(ces('False'));
    assert.deepEqual(await series(), ['Ready/False=1', 'Ready/True=0']);
    m.clusterExternalSecretReconciled('/shared', 0.5);
    let s = await scrape(m);
    const labels = select(s, 'clusterexternalsecret_status_condition', { status: 'False' })[0]!.labels;
    assert.equal(labels.namespace, '');
    assert.equal(labels.app_kubernetes_io_name, 'netbox');
    assert.equal(valueOf(s, 'clusterexternalsecret_reconcile_duration', { name: 'shared', namespace: '', app_kubernetes_io_name: '' }), 0.5e9);
    assert.equal(s.types.get('clusterexternalsecret_status_condition'), 'gauge');
    assert.equal(s.types.get('clusterexternalsecret_reconcile_duration'), 'gauge');
    m.setClusterExternalSecretCondition(ces('False'), true);
    s = await scrape(m);
    assert.deepEqual(select(s, 'clusterexternalsecret_status_condition'), []);
    assert.deepEqual(select(s, 'clusterexternalsecret_reconcile_duration'), []);
  });

  it("pushsecret_status_condition and _reconcile_duration: ESO's psmetrics names and labels, the opposite status at 0, removed on delete", async () => {
    const ps = (ready: 'True' | 'False' | undefined) =>
      ({ metadata: { name: 'push', namespace: 'team', labels: { 'app.kubernetes.io/name': 'netbox' } }, status: ready ? { conditions: [{ type: 'Ready', status: ready }] } : {} }) as unknown as PushSecret;
    const m = new OperatorMetrics({ clock: new FakeClock(), extendedLabels: true });
    const series = async () => select(await scrape(m), 'pushsecret_status_condition', { name: 'push', namespace: 'team' }).map((x) => `${x.labels.condition}/${x.labels.status}=${x.value}`).sort();
    m.setPushSecretCondition(ps(undefined));
    assert.deepEqual(await series(), []);
    m.setPushSecretCondition(ps('True'));
    assert.deepEqual(await series(), ['Ready/False=0', 'Ready/True=1']);
    // ESO (psmetrics.UpdatePushSecretCondition with condition False): True set to 0, False to 1.
    m.setPushSecretCondition(ps('False'));
    assert.deepEqual(await series(), ['Ready/False=1', 'Ready/True=0']);
    m.pushSecretReconciled('team/push', 0.25);
    let s = await scrape(m);
    assert.equal(select(s, 'pushsecret_status_condition', { status: 'False' })[0]!.labels.app_kubernetes_io_name, 'netbox');
    assert.equal(valueOf(s, 'pushsecret_reconcile_duration', { name: 'push', namespace: 'team', app_kubernetes_io_name: '' }), 0.25e9);
    assert.equal(s.types.get('pushsecret_status_condition'), 'gauge');
    assert.equal(s.types.get('pushsecret_reconcile_duration'), 'gauge');
    m.setPushSecretCondition(ps('False'), true);
    s = await scrape(m);
    assert.deepEqual(select(s, 'pushsecret_status_condition'), []);
    assert.deepEqual(select(s, 'pushsecret_reconcile_duration'), []);
  });

  it("externalsecret_sync_calls_total, _error and reconcile_duration (nanoseconds, as ESO's float64(time.Duration))", async () => {
    const m = new OperatorMetrics({ clock: new FakeClock() });
    m.externalSecretReconciled('team/db', 0.002, false);
    m.externalSecretReconciled('team/db', 0.004, true);
    const s = await scrape(m);
    assert.equal(valueOf(s, 'externalsecret_sync_calls_total', { name: 'db', namespace: 'team' }), 2);
    assert.equal(valueOf(s, 'externalsecret_sync_calls_error', { name: 'db', namespace: 'team' }), 1);
    assert.equal(valueOf(s, 'externalsecret_reconcile_duration', { name: 'db', namespace: 'team' }), 4_000_000);
    assert.equal(s.types.get('externalsecret_sync_calls_total'), 'counter');
    assert.equal(s.types.get('externalsecret_sync_calls_error'), 'counter');
    assert.equal(s.types.get('externalsecret_reconcile_duration'), 'gauge');
  });

  it('--enable-extended-metric-labels: app.kubernetes.io/* labels on conditions, present and empty on sync calls of an ExternalSecret not read (deleted)', async () => {
    const m = new OperatorMetrics({ clock: new FakeClock(), extendedLabels: true });
    m.setExternalSecretCondition(es('db', 'True', { 'app.kubernetes.io/name': 'netbox', 'app.kubernetes.io/part-of': 'web', other: 'x' }));
    m.externalSecretReconciled('team/db', 0.001, false);
    const s = await scrape(m);
    const ready = select(s, 'externalsecret_status_condition', { status: 'True' })[0]!.labels;
    assert.deepEqual(ready, {
      name: 'db', namespace: 'team', condition: 'Ready', status: 'True',
      app_kubernetes_io_name: 'netbox', app_kubernetes_io_instance: '', app_kubernetes_io_version: '', app_kubernetes_io_component: '', app_kubernetes_io_part_of: 'web', app_kubernetes_io_managed_by: '',
    });
    const sync = select(s, 'externalsecret_sync_calls_total')[0]!.labels;
    assert.equal(sync.app_kubernetes_io_name, '');
    assert.equal(Object.keys(sync).length, 8);
    // The object's labels change: its series with the old values go (ESO's DeletePartialMatch),
    // the same status again changes nothing.
    m.setExternalSecretCondition(es('db', 'True', { 'app.kubernetes.io/name': 'netbox-2' }));
    m.setExternalSecretCondition(es('db', 'True', { 'app.kubernetes.io/name': 'netbox-2' }));
    const relabelled = select(await scrape(m), 'externalsecret_status_condition', { name: 'db' });
    assert.deepEqual(relabelled.map((x) => `${x.labels.status}:${x.labels.app_kubernetes_io_name}:${x.labels.app_kubernetes_io_part_of}=${x.value}`).sort(), ['False:netbox-2:=0', 'True:netbox-2:=1']);
    const plain = new OperatorMetrics({ clock: new FakeClock() });
    plain.setExternalSecretCondition(es('db', 'True', { 'app.kubernetes.io/name': 'netbox' }));
    assert.deepEqual(Object.keys(select(await scrape(plain), 'externalsecret_status_condition')[0]!.labels).sort(), ['condition', 'name', 'namespace', 'status']);
  });

  it('keeps the per-object families\' text between scrapes only while none of their series changes', async () => {
    const m = new OperatorMetrics({ clock: new FakeClock() });
    const many = Array.from({ length: 50 }, (_, i) => es(`db-${i}`, 'True'));
    for (const e of many) m.setExternalSecretCondition(e);
    const first = await m.text();
    assert.equal(await m.text(), first, 'nothing changed: the same text');
    m.externalSecretReconciled('team/db-3', 0.5, false);
    assert.equal(valueOf(parsePromText(await m.text()), 'externalsecret_sync_calls_total', { name: 'db-3' }), 1, 'a reconcile shows at the next scrape');
    m.setExternalSecretCondition(es('db-7', 'False'));
    assert.equal(valueOf(parsePromText(await m.text()), 'externalsecret_status_condition', { name: 'db-7', status: 'False' }), 1, 'a condition change shows');
    m.setExternalSecretCondition(es('db-8', 'True'), true);
    const after = parsePromText(await m.text());
    assert.equal(select(after, 'externalsecret_status_condition').filter((x) => x.labels.name === 'db-8' && x.labels.condition === 'Ready').length, 0, 'a removal shows');
    // The cached text is what formatting every family afresh gives (same families, same series).
    const fresh = new OperatorMetrics({ clock: new FakeClock() });
    for (const e of many) fresh.setExternalSecretCondition(e);
    fresh.externalSecretReconciled('team/db-3', 0.5, false);
    fresh.setExternalSecretCondition(es('db-7', 'False'));
    fresh.setExternalSecretCondition(es('db-8', 'True'), true);
    assert.deepEqual(parsePromText(await m.text()), parsePromText(await fresh.text()));
  });

  it('escapes label values as the exposition format says instead of mangling them', async () => {
    const m = new OperatorMetrics({ clock: new FakeClock() });
    m.externalSecretReconciled('team/we"ird\\na\nme', 0, false);
    const text = await m.text();
    assert.ok(text.includes('name="we\\"ird\\\\na\\nme"'), 'quote, backslash and newline escaped');
    assert.equal(valueOf(parsePromText(text), 'externalsecret_sync_calls_total', { namespace: 'team' }), 1);
    assert.equal(select(parsePromText(text), 'externalsecret_sync_calls_total')[0]!.labels.name, 'we"ird\\na\nme');
  });

  it('rest_client_requests_total, externalsecret_provider_api_calls_count and leader_election_master_status', async () => {
    const m = new OperatorMetrics({ clock: new FakeClock() });
    m.rest.observe('200', 'GET', '127.0.0.1:6443');
    m.rest.observe('200', 'GET', '127.0.0.1:6443');
    m.rest.observe('<error>', 'PATCH', '127.0.0.1:6443');
    m.observeApiCall('Azure/KeyVault', 'GetSecret', false);
    m.observeApiCall('Azure/KeyVault', 'GetSecret', true);
    let leader = false;
    m.trackLeader('projector-controller', () => leader);
    let s = await scrape(m);
    assert.equal(valueOf(s, 'rest_client_requests_total', { code: '200', method: 'GET', host: '127.0.0.1:6443' }), 2);
    assert.equal(valueOf(s, 'rest_client_requests_total', { code: '<error>', method: 'PATCH' }), 1);
    assert.equal(valueOf(s, 'externalsecret_provider_api_calls_count', { provider: 'Azure/KeyVault', call: 'GetSecret', status: 'success' }), 1);
    assert.equal(valueOf(s, 'externalsecret_provider_api_calls_count', { provider: 'Azure/KeyVault', call: 'GetSecret', status: 'error' }), 1);
    assert.equal(s.types.get('externalsecret_provider_api_calls_count'), 'counter');
    assert.equal(valueOf(s, 'leader_election_master_status', { name: 'projector-controller' }), 0);
    leader = true;
    s = await scrape(m);
    assert.equal(valueOf(s, 'leader_election_master_status', { name: 'projector-controller' }), 1);
  });

  it("projector_vault_*: limiter waits, 429s and reads saved by sharing", async () => {
    const clock = new FakeClock();
    const m = new OperatorMetrics({ clock });
    const limiter = new VaultRateLimiter({ clock, observer: m.vault, options: { readsPerWindow: 2, windowMs: 1000, burstFraction: 0.5 } });
    const vault = 'https://kv1.vault.azure.net';
    const signal = new AbortController().signal;
    await limiter.acquire(vault, signal);
    const second = limiter.acquire(vault, signal);
    await clock.advance(1000);
    await second;
    limiter.pause(vault, 5000);
    m.vault.readShared();
    const s = await scrape(m);
    assert.equal(valueOf(s, 'projector_vault_limiter_waits_total', { vault: 'kv1.vault.azure.net' }), 1);
    assert.equal(valueOf(s, 'projector_vault_limiter_wait_seconds_total', { vault: 'kv1.vault.azure.net' }), 1);
    assert.equal(valueOf(s, 'projector_vault_throttled_total', { vault: 'kv1.vault.azure.net' }), 1);
    assert.equal(valueOf(s, 'projector_vault_reads_saved_total'), 1);
  });

  it('adds process and Node.js runtime metrics (event-loop lag) only when asked, to its own registry', async () => {
    const withProcess = new OperatorMetrics({ clock: new FakeClock(), processMetrics: true });
    const s = await scrape(withProcess);
    for (const f of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'process_start_time_seconds', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) assert.ok(s.types.has(f), f);
    const without = await scrape(new OperatorMetrics({ clock: new FakeClock() }));
    assert.ok(!without.types.has('process_cpu_seconds_total'));
  });

  it('deploy/monitoring/grafana-dashboard.json reads only families this registry has', () => {
    const dashboard = JSON.parse(readFileSync(new URL('../../../deploy/monitoring/grafana-dashboard.json', import.meta.url), 'utf8')) as { panels: { targets: { expr: string }[] }[] };
    const registered = new Set(new OperatorMetrics({ clock: new FakeClock(), processMetrics: true }).families().map((f) => f.name));
    const used = new Set(dashboard.panels.flatMap((p) => p.targets.flatMap((t) => [...t.expr.matchAll(/([a-z_:][a-z0-9_:]*)\{/g)].map((m) => m[1]!))));
    assert.ok(used.size >= 15, `families used: ${used.size}`);
    // A histogram's series carry _bucket/_sum/_count after the family name.
    assert.deepEqual([...used].filter((f) => !registered.has(f) && !registered.has(f.replace(/_(bucket|sum|count)$/, ''))), []);
  });

  it("serves ESO's and controller-runtime's HELP text for each of their families (test/fixtures/eso-metrics: esmetrics.go, cesmetrics.go, psmetrics.go, ssmetrics.go, runtime/metrics, controller-runtime pkg/internal/controller/metrics, pkg/internal/metrics/workqueue.go, pkg/metrics)", () => {
    const fixture = JSON.parse(readFileSync(new URL('../../../test/fixtures/eso-metrics/v2.9.0/metrics.json', import.meta.url), 'utf8')) as { families: { name: string; help?: string }[] };
    const served = new Map(new OperatorMetrics({ clock: new FakeClock(), processMetrics: true }).families().map((f) => [f.name, f.help]));
    const checked = fixture.families.filter((f) => f.help !== undefined && served.has(f.name));
    assert.ok(checked.length >= 35, `families checked: ${checked.length}`);
    for (const f of checked) assert.equal(served.get(f.name), f.help, f.name);
    // Projector's own keep their own.
    assert.match(served.get('projector_vault_throttled_total')!, /429/);
  });

  it("leaves out a family with no series, as client_golang's text exposition does (no HELP or TYPE line)", async () => {
    const m = new OperatorMetrics({ clock: new FakeClock() });
    let text = await m.text();
    for (const f of ['externalsecret_provider_api_calls_count', 'leader_election_master_status', 'pushsecret_status_condition', 'pushsecret_reconcile_duration', 'controller_runtime_reconcile_total', 'workqueue_depth', 'rest_client_requests_total', 'externalsecret_sync_calls_total']) {
      assert.doesNotMatch(text, new RegExp(`^# (HELP|TYPE) ${f} `, 'm'), f);
    }
    // A counter without labels has its one series from the start, in Go as here.
    assert.match(text, /^projector_vault_reads_saved_total 0$/m);
    m.observeApiCall('Azure/KeyVault', 'GetSecret', false);
    m.controller('externalsecret').started(1);
    text = await m.text();
    assert.match(text, /^# TYPE externalsecret_provider_api_calls_count counter$/m);
    assert.match(text, /^# HELP controller_runtime_reconcile_total Total number of reconciliations per controller$/m);
    assert.doesNotMatch(text, /^# HELP controller_runtime_reconcile_time_seconds /m, 'no reconcile observed yet');
    assert.doesNotMatch(text, /\n\n/, 'families follow each other without a blank line');
  });

  it("writes values as expfmt's writeFloat (strconv 'g'): nanosecond durations in exponent form, histogram bounds as Go's", async () => {
    const m = new OperatorMetrics({ clock: new FakeClock() });
    m.externalSecretReconciled('team/db', 0.004, false);
    m.storeReconciled('SecretStore', 'team/akv', 1.234567e-3);
    const cm = m.controller('externalsecret');
    cm.reconciled(0.5, { result: { kind: 'done' } }, false);
    cm.queue.added('team/db');
    cm.queue.got('team/db');
    const text = await m.text();
    assert.match(text, /^externalsecret_reconcile_duration\{name="db",namespace="team"\} 4e\+06$/m);
    assert.match(text, /^secretstore_reconcile_duration\{name="akv",namespace="team"\} 1\.234567e\+06$/m);
    assert.match(text, /^workqueue_queue_duration_seconds_bucket\{controller="externalsecret",name="externalsecret",le="1e-08"\} 1$/m);
    assert.match(text, /^controller_runtime_reconcile_time_seconds_bucket\{controller="externalsecret",le="0\.005"\} 0$/m);
  });

  it("ExternalSecret sync calls and duration carry the labels of the ExternalSecret read, a label `name`/`namespace` included (externalsecret_controller.go RefineLabels(resourceLabels, externalSecret.Labels))", async () => {
    const m = new OperatorMetrics({ clock: new FakeClock(), extendedLabels: true });
    m.externalSecretReconciled('team/db', 0.001, true, { 'app.kubernetes.io/name': 'netbox', 'app.kubernetes.io/part-of': 'web', other: 'x' });
    let s = await scrape(m);
    const sync = select(s, 'externalsecret_sync_calls_total')[0]!.labels;
    assert.deepEqual(sync, {
      name: 'db', namespace: 'team',
      app_kubernetes_io_name: 'netbox', app_kubernetes_io_instance: '', app_kubernetes_io_version: '', app_kubernetes_io_component: '', app_kubernetes_io_part_of: 'web', app_kubernetes_io_managed_by: '',
    });
    assert.equal(valueOf(s, 'externalsecret_sync_calls_error', { name: 'db', app_kubernetes_io_name: 'netbox' }), 1);
    assert.equal(valueOf(s, 'externalsecret_reconcile_duration', { name: 'db', app_kubernetes_io_part_of: 'web' }), 1e6);
    // Without extended labels, an object label `name` still replaces the name (ESO: the key is registered).
    const plain = new OperatorMetrics({ clock: new FakeClock() });
    plain.externalSecretReconciled('team/db', 0.001, false, { name: 'renamed', 'app.kubernetes.io/name': 'netbox' });
    s = await scrape(plain);
    assert.deepEqual(select(s, 'externalsecret_sync_calls_total').map((x) => x.labels), [{ name: 'renamed', namespace: 'team' }]);
  });

  it("an object label `name` or `namespace` replaces the metric's (esmetrics.go, cesmetrics.go, psmetrics.go, secretstore/metrics: maps.Copy(info, obj.Labels)); removal matches the object's own name, as ESO's DeletePartialMatch", async () => {
    const m = new OperatorMetrics({ clock: new FakeClock(), extendedLabels: true });
    m.setExternalSecretCondition(es('db', 'True', { name: 'app-db', namespace: 'shared', 'app.kubernetes.io/name': 'netbox' }));
    m.setStoreCondition({ ...store('SecretStore', 'akv', 'True'), metadata: { name: 'akv', namespace: 'team', labels: { name: 'vault' } } } as GenericStore);
    m.setPushSecretCondition({ metadata: { name: 'push', namespace: 'team', labels: { namespace: 'elsewhere' } }, status: { conditions: [{ type: 'Ready', status: 'True' }] } } as unknown as PushSecret);
    m.setClusterExternalSecretCondition({ metadata: { name: 'ces', labels: { name: 'other-ces' } }, status: { conditions: [{ type: 'Ready', status: 'True' }] } } as unknown as ClusterExternalSecret);
    let s = await scrape(m);
    assert.deepEqual(select(s, 'externalsecret_status_condition').map((x) => `${x.labels.namespace}/${x.labels.name}:${x.labels.status}:${x.labels.app_kubernetes_io_name}`).sort(), ['shared/app-db:False:netbox', 'shared/app-db:True:netbox']);
    assert.equal(select(s, 'secretstore_status_condition', { name: 'vault', namespace: 'team' }).length, 2);
    assert.equal(select(s, 'pushsecret_status_condition', { name: 'push', namespace: 'elsewhere' }).length, 2);
    assert.equal(select(s, 'clusterexternalsecret_status_condition', { name: 'other-ces' }).length, 2);
    // Deleted: ESO's partial match on {name: db, namespace: team} finds nothing to drop, and the
    // Deleted series is set on a stand-in object without labels.
    m.setExternalSecretCondition(es('db', 'True', { name: 'app-db', namespace: 'shared', 'app.kubernetes.io/name': 'netbox' }), true);
    s = await scrape(m);
    assert.deepEqual(select(s, 'externalsecret_status_condition').map((x) => `${x.labels.namespace}/${x.labels.name}:${x.labels.condition}/${x.labels.status}:${x.labels.app_kubernetes_io_name}`).sort(), [
      'shared/app-db:Ready/False:netbox', 'shared/app-db:Ready/True:netbox', 'team/db:Deleted/False:',
    ]);
  });

  it('a deleted ExternalSecret\'s Deleted series carries no labels of the object (ESO sets it on a stand-in with name and namespace only)', async () => {
    const m = new OperatorMetrics({ clock: new FakeClock(), extendedLabels: true });
    m.setExternalSecretCondition(es('db', 'True', { 'app.kubernetes.io/name': 'netbox' }));
    m.setExternalSecretCondition(es('db', 'True', { 'app.kubernetes.io/name': 'netbox' }), true);
    const s = await scrape(m);
    assert.deepEqual(select(s, 'externalsecret_status_condition').map((x) => `${x.labels.condition}/${x.labels.status}:${x.labels.app_kubernetes_io_name}=${x.value}`), ['Deleted/False:=1']);
  });
});
