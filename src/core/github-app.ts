// ESO's GithubAccessToken generator, the pure parts: the App's private key read as golang-jwt reads
// it, the JWT ESO signs (RS256), the request it sends and how it reads GitHub's answer. The spec's
// rules are core/github-rules.ts; the I/O (the Secret, the HTTP exchange) providers/generators/github.ts.
//
// Behaviour from ESO v2.9 generators/v1/github/github.go (generate, newGHClient,
// GetInstallationToken) and github.com/golang-jwt/jwt/v5 v5.3.0 (ParseRSAPrivateKeyFromPEM,
// NewWithClaims + RegisteredClaims: header {"alg":"RS256","typ":"JWT"}, claims in struct order iss,
// exp, iat, NumericDate in whole seconds, base64url without padding); Go's crypto/rsa refuses keys
// under 1024 bits (Go 1.24+, rsa1024min). The protocol is GitHub's "Create an installation access
// token for an app" (POST /app/installations/{installation_id}/access_tokens).
//
// node:crypto signs (RSASSA-PKCS1-v1_5 is deterministic, so the bytes are ESO's for the same key and
// second); no JWT library: ESO's bytes depend on Go's JSON (claim order, `<` escaped as \u003c),
// which a library's serializer would not reproduce, and the key is parsed by golang-jwt's rules here.
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import type { GithubAccessTokenSpec } from '../api/generators.ts';
import { ProjectorError } from './errors.ts';
import { GO_USER_AGENT, type GoRequest } from './go-http-request.ts';
import { marshalGoAny, quoteJson, unmarshalAny, type GoAny } from './go-json-any.ts';
import { Sensitive } from './sensitive.ts';
import { children, isUniversal, parseOnly, TAG, type Tlv } from './template/der.ts';
import { pemDecode } from './template/go-pem.ts';

/** ESO's defaultGithubAPI. */
export const GITHUB_API_URL = 'https://api.github.com';
/** ESO's defaultLoginUsername: the one generated key. */
export const GITHUB_TOKEN_KEY = 'token';
/** GetInstallationToken: iat 10 s in the past (clock skew), exp 300 s ahead. */
export const JWT_BACKDATE_SECONDS = 10;
export const JWT_LIFETIME_SECONDS = 300;
/** ESO's httpClientTimeout (the default client's Timeout) and contextTimeout (the whole generate). */
export const GITHUB_HTTP_TIMEOUT_MS = 5_000;
export const GITHUB_CONTEXT_TIMEOUT_MS = 30_000;

export { githubIssues } from './github-rules.ts';

/**
 * jwt.ParseRSAPrivateKeyFromPEM: the first PEM block (Go's pem.Decode), as PKCS #1 and then PKCS #8;
 * an RSA key only. Throws GeneratorFailed with golang-jwt's and crypto/x509's texts (they name the
 * format, never key material): `invalid key: Key must be a PEM encoded PKCS1 or PKCS8 key`, `key is
 * not a valid RSA private key`, `x509: failed to parse private key (use ParseECPrivateKey instead for
 * this key format)`.
 */
export function parseGithubAppKey(pem: Sensitive<Uint8Array>, where: string): KeyObject {
  const fail = (why: string) => new ProjectorError('GeneratorFailed', `error parsing RSA private key in ${where}: ${why}`, { field: 'spec.auth.privateKey.secretRef' });
  const { block } = pemDecode(pem.reveal());
  if (!block) throw fail('invalid key: Key must be a PEM encoded PKCS1 or PKCS8 key');
  const der = Buffer.from(block.bytes);
  // Which structure the DER holds, by its first two members (OpenSSL would read one as another):
  // PKCS #1 RSAPrivateKey (INTEGER version, INTEGER modulus…), PKCS #8 (INTEGER, AlgorithmIdentifier
  // SEQUENCE…), SEC 1 ECPrivateKey (INTEGER 1, OCTET STRING…), which ParsePKCS8PrivateKey names.
  let members: Tlv[] = [];
  try {
    members = children(parseOnly(der));
  } catch {}
  const [m0, m1] = members;
  const kind = isUniversal(m0, TAG.INTEGER) ? (isUniversal(m1, TAG.INTEGER) ? 'pkcs1' : isUniversal(m1, TAG.SEQUENCE) ? 'pkcs8' : isUniversal(m1, TAG.OCTET_STRING) ? 'sec1' : undefined) : undefined;
  if (kind === 'sec1') throw fail('x509: failed to parse private key (use ParseECPrivateKey instead for this key format)');
  let key: KeyObject;
  try {
    if (!kind) throw new Error('not a private key');
    key = createPrivateKey({ key: der, format: 'der', type: kind });
  } catch {
    throw fail('x509: failed to parse private key');
  }
  if (key.asymmetricKeyType !== 'rsa') throw fail('key is not a valid RSA private key');
  return key;
}

/**
 * GetInstallationToken: the App's JWT, `{"alg":"RS256","typ":"JWT"}` over `{"iss":appID,"exp":now+300,
 * "iat":now-10}` (whole seconds; iss left out when empty, as RegisteredClaims' omitempty does), signed
 * RSASSA-PKCS1-v1_5 SHA-256 (deterministic: the same key, app and second give ESO's bytes). Throws
 * GeneratorFailed for a key under 1024 bits (Go's crypto/rsa refuses to sign with it).
 */
export function githubAppJwt(key: KeyObject, appId: string, nowMs: number): Sensitive<string> {
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 1024) {
    throw new ProjectorError('GeneratorFailed', `can't get InstallationToken: error signing token: crypto/rsa: ${bits}-bit keys are insecure (see https://go.dev/pkg/crypto/rsa#hdr-Minimum_key_size)`, { field: 'spec.auth.privateKey.secretRef' });
  }
  const now = Math.floor(nowMs / 1000);
  const segment = (json: string) => Buffer.from(json, 'utf8').toString('base64url');
  const claims = `{${appId === '' ? '' : `"iss":${quoteJson(appId, true)},`}"exp":${now + JWT_LIFETIME_SECONDS},"iat":${now - JWT_BACKDATE_SECONDS}}`;
  const signing = `${segment('{"alg":"RS256","typ":"JWT"}')}.${segment(claims)}`;
  return new Sensitive(`${signing}.${sign('sha256', Buffer.from(signing, 'ascii'), key).toString('base64url')}`);
}

/** The URL ESO posts to: `<url or https://api.github.com>/app/installations/<installID>/access_tokens`, joined as written. */
export function githubTokenUrl(spec: GithubAccessTokenSpec): string {
  return `${spec.url || GITHUB_API_URL}/app/installations/${spec.installID}/access_tokens`;
}

/**
 * The request generate() sends: POST with `Authorization: Bearer <jwt>` and `Accept:
 * application/vnd.github.v3+json` (Header.Add order does not matter: Go writes them sorted), Go's
 * User-Agent and Accept-Encoding, and a JSON body only when there is something to ask for:
 * `permissions` when the spec has the field (even `{}`), `repositories` when it lists any, as
 * json.Marshal writes the map (keys sorted, `<`, `>`, `&` escaped). No Content-Type, as in ESO.
 */
export function githubTokenRequest(spec: GithubAccessTokenSpec, jwt: Sensitive<string>): GoRequest {
  const payload: Map<string, GoAny> = new Map();
  if (spec.permissions !== undefined && spec.permissions !== null) payload.set('permissions', new Map(Object.entries(spec.permissions)));
  if (spec.repositories && spec.repositories.length > 0) payload.set('repositories', [...spec.repositories]);
  const body = payload.size > 0 ? new Uint8Array(Buffer.from(marshalGoAny(payload, true), 'utf8')) : new Uint8Array(0);
  return {
    method: 'POST',
    url: new Sensitive(githubTokenUrl(spec)),
    headers: new Sensitive({
      userAgent: GO_USER_AGENT,
      fields: [
        ['Accept', 'application/vnd.github.v3+json'],
        ['Authorization', `Bearer ${jwt.reveal()}`],
      ],
      requestedGzip: true,
    }),
    body: new Sensitive(body),
  };
}

/**
 * generate()'s reading of the answer: the body decoded as a JSON object (json.Decoder: the first
 * value; a decoding error matters only for a 2xx), any status from 300 an error (ESO adds GitHub's
 * `message`; Projector never quotes a response body, so only the status is named), and `token` must
 * be a string. Returns the generated data: the one key `token`. Throws GeneratorFailed.
 */
export function parseGithubTokenResponse(status: number, body: Uint8Array): Map<string, Sensitive<Uint8Array>> {
  const fail = (message: string) => new ProjectorError('GeneratorFailed', message, { httpStatus: status });
  const decoded = decodeFirstObject(body);
  if (status >= 300) {
    const hasMessage = decoded.ok && decoded.value instanceof Map && decoded.value.has('message');
    throw fail(`error generating token${hasMessage ? '' : ', failed to extract error message from github request'}: response code: ${status}`);
  }
  if (!decoded.ok) throw fail(`error decoding response (${decoded.why})`);
  const token = decoded.value instanceof Map ? decoded.value.get('token') : undefined;
  if (typeof token !== 'string') throw fail("token isn't a string or token key doesn't exist");
  return new Map([[GITHUB_TOKEN_KEY, new Sensitive(new Uint8Array(Buffer.from(token, 'utf8')))]]);
}

/**
 * json.NewDecoder(body).Decode(&map[string]any): the first JSON value of the body (what follows it
 * is not read), which must be an object or null (null leaves the map nil).
 */
function decodeFirstObject(body: Uint8Array): { ok: true; value: GoAny } | { ok: false; why: string } {
  const text = Buffer.from(body).toString('latin1');
  const start = text.search(/\S/);
  if (start < 0) return { ok: false, why: 'EOF' };
  const end = firstValueEnd(text, start);
  if (end === undefined) return { ok: false, why: 'the answer is not a JSON value' };
  const doc = unmarshalAny(body.subarray(0, end));
  if (!doc.ok) return { ok: false, why: doc.failure.kind === 'syntax' ? 'the answer is not a JSON value' : 'a number is out of the range of a float64' };
  if (doc.value !== null && !(doc.value instanceof Map)) return { ok: false, why: 'the answer is not a JSON object' };
  return { ok: true, value: doc.value };
}

/** Where the JSON value starting at `start` ends (bytes as latin1 chars): brackets balanced outside strings; undefined if it never does. */
function firstValueEnd(text: string, start: number): number | undefined {
  const open = text[start];
  if (open !== '{' && open !== '[') {
    // A scalar: up to the next blank or structural character.
    const m = /^("(?:[^"\\]|\\.)*"|[^\s,\]}]+)/s.exec(text.slice(start));
    return m ? start + m[0].length : undefined;
  }
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return undefined;
}
