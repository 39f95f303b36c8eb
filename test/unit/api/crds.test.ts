import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { renderCrdFiles } from '../../../src/api/crd-files.ts';

const root = new URL('../../../', import.meta.url).pathname;

describe('CRDs', () => {
  it('deploy/crds matches the schemas in src/api (run npm run gen:crds after changing them)', () => {
    for (const f of renderCrdFiles(stringify)) assert.equal(readFileSync(root + f.path, 'utf8'), f.content, `${f.path} drifted`);
  });
  it('contain no schema constructs the API server rejects as non-structural', () => {
    for (const f of renderCrdFiles(stringify)) {
      for (const bad of ['oneOf:', 'const:', 'patternProperties:', '$id:']) assert.ok(!f.content.includes(bad), `${f.path} contains ${bad}`);
      // anyOf only as ESO writes it for int-or-string fields (a structural schema allows it there).
      const anyOf = f.content.match(/anyOf:/g)?.length ?? 0;
      const intOrString = f.content.match(/x-kubernetes-int-or-string: true/g)?.length ?? 0;
      assert.ok(anyOf <= intOrString, `${f.path}: anyOf outside int-or-string fields`);
    }
  });
  it("print the same columns as ESO's CRDs, in every served version", () => {
    const eso = JSON.parse(readFileSync(root + 'test/fixtures/eso-crds/printer-columns.json', 'utf8')) as { kinds: Record<string, Record<string, unknown>> };
    for (const f of renderCrdFiles(stringify)) {
      const crd = parse(f.content) as { spec: { names: { kind: string }; versions: { name: string; additionalPrinterColumns?: unknown }[] } };
      const expected = eso.kinds[crd.spec.names.kind];
      assert.ok(expected, `${crd.spec.names.kind} is in the ESO fixture`);
      for (const v of crd.spec.versions) assert.deepEqual(v.additionalPrinterColumns, expected[v.name], `${crd.spec.names.kind} ${v.name}`);
    }
  });
});
