// The npm package ships compiled JavaScript (issue 14): `npm pack` builds dist/ first (package.json
// `prepack`), the package holds bin/ and dist/ (with its build stamp) and no TypeScript sources, and
// the packed `projector` runs from dist/, lean at start (test/support/operator-start-probe.ts).
// Works on a copy of the repository's package files, so the build does not touch this checkout's
// dist/. Uses the system npm; needs no registry.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { assertLeanStart, probeOperatorStart } from '../support/operator-start-probe.ts';

const root = new URL('../../', import.meta.url).pathname;
const node24 = join(root, 'node_modules/.bin/node');

function npm(args: string[], cwd: string) {
  // The system npm, not a test runner's environment: npm_* variables would change its config.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
  return spawnSync('npm', args, { cwd, encoding: 'utf8', timeout: 300_000, env });
}

describe('npm pack', { timeout: 600_000 }, () => {
  it('builds dist/ first and packs bin/ and the compiled JavaScript, which runs without the TypeScript sources', () => {
    const dir = mkdtempSync(join(tmpdir(), 'projector-npm-pack-'));
    try {
      for (const f of ['package.json', 'package-lock.json', 'README.md', 'bin', 'src', 'scripts/build-dist.ts', 'tsconfig.json', 'tsconfig.build.json']) cpSync(join(root, f), join(dir, f), { recursive: true });
      symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
      assert.ok(!existsSync(join(dir, 'dist')), 'no build before packing');

      const dry = npm(['pack', '--dry-run', '--json'], dir);
      assert.equal(dry.status, 0, dry.stderr);
      const [report] = JSON.parse(dry.stdout) as { files: { path: string }[] }[];
      const files = report!.files.map((f) => f.path);
      // prepack ran the build: dist/ exists with its stamp, and the package lists it.
      for (const f of ['bin/projector.mjs', 'dist/.build-stamp', 'dist/cli/main.js', 'dist/cli/commands/operator-run.js', 'dist/kube/lean-client-node.js', 'package.json']) {
        assert.ok(files.includes(f), `${f} in the package`);
      }
      assert.deepEqual(files.filter((f) => !/^(bin|dist)\/|^package\.json$|^README\.md$|^LICENSE$/.test(f)), [], 'nothing but bin/, dist/ and the package metadata');
      assert.deepEqual(files.filter((f) => f.endsWith('.ts')), [], 'no TypeScript sources');
      const sources = spawnSync('find', ['src', '-name', '*.ts', '!', '-name', '*.d.ts'], { cwd: dir, encoding: 'utf8' }).stdout.trim().split('\n');
      assert.equal(files.filter((f) => f.startsWith('dist/') && f.endsWith('.js')).length, sources.length, 'one .js per source file');

      // The packed package runs: unpacked without src/, bin/projector.mjs can only run dist/.
      const packed = npm(['pack', '--ignore-scripts', '--json'], dir);
      assert.equal(packed.status, 0, packed.stderr);
      const { filename } = (JSON.parse(packed.stdout) as { filename: string }[])[0]!;
      const unpacked = join(dir, 'unpacked');
      mkdirSync(unpacked);
      assert.equal(spawnSync('tar', ['-xzf', join(dir, filename), '-C', unpacked]).status, 0);
      const pkg = join(unpacked, 'package');
      symlinkSync(join(root, 'node_modules'), join(pkg, 'node_modules'));
      assert.ok(!existsSync(join(pkg, 'src')));
      const run = spawnSync(node24, [join(pkg, 'bin/projector.mjs'), '--version'], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stdout, `${(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version}\n`);
      const help = spawnSync(node24, [join(pkg, 'bin/projector.mjs'), 'operator', '--help'], { encoding: 'utf8' });
      assert.equal(help.status, 0, help.stderr);
      assert.match(help.stdout, /Usage: projector operator/);
      // The compiled operator starts lean and loads the template engine (a dynamic import, rewritten
      // to .js by the build) when its first template is rendered.
      const pkgUrl = pathToFileURL(`${pkg}/`);
      assertLeanStart(probeOperatorStart(node24, pkgUrl, 'dist'), pkgUrl, 'dist');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
