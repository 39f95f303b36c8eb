// Time from a rotation in the vault (admin.setSecret) to the new value being visible through the API
// server, with refreshInterval R. Refreshes run on a grid of R with no jitter, and a periodic refresh
// shares only reads started since its own grid point, so expected: about R/2 on average (rotations
// land at random points of the cycle), at most about R plus one sync. Run with the default read window
// (5 s) and with it off: the window applies to first syncs and drift repairs only, so both rows
// should agree.
//
//   node_modules/.bin/node bench/rotation-latency.ts [--rotations=15] [--refresh-ms=2000]
import { setTimeout as sleep } from 'node:timers/promises';
import { externalSecret, intArg, machine, percentile, printTable, startBenchOperator, startBenchWorld, type BenchWorld } from './bench-world.ts';

const ROTATIONS = intArg('rotations', 15);
const REFRESH_MS = intArg('refresh-ms', 2_000);
const POLL_MS = 10;

async function measure(world: BenchWorld, namespace: string, readWindowMs: number): Promise<number[]> {
  const key = `rotated-${namespace}`;
  await world.vault.admin.setSecret(key, 'bench-rotation-0');
  await world.prepareNamespace(namespace);
  await world.k.apply([externalSecret(namespace, 'app', key, `${REFRESH_MS}ms`) as never]);
  const op = await startBenchOperator(world, { namespace, readWindowMs });
  const valueNow = () => world.k.secretValue(namespace, 'app', 'VALUE');
  while ((await valueNow()) !== 'bench-rotation-0') await sleep(POLL_MS);

  const latencies: number[] = [];
  for (let i = 1; i <= ROTATIONS; i++) {
    // Land each rotation at a random point of the refresh cycle.
    await sleep(Math.random() * REFRESH_MS);
    const expected = `bench-rotation-${i}`;
    const t0 = performance.now();
    await world.vault.admin.setSecret(key, expected);
    while ((await valueNow()) !== expected) {
      // A stuck refresh is a finding, not something to wait out forever.
      if (performance.now() - t0 > 30 * REFRESH_MS) throw new Error(`bench: rotation ${i} in ${namespace} not visible after ${30 * REFRESH_MS} ms`);
      await sleep(POLL_MS);
    }
    latencies.push(performance.now() - t0);
    process.stderr.write(`${namespace} rotation ${i}: ${latencies.at(-1)!.toFixed(0)} ms\n`);
  }
  await op.stop();
  return latencies;
}

function row(readWindow: string, latencies: number[]) {
  const sorted = [...latencies].sort((a, b) => a - b);
  const p50 = percentile(sorted, 50);
  const p95 = percentile(sorted, 95);
  return { 'read window': readWindow, 'R ms': REFRESH_MS, 'p50 ms': p50.toFixed(0), 'p95 ms': p95.toFixed(0), 'max ms': sorted.at(-1)!.toFixed(0), 'p50/R': (p50 / REFRESH_MS).toFixed(2), 'p95/R': (p95 / REFRESH_MS).toFixed(2) };
}

async function main(): Promise<void> {
  const world = await startBenchWorld();
  try {
    const withWindow = row('5 s (default)', await measure(world, 'rotation-window', 5_000));
    const without = row('0 (off)', await measure(world, 'rotation-nowindow', 0));
    printTable(`rotation-latency: ${ROTATIONS} rotations per row, refreshInterval ${REFRESH_MS} ms (${machine()})`, [withWindow, without]);
    console.log(
      `\nsummary: with R = ${REFRESH_MS} ms a rotation reached the Secret in p50 ${without['p50 ms']} ms / p95 ${without['p95 ms']} ms (p95 = ${without['p95/R']} R) with the read window off, ` +
        `and p50 ${withWindow['p50 ms']} ms / p95 ${withWindow['p95 ms']} ms (p95 = ${withWindow['p95/R']} R) with the default 5 s window (longer than R).`,
    );
  } finally {
    await world.stop();
  }
}

await main();
