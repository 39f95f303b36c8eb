// Side-by-side comparison of the REAL External Secrets Operator controller and Projector's operator:
// the same ExternalSecrets (fake provider, one ClusterSecretStore) are applied on two fresh control
// planes, one run by ESO's binary and one by Projector; each target Secret, each ExternalSecret's
// stored spec and status, and the namespace's Events are captured once they settle, and every
// difference is printed (uids, timestamps and resourceVersions normalised; hashes NOT normalised).
//
//   node_modules/.bin/node bench/eso-side-by-side.ts --eso-bin /work/eso-build/bin/eso \
//       --eso-crds /work/eso-src/config/crds/bases [--json-out /tmp/side-by-side.json] [--only NAME,...]
//
// ESO is built from its own source tree, outside this repository (see bench/README.md); its CRDs are
// read from --eso-crds at run time and never copied here. This is a script, not a test: it reports
// differences and exits 0 whatever it finds (non-zero only when it could not run).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { startControlPlane, type ControlPlane } from '../test/support/controlplane.ts';
import { Cluster, readYamlDocs } from '../test/support/cluster.ts';
import { eventually } from '../test/support/eventually.ts';
import { startOperator } from '../test/support/operator.ts';
import { fieldVariantStoreData, fieldVariants } from './field-variants.ts';

const { values: args } = parseArgs({
  options: {
    'eso-bin': { type: 'string' },
    'eso-crds': { type: 'string' },
    'json-out': { type: 'string' },
    only: { type: 'string' },
    side: { type: 'string' },
    cases: { type: 'string' },
  },
});

/** How long a case's capture must stay identical before it counts as settled (> 2 refresh intervals). */
const STABLE_MS = 5_000;
/** How long to wait for a visible sign that the controller acted on a step before the stability window. */
const PROGRESS_MS = 15_000;
/** Give up on stability (and report the case as flapping) after this long. */
const SETTLE_MAX_MS = 40_000;
const POLL_MS = 1_000;
const GROUP = 'external-secrets.io';

// ---------------------------------------------------------------------------------------------
// The matrix and the lifecycle steps
// ---------------------------------------------------------------------------------------------

type Obj = Record<string, any>;

interface Step {
  name: string;
  act(k: Kube, ns: string): Promise<void>;
  /** ExternalSecrets expected to be gone after this step. */
  gone?: string[];
}

interface Case {
  ns: string;
  /** ExternalSecret names and target Secret names to capture. */
  es: string[];
  secrets: string[];
  /** Objects created before the ExternalSecrets (pre-existing target Secrets). */
  before?: Obj[];
  /** The ExternalSecrets, created in order. */
  create: Obj[];
  steps?: Step[];
}

const STORE_DATA = [
  { key: 'db', value: '{"user":"admin","pass":"s3cr3t"}' },
  { key: 'api', value: 'token-1' },
  { key: 'dcfg', value: '{"auths":{"registry.example":{"auth":"dTpw"}}}' },
  { key: 'imm', value: 'v1' },
  { key: 'gone', value: 'will-be-removed' },
  // features(): JSON documents to merge, a base64 value to decode.
  { key: 'mrg-1', value: '{"a":"1","b":{"c":2},"x":"<&>","n":1.50}' },
  { key: 'mrg-2', value: '{"a":"2","d":[1,"two"],"e":null}' },
  { key: 'b64', value: 'aGVsbG8td29ybGQ=' },
];

const clusterStore = (): Obj => ({
  apiVersion: `${GROUP}/v1`,
  kind: 'ClusterSecretStore',
  metadata: { name: 'fake' },
  spec: { provider: { fake: { data: [...STORE_DATA, ...nothingFoundStoreData(), ...fieldVariantStoreData()] } } },
});

const ES_LABELS = { team: 'blue', 'app.kubernetes.io/name': 'demo' };
const ES_ANNOTATIONS = { note: 'hello', 'example.com/owner': 'ops' };
const DATA = [
  { secretKey: 'password', remoteRef: { key: 'db', property: 'pass' } },
  { secretKey: 'token', remoteRef: { key: 'api' } },
];

function es(ns: string, name: string, spec: { target: Obj; data?: Obj[]; dataFrom?: Obj[]; refreshInterval?: string; labels?: Obj; annotations?: Obj }): Obj {
  return {
    apiVersion: `${GROUP}/v1`,
    kind: 'ExternalSecret',
    metadata: { name, namespace: ns, labels: spec.labels ?? ES_LABELS, annotations: spec.annotations ?? ES_ANNOTATIONS },
    spec: {
      refreshInterval: spec.refreshInterval ?? '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: 'fake' },
      target: spec.target,
      ...(spec.dataFrom ? { dataFrom: spec.dataFrom } : { data: spec.data ?? DATA }),
    },
  };
}

function foreignSecret(ns: string, name: string): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: ns, labels: { 'foreign-label': 'yes' }, annotations: { 'foreign-annotation': 'kept' } },
    type: 'Opaque',
    stringData: { foreign: 'keep', token: 'old-token' },
  };
}

const TEMPLATES: Record<string, Obj | undefined> = {
  notpl: undefined,
  tdata: { data: { conn: 'postgres://admin:{{ .password }}@db', token: '{{ .token }}' } },
  tmeta: { type: 'example.com/custom', metadata: { labels: { tier: 'backend' }, annotations: { 'example.com/rendered': 'yes' } } },
  tmerge: { mergePolicy: 'Merge', data: { conn: 'postgres://admin:{{ .password }}@db' }, metadata: { labels: { tier: 'merged' } } },
};

const POLICIES: { id: string; policy: string; preexisting: boolean }[] = [
  { id: 'owner', policy: 'Owner', preexisting: false },
  { id: 'orphan', policy: 'Orphan', preexisting: false },
  { id: 'owner-existing', policy: 'Owner', preexisting: true },
  { id: 'orphan-existing', policy: 'Orphan', preexisting: true },
  { id: 'merge', policy: 'Merge', preexisting: true },
  { id: 'com-absent', policy: 'CreateOrMerge', preexisting: false },
  { id: 'com-existing', policy: 'CreateOrMerge', preexisting: true },
  { id: 'none', policy: 'None', preexisting: false },
];

function matrix(): Case[] {
  const out: Case[] = [];
  for (const p of POLICIES) {
    for (const [tid, tpl] of Object.entries(TEMPLATES)) {
      const ns = `m-${p.id}-${tid}`;
      const target: Obj = { name: 'target', creationPolicy: p.policy };
      if (tpl) target.template = tpl;
      out.push({ ns, es: ['es'], secrets: ['target'], before: p.preexisting ? [foreignSecret(ns, 'target')] : [], create: [es(ns, 'es', { target })] });
    }
  }
  return out;
}

async function mutateStore(k: Kube, f: (data: Obj[]) => Obj[]): Promise<void> {
  await eventually(
    async () => {
      const css = await k.get(`/apis/${GROUP}/v1/clustersecretstores/fake`);
      css.spec.provider.fake.data = f(css.spec.provider.fake.data);
      await k.send('PUT', `/apis/${GROUP}/v1/clustersecretstores/fake`, css);
      return true;
    },
    true,
    { timeoutMs: 10_000, message: 'store updated' },
  );
}

const esPath = (ns: string, name: string) => `/apis/${GROUP}/v1/namespaces/${ns}/externalsecrets/${name}`;
const mergePatch = async (k: Kube, path: string, body: Obj): Promise<void> => {
  await k.send('PATCH', path, body, 'application/merge-patch+json');
};

function lifecycle(): Case[] {
  const fast = '2s';
  const tokenOnly = [{ secretKey: 'token', remoteRef: { key: 'api' } }];
  return [
    {
      // (a) template.type Opaque -> kubernetes.io/dockerconfigjson on an existing Owner Secret.
      ns: 'lc-type-change',
      es: ['app'],
      secrets: ['app'],
      create: [es('lc-type-change', 'app', {
        refreshInterval: fast,
        target: { creationPolicy: 'Owner', template: { type: 'Opaque', data: { '.dockerconfigjson': '{{ .dcfg }}' } } },
        data: [{ secretKey: 'dcfg', remoteRef: { key: 'dcfg' } }],
      })],
      steps: [{ name: 'type-to-dockerconfigjson', act: (k, ns) => mergePatch(k, esPath(ns, 'app'), { spec: { target: { template: { type: 'kubernetes.io/dockerconfigjson' } } } }) }],
    },
    {
      // (b) an Owner ExternalSecret, then a Merge ExternalSecret on the same target.
      ns: 'lc-owner-then-merge',
      es: ['owner', 'merger'],
      secrets: ['shared'],
      create: [es('lc-owner-then-merge', 'owner', { refreshInterval: fast, target: { name: 'shared', creationPolicy: 'Owner' }, data: tokenOnly })],
      steps: [{
        name: 'merge-es-added',
        act: (k, ns) => k.create(es(ns, 'merger', {
          refreshInterval: fast,
          target: { name: 'shared', creationPolicy: 'Merge' },
          data: [{ secretKey: 'extra', remoteRef: { key: 'db', property: 'user' } }],
        })),
      }],
    },
    {
      // (b') an Orphan ExternalSecret, then a Merge ExternalSecret on the same target.
      ns: 'lc-orphan-then-merge',
      es: ['orphan', 'merger'],
      secrets: ['shared'],
      create: [es('lc-orphan-then-merge', 'orphan', { refreshInterval: fast, target: { name: 'shared', creationPolicy: 'Orphan' }, data: tokenOnly })],
      steps: [{
        name: 'merge-es-added',
        act: (k, ns) => k.create(es(ns, 'merger', {
          refreshInterval: fast,
          target: { name: 'shared', creationPolicy: 'Merge' },
          data: [{ secretKey: 'extra', remoteRef: { key: 'db', property: 'user' } }],
        })),
      }],
    },
    {
      // (c) immutable: true, then the value changes in the fake store.
      ns: 'lc-immutable',
      es: ['app'],
      secrets: ['app'],
      create: [es('lc-immutable', 'app', { refreshInterval: fast, target: { creationPolicy: 'Owner', immutable: true }, data: [{ secretKey: 'value', remoteRef: { key: 'imm' } }] })],
      steps: [{ name: 'store-value-changed', act: (k) => mutateStore(k, (d) => d.map((e) => (e.key === 'imm' ? { ...e, value: 'v2' } : e))) }],
    },
    {
      // (d) deletionPolicy: Delete and the only remote key removed.
      ns: 'lc-deletion-delete',
      es: ['app'],
      secrets: ['app'],
      create: [es('lc-deletion-delete', 'app', { refreshInterval: fast, target: { creationPolicy: 'Owner', deletionPolicy: 'Delete' }, data: [{ secretKey: 'value', remoteRef: { key: 'gone' } }] })],
      steps: [{ name: 'remote-key-removed', act: (k) => mutateStore(k, (d) => d.filter((e) => e.key !== 'gone')) }],
    },
    {
      // (e) Merge into a missing Secret, then the Secret appears.
      ns: 'lc-merge-missing',
      es: ['app'],
      secrets: ['app'],
      create: [es('lc-merge-missing', 'app', { refreshInterval: fast, target: { creationPolicy: 'Merge' } })],
      steps: [{ name: 'target-created', act: (k, ns) => k.create(foreignSecret(ns, 'app')) }],
    },
    {
      // (f) a label and an annotation removed from the ExternalSecret (no template: they are copied).
      ns: 'lc-label-removed',
      es: ['app'],
      secrets: ['app'],
      create: [es('lc-label-removed', 'app', {
        refreshInterval: fast,
        labels: { keep: '1', drop: '1' },
        annotations: { 'keep-a': '1', 'drop-a': '1' },
        target: { creationPolicy: 'Owner' },
        data: tokenOnly,
      })],
      steps: [{ name: 'label-and-annotation-removed', act: (k, ns) => mergePatch(k, esPath(ns, 'app'), { metadata: { labels: { drop: null }, annotations: { 'drop-a': null } } }) }],
    },
    {
      // (g) a template key removed: the stale key must go.
      ns: 'lc-template-key-removed',
      es: ['app'],
      secrets: ['app'],
      create: [es('lc-template-key-removed', 'app', {
        refreshInterval: fast,
        target: { creationPolicy: 'Owner', template: { data: { a: '{{ .token }}', b: '{{ .token }}-b' }, metadata: { labels: { la: '1', lb: '1' } } } },
        data: tokenOnly,
      })],
      steps: [{
        name: 'template-key-b-removed',
        act: (k, ns) => mergePatch(k, esPath(ns, 'app'), { spec: { target: { template: { data: { b: null }, metadata: { labels: { lb: null } } } } } }),
      }],
    },
    {
      // (g') the same under creationPolicy Merge: the stale key goes, the foreign key stays.
      ns: 'lc-merge-template-key-removed',
      es: ['app'],
      secrets: ['app'],
      before: [foreignSecret('lc-merge-template-key-removed', 'app')],
      create: [es('lc-merge-template-key-removed', 'app', {
        refreshInterval: fast,
        target: { creationPolicy: 'Merge', template: { data: { a: '{{ .token }}', b: '{{ .token }}-b' } } },
        data: tokenOnly,
      })],
      steps: [{ name: 'template-key-b-removed', act: (k, ns) => mergePatch(k, esPath(ns, 'app'), { spec: { target: { template: { data: { b: null } } } } }) }],
    },
    {
      // creationPolicy Owner -> Orphan on an existing target.
      ns: 'lc-owner-to-orphan',
      es: ['app'],
      secrets: ['app'],
      create: [es('lc-owner-to-orphan', 'app', { refreshInterval: fast, target: { creationPolicy: 'Owner' }, data: tokenOnly })],
      steps: [{ name: 'policy-to-orphan', act: (k, ns) => mergePatch(k, esPath(ns, 'app'), { spec: { target: { creationPolicy: 'Orphan' } } }) }],
    },
    {
      // (h) the ExternalSecret deleted with deletionPolicy Delete (finalizer behaviour).
      ns: 'lc-es-deleted-delete',
      es: ['app'],
      secrets: ['app'],
      create: [es('lc-es-deleted-delete', 'app', { refreshInterval: fast, target: { creationPolicy: 'Owner', deletionPolicy: 'Delete' }, data: tokenOnly })],
      steps: [{ name: 'es-deleted', gone: ['app'], act: (k, ns) => k.send('DELETE', esPath(ns, 'app')).then(() => undefined) }],
    },
    {
      // (h') the same with deletionPolicy Retain: only the garbage collector (ownerReference) acts.
      ns: 'lc-es-deleted-retain',
      es: ['app'],
      secrets: ['app'],
      create: [es('lc-es-deleted-retain', 'app', { refreshInterval: fast, target: { creationPolicy: 'Owner' }, data: tokenOnly })],
      steps: [{ name: 'es-deleted', gone: ['app'], act: (k, ns) => k.send('DELETE', esPath(ns, 'app')).then(() => undefined) }],
    },
  ];
}

/**
 * ESO features served since the first comparisons: dataFrom rewrite.merge (Extract and JSON,
 * conflicts), templateFrom valuesDecodingStrategy, syncWindows on a first sync, sprig's semver and
 * eq on times in templates.
 */
function features(): Case[] {
  // find returns mrg-1 and mrg-2, each a JSON object: the inputs of the merge.
  const merged = (ns: string, name: string, rewrite: Obj[]) =>
    es(ns, name, { target: { creationPolicy: 'Owner' }, dataFrom: [{ find: { name: { regexp: '^mrg-' } }, rewrite }] });
  const one = (ns: string, e: Obj): Case => ({ ns, es: [e.metadata.name], secrets: [e.metadata.name], create: [e] });
  return [
    one('f-merge-extract-ignore', merged('f-merge-extract-ignore', 'app', [{ merge: { strategy: 'Extract', conflictPolicy: 'Ignore' } }])),
    one('f-merge-extract-error', merged('f-merge-extract-error', 'app', [{ merge: { strategy: 'Extract' } }])),
    one('f-merge-json', merged('f-merge-json', 'app', [{ merge: { strategy: 'JSON', into: 'all.json', conflictPolicy: 'Ignore' } }])),
    one('f-merge-priority', merged('f-merge-priority', 'app', [{ merge: { strategy: 'Extract', conflictPolicy: 'Ignore', priority: ['mrg-1', 'missing'], priorityPolicy: 'IgnoreNotFound' } }])),
    one('f-values-base64', es('f-values-base64', 'app', {
      target: { creationPolicy: 'Owner', template: { templateFrom: [{ literal: 'plain: {{ .b64 }}', valuesDecodingStrategy: 'Base64', target: 'Data' }] } },
      data: [{ secretKey: 'b64', remoteRef: { key: 'b64' } }],
    })),
    one('f-values-auto', es('f-values-auto', 'app', {
      target: { creationPolicy: 'Owner', template: { templateFrom: [{ literal: 'plain: {{ .b64 }}\nraw: not-base64', valuesDecodingStrategy: 'Auto' }] } },
      data: [{ secretKey: 'b64', remoteRef: { key: 'b64' } }],
    })),
    one('f-syncwindow-first', (() => {
      const o = es('f-syncwindow-first', 'app', { refreshInterval: '2s', target: { creationPolicy: 'Owner' } });
      o.spec.syncWindows = { kind: 'allow', windows: [{ schedule: '0 0 1 1 *', duration: '1s' }] };
      return o;
    })()),
    one('f-template-semver', es('f-template-semver', 'app', {
      target: { creationPolicy: 'Owner', template: { data: {
        minor: '{{ (semver "1.2.3-beta.1+build").Minor }}',
        pre: '{{ (semver "1.2.3-beta.1+build").Prerelease }}',
        less: '{{ (semver "1.2.3").LessThan (semver "1.10.0") }}',
        inc: '{{ (semver "1.2.3").IncMajor }}',
        str: '{{ semver "v1.2" }}',
      } } },
    })),
    one('f-template-time-eq', es('f-template-time-eq', 'app', {
      target: { creationPolicy: 'Owner', template: { data: {
        same: '{{ eq (toDate "2006-01-02" "2020-01-01") (toDate "2006-01-02" "2020-01-01") }}',
        zones: '{{ eq (toDate "2006-01-02T15:04:05Z07:00" "2020-01-01T00:00:00+01:30") (toDate "2006-01-02T15:04:05Z07:00" "2020-01-01T00:00:00+01:30") }}',
      } } },
    })),
  ];
}

/**
 * "Nothing found" (issue 9): deletionPolicy × creationPolicy × {a find that stops matching, every
 * data[] ref gone, one of two gone}. Each case starts with both of its remote keys present, then
 * they are removed from the store ("removed"), then put back ("restored": a transient 404 burst).
 * The `fresh` cases start with a find that never matched. Keys are per case (`<ns>-a`, `<ns>-b`).
 */
const NF_POLICIES: [deletion: string, creation: string][] = [
  ['Retain', 'Owner'], ['Retain', 'Orphan'], ['Retain', 'Merge'],
  ['Delete', 'Owner'], ['Delete', 'Orphan'],
  ['Merge', 'Owner'], ['Merge', 'Orphan'], ['Merge', 'Merge'],
];
const NF_SCENARIOS = ['find', 'all404', 'some404'] as const;

function nfNs(deletion: string, creation: string, scenario: string): string {
  return `nf-${deletion}-${creation}-${scenario}`.toLowerCase();
}

function nothingFoundStoreData(): Obj[] {
  return NF_POLICIES.flatMap(([d, c]) => NF_SCENARIOS.flatMap((sc) => ['a', 'b'].map((x) => ({ key: `${nfNs(d, c, sc)}-${x}`, value: `${x}-value` }))));
}

function nothingFound(): Case[] {
  const out: Case[] = [];
  for (const [deletion, creation] of NF_POLICIES) {
    for (const scenario of NF_SCENARIOS) {
      const ns = nfNs(deletion, creation, scenario);
      const spec = scenario === 'find'
        ? { dataFrom: [{ find: { name: { regexp: `^${ns}-` } } }] }
        : { data: ['a', 'b'].map((x) => ({ secretKey: x, remoteRef: { key: `${ns}-${x}` } })) };
      const gone = scenario === 'some404' ? [`${ns}-b`] : [`${ns}-a`, `${ns}-b`];
      out.push({
        ns,
        es: ['app'],
        secrets: ['app'],
        before: creation === 'Merge' ? [foreignSecret(ns, 'app')] : [],
        create: [es(ns, 'app', { refreshInterval: '2s', target: { creationPolicy: creation, deletionPolicy: deletion }, ...spec })],
        steps: [
          { name: 'removed', act: (k) => mutateStore(k, (d) => d.filter((e) => !gone.includes(e.key))) },
          { name: 'restored', act: (k) => mutateStore(k, (d) => [...d, ...gone.map((key) => ({ key, value: `${key.slice(-1)}-value` }))]) },
        ],
      });
    }
  }
  for (const deletion of ['Retain', 'Delete', 'Merge']) {
    // A find that never matched: is a Secret created?
    const ns = `nf-fresh-${deletion.toLowerCase()}`;
    out.push({ ns, es: ['app'], secrets: ['app'], create: [es(ns, 'app', { refreshInterval: '2s', target: { creationPolicy: 'Owner', deletionPolicy: deletion }, dataFrom: [{ find: { name: { regexp: '^never-matches-' } } }] })] });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Kubernetes I/O
// ---------------------------------------------------------------------------------------------

class Kube {
  readonly c: Cluster;
  constructor(c: Cluster) {
    this.c = c;
  }
  async send(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Obj> {
    const { status, body: text } = await this.c.request(method, path, body, contentType, method === 'GET' || method === 'DELETE' ? {} : { fieldManager: 'kubectl' });
    if (status >= 300) throw Object.assign(new Error(`${method} ${path}: HTTP ${status} ${text.slice(0, 300)}`), { code: status });
    return text ? JSON.parse(text) : {};
  }
  get(path: string): Promise<Obj> {
    return this.send('GET', path);
  }
  async getOrNull(path: string): Promise<Obj | null> {
    try {
      return await this.get(path);
    } catch (e) {
      if ((e as { code?: number }).code === 404) return null;
      throw e;
    }
  }
  async create(o: Obj): Promise<void> {
    const ns = o.metadata.namespace;
    const path = o.kind === 'Secret' ? `/api/v1/namespaces/${ns}/secrets`
      : o.kind === 'Namespace' ? '/api/v1/namespaces'
      : o.kind === 'ClusterSecretStore' ? `/apis/${GROUP}/v1/clustersecretstores`
      : o.kind === 'ClusterExternalSecret' ? `/apis/${GROUP}/v1/clusterexternalsecrets`
      : `/apis/${GROUP}/v1/namespaces/${ns}/externalsecrets`;
    await this.send('POST', path, o);
  }
}

async function installCrds(k: Kube, files: string[]): Promise<void> {
  const crds = files.flatMap((f) => readYamlDocs(f)).filter((o) => o.kind === 'CustomResourceDefinition');
  await k.c.apply(crds);
  for (const crd of crds) {
    await eventually(
      async () => {
        const o = await k.get(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata!.name}`);
        return o.status?.conditions?.some((c: Obj) => c.type === 'Established' && c.status === 'True');
      },
      true,
      { timeoutMs: 30_000, message: `CRD ${crd.metadata!.name} established` },
    );
  }
}

function yamlFilesIn(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml').sort().map((f) => join(path, f));
}

// ---------------------------------------------------------------------------------------------
// Capture and normalisation
// ---------------------------------------------------------------------------------------------

interface Raw {
  es: Record<string, Obj | null>;
  secrets: Record<string, Obj | null>;
  events: Obj[];
}

async function captureRaw(k: Kube, c: Case): Promise<Raw> {
  const es: Record<string, Obj | null> = {};
  const secrets: Record<string, Obj | null> = {};
  for (const n of c.es) es[n] = await k.getOrNull(esPath(c.ns, n));
  for (const n of c.secrets) secrets[n] = await k.getOrNull(`/api/v1/namespaces/${c.ns}/secrets/${n}`);
  const events = (await k.get(`/api/v1/namespaces/${c.ns}/events`)).items as Obj[];
  return { es, secrets, events };
}

/** Remembers every uid seen in a case, so an ownerReference or a managedFields key names its object. */
class UidNames {
  readonly #names = new Map<string, string>();
  learn(raw: Raw): void {
    for (const [n, o] of Object.entries(raw.es)) if (o?.metadata?.uid) this.#names.set(o.metadata.uid, `<uid ExternalSecret/${n}>`);
    for (const [n, o] of Object.entries(raw.secrets)) if (o?.metadata?.uid) this.#names.set(o.metadata.uid, `<uid Secret/${n}>`);
  }
  replace(s: string): string {
    let out = s;
    for (const [uid, name] of this.#names) out = out.split(uid).join(name);
    return out.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uid ?>');
  }
}

const sortKeys = (o: Obj | undefined): Obj | undefined =>
  o === undefined ? undefined : Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** fieldsV1 as a sorted list of leaf paths: {"f:data":{"f:a":{}}} -> ["data.a"]. */
function fieldPaths(fields: Obj | undefined, prefix = ''): string[] {
  if (!fields) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    if (k === '.') continue;
    const name = k.startsWith('f:') ? k.slice(2) : k;
    const path = prefix ? `${prefix}.${name}` : name;
    const children = v && typeof v === 'object' ? Object.keys(v).filter((x) => x !== '.') : [];
    if (children.length === 0) out.push(path);
    else out.push(...fieldPaths(v, path));
  }
  return out.sort();
}

function decodeData(data: Obj | undefined): Obj | undefined {
  if (!data) return undefined;
  const out: Obj = {};
  for (const [k, v] of Object.entries(data).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const buf = Buffer.from(v as string, 'base64');
    const text = buf.toString('utf8');
    out[k] = Buffer.from(text, 'utf8').equals(buf) ? text : `base64:${v}`;
  }
  return out;
}

function normSecret(s: Obj | null): Obj | null {
  if (!s) return null;
  const m = s.metadata ?? {};
  return {
    type: s.type,
    immutable: s.immutable,
    labels: sortKeys(m.labels),
    annotations: sortKeys(m.annotations),
    ownerReferences: m.ownerReferences,
    finalizers: m.finalizers,
    deleting: m.deletionTimestamp ? true : undefined,
    data: decodeData(s.data),
    managedFields: (m.managedFields ?? [])
      .map((f: Obj) => ({ manager: f.manager, operation: f.operation, subresource: f.subresource, fields: fieldPaths(f.fieldsV1) }))
      .sort((a: Obj, b: Obj) => `${a.manager}/${a.operation}`.localeCompare(`${b.manager}/${b.operation}`)),
  };
}

function normEs(o: Obj | null): Obj | null {
  if (!o) return null;
  const st = { ...(o.status ?? {}) };
  if ('refreshTime' in st) st.refreshTime = st.refreshTime ? '<present>' : st.refreshTime;
  if (Array.isArray(st.conditions)) {
    st.conditions = st.conditions
      .map((c: Obj) => ({ ...c, lastTransitionTime: c.lastTransitionTime ? '<present>' : undefined }))
      .sort((a: Obj, b: Obj) => String(a.type).localeCompare(String(b.type)));
  }
  return {
    finalizers: o.metadata?.finalizers,
    generation: o.metadata?.generation,
    deleting: o.metadata?.deletionTimestamp ? true : undefined,
    spec: o.spec,
    status: sortKeys(st),
  };
}

function normEvents(events: Obj[]): Obj[] {
  const seen = new Set<string>();
  const out: Obj[] = [];
  for (const e of events) {
    const v = { object: `${e.involvedObject?.kind}/${e.involvedObject?.name}`, type: e.type, reason: e.reason, message: e.message, source: e.source?.component ?? e.reportingComponent };
    const key = JSON.stringify(v);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(v);
  }
  return out.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

function normalise(raw: Raw, uids: UidNames): Obj {
  const out = {
    es: Object.fromEntries(Object.entries(raw.es).map(([n, o]) => [n, normEs(o)])),
    secrets: Object.fromEntries(Object.entries(raw.secrets).map(([n, o]) => [n, normSecret(o)])),
    events: normEvents(raw.events),
  };
  return JSON.parse(uids.replace(JSON.stringify(out)));
}

// ---------------------------------------------------------------------------------------------
// Settling: wait for a sign that the controller acted, then for the capture to stay unchanged
// ---------------------------------------------------------------------------------------------

interface Settled {
  snap: Obj;
  /** The controller visibly acted (or, for the first capture, every ExternalSecret has a Ready condition). */
  progressed: boolean;
  /** The capture stayed identical for STABLE_MS. */
  stable: boolean;
  ms: number;
  /**
   * Normal Events recorded during the final quiet window, by object/reason: a controller that keeps
   * rewriting the Secret (two ExternalSecrets fighting) shows here even when every capture looks alike.
   */
  quiet: Record<string, number>;
}

const readyOf = (o: Obj | null | undefined) => o?.status?.conditions?.find((c: Obj) => c.type === 'Ready');

function progressed(c: Case, raw: Raw, prev: Raw | undefined, since: number, gone: string[]): boolean {
  for (const n of c.es) {
    const cur = raw.es[n];
    if (gone.includes(n)) {
      if (cur) return false;
      continue;
    }
    const before = prev?.es[n];
    if (!before) {
      // First capture of this ExternalSecret (or it was added by this step): Ready must be set.
      if (cur && !readyOf(cur)) return false;
      continue;
    }
    if (!cur) continue;
    const r0 = readyOf(before);
    const r1 = readyOf(cur);
    const changed = JSON.stringify([r0?.status, r0?.reason, r0?.message]) !== JSON.stringify([r1?.status, r1?.reason, r1?.message])
      || before.status?.syncedResourceVersion !== cur.status?.syncedResourceVersion
      // refreshTime has a resolution of one second: only a later second proves a reconcile after `since`.
      || (cur.status?.refreshTime && Date.parse(cur.status.refreshTime) >= Math.floor(since / 1000) * 1000 + 1000);
    if (!changed) return false;
  }
  return true;
}

/** Normal Event counts by object/reason (Events aggregate repeats into `count`). */
function normalCounts(events: Obj[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of events) {
    if (e.type !== 'Normal') continue;
    const key = `${e.involvedObject?.kind}/${e.involvedObject?.name} ${e.reason}`;
    out.set(key, (out.get(key) ?? 0) + (e.count ?? 1));
  }
  return out;
}

function countsDelta(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, n] of after) if (n - (before.get(k) ?? 0) > 0) out[k] = n - (before.get(k) ?? 0);
  return out;
}

async function settle(k: Kube, c: Case, uids: UidNames, prev: Raw | undefined, gone: string[]): Promise<{ settled: Settled; raw: Raw }> {
  const t0 = Date.now();
  let raw = await captureRaw(k, c);
  let didProgress = false;
  while (Date.now() - t0 < PROGRESS_MS) {
    if (progressed(c, raw, prev, t0, gone)) {
      didProgress = true;
      break;
    }
    await sleep(POLL_MS);
    raw = await captureRaw(k, c);
  }
  uids.learn(raw);
  let snap = normalise(raw, uids);
  let key = JSON.stringify(snap);
  let stableSince = Date.now();
  let countsAtStable = normalCounts(raw.events);
  while (Date.now() - stableSince < STABLE_MS && Date.now() - t0 < SETTLE_MAX_MS) {
    await sleep(POLL_MS);
    raw = await captureRaw(k, c);
    uids.learn(raw);
    const next = normalise(raw, uids);
    const nextKey = JSON.stringify(next);
    if (nextKey !== key) {
      snap = next;
      key = nextKey;
      stableSince = Date.now();
      countsAtStable = normalCounts(raw.events);
    }
  }
  const quiet = countsDelta(countsAtStable, normalCounts(raw.events));
  return { settled: { snap, progressed: didProgress, stable: Date.now() - stableSince >= STABLE_MS, ms: Date.now() - t0, quiet }, raw };
}

// ---------------------------------------------------------------------------------------------
// Running one side
// ---------------------------------------------------------------------------------------------

interface Controller {
  stop(): Promise<void>;
  logs(): string;
}

async function startEso(cp: ControlPlane, bin: string, logPath: string): Promise<Controller> {
  const log = createWriteStream(logPath);
  const tail: string[] = [];
  const child: ChildProcess = spawn('setpriv', ['--pdeathsig', 'KILL', '--', bin,
    '--enable-leader-election=false',
    '--metrics-addr=0',
    '--live-addr=0',
    // On only for the field variants' ClusterExternalSecret cases (no other case has one).
    `--enable-cluster-external-secret-reconciler=${picked().includes('field-variants')}`,
    '--enable-push-secret-reconciler=false',
    '--enable-cluster-push-secret-reconciler=false',
    '--loglevel=debug',
    // controller-runtime's GetConfigOrDie reads $KUBECONFIG (ESO's command has no --kubeconfig flag).
  ], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBECONFIG: cp.kubeconfigPath } });
  const record = (b: Buffer) => {
    log.write(b);
    tail.push(...b.toString('utf8').split('\n').filter(Boolean));
    if (tail.length > 200) tail.splice(0, tail.length - 200);
  };
  child.stdout!.on('data', record);
  child.stderr!.on('data', record);
  let exited = false;
  child.on('exit', () => void (exited = true));
  await sleep(500);
  if (exited) throw new Error(`ESO exited at start:\n${tail.join('\n')}`);
  return {
    logs: () => tail.join('\n'),
    async stop() {
      if (exited) return;
      const done = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await done;
      clearTimeout(t);
      log.end();
    },
  };
}

/** The case groups `--cases` picks (default: all but field-variants). */
function picked(): string[] {
  return (args.cases ?? 'matrix,lifecycle,nothing-found,features').split(',').filter(Boolean);
}

type Side = 'eso' | 'projector';
type Results = Map<string, Settled>;

async function runSide(side: Side, cases: Case[]): Promise<Results> {
  const results: Results = new Map();
  const t0 = Date.now();
  const cp = await startControlPlane({ controllerManager: true });
  let ctl: Controller | undefined;
  try {
    const k = new Kube(new Cluster(cp.admin));
    const crdFiles = side === 'eso'
      ? yamlFilesIn(args['eso-crds']!)
      : ['externalsecrets', 'secretstores', 'clustersecretstores', 'clusterexternalsecrets'].map((p) => new URL(`../deploy/crds/${p}.external-secrets.io.yaml`, import.meta.url).pathname);
    await installCrds(k, crdFiles);
    if (side === 'eso') {
      const logPath = `/tmp/eso-side-by-side-eso-${process.pid}.log`;
      ctl = await startEso(cp, args['eso-bin']!, logPath);
      process.stderr.write(`[eso] controller log: ${logPath}\n`);
    } else {
      const op = await startOperator(cp.admin);
      ctl = { stop: () => op.stop(), logs: () => op.logs().split('\n').slice(-200).join('\n') };
    }
    await k.create(clusterStore());
    await eventually(async () => readyOf(await k.get(`/apis/${GROUP}/v1/clustersecretstores/fake`))?.status, 'True', { timeoutMs: 60_000, message: `${side}: ClusterSecretStore Ready` });

    for (const c of cases) {
      await k.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: c.ns } });
      for (const o of c.before ?? []) await k.create(o);
      for (const o of c.create) await k.create(o);
    }
    process.stderr.write(`[${side}] ${cases.length} cases applied after ${Date.now() - t0} ms\n`);

    const lastRaw = new Map<string, Raw>();
    const uids = new Map<string, UidNames>(cases.map((c) => [c.ns, new UidNames()]));
    await Promise.all(cases.map(async (c) => {
      // ExternalSecrets a later step adds are not expected at first.
      const first: Case = { ...c, es: c.es.filter((n) => c.create.some((o) => o.metadata.name === n)) };
      const { settled, raw } = await settle(k, first, uids.get(c.ns)!, undefined, []);
      results.set(`${c.ns}/initial`, settled);
      lastRaw.set(c.ns, raw);
    }));
    process.stderr.write(`[${side}] initial captures after ${Date.now() - t0} ms\n`);

    for (const c of cases) {
      for (const step of c.steps ?? []) {
        await step.act(k, c.ns);
        const prev = lastRaw.get(c.ns);
        const { settled, raw } = await settle(k, c, uids.get(c.ns)!, prev, step.gone ?? []);
        results.set(`${c.ns}/${step.name}`, settled);
        lastRaw.set(c.ns, raw);
        process.stderr.write(`[${side}] ${c.ns}/${step.name}: ${settled.ms} ms${settled.stable ? '' : ' (NOT stable)'}${settled.progressed ? '' : ' (no progress seen)'}\n`);
      }
    }
    process.stderr.write(`[${side}] done after ${Date.now() - t0} ms\n`);
    return results;
  } catch (e) {
    process.stderr.write(`[${side}] failed: ${(e as Error).message}\n--- controller log tail ---\n${ctl?.logs() ?? ''}\n`);
    throw e;
  } finally {
    await ctl?.stop();
    await cp.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Diff and report
// ---------------------------------------------------------------------------------------------

function flatten(v: unknown, prefix: string, out: Map<string, string>): void {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const entries = Object.entries(v as Obj).filter(([, x]) => x !== undefined);
    if (entries.length === 0) out.set(prefix, '{}');
    for (const [k, x] of entries) flatten(x, prefix ? `${prefix}.${k}` : k, out);
    return;
  }
  if (Array.isArray(v) && v.every((x) => x && typeof x === 'object' && !Array.isArray(x)) && prefix.endsWith('managedFields')) {
    // managedFields: keyed by manager/operation so a missing entry shows as one row.
    for (const x of v as Obj[]) flatten({ ...x, manager: undefined, operation: undefined }, `${prefix}[${x.manager} ${x.operation}]`, out);
    return;
  }
  if (Array.isArray(v) && prefix.endsWith('events')) {
    for (const x of v as Obj[]) {
      let key = `${prefix}[${x.object} ${x.type} ${x.reason}]`;
      while (out.has(key)) key += '+';
      out.set(key, `${JSON.stringify(x.message)} (source ${x.source})`);
    }
    return;
  }
  out.set(prefix, JSON.stringify(v));
}

interface Row {
  key: string;
  field: string;
  eso: string;
  projector: string;
}

function diff(key: string, a: Settled | undefined, b: Settled | undefined): Row[] {
  const fa = new Map<string, string>();
  const fb = new Map<string, string>();
  flatten(a?.snap, '', fa);
  flatten(b?.snap, '', fb);
  const rows: Row[] = [];
  for (const f of [...new Set([...fa.keys(), ...fb.keys()])].sort()) {
    const x = fa.get(f) ?? '(absent)';
    const y = fb.get(f) ?? '(absent)';
    if (x !== y) rows.push({ key, field: f, eso: x, projector: y });
  }
  const qa = JSON.stringify(a?.quiet ?? {});
  const qb = JSON.stringify(b?.quiet ?? {});
  if (qa !== qb) rows.push({ key, field: `(Normal events in the last ${STABLE_MS / 1000} s)`, eso: qa, projector: qb });
  if (a && b && a.stable !== b.stable) rows.push({ key, field: '(settled)', eso: String(a.stable), projector: String(b.stable) });
  return rows;
}

const clip = (s: string, n = 160) => (s.length > n ? `${s.slice(0, n)}…` : s);
const cell = (s: string) => clip(s).replace(/\|/g, '\\|');

async function main(): Promise<void> {
  const sides: Side[] = args.side ? [args.side as Side] : ['eso', 'projector'];
  if (sides.includes('eso') && (!args['eso-bin'] || !args['eso-crds'])) {
    throw new Error('usage: bench/eso-side-by-side.ts --eso-bin PATH --eso-crds DIR|FILE [--json-out FILE] [--only ns,...] [--side eso|projector]');
  }
  const only = args.only?.split(',').filter(Boolean);
  // --cases picks the groups (default: the first four; field-variants are bench/field-variants.ts).
  const groups: Record<string, () => Case[]> = { matrix, lifecycle, 'nothing-found': nothingFound, features, 'field-variants': () => fieldVariants({ mutateStore }) };
  for (const g of picked()) if (!groups[g]) throw new Error(`--cases: unknown group ${g} (known: ${Object.keys(groups).join(', ')})`);
  const cases = picked().flatMap((g) => groups[g]!()).filter((c) => !only || only.some((o) => c.ns.startsWith(o)));

  const all: Partial<Record<Side, Results>> = {};
  for (const side of sides) {
    const t = Date.now();
    all[side] = await runSide(side, cases);
    process.stderr.write(`[${side}] side took ${Math.round((Date.now() - t) / 1000)} s\n`);
  }
  if (args['json-out']) {
    const json = Object.fromEntries(Object.entries(all).map(([s, r]) => [s, Object.fromEntries(r!)]));
    writeFileSync(args['json-out'], JSON.stringify(json, null, 2));
  }
  const eso = all.eso;
  const projector = all.projector;
  // In the order the cases and steps are defined, whatever order they settled in.
  const keys = cases.flatMap((c) => [`${c.ns}/initial`, ...(c.steps ?? []).map((st) => `${c.ns}/${st.name}`)]);
  if (!eso || !projector) {
    for (const k of keys) console.log(`## ${k}\n${JSON.stringify((eso ?? projector)!.get(k), null, 2)}`);
    return;
  }
  const rows: Row[] = [];
  let same = 0;
  for (const k of keys) {
    const r = diff(k, eso.get(k), projector.get(k));
    if (r.length === 0) same++;
    rows.push(...r);
  }
  console.log(`# ESO vs Projector: ${keys.length} captures, ${same} identical, ${keys.length - same} with differences\n`);
  for (const k of keys) {
    const e = eso.get(k);
    const p = projector.get(k);
    const flag = (s: Settled | undefined) => (s ? `${s.stable ? 'stable' : 'NOT STABLE'}${s.progressed ? '' : ', no progress seen'}${Object.keys(s.quiet).length ? `, still writing: ${JSON.stringify(s.quiet)}` : ''}` : 'missing');
    console.log(`- ${k}: eso ${flag(e)}; projector ${flag(p)}; ${rows.filter((r) => r.key === k).length} differences`);
  }
  console.log('\n| case | field | ESO | Projector |\n|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.key} | ${cell(r.field)} | ${cell(r.eso)} | ${cell(r.projector)} |`);
}

main().catch((e) => {
  process.stderr.write(`eso-side-by-side: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
