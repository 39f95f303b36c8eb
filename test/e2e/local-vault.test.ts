// The local vault as a newcomer meets it, through real CLI processes: one process per data
// directory (a second `vault serve` or `dev` is refused, naming the holder; a killed holder's lock
// is taken over); a first `vault serve` that is usable at once (a development principal whose
// secret is never printed, a CA bundle that adds to NODE_EXTRA_CA_CERTS); an unknown client id
// that says what to do; `vault secret --api-version` against a server that serves only 7.0.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { runProjector } from '../support/cli.ts';
import { testCertificate } from '../support/certificates.ts';
import { startVault } from '../../src/vault/index.ts';

const root = new URL('../../', import.meta.url).pathname;
const cli = join(root, 'src/cli/main.ts');

interface Served {
  child: ChildProcess;
  banner: string;
  stderr(): string;
  field(label: string): string;
}

/** Starts `projector vault serve ARGS` and resolves once its banner is complete. */
function serve(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Served> {
  const child = spawn(process.execPath, [cli, 'vault', 'serve', '--port', '0', ...args], { cwd: opts.cwd ?? root, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  let banner = '';
  child.stderr!.on('data', (d) => (err += d));
  const lines = createInterface({ input: child.stdout! });
  return new Promise((resolve, reject) => {
    lines.on('line', (line) => {
      banner += `${line}\n`;
      if (line.startsWith('  export AZURE_POD_IDENTITY_AUTHORITY_HOST')) {
        resolve({ child, banner, stderr: () => err, field: (label) => new RegExp(`${label}:\\s+(\\S+)`).exec(banner)?.[1] ?? '' });
      }
    });
    child.once('exit', (code) => reject(new Error(`vault serve exited (${code}) before its banner: ${err}`)));
  });
}

async function stop(s: Served, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return;
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.kill(signal);
  await exited;
}

describe('the local vault from the CLI', { timeout: 300_000 }, () => {
  const dirs: string[] = [];
  const tempDir = (label: string) => {
    const d = mkdtempSync(join(tmpdir(), `projector-${label}-`));
    dirs.push(d);
    return d;
  };
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('refuses a second vault serve and a dev on the same data directory, naming the holder; takes over after kill -9', async () => {
    const repo = tempDir('lock');
    cpSync(join(root, 'examples/netbox'), repo, { recursive: true });
    const dataDir = join(repo, '.projector/vault');
    const first = await serve(['--data-dir', dataDir]);
    try {
      const pid = first.child.pid!;
      const second = await runProjector(['vault', 'serve', '--data-dir', dataDir, '--port', '0'], { cwd: repo });
      assert.equal(second.code, 2, second.stderr);
      assert.match(second.stderr, new RegExp(`^projector: DataDirLocked: the vault data directory ${dataDir.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is in use by process ${pid} \\(projector vault serve --data-dir ${dataDir.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\)`, 'm'));
      assert.doesNotMatch(second.stderr, /internal error/);
      // `dev` uses the same default directory (<work-dir>/vault, work dir .projector).
      const dev = await runProjector(['dev', '.', '--once', '--no-prompt'], { cwd: repo });
      assert.equal(dev.code, 2, dev.stdout + dev.stderr);
      assert.match(dev.stderr, new RegExp(`projector: DataDirLocked: .* in use by process ${pid} \\(projector vault serve`));
      assert.match(dev.stderr, /--work-dir for dev/);
      // The first vault still serves its state: nothing was written over it.
      assert.equal(JSON.parse(readFileSync(join(dataDir, 'lock'), 'utf8')).pid, pid);
    } finally {
      await stop(first, 'SIGKILL');
    }
    // kill -9 leaves the lock file; its pid is gone, so the next start takes it over.
    const dev = await runProjector(['dev', '.', '--once', '--no-prompt'], { cwd: repo });
    assert.equal(dev.code, 0, dev.stdout + dev.stderr);
    assert.match(dev.stdout, /1 ExternalSecret\(s\) ready, 0 failing/);
  });

  it('makes a first vault serve usable: a development principal (secret only in a 0600 file), a CA bundle that keeps existing extra CAs', async () => {
    const dir = tempDir('first-run');
    const otherCa = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(testCertificate('corporate-proxy.example').pemFile)![0];
    writeFileSync(join(dir, 'corporate-ca.pem'), `${otherCa}\n`);
    const served = await serve([], { cwd: dir, env: { NODE_EXTRA_CA_CERTS: join(dir, 'corporate-ca.pem') } });
    try {
      const dataDir = join(dir, '.projector/vault');
      const envFile = join(dataDir, 'dev-principal.env');
      assert.match(served.banner, /Dev principal:\s+projector-dev \(created now, as no principal was registered\); its client secret is in \S+dev-principal\.env \(mode 0600\) and is never printed/);
      assert.match(served.banner, new RegExp(`set -a; \\. ${envFile.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}; set \\+a`));
      assert.equal(statSync(envFile).mode & 0o777, 0o600);
      const secret = /^AZURE_CLIENT_SECRET='([^']+)'$/m.exec(readFileSync(envFile, 'utf8'))![1]!;
      assert.ok(secret.length >= 24);
      // The bundle the banner advises keeps the CA NODE_EXTRA_CA_CERTS named, then adds the vault's.
      const bundleFile = served.field('CA bundle');
      assert.match(served.banner, new RegExp(`export NODE_EXTRA_CA_CERTS=${bundleFile.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`, 'm'));
      assert.match(served.banner, /the CAs of your NODE_EXTRA_CA_CERTS \S+corporate-ca\.pem, then this CA/);
      const bundle = readFileSync(bundleFile, 'utf8');
      assert.ok(bundle.includes(otherCa));
      assert.ok(bundle.includes(readFileSync(served.field('CA certificate'), 'utf8').trim()));
      // Exactly the advice, in a shell: source the file, then use the vault (no flags needed).
      const sourced = (command: string) =>
        spawnSync('sh', ['-c', `set -a; . '${envFile}'; set +a; "${process.execPath}" "${cli}" ${command}`], { cwd: dir, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NODE_EXTRA_CA_CERTS: '' } });
      const set = sourced('vault secret set --name first-run --value hello');
      assert.equal(set.status, 0, set.stdout + set.stderr);
      const list = sourced('vault secret list');
      assert.equal(list.status, 0, list.stdout + list.stderr);
      assert.deepEqual(JSON.parse(list.stdout).map((x: { name: string }) => x.name), ['first-run']);
      // The banner's hint runs through npx (projector is not on PATH after npm install).
      assert.match(served.banner, /^  npx projector vault secret list$/m);
      // The CLI's errors name its own flag, not the ExternalSecret's remoteRef.key.
      const missing = sourced('vault secret show --name nope');
      assert.equal(missing.status, 1, missing.stdout + missing.stderr);
      assert.match(missing.stderr, /does not exist .*; create it or fix --name \(/);
      const badName = sourced('vault secret set --name bad_name --value x');
      assert.equal(badName.status, 1, badName.stdout + badName.stderr);
      assert.match(badName.stderr, /"bad_name" cannot be a Key Vault secret name: .*; fix --name/);
      assert.doesNotMatch(missing.stderr + badName.stderr, /remoteRef/);
      for (const [what, text] of Object.entries({ banner: served.banner, log: served.stderr(), set: set.stdout + set.stderr, list: list.stdout + list.stderr })) {
        assert.ok(!text.includes(secret), `the development secret appears in ${what}`);
      }
      // A client id the vault does not know says what to do, not a bare AADSTS code.
      const ghost = await runProjector(['vault', 'secret', 'list', '--vault-url', served.field('Vault URL'), '--ca-file', served.field('CA certificate')], {
        cwd: dir,
        env: { AZURE_TENANT_ID: served.field('Tenant ID'), AZURE_CLIENT_ID: 'ghost', AZURE_CLIENT_SECRET: 'x', AZURE_AUTHORITY_HOST: served.field('Authority host') },
      });
      // The authority answered no: exit 1, as every vault-side refusal (docs/vault.md, exit codes).
      assert.equal(ghost.code, 1, ghost.stderr);
      assert.match(ghost.stderr, /StoreAuthFailed: .*AADSTS700016\): unknown client id in this tenant \(clientId\); with the local vault, register it with `projector vault serve --principals FILE`/);
    } finally {
      await stop(served);
    }
    // A second start reuses the principal (same secret) and does not nest its own bundle.
    const envBefore = readFileSync(join(dir, '.projector/vault/dev-principal.env'), 'utf8');
    const again = await serve([], { cwd: dir, env: { NODE_EXTRA_CA_CERTS: join(dir, '.projector/vault/tls/ca-bundle.pem') } });
    try {
      assert.match(again.banner, /Dev principal:\s+projector-dev \(reused\)/);
      assert.equal(/AZURE_CLIENT_SECRET=.*/.exec(readFileSync(join(dir, '.projector/vault/dev-principal.env'), 'utf8'))![0], /AZURE_CLIENT_SECRET=.*/.exec(envBefore)![0]);
      const bundle = readFileSync(again.field('CA bundle'), 'utf8');
      assert.equal(bundle.split('-----BEGIN CERTIFICATE-----').length - 1, 2, 'the corporate CA and the vault CA, once each');
    } finally {
      await stop(again);
    }
  });

  it('vault secret --api-version lists more than one page from a server that serves only 7.0', async () => {
    const dir = tempDir('api-version');
    const vault = await startVault({ dataDir: dir, apiVersions: ['7.0'], principals: [{ clientId: 'old', clientSecret: 'old-secret' }] });
    try {
      for (let i = 0; i < 27; i++) await vault.admin.setSecret(`item-${String(i).padStart(2, '0')}`, `v${i}`);
      const args = ['vault', 'secret', 'list', '--vault-url', vault.url, '--ca-file', vault.caFile];
      const env = { AZURE_TENANT_ID: vault.tenantId, AZURE_CLIENT_ID: 'old', AZURE_CLIENT_SECRET: 'old-secret', AZURE_AUTHORITY_HOST: vault.authorityHost };
      const refused = await runProjector(args, { env });
      // The vault answered 400: exit 1 (a vault-side outcome, not a usage error; docs/vault.md).
      assert.equal(refused.code, 1, refused.stdout + refused.stderr);
      // Names the version sent (the SDK's default) and the flag that changes it.
      // (The SDK's pager keeps no answer text for a list: the advice is hedged, the flag still named.)
      assert.match(refused.stderr, /^projector: InvalidSpec: vault https:\/\/127\.0\.0\.1:\d+ refused the request .*\(400 BadParameter\) without saying why; a Key Vault-compatible server that does not serve api-version 2026-04-01 .*: pass --api-version with a version the server supports \(e\.g\. --api-version 7\.0\)$/m);
      const shown = await runProjector(['vault', 'secret', 'show', '--name', 'item-01', '--vault-url', vault.url, '--ca-file', vault.caFile], { env });
      assert.equal(shown.code, 1, shown.stdout + shown.stderr);
      assert.match(shown.stderr, /^projector: InvalidSpec: vault https:\/\/127\.0\.0\.1:\d+ does not serve Key Vault REST api-version 2026-04-01 \(400 BadParameter\): .*; pass --api-version with a version the server supports \(e\.g\. --api-version 7\.0\)$/m);
      assert.doesNotMatch(refused.stderr, /projector\.io\/azurekv-api-version/);
      const listed = await runProjector([...args, '--api-version', '7.0'], { env });
      assert.equal(listed.code, 0, listed.stderr);
      assert.equal(JSON.parse(listed.stdout).length, 27);
      const bad = await runProjector([...args, '--api-version', 'newest'], { env });
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--api-version must be a Key Vault REST api-version such as 7\.0/);
    } finally {
      await vault.close();
    }
  });
});
