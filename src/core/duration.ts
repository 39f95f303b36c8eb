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
