// The vault's keys and certificates as pure state: named objects with versions, soft delete, recover
// and purge, like secrets (state.ts) but for the other two object types of the Key Vault REST API.
// No I/O and no clock: callers pass `now` (unix seconds) and the version id. Names are
// case-insensitive like AKV; the first spelling is kept.
import { VaultApiError } from './api-error.ts';
import { RECOVERABLE_DAYS, type SecretData } from './state.ts';

const SECONDS_PER_DAY = 86_400;

/** Attributes every Key Vault object version carries (unix seconds). */
export interface ObjectAttributesData {
  enabled: boolean;
  nbf?: number;
  exp?: number;
  created: number;
  updated: number;
}

/**
 * One key version. `jwk` holds the key as a JSON Web Key with base64url members as AKV stores it,
 * private members included (never served: bundles.ts keeps only the public ones).
 */
export interface KeyVersionData {
  version: string;
  jwk: Record<string, string>;
  keyOps: string[];
  tags?: Record<string, string>;
  attributes: ObjectAttributesData & { exportable?: boolean };
  /** True for the key backing a certificate (AKV's `managed`). */
  managed?: boolean;
}

/** One certificate version: the leaf's DER (base64) and what AKV derives from it. */
export interface CertificateVersionData {
  version: string;
  /** DER of the leaf certificate, standard base64 (AKV's `cer`). */
  cer: string;
  /** SHA-1 of the DER, base64url (AKV's `x5t`). */
  x5t: string;
  /** The backing secret's content type: application/x-pkcs12 or application/x-pem-file. */
  contentType: string;
  subject: string;
  keyType: 'RSA' | 'EC';
  keySize?: number;
  crv?: string;
  tags?: Record<string, string>;
  attributes: ObjectAttributesData;
  /** The policy it was created with (POST /certificates/{name}/create); absent for an import. */
  policy?: Record<string, unknown>;
  /** The creation operation of this version (GET /certificates/{name}/pending); absent for an import. */
  operation?: { requestId: string; issuer: Record<string, unknown>; csr: string };
}

export interface StoredObject<V> {
  name: string;
  /** Oldest first; the last one is the latest. */
  versions: V[];
}

export interface DeletedObject<V> {
  object: StoredObject<V>;
  deletedDate: number;
  scheduledPurgeDate: number;
  /** A deleted certificate keeps its backing secret and key, which come back when it is recovered. */
  backing?: { secret?: SecretData; key?: StoredObject<KeyVersionData> };
}

export type ObjectKind = 'Key' | 'Certificate';

/** AKV's error codes and wording per kind ("A key with (name/id) x was not found in this key vault."). */
export function objectNotFound(kind: ObjectKind, name: string, version?: string): VaultApiError {
  const what = version ? `${name}/${version}` : name;
  return new VaultApiError(404, `${kind}NotFound`, `A ${kind.toLowerCase()} with (name/id) ${what} was not found in this key vault.`);
}

export function deletedObjectNotFound(kind: ObjectKind, name: string): VaultApiError {
  return new VaultApiError(404, `${kind}NotFound`, `Deleted ${kind} not found: ${name}`);
}

function deletedButRecoverable(kind: ObjectKind, name: string): VaultApiError {
  return new VaultApiError(
    409,
    'Conflict',
    `${kind} ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the ${kind.toLowerCase()} can only be recovered or purged.`,
    { innerCode: 'ObjectIsDeletedButRecoverable' },
  );
}

function keyOf(name: string): string {
  return name.toLowerCase();
}

function compareNames(a: string, b: string): number {
  const ka = keyOf(a);
  const kb = keyOf(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Named, versioned objects of one kind with AKV's soft-delete life cycle. */
export class ObjectCollection<V extends { version: string }> {
  readonly kind: ObjectKind;
  readonly #live = new Map<string, StoredObject<V>>();
  readonly #deleted = new Map<string, DeletedObject<V>>();

  constructor(kind: ObjectKind, snapshot?: { live?: StoredObject<V>[]; deleted?: DeletedObject<V>[] }) {
    this.kind = kind;
    for (const o of snapshot?.live ?? []) this.#live.set(keyOf(o.name), o);
    for (const d of snapshot?.deleted ?? []) this.#deleted.set(keyOf(d.object.name), d);
  }

  snapshot(): { live: StoredObject<V>[]; deleted: DeletedObject<V>[] } {
    return { live: [...this.#live.values()], deleted: [...this.#deleted.values()] };
  }

  has(name: string): boolean {
    return this.#live.has(keyOf(name));
  }

  isDeleted(name: string): boolean {
    return this.#deleted.has(keyOf(name));
  }

  /** 409 ObjectIsDeletedButRecoverable when `name` is soft-deleted: AKV refuses to reuse it. */
  assertNotDeleted(name: string): void {
    if (this.#deleted.has(keyOf(name))) throw deletedButRecoverable(this.kind, name);
  }

  /** Appends a version (a new object when the name is free). 409 on a soft-deleted name, as AKV. */
  add(name: string, version: V): { object: StoredObject<V>; version: V } {
    this.assertNotDeleted(name);
    const object = this.#live.get(keyOf(name)) ?? { name, versions: [] };
    object.versions.push(version);
    this.#live.set(keyOf(name), object);
    return { object, version };
  }

  /** The given version (32 hex, case-insensitive), or the latest when `version` is empty. */
  get(name: string, version?: string): { object: StoredObject<V>; version: V } {
    const object = this.#live.get(keyOf(name));
    const found = object && (version ? object.versions.find((v) => v.version === version.toLowerCase()) : object.versions.at(-1));
    if (!object || !found) throw objectNotFound(this.kind, name, version);
    return { object, version: found };
  }

  /** Live objects sorted by name (case-insensitive), for paging. */
  list(): StoredObject<V>[] {
    return [...this.#live.values()].sort((a, b) => compareNames(a.name, b.name));
  }

  versions(name: string): V[] {
    return [...this.get(name).object.versions];
  }

  delete(name: string, now: number, backing?: DeletedObject<V>['backing']): DeletedObject<V> {
    const object = this.#live.get(keyOf(name));
    if (!object) throw objectNotFound(this.kind, name);
    const deleted: DeletedObject<V> = { object, deletedDate: now, scheduledPurgeDate: now + RECOVERABLE_DAYS * SECONDS_PER_DAY, ...(backing && { backing }) };
    this.#live.delete(keyOf(name));
    this.#deleted.set(keyOf(name), deleted);
    return deleted;
  }

  listDeleted(): DeletedObject<V>[] {
    return [...this.#deleted.values()].sort((a, b) => compareNames(a.object.name, b.object.name));
  }

  getDeleted(name: string): DeletedObject<V> {
    const deleted = this.#deleted.get(keyOf(name));
    if (!deleted) throw deletedObjectNotFound(this.kind, name);
    return deleted;
  }

  purge(name: string): DeletedObject<V> {
    const deleted = this.getDeleted(name);
    this.#deleted.delete(keyOf(name));
    return deleted;
  }

  recover(name: string): DeletedObject<V> {
    const deleted = this.getDeleted(name);
    this.#deleted.delete(keyOf(name));
    this.#live.set(keyOf(name), deleted.object);
    return deleted;
  }

  /** Takes a live object out without a deleted record (a certificate's backing key moves into the certificate's). */
  take(name: string): StoredObject<V> | undefined {
    const object = this.#live.get(keyOf(name));
    this.#live.delete(keyOf(name));
    return object;
  }

  /** Puts an object back as it was (recovering a certificate's backing key). */
  restore(object: StoredObject<V>): void {
    this.#live.set(keyOf(object.name), object);
  }

  purgeDue(now: number): string[] {
    const due = [...this.#deleted.values()].filter((d) => d.scheduledPurgeDate <= now).map((d) => d.object.name);
    for (const name of due) this.#deleted.delete(keyOf(name));
    return due;
  }
}
