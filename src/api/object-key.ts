// Object keys in a module of their own, without meta.ts's TypeBox schemas: the operator needs the
// keys at run time but never the schemas (those are for CRD generation and the CLI's checks), and
// importing TypeBox costs ~20 MB of RSS and ~0.3 s at every start (docs/benchmarks.md, "Idle
// memory and start-up"). meta.ts re-exports both, so existing imports keep working.

/** "namespace/name" for namespaced objects, "/name" for cluster-scoped ones. */
export type ObjectKey = `${string}/${string}`;

/** The key of an object: `namespace/name`, or `/name` when `namespace` is undefined (cluster-scoped). */
export function objectKey(namespace: string | undefined, name: string): ObjectKey {
  return `${namespace ?? ''}/${name}`;
}

/** objectKey's inverse: an empty namespace part gives `namespace: undefined`. */
export function splitKey(key: ObjectKey): { namespace: string | undefined; name: string } {
  const i = key.indexOf('/');
  const ns = key.slice(0, i);
  return { namespace: ns === '' ? undefined : ns, name: key.slice(i + 1) };
}

/**
 * The ESO kinds whose CRDs have `scope: Cluster` (ESO config/crds/bases: ClusterSecretStore,
 * ClusterExternalSecret, ClusterPushSecret, ClusterGenerator). Kept here, without crds.ts's
 * schemas, for the CLI's labels; test/unit/api/object-key.test.ts checks it against crds.ts KINDS.
 */
export const CLUSTER_SCOPED_KINDS: readonly string[] = ['ClusterSecretStore', 'ClusterExternalSecret', 'ClusterPushSecret', 'ClusterGenerator'];

/** True for a kind whose objects have no namespace (see CLUSTER_SCOPED_KINDS). */
export function isClusterScopedKind(kind: string | undefined): boolean {
  return kind !== undefined && CLUSTER_SCOPED_KINDS.includes(kind);
}

/**
 * How the CLI names an object in messages: "Kind namespace/name", or "Kind name" for a
 * cluster-scoped kind (a metadata.namespace written on one is ignored, as the API server does)
 * or when there is no namespace.
 */
export function objectLabel(kind: string, namespace: string | undefined, name: string): string {
  const ns = isClusterScopedKind(kind) ? undefined : namespace;
  return `${kind} ${ns ? `${ns}/` : ''}${name}`;
}
