// Starts the local vault for a CLI command (`vault serve`, `dev`): the vault's own errors that a
// user or the machine can cause become ProjectorErrors here, so the command prints what failed and
// what to do, not "internal error".
import { resolve } from 'node:path';
import { ProjectorError } from '../core/errors.ts';
import { DataDirLockedError, startVault, VaultDataFileError, type StartedVault, type VaultOptions } from '../vault/index.ts';
import { explainSystemError } from './failure.ts';

export interface VaultCliContext {
  /** The flag that chose the data directory, named in the advice: `--data-dir` (vault serve), `--work-dir` (dev). */
  dataDirFlag: string;
  /**
   * The command's own start-up writes into the data directory once the vault listens (principals,
   * the CA bundle, the env file). Their errors are mapped like the vault's, and the vault is closed
   * so the process does not stay alive behind the error.
   */
  setUp?: (vault: StartedVault) => Promise<void>;
}

/**
 * startVault, then `ctx.setUp`. Errors, as ProjectorError (exit 2 through main.ts):
 * - DataDirLocked: another live process holds the directory (vault/lock.ts);
 * - DataDirUnusable: the directory or a file in it cannot be created, read or written (a Node.js
 *   system error with a path: EACCES, EPERM, EROFS, ENOSPC, EDQUOT, ENOTDIR, EISDIR, EEXIST, ...),
 *   or a JSON file in it does not parse (VaultDataFileError).
 * Listen errors (a port in use) are rethrown as they are: the caller names its port flag.
 */
export async function startVaultForCli(opts: VaultOptions, ctx: VaultCliContext = { dataDirFlag: '--data-dir' }): Promise<StartedVault> {
  let vault: StartedVault | undefined;
  try {
    vault = await startVault(opts);
    await ctx.setUp?.(vault);
    return vault;
  } catch (e) {
    await vault?.close().catch(() => undefined);
    throw vaultStartupError(e, resolve(opts.dataDir), ctx.dataDirFlag);
  }
}

/**
 * What a start-up failure of the local vault in `dataDir` means to the user, as a ProjectorError
 * naming the directory or file and the flag to change; `e` itself when it is none of those (a
 * listen error, left to the caller, or a bug, left to main.ts's bug report). Built from the error's
 * code, syscall and path only (failure.ts), never from its message.
 */
export function vaultStartupError(e: unknown, dataDir: string, dataDirFlag: string): unknown {
  if (e instanceof ProjectorError) return e;
  if (e instanceof DataDirLockedError) return new ProjectorError('DataDirLocked', e.message);
  if (e instanceof VaultDataFileError) {
    return new ProjectorError(
      'DataDirUnusable',
      `the local vault's file ${e.path} is not valid JSON (edited by hand, or cut short); restore it from a backup, or move it out of ${dataDir} to start without it (what it held is then lost)`,
    );
  }
  const s = e as { code?: unknown; syscall?: unknown; path?: unknown };
  if (e && typeof e === 'object' && typeof s.code === 'string' && typeof s.syscall === 'string' && typeof s.path === 'string' && s.syscall !== 'listen') {
    const what = explainSystemError(e) ?? `cannot ${s.syscall} ${s.path} (${s.code})`;
    return new ProjectorError('DataDirUnusable', `the local vault's data directory ${dataDir} cannot be used: ${what}; ${advice(s.code, dataDirFlag)}`);
  }
  return e;
}

function advice(code: string, flag: string): string {
  if (code === 'ENOSPC' || code === 'EDQUOT') return `free some space on that file system, or give a directory on another one with ${flag}`;
  if (code === 'EROFS') return `give a directory on a writable file system with ${flag}`;
  if (code === 'EACCES' || code === 'EPERM') return `give a directory this user can write with ${flag}, or change the directory's owner or mode`;
  if (code === 'EMFILE' || code === 'ENFILE') return 'too many open files: close other programs or raise the limit (ulimit -n), then try again';
  return `give another directory with ${flag}`;
}
