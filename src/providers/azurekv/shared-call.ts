// Calls shared by several callers, each of which may stop waiting on its own: a token request
// (credential-pool.ts) and a store check (sdk-client-pool.ts). Node ends the process on an unhandled
// rejection, so a shared call's failure is always handled here, whoever still waits for it.

/** The abort signal shape of the Azure SDK (AbortSignalLike) and of the DOM's AbortSignal. */
export interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

function abortReason(signal: AbortSignalLike): unknown {
  return (signal as { reason?: unknown }).reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/**
 * `p`, or a rejection with the signal's reason as soon as `signal` aborts (at once when it already
 * has). `p` goes on: other callers may wait for it.
 */
export function raceAbort<T>(p: Promise<T>, signal: AbortSignalLike): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort);
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * One call serving every caller that asks while it runs, and those that ask at most `maxAgeMs`
 * after it succeeded. A failure serves only the callers that joined it while it ran: the next
 * caller calls again, so a cause fixed since (a credential, a firewall rule) shows at once.
 * The call gets no caller's signal, so one caller giving up does not fail the others; each caller
 * stops waiting when its own signal aborts.
 */
export class RecentCall<T> {
  readonly #nowMs: () => number;
  #last: { result: Promise<T>; succeededAtMs: number | undefined } | undefined;

  /** `nowMs`: the clock, in milliseconds, that `maxAgeMs` is measured with. */
  constructor(nowMs: () => number) {
    this.#nowMs = nowMs;
  }

  run(call: () => Promise<T>, signal: AbortSignalLike, maxAgeMs = 0): Promise<T> {
    const last = this.#last;
    if (last && (last.succeededAtMs === undefined || this.#nowMs() - last.succeededAtMs <= maxAgeMs)) return raceAbort(last.result, signal);
    const entry: { result: Promise<T>; succeededAtMs: number | undefined } = { result: call(), succeededAtMs: undefined };
    entry.result.then(
      () => void (entry.succeededAtMs = this.#nowMs()),
      () => {
        if (this.#last === entry) this.#last = undefined;
      },
    );
    this.#last = entry;
    return raceAbort(entry.result, signal);
  }
}
