// prom-client without @opentelemetry/api until exemplars need it (src/platform/lean-prom-client.ts).
// Module hooks are per process: each case runs in a child process that registers the hook first,
// as bin/projector.mjs does.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const root = new URL('../../../', import.meta.url);

/** Runs `body` (ES module source) after registering the hook, with `require` from the repository and `otelLoaded()`. */
function child(body: string): string {
  const script = `
import { createRequire } from 'node:module';
const { registerLeanPromClient } = await import(${JSON.stringify(new URL('src/platform/lean-prom-client.ts', root).href)});
registerLeanPromClient();
registerLeanPromClient(); // idempotent
const require = createRequire(${JSON.stringify(new URL('package.json', root).href)});
const otelLoaded = () => Object.keys(require.cache).filter((k) => k.includes('/@opentelemetry/api/')).length;
const pc = require('prom-client');
${body}
`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: root });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

describe('registerLeanPromClient', () => {
  it('collectDefaultMetrics without exemplars serves the process families and never loads @opentelemetry/api', () => {
    const out = child(`
const reg = new pc.Registry();
pc.collectDefaultMetrics({ register: reg });
const text = await reg.metrics();
process.stdout.write(JSON.stringify({ otel: otelLoaded(), cpu: /^process_cpu_seconds_total \\d/m.test(text), user: /^process_cpu_user_seconds_total \\d/m.test(text) }));
`);
    assert.deepEqual(JSON.parse(out), { otel: 0, cpu: true, user: true });
  });

  it('with exemplars, the first collect loads the real @opentelemetry/api and uses its active context', () => {
    const out = child(`
const reg = new pc.Registry();
reg.setContentType(pc.Registry.OPENMETRICS_CONTENT_TYPE);
pc.collectDefaultMetrics({ register: reg, enableExemplars: true });
const before = otelLoaded();
const text = await reg.metrics();
const api = require('@opentelemetry/api');
process.stdout.write(JSON.stringify({ before, after: otelLoaded() > 0, cpu: /^process_cpu_seconds_total \\d/m.test(text), sameApi: typeof api.trace.getSpan === 'function' && 'context' in api }));
`);
    assert.deepEqual(JSON.parse(out), { before: 0, after: true, cpu: true, sameApi: true });
  });
});
