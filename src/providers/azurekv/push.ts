// Pure rules of ESO's Azure Key Vault PushSecret (providers/v1/azure/keyvault/keyvault.go:
// PushSecret, setKeyVaultSecret, canCreate, legacySecretUnchanged, canDelete; keyvault_new_sdk.go)
// and ESO's PushSecretMetadata (runtime/esutils/metadata/metadata.go). No I/O: client.ts calls them.
import { ProjectorError } from '../../core/errors.ts';

const MAX_INT32 = 2_147_483_647;

/** ESO's ownership tag on every object it pushes to Key Vault (keyvault.go managedBy / managerLabel). */
export const MANAGED_BY_TAG = 'managed-by';
export const MANAGED_BY_VALUE = 'external-secrets';

/** ESO's PushSecretMetadata apiVersion and kind (runtime/esutils/metadata). */
export const PUSH_METADATA_API_VERSION = 'kubernetes.external-secrets.io/v1alpha1';
export const PUSH_METADATA_KIND = 'PushSecretMetadata';

/** What spec.data[].metadata may set on a Key Vault secret (ESO's PushSecretMetadataSpec). */
export interface AzurePushMetadata {
  tags?: Record<string, string>;
  contentType?: string;
  expiresOn?: Date;
}

// RFC 3339 as Go's time.Parse(time.RFC3339, …) takes it: date, `T`, time, optional fraction, `Z` or ±hh:mm.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function bad(field: string, message: string): ProjectorError {
  return new ProjectorError('InvalidSpec', `${field}: ${message}`, { field });
}

/**
 * spec.data[].metadata → tags, content type and expiry, with ESO's rules: absent is none; otherwise
 * `apiVersion: kubernetes.external-secrets.io/v1alpha1`, `kind: PushSecretMetadata`, and `spec` with
 * only expirationDate (RFC 3339), contentType and tags (string → string); unknown fields refused
 * (yaml.DisallowUnknownFields); a `managed-by` tag refused. Throws ProjectorError InvalidSpec
 * naming the field; tag values are never quoted.
 */
export function parsePushMetadata(metadata: unknown, field: string): AzurePushMetadata {
  if (metadata === undefined || metadata === null) return {};
  const f = `${field}.metadata`;
  if (typeof metadata !== 'object' || Array.isArray(metadata)) throw bad(f, `failed to parse push secret metadata: expected an object with apiVersion ${PUSH_METADATA_API_VERSION} and kind ${PUSH_METADATA_KIND}`);
  const m = metadata as Record<string, unknown>;
  const unknownTop = Object.keys(m).filter((k) => !['apiVersion', 'kind', 'spec'].includes(k));
  if (unknownTop.length) throw bad(f, `failed to parse push secret metadata: unknown field "${unknownTop[0]}"`);
  if (m.apiVersion !== PUSH_METADATA_API_VERSION) throw bad(`${f}.apiVersion`, `failed to parse push secret metadata: unexpected apiVersion, expected "${PUSH_METADATA_API_VERSION}"`);
  if (m.kind !== PUSH_METADATA_KIND) throw bad(`${f}.kind`, `failed to parse push secret metadata: unexpected kind, expected "${PUSH_METADATA_KIND}"`);
  if (m.spec === undefined || m.spec === null) return {};
  if (typeof m.spec !== 'object' || Array.isArray(m.spec)) throw bad(`${f}.spec`, 'failed to parse push secret metadata: spec must be an object');
  const spec = m.spec as Record<string, unknown>;
  const unknown = Object.keys(spec).filter((k) => !['expirationDate', 'contentType', 'tags'].includes(k));
  if (unknown.length) throw bad(`${f}.spec`, `failed to parse push secret metadata: unknown field "${unknown[0]}" (azurekv takes expirationDate, contentType, tags)`);
  const out: AzurePushMetadata = {};
  if (spec.expirationDate !== undefined && spec.expirationDate !== '') {
    const text = spec.expirationDate;
    const ms = typeof text === 'string' && RFC3339.test(text) ? Date.parse(text) : NaN;
    if (!Number.isFinite(ms)) throw bad(`${f}.spec.expirationDate`, 'error parsing expiration date in metadata. Expected format: YYYY-MM-DDTHH:MM:SSZ (RFC3339). Example: 2024-12-31T20:00:00Z');
    // @azure/keyvault-secrets 4.12 serialises `exp` as `(ms / 1000) | 0`: a date after
    // 2038-01-19T03:14:07Z would reach Key Vault as a date in 1901–1970. Refused rather than corrupted.
    if (ms / 1000 > MAX_INT32) throw bad(`${f}.spec.expirationDate`, 'expiration dates after 2038-01-19T03:14:07Z cannot be sent through the Azure SDK (it truncates the Unix time to 32 bits)');
    out.expiresOn = new Date(ms);
  }
  if (spec.contentType !== undefined && spec.contentType !== '') {
    if (typeof spec.contentType !== 'string') throw bad(`${f}.spec.contentType`, 'contentType must be a string');
    out.contentType = spec.contentType;
  }
  if (spec.tags !== undefined && spec.tags !== null) {
    if (typeof spec.tags !== 'object' || Array.isArray(spec.tags)) throw bad(`${f}.spec.tags`, 'tags must be a map of strings');
    const tags: Record<string, string> = {};
    for (const [k, v] of Object.entries(spec.tags as Record<string, unknown>)) {
      if (typeof v !== 'string') throw bad(`${f}.spec.tags`, `tag "${k}" must be a string`);
      tags[k] = v;
    }
    if (Object.hasOwn(tags, MANAGED_BY_TAG)) throw bad(`${f}.spec.tags`, `error parsing tags in metadata: Cannot specify a '${MANAGED_BY_TAG}' tag`);
    out.tags = tags;
  }
  return out;
}

/**
 * ESO's canCreate refusal (`<kind> <name> not managed by external-secrets`): an existing Key Vault
 * object without the ownership tag is never overwritten. ProjectorError TargetOwnedElsewhere.
 */
export function notManagedByUs(kind: 'secret' | 'key' | 'certificate', name: string): ProjectorError {
  return new ProjectorError('TargetOwnedElsewhere', `${kind} ${name} not managed by external-secrets: it exists without the tag ${MANAGED_BY_TAG}=${MANAGED_BY_VALUE}; delete it, tag it, or use updatePolicy IfNotExists`);
}

/** Is this object ours (ESO's isManagedByESO / canCreate / canDelete)? */
export function isManagedByUs(tags: Readonly<Record<string, string>> | undefined): boolean {
  return tags?.[MANAGED_BY_TAG] === MANAGED_BY_VALUE;
}

/** The live secret a push compares with (undefined: it does not exist). */
export interface LiveKvSecret {
  value: string | undefined;
  tags: Readonly<Record<string, string>> | undefined;
  contentType: string | undefined;
  expiresOn: Date | undefined;
}

/** What to send (setSecret), or nothing. */
export type SecretWrite =
  | { action: 'unchanged' }
  | { action: 'create' | 'update'; value: string; tags: Record<string, string>; contentType: string | undefined; expiresOn: Date | undefined };

/**
 * ESO's setKeyVaultSecret decision: an existing secret without `managed-by: external-secrets` is
 * refused (TargetOwnedElsewhere, ESO: `not managed by external-secrets`); an unchanged one (same
 * value and expiry, and the same content type when one is asked for: legacySecretUnchanged) is
 * left; otherwise the value is set with the ownership tag, the metadata tags, the requested content
 * type (or the existing one) and the requested expiry. Tags alone changing do not cause a write (as ESO).
 */
export function decideSecretWrite(name: string, live: LiveKvSecret | undefined, value: string, meta: AzurePushMetadata): SecretWrite {
  if (live) {
    if (!isManagedByUs(live.tags)) {
      throw notManagedByUs('secret', name);
    }
    const sameExpiry = (live.expiresOn?.getTime() ?? undefined) === (meta.expiresOn?.getTime() ?? undefined);
    const sameContentType = meta.contentType === undefined || meta.contentType === live.contentType;
    if (live.value === value && sameExpiry && sameContentType) return { action: 'unchanged' };
  }
  return {
    action: live ? 'update' : 'create',
    value,
    tags: { [MANAGED_BY_TAG]: MANAGED_BY_VALUE, ...(meta.tags ?? {}) },
    contentType: meta.contentType ?? live?.contentType,
    expiresOn: meta.expiresOn,
  };
}
