import v8 from 'node:v8';
import vm from 'node:vm';
import type { Clock } from './clock.ts';

/**
 * Gives memory back to the kernel when the operator goes quiet after work, as V8's own memory
 * reducer would if it ran: it starts only after a mark-compact, and an operator whose old space
 * stays small after start-up never has one, so the young generation the start grew (~14 MB of
 * semi-spaces: lists, watches, first reconciles) and free old-space pages stay committed for the
 * life of the process. Go's runtime (ESO) returns such memory by itself (its background scavenger).
 *
 * Contract: `begin()` / `end()` bracket each reconcile (any controller); `poke()` records work done
 * outside a reconcile (caches synced). When no reconcile has been in flight for `quietMs` after
 * some work, `reduce` runs once; never twice within `minIntervalMs`. Continuous work never reaches
 * quiet, and then V8's own collector is in charge.
 */
export class MemoryReducer {
  readonly #o: Required<Omit<MemoryReducerOptions, 'clock'>> & { clock: Clock };
  #inFlight = 0;
  #pending = false;
  #lastReduceMs = -Infinity;
  #timer: AbortController | undefined;
  #stopped = false;
  /** Reductions run so far (for tests and the debug log). */
  reductions = 0;

  constructor(opts: MemoryReducerOptions) {
    this.#o = { quietMs: 2_000, minIntervalMs: 5 * 60_000, ...opts };
  }

  begin(): void {
    this.#inFlight++;
    this.#pending = true;
    this.#cancel();
  }

  end(): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    if (this.#inFlight === 0) this.#schedule();
  }

  poke(): void {
    this.#pending = true;
    if (this.#inFlight === 0) this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    this.#cancel();
  }

  #cancel(): void {
    this.#timer?.abort();
    this.#timer = undefined;
  }

  #schedule(): void {
    if (this.#stopped || !this.#pending) return;
    this.#cancel();
    const now = this.#o.clock.now().getTime();
    const delay = Math.max(this.#o.quietMs, this.#lastReduceMs + this.#o.minIntervalMs - now);
    const timer = new AbortController();
    this.#timer = timer;
    this.#o.clock.sleep(delay, timer.signal).then(
      () => {
        if (this.#timer !== timer) return;
        this.#timer = undefined;
        if (this.#inFlight > 0 || !this.#pending || this.#stopped) return;
        this.#pending = false;
        this.#lastReduceMs = this.#o.clock.now().getTime();
        this.reductions++;
        this.#o.reduce();
      },
      () => {}, // cancelled: work began again, or stop()
    );
  }
}

export interface MemoryReducerOptions {
  /** Runs a collection that gives memory back (see `memoryReducingGc`). */
  reduce: () => void;
  clock: Clock;
  /** Milliseconds without a reconcile in flight before reducing. Default 2,000. */
  quietMs?: number;
  /** Least milliseconds between two reductions. Default 5 minutes. */
  minIntervalMs?: number;
}

/**
 * A full, memory-reducing collection of this isolate: V8's "last resort" GC (repeated mark-compacts
 * with the reduce-memory-footprint flag, which shrinks the young generation and releases free
 * pages), the same V8 runs itself before failing an allocation. Node exposes no call for it without
 * `--expose-gc`, so the flag is turned on just long enough to take V8's `gc` function from a new
 * context, and off again, leaving `globalThis.gc` as it was (a process started with `--expose-gc`
 * uses its own). Returns undefined when this V8 does
 * not offer it. Measured (docs/benchmarks.md, "Fourth pass"): an idle operator 96 → 82 MB RSS,
 * ~40 ms per call on a 20 MB heap.
 */
export function memoryReducingGc(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === 'function') return () => (exposed as (o: object) => void)({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as unknown;
    if (typeof gc !== 'function') return undefined;
    return () => (gc as (o: object) => void)({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  } catch {
    return undefined;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
}
