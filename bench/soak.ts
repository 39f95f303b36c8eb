// Memory of a `projector operator` process (the real CLI, default settings, its own process) through
// repeated vault outages, with the store's caBundle and without it. Per mode: N ExternalSecrets on
// the azurekv provider against the local vault (refreshInterval --refresh-s, so every ExternalSecret
// reads the vault during each outage), then --outages times: the vault stops and a listener on its
// port accepts and drops every connection (a vault that refuses; each attempt is counted) for
// --outage-s seconds, then the vault comes back and every ExternalSecret is Ready again, then
// --between-s seconds of normal operation. Measured in the operator process (bench/memory-probe.mjs):
//   - "GC'd": RSS and V8 heap used after a full garbage collection (what the process keeps);
//   - "peak": the highest RSS sampled every 500 ms (/proc/<pid>/status VmRSS) while the fault lasted
//     and while the operator recovered, i.e. what a memory limit sees.
// The verdict compares GC'd RSS after the last outage with GC'd RSS before the first one, and the
// peak with the baseline: both must stay within --bound-mb (default 64 MB, see docs/operations.md).
// A benchmark: it prints figures and the verdict, and exits 1 if a bound is exceeded.
//
//   node_modules/.bin/node bench/soak.ts [--externalsecrets=150] [--outages=3] [--outage-s=60]
//       [--between-s=20] [--refresh-s=15] [--bound-mb=64] [--mode=both|ca|no-ca]
//       [--operator-flags="--max-old-space-size=384"] [--operator-env="MALLOC_ARENA_MAX=2"]
// --operator-flags are Node flags for the operator process (space-separated), --operator-env
// environment variables for it (comma-separated K=V), e.g. to try what deploy/operator sets.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startControlPlane } from '../test/support/controlplane.ts';
import { Cluster } from '../test/support/cluster.ts';
import { startVault, type StartedVault } from '../src/vault/index.ts';
import { applyAll, externalSecret, intArg, machine, namespacedStore, printTable, startProbedOperator, waitForExternalSecrets } from './bench-world.ts';

const N = intArg('externalsecrets', 150);
const OUTAGES = intArg('outages', 3);
const OUTAGE_S = intArg('outage-s', 60);
const BETWEEN_S = intArg('between-s', 20);
const REFRESH_S = intArg('refresh-s', 15);
const BOUND_MB = intArg('bound-mb', 64);
const MODE = process.argv.find((a) => a.startsWith('--mode='))?.split('=')[1] ?? 'both';
if (!['both', 'ca', 'no-ca'].includes(MODE)) throw new Error('--mode must be both, ca or no-ca');
const strArg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? '';
const OPERATOR_FLAGS = strArg('operator-flags').split(' ').filter(Boolean);
const OPERATOR_ENV = Object.fromEntries(strArg('operator-env').split(',').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
const CLIENT_ID = 'soak-sp';
const CLIENT_SECRET = 'soak-client-secret';
const SAMPLE_MS = 500;


interface Memory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

/** The vault, stoppable and restartable on the same port with the same CA, keys and secrets. */
class SoakVault {
  vault!: StartedVault;
  #refuser: Server | undefined;
  #sockets = new Set<Socket>();
  refused = 0;
  readonly #dataDir = mkdtempSync(join(tmpdir(), 'projector-soak-vault-'));
  #port = 0;

  async start(): Promise<void> {
    this.vault = await startVault({ dataDir: this.#dataDir, port: this.#port, principals: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }] });
    this.#port = Number(new URL(this.vault.url).port);
  }

  /** The vault stops; its port accepts TCP connections and drops them at once (counted). */
  async down(): Promise<void> {
    await this.vault.close();
    this.#refuser = createServer((socket) => {
      this.refused++;
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
      socket.on('error', () => {});
      socket.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      this.#refuser!.once('error', reject);
      this.#refuser!.listen(this.#port, '127.0.0.1', () => resolve());
    });
  }

  async up(): Promise<void> {
    const refuser = this.#refuser;
    this.#refuser = undefined;
    if (refuser) {
      for (const s of this.#sockets) s.destroy();
      await new Promise<void>((resolve) => refuser.close(() => resolve()));
    }
    await this.start();
  }

  async stop(): Promise<void> {
    if (this.#refuser) await this.up();
    await this.vault.close();
    rmSync(this.#dataDir, { recursive: true, force: true });
  }
}

/**
 * `projector operator` as shipped, with the probe preloaded; resolves once its caches have synced.
 * Without a caBundle the process trusts the vault's CA through NODE_EXTRA_CA_CERTS, as a cluster
 * whose vault has a publicly trusted certificate trusts it through the default roots.
 */
async function startOperator(kubeconfigPath: string, namespace: string, vault: StartedVault, withCa: boolean): Promise<ChildProcess> {
  const env = { ...process.env, ...OPERATOR_ENV };
  if (withCa) delete env['NODE_EXTRA_CA_CERTS'];
  else env['NODE_EXTRA_CA_CERTS'] = vault.caFile;
  return startProbedOperator(kubeconfigPath, namespace, { label: 'soak', env, nodeFlags: OPERATOR_FLAGS });
}

async function ask(child: ChildProcess, message: 'measure' | 'sample'): Promise<Memory> {
  const reply = once(child, 'message') as Promise<[Memory]>;
  child.send(message);
  return (await reply)[0];
}

/** VmRSS of the process as the kernel counts it, in bytes (Linux). */
function vmRss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** Samples VmRSS and V8 heap every SAMPLE_MS until stopped; returns the peaks. */
function sampler(child: ChildProcess) {
  let peakRss = 0;
  let peakHeap = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      peakRss = Math.max(peakRss, vmRss(child.pid!));
      peakHeap = Math.max(peakHeap, (await ask(child, 'sample')).heapUsed);
      await sleep(SAMPLE_MS);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { peakRss, peakHeap };
    },
  };
}

interface Row {
  phase: string;
  gcRss: number;
  gcHeap: number;
  heapTotal: number;
  external: number;
  peakRss?: number;
  peakHeap?: number;
  refused?: number;
  recoverS?: number;
}

async function soak(kubeconfigPath: string, k: Cluster, sv: SoakVault, withCa: boolean): Promise<{ rows: Row[]; pass: boolean; summary: string }> {
  const namespace = withCa ? 'soak-ca' : 'soak-no-ca';
  const label = withCa ? 'caBundle' : 'no caBundle';
  await k.namespace(namespace);
  await k.apply([
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'akv-credentials', namespace },
      stringData: { 'client-id': CLIENT_ID, 'client-secret': CLIENT_SECRET },
    } as never,
    namespacedStore(namespace, sv.vault, withCa) as never,
  ]);
  const operator = await startOperator(kubeconfigPath, namespace, sv.vault, withCa);
  const rows: Row[] = [];
  try {
    await applyAll(k, Array.from({ length: N }, (_, i) => externalSecret(namespace, `es-${i}`, `soak-${i % 50}`, `${REFRESH_S}s`)));
    await waitForExternalSecrets(k, namespace, (s) => s.ready === N && s.total === N, 300_000, 500);
    // One refresh round in normal operation, so the baseline holds warmed-up clients and sockets.
    await sleep((REFRESH_S + 5) * 1000);
    const base = await ask(operator, 'measure');
    rows.push({ phase: 'before', gcRss: base.rss, gcHeap: base.heapUsed, heapTotal: base.heapTotal, external: base.external });
    let peakOverall = 0;
    for (let i = 1; i <= OUTAGES; i++) {
      const s = sampler(operator);
      const refusedBefore = sv.refused;
      await sv.down();
      await sleep(OUTAGE_S * 1000);
      const during = await ask(operator, 'measure');
      const refused = sv.refused - refusedBefore;
      await sv.up();
      const recoverMs = await waitForExternalSecrets(k, namespace, (x) => x.ready === N, 300_000, 500);
      const peaks = await s.stop();
      peakOverall = Math.max(peakOverall, peaks.peakRss);
      rows.push({ phase: `outage ${i} (end)`, gcRss: during.rss, gcHeap: during.heapUsed, heapTotal: during.heapTotal, external: during.external, peakRss: peaks.peakRss, peakHeap: peaks.peakHeap, refused, recoverS: recoverMs / 1000 });
      await sleep(BETWEEN_S * 1000);
      const after = await ask(operator, 'measure');
      rows.push({ phase: `after ${i}`, gcRss: after.rss, gcHeap: after.heapUsed, heapTotal: after.heapTotal, external: after.external });
    }
    const last = rows.at(-1)!;
    const growth = last.gcRss - base.rss;
    const peakOver = peakOverall - base.rss;
    const bound = BOUND_MB * 2 ** 20;
    const refusedTotal = rows.reduce((n, r) => n + (r.refused ?? 0), 0);
    const pass = growth <= bound && peakOver <= bound;
    const summary =
      `${label}: GC'd RSS ${mb(base.rss)} MB before, ${mb(last.gcRss)} MB after ${OUTAGES} outages (growth ${mb(growth)} MB); ` +
      `peak RSS ${mb(peakOverall)} MB (+${mb(peakOver)} MB over the baseline); ${refusedTotal} refused connections ` +
      `(${refusedTotal ? ((peakOver / refusedTotal) / 1024).toFixed(1) : '-'} KB of peak growth per refused connection); ` +
      `bound ${BOUND_MB} MB: ${pass ? 'PASS' : 'FAIL'}`;
    return { rows, pass, summary };
  } finally {
    if (operator.exitCode === null) {
      const exited = once(operator, 'exit');
      operator.kill('SIGTERM');
      await exited;
    }
    await k.core.deleteNamespace({ name: namespace }).catch(() => {});
  }
}

async function main(): Promise<void> {
  const cp = await startControlPlane();
  const k = new Cluster(cp.admin);
  const sv = new SoakVault();
  const verdicts: string[] = [];
  let allPass = true;
  try {
    await k.installCrds();
    await sv.start();
    for (let i = 0; i < 50; i++) await sv.vault.admin.setSecret(`soak-${i}`, `value-${i}`);
    const modes = MODE === 'both' ? [true, false] : [MODE === 'ca'];
    for (const withCa of modes) {
      const { rows, pass, summary } = await soak(cp.kubeconfigPath, k, sv, withCa);
      printTable(
        `soak: projector operator (defaults), ${N} ExternalSecrets on azurekv (refresh ${REFRESH_S}s), ${withCa ? 'store caBundle' : 'no caBundle (NODE_EXTRA_CA_CERTS)'}, ` +
          `${OUTAGES} × ${OUTAGE_S} s vault outage, ${BETWEEN_S} s between${OPERATOR_FLAGS.length || Object.keys(OPERATOR_ENV).length ? `, operator ${[...OPERATOR_FLAGS, ...Object.entries(OPERATOR_ENV).map(([k, v]) => `${k}=${v}`)].join(' ')}` : ''} (${machine()})`,
        rows.map((r) => ({
          phase: r.phase,
          "GC'd RSS MB": mb(r.gcRss),
          "GC'd heap MB": mb(r.gcHeap),
          "GC'd heap total MB": mb(r.heapTotal),
          'external MB': mb(r.external),
          'peak RSS MB': r.peakRss === undefined ? '' : mb(r.peakRss),
          'peak heap MB': r.peakHeap === undefined ? '' : mb(r.peakHeap),
          'refused conns': r.refused ?? '',
          'recover s': r.recoverS === undefined ? '' : r.recoverS.toFixed(1),
        })),
      );
      console.log(summary);
      verdicts.push(summary);
      allPass &&= pass;
    }
  } finally {
    await sv.stop();
    await cp.stop();
  }
  console.log(`\nverdict:\n  ${verdicts.join('\n  ')}`);
  if (!allPass) process.exitCode = 1;
}

await main();
