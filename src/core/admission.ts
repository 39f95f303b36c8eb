// The verdict of the optional validating webhook (controller/admission-webhook.ts) on one object:
// the same rules `projector validate` and the operator run (core/validate.ts and the provider's
// validateStore), sorted into what refuses the object and what only warns. Pure: no I/O.
//
// ESO's webhook (apis/externalsecrets/v1/externalsecret_validator.go, secretstore_validator.go)
// refuses an object by returning errors.Join of every failed rule and passes provider warnings
// through admission.Warnings; this module does the same with Projector's Issue list.
import type { ExternalSecret, GenericStore } from '../api/index.ts';
import type { Issue } from './issues.ts';
import { validateExternalSecret, validateSecretStore } from './validate.ts';

/** The kinds the webhook serves, as ESO's webhook does (ClusterExternalSecrets have none in ESO). */
export const ADMISSION_KINDS = ['ExternalSecret', 'SecretStore', 'ClusterSecretStore'] as const;
export type AdmissionKind = (typeof ADMISSION_KINDS)[number];

export interface AdmissionVerdict {
  allowed: boolean;
  /** Issues that refuse the object (empty when allowed). */
  errors: Issue[];
  /** Issues returned as admission warnings: warnings, and NotSupported features (see below). */
  warnings: Issue[];
}

/**
 * Judges `object` (already accepted by the CRD's schema and CEL rules) as the webhook does.
 *
 * - `storeChecks`: the provider-specific checks of a store (Provider.validateStore of the provider
 *   it names; none when Projector has no such provider). ESO's webhook calls the provider's
 *   ValidateStore the same way.
 * - An error refuses the object, except code `NotSupported`: a feature ESO accepts and Projector
 *   does not implement yet is admitted with a warning and reported on the object's condition at run
 *   time, so an ESO manifest still applies (and migrating keeps every object); `projector validate`
 *   reports the same issue as an error, since the object will not sync.
 * - `operation` DELETE is always allowed (ESO's ValidateDelete returns nil). An UPDATE of an object
 *   being deleted (deletionTimestamp set) is allowed too, so an object admitted before the webhook
 *   existed can still have its finalizers removed (a deliberate difference: ESO would refuse it).
 */
export function judgeAdmission(kind: AdmissionKind, object: unknown, operation: string, storeChecks: (store: GenericStore) => Issue[] = () => []): AdmissionVerdict {
  if (operation === 'DELETE' || operation === 'CONNECT') return { allowed: true, errors: [], warnings: [] };
  if (object === null || typeof object !== 'object' || Array.isArray(object)) {
    return { allowed: false, errors: [{ path: '', code: 'NotAnObject', message: `the request carries no ${kind} object`, severity: 'error' }], warnings: [] };
  }
  const meta = (object as { metadata?: { deletionTimestamp?: unknown } }).metadata;
  if (operation === 'UPDATE' && meta?.deletionTimestamp) return { allowed: true, errors: [], warnings: [] };
  const issues = kind === 'ExternalSecret' ? validateExternalSecret(object as ExternalSecret) : [...validateSecretStore(object as GenericStore), ...storeChecks(object as GenericStore)];
  const errors = issues.filter((i) => i.severity === 'error' && i.code !== 'NotSupported');
  const warnings = issues.filter((i) => !errors.includes(i));
  return { allowed: errors.length === 0, errors, warnings };
}

/** One line per issue, `<path>: <message>`, joined with "; " (ESO joins its errors with newlines). */
export function admissionMessage(issues: readonly Issue[]): string {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
}
