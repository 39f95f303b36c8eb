/**
 * Keeps `@opentelemetry/api` out of a process whose metrics never use exemplars.
 *
 * prom-client 15's `lib/metrics/processCpuTotal.js` (part of `collectDefaultMetrics`, which the
 * operator calls for `process_cpu_seconds_total` and the other process families ESO's dashboards
 * read) requires `@opentelemetry/api` at load, 51 modules (2–7 MB of RSS in an idle operator:
 * docs/benchmarks.md, "Idle memory and start-up"), but reads it only inside `collect()` when
 * exemplars are enabled (`enableExemplars`, to label samples with the active trace and span), which
 * the operator never sets. This registers a module resolve hook that answers that one `require`,
 * from that one file, with a CommonJS stand-in whose exports object is a Proxy: the first property
 * read requires the real package (the file the `require` resolves to, so the module instance is the
 * one any other user gets) and forwards to it. Metrics without exemplars never load it; with
 * exemplars the real API is used, unchanged (test/unit/platform/lean-prom-client.test.ts).
 *
 * Must run before anything requires prom-client: `bin/projector.mjs` calls it with
 * registerLeanClientNode. Idempotent.
 */
import { registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';

const PROCESS_CPU_TOTAL = '/prom-client/lib/metrics/processCpuTotal.js';
/** The stand-in's URL prefix: a `data:` URL the load hook below answers as CommonJS source. */
const CJS_STAND_IN = 'data:text/javascript;projector-commonjs,';
let registered = false;

/** The CommonJS source standing in for the package at `realPath` (an absolute file path). */
export function lazyCommonJsStandIn(realPath: string): string {
  return [
    `'use strict';`,
    `let real;`,
    `const load = () => (real ??= require(${JSON.stringify(realPath)}));`,
    `module.exports = new Proxy({}, {`,
    `  get: (_, key) => Reflect.get(load(), key),`,
    `  has: (_, key) => Reflect.has(load(), key),`,
    `  ownKeys: () => Reflect.ownKeys(load()),`,
    // Reported configurable: a Proxy may not report a non-configurable property its empty target lacks.
    `  getOwnPropertyDescriptor: (_, key) => { const d = Reflect.getOwnPropertyDescriptor(load(), key); return d && { ...d, configurable: true }; },`,
    `});`,
    '',
  ].join('\n');
}

/** Registers the resolve and load hooks (once per process). */
export function registerLeanPromClient(): void {
  if (registered) return;
  registered = true;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (specifier === '@opentelemetry/api' && context.parentURL?.endsWith(PROCESS_CPU_TOTAL)) {
        const real = fileURLToPath(nextResolve(specifier, context).url);
        return { url: `${CJS_STAND_IN}${encodeURIComponent(lazyCommonJsStandIn(real))}`, format: 'commonjs', shortCircuit: true };
      }
      return nextResolve(specifier, context);
    },
    load(url, context, nextLoad) {
      if (url.startsWith(CJS_STAND_IN)) return { format: 'commonjs', source: decodeURIComponent(url.slice(CJS_STAND_IN.length)), shortCircuit: true };
      return nextLoad(url, context);
    },
  });
}
