/**
 * Raw streaming requests to the API server, authenticated and TLS-configured by client-node's
 * KubeConfig (tokens, client certs, exec plugins, CA). Used where client-node's typed calls do not
 * fit: paginated lists and watch streams read incrementally.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { StringDecoder } from 'node:string_decoder';
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

/** GET `path` and resolve with the response as soon as headers arrive (the body is a stream). */
export async function kubeGet(kc: KubeConfig, req: KubeRequest): Promise<http.IncomingMessage> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new KubeTransportError(`GET ${req.path}`, 'NoCluster');
  const url = urlFor(cluster.server, req.path, req.query);
  const opts: https.RequestOptions = { method: 'GET', headers: { accept: req.accept ?? 'application/json' } };
  await kc.applyToHTTPSOptions(opts);
  const transport = url.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const r = transport.request(url, { ...opts, signal: req.signal }, (res) => {
      req.metrics?.observe(String(res.statusCode ?? '<error>'), 'GET', url.host);
      resolve(res);
    });
    r.on('error', (e: NodeJS.ErrnoException) => {
      if (!req.signal.aborted) req.metrics?.observe('<error>', 'GET', url.host);
      reject(req.signal.aborted ? req.signal.reason : new KubeTransportError(`GET ${req.path}`, e.code ?? e.name));
    });
    r.end();
  });
}

/** Sends a request with a JSON body and reads the whole answer; for apply and other writes. */
export async function kubeSend(
  kc: KubeConfig,
  req: { method: string; path: string; query?: QueryParams; body?: unknown; contentType?: string; signal?: AbortSignal; metrics?: RestClientMetrics | undefined },
): Promise<{ status: number; body: string }> {
  const cluster = kc.getCurrentCluster();
  const what = `${req.method} ${req.path}`;
  if (!cluster) throw new KubeTransportError(what, 'NoCluster');
  const url = urlFor(cluster.server, req.path, req.query);
  const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
  const opts: https.RequestOptions = {
    method: req.method,
    headers: { accept: 'application/json', ...(payload ? { 'content-type': req.contentType ?? 'application/json' } : {}) },
  };
  await kc.applyToHTTPSOptions(opts);
  const transport = url.protocol === 'http:' ? http : https;
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const r = transport.request(url, { ...opts, ...(req.signal ? { signal: req.signal } : {}) }, (res) => {
      req.metrics?.observe(String(res.statusCode ?? '<error>'), req.method.toUpperCase(), url.host);
      resolve(res);
    });
    r.on('error', (e: NodeJS.ErrnoException) => {
      req.metrics?.observe('<error>', req.method.toUpperCase(), url.host);
      reject(new KubeTransportError(what, e.code ?? e.name));
    });
    r.end(payload);
  });
  return { status: res.statusCode ?? 0, body: await readBody(res, 16 * 1024 * 1024) };
}

/** Reads a whole (bounded) body as text. */
export async function readBody(res: http.IncomingMessage, maxBytes = 256 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      res.destroy();
      throw new KubeTransportError('response body', 'BodyTooLarge');
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
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
