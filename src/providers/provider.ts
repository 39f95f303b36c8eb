// The provider contract (ESO's SecretsClient, read side, in TypeScript).
import type { GenericStore, RemoteRef, FindRef, SecretKeySelector, ServiceAccountSelector } from '../api/index.ts';
import type { Issue } from '../core/issues.ts';
import type { Sensitive } from '../core/sensitive.ts';
import type { MaintenanceStatus } from '../core/store-maintenance.ts';
import type { Logger } from '../platform/logger.ts';

export type SecretBytes = Sensitive<Uint8Array>;

/** What a provider may ask of whoever hosts it: passed in, so providers never import kube/ or cli/. */
export interface ProviderHost {
  /** Namespace of the ExternalSecret being served (and of a namespaced SecretStore); unset for a ClusterSecretStore check. */
  readonly namespace?: string;
  /**
   * Reads one key of a Kubernetes Secret. The host enforces the namespace rule: a namespaced
   * SecretStore can only read its own namespace. Throws ProjectorError CredentialNotFound.
   */
  readSecretKey(ref: SecretKeySelector, signal: AbortSignal): Promise<Sensitive<string>>;
  /** Reads one key of a ConfigMap (CA bundles). */
  readConfigMapKey?(ref: { name: string; namespace?: string; key: string }, signal: AbortSignal): Promise<string>;
  /** Mints a service-account token (TokenRequest API) for workload identity. */
  serviceAccountToken(sa: ServiceAccountSelector, audiences: string[], signal: AbortSignal): Promise<Sensitive<string>>;
  /**
   * Annotations of a service account. Workload identity reads `azure.workload.identity/client-id`
   * and `azure.workload.identity/tenant-id` from them, as ESO does. Optional: without it, those
   * must be set on the store (authSecretRef.clientId / tenantId).
   */
  serviceAccountAnnotations?(sa: ServiceAccountSelector, signal: AbortSignal): Promise<Readonly<Record<string, string>>>;
  /**
   * Counts one call to the provider's API (ESO's runtime/metrics ObserveAPICall): `provider` and
   * `call` are ESO's names (e.g. "Azure/KeyVault", "GetSecret"), `failed` whether it errored.
   */
  observeApiCall?(provider: string, call: string, failed: boolean): void;
  readonly log: Logger;
}

/** The kinds of object a client is built from besides its store: credentials, CA bundles, identities. */
export const CREDENTIAL_KINDS = ['Secret', 'ConfigMap', 'ServiceAccount'] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

/**
 * One object a host read for a client (a credential Secret, a caProvider ConfigMap, a workload
 * identity's ServiceAccount): which object, at which resourceVersion (undefined: not found).
 */
export interface CredentialRead {
  kind: CredentialKind;
  namespace: string;
  name: string;
  resourceVersion: string | undefined;
}

/**
 * What a store's check found (ESO's `Validate() (ValidationResult, error)`, apis/externalsecrets/v1/
 * provider.go). `Ready`, and `Unknown` with no error (ESO's referent stores, whose credentials are
 * resolved per ExternalSecret), pass: the store is Ready, reason Valid. `{ unknown: cause }` is
 * ValidationResultUnknown *with* an error: the client may work but the check could not say so, and
 * the store is Ready with reason ValidationUnknown (pkg/controllers/secretstore/common.go
 * validateStore); `cause` is the error's text (names only, never a value). A check that failed
 * (ESO's ValidationResultError) throws ProjectorError instead.
 */
export type ValidationResult = 'Ready' | 'Unknown' | { readonly unknown: string };

/**
 * Reads from one vault with one identity. All methods throw ProjectorError only:
 * VaultNotFound (404), VaultForbidden (401/403), VaultThrottled (429, with retryAfterMs),
 * VaultUnavailable (5xx, network), InvalidSpec/NotSupported (bad ref for this provider).
 */
export interface SecretsClient {
  /** One value. `ref.property` selects inside a JSON value; `ref.version` pins a version. */
  getSecret(ref: RemoteRef, signal: AbortSignal): Promise<SecretBytes>;
  /** A JSON object value (or the tags with metadataPolicy Fetch) flattened into key → bytes. */
  getSecretMap(ref: RemoteRef, signal: AbortSignal): Promise<ReadonlyMap<string, SecretBytes>>;
  /** Every secret whose name matches `find.name.regexp` and/or carries `find.tags`. */
  getAllSecrets(find: FindRef, signal: AbortSignal): Promise<ReadonlyMap<string, SecretBytes>>;
  /** Does the vault answer with this identity? Throws ProjectorError with the precise reason when not. */
  validate(signal: AbortSignal): Promise<ValidationResult>;
  /** Lightweight existence check for `projector check`: never returns the value. */
  describeSecret?(ref: RemoteRef, signal: AbortSignal): Promise<{ exists: boolean; enabled: boolean; expired: boolean; version?: string; hasProperty?: boolean; propertyProblem?: string }>;
  close(): Promise<void>;
  /** Writes (PushSecret); absent for a provider that cannot write. */
  readonly writer?: SecretsWriter | undefined;
}

/** One value a PushSecret writes: ESO's PushSecretData as the provider needs it. */
export interface PushRequest {
  /** spec.data[].match.remoteRef.remoteKey (azurekv: a secret name, or key/ or cert/ + name). */
  remoteKey: string;
  /** spec.data[].match.remoteRef.property (azurekv ignores it, as ESO's Azure provider does). */
  property?: string | undefined;
  value: SecretBytes;
  /** spec.data[].metadata as written (provider-specific; ESO's PushSecretMetadata). */
  metadata?: unknown;
  /** Manifest path of the item, for messages. */
  field: string;
}

/**
 * ESO's write side of SecretsClient (PushSecret, DeleteSecret, SecretExists). Throws ProjectorError
 * only; a remote object this operator does not own is refused with TargetOwnedElsewhere.
 */
export interface SecretsWriter {
  /** Writes one value unless it is already there; returns what happened. */
  pushSecret(req: PushRequest, signal: AbortSignal): Promise<'created' | 'updated' | 'unchanged'>;
  /** Deletes a remote object the operator owns; one it does not own, or one already gone, is left. */
  deleteSecret(remoteKey: string, signal: AbortSignal): Promise<'deleted' | 'absent' | 'not-managed'>;
  /** Does the remote object exist (updatePolicy IfNotExists)? */
  secretExists(remoteKey: string, signal: AbortSignal): Promise<boolean>;
  /**
   * For `projector check`: does the destination exist, and does it carry the ownership mark that
   * lets a push replace it? Never returns the value. Optional.
   */
  describeDestination?(remoteKey: string, signal: AbortSignal): Promise<{ exists: boolean; managed: boolean }>;
}

export interface Provider {
  /** The single key under spec.provider that selects this provider, e.g. "azurekv". */
  readonly name: string;
  /**
   * ESO's Provider.Capabilities(): what a store of this provider reports in status.capabilities once
   * its check passed (pkg/controllers/secretstore/common.go reconcile).
   */
  readonly capabilities: 'ReadOnly' | 'WriteOnly' | 'ReadWrite';
  /**
   * ESO's MaintenanceStatus for the provider (apis/externalsecrets/v1/provider_schema_maintenance.go);
   * absent: maintained. NotMaintained and Deprecated stores get a Warning event at every passed check
   * (unless annotated `external-secrets.io/ignore-maintenance-checks`) and a warning from the
   * admission webhook and `projector validate` (core/store-maintenance.ts).
   */
  readonly maintenance?: MaintenanceStatus;
  /** Static checks, no I/O: used by `projector validate` and by the store reconciler. */
  validateStore(store: GenericStore): Issue[];
  /**
   * Static checks of one remote key read through a store of this provider, no I/O: `use` is `data`
   * for data[].remoteRef.key, `extract` for dataFrom[].extract.key. Issues are reported at `path`.
   * Used by `projector validate`; the provider's client throws the same finding as InvalidSpec.
   * Optional: a provider where any key may exist (fake) has none.
   */
  validateRemoteKey?(key: string, use: 'data' | 'extract', path: string): Issue[];
  newClient(store: GenericStore, host: ProviderHost, signal: AbortSignal, options?: NewClientOptions): Promise<SecretsClient>;
}

export interface NewClientOptions {
  /**
   * The client must prove its credential anew: a credential (and token) shared with other clients
   * of the same identity serves it only if it was made at most this many milliseconds ago. The
   * store check passes a short window, so a secret revoked at the identity provider shows on the
   * store while clients built earlier still hold valid tokens, and a burst of checks of stores with
   * one identity (a store per namespace) still asks for one token. Default: no bound.
   */
  credentialMaxAgeMs?: number;
}
