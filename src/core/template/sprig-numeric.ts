/** sprig v3 integer math (`numeric.go`) and conversions, over spf13/cast semantics. */
import { fn, type TemplateFunc } from './func-table.ts';
import { FuncError } from './template-error.ts';
import { castToInt64 } from './sprig-collections.ts';
import { parseGoFloat } from './go-literals.ts';

/** spf13/cast ToFloat64: numbers convert, strings parse, anything else is 0. */
export function castToFloat64(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') return parseGoFloat(v) ?? 0;
  return 0;
}

function int64(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}

function divide(a: unknown, b: unknown, op: 'div' | 'mod'): bigint {
  const x = castToInt64(a);
  const y = castToInt64(b);
  if (y === 0n) throw new FuncError('runtime error: integer divide by zero');
  return int64(op === 'div' ? x / y : x % y);
}

/** sprig's round: half-up at `roundOn` on the digit after `places`. */
function round(a: unknown, places: bigint, roundOn: number): number {
  const pow = 10 ** Number(places);
  const digit = pow * castToFloat64(a);
  const frac = digit - Math.trunc(digit);
  return (frac >= roundOn ? Math.ceil(digit) : Math.floor(digit)) / pow;
}

/** Go's strconv.Atoi: base 10, optional sign, 0 on failure. */
function atoi(s: string): bigint {
  if (!/^[+-]?\d+$/.test(s)) return 0n;
  const v = BigInt(s);
  return v === int64(v) ? v : 0n;
}

function until(start: bigint, stop: bigint, step: bigint, checkSize: (bytes: number) => void): bigint[] {
  if (step === 0n || (step > 0n && start >= stop) || (step < 0n && start <= stop)) return [];
  checkSize(Number((stop - start) / step));
  const out: bigint[] = [];
  for (let i = start; step > 0n ? i < stop : i > stop; i += step) out.push(i);
  return out;
}

function seq(args: unknown[]): string {
  const p = args.map(castToInt64);
  let [start, end, step] = [1n, 0n, 1n];
  if (p.length === 1) end = p[0]!;
  else if (p.length === 2) [start, end] = [p[0]!, p[1]!];
  else if (p.length === 3) [start, step, end] = [p[0]!, p[1]!, p[2]!];
  else return '';
  if (p.length < 3) step = end >= start ? 1n : -1n;
  if (step === 0n || (step > 0n && start > end) || (step < 0n && start < end)) return '';
  const out: string[] = [];
  for (let i = start; step > 0n ? i <= end : i >= end; i += step) {
    out.push(String(i));
    if (out.length > 1_000_000) throw new FuncError('seq: too many elements');
  }
  return out.join(' ');
}

export const SPRIG_NUMERIC: ReadonlyMap<string, TemplateFunc> = new Map<string, TemplateFunc>([
  ['add1', fn(['any'], ([a]) => int64(castToInt64(a) + 1n))],
  ['add', fn([], (args) => int64(args.reduce<bigint>((sum, a) => sum + castToInt64(a), 0n)), 'any')],
  ['sub', fn(['any', 'any'], ([a, b]) => int64(castToInt64(a) - castToInt64(b)))],
  ['mul', fn(['any'], ([a, ...rest]) => int64(rest.reduce<bigint>((p, v) => p * castToInt64(v), castToInt64(a))), 'any')],
  ['div', fn(['any', 'any'], ([a, b]) => divide(a, b, 'div'))],
  ['mod', fn(['any', 'any'], ([a, b]) => divide(a, b, 'mod'))],
  ['max', fn(['any'], ([a, ...rest]) => rest.map(castToInt64).reduce((m, v) => (v > m ? v : m), castToInt64(a)), 'any')],
  ['biggest', fn(['any'], ([a, ...rest]) => rest.map(castToInt64).reduce((m, v) => (v > m ? v : m), castToInt64(a)), 'any')],
  ['min', fn(['any'], ([a, ...rest]) => rest.map(castToInt64).reduce((m, v) => (v < m ? v : m), castToInt64(a)), 'any')],
  ['floor', fn(['any'], ([a]) => Math.floor(castToFloat64(a)))],
  ['ceil', fn(['any'], ([a]) => Math.ceil(castToFloat64(a)))],
  ['round', fn(['any', 'int'], ([a, p, ...opt]) => round(a, p as bigint, opt.length > 0 ? (opt[0] as number) : 0.5), 'float64')],
  ['atoi', fn(['string'], ([s]) => atoi(s as string))],
  ['int', fn(['any'], ([v]) => castToInt64(v))],
  ['int64', fn(['any'], ([v]) => castToInt64(v))],
  ['float64', fn(['any'], ([v]) => castToFloat64(v))],
  ['until', fn(['int'], ([n], ctx) => until(0n, n as bigint, (n as bigint) >= 0n ? 1n : -1n, (b) => ctx.checkSize(b)))],
  ['untilStep', fn(['int', 'int', 'int'], ([a, b, s], ctx) => until(a as bigint, b as bigint, s as bigint, (n) => ctx.checkSize(n)))],
  ['seq', fn([], (args) => seq(args), 'any')],
]);
