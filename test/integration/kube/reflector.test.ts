import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { CoreV1Api } from '@kubernetes/client-node';
import type { Logger } from '../../../src/platform/logger.ts';
import { ObjectStore, type ChangeType, type KubeObject } from '../../../src/kube/object-store.ts';
import { Reflector, type ReflectorOptions } from '../../../src/kube/reflector.ts';
import { startControlPlane, type ControlPlane } from '../../support/controlplane.ts';
import { eventually } from '../../support/eventually.ts';

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

function capturingLogger(): { log: Logger; lines: () => Record<string, unknown>[]; text: () => string } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  const log = pino({ level: 'debug' }, sink) as unknown as Logger;
  const text = () => chunks.join('');
  return { log, text, lines: () => text().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('Reflector against a real API server', () => {
  let cp: ControlPlane;
  let core: CoreV1Api;
  const running: { ac: AbortController; done: Promise<void> }[] = [];

  before(async () => {
    cp = await startControlPlane();
    core = cp.admin.makeApiClient(CoreV1Api);
  });
  after(async () => {
    for (const r of running) r.ac.abort();
    await Promise.all(running.map((r) => r.done));
    await cp?.stop();
  });

  async function createNamespace(name: string): Promise<void> {
    await core.createNamespace({ body: { metadata: { name } } });
  }

  function startReflector<T extends KubeObject>(opts: Omit<ReflectorOptions<T>, 'kubeConfig' | 'log' | 'store'> & { store?: ObjectStore<T> }) {
    const logs = capturingLogger();
    const store = opts.store ?? new ObjectStore<T>();
    const changes: [ChangeType, string][] = [];
    store.onChange((type, obj) => changes.push([type, obj.metadata.name!]));
    const reflector = new Reflector<T>({ kubeConfig: cp.admin, log: logs.log, store, backoff: { initialMs: 50, maxMs: 500 }, ...opts });
    const ac = new AbortController();
    const done = reflector.run(ac.signal);
    running.push({ ac, done });
    return { reflector, store, changes, logs, ac, done };
  }

  it('lists more objects than one page by following continue tokens', async () => {
    await createNamespace('refl-paging');
    for (let i = 0; i < 25; i++) {
      await core.createNamespacedConfigMap({ namespace: 'refl-paging', body: { metadata: { name: `cm-${String(i).padStart(2, '0')}` } } });
    }
    const { reflector, store, logs, changes } = startReflector<ConfigMap>({ path: '/api/v1/namespaces/refl-paging/configmaps', pageSize: 10 });
    await reflector.waitForSync(AbortSignal.timeout(10_000));
    const names = store.list().map((o) => o.metadata.name).filter((n) => n!.startsWith('cm-'));
    assert.equal(names.length, 25);
    assert.equal(changes.filter(([t]) => t === 'added').length, store.size());
    const listed = logs.lines().find((l) => l.msg === 'listed');
    assert.equal(listed?.pages, 3);
    assert.ok(reflector.lastResourceVersion() !== '');
    assert.equal(store.get('refl-paging/cm-00')?.kind, 'ConfigMap', 'list items get their kind back');
  });

  it('reports added, modified and deleted objects from the watch in order', async () => {
    await createNamespace('refl-events');
    const { reflector, store, changes } = startReflector<ConfigMap>({ path: '/api/v1/namespaces/refl-events/configmaps', labelSelector: 'app=refl' });
    await reflector.waitForSync(AbortSignal.timeout(10_000));
    await core.createNamespacedConfigMap({ namespace: 'refl-events', body: { metadata: { name: 'ignored' } } });
    await core.createNamespacedConfigMap({ namespace: 'refl-events', body: { metadata: { name: 'watched', labels: { app: 'refl' } }, data: { v: '1' } } });
    await core.replaceNamespacedConfigMap({
      namespace: 'refl-events',
      name: 'watched',
      body: { metadata: { name: 'watched', labels: { app: 'refl' } }, data: { v: '2' } },
    });
    await eventually(() => store.get('refl-events/watched')?.data?.v, '2');
    await core.deleteNamespacedConfigMap({ namespace: 'refl-events', name: 'watched' });
    await eventually(() => changes, [['added', 'watched'], ['modified', 'watched'], ['deleted', 'watched']]);
    assert.equal(store.size(), 0);
  });

  it('keeps no Secret data when a transform strips it, and logs no value', async () => {
    await createNamespace('refl-secrets');
    const canary = 'canary-7f3e-reflector-secret-value';
    await core.createNamespacedSecret({ namespace: 'refl-secrets', body: { metadata: { name: 'before' }, stringData: { password: canary } } });
    const strip = (o: KubeObject & { data?: unknown; stringData?: unknown }) => {
      const { data: _d, stringData: _s, ...rest } = o;
      return rest as KubeObject;
    };
    const { reflector, store, logs } = startReflector<KubeObject>({ path: '/api/v1/namespaces/refl-secrets/secrets', transform: strip });
    await reflector.waitForSync(AbortSignal.timeout(10_000));
    await core.createNamespacedSecret({ namespace: 'refl-secrets', body: { metadata: { name: 'after' }, stringData: { password: canary } } });
    await eventually(() => store.get('refl-secrets/after') !== undefined, true);
    const cached = JSON.stringify(store.list());
    assert.doesNotMatch(cached, /"data"/);
    assert.ok(!cached.includes(canary) && !cached.includes(Buffer.from(canary).toString('base64')));
    assert.ok(!logs.text().includes(canary) && !logs.text().includes(Buffer.from(canary).toString('base64')));
  });

  it('resumes each ended watch from the last resourceVersion without relisting or losing changes', async () => {
    await createNamespace('refl-resume');
    const { reflector, store, changes, logs } = startReflector<ConfigMap>({ path: '/api/v1/namespaces/refl-resume/configmaps', watchTimeoutSeconds: 1 });
    await reflector.waitForSync(AbortSignal.timeout(10_000));
    const expected: string[] = [];
    const startedMs = Date.now();
    for (let i = 0; Date.now() - startedMs < 3_500; i++) {
      await core.createNamespacedConfigMap({ namespace: 'refl-resume', body: { metadata: { name: `cm-${i}` } } });
      expected.push(`added:cm-${i}`);
      await new Promise((r) => setTimeout(r, 25)); // spread writes across several 1 s watches
    }
    await eventually(() => changes.filter(([, n]) => n.startsWith('cm-')).length, expected.length, { message: 'every create seen' });
    assert.deepEqual(sortChanges(changes.filter(([, n]) => n.startsWith('cm-'))), expected.sort());
    // The watches end on the server's clock, not with the last create: wait for the second end.
    await eventually(() => logs.lines().filter((l) => l.msg === 'watch ended; resuming').length, (n) => n >= 2, { message: 'several watches ended and were resumed' });
    const msgs = logs.lines().map((l) => l.msg);
    assert.ok(!msgs.includes('relisted'));
    assert.ok(!msgs.includes('list/watch failed; retrying'));
    assert.equal(store.size(), expected.length);
  });

  it('resumes after the API server restarts and loses no change made around the outage', async () => {
    await createNamespace('refl-restart');
    for (const name of ['a', 'b']) await core.createNamespacedConfigMap({ namespace: 'refl-restart', body: { metadata: { name }, data: { v: '1' } } });
    const { reflector, store, changes, logs } = startReflector<ConfigMap>({ path: '/api/v1/namespaces/refl-restart/configmaps' });
    await reflector.waitForSync(AbortSignal.timeout(10_000));
    const syncedChanges = changes.length;

    await cp.stopApiServer();
    await cp.startApiServer();
    // Made while the reflector is still backing off from the outage.
    await core.createNamespacedConfigMap({ namespace: 'refl-restart', body: { metadata: { name: 'c' }, data: { v: '1' } } });
    await core.replaceNamespacedConfigMap({ namespace: 'refl-restart', name: 'a', body: { metadata: { name: 'a' }, data: { v: '2' } } });
    await core.deleteNamespacedConfigMap({ namespace: 'refl-restart', name: 'b' });

    await eventually(() => store.list().map((o) => `${o.metadata.name}=${o.data?.v ?? ''}`).filter((s) => s !== 'kube-root-ca.crt=').sort(), ['a=2', 'c=1'], {
      timeoutMs: 20_000,
      message: 'store reflects the changes made during the outage',
    });
    const after = changes.slice(syncedChanges);
    assert.deepEqual(sortChanges(after), ['added:c', 'deleted:b', 'modified:a'], 'each change once; unchanged objects are not reported');
    assert.ok(logs.lines().some((l) => l.msg === 'list/watch failed; retrying'), 'the outage was logged');
    console.log(`# after restart the reflector ${logs.lines().some((l) => l.msg === 'relisted') ? 'relisted (410 from the fresh watch cache)' : 'resumed the watch from its resourceVersion'}`);
  });
});

function sortChanges(c: [ChangeType, string][]): string[] {
  return c.map(([t, n]) => `${t}:${n}`).sort();
}
