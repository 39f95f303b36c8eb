// registerLeanClientNode: client-node's KubeConfig works as before without its generated API or
// undici being loaded, and the typed API still works when something does ask for it.
// The hook is process-wide; node --test runs each test file in its own process, and this file
// registers it before anything here imports client-node.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire, registerHooks } from 'node:module';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { genIndexStandIn, registerLeanClientNode, undiciStandIn } from '../../../src/kube/lean-client-node.ts';

const resolved: string[] = [];

before(() => {
  // Registered first, so it runs after the lean hook (last registered runs first) and records what
  // was really resolved, stand-ins included.
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const r = nextResolve(specifier, context);
      resolved.push(r.url);
      return r;
    },
  });
  registerLeanClientNode();
  registerLeanClientNode(); // idempotent: a second call adds no second hook
});

const KUBECONFIG = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Config',
  clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:6443', 'insecure-skip-tls-verify': true } }],
  users: [{ name: 'u', user: { token: 'not-a-real-token' } }],
  contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
  'current-context': 'x',
});

describe('registerLeanClientNode', () => {
  it('KubeConfig (src/kube/client-node.ts) loads and authenticates a request without client-node\'s generated models, typed APIs or undici', async () => {
    const { KubeConfig, ApiException } = await import('../../../src/kube/client-node.ts');
    const kc = new KubeConfig();
    kc.loadFromString(KUBECONFIG);
    const opts: { headers?: Record<string, string>; rejectUnauthorized?: boolean } = {};
    await kc.applyToHTTPSOptions(opts as never);
    assert.equal(opts.headers?.Authorization, 'Bearer not-a-real-token');
    assert.equal(opts.rejectUnauthorized, false);
    assert.equal(new ApiException(404, 'x', {}, {}).code, 404);
    const gen = resolved.filter((u) => u.includes('/@kubernetes/client-node/dist/gen/'));
    assert.ok(gen.length > 0, 'the recorder saw client-node being loaded');
    const heavy = gen.filter((u) => /\/gen\/(models|types)\/|\/gen\/apis\/(?!exception\.js)|\/gen\/index\.js$/.test(u));
    assert.deepEqual(heavy, []);
    assert.deepEqual(resolved.filter((u) => u.includes('/node_modules/undici/')), []);
  });

  it('the typed API, imported from the package index, still works in the same process, with the same ApiException class', async () => {
    const { KubeConfig, ApiException } = await import('../../../src/kube/client-node.ts');
    const index = await import('@kubernetes/client-node');
    assert.equal(index.KubeConfig, KubeConfig);
    assert.equal(index.ApiException, ApiException);
    const kc = new KubeConfig();
    kc.loadFromString(KUBECONFIG);
    const api = kc.makeApiClient(index.CoreV1Api);
    assert.equal(typeof api.readNamespacedSecret, 'function');
    // A call goes through createDispatcher (undici's Agent, via the stand-in in config.js) and
    // fetch: with nothing listening on the port it fails to connect, not to load undici.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    kc.loadFromString(KUBECONFIG.replace('127.0.0.1:6443', `127.0.0.1:${port}`));
    const closed = kc.makeApiClient(index.CoreV1Api);
    await assert.rejects(closed.readNamespace({ name: 'x' }), (e: Error & { cause?: { code?: string } }) => {
      assert.equal(e.cause?.code, 'ECONNREFUSED', `${String(e)}: ${String(e.cause)}`);
      return true;
    });
    assert.ok(resolved.some((u) => u.endsWith('/@kubernetes/client-node/dist/gen/index.js')), 'the index loaded the real gen/index.js');
  });

  it('the undici stand-in builds real undici objects on first use', async () => {
    const importer = import.meta.resolve('@kubernetes/client-node/dist/config.js');
    // From a file: this process's recording hook does not pass data: URLs through to the ESM loader.
    const file = join(mkdtempSync(join(tmpdir(), 'lean-client-node-')), 'undici-stand-in.mjs');
    writeFileSync(file, undiciStandIn(importer));
    const standIn = (await import(pathToFileURL(file).href)) as { Agent: new (o?: object) => unknown; ProxyAgent: unknown; fetch: unknown };
    const undici = createRequire(new URL('./sibling.cjs', importer))('undici') as { Agent: new () => { close(): Promise<void> }; Dispatcher: abstract new () => unknown };
    const agent = new standIn.Agent({ connect: { rejectUnauthorized: false } }) as { close(): Promise<void> };
    assert.ok(agent instanceof undici.Agent);
    assert.ok(agent instanceof undici.Dispatcher);
    await agent.close();
    assert.equal(typeof standIn.ProxyAgent, 'function');
    assert.equal(typeof standIn.fetch, 'function');
  });

  it('the gen/index.js stand-in re-exports createConfiguration and ServerConfiguration from client-node\'s own files', () => {
    const src = genIndexStandIn('file:///x/node_modules/@kubernetes/client-node/dist/config.js');
    assert.match(src, /export \{ createConfiguration \} from "file:\/\/\/x\/node_modules\/@kubernetes\/client-node\/dist\/gen\/configuration\.js";/);
    assert.match(src, /export \{ ServerConfiguration \} from "file:\/\/\/x\/node_modules\/@kubernetes\/client-node\/dist\/gen\/servers\.js";/);
  });
});
