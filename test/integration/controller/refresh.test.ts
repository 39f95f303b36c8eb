// The watch-driven cells of docs/refresh.md on a real kube-apiserver + etcd: ExternalSecret
// annotation and label changes per refresh policy, a store change, and the target Secret deleted or
// edited per creation policy. Every "does not refresh" is a bounded observation that starts only
// after a positive control (another ExternalSecret hit by the same trigger) has visibly refreshed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane, type ControlPlane } from '../../support/controlplane.ts';
import { Cluster, assertNowhere } from '../../support/cluster.ts';
import { startOperator, type RunningOperator } from '../../support/operator.ts';
import { eventually, holdsFor } from '../../support/eventually.ts';

/** How long a "did not refresh" is watched for, after the positive control refreshed. */
const HOLD_MS = 3_000;
const WAIT = { timeoutMs: 20_000 };

const canaries: string[] = [];
const canary = (label: string) => {
  const v = `canary-${label}-${Math.random().toString(36).slice(2, 10)}`;
  canaries.push(v);
  return v;
};

function store(name: string, value: string) {
  return { apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name }, spec: { provider: { fake: { data: [{ key: 'k', value }] } } } } as any;
}

function es(namespace: string, name: string, storeName: string, spec: Record<string, unknown>) {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name, namespace },
    spec: { refreshInterval: '1h', secretStoreRef: { kind: 'ClusterSecretStore', name: storeName }, data: [{ secretKey: 'V', remoteRef: { key: 'k' } }], ...spec },
  } as any;
}

describe('refresh triggers on a real API server (docs/refresh.md)', { timeout: 600_000 }, () => {
  let cp: ControlPlane;
  let k: Cluster;
  let op: RunningOperator;

  const esPath = (ns: string, name: string) => `/apis/external-secrets.io/v1/namespaces/${ns}/externalsecrets/${name}`;
  const patchMeta = async (ns: string, name: string, metadata: Record<string, unknown>) => {
    const r = await k.request('PATCH', esPath(ns, name), { metadata }, 'application/merge-patch+json');
    assert.equal(r.status, 200, r.body);
  };
  const syncedVersion = async (ns: string, name: string): Promise<string | undefined> => (await k.externalSecret(ns, name)).status?.syncedResourceVersion;
  const value = (ns: string, name: string) => k.secretValue(ns, name, 'V');
  /** Waits for the first sync to be recorded in status (the Secret is written before the status). */
  const syncedOnce = async (ns: string, name: string) => {
    await eventually(() => k.ready(ns, 'externalsecrets', name), (r) => r.status === 'True', { ...WAIT, message: `${ns}/${name} Ready` });
    return eventually(() => syncedVersion(ns, name), (v) => v !== undefined, { ...WAIT, message: `${ns}/${name} status.syncedResourceVersion` });
  };
  const editValue = async (ns: string, name: string, text: string) => {
    const live = await k.secret(ns, name);
    live.data.V = Buffer.from(text).toString('base64');
    await k.core.replaceNamespacedSecret({ name, namespace: ns, body: live });
  };

  before(async () => {
    cp = await startControlPlane();
    k = new Cluster(cp.admin);
    await k.installCrds();
    op = await startOperator(cp.admin);
  });

  after(async () => {
    try {
      if (k && op) assertNowhere(canaries, { 'operator logs': op.logs(), 'statuses and events': await k.observableText(['triggers', 'deleted', 'edited']) });
    } finally {
      await op?.stop();
      await cp?.stop();
    }
  });

  it('store change, force-sync annotation and label change: Periodic and OnChange refresh, CreatedOnce and refreshInterval 0 do not', async () => {
    const ns = 'triggers';
    await k.namespace(ns);
    const [v1, v2, v3] = [canary('trig1'), canary('trig2'), canary('trig3')];
    await k.apply([
      store('trig-store', v1),
      es(ns, 'periodic', 'trig-store', { refreshPolicy: 'Periodic', refreshInterval: '1h' }),
      es(ns, 'zero', 'trig-store', { refreshPolicy: 'Periodic', refreshInterval: '0' }),
      es(ns, 'onchange', 'trig-store', { refreshPolicy: 'OnChange' }),
      es(ns, 'once', 'trig-store', { refreshPolicy: 'CreatedOnce' }),
    ]);
    const names = ['periodic', 'zero', 'onchange', 'once'];
    for (const n of names) await eventually(() => value(ns, n), v1, { ...WAIT, message: `${n} first sync` });
    const first = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await syncedOnce(ns, n)] as const)));
    /** Value and synced version of each ExternalSecret that must not refresh. */
    const snapshot = async (list: string[]) => Object.fromEntries(await Promise.all(list.map(async (n) => [n, { value: await value(ns, n), synced: await syncedVersion(ns, n) }] as const)));
    const untouched = (list: string[]) => Object.fromEntries(list.map((n) => [n, { value: v1, synced: first[n] }]));

    // A store's spec changes: the Periodic one reads at once (Projector: not at its next interval).
    await k.apply([store('trig-store', v2)]);
    await eventually(() => value(ns, 'periodic'), v2, { ...WAIT, message: 'Periodic re-reads after its store changed' });
    await holdsFor(() => snapshot(['zero', 'onchange', 'once']), untouched(['zero', 'onchange', 'once']), { forMs: HOLD_MS, message: 'OnChange, CreatedOnce and interval 0 untouched by a store change' });

    // force-sync: OnChange and Periodic refresh (status records the new version), the others do not.
    for (const n of names) await patchMeta(ns, n, { annotations: { 'force-sync': '1' } });
    await eventually(() => value(ns, 'onchange'), v2, { ...WAIT, message: 'OnChange refreshed on force-sync' });
    await eventually(() => syncedVersion(ns, 'periodic'), (v) => v !== first.periodic, { ...WAIT, message: 'Periodic refreshed on force-sync' });
    await holdsFor(() => snapshot(['zero', 'once']), untouched(['zero', 'once']), { forMs: HOLD_MS, message: 'CreatedOnce and interval 0 ignore force-sync' });

    // A label: the same split.
    const onchangeAfterForce = await syncedVersion(ns, 'onchange');
    const periodicAfterForce = await syncedVersion(ns, 'periodic');
    await k.apply([store('trig-store', v3)]);
    await eventually(() => value(ns, 'periodic'), v3, { ...WAIT, message: 'Periodic re-reads after its store changed again' });
    for (const n of names) await patchMeta(ns, n, { labels: { team: 'blue' } });
    await eventually(() => value(ns, 'onchange'), v3, { ...WAIT, message: 'OnChange refreshed on a label change' });
    await eventually(() => syncedVersion(ns, 'onchange'), (v) => v !== onchangeAfterForce, { ...WAIT, message: 'OnChange records the labelled version' });
    await eventually(() => syncedVersion(ns, 'periodic'), (v) => v !== periodicAfterForce, { ...WAIT, message: 'Periodic refreshed on a label change' });
    await holdsFor(() => snapshot(['zero', 'once']), untouched(['zero', 'once']), { forMs: HOLD_MS, message: 'CreatedOnce and interval 0 ignore a label change' });
  });

  it('target Secret deleted: Owner re-creates at once whatever the refresh policy, Orphan waits for a due refresh, Merge and None never create', async () => {
    const ns = 'deleted';
    await k.namespace(ns);
    const v = canary('del');
    await k.apply([
      store('del-store', v),
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'merge-target', namespace: ns }, stringData: { KEEP: 'kept' } } as any,
      es(ns, 'owner-periodic', 'del-store', {}),
      es(ns, 'owner-once', 'del-store', { refreshPolicy: 'CreatedOnce' }),
      es(ns, 'owner-zero', 'del-store', { refreshInterval: '0' }),
      es(ns, 'orphan-periodic', 'del-store', { target: { creationPolicy: 'Orphan' } }),
      es(ns, 'orphan-fast', 'del-store', { refreshInterval: '2s', target: { creationPolicy: 'Orphan' } }),
      es(ns, 'orphan-onchange', 'del-store', { refreshPolicy: 'OnChange', target: { creationPolicy: 'Orphan' } }),
      es(ns, 'orphan-once', 'del-store', { refreshPolicy: 'CreatedOnce', target: { creationPolicy: 'Orphan' } }),
      es(ns, 'merge', 'del-store', { target: { name: 'merge-target', creationPolicy: 'Merge' } }),
      es(ns, 'none', 'del-store', { target: { creationPolicy: 'None' } }),
    ]);
    const targets = ['owner-periodic', 'owner-once', 'owner-zero', 'orphan-periodic', 'orphan-fast', 'orphan-onchange', 'orphan-once', 'merge-target'];
    for (const t of targets) await eventually(() => value(ns, t), v, { ...WAIT, message: `${t} first sync` });
    for (const n of [...targets.filter((t) => t !== 'merge-target'), 'merge', 'none']) await syncedOnce(ns, n);
    assert.equal(await k.secret(ns, 'none'), undefined, 'creationPolicy None writes nothing');

    for (const t of targets) await k.core.deleteNamespacedSecret({ name: t, namespace: ns });
    for (const t of ['owner-periodic', 'owner-once', 'owner-zero']) await eventually(() => value(ns, t), v, { ...WAIT, message: `Owner target ${t} re-created at once` });
    // Orphan with a 2 s interval: re-created when its refresh is due.
    await eventually(() => value(ns, 'orphan-fast'), v, { ...WAIT, message: 'Orphan target re-created at its next refresh' });
    const stayGone = ['orphan-periodic', 'orphan-onchange', 'orphan-once', 'merge-target', 'none'];
    const present = async (names: string[]) => Promise.all(names.map(async (t) => ((await k.secret(ns, t)) ? t : undefined)));
    await holdsFor(() => present(stayGone), stayGone.map(() => undefined), { forMs: HOLD_MS, message: 'Orphan (1h, OnChange, CreatedOnce), Merge and None targets stay deleted' });

    // An ExternalSecret change is the refresh OnChange waits for; CreatedOnce waits for none.
    await patchMeta(ns, 'orphan-onchange', { annotations: { 'force-sync': '1' } });
    await patchMeta(ns, 'orphan-once', { annotations: { 'force-sync': '1' } });
    await eventually(() => value(ns, 'orphan-onchange'), v, { ...WAIT, message: 'Orphan + OnChange re-created on an ExternalSecret change' });
    await holdsFor(() => present(['orphan-once', 'orphan-periodic']), [undefined, undefined], { forMs: HOLD_MS, message: 'Orphan + CreatedOnce ignores the ExternalSecret change; Orphan + Periodic (1h) waits for its interval' });
  });

  it('target Secret edited: Owner and Merge revert it at once whatever the refresh policy, Orphan keeps the edit', async () => {
    const ns = 'edited';
    await k.namespace(ns);
    const v = canary('edit');
    await k.apply([
      store('edit-store', v),
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'merge-target', namespace: ns }, stringData: { KEEP: 'kept' } } as any,
      es(ns, 'owner-periodic', 'edit-store', {}),
      es(ns, 'owner-once', 'edit-store', { refreshPolicy: 'CreatedOnce' }),
      es(ns, 'owner-zero', 'edit-store', { refreshInterval: '0' }),
      es(ns, 'orphan-periodic', 'edit-store', { target: { creationPolicy: 'Orphan' } }),
      es(ns, 'merge', 'edit-store', { target: { name: 'merge-target', creationPolicy: 'Merge' } }),
    ]);
    const targets = ['owner-periodic', 'owner-once', 'owner-zero', 'orphan-periodic', 'merge-target'];
    for (const t of targets) await eventually(() => value(ns, t), v, { ...WAIT, message: `${t} first sync` });
    for (const n of ['owner-periodic', 'owner-once', 'owner-zero', 'orphan-periodic', 'merge']) await syncedOnce(ns, n);

    for (const t of targets) await editValue(ns, t, 'tampered');
    for (const t of ['owner-periodic', 'owner-once', 'owner-zero', 'merge-target']) await eventually(() => value(ns, t), v, { ...WAIT, message: `${t} reverted at once` });
    assert.equal(await k.secretValue(ns, 'merge-target', 'KEEP'), 'kept', 'Merge keeps the keys it does not manage');
    await holdsFor(() => value(ns, 'orphan-periodic'), 'tampered', { forMs: HOLD_MS, message: 'Orphan keeps a manual edit until a refresh is due' });
  });
});
