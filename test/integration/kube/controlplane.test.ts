import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, KubeConfig, ApiException } from '@kubernetes/client-node';
import { startControlPlane, type ControlPlane } from '../../support/controlplane.ts';
import { eventually } from '../../support/eventually.ts';

describe('test control plane', () => {
  let cp: ControlPlane;
  let core: CoreV1Api;

  before(async () => {
    const started = Date.now();
    cp = await startControlPlane({ controllerManager: true, users: [{ name: 'restricted', groups: ['team-a'] }] });
    console.log(`# control plane (etcd + kube-apiserver + kube-controller-manager) ready in ${Date.now() - started} ms`);
    core = cp.admin.makeApiClient(CoreV1Api);
  });
  after(async () => {
    await cp?.stop();
  });

  it('serves the admin user: a namespace and a ConfigMap can be created and read back', async () => {
    await core.createNamespace({ body: { metadata: { name: 'cp-basic' } } });
    await core.createNamespacedConfigMap({ namespace: 'cp-basic', body: { metadata: { name: 'hello' }, data: { greeting: 'hi' } } });
    const cm = await core.readNamespacedConfigMap({ namespace: 'cp-basic', name: 'hello' });
    assert.equal(cm.data?.greeting, 'hi');
  });

  it('denies a restricted user with 403 Forbidden through RBAC', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfigFor('restricted'));
    const restricted = kc.makeApiClient(CoreV1Api);
    await assert.rejects(restricted.listNamespacedSecret({ namespace: 'default' }), (e: unknown) => {
      assert.ok(e instanceof ApiException);
      assert.equal(e.code, 403);
      return true;
    });
  });

  it('garbage-collects an owned object after its owner is deleted', async () => {
    await core.createNamespace({ body: { metadata: { name: 'cp-gc' } } });
    const owner = await core.createNamespacedConfigMap({ namespace: 'cp-gc', body: { metadata: { name: 'owner' } } });
    await core.createNamespacedConfigMap({
      namespace: 'cp-gc',
      body: {
        metadata: {
          name: 'owned',
          ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata!.uid! }],
        },
      },
    });
    await core.deleteNamespacedConfigMap({ namespace: 'cp-gc', name: 'owner' });
    const names = () => core.listNamespacedConfigMap({ namespace: 'cp-gc' }).then((l) => l.items.map((i) => i.metadata!.name).filter((n) => n !== 'kube-root-ca.crt'));
    await eventually(names, [], { timeoutMs: 30_000, message: 'owned ConfigMap garbage-collected' });
  });

  it('keeps its data across an API server stop and start on the same port', async () => {
    await core.createNamespace({ body: { metadata: { name: 'cp-restart' } } });
    await core.createNamespacedConfigMap({ namespace: 'cp-restart', body: { metadata: { name: 'survivor' }, data: { k: 'v' } } });
    await cp.stopApiServer();
    await assert.rejects(core.readNamespacedConfigMap({ namespace: 'cp-restart', name: 'survivor' }));
    await cp.startApiServer();
    const cm = await core.readNamespacedConfigMap({ namespace: 'cp-restart', name: 'survivor' });
    assert.equal(cm.data?.k, 'v');
  });
});
