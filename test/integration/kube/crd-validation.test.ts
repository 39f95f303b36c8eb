// Apply-time validation (issue 11): each bad object is applied to a real API server holding
// Projector's CRDs and run through `projector validate` (cli/commands/validate.ts analyse); both must
// refuse it. For CEL rules (api/validation-rules.ts) the API server's message carries the text
// `validate` prints; for ESO's schema keywords (patterns, bounds, required) it names the same field.
// Each good object must pass both.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { startControlPlane, type ControlPlane } from '../../support/controlplane.ts';
import { Cluster } from '../../support/cluster.ts';
import { analyse, DEFAULT_CONFIG } from '../../../src/cli/commands/validate.ts';
import { parseFile } from '../../../src/cli/manifests.ts';
import { fakeProvider } from '../../../src/providers/fake/index.ts';
import { Msg } from '../../../src/api/validation-rules.ts';

const NS = 'crd-validation';
const group = 'external-secrets.io';
const STORE = { apiVersion: `${group}/v1`, kind: 'ClusterSecretStore', metadata: { name: 's' }, spec: { provider: { fake: { data: [{ key: 'a', value: 'b' }] } } } };
const GOOD_SPEC = { secretStoreRef: { name: 's', kind: 'ClusterSecretStore' }, data: [{ secretKey: 'A', remoteRef: { key: 'a' } }] };

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; spec: any };
const es = (name: string, spec: object): Obj => ({ apiVersion: `${group}/v1`, kind: 'ExternalSecret', metadata: { name, namespace: NS }, spec: { ...GOOD_SPEC, ...spec } });
const css = (name: string, spec: object): Obj => ({ apiVersion: `${group}/v1`, kind: 'ClusterSecretStore', metadata: { name }, spec });
const ces = (name: string, spec: object): Obj => ({ apiVersion: `${group}/v1`, kind: 'ClusterExternalSecret', metadata: { name }, spec: { externalSecretSpec: { ...GOOD_SPEC, ...spec } } });
const push = (name: string, spec: object): Obj => ({
  apiVersion: `${group}/v1alpha1`,
  kind: 'PushSecret',
  metadata: { name, namespace: NS },
  spec: { secretStoreRefs: [{ name: 's', kind: 'ClusterSecretStore' }], selector: { secret: { name: 'src' } }, data: [{ match: { secretKey: 'a', remoteRef: { remoteKey: 'r' } } }], ...spec },
});

interface Case {
  name: string;
  object: Obj;
  /** The field both name. */
  path: string;
  /** Text the API server's message must contain (CEL rules: validate's own message). */
  apiText?: string;
}

const CASES: Case[] = [
  // ESO's webhook rules, as CEL
  { name: 'neither data nor dataFrom', object: { ...es('no-data', {}), spec: { secretStoreRef: { name: 's' } } }, path: 'spec', apiText: Msg.noData },
  { name: 'deletionPolicy Delete with creationPolicy Merge', object: es('delete-merge', { target: { creationPolicy: 'Merge', deletionPolicy: 'Delete' } }), path: 'spec.target.deletionPolicy', apiText: Msg.deleteWithoutOwner('Merge') },
  { name: 'deletionPolicy Merge with creationPolicy None', object: es('merge-none', { target: { creationPolicy: 'None', deletionPolicy: 'Merge' } }), path: 'spec.target.deletionPolicy', apiText: Msg.mergeWithNone },
  { name: 'a bootstrap token template', object: es('bootstrap', { target: { template: { type: 'bootstrap.kubernetes.io/token' } } }), path: 'spec.target.template.type', apiText: Msg.bootstrapToken },
  {
    name: 'a service-account token naming its account',
    object: es('sa-token', { target: { template: { type: 'kubernetes.io/service-account-token', metadata: { annotations: { 'kubernetes.io/service-account.name': 'default' } } } } }),
    path: 'spec.target.template.metadata.annotations',
    apiText: Msg.serviceAccountTokenAnnotation,
  },
  { name: 'an empty dataFrom entry', object: es('df-empty', { dataFrom: [{}] }), path: 'spec.dataFrom[0]', apiText: Msg.dataFromEmpty },
  // The API server's text stops before validate's "; found extract, find" (cost budget).
  { name: 'a dataFrom entry with extract and find', object: es('df-both', { dataFrom: [{ extract: { key: 'a' }, find: { name: { regexp: 'a' } } }] }), path: 'spec.dataFrom[0]', apiText: Msg.dataFromAmbiguousRule },
  { name: 'a find with neither name nor tags', object: es('find-empty', { dataFrom: [{ find: { path: 'x' } }] }), path: 'spec.dataFrom[0].find', apiText: Msg.findEmpty },
  // Durations: what Go's metav1.Duration decoding refuses in ESO
  { name: 'a refreshInterval without a unit', object: es('ri-unit', { refreshInterval: '10' }), path: 'spec.refreshInterval', apiText: Msg.refreshInterval },
  { name: 'a refreshInterval with two signs', object: es('ri-two-signs', { refreshInterval: '--1h' }), path: 'spec.refreshInterval', apiText: Msg.refreshInterval },
  { name: 'a negative refreshInterval past Go\'s int64 of nanoseconds', object: es('ri-neg-overflow', { refreshInterval: '-9999999999h' }), path: 'spec.refreshInterval', apiText: Msg.refreshInterval },
  { name: 'a refreshInterval past Go\'s int64 of nanoseconds', object: es('ri-overflow', { refreshInterval: '9999999999h' }), path: 'spec.refreshInterval', apiText: Msg.refreshInterval },
  // ESO's schema keywords (patterns, bounds, exactly-one)
  { name: 'a secretKey outside [-._a-zA-Z0-9]', object: es('bad-key', { data: [{ secretKey: 'bad key', remoteRef: { key: 'a' } }] }), path: 'spec.data[0].secretKey' },
  { name: 'a target name that is not a DNS subdomain', object: es('bad-target', { target: { name: 'Bad_Name' } }), path: 'spec.target.name' },
  { name: 'an empty sourceRef', object: es('source-empty', { data: [{ secretKey: 'A', remoteRef: { key: 'a' }, sourceRef: {} }] }), path: 'spec.data[0].sourceRef' },
  { name: 'syncWindows without windows', object: es('sync-empty', { syncWindows: { kind: 'allow', windows: [] } }), path: 'spec.syncWindows.windows' },
  { name: 'a syncWindows schedule with four fields', object: es('sync-four', { syncWindows: { kind: 'allow', windows: [{ schedule: '0 22 * *', duration: '1h' }] } }), path: 'spec.syncWindows.windows[0].schedule' },
  // A window's duration is a metav1.Duration: ESO cannot decode an object whose duration Go refuses.
  { name: 'a syncWindows duration that is no Go duration', object: es('sync-dur', { syncWindows: { kind: 'deny', windows: [{ schedule: '@daily', duration: '8 hours' }] } }), path: 'spec.syncWindows.windows[0].duration', apiText: Msg.syncWindowDuration },
  // MAX_SYNC_WINDOWS: the bound the duration rule needs inside the list (ESO has none).
  { name: 'more than 100 syncWindows', object: es('sync-many', { syncWindows: { kind: 'deny', windows: Array.from({ length: 101 }, () => ({ schedule: '@daily', duration: '1h' })) } }), path: 'spec.syncWindows.windows' },
  {
    name: 'a ClusterExternalSecret syncWindows duration without a unit',
    object: ces('ces-sync-dur', { syncWindows: { kind: 'deny', windows: [{ schedule: '@daily', duration: '8' }] } }),
    path: 'spec.externalSecretSpec.syncWindows.windows[0].duration',
    apiText: Msg.syncWindowDuration,
  },
  // Stores
  { name: 'a store without a provider', object: css('no-provider', { provider: {} }), path: 'spec.provider' },
  { name: 'a store with two providers', object: css('two-providers', { provider: { fake: { data: [] }, aws: { service: 'SecretsManager', region: 'x' } } }), path: 'spec.provider' },
  { name: 'a negative store refreshInterval', object: css('store-ri-negative', { refreshInterval: -1, provider: STORE.spec.provider }), path: 'spec.refreshInterval', apiText: Msg.storeRefreshInterval },
  { name: 'a store refreshInterval that is no duration', object: css('store-ri-text', { refreshInterval: '5 minutes', provider: STORE.spec.provider }), path: 'spec.refreshInterval', apiText: Msg.storeRefreshInterval },
  {
    name: 'a selector operator Kubernetes does not know',
    object: css('sel-op', { provider: STORE.spec.provider, conditions: [{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'Equals', values: ['a'] }] } }] }),
    path: 'spec.conditions[0].namespaceSelector.matchExpressions[0].operator',
    apiText: Msg.selectorOperator,
  },
  {
    name: 'a selector In without values',
    object: css('sel-in', { provider: STORE.spec.provider, conditions: [{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'In' }] } }] }),
    path: 'spec.conditions[0].namespaceSelector.matchExpressions[0].values',
    apiText: Msg.selectorNeedsValues('In'),
  },
  {
    name: 'a selector Exists with values',
    object: css('sel-exists', { provider: STORE.spec.provider, conditions: [{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'Exists', values: ['a'] }] } }] }),
    path: 'spec.conditions[0].namespaceSelector.matchExpressions[0].values',
    apiText: Msg.selectorTakesNoValues('Exists'),
  },
  {
    name: 'an azurekv Secret key outside [-._a-zA-Z0-9]',
    object: css('akv-key', { provider: { azurekv: { vaultUrl: 'https://v.vault.azure.net', tenantId: 't', authSecretRef: { clientId: { name: 'c', key: 'id' }, clientSecret: { name: 'c', key: 'bad key' } } } } }),
    path: 'spec.provider.azurekv.authSecretRef.clientSecret.key',
  },
  // ESO's CRD: a rewrite item has exactly one of regexp, transform and merge (minProperties/maxProperties 1,
  // config/crds/bases/external-secrets.io_externalsecrets.yaml and _clusterexternalsecrets.yaml).
  { name: 'an empty rewrite item', object: es('rw-empty', { dataFrom: [{ find: { name: { regexp: 'a' } }, rewrite: [{}] }] }), path: 'spec.dataFrom[0].rewrite[0]' },
  {
    name: 'a rewrite item with regexp and transform',
    object: es('rw-two', { dataFrom: [{ find: { name: { regexp: 'a' } }, rewrite: [{ regexp: { source: 'a', target: 'b' }, transform: { template: '{{ .value }}' } }] }] }),
    path: 'spec.dataFrom[0].rewrite[0]',
  },
  {
    name: 'a ClusterExternalSecret rewrite item with regexp and transform',
    object: ces('ces-rw-two', { dataFrom: [{ find: { name: { regexp: 'a' } }, rewrite: [{ regexp: { source: 'a', target: 'b' }, transform: { template: '{{ .value }}' } }] }] }),
    path: 'spec.externalSecretSpec.dataFrom[0].rewrite[0]',
  },
  // ESO's CRD: conditions[].namespaces[] are namespace names (external-secrets.io_clustersecretstores.yaml, secretstore_types.go).
  { name: 'a store condition namespace that is no DNS label', object: css('cond-ns', { provider: STORE.spec.provider, conditions: [{ namespaces: ['Team_A'] }] }), path: 'spec.conditions[0].namespaces[0]' },
  { name: 'an empty store condition namespace', object: css('cond-ns-empty', { provider: STORE.spec.provider, conditions: [{ namespaces: [''] }] }), path: 'spec.conditions[0].namespaces[0]' },
  // PushSecret refreshInterval: any metav1.Duration, so a bad one is still refused.
  { name: 'a PushSecret refreshInterval with two signs', object: push('push-ri-two-signs', { refreshInterval: '--1h' }), path: 'spec.refreshInterval', apiText: Msg.refreshInterval },
  // ESO's schema for a provider Projector does not implement (imported from ESO's CRD)
  { name: 'an aws store without its required service', object: css('aws', { provider: { aws: { region: 'eu-west-1' } } }), path: 'spec.provider.aws.service' },
];

const GOOD: Obj[] = [
  es('good', { refreshInterval: '+1.5h', dataFrom: [{ find: { name: { regexp: '^a' } } }], target: { creationPolicy: 'Merge', deletionPolicy: 'Merge', template: { templateFrom: [{ literal: 'x: y', target: 'data' }] } } }),
  es('good-sa', { target: { template: { type: 'kubernetes.io/service-account-token' } } }),
  // ESO's CRD takes any metav1.Duration: Go's time.ParseDuration accepts a leading "-" (<= 0 syncs once).
  es('good-negative-interval', { refreshInterval: '-1h' }),
  es('good-negative-min', { refreshInterval: '-2562047h47m16.854775808s' }),
  // ESO's syncWindows: any metav1.Duration (a negative one is a window that never opens), any schedule its pattern takes.
  es('good-sync-windows', { syncWindows: { kind: 'deny', windows: [{ schedule: '0 22 * * 1-5', duration: '8h' }, { schedule: '@every 1h', duration: '-1m' }] } }),
  css('good-store', { refreshInterval: '5m', retrySettings: { retryInterval: '10s', maxRetries: 3 }, provider: STORE.spec.provider, conditions: [{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['a'] }] } }] }),
  // ESO's CRD and webhook accept a dataFrom entry with only sourceRef.storeRef (its controller reads nothing for it).
  es('good-df-store-only', { dataFrom: [{ sourceRef: { storeRef: { name: 's', kind: 'ClusterSecretStore' } } }] }),
  ces('good-ces-df-store-only', { dataFrom: [{ sourceRef: { storeRef: { name: 's', kind: 'ClusterSecretStore' } } }] }),
  es('good-rewrite', { dataFrom: [{ find: { name: { regexp: 'a' } }, rewrite: [{ regexp: { source: 'a', target: 'b' } }, { transform: { template: '{{ .value }}' } }] }] }),
  // ESO's PushSecret refreshInterval is any metav1.Duration: a negative one pushes on every reconcile.
  push('good-push-negative', { refreshInterval: '-1h' }),
  // ESO has no PushSecret webhook: the ExternalSecret's privileged-type rules do not apply to its template.
  push('good-push-bootstrap', { template: { type: 'bootstrap.kubernetes.io/token' } }),
  css('good-store-namespaces', { provider: STORE.spec.provider, conditions: [{ namespaces: ['team-a', 'b'] }] }),
  css('good-store-seconds', { refreshInterval: 300, provider: STORE.spec.provider }),
  // ESO neither parses retryInterval for azurekv or fake nor checks it in its webhook: any string applies (`validate` warns).
  css('good-retry-no-unit', { retrySettings: { retryInterval: '10' }, provider: STORE.spec.provider }),
  css('good-akv', { provider: { azurekv: { vaultUrl: 'https://v.vault.azure.net', tenantId: 't', authSecretRef: { clientId: { name: 'c', key: 'id' }, clientSecret: { name: 'c', key: 'secret' } } } } }),
];

/** `projector validate`'s errors for `object` (beside the store it references). */
function validateErrors(object: Obj): { path: string; message: string }[] {
  const docs = parseFile('case.yaml', [STORE, object].map((o) => stringify(o)).join('---\n')).docs;
  const report = analyse(docs, [], DEFAULT_CONFIG, false, { providers: [fakeProvider] });
  return report.problems.filter((p) => p.document === 1 && p.severity === 'error').map((p) => ({ path: p.path ?? '', message: p.message }));
}

function plural(kind: string): string {
  return `${kind.toLowerCase()}s`;
}

describe('apply-time validation: the API server and `projector validate` agree', { timeout: 300_000 }, () => {
  let cp: ControlPlane;
  let k: Cluster;

  before(async () => {
    cp = await startControlPlane();
    k = new Cluster(cp.admin);
    await k.installCrds();
    await k.namespace(NS);
    await k.apply([STORE as any]);
  });
  after(async () => {
    await cp?.stop();
  });

  async function create(o: Obj): Promise<{ status: number; message: string }> {
    const path = `/apis/${o.apiVersion}${o.metadata.namespace ? `/namespaces/${o.metadata.namespace}` : ''}/${plural(o.kind)}`;
    const r = await k.request('POST', path, o);
    return { status: r.status, message: r.status >= 300 ? (JSON.parse(r.body) as { message: string }).message : '' };
  }

  for (const c of CASES) {
    it(`refuses ${c.name}`, async () => {
      const api = await create(c.object);
      assert.equal(api.status, 422, `API server: ${api.message}`);
      assert.ok(api.message.includes(c.path), `API server names ${c.path}: ${api.message}`);
      const errors = validateErrors(c.object);
      assert.ok(errors.some((e) => e.path === c.path), `validate names ${c.path}: ${JSON.stringify(errors)}`);
      if (c.apiText) {
        assert.ok(api.message.includes(c.apiText), `API server says "${c.apiText}": ${api.message}`);
        assert.ok(errors.some((e) => e.path === c.path && e.message.startsWith(c.apiText!)), `validate says "${c.apiText}": ${JSON.stringify(errors)}`);
      }
    });
  }

  // ESO has no ClusterExternalSecret webhook (apis/externalsecrets/v1 has validators for
  // ExternalSecret and the stores only): its CRD takes an externalSecretSpec the ExternalSecret webhook
  // would refuse; each ExternalSecret it stamps out is refused instead. `validate` still reports them.
  it('accepts a ClusterExternalSecret whose externalSecretSpec only the ExternalSecret rules refuse', async () => {
    const specs = [
      { data: [], dataFrom: [] },
      { dataFrom: [{}] },
      { dataFrom: [{ extract: { key: 'a' }, find: { name: { regexp: 'a' } } }] },
      { target: { creationPolicy: 'None', deletionPolicy: 'Merge' } },
      { target: { template: { type: 'bootstrap.kubernetes.io/token' } } },
    ];
    for (const [i, spec] of specs.entries()) {
      const o = ces(`ces-webhook-only-${i}`, spec);
      const api = await create(o);
      assert.equal(api.status, 201, `API server: ${JSON.stringify(spec)}: ${api.message}`);
      assert.notDeepEqual(validateErrors(o), [], `validate reports ${JSON.stringify(spec)}`);
    }
  });

  it('accepts the good objects, both', async () => {
    for (const o of GOOD) {
      assert.deepEqual(validateErrors(o), [], `validate: ${o.metadata.name}`);
      const api = await create(o);
      assert.equal(api.status, 201, `API server: ${o.metadata.name}: ${api.message}`);
    }
  });
});
