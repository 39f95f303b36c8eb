/**
 * Raw streaming requests to the API server, authenticated and TLS-configured by client-node's
 * KubeConfig (tokens, client certs, exec plugins, CA). Used where client-node's typed calls do not
 * fit: paginated lists and watch streams read incrementally.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { StringDecoder } from 'node:string_decoder';
import * as tls from 'node:tls';
import type { KubeConfig } from '@kubernetes/client-node';

export type QueryParams = Record<string, string | number | boolean | undefined>;

/**
 * client-go's rest_client_requests_total hook (k8s.io/client-go/tools/metrics RequestResult): one
 * call per request with the HTTP status code as text, or `<error>` when no response came; the
 * method in capitals; the API server's host:port.
 */
export interface RestClientMetrics {
  observe(code: string, method: string, host: string): void;
}

export interface KubeRequest {
  path: string;
  query?: QueryParams;
  signal: AbortSignal;
  /** Accept header; default application/json. */
  accept?: string;
  metrics?: RestClientMetrics | undefined;
}

/** A failure reaching the API server; `code` is the socket error code (ECONNREFUSED…), never a body. */
export class KubeTransportError extends Error {
  override readonly name = 'KubeTransportError';
  readonly code: string | undefined;
  constructor(what: string, code: string | undefined) {
    super(`${what}: ${code ?? 'connection failed'}`);
    this.code = code;
  }
}

export function urlFor(server: string, path: string, query: QueryParams = {}): URL {
  const url = new URL(server.replace(/\/+$/, '') + path);
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
  return url;
}

/**
 * One keep-alive connection pool per KubeConfig, shared by every request to its API server (lists,
 * watches, reads, writes, the Lease). client-node's own paths do not pool: `applyToHTTPSOptions`
 * hands out an https.Agent without keepAlive (one TLS connection and one SecureContext per request)
 * and the typed API's `applySecurityAuthentication` builds a new undici Agent per call. client-go
 * keeps one transport per rest config (k8s.io/client-go/transport/cache.go) with idle connections
 * kept for reuse; this is the same for HTTP/1.1.
 */
interface Pool {
  agent: http.Agent;
  /** The TLS material the agent was built from, to notice a rotated CA or client certificate. */
  material: TlsMaterial;
}

interface TlsMaterial {
  ca?: Buffer | undefined;
  cert?: Buffer | undefined;
  key?: Buffer | undefined;
  pfx?: Buffer | undefined;
  passphrase?: string | undefined;
  rejectUnauthorized?: boolean | undefined;
  servername?: string | undefined;
}

const pools = new WeakMap<KubeConfig, Map<string, Pool>>();

/** client-go's MaxIdleConnsPerHost for API clients (k8s.io/client-go/transport/cache.go idleConnsPerHost). */
const IDLE_SOCKETS = 25;
/**
 * An idle connection is closed after 60 s: the API server closes idle connections after 90 s
 * (k8s.io/apiserver/pkg/server/secure_serving.go IdleTimeout), and a request sent on a connection
 * the server is closing at that moment fails with ECONNRESET (retried once below).
 */
const IDLE_TIMEOUT_MS = 60_000;
/** TCP keep-alive probes after 30 s idle, as client-go's dialer (k8s.io/client-go/rest/transport.go). */
const TCP_KEEPALIVE_MS = 30_000;

function sameBytes(a: Buffer | string | undefined, b: Buffer | string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (Buffer.isBuffer(a) ? a : Buffer.from(a)).equals(Buffer.isBuffer(b) ? b : Buffer.from(b));
}

function sameMaterial(a: TlsMaterial, b: TlsMaterial): boolean {
  return sameBytes(a.ca, b.ca) && sameBytes(a.cert, b.cert) && sameBytes(a.key, b.key) && sameBytes(a.pfx, b.pfx) &&
    a.passphrase === b.passphrase && a.rejectUnauthorized === b.rejectUnauthorized && a.servername === b.servername;
}

function materialOf(opts: https.RequestOptions): TlsMaterial {
  const pick = (v: unknown) => (v === undefined || v === null ? undefined : Buffer.isBuffer(v) ? v : Buffer.from(String(v)));
  return {
    ca: pick(opts.ca),
    cert: pick(opts.cert),
    key: pick(opts.key),
    pfx: pick(opts.pfx),
    passphrase: opts.passphrase,
    rejectUnauthorized: opts.rejectUnauthorized,
    servername: opts.servername,
  };
}

/**
 * The pooled agent for `kc`'s current cluster and user. `opts` is what `applyToHTTPSOptions` filled in
 * for this request: when its TLS material differs from the pool's (a rotated client certificate or
 * CA file), a new pool is built and the old one's connections are closed, as client-go's
 * connrotation dialer does on certificate rotation (k8s.io/client-go/util/connrotation).
 */
function pooledAgent(kc: KubeConfig, protocol: string, opts: https.RequestOptions): http.Agent {
  let byTarget = pools.get(kc);
  if (!byTarget) pools.set(kc, (byTarget = new Map()));
  const key = `${protocol}${kc.getCurrentContext()}`;
  const material = materialOf(opts);
  const pool = byTarget.get(key);
  if (pool && sameMaterial(pool.material, material)) return pool.agent;
  pool?.agent.destroy();
  const common = { keepAlive: true, keepAliveMsecs: TCP_KEEPALIVE_MS, maxFreeSockets: IDLE_SOCKETS, timeout: IDLE_TIMEOUT_MS, scheduling: 'lifo' as const };
  let agent: http.Agent;
  if (protocol === 'http:') {
    agent = new http.Agent(common);
  } else {
    // One SecureContext for every connection of the pool (a `ca` given per connection would parse
    // the certificates again for each).
    const secureContext = tls.createSecureContext({
      ...(material.ca ? { ca: material.ca } : {}),
      ...(material.cert ? { cert: material.cert } : {}),
      ...(material.key ? { key: material.key } : {}),
      ...(material.pfx ? { pfx: material.pfx } : {}),
      ...(material.passphrase !== undefined ? { passphrase: material.passphrase } : {}),
    });
    agent = new https.Agent({
      ...common,
      secureContext,
      ...(material.rejectUnauthorized !== undefined ? { rejectUnauthorized: material.rejectUnauthorized } : {}),
      ...(material.servername !== undefined ? { servername: material.servername } : {}),
    });
  }
  byTarget.set(key, { agent, material });
  return agent;
}

/** Closes the pooled connections of `kc` (idle and busy); the next request opens a new pool. */
export function closeKubeConnections(kc: KubeConfig): void {
  for (const pool of pools.get(kc)?.values() ?? []) pool.agent.destroy();
  pools.delete(kc);
  credentialsByConfig.delete(kc);
}

/** What client-node's `applyToHTTPSOptions` gave for a KubeConfig's current context, and when. */
interface Credentials {
  context: string;
  protocol: string;
  /** performance.now() when applied. */
  at: number;
  /** Authorization and impersonation headers. */
  headers: http.OutgoingHttpHeaders;
  auth: string | undefined;
  agent: http.Agent | undefined;
}

const credentialsByConfig = new WeakMap<KubeConfig, Credentials>();

/**
 * How long one `applyToHTTPSOptions` answer serves requests. It reads the CA, client certificate and
 * key files (in a Pod: the service account's ca.crt, from disk) or decodes their base64 data, and
 * asks the token source, on every call: ~2.7 KB allocated and a file read per API request. Tokens
 * change far more slowly (client-node re-reads a token file every 60 s, as client-go; an exec
 * plugin's token is kept until it expires), so one second adds at most that to a rotation's delay.
 */
const CREDENTIALS_TTL_MS = 1_000;

/**
 * The authentication headers and agent for a request to `kc`'s current cluster: client-node's
 * answer (bearer token, token file, exec plugin, basic auth, impersonation) no older than
 * CREDENTIALS_TTL_MS, and the pooled agent for its TLS material (client-node's proxy agent when the
 * cluster names a proxy).
 */
async function credentialsFor(kc: KubeConfig, protocol: string, proxied: boolean): Promise<Credentials> {
  const context = kc.getCurrentContext();
  const now = performance.now();
  const cached = credentialsByConfig.get(kc);
  if (cached && cached.context === context && cached.protocol === protocol && now - cached.at < CREDENTIALS_TTL_MS) return cached;
  const applied: https.RequestOptions = { headers: {} };
  await kc.applyToHTTPSOptions(applied);
  const fresh: Credentials = {
    context,
    protocol,
    at: now,
    headers: applied.headers as http.OutgoingHttpHeaders,
    auth: applied.auth ?? undefined,
    // A proxy (cluster.proxyUrl) keeps client-node's proxy agent; everything else uses the pool.
    agent: proxied ? (typeof applied.agent === 'object' ? applied.agent : undefined) : pooledAgent(kc, protocol, applied),
  };
  credentialsByConfig.set(kc, fresh);
  return fresh;
}

interface RawRequest {
  method: string;
  path: string;
  query?: QueryParams | undefined;
  headers: Record<string, string>;
  payload?: string | undefined;
  signal?: AbortSignal | undefined;
  metrics?: RestClientMetrics | undefined;
}

/**
 * Sends one request through `kc`'s pooled connections and resolves with the response as soon as its
 * headers arrive. Authentication (bearer token, token file, exec plugin, basic auth, impersonation)
 * comes from client-node's `applyToHTTPSOptions`, asked again after one second (credentialsFor), so
 * a refreshed token is used within a second; TLS comes from the pool. A GET that fails on a reused
 * connection before any answer (the server closed it while idle) is sent once more on a fresh one, as Node's http documentation
 * advises for `request.reusedSocket` and Go's Transport does for idempotent requests. Rejects with `signal.reason` when aborted, else with a
 * KubeTransportError naming the socket error code.
 */
export async function kubeRequest(kc: KubeConfig, req: RawRequest): Promise<http.IncomingMessage> {
  const cluster = kc.getCurrentCluster();
  const what = `${req.method} ${req.path}`;
  if (!cluster) throw new KubeTransportError(what, 'NoCluster');
  const url = urlFor(cluster.server, req.path, req.query);
  // User-Agent as client-go sends one: the API server names a write's manager after it when no
  // fieldManager is given, and audit logs show it.
  // Content-Length always goes with a body: Node sends a DELETE body neither chunked nor with a
  // length (useChunkedEncodingByDefault is false for DELETE), so the API server would read the body
  // as the start of the next request on the same kept-alive connection (a 400 for it).
  const length = req.payload === undefined ? {} : { 'content-length': String(Buffer.byteLength(req.payload)) };
  const credentials = await credentialsFor(kc, url.protocol, !!cluster.proxyUrl);
  const method = req.method.toUpperCase();
  const opts: https.RequestOptions = {
    method,
    headers: { 'user-agent': 'projector', ...req.headers, ...length, ...credentials.headers },
    ...(credentials.auth ? { auth: credentials.auth } : {}),
    agent: credentials.agent,
    ...(req.signal ? { signal: req.signal } : {}),
  };
  const transport = url.protocol === 'http:' ? http : https;
  // Only reads are sent again, as Go's net/http Transport replays only idempotent requests on a
  // reused connection that failed (net/http transport.go shouldRetryRequest, Request.isReplayable).
  const replayable = method === 'GET' || method === 'HEAD';
  const attempt = (retry: boolean): Promise<http.IncomingMessage> =>
    new Promise<http.IncomingMessage>((resolve, reject) => {
      const r = transport.request(url, opts, (res) => {
        // The request is done with: its error listener (which holds the payload, a Secret's data
        // on a write) goes, as the kept-alive socket may hold this request for its whole life
        // (readBody says why).
        r.removeListener('error', onError).on('error', ignoreError);
        req.metrics?.observe(String(res.statusCode ?? '<error>'), method, url.host);
        resolve(res);
      });
      const onError = (e: NodeJS.ErrnoException) => {
        if (retry && replayable && r.reusedSocket && !req.signal?.aborted && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) {
          resolve(attempt(false));
          return;
        }
        if (!req.signal?.aborted) req.metrics?.observe('<error>', method, url.host);
        reject(req.signal?.aborted ? req.signal.reason : new KubeTransportError(what, e.code ?? e.name));
      };
      r.on('error', onError);
      r.end(req.payload);
    });
  return attempt(true);
}

/** GET `path` and resolve with the response as soon as headers arrive (the body is a stream). */
export function kubeGet(kc: KubeConfig, req: KubeRequest): Promise<http.IncomingMessage> {
  return kubeRequest(kc, { method: 'GET', path: req.path, query: req.query, headers: { accept: req.accept ?? 'application/json' }, signal: req.signal, metrics: req.metrics });
}

/** Sends a request with a JSON body and reads the whole answer; for apply and other writes. */
export async function kubeSend(
  kc: KubeConfig,
  req: { method: string; path: string; query?: QueryParams; body?: unknown; contentType?: string; signal?: AbortSignal; metrics?: RestClientMetrics | undefined },
): Promise<{ status: number; body: string }> {
  const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
  const headers: Record<string, string> = { accept: 'application/json', ...(payload ? { 'content-type': req.contentType ?? 'application/json' } : {}) };
  let res: http.IncomingMessage;
  try {
    res = await kubeRequest(kc, { method: req.method, path: req.path, query: req.query, headers, payload, signal: req.signal, metrics: req.metrics });
  } catch (e) {
    if (e instanceof KubeTransportError) throw e;
    throw new KubeTransportError(`${req.method} ${req.path}`, (e as { code?: string }).code ?? (e as Error).name);
  }
  return { status: res.statusCode ?? 0, body: await readBody(res, 16 * 1024 * 1024) };
}

/** The error listener left on a request or response once its outcome is settled. */
function ignoreError(): void {}

/**
 * Reads a whole (bounded) body as text. Rejects with KubeTransportError `BodyTooLarge` past
 * `maxBytes` (the response is destroyed), or with the stream's error. Events rather than an async
 * iterator: this runs for every API response, and the iterator's machinery cost more than the copy.
 */
export function readBody(res: http.IncomingMessage, maxBytes = 256 * 1024 * 1024): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // Settled once; the listeners go with it. A kept-alive socket holds the first request it served
    // (Node's agent keeps it in a closure for the socket's life), and with it this response: a
    // listener left on the response would keep the body, a whole list, as long as the socket lives
    // (seen in a heap snapshot: the stores' list, 280 KB).
    const settle = (done: () => void) => {
      res.removeListener('data', onData).removeListener('end', onEnd).removeListener('error', onError).removeListener('close', onClose);
      res.on('error', ignoreError); // a late error must not go unhandled
      done();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        res.destroy();
        settle(() => reject(new KubeTransportError('response body', 'BodyTooLarge')));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => settle(() => resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    const onError = (e: Error) => settle(() => reject(e));
    // A response destroyed before its end (a reset connection) emits neither 'end' nor always 'error'.
    const onClose = () => {
      if (!res.complete) settle(() => reject(new KubeTransportError('response body', 'ECONNRESET')));
    };
    res.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

/**
 * Splits a stream into newline-delimited lines as chunks arrive (UTF-8 safe across chunk borders).
 * A line longer than `maxLineBytes` throws rather than growing without bound.
 */
export async function* readLines(stream: AsyncIterable<Buffer>, maxLineBytes = 64 * 1024 * 1024): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  for await (const chunk of stream) {
    pending += decoder.write(chunk);
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (line.trim() !== '') yield line;
    }
    if (pending.length > maxLineBytes) throw new KubeTransportError('watch stream', 'LineTooLong');
  }
  pending += decoder.end();
  if (pending.trim() !== '') yield pending;
}
