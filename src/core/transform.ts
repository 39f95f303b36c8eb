// Value decoding and key rewriting, applied between the provider and the target Secret (ESO semantics).
// rewrite.merge, which combines values, is core/rewrite-merge.ts.
import type { Rewrite } from '../api/index.ts';
import { ProjectorError } from './errors.ts';
import { secretKeyProblem } from './secret-shape.ts';
import { decodeStd, decodeURL } from './go-base64.ts';
import { compileGoRegexp } from './go-regexp.ts';
import { rewriteMerge, type DataFromEntry } from './rewrite-merge.ts';
import { Sensitive } from './sensitive.ts';
import { goUnicodeTest } from './go-unicode-assigned.ts';

type SecretBytes = Sensitive<Uint8Array>;

export type DecodingStrategy = 'Auto' | 'Base64' | 'Base64URL' | 'None';

/**
 * ESO's runtime/decoding/decoding.go `Decode` over bytes: `Base64` / `Base64URL` are Go's padded
 * `base64.StdEncoding` / `URLEncoding` over the bytes as they are (no trimming: a leading or
 * trailing space fails, `\r`/`\n` are skipped; see go-base64.ts). `Auto` tries Base64, then
 * Base64URL, and otherwise keeps the bytes unchanged; `None` (or absent) keeps them.
 * @returns the decoded bytes, or Go's error text (`illegal base64 data at input byte N`: an offset, never content).
 */
export function decodeBytes(bytes: Uint8Array, strategy: DecodingStrategy | undefined): { ok: true; bytes: Uint8Array } | { ok: false; message: string } {
  if (!strategy || strategy === 'None') return { ok: true, bytes };
  if (strategy === 'Auto') {
    const std = decodeStd(bytes);
    if (std.ok) return std;
    const url = decodeURL(bytes);
    return url.ok ? url : { ok: true, bytes };
  }
  const decoded = strategy === 'Base64' ? decodeStd(bytes) : decodeURL(bytes);
  return decoded.ok ? decoded : { ok: false, message: decoded.message };
}

/**
 * Applies a `decodingStrategy` to a fetched value (ESO: runtime/decoding/decoding.go `Decode`;
 * the rule is decodeBytes).
 *
 * @param field the spec path named in the error, e.g. `spec.data[0].remoteRef`.
 * @throws ProjectorError `VaultBadValue` naming `field`, the strategy and Go's byte offset
 *   (`illegal base64 data at input byte N`), never the value.
 */
export function decodeValue(value: Sensitive<Uint8Array>, strategy: DecodingStrategy | undefined, field: string): Sensitive<Uint8Array> {
  if (!strategy || strategy === 'None') return value;
  const decoded = decodeBytes(value.reveal(), strategy);
  if (decoded.ok) return decoded.bytes === value.reveal() ? value : new Sensitive(decoded.bytes);
  throw new ProjectorError('VaultBadValue', `value at ${field} is not valid ${strategy} (decodingStrategy ${strategy}): ${decoded.message}`, { field });
}

/** Can `key` be a Secret data key (the API server's IsConfigMapKey; rule in core/secret-shape.ts)? */
export function isValidSecretKey(key: string): boolean {
  return secretKeyProblem(key) === undefined;
}

const LETTER_OR_NUMBER = /^[\p{L}\p{N}]$/u;

/**
 * ESO's conversionStrategy for dataFrom keys (runtime/esutils/utils.go `convert`): every rune that is
 * not a letter or a number (Go's unicode.IsLetter / IsNumber: Unicode categories L and N) and not
 * `-`, `.`, `_` becomes `_` under Default (also when the field is absent) and `_U%04x_` (its code
 * point, lower-case hex, at least 4 digits) under Unicode. Letters outside ASCII are kept, as in ESO;
 * the API server refuses them later (see checkDataFromKeys). Letters and numbers are Go 1.26's
 * (Unicode 15.0: core/go-unicode-assigned.ts), so a character newer Unicode assigns is converted.
 */
export function convertKey(key: string, strategy: 'Default' | 'Unicode' | undefined): string {
  let out = '';
  for (const ch of key) {
    if (ch === '.' || ch === '_' || ch === '-' || goUnicodeTest(LETTER_OR_NUMBER, ch)) out += ch;
    else out += strategy === 'Unicode' ? `_U${ch.codePointAt(0)!.toString(16).padStart(4, '0')}_` : '_';
  }
  return out;
}

export type KeyTemplateRenderer = (template: string, key: string, field: string) => string;

/**
 * One regexp or transform rewrite of one key (ESO runtime/esutils/utils.go RewriteRegexp: Go's
 * ReplaceAllString; RewriteTransform: the template rendered with `.value` = the key). A merge
 * changes values, not one key: rewriteMerge (core/rewrite-merge.ts) applies it to the whole map.
 * @param i the rewrite's index, for the field paths in errors.
 * @throws ProjectorError `InvalidSpec` naming the rewrite's field for an invalid regexp.
 */
function rewriteOne(key: string, rw: Rewrite, i: number, field: string, renderKeyTemplate?: KeyTemplateRenderer): string {
  if (rw.regexp) {
    const compiled = compileGoRegexp(rw.regexp.source);
    if (!compiled.ok) {
      throw new ProjectorError('InvalidSpec', `${field}.rewrite[${i}].regexp.source is not a valid Go regular expression: ${compiled.reason}`, { field: `${field}.rewrite[${i}].regexp.source` });
    }
    return compiled.regexp.replaceAllString(key, rw.regexp.target);
  }
  if (rw.transform) {
    if (!renderKeyTemplate) throw new ProjectorError('NotSupported', `${field}.rewrite[${i}].transform is not supported here`, { field });
    return renderKeyTemplate(rw.transform.template, key, `${field}.rewrite[${i}].transform.template`);
  }
  return key;
}

/**
 * Applies key rewrites (regexp, transform) in order to one key (ESO runtime/esutils/utils.go
 * RewriteMap), for PushSecret's dataTo, whose rewrites are only those two.
 * @throws ProjectorError `InvalidSpec` naming the rewrite's field for an invalid regexp;
 *   `NotSupported` for a merge (it needs the values: use dataFromEntries).
 */
export function rewriteKey(key: string, rewrites: readonly Rewrite[], field: string, renderKeyTemplate?: KeyTemplateRenderer): string {
  return rewrites.reduce((k, rw, i) => {
    if (rw.merge) throw new ProjectorError('NotSupported', `${field}.rewrite[${i}].merge applies to a whole dataFrom entry, not to one key`, { field: `${field}.rewrite[${i}].merge` });
    return rewriteOne(k, rw, i, field, renderKeyTemplate);
  }, key);
}

/** Applies dataFrom[].rewrite (regexp, transform) in order to every key of `data` (a later key wins a collision). */
export function rewriteKeys<V>(
  data: ReadonlyMap<string, V>,
  rewrites: readonly Rewrite[] | undefined,
  field: string,
  renderKeyTemplate?: KeyTemplateRenderer,
): Map<string, V> {
  if (!rewrites?.length) return new Map(data);
  const out = new Map<string, V>();
  for (const [key, value] of data) out.set(rewriteKey(key, rewrites, field, renderKeyTemplate), value);
  return out;
}

/**
 * Where the entries of one dataFrom item came from. Error messages name an entry by this origin and
 * its position, never by its name: a JSON member name is part of the secret value.
 */
export interface DataFromOrigin {
  /** `spec.dataFrom[i]`. */
  field: string;
  /** extract: members of one JSON value (or tags, with metadataPolicy Fetch); find: vault secret names; generator: a generator's keys (no conversion, as ESO handleGenerateSecrets). */
  kind: 'extract' | 'find' | 'generator';
  /** extract: the remote key that was read. */
  remoteKey?: string;
  /** extract with metadataPolicy Fetch: the entries are the secret's tags. */
  tags?: boolean;
}

/**
 * How an entry is named in messages: `member #3 of the value of remote key "app-config"` (1-based,
 * in the order the provider returned the members: document order for Key Vault), `entry #2 of the
 * tags of remote key "app-config"`, or for find the vault secret's own name (a name, not a value).
 */
export function describeDataFromEntry(origin: DataFromOrigin, position: number, rawKey: string): string {
  if (origin.kind === 'generator') return `key #${position + 1} of ${origin.field}.sourceRef.generatorRef`;
  if (origin.kind === 'find') return `the key made from vault secret ${JSON.stringify(rawKey)} (matched by ${origin.field}.find)`;
  const where = origin.tags ? 'of the tags' : 'of the value';
  return `${origin.tags ? 'entry' : 'member'} #${position + 1} ${where} of remote key ${JSON.stringify(origin.remoteKey ?? '')} (${origin.field}.extract)`;
}

/**
 * ESO's key pipeline for one dataFrom item (pkg/controllers/externalsecret/
 * externalsecret_controller_secret.go handleExtractSecrets / handleFindAllSecrets /
 * handleGenerateSecrets): `rewrite` in order over the whole map (runtime/esutils/utils.go
 * RewriteMap: regexp and transform rename each key, merge combines the values, core/rewrite-merge.ts),
 * or, only when there is no rewrite, the `conversionStrategy` (convertKey; none for a generator);
 * then ESO's esutils.ValidateKeys: an empty key is dropped, any other key the API server would
 * refuse fails. Values are not decoded here (ESO decodes after the keys are checked).
 *
 * @param raw the provider's keys and values, in the order it returned them.
 * @returns final key → value; a later entry wins a rewrite collision, as the last write to ESO's
 *   map does (Go's map order makes ESO's winner random; here it is the provider's order).
 * @throws ProjectorError `VaultBadValue` (retried: the vault value decides it) when a key is not a
 *   valid Secret key, two members convert to one key (ESO: "secret name collision during
 *   conversion") or a merge fails, naming the entries by describeDataFromEntry and the rule, never
 *   a key made from a value; `InvalidSpec` for a bad rewrite.
 */
export function dataFromEntries(
  raw: ReadonlyMap<string, SecretBytes>,
  opts: { rewrite?: readonly Rewrite[] | undefined; conversion?: 'Default' | 'Unicode' | undefined; origin: DataFromOrigin; renderKeyTemplate?: KeyTemplateRenderer | undefined },
): Map<string, SecretBytes> {
  const { origin } = opts;
  const keyIsValue = origin.kind === 'extract' && !origin.tags;
  let entries: DataFromEntry[] = [...raw].map(([key, value], i) => ({ key, value, name: () => describeDataFromEntry(origin, i, key), keyIsValue }));
  const rewrites = opts.rewrite ?? [];
  if (rewrites.length > 0) {
    rewrites.forEach((rw, i) => {
      if (rw.merge) {
        entries = rewriteMerge(entries, rw.merge, `${origin.field}.rewrite[${i}].merge`);
        return;
      }
      // A later entry wins a key, and moves to the end: the order stays that of each key's winner.
      const byKey = new Map<string, DataFromEntry>();
      for (const e of entries) {
        const key = rewriteOne(e.key, rw, i, origin.field, opts.renderKeyTemplate);
        byKey.delete(key);
        byKey.set(key, { ...e, key });
      }
      entries = [...byKey.values()];
    });
  } else if (origin.kind !== 'generator') {
    const byKey = new Map<string, DataFromEntry>();
    for (const e of entries) {
      const key = convertKey(e.key, opts.conversion);
      const first = byKey.get(key);
      if (first) {
        throw new ProjectorError(
          'VaultBadValue',
          `${first.name()} and ${e.name()} convert to the same Secret key (conversionStrategy ${opts.conversion ?? 'Default'})${hiddenName(keyIsValue)}; use rewrite to tell them apart`,
          { field: `${origin.field}.${origin.kind}.conversionStrategy` },
        );
      }
      byKey.set(key, { ...e, key });
    }
    entries = [...byKey.values()];
  }
  const how = rewrites.length > 0 ? ' after rewrite' : origin.kind === 'generator' ? '' : ` after conversionStrategy ${opts.conversion ?? 'Default'}`;
  const fix = rewrites.length > 0 || origin.kind === 'generator' ? 'rewrite' : 'rewrite or conversionStrategy Unicode';
  const out = new Map<string, SecretBytes>();
  for (const e of entries) {
    if (e.key === '') continue; // ESO's ValidateKeys drops empty keys ("did not exist upstream").
    const problem = secretKeyProblem(e.key);
    if (problem) throw new ProjectorError('VaultBadValue', `${e.name()} gives a Secret key that ${problem}${how}${hiddenName(e.keyIsValue)}; use ${fix} to change it`, { field: origin.field });
    out.set(e.key, e.value);
  }
  return out;
}

function hiddenName(keyIsValue: boolean): string {
  return keyIsValue ? '; the name is part of the secret value and is not shown' : '';
}
