// /metrics of a running operator (real API server, the local vault as Azure Key Vault): every
// family ESO and controller-runtime expose, with the result labels ESO's dashboards and alerts read,
// after a sync that succeeds, a provider failure (403) and a bug (an injected failing dependency).
// Then ESO's own Grafana dashboard queries are run against the scrape (selectors only, see below).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { eventually } from '../../support/eventually.ts';
import { parsePromText, select, valueOf, type Sample, type Scrape } from '../../support/prom-text.ts';
import { HOWTO, HowtoEnv } from '../howto/howto-env.ts';

const SP_CLIENT = 'metrics-sp';
const LIMITED_CLIENT = 'metrics-limited';
const NS = 'metrics';
/** The label that makes the injected template renderer throw a TypeError: a bug, not a ProjectorError. */
const FAIL_RENDER = 'test.projector.io/fail-render';

function externalSecret(name: string, store: string, remoteKey: string, labels: Record<string, string> = {}, template?: Record<string, unknown>) {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name, namespace: NS, labels },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: store },
      target: { name, creationPolicy: 'Owner', ...(template ? { template } : {}) },
      data: [{ secretKey: 'VALUE', remoteRef: { key: remoteKey } }],
    },
  };
}

async function scrape(url: string): Promise<Scrape> {
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parsePromText(await res.text());
}

describe('/metrics of a running operator', { timeout: 600_000 }, () => {
  let env: HowtoEnv;
  let url: string;

  before(async () => {
    const goodSecret = `canary-metrics-good-${process.pid}`;
    const limitedSecret = `canary-metrics-limited-${process.pid}`;
    env = await HowtoEnv.start({
      principals: [
        { clientId: SP_CLIENT, clientSecret: goodSecret },
        { clientId: LIMITED_CLIENT, clientSecret: limitedSecret, allowRead: ['other-*'] },
      ],
      operator: {
        serveMetrics: true,
        // An injected failing dependency: the renderer throws for ExternalSecrets carrying FAIL_RENDER.
        wrapRenderer: (inner) => (es, data) => {
          if (es.metadata.labels?.[FAIL_RENDER]) throw new TypeError('injected renderer failure');
          return inner(es, data);
        },
      },
    });
    env.canaries.values.push(goodSecret, limitedSecret);
    url = env.op.metricsUrl!;
    await env.applyCredentialsSecret(SP_CLIENT, goodSecret);
    await env.applyCredentialsSecret(LIMITED_CLIENT, limitedSecret, 'akv-sp-limited');
    const limited = env.howtoStore((azurekv) => {
      for (const field of ['tenantId', 'clientId', 'clientSecret']) azurekv[field].valueFrom.secretKeyRef.name = 'akv-sp-limited';
    });
    limited.metadata.name = 'akv-limited';
    await env.k.apply([env.howtoStore(), limited]);
    // The flood gate (default on) fails an ExternalSecret whose store has not been checked yet, and
    // that counts as a sync error: 'ok' must count none, so its store is Ready first.
    for (const store of [HOWTO.store, 'akv-limited']) await eventually(() => env.storeReady(store), (r) => r.status === 'True', { timeoutMs: 30_000, message: `${store} Ready` });
    await env.k.namespace(NS);
    await env.vault.admin.setSecret('metrics-ok', env.canaries.next('ok'));
    await env.vault.admin.setSecret('metrics-forbidden', env.canaries.next('forbidden'));
    await env.k.apply([
      externalSecret('ok', HOWTO.store, 'metrics-ok') as never,
      externalSecret('forbidden', 'akv-limited', 'metrics-forbidden') as never,
      externalSecret('bug', HOWTO.store, 'metrics-ok', { [FAIL_RENDER]: 'yes' }, { data: { VALUE: '{{ .VALUE }}' } }) as never,
      // A namespaced store too, so the secretstore controller has reconciles to report.
      { apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'local', namespace: NS }, spec: { provider: { fake: { data: [] } } } } as never,
    ]);
    await env.waitEsReady('True', { namespace: NS, name: 'ok' });
    await env.waitEsReady('False', { namespace: NS, name: 'forbidden', message: /VaultForbidden/ });
    await eventually(() => env.k.ready(NS, 'secretstores', 'local'), (r) => r.status === 'True', { timeoutMs: 30_000, message: 'SecretStore Ready' });
    // A ClusterExternalSecret selecting nothing: its controller reconciles it (ESO's dashboard has its panels).
    await env.k.apply([{ apiVersion: 'external-secrets.io/v1', kind: 'ClusterExternalSecret', metadata: { name: 'none' }, spec: { namespaces: ['absent'], externalSecretSpec: { secretStoreRef: { kind: 'ClusterSecretStore', name: HOWTO.store }, data: [{ secretKey: 'k', remoteRef: { key: HOWTO.vaultSecret } }] } } } as never]);
    await eventually(() => env.k.ready(undefined, 'clusterexternalsecrets', 'none'), (r) => r.status === 'True', { timeoutMs: 30_000, message: 'ClusterExternalSecret Ready' });
    // A PushSecret, so the pushsecret controller has reconciles to report (synced or refused: either counts).
    await env.k.apply([
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'push-source', namespace: NS }, stringData: { v: env.canaries.next('push') } } as never,
      { apiVersion: 'external-secrets.io/v1alpha1', kind: 'PushSecret', metadata: { name: 'push', namespace: NS }, spec: { secretStoreRefs: [{ kind: 'ClusterSecretStore', name: HOWTO.store }], selector: { secret: { name: 'push-source' } }, data: [{ match: { secretKey: 'v', remoteRef: { remoteKey: 'metrics-pushed' } } }] } } as never,
    ]);
    await eventually(
      async () => (((await env.k.custom.getNamespacedCustomObject({ group: 'external-secrets.io', version: 'v1alpha1', namespace: NS, plural: 'pushsecrets', name: 'push' })) as any).status?.conditions ?? []).length,
      (n: number) => n > 0,
      { timeoutMs: 30_000, message: 'PushSecret reconciled' },
    );
    // A ClusterPushSecret selecting no namespace: its controller reconciles it (ESO's dashboard has its panels).
    await env.k.apply([
      { apiVersion: 'external-secrets.io/v1alpha1', kind: 'ClusterPushSecret', metadata: { name: 'none' }, spec: { namespaceSelectors: [{ matchLabels: { 'projector.test/absent': 'yes' } }], pushSecretSpec: { secretStoreRefs: [{ kind: 'ClusterSecretStore', name: HOWTO.store }], selector: { secret: { name: 'push-source' } }, data: [{ match: { secretKey: 'v', remoteRef: { remoteKey: 'metrics-cluster-pushed' } } }] } } } as never,
    ]);
    await eventually(
      async () => (((await env.k.custom.getClusterCustomObject({ group: 'external-secrets.io', version: 'v1alpha1', plural: 'clusterpushsecrets', name: 'none' })) as any).status?.conditions ?? []).length,
      (n: number) => n > 0,
      { timeoutMs: 30_000, message: 'ClusterPushSecret reconciled' },
    );
  });

  after(async () => {
    try {
      if (env) await env.assertNoLeaks([NS, HOWTO.credentialsNamespace]);
    } finally {
      await env?.stop();
    }
  });

  it('counts a success, a provider failure (error, as ESO returns the error) and a bug (panic + error)', async () => {
    const s = await eventually(
      () => scrape(url),
      (x) => select(x, 'controller_runtime_reconcile_panics_total', { controller: 'externalsecret' })[0]!.value >= 1 && valueOf(x, 'externalsecret_sync_calls_error', { name: 'forbidden', namespace: NS }) >= 1,
      { timeoutMs: 30_000, message: 'a panic and a sync error counted' },
    );
    const es = { controller: 'externalsecret' };
    const total = (result: string) => valueOf(s, 'controller_runtime_reconcile_total', { ...es, result });
    assert.ok(total('requeue_after') >= 1, 'the synced ExternalSecret is requeued after its refresh interval');
    // forbidden (VaultForbidden, retried with backoff) and bug (thrown) both count as error.
    assert.ok(total('error') >= 2, `error results: ${total('error')}`);
    assert.equal(select(s, 'controller_runtime_reconcile_total', es).map((x) => x.labels.result).sort().join(), 'error,requeue,requeue_after,success');
    assert.ok(valueOf(s, 'controller_runtime_reconcile_errors_total', es) >= 2);
    assert.ok(valueOf(s, 'controller_runtime_reconcile_panics_total', es) >= 1);
    // ESO: BuildControllerOptions(concurrent) for every controller (cmd/controller/root.go);
    // Projector's store controllers run 2 (docs/design/000-overview.md).
    for (const c of ['externalsecret', 'clusterexternalsecret', 'pushsecret', 'clusterpushsecret']) {
      assert.equal(valueOf(s, 'controller_runtime_max_concurrent_reconciles', { controller: c }), 4, c);
    }
    for (const c of ['externalsecret', 'secretstore', 'clustersecretstore']) {
      assert.equal(valueOf(s, 'controller_runtime_max_concurrent_reconciles', { controller: c }), c === 'externalsecret' ? 4 : 2);
      assert.ok(select(s, 'controller_runtime_active_workers', { controller: c }).length === 1);
      assert.ok(valueOf(s, 'controller_runtime_reconcile_time_seconds_count', { controller: c }) >= 1, c);
    }
    assert.ok(valueOf(s, 'controller_runtime_reconcile_total', { controller: 'clustersecretstore', result: 'requeue_after' }) >= 2);
  });

  it("reports ESO's families: status conditions (current 1, opposite 0), sync calls, durations, provider API calls", async () => {
    const s = await eventually(() => scrape(url), (x) => select(x, 'externalsecret_status_condition', { name: 'forbidden', status: 'False' }).length === 1, { timeoutMs: 30_000 });
    const cond = (name: string, status: string) => valueOf(s, 'externalsecret_status_condition', { name, namespace: NS, condition: 'Ready', status });
    assert.deepEqual([cond('ok', 'True'), cond('ok', 'False')], [1, 0]);
    assert.deepEqual([cond('forbidden', 'False'), cond('forbidden', 'True')], [1, 0]);
    assert.equal(valueOf(s, 'clustersecretstore_status_condition', { name: HOWTO.store, namespace: '', condition: 'Ready', status: 'True' }), 1);
    assert.equal(valueOf(s, 'clustersecretstore_status_condition', { name: HOWTO.store, namespace: '', condition: 'Ready', status: 'False' }), 0);
    assert.equal(valueOf(s, 'secretstore_status_condition', { name: 'local', namespace: NS, condition: 'Ready', status: 'True' }), 1);
    assert.equal(valueOf(s, 'secretstore_status_condition', { name: 'local', namespace: NS, condition: 'Ready', status: 'False' }), 0);
    assert.ok(valueOf(s, 'externalsecret_sync_calls_total', { name: 'ok', namespace: NS }) >= 1);
    assert.equal(select(s, 'externalsecret_sync_calls_error', { name: 'ok' }).length, 0);
    assert.ok(valueOf(s, 'externalsecret_sync_calls_error', { name: 'bug', namespace: NS }) >= 1);
    assert.ok(valueOf(s, 'externalsecret_reconcile_duration', { name: 'ok', namespace: NS }) > 0);
    assert.ok(valueOf(s, 'clustersecretstore_reconcile_duration', { name: HOWTO.store, namespace: '' }) > 0);
    // ESO's cesmetrics, wired from the ClusterExternalSecret controller (Ready=True at 1, False at 0).
    assert.equal(valueOf(s, 'clusterexternalsecret_status_condition', { name: 'none', namespace: '', condition: 'Ready', status: 'True' }), 1);
    assert.equal(valueOf(s, 'clusterexternalsecret_status_condition', { name: 'none', namespace: '', condition: 'Ready', status: 'False' }), 0);
    assert.ok(valueOf(s, 'clusterexternalsecret_reconcile_duration', { name: 'none', namespace: '' }) > 0);
    const calls = (status: string) => valueOf(s, 'externalsecret_provider_api_calls_count', { provider: 'Azure/KeyVault', call: 'GetSecret', status });
    assert.ok(calls('success') >= 1);
    assert.ok(calls('error') >= 1, 'the 403 is an error call');
    assert.ok(valueOf(s, 'externalsecret_provider_api_calls_count', { provider: 'Azure/KeyVault', call: 'GetSecrets', status: 'success' }) >= 1, "the store's validation lists the vault");
  });

  it('serves workqueue_*, rest_client_requests_total, process and Node.js runtime metrics and Projector’s own', async () => {
    const s = await scrape(url);
    const q = { name: 'externalsecret', controller: 'externalsecret' };
    assert.ok(valueOf(s, 'workqueue_adds_total', q) >= 3);
    assert.ok(valueOf(s, 'workqueue_retries_total', q) >= 1);
    assert.equal(select(s, 'workqueue_depth', { ...q, priority: '' }).length, 1);
    assert.ok(valueOf(s, 'workqueue_queue_duration_seconds_count', q) >= 3);
    assert.ok(valueOf(s, 'workqueue_work_duration_seconds_count', q) >= 3);
    assert.equal(select(s, 'workqueue_unfinished_work_seconds', q).length, 1);
    assert.equal(select(s, 'workqueue_longest_running_processor_seconds', q).length, 1);
    const apiHost = new URL(env.cp.server).host;
    assert.ok(valueOf(s, 'rest_client_requests_total', { code: '200', method: 'GET', host: apiHost }) >= 5, 'lists, watches and reads');
    assert.ok(select(s, 'rest_client_requests_total', { method: 'PATCH', host: apiHost }).some((x) => x.labels.code === '200' && x.value >= 1), 'status patches');
    assert.ok(select(s, 'rest_client_requests_total', { method: 'POST', host: apiHost }).some((x) => x.labels.code === '201'), 'Secret and Event creations');
    for (const f of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_p99_seconds']) assert.ok(s.types.has(f), f);
    assert.equal(s.types.get('projector_vault_reads_saved_total'), 'counter');
    // Vectors without a series (no wait, no 429 yet) are left out, as client_golang leaves them out.
    for (const f of ['projector_vault_limiter_waits_total', 'projector_vault_limiter_wait_seconds_total', 'projector_vault_throttled_total']) assert.ok([undefined, 'counter'].includes(s.types.get(f)), f);
  });

  it("ESO's Grafana dashboard: every selector of every panel query returns a series", async () => {
    // This checks selectors, not PromQL evaluation: each `metric{matchers}` / `metric[range]` in a
    // query is matched against the scrape. The `service` label is the target label Prometheus adds
    // from the Service a ServiceMonitor selects: deploy/monitoring names it external-secrets-metrics.
    const dashboard = JSON.parse(readFileSync(new URL('../../fixtures/eso-dashboard/queries.json', import.meta.url), 'utf8')) as { queries: { panel: string; expr: string }[] };
    const s = await scrape(url);
    const samples: Sample[] = s.samples.map((x) => ({ ...x, labels: { ...x.labels, service: 'external-secrets-metrics' } }));
    const controllers = [...new Set(samples.filter((x) => x.name === 'controller_runtime_active_workers').map((x) => x.labels.controller!))].sort();
    assert.deepEqual(controllers, ['clusterexternalsecret', 'clusterpushsecret', 'clustersecretstore', 'externalsecret', 'pushsecret', 'secretstore'], 'the $controller variable (label_values of active_workers)');

    // Families ESO has and Projector lacks: its optional webhook does not count requests (docs/metrics.md).
    const absent = (selector: string) => /controller_runtime_webhook_/.test(selector);
    let checked = 0;
    const skipped = new Set<string>();
    for (const { panel, expr } of dashboard.queries) {
      const variants = expr.includes('$controller') ? controllers.map((c) => expr.replaceAll('$controller', c)) : [expr];
      for (const q of variants) {
        const selectors = [...q.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{([^}]*)\})?\s*(?=\[|\))/g)].filter((m) => m[2] !== undefined || q[m.index! + m[0].length] === '[');
        assert.ok(selectors.length > 0, `no selector found in ${panel}: ${q}`);
        for (const m of selectors) {
          if (absent(m[0])) {
            skipped.add(m[0].replace(/\s+/g, ''));
            continue;
          }
          const matchers = [...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g)].map(([, label, op, value]) => ({ label: label!, op: op!, value: value! }));
          const hit = samples.some(
            (x) =>
              x.name === m[1] &&
              matchers.every(({ label, op, value }) => {
                const v = x.labels[label] ?? '';
                // PromQL regex matchers are fully anchored RE2; these patterns are plain enough for JS.
                const re = new RegExp(`^(?:${value})$`);
                return op === '=' ? v === value : op === '!=' ? v !== value : op === '=~' ? re.test(v) : !re.test(v);
              }),
          );
          assert.ok(hit, `panel "${panel}": ${m[0]} returns no series`);
          checked++;
        }
      }
    }
    assert.ok(checked >= 30, `selectors checked: ${checked}`);
    assert.deepEqual(
      [...skipped].map((x) => x.replace(/\{.*/, '')).filter((v, i, a) => a.indexOf(v) === i).sort(),
      ['controller_runtime_webhook_latency_seconds_bucket', 'controller_runtime_webhook_requests_in_flight', 'controller_runtime_webhook_requests_total'],
      'only the webhook families are missing',
    );
  });
});
