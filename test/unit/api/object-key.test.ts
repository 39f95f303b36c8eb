import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CLUSTER_SCOPED_KINDS, isClusterScopedKind, objectLabel } from '../../../src/api/object-key.ts';
import { customResourceDefinitions } from '../../../src/api/crds.ts';

type Crd = { spec: { scope: string; names: { kind: string } } };

describe('object labels', () => {
  it('CLUSTER_SCOPED_KINDS lists exactly the kinds whose CRD (src/api/crds.ts) is cluster-scoped', () => {
    const fromCrds = (customResourceDefinitions() as Crd[]).filter((c) => c.spec.scope === 'Cluster').map((c) => c.spec.names.kind);
    assert.deepEqual([...CLUSTER_SCOPED_KINDS].sort(), [...fromCrds].sort());
  });
  it('a cluster-scoped kind prints just its name, even with a namespace given', () => {
    for (const kind of ['ClusterSecretStore', 'ClusterExternalSecret', 'ClusterPushSecret', 'ClusterGenerator']) {
      assert.ok(isClusterScopedKind(kind));
      assert.equal(objectLabel(kind, 'default', 'cps'), `${kind} cps`);
    }
  });
  it('a namespaced kind prints namespace/name', () => {
    assert.equal(objectLabel('PushSecret', 'default', 'ps'), 'PushSecret default/ps');
    assert.equal(objectLabel('Password', 'team-a', 'pw'), 'Password team-a/pw');
    assert.equal(isClusterScopedKind('ExternalSecret'), false);
    assert.equal(isClusterScopedKind(undefined), false);
  });
});
