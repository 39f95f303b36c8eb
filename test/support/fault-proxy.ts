/**
 * A fault-injecting HTTPS reverse proxy for the fault suite, put between the operator and the local
 * vault (both the secrets API and the token endpoint). It terminates TLS with its own certificate, so
 * a test can change that certificate, and forwards every request to the vault unchanged unless a fault
 * is set:
 *
 * - `down()` closes the listener and every open connection (clients see ECONNREFUSED), `up()` listens
 *   again on the same port;
 * - `status` answers the secrets API with an AKV-shaped error (optionally with Retry-After, in seconds);
 * - `latency` holds every request for `ms` before forwarding it;
 * - `drop` forwards a secrets API request, then sends the status line, the headers and half of the
 *   body and destroys the socket (a connection lost mid-response);
 * - `mangle` replaces the body of a secrets API 200 with non-JSON text or truncated JSON;
 * - `rotateCertificate()` serves a new certificate (from the same or a new CA) from the next handshake
 *   on and closes idle connections, as a vault behind a renewing load balancer would.
 *
 * `injected` counts requests (or outages and certificate changes) a fault acted on, for the figures.
 * The proxy never logs bodies: they hold secret values.
 */
import { createServer, request, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { testCa, testServerCertificate, type TestCa } from './certificates.ts';

export type ProxyFault =
  | { kind: 'status'; status: number; retryAfterSeconds?: number }
  | { kind: 'latency'; ms: number }
  | { kind: 'drop' }
  | { kind: 'mangle'; body: 'not-json' | 'truncated' };

/** AKV sends faults only on the secrets API; token requests keep working (as FaultPlan in src/vault/faults.ts). */
const SECRETS_API_PATH = /^\/(secrets|deletedsecrets)(\/|$|\?)/;

const AKV_CODE: Record<number, string> = { 429: 'Throttled', 500: 'InternalServerError', 502: 'BadGateway', 503: 'ServiceUnavailable', 504: 'GatewayTimeout' };

export class FaultProxy {
  readonly #target: URL;
  readonly #targetCaPem: string;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #ca: TestCa;
  #port = 0;
  #fault: ProxyFault | undefined;
  #listening = false;
  /** Requests, outages and certificate changes a fault acted on, since the last `resetCount()`. */
  injected = 0;
  /** Every request the proxy received (forwarded or not). */
  requests = 0;
  /** TLS handshakes the client broke off (e.g. it does not trust the certificate served). */
  handshakesRefused = 0;

  private constructor(target: string, targetCaPem: string) {
    this.#target = new URL(target);
    this.#targetCaPem = targetCaPem;
    this.#ca = testCa('fault-proxy CA');
    this.#server = createServer(this.#tlsOptions(), (req, res) => void this.#handle(req, res));
    // The raw TCP socket: destroying it ends the TLS session on top.
    this.#server.on('connection', (s: Socket) => this.#track(s));
    this.#server.on('tlsClientError', () => this.handshakesRefused++);
  }

  /** Starts on a free loopback port, forwarding to `target` (an https:// origin trusted through `targetCaPem`). */
  static async start(target: string, targetCaPem: string): Promise<FaultProxy> {
    const p = new FaultProxy(target, targetCaPem);
    await p.up();
    return p;
  }

  /** https://127.0.0.1:PORT, stable across down()/up(). */
  get url(): string {
    return `https://127.0.0.1:${this.#port}`;
  }

  /** PEM of the CA that issued the certificate now served. */
  get caPem(): string {
    return this.#ca.certPem;
  }

  set(fault: ProxyFault | undefined): void {
    this.#fault = fault;
  }

  clear(): void {
    this.#fault = undefined;
  }

  resetCount(): void {
    this.injected = 0;
  }

  async up(): Promise<void> {
    if (this.#listening) return;
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#port, '127.0.0.1', () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    this.#port = (this.#server.address() as { port: number }).port;
    this.#listening = true;
  }

  /** Refuses connections from now on: the listener is closed and every open connection destroyed. */
  async down(): Promise<void> {
    if (!this.#listening) return;
    this.#listening = false;
    this.injected++;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const s of this.#sockets) s.destroy();
    await closed;
  }

  /**
   * Serves a new certificate from the next TLS handshake on; with `newCa` it is issued by a new CA
   * (clients must be told the new `caPem`). Open connections are closed so the change is seen at once.
   */
  rotateCertificate(opts: { newCa?: boolean } = {}): void {
    if (opts.newCa) this.#ca = testCa('fault-proxy CA (rotated)');
    this.#server.setSecureContext(this.#tlsOptions());
    for (const s of this.#sockets) s.destroy();
    this.injected++;
  }

  async close(): Promise<void> {
    await this.down();
  }

  #tlsOptions(): { cert: string; key: string } {
    const leaf = testServerCertificate(this.#ca);
    return { cert: leaf.certPem + this.#ca.certPem, key: leaf.keyPem };
  }

  #track(s: Socket): void {
    if (this.#sockets.has(s)) return;
    this.#sockets.add(s);
    s.once('close', () => this.#sockets.delete(s));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests++;
    const fault = this.#fault;
    const secretsApi = SECRETS_API_PATH.test(req.url ?? '');
    if (fault?.kind === 'latency') {
      this.injected++;
      await sleep(fault.ms);
    }
    if (fault?.kind === 'status' && secretsApi) {
      this.injected++;
      req.resume();
      const code = AKV_CODE[fault.status] ?? 'InjectedFault';
      const body = JSON.stringify({ error: { code, message: `Injected fault: ${fault.status} ${code}.` } });
      res.writeHead(fault.status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        ...(fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {}),
      });
      res.end(body);
      return;
    }
    let upstream: { status: number; headers: IncomingMessage['headers']; body: Buffer };
    try {
      upstream = await this.#forward(req);
    } catch {
      // The vault itself is unreachable: answer as a gateway would.
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('bad gateway');
      return;
    }
    const headers = { ...upstream.headers };
    delete headers['transfer-encoding'];
    delete headers.connection;
    if (fault?.kind === 'drop' && secretsApi) {
      this.injected++;
      const whole = this.#asIfServedHere(upstream.body);
      headers['content-length'] = String(whole.length);
      res.writeHead(upstream.status, headers);
      res.write(whole.subarray(0, Math.floor(whole.length / 2)));
      // Let the partial answer leave before the connection dies.
      await sleep(20);
      req.socket.destroy();
      return;
    }
    let body = this.#asIfServedHere(upstream.body);
    if (fault?.kind === 'mangle' && secretsApi && upstream.status === 200) {
      this.injected++;
      // The replacement never contains the value: a truncated body is cut before the "value" member.
      body = fault.body === 'not-json' ? Buffer.from('<html><body>502 upstream reset</body></html>') : truncateBeforeValue(body);
      headers['content-type'] = fault.body === 'not-json' ? 'text/html' : headers['content-type'];
    }
    headers['content-length'] = String(body.length);
    res.writeHead(upstream.status, headers);
    res.end(body);
  }

  /**
   * The vault writes its own origin into answers (the OpenID configuration's endpoints, secret ids):
   * rewritten to the proxy's, so the client keeps talking through the proxy, as behind a gateway.
   */
  #asIfServedHere(body: Buffer): Buffer {
    const text = body.toString('utf8');
    return text.includes(this.#target.origin) ? Buffer.from(text.replaceAll(this.#target.origin, `https://127.0.0.1:${this.#port}`), 'utf8') : body;
  }

  #forward(req: IncomingMessage): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const out = request(
        {
          protocol: this.#target.protocol,
          hostname: this.#target.hostname,
          port: this.#target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
          ca: this.#targetCaPem,
          timeout: 30_000,
        },
        (up) => {
          const chunks: Buffer[] = [];
          up.on('data', (c: Buffer) => chunks.push(c));
          up.on('end', () => resolve({ status: up.statusCode ?? 502, headers: up.headers, body: Buffer.concat(chunks) }));
          up.on('error', reject);
        },
      );
      out.on('error', reject);
      out.on('timeout', () => out.destroy(new Error('upstream timeout')));
      req.pipe(out);
    });
  }
}

/** The JSON up to (not including) the "value" member, or its first half: never the value itself. */
function truncateBeforeValue(body: Buffer): Buffer {
  const text = body.toString('utf8');
  const at = text.indexOf('"value"');
  return Buffer.from(at > 0 ? text.slice(0, at) : text.slice(0, Math.floor(text.length / 2)), 'utf8');
}
