// Cron schedules as robfig/cron v3 (v3.0.1) reads and steps them, with the parser ESO v2.9 builds
// for sync windows: `cron.NewParser(Minute | Hour | Dom | Month | Dow | Descriptor)`
// (pkg/controllers/externalsecret/externalsecret_controller.go, cronParser). Pure: time is passed in
// as milliseconds since the epoch, and every schedule runs in UTC (robfig's time.Local, which is UTC
// in ESO's container; the CRD documents UTC).
//
// Why not an npm cron library: croner and cron-parser both read a wider grammar than robfig's
// (a seconds field, `L`, `W`, `#`, 7 for Sunday, other descriptors) and neither has `@every`, so a
// robfig grammar check would have to run in front of them anyway, and robfig's own rules would still
// differ: `*-5` read as `*`, `*/2` losing the "star" that decides the day-of-month / day-of-week
// rule, `+5` accepted as 5, empty list items dropped, and a search that gives up after five years.
// The semantics below are robfig's parser.go, spec.go and constantdelay.go, re-stated.

import { parseGoDuration } from './template/go-time.ts';

/** One of the five fields: which values match, and whether it was written with `*` or `?` (robfig's starBit). */
interface CronField {
  readonly values: readonly boolean[];
  readonly star: boolean;
}

/**
 * A parsed schedule. `spec`: the five fields (robfig SpecSchedule; the seconds field is always 0, so
 * it fires on whole minutes). `every`: `@every <duration>` (robfig ConstantDelaySchedule), a delay in
 * whole seconds (at least one) added to the time asked about, with no fixed start.
 */
export type CronSchedule =
  | { readonly kind: 'spec'; readonly minute: CronField; readonly hour: CronField; readonly dom: CronField; readonly month: CronField; readonly dow: CronField }
  | { readonly kind: 'every'; readonly delayMs: number };

export type CronParse = { ok: true; schedule: CronSchedule } | { ok: false; reason: string };

interface Bounds {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: Readonly<Record<string, number>>;
}

const MINUTES: Bounds = { name: 'minute', min: 0, max: 59 };
const HOURS: Bounds = { name: 'hour', min: 0, max: 23 };
const DOMS: Bounds = { name: 'day of month', min: 1, max: 31 };
const MONTHS: Bounds = { name: 'month', min: 1, max: 12, names: { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 } };
const DOWS: Bounds = { name: 'day of week', min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } };

/** Go's unicode.IsSpace, which strings.Fields splits on (JavaScript's \s differs: U+FEFF in, U+0085 out). */
const GO_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u;

const EVERY = '@every ';
const MAX_INT64 = (1n << 63n) - 1n;

class CronError extends Error {}

/**
 * Reads `spec` as robfig/cron's parser with ESO's options does: five fields (minute, hour, day of
 * month, month, day of week), each a comma list of `*`, `?`, `N`, `N-M`, with an optional `/step`
 * (`N/step` meaning `N-max/step`); month and weekday names (jan…dec, sun…sat, any case); and the
 * descriptors `@yearly`/`@annually`, `@monthly`, `@weekly`, `@daily`/`@midnight`, `@hourly` and
 * `@every <Go duration>`. A `TZ=`/`CRON_TZ=` prefix is refused: robfig would read it, but under the
 * CRD's pattern (five blank-separated tokens in all) it always leaves four fields, which robfig
 * refuses too. Returns the schedule, or the reason it is not one (a fixed phrase plus the part of the
 * schedule at fault; the schedule is spec text, never a secret).
 */
export function parseCronSchedule(spec: string): CronParse {
  try {
    return { ok: true, schedule: parse(spec) };
  } catch (e) {
    if (e instanceof CronError) return { ok: false, reason: e.message };
    throw e;
  }
}

function parse(spec: string): CronSchedule {
  if (spec.length === 0) throw new CronError('the schedule is empty');
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) throw new CronError('a TZ= or CRON_TZ= prefix is not supported: sync windows are evaluated in UTC');
  if (spec.startsWith('@')) return descriptor(spec);
  const fields = spec.split(GO_SPACE).filter((f) => f !== '');
  if (fields.length !== 5) throw new CronError(`expected exactly 5 fields (minute hour day-of-month month day-of-week), found ${fields.length}`);
  return {
    kind: 'spec',
    minute: field(fields[0]!, MINUTES),
    hour: field(fields[1]!, HOURS),
    dom: field(fields[2]!, DOMS),
    month: field(fields[3]!, MONTHS),
    dow: field(fields[4]!, DOWS),
  };
}

const all = (b: Bounds): CronField => ({ values: bits(b.min, b.max, 1), star: true });
const only = (v: number): CronField => ({ values: bits(v, v, 1), star: false });

function descriptor(spec: string): CronSchedule {
  const at = (minute: CronField, hour: CronField, dom: CronField, month: CronField, dow: CronField): CronSchedule => ({ kind: 'spec', minute, hour, dom, month, dow });
  switch (spec) {
    case '@yearly':
    case '@annually':
      return at(only(0), only(0), only(1), only(1), all(DOWS));
    case '@monthly':
      return at(only(0), only(0), only(1), all(MONTHS), all(DOWS));
    case '@weekly':
      return at(only(0), only(0), all(DOMS), all(MONTHS), only(0));
    case '@daily':
    case '@midnight':
      return at(only(0), only(0), all(DOMS), all(MONTHS), all(DOWS));
    case '@hourly':
      return at(only(0), all(HOURS), all(DOMS), all(MONTHS), all(DOWS));
  }
  if (spec.startsWith(EVERY)) {
    // time.ParseDuration of the rest as it is (no trimming), then robfig's Every: at least 1s, and
    // whole seconds (the fraction truncated).
    const ns = parseGoDuration(spec.slice(EVERY.length));
    if (ns === undefined) throw new CronError(`"${spec.slice(EVERY.length)}" after @every is not a Go duration`);
    const seconds = ns < 1_000_000_000n ? 1n : ns / 1_000_000_000n;
    return { kind: 'every', delayMs: Number(seconds) * 1000 };
  }
  throw new CronError(`unrecognized descriptor ${spec}`);
}

/** robfig getField: a comma list of ranges, empty items dropped (so `,` alone matches nothing). */
function field(text: string, b: Bounds): CronField {
  const values: boolean[] = new Array<boolean>(b.max + 1).fill(false);
  let star = false;
  for (const expr of text.split(',').filter((e) => e !== '')) {
    const r = range(expr, b);
    r.values.forEach((v, i) => {
      if (v) values[i] = true;
    });
    star ||= r.star;
  }
  return { values, star };
}

/** robfig getRange: `*` / `?` (the rest of a `*-…` low-high part is not looked at), `N`, `N-M`, each with an optional `/step`. */
function range(expr: string, b: Bounds): CronField {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0]!.split('-');
  const single = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = b.min;
    end = b.max;
    star = true;
  } else {
    start = intOrName(lowAndHigh[0]!, b, expr);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = intOrName(lowAndHigh[1]!, b, expr);
    else throw new CronError(`too many hyphens in ${b.name} "${expr}"`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = goInt(rangeAndStep[1]!, b, expr);
    if (single) end = b.max;
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) {
    throw new CronError(`too many slashes in ${b.name} "${expr}"`);
  }
  if (start < b.min) throw new CronError(`${b.name} "${expr}" starts below ${b.min}`);
  if (end > b.max) throw new CronError(`${b.name} "${expr}" ends above ${b.max}`);
  if (start > end) throw new CronError(`${b.name} "${expr}" starts after it ends`);
  if (step === 0) throw new CronError(`the step of ${b.name} "${expr}" must be positive`);
  return { values: bits(start, end, step), star };
}

function intOrName(text: string, b: Bounds, expr: string): number {
  // Go's strings.ToLower maps rune by rune (simple case mapping): U+0130 becomes a plain "i", where
  // JavaScript's toLowerCase writes "i" plus a combining dot, so "FR\u0130" names Friday in Go.
  const named = b.names && Object.hasOwn(b.names, goLower(text)) ? b.names[goLower(text)] : undefined;
  return named ?? goInt(text, b, expr);
}

function goLower(text: string): string {
  return Array.from(text, (c) => (c === '\u0130' ? 'i' : c.toLowerCase())).join('');
}

/**
 * strconv.Atoi, then robfig's "negative number not allowed": a decimal with an optional sign that
 * fits an int64. Values past 1,000 are returned as 1,000: every bound is below 64 and any step over
 * 59 keeps only the range's first value, so larger numbers decide nothing more.
 */
function goInt(text: string, b: Bounds, expr: string): number {
  if (!/^[+-]?[0-9]+$/.test(text)) throw new CronError(`"${text}" in ${b.name} "${expr}" is not a number${b.names ? ' or a name' : ''}`);
  const n = BigInt(text);
  if (n > MAX_INT64 || n < -MAX_INT64 - 1n) throw new CronError(`"${text}" in ${b.name} "${expr}" is out of range`);
  if (n < 0n) throw new CronError(`negative number in ${b.name} "${expr}"`);
  return n > 1000n ? 1000 : Number(n);
}

function bits(min: number, max: number, step: number): boolean[] {
  const out = new Array<boolean>(max + 1).fill(false);
  for (let i = min; i <= max; i += step) out[i] = true;
  return out;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
/** How far robfig's SpecSchedule.Next searches (in calendar years after the start) before it gives up. */
const SEARCH_YEARS = 5;

/**
 * robfig's Schedule.Next: the first activation strictly after `afterMs` (ms since the epoch; may
 * carry a fraction), or undefined where robfig returns the zero time.
 *
 * - `spec`: the search starts at the next whole second after `afterMs` (robfig: "the upcoming
 *   second") and returns the first whole minute from there whose month, day, hour and minute match,
 *   in UTC. The day matches when day-of-month and day-of-week both match if either field was written
 *   with `*` or `?` (a `*`/`?` with a step over 1 does not count), and when either matches otherwise
 *   (robfig dayMatches). Nothing in the five calendar years after the start's year: undefined.
 * - `every`: `afterMs` with its sub-second part dropped, plus the delay (robfig
 *   ConstantDelaySchedule.Next).
 */
export function cronNext(schedule: CronSchedule, afterMs: number): number | undefined {
  if (schedule.kind === 'every') return afterMs - mod(afterMs, SECOND) + schedule.delayMs;
  const s = schedule;
  const startMs = afterMs - mod(afterMs, SECOND) + SECOND;
  const first = new Date(Math.ceil(startMs / MINUTE) * MINUTE);
  const lastYear = new Date(startMs).getUTCFullYear() + SEARCH_YEARS;
  let y = first.getUTCFullYear();
  let mo = first.getUTCMonth() + 1;
  let d = first.getUTCDate();
  let fromHour = first.getUTCHours();
  let fromMinute = first.getUTCMinutes();
  while (y <= lastYear) {
    if (!s.month.values[mo]) {
      // The first day of the next month.
      const next = new Date(Date.UTC(y, mo, 1));
      [y, mo, d, fromHour, fromMinute] = [next.getUTCFullYear(), next.getUTCMonth() + 1, 1, 0, 0];
      continue;
    }
    if (dayMatches(s, y, mo, d)) {
      for (let h = fromHour; h < 24; h++) {
        if (!s.hour.values[h]) continue;
        for (let m = h === fromHour ? fromMinute : 0; m < 60; m++) {
          if (s.minute.values[m]) return Date.UTC(y, mo - 1, d, h, m);
        }
      }
    }
    const next = new Date(Date.UTC(y, mo - 1, d + 1));
    [y, mo, d, fromHour, fromMinute] = [next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), 0, 0];
  }
  return undefined;
}

function dayMatches(s: Extract<CronSchedule, { kind: 'spec' }>, y: number, mo: number, d: number): boolean {
  const domMatch = s.dom.values[d] === true;
  const dowMatch = s.dow.values[new Date(Date.UTC(y, mo - 1, d)).getUTCDay()] === true;
  return s.dom.star || s.dow.star ? domMatch && dowMatch : domMatch || dowMatch;
}

/** The non-negative remainder, as Go's Time.Nanosecond() is for times before 1970 too. */
function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}
