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
 * If a client-node upgrade makes `config.js` import another name from `gen/index.js`, linking
 * fails at start with "does not provide an export named …" (test/unit/kube/lean-client-node.test.ts
 * loads the real module through the hook, so that shows up in the unit tests first).
 *
 * Must run before anything imports client-node (hooks only see modules resolved after them):
 * `bin/projector.mjs` calls it before importing the CLI. Idempotent.
 */
import { registerHooks } from 'node:module';

const CONFIG_MODULE = '/@kubernetes/client-node/dist/config.js';
let registered = false;

/** The module source standing in for client-node's `gen/index.js` when `config.js` imports it. */
export function genIndexStandIn(configModuleUrl: string): string {
  const gen = new URL('./gen/', configModuleUrl).href;
  return `export { createConfiguration } from ${JSON.stringify(`${gen}configuration.js`)};\nexport { ServerConfiguration } from ${JSON.stringify(`${gen}servers.js`)};\n`;
}

/** Registers the resolve hook (once per process). */
export function registerLeanClientNode(): void {
  if (registered) return;
  registered = true;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (specifier === './gen/index.js' && context.parentURL?.endsWith(CONFIG_MODULE)) {
        return { url: `data:text/javascript,${encodeURIComponent(genIndexStandIn(context.parentURL))}`, format: 'module', shortCircuit: true };
      }
      return nextResolve(specifier, context);
    },
  });
}
