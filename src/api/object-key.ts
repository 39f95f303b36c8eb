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
