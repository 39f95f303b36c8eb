// Injected failures for tests: the next N matching requests answer an AKV-shaped error. Latency and
// dropped connections are socket matters and live in server.ts.
import { VaultApiError } from './api-error.ts';

export interface PlannedFailure {
  status: number;
  remaining: number;
  retryAfterSeconds?: number;
  path?: RegExp;
}

/** Without a path, faults hit only the secrets API, so token requests keep working. */
const SECRETS_API_PATH = /^\/(secrets|deletedsecrets)(\/|$)/;

const CODE_BY_STATUS: Record<number, string> = {
  400: 'BadParameter',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'SecretNotFound',
  409: 'Conflict',
  429: 'Throttled',
  500: 'InternalServerError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

export type MangleKind = 'truncate' | 'html' | 'shape';

interface PlannedMangle {
  how: MangleKind;
  remaining: number;
  path?: RegExp;
}

/** A 200 body as a cut connection, a proxy or a broken server might hand it over. */
export function mangleBody(how: MangleKind, body: string): { contentType: string; body: string } {
  if (how === 'truncate') return { contentType: 'application/json; charset=utf-8', body: body.slice(0, Math.floor(body.length / 2)) };
  if (how === 'html') return { contentType: 'text/html', body: '<html><body><h1>502 Bad Gateway</h1></body></html>' };
  return { contentType: 'application/json; charset=utf-8', body: '{"unexpected":true}' };
}

export class FaultPlan {
  #failures: PlannedFailure[] = [];
  #mangles: PlannedMangle[] = [];
  latencyMs = 0;
  dropConnections = false;

  failNext(status: number, count = 1, opts: { retryAfterSeconds?: number; path?: RegExp } = {}): void {
    this.#failures.push({ status, remaining: count, ...opts });
  }

  /** Consumes one planned failure matching this path, if any. */
  take(pathname: string): VaultApiError | undefined {
    const failure = this.#failures.find((f) => f.remaining > 0 && (f.path ? f.path.test(pathname) : SECRETS_API_PATH.test(pathname)));
    if (!failure) return undefined;
    failure.remaining--;
    this.#failures = this.#failures.filter((f) => f.remaining > 0);
    const code = CODE_BY_STATUS[failure.status] ?? 'InjectedFault';
    return new VaultApiError(failure.status, code, `Injected fault: ${failure.status} ${code}.`, {
      ...(failure.retryAfterSeconds !== undefined && { retryAfterSeconds: failure.retryAfterSeconds }),
    });
  }

  mangleNext(how: MangleKind, count = 1, opts: { path?: RegExp } = {}): void {
    this.#mangles.push({ how, remaining: count, ...opts });
  }

  /** Consumes one planned mangling of a 200 answer to this path, if any. */
  takeMangle(pathname: string): MangleKind | undefined {
    const m = this.#mangles.find((x) => x.remaining > 0 && (x.path ? x.path.test(pathname) : SECRETS_API_PATH.test(pathname)));
    if (!m) return undefined;
    m.remaining--;
    this.#mangles = this.#mangles.filter((x) => x.remaining > 0);
    return m.how;
  }

  clear(): void {
    this.#mangles = [];
    this.#failures = [];
    this.latencyMs = 0;
    this.dropConnections = false;
  }
}
