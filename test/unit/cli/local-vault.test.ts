// vaultStartupError: what the local vault's start-up failures a user or the machine causes print.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProjectorError } from '../../../src/core/errors.ts';
import { vaultStartupError } from '../../../src/cli/local-vault.ts';
import { DataDirLockedError, VaultDataFileError } from '../../../src/vault/index.ts';

const sysError = (code: string, syscall: string, path: string) => Object.assign(new Error(`${code}: CANARY-message ${path}`), { code, syscall, path });

function mapped(e: unknown, flag = '--data-dir'): ProjectorError {
  const out = vaultStartupError(e, '/data/vault', flag);
  assert.ok(out instanceof ProjectorError, `not mapped: ${String(out)}`);
  assert.ok(!out.message.includes('CANARY'), 'the system message is not quoted');
  return out;
}

describe('vaultStartupError', () => {
  it('a full disk: DataDirUnusable naming the file, the directory and both ways out', () => {
    const e = mapped(sysError('ENOSPC', 'write', '/data/vault/.state.json.1.0.tmp'));
    assert.equal(e.code, 'DataDirUnusable');
    assert.equal(
      e.message,
      "the local vault's data directory /data/vault cannot be used: cannot write /data/vault/.state.json.1.0.tmp: no space left on the device; free some space on that file system, or give a directory on another one with --data-dir",
    );
  });

  it('a read-only file system and a permission denied: each with its own advice and the flag', () => {
    assert.match(mapped(sysError('EROFS', 'mkdir', '/data/vault')).message, /cannot create directory \/data\/vault: the file system is read-only; give a directory on a writable file system with --data-dir$/);
    assert.match(mapped(sysError('EACCES', 'open', '/data/vault/lock'), '--work-dir').message, /cannot open \/data\/vault\/lock: permission denied; give a directory this user can write with --work-dir, or change the directory's owner or mode$/);
    assert.match(mapped(sysError('EPERM', 'rename', '/data/vault/state.json')).message, /permission denied; give a directory this user can write with --data-dir/);
  });

  it('a path through a file, and a code failure.ts does not know: still named, with the flag', () => {
    assert.match(mapped(sysError('ENOTDIR', 'mkdir', '/data/f/vault')).message, /cannot create directory \/data\/f\/vault: a part of the path is not a directory; give another directory with --data-dir$/);
    assert.match(mapped(sysError('EDQUOT', 'write', '/data/vault/x')).message, /cannot write \/data\/vault\/x \(EDQUOT\); free some space/);
  });

  it('a data file that does not parse: names it and how to recover, never its content', () => {
    const e = mapped(new VaultDataFileError('/data/vault/state.json'));
    assert.equal(e.code, 'DataDirUnusable');
    assert.match(e.message, /^the local vault's file \/data\/vault\/state\.json is not valid JSON .*restore it from a backup, or move it out of \/data\/vault/);
  });

  it('a held directory stays DataDirLocked', () => {
    const e = mapped(new DataDirLockedError('/data/vault', '/data/vault/lock', undefined));
    assert.equal(e.code, 'DataDirLocked');
  });

  it('leaves listen errors to the caller (it names its port flag) and bugs to the bug report', () => {
    const listen = Object.assign(new Error('x'), { code: 'EADDRINUSE', syscall: 'listen', address: '127.0.0.1', port: 8443 });
    assert.equal(vaultStartupError(listen, '/d', '--data-dir'), listen);
    const bug = new TypeError('x');
    assert.equal(vaultStartupError(bug, '/d', '--data-dir'), bug);
  });
});
