// The few API-server calls `projector evidence` makes: read ExternalSecrets, stores, Events and
// Secrets, and (for --force-sync) annotate an ExternalSecret. Raw JSON over client-node's
// authenticated transport; failures become ProjectorErrors carrying the HTTP status only.
import * as https from 'node:https';
import * as http from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { GROUP, STORAGE_VERSION } from '../../api/constants.ts';
import { ProjectorError } from '../../core/errors.ts';
import { urlFor, type QueryParams } from '../../kube/http.ts';

/** A Kubernetes object as JSON; evidence code reads only the fields it names. */
export type KubeObject = {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
};

export interface KubeEvent {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  metadata?: { creationTimestamp?: string };
  involvedObject?: { kind?: string; name?: string; namespace?: string };
}

/** What evidence needs from a cluster; tests may substitute it. */
export interface EvidenceCluster {
  readonly server: string;
  listExternalSecrets(namespace: string, labelSelector?: string): Promise<KubeObject[]>;
  getStore(kind: 'SecretStore' | 'ClusterSecretStore', name: string, namespace?: string): Promise<KubeObject | undefined>;
  /** The whole Secret, data included: callers keep data in memory for the redaction check only. */
  getSecret(namespace: string, name: string): Promise<KubeObject | undefined>;
  listEvents(namespace: string): Promise<KubeEvent[]>;
  annotateExternalSecret(namespace: string, name: string, annotations: Record<string, string>): Promise<void>;
}

const ES_BASE = `/apis/${GROUP}/${STORAGE_VERSION}`;
const REQUEST_TIMEOUT_MS = 15_000;

export class KubeEvidenceCluster implements EvidenceCluster {
  readonly #kc: KubeConfig;
  readonly server: string;

  constructor(kc: KubeConfig) {
    this.#kc = kc;
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new ProjectorError('KubeUnavailable', 'the kubeconfig names no current cluster');
    this.server = cluster.server;
  }

  async listExternalSecrets(namespace: string, labelSelector?: string): Promise<KubeObject[]> {
    const list = await this.#json<{ items?: KubeObject[] }>('GET', `${ES_BASE}/namespaces/${enc(namespace)}/externalsecrets`, `list ExternalSecrets in ${namespace}`, { labelSelector });
    return list?.items ?? [];
  }

  async getStore(kind: 'SecretStore' | 'ClusterSecretStore', name: string, namespace?: string): Promise<KubeObject | undefined> {
    const path = kind === 'ClusterSecretStore' ? `${ES_BASE}/clustersecretstores/${enc(name)}` : `${ES_BASE}/namespaces/${enc(namespace ?? '')}/secretstores/${enc(name)}`;
    return this.#json<KubeObject>('GET', path, `get ${kind} ${name}`);
  }

  async getSecret(namespace: string, name: string): Promise<KubeObject | undefined> {
    return this.#json<KubeObject>('GET', `/api/v1/namespaces/${enc(namespace)}/secrets/${enc(name)}`, `get Secret ${namespace}/${name}`);
  }

  async listEvents(namespace: string): Promise<KubeEvent[]> {
    const list = await this.#json<{ items?: KubeEvent[] }>('GET', `/api/v1/namespaces/${enc(namespace)}/events`, `list Events in ${namespace}`);
    return list?.items ?? [];
  }

  async annotateExternalSecret(namespace: string, name: string, annotations: Record<string, string>): Promise<void> {
    const what = `annotate ExternalSecret ${namespace}/${name}`;
    const found = await this.#json('PATCH', `${ES_BASE}/namespaces/${enc(namespace)}/externalsecrets/${enc(name)}`, what, {}, JSON.stringify({ metadata: { annotations } }));
    if (found === undefined) throw new ProjectorError('KubeInvalid', `${what}: not found (HTTP 404)`, { httpStatus: 404 });
  }

  /** undefined on 404; any other failure throws with the status only (bodies can quote input). */
  async #json<T>(method: string, path: string, what: string, query: QueryParams = {}, body?: string): Promise<T | undefined> {
    const url = urlFor(this.server, path, query);
    const opts: https.RequestOptions = {
      method,
      headers: { accept: 'application/json', ...(body ? { 'content-type': 'application/merge-patch+json' } : {}) },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    };
    await this.#kc.applyToHTTPSOptions(opts);
    const { status, text } = await send(url, opts, body, what);
    if (status === 404) return undefined;
    if (status === 401 || status === 403) throw new ProjectorError('KubeForbidden', `${what}: forbidden by the API server (HTTP ${status})`, { httpStatus: status });
    if (status >= 300) throw new ProjectorError('KubeUnavailable', `${what}: API server answered HTTP ${status}`, { httpStatus: status });
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ProjectorError('KubeUnavailable', `${what}: API server answered with something other than JSON`);
    }
  }
}

function enc(s: string): string {
  return encodeURIComponent(s);
}

function send(url: URL, opts: https.RequestOptions, body: string | undefined, what: string): Promise<{ status: number; text: string }> {
  const transport = url.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const req = transport.request(url, opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => reject(new ProjectorError('KubeUnavailable', `${what}: connection lost`)));
    });
    req.on('error', (e: NodeJS.ErrnoException) => reject(new ProjectorError('KubeUnavailable', `${what}: API server unreachable (${e.code ?? e.name})`)));
    req.end(body);
  });
}
