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
  readonly #stop = new AbortController();
  #inFlight = 0;
  /** Work done since the last reduction. */
  #pending = false;
  #lastEndMs = -Infinity;
  #lastReduceMs = -Infinity;
  /** One timer at most; it re-arms itself rather than being cancelled by every reconcile. */
  #armed = false;

  constructor(opts: MemoryReducerOptions) {
    this.#o = { quietMs: 2_000, minIntervalMs: 5 * 60_000, ...opts };
  }

  begin(): void {
    this.#inFlight++;
    this.#pending = true;
  }

  end(): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    this.#lastEndMs = this.#nowMs();
    if (this.#inFlight === 0) this.#arm(this.#o.quietMs);
  }

  poke(): void {
    this.#pending = true;
    this.#lastEndMs = this.#nowMs();
    if (this.#inFlight === 0) this.#arm(this.#o.quietMs);
  }

  stop(): void {
    this.#stop.abort(STOPPED);
  }

  #nowMs(): number {
    return this.#o.clock.now().getTime();
  }

  #arm(ms: number): void {
    if (this.#armed || this.#stop.signal.aborted) return;
    this.#armed = true;
    this.#o.clock.sleep(ms, this.#stop.signal).then(
      () => {
        this.#armed = false;
        this.#due();
      },
      () => {}, // stopped
    );
  }

  /** The timer fired: reduce if quiet long enough and allowed by the interval, else wait the rest. */
  #due(): void {
    if (this.#inFlight > 0 || !this.#pending) return; // the next end() arms again
    const now = this.#nowMs();
    const wait = Math.max(this.#lastEndMs + this.#o.quietMs, this.#lastReduceMs + this.#o.minIntervalMs) - now;
    if (wait > 0) return this.#arm(wait);
    this.#pending = false;
    this.#lastReduceMs = now;
    this.#o.reduce();
  }
}

/** The reason the reducer's timer is cancelled with on stop (a shared one: no DOMException per call). */
const STOPPED = new Error('memory reducer stopped');

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
