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

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
