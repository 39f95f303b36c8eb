// Shared setup for the benchmarks: a real kube-apiserver + etcd, the local vault over HTTPS standing
// in for Azure Key Vault, and the operator composed as `projector operator` composes it (its provider
// registry, so azurekv reads share the per-vault limiter: AKV's 4,000 GETs / 10 s).
// Benchmarks print figures; they assert nothing about time.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startControlPlane, type ControlPlane } from '../test/support/controlplane.ts';
import { Cluster } from '../test/support/cluster.ts';
import { startVault, type StartedVault, type VaultOptions } from '../src/vault/index.ts';
import { Manager } from '../src/controller/manager.ts';
import { createLogger, type Logger } from '../src/platform/logger.ts';
import { systemClock, systemTemplateClock } from '../src/platform/clock.ts';
import type { ProviderRegistry } from '../src/providers/registry.ts';
import { defaultRegistry } from '../src/cli/default-registry.ts';
import { lazyTemplateEngine } from '../src/controller/template-engine.ts';
import { ClientCache, type ClientCacheDeps } from '../src/sync/client-cache.ts';
import { KubeClient } from '../src/kube/client.ts';
import { kubeProviderHost } from '../src/kube/provider-host.ts';
import { TokenBucket } from '../src/platform/token-bucket.ts';
import type { GenericStore } from '../src/api/index.ts';
import type { SecretsClient } from '../src/providers/provider.ts';

export const BENCH_CLIENT = 'bench-sp';
const BENCH_CLIENT_SECRET = 'bench-client-secret';

export interface BenchWorld {
  cp: ControlPlane;
  k: Cluster;
  vault: StartedVault;
  /** Responses the vault answered with each HTTP status (from its request log). */
  vaultStatuses(): Map<number, number>;
  /** A namespace with the credentials Secret and a SecretStore named "akv" for the vault. */
  prepareNamespace(namespace: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startBenchWorld(opts: { throttle?: VaultOptions['throttle'] } = {}): Promise<BenchWorld> {
  const cp = await startControlPlane();
  const bv = await startBenchVault(opts);
  const k = new Cluster(cp.admin);
  await k.installCrds();
  return {
    cp,
    k,
    vault: bv.vault,
    vaultStatuses: () => bv.requests().statuses,
    async prepareNamespace(namespace) {
      await k.namespace(namespace);
      await k.apply([credentialsSecret(namespace, bv.vault) as never, namespacedStore(namespace, bv.vault) as never]);
    },
    async stop() {
      await bv.stop();
      await cp.stop();
    },
  };
}

/** What the local vault's request log counted (its debug line "vault request" per HTTP request). */
export interface VaultRequests {
  /** Answers per HTTP status, every route. */
  statuses: Map<number, number>;
  /** GET /secrets/{name}[/{version}] answered 200: secret values read. */
  secretReads: number;
  /** Secret GETs answered otherwise (401: the Azure SDK's first request of a client carries no token). */
  secretGetsNot200: number;
  /** POST /{tenant}/oauth2/v2.0/token, whatever the answer. */
  tokenRequests: number;
}

export interface BenchVault {
  vault: StartedVault;
  /** A copy of the counts since start or the last reset. */
  requests(): VaultRequests;
  resetRequests(): void;
  stop(): Promise<void>;
}

const SECRET_GET = /^\/secrets\/[^/]+(\/[^/]*)?$/;
const TOKEN_POST = /^\/[^/]+\/oauth2\/v2\.0\/token$/;

/** The local vault over HTTPS in this process, in a temporary data directory, knowing BENCH_CLIENT; its request log is counted. */
export async function startBenchVault(opts: { throttle?: VaultOptions['throttle'] } = {}): Promise<BenchVault> {
  const dataDir = mkdtempSync(join(tmpdir(), 'projector-bench-vault-'));
  const fresh = (): VaultRequests => ({ statuses: new Map(), secretReads: 0, secretGetsNot200: 0, tokenRequests: 0 });
  let counts = fresh();
  const count = (line: string) => {
    if (!line.includes('"vault request"')) return;
    const { method, path, status } = JSON.parse(line) as { method: string; path: string; status: number };
    counts.statuses.set(status, (counts.statuses.get(status) ?? 0) + 1);
    if (method === 'GET' && SECRET_GET.test(path)) {
      if (status === 200) counts.secretReads++;
      else counts.secretGetsNot200++;
    }
    if (method === 'POST' && TOKEN_POST.test(path)) counts.tokenRequests++;
  };
  const log = createLogger({ level: 'debug', destination: { write: count } as never });
  const vault = await startVault({ dataDir, log, principals: [{ clientId: BENCH_CLIENT, clientSecret: BENCH_CLIENT_SECRET }], ...(opts.throttle ? { throttle: opts.throttle } : {}) });
  return {
    vault,
    requests: () => ({ ...counts, statuses: new Map(counts.statuses) }),
    resetRequests: () => void (counts = fresh()),
    async stop() {
      await vault.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The Secret holding BENCH_CLIENT's service-principal credentials that namespacedStore points at. */
export function credentialsSecret(namespace: string, vault: StartedVault) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'akv-credentials', namespace },
    stringData: { 'tenant-id': vault.tenantId, 'client-id': BENCH_CLIENT, 'client-secret': BENCH_CLIENT_SECRET },
  };
}

/** ESO's form of an azurekv SecretStore for the local vault; `withCa: false` leaves out the caBundle. */
export function namespacedStore(namespace: string, vault: StartedVault, withCa = true) {
  const ref = (key: string) => ({ name: 'akv-credentials', key });
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'SecretStore',
    metadata: { name: 'akv', namespace },
    spec: {
      provider: {
        azurekv: {
          vaultUrl: `${vault.url}/`,
          authType: 'ServicePrincipal',
          tenantId: vault.tenantId,
          authSecretRef: { clientId: ref('client-id'), clientSecret: ref('client-secret') },
          customCloudConfig: { activeDirectoryEndpoint: vault.authorityHost },
          ...(withCa ? { caBundle: Buffer.from(vault.caPem).toString('base64') } : {}),
        },
      },
    },
  };
}

export function externalSecret(namespace: string, name: string, remoteKey: string, refreshInterval: string) {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name, namespace },
    spec: {
      refreshInterval,
      secretStoreRef: { kind: 'SecretStore', name: 'akv' },
      target: { name, creationPolicy: 'Owner' },
      data: [{ secretKey: 'VALUE', remoteRef: { key: remoteKey } }],
    },
  };
}

export interface BenchOperator {
  manager: Manager;
  log: { lines(): number };
  stop(): Promise<void>;
}

export interface BenchOperatorOptions {
  namespace: string;
  /** The Manager's read window (first syncs and drift repairs); default 5 s as `projector operator`. */
  readWindowMs?: number;
  /**
   * false: the ESO baseline. Every reference reads the vault: no read is shared, not even one in
   * flight. Bench-only; the product has no such switch.
   */
  shareReads?: boolean;
  concurrency?: number;
  clientQps?: number;
  clientBurst?: number;
}

/** The operator in process, watching one namespace (so runs in one cluster do not see each other). */
export async function startBenchOperator(world: BenchWorld, o: BenchOperatorOptions): Promise<BenchOperator> {
  let lines = 0;
  const log: Logger = createLogger({ level: 'info', destination: { write: () => void lines++ } as never });
  const registry = defaultRegistry(systemClock);
  const manager = new Manager({
    kubeConfig: world.cp.admin,
    registry,
    log,
    clock: systemClock,
    namespace: o.namespace,
    concurrency: o.concurrency ?? 4,
    controllerClass: '',
    readWindowMs: o.readWindowMs ?? 5_000,
    templates: lazyTemplateEngine(systemTemplateClock),
    clientQps: o.clientQps ?? 50,
    clientBurst: o.clientBurst ?? 100,
  });
  if (o.shareReads === false) useUnsharedReads(manager, world, registry, log);
  const ac = new AbortController();
  const done = manager.run(ac.signal).catch(() => {});
  return {
    manager,
    log: { lines: () => lines },
    async stop() {
      ac.abort();
      await done;
    },
  };
}

/** A ClientCache whose every read goes to the vault: a view that accepts no read, however young. */
class UnsharedReadsClientCache extends ClientCache {
  override get(store: GenericStore, namespace: string | undefined, signal: AbortSignal): Promise<SecretsClient> {
    return super.get(store, namespace, signal, -1);
  }
}

/**
 * Swaps the Manager's client cache before it runs (its reconcilers take `manager.clients` in run()).
 * The swapped-in cache reads store credentials through its own API client, as the Manager's does.
 */
function useUnsharedReads(manager: Manager, world: BenchWorld, registry: ProviderRegistry, log: Logger): void {
  const kube = new KubeClient(world.cp.admin, { limiter: new TokenBucket(systemClock, 50, 100) });
  const deps: ClientCacheDeps = {
    registry,
    hostFor: (store, ns) => kubeProviderHost(kube, store, ns, log),
    clock: systemClock,
    log,
  };
  Object.assign(manager, { clients: new UnsharedReadsClientCache(deps) });
}

/** Server-side applies with a few requests in flight (setup only; not part of any figure). */
export async function applyAll(k: Cluster, objects: unknown[], inFlight = 16): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < objects.length) await k.apply([objects[next++] as never]);
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
}

interface EsSummary {
  ready: number;
  total: number;
  refreshTimes: Map<string, string | undefined>;
}

export async function summariseExternalSecrets(k: Cluster, namespace: string): Promise<EsSummary> {
  const list: any = await k.custom.listNamespacedCustomObject({ group: 'external-secrets.io', version: 'v1', namespace, plural: 'externalsecrets' });
  const refreshTimes = new Map<string, string | undefined>();
  let ready = 0;
  for (const es of list.items) {
    refreshTimes.set(es.metadata.name, es.status?.refreshTime);
    if (es.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')) ready++;
  }
  return { ready, total: list.items.length, refreshTimes };
}

/** Polls until `accept` holds for the namespace's ExternalSecrets; returns the elapsed milliseconds. */
export async function waitForExternalSecrets(k: Cluster, namespace: string, accept: (s: EsSummary) => boolean, timeoutMs: number, pollMs = 200): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (accept(await summariseExternalSecrets(k, namespace))) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`bench: ExternalSecrets in ${namespace} not as expected within ${timeoutMs} ms`);
    await sleep(pollMs);
  }
}

export function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} × ${cpu.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}`;
}

export function printTable(title: string, rows: Record<string, string | number>[]): void {
  const cols = Object.keys(rows[0] ?? {});
  const width = (c: string) => Math.max(c.length, ...rows.map((r) => String(r[c]).length));
  const line = (cells: string[]) => `| ${cells.map((v, i) => v.padEnd(width(cols[i]!))).join(' | ')} |`;
  console.log(`\n${title}`);
  console.log(line(cols));
  console.log(`|${cols.map((c) => '-'.repeat(width(c) + 2)).join('|')}|`);
  for (const r of rows) console.log(line(cols.map((c) => String(r[c]))));
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function intArg(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const n = arg ? Number(arg.split('=')[1]) : fallback;
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer`);
  return n;
}

/**
 * `projector operator` as shipped (bin/projector.mjs) with bench/memory-probe.mjs preloaded and
 * `--expose-gc`, watching `namespace`; resolves once its caches have synced, rejects if it exits first.
 * `nodeFlags` go before the script (e.g. --max-old-space-size), `env` replaces the environment.
 */
export async function startProbedOperator(kubeconfigPath: string, namespace: string, o: { label: string; env?: NodeJS.ProcessEnv; nodeFlags?: string[] }): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [...(o.nodeFlags ?? []), '--expose-gc', '--import', './bench/memory-probe.mjs', 'bin/projector.mjs', 'operator', '--kubeconfig', kubeconfigPath, '--namespace', namespace, '--metrics-addr', '0', '--health-addr', '0'],
    { cwd: new URL('..', import.meta.url).pathname, ...(o.env ? { env: o.env } : {}), stdio: ['ignore', 'pipe', 'inherit', 'ipc'] },
  );
  let out = '';
  const synced = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      // Logs are only scanned for the start-up line, then dropped.
      if (out !== 'synced') {
        out += chunk.toString('utf8');
        if (out.includes('caches synced; starting workers')) {
          out = 'synced';
          resolve();
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`${o.label}: projector operator exited with ${code} before its caches synced`)));
  });
  await synced;
  return child;
}
