/**
 * Keeps Node's bundled undici (`node:internal/deps/undici/undici`) out of a process that never uses
 * it: its `fetch`, `FormData`, `WebSocket` and friends are loaded on first touch, and two touches
 * happen without any use. An ES module import of `node:http` (the operator's own modules,
 * client-node's `config.js`) reads its undici getters (`nodeHttpStandIn`); and the Azure SDK's
 * `formDataPolicy`, in every SDK pipeline, asks `typeof FormData` of each request
 * (`formDataStandIn`). Measured: idle RSS 77.0 → 74.0 MB (fake stores) and 89.7 → 88.0 MB (100
 * azurekv stores), heap used −1.2 MB; a bare process 59.5 → 46.4 MB (docs/benchmarks.md, "Eighth
 * pass").
 *
 * Registered by `bin/projector.mjs` before anything is imported (hooks only see modules resolved
 * after them). Idempotent. test/unit/platform/lean-undici.test.ts checks, in a child process, that
 * an ES module import of `node:http`, the operator's own modules and an SDK pipeline's requests
 * leave undici unloaded, and that the stand-ins answer as the real modules do.
 */
import { createRequire, registerHooks } from 'node:module';

let registered = false;

/**
 * `node:http`'s exports that are getters loading Node's internal undici (Node 24 lib/http.js:
 * `WebSocket`, `CloseEvent`, `MessageEvent`, through `lazyUndici`).
 */
export const HTTP_UNDICI_GETTERS: ReadonlySet<string> = new Set(['WebSocket', 'CloseEvent', 'MessageEvent']);

/**
 * An ES module with `node:http`'s exports but the undici getters: the module `require` gives
 * (`default`) and each other export by name, read from it when the stand-in is evaluated.
 *
 * Why: an ES module import of a builtin builds its ES module facade, which reads every export
 * (node:internal/bootstrap/realm `syncExports` calls each getter), and `node:http`'s undici getters
 * then load and compile Node's bundled undici (`internal/deps/undici/undici`, a 745 KB source kept
 * in the heap): measured in a bare process, 59.5 MB RSS after `import http from 'node:http'`
 * against 46.4 MB after `require('node:http')`. A `require` builds no facade. The operator's own
 * modules and client-node's `config.js` import `node:http`, and nothing in the operator uses those
 * three classes. `node:https` has no such getters.
 */
export function nodeHttpStandIn(requireFrom: string): string {
  const http = createRequire(requireFrom)('node:http') as Record<string, unknown>;
  const names = Object.keys(http).filter((n) => !HTTP_UNDICI_GETTERS.has(n) && n !== 'default' && /^[A-Za-z_$][\w$]*$/.test(n));
  return [
    `import { createRequire } from 'node:module';`,
    `const http = createRequire(${JSON.stringify(requireFrom)})('node:http');`,
    `export default http;`,
    `export const { ${names.join(', ')} } = http;`,
    '',
  ].join('\n');
}

/** The module the Azure SDK's formDataPolicy takes `convertBodyToFormDataMap` from. */
const FORM_DATA_POLICY = '/@typespec/ts-http-runtime/dist/esm/policies/formDataPolicy.js';

/**
 * An ES module exporting `convertBodyToFormDataMap` as @typespec/ts-http-runtime's `formData.js`
 * (at `realUrl`) does, but asking for `FormData` only when the body is an object. The real one asks
 * `typeof FormData` first, for every request (a GET has no body, a JSON request a string): the
 * global's getter loads undici. Only an object can be a FormData, so the answer is the same.
 */
export function formDataStandIn(realUrl: string): string {
  return [
    // Whatever else the real module exports (a later version may export more) passes through.
    `export * from ${JSON.stringify(realUrl)};`,
    `import { convertBodyToFormDataMap as convert } from ${JSON.stringify(realUrl)};`,
    `export function convertBodyToFormDataMap(body) {`,
    `  return body !== null && typeof body === 'object' ? convert(body) : undefined;`,
    `}`,
    '',
  ].join('\n');
}

/** A resolve hook's answer: the ES module `source` as a `data:` URL (the stand-ins' common form). */
export const asModule = (source: string) => ({ url: `data:text/javascript,${encodeURIComponent(source)}`, format: 'module', shortCircuit: true }) as const;

/** Registers the resolve hook (once per process). */
export function registerLeanUndici(): void {
  if (registered) return;
  registered = true;
  const httpStandIn = asModule(nodeHttpStandIn(import.meta.url));
  registerHooks({
    resolve(specifier, context, nextResolve) {
      // Imports only: a require() builds no facade (and these hooks see requires too).
      if ((specifier === 'node:http' || specifier === 'http') && context.conditions?.includes('import')) return httpStandIn;
      if (specifier === '../formData.js' && context.parentURL?.endsWith(FORM_DATA_POLICY)) {
        return asModule(formDataStandIn(nextResolve(specifier, context).url));
      }
      return nextResolve(specifier, context);
    },
  });
}
