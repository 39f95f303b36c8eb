/**
 * ESO's `toYaml` (runtime/template/v2/yaml.go) writes with sigs.k8s.io/yaml v1.6.0 `Marshal`:
 * encoding/json's Marshal, then `JSONToYAML`, which reads that JSON with go.yaml.in/yaml/v2
 * v2.4.2 `Unmarshal` into interface{} (numbers become int / uint64 / float64 by yaml.v2's
 * resolve.go) and writes it back with yaml.v2 `Marshal` (encode.go + the libyaml port in
 * emitterc.go, keys ordered by sorter.go).
 *
 * This is a port of the part of that pipeline a JSON document can reach. The npm `yaml` package
 * cannot be configured to match it: libyaml folds plain and quoted scalars at the first space
 * past column 80 (so lines may exceed 80), falls back from plain to SINGLE quotes unless the text
 * would resolve to another type (then double quotes), escapes characters outside the BMP and
 * everything after a leading BOM, writes keys over 128 bytes as `? key`, and yaml.v2 orders keys
 * with digit runs compared as numbers. Names below follow the Go functions they port.
 *
 * Where Go's Marshal returns an error (the JSON text holds a character libyaml's reader refuses,
 * such as U+0080..U+009F, or a key whose JSON form is longer than 1024 characters, which
 * libyaml's scanner cannot take as a flow-mapping key), `jsonToGoYaml` returns undefined, and
 * ESO's toYaml then yields "".
 */
// formatFloatG and layoutShortestG live in core/go-float.ts (the generic-target hash needs them
// without the template engine); re-exported for the template modules.
import { formatFloatG, layoutShortestG } from '../go-float.ts';
import { goUnicodeTest } from '../go-unicode-assigned.ts';
export { formatFloatG, layoutShortestG };

// ---------------------------------------------------------------------------------------------
// Reading the JSON the way yaml.v2 does (readerc.go, scannerc.go, resolve.go).

type YNode =
  | { readonly kind: 'scalar'; readonly value: string; readonly style: 'plain' | 'double' | 'literal' | 'single' }
  | { readonly kind: 'seq'; readonly items: readonly YNode[] }
  | { readonly kind: 'map'; readonly entries: ReadonlyArray<readonly [string, YNode]> };

class Refused extends Error {}

const NEL = '\u0085';

/** libyaml's reader (yaml_parser_update_buffer): the characters a YAML stream may contain. */
function readerAllows(cp: number): boolean {
  return (
    cp === 0x09 || cp === 0x0a || cp === 0x0d || (cp >= 0x20 && cp <= 0x7e) || cp === 0x85 ||
    (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/**
 * libyaml's scanner drops a possible simple key once the ':' is more than 1024 characters past its
 * start or on a later line; in a flow mapping the ':' then fails to parse.
 */
const MAX_SIMPLE_KEY_CHARS = 1024;

/**
 * A JSON parser over the compact text encoding/json writes, keeping each number's text (yaml.v2
 * resolves the text, so int64 and uint64 beyond 2^53 survive) and each key's source length.
 */
class JsonReader {
  private pos = 0;
  private readonly text: string;

  constructor(text: string) {
    this.text = text;
  }

  document(): YNode {
    const v = this.value();
    if (this.pos !== this.text.length) throw new Refused('trailing text');
    return v;
  }

  private value(): YNode {
    const c = this.text[this.pos];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return { kind: 'scalar', value: this.string(), style: 'double' };
    const m = /^(?:true|false|null|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)/.exec(this.text.slice(this.pos, this.pos + 400));
    if (m === null || m[0] === '') throw new Refused('not JSON');
    this.pos += m[0].length;
    return { kind: 'scalar', value: m[0], style: 'plain' };
  }

  private object(): YNode {
    this.pos++;
    const entries: Array<[string, YNode]> = [];
    if (this.text[this.pos] === '}') {
      this.pos++;
      return { kind: 'map', entries };
    }
    for (;;) {
      const start = this.pos;
      const key = this.string();
      // The key's source text in characters (code points), as libyaml's mark.index counts them.
      let chars = 0;
      for (const _ of this.text.slice(start, this.pos)) chars++;
      // A simple key must also stay on one line, and a raw NEL is a line break to libyaml.
      if (chars > MAX_SIMPLE_KEY_CHARS || this.text.slice(start, this.pos).includes(NEL)) throw new Refused('not a flow simple key');
      if (this.text[this.pos++] !== ':') throw new Refused('not JSON');
      entries.push([key, this.value()]);
      const c = this.text[this.pos++];
      if (c === '}') break;
      if (c !== ',') throw new Refused('not JSON');
    }
    // yaml.v2 decodes a JSON object into a Go map: a later duplicate key replaces the earlier one.
    const byKey = new Map<string, YNode>();
    for (const [k, v] of entries) byKey.set(k, v);
    return { kind: 'map', entries: [...byKey] };
  }

  private array(): YNode {
    this.pos++;
    const items: YNode[] = [];
    if (this.text[this.pos] === ']') {
      this.pos++;
      return { kind: 'seq', items };
    }
    for (;;) {
      items.push(this.value());
      const c = this.text[this.pos++];
      if (c === ']') break;
      if (c !== ',') throw new Refused('not JSON');
    }
    return { kind: 'seq', items };
  }

  private string(): string {
    if (this.text[this.pos] !== '"') throw new Refused('not JSON');
    const end = findStringEnd(this.text, this.pos);
    const source = this.text.slice(this.pos, end + 1);
    this.pos = end + 1;
    return source.includes('\u0085') ? scanDoubleQuoted(source.slice(1, -1)) : (JSON.parse(source) as string);
  }
}

/**
 * yaml_parser_scan_flow_scalar for a JSON string whose text holds a raw U+0085 (NEL), which
 * encoding/json leaves unescaped and YAML reads as a line break: spaces before it are dropped,
 * spaces after it skipped, a single break folds to one space and each further break stays a
 * line feed. `---` or `...` right after a break, followed by a blank, ends the document: an error.
 */
function scanDoubleQuoted(inner: string): string {
  let s = '';
  let i = 0;
  let lineStart = false;
  for (;;) {
    if (lineStart && (inner.startsWith('---', i) || inner.startsWith('...', i)) && (inner[i + 3] === ' ' || inner[i + 3] === NEL)) {
      throw new Refused('document indicator inside a quoted scalar');
    }
    lineStart = false;
    while (i < inner.length && inner[i] !== ' ' && inner[i] !== NEL) {
      if (inner[i] === '\\') {
        const len = inner[i + 1] === 'u' ? 6 : 2;
        s += JSON.parse(`"${inner.slice(i, i + len)}"`) as string;
        i += len;
      } else s += inner[i++];
    }
    if (i >= inner.length) return s;
    let whitespaces = '';
    let leadingBlanks = false;
    let trailingBreaks = '';
    while (inner[i] === ' ' || inner[i] === NEL) {
      if (inner[i] === ' ') {
        if (!leadingBlanks) whitespaces += ' ';
      } else if (!leadingBlanks) {
        whitespaces = '';
        leadingBlanks = true;
        lineStart = true;
      } else {
        trailingBreaks += '\n';
        lineStart = true;
      }
      if (inner[i] === ' ') lineStart = false;
      i++;
    }
    if (leadingBlanks) s += trailingBreaks === '' ? ' ' : trailingBreaks;
    else s += whitespaces;
  }
}

function findStringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '"') return i;
  }
  throw new Refused('not JSON');
}

/** yaml.v2 Marshal's value for a JSON scalar: a string, or the text of the resolved int/float/bool/null. */
type Scalar = { readonly str: string } | { readonly text: string };

/**
 * A JSON number, true, false or null read by yaml.v2's resolve (resolve.go) and written back by
 * encode.go: ints via strconv.ParseInt/ParseUint and FormatInt (so "-0" becomes "0"), the rest
 * float64 via FormatFloat(f, 'g', -1, 64) (so 1e20, past uint64, becomes "1e+20").
 */
function plainJsonScalar(text: string): Scalar {
  if (text === 'true' || text === 'false' || text === 'null') return { text };
  const big = /^-?[0-9]+$/.test(text) ? BigInt(text) : undefined;
  if (big !== undefined && big >= -(1n << 63n) && big < 1n << 64n) return { text: big.toString() };
  const f = Number(text);
  // strconv.ParseFloat fails with ErrRange beyond float64: yaml.v2 then keeps the text as a string.
  if (!Number.isFinite(f)) return { str: text };
  return { text: formatFloatG(f) };
}



// ---------------------------------------------------------------------------------------------
// resolve.go: would this string, written plain, read back as something other than a string?

const RESOLVE_MAP_NON_STR = new Set([
  'y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON',
  'n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF',
  '', '~', 'null', 'Null', 'NULL',
  '.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF',
  '<<',
]);

/** yaml.v2 resolve.go's float pattern (before strconv.ParseFloat): shared with the reader (go-yaml.ts). */
export const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** resolve.go's resolveTable: the first BYTE decides whether resolution is attempted at all. */
function resolveHint(s: string): string {
  if (s === '') return 'N';
  const c = s[0]!;
  if (c === '+' || c === '-') return 'S';
  if (c >= '0' && c <= '9') return 'D';
  if ('yYnNtTfFoO~'.includes(c)) return 'M';
  if (c === '.') return '.';
  return '';
}

/** yaml.v2 resolve("", s) returns a tag other than !!str. */
function resolvesToNonString(s: string): boolean {
  const hint = resolveHint(s);
  if (hint === '') return false;
  if (RESOLVE_MAP_NON_STR.has(s)) return true;
  if (hint === 'M') return false;
  if (hint === '.') return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(s) && Number.isFinite(Number(s));
  if (parseTimestamp(s)) return true;
  const plain = s.replace(/_/g, '');
  if (parseGoIntBase0(plain) !== undefined) return true;
  if (YAML_STYLE_FLOAT.test(plain) && Number.isFinite(Number(plain))) return true;
  if (plain.startsWith('0b')) return parseGoIntBase2(plain.slice(2), true);
  if (plain.startsWith('-0b')) return parseGoIntBase2(`-${plain.slice(3)}`, false);
  return false;
}

/** strconv.ParseInt(s, 0, 64) succeeds, or strconv.ParseUint(s, 0, 64) does: the value, or undefined. */
export function parseGoIntBase0(s: string): bigint | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (m === null) return undefined;
  const body = m[2]!;
  let v: bigint;
  if (/^0[xXoObB]/.test(body)) v = BigInt(`0${body[1]!.toLowerCase()}${body.slice(2)}`);
  else if (body.startsWith('0')) v = body.length === 1 ? 0n : BigInt(`0o${body.slice(1)}`);
  else v = BigInt(body);
  if (m[1] === '-') return -v >= -(1n << 63n) ? -v : undefined;
  if (m[1] === '+') return v < 1n << 63n ? v : undefined; // ParseUint takes no sign
  return v < 1n << 64n ? v : undefined;
}

/** strconv.ParseInt(s, 2, 64) (and, when unsigned is allowed, ParseUint(s, 2, 64)) succeeds. */
function parseGoIntBase2(s: string, allowUnsigned: boolean): boolean {
  const m = /^([+-]?)([01]+)$/.exec(s);
  if (m === null) return false;
  const v = BigInt(`0b${m[2]}`);
  if (m[1] === '-') return v <= 1n << 63n;
  if (v < 1n << 63n) return true;
  return allowUnsigned && m[1] === '' && v < 1n << 64n;
}

/** encode.go isBase60Float: YAML 1.1 sexagesimal floats are quoted for other parsers' sake. */
function isBase60Float(s: string): boolean {
  if (s === '') return false;
  const c = s[0]!;
  if (!(c === '+' || c === '-' || (c >= '0' && c <= '9')) || !s.includes(':')) return false;
  return /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/.test(s);
}

/**
 * resolve.go parseTimestamp: the value parses with Go's time.Parse under one of the layouts
 * "2006-1-2T15:4:5.999999999Z07:00", the same with a lower-case "t", "2006-1-2 15:4:5.999999999"
 * and "2006-1-2" (time/format.go's rules: one- or two-digit fields, any number of fraction digits,
 * a space in the layout matching a run of spaces, the day checked against the month).
 */
function parseTimestamp(s: string): boolean {
  let i = 0;
  while (i < s.length && s[i]! >= '0' && s[i]! <= '9') i++;
  if (i !== 4 || i === s.length || s[i] !== '-') return false;
  return parseLayout(s, 'T', true) || parseLayout(s, 't', true) || parseLayout(s, ' ', false) || parseLayout(s, null, false);
}

function isDigitAt(s: string, i: number): boolean {
  return i < s.length && s[i]! >= '0' && s[i]! <= '9';
}

/** time.getnum(s, false): one or two digits. */
function getnum(s: string): [number, string] | undefined {
  if (!isDigitAt(s, 0)) return undefined;
  if (!isDigitAt(s, 1)) return [Number(s[0]), s.slice(1)];
  return [Number(s.slice(0, 2)), s.slice(2)];
}

/** time.skip: the literal must match; a space matches any run of spaces (even none at the end). */
function skipLiteral(value: string, prefix: string): string | undefined {
  let v = value;
  let p = prefix;
  while (p.length > 0) {
    if (p[0] === ' ') {
      if (v.length > 0 && v[0] !== ' ') return undefined;
      p = p.replace(/^ +/, '');
      v = v.replace(/^ +/, '');
      continue;
    }
    if (v.length === 0 || v[0] !== p[0]) return undefined;
    p = p.slice(1);
    v = v.slice(1);
  }
  return v;
}

function daysIn(month: number, year: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function parseLayout(s: string, sep: 'T' | 't' | ' ' | null, zone: boolean): boolean {
  // 2006
  if (s.length < 4 || !isDigitAt(s, 0) || !/^[0-9]{4}$/.test(s.slice(0, 4))) return false;
  const year = Number(s.slice(0, 4));
  let v: string | undefined = s.slice(4);
  v = skipLiteral(v, '-');
  if (v === undefined) return false;
  const month = getnum(v);
  if (month === undefined || month[0] < 1 || month[0] > 12) return false;
  v = skipLiteral(month[1], '-');
  if (v === undefined) return false;
  const day = getnum(v);
  if (day === undefined) return false;
  v = day[1];
  if (sep !== null) {
    v = skipLiteral(v, sep);
    if (v === undefined) return false;
    const hour = getnum(v);
    if (hour === undefined || hour[0] >= 24) return false;
    v = skipLiteral(hour[1], ':');
    if (v === undefined) return false;
    const min = getnum(v);
    if (min === undefined || min[0] >= 60) return false;
    v = skipLiteral(min[1], ':');
    if (v === undefined) return false;
    const sec = getnum(v);
    if (sec === undefined || sec[0] >= 60) return false;
    v = sec[1];
    // .999999999: optional; a '.' or ',' followed by at least one digit takes every digit.
    if (v.length >= 2 && (v[0] === '.' || v[0] === ',') && isDigitAt(v, 1)) {
      let j = 1;
      while (isDigitAt(v, j)) j++;
      v = v.slice(j);
    }
    if (zone) {
      if (v.startsWith('Z')) v = v.slice(1);
      else {
        if (v.length < 6 || v[3] !== ':') return false;
        const hh = v.slice(1, 3);
        const mm = v.slice(4, 6);
        if (!/^[0-9]{2}$/.test(hh) || !/^[0-9]{2}$/.test(mm)) return false;
        if (Number(hh) > 24 || Number(mm) > 60) return false;
        if (v[0] !== '+' && v[0] !== '-') return false;
        v = v.slice(6);
      }
    }
  }
  if (v.length !== 0) return false;
  return day[0] >= 1 && day[0] <= daysIn(month[0], year);
}

// ---------------------------------------------------------------------------------------------
// sorter.go: keyList.Less for string keys.

const IS_LETTER = /^\p{L}$/u;
const IS_DIGIT = /^\p{Nd}$/u;

function isLetter(cp: number): boolean {
  if (cp < 0x80) return (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
  return goUnicodeTest(IS_LETTER, String.fromCodePoint(cp));
}

function isDigit(cp: number): boolean {
  if (cp < 0x80) return cp >= 0x30 && cp <= 0x39;
  return goUnicodeTest(IS_DIGIT, String.fromCodePoint(cp));
}

/**
 * yaml.v2's key order for strings: rune by rune; non-letters before letters; where a digit run
 * starts, runs compare as numbers (int64, wrapping as Go's does), then by length. A quirk kept:
 * when either rune is '0' and a non-zero digit precedes it, both numbers start from 1.
 */
export function yamlKeyLess(a: string, b: string): boolean {
  return runesLess(runes(a), runes(b));
}

function runes(s: string): number[] {
  return Array.from(s, (c) => c.codePointAt(0)!);
}

function runesLess(ar: readonly number[], br: readonly number[]): boolean {
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) continue;
    const al = isLetter(ar[i]!);
    const bl = isLetter(br[i]!);
    if (al && bl) return ar[i]! < br[i]!;
    if (al || bl) return bl;
    let an = 0n;
    let bn = 0n;
    if (ar[i] === 0x30 || br[i] === 0x30) {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]!); j--) {
        if (ar[j] !== 0x30) {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && isDigit(ar[ai]!); ai++) an = BigInt.asIntN(64, an * 10n + BigInt(ar[ai]! - 0x30));
    let bi = i;
    for (; bi < br.length && isDigit(br[bi]!); bi++) bn = BigInt.asIntN(64, bn * 10n + BigInt(br[bi]! - 0x30));
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ar[i]! < br[i]!;
  }
  return ar.length < br.length;
}

function sortKeys(keys: string[]): string[] {
  // sort.Sort is not stable, but the keys of a Go map are distinct, so any correct sort agrees
  // (where Less is a consistent order; see docs/templates.md for the key sets where it is not).
  const decoded = keys.map((k) => ({ k, r: runes(k) }));
  decoded.sort((x, y) => (runesLess(x.r, y.r) ? -1 : runesLess(y.r, x.r) ? 1 : 0));
  return decoded.map((d) => d.k);
}

// ---------------------------------------------------------------------------------------------
// encode.go + emitterc.go.

type Style = 'plain' | 'single' | 'double' | 'literal';

/** encode.go stringv's style request for a string (before the emitter's own checks). */
function requestedStyle(s: string): Style {
  const canUsePlain = !resolvesToNonString(s) && !isBase60Float(s);
  if (s.includes('\n')) return 'literal';
  return canUsePlain ? 'plain' : 'double';
}

/** Scalar analysis (yaml_emitter_analyze_scalar) over code points. */
interface Analysis {
  readonly cps: readonly number[];
  readonly multiline: boolean;
  readonly blockPlainAllowed: boolean;
  readonly singleQuotedAllowed: boolean;
  readonly blockAllowed: boolean;
  /** UTF-8 length, which check_simple_key compares with 128. */
  readonly bytes: number;
}

/** is_printable: #x0A, #x20-#x7E, #xA0-#xD7FF, #xE000-#xFFFD except the BOM; nothing beyond the BMP. */
function isPrintable(cp: number): boolean {
  return cp === 0x0a || (cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff);
}

function isBreak(cp: number | undefined): boolean {
  return cp === 0x0d || cp === 0x0a || cp === 0x85 || cp === 0x2028 || cp === 0x2029;
}

function isBlank(cp: number | undefined): boolean {
  return cp === 0x20 || cp === 0x09;
}

function isBlankZ(cp: number | undefined): boolean {
  return isBlank(cp) || isBreak(cp) || cp === 0 || cp === undefined;
}

function utf8Length(cps: readonly number[]): number {
  let n = 0;
  for (const cp of cps) n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  return n;
}

/** Characters that may not start a plain scalar in block context, whatever follows them. */
const LEADING_INDICATORS = new Set(Array.from('#,[]{}&*!|>\'"%@`', (c) => c.codePointAt(0)!));

function analyzeScalar(value: string): Analysis {
  const cps = Array.from(value, (c) => c.codePointAt(0)!);
  const bytes = utf8Length(cps);
  if (cps.length === 0) return { cps, bytes, multiline: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false };
  let blockIndicators = value.startsWith('---') || value.startsWith('...');
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let precededByWhitespace = true;
  let previousSpace = false;
  let previousBreak = false;
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i]!;
    const followedByWhitespace = i + 1 >= cps.length || isBlank(cps[i + 1]);
    if (i === 0) {
      if (LEADING_INDICATORS.has(c)) blockIndicators = true;
      else if ((c === 0x3f || c === 0x3a || c === 0x2d) && followedByWhitespace) blockIndicators = true; // ? : -
    } else if (c === 0x3a && followedByWhitespace) blockIndicators = true;
    else if (c === 0x23 && precededByWhitespace) blockIndicators = true; // #
    if (!isPrintable(c)) special = true;
    if (c === 0x20) {
      if (i === 0) leadingSpace = true;
      if (i === cps.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === cps.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlankZ(c);
  }
  let blockPlainAllowed = true;
  let singleQuotedAllowed = true;
  let blockAllowed = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlainAllowed = false;
  if (trailingSpace) blockAllowed = false;
  if (breakSpace) {
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
  }
  if (spaceBreak || special) {
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
    blockAllowed = false;
  }
  if (lineBreaks) blockPlainAllowed = false;
  if (blockIndicators) blockPlainAllowed = false;
  return { cps, bytes, multiline: lineBreaks, blockPlainAllowed, singleQuotedAllowed, blockAllowed };
}

const BEST_INDENT = 2;
const BEST_WIDTH = 80;

/**
 * The emitter's state (yaml_emitter_t) for the block styles yaml.v2 Marshal uses; flow style only
 * appears for empty collections, written `{}` / `[]`.
 */
class Emitter {
  private out = '';
  private column = 0;
  private indent = -1;
  private readonly indents: number[] = [];
  private whitespace = true;
  private indention = true;
  private mappingContext = false;
  private simpleKeyContext = false;

  result(root: YNode): string {
    this.node(root, false, false);
    // Document end: yaml_emitter_write_indent.
    this.writeIndent();
    return this.out;
  }

  private put(s: string): void {
    this.out += s;
    this.column++;
  }

  private putBreak(): void {
    this.out += '\n';
    this.column = 0;
  }

  private increaseIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent);
    if (this.indent < 0) this.indent = flow ? BEST_INDENT : 0;
    else if (!indentless) this.indent += BEST_INDENT;
  }

  private popIndent(): void {
    this.indent = this.indents.pop()!;
  }

  private writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.putBreak();
    while (this.column < indent) this.put(' ');
    this.whitespace = true;
    this.indention = true;
  }

  private writeIndicator(indicator: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.whitespace) this.put(' ');
    for (const c of indicator) this.put(c);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  /** yaml_emitter_emit_node with its root/sequence/mapping/simple-key context. */
  private node(n: YNode, mapping: boolean, simpleKey: boolean): void {
    this.mappingContext = mapping;
    this.simpleKeyContext = simpleKey;
    if (n.kind === 'scalar') this.scalar(n.value, n.style);
    else if (n.kind === 'seq') this.sequence(n.items);
    else this.mapping(n.entries);
  }

  private sequence(items: readonly YNode[]): void {
    if (items.length === 0) {
      this.writeIndicator('[', true, true, false);
      this.writeIndicator(']', false, false, false);
      return;
    }
    this.increaseIndent(false, this.mappingContext && !this.indention);
    for (const item of items) {
      this.writeIndent();
      this.writeIndicator('-', true, false, true);
      this.node(item, false, false);
    }
    this.popIndent();
  }

  private mapping(entries: ReadonlyArray<readonly [string, YNode]>): void {
    if (entries.length === 0) {
      this.writeIndicator('{', true, true, false);
      this.writeIndicator('}', false, false, false);
      return;
    }
    const byKey = new Map(entries);
    this.increaseIndent(false, false);
    for (const key of sortKeys([...byKey.keys()])) {
      this.writeIndent();
      const keyStyle = requestedStyle(key);
      const a = analyzeScalar(key);
      if (!a.multiline && a.bytes <= 128) {
        // yaml_emitter_check_simple_key
        this.node({ kind: 'scalar', value: key, style: keyStyle }, true, true);
        this.writeIndicator(':', false, false, false);
      } else {
        this.writeIndicator('?', true, false, true);
        this.node({ kind: 'scalar', value: key, style: keyStyle }, true, false);
        this.writeIndent();
        this.writeIndicator(':', true, false, true);
      }
      this.node(byKey.get(key)!, true, false);
    }
    this.popIndent();
  }

  /** yaml_emitter_emit_scalar: select_scalar_style, then write in that style one indent deeper. */
  private scalar(value: string, requested: Style): void {
    const a = analyzeScalar(value);
    let style = requested;
    if (this.simpleKeyContext && a.multiline) style = 'double';
    if (style === 'plain') {
      if (!a.blockPlainAllowed) style = 'single';
      if (a.cps.length === 0 && this.simpleKeyContext) style = 'single';
    }
    if (style === 'single' && !a.singleQuotedAllowed) style = 'double';
    if (style === 'literal' && (!a.blockAllowed || this.simpleKeyContext)) style = 'double';
    this.increaseIndent(true, false);
    const allowBreaks = !this.simpleKeyContext;
    if (style === 'plain') this.writePlain(a.cps, allowBreaks);
    else if (style === 'single') this.writeSingleQuoted(a.cps, allowBreaks);
    else if (style === 'double') this.writeDoubleQuoted(a.cps, allowBreaks);
    else this.writeLiteral(a.cps);
    this.popIndent();
  }

  /** write/write_break for one code point (the column counts characters). */
  private writeChar(cp: number): void {
    this.put(String.fromCodePoint(cp));
  }

  private writeBreakChar(cp: number): void {
    if (cp === 0x0a) this.putBreak();
    else {
      this.out += String.fromCodePoint(cp);
      this.column = 0;
    }
  }

  private writePlain(v: readonly number[], allowBreaks: boolean): void {
    if (!this.whitespace) this.put(' ');
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < v.length; i++) {
      const c = v[i]!;
      if (c === 0x20) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && v[i + 1] !== 0x20) this.writeIndent();
        else this.writeChar(c);
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === 0x0a) this.putBreak();
        this.writeBreakChar(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.writeChar(c);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.whitespace = false;
    this.indention = false;
  }

  private writeSingleQuoted(v: readonly number[], allowBreaks: boolean): void {
    this.writeIndicator("'", true, false, false);
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < v.length; i++) {
      const c = v[i]!;
      if (c === 0x20) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < v.length - 1 && v[i + 1] !== 0x20) this.writeIndent();
        else this.writeChar(c);
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === 0x0a) this.putBreak();
        this.writeBreakChar(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        if (c === 0x27) this.put("'");
        this.writeChar(c);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.writeIndicator("'", false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private writeDoubleQuoted(v: readonly number[], allowBreaks: boolean): void {
    this.writeIndicator('"', true, false, false);
    // is_bom(value, i) looks at the start of the value, not at i: after a leading BOM every
    // character is written as an escape.
    const bom = v[0] === 0xfeff;
    let spaces = false;
    for (let i = 0; i < v.length; i++) {
      const c = v[i]!;
      if (!isPrintable(c) || bom || isBreak(c) || c === 0x22 || c === 0x5c) {
        this.put('\\');
        const short = DOUBLE_QUOTED_ESCAPES.get(c);
        if (short !== undefined) this.put(short);
        else {
          const [letter, width] = c <= 0xff ? ['x', 2] : c <= 0xffff ? ['u', 4] : ['U', 8];
          this.put(letter);
          for (const d of c.toString(16).toUpperCase().padStart(width, '0')) this.put(d);
        }
        spaces = false;
      } else if (c === 0x20) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < v.length - 1) {
          this.writeIndent();
          if (v[i + 1] === 0x20) this.put('\\');
        } else this.writeChar(c);
        spaces = true;
      } else {
        this.writeChar(c);
        spaces = false;
      }
    }
    this.writeIndicator('"', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private writeLiteral(v: readonly number[]): void {
    this.writeIndicator('|', true, false, false);
    // yaml_emitter_write_block_scalar_hints
    if (v[0] === 0x20 || isBreak(v[0])) this.writeIndicator(String(BEST_INDENT), false, false, false);
    const n = v.length;
    let chomp = '';
    if (n === 0 || !isBreak(v[n - 1])) chomp = '-';
    else if (n === 1 || isBreak(v[n - 2])) chomp = '+';
    if (chomp !== '') this.writeIndicator(chomp, false, false, false);
    this.putBreak();
    this.indention = true;
    this.whitespace = true;
    let breaks = true;
    for (const c of v) {
      if (isBreak(c)) {
        this.writeBreakChar(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.writeChar(c);
        this.indention = false;
        breaks = false;
      }
    }
  }
}

const DOUBLE_QUOTED_ESCAPES: ReadonlyMap<number, string> = new Map([
  [0x00, '0'], [0x07, 'a'], [0x08, 'b'], [0x09, 't'], [0x0a, 'n'], [0x0b, 'v'], [0x0c, 'f'], [0x0d, 'r'],
  [0x1b, 'e'], [0x22, '"'], [0x5c, '\\'], [0x85, 'N'], [0xa0, '_'], [0x2028, 'L'], [0x2029, 'P'],
]);

/** A parsed JSON node with every scalar given the style encode.go asks for. */
function toYamlNode(n: YNode): YNode {
  if (n.kind === 'seq') return { kind: 'seq', items: n.items.map(toYamlNode) };
  if (n.kind === 'map') return { kind: 'map', entries: n.entries.map(([k, v]) => [k, toYamlNode(v)] as const) };
  if (n.style === 'double') return { kind: 'scalar', value: n.value, style: requestedStyle(n.value) };
  const s = plainJsonScalar(n.value);
  return 'str' in s ? { kind: 'scalar', value: s.str, style: requestedStyle(s.str) } : { kind: 'scalar', value: s.text, style: 'plain' };
}

/**
 * sigs.k8s.io/yaml JSONToYAML for the JSON text encoding/json's Marshal writes (compact, keys
 * sorted, Go's escapes): the YAML document yaml.v2 writes, ending in a newline; undefined where
 * Go returns an error (see the module comment).
 */
export function jsonToGoYaml(json: string): string | undefined {
  for (const ch of json) if (!readerAllows(ch.codePointAt(0)!)) return undefined;
  let root: YNode;
  try {
    root = new JsonReader(json).document();
  } catch (e) {
    if (e instanceof Refused) return undefined;
    throw e;
  }
  return new Emitter().result(toYamlNode(root));
}
