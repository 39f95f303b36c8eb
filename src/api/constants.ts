export const GROUP = 'external-secrets.io';
export const STORAGE_VERSION = 'v1';
export const SERVED_VERSIONS = ['v1', 'v1beta1'] as const;
export const API_VERSION = `${GROUP}/${STORAGE_VERSION}`;

/** ESO's CRD default for spec.refreshInterval (metav1.Duration's form of 1h). */
export const DEFAULT_REFRESH_INTERVAL = '1h0m0s';

export const ANNOTATION_DATA_HASH = 'reconcile.external-secrets.io/data-hash';
export const ANNOTATION_FORCE_SYNC = 'force-sync';
export const LABEL_MANAGED = 'reconcile.external-secrets.io/managed';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const MANAGER_NAME = 'projector';
export const FIELD_MANAGER = 'projector';

export const CONDITION_READY = 'Ready';
export const CONDITION_DELETED = 'Deleted';

/** ESO's condition reasons, verbatim. */
export const Reason = {
  SecretSynced: 'SecretSynced',
  SecretSyncedError: 'SecretSyncedError',
  SecretDeleted: 'SecretDeleted',
  SecretMissing: 'SecretMissing',
  StoreValidated: 'Valid',
  StoreInvalid: 'InvalidStoreConfiguration',
  StoreValidationFailed: 'ValidationFailed',
  StoreInvalidProviderConfig: 'InvalidProviderConfig',
} as const;

/** ESO's event reasons. */
export const EventReason = {
  Updated: 'Updated',
  Created: 'Created',
  Deleted: 'Deleted',
  UpdateFailed: 'UpdateFailed',
  Valid: 'Valid',
  Invalid: 'InvalidStoreConfiguration',
  ValidationFailed: 'ValidationFailed',
} as const;
