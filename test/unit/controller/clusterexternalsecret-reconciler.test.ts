// ClusterExternalSecret reconciles against in-memory stores and a recording fake API, following
// ESO's controller (pkg/controllers/clusterexternalsecret/clusterexternalsecret_controller.go and its
// _test.go cases): provisioning, deselection, deletion, ownership, renames, status and finalizers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterExternalSecret, ExternalSecret, ObjectKey } from '../../../src/api/index.ts';
import { objectKey } from '../../../src/api/meta.ts';
import { ClusterExternalSecretReconciler } from '../../../src/controller/clusterexternalsecret/reconciler.ts';
import {
  CES_MESSAGE_NAMESPACES_FAILED,
  CES_REASON_ALREADY_EXISTS,
  FINALIZER_CES_CLEANUP,
  namespaceFinalizerFor,
  selectNamespaces,
  validateClusterExternalSecret,
  type NamespaceView,
} from '../../../src/core/cluster-external-secret.ts';
import { ProjectorError } from '../../../src/core/errors.ts';
import { silentLogger } from '../../../src/platform/logger.ts';
import { FakeClock } from '../../support/fake-clock.ts';

const SPEC = { secretStoreRef: { kind: 'ClusterSecretStore' as const, name: 'akv' }, refreshInterval: '1h', data: [{ secretKey: 'k', remoteRef: { key: 'app-k' } }] };

function ces(spec: Partial<ClusterExternalSecret['spec']> = {}, meta: Partial<ClusterExternalSecret['metadata']> = {}, status?: ClusterExternalSecret['status']): ClusterExternalSecret {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ClusterExternalSecret',
    metadata: { name: 'shared', uid: 'uid-ces', finalizers: [FINALIZER_CES_CLEANUP], ...meta },
    spec: { externalSecretSpec: SPEC, namespaceSelectors: [{ matchLabels: { team: 'a' } }], ...spec },
    ...(status ? { status } : {}),
  };
}

function ns(name: string, labels: Record<string, string> = {}, extra: Partial<NamespaceView> = {}): NamespaceView {
  return { name, labels: { 'kubernetes.io/metadata.name': name, ...labels }, finalizers: [], terminating: false, resourceVersion: '1', ...extra };
}

/** In-memory API: the reconciler's writes land in the maps it reads from (as the watch would bring them). */
class World {
  cesObj: ClusterExternalSecret;
  namespaces = new Map<string, NamespaceView>();
  externalSecrets = new Map<ObjectKey, ExternalSecret>();
  calls: string[] = [];
  failCreateIn = new Set<string>();
  constructor(c: ClusterExternalSecret, namespaces: NamespaceView[]) {
    this.cesObj = c;
    for (const n of namespaces) this.namespaces.set(n.name, n);
  }
  reconciler(): ClusterExternalSecretReconciler {
    const w = this;
    const lister = <T>(m: () => Map<ObjectKey, T>) => ({ get: (k: ObjectKey) => m().get(k), byIndex: () => [], list: () => [...m().values()] });
    return new ClusterExternalSecretReconciler({
      clusterExternalSecrets: lister(() => new Map([[objectKey(undefined, w.cesObj.metadata.name), w.cesObj]])),
      externalSecrets: lister(() => w.externalSecrets),
      namespaces: () => [...w.namespaces.values()],
      namespace: (name) => w.namespaces.get(name),
      clock: new FakeClock(new Date('2026-01-01T00:00:00Z')),
      log: silentLogger(),
      kube: {
        async setFinalizers(_o, finalizers) {
          w.calls.push(`finalizers CES ${finalizers.join(',')}`);
          w.cesObj = { ...w.cesObj, metadata: { ...w.cesObj.metadata, finalizers } };
        },
        async patchStatus(_o, status) {
          w.calls.push('status');
          w.cesObj = { ...w.cesObj, status: status as ClusterExternalSecret['status'] };
        },
        async createExternalSecret(es) {
          if (w.failCreateIn.has(es.metadata.namespace)) throw new ProjectorError('KubeForbidden', `create ExternalSecret ${es.metadata.namespace}/${es.metadata.name}: forbidden`);
          w.calls.push(`create ${es.metadata.namespace}/${es.metadata.name}`);
          w.externalSecrets.set(objectKey(es.metadata.namespace, es.metadata.name), { ...(es as ExternalSecret), metadata: { ...es.metadata, uid: `uid-${es.metadata.namespace}` } });
        },
        async updateExternalSecret(es) {
          w.calls.push(`update ${es.metadata.namespace}/${es.metadata.name}`);
          w.externalSecrets.set(objectKey(es.metadata.namespace, es.metadata.name), es as ExternalSecret);
        },
        async deleteExternalSecret(namespace, name) {
          w.calls.push(`delete ${namespace}/${name}`);
          w.externalSecrets.delete(objectKey(namespace, name));
        },
        async setNamespaceFinalizers(name, finalizers) {
          w.calls.push(`ns-finalizers ${name} ${finalizers.join(',')}`);
          w.namespaces.set(name, { ...w.namespaces.get(name)!, finalizers });
        },
      },
    });
  }
  async run() {
    this.calls = [];
    return this.reconciler().reconcile(objectKey(undefined, this.cesObj.metadata.name));
  }
  es(namespace: string, name = 'shared'): ExternalSecret | undefined {
    return this.externalSecrets.get(objectKey(namespace, name));
  }
}

describe('ClusterExternalSecret reconcile', () => {
  it('creates one ExternalSecret per selected namespace, as ESO writes it, and reports them', async () => {
    // ESO mirrors the annotation external-secrets.io/force-sync (AnnotationForceSync,
    // clusterexternalsecret_controller.go createOrUpdateExternalSecret), not a plain force-sync.
    const c = ces({ externalSecretMetadata: { labels: { app: 'x' }, annotations: { note: 'y' } } }, { annotations: { 'external-secrets.io/force-sync': '123', 'force-sync': '9' } });
    const w = new World(c, [ns('a1', { team: 'a' }), ns('a2', { team: 'a' }), ns('b1', { team: 'b' })]);
    const result = await w.run();
    assert.deepEqual(result, { kind: 'requeueAfter', ms: 3_600_000 });
    assert.deepEqual([...w.externalSecrets.keys()].sort(), ['a1/shared', 'a2/shared']);
    const es = w.es('a1')!;
    assert.deepEqual(es.spec, SPEC);
    assert.deepEqual(es.metadata.labels, { app: 'x' });
    assert.deepEqual(es.metadata.annotations, { note: 'y', 'external-secrets.io/force-sync': '123' });
    assert.deepEqual(es.metadata.ownerReferences, [{ apiVersion: 'external-secrets.io/v1', kind: 'ClusterExternalSecret', name: 'shared', uid: 'uid-ces', controller: true, blockOwnerDeletion: true }]);
    assert.deepEqual(w.namespaces.get('a1')!.finalizers, [namespaceFinalizerFor('shared')]);
    assert.deepEqual(w.namespaces.get('b1')!.finalizers, []);
    assert.deepEqual(w.cesObj.status, { externalSecretName: 'shared', conditions: [{ type: 'Ready', status: 'True' }], provisionedNamespaces: ['a1', 'a2'] });
    // Level-based: nothing to write the second time.
    await w.run();
    assert.deepEqual(w.calls, []);
  });

  it('without external-secrets.io/force-sync on the ClusterExternalSecret, its ExternalSecrets have none, even from externalSecretMetadata (field variant fv-ces-labels)', async () => {
    const c = ces({ externalSecretMetadata: { annotations: { note: 'y', 'external-secrets.io/force-sync': 'from-metadata', 'force-sync': 'kept' } } });
    const w = new World(c, [ns('a1', { team: 'a' })]);
    await w.run();
    assert.deepEqual(w.es('a1')!.metadata.annotations, { note: 'y', 'force-sync': 'kept' });
  });

  it('adds its cleanup finalizer first and stops there, as ESO', async () => {
    const w = new World(ces({}, { finalizers: [] }), [ns('a1', { team: 'a' })]);
    assert.deepEqual(await w.run(), { kind: 'done' });
    assert.deepEqual(w.calls, [`finalizers CES ${FINALIZER_CES_CLEANUP}`]);
    assert.equal(w.externalSecrets.size, 0);
  });

  it('a namespace relabelled out of the selector loses the ExternalSecret; one relabelled in gains it', async () => {
    const w = new World(ces(), [ns('a1', { team: 'a' }), ns('a2', { team: 'a' })]);
    await w.run();
    w.namespaces.set('a2', ns('a2', { team: 'b' }));
    w.namespaces.set('n3', ns('n3', { team: 'a' }));
    await w.run();
    assert.deepEqual([...w.externalSecrets.keys()].sort(), ['a1/shared', 'n3/shared']);
    assert.ok(w.calls.includes('delete a2/shared'));
    assert.deepEqual(w.cesObj.status?.provisionedNamespaces, ['a1', 'n3']);
    // Unlike ESO, the namespace finalizer goes too: the namespace can still be deleted later.
    assert.deepEqual(w.namespaces.get('a2')!.finalizers, []);
    assert.deepEqual(w.namespaces.get('n3')!.finalizers, [namespaceFinalizerFor('shared')]);
  });

  it('a namespace being deleted gets its finalizer removed and is no longer provisioned', async () => {
    const w = new World(ces(), [ns('a1', { team: 'a' }), ns('a2', { team: 'a' })]);
    await w.run();
    w.namespaces.set('a2', { ...w.namespaces.get('a2')!, terminating: true });
    await w.run();
    assert.deepEqual(w.namespaces.get('a2')!.finalizers, []);
    assert.deepEqual(w.cesObj.status?.provisionedNamespaces, ['a1']);
    // A namespace that is gone altogether: the ExternalSecret went with it, nothing fails.
    w.namespaces.delete('a2');
    w.externalSecrets.delete(objectKey('a2', 'shared'));
    await w.run();
    assert.deepEqual(w.cesObj.status?.conditions, [{ type: 'Ready', status: 'True' }]);
  });

  it('never overwrites an ExternalSecret it does not control: ESO\'s reason in failedNamespaces', async () => {
    const w = new World(ces(), [ns('a1', { team: 'a' }), ns('a2', { team: 'a' })]);
    const foreign: ExternalSecret = { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'shared', namespace: 'a2', uid: 'u' }, spec: { target: { name: 'mine' } } };
    w.externalSecrets.set(objectKey('a2', 'shared'), foreign);
    const other = { ...foreign, metadata: { ...foreign.metadata, namespace: 'a1', ownerReferences: [{ apiVersion: 'external-secrets.io/v1', kind: 'ClusterExternalSecret', name: 'another', uid: 'x', controller: true }] } };
    w.externalSecrets.set(objectKey('a1', 'shared'), other);
    assert.deepEqual(await w.run(), { kind: 'requeueAfter', ms: 3_600_000 });
    assert.equal(w.es('a2'), foreign);
    assert.equal(w.es('a1'), other);
    assert.deepEqual(w.cesObj.status?.failedNamespaces, [
      { namespace: 'a1', reason: CES_REASON_ALREADY_EXISTS },
      { namespace: 'a2', reason: CES_REASON_ALREADY_EXISTS },
    ]);
    assert.deepEqual(w.cesObj.status?.conditions, [{ type: 'Ready', status: 'False', message: CES_MESSAGE_NAMESPACES_FAILED }]);
    assert.equal(w.cesObj.status?.provisionedNamespaces, undefined);
    // Deselecting a namespace never deletes what it does not control.
    w.cesObj = { ...w.cesObj, spec: { ...w.cesObj.spec, namespaceSelectors: [{ matchLabels: { team: 'none' } }] }, status: { ...w.cesObj.status, provisionedNamespaces: ['a2'] } };
    await w.run();
    assert.equal(w.es('a2'), foreign);
  });

  it('puts back an ExternalSecret it controls that someone edited', async () => {
    const w = new World(ces(), [ns('a1', { team: 'a' })]);
    await w.run();
    const es = w.es('a1')!;
    w.externalSecrets.set(objectKey('a1', 'shared'), { ...es, metadata: { ...es.metadata, labels: { extra: 'x' } }, spec: { ...es.spec, refreshInterval: '5m' } });
    await w.run();
    assert.deepEqual(w.calls.filter((c) => c !== 'status'), ['update a1/shared']);
    assert.deepEqual(w.es('a1')!.spec, SPEC);
    assert.deepEqual(w.es('a1')!.metadata.labels, {});
  });

  it('a new externalSecretName: the old ExternalSecrets go, new ones come', async () => {
    const w = new World(ces(), [ns('a1', { team: 'a' })]);
    await w.run();
    w.cesObj = { ...w.cesObj, spec: { ...w.cesObj.spec, externalSecretName: 'renamed' } };
    await w.run();
    assert.deepEqual([...w.externalSecrets.keys()], ['a1/renamed']);
    assert.equal(w.cesObj.status?.externalSecretName, 'renamed');
  });

  it('a failed write in one namespace is reported there; the others are provisioned', async () => {
    const w = new World(ces({ refreshTime: '30s' }), [ns('a1', { team: 'a' }), ns('a2', { team: 'a' })]);
    w.failCreateIn.add('a1');
    assert.deepEqual(await w.run(), { kind: 'requeueAfter', ms: 30_000 });
    assert.deepEqual(w.cesObj.status?.failedNamespaces, [{ namespace: 'a1', reason: 'could not create or update ExternalSecret: create ExternalSecret a1/shared: forbidden' }]);
    assert.deepEqual(w.cesObj.status?.provisionedNamespaces, ['a2']);
  });

  it('on deletion removes what it created and the namespace finalizers, then its own finalizer', async () => {
    const w = new World(ces(), [ns('a1', { team: 'a' }), ns('a2', { team: 'a' })]);
    await w.run();
    w.cesObj = { ...w.cesObj, metadata: { ...w.cesObj.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } };
    assert.deepEqual(await w.run(), { kind: 'done' });
    assert.equal(w.externalSecrets.size, 0);
    assert.deepEqual(w.namespaces.get('a1')!.finalizers, []);
    assert.deepEqual(w.cesObj.metadata.finalizers, []);
  });

  it('an invalid selector fails the selection as ESO does (namespace "unknown"), writing nothing', async () => {
    const w = new World(ces({ namespaceSelectors: [{ matchExpressions: [{ key: 'team', operator: 'In' }] }] }), [ns('a1', { team: 'a' })]);
    const r = await w.run();
    assert.equal(r.kind, 'done');
    assert.equal(w.externalSecrets.size, 0);
    assert.deepEqual(w.cesObj.status?.failedNamespaces?.map((f) => f.namespace), ['unknown']);
    assert.match(w.cesObj.status!.failedNamespaces![0]!.reason!, /spec\.namespaceSelectors\[0\]\.matchExpressions\[0\]\.values/);
  });
});

describe('ClusterExternalSecret namespace selection and validation', () => {
  it('ORs names, the deprecated selector and the selectors; each namespace once', () => {
    const all = [ns('x'), ns('y', { env: 'prod' }), ns('z', { team: 'a' }), ns('w', { team: 'a', env: 'prod' })];
    const got = selectNamespaces(ces({ namespaces: ['x'], namespaceSelector: { matchLabels: { env: 'prod' } }, namespaceSelectors: [{ matchLabels: { team: 'a' } }] }), all);
    assert.ok(got.ok);
    assert.deepEqual(got.namespaces.map((n) => n.name), ['x', 'w', 'y', 'z']);
    const none = selectNamespaces(ces({ namespaceSelectors: undefined }), all);
    assert.ok(none.ok && none.namespaces.length === 0);
    const everything = selectNamespaces(ces({ namespaceSelectors: [{}] }), all);
    assert.ok(everything.ok && everything.namespaces.length === 4);
  });

  it('validate: refreshTime, selectors, the embedded ExternalSecret spec, and a spec selecting nothing', () => {
    const issues = validateClusterExternalSecret(
      ces({ refreshTime: 'soon', namespaceSelectors: [{ matchExpressions: [{ key: 'a', operator: 'Near' }] }], externalSecretSpec: { ...SPEC, refreshInterval: 'never' } }),
    );
    assert.deepEqual(issues.map((i) => [i.path, i.code, i.severity]), [
      ['spec.refreshTime', 'InvalidDuration', 'error'],
      ['spec.namespaceSelectors[0].matchExpressions[0].operator', 'InvalidSelector', 'error'],
      ['spec.externalSecretSpec.refreshInterval', 'InvalidDuration', 'error'],
    ]);
    assert.deepEqual(validateClusterExternalSecret(ces({ namespaceSelectors: [] })).map((i) => [i.code, i.severity]), [['NoNamespaceSelected', 'warning']]);
  });
});
