import type { ObjectKey } from '../api/meta.ts';

export interface Change {
  /** When the first change not yet reconciled was observed (ms since epoch). */
  at: number;
  /** A store the ExternalSecret uses changed: refresh even when its own refresh is not due. */
  forced: boolean;
}

/**
 * When each ExternalSecret last changed (its spec or annotations, or one of its stores), as seen by
 * the watch handlers. The reconciler reads it once per reconcile: vault reads started after the
 * change are fresh enough to share, so a wave of changes still costs one read per distinct key.
 */
export class ChangeTimes {
  readonly #changes = new Map<ObjectKey, Change>();

  mark(key: ObjectKey, at: number, forced: boolean): void {
    const old = this.#changes.get(key);
    this.#changes.set(key, { at: old?.at ?? at, forced: forced || (old?.forced ?? false) });
  }

  consume(key: ObjectKey): Change | undefined {
    const c = this.#changes.get(key);
    this.#changes.delete(key);
    return c;
  }
}
