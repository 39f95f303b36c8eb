// `projector dev --once` on a generic target (spec.target.manifest: a ConfigMap). dev judges it as an
// operator with the same flag would (ESO v2.9 cmd/controller/root.go --unsafe-allow-generic-targets,
// default false; pkg/controllers/externalsecret/externalsecret_controller_manifest.go
// validateGenericTarget): without the flag it fails with ESO's text and writes nothing; with it the
// ConfigMap is written to <work-dir>/out/<namespace>/ConfigMap/<name>.yaml as ESO's
// createSimpleManifest builds it. The seeded value is a canary: it appears in no output.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

const root = new URL('../../', import.meta.url).pathname;
const cli = join(root, 'src/cli/main.ts');
const CANARY = 'canary-generic-dev-7c1f';

function runDev(extra: string[]): { repo: string; status: number | null; stdout: string } {
  const repo = mkdtempSync(join(tmpdir(), 'projector-generic-'));
  cpSync(join(root, 'test/fixtures/generic-target'), repo, { recursive: true });
  const r = spawnSync(process.execPath, [cli, 'dev', '.', '--once', '--no-prompt', '--seed', 'seed.env', ...extra], { cwd: repo, encoding: 'utf8', timeout: 90_000 });
  return { repo, status: r.status, stdout: r.stdout + r.stderr };
}

describe('projector dev: generic targets', { timeout: 600_000 }, () => {
  it('fails a ConfigMap target without --unsafe-allow-generic-targets, as the operator does, and writes nothing', () => {
    const { repo, status, stdout } = runDev([]);
    assert.equal(status, 1, stdout);
    assert.match(stdout, /✗ demo\/app: GenericTargetsDisabled: invalid generic target: generic targets are disabled\. Enable with --unsafe-allow-generic-targets flag/);
    assert.equal(existsSync(join(repo, '.projector/out/demo/ConfigMap/app-config.yaml')), false);
    assert.ok(!stdout.includes(CANARY));
  });

  it('writes the ConfigMap with the flag: data as strings, the managed label, the data-hash', () => {
    const { repo, status, stdout } = runDev(['--unsafe-allow-generic-targets']);
    assert.equal(status, 0, stdout);
    const file = join(repo, '.projector/out/demo/ConfigMap/app-config.yaml');
    assert.match(stdout, /✓ demo\/app → .*ConfigMap\/app-config\.yaml \(ConfigMap\) data-hash: [0-9a-f]{12}/);
    const cm = parse(readFileSync(file, 'utf8')) as { apiVersion: string; kind: string; data: Record<string, string>; metadata: { labels: Record<string, string> } };
    assert.deepEqual([cm.apiVersion, cm.kind, cm.data], ['v1', 'ConfigMap', { DB_PASSWORD: CANARY }]);
    assert.equal(cm.metadata.labels['reconcile.external-secrets.io/managed'], 'true');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.ok(!stdout.includes(CANARY));
  });
});
