// What `projector operator` loads before it does anything (issue 14: idle RSS). A child process
// starts as bin/projector.mjs does (registerLeanClientNode, then the CLI), imports the operator's
// composition root and lists every module it loaded. Libraries that only some stores, kubeconfigs,
// templates or other commands use must not be among them: each costs RSS and start CPU in every
// operator (docs/benchmarks.md, "Idle memory and start-up"); they load on first use instead.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const src = new URL('../../../src/', import.meta.url).href;
const CHILD = `
import { registerHooks } from 'node:module';
const loaded = [];
registerHooks({ load(url, context, nextLoad) { loaded.push(url); return nextLoad(url, context); } });
const { registerLeanClientNode } = await import(${JSON.stringify(`${src}kube/lean-client-node.ts`)});
registerLeanClientNode();
await import(${JSON.stringify(`${src}cli/main.ts`)});
await import(${JSON.stringify(`${src}cli/commands/operator-run.ts`)});
process.stdout.write(JSON.stringify(loaded));
`;

/** Packages (node_modules/<name>/) the operator must not load at start, and who uses them instead. */
const NOT_AT_START: Record<string, string> = {
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
};

describe('projector operator at start', () => {
  it('loads none of the libraries only some stores, kubeconfigs, templates or commands use', () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', CHILD], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const loaded = JSON.parse(r.stdout) as string[];
    const packageOf = (url: string) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
    const packages = new Set(loaded.map(packageOf).filter((p) => p !== undefined));
    // The recorder works: what the operator does need is there.
    for (const needed of ['@kubernetes/client-node', 'prom-client', 'pino', 'commander']) assert.ok(packages.has(needed), `${needed} loaded`);
    assert.deepEqual(Object.keys(NOT_AT_START).filter((p) => packages.has(p)).map((p) => `${p} (for ${NOT_AT_START[p]})`), []);
    const clientNodeGen = loaded.filter((u) => /\/@kubernetes\/client-node\/dist\/gen\/(models|types)\/|\/gen\/apis\/(?!exception\.js)|\/gen\/index\.js$/.test(u));
    assert.deepEqual(clientNodeGen, []);
  });
});
