// Wire shapes of the AKV secrets API (SecretBundle, SecretItem, DeletedSecretBundle/Item).
import { RECOVERABLE_DAYS, type DeletedSecretData, type SecretData, type SecretVersionData } from './state.ts';

export const RECOVERY_LEVEL = 'Recoverable+Purgeable';

export interface WireAttributes {
  enabled: boolean;
  nbf?: number;
  exp?: number;
  created: number;
  updated: number;
  recoverableDays: number;
  recoveryLevel: string;
}

function wireAttributes(v: SecretVersionData): WireAttributes {
  const a = v.attributes;
  return {
    enabled: a.enabled,
    ...(a.nbf !== undefined && { nbf: a.nbf }),
    ...(a.exp !== undefined && { exp: a.exp }),
    created: a.created,
    updated: a.updated,
    recoverableDays: RECOVERABLE_DAYS,
    recoveryLevel: RECOVERY_LEVEL,
  };
}

function describe(v: SecretVersionData): Record<string, unknown> {
  return {
    ...(v.contentType !== undefined && { contentType: v.contentType }),
    attributes: wireAttributes(v),
    ...(v.tags !== undefined && { tags: v.tags }),
    // A certificate's backing secret: AKV's SecretBundle/SecretItem carry `managed: true` (and the bundle the key id).
    ...(v.managed && { managed: true }),
  };
}

export function secretId(vaultUrl: string, name: string, version?: string): string {
  return version ? `${vaultUrl}/secrets/${name}/${version}` : `${vaultUrl}/secrets/${name}`;
}

/** A SecretBundle; the value only when the caller is reading the secret. */
export function secretBundle(vaultUrl: string, secret: SecretData, v: SecretVersionData, withValue: boolean): Record<string, unknown> {
  return { ...(withValue && { value: v.value }), id: secretId(vaultUrl, secret.name, v.version), ...describe(v), ...(v.kid !== undefined && { kid: v.kid }) };
}

/** A SecretItem in GET /secrets (id without version, the latest version's properties). */
export function secretItem(vaultUrl: string, secret: SecretData): Record<string, unknown> {
  const latest = secret.versions.at(-1) as SecretVersionData;
  return { id: secretId(vaultUrl, secret.name), ...describe(latest) };
}

/** A SecretItem in GET /secrets/{name}/versions (id with version). */
export function versionItem(vaultUrl: string, secret: SecretData, v: SecretVersionData): Record<string, unknown> {
  return { id: secretId(vaultUrl, secret.name, v.version), ...describe(v) };
}

function deletedFields(vaultUrl: string, d: DeletedSecretData): Record<string, unknown> {
  return { recoveryId: `${vaultUrl}/deletedsecrets/${d.secret.name}`, scheduledPurgeDate: d.scheduledPurgeDate, deletedDate: d.deletedDate };
}

/** A DeletedSecretBundle: never carries the value. */
export function deletedSecretBundle(vaultUrl: string, d: DeletedSecretData): Record<string, unknown> {
  const latest = d.secret.versions.at(-1) as SecretVersionData;
  return { ...deletedFields(vaultUrl, d), ...secretBundle(vaultUrl, d.secret, latest, false) };
}

export function deletedSecretItem(vaultUrl: string, d: DeletedSecretData): Record<string, unknown> {
  return { ...deletedFields(vaultUrl, d), ...secretItem(vaultUrl, d.secret) };
}
