// The data directory lock (src/vault/lock.ts) in one process: a live holder is refused by name, a
// dead or recycled pid's lock is taken over, and release never removes another holder's lock.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireDataDirLock, DataDirLockedError, LOCK_FILE } from '../../../src/vault/lock.ts';
import { startVault } from '../../../src/vault/index.ts';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'projector-lock-'));
}

/** A pid that certainly ran and has exited (a child we waited for). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('vault data directory lock', () => {
  it('refuses a second holder while the first lives, naming its pid and command; frees it on release', () => {
    const dir = tempDir();
    try {
      const first = acquireDataDirLock(dir, 'projector vault serve --data-dir d');
      const err = (() => {
        try {
          acquireDataDirLock(dir, 'projector dev (work dir x)');
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      assert.ok(err instanceof DataDirLockedError);
      assert.match(err.message, new RegExp(`in use by process ${process.pid} \\(projector vault serve --data-dir d\\), started \\d{4}-`));
      assert.match(err.message, /--data-dir for vault serve, --work-dir for dev/);
      assert.match(err.message, new RegExp(`delete ${join(dir, LOCK_FILE).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
      first.release();
      assert.equal(existsSync(join(dir, LOCK_FILE)), false);
      acquireDataDirLock(dir, 'projector dev (work dir x)').release();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes over a lock whose holder no longer runs (kill -9 leaves one behind)', () => {
    const dir = tempDir();
    try {
      writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: deadPid(), command: 'projector vault serve', startedAt: '2026-01-01T00:00:00.000Z', hostname: hostname() }));
      const lock = acquireDataDirLock(dir, 'second');
      assert.equal(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid, process.pid);
      lock.release();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes over a lock whose pid now belongs to another process (start tick differs, read from Linux /proc)', () => {
    const dir = tempDir();
    try {
      // Our own pid is alive, but it did not start at tick 1: the record is from an earlier process.
      writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: process.pid, command: 'old', startedAt: '2026-01-01T00:00:00.000Z', hostname: hostname(), startTicks: '1' }));
      acquireDataDirLock(dir, 'new').release();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('counts a holder on another host as alive, and an unreadable record as held', () => {
    const dir = tempDir();
    try {
      writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: deadPid(), command: 'projector dev', startedAt: '2026-01-01T00:00:00.000Z', hostname: 'elsewhere.example' }));
      assert.throws(() => acquireDataDirLock(dir, 'x'), (e: Error) => e instanceof DataDirLockedError && /on host elsewhere\.example/.test(e.message));
      writeFileSync(join(dir, LOCK_FILE), '{"pid":');
      assert.throws(() => acquireDataDirLock(dir, 'x'), (e: Error) => e instanceof DataDirLockedError && /lock record cannot be read/.test(e.message));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does not remove a lock that another process took after ours was released', () => {
    const dir = tempDir();
    try {
      const lock = acquireDataDirLock(dir, 'first');
      const other = JSON.stringify({ pid: process.pid, command: 'other', startedAt: '2026-01-01T00:00:00.000Z', hostname: hostname() });
      writeFileSync(join(dir, LOCK_FILE), other);
      lock.release();
      assert.equal(readFileSync(join(dir, LOCK_FILE), 'utf8'), other);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('startVault holds the lock until close, and a failed start leaves none behind', async () => {
    const dir = tempDir();
    try {
      const vault = await startVault({ dataDir: dir, owner: 'test vault' });
      await assert.rejects(startVault({ dataDir: dir }), (e: Error) => e instanceof DataDirLockedError && /\(test vault\)/.test(e.message));
      await vault.close();
      assert.equal(existsSync(join(dir, LOCK_FILE)), false);
      // A port taken by another listener: the start fails after the lock was taken, and frees it.
      const blocker = await startVault({ dataDir: join(dir, 'other') });
      await assert.rejects(startVault({ dataDir: dir, port: Number(new URL(blocker.url).port) }));
      assert.equal(existsSync(join(dir, LOCK_FILE)), false);
      await blocker.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
