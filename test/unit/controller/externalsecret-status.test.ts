// ExternalSecret status as ESO writes it: Ready messages and reasons are ESO's constants (msgSynced,
// msgSyncedRetain, msgDeleted, msgMissing in pkg/controllers/externalsecret/externalsecret_controller.go;
// ConditionReason* in apis/externalsecrets/v1/externalsecret_types.go), markAsDone sets refreshTime and
// syncedResourceVersion, and status.binding is set only by createSecret/updateSecret (a zero
// corev1.LocalObjectReference otherwise, which the CRD default serves as {name: ""}).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ExternalSecret } from '../../../src/api/index.ts';
import { markFailed, markSynced, statusAfter } from '../../../src/controller/externalsecret/status.ts';
import type { Plan } from '../../../src/core/plan-target-secret.ts';
import { ProjectorError } from '../../../src/core/errors.ts';
import { syncVersionOf } from '../../../src/core/external-secret.ts';
import { externalSecret } from '../../support/builders.ts';

const now = new Date('2026-11-23T10:00:00.123Z');
const ready = (s: ExternalSecret['status']) => s?.conditions?.find((c) => c.type === 'Ready');
/** A plan with this action (statusAfter reads only the action). */
const planOf = (action: Plan['action']) => ({ action, name: 'netbox-db-credentials', namespace: 'netbox', exists: true, reason: '', hash: '' }) as unknown as Plan;
const withStatus = (es: ExternalSecret, status: ExternalSecret['status']): ExternalSecret => ({ ...es, status });

describe('ExternalSecret status (ESO parity)', () => {
  it('a sync that wrote the Secret: Ready=True SecretSynced "secret synced", bound to the target', () => {
    const es = externalSecret();
    const s = statusAfter(es, planOf('create'), now);
    assert.deepEqual(
      { ...ready(s) },
      { type: 'Ready', status: 'True', reason: 'SecretSynced', message: 'secret synced', lastTransitionTime: '2026-11-23T10:00:00Z' },
    );
    assert.equal(s.refreshTime, '2026-11-23T10:00:00Z');
    assert.equal(s.syncedResourceVersion, syncVersionOf(es));
    assert.deepEqual(s.binding, { name: 'netbox-db-credentials' });
    for (const action of ['update', 'unchanged'] as const) {
      assert.deepEqual(statusAfter(es, planOf(action), now).binding, { name: 'netbox-db-credentials' });
    }
  });

  it('a sync that wrote no Secret (creationPolicy None) leaves the binding unset, served as {name: ""}', () => {
    const es = externalSecret({ target: { name: 'x', creationPolicy: 'None' } });
    const s = statusAfter(es, planOf('skip'), now);
    assert.deepEqual(s.binding, { name: '' });
    assert.equal(ready(s)?.message, 'secret synced');
    const earlier = statusAfter(withStatus(es, { binding: { name: 'old' } }), planOf('skip'), now);
    assert.deepEqual(earlier.binding, { name: 'old' }, 'ESO keeps the binding it had');
  });

  it('every remote secret gone under deletionPolicy Delete: Ready=True SecretDeleted, no Deleted condition', () => {
    const es = externalSecret({ target: { name: 'netbox-db-credentials', deletionPolicy: 'Delete' } });
    const before = withStatus(es, {
      binding: { name: 'netbox-db-credentials' },
      conditions: [{ type: 'Deleted', status: 'False', reason: 'SecretDeleted', message: 'left by an older Projector', lastTransitionTime: '2026-01-01T00:00:00Z' }],
    });
    {
      const s = statusAfter(before, planOf('delete'), now);
      assert.deepEqual(
        s.conditions?.map((c) => [c.type, c.status, c.reason, c.message]),
        [['Ready', 'True', 'SecretDeleted', 'secret deleted due to DeletionPolicy=Delete']],
      );
      assert.deepEqual(s.binding, { name: 'netbox-db-credentials' });
    }
  });

  it('no provider data under deletionPolicy Retain: "secret retained due to DeletionPolicy=Retain"', () => {
    const es = externalSecret({ data: [], dataFrom: [{ find: { name: { regexp: '^none$' } } }] });
    const s = statusAfter(es, planOf('retain'), now);
    assert.deepEqual([ready(s)?.status, ready(s)?.reason, ready(s)?.message], ['True', 'SecretSynced', 'secret retained due to DeletionPolicy=Retain']);
    const merge = externalSecret({ target: { name: 'netbox-db-credentials', deletionPolicy: 'Merge' } });
    assert.equal(ready(statusAfter(merge, planOf('update'), now))?.message, 'secret synced', 'ESO syncs on under Merge');
  });

  it('creationPolicy Merge with no Secret: Ready=True SecretMissing', () => {
    const s = statusAfter(externalSecret({ target: { name: 'absent', creationPolicy: 'Merge' } }), planOf('wait-for-target'), now);
    assert.deepEqual([ready(s)?.status, ready(s)?.reason, ready(s)?.message], ['True', 'SecretMissing', 'secret will not be created due to CreationPolicy=Merge']);
    assert.deepEqual(s.binding, { name: '' });
  });

  it('a failure keeps Projector\'s message naming the cause, with ESO\'s reason, and ESO\'s unset binding', () => {
    const es = externalSecret();
    const s = markFailed(es, new ProjectorError('StoreNotFound', 'ClusterSecretStore "x" not found'), now);
    assert.deepEqual([ready(s)?.status, ready(s)?.reason, ready(s)?.message], ['False', 'SecretSyncedError', 'StoreNotFound: ClusterSecretStore "x" not found']);
    assert.deepEqual(s.binding, { name: '' });
    assert.equal(s.refreshTime, null, 'never synced: ESO\'s zero metav1.Time serializes as null');
    assert.equal(markFailed(withStatus(es, { refreshTime: '2026-11-23T09:00:00Z' }), new ProjectorError('VaultUnavailable', 'down'), now).refreshTime, '2026-11-23T09:00:00Z', 'a failure does not move refreshTime');
    const synced = markSynced(es, now);
    assert.deepEqual(markFailed(withStatus(es, synced), new ProjectorError('VaultUnavailable', 'down'), now).binding, { name: 'netbox-db-credentials' });
    // ESO updateSecret sets the binding before it mutates an existing target, so a failed update binds it.
    assert.deepEqual(markFailed(es, new ProjectorError('TargetTypeImmutable', 'type'), now, 'existing').binding, { name: 'existing' });
  });

  it('keeps lastTransitionTime while Ready stays True across messages', () => {
    const es = externalSecret();
    const first = markSynced(es, now);
    const later = statusAfter(withStatus(es, first), planOf('retain'), new Date('2026-11-23T11:00:00Z'));
    assert.equal(ready(later)?.message, 'secret retained due to DeletionPolicy=Retain');
    assert.equal(ready(later)?.lastTransitionTime, '2026-11-23T10:00:00Z');
  });
});
