// The controller's Kubernetes port: the few calls a reconcile makes. The only user of client-node
// API classes besides the reflector.
import {
  ApiException,
  CoreV1Api,
  createConfiguration,
  CustomObjectsApi,
  IsomorphicFetchHttpLibrary,
  KubeConfig,
  PatchStrategy,
  ServerConfiguration,
  setHeaderMiddleware,
  setHeaderOptions,
  wrapHttpLibrary,
  type RequestContext,
  type V1Secret,
} from '@kubernetes/client-node';
import { GROUP, FIELD_MANAGER, LABEL_MANAGED } from '../api/constants.ts';
import type { ObjectMeta } from '../api/meta.ts';
import type { DesiredSecret, LiveSecret } from '../core/plan-target-secret.ts';
import { ProjectorError } from '../core/errors.ts';
import { Sensitive } from '../core/sensitive.ts';
import { decodeSecretData, encodeSecretData } from '../core/secret-data.ts';
import { isNotFound, kubeError } from './errors.ts';
import { kubeSend, type RestClientMetrics } from './http.ts';
import type { TokenBucket } from '../platform/token-bucket.ts';

export interface EventTarget {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta & { name: string };
}

const PLURALS: Record<string, string> = {
  ExternalSecret: 'externalsecrets',
  SecretStore: 'secretstores',
  ClusterSecretStore: 'clustersecretstores',
};

function toLiveSecret(s: V1Secret): LiveSecret {
  return { metadata: s.metadata as ObjectMeta, type: s.type, immutable: s.immutable, data: decodeSecretData(s.data) };
}

function toV1Secret(d: DesiredSecret): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: d.name,
      namespace: d.namespace,
      labels: d.labels,
      annotations: d.annotations,
      ownerReferences: d.ownerReferences.length ? d.ownerReferences : undefined,
      finalizers: d.finalizers.length ? d.finalizers : undefined,
      resourceVersion: d.resourceVersion,
    },
    type: d.type,
    immutable: d.immutable || undefined,
    data: encodeSecretData(d.data),
  };
}

/**
 * KubeConfig.makeApiClient with the default fetch library wrapped so every request reports its
 * status (or `<error>`), method and host to rest_client_requests_total, as client-go's transport does.
 */
function instrumentedApi<T>(kc: KubeConfig, api: new (config: ReturnType<typeof createConfiguration>) => T, metrics: RestClientMetrics): T {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('No active cluster!');
  const inner = new IsomorphicFetchHttpLibrary();
  const httpApi = wrapHttpLibrary({
    async send(request: RequestContext) {
      const method = String(request.getHttpMethod()).toUpperCase();
      const host = new URL(request.getUrl()).host;
      try {
        const res = await inner.send(request).toPromise();
        metrics.observe(String(res.httpStatusCode), method, host);
        return res;
      } catch (e) {
        metrics.observe('<error>', method, host);
        throw e;
      }
    },
  });
  const config = createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: kc },
    middleware: [setHeaderMiddleware('User-Agent', 'projector')],
    httpApi,
  });
  return new api(config);
}

export class KubeClient {
  readonly kubeConfig: KubeConfig;
  readonly #core: CoreV1Api;
  readonly #custom: CustomObjectsApi;
  readonly #component: string;

  readonly #limiter: TokenBucket | undefined;
  readonly #writeGuard: (() => void) | undefined;
  readonly #metrics: RestClientMetrics | undefined;

  /**
   * `writeGuard` runs right before every write (create, update, patch, delete, events) is sent and
   * throws to refuse it: the operator refuses writes while its leader lease is not confirmed.
   * `metrics` counts every request in rest_client_requests_total.
   */
  constructor(kubeConfig: KubeConfig, opts: { component?: string; limiter?: TokenBucket; writeGuard?: () => void; metrics?: RestClientMetrics } = {}) {
    this.kubeConfig = kubeConfig;
    this.#limiter = opts.limiter;
    this.#writeGuard = opts.writeGuard;
    this.#metrics = opts.metrics;
    this.#core = opts.metrics ? instrumentedApi(kubeConfig, CoreV1Api, opts.metrics) : kubeConfig.makeApiClient(CoreV1Api);
    this.#custom = opts.metrics ? instrumentedApi(kubeConfig, CustomObjectsApi, opts.metrics) : kubeConfig.makeApiClient(CustomObjectsApi);
    // ESO records its Events as component "external-secrets" (mgr.GetEventRecorderFor): dashboards
    // and `kubectl get events --field-selector source=…` written for ESO keep working.
    this.#component = opts.component ?? 'external-secrets';
  }

  async getSecret(namespace: string, name: string): Promise<LiveSecret | undefined> {
    await this.#throttle();
    try {
      return toLiveSecret(await this.#core.readNamespacedSecret({ name, namespace }));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw kubeError(e, `get Secret ${namespace}/${name}`);
    }
  }

  /** Returns the new resourceVersion. */
  async createSecret(d: DesiredSecret): Promise<string> {
    await this.#throttle();
    this.#writeGuard?.();
    try {
      const s = await this.#core.createNamespacedSecret({ namespace: d.namespace, body: toV1Secret(d), fieldManager: d.fieldManager });
      return s.metadata?.resourceVersion ?? '';
    } catch (e) {
      throw kubeError(e, `create Secret ${d.namespace}/${d.name}`);
    }
  }

  async updateSecret(d: DesiredSecret): Promise<string> {
    await this.#throttle();
    this.#writeGuard?.();
    try {
      const s = await this.#core.replaceNamespacedSecret({ name: d.name, namespace: d.namespace, body: toV1Secret(d), fieldManager: d.fieldManager });
      return s.metadata?.resourceVersion ?? '';
    } catch (e) {
      throw kubeError(e, `update Secret ${d.namespace}/${d.name}`);
    }
  }

  /**
   * Adds ESO's `reconcile.external-secrets.io/managed: "true"` label to an existing Secret (JSON merge
   * patch as `fieldManager`), as ESO does before anything else when a target lacks it, so the
   * managed-Secret watch sees it from then on. Returns the Secret as patched.
   */
  async labelSecretManaged(namespace: string, name: string, fieldManager: string): Promise<LiveSecret | undefined> {
    const what = `label Secret ${namespace}/${name}`;
    await this.#throttle();
    this.#writeGuard?.();
    let res: { status: number; body: string };
    try {
      const body = { metadata: { labels: { [LABEL_MANAGED]: 'true' } } };
      res = await kubeSend(this.kubeConfig, { metrics: this.#metrics, method: 'PATCH', path: `/api/v1/namespaces/${namespace}/secrets/${name}`, query: { fieldManager }, body, contentType: 'application/merge-patch+json' });
    } catch {
      throw new ProjectorError('KubeUnavailable', `${what}: API server unreachable`);
    }
    if (res.status === 404) return undefined;
    if (res.status >= 300) throw kubeError(new ApiException(res.status, what, res.body, {}), what);
    return this.getSecret(namespace, name);
  }

  /** Deletes a Secret; with `uid`/`resourceVersion`, only the very object that was planned from. */
  async deleteSecret(namespace: string, name: string, resourceVersion?: string, uid?: string): Promise<void> {
    await this.#throttle();
    this.#writeGuard?.();
    try {
      const preconditions = resourceVersion || uid ? { resourceVersion, uid } : undefined;
      await this.#core.deleteNamespacedSecret({ name, namespace, body: { preconditions } });
    } catch (e) {
      if (isNotFound(e)) return;
      throw kubeError(e, `delete Secret ${namespace}/${name}`);
    }
  }

  /**
   * Server-side apply of any object (`kubectl apply --server-side --force-conflicts`), sent as raw
   * JSON so no field is lost to client-node's typed models. Used by `projector dev --cluster`.
   */
  async applyObject(obj: { apiVersion: string; kind: string; metadata: ObjectMeta & { name: string } }, plural: string, fieldManager: string): Promise<void> {
    const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
    const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
    const path = `${base}${obj.metadata.namespace ? `/namespaces/${obj.metadata.namespace}` : ''}/${plural}/${obj.metadata.name}`;
    const what = `apply ${obj.kind} ${obj.metadata.namespace ? obj.metadata.namespace + '/' : ''}${obj.metadata.name}`;
    await this.#throttle();
    this.#writeGuard?.();
    let res: { status: number; body: string };
    try {
      res = await kubeSend(this.kubeConfig, { metrics: this.#metrics, method: 'PATCH', path, query: { fieldManager, force: true }, body: obj, contentType: 'application/apply-patch+yaml' });
    } catch {
      throw new ProjectorError('KubeUnavailable', `${what}: API server unreachable`);
    }
    if (res.status >= 300) throw kubeError(new ApiException(res.status, what, res.body, {}), what);
  }

  /** Does the API server serve this group/version (e.g. are the CRDs installed)? */
  async servesGroupVersion(groupVersion: string): Promise<boolean> {
    await this.#throttle();
    try {
      const res = await kubeSend(this.kubeConfig, { metrics: this.#metrics, method: 'GET', path: `/apis/${groupVersion}` });
      return res.status === 200;
    } catch {
      throw new ProjectorError('KubeUnavailable', `discover ${groupVersion}: API server unreachable`);
    }
  }

  /**
   * Sets an ExternalSecret's finalizers (JSON merge patch of metadata.finalizers, guarded by the
   * resourceVersion it was read at: a conflict means a newer object is on its way to the queue).
   */
  async setFinalizers(obj: { kind: string; metadata: ObjectMeta & { name: string } }, finalizers: string[]): Promise<void> {
    const plural = PLURALS[obj.kind];
    if (!plural) throw new ProjectorError('Internal', `no finalizers handled for kind ${obj.kind}`);
    const ns = obj.metadata.namespace;
    const path = `/apis/${GROUP}/v1${ns ? `/namespaces/${ns}` : ''}/${plural}/${obj.metadata.name}`;
    const what = `update finalizers of ${obj.kind} ${ns ? ns + '/' : ''}${obj.metadata.name}`;
    await this.#throttle();
    this.#writeGuard?.();
    let res: { status: number; body: string };
    try {
      const body = { metadata: { finalizers: finalizers.length ? finalizers : null, resourceVersion: obj.metadata.resourceVersion } };
      res = await kubeSend(this.kubeConfig, { metrics: this.#metrics, method: 'PATCH', path, query: { fieldManager: FIELD_MANAGER }, body, contentType: 'application/merge-patch+json' });
    } catch {
      throw new ProjectorError('KubeUnavailable', `${what}: API server unreachable`);
    }
    if (res.status === 404) return; // gone already: nothing holds it
    if (res.status >= 300) throw kubeError(new ApiException(res.status, what, res.body, {}), what);
  }

  /**
   * Sets one pod-template annotation of a Deployment, StatefulSet or DaemonSet (JSON merge patch of
   * spec.template.metadata.annotations): the workload's controller then rolls its Pods. Used by
   * --enable-workload-reload (controller/workload-reload.ts). A workload gone meanwhile is no error.
   */
  async patchPodTemplateAnnotation(kind: 'Deployment' | 'StatefulSet' | 'DaemonSet', namespace: string, name: string, key: string, value: string): Promise<void> {
    const plural = { Deployment: 'deployments', StatefulSet: 'statefulsets', DaemonSet: 'daemonsets' }[kind];
    const path = `/apis/apps/v1/namespaces/${namespace}/${plural}/${name}`;
    const what = `annotate the pod template of ${kind} ${namespace}/${name}`;
    await this.#throttle();
    this.#writeGuard?.();
    let res: { status: number; body: string };
    try {
      const body = { spec: { template: { metadata: { annotations: { [key]: value } } } } };
      res = await kubeSend(this.kubeConfig, { metrics: this.#metrics, method: 'PATCH', path, query: { fieldManager: FIELD_MANAGER }, body, contentType: 'application/merge-patch+json' });
    } catch {
      throw new ProjectorError('KubeUnavailable', `${what}: API server unreachable`);
    }
    if (res.status === 404) return;
    if (res.status >= 300) throw kubeError(new ApiException(res.status, what, res.body, {}), what);
  }

  /** JSON merge patch of the status subresource of one of our kinds. */
  async patchStatus(obj: { kind: string; metadata: ObjectMeta & { name: string } }, status: unknown): Promise<void> {
    const plural = PLURALS[obj.kind];
    if (!plural) throw new ProjectorError('Internal', `no status subresource for kind ${obj.kind}`);
    // A JSON patch replacing the whole status, as ESO's Status().Update does: a merge patch would
    // read a null member (ESO's `refreshTime: null` before the first sync) as "delete this field".
    const opts = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
    const what = `update status of ${obj.kind} ${obj.metadata.namespace ? obj.metadata.namespace + '/' : ''}${obj.metadata.name}`;
    await this.#throttle();
    this.#writeGuard?.();
    try {
      const body = [{ op: 'add', path: '/status', value: status }];
      if (obj.metadata.namespace) {
        await this.#custom.patchNamespacedCustomObjectStatus(
          { group: GROUP, version: 'v1', namespace: obj.metadata.namespace, plural, name: obj.metadata.name, body, fieldManager: FIELD_MANAGER },
          opts,
        );
      } else {
        await this.#custom.patchClusterCustomObjectStatus({ group: GROUP, version: 'v1', plural, name: obj.metadata.name, body, fieldManager: FIELD_MANAGER }, opts);
      }
    } catch (e) {
      if (isNotFound(e)) return; // deleted meanwhile: nothing to report on
      throw kubeError(e, what);
    }
  }

  async createEvent(target: EventTarget, type: 'Normal' | 'Warning', reason: string, message: string, now: Date): Promise<void> {
    const namespace = target.metadata.namespace ?? 'default';
    const ts = now.toISOString();
    await this.#throttle();
    this.#writeGuard?.();
    try {
      await this.#core.createNamespacedEvent({
        namespace,
        body: {
          metadata: { generateName: `${target.metadata.name}.`, namespace },
          involvedObject: {
            apiVersion: target.apiVersion,
            kind: target.kind,
            name: target.metadata.name,
            namespace: target.metadata.namespace,
            uid: target.metadata.uid,
            resourceVersion: target.metadata.resourceVersion,
          },
          type,
          reason,
          message: message.slice(0, 1024),
          source: { component: this.#component },
          reportingComponent: this.#component,
          reportingInstance: this.#component,
          firstTimestamp: ts as unknown as Date,
          lastTimestamp: ts as unknown as Date,
          count: 1,
        },
      });
    } catch (e) {
      throw kubeError(e, `create Event for ${target.kind} ${target.metadata.name}`);
    }
  }

  /** `onRead` gets the resourceVersion read (undefined: not found), so callers can tell when it changes. */
  async readSecretKey(namespace: string, name: string, key: string, onRead?: (resourceVersion: string | undefined) => void): Promise<Sensitive<string>> {
    const s = await this.getSecret(namespace, name).catch((e: unknown) => {
      throw kubeError(e, `read credential Secret ${namespace}/${name}`);
    });
    onRead?.(s?.metadata.resourceVersion);
    if (!s) throw new ProjectorError('CredentialNotFound', `credential Secret ${namespace}/${name} not found`);
    const v = s.data.get(key);
    if (!v) throw new ProjectorError('CredentialNotFound', `credential Secret ${namespace}/${name} has no key "${key}"`);
    return new Sensitive(Buffer.from(v.reveal()).toString('utf8'));
  }

  async readConfigMapKey(namespace: string, name: string, key: string): Promise<string> {
    await this.#throttle();
    try {
      const cm = await this.#core.readNamespacedConfigMap({ name, namespace });
      const v = cm.data?.[key];
      if (v === undefined) throw new ProjectorError('CredentialNotFound', `ConfigMap ${namespace}/${name} has no key "${key}"`);
      return v;
    } catch (e) {
      if (isNotFound(e)) throw new ProjectorError('CredentialNotFound', `ConfigMap ${namespace}/${name} not found`);
      throw kubeError(e, `read ConfigMap ${namespace}/${name}`);
    }
  }

  async serviceAccountToken(namespace: string, name: string, audiences: string[], expirationSeconds = 3600): Promise<Sensitive<string>> {
    await this.#throttle();
    try {
      const tr = await this.#core.createNamespacedServiceAccountToken({
        name,
        namespace,
        body: { spec: { audiences, expirationSeconds } },
      });
      const token = tr.status?.token;
      if (!token) throw new ProjectorError('StoreAuthFailed', `TokenRequest for ServiceAccount ${namespace}/${name} returned no token`);
      return new Sensitive(token);
    } catch (e) {
      if (isNotFound(e)) throw new ProjectorError('CredentialNotFound', `ServiceAccount ${namespace}/${name} not found`);
      throw kubeError(e, `request a token for ServiceAccount ${namespace}/${name}`);
    }
  }

  async serviceAccountAnnotations(namespace: string, name: string): Promise<Record<string, string>> {
    await this.#throttle();
    try {
      const sa = await this.#core.readNamespacedServiceAccount({ name, namespace });
      return sa.metadata?.annotations ?? {};
    } catch (e) {
      if (isNotFound(e)) throw new ProjectorError('CredentialNotFound', `ServiceAccount ${namespace}/${name} not found`);
      throw kubeError(e, `read ServiceAccount ${namespace}/${name}`);
    }
  }

  #throttle(): Promise<void> {
    return this.#limiter ? this.#limiter.take() : Promise.resolve();
  }
}
