import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  ANNOTATION_SECRET_HASH,
  referencedSecretsOf,
  reloadPatchFor,
  trackedSecretsOf,
  workloadSecretHash,
  workloadViewOf,
  type WorkloadView,
} from '../../../src/core/workload-reload.ts';

const deployment = (annotations: Record<string, string>, templateAnnotations: Record<string, string> = {}) => ({
  metadata: { name: 'app', namespace: 'ns', resourceVersion: '7', annotations: { ...annotations, unrelated: 'x' } },
  spec: {
    template: {
      metadata: { annotations: templateAnnotations },
      spec: {
        initContainers: [{ envFrom: [{ secretRef: { name: 'init-env' } }] }],
        containers: [
          { env: [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'password' } } }, { name: 'PLAIN', value: 'v' }, { name: 'CM', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } }] },
          { envFrom: [{ secretRef: { name: 'env-all' } }, { configMapRef: { name: 'cm2' } }] },
        ],
        volumes: [
          { name: 'a', secret: { secretName: 'db-credentials' } },
          { name: 'b', projected: { sources: [{ secret: { name: 'projected-one' } }, { configMap: { name: 'cm3' } }] } },
          { name: 'c', emptyDir: {} },
        ],
      },
    },
  },
});

describe('workload reload (Reloader-compatible opt-in)', () => {
  it('finds every Secret a pod template references: env, envFrom, init containers, secret and projected volumes (not ConfigMaps)', () => {
    assert.deepEqual(referencedSecretsOf(deployment({}).spec.template.spec), ['db-credentials', 'env-all', 'init-env', 'projected-one']);
    assert.deepEqual(referencedSecretsOf(undefined), []);
  });

  it('keeps only the reload annotations and the applied hash of a workload', () => {
    const v = workloadViewOf('Deployment', deployment({ 'reloader.stakater.com/auto': 'true' }, { [ANNOTATION_SECRET_HASH]: 'abc', other: 'y' }));
    assert.deepEqual(v, {
      kind: 'Deployment',
      metadata: { name: 'app', namespace: 'ns', resourceVersion: '7', annotations: { 'reloader.stakater.com/auto': 'true' } },
      referencedSecrets: ['db-credentials', 'env-all', 'init-env', 'projected-one'],
      appliedHash: 'abc',
    });
  });

  it('tracks referenced Secrets with auto "true" (either spelling), listed ones with reload, nothing otherwise', () => {
    const view = (a: Record<string, string>) => workloadViewOf('StatefulSet', deployment(a));
    assert.deepEqual(trackedSecretsOf(view({})), []);
    assert.deepEqual(trackedSecretsOf(view({ 'reloader.stakater.com/auto': 'false' })), []);
    // Reloader compares with "true" exactly.
    assert.deepEqual(trackedSecretsOf(view({ 'reloader.stakater.com/auto': 'True' })), []);
    assert.deepEqual(trackedSecretsOf(view({ 'reloader.stakater.com/auto': 'true' })), ['db-credentials', 'env-all', 'init-env', 'projected-one']);
    assert.deepEqual(trackedSecretsOf(view({ 'secret.reloader.stakater.com/auto': 'true' })), ['db-credentials', 'env-all', 'init-env', 'projected-one']);
    // Listed names need not be referenced (Reloader's reload annotation); blanks and empties dropped.
    assert.deepEqual(trackedSecretsOf(view({ 'secret.reloader.stakater.com/reload': ' other , db-credentials,,' })), ['db-credentials', 'other']);
  });

  it('hashes the managed tracked Secrets by name and data hash only; undefined when none is managed', () => {
    const hashes: Record<string, string> = { a: 'h1', b: 'h2' };
    const of = (n: string) => hashes[n];
    const expected = createHash('sha256').update('a=h1\nb=h2').digest('hex').slice(0, 32);
    assert.equal(workloadSecretHash(['b', 'a', 'unmanaged'], of), expected);
    assert.equal(workloadSecretHash(['unmanaged'], of), undefined);
    assert.notEqual(workloadSecretHash(['a', 'b'], (n) => (n === 'a' ? 'h1-rotated' : hashes[n])), expected);
  });

  describe('when to patch the pod template', () => {
    const managed: Record<string, string> = { 'db-credentials': 'd1' };
    const of = (n: string) => managed[n];
    const auto = (applied?: string): WorkloadView => workloadViewOf('Deployment', deployment({ 'reloader.stakater.com/auto': 'true' }, applied ? { [ANNOTATION_SECRET_HASH]: applied } : {}));
    const current = workloadSecretHash(['db-credentials'], of)!;

    it('rolls on a data change of a tracked managed Secret', () => {
      assert.equal(reloadPatchFor(auto(), of, 'secret-data-changed'), current);
      assert.equal(reloadPatchFor(auto('stale'), of, 'secret-data-changed'), current);
    });
    it('does not roll a workload seen for the first time (its Pods read the current data)', () => {
      assert.equal(reloadPatchFor(auto(), of, 'observed'), undefined);
    });
    it('repairs a stale hash when observed (a change missed while the operator was down)', () => {
      assert.equal(reloadPatchFor(auto('stale'), of, 'observed'), current);
    });
    it('does nothing when the hash is current, the workload did not opt in, or no tracked Secret is managed', () => {
      assert.equal(reloadPatchFor(auto(current), of, 'secret-data-changed'), undefined);
      assert.equal(reloadPatchFor(workloadViewOf('DaemonSet', deployment({})), of, 'secret-data-changed'), undefined);
      assert.equal(reloadPatchFor(auto('stale'), () => undefined, 'secret-data-changed'), undefined);
    });
  });
});
