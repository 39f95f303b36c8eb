// JSON values inside secrets for the fake provider: property extraction (gjson.ts) and map
// flattening (json-raw.ts), as ESO's fake provider reads them. Messages never quote the value.
import { ProjectorError } from './errors.ts';
import { Sensitive } from './sensitive.ts';
import { gjsonExists, gjsonGet, gjsonString, unsupportedPropertyMessage } from './gjson.ts';
import { jsonObjectMembers } from './json-raw.ts';

type Bytes = Sensitive<Uint8Array>;
const toBytes = (s: string): Bytes => new Sensitive(new Uint8Array(Buffer.from(s, 'utf8')));

/**
 * ESO's fake provider GetSecret with a property (providers/v1/fake/fake.go): gjson.Get(value,
 * property).String(), and a property that does not exist there is a missing secret
 * (esv1.NoSecretErr → VaultNotFound), with no literal-key fallback (that is azurekv's getProperty).
 * Syntax gjson.ts does not evaluate is NotSupported.
 */
export function extractJsonProperty(value: Sensitive<string>, property: string, key: string): Bytes {
  const unsupported = unsupportedPropertyMessage(property);
  if (unsupported) throw new ProjectorError('NotSupported', unsupported, { field: 'remoteRef.property' });
  const found = gjsonGet(value.reveal(), property);
  if (!gjsonExists(found)) throw new ProjectorError('VaultNotFound', `property "${property}" not found in secret "${key}"`, { field: 'remoteRef.property' });
  return toBytes(gjsonString(found));
}

/**
 * ESO's fake provider GetSecretMap: json.Unmarshal into map[string]json.RawMessage, string members
 * unescaped, null as "", the rest as their exact source (json-raw.ts jsonObjectMembers).
 */
export function jsonToSecretMap(value: Sensitive<string>, key: string): Map<string, Bytes> {
  const members = jsonObjectMembers(value.reveal());
  if (!members) throw new ProjectorError('VaultBadValue', `secret "${key}" is not a JSON object, so it cannot be extracted into keys`);
  return new Map([...members].map(([k, v]) => [k, toBytes(v)]));
}
