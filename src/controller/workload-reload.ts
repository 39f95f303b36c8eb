// --enable-workload-reload: rolls opted-in Deployments, StatefulSets and DaemonSets when a Secret
// Projector manages and they track changes (the rules are core/workload-reload.ts). Wiring only:
// workload stores (filled by reflectors the Manager starts), an index from tracked Secret to
// workloads, a queue of workload keys, and a reconciler that patches one pod-template annotation.
import type { ObjectKey } from '../api/meta.ts';
import type { LiveTargetMeta } from '../core/refresh.ts';
import { isProjectorError } from '../core/errors.ts';
import { ANNOTATION_SECRET_HASH, WORKLOAD_KINDS, reloadPatchFor, trackedSecretsOf, workloadViewOf, type ReloadTrigger, type WorkloadKind, type WorkloadView } from '../core/workload-reload.ts';
import type { KubeClient } from '../kube/client.ts';
import { ObjectStore } from '../kube/object-store.ts';
import type { Logger } from '../platform/logger.ts';
import type { EventSink } from './events.ts';
import { resultFor, type Reconciler, type Result } from './reconciler.ts';
import type { WorkQueue } from './workqueue.ts';

export const WORKLOAD_PLURALS: Record<WorkloadKind, string> = { Deployment: 'deployments', StatefulSet: 'statefulsets', DaemonSet: 'daemonsets' };

/** Queue key: `Kind:namespace/name` (still an ObjectKey in shape). */
function queueKey(kind: WorkloadKind, namespace: string, name: string): ObjectKey {
  return `${kind}:${namespace}/${name}`;
}
function parseKey(key: ObjectKey): { kind: WorkloadKind; namespace: string; name: string } {
  const colon = key.indexOf(':');
  const slash = key.indexOf('/', colon);
  return { kind: key.slice(0, colon) as WorkloadKind, namespace: key.slice(colon + 1, slash), name: key.slice(slash + 1) };
}

export class WorkloadReloader {
  readonly stores: Record<WorkloadKind, ObjectStore<WorkloadView & { metadata: { uid?: string } }>> = {
    Deployment: new ObjectStore(),
    StatefulSet: new ObjectStore(),
    DaemonSet: new ObjectStore(),
  };
  /** Keys whose last trigger was a Secret data change (kept until the reconcile that consumes it). */
  readonly #changed = new Set<ObjectKey>();
  readonly #managedSecrets: ObjectStore<LiveTargetMeta>;
  readonly #kube: Pick<KubeClient, 'patchPodTemplateAnnotation'>;
  readonly #events: EventSink;
  readonly #log: Logger;

  constructor(deps: { managedSecrets: ObjectStore<LiveTargetMeta>; kube: Pick<KubeClient, 'patchPodTemplateAnnotation'>; events: EventSink; log: Logger }) {
    this.#managedSecrets = deps.managedSecrets;
    this.#kube = deps.kube;
    this.#events = deps.events;
    this.#log = deps.log;
    for (const kind of WORKLOAD_KINDS) this.stores[kind].addIndex('tracked', (w) => trackedSecretsOf(w).map((s) => `${w.metadata.namespace}/${s}`));
  }

  /** The reflector transform for a kind: the pod template is reduced to the Secret names it references. */
  transform(kind: WorkloadKind): (o: any) => WorkloadView & { metadata: { uid?: string } } {
    return (o) => {
      const v = workloadViewOf(kind, o);
      return { ...v, metadata: { ...v.metadata, ...(o.metadata?.uid ? { uid: o.metadata.uid } : {}) } };
    };
  }

  /**
   * Workload changes enqueue that workload ('observed'); a managed Secret whose data hash changed
   * enqueues every workload tracking it ('secret-data-changed'). A Secret seen for the first time
   * (operator start, creation) rolls nothing: its consumers read it when their Pods started.
   */
  wire(queue: WorkQueue<ObjectKey>): void {
    for (const kind of WORKLOAD_KINDS) {
      this.stores[kind].onChange((type, w) => {
        const key = queueKey(kind, w.metadata.namespace, w.metadata.name);
        if (type === 'deleted') this.#changed.delete(key);
        queue.add(key);
      });
    }
    this.#managedSecrets.onChange((type, s, old) => {
      if (type !== 'modified' || !old || old.observedDataHash === s.observedDataHash) return;
      const ref = `${s.metadata.namespace}/${s.metadata.name}`;
      for (const kind of WORKLOAD_KINDS) {
        for (const w of this.stores[kind].byIndex('tracked', ref)) {
          const key = queueKey(kind, w.metadata.namespace, w.metadata.name);
          this.#changed.add(key);
          queue.add(key);
        }
      }
    });
  }

  reconciler(): Reconciler {
    return { name: 'workload-reload', reconcile: (key) => this.#reconcile(key) };
  }

  async #reconcile(key: ObjectKey): Promise<Result> {
    const { kind, namespace, name } = parseKey(key);
    const w = this.stores[kind]?.get(`${namespace}/${name}`);
    if (!w) {
      this.#changed.delete(key);
      return { kind: 'done' };
    }
    const trigger: ReloadTrigger = this.#changed.has(key) ? 'secret-data-changed' : 'observed';
    const dataHashOf = (secret: string) => this.#managedSecrets.get(`${namespace}/${secret}`)?.observedDataHash;
    const hash = reloadPatchFor(w, dataHashOf, trigger);
    if (hash === undefined) {
      this.#changed.delete(key);
      return { kind: 'done' };
    }
    try {
      await this.#kube.patchPodTemplateAnnotation(kind, namespace, name, ANNOTATION_SECRET_HASH, hash);
    } catch (e) {
      if (!isProjectorError(e)) throw e;
      this.#log.warn({ workload: `${kind} ${namespace}/${name}`, code: e.code, err: e.message }, 'could not roll workload');
      return resultFor(e);
    }
    this.#changed.delete(key);
    const secrets = trackedSecretsOf(w).filter((s) => dataHashOf(s) !== undefined);
    this.#log.info({ workload: `${kind} ${namespace}/${name}`, secrets, hash }, 'rolled workload: a Secret it consumes changed');
    this.#events.normal({ apiVersion: 'apps/v1', kind, metadata: { name, namespace, ...(w.metadata.uid ? { uid: w.metadata.uid } : {}) } }, 'Reloaded', `pod template annotation ${ANNOTATION_SECRET_HASH} set to ${hash}: Secret ${secrets.join(', ')} changed`);
    return { kind: 'done' };
  }
}
