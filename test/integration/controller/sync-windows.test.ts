// spec.syncWindows on a real kube-apiserver + etcd with the operator on the real (UTC) clock: a
// window open for the first 15 seconds of every minute (`* * * * *`, 15s). An `allow` ExternalSecret
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
/** Open from second 0 to second 15 (inclusive) of every minute, UTC. */
const WINDOW = { schedule: '* * * * *', duration: '15s' };
const { canaries, canary } = canaryMaker();

const store = (value: string) => ({ apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name: 'windows-store' }, spec: { provider: { fake: { data: [{ key: 'k', value }] } } } }) as any;
const es = (name: string, syncWindows?: object) =>
  ({
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name, namespace: NS },
    spec: { refreshInterval: '5s', secretStoreRef: { kind: 'ClusterSecretStore', name: 'windows-store' }, data: [{ secretKey: 'V', remoteRef: { key: 'k' } }], ...(syncWindows && { syncWindows }) },
  }) as any;

/** Seconds into the current UTC minute, with the fraction. */
const secondOfMinute = () => (Date.now() % 60_000) / 1000;

/** Sleeps until the clock is at second `from` to `to` (exclusive) of a minute. */
async function waitForSecond(from: number, to: number): Promise<void> {
  const s = secondOfMinute();
  if (s >= from && s < to) return;
  await sleep((((from - s + 60) % 60) + 0.05) * 1000);
}

describe('spec.syncWindows on a real API server (docs/refresh.md)', { timeout: 300_000 }, () => {
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
    const [v1, v2, v3] = [canary('win1'), canary('win2'), canary('win3')];
    await k.namespace(NS);

    // Seconds 18–30: the window is closed, so `allow` is held back and `deny` is not.
    await waitForSecond(18, 30);
    await k.apply([store(v1), es('allow', { kind: 'allow', windows: [WINDOW] }), es('deny', { kind: 'deny', windows: [WINDOW] }), es('none')]);
    // A first sync is never held back, window or not.
    for (const n of ['allow', 'deny', 'none']) await eventually(() => value(n), v1, { ...WAIT, message: `${n}: first sync` });
    const allowSynced = await eventually(() => refreshTime('allow'), (t) => t !== undefined, { ...WAIT, message: 'allow: status.refreshTime' });

    // New data while the window is closed: `none` and `deny` read it (the positive controls) ...
    await k.apply([store(v2)]);
    await eventually(() => value('none'), v2, { ...WAIT, message: 'none: refreshed' });
    await eventually(() => value('deny'), v2, { ...WAIT, message: 'deny: refreshed outside its window' });
    // ... `allow` does not, until its window opens at the next minute (watched until second 58).
    const holdMs = (58 - secondOfMinute()) * 1000;
    assert.ok(holdMs >= 3_000, `enough of the minute is left to watch allow being held back (${holdMs} ms)`);
    await holdsFor(async () => ({ value: await value('allow'), refreshTime: await refreshTime('allow') }), { value: v1, refreshTime: allowSynced }, { forMs: holdMs, message: 'allow: held back while its window is closed' });
    await eventually(() => value('allow'), v2, { timeoutMs: 30_000, message: 'allow: refreshed once its window opened' });
    const allowAt = new Date((await refreshTime('allow'))!);
    assert.ok(allowAt.getUTCSeconds() <= 15, `allow refreshed inside its window (refreshTime ${allowAt.toISOString()})`);

    // Inside the window now: `allow` and `none` read new data, `deny` waits for second 15.
    const inWindow = secondOfMinute();
    assert.ok(inWindow < 11, `still early in the window (second ${inWindow})`);
    const denyBefore = await refreshTime('deny');
    await k.apply([store(v3)]);
    await eventually(() => value('none'), v3, { ...WAIT, message: 'none: refreshed' });
    await eventually(() => value('allow'), v3, { ...WAIT, message: 'allow: refreshed inside its window' });
    const denyHoldMs = (14.5 - secondOfMinute()) * 1000;
    assert.ok(denyHoldMs > 0, 'the window is still open');
    await holdsFor(() => value('deny'), v2, { forMs: denyHoldMs, message: 'deny: held back while its window is open' });
    await eventually(() => value('deny'), v3, { timeoutMs: 30_000, message: 'deny: refreshed once its window closed' });
    const denyAt = new Date((await refreshTime('deny'))!);
    assert.notEqual(denyAt.toISOString(), denyBefore);
    assert.ok(denyAt.getUTCSeconds() >= 15, `deny refreshed after its window (refreshTime ${denyAt.toISOString()})`);
    // Held back means no Warning: the conditions stay Ready.
    for (const n of ['allow', 'deny']) assert.equal((await k.ready(NS, 'externalsecrets', n)).status, 'True', n);
  });
});
