// Every bound Projector puts on user-controlled sizes and durations (and on the server-controlled
// Retry-After), in one place, so `validate`, `dev`, `check` and the operator judge an input alike.
// docs/limits.md lists them with their sources; test/unit/core/limits.test.ts checks each at and just
// beyond the bound.
//
// Where Kubernetes or Key Vault defines a limit, the bound is that limit: a larger input could never
// be stored or resolved anyway, and refusing it early gives a clear message instead of an opaque
// failure deep in a parser, a URL builder or an HTTP server.
import { ProjectorError } from './errors.ts';
import { issue, type Issue, issueText } from './issues.ts';

/**
 * Go's time.Duration is an int64 of nanoseconds: time.ParseDuration refuses anything above
 * 2^63-1 ns (2562047h47m16.854775807s) with `time: invalid duration "…"`, so ESO cannot decode an
 * ExternalSecret whose refreshInterval overflows. Projector reports it as an invalid duration.
 */
export const MAX_GO_DURATION_NS = (1n << 63n) - 1n;

/**
 * The shortest refresh interval Projector honours: a positive `refreshInterval` below it refreshes
 * once per second at most. ESO has no floor (an interval of 1ms makes it re-read the vault on
 * every reconcile); status.refreshTime has one-second precision (metav1.Time), so a shorter
 * interval cannot be told apart in status anyway, and one ExternalSecret must not be able to
 * spend a vault's whole read budget. A deliberate difference (docs/design/000-overview.md).
 */
export const MIN_REFRESH_INTERVAL_MS = 1_000;

/**
 * Longest `remoteRef.key`, `dataFrom.extract.key` or `find.path` any provider is asked for, in
 * characters. Key Vault names are at most 127 characters (+ a `secret/`, `cert/` or `key/`
 * prefix, see providers/azurekv/object-ref.ts); other providers' keys (the fake provider's, ESO's
 * paths) are bounded by the Kubernetes name limits they are usually modelled on. 1,024 leaves room
 * for path-like keys while keeping messages, cache keys and request lines small.
 */
export const MAX_REMOTE_KEY_CHARS = 1_024;

/**
 * Longest `remoteRef.property` (a gjson path into a JSON value, or a tag name), in characters. A
 * Key Vault secret value is at most 25 KB ("Azure Key Vault service limits"), so no path into one
 * is longer than 25,600 characters; the same bound applies to every provider.
 */
export const MAX_REMOTE_PROPERTY_CHARS = 25 * 1024;

/**
 * Most components (keys, indexes, `#`, between `.` and `|`) in a `remoteRef.property` gjson path.
 * gjson descends one level per component, and core/gjson.ts does so by recursion, which Node's
 * stack bounds (Go's stacks grow); a real secret value is rarely nested more than a few levels.
 */
export const MAX_REMOTE_PROPERTY_COMPONENTS = 1_000;

/**
 * Longest `remoteRef.version`, in characters. Key Vault versions are 32 hexadecimal digits; the
 * fake provider's are free text (ESO's fake provider compares strings), bounded like a key.
 */
export const MAX_REMOTE_VERSION_CHARS = 1_024;


/** Longest Key Vault secret value Key Vault accepts, in bytes ("Azure Key Vault service limits"). */
export const MAX_KEY_VAULT_VALUE_BYTES = 25 * 1024;

/**
 * Longest Retry-After Projector obeys, in ms. Key Vault asks for seconds; a proxy's or a broken
 * server's "Retry-After: 99999999" would otherwise pause every read of that vault for years.
 * Beyond it, the per-item backoff (capped at 1000 s, controller-runtime's default) takes over.
 */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;

/**
 * The shortest pause of a vault after a 429. Key Vault's Retry-After is in whole seconds; a `0`
 * (or none) would let every waiting reader fire again at once into a vault that is throttling.
 */
export const MIN_THROTTLE_PAUSE_MS = 1_000;

/** Why a user-supplied string of `what` is too long, or undefined. Names the length, never the text. */
export function tooLong(what: string, text: string, max: number): string | undefined {
  return text.length > max ? `${what} is ${text.length} characters long; at most ${max} are allowed` : undefined;
}

/** `ms` clamped to [0, MAX_RETRY_AFTER_MS]; NaN becomes 0. */
export function clampRetryAfterMs(ms: number): number {
  return ms > 0 ? Math.min(Math.round(ms), MAX_RETRY_AFTER_MS) : 0;
}

/**
 * The refresh interval Projector uses for a parsed `refreshInterval`: 0 stays 0 (no periodic
 * refresh, as in ESO), a positive interval below MIN_REFRESH_INTERVAL_MS becomes the floor.
 */
export function effectiveRefreshIntervalMs(parsedMs: number): number {
  return parsedMs > 0 ? Math.max(parsedMs, MIN_REFRESH_INTERVAL_MS) : parsedMs;
}

/** The user-controlled strings of one remote ref or find, as the spec gives them (any may be absent). */
export interface RemoteRefStrings {
  key?: unknown;
  property?: unknown;
  version?: unknown;
  /** find.path */
  path?: unknown;
}

/**
 * The size bounds of one `remoteRef` / `dataFrom.extract` / `dataFrom.find` at `field` (e.g.
 * `spec.data[0].remoteRef`), as validation issues. Provider rules (Key Vault's name and version
 * rules) come on top, from the provider. Called by validateExternalSecret (validate, the operator,
 * dev), by sync/fetch-provider-data before any read and by `projector check` before any read.
 */
export function remoteRefBoundIssues(ref: RemoteRefStrings | undefined, field: string): Issue[] {
  if (!ref || typeof ref !== 'object') return [];
  const out: Issue[] = [];
  const check = (name: keyof RemoteRefStrings, max: number) => {
    const v = ref[name];
    const problem = typeof v === 'string' ? tooLong(name, v, max) : undefined;
    if (problem) out.push(issue(`${field}.${name}`, 'TooLong', problem));
  };
  check('key', MAX_REMOTE_KEY_CHARS);
  check('path', MAX_REMOTE_KEY_CHARS);
  check('property', MAX_REMOTE_PROPERTY_CHARS);
  check('version', MAX_REMOTE_VERSION_CHARS);
  return out;
}

/**
 * remoteRefBoundIssues as an InvalidSpec error (the first issue), for the code paths that read; the
 * message is `<path>: <problem>`, as the reconciler words any validation issue.
 */
export function assertRemoteRefBounds(ref: RemoteRefStrings | undefined, field: string): void {
  const first = remoteRefBoundIssues(ref, field)[0];
  if (first) throw new ProjectorError('InvalidSpec', issueText(first), { field: first.path });
}

/**
 * Longest MFA token (`length`, in digits) a generator makes: a Secret holds at most 1 MiB
 * (Kubernetes MaxSecretSize), so a longer token could never be written. ESO has no bound (it builds
 * the string, and the API server refuses the Secret). Checked by core/mfa.ts mfaIssues.
 */
export const MAX_MFA_LENGTH = 1_048_576;

/** Longest user string quoted whole in a message; longer ones are cut (see `abbreviate`). */
export const MAX_QUOTED_CHARS = 80;

/**
 * A user-supplied name (never a value) as messages and reports quote it: whole up to
 * MAX_QUOTED_CHARS, else its first 32 characters, an ellipsis and its length, so a 100 KB key
 * cannot fill a condition, an event or a terminal.
 */
export function abbreviate(text: string): string {
  return text.length <= MAX_QUOTED_CHARS ? text : `${text.slice(0, 32)}… (${text.length} characters)`;
}
