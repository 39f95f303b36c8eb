/**
 * Polls `fn` until `predicate` accepts its value, and returns that value. Errors thrown by `fn` count
 * as "not yet" (the API server may be restarting); the last one is reported on timeout.
 *
 * `predicate` may be a function or an expected value compared with deep equality.
 */
import { isDeepStrictEqual } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';

export interface EventuallyOptions {
  timeoutMs?: number;
  intervalMs?: number;
  message?: string;
}

export async function eventually<T>(
  fn: () => Promise<T> | T,
  predicate: ((v: T) => boolean) | T,
  opts: EventuallyOptions = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const intervalMs = opts.intervalMs ?? 50;
  const accepts = typeof predicate === 'function' ? (predicate as (v: T) => boolean) : (v: T) => isDeepStrictEqual(v, predicate);
  const deadline = Date.now() + timeoutMs;
  let lastValue: { v: T } | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (accepts(v)) return v;
      lastValue = { v };
      lastError = undefined;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() >= deadline) break;
    await sleep(intervalMs);
  }
  const what = opts.message ?? 'condition';
  const last = lastError !== undefined ? `last error: ${describe(lastError)}` : `last value: ${summarise(lastValue?.v)}`;
  throw new Error(`eventually: ${what} not met within ${timeoutMs} ms (${last})`);
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : typeof e;
}

function summarise(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

/**
 * Proves that something does NOT happen: polls `fn` for `forMs` and fails at the first value
 * `predicate` rejects. Use it only after a positive control (the same trigger visibly acted on
 * something else), so the window is long enough for the event to have happened if it were going to.
 * Returns the last value.
 */
export async function holdsFor<T>(
  fn: () => Promise<T> | T,
  predicate: ((v: T) => boolean) | T,
  opts: { forMs: number; intervalMs?: number; message?: string },
): Promise<T> {
  const intervalMs = opts.intervalMs ?? 100;
  const accepts = typeof predicate === 'function' ? (predicate as (v: T) => boolean) : (v: T) => isDeepStrictEqual(v, predicate);
  const deadline = Date.now() + opts.forMs;
  for (;;) {
    const v = await fn();
    if (!accepts(v)) throw new Error(`holdsFor: ${opts.message ?? 'condition'} stopped holding (value: ${summarise(v)})`);
    if (Date.now() >= deadline) return v;
    await sleep(intervalMs);
  }
}
