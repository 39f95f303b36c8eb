/** Time as a dependency, so core and controller logic can be tested with a fake clock. */
export interface Clock {
  now(): Date;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(t);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
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
