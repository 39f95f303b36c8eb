import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../../src/platform/logger.ts';
import { ObjectStore, type KubeObject } from '../../../src/kube/object-store.ts';
import { ReconnectBackoff, Reflector } from '../../../src/kube/reflector.ts';
import { eventually } from '../../support/eventually.ts';

/**
 * A scripted API server: each list or watch request takes the next handler of its kind. When the
 * script runs out, watches hang open (as a quiet real watch does) and lists answer 500.
 */
type Handler = (query: URLSearchParams, res: ServerResponse) => void;

class ScriptedApiServer {
  readonly requests: { kind: 'list' | 'watch'; query: URLSearchParams }[] = [];
  lists: Handler[] = [];
  watches: Handler[] = [];
  readonly #open = new Set<ServerResponse>();
  #server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.#server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const query = new URL(req.url ?? '/', 'http://x').searchParams;
      const kind = query.get('watch') ? 'watch' : 'list';
      this.requests.push({ kind, query });
      const handler = (kind === 'watch' ? this.watches : this.lists).shift();
      if (handler) return handler(query, res);
      if (kind === 'list') return json(res, 500, { kind: 'Status', code: 500, reason: 'InternalError' });
      res.writeHead(200, { 'content-type': 'application/json' });
      this.#open.add(res);
    });
    await new Promise<void>((r) => this.#server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.#server!.address() as AddressInfo).port}`;
  }

  reset(): void {
    this.requests.length = 0;
    this.lists = [];
    this.watches = [];
    for (const res of this.#open) res.destroy();
    this.#open.clear();
  }

  async stop(): Promise<void> {
    this.reset();
    this.#server?.closeAllConnections();
    await new Promise((r) => this.#server?.close(r));
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function cm(name: string, rv: string, data?: Record<string, string>) {
  return { metadata: { name, namespace: 'ns', resourceVersion: rv }, ...(data ? { data } : {}) };
}

function listPage(rv: string, items: unknown[], cont?: string): Handler {
  return (_q, res) => json(res, 200, { apiVersion: 'v1', kind: 'ConfigMapList', metadata: { resourceVersion: rv, ...(cont ? { continue: cont } : {}) }, items });
}

function watchLines(lines: string[], opts: { end?: boolean } = { end: true }): Handler {
  return (_q, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    for (const l of lines) res.write(`${l}\n`);
    if (opts.end) res.end();
  };
}

const ev = (type: string, object: unknown) => JSON.stringify({ type, object });

function capturingLogger(): { log: Logger; text: () => string; msgs: () => string[] } {
  const chunks: string[] = [];
  const sink = new Writable({ write: (c, _e, cb) => (chunks.push(String(c)), cb()) });
  const text = () => chunks.join('');
  return {
    log: pino({ level: 'debug' }, sink) as unknown as Logger,
    text,
    msgs: () => text().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { msg: string }).msg),
  };
}

describe('Reflector (scripted API server)', () => {
  const server = new ScriptedApiServer();
  let stopReflector: AbortController | undefined;
  let running: Promise<void> | undefined;

  async function stopRunningReflector(): Promise<void> {
    stopReflector?.abort();
    await running;
  }

  before(() => server.start());
  after(async () => {
    await stopRunningReflector();
    await server.stop();
  });
  beforeEach(async () => {
    await stopRunningReflector();
    server.reset();
  });

  function start(opts: { transform?: (o: any) => KubeObject; pageSize?: number; crd?: string; optional?: boolean; absentPollMs?: number; forbidden?: string } = {}) {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: server.url, skipTLSVerify: true }],
      users: [{ name: 'u', token: 'test-token' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const store = new ObjectStore<KubeObject & { data?: Record<string, string> }>();
    const changes: string[] = [];
    store.onChange((type, o) => changes.push(`${type}:${o.metadata.name}@${o.metadata.resourceVersion}`));
    const logs = capturingLogger();
    const reflector = new Reflector({
      kubeConfig: kc,
      path: '/api/v1/configmaps',
      store,
      log: logs.log,
      backoff: { initialMs: 1, maxMs: 4 },
      ...opts,
    });
    stopReflector = new AbortController();
    running = reflector.run(stopReflector.signal);
    return { reflector, store, changes, logs };
  }

  const watchQueries = () => server.requests.filter((r) => r.kind === 'watch').map((r) => r.query);

  it('lists page by page, then watches from the list resourceVersion with bookmarks and a timeout', async () => {
    server.lists = [listPage('10', [cm('a', '5')], 'tok1'), listPage('10', [cm('b', '6')])];
    const { reflector, store } = start({ pageSize: 1 });
    await reflector.waitForSync(AbortSignal.timeout(5000));
    assert.deepEqual(store.keys().sort(), ['ns/a', 'ns/b']);
    const lists = server.requests.filter((r) => r.kind === 'list').map((r) => [r.query.get('limit'), r.query.get('continue')]);
    assert.deepEqual(lists, [['1', null], ['1', 'tok1']]);
    await eventually(() => watchQueries().length, 1);
    const w = watchQueries()[0]!;
    assert.equal(w.get('resourceVersion'), '10');
    assert.equal(w.get('allowWatchBookmarks'), 'true');
    const timeout = Number(w.get('timeoutSeconds'));
    assert.ok(timeout >= 300 && timeout <= 360, `timeoutSeconds ${timeout}`);
  });

  it('restarts the whole list when a continue token has expired (410)', async () => {
    server.lists = [
      listPage('10', [cm('a', '5')], 'tok1'),
      (_q, res) => json(res, 410, { kind: 'Status', code: 410, reason: 'Expired' }),
      listPage('12', [cm('a', '5')], 'tok2'),
      listPage('12', [cm('b', '11')]),
    ];
    const { reflector, store, logs } = start({ pageSize: 1 });
    await reflector.waitForSync(AbortSignal.timeout(5000));
    assert.deepEqual(store.keys().sort(), ['ns/a', 'ns/b']);
    assert.equal(reflector.lastResourceVersion(), '12');
    assert.ok(logs.msgs().includes('list continue token expired (410); restarting the list'));
  });

  it('applies watch events and advances the resourceVersion on bookmarks', async () => {
    server.lists = [listPage('10', [cm('a', '5')])];
    server.watches = [
      watchLines([
        ev('ADDED', cm('b', '11')),
        ev('MODIFIED', cm('a', '12')),
        ev('DELETED', cm('b', '13')),
        ev('BOOKMARK', { kind: 'ConfigMap', metadata: { resourceVersion: '20' } }),
      ]),
    ];
    const { reflector, changes } = start();
    await eventually(() => watchQueries().length, 2);
    assert.deepEqual(changes, ['added:a@5', 'added:b@11', 'modified:a@12', 'deleted:b@13']);
    assert.equal(watchQueries()[1]!.get('resourceVersion'), '20', 'the next watch resumes from the bookmark');
    assert.equal(reflector.lastResourceVersion(), '20');
  });

  it('logs an unparsable watch line without its content and resumes from the last good resourceVersion', async () => {
    const canary = 'canary-9c2a-unparsable-line';
    server.lists = [listPage('10', [])];
    server.watches = [watchLines([ev('ADDED', cm('a', '11')), `{"type":"ADDED","object":{"data":"${canary}"`, ev('ADDED', cm('lost-if-not-resumed', '12'))])];
    const { changes, logs } = start();
    await eventually(() => watchQueries().length, 2);
    assert.equal(watchQueries()[1]!.get('resourceVersion'), '11');
    assert.deepEqual(changes, ['added:a@11'], 'events after the bad line are not applied out of order; the resumed watch delivers them');
    assert.match(logs.text(), /unparsable watch line/);
    assert.ok(!logs.text().includes(canary));
  });

  it('keeps retrying through HTTP 500s and refused lists, then syncs', async () => {
    server.lists = [
      (_q, res) => json(res, 500, { kind: 'Status', code: 500, reason: 'InternalError', message: 'canary-secret-in-message' }),
      // The first reset lands on the connection the 500 came back on, and a GET failing on a reused
      // connection is sent once more (src/kube/http.ts); the second reset is on a fresh connection.
      (_q, res) => res.destroy(),
      (_q, res) => res.destroy(),
      listPage('10', [cm('a', '5')]),
    ];
    const { reflector, logs } = start();
    await reflector.waitForSync(AbortSignal.timeout(5000));
    assert.equal(logs.msgs().filter((m) => m === 'list/watch failed; retrying').length, 2);
    assert.ok(!logs.text().includes('canary-secret-in-message'), 'Status messages are not logged');
  });

  const notFound: Handler = (_q, res) => json(res, 404, { kind: 'Status', code: 404, reason: 'NotFound' });

  it('an optional kind whose CRD is missing (404) counts as synced and empty, says so once, and fills in when the CRD appears', async () => {
    server.lists = [notFound, notFound, notFound, listPage('10', [cm('a', '5')])];
    const { reflector, store, logs } = start({ crd: 'configmaps.example.io', optional: true, absentPollMs: 5 });
    await reflector.waitForSync(AbortSignal.timeout(5000));
    assert.equal(store.size(), 0);
    await eventually(() => store.size(), 1, { timeoutMs: 5000, message: 'listed once served' });
    assert.equal(reflector.missing(), false);
    const msgs = logs.msgs();
    assert.equal(msgs.filter((m) => m.includes('CRD configmaps.example.io is not installed')).length, 1, msgs.join('\n'));
    assert.ok(msgs.includes('the API server serves /api/v1/configmaps now (CRD configmaps.example.io installed); serving it'), msgs.join('\n'));
  });

  const forbidden: Handler = (_q, res) => json(res, 403, { kind: 'Status', code: 403, reason: 'Forbidden' });

  it('a watch that tolerates 403 (ReflectorOptions.forbidden) counts as synced and empty, says so once, and fills in once allowed', async () => {
    server.lists = [forbidden, forbidden, forbidden, listPage('10', [cm('a', '5')])];
    const { reflector, store, logs } = start({ forbidden: 'changes are seen later', absentPollMs: 5 });
    await reflector.waitForSync(AbortSignal.timeout(5000));
    assert.equal(reflector.forbidden(), true);
    assert.equal(store.size(), 0);
    await eventually(() => store.size(), 1, { timeoutMs: 5000, message: 'listed once allowed' });
    assert.equal(reflector.forbidden(), false);
    const msgs = logs.msgs();
    assert.equal(msgs.filter((m) => m === 'may not list/watch /api/v1/configmaps (403): changes are seen later; grant list and watch (deploy/ RBAC) to restore it').length, 1, msgs.join('\n'));
    assert.ok(msgs.includes('may list/watch /api/v1/configmaps now; watching it'), msgs.join('\n'));
  });

  it('a watch that does not tolerate 403 stays unsynced and retries', async () => {
    server.lists = [forbidden, forbidden, forbidden, forbidden];
    const { reflector, logs } = start();
    await eventually(() => server.requests.filter((r) => r.kind === 'list').length >= 3, true, { timeoutMs: 5000, message: 'three lists' });
    assert.equal(reflector.hasSynced(), false);
    assert.equal(reflector.forbidden(), false);
    assert.ok(logs.msgs().includes('list/watch failed; retrying'));
  });

  it('a required kind whose CRD is missing is not synced: missing() names it until a list succeeds', async () => {
    server.lists = [notFound, notFound, notFound, notFound, notFound, notFound];
    const { reflector, logs } = start({ crd: 'configmaps.example.io' });
    await eventually(() => server.requests.filter((r) => r.kind === 'list').length >= 2, true, { timeoutMs: 5000, message: 'two lists' });
    assert.equal(reflector.hasSynced(), false);
    assert.equal(reflector.missing(), true);
    assert.deepEqual(reflector.describe(), { path: '/api/v1/configmaps', crd: 'configmaps.example.io', optional: false });
    assert.equal(logs.msgs().filter((m) => /CRD configmaps\.example\.io is not installed; the operator cannot become ready until it is/.test(m)).length, 1);
    // The CRD is installed: the next list syncs it (and it then waits on a quiet watch).
    server.lists.push(listPage('10', [cm('a', '5')]));
    await reflector.waitForSync(AbortSignal.timeout(5000));
    assert.equal(reflector.missing(), false);
  });

  it('relists on a watch ERROR 410 and reports only what changed', async () => {
    server.lists = [
      listPage('10', [cm('same', '5'), cm('changed', '6'), cm('gone', '7')]),
      listPage('30', [cm('same', '5'), cm('changed', '25'), cm('new', '26')]),
    ];
    server.watches = [watchLines([ev('ERROR', { kind: 'Status', code: 410, reason: 'Expired' })], { end: false })];
    const { reflector, changes, logs } = start();
    await eventually(() => watchQueries().length, 2);
    assert.deepEqual(changes.slice(3).sort(), ['added:new@26', 'deleted:gone@7', 'modified:changed@25']);
    assert.equal(watchQueries()[1]!.get('resourceVersion'), '30');
    assert.equal(reflector.lastResourceVersion(), '30');
    assert.ok(logs.msgs().includes('relisted'));
  });

  it('relists when the watch request itself answers 410', async () => {
    server.lists = [listPage('10', [cm('a', '5')]), listPage('40', [cm('a', '5')])];
    server.watches = [(_q, res) => json(res, 410, { kind: 'Status', code: 410, reason: 'Gone' })];
    const { changes } = start();
    await eventually(() => watchQueries().length, 2);
    assert.equal(watchQueries()[1]!.get('resourceVersion'), '40');
    assert.deepEqual(changes, ['added:a@5'], 'an unchanged object is not reported again');
  });

  it('resumes from the last resourceVersion after a connection reset mid-watch', async () => {
    server.lists = [listPage('10', [])];
    server.watches = [
      (_q, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(`${ev('ADDED', cm('a', '11'))}\n`);
        setImmediate(() => res.destroy());
      },
    ];
    const { changes, logs } = start();
    await eventually(() => watchQueries().length, 2);
    assert.equal(watchQueries()[1]!.get('resourceVersion'), '11');
    assert.deepEqual(changes, ['added:a@11']);
    assert.ok(!logs.msgs().includes('relisted'));
  });

  it('backs off instead of spinning when every watch closes at once without events', async () => {
    server.lists = [listPage('10', [])];
    server.watches = Array.from({ length: 5 }, () => watchLines([]));
    const { logs } = start();
    await eventually(() => watchQueries().length, 6);
    assert.ok(logs.text().includes('watch closed at once without events'));
  });

  it('stores objects without managedFields by default, from lists and watches (cache.TransformStripManagedFields)', async () => {
    const managed = (name: string, rv: string) => ({ ...cm(name, rv), metadata: { ...cm(name, rv).metadata, managedFields: [{ manager: 'kubectl', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': {} } }] } });
    server.lists = [listPage('10', [managed('a', '5')])];
    server.watches = [watchLines([ev('ADDED', managed('b', '11'))], { end: false })];
    const { store } = start();
    await eventually(() => store.list().length, 2);
    for (const o of store.list()) assert.equal((o.metadata as { managedFields?: unknown }).managedFields, undefined, o.metadata.name);
    assert.equal(store.get('ns/a')?.metadata.resourceVersion, '5');
  });

  it('stores what the transform returns, so Secret data never reaches the cache', async () => {
    const canary = 'canary-51de-transform';
    server.lists = [listPage('10', [cm('s', '5', { password: canary })])];
    const { reflector, store } = start({ transform: ({ data: _data, ...rest }) => rest });
    await reflector.waitForSync(AbortSignal.timeout(5000));
    assert.ok(!JSON.stringify(store.list()).includes(canary));
    assert.equal(store.get('ns/s')?.kind, 'ConfigMap');
  });

  it('stops when its signal aborts, also while a watch is open', async () => {
    server.lists = [listPage('10', [])];
    const { reflector } = start();
    await reflector.waitForSync(AbortSignal.timeout(5000));
    await eventually(() => watchQueries().length, 1);
    stopReflector!.abort();
    await running;
  });

  it('rejects waitForSync when its own signal aborts first', async () => {
    const { reflector } = start();
    const ac = new AbortController();
    const waiting = reflector.waitForSync(ac.signal);
    ac.abort(new Error('gave up'));
    await assert.rejects(waiting, /gave up/);
  });
});

describe('ReconnectBackoff', () => {
  it('doubles from 800 ms up to 30 s, jittered down by at most half, and starts over on reset', () => {
    const top = new ReconnectBackoff({ random: () => 1 });
    assert.deepEqual(Array.from({ length: 8 }, () => top.next()), [800, 1600, 3200, 6400, 12800, 25600, 30000, 30000]);
    const bottom = new ReconnectBackoff({ random: () => 0 });
    assert.deepEqual(Array.from({ length: 3 }, () => bottom.next()), [400, 800, 1600]);
    top.reset();
    assert.equal(top.next(), 800);
  });
});
