// Which stores an operator instance serves: ESO's controller classes.
import type { ExternalSecret, GenericStore, ObjectKey, SecretStoreRef } from '../api/index.ts';
import { storeKeyOf, storeRefsOf } from './external-secret.ts';

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

/**
 * Does an operator running with `controllerClass` reconcile `es`, as far as its stores decide? ESO's
 * shouldSkipUnmanagedStore (pkg/controllers/externalsecret/externalsecret_controller.go): every
 * store it names (storeRefsOf) must be served (shouldProcessStore); one that does not exist skips
 * nothing (the sync reports it). `findStore` looks a store up by kind and key (storeKeyOf). The
 * reconciler and the condition metrics both ask this, so they never disagree on an ExternalSecret.
 */
export function servesExternalSecret(
  es: ExternalSecret,
  findStore: (kind: SecretStoreRef['kind'], key: ObjectKey) => Pick<GenericStore, 'spec'> | undefined,
  controllerClass: string,
  exclusive = false,
): boolean {
  return storeRefsOf(es).every((ref) => {
    const store = findStore(ref.kind, storeKeyOf(ref, es.metadata.namespace));
    return !store || shouldProcessStore(store, controllerClass, exclusive);
  });
}

/**
 * Does an operator running with `controllerClass` run this generator? ESO's shouldSkipGenerator
 * (pkg/controllers/externalsecret/externalsecret_controller_secret.go): the generator's
 * `spec.controller` — of the resolved generator, so a ClusterGenerator's inner spec — skips the
 * ExternalSecret when it is set and names another class. Among the kinds Projector runs only Fake
 * declares the field. Unlike stores there is no exclusive mode: a generator naming no class leaves
 * the choice to the ExternalSecret's stores (`projector dev --cluster` serves only its own stores).
 */
export function shouldProcessGenerator(spec: unknown, controllerClass: string): boolean {
  const c = (spec as { controller?: unknown } | null | undefined)?.controller;
  const wanted = typeof c === 'string' ? c : '';
  return wanted === '' || wanted === controllerClass;
}

/**
 * Thrown inside a reconcile when a store or generator belongs to another controller class: the
 * ExternalSecret is not this instance's to touch (no write, no status), as ESO skips it
 * (shouldSkipUnmanagedStore).
 */
export class NotServedHere extends Error {
  constructor() {
    super('served by another controller class');
    this.name = 'NotServedHere';
  }
}
