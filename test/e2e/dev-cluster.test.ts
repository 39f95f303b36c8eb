// `projector dev --kubeconfig`: the same loop reconciled into a real API server by the in-process
// operator (CRDs installed on demand, stores under controller class projector-dev).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlPlane, type ControlPlane } from '../support/controlplane.ts';
import { Cluster, assertNowhere } from '../support/cluster.ts';
import { eventually } from '../support/eventually.ts';

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

  it('while watching, prints every ExternalSecret\'s state after each reload: unchanged, updated, then failing', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'projector-dev-cluster-watch-'));
    cpSync(join(root, 'examples/netbox'), repo, { recursive: true });
    // The first test installed the CRDs (a second --install-crds is a no-op).
    const child = spawn(process.execPath, [join(root, 'src/cli/main.ts'), 'dev', '.', '--kubeconfig', cp.kubeconfigPath, '--install-crds', '--no-prompt', '--refresh', '1s', '--work-dir', '.projector-watch'], { cwd: repo });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const esFile = join(repo, 'deploy/netbox/secrets/externalsecret-netbox-db-password.yaml');
    // Node's recursive fs.watch on Linux adds the subdirectories' watchers asynchronously: an edit
    // made right after start can pass unseen. The file is written again until the reload shows.
    const edit = async (text: string) => {
      const from = out.length;
      for (let i = 0; i < 10 && !out.slice(from).includes('manifests changed'); i++) {
        writeFileSync(esFile, text);
        await eventually(() => out.slice(from).includes('manifests changed'), true, { timeoutMs: 3_000 }).catch(() => undefined);
      }
    };
    try {
      await eventually(() => out, (o) => /✓ netbox\/netbox-db-password → Secret netbox\/netbox-db-credentials/.test(o) && /watching /.test(o), { timeoutMs: 90_000, message: 'first sync' });
      // An edit the operator does not see (a comment): no transition, but the state is shown.
      await edit(`# a comment\n${readFileSync(esFile, 'utf8')}`);
      // The in-process operator logs on stderr while dev waits for the reload's reconciles, so other
      // lines may come between "reloaded" and the state block (which is printed at once).
      await eventually(() => out, (o) => /manifests changed: reloaded\n(?:.*\n)*?state: 1 ExternalSecret\(s\) ready, 0 failing\n {2}✓ netbox\/netbox-db-password unchanged\n/.test(o), {
        timeoutMs: 30_000,
        message: 'dev --cluster prints the unchanged state after the reload',
      });
      let seen = out.length;
      // A change of the Secret's keys: updated.
      await edit(readFileSync(esFile, 'utf8').replace('secretKey: DB_PASSWORD', 'secretKey: NETBOX_DB_PASSWORD'));
      await eventually(() => out.slice(seen), (o) => /state: 1 ExternalSecret\(s\) ready, 0 failing\n {2}✓ netbox\/netbox-db-password updated\n/.test(o), {
        timeoutMs: 30_000,
        message: 'dev --cluster prints the updated state after the reload',
      });
      seen = out.length;
      // A template the engine refuses: failing, and why.
      await edit(readFileSync(esFile, 'utf8').replace('    creationPolicy: Owner', '    creationPolicy: Owner\n    template:\n      data:\n        x: "{{ nosuchfunction . }}"'));
      await eventually(() => out.slice(seen), (o) => /state: 0 ExternalSecret\(s\) ready, 1 failing\n {2}✗ netbox\/netbox-db-password failing: .*nosuchfunction/.test(o), {
        timeoutMs: 30_000,
        message: 'dev --cluster prints the failing state after the reload',
      });
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGINT');
        await exited;
      }
    }
  });

  it("applies the repository's generators and the in-process operator renders them into the Secret (--once)", async () => {
    const repo = mkdtempSync(join(tmpdir(), 'projector-dev-cluster-gen-'));
    const GV = 'generators.external-secrets.io/v1alpha1';
    writeFileSync(
      join(repo, 'manifests.yaml'),
      `apiVersion: ${GV}
kind: Password
metadata: { name: db-password, namespace: gen-app }
spec: { length: 12, digits: 3, symbols: 0 }
---
apiVersion: ${GV}
kind: ClusterGenerator
metadata: { name: shared-fake }
spec: { kind: Fake, generator: { fakeSpec: { data: { region: west-europe } } } }
---
apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata: { name: akv-gen }
spec:
  provider:
    azurekv:
      vaultUrl: "https://example-vault.vault.azure.net/"
      tenantId: "00000000-0000-4000-8000-000000000001"
      authSecretRef:
        clientId: { name: akv-creds, namespace: external-secrets, key: client-id }
        clientSecret: { name: akv-creds, namespace: external-secrets, key: client-secret }
---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: { name: db, namespace: gen-app }
spec:
  refreshInterval: 1h
  secretStoreRef: { kind: ClusterSecretStore, name: akv-gen }
  target: { name: db }
  data:
    - { secretKey: DB_USER, remoteRef: { key: gen-db-user } }
  dataFrom:
    - sourceRef: { generatorRef: { apiVersion: ${GV}, kind: Password, name: db-password } }
    - sourceRef: { generatorRef: { apiVersion: ${GV}, kind: ClusterGenerator, name: shared-fake } }
`,
    );
    const r = spawnSync(process.execPath, [join(root, 'src/cli/main.ts'), 'dev', '.', '--kubeconfig', cp.kubeconfigPath, '--install-crds', '--once', '--no-prompt'], { cwd: repo, encoding: 'utf8', timeout: 150_000 });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const s = await new Cluster(cp.admin).secret('gen-app', 'db');
    assert.deepEqual(Object.keys(s?.data ?? {}).sort(), ['DB_USER', 'password', 'region']);
    assert.match(Buffer.from(s.data.password, 'base64').toString(), /^[A-Za-z0-9]{12}$/);
    assert.equal(Buffer.from(s.data.region, 'base64').toString(), 'west-europe');
  });
});
