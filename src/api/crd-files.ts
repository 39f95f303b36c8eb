import { customResourceDefinitions } from './crds.ts';

const HEADER = '# Generated from src/api by scripts/gen-crds.ts; do not edit.\n';

/** The CRD files as committed under deploy/crds/, one per kind. */
export function renderCrdFiles(stringify: (o: unknown, opts: object) => string): { path: string; content: string }[] {
  return customResourceDefinitions().map((crd) => {
    const name = (crd as { metadata: { name: string } }).metadata.name;
    return { path: `deploy/crds/${name}.yaml`, content: HEADER + stringify(crd, { lineWidth: 0, aliasDuplicateObjects: false }) };
  });
}
