// The examples a platform engineer copies (examples/) pass `projector validate`, as a whole and each
// on its own with the HOWTO's store given as known (how they are copied into a repository that has
// it), and each is linked from README.md. An example validate refuses (any error) fails here.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProjector } from '../support/cli.ts';

const root = new URL('../../', import.meta.url).pathname;
const EXAMPLES = readdirSync(join(root, 'examples'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

interface Finding {
  file: string;
  line: number;
  severity: string;
  code: string;
  message: string;
}
interface Report {
  summary: { files: number; documents: number; errors: number; warnings: number };
  findings: Finding[];
}

async function validate(args: string[]): Promise<Report> {
  const r = await runProjector(['validate', ...args, '-o', 'json']);
  const report = JSON.parse(r.stdout) as Report;
  const errors = report.findings.filter((f) => f.severity === 'error').map((f) => `${f.file}:${f.line}: ${f.code}: ${f.message}`);
  assert.deepEqual(errors, [], 'no example is refused');
  assert.equal(r.code, 0, r.stderr);
  return report;
}

describe('examples/ (CLI process)', { timeout: 600_000 }, () => {
  it('has the examples README.md points at', () => {
    assert.deepEqual(EXAMPLES, ['cluster-external-secret', 'netbox', 'password-generator', 'pushsecret', 'template']);
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    for (const name of EXAMPLES) assert.ok(readme.includes(`(examples/${name}/`) || readme.includes(`\`examples/${name}/\``), `README.md links examples/${name}/`);
  });

  it('projector validate examples/ finds no error', async () => {
    const report = await validate(['examples']);
    // Every kind the examples show was read and judged (not skipped as NotAManifest).
    assert.ok(report.summary.documents >= 9, JSON.stringify(report.summary));
    assert.deepEqual(report.findings.filter((f) => f.code === 'NotAManifest'), []);
  });

  for (const name of EXAMPLES.filter((n) => n !== 'netbox')) {
    it(`projector validate examples/${name} --known-store ClusterSecretStore/akv-hybridops finds no error`, async () => {
      await validate([`examples/${name}`, '--known-store', 'ClusterSecretStore/akv-hybridops']);
    });
  }

  it('the template example renders offline with its ConfigMap (projector template)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'projector-examples-'));
    try {
      const data = join(dir, 'data.yaml');
      writeFileSync(data, `username: ${Buffer.from('billing').toString('base64')}\npassword: ${Buffer.from('p@ss/w:rd').toString('base64')}\n`);
      const base = 'examples/template/deploy/billing';
      const r = await runProjector(['template', '--source-templated-object', `${base}/secrets/externalsecret-billing-db.yaml`, '--source-secret-data-file', data, '--template-from-config-map', `${base}/configmap-billing-db-template.yaml`]);
      assert.equal(r.code, 0, r.stderr);
      const value = (key: string) => Buffer.from(new RegExp(`^  ${key.replace('.', '\\.')}: (\\S+)$`, 'm').exec(r.stdout)?.[1] ?? '', 'base64').toString();
      // Go's text/template urlquery escapes as url.QueryEscape: @ → %40, / → %2F, : → %3A.
      assert.equal(value('DATABASE_URL'), 'postgres://billing:p%40ss%2Fw%3Ard@billing-db.billing.svc:5432/billing?sslmode=require');
      assert.match(value('application.yaml'), /^ {2}username: billing\n {2}password: "p@ss\/w:rd"$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
