import { createHash } from 'node:crypto';

/**
 * The data-hash written to `reconcile.external-secrets.io/data-hash`: one digest over the whole map
 * (sorted keys, length-prefixed), never per value, so the annotation cannot confirm a single guess.
 */
export function dataHash(data: ReadonlyMap<string, Uint8Array> | Record<string, Uint8Array>): string {
  const entries = data instanceof Map ? [...data.entries()] : Object.entries(data);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const h = createHash('sha256');
  for (const [k, v] of entries) {
    h.update(`${Buffer.byteLength(k)}:${k}:${v.byteLength}:`);
    h.update(v);
  }
  return h.digest('hex').slice(0, 32);
}

/** Hash of labels + annotations, as ESO folds them into syncedResourceVersion. */
export function metaHash(labels: Record<string, string> | undefined, annotations: Record<string, string> | undefined): string {
  const norm = (m: Record<string, string> | undefined) => Object.entries(m ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  return createHash('sha256').update(JSON.stringify([norm(labels), norm(annotations)])).digest('hex').slice(0, 16);
}

/** ESO's created-by label value: ObjectHash("<namespace>/<name>") (sha3-224 of the text). */
export function createdByLabelValue(namespace: string, name: string): string {
  return createHash('sha3-224').update(`${namespace}/${name}`, 'utf8').digest('hex');
}
