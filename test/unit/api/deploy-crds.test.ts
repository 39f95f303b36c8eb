// The Kustomize installs apply every CRD the operator serves. A missing one (the ClusterExternalSecret
// CRD was once left out of deploy/kustomization.yaml) leaves its reflector waiting, so the operator
// never reports ready.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { renderCrdFiles } from '../../../src/api/crd-files.ts';

const root = new URL('../../../', import.meta.url).pathname;

/** The files a kustomization's resources name, following directories into their kustomization. */
function resourceFiles(dir: string): string[] {
  const k = parse(readFileSync(join(root, dir, 'kustomization.yaml'), 'utf8')) as { resources?: string[] };
  return (k.resources ?? []).flatMap((r) => (r.endsWith('.yaml') ? [join(dir, r)] : resourceFiles(join(dir, r))));
}

describe('Kustomize installs', () => {
  const crdFiles = renderCrdFiles((o) => JSON.stringify(o)).map((f) => f.path);
  for (const install of ['deploy', 'deploy/namespaced']) {
    it(`${install} applies every generated CRD`, () => {
      const files = new Set(resourceFiles(install));
      for (const crd of crdFiles) assert.ok(files.has(crd), `${install} does not apply ${crd}`);
    });
  }
});
