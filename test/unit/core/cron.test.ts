// core/cron.ts against robfig/cron v3.0.1 with the parser ESO builds for sync windows
// (pkg/controllers/externalsecret/externalsecret_controller.go cronParser:
// Minute | Hour | Dom | Month | Dow | Descriptor). Expected values follow robfig's parser.go
// (Parse, normalizeFields, getRange, parseDescriptor), spec.go (SpecSchedule.Next, dayMatches) and
// constantdelay.go (Every, ConstantDelaySchedule.Next); each was also checked against robfig itself.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cronNext, parseCronSchedule, type CronSchedule } from '../../../src/core/cron.ts';

function schedule(spec: string): CronSchedule {
  const p = parseCronSchedule(spec);
  assert.ok(p.ok, `${spec}: ${p.ok ? '' : p.reason}`);
  return p.schedule;
}

/** robfig's Next, as an ISO string (or undefined for its zero time). */
function next(spec: string, after: string): string | undefined {
  const ms = cronNext(schedule(spec), Date.parse(after));
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

describe('parseCronSchedule (robfig/cron v3 with ESO cronParser options)', () => {
  it('accepts five fields and the descriptors, as robfig does', () => {
    for (const spec of [
      '0 22 * * 1-5',
      '*/15 * * * *',
      '0 0 1,15 * *',
      '0 9-17/2 * jan-MAR Mon-fri',
      '? ? ? ? ?', // getRange: "?" is "*" in any field
      '*-5 * * * *', // getRange looks only at lowAndHigh[0] when it is "*": the "-5" is ignored
      '+5 * * * *', // strconv.Atoi takes a sign
      '0 0 1,,2 * *', // getField: strings.FieldsFunc drops empty items
      '0 0 , * *', // ... so a lone comma is a field that matches nothing
      '5/15 * * * *', // "N/step" is "N-max/step"
      '*/99999 * * * *', // a step past the range keeps its first value
      '0\t0  * *\u00a0*', // strings.Fields splits on Go's unicode.IsSpace (NBSP included)
      '0 0 * * FR\u0130', // strings.ToLower maps U+0130 to a plain i: FRİ is fri
      '@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly',
      '@every 1h30m', '@every 500ms', '@every -1h', '@every 0',
    ]) {
      assert.ok(parseCronSchedule(spec).ok, spec);
    }
  });

  it('refuses what robfig refuses, with a reason', () => {
    for (const spec of [
      '', // "empty spec string"
      '0 22 * *', // "expected exactly 5 fields"
      '0 0 22 * * *', // no seconds field in ESO's parser
      '60 * * * *', // above the minute's maximum
      '0 24 * * *',
      '0 0 0 * *', // day of month starts at 1
      '0 0 * 0 *',
      '0 0 * * 7', // day of week 0-6 (robfig has no 7 for Sunday)
      '0 0 L * *', // no L, W or #
      '0 0 * * 1#2',
      '5-1 * * * *', // "beginning of range beyond end of range"
      '1-2-3 * * * *', // "too many hyphens"
      '1/2/3 * * * *', // "too many slashes"
      '*/0 * * * *', // "step of range should be a positive number"
      '*/-1 * * * *', // "negative number not allowed"
      '-5 * * * *',
      '99999999999999999999 * * * *', // strconv.Atoi: out of range
      '1_0 * * * *', // strconv.Atoi in base 10 takes no underscores
      'mon * * * *', // names only in month and day of week
      '@reboot', // "unrecognized descriptor"
      '@Daily',
      '@daily ',
      '@every  1h', // time.ParseDuration(" 1h") fails: no trimming
      '@every 1h extra',
      '@every 1', // a unit is required
      'CRON_TZ=UTC 0 0 * *', // under the CRD pattern a TZ prefix always leaves four fields
    ]) {
      const p = parseCronSchedule(spec);
      assert.equal(p.ok, false, JSON.stringify(spec));
      assert.ok(!p.ok && p.reason.length > 0);
    }
  });
});

describe('cronNext (robfig SpecSchedule.Next / ConstantDelaySchedule.Next, UTC)', () => {
  it('returns the first activation strictly after the time asked about, on whole minutes', () => {
    assert.equal(next('0 22 * * *', '2026-06-01T12:00:00.000Z'), '2026-06-01T22:00:00.000Z');
    assert.equal(next('0 22 * * *', '2026-06-01T21:59:59.999Z'), '2026-06-01T22:00:00.000Z');
    // "Start at the earliest possible time (the upcoming second)": 22:00:00 itself is not after 22:00:00.
    assert.equal(next('0 22 * * *', '2026-06-01T22:00:00.000Z'), '2026-06-02T22:00:00.000Z');
    assert.equal(next('0 22 * * *', '2026-06-01T22:00:00.500Z'), '2026-06-02T22:00:00.000Z');
    // ... and anything before the upcoming second: 21:59:59.5 starts the search at 22:00:00.
    assert.equal(next('0 22 * * *', '2026-06-01T21:59:59.500Z'), '2026-06-01T22:00:00.000Z');
    assert.equal(next('*/20 * * * *', '2026-06-01T10:05:00Z'), '2026-06-01T10:20:00.000Z');
    assert.equal(next('5/20 * * * *', '2026-06-01T10:06:00Z'), '2026-06-01T10:25:00.000Z');
  });

  it('runs the descriptors at their fixed times', () => {
    // 2026-06-03 is a Wednesday.
    assert.equal(next('@hourly', '2026-06-03T10:05:00Z'), '2026-06-03T11:00:00.000Z');
    assert.equal(next('@daily', '2026-06-03T10:05:00Z'), '2026-06-04T00:00:00.000Z');
    assert.equal(next('@midnight', '2026-06-03T10:05:00Z'), '2026-06-04T00:00:00.000Z');
    assert.equal(next('@weekly', '2026-06-03T10:05:00Z'), '2026-06-07T00:00:00.000Z'); // Sunday
    assert.equal(next('@monthly', '2026-06-03T10:05:00Z'), '2026-07-01T00:00:00.000Z');
    assert.equal(next('@yearly', '2026-06-03T10:05:00Z'), '2027-01-01T00:00:00.000Z');
    assert.equal(next('@annually', '2026-06-03T10:05:00Z'), '2027-01-01T00:00:00.000Z');
  });

  it('matches day of month OR day of week when both are restricted, AND when either is * or ? (robfig dayMatches)', () => {
    // 2026-11-03 is a Tuesday; Mondays in November 2026: 2, 9, 16, 23, 30.
    const from = '2026-11-03T00:00:00Z';
    // Both restricted: the 13th or a Monday, whichever comes first.
    assert.equal(next('0 0 13 * 1', from), '2026-11-09T00:00:00.000Z');
    assert.equal(next('0 0 4-31 * 1', from), '2026-11-04T00:00:00.000Z');
    // One is *: only the other decides.
    assert.equal(next('0 0 13 * *', from), '2026-11-13T00:00:00.000Z');
    assert.equal(next('0 0 * * 1', from), '2026-11-09T00:00:00.000Z');
    assert.equal(next('0 0 ? * 1', from), '2026-11-09T00:00:00.000Z');
    // "*/1" keeps the star, so day-of-week alone decides (the next Monday)...
    assert.equal(next('0 0 */1 * 1', from), '2026-11-09T00:00:00.000Z');
    // ... but "*/2" clears it (getRange: step > 1): odd days OR Mondays, so the 5th, not the 9th.
    assert.equal(next('0 0 */2 * 1', from), '2026-11-05T00:00:00.000Z');
  });

  it('gives up after five calendar years (robfig returns the zero time)', () => {
    assert.equal(next('0 0 30 2 *', '2026-01-01T00:00:00Z'), undefined);
    assert.equal(next('0 0 31 4,6,9,11 *', '2026-01-01T00:00:00Z'), undefined);
    assert.equal(next('0 0 , * *', '2026-01-01T00:00:00Z'), undefined);
    // 29 February: found from 2095 (2096 is a leap year), not from 2097 (2100 is not; 2104 is past the limit).
    assert.equal(next('0 0 29 2 *', '2095-03-01T00:00:00Z'), '2096-02-29T00:00:00.000Z');
    assert.equal(next('0 0 29 2 *', '2097-03-01T00:00:00Z'), undefined);
    // With day of week restricted too, OR finds a Monday in February.
    assert.equal(next('0 0 29 2 1', '2097-03-01T00:00:00Z'), '2098-02-03T00:00:00.000Z');
    // A lone comma in day of month matches nothing, but OR with a restricted day of week still fires.
    assert.equal(next('0 0 , * 1', '2026-11-03T00:00:00Z'), '2026-11-09T00:00:00.000Z');
  });

  it('@every adds its whole-second delay to the time with its sub-second part dropped (no fixed start)', () => {
    assert.equal(next('@every 1h30m', '2026-06-01T10:00:00.750Z'), '2026-06-01T11:30:00.000Z');
    assert.equal(next('@every 1.9s', '2026-06-01T10:00:00.250Z'), '2026-06-01T10:00:01.000Z'); // truncated to 1s
    assert.equal(next('@every 500ms', '2026-06-01T10:00:00.250Z'), '2026-06-01T10:00:01.000Z'); // raised to 1s
    assert.equal(next('@every -1h', '2026-06-01T10:00:00Z'), '2026-06-01T10:00:01.000Z');
    assert.equal(next('@every 1h', '1969-12-31T23:59:59.500Z'), '1970-01-01T00:59:59.000Z'); // Time.Nanosecond() is never negative
  });
});
