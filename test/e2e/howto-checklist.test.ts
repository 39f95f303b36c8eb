// The HOWTO's validation checklist (§9) carried out with Projector alone, every step a CLI process:
// vault, secret, credentials, store, ExternalSecret, validate, check, operator, Secret, evidence,
// rotation, rotation evidence. The manifests are the HOWTO's, verbatim but for the vault URL, the
// authority host and the CA (real Azure is unreachable here).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlPlane, type ControlPlane } from '../support/controlplane.ts';
import { Cluster, assertNowhere } from '../support/cluster.ts';
import { eventually } from '../support/eventually.ts';
import { runProjector } from '../support/cli.ts';

const root = new URL('../../', import.meta.url).pathname;
const cli = join(root, 'src/cli/main.ts');
const rand = () => Math.random().toString(36).slice(2, 10);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const outputs: Record<string, string> = {};

function projector(args: string[], opts: { env?: Record<string, string>; input?: string } = {}): Promise<Run> {
  return runProjector(args, { ...opts, outputs });
}


function longRunning(args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [cli, ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { child, output: () => out };
}

async function stop(p: { child: ChildProcess } | undefined): Promise<void> {
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = new Promise((r) => p.child.once('exit', r));
  p.child.kill('SIGTERM');
  await exited;
}

describe('the HOWTO checklist with Projector alone', { timeout: 600_000 }, () => {
  let cp: ControlPlane;
  let k: Cluster;
  let vault: ReturnType<typeof longRunning> | undefined;
  let operator: ReturnType<typeof longRunning> | undefined;
  const work = mkdtempSync(join(tmpdir(), 'projector-howto-'));
  const repo = join(work, 'repo');
  const v1 = `canary-howto-v1-${rand()}`;
  const v2 = `canary-howto-v2-${rand()}`;
  const clientSecret = `canary-howto-sp-${rand()}`;

  before(async () => {
    cp = await startControlPlane();
    k = new Cluster(cp.admin);
    await k.installCrds();
    cpSync(join(root, 'examples/netbox'), repo, { recursive: true });
  });

  after(async () => {
    await stop(operator);
    await stop(vault);
    await cp?.stop();
  });

  it('carries out every step of §9, and no value appears anywhere but the Secret', async () => {
    // Phase 1: a vault and the secret in it (az keyvault secret set → projector vault secret set).
    writeFileSync(join(work, 'principals.json'), JSON.stringify([{ clientId: 'hybridops-eso', clientSecret, allowRead: ['netbox-*'] }]));
    vault = longRunning(['vault', 'serve', '--data-dir', join(work, 'vault'), '--port', '0', '--principals', join(work, 'principals.json')]);
    const banner = await eventually(vault.output, (o) => /CA certificate:\s+\S+/.test(o) && /Tenant ID:\s+\S+/.test(o), { timeoutMs: 20_000 });
    const vaultUrl = /Vault URL:\s+(\S+)/.exec(banner)![1]!;
    const tenantId = /Tenant ID:\s+(\S+)/.exec(banner)![1]!;
    const caFile = /CA certificate:\s+(\S+)/.exec(banner)![1]!;
    const sp = { AZURE_TENANT_ID: tenantId, AZURE_CLIENT_ID: 'hybridops-eso', AZURE_CLIENT_SECRET: clientSecret };
    const vaultFlags = ['--vault-url', vaultUrl, '--authority-host', vaultUrl, '--ca-file', caFile];
    const set1 = await projector(['vault', 'secret', 'set', ...vaultFlags, '--name', 'netbox-db-password', '--value-stdin'], { env: sp, input: v1 });
    assert.equal(set1.code, 0, set1.stderr);

    // Phase 2: credentials Secret and the ClusterSecretStore, pointed at this vault.
    await k.namespace('external-secrets');
    await k.apply([{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'akv-sp-credentials', namespace: 'external-secrets' }, stringData: { 'client-id': 'hybridops-eso', 'client-secret': clientSecret, 'tenant-id': tenantId } } as any]);
    const storeFile = join(repo, 'infra/rke2/secrets/clustersecretstore_akv-hybridops.yaml');
    const caBundle = Buffer.from(readFileSync(caFile)).toString('base64');
    writeFileSync(
      storeFile,
      readFileSync(storeFile, 'utf8').replace(
        'vaultUrl: "https://<YOUR_KEYVAULT_NAME>.vault.azure.net/"',
        `vaultUrl: "${vaultUrl}/"\n      customCloudConfig:\n        activeDirectoryEndpoint: "${vaultUrl}/"\n      caBundle: "${caBundle}"`,
      ),
    );

    // Phase 3: the ExternalSecret in Git, validated and checked before anything is applied.
    const validate = await projector(['validate', repo]);
    assert.equal(validate.code, 0, validate.stdout);
    const check = await projector(['check', repo, '--no-progress'], { env: sp });
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /netbox-db-password.*ok/);

    // Phase 4: apply and validate in the cluster, with the operator running.
    await k.namespace('netbox');
    await k.applyFile(storeFile);
    await k.applyFile(join(repo, 'deploy/netbox/secrets/externalsecret-netbox-db-password.yaml'));
    operator = longRunning(['operator', '--kubeconfig', cp.kubeconfigPath, '--metrics-addr', '0', '--health-addr', '0']);
    await eventually(() => k.secretValue('netbox', 'netbox-db-credentials', 'DB_PASSWORD'), v1, { timeoutMs: 60_000 });
    await eventually(() => k.ready('netbox', 'externalsecrets', 'netbox-db-password'), (r) => r.reason === 'SecretSynced', { timeoutMs: 10_000 });
    await eventually(() => k.ready(undefined, 'clustersecretstores', 'akv-hybridops'), (r) => r.status === 'True', { timeoutMs: 30_000 });

    // Phase 4.3: evidence.
    const proofRoot = join(repo, 'docs/proof/secrets');
    const ev = await projector(['evidence', '--app', 'netbox', '--kubeconfig', cp.kubeconfigPath, '--out-dir', proofRoot, '--date', '2026-11-23']);
    assert.equal(ev.code, 0, ev.stdout + ev.stderr);
    const proof = join(proofRoot, 'eso-akv-netbox-2026-11-23');
    assert.ok(existsSync(join(proof, 'README.md')));

    // Phase 6: rotate in the vault; the Secret follows with no Git change; evidence of the rotation.
    const set2 = await projector(['vault', 'secret', 'set', ...vaultFlags, '--name', 'netbox-db-password', '--value-stdin'], { env: sp, input: v2 });
    assert.equal(set2.code, 0, set2.stderr);
    const rot = await projector(['evidence', '--app', 'netbox', '--kubeconfig', cp.kubeconfigPath, '--out-dir', proofRoot, '--date', '2026-11-23', '--rotation', '--force-sync', '--timeout', '60s', '--poll-interval', '500ms']);
    assert.equal(rot.code, 0, rot.stdout + rot.stderr);
    assert.equal(await k.secretValue('netbox', 'netbox-db-credentials', 'DB_PASSWORD'), v2);
    assert.ok(existsSync(join(proof, 'rotation.md')));

    // Nothing secret anywhere but the Secret.
    const proofText = readdirSync(proof).map((f) => readFileSync(join(proof, f), 'utf8')).join('\n');
    assertNowhere([v1, v2, clientSecret], {
      ...outputs,
      'operator output': operator.output(),
      'vault output': vault.output(),
      'proof folder': proofText,
      'statuses and events': await k.observableText(['netbox']),
    });
  });
});
