// ClusterPushSecret: one PushSecret per selected namespace, in ESO v2.9's order of steps
// (pkg/controllers/clusterpushsecret/clusterpushsecret_controller.go Reconcile): skip while being
// deleted (its PushSecrets go by garbage collection, through their controller reference), rename
// cleanup, namespace selection, removal where no longer selected, then create-or-update in each
// selected namespace, never over a PushSecret it does not control; the status written at the end
// whatever the outcome. Decisions are in core/cluster-push-secret.ts; this file reads the caches and writes.
import type { ClusterPushSecret, ClusterPushSecretStatus, ObjectKey, PushSecret } from '../../api/index.ts';
import { objectKey } from '../../api/object-key.ts';
import {
  CPS_MESSAGE_DELETE_FAILED,
  CPS_MESSAGE_TARGETS_FAILED,
  CPS_REASON_ALREADY_EXISTS,
  cpsRefreshMs,
  cpsStatusDone,
  cpsStatusFailed,
  desiredPushSecret,
  isOwnedByClusterPushSecret,
  pushSecretNameOf,
  pushSecretNeedsWrite,
  removedPushNamespaces,
  selectPushNamespaces,
  validateClusterPushSecret,
} from '../../core/cluster-push-secret.ts';
import type { NamespaceView } from '../../core/cluster-external-secret.ts';
import { ProjectorError } from '../../core/errors.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { Clock } from '../../platform/clock.ts';
import { lazyChild, type Logger } from '../../platform/logger.ts';
import type { EventSink } from '../events.ts';
import type { Lister } from '../lister.ts';
import { sameStatus } from '../externalsecret/status.ts';
import type { Reconciler, Result } from '../reconciler.ts';
import { issueText } from '../../core/issues.ts';

export interface ClusterPushSecretDeps {
  clusterPushSecrets: Lister<ClusterPushSecret>;
  pushSecrets: Lister<PushSecret>;
  namespaces(): NamespaceView[];
  kube: Pick<KubeClient, 'patchStatus' | 'createPushSecret' | 'updatePushSecret' | 'deletePushSecret'>;
  events: EventSink;
  clock: Clock;
  log: Logger;
}

export class ClusterPushSecretReconciler implements Reconciler {
  readonly name = 'clusterpushsecret';
  readonly #d: ClusterPushSecretDeps;
  constructor(deps: ClusterPushSecretDeps) {
    this.#d = deps;
  }

  async reconcile(key: ObjectKey): Promise<Result> {
    const cps = this.#d.clusterPushSecrets.get(key);
    if (!cps) return { kind: 'done' };
    const log = lazyChild(this.#d.log, { key });
    if (cps.metadata.deletionTimestamp) return { kind: 'done' }; // ESO: "skipping as it is in deletion"
    const status: { value: ClusterPushSecretStatus } = { value: { ...(cps.status ?? {}) } };
    try {
      return await this.#reconcile(cps, status, log);
    } finally {
      if (!sameStatus(cps.status as never, status.value as never)) {
        await this.#d.kube.patchStatus(cps, status.value).catch((e: unknown) => log.warn({ err: e }, 'unable to patch status'));
      }
    }
  }

  #markAsFailed(cps: ClusterPushSecret, status: { value: ClusterPushSecretStatus }, message: string, failures?: ReadonlyMap<string, string>): void {
    status.value = cpsStatusFailed(status.value, message, this.#d.clock.now(), failures);
    this.#d.events.warn(cps, 'Errored', message);
  }

  async #reconcile(cps: ClusterPushSecret, status: { value: ClusterPushSecretStatus }, log: Logger): Promise<Result> {
    const cpsName = cps.metadata.name;
    const psName = pushSecretNameOf(cps);
    // ESO deleteOldPushSecrets: the name changed, the PushSecrets of the old name go first.
    const prevName = cps.status?.pushSecretName;
    if (prevName && prevName !== psName) {
      const failures = new Map<string, string>();
      for (const ns of cps.status?.provisionedNamespaces ?? []) {
        const err = await this.#deleteOwned(ns, prevName, cpsName);
        if (err) failures.set(ns, err.message);
      }
      if (failures.size) {
        this.#markAsFailed(cps, status, CPS_MESSAGE_DELETE_FAILED, failures);
        return { kind: 'retry', error: 'KubeUnavailable' };
      }
    }
    status.value = { ...status.value, pushSecretName: psName };

    // A selector ESO cannot convert fails the target selection (its markAsFailed text), the field named in the log.
    const invalid = validateClusterPushSecret(cps).find((i) => i.severity === 'error' && i.path.startsWith('spec.namespaceSelectors'));
    const selection = invalid ? ({ ok: false, error: issueText(invalid) } as const) : selectPushNamespaces(cps, this.#d.namespaces());
    if (!selection.ok) {
      log.warn({ reason: selection.error }, 'failed to get target Namespaces');
      this.#markAsFailed(cps, status, CPS_MESSAGE_TARGETS_FAILED);
      return { kind: 'retry', error: 'InvalidSpec' };
    }
    const namespaces = selection.namespaces;
    const failures = new Map<string, string>();
    let conflict = false;
    for (const ns of removedPushNamespaces(namespaces, cps.status?.provisionedNamespaces)) {
      const err = await this.#deleteOwned(ns, psName, cpsName);
      if (err) failures.set(ns, err.message);
    }
    const provisioned: string[] = [];
    for (const ns of namespaces) {
      const existing = this.#d.pushSecrets.get(objectKey(ns.name, psName));
      if (existing && !isOwnedByClusterPushSecret(existing, cpsName)) {
        failures.set(ns.name, CPS_REASON_ALREADY_EXISTS);
        continue;
      }
      try {
        const desired = desiredPushSecret(cps, ns.name, psName, existing);
        if (!existing) {
          await this.#d.kube.createPushSecret(desired);
          log.info({ namespace: ns.name, name: psName }, 'created PushSecret');
        } else if (pushSecretNeedsWrite(existing, desired)) {
          await this.#d.kube.updatePushSecret(desired);
          log.info({ namespace: ns.name, name: psName }, 'updated PushSecret');
        }
      } catch (e) {
        if (!(e instanceof ProjectorError)) throw e;
        if (e.code === 'KubeConflict') conflict = true;
        failures.set(ns.name, `could not create or update push secret: ${e.message}`);
        continue;
      }
      provisioned.push(ns.name);
    }
    status.value = cpsStatusDone(status.value, psName, failures, provisioned);
    if (failures.size) log.warn({ failed: [...failures.keys()] }, 'one or more namespaces failed');
    if (conflict) return { kind: 'retry', error: 'KubeConflict' };
    const ms = cpsRefreshMs(cps);
    return ms > 0 ? { kind: 'requeueAfter', ms } : { kind: 'done' };
  }

  /** ESO deletePushSecret: only one this ClusterPushSecret controls; absent is fine. */
  async #deleteOwned(namespace: string, name: string, cpsName: string): Promise<ProjectorError | undefined> {
    const ps = this.#d.pushSecrets.get(objectKey(namespace, name));
    if (!ps || !isOwnedByClusterPushSecret(ps, cpsName)) return undefined;
    try {
      await this.#d.kube.deletePushSecret(namespace, name, ps.metadata.uid);
      this.#d.log.info({ namespace, name }, 'deleted a PushSecret it created');
      return undefined;
    } catch (e) {
      if (!(e instanceof ProjectorError)) throw e;
      return new ProjectorError(e.code, `external secret in non matching namespace could not be deleted: ${e.message}`, e.details);
    }
  }
}
