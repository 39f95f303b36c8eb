/**
 * ESO's template engine v2 (`spec.target.template`): Go text/template with sprig and ESO's
 * functions, executed with `missingkey=error`. Pure: no I/O and no clock (the caller passes the
 * render's time in ExecuteOptions.now); only sprig's random functions draw randomness.
 */
import type { ListNode } from './ast.ts';
import { execute } from './exec.ts';
import { GoTime, LOCAL } from './go-time.ts';
import { TEMPLATE_FUNCTIONS } from './function-set.ts';
import { parseSource } from './parser.ts';
import { markStringMap } from './values.ts';

export { TemplateError, type TemplateErrorKind } from './template-error.ts';

export interface ParsedTemplate {
  readonly name: string;
  readonly source: string;
  /** Every template the source defines, the main one under `name`. */
  readonly defines: ReadonlyMap<string, ListNode>;
}

export interface ExecuteOptions {
  /** Output larger than this fails with a TemplateError of kind `limit` (default 1 MiB). */
  readonly maxOutputBytes?: number;
  /**
   * A value a function makes larger than this fails with kind `limit` (default 8 MiB): larger than
   * the output, so `{{ .big | b64enc | sha256sum }}` of a 1 MiB value works as in Go, and bounded,
   * so a loop doubling a string cannot run the process out of memory.
   */
  readonly maxValueBytes?: number;
  /** Actions and commands evaluated before failing with kind `limit` (default 100,000). */
  readonly maxSteps?: number;
  /**
   * The instant sprig's `now` returns (and date/ago/durationRound fall back to), in Go's Local zone
   * (UTC). Without it those functions fail: the engine has no clock of its own.
   */
  readonly now?: Date;
  /**
   * Go's monotonic clock reading at `now`, in nanoseconds since the process started: `{{ now }}`
   * prints it as ` m=+1.234567890` as Go's Time.String does. Without it the suffix is left out.
   */
  readonly monotonicNanos?: bigint;
  /**
   * Milliseconds one render may take before failing with kind `limit` (default 10,000): the step
   * limit counts actions, not their cost, and a few functions cost seconds each (`genPrivateKey
   * "rsa"`, `bcrypt`), while a render holds the process's only thread.
   */
  readonly maxRenderMs?: number;
  /** The clock `maxRenderMs` is measured with, in milliseconds (default: performance.now). */
  readonly clockMs?: () => number;
  /**
   * Go's `missingkey` option (exec.ts ExecLimits.missingKey): `error` (default, ESO's target
   * templates) or `invalid` (text/template's default: a missing map key prints `<no value>`; ESO's
   * Webhook templates).
   */
  readonly missingKey?: 'error' | 'invalid';
}

export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;
export const DEFAULT_MAX_VALUE_BYTES = 8 * 1024 * 1024;
export const DEFAULT_MAX_STEPS = 100_000;
export const DEFAULT_MAX_RENDER_MS = 10_000;

/** Parses; throws TemplateError (kind `parse`, with line and column) on syntax errors. */
export function parseTemplate(source: string, name = 'template'): ParsedTemplate {
  const { defines } = parseSource(source, name, (fnName) => TEMPLATE_FUNCTIONS.has(fnName));
  return { name, source, defines };
}

/**
 * Executes with `data` as dot. A plain object whose values are all strings is treated as Go's
 * map[string]string, which is what ESO passes (the secret data as text).
 */
export function executeTemplate(t: ParsedTemplate, data: unknown, opts: ExecuteOptions = {}): string {
  return execute(t, TEMPLATE_FUNCTIONS, asTemplateData(data), {
    maxOutputBytes: opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
    maxValueBytes: opts.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES,
    maxSteps: opts.maxSteps ?? DEFAULT_MAX_STEPS,
    maxRenderMs: opts.maxRenderMs ?? DEFAULT_MAX_RENDER_MS,
    clockMs: opts.clockMs ?? (() => performance.now()),
    ...(opts.missingKey ? { missingKey: opts.missingKey } : {}),
    ...(opts.now ? { now: new GoTime(BigInt(opts.now.getTime()) * 1_000_000n, LOCAL, opts.monotonicNanos) } : {}),
  });
}

/**
 * Parsed templates by name and source. A template is parsed once, not at every render (ESO parses at
 * every render; parsing is pure, so a cached tree gives the same result). Bounded: the least recently
 * used entry goes first. Only successful parses are kept.
 */
const PARSE_CACHE_LIMIT = 2_000;
const parseCache = new Map<string, ParsedTemplate>();

/** parseTemplate through the cache. */
export function parsedTemplate(source: string, name = 'template'): ParsedTemplate {
  const key = `${name}\u0000${source}`;
  const hit = parseCache.get(key);
  if (hit) {
    parseCache.delete(key);
    parseCache.set(key, hit);
    return hit;
  }
  const parsed = parseTemplate(source, name);
  if (parseCache.size >= PARSE_CACHE_LIMIT) parseCache.delete(parseCache.keys().next().value!);
  parseCache.set(key, parsed);
  return parsed;
}

export function renderTemplate(source: string, data: unknown, name?: string, opts: ExecuteOptions = {}): string {
  return executeTemplate(parsedTemplate(source, name), data, opts);
}

function asTemplateData(data: unknown): unknown {
  if (data === undefined) return null;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return data;
  const values = Object.values(data);
  if (!values.every((v) => typeof v === 'string')) return data;
  // A copy, so marking it (and functions like `set` mutating it) never touches the caller's object.
  return markStringMap(Object.fromEntries(Object.entries(data)));
}
