// `projector validate`'s command line: its options, help and exit codes. The checks themselves
// (validate.ts: YAML, the JSON schemas built with TypeBox and compiled by ajv) are imported when
// the command runs, so every other command — the operator above all — starts without them
// (~10 MB of RSS and ~0.3 s of CPU per start; docs/benchmarks.md, "Idle memory and start-up").
import { Option, type Command } from 'commander';
import { OUTPUT_FORMATS, type OutputFormat } from '../output.ts';
import { byComma, repeatable } from '../repeatable.ts';
import type { ValidateDeps } from './validate.ts';

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

export interface CommandOptions {
  output: OutputFormat;
  knownStore?: string[];
  knownGenerator?: string[];
  exclude?: string[];
  config?: string;
  strict?: boolean;
}

const EXAMPLES = `
Examples:
  $ projector validate                                   # the current directory
  $ projector validate deploy/ infra/rke2/secrets/       # the ADR-0502 layout
  $ projector validate deploy/ --known-store ClusterSecretStore/akv-hybridops
  $ projector validate . --output junit > validate.xml   # for CI test reports
  $ projector validate . --strict                        # warnings fail too

Checks: schema (external-secrets.io/v1 and v1beta1, unknown fields are errors), the ESO webhook's
rules, features Projector does not support, store references, two ExternalSecrets writing one
Secret, refreshInterval range, file layout, and Secret manifests committed with data.
Values are never printed. Exit status: 0 ok, 1 findings, 2 usage or I/O error.`;

export function registerValidateCommand(program: Command, deps: ValidateDeps = {}): void {
  program
    .command('validate')
    .description('Check ExternalSecret, store, ClusterExternalSecret, PushSecret, ClusterPushSecret and generator manifests without a cluster or a vault; never prints values.')
    .argument('[paths...]', 'files or directories (default: the current directory); a directory with a kustomization follows its resources')
    .addOption(new Option('-o, --output <format>', 'output format').choices(OUTPUT_FORMATS).default('text'))
    .option('--known-store <kind/name>', 'a store defined outside the scanned paths, e.g. ClusterSecretStore/akv-hybridops (repeatable, or comma-separated)', repeatable(byComma))
    .option('--known-generator <kind/name>', 'a generator defined outside the scanned paths, e.g. Password/db-password or Password/app/db-password (repeatable, or comma-separated)', repeatable(byComma))
    .option('--exclude <pattern>', 'skip what matches inside the scanned directories (gitignore syntax, repeatable; .gitignore is honoured too)', repeatable())
    .option('--config <file>', 'repository conventions, from the validate: section of a projector.yaml')
    .option('--strict', 'warnings fail too')
    .addHelpText('after', EXAMPLES)
    // Commander's own usage errors exit 1 by default; usage errors are 2 here (1 means findings).
    .exitOverride((err) => process.exit(err.exitCode === 0 ? EXIT_OK : EXIT_USAGE))
    .action(async (paths: string[] | undefined, opts: CommandOptions) => {
      const { validateCommand } = await import('./validate.ts');
      process.exitCode = await validateCommand(paths ?? [], opts, deps);
    });
}
