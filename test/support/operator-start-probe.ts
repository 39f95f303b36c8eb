// What `projector operator` loads before it does anything, and what its first template loads
// (issue 14: idle RSS; docs/benchmarks.md, "Idle memory and start-up"). A child process starts as
// bin/projector.mjs does (the module hooks, then the CLI) from `src/` (.ts) or a compiled `dist/`
// (.js), imports the operator's composition root and lists every module loaded; then renders a
// template through the operator's template engine loader and lists what that loaded.
// Used by test/unit/cli/operator-imports.test.ts (src/) and test/e2e/npm-pack.test.ts (the packed dist/).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

/** Packages (node_modules/<name>/) the operator must not load at start, and who uses them instead. */
export const NOT_AT_START: Record<string, string> = {
  typebox: 'CRD generation, validate, check (the operator imports kinds from api/kinds.ts, object keys from api/object-key.ts)',
  ajv: 'validate, check',
  undici: "client-node's typed API (kube/lean-client-node.ts)",
  '@azure/identity': 'an azurekv store (providers/azurekv, loaded when a store needs it)',
  '@azure/keyvault-secrets': 'an azurekv store',
  'socks-proxy-agent': 'a kubeconfig with a socks proxy-url',
  socks: 'a kubeconfig with a socks proxy-url',
  hpagent: 'a kubeconfig with an http(s) proxy-url',
  'openid-client': 'a kubeconfig with the oidc auth provider, when its token expires',
  'jsonpath-plus': "a kubeconfig with the azure/gcp auth provider's token command",
  'node-forge': 'a template reading a legacy (RC2) PKCS#12 file',
  re2js: 'the first regular expression (find, rewrite, a template function, a namespace condition)',
  yaml: "a template's fromYaml, and the template/check/evidence/validate/dev commands",
  '@opentelemetry/api': "prom-client's exemplars (platform/lean-prom-client.ts), which the operator does not use",
};

/**
 * Projector's own modules (paths under src/ or dist/, without the extension) the operator must not
 * load at start, and who loads them instead.
 */
export const OWN_NOT_AT_START: { pattern: RegExp; why: string }[] = [
  // go-time stays: durations (core/duration.ts) are Go's. go-literals too (220 lines, no imports
  // but core/go-string): a Webhook generator's jsonPath rules read Go string literals.
  { pattern: /^core\/template\/(?!go-time$|go-literals$)/, why: 'the template engine: the first ExternalSecret or PushSecret with templates (controller/template-engine.ts)' },
  { pattern: /^core\/(default-template-renderer|render-target-template)$/, why: 'the template engine' },
  { pattern: /^providers\/azurekv\/push-objects$/, why: 'the first key or certificate pushed to Key Vault' },
];

export interface StartProbe {
  /** Module URLs loaded by the operator's start. */
  start: string[];
  /** Module URLs loaded afterwards by the first template rendered through the operator's loader. */
  firstTemplate: string[];
  /** What that template rendered (the `url` key, as text). */
  rendered: string;
}

/** Runs the probe with `node` from `root` (a directory URL holding `dir`/ and node_modules/). */
export function probeOperatorStart(node: string, root: URL, dir: 'src' | 'dist'): StartProbe {
  const ext = dir === 'src' ? 'ts' : 'js';
  const mod = (p: string) => JSON.stringify(new URL(`${dir}/${p}.${ext}`, root).href);
  const script = `
import { registerHooks } from 'node:module';
const loaded = [];
registerHooks({ load(url, context, nextLoad) { loaded.push(url); return nextLoad(url, context); } });
const { registerLeanClientNode } = await import(${mod('kube/lean-client-node')});
registerLeanClientNode();
const { registerLeanPromClient } = await import(${mod('platform/lean-prom-client')});
registerLeanPromClient();
await import(${mod('cli/main')});
await import(${mod('cli/commands/operator-run')});
const start = loaded.splice(0);
const { lazyTemplateEngine } = await import(${mod('controller/template-engine')});
const engine = lazyTemplateEngine({ now: () => new Date('2026-11-23T10:00:00Z') });
const [r] = await Promise.all([engine(), engine()]);
const { Sensitive } = await import(${mod('core/sensitive')});
const es = { metadata: { name: 'e', namespace: 'n' }, spec: { target: { template: { data: { url: 'db://{{ .pw | b64enc }}' } } } } };
const out = r.renderTemplate(es, new Map([['pw', new Sensitive(new TextEncoder().encode('v1'))]]));
const rendered = new TextDecoder().decode(out.data.get('url').reveal());
process.stdout.write(JSON.stringify({ start, firstTemplate: loaded, rendered }));
`;
  const r = spawnSync(node, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: new URL('.', root).pathname });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as StartProbe;
}

/** The package a module URL belongs to (node_modules/<name>/), if any. */
export function packageOf(url: string): string | undefined {
  return /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
}

/** A URL of Projector's own `dir` as its path under `dir` without the extension (`core/template/index`), else undefined. */
export function ownModule(url: string, root: URL, dir: 'src' | 'dist'): string | undefined {
  const base = new URL(`${dir}/`, root).href;
  return url.startsWith(base) ? url.slice(base.length).replace(/\.(ts|js)$/, '') : undefined;
}

/**
 * Asserts the probe's findings: nothing of NOT_AT_START or OWN_NOT_AT_START at start (naming who
 * needs each), what the operator does need is there (the recorder works), client-node's generated
 * API absent; the first template loads the engine and renders.
 */
export function assertLeanStart(p: StartProbe, root: URL, dir: 'src' | 'dist'): void {
  const packages = new Set(p.start.map(packageOf).filter((x) => x !== undefined));
  for (const needed of ['@kubernetes/client-node', 'prom-client', 'pino', 'commander']) assert.ok(packages.has(needed), `${needed} loaded`);
  assert.deepEqual(Object.keys(NOT_AT_START).filter((x) => packages.has(x)).map((x) => `${x} (for ${NOT_AT_START[x]})`), []);
  const own = p.start.map((u) => ownModule(u, root, dir)).filter((x) => x !== undefined);
  assert.ok(own.includes('controller/manager') && own.includes('core/template/go-time'), 'own modules recorded');
  const early = own.flatMap((m) => OWN_NOT_AT_START.filter((o) => o.pattern.test(m)).map((o) => `${m} (for ${o.why})`));
  assert.deepEqual(early, []);
  const clientNodeGen = p.start.filter((u) => /\/@kubernetes\/client-node\/dist\/gen\/(models|types)\/|\/gen\/apis\/(?!exception\.js)|\/gen\/index\.js$/.test(u));
  assert.deepEqual(clientNodeGen, []);
  // The first template loads the engine (from the same tree: dist/ stays dist/) and renders.
  const later = p.firstTemplate.map((u) => ownModule(u, root, dir)).filter((x) => x !== undefined);
  for (const m of ['core/default-template-renderer', 'core/render-target-template', 'core/template/index', 'core/template/exec']) assert.ok(later.includes(m), `${m} loaded by the first template`);
  assert.equal(p.rendered, `db://${Buffer.from('v1').toString('base64')}`);
}
