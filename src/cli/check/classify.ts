// Pure: what the vault's answer about one reference means for the report.
import type { ProjectorError } from '../../core/errors.ts';

/**
 * `generated`: a dataFrom generatorRef that is valid (the same rules as the operator's): its values
 * come from a generator, not from a vault, so there is nothing to check against one. Not a failure.
 */
export const OUTCOMES = ['ok', 'generated', 'missing', 'disabled', 'expired', 'no-such-property', 'forbidden', 'unreachable', 'error'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface CheckResult {
  outcome: Outcome;
  /** Why, built from names, codes and statuses only. */
  detail?: string;
  /** For find: how many secrets match. */
  matched?: number;
  /** The version the vault answered with, when it said. */
  version?: string;
}

export interface SecretDescription {
  exists: boolean;
  enabled: boolean;
  expired: boolean;
  version?: string | undefined;
  hasProperty?: boolean | undefined;
  /** Why the property is not there, in the provider's words (a tag under metadataPolicy Fetch says "tag"). */
  propertyProblem?: string | undefined;
}

export function classifyDescription(d: SecretDescription, property: string | undefined): CheckResult {
  const version = d.version ? { version: d.version } : {};
  if (!d.exists) return { outcome: 'missing', detail: 'secret not found' };
  if (!d.enabled) return { outcome: 'disabled', detail: 'secret is disabled', ...version };
  if (d.expired) return { outcome: 'expired', detail: 'secret has expired', ...version };
  if (property && d.hasProperty === false) return { outcome: 'no-such-property', detail: d.propertyProblem ?? `property "${property}" not found in the value`, ...version };
  return { outcome: 'ok', ...version };
}

export function classifyFind(matched: number): CheckResult {
  if (matched === 0) return { outcome: 'missing', detail: 'no secret matches', matched };
  return { outcome: 'ok', detail: `${matched} secret${matched === 1 ? '' : 's'} match`, matched };
}

/**
 * A provider error as a check outcome. The vault's own codes are read once, by the provider's
 * error mapping (providers/azurekv/errors.ts), which sets `details.cause`; this reads the cause,
 * then falls back on the error code for providers that set none.
 */
export function classifyError(e: ProjectorError): CheckResult {
  const detail = e.describe();
  switch (e.details.cause) {
    case 'not-found':
    case 'version-not-found':
    case 'deleted-recoverable':
      return { outcome: 'missing', detail };
    case 'disabled':
      return { outcome: 'disabled', detail };
    case 'expired':
    case 'not-yet-valid':
      return { outcome: 'expired', detail };
    case 'unauthorized':
    case 'forbidden':
      return { outcome: 'forbidden', detail };
    case 'throttled':
    case 'unavailable':
    case 'bad-response':
      return { outcome: 'unreachable', detail };
    case 'invalid-name':
    case 'bad-request':
      return { outcome: 'error', detail };
    case undefined:
      break;
  }
  switch (e.code) {
    case 'VaultNotFound':
      return { outcome: 'missing', detail };
    case 'VaultForbidden':
    case 'StoreAuthFailed':
      return { outcome: 'forbidden', detail };
    case 'VaultBadValue':
      return { outcome: 'no-such-property', detail };
    case 'VaultUnavailable':
    case 'VaultThrottled':
      return { outcome: 'unreachable', detail };
    default:
      return { outcome: 'error', detail };
  }
}

/** Findings fail the check; an unreachable vault is an infrastructure problem of its own; a generated value is neither. */
export function isFinding(outcome: Outcome): boolean {
  return outcome !== 'ok' && outcome !== 'generated' && outcome !== 'unreachable';
}

/** Outcomes that pass: the reference is fine (`ok`) or has nothing to read from a vault (`generated`). */
export function isPassing(outcome: Outcome): boolean {
  return outcome === 'ok' || outcome === 'generated';
}

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_INFRA = 2;

/** 1 when any reference is missing, disabled, expired, forbidden, lacks its property or is in error; else 2 when a vault was unreachable; else 0 (ok and generated). */
export function exitCodeFor(results: readonly { outcome: Outcome }[]): number {
  if (results.some((r) => isFinding(r.outcome))) return EXIT_FINDINGS;
  if (results.some((r) => r.outcome === 'unreachable')) return EXIT_INFRA;
  return EXIT_OK;
}

/**
 * A PushSecret destination as the operator would treat it (providers/azurekv/push.ts, ESO's
 * canCreate): absent → created; ours (tag managed-by=external-secrets) → replaced when the value
 * differs; someone else's → refused under updatePolicy Replace (TargetOwnedElsewhere), left under
 * IfNotExists, as is any existing object under IfNotExists. Write permission is not tried: check
 * never writes.
 */
export function classifyPushDestination(d: { exists: boolean; managed: boolean }, updatePolicy: 'Replace' | 'IfNotExists', remoteKey: string): CheckResult {
  if (!d.exists) return { outcome: 'ok', detail: 'does not exist yet: a push creates it (write permission not tested)' };
  if (updatePolicy === 'IfNotExists') return { outcome: 'ok', detail: 'exists: left unchanged (updatePolicy IfNotExists)' };
  if (d.managed) return { outcome: 'ok', detail: 'exists, managed by external-secrets: a push replaces it (write permission not tested)' };
  return { outcome: 'error', detail: `TargetOwnedElsewhere: ${remoteKey} exists without the tag managed-by=external-secrets; updatePolicy Replace would be refused` };
}
