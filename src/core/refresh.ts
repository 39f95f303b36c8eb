import type { ExternalSecret } from '../api/index.ts';
import { ANNOTATION_DATA_HASH, CONDITION_READY, Reason } from '../api/constants.ts';
import type { ObjectMeta } from '../api/meta.ts';
import { creationPolicyOf, refreshIntervalMsOf, refreshPolicyOf, syncVersionOf } from './external-secret.ts';
import { nextPeriodicRefreshAllowedAt, periodicRefreshAllowed } from './sync-windows.ts';

/** What the controller knows about the live target Secret without holding its values. */
export interface LiveTargetMeta {
  metadata: ObjectMeta;
  /** dataHash() of the live data, computed when the object was observed (data itself is dropped). */
  observedDataHash: string;
}

export type RefreshReason =
  | 'never-synced'
  | 'spec-changed'
  | 'store-changed'
  | 'interval-elapsed'
  | 'target-missing'
  | 'target-drifted'
  /** A periodic refresh (interval elapsed, or a store changed) is due, but `spec.syncWindows` blocks it now. */
  | 'sync-window-closed'
  | 'up-to-date';

/**
 * Why (or whether) this ExternalSecret must be read from the vault now. Pure: `now`, the live
 * Secret's metadata and whether one of its stores changed are passed in. docs/refresh.md has the
 * whole table of triggers.
 *
 * It is ESO's `shouldRefresh(es) || !isSecretValid(secret, es)`
 * (pkg/controllers/externalsecret/externalsecret_controller.go), with two deliberate differences:
 * periodic refreshes fall on a grid of the interval (nextRefreshAt), and a changed store refreshes
 * the ExternalSecrets that refresh periodically at once instead of at their next interval.
 *
 * - `live`: the target Secret as the managed-Secrets watch holds it (label
 *   `reconcile.external-secrets.io/managed=true`), undefined when absent or not labelled — ESO's
 *   isSecretValid treats both alike.
 * - `storeChanged`: a store the ExternalSecret reads from changed its spec since the last reconcile.
 *
 * Reasons that want fresher vault reads come first (never-synced, spec-changed, store-changed,
 * interval-elapsed), so a target repaired in the same reconcile still gets fresh data. A target
 * that is missing or edited is repaired even while a sync window blocks periodic refreshes (ESO
 * asks isSecretValid whatever shouldRefresh says); `sync-window-closed` means no refresh now.
 */
export function refreshReason(es: ExternalSecret, live: LiveTargetMeta | undefined, now: Date, storeChanged = false): RefreshReason {
  const due = refreshDue(es, now, storeChanged);
  if (due !== 'up-to-date' && due !== 'sync-window-closed') return due;
  return targetInvalid(es, live) ?? due;
}

/**
 * ESO's shouldRefresh, by refresh policy:
 * - CreatedOnce: only until the first successful sync.
 * - OnChange: first sync, then whenever generation, labels or annotations change (so `force-sync`).
 * - Periodic with refreshInterval 0: like CreatedOnce (ESO shouldRefreshPeriodic returns false once
 *   synced, before it looks at the ExternalSecret's version), so spec changes are not synced either.
 * - Periodic with an interval: first sync, any change, a refreshTime in the future (a clock moved
 *   back), and the interval's next grid point — the last (and a changed store, which brings it
 *   forward) only when `spec.syncWindows` allows a periodic refresh at `now` (ESO
 *   shouldRefreshPeriodic asks isPeriodicRefreshAllowedByWindows last, after every other check;
 *   core/sync-windows.ts). A store change held back by a window is not kept: the refresh comes at the
 *   next grid point the windows allow, as ESO (which does not watch stores) refreshes.
 */
function refreshDue(es: ExternalSecret, now: Date, storeChanged: boolean): RefreshReason {
  const status = es.status;
  if (!status?.syncedResourceVersion || !status.refreshTime) return 'never-synced';
  const policy = refreshPolicyOf(es);
  if (policy === 'CreatedOnce') return 'up-to-date';
  const interval = refreshIntervalMsOf(es);
  if (policy === 'Periodic' && interval === 0) return 'up-to-date';
  if (status.syncedResourceVersion !== syncVersionOf(es)) return 'spec-changed';
  if (policy === 'OnChange') return 'up-to-date';
  // Periodic with an interval (or with one that does not parse: validation fails that reconcile).
  const last = Date.parse(status.refreshTime);
  if (last > now.getTime()) return storeChanged ? 'store-changed' : 'interval-elapsed';
  const next = nextRefreshAt(es, last);
  const elapsed = next !== undefined && next <= now.getTime();
  if (!storeChanged && !elapsed) return 'up-to-date';
  if (!periodicRefreshAllowed(es.spec.syncWindows, now)) return 'sync-window-closed';
  return storeChanged ? 'store-changed' : 'interval-elapsed';
}

/**
 * ESO's isSecretValid, by creation policy:
 * - Orphan: a Secret is always valid, missing or edited (re-created / reverted when a refresh is due).
 * - None: never written, so nothing to repair (a deliberate difference: ESO's check fails for a
 *   Secret it never labels, making it re-read the vault on every reconcile to write nothing).
 * - Owner, Merge (and CreateOrMerge, should it be added): missing or unlabelled is invalid, and so
 *   is data whose hash differs from the `reconcile.external-secrets.io/data-hash` annotation.
 */
function readyReasonOf(es: ExternalSecret): string | undefined {
  return es.status?.conditions?.find((c) => c.type === CONDITION_READY)?.reason;
}

function targetInvalid(es: ExternalSecret, live: LiveTargetMeta | undefined): 'target-missing' | 'target-drifted' | undefined {
  const policy = creationPolicyOf(es);
  if (policy === 'Orphan' || policy === 'None') return undefined;
  if (!live) return 'target-missing';
  // A Merge ExternalSecret that found no Secret to merge into merges as soon as one appears (ESO
  // waits for its next interval: the new Secret's data hash is valid).
  if (policy === 'Merge' && (readyReasonOf(es) === Reason.SecretMissing || readyReasonOf(es) === Reason.ResourceMissing)) return 'target-missing';
  if (live.metadata.annotations?.[ANNOTATION_DATA_HASH] !== live.observedDataHash) return 'target-drifted';
  return undefined;
}

/**
 * Periodic refreshes happen on a grid of the refresh interval (multiples of R since the epoch), so
 * every ExternalSecret with the same interval refreshes in the same wave and shares its vault reads:
 * a wave reads each distinct key once. The first refresh after a sync comes at the first grid point
 * at least R/2 later (between R/2 and 3R/2), every later one exactly R apart.
 */
export function nextRefreshAt(es: ExternalSecret, lastRefreshMs: number): number | undefined {
  if (refreshPolicyOf(es) !== 'Periodic') return undefined;
  const interval = refreshIntervalMsOf(es);
  if (!interval) return undefined;
  return Math.ceil((lastRefreshMs + interval / 2) / interval) * interval;
}

/** Start of the refresh wave `now` belongs to: reads started since then are fresh for it. */
export function refreshWaveStart(es: ExternalSecret, now: Date): number | undefined {
  const interval = refreshIntervalMsOf(es);
  if (!interval) return undefined;
  return Math.floor(now.getTime() / interval) * interval;
}

export function needsRefresh(es: ExternalSecret, live: LiveTargetMeta | undefined, now: Date, storeChanged = false): boolean {
  const reason = refreshReason(es, live, now, storeChanged);
  return reason !== 'up-to-date' && reason !== 'sync-window-closed';
}

/**
 * How far ahead untilNextRefresh looks for a time `spec.syncWindows` allows a periodic refresh;
 * with none in that span it asks again at its end (a reconcile, cheap: no vault read).
 */
export const SYNC_WINDOW_LOOKAHEAD_MS = 24 * 3_600_000;

/**
 * Milliseconds until the next periodic refresh, or undefined when none is scheduled. Without sync
 * windows at most 1½ intervals from `now` (the wave grid's longest first gap): `status.refreshTime`
 * is anybody's to write (a status patch needs no spec change), so a time in the future — or one that
 * does not parse — counts as `now`, never as a promise that stops refreshes (refreshDue refreshes at
 * once on a future refreshTime, as ESO's shouldRefreshPeriodic does).
 *
 * With `spec.syncWindows`, the next grid point (or `now`, when that is past: a refresh the windows
 * blocked) moves to the first time the windows allow a periodic refresh
 * (core/sync-windows.ts nextPeriodicRefreshAllowedAt), looking SYNC_WINDOW_LOOKAHEAD_MS ahead.
 */
export function untilNextRefresh(es: ExternalSecret, now: Date, lastRefresh: Date | undefined = undefined): number | undefined {
  const recorded = lastRefresh?.getTime() ?? (es.status?.refreshTime ? Date.parse(es.status.refreshTime) : now.getTime());
  const last = Number.isFinite(recorded) ? Math.min(recorded, now.getTime()) : now.getTime();
  const next = nextRefreshAt(es, last);
  if (next === undefined) return undefined;
  const due = Math.max(next, now.getTime());
  const at = es.spec.syncWindows ? nextPeriodicRefreshAllowedAt(es.spec.syncWindows, due, due + SYNC_WINDOW_LOOKAHEAD_MS) : due;
  return at - now.getTime();
}
