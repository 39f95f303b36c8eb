// The ExternalSecrets and stores a repository declares, as the objects the operator would see:
// shared by `projector check`, `projector dev` and `projector evidence`.
import { createHash } from 'node:crypto';
import type { ClusterExternalSecret, ClusterPushSecret, ExternalSecret, GeneratorObject, GenericStore, PushSecret } from '../api/index.ts';
import { CLUSTER_PUSH_SECRET_VERSION } from '../api/clusterpushsecret.ts';
import { PUSH_SECRET_VERSION } from '../api/pushsecret.ts';
import { API_VERSION, GROUP } from '../api/constants.ts';
import { GENERATOR_API_VERSION, IMPLEMENTED_GENERATOR_KINDS } from '../api/generators.ts';
import { loadManifests, type LoadedDoc, type Problem } from './manifests.ts';
import type { IgnoreOptions } from './ignore-rules.ts';
import { checkSchema, generatorSchemaCheck, isGeneratorDoc } from './schema-check.ts';
import { isClusterScopedKind, objectLabel } from '../api/object-key.ts';

export interface RepoObjects {
  externalSecrets: ExternalSecret[];
  stores: GenericStore[];
  /** PushSecrets (external-secrets.io/v1alpha1): `projector check` asks about their destinations. */
  pushSecrets?: PushSecret[];
  /** ClusterPushSecrets (cluster-scoped): `check` asks about the destinations of the PushSecrets they would create. */
  clusterPushSecrets?: ClusterPushSecret[];
  /** ClusterExternalSecrets: `check` and `dev` expand them into the ExternalSecrets they would create. */
  clusterExternalSecrets: ClusterExternalSecret[];
  /**
   * Generator objects of the kinds Projector runs (api/kinds.ts IMPLEMENTED_GENERATOR_KINDS), as
   * generatorRefs would read them: namespaced ones carry their namespace.
   */
  generators: GeneratorObject[];
  /**
   * Plain `v1` Secret manifests of the repository (name, namespace, labels, data, stringData,
   * type): `dev --cluster` applies those a PushSecret reads as its source. Never printed.
   */
  secrets?: RepoSecret[];
  /** Where each object came from, for messages: key "Kind/ns/name" → "file:line". */
  origins: Map<string, string>;
  problems: Problem[];
  /** With `refuseInvalid`: "Kind/ns/name" of documents not applied because the API server would refuse them. */
  refused?: string[];
  /**
   * The namespaces the repository's documents of any kind name (`metadata.namespace`, and the name
   * of a `v1` Namespace document), in the order first seen: `dev --cluster` never deletes a namespace
   * the repository declares something in (dev-namespaces.ts), whatever the kind.
   */
  namespaces?: string[];
}

/** A `v1` Secret as the repository declares it (values as written: base64 `data`, plain `stringData`). */
export interface RepoSecret {
  metadata: { name: string; namespace: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export interface LoadOptions {
  /**
   * Refuse, as `kubectl apply` does, a document the API server would refuse: a schema error,
   * including an unknown field. kubectl asks for server-side field validation `Strict` by default,
   * so an unknown field fails the apply (without it the API server would silently prune the field,
   * as ESO's CRDs do not preserve unknown fields). The schema errors become problems at file:line
   * and the object is left out. `projector dev` loads this way.
   */
  refuseInvalid?: boolean;
  /** What to skip inside scanned directories (.gitignore, --exclude). */
  ignore?: IgnoreOptions;
}

export function originKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}

/** A stable fake uid and a generation that changes with the spec, as an API server would assign. */
function identity(doc: LoadedDoc, spec: unknown): { uid: string; generation: number; resourceVersion: string } {
  const uid = createHash('sha256').update(`${doc.kind}/${doc.namespace ?? ''}/${doc.name}`).digest('hex').slice(0, 32);
  const generation = parseInt(createHash('sha256').update(JSON.stringify(spec ?? {})).digest('hex').slice(0, 8), 16);
  return { uid: `${uid.slice(0, 8)}-${uid.slice(8, 12)}-${uid.slice(12, 16)}-${uid.slice(16, 20)}-${uid.slice(20)}`, generation, resourceVersion: String(generation) };
}

export async function loadRepoObjects(paths: string[], defaultNamespace = 'default', options: LoadOptions = {}): Promise<RepoObjects> {
  const { docs, problems } = await loadManifests(paths, options.ignore);
  const out: RepoObjects & { pushSecrets: PushSecret[] } = { externalSecrets: [], stores: [], pushSecrets: [], clusterExternalSecrets: [], generators: [], origins: new Map(), problems };
  const namespaces = new Set<string>();
  out.namespaces = [];
  for (const doc of docs) {
    if (!doc.name) continue;
    const declared = doc.apiVersion === 'v1' && doc.kind === 'Namespace' ? doc.name : doc.namespace;
    if (declared && !namespaces.has(declared)) {
      namespaces.add(declared);
      out.namespaces.push(declared);
    }
    if (isGeneratorDoc(doc)) {
      addGenerator(doc, out, defaultNamespace, options);
      continue;
    }
    if (doc.apiVersion === 'v1' && doc.kind === 'Secret') {
      addSecret(doc, out, defaultNamespace);
      continue;
    }
    if (!doc.apiVersion?.startsWith(`${GROUP}/`)) continue;
    if (options.refuseInvalid && refuse(doc, out, defaultNamespace)) continue;
    const o = doc.object as { metadata?: Record<string, unknown>; spec?: unknown };
    const id = identity(doc, o.spec);
    const where = `${doc.file}:${doc.line}`;
    if (doc.kind === 'ExternalSecret') {
      const namespace = doc.namespace ?? defaultNamespace;
      out.externalSecrets.push({
        ...(o as object),
        apiVersion: API_VERSION,
        kind: 'ExternalSecret',
        metadata: { ...(o.metadata ?? {}), name: doc.name, namespace, ...id },
        spec: (o.spec ?? {}) as ExternalSecret['spec'],
        status: undefined,
      });
      out.origins.set(originKey('ExternalSecret', namespace, doc.name), where);
    } else if (doc.kind === 'PushSecret') {
      const namespace = doc.namespace ?? defaultNamespace;
      out.pushSecrets.push({
        ...(o as object),
        apiVersion: `${GROUP}/${PUSH_SECRET_VERSION}`,
        kind: 'PushSecret',
        metadata: { ...(o.metadata ?? {}), name: doc.name, namespace, ...id },
        spec: (o.spec ?? {}) as PushSecret['spec'],
      } as PushSecret);
      out.origins.set(originKey('PushSecret', namespace, doc.name), where);
    } else if (doc.kind === 'ClusterPushSecret') {
      (out.clusterPushSecrets ??= []).push({
        ...(o as object),
        apiVersion: `${GROUP}/${CLUSTER_PUSH_SECRET_VERSION}`,
        kind: 'ClusterPushSecret',
        metadata: { ...(o.metadata ?? {}), name: doc.name, ...id },
        spec: (o.spec ?? {}) as ClusterPushSecret['spec'],
      } as ClusterPushSecret);
      out.origins.set(originKey('ClusterPushSecret', undefined, doc.name), where);
    } else if (doc.kind === 'SecretStore' || doc.kind === 'ClusterSecretStore') {
      const namespace = doc.kind === 'SecretStore' ? (doc.namespace ?? defaultNamespace) : undefined;
      out.stores.push({
        ...(o as object),
        apiVersion: API_VERSION,
        kind: doc.kind,
        metadata: { ...(o.metadata ?? {}), name: doc.name, namespace, ...id },
        spec: (o.spec ?? { provider: {} }) as GenericStore['spec'],
        status: undefined,
      });
      out.origins.set(originKey(doc.kind, namespace, doc.name), where);
    } else if (doc.kind === 'ClusterExternalSecret') {
      out.clusterExternalSecrets.push({
        ...(o as object),
        apiVersion: API_VERSION,
        kind: 'ClusterExternalSecret',
        metadata: { ...(o.metadata ?? {}), name: doc.name, namespace: undefined, ...id },
        spec: (o.spec ?? {}) as ClusterExternalSecret['spec'],
        status: undefined,
      } as ClusterExternalSecret);
      out.origins.set(originKey('ClusterExternalSecret', undefined, doc.name), where);
    }
  }
  return out;
}

/**
 * A generator document of a kind Projector runs, as the API server would store it. With
 * `refuseInvalid`, one the API server would refuse (wrong version, schema) is a problem and left out;
 * its spec rules (core/generators.ts) are judged when a generatorRef runs it, as by the operator.
 */
function addGenerator(doc: LoadedDoc, out: RepoObjects, defaultNamespace: string, options: LoadOptions): void {
  const kind = doc.kind ?? '';
  if (!(IMPLEMENTED_GENERATOR_KINDS as readonly string[]).includes(kind) || doc.apiVersion !== GENERATOR_API_VERSION) return;
  const namespace = kind === 'ClusterGenerator' ? undefined : (doc.namespace ?? defaultNamespace);
  const checked = generatorSchemaCheck(doc);
  if (options.refuseInvalid) {
    const errors = checked.issues.filter((i) => i.severity === 'error');
    if (errors.length > 0) {
      const object = objectLabel(kind, namespace, doc.name!);
      for (const e of errors) {
        out.problems.push({ file: doc.file, ...doc.positionOf(e.path), severity: 'error', code: e.code, message: `${e.message}; the API server would refuse ${object}, so it was not applied`, path: e.path, object });
      }
      (out.refused ??= []).push(originKey(kind, namespace, doc.name!));
      return;
    }
  }
  // With the schema's defaults applied when it holds, as the API server stores the object.
  const o = (checked.issues.length === 0 ? checked.object : doc.object) as { metadata?: Record<string, unknown>; spec?: unknown };
  out.generators.push({ apiVersion: GENERATOR_API_VERSION, kind, metadata: { ...(o.metadata ?? {}), name: doc.name!, namespace, ...identity(doc, o.spec) }, spec: o.spec ?? {} });
  out.origins.set(originKey(kind, namespace, doc.name!), `${doc.file}:${doc.line}`);
}

/** The generator a generatorRef names, among the repository's (namespaced kinds in `namespace`). */
export function findGenerator(repo: Pick<RepoObjects, 'generators'>, kind: string, namespace: string | undefined, name: string): GeneratorObject | undefined {
  const ns = kind === 'ClusterGenerator' ? undefined : namespace;
  return repo.generators.find((g) => g.kind === kind && g.metadata.name === name && (g.metadata.namespace ?? undefined) === ns);
}

/** Records the schema errors of a document the API server would refuse; true when it is refused. */
function refuse(doc: LoadedDoc, out: RepoObjects, defaultNamespace: string): boolean {
  const errors = checkSchema(doc).filter((i) => i.severity === 'error');
  if (errors.length === 0) return false;
  const namespace = isClusterScopedKind(doc.kind) ? undefined : (doc.namespace ?? defaultNamespace);
  const object = objectLabel(doc.kind ?? '', namespace, doc.name!);
  for (const e of errors) {
    out.problems.push({ file: doc.file, ...doc.positionOf(e.path), severity: 'error', code: e.code, message: `${e.message}; the API server would refuse ${object}, so it was not applied`, path: e.path, object });
  }
  (out.refused ??= []).push(originKey(doc.kind ?? '', namespace, doc.name!));
  return true;
}

/** A `v1` Secret manifest: only its identity, labels, type and data fields are kept (what an apply sends). */
function addSecret(doc: LoadedDoc, out: RepoObjects, defaultNamespace: string): void {
  const o = doc.object as { metadata?: { labels?: unknown; annotations?: unknown }; type?: unknown; data?: unknown; stringData?: unknown };
  const strings = (v: unknown): Record<string, string> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x === null || x === undefined ? '' : String(x)])) : undefined);
  const namespace = doc.namespace ?? defaultNamespace;
  const labels = strings(o.metadata?.labels);
  const annotations = strings(o.metadata?.annotations);
  const data = strings(o.data);
  const stringData = strings(o.stringData);
  (out.secrets ??= []).push({
    metadata: { name: doc.name!, namespace, ...(labels && { labels }), ...(annotations && { annotations }) },
    ...(typeof o.type === 'string' && { type: o.type }),
    ...(data && { data }),
    ...(stringData && { stringData }),
  });
  out.origins.set(originKey('Secret', namespace, doc.name!), `${doc.file}:${doc.line}`);
}
