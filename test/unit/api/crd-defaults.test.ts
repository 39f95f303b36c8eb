// The exact set of `default:` keys in the generated CRDs. The API server writes every default into
// stored objects, so each one is a live field a GitOps tool sees although Git never had it; ESO's
// CRDs (config/crds/bases/external-secrets.io_externalsecrets.yaml, _secretstores.yaml and
// _clustersecretstores.yaml, _clusterexternalsecrets.yaml, version v1, ESO v2.9, copied in test/fixtures/eso-crds/) have defaults at
// exactly these paths and nowhere else — in particular none on remoteRef/extract/find
// strategies or on a store reference's kind.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { customResourceDefinitions } from '../../../src/api/crds.ts';
import { readEsoCrd } from '../../../scripts/import-eso-schemas.ts';

type Schema = { default?: unknown; properties?: Record<string, Schema>; items?: Schema; additionalProperties?: Schema | boolean };

/** "path = JSON of default" for every schema node with a default; `[]` marks array items. */
function defaultsOf(node: Schema, path: string, out: string[]): string[] {
  if ('default' in node) out.push(`${path} = ${JSON.stringify(node.default)}`);
  for (const [k, v] of Object.entries(node.properties ?? {})) defaultsOf(v, `${path}.${k}`, out);
  if (node.items) defaultsOf(node.items, `${path}[]`, out);
  if (node.additionalProperties && typeof node.additionalProperties === 'object') defaultsOf(node.additionalProperties, `${path}{}`, out);
  return out;
}

// ExternalSecret: what Projector's own schema defaults, written out so a change is seen in review.
const EXTERNALSECRET_DEFAULTS = [
  '.spec.data[].sourceRef.generatorRef.apiVersion = "generators.external-secrets.io/v1alpha1"',
  '.spec.dataFrom[].rewrite[].merge.conflictPolicy = "Error"',
  '.spec.dataFrom[].rewrite[].merge.into = ""',
  '.spec.dataFrom[].rewrite[].merge.priorityPolicy = "Strict"',
  '.spec.dataFrom[].rewrite[].merge.strategy = "Extract"',
  '.spec.dataFrom[].sourceRef.generatorRef.apiVersion = "generators.external-secrets.io/v1alpha1"',
  '.spec.refreshInterval = "1h0m0s"',
  '.spec.target = {"creationPolicy":"Owner","deletionPolicy":"Retain"}',
  '.spec.target.creationPolicy = "Owner"',
  '.spec.target.deletionPolicy = "Retain"',
  '.spec.target.template.engineVersion = "v2"',
  '.spec.target.template.mergePolicy = "Replace"',
  '.spec.target.template.templateFrom[].configMap.items[].templateAs = "Values"',
  '.spec.target.template.templateFrom[].secret.items[].templateAs = "Values"',
  '.spec.target.template.templateFrom[].target = "Data"',
  '.status.binding.name = ""',
];

/** ESO's defaults for a kind at `version` (v1 for the core kinds, v1alpha1 for PushSecret and generators), from the copy of its CRD (every provider included). */
function esoDefaults(plural: string, version = 'v1', group?: string): string[] {
  const crd = readEsoCrd(plural, group);
  return defaultsOf(crd.spec.versions.find((v) => v.name === version)!.schema.openAPIV3Schema as Schema, '', []).sort();
}
const PLURAL: Record<string, string> = { ExternalSecret: 'externalsecrets', SecretStore: 'secretstores', ClusterSecretStore: 'clustersecretstores', ClusterExternalSecret: 'clusterexternalsecrets', PushSecret: 'pushsecrets', ClusterPushSecret: 'clusterpushsecrets' };
/** Generator kinds (generators.external-secrets.io, ESO's CRDs in the same fixture). */
const GENERATOR_PLURAL: Record<string, string> = { Password: 'passwords', UUID: 'uuids', Fake: 'fakes', ACRAccessToken: 'acraccesstokens', SSHKey: 'sshkeys', MFA: 'mfas', Webhook: 'webhooks', GithubAccessToken: 'githubaccesstokens', ClusterGenerator: 'clustergenerators', GeneratorState: 'generatorstates' };

describe('CRD defaults', () => {
  for (const crd of customResourceDefinitions() as { spec: { names: { kind: string }; versions: { name: string; schema: { openAPIV3Schema: Schema } }[] } }[]) {
    for (const v of crd.spec.versions) {
      it(`${crd.spec.names.kind} ${v.name} defaults exactly what ESO's CRD defaults`, () => {
        const kind = crd.spec.names.kind;
        const ours = defaultsOf(v.schema.openAPIV3Schema, '', []).sort();
        if (GENERATOR_PLURAL[kind]) {
          assert.deepEqual(ours, esoDefaults(GENERATOR_PLURAL[kind], 'v1alpha1', 'generators.external-secrets.io'));
          if (kind === 'Password') assert.deepEqual(ours, ['.spec.allowRepeat = false', '.spec.encoding = "raw"', '.spec.length = 24', '.spec.noUpper = false']);
          return;
        }
        assert.deepEqual(ours, esoDefaults(PLURAL[kind]!, kind === 'PushSecret' || kind === 'ClusterPushSecret' ? 'v1alpha1' : 'v1'));
        if (kind === 'ExternalSecret') assert.deepEqual(ours, [...EXTERNALSECRET_DEFAULTS].sort());
        else if (kind === 'ClusterExternalSecret') {
          // The ExternalSecret spec's defaults under spec.externalSecretSpec, and none of its own.
          const embedded = EXTERNALSECRET_DEFAULTS.filter((d) => d.startsWith('.spec.')).map((d) => d.replace(/^\.spec\./, '.spec.externalSecretSpec.'));
          assert.deepEqual(ours, embedded.sort());
        } else if (kind === 'PushSecret') assert.ok(ours.includes('.spec.updatePolicy = "Replace"'));
        else if (kind === 'ClusterPushSecret') {
          // The PushSecret spec's defaults under spec.pushSecretSpec, and none of its own.
          const embedded = defaultsOf(customResourceDefinitions().map((c) => c as { spec: { names: { kind: string }; versions: { schema: { openAPIV3Schema: Schema } }[] } }).find((c) => c.spec.names.kind === 'PushSecret')!.spec.versions[0]!.schema.openAPIV3Schema, '', [])
            .filter((d) => d.startsWith('.spec.'))
            .map((d) => d.replace(/^\.spec\./, '.spec.pushSecretSpec.'));
          assert.ok(embedded.includes('.spec.pushSecretSpec.updatePolicy = "Replace"'));
          assert.deepEqual(ours, embedded.sort());
        }
        else assert.ok(ours.includes('.spec.provider.azurekv.authType = "ServicePrincipal"'));
      });
    }
  }
});
