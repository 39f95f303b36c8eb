// A fresh `npm ci` of this repository, as a newcomer runs it, with the system npm (which may run on
// a Node older than 24): quiet (no EBADENGINE lines, no install-scripts notice), and the Node 24
// runtime still arrives when npm refuses unreviewed install scripts (--strict-allow-scripts, the
// mode npm may make the default): the `node` package's preinstall is approved in package.json's
// allowScripts. Then `npx projector` runs on that Node 24. Needs the package registry (or npm's cache).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;

function npm(args: string[], cwd: string) {
  // The system npm, not a test runner's environment: npm_* variables would change its config.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
  return spawnSync('npm', args, { cwd, encoding: 'utf8', timeout: 900_000, env });
}

describe('npm ci of a fresh copy', { timeout: 1_800_000 }, () => {
  it('is quiet and brings Node 24 with install scripts refused unless approved, and npx projector runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'projector-npm-ci-'));
    try {
      for (const f of ['package.json', 'package-lock.json', '.npmrc', 'bin', 'src']) cpSync(join(root, f), join(dir, f), { recursive: true });
      const install = npm(['ci', '--prefer-offline', '--strict-allow-scripts'], dir);
      assert.equal(install.status, 0, install.stderr);
      assert.equal(install.stderr, '', 'nothing the user must act on');
      assert.match(install.stdout.trim(), /^added \d+ packages in .+$/);
      assert.ok(existsSync(join(dir, 'node_modules/.bin/node')), 'the node package\'s preinstall ran');
      const version = spawnSync(join(dir, 'node_modules/.bin/node'), ['--version'], { encoding: 'utf8' });
      assert.match(version.stdout, /^v24\./);
      const npx = npm(['exec', '--', 'projector', '--version'], dir);
      assert.equal(npx.status, 0, npx.stderr);
      assert.equal(npx.stdout, `${(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version}\n`);
      // The control: without the approval the same strict install refuses the node package's script,
      // so the mode under test is really on.
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
      delete pkg.allowScripts;
      writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
      rmSync(join(dir, 'node_modules'), { recursive: true, force: true });
      const refused = npm(['ci', '--prefer-offline', '--strict-allow-scripts'], dir);
      assert.notEqual(refused.status, 0);
      assert.match(refused.stderr, /ESTRICTALLOWSCRIPTS[\s\S]*node@24\.\d+\.\d+ \((preinstall|install)\b/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
