import type { Clock } from './clock.ts';

/** A token bucket that waits for a token: client-go's QPS/burst for API calls. */
export class TokenBucket {
  readonly #clock: Clock;
  readonly #perMs: number;
  readonly #burst: number;
  #tokens: number;
  #last: number;
  #chain: Promise<void> = Promise.resolve();

  constructor(clock: Clock, qps: number, burst: number) {
    this.#clock = clock;
    this.#perMs = qps / 1000;
    this.#burst = burst;
    this.#tokens = burst;
    this.#last = clock.now().getTime();
  }

  /** Resolves when a token is available; callers are served in arrival order. */
  take(signal?: AbortSignal): Promise<void> {
    const turn = this.#chain.then(async () => {
      const now = this.#clock.now().getTime();
      this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#last) * this.#perMs);
      this.#last = now;
      if (this.#tokens < 1) {
        const waitMs = Math.ceil((1 - this.#tokens) / this.#perMs);
        await this.#clock.sleep(waitMs, signal);
        this.#tokens += waitMs * this.#perMs;
        this.#last = this.#clock.now().getTime();
      }
      this.#tokens -= 1;
    });
    this.#chain = turn.catch(() => {});
    return turn;
  }
}
