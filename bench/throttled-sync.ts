// K ExternalSecrets, each with its own remote key, against a vault throttled at AKV's service limit
// (4,000 GETs per 10 s, 429 + Retry-After beyond). Time from operator start to all Ready, distinct
// secrets/s, 429s seen, and the ratio to the vault's ceiling (AKV: 400 distinct secrets/s).
// A second run scales the vault's limit down 10× while the operator keeps AKV's budget, so the vault
// does answer 429s: it shows how the operator rides them out (Retry-After, per-vault pause).
//
//   node_modules/.bin/node bench/throttled-sync.ts [--externalsecrets=2000] [--concurrency=32] [--client-qps=2000]
// The API-server client limit is raised by default so the vault, not the API server, is the bottleneck.
import {
  applyAll, externalSecret, intArg, machine, printTable, startBenchOperator, startBenchWorld, waitForExternalSecrets,
} from './bench-world.ts';

const K = intArg('externalsecrets', 2_000);
const CONCURRENCY = intArg('concurrency', 32);
const CLIENT_QPS = intArg('client-qps', 2_000);

interface Scenario {
  label: string;
  externalSecrets: number;
  readsPer10s: number;
}

interface Outcome {
  ms: number;
  reads: number;
  throttled: number;
}

async function run(s: Scenario): Promise<Outcome> {
  const world = await startBenchWorld({ throttle: { readsPer10s: s.readsPer10s } });
  try {
    let next = 0;
    const seed = async () => {
      while (next < s.externalSecrets) {
        const i = next++;
        await world.vault.admin.setSecret(`distinct-${i}`, `bench-distinct-value-${i}`);
      }
    };
    await Promise.all(Array.from({ length: 16 }, seed));
    const ns = 'throttled';
    await world.prepareNamespace(ns);
    await applyAll(world.k, Array.from({ length: s.externalSecrets }, (_, i) => externalSecret(ns, `es-${i}`, `distinct-${i}`, '1h')));

    const reads0 = world.vault.stats().secretReads;
    const op = await startBenchOperator(world, { namespace: ns, readWindowMs: 5_000, concurrency: CONCURRENCY, clientQps: CLIENT_QPS, clientBurst: CLIENT_QPS * 2 });
    const ms = await waitForExternalSecrets(world.k, ns, (x) => x.ready === s.externalSecrets, 900_000, 500);
    const reads = world.vault.stats().secretReads - reads0;
    await op.stop();
    const rereads = Object.entries(world.vault.stats().byName).filter(([, n]) => n > 1).map(([name]) => name);
    process.stderr.write(`${s.label}: ${rereads.length} keys read more than once: ${rereads.slice(0, 40).join(' ')}\n`);
    return { ms, reads, throttled: world.vaultStatuses().get(429) ?? 0 };
  } finally {
    await world.stop();
  }
}

async function main(): Promise<void> {
  const scenarios: Scenario[] = [
    { label: "AKV's limit (4,000 reads/10 s)", externalSecrets: K, readsPer10s: 4_000 },
    { label: 'vault scaled down 10× (400 reads/10 s)', externalSecrets: Math.max(1, Math.round(K / 5)), readsPer10s: 400 },
  ];
  const rows = [];
  const summaries = [];
  for (const s of scenarios) {
    const o = await run(s);
    const perSecond = s.externalSecrets / (o.ms / 1000);
    const ceiling = s.readsPer10s / 10;
    rows.push({
      vault: s.label,
      ExternalSecrets: s.externalSecrets,
      'time to all Ready s': (o.ms / 1000).toFixed(1),
      'distinct secrets/s': perSecond.toFixed(0),
      'vault ceiling/s': ceiling,
      'vs ceiling': (perSecond / ceiling).toFixed(2),
      'vault reads': o.reads,
      '429s': o.throttled,
    });
    summaries.push(`${s.label}: ${perSecond.toFixed(0)}/s = ${(perSecond / ceiling).toFixed(2)}× the ${ceiling}/s ceiling, ${o.throttled} 429s`);
  }
  printTable(`throttled-sync: distinct keys, ${CONCURRENCY} workers, client QPS ${CLIENT_QPS} (${machine()})`, rows);
  console.log(`\nsummary: ${summaries.join('; ')}.`);
}

await main();
