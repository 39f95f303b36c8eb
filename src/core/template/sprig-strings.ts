/** sprig v3 string functions (`strings.go`, plus the xstrings case converters). */
import { fn, type TemplateFunc } from './func-table.ts';
import { formatV, quoteGo } from './go-fmt.ts';
import { FuncError } from './template-error.ts';
import { byteLength, isNil, markStringMap, sliceBytes } from './values.ts';

/** Go's unicode.IsSpace set (JavaScript's \s differs: it has U+FEFF and lacks U+0085). */
const GO_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000';
const LEADING_SPACE = new RegExp(`^[${GO_SPACE}]+`, 'u');
const TRAILING_SPACE = new RegExp(`[${GO_SPACE}]+$`, 'u');
const ANY_SPACE = new RegExp(`[${GO_SPACE}]`, 'gu');

export function isGoSpace(ch: string): boolean {
  return new RegExp(`^[${GO_SPACE}]$`, 'u').test(ch);
}

/** sprig's strval: strings as they are, everything else as fmt's %v. */
export function strval(v: unknown): string {
  return typeof v === 'string' ? v : formatV(v);
}

/** sprig's strslice: a list of strings from a list (nils dropped) or a single value. */
export function strslice(v: unknown): string[] {
  if (isNil(v)) return [];
  if (Array.isArray(v)) return v.filter((x) => !isNil(x)).map(strval);
  return [strval(v)];
}

export function goTrimSpace(s: string): string {
  return s.replace(LEADING_SPACE, '').replace(TRAILING_SPACE, '');
}

/** Go's strings.Trim: removes leading and trailing runes contained in `cutset`. */
function trimCutset(s: string, cutset: string): string {
  const cut = new Set(cutset);
  const runes = [...s];
  let start = 0;
  let end = runes.length;
  while (start < end && cut.has(runes[start]!)) start++;
  while (end > start && cut.has(runes[end - 1]!)) end--;
  return runes.slice(start, end).join('');
}

/** Go's strings.Split, including its rune-by-rune split on an empty separator. */
export function goSplit(s: string, sep: string): string[] {
  if (sep === '') return [...s];
  return s.split(sep);
}

function isTitleSeparator(ch: string): boolean {
  if (ch.charCodeAt(0) <= 0x7f) return !/[0-9a-zA-Z_]/.test(ch);
  if (/[\p{L}\p{Nd}]/u.test(ch)) return false;
  return isGoSpace(ch);
}

/** Go's (deprecated) strings.Title, which sprig's `title` calls. */
function title(s: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of s) {
    out += isTitleSeparator(prev) ? ch.toUpperCase() : ch;
    prev = ch;
  }
  return out;
}

function untitle(s: string): string {
  let lastIsSpace = true;
  let out = '';
  for (const ch of s) {
    out += lastIsSpace ? ch.toLowerCase() : ch;
    lastIsSpace = isGoSpace(ch);
  }
  return out;
}

function substr(start: bigint, end: bigint, s: string): string {
  const len = byteLength(s);
  const from = Number(start);
  const to = Number(end);
  if (from < 0) return checkedSlice(s, 0, to, len);
  if (to < 0 || to > len) return checkedSlice(s, from, len, len);
  return checkedSlice(s, from, to, len);
}

/** Go's s[a:b]; out-of-range bounds panic in Go, and so here. */
function checkedSlice(s: string, from: number, to: number, len: number): string {
  if (from < 0 || to > len || from > to) throw new FuncError(`runtime error: slice bounds out of range [${from}:${to}] with length ${len}`);
  return sliceBytes(s, from, to);
}

function trunc(c: bigint, s: string): string {
  const len = byteLength(s);
  const n = Number(c);
  if (n < 0 && len + n > 0) return sliceBytes(s, len + n);
  if (n >= 0 && len > n) return sliceBytes(s, 0, n);
  return s;
}

function abbrev(width: bigint, s: string): string {
  const w = Number(width);
  if (w < 4) return s;
  if (byteLength(s) <= w) return s;
  return `${sliceBytes(s, 0, w - 3)}...`;
}

function repeat(count: bigint, s: string, checkSize: (bytes: number) => void): string {
  if (count < 0n) throw new FuncError('strings: negative Repeat count');
  checkSize(Number(count) * byteLength(s));
  return s.repeat(Number(count));
}

function indent(spaces: bigint, v: string, checkSize: (bytes: number) => void): string {
  if (spaces < 0n) throw new FuncError('strings: negative Repeat count');
  const pad = ' '.repeat(Math.min(Number(spaces), 1 << 24));
  checkSize(byteLength(v) + pad.length * (1 + v.split('\n').length));
  return pad + v.replaceAll('\n', `\n${pad}`);
}

function splitToMap(sep: string, orig: string, limit?: number): Record<string, string> {
  let parts = goSplit(orig, sep);
  if (limit !== undefined) {
    if (limit === 0) parts = [];
    else if (limit > 0 && parts.length > limit) parts = [...parts.slice(0, limit - 1), parts.slice(limit - 1).join(sep)];
  }
  const out: Record<string, string> = {};
  parts.forEach((p, i) => {
    out[`_${i}`] = p;
  });
  return markStringMap(out);
}

/** Go's strings.Replace(s, old, new, -1); an empty `old` matches before every rune and at the end. */
function replaceAll(s: string, old: string, replacement: string): string {
  if (old !== '') return s.replaceAll(old, replacement);
  return replacement + [...s].map((ch) => ch + replacement).join('');
}

function initials(s: string): string {
  return s
    .split(new RegExp(`[${GO_SPACE}]+`, 'u'))
    .filter((w) => w.length > 0)
    .map((w) => [...w][0])
    .join('');
}

/** Words for the case converters: split on separators, lower→upper and acronym→Word boundaries. */
function caseWords(s: string): string[] {
  return s
    .split(/[^\p{L}\p{N}]+/u)
    .flatMap((part) => part.split(/(?<=[\p{Ll}\p{N}])(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})/u))
    .filter((w) => w.length > 0);
}

function snakeOrKebab(s: string, connector: string): string {
  return caseWords(s)
    .map((w) => w.toLowerCase())
    .join(connector);
}

function isConnector(ch: string): boolean {
  return ch === '-' || ch === '_' || isGoSpace(ch);
}

function isUpper(ch: string): boolean {
  return /^\p{Lu}$/u.test(ch);
}

/**
 * xstrings.ToPascalCase (what sprig's `camelcase` produces): connectors are dropped and the
 * following letter upper-cased, as is the first letter; leading and doubled connectors stay.
 */
function camelcase(s: string): string {
  const runes = [...s];
  if (runes.length === 0) return '';
  let out = '';
  let i = 0;
  let r0 = '';
  let firstUpper = false;
  let found = false;
  while (i < runes.length) {
    r0 = runes[i++]!;
    if (!isConnector(r0)) {
      firstUpper = isUpper(r0);
      r0 = r0.toUpperCase();
      found = true;
      break;
    }
    out += r0;
  }
  if (i >= runes.length) return found ? out + r0 : out;
  while (i < runes.length) {
    const r1 = r0;
    r0 = runes[i++]!;
    if (isConnector(r0) && isConnector(r1)) {
      out += r1;
      continue;
    }
    if (isConnector(r1)) {
      firstUpper = isUpper(r0);
      r0 = r0.toUpperCase();
    } else {
      if (firstUpper) {
        if (isUpper(r0)) r0 = r0.toLowerCase();
        else firstUpper = false;
      }
      out += r1;
    }
  }
  return out + r0;
}

export const SPRIG_STRINGS: ReadonlyMap<string, TemplateFunc> = new Map<string, TemplateFunc>([
  ['trim', fn(['string'], ([s]) => goTrimSpace(s as string))],
  ['trimAll', fn(['string', 'string'], ([a, b]) => trimCutset(b as string, a as string))],
  ['trimPrefix', fn(['string', 'string'], ([a, b]) => ((b as string).startsWith(a as string) ? (b as string).slice((a as string).length) : b))],
  ['trimSuffix', fn(['string', 'string'], ([a, b]) => ((b as string).endsWith(a as string) && (a as string).length > 0 ? (b as string).slice(0, -(a as string).length) : b))],
  ['upper', fn(['string'], ([s]) => (s as string).toUpperCase())],
  ['lower', fn(['string'], ([s]) => (s as string).toLowerCase())],
  ['title', fn(['string'], ([s]) => title(s as string))],
  ['untitle', fn(['string'], ([s]) => untitle(s as string))],
  ['repeat', fn(['int', 'string'], ([n, s], ctx) => repeat(n as bigint, s as string, (b) => ctx.checkSize(b)))],
  ['substr', fn(['int', 'int', 'string'], ([a, b, s]) => substr(a as bigint, b as bigint, s as string))],
  ['trunc', fn(['int', 'string'], ([c, s]) => trunc(c as bigint, s as string))],
  ['abbrev', fn(['int', 'string'], ([w, s]) => abbrev(w as bigint, s as string))],
  ['nospace', fn(['string'], ([s]) => (s as string).replace(ANY_SPACE, ''))],
  ['initials', fn(['string'], ([s]) => initials(s as string))],
  ['contains', fn(['string', 'string'], ([sub, s]) => (s as string).includes(sub as string))],
  ['hasPrefix', fn(['string', 'string'], ([p, s]) => (s as string).startsWith(p as string))],
  ['hasSuffix', fn(['string', 'string'], ([p, s]) => (s as string).endsWith(p as string))],
  ['quote', fn([], (args) => args.filter((a) => !isNil(a)).map((a) => quoteGo(strval(a))).join(' '), 'any')],
  ['squote', fn([], (args) => args.filter((a) => !isNil(a)).map((a) => `'${strval(a)}'`).join(' '), 'any')],
  ['cat', fn([], (args) => args.filter((a) => !isNil(a)).map(strval).join(' '), 'any')],
  ['indent', fn(['int', 'string'], ([n, s], ctx) => indent(n as bigint, s as string, (b) => ctx.checkSize(b)))],
  ['nindent', fn(['int', 'string'], ([n, s], ctx) => `\n${indent(n as bigint, s as string, (b) => ctx.checkSize(b))}`)],
  ['replace', fn(['string', 'string', 'string'], ([o, n, s]) => replaceAll(s as string, o as string, n as string))],
  ['plural', fn(['string', 'string', 'int'], ([one, many, count]) => (count === 1n ? one : many))],
  ['snakecase', fn(['string'], ([s]) => snakeOrKebab(s as string, '_'))],
  ['kebabcase', fn(['string'], ([s]) => snakeOrKebab(s as string, '-'))],
  ['camelcase', fn(['string'], ([s]) => camelcase(s as string))],
  ['splitList', fn(['string', 'string'], ([sep, s]) => goSplit(s as string, sep as string))],
  ['split', fn(['string', 'string'], ([sep, s]) => splitToMap(sep as string, s as string))],
  ['splitn', fn(['string', 'int', 'string'], ([sep, n, s]) => splitToMap(sep as string, s as string, Number(n)))],
  ['join', fn(['string', 'any'], ([sep, v]) => strslice(v).join(sep as string))],
  ['sortAlpha', fn(['any'], ([v]) => (Array.isArray(v) ? strslice(v) : [strval(v)]).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)))],
  ['toString', fn(['any'], ([v]) => strval(v))],
  ['toStrings', fn(['any'], ([v]) => strslice(v))],
]);
