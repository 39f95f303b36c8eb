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

export class EventRecorder implements EventSink {
  readonly #kube: Pick<KubeClient, 'createEvent'>;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #recent = new Map<string, number>();
  readonly #windowMs: number;

  constructor(deps: { kube: Pick<KubeClient, 'createEvent'>; clock: Clock; log: Logger; dedupWindowMs?: number }) {
    this.#kube = deps.kube;
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
    this.#kube.createEvent(target, type, reason, message, now).catch((e: unknown) => {
      this.#recent.delete(key);
      this.#log.debug({ code: e instanceof ProjectorError ? e.code : 'unknown', reason }, 'could not record event');
    });
  }
}
