/** sprig v3 list and dict functions (`list.go`, `dict.go`) and the defaults family (`defaults.go`). */
import { fn, type TemplateFunc } from './func-table.ts';
import { FuncError } from './template-error.ts';
import { strval } from './sprig-strings.ts';
import { deepEqual, isGoMap, isNil, isTrue, putKey, sortedKeys, type GoMap } from './values.ts';

/** Go's reflect Kind name, which sprig prints in its "Cannot ... on type" errors. */
function kindName(v: unknown): string {
  if (Array.isArray(v)) return 'slice';
  if (isGoMap(v)) return 'map';
  switch (typeof v) {
    case 'bigint':
      return 'int';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    case 'string':
      return 'string';
    default:
      throw new FuncError('runtime error: invalid memory address or nil pointer dereference');
  }
}

function asList(v: unknown, what: string): unknown[] {
  if (Array.isArray(v)) return v;
  throw new FuncError(`Cannot ${what} on type ${kindName(v)}`);
}

/** sprig's empty(): zero values and empty containers. */
export function isEmpty(v: unknown): boolean {
  return !isTrue(v);
}

function sliceList(list: unknown, indices: unknown[]): unknown {
  if (!Array.isArray(list)) throw new FuncError(`list should be type of slice or array but ${kindName(list)}`);
  if (list.length === 0) return null;
  const start = indices.length > 0 ? Number(castToInt64(indices[0])) : 0;
  const end = indices.length > 1 ? Number(castToInt64(indices[1])) : list.length;
  if (start < 0 || end > list.length || start > end) throw new FuncError(`reflect: slice index out of range`);
  return list.slice(start, end);
}

function dict(args: unknown[]): GoMap {
  const out: GoMap = {};
  for (let i = 0; i < args.length; i += 2) putKey(out, strval(args[i]), i + 1 < args.length ? args[i + 1] : '');
  return out;
}

function requireMap(d: unknown): GoMap {
  if (isNil(d)) throw new FuncError('assignment to entry in nil map');
  return d as GoMap;
}

function mergeInto(dst: GoMap, src: GoMap, overwrite: boolean): void {
  for (const [k, v] of Object.entries(src)) {
    const existing = dst[k];
    if (isGoMap(existing) && isGoMap(v)) mergeInto(existing, v, overwrite);
    else if (!Object.hasOwn(dst, k) || isEmpty(existing) || (overwrite && !isEmpty(v))) putKey(dst, k, v);
  }
}

function dig(args: unknown[]): unknown {
  if (args.length < 3) throw new FuncError('dig needs at least three arguments');
  const map = args[args.length - 1];
  const fallback = args[args.length - 2];
  const keys = args.slice(0, -2);
  if (keys.some((k) => typeof k !== 'string')) throw new FuncError('interface conversion: interface {} is not string');
  let current: unknown = map;
  for (const [i, k] of keys.entries()) {
    if (!isGoMap(current)) throw new FuncError('interface conversion: interface {} is not map[string]interface {}');
    if (!Object.hasOwn(current, k as string)) return fallback;
    current = current[k as string];
    if (i === keys.length - 1) return current;
  }
  return fallback;
}

/** spf13/cast ToInt64 as sprig uses it: strings parse as Go integer literals, failures give 0. */
export function castToInt64(v: unknown): bigint {
  if (typeof v === 'bigint') return BigInt.asIntN(64, v);
  if (typeof v === 'number') return Number.isFinite(v) ? BigInt.asIntN(64, BigInt(Math.trunc(v))) : 0n;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'string') return parseCastInt(trimZeroDecimal(v));
  return 0n;
}

function trimZeroDecimal(s: string): string {
  const m = /^(.*)\.0+$/.exec(s);
  return m && m[1] !== '' ? m[1]! : s;
}

function parseCastInt(s: string): bigint {
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|0[0-7_]*|[1-9][0-9_]*)$/.exec(s);
  if (!m) return 0n;
  const sign = m[1] === '-' ? -1n : 1n;
  let body = m[2]!.replaceAll('_', '');
  if (/^0[0-7]+$/.test(body)) body = `0o${body.slice(1)}`;
  if (/^0[oO]/.test(body)) body = `0o${body.slice(2)}`;
  const value = sign * BigInt(body);
  return value === BigInt.asIntN(64, value) ? value : 0n;
}

export const SPRIG_COLLECTIONS: ReadonlyMap<string, TemplateFunc> = new Map<string, TemplateFunc>([
  ['list', fn([], (args) => [...args], 'any')],
  ['tuple', fn([], (args) => [...args], 'any')],
  ['append', fn(['any', 'any'], ([l, v]) => [...asList(l, 'push'), v])],
  ['mustAppend', fn(['any', 'any'], ([l, v]) => [...asList(l, 'push'), v])],
  ['prepend', fn(['any', 'any'], ([l, v]) => [v, ...asList(l, 'prepend')])],
  ['mustPrepend', fn(['any', 'any'], ([l, v]) => [v, ...asList(l, 'prepend')])],
  ['first', fn(['any'], ([l]) => asList(l, 'find first').at(0) ?? null)],
  ['mustFirst', fn(['any'], ([l]) => asList(l, 'find first').at(0) ?? null)],
  ['last', fn(['any'], ([l]) => asList(l, 'find last').at(-1) ?? null)],
  ['mustLast', fn(['any'], ([l]) => asList(l, 'find last').at(-1) ?? null)],
  ['rest', fn(['any'], ([l]) => (asList(l, 'find rest').length === 0 ? null : (l as unknown[]).slice(1)))],
  ['mustRest', fn(['any'], ([l]) => (asList(l, 'find rest').length === 0 ? null : (l as unknown[]).slice(1)))],
  ['initial', fn(['any'], ([l]) => (asList(l, 'find initial').length === 0 ? null : (l as unknown[]).slice(0, -1)))],
  ['mustInitial', fn(['any'], ([l]) => (asList(l, 'find initial').length === 0 ? null : (l as unknown[]).slice(0, -1)))],
  ['reverse', fn(['any'], ([l]) => [...asList(l, 'find reverse')].reverse())],
  ['mustReverse', fn(['any'], ([l]) => [...asList(l, 'find reverse')].reverse())],
  ['uniq', fn(['any'], ([l]) => asList(l, 'find uniq').filter((x, i, all) => all.findIndex((y) => deepEqual(x, y)) === i))],
  ['mustUniq', fn(['any'], ([l]) => asList(l, 'find uniq').filter((x, i, all) => all.findIndex((y) => deepEqual(x, y)) === i))],
  ['without', fn(['any'], ([l, ...omit]) => asList(l, 'find without').filter((x) => !omit.some((o) => deepEqual(x, o))), 'any')],
  ['mustWithout', fn(['any'], ([l, ...omit]) => asList(l, 'find without').filter((x) => !omit.some((o) => deepEqual(x, o))), 'any')],
  ['has', fn(['any', 'any'], ([needle, hay]) => (isNil(hay) ? false : asList(hay, 'find has').some((x) => deepEqual(x, needle))))],
  ['mustHas', fn(['any', 'any'], ([needle, hay]) => (isNil(hay) ? false : asList(hay, 'find has').some((x) => deepEqual(x, needle))))],
  ['compact', fn(['any'], ([l]) => asList(l, 'compact').filter((x) => !isEmpty(x)))],
  ['mustCompact', fn(['any'], ([l]) => asList(l, 'compact').filter((x) => !isEmpty(x)))],
  ['concat', fn([], (lists) => lists.flatMap((l) => (Array.isArray(l) ? l : asList(l, 'concat'))), 'any')],
  ['slice', fn(['any'], ([l, ...ix]) => sliceList(l, ix), 'any')],
  ['mustSlice', fn(['any'], ([l, ...ix]) => sliceList(l, ix), 'any')],
  ['dict', fn([], (args) => dict(args), 'any')],
  ['get', fn(['dict', 'string'], ([d, k]) => (isGoMap(d) && Object.hasOwn(d, k as string) ? d[k as string] : ''))],
  ['set', fn(['dict', 'string', 'any'], ([d, k, v]) => {
    const m = requireMap(d);
    putKey(m, k as string, v);
    return m;
  })],
  ['unset', fn(['dict', 'string'], ([d, k]) => {
    if (isGoMap(d)) delete d[k as string];
    return d;
  })],
  ['hasKey', fn(['dict', 'string'], ([d, k]) => isGoMap(d) && Object.hasOwn(d, k as string))],
  // Go's map order is random; sorted order is one of the orders Go may produce.
  ['keys', fn([], (dicts) => dicts.flatMap((d) => (isGoMap(d) ? sortedKeys(d) : [])), 'dict')],
  ['values', fn(['dict'], ([d]) => (isGoMap(d) ? sortedKeys(d).map((k) => d[k]) : []))],
  ['pick', fn(['dict'], ([d, ...ks]) => Object.fromEntries((ks as string[]).filter((k) => isGoMap(d) && Object.hasOwn(d, k)).map((k) => [k, (d as GoMap)[k]])), 'string')],
  ['omit', fn(['dict'], ([d, ...ks]) => Object.fromEntries(Object.entries(isGoMap(d) ? d : {}).filter(([k]) => !(ks as string[]).includes(k))), 'string')],
  ['pluck', fn(['string'], ([k, ...ds]) => ds.filter((d) => isGoMap(d) && Object.hasOwn(d, k as string)).map((d) => (d as GoMap)[k as string]), 'dict')],
  ['merge', fn(['dict'], ([dst, ...srcs]) => {
    const d = requireMap(dst);
    for (const s of srcs) if (isGoMap(s)) mergeInto(d, s, false);
    return d;
  }, 'dict')],
  ['mustMerge', fn(['dict'], ([dst, ...srcs]) => {
    const d = requireMap(dst);
    for (const s of srcs) if (isGoMap(s)) mergeInto(d, s, false);
    return d;
  }, 'dict')],
  ['mergeOverwrite', fn(['dict'], ([dst, ...srcs]) => {
    const d = requireMap(dst);
    for (const s of srcs) if (isGoMap(s)) mergeInto(d, s, true);
    return d;
  }, 'dict')],
  ['mustMergeOverwrite', fn(['dict'], ([dst, ...srcs]) => {
    const d = requireMap(dst);
    for (const s of srcs) if (isGoMap(s)) mergeInto(d, s, true);
    return d;
  }, 'dict')],
  ['dig', fn([], (args) => dig(args), 'any')],
  ['default', fn(['any'], ([d, ...given]) => (given.length === 0 || isEmpty(given[0]) ? d : given[0]), 'any')],
  ['empty', fn(['any'], ([v]) => isEmpty(v))],
  ['coalesce', fn([], (args) => args.find((a) => !isEmpty(a)) ?? null, 'any')],
  ['all', fn([], (args) => args.every((a) => !isEmpty(a)), 'any')],
  ['any', fn([], (args) => args.some((a) => !isEmpty(a)), 'any')],
  ['ternary', fn(['any', 'any', 'bool'], ([t, f, cond]) => (cond ? t : f))],
  ['fail', fn(['string'], ([msg], ctx) => {
    // The message is shown only when the template spells it out; a computed one may hold a value.
    throw new FuncError(ctx.isLiteralArg(0) ? (msg as string) : 'message withheld: it is computed from data');
  })],
]);
