// Secret data between the API's base64 form and opaque bytes, and its hash: one place for the
// conversions the kube client, the dev file writer and the watch cache all make.
import type { ObjectMeta } from '../api/meta.ts';
import { dataHash } from './hash.ts';
import type { LiveTargetMeta } from './refresh.ts';
import { Sensitive } from './sensitive.ts';

export type SecretData = ReadonlyMap<string, Sensitive<Uint8Array>>;

/** A Secret's `data` (base64 values) as opaque bytes. */
export function decodeSecretData(data: Record<string, string> | undefined): Map<string, Sensitive<Uint8Array>> {
  return new Map(Object.entries(data ?? {}).map(([k, v]) => [k, new Sensitive(new Uint8Array(Buffer.from(v, 'base64')))]));
}

/** Opaque bytes back to a Secret's `data`: only where a Secret is written. */
export function encodeSecretData(data: SecretData): Record<string, string> {
  // Object.fromEntries makes own data properties: `__proto__` is a valid Secret key (IsConfigMapKey).
  return Object.fromEntries([...data].map(([k, v]) => [k, Buffer.from(v.reveal()).toString('base64')]));
}

/** The data-hash of opaque data: ESO's `ObjectHash(secret.Data)` (see core/hash.ts dataHash). */
export function hashSecretData(data: SecretData): string {
  return dataHash(revealedEntries(data));
}

/** Revealed values, lazily, only for the digest: nothing keeps them after hashing. */
function* revealedEntries(data: SecretData): Generator<readonly [string, Uint8Array]> {
  for (const [k, v] of data) yield [k, v.reveal()];
}

/** What a watch cache keeps of a Secret: its metadata and the hash of its data; the values are dropped. */
export function liveTargetMetaOf(secret: { metadata: ObjectMeta; data?: Record<string, string> }): LiveTargetMeta {
  const { managedFields: _dropped, ...metadata } = secret.metadata as ObjectMeta & { managedFields?: unknown };
  return { metadata, observedDataHash: hashSecretData(decodeSecretData(secret.data)) };
}
