// `projector operator` as a process: flags, health and metrics endpoints, a sync, a clean stop.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startControlPlane, type ControlPlane } from '../support/controlplane.ts';
import { Cluster, assertNowhere } from '../support/cluster.ts';
import { eventually } from '../support/eventually.ts';

const root = new URL('../../', import.meta.url).pathname;

describe('projector operator (process)', { timeout: 600_000 }, () => {
  let cp: ControlPlane;
  let k: Cluster;
  before(async () => {
    cp = await startControlPlane();
    k = new Cluster(cp.admin);
    await k.installCrds();
  });
  after(async () => {
    await cp?.stop();
  });

  it('syncs, serves /healthz /readyz /metrics, logs JSON without values, and stops cleanly on SIGTERM', async () => {
    const canary = `canary-op-${Math.random().toString(36).slice(2)}`;
    await k.namespace('opns');
    await k.apply([
      { apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name: 'fake' }, spec: { provider: { fake: { data: [{ key: 'k', value: canary }] } } } } as any,
      { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'e', namespace: 'opns' }, spec: { secretStoreRef: { kind: 'ClusterSecretStore', name: 'fake' }, data: [{ secretKey: 'K', remoteRef: { key: 'k' } }] } } as any,
    ]);
    const child = spawn(process.execPath, [join(root, 'src/cli/main.ts'), 'operator', '--kubeconfig', cp.kubeconfigPath, '--metrics-addr=127.0.0.1:0', '--live-addr=127.0.0.1:0', '--loglevel=debug', '--enable-flood-gate=true', '--enable-generator-state=false'], { cwd: root });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    // 'close', not 'exit': only then has all of stdout and stderr been read.
    const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
    try {
      await eventually(() => k.secretValue('opns', 'e', 'K'), canary, { timeoutMs: 30_000 });
      const ports = await eventually(() => (/"ports":\[(\d+),(\d+)\]/.exec(out) ?? undefined) as RegExpExecArray | undefined, (m) => Boolean(m));
      const [health, metrics] = [Number(ports![1]), Number(ports![2])];
      await eventually(async () => (await fetch(`http://127.0.0.1:${health}/healthz`)).status, 200, { message: '/healthz answers 200' });
      await eventually(async () => (await fetch(`http://127.0.0.1:${health}/readyz`)).status, 200, { message: '/readyz answers 200' });
      // The Secret is written before the reconcile returns and before the status is patched: the
      // counters and the condition gauge follow a moment later.
      const wanted = [
        /controller_runtime_reconcile_total\{controller="externalsecret",result="requeue_after"\} [1-9]/,
        /externalsecret_status_condition\{condition="Ready",name="e",namespace="opns",status="True"\} 1/,
        /externalsecret_status_condition\{condition="Ready",name="e",namespace="opns",status="False"\} 0/,
        /externalsecret_sync_calls_total\{name="e",namespace="opns"\} [1-9]/,
        /nodejs_eventloop_lag_seconds [0-9.e-]+/,
        /process_resident_memory_bytes [1-9]/,
      ];
      const text = await eventually(async () => (await fetch(`http://127.0.0.1:${metrics}/metrics`)).text(), (t) => wanted.every((re) => re.test(t)), {
        timeoutMs: 15_000,
        message: `/metrics shows ${wanted.map(String).join(', ')}`,
      });
      for (const re of wanted) assert.match(text, re);
      // Start-up's garbage is given back once before the first sync (operator-run.ts), and again
      // when quiet after the sync (platform/memory-reducer.ts, 2 s of quiet).
      const reduced = await eventually(() => out.split('\n').find((l) => l.includes('quiet after work: memory given back')), (l) => l !== undefined, { timeoutMs: 15_000, message: 'the memory reducer ran' });
      const { heapTotalMb } = JSON.parse(reduced!) as { heapTotalMb: [number, number] };
      const startUp = out.split('\n').find((l) => l.includes('start-up done: memory given back'));
      assert.ok(startUp && out.indexOf(startUp) < out.indexOf('quiet after work'), 'the start-up collection ran, before the first quiet one');
      assert.ok(heapTotalMb[1] <= heapTotalMb[0], `heap total did not grow: ${heapTotalMb.join(' → ')} MB`);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, err);
    // Every log line is JSON: checked once the process is gone, so no line is cut in half.
    for (const line of out.trim().split('\n')) JSON.parse(line);
    assert.match(out, /operator stopped/);
    // ESO's flag names: --loglevel took effect (debug lines), an ignored one was named once, and
    // --enable-flood-gate (implemented: ESO's default, the store was Ready before the sync) is not.
    assert.match(out, /"level":20/);
    assert.equal(out.split('ESO flag --enable-generator-state=false is accepted and ignored').length, 2);
    assert.doesNotMatch(out, /ESO flag --enable-flood-gate/);
    assertNowhere([canary], { stdout: out, stderr: err, 'statuses and events': await k.observableText(['opns']) });
  });

  it('refuses bad flags with exit code 2 and a clear message', async () => {
    const child = spawn(process.execPath, [join(root, 'src/cli/main.ts'), 'operator', '--kubeconfig', cp.kubeconfigPath, '--concurrency', 'lots']);
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise((r) => child.once('close', r));
    assert.equal(code, 2);
    assert.match(err, /--concurrency must be a positive integer/);
  });
});
