/** sprig v3 encodings, hashes and JSON, plus ESO's toYaml/fromYaml. */
import { createHash } from 'node:crypto';
import { fn, type TemplateFunc } from './func-table.ts';
import { decodeStd } from '../go-base64.ts';
import { goRuneString, goStringFromBytes, goStringToBytes } from '../go-string.ts';
import { toGoJson } from './go-json.ts';
import { fromYaml } from './go-yaml.ts';
import { jsonToGoYaml } from './go-yaml-emit.ts';
import { FuncError } from './template-error.ts';
import { goBytes } from './values.ts';

/**
 * sprig's base64decode: Go's `base64.StdEncoding.DecodeString` (core/go-base64.ts) over the bytes
 * of the Go string; on failure Go returns the error's text (`illegal base64 data at input byte N`,
 * an offset, never content) as the result. The decoded bytes become a Go string losslessly
 * (core/go-string.ts), so binary data is carried, not replaced with U+FFFD.
 */
function b64dec(s: string): string {
  const input = goStringToBytes(s);
  if (input === undefined) throw new FuncError('the argument is not a Go string (it holds a lone UTF-16 surrogate)');
  const decoded = decodeStd(input);
  return decoded.ok ? goStringFromBytes(decoded.bytes) : decoded.message;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function b32enc(s: string): string {
  const bytes = goBytes(s);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out.padEnd(Math.ceil(out.length / 8) * 8, '=');
}

function b32dec(s: string): string {
  const compact = s.replace(/[\r\n]/g, '');
  const body = compact.replace(/=+$/, '');
  for (let i = 0; i < body.length; i++) if (!BASE32.includes(body[i]!)) return `illegal base32 data at input byte ${i}`;
  if (compact.length % 8 !== 0) return `illegal base32 data at input byte ${compact.length - (compact.length % 8)}`;
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const c of body) {
    value = ((value << 5) | BASE32.indexOf(c)) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return goStringFromBytes(Uint8Array.from(bytes));
}

function hash(algorithm: string, s: string): string {
  return createHash(algorithm).update(goBytes(s)).digest('hex');
}

function adler32(s: string): string {
  let a = 1;
  let b = 0;
  for (const byte of goBytes(s)) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return String(((b << 16) | a) >>> 0);
}

/**
 * JSON.parse's message quotes the input, so failures are reported without it. encoding/json reads
 * each byte that is not UTF-8 inside a string as U+FFFD (and refuses it elsewhere, as JSON.parse
 * refuses U+FFFD there).
 */
function parseJson(s: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(goRuneString(s)) as unknown };
  } catch {
    return { ok: false };
  }
}

function mustFromJson(s: string): unknown {
  const parsed = parseJson(s);
  if (!parsed.ok) throw new FuncError('input is not valid JSON');
  return parsed.value;
}

function jsonOrEmpty(v: unknown, escapeHTML: boolean, indent: string): string {
  try {
    return toGoJson(v, { escapeHTML, indent });
  } catch {
    return '';
  }
}

/**
 * ESO's toYaml (runtime/template/v2/yaml.go): sigs.k8s.io/yaml Marshal, i.e. encoding/json's
 * Marshal (HTML-escaping, which matters for libyaml's 1024-character key limit) and then
 * JSONToYAML, ported in go-yaml-emit.ts; any error gives "" and the final newline is trimmed.
 */
function toYaml(v: unknown): string {
  let json: string;
  try {
    json = toGoJson(v, { escapeHTML: true, indent: '' });
  } catch {
    return '';
  }
  return jsonToGoYaml(json)?.replace(/\n$/, '') ?? '';
}

export const SPRIG_ENCODING: ReadonlyMap<string, TemplateFunc> = new Map<string, TemplateFunc>([
  ['b64enc', fn(['string'], ([s]) => Buffer.from(goBytes(s as string)).toString('base64'))],
  ['b64dec', fn(['string'], ([s]) => b64dec(s as string))],
  ['b32enc', fn(['string'], ([s]) => b32enc(s as string))],
  ['b32dec', fn(['string'], ([s]) => b32dec(s as string))],
  ['sha1sum', fn(['string'], ([s]) => hash('sha1', s as string))],
  ['sha256sum', fn(['string'], ([s]) => hash('sha256', s as string))],
  ['sha512sum', fn(['string'], ([s]) => hash('sha512', s as string))],
  ['adler32sum', fn(['string'], ([s]) => adler32(s as string))],
  ['fromJson', fn(['string'], ([s]) => {
    const parsed = parseJson(s as string);
    return parsed.ok ? parsed.value : null;
  })],
  ['mustFromJson', fn(['string'], ([s]) => mustFromJson(s as string))],
  ['toJson', fn(['any'], ([v]) => jsonOrEmpty(v, true, ''))],
  ['toPrettyJson', fn(['any'], ([v]) => jsonOrEmpty(v, true, '  '))],
  ['toRawJson', fn(['any'], ([v]) => jsonOrEmpty(v, false, ''))],
  ['mustToJson', fn(['any'], ([v]) => toGoJson(v, { escapeHTML: true, indent: '' }))],
  ['mustToPrettyJson', fn(['any'], ([v]) => toGoJson(v, { escapeHTML: true, indent: '  ' }))],
  ['mustToRawJson', fn(['any'], ([v]) => toGoJson(v, { escapeHTML: false, indent: '' }))],
  ['toYaml', fn(['any'], ([v]) => toYaml(v))],
  ['fromYaml', fn(['string'], ([s]) => fromYaml(s as string))],
]);
