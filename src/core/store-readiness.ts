// ESO's flood gate: an ExternalSecret reads through a store only while the store says it is Ready.
// A store whose credentials are wrong then costs one failing token request per store check (the
// store reconciler's), not one per ExternalSecret reconcile: without the gate every ExternalSecret
// builds its own client and asks the identity provider for a token, and each is refused.
//
// Source: pkg/controllers/secretstore/client_manager.go (Manager.Get → assertStoreIsUsable),
// switched by `--enable-flood-gate` (cmd/controller/root.go, default true), which only the
// ExternalSecret controller passes on (externalsecret_controller_secret.go); PushSecrets and the
// store's own validation build their managers with the gate off.
import type { GenericStore } from '../api/index.ts';
import { CONDITION_READY } from '../api/constants.ts';
import { ProjectorError } from './errors.ts';

/**
 * The flood gate's verdict on one store: undefined when ExternalSecrets may read through it, else a
 * `StoreNotReady` error (retried with backoff; the store's Ready change re-queues its users).
 *
 * Usable only when `status.conditions` has a `Ready` condition whose status is `True`. A missing
 * condition (a store not checked yet) closes the gate too, as ESO's code does (its flag's help text
 * says "healthy or unknown", but assertStoreIsUsable refuses a nil condition).
 *
 * The message starts as ESO's error (`%s %q is not ready`: kind, then name in Go's %q quoting, which
 * for a Kubernetes name is plain double quotes) and adds the store's Ready status and reason, so the
 * ExternalSecret's condition says where to look. `field` is the spec path of the store reference
 * that named it (details.field).
 */
export function storeNotReady(store: GenericStore, field: string): ProjectorError | undefined {
  const ready = store.status?.conditions?.find((c) => c.type === CONDITION_READY);
  if (ready?.status === 'True') return undefined;
  const why = ready === undefined ? 'it has no Ready condition yet' : `its Ready condition is ${ready.status}${ready.reason ? ` (${ready.reason})` : ''}`;
  return new ProjectorError('StoreNotReady', `${store.kind} "${store.metadata.name}" is not ready: ${why}`, { field });
}
