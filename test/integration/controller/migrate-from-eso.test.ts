// Migration from ESO (issue 11, docs/migrate-from-eso.md): an API server holding ESO v2.9's CRDs
// (test/fixtures/eso-crds/v2.9.0) and objects written against them, with fields Projector does not
// implement; Projector's CRDs applied over them by server-side apply, as `kubectl apply
// --server-side --force-conflicts -k deploy/crds` does; then the operator started. Nothing is
// pruned, every object keeps its fields, the ones Projector implements sync (syncWindows among
// them), the others report NotSupported (a generic target: ESO's refusal without its flag); and ESO's CRDs applied back keep every field too.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane, type ControlPlane } from '../../support/controlplane.ts';
import { Cluster } from '../../support/cluster.ts';
import { startOperator, type RunningOperator } from '../../support/operator.ts';
import { eventually } from '../../support/eventually.ts';
import { readEsoCrd } from '../../../scripts/import-eso-schemas.ts';

const NS = 'migrated';
const group = 'external-secrets.io';
const CANARY = 'migrated-canary-5e1d';

const OBJECTS: any[] = [
  {
    apiVersion: `${group}/v1`,
    kind: 'ClusterSecretStore',
    metadata: { name: 'fake' },
    spec: {
      controller: '',
      refreshInterval: '10m',
      retrySettings: { maxRetries: 3, retryInterval: '10s' },
      conditions: [{ namespaces: [NS] }],
      provider: { fake: { data: [{ key: 'db', value: CANARY }, { key: 'json', value: JSON.stringify({ user: 'app' }) }] } },
    },
  },
  {
    apiVersion: `${group}/v1`,
    kind: 'SecretStore',
    metadata: { name: 'aws', namespace: NS },
    spec: {
      provider: {
        aws: {
          service: 'SecretsManager',
          region: 'eu-west-1',
          role: 'arn:aws:iam::123456789012:role/reader',
          sessionTags: [{ key: 'team', value: 'a' }],
          auth: { jwt: { serviceAccountRef: { name: 'reader', audiences: ['sts.amazonaws.com'] } } },
          secretsManager: { forceDeleteWithoutRecovery: true },
        },
      },
    },
  },
  {
    apiVersion: `${group}/v1`,
    kind: 'ExternalSecret',
    metadata: { name: 'implemented', namespace: NS },
    spec: {
      secretStoreRef: { name: 'fake', kind: 'ClusterSecretStore' },
      refreshInterval: '1h',
      refreshPolicy: 'Periodic',
      target: { name: 'implemented', creationPolicy: 'Owner', deletionPolicy: 'Retain', immutable: false, template: { engineVersion: 'v2', mergePolicy: 'Replace', metadata: { labels: { app: 'x' } }, data: { PASSWORD: '{{ .db }}', USER: '{{ .J_user }}' } } },
      data: [{ secretKey: 'db', remoteRef: { key: 'db', nullBytePolicy: 'Ignore', decodingStrategy: 'None', conversionStrategy: 'Default', metadataPolicy: 'None' } }],
      dataFrom: [{ extract: { key: 'json', nullBytePolicy: 'Fail' }, rewrite: [{ regexp: { source: '^(.*)$', target: 'J_$1' } }] }],
    },
  },
  {
    apiVersion: `${group}/v1`,
    kind: 'ExternalSecret',
    metadata: { name: 'sync-windows', namespace: NS },
    spec: {
      secretStoreRef: { name: 'fake', kind: 'ClusterSecretStore' },
      syncWindows: { kind: 'deny', windows: [{ schedule: '0 22 * * 1-5', duration: '8h' }] },
      data: [{ secretKey: 'db', remoteRef: { key: 'db' } }],
    },
  },
  {
    apiVersion: `${group}/v1`,
    kind: 'ExternalSecret',
    metadata: { name: 'generic-target', namespace: NS },
    spec: {
      secretStoreRef: { name: 'fake', kind: 'ClusterSecretStore' },
      target: { manifest: { apiVersion: 'v1', kind: 'ConfigMap' }, template: { templateFrom: [{ literal: 'db: "{{ .db }}"', target: 'data', valuesDecodingStrategy: 'None' }] } },
      data: [{ secretKey: 'db', remoteRef: { key: 'db' } }],
    },
  },
  {
    apiVersion: `${group}/v1`,
    kind: 'ExternalSecret',
    metadata: { name: 'on-aws', namespace: NS },
    spec: { secretStoreRef: { name: 'aws', kind: 'SecretStore' }, data: [{ secretKey: 'k', remoteRef: { key: 'prod/db', property: 'password' } }] },
  },
];

const PLURAL: Record<string, string> = { ExternalSecret: 'externalsecrets', SecretStore: 'secretstores', ClusterSecretStore: 'clustersecretstores' };

function esoCrds(): any[] {
  return ['externalsecrets', 'secretstores', 'clustersecretstores'].map((p) => readEsoCrd(p));
}

describe('migration from ESO v2.9 and back', { timeout: 600_000 }, () => {
  let cp: ControlPlane;
  let k: Cluster;
  let op: RunningOperator | undefined;
  const written = new Map<string, unknown>();

  async function read(o: any): Promise<any> {
    const args = { group, version: 'v1', plural: PLURAL[o.kind]!, name: o.metadata.name };
    return o.metadata.namespace ? k.custom.getNamespacedCustomObject({ ...args, namespace: o.metadata.namespace }) : k.custom.getClusterCustomObject(args);
  }
  async function specs(): Promise<Map<string, unknown>> {
    const out = new Map<string, unknown>();
    for (const o of OBJECTS) out.set(`${o.kind}/${o.metadata.name}`, (await read(o)).spec);
    return out;
  }
  async function waitEstablished(): Promise<void> {
    for (const p of Object.values(PLURAL)) {
      await eventually(
        async () => {
          const crd: any = await k.objects.read({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `${p}.${group}` } });
          return crd.status?.conditions?.some((c: any) => c.type === 'Established' && c.status === 'True');
        },
        true,
        { timeoutMs: 20_000, message: `${p} established` },
      );
    }
  }

  before(async () => {
    cp = await startControlPlane();
    k = new Cluster(cp.admin);
    // ESO's installation: its CRDs (served as its chart ships them), then objects written by its users.
    await k.apply(esoCrds());
    await waitEstablished();
    await k.namespace(NS);
    await k.apply(OBJECTS);
    for (const [key, spec] of await specs()) written.set(key, spec);
  });
  after(async () => {
    await op?.stop();
    await cp?.stop();
  });

  it("keeps every field of ESO's objects when Projector's CRDs are applied over ESO's", async () => {
    // As the ESO objects were stored: every field written is there under ESO's CRDs (the baseline).
    assert.deepEqual((written.get('ExternalSecret/sync-windows') as any).syncWindows, OBJECTS[3].spec.syncWindows);
    await k.installCrds();
    assert.deepEqual(await specs(), written, 'no field pruned by Projector\'s schemas');
    // An update through Projector's schemas (what an Argo CD sync does) keeps them as well.
    await k.apply(OBJECTS);
    assert.deepEqual(await specs(), written, 'no field pruned on update');
  });

  it('syncs what Projector implements and reports NotSupported for the rest', async () => {
    op = await startOperator(cp.admin);
    await eventually(() => k.secretValue(NS, 'implemented', 'PASSWORD'), CANARY, { timeoutMs: 30_000, message: 'implemented ExternalSecret synced' });
    assert.equal(await k.secretValue(NS, 'implemented', 'USER'), 'app', 'dataFrom rewritten and templated');
    // spec.syncWindows is served (core/sync-windows.ts): a first sync is never held back by a window.
    await eventually(() => k.secretValue(NS, 'sync-windows', 'db'), CANARY, { timeoutMs: 30_000, message: 'ExternalSecret with syncWindows synced' });
    for (const [name, prefix] of [['generic-target', 'GenericTargetsDisabled:']] as const) {
      await eventually(async () => (await k.ready(NS, 'externalsecrets', name)).message?.startsWith(prefix) ?? false, true, { timeoutMs: 30_000, message: `${name} ${prefix}` });
      assert.equal(await k.secret(NS, name), undefined, `${name}: no Secret written`);
    }
    await eventually(async () => (await k.ready(NS, 'secretstores', 'aws')).status, 'False', { timeoutMs: 30_000, message: 'aws store not ready' });
    assert.match((await k.ready(NS, 'secretstores', 'aws')).message ?? '', /aws/);
    await eventually(async () => (await k.ready(NS, 'externalsecrets', 'on-aws')).status, 'False', { timeoutMs: 30_000, message: 'ExternalSecret on the aws store fails' });
    assert.deepEqual(await specs(), written, 'the operator changed no spec');
    const observable = await k.observableText([NS]);
    assert.ok(!observable.includes(CANARY), 'the secret value appears in no status or event');
  });

  it("keeps every field when ESO's CRDs are applied back (migration back to ESO)", async () => {
    await op?.stop();
    op = undefined;
    await k.apply(esoCrds());
    await waitEstablished();
    assert.deepEqual(await specs(), written);
    await k.apply(OBJECTS);
    assert.deepEqual(await specs(), written);
  });
});
