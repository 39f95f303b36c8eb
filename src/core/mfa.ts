// ESO's MFA generator (generators/v1/mfa/{mfa,otp}.go), the pure half: a TOTP code (RFC 6238 over
// RFC 4226's HOTP) from a base32 seed at a given time. The seed is read from a Kubernetes Secret at
// the edge (sync/generate.ts); the time is passed in (`nowMs`, or the spec's `when`).
//
// ESO's rules, followed exactly:
// * the seed has every space removed and is upper-cased (cleanUpToken), then decoded by Go's
//   base32.StdEncoding.WithPadding(NoPadding).DecodeString (CR and LF ignored; `=` is an illegal
//   character; a trailing group of 1, 3 or 6 characters adds no byte);
// * length (digits) ≤ 0 means 6, timePeriod ≤ 0 means 30 seconds, `when` absent means now;
// * `algorithm` is declared in ESO's CRD but its Generate never passes it on (no WithAlgorithm
//   call), so the HMAC is always SHA-1: Projector does the same (tokens identical to ESO's), and
//   mfaIssues warns when another algorithm is asked for;
// * counter = ⌊unix seconds / timePeriod⌋ as Go's uint64 (a time before 1970 wraps, as on amd64);
//   timeLeft = timePeriod − (unix seconds mod timePeriod) with Go's truncated remainder;
// * the code is the 31-bit dynamic truncation mod 10^length (for length ≥ 10 the whole 31-bit value,
//   as Go's int(math.Pow10(n)) exceeds it), zero-padded to length (fmt "%0Nd").
import { createHmac } from 'node:crypto';
import type { MFASpec } from '../api/generators.ts';
import { ProjectorError } from './errors.ts';
import { issue, type Issue, issueText } from './issues.ts';
import { MAX_MFA_LENGTH } from './limits.ts';
import { Sensitive } from './sensitive.ts';

export { MAX_MFA_LENGTH };

const DEFAULT_LENGTH = 6;
const DEFAULT_PERIOD_S = 30;

/**
 * The rules of an MFA spec, as issues at `path`: `secret.name` and `secret.key` set (ESO reads that
 * Secret key; the CRD requires `secret`), a `when` that parses as an RFC 3339 time (metav1.Time),
 * length at most MAX_MFA_LENGTH; a warning for an `algorithm` other than sha1, which ESO ignores.
 */
export function mfaIssues(spec: Partial<MFASpec> | undefined, path: string): Issue[] {
  const out: Issue[] = [];
  if (!spec?.secret?.name || !spec.secret.key) out.push(issue(`${path}.secret`, 'InvalidSpec', 'secret needs name and key (the Secret key holding the base32 TOTP seed)'));
  if (typeof spec?.length === 'number' && spec.length > MAX_MFA_LENGTH) out.push(issue(`${path}.length`, 'InvalidSpec', `length is ${spec.length}; at most ${MAX_MFA_LENGTH} digits are allowed (a Secret holds at most 1 MiB)`));
  if (spec?.when !== undefined && spec.when !== null && parseRfc3339Seconds(spec.when) === undefined) out.push(issue(`${path}.when`, 'InvalidSpec', 'when must be an RFC 3339 time, e.g. 2024-01-02T15:04:05Z'));
  if (spec?.algorithm && spec.algorithm !== 'sha1') {
    out.push(issue(`${path}.algorithm`, 'IgnoredField', `ESO ignores algorithm and always uses SHA-1; so does Projector (the token is not made with ${spec.algorithm.length <= 16 ? spec.algorithm : 'the algorithm given'})`, 'warning'));
  }
  return out;
}

/** Whole seconds since the Unix epoch (floored, as Go's Time.Unix) of an RFC 3339 time, or undefined. */
export function parseRfc3339Seconds(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, , zone] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(Number(y), month, 0)).getUTCDate() || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  let offset = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone![0] === '-' ? -1 : 1;
    const [oh, om] = zone!.slice(1).split(':').map(Number) as [number, number];
    if (oh > 23 || om > 59) return undefined;
    offset = sign * (oh * 3600 + om * 60);
  }
  // setUTCFullYear reads years 0..99 literally (Date.UTC would read them as 1900..1999).
  const t = new Date(0);
  t.setUTCFullYear(Number(y), month - 1, day);
  t.setUTCHours(Number(h), Number(mi), Number(s), 0);
  return t.getTime() / 1000 - offset;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * Go's base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString (encoding/base32 decode):
 * CR and LF are dropped first; any other byte outside the alphabet is an error at its offset
 * (`illegal base32 data at input byte N`, offsets counted after the dropping, as Go counts them);
 * a trailing group of 2, 4, 5 or 7 characters yields 1, 2, 3 or 4 bytes, one of 1, 3 or 6 none.
 * (Go's padding branch is reached with NoPadding only by a 0xFF byte, which cannot occur here: the
 * input is cleanSeed's UTF-8, as in ESO, where strings.ToUpper has already made it valid UTF-8.)
 */
export function goBase32NoPadDecode(input: Uint8Array): { bytes: Uint8Array } | { errorAt: number } {
  const src = Buffer.from(input.filter((b) => b !== 0x0d && b !== 0x0a));
  const out: number[] = [];
  let i = 0;
  let end = false;
  while (i < src.length && !end) {
    const dbuf = [0, 0, 0, 0, 0, 0, 0, 0];
    let dlen = 8;
    for (let j = 0; j < 8; ) {
      if (i >= src.length) {
        dlen = j;
        end = true;
        break;
      }
      const c = src[i++]!;
      const v = c < 0x80 ? BASE32.indexOf(String.fromCharCode(c)) : -1;
      if (v < 0) return { errorAt: i - 1 };
      dbuf[j] = v;
      j++;
    }
    const b = [
      ((dbuf[0]! << 3) | (dbuf[1]! >> 2)) & 0xff,
      ((dbuf[1]! << 6) | (dbuf[2]! << 1) | (dbuf[3]! >> 4)) & 0xff,
      ((dbuf[3]! << 4) | (dbuf[4]! >> 1)) & 0xff,
      ((dbuf[4]! << 7) | (dbuf[5]! << 2) | (dbuf[6]! >> 3)) & 0xff,
      ((dbuf[6]! << 5) | dbuf[7]!) & 0xff,
    ];
    const bytes = ({ 8: 5, 7: 4, 5: 3, 4: 2, 2: 1 } as Record<number, number>)[dlen] ?? 0;
    out.push(...b.slice(0, bytes));
  }
  return { bytes: new Uint8Array(out) };
}

/**
 * ESO's cleanUpToken: every space removed (strings.ReplaceAll " ") and strings.ToUpper, which maps
 * each character by its simple upper-case mapping (ß stays ß; ı becomes I), returned as UTF-8 bytes.
 */
export function cleanSeed(seed: string): Uint8Array {
  let out = '';
  for (const ch of seed.replaceAll(' ', '')) {
    const up = ch.toUpperCase();
    // toUpperCase applies full mappings (ß → SS); Go's unicode.ToUpper maps one rune to one rune.
    out += [...up].length === 1 ? up : ch;
  }
  return new Uint8Array(Buffer.from(out, 'utf8'));
}

/**
 * RFC 4226 §5.3 HOTP value for `counter` (a uint64) and `key`, reduced as ESO's generateCode does:
 * 31-bit dynamic truncation, mod 10^digits when digits < 10, zero-padded to `digits`. HMAC-SHA-1.
 */
export function hotp(key: Uint8Array, counter: bigint, digits: number): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt.asUintN(64, counter));
  const sum = createHmac('sha1', key).update(msg).digest();
  const offset = sum[sum.length - 1]! & 0x0f;
  const value = ((sum[offset]! & 0x7f) << 24) | (sum[offset + 1]! << 16) | (sum[offset + 2]! << 8) | sum[offset + 3]!;
  const code = digits >= 10 ? value : value % 10 ** digits;
  return String(code).padStart(digits, '0');
}

/**
 * The MFA generator: `token` (the TOTP code) and `timeLeft` (seconds until the code's period ends,
 * decimal) from `seed` (the Secret value) at `spec.when`, or at `nowMs` (milliseconds since the
 * epoch) without it. Throws InvalidSpec for a spec mfaIssues refuses, and GeneratorFailed naming
 * `seedWhere` (the Secret and key, never the value) when the seed is not base32.
 */
export function generateMfa(spec: Partial<MFASpec> | undefined, seed: Sensitive<string>, nowMs: number, seedWhere: string, path = 'spec'): Map<string, Sensitive<Uint8Array>> {
  const first = mfaIssues(spec, path).find((i) => i.severity !== 'warning');
  if (first) throw new ProjectorError('InvalidSpec', issueText(first), { field: first.path });
  const digits = typeof spec?.length === 'number' && spec.length > 0 ? Math.trunc(spec.length) : DEFAULT_LENGTH;
  const period = typeof spec?.timePeriod === 'number' && spec.timePeriod > 0 ? Math.trunc(spec.timePeriod) : DEFAULT_PERIOD_S;
  const unix = spec?.when ? parseRfc3339Seconds(spec.when)! : Math.floor(nowMs / 1000);
  const decoded = goBase32NoPadDecode(cleanSeed(seed.reveal()));
  if ('errorAt' in decoded) throw new ProjectorError('GeneratorFailed', `the seed in ${seedWhere} is not base32 (illegal base32 data at input byte ${decoded.errorAt})`, { field: `${path}.secret` });
  const counter = BigInt(Math.floor(unix / period));
  const timeLeft = period - (unix % period);
  return new Map([
    ['token', new Sensitive(new Uint8Array(Buffer.from(hotp(decoded.bytes, counter, digits), 'utf8')))],
    ['timeLeft', new Sensitive(new Uint8Array(Buffer.from(String(timeLeft), 'utf8')))],
  ]);
}
