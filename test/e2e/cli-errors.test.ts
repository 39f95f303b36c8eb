// Errors that explain themselves (issue 12), through the real CLI process: each input a user can
// get wrong ends in one line naming what failed and what to do, with the documented exit status,
// never `internal error`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startVault, type StartedVault } from '../../src/vault/index.ts';
import { eventually } from '../support/eventually.ts';
import { runProjector, type CliRun } from '../support/cli.ts';

const root = new URL('../../', import.meta.url).pathname;
const CLIENT_ID = 'cli-errors';
const CLIENT_SECRET = `CANARY-cli-errors-${process.pid}`;
// The test's own environment must not pick a cluster, a credential or a trust store for the command.
const UNSET = ['KUBECONFIG', 'KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT', 'NODE_EXTRA_CA_CERTS', 'AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_AUTHORITY_HOST', 'AZURE_KEYVAULT_URL'];

function assertExplained(r: CliRun): void {
  assert.doesNotMatch(r.stderr, /internal error/, r.stderr);
  assert.ok(!(r.stdout + r.stderr).includes(CLIENT_SECRET), 'the client secret never reaches the output');
}

function holdPort(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

describe('errors that explain themselves (CLI process)', { timeout: 1_200_000 }, () => {
  let dir: string;
  let home: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'projector-cli-errors-'));
    home = join(dir, 'home');
    mkdirSync(home);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('vault serve', () => {
    it('on a port in use: exit 2, names the address and --port', async () => {
      const held = await holdPort();
      try {
        const r = await runProjector(['vault', 'serve', '--port', String(held.port), '--data-dir', join(dir, 'vault-a')], { unset: UNSET });
        assert.equal(r.code, 2);
        assert.equal(r.stderr, `projector: InvalidSpec: 127.0.0.1:${held.port} is already in use (another process, perhaps another projector vault serve or dev, holds it); pass another --port (--port 0 picks a free one)\n`);
        assertExplained(r);
      } finally {
        held.server.close();
      }
    });

    it('on an IMDS port in use: names --imds-port', async () => {
      const held = await holdPort();
      try {
        const r = await runProjector(['vault', 'serve', '--port', '0', '--imds-port', String(held.port), '--data-dir', join(dir, 'vault-b')], { unset: UNSET });
        assert.equal(r.code, 2);
        assert.match(r.stderr, new RegExp(`127\\.0\\.0\\.1:${held.port} is already in use .*pass another --imds-port`));
        assertExplained(r);
      } finally {
        held.server.close();
      }
    });

    it('with a data directory under a file: names the path', async () => {
      writeFileSync(join(dir, 'a-file'), '');
      const r = await runProjector(['vault', 'serve', '--port', '0', '--data-dir', join(dir, 'a-file/vault')], { unset: UNSET });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^projector: DataDirUnusable: the local vault's data directory .*a-file\/vault cannot be used: cannot create directory .*a-file\/vault: a part of the path is not a directory; give another directory with --data-dir\n$/);
      assertExplained(r);
    });

    it('with a --host that does not resolve, or a --log-level pino has not: exit 2 naming the flag', async () => {
      const host = await runProjector(['vault', 'serve', '--port', '0', '--host', 'no-such-host.invalid', '--data-dir', join(dir, 'vault-host')], { unset: UNSET });
      assert.equal(host.code, 2, host.stdout + host.stderr);
      assert.match(host.stderr, /^projector: InvalidSpec: --host no-such-host\.invalid does not resolve to an address \((ENOTFOUND|EAI_AGAIN)\); pass an address of this machine, e\.g\. --host 127\.0\.0\.1/m);
      assertExplained(host);
      const level = await runProjector(['vault', 'serve', '--port', '0', '--log-level', 'loud', '--data-dir', join(dir, 'vault-level')], { unset: UNSET });
      assert.equal(level.code, 2);
      assert.equal(level.stderr, 'projector: error: --log-level must be one of trace, debug, info, warn, error, fatal, silent; see `npx projector vault serve --help`\n');
      const devLevel = await runProjector(['dev', '.', '--once', '--log-level', 'loud', '--work-dir', join(dir, 'dev-level')], { unset: UNSET, cwd: dir });
      assert.equal(devLevel.code, 2);
      assert.equal(devLevel.stderr, 'projector: error: --log-level must be one of trace, debug, info, warn, error, fatal, silent; see `npx projector dev --help`\n');
    });

    // A file of the data directory that does not parse (edited by hand, or cut short by a full disk):
    // named, with how to recover, never "internal error" and never its content.
    for (const file of ['state.json', 'principals.json', 'dev-principal.json']) {
      it(`with a ${file} that is not JSON: exit 2 naming the file and how to recover`, async () => {
        const dataDir = join(dir, `torn-${file}`);
        mkdirSync(dataDir);
        writeFileSync(join(dataDir, file), `{"CANARY-torn-content": "${CLIENT_SECRET}`);
        const r = await runProjector(['vault', 'serve', '--port', '0', '--data-dir', dataDir], { unset: UNSET });
        assert.equal(r.code, 2, r.stdout + r.stderr);
        // The last line (the vault may have logged its start and its stop before a later file failed).
        assert.equal(r.stderr.split('\n').at(-2) + '\n', `projector: DataDirUnusable: the local vault's file ${join(dataDir, file)} is not valid JSON (edited by hand, or cut short); restore it from a backup, or move it out of ${dataDir} to start without it (what it held is then lost)\n`);
        assert.ok(!r.stderr.includes('CANARY-torn-content'));
        assertExplained(r);
      });
    }

    it('dev on a work directory whose vault state is not JSON: names --work-dir\'s file', async () => {
      const work = join(dir, 'dev-torn');
      mkdirSync(join(work, 'vault'), { recursive: true });
      writeFileSync(join(work, 'vault', 'state.json'), '{');
      const r = await runProjector(['dev', '.', '--once', '--no-prompt', '--work-dir', work], { unset: UNSET, cwd: work });
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, /^projector: DataDirUnusable: the local vault's file .*dev-torn\/vault\/state\.json is not valid JSON/m);
      assertExplained(r);
    });
  });

  it('dev --port out of range: exit 2 naming the flag, before anything starts', async () => {
    const r = await runProjector(['dev', '.', '--once', '--port', '99999'], { unset: UNSET, cwd: dir });
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'projector: error: --port must be a port number (0-65535); see `npx projector dev --help`\n');
  });

  it('operator on a metrics address in use: exit 2 naming --metrics-addr', async () => {
    const held = await holdPort();
    const kubeconfig = join(dir, 'kubeconfig-metrics.yaml');
    writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\ncurrent-context: c\ncontexts: [{name: c, context: {cluster: k, user: u}}]\nclusters: [{name: k, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {token: t}}]\n');
    try {
      const r = await runProjector(['operator', '--kubeconfig', kubeconfig, '--health-addr', '0', '--metrics-addr', `127.0.0.1:${held.port}`], { unset: UNSET });
      assert.equal(r.code, 2);
      assert.match(r.stderr, new RegExp(`projector: InvalidSpec: --metrics-addr 127\\.0\\.0\\.1:${held.port} is already in use .*pass another --metrics-addr, or "0" to turn the endpoint off`));
      assertExplained(r);
    } finally {
      held.server.close();
    }
  });

  describe('no Kubernetes configuration', () => {
    const NO_CONFIG = /no Kubernetes configuration: no --kubeconfig, KUBECONFIG is not set, this is not a pod .*\.kube\/config does not exist; pass --kubeconfig <file> or set KUBECONFIG/;
    for (const args of [['operator'], ['evidence', '--app', 'netbox'], ['dev', '.', '--cluster', '--once', '--no-prompt']]) {
      it(`projector ${args.join(' ')}: exit 2 at once, naming every place looked at (never localhost:8080)`, async () => {
        const cwd = join(dir, `cwd-${args[0]}`);
        mkdirSync(cwd);
        const r = await runProjector(args, { unset: UNSET, env: { HOME: home }, cwd });
        assert.equal(r.code, 2, r.stdout + r.stderr);
        assert.match(r.stderr, NO_CONFIG);
        assert.doesNotMatch(r.stdout + r.stderr, /localhost:8080/);
        assertExplained(r);
      });
    }

    it('KUBECONFIG naming a missing file: says so', async () => {
      const r = await runProjector(['operator'], { unset: UNSET, env: { HOME: home, KUBECONFIG: join(dir, 'nope.yaml') } });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /KUBECONFIG names .*nope\.yaml, which does not exist; fix KUBECONFIG or pass --kubeconfig <file>/);
    });

    it('the operator logs which configuration it uses', async () => {
      const kubeconfig = join(dir, 'kubeconfig.yaml');
      writeFileSync(
        kubeconfig,
        'apiVersion: v1\nkind: Config\ncurrent-context: c\ncontexts: [{name: c, context: {cluster: k, user: u}}]\nclusters: [{name: k, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {token: t}}]\n',
      );
      const child = spawn(process.execPath, [join(root, 'src/cli/main.ts'), 'operator', '--metrics-addr', '0', '--health-addr', '0'], {
        env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !UNSET.includes(k))), HOME: home, KUBECONFIG: kubeconfig },
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      try {
        const line = await eventually(() => out.split('\n').find((l) => l.includes('starting Projector operator')), (l) => l !== undefined, { timeoutMs: 60_000 });
        const entry = JSON.parse(line!) as { server: string; kubeconfig: string; context: string };
        assert.deepEqual({ server: entry.server, kubeconfig: entry.kubeconfig, context: entry.context }, { server: 'https://127.0.0.1:1', kubeconfig: `KUBECONFIG=${kubeconfig}`, context: 'c' });
      } finally {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    });
  });

  describe('vault secret * and check against the local vault', () => {
    let vault: StartedVault;
    let other: StartedVault;
    let client: string[];

    before(async () => {
      vault = await startVault({ dataDir: join(dir, 'vault'), principals: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }] });
      // A second vault: its own CA, which the first vault's --ca-file does not cover.
      other = await startVault({ dataDir: join(dir, 'other-vault') });
      await vault.admin.setSecret('present', 'CANARY-present-value');
      client = ['--vault-url', vault.url, '--tenant-id', vault.tenantId, '--client-id', CLIENT_ID, '--client-secret', CLIENT_SECRET, '--ca-file', vault.caFile];
    });
    after(async () => {
      await vault?.close();
      await other?.close();
    });

    const secret = (args: string[], extra: string[] = []) => runProjector(['vault', 'secret', ...args, ...client, ...extra], { unset: UNSET });

    it('404: exit 1 (the vault said no, not a usage error), naming the secret', async () => {
      const r = await secret(['show', '--name', 'absent'], ['--authority-host', vault.authorityHost]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^projector: VaultNotFound: secret "absent" in vault https:\/\/127\.0\.0\.1:\d+\/? does not exist \(404 SecretNotFound\)/);
      assertExplained(r);
    });

    it('404 on a version: names the secret and the version', async () => {
      const version = '0123456789abcdef0123456789abcdef';
      const r = await secret(['show', '--name', 'present', '--version', version], ['--authority-host', vault.authorityHost]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`secret "present" version "${version}" in vault .* does not exist \\(404`));
      assert.doesNotMatch(r.stderr, /CANARY-present-value/);
    });

    it('400 on a name Key Vault cannot hold: exit 1, says what is invalid', async () => {
      const r = await secret(['set', '--name', 'not_valid', '--value', 'x'], ['--authority-host', vault.authorityHost]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^projector: InvalidSpec: vault .* refused the secret name \(400 BadParameter\): "not_valid" cannot be a Key Vault secret name: .*did you mean "not-valid"\?/);
      assertExplained(r);
    });

    it('a wrong client secret: exit 1 (refused), not unreachable', async () => {
      const r = await runProjector(['vault', 'secret', 'list', ...client.slice(0, -4), '--client-secret', 'wrong', '--ca-file', vault.caFile, '--authority-host', vault.authorityHost], { unset: UNSET });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /^projector: StoreAuthFailed: /);
      assertExplained(r);
    });

    it('an unreachable authority: exit 2, unreachable, naming the URL and --authority-host', async () => {
      const r = await secret(['list'], ['--authority-host', 'https://127.0.0.1:1']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, new RegExp(`token authority unreachable: nothing answered at https://127\\.0\\.0\\.1:1/${vault.tenantId}/v2\\.0/\\.well-known/openid-configuration \\(ECONNREFUSED\\); check --authority-host`));
      assertExplained(r);
    });

    it('an authority with no OpenID metadata: exit 1, naming the URL and --authority-host', async () => {
      const r = await secret(['list'], ['--authority-host', `${vault.url.replace(/\/$/, '')}/not-an-authority`]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /token authority serves no OpenID metadata: https:\/\/127\.0\.0\.1:\d+\/not-an-authority\/.*\/v2\.0\/\.well-known\/openid-configuration answered 404; --authority-host/);
      assertExplained(r);
    });

    it('an authority whose certificate is not trusted: exit 2, naming the URL and --ca-file', async () => {
      const r = await secret(['list'], ['--authority-host', other.authorityHost]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /token authority not trusted: the certificate served at https:\/\/127\.0\.0\.1:\d+\/.*openid-configuration failed verification \([A-Z_]+\); give the CA that signed it with --ca-file/);
      assertExplained(r);
    });

    it('a missing flag: exit 2 (usage), nothing sent', async () => {
      const r = await runProjector(['vault', 'secret', 'list'], { unset: UNSET });
      assert.equal(r.code, 2);
      assert.equal(r.stderr, 'projector: error: give --vault-url (or AZURE_KEYVAULT_URL); see `npx projector vault secret list --help`\n');
    });

    it('check: an unreachable authority is unreachable (exit 2), not forbidden', async () => {
      const r = await runProjector(['check', 'test/fixtures/seed', '--vault-url', vault.url, '--authority-host', 'https://127.0.0.1:1', '--ca-file', vault.caFile, '-o', 'json', '--no-progress'], {
        unset: UNSET,
        env: { AZURE_TENANT_ID: vault.tenantId, AZURE_CLIENT_ID: CLIENT_ID, AZURE_CLIENT_SECRET: CLIENT_SECRET },
      });
      const body = JSON.parse(r.stdout) as { results: { result: string; detail: string }[] };
      assert.equal(body.results[0]!.result, 'unreachable');
      assert.match(body.results[0]!.detail, /token authority unreachable: nothing answered at https:\/\/127\.0\.0\.1:1\/.*--authority-host/);
      assert.equal(r.code, 2);
      assertExplained(r);
    });

    it('check: an unreachable managed identity endpoint (IMDS) is unreachable (exit 2), not forbidden', async () => {
      const repo = join(dir, 'mi-repo');
      mkdirSync(repo);
      writeFileSync(
        join(repo, 'store.yaml'),
        `apiVersion: external-secrets.io/v1\nkind: ClusterSecretStore\nmetadata: { name: mi }\nspec:\n  provider:\n    azurekv:\n      vaultUrl: "${vault.url}"\n      authType: ManagedIdentity\n`,
      );
      writeFileSync(join(repo, 'es.yaml'), 'apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata: { name: a, namespace: app }\nspec:\n  secretStoreRef: { kind: ClusterSecretStore, name: mi }\n  data:\n    - secretKey: K\n      remoteRef: { key: present }\n');
      const r = await runProjector(['check', repo, '--ca-file', vault.caFile, '-o', 'json', '--no-progress'], { unset: UNSET, env: { AZURE_POD_IDENTITY_AUTHORITY_HOST: 'http://127.0.0.1:1' } });
      const body = JSON.parse(r.stdout) as { results: { result: string; detail: string }[] };
      assert.equal(body.results[0]!.result, 'unreachable', body.results[0]!.detail);
      assert.match(body.results[0]!.detail, /managed identity endpoint .* is unreachable \(network_error\)/);
      assert.equal(r.code, 2);
    });
  });
});
