// One reconcile for both store kinds: static checks, then ask the vault with the configured identity.
import type { GenericStore, ObjectKey, SecretStoreStatus } from '../../api/index.ts';
import { CONDITION_READY, EventReason, Reason } from '../../api/constants.ts';
import { maintenanceEvent } from '../../core/store-maintenance.ts';
import { setCondition } from '../../core/conditions.ts';
import { shouldProcessStore } from '../../core/controller-class.ts';
import { parseStoreRefreshInterval } from '../../core/duration.ts';
import { ProjectorError } from '../../core/errors.ts';
import { SECRET_STORE_FINALIZER, storeFinalizersFor } from '../../core/store-finalizer.ts';
import { validateSecretStore } from '../../core/validate.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { Clock } from '../../platform/clock.ts';
import { lazyChild, type Logger } from '../../platform/logger.ts';
import type { Provider } from '../../providers/provider.ts';
import type { ProviderRegistry } from '../../providers/registry.ts';
import type { ClientCache } from '../../sync/client-cache.ts';
import type { EventSink } from '../events.ts';
import type { Lister } from '../lister.ts';
import { resultFor, type Reconciler, type Result } from '../reconciler.ts';
import { sameStatus } from '../externalsecret/status.ts';
import { issueText } from '../../core/issues.ts';

export interface SecretStoreDeps {
  kind: 'SecretStore' | 'ClusterSecretStore';
  stores: Lister<GenericStore>;
  registry: ProviderRegistry;
  clients: ClientCache;
  kube: Pick<KubeClient, 'patchStatus' | 'setFinalizers'>;
  events: EventSink;
  clock: Clock;
  log: Logger;
  controllerClass: string;
  /** Serve only stores naming `controllerClass` (core/controller-class.ts). */
  exclusiveControllerClass?: boolean | undefined;
  /** Re-validation period when the store sets no spec.refreshInterval. */
  defaultRevalidateMs?: number;
  /**
   * Do ExternalSecrets name the store (key `namespace/name`, `/name` for a ClusterSecretStore)?
   * Only then does a passed check's client go to the client cache; without users it would only
   * hold memory. Default: no.
   */
  hasUsers?: (key: ObjectKey) => boolean;
  /**
   * Does a PushSecret with deletionPolicy Delete still hold the store (core/store-finalizer.ts)? Set
   * only while PushSecrets are served: ESO manages the store finalizer only with
   * --enable-push-secret-reconciler (pkg/controllers/secretstore/common.go reconcile). Absent, the
   * finalizer is left as it is.
   */
  pushSecretsHold?: (store: GenericStore) => boolean;
}

/**
 * ESO sets status.capabilities from the provider only when the check passed; a failed check
 * changes the condition alone (pkg/controllers/secretstore/common.go reconcile).
 */
function readyStatus(store: GenericStore, status: 'True' | 'False', reason: string, message: string, now: Date, capabilities?: SecretStoreStatus['capabilities']): SecretStoreStatus {
  return {
    ...store.status,
    ...(capabilities ? { capabilities } : {}),
    conditions: setCondition(store.status?.conditions, { type: CONDITION_READY, status, reason, message }, now),
  };
}

const MSG_STORE_VALIDATED = 'store validated';
/** ESO common.go errValidationUnknownMsg. */
const MSG_VALIDATION_UNKNOWN = 'could not determine validation status';

export class SecretStoreReconciler implements Reconciler {
  readonly name: string;
  readonly #d: SecretStoreDeps;
  constructor(deps: SecretStoreDeps) {
    this.#d = deps;
    this.name = deps.kind.toLowerCase();
  }

  async reconcile(key: ObjectKey, signal: AbortSignal): Promise<Result> {
    const store = this.#d.stores.get(key);
    if (!store) {
      const [ns, name] = key.split('/');
      this.#d.clients.invalidate({ kind: this.#d.kind, metadata: { name: name!, namespace: ns || undefined } }, { forget: true });
      return { kind: 'done' };
    }
    if (!shouldProcessStore(store, this.#d.controllerClass, this.#d.exclusiveControllerClass)) return { kind: 'done' };
    const now = this.#d.clock.now();
    const log = lazyChild(this.#d.log, { key });
    // ESO's handleFinalizer, before the store is checked (pkg/controllers/secretstore/common.go).
    if (this.#d.pushSecretsHold) {
      const held = this.#d.pushSecretsHold(store);
      const next = storeFinalizersFor(store, held);
      if (next) {
        try {
          await this.#d.kube.setFinalizers(store, next);
        } catch (err) {
          if (!(err instanceof ProjectorError)) throw err;
          log.warn({ code: err.code, err }, 'could not update the store finalizer; retrying');
          return resultFor(err.retry === 'never' ? new ProjectorError('KubeUnavailable', err.message) : err);
        }
        log.info({ finalizer: SECRET_STORE_FINALIZER, held, deleting: !!store.metadata.deletionTimestamp }, held ? 'added the store finalizer: a PushSecret with deletionPolicy Delete uses the store' : 'removed the store finalizer: no PushSecret with deletionPolicy Delete uses the store');
        // Its last finalizer gone, a store being deleted goes now: nothing left to check or report.
        if (store.metadata.deletionTimestamp && next.length === 0) return { kind: 'done' };
      } else if (held && store.metadata.deletionTimestamp) {
        log.debug({}, 'store is being deleted; a PushSecret with deletionPolicy Delete still uses it');
      }
    }
    // ESO's validateStore: building the client (NewClient) and its check (Validate) fail with the
    // same reason, InvalidProviderConfig, for the condition and the Warning event. Projector's vault
    // check (a deliberate difference, docs/design/000-overview.md) reports ValidationFailed instead.
    let building = true;
    try {
      const provider = this.#assertValid(store);
      // A new client each time, as ESO's validateStore: the credentials as they are now, and a new
      // token, so a credential revoked on the vault's side shows here. One that passed goes to the
      // client cache when ExternalSecrets use the store and the cache holds no client for it: their
      // next sync (the first after a start waits for this check) uses it rather than building
      // another and fetching a token, which with ten workers on ten stores' first syncs kept the
      // workers waiting on identity round trips.
      const client = await this.#d.clients.fresh(store, store.metadata.namespace, signal);
      building = false;
      let verdict;
      let adopted = false;
      try {
        verdict = await client.validate(signal);
        adopted = verdict === 'Ready' && (this.#d.hasUsers?.(key) ?? false) && this.#d.clients.adopt(store, store.metadata.namespace, client);
      } finally {
        if (!adopted) await client.close().catch(() => undefined);
      }
      // ESO's ValidationResultUnknown with an error (the fake provider's validationResult 1):
      // Ready=True with reason ValidationUnknown and its fixed message, a Warning event with the
      // check's error, the next check after the interval; no Valid or maintenance event, and
      // status.capabilities left as it was (common.go returns before setting them).
      if (typeof verdict === 'object') {
        log.warn({ reason: Reason.StoreValidationUnknown }, 'store check could not determine the validation status');
        this.#d.events.warn(store, EventReason.ValidationUnknown, verdict.unknown);
        await this.#write(store, readyStatus(store, 'True', Reason.StoreValidationUnknown, MSG_VALIDATION_UNKNOWN, now), Reason.StoreValidationUnknown, log);
        return { kind: 'requeueAfter', ms: this.#revalidateMs(store) };
      }
      // 'Unknown' (a referent ClusterSecretStore: credentials resolved per ExternalSecret namespace)
      // comes with no error, so ESO reports it as any passed check (keyvault.go Validate).
      this.#maintenanceEvent(store, provider);
      this.#d.events.normal(store, EventReason.Valid, MSG_STORE_VALIDATED);
      await this.#write(store, readyStatus(store, 'True', Reason.StoreValidated, MSG_STORE_VALIDATED, now, provider.capabilities), 'Valid', log);
      return { kind: 'requeueAfter', ms: this.#revalidateMs(store) };
    } catch (err) {
      if (!(err instanceof ProjectorError)) throw err;
      const invalid = err.code === 'InvalidSpec' || err.code === 'NotSupported';
      const reason = building || invalid ? Reason.StoreInvalidProviderConfig : Reason.StoreValidationFailed;
      this.#d.clients.invalidate(store);
      log.warn({ code: err.code, err }, 'store is not ready');
      this.#d.events.warn(store, reason, err.describe());
      try {
        await this.#write(store, readyStatus(store, 'False', reason, err.describe(), now), reason, log);
      } catch {
        return { kind: 'retry', error: err.code };
      }
      if (invalid) return { kind: 'done', error: err.code };
      // A transient failure (vault or identity provider down) is retried with backoff, but never
      // later than the store's next check would be: with the flood gate its ExternalSecrets wait for
      // this store to be Ready again, and ESO's uncapped backoff (up to 1,000 s) would keep them
      // waiting up to ~16 minutes after an outage ends. Costs no more calls than a healthy store.
      // The same cap on the backoff floor under a server's Retry-After (throttling): the server's
      // delay is kept, but repeated 429s must not grow the wait past the store's next check.
      const result = resultFor(err);
      return result.kind === 'retry' || result.kind === 'retryAfter' ? { ...result, atMostMs: this.#revalidateMs(store) } : result;
    }
  }

  #assertValid(store: GenericStore): Provider {
    const provider = this.#d.registry.providerFor(store);
    const first = [...validateSecretStore(store), ...provider.validateStore(store)].find((i) => i.severity === 'error');
    if (first) throw new ProjectorError(first.code === 'NotSupported' ? 'NotSupported' : 'InvalidSpec', issueText(first), { field: first.path });
    return provider;
  }

  /** ESO's maintenance warning, at every passed check unless the store opts out (core/store-maintenance.ts). */
  #maintenanceEvent(store: GenericStore, provider: Provider): void {
    const event = maintenanceEvent(store, provider.maintenance);
    if (event) this.#d.events.warn(store, event.reason, event.message);
  }

  #revalidateMs(store: GenericStore): number {
    // An invalid value never gets here (validateSecretStore refuses it first); 0 means the default.
    const ms = parseStoreRefreshInterval(store.spec.refreshInterval) ?? 0;
    return ms > 0 ? ms : (this.#d.defaultRevalidateMs ?? 5 * 60_000);
  }

  async #write(store: GenericStore, status: SecretStoreStatus, reason: string, log: Logger): Promise<void> {
    if (sameStatus(store.status, status)) return;
    const wasReady = store.status?.conditions?.find((c) => c.type === CONDITION_READY)?.status;
    const isReady = status.conditions?.find((c) => c.type === CONDITION_READY)?.status;
    if (wasReady !== isReady) log.info({ ready: isReady, reason }, 'store readiness changed');
    await this.#d.kube.patchStatus(store, status);
  }
}
