/**
 * sprig v3.3.0's date functions (date.go, and `now` = time.Now in functions.go), as ESO's vendored
 * sprig has them: now, ago, date, dateInZone/date_in_zone, dateModify/date_modify,
 * mustDateModify/must_date_modify, duration, durationRound, htmlDate, htmlDateInZone,
 * toDate/mustToDate, unixEpoch. The Go time semantics are in go-time.ts.
 *
 * The engine has no clock: `now` (and every function that falls back to time.Now()) reads the
 * instant the caller passes in ExecuteOptions.now; without one they fail with kind `unsupported`.
 * Within one render every `now` is the same instant, where Go reads its clock at each call.
 */
import { fn, type CallContext, type TemplateFunc } from './func-table.ts';
import { durationString, GoTime, GoTimeParseError, loadLocation, LOCAL, parseGoDuration, parseInLocation, roundDuration, unixTime, UTC, ZERO_TIME } from './go-time.ts';
import { FuncError } from './template-error.ts';
import { goInt64, GoTypedInt } from './values.ts';

const NS_PER_SEC = 1_000_000_000n;

function now(ctx: CallContext): GoTime {
  if (ctx.now === undefined) throw new FuncError(`${ctx.name} needs the current time, which this caller does not provide`, true);
  return ctx.now;
}

/** dateInZone's `date interface{}`: time.Time, or int/int32/int64 Unix seconds; anything else is time.Now(). */
function dateArg(v: unknown, ctx: CallContext): GoTime {
  if (v instanceof GoTime) return v;
  if (typeof v === 'bigint') return unixTime(v);
  if (v instanceof GoTypedInt && v.type === 'int64') return unixTime(v.value);
  return now(ctx);
}

function dateInZone(layout: string, date: unknown, zone: string, ctx: CallContext): string {
  const t = dateArg(date, ctx);
  // An unknown zone is UTC (sprig ignores LoadLocation's error).
  return t.in(loadLocation(zone) ?? UTC).format(layout);
}

function toDate(layout: string, value: string, ctx: CallContext): GoTime {
  try {
    return parseInLocation(layout, value, LOCAL, ctx.isLiteralArg(0));
  } catch (e) {
    if (e instanceof GoTimeParseError) throw new FuncError(e.message);
    throw e;
  }
}

/** sprig's year/month/day thresholds of durationRound (30-day months, 365-day years). */
const HOUR = 3600n * NS_PER_SEC;
const ROUND_UNITS: ReadonlyArray<[bigint, string]> = [
  [HOUR * 24n * 365n, 'y'],
  [HOUR * 24n * 30n, 'mo'],
  [HOUR * 24n, 'd'],
  [HOUR, 'h'],
  [60n * NS_PER_SEC, 'm'],
  [NS_PER_SEC, 's'],
];

function durationRound(v: unknown, ctx: CallContext): string {
  let d = 0n;
  if (typeof v === 'string') d = parseGoDuration(v) ?? 0n;
  else if (v instanceof GoTypedInt && v.type === 'int64') d = v.value;
  else if (v instanceof GoTime) d = now(ctx).sub(v);
  const u = BigInt.asUintN(64, d < 0n ? -d : d);
  for (const [unit, suffix] of ROUND_UNITS) if (u > unit) return `${u / unit}${suffix}`;
  return '0s';
}

/** strconv.ParseInt(s, 10, 64) as sprig's duration uses it: errors give 0, out of range the bound. */
function parseInt64(s: string): bigint {
  if (!/^[+-]?[0-9]+$/.test(s)) return 0n;
  const n = BigInt(s);
  const max = (1n << 63n) - 1n;
  return n > max ? max : n < -max - 1n ? -max - 1n : n;
}

function modify(shift: string, t: GoTime, must: boolean): GoTime {
  const d = parseGoDuration(shift);
  if (d === undefined) {
    // Go's error quotes the duration text; it may be a value, so it is named, not quoted.
    if (must) throw new FuncError('time: invalid duration (the dateModify argument)');
    return t;
  }
  return t.add(d);
}

const dateModify = fn(['string', 'time'], ([s, t]) => modify(s as string, t as GoTime, false));
const mustDateModify = fn(['string', 'time'], ([s, t]) => modify(s as string, t as GoTime, true));
const dateInZoneFn = fn(['string', 'any', 'string'], ([f, d, z], ctx) => dateInZone(f as string, d, z as string, ctx));

export const SPRIG_DATE: ReadonlyMap<string, TemplateFunc> = new Map<string, TemplateFunc>([
  ['now', fn([], (_, ctx) => now(ctx))],
  ['date', fn(['string', 'any'], ([f, d], ctx) => dateInZone(f as string, d, 'Local', ctx))],
  ['dateInZone', dateInZoneFn],
  ['date_in_zone', dateInZoneFn],
  ['htmlDate', fn(['any'], ([d], ctx) => dateInZone('2006-01-02', d, 'Local', ctx))],
  ['htmlDateInZone', fn(['any', 'string'], ([d, z], ctx) => dateInZone('2006-01-02', d, z as string, ctx))],
  ['dateModify', dateModify],
  ['date_modify', dateModify],
  ['mustDateModify', mustDateModify],
  ['must_date_modify', mustDateModify],
  [
    'ago',
    fn(['any'], ([d], ctx) => {
      // dateAgo takes time.Time, int64 and int (not int32, unlike dateInZone); the rest is now.
      const t = d instanceof GoTime ? d : typeof d === 'bigint' ? unixTime(d) : d instanceof GoTypedInt && d.type === 'int64' ? unixTime(d.value) : now(ctx);
      return durationString(roundDuration(now(ctx).sub(t), NS_PER_SEC));
    }),
  ],
  [
    'duration',
    fn(['any'], ([v]) => {
      // Only string and int64 count; a plain int (a template literal) is 0, as in sprig.
      const n = typeof v === 'string' ? parseInt64(v) : v instanceof GoTypedInt && v.type === 'int64' ? v.value : 0n;
      return durationString(BigInt.asIntN(64, n * NS_PER_SEC));
    }),
  ],
  ['durationRound', fn(['any'], ([v], ctx) => durationRound(v, ctx))],
  [
    'toDate',
    fn(['string', 'string'], ([f, s], ctx) => {
      try {
        return toDate(f as string, s as string, ctx);
      } catch (e) {
        if (e instanceof FuncError) return ZERO_TIME;
        throw e;
      }
    }),
  ],
  ['mustToDate', fn(['string', 'string'], ([f, s], ctx) => toDate(f as string, s as string, ctx))],
  ['unixEpoch', fn(['time'], ([t]) => String((t as GoTime).unixSec))],
]);

const int = (v: string): bigint => BigInt(v);

/**
 * Methods of time.Time a template can call on a value (`{{ now.Unix }}`, `{{ $t.Format "2006" }}`),
 * with Go's result types: Unix* are int64, the calendar fields int. Methods returning time.Month,
 * time.Weekday, time.Duration or *time.Location are not offered (docs/templates.md).
 */
export function goTimeMethod(t: GoTime, name: string): TemplateFunc | undefined {
  switch (name) {
    case 'Unix':
      return fn([], () => goInt64(t.unixSec));
    case 'UnixMilli':
      return fn([], () => goInt64(floorDivision(t.unixNanos, 1_000_000n)));
    case 'UnixMicro':
      return fn([], () => goInt64(floorDivision(t.unixNanos, 1000n)));
    case 'UnixNano':
      return fn([], () => goInt64(t.unixNanos));
    case 'Year':
      return fn([], () => int(t.format('2006')));
    case 'Day':
      return fn([], () => int(t.format('2')));
    case 'Hour':
      return fn([], () => int(t.format('15')));
    case 'Minute':
      return fn([], () => int(t.format('4')));
    case 'Second':
      return fn([], () => int(t.format('5')));
    case 'YearDay':
      return fn([], () => int(t.format('002')));
    case 'Nanosecond':
      return fn([], () => BigInt(t.nanosecond));
    case 'UTC':
      return fn([], () => t.in(UTC));
    case 'Local':
      return fn([], () => t.in(LOCAL));
    case 'String':
      return fn([], () => t.toString());
    case 'IsZero':
      return fn([], () => t.unixNanos === ZERO_TIME.unixNanos);
    case 'Format':
      return fn(['string'], ([layout]) => t.format(layout as string));
    case 'Equal':
      return fn(['time'], ([u]) => t.unixNanos === (u as GoTime).unixNanos);
    case 'Before':
      return fn(['time'], ([u]) => t.unixNanos < (u as GoTime).unixNanos);
    case 'After':
      return fn(['time'], ([u]) => t.unixNanos > (u as GoTime).unixNanos);
    default:
      return undefined;
  }
}

function floorDivision(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}
