// Starts the local vault for a CLI command (`vault serve`, `dev`): the vault's own errors that a
// user can cause become ProjectorErrors here, so the command prints what to do, not "internal error".
import { ProjectorError } from '../core/errors.ts';
import { DataDirLockedError, startVault, type StartedVault, type VaultOptions } from '../vault/index.ts';

/** startVault, with a data directory held by another process reported as `DataDirLocked` (exit 2). */
export async function startVaultForCli(opts: VaultOptions): Promise<StartedVault> {
  try {
    return await startVault(opts);
  } catch (e) {
    if (e instanceof DataDirLockedError) throw new ProjectorError('DataDirLocked', e.message);
    throw e;
  }
}
