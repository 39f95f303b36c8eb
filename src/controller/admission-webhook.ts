// The optional validating admission webhook, served by the operator process over TLS
// (`projector operator --webhook-addr :10250`). It answers AdmissionReview requests (admission.k8s.io
// v1, and v1beta1 which has the same shape) on ESO's paths with core/admission.ts's verdict: the
// rules `projector validate` runs that the CRDs' CEL rules cannot express (regular-expression
// syntax, duplicate secretKeys, templateFrom targets, empty find filters, provider settings).
//
// ESO runs its webhook as a second Deployment (cmd/controller/webhook.go: --port 10250, --cert-dir
// /tmp/k8s-webhook-server/serving-certs with tls.crt and tls.key, --tls-min-version 1.2, HTTP/1.1
// only); Projector serves the same paths from the operator, so every replica answers whether or not
// it holds the leader lease. The certificate is read from the cert dir and read again when the files
// change (a Secret volume or cert-manager renewal swaps them), without a restart.
import { createHash, X509Certificate } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { createSecureContext, type SecureVersion } from 'node:tls';
import type { GenericStore } from '../api/index.ts';
import { ADMISSION_KINDS, admissionMessage, judgeAdmission, type AdmissionKind } from '../core/admission.ts';
import type { Issue } from '../core/issues.ts';
import type { Logger } from '../platform/logger.ts';
import { providerStoreIssues, type ProviderRegistry } from '../providers/registry.ts';

/** ESO's webhook paths (controller-runtime's /validate-<group with dashes>-<version>-<lower kind>). */
export const WEBHOOK_PATHS: Readonly<Record<string, AdmissionKind>> = Object.freeze(
  Object.fromEntries(ADMISSION_KINDS.map((kind) => [`/validate-external-secrets-io-v1-${kind.toLowerCase()}`, kind])),
);

/** ESO's --cert-dir default (controller-runtime's webhook server default). */
export const DEFAULT_CERT_DIR = '/tmp/k8s-webhook-server/serving-certs';
export const CERT_FILE = 'tls.crt';
export const KEY_FILE = 'tls.key';

/** AdmissionReview bodies are bounded by the API server's 3 MiB request limit (object + oldObject). */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface AdmissionWebhookOptions {
  host?: string;
  port: number;
  /** Directory holding tls.crt and tls.key (PEM). */
  certDir: string;
  minVersion: SecureVersion;
  /** Provider-specific checks for a store (Provider.validateStore of the provider it names). */
  storeChecks: (store: GenericStore) => Issue[];
  log: Logger;
  /** How often the files are compared besides fs.watch (a watch can miss a Secret volume's symlink swap). Default 10 s. */
  recheckMs?: number;
}

export interface AdmissionWebhook {
  readonly server: Server;
  readonly port: number;
  /** Reads the certificate files again now; true when a new certificate was installed. */
  reload(): Promise<boolean>;
  close(): Promise<void>;
}

interface AdmissionReview {
  apiVersion?: string;
  kind?: string;
  request?: { uid?: string; kind?: { kind?: string }; operation?: string; object?: unknown; name?: string; namespace?: string };
}

/**
 * The response to one AdmissionReview body (pure: exported for the unit test that compares it with
 * `projector validate`). A refusal carries status 403 Forbidden, as controller-runtime's
 * admission.Denied; the API server prints `admission webhook "<name>" denied the request: <message>`.
 */
export function reviewResponse(kind: AdmissionKind, review: AdmissionReview, storeChecks: (store: GenericStore) => Issue[]): object {
  const request = review.request ?? {};
  const apiVersion = review.apiVersion === 'admission.k8s.io/v1beta1' ? review.apiVersion : 'admission.k8s.io/v1';
  const sentKind = request.kind?.kind;
  const verdict =
    sentKind && sentKind !== kind
      ? { allowed: false, errors: [{ path: '', code: 'WrongKind', message: `this endpoint validates ${kind} objects, not ${sentKind}`, severity: 'error' as const }], warnings: [] }
      : judgeAdmission(kind, request.object, request.operation ?? '', storeChecks);
  const where = `${kind} ${request.namespace ? `${request.namespace}/` : ''}${request.name ?? ''}`.trim();
  return {
    apiVersion,
    kind: 'AdmissionReview',
    response: {
      uid: request.uid ?? '',
      allowed: verdict.allowed,
      ...(!verdict.allowed && { status: { code: 403, reason: 'Forbidden', message: `${where} is invalid: ${admissionMessage(verdict.errors)}` } }),
      ...(verdict.warnings.length > 0 && { warnings: verdict.warnings.map((w) => admissionMessage([w])) }),
    },
  };
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function handle(req: IncomingMessage, res: ServerResponse, o: AdmissionWebhookOptions): Promise<void> {
  const path = (req.url ?? '/').split('?')[0]!;
  if (path === '/healthz') return void res.writeHead(200).end('ok\n');
  const kind = WEBHOOK_PATHS[path];
  if (!kind) return void res.writeHead(404).end('not found\n');
  if (req.method !== 'POST') return void res.writeHead(405, { allow: 'POST' }).end('POST an AdmissionReview\n');
  const body = await readBody(req);
  if (body === undefined) return void res.writeHead(413).end('request body too large\n');
  let review: AdmissionReview;
  try {
    review = JSON.parse(body) as AdmissionReview;
  } catch {
    return void res.writeHead(400).end('the body is not JSON\n');
  }
  if (review?.kind !== 'AdmissionReview' || typeof review.request !== 'object' || review.request === null) {
    return void res.writeHead(400).end('the body is not an AdmissionReview with a request\n');
  }
  const response = reviewResponse(kind, review, o.storeChecks) as { response: { allowed: boolean; status?: { message: string } } };
  // Field paths and rule messages only: never the object (it may carry values in templates).
  o.log.debug({ kind, name: review.request.name, namespace: review.request.namespace, operation: review.request.operation, allowed: response.response.allowed }, 'admission review');
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(response));
}

/** The key and certificate from the cert dir, or why they cannot be used (no values in the reason). */
async function readKeyPair(certDir: string): Promise<{ cert: Buffer; key: Buffer; digest: string } | { error: string }> {
  let cert: Buffer;
  let key: Buffer;
  try {
    [cert, key] = await Promise.all([readFile(join(certDir, CERT_FILE)), readFile(join(certDir, KEY_FILE))]);
  } catch (e) {
    return { error: `cannot read ${CERT_FILE} and ${KEY_FILE} in ${certDir}: ${(e as NodeJS.ErrnoException).code ?? 'unreadable'}` };
  }
  try {
    createSecureContext({ cert, key });
  } catch {
    return { error: `${CERT_FILE} and ${KEY_FILE} in ${certDir} are not a matching PEM certificate and key` };
  }
  return { cert, key, digest: createHash('sha256').update(cert).update(key).digest('hex') };
}

/**
 * A store's provider-specific checks: the validateStore of each provider it names that Projector
 * has, exactly as `projector validate` runs them (cli/commands/validate.ts checkDocument).
 */
export function providerStoreChecks(registry: ProviderRegistry): (store: GenericStore) => Issue[] {
  return (store) => providerStoreIssues(registry.providers(), store);
}

/**
 * Starts the webhook's HTTPS server. Without readable certificate files it starts anyway (handshakes
 * fail) and logs what is missing; the files are picked up as soon as they appear, as when
 * cert-manager issues the certificate after the Pod started.
 */
export async function serveAdmissionWebhook(o: AdmissionWebhookOptions): Promise<AdmissionWebhook> {
  const first = await readKeyPair(o.certDir);
  let digest = 'digest' in first ? first.digest : '';
  if ('error' in first) o.log.warn(`admission webhook: ${first.error}; waiting for the files`);
  const server = createServer({ minVersion: o.minVersion, ...('cert' in first && { cert: first.cert, key: first.key }) }, (req, res) => {
    handle(req, res, o).catch((e: unknown) => {
      o.log.error({ err: e instanceof Error ? e.message : String(e) }, 'admission webhook request failed');
      if (!res.headersSent) res.writeHead(500).end('internal error\n');
    });
  });
  let reloading = Promise.resolve(false);
  const reload = (): Promise<boolean> =>
    (reloading = reloading.then(async () => {
      const next = await readKeyPair(o.certDir);
      if ('error' in next) {
        o.log.warn(`admission webhook: ${next.error}; keeping the current certificate`);
        return false;
      }
      if (next.digest === digest) return false;
      server.setSecureContext({ cert: next.cert, key: next.key, minVersion: o.minVersion });
      digest = next.digest;
      const x509 = new X509Certificate(next.cert);
      o.log.info({ subject: x509.subject, validTo: x509.validTo }, 'admission webhook: serving certificate (re)loaded');
      return true;
    }));
  let watcher: FSWatcher | undefined;
  let debounce: NodeJS.Timeout | undefined;
  try {
    watcher = watch(o.certDir, { persistent: false }, () => {
      clearTimeout(debounce);
      debounce = setTimeout(() => void reload(), 100);
    });
    watcher.on('error', () => watcher?.close());
  } catch {
    // No directory yet: the periodic check below finds the files when they appear.
  }
  const recheck = setInterval(() => void reload(), o.recheckMs ?? 10_000);
  recheck.unref();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  o.log.info({ port, certDir: o.certDir, paths: Object.keys(WEBHOOK_PATHS) }, 'admission webhook serving');
  return {
    server,
    port,
    reload,
    close: () => {
      clearInterval(recheck);
      clearTimeout(debounce);
      watcher?.close();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
