// spec.syncWindows in the refresh decision (core/refresh.ts refreshReason, untilNextRefresh) on a
// fake clock. ESO asks the windows only in shouldRefreshPeriodic, after every other check
// (pkg/controllers/externalsecret/externalsecret_controller.go): first sync, a changed
// generation/labels/annotations (force-sync), a refreshTime in the future and an invalid target
// Secret (isSecretValid) all refresh whatever the windows say; OnChange and CreatedOnce never ask.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { needsRefresh, refreshReason, SYNC_WINDOW_LOOKAHEAD_MS, untilNextRefresh, type LiveTargetMeta } from '../../../src/core/refresh.ts';
import { syncVersionOf } from '../../../src/core/external-secret.ts';
import { ANNOTATION_DATA_HASH, LABEL_MANAGED } from '../../../src/api/constants.ts';
import type { ExternalSecret } from '../../../src/api/index.ts';
import { externalSecret } from '../../support/builders.ts';
import { FakeClock } from '../../support/fake-clock.ts';

const HOUR = 3_600_000;
/** Deny 22:00–00:00 UTC every day. */
const DENY = { kind: 'deny' as const, windows: [{ schedule: '0 22 * * *', duration: '2h' }] };
/** Allow only 22:00–00:00 UTC. */
const ALLOW = { kind: 'allow' as const, windows: [{ schedule: '0 22 * * *', duration: '2h' }] };

const intact: LiveTargetMeta = { metadata: { name: 'netbox-db-credentials', namespace: 'netbox', labels: { [LABEL_MANAGED]: 'true' }, annotations: { [ANNOTATION_DATA_HASH]: 'h1' } }, observedDataHash: 'h1' };

/** Synced at `at` with a 1h interval: on the wave grid the next periodic refresh is the next whole hour at least 30 min later. */
function synced(spec: Partial<ExternalSecret['spec']>, at: string): ExternalSecret {
  const es = externalSecret({ refreshInterval: '1h', ...spec });
  return { ...es, status: { refreshTime: at, syncedResourceVersion: syncVersionOf(es) } };
}

describe('refresh decision with spec.syncWindows', () => {
  it('deny: a periodic refresh due inside the window waits for its end, then runs; the requeue time is the end', async () => {
    const clock = new FakeClock(new Date('2026-06-01T21:00:00Z'));
    const es = synced({ syncWindows: DENY }, '2026-06-01T21:00:00Z');
    // Without windows the next wave is 22:00; the window closes at 00:00, so 00:00:00.001.
    assert.equal(untilNextRefresh(es, clock.now()), 3 * HOUR + 1);
    assert.equal(untilNextRefresh({ ...es, spec: { ...es.spec, syncWindows: undefined } }, clock.now()), HOUR, 'control: no windows');
    await clock.advance(HOUR); // 22:00, the wave is due
    assert.equal(refreshReason(es, intact, clock.now()), 'sync-window-closed');
    assert.equal(needsRefresh(es, intact, clock.now()), false);
    assert.equal(untilNextRefresh(es, clock.now()), 2 * HOUR + 1, 'blocked at 22:00: look again when the window has closed');
    await clock.advance(2 * HOUR); // 00:00:00.000: the window's last (inclusive) instant
    assert.equal(refreshReason(es, intact, clock.now()), 'sync-window-closed');
    assert.equal(untilNextRefresh(es, clock.now()), 1);
    await clock.advance(1);
    assert.equal(refreshReason(es, intact, clock.now()), 'interval-elapsed');
  });

  it('allow: a periodic refresh waits for the window to open; after a sync inside it the next is the next allowed wave', async () => {
    const clock = new FakeClock(new Date('2026-06-01T12:00:00Z'));
    const es = synced({ syncWindows: ALLOW }, '2026-06-01T09:00:00Z');
    assert.equal(refreshReason(es, intact, clock.now()), 'sync-window-closed');
    assert.equal(untilNextRefresh(es, clock.now()), 10 * HOUR, 'opens at 22:00');
    await clock.advance(10 * HOUR);
    assert.equal(refreshReason(es, intact, clock.now()), 'interval-elapsed');
    // Synced at 22:00: the 23:00 and 00:00 waves are inside (00:00 is the inclusive end), 01:00 is not.
    const at22 = synced({ syncWindows: ALLOW }, '2026-06-01T22:00:00Z');
    assert.equal(untilNextRefresh(at22, clock.now(), clock.now()), HOUR);
    const at00 = synced({ syncWindows: ALLOW }, '2026-06-02T00:00:00Z');
    assert.equal(untilNextRefresh(at00, new Date('2026-06-02T00:00:00Z'), new Date('2026-06-02T00:00:00Z')), 22 * HOUR, 'next opening, 22:00 the next day');
  });

  it('never blocks a first sync, a spec/label/annotation change (force-sync), a refreshTime in the future or a target to repair', () => {
    const now = new Date('2026-06-01T23:00:00Z'); // inside the deny window
    const es = synced({ syncWindows: DENY }, '2026-06-01T21:00:00Z');
    assert.equal(refreshReason({ ...es, status: undefined }, undefined, now), 'never-synced');
    assert.equal(refreshReason({ ...es, metadata: { ...es.metadata, annotations: { 'force-sync': '1' } } }, intact, now), 'spec-changed');
    assert.equal(refreshReason({ ...es, metadata: { ...es.metadata, generation: 2 } }, intact, now), 'spec-changed');
    assert.equal(refreshReason({ ...es, status: { ...es.status, refreshTime: '2026-06-02T05:00:00Z' } }, intact, now), 'interval-elapsed');
    assert.equal(refreshReason(es, undefined, now), 'target-missing');
    assert.equal(refreshReason(es, { ...intact, observedDataHash: 'h2' }, now), 'target-drifted');
  });

  it('holds back a store change while blocked (ESO has no such trigger: it waits for the next interval), not outside the window', () => {
    const es = synced({ syncWindows: DENY }, '2026-06-01T21:00:00Z');
    assert.equal(refreshReason(es, intact, new Date('2026-06-01T23:00:00Z'), true), 'sync-window-closed');
    assert.equal(refreshReason(es, intact, new Date('2026-06-01T21:10:00Z'), true), 'store-changed');
  });

  it('applies only to Periodic refreshes with an interval: OnChange, CreatedOnce and interval 0 neither ask nor requeue', () => {
    const now = new Date('2026-06-01T23:00:00Z');
    assert.equal(refreshReason(synced({ syncWindows: DENY }, '2026-06-01T10:00:00Z'), intact, now), 'sync-window-closed', 'control: Periodic is held');
    for (const spec of [{ refreshPolicy: 'OnChange' as const }, { refreshPolicy: 'CreatedOnce' as const }, { refreshInterval: '0' }]) {
      const es = synced({ syncWindows: DENY, ...spec }, '2026-06-01T10:00:00Z');
      assert.equal(refreshReason(es, intact, now), 'up-to-date', JSON.stringify(spec));
      assert.equal(untilNextRefresh(es, now), undefined, JSON.stringify(spec));
    }
    // OnChange still refreshes on a change inside the window.
    const onChange = synced({ syncWindows: DENY, refreshPolicy: 'OnChange' }, '2026-06-01T10:00:00Z');
    assert.equal(refreshReason({ ...onChange, metadata: { ...onChange.metadata, labels: { team: 'blue' } } }, intact, now), 'spec-changed');
  });

  it('asks again after the lookahead when no allowed time is in it, and treats an unparsable allow-only list as never open', () => {
    const now = new Date('2026-06-01T12:00:00Z');
    const yearly = synced({ syncWindows: { kind: 'allow', windows: [{ schedule: '@yearly', duration: '1h' }] } }, '2026-06-01T09:00:00Z');
    assert.equal(refreshReason(yearly, intact, now), 'sync-window-closed');
    assert.equal(untilNextRefresh(yearly, now), SYNC_WINDOW_LOOKAHEAD_MS);
    const invalid = synced({ syncWindows: { kind: 'allow', windows: [{ schedule: '61 * * * *', duration: '1h' }] } }, '2026-06-01T09:00:00Z');
    assert.equal(refreshReason(invalid, intact, now), 'sync-window-closed');
    const invalidDeny = synced({ syncWindows: { kind: 'deny', windows: [{ schedule: '61 * * * *', duration: '1h' }] } }, '2026-06-01T09:00:00Z');
    assert.equal(refreshReason(invalidDeny, intact, now), 'interval-elapsed');
  });
});
