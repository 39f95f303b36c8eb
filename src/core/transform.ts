// Value decoding and key rewriting, applied between the provider and the target Secret (ESO semantics).
import type { Rewrite } from '../api/index.ts';
import { ProjectorError } from './errors.ts';
import { secretKeyProblem } from './secret-shape.ts';
import { decodeStd, decodeURL } from './go-base64.ts';
import { compileGoRegexp } from './go-regexp.ts';
import { Sensitive } from './sensitive.ts';

export type DecodingStrategy = 'Auto' | 'Base64' | 'Base64URL' | 'None';

/**
 * Applies a `decodingStrategy` to a fetched value (ESO: runtime/decoding/decoding.go `Decode`).
 * `Base64` / `Base64URL` are Go's padded `base64.StdEncoding` / `URLEncoding` over the value's bytes
 * as they are (no trimming: a leading or trailing space fails, `\r`/`\n` are skipped; see
 * go-base64.ts). `Auto` tries Base64, then Base64URL, and otherwise keeps the value unchanged.
 *
 * @param field the spec path named in the error, e.g. `spec.data[0].remoteRef`.
 * @throws ProjectorError `VaultBadValue` naming `field`, the strategy and Go's byte offset
 *   (`illegal base64 data at input byte N`), never the value.
 */
export function decodeValue(value: Sensitive<Uint8Array>, strategy: DecodingStrategy | undefined, field: string): Sensitive<Uint8Array> {
  if (!strategy || strategy === 'None') return value;
  const bytes = value.reveal();
  if (strategy === 'Auto') {
    const std = decodeStd(bytes);
    if (std.ok) return new Sensitive(std.bytes);
    const url = decodeURL(bytes);
    return url.ok ? new Sensitive(url.bytes) : value;
  }
  const decoded = strategy === 'Base64' ? decodeStd(bytes) : decodeURL(bytes);
  if (decoded.ok) return new Sensitive(decoded.bytes);
  throw new ProjectorError('VaultBadValue', `value at ${field} is not valid ${strategy} (decodingStrategy ${strategy}): ${decoded.message}`, { field });
}

/** Can `key` be a Secret data key (the API server's IsConfigMapKey; rule in core/secret-shape.ts)? */
export function isValidSecretKey(key: string): boolean {
  return secretKeyProblem(key) === undefined;
}

/** ESO's conversionStrategy for dataFrom keys: Default keeps them, Unicode escapes invalid runes as _U%04x_. */
export function convertKey(key: string, strategy: 'Default' | 'Unicode' | undefined): string {
  if (strategy !== 'Unicode') return key;
  let out = '';
  for (const ch of key) out += /[-._a-zA-Z0-9]/.test(ch) ? ch : `_U${ch.codePointAt(0)!.toString(16).padStart(4, '0')}_`;
  return out;
}

export type KeyTemplateRenderer = (template: string, key: string, field: string) => string;

/** Applies dataFrom[].rewrite in order to every key of `data`. */
export function rewriteKeys<V>(
  data: ReadonlyMap<string, V>,
  rewrites: readonly Rewrite[] | undefined,
  field: string,
  renderKeyTemplate?: KeyTemplateRenderer,
): Map<string, V> {
  if (!rewrites?.length) return new Map(data);
  let current = new Map(data);
  rewrites.forEach((rw, i) => {
    const next = new Map<string, V>();
    for (const [key, value] of current) {
      let newKey = key;
      if (rw.regexp) {
        const compiled = compileGoRegexp(rw.regexp.source);
        if (!compiled.ok) {
          throw new ProjectorError('InvalidSpec', `${field}.rewrite[${i}].regexp.source is not a valid Go regular expression: ${compiled.reason}`, { field: `${field}.rewrite[${i}].regexp.source` });
        }
        // ESO's RewriteRegexp (runtime/esutils/utils.go) calls Go's ReplaceAllString.
        newKey = compiled.regexp.replaceAllString(key, rw.regexp.target);
      } else if (rw.transform) {
        if (!renderKeyTemplate) throw new ProjectorError('NotSupported', `${field}.rewrite[${i}].transform is not supported here`, { field });
        newKey = renderKeyTemplate(rw.transform.template, key, `${field}.rewrite[${i}].transform.template`);
      }
      next.set(newKey, value);
    }
    current = next;
  });
  return current;
}
