// `projector evidence`: writes the HOWTO's proof folder (docs/proof/secrets/eso-akv-<app>-<date>/)
// from a live cluster: the app's ExternalSecrets with status and events, their stores' Ready
// condition and the target Secrets' metadata, never their data; with --rotation, proof that a vault
// rotation reached the Secret without a Git change. A redaction check reads every file back.
import { setTimeout as sleep } from 'node:timers/promises';
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { pino } from 'pino';
import { ProjectorError } from '../../core/errors.ts';
import { parseDuration } from '../../core/duration.ts';
import { createLogger } from '../../platform/logger.ts';
import { credentialEnvironment } from '../check/environment-host.ts';
import { CheckUsageError, isHttpsUrl, parseStoreOverride, type StoreOverrides } from '../check/store-overrides.ts';
import type { EvidenceCluster } from '../evidence/cluster-reader.ts';
import type { EvidenceOptions, EvidenceResult } from '../evidence/run-evidence.ts';
import { CliOutput, type Streams } from '../output.ts';
import { isFlagError } from '../usage.ts';
import { loadKubeConfig } from './operator-run.ts';
import { byCommaBeforeStoreKind, repeatable } from '../repeatable.ts';

export const DEFAULT_OUT_DIR = 'docs/proof/secrets';
const EXIT_OK = 0;
const EXIT_FINDINGS = 1;
const EXIT_USAGE = 2;

export interface EvidenceCommandOptions {
  app: string;
  namespace?: string;
  selector?: string;
  kubeconfig?: string;
  outDir: string;
  date?: string;
  rotation?: boolean;
  rotateKey?: string;
  timeout: string;
  pollInterval: string;
  forceSync?: boolean;
  vaultUrl?: string;
  authorityHost?: string;
  caFile?: string;
  tenantId?: string;
  store?: string[];
}

const EXAMPLES = `
Examples:
  $ projector evidence --app netbox                       # docs/proof/secrets/eso-akv-netbox-<today>/
  $ projector evidence --app netbox --rotation --timeout 2h
                                                          # wait for a rotation done in the vault
  $ projector evidence --app netbox --rotation --rotate-key netbox-db-password --force-sync
                                                          # rotate it now (vault credentials from AZURE_*)
  $ projector evidence --app billing --namespace shared --selector app=billing

Files: README.md (summary table), externalsecret-<name>.yaml, secret-<name>.metadata.yaml (metadata
only), stores.yaml, events.txt and, with --rotation, rotation.md. Every file is read back and
searched for the Secrets' values (and their base64); a hit fails the command and names the file.
Exit status: 0 ok, 1 redaction failure / rotation not seen / nothing found, 2 usage or cluster error.`;

export function registerEvidenceCommand(program: Command): void {
  program
    .command('evidence')
    .description("Capture the HOWTO's proof folder for an app from a live cluster: statuses, events and Secret metadata, never values.")
    .requiredOption('--app <name>', 'the application, e.g. netbox')
    .option('-n, --namespace <ns>', 'namespace of its ExternalSecrets (default: the app name)')
    .option('-l, --selector <labels>', 'label selector for its ExternalSecrets, e.g. app=netbox')
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, in-cluster, then ~/.kube/config)')
    .option('--out-dir <dir>', 'root of the proof folders', DEFAULT_OUT_DIR)
    .option('--date <YYYY-MM-DD>', "the folder's date (default: today)")
    .option('--rotation', 'also prove a rotation: Secret metadata before and after, ExternalSecret generation unchanged')
    .option('--rotate-key <name>', 'rotate this vault secret to a new random value (implies --rotation; credentials as for projector check)')
    .option('--timeout <duration>', 'how long to wait for the Secret to change', '5m')
    .option('--poll-interval <duration>', 'how often to look', '2s')
    .option('--force-sync', 'set the force-sync annotation on the ExternalSecrets so the operator refreshes at once')
    .option('--vault-url <url>', "with --rotate-key: replace the store's vaultUrl")
    .option('--authority-host <url>', 'with --rotate-key: Entra ID authority (customCloudConfig.activeDirectoryEndpoint)')
    .option('--ca-file <pem>', 'with --rotate-key: CA bundle to trust for vault and authority')
    .option('--tenant-id <guid>', 'with --rotate-key: tenant (default AZURE_TENANT_ID)')
    .option('--store <kind/name=url>', "with --rotate-key: one store's vault URL (repeatable, or comma-separated)", repeatable(byCommaBeforeStoreKind))
    .addHelpText('after', EXAMPLES)
    .exitOverride((err) => process.exit(err.exitCode === 0 ? EXIT_OK : EXIT_USAGE))
    .action(async (opts: EvidenceCommandOptions) => {
      const streams = { stdout: process.stdout, stderr: process.stderr, env: process.env };
      const { KubeEvidenceCluster } = await import('../evidence/cluster-reader.ts');
      process.exitCode = await evidenceCommand(opts, streams, (o) => new KubeEvidenceCluster(loadKubeConfig(o.kubeconfig)));
    });
}

export function localDate(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export async function evidenceCommand(opts: EvidenceCommandOptions, streams: Streams, connect: (o: EvidenceCommandOptions) => EvidenceCluster): Promise<number> {
  const out = new CliOutput(streams);
  // Loaded when the command runs (the evidence writer, its redaction check and YAML renderer), not
  // in every process that registers the command, the operator's included.
  const { EvidenceFinding, runEvidence } = await import('../evidence/run-evidence.ts');
  try {
    const options = await evidenceOptionsFrom(opts, streams.env);
    let cluster: EvidenceCluster;
    try {
      cluster = connect(opts);
    } catch (e) {
      if (e instanceof ProjectorError) throw e;
      throw new CheckUsageError(`cannot load the kubeconfig${opts.kubeconfig ? ` ${opts.kubeconfig}` : ''}`);
    }
    const result = await runEvidence(options, {
      cluster,
      now: () => new Date(),
      sleep: (ms) => sleep(ms),
      log: createLogger({ level: 'warn', destination: pino.destination({ fd: 2, sync: true }) }),
      note: (line) => streams.stderr.write(`${line}\n`),
    });
    return report(result, streams, out);
  } catch (e) {
    if (e instanceof EvidenceFinding) {
      out.error(e.message);
      return EXIT_FINDINGS;
    }
    if (e instanceof CheckUsageError || isFlagError(e)) {
      out.usageError(e.message, 'projector evidence');
      return EXIT_USAGE;
    }
    if (e instanceof ProjectorError) {
      out.error(e.describe());
      return EXIT_USAGE;
    }
    throw e;
  }
}

function report(result: EvidenceResult, streams: Streams, out: CliOutput): number {
  const ready = `${result.externalSecrets} ExternalSecret${result.externalSecrets === 1 ? '' : 's'}, ${result.ready} Ready`;
  const rotation = result.rotation ? (result.rotation.proven ? '; rotation proven (rotation.md)' : '; rotation NOT seen (rotation.md)') : '';
  streams.stdout.write(`projector evidence: wrote ${result.dir}/ (${result.files.length} files): ${ready}${rotation}\n`);
  if (result.unsearched > 0) streams.stderr.write(`projector evidence: note: ${result.unsearched} value(s) shorter than 6 characters were not searched for\n`);
  if (result.leaks.length > 0) {
    for (const leak of result.leaks) out.error(`redaction check failed: ${result.dir}/${leak.file} contains a value (${leak.what}); nothing was deleted: remove it before committing`);
    return EXIT_FINDINGS;
  }
  if (result.rotation && !result.rotation.proven) {
    out.error('the Secret did not change within --timeout; see rotation.md');
    return EXIT_FINDINGS;
  }
  return EXIT_OK;
}

function durationMs(raw: string, flag: string): number {
  const ms = parseDuration(raw);
  if (ms === undefined || ms <= 0) throw new CheckUsageError(`${flag} must be a duration such as 90s, 5m or 1h`);
  return ms;
}

async function evidenceOptionsFrom(opts: EvidenceCommandOptions, env: Record<string, string | undefined>): Promise<EvidenceOptions> {
  if (!NAME.test(opts.app)) throw new CheckUsageError('--app must be a lowercase DNS label such as netbox');
  const namespace = opts.namespace ?? opts.app;
  if (!NAME.test(namespace)) throw new CheckUsageError('--namespace must be a lowercase DNS label');
  if (opts.date !== undefined && !isCalendarDate(opts.date)) throw new CheckUsageError('--date must be a calendar date, YYYY-MM-DD');
  const rotating = opts.rotation === true || opts.rotateKey !== undefined;
  return {
    app: opts.app,
    namespace,
    selector: opts.selector,
    outRoot: opts.outDir,
    date: opts.date ?? localDate(new Date()),
    rotation: rotating
      ? {
          rotateKey: opts.rotateKey,
          timeoutMs: durationMs(opts.timeout, '--timeout'),
          pollMs: durationMs(opts.pollInterval, '--poll-interval'),
          forceSync: opts.forceSync === true,
          overrides: await overridesFrom(opts),
          env: credentialEnvironment(env, { tenantId: opts.tenantId }),
        }
      : undefined,
  };
}

async function overridesFrom(opts: EvidenceCommandOptions): Promise<StoreOverrides> {
  for (const [flag, value] of [['--vault-url', opts.vaultUrl], ['--authority-host', opts.authorityHost]] as const) {
    if (value !== undefined && !isHttpsUrl(value)) throw new CheckUsageError(`${flag} must be an https URL`);
  }
  const caPem = opts.caFile === undefined ? undefined : await readFile(opts.caFile, 'utf8').catch(() => Promise.reject(new CheckUsageError(`cannot read --ca-file ${opts.caFile}`)));
  return { vaultUrl: opts.vaultUrl, authorityHost: opts.authorityHost, caPem, tenantId: opts.tenantId, stores: (opts.store ?? []).map(parseStoreOverride) };
}

/** YYYY-MM-DD naming a day that exists (2026-02-29 does not; the folder name is a date). */
export function isCalendarDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d));
  return day.getUTCFullYear() === y && day.getUTCMonth() === mo - 1 && day.getUTCDate() === d;
}
