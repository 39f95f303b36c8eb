import type { ExternalSecret, GenericStore, ObjectKey, SecretStoreRef } from '../../api/index.ts';
import { EventReason, FINALIZER_EXTERNALSECRET_CLEANUP, LABEL_MANAGED, Reason } from '../../api/constants.ts';
import { objectKey } from '../../api/object-key.ts';
import { fieldOwnerFor } from '../../core/field-owner.ts';
import { NotServedHere, servesExternalSecret, shouldProcessStore } from '../../core/controller-class.ts';
import { ProjectorError } from '../../core/errors.ts';
import type { ResolvedGenerator } from '../../core/generators.ts';
import { CREATED_BY_INDEX, createdByIndexValueFor, creationPolicyOf, deletionPolicyOf, storeKeyOf, targetNameOf, targetKeyOf } from '../../core/external-secret.ts';
import { planTargetSecret, type LiveSecret, type Plan, type TemplateSources } from '../../core/plan-target-secret.ts';
import { externalSecretUsesTemplates, type TemplateEngine } from '../../core/template-use.ts';
import { readTemplateSources } from '../template-sources.ts';
import { refreshReason, refreshWaveStart, untilNextRefresh, type LiveTargetMeta, type RefreshReason } from '../../core/refresh.ts';
import { isStoreAllowed } from '../../core/store-access.ts';
import { storeNotReady } from '../../core/store-readiness.ts';
import { validateExternalSecret } from '../../core/validate.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { Clock } from '../../platform/clock.ts';
import { lazyChild, type Logger } from '../../platform/logger.ts';
import type { SecretsClient } from '../../providers/provider.ts';
import type { ClientCache } from '../../sync/client-cache.ts';
import { fetchProviderData, type FetchOptions } from '../../sync/fetch-provider-data.ts';
import type { Change, ChangeTimes } from '../change-times.ts';
import type { EventSink } from '../events.ts';
import type { Lister } from '../lister.ts';
import { resultFor, type Reconciler, type Result } from '../reconciler.ts';
import { markFailed, sameStatus, statusAfter, statusAfterGeneric } from './status.ts';
import { GENERIC_TARGETS_DISABLED, genericTargetOf, isGenericTarget, liveGenericMeta, planGenericTarget, type GenericPlan, type GenericTargetRef } from '../../core/generic-target.ts';
import { issueText } from '../../core/issues.ts';

/** ESO's Normal event messages, verbatim (eventCreated, eventUpdated, eventDeleted, eventDeletedOrphaned). */
const EventMessage = {
  created: 'secret created',
  updated: 'secret updated',
  deleted: 'secret deleted due to DeletionPolicy=Delete',
  deletedOrphaned: 'secret deleted because it was orphaned',
} as const;

/** ESO's condition message when deleteOrphanedSecrets fails (msgErrorDeleteOrphaned). */
const MSG_ERROR_DELETE_ORPHANED = 'could not delete orphaned secrets';

/**
 * An API-server conflict on a write (HTTP 409, reason Conflict: a stale resourceVersion or a failed
 * precondition). ESO requeues at once through the rate limiter, with no condition and no event
 * (externalsecret_controller.go: `apierrors.IsConflict(err)` → `Result{Requeue: true}`). A create's
 * 409 AlreadyExists is not one (apierrors.IsConflict is false for it): ESO reports it as a failure.
 */
function isWriteConflict(e: ProjectorError): boolean {
  return e.code === 'KubeConflict' && e.details.remoteCode !== 'AlreadyExists';
}

export interface ExternalSecretDeps {
  externalSecrets: Lister<ExternalSecret>;
  secretStores: Lister<GenericStore>;
  clusterSecretStores: Lister<GenericStore>;
  namespaceLabels(namespace: string): Record<string, string> | undefined;
  /**
   * Managed Secrets' metadata and observed data hash (no values), keyed "ns/name", with the index
   * CREATED_BY_INDEX (core/external-secret.ts): the Secrets an ExternalSecret created as Owner.
   */
  managedSecrets: Lister<LiveTargetMeta>;
  kube: Pick<KubeClient, 'getSecret' | 'createSecret' | 'updateSecret' | 'deleteSecret' | 'patchStatus'> &
    Partial<Pick<KubeClient, 'setFinalizers' | 'labelSecretManaged' | 'getConfigMap' | 'getObject' | 'createObject' | 'updateObject' | 'deleteObject'>>;
  /**
   * ESO's `--unsafe-allow-generic-targets` (default false): write spec.target.manifest targets other
   * than v1 Secret (core/generic-target.ts) through `kube`'s object calls. Off, such an
   * ExternalSecret fails with ESO's "generic targets are disabled" (GenericTargetsDisabled).
   */
  allowGenericTargets?: boolean;
  /** The watches of generic target kinds (controller/generic-watches.ts); drivers without a cluster have none. */
  genericWatches?: { ensure(t: Pick<GenericTargetRef, 'group' | 'version' | 'kind'>, user: ObjectKey): void; release(t: Pick<GenericTargetRef, 'group' | 'version' | 'kind'>, user: ObjectKey): void };
  clients: ClientCache;
  events: EventSink;
  clock: Clock;
  log: Logger;
  /** This instance's controller class: it serves stores naming it and stores naming none (core/controller-class.ts). */
  controllerClass: string;
  /** Serve only stores naming `controllerClass` (core/controller-class.ts). */
  exclusiveControllerClass?: boolean | undefined;
  /**
   * ESO's `--enable-flood-gate`: read through a store only while its Ready condition is True
   * (core/store-readiness.ts). Every driver says: the operator passes its flag (default true);
   * `projector dev` on files has no store reconciler, so its stores never carry a status.
   */
  floodGate: boolean;
  /**
   * ESO's `--enable-cluster-store-reconciler` (default true): when false, an ExternalSecret whose
   * `secretStoreRef` names a ClusterSecretStore is left alone, status and all
   * (externalsecret_controller.go shouldSkipClusterSecretStore).
   */
  clusterStores?: boolean;
  /**
   * The template engine, awaited only by a sync whose ExternalSecret uses templates
   * (core/template-use.ts), so an operator without them never loads it. Without it a template
   * renders nothing and a rewrite transform fails as not supported.
   */
  templates?: TemplateEngine;
  /** The key renderer comes from `templates`. */
  fetchOptions?: Omit<FetchOptions, 'renderKeyTemplate'>;
  /** Changes seen by the watch handlers since the last reconcile of each key. */
  changes?: ChangeTimes;
}

/**
 * How old a shared vault read may be for this reconcile. After a user's change (spec, force-sync, a
 * store) only reads that started after the change will do; a periodic refresh shares the reads of
 * its own wave (since the grid point it belongs to); a first sync, reads since the ExternalSecret was
 * created. Either way N ExternalSecrets sharing M keys cost M reads (within the 60 s retention).
 */
export function maxReadAgeFor(es: ExternalSecret, reason: RefreshReason, change: Change | undefined, now: Date): number | undefined {
  if (reason === 'spec-changed' || reason === 'store-changed') return change ? Math.max(0, now.getTime() - change.at) : 0;
  if (reason === 'interval-elapsed') return now.getTime() - (refreshWaveStart(es, now) ?? now.getTime());
  // A first sync wants the value as of the ExternalSecret's creation, or later.
  const created = Date.parse(es.metadata.creationTimestamp ?? '');
  if (reason === 'never-synced' && Number.isFinite(created)) return Math.max(0, now.getTime() - created);
  return undefined;
}

/** Thrown inside a reconcile when the store (or a generator) belongs to another controller class: not ours to touch. */
const NotOurStore = NotServedHere;

/**
 * How long a reconcile waits for the watch cache to show the sync this process just recorded in
 * status, and how often it looks again (ms). The cache lags the API server by a few milliseconds
 * normally, seconds under load; past the grace the cached status is taken as it is (someone else
 * may have written it on purpose).
 */
const CACHE_CATCH_UP_GRACE_MS = 10_000;
const CACHE_CATCH_UP_RETRY_MS = 250;

/** The sync this process last wrote into an ExternalSecret's status: what the cache must show. */
interface WrittenSync {
  uid: string | undefined;
  /** The spec generation synced: a newer one in the cache is a change to act on, status or not. */
  generation: number | undefined;
  syncedResourceVersion: string;
  refreshTime: string;
  atMs: number;
}

export class ExternalSecretReconciler implements Reconciler {
  readonly name = 'externalsecret';
  readonly #d: ExternalSecretDeps;
  /** Per key, the sync last written to status, until the watch cache shows it (see #cacheBehind). */
  readonly #written = new Map<ObjectKey, WrittenSync>();
  constructor(deps: ExternalSecretDeps) {
    this.#d = deps;
  }

  async reconcile(key: ObjectKey, signal: AbortSignal): Promise<Result> {
    const es = this.#d.externalSecrets.get(key);
    if (!es) {
      this.#written.delete(key);
      return { kind: 'done' };
    }
    if (es.metadata.deletionTimestamp) return this.#finalize(es);
    if (this.#cacheBehind(key, es)) return { kind: 'requeueAfter', ms: CACHE_CATCH_UP_RETRY_MS };
    try {
      await this.#ensureFinalizer(es);
    } catch (err) {
      if (!(err instanceof ProjectorError)) throw err;
      // A conflict means a newer ExternalSecret is on its way through the watch; anything else backs off
      // and is logged as an error, as controller-runtime logs ESO's failed finalizer update
      // ("Reconciler error"): a refused patch (RBAC) must not retry silently forever.
      if (err.code === 'KubeConflict') this.#d.log.debug({ key, code: err.code }, 'could not add the cleanup finalizer yet');
      else this.#d.log.error({ key, code: err.code, httpStatus: err.details.httpStatus, err }, 'could not add the cleanup finalizer; retrying with backoff');
      return resultFor(err);
    }
    if (this.#d.clusterStores === false && es.spec.secretStoreRef?.kind === 'ClusterSecretStore') {
      this.#d.log.debug({ key }, 'skipping the ExternalSecret: serving ClusterSecretStores is turned off (--enable-cluster-store-reconciler=false)');
      return { kind: 'done' };
    }
    // ESO's shouldSkipUnmanagedStore, before anything is read or written for this ExternalSecret
    // (the managed label included, and a generic target): every store it names, read or not. Its
    // generators are judged below, before the first read or write that needs them (each costs a GET).
    if (!this.#storesServedHere(es)) {
      this.#d.log.debug({ key }, 'skipping the ExternalSecret: a store it names belongs to another controller class');
      return { kind: 'done' };
    }
    if (isGenericTarget(es)) return this.#reconcileGeneric(es, key, signal);
    const now = this.#d.clock.now();
    const change = this.#d.changes?.consume(key);
    const reason = refreshReason(es, this.#d.managedSecrets.get(targetKeyOf(es)), now, change?.forced ?? false);
    if (reason === 'up-to-date') return this.#upToDate(es, now, signal);
    if (reason === 'sync-window-closed') {
      // ESO: a V(1) log line and nothing else (no condition, event or status change); the managed
      // label it patches before deciding is still patched.
      this.#d.log.debug({ key, kind: es.spec.syncWindows?.kind }, 'periodic refresh blocked by spec.syncWindows');
      return this.#upToDate(es, now, signal);
    }

    const log = lazyChild(this.#d.log, { key, reason });
    // ESO's updateSecret names the existing target in status.binding before it mutates it, so a
    // failure while planning or writing an existing Secret still binds it.
    let bindsTarget = false;
    // Whether this sync has read the target (and so labelled it, #labelManaged) or created it.
    let targetSeen = false;
    try {
      const judged = await this.#judgeGenerators(es, signal);
      this.#assertValid(es);
      const maxReadAgeMs = maxReadAgeFor(es, reason, change, now);
      const renderers = externalSecretUsesTemplates(es) ? await this.#d.templates?.() : undefined;
      const fetched = await fetchProviderData(es, (ref, field, s) => this.#clientFor(es, ref, field, s, maxReadAgeMs), signal, this.#fetchOptions(renderers, judged));
      this.#reportMissing(es, fetched.missing);
      // ESO: under creationPolicy Owner, Secrets this ExternalSecret created under another name (a
      // changed spec.target.name) go before the target is written; not when the provider returned no
      // data and deletionPolicy Delete or Retain ends the sync first.
      if (creationPolicyOf(es) === 'Owner' && (fetched.data.size > 0 || deletionPolicyOf(es) === 'Merge')) await this.#deleteOrphans(es, log);
      const planFor = (live: LiveSecret | undefined, templateSources: TemplateSources | undefined) => planTargetSecret({ es, data: fetched.data, allMissing: fetched.allMissing, live, renderTemplate: renderers?.renderTemplate, templateSources });
      let plan = await this.#createIfAbsent(es, async () => planFor(undefined, await this.#readTemplateSources(es)), log);
      targetSeen = plan !== undefined;
      if (!plan) {
        const live = await this.#labelManaged(es, await this.#d.kube.getSecret(es.metadata.namespace, targetNameOf(es)));
        targetSeen = true;
        bindsTarget = live !== undefined && creationPolicyOf(es) !== 'None';
        plan = planFor(live, await this.#readTemplateSources(es));
        await this.#applyPlan(es, plan, log);
      }
      await this.#writeStatus(es, statusAfter(es, plan, now));
      return this.#scheduleNext(es, now, now);
    } catch (err) {
      if (err instanceof NotOurStore) return { kind: 'done' };
      // The change is not done with until a sync succeeds: the retry must still see it.
      if (change) this.#d.changes?.mark(key, change.at, change.forced);
      if (!(err instanceof ProjectorError)) throw err; // a bug: the worker logs its stack and backs off
      // ESO has labelled an existing target before its sync starts, so it is labelled whatever failed.
      if (!targetSeen) await this.#labelAfterFailure(es, log);
      if (isWriteConflict(err)) {
        // The cache is behind the Secret (or the ExternalSecret): look again through the rate
        // limiter, status and events untouched, as ESO does.
        log.debug({ code: err.code, err }, 'conflict while writing the target Secret; requeued');
        return { kind: 'retry' };
      }
      return this.#reportFailure(es, err, now, log, bindsTarget);
    }
  }

  /**
   * A generic target (spec.target.manifest other than v1 Secret), ESO's reconcileGenericTarget:
   * refused with ESO's text unless --unsafe-allow-generic-targets; else the live object is read
   * (unless creationPolicy None), the refresh decided from it (core/refresh.ts, the content hash of
   * core/generic-target.ts), the provider read, and the plan carried out. Failures carry ESO's
   * reason ResourceSyncedError (SecretSyncedError for the disabled flag, as ESO's validation);
   * a write conflict is retried after 1 s without status, as ESO does.
   */
  async #reconcileGeneric(es: ExternalSecret, key: ObjectKey, signal: AbortSignal): Promise<Result> {
    const now = this.#d.clock.now();
    const change = this.#d.changes?.consume(key);
    const target = genericTargetOf(es)!;
    const log = lazyChild(this.#d.log, { key, target: `${target.apiVersion}/${target.kind}` });
    try {
      // ESO judges the generators' controller class before the generic path's own checks.
      const judged = await this.#judgeGenerators(es, signal);
      this.#assertValid(es);
      if (!this.#d.allowGenericTargets) throw new ProjectorError('GenericTargetsDisabled', GENERIC_TARGETS_DISABLED, { field: 'spec.target.manifest' });
      const kube = this.#genericKube();
      const creation = creationPolicyOf(es);
      const live = creation !== 'None' ? await kube.getObject(target) : undefined;
      const reason = refreshReason(es, live && liveGenericMeta(live), now, change?.forced ?? false);
      if (reason === 'up-to-date') {
        // Projector starts the kind's watch here too (ESO only after a sync), so drift after a restart is repaired at once.
        if (creation !== 'None') this.#d.genericWatches?.ensure(target, key);
        return this.#scheduleNext(es, now);
      }
      // ESO logs this warning at every sync of a generic target (validateGenericTarget).
      log.debug({ reason }, 'Warning: Using generic target. Make sure access policies and encryption are properly configured.');
      const maxReadAgeMs = maxReadAgeFor(es, reason, change, now);
      const renderers = externalSecretUsesTemplates(es) ? await this.#d.templates?.() : undefined;
      const fetched = await fetchProviderData(es, (ref, field, s) => this.#clientFor(es, ref, field, s, maxReadAgeMs), signal, this.#fetchOptions(renderers, judged));
      this.#reportMissing(es, fetched.missing);
      const plan = planGenericTarget({ es, data: fetched.data, live, renderTemplate: renderers?.renderGenericTemplate, templateSources: await this.#readTemplateSources(es) });
      await this.#applyGenericPlan(es, plan, log);
      if (creation !== 'None') this.#d.genericWatches?.ensure(target, key);
      await this.#writeStatus(es, statusAfterGeneric(es, plan, now));
      return this.#scheduleNext(es, now, now);
    } catch (err) {
      if (err instanceof NotOurStore) return { kind: 'done' };
      if (change) this.#d.changes?.mark(key, change.at, change.forced);
      if (!(err instanceof ProjectorError)) throw err;
      if (isWriteConflict(err)) {
        log.debug({ code: err.code, err }, 'conflict while writing the target object; requeued');
        return { kind: 'requeueAfter', ms: 1_000 };
      }
      return this.#reportFailure(es, err, now, log, false, err.code === 'GenericTargetsDisabled' ? Reason.SecretSyncedError : Reason.ResourceSyncedError);
    }
  }

  #genericKube(): Required<Pick<ExternalSecretDeps['kube'], 'getObject' | 'createObject' | 'updateObject' | 'deleteObject'>> {
    const { getObject, createObject, updateObject, deleteObject } = this.#d.kube;
    if (!getObject || !createObject || !updateObject || !deleteObject) throw new ProjectorError('NotSupported', 'this driver cannot write generic targets (spec.target.manifest)', { field: 'spec.target.manifest' });
    const kube = this.#d.kube;
    return { getObject: getObject.bind(kube), createObject: createObject.bind(kube), updateObject: updateObject.bind(kube), deleteObject: deleteObject.bind(kube) };
  }

  /** Carries out a generic plan with ESO's events: `Created <Kind> <name>`, `Updated …` (at every sync that writes), `Deleted …`. */
  async #applyGenericPlan(es: ExternalSecret, plan: GenericPlan, log: Logger): Promise<void> {
    const kube = this.#genericKube();
    switch (plan.action) {
      case 'create': {
        const rv = await kube.createObject(plan.target, plan.object);
        log.info({ resourceVersion: rv }, 'created target object');
        this.#d.events.normal(es, EventReason.Created, `Created ${plan.target.kind} ${plan.target.name}`);
        return;
      }
      case 'update': {
        // ESO updates the object at every sync; an update that would change nothing is left out
        // (the API server would keep the object as it is), its event is not.
        if (plan.changed) {
          const rv = await kube.updateObject(plan.target, plan.object);
          log.info({ resourceVersion: rv }, 'updated target object');
        } else log.debug('target object already up to date');
        this.#d.events.normal(es, EventReason.Updated, `Updated ${plan.target.kind} ${plan.target.name}`);
        return;
      }
      case 'delete':
        if (plan.exists) {
          await kube.deleteObject(plan.target, plan.uid);
          log.info('deleted target object: the provider returned no data (deletionPolicy Delete)');
        }
        // ESO records it whether or not the object existed (deleteGenericResource).
        this.#d.events.normal(es, EventReason.Deleted, `Deleted ${plan.target.kind} ${plan.target.name}`);
        return;
      case 'retain':
        log.debug('the provider returned no data: target object retained (deletionPolicy Retain)');
        return;
      case 'wait-for-target':
        log.debug('target object does not exist; creationPolicy Merge waits for it');
        return;
      case 'skip':
        log.debug('target object not written (creationPolicy None)');
    }
  }

  /**
   * The driver's fetch options for one sync: the template engine's key renderer when loaded, and
   * each generator judged up front (#judgeGenerators) run from that reading, so a generator costs
   * one GET per sync.
   */
  #fetchOptions(renderers: { renderKeyTemplate: FetchOptions['renderKeyTemplate'] } | undefined, judged: ReadonlyMap<string, ResolvedGenerator>): FetchOptions {
    const generate = this.#d.fetchOptions?.generate;
    return {
      ...this.#d.fetchOptions,
      ...(renderers && { renderKeyTemplate: renderers.renderKeyTemplate }),
      ...(generate && { generate: (ref, ns, field, s) => generate(ref, ns, field, s, judged.get(field)) }),
    };
  }

  /**
   * ESO's Normal `MissingProviderSecret` event for each item the provider says does not exist, where
   * the deletionPolicy lets the sync go on without it (GetProviderSecretData). ESO's text names data
   * items as `spec.dataFrom[i] (key=…)`; Projector names them `spec.data[i] (key=…)`.
   */
  #reportMissing(es: ExternalSecret, missing: readonly string[]): void {
    for (const field of missing) {
      const item = /^spec\.data\[(\d+)\]$/.exec(field);
      const key = item ? es.spec.data?.[Number(item[1])]?.remoteRef.key : undefined;
      this.#d.events.normal(es, EventReason.MissingProviderSecret, `secret does not exist at provider using ${field}${key !== undefined ? ` (key=${key})` : ''}`);
    }
  }

  /**
   * A target absent from the managed-Secret cache is most likely absent (a first sync): when the plan
   * for an absent target is a create, the create is sent without reading the target first, and only
   * an AlreadyExists answer (an existing Secret without the managed label, or one the cache has not
   * seen yet) falls back to reading it and planning again. Saves the GET that answers 404 on every
   * first sync (1 of ~5 API requests). Returns the plan carried out, or undefined to read and plan.
   * `planAbsent` plans for an absent target (template sources included); when it fails, the failure
   * is left to the read-then-plan path, which binds an existing target before it fails as ESO does.
   */
  async #createIfAbsent(es: ExternalSecret, planAbsent: () => Promise<Plan>, log: Logger): Promise<Plan | undefined> {
    if (this.#d.managedSecrets.get(targetKeyOf(es)) !== undefined) return undefined;
    let plan: Plan;
    try {
      plan = await planAbsent();
    } catch {
      return undefined; // judged against the live target below, as every other plan is
    }
    if (plan.action !== 'create') return undefined;
    try {
      await this.#applyPlan(es, plan, log);
      return plan;
    } catch (err) {
      if (err instanceof ProjectorError && err.details.httpStatus === 409) {
        log.debug({ target: `${es.metadata.namespace}/${targetNameOf(es)}` }, 'target Secret exists without the managed label; reading it');
        return undefined;
      }
      throw err;
    }
  }

  /**
   * ESO deleteOrphanedSecrets: every Secret in the namespace carrying this ExternalSecret's created-by
   * label whose name is not the current target is deleted, with a Normal `Deleted` event each (sent
   * also when it was already gone). The candidates come from the managed-Secret cache (every Secret
   * ESO labels created-by also carries the managed label); each is deleted only as the cache saw it
   * (UID precondition). A failure fails the sync with ESO's "could not delete orphaned secrets".
   */
  async #deleteOrphans(es: ExternalSecret, log: Logger): Promise<void> {
    const target = targetNameOf(es);
    for (const orphan of this.#d.managedSecrets.byIndex(CREATED_BY_INDEX, createdByIndexValueFor(es))) {
      const name = orphan.metadata.name;
      if (!name || name === target) continue;
      try {
        await this.#d.kube.deleteSecret(es.metadata.namespace, name, undefined, orphan.metadata.uid);
      } catch (err) {
        if (!(err instanceof ProjectorError) || isWriteConflict(err)) throw err;
        throw new ProjectorError(err.code, `${MSG_ERROR_DELETE_ORPHANED}: ${err.message}`, err.details);
      }
      log.info({ orphan: `${es.metadata.namespace}/${name}`, target: `${es.metadata.namespace}/${target}` }, 'deleted orphaned secret');
      this.#d.events.normal(es, EventReason.Deleted, EventMessage.deletedOrphaned);
    }
  }

  /** templateFrom's ConfigMaps and Secrets (controller/template-sources.ts, shared with PushSecret). */
  #readTemplateSources(es: ExternalSecret): Promise<TemplateSources | undefined> {
    return readTemplateSources(this.#d.kube, es);
  }

  /** An existing target without ESO's managed label gets it first, as ESO patches it on (Reconcile). */
  async #labelManaged(es: ExternalSecret, live: LiveSecret | undefined): Promise<LiveSecret | undefined> {
    if (!live || live.metadata.labels?.[LABEL_MANAGED] === 'true' || !this.#d.kube.labelSecretManaged) return live;
    return this.#d.kube.labelSecretManaged(es.metadata.namespace, targetNameOf(es), fieldOwnerFor(es.metadata.name));
  }

  /**
   * ESO's Reconcile patches the managed label onto an existing target that lacks it (field owner: the
   * ExternalSecret's field manager) right after its controller-class skips, before it decides whether
   * to refresh and before any store is read (externalsecret_controller.go, "if the secret exists but
   * does not have the managed label"): whatever the creationPolicy, and whether or not the sync
   * that follows succeeds. Projector reads the target only where a sync needs it (#labelManaged on
   * the read path; a first sync creates without reading, #createIfAbsent), so this is the rest:
   * after a failed sync that had not read the target, and on an up-to-date reconcile (#upToDate).
   * A target in the managed-Secret cache carries the label already (the operator's cache is
   * label-selected), so only a target absent from it costs a GET. None for a target that is not a
   * Secret (ESO's generic targets label nothing here) or where Secrets carry no labels (dev on files).
   */
  async #labelIfUnmanaged(es: ExternalSecret): Promise<void> {
    if (!this.#mayBeUnlabelled(es)) return;
    await this.#labelManaged(es, await this.#d.kube.getSecret(es.metadata.namespace, targetNameOf(es)));
  }

  /** Could the target exist without the managed label? (See #labelIfUnmanaged.) */
  #mayBeUnlabelled(es: ExternalSecret): boolean {
    return this.#d.kube.labelSecretManaged !== undefined && !isGenericTarget(es) && this.#d.managedSecrets.get(targetKeyOf(es)) === undefined;
  }

  /** #labelIfUnmanaged after a failed sync: its own failure is logged, and the sync's is what is reported. */
  async #labelAfterFailure(es: ExternalSecret, log: Logger): Promise<void> {
    try {
      await this.#labelIfUnmanaged(es);
    } catch (err) {
      if (!(err instanceof ProjectorError)) throw err;
      log.warn({ code: err.code, err }, 'could not add the managed label to the existing target Secret');
    }
  }

  /**
   * A reconcile with nothing to refresh. Only creationPolicy Orphan and None are up to date without
   * their target in the managed-Secret cache (core/refresh.ts); an existing target of theirs without
   * the label gets it, as ESO labels it on every reconcile (#labelIfUnmanaged), once the
   * ExternalSecret's generators are known to be this instance's (ESO judges them first).
   */
  async #upToDate(es: ExternalSecret, now: Date, signal: AbortSignal): Promise<Result> {
    if (this.#mayBeUnlabelled(es)) {
      try {
        await this.#judgeGenerators(es, signal);
        await this.#labelIfUnmanaged(es);
      } catch (err) {
        if (err instanceof NotOurStore) return { kind: 'done' };
        if (!(err instanceof ProjectorError)) throw err;
        // ESO returns the failed patch to controller-runtime: retried with backoff, status untouched.
        this.#d.log.warn({ key: `${es.metadata.namespace}/${es.metadata.name}`, code: err.code, err }, 'could not add the managed label to the existing target Secret; retrying');
        return { kind: 'retry', error: err.code };
      }
    }
    return this.#scheduleNext(es, now);
  }

  /**
   * ESO's shouldSkipUnmanagedStore for stores: false when any store the ExternalSecret names
   * (`spec.secretStoreRef`, `data[].sourceRef.storeRef`, `dataFrom[].sourceRef.storeRef`, whether
   * or not the item reads from it) exists and belongs to another controller class
   * (core/controller-class.ts). A store that does not exist is passed over here: the sync names it.
   * From the watch caches, so free.
   */
  #storesServedHere(es: ExternalSecret): boolean {
    const find = (kind: string | undefined, key: ObjectKey) => (kind === 'ClusterSecretStore' ? this.#d.clusterSecretStores : this.#d.secretStores).get(key);
    return servesExternalSecret(es, find, this.#d.controllerClass, this.#d.exclusiveControllerClass);
  }

  /**
   * ESO's shouldSkipUnmanagedStore for generators: every `dataFrom[].sourceRef.generatorRef` is read
   * (sync/generate.ts resolveGeneratorRef) before anything is read from a store or written, and one
   * of another controller class throws NotOurStore. One that cannot be read or resolved is passed
   * over, as ESO passes it over; running it reports why. Returns what was read, by item field
   * (`spec.dataFrom[i]`), for the sync to run from. Without the driver's `resolveGenerator`, the
   * class is judged only when a generator runs.
   */
  async #judgeGenerators(es: ExternalSecret, signal: AbortSignal): Promise<Map<string, ResolvedGenerator>> {
    const judged = new Map<string, ResolvedGenerator>();
    const resolve = this.#d.fetchOptions?.resolveGenerator;
    if (!resolve) return judged;
    const dataFrom = es.spec.dataFrom ?? [];
    for (let i = 0; i < dataFrom.length; i++) {
      const ref = dataFrom[i]!.sourceRef?.generatorRef;
      if (!ref) continue;
      const field = `spec.dataFrom[${i}]`;
      try {
        judged.set(field, await resolve(ref, es.metadata.namespace, field, signal));
      } catch (err) {
        if (err instanceof NotOurStore || !(err instanceof ProjectorError)) throw err;
      }
    }
    return judged;
  }

  #scheduleNext(es: ExternalSecret, now: Date, lastRefresh?: Date): Result {
    const ms = untilNextRefresh(es, now, lastRefresh);
    return ms === undefined ? { kind: 'done' } : { kind: 'requeueAfter', ms };
  }

  #assertValid(es: ExternalSecret): void {
    const first = validateExternalSecret(es).find((i) => i.severity === 'error');
    if (first) {
      const code = first.code === 'NotSupported' ? 'NotSupported' : 'InvalidSpec';
      throw new ProjectorError(code, issueText(first), { field: first.path });
    }
  }

  async #clientFor(es: ExternalSecret, ref: SecretStoreRef | undefined, field: string, signal: AbortSignal, maxReadAgeMs: number | undefined): Promise<SecretsClient> {
    // The spec path of the reference that names the store: an item's own sourceRef, else spec.secretStoreRef.
    const refField = ref ? `${field}.sourceRef.storeRef.name` : 'spec.secretStoreRef.name';
    const store = this.#resolveStore(es, ref ?? es.spec.secretStoreRef, field, refField);
    // After the class and namespace checks, before any client is built: ESO's Manager.Get order.
    const closed = this.#d.floodGate ? storeNotReady(store, refField) : undefined;
    if (closed) throw closed;
    return this.#d.clients.get(store, es.metadata.namespace, signal, maxReadAgeMs);
  }

  #resolveStore(es: ExternalSecret, ref: SecretStoreRef | undefined, field: string, refField: string): GenericStore {
    const ns = es.metadata.namespace;
    if (!ref) throw new ProjectorError('InvalidSpec', `${field} has no store: set spec.secretStoreRef or a sourceRef.storeRef`, { field });
    const kind = ref.kind ?? 'SecretStore';
    const lister = kind === 'ClusterSecretStore' ? this.#d.clusterSecretStores : this.#d.secretStores;
    const store = lister.get(storeKeyOf(ref, ns));
    if (!store) {
      const where = kind === 'SecretStore' ? ` in namespace "${ns}"` : '';
      throw new ProjectorError('StoreNotFound', `${kind} "${ref.name}" not found${where}`, { field: refField });
    }
    if (!shouldProcessStore(store, this.#d.controllerClass, this.#d.exclusiveControllerClass)) throw new NotOurStore();
    if (kind === 'ClusterSecretStore') {
      const access = isStoreAllowed(store, ns, this.#d.namespaceLabels(ns));
      if (!access.allowed) throw new ProjectorError('StoreNotAllowed', access.reason, { field: refField });
    }
    return store;
  }

  /**
   * ESO adds its cleanup finalizer to every ExternalSecret it sees (so a Secret under deletionPolicy
   * Delete goes with it, and ExternalSecrets ESO finalized are released here after a migration).
   * Drivers without an API server (dev on files) have no finalizers.
   */
  async #ensureFinalizer(es: ExternalSecret): Promise<void> {
    const finalizers = es.metadata.finalizers ?? [];
    if (!this.#d.kube.setFinalizers || finalizers.includes(FINALIZER_EXTERNALSECRET_CLEANUP)) return;
    await this.#d.kube.setFinalizers(es as ExternalSecret & { metadata: { name: string } }, [...finalizers, FINALIZER_EXTERNALSECRET_CLEANUP]);
  }

  /**
   * An ExternalSecret being deleted: under deletionPolicy Delete its own Secret goes first (ESO
   * cleanupManagedSecrets: only one this ExternalSecret controls, by UID), then the finalizer.
   */
  async #finalize(es: ExternalSecret): Promise<Result> {
    const finalizers = es.metadata.finalizers ?? [];
    if (!this.#d.kube.setFinalizers || !finalizers.includes(FINALIZER_EXTERNALSECRET_CLEANUP)) return { kind: 'done' };
    const log = lazyChild(this.#d.log, { key: `${es.metadata.namespace}/${es.metadata.name}` });
    try {
      const generic = genericTargetOf(es);
      if (generic) await this.#finalizeGeneric(es, generic, log);
      else if (deletionPolicyOf(es) === 'Delete') {
        const live = await this.#d.kube.getSecret(es.metadata.namespace, targetNameOf(es));
        const controller = live?.metadata.ownerReferences?.find((o) => o.controller);
        if (live && controller?.kind === 'ExternalSecret' && controller.uid === es.metadata.uid) {
          await this.#d.kube.deleteSecret(es.metadata.namespace, targetNameOf(es), undefined, live.metadata.uid);
          log.info({ target: `${es.metadata.namespace}/${targetNameOf(es)}` }, 'deleted managed secret: ExternalSecret deleted (deletionPolicy Delete)');
        }
      }
      await this.#d.kube.setFinalizers(es as ExternalSecret & { metadata: { name: string } }, finalizers.filter((f) => f !== FINALIZER_EXTERNALSECRET_CLEANUP));
    } catch (err) {
      if (!(err instanceof ProjectorError)) throw err;
      log.warn({ code: err.code, err }, 'could not finish deleting the ExternalSecret; retrying');
      return resultFor(err.retry === 'never' ? new ProjectorError('KubeUnavailable', err.message) : err);
    }
    return { kind: 'done' };
  }

  /**
   * ESO cleanupManagedSecrets + ReleaseInformer for a generic target: under deletionPolicy Delete,
   * with the flag on, the target object goes (a Normal `Deleted <Kind> <name>` event), only when this
   * ExternalSecret controls it (ESO deletes whatever has the name); the kind's watch loses a user.
   */
  async #finalizeGeneric(es: ExternalSecret, target: GenericTargetRef, log: Logger): Promise<void> {
    if (deletionPolicyOf(es) === 'Delete' && this.#d.allowGenericTargets) {
      const kube = this.#genericKube();
      const live = await kube.getObject(target);
      const controller = live?.metadata.ownerReferences?.find((o) => o.controller);
      if (live && controller?.kind === 'ExternalSecret' && controller.uid === es.metadata.uid) {
        await kube.deleteObject(target, live.metadata.uid);
        log.info({ target: `${target.kind} ${target.namespace}/${target.name}` }, 'deleted target object: ExternalSecret deleted (deletionPolicy Delete)');
        this.#d.events.normal(es, EventReason.Deleted, `Deleted ${target.kind} ${target.name}`);
      }
    }
    this.#d.genericWatches?.release(target, objectKey(es.metadata.namespace, es.metadata.name));
  }

  async #applyPlan(es: ExternalSecret, plan: Plan, log: Logger): Promise<void> {
    const target = `${es.metadata.namespace}/${targetNameOf(es)}`;
    switch (plan.action) {
      case 'create': {
        const rv = await this.#d.kube.createSecret(plan.secret);
        log.info({ target, resourceVersion: rv, keys: plan.secret.data.size }, 'created target Secret');
        this.#d.events.normal(es, EventReason.Created, EventMessage.created);
        return;
      }
      case 'update': {
        const rv = await this.#d.kube.updateSecret(plan.secret);
        log.info({ target, resourceVersion: rv, keys: plan.secret.data.size }, plan.thenFail ? 'updated target Secret metadata' : 'updated target Secret');
        if (plan.thenFail) throw plan.thenFail;
        this.#d.events.normal(es, EventReason.Updated, EventMessage.updated);
        return;
      }
      case 'recreate': {
        // Only the Secret that was planned from (UID and resourceVersion preconditions) is deleted.
        await this.#d.kube.deleteSecret(plan.secret.namespace, plan.secret.name, plan.previous.resourceVersion, plan.previous.uid);
        const rv = await this.#d.kube.createSecret(plan.secret);
        log.info({ target, resourceVersion: rv, from: plan.previous.type, to: plan.secret.type }, 'recreated target Secret: its type changed');
        this.#d.events.normal(es, EventReason.Updated, `secret recreated: type ${plan.previous.type} changed to ${plan.secret.type}`);
        return;
      }
      case 'delete':
        if (!plan.exists) return;
        await this.#d.kube.deleteSecret(plan.namespace, plan.name, plan.resourceVersion);
        log.info({ target }, 'deleted target Secret: every remote secret is gone (deletionPolicy Delete)');
        this.#d.events.normal(es, EventReason.Deleted, EventMessage.deleted);
        return;
      case 'retain':
        log.debug({ target }, 'the provider returned no data: target Secret retained (deletionPolicy Retain)');
        return;
      case 'wait-for-target':
        log.debug({ target }, 'target Secret does not exist; creationPolicy Merge waits for it');
        return;
      case 'unchanged':
        log.debug({ target }, 'target Secret already up to date');
        return;
      case 'skip':
        log.debug({ target, why: plan.reason }, 'target Secret not written');
    }
  }

  async #writeStatus(es: ExternalSecret, status: ExternalSecret['status']): Promise<void> {
    if (sameStatus(es.status, status)) return;
    await this.#d.kube.patchStatus(es, status);
    const synced = status?.syncedResourceVersion;
    const refreshTime = status?.refreshTime;
    if (synced && refreshTime && (synced !== es.status?.syncedResourceVersion || refreshTime !== es.status?.refreshTime)) {
      this.#written.set(objectKey(es.metadata.namespace, es.metadata.name), { uid: es.metadata.uid, generation: es.metadata.generation, syncedResourceVersion: synced, refreshTime, atMs: this.#d.clock.now().getTime() });
    }
  }

  /**
   * True while the watch cache still holds an ExternalSecret from before the sync this process
   * recorded in its status. Its event (the target Secret created, a finalizer added) can arrive
   * first; judged on that copy a first sync looks "never synced" and runs again — a CreatedOnce
   * Password generator would then replace the password it just wrote. controller-runtime (and so
   * ESO) reconciles from such a copy; Projector waits up to CACHE_CATCH_UP_GRACE_MS for the cache.
   */
  #cacheBehind(key: ObjectKey, es: ExternalSecret): boolean {
    const w = this.#written.get(key);
    if (!w) return false;
    const caughtUp =
      w.uid !== es.metadata.uid ||
      w.generation !== es.metadata.generation ||
      (es.status?.syncedResourceVersion === w.syncedResourceVersion && es.status?.refreshTime === w.refreshTime);
    if (caughtUp || this.#d.clock.now().getTime() - w.atMs >= CACHE_CATCH_UP_GRACE_MS) {
      this.#written.delete(key);
      return false;
    }
    return true;
  }

  async #reportFailure(es: ExternalSecret, e: ProjectorError, now: Date, log: Logger, bindsTarget: boolean, reason: string = Reason.SecretSyncedError): Promise<Result> {
    if (e.code === 'StoreAuthFailed' || e.code === 'VaultForbidden' || e.code === 'CredentialNotFound') this.#forgetClients(es);
    log.warn({ code: e.code, field: e.details.field, httpStatus: e.details.httpStatus, err: e }, 'sync failed; target Secret left as it was');
    this.#d.events.warn(es, EventReason.UpdateFailed, e.describe());
    try {
      await this.#writeStatus(es, markFailed(es, e, now, bindsTarget ? targetNameOf(es) : undefined, reason));
    } catch (statusErr) {
      // The API server itself may be what failed; the retry below covers both.
      log.warn({ err: statusErr }, 'could not record the failure in status');
      return { kind: 'retry', error: e.code };
    }
    return resultFor(e);
  }

  /** Credentials may have been rotated: rebuild the store's clients on the next attempt. */
  #forgetClients(es: ExternalSecret): void {
    const ref = es.spec.secretStoreRef;
    if (!ref) return;
    const kind = ref.kind ?? 'SecretStore';
    const ns = kind === 'SecretStore' ? es.metadata.namespace : undefined;
    this.#d.clients.invalidate({ kind, metadata: { name: ref.name, namespace: ns } });
  }
}

