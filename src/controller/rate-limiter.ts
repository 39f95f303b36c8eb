import type { Clock } from '../platform/clock.ts';

/** client-go's workqueue.RateLimiter: how long to wait before a key may be retried. */
export interface RateLimiter {
  /** Delay for this retry of `key`; counts as one more failure. */
  when(key: string): number;
  /** Resets the key's failure history (after a success). */
  forget(key: string): void;
  numRequeues(key: string): number;
}

/** Per-key exponential backoff: base·2^failures, capped (client-go ItemExponentialFailureRateLimiter). */
export class ExponentialFailureRateLimiter implements RateLimiter {
  readonly #baseMs: number;
  readonly #maxMs: number;
  readonly #failures = new Map<string, number>();

  constructor(opts: { baseMs: number; maxMs: number }) {
    this.#baseMs = opts.baseMs;
    this.#maxMs = opts.maxMs;
  }

  when(key: string): number {
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    const backoffMs = this.#baseMs * 2 ** failures;
    return Number.isFinite(backoffMs) ? Math.min(backoffMs, this.#maxMs) : this.#maxMs;
  }

  forget(key: string): void {
    this.#failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.#failures.get(key) ?? 0;
  }
}

/**
 * One token bucket shared by all keys (client-go BucketRateLimiter over x/time/rate): `burst` retries
 * pass at once, after that they are spaced at `qps`. It bounds the total retry rate during an outage.
 */
export class TokenBucketRateLimiter implements RateLimiter {
  readonly #qps: number;
  readonly #burst: number;
  readonly #clock: Clock;
  #tokens: number;
  #lastMs: number;

  constructor(opts: { qps: number; burst: number; clock: Clock }) {
    this.#qps = opts.qps;
    this.#burst = opts.burst;
    this.#clock = opts.clock;
    this.#tokens = opts.burst;
    this.#lastMs = opts.clock.now().getTime();
  }

  /** Reserves one token; a negative balance is a reservation in the future (x/time/rate Reserve). */
  when(_key: string): number {
    const nowMs = this.#clock.now().getTime();
    const elapsedMs = Math.max(0, nowMs - this.#lastMs);
    this.#tokens = Math.min(this.#burst, this.#tokens + (elapsedMs * this.#qps) / 1000);
    this.#lastMs = nowMs;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : Math.ceil((-this.#tokens * 1000) / this.#qps);
  }

  forget(_key: string): void {}

  numRequeues(_key: string): number {
    return 0;
  }
}

/** The longest delay any of the limiters asks for (client-go MaxOfRateLimiter). */
export class MaxOfRateLimiter implements RateLimiter {
  readonly #limiters: RateLimiter[];

  constructor(limiters: RateLimiter[]) {
    this.#limiters = limiters;
  }

  when(key: string): number {
    // Every limiter must record the attempt, so no short-circuit.
    return Math.max(...this.#limiters.map((l) => l.when(key)));
  }

  forget(key: string): void {
    for (const l of this.#limiters) l.forget(key);
  }

  numRequeues(key: string): number {
    return Math.max(...this.#limiters.map((l) => l.numRequeues(key)));
  }
}

/**
 * ESO's controllers' rate limiter (pkg/controllers/common/common.go BuildRateLimiter, used by every
 * controller through BuildControllerOptions): per key 1 s doubling up to 7 min, the larger of that
 * and 10 retries/s (burst 100) overall. Not controller-runtime's default (5 ms → 1,000 s), which
 * ESO replaced because it retries too eagerly.
 */
export const DEFAULT_RATE_LIMITS = {
  baseMs: 1_000,
  maxMs: 7 * 60_000,
  qps: 10,
  burst: 100,
} as const;

export function defaultControllerRateLimiter(clock: Clock): RateLimiter {
  return new MaxOfRateLimiter([
    new ExponentialFailureRateLimiter({ baseMs: DEFAULT_RATE_LIMITS.baseMs, maxMs: DEFAULT_RATE_LIMITS.maxMs }),
    new TokenBucketRateLimiter({ qps: DEFAULT_RATE_LIMITS.qps, burst: DEFAULT_RATE_LIMITS.burst, clock }),
  ]);
}
