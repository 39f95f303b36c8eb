// Objects the CRDs' schema and CEL rules admit but the validating webhook (core/admission.ts) and
// `projector validate` refuse: what CEL cannot express within the API server's cost budget
// (docs/design/004-eso-crd-superset.md). Shared by the unit table test (both code paths, same
// verdict) and the integration test (the real API server calling the webhook over loopback TLS).
import { stringify } from 'yaml';
import { analyse, DEFAULT_CONFIG } from '../../src/cli/commands/validate.ts';
import { parseFile } from '../../src/cli/manifests.ts';
import { defaultRegistry } from '../../src/cli/default-registry.ts';
import { Msg } from '../../src/api/validation-rules.ts';

export const NS = 'admission';
const group = 'external-secrets.io';
export const STORE = { apiVersion: `${group}/v1`, kind: 'ClusterSecretStore', metadata: { name: 's' }, spec: { provider: { fake: { data: [{ key: 'a', value: 'b' }] } } } };
const GOOD_SPEC = { secretStoreRef: { name: 's', kind: 'ClusterSecretStore' }, data: [{ secretKey: 'A', remoteRef: { key: 'a' } }] };

export type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; spec: any };
export const es = (name: string, spec: object): Obj => ({ apiVersion: `${group}/v1`, kind: 'ExternalSecret', metadata: { name, namespace: NS }, spec: { ...GOOD_SPEC, ...spec } });
export const css = (name: string, spec: object): Obj => ({ apiVersion: `${group}/v1`, kind: 'ClusterSecretStore', metadata: { name }, spec });
const akv = (vaultUrl: string) => ({ azurekv: { vaultUrl, tenantId: 't', authSecretRef: { clientId: { name: 'c', key: 'id', namespace: 'x' }, clientSecret: { name: 'c', key: 'secret', namespace: 'x' } } } });

export interface BadCase {
  name: string;
  object: Obj;
  /** The field both name. */
  path: string;
  /** Text both print (validate's message starts with it; the webhook's refusal contains it). */
  text: string;
}

export const BAD: BadCase[] = [
  // Regular-expression syntax is Go's RE2 (core/go-regexp.ts over re2js): JavaScript accepts a lookahead, Go refuses it.
  { name: 'a find.name.regexp that is not RE2', object: es('find-lookahead', { dataFrom: [{ find: { name: { regexp: '^(?=db)' } } }] }), path: 'spec.dataFrom[0].find.name.regexp', text: Msg.invalidRegexp },
  { name: 'an unbalanced find.name.regexp', object: es('find-paren', { dataFrom: [{ find: { name: { regexp: 'db-(' } } }] }), path: 'spec.dataFrom[0].find.name.regexp', text: Msg.invalidRegexp },
  {
    name: 'a rewrite regexp that is not RE2',
    object: es('rewrite-bad', { dataFrom: [{ extract: { key: 'a' }, rewrite: [{ regexp: { source: '[z-a]', target: 'x' } }] }] }),
    path: 'spec.dataFrom[0].rewrite[0].regexp.source',
    text: Msg.invalidRegexp,
  },
  // ESO's validateDuplicateKeys (deletionPolicy Retain, the default).
  {
    name: 'a secretKey set twice under deletionPolicy Retain',
    object: es('dup-key', { data: [{ secretKey: 'A', remoteRef: { key: 'a' } }, { secretKey: 'A', remoteRef: { key: 'b' } }] }),
    path: 'spec.data[1].secretKey',
    text: 'secretKey "A" is also set by spec.data[0]',
  },
  // ESO's ValidateSecretTemplateFromTargets and validatePrivilegedTemplate (templateFrom part).
  { name: 'a templateFrom target outside Data/Annotations/Labels', object: es('tf-type', { target: { template: { templateFrom: [{ literal: 'x', target: 'type' }] } } }), path: 'spec.target.template.templateFrom[0].target', text: Msg.templateFromTarget },
  {
    name: 'a service-account token with a templateFrom target annotations',
    object: es('tf-sa', { target: { template: { type: 'kubernetes.io/service-account-token', templateFrom: [{ literal: 'a: b', target: 'annotations' }] } } }),
    path: 'spec.target.template.templateFrom[0].target',
    text: Msg.serviceAccountTokenTemplateFrom,
  },
  // Empty find filters: ESO's providers treat `tags: {}` as no tag filter and `regexp: ""` as no name
  // filter (azure/keyvault getAllSecretsWithLegacySDK: checkTags := len(ref.Tags) > 0, checkName :=
  // ref.Name != nil && ref.Name.RegExp != ""), so they are `find: {}`, which Projector refuses.
  { name: 'a find with empty tags', object: es('find-tags-empty', { dataFrom: [{ find: { tags: {} } }] }), path: 'spec.dataFrom[0].find', text: Msg.findEmpty },
  { name: 'a find with an empty name.regexp', object: es('find-regexp-empty', { dataFrom: [{ find: { name: { regexp: '' } } }] }), path: 'spec.dataFrom[0].find', text: Msg.findEmpty },
  // Stores: ESO's validateConditions (regexp.Compile of namespaceRegexes) and the provider's ValidateStore.
  {
    name: 'a namespaceRegexes entry that is not RE2',
    object: css('ns-regex', { provider: STORE.spec.provider, conditions: [{ namespaceRegexes: ['team-(a'] }] }),
    path: 'spec.conditions[0].namespaceRegexes[0]',
    text: Msg.invalidRegexp,
  },
  { name: 'an azurekv vaultUrl over plain http', object: css('akv-http', { provider: akv('http://v.vault.azure.net') }), path: 'spec.provider.azurekv.vaultUrl', text: 'spec.provider.azurekv.vaultUrl must use https' },
];

/**
 * Objects both admit. `warns`: a path both report without refusing (validate: a warning or
 * NotSupported). `warnsText`: a warning both give with no field path, its exact text.
 */
export const GOOD: { object: Obj; warns?: string; warnsText?: string }[] = [
  { object: es('good-find', { dataFrom: [{ find: { name: { regexp: '(?i)^db-[[:alnum:]]+$' }, tags: { team: 'a' } } }, { extract: { key: 'a' }, rewrite: [{ regexp: { source: '^db-', target: '' } }] }] }) },
  { object: es('good-tf', { target: { template: { templateFrom: [{ literal: 'a: b', target: 'Annotations' }, { literal: 'c: d', target: 'labels' }, { literal: 'E: f' }] } } }) },
  // ESO refuses duplicates only under Retain; otherwise the last one wins (a warning in Projector).
  {
    object: es('dup-delete', { target: { deletionPolicy: 'Delete' }, data: [{ secretKey: 'A', remoteRef: { key: 'a' } }, { secretKey: 'A', remoteRef: { key: 'b' } }] }),
    warns: 'spec.data[1].secretKey',
  },
  // A feature Projector does not implement: admitted (the condition says NotSupported), `validate` fails it.
  { object: es('engine-v1', { target: { template: { engineVersion: 'v1', data: { k: 'v' } } } }), warns: 'spec.target.template.engineVersion' },
  // spec.syncWindows (core/sync-windows.ts): admitted; a schedule robfig/cron refuses passes ESO's
  // CRD pattern and ESO ignores that window, so both admit it with a warning naming the schedule.
  { object: es('sync-windows', { syncWindows: { kind: 'allow', windows: [{ schedule: '0 22 * * 1-5', duration: '8h' }, { schedule: '@daily', duration: '30m' }] } }) },
  { object: es('sync-windows-bad-cron', { syncWindows: { kind: 'deny', windows: [{ schedule: '0 25 * * *', duration: '1h' }] } }), warns: 'spec.syncWindows.windows[0].schedule' },
  // The fake provider is not maintained: ESO's webhook warns of it (apis/externalsecrets/v1/secretstore_validator.go
  // validateStore, warnStoreUnmaintained = "store %s isn't currently maintained. Please plan and prepare accordingly.").
  { object: css('good-ns-regex', { provider: STORE.spec.provider, conditions: [{ namespaceRegexes: ['^team-(a|b)$'] }] }), warnsText: "store good-ns-regex isn't currently maintained. Please plan and prepare accordingly." },
  { object: css('good-akv', { provider: akv('https://v.vault.azure.net') }) },
];

export interface Finding {
  path: string;
  message: string;
  severity: string;
  code: string;
}

/** `projector validate`'s findings for `object` (beside the store it references), every provider registered. */
export function validateFindings(object: Obj): Finding[] {
  const docs = parseFile('case.yaml', [STORE, object].map((o) => stringify(o)).join('---\n')).docs;
  const report = analyse(docs, [], DEFAULT_CONFIG, false, { providers: defaultRegistry().providers() });
  return report.problems.filter((p) => p.document === 1).map((p) => ({ path: p.path ?? '', message: p.message, severity: p.severity, code: p.code }));
}
