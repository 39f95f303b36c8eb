// `npm run build`: compiles src/ to dist/ (tsconfig.build.json: the same files with the types
// removed and `./x.ts` imports rewritten to `./x.js`), so the operator starts without Node's type
// stripper (~30 MB of RSS and ~0.5 s of CPU per start: docs/benchmarks.md, "Idle memory and
// start-up"). bin/projector.mjs runs dist/ when dist/.build-stamp is newer than every file in src/.
// The container image runs this in its build (Dockerfile); tests and `node src/...` use src/.
// Usage: node scripts/build-dist.ts   (exit 1 on a type error; dist/ is then left without a stamp)
import { rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
// From scratch: a source deleted since the last build must not leave its .js behind.
rmSync(dist, { recursive: true, force: true });
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (r.status !== 0) {
  process.stderr.write(`build-dist: tsc exited with ${r.status ?? r.signal}; dist/ has no build stamp, so bin/projector.mjs keeps running src/\n`);
  process.exit(1);
}
// Written last: its time says "dist/ holds every source as of now".
writeFileSync(join(dist, '.build-stamp'), `${new Date().toISOString()}\n`);
