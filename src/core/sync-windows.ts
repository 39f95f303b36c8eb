// ESO v2.9's `spec.syncWindows`: cron windows that allow or deny *periodic* refreshes of an
// ExternalSecret. The decision is ESO's (pkg/controllers/externalsecret/externalsecret_controller.go:
// isWithinSyncWindow, isPeriodicRefreshAllowedByWindows, and their one caller, shouldRefreshPeriodic);
// when to look again is Projector's (nextPeriodicRefreshAllowedAt). The same functions serve the
// operator, `projector dev` (through core/refresh.ts) and `projector validate` / the admission
// webhook (through core/validate.ts, syncWindowIssues). Pure: time is passed in.
import type { ExternalSecretSpec } from '../api/index.ts';
import { Msg } from '../api/validation-rules.ts';
import { cronNext, parseCronSchedule, type CronParse, type CronSchedule } from './cron.ts';
import { issue, type Issue } from './issues.ts';
import { parseGoDuration } from './template/go-time.ts';

export type SyncWindows = NonNullable<ExternalSecretSpec['syncWindows']>;

interface Window {
  schedule: CronSchedule;
  /** May be negative or carry a fraction of a millisecond (a Go duration is nanoseconds). */
  durationMs: number;
}

const SECOND = 1000;

/**
 * ESO's isWithinSyncWindow: the window that opened at the schedule's first activation after
 * `atMs − duration − 1s` (robfig's Next, core/cron.ts cronNext) contains `atMs`, both ends
 * included. Exactly ESO's arithmetic, quirks and all: two overlapping occurrences (a duration longer
 * than the gap between activations) leave a gap of under a second just after each one ends; and an
 * `@every` schedule, which has no fixed start, gives a window that is open at all times when the
 * duration is at least the period minus 1 s, and never when it is at most the period minus 2 s.
 */
export function isWithinSyncWindow(schedule: CronSchedule, durationMs: number, atMs: number): boolean {
  const opened = cronNext(schedule, atMs - durationMs - SECOND);
  return opened !== undefined && opened <= atMs && atMs <= opened + durationMs;
}

/**
 * A window's `duration` as ESO decodes it (metav1.Duration: Go's time.ParseDuration of the string
 * as it is, sign included). Milliseconds, or undefined when Go would refuse it (the CRD's CEL rule
 * and `validate` refuse it too; see api/validation-rules.ts Rules.syncWindowDuration).
 */
export function syncWindowDurationMs(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const ns = parseGoDuration(text);
  return ns === undefined ? undefined : Number(ns) / 1e6 || 0;
}

/** Parsed schedules by text: every reconcile of a windowed ExternalSecret asks, and the texts are few. */
const parsed = new Map<string, CronParse>();
const PARSED_MAX = 512;

function parseCached(spec: string): CronParse {
  let p = parsed.get(spec);
  if (!p) {
    if (parsed.size >= PARSED_MAX) parsed.clear();
    p = parseCronSchedule(spec);
    parsed.set(spec, p);
  }
  return p;
}

/** The windows ESO evaluates: an unparsable schedule (or duration) is skipped, as ESO skips it. */
function windowsOf(sw: SyncWindows): Window[] {
  const out: Window[] = [];
  for (const w of Array.isArray(sw.windows) ? sw.windows : []) {
    const p = typeof w?.schedule === 'string' ? parseCached(w.schedule) : undefined;
    const durationMs = syncWindowDurationMs(w?.duration);
    if (p?.ok && durationMs !== undefined) out.push({ schedule: p.schedule, durationMs });
  }
  return out;
}

function allowedAt(kind: unknown, windows: readonly Window[], atMs: number): boolean {
  const anyOpen = windows.some((w) => isWithinSyncWindow(w.schedule, w.durationMs, atMs));
  if (kind === 'deny') return !anyOpen;
  if (kind === 'allow') return anyOpen;
  return true;
}

/**
 * ESO's isPeriodicRefreshAllowedByWindows: may a periodic refresh happen at `at`?
 * - no `syncWindows`, or an empty `windows` list: yes;
 * - `kind: deny`: yes unless a window is open; `kind: allow`: only while a window is open;
 *   any other kind (the CRD's enum refuses one): yes;
 * - a window whose schedule does not parse is never open (ESO logs it at debug level and skips
 *   it; `validate` and the webhook warn), so `allow` windows that all fail to parse block every
 *   periodic refresh.
 * ESO asks only when a Periodic refresh (refreshPolicy Periodic or unset, interval > 0) has come due
 * by time: never for a first sync, a changed spec, labels or annotations (`force-sync`), a
 * `refreshTime` in the future, or a target Secret that is missing or edited (core/refresh.ts).
 */
export function periodicRefreshAllowed(sw: SyncWindows | undefined, at: Date): boolean {
  if (!sw || !Array.isArray(sw.windows) || sw.windows.length === 0) return true;
  return allowedAt(sw.kind, windowsOf(sw), at.getTime());
}

/** How an `@every` window behaves under ESO's arithmetic: its state depends only on the time's millisecond within the second. */
type EveryShape = 'always-open' | 'never-open' | 'part-of-each-second';

function everyShape(w: Window): EveryShape {
  let open = 0;
  for (let ms = 0; ms < SECOND; ms++) if (isWithinSyncWindow(w.schedule, w.durationMs, ms)) open++;
  return open === SECOND ? 'always-open' : open === 0 ? 'never-open' : 'part-of-each-second';
}

/** The first activation of a cron (`spec`) schedule at or after `ms` (activations are whole minutes). */
function firstActivationFrom(schedule: CronSchedule, ms: number): number | undefined {
  return cronNext(schedule, Math.ceil(ms / SECOND) * SECOND - SECOND);
}

/** How many candidate times nextPeriodicRefreshAllowedAt looks at before it settles for "look again then". */
const MAX_CANDIDATES = 5000;

/**
 * When to look again at a periodic refresh that is due at `fromMs` (or was blocked then): the first
 * time in [fromMs, untilMs] at which isPeriodicRefreshAllowedByWindows says yes, or a later time at
 * which to ask again (untilMs when nothing in between is allowed). Milliseconds since the epoch.
 *
 * ESO does not compute this: a blocked refresh returns `Requeue: true` from getRequeueResult, which
 * controller-runtime retries on its failure backoff (1 s doubling to 7 min, pkg/controllers/common/
 * common.go BuildRateLimiter, never reset while blocked), so ESO refreshes within about 7 minutes
 * after a window allows it. Projector requeues for the moment the windows allow it (a deliberate
 * difference, docs/design/000-overview.md).
 *
 * The times looked at are the windows' own edges: `fromMs`, then for `allow` each activation (a
 * window opening), for `deny` the first millisecond after each occurrence ends; each is checked with
 * ESO's exact rule. A `deny` edge still inside another occurrence of the windows (`[start, start +
 * duration]`) is passed over even where ESO's arithmetic leaves a sub-second gap there, so Projector
 * never aims at those gaps (ESO lands in one only by chance). An `@every` window open for part of
 * each second adds each millisecond of the second after `fromMs`.
 */
export function nextPeriodicRefreshAllowedAt(sw: SyncWindows | undefined, fromMs: number, untilMs: number): number {
  if (!sw || !Array.isArray(sw.windows) || sw.windows.length === 0 || (sw.kind !== 'allow' && sw.kind !== 'deny')) return fromMs;
  const windows = windowsOf(sw);
  const deny = sw.kind === 'deny';
  const cron = windows.filter((w) => w.schedule.kind === 'spec');
  const every = windows.filter((w) => w.schedule.kind === 'every').map((w) => ({ w, shape: everyShape(w) }));
  // A deny window open at all times blocks every periodic refresh: only the exact rule at `fromMs` can say otherwise.
  const denyAlways = deny && every.some((e) => e.shape === 'always-open');

  const candidates = new Set<number>([fromMs]);
  if (!denyAlways) {
    for (const w of cron) {
      const d = w.durationMs;
      let at = firstActivationFrom(w.schedule, deny ? fromMs - d - 1 : fromMs);
      while (at !== undefined && candidates.size < MAX_CANDIDATES) {
        const edge = deny ? at + d + 1 : at;
        if (edge > untilMs) break;
        if (edge > fromMs) candidates.add(edge);
        at = cronNext(w.schedule, at);
      }
    }
    if (every.some((e) => e.shape === 'part-of-each-second')) for (let ms = 1; ms < SECOND; ms++) candidates.add(fromMs + ms);
  }
  const coveredByDeny = (t: number) => cron.some((w) => {
    const opened = firstActivationFrom(w.schedule, t - w.durationMs);
    return opened !== undefined && opened <= t;
  });
  const sorted = [...candidates].sort((a, b) => a - b);
  for (const t of sorted) {
    if (t > untilMs) break;
    if (deny && t !== fromMs && coveredByDeny(t)) continue;
    if (allowedAt(sw.kind, windows, t)) return t;
  }
  // Nothing allowed among the edges looked at: ask again after the last of them (or at untilMs).
  return candidates.size >= MAX_CANDIDATES ? Math.max(fromMs + 1, Math.min(untilMs, sorted[sorted.length - 1]!)) : untilMs;
}

/**
 * `validate`'s and the webhook's findings on `spec.syncWindows` (`path` is where it sits: under
 * `spec.externalSecretSpec` for a ClusterExternalSecret):
 * - a `duration` Go cannot decode: error `InvalidDuration` (ESO cannot decode such an object at all;
 *   the CRD refuses it with the same message);
 * - a `schedule` robfig/cron refuses: warning `InvalidSchedule` (ESO accepts it and never opens that
 *   window, so it is accepted here too, with the reason);
 * - a window that can never be open (a negative duration, a date no month has, an `@every` duration
 *   under its period minus 1 s) or, for `@every`, one open at all times or for part of each second:
 *   warning `SyncWindowShape`.
 */
export function syncWindowIssues(sw: SyncWindows | undefined, path: string): Issue[] {
  if (!sw || !Array.isArray(sw.windows)) return [];
  const out: Issue[] = [];
  sw.windows.forEach((w, i) => {
    const at = `${path}.windows[${i}]`;
    const durationMs = syncWindowDurationMs(w?.duration);
    if (typeof w?.duration === 'string' && durationMs === undefined) out.push(issue(`${at}.duration`, 'InvalidDuration', Msg.syncWindowDuration));
    if (typeof w?.schedule !== 'string') return;
    const p = parseCached(w.schedule);
    if (!p.ok) {
      out.push(issue(`${at}.schedule`, 'InvalidSchedule', `not a schedule ESO's cron parser (robfig/cron v3) accepts (${p.reason}), so this window is never open${sw.kind === 'allow' ? ' (an allow window that is never open lets no periodic refresh through)' : ''}`, 'warning'));
      return;
    }
    if (durationMs === undefined) return;
    const shape = windowShape({ schedule: p.schedule, durationMs });
    if (shape) out.push(issue(at, 'SyncWindowShape', shape, 'warning'));
  });
  return out;
}

/** Why a parsed window is not the window its author likely meant, or undefined when it opens and closes. */
function windowShape(w: Window): string | undefined {
  if (w.schedule.kind === 'every') {
    const rule = 'an @every schedule has no fixed start: ESO finds such a window open at all times when its duration is at least the @every period minus 1s, and never when it is at most the period minus 2s';
    switch (everyShape(w)) {
      case 'always-open':
        return `${rule}; this one is always open`;
      case 'never-open':
        return `${rule}; this one is never open`;
      case 'part-of-each-second':
        return `${rule}; this one is open for part of each second`;
    }
  }
  if (w.durationMs < 0) return 'the duration is negative, so this window is never open';
  if (!firesEver(w.schedule)) return 'the schedule names no minute, hour or date that exists (such as 30 February), so this window is never open';
  return undefined;
}

const DAYS_IN_MONTH = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether a cron schedule ever activates: some minute, hour and month, and a day of that month robfig's day rule accepts. */
function firesEver(s: CronSchedule): boolean {
  if (s.kind !== 'spec') return true;
  if (!s.minute.values.some(Boolean) || !s.hour.values.some(Boolean)) return false;
  const anyDow = s.dow.values.some(Boolean);
  for (let m = 1; m <= 12; m++) {
    if (!s.month.values[m]) continue;
    const anyDom = s.dom.values.some((v, d) => v && d <= DAYS_IN_MONTH[m]!);
    // A field written with * matches every value, so the other field alone decides (robfig dayMatches).
    if (s.dom.star ? anyDow : s.dow.star ? anyDom : anyDom || anyDow) return true;
  }
  return false;
}
