// Pure: what ESO's azurekv provider makes of a fetched secret (property, tags, JSON maps).
// Every function returns plain strings; the client wraps them in Sensitive at once. Errors name the
// secret and the property or tag only: a missing property is VaultBadValue (retried with backoff),
// not VaultNotFound, because ESO does not treat it as "secret gone" (deletionPolicy must not fire).
import { ProjectorError } from '../../core/errors.ts';
import { jsonObjectMembers, stringObjectMembers } from '../../core/json-raw.ts';
import { gjsonExists, gjsonGet, gjsonString, unsupportedPropertyMessage } from '../../core/gjson.ts';

/** Timestamps ESO exposes as `attribute.*` metadata (RFC 3339, UTC, whole seconds). */
export interface SecretTimes {
  expiresOn?: Date | undefined;
  createdOn?: Date | undefined;
  updatedOn?: Date | undefined;
  notBefore?: Date | undefined;
}

const ATTRIBUTE_KEYS: ReadonlyArray<[keyof SecretTimes, string]> = [
  ['expiresOn', 'attribute.expires'],
  ['createdOn', 'attribute.created'],
  ['updatedOn', 'attribute.updated'],
  ['notBefore', 'attribute.notBefore'],
];

/**
 * Go's time.RFC3339 for a UTC time: no fractional seconds, the year with at least four digits and
 * no `+` (JavaScript's ISO form writes years past 9999 as `+010000`). A date JavaScript cannot hold
 * (past year 275760: the SDK builds it from the vault's seconds) is a VaultBadValue, not a crash.
 */
export function formatRfc3339(d: Date): string {
  if (Number.isNaN(d.getTime())) throw new ProjectorError('VaultBadValue', 'a date attribute of the secret (expires, created, updated or notBefore) is past the year 275760, beyond what Projector can represent');
  const y = d.getUTCFullYear();
  const year = (y < 0 ? '-' : '') + String(Math.abs(y)).padStart(4, '0');
  const two = (n: number) => String(n).padStart(2, '0');
  return `${year}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}T${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}Z`;
}

function missingProperty(property: string, name: string): ProjectorError {
  return new ProjectorError('VaultBadValue', `property "${property}" does not exist in secret "${name}"`, { remoteCode: 'PropertyNotFound' });
}

/**
 * ESO's getProperty: the whole value without a property; otherwise a gjson path into the JSON value,
 * and when that misses and the property has dots, the property as one literal key ("a.b").
 */
export function extractProperty(value: string, property: string | undefined, name: string): string {
  if (property === undefined || property === '') return value;
  const unsupported = unsupportedPropertyMessage(property);
  if (unsupported) throw new ProjectorError('NotSupported', unsupported, { field: 'remoteRef.property' });
  const found = gjsonGet(value, property);
  if (gjsonExists(found)) return gjsonString(found);
  if (property.includes('.')) {
    const literal = gjsonGet(value, property.replaceAll('.', '\\.'));
    if (gjsonExists(literal)) return gjsonString(literal);
  }
  throw missingProperty(property, name);
}

/** ESO's getSecretAllMetadata: the tags plus `attribute.*` timestamps. */
export function metadataOf(tags: Readonly<Record<string, string>> | undefined, times: SecretTimes): Map<string, string> {
  const metadata = new Map(Object.entries(tags ?? {}));
  for (const [field, key] of ATTRIBUTE_KEYS) {
    const t = times[field];
    if (t) metadata.set(key, formatRfc3339(t));
  }
  return metadata;
}

/** encoding/json.Marshal of a map[string]string: sorted keys, HTML-safe escapes. */
export function marshalGoStringMap(map: ReadonlyMap<string, string>): string {
  const sorted = [...map.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const json = JSON.stringify(Object.fromEntries(sorted.map((k) => [k, map.get(k)!])));
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * ESO's getSecretTag (metadataPolicy Fetch on a single value): all metadata as JSON without a
 * property; the named tag; or `tag.path` into a JSON tag value.
 */
export function selectMetadata(metadata: ReadonlyMap<string, string>, property: string | undefined, name: string): string {
  if (property === undefined || property === '') return marshalGoStringMap(metadata);
  const direct = metadata.get(property);
  if (direct !== undefined) return direct;
  const dot = property.indexOf('.');
  if (dot > 0) {
    const tagValue = metadata.get(property.slice(0, dot));
    if (tagValue !== undefined) return extractProperty(tagValue, property.slice(dot + 1), name);
  }
  throw new ProjectorError('VaultBadValue', `tag "${property}" does not exist on secret "${name}"`, { remoteCode: 'TagNotFound' });
}

/**
 * ESO's getSecretMapMap (dataFrom.extract): a JSON object value becomes one entry per member;
 * string members unescaped, other members as their raw JSON.
 */
export function secretMapFromJson(value: string, name: string): Map<string, string> {
  const members = jsonObjectMembers(value);
  if (!members) throw new ProjectorError('VaultBadValue', `secret "${name}" is not a JSON object, so dataFrom.extract cannot map it`, { remoteCode: 'NotJsonObject' });
  return members;
}

/**
 * ESO's getSecretTags + getSecretMapProperties (dataFrom.extract with metadataPolicy Fetch): keys
 * `<name>_<tag>`, a tag holding a JSON object of strings expanded to `<name>_<tag>_<member>`, and
 * `<name>_attribute.*`. With a property, only `<name>_<property>`: ESO's GetSecretMap first reads
 * the value as GetSecret does (the property looked up in the tags as they are: a tag that does not
 * exist fails there), then looks `<name>_<property>` up in the keys above and drops any error of
 * that lookup, so a key it does not find (a tag that was expanded) is there with an empty value.
 */
export function tagsAsSecretMap(
  name: string,
  tags: Readonly<Record<string, string>> | undefined,
  times: SecretTimes,
  property: string | undefined,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const [tag, value] of Object.entries(tags ?? {})) {
    const expanded = stringObjectMembers(value);
    if (!expanded) out.set(`${name}_${tag}`, value);
    else for (const [k, v] of expanded) out.set(`${name}_${tag}_${k}`, v);
  }
  for (const [field, key] of ATTRIBUTE_KEYS) {
    const t = times[field];
    if (t) out.set(`${name}_${key}`, formatRfc3339(t));
  }
  if (property === undefined || property === '') return out;
  selectMetadata(metadataOf(tags, times), property, name);
  const key = `${name}_${property}`;
  let value = '';
  try {
    value = selectMetadata(out, key, name);
  } catch {
    // getSecretMapProperties: `singleTag, _ := getSecretTag(...)`.
  }
  return new Map([[key, value]]);
}
