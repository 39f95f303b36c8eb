// A minimal `projector` with only the vault commands, so their tests do not depend on src/cli/main.ts.
import { Command } from 'commander';
import { registerVaultCommands } from '../../../src/cli/commands/vault.ts';

const program = new Command('projector').exitOverride();
registerVaultCommands(program);
try {
  await program.parseAsync(process.argv);
} catch (e) {
  const err = e as { name?: string; code?: string; message?: string; exitCode?: number };
  if (err.name === 'ProjectorError') process.stderr.write(`projector: ${err.code}: ${err.message}\n`);
  // The real CLI (main.ts) files the stack in its debug log; this test entry prints it so a failure names its cause.
  else if (err.exitCode === undefined) process.stderr.write(`projector: internal error (${err.name}): ${(e as Error).stack ?? String(e)}\n`);
  process.exit(2);
}
