import type { ExternalSecret } from '../api/index.ts';
import { ANNOTATION_DATA_HASH } from '../api/constants.ts';
import type { ObjectMeta } from '../api/meta.ts';
import { creationPolicyOf, refreshIntervalMsOf, syncVersionOf } from './external-secret.ts';

/** What the controller knows about the live target Secret without holding its values. */
export interface LiveTargetMeta {
  metadata: ObjectMeta;
  /** dataHash() of the live data, computed when the object was observed (data itself is dropped). */
  observedDataHash: string;
}

export type RefreshReason =
  | 'never-synced'
  | 'spec-changed'
  | 'interval-elapsed'
  | 'target-missing'
  | 'target-drifted'
  | 'up-to-date';

/**
 * Why (or whether) this ExternalSecret must be read from the vault now: ESO's shouldRefresh plus its
 * target validity check. Pure: `now` and the live Secret's metadata are passed in.
 */
export function refreshReason(es: ExternalSecret, live: LiveTargetMeta | undefined, now: Date): RefreshReason {
  const synced = es.status?.syncedResourceVersion;
  if (!synced || !es.status?.refreshTime) return 'never-synced';
  if (synced !== syncVersionOf(es) && es.spec.refreshPolicy !== 'CreatedOnce') return 'spec-changed';
  const policy = creationPolicyOf(es);
  if (policy !== 'None') {
    if (!live) return 'target-missing';
    const recorded = live.metadata.annotations?.[ANNOTATION_DATA_HASH];
    if (policy !== 'Merge' && recorded !== live.observedDataHash) return 'target-drifted';
  }
  const next = nextRefreshAt(es, Date.parse(es.status.refreshTime));
  return next !== undefined && next <= now.getTime() ? 'interval-elapsed' : 'up-to-date';
}

/**
 * Periodic refreshes happen on a grid of the refresh interval (multiples of R since the epoch), so
 * every ExternalSecret with the same interval refreshes in the same wave and shares its vault reads:
 * a wave reads each distinct key once. The first refresh after a sync comes at the first grid point
 * at least R/2 later (between R/2 and 3R/2), every later one exactly R apart.
 */
export function nextRefreshAt(es: ExternalSecret, lastRefreshMs: number): number | undefined {
  if (es.spec.refreshPolicy === 'CreatedOnce' || es.spec.refreshPolicy === 'OnChange') return undefined;
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

export function needsRefresh(es: ExternalSecret, live: LiveTargetMeta | undefined, now: Date): boolean {
  return refreshReason(es, live, now) !== 'up-to-date';
}

/** Milliseconds until the next periodic refresh, or undefined when none is scheduled. */
export function untilNextRefresh(es: ExternalSecret, now: Date, lastRefresh: Date | undefined = undefined): number | undefined {
  const last = lastRefresh?.getTime() ?? (es.status?.refreshTime ? Date.parse(es.status.refreshTime) : now.getTime());
  const next = nextRefreshAt(es, last);
  return next === undefined ? undefined : Math.max(0, next - now.getTime());
}
