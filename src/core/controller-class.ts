// Which stores an operator instance serves: ESO's controller classes.
import type { GenericStore } from '../api/index.ts';

/** ESO's default `--controller-class` (cmd/controller/root.go). */
export const DEFAULT_CONTROLLER_CLASS = 'default';

/**
 * Does an operator running with `controllerClass` serve `store`? ESO's ShouldProcessStore
 * (pkg/controllers/secretstore/common.go): a store with no `spec.controller` (unset or "") is served
 * by every class; otherwise only by the class it names. The same rule decides whether an
 * ExternalSecret using the store is reconciled (ESO's shouldSkipUnmanagedStore) — by the
 * operator, `projector dev` and the store reconciler alike.
 *
 * `exclusive` (not an ESO mode) serves only stores naming the class: `projector dev --cluster` runs
 * beside the cluster's own operator and must not take over stores that name no class.
 */
export function shouldProcessStore(store: Pick<GenericStore, 'spec'> | undefined, controllerClass: string, exclusive = false): boolean {
  const wanted = store?.spec?.controller ?? '';
  return (wanted === '' && !exclusive) || wanted === controllerClass;
}
