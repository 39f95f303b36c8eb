// What Go's net/http client sends for a request ESO's generators build, and how it follows
// redirects: the pure rules, so the Webhook and GithubAccessToken generators put the same bytes on
// the wire as ESO (providers/generators/go-http.ts does the I/O).
//
// Go 1.26 net/http: request.go (Request.write: Host, User-Agent, the length, the other headers in
// sorted order with reqWriteExcludeHeader left out, each value's newlines made spaces and blanks
// trimmed, then the transport's extra Accept-Encoding), transport.go (roundTrip's header checks and
// requestedGzip), client.go (redirectBehavior, makeHeadersCopier, shouldCopyHeaderOnRedirect,
// refererForURL, defaultCheckRedirect) and textproto.CanonicalMIMEHeaderKey.
import { goStringToBytes } from './go-string.ts';
import type { Sensitive } from './sensitive.ts';

/** Go's net/http defaultUserAgent: what ESO's clients send unless a header sets one. */
export const GO_USER_AGENT = 'Go-http-client/1.1';
/** defaultCheckRedirect: the 11th hop is refused. */
export const GO_MAX_REDIRECTS = 10;

/** RFC 7230 token characters (Go's httpguts.IsTokenRune), for method and header names. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** validMethod (net/http): a non-empty token. */
export function isValidMethod(method: string): boolean {
  return TOKEN.test(method);
}

/** httpguts.ValidHeaderFieldName. */
export function isValidHeaderName(name: string): boolean {
  return TOKEN.test(name);
}

/** textproto.CanonicalMIMEHeaderKey: a name with bytes outside the token set is kept as it is. */
export function canonicalHeaderKey(name: string): string {
  if (!TOKEN.test(name)) return name;
  return name.replace(/[A-Za-z0-9]+/g, (w, offset: number) => (offset === 0 || name[offset - 1] === '-' ? w[0]!.toUpperCase() + w.slice(1).toLowerCase() : w.toLowerCase()));
}

/** httpguts.ValidHeaderFieldValue over the value's bytes: no control byte but tab (bytes ≥ 0x80 pass). */
export function isValidHeaderValue(bytes: Uint8Array): boolean {
  return bytes.every((b) => !((b < 0x20 && b !== 0x09) || b === 0x7f));
}

/** A request as Go's client will write it (everything but method and header names may hold secrets). */
export interface GoRequest {
  method: string;
  url: Sensitive<string>;
  /**
   * The header fields after Host and before the length, then after it, as Go writes them: see
   * goRequestHeaders. Names canonical; values byte strings (one char per byte) of the Go strings.
   */
  headers: Sensitive<GoHeaderLines>;
  body: Sensitive<Uint8Array>;
}

export interface GoHeaderLines {
  /** The User-Agent line's value (Go's default unless a header set one); undefined: none is sent (an empty User-Agent header). */
  userAgent: string | undefined;
  /** The other fields, sorted by name (Header.writeSubset's order), values in the order they were added. */
  fields: [string, string][];
  /** True when the transport added `Accept-Encoding: gzip` itself: a gzip answer is then decompressed. */
  requestedGzip: boolean;
}

/** Request.write's exclusions: Host and User-Agent come from elsewhere; the length is computed. */
const EXCLUDED = new Set(['Host', 'User-Agent', 'Content-Length', 'Transfer-Encoding', 'Trailer']);

const bytesOf = (goString: string): Uint8Array => goStringToBytes(goString) ?? new Uint8Array(Buffer.from(goString, 'utf8'));
/** headerNewlineToSpace then textproto.TrimString (ASCII blanks), as a byte string. */
const wireValue = (goString: string): string =>
  Buffer.from(bytesOf(goString))
    .toString('latin1')
    .replace(/[\r\n]/g, ' ')
    .replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');

/** Why Go's transport refuses a header set (its message: names only), or undefined. */
export function headerProblem(values: ReadonlyMap<string, readonly string[]>): { kind: 'name' | 'value'; message: string } | undefined {
  for (const [key, vs] of values) {
    if (!isValidHeaderName(key)) return { kind: 'name', message: `net/http: invalid header field name ${JSON.stringify(key)}` };
    // "Don't include the value in the error, because it may be sensitive." (transport.go)
    if (!vs.every((v) => isValidHeaderValue(bytesOf(v)))) return { kind: 'value', message: `net/http: invalid header field value for ${JSON.stringify(key)}` };
  }
  return undefined;
}

/**
 * The header lines Go writes for `values` (canonical name → values as Header.Add collected them,
 * Go strings): User-Agent from the header or Go's default, the rest sorted, and the transport's
 * `Accept-Encoding: gzip` unless the request has an Accept-Encoding or Range header with a value or
 * is a HEAD. Call headerProblem first: Go refuses before writing.
 */
export function goRequestHeaders(values: ReadonlyMap<string, readonly string[]>, method: string): GoHeaderLines {
  const ua = values.get('User-Agent');
  const userAgentText = ua ? ua[0]! : GO_USER_AGENT;
  const fields: [string, string][] = [];
  for (const key of [...values.keys()].sort()) {
    if (EXCLUDED.has(key)) continue;
    for (const v of values.get(key)!) fields.push([key, wireValue(v)]);
  }
  const first = (k: string) => values.get(k)?.[0] ?? '';
  return {
    userAgent: userAgentText === '' ? undefined : wireValue(userAgentText),
    fields,
    requestedGzip: first('Accept-Encoding') === '' && first('Range') === '' && method !== 'HEAD',
  };
}

/**
 * redirectBehavior: 301/302/303 follow with GET (HEAD stays HEAD) and no body; 307/308 keep the
 * method and body. Undefined: not a redirect Go follows.
 */
export function redirectBehavior(status: number, method: string): { method: string; keepBody: boolean } | undefined {
  if (status === 301 || status === 302 || status === 303) return { method: method === 'GET' || method === 'HEAD' ? method : 'GET', keepBody: false };
  if (status === 307 || status === 308) return { method, keepBody: true };
  return undefined;
}

/**
 * shouldCopyHeaderOnRedirect + isDomainOrSubdomain: Authorization, Cookie and their kin go along only
 * to the same host or one of its subdomains (hosts without ports, as Go's idnaASCIIFromURL gives them).
 */
export function mayCopySensitiveHeaders(initialHost: string, destHost: string): boolean {
  const sub = destHost.toLowerCase();
  const parent = initialHost.toLowerCase();
  if (sub === parent) return true;
  if (/[:%]/.test(sub)) return false;
  return sub.endsWith(parent) && sub[sub.length - parent.length - 1] === '.';
}

const SENSITIVE = new Set(['Authorization', 'Www-Authenticate', 'Cookie', 'Cookie2', 'Proxy-Authorization', 'Proxy-Authenticate']);
const BODY_HEADERS = new Set(['Content-Encoding', 'Content-Language', 'Content-Location', 'Content-Type']);

/**
 * makeHeadersCopier: the initial request's header fields for a redirect hop, without the sensitive
 * ones once a hop left the initial host's domain, and without the body's once the body was dropped.
 */
export function redirectHeaderFields(initial: readonly [string, string][], stripSensitive: boolean, stripBody: boolean): [string, string][] {
  return initial.filter(([k]) => !(stripSensitive && SENSITIVE.has(k)) && !(stripBody && BODY_HEADERS.has(k)));
}

/**
 * refererForURL: the previous URL (without user info or fragment) unless it was https and the next
 * is http.
 */
export function redirectReferer(previous: URL, next: URL): string | undefined {
  if (previous.protocol === 'https:' && next.protocol === 'http:') return undefined;
  const u = new URL(previous.href);
  u.username = '';
  u.password = '';
  u.hash = '';
  return u.href;
}
