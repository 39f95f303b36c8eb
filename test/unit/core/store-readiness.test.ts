// ESO's flood gate as one pure rule (src/core/store-readiness.ts). Behaviour from ESO v2.9
// pkg/controllers/secretstore/client_manager.go assertStoreIsUsable: a store is usable only when its
// Ready condition exists and is True; the error is `%s %q is not ready` (kind, name).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { GenericStore } from '../../../src/api/index.ts';
import { storeNotReady } from '../../../src/core/store-readiness.ts';
import { fakeStore } from '../../support/builders.ts';

function withReady(store: GenericStore, ready: { status: string; reason?: string; message?: string } | undefined, other: { type: string; status: string }[] = []): GenericStore {
  return { ...store, status: { conditions: [...other, ...(ready ? [{ type: 'Ready', ...ready }] : [])] } };
}

describe('storeNotReady (the flood gate)', () => {
  const css = fakeStore([]);
  const ss = fakeStore([], 'SecretStore', 'netbox');

  it('lets a store whose Ready condition is True through', () => {
    assert.equal(storeNotReady(withReady(css, { status: 'True', reason: 'Valid' }), 'spec.secretStoreRef.name'), undefined);
    assert.equal(storeNotReady(withReady(ss, { status: 'True' }), 'spec.secretStoreRef.name'), undefined);
  });

  it('refuses a store whose Ready condition is False, naming kind, name, status and reason (never the store message)', () => {
    const e = storeNotReady(withReady(css, { status: 'False', reason: 'ValidationFailed', message: 'StoreAuthFailed: the tenant refused client "app"' }), 'spec.secretStoreRef.name');
    assert.ok(e);
    assert.equal(e.code, 'StoreNotReady');
    assert.equal(e.retry, 'backoff');
    assert.equal(e.describe(), 'StoreNotReady: ClusterSecretStore "akv-hybridops" is not ready: its Ready condition is False (ValidationFailed)');
    assert.deepEqual(e.details, { field: 'spec.secretStoreRef.name' });
  });

  it('refuses a store with no Ready condition (ESO treats a nil condition as not ready, whatever its flag help says)', () => {
    // No status at all, and a status with only other conditions.
    for (const store of [ss, withReady(ss, undefined, [{ type: 'Other', status: 'True' }])]) {
      const e = storeNotReady(store, 'spec.data[0].sourceRef.storeRef.name');
      assert.ok(e);
      assert.equal(e.message, 'SecretStore "akv-hybridops" is not ready: it has no Ready condition yet');
      assert.equal(e.details.field, 'spec.data[0].sourceRef.storeRef.name');
    }
  });

  it('refuses Unknown (only True opens the gate), with no reason when the condition has none', () => {
    assert.equal(storeNotReady(withReady(css, { status: 'Unknown' }), 'f')?.message, 'ClusterSecretStore "akv-hybridops" is not ready: its Ready condition is Unknown');
  });
});
