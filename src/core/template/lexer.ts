/**
 * Tokenizer for Go's text/template syntax, following the state machine of Go's
 * `text/template/parse/lex.go` (trim markers, comments, newlines inside actions).
 */

import { goUnicodeTest } from '../go-unicode-assigned.ts';

export type ItemType =
  | 'error'
  | 'bool'
  | 'char'
  | 'charConstant'
  | 'assign'
  | 'declare'
  | 'eof'
  | 'field'
  | 'identifier'
  | 'leftDelim'
  | 'leftParen'
  | 'number'
  | 'pipe'
  | 'rawString'
  | 'rightDelim'
  | 'rightParen'
  | 'space'
  | 'string'
  | 'text'
  | 'variable'
  | 'comment'
  | 'dot'
  | 'nil'
  | 'keyword';

export interface Item {
  readonly type: ItemType;
  /** Offset of the token in the source (UTF-16 index). */
  readonly pos: number;
  readonly val: string;
}

export const KEYWORDS: ReadonlySet<string> = new Set([
  'block',
  'break',
  'continue',
  'define',
  'else',
  'end',
  'if',
  'range',
  'template',
  'with',
]);

const LEFT_DELIM = '{{';
const RIGHT_DELIM = '}}';
const LEFT_COMMENT = '/*';
const RIGHT_COMMENT = '*/';
const TRIM_MARKER = '-';

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

/** Go's unicode.IsLetter || unicode.IsDigit (Go 1.26's Unicode). */
const LETTER_OR_DIGIT = /^[\p{L}\p{Nd}]$/u;

function isAlphaNumeric(c: string): boolean {
  return c === '_' || goUnicodeTest(LETTER_OR_DIGIT, c);
}

/** Produces the whole token list eagerly; an `error` item ends the list. */
export function lex(input: string): Item[] {
  return new Lexer(input).run();
}

class Lexer {
  readonly input: string;
  readonly items: Item[] = [];
  pos = 0;
  start = 0;
  parenDepth = 0;
  insideAction = false;

  constructor(input: string) {
    this.input = input;
  }

  run(): Item[] {
    let state: (() => boolean) | null = () => this.lexText();
    while (state) {
      const more = state();
      if (!more) break;
      state = this.next;
    }
    return this.items;
  }

  // The state function to run after the current one returns true.
  next: (() => boolean) | null = null;

  private peekChar(offset = 0): string {
    return this.input[this.pos + offset] ?? '';
  }

  private nextChar(): string {
    const c = this.input[this.pos];
    if (c === undefined) return '';
    this.pos++;
    return c;
  }

  private backup(): void {
    this.pos--;
  }

  private emit(type: ItemType): void {
    this.items.push({ type, pos: this.start, val: this.input.slice(this.start, this.pos) });
    this.start = this.pos;
  }

  private ignore(): void {
    this.start = this.pos;
  }

  private fail(message: string): false {
    this.items.push({ type: 'error', pos: this.start, val: message });
    return false;
  }

  private goTo(state: () => boolean): true {
    this.next = state;
    return true;
  }

  private lexText(): boolean {
    const x = this.input.indexOf(LEFT_DELIM, this.pos);
    if (x < 0) {
      this.pos = this.input.length;
      if (this.pos > this.start) {
        this.emit('text');
      }
      this.emit('eof');
      return false;
    }
    this.pos = x;
    let trimLength = 0;
    const afterDelim = this.input.slice(x + LEFT_DELIM.length);
    if (hasLeftTrimMarker(afterDelim)) {
      trimLength = rightTrimLength(this.input.slice(this.start, this.pos));
    }
    this.pos -= trimLength;
    if (this.pos > this.start) this.emit('text');
    this.pos += trimLength;
    this.ignore();
    return this.goTo(() => this.lexLeftDelim());
  }

  private lexLeftDelim(): boolean {
    this.pos += LEFT_DELIM.length;
    const trimSpace = hasLeftTrimMarker(this.input.slice(this.pos));
    const afterMarker = trimSpace ? 2 : 0;
    if (this.input.startsWith(LEFT_COMMENT, this.pos + afterMarker)) {
      this.pos += afterMarker;
      this.ignore();
      return this.lexComment();
    }
    this.emit('leftDelim');
    this.pos += afterMarker;
    this.ignore();
    this.parenDepth = 0;
    this.insideAction = true;
    return this.goTo(() => this.lexInsideAction());
  }

  private lexComment(): boolean {
    this.pos += LEFT_COMMENT.length;
    const x = this.input.indexOf(RIGHT_COMMENT, this.pos);
    if (x < 0) return this.fail('unclosed comment');
    this.pos = x + RIGHT_COMMENT.length;
    const [delim, trimSpace] = this.atRightDelim();
    if (!delim) return this.fail('comment ends before closing delimiter');
    this.emit('comment');
    if (trimSpace) this.pos += 2;
    this.pos += RIGHT_DELIM.length;
    if (trimSpace) this.pos += leftTrimLength(this.input.slice(this.pos));
    this.ignore();
    return this.goTo(() => this.lexText());
  }

  private atRightDelim(): [boolean, boolean] {
    const rest = this.input.slice(this.pos);
    if (hasRightTrimMarker(rest) && rest.startsWith(RIGHT_DELIM, 2)) return [true, true];
    if (rest.startsWith(RIGHT_DELIM)) return [true, false];
    return [false, false];
  }

  private lexRightDelim(trimSpace: boolean): boolean {
    if (trimSpace) {
      this.pos += 2;
      this.ignore();
    }
    this.pos += RIGHT_DELIM.length;
    this.emit('rightDelim');
    if (trimSpace) {
      this.pos += leftTrimLength(this.input.slice(this.pos));
      this.ignore();
    }
    this.insideAction = false;
    return this.goTo(() => this.lexText());
  }

  private lexInsideAction(): boolean {
    const [delim, trimSpace] = this.atRightDelim();
    if (delim) {
      if (this.parenDepth === 0) return this.lexRightDelim(trimSpace);
      return this.fail('unclosed left paren');
    }
    const c = this.nextChar();
    if (c === '') return this.fail('unclosed action');
    if (isSpace(c)) {
      this.backup();
      return this.lexSpace();
    }
    if (c === '=') {
      this.emit('assign');
    } else if (c === ':') {
      if (this.nextChar() !== '=') return this.fail('expected :=');
      this.emit('declare');
    } else if (c === '|') {
      this.emit('pipe');
    } else if (c === '"') {
      return this.lexQuote();
    } else if (c === '`') {
      return this.lexRawQuote();
    } else if (c === '$') {
      return this.lexFieldOrVariable('variable');
    } else if (c === "'") {
      return this.lexChar();
    } else if (c === '.') {
      const d = this.peekChar();
      if (d >= '0' && d <= '9') {
        this.backup();
        return this.lexNumber();
      }
      return this.lexFieldOrVariable('field');
    } else if (c === '+' || c === '-' || (c >= '0' && c <= '9')) {
      this.backup();
      return this.lexNumber();
    } else if (isAlphaNumeric(c)) {
      this.backup();
      return this.lexIdentifier();
    } else if (c === '(') {
      this.emit('leftParen');
      this.parenDepth++;
    } else if (c === ')') {
      this.parenDepth--;
      if (this.parenDepth < 0) return this.fail('unexpected right paren');
      this.emit('rightParen');
    } else if (c === ',') {
      this.emit('char');
    } else if (c.charCodeAt(0) <= 0x7f && /[!-~]/.test(c)) {
      this.emit('char');
    } else {
      return this.fail(`unrecognized character in action: U+${codeOf(c)}`);
    }
    return this.goTo(() => this.lexInsideAction());
  }

  private lexSpace(): boolean {
    let numSpaces = 0;
    while (isSpace(this.peekChar())) {
      this.nextChar();
      numSpaces++;
    }
    // A space may be the first half of a trim-marked right delimiter (` -}}`).
    const fromLastSpace = this.input.slice(this.pos - 1);
    if (hasRightTrimMarker(fromLastSpace) && fromLastSpace.startsWith(RIGHT_DELIM, 2)) {
      this.backup();
      if (numSpaces === 1) return this.lexRightDelim(true);
    }
    this.emit('space');
    return this.goTo(() => this.lexInsideAction());
  }

  private lexIdentifier(): boolean {
    for (;;) {
      const c = this.nextChar();
      if (c !== '' && isAlphaNumeric(c)) continue;
      if (c !== '') this.backup();
      const word = this.input.slice(this.start, this.pos);
      if (!this.atTerminator()) return this.fail(`bad character U+${codeOf(this.peekChar())}`);
      if (KEYWORDS.has(word)) this.emit('keyword');
      else if (word === 'nil') this.emit('nil');
      else if (word === 'true' || word === 'false') this.emit('bool');
      else if (word.startsWith('.')) this.emit('field');
      else this.emit('identifier');
      return this.goTo(() => this.lexInsideAction());
    }
  }

  private lexFieldOrVariable(type: 'field' | 'variable'): boolean {
    if (this.atTerminator()) {
      this.emit(type === 'variable' ? 'variable' : 'dot');
      return this.goTo(() => this.lexInsideAction());
    }
    for (;;) {
      const c = this.nextChar();
      if (c === '' || !isAlphaNumeric(c)) {
        if (c !== '') this.backup();
        break;
      }
    }
    if (!this.atTerminator()) return this.fail(`bad character U+${codeOf(this.peekChar())}`);
    this.emit(type);
    return this.goTo(() => this.lexInsideAction());
  }

  private atTerminator(): boolean {
    const c = this.peekChar();
    if (c === '' || isSpace(c)) return true;
    if ('.,|:)('.includes(c)) return true;
    return this.input.startsWith(RIGHT_DELIM, this.pos);
  }

  private lexChar(): boolean {
    for (;;) {
      const c = this.nextChar();
      if (c === '\\') {
        if (this.nextChar() !== '' && this.peekChar() !== '\n') continue;
        return this.fail('unterminated character constant');
      }
      if (c === '' || c === '\n') return this.fail('unterminated character constant');
      if (c === "'") break;
    }
    this.emit('charConstant');
    return this.goTo(() => this.lexInsideAction());
  }

  private lexNumber(): boolean {
    if (!this.scanNumber()) return this.fail(`bad number syntax: ${JSON.stringify(this.input.slice(this.start, this.pos))}`);
    this.emit('number');
    return this.goTo(() => this.lexInsideAction());
  }

  private accept(valid: string): boolean {
    const c = this.peekChar();
    if (c !== '' && valid.includes(c)) {
      this.nextChar();
      return true;
    }
    return false;
  }

  private acceptRun(valid: string): void {
    while (this.accept(valid));
  }

  private scanNumber(): boolean {
    this.accept('+-');
    let digits = '0123456789_';
    if (this.accept('0')) {
      if (this.accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (this.accept('oO')) digits = '01234567_';
      else if (this.accept('bB')) digits = '01_';
    }
    this.acceptRun(digits);
    if (this.accept('.')) this.acceptRun(digits);
    if (digits.length === 11 && this.accept('eE')) {
      this.accept('+-');
      this.acceptRun('0123456789_');
    }
    if (digits.length === 23 && this.accept('pP')) {
      this.accept('+-');
      this.acceptRun('0123456789_');
    }
    this.accept('i');
    const c = this.peekChar();
    if (c !== '' && isAlphaNumeric(c)) {
      this.nextChar();
      return false;
    }
    return true;
  }

  private lexQuote(): boolean {
    for (;;) {
      const c = this.nextChar();
      if (c === '\\') {
        if (this.nextChar() !== '' && this.input[this.pos - 1] !== '\n') continue;
        return this.fail('unterminated quoted string');
      }
      if (c === '' || c === '\n') return this.fail('unterminated quoted string');
      if (c === '"') break;
    }
    this.emit('string');
    return this.goTo(() => this.lexInsideAction());
  }

  private lexRawQuote(): boolean {
    const x = this.input.indexOf('`', this.pos);
    if (x < 0) return this.fail('unterminated raw quoted string');
    this.pos = x + 1;
    this.emit('rawString');
    return this.goTo(() => this.lexInsideAction());
  }
}

/** Go's `%#U` rendering of a rune, e.g. `U+0021 '!'`. */
function codeOf(c: string): string {
  return `${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')} '${c}'`;
}

function hasLeftTrimMarker(s: string): boolean {
  return s.length >= 2 && s[0] === TRIM_MARKER && isSpace(s[1]!);
}

function hasRightTrimMarker(s: string): boolean {
  return s.length >= 2 && isSpace(s[0]!) && s[1] === TRIM_MARKER;
}

function rightTrimLength(s: string): number {
  return s.length - s.replace(/[ \t\r\n]+$/, '').length;
}

function leftTrimLength(s: string): number {
  return s.length - s.replace(/^[ \t\r\n]+/, '').length;
}
