// JSON values inside secrets: property extraction (gjson-style dotted paths) and map flattening,
// shared by providers. Parse errors are reported without the parser's message (it quotes input).
import { ProjectorError } from './errors.ts';
import { Sensitive } from './sensitive.ts';

type Bytes = Sensitive<Uint8Array>;
const toBytes = (s: string): Bytes => new Sensitive(new Uint8Array(Buffer.from(s, 'utf8')));

function parseJsonValue(value: Sensitive<string>, key: string): unknown {
  try {
    return JSON.parse(value.reveal());
  } catch {
    throw new ProjectorError('VaultBadValue', `secret "${key}" is not valid JSON, so no property can be read from it`);
  }
}

/** Splits a gjson path: dots separate segments, `\.` is a literal dot. */
function pathSegments(path: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < path.length; i++) {
    const ch = path[i]!;
    if (ch === '\\' && i + 1 < path.length) cur += path[++i];
    else if (ch === '.') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** A scalar as ESO writes it: strings raw, everything else as JSON text. */
function scalarText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * An own member of a parsed JSON object. Never `in` or a bare index: those see Object.prototype,
 * so `constructor`, `toString` or `__proto__` would be "present" in every object.
 */
function isMember(node: unknown, name: string): node is Record<string, unknown> {
  return node !== null && typeof node === 'object' && !Array.isArray(node) && Object.hasOwn(node, name);
}

export function extractJsonProperty(value: Sensitive<string>, property: string, key: string): Bytes {
  const root = parseJsonValue(value, key);
  // gjson first tries the whole property as one key (ESO does this too for keys containing dots).
  if (isMember(root, property)) return toBytes(scalarText(root[property]));
  let node: unknown = root;
  for (const seg of pathSegments(property)) {
    if (Array.isArray(node) && /^\d+$/.test(seg)) node = node[Number(seg)];
    else if (isMember(node, seg)) node = node[seg];
    else throw new ProjectorError('VaultNotFound', `property "${property}" not found in secret "${key}"`, { field: 'remoteRef.property' });
  }
  if (node === undefined) throw new ProjectorError('VaultNotFound', `property "${property}" not found in secret "${key}"`);
  return toBytes(scalarText(node));
}

/** A JSON object value as key → bytes (nested values JSON-encoded), for dataFrom.extract. */
export function jsonToSecretMap(value: Sensitive<string>, key: string): Map<string, Bytes> {
  const root = parseJsonValue(value, key);
  if (!root || typeof root !== 'object' || Array.isArray(root)) {
    throw new ProjectorError('VaultBadValue', `secret "${key}" is not a JSON object, so it cannot be extracted into keys`);
  }
  const out = new Map<string, Bytes>();
  for (const [k, v] of Object.entries(root as Record<string, unknown>)) out.set(k, toBytes(v === null ? '' : scalarText(v)));
  return out;
}
