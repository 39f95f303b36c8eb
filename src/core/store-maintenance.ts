// ESO's maintenance notices for stores whose provider is not maintained or is deprecated: the one
// rule behind the store controller's Warning event, the admission webhook's warning and `projector
// validate`'s warning. Pure.
import { ANNOTATION_IGNORE_MAINTENANCE_CHECKS, EventReason } from '../api/constants.ts';
import type { GenericStore } from '../api/index.ts';
import { issue, type Issue } from './issues.ts';

/**
 * ESO's MaintenanceStatus of a provider (apis/externalsecrets/v1/provider_schema_maintenance.go), as
 * each provider declares it (providers/provider.ts Provider.maintenance); undefined: maintained.
 */
export type MaintenanceStatus = 'NotMaintained' | 'Deprecated' | undefined;

/**
 * Per status: the event's reason and message (ESO pkg/controllers/secretstore/common.go,
 * msgStoreNotMaintained, msgStoreDeprecated) and the webhook's warning for a store named `name`
 * (apis/externalsecrets/v1/secretstore_validator.go, warnStoreUnmaintained, warnStoreDeprecated).
 * ESO words the two differently, and so does Projector.
 */
const NOTICES = {
  NotMaintained: {
    reason: EventReason.StoreUnmaintained,
    event: "store isn't currently maintained. Please plan and prepare accordingly.",
    warning: (name: string) => `store ${name} isn't currently maintained. Please plan and prepare accordingly.`,
  },
  Deprecated: {
    reason: EventReason.StoreDeprecated,
    event: 'store is deprecated and will be removed on the next minor release. Please plan and prepare accordingly.',
    warning: (name: string) => `store ${name} is deprecated and will stop working on the next major version. Please plan and prepare accordingly.`,
  },
} as const;

/**
 * The warnings the admission webhook and `projector validate` give for `store`, whose provider has
 * maintenance `status`: ESO's validateStore appends one to its admission warnings, after the
 * provider's own, for every CREATE and UPDATE. ESO's webhook does not look at
 * `external-secrets.io/ignore-maintenance-checks` (only its controller's event does), so neither do
 * these. Path "" so the webhook's text is ESO's exactly; code StoreUnmaintained / StoreDeprecated
 * (ESO's event reasons).
 */
export function maintenanceWarnings(store: Pick<GenericStore, 'metadata'>, status: MaintenanceStatus): Issue[] {
  if (!status) return [];
  const notice = NOTICES[status];
  return [issue('', notice.reason, notice.warning(store.metadata?.name ?? ''), 'warning')];
}

/**
 * The Warning event the store controller records at every passed check of `store`, whose provider
 * has maintenance `status`, or undefined: none for a maintained provider, and none for a store
 * annotated `external-secrets.io/ignore-maintenance-checks` (any value), as ESO's reconcile
 * (pkg/controllers/secretstore/common.go).
 */
export function maintenanceEvent(store: Pick<GenericStore, 'metadata'>, status: MaintenanceStatus): { reason: string; message: string } | undefined {
  if (!status || store.metadata?.annotations?.[ANNOTATION_IGNORE_MAINTENANCE_CHECKS] !== undefined) return undefined;
  const notice = NOTICES[status];
  return { reason: notice.reason, message: notice.event };
}
