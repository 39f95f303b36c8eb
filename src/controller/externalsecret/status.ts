// Status transitions of an ExternalSecret (pure): ESO's condition types, reasons, messages and fields
// (pkg/controllers/externalsecret/externalsecret_controller.go markAsDone / markAsFailed and the
// msg* constants; createSecret/updateSecret set status.binding).
import type { ExternalSecret, ExternalSecretStatus } from '../../api/index.ts';
import { CONDITION_READY, Reason } from '../../api/constants.ts';
import { kubeTime, setCondition } from '../../core/conditions.ts';
import type { ProjectorError } from '../../core/errors.ts';
import { syncVersionOf, targetNameOf } from '../../core/external-secret.ts';
import type { Plan } from '../../core/plan-target-secret.ts';

/** ESO's Ready messages for a successful reconcile, verbatim. */
export const ReadyMessage = {
  synced: 'secret synced',
  retained: 'secret retained due to DeletionPolicy=Retain',
  deleted: 'secret deleted due to DeletionPolicy=Delete',
  missing: 'secret will not be created due to CreationPolicy=Merge',
} as const;

/** ESO markAsDone: Ready=True with `reason`, refreshTime now, syncedResourceVersion of this spec. */
function markDone(es: ExternalSecret, now: Date, reason: string, message: string, binding: boolean): ExternalSecretStatus {
  return {
    ...es.status,
    refreshTime: kubeTime(now),
    syncedResourceVersion: syncVersionOf(es),
    ...(binding ? { binding: { name: targetNameOf(es) } } : {}),
    conditions: setCondition(es.status?.conditions, { type: CONDITION_READY, status: 'True', reason, message }, now),
  };
}

export function markSynced(es: ExternalSecret, now: Date): ExternalSecretStatus {
  return markDone(es, now, Reason.SecretSynced, ReadyMessage.synced, true);
}

/** The status after a plan was carried out (the Secret was written, kept, deleted or is awaited). */
export function statusAfter(es: ExternalSecret, plan: Plan, now: Date): ExternalSecretStatus {
  switch (plan.action) {
    case 'delete':
      return markDone(es, now, Reason.SecretDeleted, ReadyMessage.deleted, false);
    case 'retain':
      return markDone(es, now, Reason.SecretSynced, ReadyMessage.retained, false);
    case 'wait-for-target':
      return markDone(es, now, Reason.SecretMissing, ReadyMessage.missing, false);
    case 'skip':
      return markDone(es, now, Reason.SecretSynced, ReadyMessage.synced, false);
    default:
      return markSynced(es, now);
  }
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
