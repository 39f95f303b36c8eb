import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterSecretStoreCondition, GenericStore } from '../../../src/api/index.ts';
import { isStoreAllowed, labelSelectorQuery, matchesLabelSelector } from '../../../src/core/store-access.ts';

function clusterStore(conditions?: ClusterSecretStoreCondition[]): GenericStore {
  return { apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name: 'akv' }, spec: { provider: { fake: { data: [] } }, conditions } };
}

describe('isStoreAllowed', () => {
  it('lets a SecretStore serve only its own namespace', () => {
    const store: GenericStore = { apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 's', namespace: 'netbox' }, spec: { provider: { fake: { data: [] } } } };
    assert.deepEqual(isStoreAllowed(store, 'netbox', {}), { allowed: true });
    const denied = isStoreAllowed(store, 'other', {});
    assert.equal(denied.allowed, false);
    assert.match(!denied.allowed ? denied.reason : '', /serves only that namespace/);
  });

  it('lets a ClusterSecretStore without conditions serve every namespace', () => {
    assert.deepEqual(isStoreAllowed(clusterStore(), 'anything', undefined), { allowed: true });
    assert.deepEqual(isStoreAllowed(clusterStore([]), 'anything', undefined), { allowed: true });
  });

  it('allows a namespace named in any condition', () => {
    const store = clusterStore([{ namespaces: ['a'] }, { namespaces: ['netbox'] }]);
    assert.deepEqual(isStoreAllowed(store, 'netbox', undefined), { allowed: true });
    assert.equal(isStoreAllowed(store, 'b', undefined).allowed, false);
  });

  it('matches namespaceRegexes unanchored, as Go does, and ignores invalid ones', () => {
    const store = clusterStore([{ namespaceRegexes: ['(?=x)', 'prod'] }]);
    assert.deepEqual(isStoreAllowed(store, 'team-prod-1', undefined), { allowed: true });
    assert.equal(isStoreAllowed(clusterStore([{ namespaceRegexes: ['^prod$'] }]), 'team-prod', undefined).allowed, false);
  });

  it('matches namespaceRegexes with Go\'s syntax and in linear time', () => {
    // Go-only syntax (JavaScript's RegExp refuses \\A, \\z and (?P<n>...)), ESO's regexp.MatchString.
    const store = clusterStore([{ namespaceRegexes: ['\\Ateam-(?P<env>prod|stage)\\z'] }]);
    assert.deepEqual(isStoreAllowed(store, 'team-prod', undefined), { allowed: true });
    assert.equal(isStoreAllowed(store, 'team-prod-2', undefined).allowed, false);
    // Exponential for a backtracking engine; answered at once by RE2.
    const redos = clusterStore([{ namespaceRegexes: ['^(a+)+$'] }]);
    assert.equal(isStoreAllowed(redos, `${'a'.repeat(62)}!`, undefined).allowed, false);
  });

  it('matches namespaceSelector against the labels, including kubernetes.io/metadata.name', () => {
    const store = clusterStore([{ namespaceSelector: { matchLabels: { 'secrets.hybridops/akv': 'allowed' } } }]);
    assert.deepEqual(isStoreAllowed(store, 'netbox', { 'secrets.hybridops/akv': 'allowed' }), { allowed: true });
    assert.equal(isStoreAllowed(store, 'netbox', {}).allowed, false);
    const byName = clusterStore([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'netbox' } } }]);
    assert.deepEqual(isStoreAllowed(byName, 'netbox', {}), { allowed: true });
  });

  it('says when a selector could not be evaluated because the labels are unknown', () => {
    const denied = isStoreAllowed(clusterStore([{ namespaceSelector: { matchLabels: { a: 'b' } } }]), 'netbox', undefined);
    assert.equal(denied.allowed, false);
    assert.match(!denied.allowed ? denied.reason : '', /labels are unknown/);
  });
});

describe('matchesLabelSelector', () => {
  const labels = { tier: 'web', env: 'prod' };
  it('treats an empty selector as matching everything', () => {
    assert.ok(matchesLabelSelector({}, labels));
  });
  it('requires every matchLabels pair and every expression', () => {
    assert.ok(matchesLabelSelector({ matchLabels: { tier: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'stage'] }] }, labels));
    assert.ok(!matchesLabelSelector({ matchLabels: { tier: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['dev'] }] }, labels));
  });
  it('implements In, NotIn, Exists and DoesNotExist', () => {
    assert.ok(matchesLabelSelector({ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] }, labels));
    assert.ok(matchesLabelSelector({ matchExpressions: [{ key: 'missing', operator: 'NotIn', values: ['x'] }] }, labels));
    assert.ok(!matchesLabelSelector({ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, labels));
    assert.ok(matchesLabelSelector({ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, labels));
    assert.ok(!matchesLabelSelector({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, labels));
    assert.ok(matchesLabelSelector({ matchExpressions: [{ key: 'gone', operator: 'DoesNotExist' }] }, labels));
  });
  it('matches nothing for an invalid expression', () => {
    assert.ok(!matchesLabelSelector({ matchExpressions: [{ key: 'env', operator: 'In', values: [] }] }, labels));
    assert.ok(!matchesLabelSelector({ matchExpressions: [{ key: 'env', operator: 'Equals', values: ['prod'] }] }, labels));
  });
});

describe('labelSelectorQuery', () => {
  it("writes apimachinery's selector syntax (labels.Selector.String) for the list's labelSelector", () => {
    assert.equal(labelSelectorQuery({}), '');
    assert.equal(
      labelSelectorQuery({
        matchLabels: { app: 'web', tier: 'front' },
        matchExpressions: [
          { key: 'env', operator: 'In', values: ['prod', 'stage'] },
          { key: 'zone', operator: 'NotIn', values: ['a'] },
          { key: 'team', operator: 'Exists' },
          { key: 'legacy', operator: 'DoesNotExist' },
        ],
      }),
      'app=web,tier=front,env in (prod,stage),zone notin (a),team,!legacy',
    );
  });
});
