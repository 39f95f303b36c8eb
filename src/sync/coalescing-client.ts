// Wraps a SecretsClient so identical reads (same store identity, same ref) share one vault call:
// concurrent callers share the in-flight promise, and a finished read is reused by callers that
// accept its age: by default for `windowMs`, by a view for the age it names. Entries are dropped
// after RETENTION_MS at the latest. Values stay Sensitive and are never kept longer.
//
// Freshness is the caller's to choose (`view(maxReadAgeMs)`): a forced sync asks for 0 (only a read
// that starts now will do), a periodic refresh for part of its interval, so a rotation is never
// hidden behind an older read.
import type { FindRef, RemoteRef } from '../api/index.ts';
import type { Clock } from '../platform/clock.ts';
import type { SecretBytes, SecretsClient, ValidationResult } from '../providers/provider.ts';

/** How long any read is kept for sharing, whatever a view asks: one refresh wave at most. */
const RETENTION_MS = 60_000;

interface Entry {
  promise: Promise<unknown>;
  startedAt: number;
}

/**
 * Fields of a ref the provider does not read: sync/fetch-provider-data.ts applies them to the answer,
 * so refs differing only here share one vault read.
 */
const APPLIED_AFTER_READ = new Set(['conversionStrategy', 'decodingStrategy']);

/**
 * Identity of a read. The CRD serves refs as written (no defaults), so an absent metadataPolicy and
 * an explicit `None` are the same read and get the same key.
 */
function stableKey(method: string, ref: RemoteRef | FindRef): string {
  const fields: Record<string, unknown> = { ...ref };
  if ('key' in ref) fields.metadataPolicy = ref.metadataPolicy ?? 'None';
  const sorted = Object.keys(fields)
    .filter((k) => !APPLIED_AFTER_READ.has(k) && fields[k] !== undefined)
    .sort()
    .map((k) => [k, fields[k]]);
  return `${method}|${JSON.stringify(sorted)}`;
}

export class CoalescingClient implements SecretsClient {
  readonly #inner: SecretsClient;
  readonly #clock: Clock;
  readonly #windowMs: number;
  readonly #entries = new Map<string, Entry>();
  /** Reads that reached the inner client (for benchmarks and tests). */
  vaultReads = 0;
  readonly #onShared: (() => void) | undefined;

  /** `onShared` is told each time a read is answered by an identical one instead of the vault (a read saved). */
  constructor(inner: SecretsClient, clock: Clock, windowMs: number, onShared?: () => void) {
    this.#inner = inner;
    this.#clock = clock;
    this.#windowMs = windowMs;
    this.#onShared = onShared;
  }

  /** The same client for callers that accept reads started at most `maxReadAgeMs` ago. */
  view(maxReadAgeMs: number): SecretsClient {
    const maxAge = Math.min(maxReadAgeMs, this.#retentionMs());
    return {
      getSecret: (ref, signal) => this.#shared(stableKey('getSecret', ref), maxAge, () => this.#inner.getSecret(ref, signal)),
      getSecretMap: (ref, signal) => this.#shared(stableKey('getSecretMap', ref), maxAge, () => this.#inner.getSecretMap(ref, signal)),
      getAllSecrets: (find, signal) => this.#shared(stableKey('getAllSecrets', find), maxAge, () => this.#inner.getAllSecrets(find, signal)),
      validate: (signal) => this.validate(signal),
      describeSecret: this.describeSecret,
      writer: this.#inner.writer,
      close: async () => {}, // a view does not own the client
    };
  }

  #shared<T>(key: string, maxAgeMs: number, read: () => Promise<T>): Promise<T> {
    const now = this.#clock.now().getTime();
    const hit = this.#entries.get(key);
    if (hit && now - hit.startedAt <= maxAgeMs) {
      this.#onShared?.();
      return hit.promise as Promise<T>;
    }
    this.#sweep(now);
    this.vaultReads++;
    const promise = read();
    const entry: Entry = { promise, startedAt: now };
    this.#entries.set(key, entry);
    const forget = () => {
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
    };
    // Failures are shared only while in flight, so the next attempt asks the vault again; a value
    // is dropped after the retention even if no other read comes (unref'd: it never holds a CLI open).
    promise.then(() => setTimeout(forget, this.#retentionMs()).unref(), forget);
    return promise;
  }

  #retentionMs(): number {
    return Math.max(this.#windowMs, RETENTION_MS);
  }

  #sweep(now: number): void {
    for (const [k, e] of this.#entries) if (now - e.startedAt > this.#retentionMs()) this.#entries.delete(k);
  }

  getSecret(ref: RemoteRef, signal: AbortSignal): Promise<SecretBytes> {
    return this.#shared(stableKey('getSecret', ref), this.#windowMs, () => this.#inner.getSecret(ref, signal));
  }
  getSecretMap(ref: RemoteRef, signal: AbortSignal): Promise<ReadonlyMap<string, SecretBytes>> {
    return this.#shared(stableKey('getSecretMap', ref), this.#windowMs, () => this.#inner.getSecretMap(ref, signal));
  }
  getAllSecrets(find: FindRef, signal: AbortSignal): Promise<ReadonlyMap<string, SecretBytes>> {
    return this.#shared(stableKey('getAllSecrets', find), this.#windowMs, () => this.#inner.getAllSecrets(find, signal));
  }
  validate(signal: AbortSignal): Promise<ValidationResult> {
    return this.#inner.validate(signal);
  }
  get describeSecret() {
    const inner = this.#inner;
    return inner.describeSecret ? (ref: RemoteRef, signal: AbortSignal) => inner.describeSecret!(ref, signal) : undefined;
  }
  /** Writes are never shared: they go straight to the provider. */
  get writer() {
    return this.#inner.writer;
  }
  close(): Promise<void> {
    this.#entries.clear();
    return this.#inner.close();
  }
}
