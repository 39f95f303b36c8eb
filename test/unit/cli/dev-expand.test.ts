import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterExternalSecret, ExternalSecret } from '../../../src/api/index.ts';
import { expandClusterExternalSecrets } from '../../../src/cli/dev/expand.ts';

const ces = (spec: Record<string, unknown>, name = 'shared') =>
  ({
    apiVersion: 'external-secrets.io/v1',
    kind: 'ClusterExternalSecret',
    metadata: { name, uid: 'u-1', resourceVersion: '7', generation: 7 },
    spec: { externalSecretSpec: { secretStoreRef: { kind: 'ClusterSecretStore', name: 'akv' }, data: [{ secretKey: 'A', remoteRef: { key: 'a' } }] }, ...spec },
  }) as unknown as ClusterExternalSecret;

describe('dev: ClusterExternalSecret expansion', () => {
  it('renders the ExternalSecret the operator would write in each listed namespace, owned by the ClusterExternalSecret', () => {
    const out = expandClusterExternalSecrets([ces({ namespaces: ['b', 'a', 'a'], externalSecretName: 'cfg', externalSecretMetadata: { labels: { team: 'x' } } })], []);
    // ESO's GetTargetNamespaces: spec.namespaces in their order, each once.
    assert.deepEqual(out.externalSecrets.map((e) => `${e.metadata.namespace}/${e.metadata.name}`), ['b/cfg', 'a/cfg']);
    const es = out.externalSecrets[0]!;
    assert.deepEqual(es.metadata.labels, { team: 'x' });
    assert.equal(es.metadata.ownerReferences?.[0]?.kind, 'ClusterExternalSecret');
    assert.equal(es.metadata.resourceVersion, '7');
    assert.notEqual(out.externalSecrets[0]!.metadata.uid, out.externalSecrets[1]!.metadata.uid);
    assert.deepEqual(out.notes, ['ClusterExternalSecret shared: rendered ExternalSecret cfg in b, a']);
  });

  it("never replaces the repository's own ExternalSecret of that name (ESO: already exists in namespace)", () => {
    const mine = { metadata: { name: 'shared', namespace: 'a' } } as ExternalSecret;
    const out = expandClusterExternalSecrets([ces({ namespaces: ['a', 'b'] })], [mine]);
    assert.deepEqual(out.externalSecrets.map((e) => e.metadata.namespace), ['b']);
    assert.deepEqual(out.notes, ['ClusterExternalSecret shared: rendered ExternalSecret shared in b; failed in a (external secret already exists in namespace)']);
  });

  it('says that selectors need a cluster, and renders nothing for an invalid selector (as the operator)', () => {
    const sel = expandClusterExternalSecrets([ces({ namespaceSelectors: [{ matchLabels: { tier: 'web' } }] })], []);
    assert.equal(sel.externalSecrets.length, 0);
    assert.match(sel.notes[0]!, /^ClusterExternalSecret shared: no namespace rendered; namespaceSelectors match namespace labels, which only a cluster has/);
    const bad = expandClusterExternalSecrets([ces({ namespaces: ['a'], namespaceSelectors: [{ matchExpressions: [{ key: 'tier', operator: 'Bogus' }] }] })], []);
    assert.equal(bad.externalSecrets.length, 0);
    assert.match(bad.notes[0]!, /^ClusterExternalSecret shared: not rendered: \w+: spec\.namespaceSelectors\[0\]/);
  });
});
