// node:https adapter for the vault app: the only socket code in src/vault/.
import type { StartedVault, VaultOptions } from './index.ts';

export async function startVault(_opts: VaultOptions): Promise<StartedVault> {
  throw new Error('startVault: not implemented yet');
}
