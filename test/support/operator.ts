// Runs the operator in-process against a test control plane, capturing its log output.
import { Writable } from 'node:stream';
import type { KubeConfig } from '@kubernetes/client-node';
import { Manager } from '../../src/controller/manager.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { defaultRegistry } from '../../src/cli/default-registry.ts';
import { defaultTemplateRenderer } from '../../src/core/default-template-renderer.ts';
import { eventually } from './eventually.ts';

export interface RunningOperator {
  manager: Manager;
  logs(): string;
  stop(): Promise<void>;
}

export async function startOperator(kubeConfig: KubeConfig, opts: { namespace?: string; readWindowMs?: number } = {}): Promise<RunningOperator> {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      if (process.env.PROJECTOR_TEST_LOGS) process.stderr.write(chunk);
      cb();
    },
  });
  const log = createLogger({ level: 'debug', destination: sink });
  const manager = new Manager({
    kubeConfig,
    registry: defaultRegistry(systemClock),
    log,
    clock: systemClock,
    namespace: opts.namespace,
    concurrency: 4,
    controllerClass: '',
    readWindowMs: opts.readWindowMs ?? 0,
    renderTemplate: defaultTemplateRenderer(),
    jitter: (ms) => ms,
  });
  const ac = new AbortController();
  const done = manager.run(ac.signal).catch((e) => {
    chunks.push(`manager.run failed: ${(e as Error).name}\n`);
  });
  await eventually(() => manager.hasSynced(), true, { timeoutMs: 20_000, message: 'operator caches synced' });
  return {
    manager,
    logs: () => chunks.join(''),
    async stop() {
      ac.abort();
      await done;
    },
  };
}
