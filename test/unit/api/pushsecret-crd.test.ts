// PushSecret's CRD holds every field of ESO v2.9's (config/crds/bases/external-secrets.io_pushsecrets.yaml,
// copied gzipped into test/fixtures/eso-crds/v2.9.0/) with ESO's type and keywords: applied over an
// ESO installation it prunes nothing, and `projector validate` accepts what ESO accepts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse, stringify } from 'yaml';
import { renderCrdFiles } from '../../../src/api/crd-files.ts';
import { schemaFieldPaths, schemaNodeAt } from '../../../src/api/eso-schema-paths.ts';
import { readEsoCrd } from '../../../scripts/import-eso-schemas.ts';

type Schema = Record<string, any>;

function ours(plural = 'pushsecrets'): Schema {
  const file = renderCrdFiles(stringify).find((f) => f.path === `deploy/crds/${plural}.external-secrets.io.yaml`);
  assert.ok(file, `deploy/crds/${plural}.external-secrets.io.yaml is generated`);
  const crd = parse(file.content) as { spec: { group: string; versions: { name: string; served: boolean; storage: boolean; schema: { openAPIV3Schema: Schema } }[] } };
  assert.equal(crd.spec.group, 'external-secrets.io');
  assert.deepEqual(crd.spec.versions.map((v) => [v.name, v.served, v.storage]), [['v1alpha1', true, true]]);
  return crd.spec.versions[0]!.schema.openAPIV3Schema;
}
const esoOf = (plural: string) => readEsoCrd(plural).spec.versions.find((v) => v.name === 'v1alpha1')!.schema.openAPIV3Schema;

// Bounds Projector adds on purpose (docs/design/000-overview.md): the CEL duration rule needs one.
const DELIBERATE = new Set(['spec.refreshInterval maxLength']);
const KEYWORDS = ['type', 'enum', 'pattern', 'minLength', 'maxLength', 'minProperties', 'maxProperties', 'required', 'default', 'format', 'x-kubernetes-preserve-unknown-fields'];

// ClusterPushSecret (ESO's external-secrets.io_clusterpushsecrets.yaml) embeds the PushSecret spec
// under spec.pushSecretSpec: the same deliberate bounds apply there.
for (const { kind, plural, prefix } of [
  { kind: 'PushSecret', plural: 'pushsecrets', prefix: 'spec.' },
  { kind: 'ClusterPushSecret', plural: 'clusterpushsecrets', prefix: 'spec.pushSecretSpec.' },
]) {
  const deliberate = new Set([...DELIBERATE].map((d) => d.replace(/^spec\./, prefix)));
  describe(`${kind} CRD: a superset of ESO v2.9`, () => {
    it("declares every ESO field path with ESO's keywords (template and labelSelector internals included)", () => {
      const schema = ours(plural);
      const eso = esoOf(plural);
      const missing: string[] = [];
      const differ: string[] = [];
      const paths = schemaFieldPaths(eso);
      assert.ok(paths.length > 60, 'the fixture has the whole schema');
      for (const path of paths) {
        const node = schemaNodeAt(schema, path).node;
        const theirs = schemaNodeAt(eso, path).node!;
        if (!node) {
          missing.push(path);
          continue;
        }
        for (const k of KEYWORDS) {
          const norm = (v: unknown) => JSON.stringify(Array.isArray(v) ? [...v].sort() : v);
          if (norm(theirs[k]) === norm(node[k]) || deliberate.has(`${path} ${k}`)) continue;
          // status.refreshTime: nullable (ESO writes `refreshTime: null` before the first sync).
          if (path === 'status.refreshTime') continue;
          differ.push(`${path} ${k}: ESO ${norm(theirs[k])}, Projector ${norm(node[k])}`);
        }
      }
      assert.deepEqual(missing, []);
      assert.deepEqual(differ, []);
    });
  });
}
