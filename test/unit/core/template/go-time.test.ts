// sprig v3.3.0's date functions on Projector's port of Go's time package (src/core/template/go-time.ts).
// Every expected value below was printed by Go 1.26 (time.ParseDuration, Duration.String,
// Duration.Round, Time.Format, time.ParseInLocation with TZ=UTC, sprig's date.go through
// text/template), by throwaway programs and by the Go renderer of the differential test.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { durationString, parseGoDuration, roundDuration } from '../../../../src/core/template/go-time.ts';
import { renderTemplate, TemplateError } from '../../../../src/core/template/index.ts';

const NOW = new Date('2026-11-23T10:00:00.123Z');
const render = (src: string, opts: { now?: Date; monotonicNanos?: bigint } = { now: NOW }): string => renderTemplate(src, {}, 't', opts);

describe('Go time.ParseDuration, Duration.String and Duration.Round', () => {
  it('parses as Go does (nanoseconds; undefined where Go errors)', () => {
    const cases: Array<[string, bigint | undefined]> = [
      ['1.5h', 5400000000000n], ['-90m', -5400000000000n], ['0', 0n], ['+0', 0n], ['1h1m1.5s', 3661500000000n],
      ['1us', 1000n], ['1\u00b5s', 1000n], ['1.000000001s', 1000000001n], ['2562047h47m16.854775807s', 9223372036854775807n],
      ['2562047h47m16.854775808s', undefined], ['.5s', 500000000n], ['1.s', 1000000000n], ['', undefined], ['1', undefined],
      ['1x', undefined], ['-', undefined], ['.s', undefined], ['1h-1m', undefined], ['0.1ns', 0n],
      ['9223372036854775807ns', 9223372036854775807n], ['-9223372036854775808ns', -9223372036854775808n],
    ];
    for (const [s, want] of cases) assert.equal(parseGoDuration(s), want, s);
  });

  it('prints as Duration.String', () => {
    const cases: Array<[bigint, string]> = [
      [0n, '0s'], [1n, '1ns'], [999n, '999ns'], [1000n, '1\u00b5s'], [1500n, '1.5\u00b5s'], [1000000n, '1ms'], [1234567n, '1.234567ms'],
      [999999999n, '999.999999ms'], [1000000000n, '1s'], [3661000000000n, '1h1m1s'], [-1500n, '-1.5\u00b5s'], [-3661500000000n, '-1h1m1.5s'],
      [9223372036854775807n, '2562047h47m16.854775807s'], [-9223372036854775808n, '-2562047h47m16.854775808s'],
    ];
    for (const [d, want] of cases) assert.equal(durationString(d), want, String(d));
  });

  it('rounds half away from zero and saturates, as Duration.Round', () => {
    assert.equal(roundDuration(1500000000n, 1000000000n), 2000000000n);
    assert.equal(roundDuration(-1500000000n, 1000000000n), -2000000000n);
    assert.equal(roundDuration(1499000000n, 1000000000n), 1000000000n);
    assert.equal(roundDuration(-2500000000n, 1000000000n), -3000000000n);
    assert.equal(roundDuration(9223372036854775807n, 3600000000000n), 9223372036854775807n);
    assert.equal(roundDuration(5n, 0n), 5n);
  });
});

describe('sprig date functions render as Go renders them (TZ=UTC)', () => {
  it('toDate parses with ParseInLocation in Local and prints as Time.String', () => {
    assert.equal(render('{{ toDate "2006-01-02" "2024-03-04" }}'), '2024-03-04 00:00:00 +0000 UTC');
    assert.equal(render('{{ toDate "2006-01-02T15:04:05.999999999Z07:00" "2024-03-04T05:06:07.123456789+09:00" }}'), '2024-03-04 05:06:07.123456789 +0900 +0900');
    assert.equal(render('{{ toDate "2006-01-02T15:04:05Z07:00" "2024-03-04T05:06:07+00:00" }}'), '2024-03-04 05:06:07 +0000 UTC');
    assert.equal(render('{{ toDate "Jan 2 2006 3:04PM MST" "Feb 29 2024 11:59PM EST" }}'), '2024-02-29 23:59:00 +0000 EST');
    assert.equal(render('{{ toDate "2006-01-02 15:04:05" "2024-03-04 05:06:07.5" }}'), '2024-03-04 05:06:07.5 +0000 UTC');
    assert.equal(render('{{ toDate "02/01/06 Monday 002" "04/03/24 Monday 064" }}'), '2024-03-04 00:00:00 +0000 UTC');
    assert.equal(render('{{ toDate "Z07:00" "Z" }} {{ toDate "15:04 MST" "10:00 GMT+3" }} {{ toDate "15:04 MST" "10:00 CEST" }}'), '0000-01-01 00:00:00 +0000 UTC 0000-01-01 13:00:00 +0300 GMT+3 0000-01-01 10:00:00 +0000 CEST');
  });

  it('toDate gives the zero time on a parse error; mustToDate fails without quoting the value', () => {
    assert.equal(render('{{ toDate "2006-01-02" "nope" }} {{ toDate "Jan 2 2006" "Feb 30 2024" }}'), '0001-01-01 00:00:00 +0000 UTC 0001-01-01 00:00:00 +0000 UTC');
    assert.throws(() => renderTemplate('{{ mustToDate "2006-01-02" .v }}', { v: 'canary-date' }, 't', { now: NOW }), (e: unknown) => e instanceof TemplateError && e.message.includes('cannot parse the value as "2006"') && !e.message.includes('canary'));
  });

  it('formats every layout element as Time.Format', () => {
    assert.equal(
      render('{{ toDate "2006-01-02T15:04:05.999999999Z07:00" "2024-03-04T17:06:07.120000000-05:30" | date "Monday January _2 __2 002 3 03 PM pm .000 ,999 .9 -0700 -07 -07:00:00 Z0700 Z07 Z07:00:00 MST 06" }}'),
      'Monday March  4  64 064 10 10 PM pm .120 ,12 .1 +0000 +00 +00:00:00 Z Z Z UTC 24',
    );
    assert.equal(render('{{ date "2006-01-02" 0 }} {{ date "2006-01-02 15:04:05 MST" (int64 -1) }}'), '1970-01-01 1969-12-31 23:59:59 UTC');
  });

  it('dateInZone takes offsets from the zone and tzdata abbreviations; an unknown zone is UTC', () => {
    const at = (day: string, zone: string): string => render(`{{ dateInZone "MST -07:00" (toDate "2006-01-02" "${day}") "${zone}" }}`);
    assert.equal(at('2024-07-04', 'Europe/Berlin'), 'CEST +02:00');
    assert.equal(at('2024-01-04', 'Europe/Berlin'), 'CET +01:00');
    assert.equal(at('2024-07-04', 'America/New_York'), 'EDT -04:00');
    assert.equal(at('2024-01-04', 'America/Los_Angeles'), 'PST -08:00');
    assert.equal(at('2024-01-04', 'Asia/Kolkata'), 'IST +05:30');
    assert.equal(at('2024-01-04', 'America/Sao_Paulo'), '-03 -03:00');
    assert.equal(at('2024-01-04', 'Asia/Dubai'), '+04 +04:00');
    assert.equal(at('2024-01-04', 'Europe/London'), 'GMT +00:00');
    assert.equal(at('2024-07-04', 'Europe/London'), 'BST +01:00');
    assert.equal(at('2024-07-04', 'Australia/Sydney'), 'AEST +10:00');
    assert.equal(at('2024-07-04', 'US/Eastern'), 'EDT -04:00');
    assert.equal(at('2024-07-04', 'asia/tokyo'), 'UTC +00:00');
    assert.equal(at('2024-07-04', 'Nope/Zone'), 'UTC +00:00');
    assert.equal(render('{{ dateInZone "2006-01-02T15:04:05Z07:00" (toDate "2006-01-02T15:04:05Z07:00" "2024-03-04T05:06:07Z") "Asia/Tokyo" }}'), '2024-03-04T14:06:07+09:00');
  });

  it('dateModify, unixEpoch, htmlDate, duration and durationRound', () => {
    assert.equal(render('{{ toDate "2006-01-02" "2024-03-04" | dateModify "-1.5h" | date "2006-01-02 15:04" }}'), '2024-03-03 22:30');
    assert.equal(render('{{ toDate "2006-01-02" "2024-03-04" | dateModify "bad" }}'), '2024-03-04 00:00:00 +0000 UTC');
    assert.throws(() => render('{{ toDate "2006-01-02" "2024-03-04" | mustDateModify "bad" }}'), TemplateError);
    assert.equal(render('{{ toDate "2006-01-02" "2024-03-04" | unixEpoch }} {{ htmlDate (toDate "2006-01-02" "2024-03-04") }}'), '1709510400 2024-03-04');
    assert.equal(render('{{ duration 3661 }} {{ duration "3661" }} {{ duration "-90" }} {{ duration "99999999999999999999" }} {{ duration (int64 5) }}'), '0s 1h1m1s -1m30s -1s 5s');
    assert.equal(render('{{ durationRound "2h10m" }} {{ durationRound "-49h" }} {{ durationRound "800h" }} {{ durationRound "9000h" }} {{ durationRound (int64 1500000000) }} {{ durationRound 5 }}'), '2h 2d 1mo 1y 1s 0s');
  });

  it('time.Time values: %T, kind, truth, fmt, encoding/json, parameter type', () => {
    assert.equal(render('{{ typeOf now }} {{ kindOf now }} {{ if toDate "x" "y" }}t{{ end }} {{ list (toDate "2006-01-02" "2024-03-04") }}'), 'time.Time struct t [2024-03-04 00:00:00 +0000 UTC]');
    assert.equal(render('{{ toJson (toDate "2006-01-02" "2024-03-04") }}'), '"2024-03-04T00:00:00Z"');
    assert.equal(render('{{ printf "%q|%#v" (toDate "2006-01-02" "2024-03-04") (toDate "2006-01-02" "2024-03-04") }}'), '"2024-03-04 00:00:00 +0000 UTC"|time.Date(2024, time.March, 4, 0, 0, 0, 0, time.Local)');
    assert.throws(() => render('{{ unixEpoch 5 }}'), (e: unknown) => e instanceof TemplateError && e.message.includes("can't handle 5 for arg of type time.Time"));
  });

  it('time.Time methods: Unix* (int64), calendar fields (int), UTC, Format, comparisons', () => {
    assert.equal(
      render('{{ $t := toDate "2006-01-02T15:04:05.999999999Z07:00" "2024-03-04T17:06:07.120000000-05:30" }}{{ $t.Unix }} {{ $t.UnixMilli }} {{ $t.UnixNano }} {{ $t.Year }} {{ $t.YearDay }} {{ $t.Nanosecond }} {{ $t.UTC }} {{ $t.Format "2006|15" }} {{ typeOf $t.Unix }} {{ typeOf $t.Year }} {{ (toDate "x" "y").IsZero }}'),
      '1709591767 1709591767120 1709591767120000000 2024 64 120000000 2024-03-04 22:36:07.12 +0000 UTC 2024|17 int64 int true',
    );
    assert.throws(() => render('{{ (toDate "2006" "2024").Nope }}'), (e: unknown) => e instanceof TemplateError && e.message.includes("can't evaluate field Nope in type time.Time"));
    assert.throws(() => render('{{ (toDate "2006" "2024").Format }}'), (e: unknown) => e instanceof TemplateError && e.message.includes('wrong number of args for Format: want 1 got 0'));
  });

  it('now is the instant the caller passes, with the monotonic suffix of Time.String', () => {
    assert.equal(render('{{ now }}', { now: NOW, monotonicNanos: 1234567890123n }), '2026-11-23 10:00:00.123 +0000 UTC m=+1234.567890123');
    assert.equal(render('{{ now }}'), '2026-11-23 10:00:00.123 +0000 UTC');
    assert.equal(render('{{ now | unixEpoch }} {{ ago now }} {{ now | dateModify "1h" | ago }} {{ ago (int64 1795514400) }}'), '1795428000 0s -1h0m0s -24h0m0s');
    assert.equal(render('{{ date "2006-01-02" "not a time" }} {{ htmlDate nil }}'), '2026-11-23 2026-11-23');
  });

  it('without a clock, now fails with a clear error', () => {
    assert.throws(() => render('{{ now }}', {}), (e: unknown) => e instanceof TemplateError && e.kind === 'unsupported' && e.message.includes('needs the current time'));
    assert.equal(render('{{ toDate "2006-01-02" "2024-03-04" | unixEpoch }}', {}), '1709510400');
  });
});
