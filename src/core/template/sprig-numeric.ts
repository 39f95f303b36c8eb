/**
 * sprig v3 integer math and conversions (ESO's runtime/template/v2/sprig/numeric.go and
 * functions.go) over spf13/cast v1.10.0 (`ToInt64`, `ToInt`, `ToFloat64`) and strconv.
 * Result types are sprig's: add/sub/mul/div/mod/max/min/int64 give int64, int/atoi give int,
 * float64/floor/ceil/round give float64, until/untilStep give []int, seq gives a string.
 */
import { fn, type TemplateFunc } from './func-table.ts';
import { parseGoFloat, parseGoInt } from './go-literals.ts';
import { FuncError } from './template-error.ts';
import { goInt, goInt64, GoTypedInt, typedSlice } from './values.ts';

const MIN_INT64 = -(2n ** 63n);

/**
 * Go's conversion of a float64 to int64 on amd64: truncation toward zero; NaN and values out of
 * range give the "integer indefinite" value, math.MinInt64.
 */
export function floatToInt64(f: number): bigint {
  if (!Number.isFinite(f) || f >= 2 ** 63 || f < -(2 ** 63)) return MIN_INT64;
  return BigInt(Math.trunc(f));
}

/**
 * spf13/cast's trimDecimal: a string like "12.90" or "-.5" is cut to its integer part before
 * strconv.ParseInt sees it (other strings pass unchanged).
 */
function trimDecimal(s: string): string {
  if (!s.includes('.')) return s;
  const m = /^([-+]?\d*)(\.\d*)?$/.exec(s);
  if (!m) return s;
  const intPart = m[1]!;
  if (intPart === '-' || intPart === '+') return `${intPart}0`;
  return intPart === '' ? '0' : intPart;
}

/**
 * spf13/cast v1.10.0 ToInt64 (and ToInt: Go's int is 64 bits): integers and floats convert (floats
 * truncate), bools are 0/1, strings parse as `strconv.ParseInt(trimDecimal(s), 0, 0)` (base
 * prefixes, leading-0 octal, underscores), and anything that fails (including overflow) is 0.
 */
export function castToInt64(v: unknown): bigint {
  const i = goInt(v);
  // A uint64 above the int64 range wraps, as Go's int64(u) does.
  if (i !== undefined) return BigInt.asIntN(64, i);
  if (typeof v === 'number') return floatToInt64(v);
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'string') return v === '' ? 0n : (parseGoInt(trimDecimal(v)) ?? 0n);
  return 0n;
}

/**
 * spf13/cast v1.10.0 ToFloat64: numbers convert, bools are 0/1, strings parse with
 * strconv.ParseFloat (so "NaN", "inf", "0x1p4" and "1_000" parse; "0x10" and "1e400" fail),
 * and failures, nil, lists and maps are 0.
 */
export function castToFloat64(v: unknown): number {
  if (typeof v === 'number') return v;
  const i = goInt(v);
  if (i !== undefined) return Number(i);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') return v === '' ? 0 : (parseGoFloat(v) ?? 0);
  return 0;
}

/** sprig's div/mod: int64 division truncating toward zero; a zero divisor is Go's runtime panic. */
function divide(a: unknown, b: unknown, op: 'div' | 'mod'): GoTypedInt {
  const x = castToInt64(a);
  const y = castToInt64(b);
  if (y === 0n) throw new FuncError('runtime error: integer divide by zero');
  return goInt64(op === 'div' ? x / y : x % y);
}

/** sprig's round: `math.Modf` of value × 10^places decides ceil or floor against `roundOn`. */
function round(a: unknown, places: bigint, roundOn: number): number {
  const pow = 10 ** Number(places);
  const digit = pow * castToFloat64(a);
  const frac = Number.isFinite(digit) ? digit - Math.trunc(digit) : NaN;
  return (frac >= roundOn ? Math.ceil(digit) : Math.floor(digit)) / pow;
}

/**
 * sprig's atoi: `strconv.Atoi` with the error ignored. A syntax error gives 0; a value out of
 * int64 range gives Go's clamped result (math.MaxInt64 / math.MinInt64), as strconv returns it.
 */
function atoi(s: string): bigint {
  const m = /^([+-]?)([0-9]+)$/.exec(s);
  if (!m) return 0n;
  const v = BigInt(s);
  if (v > 2n ** 63n - 1n) return 2n ** 63n - 1n;
  if (v < MIN_INT64) return MIN_INT64;
  return v;
}

/** sprig's untilStep (numeric.go): counts from start toward stop (exclusive); a step pointing away gives []. */
function untilStep(start: bigint, stop: bigint, step: bigint, checkSize: (bytes: number) => void): bigint[] {
  const out = typedSlice('int', [] as bigint[]);
  if (stop < start) {
    if (step >= 0n) return out;
    checkSize(Number((start - stop) / -step));
    for (let i = start; i > stop; i += step) out.push(i);
    return out;
  }
  if (step <= 0n) return out;
  checkSize(Number((stop - start) / step));
  for (let i = start; i < stop; i += step) out.push(i);
  return out;
}

/** sprig's seq (numeric.go): 1, 2 or 3 ints (start, step, end) to a space-separated sequence. */
function seq(params: bigint[], checkSize: (bytes: number) => void): string {
  let list: bigint[] = [];
  if (params.length === 1) {
    const end = params[0]!;
    const inc = end < 1n ? -1n : 1n;
    list = untilStep(1n, end + inc, inc, checkSize);
  } else if (params.length === 2) {
    const [start, end] = [params[0]!, params[1]!];
    const step = end < start ? -1n : 1n;
    list = untilStep(start, end + step, step, checkSize);
  } else if (params.length === 3) {
    const [start, step, end] = [params[0]!, params[1]!, params[2]!];
    let inc = 1n;
    if (end < start) {
      inc = -1n;
      if (step > 0n) return '';
    }
    list = untilStep(start, end + inc, step, checkSize);
  }
  return list.join(' ');
}

function maxOf(values: unknown[], pick: (a: bigint, b: bigint) => boolean): GoTypedInt {
  let best = castToInt64(values[0]);
  for (const v of values.slice(1)) {
    const x = castToInt64(v);
    if (pick(x, best)) best = x;
  }
  return goInt64(best);
}

export const SPRIG_NUMERIC: ReadonlyMap<string, TemplateFunc> = new Map<string, TemplateFunc>([
  ['add1', fn(['any'], ([a]) => goInt64(castToInt64(a) + 1n))],
  ['add', fn([], (args) => goInt64(args.reduce<bigint>((sum, a) => BigInt.asIntN(64, sum + castToInt64(a)), 0n)), 'any')],
  ['sub', fn(['any', 'any'], ([a, b]) => goInt64(castToInt64(a) - castToInt64(b)))],
  ['mul', fn(['any'], ([a, ...rest]) => goInt64(rest.reduce<bigint>((p, v) => BigInt.asIntN(64, p * castToInt64(v)), castToInt64(a))), 'any')],
  ['div', fn(['any', 'any'], ([a, b]) => divide(a, b, 'div'))],
  ['mod', fn(['any', 'any'], ([a, b]) => divide(a, b, 'mod'))],
  ['max', fn(['any'], (args) => maxOf(args, (x, best) => x > best), 'any')],
  ['biggest', fn(['any'], (args) => maxOf(args, (x, best) => x > best), 'any')],
  ['min', fn(['any'], (args) => maxOf(args, (x, best) => x < best), 'any')],
  ['floor', fn(['any'], ([a]) => Math.floor(castToFloat64(a)))],
  ['ceil', fn(['any'], ([a]) => Math.ceil(castToFloat64(a)))],
  ['round', fn(['any', 'int'], ([a, p, ...opt]) => round(a, p as bigint, opt.length > 0 ? (opt[0] as number) : 0.5), 'float64')],
  ['atoi', fn(['string'], ([s]) => atoi(s as string))],
  ['int', fn(['any'], ([v]) => castToInt64(v))],
  ['int64', fn(['any'], ([v]) => goInt64(castToInt64(v)))],
  ['float64', fn(['any'], ([v]) => castToFloat64(v))],
  ['until', fn(['int'], ([n], ctx) => untilStep(0n, n as bigint, (n as bigint) < 0n ? -1n : 1n, (b) => ctx.checkSize(b)))],
  ['untilStep', fn(['int', 'int', 'int'], ([a, b, s], ctx) => untilStep(a as bigint, b as bigint, s as bigint, (n) => ctx.checkSize(n)))],
  ['seq', fn([], (args, ctx) => seq(args as bigint[], (b) => ctx.checkSize(b)), 'int')],
]);

