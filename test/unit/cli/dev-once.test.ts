// `dev --once` is the CI smoke test: its exit code and summary (dev-session.ts onceSummary), and
// what the load prints about refused cluster-scoped objects and PushSecrets (loadAndReport).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAndReport, loadErrorCount, onceSummary } from '../../../src/cli/dev/dev-session.ts';

describe('dev --once summary', () => {
  it('exits 0 only when nothing fails and the load had no error', () => {
    assert.deepEqual(onceSummary({ ready: 2, failed: 0, loadErrors: 0 }), { lines: ['2 ExternalSecret(s) ready, 0 failing'], exitCode: 0 });
    assert.equal(onceSummary({ ready: 1, failed: 1, loadErrors: 0 }).exitCode, 1);
  });
  it('exits 1 when a manifest was refused though no ExternalSecret fails (a refused ClusterPushSecret, say)', () => {
    const s = onceSummary({ ready: 0, failed: 0, loadErrors: 1 });
    assert.equal(s.exitCode, 1);
    assert.deepEqual(s.lines, ['0 ExternalSecret(s) ready, 0 failing', '1 manifest error(s) above: what they name was not applied']);
  });
});

describe('dev load report', () => {
  it('names a refused cluster-scoped object without a namespace, counts it as a load error, and says PushSecrets are not run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'projector-dev-once-'));
    writeFileSync(join(dir, 'all.yaml'), [
      ['apiVersion: external-secrets.io/v1alpha1', 'kind: ClusterPushSecret', 'metadata: { name: cps, namespace: default }', 'spec:', '  bogusField: 1'].join('\n'),
      ['apiVersion: external-secrets.io/v1alpha1', 'kind: PushSecret', 'metadata: { name: ps, namespace: demo }', 'spec:',
        '  secretStoreRefs: [{ kind: ClusterSecretStore, name: s }]', '  selector: { secret: { name: src } }',
        '  data: [{ match: { secretKey: a, remoteRef: { remoteKey: r } } }]'].join('\n'),
    ].join('\n---\n'));
    const lines: string[] = [];
    const repo = await loadAndReport([dir], { line: (t) => lines.push(t) });
    const text = lines.join('\n');
    assert.match(text, /the API server would refuse ClusterPushSecret cps, so it was not applied/);
    assert.doesNotMatch(text, /ClusterPushSecret default\/cps/);
    assert.ok(loadErrorCount(repo) >= 1);
    assert.match(text, /1 PushSecret\(s\)\/ClusterPushSecret\(s\) not run by dev without a cluster: run them against the local vault with projector dev --cluster \(or --kubeconfig\); see their destinations with npx projector check /);
  });
});
