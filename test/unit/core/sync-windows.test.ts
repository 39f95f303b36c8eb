// core/sync-windows.ts: ESO v2.9's window rule (pkg/controllers/externalsecret/externalsecret_controller.go
// isWithinSyncWindow, isPeriodicRefreshAllowedByWindows; its own cases are those of
// syncwindow_test.go TestIsWithinSyncWindow / TestIsPeriodicRefreshAllowedByWindows), Projector's
// requeue time (nextPeriodicRefreshAllowedAt) and validate's findings. Time is passed in.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isWithinSyncWindow, nextPeriodicRefreshAllowedAt, periodicRefreshAllowed, syncWindowIssues, type SyncWindows } from '../../../src/core/sync-windows.ts';
import { parseCronSchedule, type CronSchedule } from '../../../src/core/cron.ts';

const T = (iso: string) => Date.parse(iso);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function sched(spec: string): CronSchedule {
  const p = parseCronSchedule(spec);
  assert.ok(p.ok);
  return p.schedule;
}

const allowed = (sw: SyncWindows | undefined, iso: string) => periodicRefreshAllowed(sw, new Date(iso));
/** The requeue time from `from`, looking one day ahead, as an ISO string. */
const nextAllowed = (sw: SyncWindows, from: string) => new Date(nextPeriodicRefreshAllowedAt(sw, T(from), T(from) + DAY)).toISOString();

const daily22 = { schedule: '0 22 * * *', duration: '2h' };

describe('isWithinSyncWindow (ESO)', () => {
  it('is open from the activation to activation + duration, both ends included (syncwindow_test.go cases)', () => {
    const s = sched('0 22 * * *');
    const open = T('2026-06-01T22:00:00Z');
    const close = open + 2 * HOUR;
    const at = (ms: number) => isWithinSyncWindow(s, 2 * HOUR, ms);
    assert.equal(at(open), true, 'at window open (inclusive)');
    assert.equal(at(open + 30 * 60_000), true, 'inside');
    assert.equal(at(close), true, 'at window close (inclusive)');
    assert.equal(at(close + 1), false, 'one millisecond past close');
    assert.equal(at(close + 1000), false, 'one second past close');
    assert.equal(at(open - 1), false, 'one millisecond before open');
    assert.equal(at(open - HOUR), false);
    assert.equal(at(open + 5 * HOUR), false, 'between two occurrences');
    assert.equal(at(open + DAY + 30 * 60_000), true, 'the next day\'s occurrence');
  });

  it('keeps ESO\'s sub-second gap after an occurrence that overlaps the next one', () => {
    // Every minute for 90 s: Next(at − 90 s − 1 s) finds the occurrence that closed at 12:01:30 for
    // any time in the following second, although the 12:01 occurrence is open.
    const s = sched('* * * * *');
    const at = (iso: string) => isWithinSyncWindow(s, 90_000, T(iso));
    assert.equal(at('2026-06-01T12:01:30.000Z'), true);
    assert.equal(at('2026-06-01T12:01:30.500Z'), false);
    assert.equal(at('2026-06-01T12:01:31.000Z'), true);
  });

  it('finds an @every window open at all times or never, by duration against period (no fixed start)', () => {
    const s = sched('@every 1h');
    for (const ms of [T('2026-06-01T10:00:00Z'), T('2026-06-01T10:17:03.123Z'), T('2026-06-01T10:59:59.999Z')]) {
      assert.equal(isWithinSyncWindow(s, HOUR, ms), true, 'duration = period: always open');
      assert.equal(isWithinSyncWindow(s, HOUR - 1000, ms), true, 'period − 1s: always open');
      assert.equal(isWithinSyncWindow(s, HOUR - 2000, ms), false, 'period − 2s: never open');
      assert.equal(isWithinSyncWindow(s, 60_000, ms), false, 'one minute every hour, as a user might read it: never open');
    }
  });
});

describe('periodicRefreshAllowed (ESO isPeriodicRefreshAllowedByWindows)', () => {
  const inWindow = '2026-06-01T23:00:00Z';
  const outWindow = '2026-06-01T20:00:00Z';
  it('allows with no windows, and with an empty list', () => {
    assert.equal(allowed(undefined, inWindow), true);
    assert.equal(allowed({ kind: 'allow', windows: [] }, inWindow), true);
  });
  it('allow: only inside a window; deny: only outside every window', () => {
    assert.equal(allowed({ kind: 'allow', windows: [daily22] }, inWindow), true);
    assert.equal(allowed({ kind: 'allow', windows: [daily22] }, outWindow), false);
    assert.equal(allowed({ kind: 'deny', windows: [daily22] }, inWindow), false);
    assert.equal(allowed({ kind: 'deny', windows: [daily22] }, outWindow), true);
    // Any one of several windows.
    const two = [{ schedule: '0 6 * * *', duration: '1h' }, daily22];
    assert.equal(allowed({ kind: 'allow', windows: two }, '2026-06-01T06:30:00Z'), true);
    assert.equal(allowed({ kind: 'deny', windows: two }, '2026-06-01T06:30:00Z'), false);
  });
  it('skips a window whose schedule does not parse (never open), and allows for an unknown kind', () => {
    const invalid = { schedule: 'not-a-cron', duration: '2h' };
    assert.equal(allowed({ kind: 'allow', windows: [invalid] }, inWindow), false, 'allow: only invalid, so none open');
    assert.equal(allowed({ kind: 'deny', windows: [invalid] }, inWindow), true, 'deny: only invalid, so none open');
    assert.equal(allowed({ kind: 'allow', windows: [invalid, daily22] }, inWindow), true);
    assert.equal(allowed({ kind: 'unknown' as 'allow', windows: [daily22] }, inWindow), true);
  });
  it('evaluates in UTC, with weekday ranges', () => {
    // 2026-06-05 is a Friday, 2026-06-06 a Saturday.
    const weekdays = { kind: 'allow' as const, windows: [{ schedule: '0 22 * * 1-5', duration: '8h' }] };
    assert.equal(allowed(weekdays, '2026-06-06T05:59:59Z'), true, 'Friday 22:00 + 8h reaches Saturday 06:00');
    assert.equal(allowed(weekdays, '2026-06-06T06:00:01Z'), false);
    assert.equal(allowed(weekdays, '2026-06-06T22:30:00Z'), false, 'no Saturday window');
  });
});

describe('nextPeriodicRefreshAllowedAt (when Projector looks again)', () => {
  it('allow: now when a window is open, else the next opening', () => {
    assert.equal(nextAllowed({ kind: 'allow', windows: [daily22] }, '2026-06-01T23:00:00Z'), '2026-06-01T23:00:00.000Z');
    assert.equal(nextAllowed({ kind: 'allow', windows: [daily22] }, '2026-06-01T20:00:00Z'), '2026-06-01T22:00:00.000Z');
    assert.equal(nextAllowed({ kind: 'allow', windows: [daily22] }, '2026-06-02T00:00:00.001Z'), '2026-06-02T22:00:00.000Z');
    const two = { kind: 'allow' as const, windows: [daily22, { schedule: '30 6 * * *', duration: '10m' }] };
    assert.equal(nextAllowed(two, '2026-06-02T01:00:00Z'), '2026-06-02T06:30:00.000Z');
  });

  it('deny: the first millisecond after every open window has closed, overlapping ones included', () => {
    assert.equal(nextAllowed({ kind: 'deny', windows: [daily22] }, '2026-06-01T20:00:00Z'), '2026-06-01T20:00:00.000Z');
    assert.equal(nextAllowed({ kind: 'deny', windows: [daily22] }, '2026-06-01T23:00:00Z'), '2026-06-02T00:00:00.001Z');
    const overlapping = { kind: 'deny' as const, windows: [daily22, { schedule: '30 23 * * *', duration: '1h' }] };
    assert.equal(nextAllowed(overlapping, '2026-06-01T23:00:00Z'), '2026-06-02T00:30:00.001Z');
    // The answer is one ESO's rule allows, and the millisecond before it is not.
    assert.equal(allowed(overlapping, '2026-06-02T00:30:00.001Z'), true);
    assert.equal(allowed(overlapping, '2026-06-02T00:30:00.000Z'), false);
  });

  it('does not aim at ESO\'s sub-second gaps: an always-covered deny list waits the whole lookahead', () => {
    const everyMinute = { kind: 'deny' as const, windows: [{ schedule: '* * * * *', duration: '90s' }] };
    assert.equal(allowed(everyMinute, '2026-06-01T23:01:30.500Z'), true, 'ESO\'s rule lets this instant through');
    assert.equal(nextAllowed(everyMinute, '2026-06-01T23:00:00.200Z'), '2026-06-02T23:00:00.200Z');
  });

  it('looks again at the end of the lookahead when nothing in it is allowed', () => {
    assert.equal(nextAllowed({ kind: 'allow', windows: [{ schedule: '@yearly', duration: '1h' }] }, '2026-06-01T00:00:00Z'), '2026-06-02T00:00:00.000Z');
    assert.equal(nextAllowed({ kind: 'allow', windows: [{ schedule: 'not-a-cron', duration: '1h' }] }, '2026-06-01T00:00:00Z'), '2026-06-02T00:00:00.000Z');
    assert.equal(nextAllowed({ kind: 'deny', windows: [{ schedule: 'not-a-cron', duration: '1h' }] }, '2026-06-01T00:00:00Z'), '2026-06-01T00:00:00.000Z');
  });

  it('@every: open at all times (allow: now; deny: never) or never (allow: never; deny: now)', () => {
    const always = { schedule: '@every 1h', duration: '1h' };
    const never = { schedule: '@every 1h', duration: '1m' };
    assert.equal(nextAllowed({ kind: 'allow', windows: [always] }, '2026-06-01T00:00:00Z'), '2026-06-01T00:00:00.000Z');
    assert.equal(nextAllowed({ kind: 'deny', windows: [always] }, '2026-06-01T00:00:00Z'), '2026-06-02T00:00:00.000Z');
    assert.equal(nextAllowed({ kind: 'allow', windows: [never] }, '2026-06-01T00:00:00Z'), '2026-06-02T00:00:00.000Z');
    assert.equal(nextAllowed({ kind: 'deny', windows: [never] }, '2026-06-01T00:00:00Z'), '2026-06-01T00:00:00.000Z');
  });

  it('returns `from` without windows or for an unknown kind', () => {
    assert.equal(nextAllowed({ kind: 'allow', windows: [] }, '2026-06-01T00:00:00Z'), '2026-06-01T00:00:00.000Z');
    assert.equal(nextAllowed({ kind: 'other' as 'deny', windows: [daily22] }, '2026-06-01T23:00:00Z'), '2026-06-01T23:00:00.000Z');
  });
});

describe('syncWindowIssues (validate and the webhook)', () => {
  const issues = (windows: SyncWindows['windows'], kind: SyncWindows['kind'] = 'allow') => syncWindowIssues({ kind, windows }, 'spec.syncWindows').map((i) => [i.path, i.code, i.severity]);
  it('has nothing to say about well-formed windows', () => {
    assert.deepEqual(issues([daily22, { schedule: '@weekly', duration: '30m' }, { schedule: '0 0 29 2 *', duration: '-0s' }]), []);
  });
  it('refuses a duration Go cannot decode, and warns for a schedule robfig refuses (ESO accepts it and never opens the window)', () => {
    assert.deepEqual(issues([{ schedule: '0 22 * *', duration: '8 hours' }]), [
      ['spec.syncWindows.windows[0].duration', 'InvalidDuration', 'error'],
      ['spec.syncWindows.windows[0].schedule', 'InvalidSchedule', 'warning'],
    ]);
    const [schedule] = syncWindowIssues({ kind: 'allow', windows: [{ schedule: '0 25 * * *', duration: '1h' }] }, 'spec.syncWindows');
    assert.match(schedule!.message, /^not a schedule ESO's cron parser \(robfig\/cron v3\) accepts \(hour "25" ends above 23\), so this window is never open/);
  });
  it('warns for windows that are never open, or open at all times', () => {
    assert.deepEqual(issues([{ schedule: '0 0 30 2 *', duration: '1h' }, { schedule: '0 0 * * *', duration: '-1h' }, { schedule: '@every 6h', duration: '1h' }, { schedule: '@every 1h', duration: '2h' }]), [
      ['spec.syncWindows.windows[0]', 'SyncWindowShape', 'warning'],
      ['spec.syncWindows.windows[1]', 'SyncWindowShape', 'warning'],
      ['spec.syncWindows.windows[2]', 'SyncWindowShape', 'warning'],
      ['spec.syncWindows.windows[3]', 'SyncWindowShape', 'warning'],
    ]);
  });
});
