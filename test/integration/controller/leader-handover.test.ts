// A paused leader (SIGSTOP past the lease duration) resumes after a successor took over: it must write
// nothing more. Each operator process has its own API server user, and the API server's audit log
// tells their writes apart.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { startControlPlane, type AuditEvent, type ControlPlane } from '../../support/controlplane.ts';
import { Cluster, assertNowhere } from '../../support/cluster.ts';
import { eventually } from '../../support/eventually.ts';

const NS = 'handover';
const LEASE_PATH = '/apis/coordination.k8s.io/v1/namespaces/external-secrets/leases/projector-controller';
const TIMINGS = { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 500 };
const NAMES = ['a', 'b', 'c', 'd', 'e', 'f'];
const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

const repo = new URL('../../../', import.meta.url).pathname;

function spawnOperator(kubeconfigPath: string): { child: ChildProcess; output(): string; exited: Promise<{ code: number | null; signal: string | null }> } {
  const args = ['src/cli/main.ts', 'operator', '--kubeconfig', kubeconfigPath, '--leader-elect', '--metrics-addr', '0', '--health-addr', '0'];
  args.push('--leader-elect-lease-duration', `${TIMINGS.leaseDurationMs}ms`, '--leader-elect-renew-deadline', `${TIMINGS.renewDeadlineMs}ms`, '--leader-elect-retry-period', `${TIMINGS.retryPeriodMs}ms`);
  const { NO_COLOR: _n, FORCE_COLOR: _f, ...inherited } = process.env;
  const child = spawn(`${repo}node_modules/.bin/node`, args, { cwd: repo, env: { ...inherited, POD_NAMESPACE: 'external-secrets', LOG_LEVEL: 'debug' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: string[] = [];
  child.stdout!.on('data', (c) => chunks.push(String(c)));
  child.stderr!.on('data', (c) => chunks.push(String(c)));
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as string | null }));
  return { child, output: () => chunks.join(''), exited };
}

const isWrite = (e: AuditEvent) => WRITE_VERBS.has(e.verb);
const describeWrite = (e: AuditEvent) => `${e.verb} ${e.objectRef?.resource ?? '?'}${e.objectRef?.subresource ? `/${e.objectRef.subresource}` : ''} ${e.objectRef?.namespace ?? ''}/${e.objectRef?.name ?? ''} at ${e.requestReceivedTimestamp}`;

describe('leader hand-over after a paused leader resumes (real API server, audit log)', { timeout: 300_000 }, () => {
  let cp: ControlPlane;
  let k: Cluster;
  const processes: ReturnType<typeof spawnOperator>[] = [];
  const canaries: string[] = [];
  const canary = (label: string) => {
    const v = `canary-${label}-${Math.random().toString(36).slice(2, 10)}`;
    canaries.push(v);
    return v;
  };

  const holder = async (): Promise<string | undefined> => {
    const r = await k.request('GET', LEASE_PATH);
    return r.status === 200 ? JSON.parse(r.body).spec.holderIdentity : undefined;
  };
  const applyStore = (values: Map<string, string>) =>
    k.apply([{ apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name: 'fake-store' }, spec: { provider: { fake: { data: [...values].map(([key, value]) => ({ key, value })) } } } } as any]);

  before(async () => {
    // One user per operator process (both cluster admins), so the audit log attributes every write.
    cp = await startControlPlane({ auditLog: true, users: [{ name: 'op-old', groups: ['system:masters'] }, { name: 'op-new', groups: ['system:masters'] }] });
    k = new Cluster(cp.admin);
    await k.installCrds();
    await k.namespace('external-secrets');
    await k.namespace(NS);
  });

  after(async () => {
    try {
      if (k) assertNowhere(canaries, Object.fromEntries(processes.map((p, i) => [`output of operator process ${i + 1}`, p.output()])));
    } finally {
      for (const p of processes) {
        if (p.child.exitCode === null && p.child.signalCode === null) {
          p.child.kill('SIGCONT');
          p.child.kill('SIGKILL');
        }
      }
      await cp?.stop();
    }
  });

  it('a leader stopped past the lease duration writes nothing after it resumes, and exits as soon as it reads the new holder', async (t) => {
    const values = new Map(NAMES.map((n) => [n, canary(`v1-${n}`)]));
    await applyStore(values);
    // refreshInterval 1s: the leader has refreshes (and status writes) due at any moment, so a paused
    // leader has plenty of work waiting the instant it resumes.
    await k.apply(
      NAMES.map((n) => ({
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: { name: n, namespace: NS },
        spec: { refreshInterval: '1s', secretStoreRef: { kind: 'ClusterSecretStore', name: 'fake-store' }, data: [{ secretKey: 'V', remoteRef: { key: n } }] },
      })) as any,
    );

    const old = spawnOperator(cp.kubeconfigFor('op-old'));
    processes.push(old);
    const oldIdentity = await eventually(holder, (h) => !!h, { timeoutMs: 30_000, message: 'the first process leads' });
    const successor = spawnOperator(cp.kubeconfigFor('op-new'));
    processes.push(successor);
    for (const n of NAMES) await eventually(() => k.secretValue(NS, n, 'V'), values.get(n), { timeoutMs: 20_000, message: `Secret ${n} synced by the first leader` });
    // The successor is up and following (its caches synced) before the leader is paused.
    await eventually(successor.output, (o) => /"msg":"attempting to acquire leader lease"/.test(o), { timeoutMs: 20_000, message: 'the second process waits for the lease' });
    await sleep(1_000);

    const stoppedAt = Date.now();
    old.child.kill('SIGSTOP');
    const newIdentity = await eventually(holder, (h) => !!h && h !== oldIdentity, { timeoutMs: TIMINGS.leaseDurationMs * 3, intervalMs: 50, message: 'the second process takes over' });
    t.diagnostic(`successor leads ${Date.now() - stoppedAt} ms after the leader was stopped`);
    // New values while the old leader sleeps: the successor writes them, and the old leader's caches
    // will see the change (and its own refreshes overdue) the moment it resumes.
    for (const n of NAMES) values.set(n, canary(`v2-${n}`));
    await applyStore(values);
    for (const n of NAMES) await eventually(() => k.secretValue(NS, n, 'V'), values.get(n), { timeoutMs: 20_000, message: `Secret ${n} synced by the successor` });
    // Past the lease duration and the renew deadline by a wide margin, as in a frozen VM.
    const pausedFor = Date.now() - stoppedAt;
    if (pausedFor < 2 * TIMINGS.leaseDurationMs) await sleep(2 * TIMINGS.leaseDurationMs - pausedFor);

    const resumedAt = new Date();
    old.child.kill('SIGCONT');
    const exit = await Promise.race([old.exited, sleep(TIMINGS.renewDeadlineMs + 10_000).then(() => undefined)]);
    assert.ok(exit, 'the resumed leader did not exit');
    assert.equal(exit.code, 1);
    await eventually(old.output, (o) => /"level":60,.*"msg":"leader election lost"/.test(o), { timeoutMs: 5_000, message: 'the resumed leader logs that it lost the election' });
    // Usually the renewal due at resume reads the new holder; a renewal that was in flight at SIGSTOP
    // ends by its deadline timer instead. Either way no write may follow.
    const how = /"msg":"another instance holds the leader lease; stopping at once"/.test(old.output()) ? 'read the new holder' : 'renew deadline';
    const exitedAfterMs = Date.now() - resumedAt.getTime();

    // Let every request the old process might have sent reach the audit log.
    await sleep(1_000);
    const audit = cp.auditEvents();
    const byOld = audit.filter((e) => e.user.username === 'op-old');
    const writesBefore = byOld.filter((e) => isWrite(e) && Date.parse(e.requestReceivedTimestamp) < stoppedAt);
    const writesAfter = byOld.filter((e) => isWrite(e) && Date.parse(e.requestReceivedTimestamp) >= resumedAt.getTime());
    const secretWritesAfter = writesAfter.filter((e) => e.objectRef?.resource === 'secrets');
    const requestsAfter = byOld.filter((e) => Date.parse(e.requestReceivedTimestamp) >= resumedAt.getTime());
    t.diagnostic(
      `old leader: ${writesBefore.length} writes before SIGSTOP (${writesBefore.filter((e) => e.objectRef?.resource === 'secrets').length} to Secrets); after SIGCONT: ${requestsAfter.length} requests, ${writesAfter.length} writes, ${secretWritesAfter.length} Secret writes; exited ${exitedAfterMs} ms after SIGCONT (${how})`,
    );
    // The attribution works: the old leader's own writes (Secret creates among them) are in the log.
    const secretWriters = audit.filter((e) => e.objectRef?.resource === 'secrets' && isWrite(e)).map((e) => `${e.user.username} ${describeWrite(e)}`);
    assert.ok(writesBefore.some((e) => e.objectRef?.resource === 'secrets' && e.verb === 'create'), `the audit log shows the first leader creating Secrets; Secret writes: ${secretWriters.join('; ')}`);
    assert.deepEqual(writesAfter.map(describeWrite), []);
    assert.equal(await holder(), newIdentity);
    // The successor goes on: a new value still arrives.
    values.set('a', canary('v3-a'));
    await applyStore(values);
    await eventually(() => k.secretValue(NS, 'a', 'V'), values.get('a'), { timeoutMs: 20_000, message: 'the successor keeps syncing' });
  });
});
