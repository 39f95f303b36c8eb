// How every usage error ends: one line, `projector: error: <what is wrong>; see `npx projector
// <command> --help``. A usage error is an unknown flag or command, a missing argument or required
// flag, or a flag value the command refuses. Commander's own errors (main.ts) and the commands' own
// checks of their flags (validate, check, evidence, template, vault, operator, dev) all print
// through usageErrorLine, so the pointer names the command that was run, the same way everywhere.
// I/O errors (a path that cannot be read) and refusals from a vault or a cluster are not usage
// errors: --help would not help, so they carry no pointer.
import type { Command } from 'commander';
import { ProjectorError } from '../core/errors.ts';

/** `projector vault secret set`: a command's name with its parents', as a user types it. */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** `see \`npx projector vault serve --help\``: where a command's help is, as a user types it after npm install. */
export function helpPointer(commandPath: string): string {
  return `see \`npx ${commandPath} --help\``;
}

/**
 * The line a usage error prints (without the newline): `projector: error: <message>; see …`.
 * `message` is what was wrong (flag names, never values a user might have pasted a secret into);
 * several lines (commander's "(Did you mean --output?)") are joined with a space. `paint` colours the
 * prefix (the CLI's red on a terminal).
 */
export function usageErrorLine(message: string, commandPath: string, paint: (prefix: string) => string = (p) => p): string {
  const text = message
    .replace(/^error: /, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join(' ')
    // Commander ends some messages with a full stop; the pointer follows after a semicolon.
    .replace(/\.$/, '');
  return `${paint('projector: error:')} ${text}; ${helpPointer(commandPath)}`;
}

/**
 * Whether `e` is a refused flag value thrown below the command (src/config.ts, parsePort, the
 * kubeconfig resolver, …): an InvalidSpec ProjectorError carrying the flag in `details.flag`, which
 * runCli prints as a usage error of the command that was run.
 */
export function isFlagError(e: unknown): e is ProjectorError {
  return e instanceof ProjectorError && typeof e.details.flag === 'string';
}
