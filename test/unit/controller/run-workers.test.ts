import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { ObjectKey } from '../../../src/api/meta.ts';
import type { Reconciler, Result } from '../../../src/controller/reconciler.ts';
import { ExponentialFailureRateLimiter } from '../../../src/controller/rate-limiter.ts';
import { WorkerCounters, runWorkers } from '../../../src/controller/run-workers.ts';
import { WorkQueue } from '../../../src/controller/workqueue.ts';
import { silentLogger } from '../../../src/platform/logger.ts';
import { FakeClock, flushMicrotasks } from '../../support/fake-clock.ts';

interface Call {
  key: ObjectKey;
  signal: AbortSignal;
  finish: (r: Result | Error) => void;
}

/** A reconciler the test drives by hand: each call waits until the test finishes it. */
class ScriptedReconciler implements Reconciler {
  readonly name = 'scripted';
  readonly calls: Call[] = [];
  readonly inFlight = new Map<ObjectKey, number>();
  maxConcurrentPerKey = 0;

  reconcile(key: ObjectKey, signal: AbortSignal): Promise<Result> {
    const n = (this.inFlight.get(key) ?? 0) + 1;
    this.inFlight.set(key, n);
    this.maxConcurrentPerKey = Math.max(this.maxConcurrentPerKey, n);
    return new Promise<Result>((resolve, reject) => {
      this.calls.push({
        key,
        signal,
        finish: (r) => {
          this.inFlight.set(key, (this.inFlight.get(key) ?? 1) - 1);
          if (r instanceof Error) reject(r);
          else resolve(r);
        },
      });
    });
  }


  async finishNext(key: ObjectKey, r: Result | Error): Promise<void> {
    const call = this.calls.find((c) => c.key === key && !(c as { settled?: boolean }).settled);
    assert.ok(call, `no unfinished reconcile of ${key}`);
    (call as { settled?: boolean }).settled = true;
    call.finish(r);
    await flushMicrotasks();
  }
}

function setUp(opts: { concurrency?: number; timeoutMs?: number; log?: ReturnType<typeof silentLogger> } = {}) {
  const clock = new FakeClock();
  const queue = new WorkQueue<ObjectKey>({ clock, rateLimiter: new ExponentialFailureRateLimiter({ baseMs: 5, maxMs: 1000 }) });
  const reconciler = new ScriptedReconciler();
  const counters = new WorkerCounters();
  const ac = new AbortController();
  const running = runWorkers({
    queue,
    reconciler,
    concurrency: opts.concurrency ?? 2,
    log: opts.log ?? silentLogger(),
    signal: ac.signal,
    clock,
    counters,
    jitter: (ms) => ms,
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
  });
  return { clock, queue, reconciler, counters, ac, running };
}

/**
 * Finishes the running reconcile of `key` with `r` and advances the fake clock 1 ms at a time until
 * the key is reconciled again: the delay the queue gave it, in ms (fails if it never comes back).
 */
async function delayAfter(clock: FakeClock, reconciler: ScriptedReconciler, key: ObjectKey, r: Result): Promise<number> {
  await reconciler.finishNext(key, r);
  const before = reconciler.calls.length;
  const start = clock.now().getTime();
  while (reconciler.calls.length === before) {
    await clock.advance(1);
    assert.ok(clock.now().getTime() - start < 10_000, `${key} came back`);
  }
  return clock.now().getTime() - start;
}

function capturingLogger(): { log: ReturnType<typeof silentLogger>; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { log: pino({ level: 'info' }, sink) as unknown as ReturnType<typeof silentLogger>, lines };
}

describe('runWorkers', () => {
  it('never reconciles one key twice at once, and reconciles it again when it changed meanwhile', async () => {
    const { queue, reconciler, ac, running } = setUp({ concurrency: 4 });
    queue.add('ns/a');
    await flushMicrotasks();
    queue.add('ns/a');
    queue.add('ns/a');
    await flushMicrotasks();
    assert.equal(reconciler.calls.length, 1);
    await reconciler.finishNext('ns/a', { kind: 'done' });
    assert.equal(reconciler.calls.length, 2, 'dirtied during processing → reconciled once more');
    await reconciler.finishNext('ns/a', { kind: 'done' });
    assert.equal(reconciler.calls.length, 2);
    assert.equal(reconciler.maxConcurrentPerKey, 1);
    ac.abort();
    await running;
  });

  it('reconciles different keys in parallel up to the concurrency', async () => {
    const { queue, reconciler, counters, ac, running } = setUp({ concurrency: 2 });
    for (const k of ['ns/a', 'ns/b', 'ns/c'] as const) queue.add(k);
    await flushMicrotasks();
    assert.deepEqual(reconciler.calls.map((c) => c.key), ['ns/a', 'ns/b']);
    assert.equal(counters.inFlight, 2);
    assert.equal(counters.queueDepth(), 1);
    await reconciler.finishNext('ns/a', { kind: 'done' });
    assert.deepEqual(reconciler.calls.map((c) => c.key), ['ns/a', 'ns/b', 'ns/c']);
    await reconciler.finishNext('ns/b', { kind: 'done' });
    await reconciler.finishNext('ns/c', { kind: 'done' });
    ac.abort();
    await running;
  });

  it('maps each Result to the queue action of controller-runtime', async () => {
    const { clock, queue, reconciler, counters, ac, running } = setUp();
    queue.add('ns/refresh');
    queue.add('ns/retry');
    await flushMicrotasks();
    await reconciler.finishNext('ns/retry', { kind: 'retry' });
    assert.equal(queue.numRequeues('ns/retry'), 1, 'retry → addRateLimited');
    await reconciler.finishNext('ns/refresh', { kind: 'requeueAfter', ms: 60_000 });
    assert.equal(queue.waitingLen(), 2);

    await clock.advance(5);
    assert.equal(reconciler.calls.length, 3, 'the retry comes back after the 5 ms base backoff');
    await reconciler.finishNext('ns/retry', { kind: 'retryAfter', ms: 30_000 });
    assert.equal(queue.numRequeues('ns/retry'), 2, 'retryAfter counts as a backoff step (its floor)');

    await clock.advance(29_999);
    assert.equal(reconciler.calls.length, 3);
    await clock.advance(1);
    assert.equal(reconciler.calls.length, 4, 'retryAfter → back after exactly the given time');
    await reconciler.finishNext('ns/retry', { kind: 'done' });
    assert.equal(queue.numRequeues('ns/retry'), 0, 'done → forget');

    await clock.advance(30_000);
    assert.deepEqual(reconciler.calls.map((c) => c.key).slice(-1), ['ns/refresh'], 'requeueAfter → back after the interval');
    await reconciler.finishNext('ns/refresh', { kind: 'done' });
    assert.deepEqual(counters.reconciles, { done: 2, requeueAfter: 1, retry: 1, retryAfter: 1, error: 0 });
    ac.abort();
    await running;
  });

  it('never requeues a Retry-After of 0 (or a tiny one) sooner than the key\'s exponential backoff', async () => {
    const { clock, queue, reconciler, ac, running } = setUp();
    queue.add('ns/throttled');
    await flushMicrotasks();
    // Base 5 ms, doubling per failure (controller-runtime's default limiter, as setUp builds it).
    const gaps: number[] = [];
    for (let i = 0; i < 6; i++) gaps.push(await delayAfter(clock, reconciler, 'ns/throttled', { kind: 'retryAfter', ms: i % 2 === 0 ? 0 : 1 }));
    assert.deepEqual(gaps, [5, 10, 20, 40, 80, 160]);
    // A server delay longer than the backoff wins.
    await reconciler.finishNext('ns/throttled', { kind: 'retryAfter', ms: 30_000 });
    await clock.advance(29_999);
    assert.equal(reconciler.calls.length, 7);
    await clock.advance(1);
    assert.equal(reconciler.calls.length, 8);
    await reconciler.finishNext('ns/throttled', { kind: 'done' });
    ac.abort();
    await running;
  });

  it('caps a retry\'s backoff at atMostMs, still counting the failures', async () => {
    const { clock, queue, reconciler, ac, running } = setUp();
    queue.add('ns/store');
    await flushMicrotasks();
    const gaps: number[] = [];
    for (let i = 0; i < 6; i++) gaps.push(await delayAfter(clock, reconciler, 'ns/store', { kind: 'retry', atMostMs: 30 }));
    assert.deepEqual(gaps, [5, 10, 20, 30, 30, 30], 'exponential up to the cap (setUp: base 5 ms, max 1,000 ms)');
    assert.equal(queue.numRequeues('ns/store'), 6);
    await reconciler.finishNext('ns/store', { kind: 'done' });
    ac.abort();
    await running;
  });

  it('caps a Retry-After\'s backoff floor at atMostMs, but keeps a longer server delay', async () => {
    // A store check throttled again and again (429, Retry-After: 0): the floor grows with the
    // failures only up to the store's next check, as for a plain retry.
    const { clock, queue, reconciler, ac, running } = setUp();
    queue.add('ns/store');
    await flushMicrotasks();
    const gaps: number[] = [];
    for (let i = 0; i < 6; i++) gaps.push(await delayAfter(clock, reconciler, 'ns/store', { kind: 'retryAfter', ms: 0, atMostMs: 30 }));
    assert.deepEqual(gaps, [5, 10, 20, 30, 30, 30], 'the floor is capped (setUp: base 5 ms, max 1,000 ms)');
    assert.equal(await delayAfter(clock, reconciler, 'ns/store', { kind: 'retryAfter', ms: 700, atMostMs: 30 }), 700, 'the server\'s delay is kept over the cap');
    await reconciler.finishNext('ns/store', { kind: 'done' });
    ac.abort();
    await running;
  });

  it('applies the jitter to scheduled refreshes', async () => {
    const clock = new FakeClock();
    const queue = new WorkQueue<ObjectKey>({ clock, rateLimiter: new ExponentialFailureRateLimiter({ baseMs: 5, maxMs: 1000 }) });
    const reconciler = new ScriptedReconciler();
    const ac = new AbortController();
    const running = runWorkers({ queue, reconciler, concurrency: 1, log: silentLogger(), signal: ac.signal, clock, jitter: (ms) => ms * 1.1 });
    queue.add('ns/a');
    await flushMicrotasks();
    await reconciler.finishNext('ns/a', { kind: 'requeueAfter', ms: 1000 });
    await clock.advance(1099);
    assert.equal(reconciler.calls.length, 1);
    await clock.advance(1);
    assert.equal(reconciler.calls.length, 2);
    ac.abort();
    await reconciler.finishNext('ns/a', { kind: 'done' });
    await running;
  });

  it('survives a reconcile that throws: logs name and stack without the message, counts it, retries with backoff', async () => {
    const { log, lines } = capturingLogger();
    const { clock, queue, reconciler, counters, ac, running } = setUp({ log });
    queue.add('ns/buggy');
    await flushMicrotasks();
    await reconciler.finishNext('ns/buggy', new TypeError('cannot read canary-4b1d-value'));
    assert.equal(counters.errors, 1);
    assert.equal(counters.reconciles.error, 1);
    assert.equal(queue.numRequeues('ns/buggy'), 1);
    await clock.advance(5);
    assert.equal(reconciler.calls.length, 2, 'the worker is still alive and the key came back');
    const logged = lines.join('');
    assert.match(logged, /TypeError/);
    assert.match(logged, /ns\/buggy/);
    assert.match(logged, /run-workers\.test\.ts/, 'the stack frames are logged');
    assert.doesNotMatch(logged, /canary-4b1d-value/);
    ac.abort();
    await reconciler.finishNext('ns/buggy', { kind: 'done' });
    await running;
  });

  it('aborts the signal of a reconcile that runs past its timeout', async () => {
    const { clock, queue, reconciler, ac, running } = setUp({ timeoutMs: 1000 });
    queue.add('ns/slow');
    await flushMicrotasks();
    const signal = reconciler.calls[0]!.signal;
    await clock.advance(999);
    assert.equal(signal.aborted, false);
    await clock.advance(1);
    assert.equal(signal.aborted, true);
    await reconciler.finishNext('ns/slow', { kind: 'retry' });
    ac.abort();
    await running;
  });

  it('cancels the timeout once the reconcile finishes', async () => {
    const { clock, queue, reconciler, ac, running } = setUp({ timeoutMs: 1000 });
    queue.add('ns/a');
    await flushMicrotasks();
    await reconciler.finishNext('ns/a', { kind: 'done' });
    assert.equal(clock.pendingTimers(), 0);
    ac.abort();
    await running;
  });

  it('on abort stops taking keys, aborts in-flight reconciles and resolves once they finish', async () => {
    const { queue, reconciler, counters, ac, running } = setUp({ concurrency: 1 });
    queue.add('ns/a');
    queue.add('ns/b');
    await flushMicrotasks();
    let resolved = false;
    void running.then(() => (resolved = true));
    ac.abort();
    await flushMicrotasks();
    assert.equal(reconciler.calls[0]!.signal.aborted, true);
    assert.equal(resolved, false, 'waits for the in-flight reconcile');
    await reconciler.finishNext('ns/a', { kind: 'requeueAfter', ms: 10 });
    await running;
    assert.deepEqual(reconciler.calls.map((c) => c.key), ['ns/a'], 'ns/b is not started after shutdown');
    assert.equal(counters.inFlight, 0);
    assert.equal(queue.isShuttingDown(), true);
  });
});
