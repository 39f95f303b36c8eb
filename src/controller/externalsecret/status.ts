// Status transitions of an ExternalSecret (pure): ESO's condition types, reasons, messages and fields.
import type { ExternalSecret, ExternalSecretStatus } from '../../api/index.ts';
import { CONDITION_READY, Reason } from '../../api/constants.ts';
import { kubeTime, setCondition } from '../../core/conditions.ts';
import type { ProjectorError } from '../../core/errors.ts';
import { syncVersionOf, targetNameOf } from '../../core/external-secret.ts';
import type { Plan } from '../../core/plan-target-secret.ts';
import type { GenericPlan } from '../../core/generic-target.ts';

/**
 * ESO's Ready messages for a sync that did not fail, verbatim (msgSynced, msgSyncedRetain, msgDeleted,
 * msgMissing in pkg/controllers/externalsecret/externalsecret_controller.go): dashboards and alerts
 * written against ESO match Projector's conditions unchanged.
 */
export const ReadyMessage = {
  Synced: 'secret synced',
  SyncedRetain: 'secret retained due to DeletionPolicy=Retain',
  Deleted: 'secret deleted due to DeletionPolicy=Delete',
  Missing: 'secret will not be created due to CreationPolicy=Merge',
} as const;

/**
 * `status.binding` when no Secret was bound: ESO's Binding is a non-pointer corev1.LocalObjectReference
 * (`json:"binding,omitempty"` does not omit a struct, so ESO writes `binding: {}`) and the CRD defaults
 * its name to "", so the API server serves `{name: ""}`. Written in that served form so the status
 * Projector computes compares equal to the one it reads back.
 */
const UNBOUND = { name: '' } as const;

/** A condition type older Projector versions wrote; ESO has none such. */
const LEGACY_DELETED_CONDITION = 'Deleted';

/**
 * ESO's markAsDone: Ready=True with `reason`/`message`, refreshTime and syncedResourceVersion set;
 * the binding names the target only when the Secret was created or updated (ESO sets it in
 * createSecret/updateSecret), otherwise it keeps what it was.
 */
function markDone(es: ExternalSecret, now: Date, reason: string, message: string, bound: boolean): ExternalSecretStatus {
  return {
    ...es.status,
    refreshTime: kubeTime(now),
    syncedResourceVersion: syncVersionOf(es),
    binding: bound ? { name: targetNameOf(es) } : (es.status?.binding ?? UNBOUND),
    // ESO never writes a Deleted condition; older Projector versions did, so drop a leftover one.
    conditions: setCondition(es.status?.conditions, { type: CONDITION_READY, status: 'True', reason, message }, now).filter((c) => c.type !== LEGACY_DELETED_CONDITION),
  };
}

/** A sync that wrote (or confirmed) the Secret, or had nothing to write (`bound` false: creationPolicy None). */
export function markSynced(es: ExternalSecret, now: Date, bound = true): ExternalSecretStatus {
  return markDone(es, now, Reason.SecretSynced, ReadyMessage.Synced, bound);
}

/** The provider returned no data under deletionPolicy Retain: the Secret is kept as it was. */
export function markRetained(es: ExternalSecret, now: Date): ExternalSecretStatus {
  return markDone(es, now, Reason.SecretSynced, ReadyMessage.SyncedRetain, false);
}

/** Every remote secret is gone under deletionPolicy Delete: the Secret was deleted (Ready stays True, as in ESO). */
export function markDeleted(es: ExternalSecret, now: Date): ExternalSecretStatus {
  return markDone(es, now, Reason.SecretDeleted, ReadyMessage.Deleted, false);
}

/** creationPolicy Merge and the Secret does not exist: nothing is created; ESO reports it as done (Ready=True). */
export function markMissing(es: ExternalSecret, now: Date): ExternalSecretStatus {
  return markDone(es, now, Reason.SecretMissing, ReadyMessage.Missing, false);
}

/**
 * The status after a plan was carried out: ESO's choice of reason and message per outcome
 * (externalsecret_controller.go Reconcile: msgDeleted, msgSyncedRetain, msgMissing, msgSynced).
 */
export function statusAfter(es: ExternalSecret, plan: Plan, now: Date): ExternalSecretStatus {
  switch (plan.action) {
    case 'delete':
      return markDeleted(es, now);
    case 'retain':
      return markRetained(es, now);
    case 'wait-for-target':
      return markMissing(es, now);
    case 'skip':
      return markSynced(es, now, false);
    default:
      return markSynced(es, now, true);
  }
}

/** ESO's Ready message for a generic target under creationPolicy Merge without a live object (reconcileGenericTarget). */
export const RESOURCE_MISSING_MESSAGE = 'resource will not be created due to CreationPolicy=Merge';

/**
 * The status after a generic target's plan was carried out (ESO reconcileGenericTarget): the
 * Resource* reasons with the Secret path's messages (msgSynced, msgSyncedRetain, msgDeleted) and
 * RESOURCE_MISSING_MESSAGE; status.binding is never set on this path (ESO sets it only for Secrets).
 */
export function statusAfterGeneric(es: ExternalSecret, plan: GenericPlan, now: Date): ExternalSecretStatus {
  switch (plan.action) {
    case 'delete':
      return markDone(es, now, Reason.ResourceDeleted, ReadyMessage.Deleted, false);
    case 'retain':
      return markDone(es, now, Reason.ResourceSynced, ReadyMessage.SyncedRetain, false);
    case 'wait-for-target':
      return markDone(es, now, Reason.ResourceMissing, RESOURCE_MISSING_MESSAGE, false);
    default:
      return markDone(es, now, Reason.ResourceSynced, ReadyMessage.Synced, false);
  }
}

/**
 * The Secret stays as it was; only the condition says what went wrong. The message names the cause
 * (ESO says only "could not get secret data from provider"); the reason is ESO's SecretSyncedError.
 * A status written before any sync carries ESO's zero values: `refreshTime: null`, binding `{name: ""}`.
 * `reason`: ResourceSyncedError for a generic target's failures (ESO reconcileGenericTarget).
 */
export function markFailed(es: ExternalSecret, e: ProjectorError, now: Date, boundTarget?: string, reason: string = Reason.SecretSyncedError): ExternalSecretStatus {
  return {
    ...es.status,
    // ESO's RefreshTime is a non-pointer metav1.Time: unset, it serializes as null (kept: the CRD marks it nullable).
    refreshTime: es.status?.refreshTime ?? null,
    binding: boundTarget !== undefined ? { name: boundTarget } : (es.status?.binding ?? UNBOUND),
    conditions: setCondition(es.status?.conditions, { type: CONDITION_READY, status: 'False', reason, message: e.describe() }, now),
  };
}

/** Deep-equal on the JSON form: skip status writes that would change nothing. */
export function sameStatus(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? {}) === JSON.stringify(b ?? {});
}
