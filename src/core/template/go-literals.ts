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

function isValidUnderscoreUse(whole: string, digits: string): boolean {
  if (!whole.includes('_')) return true;
  // Go allows `_` only between digits or right after a base prefix.
  return !/__/.test(whole) && !digits.endsWith('_') && !(whole === digits && digits.startsWith('_'));
}

/** Go's `strconv.ParseFloat(text, 64)` for decimal forms (hex floats are not supported). */
export function parseGoFloat(text: string): number | null {
  const s = text.replaceAll('_', '');
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return null;
  const v = Number(s);
  return Number.isFinite(v) ? v : null;
}
