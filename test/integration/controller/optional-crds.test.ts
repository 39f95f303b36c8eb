// An operator on a cluster that lacks an optional CRD (issue 13: the ClusterExternalSecret CRD
// missing kept the operator from ever becoming ready). On a real API server: only the three core
// CRDs installed, the operator serves ExternalSecrets and is ready, naming the missing CRD in its
// log and in /readyz; once the CRD is installed, a ClusterExternalSecret is reconciled with no restart.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { startControlPlane, type ControlPlane } from '../../support/controlplane.ts';
import { Cluster, CRD_FILES } from '../../support/cluster.ts';
import { startOperator, type RunningOperator } from '../../support/operator.ts';
import { eventually } from '../../support/eventually.ts';
import { portOf, serveEndpoints } from '../../../src/controller/http-endpoints.ts';

const CES_CRD = 'clusterexternalsecrets.external-secrets.io';
const PUSH_CRD = 'pushsecrets.external-secrets.io';
const CPS_CRD = 'clusterpushsecrets.external-secrets.io';
const OPTIONAL = [CES_CRD, CPS_CRD, PUSH_CRD];
const coreCrds = CRD_FILES.filter((f) => !OPTIONAL.some((crd) => f.endsWith(`/${crd}.yaml`)));
const cesCrd = CRD_FILES.filter((f) => f.endsWith(`/${CES_CRD}.yaml`));
const pushCrds = CRD_FILES.filter((f) => f.endsWith(`/${PUSH_CRD}.yaml`) || f.endsWith(`/${CPS_CRD}.yaml`));

describe('optional CRDs: an operator on a cluster without the ClusterExternalSecret and PushSecret CRDs', { timeout: 600_000 }, () => {
  let cp: ControlPlane;
  let k: Cluster;
  let op: RunningOperator;
  let health: Server;
  const value = `canary-optional-crd-${process.pid}`;
  const readyz = async () => {
    const res = await fetch(`http://127.0.0.1:${portOf(health)}/readyz`);
    return { status: res.status, body: await res.text() };
  };

  before(async () => {
    assert.equal(coreCrds.length, 3);
    assert.equal(cesCrd.length, 1);
    assert.equal(pushCrds.length, 2);
    cp = await startControlPlane();
    k = new Cluster(cp.admin);
    await k.installCrds(coreCrds);
    // startOperator waits until the operator's caches are synced: with the CRD missing, that is the point.
    op = await startOperator(cp.admin);
    health = await serveEndpoints(op.manager, { host: '127.0.0.1', port: 0 }, 'health');
  });

  after(async () => {
    health?.close();
    await op?.stop();
    await cp?.stop();
  });

  it('is ready, serves ExternalSecrets, and names the missing CRD in its log and in /readyz', async () => {
    await k.namespace('apps');
    await k.apply([
      { apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name: 'fake' }, spec: { provider: { fake: { data: [{ key: 'shared', value }] } } } },
      {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: { name: 'app', namespace: 'apps' },
        spec: { refreshInterval: '1h', secretStoreRef: { kind: 'ClusterSecretStore', name: 'fake' }, target: { name: 'app-secret' }, data: [{ secretKey: 'v', remoteRef: { key: 'shared' } }] },
      },
    ] as never);
    await eventually(() => k.secretValue('apps', 'app-secret', 'v'), value, { timeoutMs: 30_000, message: 'apps/app-secret synced' });

    const r = await readyz();
    assert.equal(r.status, 200);
    assert.equal(
      r.body,
      `ok\n${OPTIONAL.map((crd) => `warning: CRD ${crd} is not installed: its kind is not served until it is (the other kinds are); install it with kubectl apply -k deploy/crds (or the Helm chart's CRDs)\n`).join('')}`,
    );
    assert.deepEqual(op.manager.missingResources(), [
      { path: '/apis/external-secrets.io/v1/clusterexternalsecrets', crd: CES_CRD, optional: true },
      { path: '/apis/external-secrets.io/v1alpha1/clusterpushsecrets', crd: CPS_CRD, optional: true },
      { path: '/apis/external-secrets.io/v1alpha1/pushsecrets', crd: PUSH_CRD, optional: true },
    ]);
    const warnings = op
      .logs()
      .split('\n')
      .filter((l) => l.includes(`CRD ${CES_CRD} is not installed`));
    // Logged once, however often the operator asks again.
    assert.equal(warnings.length, 1, op.logs());
    assert.match(JSON.parse(warnings[0]!).msg, /the other kinds are served, and this one starts when the CRD appears \(install the CRDs: kubectl apply -k deploy\/crds/);
  });

  it('serves ClusterExternalSecrets (and PushSecrets, ClusterPushSecrets) once the CRDs are installed, without a restart', async () => {
    await k.installCrds([...cesCrd, ...pushCrds]);
    await k.namespace('team-a', { team: 'a' });
    await k.apply([
      {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ClusterExternalSecret',
        metadata: { name: 'shared' },
        spec: {
          namespaceSelectors: [{ matchLabels: { team: 'a' } }],
          externalSecretSpec: { refreshInterval: '1h', secretStoreRef: { kind: 'ClusterSecretStore', name: 'fake' }, target: { name: 'shared-secret' }, data: [{ secretKey: 'v', remoteRef: { key: 'shared' } }] },
        },
      },
    ] as never);
    const status = await eventually(
      async () => ((await k.custom.getClusterCustomObject({ group: 'external-secrets.io', version: 'v1', plural: 'clusterexternalsecrets', name: 'shared' })) as any).status ?? {},
      (s: any) => JSON.stringify(s.provisionedNamespaces) === '["team-a"]',
      { timeoutMs: 60_000, message: 'ClusterExternalSecret provisioned team-a' },
    );
    assert.deepEqual(status.conditions.map((c: any) => [c.type, c.status]), [['Ready', 'True']]);
    await eventually(() => k.secretValue('team-a', 'shared-secret', 'v'), value, { timeoutMs: 30_000, message: 'team-a/shared-secret synced' });
    // Each missing CRD is asked for again on its own timer (every 10 s): the push kinds may come a
    // period after the ClusterExternalSecret. Wait for all of them, never read once.
    await eventually(() => op.manager.missingResources(), [], { timeoutMs: 30_000, message: 'every optional CRD served' });
    await eventually(() => readyz(), { status: 200, body: 'ok\n' }, { timeoutMs: 10_000, message: '/readyz ok' });
    assert.match(op.logs(), new RegExp(`serves /apis/external-secrets\\.io/v1/clusterexternalsecrets now \\(CRD ${CES_CRD.replaceAll('.', '\\.')} installed\\)`));
  });
});
