// core/push-secret.ts against ESO v2.9's pushsecret_controller.go (shouldRefresh, statusRef,
// mergeSecretState, DeleteSecretFromProviders, validateRemoteKeyUniqueness, markAsDone/Failed) and
// the Azure provider's whole-Secret JSON (keyvault.go getSecretKey + esutils.JSONMarshal).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PushSecret } from '../../../src/api/pushsecret.ts';
import { ProjectorError } from '../../../src/core/errors.ts';
import {
  mergeSyncedState, planPushItems, pushDeletions, pushRefreshReason, pushStatusFailed, pushStatusSynced, pushSyncVersionOf, statusRefOf, untilNextPush,
  validatePushSecret, assertValidPushSecret, pushSyncedMessage,
} from '../../../src/core/push-secret.ts';
import { Sensitive } from '../../../src/core/sensitive.ts';

const bytes = (s: string | Uint8Array) => new Sensitive(typeof s === 'string' ? new Uint8Array(Buffer.from(s, 'utf8')) : s);
const text = (b: Sensitive<Uint8Array>) => Buffer.from(b.reveal()).toString('utf8');
const now = new Date('2026-01-01T00:00:00Z');

function ps(spec: Partial<PushSecret['spec']> = {}, status?: PushSecret['status']): PushSecret {
  return {
    apiVersion: 'external-secrets.io/v1alpha1',
    kind: 'PushSecret',
    metadata: { name: 'p', namespace: 'ns', generation: 1 },
    spec: { secretStoreRefs: [{ name: 'kv', kind: 'SecretStore' }], selector: { secret: { name: 'src' } }, data: [{ match: { secretKey: 'a', remoteRef: { remoteKey: 'ra' } } }], ...spec },
    ...(status && { status }),
  };
}

describe('PushSecret planning', () => {
  it('pushes a key, and the whole Secret as Go json.Marshal of map[string]string without HTML escaping', () => {
    const p = ps({ data: [{ match: { secretKey: 'a', remoteRef: { remoteKey: 'ra' } } }, { match: { remoteRef: { remoteKey: 'all' } } }] });
    const items = planPushItems(p, new Map([['b', bytes('<x&y>"\n\u2028é')], ['a', bytes('1')], ['Z', bytes(new Uint8Array([0xff, 0x01]))]]));
    assert.deepEqual(items.map((i) => [i.statusRef, i.field]), [['ra', 'spec.data[0]'], ['all', 'spec.data[1]']]);
    assert.equal(text(items[0]!.value), '1');
    // Expected bytes from Go 1.26: json.NewEncoder with SetEscapeHTML(false) of
    // map[string]string{"b": "<x&y>\"\n\u2028é", "a": "1", "Z": "\xff\x01"} (encoding/json appendString).
    assert.equal(text(items[1]!.value), '{"Z":"\\ufffd\\u0001","a":"1","b":"<x&y>\\"\\n\\u2028é"}');
  });

  it('fails naming a missing key, never a value', () => {
    assert.throws(() => planPushItems(ps(), new Map([['other', bytes('v')]])), (e: ProjectorError) => e.code === 'SourceNotFound' && e.message === 'secret key a does not exist' && e.details.field === 'spec.data[0].match.secretKey');
  });

  it("statusRef is remoteKey or remoteKey/property (ESO's statusRef)", () => {
    assert.equal(statusRefOf({ match: { remoteRef: { remoteKey: 'k' } } }), 'k');
    assert.equal(statusRefOf({ match: { remoteRef: { remoteKey: 'k', property: 'p' } } }), 'k/p');
  });

  it('validates: duplicate destinations with ESO text, NotSupported fields, selector rules', () => {
    const dup = validatePushSecret(ps({ data: [{ match: { secretKey: 'a', remoteRef: { remoteKey: 'r' } } }, { match: { secretKey: 'b', remoteRef: { remoteKey: 'r' } } }] }));
    assert.deepEqual(dup.map((i) => [i.path, i.message]), [['spec.data[1].match.remoteRef', 'duplicate remote key "r": source keys "a" and "b" both map to the same destination']]);
    // azurekv ignores property (ESO's Azure PushSecret replaces the whole secret): items differing
    // only by property would overwrite each other, so they are refused; property alone is a warning.
    const byProperty = validatePushSecret(ps({ data: [{ match: { secretKey: 'a', remoteRef: { remoteKey: 'r', property: 'x' } } }, { match: { secretKey: 'b', remoteRef: { remoteKey: 'r', property: 'y' } } }] }));
    assert.deepEqual(byProperty.map((i) => [i.path, i.code, i.severity]), [
      ['spec.data[0].match.remoteRef.property', 'PropertyIgnored', 'warning'],
      ['spec.data[1].match.remoteRef.property', 'PropertyIgnored', 'warning'],
      ['spec.data[1].match.remoteRef', 'InvalidSpec', 'error'],
    ]);
    assert.match(byProperty[2]!.message, /^remote key "r" is also written by spec\.data\[0\]; they differ only by property/);
    const oneWithout = validatePushSecret(ps({ data: [{ match: { secretKey: 'a', remoteRef: { remoteKey: 'r' } } }, { match: { secretKey: 'b', remoteRef: { remoteKey: 'r', property: 'y' } } }] }));
    assert.deepEqual(oneWithout.filter((i) => i.severity === 'error').map((i) => i.path), ['spec.data[1].match.remoteRef']);
    const sameProperty = validatePushSecret(ps({ data: [{ match: { secretKey: 'a', remoteRef: { remoteKey: 'r', property: 'x' } } }, { match: { secretKey: 'b', remoteRef: { remoteKey: 'r', property: 'x' } } }] }));
    assert.deepEqual(sameProperty.filter((i) => i.severity === 'error').map((i) => i.message), ['duplicate remote key "r" with property "x": source keys "a" and "b" both map to the same destination']);
    const single = validatePushSecret(ps({ data: [{ match: { secretKey: 'a', remoteRef: { remoteKey: 'r', property: 'x' } } }] }));
    assert.deepEqual(single.map((i) => i.severity), ['warning']);
    assert.doesNotThrow(() => assertValidPushSecret(ps({ data: [{ match: { secretKey: 'a', remoteRef: { remoteKey: 'r', property: 'x' } } }] })));
    assert.throws(() => assertValidPushSecret(ps({ data: [{ match: { secretKey: 'a', remoteRef: { remoteKey: 'r', property: 'x' } } }, { match: { secretKey: 'b', remoteRef: { remoteKey: 'r', property: 'y' } } }] })), (e: ProjectorError) => e.code === 'InvalidSpec' && e.details.field === 'spec.data[1].match.remoteRef');
    // dataTo and label-selected stores are served: valid, they raise nothing; a dataTo naming a store
    // secretStoreRefs lists only by label is ESO's validateDataToStoreRefs error.
    assert.deepEqual(validatePushSecret(ps({ dataTo: [{ storeRef: { name: 'kv' } }], secretStoreRefs: [{ name: 'kv', kind: 'SecretStore' }, { labelSelector: { matchLabels: { a: 'b' } } }] })), []);
    const codes = validatePushSecret(ps({ dataTo: [{ storeRef: { name: 'kv' } }], selector: { secret: { selector: { matchLabels: { a: 'b' } } } }, secretStoreRefs: [{ labelSelector: { matchLabels: { a: 'b' } } }] })).map((i) => [i.path, i.code]);
    assert.deepEqual(codes, [['spec.dataTo[0].storeRef.name', 'InvalidSpec']]);
    // selector.secret.selector is served; one LabelSelectorAsSelector refuses is reported at its path.
    assert.deepEqual(validatePushSecret(ps({ selector: { secret: { selector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] } } } })), []);
    const badSelector = validatePushSecret(ps({ selector: { secret: { selector: { matchExpressions: [{ key: 'app', operator: 'In', values: [] }] } } } }));
    assert.deepEqual(badSelector.map((i) => [i.path, i.code]), [['spec.selector.secret.selector.matchExpressions[0].values', 'InvalidSelector']]);
    assert.throws(() => assertValidPushSecret(ps({ selector: { secret: { selector: { matchExpressions: [{ key: 'app', operator: 'Exists', values: ['x'] }] } } } })), (e: ProjectorError) => e.code === 'InvalidSpec' && e.details.field === 'spec.selector.secret.selector.matchExpressions[0].values');
    assert.deepEqual(validatePushSecret(ps({ refreshInterval: '1 hour' })).map((i) => i.path), ['spec.refreshInterval']);
  });

  it("refreshes as ESO's shouldRefresh, plus a changed source; interval 0 pushes once per PushSecret change", () => {
    const synced = (refreshTime: string, spec: Partial<PushSecret['spec']> = {}) => {
      const p = ps(spec);
      return ps(spec, { refreshTime, syncedResourceVersion: pushSyncVersionOf(p) });
    };
    assert.equal(pushRefreshReason(ps(), now), 'never-synced');
    assert.equal(pushRefreshReason(ps({}, { refreshTime: now.toISOString(), syncedResourceVersion: '0-x' }), now), 'spec-changed');
    assert.equal(pushRefreshReason(synced('2025-12-31T23:30:00Z'), now), 'up-to-date');
    assert.equal(pushRefreshReason(synced('2025-12-31T23:30:00Z'), now, true), 'source-changed');
    assert.equal(pushRefreshReason(synced('2025-12-31T22:59:59Z'), now), 'interval-elapsed');
    assert.equal(pushRefreshReason(synced('2025-01-01T00:00:00Z', { refreshInterval: '0' }), now, true), 'up-to-date');
    // Not due: ESO requeues at interval - since + 5s.
    assert.equal(untilNextPush(synced('2025-12-31T23:30:00Z'), now, false), 30 * 60_000 + 5_000);
    assert.equal(untilNextPush(ps({ refreshInterval: '10m' }), now, true), 600_000);
    assert.equal(untilNextPush(ps({ refreshInterval: '0' }), now, true), undefined);
  });

  it("takes a negative refreshInterval as ESO's shouldRefresh does: always elapsed, no periodic requeue (pushsecret_controller.go)", () => {
    const p = ps({ refreshInterval: '-1h' });
    assert.deepEqual(validatePushSecret(p).filter((i) => i.path === 'spec.refreshInterval'), []);
    const synced = ps({ refreshInterval: '-1h' }, { refreshTime: now.toISOString(), syncedResourceVersion: pushSyncVersionOf(p) });
    // refreshTime + (-1h) is before now: pushed on every reconcile, even one just after a push.
    assert.equal(pushRefreshReason(synced, now), 'interval-elapsed');
    // controller-runtime ignores RequeueAfter <= 0.
    assert.equal(untilNextPush(synced, now, true), undefined);
    assert.equal(untilNextPush(synced, now, false), undefined);
    assert.deepEqual(validatePushSecret(ps({ refreshInterval: '--1h' })).map((i) => i.path), ['spec.refreshInterval']);
  });

  it("deletes what the new synced map lacks, per store and entry; merges state as ESO's mergeSecretState (old entries win)", () => {
    const item = (k: string) => ({ match: { remoteRef: { remoteKey: k } } });
    const old = { 'SecretStore/a': { x: item('x'), y: item('y') }, 'ClusterSecretStore/b': { z: item('z') } };
    const next = { 'SecretStore/a': { x: item('x') } };
    assert.deepEqual(pushDeletions(old, next).map((d) => `${d.storeKey}:${d.statusRef}`), ['SecretStore/a:y', 'ClusterSecretStore/b:z']);
    assert.deepEqual(pushDeletions(old, {}).length, 3);
    // pushsecret_controller.go mergeSecretState: out := newMap.DeepCopy(); maps.Insert(out[k], old[k]):
    // an entry in both keeps old's item; entries and stores only in new are kept; nil new gives old.
    const merged = mergeSyncedState({ 'SecretStore/a': { x: item('x2'), n: item('n') }, 'SecretStore/c': { w: item('w') } }, old);
    assert.deepEqual(merged, { 'SecretStore/a': { x: item('x'), y: item('y'), n: item('n') }, 'ClusterSecretStore/b': { z: item('z') }, 'SecretStore/c': { w: item('w') } });
    assert.deepEqual(mergeSyncedState(undefined, old), old);
    assert.deepEqual(mergeSyncedState({}, undefined), {});
    assert.notEqual(mergeSyncedState({ 'SecretStore/a': {} }, old)['SecretStore/a'], old['SecretStore/a'], 'old maps are copied, never shared');
  });

  it("writes ESO's Ready condition: Synced (with the IfNotExists suffix) and Errored, keeping the transition time while the status holds", () => {
    const done = pushStatusSynced(ps({ updatePolicy: 'IfNotExists' }), {}, now);
    assert.deepEqual(done.conditions, [{ type: 'Ready', status: 'True', reason: 'Synced', message: 'PushSecret synced successfully. Existing secrets in providers unchanged.', lastTransitionTime: '2026-01-01T00:00:00Z' }]);
    assert.equal(done.refreshTime, '2026-01-01T00:00:00Z');
    const later = new Date('2026-01-01T01:00:00Z');
    const failed = pushStatusFailed(ps({}, done), 'X: boom', later);
    assert.equal(failed.conditions![0]!.lastTransitionTime, '2026-01-01T01:00:00Z');
    const failedAgain = pushStatusFailed(ps({}, failed), 'X: other', new Date('2026-01-01T02:00:00Z'));
    assert.equal(failedAgain.conditions![0]!.lastTransitionTime, '2026-01-01T01:00:00Z');
    assert.equal(failedAgain.refreshTime, '2026-01-01T00:00:00Z', 'a failure keeps the last refresh time');
  });

  it('a synced condition carries the property warning after ESO\'s message (path and reason, no value)', () => {
    assert.equal(pushSyncedMessage(ps()), 'PushSecret synced successfully');
    const withProperty = ps({ data: [{ match: { secretKey: 'a', remoteRef: { remoteKey: 'r', property: 'p' } } }] });
    assert.equal(
      pushStatusSynced(withProperty, {}, now).conditions![0]!.message,
      'PushSecret synced successfully. Warning: spec.data[0].match.remoteRef.property: property has no effect with azurekv: the value replaces the whole Key Vault secret (as ESO\'s Azure provider does)',
    );
  });
});
