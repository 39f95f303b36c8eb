// Watches of generic targets' kinds (spec.target.manifest), started as ExternalSecrets come to use a
// kind and stopped when the last one goes: ESO's informer manager
// (pkg/controllers/externalsecret/informer_manager.go EnsureInformer / ReleaseInformer), which
// enqueues the ExternalSecrets naming an object of the kind that carries the managed label whenever
// it is added, changed or deleted, so drift is repaired at once.
//
// Differences, deliberate: the watch is metadata-only (PartialObjectMetadata, as the managed-Secret
// watch) and selects the managed label on the server, so no target content (secret values) reaches
// the operator's memory and unmanaged objects of the kind are never listed; the kind's discovery and
// a list or watch the API server forbids are logged once and retried, as ESO logs "failed to register
// informer for generic target, drift detection may not work".
import type { KubeConfig } from '@kubernetes/client-node';
import type { ObjectKey } from '../api/index.ts';
import { LABEL_MANAGED } from '../api/constants.ts';
import type { ObjectMeta } from '../api/meta.ts';
import { ProjectorError } from '../core/errors.ts';
import { gvkKey, type GenericTargetRef } from '../core/generic-target.ts';
import type { KubeClient } from '../kube/client.ts';
import type { RestClientMetrics } from '../kube/http.ts';
import { ObjectStore } from '../kube/object-store.ts';
import { Reflector } from '../kube/reflector.ts';
import type { Clock } from '../platform/clock.ts';
import type { Logger } from '../platform/logger.ts';

type Gvk = Pick<GenericTargetRef, 'group' | 'version' | 'kind'>;
type MetaObject = { metadata: ObjectMeta };

export interface GenericWatchesOptions {
  kubeConfig: KubeConfig;
  kube: Pick<KubeClient, 'collectionPath'>;
  /** Watch one namespace only (the operator's --namespace); cluster-scoped kinds are watched whole. */
  namespace?: string | undefined;
  log: Logger;
  clock: Clock;
  restMetrics?: RestClientMetrics;
  /** An object of a watched kind with the managed label was added, changed or deleted. */
  onObject(gvk: Gvk, metadata: ObjectMeta): void;
  /** Stops every watch (the operator's shutdown). */
  signal: AbortSignal;
}

interface Entry {
  users: Set<ObjectKey>;
  stop: AbortController;
}

/** The ExternalSecrets' use of generic target kinds, one watch per group/version/kind in use. */
export class GenericWatches {
  readonly #o: GenericWatchesOptions;
  readonly #entries = new Map<string, Entry>();
  constructor(o: GenericWatchesOptions) {
    this.#o = o;
  }

  /** The kinds watched now (`group/version/Kind`), for tests and logs. */
  watchedKinds(): string[] {
    return [...this.#entries.keys()];
  }

  /**
   * ExternalSecret `user` writes objects of `t`'s kind: its watch is started if none runs (in the
   * background: the reconcile does not wait for it). Idempotent per user.
   */
  ensure(t: Gvk, user: ObjectKey): void {
    const key = gvkKey(t);
    const entry = this.#entries.get(key);
    if (entry) {
      entry.users.add(user);
      return;
    }
    const stop = new AbortController();
    const onShutdown = () => stop.abort();
    this.#o.signal.addEventListener('abort', onShutdown, { once: true });
    stop.signal.addEventListener('abort', () => this.#o.signal.removeEventListener('abort', onShutdown), { once: true });
    this.#entries.set(key, { users: new Set([user]), stop });
    void this.#start(t, key, stop);
  }

  /** ExternalSecret `user` no longer writes objects of `t`'s kind (deleted, or its target changed): the last user stops the watch. */
  release(t: Gvk, user: ObjectKey): void {
    const key = gvkKey(t);
    const entry = this.#entries.get(key);
    if (!entry) return;
    entry.users.delete(user);
    if (entry.users.size > 0) return;
    entry.stop.abort();
    this.#entries.delete(key);
    this.#o.log.info({ gvk: key }, 'stopped the watch of a generic target kind: no ExternalSecret writes it any more');
  }

  async #start(t: Gvk, key: string, stop: AbortController): Promise<void> {
    const log = this.#o.log.child({ gvk: key });
    let path: string;
    try {
      path = await this.#o.kube.collectionPath(t, this.#o.namespace);
    } catch (e) {
      // Forget the entry: the next successful sync of a user tries again.
      if (this.#entries.get(key)?.stop === stop) this.#entries.delete(key);
      stop.abort();
      log.error({ code: e instanceof ProjectorError ? e.code : undefined, err: e }, 'failed to register a watch for a generic target kind; drift detection may not work until the next sync');
      return;
    }
    if (stop.signal.aborted) return;
    const store = new ObjectStore<MetaObject>();
    store.onChange((_type, obj) => this.#o.onObject(t, obj.metadata));
    const reflector = new Reflector<MetaObject>({
      kubeConfig: this.#o.kubeConfig,
      path,
      labelSelector: `${LABEL_MANAGED}=true`,
      metadataOnly: true,
      transform: (o: { metadata: ObjectMeta }) => ({ metadata: { name: o.metadata.name, namespace: o.metadata.namespace, labels: o.metadata.labels, resourceVersion: o.metadata.resourceVersion } }),
      store,
      log: this.#o.log.child({ kind: key }),
      clock: this.#o.clock,
      ...(this.#o.restMetrics && { restMetrics: this.#o.restMetrics }),
      forbidden: 'drift of generic targets of this kind is repaired only at their refresh (grant list and watch on it to the operator)',
      absentPollMs: 60_000,
      optional: true,
    });
    log.info({ path }, 'watching a generic target kind');
    await reflector.run(stop.signal);
  }
}
