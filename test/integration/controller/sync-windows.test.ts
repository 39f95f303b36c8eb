// spec.syncWindows on a real kube-apiserver + etcd with the operator on the real (UTC) clock: a
// window open for the first 30 seconds of every minute (`* * * * *`, 30s). An `allow` ExternalSecret
// refreshes periodically only inside it, a `deny` one only outside it, one without windows whenever
// due (the positive control). ESO: pkg/controllers/externalsecret/externalsecret_controller.go
// shouldRefreshPeriodic → isPeriodicRefreshAllowedByWindows → isWithinSyncWindow; a first sync is
// never held back (shouldRefresh: empty status). Projector requeues a held-back refresh for the
// moment the window allows it (core/sync-windows.ts nextPeriodicRefreshAllowedAt).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startControlPlane, type ControlPlane } from '../../support/controlplane.ts';
import { Cluster, assertNowhere } from '../../support/cluster.ts';
import { startOperator, type RunningOperator } from '../../support/operator.ts';
import { eventually, holdsFor } from '../../support/eventually.ts';
import { canaryMaker } from '../../support/canaries.ts';

const NS = 'sync-windows';
const WAIT = { timeoutMs: 20_000 };
/** Open from second 0 to second 30 (inclusive) of every minute, UTC. */
const WINDOW = { schedule: '* * * * *', duration: '30s' };
const { canaries, canary } = canaryMaker();

const store = (value: string) => ({ apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name: 'windows-store' }, spec: { provider: { fake: { data: [{ key: 'k', value }] } } } }) as any;
const es = (name: string, syncWindows?: object) =>
  ({
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name, namespace: NS },
    spec: { refreshInterval: '5s', secretStoreRef: { kind: 'ClusterSecretStore', name: 'windows-store' }, data: [{ secretKey: 'V', remoteRef: { key: 'k' } }], ...(syncWindows && { syncWindows }) },
  }) as any;

/** Milliseconds since the start of the current UTC minute. */
const msOfMinute = () => Date.now() % 60_000;
/** The UTC minute (since the epoch) of now. */
const minuteNow = () => Math.floor(Date.now() / 60_000);

/** Sleeps until the clock is at second `from` to `to` (exclusive) of a minute. */
async function waitForSecond(from: number, to: number): Promise<void> {
  const s = msOfMinute() / 1000;
  if (s >= from && s < to) return;
  await sleep((((from - s + 60) % 60) + 0.05) * 1000);
}

/**
 * Runs `phase` starting in seconds [from, to) of a minute; it returns false when the machine was too
 * slow to observe what it needs before the window changes (the clock, not the operator, decided),
 * and is then run again in the next minute with fresh data. Three tries.
 */
async function inPhase(from: number, to: number, what: string, phase: () => Promise<boolean>): Promise<void> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    await waitForSecond(from, to);
    if (await phase()) return;
  }
  assert.fail(`${what}: the machine was too slow to observe it in three minutes`);
}

describe('spec.syncWindows on a real API server (docs/refresh.md)', { timeout: 420_000 }, () => {
  let cp: ControlPlane;
  let k: Cluster;
  let op: RunningOperator;

  before(async () => {
    cp = await startControlPlane();
    k = new Cluster(cp.admin);
    await k.installCrds();
    op = await startOperator(cp.admin);
  });

  after(async () => {
    try {
      if (k && op) assertNowhere(canaries, { 'operator logs': op.logs(), 'statuses and events': await k.observableText([NS]) });
    } finally {
      await op?.stop();
      await cp?.stop();
    }
  });

  it('holds a periodic refresh back outside an allow window and inside a deny window, and runs it when the window allows', async () => {
    const value = (name: string) => k.secretValue(NS, name, 'V');
    const refreshTime = async (name: string): Promise<string | undefined> => (await k.externalSecret(NS, name)).status?.refreshTime;
    let n = 0;
    const fresh = () => canary(`win${++n}`);
    await k.namespace(NS);

    // A first sync is never held back, window or not (applied while the window is closed).
    await waitForSecond(33, 45);
    const v0 = fresh();
    await k.apply([store(v0), es('allow', { kind: 'allow', windows: [WINDOW] }), es('deny', { kind: 'deny', windows: [WINDOW] }), es('none')]);
    for (const name of ['allow', 'deny', 'none']) await eventually(() => value(name), v0, { ...WAIT, message: `${name}: first sync` });

    // Window closed (seconds 31–59): new data reaches `none` and `deny` (the positive controls) at
    // once; `allow` keeps its value until its window opens at the next minute.
    await inPhase(33, 40, 'allow held back outside its window', async () => {
      const minute = minuteNow();
      const before = { value: await value('allow'), refreshTime: await refreshTime('allow') };
      const v = fresh();
      await k.apply([store(v)]);
      await eventually(() => value('none'), v, { ...WAIT, message: 'none: refreshed' });
      await eventually(() => value('deny'), v, { ...WAIT, message: 'deny: refreshed outside its window' });
      const holdMs = 58_000 - msOfMinute();
      if (minuteNow() !== minute || holdMs < 3_000) return false;
      await holdsFor(async () => ({ value: await value('allow'), refreshTime: await refreshTime('allow') }), before, { forMs: holdMs, message: 'allow: held back while its window is closed' });
      await eventually(() => value('allow'), v, { timeoutMs: 40_000, message: 'allow: refreshed once its window opened' });
      const at = new Date((await refreshTime('allow'))!);
      assert.ok(at.getUTCSeconds() <= 30, `allow refreshed inside its window (refreshTime ${at.toISOString()})`);
      return true;
    });

    // Window open (seconds 0–30): new data reaches `allow` and `none`; `deny` waits for second 30.
    await inPhase(1, 12, 'deny held back inside its window', async () => {
      const minute = minuteNow();
      const before = await value('deny');
      const beforeTime = await refreshTime('deny');
      const v = fresh();
      await k.apply([store(v)]);
      await eventually(() => value('none'), v, { ...WAIT, message: 'none: refreshed' });
      // `allow` may take up to its 5 s refreshInterval to see the change: leave it 10 s of open window.
      const holdMs = 29_500 - msOfMinute();
      if (minuteNow() !== minute || holdMs < 10_000) return false;
      await eventually(() => value('allow'), v, { timeoutMs: holdMs, message: 'allow: refreshed inside its window' });
      await holdsFor(() => value('deny'), before, { forMs: 29_500 - msOfMinute(), message: 'deny: held back while its window is open' });
      await eventually(() => value('deny'), v, { timeoutMs: 40_000, message: 'deny: refreshed once its window closed' });
      const at = new Date((await refreshTime('deny'))!);
      assert.notEqual(at.toISOString(), beforeTime);
      assert.ok(at.getUTCSeconds() >= 30, `deny refreshed after its window (refreshTime ${at.toISOString()})`);
      return true;
    });
    // Held back means no Warning: the conditions stay Ready.
    for (const name of ['allow', 'deny']) assert.equal((await k.ready(NS, 'externalsecrets', name)).status, 'True', name);
  });
});
