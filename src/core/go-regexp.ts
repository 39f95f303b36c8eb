// Go regular expressions (RE2 syntax) in JavaScript
//
// ESO compiles find.name.regexp, rewrite sources and namespaceRegexes with Go's regexp package.
// JavaScript accepts constructs RE2 rejects (lookaround, backreferences, possessive quantifiers)
// and rejects some RE2 syntax ((?P<n>...), (?i), \z, [[:alpha:]], \Q...\E). So the source is
// translated token by token, refusing what RE2 refuses, and the result compiled with the `u`
// flag. Reasons are fixed phrases: the pattern is never quoted back.
// Known differences kept: \s is JavaScript's (Unicode) whitespace; (?m) line ends also match \r.

export type GoRegexpResult = { ok: true; regexp: RegExp } | { ok: false; reason: string };

const GO_MAX_REPEAT = 1000;
const MAX_CODE_POINT = 0x10ffff;
const REGEXP_CACHE_LIMIT = 500;
const regexpCache = new Map<string, GoRegexpResult>();

/** Compiles a Go (RE2) pattern to an equivalent JavaScript RegExp; `flags` may add e.g. "g". */
export function compileGoRegexp(source: string, flags = ''): GoRegexpResult {
  const cacheKey = `${flags}/${source}`;
  const cached = regexpCache.get(cacheKey);
  if (cached) return cached;
  const result = translateAndCompile(source, flags);
  if (regexpCache.size >= REGEXP_CACHE_LIMIT) regexpCache.clear();
  regexpCache.set(cacheKey, result);
  return result;
}

function translateAndCompile(source: string, flags: string): GoRegexpResult {
  let pattern: string;
  try {
    pattern = new GoRegexpTranslator(source).translate();
  } catch (e) {
    if (e instanceof GoSyntaxError) return { ok: false, reason: e.message };
    throw e;
  }
  try {
    return { ok: true, regexp: new RegExp(pattern, `u${flags}`) };
  } catch {
    // The engine's message quotes the pattern; ours does not.
    return { ok: false, reason: 'invalid syntax' };
  }
}

class GoSyntaxError extends Error {}

interface GroupFrame {
  /** `(?i)` inside a group becomes `(?i:` up to the group's end; these are the open wrappers. */
  inlineModifiers: string[];
  ungreedy: boolean;
}

const JS_SYNTAX_CHARS = new Set('^$\\.*+?()[]{}|/');
const POSIX_CLASSES: Record<string, [number, number][]> = {
  alnum: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]],
  alpha: [[0x41, 0x5a], [0x61, 0x7a]],
  ascii: [[0x00, 0x7f]],
  blank: [[0x09, 0x09], [0x20, 0x20]],
  cntrl: [[0x00, 0x1f], [0x7f, 0x7f]],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]],
  space: [[0x09, 0x0d], [0x20, 0x20]],
  upper: [[0x41, 0x5a]],
  word: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]],
  xdigit: [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]],
};

class GoRegexpTranslator {
  readonly #src: string;
  #i = 0;
  #out = '';
  readonly #frames: GroupFrame[] = [{ inlineModifiers: [], ungreedy: false }];
  readonly #groupNames = new Set<string>();
  /** True when the last thing emitted can take a quantifier. */
  #repeatable = false;

  constructor(source: string) {
    this.#src = source;
  }

  translate(): string {
    while (this.#i < this.#src.length) this.#step();
    if (this.#frames.length > 1) throw new GoSyntaxError('missing closing )');
    this.#out += ')'.repeat(this.#frame().inlineModifiers.length);
    return this.#out;
  }

  #frame(): GroupFrame {
    return this.#frames[this.#frames.length - 1]!;
  }

  #step(): void {
    const c = this.#src[this.#i]!;
    switch (c) {
      case '(':
        return this.#openGroup();
      case ')':
        return this.#closeGroup();
      case '|':
        return this.#alternate();
      case '[':
        return this.#characterClass();
      case '\\':
        return this.#escapeOutsideClass();
      case '*':
      case '+':
      case '?':
        this.#i++;
        return this.#quantifier(c);
      case '{': {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.#src.slice(this.#i));
        if (!m) {
          this.#i++;
          return this.#literal('{');
        }
        const min = Number(m[1]);
        const max = m[3] === undefined || m[3] === '' ? undefined : Number(m[3]);
        if (min > GO_MAX_REPEAT || (max !== undefined && max > GO_MAX_REPEAT)) throw new GoSyntaxError('repeat count above 1000');
        if (max !== undefined && max < min) throw new GoSyntaxError('invalid repeat count');
        this.#i += m[0].length;
        return this.#quantifier(m[0]);
      }
      case '^':
      case '$':
      case '.':
        this.#i++;
        this.#out += c;
        this.#repeatable = c === '.';
        return;
      default: {
        const cp = this.#src.codePointAt(this.#i)!;
        this.#i += cp > 0xffff ? 2 : 1;
        return this.#literal(String.fromCodePoint(cp));
      }
    }
  }

  #literal(ch: string): void {
    this.#out += JS_SYNTAX_CHARS.has(ch) ? `\\${ch}` : ch;
    this.#repeatable = true;
  }

  #quantifier(q: string): void {
    if (!this.#repeatable) throw new GoSyntaxError('missing argument to repetition operator');
    let lazy = false;
    if (this.#src[this.#i] === '?') {
      lazy = true;
      this.#i++;
    }
    const next = this.#src[this.#i];
    if (next === '+') throw new GoSyntaxError('possessive quantifiers are not supported by RE2');
    if (next === '*' || next === '?' || (next === '{' && /^\{\d+(,\d*)?\}/.test(this.#src.slice(this.#i)))) {
      throw new GoSyntaxError('invalid nested repetition operator');
    }
    // Under the U flag, Go swaps the meaning of x* and x*?.
    if (this.#frame().ungreedy) lazy = !lazy;
    this.#out += q + (lazy ? '?' : '');
    this.#repeatable = false;
  }

  #openGroup(): void {
    const rest = this.#src.slice(this.#i);
    const parent = this.#frame();
    if (!rest.startsWith('(?')) {
      this.#i++;
      this.#pushGroup('(', parent.ungreedy);
      return;
    }
    if (/^\(\?(=|!|<=|<!)/.test(rest)) throw new GoSyntaxError('lookaround assertions are not supported by RE2');
    if (rest.startsWith('(?>')) throw new GoSyntaxError('atomic groups are not supported by RE2');
    if (/^\(\?P?[=>]/.test(rest)) throw new GoSyntaxError('backreferences are not supported by RE2');
    const named = /^\(\?P?<([^>]*)>/.exec(rest);
    if (named) {
      this.#i += named[0].length;
      this.#pushGroup(this.#namedGroup(named[1]!), parent.ungreedy);
      return;
    }
    const flagGroup = /^\(\?([imsU]*)(?:-([imsU]*))?([:)])/.exec(rest);
    if (!flagGroup || (flagGroup[1] === '' && flagGroup[2] === undefined && flagGroup[3] === ')')) {
      throw new GoSyntaxError('invalid or unsupported group syntax');
    }
    const [whole, add = '', remove, end] = flagGroup;
    if (remove === '') throw new GoSyntaxError('missing flags after "-"');
    this.#i += whole.length;
    const ungreedy = add.includes('U') ? true : remove?.includes('U') ? false : parent.ungreedy;
    const modifiers = jsModifiers(add, remove ?? '');
    if (end === ':') {
      this.#pushGroup(modifiers ? `(?${modifiers}:` : '(?:', ungreedy);
      return;
    }
    // `(?i)` applies to the rest of the enclosing group: wrap that rest in `(?i:` ... `)`.
    parent.ungreedy = ungreedy;
    if (modifiers) {
      this.#out += `(?${modifiers}:`;
      parent.inlineModifiers.push(modifiers);
    }
    this.#repeatable = false;
  }

  #namedGroup(name: string): string {
    if (!/^[A-Za-z0-9_]+$/.test(name)) throw new GoSyntaxError('invalid capture group name');
    if (this.#groupNames.has(name)) throw new GoSyntaxError('duplicate capture group name');
    this.#groupNames.add(name);
    // JavaScript group names cannot start with a digit; such a group stays a numbered one.
    return /^[A-Za-z_]/.test(name) ? `(?<${name}>` : '(';
  }

  #pushGroup(opening: string, ungreedy: boolean): void {
    this.#out += opening;
    this.#frames.push({ inlineModifiers: [], ungreedy });
    this.#repeatable = false;
  }

  #closeGroup(): void {
    if (this.#frames.length === 1) throw new GoSyntaxError('unexpected )');
    const frame = this.#frames.pop()!;
    this.#out += ')'.repeat(frame.inlineModifiers.length) + ')';
    this.#i++;
    this.#repeatable = true;
  }

  #alternate(): void {
    // Inline flags reach across `|` in Go; re-open the wrappers in the next alternative.
    const mods = this.#frame().inlineModifiers;
    this.#out += ')'.repeat(mods.length) + '|' + mods.map((m) => `(?${m}:`).join('');
    this.#i++;
    this.#repeatable = false;
  }

  #escapeOutsideClass(): void {
    const c = this.#src[this.#i + 1];
    if (c === 'A' || c === 'z') {
      this.#i += 2;
      // Not ^/$: those change meaning under (?m); \A and \z never do.
      this.#out += c === 'A' ? '(?<![\\s\\S])' : '(?![\\s\\S])';
      this.#repeatable = false;
      return;
    }
    if (c === 'b' || c === 'B') {
      this.#i += 2;
      this.#out += `\\${c}`;
      this.#repeatable = false;
      return;
    }
    if (c === 'Q') {
      const end = this.#src.indexOf('\\E', this.#i + 2);
      const text = this.#src.slice(this.#i + 2, end === -1 ? undefined : end);
      this.#i = end === -1 ? this.#src.length : end + 2;
      for (const ch of text) this.#out += escapeLiteral(ch);
      this.#repeatable = text.length > 0;
      return;
    }
    this.#out += this.#escape(false);
    this.#repeatable = true;
  }

  /** Translates the escape at #i (a backslash), in or out of a character class. */
  #escape(inClass: boolean): string {
    const c = this.#src[this.#i + 1];
    if (c === undefined) throw new GoSyntaxError('trailing backslash');
    this.#i += 2;
    if (/[1-9]/.test(c)) {
      const octal = /^[0-7]{1,2}/.exec(this.#src.slice(this.#i));
      if (!octal || c > '7') throw new GoSyntaxError('backreferences are not supported by RE2');
      this.#i += octal[0].length;
      return codePointEscape(parseInt(c + octal[0], 8));
    }
    if (c === '0') {
      const octal = /^[0-7]{0,2}/.exec(this.#src.slice(this.#i))![0];
      this.#i += octal.length;
      return codePointEscape(parseInt(`0${octal}`, 8));
    }
    if (c === 'k' || c === 'g') throw new GoSyntaxError('backreferences are not supported by RE2');
    if ('dDwWsS'.includes(c)) return `\\${c}`;
    if ('fnrtv'.includes(c)) return `\\${c}`;
    if (c === 'a') return '\\x07';
    if (c === 'x') return this.#hexEscape();
    if (c === 'p' || c === 'P') return this.#unicodeClass(c);
    if (c.charCodeAt(0) < 0x80 && !/[A-Za-z0-9]/.test(c)) {
      return inClass ? escapeClassLiteral(c) : escapeLiteral(c);
    }
    throw new GoSyntaxError('invalid escape sequence');
  }

  #hexEscape(): string {
    const rest = this.#src.slice(this.#i);
    const braced = /^\{([0-9A-Fa-f]+)\}/.exec(rest);
    if (braced) {
      this.#i += braced[0].length;
      const cp = parseInt(braced[1]!, 16);
      if (cp > MAX_CODE_POINT) throw new GoSyntaxError('invalid escape sequence');
      return codePointEscape(cp);
    }
    const two = /^[0-9A-Fa-f]{2}/.exec(rest);
    if (!two) throw new GoSyntaxError('invalid escape sequence');
    this.#i += 2;
    return codePointEscape(parseInt(two[0], 16));
  }

  #unicodeClass(p: 'p' | 'P'): string {
    const rest = this.#src.slice(this.#i);
    const m = /^(?:\{(\^?)([A-Za-z_]+)\}|([A-Za-z]))/.exec(rest);
    if (!m) throw new GoSyntaxError('invalid Unicode class');
    this.#i += m[0].length;
    const negated = (p === 'P') !== (m[1] === '^');
    const name = m[2] ?? m[3]!;
    const property = name === 'Any' ? 'Any' : /^[A-Z][a-z]?$/.test(name) ? `General_Category=${name}` : `Script=${name}`;
    return `\\${negated ? 'P' : 'p'}{${property}}`;
  }

  #characterClass(): void {
    this.#i++;
    let out = '[';
    if (this.#src[this.#i] === '^') {
      out += '^';
      this.#i++;
    }
    // A `]` right after `[` or `[^` is a literal in Go.
    if (this.#src[this.#i] === ']') {
      out += '\\]';
      this.#i++;
    }
    for (;;) {
      const c = this.#src[this.#i];
      if (c === undefined) throw new GoSyntaxError('missing closing ]');
      if (c === ']') break;
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(this.#src.slice(this.#i));
      if (posix) {
        const ranges = POSIX_CLASSES[posix[2]!];
        if (!ranges) throw new GoSyntaxError('invalid character class range');
        out += rangesToClassBody(posix[1] === '^' ? complement(ranges) : ranges);
        this.#i += posix[0].length;
      } else if (c === '\\') {
        const next = this.#src[this.#i + 1];
        if (next === 'b' || next === 'B' || next === 'A' || next === 'z' || next === 'Q') throw new GoSyntaxError('invalid escape in character class');
        out += this.#escape(true);
      } else if (c === '[') {
        out += '\\[';
        this.#i++;
      } else {
        const cp = this.#src.codePointAt(this.#i)!;
        out += String.fromCodePoint(cp);
        this.#i += cp > 0xffff ? 2 : 1;
      }
    }
    this.#i++;
    this.#out += `${out}]`;
    this.#repeatable = true;
  }
}

function jsModifiers(add: string, remove: string): string {
  const keep = (s: string) => [...new Set(s.replace(/U/g, ''))].join('');
  const a = keep(add);
  const r = keep(remove);
  if (!a && !r) return '';
  return r ? `${a}-${r}` : a;
}

function codePointEscape(cp: number): string {
  return `\\u{${cp.toString(16)}}`;
}

function escapeLiteral(ch: string): string {
  return JS_SYNTAX_CHARS.has(ch) ? `\\${ch}` : /[\w\s]/.test(ch) && ch.charCodeAt(0) >= 0x20 ? ch : codePointEscape(ch.codePointAt(0)!);
}

function escapeClassLiteral(ch: string): string {
  return ch === '\\' || ch === ']' || ch === '[' || ch === '^' || ch === '-' ? `\\${ch}` : codePointEscape(ch.codePointAt(0)!);
}

function rangesToClassBody(ranges: [number, number][]): string {
  return ranges.map(([lo, hi]) => (lo === hi ? codePointEscape(lo) : `${codePointEscape(lo)}-${codePointEscape(hi)}`)).join('');
}

function complement(ranges: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  let next = 0;
  for (const [lo, hi] of ranges) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CODE_POINT) out.push([next, MAX_CODE_POINT]);
  return out;
}
