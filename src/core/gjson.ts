// gjson.Get(json, path).String(): what ESO's azurekv provider returns for `remoteRef.property`
// (providers/v1/azure/keyvault/keyvault.go getProperty, github.com/tidwall/gjson v1.18.0, the
// version ESO pins). No npm library implements gjson, so this is our own implementation of its
// semantics, checked against the Go library itself by test/unit/core/gjson-go.test.ts.
//
// gjson does not validate: it scans for the path and reads the value it lands on, so text that is
// not strict JSON still answers (a raw newline inside a string, a trailing comma, text after the
// value), a value is returned as its raw source except strings (unescaped) and numbers (formatted
// as Go's strconv.FormatFloat(f, 'f', -1) unless the source is a plain integer), and `null` is "".
//
// Path syntax served: dot-separated keys, `\x` for a literal `x`, `*` and `?` wildcards in keys,
// array indexes, `#` (an array's length), `#.rest` (the rest applied to every element, as a JSON
// array) and `|` pipes. gjson's queries (`#(…)`, `#[…]`), modifiers (`@this`, `@reverse`, …),
// multipaths (`[…]`, `{…}`), literals (`!true`) and JSON lines (`..`) are refused with
// NotSupported by `unsupportedGjsonSyntax`, so no path quietly answers differently from ESO.
import { MAX_REMOTE_PROPERTY_COMPONENTS } from './limits.ts';

type ResultType = 'null' | 'false' | 'number' | 'string' | 'true' | 'json';

/** A gjson Result: `raw` is the value's source text (empty when nothing was found). */
export interface GjsonResult {
  type: ResultType;
  raw: string;
  /** Strings: the unescaped value. */
  str: string;
  /** Numbers: strconv.ParseFloat of raw (0 when it does not parse). */
  num: number;
}

const NOT_FOUND: GjsonResult = Object.freeze({ type: 'null', raw: '', str: '', num: 0 });

/** gjson Result.Exists. */
export function gjsonExists(r: GjsonResult): boolean {
  return r.type !== 'null' || r.raw.length > 0;
}

/** gjson Result.String. */
export function gjsonString(r: GjsonResult): string {
  switch (r.type) {
    case 'false':
      return 'false';
    case 'true':
      return 'true';
    case 'string':
      return r.str;
    case 'json':
      return r.raw;
    case 'number':
      return /^-?[0-9]*$/.test(r.raw) && r.raw !== '' ? r.raw : formatFloatF(r.num);
    default:
      return '';
  }
}

// gjson's modifiers: a path `@name` (or `.@name` / `|@name`) with one of these names is one.
const MODIFIERS = new Set(['pretty', 'ugly', 'reverse', 'this', 'flatten', 'join', 'valid', 'keys', 'values', 'tostr', 'fromstr', 'group', 'dig']);

function isModifier(s: string): boolean {
  if (s[0] !== '@') return false;
  let i = 1;
  while (i < s.length && s[i] !== '.' && s[i] !== '|' && s[i] !== ':') i++;
  return MODIFIERS.has(s.slice(1, i));
}

/**
 * The gjson feature `path` uses that this implementation does not serve, for a NotSupported
 * message; undefined when it serves the path. Mirrors where gjson itself gives the characters
 * their meaning: `@` modifiers, `!` literals, `[`/`{` multipaths and `..` where gjson.Get starts
 * a path (the start, after `|`, the key after `#.`), modifiers and multipaths after a `.` too,
 * `#(`/`#[` queries at the start of a component.
 */
export function unsupportedGjsonSyntax(path: string): string | undefined {
  const atStart = getStartFeature(path);
  if (atStart) return atStart;
  let componentStart = true;
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (componentStart) {
      const rest = path.slice(i);
      if (rest.startsWith('#(') || rest.startsWith('#[')) return 'a query (#(…) or #[…])';
      if (i > 0 && isModifier(rest)) return `the modifier ${rest.split(/[.|:]/)[0]}`;
      if (i > 0 && (rest[0] === '[' || rest[0] === '{')) return 'a multipath ([…] or {…})';
      // What follows `|`, and the key after `#.`, are paths gjson.Get starts over with.
      const again = path[i - 1] === '|' ? rest : rest.startsWith('#.') ? rest.slice(2) : undefined;
      const feature = again === undefined ? undefined : getStartFeature(again);
      if (feature) return feature;
    }
    if (c === '\\') i++;
    componentStart = c === '.' || c === '|';
  }
  return undefined;
}

/** The number of components of a path: its unescaped `.` and `|` separators, plus one. */
function pathComponents(path: string): number {
  let n = 1;
  for (let i = 0; i < path.length; i++) {
    if (path[i] === '\\') i++;
    else if (path[i] === '.' || path[i] === '|') n++;
  }
  return n;
}

/** What gjson.Get reads at the start of a path only (gjson.go Get): modifiers, literals, multipaths, JSON lines. */
function getStartFeature(path: string): string | undefined {
  if (path.length < 2) return undefined;
  if (isModifier(path)) return `the modifier ${path.split(/[.|:]/)[0]}`;
  if (path[0] === '!' && isStaticLiteral(path)) return 'a literal value (!…)';
  if (path[0] === '[' || path[0] === '{') return 'a multipath ([…] or {…})';
  if (path.startsWith('..')) return 'JSON lines (..)';
  return undefined;
}

/** gjson execStatic's test: `!` followed by a JSON value or true/false/null/nan/inf. */
function isStaticLiteral(path: string): boolean {
  const name = path.slice(1);
  if ('{["+-0123456789'.includes(name[0] ?? ' ')) return true;
  const end = name.search(/[.|]/);
  return ['true', 'false', 'null', 'nan', 'inf'].includes((end < 0 ? name : name.slice(0, end)).toLowerCase());
}

/**
 * The message for a `property` using unsupported gjson syntax, shared by `projector validate`
 * (object-ref.ts) and the read (secret-value.ts), so both judge a property alike.
 */
export function unsupportedPropertyMessage(property: string): string | undefined {
  const components = pathComponents(property);
  if (components > MAX_REMOTE_PROPERTY_COMPONENTS) {
    return `property has ${components} path components; Projector reads at most ${MAX_REMOTE_PROPERTY_COMPONENTS.toLocaleString('en-US')} (docs/limits.md)`;
  }
  const feature = unsupportedGjsonSyntax(property);
  return feature && `property "${property}" uses gjson's ${feature}, which Projector does not evaluate; use a path of keys, array indexes, # and wildcards (docs/providers/azurekv.md, remoteRef.property)`;
}

interface Context {
  json: string;
  value: GjsonResult;
  pipe: string;
  piped: boolean;
}

/**
 * gjson.Get(json, path). The caller checks `unsupportedGjsonSyntax` first: paths using those
 * features are read here as plain keys, which gjson does not do.
 */
export function gjsonGet(json: string, path: string): GjsonResult {
  const c: Context = { json, value: NOT_FOUND, pipe: '', piped: false };
  for (let i = 0; i < json.length; i++) {
    if (json[i] === '{') {
      parseObject(c, i + 1, path);
      break;
    }
    if (json[i] === '[') {
      parseArray(c, i + 1, path);
      break;
    }
  }
  return c.piped ? gjsonGet(c.value.raw, c.pipe) : c.value;
}

// ---- scanning: gjson's rules, which skip rather than check ------------------------------------

/** The index after the closing quote of a string whose content starts at `i`, and whether it has escapes; -1 when unterminated. */
function scanString(json: string, i: number): { end: number; escaped: boolean } {
  let escaped = false;
  for (; i < json.length; i++) {
    const ch = json[i]!;
    if (ch === '"') {
      if (escaped && json[i - 1] === '\\' && !oddBackslashesBefore(json, i)) continue;
      return { end: i + 1, escaped };
    }
    if (ch === '\\') escaped = true;
  }
  return { end: -1, escaped };
}

/** gjson's "look for an escaped slash": the backslashes before the one at i-1 (down to index 1) are odd in number. */
function oddBackslashesBefore(json: string, i: number): boolean {
  let n = 0;
  for (let j = i - 2; j > 0 && json[j] === '\\'; j--) n++;
  return n % 2 === 1;
}

/** A number (or NaN/Inf spelling) from `i` up to whitespace, `,`, `]` or `}`. */
function scanNumber(json: string, i: number): number {
  for (i++; i < json.length; i++) {
    const ch = json.charCodeAt(i);
    if (ch <= 0x20 || ch === 0x2c || ch === 0x5d || ch === 0x7d) return i;
  }
  return i;
}

/** A literal from `i` while the characters are a-z. */
function scanLiteral(json: string, i: number): number {
  for (i++; i < json.length; i++) {
    const ch = json.charCodeAt(i);
    if (ch < 0x61 || ch > 0x7a) return i;
  }
  return i;
}

/** The end of the object or array opened at `i`, counting brackets outside strings (gjson parseSquash). */
function scanSquash(json: string, i: number): number {
  let depth = 1;
  for (i++; i < json.length; i++) {
    const ch = json[i];
    if (ch === '"') {
      const start = i + 1;
      for (i = start; i < json.length; i++) {
        if (json[i] !== '"') continue;
        if (json[i - 1] === '\\') {
          let n = 0;
          for (let j = i - 2; j > start - 1 && json[j] === '\\'; j--) n++;
          if (n % 2 === 0) continue;
        }
        break;
      }
    } else if (ch === '{' || ch === '[' || ch === '(') {
      depth++;
    } else if (ch === '}' || ch === ']' || ch === ')') {
      if (--depth === 0) return i + 1;
    }
  }
  return i;
}

/** gjson's unescape: JSON escapes decoded; it stops at a raw control character or a bad escape. */
function unescape(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch < ' ') return out;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    i++;
    if (i >= s.length) return out;
    const e = s[i];
    const simple: Record<string, string> = { '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', '"': '"' };
    if (e !== 'u') {
      if (simple[e!] === undefined) return out;
      out += simple[e!];
      continue;
    }
    if (i + 5 > s.length) return out;
    let r = hex4(s, i + 1);
    i += 5;
    if (r >= 0xd800 && r <= 0xdfff) {
      if (s.length - i >= 6 && s[i] === '\\' && s[i + 1] === 'u') {
        const r2 = hex4(s, i + 2);
        r = r < 0xdc00 && r2 >= 0xdc00 && r2 <= 0xdfff ? (r - 0xd800) * 0x400 + (r2 - 0xdc00) + 0x10000 : 0xfffd;
        i += 6;
      } else {
        r = 0xfffd; // utf8.EncodeRune of a lone surrogate
      }
    }
    out += String.fromCodePoint(r);
    i--;
  }
  return out;
}

/** strconv.ParseUint(s[i:i+4], 16): 0 when any of the four is not a hex digit. */
function hex4(s: string, i: number): number {
  const h = s.slice(i, i + 4);
  return /^[0-9a-fA-F]{4}$/.test(h) ? parseInt(h, 16) : 0;
}

function stringResult(json: string, start: number, end: number, escaped: boolean): GjsonResult {
  const inner = json.slice(start + 1, end - 1);
  return { type: 'string', raw: json.slice(start, end), str: escaped ? unescape(inner) : inner, num: 0 };
}

function numberResult(raw: string): GjsonResult {
  return { type: 'number', raw, str: '', num: parseFloatGo(raw) };
}

function literalResult(raw: string): GjsonResult {
  return { type: raw[0] === 't' ? 'true' : raw[0] === 'f' ? 'false' : 'null', raw, str: '', num: 0 };
}

const NUMBER_START = new Set('+-0123456789iIN');

/** A string, literal or number value starting at `start`: where it ends (-1: an unterminated string). */
interface Scalar {
  kind: 'string' | 'literal' | 'number';
  start: number;
  end: number;
  escaped: boolean;
}

/**
 * The scalar value at `i`, by gjson's first-character rules (`n` is a literal before `u` or at the
 * end, else a number spelling such as `nan`); undefined for any other character. The result is
 * built only for a hit (scalarResult): skipped values are only scanned.
 */
function scalarAt(json: string, i: number): Scalar | undefined {
  const ch = json[i]!;
  if (ch === '"') {
    const s = scanString(json, i + 1);
    return { kind: 'string', start: i, end: s.end, escaped: s.escaped };
  }
  if (ch === 't' || ch === 'f' || (ch === 'n' && (json[i + 1] === 'u' || i + 1 >= json.length))) return { kind: 'literal', start: i, end: scanLiteral(json, i), escaped: false };
  if (NUMBER_START.has(ch) || ch === 'n') return { kind: 'number', start: i, end: scanNumber(json, i), escaped: false };
  return undefined;
}

function scalarResult(json: string, s: Scalar): GjsonResult {
  if (s.kind === 'string') return stringResult(json, s.start, s.end, s.escaped);
  const raw = json.slice(s.start, s.end);
  return s.kind === 'literal' ? literalResult(raw) : numberResult(raw);
}

// ---- paths --------------------------------------------------------------------------------------

interface ObjectPath {
  part: string;
  path: string;
  pipe: string;
  piped: boolean;
  wild: boolean;
  more: boolean;
}

/** gjson parseObjectPath: the first component (escapes removed), the rest, and whether it is a pattern. */
function parseObjectPath(path: string): ObjectPath {
  const r: ObjectPath = { part: path, path: '', pipe: '', piped: false, wild: false, more: false };
  let part = '';
  for (let i = 0; i < path.length; i++) {
    const ch = path[i]!;
    if (ch === '\\') {
      i++;
      if (i < path.length) part += path[i];
      continue;
    }
    if (ch === '|') return { ...r, part, pipe: path.slice(i + 1), piped: true };
    if (ch === '.') {
      const rest = path.slice(i + 1);
      return rest !== '' && isDotPiper(rest) ? { ...r, part, pipe: rest, piped: true } : { ...r, part, path: rest, more: true };
    }
    if (ch === '*' || ch === '?') r.wild = true;
    part += ch;
  }
  return { ...r, part };
}

function isDotPiper(s: string): boolean {
  return isModifier(s) || s[0] === '[' || s[0] === '{';
}

interface ArrayPath {
  part: string;
  path: string;
  pipe: string;
  piped: boolean;
  more: boolean;
  /** The component is or starts with `#`. */
  arrch: boolean;
  /** `#.key`: apply `alogkey` to every element. */
  alogok: boolean;
  alogkey: string;
}

/** gjson parseArrayPath, without queries (refused before). */
function parseArrayPath(path: string): ArrayPath {
  const r: ArrayPath = { part: path, path: '', pipe: '', piped: false, more: false, arrch: false, alogok: false, alogkey: '' };
  for (let i = 0; i < path.length; i++) {
    const ch = path[i];
    if (ch === '|') return { ...r, part: path.slice(0, i), pipe: path.slice(i + 1), piped: true };
    if (ch === '.') {
      const rest = path.slice(i + 1);
      if (!r.arrch && rest !== '' && isDotPiper(rest)) return { ...r, part: path.slice(0, i), pipe: rest, piped: true };
      return { ...r, part: path.slice(0, i), path: rest, more: true };
    }
    if (ch === '#') {
      r.arrch = true;
      if (i === 0 && path.length > 1 && path[1] === '.') {
        r.alogok = true;
        r.alogkey = path.slice(2);
        r.path = path.slice(0, 1);
      }
    }
  }
  return { ...r, path: '' };
}

/**
 * gjson splitPossiblePipe for a path that is not a multipath: split at the first `|` outside
 * escapes, where the character right after a `.#` is skipped unread (so `a.#|0` does not split).
 */
function splitPipe(path: string): [string, string] | undefined {
  for (let i = 0; i < path.length; i++) {
    if (path[i] === '\\') i++;
    else if (path[i] === '.') {
      if (i === path.length - 1) return undefined;
      if (path[i + 1] === '#') {
        i += 2;
        if (i === path.length) return undefined;
      }
    } else if (path[i] === '|') return [path.slice(0, i), path.slice(i + 1)];
  }
  return undefined;
}

// ---- the walk -------------------------------------------------------------------------------------

/** Object members from `i` (after `{`): returns [next index, hit]. */
function parseObject(c: Context, i: number, path: string): [number, boolean] {
  const json = c.json;
  const rp = parseObjectPath(path);
  if (!rp.more && rp.piped) {
    c.pipe = rp.pipe;
    c.piped = true;
  }
  while (i < json.length) {
    // The next key.
    let key: string | undefined;
    let keyEscaped = false;
    for (; i < json.length; i++) {
      if (json[i] === '"') {
        const s = scanString(json, i + 1);
        if (s.end < 0) return [json.length, false];
        key = json.slice(i + 1, s.end - 1);
        keyEscaped = s.escaped;
        i = s.end;
        break;
      }
      if (json[i] === '}') return [i + 1, false];
    }
    if (key === undefined) return [i, false];
    const name = keyEscaped ? unescape(key) : key;
    const pmatch = rp.wild ? globMatch(name, rp.part) : name === rp.part;
    let hit = pmatch && !rp.more;
    // Its value.
    for (; i < json.length; i++) {
      const ch = json[i]!;
      if (ch === '{' || ch === '[') {
        if (pmatch && !hit) {
          [i, hit] = ch === '{' ? parseObject(c, i + 1, rp.path) : parseArray(c, i + 1, rp.path);
          if (hit) return [i, true];
        } else {
          const start = i;
          i = scanSquash(json, i);
          if (hit) {
            c.value = { type: 'json', raw: json.slice(start, i), str: '', num: 0 };
            return [i, true];
          }
        }
      } else {
        const scalar = scalarAt(json, i);
        if (!scalar) continue;
        if (scalar.end < 0) return [json.length, false];
        i = scalar.end;
        if (hit) {
          c.value = scalarResult(json, scalar);
          return [i, true];
        }
      }
      break;
    }
  }
  return [i, false];
}

/** Array elements from `i` (after `[`): returns [next index, hit]. */
function parseArray(c: Context, i: number, path: string): [number, boolean] {
  const json = c.json;
  const rp = parseArrayPath(path);
  const partidx = rp.arrch ? -1 : arrayIndex(rp.part);
  if (!rp.more && rp.piped) {
    c.pipe = rp.pipe;
    c.piped = true;
  }
  const alog: number[] = [];
  let h = 0;
  let pmatch = false;
  let hit = false;
  while (i < json.length + 1) {
    if (!rp.arrch) {
      pmatch = partidx === h;
      hit = pmatch && !rp.more;
    }
    h++;
    if (rp.alogok) alog.push(i);
    for (; ; i++) {
      if (i > json.length) break;
      const ch = i === json.length ? ']' : json[i]!;
      if (ch === '{' || ch === '[') {
        if (pmatch && !hit) {
          [i, hit] = ch === '{' ? parseObject(c, i + 1, rp.path) : parseArray(c, i + 1, rp.path);
          if (hit && !rp.alogok) return [i, true];
        } else {
          const start = i;
          i = scanSquash(json, i);
          if (hit && !rp.alogok) {
            c.value = { type: 'json', raw: json.slice(start, i), str: '', num: 0 };
            return [i, true];
          }
        }
      } else if (ch === ']') {
        if (rp.arrch && rp.part === '#') {
          if (rp.alogok) {
            let key = rp.alogkey;
            const split = splitPipe(key);
            if (split) {
              key = split[0];
              c.pipe = split[1];
              c.piped = true;
            }
            const raws: string[] = [];
            for (let idx of alog) {
              while (idx < json.length && ' \t\r\n'.includes(json[idx]!)) idx++;
              if (idx >= json.length || json[idx] === ']') continue;
              const element = parseAny(json, idx);
              if (!element) continue;
              const res = gjsonGet(element.raw, key);
              if (gjsonExists(res)) raws.push(res.raw !== '' ? res.raw : gjsonString(res));
            }
            c.value = { type: 'json', raw: `[${raws.join(',')}]`, str: '', num: 0 };
            return [i + 1, true];
          }
          c.value = { type: 'number', raw: String(h - 1), str: '', num: h - 1 };
          return [i + 1, true];
        }
        return [i + 1, false];
      } else {
        const scalar = scalarAt(json, i);
        if (!scalar) continue;
        if (scalar.end < 0) return [json.length, false];
        i = scalar.end;
        if (hit && !rp.alogok) {
          c.value = scalarResult(json, scalar);
          return [i, true];
        }
      }
      break;
    }
  }
  return [i, false];
}

/**
 * gjson parseArray's index: parseUint's uint64, which wraps past 2^64, as an int (negative past
 * 2^63, so nothing matches); -1 when the part is not digits.
 */
function arrayIndex(part: string): number {
  if (!/^[0-9]+$/.test(part)) return -1;
  if (part.length < 16) return Number(part);
  const n = BigInt(part) % 2n ** 64n;
  return n >= 2n ** 63n ? -1 : Number(n);
}

/** gjson parseAny with hit: the value starting at or after `i`, or undefined when there is none. */
function parseAny(json: string, i: number): GjsonResult | undefined {
  for (; i < json.length; i++) {
    const ch = json[i]!;
    if (ch === '{' || ch === '[') return { type: 'json', raw: json.slice(i, scanSquash(json, i)), str: '', num: 0 };
    if (ch <= ' ') continue;
    const scalar = scalarAt(json, i);
    if (scalar) return scalar.end < 0 ? undefined : scalarResult(json, scalar);
  }
  return undefined;
}

// ---- Go's number and pattern rules -------------------------------------------------------------

/**
 * strconv.ParseFloat(s, 64)'s value, which gjson keeps even on error: 0 for a syntax error, ±Inf
 * beyond the range. Go's syntax: decimal or hexadecimal (`0x1p4`, the `p` exponent required)
 * floats, `_` between digits (strconv underscoreOK), `inf`/`infinity` with a sign, `nan` without.
 */
export function parseFloatGo(s: string): number {
  const special = /^(?:([+-]?)(inf|infinity)|(nan))$/i.exec(s);
  if (special) return special[3] ? NaN : special[1] === '-' ? -Infinity : Infinity;
  if (s.includes('_')) {
    if (!underscoreOK(s)) return 0;
    s = s.replaceAll('_', '');
  }
  if (/^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(s)) return Number(s);
  const hex = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?[0-9]+)$/.exec(s);
  if (!hex) return 0;
  const [, sign, whole = '', fraction = '', exponent = '0'] = hex;
  if (whole === '' && fraction === '') return 0;
  // Number(bigint) rounds to the nearest double; the power of two then scales it exactly.
  const value = Number(BigInt(`0x${whole}${fraction}`)) * 2 ** (Number(exponent) - 4 * fraction.length);
  return sign === '-' ? -value : value;
}

/** strconv underscoreOK: `_` only between digits, or between a base prefix and a digit. */
function underscoreOK(s: string): boolean {
  let saw = '^';
  let i = 0;
  if (s[0] === '-' || s[0] === '+') s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'boxBOX'.includes(s[1]!)) {
    i = 2;
    saw = '0';
    hex = s[1]!.toLowerCase() === 'x';
  }
  for (; i < s.length; i++) {
    const c = s[i]!;
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) saw = '0';
    else if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
    } else {
      if (saw === '_') return false;
      saw = '!';
    }
  }
  return saw !== '_';
}

/** strconv.FormatFloat(f, 'f', -1, 64): the shortest decimal that reads back as f, never an exponent. */
export function formatFloatF(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  const negative = f < 0 || Object.is(f, -0);
  const [mantissa, exp] = Math.abs(f).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const e = Number(exp);
  let out: string;
  if (e >= digits.length - 1) out = digits + '0'.repeat(e - digits.length + 1);
  else if (e >= 0) out = `${digits.slice(0, e + 1)}.${digits.slice(e + 1)}`;
  else out = `0.${'0'.repeat(-e - 1)}${digits}`;
  return negative ? `-${out}` : out;
}

/** tidwall/match.Match: `*` any run, `?` one character (code point), `\x` a literal x, a trailing `\` after a `*` a literal backslash. */
export function globMatch(str: string, pattern: string): boolean {
  const s = Array.from(str);
  const p: { ch: string; lit: boolean }[] = [];
  const pat = Array.from(pattern);
  for (let i = 0; i < pat.length; i++) {
    if (pat[i] === '\\') {
      // A trailing lone backslash: tidwall/match compares it literally when a star comes before it
      // (matchTrimSuffix reads the pattern's end backwards), and fails otherwise.
      if (i + 1 >= pat.length) {
        if (!p.some((t) => !t.lit && t.ch === '*')) return false;
        p.push({ ch: '\\', lit: true });
        break;
      }
      p.push({ ch: pat[++i]!, lit: true });
    } else {
      p.push({ ch: pat[i]!, lit: false });
    }
  }
  // Iterative glob with one backtrack point (linear in practice).
  let si = 0;
  let pi = 0;
  let star = -1;
  let mark = 0;
  while (si < s.length) {
    const t = p[pi];
    if (t && !t.lit && t.ch === '*') {
      star = pi++;
      mark = si;
    } else if (t && ((!t.lit && t.ch === '?') || t.ch === s[si])) {
      pi++;
      si++;
    } else if (star >= 0) {
      pi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && !p[pi]!.lit && p[pi]!.ch === '*') pi++;
  return pi === p.length;
}
