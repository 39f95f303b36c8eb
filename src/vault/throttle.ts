// AKV-like service limits over a sliding 10 s window, counted separately for reads and writes.
// Time is passed in, so the window is testable without timers.
export const WINDOW_MS = 10_000;
/** AKV's defaults per vault per 10 s: 4,000 GET transactions and 300 secret writes. */
export const AKV_READS_PER_10S = 4000;
export const AKV_WRITES_PER_10S = 300;

export type TransactionKind = 'read' | 'write';

export class Throttle {
  readonly #limits: Record<TransactionKind, number>;
  readonly #admitted: Record<TransactionKind, number[]> = { read: [], write: [] };

  constructor(limits: { readsPer10s?: number; writesPer10s?: number }) {
    this.#limits = { read: limits.readsPer10s ?? AKV_READS_PER_10S, write: limits.writesPer10s ?? AKV_WRITES_PER_10S };
  }

  /** Admits and counts the transaction, or says how many seconds until one slot frees up. */
  admit(kind: TransactionKind, nowMs: number): { admitted: true } | { admitted: false; retryAfterSeconds: number } {
    const times = this.#admitted[kind];
    while (times.length > 0 && (times[0] as number) <= nowMs - WINDOW_MS) times.shift();
    if (times.length < this.#limits[kind]) {
      times.push(nowMs);
      return { admitted: true };
    }
    const oldest = times[0] as number;
    return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest + WINDOW_MS - nowMs) / 1000)) };
  }
}
