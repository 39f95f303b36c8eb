/**
 * How Go values are represented while a template runs:
 * string → string (a Go string: bytes that are not UTF-8 are escaped as in core/go-string.ts), int/int64 → bigint, float64 → number, bool → boolean, nil → null,
 * []interface{} / []string → Array, map[string]interface{} → plain object,
 * map[string]string → plain object registered with `markStringMap` (the data ESO passes as dot).
 */

import { goStringByteLength, goStringFromBytes, goStringToBytes, isTextString } from '../go-string.ts';

export type GoMap = { [key: string]: unknown };

const stringMaps = new WeakSet<object>();

/** Records that `map` is Go's map[string]string: a missing key reads as "" and its type name differs. */
export function markStringMap<T extends object>(map: T): T {
  stringMaps.add(map);
  return map;
}

export function isStringMap(v: unknown): boolean {
  return typeof v === 'object' && v !== null && stringMaps.has(v);
}

const nilSlices = new WeakSet<object>();

/**
 * Go's nil slice, as regexp's FindAllString and Split return when there is nothing: prints,
 * ranges and has len like an empty list, but encoding/json writes it as null.
 */
export function nilSlice(): unknown[] {
  const list: unknown[] = [];
  nilSlices.add(list);
  return list;
}

export function isNilSlice(v: unknown): boolean {
  return Array.isArray(v) && nilSlices.has(v);
}

export function isGoMap(v: unknown): v is GoMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isNil(v: unknown): v is null | undefined {
  return v === null || v === undefined;
}

/** Go's `%T`/reflect type name, used in error messages in place of the value. */
export function goTypeName(v: unknown): string {
  if (isNil(v)) return '<nil>';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    default:
      break;
  }
  if (Array.isArray(v)) return '[]interface {}';
  if (isStringMap(v)) return 'map[string]string';
  return 'map[string]interface {}';
}

/** Go's `template.IsTrue`: the zero value of any kind, and empty containers, are false. */
export function isTrue(v: unknown): boolean {
  if (isNil(v)) return false;
  switch (typeof v) {
    case 'string':
      return v.length > 0;
    case 'bigint':
      return v !== 0n;
    case 'number':
      return v !== 0;
    case 'boolean':
      return v;
    default:
      break;
  }
  if (Array.isArray(v)) return v.length > 0;
  return Object.keys(v as object).length > 0;
}

/** Go's `reflect.DeepEqual` over the represented kinds (used by sprig's has/uniq/without). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (isNil(a) || isNil(b)) return isNil(a) && isNil(b);
  if (typeof a !== typeof b) return false;
  if (typeof a !== 'object') return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bs = b as unknown[];
    return a.length === bs.length && a.every((x, i) => deepEqual(x, bs[i]));
  }
  if (isStringMap(a) !== isStringMap(b)) return false;
  const ak = Object.keys(a as object);
  const bm = b as GoMap;
  return ak.length === Object.keys(bm).length && ak.every((k) => Object.hasOwn(bm, k) && deepEqual((a as GoMap)[k], bm[k]));
}

/** Keys in Go's fmt/range order (sorted by byte value; UTF-16 order matches for the BMP). */
export function sortedKeys(map: object): string[] {
  return Object.keys(map).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
}

/** Go's len of a string: its bytes (escaped bytes count one each, see core/go-string.ts). */
export function byteLength(s: string): number {
  return goStringByteLength(s);
}

/** The bytes of a Go string (strings here are Go strings in the form of core/go-string.ts). */
export function goBytes(s: string): Uint8Array {
  return goStringToBytes(s) ?? new Uint8Array(Buffer.from(s, 'utf8'));
}

/**
 * Go's `s[start:end]` on bytes. Slicing inside a multi-byte rune keeps the partial bytes, as Go
 * does; they are escaped bytes of the resulting Go string (core/go-string.ts).
 */
export function sliceBytes(s: string, start: number, end?: number): string {
  return goStringFromBytes(goBytes(s).subarray(start, end));
}

/**
 * True when `v` is, or (in a list or map) holds, a string with bytes that are not UTF-8. Such
 * strings are carried exactly but most functions here work on UTF-16 text, so the executor lets
 * them reach only the functions that are exact on bytes (see exec.ts).
 */
export function holdsBinary(v: unknown, depth = 0): boolean {
  if (typeof v === 'string') return !isTextString(v);
  if (depth > 32 || typeof v !== 'object' || v === null) return false;
  const items = Array.isArray(v) ? v : Object.values(v);
  return items.some((x) => holdsBinary(x, depth + 1));
}

/** Creates an empty map[string]interface{} that cannot be confused with Object.prototype keys. */
export function newGoMap(): GoMap {
  return {};
}

export function hasKey(map: object, key: string): boolean {
  return Object.hasOwn(map, key);
}

/** int64 wrap-around, as Go's arithmetic does. */
export function toInt64(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}

/** Sets `map[key]` as an own property even for `__proto__`, as a Go map assignment would. */
export function putKey(map: GoMap, key: string, value: unknown): void {
  Object.defineProperty(map, key, { value, writable: true, enumerable: true, configurable: true });
}
