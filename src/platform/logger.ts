import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';

export type Logger = PinoLogger;
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/** Belt and braces: Sensitive<T> and message discipline are the real guarantee (canary tests). */
const REDACT_PATHS = [
  'data', '*.data', 'stringData', '*.stringData', 'value', '*.value', 'token', '*.token',
  'headers.authorization', '*.headers.authorization', 'clientSecret', '*.clientSecret',
];

/** Serialises errors as name, code, message and status only: never causes, bodies or requests. */
function serializeError(e: unknown): Record<string, unknown> {
  if (e && typeof e === 'object') {
    const o = e as { name?: unknown; code?: unknown; message?: unknown; details?: { httpStatus?: unknown }; stack?: unknown };
    const isOurs = o.name === 'ProjectorError';
    return {
      name: o.name,
      code: o.code,
      message: isOurs ? o.message : undefined,
      httpStatus: o.details?.httpStatus,
      // A non-ProjectorError is a bug: its stack shows where. Its message may quote input, so it is dropped.
      stack: isOurs ? undefined : typeof o.stack === 'string' ? o.stack.split('\n').slice(1, 8).join('\n') : undefined,
    };
  }
  return { value: typeof e };
}

export function createLogger(opts: { level?: LogLevel; name?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      name: opts.name ?? 'projector',
      level: opts.level ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      serializers: { err: serializeError, error: serializeError },
      base: undefined,
    },
    opts.destination ?? pino.destination({ fd: 1, sync: false }),
  );
}

const LEVEL_METHODS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

/**
 * `parent.child(bindings)`, made when first used to write a line: a reconcile makes one per object
 * and most write nothing at the running level. pino serialises a child's bindings when it is made,
 * and with redaction paths that start with a wildcard it runs the redactor over every binding,
 * parsing each path again (@pinojs/redact 0.4, non-strict): that was ~8 MB allocated per 1,000
 * first syncs. A method of a disabled level answers without making the child.
 */
export function lazyChild(parent: Logger, bindings: Record<string, unknown>): Logger {
  let child: Logger | undefined;
  const made = () => (child ??= parent.child(bindings));
  const noop = () => undefined;
  return new Proxy(parent, {
    get(_target, prop) {
      if (child === undefined && typeof prop === 'string' && LEVEL_METHODS.has(prop) && !parent.isLevelEnabled(prop)) return noop;
      const c = made();
      const v = Reflect.get(c, prop, c) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(c) : v;
    },
  }) as Logger;
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
