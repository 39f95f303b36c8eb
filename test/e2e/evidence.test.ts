// Runs the real `projector evidence` process against a real API server with the operator syncing
// from the fake store and from the local vault: the proof folder, rotation (waited for and done
// by the command itself), and the redaction check catching a planted leak.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlPlane, type ControlPlane } from '../support/controlplane.ts';
import { Cluster, assertNowhere } from '../support/cluster.ts';
import { startOperator, type RunningOperator } from '../support/operator.ts';
import { eventually } from '../support/eventually.ts';
import { startVault, type StartedVault } from '../../src/vault/index.ts';
import { runProjector } from '../support/cli.ts';

const SEED_ES = 'test/fixtures/seed/deploy/netbox/secrets/externalsecret-netbox-db-password.yaml';
const DATE = '2026-03-14';
const canaries: string[] = [];
const canary = (label: string) => {
  const v = `CANARY-${label}-${Math.random().toString(36).slice(2, 10)}`;
  canaries.push(v);
  return v;
};
const outputs: Record<string, string> = {};

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}


/** Spawns the CLI; `onStderr` sees stderr as it arrives (to act once the command is waiting). */
function projector(args: string[], env: Record<string, string> = {}, onStderr?: (soFar: string) => void): Promise<Run> {
  return runProjector(args, { env, unset: ['KUBECONFIG'], outputs, ...(onStderr ? { onStderr } : {}) });
}

function fakeStore(name: string, data: { key: string; value: string }[]) {
  return { apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name }, spec: { provider: { fake: { data } } } };
}

function folderText(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).map((f) => [`${dir}/${f}`, readFileSync(join(dir, f), 'utf8')]));
}

describe('projector evidence (CLI process) on a real API server', { timeout: 600_000 }, () => {
  let cp: ControlPlane;
  let k: Cluster;
  let op: RunningOperator;
  let vault: StartedVault;
  let tmp: string;
  let kubeconfig: string[];
  const goodFolders: string[] = [];
  const v1 = canary('netbox-v1');
  const v2 = canary('netbox-v2');
  const spSecret = canary('sp-secret');

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'projector-evidence-e2e-'));
    cp = await startControlPlane();
    k = new Cluster(cp.admin);
    await k.installCrds();
    op = await startOperator(cp.admin);
    kubeconfig = ['--kubeconfig', cp.kubeconfigPath];
    await k.namespace('netbox');
    // The HOWTO's store name, served by the fake provider; the HOWTO's ExternalSecret verbatim.
    await k.apply([fakeStore('akv-hybridops', [{ key: 'netbox-db-password', value: v1 }]) as any]);
    await k.applyFile(SEED_ES);
    await eventually(() => k.secretValue('netbox', 'netbox-db-credentials', 'DB_PASSWORD'), v1, { timeoutMs: 30_000 });
    await eventually(() => k.ready('netbox', 'externalsecrets', 'netbox-db-password'), (r) => r.status === 'True');
    // What the first test's proof folder reports is written asynchronously too: the store's Ready
    // condition (by the store reconciler) and the Created event (sent after the Secret is written).
    await eventually(() => k.ready(undefined, 'clustersecretstores', 'akv-hybridops'), (r) => r.status === 'True', { message: 'store Ready=True' });
    await eventually(() => k.events('netbox'), (ev) => ev.some((e) => e.reason === 'Created' && e.name === 'netbox-db-password'), { message: 'Created event recorded' });
  });

  after(async () => {
    try {
      for (const dir of goodFolders) assertNowhere(canaries, folderText(dir));
      assertNowhere(canaries, outputs);
    } finally {
      await op?.stop();
      await cp?.stop();
      await vault?.close();
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('writes the HOWTO proof folder: README table, ExternalSecret, Secret metadata, stores and events', async () => {
    const out = join(tmp, 'proof');
    const r = await projector(['evidence', '--app', 'netbox', ...kubeconfig, '--out-dir', out, '--date', DATE]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const dir = join(out, `eso-akv-netbox-${DATE}`);
    goodFolders.push(dir);
    assert.equal(r.stdout, `projector evidence: wrote ${dir}/ (5 files): 1 ExternalSecret, 1 Ready\n`);
    assert.deepEqual(readdirSync(dir).sort(), ['README.md', 'events.txt', 'externalsecret-netbox-db-password.yaml', 'secret-netbox-db-credentials.metadata.yaml', 'stores.yaml']);

    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    assert.match(readme, /^# ESO \+ Azure Key Vault evidence: netbox \(\d{4}-\d{2}-\d{2}\)$/m);
    assert.match(readme, /^\| `netbox-db-password` \| `ClusterSecretStore\/akv-hybridops` \| ✅ True \| SecretSynced \| `netbox-db-credentials` \| `DB_PASSWORD` \| 1h \| \d{4}-.+ \|$/m);
    assert.match(readme, /^\| `ClusterSecretStore\/akv-hybridops` \| fake \| - \| ✅ True \| Valid \|$/m);
    assert.match(readme, /^- \[x\] Every ExternalSecret is Ready\.$/m);
    assert.match(readme, /^- \[ \] Rotation .*not captured/m);

    const meta = readFileSync(join(dir, 'secret-netbox-db-credentials.metadata.yaml'), 'utf8');
    assert.match(meta, /^keys:\n {2}- DB_PASSWORD$/m);
    assert.match(meta, /^dataHash: \S+$/m);
    assert.match(meta, /kind: ExternalSecret/);
    assert.doesNotMatch(meta, /^data:/m);

    const es = readFileSync(join(dir, 'externalsecret-netbox-db-password.yaml'), 'utf8');
    assert.match(es, /^\s+key: netbox-db-password$/m);
    assert.match(es, /reason: SecretSynced/);
    assert.doesNotMatch(es, /managedFields/);
    assert.match(readFileSync(join(dir, 'events.txt'), 'utf8'), /Normal\s+Created\s+ExternalSecret\/netbox-db-password/);
    assert.match(readFileSync(join(dir, 'stores.yaml'), 'utf8'), /provider: fake/);
  });

  it('proves a rotation done in the store: Secret changed, ExternalSecret generation unchanged', async () => {
    const out = join(tmp, 'rotation');
    const generation = (await k.externalSecret('netbox', 'netbox-db-password')).metadata.generation;
    let rotated = false;
    const r = await projector(['evidence', '--app', 'netbox', ...kubeconfig, '--out-dir', out, '--date', DATE, '--rotation', '--timeout', '60s', '--poll-interval', '200ms'], {}, (stderr) => {
      // Someone rotates the value in the vault once the command has recorded "before".
      if (!rotated && stderr.includes('waiting up to')) {
        rotated = true;
        void k.apply([fakeStore('akv-hybridops', [{ key: 'netbox-db-password', value: v2 }]) as any]);
      }
    });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /rotation proven \(rotation\.md\)/);
    assert.equal(await k.secretValue('netbox', 'netbox-db-credentials', 'DB_PASSWORD'), v2);
    assert.equal((await k.externalSecret('netbox', 'netbox-db-password')).metadata.generation, generation);
    const dir = join(out, `eso-akv-netbox-${DATE}`);
    goodFolders.push(dir);
    const rotation = readFileSync(join(dir, 'rotation.md'), 'utf8');
    assert.match(rotation, /\*\*Result: ✅ the Secret changed while the ExternalSecret spec did not/);
    assert.match(rotation, new RegExp(`^\\| \`netbox-db-password\` \\| \`netbox-db-credentials\` \\| \`\\d+\` → \`\\d+\` \\| \`\\S+\` → \`\\S+\` \\| ${generation} → ${generation} \\| ✅ yes \\| ✅ yes \\|$`, 'm'));
    assert.match(readFileSync(join(dir, 'README.md'), 'utf8'), /^- \[x\] Rotation in the vault updated the Secret without a Git change \(\[rotation\.md\]\(rotation\.md\)\)\.$/m);
  });

  it('exits 1 and says so when the Secret does not change within --timeout', async () => {
    const out = join(tmp, 'no-rotation');
    const r = await projector(['evidence', '--app', 'netbox', ...kubeconfig, '--out-dir', out, '--date', DATE, '--rotation', '--timeout', '1s', '--poll-interval', '200ms']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /rotation NOT seen/);
    const dir = join(out, `eso-akv-netbox-${DATE}`);
    goodFolders.push(dir);
    assert.match(readFileSync(join(dir, 'rotation.md'), 'utf8'), /❌ not proven/);
  });

  it('fails the redaction check on a planted leak, naming the file and deleting nothing', async () => {
    // An annotation holding the live value ends up in the ExternalSecret's YAML.
    const esPath = '/apis/external-secrets.io/v1/namespaces/netbox/externalsecrets/netbox-db-password';
    const annotate = (value: string | null) => k.request('PATCH', esPath, { metadata: { annotations: { 'leak.example/pasted': value } } }, 'application/merge-patch+json');
    assert.equal((await annotate(v2)).status, 200);
    const out = join(tmp, 'leak');
    const r = await projector(['evidence', '--app', 'netbox', ...kubeconfig, '--out-dir', out, '--date', DATE]);
    delete outputs[Object.keys(outputs).at(-1)!]; // its folder holds the leak on purpose; its output must not
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const dir = join(out, `eso-akv-netbox-${DATE}`);
    assert.match(r.stderr, new RegExp(`redaction check failed: ${dir}/externalsecret-netbox-db-password\\.yaml contains a value \\(Secret netbox/netbox-db-credentials key DB_PASSWORD\\)`));
    assert.ok(existsSync(join(dir, 'externalsecret-netbox-db-password.yaml')));
    assert.ok(existsSync(join(dir, 'README.md')));
    assertNowhere(canaries, { stdout: r.stdout, stderr: r.stderr });
    await annotate(null);
  });

  it('exits 1 when the app has no ExternalSecret, and 2 on a bad flag', async () => {
    const none = await projector(['evidence', '--app', 'nothing', ...kubeconfig, '--out-dir', join(tmp, 'none')]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no ExternalSecret of app nothing in namespace nothing/);
    assert.ok(!existsSync(join(tmp, 'none')));
    assert.equal((await projector(['evidence', '--app', 'Netbox', ...kubeconfig])).code, 2);
    assert.equal((await projector(['evidence', '--app', 'netbox', ...kubeconfig, '--date', '14/03/2026'])).code, 2);
    assert.equal((await projector(['evidence', ...kubeconfig])).code, 2);
  });

  it('rotates a vault secret itself with --rotate-key and --force-sync, never printing the new value', async () => {
    vault = await startVault({ dataDir: join(tmp, 'vault'), principals: [{ clientId: 'ci-evidence', clientSecret: spSecret }] });
    const first = canary('vault-v1');
    await vault.admin.setSecret('billing-db-password', first);
    await k.namespace('billing');
    await k.namespace('external-secrets');
    await k.apply([
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'akv-sp', namespace: 'external-secrets' }, stringData: { 'tenant-id': vault.tenantId, 'client-id': 'ci-evidence', 'client-secret': spSecret } } as any,
      {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ClusterSecretStore',
        metadata: { name: 'akv-local' },
        spec: {
          provider: {
            azurekv: {
              vaultUrl: vault.url,
              authType: 'ServicePrincipal',
              tenantId: { valueFrom: { secretKeyRef: { name: 'akv-sp', namespace: 'external-secrets', key: 'tenant-id' } } },
              clientId: { valueFrom: { secretKeyRef: { name: 'akv-sp', namespace: 'external-secrets', key: 'client-id' } } },
              clientSecret: { valueFrom: { secretKeyRef: { name: 'akv-sp', namespace: 'external-secrets', key: 'client-secret' } } },
              customCloudConfig: { activeDirectoryEndpoint: vault.authorityHost },
              caBundle: Buffer.from(vault.caPem).toString('base64'),
            },
          },
        },
      } as any,
      {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: { name: 'billing-db-password', namespace: 'billing' },
        spec: { refreshInterval: '1h', secretStoreRef: { kind: 'ClusterSecretStore', name: 'akv-local' }, target: { name: 'billing-db' }, data: [{ secretKey: 'PASSWORD', remoteRef: { key: 'billing-db-password' } }] },
      } as any,
    ]);
    await eventually(() => k.secretValue('billing', 'billing-db', 'PASSWORD'), first, { timeoutMs: 30_000, message: 'operator syncs billing-db from the local vault' });
    const out = join(tmp, 'vault-rotation');
    const env = { AZURE_TENANT_ID: vault.tenantId, AZURE_CLIENT_ID: 'ci-evidence', AZURE_CLIENT_SECRET: spSecret };
    const r = await projector(
      ['evidence', '--app', 'billing', ...kubeconfig, '--out-dir', out, '--date', DATE, '--rotate-key', 'billing-db-password', '--force-sync', '--timeout', '60s', '--poll-interval', '200ms', '--ca-file', vault.caFile],
      env,
    );
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stderr, /wrote a new value to vault secret billing-db-password/);
    const now = await k.secretValue('billing', 'billing-db', 'PASSWORD');
    assert.ok(now && now !== first && now.length >= 24);
    canaries.push(now);
    const dir = join(out, `eso-akv-billing-${DATE}`);
    goodFolders.push(dir);
    assert.match(readFileSync(join(dir, 'rotation.md'), 'utf8'), /wrote a new random value \(never displayed\) to vault secret `billing-db-password` and set the `force-sync` annotation/);
    assert.match(readFileSync(join(dir, 'stores.yaml'), 'utf8'), /authType: ServicePrincipal/);
  });
});
