#!/usr/bin/env node
// The `projector` command. Each command lives in src/cli/commands/ and is its own composition root.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerDevCommand } from './commands/dev.ts';
import { registerOperatorCommand } from './commands/operator.ts';
import { registerValidateCommand } from './commands/validate-command.ts';
import { registerVaultCommands } from './commands/vault.ts';
import { registerCheckCommand } from './commands/check.ts';
import { registerEvidenceCommand } from './commands/evidence.ts';
import { registerTemplateCommand } from './commands/template.ts';
import { defaultRegistry } from './default-registry.ts';
import { explainSystemError, InputError, reportBug } from './failure.ts';
import { CliOutput } from './output.ts';
import { commandPath, isFlagError } from './usage.ts';

/** package.json's version: the one `--version` prints. */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export function buildProgram(): Command {
  const program = new Command('projector')
    .description('Projects secrets from Azure Key Vault into Kubernetes Secrets (External Secrets Operator API).')
    .configureOutput({ outputError: (s, write) => write(s) })
    // Usage errors exit 2 (1 means findings); set before subcommands so they inherit it.
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));
  registerOperatorCommand(program);
  registerDevCommand(program);
  registerValidateCommand(program, { providers: defaultRegistry().providers() });
  registerVaultCommands(program);
  registerCheckCommand(program);
  registerEvidenceCommand(program);
  registerTemplateCommand(program);
  // Every command answers --version, and a usage error prints one line and where help is, not
  // the whole help text (which pushed the error off the screen): usage.ts.
  const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
  for (const c of all(program)) {
    // `vault secret show --version` is the secret's version, as in `az keyvault secret show`.
    const taken = c.options.some((o) => o.long === '--version' || o.short === '-V');
    if (!taken) c.version(VERSION, '-V, --version', 'print the version');
    // A parent's options are read only before its subcommand's name, so `vault secret show
    // --version <v>` reaches show and is not taken for `vault secret --version`.
    if (c.commands.length > 0) c.enablePositionalOptions();
    // Commander's usage errors (unknown option or command, missing argument, a value outside
    // .choices()) are reported by the command that found them: one line ending with its help.
    c.configureOutput({ outputError: (text) => stderrOutput().usageError(text, commandPath(c)) });
  }
  // Which command is running, so a refused flag value thrown from its action (flagError) points
  // at that command's help.
  program.hook('preAction', (_program, action) => {
    running = action;
  });
  return program;
}

/** The command whose action is running (set by buildProgram's preAction hook). */
let running: Command | undefined;

function stderrOutput(): CliOutput {
  return new CliOutput({ stdout: process.stdout, stderr: process.stderr, env: process.env });
}

export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    const e = err as { name?: string; code?: string; message?: string; stack?: string };
    // Only our own errors carry messages safe to print; a system error a user causes is explained
    // from its code and path; anything else is a bug, named but not quoted.
    const explained = e?.name === 'ProjectorError' ? undefined : explainSystemError(err);
    if (isFlagError(err) && running) stderrOutput().usageError(err.message, commandPath(running));
    else if (e?.name === 'ProjectorError') process.stderr.write(`projector: ${e.code}: ${e.message}\n`);
    else if (err instanceof InputError) stderrOutput().error(err.message);
    else if (explained) process.stderr.write(`projector: ${explained}\n`);
    else {
      // Every edge maps its errors to ProjectorError (the vault's, the SDK's, the API server's), so
      // reaching here is a Projector bug: one line with an id; the stack is in the debug log.
      const bug = reportBug(err, process.env);
      process.stderr.write(`${bug.line}\n`);
      if (process.env.LOG_LEVEL === 'debug') process.stderr.write(`${e?.stack?.split('\n').slice(1).join('\n') ?? ''}\n`);
    }
    process.exit(2);
  }
}

if (import.meta.main) await runCli(process.argv);
