#!/usr/bin/env node
// Thin launcher. Runs the compiled JavaScript in dist/ (`npm run build`; the container image always
// has it) when it is there and not older than src/, else the TypeScript sources in src/ through Node
// 24's type stripping (a fresh clone, or src/ edited since the last build). Both are the same code:
// dist/ is src/ with the types removed (tsconfig.build.json). Compiled JavaScript saves ~30 MB of
// RSS and ~0.5 s of CPU per start (docs/benchmarks.md, "Idle memory and start-up").
import { existsSync, readdirSync, statSync } from 'node:fs';

const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(`projector needs Node.js 24 or newer (this is ${process.version}); run it as "npx projector ..." (npm puts the Node 24 of node_modules/.bin first on PATH) or with node_modules/.bin/node\n`);
  process.exit(2);
}

const root = new URL('../', import.meta.url);
/** dist/ when its build stamp is at least as new as every file under src/ (or src/ is absent, as in the image). */
function useDist() {
  const stamp = new URL('dist/.build-stamp', root);
  if (!existsSync(stamp)) return false;
  const src = new URL('src/', root);
  if (!existsSync(src)) return true;
  const built = statSync(stamp).mtimeMs;
  for (const e of readdirSync(src, { recursive: true, withFileTypes: true })) {
    if (e.isFile() && statSync(`${e.parentPath}/${e.name}`).mtimeMs > built) return false;
  }
  return true;
}
const [dir, ext] = useDist() ? ['dist', 'js'] : ['src', 'ts'];
// Before anything imports @kubernetes/client-node: keep its generated API out of the process.
const { registerLeanClientNode } = await import(new URL(`${dir}/kube/lean-client-node.${ext}`, root).href);
registerLeanClientNode();
// Before anything requires prom-client: its @opentelemetry/api only when exemplars are used.
const { registerLeanPromClient } = await import(new URL(`${dir}/platform/lean-prom-client.${ext}`, root).href);
registerLeanPromClient();
// Before anything imports node:http or the Azure SDK: Node's bundled undici only when used.
const { registerLeanUndici } = await import(new URL(`${dir}/platform/lean-undici.${ext}`, root).href);
registerLeanUndici();
const { runCli } = await import(new URL(`${dir}/cli/main.${ext}`, root).href);
await runCli(process.argv);
