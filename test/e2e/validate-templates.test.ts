// `projector validate` parses every template as the operator does at sync, through the real CLI
// process: a template the operator would fail with InvalidSpec fails validate (exit 1), at the
// template's file and line, with the operator's condition text.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProjector } from '../support/cli.ts';

const STORE = `apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata: {name: akv}
spec:
  provider:
    fake: {data: []}
`;

function externalSecret(data: string): string {
  return `apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: {name: app, namespace: app}
spec:
  refreshInterval: 1h
  secretStoreRef: {kind: ClusterSecretStore, name: akv}
  data:
    - {secretKey: DB_PASSWORD, remoteRef: {key: netbox-db-password}}
  target:
    template:
      data:
${data}
`;
}

describe('projector validate: template parse errors (CLI process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'projector-validate-templates-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('passes valid templates and fails an unknown function and an unclosed action at their lines, with the operator\'s message (exit 1)', async () => {
    writeFileSync(join(dir, 'store.yaml'), STORE);
    writeFileSync(join(dir, 'good.yaml'), externalSecret('        DB_URL: "postgres://u:{{ .DB_PASSWORD | urlquery }}@db/netbox"'));
    const ok = await runProjector(['validate', dir]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);

    writeFileSync(join(dir, 'bad.yaml'), externalSecret('        x: "{{ .DB_PASSWORD | nosuchfunc }}"\n        DB_URL: "{{ .DB_PASSWORD"'));
    const failed = await runProjector(['validate', dir]);
    assert.equal(failed.code, 1, failed.stdout + failed.stderr);
    assert.match(failed.stdout, /bad\.yaml:12:\d+: error InvalidSpec: template: x:1:18: function "nosuchfunc" not defined/);
    // The operator's Ready condition for this very template.data entry (test/unit/controller/
    // externalsecret-reconciler.test.ts): 'InvalidSpec: template: DB_URL:1:15: unclosed action'.
    assert.match(failed.stdout, /bad\.yaml:13:\d+: error InvalidSpec: template: DB_URL:1:15: unclosed action/);
  });
});
