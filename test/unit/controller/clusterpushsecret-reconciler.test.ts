// ClusterPushSecret reconciles against in-memory stores and a recording fake API, following ESO
// v2.9's controller (pkg/controllers/clusterpushsecret/clusterpushsecret_controller.go, util.go and
// its _test.go cases): provisioning, deselection, ownership, renames, status and validation.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterPushSecret, ObjectKey, PushSecret } from '../../../src/api/index.ts';
import { objectKey } from '../../../src/api/meta.ts';
import { ClusterPushSecretReconciler } from '../../../src/controller/clusterpushsecret/reconciler.ts';
import {
  CPS_MESSAGE_NAMESPACES_FAILED,
  CPS_MESSAGE_TARGETS_FAILED,
  CPS_REASON_ALREADY_EXISTS,
  isOwnedByClusterPushSecret,
  pushSelectsNamespace,
  validateClusterPushSecret,
} from '../../../src/core/cluster-push-secret.ts';
import type { NamespaceView } from '../../../src/core/cluster-external-secret.ts';
import { ProjectorError } from '../../../src/core/errors.ts';
import { silentLogger } from '../../../src/platform/logger.ts';
import { FakeClock } from '../../support/fake-clock.ts';

const PS_SPEC: PushSecret['spec'] = { secretStoreRefs: [{ name: 'kv', kind: 'ClusterSecretStore' }], selector: { secret: { name: 'src' } }, data: [{ match: { secretKey: 'k', remoteRef: { remoteKey: 'r' } } }] };

function cps(spec: Partial<ClusterPushSecret['spec']> = {}, status?: ClusterPushSecret['status']): ClusterPushSecret {
  return {
    apiVersion: 'external-secrets.io/v1alpha1',
    kind: 'ClusterPushSecret',
    metadata: { name: 'shared', uid: 'uid-cps' },
    spec: { pushSecretSpec: PS_SPEC, namespaceSelectors: [{ matchLabels: { team: 'a' } }], ...spec },
    ...(status ? { status } : {}),
  };
}

function ns(name: string, labels: Record<string, string> = {}): NamespaceView {
  return { name, labels: { 'kubernetes.io/metadata.name': name, ...labels }, finalizers: [], terminating: false, resourceVersion: '1' };
}

class World {
  obj: ClusterPushSecret;
  namespaces: NamespaceView[];
  pushSecrets = new Map<ObjectKey, PushSecret>();
  calls: string[] = [];
  events: string[] = [];
  failCreateIn = new Set<string>();
  constructor(c: ClusterPushSecret, namespaces: NamespaceView[]) {
    this.obj = c;
    this.namespaces = namespaces;
  }
  reconciler(): ClusterPushSecretReconciler {
    const w = this;
    const lister = <T>(m: () => Map<ObjectKey, T>) => ({ get: (k: ObjectKey) => m().get(k), byIndex: () => [], list: () => [...m().values()] });
    return new ClusterPushSecretReconciler({
      clusterPushSecrets: lister(() => new Map([[objectKey(undefined, w.obj.metadata.name), w.obj]])),
      pushSecrets: lister(() => w.pushSecrets),
      namespaces: () => w.namespaces,
      clock: new FakeClock(new Date('2026-01-01T00:00:00Z')),
      log: silentLogger(),
      events: { normal: () => {}, warn: (_t, reason, message) => void w.events.push(`${reason}: ${message}`) },
      kube: {
        async patchStatus(_o, status) {
          w.calls.push('status');
          w.obj = { ...w.obj, status: status as ClusterPushSecret['status'] };
        },
        async createPushSecret(ps) {
          if (w.failCreateIn.has(ps.metadata.namespace)) throw new ProjectorError('KubeForbidden', `create PushSecret ${ps.metadata.namespace}/${ps.metadata.name}: forbidden`);
          w.calls.push(`create ${ps.metadata.namespace}/${ps.metadata.name}`);
          w.pushSecrets.set(objectKey(ps.metadata.namespace, ps.metadata.name), { ...(ps as PushSecret), metadata: { ...(ps as PushSecret).metadata, uid: `uid-${ps.metadata.namespace}` } });
        },
        async updatePushSecret(ps) {
          w.calls.push(`update ${ps.metadata.namespace}/${ps.metadata.name}`);
          w.pushSecrets.set(objectKey(ps.metadata.namespace, ps.metadata.name), ps as PushSecret);
        },
        async deletePushSecret(namespace, name) {
          w.calls.push(`delete ${namespace}/${name}`);
          w.pushSecrets.delete(objectKey(namespace, name));
        },
      },
    });
  }
  async run() {
    return this.reconciler().reconcile(objectKey(undefined, this.obj.metadata.name));
  }
}

describe('ClusterPushSecret reconcile (ESO clusterpushsecret_controller.go)', () => {
  it('creates a PushSecret with the spec, metadata and controller reference in each selected namespace; status sorted, Ready True; requeue at refreshTime', async () => {
    const w = new World(cps({ pushSecretMetadata: { labels: { l: '1' }, annotations: { a: '2' } }, refreshTime: '10m' }), [ns('b', { team: 'a' }), ns('a', { team: 'a' }), ns('other')]);
    const result = await w.run();
    assert.deepEqual(result, { kind: 'requeueAfter', ms: 600_000 });
    assert.deepEqual(w.calls, ['create a/shared', 'create b/shared', 'status']);
    const ps = w.pushSecrets.get(objectKey('a', 'shared'))!;
    assert.deepEqual(ps.spec, PS_SPEC);
    assert.deepEqual(ps.metadata.labels, { l: '1' });
    assert.deepEqual(ps.metadata.annotations, { a: '2' });
    assert.deepEqual(ps.metadata.ownerReferences, [{ apiVersion: 'external-secrets.io/v1alpha1', kind: 'ClusterPushSecret', name: 'shared', uid: 'uid-cps', controller: true, blockOwnerDeletion: true }]);
    assert.ok(isOwnedByClusterPushSecret(ps, 'shared'));
    assert.deepEqual(w.obj.status, { pushSecretName: 'shared', conditions: [{ type: 'Ready', status: 'True' }], provisionedNamespaces: ['a', 'b'] });
    // A second pass writes nothing: CreateOrUpdate finds the objects unchanged.
    w.calls = [];
    await w.run();
    assert.deepEqual(w.calls, []);
  });

  it('removes the PushSecret from a namespace no longer selected, and updates a changed spec', async () => {
    const w = new World(cps(), [ns('a', { team: 'a' }), ns('b', { team: 'a' })]);
    await w.run();
    w.namespaces = [ns('a', { team: 'a' }), ns('b', { team: 'x' })];
    w.obj = { ...w.obj, spec: { ...w.obj.spec, pushSecretSpec: { ...PS_SPEC, deletionPolicy: 'Delete' } } };
    w.calls = [];
    await w.run();
    assert.deepEqual(w.calls, ['delete b/shared', 'update a/shared', 'status']);
    assert.deepEqual(w.obj.status?.provisionedNamespaces, ['a']);
    assert.equal(w.pushSecrets.get(objectKey('a', 'shared'))?.spec.deletionPolicy, 'Delete');
  });

  it('never overwrites or deletes a PushSecret it does not control: the namespace fails with ESO\'s reason', async () => {
    const w = new World(cps(), [ns('a', { team: 'a' }), ns('b', { team: 'a' })]);
    w.pushSecrets.set(objectKey('a', 'shared'), { apiVersion: 'external-secrets.io/v1alpha1', kind: 'PushSecret', metadata: { name: 'shared', namespace: 'a' }, spec: PS_SPEC });
    w.failCreateIn.add('b');
    const result = await w.run();
    assert.equal(result.kind, 'requeueAfter');
    assert.deepEqual(w.obj.status?.failedNamespaces, [
      { namespace: 'a', reason: CPS_REASON_ALREADY_EXISTS },
      { namespace: 'b', reason: 'could not create or update push secret: create PushSecret b/shared: forbidden' },
    ]);
    assert.deepEqual(w.obj.status?.conditions, [{ type: 'Ready', status: 'False', message: CPS_MESSAGE_NAMESPACES_FAILED }]);
    assert.equal(w.obj.status?.provisionedNamespaces, undefined);
    // Deselected later: the foreign PushSecret stays.
    w.namespaces = [];
    w.obj = { ...w.obj, status: { ...w.obj.status, provisionedNamespaces: ['a'] } };
    w.calls = [];
    await w.run();
    assert.ok(w.pushSecrets.has(objectKey('a', 'shared')));
    assert.ok(!w.calls.some((c) => c.startsWith('delete')));
  });

  it('a renamed pushSecretName removes the PushSecrets of the old name first (ESO deleteOldPushSecrets)', async () => {
    const w = new World(cps(), [ns('a', { team: 'a' })]);
    await w.run();
    w.obj = { ...w.obj, spec: { ...w.obj.spec, pushSecretName: 'renamed' } };
    w.calls = [];
    await w.run();
    assert.deepEqual(w.calls, ['delete a/shared', 'create a/renamed', 'status']);
    assert.equal(w.obj.status?.pushSecretName, 'renamed');
  });

  it("an invalid namespace selector is ESO's 'failed to get target Namespaces' (Ready False, Errored, Warning event), nothing written", async () => {
    const w = new World(cps({ namespaceSelectors: [{ matchExpressions: [{ key: 'team', operator: 'In', values: [] }] }] }), [ns('a', { team: 'a' })]);
    const result = await w.run();
    assert.equal(result.kind, 'retry');
    assert.deepEqual(w.calls, ['status']);
    const ready = w.obj.status?.conditions?.[0];
    assert.deepEqual([ready?.status, ready?.reason, ready?.message, ready?.lastTransitionTime], ['False', 'Errored', CPS_MESSAGE_TARGETS_FAILED, '2026-01-01T00:00:00Z']);
    assert.deepEqual(w.events, [`Errored: ${CPS_MESSAGE_TARGETS_FAILED}`]);
  });

  it('skips a ClusterPushSecret being deleted (its PushSecrets go by garbage collection)', async () => {
    const w = new World(cps(), [ns('a', { team: 'a' })]);
    w.obj = { ...w.obj, metadata: { ...w.obj.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } };
    assert.deepEqual(await w.run(), { kind: 'done' });
    assert.deepEqual(w.calls, []);
  });
});

describe('ClusterPushSecret rules (core/cluster-push-secret.ts)', () => {
  it('ownership needs the exact controller reference ESO sets (isPushSecretOwnedBy)', () => {
    const owned = (apiVersion: string, kind = 'ClusterPushSecret', controller = true) => isOwnedByClusterPushSecret({ metadata: { name: 'x', namespace: 'n', ownerReferences: [{ apiVersion, kind, name: 'shared', uid: 'u', controller }] } }, 'shared');
    assert.ok(owned('external-secrets.io/v1alpha1'));
    assert.ok(!owned('external-secrets.io/v1'));
    assert.ok(!owned('external-secrets.io/v1alpha1', 'ClusterExternalSecret'));
    assert.ok(!owned('external-secrets.io/v1alpha1', 'ClusterPushSecret', false));
  });

  it('a namespace is selected by any valid selector; an invalid one selects nothing', () => {
    const c = cps({ namespaceSelectors: [{ matchExpressions: [{ key: 'team', operator: 'In', values: [] }] }, { matchLabels: { env: 'prod' } }] });
    assert.ok(pushSelectsNamespace(c, { env: 'prod' }));
    assert.ok(!pushSelectsNamespace(c, { team: 'a' }));
  });

  it('validate: refreshTime, selectors, the name, and the embedded PushSecret spec at its path', () => {
    const issues = validateClusterPushSecret({ ...cps({ refreshTime: 'soon', namespaceSelectors: [{ matchExpressions: [{ key: 'k', operator: 'Exists', values: ['v'] }] }], pushSecretSpec: { ...PS_SPEC, data: [] } }), metadata: { name: 'Not_DNS' } });
    assert.deepEqual(issues.map((i) => [i.path, i.code]), [
      ['spec.refreshTime', 'InvalidDuration'],
      ['metadata.name', 'InvalidName'],
      ['spec.namespaceSelectors[0].matchExpressions[0].values', 'InvalidSelector'],
      ['spec.pushSecretSpec.data', 'InvalidSpec'],
    ]);
    assert.deepEqual(validateClusterPushSecret(cps({ namespaceSelectors: [] })).map((i) => [i.code, i.severity]), [['NoNamespaceSelected', 'warning']]);
    assert.deepEqual(validateClusterPushSecret(cps()), []);
  });
});
