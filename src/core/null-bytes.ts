// remoteRef/extract/find `nullBytePolicy` (ESO v2.9, pkg/controllers/externalsecret/
// externalsecret_controller_secret.go validateFetchedSecretValue / validateFetchedSecretMap): with
// `Fail`, fetched data holding a NUL byte fails the sync; absent or `Ignore` keeps it. ESO checks
// after decoding, and a map's values in sorted key order. Pure.
import { ProjectorError } from './errors.ts';
import type { Sensitive } from './sensitive.ts';

type SecretBytes = Sensitive<Uint8Array>;

const ADVICE = 'use a text-safe form such as PEM or base64, or leave nullBytePolicy unset for binary data';

/**
 * Throws VaultBadValue (retried: the vault's value decides it) when `policy` is Fail and `value`
 * holds a byte 0. `field` names the item (`spec.data[0].remoteRef`); the value is never printed.
 */
export function checkNullBytes(policy: string | undefined, value: SecretBytes, field: string): void {
  if (policy !== 'Fail' || !value.reveal().includes(0)) return;
  throw new ProjectorError('VaultBadValue', `${field}: the fetched value holds a NUL byte and nullBytePolicy is Fail; ${ADVICE}`, { field: `${field}.nullBytePolicy` });
}

/**
 * The same for the values of a dataFrom entry. The first offending value in sorted key order (as
 * ESO) is named by its position: its key may be a JSON member name, which is part of a secret value.
 */
export function checkNullBytesInMap(policy: string | undefined, values: ReadonlyMap<string, SecretBytes>, field: string): void {
  if (policy !== 'Fail') return;
  // Go's slices.Sort on strings: bytewise over UTF-8.
  const keys = [...values.keys()].sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
  keys.forEach((k, i) => {
    if (values.get(k)!.reveal().includes(0)) {
      throw new ProjectorError('VaultBadValue', `${field}: fetched value #${i + 1} of ${keys.length} (in key order) holds a NUL byte and nullBytePolicy is Fail; ${ADVICE}`, {
        field: `${field}.nullBytePolicy`,
      });
    }
  });
}
