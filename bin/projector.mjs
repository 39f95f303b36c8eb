#!/usr/bin/env node
// Thin launcher: Projector is TypeScript run by Node 24's type stripping.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(`projector needs Node.js 24 or newer (this is ${process.version}); use "npm run projector --" or node_modules/.bin/node\n`);
  process.exit(2);
}
const { runCli } = await import('../src/cli/main.ts');
await runCli(process.argv);
