// `projector dev`: the local development loop (see src/cli/dev/).
import type { Command } from 'commander';
import { repeatable } from '../repeatable.ts';

export interface DevFlags {
  workDir: string;
  refresh: string;
  once?: boolean;
  demo?: boolean;
  prompt: boolean;
  seed?: string;
  port?: string;
  logLevel?: string;
  cluster?: boolean;
  kubeconfig?: string;
  installCrds?: boolean;
  exclude?: string[];
  unsafeAllowGenericTargets?: boolean;
}

const EXAMPLES = `
Examples:
  projector dev examples/netbox --demo     sync, rotate in the vault, see the Secret change, exit
  projector dev deploy/ infra/             keep running: manifest edits and vault rotations show up live
  projector dev . --once                   one pass (CI smoke test); exit 1 if a manifest is refused or an ExternalSecret fails
  projector dev . --seed .projector/dev-values.env   take development values from a git-ignored file
  projector dev . --cluster --install-crds  reconcile into your dev cluster (stores use controller class projector-dev);
                                           PushSecrets and ClusterPushSecrets are run there too

Without --cluster, projected Secrets are written to <work-dir>/out/<namespace>/<name>.yaml and .env (mode 0600).
A kubeconfig alone never selects a cluster: writing into one is always explicit.
Change a value (dev rewrites <work-dir>/vault/dev-principal.env, mode 0600, at each start):
  set -a; . .projector/vault/dev-principal.env; set +a
  printf %s "$VALUE" | npx projector vault secret set --name <name> --value-stdin
`;

export function registerDevCommand(program: Command): void {
  program
    .command('dev')
    .description('Run the local vault and the operator core over a repository\'s manifests, projecting each target Secret to local files.')
    .argument('[paths...]', 'manifest files or directories (default: the current directory)')
    .option('--work-dir <dir>', 'git-ignored working folder (vault state, projected Secrets)', '.projector')
    .option('--refresh <duration>', 'local refresh interval for every ExternalSecret (overrides refreshInterval)', '5s')
    .option('--once', 'sync once and exit (exit 1 if any ExternalSecret is not Ready)')
    .option('--demo', 'sync, rotate each seeded secret in the vault, show the Secret change, and exit')
    .option('--seed <file>', 'name=value lines for vault secrets that do not exist yet (keep it git-ignored)')
    .option('--no-prompt', 'never ask for values; generate development values instead')
    .option('--port <port>', 'local vault port (default: a free port)')
    .option('--cluster', 'reconcile into the cluster of the current kubeconfig context (the operator runs in this process)')
    .option('--kubeconfig <path>', 'like --cluster, with this kubeconfig')
    .option('--install-crds', 'with --cluster: install the external-secrets.io CRDs if the cluster lacks them (and the PushSecret CRDs if the repository has PushSecrets)')
    .option('--exclude <pattern>', 'skip what matches inside the scanned directories (gitignore syntax, repeatable; .gitignore is honoured too)', repeatable())
    .option('--log-level <level>', 'operator log level written to <work-dir>/dev.log', 'info')
    .option('--unsafe-allow-generic-targets', 'as the operator\'s flag: write spec.target.manifest targets other than v1 Secret (to <work-dir>/out/<namespace>/<Kind>[.<group>]/<name>.yaml, or the cluster with --cluster); off, they fail as on an operator without it (docs/generic-targets.md)')
    .addHelpText('after', EXAMPLES)
    .action(async (paths: string[] | undefined, flags: DevFlags) => {
      const { runDev } = await import('../dev/run-dev.ts');
      process.exitCode = await runDev(paths?.length ? paths : ['.'], flags);
    });
}
