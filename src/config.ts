// Operator configuration: flags win over environment, parsed once into a frozen object.
import { DEFAULT_CONTROLLER_CLASS } from './core/controller-class.ts';
import { parseDuration } from './core/duration.ts';
import { ProjectorError } from './core/errors.ts';
import { ignoredFlagWarnings, parseGoBool } from './eso-flags.ts';
import type { LogLevel } from './platform/logger.ts';
import type { SecureVersion } from 'node:tls';
import { readFileSync } from 'node:fs';

export interface OperatorConfig {
  readonly kubeconfig?: string;
  readonly namespace?: string;
  readonly concurrency: number;
  /** API requests per second; Infinity: not limited (client-go: a negative QPS). */
  readonly clientQps: number;
  readonly clientBurst: number;
  readonly logLevel: LogLevel;
  readonly metricsAddr: string;
  readonly healthAddr: string;
  readonly controllerClass: string;
  readonly readWindowMs: number;
  readonly resyncMs: number;
  readonly leaderElection: LeaderElectionConfig;
  /** `--enable-cluster-external-secret-reconciler` (ESO, default true): serve ClusterExternalSecrets. */
  readonly clusterExternalSecrets: boolean;
  /** `--enable-push-secret-reconciler` (ESO, default true): serve PushSecrets. */
  readonly pushSecrets: boolean;
  /** `--enable-cluster-push-secret-reconciler` (ESO, default true): serve ClusterPushSecrets. */
  readonly clusterPushSecrets: boolean;
  /** `--enable-extended-metric-labels` (ESO): app.kubernetes.io/* labels as metric labels. */
  readonly extendedMetricLabels: boolean;
  /** `--enable-flood-gate` (ESO, default true): ExternalSecrets read only through stores that are Ready. */
  readonly floodGate: boolean;
  /** `--enable-cluster-store-reconciler` (ESO, default true): serve ClusterSecretStores, with `--namespace` too. */
  readonly clusterStores: boolean;
  /** `--unsafe-allow-generic-targets` (ESO, default false): write spec.target.manifest targets other than v1 Secret. */
  readonly allowGenericTargets: boolean;
  /** Stores without spec.refreshInterval are validated again this often (ESO `--store-requeue-interval`). */
  readonly storeRequeueMs: number;
  /** `--enable-workload-reload` (Projector extension, default off): roll opted-in workloads on Secret changes. */
  readonly workloadReload: boolean;
  /** One line per ignored ESO flag given a value Projector does not honour; the operator logs them. */
  readonly warnings: readonly string[];
  /** `--webhook-addr` (off by default): the validating admission webhook (controller/admission-webhook.ts). */
  readonly webhook?: WebhookConfig;
}

/** The optional validating webhook: where it listens and its certificate (ESO's webhook flag names where ESO has one). */
export interface WebhookConfig {
  readonly addr: string;
  /** ESO's `--cert-dir`: tls.crt and tls.key, read again when they change. */
  readonly certDir: string;
  /** ESO's `--tls-min-version` ("1.2"), as Node's SecureVersion. */
  readonly minVersion: SecureVersion;
}

/** `--leader-elect` and its timings; the identity is chosen at startup by the CLI (hostname + suffix). */
export interface LeaderElectionConfig {
  readonly enabled: boolean;
  readonly namespace: string;
  readonly name: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
}

export interface OperatorFlags {
  kubeconfig?: string;
  namespace?: string;
  concurrency?: string;
  clientQps?: string;
  clientBurst?: string;
  logLevel?: string;
  metricsAddr?: string;
  healthAddr?: string;
  controllerClass?: string;
  readWindow?: string;
  resyncPeriod?: string;
  leaderElect?: boolean;
  leaderElectionNamespace?: string;
  leaderElectionId?: string;
  leaderElectLeaseDuration?: string;
  leaderElectRenewDeadline?: string;
  leaderElectRetryPeriod?: string;
  storeRequeueInterval?: string;
  enableWorkloadReload?: boolean;
  webhookAddr?: string;
  certDir?: string;
  tlsMinVersion?: string;
  // ESO's names (src/eso-flags.ts): aliases of the flags above, and ignored ones (read by name).
  concurrent?: string;
  loglevel?: string;
  enableLeaderElection?: string | true;
  leaderElectionLeaseDuration?: string;
  leaderElectionRenewDeadline?: string;
  leaderElectionRetryPeriod?: string;
  liveAddr?: string;
  enableExtendedMetricLabels?: string | true;
  enableClusterExternalSecretReconciler?: string | true;
  enablePushSecretReconciler?: string | true;
  enableClusterPushSecretReconciler?: string | true;
  enableFloodGate?: string | true;
  enableClusterStoreReconciler?: string | true;
  unsafeAllowGenericTargets?: string | true;
  [esoFlag: string]: unknown;
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** A log level given at `flag` (`--log-level`, `LOG_LEVEL`): one of pino's, else InvalidSpec naming the flag. */
export function logLevelFrom(raw: string, flag: string): LogLevel {
  if (!LEVELS.includes(raw)) throw new ProjectorError('InvalidSpec', `${flag} must be one of ${LEVELS.join(', ')}`, flag.startsWith('--') ? { flag } : {});
  return raw as LogLevel;
}
/** ESO's --loglevel values (zap) that pino spells differently. */
const ESO_LEVELS: Record<string, string> = { '': 'info', warning: 'warn', dpanic: 'fatal', panic: 'fatal' };

/**
 * ESO's `--loglevel` as zap reads it (go.uber.org/zap zapcore.Level.UnmarshalText): as given, else
 * lower-cased; empty is info, `warning` is warn. Returns pino's spelling; InvalidSpec otherwise.
 */
function esoLogLevel(text: string): string {
  for (const t of [text, text.toLowerCase()]) {
    const level = ESO_LEVELS[t] ?? t;
    if (ZAP_LEVELS.includes(t) || t in ESO_LEVELS) return level;
  }
  throw new ProjectorError('InvalidSpec', `--loglevel must be one of ${ZAP_LEVELS.join(', ')}`, { flag: '--loglevel' });
}
const ZAP_LEVELS = ['debug', 'info', 'warn', 'error', 'dpanic', 'panic', 'fatal'];

/** An ESO bool flag's value (bare = true), or a clear error naming the flag. */
function goBoolFlag(value: string | true | undefined, flag: string): boolean | undefined {
  if (value === undefined) return undefined;
  const b = parseGoBool(value);
  if (b === undefined) throw new ProjectorError('InvalidSpec', `${flag} must be true or false`, { flag });
  return b;
}

/**
 * ESO's `--client-qps` (a float32 flag) as client-go applies it (k8s.io/client-go rest/config.go
 * RESTClientForConfigAndClient): 0 is client-go's default 5, a negative value turns the limiter
 * off (Infinity).
 */
function clientQps(text: string, flag: string): number {
  const n = text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(n)) throw new ProjectorError('InvalidSpec', `${flag} must be a number (requests per second; 0 is 5, negative is unlimited)`, { flag });
  if (n < 0) return Infinity;
  return n === 0 ? CLIENT_GO_DEFAULT_QPS : Math.fround(n);
}

/** client-go's DefaultQPS and DefaultBurst (rest/config.go), used when the flag is 0. */
const CLIENT_GO_DEFAULT_QPS = 5;
const CLIENT_GO_DEFAULT_BURST = 10;

/** `--client-burst`: 0 is client-go's default 10; a negative burst would fail every request, so it is refused. */
function clientBurst(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new ProjectorError('InvalidSpec', `${flag} must be a whole number ≥ 0 (0 is 10)`, { flag });
  return n === 0 ? CLIENT_GO_DEFAULT_BURST : n;
}

/**
 * ESO's `--concurrent` (an int flag): controller-runtime runs one worker when it is 0 or negative
 * (sigs.k8s.io/controller-runtime pkg/controller NewTyped: MaxConcurrentReconciles <= 0 → 1).
 */
function esoConcurrent(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || text.trim() === '') throw new ProjectorError('InvalidSpec', `${flag} must be a whole number`, { flag });
  return Math.max(1, n);
}

function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new ProjectorError('InvalidSpec', `${flag} must be a positive integer`, { flag });
  return n;
}

// --- leader election ---
function booleanText(text: string | undefined, name: string): boolean | undefined {
  if (text === undefined || text === '') return undefined;
  if (/^(true|1|yes)$/i.test(text)) return true;
  if (/^(false|0|no)$/i.test(text)) return false;
  throw new ProjectorError('InvalidSpec', `${name} must be true or false`);
}

function durationMs(text: string, flag: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) throw new ProjectorError('InvalidSpec', `${flag} must be a positive Go duration such as 15s`, { flag });
  return ms;
}

/** Where a Pod finds its own namespace (the service account volume Kubernetes mounts). */
const IN_CLUSTER_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/** The Pod's namespace from its service account volume, or undefined outside a Pod. */
export function inClusterNamespace(file = IN_CLUSTER_NAMESPACE_FILE): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function leaderElectionConfig(flags: OperatorFlags, env: NodeJS.ProcessEnv, podNamespace: () => string | undefined): LeaderElectionConfig {
  const leaseDurationMs = durationMs(flags.leaderElectLeaseDuration ?? flags.leaderElectionLeaseDuration ?? '15s', '--leader-elect-lease-duration');
  const renewDeadlineMs = durationMs(flags.leaderElectRenewDeadline ?? flags.leaderElectionRenewDeadline ?? '10s', '--leader-elect-renew-deadline');
  const retryPeriodMs = durationMs(flags.leaderElectRetryPeriod ?? flags.leaderElectionRetryPeriod ?? '2s', '--leader-elect-retry-period');
  if (!(leaseDurationMs > renewDeadlineMs && renewDeadlineMs > 1.2 * retryPeriodMs)) {
    throw new ProjectorError('InvalidSpec', 'leader election needs lease duration > renew deadline > 1.2 × retry period', { flag: '--leader-elect-lease-duration' });
  }
  return Object.freeze({
    enabled: flags.leaderElect ?? goBoolFlag(flags.enableLeaderElection, '--enable-leader-election') ?? booleanText(env.PROJECTOR_LEADER_ELECT, 'PROJECTOR_LEADER_ELECT') ?? false,
    // ESO sets no namespace for its Lease: controller-runtime takes the Pod's own, from the service
    // account volume (pkg/leaderelection getInClusterNamespace), so ESO's manifests need no env.
    namespace: flags.leaderElectionNamespace ?? (env.POD_NAMESPACE || podNamespace() || 'external-secrets'),
    name: flags.leaderElectionId ?? 'projector-controller',
    leaseDurationMs,
    renewDeadlineMs,
    retryPeriodMs,
  });
}
// --- end leader election ---

/**
 * The operator's configuration from its flags and environment. `podNamespace` answers the Pod's own
 * namespace (default: the service account volume), the Lease's namespace when no flag or
 * POD_NAMESPACE names one. Throws InvalidSpec naming the flag for a bad value.
 */
export function operatorConfig(flags: OperatorFlags, env: NodeJS.ProcessEnv, podNamespace: () => string | undefined = inClusterNamespace): OperatorConfig {
  const esoLevel = flags.loglevel === undefined ? undefined : esoLogLevel(flags.loglevel);
  const logLevel = flags.logLevel ?? esoLevel ?? env.LOG_LEVEL ?? 'info';
  const levelFlag = flags.logLevel !== undefined ? '--log-level' : flags.loglevel !== undefined ? '--loglevel' : 'LOG_LEVEL';
  logLevelFrom(logLevel, levelFlag);
  const readWindowMs = parseDuration(flags.readWindow ?? env.PROJECTOR_READ_WINDOW ?? '5s');
  if (readWindowMs === undefined) throw new ProjectorError('InvalidSpec', '--read-window must be a Go duration such as 5s', { flag: '--read-window' });
  const resyncMs = parseDuration(flags.resyncPeriod ?? env.PROJECTOR_RESYNC_PERIOD ?? '10m');
  if (!resyncMs) throw new ProjectorError('InvalidSpec', '--resync-period must be a positive Go duration such as 10m', { flag: '--resync-period' });
  return Object.freeze({
    kubeconfig: flags.kubeconfig ?? env.KUBECONFIG,
    namespace: flags.namespace ?? env.PROJECTOR_NAMESPACE ?? undefined,
    concurrency: flags.concurrency === undefined && flags.concurrent !== undefined
      ? esoConcurrent(flags.concurrent, '--concurrent')
      : positiveInt(flags.concurrency ?? env.PROJECTOR_CONCURRENCY ?? '4', '--concurrency'),
    clientQps: clientQps(flags.clientQps ?? env.PROJECTOR_CLIENT_QPS ?? '50', '--client-qps'),
    clientBurst: clientBurst(flags.clientBurst ?? env.PROJECTOR_CLIENT_BURST ?? '100', '--client-burst'),
    logLevel: logLevel as LogLevel,
    metricsAddr: flags.metricsAddr ?? env.PROJECTOR_METRICS_ADDR ?? ':8080',
    healthAddr: flags.healthAddr ?? flags.liveAddr ?? env.PROJECTOR_HEALTH_ADDR ?? ':8081',
    controllerClass: flags.controllerClass ?? env.PROJECTOR_CONTROLLER_CLASS ?? DEFAULT_CONTROLLER_CLASS,
    readWindowMs,
    resyncMs,
    leaderElection: leaderElectionConfig(flags, env, podNamespace),
    extendedMetricLabels: goBoolFlag(flags.enableExtendedMetricLabels, '--enable-extended-metric-labels') ?? false,
    clusterExternalSecrets: goBoolFlag(flags.enableClusterExternalSecretReconciler, '--enable-cluster-external-secret-reconciler') ?? true,
    pushSecrets: goBoolFlag(flags.enablePushSecretReconciler, '--enable-push-secret-reconciler') ?? true,
    clusterPushSecrets: goBoolFlag(flags.enableClusterPushSecretReconciler, '--enable-cluster-push-secret-reconciler') ?? true,
    floodGate: goBoolFlag(flags.enableFloodGate, '--enable-flood-gate') ?? true,
    clusterStores: goBoolFlag(flags.enableClusterStoreReconciler, '--enable-cluster-store-reconciler') ?? true,
    allowGenericTargets: goBoolFlag(flags.unsafeAllowGenericTargets, '--unsafe-allow-generic-targets') ?? false,
    storeRequeueMs: durationMs(flags.storeRequeueInterval ?? '5m', '--store-requeue-interval'),
    workloadReload: flags.enableWorkloadReload ?? booleanText(env.PROJECTOR_ENABLE_WORKLOAD_RELOAD, 'PROJECTOR_ENABLE_WORKLOAD_RELOAD') ?? false,
    warnings: Object.freeze(ignoredFlagWarnings(flags)),
    webhook: webhookConfig(flags, env),
  });
}

/** ESO webhook's default cert dir (controller-runtime's); the files are tls.crt and tls.key. */
const DEFAULT_WEBHOOK_CERT_DIR = '/tmp/k8s-webhook-server/serving-certs';
const TLS_VERSIONS: Record<string, SecureVersion> = { '1.0': 'TLSv1', '1.1': 'TLSv1.1', '1.2': 'TLSv1.2', '1.3': 'TLSv1.3' };

function webhookConfig(flags: OperatorFlags, env: NodeJS.ProcessEnv): WebhookConfig | undefined {
  const addr = flags.webhookAddr ?? env.PROJECTOR_WEBHOOK_ADDR ?? '0';
  if (parseAddr(addr) === undefined) return undefined;
  const text = flags.tlsMinVersion ?? '1.2';
  const minVersion = TLS_VERSIONS[text];
  // ESO maps an unknown value to TLS 1.3 silently; a typo is refused here instead.
  if (!minVersion) throw new ProjectorError('InvalidSpec', `--tls-min-version must be one of ${Object.keys(TLS_VERSIONS).join(', ')}`, { flag: '--tls-min-version' });
  return Object.freeze({ addr, certDir: flags.certDir ?? env.PROJECTOR_WEBHOOK_CERT_DIR ?? DEFAULT_WEBHOOK_CERT_DIR, minVersion });
}

/** ":8080" → {host: undefined, port: 8080}; "127.0.0.1:0" → loopback, free port; "0" or "" disables. */
export function parseAddr(addr: string): { host?: string; port: number } | undefined {
  if (addr === '' || addr === '0') return undefined;
  const i = addr.lastIndexOf(':');
  const port = Number(addr.slice(i + 1));
  if (i < 0 || !Number.isInteger(port) || port < 0) throw new ProjectorError('InvalidSpec', `address "${addr}" must look like host:port or :port`);
  return { host: addr.slice(0, i) || undefined, port };
}
