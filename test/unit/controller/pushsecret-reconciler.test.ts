// The PushSecret reconciler with fake caches and a fake writer, against ESO v2.9's
// pkg/controllers/pushsecret/pushsecret_controller.go (GetSecretStores with labelSelector,
// handlePushSecretDataForStore with dataTo per store, markAsFailed with mergeSecretState) and
// pushsecret_controller_template.go (applyTemplate with templateFrom), and its tests
// (syncMatchingLabels, syncWithClusterStoreMatchingLabels, syncWithDataToLabelSelector,
// failDataToLabelSelectorMatchesNoStore, setSecretFail).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { GenericStore, ObjectKey, PushSecret } from '../../../src/api/index.ts';
import { objectKey } from '../../../src/api/meta.ts';
import { PushSecretReconciler } from '../../../src/controller/pushsecret/reconciler.ts';
import { lazyTemplateEngine } from '../../../src/controller/template-engine.ts';
import { ProjectorError } from '../../../src/core/errors.ts';
import { Sensitive } from '../../../src/core/sensitive.ts';
import { silentLogger } from '../../../src/platform/logger.ts';
import type { ClientCache } from '../../../src/sync/client-cache.ts';
import { FakeClock } from '../../support/fake-clock.ts';

const bytes = (s: string) => new Sensitive(new Uint8Array(Buffer.from(s, 'utf8')));
const text = (b: Sensitive<Uint8Array>) => Buffer.from(b.reveal()).toString('utf8');
const templateClock = { now: () => new Date(0) };

function store(kind: 'SecretStore' | 'ClusterSecretStore', name: string, labels: Record<string, string> = {}, namespace = 'ns'): GenericStore {
  return { apiVersion: 'external-secrets.io/v1', kind, metadata: { name, ...(kind === 'SecretStore' && { namespace }), labels }, spec: { provider: { azurekv: { vaultUrl: 'https://v.vault.azure.net' } } } } as unknown as GenericStore;
}

class World {
  ps: PushSecret;
  stores: GenericStore[] = [];
  source: Record<string, string> = { 'db-host': 'localhost', 'db-port': '5432', token: 'abc' };
  configMaps: Record<string, Record<string, string>> = {};
  pushes: string[] = [];
  events: string[] = [];
  failOn?: string;
  forgotten: string[] = [];
  deletes: string[] = [];
  constructor(spec: Partial<PushSecret['spec']>) {
    this.ps = { apiVersion: 'external-secrets.io/v1alpha1', kind: 'PushSecret', metadata: { name: 'p', namespace: 'ns', generation: 1 }, spec: { secretStoreRefs: [], selector: { secret: { name: 'src' } }, ...spec } };
  }
  reconciler(): PushSecretReconciler {
    const w = this;
    const lister = (kind: string) => ({
      get: (k: ObjectKey) => w.stores.find((s) => s.kind === kind && objectKey(s.metadata.namespace, s.metadata.name) === k),
      byIndex: () => [],
      list: () => w.stores.filter((s) => s.kind === kind),
    });
    const clients = {
      async get(s: GenericStore) {
        return {
          writer: {
            async pushSecret(req: { remoteKey: string; value: Sensitive<Uint8Array> }) {
              if (req.remoteKey === w.failOn) throw new ProjectorError('VaultForbidden', 'forbidden');
              w.pushes.push(`${s.kind}/${s.metadata.name}:${req.remoteKey}=${text(req.value)}`);
              return 'created' as const;
            },
            async deleteSecret(remoteKey: string) {
              w.deletes.push(`${s.kind}/${s.metadata.name}:${remoteKey}`);
              return 'deleted' as const;
            },
            async secretExists() {
              return false;
            },
          },
        };
      },
      invalidate(s: GenericStore) {
        w.forgotten.push(`${s.kind}/${s.metadata.namespace ?? ''}/${s.metadata.name}`);
      },
    } as unknown as ClientCache;
    return new PushSecretReconciler({
      pushSecrets: { get: () => w.ps, byIndex: () => [], list: () => [w.ps] },
      secretStores: lister('SecretStore'),
      clusterSecretStores: lister('ClusterSecretStore'),
      namespaceLabels: () => ({}),
      kube: {
        async getSecret(_ns, name) {
          return name === 'src' ? ({ data: new Map(Object.entries(w.source).map(([k, v]) => [k, bytes(v)])) } as never) : undefined;
        },
        async getConfigMap(_ns, name) {
          return w.configMaps[name];
        },
        async listSecrets() {
          return [];
        },
        async patchStatus(_o, status) {
          w.ps = { ...w.ps, status: status as PushSecret['status'] };
        },
        async setFinalizers() {},
      },
      clients,
      events: { normal: () => {}, warn: (_o, reason, message) => void w.events.push(`${reason}: ${message}`) },
      clock: new FakeClock(new Date('2026-01-01T00:00:00Z')),
      log: silentLogger(),
      controllerClass: 'default',
      templates: lazyTemplateEngine(templateClock),
    });
  }
  async run() {
    const r = await this.reconciler().reconcile(objectKey('ns', 'p'), new AbortController().signal);
    return r;
  }
  ready() {
    return this.ps.status?.conditions?.find((c) => c.type === 'Ready');
  }
  /** A new generation, so the next reconcile pushes (ESO shouldRefresh). */
  bump() {
    this.ps = { ...this.ps, metadata: { ...this.ps.metadata, generation: (this.ps.metadata.generation ?? 0) + 1 } };
  }
}

describe('PushSecret reconcile: secretStoreRefs[].labelSelector (ESO GetSecretStores)', () => {
  it('pushes to every store of the kind whose labels match, in its namespace for SecretStores, once each', async () => {
    const w = new World({
      secretStoreRefs: [{ labelSelector: { matchLabels: { env: 'prod' } } }, { name: 'b', kind: 'SecretStore' }, { kind: 'ClusterSecretStore', labelSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] } }],
      data: [{ match: { secretKey: 'token', remoteRef: { remoteKey: 'tok' } } }],
    });
    w.stores = [store('SecretStore', 'b', { env: 'prod' }), store('SecretStore', 'a', { env: 'prod' }), store('SecretStore', 'c', { env: 'dev' }), store('SecretStore', 'd', { env: 'prod' }, 'other-ns'), store('ClusterSecretStore', 'cs', { env: 'prod' })];
    await w.run();
    assert.equal(w.ready()?.status, 'True', JSON.stringify(w.ready()));
    assert.deepEqual(w.pushes, ['SecretStore/a:tok=abc', 'SecretStore/b:tok=abc', 'ClusterSecretStore/cs:tok=abc']);
    assert.deepEqual(Object.keys(w.ps.status!.syncedPushSecrets!), ['SecretStore/a', 'SecretStore/b', 'ClusterSecretStore/cs']);
  });

  it('no store matching is not an error; a store labelled later is pushed to at the next push', async () => {
    const w = new World({ secretStoreRefs: [{ labelSelector: { matchLabels: { env: 'prod' } } }], data: [{ match: { secretKey: 'token', remoteRef: { remoteKey: 'tok' } } }] });
    w.stores = [store('SecretStore', 'a', { env: 'dev' })];
    assert.deepEqual(await w.run(), { kind: 'done' });
    assert.deepEqual(w.pushes, []);
    w.stores = [store('SecretStore', 'a', { env: 'prod' })];
    w.bump();
    await w.run();
    assert.deepEqual(w.pushes, ['SecretStore/a:tok=abc']);
  });

  it('a refused credential forgets the clients of the stores selected by label too', async () => {
    const w = new World({ secretStoreRefs: [{ labelSelector: { matchLabels: { env: 'prod' } } }], data: [{ match: { secretKey: 'token', remoteRef: { remoteKey: 'tok' } } }] });
    w.stores = [store('SecretStore', 'a', { env: 'prod' }), store('SecretStore', 'b', { env: 'dev' })];
    w.failOn = 'tok';
    await w.run();
    assert.match(w.ready()!.message!, /^VaultForbidden: set secret failed: could not write remote ref token to target secretstore a/);
    assert.deepEqual(w.forgotten, ['SecretStore/ns/a']);
  });
});

describe('PushSecret reconcile: spec.dataTo per store', () => {
  it('expands dataTo for the stores its storeRef targets, by name or by label (syncWithDataToStoreRef, syncWithDataToLabelSelector)', async () => {
    const w = new World({
      secretStoreRefs: [{ name: 'a', kind: 'SecretStore' }, { labelSelector: { matchLabels: { tier: 'two' } } }],
      dataTo: [{ storeRef: { name: 'a' }, match: { regexp: '^db-' } }, { storeRef: { labelSelector: { matchLabels: { tier: 'two' } } }, remoteKey: 'bundle', match: { regexp: '^db-' } }],
      data: [{ match: { secretKey: 'token', remoteRef: { remoteKey: 'tok' } } }],
    });
    w.stores = [store('SecretStore', 'a'), store('SecretStore', 'b', { tier: 'two' })];
    await w.run();
    assert.equal(w.ready()?.status, 'True', JSON.stringify(w.ready()));
    assert.deepEqual(w.pushes, ['SecretStore/a:db-host=localhost', 'SecretStore/a:db-port=5432', 'SecretStore/a:tok=abc', 'SecretStore/b:bundle={"db-host":"localhost","db-port":"5432"}', 'SecretStore/b:tok=abc']);
    assert.deepEqual(w.ps.status!.syncedPushSecrets!['SecretStore/b'], { bundle: { match: { remoteRef: { remoteKey: 'bundle' } }, conversionStrategy: 'None' }, tok: { match: { secretKey: 'token', remoteRef: { remoteKey: 'tok' } }, conversionStrategy: 'None' } });
  });

  it('a label-selecting dataTo entry that reaches no store fails the push (failDataToLabelSelectorMatchesNoStore)', async () => {
    const w = new World({ secretStoreRefs: [{ labelSelector: { matchLabels: { env: 'staging' } } }], dataTo: [{ storeRef: { labelSelector: { matchLabels: { env: 'production' } } } }] });
    w.stores = [store('SecretStore', 'a', { env: 'staging' })];
    await w.run();
    assert.equal(w.ready()?.status, 'False');
    assert.match(w.ready()!.message!, /^InvalidSpec: spec\.dataTo\[0\]\.storeRef\.labelSelector: labelSelector does not match any store in secretStoreRefs/);
    assert.deepEqual(w.pushes, []);
  });

  it('a duplicate destination found while expanding fails with the entries named, never a value', async () => {
    const w = new World({ secretStoreRefs: [{ name: 'a', kind: 'SecretStore' }], dataTo: [{ storeRef: { name: 'a' }, rewrite: [{ regexp: { source: '-.*', target: '' } }] }] });
    w.stores = [store('SecretStore', 'a')];
    await w.run();
    assert.equal(w.ready()!.message, 'InvalidSpec: set secret failed: spec.dataTo[0]: duplicate remote key "db" from source key "db-port" (conflicts with spec.dataTo[0] source key "db-host")');
    assert.ok(!w.events.join('\n').includes('localhost'));
  });
});

describe('PushSecret reconcile: template.templateFrom (ESO applyTemplate, the ExternalSecret engine)', () => {
  it('renders templateFrom configMap items, then template.data, over the source data', async () => {
    const w = new World({
      secretStoreRefs: [{ name: 'a', kind: 'SecretStore' }],
      template: { templateFrom: [{ configMap: { name: 'tpl', items: [{ key: 'dsn' }] } }], data: { bearer: 'Bearer {{ .token }}' } },
      data: [{ match: { secretKey: 'dsn', remoteRef: { remoteKey: 'dsn' } } }, { match: { secretKey: 'bearer', remoteRef: { remoteKey: 'bearer' } } }, { match: { secretKey: 'token', remoteRef: { remoteKey: 'token' } } }],
    });
    w.stores = [store('SecretStore', 'a')];
    w.configMaps = { tpl: { dsn: 'postgres://{{ .token }}@{{ index . "db-host" }}:{{ index . "db-port" }}' } };
    await w.run();
    assert.equal(w.ready()?.status, 'True', JSON.stringify(w.ready()));
    assert.deepEqual(w.pushes, ['SecretStore/a:dsn=postgres://abc@localhost:5432', 'SecretStore/a:bearer=Bearer abc', 'SecretStore/a:token=abc']);
  });

  it('decodes templateFrom values by valuesDecodingStrategy, as ESO (the same Parser.MergeTemplateFrom and template.Execute)', async () => {
    const w = new World({
      secretStoreRefs: [{ name: 'a', kind: 'SecretStore' }],
      template: { templateFrom: [{ literal: 'decoded: "{{ .token | b64enc }}"', valuesDecodingStrategy: 'Base64' }] },
      data: [{ match: { secretKey: 'decoded', remoteRef: { remoteKey: 'decoded' } } }],
    });
    w.stores = [store('SecretStore', 'a')];
    await w.run();
    assert.equal(w.ready()?.status, 'True', JSON.stringify(w.ready()));
    assert.deepEqual(w.pushes, ['SecretStore/a:decoded=abc']);
  });

  it('a missing templateFrom ConfigMap fails naming spec.template, as ESO (error fetching templateFrom data)', async () => {
    const w = new World({ secretStoreRefs: [{ name: 'a', kind: 'SecretStore' }], template: { templateFrom: [{ configMap: { name: 'absent', items: [{ key: 'x' }] } }] }, data: [{ match: { secretKey: 'token', remoteRef: { remoteKey: 'token' } } }] });
    w.stores = [store('SecretStore', 'a')];
    await w.run();
    assert.equal(w.ready()?.status, 'False');
    assert.match(w.ready()!.message!, /^TemplateSourceNotFound: error fetching templateFrom data: configmaps "absent" not found/);
    assert.doesNotMatch(w.ready()!.message!, /spec\.target/);
    assert.deepEqual(w.pushes, []);
  });

  it('a template error is visible: Ready=False, Errored, a Warning event, no value quoted (a deliberate difference, docs/design/000-overview.md)', async () => {
    // ESO pushsecret_controller.go returns applyTemplate's error without markAsFailed: no event, and
    // Ready keeps its old value. Projector reports it where users look.
    const w = new World({ secretStoreRefs: [{ name: 'a', kind: 'SecretStore' }], template: { data: { bad: '{{ .token | nosuchfunction }}' } }, data: [{ match: { secretKey: 'token', remoteRef: { remoteKey: 'token' } } }] });
    w.stores = [store('SecretStore', 'a')];
    await w.run();
    assert.deepEqual([w.ready()?.status, w.ready()?.reason], ['False', 'Errored']);
    assert.match(w.ready()!.message!, /^InvalidSpec: template: bad:1:\d+: function "nosuchfunction" not defined/);
    assert.equal(w.events.length, 1);
    assert.match(w.events[0]!, /^Errored: /);
    assert.doesNotMatch(w.events[0]! + w.ready()!.message!, /abc/);
    assert.deepEqual(w.pushes, []);
  });
});

describe('PushSecret reconcile: synced state on failure (ESO mergeSecretState)', () => {
  it('keeps the previously recorded item of an entry pushed again before a failure', async () => {
    const w = new World({ secretStoreRefs: [{ name: 'a', kind: 'SecretStore' }], data: [{ match: { secretKey: 'token', remoteRef: { remoteKey: 'tok' } } }, { match: { secretKey: 'db-host', remoteRef: { remoteKey: 'host' } } }] });
    w.stores = [store('SecretStore', 'a')];
    await w.run();
    const before = w.ps.status!.syncedPushSecrets!;
    assert.deepEqual(Object.keys(before['SecretStore/a']!), ['tok', 'host']);
    // The item for `tok` changes (another Secret key), and the next item fails.
    w.ps = { ...w.ps, spec: { ...w.ps.spec, data: [{ match: { secretKey: 'db-port', remoteRef: { remoteKey: 'tok' } } }, { match: { secretKey: 'db-host', remoteRef: { remoteKey: 'host2' } } }] } };
    w.bump();
    w.failOn = 'host2';
    await w.run();
    assert.equal(w.ready()?.status, 'False');
    // pushed now: { tok: <db-port item> }; status before: { tok: <token item>, host }; ESO's old wins.
    assert.deepEqual(w.ps.status!.syncedPushSecrets, { 'SecretStore/a': { tok: before['SecretStore/a']!.tok!, host: before['SecretStore/a']!.host! } });
  });
});

describe('PushSecret reconcile: deleting from stores of another controller class', () => {
  // ESO: DeleteSecretFromProviders gets each client through secretstore.Manager.Get, which refuses a
  // store whose spec.controller names another class (client_manager.go: "can not reference unmanaged store").
  const pushed = { 'SecretStore/mine': { tok: { match: { secretKey: 'token', remoteRef: { remoteKey: 'tok' } } } } };
  for (const [controller, deletes] of [['', ['SecretStore/mine:tok']], ['default', ['SecretStore/mine:tok']], ['other', []]] as const) {
    it(`finalizing a deletionPolicy Delete PushSecret with the store's spec.controller ${JSON.stringify(controller)}: ${deletes.length ? 'deletes' : 'deletes nothing and fails'}`, async () => {
      const w = new World({ deletionPolicy: 'Delete', secretStoreRefs: [{ name: 'mine', kind: 'SecretStore' }], data: [{ match: { secretKey: 'token', remoteRef: { remoteKey: 'tok' } } }] });
      const st = store('SecretStore', 'mine');
      (st.spec as { controller?: string }).controller = controller;
      w.stores = [st];
      w.ps = { ...w.ps, metadata: { ...w.ps.metadata, deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['pushsecret.externalsecrets.io/finalizer'] }, status: { syncedPushSecrets: pushed } as never };
      const result = await w.run().catch((e: Error) => e);
      assert.deepEqual(w.deletes, deletes);
      if (!deletes.length) {
        const text = result instanceof Error ? result.message : JSON.stringify(w.ready());
        assert.match(text, /can not reference unmanaged store/);
      }
    });
  }
});
