// Kubernetes Events from ProjectorError messages only, with duplicates within a window suppressed
// so a failing ExternalSecret retried with backoff does not flood the namespace.
import type { Clock } from '../platform/clock.ts';
import type { Logger } from '../platform/logger.ts';
import type { EventTarget, KubeClient } from '../kube/client.ts';
import { ProjectorError } from '../core/errors.ts';

export interface EventSink {
  normal(target: EventTarget, reason: string, message: string): void;
  warn(target: EventTarget, reason: string, message: string): void;
}

/**
 * The source component of each controller's Events, ESO's names (mgr.GetEventRecorderFor):
 * pkg/controllers/externalsecret/externalsecret_controller.go ("external-secrets"),
 * secretstore/secretstore_controller.go ("secret-store"), secretstore/clustersecretstore_controller.go
 * ("cluster-secret-store"), pushsecret/pushsecret_controller.go ("pushsecret"), and
 * cmd/controller/root.go for ClusterPushSecret ("external-secrets-controller"). ESO's
 * ClusterExternalSecret controller records no Events.
 */
export const EventComponent = {
  ExternalSecret: 'external-secrets',
  SecretStore: 'secret-store',
  ClusterSecretStore: 'cluster-secret-store',
  PushSecret: 'pushsecret',
  ClusterPushSecret: 'external-secrets-controller',
} as const;

export class EventRecorder implements EventSink {
  readonly #kube: Pick<KubeClient, 'createEvent'>;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #recent = new Map<string, number>();
  readonly #windowMs: number;
  readonly #component: string | undefined;

  /**
   * `component`: the Events' source component, one per controller as ESO's recorders
   * (mgr.GetEventRecorderFor in each controller's SetupWithManager; EventComponent lists them);
   * default the KubeClient's.
   */
  constructor(deps: { kube: Pick<KubeClient, 'createEvent'>; clock: Clock; log: Logger; dedupWindowMs?: number; component?: string }) {
    this.#kube = deps.kube;
    this.#component = deps.component;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#windowMs = deps.dedupWindowMs ?? 5 * 60_000;
  }

  normal(target: EventTarget, reason: string, message: string): void {
    this.#record(target, 'Normal', reason, message);
  }
  warn(target: EventTarget, reason: string, message: string): void {
    this.#record(target, 'Warning', reason, message);
  }

  #record(target: EventTarget, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const now = this.#clock.now();
    const key = `${target.metadata.uid ?? target.metadata.name}|${type}|${reason}|${message}`;
    const last = this.#recent.get(key);
    if (last !== undefined && now.getTime() - last < this.#windowMs) return;
    this.#recent.set(key, now.getTime());
    if (this.#recent.size > 10_000) this.#recent.clear();
    // Events are best effort: a failure to record one never fails a reconcile.
    this.#kube.createEvent(target, type, reason, message, now, this.#component).catch((e: unknown) => {
      this.#recent.delete(key);
      this.#log.debug({ code: e instanceof ProjectorError ? e.code : 'unknown', reason }, 'could not record event');
    });
  }
}
