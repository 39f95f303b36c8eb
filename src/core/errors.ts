/**
 * The one error type that crosses layers. Edges (kube/, providers/, vault client, cli/) convert raw
 * errors into it; only the reconciler (and each CLI command) catches it.
 *
 * `message` is printed in status, events, logs and CLI output, so it is built from names, field
 * paths, HTTP statuses and vault error codes only: never a value, a response body or a parser message.
 */
export type ErrorCode =
  | 'InvalidSpec'
  | 'NotSupported'
  | 'StoreNotFound'
  | 'StoreNotAllowed'
  | 'StoreNotReady'
  | 'StoreAuthFailed'
  | 'VaultNotFound'
  | 'VaultForbidden'
  | 'VaultThrottled'
  | 'VaultUnavailable'
  | 'VaultBadValue'
  | 'TemplateBinaryValue'
  | 'TemplateSourceNotFound'
  | 'TemplateSourceInvalid'
  | 'CredentialNotFound'
  | 'TargetOwnedElsewhere'
  | 'TargetImmutable'
  | 'TargetTypeImmutable'
  | 'TargetConflict'
  | 'TargetMissing'
  /** spec.target.manifest names a generic target and the operator runs without --unsafe-allow-generic-targets. */
  | 'GenericTargetsDisabled'
  /** A PushSecret's source Secret, or a key in it, does not exist. */
  | 'SourceNotFound'
  | 'KubeConflict'
  | 'KubeForbidden'
  | 'KubeInvalid'
  | 'KubeUnavailable'
  /** A local data directory (the local vault's) is held by another live process. */
  | 'DataDirLocked'
  /** A generatorRef names a generator object that does not exist (or whose CRD is not installed). */
  | 'GeneratorNotFound'
  /** A generator could not produce its values (ACR's token exchange refused or unreachable). */
  | 'GeneratorFailed'
  /** A local data directory (the local vault's) cannot be created, read or written, or holds a file that does not parse. */
  | 'DataDirUnusable'
  | 'Internal';

export type RetryClass = 'never' | 'backoff' | 'immediately';

export const retryOf: Record<ErrorCode, RetryClass> = {
  InvalidSpec: 'never',
  NotSupported: 'never',
  StoreNotAllowed: 'never',
  TargetOwnedElsewhere: 'never',
  TargetImmutable: 'never',
  TargetTypeImmutable: 'never',
  TargetConflict: 'never',
  TargetMissing: 'backoff',
  // ESO does not requeue it (a configuration error); a restart with the flag syncs it (never synced yet).
  GenericTargetsDisabled: 'never',
  SourceNotFound: 'backoff',
  VaultBadValue: 'backoff',
  // The vault value decides it (bytes that are not UTF-8 reaching a template function): retried like VaultBadValue.
  TemplateBinaryValue: 'backoff',
  // templateFrom's ConfigMap or Secret (or a key in it) is missing, or holds a template that does not
  // parse: those objects are edited apart from the ExternalSecret and not watched, so retried as ESO does.
  TemplateSourceNotFound: 'backoff',
  TemplateSourceInvalid: 'backoff',
  KubeConflict: 'immediately',
  StoreNotFound: 'backoff',
  StoreNotReady: 'backoff',
  StoreAuthFailed: 'backoff',
  CredentialNotFound: 'backoff',
  VaultNotFound: 'backoff',
  VaultForbidden: 'backoff',
  VaultThrottled: 'backoff',
  VaultUnavailable: 'backoff',
  KubeForbidden: 'backoff',
  KubeInvalid: 'backoff',
  KubeUnavailable: 'backoff',
  DataDirLocked: 'never',
  // The generator object may be created later, and a registry outage passes: ESO retries both.
  GeneratorNotFound: 'backoff',
  GeneratorFailed: 'backoff',
  DataDirUnusable: 'never',
  Internal: 'backoff',
};

/**
 * What a vault's answer means, provider-neutral. A provider's error mapping (the one place that
 * reads its vault's codes, e.g. providers/azurekv/errors.ts) sets it; `projector check`, `dev` and
 * the reconciler read it instead of re-reading vault codes.
 */
export type VaultCause =
  | 'not-found'
  | 'version-not-found'
  | 'disabled'
  | 'expired'
  | 'not-yet-valid'
  | 'deleted-recoverable'
  | 'invalid-name'
  | 'bad-request'
  | 'unauthorized'
  | 'forbidden'
  | 'throttled'
  | 'unavailable'
  /** A success status whose body is not a response of the vault's API (cut, replaced or of the wrong shape): transient. */
  | 'bad-response';

export interface ErrorDetails {
  /** What the vault's answer means, when a provider mapped one. */
  cause?: VaultCause;
  /** Field path in the manifest, e.g. `spec.data[2].remoteRef.key`. */
  field?: string;
  /** The command-line flag whose value is refused, e.g. `--port`: a usage error (src/cli/usage.ts). */
  flag?: string;
  httpStatus?: number;
  /** Vault or API-server error code, e.g. `SecretNotFound`, `Forbidden`. Never a message body. */
  remoteCode?: string;
  /** The server said when to come back (Retry-After). */
  retryAfterMs?: number;
}

export class ProjectorError extends Error {
  override readonly name = 'ProjectorError';
  readonly code: ErrorCode;
  readonly details: ErrorDetails;
  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message);
    this.code = code;
    this.details = details;
  }
  get retry(): RetryClass {
    return retryOf[this.code];
  }
  /** `code: message`, the form used in conditions, events and CLI output. */
  describe(): string {
    return `${this.code}: ${this.message}`;
  }
}

export function isProjectorError(e: unknown): e is ProjectorError {
  return e instanceof ProjectorError;
}
