// Operator configuration: flags win over environment, parsed once into a frozen object.
import { parseDuration } from './core/duration.ts';
import { ProjectorError } from './core/errors.ts';
import type { LogLevel } from './platform/logger.ts';

export interface OperatorConfig {
  readonly kubeconfig?: string;
  readonly namespace?: string;
  readonly concurrency: number;
  readonly clientQps: number;
  readonly clientBurst: number;
  readonly logLevel: LogLevel;
  readonly metricsAddr: string;
  readonly healthAddr: string;
  readonly controllerClass: string;
  readonly readWindowMs: number;
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
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new ProjectorError('InvalidSpec', `${flag} must be a positive integer`);
  return n;
}

export function operatorConfig(flags: OperatorFlags, env: NodeJS.ProcessEnv): OperatorConfig {
  const logLevel = flags.logLevel ?? env.LOG_LEVEL ?? 'info';
  if (!LEVELS.includes(logLevel)) throw new ProjectorError('InvalidSpec', `--log-level must be one of ${LEVELS.join(', ')}`);
  const readWindowMs = parseDuration(flags.readWindow ?? env.PROJECTOR_READ_WINDOW ?? '5s');
  if (readWindowMs === undefined) throw new ProjectorError('InvalidSpec', '--read-window must be a Go duration such as 5s');
  return Object.freeze({
    kubeconfig: flags.kubeconfig ?? env.KUBECONFIG,
    namespace: flags.namespace ?? env.PROJECTOR_NAMESPACE ?? undefined,
    concurrency: positiveInt(flags.concurrency ?? env.PROJECTOR_CONCURRENCY ?? '4', '--concurrency'),
    clientQps: positiveInt(flags.clientQps ?? env.PROJECTOR_CLIENT_QPS ?? '50', '--client-qps'),
    clientBurst: positiveInt(flags.clientBurst ?? env.PROJECTOR_CLIENT_BURST ?? '100', '--client-burst'),
    logLevel: logLevel as LogLevel,
    metricsAddr: flags.metricsAddr ?? env.PROJECTOR_METRICS_ADDR ?? ':8080',
    healthAddr: flags.healthAddr ?? env.PROJECTOR_HEALTH_ADDR ?? ':8081',
    controllerClass: flags.controllerClass ?? env.PROJECTOR_CONTROLLER_CLASS ?? '',
    readWindowMs,
  });
}

/** ":8080" → {host: undefined, port: 8080}; "127.0.0.1:0" → loopback, free port; "0" or "" disables. */
export function parseAddr(addr: string): { host?: string; port: number } | undefined {
  if (addr === '' || addr === '0') return undefined;
  const i = addr.lastIndexOf(':');
  const port = Number(addr.slice(i + 1));
  if (i < 0 || !Number.isInteger(port) || port < 0) throw new ProjectorError('InvalidSpec', `address "${addr}" must look like host:port or :port`);
  return { host: addr.slice(0, i) || undefined, port };
}
