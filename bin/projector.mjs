#!/usr/bin/env node
// Thin launcher: Projector is TypeScript run by Node 24's type stripping.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(`projector needs Node.js 24 or newer (this is ${process.version}); run it as "npx projector ..." (npm puts the Node 24 of node_modules/.bin first on PATH) or with node_modules/.bin/node\n`);
  process.exit(2);
}
const { runCli } = await import('../src/cli/main.ts');
await runCli(process.argv);
