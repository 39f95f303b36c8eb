// Which keys, labels and annotations of a target Secret an ExternalSecret wrote, read from the
// Secret's managedFields under ESO's field-manager name. ESO removes exactly these before it
// re-applies an ExternalSecret (pkg/controllers/externalsecret/externalsecret_controller.go
// getManagedDataKeys, pkg/controllers/templating/parser.go GetManagedLabelKeys), so a key dropped
// from a template disappears while keys other writers put there stay. Using ESO's manager name means
// a Secret ESO wrote is recognised after a migration, and the reverse.
import { createHash } from 'node:crypto';
import type { ManagedFieldsEntry, ObjectMeta } from '../api/meta.ts';

const FIELD_OWNER_PREFIX = 'externalsecrets.external-secrets.io/';
/** Field-manager names longer than this are replaced by a hash (ESO util.go fqdnFor). */
const MAX_FIELD_OWNER = 63;

/**
 * ESO's field manager for an ExternalSecret: `externalsecrets.external-secrets.io/<name>`, or
 * `externalsecrets.external-secrets.io/sha3/<sha3-224 hex of name>` when that is over 63 characters
 * (ESO pkg/controllers/externalsecret/util.go fqdnFor).
 */
export function fieldOwnerFor(externalSecretName: string): string {
  const plain = FIELD_OWNER_PREFIX + externalSecretName;
  if (plain.length <= MAX_FIELD_OWNER) return plain;
  return `${FIELD_OWNER_PREFIX}sha3/${createHash('sha3-224').update(externalSecretName, 'utf8').digest('hex')}`;
}

export interface OwnedFields {
  data: Set<string>;
  labels: Set<string>;
  annotations: Set<string>;
}

function childKeys(node: unknown): string[] {
  if (!node || typeof node !== 'object' || Array.isArray(node)) return [];
  // FieldsV1 names a map member "f:<key>"; "." stands for the map itself.
  return Object.keys(node)
    .filter((k) => k.startsWith('f:'))
    .map((k) => k.slice(2));
}

function member(node: unknown, name: string): unknown {
  if (!node || typeof node !== 'object' || Array.isArray(node)) return undefined;
  return Object.hasOwn(node, name) ? (node as Record<string, unknown>)[name] : undefined;
}

/** The data keys, labels and annotations `manager` owns in `metadata.managedFields` (any operation). */
export function ownedFieldsOf(metadata: ObjectMeta, manager: string): OwnedFields {
  const owned: OwnedFields = { data: new Set(), labels: new Set(), annotations: new Set() };
  for (const entry of metadata.managedFields ?? []) {
    if (entry.manager !== manager) continue;
    const fields = entry.fieldsV1;
    for (const k of childKeys(member(fields, 'f:data'))) owned.data.add(k);
    const meta = member(fields, 'f:metadata');
    for (const k of childKeys(member(meta, 'f:labels'))) owned.labels.add(k);
    for (const k of childKeys(member(meta, 'f:annotations'))) owned.annotations.add(k);
  }
  return owned;
}

/**
 * Data keys written by ExternalSecrets other than the one whose manager is `manager` (field managers
 * named `externalsecrets.external-secrets.io/...`): keys a creationPolicy Merge/CreateOrMerge
 * ExternalSecret added to a Secret that another ExternalSecret also writes.
 */
export function dataKeysOfOtherExternalSecrets(metadata: ObjectMeta, manager: string): Set<string> {
  const keys = new Set<string>();
  for (const entry of metadata.managedFields ?? []) {
    if (!entry.manager?.startsWith(FIELD_OWNER_PREFIX) || entry.manager === manager) continue;
    for (const k of childKeys(member(entry.fieldsV1, 'f:data'))) keys.add(k);
  }
  return keys;
}

function fieldSet(keys: Iterable<string>): Record<string, object> {
  const out: Record<string, object> = {};
  for (const k of keys) out[`f:${k}`] = {};
  return out;
}

/**
 * A managedFields entry for a Secret a writer without an API server (the `dev` file writer) sets
 * whole: what the API server would record for `manager` after it created the Secret.
 */
export function managedFieldsEntryFor(manager: string, written: { data: Iterable<string>; labels: Iterable<string>; annotations: Iterable<string> }, time: string): ManagedFieldsEntry {
  return {
    manager,
    operation: 'Update',
    apiVersion: 'v1',
    time,
    fieldsType: 'FieldsV1',
    fieldsV1: { 'f:data': fieldSet(written.data), 'f:metadata': { 'f:labels': fieldSet(written.labels), 'f:annotations': fieldSet(written.annotations) } },
  };
}
