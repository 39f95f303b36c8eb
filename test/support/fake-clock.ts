import type { Clock } from '../../src/platform/clock.ts';

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
}

/**
 * A Clock whose time moves only when the test says so. `advance(ms)` fires due sleeps in time order
 * and lets their continuations run before moving on, so a chain of sleeps behaves as it would in
 * real time. No real timers are used.
 */
export class FakeClock implements Clock {
  #nowMs: number;
  #seq = 0;
  #timers: Timer[] = [];

  constructor(start: Date | number = Date.UTC(2026, 0, 1)) {
    this.#nowMs = typeof start === 'number' ? start : start.getTime();
  }

  now(): Date {
    return new Date(this.#nowMs);
  }

  nowMs(): number {
    return this.#nowMs;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer: Timer = {
        at: this.#nowMs + Math.max(0, ms),
        seq: this.#seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.#timers = this.#timers.filter((t) => t !== timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#timers.push(timer);
    });
  }

  /** Number of sleeps not yet fired. */
  pendingTimers(): number {
    return this.#timers.length;
  }

  /** Milliseconds until the next sleep fires, or undefined when none is pending. */
  nextTimerInMs(): number | undefined {
    const next = this.#earliest();
    return next ? next.at - this.#nowMs : undefined;
  }

  async advance(ms: number): Promise<void> {
    const target = this.#nowMs + ms;
    await flushMicrotasks();
    for (;;) {
      const next = this.#earliest();
      if (!next || next.at > target) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      this.#nowMs = Math.max(this.#nowMs, next.at);
      next.resolve();
      await flushMicrotasks();
    }
    this.#nowMs = target;
    await flushMicrotasks();
  }

  #earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.#timers) if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    return best;
  }
}

/** Lets every pending promise continuation run (a few turns, as chains may be several links long). */
export async function flushMicrotasks(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
}
