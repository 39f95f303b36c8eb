// PushSecret reconciler: level-based, as the ExternalSecret one. It reads the PushSecret, its source
// Secret and its stores from the caches and the API server, lets core/push-secret.ts decide, writes
// through each store's SecretsWriter, and records status and events as ESO's
// pkg/controllers/pushsecret/pushsecret_controller.go (Reconcile) does.
import type { GenericStore, ObjectKey, PushSecret, PushSecretData, SyncedPushSecrets } from '../../api/index.ts';
import { shouldProcessStore } from '../../core/controller-class.ts';
import { ProjectorError } from '../../core/errors.ts';
import { storeKeyOf } from '../../core/external-secret.ts';
import type { TemplateRenderer } from '../../core/plan-target-secret.ts';
import {
  assertValidPushSecret, mergeSyncedState, planPushItemsInOrder, pushDeletionPolicyOf, pushDeletions, PushFailureText, pushRefreshReason, PushMessage, PushReason,
  pushStatusFailed, pushStatusSourceDeleted, pushStatusSynced, pushStoreKey, PUSH_SECRET_FINALIZER, storeRefOfKey, untilNextPush, updatePolicyOf,
  type SecretBytes,
} from '../../core/push-secret.ts';
import { assertDataToSelectorsMatch, assertDataToStoreRefs, type PushStoreIdentity } from '../../core/push-secret-data-to.ts';
import { isStoreAllowed, labelSelectorQuery, matchesLabelSelector } from '../../core/store-access.ts';
import { pushSecretUsesTemplates, type TemplateEngine } from '../../core/template-use.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { Clock } from '../../platform/clock.ts';
import { lazyChild, type Logger } from '../../platform/logger.ts';
import type { SecretsWriter } from '../../providers/provider.ts';
import type { ClientCache } from '../../sync/client-cache.ts';
import type { ChangeTimes } from '../change-times.ts';
import type { EventSink } from '../events.ts';
import type { Lister } from '../lister.ts';
import { resultFor, type Reconciler, type Result } from '../reconciler.ts';
import { readTemplateSources } from '../template-sources.ts';

/**
 * A generator's output for `selector.generatorRef` (generators are built apart; the manager passes
 * one when available). Keys → bytes; throws ProjectorError.
 */
export type PushGenerator = (namespace: string, ref: NonNullable<PushSecret['spec']['selector']['generatorRef']>, signal: AbortSignal) => Promise<ReadonlyMap<string, SecretBytes>>;

export interface PushSecretDeps {
  pushSecrets: Lister<PushSecret>;
  secretStores: Lister<GenericStore>;
  clusterSecretStores: Lister<GenericStore>;
  namespaceLabels(namespace: string): Record<string, string> | undefined;
  kube: Pick<KubeClient, 'getSecret' | 'listSecrets' | 'patchStatus' | 'setFinalizers'> & Partial<Pick<KubeClient, 'getConfigMap'>>;
  clients: ClientCache;
  events: EventSink;
  clock: Clock;
  log: Logger;
  controllerClass: string;
  exclusiveControllerClass?: boolean | undefined;
  /**
   * The template engine (spec.template, spec.dataTo[].rewrite[].transform), awaited only by a push
   * whose PushSecret uses templates (core/template-use.ts), as the ExternalSecret reconciler does.
   */
  templates?: TemplateEngine | undefined;
  generate?: PushGenerator | undefined;
  /** Source Secrets that changed since the last reconcile (the manager's Secret watch). */
  changes?: ChangeTimes;
}

/** A store to push to: its status key (`<Kind>/<name>`), the object, and what dataTo matches it by. */
interface ResolvedStore {
  key: string;
  store: GenericStore;
  identity: PushStoreIdentity;
}

/**
 * A failure with the synced state to record (ESO markAsFailed's syncState). `text` is the condition
 * message and the Warning event's: ESO's message with the code before it (`<Code>: <ESO's text>`).
 */
class PushFailure extends Error {
  override readonly cause: ProjectorError;
  readonly synced: SyncedPushSecrets | undefined;
  readonly text: string;
  constructor(cause: ProjectorError, text: string, synced?: SyncedPushSecrets) {
    super(text);
    this.cause = cause;
    this.text = text;
    this.synced = synced;
  }
}

export class PushSecretReconciler implements Reconciler {
  readonly name = 'pushsecret';
  readonly #d: PushSecretDeps;
  constructor(deps: PushSecretDeps) {
    this.#d = deps;
  }

  async reconcile(key: ObjectKey, signal: AbortSignal): Promise<Result> {
    const ps = this.#d.pushSecrets.get(key);
    if (!ps) return { kind: 'done' };
    const log = lazyChild(this.#d.log, { key });
    const now = this.#d.clock.now();
    const finalizers = ps.metadata.finalizers ?? [];
    const hasFinalizer = finalizers.includes(PUSH_SECRET_FINALIZER);
    try {
      // ESO's deletionPolicy switch, before anything else.
      if (pushDeletionPolicyOf(ps) === 'Delete') {
        if (!ps.metadata.deletionTimestamp && !hasFinalizer) {
          await this.#d.kube.setFinalizers(ps, [...finalizers, PUSH_SECRET_FINALIZER]);
          return { kind: 'requeueAfter', ms: 0 };
        }
        if (ps.metadata.deletionTimestamp && hasFinalizer) return await this.#finalize(ps, log, signal);
      } else if (hasFinalizer) {
        await this.#d.kube.setFinalizers(ps, finalizers.filter((f) => f !== PUSH_SECRET_FINALIZER));
      }
    } catch (err) {
      if (err instanceof PushFailure) return this.#fail(ps, err, now, log);
      if (!(err instanceof ProjectorError)) throw err;
      log.warn({ code: err.code, err }, 'could not update the PushSecret finalizer; retrying');
      return resultFor(err.retry === 'never' ? new ProjectorError('KubeUnavailable', err.message) : err);
    }
    if (ps.metadata.deletionTimestamp) return { kind: 'done' };

    const change = this.#d.changes?.consume(key);
    const reason = pushRefreshReason(ps, now, change !== undefined);
    if (reason === 'up-to-date') {
      const ms = untilNextPush(ps, now, false);
      return ms === undefined ? { kind: 'done' } : { kind: 'requeueAfter', ms };
    }
    try {
      // ESO's validateDataToStoreRefs first, in its words; then Projector's static rules.
      assertDataToStoreRefs(ps);
      assertValidPushSecret(ps);
      const renderers = pushSecretUsesTemplates(ps) ? await this.#d.templates?.() : undefined;
      const sources = await this.#sources(ps, signal);
      if (sources === 'source-deleted') return await this.#sourceDeleted(ps, now, log, signal);
      const stores = this.#stores(ps);
      if (stores.length === 0) return { kind: 'done' };
      // ESO's validateDataToMatchesResolvedStores: a label-selecting dataTo entry must reach a store.
      assertDataToSelectorsMatch(ps, stores.map((s) => s.identity));
      // ESO's loop over resolveSecrets' Secrets (one for a name or a generator, each label-selected
      // one otherwise): template, then per store its items (spec.data and the dataTo entries for
      // that store), pushed; the synced maps merged (the later Secret's entries win).
      let synced: SyncedPushSecrets = {};
      for (const source of sources) {
        const data = await this.#applyTemplate(ps, source, renderers?.renderTemplate);
        const pushed: SyncedPushSecrets = {};
        for (const { key: storeKey, store, identity } of stores) {
          // ESO's handlePushSecretDataForStore: the store's entry exists before anything can fail,
          // and every failure is `set secret failed: …` with what was pushed so far recorded.
          pushed[storeKey] = {};
          const failed = (e: ProjectorError, text: string) => new PushFailure(e, `${e.code}: ${PushFailureText.setSecretFailed(text)}`, mergeSyncedState(pushed, ps.status?.syncedPushSecrets));
          let writer: SecretsWriter;
          try {
            writer = await this.#writer(ps, store, signal);
          } catch (e) {
            if (!(e instanceof ProjectorError)) throw e;
            throw failed(e, PushFailureText.storeClient(store.metadata.name, e.message));
          }
          let items;
          try {
            items = planPushItemsInOrder(ps, data, { store: identity, renderKeyTemplate: renderers?.renderKeyTemplate });
          } catch (e) {
            if (!(e instanceof ProjectorError)) throw e;
            throw failed(e, e.message);
          }
          for (const item of items) {
            if ('failure' in item) throw failed(item.failure, item.failure.message);
            const remoteKey = item.data.match.remoteRef.remoteKey;
            if (updatePolicyOf(ps) === 'IfNotExists') {
              let exists: boolean;
              try {
                exists = await writer.secretExists(remoteKey, signal);
              } catch (e) {
                if (!(e instanceof ProjectorError)) throw e;
                throw failed(e, PushFailureText.verifyExists(e.message));
              }
              if (exists) {
                log.debug({ store: storeKey, remoteKey }, 'remote secret exists; updatePolicy IfNotExists leaves it');
                pushed[storeKey]![item.statusRef] = recorded(item.data);
                continue;
              }
            }
            try {
              const outcome = await writer.pushSecret({ remoteKey, property: item.data.match.remoteRef.property, value: item.value, metadata: item.data.metadata, field: item.field }, signal);
              if (outcome !== 'unchanged') log.info({ store: storeKey, remoteKey, outcome }, 'pushed secret');
            } catch (e) {
              if (!(e instanceof ProjectorError)) throw e;
              throw failed(e, PushFailureText.writeRemoteRef(item.data.match.secretKey ?? '', store.metadata.name, e.message));
            }
            pushed[storeKey]![item.statusRef] = recorded(item.data);
          }
        }
        synced = mergeSyncedState(synced, pushed);
      }
      // ESO deletes (deletionPolicy Delete) inside that loop, against each Secret's own synced map,
      // so with no selected Secret nothing is deleted. Projector deletes once, against the merged
      // map: the same with spec.data alone (every Secret pushes the same items), and with dataTo
      // over Secrets holding different keys it does not delete what another Secret just pushed
      // (ESO's per-Secret pass does; a deliberate difference, docs/pushsecret.md).
      if (pushDeletionPolicyOf(ps) === 'Delete' && sources.length > 0) await this.#deleteRemoved(ps, synced, signal, log);
      await this.#d.kube.patchStatus(ps, pushStatusSynced(ps, synced, now));
      this.#d.events.normal(ps, PushReason.Synced, updatePolicyOf(ps) === 'IfNotExists' ? PushMessage.syncedIfNotExists : PushMessage.synced);
      const ms = untilNextPush(ps, now, true);
      return ms === undefined ? { kind: 'done' } : { kind: 'requeueAfter', ms };
    } catch (err) {
      // The change is not done with until a push succeeds.
      if (change) this.#d.changes?.mark(key, change.at, change.forced);
      if (err instanceof PushFailure) return this.#fail(ps, err, now, log);
      if (!(err instanceof ProjectorError)) throw err;
      return this.#fail(ps, new PushFailure(err, err.describe()), now, log);
    }
  }

  /**
   * ESO's resolveSecrets: the named Secret, the generator's output, or every Secret of the namespace
   * matching selector.secret.selector (listed from the API server, in name order; none is not an
   * error). `source-deleted` where ESO cleans up.
   */
  async #sources(ps: PushSecret, signal: AbortSignal): Promise<ReadonlyMap<string, SecretBytes>[] | 'source-deleted'> {
    const sel = ps.spec.selector;
    const ns = ps.metadata.namespace;
    // ESO's markAsFailed(errFailedGetSecret): "could not get source secret", whatever failed. A
    // generator's failure also names its cause (docs/design/000-overview.md, generators).
    const failed = (e: unknown, withCause: boolean) =>
      e instanceof ProjectorError ? new ProjectorError(e.code, withCause ? `${PushMessage.sourceNotFound}: ${e.message}` : PushMessage.sourceNotFound, e.details) : e;
    if (sel.secret?.name) {
      let secret;
      try {
        secret = await this.#d.kube.getSecret(ns, sel.secret.name);
      } catch (e) {
        throw failed(e, false);
      }
      if (secret) return [secret.data];
      // ESO: a named source gone, deletionPolicy Delete and something pushed → clean up the provider.
      const synced = ps.status?.syncedPushSecrets ?? {};
      if (pushDeletionPolicyOf(ps) === 'Delete' && Object.keys(synced).length > 0) return 'source-deleted';
      throw new ProjectorError('SourceNotFound', PushMessage.sourceNotFound, { field: 'spec.selector.secret.name' });
    }
    if (sel.generatorRef) {
      if (!this.#d.generate) throw new ProjectorError('NotSupported', `${PushMessage.sourceNotFound}: spec.selector.generatorRef: generator ${sel.generatorRef.kind} is not available in this build of Projector`, { field: 'spec.selector.generatorRef' });
      try {
        return [await this.#d.generate(ns, sel.generatorRef, signal)];
      } catch (e) {
        throw failed(e, true);
      }
    }
    try {
      const secrets = await this.#d.kube.listSecrets(ns, labelSelectorQuery(sel.secret!.selector!));
      return secrets.map((s) => s.data);
    } catch (e) {
      throw failed(e, false);
    }
  }

  /**
   * ESO's GetSecretStores + removeUnmanagedStores + the store manager's namespace conditions. A ref
   * with a labelSelector selects every store of its kind matching it (SecretStores in the
   * PushSecret's namespace, ClusterSecretStores cluster-wide), read from the informer cache at each
   * push, in name order; a name beside the selector is ignored, as in ESO. None matching is not an
   * error. A store named or selected twice is pushed to once.
   */
  #stores(ps: PushSecret): ResolvedStore[] {
    const ns = ps.metadata.namespace;
    const out: ResolvedStore[] = [];
    const seen = new Set<string>();
    for (const [i, ref] of ps.spec.secretStoreRefs.entries()) {
      const kind = ref.kind ?? 'SecretStore';
      const lister = kind === 'ClusterSecretStore' ? this.#d.clusterSecretStores : this.#d.secretStores;
      let candidates: { store: GenericStore }[];
      if (ref.labelSelector) {
        const sel = ref.labelSelector;
        candidates = lister
          .list()
          .filter((s) => (kind === 'ClusterSecretStore' || s.metadata.namespace === ns) && matchesLabelSelector(sel, s.metadata.labels ?? {}))
          .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0))
          .map((store) => ({ store }));
      } else {
        const name = ref.name!;
        const store = lister.get(storeKeyOf({ name, kind }, ns));
        const field = `spec.secretStoreRefs[${i}].name`;
        if (!store) throw new ProjectorError('StoreNotFound', PushFailureText.storeNotFound(kind, name), { field });
        candidates = [{ store }];
      }
      for (const { store } of candidates) {
        const key = pushStoreKey(kind, store.metadata.name);
        if (seen.has(key)) continue;
        seen.add(key);
        if (store.metadata.deletionTimestamp) continue; // ESO: "skipping SecretStore that is being deleted"
        if (!shouldProcessStore(store, this.#d.controllerClass, this.#d.exclusiveControllerClass)) continue;
        // A ClusterSecretStore's conditions are judged when it is pushed to (#writer), as ESO's store manager does.
        out.push({ key, store, identity: { kind, name: store.metadata.name, labels: store.metadata.labels ?? {} } });
      }
    }
    return out;
  }

  /**
   * ESO's store manager Get for a PushSecret (secretstore/client_manager.go): a store of another
   * controller class is refused ("can not reference unmanaged store"), a ClusterSecretStore whose
   * conditions do not admit the PushSecret's namespace too (errClusterStoreMismatch), then the
   * client is built. No flood gate: ESO's PushSecret controller builds its manager without one.
   * Messages are ESO's cause; callers wrap them in `could not get secrets client for store …`.
   */
  async #writer(ps: PushSecret, store: GenericStore, signal: AbortSignal): Promise<SecretsWriter> {
    const ns = ps.metadata.namespace;
    if (!shouldProcessStore(store, this.#d.controllerClass, this.#d.exclusiveControllerClass)) throw new ProjectorError('StoreNotAllowed', PushFailureText.unmanagedStore);
    if (store.kind === 'ClusterSecretStore' && !isStoreAllowed(store, ns, this.#d.namespaceLabels(ns)).allowed) {
      throw new ProjectorError('StoreNotAllowed', PushFailureText.clusterStoreMismatch(store.metadata.name, ns));
    }
    const client = await this.#d.clients.get(store, ns, signal);
    if (!client.writer) throw new ProjectorError('NotSupported', `${store.kind} ${store.metadata.name}: its provider cannot push secrets in Projector`, { field: 'spec.secretStoreRefs' });
    return client.writer;
  }

  /**
   * ESO's applyTemplate (pushsecret_controller_template.go): templateFrom, then template.data,
   * rendered over the source data (source keys kept, template keys win), with the ExternalSecret
   * template engine and its templateFrom reader (controller/template-sources.ts), so both kinds
   * resolve templates alike; messages name spec.template.
   */
  async #applyTemplate(ps: PushSecret, source: ReadonlyMap<string, SecretBytes>, renderTemplate: TemplateRenderer | undefined): Promise<ReadonlyMap<string, SecretBytes>> {
    const template = ps.spec.template;
    if (!template) return source;
    if (!renderTemplate) throw new ProjectorError('NotSupported', 'spec.template: no template engine in this driver', { field: 'spec.template' });
    const asEs = { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: ps.metadata, spec: { target: { template } } } as never;
    const rename = (t: string) => t.replaceAll('spec.target.template', 'spec.template');
    try {
      const sources = await readTemplateSources(this.#d.kube, asEs);
      const rendered = renderTemplate(asEs, source, sources);
      return new Map([...source, ...rendered.data]);
    } catch (e) {
      if (!(e instanceof ProjectorError)) throw e;
      throw new ProjectorError(e.code, rename(e.message), { ...e.details, ...(e.details.field && { field: rename(e.details.field) }) });
    }
  }

  /** ESO's DeleteSecretFromProviders for entries no longer pushed (deletionPolicy Delete). */
  async #deleteRemoved(ps: PushSecret, next: SyncedPushSecrets, signal: AbortSignal, log: Logger): Promise<void> {
    let state = mergeSyncedState(next, ps.status?.syncedPushSecrets);
    for (const del of pushDeletions(ps.status?.syncedPushSecrets, next)) {
      try {
        await this.#deleteOne(ps, del.storeKey, del.data, signal, log);
      } catch (e) {
        if (!(e instanceof ProjectorError)) throw e;
        throw new PushFailure(e, `${e.code}: ${PushFailureText.deleteFromProviders(e.message)}`, state);
      }
      const entries = { ...(state[del.storeKey] ?? {}) };
      delete entries[del.statusRef];
      state = { ...state, [del.storeKey]: entries };
    }
  }

  async #deleteOne(ps: PushSecret, storeKey: string, data: PushSecretData, signal: AbortSignal, log: Logger): Promise<void> {
    const ref = storeRefOfKey(storeKey);
    const kind = ref.kind === 'ClusterSecretStore' ? 'ClusterSecretStore' : 'SecretStore';
    const store = (kind === 'ClusterSecretStore' ? this.#d.clusterSecretStores : this.#d.secretStores).get(storeKeyOf(ref, ps.metadata.namespace));
    if (!store) throw new ProjectorError('StoreNotFound', PushFailureText.storeClient(storeKey, PushFailureText.storeNotFound(kind, ref.name)));
    // ESO deletes through its store manager (#writer), which refuses a store of another controller
    // class: another operator's (or dev's) PushSecret controller must never delete from a store it
    // does not serve.
    let writer: SecretsWriter;
    try {
      writer = await this.#writer(ps, store, signal);
    } catch (e) {
      if (!(e instanceof ProjectorError)) throw e;
      throw new ProjectorError(e.code, PushFailureText.storeClient(storeKey, e.message), e.details);
    }
    const outcome = await writer.deleteSecret(data.match.remoteRef.remoteKey, signal);
    if (outcome === 'not-managed') log.warn({ store: storeKey, remoteKey: data.match.remoteRef.remoteKey }, 'remote secret not deleted: it is not managed by external-secrets');
    else if (outcome === 'deleted') log.info({ store: storeKey, remoteKey: data.match.remoteRef.remoteKey }, 'deleted pushed secret (deletionPolicy Delete)');
  }

  /** PushSecret deleted with deletionPolicy Delete: every pushed secret goes, then the finalizer. */
  async #finalize(ps: PushSecret, log: Logger, signal: AbortSignal): Promise<Result> {
    await this.#deleteRemoved(ps, {}, signal, log);
    await this.#d.kube.setFinalizers(ps, (ps.metadata.finalizers ?? []).filter((f) => f !== PUSH_SECRET_FINALIZER));
    return { kind: 'done' };
  }

  async #sourceDeleted(ps: PushSecret, now: Date, log: Logger, signal: AbortSignal): Promise<Result> {
    log.info({ synced: Object.keys(ps.status?.syncedPushSecrets ?? {}).length }, 'source secret unavailable, cleaning up provider secrets');
    try {
      await this.#deleteRemoved(ps, {}, signal, log);
    } catch (e) {
      if (e instanceof PushFailure) throw new PushFailure(e.cause, `${e.cause.code}: ${PushFailureText.cleanupProviders(e.cause.message)}`, e.synced);
      throw e;
    }
    await this.#d.kube.patchStatus(ps, pushStatusSourceDeleted(ps, now));
    this.#d.events.normal(ps, PushReason.SourceDeleted, PushMessage.sourceDeleted);
    return { kind: 'done' };
  }

  async #fail(ps: PushSecret, f: PushFailure, now: Date, log: Logger): Promise<Result> {
    const e = f.cause;
    if (e.code === 'StoreAuthFailed' || e.code === 'VaultForbidden' || e.code === 'CredentialNotFound') this.#forgetClients(ps);
    log.warn({ code: e.code, field: e.details.field, httpStatus: e.details.httpStatus, err: e }, 'push failed');
    this.#d.events.warn(ps, PushReason.Errored, f.text);
    try {
      await this.#d.kube.patchStatus(ps, pushStatusFailed(ps, f.text, now, f.synced));
    } catch (statusErr) {
      log.warn({ err: statusErr }, 'could not record the failure in status');
      return { kind: 'retry', error: e.code };
    }
    return resultFor(e);
  }

  /** Drops the cached clients of every store the PushSecret names or selects by label, so new credentials are read. */
  #forgetClients(ps: PushSecret): void {
    const ns = ps.metadata.namespace;
    for (const ref of ps.spec.secretStoreRefs) {
      const kind = ref.kind ?? 'SecretStore';
      const sel = ref.labelSelector;
      const names = sel
        ? (kind === 'ClusterSecretStore' ? this.#d.clusterSecretStores : this.#d.secretStores).list().filter((s) => (kind === 'ClusterSecretStore' || s.metadata.namespace === ns) && matchesLabelSelector(sel, s.metadata.labels ?? {})).map((s) => s.metadata.name)
        : ref.name ? [ref.name] : [];
      for (const name of names) this.#d.clients.invalidate({ kind, metadata: { name, namespace: kind === 'SecretStore' ? ns : undefined } });
    }
  }

}

/** The data item as ESO records it in status (conversionStrategy defaulted by the CRD). */
function recorded(data: PushSecretData): PushSecretData {
  return { ...data, conversionStrategy: data.conversionStrategy ?? 'None' };
}
