// `projector dev --kubeconfig`: the same loop reconciled into a real API server by the in-process
// operator (CRDs installed on demand, stores under controller class projector-dev).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlPlane, type ControlPlane } from '../support/controlplane.ts';
import { Cluster, CRD_FILES, assertNowhere } from '../support/cluster.ts';
import { eventually } from '../support/eventually.ts';
import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { startVault } from '../../src/vault/index.ts';
import { loadOrCreateDevPrincipal } from '../../src/vault/first-run.ts';
import { silentLogger } from '../../src/platform/logger.ts';
import { clientOptions, credentialOptions } from '../integration/vault/vault-support.ts';

const root = new URL('../../', import.meta.url).pathname;

/**
 * Opens the vault dev left in `<repo>/<workDir>/vault` (dev has exited: one process per data
 * directory) and reads through the Key Vault secrets API as the development principal.
 */
async function readDevVault<T>(repo: string, workDir: string, read: (kv: SecretClient, names: string[]) => Promise<T>): Promise<T> {
  const dataDir = join(repo, workDir, 'vault');
  const vault = await startVault({ dataDir, log: silentLogger() });
  try {
    const { principal } = loadOrCreateDevPrincipal(dataDir);
    const kv = new SecretClient(vault.url, new ClientSecretCredential(vault.tenantId, principal.clientId, principal.clientSecret!, credentialOptions(vault)), clientOptions(vault));
    return await read(kv, vault.admin.secretNames());
  } finally {
    await vault.close();
  }
}

/** A ClusterSecretStore on azurekv (dev points it at its local vault). */
/**
 * A watching `projector dev` session on `cpKubeconfig` in `repo`: its output so far (stdout and
 * stderr), `rewrite` (writes `file` until dev reports a reload: Node's recursive fs.watch on Linux
 * adds the subdirectories' watchers asynchronously, so an edit made right after start can pass
 * unseen; returns the output length before the edit) and `stop` (SIGINT, waits for the exit).
 */
function watchDev(repo: string, kubeconfig: string, args: string[]) {
  const child = spawn(process.execPath, [join(root, 'src/cli/main.ts'), 'dev', '.', '--kubeconfig', kubeconfig, '--install-crds', '--no-prompt', '--refresh', '1s', ...args], { cwd: repo });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return {
    output: () => out,
    async rewrite(file: string, text: string): Promise<number> {
      const from = out.length;
      for (let i = 0; i < 10 && !out.slice(from).includes('manifests changed'); i++) {
        writeFileSync(file, text);
        await eventually(() => out.slice(from).includes('manifests changed'), true, { timeoutMs: 3_000 }).catch(() => undefined);
      }
      return from;
    },
    async stop(): Promise<void> {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGINT');
        await exited;
      }
    },
  };
}

/** An azurekv store as a repository holds it: a ClusterSecretStore, or with `namespace` a SecretStore there (dev points it at the local vault). */
function akvStore(name: string, namespace?: string): string {
  const ns = namespace ? '' : ', namespace: external-secrets';
  return `apiVersion: external-secrets.io/v1
kind: ${namespace ? 'SecretStore' : 'ClusterSecretStore'}
metadata: { name: ${name}${namespace ? `, namespace: ${namespace}` : ''} }
spec:
  provider:
    azurekv:
      vaultUrl: "https://example-vault.vault.azure.net/"
      tenantId: "00000000-0000-4000-8000-000000000001"
      authSecretRef:
        clientId: { name: akv-creds${ns}, key: client-id }
        clientSecret: { name: akv-creds${ns}, key: client-secret }
`;
}

/** Whether an object is in the API server (404: false). */
async function exists(read: () => Promise<unknown>): Promise<boolean> {
  return read().then(
    () => true,
    (e) => {
      if ((e as { code?: number }).code === 404) return false;
      throw e;
    },
  );
}

const G = { group: 'external-secrets.io', version: 'v1' };

/** The PushSecrets' and ClusterPushSecrets' statuses and the events of `namespaces` (where a value must never be). */
async function pushObservable(k: Cluster, namespaces: string[]): Promise<string> {
  const parts = [await k.observableText(namespaces)];
  for (const ns of namespaces) {
    const l: any = await k.custom.listNamespacedCustomObject({ group: 'external-secrets.io', version: 'v1alpha1', namespace: ns, plural: 'pushsecrets' });
    parts.push(JSON.stringify(l.items.map((i: any) => ({ metadata: i.metadata, status: i.status }))));
  }
  const cps: any = await k.custom.listClusterCustomObject({ group: 'external-secrets.io', version: 'v1alpha1', plural: 'clusterpushsecrets' });
  parts.push(JSON.stringify(cps.items.map((i: any) => i.status)));
  return parts.join('\n');
}

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
    const dev = watchDev(repo, cp.kubeconfigPath, ['--work-dir', '.projector-watch']);
    const esFile = join(repo, 'deploy/netbox/secrets/externalsecret-netbox-db-password.yaml');
    const edit = (text: string) => dev.rewrite(esFile, text);
    try {
      await eventually(() => dev.output(), (o) => /✓ netbox\/netbox-db-password → Secret netbox\/netbox-db-credentials/.test(o) && /watching /.test(o), { timeoutMs: 90_000, message: 'first sync' });
      // An edit the operator does not see (a comment): no transition, but the state is shown.
      await edit(`# a comment\n${readFileSync(esFile, 'utf8')}`);
      // The in-process operator logs on stderr while dev waits for the reload's reconciles, so other
      // lines may come between "reloaded" and the state block (which is printed at once).
      await eventually(() => dev.output(), (o) => /manifests changed: reloaded\n(?:.*\n)*?state: 1 ExternalSecret\(s\) ready, 0 failing\n {2}✓ netbox\/netbox-db-password unchanged\n/.test(o), {
        timeoutMs: 30_000,
        message: 'dev --cluster prints the unchanged state after the reload',
      });
      let seen = dev.output().length;
      // A change of the Secret's keys: updated.
      await edit(readFileSync(esFile, 'utf8').replace('secretKey: DB_PASSWORD', 'secretKey: NETBOX_DB_PASSWORD'));
      await eventually(() => dev.output().slice(seen), (o) => /state: 1 ExternalSecret\(s\) ready, 0 failing\n {2}✓ netbox\/netbox-db-password updated\n/.test(o), {
        timeoutMs: 30_000,
        message: 'dev --cluster prints the updated state after the reload',
      });
      seen = dev.output().length;
      // A template the engine refuses: failing, and why.
      await edit(readFileSync(esFile, 'utf8').replace('    creationPolicy: Owner', '    creationPolicy: Owner\n    template:\n      data:\n        x: "{{ nosuchfunction . }}"'));
      await eventually(() => dev.output().slice(seen), (o) => /state: 0 ExternalSecret\(s\) ready, 1 failing\n {2}✗ netbox\/netbox-db-password failing: .*nosuchfunction/.test(o), {
        timeoutMs: 30_000,
        message: 'dev --cluster prints the failing state after the reload',
      });
    } finally {
      await dev.stop();
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
  it('runs the repository\'s PushSecrets and ClusterPushSecrets into the local vault: from an ExternalSecret\'s Secret and from a Secret manifest (--once)', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'projector-dev-cluster-push-'));
    const canaryEs = `canary-devpush-es-${Math.random().toString(36).slice(2)}`;
    const canaryManifest = `canary-devpush-manifest-${Math.random().toString(36).slice(2)}`;
    writeFileSync(join(repo, 'values.env'), `push-src=${canaryEs}\n`);
    writeFileSync(
      join(repo, 'manifests.yaml'),
      `${akvStore('akv-push')}---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: { name: src, namespace: push-app }
spec:
  refreshInterval: 1h
  secretStoreRef: { kind: ClusterSecretStore, name: akv-push }
  target: { name: src }
  data:
    - { secretKey: DB_PASSWORD, remoteRef: { key: push-src } }
---
apiVersion: v1
kind: Secret
metadata: { name: plain, namespace: push-app, labels: { push: "yes" } }
stringData: { token: ${canaryManifest} }
---
apiVersion: external-secrets.io/v1alpha1
kind: PushSecret
metadata: { name: from-es, namespace: push-app }
spec:
  secretStoreRefs: [{ kind: ClusterSecretStore, name: akv-push }]
  selector: { secret: { name: src } }
  data: [{ match: { secretKey: DB_PASSWORD, remoteRef: { remoteKey: pushed-db } } }]
---
apiVersion: external-secrets.io/v1alpha1
kind: PushSecret
metadata: { name: from-manifest, namespace: push-app }
spec:
  secretStoreRefs: [{ kind: ClusterSecretStore, name: akv-push }]
  selector: { secret: { selector: { matchLabels: { push: "yes" } } } }
  data: [{ match: { secretKey: token, remoteRef: { remoteKey: pushed-token } } }]
---
apiVersion: external-secrets.io/v1alpha1
kind: ClusterPushSecret
metadata: { name: cps-token }
spec:
  namespaceSelectors: [{ matchLabels: { kubernetes.io/metadata.name: push-app } }]
  pushSecretName: from-cps
  pushSecretSpec:
    secretStoreRefs: [{ kind: ClusterSecretStore, name: akv-push }]
    selector: { secret: { name: plain } }
    data: [{ match: { secretKey: token, remoteRef: { remoteKey: pushed-cps } } }]
`,
    );
    const r = spawnSync(process.execPath, [join(root, 'src/cli/main.ts'), 'dev', '.', '--kubeconfig', cp.kubeconfigPath, '--install-crds', '--once', '--no-prompt', '--seed', 'values.env'], { cwd: repo, encoding: 'utf8', timeout: 150_000 });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout, /not run by dev/);
    assert.match(r.stdout, /state: 3 PushSecret\(s\) ready, 0 failing\n/);
    assert.match(r.stdout, / {2}✓ PushSecret push-app\/from-es pushed → ClusterSecretStore\/akv-push: pushed-db\n/);
    assert.match(r.stdout, / {2}✓ PushSecret push-app\/from-manifest pushed → ClusterSecretStore\/akv-push: pushed-token\n/);
    assert.match(r.stdout, / {2}✓ PushSecret push-app\/from-cps pushed → ClusterSecretStore\/akv-push: pushed-cps\n/);
    assert.match(r.stdout, /state: 1 ClusterPushSecret\(s\) ready, 0 failing\n {2}✓ ClusterPushSecret cps-token → PushSecret from-cps in push-app\n/);
    assert.match(r.stdout, /1 ExternalSecret\(s\) ready, 0 failing\n4 PushSecret\(s\)\/ClusterPushSecret\(s\) ready, 0 failing/);
    // The values reached the local vault through the operator's PushSecret controller.
    const pushed = await readDevVault(repo, '.projector', async (kv) => ({
      db: (await kv.getSecret('pushed-db')).value,
      token: (await kv.getSecret('pushed-token')).value,
      cps: (await kv.getSecret('pushed-cps')).value,
    }));
    assert.ok(pushed.db === canaryEs, 'the ExternalSecret\'s value was pushed to pushed-db');
    assert.ok(pushed.token === canaryManifest && pushed.cps === canaryManifest, 'the Secret manifest\'s value was pushed to pushed-token and pushed-cps');
    const k = new Cluster(cp.admin);
    assertNowhere([canaryEs, canaryManifest], { stdout: r.stdout, stderr: r.stderr, 'dev.log': readFileSync(join(repo, '.projector/dev.log'), 'utf8'), 'statuses and events': await pushObservable(k, ['push-app']) });
  });

  it('while watching, deletes a PushSecret dropped from the repository with its deletionPolicy: Delete removes the pushed secret, None leaves it', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'projector-dev-cluster-push-watch-'));
    const canary = `canary-devpush-watch-${Math.random().toString(36).slice(2)}`;
    const pushSecret = (name: string, remoteKey: string, policy: string) => `apiVersion: external-secrets.io/v1alpha1
kind: PushSecret
metadata: { name: ${name}, namespace: push-watch }
spec:
  deletionPolicy: ${policy}
  secretStoreRefs: [{ kind: ClusterSecretStore, name: akv-push-watch }]
  selector: { secret: { name: source } }
  data: [{ match: { secretKey: value, remoteRef: { remoteKey: ${remoteKey} } } }]
`;
    const base = `${akvStore('akv-push-watch')}---
apiVersion: v1
kind: Secret
metadata: { name: source, namespace: push-watch }
stringData: { value: ${canary} }
`;
    const file = join(repo, 'manifests.yaml');
    writeFileSync(file, `${base}---\n${pushSecret('keep', 'watch-kept', 'Delete')}---\n${pushSecret('gone-delete', 'watch-deleted', 'Delete')}---\n${pushSecret('gone-none', 'watch-left', 'None')}`);
    const dev = watchDev(repo, cp.kubeconfigPath, ['--work-dir', '.projector-pw']);
    const { stop } = dev;
    try {
      for (const [name, key] of [['keep', 'watch-kept'], ['gone-delete', 'watch-deleted'], ['gone-none', 'watch-left']]) {
        await eventually(() => dev.output(), (o) => o.includes(`✓ PushSecret push-watch/${name} pushed → ClusterSecretStore/akv-push-watch: ${key}\n`), { timeoutMs: 90_000, message: `first push of ${name}` });
      }
      await eventually(() => dev.output(), (o) => /watching /.test(o), { timeoutMs: 30_000, message: 'watching' });
      // Drop two PushSecrets (recursive fs.watch may miss an early edit: written again until seen).
      const from = await dev.rewrite(file, `${base}---\n${pushSecret('keep', 'watch-kept', 'Delete')}`);
      await eventually(() => dev.output().slice(from), (o) => /state: 1 PushSecret\(s\) ready, 0 failing\n {2}✓ PushSecret push-watch\/keep pushed → ClusterSecretStore\/akv-push-watch: watch-kept\n/.test(o), { timeoutMs: 60_000, message: 'the state block after the reload' });
      await eventually(() => dev.output().slice(from), (o) => o.includes('- PushSecret push-watch/gone-delete deleted (not in the repository); deletionPolicy Delete: the operator deleted what it had pushed and manages (ClusterSecretStore/akv-push-watch: watch-deleted)') && o.includes('- PushSecret push-watch/gone-none deleted (not in the repository); deletionPolicy None: what it pushed stays in the vault (ClusterSecretStore/akv-push-watch: watch-left)'), { timeoutMs: 60_000, message: 'the deletion lines' });
      const k = new Cluster(cp.admin);
      await eventually(async () => ((await k.custom.listNamespacedCustomObject({ group: 'external-secrets.io', version: 'v1alpha1', namespace: 'push-watch', plural: 'pushsecrets' })) as any).items.map((i: any) => i.metadata.name), ['keep'], { timeoutMs: 30_000, message: 'only the kept PushSecret is in the cluster' });
      await stop();
      // dev has exited; its vault state is on disk: Delete removed its secret, None left its own.
      const names = await readDevVault(repo, '.projector-pw', async (_kv, n) => n);
      assert.ok(names.includes('watch-kept') && names.includes('watch-left'), `kept and left: ${names.join(', ')}`);
      assert.ok(!names.includes('watch-deleted'), 'deletionPolicy Delete removed watch-deleted from the vault');
      assertNowhere([canary], { output: dev.output(), 'dev.log': readFileSync(join(repo, '.projector-pw/dev.log'), 'utf8'), 'statuses and events': await pushObservable(k, ['push-watch']) });
    } finally {
      await stop();
    }
  });

  it('while watching, deletes the ExternalSecrets, stores, generators and dev credential Secret dropped from the repository; a rename is a delete and a create', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'projector-dev-cluster-prune-'));
    const canary = `canary-devprune-${Math.random().toString(36).slice(2)}`;
    writeFileSync(join(repo, 'values.env'), `prune-a=${canary}\n`);
    const NS = 'prune-app';
    const es = (name: string, store: string, target: string, extra = '', storeKind = 'ClusterSecretStore') => `apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: { name: ${name}, namespace: ${NS} }
spec:
  refreshInterval: 1h
  secretStoreRef: { kind: ${storeKind}, name: ${store} }
  target: { name: ${target}${extra} }
  data:
    - { secretKey: A, remoteRef: { key: prune-a } }
`;
    const secretStore = akvStore('ss-prune', NS);
    const password = `apiVersion: generators.external-secrets.io/v1alpha1
kind: Password
metadata: { name: pw, namespace: ${NS} }
spec: { length: 12, digits: 3, symbols: 0 }
`;
    const goneOwner = `${es('gone-owner', 'ss-prune', 'gone-owner', '', 'SecretStore')}  dataFrom:
    - sourceRef: { generatorRef: { apiVersion: generators.external-secrets.io/v1alpha1, kind: Password, name: pw } }
`;
    const kept = [akvStore('akv-prune'), es('keep', 'akv-prune', 'keep')];
    const file = join(repo, 'manifests.yaml');
    writeFileSync(
      file,
      [
        ...kept,
        akvStore('akv-prune-old'),
        secretStore,
        password,
        goneOwner,
        es('gone-delete', 'akv-prune-old', 'gone-delete', ', deletionPolicy: Delete'),
        es('gone-orphan', 'akv-prune', 'gone-orphan', ', creationPolicy: Orphan'),
        es('renamed-old', 'akv-prune', 'renamed', ', deletionPolicy: Delete'),
      ].join('---\n'),
    );
    const dev = watchDev(repo, cp.kubeconfigPath, ['--seed', 'values.env', '--work-dir', '.projector-prune']);
    const { stop } = dev;
    const k = new Cluster(cp.admin);
    try {
      for (const [name, target] of [['keep', 'keep'], ['gone-owner', 'gone-owner'], ['gone-delete', 'gone-delete'], ['gone-orphan', 'gone-orphan'], ['renamed-old', 'renamed']]) {
        await eventually(() => dev.output(), (o) => o.includes(`✓ ${NS}/${name} → Secret ${NS}/${target} `), { timeoutMs: 90_000, message: `first sync of ${name}` });
      }
      await eventually(() => dev.output(), (o) => /watching /.test(o), { timeoutMs: 30_000, message: 'watching' });
      assert.ok(await exists(() => k.core.readNamespacedSecret({ namespace: NS, name: 'projector-dev-vault-credentials' })), "the SecretStore's dev credential Secret was applied");
      // Keep one ExternalSecret and its store; rename one (same target); drop the rest (recursive fs.watch may miss an early edit: written again until seen).
      const from = await dev.rewrite(file, [...kept, es('renamed-new', 'akv-prune', 'renamed', ', deletionPolicy: Delete')].join('---\n'));
      const deletedLines = [
        `- ExternalSecret ${NS}/gone-owner deleted (not in the repository); creationPolicy Owner: Secret ${NS}/gone-owner has it as owner (ownerReference), so the cluster's garbage collector deletes the Secret`,
        `- ExternalSecret ${NS}/gone-delete deleted (not in the repository); creationPolicy Owner, deletionPolicy Delete: the operator deleted Secret ${NS}/gone-delete, which it owned (the ExternalSecret's finalizer)`,
        `- ExternalSecret ${NS}/gone-orphan deleted (not in the repository); creationPolicy Orphan: Secret ${NS}/gone-orphan stays (no ownerReference to the ExternalSecret)`,
        `- ExternalSecret ${NS}/renamed-old deleted (not in the repository); creationPolicy Owner, deletionPolicy Delete: the operator deleted Secret ${NS}/renamed, which it owned (the ExternalSecret's finalizer)`,
        `- Password ${NS}/pw deleted (not in the repository)`,
        '- ClusterSecretStore akv-prune-old deleted (not in the repository)',
        `- SecretStore ${NS}/ss-prune deleted (not in the repository)`,
        `- Secret ${NS}/projector-dev-vault-credentials deleted (dev's credential Secret for the local vault; no store of the repository reads it now)`,
      ];
      await eventually(() => dev.output().slice(from), (o) => deletedLines.every((l) => o.includes(`${l}\n`)), { timeoutMs: 60_000, message: 'the deletion lines' });
      // The state block after the reload lists what the repository has, not what was deleted.
      const block = await eventually(() => /manifests changed: reloaded\n(?:.*\n)*?(state: \d+ ExternalSecret\(s\) ready, \d+ failing\n(?: {2}.*\n)*)/.exec(dev.output().slice(from))?.[1], (b) => b !== undefined, { timeoutMs: 60_000, message: 'the state block after the reload' });
      assert.match(block!, / {2}✓ prune-app\/keep unchanged\n/);
      assert.match(block!, / {2}. prune-app\/renamed-new /);
      assert.doesNotMatch(block!, /gone-|renamed-old/);

      // In the API server: the dropped ExternalSecrets, stores, generator and credential Secret are gone.
      const esNames = async () => ((await k.custom.listNamespacedCustomObject({ ...G, namespace: NS, plural: 'externalsecrets' })) as any).items.map((i: any) => i.metadata.name).sort();
      await eventually(esNames, ['keep', 'renamed-new'], { timeoutMs: 30_000, message: 'only the kept and the renamed ExternalSecret are in the cluster' });
      await eventually(() => exists(() => k.custom.getNamespacedCustomObject({ ...G, namespace: NS, plural: 'secretstores', name: 'ss-prune' })), false, { timeoutMs: 30_000, message: 'the SecretStore is gone' });
      await eventually(() => exists(() => k.custom.getClusterCustomObject({ ...G, plural: 'clustersecretstores', name: 'akv-prune-old' })), false, { timeoutMs: 30_000, message: 'the dropped ClusterSecretStore is gone' });
      await eventually(() => exists(() => k.custom.getNamespacedCustomObject({ group: 'generators.external-secrets.io', version: 'v1alpha1', namespace: NS, plural: 'passwords', name: 'pw' })), false, { timeoutMs: 30_000, message: 'the Password generator is gone' });
      await eventually(() => exists(() => k.core.readNamespacedSecret({ namespace: NS, name: 'projector-dev-vault-credentials' })), false, { timeoutMs: 30_000, message: "the SecretStore's dev credential Secret is gone" });
      // deletionPolicy Delete: the finalizer deleted the owned Secret (this control plane runs no garbage collector, so gone-owner's Secret is left to the one of a real cluster).
      await eventually(() => k.secret(NS, 'gone-delete'), undefined, { timeoutMs: 30_000, message: 'the deletionPolicy Delete target is gone' });
      // The renamed ExternalSecret owns its target again once the old one's finalizer deleted it.
      await eventually(async () => (await k.secret(NS, 'renamed'))?.metadata?.ownerReferences?.find((r: any) => r.controller)?.name, 'renamed-new', { timeoutMs: 60_000, message: 'the renamed ExternalSecret re-created its Secret' });
      // Kept: the store the kept ExternalSecret reads, its credential Secret, the Orphan target.
      assert.ok(await exists(() => k.custom.getClusterCustomObject({ ...G, plural: 'clustersecretstores', name: 'akv-prune' })), 'the kept ClusterSecretStore stays');
      assert.ok(await exists(() => k.core.readNamespacedSecret({ namespace: 'external-secrets', name: 'projector-dev-vault-credentials' })), "the ClusterSecretStores' dev credential Secret stays");
      assert.ok(await k.secret(NS, 'gone-orphan'), 'the Orphan target Secret stays');
      await stop();
      // dev stopped: what it applied stays in the cluster.
      assert.deepEqual(await esNames(), ['keep', 'renamed-new']);
      assertNowhere([canary], { output: dev.output(), 'dev.log': readFileSync(join(repo, '.projector-prune/dev.log'), 'utf8'), 'statuses and events': await k.observableText([NS]) });
    } finally {
      await stop();
    }
  });

  it('while watching, a dropped SecretStore that a PushSecret with deletionPolicy Delete uses is pending (the store finalizer), and reported deleted once a later reload drops the PushSecret', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'projector-dev-cluster-hold-'));
    const canary = `canary-devhold-${Math.random().toString(36).slice(2)}`;
    const NS = 'hold-app';
    const k = new Cluster(cp.admin);
    // A namespace that existed before dev: never deleted, even once nothing of the repository is in it.
    await k.namespace(NS);
    const source = `apiVersion: v1
kind: Secret
metadata: { name: source, namespace: ${NS} }
stringData: { value: ${canary} }
`;
    const pushSecret = `apiVersion: external-secrets.io/v1alpha1
kind: PushSecret
metadata: { name: ps-hold, namespace: ${NS} }
spec:
  deletionPolicy: Delete
  secretStoreRefs: [{ kind: SecretStore, name: ss-hold }]
  selector: { secret: { name: source } }
  data: [{ match: { secretKey: value, remoteRef: { remoteKey: hold-pushed } } }]
`;
    const file = join(repo, 'manifests.yaml');
    writeFileSync(file, [akvStore('ss-hold', NS), source, pushSecret].join('---\n'));
    const dev = watchDev(repo, cp.kubeconfigPath, ['--work-dir', '.projector-hold']);
    const { stop } = dev;
    const readStore = () => k.custom.getNamespacedCustomObject({ ...G, namespace: NS, plural: 'secretstores', name: 'ss-hold' }) as Promise<any>;
    const credential = () => k.core.readNamespacedSecret({ namespace: NS, name: 'projector-dev-vault-credentials' });
    try {
      await eventually(() => dev.output(), (o) => o.includes(`✓ PushSecret ${NS}/ps-hold pushed → SecretStore/ss-hold: hold-pushed\n`), { timeoutMs: 90_000, message: 'first push' });
      await eventually(() => dev.output(), (o) => /watching /.test(o), { timeoutMs: 30_000, message: 'watching' });
      await eventually(async () => (await readStore()).metadata.finalizers, ['secretstore.externalsecrets.io/finalizer'], { timeoutMs: 30_000, message: 'the operator put its finalizer on the store the PushSecret uses' });

      // Drop the store; the PushSecret that uses it stays: the store is only marked for deletion.
      const from = await dev.rewrite(file, [source, pushSecret].join('---\n'));
      const pendingLine = `✗ SecretStore ${NS}/ss-hold deletion pending: held by the operator's finalizer secretstore.externalsecrets.io/finalizer: PushSecret ${NS}/ps-hold with deletionPolicy Delete uses it (names it or pushed through it); it goes when that PushSecret is deleted or set deletionPolicy None\n`;
      await eventually(() => dev.output().slice(from), (o) => o.includes(pendingLine), { timeoutMs: 60_000, message: 'the pending line' });
      await eventually(() => dev.output().slice(from), (o) => /state: \d+ PushSecret\(s\) ready, \d+ failing\n/.test(o), { timeoutMs: 60_000, message: 'the state block after the first reload' });
      assert.ok(!dev.output().slice(from).includes(`- SecretStore ${NS}/ss-hold deleted`), 'not said deleted while it is there');
      assert.ok(!dev.output().slice(from).includes(`- Secret ${NS}/projector-dev-vault-credentials deleted`), 'its credential Secret is not deleted while the store may be read through');
      assert.ok((await readStore()).metadata.deletionTimestamp, 'the store is Terminating');
      assert.ok(await exists(credential), 'its credential Secret stays');

      // Drop the PushSecret and its source: its finalizer deletes what it pushed through the store, then the store goes, then its credential Secret.
      const from2 = await dev.rewrite(file, '# nothing left\n');
      const lines = [
        `- PushSecret ${NS}/ps-hold deleted (not in the repository); deletionPolicy Delete: the operator deleted what it had pushed and manages (SecretStore/ss-hold: hold-pushed)\n`,
        `- SecretStore ${NS}/ss-hold deleted (not in the repository)\n`,
        `- Secret ${NS}/projector-dev-vault-credentials deleted (dev's credential Secret for the local vault; no store of the repository reads it now)\n`,
      ];
      await eventually(
        () => lines.map((l) => dev.output().slice(from2).indexOf(l)),
        (at) => at.every((i, n) => i >= 0 && (n === 0 || i > at[n - 1]!)),
        { timeoutMs: 60_000, message: 'the PushSecret, the store and the credential Secret deleted, in that order' },
      );
      await eventually(() => exists(readStore), false, { timeoutMs: 30_000, message: 'the store is gone' });
      await eventually(() => exists(credential), false, { timeoutMs: 30_000, message: 'its credential Secret is gone' });
      // The namespace existed before dev: it stays.
      assert.ok(await exists(() => k.core.readNamespace({ name: NS })), 'the namespace that existed before stays');
      assert.ok(!dev.output().includes(`Namespace ${NS}`), 'no line about it');
      await stop();
      const names = await readDevVault(repo, '.projector-hold', async (_kv, n) => n);
      assert.ok(!names.includes('hold-pushed'), `deletionPolicy Delete removed the pushed secret through the store: ${names.join(', ')}`);
      assertNowhere([canary], { output: dev.output(), 'dev.log': readFileSync(join(repo, '.projector-hold/dev.log'), 'utf8'), 'statuses and events': await pushObservable(k, [NS]) });
    } finally {
      await stop();
    }
  });
});

describe('projector dev --kubeconfig with the namespace controller: the namespaces dev created', { timeout: 600_000 }, () => {
  let cp: ControlPlane;
  before(async () => {
    // kube-controller-manager's namespace controller empties a deleted namespace and removes it.
    cp = await startControlPlane({ controllerManager: true });
  });
  after(async () => {
    await cp?.stop();
  });

  it('while watching, deletes a namespace this session created once the repository drops its last object in it; never one that existed before', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'projector-dev-cluster-ns-'));
    const canary = `canary-devns-${Math.random().toString(36).slice(2)}`;
    writeFileSync(join(repo, 'values.env'), `ns-a=${canary}\n`);
    const k = new Cluster(cp.admin);
    await k.namespace('ns-before');
    const es = (name: string, namespace: string) => `apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: { name: ${name}, namespace: ${namespace} }
spec:
  refreshInterval: 1h
  secretStoreRef: { kind: ClusterSecretStore, name: akv-ns }
  target: { name: ${name} }
  data:
    - { secretKey: A, remoteRef: { key: ns-a } }
`;
    const file = join(repo, 'manifests.yaml');
    writeFileSync(file, [akvStore('akv-ns'), es('a', 'ns-new'), es('b', 'ns-before')].join('---\n'));
    const dev = watchDev(repo, cp.kubeconfigPath, ['--seed', 'values.env']);
    const { stop } = dev;
    const namespaceExists = (name: string) => exists(() => k.core.readNamespace({ name }));
    try {
      for (const id of ['ns-new/a', 'ns-before/b']) await eventually(() => dev.output(), (o) => o.includes(`✓ ${id} → Secret ${id} `), { timeoutMs: 90_000, message: `first sync of ${id}` });
      await eventually(() => dev.output(), (o) => /watching /.test(o), { timeoutMs: 30_000, message: 'watching' });
      // Both namespaces lose their last object of the repository; the ClusterSecretStore stays.
      const from = await dev.rewrite(file, akvStore('akv-ns'));
      const esLine = '- ExternalSecret ns-new/a deleted (not in the repository)';
      const nsLine = '- Namespace ns-new deleted (created by this dev session; nothing of the repository is in it now)\n';
      await eventually(() => dev.output().slice(from), (o) => o.includes(nsLine), { timeoutMs: 90_000, message: 'the namespace dev created is deleted' });
      const out = dev.output().slice(from);
      assert.ok(out.indexOf(esLine) >= 0 && out.indexOf(esLine) < out.indexOf(nsLine), 'after the objects in it');
      assert.ok(out.includes('- ExternalSecret ns-before/b deleted (not in the repository)'));
      await eventually(() => namespaceExists('ns-new'), false, { timeoutMs: 30_000, message: 'ns-new is gone' });
      // The namespace that existed before dev, and the one dev created that the store's credential Secret still uses, stay.
      assert.ok(await namespaceExists('ns-before'), 'the namespace that existed before stays');
      assert.ok(!dev.output().includes('Namespace ns-before') && !dev.output().includes('Namespace external-secrets'), dev.output());
      await stop();
      // dev stopped: the namespace it created and still used stays, as the objects it applied do.
      assert.ok(await namespaceExists('external-secrets'), 'external-secrets (created by this session for the credential Secret) stays after dev stops');
      assert.ok(await exists(() => k.custom.getClusterCustomObject({ ...G, plural: 'clustersecretstores', name: 'akv-ns' })));
      assertNowhere([canary], { output: dev.output(), 'dev.log': readFileSync(join(repo, '.projector/dev.log'), 'utf8'), 'statuses and events': await k.observableText(['ns-before']) });
    } finally {
      await stop();
    }
  });
});

describe('projector dev --kubeconfig on a cluster without the PushSecret CRDs (optional CRDs)', { timeout: 600_000 }, () => {
  let cp: ControlPlane;
  before(async () => {
    cp = await startControlPlane();
    // The external-secrets.io/v1 kinds only, as a cluster that installed ESO's core CRDs.
    await new Cluster(cp.admin).installCrds(CRD_FILES.filter((f) => !/\/(pushsecrets|clusterpushsecrets|clusterexternalsecrets)\./.test(f)));
  });
  after(async () => {
    await cp?.stop();
  });

  it('says the PushSecrets were not applied and fails --once; with --install-crds installs the push CRDs and pushes', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'projector-dev-cluster-push-crd-'));
    const canary = `canary-devpush-crd-${Math.random().toString(36).slice(2)}`;
    writeFileSync(
      join(repo, 'manifests.yaml'),
      `${akvStore('akv-crd')}---
apiVersion: v1
kind: Secret
metadata: { name: source, namespace: crd-app }
stringData: { value: ${canary} }
---
apiVersion: external-secrets.io/v1alpha1
kind: PushSecret
metadata: { name: ps, namespace: crd-app }
spec:
  secretStoreRefs: [{ kind: ClusterSecretStore, name: akv-crd }]
  selector: { secret: { name: source } }
  data: [{ match: { secretKey: value, remoteRef: { remoteKey: crd-pushed } } }]
`,
    );
    const dev = (...extra: string[]) => spawnSync(process.execPath, [join(root, 'src/cli/main.ts'), 'dev', '.', '--kubeconfig', cp.kubeconfigPath, '--once', '--no-prompt', ...extra], { cwd: repo, encoding: 'utf8', timeout: 150_000 });
    const without = dev();
    assert.equal(without.status, 1, without.stdout + without.stderr);
    assert.match(without.stdout, /✗ the cluster does not serve PushSecrets \(CRD pushsecrets\.external-secrets\.io not installed\): 1 PushSecret\(s\) not applied; install the CRDs \(kubectl apply -k deploy\/\) or pass --install-crds/);
    assert.match(without.stdout, /state: 0 PushSecret\(s\) ready, 1 failing\n {2}✗ PushSecret crd-app\/ps failing: not applied/);
    assert.match(without.stdout, /0 PushSecret\(s\)\/ClusterPushSecret\(s\) ready, 1 failing/);

    const withCrds = dev('--install-crds');
    assert.equal(withCrds.status, 0, withCrds.stdout + withCrds.stderr);
    assert.match(withCrds.stdout, /installed the pushsecrets\.external-secrets\.io CRD\(s\)/);
    assert.match(withCrds.stdout, / {2}✓ PushSecret crd-app\/ps pushed → ClusterSecretStore\/akv-crd: crd-pushed\n/);
    const value = await readDevVault(repo, '.projector', async (kv) => (await kv.getSecret('crd-pushed')).value);
    assert.ok(value === canary, 'the Secret manifest\'s value reached the vault');
    assertNowhere([canary], { without: without.stdout + without.stderr, with: withCrds.stdout + withCrds.stderr, 'dev.log': readFileSync(join(repo, '.projector/dev.log'), 'utf8') });
  });
});
