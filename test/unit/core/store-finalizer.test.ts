// The store finalizer's decision. ESO: pkg/controllers/secretstore/common.go (handleFinalizer,
// hasSyncedPushSecrets, hasUnsyncedPushSecretRefs), util.go (storeMatchesRef), and the PushSecret
// field indexes in pkg/controllers/pushsecret/pushsecret_controller.go SetupWithManager.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PushSecret } from '../../../src/api/pushsecret.ts';
import {
  pushRefMatchesStore, pushSecretHoldsStore, SECRET_STORE_FINALIZER, storeFinalizersFor, storeHoldKeys, storeHoldLookups, type StoreIdentity,
} from '../../../src/core/store-finalizer.ts';

const ss = (name: string, namespace = 'app', labels: Record<string, string> = {}): StoreIdentity => ({ kind: 'SecretStore', metadata: { name, namespace, labels } });
const css = (name: string, labels: Record<string, string> = {}): StoreIdentity => ({ kind: 'ClusterSecretStore', metadata: { name, labels } });

function ps(spec: Partial<PushSecret['spec']>, o: { namespace?: string; synced?: string[] } = {}): PushSecret {
  return {
    apiVersion: 'external-secrets.io/v1alpha1',
    kind: 'PushSecret',
    metadata: { name: 'p', namespace: o.namespace ?? 'app' },
    spec: { secretStoreRefs: [], selector: { secret: { name: 's' } }, ...spec },
    ...(o.synced ? { status: { syncedPushSecrets: Object.fromEntries(o.synced.map((k) => [k, {}])) } } : {}),
  } as PushSecret;
}

describe('store finalizer (ESO secretstore/common.go handleFinalizer)', () => {
  it('storeMatchesRef: kind (empty is either), then name or label selector', () => {
    assert.equal(pushRefMatchesStore({ kind: 'SecretStore', name: 'kv' }, ss('kv')), true);
    assert.equal(pushRefMatchesStore({ kind: 'ClusterSecretStore', name: 'kv' }, ss('kv')), false);
    assert.equal(pushRefMatchesStore({ name: 'kv' }, css('kv')), true);
    assert.equal(pushRefMatchesStore({ kind: 'SecretStore', labelSelector: { matchLabels: { t: 'a' } } }, ss('x', 'app', { t: 'a' })), true);
    assert.equal(pushRefMatchesStore({ kind: 'SecretStore', labelSelector: { matchLabels: { t: 'a' } } }, ss('x', 'app', { t: 'b' })), false);
    // An invalid selector matches nothing (LabelSelectorAsSelector fails).
    assert.equal(pushRefMatchesStore({ kind: 'SecretStore', labelSelector: { matchExpressions: [{ key: 't', operator: 'In' as never }] } }, ss('x', 'app', { t: 'a' })), false);
  });

  it('only deletionPolicy Delete holds a store; by a ref (synced or not) or a synced entry; a SecretStore only from its namespace', () => {
    const ref = { secretStoreRefs: [{ kind: 'SecretStore' as const, name: 'kv' }] };
    assert.equal(pushSecretHoldsStore(ps({ ...ref, deletionPolicy: 'Delete' }), ss('kv')), true);
    assert.equal(pushSecretHoldsStore(ps({ ...ref, deletionPolicy: 'None' }), ss('kv')), false);
    assert.equal(pushSecretHoldsStore(ps(ref), ss('kv')), false);
    assert.equal(pushSecretHoldsStore(ps({ ...ref, deletionPolicy: 'Delete' }, { namespace: 'other' }), ss('kv')), false);
    // Pushed to before the ref was changed to another store: still held (status.syncedPushSecrets index).
    assert.equal(pushSecretHoldsStore(ps({ secretStoreRefs: [{ kind: 'SecretStore', name: 'new' }], deletionPolicy: 'Delete' }, { synced: ['SecretStore/kv'] }), ss('kv')), true);
    // A ClusterSecretStore by a PushSecret of any namespace.
    assert.equal(pushSecretHoldsStore(ps({ secretStoreRefs: [{ kind: 'ClusterSecretStore', name: 'akv' }], deletionPolicy: 'Delete' }, { namespace: 'x' }), css('akv')), true);
  });

  it('index keys cover what pushSecretHoldsStore can hold', () => {
    const p = ps({ deletionPolicy: 'Delete', secretStoreRefs: [{ kind: 'SecretStore', name: 'kv' }, { kind: 'ClusterSecretStore', labelSelector: { matchLabels: { t: 'a' } } }] }, { synced: ['SecretStore/old'] });
    assert.deepEqual(storeHoldKeys(p).sort(), ['ClusterSecretStore:/*', 'SecretStore:app/kv', 'SecretStore:app/old']);
    assert.deepEqual(storeHoldKeys({ ...p, spec: { ...p.spec, deletionPolicy: 'None' } }), []);
    for (const store of [ss('kv'), ss('old'), css('any', { t: 'a' })]) {
      assert.ok(storeHoldLookups(store).some((k) => storeHoldKeys(p).includes(k)), `${store.kind} ${store.metadata.name}`);
      assert.equal(pushSecretHoldsStore(p, store), true);
    }
  });

  it('adds while held, removes when not (also while deleting), keeps while deleting and held', () => {
    const live = { metadata: { finalizers: ['other'] } };
    assert.deepEqual(storeFinalizersFor(live, true), ['other', SECRET_STORE_FINALIZER]);
    assert.equal(storeFinalizersFor(live, false), undefined);
    const holding = { metadata: { finalizers: ['other', SECRET_STORE_FINALIZER] } };
    assert.equal(storeFinalizersFor(holding, true), undefined);
    assert.deepEqual(storeFinalizersFor(holding, false), ['other']);
    const deleting = { metadata: { finalizers: [SECRET_STORE_FINALIZER], deletionTimestamp: '2026-12-02T00:00:00Z' } };
    assert.equal(storeFinalizersFor(deleting, true), undefined);
    assert.deepEqual(storeFinalizersFor(deleting, false), []);
    // Never added to a store already being deleted.
    assert.equal(storeFinalizersFor({ metadata: { deletionTimestamp: '2026-12-02T00:00:00Z' } }, true), undefined);
  });
});
