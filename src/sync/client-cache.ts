// One SecretsClient per store identity (kind/namespace/name + uid + generation), so SDK clients and
// their tokens are reused across reconciles, and replaced when the store or the objects it was built
// from (credential Secrets, caProvider ConfigMaps, workload identity ServiceAccounts) change. ESO
// builds a client from the current objects at every reconcile; this cache gives the same answer by
// keying each client on the resourceVersions of the objects it read.
import type { GenericStore } from '../api/index.ts';
import { ProjectorError } from '../core/errors.ts';
import type { Clock } from '../platform/clock.ts';
import type { Logger } from '../platform/logger.ts';
import type { CredentialKind, CredentialRead, ProviderHost, SecretsClient } from '../providers/provider.ts';
import type { ProviderRegistry } from '../providers/registry.ts';
import { CoalescingClient } from './coalescing-client.ts';

/** `credentialVersion`'s answer for a kind it cannot watch: clients built from it age out instead. */
export const UNWATCHED: unique symbol = Symbol('unwatched');

export interface ClientCacheDeps {
  registry: ProviderRegistry;
  /**
   * The host for a store used from `namespace` (credentials are read relative to it). It reports
   * each object it reads to build a client to `onRead`.
   */
  hostFor(store: GenericStore, namespace: string | undefined, onRead: (read: CredentialRead) => void): ProviderHost;
  /**
   * The current resourceVersion of an object a client was built from, as a watch sees it
   * (undefined: absent). With it, a client built from an object that has changed since is rebuilt on
   * its next use; without it (CLI), only `maxClientAgeMs` replaces clients.
   */
  credentialVersion?(kind: CredentialKind, namespace: string, name: string): string | undefined | typeof UNWATCHED;
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
  /** The objects read to build it, at the versions read. */
  reads: CredentialRead[];
}

/**
 * How recent a shared credential must be to serve a store check (NewClientOptions): checks of
 * stores with one identity within this window share one token request.
 */
const FRESH_CREDENTIAL_MS = 1_000;

/** A store as the cache names it: "kind/namespace/name". */
export interface StoreRef {
  kind: string;
  namespace: string | undefined;
  name: string;
}

const objectKey = (kind: CredentialKind, namespace: string, name: string) => `${kind}/${namespace}/${name}`;
const storePrefix = (s: StoreRef) => `${s.kind}/${s.namespace ?? ''}/${s.name}/`;

/**
 * Does the provider spec reference a Secret key or a ServiceAccount without a namespace (so it
 * resolves in each ExternalSecret's namespace)? ESO's isReferentSpec per provider (e.g.
 * providers/v1/azure/keyvault: any secretRef or the serviceAccountRef without a namespace).
 */
function hasNamespaceRelativeRefs(node: unknown, key?: string): boolean {
  if (!node || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some((n) => hasNamespaceRelativeRefs(n));
  const o = node as Record<string, unknown>;
  if (typeof o.name === 'string' && o.namespace === undefined && (typeof o.key === 'string' || key === 'serviceAccountRef')) return true;
  return Object.entries(o).some(([k, v]) => hasNamespaceRelativeRefs(v, k));
}

export class ClientCache {
  readonly #d: ClientCacheDeps;
  readonly #clients = new Map<string, CachedClient>();
  /** Object "kind/ns/name" → stores whose clients read it (built or failed), by store prefix. */
  readonly #readers = new Map<string, Map<string, StoreRef>>();
  /** What each client from `fresh` read to be built, until `adopt` takes it. */
  readonly #freshReads = new WeakMap<SecretsClient, CredentialRead[]>();
  constructor(deps: ClientCacheDeps) {
    this.#d = deps;
  }

  /**
   * A ClusterSecretStore naming credential Secrets or a ServiceAccount without a namespace resolves
   * them in each ExternalSecret's namespace, so its clients are per namespace (ESO
   * runtime/esutils/resolvers/secret_ref.go SecretKeyRef: `ref.namespace`, else the ExternalSecret's).
   */
  static #perNamespace(store: GenericStore): boolean {
    return store.kind === 'ClusterSecretStore' && hasNamespaceRelativeRefs(store.spec.provider);
  }

  #identity(store: GenericStore, namespace: string | undefined): string {
    const m = store.metadata;
    const scope = ClientCache.#perNamespace(store) ? `@${namespace}` : '';
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

  /**
   * A client built now and not cached, for the store reconciler: ESO validates a store with a new
   * client every time (secretstore/common.go validateStore), so a credential revoked on the vault's
   * side shows on the store even while cached clients still hold valid tokens. The caller closes it.
   */
  async fresh(store: GenericStore, namespace: string | undefined, signal: AbortSignal): Promise<SecretsClient> {
    const reads: CredentialRead[] = [];
    const host = this.#d.hostFor(store, namespace, this.#recorder(store, reads));
    const client = await this.#d.registry.providerFor(store).newClient(store, host, signal, { credentialMaxAgeMs: FRESH_CREDENTIAL_MS });
    this.#freshReads.set(client, reads);
    return client;
  }

  /**
   * Hands a client from `fresh` that has just passed the store's check to the cache, for the
   * ExternalSecrets using `store` from `namespace`, when no usable client is cached for them: the
   * first sync after a start then uses the client (and token) the check made instead of building
   * another, one identity-provider round trip per store fewer. It is what `get` would have built a
   * moment later, from the same objects, which it records for `#stale`. Returns false
   * (the caller closes the client) when a usable client is cached already, when the client did not
   * come from `fresh`, or when the store's credentials resolve per ExternalSecret namespace (a
   * ClusterSecretStore naming Secrets or a ServiceAccount without a namespace: the check's client
   * is not theirs).
   */
  adopt(store: GenericStore, namespace: string | undefined, client: SecretsClient): boolean {
    const reads = this.#freshReads.get(client);
    if (!reads) return false;
    this.#freshReads.delete(client);
    if (ClientCache.#perNamespace(store)) return false;
    const id = this.#identity(store, namespace);
    const now = this.#d.clock.now().getTime();
    if (this.#cachedUsable(store, id, now)) return false;
    this.#clients.set(id, { client: Promise.resolve(this.#coalescing(client)), createdAt: now, reads });
    return true;
  }

  /**
   * The usable cached client under `id`, if any; otherwise makes room for a new one: closes the
   * unusable one there and the clients of the store's older generations.
   */
  #cachedUsable(store: GenericStore, id: string, now: number): CachedClient | undefined {
    const cached = this.#clients.get(id);
    if (cached && this.#usable(cached, now)) return cached;
    if (cached) {
      this.#clients.delete(id);
      void this.#closeQuietly(cached);
    }
    this.#dropOlderGenerations(store);
    return undefined;
  }

  /**
   * The stores whose clients were built (or failed to build) from object `kind` `namespace/name`:
   * when it changes, their clients are stale and their users due for a look.
   */
  storesReading(kind: CredentialKind, namespace: string, name: string): StoreRef[] {
    return [...(this.#readers.get(objectKey(kind, namespace, name))?.values() ?? [])];
  }

  #recorder(store: GenericStore, reads: CredentialRead[]): (read: CredentialRead) => void {
    const ref: StoreRef = { kind: store.kind, namespace: store.metadata.namespace, name: store.metadata.name };
    return (read) => {
      reads.push(read);
      const key = objectKey(read.kind, read.namespace, read.name);
      let stores = this.#readers.get(key);
      if (!stores) this.#readers.set(key, (stores = new Map()));
      stores.set(storePrefix(ref), ref);
    };
  }

  /** Young enough, and built from the objects as they are now. */
  #usable(entry: CachedClient, now: number): boolean {
    return now - entry.createdAt < (this.#d.maxClientAgeMs ?? 10 * 60_000) && !this.#stale(entry);
  }

  #coalescing(client: SecretsClient): CoalescingClient {
    return new CoalescingClient(client, this.#d.clock, this.#d.readWindowMs ?? 5_000, this.#d.onReadShared);
  }

  /** Built from an object that has changed (or gone) since: ESO would read the new one now. */
  #stale(entry: CachedClient): boolean {
    const current = this.#d.credentialVersion;
    if (!current) return false;
    return entry.reads.some((r) => {
      const version = current(r.kind, r.namespace, r.name);
      return version !== UNWATCHED && version !== r.resourceVersion;
    });
  }

  #client(store: GenericStore, namespace: string | undefined, signal: AbortSignal): Promise<CoalescingClient> {
    const id = this.#identity(store, namespace);
    const now = this.#d.clock.now().getTime();
    const cached = this.#cachedUsable(store, id, now);
    if (cached) return cached.client;
    const provider = this.#d.registry.providerFor(store);
    const reads: CredentialRead[] = [];
    const client = provider
      .newClient(store, this.#d.hostFor(store, namespace, this.#recorder(store, reads)), signal)
      .then((c) => this.#coalescing(c));
    const entry: CachedClient = { client, createdAt: now, reads };
    this.#clients.set(id, entry);
    client.catch(() => {
      if (this.#clients.get(id) === entry) this.#clients.delete(id);
    });
    return client;
  }

  /**
   * Forget a store's clients, e.g. after an authentication failure or when the store is deleted
   * (`forget`: also which credential Secrets it read).
   */
  invalidate(store: Pick<GenericStore, 'kind' | 'metadata'>, opts: { forget?: boolean } = {}): void {
    const prefix = storePrefix({ kind: store.kind, namespace: store.metadata.namespace, name: store.metadata.name });
    for (const [id, c] of this.#clients) {
      if (id.startsWith(prefix)) {
        this.#clients.delete(id);
        void this.#closeQuietly(c);
      }
    }
    if (opts.forget) {
      for (const [key, stores] of this.#readers) {
        stores.delete(prefix);
        if (stores.size === 0) this.#readers.delete(key);
      }
    }
  }

  /** Closes the cached clients built from object `kind` `namespace/name` at another version than `resourceVersion`. */
  dropBuiltFrom(kind: CredentialKind, namespace: string, name: string, resourceVersion: string | undefined): void {
    for (const [id, c] of this.#clients) {
      if (c.reads.some((r) => r.kind === kind && r.namespace === namespace && r.name === name && r.resourceVersion !== resourceVersion)) {
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
    const prefix = storePrefix({ kind: store.kind, namespace: store.metadata.namespace, name: store.metadata.name });
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
