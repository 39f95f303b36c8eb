/**
 * Base64 decoding with exactly the acceptance rules of Go's `encoding/base64`
 * (`StdEncoding.DecodeString` / `URLEncoding.DecodeString`), which ESO uses for
 * `decodingStrategy` (runtime/decoding/decoding.go), sprig's `b64dec` and Kubernetes `[]byte` fields:
 *
 * - padding is required (`YQ` fails, `YQ==` decodes);
 * - `\r` and `\n` are skipped anywhere, even between the two `=`; any other byte outside the
 *   alphabet (a space, a tab, the other encoding's `+/` or `-_`) fails;
 * - nothing may follow the padding except `\r`/`\n`;
 * - non-zero bits after the last byte are accepted (Go's non-strict mode: `YR==` is `a`);
 * - a failure names the byte offset like Go's `CorruptInputError`: `illegal base64 data at input byte N`.
 *
 * Node's `Buffer.from(s, 'base64')` instead skips every character it does not know and accepts
 * missing padding, so it turns text such as `dbuser` into bytes where Go refuses.
 */

export type Base64Result =
  | { readonly ok: true; readonly bytes: Uint8Array }
  /** `offset` is Go's CorruptInputError: a byte offset into the input; `message` is Go's error text. */
  | { readonly ok: false; readonly offset: number; readonly message: string };

const STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const PAD = 0x3d; // '='
const LF = 0x0a;
const CR = 0x0d;

function decodeMap(alphabet: string): Uint8Array {
  const map = new Uint8Array(256).fill(0xff);
  for (let i = 0; i < alphabet.length; i++) map[alphabet.charCodeAt(i)] = i;
  return map;
}

const STD_MAP = decodeMap(STD);
const URL_MAP = decodeMap(URL);

/** Go's `CorruptInputError.Error()`. */
export function base64ErrorMessage(offset: number): string {
  return `illegal base64 data at input byte ${offset}`;
}

function corrupt(offset: number): Base64Result {
  return { ok: false, offset, message: base64ErrorMessage(offset) };
}

function isNewline(b: number | undefined): boolean {
  return b === LF || b === CR;
}

/**
 * One pass over `src`, a quantum (4 symbols, newlines skipped) at a time, reporting the offsets Go
 * reports (`encoding/base64`, `Encoding.decodeQuantum` with padding and non-strict decoding).
 */
function decode(src: Uint8Array, map: Uint8Array): Base64Result {
  const out: number[] = [];
  let si = 0;
  while (true) {
    const quantum = [0, 0, 0, 0];
    let dlen = 4;
    let trailing: number | undefined;
    let j = 0;
    for (; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return { ok: true, bytes: Uint8Array.from(out) };
        // Padding is required: a quantum cut short by the end of input is corrupt where it began.
        return corrupt(si - j);
      }
      const ch = src[si]!;
      si++;
      const v = map[ch]!;
      if (v !== 0xff) {
        quantum[j] = v;
        continue;
      }
      if (isNewline(ch)) {
        j--;
        continue;
      }
      if (ch !== PAD) return corrupt(si - 1);
      // Padding: only after two or three symbols, and "==" after two.
      if (j === 0 || j === 1) return corrupt(si - 1);
      if (j === 2) {
        while (si < src.length && isNewline(src[si])) si++;
        if (si === src.length) return corrupt(src.length);
        if (src[si] !== PAD) return corrupt(si - 1);
        si++;
      }
      while (si < src.length && isNewline(src[si])) si++;
      if (si < src.length) trailing = si;
      dlen = j;
      break;
    }
    if (trailing !== undefined) return corrupt(trailing);
    const val = (quantum[0]! << 18) | (quantum[1]! << 12) | (quantum[2]! << 6) | quantum[3]!;
    out.push((val >>> 16) & 0xff);
    if (dlen >= 3) out.push((val >>> 8) & 0xff);
    if (dlen === 4) out.push(val & 0xff);
    if (dlen < 4) return { ok: true, bytes: Uint8Array.from(out) };
  }
}

/** Go's `base64.StdEncoding.DecodeString` over the bytes of the input. */
export function decodeStd(input: Uint8Array): Base64Result {
  return decode(input, STD_MAP);
}

/** Go's `base64.URLEncoding.DecodeString` over the bytes of the input. */
export function decodeURL(input: Uint8Array): Base64Result {
  return decode(input, URL_MAP);
}

/** `decodeStd` over the UTF-8 bytes of a text string (a manifest field, for example). */
export function decodeStdText(input: string): Base64Result {
  return decodeStd(new Uint8Array(Buffer.from(input, 'utf8')));
}
