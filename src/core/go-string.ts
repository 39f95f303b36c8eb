/**
 * Go strings are byte sequences; JavaScript strings are UTF-16. This is the one lossless mapping
 * between the two that Projector uses wherever a Go string may hold bytes that are not UTF-8 (the
 * template engine's values, see core/template/values.ts):
 *
 * - every valid UTF-8 sequence (Go's `unicode/utf8` rules: no overlong forms, no surrogates,
 *   nothing above U+10FFFF) becomes its code point;
 * - every other byte B (always ≥ 0x80) becomes the lone low surrogate U+DC00 + B, i.e. U+DC80..U+DCFF.
 *
 * Decoding valid UTF-8 never yields a surrogate, so the mapping is injective and `goStringToBytes`
 * inverts it exactly. A string that holds no such surrogate is plain text (`isTextString`).
 * `Buffer.toString('utf8')` instead replaces invalid bytes with U+FFFD, which alters binary data.
 */

const ESCAPE_BASE = 0xdc00;

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function isCont(b: number | undefined): boolean {
  return b !== undefined && b >= 0x80 && b <= 0xbf;
}

/** Length of the valid UTF-8 sequence at `i`, or 0 if the byte there does not start one (Go's utf8.DecodeRune width). */
export function utf8SequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i]!;
  if (b0 < 0x80) return 1;
  const b1 = bytes[i + 1];
  if (b0 >= 0xc2 && b0 <= 0xdf) return isCont(b1) ? 2 : 0;
  const b2 = bytes[i + 2];
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const lo = b0 === 0xe0 ? 0xa0 : 0x80;
    const hi = b0 === 0xed ? 0x9f : 0xbf;
    return b1 !== undefined && b1 >= lo && b1 <= hi && isCont(b2) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const lo = b0 === 0xf0 ? 0x90 : 0x80;
    const hi = b0 === 0xf4 ? 0x8f : 0xbf;
    return b1 !== undefined && b1 >= lo && b1 <= hi && isCont(b2) && isCont(bytes[i + 3]) ? 4 : 0;
  }
  return 0;
}

/** Bytes → the JavaScript form of the Go string with those bytes (lossless; see the module comment). */
export function goStringFromBytes(bytes: Uint8Array): string {
  try {
    return fatalUtf8.decode(bytes);
  } catch {
    // Not UTF-8: decode piecewise, escaping each byte that does not start a valid sequence.
  }
  let out = '';
  let textStart = 0;
  let i = 0;
  while (i < bytes.length) {
    const n = utf8SequenceLength(bytes, i);
    if (n > 0) {
      i += n;
      continue;
    }
    out += fatalUtf8.decode(bytes.subarray(textStart, i)) + String.fromCharCode(ESCAPE_BASE + bytes[i]!);
    i += 1;
    textStart = i;
  }
  return out + fatalUtf8.decode(bytes.subarray(textStart));
}

/**
 * True when `s` holds no escaped byte (and no lone surrogate at all): its UTF-8 form is the Go string.
 * `isWellFormed` is exactly "no lone surrogate", and V8 answers it without a scan for strings it
 * stores as one byte per character (a 1 MB ASCII secret costs nothing, where a regular
 * expression over it took milliseconds on every call).
 */
export function isTextString(s: string): boolean {
  return s.isWellFormed();
}

/**
 * The one form of the Go string `s` stands for: joining escaped strings can leave escaped bytes
 * side by side that together are valid UTF-8 (`"\xe2" + "\x82\xac"` is "€" in Go); this decodes
 * them again so equal Go strings are equal JavaScript strings. Text is returned as it is.
 */
export function canonicalGoString(s: string): string {
  if (isTextString(s)) return s;
  const bytes = goStringToBytes(s);
  return bytes === undefined ? s : goStringFromBytes(bytes);
}

/**
 * The bytes of the Go string `s` stands for; `undefined` when `s` holds a lone surrogate that is not
 * an escaped byte (one JavaScript string slicing produced): no Go string corresponds to it.
 */
export function goStringToBytes(s: string): Uint8Array | undefined {
  if (isTextString(s)) return new Uint8Array(Buffer.from(s, 'utf8'));
  const parts: Uint8Array[] = [];
  let textStart = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    const next = s.charCodeAt(i + 1);
    if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      i++; // a surrogate pair: text
      continue;
    }
    if (c < 0xdc80 || c > 0xdcff) return undefined;
    parts.push(Buffer.from(s.slice(textStart, i), 'utf8'), Uint8Array.of(c - ESCAPE_BASE));
    textStart = i + 1;
  }
  parts.push(Buffer.from(s.slice(textStart), 'utf8'));
  return new Uint8Array(Buffer.concat(parts));
}

/** Go's `len(s)`: the byte length (a stray lone surrogate counts as the 3 bytes of U+FFFD). */
export function goStringByteLength(s: string): number {
  if (isTextString(s)) return Buffer.byteLength(s, 'utf8');
  return goStringToBytes(s)?.length ?? Buffer.byteLength(s, 'utf8');
}

const ESCAPED_BYTE = /[\uDC80-\uDCFF]/gu;

/**
 * The runes Go sees in `s` (`for range s`, `[]rune(s)`, strings.Map, regexp): every byte that is
 * not UTF-8 reads as utf8.RuneError, U+FFFD. Each escaped byte is one UTF-16 unit and so is U+FFFD,
 * so indexes into the result are indexes into `s`: a match found here is sliced from `s` to keep
 * the original bytes, as Go's regexp and strings.TrimFunc do. Text is returned as it is.
 */
export function goRuneString(s: string): string {
  // With the `u` flag a surrogate pair is one code point, so only lone (escaped) units match.
  return isTextString(s) ? s : s.replace(ESCAPED_BYTE, '\uFFFD');
}

/**
 * The bytes of `s` as a "binary string" (one UTF-16 unit per byte, U+0000..U+00FF), for the
 * strings-package operations Go does on bytes (Index, Split, Replace) when an argument is not
 * text; `fromByteString` turns the result back into a Go string.
 */
export function toByteString(s: string): string {
  return Buffer.from(goStringToBytes(s) ?? Buffer.from(s, 'utf8')).toString('latin1');
}

/** Inverse of `toByteString`. */
export function fromByteString(b: string): string {
  return goStringFromBytes(new Uint8Array(Buffer.from(b, 'latin1')));
}

/**
 * Go's `<` on strings: byte order of the UTF-8 form, which is code point order (JavaScript's `<`
 * compares UTF-16 units, so U+E000..U+FFFF would sort after astral characters). Strings holding
 * escaped bytes (core/go-string.ts) are compared as bytes.
 */
export function compareGoStrings(a: string, b: string): number {
  if (!isTextString(a) || !isTextString(b)) return Buffer.compare(goStringToBytes(a) ?? Buffer.from(a, 'utf8'), goStringToBytes(b) ?? Buffer.from(b, 'utf8'));
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (astral code points) sort above every BMP unit in code point order.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}
