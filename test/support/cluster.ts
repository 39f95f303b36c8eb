// Test-side Kubernetes helpers. They talk to the API server directly (never through the operator's
// caches), so assertions see what a user of kubectl would see.
import { readFileSync } from 'node:fs';
import { kubeSend } from '../../src/kube/http.ts';
import { CoreV1Api, CustomObjectsApi, KubernetesObjectApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { eventually } from './eventually.ts';

const root = new URL('../../', import.meta.url).pathname;
export const CRD_FILES = ['externalsecrets', 'secretstores', 'clustersecretstores', 'clusterexternalsecrets', 'pushsecrets', 'clusterpushsecrets'].map((p) => `${root}deploy/crds/${p}.external-secrets.io.yaml`);
/** The generator CRDs (generators.external-secrets.io); installCrds leaves them out unless asked. */
export const GENERATOR_CRD_FILES = ['passwords', 'uuids', 'fakes', 'acraccesstokens', 'sshkeys', 'mfas', 'webhooks', 'githubaccesstokens', 'clustergenerators', 'generatorstates'].map((p) => `${root}deploy/crds/${p}.generators.external-secrets.io.yaml`);

export function readYamlDocs(path: string): KubernetesObject[] {
  return parseAllDocuments(readFileSync(path, 'utf8'), { version: '1.1' })
    .map((d) => d.toJSON() as KubernetesObject)
    .filter(Boolean);
}

const PLURAL: Record<string, string> = {
  CustomResourceDefinition: 'customresourcedefinitions',
  ExternalSecret: 'externalsecrets',
  SecretStore: 'secretstores',
  ClusterSecretStore: 'clustersecretstores',
  ServiceAccount: 'serviceaccounts',
};

export class Cluster {
  readonly kc: KubeConfig;
  readonly objects: KubernetesObjectApi;
  readonly core: CoreV1Api;
  readonly custom: CustomObjectsApi;
  constructor(kc: KubeConfig) {
    this.kc = kc;
    this.objects = KubernetesObjectApi.makeApiClient(kc);
    this.core = kc.makeApiClient(CoreV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
  }

  /**
   * `kubectl apply --server-side --force-conflicts` for each object, sent as raw JSON: client-node's
   * typed serializer would drop fields it does not model (such as x-kubernetes-* schema keys).
   */
  async apply(objs: KubernetesObject[]): Promise<void> {
    for (const o of objs) await this.#serverSideApply(o);
  }

  async #serverSideApply(o: KubernetesObject): Promise<void> {
    const [group, version] = o.apiVersion!.includes('/') ? o.apiVersion!.split('/') : ['', o.apiVersion!];
    const plural = PLURAL[o.kind!] ?? `${o.kind!.toLowerCase()}s`;
    const ns = o.metadata?.namespace;
    const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
    const path = `${base}${ns ? `/namespaces/${ns}` : ''}/${plural}/${o.metadata!.name}`;
    const { status, body } = await this.request('PATCH', path, o, 'application/apply-patch+yaml', { fieldManager: 'tests', force: true });
    if (status >= 300) throw Object.assign(new Error(`apply ${o.kind} ${o.metadata?.name}: HTTP ${status} ${body.slice(0, 300)}`), { code: status });
  }

  request(method: string, path: string, body?: unknown, contentType = 'application/json', query: Record<string, string | boolean> = {}): Promise<{ status: number; body: string }> {
    return kubeSend(this.kc, { method, path, query, ...(body === undefined ? {} : { body, contentType }) });
  }

  async applyFile(path: string, tweak?: (o: any) => any): Promise<void> {
    await this.apply(readYamlDocs(path).map((o) => (tweak ? tweak(o) : o)));
  }

  /** Applies the CRD files (default: every one the operator serves) and waits until each is Established. */
  async installCrds(files: readonly string[] = CRD_FILES): Promise<void> {
    for (const f of files) await this.applyFile(f);
    for (const f of files) {
      const name = (readYamlDocs(f)[0]!.metadata as { name: string }).name;
      await eventually(
        async () => {
          const crd = (await this.objects.read({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name } })) as any;
          return crd.status?.conditions?.some((c: any) => c.type === 'Established' && c.status === 'True');
        },
        true,
        { timeoutMs: 20_000, message: `CRD ${name} established` },
      );
    }
  }

  async namespace(name: string, labels: Record<string, string> = {}): Promise<void> {
    await this.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } }]);
  }

  async secret(namespace: string, name: string): Promise<any | undefined> {
    try {
      return await this.core.readNamespacedSecret({ name, namespace });
    } catch (e) {
      if ((e as { code?: number }).code === 404) return undefined;
      throw e;
    }
  }

  async secretValue(namespace: string, name: string, key: string): Promise<string | undefined> {
    const s = await this.secret(namespace, name);
    const v = s?.data?.[key];
    return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
  }

  async externalSecret(namespace: string, name: string): Promise<any> {
    return this.custom.getNamespacedCustomObject({ group: 'external-secrets.io', version: 'v1', namespace, plural: 'externalsecrets', name });
  }

  async ready(namespace: string | undefined, plural: string, name: string): Promise<{ status?: string; reason?: string; message?: string; lastTransitionTime?: string }> {
    const o: any = namespace
      ? await this.custom.getNamespacedCustomObject({ group: 'external-secrets.io', version: 'v1', namespace, plural, name })
      : await this.custom.getClusterCustomObject({ group: 'external-secrets.io', version: 'v1', plural, name });
    const c = o.status?.conditions?.find((x: any) => x.type === 'Ready');
    return { status: c?.status, reason: c?.reason, message: c?.message, lastTransitionTime: c?.lastTransitionTime };
  }

  async events(namespace: string): Promise<{ reason?: string; message?: string; type?: string; name?: string }[]> {
    const list = await this.core.listNamespacedEvent({ namespace });
    return list.items.map((e) => ({ reason: e.reason, message: e.message, type: e.type, name: e.involvedObject.name }));
  }

  /** Everything a user could read about our objects: statuses and events, as text for leak checks. */
  async observableText(namespaces: string[]): Promise<string> {
    const parts: string[] = [];
    for (const ns of namespaces) {
      parts.push(JSON.stringify(await this.events(ns)));
      for (const plural of ['externalsecrets', 'secretstores']) {
        const l: any = await this.custom.listNamespacedCustomObject({ group: 'external-secrets.io', version: 'v1', namespace: ns, plural });
        parts.push(JSON.stringify(l.items.map((i: any) => ({ metadata: i.metadata, status: i.status }))));
      }
    }
    const css: any = await this.custom.listClusterCustomObject({ group: 'external-secrets.io', version: 'v1', plural: 'clustersecretstores' });
    parts.push(JSON.stringify(css.items.map((i: any) => i.status)));
    return parts.join('\n');
  }
}

/** Fails when any canary value occurs in any of the captured outputs. */
export function assertNowhere(canaries: string[], outputs: Record<string, string>): void {
  for (const [where, text] of Object.entries(outputs)) {
    for (const c of canaries) {
      if (text.includes(c)) throw new Error(`secret value leaked into ${where}`);
      const b64 = Buffer.from(c).toString('base64');
      if (text.includes(b64)) throw new Error(`secret value (base64) leaked into ${where}`);
    }
  }
}
