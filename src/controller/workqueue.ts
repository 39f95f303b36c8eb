import type { Clock } from '../platform/clock.ts';
import type { QueueMetricsSink } from './metrics.ts';
import type { RateLimiter } from './rate-limiter.ts';

/**
 * client-go's rate-limited delaying work queue, with the same contract:
 *
 * - `add(key)` dedups: a key waiting in the queue is there once (the dirty set).
 * - A key handed out by `get()` is "processing" and is not handed out again until `done(key)`.
 *   If it is added meanwhile, it is queued again by `done(key)`, so the latest state is always seen.
 * - `addAfter(key, ms)` adds later; a key already waiting keeps the earliest time.
 * - `addRateLimited(key)` is `addAfter(key, limiter.when(key))`; `forget(key)` resets the backoff.
 * - `addRateLimitedAtLeast(key, ms)` waits the longer of `ms` and the key's backoff (Retry-After).
 * - `addRateLimitedAtMost(key, ms)` waits the shorter of `ms` and the key's backoff.
 * - After `shutDown()` adds are ignored, keys already queued are still handed out, and then `get()`
 *   returns undefined.
 *
 * Keys are plain strings (ObjectKeys); the queue never holds objects or events.
 */
export class WorkQueue<K extends string = string> {
  readonly #clock: Clock;
  readonly #limiter: RateLimiter;
  #queue: K[] = [];
  #queueHead = 0;
  readonly #dirty = new Set<K>();
  readonly #processing = new Set<K>();
  /** key → ready time (ms since epoch) for keys added with a delay; the heap orders them. */
  readonly #waiting = new Map<K, number>();
  readonly #waitingHeap = new MinHeap<{ key: K; atMs: number }>((a, b) => a.atMs - b.atMs);
  readonly #getters: (() => void)[] = [];
  readonly #drainWaiters: (() => void)[] = [];
  #shuttingDown = false;
  #wake: { atMs: number; abort: AbortController } | undefined;
  readonly #metrics: QueueMetricsSink<K> | undefined;

  /** `metrics` receives client-go's queue events (add, get, done, retry) for the workqueue_* families. */
  constructor(opts: { clock: Clock; rateLimiter: RateLimiter; metrics?: QueueMetricsSink<K> }) {
    this.#clock = opts.clock;
    this.#limiter = opts.rateLimiter;
    this.#metrics = opts.metrics;
  }

  add(key: K): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    this.#metrics?.added(key);
    this.#dirty.add(key);
    if (this.#processing.has(key)) return; // done(key) will queue it
    this.#push(key);
  }

  addAfter(key: K, delayMs: number): void {
    if (this.#shuttingDown) return;
    this.#metrics?.retried(); // client-go's delayingType.AddAfter counts every call, delay or not
    if (!(delayMs > 0)) return this.add(key);
    const readyAtMs = this.#nowMs() + delayMs;
    const known = this.#waiting.get(key);
    if (known !== undefined && known <= readyAtMs) return;
    this.#waiting.set(key, readyAtMs);
    this.#waitingHeap.push({ key, atMs: readyAtMs });
    this.#scheduleWake();
  }

  addRateLimited(key: K): void {
    this.addAfter(key, this.#limiter.when(key));
  }

  /**
   * `addAfter(key, max(minDelayMs, limiter.when(key)))`: a delay the server asked for (Retry-After),
   * with the key's backoff as the floor, so a tiny or zero delay still backs off exponentially.
   * `maxBackoffMs`, when set, caps that floor (not the server's delay), as addRateLimitedAtMost does.
   * Counts as one more failure of the key, like addRateLimited.
   */
  addRateLimitedAtLeast(key: K, minDelayMs: number, maxBackoffMs?: number): void {
    const backoff = this.#limiter.when(key);
    // maxBackoffMs caps the floor only: the server's own delay is kept even when it is longer.
    this.addAfter(key, Math.max(minDelayMs, maxBackoffMs === undefined ? backoff : Math.min(maxBackoffMs, backoff)));
  }

  /**
   * `addAfter(key, min(maxDelayMs, limiter.when(key)))`: backoff with a ceiling of the caller's own,
   * for a key that is due again after `maxDelayMs` anyway (a store's next check). Counts as one more
   * failure of the key, like addRateLimited.
   */
  addRateLimitedAtMost(key: K, maxDelayMs: number): void {
    this.addAfter(key, Math.min(maxDelayMs, this.#limiter.when(key)));
  }

  forget(key: K): void {
    this.#limiter.forget(key);
  }

  numRequeues(key: K): number {
    return this.#limiter.numRequeues(key);
  }

  /** Waits for a key. Returns undefined once the queue is shut down and empty, or when `signal` aborts. */
  async get(signal?: AbortSignal): Promise<K | undefined> {
    while (this.len() === 0 && !this.#shuttingDown) {
      if (signal?.aborted) return undefined;
      await this.#waitForPush(signal);
    }
    if (this.len() === 0) return undefined;
    const key = this.#pop();
    this.#metrics?.got(key);
    this.#processing.add(key);
    this.#dirty.delete(key);
    return key;
  }

  done(key: K): void {
    this.#metrics?.done(key);
    this.#processing.delete(key);
    if (this.#dirty.has(key)) this.#push(key);
    if (this.#processing.size === 0) this.#drainWaiters.splice(0).forEach((resolve) => resolve());
  }

  /** Keys ready to be handed out (not counting delayed or processing ones). */
  len(): number {
    return this.#queue.length - this.#queueHead;
  }

  /** Keys waiting for their delay to pass. */
  waitingLen(): number {
    return this.#waiting.size;
  }

  processingLen(): number {
    return this.#processing.size;
  }

  isShuttingDown(): boolean {
    return this.#shuttingDown;
  }

  shutDown(): void {
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    this.#waiting.clear();
    this.#waitingHeap.clear();
    this.#wake?.abort.abort();
    this.#wake = undefined;
    this.#getters.splice(0).forEach((resolve) => resolve());
  }

  /** shutDown(), then wait until every key handed out so far is done (client-go ShutDownWithDrain). */
  async shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.#processing.size === 0) return;
    await new Promise<void>((resolve) => this.#drainWaiters.push(resolve));
  }

  #push(key: K): void {
    this.#queue.push(key);
    this.#getters.shift()?.();
  }

  #pop(): K {
    const key = this.#queue[this.#queueHead++] as K;
    // Compact now and then so the array does not grow forever.
    if (this.#queueHead > 1024 && this.#queueHead * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#queueHead);
      this.#queueHead = 0;
    }
    return key;
  }

  #waitForPush(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      const onAbort = () => {
        const i = this.#getters.indexOf(wake);
        if (i >= 0) this.#getters.splice(i, 1);
        resolve();
      };
      const wake = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      this.#getters.push(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #nowMs(): number {
    return this.#clock.now().getTime();
  }

  /** One sleep at a time, for the earliest waiting key; re-armed when an earlier key arrives. */
  #scheduleWake(): void {
    const earliest = this.#earliestWaiting();
    if (earliest === undefined) return;
    if (this.#wake && this.#wake.atMs <= earliest) return;
    this.#wake?.abort.abort();
    const wake = { atMs: earliest, abort: new AbortController() };
    this.#wake = wake;
    this.#clock.sleep(Math.max(0, earliest - this.#nowMs()), wake.abort.signal).then(
      () => {
        if (this.#wake === wake) this.#wake = undefined;
        this.#moveReadyKeys();
        this.#scheduleWake();
      },
      () => {}, // aborted: a newer wake replaced this one, or the queue shut down
    );
  }

  #moveReadyKeys(): void {
    const nowMs = this.#nowMs();
    for (let next = this.#earliestWaitingEntry(); next && next.atMs <= nowMs; next = this.#earliestWaitingEntry()) {
      this.#waitingHeap.pop();
      this.#waiting.delete(next.key);
      this.add(next.key);
    }
  }

  #earliestWaiting(): number | undefined {
    return this.#earliestWaitingEntry()?.atMs;
  }

  /** Heap entries superseded by an earlier addAfter of the same key are dropped lazily here. */
  #earliestWaitingEntry(): { key: K; atMs: number } | undefined {
    for (let top = this.#waitingHeap.peek(); top; top = this.#waitingHeap.peek()) {
      if (this.#waiting.get(top.key) === top.atMs) return top;
      this.#waitingHeap.pop();
    }
    return undefined;
  }
}

class MinHeap<T> {
  readonly #items: T[] = [];
  readonly #compare: (a: T, b: T) => number;

  constructor(compare: (a: T, b: T) => number) {
    this.#compare = compare;
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  clear(): void {
    this.#items.length = 0;
  }

  push(item: T): void {
    const a = this.#items;
    a.push(item);
    for (let i = a.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (this.#compare(a[i]!, a[parent]!) >= 0) break;
      [a[i], a[parent]] = [a[parent]!, a[i]!];
      i = parent;
    }
  }

  pop(): T | undefined {
    const a = this.#items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    a[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if (l < a.length && this.#compare(a[l]!, a[smallest]!) < 0) smallest = l;
      if (r < a.length && this.#compare(a[r]!, a[smallest]!) < 0) smallest = r;
      if (smallest === i) break;
      [a[i], a[smallest]] = [a[smallest]!, a[i]!];
      i = smallest;
    }
    return top;
  }
}
