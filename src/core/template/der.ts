/**
 * A small strict DER reader and writer for the structures ESO's template functions read and write
 * (PKCS#12, PKCS#8, X.509 extensions). Acceptance follows Go's `encoding/asn1`, which
 * go-pkcs12 and `crypto/x509` use: definite lengths only, minimally encoded lengths, no trailing
 * bytes where the caller checks for them. Errors carry structure names only, never content.
 */

export class DerError extends Error {
  override readonly name = 'DerError';
}

/** One TLV: `class` 0 universal, 1 application, 2 context-specific, 3 private. */
export interface Tlv {
  readonly cls: number;
  readonly constructed: boolean;
  readonly tag: number;
  /** The whole element, header included. */
  readonly full: Uint8Array;
  /** The content octets. */
  readonly content: Uint8Array;
}

export const TAG = {
  INTEGER: 2,
  BIT_STRING: 3,
  OCTET_STRING: 4,
  NULL: 5,
  OID: 6,
  UTF8_STRING: 12,
  SEQUENCE: 16,
  SET: 17,
  PRINTABLE_STRING: 19,
  T61_STRING: 20,
  IA5_STRING: 22,
  BMP_STRING: 30,
} as const;

/** Reads the element at `offset`; returns it and the offset after it. */
export function readTlv(buf: Uint8Array, offset = 0): { tlv: Tlv; next: number } {
  let i = offset;
  if (i >= buf.length) throw new DerError('asn1: syntax error: sequence truncated');
  const b0 = buf[i++]!;
  const cls = b0 >> 6;
  const constructed = (b0 & 0x20) !== 0;
  let tag = b0 & 0x1f;
  if (tag === 0x1f) {
    tag = 0;
    let n = 0;
    for (;;) {
      if (i >= buf.length) throw new DerError('asn1: syntax error: truncated tag');
      const b = buf[i++]!;
      if (n === 0 && b === 0x80) throw new DerError('asn1: structure error: non-minimal tag');
      tag = tag * 128 + (b & 0x7f);
      n++;
      if (n > 4) throw new DerError('asn1: structure error: base 128 integer too large');
      if ((b & 0x80) === 0) break;
    }
    if (tag < 0x1f) throw new DerError('asn1: structure error: non-minimal tag');
  }
  if (i >= buf.length) throw new DerError('asn1: syntax error: truncated tag or length');
  const l0 = buf[i++]!;
  let length: number;
  if (l0 < 0x80) {
    length = l0;
  } else if (l0 === 0x80) {
    throw new DerError('asn1: syntax error: indefinite length found (not DER)');
  } else {
    const n = l0 & 0x7f;
    if (n > 4) throw new DerError('asn1: structure error: length too large');
    length = 0;
    for (let k = 0; k < n; k++) {
      if (i >= buf.length) throw new DerError('asn1: syntax error: truncated tag or length');
      const b = buf[i++]!;
      if (k === 0 && b === 0) throw new DerError('asn1: structure error: superfluous leading zeros in length');
      length = length * 256 + b;
    }
    if (length < 0x80) throw new DerError('asn1: structure error: non-minimal length');
  }
  if (i + length > buf.length) throw new DerError('asn1: syntax error: data truncated');
  return {
    tlv: { cls, constructed, tag, full: buf.subarray(offset, i + length), content: buf.subarray(i, i + length) },
    next: i + length,
  };
}

/** Parses exactly one element filling `buf` (go-pkcs12's `unmarshal`: trailing bytes fail). */
export function parseOnly(buf: Uint8Array): Tlv {
  const { tlv, next } = readTlv(buf, 0);
  if (next !== buf.length) throw new DerError('pkcs12: trailing data found');
  return tlv;
}

/** The elements inside a constructed value. */
export function children(t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let i = 0;
  while (i < t.content.length) {
    const { tlv, next } = readTlv(t.content, i);
    out.push(tlv);
    i = next;
  }
  return out;
}

export function isUniversal(t: Tlv | undefined, tag: number): t is Tlv {
  return t !== undefined && t.cls === 0 && t.tag === tag;
}

export function expect(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!isUniversal(t, tag)) throw new DerError(`asn1: structure error: tags don't match (${what})`);
  if (tag === TAG.SEQUENCE || tag === TAG.SET) {
    if (!t.constructed) throw new DerError(`asn1: structure error: tags don't match (${what})`);
  } else if (t.constructed) {
    throw new DerError(`asn1: structure error: tags don't match (${what})`);
  }
  return t;
}

export function seq(t: Tlv | undefined, what: string): Tlv[] {
  return children(expect(t, TAG.SEQUENCE, what));
}

/** Go's asn1 INTEGER into an `int`: minimal two's complement, fits in 64 bits (here: a safe integer). */
export function readInt(t: Tlv | undefined, what: string): number {
  const c = expect(t, TAG.INTEGER, what).content;
  if (c.length === 0) throw new DerError('asn1: syntax error: empty integer');
  if (c.length > 1 && ((c[0] === 0 && (c[1]! & 0x80) === 0) || (c[0] === 0xff && (c[1]! & 0x80) !== 0))) {
    throw new DerError('asn1: structure error: integer not minimally-encoded');
  }
  let v = BigInt.asIntN(c.length * 8, BigInt(`0x${Buffer.from(c).toString('hex')}`));
  if (c.length > 8) throw new DerError('asn1: structure error: integer too large');
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) v = BigInt(Number.MAX_SAFE_INTEGER);
  return Number(v);
}

export function readOid(t: Tlv | undefined, what: string): string {
  const c = expect(t, TAG.OID, what).content;
  if (c.length === 0 || (c[c.length - 1]! & 0x80) !== 0) throw new DerError('asn1: syntax error: invalid object identifier');
  const arcs: number[] = [];
  let v = 0;
  for (let i = 0; i < c.length; i++) {
    if (v === 0 && c[i] === 0x80) throw new DerError('asn1: structure error: invalid object identifier');
    v = v * 128 + (c[i]! & 0x7f);
    if ((c[i]! & 0x80) === 0) {
      if (arcs.length === 0) {
        const first = v < 80 ? Math.floor(v / 40) : 2;
        arcs.push(first, v - first * 40);
      } else {
        arcs.push(v);
      }
      v = 0;
    }
  }
  return arcs.join('.');
}

export function readOctets(t: Tlv | undefined, what: string): Uint8Array {
  return expect(t, TAG.OCTET_STRING, what).content;
}

// ---- writing ----

function lengthBytes(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  while (n > 0) {
    out.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  return [0x80 | out.length, ...out];
}

/** A TLV from an identifier octet (class|constructed|tag, tag < 31) and content. */
export function tlv(identifier: number, ...content: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(content);
  return new Uint8Array(Buffer.concat([Uint8Array.from([identifier, ...lengthBytes(body.length)]), body]));
}

export const derSeq = (...items: Uint8Array[]): Uint8Array => tlv(0x30, ...items);
/** SET OF: encoding/asn1 sorts the elements by their encodings, as DER requires. */
export const derSet = (...items: Uint8Array[]): Uint8Array => tlv(0x31, ...[...items].sort((a, b) => Buffer.compare(a, b)));
export const derOctets = (b: Uint8Array): Uint8Array => tlv(0x04, b);
export const derNull = (): Uint8Array => Uint8Array.of(0x05, 0x00);
export const derBitString = (b: Uint8Array): Uint8Array => tlv(0x03, Uint8Array.of(0), b);
/** `[n] EXPLICIT` (constructed context-specific). */
export const derExplicit = (n: number, ...items: Uint8Array[]): Uint8Array => tlv(0xa0 | n, ...items);

/** A non-negative INTEGER from big-endian magnitude bytes (leading zeros trimmed, sign byte added). */
export function derUnsigned(magnitude: Uint8Array): Uint8Array {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  let m = magnitude.subarray(i);
  if (m.length === 0) m = Uint8Array.of(0);
  if ((m[0]! & 0x80) !== 0) m = Uint8Array.from([0, ...m]);
  return tlv(0x02, m);
}

export function derSmallInt(n: number): Uint8Array {
  const hex = n.toString(16);
  return derUnsigned(Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex'));
}

export function derOid(oid: string): Uint8Array {
  const arcs = oid.split('.').map(Number);
  const out: number[] = [];
  const push = (v: number): void => {
    const bytes = [v & 0x7f];
    v = Math.floor(v / 128);
    while (v > 0) {
      bytes.unshift((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(...bytes);
  };
  push(arcs[0]! * 40 + arcs[1]!);
  for (const a of arcs.slice(2)) push(a);
  return tlv(0x06, Uint8Array.from(out));
}
