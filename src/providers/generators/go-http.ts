// The HTTP exchange of ESO's Webhook and GithubAccessToken generators, as Go's http.Client makes it:
// the bytes core/go-http-request.ts says Go writes, redirects followed by Go's rules (at most 10;
// 301/302/303 turn into a GET without body, 307/308 resend it; Authorization and cookies dropped
// once a hop leaves the first host's domain; a Referer added), Client.Timeout over the whole exchange,
// and a gzip answer decompressed when Go's transport asked for gzip itself.
//
// Why node:http and not fetch/undici: fetch follows redirects by the Fetch standard (which keeps an
// Authorization header across origins only since recently, and differs on 303 and Referer), always
// asks for and decodes br/deflate too, and normalises the header names Go writes as it does. The
// exchange is HTTP/1.1: Go would negotiate HTTP/2 with a server offering it, which changes nothing
// the server's application sees.
//
// Errors are GoHttpFailure, whose text names the step and an error code, never the URL (a template
// may have put a secret in it), a header value or the answer.
import http from 'node:http';
import https from 'node:https';
import type { SecureContext } from 'node:tls';
import { agentForTrust as agentFor } from '../../platform/https-agents.ts';
import { gunzipSync } from 'node:zlib';
import { GO_MAX_REDIRECTS, mayCopySensitiveHeaders, redirectBehavior, redirectHeaderFields, redirectReferer, type GoRequest } from '../../core/go-http-request.ts';
import { Sensitive } from '../../core/sensitive.ts';

export interface GoHttpOptions {
  /** Client.Timeout in milliseconds over the whole exchange (redirects and the answer's body included); undefined or ≤ 0: none. */
  timeoutMs?: number | undefined;
  /** With a CA: exactly these roots (Go's tls.Config.RootCAs replaces the system pool). Undefined: Node's default trust. */
  secureContext?: SecureContext | undefined;
  /** An answer longer than this (after decompression) fails. */
  maxResponseBytes: number;
  signal: AbortSignal;
}

export interface GoHttpResponse {
  status: number;
  /** Go's resp.Status after the code: the server's reason phrase when it reads like one, else the standard one (reasonPhrase). */
  statusText: string;
  body: Sensitive<Uint8Array>;
}


/**
 * Go's resp.Status after the code is the reason phrase the server sent. It is kept when it reads
 * like one (a few words), else replaced by the standard phrase: it is the server's text, and a
 * message must never carry an arbitrary part of an answer.
 */
function reasonPhrase(status: number, sent: string | undefined): string {
  if (sent !== undefined && /^[A-Za-z][A-Za-z0-9 '.\-]{0,63}$/.test(sent)) return sent;
  return http.STATUS_CODES[status] ?? '';
}

/** A failed exchange; `message` is safe to show (Go's wording where it carries no value). */
export class GoHttpFailure extends Error {
  override readonly name = 'GoHttpFailure';
}

/** The query as written (Go sends RawQuery unescaped), as a byte string; undefined without `?`. */
function rawQueryOf(url: string): string | undefined {
  const noFragment = url.split('#', 1)[0]!;
  const q = noFragment.indexOf('?');
  if (q < 0) return undefined;
  return Buffer.from(noFragment.slice(q + 1), 'utf8').toString('latin1');
}

function describeNetworkError(e: NodeJS.ErrnoException): string {
  const code = e.code ?? '';
  if (code === 'ECONNREFUSED') return 'dial tcp: connect: connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'dial tcp: lookup: no such host';
  if (code === 'ECONNRESET') return 'connection reset by peer';
  if (code === 'ERR_UNESCAPED_CHARACTERS' || code === 'ERR_INVALID_CHAR') return 'the request holds characters HTTP does not allow (a space or a control character in the url)';
  if (/CERT|SELF_SIGNED|ALTNAME|UNABLE_TO_(GET|VERIFY)/.test(code)) return `tls: failed to verify certificate (${code})`;
  return code ? `${e.name} (${code})` : e.name;
}

interface Hop {
  url: URL;
  /** The url as text: the query is taken from it as written. */
  text: string;
  method: string;
  fields: [string, string][];
  body: Uint8Array;
}

/** One request/response; the body is read up to the limit. */
function exchange(hop: Hop, userAgent: string | undefined, requestedGzip: boolean, opts: GoHttpOptions, signal: AbortSignal): Promise<{ status: number; statusMessage: string | undefined; headers: http.IncomingHttpHeaders; body: Buffer }> {
  const isHttps = hop.url.protocol === 'https:';
  const query = rawQueryOf(hop.text);
  const path = Buffer.from(hop.url.pathname || '/', 'utf8').toString('latin1') + (query !== undefined ? `?${query}` : '');
  // Go's order: Host, User-Agent, the length, the other fields sorted, the transport's Accept-Encoding.
  const lines: string[] = ['Host', hop.url.host];
  if (userAgent !== undefined) lines.push('User-Agent', userAgent);
  if (hop.body.length > 0 || ['POST', 'PUT', 'PATCH'].includes(hop.method)) lines.push('Content-Length', String(hop.body.length));
  for (const [k, v] of hop.fields) lines.push(k, v);
  if (requestedGzip) lines.push('Accept-Encoding', 'gzip');
  return new Promise((resolve, reject) => {
    const req = (isHttps ? https : http).request(
      {
        protocol: hop.url.protocol,
        hostname: hop.url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: hop.url.port || (isHttps ? 443 : 80),
        method: hop.method,
        path,
        headers: lines,
        setHost: false,
        signal,
        agent: agentFor(isHttps, opts.secureContext),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > opts.maxResponseBytes) req.destroy(new GoHttpFailure(`the answer is larger than ${opts.maxResponseBytes} bytes`));
          else chunks.push(c);
        });
        res.on('error', (e) => reject(e instanceof GoHttpFailure ? e : new GoHttpFailure(`reading the answer failed: ${describeNetworkError(e)}`)));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, statusMessage: res.statusMessage, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => reject(e instanceof GoHttpFailure ? e : new GoHttpFailure(describeNetworkError(e))));
    req.end(hop.body.length > 0 ? Buffer.from(hop.body) : undefined);
  });
}

function parseUrl(text: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(text, base);
  } catch {
    throw new GoHttpFailure(base ? 'failed to parse Location header' : 'the url is not a valid absolute URL (unsupported protocol scheme)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new GoHttpFailure('unsupported protocol scheme (http and https only)');
  if (!url.hostname) throw new GoHttpFailure('http: no Host in request URL');
  return url;
}

/**
 * client.Do(req): sends `req`, follows redirects, returns the last answer (a 3xx without Location
 * included). Throws GoHttpFailure: unparsable url or Location, network and TLS errors, `stopped after
 * 10 redirects`, the timeout (`context deadline exceeded (Client.Timeout exceeded)`), an answer past
 * the size limit; `context canceled` when `opts.signal` aborts.
 */
export async function goHttpDo(req: GoRequest, opts: GoHttpOptions): Promise<GoHttpResponse> {
  const timeout = opts.timeoutMs !== undefined && opts.timeoutMs > 0 ? AbortSignal.timeout(opts.timeoutMs) : undefined;
  const signal = timeout ? AbortSignal.any([opts.signal, timeout]) : opts.signal;
  const { userAgent, fields, requestedGzip } = req.headers.reveal();
  const first = parseUrl(req.url.reveal());
  let hop: Hop = { url: first, text: req.url.reveal(), method: req.method, fields, body: req.body.reveal() };
  let stripSensitive = false;
  let keepBody = true;
  for (let hops = 0; ; hops++) {
    let res;
    try {
      res = await exchange(hop, userAgent, requestedGzip, opts, signal);
    } catch (e) {
      if (timeout?.aborted) throw new GoHttpFailure('context deadline exceeded (Client.Timeout exceeded)');
      if (opts.signal.aborted) throw new GoHttpFailure('context canceled');
      throw e;
    }
    const next = redirectBehavior(res.status, hop.method);
    const location = res.headers.location;
    if (!next || !location) {
      let body: Buffer = res.body;
      if (requestedGzip && String(res.headers['content-encoding'] ?? '').toLowerCase() === 'gzip') {
        try {
          body = gunzipSync(res.body, { maxOutputLength: opts.maxResponseBytes });
        } catch {
          throw new GoHttpFailure('reading the answer failed: gzip: invalid or too large compressed answer');
        }
      }
      return { status: res.status, statusText: reasonPhrase(res.status, res.statusMessage), body: new Sensitive(new Uint8Array(body)) };
    }
    // defaultCheckRedirect: the request after the 10th redirect is not sent.
    if (hops + 1 >= GO_MAX_REDIRECTS + 1) throw new GoHttpFailure(`stopped after ${GO_MAX_REDIRECTS} redirects`);
    const url = parseUrl(location, hop.url);
    if (!next.keepBody) keepBody = false;
    if (!stripSensitive && url.host !== first.host && !mayCopySensitiveHeaders(first.hostname, url.hostname)) stripSensitive = true;
    const copied = redirectHeaderFields(fields, stripSensitive, !keepBody);
    const referer = redirectReferer(hop.url, url);
    const withReferer = referer === undefined ? copied : [...copied.filter(([k]) => k !== 'Referer'), ['Referer', Buffer.from(referer, 'utf8').toString('latin1')] as [string, string]].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    // The Location as written: its query is sent as it is (Go's ResolveReference keeps RawQuery).
    hop = { url, text: location, method: next.method, fields: withReferer, body: keepBody ? req.body.reveal() : new Uint8Array(0) };
  }
}
