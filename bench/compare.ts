// `npm run bench`: Projector's operator and, with --eso-bin, ESO's controller, each as its own process
// on a fresh control plane (kube-apiserver + etcd), syncing N ExternalSecrets over 100 namespaces
// from SecretStores (one per namespace). Runs alternate (ESO / Projector, fake / azurekv; the first
// alternates per repetition) so the machine's load drifts over all alike; every row carries the load average.
//
//   node_modules/.bin/node bench/compare.ts [--n=1000,5000] [--reps=2] [--concurrency=10]
//       [--client-qps=500] [--client-burst=1000] [--namespaces=100]
//       [--eso-bin=/work/eso-build/bin/eso --eso-crds=/work/eso-build/src/config/crds/bases]
//       [--projector-node-flags="…"] [--cpu-prof=DIR] [--defaults]
//       [--provider=fake|azurekv|both] [--distinct-keys=M]
//
// ExternalSecret i reads vault key `key-(i % M)` (M = --distinct-keys, default N: one key each).
// --provider=fake (the default): each namespace's fake store holds the keys its ExternalSecrets use.
// --provider=azurekv (Projector only; ESO's azurekv provider cannot be pointed at the local vault, so
// with --eso-bin ESO runs the fake rows only): each run also starts the local vault over HTTPS in this
// process, seeds it with the M secrets, and gives every namespace the service principal's credentials
// Secret and an azurekv SecretStore (caBundle, client secret, the vault as authority), for the idle
// and the timed phase alike. The vault's request log gives, for the timed run, "vault reads" (secret
// GETs answered 200) and "token requests"; "distinct refs" is the number of distinct (store, key)
// pairs the ExternalSecrets name, what Projector's read sharing promises to read once (a key named
// through two namespaces' stores is two references). --provider=both runs both, and prints the
// ratios azurekv / fake of each Projector pair.
//
// Per run: the operator is started on the cluster without ExternalSecrets (stores only) and its RSS read 5 s after the
// stores are Ready ("idle RSS", and the CPU a start costs); it is stopped, the N ExternalSecrets are
// created, and a fresh operator process is started and timed until every ExternalSecret is Ready.
// Figures of that second process: time to all Ready (from spawn), CPU seconds (utime + stime from
// /proc, start-up included), CPU per ExternalSecret with the idle process's start-up CPU taken
// off, API requests (its own rest_client_requests_total, the client-go metric
// both export) and TCP connections it opened to the API server (counted by a TCP relay the bench
// puts in front of the API server; the relay passes bytes through and terminates no TLS). Then, with
// nothing changing, the requests (and writes: POST, PUT, PATCH, DELETE) it makes in `--steady-s` seconds,
// and its peak RSS (VmHWM) over the sync and that quiet period.
// The bench asserts nothing; it prints one table and the ratios of each ESO / Projector pair.
//
// Page cache: RSS counts the pages of the executable a process has mapped, and how many a process
// maps for the same code depends on how the file came into the page cache. ESO's binary, read
// right after `go build` wrote it, mapped 74.7 MB of file pages; after the cache was dropped and
// the binary read from disk, 54 MB (idle RSS 98 against 78 MB, the same process otherwise;
// docs/benchmarks.md, fourteenth pass). So each run starts by dropping the page cache (as root:
// `sync; echo 1 > /proc/sys/vm/drop_caches`), and the table splits the timed process's RSS into
// anonymous memory (its own heap and buffers; "peak anon MB", sampled every 200 ms from
// /proc/<pid>/status RssAnon) and file pages ("file MB", RssFile at the end of the steady period).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, writeFileSync, mkdtempSync, rmSync, readdirSync, statSync } from 'node:fs';
import { createServer, connect, type Server, type AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { startControlPlane, freePorts, type ControlPlane } from '../test/support/controlplane.ts';
import { Cluster, readYamlDocs, CRD_FILES } from '../test/support/cluster.ts';
import { eventually } from '../test/support/eventually.ts';
import { credentialsSecret, machine, namespacedStore, printTable, startBenchVault, type BenchVault } from './bench-world.ts';

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '1000' },
    reps: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '10' },
    'client-qps': { type: 'string', default: '500' },
    'client-burst': { type: 'string', default: '1000' },
    namespaces: { type: 'string', default: '100' },
    'eso-bin': { type: 'string' },
    'eso-crds': { type: 'string' },
    /** Node flags for Projector's process; default: the shipped Deployment's NODE_OPTIONS. */
    'projector-node-flags': { type: 'string' },
    /** Seconds watched after every ExternalSecret is Ready, nothing changing: requests and writes made then. */
    'steady-s': { type: 'string', default: '60' },
    'cpu-prof': { type: 'string' },
    /** Each operator's own defaults instead of the matched concurrency / QPS / burst. */
    defaults: { type: 'boolean', default: false },
    side: { type: 'string' },
    provider: { type: 'string', default: 'fake' },
    'distinct-keys': { type: 'string' },
    /** Also print, per run, when the first, median, 90th-percentile and last ExternalSecret became Ready (from their conditions). */
    timeline: { type: 'boolean', default: false },
    /** Write the timed Projector process's log, at debug level, to this directory (one file per run). */
    'projector-log-dir': { type: 'string' },
    /**
     * Drop the page cache before each run's first process (root only; `--no-drop-caches` keeps it),
     * so both operators' binaries are read from disk alike: see "page cache" above.
     */
    'drop-caches': { type: 'boolean', default: true },
  },
  allowNegative: true,
});

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
/**
 * What the shipped image runs with, unless overridden: the node flags of the Dockerfile's ENTRYPOINT
 * (those NODE_OPTIONS may not carry) and the Deployment's NODE_OPTIONS (deploy/operator/deployment.yaml).
 */
const projectorNodeFlags = args['projector-node-flags'] ?? [...entrypointNodeFlags(), shippedNodeOptions()].join(' ');

/** The flags between node and the script in the Dockerfile's exec-form ENTRYPOINT. */
function entrypointNodeFlags(): string[] {
  const line = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8').split('\n').find((l) => l.startsWith('ENTRYPOINT '));
  const argv = line ? (JSON.parse(line.slice('ENTRYPOINT '.length)) as string[]) : [];
  const script = argv.findIndex((a) => a.endsWith('/bin/projector.mjs'));
  if (script < 1) throw new Error('bench: no exec-form ENTRYPOINT running bin/projector.mjs in the Dockerfile; pass --projector-node-flags');
  return argv.slice(1, script);
}

function shippedNodeOptions(): string {
  const deployment = readYamlDocs(join(repoRoot, 'deploy/operator/deployment.yaml')).find((o) => o.kind === 'Deployment') as any;
  const env = deployment?.spec?.template?.spec?.containers?.[0]?.env as { name: string; value?: string }[] | undefined;
  const value = env?.find((e) => e.name === 'NODE_OPTIONS')?.value;
  if (value === undefined) throw new Error('bench: no NODE_OPTIONS in deploy/operator/deployment.yaml; pass --projector-node-flags');
  return value;
}
// Projector runs as the image runs it: the compiled JavaScript in dist/. bin/projector.mjs falls back
// to the TypeScript sources when dist/ is missing or older than src/ (a fresh clone), which costs
// ~28 MB of idle RSS and ~0.3 s of start CPU: measured, 103.8 against 76.7 MB. Build it first.
if (args.side !== 'eso') {
  execFileSync(process.execPath, [join(repoRoot, 'scripts/build-dist.ts')], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
}
const GROUP = 'external-secrets.io';
const CLK_TCK = 100; // USER_HZ on Linux: /proc/<pid>/stat counts CPU time in 1/100 s
type Side = 'eso' | 'projector';
type Provider = 'fake' | 'azurekv';

const sizes = args.n.split(',').map(Number);
const reps = Number(args.reps);
const namespaces = Number(args.namespaces);
const sides: Side[] = args.side ? [args.side as Side] : args['eso-bin'] ? ['eso', 'projector'] : ['projector'];
if (sides.includes('eso') && (!args['eso-bin'] || !args['eso-crds'])) throw new Error('bench: --eso-bin needs --eso-crds (the directory of ESO\'s CRD YAML)');
if (!['fake', 'azurekv', 'both'].includes(args.provider)) throw new Error('bench: --provider must be fake, azurekv or both');
const providers: Provider[] = args.provider === 'both' ? ['fake', 'azurekv'] : [args.provider as Provider];
/** The runs of one repetition, in order: ESO's azurekv cannot reach the local vault, so ESO runs fake only. */
const variants = sides.flatMap((side) => providers.filter((p) => side === 'projector' || p === 'fake').map((provider) => ({ side, provider })));
if (variants.length === 0) throw new Error('bench: ESO runs the fake provider only; nothing to run with --provider=azurekv --side=eso');
const keysArg = args['distinct-keys'] === undefined ? undefined : Number(args['distinct-keys']);
if (keysArg !== undefined && !(Number.isInteger(keysArg) && keysArg > 0)) throw new Error('bench: --distinct-keys must be a positive integer');
/** M, the distinct vault keys N ExternalSecrets name. */
const distinctKeys = (n: number): number => keysArg ?? n;

interface Run {
  side: Side;
  provider: Provider;
  n: number;
  /** M: distinct vault keys named. */
  keys: number;
  /** Distinct (store, key) pairs named. */
  refs: number;
  /** azurekv only, timed run: secret GETs answered 200, and token requests. */
  vaultReads?: number;
  /** Secret GETs answered otherwise (the Azure SDK's token-less first request of each client gets a 401). */
  otherSecretGets?: number;
  tokenRequests?: number;
  /** azurekv only, timed run: TLS connections the vault accepted (how well the operator reuses them). */
  vaultConnections?: number | undefined;
  rep: number;
  readyS: number;
  cpuS: number;
  startCpuS: number;
  idleRssMb: number;
  peakRssMb: number;
  /** The largest RssAnon sampled over the sync and the steady period, and RssFile at its end. */
  peakAnonMb: number;
  fileMb: number;
  requests: number;
  connections: number;
  /** Requests (and writes among them) in the steady period after all Ready. */
  steadyRequests: number;
  steadyWrites: number;
  load: string;
}

/** A TCP relay in front of the API server that counts the connections it accepts. */
async function countingRelay(target: URL): Promise<{ port: number; accepted(): number; reset(): void; close(): Promise<void> }> {
  let accepted = 0;
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((down) => {
    accepted++;
    const up = connect(Number(target.port), target.hostname);
    sockets.add(down).add(up);
    const drop = () => {
      down.destroy();
      up.destroy();
      sockets.delete(down);
      sockets.delete(up);
    };
    down.on('error', drop).on('close', drop);
    up.on('error', drop).on('close', drop);
    down.pipe(up);
    up.pipe(down);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    accepted: () => accepted,
    reset: () => void (accepted = 0),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

function relayedKubeconfig(cp: ControlPlane, port: number, dir: string): string {
  const kc = JSON.parse(readFileSync(cp.kubeconfigPath, 'utf8'));
  for (const c of kc.clusters) c.cluster.server = `https://127.0.0.1:${port}`;
  const path = join(dir, 'relayed.kubeconfig');
  writeFileSync(path, JSON.stringify(kc), { mode: 0o600 });
  return path;
}

/**
 * Drops the page cache (`--drop-caches`, as root), so the operator's binary is read from disk as the
 * other side's was. Not root: the cache is left as it is and the table says so.
 */
function dropPageCache(): void {
  if (!args['drop-caches'] || process.getuid?.() !== 0) return;
  execFileSync('sync');
  writeFileSync('/proc/sys/vm/drop_caches', '1');
}

function procStat(pid: number): { cpuS: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime is field 14, stime field 15.
  return { cpuS: (Number(fields[11]) + Number(fields[12])) / CLK_TCK };
}

function procStatus(pid: number, key: 'VmRSS' | 'VmHWM' | 'RssAnon' | 'RssFile'): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** The process's rest_client_requests_total: in all, and those whose method writes (POST, PUT, PATCH, DELETE). */
async function scrapeRequests(metricsPort: number): Promise<{ all: number; writes: number }> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  let all = 0;
  let writes = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('rest_client_requests_total{')) continue;
    const count = Number(line.slice(line.lastIndexOf(' ') + 1));
    all += count;
    if (/method="(POST|PUT|PATCH|DELETE)"/.test(line)) writes += count;
  }
  return { all, writes };
}

interface Operator {
  child: ChildProcess;
  pid: number;
  metricsPort: number;
  /** Throws with the log tail when the process has exited. */
  check(): void;
  stop(): Promise<void>;
}

async function startSide(side: Side, kubeconfig: string, extra: { cpuProfDir?: string; logFile?: string }): Promise<Operator> {
  const [metricsPort] = await freePorts(1);
  const matched = args.defaults
    ? []
    : side === 'eso'
      ? [`--concurrent=${args.concurrency}`, `--client-qps=${args['client-qps']}`, `--client-burst=${args['client-burst']}`]
      : ['--concurrency', args.concurrency, '--client-qps', args['client-qps'], '--client-burst', args['client-burst']];
  const cmd =
    side === 'eso'
      ? [args['eso-bin']!, '--enable-leader-election=false', `--metrics-addr=127.0.0.1:${metricsPort}`, '--live-addr=0',
          '--enable-cluster-external-secret-reconciler=false', '--enable-push-secret-reconciler=false',
          '--enable-cluster-push-secret-reconciler=false', '--loglevel=error', ...matched]
      : [process.execPath, ...projectorNodeFlags.split(' ').filter(Boolean),
          ...(extra.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${extra.cpuProfDir}`] : []),
          'bin/projector.mjs', 'operator', '--kubeconfig', kubeconfig, '--metrics-addr', `127.0.0.1:${metricsPort}`, '--health-addr', '0',
          '--log-level', extra.logFile ? 'debug' : 'warn', ...matched];
  // setpriv execs the command in place (same pid) and kills it if the bench dies.
  const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', ...cmd], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KUBECONFIG: kubeconfig },
  });
  let tail = '';
  const keep = (b: Buffer) => void (tail = (tail + b.toString('utf8')).slice(-4000));
  const logFile = extra.logFile ? createWriteStream(extra.logFile) : undefined;
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  if (logFile) {
    child.stdout!.on('data', (b: Buffer) => logFile.write(b));
    child.stderr!.on('data', (b: Buffer) => logFile.write(b));
    child.once('exit', () => logFile.end());
  }
  let exited = false;
  child.on('exit', () => void (exited = true));
  await eventually(async () => {
    if (exited) throw new Error(`${side} exited at start: ${tail}`);
    return (await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.ok).catch(() => false));
  }, true, { timeoutMs: 60_000, message: `${side} metrics endpoint` });
  return {
    child,
    pid: child.pid!,
    metricsPort: metricsPort!,
    check() {
      if (exited) throw new Error(`${side} exited: ${tail}`);
    },
    async stop() {
      if (exited) return;
      const done = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await done;
      clearTimeout(t);
    },
  };
}

function yamlFilesIn(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml').sort().map((f) => join(path, f));
}

async function installCrds(k: Cluster, files: string[]): Promise<void> {
  const crds = files.flatMap((f) => readYamlDocs(f)).filter((o) => o.kind === 'CustomResourceDefinition');
  await k.apply(crds);
  for (const crd of crds) {
    await eventually(async () => {
      const { body } = await k.request('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata!.name}`);
      return JSON.parse(body).status?.conditions?.some((c: any) => c.type === 'Established' && c.status === 'True') === true;
    }, true, { timeoutMs: 30_000, message: `CRD ${crd.metadata!.name} established` });
  }
}

async function create(k: Cluster, o: any): Promise<void> {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const plural = `${o.kind.toLowerCase()}s`; // Namespace, Secret, SecretStore, ExternalSecret
  const path = `${base}${o.metadata.namespace ? `/namespaces/${o.metadata.namespace}` : ''}/${plural}`;
  const { status, body } = await k.request('POST', path, o);
  if (status >= 300) throw new Error(`create ${o.kind} ${o.metadata.name}: HTTP ${status} ${body.slice(0, 200)}`);
}

async function createAll(k: Cluster, objects: unknown[], inFlight = 16): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < objects.length) await create(k, objects[next++]);
  }));
}

const ns = (i: number) => `bench-${i % namespaces}`;

/** Every ExternalSecret, in pages of 500 (one unpaged list of 10,000 is over the client's 16 MB body bound). */
async function listAll(k: Cluster, path: string): Promise<any[] | undefined> {
  const items: any[] = [];
  let cont = '';
  do {
    const { status, body } = await k.request('GET', `${path}?limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
    if (status !== 200) return undefined;
    const page = JSON.parse(body);
    items.push(...page.items);
    cont = page.metadata?.continue ?? '';
  } while (cont);
  return items;
}

async function readyCount(k: Cluster): Promise<{ ready: number; total: number }> {
  const items = await listAll(k, `/apis/${GROUP}/v1/externalsecrets`);
  if (!items) return { ready: 0, total: -1 };
  return { ready: items.filter((es) => es.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')).length, total: items.length };
}

/**
 * Seconds from `t0Ms` (epoch ms) at which the first, median, 90th-percentile and last ExternalSecret
 * became Ready, from the Ready conditions' lastTransitionTime (one-second precision).
 */
async function readyTimeline(k: Cluster, t0Ms: number): Promise<string> {
  const items = (await listAll(k, `/apis/${GROUP}/v1/externalsecrets`)) ?? [];
  const at = items
    .map((es) => es.status?.conditions?.find((c: any) => c.type === 'Ready' && c.status === 'True')?.lastTransitionTime)
    .filter((t): t is string => typeof t === 'string')
    .map((t) => (Date.parse(t) - t0Ms) / 1000)
    .sort((a, b) => a - b);
  if (at.length === 0) return 'none Ready';
  const q = (f: number) => at[Math.min(at.length - 1, Math.floor(f * at.length))]!.toFixed(0);
  const perSecond = new Map<number, number>();
  for (const t of at) perSecond.set(Math.floor(t), (perSecond.get(Math.floor(t)) ?? 0) + 1);
  const histogram = [...perSecond].sort((a, b) => a[0] - b[0]).map(([s, c]) => `${s}:${c}`).join(' ');
  return `first ${q(0)} s, median ${q(0.5)} s, p90 ${q(0.9)} s, last ${q(1)} s; Ready per second ${histogram}`;
}

async function storesReady(k: Cluster): Promise<boolean> {
  const { status, body } = await k.request('GET', `/apis/${GROUP}/v1/secretstores`);
  if (status !== 200) return false;
  const items = JSON.parse(body).items as any[];
  return items.length === namespaces && items.every((st) => st.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
}

const load = () => loadavg()[0]!.toFixed(1);

/** Indexes of the ExternalSecrets in namespace j (ExternalSecret i lives in namespace i % namespaces). */
const inNamespace = (j: number, n: number) => Array.from({ length: Math.max(0, Math.ceil((n - j) / namespaces)) }, (_, t) => j + t * namespaces);

async function runOnce(side: Side, provider: Provider, n: number, rep: number): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'projector-bench-compare-'));
  const m = distinctKeys(n);
  const key = (i: number) => `key-${i % m}`;
  const storeName = (j: number) => (provider === 'fake' ? `fake-${j}` : 'akv');
  const cp = await startControlPlane();
  const relay = await countingRelay(new URL(cp.server));
  let op: Operator | undefined;
  let bv: BenchVault | undefined;
  try {
    const k = new Cluster(cp.admin);
    await installCrds(k, side === 'eso' ? yamlFilesIn(args['eso-crds']!) : CRD_FILES);
    await createAll(k, Array.from({ length: namespaces }, (_, i) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns(i) } })));
    if (provider === 'azurekv') {
      bv = await startBenchVault();
      const vault = bv.vault;
      for (let x = 0; x < Math.min(m, n); x++) await vault.admin.setSecret(`key-${x}`, `value-${x}`);
      await createAll(k, Array.from({ length: namespaces }, (_, j) => [credentialsSecret(ns(j), vault), namespacedStore(ns(j), vault)]).flat());
    } else {
      // One SecretStore per namespace, each with its own name and only its namespace's keys: ESO's fake
      // provider keeps one map per store name and rewrites it on every NewClient without a lock
      // (providers/v1/fake/fake.go), so one store shared by concurrent reconciles crashes ESO
      // ("concurrent map iteration and map write") and costs it a pass over every key per sync.
      await createAll(k, Array.from({ length: namespaces }, (_, j) => ({
        apiVersion: `${GROUP}/v1`, kind: 'SecretStore', metadata: { name: storeName(j), namespace: ns(j) },
        spec: { provider: { fake: { data: [...new Set(inNamespace(j, n).map((i) => i % m))].map((x) => ({ key: `key-${x}`, value: `value-${x}` })) } } },
      })));
    }
    const kubeconfig = relayedKubeconfig(cp, relay.port, dir);

    // Idle: the operator with the store only.
    dropPageCache();
    op = await startSide(side, kubeconfig, {});
    await eventually(() => storesReady(k), true, { timeoutMs: 120_000, message: `${side}: stores Ready` });
    await sleep(5_000);
    const idleRssMb = procStatus(op.pid, 'VmRSS');
    const startCpuS = procStat(op.pid).cpuS;
    await op.stop();
    op = undefined;

    await createAll(k, Array.from({ length: n }, (_, i) => ({
      apiVersion: `${GROUP}/v1`, kind: 'ExternalSecret', metadata: { name: `es-${i}`, namespace: ns(i) },
      spec: {
        refreshInterval: '1h',
        secretStoreRef: { kind: 'SecretStore', name: storeName(i % namespaces) },
        target: { name: `es-${i}`, creationPolicy: 'Owner' },
        data: [{ secretKey: 'VALUE', remoteRef: { key: key(i) } }],
      },
    })));

    relay.reset();
    bv?.resetRequests();
    const vaultConnections0 = bv?.vault.stats().connections ?? 0;
    const t0 = performance.now();
    const t0Ms = Date.now();
    const cpuProfDir = args['cpu-prof'] && side === 'projector' ? join(args['cpu-prof'], `n${n}-rep${rep}`) : undefined;
    const logFile = args['projector-log-dir'] && side === 'projector' ? join(args['projector-log-dir'], `projector-${provider}-n${n}-rep${rep}.log`) : undefined;
    op = await startSide(side, kubeconfig, { ...(cpuProfDir && { cpuProfDir }), ...(logFile && { logFile }) });
    const timedPid = op.pid;
    let peakAnonMb = 0;
    const anonSampler = setInterval(() => {
      try {
        peakAnonMb = Math.max(peakAnonMb, procStatus(timedPid, 'RssAnon'));
      } catch {
        // the process has exited; op.check() reports it
      }
    }, 200);
    const loads: string[] = [load()];
    const pollMs = n >= 5000 ? 2_000 : 1_000;
    for (;;) {
      const { ready, total } = await readyCount(k);
      if (ready === n && total === n) break;
      op.check();
      if (performance.now() - t0 > 3_600_000) throw new Error(`${side}: not all Ready within an hour (${ready}/${n})`);
      if (loads.length < 100 && Math.random() < 0.1) loads.push(load());
      await sleep(pollMs);
    }
    const readyS = (performance.now() - t0) / 1000;
    if (args.timeline) console.error(`[bench] ${side} ${provider} N=${n} rep ${rep} Ready timeline: ${await readyTimeline(k, t0Ms)}`);
    const { cpuS } = procStat(op.pid);
    const { all: requests } = await scrapeRequests(op.metricsPort);
    const connections = relay.accepted();
    const vaultRequests = bv?.requests();
    const vaultConnections = bv ? bv.vault.stats().connections - vaultConnections0 : undefined;
    loads.push(load());
    // The steady period: nothing changes, so a level-based operator should not call the API server.
    const steadyStart = await scrapeRequests(op.metricsPort);
    await sleep(Number(args['steady-s']) * 1000);
    op.check();
    const steadyEnd = await scrapeRequests(op.metricsPort);
    const steadyRequests = steadyEnd.all - steadyStart.all;
    const steadyWrites = steadyEnd.writes - steadyStart.writes;
    // The peak over the sync and the quiet after it (a collection when the work ends counts too).
    const peakRssMb = procStatus(op.pid, 'VmHWM');
    clearInterval(anonSampler);
    peakAnonMb = Math.max(peakAnonMb, procStatus(op.pid, 'RssAnon'));
    const fileMb = procStatus(op.pid, 'RssFile');
    await op.stop();
    op = undefined;
    return {
      side, provider, n, rep, keys: m, refs: new Set(Array.from({ length: n }, (_, i) => `${i % namespaces}/${key(i)}`)).size,
      ...(vaultRequests ? { vaultReads: vaultRequests.secretReads, otherSecretGets: vaultRequests.secretGetsNot200, tokenRequests: vaultRequests.tokenRequests, vaultConnections } : {}),
      readyS, cpuS, startCpuS, idleRssMb, peakRssMb, peakAnonMb, fileMb, requests, connections, steadyRequests, steadyWrites, load: `${loads[0]} → ${loads.at(-1)}`,
    };
  } finally {
    await op?.stop();
    await bv?.stop();
    await relay.close();
    await cp.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const runs: Run[] = [];
const fmt = (x: number, d = 1) => x.toFixed(d);
const ratio = (a: number, b: number) => (b === 0 ? '–' : (a / b).toFixed(2));
const cpuPerEs = (r: Run) => (r.cpuS - r.startCpuS) / r.n;
for (const n of sizes) {
  for (let rep = 1; rep <= reps; rep++) {
    const order = rep % 2 === 1 ? variants : [...variants].reverse();
    for (const { side, provider } of order) {
      process.stderr.write(`[bench] ${side} ${provider} N=${n} rep ${rep}, load ${load()}\n`);
      const r = await runOnce(side, provider, n, rep);
      runs.push(r);
      process.stderr.write(`[bench] ${side} ${provider} N=${n} rep ${rep}: ${JSON.stringify(r)}\n`);
    }
  }
}

const settings = `${args.defaults ? "each operator's defaults" : `concurrency ${args.concurrency}, client QPS ${args['client-qps']}, burst ${args['client-burst']}`}, Projector's node flags "${projectorNodeFlags}", running dist/, ${args['drop-caches'] && process.getuid?.() === 0 ? 'page cache dropped before each run' : 'page cache kept (not root, or --no-drop-caches)'}`;
const keysNote = args['distinct-keys'] === undefined ? 'one vault key each' : `${args['distinct-keys']} distinct vault keys (ExternalSecret i reads key-(i % ${args['distinct-keys']}))`;
const esoNote = sides.includes('eso') && providers.includes('azurekv') ? '; ESO runs the fake provider only (its azurekv cannot be pointed at the local vault)' : '';
printTable(`bench: N ExternalSecrets over ${namespaces} namespaces, ${keysNote}, provider ${providers.join(' and ')}${esoNote}, ${settings} (${machine()})`, runs.map((r) => ({
  side: r.side,
  provider: r.provider,
  N: r.n,
  rep: r.rep,
  'all Ready s': fmt(r.readyS),
  'CPU s': fmt(r.cpuS, 2),
  'start CPU s': fmt(r.startCpuS, 2),
  'CPU ms/ES': fmt(cpuPerEs(r) * 1000, 2),
  'idle RSS MB': fmt(r.idleRssMb),
  'peak RSS MB': fmt(r.peakRssMb),
  'peak anon MB': fmt(r.peakAnonMb),
  'file MB': fmt(r.fileMb),
  'API requests': r.requests,
  connections: r.connections,
  'vault reads': r.vaultReads ?? '–',
  'distinct refs': r.provider === 'azurekv' ? r.refs : '–',
  'token requests': r.tokenRequests ?? '–',
  'vault connections': r.vaultConnections ?? '–',
  [`steady ${args['steady-s']} s requests / writes`]: `${r.steadyRequests} / ${r.steadyWrites}`,
  'load 1m (start → end)': r.load,
})));

/** One row per (N, repetition) holding both runs `pick` names, built by `row`. */
function pairRows(pick: { a: (r: Run) => boolean; b: (r: Run) => boolean }, row: (a: Run, b: Run) => Record<string, string | number>): Record<string, string | number>[] {
  const rows: Record<string, string | number>[] = [];
  for (const n of sizes) {
    for (let rep = 1; rep <= reps; rep++) {
      const a = runs.find((r) => pick.a(r) && r.n === n && r.rep === rep);
      const b = runs.find((r) => pick.b(r) && r.n === n && r.rep === rep);
      if (a && b) rows.push({ N: n, rep, ...row(a, b) });
    }
  }
  return rows;
}

if (sides.length === 2) {
  const pairs = pairRows({ a: (r) => r.side === 'eso' && r.provider === 'fake', b: (r) => r.side === 'projector' && r.provider === 'fake' }, (e, p) => ({
    'sync rate P/E': ratio(e.readyS, p.readyS),
    'CPU/ES P/E': ratio(cpuPerEs(p), cpuPerEs(e)),
    'idle RSS P/E': ratio(p.idleRssMb, e.idleRssMb),
    'peak RSS P/E': ratio(p.peakRssMb, e.peakRssMb),
    'peak anon P/E': ratio(p.peakAnonMb, e.peakAnonMb),
    'requests P/E': ratio(p.requests, e.requests),
    'connections P/E': ratio(p.connections, e.connections),
  }));
  printTable('ratios per pair, fake provider (Projector / ESO; sync rate is ESO time / Projector time, so > 1 means Projector is faster)', pairs);
}

if (providers.length === 2 && sides.includes('projector')) {
  const pairs = pairRows({ a: (r) => r.side === 'projector' && r.provider === 'fake', b: (r) => r.side === 'projector' && r.provider === 'azurekv' }, (f, a) => ({
    'all Ready a/f': ratio(a.readyS, f.readyS),
    'CPU/ES a/f': ratio(cpuPerEs(a), cpuPerEs(f)),
    'peak RSS a/f': ratio(a.peakRssMb, f.peakRssMb),
    'vault reads / distinct refs': `${a.vaultReads} / ${a.refs} = ${ratio(a.vaultReads!, a.refs)}`,
  }));
  printTable('Projector, azurekv / fake: time to all Ready, CPU/ES, peak RSS (target: all Ready ≤ 1.2 at N = 1,000); vault reads / distinct refs (target 1)', pairs);
}
