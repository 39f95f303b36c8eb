// `projector dev --kubeconfig`: the same loop reconciled into a real API server by the in-process
// operator (CRDs installed on demand, stores under controller class projector-dev).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlPlane, type ControlPlane } from '../support/controlplane.ts';
import { Cluster, assertNowhere } from '../support/cluster.ts';

const root = new URL('../../', import.meta.url).pathname;

describe('projector dev --kubeconfig (real API server)', { timeout: 600_000 }, () => {
  let cp: ControlPlane;
  before(async () => {
    cp = await startControlPlane();
  });
  after(async () => {
    await cp?.stop();
  });

  it('installs the CRDs, reconciles the HOWTO into the cluster, and follows a rotation (--demo)', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'projector-dev-cluster-'));
    cpSync(join(root, 'examples/netbox'), repo, { recursive: true });
    const canary = `canary-devcluster-${Math.random().toString(36).slice(2)}`;
    writeFileSync(join(repo, 'values.env'), `netbox-db-password=${canary}\n`);
    const r = spawnSync(process.execPath, [join(root, 'src/cli/main.ts'), 'dev', '.', '--kubeconfig', cp.kubeconfigPath, '--install-crds', '--demo', '--no-prompt', '--seed', 'values.env'], {
      cwd: repo,
      encoding: 'utf8',
      timeout: 150_000,
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /installed the external-secrets\.io CRDs/);
    assert.match(r.stdout, /✓ netbox\/netbox-db-password → Secret netbox\/netbox-db-credentials/);
    assert.match(r.stdout, /data-hash (\w+) → (?!\1)\w+/);

    const k = new Cluster(cp.admin);
    const s = await k.secret('netbox', 'netbox-db-credentials');
    assert.ok(s?.data?.DB_PASSWORD, 'the Secret is in the cluster');
    assert.equal(s.metadata.ownerReferences[0].kind, 'ExternalSecret');
    const css: any = await k.custom.getClusterCustomObject({ group: 'external-secrets.io', version: 'v1', plural: 'clustersecretstores', name: 'akv-hybridops' });
    assert.equal(css.spec.controller, 'projector-dev');
    assertNowhere([canary], { stdout: r.stdout, stderr: r.stderr, 'dev.log': readFileSync(join(repo, '.projector/dev.log'), 'utf8'), 'statuses and events': await k.observableText(['netbox']) });
  });
});
