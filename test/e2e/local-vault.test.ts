// The local vault as a newcomer meets it, through real CLI processes: one process per data
// directory (a second `vault serve` or `dev` is refused, naming the holder; a killed holder's lock
// is taken over).
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { runProjector } from '../support/cli.ts';

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
});
