// Memory of a `projector operator` process (the real CLI, default settings) with 0, N/10 and N
// ExternalSecrets synced from the fake provider, each with its own key. Measured in the operator
// process after a full GC (bench/memory-probe.mjs, preloaded with --expose-gc): RSS and V8 heap used.
// Bytes per ExternalSecret are taken against the empty operator of the same run, and as the marginal
// cost from N/10 to N (which leaves out one-time costs such as compiling the sync path).
//
//   node_modules/.bin/node bench/memory.ts [--externalsecrets=1000] [--value-bytes=64]
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { startControlPlane } from '../test/support/controlplane.ts';
import { Cluster } from '../test/support/cluster.ts';
import { applyAll, intArg, machine, printTable, startProbedOperator, waitForExternalSecrets } from './bench-world.ts';

const N = intArg('externalsecrets', 1_000);
const VALUE_BYTES = intArg('value-bytes', 64);
const NAMESPACE = 'memory';
const SETTLE_MS = 3_000;

interface Memory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}


/** A fake store holding every key up front, so the store's own size is in the empty measurement too. */
function fakeStore(keys: number) {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'SecretStore',
    metadata: { name: 'fake', namespace: NAMESPACE },
    spec: { provider: { fake: { data: Array.from({ length: keys }, (_, i) => ({ key: `key-${i}`, value: `v${i}-`.padEnd(VALUE_BYTES, 'x') })) } } },
  };
}

function externalSecret(i: number) {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name: `es-${i}`, namespace: NAMESPACE },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { kind: 'SecretStore', name: 'fake' },
      target: { name: `es-${i}`, creationPolicy: 'Owner' },
      data: [{ secretKey: 'VALUE', remoteRef: { key: `key-${i}` } }],
    },
  };
}


async function measureMemory(child: ChildProcess): Promise<Memory> {
  const reply = once(child, 'message') as Promise<[Memory]>;
  child.send('measure');
  return (await reply)[0];
}

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

async function main(): Promise<void> {
  const cp = await startControlPlane();
  const k = new Cluster(cp.admin);
  let operator: ChildProcess | undefined;
  try {
    await k.installCrds();
    await k.namespace(NAMESPACE);
    await k.apply([fakeStore(N) as never]);
    operator = await startProbedOperator(cp.kubeconfigPath, NAMESPACE, { label: 'bench' });
    await sleep(SETTLE_MS); // the store's reconcile and its status write
    const points: { externalSecrets: number; memory: Memory; syncS: number }[] = [{ externalSecrets: 0, memory: await measureMemory(operator), syncS: 0 }];

    for (const count of [Math.max(1, Math.round(N / 10)), N]) {
      const from = points.at(-1)!.externalSecrets;
      await applyAll(k, Array.from({ length: count - from }, (_, j) => externalSecret(from + j)));
      const ms = await waitForExternalSecrets(k, NAMESPACE, (s) => s.ready === count && s.total === count, 900_000, 1_000);
      await sleep(SETTLE_MS); // watch events of the operator's own writes
      points.push({ externalSecrets: count, memory: await measureMemory(operator), syncS: ms / 1000 });
    }

    const empty = points[0]!.memory;
    const tenth = points[1]!;
    const perEs = (m: Memory, key: keyof Memory, count: number, base: Memory) => (count === 0 ? '' : ((m[key] - base[key]) / count).toFixed(0));
    printTable(`memory: projector operator (defaults), fake provider, one ${VALUE_BYTES}-byte key per ExternalSecret (${machine()})`, points.map((p) => ({
      ExternalSecrets: p.externalSecrets,
      'RSS MB': mb(p.memory.rss),
      'heap used MB': mb(p.memory.heapUsed),
      'heap total MB': mb(p.memory.heapTotal),
      'external MB': mb(p.memory.external),
      'RSS B/ES vs empty': perEs(p.memory, 'rss', p.externalSecrets, empty),
      'heap B/ES vs empty': perEs(p.memory, 'heapUsed', p.externalSecrets, empty),
      'heap B/ES marginal': p.externalSecrets > tenth.externalSecrets ? perEs(p.memory, 'heapUsed', p.externalSecrets - tenth.externalSecrets, tenth.memory) : '',
      'sync s': p.syncS ? p.syncS.toFixed(1) : '',
    })));
    const last = points.at(-1)!.memory;
    console.log(
      `\nsummary: the empty operator uses ${mb(empty.rss)} MB RSS / ${mb(empty.heapUsed)} MB heap; with ${N} ExternalSecrets ${mb(last.rss)} MB / ${mb(last.heapUsed)} MB, ` +
        `i.e. ${perEs(last, 'heapUsed', N, empty)} heap bytes per ExternalSecret (${perEs(last, 'heapUsed', N - tenth.externalSecrets, tenth.memory)} marginal from ${tenth.externalSecrets} to ${N}).`,
    );
  } finally {
    if (operator && operator.exitCode === null) {
      const exited = once(operator, 'exit');
      operator.kill('SIGTERM');
      await exited;
    }
    await cp.stop();
  }
}

await main();
