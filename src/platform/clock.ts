/** Time as a dependency, so core and controller logic can be tested with a fake clock. */
export interface Clock {
  now(): Date;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The longest delay setTimeout honours: 2^31 - 1 ms (about 24.8 days). A longer one is not an error
 * in Node: it warns (TimeoutOverflowWarning) and fires after 1 ms, so a work queue waiting for a key
 * due in 30 days (a store's `refreshInterval: 2592000`, an ExternalSecret's `720h`) would wake every
 * millisecond. Source: Node's timers documentation (setTimeout, "delay").
 */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * Wall time, and `sleep(ms, signal)` that resolves after `ms` milliseconds (any finite length: a
 * delay over MAX_TIMER_MS is slept in pieces) and rejects with the signal's reason on abort.
 */
export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const end = Date.now() + ms;
      let t: ReturnType<typeof setTimeout>;
      const arm = (left: number) => {
        t = setTimeout(() => {
          const rest = end - Date.now();
          if (left > MAX_TIMER_MS && rest > 0) return arm(rest);
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, Math.min(left, MAX_TIMER_MS));
      };
      const onAbort = () => {
        clearTimeout(t);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      arm(ms);
    }),
};

/**
 * The system clock for template rendering: wall time, and Go's monotonic reading (nanoseconds since
 * the process started, from performance.now()) that sprig's `{{ now }}` prints as ` m=+…`.
 */
export const systemTemplateClock = {
  now: (): Date => new Date(),
  monotonicNanos: (): bigint => BigInt(Math.round(performance.now() * 1e6)),
};
