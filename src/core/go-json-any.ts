// encoding/json's round trip through Go's `any`, as ESO's rewrite.merge does it
// (runtime/esutils/utils.go: json.Unmarshal of each value into map[string]any, then json.Marshal or
// an Encoder with SetEscapeHTML(false), and GetByteValue for each merged member). Go's reading, not
// JSON.parse's: numbers are float64 (a number past float64's range is an error, `1.50` becomes 1.5,
// big integers lose digits), strings are UTF-8 with U+FFFD for lone surrogates and bytes that are
// not UTF-8, a duplicate key keeps its last value, and objects are written back with their keys in
// Go's sorted (bytewise) order.
//
// Why not template/go-json.ts toGoJson alone: it recurses, and a secret value may nest as deep as
// encoding/json reads (10,000 levels), past what recursion on Node's stack survives (it fails near
// 3,000). Both loops here keep their own stacks; strings are quoted by quoteJson, which toGoJson
// uses too (here, outside the template engine, so the operator does not load the engine at start).
//
// Messages never quote the input: Go's own errors here name a character or a number of the value.
import { compareGoStrings, goRuneString, goStringFromBytes } from './go-string.ts';
import { formatFloatF } from './gjson.ts';
import { jsonDocument, type JsonKind } from './json-raw.ts';

/** A value as json.Unmarshal into `any` makes it: string, float64, bool, nil, []any, map[string]any. */
export type GoAny = string | number | boolean | null | GoAny[] | GoObject;
/** Go's map[string]any; insertion order only serves messages (Go's maps have none). */
export type GoObject = Map<string, GoAny>;

/** Why json.Unmarshal of a value into map[string]any failed, without any of its content. */
export type UnmarshalFailure =
  /** Not JSON at all (Go: `invalid character … `, `unexpected end of JSON input`). */
  | { kind: 'syntax' }
  /** JSON, but not an object or null (Go: `json: cannot unmarshal array into Go value of type map[string]interface {}`). */
  | { kind: 'type'; jsonKind: 'array' | 'string' | 'number' | 'bool' }
  /** A number past float64's range (Go: `json: cannot unmarshal number 1e400 into Go value of type float64`, which quotes the number). */
  | { kind: 'range' };

/** One member of the decoded object: its key, its value and its 1-based position in the document. */
export interface GoMember {
  key: string;
  value: GoAny;
  position: number;
}

export type UnmarshalResult = { ok: true; members: GoMember[] } | { ok: false; failure: UnmarshalFailure };

const GO_KIND: Readonly<Record<Exclude<JsonKind, 'object' | 'null'>, 'array' | 'string' | 'number' | 'bool'>> = {
  array: 'array',
  string: 'string',
  number: 'number',
  true: 'bool',
  false: 'bool',
};

/**
 * Go's message for a failure, where Go's own message carries no content of the value (the syntax
 * and range messages do, so they are described instead).
 */
export function describeUnmarshalFailure(f: UnmarshalFailure): string {
  switch (f.kind) {
    case 'syntax':
      return 'it is not valid JSON';
    case 'type':
      return `it is a JSON ${f.jsonKind}, not an object (json: cannot unmarshal ${f.jsonKind} into Go value of type map[string]interface {})`;
    case 'range':
      return 'it holds a number out of the range of a float64 (json: cannot unmarshal number into Go value of type float64)';
  }
}

/**
 * json.Unmarshal(bytes, &m) with `m` a map[string]any: the members of a JSON object in document
 * order (a duplicate key appears once, at its first position, with its last value, as Go's map
 * keeps the last); the document `null` gives no members and no error, as Go leaves the map nil.
 * Bytes that are not UTF-8 read as U+FFFD inside strings and are a syntax error elsewhere.
 */
export function unmarshalObject(bytes: Uint8Array): UnmarshalResult {
  const text = goRuneString(goStringFromBytes(bytes));
  const doc = jsonDocument(text);
  if (!doc) return { ok: false, failure: { kind: 'syntax' } };
  if (doc.kind === 'null') return { ok: true, members: [] };
  if (doc.kind !== 'object') return { ok: false, failure: { kind: 'type', jsonKind: GO_KIND[doc.kind] } };
  const byKey = new Map<string, GoMember>();
  let position = 0;
  for (const [rawKey, raw] of doc.members) {
    position++;
    // The member's text was checked by the scanner: JSON.parse cannot fail on it.
    const value = toGoAny(JSON.parse(raw));
    if (value === RANGE) return { ok: false, failure: { kind: 'range' } };
    const key = rawKey.toWellFormed();
    const seen = byKey.get(key);
    if (seen) seen.value = value;
    else byKey.set(key, { key, value, position });
  }
  return { ok: true, members: [...byKey.values()] };
}

/**
 * json.Unmarshal(bytes, &v) with `v` an `any`: the value (an object as a GoObject in document order),
 * or why it failed: `syntax` (not JSON, trailing data included) or `range` (a number past float64).
 * Bytes that are not UTF-8 read as U+FFFD inside strings and are a syntax error elsewhere.
 */
export function unmarshalAny(bytes: Uint8Array): { ok: true; value: GoAny } | { ok: false; failure: { kind: 'syntax' } | { kind: 'range' } } {
  const text = goRuneString(goStringFromBytes(bytes));
  const doc = jsonDocument(text);
  if (!doc) return { ok: false, failure: { kind: 'syntax' } };
  // The document's text was checked by the scanner: JSON.parse cannot fail on it.
  const value = toGoAny(JSON.parse(text));
  if (value === RANGE) return { ok: false, failure: { kind: 'range' } };
  return { ok: true, value };
}

const RANGE = Symbol('range');

/** JSON.parse's value → Go's, iteratively (see the module comment); RANGE for an infinite number (Go refuses it). */
function toGoAny(root: unknown): GoAny | typeof RANGE {
  let result: GoAny = null;
  const stack: [unknown, (v: GoAny) => void][] = [[root, (v) => (result = v)]];
  while (stack.length > 0) {
    const [src, set] = stack.pop()!;
    if (typeof src === 'string') set(src.toWellFormed());
    else if (typeof src === 'number') {
      if (!Number.isFinite(src)) return RANGE;
      set(src);
    } else if (typeof src === 'boolean' || src === null) set(src);
    else if (Array.isArray(src)) {
      const arr: GoAny[] = new Array<GoAny>(src.length).fill(null);
      set(arr);
      src.forEach((x, i) => stack.push([x, (v) => (arr[i] = v)]));
    } else {
      const obj = src as Record<string, unknown>;
      const map: GoObject = new Map();
      set(map);
      const keys = Object.keys(obj);
      for (const k of keys) map.set(k.toWellFormed(), null);
      // Pushed last-first so they are set first-last: of two keys that read alike once lone
      // surrogates become U+FFFD, the later one wins, as in Go.
      for (let i = keys.length - 1; i >= 0; i--) {
        const k = keys[i]!;
        stack.push([obj[k], (v) => map.set(k.toWellFormed(), v)]);
      }
    }
  }
  return result;
}

/** encoding/json's float64: the shortest form, exponent below 1e-6 and from 1e21 (as JavaScript's), and `-0` kept. */
function formatJsonNumber(n: number): string {
  return Object.is(n, -0) ? '-0' : String(n);
}

/**
 * json.Marshal of a decoded value (`escapeHTML` true) or an Encoder with SetEscapeHTML(false)
 * (ESO's JSONMarshal; its trailing newline trimmed): compact, map keys in Go's sorted order.
 */
export function marshalGoAny(value: GoAny, escapeHTML: boolean): string {
  let out = '';
  // Either text to write or a value to encode, taken from the end.
  const stack: ({ text: string } | { value: GoAny })[] = [{ value }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if ('text' in item) {
      out += item.text;
      continue;
    }
    const v = item.value;
    if (v === null) out += 'null';
    else if (typeof v === 'string') out += quoteJson(v, escapeHTML);
    else if (typeof v === 'number') out += formatJsonNumber(v);
    else if (typeof v === 'boolean') out += String(v);
    else if (Array.isArray(v)) {
      out += '[';
      stack.push({ text: ']' });
      for (let i = v.length - 1; i >= 0; i--) {
        stack.push({ value: v[i] as GoAny });
        if (i > 0) stack.push({ text: ',' });
      }
    } else {
      out += '{';
      stack.push({ text: '}' });
      const keys = [...v.keys()].sort(compareGoStrings);
      for (let i = keys.length - 1; i >= 0; i--) {
        const k = keys[i]!;
        stack.push({ value: v.get(k) as GoAny });
        stack.push({ text: `${quoteJson(k, escapeHTML)}:` });
        if (i > 0) stack.push({ text: ',' });
      }
    }
  }
  return out;
}

const utf8 = new TextEncoder();

/**
 * ESO's GetByteValue for a decoded value: a string as its bytes, a float64 as
 * strconv.FormatFloat(f, 'f', -1, 64) (never an exponent), a bool as `true`/`false`, nil as no
 * bytes, and a map or slice as json.Marshal writes it (HTML-escaped).
 */
export function goByteValue(v: GoAny): Uint8Array {
  if (v === null) return new Uint8Array(0);
  if (typeof v === 'string') return utf8.encode(v);
  if (typeof v === 'number') return utf8.encode(formatFloatF(v));
  if (typeof v === 'boolean') return utf8.encode(String(v));
  return utf8.encode(marshalGoAny(v, true));
}

const SHORT: Readonly<Record<string, string>> = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A Go string as encoding/json writes it (Go 1.26): short escapes, `\u00XX` for other controls, U+2028/U+2029 escaped, `<`, `>`, `&` too when `escapeHTML`. */
export function quoteJson(s: string, escapeHTML: boolean): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch in SHORT) out += SHORT[ch];
    // A byte that is not UTF-8 (core/go-string.ts): encoding/json writes the escape \ufffd.
    else if (cp >= 0xdc80 && cp <= 0xdcff) out += '\\ufffd';
    else if (cp < 0x20 || cp === 0x2028 || cp === 0x2029 || (escapeHTML && (ch === '<' || ch === '>' || ch === '&'))) {
      out += `\\u${cp.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return `${out}"`;
}
