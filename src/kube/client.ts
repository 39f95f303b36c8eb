// The controller's Kubernetes port: the few calls a reconcile makes. The only user of client-node
// API classes besides the reflector.
import type { V1Secret } from '@kubernetes/client-node';
import { ApiException, KubeConfig } from './client-node.ts';
import { GROUP, FIELD_MANAGER, LABEL_MANAGED } from '../api/constants.ts';
import type { ObjectMeta } from '../api/meta.ts';
import type { DesiredSecret, LiveSecret } from '../core/plan-target-secret.ts';
import type { GenericTargetRef, LiveGenericObject, Unstructured } from '../core/generic-target.ts';
import { ProjectorError } from '../core/errors.ts';
import { Sensitive } from '../core/sensitive.ts';
import { decodeSecretData, encodeSecretData } from '../core/secret-data.ts';
import { isNotFound, kubeError } from './errors.ts';
import { kubeSend, type QueryParams, type RestClientMetrics } from './http.ts';
import type { TokenBucket } from '../platform/token-bucket.ts';

export interface EventTarget {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta & { name: string };
}

/** A condition of a Namespace's status (the namespace controller sets them while deleting it). */
export interface NamespaceCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** What KubeClient.getNamespace reads of a Namespace. */
export interface NamespaceState {
  uid: string | undefined;
  deletionTimestamp: string | undefined;
  phase: string | undefined;
  conditions: NamespaceCondition[];
}

const PLURALS: Record<string, string> = {
  ExternalSecret: 'externalsecrets',
  SecretStore: 'secretstores',
  ClusterSecretStore: 'clustersecretstores',
  ClusterExternalSecret: 'clusterexternalsecrets',
  PushSecret: 'pushsecrets',
  ClusterPushSecret: 'clusterpushsecrets',
};

/** API version of each kind's path where it is not v1 (ESO serves PushSecret as v1alpha1 only). */
const VERSIONS: Record<string, string> = { PushSecret: 'v1alpha1', ClusterPushSecret: 'v1alpha1' };

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

function secretPath(namespace: string, name?: string): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
}

function serviceAccountPath(namespace: string, name: string): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(name)}`;
}

/** How the API server serves a kind: its resource name and whether objects live in a namespace. */
export interface ServedResource {
  plural: string;
  namespaced: boolean;
}

/** How long a group/version's discovery answer is kept (a CRD's scope or plural seldom changes). */
const DISCOVERY_TTL_MS = 10 * 60_000;

function groupVersionPath(group: string, version: string): string {
  return group ? `/apis/${group}/${version}` : `/api/${version}`;
}

export class KubeClient {
  readonly kubeConfig: KubeConfig;
  /** Discovery answers per group/version (resourceFor): kind → resource, with when they were read. */
  readonly #discovery = new Map<string, { at: number; kinds: Map<string, ServedResource> }>();
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
    // ESO records its Events as component "external-secrets" (mgr.GetEventRecorderFor): dashboards
    // and `kubectl get events --field-selector source=…` written for ESO keep working.
    this.#component = opts.component ?? 'external-secrets';
  }

  async getSecret(namespace: string, name: string): Promise<LiveSecret | undefined> {
    await this.#throttle();
    try {
      return toLiveSecret(await this.#json<V1Secret>('GET', secretPath(namespace, name), `get Secret ${namespace}/${name}`));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw kubeError(e, `get Secret ${namespace}/${name}`);
    }
  }

  /**
   * The Secrets of a namespace matching a label selector in the API's query syntax (core/store-access
   * labelSelectorQuery), in name order as the API server lists them (PushSecret selector.secret.selector).
   */
  async listSecrets(namespace: string, labelSelector: string): Promise<LiveSecret[]> {
    await this.#throttle();
    const what = `list Secrets in ${namespace} by label selector`;
    try {
      const list = await this.#json<{ items?: V1Secret[] }>('GET', secretPath(namespace), what, { query: { labelSelector } });
      return (list.items ?? []).map(toLiveSecret);
    } catch (e) {
      throw kubeError(e, what);
    }
  }

  /** Returns the new resourceVersion. */
  async createSecret(d: DesiredSecret): Promise<string> {
    await this.#throttle();
    this.#writeGuard?.();
    try {
      const s = await this.#json<V1Secret>('POST', secretPath(d.namespace), `create Secret ${d.namespace}/${d.name}`, { body: toV1Secret(d), query: { fieldManager: d.fieldManager } });
      return s.metadata?.resourceVersion ?? '';
    } catch (e) {
      throw kubeError(e, `create Secret ${d.namespace}/${d.name}`);
    }
  }

  async updateSecret(d: DesiredSecret): Promise<string> {
    await this.#throttle();
    this.#writeGuard?.();
    try {
      const s = await this.#json<V1Secret>('PUT', secretPath(d.namespace, d.name), `update Secret ${d.namespace}/${d.name}`, { body: toV1Secret(d), query: { fieldManager: d.fieldManager } });
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
      await this.#json('DELETE', secretPath(namespace, name), `delete Secret ${namespace}/${name}`, { body: { preconditions } });
    } catch (e) {
      if (isNotFound(e)) return;
      throw kubeError(e, `delete Secret ${namespace}/${name}`);
    }
  }

  /**
   * Server-side apply of any object (`kubectl apply --server-side --force-conflicts`), sent as raw
   * JSON so no field is lost to client-node's typed models. Used by `projector dev --cluster`.
   */
  async applyObject(obj: { apiVersion: string; kind: string; metadata: ObjectMeta & { name: string } }, plural: string, fieldManager: string): Promise<{ generation?: number; resourceVersion?: string; uid?: string }> {
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
    // The applied object's generation and resourceVersion (dev --cluster waits for its reconcile),
    // and uid (a namespace dev created is deleted only as that very object).
    try {
      const m = (JSON.parse(res.body) as { metadata?: { generation?: unknown; resourceVersion?: unknown; uid?: unknown } }).metadata;
      return { ...(typeof m?.generation === 'number' && { generation: m.generation }), ...(typeof m?.resourceVersion === 'string' && { resourceVersion: m.resourceVersion }), ...(typeof m?.uid === 'string' && { uid: m.uid }) };
    } catch {
      return {};
    }
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
    const path = `/apis/${GROUP}/${VERSIONS[obj.kind] ?? 'v1'}${ns ? `/namespaces/${ns}` : ''}/${plural}/${obj.metadata.name}`;
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
    const what = `update status of ${obj.kind} ${obj.metadata.namespace ? obj.metadata.namespace + '/' : ''}${obj.metadata.name}`;
    await this.#throttle();
    this.#writeGuard?.();
    try {
      const body = [{ op: 'add', path: '/status', value: status }];
      const ns = obj.metadata.namespace ? `/namespaces/${encodeURIComponent(obj.metadata.namespace)}` : '';
      const path = `/apis/${GROUP}/${VERSIONS[obj.kind] ?? 'v1'}${ns}/${plural}/${encodeURIComponent(obj.metadata.name)}/status`;
      await this.#json('PATCH', path, what, { body, contentType: 'application/json-patch+json', query: { fieldManager: FIELD_MANAGER }, ignoreAnswer: true });
    } catch (e) {
      if (isNotFound(e)) return; // deleted meanwhile: nothing to report on
      throw kubeError(e, what);
    }
  }

  /**
   * A core/v1 Event as client-go's recorder writes one for controller-runtime's
   * mgr.GetEventRecorderFor(component) (client-go tools/record/event.go generateEvent):
   * `source.component` and `reportingComponent` the component, `source.host` and
   * `reportingInstance` left empty (controller-runtime names no host). `component` defaults to the
   * client's (ESO's ExternalSecret recorder, "external-secrets").
   */
  async createEvent(target: EventTarget, type: 'Normal' | 'Warning', reason: string, message: string, now: Date, component: string = this.#component): Promise<void> {
    const namespace = target.metadata.namespace ?? 'default';
    const ts = now.toISOString();
    await this.#throttle();
    this.#writeGuard?.();
    try {
      await this.#json('POST', `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`, `create Event for ${target.kind} ${target.metadata.name}`, {
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
          source: { component },
          reportingComponent: component,
          firstTimestamp: ts,
          lastTimestamp: ts,
          count: 1,
        },
        ignoreAnswer: true,
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

  /** `onRead` is told the ConfigMap's resourceVersion (undefined: not found), as `readSecretKey`'s. */
  async readConfigMapKey(namespace: string, name: string, key: string, onRead?: (resourceVersion: string | undefined) => void): Promise<string> {
    await this.#throttle();
    try {
      const cm = await this.#json<{ metadata?: { resourceVersion?: string }; data?: Record<string, string> }>('GET', `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps/${encodeURIComponent(name)}`, `read ConfigMap ${namespace}/${name}`);
      onRead?.(cm.metadata?.resourceVersion);
      const v = cm.data?.[key];
      if (v === undefined) throw new ProjectorError('CredentialNotFound', `ConfigMap ${namespace}/${name} has no key "${key}"`);
      return v;
    } catch (e) {
      if (isNotFound(e)) {
        onRead?.(undefined);
        throw new ProjectorError('CredentialNotFound', `ConfigMap ${namespace}/${name} not found`);
      }
      throw kubeError(e, `read ConfigMap ${namespace}/${name}`);
    }
  }

  // --- generic targets (spec.target.manifest: core/generic-target.ts) ---
  /**
   * The resource serving `kind` in group/version, from the API server's discovery (as a RESTMapper
   * finds it; the answer is kept for DISCOVERY_TTL_MS, and a kind not found is asked again next
   * time). Throws KubeInvalid with apimachinery's text `no matches for kind "K" in version "g/v"`
   * when the API server does not serve it (a CRD not installed, a wrong apiVersion).
   * Raw discovery and JSON rather than client-node's KubernetesObjectApi, which does the same but
   * loads the generated typed API and its serializer (kube/lean-client-node.ts, #json).
   */
  async resourceFor(group: string, version: string, kind: string): Promise<ServedResource> {
    const gv = group ? `${group}/${version}` : version;
    const cached = this.#discovery.get(gv);
    const now = Date.now();
    const hit = cached && now - cached.at < DISCOVERY_TTL_MS ? cached.kinds.get(kind) : undefined;
    if (hit) return hit;
    const noMatch = () => new ProjectorError('KubeInvalid', `no matches for kind ${JSON.stringify(kind)} in version ${JSON.stringify(gv)}`, { field: 'spec.target.manifest' });
    if (!version) throw noMatch();
    await this.#throttle();
    let res: { status: number; body: string };
    try {
      res = await kubeSend(this.kubeConfig, { metrics: this.#metrics, method: 'GET', path: groupVersionPath(group, version) });
    } catch {
      throw new ProjectorError('KubeUnavailable', `discover ${gv}: API server unreachable`);
    }
    if (res.status === 404) throw noMatch();
    if (res.status >= 300) throw kubeError(new ApiException(res.status, `discover ${gv}`, res.body, {}), `discover ${gv}`);
    const kinds = new Map<string, ServedResource>();
    try {
      const list = JSON.parse(res.body) as { resources?: { name?: unknown; kind?: unknown; namespaced?: unknown }[] };
      for (const r of list.resources ?? []) {
        // Subresources (`configmaps/status`) carry their parent's kind: only the resource itself.
        if (typeof r.name === 'string' && typeof r.kind === 'string' && !r.name.includes('/') && !kinds.has(r.kind)) kinds.set(r.kind, { plural: r.name, namespaced: r.namespaced === true });
      }
    } catch {
      throw new ProjectorError('KubeUnavailable', `discover ${gv}: the API server's answer is not JSON`);
    }
    this.#discovery.set(gv, { at: now, kinds });
    const found = kinds.get(kind);
    if (!found) throw noMatch();
    return found;
  }

  async #objectPath(t: Pick<GenericTargetRef, 'group' | 'version' | 'kind' | 'namespace'>, name?: string): Promise<string> {
    const r = await this.resourceFor(t.group, t.version, t.kind);
    const ns = r.namespaced ? `/namespaces/${encodeURIComponent(t.namespace)}` : '';
    return `${groupVersionPath(t.group, t.version)}${ns}/${r.plural}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
  }

  /** The target object, or undefined when it does not exist. Its content stays opaque (Sensitive). */
  async getObject(t: GenericTargetRef): Promise<LiveGenericObject | undefined> {
    const what = `get ${t.kind} ${t.namespace}/${t.name}`;
    const path = await this.#objectPath(t, t.name);
    await this.#throttle();
    try {
      const obj = await this.#json<Unstructured>('GET', path, what);
      return { metadata: (obj.metadata ?? {}) as ObjectMeta, object: new Sensitive(obj) };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw kubeError(e, what, { maskAllKeys: true });
    }
  }

  /** Creates the target object (POST); returns its resourceVersion. AlreadyExists is a KubeConflict with remoteCode AlreadyExists. */
  createObject(t: GenericTargetRef, obj: Sensitive<Unstructured>): Promise<string> {
    return this.#writeObject('POST', t, obj);
  }

  /** Replaces the target object (PUT, guarded by the resourceVersion in it: a conflict is KubeConflict); returns the new resourceVersion. */
  updateObject(t: GenericTargetRef, obj: Sensitive<Unstructured>): Promise<string> {
    return this.#writeObject('PUT', t, obj);
  }

  /** One write of a generic target object (POST to the collection, PUT to the object), under Projector's field manager. */
  async #writeObject(method: 'POST' | 'PUT', t: GenericTargetRef, obj: Sensitive<Unstructured>): Promise<string> {
    const what = `${method === 'POST' ? 'create' : 'update'} ${t.kind} ${t.namespace}/${t.name}`;
    const path = method === 'POST' ? await this.#objectPath(t) : await this.#objectPath(t, t.name);
    await this.#throttle();
    this.#writeGuard?.();
    try {
      const written = await this.#json<Unstructured>(method, path, what, { body: obj.reveal(), query: { fieldManager: FIELD_MANAGER } });
      return ((written.metadata ?? {}) as ObjectMeta).resourceVersion ?? '';
    } catch (e) {
      throw kubeError(e, what, { maskAllKeys: true });
    }
  }

  /** Deletes the target object; with `uid`, only that very object. Gone already is fine. */
  async deleteObject(t: GenericTargetRef, uid?: string): Promise<void> {
    const what = `delete ${t.kind} ${t.namespace}/${t.name}`;
    const path = await this.#objectPath(t, t.name);
    const body = uid ? { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid } } : undefined;
    await this.#throttle();
    this.#writeGuard?.();
    try {
      await this.#json('DELETE', path, what, { body });
    } catch (e) {
      if (isNotFound(e)) return;
      throw kubeError(e, what, { maskAllKeys: true });
    }
  }

  /** The collection path of a generic target's kind: all namespaces, or `namespace` only (a cluster-scoped kind ignores it). */
  async collectionPath(t: Pick<GenericTargetRef, 'group' | 'version' | 'kind'>, namespace?: string): Promise<string> {
    const r = await this.resourceFor(t.group, t.version, t.kind);
    const ns = r.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    return `${groupVersionPath(t.group, t.version)}${ns}/${r.plural}`;
  }
  // --- end generic targets ---

  // --- ClusterExternalSecret (controller/clusterexternalsecret) ---
  /**
   * One write through #json, throttled and leader-guarded like the others; failures become
   * ProjectorErrors (kubeError), and a 404 is no error where `notFoundOk`.
   */
  async #write(method: string, path: string, what: string, o: { body?: unknown; query?: QueryParams; contentType?: string; notFoundOk?: boolean } = {}): Promise<void> {
    await this.#throttle();
    this.#writeGuard?.();
    const { notFoundOk, ...request } = o;
    try {
      await this.#json(method, path, what, request);
    } catch (e) {
      if (notFoundOk && isNotFound(e)) return;
      throw kubeError(e, what);
    }
  }


  /** Creates an ExternalSecret (ClusterExternalSecret provisioning). */
  async createExternalSecret(es: { metadata: ObjectMeta & { name: string; namespace: string } }): Promise<void> {
    const ns = es.metadata.namespace;
    await this.#write('POST', `/apis/${GROUP}/v1/namespaces/${ns}/externalsecrets`, `create ExternalSecret ${ns}/${es.metadata.name}`, { body: es, query: { fieldManager: FIELD_MANAGER } });
  }

  /** Replaces an ExternalSecret (PUT, guarded by metadata.resourceVersion: a conflict is KubeConflict). */
  async updateExternalSecret(es: { metadata: ObjectMeta & { name: string; namespace: string } }): Promise<void> {
    const ns = es.metadata.namespace;
    await this.#write('PUT', `/apis/${GROUP}/v1/namespaces/${ns}/externalsecrets/${es.metadata.name}`, `update ExternalSecret ${ns}/${es.metadata.name}`, { body: es, query: { fieldManager: FIELD_MANAGER } });
  }

  /** Deletes an ExternalSecret; with `uid`, only that very object. Gone already is fine. */
  async deleteExternalSecret(namespace: string, name: string, uid?: string): Promise<void> {
    const body = uid ? { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid } } : undefined;
    await this.#write('DELETE', `/apis/${GROUP}/v1/namespaces/${namespace}/externalsecrets/${name}`, `delete ExternalSecret ${namespace}/${name}`, { body, notFoundOk: true });
  }

  /**
   * A Namespace as `projector dev --cluster` reads it (did it exist before dev applied into it, is it
   * being deleted, and why it is not gone yet): its uid, deletionTimestamp, phase and status
   * conditions (those the namespace controller sets while deleting it: NamespaceDeletionContentFailure,
   * NamespaceContentRemaining, NamespaceFinalizersRemaining...), or undefined when it does not exist.
   */
  async getNamespace(name: string): Promise<NamespaceState | undefined> {
    await this.#throttle();
    const what = `get Namespace ${name}`;
    try {
      const ns = await this.#json<{ metadata?: ObjectMeta; status?: { phase?: string; conditions?: NamespaceCondition[] } }>('GET', `/api/v1/namespaces/${encodeURIComponent(name)}`, what);
      const m = ns.metadata ?? {};
      return { uid: m.uid, deletionTimestamp: m.deletionTimestamp, phase: ns.status?.phase, conditions: ns.status?.conditions ?? [] };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw kubeError(e, what);
    }
  }

  /**
   * Deletes a Namespace (`projector dev --cluster`: one it created that nothing of the repository
   * uses any more); with `uid`, only that very one (a namespace deleted and created again by someone
   * else is left alone: the API server answers 409). Gone already is fine. The namespace controller
   * then deletes what is in it.
   */
  async deleteNamespace(name: string, uid?: string): Promise<void> {
    const body = uid ? { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid } } : undefined;
    await this.#write('DELETE', `/api/v1/namespaces/${encodeURIComponent(name)}`, `delete Namespace ${name}`, { body, notFoundOk: true });
  }

  /** Sets a Namespace's metadata.finalizers (merge patch guarded by the resourceVersion it was read at). */
  async setNamespaceFinalizers(name: string, finalizers: string[], resourceVersion: string | undefined): Promise<void> {
    const body = { metadata: { finalizers: finalizers.length ? finalizers : null, ...(resourceVersion ? { resourceVersion } : {}) } };
    await this.#write('PATCH', `/api/v1/namespaces/${name}`, `update finalizers of Namespace ${name}`, { body, query: { fieldManager: FIELD_MANAGER }, contentType: 'application/merge-patch+json', notFoundOk: true });
  }
  // --- end ClusterExternalSecret ---

  // --- ClusterPushSecret (provisions PushSecrets, external-secrets.io/v1alpha1) ---
  async createPushSecret(ps: { metadata: ObjectMeta & { name: string; namespace: string } }): Promise<void> {
    const ns = ps.metadata.namespace;
    await this.#write('POST', `/apis/${GROUP}/v1alpha1/namespaces/${ns}/pushsecrets`, `create PushSecret ${ns}/${ps.metadata.name}`, { body: ps, query: { fieldManager: FIELD_MANAGER } });
  }

  /** Replaces a PushSecret (PUT, guarded by metadata.resourceVersion: a conflict is KubeConflict). */
  async updatePushSecret(ps: { metadata: ObjectMeta & { name: string; namespace: string } }): Promise<void> {
    const ns = ps.metadata.namespace;
    await this.#write('PUT', `/apis/${GROUP}/v1alpha1/namespaces/${ns}/pushsecrets/${ps.metadata.name}`, `update PushSecret ${ns}/${ps.metadata.name}`, { body: ps, query: { fieldManager: FIELD_MANAGER } });
  }

  /** Deletes a PushSecret; with `uid`, only that very object. Gone already is fine. */
  async deletePushSecret(namespace: string, name: string, uid?: string): Promise<void> {
    const body = uid ? { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid } } : undefined;
    await this.#write('DELETE', `/apis/${GROUP}/v1alpha1/namespaces/${namespace}/pushsecrets/${name}`, `delete PushSecret ${namespace}/${name}`, { body, notFoundOk: true });
  }

  /** Deletes a ClusterPushSecret (`projector dev --cluster`: one removed from the repository). Gone already is fine. */
  async deleteClusterPushSecret(name: string): Promise<void> {
    await this.#write('DELETE', `/apis/${GROUP}/v1alpha1/clusterpushsecrets/${name}`, `delete ClusterPushSecret ${name}`, { notFoundOk: true });
  }

  /**
   * Deletes a custom object by its API version and plural (`projector dev --cluster`: a store or
   * generator removed from the repository); `namespace` undefined for a cluster-scoped kind. The
   * API server's default propagation (background). Gone already is fine.
   */
  async deleteCustomObject(o: { apiVersion: string; plural: string; kind: string; namespace: string | undefined; name: string }): Promise<void> {
    const ns = o.namespace ? `/namespaces/${encodeURIComponent(o.namespace)}` : '';
    const what = `delete ${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
    await this.#write('DELETE', `/apis/${o.apiVersion}${ns}/${o.plural}/${encodeURIComponent(o.name)}`, what, { notFoundOk: true });
  }

  /**
   * The resource names (plurals) the API server serves in a group/version (its discovery
   * APIResourceList), or [] when it serves none of it (404): which optional CRDs are installed.
   */
  async servedResources(groupVersion: string): Promise<string[]> {
    await this.#throttle();
    let res: { status: number; body: string };
    try {
      res = await kubeSend(this.kubeConfig, { metrics: this.#metrics, method: 'GET', path: `/apis/${groupVersion}` });
    } catch {
      throw new ProjectorError('KubeUnavailable', `discover ${groupVersion}: API server unreachable`);
    }
    if (res.status === 404) return [];
    if (res.status >= 300) throw kubeError(new ApiException(res.status, `discover ${groupVersion}`, res.body, {}), `discover ${groupVersion}`);
    try {
      const list = JSON.parse(res.body) as { resources?: { name?: unknown }[] };
      return (list.resources ?? []).flatMap((r) => (typeof r.name === 'string' ? [r.name] : []));
    } catch {
      return [];
    }
  }
  // --- end ClusterPushSecret ---

  /** A ConfigMap's `data` (templateFrom.configMap), or undefined when it does not exist. */
  async getConfigMap(namespace: string, name: string): Promise<Record<string, string> | undefined> {
    await this.#throttle();
    try {
      const cm = await this.#json<{ data?: Record<string, string> }>('GET', `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps/${encodeURIComponent(name)}`, `read ConfigMap ${namespace}/${name}`);
      return cm.data ?? {};
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw kubeError(e, `read ConfigMap ${namespace}/${name}`);
    }
  }

  /**
   * A generator object (generators.external-secrets.io/v1alpha1) by GET, as ESO's resolver reads it
   * at each sync; `namespace` undefined for a cluster-scoped kind. Undefined on 404: the object or
   * its CRD is missing (the API server answers 404 for both), so an uninstalled generator CRD only
   * fails the ExternalSecrets that name it.
   */
  async getGenerator(plural: string, namespace: string | undefined, name: string): Promise<{ apiVersion?: string; kind: string; metadata: ObjectMeta; spec?: unknown } | undefined> {
    await this.#throttle();
    const base = `/apis/generators.external-secrets.io/v1alpha1`;
    const path = namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/${plural}/${encodeURIComponent(name)}` : `${base}/${plural}/${encodeURIComponent(name)}`;
    const what = `get ${plural} ${namespace ? `${namespace}/` : ''}${name}`;
    try {
      return await this.#json('GET', path, what);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw kubeError(e, what);
    }
  }

  async serviceAccountToken(namespace: string, name: string, audiences: string[], expirationSeconds = 3600): Promise<Sensitive<string>> {
    await this.#throttle();
    try {
      const tr = await this.#json<{ status?: { token?: string } }>('POST', `${serviceAccountPath(namespace, name)}/token`, `request a token for ServiceAccount ${namespace}/${name}`, {
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences, expirationSeconds } },
      });
      const token = tr.status?.token;
      if (!token) throw new ProjectorError('StoreAuthFailed', `TokenRequest for ServiceAccount ${namespace}/${name} returned no token`);
      return new Sensitive(token);
    } catch (e) {
      if (isNotFound(e)) throw new ProjectorError('CredentialNotFound', `ServiceAccount ${namespace}/${name} not found`);
      throw kubeError(e, `request a token for ServiceAccount ${namespace}/${name}`);
    }
  }

  /** `onRead` is told the ServiceAccount's resourceVersion (undefined: not found), as `readSecretKey`'s. */
  async serviceAccountAnnotations(namespace: string, name: string, onRead?: (resourceVersion: string | undefined) => void): Promise<Record<string, string>> {
    await this.#throttle();
    try {
      const sa = await this.#json<{ metadata?: { resourceVersion?: string; annotations?: Record<string, string> } }>('GET', serviceAccountPath(namespace, name), `read ServiceAccount ${namespace}/${name}`);
      onRead?.(sa.metadata?.resourceVersion);
      return sa.metadata?.annotations ?? {};
    } catch (e) {
      if (isNotFound(e)) {
        onRead?.(undefined);
        throw new ProjectorError('CredentialNotFound', `ServiceAccount ${namespace}/${name} not found`);
      }
      throw kubeError(e, `read ServiceAccount ${namespace}/${name}`);
    }
  }

  /**
   * One request as JSON through the pooled connections (src/kube/http.ts); a non-2xx answer throws
   * ApiException (status + Status body) for isNotFound / kubeError, a transport failure
   * KubeTransportError. Raw JSON rather than client-node's typed API: its ObjectSerializer walks
   * every object twice (and turns timestamps into Dates the rest of the code does not expect), and
   * its fetch path built a new connection pool per call. Returns the decoded answer; with
   * `ignoreAnswer` a 2xx answer's body is not decoded (the caller has no use for it).
   */
  async #json<T = unknown>(method: string, path: string, what: string, o: { body?: unknown; query?: QueryParams; contentType?: string; ignoreAnswer?: boolean } = {}): Promise<T> {
    const { ignoreAnswer, ...req } = o;
    const res = await kubeSend(this.kubeConfig, { metrics: this.#metrics, method, path, ...req });
    if (res.status < 200 || res.status >= 300) throw new ApiException(res.status, what, res.body, {});
    return (res.body && !ignoreAnswer ? JSON.parse(res.body) : {}) as T;
  }

  #throttle(): Promise<void> {
    return this.#limiter ? this.#limiter.take() : Promise.resolve();
  }
}
