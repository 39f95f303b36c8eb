// A minimal DER writer for the certificates the vault creates (certificate-create.ts). The vault
// layer imports only platform/ and itself (test/unit/architecture.test.ts), so it keeps these few
// encoders of X.690 rather than reaching into core/template/der.ts, which reads and writes the
// same encoding for ESO's template functions.

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
/** SET OF, elements sorted by their encodings as DER requires (X.690 11.6). */
export const derSet = (...items: Uint8Array[]): Uint8Array => tlv(0x31, ...[...items].sort((a, b) => Buffer.compare(a, b)));
export const derOctets = (b: Uint8Array): Uint8Array => tlv(0x04, b);
export const derNull = (): Uint8Array => Uint8Array.of(0x05, 0x00);
/** A BIT STRING of whole bytes (no unused bits). */
export const derBitString = (b: Uint8Array): Uint8Array => tlv(0x03, Uint8Array.of(0), b);
/** `[n] EXPLICIT` (constructed context-specific). */
export const derExplicit = (n: number, ...items: Uint8Array[]): Uint8Array => tlv(0xa0 | n, ...items);

/** A non-negative INTEGER from big-endian magnitude bytes (leading zeros trimmed, a sign byte added when needed). */
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
