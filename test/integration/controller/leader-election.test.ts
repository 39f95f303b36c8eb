// Leader election between in-process operators on a real kube-apiserver + etcd: one leader writes,
// a killed leader is replaced within the lease duration, a graceful stop hands over at once, and a
// leader cut off from the API server stops before anyone else may start.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { hostname } from 'node:os';
import { startControlPlane, type ControlPlane } from '../../support/controlplane.ts';
import { Cluster, assertNowhere } from '../../support/cluster.ts';
import { startOperator, type RunningOperator, type TestLeaderElection } from '../../support/operator.ts';
import { eventually } from '../../support/eventually.ts';

const NS = 'failover';
const LEASE_PATH = '/apis/coordination.k8s.io/v1/namespaces/external-secrets/leases/projector-controller';
const TIMINGS = { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 500 };
/** Scheduling and request latency on a busy 2-core CI machine. */
const SLACK_MS = 1_500;

const canaries: string[] = [];
const canary = (label: string) => {
  const v = `canary-${label}-${Math.random().toString(36).slice(2, 10)}`;
  canaries.push(v);
  return v;
};

function fakeStore(data: { key: string; value: string }[]) {
  return { apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name: 'fake-store' }, spec: { provider: { fake: { data } } } };
}

function externalSecret(name: string) {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name, namespace: NS },
    spec: { refreshInterval: '1h', secretStoreRef: { kind: 'ClusterSecretStore', name: 'fake-store' }, data: [{ secretKey: 'V', remoteRef: { key: name } }] },
  };
}

const repo = new URL('../../../', import.meta.url).pathname;

/** `projector operator --leader-elect` as its own process, so kill -9 and the exit code are real. */
function spawnOperator(kubeconfigPath: string): { child: ChildProcess; output(): string; exited: Promise<{ code: number | null; signal: string | null; at: number }> } {
  const args = ['src/cli/main.ts', 'operator', '--kubeconfig', kubeconfigPath, '--leader-elect', '--metrics-addr', '0', '--health-addr', '0'];
  args.push('--leader-elect-lease-duration', `${TIMINGS.leaseDurationMs}ms`, '--leader-elect-renew-deadline', `${TIMINGS.renewDeadlineMs}ms`, '--leader-elect-retry-period', `${TIMINGS.retryPeriodMs}ms`);
  const { NO_COLOR: _n, FORCE_COLOR: _f, ...inherited } = process.env;
  const child = spawn(`${repo}node_modules/.bin/node`, args, { cwd: repo, env: { ...inherited, POD_NAMESPACE: 'external-secrets', LOG_LEVEL: 'debug' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: string[] = [];
  child.stdout!.on('data', (c) => chunks.push(String(c)));
  child.stderr!.on('data', (c) => chunks.push(String(c)));
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as string | null, at: Date.now() }));
  return { child, output: () => chunks.join(''), exited };
}

function reconcileCount(op: RunningOperator): number {
  const c = op.manager.counters;
  return [c.externalSecrets, c.secretStores, c.clusterSecretStores].reduce((n, w) => n + Object.values(w.reconciles).reduce((a, b) => a + b, 0), 0);
}

function createdTarget(op: RunningOperator, name: string): boolean {
  return op.logs().split('\n').some((l) => l.includes('"msg":"created target Secret"') && l.includes(`"target":"${NS}/${name}"`));
}

/**
 * The Secret is visible to the test as soon as the API server stored it, which can be before the
 * operator has processed the create's response and logged it: wait for the line.
 */
function loggedCreate(op: RunningOperator, name: string, who: string): Promise<boolean> {
  return eventually(() => createdTarget(op, name), true, { timeoutMs: 5_000, message: `${who} logs that it created Secret ${name}` });
}

describe('leader election on a real API server', { timeout: 600_000 }, () => {
  let cp: ControlPlane;
  let k: Cluster;
  const operators = new Map<string, RunningOperator>();
  const processes: ReturnType<typeof spawnOperator>[] = [];
  const values = new Map<string, string>();

  const start = async (identity: string): Promise<RunningOperator> => {
    const leaderElection: TestLeaderElection = { identity, ...TIMINGS };
    const op = await startOperator(cp.admin, { leaderElection });
    operators.set(identity, op);
    return op;
  };
  const lease = async (): Promise<any> => {
    const r = await k.request('GET', LEASE_PATH);
    return r.status === 200 ? JSON.parse(r.body) : undefined;
  };
  const holder = async (): Promise<string | undefined> => (await lease())?.spec.holderIdentity;
  const storeAll = async () => k.apply([fakeStore([...values].map(([key, value]) => ({ key, value }))) as any]);
  const addExternalSecret = async (name: string) => {
    values.set(name, canary(name));
    await storeAll();
    await k.apply([externalSecret(name) as any]);
  };
  const synced = (name: string) => eventually(() => k.secretValue(NS, name, 'V'), values.get(name), { timeoutMs: 20_000, message: `Secret ${name} synced` });

  before(async () => {
    cp = await startControlPlane();
    k = new Cluster(cp.admin);
    await k.installCrds();
    await k.namespace('external-secrets');
    await k.namespace(NS);
  });

  after(async () => {
    try {
      if (k) {
        // The last test restarts the API server; its storage may still answer 429 for a moment.
        const text = await eventually(() => k.observableText([NS]), () => true, { timeoutMs: 20_000 });
        const logs = Object.fromEntries([...operators].map(([id, op]) => [`logs of ${id}`, op.logs()]));
        processes.forEach((p, i) => (logs[`output of operator process ${i + 1}`] = p.output()));
        assertNowhere(canaries, { ...logs, 'statuses and events': text });
      }
    } finally {
      for (const op of operators.values()) await op.stop();
      for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      await cp?.stop();
    }
  });

  it('elects one leader that alone reconciles, while the follower keeps warm caches', async () => {
    const a = await start('op-a');
    await eventually(() => a.manager.isLeader(), true, { message: 'op-a leads' });
    const b = await start('op-b');
    await addExternalSecret('one');
    await synced('one');

    const l = await lease();
    assert.equal(l.spec.holderIdentity, 'op-a');
    assert.equal(l.spec.leaseDurationSeconds, 3);
    assert.equal(l.spec.leaseTransitions, 0);
    assert.match(l.spec.acquireTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.match(l.spec.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    // The leader renews: renewTime moves while the holder stays.
    await eventually(async () => (await lease()).spec.renewTime, (t: string) => t !== l.spec.renewTime, { timeoutMs: 3_000 });

    await loggedCreate(a, 'one', 'op-a');
    assert.equal(b.manager.isLeader(), false);
    assert.equal(reconcileCount(b), 0);
    assert.equal(createdTarget(b, 'one'), false);
    assert.ok(b.manager.externalSecrets.get(`${NS}/one`), 'the follower caches ExternalSecrets');
  });

  it('replaces a killed leader within the lease duration, and the successor syncs a new ExternalSecret', async (t) => {
    const a = operators.get('op-a')!;
    const b = operators.get('op-b')!;
    const killedAt = Date.now();
    await a.kill(); // no release: the Lease still names op-a until it expires
    assert.equal(await holder(), 'op-a');
    await addExternalSecret('two');

    await eventually(() => b.manager.isLeader(), true, { timeoutMs: TIMINGS.leaseDurationMs + TIMINGS.retryPeriodMs + SLACK_MS, intervalMs: 10, message: 'op-b takes over' });
    const failoverMs = Date.now() - killedAt;
    await synced('two');
    const syncedMs = Date.now() - killedAt;
    t.diagnostic(`kill -9 failover: op-b leads ${failoverMs} ms after op-a was killed; new ExternalSecret synced after ${syncedMs} ms (lease ${TIMINGS.leaseDurationMs} ms, retry ${TIMINGS.retryPeriodMs} ms)`);

    // op-b saw op-a's last renewal at most one retry period before the kill, so it cannot have taken over sooner.
    assert.ok(failoverMs >= TIMINGS.leaseDurationMs - TIMINGS.retryPeriodMs, `failover after ${failoverMs} ms is earlier than the lease allows`);
    const l = await lease();
    assert.equal(l.spec.holderIdentity, 'op-b');
    assert.equal(l.spec.leaseTransitions, 1);
    await loggedCreate(b, 'two', 'op-b');
    assert.equal(createdTarget(a, 'two'), false);
  });

  it('hands over at once when the leader stops gracefully and releases the lease', async (t) => {
    const b = operators.get('op-b')!;
    const c = await start('op-c');
    assert.equal(c.manager.isLeader(), false);
    const stoppedAt = Date.now();
    await b.stop();
    const released = await lease();
    // Either still released, or op-c already took it: never op-b.
    assert.notEqual(released.spec.holderIdentity, 'op-b');

    await eventually(() => c.manager.isLeader(), true, { timeoutMs: TIMINGS.retryPeriodMs + SLACK_MS, intervalMs: 10, message: 'op-c takes over' });
    const handoverMs = Date.now() - stoppedAt;
    t.diagnostic(`graceful handover: op-c leads ${handoverMs} ms after op-b began stopping (lease ${TIMINGS.leaseDurationMs} ms)`);
    assert.ok(handoverMs < TIMINGS.leaseDurationMs, `handover took ${handoverMs} ms: the lease was not released`);
    assert.equal((await lease()).spec.leaseTransitions, 2);

    await addExternalSecret('three');
    await synced('three');
    await loggedCreate(c, 'three', 'op-c');
  });

  it('a leader cut off from the API server stops its workers within the renew deadline, before the follower takes over', async (t) => {
    const c = operators.get('op-c')!;
    const d = await start('op-d');
    const cutAt = Date.now();
    c.cutOffLease();
    const lostAt = await eventually(() => c.lostLeadershipAt(), (x) => x !== undefined, { timeoutMs: TIMINGS.retryPeriodMs + TIMINGS.renewDeadlineMs + SLACK_MS, intervalMs: 10, message: 'op-c gives up' });
    await eventually(() => d.manager.isLeader(), true, { timeoutMs: TIMINGS.leaseDurationMs + SLACK_MS, intervalMs: 10, message: 'op-d takes over' });
    const takeoverAt = Date.now();
    t.diagnostic(`partition: op-c gave up ${lostAt! - cutAt} ms after being cut off; op-d led ${takeoverAt - cutAt} ms after (renew deadline ${TIMINGS.renewDeadlineMs} ms, lease ${TIMINGS.leaseDurationMs} ms)`);
    assert.ok(lostAt! < takeoverAt, 'the old leader stopped before the new one started');
    assert.match(c.logs(), /"level":60,.*"msg":"leader election lost"/);

    const reconcilesBefore = reconcileCount(c);
    await addExternalSecret('four');
    await synced('four');
    await loggedCreate(d, 'four', 'op-d');
    assert.equal(reconcileCount(c), reconcilesBefore, 'the old leader reconciles nothing after losing the lease');
  });

  it('as a process: kill -9 of the leader fails over, and a leader that loses its lease exits with code 1', async (t) => {
    await operators.get('op-d')!.stop(); // releases, so the process below leads at once
    const hostPrefix = `${hostname()}_`;
    const p1 = spawnOperator(cp.kubeconfigPath);
    processes.push(p1);
    const p1Identity = await eventually(holder, (h) => h?.startsWith(hostPrefix) === true, { timeoutMs: 20_000, message: 'process 1 leads' });
    const f = await start('op-f');
    await addExternalSecret('five');
    await synced('five');
    // The process logs asynchronously: its line may arrive just after the Secret is visible.
    const createdFive = new RegExp(`"target":"${NS}/five".*"msg":"created target Secret"|"msg":"created target Secret".*"target":"${NS}/five"`);
    await eventually(p1.output, (o) => createdFive.test(o), { timeoutMs: 5_000, message: 'process 1 logs that it created Secret five' });

    const killedAt = Date.now();
    p1.child.kill('SIGKILL');
    assert.equal((await p1.exited).signal, 'SIGKILL');
    await eventually(() => f.manager.isLeader(), true, { timeoutMs: TIMINGS.leaseDurationMs + TIMINGS.retryPeriodMs + SLACK_MS, intervalMs: 10, message: 'op-f takes over' });
    const failoverMs = Date.now() - killedAt;
    await addExternalSecret('six');
    await synced('six');
    await loggedCreate(f, 'six', 'op-f');
    t.diagnostic(`SIGKILL of an operator process: op-f leads ${failoverMs} ms later`);

    await f.stop();
    const p2 = spawnOperator(cp.kubeconfigPath);
    processes.push(p2);
    await eventually(holder, (h) => h?.startsWith(hostPrefix) === true && h !== p1Identity, { timeoutMs: 20_000, message: 'process 2 leads' });
    const cutAt = Date.now();
    await cp.stopApiServer();
    const exit = await Promise.race([p2.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), TIMINGS.retryPeriodMs + TIMINGS.renewDeadlineMs + 5_000).unref())]);
    await cp.startApiServer();
    assert.ok(exit, 'the operator process did not exit after losing its lease');
    t.diagnostic(`API server gone: the leading process exited ${exit.at - cutAt} ms later with code ${exit.code}`);
    assert.equal(exit.code, 1);
    // 'exit' can come before the last of the process's output has been read.
    await eventually(p2.output, (o) => /"level":60,.*"msg":"leader election lost"/.test(o), { timeoutMs: 5_000, message: 'process 2 logs that it lost the election' });
    assert.ok(exit.at - cutAt <= TIMINGS.retryPeriodMs + TIMINGS.renewDeadlineMs + SLACK_MS, `exited ${exit.at - cutAt} ms after the API server went away`);
  });
});
