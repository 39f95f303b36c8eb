/** Go text/template's predefined functions (`text/template/funcs.go`). */
import { fn, type TemplateFunc } from './func-table.ts';
import { sprint, sprintf, sprintln } from './go-fmt.ts';
import { FuncError } from './template-error.ts';
import { byteLength, compareGoStrings, goBytes, goInt, goEqual, goKindName, GoObject, GoTypedInt, goTypeName, isGoMap, isNil, isNilSlice, isStringMap, isTrue, sliceBytes } from './values.ts';
import { goUnicodeTest } from '../go-unicode-assigned.ts';

type Kind = 'bool' | 'int' | 'uint' | 'float' | 'string' | 'invalid';

/** text/template's basicKind: slices, maps and nil are all `invalid` (not basic). */
function basicKind(v: unknown): Kind {
  if (v instanceof GoTypedInt) return v.unsigned ? 'uint' : 'int';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float';
    case 'string':
      return 'string';
    default:
      return 'invalid';
  }
}

/** Go's reflect isNil as funcs.go uses it: untyped nil, and nil slices (maps here are never nil). */
function isNilValue(v: unknown): boolean {
  return isNil(v) || isNilSlice(v);
}

/** text/template's `eq` (funcs.go), including its int/uint cross-kind comparison. */
function eq(arg1: unknown, ...rest: unknown[]): boolean {
  if (rest.length === 0) throw new FuncError('missing argument for comparison');
  const k1 = basicKind(arg1);
  for (const arg of rest) {
    const k2 = basicKind(arg);
    let truth = false;
    if (k1 !== k2) {
      if ((k1 === 'int' || k1 === 'uint') && (k2 === 'int' || k2 === 'uint')) truth = goInt(arg1) === goInt(arg);
      else if (!isNil(arg1) && !isNil(arg)) throw new FuncError(`incompatible types for comparison: ${goTypeName(arg1)} and ${goTypeName(arg)}`);
    } else if (k1 === 'int' || k1 === 'uint') {
      truth = goInt(arg1) === goInt(arg);
    } else if (k1 !== 'invalid') {
      truth = arg1 === arg;
    } else {
      const kind1 = goKindName(arg1);
      const kind2 = goKindName(arg);
      // Go's messages here print the values; Projector names only the types.
      if (kind1 !== kind2 && kind1 !== 'invalid' && kind2 !== 'invalid') throw new FuncError(`non-comparable types: ${goTypeName(arg1)}, ${goTypeName(arg)}`);
      if (isNilValue(arg1) || isNilValue(arg)) truth = isNilValue(arg1) === isNilValue(arg);
      // Go checks only the second operand's type: slices and maps are not comparable.
      else if (kind2 === 'slice' || kind2 === 'map') throw new FuncError(`non-comparable type: ${goTypeName(arg)}`);
      // Structs (time.Time, sprig's certificate, semver.Version) and pointers: Go's `==`.
      else truth = goEqual(arg1, arg);
    }
    if (truth) return true;
  }
  return false;
}

/** text/template's `lt`: strings by bytes, ints and uints across kinds, no bools. */
function lessThan(a: unknown, b: unknown): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka === 'invalid' || kb === 'invalid') throw new FuncError('invalid type for comparison');
  if (ka !== kb) {
    if ((ka === 'int' || ka === 'uint') && (kb === 'int' || kb === 'uint')) return goInt(a)! < goInt(b)!;
    throw new FuncError(`incompatible types for comparison: ${goTypeName(a)} and ${goTypeName(b)}`);
  }
  switch (ka) {
    case 'bool':
      throw new FuncError('invalid type for comparison');
    case 'string':
      return compareGoStrings(a as string, b as string) < 0;
    case 'int':
    case 'uint':
      return goInt(a)! < goInt(b)!;
    default:
      return (a as number) < (b as number);
  }
}

/** funcs.go's indirect: the type a pointer points to is the one len and index name. */
function indirectTypeName(v: unknown): string {
  return v instanceof GoObject && v.pointer ? v.type.name : goTypeName(v);
}

function length(item: unknown): bigint {
  if (isNil(item)) throw new FuncError('len of nil pointer');
  if (typeof item === 'string') return BigInt(byteLength(item));
  if (Array.isArray(item)) return BigInt(item.length);
  if (isGoMap(item)) return BigInt(Object.keys(item).length);
  throw new FuncError(`len of type ${indirectTypeName(item)}`);
}

function indexArg(index: unknown, cap: number): number {
  if (isNil(index)) throw new FuncError('cannot index slice/array with nil');
  const x = goInt(index);
  if (x === undefined) throw new FuncError(`cannot index slice/array with type ${goTypeName(index)}`);
  if (x < 0n || x > BigInt(cap)) throw new FuncError(`index out of range: ${x}`);
  return Number(x);
}

function index(item: unknown, ...indexes: unknown[]): unknown {
  if (isNil(item)) throw new FuncError('index of untyped nil');
  let current: unknown = item;
  for (const ix of indexes) {
    if (isNil(current)) throw new FuncError('index of nil pointer');
    if (typeof current === 'string') {
      const bytes = goBytes(current);
      const x = indexArg(ix, bytes.length);
      if (x === bytes.length) throw new FuncError('reflect: string index out of range');
      current = new GoTypedInt('uint8', BigInt(bytes[x]!));
    } else if (Array.isArray(current)) {
      const x = indexArg(ix, current.length);
      if (x === current.length) throw new FuncError('reflect: slice index out of range');
      current = current[x];
    } else if (isGoMap(current)) {
      if (isNil(ix)) throw new FuncError('value is nil; should be of type string');
      if (typeof ix !== 'string') throw new FuncError(`value has type ${goTypeName(ix)}; should be string`);
      if (Object.hasOwn(current, ix)) current = current[ix];
      else current = isStringMap(current) ? '' : null;
    } else {
      throw new FuncError(`can't index item of type ${indirectTypeName(current)}`);
    }
  }
  return current;
}

/** Go's builtin slice; sprig replaces it under the same name, so only `goSlice` callers see this. */
export function goSlice(item: unknown, ...indexes: unknown[]): unknown {
  if (isNil(item)) throw new FuncError('slice of untyped nil');
  if (indexes.length > 3) throw new FuncError(`too many slice indexes: ${indexes.length}`);
  const len = typeof item === 'string' ? byteLength(item) : Array.isArray(item) ? item.length : -1;
  if (len < 0) throw new FuncError(`can't slice item of type ${goTypeName(item)}`);
  const idx = [0, len];
  indexes.forEach((ix, i) => {
    idx[i] = indexArg(ix, len);
  });
  const [start, end] = [idx[0]!, idx[1] ?? len];
  if (start > end) throw new FuncError(`invalid slice index: ${start} > ${end}`);
  return typeof item === 'string' ? sliceBytes(item, start, end) : (item as unknown[]).slice(start, end);
}

/**
 * Go's evalArgs for the escapers (text/template funcs.go): a lone string as is, anything else through
 * fmt.Sprint after printableValue, which turns a nil interface (an invalid reflect.Value) into the
 * string "<no value>" — so `urlquery` of nil is "%3Cno+value%3E", not "%3Cnil%3E".
 */
function evalArgs(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args.map((a) => (a === null || a === undefined ? '<no value>' : a)));
}

function htmlEscape(s: string): string {
  return s.replace(/[\0"'&<>]/g, (c) => HTML_ESCAPES[c]!);
}
const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '\0': '\uFFFD',
  '"': '&#34;',
  "'": '&#39;',
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
};

/**
 * Go's text/template JSEscapeString (funcs.go JSEscape, jsIsSpecial): `\`, `'`, `"` get a
 * backslash, `<>&=` and ASCII controls (below U+0020) become `\uXXXX`, every other ASCII byte
 * (DEL and the backtick included) is copied, and a rune from U+0080 up is copied when
 * unicode.IsPrint, else `\uXXXX`.
 */
const JS_PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (ch === '"') out += '\\"';
    // A byte that is not UTF-8 decodes as U+FFFD, which is printable: JSEscape copies the byte.
    else if (cp >= 0xdc80 && cp <= 0xdcff) out += ch;
    else if ('<>&='.includes(ch)) out += `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
    else if (cp < 0x80 && cp >= 0x20) out += ch;
    else if (cp < 0x20 || !goUnicodeTest(JS_PRINTABLE, ch)) {
      out += `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
    } else out += ch;
  }
  return out;
}

/** Go's url.QueryEscape. */
export function queryEscape(s: string): string {
  let out = '';
  for (const b of goBytes(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export const BUILTINS: ReadonlyMap<string, TemplateFunc> = new Map<string, TemplateFunc>([
  ['and', fn(['value'], () => null, 'value')],
  ['or', fn(['value'], () => null, 'value')],
  ['not', fn(['value'], ([v]) => !isTrue(v))],
  ['len', fn(['value'], ([v]) => length(v))],
  ['index', fn(['value'], ([item, ...ixs]) => index(item, ...ixs), 'value')],
  ['slice', fn(['value'], ([item, ...ixs]) => goSlice(item, ...ixs), 'value')],
  ['print', fn([], (args) => sprint(args), 'any')],
  ['printf', fn(['string'], ([format, ...args]) => sprintf(format as string, args), 'any')],
  ['println', fn([], (args) => sprintln(args), 'any')],
  ['eq', fn(['value'], ([a, ...rest]) => eq(a, ...rest), 'value')],
  ['ne', fn(['value', 'value'], ([a, b]) => !eq(a, b))],
  ['lt', fn(['value', 'value'], ([a, b]) => lessThan(a, b))],
  ['le', fn(['value', 'value'], ([a, b]) => lessThan(a, b) || eq(a, b))],
  ['gt', fn(['value', 'value'], ([a, b]) => !lessThan(a, b) && !eq(a, b))],
  ['ge', fn(['value', 'value'], ([a, b]) => !lessThan(a, b))],
  ['html', fn([], (args) => htmlEscape(evalArgs(args)), 'any')],
  ['js', fn([], (args) => jsEscape(evalArgs(args)), 'any')],
  ['urlquery', fn([], (args) => queryEscape(evalArgs(args)), 'any')],
  [
    'call',
    fn(['value'], () => {
      throw new FuncError('not supported by Projector: template data holds no functions', true);
    }, 'value'),
  ],
]);
