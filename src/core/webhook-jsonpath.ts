// The JSONPath of ESO's Webhook `result.jsonPath`: github.com/PaesslerAG/jsonpath v0.1.1 (which ESO's
// webhook package calls as jsonpath.Get(path, value), providers/v1/webhook/pkg/webhook/webhook.go
// GetSecretMap), over a value as Go's encoding/json decodes it into `any` (core/go-json-any.ts).
//
// Why our own: PaesslerAG/jsonpath is a language on top of the gval expression parser, with rules no
// npm JSONPath package shares: a path without wildcards ("plain") fails on a missing key (`unknown key
// x`) or index (`index 5 out of bounds`) instead of returning nothing, a number key of an object is
// its %v text, a string key of an array is parsed as a number, and any wildcard, recursive descent,
// union, slice or filter makes the result a list of the matches (never an error), so a Webhook
// result through one is always a list ESO then refuses. jsonpath-plus and friends return lists for
// every path and nothing for a miss. The subset here is what ESO documents and people write: `$`,
// `.name`, `["name"]` (Go string syntax), `'c'` (one character, as text/scanner reads it), `[n]`,
// `*`, `..`, `[a,b]` and `[start:end:step]`, with whitespace between tokens. Other gval syntax
// (expressions, `@`, scripts, filters, paths without `$`) is reported NotSupported: ESO would either
// refuse it or yield a value that is not an object (a list or a bool), which a Webhook refuses too.
//
// Messages name only the path's own keys and Go type names, never a value of the document.
import type { GoAny } from './go-json-any.ts';
import { formatFloatG } from './go-float.ts';
import { unquoteGo } from './template/go-literals.ts';
import { goUnicodeTest } from './go-unicode-assigned.ts';

/** A key inside brackets or after a dot: gval constants (string, number, bool). */
type Key = string | number | boolean;

type Selector =
  | { kind: 'key'; key: Key }
  | { kind: 'star' }
  | { kind: 'descend' }
  | { kind: 'union'; keys: Key[] }
  | { kind: 'slice'; start: number; end: number; step: number };

export interface ParsedJsonPath {
  readonly source: string;
  readonly selectors: readonly Selector[];
  /** True when a selector may match several values: the result is then always a list (Go's []interface {}). */
  readonly ambiguous: boolean;
}

/** Why a path was refused: `syntax` (ESO's parser refuses it too) or `unsupported` (gval syntax outside the subset). */
export class JsonPathError extends Error {
  override readonly name = 'JsonPathError';
  readonly kind: 'syntax' | 'unsupported';
  constructor(kind: 'syntax' | 'unsupported', message: string) {
    super(message);
    this.kind = kind;
  }
}

const MAX_INT32 = 2_147_483_647;
// Go's unicode.IsLetter / unicode.IsDigit (Go 1.26's Unicode: goUnicodeTest), as gval's IsIdentRune uses them.
const IDENT_START = /[\p{L}_]/u;
const IDENT_PART = /[\p{L}_\p{Nd}]/u;
const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

class Scanner {
  i = 0;
  readonly src: string;
  constructor(src: string) {
    this.src = src;
  }
  skip(): void {
    while (this.i < this.src.length && WHITESPACE.has(this.src[this.i]!)) this.i++;
  }
  peek(): string | undefined {
    this.skip();
    return this.src[this.i];
  }
  next(): string | undefined {
    this.skip();
    return this.src[this.i++];
  }
  eat(ch: string): boolean {
    if (this.peek() !== ch) return false;
    this.i++;
    return true;
  }
  ident(): string | undefined {
    this.skip();
    const start = this.i;
    const first = String.fromCodePoint(this.src.codePointAt(this.i) ?? 0);
    if (this.i >= this.src.length || !goUnicodeTest(IDENT_START, first)) return undefined;
    this.i += first.length;
    while (this.i < this.src.length) {
      const ch = String.fromCodePoint(this.src.codePointAt(this.i)!);
      if (!goUnicodeTest(IDENT_PART, ch)) break;
      this.i += ch.length;
    }
    return this.src.slice(start, this.i);
  }
}

function unsupported(source: string, what: string): JsonPathError {
  return new JsonPathError('unsupported', `jsonPath ${JSON.stringify(source)}: ${what} is not supported by Projector (it reads $, .name, ["name"], [n], *, .., [a,b] and [start:end:step])`);
}

function syntax(source: string, what: string): JsonPathError {
  return new JsonPathError('syntax', `jsonPath ${JSON.stringify(source)}: ${what}`);
}

/** A gval constant: a Go string or rune literal, a decimal number (optionally negative), true or false. */
function constant(s: Scanner, source: string): Key {
  const c = s.peek();
  if (c === '"' || c === '`' || c === "'") {
    const start = s.i;
    s.i++;
    while (s.i < s.src.length && s.src[s.i] !== c) {
      if (c !== '`' && s.src[s.i] === '\\') s.i++;
      if (c !== '`' && s.src[s.i] === '\n') break;
      s.i++;
    }
    if (s.src[s.i] !== c) throw syntax(source, 'a quoted key is not terminated');
    s.i++;
    const text = unquoteGo(s.src.slice(start, s.i));
    // gval: strconv.Unquote of the token; a multi-character '…' (text/scanner's Char token) fails.
    if (text === null) throw syntax(source, `could not parse string ${s.src.slice(start, s.i)}: invalid syntax${c === "'" ? ' (single quotes hold one character, as in Go: write ["name"])' : ''}`);
    return text;
  }
  const num = /^-?\s*(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/.exec(s.src.slice(s.i));
  if (num) {
    s.i += num[0].length;
    return Number(num[0].replace(/\s+/g, ''));
  }
  const word = s.ident();
  if (word === 'true' || word === 'false') return word === 'true';
  if (word !== undefined) throw unsupported(source, `the variable ${word} in brackets`);
  throw unsupported(source, c === undefined ? 'an unterminated bracket' : `${JSON.stringify(c)} in brackets`);
}

/**
 * Parses a path (PaesslerAG/jsonpath's syntax, the subset above). Throws JsonPathError: `syntax`
 * for what ESO's parser refuses as well, `unsupported` for gval syntax Projector does not read.
 */
export function parseJsonPath(source: string): ParsedJsonPath {
  const s = new Scanner(source);
  if (s.peek() === undefined) throw syntax(source, 'the path is empty');
  if (s.next() !== '$') throw unsupported(source, 'a path that does not start with $');
  const selectors: Selector[] = [];
  for (;;) {
    const c = s.next();
    if (c === undefined) break;
    if (c === '.') {
      if (s.eat('*')) selectors.push({ kind: 'star' });
      else if (s.eat('.')) {
        selectors.push({ kind: 'descend' });
        // After `..`: a name, `*` or a bracket (a script is unsupported).
        if (s.eat('*')) selectors.push({ kind: 'star' });
        else if (s.eat('[')) {
          const b = bracket(s, source);
          if (b.kind === 'slice') throw syntax(source, 'mapper can not be combined with range query');
          selectors.push(b.kind === 'key' ? { kind: 'union', keys: [b.key] } : b);
        } else {
          const name = s.ident();
          if (name === undefined) throw syntax(source, 'expected a name, "[" or "*" after ".."');
          selectors.push({ kind: 'key', key: name });
        }
      } else {
        const name = s.ident();
        if (name === undefined) throw syntax(source, 'expected a name, "." or "*" after "."');
        selectors.push({ kind: 'key', key: name });
      }
    } else if (c === '[') selectors.push(bracket(s, source));
    else if (c === '(') throw unsupported(source, 'a script ( … )');
    // gval's base language has == and != after a path (a bool, which a Webhook then refuses).
    else if ((c === '=' || c === '!') && s.src[s.i] === '=') throw unsupported(source, `the comparison ${c}= (gval expressions)`);
    else throw syntax(source, `unexpected ${JSON.stringify(c)} after the path (a name with "-" or another symbol needs ["name"])`);
  }
  return { source, selectors, ambiguous: selectors.some((x) => x.kind !== 'key') };
}

/** The inside of `[ … ]`, the `[` consumed. */
function bracket(s: Scanner, source: string): Selector {
  if (s.eat('*')) {
    if (!s.eat(']')) throw syntax(source, 'expected "]" after "[*"');
    return { kind: 'star' };
  }
  if (s.peek() === '?') throw unsupported(source, 'a filter [?( … )]');
  const keys: (Key | undefined)[] = [];
  let separator: ',' | ':' | undefined;
  for (;;) {
    const c = s.peek();
    if (c === ':' || (c === ']' && separator === ':')) keys.push(undefined);
    else keys.push(constant(s, source));
    const sep = s.next();
    if (sep === ']') break;
    if (sep !== ',' && sep !== ':') throw syntax(source, sep === undefined ? 'a bracket is not closed' : `unexpected ${JSON.stringify(sep)} in brackets (expected ",", ":" or "]")`);
    separator ??= sep;
    if (sep !== separator) throw syntax(source, 'mixed "," and ":" in brackets');
  }
  if (separator === ':') {
    if (keys.length > 3) throw syntax(source, 'range query has at least the parameter [min:max:step]');
    const int = (k: Key | undefined, fallback: number): number => {
      if (k === undefined) return fallback;
      if (typeof k !== 'number') throw unsupported(source, 'a range bound that is not a number');
      return Math.trunc(k);
    };
    return { kind: 'slice', start: int(keys[0], 0), end: int(keys[1], MAX_INT32), step: int(keys[2], 1) };
  }
  if (keys.length === 1) return { kind: 'key', key: keys[0]! };
  return { kind: 'union', keys: keys as Key[] };
}

/** Go's %T of a decoded JSON value, as fmt prints it. */
export function goTypeOf(v: GoAny | GoAny[]): string {
  if (v === null) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}

/** gval's fmt.Sprintf("%v", key) for an object key. */
function keyText(k: Key): string {
  return typeof k === 'number' ? formatFloatG(k) : String(k);
}

/** int(f) as Go's amd64 conversion makes it (out of range: the minimum int64). */
function goInt(f: number): number {
  return Number.isFinite(f) && Math.abs(f) < 2 ** 63 ? Math.trunc(f) : -(2 ** 63);
}

/** strconv.ParseFloat's decimal and special forms (gval's convertToFloat of a string key). */
function stringAsFloat(s: string): number | undefined {
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return NaN;
  if (!/^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(s)) return undefined;
  const f = Number(s);
  return Number.isFinite(f) ? f : undefined;
}

/** PaesslerAG selectValue: one key of an object or one index of a list; Go's messages. */
function selectValue(v: GoAny, key: Key): { ok: true; value: GoAny } | { ok: false; message: string } {
  if (Array.isArray(v)) {
    const f = typeof key === 'number' ? key : typeof key === 'string' ? stringAsFloat(key) : undefined;
    if (f === undefined) return { ok: false, message: `could not select value, invalid key: expected number but got ${keyText(key)} (${typeof key === 'string' ? 'string' : 'bool'})` };
    const i = goInt(f);
    if (i < 0 || i >= v.length) return { ok: false, message: `index ${i} out of bounds` };
    return { ok: true, value: v[i]! };
  }
  if (v instanceof Map) {
    const k = keyText(key);
    if (!v.has(k)) return { ok: false, message: `unknown key ${k}` };
    return { ok: true, value: v.get(k)! };
  }
  return { ok: false, message: `unsupported value type ${goTypeOf(v)} for select, expected map[string]interface{} or []interface{}` };
}

/** A list's elements, or an object's values in Go's key order (Go's map order is random; any order serves). */
function children(v: GoAny): GoAny[] {
  if (Array.isArray(v)) return v;
  if (v instanceof Map) return [...v.keys()].sort().map((k) => v.get(k)!);
  return [];
}

/** Each value the ambiguous selector matches under `v` (errors inside a branch drop the branch, as in PaesslerAG). */
function branch(sel: Selector, v: GoAny): GoAny[] {
  switch (sel.kind) {
    case 'key': {
      const r = selectValue(v, sel.key);
      return r.ok ? [r.value] : [];
    }
    case 'star':
      return children(v);
    case 'union':
      return sel.keys.flatMap((k) => {
        const r = selectValue(v, k);
        return r.ok ? [r.value] : [];
      });
    case 'descend': {
      // The node itself, then every descendant, depth first.
      const out: GoAny[] = [];
      const stack: GoAny[] = [v];
      while (stack.length > 0) {
        const x = stack.pop()!;
        out.push(x);
        stack.push(...[...children(x)].reverse());
      }
      return out;
    }
    case 'slice': {
      if (!Array.isArray(v) || sel.start > sel.end) return [];
      const n = v.length;
      const clamp = (i: number) => (i < 0 ? Math.max(n + i, 0) : Math.min(i, n));
      const lo = clamp(sel.start);
      const hi = clamp(sel.end);
      const step = sel.step === 0 ? 1 : sel.step;
      const out: GoAny[] = [];
      if (step > 0) for (let i = lo; i < hi; i += step) out.push(v[i]!);
      else for (let i = hi - 1; i >= lo; i += step) out.push(v[i]!);
      return out;
    }
  }
}

export type JsonPathResult = { ok: true; value: GoAny } | { ok: false; message: string };

/**
 * jsonpath.Get(path, root): a plain path (names and indices only) gives the one value it names or
 * PaesslerAG's error (`unknown key x`, `index 5 out of bounds`, `unsupported value type string for
 * select, …`); an ambiguous one gives the list of its matches (possibly empty), never an error.
 */
export function evaluateJsonPath(path: ParsedJsonPath, root: GoAny): JsonPathResult {
  if (!path.ambiguous) {
    let v = root;
    for (const sel of path.selectors) {
      const r = selectValue(v, (sel as { key: Key }).key);
      if (!r.ok) return r;
      v = r.value;
    }
    return { ok: true, value: v };
  }
  let current: GoAny[] = [root];
  for (const sel of path.selectors) current = current.flatMap((v) => branch(sel, v));
  return { ok: true, value: current };
}
