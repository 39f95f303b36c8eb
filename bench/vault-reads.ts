// How many vault reads N ExternalSecrets sharing M remote keys cost, for the initial sync and for
// one refresh cycle (every ExternalSecret force-synced), with Projector's read window and with the
// baseline of one read per reference (readWindowMs 0, ESO's behaviour; in-flight reads of the same
// key are still shared). Target: M reads per cycle, not N.
//
//   node_modules/.bin/node bench/vault-reads.ts [--externalsecrets=200] [--keys=10]
import { setTimeout as sleep } from 'node:timers/promises';
import {
  applyAll, externalSecret, intArg, machine, printTable, startBenchOperator, startBenchWorld, summariseExternalSecrets, waitForExternalSecrets, type BenchWorld,
} from './bench-world.ts';

const N = intArg('externalsecrets', 200);
const M = intArg('keys', 10);
const TIMEOUT_MS = 300_000;

interface Run {
  mode: string;
  initialReads: number;
  refreshReads: number;
  initialSyncMs: number;
  refreshMs: number;
}

async function measure(world: BenchWorld, mode: string, namespace: string, operator: { readWindowMs: number; clientQps?: number; clientBurst?: number; concurrency?: number }): Promise<Run> {
  await world.prepareNamespace(namespace);
  const manifests = Array.from({ length: N }, (_, i) => externalSecret(namespace, `es-${i}`, `shared-${i % M}`, '1h'));
  await applyAll(world.k, manifests);

  const reads0 = world.vault.stats().secretReads;
  const op = await startBenchOperator(world, { namespace, ...operator });
  const initialSyncMs = await waitForExternalSecrets(world.k, namespace, (s) => s.ready === N, TIMEOUT_MS);
  const reads1 = world.vault.stats().secretReads;

  // refreshTime has one-second precision: make the forced refresh distinguishable.
  await sleep(1_100);
  const before = (await summariseExternalSecrets(world.k, namespace)).refreshTimes;
  const stamp = String(Date.now());
  const forcedAt = performance.now();
  await applyAll(world.k, manifests.map((m) => ({ ...m, metadata: { ...m.metadata, annotations: { 'force-sync': stamp } } })));
  await waitForExternalSecrets(world.k, namespace, (s) => [...s.refreshTimes].every(([name, t]) => t !== undefined && t !== before.get(name)), TIMEOUT_MS);
  const refreshMs = performance.now() - forcedAt;
  const reads2 = world.vault.stats().secretReads;
  await op.stop();
  return { mode, initialReads: reads1 - reads0, refreshReads: reads2 - reads1, initialSyncMs, refreshMs };
}

async function main(): Promise<void> {
  const world = await startBenchWorld();
  try {
    for (let i = 0; i < M; i++) await world.vault.admin.setSecret(`shared-${i}`, `bench-value-${i}`);
    const projector = await measure(world, 'Projector, defaults (window 5 s, client QPS 50)', 'reads-window', { readWindowMs: 5_000 });
    // With the API-server client limit raised, a whole cycle fits in one read window.
    const tuned = await measure(world, 'Projector, window 5 s, client QPS 500, 16 workers', 'reads-tuned', { readWindowMs: 5_000, clientQps: 500, clientBurst: 1_000, concurrency: 16 });
    const baseline = await measure(world, 'baseline: a read per reference (window 0)', 'reads-baseline', { readWindowMs: 0 });
    printTable(`vault-reads: ${N} ExternalSecrets sharing ${M} remote keys (${machine()})`, [projector, tuned, baseline].map((r) => ({
      mode: r.mode,
      'initial sync reads': r.initialReads,
      'refresh-cycle reads': r.refreshReads,
      'target (M)': M,
      'initial sync s': (r.initialSyncMs / 1000).toFixed(1),
      'forced refresh s': (r.refreshMs / 1000).toFixed(1),
    })));
    const ratio = (a: number, b: number) => (b === 0 ? 'n/a' : (a / b).toFixed(1));
    console.log(
      `\nsummary: Projector read the vault ${projector.initialReads}× for the initial sync and ${projector.refreshReads}× per refresh cycle ` +
        `(target ${M}), ${tuned.refreshReads}× with a cycle that fits the window; the baseline read it ${baseline.initialReads}× and ${baseline.refreshReads}× ` +
        `(${ratio(baseline.initialReads, projector.initialReads)}× and ${ratio(baseline.refreshReads, projector.refreshReads)}× more).`,
    );
  } finally {
    await world.stop();
  }
}

await main();
