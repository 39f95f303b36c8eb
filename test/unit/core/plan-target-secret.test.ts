import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planTargetSecret, type LiveSecret, type Plan } from '../../../src/core/plan-target-secret.ts';
import { ProjectorError } from '../../../src/core/errors.ts';
import { ANNOTATION_DATA_HASH } from '../../../src/api/constants.ts';
import { externalSecret, fetched, text } from '../../support/builders.ts';

function liveFrom(plan: Plan, extra: Partial<LiveSecret['metadata']> = {}): LiveSecret {
  assert.ok(plan.action === 'create' || plan.action === 'update');
  const s = plan.secret;
  return {
    metadata: { name: s.name, namespace: s.namespace, labels: s.labels, annotations: s.annotations, ownerReferences: s.ownerReferences, resourceVersion: '7', ...extra },
    type: s.type,
    data: s.data,
  };
}

describe('planTargetSecret', () => {
  const es = externalSecret();

  it('creates an owned Secret carrying the data hash when none exists', () => {
    const plan = planTargetSecret({ es, data: fetched({ DB_PASSWORD: 'canary-1' }), allMissing: false, live: undefined });
    assert.equal(plan.action, 'create');
    assert.ok(plan.action === 'create');
    assert.equal(plan.secret.name, 'netbox-db-credentials');
    assert.equal(plan.secret.ownerReferences[0]?.kind, 'ExternalSecret');
    assert.equal(plan.secret.ownerReferences[0]?.uid, 'uid-es-1');
    assert.equal(plan.secret.annotations[ANNOTATION_DATA_HASH], plan.hash);
    assert.equal(text(plan.secret.data.get('DB_PASSWORD')), 'canary-1');
  });

  it('skips the write when the live Secret already matches', () => {
    const first = planTargetSecret({ es, data: fetched({ DB_PASSWORD: 'canary-1' }), allMissing: false, live: undefined });
    const plan = planTargetSecret({ es, data: fetched({ DB_PASSWORD: 'canary-1' }), allMissing: false, live: liveFrom(first) });
    assert.equal(plan.action, 'unchanged');
  });

  it('updates with the planned resourceVersion when the vault value rotated', () => {
    const first = planTargetSecret({ es, data: fetched({ DB_PASSWORD: 'canary-1' }), allMissing: false, live: undefined });
    const plan = planTargetSecret({ es, data: fetched({ DB_PASSWORD: 'canary-2' }), allMissing: false, live: liveFrom(first) });
    assert.ok(plan.action === 'update');
    assert.equal(plan.secret.resourceVersion, '7');
    assert.equal(text(plan.secret.data.get('DB_PASSWORD')), 'canary-2');
    assert.notEqual(plan.hash, first.action === 'create' ? first.hash : '');
  });

  it('keeps labels others put on the Secret, such as Argo CD tracking', () => {
    const first = planTargetSecret({ es, data: fetched({ DB_PASSWORD: 'a' }), allMissing: false, live: undefined });
    const live = liveFrom(first);
    live.metadata.labels = { ...live.metadata.labels, 'argocd.argoproj.io/instance': 'netbox' };
    const plan = planTargetSecret({ es, data: fetched({ DB_PASSWORD: 'b' }), allMissing: false, live });
    assert.ok(plan.action === 'update');
    assert.equal(plan.secret.labels['argocd.argoproj.io/instance'], 'netbox');
  });

  it('refuses to write a Secret controlled by another ExternalSecret', () => {
    const live: LiveSecret = {
      metadata: { name: 'netbox-db-credentials', ownerReferences: [{ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', name: 'other', uid: 'uid-other', controller: true }] },
      data: fetched({}),
    };
    assert.throws(() => planTargetSecret({ es, data: fetched({ DB_PASSWORD: 'x' }), allMissing: false, live }), (e: unknown) => e instanceof ProjectorError && e.code === 'TargetOwnedElsewhere');
  });

  it('merges into an existing Secret without taking ownership for creationPolicy Merge', () => {
    const merge = externalSecret({ target: { name: 'app', creationPolicy: 'Merge' } });
    const live: LiveSecret = { metadata: { name: 'app', resourceVersion: '3' }, data: fetched({ OTHER: 'keep' }) };
    const plan = planTargetSecret({ es: merge, data: fetched({ DB_PASSWORD: 'x' }), allMissing: false, live });
    assert.ok(plan.action === 'update');
    assert.deepEqual([...plan.secret.data.keys()].sort(), ['DB_PASSWORD', 'OTHER']);
    assert.equal(plan.secret.ownerReferences.length, 0);
  });

  it('reports TargetMissing for creationPolicy Merge when the Secret does not exist', () => {
    const merge = externalSecret({ target: { name: 'app', creationPolicy: 'Merge' } });
    assert.throws(() => planTargetSecret({ es: merge, data: fetched({ A: 'x' }), allMissing: false, live: undefined }), (e: unknown) => e instanceof ProjectorError && e.code === 'TargetMissing');
  });

  it('writes nothing for creationPolicy None', () => {
    const none = externalSecret({ target: { creationPolicy: 'None' } });
    assert.equal(planTargetSecret({ es: none, data: fetched({ A: 'x' }), allMissing: false, live: undefined }).action, 'skip');
  });

  it('creates without an ownerReference for creationPolicy Orphan', () => {
    const orphan = externalSecret({ target: { name: 't', creationPolicy: 'Orphan' } });
    const plan = planTargetSecret({ es: orphan, data: fetched({ A: 'x' }), allMissing: false, live: undefined });
    assert.ok(plan.action === 'create');
    assert.equal(plan.secret.ownerReferences.length, 0);
  });

  it('deletes the Secret when every remote secret is gone and deletionPolicy is Delete', () => {
    const del = externalSecret({ target: { name: 'netbox-db-credentials', deletionPolicy: 'Delete' } });
    const first = planTargetSecret({ es: del, data: fetched({ DB_PASSWORD: 'a' }), allMissing: false, live: undefined });
    const plan = planTargetSecret({ es: del, data: fetched({}), allMissing: true, live: liveFrom(first) });
    assert.equal(plan.action, 'delete');
  });

  it('removes only its own keys when every remote secret is gone and deletionPolicy is Merge', () => {
    const m = externalSecret({ target: { name: 'app', creationPolicy: 'Merge', deletionPolicy: 'Merge' } });
    const live: LiveSecret = { metadata: { name: 'app', resourceVersion: '3' }, data: fetched({ OTHER: 'keep', DB_PASSWORD: 'x' }) };
    const plan = planTargetSecret({ es: m, data: fetched({}), allMissing: true, live });
    assert.ok(plan.action === 'update');
    assert.deepEqual([...plan.secret.data.keys()], ['OTHER']);
  });

  it('refuses to change an immutable Secret', () => {
    const first = planTargetSecret({ es, data: fetched({ DB_PASSWORD: 'a' }), allMissing: false, live: undefined });
    const live = { ...liveFrom(first), immutable: true };
    assert.throws(() => planTargetSecret({ es, data: fetched({ DB_PASSWORD: 'b' }), allMissing: false, live }), (e: unknown) => e instanceof ProjectorError && e.code === 'TargetImmutable');
  });

  it('rejects keys a Secret cannot hold, naming the key and not the value', () => {
    assert.throws(
      () => planTargetSecret({ es, data: fetched({ 'bad key': 'canary-bad' }), allMissing: false, live: undefined }),
      (e: unknown) => e instanceof ProjectorError && e.code === 'InvalidSpec' && e.message.includes('bad key') && !e.message.includes('canary-bad'),
    );
  });
});
