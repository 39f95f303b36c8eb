/**
 * PEM exactly as Go's `encoding/pem` (Go 1.26, the toolchain ESO builds with) decodes and encodes
 * it, on bytes. ESO's template functions (runtime/template/v2/pem.go, pkcs12.go, decrypt.go) call
 * `pem.Decode` and `pem.Encode`, so their acceptance and output bytes are these:
 *
 * Decode: find the first "\n-----END ", take the last "-----BEGIN " before it that starts a line;
 * the BEGIN line must end in "-----" (after trailing spaces/tabs); `Key: Value` lines right after
 * it are headers (key and value trimmed; a later duplicate wins); with headers, a line must separate
 * them from END; the END line must repeat the type, end in "-----" and carry only spaces/tabs after
 * it; the body, spaces and tabs removed, must be standard base64 (`\r`/`\n` skipped). A candidate
 * that breaks a rule is skipped and the search resumes after its END marker. Whole lines before a
 * block are skipped; text on the BEGIN line before "-----BEGIN" is not (ESO's trimJunk cuts it off
 * first where ESO needs that).
 *
 * Encode: "-----BEGIN T-----\n", headers (Proc-Type first, the rest sorted bytewise, then an empty
 * line), base64 in 64-column lines, "-----END T-----\n".
 */
import { decodeStd } from '../go-base64.ts';

export interface PemBlock {
  /** The bytes between "-----BEGIN " and "-----". */
  readonly type: Uint8Array;
  /** Header keys and values as bytes (latin1-mapped strings: one char per byte). */
  readonly headers: ReadonlyMap<string, string>;
  readonly bytes: Uint8Array;
}

const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const PEM_START = enc('\n-----BEGIN ');
const PEM_END = enc('\n-----END ');
const DASHES = enc('-----');

function indexOf(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  return Buffer.from(hay.buffer, hay.byteOffset, hay.byteLength).indexOf(Buffer.from(needle.buffer, needle.byteOffset, needle.byteLength), from);
}

function lastIndexOf(hay: Uint8Array, needle: Uint8Array): number {
  return Buffer.from(hay.buffer, hay.byteOffset, hay.byteLength).lastIndexOf(Buffer.from(needle.buffer, needle.byteOffset, needle.byteLength));
}

function hasPrefix(b: Uint8Array, p: Uint8Array): boolean {
  return b.length >= p.length && p.every((x, i) => b[i] === x);
}

function hasSuffix(b: Uint8Array, s: Uint8Array): boolean {
  return b.length >= s.length && s.every((x, i) => b[b.length - s.length + i] === x);
}

function trimRightSpaceTab(b: Uint8Array): Uint8Array {
  let e = b.length;
  while (e > 0 && (b[e - 1] === 0x20 || b[e - 1] === 0x09)) e--;
  return b.subarray(0, e);
}

/** Go's getLine: the first \n- or \r\n-terminated line without trailing spaces/tabs, the rest, bytes consumed. */
function getLine(data: Uint8Array): { line: Uint8Array; rest: Uint8Array; consumed: number } {
  let i = data.indexOf(0x0a);
  let j: number;
  if (i < 0) {
    i = data.length;
    j = i;
  } else {
    j = i + 1;
    if (i > 0 && data[i - 1] === 0x0d) i--;
  }
  return { line: trimRightSpaceTab(data.subarray(0, i)), rest: data.subarray(j), consumed: j };
}

/** Go's bytes.TrimSpace (ASCII whitespace and Unicode White_Space runes at either end). */
function trimSpace(b: Uint8Array): Uint8Array {
  const s = Buffer.from(b).toString('latin1');
  // Decode as UTF-8 only to find Unicode spaces at the ends; bytes in between are kept as they are.
  const isSpaceAt = (k: number, fromEnd: boolean): number => {
    const c = fromEnd ? s.charCodeAt(k - 1) : s.charCodeAt(k);
    if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) return 1;
    const text = Buffer.from(fromEnd ? b.subarray(Math.max(0, k - 3), k) : b.subarray(k, k + 3)).toString('utf8');
    const ch = fromEnd ? [...text].pop() : [...text][0];
    if (ch === undefined || ch === '\uFFFD') return 0;
    const len = Buffer.byteLength(ch, 'utf8');
    return /^[\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]$/u.test(ch) ? len : 0;
  };
  let start = 0;
  let end = b.length;
  for (let n = 0; start < end && (n = isSpaceAt(start, false)) > 0; ) start += n;
  for (let n = 0; end > start && (n = isSpaceAt(end, true)) > 0; ) end -= n;
  return b.subarray(start, end);
}

function removeSpacesAndTabs(b: Uint8Array): Uint8Array {
  return b.filter((x) => x !== 0x20 && x !== 0x09);
}

const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

/** Go's `pem.Decode`: the next block and the rest, or no block and the whole input. */
export function pemDecode(data: Uint8Array): { block: PemBlock | undefined; rest: Uint8Array } {
  let rest = data;
  let endTrailerIndex = 0;
  for (;;) {
    if (endTrailerIndex < 0 || endTrailerIndex > rest.length) return { block: undefined, rest: data };
    rest = rest.subarray(endTrailerIndex);

    let endIndex = indexOf(rest, PEM_END);
    if (endIndex < 0) return { block: undefined, rest: data };
    endTrailerIndex = endIndex + PEM_END.length;
    const beginIndex = lastIndexOf(rest.subarray(0, endIndex), PEM_START.subarray(1));
    if (beginIndex < 0 || (beginIndex > 0 && rest[beginIndex - 1] !== 0x0a)) continue;
    const skip = beginIndex + PEM_START.length - 1;
    rest = rest.subarray(skip);
    endIndex -= skip;
    endTrailerIndex -= skip;

    const typeLineRead = getLine(rest);
    let typeLine = typeLineRead.line;
    rest = typeLineRead.rest;
    endIndex -= typeLineRead.consumed;
    endTrailerIndex -= typeLineRead.consumed;
    if (!hasSuffix(typeLine, DASHES)) continue;
    typeLine = typeLine.subarray(0, typeLine.length - DASHES.length);

    const headers = new Map<string, string>();
    let ranOut = false;
    for (;;) {
      if (rest.length === 0) {
        ranOut = true;
        break;
      }
      const { line, rest: next, consumed } = getLine(rest);
      const colon = line.indexOf(0x3a);
      if (colon < 0) break;
      headers.set(latin1(trimSpace(line.subarray(0, colon))), latin1(trimSpace(line.subarray(colon + 1))));
      rest = next;
      endIndex -= consumed;
      endTrailerIndex -= consumed;
    }
    if (ranOut) return { block: undefined, rest: data };

    if (headers.size > 0 && endIndex < 0) continue;

    let endTrailer = rest.subarray(endTrailerIndex);
    const endTrailerLen = typeLine.length + DASHES.length;
    if (endTrailer.length < endTrailerLen) continue;
    const restOfEndLine = endTrailer.subarray(endTrailerLen);
    endTrailer = endTrailer.subarray(0, endTrailerLen);
    if (!hasPrefix(endTrailer, typeLine) || !hasSuffix(endTrailer, DASHES)) continue;
    if (getLine(restOfEndLine).line.length !== 0) continue;

    let bytes: Uint8Array = new Uint8Array(0);
    if (endIndex > 0) {
      const decoded = decodeStd(removeSpacesAndTabs(rest.subarray(0, endIndex)));
      if (!decoded.ok) continue;
      bytes = decoded.bytes;
    }
    const after = getLine(rest.subarray(endIndex + PEM_END.length - 1)).rest;
    return { block: { type: typeLine, headers, bytes }, rest: after };
  }
}

/** Go's `pem.Encode` (header keys from Decode never hold a colon, so it cannot fail here). */
export function pemEncode(block: { type: Uint8Array | string; headers?: ReadonlyMap<string, string>; bytes: Uint8Array }): Uint8Array {
  const type = typeof block.type === 'string' ? enc(block.type) : block.type;
  const parts: Uint8Array[] = [enc('-----BEGIN '), type, enc('-----\n')];
  const headers = block.headers ?? new Map<string, string>();
  if (headers.size > 0) {
    const proc = headers.get('Proc-Type');
    if (proc !== undefined) parts.push(enc(`Proc-Type: ${proc}\n`));
    const keys = [...headers.keys()].filter((k) => k !== 'Proc-Type').sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const k of keys) parts.push(enc(`${k}: ${headers.get(k)!}\n`));
    parts.push(enc('\n'));
  }
  const b64 = Buffer.from(block.bytes).toString('base64');
  for (let i = 0; i < b64.length; i += 64) parts.push(enc(`${b64.slice(i, i + 64)}\n`));
  parts.push(enc('-----END '), type, enc('-----\n'));
  return new Uint8Array(Buffer.concat(parts));
}

/** Every block `pem.Decode` finds in turn, and what is left after the last one. */
export function pemDecodeAll(data: Uint8Array): { blocks: PemBlock[]; rest: Uint8Array } {
  const blocks: PemBlock[] = [];
  let rest = data;
  for (;;) {
    const r = pemDecode(rest);
    rest = r.rest;
    if (!r.block) return { blocks, rest };
    blocks.push(r.block);
  }
}
