/**
 * sprig v3 list and dict functions and the defaults family (ESO's runtime/template/v2/sprig:
 * list.go, dict.go, defaults.go), with their Go result types: list/append/uniq/... give
 * []interface {}, keys gives []string, slice keeps its input's type, dict/pick/omit give
 * map[string]interface {}.
 */
import { fn, type TemplateFunc } from './func-table.ts';
import { FuncError } from './template-error.ts';
import { castToInt64 } from './sprig-numeric.ts';
import { strval } from './sprig-strings.ts';
import { deepEqual, goKindName, goTypeName, isGoMap, isNil, isTrue, newGoMap, nilSlice, putKey, sliceElemType, sortedKeys, typedSlice, type GoMap } from './values.ts';

/** `reflect.TypeOf(v).Kind()` as sprig calls it: nil has no type, so Go panics. */
function kindName(v: unknown): string {
  if (isNil(v)) throw new FuncError('runtime error: invalid memory address or nil pointer dereference');
  return goKindName(v);
}

function asList(v: unknown, what: string): unknown[] {
  if (Array.isArray(v)) return v;
  throw new FuncError(`Cannot ${what} on type ${kindName(v)}`);
}

/** sprig's empty(): zero values and empty containers (nil slices and maps included). */
export function isEmpty(v: unknown): boolean {
  return !isTrue(v);
}

/** sprig's slice: the sub-slice keeps the list's Go type; an empty list gives nil. */
function sliceList(list: unknown, indices: unknown[]): unknown {
  if (!Array.isArray(list)) throw new FuncError(`list should be type of slice or array but ${kindName(list)}`);
  if (list.length === 0) return null;
  const start = indices.length > 0 ? castToInt64(indices[0]) : 0n;
  const end = indices.length > 1 ? castToInt64(indices[1]) : BigInt(list.length);
  if (start < 0n || end > BigInt(list.length) || start > end) throw new FuncError('reflect.Value.Slice: slice index out of bounds');
  return typedSlice(sliceElemType(list), list.slice(Number(start), Number(end)));
}

function dict(args: unknown[]): GoMap {
  const out = newGoMap();
  for (let i = 0; i < args.length; i += 2) putKey(out, strval(args[i]), i + 1 < args.length ? args[i + 1] : '');
  return out;
}

/**
 * mergo v1.0.2 `Merge`/`MergeWithOverwrite` of one map[string]interface {} into another, as
 * sprig's merge/mergeOverwrite call it: nested maps merge in place; without overwrite a key is
 * set only when dst lacks it or holds an empty value; with overwrite every src value replaces
 * dst's, even an empty one (mergo checks emptiness of dst, not of src), except that a non-empty
 * dst map or slice is merged into (maps) or replaced (slices) rather than overwritten by the
 * final assignment. A nil src value overwrites only with overwrite.
 */
function mergeInto(dst: GoMap, src: GoMap, overwrite: boolean): void {
  for (const k of sortedKeys(src)) {
    const sv = src[k];
    const has = Object.hasOwn(dst, k);
    const dv = has ? dst[k] : undefined;
    if (isNil(sv)) {
      if (overwrite) putKey(dst, k, null);
      continue;
    }
    if (isGoMap(sv)) {
      if (has && isGoMap(dv)) mergeInto(dv, sv, overwrite);
    } else if (Array.isArray(sv)) {
      // mergo checks emptiness of the whole dst map here, not of the element.
      const replace = overwrite || Object.keys(dst).length === 0;
      putKey(dst, k, replace ? sv : !has || isNil(dv) ? typedSlice(sliceElemType(sv), []) : dv);
    }
    if (has && !isEmpty(dv)) {
      if (Array.isArray(sv)) continue;
      if (isGoMap(sv) && isGoMap(dv)) continue;
    }
    if (overwrite || !has || isEmpty(dv)) putKey(dst, k, sv);
  }
}

/** sprig's merge: a nil dst becomes a new map (mergo allocates it). */
function merge(dst: unknown, srcs: unknown[], overwrite: boolean): GoMap {
  const d = isNil(dst) ? newGoMap() : (dst as GoMap);
  for (const s of srcs) if (isGoMap(s)) mergeInto(d, s, overwrite);
  return d;
}

function notA(what: string, v: unknown): FuncError {
  return new FuncError(`interface conversion: interface {} is ${isNil(v) ? 'nil' : goTypeName(v)}, not ${what}`);
}

/** sprig's dig: type assertions that fail are Go panics naming the types. */
function dig(args: unknown[]): unknown {
  if (args.length < 3) throw new FuncError('dig needs at least three arguments');
  const map = args[args.length - 1];
  const fallback = args[args.length - 2];
  if (!isGoMap(map) || goTypeName(map) !== 'map[string]interface {}') throw notA('map[string]interface {}', map);
  const keys = args.slice(0, -2);
  for (const k of keys) if (typeof k !== 'string') throw notA('string', k);
  let current: GoMap = map;
  for (const [i, k] of (keys as string[]).entries()) {
    if (!Object.hasOwn(current, k)) return fallback;
    const step = current[k];
    if (i === keys.length - 1) return step;
    if (!isGoMap(step) || goTypeName(step) !== 'map[string]interface {}') throw notA('map[string]interface {}', step);
    current = step;
  }
  return fallback;
}

/** sprig's concat: every argument must be a list; with no elements the result is a nil slice. */
function concat(lists: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const l of lists) {
    if (!Array.isArray(l)) throw new FuncError(`Cannot concat type ${kindName(l)} as list`);
    out.push(...l);
  }
  return out.length === 0 ? nilSlice() : out;
}

function uniq(l: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const x of l) if (!out.some((y) => deepEqual(x, y))) out.push(x);
  return out;
}

/** sprig's keys over each dict; Go's order is random, Projector's is sorted (see docs/templates.md). */
function keys(dicts: unknown[]): string[] {
  return typedSlice('string', dicts.flatMap((d) => (isGoMap(d) ? sortedKeys(d) : [])));
}

export const SPRIG_COLLECTIONS: ReadonlyMap<string, TemplateFunc> = new Map<string, TemplateFunc>([
  ['list', fn([], (args) => [...args], 'any')],
  ['tuple', fn([], (args) => [...args], 'any')],
  ['append', fn(['any', 'any'], ([l, v]) => [...asList(l, 'push'), v])],
  ['push', fn(['any', 'any'], ([l, v]) => [...asList(l, 'push'), v])],
  ['mustAppend', fn(['any', 'any'], ([l, v]) => [...asList(l, 'push'), v])],
  ['mustPush', fn(['any', 'any'], ([l, v]) => [...asList(l, 'push'), v])],
  ['prepend', fn(['any', 'any'], ([l, v]) => [v, ...asList(l, 'prepend')])],
  ['mustPrepend', fn(['any', 'any'], ([l, v]) => [v, ...asList(l, 'prepend')])],
  ['first', fn(['any'], ([l]) => (asList(l, 'find first').length === 0 ? null : (l as unknown[])[0]))],
  ['mustFirst', fn(['any'], ([l]) => (asList(l, 'find first').length === 0 ? null : (l as unknown[])[0]))],
  ['last', fn(['any'], ([l]) => (asList(l, 'find last').length === 0 ? null : (l as unknown[]).at(-1)))],
  ['mustLast', fn(['any'], ([l]) => (asList(l, 'find last').length === 0 ? null : (l as unknown[]).at(-1)))],
  // rest and initial return a typed []interface {}: for an empty list, a nil slice (prints []).
  ['rest', fn(['any'], ([l]) => (asList(l, 'find rest').length === 0 ? nilSlice() : (l as unknown[]).slice(1)))],
  ['mustRest', fn(['any'], ([l]) => (asList(l, 'find rest').length === 0 ? nilSlice() : (l as unknown[]).slice(1)))],
  ['initial', fn(['any'], ([l]) => (asList(l, 'find initial').length === 0 ? nilSlice() : (l as unknown[]).slice(0, -1)))],
  ['mustInitial', fn(['any'], ([l]) => (asList(l, 'find initial').length === 0 ? nilSlice() : (l as unknown[]).slice(0, -1)))],
  ['reverse', fn(['any'], ([l]) => [...asList(l, 'find reverse')].reverse())],
  ['mustReverse', fn(['any'], ([l]) => [...asList(l, 'find reverse')].reverse())],
  ['uniq', fn(['any'], ([l]) => uniq(asList(l, 'find uniq')))],
  ['mustUniq', fn(['any'], ([l]) => uniq(asList(l, 'find uniq')))],
  ['without', fn(['any'], ([l, ...omit]) => asList(l, 'find without').filter((x) => !omit.some((o) => deepEqual(x, o))), 'any')],
  ['mustWithout', fn(['any'], ([l, ...omit]) => asList(l, 'find without').filter((x) => !omit.some((o) => deepEqual(x, o))), 'any')],
  ['has', fn(['any', 'any'], ([needle, hay]) => (isNil(hay) ? false : asList(hay, 'find has').some((x) => deepEqual(needle, x))))],
  ['mustHas', fn(['any', 'any'], ([needle, hay]) => (isNil(hay) ? false : asList(hay, 'find has').some((x) => deepEqual(needle, x))))],
  ['compact', fn(['any'], ([l]) => asList(l, 'compact').filter((x) => !isEmpty(x)))],
  ['mustCompact', fn(['any'], ([l]) => asList(l, 'compact').filter((x) => !isEmpty(x)))],
  ['concat', fn([], (lists) => concat(lists), 'any')],
  ['slice', fn(['any'], ([l, ...ix]) => sliceList(l, ix), 'any')],
  ['mustSlice', fn(['any'], ([l, ...ix]) => sliceList(l, ix), 'any')],
  ['dict', fn([], (args) => dict(args), 'any')],
  ['get', fn(['dict', 'string'], ([d, k]) => (isGoMap(d) && Object.hasOwn(d, k as string) ? d[k as string] : ''))],
  ['set', fn(['dict', 'string', 'any'], ([d, k, v]) => {
    if (isNil(d)) throw new FuncError('assignment to entry in nil map');
    putKey(d as GoMap, k as string, v);
    return d;
  })],
  ['unset', fn(['dict', 'string'], ([d, k]) => {
    if (isGoMap(d)) delete d[k as string];
    return d;
  })],
  ['hasKey', fn(['dict', 'string'], ([d, k]) => isGoMap(d) && Object.hasOwn(d, k as string))],
  ['keys', fn([], (dicts) => keys(dicts), 'dict')],
  // Go's map order is random; Projector's is sorted by key (see docs/templates.md).
  ['values', fn(['dict'], ([d]) => (isGoMap(d) ? sortedKeys(d).map((k) => d[k]) : []))],
  ['pick', fn(['dict'], ([d, ...ks]) => {
    const out = newGoMap();
    for (const k of ks as string[]) if (isGoMap(d) && Object.hasOwn(d, k)) putKey(out, k, d[k]);
    return out;
  }, 'string')],
  ['omit', fn(['dict'], ([d, ...ks]) => {
    const out = newGoMap();
    if (isGoMap(d)) for (const [k, v] of Object.entries(d)) if (!(ks as string[]).includes(k)) putKey(out, k, v);
    return out;
  }, 'string')],
  ['pluck', fn(['string'], ([k, ...ds]) => ds.filter((d) => isGoMap(d) && Object.hasOwn(d, k as string)).map((d) => (d as GoMap)[k as string]), 'dict')],
  ['merge', fn(['dict'], ([dst, ...srcs]) => merge(dst, srcs, false), 'dict')],
  ['mustMerge', fn(['dict'], ([dst, ...srcs]) => merge(dst, srcs, false), 'dict')],
  ['mergeOverwrite', fn(['dict'], ([dst, ...srcs]) => merge(dst, srcs, true), 'dict')],
  ['mustMergeOverwrite', fn(['dict'], ([dst, ...srcs]) => merge(dst, srcs, true), 'dict')],
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
