// ESO's ShouldProcessStore (pkg/controllers/secretstore/common.go): empty class or equal class.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { GenericStore } from '../../../src/api/index.ts';
import { DEFAULT_CONTROLLER_CLASS, shouldProcessStore } from '../../../src/core/controller-class.ts';
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

  it('validate warns (never errs) about a store the default class does not serve, by the same rule', () => {
    const codes = (s: GenericStore) => validateSecretStore(s).filter((i) => i.code === 'ControllerClass').map((i) => `${i.severity}:${i.path}`);
    assert.deepEqual(codes(store()), []);
    assert.deepEqual(codes(store('default')), []);
    assert.deepEqual(codes(store('team-a')), ['warning:spec.controller']);
  });
});
