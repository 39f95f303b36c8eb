import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterExternalSecret } from '../../../src/api/index.ts';
import { collectClusterPushReferences, collectClusterReferences, collectPushReferences, collectReferences, describeRemote, readKeyOf } from '../../../src/cli/check/references.ts';
import { externalSecret } from '../../support/builders.ts';

/** A PushSecret `p` in namespace `app` with `spec`. */
function pushSecret(spec: Record<string, unknown>): Parameters<typeof collectPushReferences>[0][number] {
  return { apiVersion: 'external-secrets.io/v1alpha1', kind: 'PushSecret', metadata: { name: 'p', namespace: 'app' }, spec } as never;
}

describe('check: reference collection', () => {
  it('collects data items, dataFrom.extract and dataFrom.find with the store each reads from', () => {
    const es = externalSecret({
      secretStoreRef: { kind: 'ClusterSecretStore', name: 'akv-hybridops' },
      data: [
        { secretKey: 'DB_PASSWORD', remoteRef: { key: 'netbox-db-password' } },
        { secretKey: 'API', remoteRef: { key: 'netbox-api', version: 'v7' }, sourceRef: { storeRef: { kind: 'SecretStore', name: 'local' } } },
      ],
      dataFrom: [{ extract: { key: 'netbox-db', property: 'creds' } }, { find: { name: { regexp: '^netbox-' }, tags: { app: 'netbox' } } }],
    });
    const refs = collectReferences([es]);
    assert.deepEqual(
      refs.map((r) => [r.kind, r.field, r.secretKey, r.store, describeRemote(r)]),
      [
        ['data', 'spec.data[0].remoteRef', 'DB_PASSWORD', { kind: 'ClusterSecretStore', name: 'akv-hybridops' }, 'netbox-db-password'],
        ['data', 'spec.data[1].remoteRef', 'API', { kind: 'SecretStore', name: 'local', namespace: 'netbox' }, 'netbox-api@v7'],
        ['extract', 'spec.dataFrom[0].extract', undefined, { kind: 'ClusterSecretStore', name: 'akv-hybridops' }, 'netbox-db#creds'],
        ['find', 'spec.dataFrom[1].find', undefined, { kind: 'ClusterSecretStore', name: 'akv-hybridops' }, 'find name=~^netbox- tag app=netbox'],
      ],
    );
    assert.ok(refs.every((r) => r.externalSecret === 'netbox/netbox-db-password'));
  });

  it('treats a store reference without a kind as a SecretStore in the ExternalSecret namespace (ESO default)', () => {
    const [ref] = collectReferences([externalSecret({ secretStoreRef: { name: 'team-store' } })]);
    assert.deepEqual(ref!.store, { kind: 'SecretStore', name: 'team-store', namespace: 'netbox' });
  });

  it('leaves the store unset when the ExternalSecret names none, and marks generator references', () => {
    const refs = collectReferences([
      externalSecret({ secretStoreRef: undefined, dataFrom: [{ sourceRef: { generatorRef: { kind: 'Password', name: 'pw' } } }] }),
    ]);
    assert.equal(refs[0]!.store, undefined);
    assert.equal(refs[1]!.generator, true);
    assert.equal(describeRemote(refs[1]!), '(generator)');
  });

  it('gives two references to the same store, secret, version and property one read key', () => {
    const a = externalSecret({}, { name: 'a' });
    const b = externalSecret({ dataFrom: [{ extract: { key: 'netbox-db-password' } }] }, { name: 'b', namespace: 'other' });
    const keys = collectReferences([a, b]).map(readKeyOf);
    assert.equal(new Set(keys).size, 1);
  });

  it('gives different read keys for another version, property, metadataPolicy or store', () => {
    const refs = collectReferences([
      externalSecret({
        data: [
          { secretKey: 'A', remoteRef: { key: 'k' } },
          { secretKey: 'B', remoteRef: { key: 'k', version: '1' } },
          { secretKey: 'C', remoteRef: { key: 'k', property: 'p' } },
          { secretKey: 'D', remoteRef: { key: 'k', property: 'p', metadataPolicy: 'Fetch' } },
          { secretKey: 'E', remoteRef: { key: 'k' }, sourceRef: { storeRef: { kind: 'ClusterSecretStore', name: 'other' } } },
        ],
      }),
    ]);
    assert.equal(new Set(refs.map(readKeyOf)).size, 5);
  });

  it('gives SecretStores of the same name in two namespaces different read keys', () => {
    const spec = { secretStoreRef: { kind: 'SecretStore' as const, name: 'local' } };
    const keys = collectReferences([externalSecret(spec, { name: 'a', namespace: 'one' }), externalSecret(spec, { name: 'b', namespace: 'two' })]).map(readKeyOf);
    assert.notEqual(keys[0], keys[1]);
  });

  it('gives find queries with the same tags in another order one read key', () => {
    const refs = collectReferences([
      externalSecret({ data: [], dataFrom: [{ find: { tags: { a: '1', b: '2' } } }, { find: { tags: { b: '2', a: '1' } } }] }),
    ]);
    assert.equal(readKeyOf(refs[0]!), readKeyOf(refs[1]!));
  });
});

describe('check: PushSecret destinations', () => {
  it('one reference per named store and data item, store namespaced to the PushSecret; label-selected stores left out', async () => {
    const refs = collectPushReferences([pushSecret({
      updatePolicy: 'IfNotExists',
      secretStoreRefs: [{ name: 'kv', kind: 'SecretStore' }, { name: 'shared', kind: 'ClusterSecretStore' }, { labelSelector: { matchLabels: { a: 'b' } } }],
      selector: { secret: { name: 'src' } },
      data: [{ match: { secretKey: 'a', remoteRef: { remoteKey: 'ra' } } }, { match: { remoteRef: { remoteKey: 'cert/c' } } }],
    })]);
    assert.deepEqual(refs.map((r) => [r.externalSecret, r.field, r.secretKey, readKeyOf(r), describeRemote(r)]), [
      ['app/p', 'spec.data[0].match.remoteRef', 'a', '["push","SecretStore/app/kv","ra","IfNotExists"]', '→ ra'],
      ['app/p', 'spec.data[1].match.remoteRef', undefined, '["push","SecretStore/app/kv","cert/c","IfNotExists"]', '→ cert/c'],
      ['app/p', 'spec.data[0].match.remoteRef', 'a', '["push","ClusterSecretStore/shared","ra","IfNotExists"]', '→ ra'],
      ['app/p', 'spec.data[1].match.remoteRef', undefined, '["push","ClusterSecretStore/shared","cert/c","IfNotExists"]', '→ cert/c'],
    ]);
  });
});

describe('check: PushSecret dataTo destinations', () => {
  it('a bundle (remoteKey) in a named store is one destination; per-key entries and label-selected stores are not known offline', async () => {
    const refs = collectPushReferences([pushSecret({
      secretStoreRefs: [{ name: 'kv', kind: 'SecretStore' }],
      selector: { secret: { name: 'src' } },
      dataTo: [
        { storeRef: { name: 'kv' }, remoteKey: 'app-config' },
        { storeRef: { name: 'kv' }, match: { regexp: '^db-' } },
        { storeRef: { labelSelector: { matchLabels: { a: 'b' } } }, remoteKey: 'elsewhere' },
      ],
    })]);
    assert.deepEqual(refs.map((r) => [r.field, readKeyOf(r), describeRemote(r)]), [['spec.dataTo[0]', '["push","SecretStore/app/kv","app-config","Replace"]', '→ app-config']]);
  });
});

describe('check: ClusterPushSecret destinations', () => {
  it("places the pushSecretSpec's destinations as the PushSecrets it would create name them: a ClusterSecretStore once, a SecretStore per namespace defining it, or once to fail", async () => {
    const cps = {
      apiVersion: 'external-secrets.io/v1alpha1',
      kind: 'ClusterPushSecret',
      metadata: { name: 'fanout' },
      spec: {
        pushSecretName: 'db-push',
        namespaceSelectors: [{ matchLabels: { team: 'db' } }],
        pushSecretSpec: {
          secretStoreRefs: [{ name: 'shared', kind: 'ClusterSecretStore' }, { name: 'kv', kind: 'SecretStore' }, { name: 'nowhere', kind: 'SecretStore' }],
          selector: { secret: { name: 'src' } },
          data: [{ match: { secretKey: 'a', remoteRef: { remoteKey: 'ra' } } }],
        },
      },
    } as never;
    const noSpec = { apiVersion: 'external-secrets.io/v1alpha1', kind: 'ClusterPushSecret', metadata: { name: 'empty' }, spec: { namespaceSelectors: [] } } as never;
    const refs = collectClusterPushReferences([cps, noSpec], { secretStoreNamespaces: (name: string) => (name === 'kv' ? ['db-a', 'db-b'] : []) });
    assert.deepEqual(refs.map((r) => [r.externalSecret, r.clusterPushSecret, r.namespace, readKeyOf(r), describeRemote(r), r.originKey]), [
      ['fanout', 'fanout', undefined, '["push","ClusterSecretStore/shared","ra","Replace"]', '→ ra', 'ClusterPushSecret//fanout'],
      ['db-a/db-push', 'fanout', 'db-a', '["push","SecretStore/db-a/kv","ra","Replace"]', '→ ra', 'ClusterPushSecret//fanout'],
      ['db-b/db-push', 'fanout', 'db-b', '["push","SecretStore/db-b/kv","ra","Replace"]', '→ ra', 'ClusterPushSecret//fanout'],
      ['fanout', 'fanout', undefined, '["push","SecretStore//nowhere","ra","Replace"]', '→ ra', 'ClusterPushSecret//fanout'],
    ]);
  });
});

describe('check: ClusterExternalSecret references', () => {
  const ces = (spec: Record<string, unknown>) =>
    ({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ClusterExternalSecret',
      metadata: { name: 'shared' },
      spec: {
        externalSecretName: 'shared-secret',
        externalSecretSpec: {
          secretStoreRef: { kind: 'ClusterSecretStore', name: 'akv' },
          data: [
            { secretKey: 'A', remoteRef: { key: 'a' } },
            { secretKey: 'B', remoteRef: { key: 'b' }, sourceRef: { storeRef: { kind: 'SecretStore', name: 'team' } } },
          ],
          dataFrom: [{ sourceRef: { generatorRef: { kind: 'Password', name: 'pw' } } }],
        },
        ...spec,
      },
    }) as unknown as ClusterExternalSecret;
  const names = (stores: string[], generators: string[]) => ({ secretStoreNamespaces: () => stores, generatorNamespaces: () => generators });
  const rows = (refs: ReturnType<typeof collectClusterReferences>) => refs.map((r) => [r.externalSecret, r.secretKey ?? r.field, r.store ? `${r.store.kind}/${r.store.namespace ?? ''}` : '-', r.namespace ?? '-']);

  it('a ClusterSecretStore reference once; a SecretStore or namespaced generator per listed namespace', () => {
    const refs = collectClusterReferences([ces({ namespaces: ['x', 'y'] })], names(['z'], []));
    assert.deepEqual(rows(refs), [
      ['ClusterExternalSecret/shared', 'A', 'ClusterSecretStore/', 'x'],
      ['x/shared-secret', 'B', 'SecretStore/x', 'x'],
      ['y/shared-secret', 'B', 'SecretStore/y', 'y'],
      ['x/shared-secret', 'spec.dataFrom[0].sourceRef.generatorRef', 'ClusterSecretStore/', 'x'],
      ['y/shared-secret', 'spec.dataFrom[0].sourceRef.generatorRef', 'ClusterSecretStore/', 'y'],
    ]);
    assert.ok(refs.every((r) => r.clusterExternalSecret === 'shared' && r.originKey === 'ClusterExternalSecret//shared'));
  });

  it('with namespaceSelectors, namespaced references go where the repository defines them; none is one unplaced row', () => {
    const selected = collectClusterReferences([ces({ namespaceSelectors: [{ matchLabels: { team: 'x' } }] })], names(['t1'], ['g1']));
    assert.deepEqual(rows(selected).slice(1), [
      ['t1/shared-secret', 'B', 'SecretStore/t1', 't1'],
      ['g1/shared-secret', 'spec.dataFrom[0].sourceRef.generatorRef', 'ClusterSecretStore/', 'g1'],
    ]);
    const none = collectClusterReferences([ces({ namespaceSelectors: [{ matchLabels: { team: 'x' } }] })], names([], []));
    assert.deepEqual(rows(none).slice(1), [
      ['ClusterExternalSecret/shared', 'B', 'SecretStore/', '-'],
      ['ClusterExternalSecret/shared', 'spec.dataFrom[0].sourceRef.generatorRef', 'ClusterSecretStore/', '-'],
    ]);
  });
});
