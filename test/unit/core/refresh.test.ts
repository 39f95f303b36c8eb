import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nextRefreshAt, refreshReason, refreshWaveStart, untilNextRefresh, type LiveTargetMeta } from '../../../src/core/refresh.ts';
import { syncVersionOf } from '../../../src/core/external-secret.ts';
import { ANNOTATION_DATA_HASH } from '../../../src/api/constants.ts';
import type { ExternalSecret } from '../../../src/api/index.ts';
import { externalSecret } from '../../support/builders.ts';

const t0 = new Date('2026-11-23T10:00:00Z');
function synced(es: ExternalSecret, at = t0): ExternalSecret {
  return { ...es, status: { refreshTime: at.toISOString(), syncedResourceVersion: syncVersionOf(es) } };
}
const live: LiveTargetMeta = { metadata: { annotations: { [ANNOTATION_DATA_HASH]: 'h1' } }, observedDataHash: 'h1' };
const at = (ms: number) => new Date(t0.getTime() + ms);

describe('refreshReason', () => {
  it('asks for a first sync', () => assert.equal(refreshReason(externalSecret(), live, t0), 'never-synced'));
  it('waits for the interval', () => {
    const es = synced(externalSecret());
    assert.equal(refreshReason(es, live, at(59 * 60_000)), 'up-to-date');
    assert.equal(refreshReason(es, live, at(60 * 60_000)), 'interval-elapsed');
  });
  it('refreshes on a spec change (generation)', () => {
    const es = synced(externalSecret());
    assert.equal(refreshReason({ ...es, metadata: { ...es.metadata, generation: 2 } }, live, t0), 'spec-changed');
  });
  it('refreshes when the force-sync annotation changes', () => {
    const es = synced(externalSecret());
    assert.equal(refreshReason({ ...es, metadata: { ...es.metadata, annotations: { 'force-sync': '1' } } }, live, t0), 'spec-changed');
  });
  it('repairs a deleted or edited target Secret', () => {
    const es = synced(externalSecret());
    assert.equal(refreshReason(es, undefined, t0), 'target-missing');
    assert.equal(refreshReason(es, { ...live, observedDataHash: 'other' }, t0), 'target-drifted');
  });
  it('never refreshes periodically with refreshInterval 0', () => {
    const es = synced(externalSecret({ refreshInterval: '0' }));
    assert.equal(refreshReason(es, live, at(1e9)), 'up-to-date');
    assert.equal(untilNextRefresh(es, t0), undefined);
  });
  // ESO externalsecret_controller.go shouldRefreshPeriodic (`RefreshInterval.Duration <= 0` and synced:
  // no refresh) and getRequeueResult (`refreshInterval <= 0`: no requeue); its CRD takes any
  // metav1.Duration, Go's time.ParseDuration accepting a leading "-".
  it('treats a negative refreshInterval ("-1h") as 0: one sync, then no periodic refresh and no requeue', () => {
    assert.equal(refreshReason(externalSecret({ refreshInterval: '-1h' }), live, t0), 'never-synced');
    const es = synced(externalSecret({ refreshInterval: '-1h' }));
    assert.equal(refreshReason(es, live, at(1e9)), 'up-to-date');
    assert.equal(refreshReason({ ...es, metadata: { ...es.metadata, generation: 2 } }, live, at(1e9)), 'up-to-date', 'as for 0: not even a spec change');
    assert.equal(untilNextRefresh(es, t0), undefined);
    assert.equal(refreshReason(es, undefined, at(1e9)), 'target-missing', 'a deleted target is still repaired');
  });
  it('honours refreshPolicy CreatedOnce even when the spec changes', () => {
    const es = synced(externalSecret({ refreshPolicy: 'CreatedOnce' }));
    assert.equal(refreshReason({ ...es, metadata: { ...es.metadata, generation: 5 } }, live, at(1e9)), 'up-to-date');
  });
  it('schedules the next refresh from the last one', () => {
    const es = synced(externalSecret({ refreshInterval: '10m' }));
    assert.equal(untilNextRefresh(es, at(4 * 60_000)), 6 * 60_000);
    assert.equal(untilNextRefresh(es, at(11 * 60_000)), 0);
  });
  it('aligns periodic refreshes of every ExternalSecret with the same interval to one wave', () => {
    const a = synced(externalSecret({ refreshInterval: '10m' }), new Date('2026-11-23T10:01:00Z'));
    const b = synced(externalSecret({ refreshInterval: '10m' }), new Date('2026-11-23T10:03:30Z'));
    const wave = Date.parse('2026-11-23T10:10:00Z');
    assert.equal(nextRefreshAt(a, Date.parse(a.status!.refreshTime!)), wave);
    assert.equal(nextRefreshAt(b, Date.parse(b.status!.refreshTime!)), wave);
    // A sync just before a grid point waits for the next one: never sooner than R/2.
    const c = synced(externalSecret({ refreshInterval: '10m' }), new Date('2026-11-23T10:08:00Z'));
    assert.equal(nextRefreshAt(c, Date.parse(c.status!.refreshTime!)), Date.parse('2026-11-23T10:20:00Z'));
    assert.equal(refreshWaveStart(a, new Date('2026-11-23T10:10:07Z')), wave);
  });
});

describe('untilNextRefresh never trusts a status.refreshTime beyond now', () => {
  it('schedules from now for a refreshTime in the future or one that does not parse, within 1½ intervals', () => {
    for (const refreshTime of ['9999-12-31T23:59:59Z', '2026-11-23T11:00:00Z', 'not a time']) {
      const es = externalSecret({ refreshInterval: '10m' });
      es.status = { refreshTime, syncedResourceVersion: '1-x' } as never;
      const ms = untilNextRefresh(es, t0)!;
      assert.ok(ms >= 5 * 60_000 && ms <= 15 * 60_000, `${refreshTime}: ${ms}`);
    }
  });
});
