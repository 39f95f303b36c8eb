// `projector vault serve` and `projector vault secret ...` as a user runs them: real processes.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { canary } from './vault-support.ts';

const entry = new URL('./cli-entry.ts', import.meta.url).pathname;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: NodeJS.ProcessEnv, stdin?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [entry, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

describe('projector vault CLI', () => {
  let dir: string;
  let server: ChildProcess;
  let serverOut = '';
  let serverErr = '';
  let env: NodeJS.ProcessEnv;
  let common: string[];
  const value = canary('cli');

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'projector-vault-cli-'));
    writeFileSync(join(dir, 'principals.json'), JSON.stringify([{ clientId: 'dev', clientSecret: 'dev-secret' }]));
    server = spawn(process.execPath, [entry, 'vault', 'serve', '--data-dir', join(dir, 'data'), '--port', '0', '--principals', join(dir, 'principals.json'), '--log-level', 'debug'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stderr!.on('data', (d) => (serverErr += d));
    const lines = createInterface({ input: server.stdout! });
    await new Promise<void>((resolve, reject) => {
      lines.on('line', (line) => {
        serverOut += `${line}\n`;
        if (line.startsWith('  export AZURE_POD_IDENTITY_AUTHORITY_HOST')) resolve();
      });
      server.once('exit', () => reject(new Error(`vault serve exited early: ${serverErr}`)));
    });
    const field = (label: string) => new RegExp(`${label}:\\s+(\\S+)`).exec(serverOut)![1]!;
    env = { AZURE_TENANT_ID: field('Tenant ID'), AZURE_CLIENT_ID: 'dev', AZURE_CLIENT_SECRET: 'dev-secret', AZURE_AUTHORITY_HOST: field('Authority host') };
    common = ['--vault-url', field('Vault URL'), '--ca-file', field('CA certificate')];
  });

  after(async () => {
    if (server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the URL, authority, tenant and how to trust the CA', () => {
    assert.match(serverOut, /Vault URL:\s+https:\/\/127\.0\.0\.1:\d+/);
    // A bundle (existing extra CAs + this one), so the advice adds to NODE_EXTRA_CA_CERTS instead of replacing it.
    assert.match(serverOut, /export NODE_EXTRA_CA_CERTS=\S+\/tls\/ca-bundle\.pem$/m);
    assert.match(serverOut, /--ca-file \S+\/tls\/ca\.pem$/m);
    // Principals were registered: no development principal is made.
    assert.match(serverOut, /Principals:\s+\S+principals\.json \(dev\)/);
    assert.doesNotMatch(serverOut, /Dev principal:/);
  });

  it('sets from stdin, shows metadata without the value, and reveals it only on request', async () => {
    // Nothing on standard input is refused (exit 2) and stores nothing (the list below has one name).
    const empty = await run(['vault', 'secret', 'set', ...common, '--name', 'empty-stdin', '--value-stdin'], env, '');
    assert.equal(empty.code, 2, empty.stderr);
    assert.match(empty.stderr, /standard input was empty: nothing stored/);
    const set = await run(['vault', 'secret', 'set', ...common, '--name', 'cli-secret', '--value-stdin', '--tags', 'team=platform'], env, value);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(JSON.parse(set.stdout).tags.team, 'platform');
    assert.ok(!set.stdout.includes(value));

    const show = await run(['vault', 'secret', 'show', ...common, '--name', 'cli-secret'], env);
    assert.equal(show.code, 0, show.stderr);
    assert.equal(JSON.parse(show.stdout).name, 'cli-secret');
    assert.ok(!show.stdout.includes(value));

    const reveal = await run(['vault', 'secret', 'show', ...common, '--name', 'cli-secret', '--reveal'], env);
    assert.equal(JSON.parse(reveal.stdout).value, value);

    const list = await run(['vault', 'secret', 'list', ...common], env);
    assert.deepEqual(JSON.parse(list.stdout).map((s: { name: string }) => s.name), ['cli-secret']);
    assert.ok(!list.stdout.includes(value));
  });

  it('exits 1 (the vault said no) with a code, not a body, when the secret is missing or the credential is wrong', async () => {
    const missing = await run(['vault', 'secret', 'show', ...common, '--name', 'no-such-secret'], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /VaultNotFound: secret "no-such-secret" in vault https:\/\/127\.0\.0\.1:\d+\/? does not exist \(404 SecretNotFound\)/);
    const wrong = canary('wrong-cli-secret');
    const denied = await run(['vault', 'secret', 'show', ...common, '--name', 'cli-secret'], { ...env, AZURE_CLIENT_SECRET: wrong });
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /StoreAuthFailed: could not get a token for vault .*\(.*AADSTS7000215\)/);
    assert.ok(!denied.stderr.includes(wrong));
  });

  it('deletes and purges, then stops on SIGTERM without ever logging the value', async () => {
    const del = await run(['vault', 'secret', 'delete', ...common, '--name', 'cli-secret', '--purge'], env);
    assert.equal(del.code, 0, del.stderr);
    assert.equal(JSON.parse(del.stdout).purged, true);
    server.kill('SIGTERM');
    // 'close', not 'exit': the last of the server's output is read only by then.
    const code = await new Promise((r) => server.once('close', r));
    assert.equal(code, 0);
    assert.match(serverErr, /secret set/);
    assert.ok(!serverErr.includes(value), 'the value reached the vault logs');
    assert.ok(!serverOut.includes(value));
  });
});
