// `projector operator` as a process: flags, health and metrics endpoints, a sync, a clean stop.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startControlPlane, type ControlPlane } from '../support/controlplane.ts';
import { Cluster, assertNowhere } from '../support/cluster.ts';
import { eventually } from '../support/eventually.ts';

const root = new URL('../../', import.meta.url).pathname;

describe('projector operator (process)', { timeout: 120_000 }, () => {
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
    const child = spawn(process.execPath, [join(root, 'src/cli/main.ts'), 'operator', '--kubeconfig', cp.kubeconfigPath, '--metrics-addr', '127.0.0.1:0', '--health-addr', '127.0.0.1:0', '--log-level', 'debug'], { cwd: root });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      await eventually(() => k.secretValue('opns', 'e', 'K'), canary, { timeoutMs: 30_000 });
      const ports = await eventually(() => (/"ports":\[(\d+),(\d+)\]/.exec(out) ?? undefined) as RegExpExecArray | undefined, (m) => Boolean(m));
      const [health, metrics] = [Number(ports![1]), Number(ports![2])];
      assert.equal((await fetch(`http://127.0.0.1:${health}/healthz`)).status, 200);
      await eventually(async () => (await fetch(`http://127.0.0.1:${health}/readyz`)).status, 200);
      const text = await (await fetch(`http://127.0.0.1:${metrics}/metrics`)).text();
      assert.match(text, /controller_runtime_reconcile_total\{controller="externalsecret",result="requeueAfter"\} [1-9]/);
      assert.match(text, /externalsecret_status_condition\{name="e",namespace="opns",condition="Ready",status="True"\} 1/);
      assert.match(text, /leader_election_master_status\{name="projector-controller"\} 1/);
      for (const line of out.trim().split('\n')) JSON.parse(line); // every log line is JSON
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, err);
    assert.match(out, /operator stopped/);
    assertNowhere([canary], { stdout: out, stderr: err, 'statuses and events': await k.observableText(['opns']) });
  });

  it('refuses bad flags with exit code 2 and a clear message', async () => {
    const child = spawn(process.execPath, [join(root, 'src/cli/main.ts'), 'operator', '--kubeconfig', cp.kubeconfigPath, '--concurrency', 'lots']);
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise((r) => child.once('exit', r));
    assert.equal(code, 2);
    assert.match(err, /--concurrency must be a positive integer/);
  });
});
