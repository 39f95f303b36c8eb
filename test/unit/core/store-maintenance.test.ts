// ESO's maintenance notices (core/store-maintenance.ts): the webhook's and `projector validate`'s
// warning, and the store controller's event, from one table.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { maintenanceEvent, maintenanceWarnings } from '../../../src/core/store-maintenance.ts';
import { providerStoreIssues } from '../../../src/providers/registry.ts';
import { defaultRegistry } from '../../../src/cli/default-registry.ts';
import type { GenericStore } from '../../../src/api/index.ts';

const store = (name: string, provider: object, annotations?: Record<string, string>): GenericStore =>
  ({ apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name, ...(annotations && { annotations }) }, spec: { provider } }) as GenericStore;
const OPT_OUT = { 'external-secrets.io/ignore-maintenance-checks': '' };

describe('store maintenance notices (ESO secretstore_validator.go validateStore, secretstore/common.go reconcile)', () => {
  it("the webhook's warning names the store (warnStoreUnmaintained, warnStoreDeprecated), annotated or not", () => {
    const s = store('kv', {});
    assert.deepEqual(maintenanceWarnings(s, 'NotMaintained'), [{ path: '', code: 'StoreUnmaintained', message: "store kv isn't currently maintained. Please plan and prepare accordingly.", severity: 'warning' }]);
    assert.deepEqual(maintenanceWarnings(s, 'Deprecated'), [{ path: '', code: 'StoreDeprecated', message: 'store kv is deprecated and will stop working on the next major version. Please plan and prepare accordingly.', severity: 'warning' }]);
    assert.deepEqual(maintenanceWarnings(s, undefined), []);
    // ESO's webhook never reads external-secrets.io/ignore-maintenance-checks.
    assert.equal(maintenanceWarnings(store('kv', {}, OPT_OUT), 'NotMaintained').length, 1);
  });

  it("the event's message does not name the store (msgStoreNotMaintained, msgStoreDeprecated) and the annotation, any value, silences it", () => {
    assert.deepEqual(maintenanceEvent(store('kv', {}), 'NotMaintained'), { reason: 'StoreUnmaintained', message: "store isn't currently maintained. Please plan and prepare accordingly." });
    assert.deepEqual(maintenanceEvent(store('kv', {}), 'Deprecated'), { reason: 'StoreDeprecated', message: 'store is deprecated and will be removed on the next minor release. Please plan and prepare accordingly.' });
    assert.equal(maintenanceEvent(store('kv', {}), undefined), undefined);
    assert.equal(maintenanceEvent(store('kv', {}, OPT_OUT), 'NotMaintained'), undefined);
    assert.equal(maintenanceEvent(store('kv', {}, { 'external-secrets.io/ignore-maintenance-checks': 'false' }), 'NotMaintained'), undefined);
  });

  it('the shared store checks add it after the provider\'s own findings, for the providers ESO marks (fake: NotMaintained; azurekv: Maintained)', () => {
    const providers = defaultRegistry().providers();
    const fake = providerStoreIssues(providers, store('f', { fake: { data: [] } }));
    assert.deepEqual(fake.map((i) => [i.code, i.message]), [['StoreUnmaintained', "store f isn't currently maintained. Please plan and prepare accordingly."]]);
    const akv = providerStoreIssues(providers, store('a', { azurekv: { vaultUrl: 'https://v.vault.azure.net', authType: 'ManagedIdentity' } }));
    assert.ok(!akv.some((i) => i.code === 'StoreUnmaintained'), JSON.stringify(akv));
    // A provider's own finding comes first, as ESO appends the maintenance warning to ValidateStore's.
    const first = { name: 'fake', maintenance: 'NotMaintained', validateStore: () => [{ path: 'spec.provider.fake.data', code: 'Own', message: 'm', severity: 'warning' }] } as never;
    assert.deepEqual(providerStoreIssues([first], store('f', { fake: {} })).map((i) => i.code), ['Own', 'StoreUnmaintained']);
  });
});
