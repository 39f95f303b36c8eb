// `projector validate` on stores whose provider ESO marks as not maintained, through the real CLI
// process: the warning ESO's admission webhook gives (apis/externalsecrets/v1/secretstore_validator.go
// validateStore, warnStoreUnmaintained = "store %s isn't currently maintained. Please plan and
// prepare accordingly."), from the same rule as Projector's webhook and store event
// (core/store-maintenance.ts).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProjector } from '../support/cli.ts';

const fakeStore = (kind: string, name: string, annotations = '') => `apiVersion: external-secrets.io/v1
kind: ${kind}
metadata:
  name: ${name}
${kind === 'SecretStore' ? '  namespace: app\n' : ''}${annotations}spec:
  provider:
    fake:
      data: []
`;

const AKV = `apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata: {name: kv}
spec:
  provider:
    azurekv: {vaultUrl: "https://example.vault.azure.net", tenantId: 00000000-0000-0000-0000-000000000000, authType: ManagedIdentity}
`;

describe('projector validate: stores of an unmaintained provider (CLI process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'projector-validate-maintenance-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("warns with ESO's webhook text for a fake SecretStore and ClusterSecretStore, annotated or not; --strict fails on it; azurekv gets none", async () => {
    const sub = mkdtempSync(join(dir, 'stores-'));
    writeFileSync(join(sub, 'akv.yaml'), AKV);
    const clean = await runProjector(['validate', '--strict', sub]);
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    assert.doesNotMatch(clean.stdout, /StoreUnmaintained/);

    writeFileSync(join(sub, 'fake-css.yaml'), fakeStore('ClusterSecretStore', 'demo'));
    // ESO's webhook warns whatever external-secrets.io/ignore-maintenance-checks says (only its
    // store controller's Warning event honours the annotation).
    writeFileSync(join(sub, 'fake-ss.yaml'), fakeStore('SecretStore', 'local', '  annotations:\n    external-secrets.io/ignore-maintenance-checks: "true"\n'));
    const warned = await runProjector(['validate', sub]);
    assert.equal(warned.code, 0, warned.stdout + warned.stderr);
    assert.match(warned.stdout, /fake-css\.yaml:1:1: warning StoreUnmaintained: store demo isn't currently maintained\. Please plan and prepare accordingly\.\n/);
    assert.match(warned.stdout, /fake-ss\.yaml:1:1: warning StoreUnmaintained: store local isn't currently maintained\. Please plan and prepare accordingly\.\n/);
    assert.match(warned.stdout, /0 errors, 2 warnings/);

    const strict = await runProjector(['validate', '--strict', sub]);
    assert.equal(strict.code, 1, strict.stdout + strict.stderr);

    const json = await runProjector(['validate', '-o', 'json', join(sub, 'fake-css.yaml')]);
    assert.equal(json.code, 0, json.stdout + json.stderr);
    const findings = (JSON.parse(json.stdout) as { findings: { code: string; severity: string; message: string; object: string }[] }).findings;
    assert.deepEqual(findings.map((f) => [f.severity, f.code, f.message, f.object]), [['warning', 'StoreUnmaintained', "store demo isn't currently maintained. Please plan and prepare accordingly.", 'ClusterSecretStore demo']]);
  });
});
