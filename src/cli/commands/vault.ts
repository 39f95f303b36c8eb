// `projector vault serve` runs the local AKV-compatible vault; `projector vault secret ...` is an
// `az keyvault secret`-like client for any vault URL, built on the official SDK. Values are printed
// only by `show --reveal`; every error is mapped to a ProjectorError built from status and codes.
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SecretClient, SecretClientOptions, KeyVaultSecret, SecretProperties } from '@azure/keyvault-secrets';
import { ProjectorError } from '../../core/errors.ts';
import { toProjectorError, type CallContext } from '../../providers/azurekv/errors.ts';
import { diagnosingCredential } from '../../providers/azurekv/authority.ts';
import { classifyError } from '../check/classify.ts';
import { repeatable } from '../repeatable.ts';
import { CliOutput } from '../output.ts';
import { commandPath } from '../usage.ts';
import type { VaultPrincipal } from '../../vault/index.ts';

interface ServeFlags {
  dataDir: string;
  port: string;
  imdsPort?: string;
  host: string;
  tenantId?: string;
  throttle?: boolean;
  principals?: string;
  jwksUri?: string;
  jwksCaFile?: string;
  jwksTokenFile?: string;
  apiVersions?: string;
  logLevel: string;
}

interface ClientFlags {
  vaultUrl?: string;
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  authorityHost?: string;
  caFile?: string;
  apiVersion?: string;
}

export function registerVaultCommands(program: Command): void {
  const vault = program.command('vault').description('Run a local Azure Key Vault-compatible vault, or manage secrets in any vault.');

  vault
    .command('serve')
    .description('Serve the local vault over HTTPS (AKV secrets API, AAD token endpoint, IMDS) until SIGINT/SIGTERM.')
    .option('--data-dir <dir>', 'state, signing key and CA/server certificates', '.projector/vault')
    .option('--port <port>', 'HTTPS port (0 = a free port)', '8443')
    .option('--imds-port <port>', 'plain-HTTP managed identity (IMDS) port (default: a free port)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--tenant-id <guid>', 'the vault tenant')
    .option('--throttle', "answer 429 past AKV's limits (4,000 reads / 300 writes per 10 s)")
    .option('--principals <file>', 'JSON array of principals to register (merged into <data-dir>/principals.json)')
    .option('--jwks-uri <url>', 'JWKS for workload identity assertions, e.g. https://API_SERVER/openid/v1/jwks')
    .option('--jwks-ca-file <file>', 'CA that signs the JWKS server certificate')
    .option('--jwks-token-file <file>', 'bearer token for the JWKS request')
    .option('--api-versions <list>', 'comma-separated api-versions to accept, to emulate an older Key Vault-compatible server (default: 2016-10-01 … 2026-04-01)')
    .option('--log-level <level>', 'trace|debug|info|warn|error (logs go to stderr)', 'info')
    .addHelpText(
      'after',
      '\nExamples:\n  npx projector vault serve\n  npx projector vault serve --port 0 --principals principals.json --throttle\n' +
        // npx does not pass SIGTERM on to the node process it starts, so `kill` of a background npx leaves the vault running.
        '\nStop it with Ctrl-C. In the background, SIGTERM to npx does not stop the vault: run it as\n' +
        '  node_modules/.bin/node bin/projector.mjs vault serve &   (from the repository; kill $! stops it)\n' +
        'or stop the process whose pid <data-dir>/lock records (docs/vault.md).\n',
    )
    .action(async (flags: ServeFlags) => {
      await serveVault(flags);
    });

  const secret = vault.command('secret').description('Manage secrets in a vault through the official Azure SDK (like `az keyvault secret`).');

  withClientOptions(secret.command('set').description('Create a new version of a secret; prints its metadata, never its value.'))
    .requiredOption('--name <name>', 'secret name')
    .option('--value <value>', 'the value (visible in shell history; prefer --file or --value-stdin)')
    .option('--file <path>', 'read the value from a file')
    .option('--value-stdin', 'read the value from standard input')
    .option('--content-type <type>', 'content type to record')
    .option('--tags <k=v>', 'a tag to record (repeatable: --tags env=dev --tags team=ops)', repeatable())
    .action(vaultAction(async (flags: ClientFlags & { name: string; value?: string; file?: string; valueStdin?: boolean; contentType?: string; tags?: string[] }) => {
      // Flags first: a bad --tags is a usage error (exit 2), not a vault call that failed.
      const tags = flags.tags && parseTags(flags.tags);
      const value = await valueFrom(flags);
      const { client, vaultUrl } = await secretClient(flags);
      const s = await callVault({ vaultUrl, secretName: flags.name, valueBytes: Buffer.byteLength(value, 'utf8') }, () =>
        client.setSecret(flags.name, value, {
          ...(flags.contentType && { contentType: flags.contentType }),
          ...(tags && { tags }),
        }),
      );
      printJson(describeSecret(s.properties));
    }));

  // `get` as an alias: the Key Vault REST operation is Get Secret, and `get` is what people type.
  withClientOptions(secret.command('show').alias('get').description('Show a secret: metadata only, unless --reveal.'))
    .requiredOption('--name <name>', 'secret name')
    .option('--version <version>', 'a specific version (default: latest)')
    .option('--reveal', 'also print the value')
    .action(vaultAction(async (flags: ClientFlags & { name: string; version?: string; reveal?: boolean }) => {
      const { client, vaultUrl } = await secretClient(flags);
      const s: KeyVaultSecret = await callVault({ vaultUrl, secretName: flags.name, version: flags.version }, () => client.getSecret(flags.name, flags.version ? { version: flags.version } : {}));
      printJson(flags.reveal ? { ...describeSecret(s.properties), value: s.value } : describeSecret(s.properties));
    }));

  withClientOptions(secret.command('list').description('List secrets (names and metadata, no values).')).action(
    vaultAction(async (flags: ClientFlags) => {
      const { client, vaultUrl } = await secretClient(flags);
      const items: Record<string, unknown>[] = [];
      await callVault({ vaultUrl }, async () => {
        for await (const p of client.listPropertiesOfSecrets()) items.push(describeSecret(p));
      });
      printJson(items);
    }),
  );

  withClientOptions(secret.command('delete').description('Soft-delete a secret (recoverable); --purge removes it for good.'))
    .requiredOption('--name <name>', 'secret name')
    .option('--purge', 'purge the secret after deleting it')
    .action(vaultAction(async (flags: ClientFlags & { name: string; purge?: boolean }) => {
      const { client, vaultUrl } = await secretClient(flags);
      const deleted = await callVault({ vaultUrl, secretName: flags.name }, async () => (await client.beginDeleteSecret(flags.name)).pollUntilDone());
      if (flags.purge) await callVault({ vaultUrl, secretName: flags.name }, () => client.purgeDeletedSecret(flags.name));
      printJson({ name: deleted.name, recoveryId: deleted.recoveryId, deletedOn: deleted.deletedOn, purged: Boolean(flags.purge) });
    }));
}

function withClientOptions(cmd: Command): Command {
  return cmd
    .option('--vault-url <url>', 'vault URL (env AZURE_KEYVAULT_URL)')
    .option('--tenant-id <guid>', 'tenant (env AZURE_TENANT_ID)')
    .option('--client-id <id>', 'client id (env AZURE_CLIENT_ID)')
    .option('--client-secret <secret>', 'client secret (env AZURE_CLIENT_SECRET)')
    .option('--authority-host <url>', 'token authority, e.g. the local vault URL (env AZURE_AUTHORITY_HOST)')
    .option('--ca-file <path>', 'extra CA to trust for the vault and the authority (the local vault prints its path)')
    .option('--api-version <version>', "Key Vault REST api-version for every call, e.g. 7.0 for an older compatible server (default: the SDK's, 2026-04-01)");
}

async function serveVault(flags: ServeFlags): Promise<void> {
  const { startVaultForCli } = await import('../local-vault.ts');
  const { SUPPORTED_API_VERSIONS } = await import('../../vault/index.ts');
  const { createLogger } = await import('../../platform/logger.ts');
  const { logLevelFrom } = await import('../../config.ts');
  const log = createLogger({ name: 'projector-vault', level: logLevelFrom(flags.logLevel, '--log-level'), destination: { write: (line: string) => void process.stderr.write(line) } });
  const principals = flags.principals ? readPrincipals(flags.principals) : [];
  const port = parsePort(flags.port, '--port');
  const imdsPort = flags.imdsPort !== undefined ? parsePort(flags.imdsPort, '--imds-port') : undefined;
  const dataDir = resolve(flags.dataDir);
  const first = await import('../../vault/index.ts');
  let dev: { principal: VaultPrincipal; created: boolean } | undefined;
  let bundle: { file: string; included?: string } = { file: '' };
  let envFile: string | undefined;
  const vault = await startVaultForCli(
    {
      dataDir: flags.dataDir,
      owner: `projector vault serve --data-dir ${flags.dataDir}`,
      host: flags.host,
      port,
      ...(imdsPort !== undefined && { imdsPort }),
      ...(flags.tenantId && { tenantId: flags.tenantId }),
      principals,
      ...(flags.throttle && { throttle: {} }),
      ...(flags.apiVersions !== undefined && { apiVersions: parseApiVersions(flags.apiVersions, SUPPORTED_API_VERSIONS) }),
      ...(flags.jwksUri && {
        jwks: {
          uri: flags.jwksUri,
          ...(flags.jwksCaFile && { caPem: readFileSync(flags.jwksCaFile, 'utf8') }),
          ...(flags.jwksTokenFile && { bearerToken: readFileSync(flags.jwksTokenFile, 'utf8').trim() }),
        },
      }),
      log,
    },
    {
      dataDirFlag: '--data-dir',
      // The writes into the data directory that follow the start fail (and are explained) like the start itself.
      setUp: async (v) => {
        // Keep the vault's own principals.json in step with --principals so `vault secret` users can look them up.
        for (const p of principals) await v.admin.addPrincipal(p);
        // First run: without a principal nobody could get a token. A development principal is created
        // (or the one `projector dev` made here is reused); its secret goes to a 0600 file, never to
        // stdout, which CI logs keep.
        dev = v.admin.principalIds().length === 0 || first.hasDevPrincipal(dataDir) ? first.loadOrCreateDevPrincipal(dataDir) : undefined;
        if (dev) await v.admin.addPrincipal(dev.principal);
        bundle = first.writeCombinedCaBundle(dataDir, v.caPem, process.env.NODE_EXTRA_CA_CERTS);
        envFile = dev
          ? first.writeDevEnvFile(dataDir, { vaultUrl: v.url, tenantId: v.tenantId, authorityHost: v.authorityHost, principal: dev.principal, caBundleFile: bundle.file })
          : undefined;
      },
    },
  ).catch((e: unknown) => {
    throw portInUse(e, port, imdsPort, flags.host) ?? e;
  });
  const devLines = dev ? [dev.principal.clientId, dev.created ? 'created now, as no principal was registered' : 'reused'] : [];
  const ids = vault.admin.principalIds();
  process.stdout.write(
    [
      'Projector local vault is running (Ctrl-C to stop).',
      `  Vault URL:       ${vault.url}`,
      `  Authority host:  ${vault.authorityHost}`,
      `  Tenant ID:       ${vault.tenantId}`,
      `  IMDS endpoint:   ${vault.imdsEndpoint}`,
      `  CA certificate:  ${vault.caFile}`,
      `  CA bundle:       ${bundle.file} (${bundle.included ? `the CAs of your NODE_EXTRA_CA_CERTS ${bundle.included}, then this CA` : 'this CA'})`,
      `  Principals:      ${resolve(dataDir, 'principals.json')} (${ids.join(', ')})`,
      ...(envFile
        ? [
            `  Dev principal:   ${devLines[0]} (${devLines[1]}); its client secret is in ${envFile} (mode 0600) and is never printed`,
            '',
            'Use the development principal from this shell:',
            `  set -a; . ${envFile}; set +a`,
            '  npx projector vault secret list',
          ]
        : []),
      '',
      'Trust it and point the SDK at it (Node reads NODE_EXTRA_CA_CERTS at start; the bundle keeps the CAs it named before):',
      `  export NODE_EXTRA_CA_CERTS=${bundle.file}`,
      `  or per command: npx projector vault secret ... --ca-file ${vault.caFile}`,
      `  export AZURE_AUTHORITY_HOST=${vault.authorityHost} AZURE_TENANT_ID=${vault.tenantId}`,
      `  export AZURE_POD_IDENTITY_AUTHORITY_HOST=${vault.imdsEndpoint}   # managed identity`,
      '',
    ].join('\n'),
  );
  await new Promise<void>((done) => {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => done());
  });
  await vault.close();
  log.flush();
}

/** A listen error on one of the two ports (or the host), naming the flag that chose it (else undefined: main.ts explains the rest). */
function portInUse(e: unknown, port: number, imdsPort: number | undefined, host: string): ProjectorError | undefined {
  const err = e as { code?: unknown; syscall?: unknown; port?: unknown };
  // A --host that does not resolve (listen looks the name up first) or that no interface has.
  if (err?.syscall === 'getaddrinfo' && (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN' || err.code === 'EAI_NONAME')) {
    return new ProjectorError('InvalidSpec', `--host ${host} does not resolve to an address (${String(err.code)}); pass an address of this machine, e.g. --host 127.0.0.1 (or 0.0.0.0 for every interface)`);
  }
  if (err?.syscall === 'listen' && err.code === 'EADDRNOTAVAIL') {
    return new ProjectorError('InvalidSpec', `--host ${host} is not an address of this machine (no network interface has it); pass one that is, e.g. --host 127.0.0.1 (or 0.0.0.0 for every interface)`);
  }
  if (err?.syscall !== 'listen' || (err.code !== 'EADDRINUSE' && err.code !== 'EACCES')) return undefined;
  const flag = err.port === imdsPort && imdsPort !== port ? '--imds-port' : '--port';
  const why = err.code === 'EADDRINUSE' ? 'is already in use (another process, perhaps another projector vault serve or dev, holds it)' : 'needs privileges (below 1024)';
  return new ProjectorError('InvalidSpec', `${host}:${String(err.port)} ${why}; pass another ${flag} (${flag} 0 picks a free one)`);
}

function readPrincipals(path: string): VaultPrincipal[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    // The parser's message would quote the file, which holds client secrets.
    throw new ProjectorError('InvalidSpec', `${path} is not readable JSON`);
  }
  if (!Array.isArray(parsed) || !parsed.every((p) => p && typeof p === 'object' && typeof (p as VaultPrincipal).clientId === 'string')) {
    throw new ProjectorError('InvalidSpec', `${path} must be a JSON array of principals, each with a clientId`);
  }
  return parsed as VaultPrincipal[];
}

/** `--api-versions 2016-10-01,7.0`: each must be one the vault knows (AKV's list), so a typo is not a silent refusal of every call. */
function parseApiVersions(raw: string, known: readonly string[]): string[] {
  const list = raw.split(',').map((v) => v.trim()).filter(Boolean);
  const unknown = list.filter((v) => !known.includes(v));
  if (list.length === 0 || unknown.length > 0) {
    throw new ProjectorError('InvalidSpec', `--api-versions takes a comma-separated list of ${known.join(', ')}${unknown.length ? ` (not known: ${unknown.join(', ')})` : ''}`, { flag: '--api-versions' });
  }
  // Oldest first, as the vault names the last one as "the latest supported version".
  return known.filter((v) => list.includes(v));
}

/** A port flag's value (0-65535; 0 = a free port); InvalidSpec naming the flag otherwise. */
export function parsePort(raw: string, flag: string): number {
  const port = /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ProjectorError('InvalidSpec', `${flag} must be a port number (0-65535)`, { flag });
  return port;
}

async function secretClient(flags: ClientFlags): Promise<{ client: SecretClient; vaultUrl: string }> {
  const env = process.env;
  const vaultUrl = flags.vaultUrl ?? env.AZURE_KEYVAULT_URL;
  const tenantId = flags.tenantId ?? env.AZURE_TENANT_ID;
  const clientId = flags.clientId ?? env.AZURE_CLIENT_ID;
  const clientSecret = flags.clientSecret ?? env.AZURE_CLIENT_SECRET;
  const authorityHost = flags.authorityHost ?? env.AZURE_AUTHORITY_HOST;
  if (!vaultUrl) throw new VaultUsageError('InvalidSpec', 'give --vault-url (or AZURE_KEYVAULT_URL)');
  if (!URL.canParse(vaultUrl) || new URL(vaultUrl).protocol !== 'https:') throw new VaultUsageError('InvalidSpec', '--vault-url must be an https URL');
  if (authorityHost !== undefined && (!URL.canParse(authorityHost) || new URL(authorityHost).protocol !== 'https:')) throw new VaultUsageError('InvalidSpec', '--authority-host must be an https URL');
  if (!tenantId || !clientId || !clientSecret) {
    throw new VaultUsageError('CredentialNotFound', 'give --tenant-id, --client-id and --client-secret (or AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET)');
  }
  let ca: string | undefined;
  if (flags.caFile) {
    try {
      ca = readFileSync(flags.caFile, 'utf8');
    } catch {
      throw new VaultUsageError('InvalidSpec', `cannot read --ca-file ${flags.caFile}`);
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new VaultUsageError('InvalidSpec', `--ca-file ${flags.caFile} holds no PEM certificate`);
  }
  const { apiVersionIssues, pinApiVersionPolicy } = await import('../../providers/azurekv/index.ts');
  const versionIssue = flags.apiVersion !== undefined ? apiVersionIssues(flags.apiVersion, '--api-version')[0] : undefined;
  if (versionIssue) throw new VaultUsageError('InvalidSpec', versionIssue.message);
  const { SecretClient } = await import('@azure/keyvault-secrets');
  const { ClientSecretCredential } = await import('@azure/identity');
  const { getCACertificates } = await import('node:tls');
  // The CA is added to Node's default trust, not put in its place (as providers/azurekv/trust.ts).
  const caList = ca ? [...getCACertificates('default'), ca] : undefined;
  const tlsOptions = caList ? { tlsOptions: { ca: caList } } : {};
  const isLocal = !/\.vault\.(azure\.net|azure\.cn|usgovcloudapi\.net|microsoftazure\.de)$/i.test(new URL(vaultUrl).hostname);
  const credential = new ClientSecretCredential(tenantId, clientId, clientSecret, {
    ...(authorityHost && { authorityHost }),
    ...(authorityHost && { disableInstanceDiscovery: true }),
    ...tlsOptions,
  });
  const diagnosed = diagnosingCredential(credential, {
    authorityHost: authorityHost ?? 'https://login.microsoftonline.com',
    tenantId,
    ca: caList,
    fix: { authority: '--authority-host (env AZURE_AUTHORITY_HOST)', ca: '--ca-file' },
  });
  // A vault outside *.vault.azure.net cannot pass the SDK's challenge resource check.
  return {
    client: new SecretClient(vaultUrl, diagnosed, {
      ...(isLocal && { disableChallengeResourceVerification: true }),
      ...tlsOptions,
      // Pinned on every request, next pages included (providers/azurekv/api-version.ts).
      ...(flags.apiVersion && {
        serviceVersion: flags.apiVersion as SecretClientOptions['serviceVersion'],
        additionalPolicies: [{ policy: pinApiVersionPolicy(flags.apiVersion), position: 'perCall' as const }],
      }),
    }),
    vaultUrl,
  };
}

async function valueFrom(flags: { value?: string; file?: string; valueStdin?: boolean }): Promise<string> {
  const given = [flags.value !== undefined, flags.file !== undefined, Boolean(flags.valueStdin)].filter(Boolean).length;
  if (given !== 1) throw new VaultUsageError('InvalidSpec', 'give exactly one of --value, --file, --value-stdin');
  if (flags.value !== undefined) return flags.value;
  if (flags.file !== undefined) {
    try {
      return readFileSync(flags.file, 'utf8');
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : ((e as NodeJS.ErrnoException).code ?? 'unreadable');
      throw new VaultUsageError('InvalidSpec', `cannot read --file ${flags.file}: ${why}`);
    }
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // Key Vault's API stores an empty value (its portal does not); from standard input it is almost
  // always a mistake (nothing piped in, `</dev/null`), so it is refused. `--value ""` still sets one.
  if (chunks.every((c) => c.length === 0)) {
    throw new VaultUsageError('InvalidSpec', 'standard input was empty: nothing stored; pipe the value in (e.g. printf %s "$VALUE" | projector vault secret set … --value-stdin), or pass --value "" to store an empty value');
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseTags(pairs: string[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new VaultUsageError('InvalidSpec', `--tags entries must be key=value (got a ${pair.length}-character entry without '=')`);
    tags[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return tags;
}

function describeSecret(p: SecretProperties): Record<string, unknown> {
  return {
    name: p.name,
    version: p.version,
    id: p.id,
    enabled: p.enabled,
    contentType: p.contentType,
    tags: p.tags,
    createdOn: p.createdOn,
    updatedOn: p.updatedOn,
    notBefore: p.notBefore,
    expiresOn: p.expiresOn,
  };
}

function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Exit status of `vault secret *`: 0 done; 1 the vault answered no (not found, forbidden, disabled,
 * invalid name, refused credentials); 2 a usage error or no answer (vault or token authority
 * unreachable, untrusted, throttled), as `projector check` (check/classify.ts).
 */
export const VAULT_EXIT = { ok: 0, vaultSaidNo: 1, usageOrUnreachable: 2 } as const;

/** A usage error of `vault secret *` (bad or missing flags): exit 2, nothing was sent. */
class VaultUsageError extends ProjectorError {}

/**
 * One vault call: the SDK's and the credential's errors become ProjectorError through the
 * provider's own mapping (providers/azurekv/errors.ts, the one the operator and `check` use), and
 * the outcome picks the exit status (classifyError: the same outcomes as `projector check`).
 */
async function callVault<T>(ctx: CallContext, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    // The CLI names the secret with --name and the version with --version, not the ExternalSecret's fields.
    const err = toProjectorError(e, { apiVersionFix: 'pass --api-version with a version the server supports (e.g. --api-version 7.0)', nameField: '--name', versionField: '--version', ...ctx });
    throw new VaultCallFailed(err);
  }
}

class VaultCallFailed extends Error {
  readonly error: ProjectorError;
  constructor(error: ProjectorError) {
    super(error.message);
    this.error = error;
  }
}

export function exitCodeForVaultError(e: ProjectorError): number {
  const outcome = classifyError(e).outcome;
  return outcome === 'unreachable' ? VAULT_EXIT.usageOrUnreachable : VAULT_EXIT.vaultSaidNo;
}

/** Runs a `vault secret` action and sets the exit status; prints one line on failure. */
function vaultAction<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      if (e instanceof VaultCallFailed) {
        process.stderr.write(`projector: ${e.error.describe()}\n`);
        process.exitCode = exitCodeForVaultError(e.error);
        return;
      }
      if (e instanceof VaultUsageError) {
        // Commander passes the command last.
        const cmd = args.at(-1) as Command;
        new CliOutput({ stdout: process.stdout, stderr: process.stderr, env: process.env }).usageError(e.message, commandPath(cmd));
        process.exitCode = VAULT_EXIT.usageOrUnreachable;
        return;
      }
      throw e;
    }
  };
}
