// Go regular expressions (package regexp, RE2 syntax) for every pattern a user writes.
//
// ESO compiles find.name.regexp, rewrite[].regexp.source, conditions[].namespaceRegexes and the
// sprig regex functions' patterns with Go's regexp package. JavaScript's RegExp differs in syntax
// (lookaround, backreferences; no (?P<n>), \z, [[:alpha:]], \Q..\E), in replacement expansion
// ($1_x, $name), in which empty matches it replaces, and it backtracks (a pattern such as
// ^(a+)+$ can block the event loop). So matching runs on re2js, a port of Go's regexp engine
// (same parser, same leftmost-first semantics, linear time), and the iteration and expansion
// rules Go's regexp.go layers on top of the engine (allMatches, replaceAll, expand, Split) are
// reproduced here over UTF-8 byte offsets, which is what Go's indexes are.
//
// Input strings are turned into the bytes of the Go string they stand for (core/go-string.ts:
// bytes that are not UTF-8 are carried as escaped units); the engine, like Go's, reads each such
// byte as U+FFFD of width 1, and matches are cut from the original bytes. Any other lone UTF-16
// surrogate (impossible in a Go string built from JSON) becomes U+FFFD, as Go's JSON decoder would
// have made it.

import { createRequire } from 'node:module';
import type { RE2JS } from 're2js';
import { goStringFromBytes, goStringToBytes, isTextString, utf8SequenceLength } from './go-string.ts';
import { goUnicodeTest } from './go-unicode-assigned.ts';
import { goUnicodeClassName } from './go-regexp-classes.ts';

export type GoRegexpResult = { ok: true; regexp: GoRegexp } | { ok: false; reason: string };

/** Bounds the compile cache; patterns come from specs and templates, so the set is small but unbounded. */
const CACHE_LIMIT = 500;

let engine: typeof import('re2js') | undefined;
/**
 * re2js, loaded on the first compile rather than at start: an operator whose specs and templates
 * hold no pattern never needs it (~1.3 MB of RSS; docs/benchmarks.md, "Idle memory and start-up").
 */
function re2js(): typeof import('re2js') {
  return (engine ??= createRequire(import.meta.url)('re2js') as typeof import('re2js'));
}
const cache = new Map<string, GoRegexpResult>();

/**
 * Compiles `source` as Go's regexp.Compile does (RE2 syntax, Perl flags, leftmost-first).
 * Refuses what Go refuses (lookaround, backreferences, possessive quantifiers, repeat counts above
 * 1000, ...). `reason` is Go's error code (e.g. "missing closing )") and never quotes the pattern,
 * since a pattern may be built from secret data. Results are cached (bounded, least recently used).
 * Known difference: a pattern compiling to more than 1,398,101 instructions is refused with
 * "expression too large" (re2js's limit; Go's is about 2.4 times higher).
 */
export function compileGoRegexp(source: string): GoRegexpResult {
  const hit = cache.get(source);
  if (hit) {
    cache.delete(source);
    cache.set(source, hit);
    return hit;
  }
  const result = compileUncached(source);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(source, result);
  return result;
}

function compileUncached(source: string): GoRegexpResult {
  // Go's parser refuses a pattern that is not UTF-8 (its message quotes the pattern; this does not).
  if (!isTextString(source)) return { ok: false, reason: 'invalid UTF-8' };
  const classes = goUnicodeClasses(source);
  if (!classes.ok) return classes;
  const pattern = classes.pattern;
  try {
    const re = re2js().RE2JS.compile(pattern);
    const names = new Array<string>(re.groupCount() + 1).fill('');
    for (const [name, index] of Object.entries(re.namedGroups())) names[index] = name;
    return { ok: true, regexp: new GoRegexp(source, re, names) };
  } catch (e) {
    const reason = reasonOf(e);
    return reason === DUPLICATE_NAME ? compileWithDuplicateNames(source, pattern) : { ok: false, reason };
  }
}

const INVALID_CLASS_RANGE = 'invalid character class range';

/**
 * Rewrites every Unicode class (`\pN`, `\p{Name}`, `\p{^Name}`, `\P…`, in or out of a bracket
 * class) to the spelling re2js knows for the class Go 1.26 finds by that name
 * (go-regexp-classes.ts: Go's canonical names and aliases; `Ascii` as its range, `Assigned` as
 * `\P{Cn}`), or refuses the pattern with Go's code when Go has no such class. Scans as
 * unnameGroups does; a pattern without `\p` or `\P` is returned as it is. A malformed class
 * (`\p{` without `}`) is left for the engine to refuse.
 */
function goUnicodeClasses(source: string): { ok: true; pattern: string } | { ok: false; reason: string } {
  if (!/\\[pP]/.test(source)) return { ok: true, pattern: source };
  let out = '';
  let i = 0;
  let inClass = false;
  while (i < source.length) {
    const c = source[i]!;
    if (c === '\\' && source[i + 1] === 'Q' && !inClass) {
      const end = source.indexOf('\\E', i + 2);
      const next = end < 0 ? source.length : end + 2;
      out += source.slice(i, next);
      i = next;
      continue;
    }
    if (c === '\\' && (source[i + 1] === 'p' || source[i + 1] === 'P')) {
      let name: string;
      let next: number;
      if (source[i + 2] === '{') {
        const close = source.indexOf('}', i + 3);
        if (close < 0) {
          out += source.slice(i);
          break;
        }
        name = source.slice(i + 3, close);
        next = close + 1;
      } else {
        const cp = source.codePointAt(i + 2);
        if (cp === undefined) {
          out += source.slice(i);
          break;
        }
        name = String.fromCodePoint(cp);
        next = i + 2 + name.length;
      }
      let negated = source[i + 1] === 'P';
      if (name.startsWith('^')) {
        negated = !negated;
        name = name.slice(1);
      }
      const table = goUnicodeClassName(name);
      if (table === undefined) return { ok: false, reason: INVALID_CLASS_RANGE };
      out += classFor(table, negated, inClass);
      i = next;
      continue;
    }
    if (c === '\\') {
      const cp = source.codePointAt(i + 1);
      const next = i + 1 + (cp === undefined ? 0 : String.fromCodePoint(cp).length);
      out += source.slice(i, next);
      i = next;
      continue;
    }
    if (!inClass && c === '[') {
      inClass = true;
      let j = i + 1;
      if (source[j] === '^') j++;
      // A `]` right after `[` or `[^` is a literal member.
      if (source[j] === ']') j++;
      out += source.slice(i, j);
      i = j;
      continue;
    }
    if (inClass && c === '[' && source[i + 1] === ':') {
      const end = source.indexOf(':]', i + 2);
      if (end >= 0) {
        out += source.slice(i, end + 2);
        i = end + 2;
        continue;
      }
    }
    if (inClass && c === ']') inClass = false;
    out += c;
    i++;
  }
  return { ok: true, pattern: out };
}

/** re2js syntax for the class Go finds as `table` (goUnicodeClassName), negated or not, in a bracket class or not. */
function classFor(table: string, negated: boolean, inClass: boolean): string {
  if (table === 'Ascii') {
    const range = negated ? '\\x{80}-\\x{10FFFF}' : '\\x00-\\x7F';
    return inClass ? range : `[${range}]`;
  }
  if (table === 'Assigned') return negated ? '\\p{Cn}' : '\\P{Cn}';
  return `${negated ? '\\P' : '\\p'}{${table}}`;
}

/** Go's error code from a re2js failure; rethrows anything that is not a compile failure. */
function reasonOf(e: unknown): string {
  if (!(e instanceof re2js().RE2JSException)) throw e;
  // RE2JSSyntaxException carries Go's error code in `error`; its message quotes the pattern.
  const code = (e as { error?: unknown }).error;
  return typeof code === 'string' && code !== '' ? code : 'invalid regular expression';
}

const DUPLICATE_NAME = 'duplicate capture group name';

/**
 * Go accepts two groups of the same name (re2js does not): compile with every named group made
 * a plain group (same number, same matching) and keep the names here, as Go's SubexpNames.
 */
function compileWithDuplicateNames(source: string, classesRewritten: string): GoRegexpResult {
  const { pattern, names } = unnameGroups(classesRewritten);
  try {
    const re = re2js().RE2JS.compile(pattern);
    // The scan must count groups as the engine does; if it ever did not, refuse rather than misname.
    if (re.groupCount() + 1 !== names.length) return { ok: false, reason: DUPLICATE_NAME };
    return { ok: true, regexp: new GoRegexp(source, re, names) };
  } catch (e) {
    return { ok: false, reason: reasonOf(e) };
  }
}

/** Go's isValidCaptureName (regexp/syntax): ASCII letters, digits and `_`, not empty. */
const CAPTURE_NAME = /^[A-Za-z0-9_]+$/;

/**
 * Rewrites `(?P<name>` and `(?<name>` to `(`, and lists each capture group's name ('' when
 * unnamed; index 0 the whole match). Scans as Go's parser does: `\x` escapes one character,
 * `\Q...\E` is literal, a character class runs to its first `]` that is not its first character,
 * and `[:` inside a class reaches to the next `:]`. An invalid name is left as written, so the
 * engine reports it.
 */
function unnameGroups(source: string): { pattern: string; names: string[] } {
  const names = [''];
  let out = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    let next = i + 1;
    if (c === '\\') {
      if (source[i + 1] === 'Q') {
        const end = source.indexOf('\\E', i + 2);
        next = end < 0 ? source.length : end + 2;
      } else {
        next = i + 2;
      }
    } else if (c === '[') {
      let j = i + 1;
      if (source[j] === '^') j++;
      if (source[j] === ']') j++;
      while (j < source.length && source[j] !== ']') {
        const namedClassEnd = source.startsWith('[:', j) ? source.indexOf(':]', j + 2) : -1;
        j = source[j] === '\\' ? j + 2 : namedClassEnd >= 0 ? namedClassEnd + 2 : j + 1;
      }
      next = j + 1;
    } else if (c === '(') {
      const begin = source.startsWith('(?P<', i) ? i + 4 : source.startsWith('(?<', i) ? i + 3 : -1;
      const close = begin < 0 ? -1 : source.indexOf('>', begin);
      if (close >= 0 && CAPTURE_NAME.test(source.slice(begin, close))) {
        names.push(source.slice(begin, close));
        out += '(';
        i = close + 1;
        continue;
      }
      if (source[i + 1] !== '?') names.push('');
    }
    out += source.slice(i, next);
    i = next;
  }
  return { pattern: out, names };
}

/**
 * Go's regexp.QuoteMeta: escapes every character of `s` that is special in a pattern
 * (`\.+*?()|[]{}^$`), so the result matches `s` literally.
 */
export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, (c) => `\\${c}`);
}

/** Submatch byte offsets as Go returns them: [start0, end0, start1, end1, ...], -1 for a group that did not take part. */
type Submatches = number[];

/** A compiled Go regexp; methods are named after and behave as Go's (*regexp.Regexp) methods of the same name. */
export class GoRegexp {
  /** The pattern as written. */
  readonly source: string;
  readonly #re: RE2JS;
  readonly #groupCount: number;
  /** Go's SubexpNames: index i names group i ('' when unnamed). */
  readonly #subexpNames: readonly string[];

  /** Use compileGoRegexp. `subexpNames` names each group as Go's SubexpNames does. */
  constructor(source: string, re: RE2JS, subexpNames: readonly string[]) {
    this.source = source;
    this.#re = re;
    this.#groupCount = re.groupCount();
    this.#subexpNames = subexpNames;
  }

  /** Go's MatchString: does the pattern match anywhere in `s` (unanchored)? */
  matchString(s: string): boolean {
    return this.#re.test(utf8(s));
  }

  /** Go's FindString: the leftmost match, or '' when there is none (Go cannot tell those apart either). */
  findString(s: string): string {
    const input = utf8(s);
    const m = this.#searcher(input)(0);
    return m ? text(input, m[0]!, m[1]!) : '';
  }

  /**
   * Go's FindAllString: up to `n` successive non-overlapping matches (n < 0: all); null when
   * there are none (Go's nil slice). An empty match right after a previous match is skipped.
   */
  findAllString(s: string, n: number): string[] | null {
    const input = utf8(s);
    const out = this.#allMatches(input, n < 0 ? input.length + 1 : n).map((m) => text(input, m[0]!, m[1]!));
    return out.length === 0 ? null : out;
  }

  /**
   * Go's FindAllStringSubmatch: like findAllString, each match with its groups (index 0 the whole
   * match); a group that did not take part is ''. Null when there are no matches.
   */
  findAllStringSubmatch(s: string, n: number): string[][] | null {
    const input = utf8(s);
    const out = this.#allMatches(input, n < 0 ? input.length + 1 : n).map((m) => {
      const groups: string[] = [];
      for (let g = 0; g <= this.#groupCount; g++) groups.push(m[2 * g]! < 0 ? '' : text(input, m[2 * g]!, m[2 * g + 1]!));
      return groups;
    });
    return out.length === 0 ? null : out;
  }

  /**
   * Go's ReplaceAllString: every match of the pattern in `src` replaced by `template` expanded as
   * Go's Expand does ($1, ${1}, $name, ${name}, $$; `$name` takes the longest run of letters,
   * digits and `_`, so `$1_x` names group "1_x"; an unknown or non-participating group expands to
   * ''; a `$` not followed by a valid reference is kept). An empty match right after the previous
   * match is not replaced (so `(.*)` over "abc" replaces once, not twice).
   */
  replaceAllString(src: string, template: string, checkSize?: (length: number) => void): string {
    const input = utf8(src);
    return this.#replaceAll(input, (m) => this.#expand(template, input, m), checkSize);
  }

  /** Go's ReplaceAllLiteralString: like replaceAllString, but `repl` is inserted as is (no `$` expansion). */
  replaceAllLiteralString(src: string, repl: string, checkSize?: (length: number) => void): string {
    return this.#replaceAll(utf8(src), () => repl, checkSize);
  }

  /**
   * Go's Split: the substrings between matches. n > 0: at most n substrings, the last one the
   * unsplit remainder; n == 0: null (Go's nil); n < 0: all. A non-empty pattern over '' gives [''].
   */
  split(s: string, n: number): string[] | null {
    if (n === 0) return null;
    if (this.source.length > 0 && s.length === 0) return [''];
    const input = utf8(s);
    const out: string[] = [];
    let beg = 0;
    let end = 0;
    for (const m of this.#allMatches(input, n < 0 ? input.length + 1 : n)) {
      if (n > 0 && out.length === n - 1) break;
      end = m[0]!;
      if (m[1] !== 0) out.push(text(input, beg, end));
      beg = m[1]!;
    }
    if (end !== input.length) out.push(text(input, beg, input.length));
    return out;
  }

  /**
   * Go's doExecute over `input`: a function giving the leftmost match when the search starts at
   * byte `pos` (the text before `pos` still counts as context for ^, \b and \B).
   */
  #searcher(input: Buffer): (pos: number) => Submatches | null {
    const matcher = this.#re.matcher(input);
    return (pos) => {
      if (!matcher.find(pos)) return null;
      const out: Submatches = [];
      for (let g = 0; g <= this.#groupCount; g++) out.push(matcher.start(g), matcher.end(g));
      return out;
    };
  }

  /** Go's allMatches (regexp.go): up to n matches; an empty match abutting the previous match is dropped. */
  #allMatches(input: Buffer, n: number): Submatches[] {
    const out: Submatches[] = [];
    const end = input.length;
    let prevMatchEnd = -1;
    const execute = this.#searcher(input);
    for (let pos = 0; out.length < n && pos <= end; ) {
      const m = execute(pos);
      if (!m) break;
      let accept = true;
      if (m[1] === pos) {
        if (m[0] === prevMatchEnd) accept = false;
        const width = runeWidth(input, pos);
        pos = width > 0 ? pos + width : end + 1;
      } else {
        pos = m[1]!;
      }
      prevMatchEnd = m[1]!;
      if (accept) out.push(m);
    }
    return out;
  }

  /**
   * Go's replaceAll (regexp.go): copies `input` with each match replaced by `repl(match)`, except
   * an empty match immediately after the previous match; always advances at least one rune.
   * `checkSize` sees the result's length as it grows (a replacement can multiply the input) and
   * throws to stop.
   */
  #replaceAll(input: Buffer, repl: (m: Submatches) => string, checkSize?: (length: number) => void): string {
    let out = '';
    let lastMatchEnd = 0;
    let searchPos = 0;
    const endPos = input.length;
    const execute = this.#searcher(input);
    while (searchPos <= endPos) {
      const a = execute(searchPos);
      if (!a) break;
      out += text(input, lastMatchEnd, a[0]!);
      if (a[1]! > lastMatchEnd || a[0] === 0) out += repl(a);
      checkSize?.(out.length);
      lastMatchEnd = a[1]!;
      const width = runeWidth(input, searchPos);
      if (searchPos + width > a[1]!) searchPos += width;
      else if (searchPos + 1 > a[1]!) searchPos++;
      else searchPos = a[1]!;
    }
    return out + text(input, lastMatchEnd, endPos);
  }

  /** Go's expand (regexp.go) for a string template. */
  #expand(template: string, input: Buffer, m: Submatches): string {
    let out = '';
    let rest = template;
    for (;;) {
      const dollar = rest.indexOf('$');
      if (dollar < 0) break;
      out += rest.slice(0, dollar);
      rest = rest.slice(dollar + 1);
      if (rest.startsWith('$')) {
        out += '$';
        rest = rest.slice(1);
        continue;
      }
      const ref = extractReference(rest);
      if (!ref) {
        // Malformed reference: the `$` is literal text.
        out += '$';
        continue;
      }
      rest = ref.rest;
      out += this.#groupText(ref, input, m);
    }
    return out + rest;
  }

  /**
   * The text a reference stands for: group `num`, or the first group called `name` that took part
   * in the match (Go allows duplicate names); '' when there is none.
   */
  #groupText(ref: Reference, input: Buffer, m: Submatches): string {
    for (let g = 0; g <= this.#groupCount; g++) {
      // A name never selects group 0: its entry is '' and a reference name is never empty.
      const selected = ref.num >= 0 ? g === ref.num : this.#subexpNames[g] === ref.name;
      if (selected && m[2 * g]! >= 0) return text(input, m[2 * g]!, m[2 * g + 1]!);
    }
    return '';
  }
}

/** A reference after `$` in a template: a group number (num >= 0) or a name (num -1). */
interface Reference {
  name: string;
  num: number;
  rest: string;
}

/** Go letters and digits (unicode.IsLetter, unicode.IsDigit; Go 1.26's Unicode: goUnicodeTest) and `_`: the characters of a reference name. */
const NAME_CHAR = /[\p{L}\p{Nd}_]/u;

/**
 * Go's extract (regexp.go): `name` or `{name}` at the start of `str`; the name is the longest run
 * of letters, digits and `_`. All digits, no leading zero and below 1e8 make it a group number.
 */
function extractReference(str: string): Reference | undefined {
  if (str === '') return undefined;
  const brace = str[0] === '{';
  const body = brace ? str.slice(1) : str;
  let i = 0;
  for (const ch of body) {
    if (!goUnicodeTest(NAME_CHAR, ch)) break;
    i += ch.length;
  }
  if (i === 0) return undefined;
  const name = body.slice(0, i);
  if (brace) {
    if (body[i] !== '}') return undefined;
    i++;
  }
  let num = 0;
  for (const c of name) {
    if (c < '0' || c > '9' || num >= 1e8) {
      num = -1;
      break;
    }
    num = num * 10 + (c.charCodeAt(0) - 48);
  }
  if (name[0] === '0' && name.length > 1) num = -1;
  return { name, num, rest: body.slice(i) };
}

/** The bytes of the Go string `s` stands for (see the module comment). */
function utf8(s: string): Buffer {
  if (isTextString(s)) return Buffer.from(s, 'utf8');
  const bytes = goStringToBytes(s);
  return bytes === undefined ? Buffer.from(s, 'utf8') : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The Go string between two byte offsets (offsets from the engine fall on rune boundaries or invalid bytes). */
function text(input: Buffer, start: number, end: number): string {
  return goStringFromBytes(input.subarray(start, end));
}

/** Go's utf8.DecodeRune width at `pos`: 1 for a byte that is not UTF-8, 0 at the end. */
function runeWidth(input: Buffer, pos: number): number {
  if (pos >= input.length) return 0;
  return utf8SequenceLength(input, pos) || 1;
}
