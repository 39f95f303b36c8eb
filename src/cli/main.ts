#!/usr/bin/env node
// The `projector` command. Each command lives in src/cli/commands/ and is its own composition root.
import { Command } from 'commander';
import { registerDevCommand } from './commands/dev.ts';
import { registerOperatorCommand } from './commands/operator.ts';
import { registerValidateCommand } from './commands/validate.ts';
import { registerVaultCommands } from './commands/vault.ts';
import { registerCheckCommand } from './commands/check.ts';
import { registerEvidenceCommand } from './commands/evidence.ts';
import { defaultRegistry } from './default-registry.ts';

export function buildProgram(): Command {
  const program = new Command('projector')
    .description('Projects secrets from Azure Key Vault into Kubernetes Secrets (External Secrets Operator API).')
    .showHelpAfterError()
    .configureOutput({ outputError: (s, write) => write(s) })
    // Usage errors exit 2 (1 means findings); set before subcommands so they inherit it.
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));
  registerOperatorCommand(program);
  registerDevCommand(program);
  registerValidateCommand(program, { providers: defaultRegistry().providers() });
  registerVaultCommands(program);
  registerCheckCommand(program);
  registerEvidenceCommand(program);
  return program;
}

export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    const e = err as { name?: string; code?: string; message?: string; stack?: string };
    // Only our own errors carry messages safe to print; anything else is a bug, named but not quoted.
    if (e?.name === 'ProjectorError') process.stderr.write(`projector: ${e.code}: ${e.message}\n`);
    else {
      // Every edge maps its errors to ProjectorError (the vault's, the SDK's, the API server's), so
      // reaching here is a Projector bug: say so, and how to get the stack for a report.
      process.stderr.write(`projector: internal error (${e?.name ?? typeof err}): this is a bug in Projector; run again with LOG_LEVEL=debug for the stack and report it\n`);
      if (process.env.LOG_LEVEL === 'debug') process.stderr.write(`${e?.stack?.split('\n').slice(1).join('\n') ?? ''}\n`);
    }
    process.exit(2);
  }
}

if (import.meta.main) await runCli(process.argv);
