/**
 * How Go values are represented while a template runs (the Go types sprig and ESO functions return
 * stay distinct wherever `typeOf`, `kindOf`, `deepEqual`, `%T` or a parameter's type can see them):
 * - string → string (a Go string: bytes that are not UTF-8 are escaped as in core/go-string.ts);
 * - int → bigint; int64, uint8 and uint64 → `GoTypedInt` (sprig's arithmetic returns int64, `index`
 *   of a string returns a byte, semver's Major returns uint64); float64 → number; bool → boolean;
 *   untyped nil → null;
 * - []interface{} → Array; []string and []int → Array registered with `typedSlice`; a nil slice →
 *   Array registered with `nilSlice` (prints `[]`, encodes to JSON `null`);
 * - time.Time → `GoTime` (go-time.ts), printed through its String method;
 * - any other struct type (sprig's certificate, Masterminds semver's Version), or a pointer to one
 *   → `GoObject`, described by a `GoStructType` (its fields, methods and the interfaces fmt and
 *   encoding/json use);
 * - map[string]interface{} → plain object; map[string]string → plain object registered with
 *   `markStringMap` (the data ESO passes as dot, and sprig's split/splitn results).
 *
 * For fmt (go-fmt.ts): `goTypeName(v)` is Go's `%T`; `goPrimitive(v)` is the JavaScript primitive
 * a value prints as (a GoTypedInt → its bigint); `sliceElemType(list)` is a slice's element type.
 */

import type { TemplateFunc } from './func-table.ts';
import { GoTime, sameLocationContents } from './go-time.ts';
import { compareGoStrings, goStringByteLength, goStringFromBytes, goStringToBytes } from '../go-string.ts';
import { goUnicodeTest } from '../go-unicode-assigned.ts';

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

/**
 * A Go integer whose static type is not `int`: sprig's int64 results, the uint8 `index` returns for
 * a string's byte, the uint64 of semver's Major/Minor/Patch. The value wraps to the type's range.
 */
export class GoTypedInt {
  readonly type: 'int64' | 'uint8' | 'uint64';
  readonly value: bigint;

  constructor(type: 'int64' | 'uint8' | 'uint64', value: bigint) {
    this.type = type;
    this.value = type === 'int64' ? BigInt.asIntN(64, value) : BigInt.asUintN(type === 'uint8' ? 8 : 64, value);
  }

  /** An unsigned type: fmt prints %#v in hex, and text/template's eq/lt compare it as uintKind. */
  get unsigned(): boolean {
    return this.type !== 'int64';
  }
}

/** Go's int64 (wraps around as Go's int64 arithmetic does). */
export function goInt64(v: bigint): GoTypedInt {
  return new GoTypedInt('int64', v);
}

/** Go's uint64 (wraps around as Go's uint64 arithmetic does). */
export function goUint64(v: bigint): GoTypedInt {
  return new GoTypedInt('uint64', v);
}

/** The integer of a Go value of any integer type (int, int64, uint8); undefined for other values. */
export function goInt(v: unknown): bigint | undefined {
  if (typeof v === 'bigint') return v;
  if (v instanceof GoTypedInt) return v.value;
  return undefined;
}

/** What a value prints as in fmt: a GoTypedInt is its bigint; everything else is itself. */
export function goPrimitive(v: unknown): unknown {
  return v instanceof GoTypedInt ? v.value : v;
}

/** Element types of the slices functions return (`[]interface {}` is the unregistered default). */
export type SliceElemType = 'string' | 'int' | 'interface {}';

const sliceTypes = new WeakMap<object, SliceElemType>();
const nilSlices = new WeakSet<object>();

/** Registers `items` as a Go slice of `elem` ([]string from splitList, []int from until, ...). */
export function typedSlice<T>(elem: SliceElemType, items: T[]): T[] {
  if (elem !== 'interface {}') sliceTypes.set(items, elem);
  return items;
}

/** The element type of a Go slice (`interface {}` unless registered by `typedSlice`/`nilSlice`). */
export function sliceElemType(list: readonly unknown[]): SliceElemType {
  return sliceTypes.get(list) ?? 'interface {}';
}

/**
 * Go's nil slice, as regexp's FindAllString and Split return when there is nothing: prints,
 * ranges and has len like an empty list, but encoding/json writes it as null, and
 * reflect.DeepEqual tells it from an empty slice.
 */
export function nilSlice(elem: SliceElemType = 'interface {}'): unknown[] {
  const list = typedSlice(elem, [] as unknown[]);
  nilSlices.add(list);
  return list;
}

export function isNilSlice(v: unknown): boolean {
  return Array.isArray(v) && nilSlices.has(v);
}

/**
 * A method of a Go type as text/template finds it (reflect's MethodByName): `bind` gives the
 * method value for a receiver, a function like any other (parameters checked by the executor,
 * FuncError for a returned error). `pointerReceiver` methods are declared on *T: text/template
 * reaches them only through a pointer, because the T values it holds (method results, variables)
 * are not addressable.
 */
export interface GoMethod<T> {
  readonly pointerReceiver: boolean;
  bind(receiver: T): TemplateFunc;
}

/**
 * A Go struct type with methods, described for the places that look at a value through reflect:
 * text/template (fields and methods), fmt (Stringer, struct printing), encoding/json,
 * reflect.DeepEqual, `==` and copystructure. `T` is the struct's data, which is immutable: methods
 * return new values, as value-receiver methods in Go return copies.
 */
export interface GoStructType<T> {
  /** reflect's name, package-qualified: `semver.Version` (a pointer's is `*semver.Version`). */
  readonly name: string;
  /** The fields in declaration order as Go values (fmt prints unexported ones too; a lower-case name is unexported). */
  fields(v: T): readonly (readonly [name: string, value: unknown])[];
  readonly methods: ReadonlyMap<string, GoMethod<T>>;
  /** fmt.Stringer's String, declared with a value receiver (so T and *T both print through it). */
  string?(v: T): string;
  /**
   * The type's MarshalJSON, as the compact JSON text it returns. Without one, encoding/json
   * writes the exported fields as an object, in declaration order (go-json.ts).
   */
  json?(v: T): string;
  /** copystructure.Copy (sprig's deepCopy): exported fields are copied and unexported ones left zero. */
  copy(v: T): T;
}

/**
 * A value of a GoStructType: the struct itself (`pointer` false: a method's result), or a pointer
 * to it (`pointer` true: what semver.NewVersion returns). A pointer's identity is this object's
 * `value`, so Go's `==` on two pointers is `a.value === b.value`.
 */
export class GoObject<T = unknown> {
  readonly type: GoStructType<T>;
  readonly value: T;
  readonly pointer: boolean;

  constructor(type: GoStructType<T>, value: T, pointer: boolean) {
    this.type = type;
    this.value = value;
    this.pointer = pointer;
  }

  /** The method `name` in this value's method set (a T lacks *T's methods), bound to the value. */
  method(name: string): TemplateFunc | undefined {
    const m = this.type.methods.get(name);
    return m && (this.pointer || !m.pointerReceiver) ? m.bind(this.value) : undefined;
  }

  fields(): readonly (readonly [name: string, value: unknown])[] {
    return this.type.fields(this.value);
  }
}

/** Go's rule for a field or method name: exported when it starts with an upper-case letter. */
export function isExported(name: string): boolean {
  const first = String.fromCodePoint(name.codePointAt(0) ?? 0);
  return goUnicodeTest(UPPER_FIRST, first);
}
const UPPER_FIRST = /^\p{Lu}$/u;

export function isGoMap(v: unknown): v is GoMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof GoTypedInt) && !(v instanceof GoTime) && !(v instanceof GoObject);
}

export function isNil(v: unknown): v is null | undefined {
  return v === null || v === undefined;
}

/** Go's `%T`/reflect type name (sprig's typeOf), also used in error messages in place of the value. */
export function goTypeName(v: unknown): string {
  if (isNil(v)) return '<nil>';
  if (v instanceof GoTypedInt) return v.type;
  if (v instanceof GoTime) return 'time.Time';
  if (v instanceof GoObject) return v.pointer ? `*${v.type.name}` : v.type.name;
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
  if (Array.isArray(v)) return `[]${sliceElemType(v)}`;
  if (isStringMap(v)) return 'map[string]string';
  return 'map[string]interface {}';
}

/** Go's reflect Kind name (sprig's kindOf): `invalid` for nil, `slice`, `map`, or the basic type. */
export function goKindName(v: unknown): string {
  if (isNil(v)) return 'invalid';
  if (Array.isArray(v)) return 'slice';
  if (v instanceof GoTime) return 'struct';
  if (v instanceof GoObject) return v.pointer ? 'ptr' : 'struct';
  if (isGoMap(v)) return 'map';
  return goTypeName(v);
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
  if (v instanceof GoTypedInt) return v.value !== 0n;
  // A struct (time.Time) is always true, and so is a pointer that is not nil.
  if (v instanceof GoTime || v instanceof GoObject) return true;
  if (Array.isArray(v)) return v.length > 0;
  return Object.keys(v as object).length > 0;
}

/**
 * Go's `reflect.DeepEqual` over the represented types (sprig's deepEqual, has, uniq, without):
 * values of different Go types are never equal (int 1 ≠ int64 1, []string ≠ []interface {}), and a
 * nil slice is not equal to an empty one. NaN is not equal to itself.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (isNil(a) || isNil(b)) return isNil(a) && isNil(b);
  if (goTypeName(a) !== goTypeName(b)) return false;
  if (a instanceof GoTypedInt) return a.value === (b as GoTypedInt).value;
  // time.Time's fields: the instant, the monotonic reading and the *Location, whose contents
  // DeepEqual compares when the pointers differ.
  if (a instanceof GoTime) return a.unixNanos === (b as GoTime).unixNanos && a.mono === (b as GoTime).mono && sameLocationContents(a.loc, (b as GoTime).loc);
  // A pointer is equal to itself, or when the structs it points to are deeply equal.
  if (a instanceof GoObject) return (a.pointer && a.value === (b as GoObject).value) || fieldsDeepEqual(a, b as GoObject);
  if (typeof a !== 'object') return a === b;
  if (Array.isArray(a)) {
    const bs = b as unknown[];
    if (isNilSlice(a) !== isNilSlice(bs)) return false;
    return a.length === bs.length && a.every((x, i) => deepEqual(x, bs[i]));
  }
  const ak = Object.keys(a as object);
  const bm = b as GoMap;
  return ak.length === Object.keys(bm).length && ak.every((k) => Object.hasOwn(bm, k) && deepEqual((a as GoMap)[k], bm[k]));
}

function fieldsDeepEqual(a: GoObject, b: GoObject): boolean {
  const fa = a.fields();
  const fb = b.fields();
  return fa.length === fb.length && fa.every(([, x], i) => deepEqual(x, fb[i]![1]));
}

/**
 * Go's `==` on two interface values that hold a struct or a pointer (text/template's eq, funcs.go:
 * `arg1.Interface() == arg.Interface()`, reached for kinds that are not basic). Values of different
 * dynamic types are never equal. time.Time compares its fields: the instant, the monotonic reading
 * and the *Location pointer, so the same instant in UTC and in Local, or with and without a
 * monotonic reading, is not `==` (Time.Equal says it is). A pointer is equal to the same pointer;
 * other structs compare their fields (integers and strings in the represented types, for which `==`
 * is reflect.DeepEqual). Every represented struct type is comparable; slices and maps are not,
 * and the caller rejects them first.
 */
export function goEqual(a: unknown, b: unknown): boolean {
  if (goTypeName(a) !== goTypeName(b)) return false;
  if (a instanceof GoTime) {
    const t = b as GoTime;
    return a.unixNanos === t.unixNanos && a.mono === t.mono && a.loc === t.loc;
  }
  if (a instanceof GoObject) return a.pointer ? a.value === (b as GoObject).value : fieldsDeepEqual(a, b as GoObject);
  return false;
}

/** Go's `<` on strings (core/go-string.ts, where the rule lives so code outside the template engine sorts as Go does). */
export { compareGoStrings };

/** Keys in Go's fmt/range/encoding/json order (sorted by bytes). */
export function sortedKeys(map: object): string[] {
  return Object.keys(map).sort(compareGoStrings);
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
