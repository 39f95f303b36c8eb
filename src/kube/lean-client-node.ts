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
 * It also answers the imports of client-node's authentication and proxy modules whose libraries
 * only some kubeconfigs use (LAZY_IMPORTS: socks and hpagent for `proxy-url`, openid-client for the
 * `oidc` auth provider, jsonpath-plus for the `azure`/`gcp` auth providers' token commands; ~5 MB
 * of RSS together): with a stand-in per imported name that loads the real package, the same file
 * the import would have loaded, when a kubeconfig first uses it (a constructor called, a function
 * called, a property read). An in-cluster or token/certificate/exec kubeconfig never loads them.
 *
 * If a client-node upgrade makes `config.js` import another name from `gen/index.js` or `undici`, linking
 * fails at start with "does not provide an export named …" (test/unit/kube/lean-client-node.test.ts
 * loads the real module through the hook, so that shows up in the unit tests first).
 *
 * Must run before anything imports client-node (hooks only see modules resolved after them):
 * `bin/projector.mjs` calls it before importing the CLI. Idempotent.
 */
import { registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';
import { asModule } from '../platform/lean-undici.ts';

const CONFIG_MODULE = '/@kubernetes/client-node/dist/config.js';
const FETCH_MODULE = '/@kubernetes/client-node/dist/gen/http/isomorphic-fetch.js';
let registered = false;

/**
 * client-node's imports of libraries only some kubeconfigs use, answered with lazy stand-ins:
 * importer (a file of client-node's `dist/`), specifier, the names it imports (named imports, or
 * the members a namespace import reads), and `eager`: names re-exported at once from another module
 * resolved from the real package (values that must be the library's own at first read, such as
 * openid-client's `customFetch`, a symbol used as an option key before any call; it is
 * oauth4webapi's, re-exported by openid-client, 1 module). A client-node upgrade that imports
 * another name fails linking at start (named imports) or is caught by
 * test/unit/kube/lean-client-node.test.ts (namespace members).
 */
export const LAZY_IMPORTS: readonly { importer: string; specifier: string; names: readonly string[]; eager?: { from: string; names: readonly string[] } }[] = [
  { importer: 'config.js', specifier: 'socks-proxy-agent', names: ['SocksProxyAgent'] },
  { importer: 'config.js', specifier: 'socks', names: ['SocksClient'] },
  { importer: 'config.js', specifier: 'hpagent', names: ['HttpProxyAgent', 'HttpsProxyAgent'] },
  { importer: 'oidc_auth.js', specifier: 'openid-client', names: ['discovery', 'refreshTokenGrant'], eager: { from: 'oauth4webapi', names: ['customFetch'] } },
  { importer: 'azure_auth.js', specifier: 'jsonpath-plus', names: ['JSONPath'] },
  { importer: 'gcp_auth.js', specifier: 'jsonpath-plus', names: ['JSONPath'] },
];
const CLIENT_NODE_DIST = '/@kubernetes/client-node/dist/';

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

/**
 * The module source standing in for a package (`realUrl`, the file the import resolves to) imported
 * by client-node: each of `names` is a Proxy over a function that loads the package (`require` of
 * that same file: Node 24 loads ES modules that way too, sharing the module instance with any
 * `import` of it) on first use and forwards `new`, calls and property reads to the real export, so
 * `new X(...)` returns a real instance (`instanceof` the real class), `f(...)` the real result and
 * `X.method(...)` runs the real static method. `eager` names are re-exported from `eagerUrl` as they are.
 */
export function lazyPackageStandIn(realUrl: string, names: readonly string[], eager?: { url: string; names: readonly string[] }): string {
  return [
    `import { createRequire } from 'node:module';`,
    `const require = createRequire(${JSON.stringify(realUrl)});`,
    `let real;`,
    `const load = () => (real ??= require(${JSON.stringify(fileURLToPath(realUrl))}));`,
    // A function target (not an arrow) so the Proxy has [[Construct]] as well as [[Call]].
    `const lazy = (name) => { const p = new Proxy(function () {}, {`,
    `  get: (_, key) => Reflect.get(load()[name], key),`,
    `  has: (_, key) => Reflect.has(load()[name], key),`,
    `  apply: (_, self, args) => Reflect.apply(load()[name], self, args),`,
    `  construct: (_, args, newTarget) => Reflect.construct(load()[name], args, newTarget === p ? load()[name] : newTarget),`,
    `}); return p; };`,
    ...names.map((n) => `export const ${n} = lazy(${JSON.stringify(n)});`),
    ...(eager ? [`export { ${eager.names.join(', ')} } from ${JSON.stringify(eager.url)};`] : []),
    '',
  ].join('\n');
}


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
      const parent = context.parentURL;
      const i = parent?.lastIndexOf(CLIENT_NODE_DIST) ?? -1;
      if (parent && i >= 0) {
        const file = parent.slice(i + CLIENT_NODE_DIST.length);
        const lazy = LAZY_IMPORTS.find((l) => l.specifier === specifier && l.importer === file);
        if (lazy) {
          const real = nextResolve(specifier, context).url;
          const eager = lazy.eager && { url: nextResolve(lazy.eager.from, { ...context, parentURL: real }).url, names: lazy.eager.names };
          return asModule(lazyPackageStandIn(real, lazy.names, eager));
        }
      }
      return nextResolve(specifier, context);
    },
  });
}
