// Per-vault read budget. Azure Key Vault allows 4,000 GETs per vault per 10 s; beyond that it
// answers 429 with Retry-After. One bucket per vault keeps every client of that vault (one per store
// and identity) under the ceiling together, and a 429 pauses the whole vault, not just the one call.
import type { Clock } from '../platform/clock.ts';

export interface RateLimitOptions {
  /** Reads allowed in any window of `windowMs`. Default 4,000 (the AKV service limit). */
  readsPerWindow?: number;
  /** Default 10,000 ms. */
  windowMs?: number;
  /**
   * Share of the budget that may be spent at once. The bucket holds `burst` tokens and refills at
   * (readsPerWindow - burst) / windowMs, so no window of windowMs ever sees more than readsPerWindow
   * reads. Default 0.1 (400 at once, then 360/s).
   */
  burstFraction?: number;
}

interface BucketState {
  tokens: number;
  lastRefillMs: number;
  pausedUntilMs: number;
}

/** A token bucket as data: `take` answers 0 (granted) or how long to wait before asking again. */
export class TokenBucket {
  readonly capacity: number;
  readonly refillPerMs: number;
  readonly #state: BucketState;

  constructor(options: RateLimitOptions, nowMs: number) {
    const reads = options.readsPerWindow ?? 4_000;
    const windowMs = options.windowMs ?? 10_000;
    const burstFraction = options.burstFraction ?? 0.1;
    if (!(reads > 0) || !(windowMs > 0) || !(burstFraction > 0 && burstFraction < 1)) {
      throw new RangeError('rate limit needs readsPerWindow > 0, windowMs > 0 and 0 < burstFraction < 1');
    }
    this.capacity = Math.max(1, Math.floor(reads * burstFraction));
    this.refillPerMs = (reads - this.capacity) / windowMs;
    this.#state = { tokens: this.capacity, lastRefillMs: nowMs, pausedUntilMs: nowMs };
  }

  /** Takes one token: returns 0 when granted, else the milliseconds to wait before trying again. */
  take(nowMs: number): number {
    this.#refill(nowMs);
    if (nowMs < this.#state.pausedUntilMs) return this.#state.pausedUntilMs - nowMs;
    if (this.#state.tokens >= 1) {
      this.#state.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.#state.tokens) / this.refillPerMs));
  }

  /** The vault said "come back later": nobody reads before then, and the bucket restarts empty-ish. */
  pauseUntil(untilMs: number): void {
    if (untilMs <= this.#state.pausedUntilMs) return;
    this.#state.pausedUntilMs = untilMs;
    // Tokens saved up before the 429 would all fire at the end of the pause; let only a trickle through.
    this.#state.tokens = Math.min(this.#state.tokens, 1);
  }

  /** Tokens available now (for metrics and tests). */
  available(nowMs: number): number {
    this.#refill(nowMs);
    return nowMs < this.#state.pausedUntilMs ? 0 : Math.floor(this.#state.tokens);
  }

  #refill(nowMs: number): void {
    const from = Math.max(this.#state.lastRefillMs, this.#state.pausedUntilMs);
    if (nowMs > from) this.#state.tokens = Math.min(this.capacity, this.#state.tokens + (nowMs - from) * this.refillPerMs);
    this.#state.lastRefillMs = Math.max(this.#state.lastRefillMs, nowMs);
  }
}

/**
 * Shared by every provider client of the process; keyed by vault (the client passes its vault URL's
 * origin). `acquire` resolves when a read may go; `pause` records a 429's Retry-After.
 */
/** Metrics hooks (Projector's own families); `vault` is the vault's host. */
export interface VaultReadObserver {
  /** A read waited `ms` for the vault's budget (or its 429 pause) before it could go. */
  waited(vault: string, ms: number): void;
  /** The vault answered 429. */
  throttled(vault: string): void;
}

export class VaultRateLimiter {
  readonly #clock: Clock;
  readonly #options: RateLimitOptions;
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #observer: VaultReadObserver | undefined;

  constructor(deps: { clock: Clock; options?: RateLimitOptions; observer?: VaultReadObserver }) {
    this.#clock = deps.clock;
    this.#options = deps.options ?? {};
    this.#observer = deps.observer;
    // Fail at construction, not at the first read.
    new TokenBucket(this.#options, 0);
  }

  async acquire(vaultKey: string, signal: AbortSignal): Promise<void> {
    const startMs = this.#clock.now().getTime();
    for (;;) {
      signal.throwIfAborted();
      const nowMs = this.#clock.now().getTime();
      const waitMs = this.#bucket(vaultKey).take(nowMs);
      if (waitMs === 0) {
        if (nowMs > startMs) this.#observer?.waited(hostOf(vaultKey), nowMs - startMs);
        return;
      }
      await this.#clock.sleep(waitMs, signal);
    }
  }

  pause(vaultKey: string, retryAfterMs: number): void {
    this.#observer?.throttled(hostOf(vaultKey));
    this.#bucket(vaultKey).pauseUntil(this.#clock.now().getTime() + Math.max(0, retryAfterMs));
  }

  /** Reads that may go right now without waiting. */
  available(vaultKey: string): number {
    return this.#bucket(vaultKey).available(this.#clock.now().getTime());
  }

  #bucket(vaultKey: string): TokenBucket {
    let bucket = this.#buckets.get(vaultKey);
    if (!bucket) {
      bucket = new TokenBucket(this.#options, this.#clock.now().getTime());
      this.#buckets.set(vaultKey, bucket);
    }
    return bucket;
  }
}

/** The vault's host from its key (an origin, `https://name.vault.azure.net`); the key itself otherwise. */
function hostOf(vaultKey: string): string {
  try {
    return new URL(vaultKey).host;
  } catch {
    return vaultKey;
  }
}
