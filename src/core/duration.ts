// Go's time.ParseDuration, which ESO uses for refreshInterval: "300ms", "1.5h", "2h45m", "0".
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Milliseconds, or undefined when `text` is not a Go duration. Negative durations are rejected. */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (s === '0' || s === '+0') return 0;
  if (s === '' || s.startsWith('-')) return undefined;
  const body = s.startsWith('+') ? s.slice(1) : s;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    consumed = re.lastIndex;
  }
  if (consumed !== body.length || consumed === 0) return undefined;
  return total;
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
