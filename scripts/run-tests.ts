// Runs the test suites with node's own runner and an explicit file list (node --test on a folder
// may find no .ts files). An empty list is an error, so a suite can never pass by finding nothing.
// Usage: node scripts/run-tests.ts [unit|integration|e2e|fault ...] (default: all four)
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const suites = process.argv.slice(2).length ? process.argv.slice(2) : ['unit', 'integration', 'e2e', 'fault'];

function findTests(dir: string): string[] {
  let out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries.sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out = out.concat(findTests(p));
    else if (e.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}

const files: string[] = [];
for (const suite of suites) {
  const found = findTests(join(root, 'test', suite));
  if (found.length === 0) {
    console.error(`run-tests: no test files under test/${suite}`);
    process.exit(2);
  }
  files.push(...found);
}

if (suites.some((s) => s !== 'unit')) {
  // The integration and e2e suites run a real kube-apiserver + etcd built from Go modules.
  // The node tests (test/integration/node) also run a kubelet and kube-scheduler; the chart tests
  // (test/integration/deploy, node/howto-app) the Helm CLI.
  for (const [script, what] of [['hack/apiserver/build.sh', 'the control plane'], ['hack/node/build.sh', 'the test node'], ['hack/helm/build.sh', 'the Helm CLI']] as const) {
    const build = spawnSync('bash', [join(root, script)], { stdio: 'inherit' });
    if (build.status !== 0) {
      console.error(`run-tests: building ${what} failed (see above)`);
      process.exit(build.status ?? 2);
    }
  }
}

const concurrency = process.env.PROJECTOR_TEST_CONCURRENCY ?? '2';
const res = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(res.status ?? 1);
