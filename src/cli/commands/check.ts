// `projector check`: asks the vault behind each store whether every secret the repository's
// ExternalSecrets reference exists, is enabled and not expired (and holds the named property),
// without printing, logging or keeping a value. Credentials come from the environment, never from
// the cluster: CI has none. Layers: load (repo-objects.ts) → overrides and credentials
// (check/store-overrides.ts, check/environment-host.ts) → reads (check/run-check.ts) → print (check/report.ts).
import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { pino } from 'pino';
import { createLogger, type LogLevel } from '../../platform/logger.ts';
import { defaultRegistry } from '../default-registry.ts';
import type { ProviderRegistry } from '../../providers/registry.ts';
import { exitCodeFor, EXIT_FINDINGS, EXIT_INFRA } from '../check/classify.ts';
import { credentialEnvironment } from '../check/environment-host.ts';
import { CHECK_OUTPUT_FORMATS, formatCheckJson, formatCheckJunit, formatCheckText, type CheckOutputFormat } from '../check/report.ts';
import { CheckUsageError, isHttpsUrl, parseStoreOverride, type StoreOverrides } from '../check/store-overrides.ts';
import { CliOutput, shouldUseColor, type Streams } from '../output.ts';
import { createProgress, noProgress } from '../progress.ts';
import { byCommaBeforeStoreKind, repeatable } from '../repeatable.ts';

export interface CheckCommandOptions {
  output: CheckOutputFormat;
  vaultUrl?: string;
  authorityHost?: string;
  caFile?: string;
  tenantId?: string;
  store?: string[];
  exclude?: string[];
  concurrency: string;
  progress: boolean;
}

export interface CheckCommandDeps {
  registry: ProviderRegistry;
}

const EXAMPLES = `
Examples:
  $ projector check deploy/ infra/                       # every ExternalSecret and store in the repo
  $ projector check . --output junit > check.xml         # for CI test reports
  $ projector check . --vault-url https://kv-staging.vault.azure.net/
  $ projector check . --store ClusterSecretStore/akv-hybridops=https://kv-dev.vault.azure.net/
  $ projector check . --vault-url https://127.0.0.1:8443 --authority-host https://127.0.0.1:8443 \\
      --ca-file .projector/vault/tls/ca.pem              # against the local vault

Credentials come from the environment, by the role each store's Secret reference plays:
  tenantId AZURE_TENANT_ID (or --tenant-id), clientId AZURE_CLIENT_ID,
  clientSecret AZURE_CLIENT_SECRET, clientCertificate the PEM file at AZURE_CLIENT_CERTIFICATE_PATH,
  workload identity the token file at AZURE_FEDERATED_TOKEN_FILE.
Results: ok, generated, missing, disabled, expired, no-such-property, forbidden, unreachable, error.
generated: a dataFrom generatorRef, valid by the operator's rules, whose values come from the
  generator rather than a vault (passes; an invalid ref or generator is an error).
A ClusterExternalSecret's references are checked once (SecretStore ones per namespace it lists).
Values are never printed. Exit status: 0 all ok or generated, 1 findings, 2 usage error or a vault unreachable.`;

export function registerCheckCommand(program: Command, deps: CheckCommandDeps = { registry: defaultRegistry() }): void {
  program
    .command('check')
    .description('Ask the vault whether every secret the manifests reference exists, is enabled and not expired; never reads values out.')
    .argument('[paths...]', 'files or directories (default: the current directory)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(CHECK_OUTPUT_FORMATS).default('text'))
    .option('--vault-url <url>', "replace every azurekv store's vaultUrl")
    .option('--authority-host <url>', 'Entra ID authority for every azurekv store (customCloudConfig.activeDirectoryEndpoint)')
    .option('--ca-file <pem>', 'trust this CA bundle for vault and authority (replaces caBundle/caProvider)')
    .option('--tenant-id <guid>', 'tenant (default AZURE_TENANT_ID); also replaces a tenantId written in a store')
    .option('--store <kind/name=url>', 'one store\'s vault URL, e.g. ClusterSecretStore/akv-hybridops=https://... (repeatable, or comma-separated)', repeatable(byCommaBeforeStoreKind))
    .option('--exclude <pattern>', 'skip what matches inside the scanned directories (gitignore syntax, repeatable; .gitignore is honoured too)', repeatable())
    .option('--concurrency <n>', 'vault reads in flight at once', '8')
    .option('--no-progress', 'no progress on stderr')
    .addHelpText('after', EXAMPLES)
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : EXIT_INFRA))
    .action(async (paths: string[] | undefined, opts: CheckCommandOptions) => {
      process.exitCode = await checkCommand(paths ?? [], opts, deps, { stdout: process.stdout, stderr: process.stderr, env: process.env });
    });
}

export async function checkCommand(paths: string[], opts: CheckCommandOptions, deps: CheckCommandDeps, streams: Streams): Promise<number> {
  const out = new CliOutput(streams);
  // Loaded when the command runs (with the manifest loader and its yaml parser below), not in every
  // process that registers the command.
  const { ManifestPathError } = await import('../manifests.ts');
  try {
    const overrides = await overridesFrom(opts);
    const concurrency = Number(opts.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new CheckUsageError('--concurrency must be a positive integer');
    // Loaded when the command runs: the manifest loader's schemas (TypeBox, ajv) would cost every
    // other command's start, the operator's above all (docs/benchmarks.md, "Idle memory and start-up").
    const [{ loadRepoObjects }, { runCheck }] = await Promise.all([import('../repo-objects.ts'), import('../check/run-check.ts')]);
    const repo = await loadRepoObjects(paths.length > 0 ? paths : ['.'], undefined, { ignore: { exclude: opts.exclude ?? [] } });
    const loadErrors = repo.problems.filter((p) => p.severity === 'error');
    for (const p of loadErrors) streams.stderr.write(`${p.file}:${p.line}:${p.column}: ${p.code}: ${p.message} (not checked; run projector validate)\n`);
    const run = await runCheck(repo, {
      registry: deps.registry,
      env: credentialEnvironment(streams.env, { tenantId: opts.tenantId }),
      overrides,
      concurrency,
      log: createLogger({ level: logLevelOf(streams.env), destination: pino.destination({ fd: 2, sync: true }) }),
      progress: opts.progress ? createProgress(streams.stderr, 'check') : noProgress,
    });
    // A manifest that cannot be read was not checked: a finding, like a missing secret.
    const exitCode = loadErrors.length > 0 ? EXIT_FINDINGS : exitCodeFor(run.rows);
    const text =
      opts.output === 'json' ? formatCheckJson(run, exitCode) : opts.output === 'junit' ? formatCheckJunit(run) : formatCheckText(run, { color: shouldUseColor(streams.stdout, streams.env) });
    streams.stdout.write(text);
    return exitCode;
  } catch (e) {
    if (e instanceof CheckUsageError) {
      out.usageError(e.message, 'projector check');
      return EXIT_INFRA;
    }
    if (e instanceof ManifestPathError) {
      out.error(e.message);
      return EXIT_INFRA;
    }
    throw e;
  }
}

function logLevelOf(env: Record<string, string | undefined>): LogLevel {
  const level = env.LOG_LEVEL;
  return level === 'debug' || level === 'info' || level === 'warn' || level === 'error' || level === 'silent' ? level : 'warn';
}

async function overridesFrom(opts: CheckCommandOptions): Promise<StoreOverrides> {
  for (const [flag, value] of [['--vault-url', opts.vaultUrl], ['--authority-host', opts.authorityHost]] as const) {
    if (value !== undefined && !isHttpsUrl(value)) throw new CheckUsageError(`${flag} must be an https URL`);
  }
  let caPem: string | undefined;
  if (opts.caFile !== undefined) {
    caPem = await readFile(opts.caFile, 'utf8').catch(() => {
      throw new CheckUsageError(`cannot read --ca-file ${opts.caFile}`);
    });
    if (!caPem.includes('-----BEGIN CERTIFICATE-----')) throw new CheckUsageError(`--ca-file ${opts.caFile} holds no PEM certificate`);
  }
  return {
    vaultUrl: opts.vaultUrl,
    authorityHost: opts.authorityHost,
    caPem,
    tenantId: opts.tenantId,
    stores: (opts.store ?? []).map(parseStoreOverride),
  };
}
