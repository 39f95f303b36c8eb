// ESO's Webhook generator, the pure parts: the request built from the spec
// (Go templates over the `secrets`), what the HTTP status means, and the generated keys read from the
// JSON answer. The spec's rules are core/webhook-rules.ts (loaded without the template engine). The I/O (reading the Secrets and the CA, the HTTP exchange) is
// providers/generators/webhook.ts.
//
// Behaviour from ESO v2.9: generators/v1/webhook/webhook.go (Generate: no remoteRef, labels enforced,
// namespace = the ExternalSecret's) and the code it calls, providers/v1/webhook/pkg/webhook/webhook.go
// (GetTemplateData, GetWebhookData, executeRequest, ReqAddHeaders, GetSecretMap, ExecuteTemplate);
// runtime/esutils/utils.go GetByteValue; Go's net/http for what the client sends (Header.Add's
// canonical names, validMethod, httpguts.ValidHeaderFieldName/Value, the User-Agent and
// Accept-Encoding it adds).
import { X509Certificate } from 'node:crypto';
import type { WebhookSpec } from '../api/generators.ts';
import { ProjectorError } from './errors.ts';
import { canonicalHeaderKey, goRequestHeaders, headerProblem, isValidMethod, type GoRequest } from './go-http-request.ts';
import { goByteValue, unmarshalAny, type GoAny } from './go-json-any.ts';
import { goStringFromBytes, goStringToBytes } from './go-string.ts';
import { Sensitive } from './sensitive.ts';
import { parseTemplate, renderTemplate, TemplateError } from './template/index.ts';
import { pemDecode, pemDecodeAll } from './template/go-pem.ts';
import { markStringMap } from './template/values.ts';
import { decodeBytes } from './transform.ts';
import { evaluateJsonPath, goTypeOf, JsonPathError, parseJsonPath } from './webhook-jsonpath.ts';
import { webhookIssues } from './webhook-rules.ts';

export { webhookIssues };

/** The label a Secret named in `secrets[]` must carry (getStoreSecret with EnforceLabels). */
export const WEBHOOK_SECRET_LABEL = 'external-secrets.io/type';
export const WEBHOOK_SECRET_LABEL_VALUE = 'webhook';
/** ESO's template name (ExecuteTemplate: tpl.New("webhooktemplate")), which its messages quote. */
const TEMPLATE_NAME = 'webhooktemplate';


/**
 * core/webhook-rules.ts's template check with the engine: why `source` does not parse as ESO's
 * Webhook templates do (text/template with sprig's and ESO's functions), or undefined.
 */
export function webhookTemplateProblem(source: string): string | undefined {
  try {
    parseTemplate(source, TEMPLATE_NAME);
    return undefined;
  } catch (e) {
    if (e instanceof TemplateError) return e.message;
    throw e;
  }
}

/** A Secret named in `secrets[]`, as read: its labels and data. */
export interface WebhookSecretObject {
  labels: Readonly<Record<string, string>>;
  data: ReadonlyMap<string, Sensitive<Uint8Array>>;
}

/**
 * getStoreSecret's label rule (EnforceLabels): the Secret must carry
 * `external-secrets.io/type: webhook`. Returns ESO's message, or undefined when it does.
 */
export function webhookSecretLabelProblem(labels: Readonly<Record<string, string>>): string | undefined {
  if (!Object.hasOwn(labels, WEBHOOK_SECRET_LABEL)) return "secret does not contain needed label 'external-secrets.io/type: webhook'. Update secret label to use it with webhook";
  if (labels[WEBHOOK_SECRET_LABEL] !== WEBHOOK_SECRET_LABEL_VALUE) return "secret type is not 'webhook'";
  return undefined;
}

/**
 * The templates' data (getTemplatedSecrets): under each `secrets[].name`, every key of that Secret as
 * a Go string (two entries of one name merge, the later Secret's keys winning). No `remoteRef`: a
 * generator has none, so `{{ .remoteRef.key }}` prints `<no value>` as in ESO.
 */
export function webhookTemplateData(secrets: readonly { name: string; secret: WebhookSecretObject }[]): Record<string, Record<string, string>> {
  const data: Record<string, Record<string, string>> = {};
  for (const { name, secret } of secrets) {
    // Go's map[string]string: a key read from it is a string, not an interface (exec.ts messages).
    data[name] ??= markStringMap({});
    for (const [k, v] of secret.data) data[name]![k] = goStringFromBytes(v.reveal());
  }
  return data;
}

const bytesOf = (goString: string): Uint8Array => goStringToBytes(goString) ?? new Uint8Array(Buffer.from(goString, 'utf8'));

function render(text: string | undefined, data: unknown, what: string, field: string): string {
  // ExecuteTemplate: an empty template is empty output, without parsing.
  if (!text) return '';
  try {
    return renderTemplate(text, data, TEMPLATE_NAME, { missingKey: 'invalid' });
  } catch (e) {
    // A parse error is the spec's; an execution error may come from a Secret's data (not watched): retried.
    if (e instanceof TemplateError) throw new ProjectorError(e.kind === 'parse' ? 'InvalidSpec' : 'GeneratorFailed', `failed to parse ${what}: ${e.message}`, { field });
    throw e;
  }
}

/**
 * GetWebhookData + executeRequest + ReqAddHeaders: the method (default GET), the url and body
 * rendered, each header rendered and added under its canonical name (in sorted order; Go iterates
 * its map at random, so which failing header ESO names first varies), then the header lines Go
 * writes (core/go-http-request.ts). Throws ProjectorError InvalidSpec with ESO's texts: `failed to
 * parse url: …`, `failed to parse body: …`, `failed to parse header X: …`, `failed to create
 * request: net/http: invalid method "…"`, `failed to call endpoint: net/http: invalid header field
 * name "…"`; GeneratorFailed for what a Secret's data may cause (a template execution error, `invalid
 * header field value for "…"`), never quoting the value or the url, which may hold a secret.
 */
export function buildWebhookRequest(spec: WebhookSpec, data: Record<string, Record<string, string>>): GoRequest {
  const method = spec.method || 'GET';
  const url = render(spec.url, data, 'url', 'spec.url');
  const body = render(spec.body, data, 'body', 'spec.body');
  if (!isValidMethod(method)) throw new ProjectorError('InvalidSpec', `failed to create request: net/http: invalid method ${JSON.stringify(method)}`, { field: 'spec.method' });
  const values = new Map<string, string[]>();
  for (const name of Object.keys(spec.headers ?? {}).sort()) {
    const value = render(spec.headers![name], data, `header ${name}`, 'spec.headers');
    const key = canonicalHeaderKey(name);
    values.set(key, [...(values.get(key) ?? []), value]);
  }
  const problem = headerProblem(values);
  // A bad name is the spec's; a bad value (a newline) may come from a Secret's data: retried.
  if (problem) throw new ProjectorError(problem.kind === 'name' ? 'InvalidSpec' : 'GeneratorFailed', `failed to call endpoint: ${problem.message}`, { field: 'spec.headers' });
  return { method, url: new Sensitive(url), headers: new Sensitive(goRequestHeaders(values, method)), body: new Sensitive(bytesOf(body)) };
}

/**
 * executeRequest's status rules: 404 is ESO's NoSecretError (`Secret does not exist`; deletionPolicy
 * may act on it: VaultNotFound, cause not-found), 304 its NotModifiedError (`not modified`), any
 * other status outside 2xx `endpoint gave error <status>`. Undefined for 2xx.
 */
export function webhookStatusError(status: number, statusText: string): ProjectorError | undefined {
  if (status === 404) return new ProjectorError('VaultNotFound', 'Secret does not exist (the endpoint answered HTTP 404)', { cause: 'not-found', httpStatus: 404 });
  if (status === 304) return new ProjectorError('GeneratorFailed', 'not modified (the endpoint answered HTTP 304)', { httpStatus: 304 });
  if (status < 200 || status >= 300) return new ProjectorError('GeneratorFailed', `endpoint gave error ${status}${statusText ? ` ${statusText}` : ''}`, { httpStatus: status });
  return undefined;
}

const failed = (message: string) => new ProjectorError('GeneratorFailed', message, { field: 'spec.result' });

/**
 * GetSecretMap: the answer read as JSON (Go's encoding/json into `any`), `result.jsonPath` applied
 * when set, a string result parsed as JSON again, and the object's members as the generated keys,
 * each value by ESO's GetByteValue (a string as its bytes, a number as strconv 'f' -1, a bool as
 * true/false, null as nothing, an object or list as json.Marshal writes it). Throws GeneratorFailed
 * with ESO's texts, Go's JSON parser messages replaced by descriptions (they quote the answer):
 * `failed to parse response json`, `failed to get response path $.x: unknown key x`, `failed to
 * parse response json from jsonpath`, `failed to get response (wrong type: []interface {})`.
 */
export function parseWebhookResponse(body: Uint8Array, jsonPath: string | undefined): Map<string, Sensitive<Uint8Array>> {
  const doc = unmarshalAny(body);
  if (!doc.ok) throw failed(`failed to parse response json (${doc.failure.kind === 'syntax' ? 'the answer is not valid JSON' : 'a number is out of the range of a float64'})`);
  let value: GoAny = doc.value;
  if (jsonPath) {
    let parsed;
    try {
      parsed = parseJsonPath(jsonPath);
    } catch (e) {
      if (e instanceof JsonPathError) throw new ProjectorError(e.kind === 'unsupported' ? 'NotSupported' : 'InvalidSpec', `failed to get response path ${jsonPath}: ${e.message}`, { field: 'spec.result.jsonPath' });
      throw e;
    }
    const r = evaluateJsonPath(parsed, value);
    if (!r.ok) throw failed(`failed to get response path ${jsonPath}: ${r.message}`);
    value = r.value;
  }
  if (typeof value === 'string') {
    // "This could also happen if the response was a single json-encoded string."
    const inner = unmarshalAny(bytesOf(value));
    if (!inner.ok) throw failed(`failed to parse response json from jsonpath (${inner.failure.kind === 'syntax' ? 'the selected string is not valid JSON' : 'a number is out of the range of a float64'})`);
    value = inner.value;
  }
  if (!(value instanceof Map)) throw failed(`failed to get response (wrong type: ${goTypeOf(value)})`);
  const out = new Map<string, Sensitive<Uint8Array>>();
  for (const [k, v] of value) out.set(k, new Sensitive(goByteValue(v)));
  return out;
}

/**
 * ESO's caBundle reading (runtime/esutils/utils.go FetchCACertFromSource → base64decode →
 * parseCertificateBytes): the bytes (Kubernetes already decoded the field's base64) when their first
 * PEM block is an X.509 certificate, else the bytes decoded once more (decodingStrategy Auto) and
 * checked the same way. Returns the PEM bytes, or ESO's message.
 */
export function webhookCaBundle(bytes: Uint8Array): { ok: true; pem: Uint8Array } | { ok: false; message: string } {
  const check = (b: Uint8Array): string | undefined => {
    const { block } = pemDecode(b);
    if (!block) return 'failed to parse the new certificate, not valid pem data';
    try {
      new X509Certificate(Buffer.from(block.bytes));
    } catch {
      return 'failed to validate certificate: x509: malformed certificate';
    }
    return undefined;
  };
  if (check(bytes) === undefined) return { ok: true, pem: bytes };
  const decoded = decodeBytes(bytes, 'Auto');
  if (!decoded.ok) return { ok: false, message: `failed to decode base64: ${decoded.message}` };
  const problem = check(decoded.bytes);
  return problem ? { ok: false, message: problem } : { ok: true, pem: decoded.bytes };
}

/**
 * x509.CertPool.AppendCertsFromPEM: every `CERTIFICATE` block without headers that parses, as PEM
 * text (other blocks and unparsable certificates are skipped). Empty: ESO's `failed to append cabundle`.
 */
export function caCertificates(pem: Uint8Array): string[] {
  const out: string[] = [];
  for (const block of pemDecodeAll(pem).blocks) {
    if (Buffer.from(block.type).toString('latin1') !== 'CERTIFICATE' || block.headers.size > 0) continue;
    try {
      out.push(new X509Certificate(Buffer.from(block.bytes)).toString());
    } catch {
      // AppendCertsFromPEM: "continue" past a certificate that does not parse.
    }
  }
  return out;
}
