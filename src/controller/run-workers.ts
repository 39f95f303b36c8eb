import type { ObjectKey } from '../api/meta.ts';
import { isProjectorError } from '../core/errors.ts';
import { systemClock, type Clock } from '../platform/clock.ts';
import type { Logger } from '../platform/logger.ts';
import type { ControllerMetrics } from './metrics.ts';
import type { Reconciler, Result } from './reconciler.ts';
import type { WorkQueue } from './workqueue.ts';

/** Counters for metrics; plain numbers so any exporter can read them. */
export class WorkerCounters {
  readonly reconciles: Record<Result['kind'] | 'error', number> = { done: 0, requeueAfter: 0, retry: 0, retryAfter: 0, error: 0 };
  /** Exceptions that escaped reconcile (bugs). */
  errors = 0;
  inFlight = 0;
  /** Keys ready in the queue; set by runWorkers. */
  queueDepth: () => number = () => 0;
}

/** Told when each reconcile begins and ends, of every controller alike. */
export interface WorkActivity {
  begin(): void;
  end(): void;
}

export interface RunWorkersOptions {
  queue: WorkQueue<ObjectKey>;
  reconciler: Reconciler;
  concurrency: number;
  log: Logger;
  signal: AbortSignal;
  /** Per-reconcile deadline; the reconcile's signal aborts when it passes. Default 5 minutes. */
  timeoutMs?: number;
  /** Spreads scheduled refreshes; default ±10 %. Tests pass the identity. */
  jitter?: (ms: number) => number;
  clock?: Clock;
  counters?: WorkerCounters;
  /** controller-runtime's per-controller families (controller/metrics.ts); the queue reports its own. */
  metrics?: ControllerMetrics;
  /** Told when each reconcile begins and ends (platform/memory-reducer.ts: work, then quiet). */
  activity?: WorkActivity;
}

const DEFAULT_TIMEOUT_MS = 5 * 60_000;
/** The reason a reconcile's signal is aborted with once the reconcile has returned (what is left of it stops). */
const RECONCILE_FINISHED = new Error('reconcile finished');

export function jitterTenPercent(ms: number): number {
  return Math.round(ms * (0.9 + Math.random() * 0.2));
}

/**
 * Runs `concurrency` workers over the queue until `signal` aborts (the queue is then shut down and
 * in-flight reconciles finish with an aborted signal). The queue guarantees one key is never
 * reconciled twice at once. The Result decides what happens to the key next
 * (controller-runtime's reconcileHandler):
 *   done → forget; requeueAfter → forget + addAfter(jittered); retry → addRateLimited (no later
 *   than atMostMs when set);
 *   retryAfter → addAfter(max(ms, the key's backoff, capped at atMostMs when set)). A thrown exception is a bug: logged (name + stack), counted, retried.
 */
export async function runWorkers(opts: RunWorkersOptions): Promise<void> {
  const counters = opts.counters ?? new WorkerCounters();
  counters.queueDepth = () => opts.queue.len();
  const stop = () => opts.queue.shutDown();
  if (opts.signal.aborted) stop();
  opts.signal.addEventListener('abort', stop, { once: true });
  opts.metrics?.started(Math.max(1, opts.concurrency));
  try {
    const workers = Array.from({ length: Math.max(1, opts.concurrency) }, () => runWorker(opts, counters));
    await Promise.all(workers);
  } finally {
    opts.signal.removeEventListener('abort', stop);
  }
}

async function runWorker(opts: RunWorkersOptions, counters: WorkerCounters): Promise<void> {
  for (;;) {
    // After abort the queue still hands out what it holds; there is no point reconciling it now.
    const key = opts.signal.aborted ? undefined : await opts.queue.get(opts.signal);
    if (key === undefined) return;
    counters.inFlight++;
    opts.metrics?.workerBusy(1);
    opts.activity?.begin();
    try {
      await processKey(opts, counters, key);
    } finally {
      counters.inFlight--;
      opts.metrics?.workerBusy(-1);
      opts.activity?.end();
      opts.queue.done(key);
    }
  }
}

async function processKey(opts: RunWorkersOptions, counters: WorkerCounters, key: ObjectKey): Promise<void> {
  const reconcileSignal = new AbortController();
  const onShutdown = () => reconcileSignal.abort(opts.signal.reason);
  opts.signal.addEventListener('abort', onShutdown, { once: true });
  const clock = opts.clock ?? systemClock;
  let timedOut = false;
  clock.sleep(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, reconcileSignal.signal).then(
    () => {
      timedOut = true;
      reconcileSignal.abort(new Error('reconcile timed out'));
    },
    () => {}, // the reconcile finished first (or shutdown) and cancelled the deadline
  );
  const startedMs = clock.now().getTime();
  const seconds = () => (clock.now().getTime() - startedMs) / 1000;
  let result: Result | undefined;
  try {
    result = await opts.reconciler.reconcile(key, reconcileSignal.signal);
    opts.metrics?.reconciled(seconds(), { result }, timedOut);
  } catch (e) {
    counters.errors++;
    counters.reconciles.error++;
    opts.metrics?.reconciled(seconds(), { thrown: e }, timedOut);
    logBug(opts.log, opts.reconciler.name, key, e);
  } finally {
    opts.signal.removeEventListener('abort', onShutdown);
    // A shared reason: abort() without one builds a DOMException with a stack trace on every
    // reconcile (~0.1 ms; 2 % of the operator's CPU in a first sync of 1,000 ExternalSecrets).
    reconcileSignal.abort(RECONCILE_FINISHED);
  }
  if (result === undefined) return opts.queue.addRateLimited(key);
  counters.reconciles[result.kind]++;
  applyResult(opts, key, result);
}

function applyResult(opts: RunWorkersOptions, key: ObjectKey, result: Result): void {
  const q = opts.queue;
  switch (result.kind) {
    case 'done':
      return q.forget(key);
    case 'requeueAfter':
      q.forget(key);
      return q.addAfter(key, (opts.jitter ?? jitterTenPercent)(result.ms));
    case 'retry':
      return result.atMostMs === undefined ? q.addRateLimited(key) : q.addRateLimitedAtMost(key, result.atMostMs);
    case 'retryAfter':
      // The server's delay, but never less than the key's own backoff: `Retry-After: 0` from a
      // throttling vault must not requeue at once, again and again (the delay is already capped at
      // MAX_RETRY_AFTER_MS where it is parsed).
      return q.addRateLimitedAtLeast(key, result.ms, result.atMostMs);
  }
}

/** Name and stack frames only: the message line may quote input (a parser's, a library's). */
function logBug(log: Logger, controller: string, key: ObjectKey, e: unknown): void {
  const name = e instanceof Error ? e.name : typeof e;
  const stack = e instanceof Error && typeof e.stack === 'string' ? stackFrames(e.stack) : undefined;
  const code = isProjectorError(e) ? e.code : undefined;
  log.error({ controller, key, errorName: name, code, stack }, 'reconcile threw; this is a bug, retrying with backoff');
}

function stackFrames(stack: string): string {
  return stack
    .split('\n')
    .filter((line) => line.trimStart().startsWith('at '))
    .slice(0, 10)
    .join('\n');
}
