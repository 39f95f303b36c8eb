// ESO's ShouldProcessStore (pkg/controllers/secretstore/common.go): empty class or equal class.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ExternalSecret, GenericStore } from '../../../src/api/index.ts';
import { DEFAULT_CONTROLLER_CLASS, servesExternalSecret, shouldProcessStore } from '../../../src/core/controller-class.ts';
import { validateSecretStore } from '../../../src/core/validate.ts';

const store = (controller?: string) => ({ kind: 'SecretStore', metadata: { name: 's', namespace: 'n' }, spec: { provider: { fake: { data: [] } }, ...(controller === undefined ? {} : { controller }) } }) as unknown as GenericStore;

describe('controller class', () => {
  it('serves a store naming no class, or naming this class, and nothing else', () => {
    assert.equal(shouldProcessStore(store(), 'default'), true);
    assert.equal(shouldProcessStore(store(''), 'default'), true);
    assert.equal(shouldProcessStore(store('default'), 'default'), true);
    assert.equal(shouldProcessStore(store('team-a'), 'default'), false);
    assert.equal(shouldProcessStore(store('team-a'), 'team-a'), true);
    assert.equal(shouldProcessStore(store(), 'team-a'), true);
    assert.equal(shouldProcessStore(undefined, 'team-a'), true);
    assert.equal(DEFAULT_CONTROLLER_CLASS, 'default');
  });

  it('exclusive (projector dev --cluster) serves only stores naming its class, never unclassed ones', () => {
    assert.equal(shouldProcessStore(store(), 'projector-dev', true), false);
    assert.equal(shouldProcessStore(store(''), 'projector-dev', true), false);
    assert.equal(shouldProcessStore(store('default'), 'projector-dev', true), false);
    assert.equal(shouldProcessStore(store('projector-dev'), 'projector-dev', true), true);
  });

  // ESO's shouldSkipUnmanagedStore (pkg/controllers/externalsecret/externalsecret_controller.go):
  // a store that exists and names another class skips the ExternalSecret; a missing one does not.
  it('reconciles an ExternalSecret unless a store it names exists and is not served; the same in exclusive mode', () => {
    const es = {
      metadata: { name: 'e', namespace: 'n' },
      spec: { secretStoreRef: { name: 'main', kind: 'SecretStore' }, data: [{ secretKey: 'k', remoteRef: { key: 'r' }, sourceRef: { storeRef: { name: 'other', kind: 'ClusterSecretStore' } } }] },
    } as unknown as ExternalSecret;
    const lookups: string[] = [];
    const finder = (stores: Record<string, GenericStore>) => (kind: string | undefined, key: string) => {
      lookups.push(`${kind}:${key}`);
      return stores[`${kind}:${key}`];
    };
    assert.equal(servesExternalSecret(es, finder({}), 'default'), true);
    assert.deepEqual(lookups, ['SecretStore:n/main', 'ClusterSecretStore:/other']);
    assert.equal(servesExternalSecret(es, finder({}), 'projector-dev', true), true, 'a missing store is the sync\'s to report, in every mode');
    assert.equal(servesExternalSecret(es, finder({ 'SecretStore:n/main': store() }), 'default'), true);
    assert.equal(servesExternalSecret(es, finder({ 'SecretStore:n/main': store() }), 'projector-dev', true), false);
    assert.equal(servesExternalSecret(es, finder({ 'SecretStore:n/main': store('projector-dev') }), 'projector-dev', true), true);
    assert.equal(servesExternalSecret(es, finder({ 'ClusterSecretStore:/other': store('team-a') }), 'default'), false, 'a per-item store counts');
  });

  it('validate warns (never errs) about a store the default class does not serve, by the same rule', () => {
    const codes = (s: GenericStore) => validateSecretStore(s).filter((i) => i.code === 'ControllerClass').map((i) => `${i.severity}:${i.path}`);
    assert.deepEqual(codes(store()), []);
    assert.deepEqual(codes(store('default')), []);
    assert.deepEqual(codes(store('team-a')), ['warning:spec.controller']);
  });
});
