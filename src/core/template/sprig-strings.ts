/**
 * sprig v3 string functions (ESO's runtime/template/v2/sprig: strings.go and functions.go), with
 * the libraries they call ported exactly: Go's strings and unicode (simple case mapping, see
 * go-unicode.ts), huandu/xstrings v1.5.0 (snakecase, kebabcase, camelcase) and
 * Masterminds/goutils v1.1.1 (nospace, initials, swapcase, wrap, wrapWith, abbrev, abbrevboth,
 * untitle), including where those work on bytes rather than runes.
 */
import { canonicalGoString, fromByteString, goRuneString, goStringFromBytes, isTextString, toByteString } from '../go-string.ts';
import { fn, type TemplateFunc } from './func-table.ts';
import { formatV, quoteGo } from './go-fmt.ts';
import { goToLower, goToLowerRune, goToTitleRune, goToUpper, goToUpperRune, isGoLetter, isGoLower, isGoNumber, isGoPunct, isGoTitle, isGoUpper } from './go-unicode.ts';
import { FuncError } from './template-error.ts';
import { byteLength, compareGoStrings, goBytes, isNil, markStringMap, sliceBytes, sliceElemType, typedSlice } from './values.ts';
import { goUnicodeTest } from '../go-unicode-assigned.ts';

/** Go's unicode.IsSpace set (JavaScript's \s differs: it has U+FEFF and lacks U+0085). */
const GO_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000';
const LEADING_SPACE = new RegExp(`^[${GO_SPACE}]+`, 'u');
const TRAILING_SPACE = new RegExp(`[${GO_SPACE}]+$`, 'u');

const ONE_SPACE = new RegExp(`^[${GO_SPACE}]$`, 'u');

/** Go's unicode.IsSpace for one character. */
export function isGoSpace(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c < 0x80) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  return ONE_SPACE.test(ch);
}

/** sprig's strval: strings as they are, everything else as fmt's %v. */
export function strval(v: unknown): string {
  return typeof v === 'string' ? v : formatV(v);
}

/** sprig's strslice: a []string from a list (nils dropped; a []string as it is) or a single value. */
export function strslice(v: unknown): string[] {
  if (isNil(v)) return typedSlice('string', []);
  if (Array.isArray(v)) return sliceElemType(v) === 'string' ? (v as string[]) : typedSlice('string', v.filter((x) => !isNil(x)).map(strval));
  return typedSlice('string', [strval(v)]);
}

export function goTrimSpace(s: string): string {
  return s.replace(LEADING_SPACE, '').replace(TRAILING_SPACE, '');
}

/** Go's strings.Trim: removes leading and trailing runes contained in `cutset`. */
function trimCutset(s: string, cutset: string): string {
  // Go compares runes: a byte that is not UTF-8 is U+FFFD on both sides (strings.ContainsRune),
  // and the bytes kept are the original ones.
  const cut = new Set(goRuneString(cutset));
  const runes = [...s];
  const seen = [...goRuneString(s)];
  let start = 0;
  let end = runes.length;
  while (start < end && cut.has(seen[start]!)) start++;
  while (end > start && cut.has(seen[end - 1]!)) end--;
  return runes.slice(start, end).join('');
}

/**
 * Runs a strings-package operation that Go does on bytes. A match of a text needle in the escaped
 * form (core/go-string.ts) is a match in the bytes and the reverse, since valid UTF-8 starts at a
 * character boundary; a needle that is not text may match part of a character ("\xe2" in "€"), so
 * then the operation runs on the bytes themselves.
 */
function onBytes<T>(needle: string, s: string, op: (needle: string, s: string) => T, back: (r: T) => T): T {
  if (isTextString(needle)) return op(needle, s);
  return back(op(toByteString(needle), toByteString(s)));
}

const same = <T>(r: T): T => r;

/** Go's strings.Split ([]string), including its rune-by-rune split on an empty separator. */
export function goSplit(s: string, sep: string): string[] {
  if (sep === '') return typedSlice('string', [...s]);
  return typedSlice('string', onBytes(sep, s, (n, h) => h.split(n), (parts) => parts.map(fromByteString)));
}

const LETTER_OR_DIGIT = /^[\p{L}\p{Nd}]$/u;

function isTitleSeparator(ch: string): boolean {
  if (ch.charCodeAt(0) <= 0x7f) return !/[0-9a-zA-Z_]/.test(ch);
  if (goUnicodeTest(LETTER_OR_DIGIT, ch)) return false;
  return isGoSpace(ch);
}

function mapRune(ch: string, f: (r: number) => number): string {
  const cp = ch.codePointAt(0)!;
  return cp >= 0xd800 && cp <= 0xdfff ? ch : String.fromCodePoint(f(cp));
}

/**
 * Go's (deprecated) strings.Title, which sprig's `title` calls: unicode.ToTitle after a separator.
 * It goes through strings.Map, which writes each byte that is not UTF-8 as U+FFFD.
 */
function title(s: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of goRuneString(s)) {
    out += isTitleSeparator(prev) ? mapRune(ch, goToTitleRune) : ch;
    prev = ch;
  }
  return out;
}

/** goutils.Uncapitalize: unicode.ToLower on the first rune of each white-space separated word ([]rune(s): bytes that are not UTF-8 become U+FFFD). */
function untitle(s: string): string {
  let lastIsSpace = true;
  let out = '';
  for (const ch of goRuneString(s)) {
    if (isGoSpace(ch)) {
      out += ch;
      lastIsSpace = true;
    } else {
      out += lastIsSpace ? mapRune(ch, goToLowerRune) : ch;
      lastIsSpace = false;
    }
  }
  return out;
}

/** goutils.SwapCase: upper/title → lower; lower → title after white space (or at the start), else upper. */
function swapcase(s: string): string {
  let whitespace = true;
  let out = '';
  // []rune(s): bytes that are not UTF-8 become U+FFFD.
  for (const ch of goRuneString(s)) {
    if (isGoUpper(ch) || isGoTitle(ch)) {
      out += mapRune(ch, goToLowerRune);
      whitespace = false;
    } else if (isGoLower(ch)) {
      out += mapRune(ch, whitespace ? goToTitleRune : goToUpperRune);
      whitespace = false;
    } else {
      out += ch;
      whitespace = isGoSpace(ch);
    }
  }
  return out;
}

/** unicode.IsSpace of a byte read as a rune (goutils reads some strings byte by byte). */
function isSpaceByte(b: number): boolean {
  return b === 0x20 || (b >= 0x09 && b <= 0x0d) || b === 0x85 || b === 0xa0;
}

/** A byte written with WriteRune(rune(b)): bytes ≥ 0x80 become the Latin-1 character U+0080..U+00FF. */
function byteAsRune(b: number): string {
  return String.fromCharCode(b);
}

/**
 * goutils.DeleteWhiteSpace (sprig's nospace), which reads the string byte by byte: a string with
 * no white-space byte is returned as it is; otherwise every other byte is written as the rune of
 * its value, so multi-byte characters turn into Latin-1 characters (and their 0x85/0xA0 bytes vanish).
 */
function nospace(s: string): string {
  const bytes = goBytes(s);
  if (!bytes.some(isSpaceByte)) return s;
  let out = '';
  for (const b of bytes) if (!isSpaceByte(b)) out += byteAsRune(b);
  return out;
}

/** goutils.Initials (sprig's initials), byte by byte like DeleteWhiteSpace: the first byte of each word as a rune. */
function initials(s: string): string {
  let out = '';
  let lastWasGap = true;
  for (const b of goBytes(s)) {
    if (isSpaceByte(b)) lastWasGap = true;
    else if (lastWasGap) {
      out += byteAsRune(b);
      lastWasGap = false;
    }
  }
  return out;
}

/** goutils.WrapCustom (sprig's wrap and wrapWith): wraps at spaces, counting bytes. */
function wrapCustom(s: string, wrapLength: number, newLineStr: string, wrapLongWords: boolean, checkSize: (bytes: number) => void): string {
  if (s === '') return '';
  const nl = goBytes(newLineStr === '' ? '\n' : newLineStr);
  const width = Math.max(wrapLength, 1);
  const str = goBytes(s);
  checkSize(str.length + Math.ceil(str.length / width) * nl.length);
  const len = str.length;
  const out: Uint8Array[] = [];
  let offset = 0;
  while (len - offset > width) {
    if (str[offset] === 0x20) {
      offset++;
      continue;
    }
    const window = str.subarray(offset, Math.min(width + offset + 1, len));
    const space = window.lastIndexOf(0x20);
    if (space >= 0) {
      out.push(str.subarray(offset, offset + space), nl);
      offset = offset + space + 1;
    } else if (wrapLongWords) {
      out.push(str.subarray(offset, offset + width), nl);
      offset += width;
    } else {
      const next = str.indexOf(0x20, width + offset);
      if (next < 0) {
        out.push(str.subarray(offset));
        offset = len;
      } else {
        out.push(str.subarray(offset, next), nl);
        offset = next + 1;
      }
    }
  }
  out.push(str.subarray(offset));
  return goStringFromBytes(Buffer.concat(out));
}

/** goutils.AbbreviateFull (lengths in bytes); sprig ignores its errors, so they give "". */
function abbreviateFull(s: string, offsetIn: number, maxWidth: number): string {
  const len = byteLength(s);
  if (len === 0) return '';
  if (maxWidth < 4) return '';
  if (len <= maxWidth) return s;
  let offset = Math.min(offsetIn, len);
  if (len - offset < maxWidth - 3) offset = len - (maxWidth - 3);
  if (offset <= 4) return `${sliceBytes(s, 0, maxWidth - 3)}...`;
  if (maxWidth < 7) return '';
  if (offset + maxWidth - 3 < len) return `...${abbreviateFull(sliceBytes(s, offset), 0, maxWidth - 3)}`;
  return `...${sliceBytes(s, len - (maxWidth - 3))}`;
}

/** sprig's abbrevboth: its own guards, then goutils.AbbreviateFull. */
function abbrevboth(left: number, right: number, s: string): string {
  if (right < 4 || (left > 0 && right < 7)) return s;
  return abbreviateFull(s, left, right);
}


/** sprig's substring: s[:end], s[start:] or s[start:end] by bytes, chosen as sprig chooses. */
function substr(start: bigint, end: bigint, s: string): string {
  const len = byteLength(s);
  const from = Number(start);
  const to = Number(end);
  if (from < 0) return checkedSlice(s, undefined, to, len);
  if (to < 0 || to > len) return checkedSlice(s, from, undefined, len);
  return checkedSlice(s, from, to, len);
}

/** Go's s[a:b] with a or b omitted; out-of-range bounds panic with the Go runtime's message. */
function checkedSlice(s: string, from: number | undefined, to: number | undefined, len: number): string {
  const hi = to ?? len;
  const lo = from ?? 0;
  const fail = (bounds: string): never => {
    throw new FuncError(`runtime error: slice bounds out of range ${bounds}`);
  };
  if (to !== undefined && (to < 0 || to > len)) fail(`[:${to}]${to < 0 ? '' : ` with length ${len}`}`);
  if (from !== undefined && (from < 0 || from > hi)) fail(`[${from}:${hi}]`);
  return sliceBytes(s, lo, hi);
}

function trunc(c: bigint, s: string): string {
  const len = byteLength(s);
  const n = Number(c);
  if (n < 0 && len + n > 0) return sliceBytes(s, len + n);
  if (n >= 0 && len > n) return sliceBytes(s, 0, n);
  return s;
}

/** sprig's abbrev: goutils.Abbreviate (bytes) when the width is at least 4. */
function abbrev(width: bigint, s: string): string {
  const w = Number(width);
  if (w < 4) return s;
  return abbreviateFull(s, 0, w);
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
    else if (limit > 0 && parts.length > limit) parts = [...parts.slice(0, limit - 1), canonicalGoString(parts.slice(limit - 1).join(sep))];
  }
  const out: Record<string, string> = {};
  parts.forEach((p, i) => {
    out[`_${i}`] = p;
  });
  return markStringMap(out);
}

/**
 * Go's strings.Replace(s, old, new, -1); an empty `old` matches before every rune and at the end.
 * The result's size is checked before it is built: a long replacement can multiply the input.
 */
function replaceAll(s: string, old: string, replacement: string, checkSize: (bytes: number) => void): string {
  if (old !== '') {
    return onBytes(old, s, (o, h) => {
      const parts = h.split(o);
      const r = isTextString(old) ? replacement : toByteString(replacement);
      checkSize(h.length + (parts.length - 1) * (r.length - o.length));
      return parts.join(r);
    }, fromByteString);
  }
  const runes = [...s];
  checkSize(s.length + (runes.length + 1) * replacement.length);
  return replacement + runes.map((ch) => ch + replacement).join('');
}

const RUNE_ERROR = '\uFFFD';

function isConnector(ch: string): boolean {
  return ch === '-' || ch === '_' || isGoSpace(ch);
}

/** xstrings' isAlphabet: a letter that is not a CJK ideograph. */
function isAlphabet(ch: string): boolean {
  if (!isGoLetter(ch)) return false;
  const r = ch.codePointAt(0)!;
  if (r < 0x3400) return true;
  if (r >= 0x4e00 && r <= 0x9fcc) return false;
  if (r >= 0x3400 && r <= 0x4d85) return false;
  if (r >= 0x20000 && r <= 0x2b81d) return false;
  return true;
}

/** xstrings' word types. */
type Word = number;
const Word = { Invalid: 0, Number: 1, UpperCase: 2, Alphabet: 3, Connector: 4, Punct: 5, Other: 6 } as const;

/** xstrings' nextValidRune over runes: skips RuneError, returning the rune and how many runes it took. */
function nextValidRune(runes: readonly string[], at: number, prev: string): [string, number] {
  let size = 0;
  for (let i = at; i < runes.length; i++) {
    size++;
    // DecodeRuneInString gives RuneError both for U+FFFD and for a byte that is not UTF-8.
    if (goRuneString(runes[i]!) !== RUNE_ERROR) return [runes[i]!, size];
  }
  return [prev, size];
}

/** xstrings' nextWord: the type and text of the word at `pos`, and where the rest starts. */
function nextWord(runes: readonly string[], pos: number): [Word, string, number] {
  if (pos >= runes.length) return [Word.Invalid, '', pos];
  let offset = 0;
  let rem = pos;
  let [r, size] = nextValidRune(runes, rem, RUNE_ERROR);
  offset += size;
  const word = (): string => runes.slice(pos, pos + offset).join('');
  if (r === RUNE_ERROR) return [Word.Invalid, word(), pos + offset];
  let wt: Word;
  const consumeWhile = (ok: (ch: string) => boolean): void => {
    while (rem < runes.length) {
      [r, size] = nextValidRune(runes, rem, r);
      if (!ok(r)) break;
      offset += size;
      rem += size;
    }
  };
  if (isConnector(r)) {
    wt = Word.Connector;
    rem += size;
    consumeWhile(isConnector);
  } else if (isGoPunct(r)) {
    wt = Word.Punct;
    rem += size;
    consumeWhile(isGoPunct);
  } else if (isGoUpper(r)) {
    wt = Word.UpperCase;
    rem += size;
    if (rem < runes.length) {
      [r, size] = nextValidRune(runes, rem, r);
      if (isGoUpper(r)) {
        let prevSize = size;
        offset += size;
        rem += size;
        while (rem < runes.length) {
          [r, size] = nextValidRune(runes, rem, r);
          if (!isGoUpper(r)) break;
          prevSize = size;
          offset += size;
          rem += size;
        }
        // "HTTPStatus" splits into "HTTP" and "Status": the last upper rune starts the next word.
        if (rem < runes.length && isAlphabet(r)) {
          offset -= prevSize;
          rem = pos + offset;
        }
      } else if (isAlphabet(r)) {
        offset += size;
        rem += size;
        consumeWhile((ch) => isAlphabet(ch) && !isGoUpper(ch));
      }
    }
  } else if (isAlphabet(r)) {
    wt = Word.Alphabet;
    rem += size;
    consumeWhile((ch) => isAlphabet(ch) && !isGoUpper(ch));
  } else if (isGoNumber(r)) {
    wt = Word.Number;
    rem += size;
    consumeWhile(isGoNumber);
  } else {
    wt = Word.Other;
    rem += size;
    consumeWhile((ch) => !(isConnector(ch) || isAlphabet(ch) || isGoNumber(ch) || isGoPunct(ch)));
  }
  return [wt, word(), rem];
}

function toLowerWord(wt: Word, word: string, connector: string): string {
  if (wt !== Word.UpperCase && wt !== Word.Connector) return word; // the original bytes (WriteString)
  let out = '';
  // Decoded rune by rune and written with WriteRune: a byte that is not UTF-8 becomes U+FFFD.
  for (const ch of goRuneString(word)) {
    if (isConnector(ch)) out += connector;
    else if (isGoUpper(ch)) out += mapRune(ch, goToLowerRune);
    else out += ch;
  }
  return out;
}

/** xstrings.ToSnakeCase / ToKebabCase (camelCaseToLowerCase), step by step as v1.5.0 does it. */
function camelCaseToLowerCase(s: string, connector: string): string {
  if (s === '') return '';
  const runes = [...s];
  const n = runes.length;
  let out = '';
  let [wt, word, pos]: [Word, string, number] = nextWord(runes, 0);
  while (pos < n) {
    if (wt !== Word.Connector) out += toLowerWord(wt, word, connector);
    const prev = wt;
    const last = word;
    [wt, word, pos] = nextWord(runes, pos);
    if (prev === Word.Number) {
      while (wt === Word.Alphabet || wt === Word.Number) {
        out += toLowerWord(wt, word, connector);
        [wt, word, pos] = nextWord(runes, pos);
      }
      if (wt !== Word.Invalid && wt !== Word.Punct && wt !== Word.Connector) out += connector;
    } else if (prev === Word.Connector) {
      out += toLowerWord(prev, last, connector);
    } else if (prev !== Word.Punct) {
      if (wt !== Word.Number) {
        if (wt !== Word.Connector && wt !== Word.Punct) out += connector;
        continue;
      }
      if (pos >= n) continue;
      const numberWord = word;
      [wt, word, pos] = nextWord(runes, pos);
      // A number followed by something other than letters belongs to the previous word ("Bld4Floor").
      if (wt !== Word.Alphabet) {
        out += toLowerWord(Word.Number, numberWord, connector);
        if (wt !== Word.Connector && wt !== Word.Punct) out += connector;
        continue;
      }
      out += connector + toLowerWord(Word.Number, numberWord, connector);
      while (wt === Word.Alphabet || wt === Word.Number) {
        out += toLowerWord(wt, word, connector);
        [wt, word, pos] = nextWord(runes, pos);
      }
      if (wt !== Word.Invalid && wt !== Word.Connector && wt !== Word.Punct) out += connector;
    }
  }
  return out + toLowerWord(wt, word, connector);
}

/**
 * xstrings.ToPascalCase (what sprig's `camelcase` produces): connectors are dropped and the
 * following letter upper-cased, as is the first letter; leading and doubled connectors stay.
 */
function camelcase(s: string): string {
  // Every rune is decoded and written back with WriteRune: bytes that are not UTF-8 become U+FFFD.
  const runes = [...goRuneString(s)];
  if (runes.length === 0) return '';
  let out = '';
  let i = 0;
  let r0 = '';
  let firstUpper = false;
  while (i < runes.length) {
    r0 = runes[i++]!;
    if (!isConnector(r0)) {
      firstUpper = isGoUpper(r0);
      r0 = mapRune(r0, goToUpperRune);
      break;
    }
    out += r0;
  }
  if (i >= runes.length) return out + r0;
  while (i < runes.length) {
    const r1 = r0;
    r0 = runes[i++]!;
    if (isConnector(r0) && isConnector(r1)) {
      out += r1;
      continue;
    }
    if (isConnector(r1)) {
      firstUpper = isGoUpper(r0);
      r0 = mapRune(r0, goToUpperRune);
    } else {
      if (firstUpper) {
        if (isGoUpper(r0)) r0 = mapRune(r0, goToLowerRune);
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
  ['trimPrefix', fn(['string', 'string'], ([a, b]) => onBytes(a as string, b as string, (p, h) => (h.startsWith(p) ? h.slice(p.length) : h), fromByteString))],
  ['trimSuffix', fn(['string', 'string'], ([a, b]) => onBytes(a as string, b as string, (p, h) => (h.endsWith(p) && p.length > 0 ? h.slice(0, -p.length) : h), fromByteString))],
  // strings.ToUpper/ToLower go through strings.Map, which writes each byte that is not UTF-8 as U+FFFD.
  ['upper', fn(['string'], ([s]) => goToUpper(goRuneString(s as string)))],
  ['lower', fn(['string'], ([s]) => goToLower(goRuneString(s as string)))],
  ['title', fn(['string'], ([s]) => title(s as string))],
  ['untitle', fn(['string'], ([s]) => untitle(s as string))],
  ['repeat', fn(['int', 'string'], ([n, s], ctx) => repeat(n as bigint, s as string, (b) => ctx.checkSize(b)))],
  ['substr', fn(['int', 'int', 'string'], ([a, b, s]) => substr(a as bigint, b as bigint, s as string))],
  ['trunc', fn(['int', 'string'], ([c, s]) => trunc(c as bigint, s as string))],
  ['abbrev', fn(['int', 'string'], ([w, s]) => abbrev(w as bigint, s as string))],
  ['nospace', fn(['string'], ([s]) => nospace(s as string))],
  ['trimall', fn(['string', 'string'], ([a, b]) => trimCutset(b as string, a as string))],
  ['swapcase', fn(['string'], ([s]) => swapcase(s as string))],
  ['abbrevboth', fn(['int', 'int', 'string'], ([l, r, s]) => abbrevboth(Number(l), Number(r), s as string))],
  ['wrap', fn(['int', 'string'], ([l, s], ctx) => wrapCustom(s as string, Number(l), '', false, (b) => ctx.checkSize(b)))],
  ['wrapWith', fn(['int', 'string', 'string'], ([l, sep, s], ctx) => wrapCustom(s as string, Number(l), sep as string, true, (b) => ctx.checkSize(b)))],
  ['initials', fn(['string'], ([s]) => initials(s as string))],
  ['contains', fn(['string', 'string'], ([sub, s]) => onBytes(sub as string, s as string, (n, h) => h.includes(n), same))],
  ['hasPrefix', fn(['string', 'string'], ([p, s]) => onBytes(p as string, s as string, (n, h) => h.startsWith(n), same))],
  ['hasSuffix', fn(['string', 'string'], ([p, s]) => onBytes(p as string, s as string, (n, h) => h.endsWith(n), same))],
  ['quote', fn([], (args) => args.filter((a) => !isNil(a)).map((a) => quoteGo(strval(a))).join(' '), 'any')],
  ['squote', fn([], (args) => args.filter((a) => !isNil(a)).map((a) => `'${strval(a)}'`).join(' '), 'any')],
  ['cat', fn([], (args) => args.filter((a) => !isNil(a)).map(strval).join(' '), 'any')],
  ['indent', fn(['int', 'string'], ([n, s], ctx) => indent(n as bigint, s as string, (b) => ctx.checkSize(b)))],
  ['nindent', fn(['int', 'string'], ([n, s], ctx) => `\n${indent(n as bigint, s as string, (b) => ctx.checkSize(b))}`)],
  ['replace', fn(['string', 'string', 'string'], ([o, n, s], ctx) => replaceAll(s as string, o as string, n as string, (b) => ctx.checkSize(b)))],
  ['plural', fn(['string', 'string', 'int'], ([one, many, count]) => (count === 1n ? one : many))],
  ['snakecase', fn(['string'], ([s]) => camelCaseToLowerCase(s as string, '_'))],
  ['kebabcase', fn(['string'], ([s]) => camelCaseToLowerCase(s as string, '-'))],
  ['camelcase', fn(['string'], ([s]) => camelcase(s as string))],
  ['splitList', fn(['string', 'string'], ([sep, s]) => goSplit(s as string, sep as string))],
  ['split', fn(['string', 'string'], ([sep, s]) => splitToMap(sep as string, s as string))],
  ['splitn', fn(['string', 'int', 'string'], ([sep, n, s]) => splitToMap(sep as string, s as string, Number(n)))],
  ['join', fn(['string', 'any'], ([sep, v]) => strslice(v).join(sep as string))],
  // sort.StringSlice sorts a []string argument in place, as here.
  ['sortAlpha', fn(['any'], ([v]) => (Array.isArray(v) ? strslice(v) : typedSlice('string', [strval(v)])).sort(compareGoStrings))],
  ['toString', fn(['any'], ([v]) => strval(v))],
  ['toStrings', fn(['any'], ([v]) => strslice(v))],
]);
