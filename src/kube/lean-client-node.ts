/**
 * Keeps `@kubernetes/client-node`'s generated typed API out of a process that never calls it.
 *
 * `KubeConfig`'s module (`dist/config.js`, client-node 2.x) imports `createConfiguration` and
 * `ServerConfiguration` from `./gen/index.js`, the index of the whole generated API: every API
 * class and model plus the ObjectSerializer, ~1,000 modules, ~75 MB of RSS and ~1.1 s of CPU at
 * each start (measured in docs/benchmarks.md, "Idle memory and start-up"). Those two names are
 * used only by `KubeConfig.makeApiClient`, and live in two small files of their own
 * (`gen/configuration.js`, `gen/servers.js`). This registers a module resolve hook that answers
 * that one import — `./gen/index.js` imported by client-node's `dist/config.js`, nothing else —
 * with a module re-exporting those two files. Any other importer of `gen/index.js` (the package
 * index, the typed API a test or a CLI command may use) gets the real index, so a typed client
 * built later still works, with the same classes.
 *
 * The same hook answers client-node's two imports of the `undici` package (`config.js`: `Agent`,
 * `ProxyAgent`, used only by `createDispatcher` for the typed API; `gen/http/isomorphic-fetch.js`:
 * `fetch`) with stand-ins that load undici on first use: constructing an `Agent`/`ProxyAgent` or
 * calling `fetch` loads the real package and returns its real object (a constructor that returns an
 * object yields that object), so behaviour is unchanged; a process that never builds a typed client
 * (the operator: its requests go through `kube/http.ts` on `node:https`) never loads undici
 * (~15 MB of RSS and ~0.2 s of CPU at start).
 *
 * If a client-node upgrade makes `config.js` import another name from `gen/index.js` or `undici`, linking
 * fails at start with "does not provide an export named …" (test/unit/kube/lean-client-node.test.ts
 * loads the real module through the hook, so that shows up in the unit tests first).
 *
 * Must run before anything imports client-node (hooks only see modules resolved after them):
 * `bin/projector.mjs` calls it before importing the CLI. Idempotent.
 */
import { registerHooks } from 'node:module';

const CONFIG_MODULE = '/@kubernetes/client-node/dist/config.js';
const FETCH_MODULE = '/@kubernetes/client-node/dist/gen/http/isomorphic-fetch.js';
let registered = false;

/** The module source standing in for client-node's `gen/index.js` when `config.js` imports it. */
export function genIndexStandIn(configModuleUrl: string): string {
  const gen = new URL('./gen/', configModuleUrl).href;
  return `export { createConfiguration } from ${JSON.stringify(`${gen}configuration.js`)};\nexport { ServerConfiguration } from ${JSON.stringify(`${gen}servers.js`)};\n`;
}

/**
 * The module source standing in for the `undici` package when client-node's `importerUrl` imports
 * it: the names client-node imports, each loading undici (resolved from `importerUrl`, as the
 * import would) on first use.
 */
export function undiciStandIn(importerUrl: string): string {
  return [
    `import { createRequire } from 'node:module';`,
    // Resolved from a sibling name of the importer (same node_modules lookup): a require from the
    // importer itself would come back to this hook and get this stand-in again.
    `const require = createRequire(${JSON.stringify(new URL('./lean-client-node-undici.cjs', importerUrl).href)});`,
    `let real;`,
    `const undici = () => (real ??= require('undici'));`,
    `export class Agent { constructor(...args) { return new (undici().Agent)(...args); } }`,
    `export class ProxyAgent { constructor(...args) { return new (undici().ProxyAgent)(...args); } }`,
    `export function fetch(...args) { return undici().fetch(...args); }`,
    '',
  ].join('\n');
}

const asModule = (source: string) => ({ url: `data:text/javascript,${encodeURIComponent(source)}`, format: 'module', shortCircuit: true }) as const;

/** Registers the resolve hook (once per process). */
export function registerLeanClientNode(): void {
  if (registered) return;
  registered = true;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (specifier === './gen/index.js' && context.parentURL?.endsWith(CONFIG_MODULE)) {
        return asModule(genIndexStandIn(context.parentURL));
      }
      if (specifier === 'undici' && (context.parentURL?.endsWith(CONFIG_MODULE) || context.parentURL?.endsWith(FETCH_MODULE))) {
        return asModule(undiciStandIn(context.parentURL));
      }
      return nextResolve(specifier, context);
    },
  });
}
