// Wraps a SecretsClient so identical reads (same store identity, same ref) share one vault call:
// concurrent callers share the in-flight promise, and a result is reused for `windowMs` (one refresh
// wave), then dropped. Values stay Sensitive and are never kept past the window.
import type { FindRef, RemoteRef } from '../api/index.ts';
import type { Clock } from '../platform/clock.ts';
import type { SecretBytes, SecretsClient } from '../providers/provider.ts';

interface Entry<T> {
  promise: Promise<T>;
  expiresAt: number;
}

function stableKey(method: string, ref: RemoteRef | FindRef): string {
  const sorted = Object.keys(ref)
    .sort()
    .map((k) => [k, (ref as Record<string, unknown>)[k]]);
  return `${method}|${JSON.stringify(sorted)}`;
}

export class CoalescingClient implements SecretsClient {
  readonly #inner: SecretsClient;
  readonly #clock: Clock;
  readonly #windowMs: number;
  readonly #entries = new Map<string, Entry<unknown>>();
  /** Reads that reached the inner client (for benchmarks and tests). */
  vaultReads = 0;

  constructor(inner: SecretsClient, clock: Clock, windowMs: number) {
    this.#inner = inner;
    this.#clock = clock;
    this.#windowMs = windowMs;
  }

  #shared<T>(key: string, read: () => Promise<T>): Promise<T> {
    const now = this.#clock.now().getTime();
    const hit = this.#entries.get(key);
    if (hit && hit.expiresAt > now) return hit.promise as Promise<T>;
    this.#sweep(now);
    this.vaultReads++;
    const promise = read();
    const entry: Entry<unknown> = { promise, expiresAt: Number.POSITIVE_INFINITY };
    this.#entries.set(key, entry);
    promise.then(
      () => {
        entry.expiresAt = this.#clock.now().getTime() + this.#windowMs;
      },
      // Failures are shared only while in flight, so the next attempt asks the vault again.
      () => {
        if (this.#entries.get(key) === entry) this.#entries.delete(key);
      },
    );
    return promise;
  }

  #sweep(now: number): void {
    for (const [k, e] of this.#entries) if (e.expiresAt <= now) this.#entries.delete(k);
  }

  getSecret(ref: RemoteRef, signal: AbortSignal): Promise<SecretBytes> {
    return this.#shared(stableKey('getSecret', ref), () => this.#inner.getSecret(ref, signal));
  }
  getSecretMap(ref: RemoteRef, signal: AbortSignal): Promise<ReadonlyMap<string, SecretBytes>> {
    return this.#shared(stableKey('getSecretMap', ref), () => this.#inner.getSecretMap(ref, signal));
  }
  getAllSecrets(find: FindRef, signal: AbortSignal): Promise<ReadonlyMap<string, SecretBytes>> {
    return this.#shared(stableKey('getAllSecrets', find), () => this.#inner.getAllSecrets(find, signal));
  }
  validate(signal: AbortSignal) {
    return this.#inner.validate(signal);
  }
  get describeSecret() {
    const inner = this.#inner;
    return inner.describeSecret ? (ref: RemoteRef, signal: AbortSignal) => inner.describeSecret!(ref, signal) : undefined;
  }
  close(): Promise<void> {
    this.#entries.clear();
    return this.#inner.close();
  }
}
