import type { ObjectKey } from '../api/meta.ts';
import { ProjectorError } from '../core/errors.ts';

/**
 * What the worker does with a key after a reconcile (controller-runtime's reconcile.Result, as data).
 * `error` (the ProjectorError code) marks a failed reconcile: what a Go reconciler returns as `err`.
 * It does not change what the queue does; metrics count it as controller-runtime's `error` result.
 */
export type Result = (
  | { kind: 'done' } // forget(key): nothing until the next event
  | { kind: 'requeueAfter'; ms: number } // forget(key) + addAfter: scheduled refresh
  | { kind: 'retry'; atMostMs?: number } // addRateLimited: per-key exponential backoff (capped at atMostMs when set)
  | { kind: 'retryAfter'; ms: number; atMostMs?: number } // the vault said when; do not hammer it (the backoff floor capped at atMostMs when set)
) & { error?: string };

export interface Reconciler {
  readonly name: string;
  /** Reads current state for `key` and converges it. Throws only on bugs; expected failures become a Result. */
  reconcile(key: ObjectKey, signal: AbortSignal): Promise<Result>;
}

/** The only place an error class becomes a queue action. */
export function resultFor(e: ProjectorError): Result {
  const error = e.code;
  if (e.details.retryAfterMs !== undefined) return { kind: 'retryAfter', ms: e.details.retryAfterMs, error };
  switch (e.retry) {
    case 'never':
      return { kind: 'done', error }; // wait for the user to change the spec
    case 'immediately':
      return { kind: 'requeueAfter', ms: 0, error };
    default:
      return { kind: 'retry', error };
  }
}
