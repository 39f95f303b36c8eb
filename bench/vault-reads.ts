// How many vault reads N ExternalSecrets sharing M remote keys cost: for the initial sync, for one
// periodic refresh wave, and for a forced cycle (force-sync annotation on every ExternalSecret).
// Projector with its defaults against the ESO baseline: the same operator with read sharing bypassed
// in bench code, so every reference reads the vault. Target: M reads per wave, not N.
//
//   node_modules/.bin/node bench/vault-reads.ts [--externalsecrets=200] [--keys=10] [--refresh-s=30]
//
// Periodic refreshes run on a grid of the refresh interval R (core/refresh.ts nextRefreshAt): the
// wave measured is the first grid point that every ExternalSecret is scheduled for, counted from a
// moment before it (nothing is due in between) until every status.refreshTime has passed it.
import { setTimeout as sleep } from 'node:timers/promises';
import { nextRefreshAt } from '../src/core/refresh.ts';
import type { ExternalSecret } from '../src/api/index.ts';
import {
  applyAll, externalSecret, intArg, machine, printTable, startBenchOperator, startBenchWorld, summariseExternalSecrets, waitForExternalSecrets, type BenchWorld,
} from './bench-world.ts';

const N = intArg('externalsecrets', 200);
const M = intArg('keys', 10);
const REFRESH_MS = intArg('refresh-s', 30) * 1000;
const TIMEOUT_MS = 300_000;

interface Cycle {
  reads: number;
  ms: number;
  note?: string;
}

interface Run {
  operator: string;
  initial: Cycle;
  wave: Cycle;
  forced: Cycle;
}

function readsOf(world: BenchWorld): number {
  return world.vault.stats().secretReads;
}

/** The grid point every ExternalSecret's next periodic refresh is due at, if they all share one. */
function commonNextWave(refreshTimes: Map<string, string | undefined>, template: ExternalSecret): number | undefined {
  const next = new Set<number | undefined>();
  for (const t of refreshTimes.values()) next.add(t === undefined ? undefined : nextRefreshAt(template, Date.parse(t)));
  const [only] = next;
  return next.size === 1 ? only : undefined;
}

/** Waits for a wave all ExternalSecrets belong to, then counts the vault reads of exactly that wave. */
async function measureWave(world: BenchWorld, namespace: string, template: ExternalSecret): Promise<Cycle> {
  for (;;) {
    const { refreshTimes } = await summariseExternalSecrets(world.k, namespace);
    const wave = commonNextWave(refreshTimes, template);
    // Nothing is due before the wave, so reads counted from here on are the wave's.
    if (wave !== undefined && Date.now() < wave - 500) {
      const reads0 = readsOf(world);
      await waitForExternalSecrets(world.k, namespace, (s) => [...s.refreshTimes.values()].every((t) => t !== undefined && Date.parse(t) >= wave), TIMEOUT_MS);
      return { reads: readsOf(world) - reads0, ms: Date.now() - wave };
    }
    // A wave still in progress, or stragglers of the initial sync scheduled a wave later: look again.
    await sleep(500);
  }
}

/** Force-syncs every ExternalSecret (annotation, as `kubectl annotate`) and counts the reads until all refreshed. */
async function measureForced(world: BenchWorld, namespace: string, manifests: ReturnType<typeof externalSecret>[]): Promise<Cycle> {
  // refreshTime has one-second precision: make the forced refresh distinguishable from the wave's.
  await sleep(1_100);
  const before = (await summariseExternalSecrets(world.k, namespace)).refreshTimes;
  const reads0 = readsOf(world);
  const started = Date.now();
  const stamp = String(started);
  await applyAll(world.k, manifests.map((m) => ({ ...m, metadata: { ...m.metadata, annotations: { 'force-sync': stamp } } })));
  await waitForExternalSecrets(world.k, namespace, (s) => [...s.refreshTimes].every(([name, t]) => t !== undefined && t !== before.get(name)), TIMEOUT_MS);
  const ended = Date.now();
  // A grid point inside the cycle would add periodic refreshes to the count: say so rather than hide it.
  const crossedWave = Math.floor(ended / REFRESH_MS) !== Math.floor(started / REFRESH_MS);
  return { reads: readsOf(world) - reads0, ms: ended - started, ...(crossedWave ? { note: 'a wave fell inside' } : {}) };
}

async function measure(world: BenchWorld, operator: string, namespace: string, shareReads: boolean): Promise<Run> {
  await world.prepareNamespace(namespace);
  const manifests = Array.from({ length: N }, (_, i) => externalSecret(namespace, `es-${i}`, `shared-${i % M}`, `${REFRESH_MS / 1000}s`));
  await applyAll(world.k, manifests);

  const reads0 = readsOf(world);
  const op = await startBenchOperator(world, { namespace, shareReads });
  const initialMs = await waitForExternalSecrets(world.k, namespace, (s) => s.ready === N, TIMEOUT_MS);
  const initial = { reads: readsOf(world) - reads0, ms: initialMs };
  const wave = await measureWave(world, namespace, manifests[0] as unknown as ExternalSecret);
  const forced = await measureForced(world, namespace, manifests);
  await op.stop();
  return { operator, initial, wave, forced };
}

function rowsOf(r: Run) {
  const row = (cycle: string, c: Cycle) => ({ operator: r.operator, cycle, 'vault reads': c.reads, 'target (M)': M, 'reads/M': (c.reads / M).toFixed(1), 'duration s': (c.ms / 1000).toFixed(1), note: c.note ?? '' });
  return [row('initial sync', r.initial), row(`periodic wave (R ${REFRESH_MS / 1000} s)`, r.wave), row('forced (force-sync on all)', r.forced)];
}

async function main(): Promise<void> {
  const world = await startBenchWorld();
  try {
    for (let i = 0; i < M; i++) await world.vault.admin.setSecret(`shared-${i}`, `bench-value-${i}`);
    const projector = await measure(world, 'Projector (defaults)', 'reads-projector', true);
    const baseline = await measure(world, 'baseline: no read shared (ESO)', 'reads-baseline', false);
    printTable(`vault-reads: ${N} ExternalSecrets sharing ${M} remote keys, client QPS 50, 4 workers (${machine()})`, [...rowsOf(projector), ...rowsOf(baseline)]);
    const ratio = (a: number, b: number) => (b === 0 ? 'n/a' : (a / b).toFixed(1));
    console.log(
      `\nsummary: per periodic wave Projector read the vault ${projector.wave.reads}× (target ${M}), the baseline ${baseline.wave.reads}× ` +
        `(${ratio(baseline.wave.reads, projector.wave.reads)}× more); initial sync ${projector.initial.reads}× vs ${baseline.initial.reads}×; ` +
        `forced cycle ${projector.forced.reads}× vs ${baseline.forced.reads}×.`,
    );
  } finally {
    await world.stop();
  }
}

await main();
