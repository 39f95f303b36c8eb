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
import { PushSecretReconciler, type PushGenerator } from '../../../src/controller/pushsecret/reconciler.ts';
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
  /** Thrown by the client cache, secretExists and deleteSecret while set. */
  failClient?: ProjectorError;
  failExists?: ProjectorError;
  failDelete?: ProjectorError;
  generate?: PushGenerator;
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
        if (w.failClient) throw w.failClient;
        return {
          writer: {
            async pushSecret(req: { remoteKey: string; value: Sensitive<Uint8Array> }) {
              if (req.remoteKey === w.failOn) throw new ProjectorError('VaultForbidden', 'forbidden');
              w.pushes.push(`${s.kind}/${s.metadata.name}:${req.remoteKey}=${text(req.value)}`);
              return 'created' as const;
            },
            async deleteSecret(remoteKey: string) {
              if (w.failDelete) throw w.failDelete;
              w.deletes.push(`${s.kind}/${s.metadata.name}:${remoteKey}`);
              return 'deleted' as const;
            },
            async secretExists() {
              if (w.failExists) throw w.failExists;
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
      ...(w.generate && { generate: w.generate }),
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
    // ESO validateDataToMatchesResolvedStores: "dataTo[%d]: labelSelector does not match any store in secretStoreRefs".
    assert.equal(w.ready()!.message, 'InvalidSpec: dataTo[0]: labelSelector does not match any store in secretStoreRefs');
    assert.deepEqual(w.pushes, []);
  });

  it('a duplicate destination found while expanding fails with the entries named, never a value', async () => {
    const w = new World({ secretStoreRefs: [{ name: 'a', kind: 'SecretStore' }], dataTo: [{ storeRef: { name: 'a' }, rewrite: [{ regexp: { source: '-.*', target: '' } }] }] });
    w.stores = [store('SecretStore', 'a')];
    await w.run();
    // ESO: errFailedSetSecret over handlePushSecretDataForStore's "failed to expand dataTo: %w" over registerRemoteKeys.
    assert.equal(w.ready()!.message, 'InvalidSpec: set secret failed: failed to expand dataTo: dataTo[0]: duplicate remote key "db" from source key "db-port" (conflicts with dataTo[0]:db-host)');
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

// ESO pkg/controllers/pushsecret/pushsecret_controller.go: markAsFailed sets Ready=False, reason
// Errored (esapi.ReasonErrored), and records a Warning event Errored with the same message. The
// messages below are ESO's constants and literals; Projector puts the code before each (the row
// "PushSecret: Ready=False message" of docs/design/000-overview.md).
describe('PushSecret reconcile: failure messages, reasons and events as ESO markAsFailed', () => {
  const tok = { match: { secretKey: 'token', remoteRef: { remoteKey: 'tok' } } };
  /** Runs and returns the condition message, checking ESO's reason and that the Warning event says the same. */
  async function failure(w: World): Promise<string> {
    await w.run();
    const ready = w.ready()!;
    assert.deepEqual([ready.status, ready.reason], ['False', 'Errored'], JSON.stringify(ready));
    assert.deepEqual(w.events, [`Errored: ${ready.message}`]);
    return ready.message!;
  }

  it('source Secret: errFailedGetSecret "could not get source secret", whatever failed', async () => {
    const named = new World({ secretStoreRefs: [{ name: 'a', kind: 'SecretStore' }], selector: { secret: { name: 'absent' } }, data: [tok] });
    named.stores = [store('SecretStore', 'a')];
    assert.equal(await failure(named), 'SourceNotFound: could not get source secret');
    // A generator's failure also says why (the generators row of docs/design/000-overview.md).
    const generated = new World({ secretStoreRefs: [{ name: 'a', kind: 'SecretStore' }], selector: { generatorRef: { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'UUID', name: 'absent' } }, data: [tok] });
    generated.stores = [store('SecretStore', 'a')];
    generated.generate = async () => {
      throw new ProjectorError('GeneratorNotFound', 'UUID "absent" in namespace "ns" not found (generators.external-secrets.io/v1alpha1)');
    };
    assert.equal(await failure(generated), 'GeneratorNotFound: could not get source secret: UUID "absent" in namespace "ns" not found (generators.external-secrets.io/v1alpha1)');
  });

  it('a store that does not exist: errGetSecretStore / errGetClusterSecretStore over the API server\'s NotFound', async () => {
    const ss = new World({ secretStoreRefs: [{ name: 'gone', kind: 'SecretStore' }], data: [tok] });
    assert.equal(await failure(ss), 'StoreNotFound: could not get SecretStore "gone", secretstores.external-secrets.io "gone" not found');
    const css = new World({ secretStoreRefs: [{ name: 'gone', kind: 'ClusterSecretStore' }], data: [tok] });
    assert.equal(await failure(css), 'StoreNotFound: could not get ClusterSecretStore "gone", clustersecretstores.external-secrets.io "gone" not found');
  });

  it('a store whose client cannot be had: errFailedSetSecret over "could not get secrets client for store <name>: …", the store recorded empty', async () => {
    const denied = new World({ secretStoreRefs: [{ name: 'cs', kind: 'ClusterSecretStore' }], data: [tok] });
    const cs = store('ClusterSecretStore', 'cs');
    (cs.spec as { conditions?: unknown }).conditions = [{ namespaces: ['elsewhere'] }];
    denied.stores = [cs];
    // client_manager.go errClusterStoreMismatch.
    assert.equal(await failure(denied), 'StoreNotAllowed: set secret failed: could not get secrets client for store cs: using cluster store "cs" is not allowed from namespace "ns": denied by spec.condition');
    assert.deepEqual(denied.ps.status!.syncedPushSecrets, { 'ClusterSecretStore/cs': {} });
    const broken = new World({ secretStoreRefs: [{ name: 'a', kind: 'SecretStore' }], data: [tok] });
    broken.stores = [store('SecretStore', 'a')];
    broken.failClient = new ProjectorError('CredentialNotFound', 'Secret ns/creds has no key "clientSecret"');
    assert.equal(await failure(broken), 'CredentialNotFound: set secret failed: could not get secrets client for store a: Secret ns/creds has no key "clientSecret"');
    assert.deepEqual(broken.ps.status!.syncedPushSecrets, { 'SecretStore/a': {} });
  });

  it('an item: pushSecretEntry\'s texts, after the items before it were pushed and recorded', async () => {
    const missing = new World({ secretStoreRefs: [{ name: 'a', kind: 'SecretStore' }], data: [tok, { match: { secretKey: 'nope', remoteRef: { remoteKey: 'n' } } }] });
    missing.stores = [store('SecretStore', 'a')];
    assert.equal(await failure(missing), 'SourceNotFound: set secret failed: secret key nope does not exist');
    assert.deepEqual(missing.pushes, ['SecretStore/a:tok=abc']);
    assert.deepEqual(Object.keys(missing.ps.status!.syncedPushSecrets!['SecretStore/a']!), ['tok']);

    const collision = new World({ secretStoreRefs: [{ name: 'a', kind: 'SecretStore' }], data: [tok, { match: { secretKey: 'a/b', remoteRef: { remoteKey: 'ab' } }, conversionStrategy: 'ReverseUnicode' }] });
    collision.stores = [store('SecretStore', 'a')];
    collision.source = { token: 'abc', a_U002f_b: '1', a_U002F_b: '2' };
    // errConvert over esutils.ReverseKeys.
    assert.equal(await failure(collision), 'InvalidSpec: set secret failed: could not apply conversion strategy to keys: secret name collision during conversion: a/b');
    assert.deepEqual(collision.pushes, ['SecretStore/a:tok=abc']);

    const exists = new World({ secretStoreRefs: [{ name: 'a', kind: 'SecretStore' }], updatePolicy: 'IfNotExists', data: [tok] });
    exists.stores = [store('SecretStore', 'a')];
    exists.failExists = new ProjectorError('VaultUnavailable', 'vault unreachable');
    assert.equal(await failure(exists), 'VaultUnavailable: set secret failed: could not verify if secret exists in store: vault unreachable');

    const refused = new World({ secretStoreRefs: [{ name: 'a', kind: 'SecretStore' }], data: [tok] });
    refused.stores = [store('SecretStore', 'a')];
    refused.failOn = 'tok';
    // errSetSecretFailed.
    assert.equal(await failure(refused), 'VaultForbidden: set secret failed: could not write remote ref token to target secretstore a: forbidden');
  });

  it('two items on one destination: mergeDataEntries at the push, "failed to merge data entries: …", nothing pushed', async () => {
    const w = new World({ secretStoreRefs: [{ name: 'a', kind: 'SecretStore' }], data: [tok, { match: { secretKey: 'db-host', remoteRef: { remoteKey: 'tok' } } }] });
    w.stores = [store('SecretStore', 'a')];
    assert.equal(await failure(w), 'InvalidSpec: set secret failed: failed to merge data entries: duplicate remote key "tok": source keys "token" and "db-host" both map to the same destination');
    assert.deepEqual(w.pushes, []);
  });

  it('a dataTo storeRef that secretStoreRefs does not name: validateDataToStoreRefs, before anything is read', async () => {
    const w = new World({ secretStoreRefs: [{ name: 'a', kind: 'SecretStore' }], dataTo: [{ storeRef: { name: 'a' } }, { storeRef: { name: 'zz' } }] });
    w.stores = [store('SecretStore', 'a')];
    assert.equal(await failure(w), 'InvalidSpec: dataTo[1]: storeRef "zz" not found in secretStoreRefs');
    assert.deepEqual(w.pushes, []);
  });

  it('deleting: "Failed to Delete Secrets from Provider: …" (the store manager\'s texts), and the source-deleted clean-up\'s "failed to cleanup provider secrets: …"', async () => {
    const pushed = { 'SecretStore/mine': { tok: { match: { secretKey: 'token', remoteRef: { remoteKey: 'tok' } } } } };
    const finalizing = (st: GenericStore[]) => {
      const w = new World({ deletionPolicy: 'Delete', secretStoreRefs: [{ name: 'mine', kind: 'SecretStore' }], data: [tok] });
      w.stores = st;
      w.ps = { ...w.ps, metadata: { ...w.ps.metadata, deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['pushsecret.externalsecrets.io/finalizer'] }, status: { syncedPushSecrets: pushed } as never };
      return w;
    };
    assert.equal(await failure(finalizing([])), 'StoreNotFound: Failed to Delete Secrets from Provider: could not get secrets client for store SecretStore/mine: could not get SecretStore "mine", secretstores.external-secrets.io "mine" not found');
    const other = store('SecretStore', 'mine');
    (other.spec as { controller?: string }).controller = 'other';
    assert.equal(await failure(finalizing([other])), 'StoreNotAllowed: Failed to Delete Secrets from Provider: could not get secrets client for store SecretStore/mine: can not reference unmanaged store');
    const failing = finalizing([store('SecretStore', 'mine')]);
    failing.failDelete = new ProjectorError('VaultForbidden', 'forbidden');
    assert.equal(await failure(failing), 'VaultForbidden: Failed to Delete Secrets from Provider: forbidden');

    // The named source is gone under deletionPolicy Delete: handleSourceSecretDeleted.
    const gone = new World({ deletionPolicy: 'Delete', secretStoreRefs: [{ name: 'mine', kind: 'SecretStore' }], selector: { secret: { name: 'absent' } }, data: [tok] });
    gone.stores = [store('SecretStore', 'mine')];
    gone.ps = { ...gone.ps, metadata: { ...gone.ps.metadata, finalizers: ['pushsecret.externalsecrets.io/finalizer'] }, status: { syncedPushSecrets: pushed } as never };
    gone.failDelete = new ProjectorError('VaultForbidden', 'forbidden');
    assert.equal(await failure(gone), 'VaultForbidden: failed to cleanup provider secrets: forbidden');
  });
});
