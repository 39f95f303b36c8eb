// The operator's composition root, loaded only when `projector operator` runs.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { ProjectorError } from '../../core/errors.ts';
import type { KubeConfig } from '@kubernetes/client-node';
import { resolveKubeConfig } from '../kubeconfig.ts';
import { operatorConfig, parseAddr, type LeaderElectionConfig, type OperatorFlags } from '../../config.ts';
import { Manager, type ManagerLeaderElection } from '../../controller/manager.ts';
import { leaderIdentity } from '../../kube/lease.ts';
import type { Logger } from '../../platform/logger.ts';
import { portOf, serveEndpoints } from '../../controller/http-endpoints.ts';
import { OperatorMetrics } from '../../controller/metrics.ts';
import { createLogger } from '../../platform/logger.ts';
import { systemClock, systemTemplateClock } from '../../platform/clock.ts';
import { defaultRegistry } from '../default-registry.ts';
import { providerStoreChecks, serveAdmissionWebhook, type AdmissionWebhook } from '../../controller/admission-webhook.ts';
import type { ProviderRegistry } from '../../providers/registry.ts';
import type { WebhookConfig } from '../../config.ts';
import { lazyTemplateEngine } from '../../controller/template-engine.ts';
import { MemoryReducer, memoryReducingGc } from '../../platform/memory-reducer.ts';

/** The --kubeconfig flag's file, else KUBECONFIG, in-cluster, ~/.kube/config (cli/kubeconfig.ts); throws when none exists. */
export function loadKubeConfig(path: string | undefined): KubeConfig {
  return resolveKubeConfig(path).kubeConfig;
}

// --- leader election ---
/**
 * A lost lease ends the process, as controller-runtime does: the kubelet restarts it as a follower
 * with fresh state, which is simpler and safer than re-arming the same workers in-process.
 */
function exitOnLostLeadership(log: Logger): () => void {
  return () => {
    log.fatal('leader election lost; exiting so the kubelet restarts this instance');
    log.flush();
    process.exit(1);
  };
}

function leaderElectionFor(le: LeaderElectionConfig, log: Logger): ManagerLeaderElection | undefined {
  if (!le.enabled) return undefined;
  return { ...le, identity: leaderIdentity(hostname(), randomUUID()), onLostLeadership: exitOnLostLeadership(log) };
}
// --- end leader election ---

/** A listen failure on an endpoint address, naming its flag; other errors pass. */
function addrInUse(flag: string, addr: string): (e: unknown) => never {
  return (e) => {
    const err = e as { code?: unknown; syscall?: unknown };
    if (err?.syscall === 'listen' && (err.code === 'EADDRINUSE' || err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL')) {
      const why = err.code === 'EADDRINUSE' ? 'is already in use (another process holds it)' : err.code === 'EACCES' ? 'needs privileges' : 'is not an address of this machine';
      throw new ProjectorError('InvalidSpec', `${flag} ${addr} ${why}; pass another ${flag}, or "0" to turn the endpoint off`);
    }
    throw e;
  };
}

export async function runOperator(flags: OperatorFlags, signal: AbortSignal): Promise<void> {
  const config = operatorConfig(flags, process.env);
  const log = createLogger({ level: config.logLevel });
  for (const warning of config.warnings) log.warn(warning);
  // One registry for the process: ESO's and controller-runtime's families, process and Node.js runtime.
  const metrics = new OperatorMetrics({ clock: systemClock, extendedLabels: config.extendedMetricLabels, processMetrics: true });
  // The flag alone: KUBECONFIG is read by the resolver, which says which one it used.
  const resolved = resolveKubeConfig(flags.kubeconfig);
  const kubeConfig = resolved.kubeConfig;
  const leaderElection = leaderElectionFor(config.leaderElection, log);
  log.info({ server: resolved.server, kubeconfig: resolved.source, ...(resolved.context && { context: resolved.context }), namespace: config.namespace ?? '(all)', concurrency: config.concurrency, workloadReload: config.workloadReload, ...(config.allowGenericTargets && { allowGenericTargets: true }), leaderElection: leaderElection ? { lease: `${leaderElection.namespace}/${leaderElection.name}`, identity: leaderElection.identity } : false }, 'starting Projector operator');
  const registry = defaultRegistry(systemClock, metrics.vault);
  const reducingGc = memoryReducingGc();
  if (!reducingGc) log.debug('memory reducer off: this V8 offers no memory-reducing collection');
  const memoryReducer = reducingGc && memoryReducerFor(log, reducingGc);
  const manager = new Manager({
    kubeConfig,
    registry,
    log,
    clock: systemClock,
    namespace: config.namespace,
    concurrency: config.concurrency,
    controllerClass: config.controllerClass,
    readWindowMs: config.readWindowMs,
    resyncMs: config.resyncMs,
    templates: lazyTemplateEngine(systemTemplateClock),
    clientQps: config.clientQps,
    clientBurst: config.clientBurst,
    leaderElection,
    metrics,
    storeRequeueMs: config.storeRequeueMs,
    clusterExternalSecrets: config.clusterExternalSecrets,
    pushSecrets: config.pushSecrets,
    clusterPushSecrets: config.clusterPushSecrets,
    floodGate: config.floodGate,
    clusterStores: config.clusterStores,
    allowGenericTargets: config.allowGenericTargets,
    workloadReload: config.workloadReload,
    ...(memoryReducer ? { activity: memoryReducer } : {}),
  });
  const servers = [];
  const health = parseAddr(config.healthAddr);
  if (health) servers.push(await serveEndpoints(manager, health, 'health').catch(addrInUse('--health-addr', config.healthAddr)));
  const metricsAddr = parseAddr(config.metricsAddr);
  if (metricsAddr) servers.push(await serveEndpoints(manager, metricsAddr, 'metrics').catch(addrInUse('--metrics-addr', config.metricsAddr)));
  if (servers.length) log.info({ ports: servers.map(portOf) }, 'serving health and metrics');
  const webhook = config.webhook && (await startWebhook(config.webhook, registry, log));
  // Start-up's garbage (module compilation, configuration, the endpoints' set-up) given back before
  // the first sync, so the sync's growth starts from a smaller heap: peak RSS of a first sync of
  // 1,000 ExternalSecrets 113 → 108 MB on average (docs/benchmarks.md, "Sixth pass"); ~0.1 s of CPU
  // once. Not through the reducer, whose interval would then hold back the collection after the sync.
  if (reducingGc) reduceMemory(reducingGc, log, 'start-up done: memory given back');
  try {
    await manager.run(signal);
  } finally {
    memoryReducer?.stop();
    for (const s of servers) s.close();
    await webhook?.close();
    log.info('operator stopped');
    log.flush();
  }
}

/** Gives memory back when the operator goes quiet after work. */
function memoryReducerFor(log: Logger, gc: () => void): MemoryReducer {
  return new MemoryReducer({ clock: systemClock, reduce: () => reduceMemory(gc, log, 'quiet after work: memory given back') });
}

/** Runs `gc` (memoryReducingGc) and logs RSS and heap before and after at debug level. */
function reduceMemory(gc: () => void, log: Logger, what: string): void {
  const before = process.memoryUsage();
  const started = performance.now();
  gc();
  const after = process.memoryUsage();
  const mb = (n: number) => Math.round(n / 104857.6) / 10;
  log.debug({ rssMb: [mb(before.rss), mb(after.rss)], heapTotalMb: [mb(before.heapTotal), mb(after.heapTotal)], ms: Math.round(performance.now() - started) }, what);
}

/**
 * The validating webhook (--webhook-addr): every replica serves it, leader or not. A store's
 * provider-specific checks are the provider's validateStore, as in the store reconciler and
 * `projector validate`.
 */
async function startWebhook(config: WebhookConfig, registry: ProviderRegistry, log: Logger): Promise<AdmissionWebhook> {
  const addr = parseAddr(config.addr)!;
  return serveAdmissionWebhook({
    ...addr,
    certDir: config.certDir,
    minVersion: config.minVersion,
    storeChecks: providerStoreChecks(registry),
    log: log.child({ component: 'admission-webhook' }),
  }).catch(addrInUse('--webhook-addr', config.addr));
}
