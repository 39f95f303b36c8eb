// One SecretsClient per store identity (kind/namespace/name + uid + generation), so SDK clients and
// their tokens are reused across reconciles, and replaced when the store changes.
import type { GenericStore } from '../api/index.ts';
import { ProjectorError } from '../core/errors.ts';
import type { Clock } from '../platform/clock.ts';
import type { Logger } from '../platform/logger.ts';
import type { ProviderHost, SecretsClient } from '../providers/provider.ts';
import type { ProviderRegistry } from '../providers/registry.ts';
import { CoalescingClient } from './coalescing-client.ts';

export interface ClientCacheDeps {
  registry: ProviderRegistry;
  /** The host for a store used from `namespace` (credentials are read relative to it). */
  hostFor(store: GenericStore, namespace: string | undefined): ProviderHost;
  clock: Clock;
  log: Logger;
  /** How long identical reads are shared (one refresh wave). */
  readWindowMs?: number;
  /** Clients are rebuilt after this age so rotated credentials are picked up. */
  maxClientAgeMs?: number;
  /** A read was answered by sharing an identical one (projector_vault_reads_saved_total). */
  onReadShared?: () => void;
}

interface CachedClient {
  client: Promise<CoalescingClient>;
  createdAt: number;
}

/** Does the provider spec reference a Secret without a namespace (so it resolves per ExternalSecret namespace)? */
function hasNamespaceRelativeRefs(node: unknown): boolean {
  if (!node || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some(hasNamespaceRelativeRefs);
  const o = node as Record<string, unknown>;
  if (typeof o.name === 'string' && typeof o.key === 'string' && o.namespace === undefined) return true;
  return Object.values(o).some(hasNamespaceRelativeRefs);
}

export class ClientCache {
  readonly #d: ClientCacheDeps;
  readonly #clients = new Map<string, CachedClient>();
  constructor(deps: ClientCacheDeps) {
    this.#d = deps;
  }

  #identity(store: GenericStore, namespace: string | undefined): string {
    const m = store.metadata;
    const scope = store.kind === 'ClusterSecretStore' && hasNamespaceRelativeRefs(store.spec.provider) ? `@${namespace}` : '';
    return `${store.kind}/${m.namespace ?? ''}/${m.name}/${m.uid ?? ''}/${m.generation ?? 0}${scope}`;
  }

  /**
   * The client for `store` as used from `namespace`; builds it on first use. With `maxReadAgeMs`,
   * reads are shared only with reads that started at most that long ago (0: a fresh read).
   */
  async get(store: GenericStore, namespace: string | undefined, signal: AbortSignal, maxReadAgeMs?: number): Promise<SecretsClient> {
    const client = await this.#client(store, namespace, signal);
    return maxReadAgeMs === undefined ? client : client.view(maxReadAgeMs);
  }

  #client(store: GenericStore, namespace: string | undefined, signal: AbortSignal): Promise<CoalescingClient> {
    const id = this.#identity(store, namespace);
    const now = this.#d.clock.now().getTime();
    const cached = this.#clients.get(id);
    if (cached && now - cached.createdAt < (this.#d.maxClientAgeMs ?? 10 * 60_000)) return cached.client;
    if (cached) void this.#closeQuietly(cached);
    this.#dropOlderGenerations(store);
    const provider = this.#d.registry.providerFor(store);
    const client = provider
      .newClient(store, this.#d.hostFor(store, namespace), signal)
      .then((c) => new CoalescingClient(c, this.#d.clock, this.#d.readWindowMs ?? 5_000, this.#d.onReadShared));
    const entry = { client, createdAt: now };
    this.#clients.set(id, entry);
    client.catch(() => {
      if (this.#clients.get(id) === entry) this.#clients.delete(id);
    });
    return client;
  }

  /** Forget a store's clients, e.g. after an authentication failure or when the store is deleted. */
  invalidate(store: Pick<GenericStore, 'kind' | 'metadata'>): void {
    const prefix = `${store.kind}/${store.metadata.namespace ?? ''}/${store.metadata.name}/`;
    for (const [id, c] of this.#clients) {
      if (id.startsWith(prefix)) {
        this.#clients.delete(id);
        void this.#closeQuietly(c);
      }
    }
  }

  /** Total reads that reached providers (benchmarks). */
  async vaultReads(): Promise<number> {
    let n = 0;
    for (const c of this.#clients.values()) n += await c.client.then((x) => x.vaultReads, () => 0);
    return n;
  }

  async closeAll(): Promise<void> {
    const all = [...this.#clients.values()];
    this.#clients.clear();
    await Promise.all(all.map((c) => this.#closeQuietly(c)));
  }

  #dropOlderGenerations(store: GenericStore): void {
    const prefix = `${store.kind}/${store.metadata.namespace ?? ''}/${store.metadata.name}/`;
    const current = `${prefix}${store.metadata.uid ?? ''}/${store.metadata.generation ?? 0}`;
    for (const [id, c] of this.#clients) {
      if (id.startsWith(prefix) && !id.startsWith(current)) {
        this.#clients.delete(id);
        void this.#closeQuietly(c);
      }
    }
  }

  async #closeQuietly(c: CachedClient): Promise<void> {
    try {
      await (await c.client).close();
    } catch (e) {
      this.#d.log.debug({ code: e instanceof ProjectorError ? e.code : 'unknown' }, 'closing a provider client failed');
    }
  }
}
