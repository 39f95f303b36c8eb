/** Go literal syntax: `strconv.Unquote` for strings and runes, and integer/float constants. */
import { goStringFromBytes } from '../go-string.ts';

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  a: 7,
  b: 8,
  f: 12,
  n: 10,
  r: 13,
  t: 9,
  v: 11,
  '\\': 92,
  "'": 39,
  '"': 34,
};

/** Go's `strconv.Unquote`; returns null for invalid syntax (callers report position, not content). */
export function unquoteGo(quoted: string): string | null {
  if (quoted.length < 2) return null;
  const q = quoted[0];
  if (q !== quoted[quoted.length - 1]) return null;
  const body = quoted.slice(1, -1);
  if (q === '`') return body.includes('`') ? null : body.replaceAll('\r', '');
  if (q !== '"' && q !== "'") return null;
  const decoded = decodeEscapes(body, q);
  if (decoded === null) return null;
  if (q === "'" && [...decoded].length !== 1) return null;
  // In a rune literal `\xNN` and octal escapes are the code point NN, not a byte of a string.
  const c = decoded.charCodeAt(0);
  if (q === "'" && c >= 0xdc80 && c <= 0xdcff) return String.fromCharCode(c - 0xdc00);
  return decoded;
}

/**
 * Decodes Go escapes; `\x` and octal escapes are bytes, so the result is assembled as bytes and kept
 * as a Go string (core/go-string.ts): `"\xff"` stays the byte 0xff.
 */
function decodeEscapes(body: string, quote: string): string | null {
  const bytes: number[] = [];
  const pushText = (s: string): void => {
    for (const b of Buffer.from(s, 'utf8')) bytes.push(b);
  };
  let i = 0;
  while (i < body.length) {
    const c = body[i]!;
    if (c === quote || c === '\n') return null;
    if (c !== '\\') {
      const cp = body.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      pushText(ch);
      i += ch.length;
      continue;
    }
    const e = body[i + 1];
    if (e === undefined) return null;
    if (e in SIMPLE_ESCAPES) {
      if ((e === "'" && quote === '"') || (e === '"' && quote === "'")) return null;
      bytes.push(SIMPLE_ESCAPES[e]!);
      i += 2;
    } else if (e === 'x') {
      const hex = body.slice(i + 2, i + 4);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return null;
      bytes.push(parseInt(hex, 16));
      i += 4;
    } else if (e === 'u' || e === 'U') {
      const len = e === 'u' ? 4 : 8;
      const hex = body.slice(i + 2, i + 2 + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) return null;
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) return null;
      pushText(String.fromCodePoint(cp));
      i += 2 + len;
    } else if (e >= '0' && e <= '7') {
      const oct = body.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(oct)) return null;
      const v = parseInt(oct, 8);
      if (v > 255) return null;
      bytes.push(v);
      i += 4;
    } else {
      return null;
    }
  }
  return goStringFromBytes(Uint8Array.from(bytes));
}

/** Go's `strconv.ParseInt(text, 0, 64)`: base prefixes, leading-0 octal, underscores. */
export function parseGoInt(text: string): bigint | null {
  let s = text;
  let negative = false;
  if (s.startsWith('+') || s.startsWith('-')) {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  let digits: string;
  let radix: number;
  if (/^0[xX]/.test(s)) {
    digits = s.slice(2);
    radix = 16;
  } else if (/^0[oO]/.test(s)) {
    digits = s.slice(2);
    radix = 8;
  } else if (/^0[bB]/.test(s)) {
    digits = s.slice(2);
    radix = 2;
  } else if (s.length > 1 && s[0] === '0') {
    digits = s.slice(1);
    radix = 8;
  } else {
    digits = s;
    radix = 10;
  }
  if (!isValidUnderscoreUse(s, digits)) return null;
  digits = digits.replaceAll('_', '');
  const alphabet = '0123456789abcdef'.slice(0, radix);
  if (digits.length === 0 || ![...digits.toLowerCase()].every((d) => alphabet.includes(d))) return null;
  let value = 0n;
  for (const d of digits.toLowerCase()) value = value * BigInt(radix) + BigInt(alphabet.indexOf(d));
  if (negative) value = -value;
  if (value > 0x7fffffffffffffffn || value < -0x8000000000000000n) return null;
  return value;
}

function isValidUnderscoreUse(whole: string, _digits: string): boolean {
  return !whole.includes('_') || underscoreOK(whole);
}

/**
 * strconv's underscoreOK: `_` only between digits, or right after a base prefix (0b, 0o, 0x).
 * Go accepts underscores in every number strconv parses with base 0 and in ParseFloat.
 */
function underscoreOK(text: string): boolean {
  let s = text;
  let saw = '^';
  let i = 0;
  if (s.startsWith('+') || s.startsWith('-')) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'bBoOxX'.includes(s[1]!)) {
    i = 2;
    saw = '0';
    hex = s[1] === 'x' || s[1] === 'X';
  }
  for (; i < s.length; i++) {
    const c = s[i]!;
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

const DECIMAL_FLOAT = /^[+-]?(?=\.?[0-9])[0-9_]*(\.[0-9_]*)?([eE][+-]?[0-9][0-9_]*)?$/;
const HEX_FLOAT = /^([+-]?)0[xX]([0-9a-fA-F_]*)(?:\.([0-9a-fA-F_]*))?[pP]([+-]?[0-9][0-9_]*)$/;

/**
 * Go's `strconv.ParseFloat(text, 64)`: decimal and hexadecimal (`0x1p4`) forms with Go's
 * underscore rules, and `inf`/`infinity`/`nan` in any case (a sign only before inf). Returns null
 * for a syntax error and for a finite number too large for float64 (Go's ErrRange), as callers
 * (the template parser, spf13/cast) treat both as failure.
 */
export function parseGoFloat(text: string): number | null {
  const special = /^([+-]?)(inf|infinity)$/i.exec(text);
  if (special) return special[1] === '-' ? -Infinity : Infinity;
  if (/^nan$/i.test(text)) return NaN;
  if (!underscoreOK(text)) return null;
  let v: number;
  if (DECIMAL_FLOAT.test(text)) {
    v = Number(text.replaceAll('_', ''));
  } else {
    const m = HEX_FLOAT.exec(text);
    if (!m) return null;
    const intPart = m[2]!.replaceAll('_', '');
    const fracPart = (m[3] ?? '').replaceAll('_', '');
    if (intPart.length + fracPart.length === 0) return null;
    const mantissa = BigInt(`0x${intPart}${fracPart}` === '0x' ? '0' : `0x${intPart}${fracPart}`);
    const exp = Number(m[4]!.replaceAll('_', '')) - 4 * fracPart.length;
    v = hexToFloat(mantissa, exp);
    if (m[1] === '-') v = -v;
  }
  return Number.isFinite(v) ? v : null;
}

/** mantissa × 2^exp, rounded once to float64 (half to even) as strconv does. */
function hexToFloat(mantissa: bigint, exp: number): number {
  if (mantissa === 0n) return 0;
  // Keep 64 significant bits plus a sticky bit, then let Number() round the integer once.
  let m = mantissa;
  let e = exp;
  const bits = m.toString(2).length;
  if (bits > 64) {
    const shift = BigInt(bits - 64);
    const sticky = (m & ((1n << shift) - 1n)) !== 0n ? 1n : 0n;
    m = (m >> shift) | sticky;
    e += bits - 64;
  }
  // Scale in steps that stay exact while the value is a normal float64.
  let v = Number(m);
  const top = e + 64;
  if (top > 1100) return Infinity;
  if (top < -1200) return 0;
  while (e > 0) {
    const k = Math.min(e, 1000);
    v *= 2 ** k;
    e -= k;
  }
  while (e < 0) {
    const k = Math.min(-e, 1000);
    v /= 2 ** k;
    e += k;
  }
  return v;
}
