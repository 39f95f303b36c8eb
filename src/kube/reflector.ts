/**
 * List + watch for one resource, feeding an ObjectStore. Our own instead of client-node's informer
 * because that one stops for good on a socket reset or a 500, drops unparsable lines silently, and
 * cannot page or ask for bookmarks (docs/design/001-reflector-and-queue.md).
 *
 * Contract: after the first list `hasSynced()` is true and the store mirrors the server. From then on
 * the reflector never gives up until its signal aborts: a watch that ends is resumed from the last
 * resourceVersion seen (events or bookmarks), any error is logged and retried with jittered
 * exponential backoff, and 410 Gone relists into the same store, which reports only what changed.
 * Logs carry the path, counts, resourceVersions and status codes: never object bodies.
 */
import type { IncomingMessage } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { systemClock, type Clock } from '../platform/clock.ts';
import type { Logger } from '../platform/logger.ts';
import { KubeTransportError, kubeGet, readBody, readLines, type QueryParams, type RestClientMetrics } from './http.ts';
import type { KubeObject, ObjectStore } from './object-store.ts';

export interface ReflectorOptions<T extends KubeObject> {
  kubeConfig: KubeConfig;
  /** Collection path, e.g. '/apis/external-secrets.io/v1/externalsecrets' or '/api/v1/secrets'. */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** List page size (limit). Default 500. */
  pageSize?: number;
  store: ObjectStore<T>;
  log: Logger;
  clock?: Clock;
  /**
   * Ask for metadata only (PartialObjectMetadata, as client-go's metadata informer): for Secrets no
   * value ever crosses the wire. Objects then carry apiVersion meta.k8s.io/v1 and only `metadata`.
   */
  metadataOnly?: boolean;
  /**
   * Applied to every object before it is stored, e.g. to drop Secret data so no value is cached.
   * Default: the object without `metadata.managedFields` (controller-runtime's
   * cache.TransformStripManagedFields): no controller reads them, and each writer's entry (the
   * creator, the finalizer patch, every status patch) is kept per object for the life of the cache.
   */
  transform?: (obj: any) => T;
  /** Server-side watch timeout; default 300 s, stretched by up to 20 % so watches do not end together. */
  watchTimeoutSeconds?: number;
  backoff?: { initialMs?: number; maxMs?: number };
  /** Test hook: randomness for jitter. */
  random?: () => number;
  /** rest_client_requests_total for the list and watch requests. */
  restMetrics?: RestClientMetrics;
  /**
   * The CustomResourceDefinition that defines this resource, e.g.
   * 'clusterexternalsecrets.external-secrets.io': a 404 for the list (the API server does not serve
   * the resource) is logged once naming it, and `missing()` reports it until a list succeeds.
   */
  crd?: string;
  /**
   * The kind is optional (its CRD may not be installed): while the API server answers 404 the
   * reflector counts as synced with an empty store (there are no such objects), so the other kinds
   * are served; it asks again every `absentPollMs` (default 10 s) and fills the store when the CRD
   * appears, as any first list would.
   */
  optional?: boolean;
  absentPollMs?: number;
  /**
   * A 403 (the ServiceAccount may not list or watch the resource) is tolerated: this says what the
   * operator does without the watch, for the one warning logged. The reflector then counts as
   * synced, `forbidden()` is true until a list succeeds, and it asks again every `absentPollMs`.
   * Unset: a 403 is retried with backoff and the reflector stays unsynced (a required watch).
   */
  forbidden?: string;
}

/** Why a list or watch ended early; only the reflector sees these, so they never leave this file. */
class ReflectorError extends Error {
  override readonly name = 'ReflectorError';
  readonly httpStatus: number | undefined;
  readonly reason: string;
  constructor(reason: string, httpStatus?: number) {
    super(httpStatus !== undefined ? `${reason} (HTTP ${httpStatus})` : reason);
    this.reason = reason;
    this.httpStatus = httpStatus;
  }
  get isGone(): boolean {
    return this.httpStatus === 410;
  }
}

interface ListBody {
  apiVersion?: string;
  kind?: string;
  metadata?: { resourceVersion?: string; continue?: string };
  items?: unknown[];
}

interface WatchEvent {
  type?: string;
  object?: { metadata?: { resourceVersion?: string }; code?: number; reason?: string };
}

const DEFAULT_PAGE_SIZE = 500;
const DEFAULT_WATCH_TIMEOUT_SECONDS = 300;
/** Client-side guard on top of the server's timeoutSeconds, for a connection that goes silent. */
const WATCH_GUARD_EXTRA_MS = 30_000;
const SHORT_WATCH_MS = 1_000;

/** Jittered exponential backoff (client-go's reflector: 800 ms doubling, capped at 30 s). */
export class ReconnectBackoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #random: () => number;
  #attempt = 0;

  constructor(opts: { initialMs?: number; maxMs?: number; random?: () => number } = {}) {
    this.#initialMs = opts.initialMs ?? 800;
    this.#maxMs = opts.maxMs ?? 30_000;
    this.#random = opts.random ?? Math.random;
  }

  /** Delay before the next attempt: base·2^n capped, then up to 50 % below it (never 0 in a storm). */
  next(): number {
    const base = Math.min(this.#maxMs, this.#initialMs * 2 ** Math.min(this.#attempt, 30));
    this.#attempt++;
    return Math.round(base * (0.5 + this.#random() * 0.5));
  }

  reset(): void {
    this.#attempt = 0;
  }
}

export class Reflector<T extends KubeObject> {
  readonly #o: ReflectorOptions<T>;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #random: () => number;
  readonly #backoff: ReconnectBackoff;
  readonly #synced: Promise<void>;
  #markSynced!: () => void;
  #hasSynced = false;
  #lastRv = '';
  #missing = false;
  #forbidden = false;

  constructor(opts: ReflectorOptions<T>) {
    this.#o = opts;
    this.#clock = opts.clock ?? systemClock;
    this.#log = opts.log.child({ reflector: opts.path });
    this.#random = opts.random ?? Math.random;
    this.#backoff = new ReconnectBackoff({ ...opts.backoff, random: this.#random });
    this.#synced = new Promise((resolve) => (this.#markSynced = resolve));
  }

  hasSynced(): boolean {
    return this.#hasSynced;
  }

  /** True while the API server answers 404 for the resource (its CRD is not installed). */
  missing(): boolean {
    return this.#missing;
  }

  /** True while the API server answers 403 to a reflector whose options tolerate it (ReflectorOptions.forbidden). */
  forbidden(): boolean {
    return this.#forbidden;
  }

  /** The path this reflector lists and watches, and its CRD (ReflectorOptions.crd). */
  describe(): { path: string; crd: string | undefined; optional: boolean } {
    return { path: this.#o.path, crd: this.#o.crd, optional: this.#o.optional === true };
  }

  lastResourceVersion(): string {
    return this.#lastRv;
  }

  async waitForSync(signal: AbortSignal): Promise<void> {
    if (this.#hasSynced) return;
    signal.throwIfAborted();
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      void this.#synced.then(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  /** Runs until `signal` aborts; resolves then. Never rejects for API-server trouble. */
  async run(signal: AbortSignal): Promise<void> {
    let needsList = true;
    while (!signal.aborted) {
      try {
        if (needsList) {
          await this.#listIntoStore(signal);
          needsList = false;
        }
        await this.#watch(signal);
        this.#backoff.reset();
      } catch (e) {
        if (signal.aborted) break;
        if (e instanceof ReflectorError && e.isGone) {
          this.#log.info({ resourceVersion: this.#lastRv }, 'resourceVersion expired (410 Gone); relisting');
          needsList = true;
        } else if (e instanceof ReflectorError && e.httpStatus === 404) {
          // The resource is not served (its CRD is not installed, or was removed): list again when it is.
          needsList = true;
          this.#markMissing();
          if (this.#o.optional) {
            try {
              await this.#clock.sleep(this.#o.absentPollMs ?? 10_000, signal);
              continue;
            } catch {
              break;
            }
          }
        } else if (e instanceof ReflectorError && e.httpStatus === 403 && this.#o.forbidden !== undefined) {
          needsList = true;
          this.#markForbidden();
          try {
            await this.#clock.sleep(this.#o.absentPollMs ?? 10_000, signal);
            continue;
          } catch {
            break;
          }
        } else {
          this.#log.warn({ ...describeFailure(e), resourceVersion: this.#lastRv, relist: needsList }, 'list/watch failed; retrying');
        }
        try {
          await this.#clock.sleep(this.#backoff.next(), signal);
        } catch {
          break; // aborted while backing off
        }
      }
    }
    this.#log.debug({ resourceVersion: this.#lastRv }, 'reflector stopped');
  }

  /** First 404: one clear log line; an optional kind then counts as synced (no objects of it exist). */
  #markMissing(): void {
    if (!this.#missing) {
      this.#missing = true;
      const crd = this.#o.crd ?? 'its CustomResourceDefinition';
      const serving = this.#o.optional ? 'not served until it is installed; the other kinds are served, and this one starts when the CRD appears' : 'the operator cannot become ready until it is installed';
      this.#log.warn({ crd: this.#o.crd, httpStatus: 404 }, `the API server does not serve ${this.#o.path}: CRD ${crd} is not installed; ${serving} (install the CRDs: kubectl apply -k deploy/crds, or the Helm chart)`);
    }
    if (this.#o.optional && !this.#hasSynced) {
      this.#hasSynced = true;
      this.#markSynced();
    }
  }

  /** First 403 of a reflector that tolerates it: one warning; it then counts as synced. */
  #markForbidden(): void {
    if (!this.#forbidden) {
      this.#forbidden = true;
      this.#log.warn({ httpStatus: 403 }, `may not list/watch ${this.#o.path} (403): ${this.#o.forbidden}; grant list and watch (deploy/ RBAC) to restore it`);
    }
    if (!this.#hasSynced) {
      this.#hasSynced = true;
      this.#markSynced();
    }
  }

  async #listIntoStore(signal: AbortSignal): Promise<void> {
    const started = this.#clock.now().getTime();
    const { items, resourceVersion, pages } = await this.#listAllPages(signal);
    const changes = this.#o.store.replaceAll(items);
    this.#lastRv = resourceVersion;
    this.#backoff.reset();
    if (this.#forbidden) {
      this.#forbidden = false;
      this.#log.info(`may list/watch ${this.#o.path} now; watching it`);
    }
    if (this.#missing) {
      this.#missing = false;
      this.#log.info({ crd: this.#o.crd }, `the API server serves ${this.#o.path} now${this.#o.crd ? ` (CRD ${this.#o.crd} installed)` : ''}; serving it`);
    }
    this.#log.info(
      { count: items.length, pages, resourceVersion, ...changes, ms: this.#clock.now().getTime() - started },
      this.#hasSynced ? 'relisted' : 'listed',
    );
    if (!this.#hasSynced) {
      this.#hasSynced = true;
      this.#markSynced();
    }
  }

  /** All pages of one consistent list; an expired continue token (410) starts the list over. */
  async #listAllPages(signal: AbortSignal): Promise<{ items: T[]; resourceVersion: string; pages: number }> {
    for (;;) {
      const items: T[] = [];
      let cont: string | undefined;
      let resourceVersion = '';
      let pages = 0;
      try {
        do {
          const page = await this.#getListPage(cont, signal);
          pages++;
          const itemKind = page.kind?.endsWith('List') ? page.kind.slice(0, -4) : undefined;
          for (const raw of page.items ?? []) items.push(this.#toStored(withTypeMeta(raw, page.apiVersion, itemKind)));
          resourceVersion = page.metadata?.resourceVersion ?? '';
          cont = page.metadata?.continue || undefined;
        } while (cont);
        return { items, resourceVersion, pages };
      } catch (e) {
        if (e instanceof ReflectorError && e.isGone && cont !== undefined) {
          this.#log.info({ pages }, 'list continue token expired (410); restarting the list');
          continue;
        }
        throw e;
      }
    }
  }

  async #getListPage(cont: string | undefined, signal: AbortSignal): Promise<ListBody> {
    const res = await kubeGet(this.#o.kubeConfig, {
      path: this.#o.path,
      query: { ...this.#selectors(), limit: this.#o.pageSize ?? DEFAULT_PAGE_SIZE, continue: cont },
      signal,
      ...(this.#o.metadataOnly ? { accept: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json' } : {}),
      metrics: this.#o.restMetrics,
    });
    await throwUnlessOk(res, 'list');
    const body = await readBody(res);
    try {
      return JSON.parse(body) as ListBody;
    } catch {
      // The parser's message would quote the body (Secrets!): report the size only.
      throw new ReflectorError(`unparsable list response (${body.length} chars)`);
    }
  }

  /** One watch from the last resourceVersion; resolves when the server ends it normally. */
  async #watch(signal: AbortSignal): Promise<void> {
    const timeoutSeconds = this.#watchTimeoutSeconds();
    const stop = new AbortController();
    const abortOuter = () => stop.abort(signal.reason);
    signal.addEventListener('abort', abortOuter, { once: true });
    // If the connection goes silent (no FIN, no bookmarks), the server's timeout never reaches us.
    this.#clock.sleep(timeoutSeconds * 1000 + WATCH_GUARD_EXTRA_MS, stop.signal).then(
      () => stop.abort(new ReflectorError('watch went silent past its timeout')),
      () => {},
    );
    let events = 0;
    const startedMs = this.#clock.now().getTime();
    try {
      const res = await kubeGet(this.#o.kubeConfig, {
        path: this.#o.path,
        query: {
          ...this.#selectors(),
          watch: 1,
          allowWatchBookmarks: true,
          resourceVersion: this.#lastRv,
          timeoutSeconds,
        },
        signal: stop.signal,
        ...(this.#o.metadataOnly ? { accept: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json' } : {}),
        metrics: this.#o.restMetrics,
      });
      await throwUnlessOk(res, 'watch');
      this.#log.debug({ resourceVersion: this.#lastRv, timeoutSeconds }, 'watching');
      for await (const line of readLines(res)) {
        this.#applyWatchLine(line);
        events++;
        // A watch that delivers anything is healthy again.
        if (events === 1) this.#backoff.reset();
      }
      if (events === 0 && this.#clock.now().getTime() - startedMs < SHORT_WATCH_MS) {
        // A server that closes every watch at once would otherwise be hammered in a tight loop.
        throw new ReflectorError('watch closed at once without events');
      }
      this.#log.debug({ events, resourceVersion: this.#lastRv }, 'watch ended; resuming');
    } catch (e) {
      if (stop.signal.aborted && !signal.aborted && stop.signal.reason instanceof ReflectorError) throw stop.signal.reason;
      throw e;
    } finally {
      signal.removeEventListener('abort', abortOuter);
      stop.abort();
    }
  }

  #applyWatchLine(line: string): void {
    let event: WatchEvent;
    try {
      event = JSON.parse(line) as WatchEvent;
    } catch {
      throw new ReflectorError(`unparsable watch line (${line.length} chars)`);
    }
    const obj = event.object;
    if (!obj || typeof obj !== 'object') throw new ReflectorError(`watch event ${event.type ?? '?'} without an object`);
    switch (event.type) {
      case 'ADDED':
      case 'MODIFIED':
        this.#o.store.upsert(this.#toStored(obj));
        break;
      case 'DELETED':
        this.#o.store.delete(this.#toStored(obj));
        break;
      case 'BOOKMARK':
        break;
      case 'ERROR':
        throw new ReflectorError(`watch ERROR event${obj.reason ? ` ${obj.reason}` : ''}`, obj.code);
      default:
        throw new ReflectorError(`unknown watch event type ${String(event.type)}`);
    }
    const rv = obj.metadata?.resourceVersion;
    if (rv) this.#lastRv = rv;
  }

  #toStored(raw: unknown): T {
    return this.#o.transform ? this.#o.transform(raw) : (withoutManagedFields(raw) as T);
  }

  #selectors(): QueryParams {
    return { labelSelector: this.#o.labelSelector, fieldSelector: this.#o.fieldSelector };
  }

  #watchTimeoutSeconds(): number {
    const base = this.#o.watchTimeoutSeconds ?? DEFAULT_WATCH_TIMEOUT_SECONDS;
    return Math.max(1, Math.round(base * (1 + this.#random() * 0.2)));
  }
}

function withTypeMeta(raw: unknown, apiVersion: string | undefined, kind: string | undefined): unknown {
  // List items omit apiVersion/kind; watch events carry them. Stored objects look the same either way.
  if (!raw || typeof raw !== 'object') return raw;
  const o = raw as { apiVersion?: string; kind?: string };
  return { ...o, apiVersion: o.apiVersion ?? apiVersion, kind: o.kind ?? kind };
}

/** Non-200 → ReflectorError carrying the status code and the Status reason (never its message). */
async function throwUnlessOk(res: IncomingMessage, what: string): Promise<void> {
  const status = res.statusCode ?? 0;
  if (status === 200) return;
  let reason = '';
  try {
    const body = JSON.parse(await readBody(res, 1024 * 1024)) as { reason?: unknown };
    if (typeof body.reason === 'string') reason = body.reason;
  } catch {
    // A non-JSON error page: the status code says enough.
  }
  throw new ReflectorError(`${what} answered${reason ? ` ${reason}` : ''}`, status);
}

function describeFailure(e: unknown): Record<string, unknown> {
  if (e instanceof ReflectorError) return { failure: e.reason, httpStatus: e.httpStatus };
  if (e instanceof KubeTransportError) return { failure: 'transport', code: e.code };
  // Anything else (e.g. a socket reset mid-stream, a transform bug): name and code only.
  const o = e as { name?: unknown; code?: unknown };
  return { failure: typeof o?.name === 'string' ? o.name : typeof e, code: typeof o?.code === 'string' ? o.code : undefined };
}

/** `obj` (freshly decoded, not shared) with metadata.managedFields deleted in place. */
function withoutManagedFields(obj: unknown): unknown {
  const meta = (obj as { metadata?: { managedFields?: unknown } } | null)?.metadata;
  if (meta && meta.managedFields !== undefined) delete meta.managedFields;
  return obj;
}
