// Projector's CRDs hold every field of ESO's (issue 11): applied over an ESO installation they prune
// nothing, and `projector validate` accepts every field ESO's schema has. The reference is ESO's
// published CRDs, copied into test/fixtures/eso-crds/<version>/ with the field list derived from them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { renderCrdFiles } from '../../../src/api/crd-files.ts';
import { schemaFieldPaths, schemaNodeAt } from '../../../src/api/eso-schema-paths.ts';
import { ESO_VERSION, FIELD_PATH_KINDS, importedFiles, readEsoCrd } from '../../../scripts/import-eso-schemas.ts';

const root = new URL('../../../', import.meta.url).pathname;
const fixture = JSON.parse(readFileSync(`${root}test/fixtures/eso-crds/${ESO_VERSION}/field-paths.json`, 'utf8')) as {
  esoVersion: string;
  kinds: Record<string, Record<string, string[]>>;
};

type Schema = Record<string, any>;
const rendered = renderCrdFiles(stringify);
function projectorSchema(kind: string, version: string): Schema {
  const [group, plural] = FIELD_PATH_KINDS[kind]!;
  const file = rendered.find((f) => f.path.endsWith(`/${plural}.${group}.yaml`));
  assert.ok(file, `Projector renders no CRD for ${kind} (${plural}.${group})`);
  const crd = parse(file.content) as { spec: { versions: { name: string; schema: { openAPIV3Schema: Schema } }[] } };
  const served = crd.spec.versions.find((v) => v.name === version);
  assert.ok(served, `Projector's ${kind} CRD does not serve ${version}`);
  return served.schema.openAPIV3Schema;
}
function esoSchema(kind: string, version: string): Schema {
  const [group, plural] = FIELD_PATH_KINDS[kind]!;
  return readEsoCrd(plural, group).spec.versions.find((v) => v.name === version)!.schema.openAPIV3Schema;
}
const cases = Object.entries(fixture.kinds).flatMap(([kind, versions]) => Object.keys(versions).map((version) => ({ kind, version })));

describe(`CRDs: a superset of ESO ${ESO_VERSION}'s`, () => {
  it('the fixture field list and the imported provider schemas are what scripts/import-eso-schemas.ts derives from the CRD copies', () => {
    assert.equal(fixture.esoVersion, ESO_VERSION);
    for (const f of importedFiles()) assert.equal(readFileSync(root + f.path, 'utf8'), f.content, `${f.path} drifted: run node scripts/import-eso-schemas.ts`);
    assert.ok(fixture.kinds.SecretStore!.v1!.length > 1000, 'the field list covers every provider');
    assert.deepEqual(Object.keys(fixture.kinds), Object.keys(FIELD_PATH_KINDS), 'every kind Projector serves from ESO');
  });

  for (const { kind, version } of cases) {
    it(`${kind} ${version}: every ESO field path is declared (not merely preserved) with ESO's type`, () => {
      const ours = projectorSchema(kind, version);
      const eso = esoSchema(kind, version);
      const missing: string[] = [];
      const wrongType: string[] = [];
      for (const path of fixture.kinds[kind]![version]!) {
        const { node } = schemaNodeAt(ours, path);
        if (!node) {
          missing.push(path);
          continue;
        }
        const theirs = schemaNodeAt(eso, path).node!;
        // An untyped node (x-kubernetes-preserve-unknown-fields only) keeps any value: azurekv's
        // tenantId, which Projector also accepts as {valueFrom: {secretKeyRef}}.
        const untyped = node.type === undefined && node['x-kubernetes-preserve-unknown-fields'] === true && node['x-kubernetes-int-or-string'] === undefined;
        const intOrString = node['x-kubernetes-int-or-string'] === true && (theirs.type === 'integer' || theirs.type === 'string' || theirs['x-kubernetes-int-or-string']);
        if (!untyped && !intOrString && node.type !== theirs.type) wrongType.push(`${path}: ${theirs.type} in ESO, ${node.type} here`);
        if (theirs.enum && node.enum) {
          const lost = (theirs.enum as string[]).filter((v) => !(node.enum as string[]).includes(v));
          if (lost.length) wrongType.push(`${path}: enum lacks ${lost.join(', ')}`);
        }
      }
      assert.deepEqual(missing, [], `fields ESO ${ESO_VERSION} declares that Projector's ${kind} ${version} lacks (the API server would prune them)`);
      assert.deepEqual(wrongType, []);
    });
  }

  // Bounds, patterns, required fields and SSA list/map types, keyword by keyword, outside the
  // imported providers (which are ESO's schema itself). Each difference is deliberate and says why.
  const DELIBERATE: Record<string, string> = {
    'ExternalSecret spec.secretStoreRef required': 'Projector requires secretStoreRef.name: without it no store can be found (ESO fails at run time)',
    'ExternalSecret spec.data[].sourceRef.storeRef required': 'as spec.secretStoreRef',
    'ExternalSecret spec.dataFrom[].sourceRef.storeRef required': 'as spec.secretStoreRef',
    'ExternalSecret spec.target.template.engineVersion enum': 'v1 is accepted (v1beta1 has it) and reported NotSupported instead of refused',
    'SecretStore spec.provider x-kubernetes-preserve-unknown-fields': 'a provider key no ESO release knows is kept and reported NotSupported by name, not pruned',
    'SecretStore status.capabilities enum': 'Projector writes only these values',
    // The API server's CEL cost budget needs a bound before a rule may run a regular expression over
    // a string; ESO checks these fields in its webhook (Go decoding) instead. Longest Go duration: 24 characters.
    'ExternalSecret spec.refreshInterval maxLength': 'bound for the CEL duration rule (api/validation-rules.ts MAX_DURATION_CHARS)',
    'ExternalSecret spec.syncWindows.windows[].duration maxLength': 'bound for the CEL duration rule (api/validation-rules.ts Rules.syncWindowDuration)',
    'ExternalSecret spec.syncWindows.windows maxItems': 'the same rule runs once per window: CEL prices it by the longest list (api/validation-rules.ts MAX_SYNC_WINDOWS)',
    'SecretStore spec.refreshInterval maxLength': 'bound for the CEL duration rule',
  };
  const KEYWORDS = ['type', 'enum', 'pattern', 'minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties', 'required', 'default', 'format', 'nullable',
    'x-kubernetes-int-or-string', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-list-type', 'x-kubernetes-map-type'];
  for (const kind of ['ExternalSecret', 'SecretStore']) {
    it(`${kind} v1: ESO's bounds, patterns and defaults, except the listed deliberate differences`, () => {
      const ours = projectorSchema(kind, 'v1');
      const eso = esoSchema(kind, 'v1');
      const found: string[] = [];
      const used = new Set<string>();
      for (const path of schemaFieldPaths(eso)) {
        if (/^spec\.provider\.(?!azurekv|fake)/.test(path)) continue;
        const theirs = schemaNodeAt(eso, path).node!;
        const node = schemaNodeAt(ours, path).node;
        if (!node) continue; // the test above reports it
        for (const k of KEYWORDS) {
          const norm = (v: unknown) => JSON.stringify(Array.isArray(v) ? [...v].sort() : v);
          if (norm(theirs[k]) === norm(node[k])) continue;
          if (k === 'x-kubernetes-preserve-unknown-fields' && path === 'spec.provider.azurekv.tenantId') continue;
          if (k === 'type' && path === 'spec.provider.azurekv.tenantId') continue;
          const id = `${kind} ${path} ${k}`;
          if (id in DELIBERATE) used.add(id);
          else found.push(`${id}: ESO ${JSON.stringify(theirs[k])}, Projector ${JSON.stringify(node[k])}`);
        }
      }
      assert.deepEqual(found, []);
      const stale = Object.keys(DELIBERATE).filter((id) => id.startsWith(`${kind} `) && !used.has(id));
      assert.deepEqual(stale, [], 'listed differences that no longer exist');
    });
  }

  it('every CRD still fits client-side `kubectl apply` (its last-applied annotation is limited to 256 KiB)', () => {
    for (const f of rendered) {
      const bytes = Buffer.byteLength(JSON.stringify(parse(f.content)));
      assert.ok(bytes < 256 * 1024 - 8 * 1024, `${f.path}: ${bytes} bytes of JSON`);
    }
  });
});
