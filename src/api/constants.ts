export const GROUP = 'external-secrets.io';
export const STORAGE_VERSION = 'v1';
export const SERVED_VERSIONS = ['v1', 'v1beta1'] as const;
export const API_VERSION = `${GROUP}/${STORAGE_VERSION}`;

/** ESO's CRD default for spec.refreshInterval (metav1.Duration's form of 1h). */
export const DEFAULT_REFRESH_INTERVAL = '1h0m0s';

export const ANNOTATION_DATA_HASH = 'reconcile.external-secrets.io/data-hash';
/**
 * The annotation a ClusterExternalSecret mirrors onto every ExternalSecret it manages, value and all
 * (ESO apis/externalsecrets/v1 AnnotationForceSync, used by clusterexternalsecret_controller.go
 * createOrUpdateExternalSecret). An ExternalSecret itself needs none in particular: any annotation
 * change makes it refresh (the `force-sync` of ESO's "Manual Refresh" docs is a convention).
 */
export const ANNOTATION_CES_FORCE_SYNC = 'external-secrets.io/force-sync';
export const LABEL_MANAGED = 'reconcile.external-secrets.io/managed';
/** ESO's owner label on Secrets written with creationPolicy Owner: a hash of "<namespace>/<name>". */
export const LABEL_CREATED_BY = 'reconcile.external-secrets.io/created-by';
/** ESO's finalizer on ExternalSecrets (pkg/controllers/externalsecret/externalsecret_controller.go). */
export const FINALIZER_EXTERNALSECRET_CLEANUP = 'externalsecrets.external-secrets.io/externalsecret-cleanup';
export const FIELD_MANAGER = 'projector';

export const CONDITION_READY = 'Ready';

/** ESO's condition reasons, verbatim. */
export const Reason = {
  SecretSynced: 'SecretSynced',
  SecretSyncedError: 'SecretSyncedError',
  SecretDeleted: 'SecretDeleted',
  SecretMissing: 'SecretMissing',
  /** The generic-target counterparts (spec.target.manifest; ESO ConditionReasonResource*). */
  ResourceSynced: 'ResourceSynced',
  ResourceSyncedError: 'ResourceSyncedError',
  ResourceDeleted: 'ResourceDeleted',
  ResourceMissing: 'ResourceMissing',
  StoreValidated: 'Valid',
  /** ESO: the client could not be built, or its check failed (pkg/controllers/secretstore/common.go validateStore). */
  StoreInvalidProviderConfig: 'InvalidProviderConfig',
  /** Projector's vault check refused the store (a deliberate difference, docs/design/000-overview.md). */
  StoreValidationFailed: 'ValidationFailed',
  /** ESO: the check could not tell (ValidationResultUnknown with an error); the store stays Ready (common.go validateStore). */
  StoreValidationUnknown: 'ValidationUnknown',
} as const;

/** ESO's event reasons. */
export const EventReason = {
  Updated: 'Updated',
  Created: 'Created',
  Deleted: 'Deleted',
  UpdateFailed: 'UpdateFailed',
  MissingProviderSecret: 'MissingProviderSecret',
  Valid: 'Valid',
  InvalidProviderConfig: 'InvalidProviderConfig',
  ValidationFailed: 'ValidationFailed',
  /** ESO's ReasonValidationUnknown: a Warning with the check's error, the store Ready (common.go validateStore). */
  ValidationUnknown: 'ValidationUnknown',
  /** ESO's StoreUnmaintained / StoreDeprecated, on every passed check of such a provider's store. */
  StoreUnmaintained: 'StoreUnmaintained',
  StoreDeprecated: 'StoreDeprecated',
} as const;

/** A store with this annotation (any value) gets no StoreUnmaintained/StoreDeprecated event (ESO common.go). */
export const ANNOTATION_IGNORE_MAINTENANCE_CHECKS = 'external-secrets.io/ignore-maintenance-checks';
