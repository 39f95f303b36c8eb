// Runs the operator in-process against a test control plane, capturing its log output.
import { Writable } from 'node:stream';
import type { KubeConfig } from '@kubernetes/client-node';
import { Manager, type ManagerLeaderElection } from '../../src/controller/manager.ts';
import { ProjectorError } from '../../src/core/errors.ts';
import { KubeLeaseLock, type LeaseLock } from '../../src/kube/lease.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { systemClock, systemTemplateClock } from '../../src/platform/clock.ts';
import { defaultRegistry } from '../../src/cli/default-registry.ts';
import { lazyTemplateEngine } from '../../src/controller/template-engine.ts';
import type { TemplateRenderer } from '../../src/core/plan-target-secret.ts';
import type { TemplateEngine } from '../../src/core/template-use.ts';
import { OperatorMetrics } from '../../src/controller/metrics.ts';
import { portOf, serveEndpoints } from '../../src/controller/http-endpoints.ts';
import { eventually } from './eventually.ts';

/** The engine with its target.template renderer wrapped (a test's probe), loaded as the operator loads it. */
function wrapTemplates(engine: TemplateEngine, wrap: ((inner: TemplateRenderer) => TemplateRenderer) | undefined): TemplateEngine {
  if (!wrap) return engine;
  let wrapped: ReturnType<TemplateEngine> | undefined;
  return () => (wrapped ??= engine().then((r) => ({ ...r, renderTemplate: wrap(r.renderTemplate) })));
}

export interface RunningOperator {
  manager: Manager;
  /** With `serveMetrics`: the operator's /metrics URL (loopback, free port). */
  metricsUrl?: string;
  logs(): string;
  /** Graceful: workers stop, then the Lease (if held) is released. */
  stop(): Promise<void>;
  /** Leader election only: the instance stops without touching the Lease again, as after kill -9. */
  kill(): Promise<void>;
  /** Leader election only: from now on every Lease request fails, as in a network partition. */
  cutOffLease(): void;
  /** Leader election only: when onLostLeadership fired (ms since epoch), else undefined. */
  lostLeadershipAt(): number | undefined;
}

// --- leader election ---
export interface TestLeaderElection {
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  namespace?: string;
  name?: string;
}

/** The real Lease lock with a switch that makes every request fail without reaching the API server. */
class SeverableLeaseLock implements LeaseLock {
  readonly description: string;
  readonly #inner: LeaseLock;
  severed = false;
  constructor(inner: LeaseLock) {
    this.#inner = inner;
    this.description = inner.description;
  }
  get(signal: AbortSignal) {
    return this.#guard(() => this.#inner.get(signal));
  }
  create(record: Parameters<LeaseLock['create']>[0], signal: AbortSignal) {
    return this.#guard(() => this.#inner.create(record, signal));
  }
  update(record: Parameters<LeaseLock['update']>[0], resourceVersion: string, signal: AbortSignal) {
    return this.#guard(() => this.#inner.update(record, resourceVersion, signal));
  }
  async #guard<T>(call: () => Promise<T>): Promise<T> {
    if (this.severed) throw new ProjectorError('KubeUnavailable', `Lease ${this.description}: cut off by the test`);
    return call();
  }
}
// --- end leader election ---

export async function startOperator(
  kubeConfig: KubeConfig,
  opts: {
    namespace?: string;
    readWindowMs?: number;
    leaderElection?: TestLeaderElection;
    controllerClass?: string;
    /** Serve /metrics on loopback with process metrics, as `projector operator` does. */
    serveMetrics?: boolean;
    /** Wraps the template renderer, e.g. to inject a failing dependency. */
    wrapRenderer?: (inner: TemplateRenderer) => TemplateRenderer;
    /** --enable-workload-reload. */
    workloadReload?: boolean;
    /** --enable-flood-gate (default true, as the operator's). */
    floodGate?: boolean;
    /** --unsafe-allow-generic-targets (default false, as the operator's). */
    allowGenericTargets?: boolean;
    /** ACRAccessToken generators: the local vault as Entra ID authority and its CA. */
    acr?: { authorityHost?: string; caPems?: string[] };
  } = {},
): Promise<RunningOperator> {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      if (process.env.PROJECTOR_TEST_LOGS) process.stderr.write(chunk);
      cb();
    },
  });
  const log = createLogger({ level: 'debug', destination: sink });
  let lostAt: number | undefined;
  const le = opts.leaderElection;
  const namespace = le?.namespace ?? 'external-secrets';
  const name = le?.name ?? 'projector-controller';
  const lock = le && new SeverableLeaseLock(new KubeLeaseLock(kubeConfig, namespace, name));
  const leaderElection: ManagerLeaderElection | undefined = le && { ...le, namespace, name, lock, onLostLeadership: () => void (lostAt = Date.now()) };
  const metrics = new OperatorMetrics({ clock: systemClock, processMetrics: opts.serveMetrics ?? false });
  const manager = new Manager({
    kubeConfig,
    registry: defaultRegistry(systemClock, metrics.vault),
    metrics,
    log,
    clock: systemClock,
    namespace: opts.namespace,
    concurrency: 4,
    controllerClass: opts.controllerClass ?? '',
    readWindowMs: opts.readWindowMs ?? 0,
    templates: wrapTemplates(lazyTemplateEngine(systemTemplateClock), opts.wrapRenderer),
    jitter: (ms) => ms,
    leaderElection,
    ...(opts.workloadReload ? { workloadReload: true } : {}),
    ...(opts.floodGate !== undefined ? { floodGate: opts.floodGate } : {}),
    ...(opts.allowGenericTargets ? { allowGenericTargets: true } : {}),
    ...(opts.acr ? { acr: opts.acr } : {}),
  });
  const ac = new AbortController();
  const done = manager.run(ac.signal).catch((e) => {
    chunks.push(`manager.run failed: ${(e as Error).name}\n`);
  });
  await eventually(() => manager.hasSynced(), true, { timeoutMs: 20_000, message: 'operator caches synced' });
  const server = opts.serveMetrics ? await serveEndpoints(manager, { host: '127.0.0.1', port: 0 }, 'metrics') : undefined;
  if (server) done.finally(() => server.close());
  return {
    manager,
    ...(server ? { metricsUrl: `http://127.0.0.1:${portOf(server)}/metrics` } : {}),
    logs: () => chunks.join(''),
    async stop() {
      ac.abort();
      await done;
    },
    async kill() {
      if (lock) lock.severed = true;
      ac.abort();
      await done;
    },
    cutOffLease() {
      if (lock) lock.severed = true;
    },
    lostLeadershipAt: () => lostAt,
  };
}
