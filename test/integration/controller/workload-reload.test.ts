// --enable-workload-reload on a real API server (no kubelet: the workloads are objects, the test reads
// their pod templates): a rotated value reaches the target Secret, and only the workloads that opted
// in with Reloader's annotations and track that Secret get the new data hash in their pod template.
// test/integration/node/howto-app.test.ts shows the rollout reaching a running Pod.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane, type ControlPlane } from '../../support/controlplane.ts';
import { Cluster, assertNowhere } from '../../support/cluster.ts';
import { startOperator, type RunningOperator } from '../../support/operator.ts';
import { eventually } from '../../support/eventually.ts';
import { decodeSecretData, hashSecretData } from '../../../src/core/secret-data.ts';
import { ANNOTATION_SECRET_HASH, workloadSecretHash } from '../../../src/core/workload-reload.ts';

const NS = 'reload';

const podSpec = (secret: string, how: 'env' | 'volume') => ({
  containers: [
    {
      name: 'app',
      image: 'app:1',
      ...(how === 'env' ? { env: [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: secret, key: 'password' } } }] } : { volumeMounts: [{ name: 's', mountPath: '/s' }] }),
    },
  ],
  ...(how === 'volume' ? { volumes: [{ name: 's', secret: { secretName: secret } }] } : {}),
});

function workload(kind: 'Deployment' | 'StatefulSet' | 'DaemonSet', name: string, annotations: Record<string, string>, secret: string, how: 'env' | 'volume') {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name, namespace: NS, annotations },
    spec: {
      selector: { matchLabels: labels },
      ...(kind === 'StatefulSet' ? { serviceName: name } : {}),
      template: { metadata: { labels }, spec: podSpec(secret, how) },
    },
  };
}

describe('workload reload (Reloader annotations) on a real API server', { timeout: 180_000 }, () => {
  let cp: ControlPlane;
  let k: Cluster;
  let op: RunningOperator;
  const canaries: string[] = [];
  const canary = (label: string) => {
    const v = `canary-${label}-${Math.random().toString(36).slice(2, 10)}`;
    canaries.push(v);
    return v;
  };
  const setStoreValue = (value: string) =>
    k.apply([{ apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'fake', namespace: NS }, spec: { provider: { fake: { data: [{ key: 'db-password', value }] } } } }] as never);
  const templateHash = async (plural: string, name: string): Promise<string | undefined> =>
    JSON.parse((await k.request('GET', `/apis/apps/v1/namespaces/${NS}/${plural}/${name}`)).body).spec?.template?.metadata?.annotations?.[ANNOTATION_SECRET_HASH];
  /** What the operator must write: the hash of the target Secret's current data (as it observes it). */
  const expectedHash = async (): Promise<string> => {
    const s = await k.secret(NS, 'db-credentials');
    return workloadSecretHash(['db-credentials'], (n) => (n === 'db-credentials' ? hashSecretData(decodeSecretData(s.data)) : undefined))!;
  };

  before(async () => {
    cp = await startControlPlane();
    k = new Cluster(cp.admin);
    await k.installCrds();
    await k.namespace(NS);
    op = await startOperator(cp.admin, { workloadReload: true });
  });

  after(async () => {
    try {
      if (op) assertNowhere(canaries, { 'operator logs': op.logs(), 'statuses and events': await k.observableText([NS]) });
    } finally {
      await op?.stop();
      await cp?.stop();
    }
  });

  it('patches the pod template of opted-in workloads that track the rotated Secret, and of no other', async () => {
    const first = canary('v1');
    await setStoreValue(first);
    await k.apply([
      {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: { name: 'db', namespace: NS },
        spec: { refreshInterval: '1h', secretStoreRef: { name: 'fake', kind: 'SecretStore' }, target: { name: 'db-credentials' }, data: [{ secretKey: 'password', remoteRef: { key: 'db-password' } }] },
      },
      // An unmanaged Secret tracked by one workload: never a reason to roll.
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'unmanaged', namespace: NS }, stringData: { password: 'x' } },
      workload('Deployment', 'auto-env', { 'reloader.stakater.com/auto': 'true' }, 'db-credentials', 'env'),
      workload('StatefulSet', 'listed', { 'secret.reloader.stakater.com/reload': 'db-credentials' }, 'other-name', 'volume'),
      workload('DaemonSet', 'secret-auto-volume', { 'secret.reloader.stakater.com/auto': 'true' }, 'db-credentials', 'volume'),
      workload('Deployment', 'not-opted-in', {}, 'db-credentials', 'env'),
      workload('Deployment', 'auto-false', { 'reloader.stakater.com/auto': 'false' }, 'db-credentials', 'env'),
      workload('Deployment', 'tracks-unmanaged', { 'reloader.stakater.com/auto': 'true' }, 'unmanaged', 'env'),
    ] as never);
    await eventually(() => k.secretValue(NS, 'db-credentials', 'password'), first, { timeoutMs: 20_000, message: 'first value synced' });

    // Rotation 1: the store's data changes; its ExternalSecret refreshes at once (store spec changed).
    const second = canary('v2');
    await setStoreValue(second);
    await eventually(() => k.secretValue(NS, 'db-credentials', 'password'), second, { timeoutMs: 20_000, message: 'rotated value synced' });
    const h2 = await expectedHash();
    for (const [plural, name] of [['deployments', 'auto-env'], ['statefulsets', 'listed'], ['daemonsets', 'secret-auto-volume']] as const) {
      await eventually(() => templateHash(plural, name), h2, { timeoutMs: 20_000, message: `${plural}/${name} carries the new data hash` });
    }
    const events = await eventually(
      () => k.events(NS),
      (es) => es.filter((e) => e.reason === 'Reloaded').length >= 3,
      { timeoutMs: 20_000, message: 'a Reloaded event per rolled workload' },
    );
    assert.ok(events.filter((e) => e.reason === 'Reloaded').every((e) => e.message === `pod template annotation ${ANNOTATION_SECRET_HASH} set to ${h2}: Secret db-credentials changed`));

    // Rotation 2: the hash moves again (a template that already carries one is updated).
    const third = canary('v3');
    await setStoreValue(third);
    await eventually(() => k.secretValue(NS, 'db-credentials', 'password'), third, { timeoutMs: 20_000, message: 'second rotation synced' });
    const h3 = await expectedHash();
    assert.notEqual(h3, h2);
    await eventually(() => templateHash('deployments', 'auto-env'), h3, { timeoutMs: 20_000, message: 'auto-env carries the second hash' });

    // By now the reloader has handled both rotations for every workload tracking db-credentials; the
    // others were looked at when they appeared and left alone.
    for (const name of ['not-opted-in', 'auto-false', 'tracks-unmanaged']) assert.equal(await templateHash('deployments', name), undefined, `${name} is not rolled`);
  });

  it('repairs a stale hash on a workload observed again (a rotation missed while the operator was down)', async () => {
    await k.request('PATCH', `/apis/apps/v1/namespaces/${NS}/deployments/auto-env`, { spec: { template: { metadata: { annotations: { [ANNOTATION_SECRET_HASH]: 'stale' } } } } }, 'application/merge-patch+json');
    const current = await expectedHash();
    await eventually(() => templateHash('deployments', 'auto-env'), current, { timeoutMs: 20_000, message: 'the stale hash is replaced by the current one' });
  });
});
