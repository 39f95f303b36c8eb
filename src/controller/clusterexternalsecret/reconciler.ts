// ClusterExternalSecret: one ExternalSecret per selected namespace, in ESO's order of steps
// (pkg/controllers/clusterexternalsecret/clusterexternalsecret_controller.go Reconcile): finalizer,
// rename cleanup, namespace selection, removal where no longer selected, then create-or-update in
// each selected namespace, never over an ExternalSecret it does not control. Decisions are in
// core/cluster-external-secret.ts; this file reads the caches and writes. Level-based: every
// reconcile reads the current ClusterExternalSecret, namespaces and ExternalSecrets from the stores.
import type { ClusterExternalSecret, ClusterExternalSecretStatus, ExternalSecret, ObjectKey } from '../../api/index.ts';
import { objectKey } from '../../api/object-key.ts';
import {
  CES_REASON_ALREADY_EXISTS,
  FINALIZER_CES_CLEANUP,
  cesRefreshMs,
  cesStatusWith,
  desiredExternalSecret,
  externalSecretNameOf,
  externalSecretNeedsWrite,
  isOwnedByClusterExternalSecret,
  namespaceFinalizerFor,
  removedNamespaces,
  selectNamespaces,
  blockingIssue,
  type NamespaceView,
} from '../../core/cluster-external-secret.ts';
import { ProjectorError } from '../../core/errors.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { Clock } from '../../platform/clock.ts';
import { lazyChild, type Logger } from '../../platform/logger.ts';
import type { Lister } from '../lister.ts';
import { sameStatus } from '../externalsecret/status.ts';
import type { Reconciler, Result } from '../reconciler.ts';
import { issueText } from '../../core/issues.ts';

export interface ClusterExternalSecretDeps {
  clusterExternalSecrets: Lister<ClusterExternalSecret>;
  externalSecrets: Lister<ExternalSecret>;
  /** Every namespace (name, labels, finalizers, terminating). */
  namespaces(): NamespaceView[];
  namespace(name: string): NamespaceView | undefined;
  kube: Pick<KubeClient, 'setFinalizers' | 'patchStatus' | 'createExternalSecret' | 'updateExternalSecret' | 'deleteExternalSecret' | 'setNamespaceFinalizers'>;
  clock: Clock;
  log: Logger;
}

/** A failure in one namespace, as ESO records it: its text is the reason in status.failedNamespaces. */
function reason(prefix: string | undefined, e: ProjectorError): string {
  return prefix ? `${prefix}: ${e.message}` : e.message;
}

export class ClusterExternalSecretReconciler implements Reconciler {
  readonly name = 'clusterexternalsecret';
  readonly #d: ClusterExternalSecretDeps;
  constructor(deps: ClusterExternalSecretDeps) {
    this.#d = deps;
  }

  async reconcile(key: ObjectKey): Promise<Result> {
    const ces = this.#d.clusterExternalSecrets.get(key);
    if (!ces) return { kind: 'done' };
    const log = lazyChild(this.#d.log, { key });
    try {
      if (ces.metadata.deletionTimestamp) return await this.#finalize(ces, log);
      const finalizers = ces.metadata.finalizers ?? [];
      if (!finalizers.includes(FINALIZER_CES_CLEANUP)) {
        // ESO returns right after adding it; the watch brings the updated object back.
        await this.#d.kube.setFinalizers(ces, [...finalizers, FINALIZER_CES_CLEANUP]);
        return { kind: 'done' };
      }
    } catch (e) {
      if (!(e instanceof ProjectorError)) throw e;
      log.warn({ code: e.code, err: e }, 'could not update the ClusterExternalSecret finalizer');
      return { kind: 'retry', error: e.code };
    }
    const status: { value: ClusterExternalSecretStatus } = { value: { ...(ces.status ?? {}) } };
    try {
      return await this.#reconcile(ces, status, log);
    } finally {
      // ESO's deferred status patch: written whatever the outcome.
      if (!sameStatus(ces.status, status.value)) {
        await this.#d.kube.patchStatus(ces, status.value).catch((e: unknown) => log.warn({ err: e }, 'unable to patch status'));
      }
    }
  }

  async #reconcile(ces: ClusterExternalSecret, status: { value: ClusterExternalSecretStatus }, log: Logger): Promise<Result> {
    const cesName = ces.metadata.name;
    // A spec ESO could not even decode (refreshTime) or select with is reported, nothing written.
    const invalid = blockingIssue(ces);
    if (invalid) {
      status.value = cesStatusWith(status.value, { failures: new Map([['unknown', issueText(invalid)]]) });
      return { kind: 'done', error: 'InvalidSpec' };
    }
    const esName = externalSecretNameOf(ces);
    const prevName = ces.status?.externalSecretName;
    if (prevName && prevName !== esName) {
      // The name changed: the ExternalSecrets of the old name go first (ESO removeOldSecrets).
      const failures = new Map<string, string>();
      for (const ns of ces.status?.provisionedNamespaces ?? []) {
        const err = await this.#deleteOwned(ns, prevName, cesName);
        if (err) failures.set(ns, err.message);
      }
      if (failures.size) {
        status.value = cesStatusWith(status.value, { failures });
        return { kind: 'retry', error: 'KubeUnavailable' };
      }
    }
    status.value = { ...status.value, externalSecretName: esName };

    const selection = selectNamespaces(ces, this.#d.namespaces());
    if (!selection.ok) {
      status.value = cesStatusWith(status.value, { failures: new Map([['unknown', selection.error]]) });
      return { kind: 'retry', error: 'InvalidSpec' };
    }
    const namespaces = selection.namespaces;
    const failures = new Map<string, string>();
    let conflict = false;
    const fail = (ns: string, e: ProjectorError, prefix?: string) => {
      failures.set(ns, reason(prefix, e));
      if (e.code === 'KubeConflict') conflict = true;
    };
    // Namespaces no longer selected (relabelled, or gone from spec.namespaces) lose the ExternalSecret.
    for (const ns of removedNamespaces(namespaces, ces.status?.provisionedNamespaces)) {
      const err = await this.#deleteOwned(ns, esName, cesName);
      if (err) fail(ns, err);
    }
    // ...and this ClusterExternalSecret's finalizer, which ESO leaves behind there: such a namespace
    // could never finish deleting (docs/design/000-overview.md).
    const selected = new Set(namespaces.map((n) => n.name));
    for (const ns of this.#d.namespaces()) {
      if (selected.has(ns.name) || !ns.finalizers.includes(namespaceFinalizerFor(cesName))) continue;
      if (this.#d.externalSecrets.get(objectKey(ns.name, esName)) && failures.has(ns.name)) continue; // still ours to delete
      await this.#removeNamespaceFinalizer(ns, cesName).catch((e: unknown) => log.warn({ namespace: ns.name, err: e }, 'failed to remove finalizer from a namespace no longer selected'));
    }
    const provisioned: string[] = [];
    for (const ns of namespaces) {
      if (ns.terminating) {
        // A namespace being deleted: let it go (its ExternalSecret goes with it).
        await this.#removeNamespaceFinalizer(ns, cesName).catch((e: unknown) => log.warn({ namespace: ns.name, err: e }, 'failed to remove finalizer from terminating namespace'));
        continue;
      }
      const existing = this.#d.externalSecrets.get(objectKey(ns.name, esName));
      if (existing && !isOwnedByClusterExternalSecret(existing, cesName)) {
        failures.set(ns.name, CES_REASON_ALREADY_EXISTS);
        continue;
      }
      try {
        await this.#ensureNamespaceFinalizer(ns, cesName);
      } catch (e) {
        if (!(e instanceof ProjectorError)) throw e;
        fail(ns.name, e, e.code === 'KubeConflict' ? undefined : 'could not add namespace finalizer');
        continue;
      }
      try {
        const desired = desiredExternalSecret(ces, ns.name, esName, existing);
        if (!existing) {
          await this.#d.kube.createExternalSecret(desired);
          log.info({ namespace: ns.name, name: esName }, 'created ExternalSecret');
        } else if (externalSecretNeedsWrite(existing, desired)) {
          await this.#d.kube.updateExternalSecret(desired);
          log.info({ namespace: ns.name, name: esName }, 'updated ExternalSecret');
        }
      } catch (e) {
        if (!(e instanceof ProjectorError)) throw e;
        fail(ns.name, e, 'could not create or update ExternalSecret');
        continue;
      }
      provisioned.push(ns.name);
    }
    status.value = cesStatusWith(status.value, { failures, provisioned });
    if (failures.size) log.warn({ failed: [...failures.keys()] }, 'one or more namespaces failed');
    // A conflict means a newer object is on its way: retry soon (ESO returns an error).
    if (conflict) return { kind: 'retry', error: 'KubeConflict' };
    const ms = cesRefreshMs(ces);
    return ms > 0 ? { kind: 'requeueAfter', ms } : { kind: 'done' };
  }

  /** ESO deleteExternalSecret: only one this ClusterExternalSecret controls; absent is fine. */
  async #deleteOwned(namespace: string, name: string, cesName: string): Promise<ProjectorError | undefined> {
    const es = this.#d.externalSecrets.get(objectKey(namespace, name));
    if (!es || !isOwnedByClusterExternalSecret(es, cesName)) return undefined;
    try {
      await this.#d.kube.deleteExternalSecret(namespace, name, es.metadata.uid);
      this.#d.log.info({ namespace, name }, 'deleted an ExternalSecret it created');
      return undefined;
    } catch (e) {
      if (!(e instanceof ProjectorError)) throw e;
      return new ProjectorError(e.code, `external secret in non matching namespace could not be deleted: ${e.message}`, e.details);
    }
  }

  async #ensureNamespaceFinalizer(ns: NamespaceView, cesName: string): Promise<void> {
    const f = namespaceFinalizerFor(cesName);
    if (ns.finalizers.includes(f)) return;
    await this.#d.kube.setNamespaceFinalizers(ns.name, [...ns.finalizers, f], ns.resourceVersion);
  }

  async #removeNamespaceFinalizer(ns: NamespaceView, cesName: string): Promise<void> {
    const f = namespaceFinalizerFor(cesName);
    if (!ns.finalizers.includes(f)) return;
    await this.#d.kube.setNamespaceFinalizers(ns.name, ns.finalizers.filter((x) => x !== f), ns.resourceVersion);
  }

  /**
   * ESO cleanupExternalSecrets: for each provisioned namespace, its finalizer comes off and the
   * ExternalSecret this ClusterExternalSecret controls is deleted; then the ClusterExternalSecret's
   * own finalizer comes off.
   */
  async #finalize(ces: ClusterExternalSecret, log: Logger): Promise<Result> {
    const esName = ces.status?.externalSecretName || ces.metadata.name;
    let firstError: ProjectorError | undefined;
    // The provisioned namespaces (ESO), and any other still carrying this finalizer (a provisioning
    // that failed after the finalizer was added): none may be left unable to finish deleting.
    const carrying = this.#d.namespaces().filter((n) => n.finalizers.includes(namespaceFinalizerFor(ces.metadata.name))).map((n) => n.name);
    for (const nsName of new Set([...(ces.status?.provisionedNamespaces ?? []), ...carrying])) {
      const ns = this.#d.namespace(nsName);
      if (!ns) continue; // gone already
      try {
        await this.#removeNamespaceFinalizer(ns, ces.metadata.name);
      } catch (e) {
        if (!(e instanceof ProjectorError)) throw e;
        firstError ??= e;
        continue;
      }
      const err = await this.#deleteOwned(nsName, esName, ces.metadata.name);
      if (err) firstError ??= err;
    }
    if (firstError) {
      log.warn({ code: firstError.code, err: firstError }, 'failed to cleanup ExternalSecrets');
      return { kind: 'retry', error: firstError.code };
    }
    const finalizers = ces.metadata.finalizers ?? [];
    if (finalizers.includes(FINALIZER_CES_CLEANUP)) await this.#d.kube.setFinalizers(ces, finalizers.filter((f) => f !== FINALIZER_CES_CLEANUP));
    return { kind: 'done' };
  }
}
