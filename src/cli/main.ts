#!/usr/bin/env node
// The `projector` command. Each command lives in src/cli/commands/ and is its own composition root.
import { Command } from 'commander';
import { registerOperatorCommand } from './commands/operator.ts';
import { registerValidateCommand } from './commands/validate.ts';
import { registerVaultCommands } from './commands/vault.ts';
import { registerCheckCommand } from './commands/check.ts';

export function buildProgram(): Command {
  const program = new Command('projector')
    .description('Projects secrets from Azure Key Vault into Kubernetes Secrets (External Secrets Operator API).')
    .showHelpAfterError()
    .configureOutput({ outputError: (s, write) => write(s) });
  registerOperatorCommand(program);
  registerValidateCommand(program);
  registerVaultCommands(program);
  registerCheckCommand(program);
  return program;
}

export async function runCli(argv: string[]): Promise<void> {
  const program = buildProgram();
  program.exitOverride((err) => {
    process.exit(err.exitCode === 0 ? 0 : 2);
  });
  await program.parseAsync(argv);
}

if (import.meta.main) {
  runCli(process.argv).catch((err: unknown) => {
    const e = err as { name?: string; code?: string; message?: string };
    // Only our own errors carry messages safe to print; anything else is a bug, named but not quoted.
    if (e?.name === 'ProjectorError') process.stderr.write(`projector: ${e.code}: ${e.message}\n`);
    else process.stderr.write(`projector: internal error (${e?.name ?? typeof err}); run with LOG_LEVEL=debug for a stack\n`);
    process.exit(2);
  });
}
