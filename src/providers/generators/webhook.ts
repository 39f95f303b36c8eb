// ESO's Webhook generator (generators/v1/webhook/webhook.go over providers/v1/webhook/pkg/webhook):
// reads the CA and the `secrets[]` in the ExternalSecret's namespace, renders the request from the
// spec's templates, calls the endpoint as Go's http.Client would (go-http.ts) and returns the members
// of the JSON object it answers. The rules and the parsing are core/webhook.ts.
import { createHash } from 'node:crypto';
import tls, { type SecureContext } from 'node:tls';
import type { WebhookSpec } from '../../api/index.ts';
import { ProjectorError } from '../../core/errors.ts';
import { decodeStdText } from '../../core/go-base64.ts';
import type { GeneratedData } from '../../core/generators.ts';
import type { Sensitive } from '../../core/sensitive.ts';
import { parseGoDuration } from '../../core/template/go-time.ts';
import {
  buildWebhookRequest,
  caCertificates,
  parseWebhookResponse,
  webhookCaBundle,
  webhookIssues,
  webhookSecretLabelProblem,
  webhookStatusError,
  webhookTemplateData,
  webhookTemplateProblem,
  type WebhookSecretObject,
} from '../../core/webhook.ts';
import { goHttpDo, GoHttpFailure } from './go-http.ts';
import { issueText } from '../../core/issues.ts';

/** What the Webhook and GithubAccessToken generators read from Kubernetes (the operator's client; tests a fake). */
export interface GeneratorKube {
  /** The Secret `namespace/name` (labels and data), undefined when it does not exist. Throws ProjectorError on API errors. */
  getSecret(namespace: string, name: string, signal: AbortSignal): Promise<WebhookSecretObject | undefined>;
  /** One key of a Secret as text. Throws CredentialNotFound naming Secret and key. */
  readSecretKey(namespace: string, name: string, key: string, signal: AbortSignal): Promise<Sensitive<string>>;
  /** One key of a ConfigMap. Throws CredentialNotFound naming ConfigMap and key. */
  readConfigMapKey(namespace: string, name: string, key: string, signal: AbortSignal): Promise<string>;
  /** ESO's runtime/metrics ObserveAPICall (externalsecret_provider_api_calls_count). */
  observeApiCall?(provider: string, call: string, failed: boolean): void;
}

export interface WebhookOptions {
  /** An answer larger than this fails (default 16 MiB: a Secret holds at most 1 MiB, and jsonPath may select a part). */
  maxResponseBytes?: number;
}

export const DEFAULT_MAX_WEBHOOK_RESPONSE_BYTES = 16 * 1024 * 1024;

/** One SecureContext per distinct CA set (building one parses every certificate: done once, not per call). */
const MAX_CONTEXTS = 32;
const contexts = new Map<string, SecureContext>();
function secureContextFor(pems: readonly string[]): SecureContext {
  const key = createHash('sha256').update(pems.join('\0')).digest('hex');
  let ctx = contexts.get(key);
  if (ctx) {
    contexts.delete(key);
  } else {
    // Only these roots, as Go's tls.Config{RootCAs: pool} (not added to the system's).
    ctx = tls.createSecureContext({ ca: [...pems], minVersion: 'TLSv1.2' });
    if (contexts.size >= MAX_CONTEXTS) contexts.delete(contexts.keys().next().value!);
  }
  contexts.set(key, ctx);
  return ctx;
}

const prepareFailed = (code: 'GeneratorFailed' | 'CredentialNotFound', message: string, field: string) =>
  new ProjectorError(code, `failed to prepare provider http client: ${message}`, { field });

/**
 * GetHTTPClient's CA (GetCACertPool → FetchCACertFromSource with the generator's namespace and no
 * store kind): caBundle when set, else caProvider (a namespace other than the ExternalSecret's is
 * refused; Secret or ConfigMap read there). Undefined: neither is set (the system roots).
 */
async function trustOf(spec: WebhookSpec, namespace: string, kube: GeneratorKube, signal: AbortSignal): Promise<SecureContext | undefined> {
  let pem: Uint8Array;
  if (spec.caBundle) {
    const raw = decodeStdText(spec.caBundle);
    if (!raw.ok) throw prepareFailed('GeneratorFailed', `failed to decode ca bundle: ${raw.message}`, 'spec.caBundle');
    const bundle = webhookCaBundle(raw.bytes);
    if (!bundle.ok) throw prepareFailed('GeneratorFailed', `failed to decode ca bundle: ${bundle.message}`, 'spec.caBundle');
    pem = bundle.pem;
  } else if (spec.caProvider) {
    const cp = spec.caProvider;
    if (cp.namespace && cp.namespace !== namespace) {
      throw prepareFailed('GeneratorFailed', 'namespace should either be empty or match the namespace of the SecretStore for a namespaced SecretStore', 'spec.caProvider.namespace');
    }
    try {
      const text = cp.type === 'Secret' ? (await kube.readSecretKey(namespace, cp.name, cp.key ?? '', signal)).reveal() : await kube.readConfigMapKey(namespace, cp.name, cp.key ?? '', signal);
      pem = new Uint8Array(Buffer.from(text, 'utf8'));
    } catch (e) {
      if (e instanceof ProjectorError) throw prepareFailed(e.code === 'CredentialNotFound' ? 'CredentialNotFound' : 'GeneratorFailed', `failed to get cert from ${cp.type === 'Secret' ? 'secret' : 'configmap'}: ${e.message}`, 'spec.caProvider');
      throw e;
    }
  } else {
    return undefined;
  }
  const certs = caCertificates(pem);
  if (certs.length === 0) throw prepareFailed('GeneratorFailed', 'failed to append cabundle', spec.caBundle ? 'spec.caBundle' : 'spec.caProvider');
  return secureContextFor(certs);
}

/**
 * Runs a Webhook spec for an ExternalSecret (or PushSecret) in `namespace`. ESO's order: the spec's
 * rules, the HTTP client (timeout, CA), the Secrets of `secrets[]` (each must be labelled
 * `external-secrets.io/type: webhook`), the request, the call, the status, the answer. Returns the
 * JSON object's members. Throws InvalidSpec / NotSupported (the spec), CredentialNotFound (a Secret,
 * ConfigMap or key missing), VaultNotFound (HTTP 404: ESO's NoSecretError, which deletionPolicy may
 * act on), GeneratorFailed (everything else, with ESO's texts; never a value, the url or the answer).
 */
export async function generateWebhook(spec: WebhookSpec, namespace: string, kube: GeneratorKube, signal: AbortSignal, opts: WebhookOptions = {}): Promise<GeneratedData> {
  // The whole spec, templates included (the resolver of the operator checks them only here: the
  // template engine loads on first use).
  const first = webhookIssues(spec, 'spec', webhookTemplateProblem).find((i) => i.severity === 'error');
  if (first) throw new ProjectorError(first.code === 'NotSupported' ? 'NotSupported' : 'InvalidSpec', issueText(first), { field: first.path });
  const timeoutNs = spec.timeout !== undefined ? parseGoDuration(spec.timeout) : undefined;
  const secureContext = await trustOf(spec, namespace, kube, signal);

  const secrets: { name: string; secret: WebhookSecretObject }[] = [];
  for (const [i, s] of (spec.secrets ?? []).entries()) {
    const name = s.secretRef.name!;
    const field = `spec.secrets[${i}].secretRef`;
    const secret = await kube.getSecret(namespace, name, signal);
    if (!secret) throw new ProjectorError('CredentialNotFound', `failed to get clustersecretstore webhook secret ${name}: secrets "${name}" not found (namespace ${namespace})`, { field });
    const problem = webhookSecretLabelProblem(secret.labels);
    if (problem) throw new ProjectorError('GeneratorFailed', `Secret ${namespace}/${name}: ${problem}`, { field });
    secrets.push({ name: s.name, secret });
  }

  const request = buildWebhookRequest(spec, webhookTemplateData(secrets));
  let response;
  try {
    response = await goHttpDo(request, {
      timeoutMs: timeoutNs !== undefined && timeoutNs > 0n ? Math.max(1, Number(timeoutNs / 1_000_000n)) : undefined,
      secureContext,
      maxResponseBytes: opts.maxResponseBytes ?? DEFAULT_MAX_WEBHOOK_RESPONSE_BYTES,
      signal,
    });
    kube.observeApiCall?.('Webhook', 'HTTPRequest', false);
  } catch (e) {
    kube.observeApiCall?.('Webhook', 'HTTPRequest', true);
    if (e instanceof GoHttpFailure) throw new ProjectorError('GeneratorFailed', `failed to call endpoint: ${e.message}`, { field: 'spec.url' });
    throw e;
  }
  const statusError = webhookStatusError(response.status, response.statusText);
  if (statusError) throw statusError;
  return parseWebhookResponse(response.body.reveal(), spec.result?.jsonPath);
}
