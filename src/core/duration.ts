// Go's time.ParseDuration, which ESO uses for refreshInterval: "300ms", "1.5h", "2h45m", "0".
import { parseGoDuration } from './template/go-time.ts';

/**
 * Milliseconds, or undefined when `text` is not a Go duration. Go's time.ParseDuration decides
 * (core/template/go-time.ts parseGoDuration, nanosecond-exact): a unit is required, and a duration
 * above 2^63-1 ns (core/limits.ts MAX_GO_DURATION_NS: `99999999999h`) is Go's `invalid duration`,
 * so it is undefined here too. Surrounding blanks are ignored; negative durations are rejected.
 */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (s.startsWith('-')) return undefined;
  const ns = parseGoDuration(s);
  return ns === undefined ? undefined : Number(ns) / 1e6;
}

/** Formats milliseconds the way Go prints durations ("1h0m0s", "30s", "0s"). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/**
 * A duration written in a spec field, read as Go's time.ParseDuration reads it when the API
 * object is decoded (metav1.Duration, ESO's GetRefreshInterval): no surrounding blanks, no sign
 * other than `+`. Milliseconds, or undefined. The CRDs' CEL rule for these fields
 * (api/validation-rules.ts GO_DURATION_RE) accepts exactly the same syntax.
 */
export function parseSpecDuration(text: string): number | undefined {
  if (text !== text.trim()) return undefined;
  return parseDuration(text);
}

/**
 * Go's time.ParseDuration with its sign: a leading `+` or `-` (`-1h` is -3,600,000). Milliseconds,
 * or undefined when Go returns an error. Surrounding blanks are ignored, as parseDuration does.
 */
export function parseSignedDuration(text: string): number | undefined {
  const ns = parseGoDuration(text.trim());
  // `-0s` is 0, not -0.
  return ns === undefined ? undefined : Number(ns) / 1e6 || 0;
}

/**
 * An ExternalSecret's `spec.refreshInterval` as a spec field: any metav1.Duration the API server
 * decodes (ESO's CRD has no other rule), so a negative one too (api/validation-rules.ts
 * GO_SIGNED_DURATION_RE). ESO treats an interval <= 0 as 0, "sync once" (externalsecret_controller.go
 * shouldRefreshPeriodic, getRequeueResult): a negative one is 0 here. Milliseconds, or undefined.
 */
export function parseExternalSecretRefreshInterval(text: string): number | undefined {
  if (text !== text.trim()) return undefined;
  const ms = parseSignedDuration(text);
  return ms === undefined ? undefined : Math.max(0, ms);
}

/**
 * A PushSecret's `spec.refreshInterval`: any metav1.Duration, a negative one too (ESO's CRD has no
 * other rule; api/validation-rules.ts GO_SIGNED_DURATION_RE). Unlike an ExternalSecret's, the sign is
 * kept: ESO's shouldRefresh (pushsecret_controller.go) stops at 0 ("push on a PushSecret change
 * only") but finds a negative interval always elapsed (`refreshTime + d` is before now), so every
 * reconcile pushes, with no periodic requeue (controller-runtime ignores a RequeueAfter <= 0).
 * Milliseconds, or undefined.
 */
export function parsePushSecretRefreshInterval(text: string): number | undefined {
  if (text !== text.trim()) return undefined;
  return parseSignedDuration(text);
}

/** intstr.IntOrString's integer is an int32: a larger number does not decode in ESO. */
export const MAX_INT32 = 2_147_483_647;

/**
 * A store's `spec.refreshInterval` (ESO v2.9 SecretStoreSpec.GetRefreshInterval,
 * apis/externalsecrets/v1/secretstore_types.go): whole seconds (an int32, the legacy form) or a Go
 * duration string. Milliseconds; 0 when absent (the controller's default applies); undefined
 * when negative, not an int32, or not a Go duration.
 */
export function parseStoreRefreshInterval(value: unknown): number | undefined {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 && value <= MAX_INT32 ? value * 1000 : undefined;
  if (typeof value === 'string') return parseSpecDuration(value);
  return undefined;
}
