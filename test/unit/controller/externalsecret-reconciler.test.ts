// The ExternalSecret reconciler with in-memory stores, an in-memory Secret store and the fake
// provider: the decisions of a reconcile, as data, on a fake clock.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ExternalSecret, GenericStore, ObjectKey } from '../../../src/api/index.ts';
import { objectKey } from '../../../src/api/meta.ts';
import { ExternalSecretReconciler } from '../../../src/controller/externalsecret/reconciler.ts';
import { ChangeTimes } from '../../../src/controller/change-times.ts';
import { ObjectStore } from '../../../src/kube/object-store.ts';
import { ClientCache } from '../../../src/sync/client-cache.ts';
import { ProviderRegistry } from '../../../src/providers/registry.ts';
import { fakeProvider } from '../../../src/providers/fake/index.ts';
import { ProjectorError } from '../../../src/core/errors.ts';
import { hashSecretData } from '../../../src/core/secret-data.ts';
import { LABEL_CREATED_BY, LABEL_MANAGED } from '../../../src/api/constants.ts';
import { CREATED_BY_INDEX, createdByIndexValuesOf } from '../../../src/core/external-secret.ts';
import { lazyTemplateEngine } from '../../../src/controller/template-engine.ts';
import type { DesiredSecret, LiveSecret } from '../../../src/core/plan-target-secret.ts';
import type { TemplateEngine } from '../../../src/core/template-use.ts';
import type { LiveTargetMeta } from '../../../src/core/refresh.ts';
import { createLogger, silentLogger } from '../../../src/platform/logger.ts';
import type { SecretsClient } from '../../../src/providers/provider.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import type { FetchOptions } from '../../../src/sync/fetch-provider-data.ts';
import { resolveGeneratorRef, runGeneratorRef } from '../../../src/sync/generate.ts';
import type { GeneratorObject } from '../../../src/api/index.ts';
import { bytes, externalSecret, fakeStore } from '../../support/builders.ts';

function world(
  data: { key: string; value: string }[],
  spec: Partial<ExternalSecret['spec']> = {},
  extra: { setFinalizers?: () => Promise<void>; log?: ReturnType<typeof silentLogger>; fetchOptions?: FetchOptions; templates?: TemplateEngine; statusLag?: boolean; apiServerLike?: boolean; floodGate?: boolean; clusterStores?: boolean } = {},
) {
  /** Thrown by the next Secret writes (update, delete) while set: the API server's answer. */
  const fail: { update?: ProjectorError | undefined; delete?: ProjectorError | undefined } = {};
  /** Every event with its message: "<type> <reason> <message>". */
  const eventTexts: string[] = [];
  const clock = new FakeClock(new Date('2026-11-23T10:00:00Z'));
  const externalSecrets = new ObjectStore<ExternalSecret>();
  const clusterSecretStores = new ObjectStore<GenericStore>();
  const secrets = new Map<string, LiveSecret>();
  const events: string[] = [];
  let failReads = false;
  let clientsBuilt = 0;
  const secretStores = new ObjectStore<GenericStore>();
  const registry = new ProviderRegistry([
    {
      ...fakeProvider,
      async newClient(store, host, signal): Promise<SecretsClient> {
        clientsBuilt++;
        const inner = await fakeProvider.newClient(store, host, signal);
        return {
          ...inner,
          getSecret: (ref, s) => (failReads ? Promise.reject(new ProjectorError('VaultUnavailable', 'vault unreachable')) : inner.getSecret(ref, s)),
          ...(inner.getAllSecrets && { getAllSecrets: (find, s) => inner.getAllSecrets!(find, s) }),
        };
      },
    },
  ]);
  // apiServerLike: the cache holds only Secrets with ESO's managed label (the operator's label-selected
  // watch), and a create of an existing Secret answers 409 AlreadyExists, as the API server does.
  const calls: string[] = [];
  const labelCalls: string[] = [];
  const write = async (d: DesiredSecret) => {
    secrets.set(`${d.namespace}/${d.name}`, { metadata: { name: d.name, namespace: d.namespace, annotations: d.annotations, labels: d.labels, ownerReferences: d.ownerReferences, resourceVersion: String(secrets.size + 1) }, type: d.type, data: d.data });
    return 'rv';
  };
  const changes = new ChangeTimes();
  const pendingStatus: (() => void)[] = [];
  const reconciler = new ExternalSecretReconciler({
    externalSecrets,
    secretStores,
    clusterSecretStores,
    namespaceLabels: () => ({}),
    managedSecrets: {
      get: (k: ObjectKey): LiveTargetMeta | undefined => {
        const s = secrets.get(k);
        if (extra.apiServerLike && s?.metadata.labels?.[LABEL_MANAGED] !== 'true') return undefined;
        return s && { metadata: s.metadata, observedDataHash: hashSecretData(s.data) };
      },
      byIndex: (index: string, value: string): LiveTargetMeta[] =>
        index === CREATED_BY_INDEX
          ? [...secrets.values()].filter((s) => (!extra.apiServerLike || s.metadata.labels?.[LABEL_MANAGED] === 'true') && createdByIndexValuesOf(s.metadata).includes(value)).map((s) => ({ metadata: s.metadata, observedDataHash: hashSecretData(s.data) }))
          : [],
      list: () => [],
    },
    kube: {
      getSecret: async (ns, name) => {
        calls.push('get');
        return secrets.get(`${ns}/${name}`);
      },
      createSecret: async (d) => {
        calls.push('create');
        if (extra.apiServerLike && secrets.has(`${d.namespace}/${d.name}`)) {
          throw new ProjectorError('KubeConflict', `create Secret ${d.namespace}/${d.name}: conflict (AlreadyExists)`, { httpStatus: 409, remoteCode: 'AlreadyExists' });
        }
        return write(d);
      },
      updateSecret: async (d) => {
        calls.push('update');
        if (fail.update) throw fail.update;
        return write(d);
      },
      deleteSecret: async (ns, name) => {
        calls.push(`delete ${ns}/${name}`);
        if (fail.delete) throw fail.delete;
        secrets.delete(`${ns}/${name}`);
      },
      patchStatus: async (obj, status) => {
        const apply = () => {
          const es = externalSecrets.get(objectKey(obj.metadata.namespace, obj.metadata.name));
          if (es) externalSecrets.upsert({ ...es, status: status as ExternalSecret['status'] });
        };
        // statusLag: the watch cache shows the write only when the test delivers it.
        if (extra.statusLag) pendingStatus.push(apply);
        else apply();
      },
      ...(extra.setFinalizers ? { setFinalizers: extra.setFinalizers } : {}),
      // The operator's JSON merge patch of the managed label (kube/client.ts), recorded with its field manager.
      ...(extra.apiServerLike && {
        labelSecretManaged: async (ns: string, name: string, fieldManager: string) => {
          labelCalls.push(`${ns}/${name} as ${fieldManager}`);
          const s = secrets.get(`${ns}/${name}`);
          if (!s) return undefined;
          const next = { ...s, metadata: { ...s.metadata, labels: { ...s.metadata.labels, [LABEL_MANAGED]: 'true' } } };
          secrets.set(`${ns}/${name}`, next);
          return next;
        },
      }),
    },
    clients: new ClientCache({ registry, hostFor: () => ({ log: silentLogger() }) as never, clock, log: silentLogger() }),
    events: {
      normal: (_t, reason, msg) => {
        eventTexts.push(`Normal ${reason} ${msg}`);
        events.push(reason === 'MissingProviderSecret' ? `Normal ${reason} ${msg}` : `Normal ${reason}`);
      },
      warn: (_t, reason, msg) => {
        eventTexts.push(`Warning ${reason} ${msg}`);
        events.push(`Warning ${reason} ${msg}`);
      },
    },
    clock,
    log: extra.log ?? silentLogger(),
    controllerClass: '',
    floodGate: extra.floodGate ?? false,
    ...(extra.clusterStores !== undefined && { clusterStores: extra.clusterStores }),
    changes,
    templates: extra.templates ?? lazyTemplateEngine(clock),
    ...(extra.fetchOptions ? { fetchOptions: extra.fetchOptions } : {}),
  });
  clusterSecretStores.upsert(fakeStore(data));
  const es = externalSecret({ refreshInterval: '1h', ...spec });
  externalSecrets.upsert(es);
  const key = objectKey(es.metadata.namespace, es.metadata.name);
  const value = () => {
    const s = secrets.get('netbox/netbox-db-credentials');
    return s && Buffer.from(s.data.get('DB_PASSWORD')!.reveal()).toString();
  };
  const ready = () => externalSecrets.get(key)!.status?.conditions?.find((c) => c.type === 'Ready');
  const bytesOf = (k: string) => secrets.get('netbox/netbox-db-credentials')?.data.get(k)?.reveal();
  const setSpec = (next: Partial<ExternalSecret['spec']>) => {
    const cur = externalSecrets.get(key)!;
    externalSecrets.upsert({ ...cur, metadata: { ...cur.metadata, generation: (cur.metadata.generation ?? 1) + 1 }, spec: { ...cur.spec, ...next } });
  };
  const deliverStatus = () => pendingStatus.splice(0).forEach((apply) => apply());
  return { fail, eventTexts, clock, reconciler, key, value, bytesOf, setSpec, ready, events, changes, clusterSecretStores, secretStores, externalSecrets, secrets, calls, labelCalls, deliverStatus, setFailReads: (f: boolean) => (failReads = f), clientsBuilt: () => clientsBuilt };
}

const signal = new AbortController().signal;

describe('ExternalSecretReconciler', () => {
  it("skips an ExternalSecret whose generator names another controller class (ESO shouldSkipGenerator): no Secret, no status, no event", async () => {
    const fake = (controller: string): GeneratorObject => ({ apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Fake', metadata: { name: 'f', namespace: 'netbox' }, spec: { controller, data: { GENERATED: 'g' } } });
    let generator = fake('team-a');
    const fetchOptions: FetchOptions = {
      generate: (ref, ns, field, s) => runGeneratorRef(ref, ns, field, { getGenerator: async () => generator, random: { int: () => 0, bytes: (n) => new Uint8Array(n) }, controllerClass: 'default' }, s),
    };
    const w = world([{ key: 'netbox-db-password', value: 'v1' }], { dataFrom: [{ sourceRef: { generatorRef: { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Fake', name: 'f' } } }] }, { fetchOptions });
    assert.deepEqual(await w.reconciler.reconcile(w.key, signal), { kind: 'done' });
    assert.equal(w.value(), undefined);
    assert.equal(w.ready(), undefined);
    assert.deepEqual(w.events, []);
    // Named for this instance's class, it syncs with the generated key.
    generator = fake('default');
    w.changes.mark(w.key, w.clock.now().getTime(), true);
    await w.reconciler.reconcile(w.key, signal);
    assert.equal(w.value(), 'v1');
    assert.equal(Buffer.from(w.bytesOf('GENERATED')!).toString(), 'g');
  });

  it('leaves an ExternalSecret naming a ClusterSecretStore alone when serving them is off (ESO shouldSkipClusterSecretStore): no Secret, no status, no event', async () => {
    // ESO externalsecret_controller.go: with --enable-cluster-store-reconciler=false, an
    // ExternalSecret whose secretStoreRef.kind is ClusterSecretStore returns before any read or write.
    const w = world([{ key: 'netbox-db-password', value: 'v1' }], {}, { clusterStores: false });
    assert.equal(w.externalSecrets.get(w.key)!.spec.secretStoreRef?.kind, 'ClusterSecretStore');
    assert.deepEqual(await w.reconciler.reconcile(w.key, signal), { kind: 'done' });
    assert.deepEqual([w.value(), w.ready(), w.events, w.clientsBuilt()], [undefined, undefined, [], 0]);
    // The same ExternalSecret through a SecretStore syncs.
    w.secretStores.upsert({ ...w.clusterSecretStores.list()[0]!, kind: 'SecretStore', metadata: { ...w.clusterSecretStores.list()[0]!.metadata, namespace: 'netbox' } });
    w.setSpec({ secretStoreRef: { kind: 'SecretStore', name: w.clusterSecretStores.list()[0]!.metadata.name } });
    await w.reconciler.reconcile(w.key, signal);
    assert.equal(w.value(), 'v1');
  });

  it('waits for the watch cache to show the sync it recorded: a CreatedOnce generator runs once even when the Secret event comes first', async () => {
    // Seen in dev --cluster (the operator's Manager): the Secret's create event reconciled the
    // ExternalSecret from a cached copy without the new status, "never synced", and a second
    // password replaced the first. ESO's shouldRefresh (externalsecret_controller.go) judges
    // CreatedOnce by status.syncedResourceVersion and refreshTime, so the status must be the latest.
    let generated = 0;
    const fake = (): GeneratorObject => ({ apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Fake', metadata: { name: 'pw', namespace: 'netbox' }, spec: { data: { PASSWORD: `generated-${++generated}` } } });
    const fetchOptions: FetchOptions = {
      generate: (ref, ns, field, s) => runGeneratorRef(ref, ns, field, { getGenerator: async () => fake(), random: { int: () => 0, bytes: (n) => new Uint8Array(n) }, controllerClass: '' }, s),
    };
    const w = world([{ key: 'netbox-db-password', value: 'v1' }], { refreshPolicy: 'CreatedOnce', dataFrom: [{ sourceRef: { generatorRef: { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Fake', name: 'pw' } } }] }, { fetchOptions, statusLag: true });
    const password = () => Buffer.from(w.bytesOf('PASSWORD')!).toString();
    await w.reconciler.reconcile(w.key, signal);
    assert.equal(password(), 'generated-1');
    // The Secret's event arrives before the status write reaches the cache: wait, do not generate.
    assert.deepEqual(await w.reconciler.reconcile(w.key, signal), { kind: 'requeueAfter', ms: 250 });
    await w.clock.advance(250);
    assert.deepEqual(await w.reconciler.reconcile(w.key, signal), { kind: 'requeueAfter', ms: 250 });
    assert.equal(generated, 1);
    // The cache catches up: CreatedOnce is synced, nothing runs again.
    w.deliverStatus();
    assert.deepEqual(await w.reconciler.reconcile(w.key, signal), { kind: 'done' });
    assert.equal(generated, 1);
    assert.equal(password(), 'generated-1');
  });

  it('acts at once on a newer generation even before the cache shows the status (a spec change, or dev reloading a manifest)', async () => {
    const w = world([{ key: 'netbox-db-password', value: 'v1' }], {}, { statusLag: true });
    await w.reconciler.reconcile(w.key, signal);
    assert.equal((await w.reconciler.reconcile(w.key, signal)).kind, 'requeueAfter');
    // A new generation without the status (dev replaces a changed manifest's object, status and all).
    const cur = w.externalSecrets.get(w.key)!;
    w.externalSecrets.upsert({ ...cur, metadata: { ...cur.metadata, generation: 2 }, spec: { ...cur.spec, target: { ...cur.spec.target, name: 'other' } } });
    assert.equal((await w.reconciler.reconcile(w.key, signal)).kind, 'requeueAfter', 'synced, then scheduled at its interval');
    assert.ok(w.secrets.has('netbox/other'), 'the new spec was acted on at once');
  });

  it('takes the cached status as it is once the grace has passed (someone else may have written it)', async () => {
    const w = world([{ key: 'netbox-db-password', value: 'v1' }], { refreshPolicy: 'CreatedOnce' }, { statusLag: true });
    await w.reconciler.reconcile(w.key, signal);
    assert.equal(w.value(), 'v1');
    assert.equal((await w.reconciler.reconcile(w.key, signal)).kind, 'requeueAfter');
    await w.clock.advance(10_000);
    // Past the grace the copy without status is judged as it is: never synced, so it syncs again.
    assert.equal((await w.reconciler.reconcile(w.key, signal)).kind, 'done');
    assert.equal(w.value(), 'v1');
  });

  it('logs a refused finalizer patch (e.g. RBAC) as an error and backs off; a conflict stays quiet', async () => {
    // controller-runtime logs ESO's failed finalizer update as "Reconciler error" (error level).
    const lines: { level: number; msg: string; code?: string }[] = [];
    const { createLogger } = await import('../../../src/platform/logger.ts');
    const log = createLogger({ level: 'debug', destination: { write: (l: string) => void lines.push(JSON.parse(l)) } as never });
    let code: 'KubeForbidden' | 'KubeConflict' = 'KubeForbidden';
    const w = world([{ key: 'netbox-db-password', value: 'v1' }], {}, { setFinalizers: async () => Promise.reject(new ProjectorError(code, 'patch externalsecrets: forbidden', { httpStatus: code === 'KubeForbidden' ? 403 : 409 })), log });
    const r = await w.reconciler.reconcile(w.key, signal);
    assert.equal(r.kind, 'retry');
    assert.equal(w.value(), undefined, 'nothing is written before the finalizer is in place');
    assert.ok(lines.some((l) => l.level === 50 && l.code === 'KubeForbidden' && /cleanup finalizer/.test(l.msg)), 'an error-level line names the refused finalizer patch');
    lines.length = 0;
    code = 'KubeConflict';
    await w.reconciler.reconcile(w.key, signal);
    assert.ok(!lines.some((l) => l.level >= 40), 'a conflict is expected churn, logged at debug');
  });

  it('loads the template engine for the first ExternalSecret that uses templates, not before (core/template-use.ts)', async () => {
    let loads = 0;
    const templates = lazyTemplateEngine({ now: () => new Date('2026-11-23T10:00:00Z') }, async () => {
      loads++;
      return import('../../../src/core/default-template-renderer.ts');
    });
    const w = world([{ key: 'netbox-db-password', value: 'v1' }, { key: 'netbox-db-user', value: 'u1' }], {}, { templates });
    const resync = async (spec: Partial<ExternalSecret['spec']>) => {
      w.setSpec(spec);
      w.changes.mark(w.key, w.clock.now().getTime(), true);
      await w.reconciler.reconcile(w.key, signal);
      assert.equal(w.ready()?.status, 'True', w.ready()?.message);
    };
    await w.reconciler.reconcile(w.key, signal);
    assert.equal(w.value(), 'v1');
    // dataFrom with a regexp rewrite only: no template either.
    await resync({ data: [], dataFrom: [{ find: { name: { regexp: '^netbox-db-' } }, rewrite: [{ regexp: { source: '^netbox-db-(.*)$', target: 'DB_$1' } }] }] });
    assert.equal(Buffer.from(w.bytesOf('DB_password')!).toString(), 'v1');
    assert.equal(loads, 0, 'no template, no engine');
    // A rewrite transform renders each key through the engine.
    await resync({ dataFrom: [{ find: { name: { regexp: '^netbox-db-' } }, rewrite: [{ transform: { template: '{{ .value | upper }}' } }] }] });
    assert.equal(Buffer.from(w.bytesOf('NETBOX-DB-USER')!).toString(), 'u1');
    assert.equal(loads, 1);
    // target.template, in the same process: the engine loaded once is reused.
    await resync({ data: [{ secretKey: 'DB_PASSWORD', remoteRef: { key: 'netbox-db-password' } }], dataFrom: [], target: { name: 'netbox-db-credentials', creationPolicy: 'Owner', template: { data: { DB_URL: 'postgres://db/{{ .DB_PASSWORD | b64enc }}' } } } });
    assert.equal(Buffer.from(w.bytesOf('DB_URL')!).toString(), `postgres://db/${Buffer.from('v1').toString('base64')}`);
    assert.equal(loads, 1);
  });

  it('reports a template error from the lazily loaded engine as before: a failed sync naming the field', async () => {
    const w = world([{ key: 'netbox-db-password', value: 'v1' }], { target: { name: 'netbox-db-credentials', creationPolicy: 'Owner', template: { data: { DB_URL: '{{ .DB_PASSWORD' } } } });
    await w.reconciler.reconcile(w.key, signal);
    assert.equal(w.ready()?.status, 'False');
    assert.equal(w.ready()!.message, 'InvalidSpec: template: DB_URL:1:15: unclosed action');
    assert.equal(w.value(), undefined);
  });

  it('syncs, then waits for the next refresh wave without reading again', async () => {
    const w = world([{ key: 'netbox-db-password', value: 'v1' }]);
    const first = await w.reconciler.reconcile(w.key, signal);
    assert.equal(w.value(), 'v1');
    assert.equal(w.ready()?.reason, 'SecretSynced');
    // Synced at 10:00 with a 1h interval: the next wave is 11:00.
    assert.deepEqual(first, { kind: 'requeueAfter', ms: 3_600_000 });
    await w.clock.advance(60_000);
    assert.deepEqual(await w.reconciler.reconcile(w.key, signal), { kind: 'requeueAfter', ms: 3_540_000 });
    assert.deepEqual(w.events, ['Normal Created']);
  });

  it('keeps the Secret and reports why when the vault fails, then retries the store change that was pending', async () => {
    const w = world([{ key: 'netbox-db-password', value: 'v1' }]);
    await w.reconciler.reconcile(w.key, signal);
    w.clusterSecretStores.upsert({ ...fakeStore([{ key: 'netbox-db-password', value: 'v2' }]), metadata: { name: 'akv-hybridops', uid: 'uid-store-1', generation: 2 } });
    w.changes.mark(w.key, w.clock.nowMs(), true);
    w.setFailReads(true);
    assert.deepEqual(await w.reconciler.reconcile(w.key, signal), { kind: 'retry', error: 'VaultUnavailable' });
    assert.equal(w.value(), 'v1');
    assert.equal(w.ready()?.status, 'False');
    assert.match(w.ready()!.message!, /^VaultUnavailable: /);
    w.setFailReads(false);
    await w.reconciler.reconcile(w.key, signal);
    assert.equal(w.value(), 'v2');
    assert.equal(w.ready()?.status, 'True');
  });

  it('does not trust a far-future status.refreshTime written by someone else: refreshes at once and schedules from now', async () => {
    const w = world([{ key: 'netbox-db-password', value: 'v1' }]);
    await w.reconciler.reconcile(w.key, signal);
    assert.equal(w.value(), 'v1');
    // A status patch (no spec change, so syncedResourceVersion still matches) claiming a refresh in 9999.
    const cur = w.externalSecrets.get(w.key)!;
    w.externalSecrets.upsert({ ...cur, status: { ...cur.status, refreshTime: '9999-12-31T23:59:59Z' } });
    // New data in a new store generation (the client cache keeps one client per generation).
    const storeAt = (value: string, generation: number) => ({ ...fakeStore([{ key: 'netbox-db-password', value }]), metadata: { name: 'akv-hybridops', uid: 'uid-store-1', generation } });
    w.clusterSecretStores.upsert(storeAt('v2', 2));
    await w.clock.advance(60_000);
    const result = await w.reconciler.reconcile(w.key, signal);
    assert.equal(w.value(), 'v2', 'the vault was read again');
    assert.equal(w.externalSecrets.get(w.key)!.status?.refreshTime, '2026-11-23T10:01:00Z', 'the status says when this process refreshed');
    assert.equal(result.kind, 'requeueAfter');
    assert.ok((result as { ms: number }).ms <= 1.5 * 3_600_000, 'the next refresh is within 1½ intervals of now');
    // The refreshes go on: an hour-interval wave later the vault is read again.
    w.clusterSecretStores.upsert(storeAt('v3', 3));
    await w.clock.advance((result as { ms: number }).ms);
    await w.reconciler.reconcile(w.key, signal);
    assert.equal(w.value(), 'v3');
  });

  it('retries a missing remote key with backoff and says which key', async () => {
    const w = world([]);
    assert.deepEqual(await w.reconciler.reconcile(w.key, signal), { kind: 'retry', error: 'VaultNotFound' });
    assert.match(w.ready()!.message!, /^VaultNotFound: secret "netbox-db-password" not found/);
  });

  it('writes b64dec of a binary keystore byte-exact, upper of it as Go writes it, and leaves the Secret untouched with Ready=False when a label renders binary data', async () => {
    const keystore = Buffer.from([0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2]);
    const w = world([{ key: 'app-keystore', value: keystore.toString('base64') }], {
      data: [{ secretKey: 'raw', remoteRef: { key: 'app-keystore' } }],
      target: { name: 'netbox-db-credentials', creationPolicy: 'Owner', template: { data: { 'keystore.jks': '{{ .raw | b64dec }}' } } },
    });
    await w.reconciler.reconcile(w.key, signal);
    assert.equal(w.ready()?.status, 'True');
    assert.deepEqual(Buffer.from(w.bytesOf('keystore.jks')!), keystore);

    // Go's strings.ToUpper (strings.Map) writes U+FFFD for each byte that is not UTF-8, as ESO does.
    w.setSpec({ target: { name: 'netbox-db-credentials', creationPolicy: 'Owner', template: { data: { 'keystore.jks': '{{ .raw | b64dec | upper }}' } } } });
    await w.reconciler.reconcile(w.key, signal);
    assert.equal(w.ready()?.status, 'True');
    assert.equal(Buffer.from(w.bytesOf('keystore.jks')!).toString('hex'), 'efbfbdefbfbdefbfbdefbfbd00000002');
    const written = Buffer.from(w.bytesOf('keystore.jks')!);

    w.setSpec({ target: { name: 'netbox-db-credentials', creationPolicy: 'Owner', template: { data: { 'keystore.jks': '{{ .raw | b64dec }}' }, metadata: { labels: { kind: '{{ .raw | b64dec }}' } } } } });
    assert.deepEqual(await w.reconciler.reconcile(w.key, signal), { kind: 'retry', error: 'TemplateBinaryValue' });
    assert.deepEqual(Buffer.from(w.bytesOf('keystore.jks')!), written);
    assert.equal(w.ready()?.status, 'False');
    assert.match(w.ready()!.message!, /^TemplateBinaryValue: spec\.target\.template\.metadata\.labels\["kind"\] renders binary data/);
    assert.equal(w.events.filter((e) => e.startsWith('Normal')).length, 2);
  });

  it('refreshes on a store change only where the refresh policy refreshes periodically (docs/refresh.md)', async () => {
    for (const [policy, want] of [
      ['Periodic', 'v2'],
      ['OnChange', 'v1'],
      ['CreatedOnce', 'v1'],
    ] as const) {
      const w = world([{ key: 'netbox-db-password', value: 'v1' }]);
      const es = w.externalSecrets.get(w.key)!;
      w.externalSecrets.upsert({ ...es, spec: { ...es.spec, refreshPolicy: policy } });
      await w.reconciler.reconcile(w.key, signal);
      assert.equal(w.value(), 'v1', policy);
      w.clusterSecretStores.upsert({ ...fakeStore([{ key: 'netbox-db-password', value: 'v2' }]), metadata: { name: 'akv-hybridops', uid: 'uid-store-1', generation: 2 } });
      w.changes.mark(w.key, w.clock.nowMs(), true);
      await w.clock.advance(1_000);
      await w.reconciler.reconcile(w.key, signal);
      assert.equal(w.value(), want, policy);
    }
  });

  it('spec.syncWindows: a periodic refresh inside a deny window reads nothing, writes nothing, and is requeued for the window\'s end', async () => {
    // ESO shouldRefreshPeriodic → isPeriodicRefreshAllowedByWindows: a blocked refresh is skipped
    // with a V(1) log line and no condition, event or status change. Projector requeues for the
    // first millisecond after the window (ESO: its failure backoff, docs/design/000-overview.md).
    const lines: { msg: string; kind?: string }[] = [];
    const log = createLogger({ level: 'debug', destination: { write: (l: string) => void lines.push(JSON.parse(l)) } as never });
    // The world's clock starts at 10:00 UTC; deny 10:30–13:00.
    const w = world([{ key: 'netbox-db-password', value: 'v1' }], { syncWindows: { kind: 'deny', windows: [{ schedule: '30 10 * * *', duration: '2h30m' }] } }, { log });
    // The first sync is never held back; the next wave (11:00) is inside the window: requeue at 13:00:00.001.
    assert.deepEqual(await w.reconciler.reconcile(w.key, signal), { kind: 'requeueAfter', ms: 3 * 3_600_000 + 1 });
    assert.equal(w.value(), 'v1');
    const status = w.externalSecrets.get(w.key)!.status;
    // New data in the vault, and a reconcile at 11:00 (a resync or an earlier requeue).
    w.clusterSecretStores.upsert({ ...fakeStore([{ key: 'netbox-db-password', value: 'v2' }]), metadata: { name: 'akv-hybridops', uid: 'uid-store-1', generation: 2 } });
    await w.clock.advance(3_600_000);
    const built = w.clientsBuilt();
    assert.deepEqual(await w.reconciler.reconcile(w.key, signal), { kind: 'requeueAfter', ms: 2 * 3_600_000 + 1 });
    assert.deepEqual([w.value(), w.clientsBuilt(), w.externalSecrets.get(w.key)!.status, w.events], ['v1', built, status, ['Normal Created']]);
    assert.ok(lines.some((l) => l.msg === 'periodic refresh blocked by spec.syncWindows' && l.kind === 'deny'));
    // A deleted target is repaired at once, window or not (ESO isSecretValid).
    w.secrets.delete('netbox/netbox-db-credentials');
    await w.reconciler.reconcile(w.key, signal);
    assert.equal(w.value(), 'v2');
    // The window has closed: the periodic refresh runs.
    w.clusterSecretStores.upsert({ ...fakeStore([{ key: 'netbox-db-password', value: 'v3' }]), metadata: { name: 'akv-hybridops', uid: 'uid-store-1', generation: 3 } });
    await w.clock.advance(2 * 3_600_000 + 1);
    assert.equal((await w.reconciler.reconcile(w.key, signal)).kind, 'requeueAfter');
    assert.equal(w.value(), 'v3');
  });

  it('creationPolicy Orphan: a deleted target comes back at the next periodic refresh, not at once', async () => {
    const w = world([{ key: 'netbox-db-password', value: 'v1' }]);
    const es = w.externalSecrets.get(w.key)!;
    w.externalSecrets.upsert({ ...es, spec: { ...es.spec, target: { name: 'netbox-db-credentials', creationPolicy: 'Orphan' } } });
    await w.reconciler.reconcile(w.key, signal);
    w.secrets.delete('netbox/netbox-db-credentials');
    // The Secret watch enqueues it at once: nothing is due yet.
    assert.deepEqual(await w.reconciler.reconcile(w.key, signal), { kind: 'requeueAfter', ms: 3_600_000 });
    assert.equal(w.value(), undefined);
    await w.clock.advance(3_600_000);
    await w.reconciler.reconcile(w.key, signal);
    assert.equal(w.value(), 'v1');
  });

  it('deletionPolicy Delete: an item the provider does not have is skipped with ESO\'s MissingProviderSecret event, the rest is written', async () => {
    const w = world([{ key: 'netbox-db-password', value: 'v1' }], {
      target: { name: 'netbox-db-credentials', creationPolicy: 'Owner', deletionPolicy: 'Delete' },
      data: [
        { secretKey: 'DB_PASSWORD', remoteRef: { key: 'netbox-db-password' } },
        { secretKey: 'GONE', remoteRef: { key: 'not-in-the-vault' } },
      ],
    });
    await w.reconciler.reconcile(w.key, signal);
    assert.equal(w.value(), 'v1');
    assert.equal(w.bytesOf('GONE'), undefined);
    assert.ok(w.events.includes('Normal MissingProviderSecret secret does not exist at provider using spec.data[1] (key=not-in-the-vault)'), w.events.join('\n'));
    assert.equal(w.ready()?.status, 'True');
  });

  it('a first sync creates its target without reading it first; an existing unlabelled Secret answers 409 and is read, labelled and updated', async () => {
    const fresh = world([{ key: 'netbox-db-password', value: 'v1' }], {}, { apiServerLike: true });
    await fresh.reconciler.reconcile(fresh.key, signal);
    assert.deepEqual(fresh.calls, ['create'], 'no GET before the create');
    assert.equal(fresh.value(), 'v1');
    assert.equal(fresh.ready()?.status, 'True');

    // Orphan over a Secret someone else made (no managed label: not in the operator's cache).
    const taken = world([{ key: 'netbox-db-password', value: 'v2' }], { target: { name: 'netbox-db-credentials', creationPolicy: 'Orphan' } }, { apiServerLike: true });
    taken.secrets.set('netbox/netbox-db-credentials', { metadata: { name: 'netbox-db-credentials', namespace: 'netbox', resourceVersion: '7', labels: { team: 'db' } }, type: 'Opaque', data: new Map() });
    await taken.reconciler.reconcile(taken.key, signal);
    assert.deepEqual(taken.calls, ['create', 'get', 'update'], 'AlreadyExists falls back to reading and updating the live Secret');
    assert.equal(taken.value(), 'v2');
    assert.equal(taken.secrets.get('netbox/netbox-db-credentials')?.metadata.labels?.team, 'db', 'the live Secret was planned from: its labels are kept');
    assert.equal(taken.ready()?.status, 'True');
    assert.deepEqual(taken.events, ['Normal Updated'], 'one event, for the update; none for the refused create');

    // Merge waits for its target: never created, judged against the live Secret (GET), as before.
    const merge = world([{ key: 'netbox-db-password', value: 'v3' }], { target: { name: 'netbox-db-credentials', creationPolicy: 'Merge' } }, { apiServerLike: true });
    await merge.reconciler.reconcile(merge.key, signal);
    assert.deepEqual(merge.calls, ['get']);
  });

  // ESO pkg/controllers/externalsecret/externalsecret_controller.go Reconcile (creationPolicy Owner:
  // deleteOrphanedSecrets before the write) and deleteOrphanedSecrets (eventDeletedOrphaned).
  it('creationPolicy Owner: a changed target.name deletes the Secret created under the old name, with ESO\'s Normal Deleted event', async () => {
    const w = world([{ key: 'netbox-db-password', value: 'v1' }], {}, { apiServerLike: true });
    await w.reconciler.reconcile(w.key, signal);
    assert.ok(w.secrets.get('netbox/netbox-db-credentials')?.metadata.labels?.[LABEL_CREATED_BY]);
    // A Secret someone else labelled created-by for another ExternalSecret is not a candidate.
    w.secrets.set('netbox/unrelated', { metadata: { name: 'unrelated', namespace: 'netbox', labels: { [LABEL_MANAGED]: 'true', [LABEL_CREATED_BY]: 'other-hash' } }, type: 'Opaque', data: new Map() });
    w.setSpec({ target: { name: 'renamed', creationPolicy: 'Owner' } });
    const result = await w.reconciler.reconcile(w.key, signal);
    assert.equal(result.kind, 'requeueAfter');
    assert.equal(w.secrets.has('netbox/netbox-db-credentials'), false, 'the old target is deleted');
    assert.ok(w.secrets.has('netbox/renamed'));
    assert.ok(w.secrets.has('netbox/unrelated'));
    assert.ok(w.calls.indexOf('delete netbox/netbox-db-credentials') < w.calls.lastIndexOf('create'), 'deleted before the new target is written');
    assert.ok(w.eventTexts.includes('Normal Deleted secret deleted because it was orphaned'), w.eventTexts.join('; '));
    assert.equal(w.ready()?.status, 'True');
  });

  it('creationPolicy Orphan (ESO runs deleteOrphanedSecrets only for Owner): a changed target.name leaves the old Secret', async () => {
    const w = world([{ key: 'netbox-db-password', value: 'v1' }]);
    await w.reconciler.reconcile(w.key, signal);
    w.setSpec({ target: { name: 'renamed', creationPolicy: 'Orphan' } });
    await w.reconciler.reconcile(w.key, signal);
    assert.ok(w.secrets.has('netbox/netbox-db-credentials'));
    assert.ok(w.secrets.has('netbox/renamed'));
    assert.ok(!w.eventTexts.some((e) => e.includes('orphaned')));
  });

  it('an orphan that cannot be deleted fails the sync with ESO\'s "could not delete orphaned secrets", before the new target is written', async () => {
    const w = world([{ key: 'netbox-db-password', value: 'v1' }]);
    await w.reconciler.reconcile(w.key, signal);
    w.setSpec({ target: { name: 'renamed', creationPolicy: 'Owner' } });
    w.fail.delete = new ProjectorError('KubeForbidden', 'delete Secret netbox/netbox-db-credentials: forbidden by the API server (HTTP 403)', { httpStatus: 403 });
    const result = await w.reconciler.reconcile(w.key, signal);
    assert.equal(result.kind, 'retry');
    assert.equal(w.ready()?.status, 'False');
    assert.match(w.ready()?.message ?? '', /could not delete orphaned secrets/);
    assert.ok(w.eventTexts.some((e) => e.startsWith('Warning UpdateFailed') && e.includes('could not delete orphaned secrets')));
    assert.equal(w.secrets.has('netbox/renamed'), false, 'ESO returns before the write');
  });

  // ESO externalsecret_controller.go: `if apierrors.IsConflict(err) { return ctrl.Result{Requeue: true}, nil }`
  // after the Secret write (updateSecret returns the conflict unwrapped).
  it('a 409 Conflict writing the Secret requeues through the rate limiter with no condition change and no event, then syncs', async () => {
    const w = world([{ key: 'netbox-db-password', value: 'v1' }]);
    await w.reconciler.reconcile(w.key, signal);
    const before = structuredClone(w.externalSecrets.get(w.key)!.status);
    const events = w.eventTexts.length;
    w.clusterSecretStores.upsert({ ...fakeStore([{ key: 'netbox-db-password', value: 'v2' }]), metadata: { name: 'akv-hybridops', uid: 'uid-store-1', generation: 2 } });
    w.changes.mark(w.key, w.clock.nowMs(), true);
    w.fail.update = new ProjectorError('KubeConflict', 'update Secret netbox/netbox-db-credentials: conflict (Conflict)', { httpStatus: 409, remoteCode: 'Conflict' });
    assert.deepEqual(await w.reconciler.reconcile(w.key, signal), { kind: 'retry' });
    assert.deepEqual(w.externalSecrets.get(w.key)!.status, before, 'status untouched');
    assert.equal(w.eventTexts.length, events, 'no event');
    w.fail.update = undefined;
    await w.reconciler.reconcile(w.key, signal);
    assert.equal(w.value(), 'v2', 'the retry still sees the pending store change');
    assert.equal(w.ready()?.status, 'True');
  });
});

// ESO's flood gate (--enable-flood-gate, default true): pkg/controllers/secretstore/client_manager.go
// Manager.Get → assertStoreIsUsable, used by the ExternalSecret controller only
// (externalsecret_controller_secret.go NewManager(…, r.EnableFloodGate)); the failure goes through
// markAsFailed (Warning UpdateFailed, Ready=False SecretSyncedError) and is retried with backoff.
describe('ExternalSecretReconciler flood gate', () => {
  const withReady = (store: GenericStore, status: 'True' | 'False' | undefined): GenericStore => ({ ...store, status: status ? { conditions: [{ type: 'Ready', status, reason: status === 'True' ? 'Valid' : 'ValidationFailed' }] } : undefined });
  const notValidated = 'StoreNotReady: ClusterSecretStore "akv-hybridops" is not ready: it has no Ready condition yet';

  it('fails a store that has no Ready condition before any client is built, then syncs once the store is Ready', async () => {
    const w = world([{ key: 'netbox-db-password', value: 'v1' }], {}, { floodGate: true });
    assert.deepEqual(await w.reconciler.reconcile(w.key, signal), { kind: 'retry', error: 'StoreNotReady' });
    assert.equal(w.clientsBuilt(), 0, 'no client, so no token request');
    assert.equal(w.value(), undefined);
    assert.equal(w.ready()?.status, 'False');
    assert.equal(w.ready()?.reason, 'SecretSyncedError');
    assert.equal(w.ready()?.message, notValidated);
    assert.deepEqual(w.events, [`Warning UpdateFailed ${notValidated}`]);
    // The store's check passes: the next reconcile (the store's Ready change re-queues it) syncs.
    w.clusterSecretStores.upsert(withReady(w.clusterSecretStores.list()[0]!, 'True'));
    await w.reconciler.reconcile(w.key, signal);
    assert.equal(w.value(), 'v1');
    assert.equal(w.ready()?.status, 'True');
    assert.equal(w.clientsBuilt(), 1);
  });

  it('keeps the Secret when the store turns not ready, failing only when a refresh is due (ESO checks the gate inside the read)', async () => {
    const w = world([{ key: 'netbox-db-password', value: 'v1' }], {}, { floodGate: true });
    const store = w.clusterSecretStores.list()[0]!;
    w.clusterSecretStores.upsert(withReady(store, 'True'));
    await w.reconciler.reconcile(w.key, signal);
    assert.equal(w.value(), 'v1');
    w.clusterSecretStores.upsert(withReady(store, 'False'));
    // Not due: nothing is read, nothing fails.
    assert.deepEqual(await w.reconciler.reconcile(w.key, signal), { kind: 'requeueAfter', ms: 3_600_000 });
    assert.equal(w.ready()?.status, 'True');
    await w.clock.advance(3_600_000);
    assert.deepEqual(await w.reconciler.reconcile(w.key, signal), { kind: 'retry', error: 'StoreNotReady' });
    assert.equal(w.ready()?.message, 'StoreNotReady: ClusterSecretStore "akv-hybridops" is not ready: its Ready condition is False (ValidationFailed)');
    assert.equal(w.value(), 'v1', 'the Secret is left as it was');
  });

  it('gates every store the ExternalSecret reads through: data[].sourceRef.storeRef and dataFrom[].sourceRef.storeRef, naming that reference', async () => {
    const other = { ...fakeStore([{ key: 'netbox-db-password', value: 'v9' }], 'SecretStore', 'netbox'), metadata: { name: 'team-store', namespace: 'netbox', uid: 'uid-store-2', generation: 1 } };
    const cases: { spec: Partial<ExternalSecret['spec']>; field: string }[] = [
      { spec: { data: [{ secretKey: 'DB_PASSWORD', remoteRef: { key: 'netbox-db-password' }, sourceRef: { storeRef: { kind: 'SecretStore', name: 'team-store' } } }] }, field: 'spec.data[0].sourceRef.storeRef.name' },
      { spec: { data: [], dataFrom: [{ find: { name: { regexp: '^netbox-db-' } }, sourceRef: { storeRef: { kind: 'SecretStore', name: 'team-store' } } }] }, field: 'spec.dataFrom[0].sourceRef.storeRef.name' },
    ];
    for (const c of cases) {
      const w = world([{ key: 'netbox-db-password', value: 'v1' }], c.spec, { floodGate: true });
      // spec.secretStoreRef's store is Ready; the one the item names has not been checked yet.
      w.clusterSecretStores.upsert(withReady(w.clusterSecretStores.list()[0]!, 'True'));
      w.secretStores.upsert(other);
      assert.deepEqual(await w.reconciler.reconcile(w.key, signal), { kind: 'retry', error: 'StoreNotReady' }, c.field);
      assert.equal(w.ready()?.message, 'StoreNotReady: SecretStore "team-store" is not ready: it has no Ready condition yet', c.field);
      assert.equal(w.clientsBuilt(), 0, c.field);
      w.secretStores.upsert(withReady(other, 'True'));
      w.changes.mark(w.key, w.clock.now().getTime(), true);
      await w.reconciler.reconcile(w.key, signal);
      assert.equal(w.ready()?.status, 'True', c.field);
    }
  });

  it('names the reference that names a missing store: the item\'s sourceRef, not spec.secretStoreRef', async () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'warn', destination: { write: (l: string) => void lines.push(l) } });
    const w = world([{ key: 'netbox-db-password', value: 'v1' }], { data: [{ secretKey: 'DB_PASSWORD', remoteRef: { key: 'netbox-db-password' }, sourceRef: { storeRef: { kind: 'SecretStore', name: 'gone' } } }] }, { floodGate: true, log });
    w.clusterSecretStores.upsert(withReady(w.clusterSecretStores.list()[0]!, 'True'));
    assert.deepEqual(await w.reconciler.reconcile(w.key, signal), { kind: 'retry', error: 'StoreNotFound' });
    assert.deepEqual(lines.map((l) => (JSON.parse(l) as { field?: string }).field), ['spec.data[0].sourceRef.storeRef.name']);
  });

  it('does not gate generators: an ExternalSecret that only generates syncs whatever its secretStoreRef says', async () => {
    const fake: GeneratorObject = { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Fake', metadata: { name: 'f', namespace: 'netbox' }, spec: { data: { GENERATED: 'g' } } };
    const fetchOptions: FetchOptions = { generate: (ref, ns, field, s) => runGeneratorRef(ref, ns, field, { getGenerator: async () => fake, random: { int: () => 0, bytes: (n) => new Uint8Array(n) }, controllerClass: 'default' }, s) };
    const w = world([], { data: [], dataFrom: [{ sourceRef: { generatorRef: { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Fake', name: 'f' } } }] }, { floodGate: true, fetchOptions });
    await w.reconciler.reconcile(w.key, signal);
    assert.equal(w.ready()?.status, 'True', w.ready()?.message);
    assert.equal(Buffer.from(w.bytesOf('GENERATED')!).toString(), 'g');
  });

  it('with the gate off (--enable-flood-gate=false) reads through a store whatever its readiness', async () => {
    for (const status of [undefined, 'False'] as const) {
      const w = world([{ key: 'netbox-db-password', value: 'v1' }], {}, { floodGate: false });
      w.clusterSecretStores.upsert(withReady(w.clusterSecretStores.list()[0]!, status));
      await w.reconciler.reconcile(w.key, signal);
      assert.equal(w.value(), 'v1', String(status));
      assert.equal(w.clientsBuilt(), 1);
    }
  });
});

// ESO pkg/controllers/externalsecret/externalsecret_controller.go Reconcile: after the
// ClusterSecretStore and controller-class skips (shouldSkipClusterSecretStore,
// shouldSkipUnmanagedStore) and before the refresh decision or any provider read, an existing target
// without `reconcile.external-secrets.io/managed=true` is patched to carry it (client.FieldOwner(fqdnFor(es.Name))),
// whatever the creationPolicy and whatever the sync then does.
describe('ExternalSecretReconciler managed label on an existing target (ESO labels it before its sync)', () => {
  const FIELD_MANAGER = 'externalsecrets.external-secrets.io/netbox-db-password'; // ESO util.go fqdnFor
  const TARGET = 'netbox/netbox-db-credentials';
  const theirs = () => ({ metadata: { name: 'netbox-db-credentials', namespace: 'netbox', resourceVersion: '7', labels: { team: 'db' } }, type: 'Opaque', data: new Map([['THEIRS', bytes('kept')]]) });
  const dataOf = (w: ReturnType<typeof world>) => [...(w.secrets.get(TARGET)?.data ?? new Map())].map(([k, v]) => `${k}=${Buffer.from(v.reveal()).toString()}`);
  const canaryStore = (controller: string, name = 'other-class'): GenericStore => ({ ...fakeStore([{ key: 'netbox-db-password', value: 'x' }]), metadata: { name, uid: `uid-${name}`, generation: 1 }, spec: { controller, provider: { fake: { data: [{ key: 'netbox-db-password', value: 'x' }] } } } });

  for (const creationPolicy of ['Owner', 'Orphan', 'Merge', 'None'] as const) {
    it(`creationPolicy ${creationPolicy}: a provider read that fails still labels the existing target, its data untouched, Ready=False SecretSyncedError`, async () => {
      const w = world([{ key: 'netbox-db-password', value: 'v1' }], { target: { name: 'netbox-db-credentials', creationPolicy } }, { apiServerLike: true });
      w.secrets.set(TARGET, theirs());
      w.setFailReads(true);
      assert.deepEqual(await w.reconciler.reconcile(w.key, signal), { kind: 'retry', error: 'VaultUnavailable' });
      assert.deepEqual(w.labelCalls, [`${TARGET} as ${FIELD_MANAGER}`]);
      assert.equal(w.secrets.get(TARGET)?.metadata.labels?.[LABEL_MANAGED], 'true');
      assert.equal(w.secrets.get(TARGET)?.metadata.labels?.team, 'db');
      assert.deepEqual(dataOf(w), ['THEIRS=kept']);
      // ESO markAsFailed(msgErrorGetSecretData, …, ConditionReasonSecretSyncedError); the message is
      // Projector's `<Code>: <cause>` (docs/design/000-overview.md, "failure messages in Ready=False").
      assert.equal(w.ready()?.status, 'False');
      assert.equal(w.ready()?.reason, 'SecretSyncedError');
      assert.match(w.ready()!.message!, /^VaultUnavailable: /);
      assert.equal(w.externalSecrets.get(w.key)!.status?.binding?.name, '', 'a failed read binds nothing, as in ESO');
    });
  }

  it('labels it whatever fails the sync: an invalid spec, a missing store, a store not ready', async () => {
    const cases: [string, Partial<ExternalSecret['spec']>, { floodGate?: boolean }, string][] = [
      ['invalid spec', { target: { name: 'netbox-db-credentials', template: { engineVersion: 'v1', data: { k: 'v' } } } } as never, {}, 'NotSupported'],
      ['missing store', { secretStoreRef: { kind: 'ClusterSecretStore', name: 'nowhere' } }, {}, 'StoreNotFound'],
      ['store not ready', {}, { floodGate: true }, 'StoreNotReady'],
    ];
    for (const [what, spec, extra, code] of cases) {
      const w = world([{ key: 'netbox-db-password', value: 'v1' }], spec, { apiServerLike: true, ...extra });
      w.secrets.set(TARGET, theirs());
      const result = await w.reconciler.reconcile(w.key, signal);
      assert.equal(result.error, code, what);
      assert.deepEqual(w.labelCalls, [`${TARGET} as ${FIELD_MANAGER}`], what);
      assert.deepEqual(dataOf(w), ['THEIRS=kept'], what);
      assert.equal(w.ready()?.reason, 'SecretSyncedError', what);
    }
  });

  it('a failure with no target costs one GET and labels nothing; a first sync that succeeds still creates without reading', async () => {
    const w = world([{ key: 'netbox-db-password', value: 'v1' }], {}, { apiServerLike: true });
    w.setFailReads(true);
    await w.reconciler.reconcile(w.key, signal);
    assert.deepEqual(w.calls, ['get']);
    assert.deepEqual(w.labelCalls, []);
    w.setFailReads(false);
    await w.clock.advance(1_000);
    w.calls.length = 0;
    await w.reconciler.reconcile(w.key, signal);
    assert.deepEqual(w.calls, ['create']);
    assert.equal(w.value(), 'v1');
  });

  it('a target already labelled (in the managed-Secret cache) is not read again after a failure', async () => {
    const w = world([{ key: 'netbox-db-password', value: 'v1' }], {}, { apiServerLike: true });
    await w.reconciler.reconcile(w.key, signal);
    await w.clock.advance(3_600_000);
    w.setFailReads(true);
    w.calls.length = 0;
    assert.equal((await w.reconciler.reconcile(w.key, signal)).error, 'VaultUnavailable');
    assert.deepEqual([w.calls, w.labelCalls], [[], []]);
  });

  it('a target that is not a Secret (spec.target.manifest, ESO\'s generic targets) labels no Secret of that name', async () => {
    const w = world([{ key: 'netbox-db-password', value: 'v1' }], { target: { name: 'netbox-db-credentials', manifest: { apiVersion: 'v1', kind: 'ConfigMap' } } as never }, { apiServerLike: true });
    w.secrets.set(TARGET, theirs());
    // ESO validateGenericTarget with --unsafe-allow-generic-targets off: "generic targets are disabled".
    assert.equal((await w.reconciler.reconcile(w.key, signal)).error, 'GenericTargetsDisabled');
    assert.deepEqual([w.calls, w.labelCalls], [[], []]);
    assert.equal(w.secrets.get(TARGET)?.metadata.labels?.[LABEL_MANAGED], undefined);
  });

  it('creationPolicy Orphan and None, up to date: an existing target without the label gets it, with no vault read', async () => {
    for (const creationPolicy of ['Orphan', 'None'] as const) {
      const w = world([{ key: 'netbox-db-password', value: 'v1' }], { target: { name: 'netbox-db-credentials', creationPolicy } }, { apiServerLike: true });
      await w.reconciler.reconcile(w.key, signal);
      assert.equal(w.ready()?.status, 'True', creationPolicy);
      // Someone replaces the target with one of their own, without the label.
      w.secrets.set(TARGET, theirs());
      w.setFailReads(true);
      w.labelCalls.length = 0;
      assert.deepEqual(await w.reconciler.reconcile(w.key, signal), { kind: 'requeueAfter', ms: 3_600_000 }, creationPolicy);
      assert.deepEqual(w.labelCalls, [`${TARGET} as ${FIELD_MANAGER}`], creationPolicy);
      assert.deepEqual(dataOf(w), ['THEIRS=kept'], creationPolicy);
      assert.equal(w.ready()?.status, 'True', `${creationPolicy}: nothing was read, nothing failed`);
    }
  });

  it('skips before labelling when any store it names is of another controller class, read or not (ESO shouldSkipUnmanagedStore)', async () => {
    const variants: [string, Partial<ExternalSecret['spec']>][] = [
      // A data item reading through another class's store, beside one reading through ours.
      ['data[1].sourceRef.storeRef', { data: [{ secretKey: 'DB_PASSWORD', remoteRef: { key: 'netbox-db-password' } }, { secretKey: 'B', remoteRef: { key: 'netbox-db-password' }, sourceRef: { storeRef: { kind: 'ClusterSecretStore', name: 'other-class' } } }] }],
      // A dataFrom item that only names a store: ESO reads nothing through it but judges its class.
      ['dataFrom[0].sourceRef.storeRef alone', { dataFrom: [{ sourceRef: { storeRef: { kind: 'ClusterSecretStore', name: 'other-class' } } }] }],
      // An invalid spec is not reported for another class's ExternalSecret.
      ['secretStoreRef, invalid spec', { secretStoreRef: { kind: 'ClusterSecretStore', name: 'other-class' }, target: { name: 'netbox-db-credentials', template: { engineVersion: 'v1', data: { k: 'v' } } } } as never],
      // A generic target is skipped before its own checks (ESO: shouldSkipUnmanagedStore, then reconcileGenericTarget).
      ['secretStoreRef, generic target', { secretStoreRef: { kind: 'ClusterSecretStore', name: 'other-class' }, target: { name: 'netbox-db-credentials', manifest: { apiVersion: 'v1', kind: 'ConfigMap' } } } as never],
    ];
    for (const [what, spec] of variants) {
      const w = world([{ key: 'netbox-db-password', value: 'v1' }], spec, { apiServerLike: true });
      w.clusterSecretStores.upsert(canaryStore('team-b'));
      w.secrets.set(TARGET, theirs());
      assert.deepEqual(await w.reconciler.reconcile(w.key, signal), { kind: 'done' }, what);
      assert.deepEqual([w.calls, w.labelCalls, w.clientsBuilt(), w.ready(), w.events], [[], [], 0, undefined, []], what);
      // A store of no class (or this one's) is served: the same ExternalSecret is reconciled (a
      // Secret target gets the label; the generic one fails on the flag, labelling no Secret).
      w.clusterSecretStores.upsert(canaryStore(''));
      await w.reconciler.reconcile(w.key, signal);
      const generic = what.endsWith('generic target');
      assert.equal(w.secrets.get(TARGET)?.metadata.labels?.[LABEL_MANAGED], generic ? undefined : 'true', what);
      assert.ok(w.ready() !== undefined, what);
    }
  });

  it('skips before any store is asked when a later generator is of another class, and reads each generator once per sync', async () => {
    const gen = (name: string, controller: string): GeneratorObject => ({ apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Fake', metadata: { name, namespace: 'netbox' }, spec: { controller, data: { [name.toUpperCase()]: 'g' } } });
    const generators = new Map([['ours', gen('ours', '')], ['theirs', gen('theirs', 'team-b')]]);
    const reads: string[] = [];
    const deps = { getGenerator: async (_k: string, _ns: string | undefined, name: string) => (reads.push(name), generators.get(name)), random: { int: () => 0, bytes: (n: number) => new Uint8Array(n) }, controllerClass: '' };
    const fetchOptions: FetchOptions = {
      generate: (ref, ns, field, s, judged) => runGeneratorRef(ref, ns, field, deps, s, undefined, judged),
      resolveGenerator: (ref, ns, field, s) => resolveGeneratorRef(ref, ns, field, deps, s),
    };
    const ref = (name: string) => ({ sourceRef: { generatorRef: { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Fake', name } } });
    // dataFrom[0] reads through a store that does not exist: before ESO's class check that failed the sync.
    const spec = { dataFrom: [{ extract: { key: 'netbox-db-password' }, sourceRef: { storeRef: { kind: 'ClusterSecretStore' as const, name: 'nowhere' } } }, ref('ours'), ref('theirs')] };
    const w = world([{ key: 'netbox-db-password', value: 'v1' }], spec, { apiServerLike: true, fetchOptions });
    w.secrets.set(TARGET, theirs());
    assert.deepEqual(await w.reconciler.reconcile(w.key, signal), { kind: 'done' });
    assert.deepEqual([w.calls, w.labelCalls, w.ready(), w.events], [[], [], undefined, []]);
    // Served here: each generator is read once (judged, then run from that reading).
    generators.set('theirs', gen('theirs', ''));
    w.setSpec({ dataFrom: [ref('ours'), ref('theirs')] });
    reads.length = 0;
    await w.reconciler.reconcile(w.key, signal);
    assert.deepEqual(reads, ['ours', 'theirs']);
    assert.equal(Buffer.from(w.bytesOf('THEIRS')!).toString(), 'g');
    assert.equal(w.ready()?.status, 'True');
  });

  it('a generator of another class skips the up-to-date labelling too', async () => {
    let controller = '';
    const deps = { getGenerator: async () => ({ apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Fake', metadata: { name: 'g', namespace: 'netbox' }, spec: { controller, data: { G: 'g' } } }) as GeneratorObject, random: { int: () => 0, bytes: (n: number) => new Uint8Array(n) }, controllerClass: '' };
    const fetchOptions: FetchOptions = {
      generate: (ref, ns, field, s, judged) => runGeneratorRef(ref, ns, field, deps, s, undefined, judged),
      resolveGenerator: (ref, ns, field, s) => resolveGeneratorRef(ref, ns, field, deps, s),
    };
    const w = world([], { data: [], dataFrom: [{ sourceRef: { generatorRef: { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Fake', name: 'g' } } }], target: { name: 'netbox-db-credentials', creationPolicy: 'Orphan' } }, { apiServerLike: true, fetchOptions });
    await w.reconciler.reconcile(w.key, signal);
    assert.equal(w.ready()?.status, 'True');
    w.secrets.set(TARGET, theirs());
    controller = 'team-b';
    w.labelCalls.length = 0;
    assert.deepEqual(await w.reconciler.reconcile(w.key, signal), { kind: 'done' });
    assert.deepEqual(w.labelCalls, []);
  });
});
