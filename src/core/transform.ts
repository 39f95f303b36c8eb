// Value decoding and key rewriting, applied between the provider and the target Secret (ESO semantics).
import type { Rewrite } from '../api/index.ts';
import { ProjectorError } from './errors.ts';
import { compileGoRegexp } from './go-regexp.ts';
import { Sensitive } from './sensitive.ts';

export type DecodingStrategy = 'Auto' | 'Base64' | 'Base64URL' | 'None';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

/** Decodes a fetched value; `field` names the spec path for the error (the value is never quoted). */
export function decodeValue(value: Sensitive<Uint8Array>, strategy: DecodingStrategy | undefined, field: string): Sensitive<Uint8Array> {
  if (!strategy || strategy === 'None') return value;
  const text = Buffer.from(value.reveal()).toString('utf8').trim();
  const isB64 = text.length % 4 === 0 && BASE64.test(text);
  const isB64Url = BASE64URL.test(text);
  if (strategy === 'Auto') {
    if (isB64) return new Sensitive(new Uint8Array(Buffer.from(text, 'base64')));
    if (isB64Url) return new Sensitive(new Uint8Array(Buffer.from(text, 'base64url')));
    return value;
  }
  if (strategy === 'Base64' && isB64) return new Sensitive(new Uint8Array(Buffer.from(text, 'base64')));
  if (strategy === 'Base64URL' && isB64Url) return new Sensitive(new Uint8Array(Buffer.from(text, 'base64url')));
  throw new ProjectorError('VaultBadValue', `value at ${field} is not valid ${strategy} (decodingStrategy ${strategy})`, { field });
}

const VALID_SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

export function isValidSecretKey(key: string): boolean {
  return VALID_SECRET_KEY.test(key) && key !== '.' && key !== '..' && key.length <= 253;
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
