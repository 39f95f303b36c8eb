// The store reconciler's verdicts and what it asks the queue for, on a fake clock with the fake
// provider. ESO: pkg/controllers/secretstore/common.go reconcile → validateStore; a failed check
// returns the error (controller-runtime's backoff), a passed one requeues after the store's
// refreshInterval or --store-requeue-interval.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { GenericStore, SecretStoreStatus } from '../../../src/api/index.ts';
import { objectKey } from '../../../src/api/meta.ts';
import { SecretStoreReconciler } from '../../../src/controller/secretstore/reconciler.ts';
import { ObjectStore } from '../../../src/kube/object-store.ts';
import { ClientCache } from '../../../src/sync/client-cache.ts';
import { ProviderRegistry } from '../../../src/providers/registry.ts';
import { fakeProvider } from '../../../src/providers/fake/index.ts';
import { ProjectorError } from '../../../src/core/errors.ts';
import { silentLogger } from '../../../src/platform/logger.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { fakeStore } from '../../support/builders.ts';

function world(store: GenericStore, defaultRevalidateMs = 5 * 60_000, users = 1, held?: () => boolean) {
  const finalizerWrites: string[][] = [];
  const clock = new FakeClock(new Date('2026-12-01T10:00:00Z'));
  const stores = new ObjectStore<GenericStore>();
  stores.upsert(store);
  let failure: ProjectorError | undefined;
  let buildFailure: ProjectorError | undefined;
  let verdict: 'Ready' | 'Unknown' = 'Ready';
  const events: [type: 'Normal' | 'Warning', reason: string, message: string][] = [];
  const clientsMade = { built: 0, closed: 0 };
  const registry = new ProviderRegistry([
    {
      ...fakeProvider,
      async newClient(s, host, signal) {
        if (buildFailure) throw buildFailure;
        const inner = await fakeProvider.newClient(s, host, signal);
        clientsMade.built++;
        return Object.assign(Object.create(inner) as typeof inner, {
          validate: (sig: AbortSignal) => (failure ? Promise.reject(failure) : verdict === 'Unknown' ? Promise.resolve('Unknown') : inner.validate(sig)),
          close: async () => void clientsMade.closed++,
        });
      },
    },
  ]);
  const clients = new ClientCache({ registry, hostFor: () => ({ log: silentLogger() }) as never, clock, log: silentLogger() });
  const reconciler = new SecretStoreReconciler({
    kind: store.kind,
    stores,
    registry,
    clients,
    kube: {
      patchStatus: async (obj: GenericStore, status: SecretStoreStatus) => {
        stores.upsert({ ...obj, status } as GenericStore);
      },
      setFinalizers: async (obj: GenericStore, finalizers: string[]) => {
        finalizerWrites.push(finalizers);
        stores.upsert({ ...obj, metadata: { ...obj.metadata, finalizers } } as GenericStore);
      },
    } as never,
    events: { normal: (_t: unknown, reason: string, message: string) => void events.push(['Normal', reason, message]), warn: (_t: unknown, reason: string, message: string) => void events.push(['Warning', reason, message]) },
    clock,
    log: silentLogger(),
    controllerClass: '',
    defaultRevalidateMs,
    hasUsers: (key) => key === objectKey(store.metadata.namespace, store.metadata.name) && users > 0,
    ...(held ? { pushSecretsHold: held } : {}),
  });
  const ready = () => stores.list()[0]!.status?.conditions?.find((c) => c.type === 'Ready');
  return { finalizerWrites, reconciler, clients, clientsMade, store: () => stores.list()[0]!, key: objectKey(undefined, 'akv-hybridops'), ready, events, fail: (e: ProjectorError | undefined) => (failure = e), failBuild: (e: ProjectorError | undefined) => (buildFailure = e), answer: (v: 'Ready' | 'Unknown') => (verdict = v) };
}

const signal = new AbortController().signal;

describe('SecretStoreReconciler', () => {
  // ESO pkg/controllers/secretstore/common.go reconcile → handleFinalizer, before the store check.
  it('store finalizer: added while a Delete PushSecret holds the store, kept while it is deleted and held, removed (and done) once not held', async () => {
    const FIN = 'secretstore.externalsecrets.io/finalizer';
    let holding = true;
    const w = world(fakeStore([]), undefined, 1, () => holding);
    await w.reconciler.reconcile(w.key, signal);
    assert.deepEqual(w.finalizerWrites, [[FIN]]);
    assert.equal(w.ready()?.status, 'True', 'the store is checked as before');
    const deleting = world({ ...fakeStore([]), metadata: { ...fakeStore([]).metadata, finalizers: [FIN], deletionTimestamp: '2026-12-01T09:00:00Z' } }, undefined, 1, () => holding);
    await deleting.reconciler.reconcile(deleting.key, signal);
    assert.deepEqual(deleting.finalizerWrites, [], 'kept while held');
    holding = false;
    assert.deepEqual(await deleting.reconciler.reconcile(deleting.key, signal), { kind: 'done' });
    assert.deepEqual(deleting.finalizerWrites, [[]]);
    // Without PushSecrets served (ESO --enable-push-secret-reconciler=false) the finalizer is left alone.
    const off = world({ ...fakeStore([]), metadata: { ...fakeStore([]).metadata, finalizers: [FIN] } });
    await off.reconciler.reconcile(off.key, signal);
    assert.deepEqual(off.finalizerWrites, []);
  });

  it('re-checks a Ready store after --store-requeue-interval, or after its own spec.refreshInterval', async () => {
    const w = world(fakeStore([]));
    assert.deepEqual(await w.reconciler.reconcile(w.key, signal), { kind: 'requeueAfter', ms: 300_000 });
    assert.equal(w.ready()?.status, 'True');
    const own = world({ ...fakeStore([]), spec: { ...fakeStore([]).spec, refreshInterval: 60 } });
    assert.deepEqual(await own.reconciler.reconcile(own.key, signal), { kind: 'requeueAfter', ms: 60_000 });
  });

  // Deliberate difference (docs/design/000-overview.md): ESO retries a failed check on the
  // controller's backoff alone (5 ms doubling up to 1,000 s), so after a long outage a store — and,
  // through the flood gate, every ExternalSecret on it — stays not ready up to ~16 minutes more.
  it('retries a transient failure with backoff, but no later than the store\'s next check would be', async () => {
    const w = world(fakeStore([]));
    w.fail(new ProjectorError('VaultUnavailable', 'vault unreachable'));
    assert.deepEqual(await w.reconciler.reconcile(w.key, signal), { kind: 'retry', atMostMs: 300_000, error: 'VaultUnavailable' });
    assert.equal(w.ready()?.status, 'False');
    assert.equal(w.ready()?.reason, 'ValidationFailed');
    const own = world({ ...fakeStore([]), spec: { ...fakeStore([]).spec, refreshInterval: 30 } });
    own.fail(new ProjectorError('StoreAuthFailed', 'token refused'));
    assert.deepEqual(await own.reconciler.reconcile(own.key, signal), { kind: 'retry', atMostMs: 30_000, error: 'StoreAuthFailed' });
    // The check passes again: Ready, and back to the scheduled re-check.
    w.fail(undefined);
    assert.deepEqual(await w.reconciler.reconcile(w.key, signal), { kind: 'requeueAfter', ms: 300_000 });
    assert.equal(w.ready()?.status, 'True');
  });

  it('keeps a server\'s Retry-After, and does not retry an invalid spec', async () => {
    const w = world(fakeStore([]));
    w.fail(new ProjectorError('VaultThrottled', 'too many requests', { retryAfterMs: 20_000 }));
    assert.deepEqual(await w.reconciler.reconcile(w.key, signal), { kind: 'retryAfter', ms: 20_000, atMostMs: 300_000, error: 'VaultThrottled' });
    w.fail(new ProjectorError('InvalidSpec', 'spec.provider.fake: bad'));
    assert.deepEqual(await w.reconciler.reconcile(w.key, signal), { kind: 'done', error: 'InvalidSpec' });
    assert.equal(w.ready()?.reason, 'InvalidProviderConfig');
  });

  // ESO's validateStore builds a client per check and drops it; ExternalSecrets then build their own.
  // Here the first check's client serves them (one token fewer per store on a start), while every
  // check still builds a new one.
  it('builds a new client for every check; one that passed serves ExternalSecrets when none is cached', async () => {
    const w = world(fakeStore([]));
    await w.reconciler.reconcile(w.key, signal);
    assert.deepEqual(w.clientsMade, { built: 1, closed: 0 }, 'the passed check\'s client is kept');
    await w.clients.get(w.store(), undefined, signal);
    assert.equal(w.clientsMade.built, 1, 'ExternalSecrets use it');
    await w.reconciler.reconcile(w.key, signal);
    assert.deepEqual(w.clientsMade, { built: 2, closed: 1 }, 'a cached client is there: the new check\'s client is closed');
    w.fail(new ProjectorError('StoreAuthFailed', 'token refused'));
    await w.reconciler.reconcile(w.key, signal);
    await new Promise((r) => setImmediate(r)); // the cache closes asynchronously
    assert.deepEqual(w.clientsMade, { built: 3, closed: 3 }, 'a failed check\'s client is closed, and the cached one dropped');
  });

  it('closes a passed check\'s client when no ExternalSecret names the store', async () => {
    const w = world(fakeStore([]), undefined, 0);
    await w.reconciler.reconcile(w.key, signal);
    assert.deepEqual(w.clientsMade, { built: 1, closed: 1 });
  });

  // ESO pkg/controllers/secretstore/common.go reconcile: status.capabilities comes from the provider's
  // Capabilities() (providers/v1/fake/fake.go and azure/keyvault/keyvault.go: ReadWrite), and is set
  // only when the check passed; a failed check changes the condition alone.
  it('sets status.capabilities from the provider, only on a passed check', async () => {
    const w = world(fakeStore([]));
    w.fail(new ProjectorError('VaultUnavailable', 'vault unreachable'));
    await w.reconciler.reconcile(w.key, signal);
    assert.equal(w.store().status?.capabilities, undefined, 'a failed first check writes no capabilities');
    w.fail(undefined);
    await w.reconciler.reconcile(w.key, signal);
    assert.equal(w.store().status?.capabilities, 'ReadWrite');
    w.fail(new ProjectorError('VaultUnavailable', 'vault unreachable'));
    await w.reconciler.reconcile(w.key, signal);
    assert.equal(w.store().status?.capabilities, 'ReadWrite', 'kept as it was');
  });

  // ESO common.go reconcile records Normal `Valid` ("store validated") after every passed check, not
  // only when Ready changes (the event sink's 5-minute deduplication is a listed difference).
  it('records the Valid event at every passed check', async () => {
    const w = world(fakeStore([]));
    await w.reconciler.reconcile(w.key, signal);
    await w.reconciler.reconcile(w.key, signal);
    assert.deepEqual(w.events.filter(([type]) => type === 'Normal'), [['Normal', 'Valid', 'store validated'], ['Normal', 'Valid', 'store validated']]);
  });

  // ESO common.go validateStore: a client that cannot be built (NewClient: the spec, a missing
  // credential Secret or key) is `InvalidProviderConfig` for both the condition and the Warning
  // event. Projector's vault check failing is `ValidationFailed` (a listed difference).
  it('reports a client that cannot be built as InvalidProviderConfig, a refused vault check as ValidationFailed', async () => {
    const w = world(fakeStore([]));
    w.failBuild(new ProjectorError('CredentialNotFound', 'Secret team/azure-creds has no key "clientSecret"'));
    const result = await w.reconciler.reconcile(w.key, signal);
    assert.equal(result.kind, 'retry', 'a missing credential is retried, as ESO returns the error');
    assert.equal(w.ready()?.reason, 'InvalidProviderConfig');
    assert.equal(w.ready()?.status, 'False');
    assert.deepEqual(w.events.at(-1)?.slice(0, 2), ['Warning', 'InvalidProviderConfig']);
    w.failBuild(undefined);
    w.fail(new ProjectorError('StoreAuthFailed', 'token refused'));
    await w.reconciler.reconcile(w.key, signal);
    assert.equal(w.ready()?.reason, 'ValidationFailed');
    assert.deepEqual(w.events.at(-1)?.slice(0, 2), ['Warning', 'ValidationFailed']);
    const bad = world({ ...fakeStore([]), spec: { provider: { fake: { data: [{ key: '' } as never] } } } });
    await bad.reconciler.reconcile(bad.key, signal);
    assert.equal(bad.ready()?.reason, 'InvalidProviderConfig');
    assert.deepEqual(bad.events.at(-1)?.slice(0, 2), ['Warning', 'InvalidProviderConfig'], 'not InvalidStoreConfiguration');
  });

  // ESO keyvault.go Validate: a referent ClusterSecretStore answers Unknown with no error, which
  // common.go validateStore treats as passed: Ready=True, Valid, "store validated".
  it('reports a store whose check answers Unknown (referent credentials) as any passed store', async () => {
    const w = world(fakeStore([]));
    w.answer('Unknown');
    await w.reconciler.reconcile(w.key, signal);
    assert.deepEqual([w.ready()?.status, w.ready()?.reason, w.ready()?.message], ['True', 'Valid', 'store validated']);
  });

  // ESO providers/v1/fake/fake.go Validate returns (validationResult, "unable to validate") for a
  // value other than 0; common.go validateStore: Unknown (1) sets Ready=True, reason
  // ValidationUnknown, "could not determine validation status", a Warning ValidationUnknown with the
  // error, and reconcile returns RequeueAfter the interval before the Valid event, the maintenance
  // warning and status.capabilities.
  it('fake validationResult 1: Ready=True, ValidationUnknown, one Warning, requeued after the interval, capabilities untouched', async () => {
    const store = fakeStore([]);
    const w = world({ ...store, spec: { ...store.spec, refreshInterval: 90, provider: { fake: { data: [], validationResult: 1 } } } });
    const result = await w.reconciler.reconcile(w.key, signal);
    assert.deepEqual(result, { kind: 'requeueAfter', ms: 90_000 });
    assert.deepEqual([w.ready()?.status, w.ready()?.reason, w.ready()?.message], ['True', 'ValidationUnknown', 'could not determine validation status']);
    assert.deepEqual(w.events, [['Warning', 'ValidationUnknown', 'unable to validate']]);
    assert.equal(w.store().status?.capabilities, undefined);
  });

  // common.go validateStore: any other non-Ready result fails the check: Ready=False, reason
  // InvalidProviderConfig, and the Warning event of the same reason.
  it('fake validationResult 2: Ready=False, InvalidProviderConfig, naming the field; 0 is a passed check', async () => {
    const store = fakeStore([]);
    const w = world({ ...store, spec: { ...store.spec, provider: { fake: { data: [], validationResult: 2 } } } });
    const result = await w.reconciler.reconcile(w.key, signal);
    assert.equal(result.kind, 'done', 'the spec decides: checked again when it changes');
    assert.deepEqual([w.ready()?.status, w.ready()?.reason, w.ready()?.message], ['False', 'InvalidProviderConfig', 'InvalidSpec: spec.provider.fake.validationResult: unable to validate (validationResult 2: Error)']);
    assert.deepEqual(w.events, [['Warning', 'InvalidProviderConfig', 'InvalidSpec: spec.provider.fake.validationResult: unable to validate (validationResult 2: Error)']]);
    const zero = world({ ...store, spec: { ...store.spec, provider: { fake: { data: [], validationResult: 0 } } } });
    await zero.reconciler.reconcile(zero.key, signal);
    assert.deepEqual([zero.ready()?.status, zero.ready()?.reason], ['True', 'Valid']);
  });

  // ESO common.go reconcile: a NotMaintained provider (providers/v1/fake/fake.go MaintenanceStatus)
  // gets a Warning StoreUnmaintained at every passed check, before Valid, unless the store carries
  // the external-secrets.io/ignore-maintenance-checks annotation.
  it('warns StoreUnmaintained for the fake provider unless the store opts out', async () => {
    const w = world(fakeStore([]));
    await w.reconciler.reconcile(w.key, signal);
    await w.reconciler.reconcile(w.key, signal);
    const unmaintained = ['Warning', 'StoreUnmaintained', "store isn't currently maintained. Please plan and prepare accordingly."];
    assert.deepEqual(w.events, [unmaintained, ['Normal', 'Valid', 'store validated'], unmaintained, ['Normal', 'Valid', 'store validated']]);
    const store = fakeStore([]);
    const quiet = world({ ...store, metadata: { ...store.metadata, annotations: { 'external-secrets.io/ignore-maintenance-checks': '' } } });
    await quiet.reconciler.reconcile(quiet.key, signal);
    assert.deepEqual(quiet.events, [['Normal', 'Valid', 'store validated']]);
  });
});
