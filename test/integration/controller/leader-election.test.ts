// Leader election between in-process operators on a real kube-apiserver + etcd: one leader writes,
// a killed leader is replaced within the lease duration, a graceful stop hands over at once, and a
// leader cut off from the API server stops before anyone else may start.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
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

function reconcileCount(op: RunningOperator): number {
  const c = op.manager.counters;
  return [c.externalSecrets, c.secretStores, c.clusterSecretStores].reduce((n, w) => n + Object.values(w.reconciles).reduce((a, b) => a + b, 0), 0);
}

function createdTarget(op: RunningOperator, name: string): boolean {
  return op.logs().split('\n').some((l) => l.includes('"msg":"created target Secret"') && l.includes(`"target":"${NS}/${name}"`));
}

describe('leader election on a real API server', { timeout: 180_000 }, () => {
  let cp: ControlPlane;
  let k: Cluster;
  const operators = new Map<string, RunningOperator>();
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
        const text = await k.observableText([NS]);
        const logs = Object.fromEntries([...operators].map(([id, op]) => [`logs of ${id}`, op.logs()]));
        assertNowhere(canaries, { ...logs, 'statuses and events': text });
      }
    } finally {
      for (const op of operators.values()) await op.stop();
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

    assert.ok(createdTarget(a, 'one'));
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
    assert.ok(createdTarget(b, 'two'));
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
    assert.ok(createdTarget(c, 'three'));
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
    assert.ok(createdTarget(d, 'four'));
    assert.equal(reconcileCount(c), reconcilesBefore, 'the old leader reconciles nothing after losing the lease');
  });
});
