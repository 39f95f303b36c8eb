// `projector dev` through the real CLI process: the local vault, the HOWTO's manifests, the
// operator core, files out; a canary seeded value must appear only in the projected files.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertNowhere } from '../support/cluster.ts';
import { eventually } from '../support/eventually.ts';

const root = new URL('../../', import.meta.url).pathname;
const node = process.execPath;
const cli = join(root, 'src/cli/main.ts');

function tempRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'projector-dev-'));
  cpSync(join(root, 'examples/netbox'), dir, { recursive: true });
  return dir;
}

function readAll(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.endsWith('.yaml') && !e.name.endsWith('.env') && !e.parentPath.includes('/vault'))
    .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'))
    .join('\n');
}

/** Starts a watching dev (refresh 1s) in `repo`; `output` is stdout and stderr so far. */
function watchDev(repo: string): { child: ChildProcess; output: () => string } {
  const child = spawn(node, [cli, 'dev', '.', '--no-prompt', '--refresh', '1s'], { cwd: repo });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return { child, output: () => out };
}

/** Stops a watching dev with Ctrl-C (SIGINT) and waits for it to exit; nothing when it already has. */
async function stopDev(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  await exited;
}

describe('projector dev', { timeout: 600_000 }, () => {
  it('projects the HOWTO Secret to files from a seeded value, rotates it, and leaks nothing (--demo)', () => {
    const repo = tempRepo();
    const canary = `canary-dev-${Math.random().toString(36).slice(2)}`;
    writeFileSync(join(repo, 'dev-values.env'), `netbox-db-password=${canary}\n`);
    const r = spawnSync(node, [cli, 'dev', '.', '--demo', '--no-prompt', '--seed', 'dev-values.env'], { cwd: repo, encoding: 'utf8', timeout: 90_000 });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /vault: set netbox-db-password, from dev-values\.env/);
    assert.match(r.stdout, /✓ netbox\/netbox-db-password → .*netbox-db-credentials\.yaml/);
    assert.match(r.stdout, /rotated netbox-db-password in the vault/);
    assert.match(r.stdout, /data-hash (\w+) → (?!\1)\w+/);
    assert.match(r.stdout, /Next: npx projector dev <your repo>/);
    const secret = readFileSync(join(repo, '.projector/out/netbox/netbox-db-credentials.yaml'), 'utf8');
    assert.match(secret, /DB_PASSWORD: /);
    assert.match(secret, /reconcile\.external-secrets\.io\/data-hash/);
    assertNowhere([canary], { stdout: r.stdout, stderr: r.stderr, 'dev.log and other work files': readAll(join(repo, '.projector')) });
  });

  it('a missing path or --seed file, a seed line that is not name=value, or --once with --demo fails with one clear line before the vault starts (exit 2, never an internal error)', () => {
    const repo = tempRepo();
    const canary = `canary-seed-${Math.random().toString(36).slice(2)}`;
    writeFileSync(join(repo, 'dev-values.env'), `# development values\nnetbox-db-password=ok\n${canary}\n`);
    const cases: [string[], RegExp][] = [
      [['dev', 'nope/', '--once', '--no-prompt'], /^projector: error: cannot read nope\/?: no such file or directory$/m],
      [['dev', '.', '--once', '--no-prompt', '--seed', 'no-such.env'], /^projector: error: --seed no-such\.env: no such file$/m],
      [['dev', '.', '--once', '--no-prompt', '--seed', 'dev-values.env'], /^projector: error: --seed dev-values\.env: line 3 is not name=value \(a comment starts with #\)$/m],
      [['dev', '.', '--once', '--demo', '--no-prompt'], /--once and --demo are two ways to end a run: give one/],
    ];
    for (const [args, expected] of cases) {
      const r = spawnSync(node, [cli, ...args], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, expected);
      assert.doesNotMatch(r.stderr, /internal error/);
      assert.doesNotMatch(r.stdout, /local vault:/, 'nothing started');
      assertNowhere([canary], { stdout: r.stdout, stderr: r.stderr });
    }
  });

  it('says the only ExternalSecret was refused rather than that none was found (--once)', () => {
    const repo = tempRepo();
    const esFile = join(repo, 'deploy/netbox/secrets/externalsecret-netbox-db-password.yaml');
    writeFileSync(esFile, readFileSync(esFile, 'utf8').replace('  refreshInterval:', '  bogusField: 1\n  refreshInterval:'));
    const r = spawnSync(node, [cli, 'dev', '.', '--once', '--no-prompt'], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /UnknownField: unknown field "bogusField"/);
    assert.match(r.stdout, /no ExternalSecret to run: the 1 found was refused \(the errors above\)/);
    assert.doesNotMatch(r.stdout, /no ExternalSecret found/);
  });

  it('exits 1 with a clear reason when an ExternalSecret cannot sync (--once)', () => {
    const repo = tempRepo();
    const esFile = join(repo, 'deploy/netbox/secrets/externalsecret-netbox-db-password.yaml');
    writeFileSync(esFile, readFileSync(esFile, 'utf8').replace('name: akv-hybridops', 'name: no-such-store'));
    const r = spawnSync(node, [cli, 'dev', '.', '--once', '--no-prompt'], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /✗ netbox\/netbox-db-password: StoreNotFound: ClusterSecretStore "no-such-store" not found/);
    assert.match(r.stdout, /0 ExternalSecret\(s\) ready, 1 failing/);
  });

  it('fails an ExternalSecret whose remote key Key Vault cannot hold with a clear message, not an internal error (--once)', () => {
    // The field case dev-crash-invalid-akv-name: the HOWTO-style azurekv store and DB_PASSWORD.
    const repo = mkdtempSync(join(tmpdir(), 'projector-dev-akv-name-'));
    writeFileSync(join(repo, 'store.yaml'), [
      'apiVersion: external-secrets.io/v1', 'kind: ClusterSecretStore', 'metadata: { name: akv }', 'spec:', '  provider:', '    azurekv:',
      '      vaultUrl: "https://example-vault.vault.azure.net/"', '      tenantId: "00000000-0000-4000-8000-000000000001"', '      authSecretRef:',
      '        clientId: { name: akv-creds, namespace: external-secrets, key: client-id }',
      '        clientSecret: { name: akv-creds, namespace: external-secrets, key: client-secret }', '',
    ].join('\n'));
    writeFileSync(join(repo, 'externalsecret.yaml'), [
      'apiVersion: external-secrets.io/v1', 'kind: ExternalSecret', 'metadata: { name: names, namespace: demo }', 'spec:', '  refreshInterval: 1h',
      '  secretStoreRef: { kind: ClusterSecretStore, name: akv }', '  target: { name: names }', '  data:', '    - secretKey: DB_PASSWORD',
      '      remoteRef: { key: DB_PASSWORD }', '',
    ].join('\n'));
    const r = spawnSync(node, [cli, 'dev', '.', '--once', '--no-prompt'], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, /internal error/);
    assert.match(r.stdout, /✗ demo\/names: InvalidSpec: .*"DB_PASSWORD" cannot be a Key Vault secret name: Key Vault names are 1-127 characters of 0-9, a-z, A-Z and "-"; did you mean "DB-PASSWORD"\?/);
    assert.match(r.stdout, /0 ExternalSecret\(s\) ready, 1 failing/);
  });

  it('refuses what the API server would refuse: an unknown field, and a dockerconfigjson Secret that is not JSON (--once)', () => {
    const repo = mkdtempSync(join(tmpdir(), 'projector-dev-refuse-'));
    const canary = `canary-not-json-${Math.random().toString(36).slice(2)}`;
    const es = (name: string, target: string, extra: string[] = []) => [
      'apiVersion: external-secrets.io/v1', 'kind: ExternalSecret', `metadata: { name: ${name}, namespace: demo }`, 'spec:', '  refreshInterval: 1h',
      '  secretStoreRef: { kind: ClusterSecretStore, name: fk }', ...(target ? [target] : []), ...extra,
    ].join('\n');
    writeFileSync(join(repo, 'all.yaml'), [
      ['apiVersion: external-secrets.io/v1', 'kind: ClusterSecretStore', 'metadata: { name: fk }', 'spec:', '  provider:', '    fake:', '      data:',
        `        - { key: regcred, value: ${canary} }`, '        - { key: plain, value: p }'].join('\n'),
      es('docker', '  target:\n    name: docker\n    template:\n      type: kubernetes.io/dockerconfigjson\n      data:\n        .dockerconfigjson: "{{ .cfg }}"', ['  data:', '    - secretKey: cfg', '      remoteRef: { key: regcred }']),
      es('typo', '  target: { name: typo, deletionPolicyy: Delete }', ['  data:', '    - secretKey: p', '      remoteRef: { key: plain }']),
      es('good', '  target: { name: good }', ['  data:', '    - secretKey: p', '      remoteRef: { key: plain }']),
    ].join('\n---\n'));
    const r = spawnSync(node, [cli, 'dev', '.', '--once', '--no-prompt'], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /all\.yaml:33:25: UnknownField: unknown field "deletionPolicyy" \(did you mean "deletionPolicy"\?\); the API server would refuse ExternalSecret demo\/typo, so it was not applied/);
    assert.match(r.stdout, /✗ demo\/docker: KubeInvalid: the API server would refuse Secret demo\/docker: the value of "\.dockerconfigjson" must be a JSON object/);
    assert.match(r.stdout, /✓ demo\/good →/);
    assert.match(r.stdout, /1 ExternalSecret\(s\) ready, 2 failing/);
    assert.ok(!existsSync(join(repo, '.projector/out/demo/docker.yaml')), 'the refused Secret was not written');
    assertNowhere([canary], { stdout: r.stdout, stderr: r.stderr });
  });

  it('exits 1 when a manifest of another kind was refused, though every ExternalSecret syncs; names a cluster-scoped one without a namespace; says PushSecrets are not run (--once)', () => {
    const repo = mkdtempSync(join(tmpdir(), 'projector-dev-refused-cps-'));
    writeFileSync(join(repo, 'all.yaml'), [
      ['apiVersion: external-secrets.io/v1', 'kind: ClusterSecretStore', 'metadata: { name: fk }', 'spec:', '  provider:', '    fake:', '      data:', '        - { key: plain, value: p }'].join('\n'),
      ['apiVersion: external-secrets.io/v1', 'kind: ExternalSecret', 'metadata: { name: good, namespace: demo }', 'spec:', '  refreshInterval: 1h',
        '  secretStoreRef: { kind: ClusterSecretStore, name: fk }', '  target: { name: good }', '  data:', '    - secretKey: p', '      remoteRef: { key: plain }'].join('\n'),
      ['apiVersion: external-secrets.io/v1alpha1', 'kind: ClusterPushSecret', 'metadata: { name: cps, namespace: default }', 'spec:', '  bogusField: 1'].join('\n'),
      ['apiVersion: external-secrets.io/v1alpha1', 'kind: PushSecret', 'metadata: { name: ps, namespace: demo }', 'spec:',
        '  secretStoreRefs: [{ kind: ClusterSecretStore, name: fk }]', '  selector: { secret: { name: good } }',
        '  data: [{ match: { secretKey: p, remoteRef: { remoteKey: pushed } } }]'].join('\n'),
    ].join('\n---\n'));
    const r = spawnSync(node, [cli, 'dev', '.', '--once', '--no-prompt'], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /the API server would refuse ClusterPushSecret cps, so it was not applied/);
    assert.doesNotMatch(r.stdout, /default\/cps/);
    assert.match(r.stdout, /1 PushSecret\(s\)\/ClusterPushSecret\(s\) not run by dev without a cluster: run them against the local vault with projector dev --cluster \(or --kubeconfig\); see their destinations with npx projector check \./);
    assert.match(r.stdout, /✓ demo\/good →/);
    assert.match(r.stdout, /1 ExternalSecret\(s\) ready, 0 failing\n2 manifest error\(s\) above: what they name was not applied/);
  });

  it('follows manifest edits live while watching', async () => {
    const repo = tempRepo();
    const dev = watchDev(repo);
    const child = dev.child;
    const output = dev.output;
    try {
      await eventually(output, (o) => /✓ netbox\/netbox-db-password/.test(o), { timeoutMs: 30_000 });
      const esFile = join(repo, 'deploy/netbox/secrets/externalsecret-netbox-db-password.yaml');
      writeFileSync(esFile, readFileSync(esFile, 'utf8').replace('secretKey: DB_PASSWORD', 'secretKey: NETBOX_DB_PASSWORD'));
      await eventually(() => readFileSync(join(repo, '.projector/out/netbox/netbox-db-credentials.yaml'), 'utf8'), (y) => /NETBOX_DB_PASSWORD: /.test(y) && !/\n {2}DB_PASSWORD: /.test(y), {
        timeoutMs: 30_000,
      });
      // The process's stdout reaches us on its own schedule, not with the file.
      await eventually(output, (o) => /manifests changed: reloaded/.test(o), { timeoutMs: 5_000, message: 'dev says it reloaded the manifests' });
    } finally {
      await stopDev(child);
    }
  });

  it('prints every ExternalSecret\'s state at start too, also when the work dir is already up to date', async () => {
    const repo = tempRepo();
    const first = spawnSync(node, [cli, 'dev', '.', '--once', '--no-prompt'], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
    assert.equal(first.status, 0, first.stdout + first.stderr);
    const dev = watchDev(repo);
    const child = dev.child;
    const output = dev.output;
    try {
      await eventually(output, (o) => /state: 1 ExternalSecret\(s\) ready, 0 failing\n {2}✓ netbox\/netbox-db-password unchanged\n/.test(o), {
        timeoutMs: 30_000,
        message: 'dev prints the state after its first sync',
      });
    } finally {
      await stopDev(child);
    }
  });

  it('writes the development principal\'s credentials to <work-dir>/vault/dev-principal.env (0600, refreshed each start, never printed); sourcing it lets vault secret set rotate a value dev projects', async () => {
    const repo = tempRepo();
    const envFile = join(repo, '.projector/vault/dev-principal.env');
    const dev = watchDev(repo);
    const child = dev.child;
    const output = dev.output;
    try {
      await eventually(output, (o) => /✓ netbox\/netbox-db-password/.test(o), { timeoutMs: 30_000 });
      assert.equal(statSync(envFile).mode & 0o777, 0o600);
      const url = /^local vault: (\S+)/m.exec(output())![1];
      assert.match(readFileSync(envFile, 'utf8'), new RegExp(`^AZURE_KEYVAULT_URL='${url}'$`, 'm'), 'the file names the vault of this start');
      assert.ok(output().includes(`set -a; . ${envFile}; set +a; npx projector vault secret set --name <name> --value-stdin`), output());
      const canary = `canary-rotated-${Math.random().toString(36).slice(2)}`;
      const set = spawnSync('sh', ['-c', `set -a; . "$1"; set +a; printf %s "$2" | "$3" "$4" vault secret set --name netbox-db-password --value-stdin`, 'sh', envFile, canary, node, cli], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
      assert.equal(set.status, 0, set.stdout + set.stderr);
      await eventually(() => readFileSync(join(repo, '.projector/out/netbox/netbox-db-credentials.env'), 'utf8'), (e) => e.includes(canary), { timeoutMs: 30_000, message: 'the value set through the sourced credentials reaches the projected file' });
      const secret = (JSON.parse(readFileSync(join(repo, '.projector/vault/dev-principal.json'), 'utf8')) as { clientSecret: string }).clientSecret;
      assertNowhere([secret], { 'dev output': output(), 'vault secret set output': set.stdout + set.stderr });
    } finally {
      await stopDev(child);
    }
  });

  it('warns when the work folder is inside a git work tree and not git-ignored, with the line to add; not outside a repository, not once ignored', () => {
    const repo = tempRepo();
    const warning = /^warning: \.projector\/ is not git-ignored and holds development Secrets in plain text: add the line \.projector\/ to \.gitignore before committing$/m;
    const run = () => spawnSync(node, [cli, 'dev', '.', '--once', '--no-prompt'], { cwd: repo, encoding: 'utf8', timeout: 90_000 });
    const outside = run();
    assert.equal(outside.status, 0, outside.stdout + outside.stderr);
    assert.doesNotMatch(outside.stdout + outside.stderr, /not git-ignored/);
    // A fresh repository without any .gitignore: `git status` would list .projector/.
    assert.equal(spawnSync('git', ['init', '-q', '.'], { cwd: repo }).status, 0);
    const fresh = run();
    assert.equal(fresh.status, 0, fresh.stdout + fresh.stderr);
    assert.match(fresh.stdout, warning);
    writeFileSync(join(repo, '.gitignore'), '.projector/\n');
    const ignored = run();
    assert.equal(ignored.status, 0, ignored.stdout + ignored.stderr);
    assert.doesNotMatch(ignored.stdout + ignored.stderr, /not git-ignored/);
  });

  it('prints every ExternalSecret\'s state after each reload: unchanged, then failing', async () => {
    const repo = tempRepo();
    const dev = watchDev(repo);
    const child = dev.child;
    const output = dev.output;
    const esFile = join(repo, 'deploy/netbox/secrets/externalsecret-netbox-db-password.yaml');
    try {
      await eventually(output, (o) => /✓ netbox\/netbox-db-password/.test(o), { timeoutMs: 30_000 });
      // An edit that changes nothing the operator reads: no event, but the state is still shown.
      writeFileSync(esFile, `# a comment\n${readFileSync(esFile, 'utf8')}`);
      await eventually(output, (o) => /manifests changed: reloaded\nstate: 1 ExternalSecret\(s\) ready, 0 failing\n {2}✓ netbox\/netbox-db-password unchanged\n/.test(o), {
        timeoutMs: 20_000,
        message: 'dev prints the unchanged state after the reload',
      });
      const seen = output().length;
      // A template the engine refuses: the state after the reload says it fails, and why.
      writeFileSync(esFile, readFileSync(esFile, 'utf8').replace('    creationPolicy: Owner', '    creationPolicy: Owner\n    template:\n      data:\n        x: "{{ nosuchfunction . }}"'));
      await eventually(() => output().slice(seen), (o) => /state: 0 ExternalSecret\(s\) ready, 1 failing\n {2}✗ netbox\/netbox-db-password failing: .*nosuchfunction/.test(o), {
        timeoutMs: 20_000,
        message: 'dev prints the failing state after the reload',
      });
    } finally {
      await stopDev(child);
    }
  });
});
