// registerLeanUndici (src/platform/lean-undici.ts): an ES module import of node:http and Azure SDK
// requests without FormData leave Node's bundled undici unloaded, and the stand-ins answer as the
// modules they stand for. Each case runs in a child process: undici, once loaded, stays loaded, and
// this test runner may have loaded it already. Each case also runs without the hook, where undici
// does load: the check can fail.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const repo = new URL('../../../', import.meta.url);
const node = new URL('node_modules/.bin/node', repo).pathname;
const dir = mkdtempSync(join(tmpdir(), 'projector-lean-undici-'));

/** Runs `body` (an ES module's statements) in a child, after registering the hook when `lean`; returns what it printed as JSON. */
function child(body: string, lean: boolean): any {
  const file = join(dir, `case-${Math.random().toString(36).slice(2)}.mjs`);
  const undici = `() => process.moduleLoadList.some((m) => m.includes('internal/deps/undici/undici'))`;
  writeFileSync(
    file,
    [
      lean ? `import { registerLeanUndici } from ${JSON.stringify(new URL('src/platform/lean-undici.ts', repo).href)}; registerLeanUndici();` : '',
      `const undiciLoaded = ${undici};`,
      `const out = {};`,
      `await (async () => { ${body} })();`,
      `process.stdout.write(JSON.stringify(out));`,
    ].join('\n'),
  );
  // Resolved from the repository, as the operator's imports are.
  return JSON.parse(execFileSync(node, [file], { cwd: repo, encoding: 'utf8', env: { ...process.env, NODE_PATH: new URL('node_modules', repo).pathname } }));
}

describe('registerLeanUndici', () => {
  const importHttp = `
    const http = await import('node:http');
    const { createRequire } = await import('node:module');
    const real = createRequire(import.meta.url)('node:http');
    out.sameModule = http.default === real;
    out.sameExports = ['request', 'get', 'createServer', 'Agent', 'ClientRequest', 'IncomingMessage', 'ServerResponse', 'STATUS_CODES', 'METHODS', 'globalAgent', 'maxHeaderSize'].every((n) => http[n] === real[n]);
    out.undici = undiciLoaded();`;

  it('an ES module import of node:http gives the same module and exports without loading undici', () => {
    const lean = child(importHttp, true);
    assert.deepEqual(lean, { sameModule: true, sameExports: true, undici: false });
    // Without the hook, Node's ES module facade reads the WebSocket getter: undici loads.
    assert.equal(child(importHttp, false).undici, true);
  });

  it("the operator's own modules (src/cli/main.ts and all it imports) leave undici unloaded", () => {
    const body = `
      const { registerLeanClientNode } = await import(${JSON.stringify(new URL('src/kube/lean-client-node.ts', repo).href)});
      registerLeanClientNode();
      await import(${JSON.stringify(new URL('src/cli/main.ts', repo).href)});
      out.undici = undiciLoaded();`;
    assert.deepEqual(child(body, true), { undici: false });
    assert.deepEqual(child(body, false), { undici: true });
  });

  const sdkRequests = (withFormData: boolean) => `
    const { createPipelineFromOptions, createPipelineRequest, createHttpHeaders } = await import(${JSON.stringify(new URL('node_modules/@azure/core-rest-pipeline/dist/esm/index.js', repo).href)});
    const seen = [];
    const httpClient = { sendRequest: async (request) => { seen.push(typeof request.body === 'string' ? request.body : request.body === undefined ? 'none' : 'other'); return { request, status: 200, headers: createHttpHeaders() }; } };
    const pipeline = createPipelineFromOptions({ retryOptions: { maxRetries: 0 } });
    const send = (init) => pipeline.sendRequest(httpClient, createPipelineRequest({ url: 'https://vault.example/secrets/x', ...init }));
    await send({ method: 'GET' });
    await send({ method: 'POST', body: '{"value":"v"}' });
    out.undiciAfterPlainRequests = undiciLoaded();
    ${withFormData ? `
    const form = new FormData();
    form.append('grant_type', 'client_credentials');
    await send({ method: 'POST', body: form, headers: createHttpHeaders({ 'content-type': 'application/x-www-form-urlencoded' }) });` : ''}
    out.seen = seen;`;

  it("the Azure SDK's formDataPolicy leaves undici unloaded for requests without FormData, and still encodes a FormData body", () => {
    const lean = child(sdkRequests(true), true);
    assert.deepEqual(lean, { undiciAfterPlainRequests: false, seen: ['none', '{"value":"v"}', 'grant_type=client_credentials'] });
    // Without the hook the same two plain requests load undici (typeof FormData on each).
    assert.equal(child(sdkRequests(false), false).undiciAfterPlainRequests, true);
    // And the FormData request is encoded the same way.
    assert.deepEqual(child(sdkRequests(true), false).seen, lean.seen);
  });
});
