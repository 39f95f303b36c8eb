// Field paths of an OpenAPI v3 (CRD) schema, used to compare Projector's CRDs with ESO's
// (test/fixtures/eso-crds/<version>/field-paths.json, scripts/import-eso-schemas.ts).
// Pure: no I/O.

/**
 * Every field path a structural schema declares, in document order: `spec.data[].remoteRef.key`
 * (`[]` = an array's items, `{}` = a map's values). The root has no path.
 */
export function schemaFieldPaths(schema: unknown, prefix = ''): string[] {
  const out: string[] = [];
  walk(schema, prefix, out);
  return out;
}

function walk(schema: unknown, prefix: string, out: string[]): void {
  if (schema === null || typeof schema !== 'object') return;
  const s = schema as { properties?: Record<string, unknown>; items?: unknown; additionalProperties?: unknown };
  if (s.properties) {
    for (const [name, sub] of Object.entries(s.properties)) {
      const path = prefix ? `${prefix}.${name}` : name;
      out.push(path);
      walk(sub, path, out);
    }
  }
  if (s.items && typeof s.items === 'object') walk(s.items, `${prefix}[]`, out);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') walk(s.additionalProperties, `${prefix}{}`, out);
}

/**
 * The schema node at `path` (as produced by schemaFieldPaths), or undefined when the schema does not
 * declare it. `preservedBy` is set when an ancestor keeps unknown fields (the API server would keep
 * the field without declaring it).
 */
export function schemaNodeAt(schema: unknown, path: string): { node?: Record<string, unknown>; preservedBy?: string } {
  const segments = path.match(/[^.[\]{}]+|\[\]|\{\}/g) ?? [];
  let node = schema as Record<string, unknown> | undefined;
  let at = '';
  for (const seg of segments) {
    if (!node) return {};
    let next: unknown;
    if (seg === '[]') next = node.items;
    else if (seg === '{}') next = node.additionalProperties;
    else next = (node.properties as Record<string, unknown> | undefined)?.[seg];
    if (next === undefined || next === null || typeof next !== 'object') {
      return node['x-kubernetes-preserve-unknown-fields'] === true ? { preservedBy: at } : {};
    }
    at = seg === '[]' || seg === '{}' ? `${at}${seg}` : at ? `${at}.${seg}` : seg;
    node = next as Record<string, unknown>;
  }
  return { node };
}
