// Status transitions of an ExternalSecret (pure): ESO's condition types, reasons and fields.
import type { ExternalSecret, ExternalSecretStatus } from '../../api/index.ts';
import { CONDITION_DELETED, CONDITION_READY, Reason } from '../../api/constants.ts';
import { kubeTime, setCondition } from '../../core/conditions.ts';
import type { ProjectorError } from '../../core/errors.ts';
import { syncVersionOf, targetNameOf } from '../../core/external-secret.ts';

export function markSynced(es: ExternalSecret, now: Date, message = 'Secret was synced'): ExternalSecretStatus {
  return {
    ...es.status,
    refreshTime: kubeTime(now),
    syncedResourceVersion: syncVersionOf(es),
    binding: { name: targetNameOf(es) },
    conditions: setCondition(es.status?.conditions, { type: CONDITION_READY, status: 'True', reason: Reason.SecretSynced, message }, now).filter(
      (c) => c.type !== CONDITION_DELETED,
    ),
  };
}

export function markDeleted(es: ExternalSecret, now: Date): ExternalSecretStatus {
  const withDeleted = setCondition(es.status?.conditions, { type: CONDITION_DELETED, status: 'False', reason: Reason.SecretDeleted, message: 'every remote secret is gone; the target Secret was deleted (deletionPolicy)' }, now);
  return {
    ...es.status,
    refreshTime: kubeTime(now),
    syncedResourceVersion: syncVersionOf(es),
    conditions: setCondition(withDeleted, { type: CONDITION_READY, status: 'False', reason: Reason.SecretDeleted, message: 'the target Secret was deleted because every remote secret is gone (deletionPolicy)' }, now),
  };
}

/** The Secret stays as it was; only the condition says what went wrong. */
export function markFailed(es: ExternalSecret, e: ProjectorError, now: Date): ExternalSecretStatus {
  return {
    ...es.status,
    conditions: setCondition(es.status?.conditions, { type: CONDITION_READY, status: 'False', reason: Reason.SecretSyncedError, message: e.describe() }, now),
  };
}

/** Deep-equal on the JSON form: skip status writes that would change nothing. */
export function sameStatus(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? {}) === JSON.stringify(b ?? {});
}
