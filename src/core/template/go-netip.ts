/**
 * Go's netip.ParseAddr (net/netip/netip.go), which net.ParseIP also uses (rejecting zones): dotted
 * IPv4 with no leading zeros, IPv6 with at most one `::`, an embedded IPv4 tail and a non-empty
 * `%zone`. Pure (no node:net, whose rules differ: it takes zones where Go's ParseIP does not).
 */

export interface GoAddr {
  /** 4 bytes for IPv4, 16 for IPv6. */
  readonly bytes: Uint8Array;
  readonly zone: string;
}

/** parseIPv4Fields: writes 4 bytes into `out`; false when `s` is not a dotted quad as Go reads it. */
function ipv4Fields(s: string, out: Uint8Array, at: number): boolean {
  let val = 0;
  let pos = 0;
  let digLen = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      if (digLen === 1 && val === 0) return false;
      val = val * 10 + (c - 0x30);
      digLen++;
      if (val > 255) return false;
    } else if (c === 0x2e) {
      if (i === 0 || i === s.length - 1 || s[i - 1] === '.') return false;
      if (pos === 3) return false;
      out[at + pos++] = val;
      val = 0;
      digLen = 0;
    } else return false;
  }
  if (pos < 3) return false;
  out[at + 3] = val;
  return true;
}

function hexVal(c: string): number {
  const v = parseInt(c, 16);
  return /^[0-9a-fA-F]$/.test(c) ? v : -1;
}

function parseIPv6(input: string): GoAddr | undefined {
  let s = input;
  let zone = '';
  const pct = s.indexOf('%');
  if (pct !== -1) {
    zone = s.slice(pct + 1);
    s = s.slice(0, pct);
    if (zone === '') return undefined;
  }
  const ip = new Uint8Array(16);
  let ellipsis = -1;
  if (s.startsWith('::')) {
    ellipsis = 0;
    s = s.slice(2);
    if (s.length === 0) return { bytes: ip, zone };
  }
  let i = 0;
  while (i < 16) {
    let off = 0;
    let acc = 0;
    for (; off < s.length; off++) {
      const h = hexVal(s[off]!);
      if (h < 0) break;
      acc = acc * 16 + h;
      if (off > 3 || acc > 0xffff) return undefined;
    }
    if (off === 0) return undefined;
    if (off < s.length && s[off] === '.') {
      if (ellipsis < 0 && i !== 12) return undefined;
      if (i + 4 > 16) return undefined;
      if (!ipv4Fields(s, ip, i)) return undefined;
      s = '';
      i += 4;
      break;
    }
    ip[i] = acc >> 8;
    ip[i + 1] = acc & 0xff;
    i += 2;
    s = s.slice(off);
    if (s.length === 0) break;
    if (s[0] !== ':' || s.length === 1) return undefined;
    s = s.slice(1);
    if (s[0] === ':') {
      if (ellipsis >= 0) return undefined;
      ellipsis = i;
      s = s.slice(1);
      if (s.length === 0) break;
    }
  }
  if (s.length !== 0) return undefined;
  if (i < 16) {
    if (ellipsis < 0) return undefined;
    const n = 16 - i;
    for (let j = i - 1; j >= ellipsis; j--) ip[j + n] = ip[j]!;
    ip.fill(0, ellipsis, ellipsis + n);
  } else if (ellipsis >= 0) return undefined;
  return { bytes: ip, zone };
}

/** netip.ParseAddr; undefined where Go returns an error. */
export function parseGoAddr(s: string): GoAddr | undefined {
  for (const c of s) {
    if (c === '.') {
      const out = new Uint8Array(4);
      return ipv4Fields(s, out, 0) ? { bytes: out, zone: '' } : undefined;
    }
    if (c === ':') return parseIPv6(s);
    if (c === '%') return undefined;
  }
  return undefined;
}

/** net.ParseIP then To4 where it fits (as x509's marshalSANs writes IPs): 4 or 16 bytes; undefined when invalid or zoned. */
export function parseGoIpForSan(s: string): Uint8Array | undefined {
  const a = parseGoAddr(s);
  if (!a || a.zone !== '') return undefined;
  const b = a.bytes;
  if (b.length === 16 && b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) return b.slice(12);
  return b;
}
