// The vault's data model as a pure state machine: secrets with versions, soft delete, recover, purge.
// No I/O and no clock: callers pass `now` (unix seconds) and the new version id, so every transition
// is deterministic and testable. Names are case-insensitive like AKV; the first spelling is kept.
import { VaultApiError, badParameter, deletedSecretNotFound, secretNotFound } from './api-error.ts';
import { ObjectCollection, type CertificateVersionData, type DeletedObject, type KeyVersionData, type StoredObject } from './objects.ts';

export const SECRET_NAME_PATTERN = /^[0-9a-zA-Z-]{1,127}$/;
/** AKV's limit: a secret value is at most 25 KB (UTF-8 bytes). */
export const MAX_VALUE_BYTES = 25 * 1024;
export const RECOVERABLE_DAYS = 90;
const SECONDS_PER_DAY = 86_400;

export interface SecretAttributesData {
  enabled: boolean;
  nbf?: number;
  exp?: number;
  created: number;
  updated: number;
}

export interface SecretVersionData {
  version: string;
  value: string;
  contentType?: string;
  tags?: Record<string, string>;
  attributes: SecretAttributesData;
  /** Set on the secret backing a certificate: the certificate's key id, as AKV's `kid`. */
  kid?: string;
  /** True on the secret backing a certificate (AKV's `managed`). */
  managed?: boolean;
}

export interface SecretData {
  name: string;
  /** Oldest first; the last one is the latest. */
  versions: SecretVersionData[];
}

export interface DeletedSecretData {
  secret: SecretData;
  deletedDate: number;
  scheduledPurgeDate: number;
}

export interface VaultStateSnapshot {
  formatVersion: 1;
  secrets: SecretData[];
  deleted: DeletedSecretData[];
  /** Absent in state files written before keys and certificates existed. */
  keys?: StoredObject<KeyVersionData>[];
  deletedKeys?: DeletedObject<KeyVersionData>[];
  certificates?: StoredObject<CertificateVersionData>[];
  deletedCertificates?: DeletedObject<CertificateVersionData>[];
}

export interface SetSecretInput {
  value: string;
  contentType?: string;
  tags?: Record<string, string>;
  enabled?: boolean;
  nbf?: number;
  exp?: number;
}

/** A PATCH: `null` clears nbf/exp, `undefined` leaves a field as it is. */
export interface UpdateSecretInput {
  contentType?: string;
  tags?: Record<string, string>;
  enabled?: boolean;
  nbf?: number | null;
  exp?: number | null;
}

export class VaultState {
  readonly #secrets = new Map<string, SecretData>();
  readonly #deleted = new Map<string, DeletedSecretData>();
  /** Keys (POST /keys/{name}/create, PUT /keys/{name}, and the keys backing certificates). */
  keys: ObjectCollection<KeyVersionData> = new ObjectCollection('Key');
  certificates: ObjectCollection<CertificateVersionData> = new ObjectCollection('Certificate');

  static fromSnapshot(snapshot: VaultStateSnapshot): VaultState {
    const state = new VaultState();
    for (const s of snapshot.secrets) state.#secrets.set(keyOf(s.name), s);
    for (const d of snapshot.deleted) state.#deleted.set(keyOf(d.secret.name), d);
    state.keys = new ObjectCollection('Key', { live: snapshot.keys ?? [], deleted: snapshot.deletedKeys ?? [] });
    state.certificates = new ObjectCollection('Certificate', { live: snapshot.certificates ?? [], deleted: snapshot.deletedCertificates ?? [] });
    return state;
  }

  toSnapshot(): VaultStateSnapshot {
    const keys = this.keys.snapshot();
    const certificates = this.certificates.snapshot();
    return {
      formatVersion: 1,
      secrets: [...this.#secrets.values()],
      deleted: [...this.#deleted.values()],
      keys: keys.live,
      deletedKeys: keys.deleted,
      certificates: certificates.live,
      deletedCertificates: certificates.deleted,
    };
  }

  /** True when the live secret `name` backs a certificate (its latest version is managed). */
  isManagedSecret(name: string): boolean {
    return this.#secrets.get(keyOf(name))?.versions.at(-1)?.managed === true;
  }

  /** True when a live or soft-deleted secret has this name. */
  hasSecretName(name: string): boolean {
    return this.#secrets.has(keyOf(name)) || this.#deleted.has(keyOf(name));
  }

  /** Appends the version of a certificate's backing secret (no size or managed checks: the certificate import made it). */
  addManagedSecretVersion(name: string, version: SecretVersionData): void {
    const secret = this.#secrets.get(keyOf(name)) ?? { name, versions: [] };
    secret.versions.push(version);
    this.#secrets.set(keyOf(name), secret);
  }

  /** Moves a certificate's backing secret out of the live secrets (the certificate was deleted). */
  takeSecret(name: string): SecretData | undefined {
    const secret = this.#secrets.get(keyOf(name));
    this.#secrets.delete(keyOf(name));
    return secret;
  }

  /** Puts a certificate's backing secret back (the certificate was recovered). */
  putSecret(secret: SecretData): void {
    this.#secrets.set(keyOf(secret.name), secret);
  }

  setSecret(name: string, input: SetSecretInput, at: { now: number; version: string }): { secret: SecretData; version: SecretVersionData } {
    assertValidName(name);
    assertValidValue(name, input.value);
    if (this.#deleted.has(keyOf(name))) throw deletedButRecoverable(name);
    if (this.isManagedSecret(name)) throw managedByCertificate('Secret', name);
    const version: SecretVersionData = {
      version: at.version,
      value: input.value,
      ...(input.contentType !== undefined && { contentType: input.contentType }),
      ...(input.tags !== undefined && { tags: { ...input.tags } }),
      attributes: {
        enabled: input.enabled ?? true,
        ...(input.nbf !== undefined && { nbf: input.nbf }),
        ...(input.exp !== undefined && { exp: input.exp }),
        created: at.now,
        updated: at.now,
      },
    };
    const secret = this.#secrets.get(keyOf(name)) ?? { name, versions: [] };
    secret.versions.push(version);
    this.#secrets.set(keyOf(name), secret);
    return { secret, version };
  }

  /** The given version, or the latest when `version` is empty. Does not judge enabled/nbf/exp. */
  getSecret(name: string, version?: string): { secret: SecretData; version: SecretVersionData } {
    const secret = this.#secrets.get(keyOf(name));
    const found = secret && (version ? secret.versions.find((v) => v.version === version.toLowerCase()) : secret.versions.at(-1));
    if (!secret || !found) throw secretNotFound(name, version);
    return { secret, version: found };
  }

  updateSecret(name: string, version: string | undefined, patch: UpdateSecretInput, now: number): { secret: SecretData; version: SecretVersionData } {
    const found = this.getSecret(name, version);
    const v = found.version;
    if (patch.contentType !== undefined) v.contentType = patch.contentType;
    if (patch.tags !== undefined) v.tags = { ...patch.tags };
    if (patch.enabled !== undefined) v.attributes.enabled = patch.enabled;
    if (patch.nbf === null) delete v.attributes.nbf;
    else if (patch.nbf !== undefined) v.attributes.nbf = patch.nbf;
    if (patch.exp === null) delete v.attributes.exp;
    else if (patch.exp !== undefined) v.attributes.exp = patch.exp;
    v.attributes.updated = now;
    return found;
  }

  /** Active secrets sorted by name (case-insensitive), for paging. */
  listSecrets(): SecretData[] {
    return sortedByName([...this.#secrets.values()]);
  }

  /** Versions of one secret, oldest first. */
  listVersions(name: string): SecretVersionData[] {
    const secret = this.#secrets.get(keyOf(name));
    if (!secret) throw secretNotFound(name);
    return [...secret.versions];
  }

  deleteSecret(name: string, now: number): DeletedSecretData {
    const secret = this.#secrets.get(keyOf(name));
    if (!secret) throw secretNotFound(name);
    if (this.isManagedSecret(name)) throw managedByCertificate('Secret', name);
    const deleted: DeletedSecretData = { secret, deletedDate: now, scheduledPurgeDate: now + RECOVERABLE_DAYS * SECONDS_PER_DAY };
    this.#secrets.delete(keyOf(name));
    this.#deleted.set(keyOf(name), deleted);
    return deleted;
  }

  listDeleted(): DeletedSecretData[] {
    return [...this.#deleted.values()].sort((a, b) => compareNames(a.secret.name, b.secret.name));
  }

  getDeleted(name: string): DeletedSecretData {
    const deleted = this.#deleted.get(keyOf(name));
    if (!deleted) throw deletedSecretNotFound(name);
    return deleted;
  }

  purgeDeleted(name: string): void {
    if (!this.#deleted.delete(keyOf(name))) throw deletedSecretNotFound(name);
  }

  recoverDeleted(name: string): SecretData {
    const deleted = this.getDeleted(name);
    this.#deleted.delete(keyOf(name));
    this.#secrets.set(keyOf(name), deleted.secret);
    return deleted.secret;
  }

  /** A deep copy of a live secret with every version, for a backup blob. */
  exportSecret(name: string): SecretData {
    const secret = this.#secrets.get(keyOf(name));
    if (!secret) throw secretNotFound(name);
    return structuredClone(secret);
  }

  /**
   * Puts a backed-up secret back, every version as it was. AKV refuses a restore over a name that
   * exists (409 Conflict) or is soft-deleted (409 ObjectIsDeletedButRecoverable).
   */
  restoreSecret(data: SecretData): SecretData {
    assertValidName(data.name);
    if (this.#deleted.has(keyOf(data.name))) throw deletedButRecoverable(data.name);
    if (this.#secrets.has(keyOf(data.name))) {
      throw new VaultApiError(409, 'Conflict', `Secret ${data.name} already exists; a backup can only be restored under a name that is not in use.`);
    }
    const secret = structuredClone(data);
    this.#secrets.set(keyOf(secret.name), secret);
    return secret;
  }

  /** Purges soft-deleted secrets, keys and certificates whose scheduled purge date has passed, as AKV does in the background. */
  purgeDue(now: number): string[] {
    const due = [...this.#deleted.values()].filter((d) => d.scheduledPurgeDate <= now).map((d) => d.secret.name);
    for (const name of due) this.#deleted.delete(keyOf(name));
    return [...due, ...this.keys.purgeDue(now), ...this.certificates.purgeDue(now)];
  }
}

/** AKV judges availability per version: disabled versions answer 403 SecretDisabled. */
export function isDisabled(version: SecretVersionData): boolean {
  return !version.attributes.enabled;
}

/** Outside [nbf, exp). AKV still serves such values (checked: 200 for an expired secret); see enforceValidity. */
export function isOutsideValidity(version: SecretVersionData, now: number): 'notYetValid' | 'expired' | undefined {
  if (version.attributes.nbf !== undefined && now < version.attributes.nbf) return 'notYetValid';
  if (version.attributes.exp !== undefined && now >= version.attributes.exp) return 'expired';
  return undefined;
}

function keyOf(name: string): string {
  return name.toLowerCase();
}

function compareNames(a: string, b: string): number {
  const ka = keyOf(a);
  const kb = keyOf(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function sortedByName(secrets: SecretData[]): SecretData[] {
  return secrets.sort((a, b) => compareNames(a.name, b.name));
}

/**
 * AKV's answer for a name outside `^[0-9a-zA-Z-]{1,127}$`: 400 BadParameter, message
 * "The request URI contains an invalid name: <name>" (the shape Key Vault returns, as quoted in
 * Azure SDK issue reports), with no inner error.
 */
export function assertValidName(name: string): void {
  if (!SECRET_NAME_PATTERN.test(name)) throw badParameter(`The request URI contains an invalid name: ${name}`);
}

function assertValidValue(name: string, value: string): void {
  if (Buffer.byteLength(value, 'utf8') > MAX_VALUE_BYTES) {
    throw badParameter(`The value of secret ${name} exceeds the maximum size of ${MAX_VALUE_BYTES} bytes.`);
  }
}

function deletedButRecoverable(name: string): VaultApiError {
  return new VaultApiError(
    409,
    'Conflict',
    `Secret ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.`,
    { innerCode: 'ObjectIsDeletedButRecoverable' },
  );
}

/**
 * A secret or key backing a certificate cannot be written or deleted through its own API: the
 * certificate owns it (AKV answers such a write with 409 Conflict; the wording here is ours).
 */
export function managedByCertificate(kind: 'Secret' | 'Key', name: string): VaultApiError {
  return new VaultApiError(409, 'Conflict', `${kind} ${name} is managed by certificate ${name}; change it through the certificates API.`);
}
