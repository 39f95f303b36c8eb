// What a user of kubectl (or a GitOps tool) sees on a real API server, compared with ESO v2.9:
// the spec served as written plus exactly ESO's CRD defaults
// (config/crds/bases/external-secrets.io_externalsecrets.yaml), ESO's Ready messages, ESO's
// data-hash and syncedResourceVersion (esutils.ObjectHash, runtime/esutils/utils.go; values computed
// with Go's fmt + crypto/sha3), and ESO's status.binding.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane, type ControlPlane } from '../../support/controlplane.ts';
import { Cluster } from '../../support/cluster.ts';
import { startOperator, type RunningOperator } from '../../support/operator.ts';
import { eventually } from '../../support/eventually.ts';

const NS = 'eso-parity';
const group = 'external-secrets.io';

function es(name: string, spec: Record<string, unknown>) {
  return { apiVersion: `${group}/v1`, kind: 'ExternalSecret', metadata: { name, namespace: NS }, spec };
}

describe('ESO parity on a real API server', { timeout: 600_000 }, () => {
  let cp: ControlPlane;
  let k: Cluster;
  let op: RunningOperator;

  before(async () => {
    cp = await startControlPlane();
    k = new Cluster(cp.admin);
    await k.installCrds();
    await k.namespace(NS);
    await k.apply([
      {
        apiVersion: `${group}/v1`,
        kind: 'ClusterSecretStore',
        metadata: { name: 'parity-store' },
        spec: { provider: { fake: { data: [{ key: 'plain', value: 'projector' }, { key: 'json', value: '{"A":"1"}' }] } } },
      } as any,
    ]);
    op = await startOperator(cp.admin);
  });

  after(async () => {
    await op?.stop();
    await cp?.stop();
  });

  it('serves remoteRef, extract, find and store references as written; adds only ESO\'s defaults', async () => {
    const spec = {
      secretStoreRef: { name: 'parity-store' },
      data: [{ secretKey: 'V', remoteRef: { key: 'plain' } }],
      dataFrom: [{ extract: { key: 'json' } }, { find: { name: { regexp: '^nothing$' } }, sourceRef: { storeRef: { name: 'parity-store' } } }],
    };
    await k.apply([{ ...es('as-written', spec), spec: { ...spec, secretStoreRef: { name: 'parity-store', kind: 'ClusterSecretStore' } } } as any]);
    for (const version of ['v1', 'v1beta1']) {
      const got: any = await k.custom.getNamespacedCustomObject({ group, version, namespace: NS, plural: 'externalsecrets', name: 'as-written' });
      assert.deepEqual(got.spec.data, spec.data, `${version}: data[].remoteRef gains no strategy fields`);
      assert.deepEqual(got.spec.dataFrom, spec.dataFrom, `${version}: extract/find/sourceRef gain no defaults`);
      assert.equal(got.spec.refreshInterval, '1h0m0s', 'ESO CRD default');
      assert.deepEqual(got.spec.target, { creationPolicy: 'Owner', deletionPolicy: 'Retain' }, 'ESO CRD default');
    }
    const ref: any = await k.custom.getNamespacedCustomObject({ group, version: 'v1', namespace: NS, plural: 'externalsecrets', name: 'as-written' });
    assert.deepEqual(ref.spec.dataFrom[1].sourceRef.storeRef, { name: 'parity-store' }, 'no default kind on a store reference');
  });

  it('writes ESO\'s data-hash, syncedResourceVersion, Ready message and binding', async () => {
    await k.apply([es('plain', { refreshInterval: '1h', secretStoreRef: { kind: 'ClusterSecretStore', name: 'parity-store' }, data: [{ secretKey: 'V', remoteRef: { key: 'plain' } }] }) as any]);
    const s = await eventually(() => k.secret(NS, 'plain'), (x) => x !== undefined, { timeoutMs: 20_000, message: 'target Secret created' });
    // Go: esutils.ObjectHash(map[string][]byte{"V": []byte("projector")})
    assert.equal(s.metadata.annotations['reconcile.external-secrets.io/data-hash'], '098b40564dfed03a8a8628e15b00260bb2fb6c526e5679c706d11388');
    const synced = await eventually(() => k.externalSecret(NS, 'plain'), (x) => x.status?.syncedResourceVersion !== undefined, { timeoutMs: 20_000 });
    // Go: fmt.Sprintf("%d-%s", 1, ObjectHash(struct{annotations, labels map[string]string}{})) — no labels or annotations.
    assert.equal(synced.status.syncedResourceVersion, '1-f47fe3c0b255b6dd8047cdffa772587bb829efe7a1cb70febeda2eb2');
    const ready = synced.status.conditions.find((c: any) => c.type === 'Ready');
    assert.deepEqual([ready.status, ready.reason, ready.message], ['True', 'SecretSynced', 'secret synced']);
    assert.deepEqual(synced.status.binding, { name: 'plain' });
  });

  it('serves binding {name: ""} (and refreshTime null before a first sync) when no Secret was written, as ESO does', async () => {
    await k.apply([
      es('none', { refreshInterval: '1h', secretStoreRef: { kind: 'ClusterSecretStore', name: 'parity-store' }, target: { creationPolicy: 'None' }, data: [{ secretKey: 'V', remoteRef: { key: 'plain' } }] }) as any,
      es('no-store', { refreshInterval: '1h', secretStoreRef: { kind: 'ClusterSecretStore', name: 'absent-store' }, data: [{ secretKey: 'V', remoteRef: { key: 'plain' } }] }) as any,
    ]);
    const none = await eventually(() => k.externalSecret(NS, 'none'), (x) => x.status?.conditions?.some((c: any) => c.type === 'Ready'), { timeoutMs: 20_000 });
    assert.deepEqual(none.status.binding, { name: '' });
    assert.equal(none.status.conditions.find((c: any) => c.type === 'Ready').message, 'secret synced');
    const failed = await eventually(() => k.externalSecret(NS, 'no-store'), (x) => x.status?.conditions?.some((c: any) => c.type === 'Ready'), { timeoutMs: 20_000 });
    assert.deepEqual(failed.status.binding, { name: '' });
    assert.equal(failed.status.conditions.find((c: any) => c.type === 'Ready').reason, 'SecretSyncedError');
    assert.ok('refreshTime' in failed.status && failed.status.refreshTime === null, 'never synced: refreshTime is null, as ESO serializes a zero metav1.Time');
  });
});
