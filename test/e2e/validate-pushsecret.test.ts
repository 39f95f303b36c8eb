// `projector validate` on PushSecret manifests, through the real CLI process: the reconciler's
// rules (core/push-secret.ts validatePushSecret) reported at file and line, values never printed.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProjector } from '../support/cli.ts';

const STORE = `apiVersion: external-secrets.io/v1
kind: SecretStore
metadata: {name: kv, namespace: app}
spec:
  provider:
    azurekv: {vaultUrl: "https://example.vault.azure.net", tenantId: 00000000-0000-0000-0000-000000000000, authType: ManagedIdentity}
`;

const CANARY = 'CANARY-push-source-7f3a';

function pushSecret(name: string, data: string): string {
  return `apiVersion: external-secrets.io/v1alpha1
kind: PushSecret
metadata: {name: ${name}, namespace: app}
spec:
  secretStoreRefs: [{name: kv, kind: SecretStore}]
  selector: {secret: {name: src}}
  data:
${data}
`;
}

describe('projector validate: PushSecret (CLI process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'projector-validate-push-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('passes a good PushSecret, warns of property, and fails two items that differ only by property (exit 1)', async () => {
    writeFileSync(join(dir, 'store.yaml'), STORE);
    writeFileSync(join(dir, 'good.yaml'), pushSecret('good', '    - match: {secretKey: password, remoteRef: {remoteKey: app-password}}\n    - match: {secretKey: tls, remoteRef: {remoteKey: cert/app-tls}}'));
    const ok = await runProjector(['validate', dir]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);

    writeFileSync(join(dir, 'property.yaml'), pushSecret('prop', '    - match: {secretKey: password, remoteRef: {remoteKey: app, property: password}}'));
    const warned = await runProjector(['validate', dir]);
    assert.equal(warned.code, 0, warned.stdout + warned.stderr);
    assert.match(warned.stdout, /property\.yaml:8:\d+: warning PropertyIgnored: property has no effect with azurekv/);

    writeFileSync(join(dir, 'dup.yaml'), pushSecret('dup', '    - match: {secretKey: a, remoteRef: {remoteKey: app, property: user}}\n    - match: {secretKey: b, remoteRef: {remoteKey: app, property: pass}}'));
    // A committed source Secret: its key names may be printed, never its values.
    writeFileSync(join(dir, 'secret.yaml'), `apiVersion: v1\nkind: Secret\nmetadata: {name: src, namespace: app}\nstringData: {password: ${CANARY}}\n`);
    const failed = await runProjector(['validate', dir]);
    assert.equal(failed.code, 1, failed.stdout + failed.stderr);
    assert.match(failed.stdout, /dup\.yaml:9:\d+: error InvalidSpec: remote key "app" is also written by spec\.data\[0\]; they differ only by property/);
    assert.ok(!failed.stdout.includes(CANARY) && !failed.stderr.includes(CANARY), 'no value printed');
  });
  it('passes dataTo, label-selected stores and ReverseUnicode; reports a bad dataTo regexp, a storeRef not listed and a bad bundle name with the operator\'s rules (exit 1)', async () => {
    const sub = mkdtempSync(join(dir, 'datato-'));
    writeFileSync(join(sub, 'store.yaml'), STORE);
    const spec = (dataTo: string, refs = '[{name: kv, kind: SecretStore}]') => `apiVersion: external-secrets.io/v1alpha1
kind: PushSecret
metadata: {name: bulk, namespace: app}
spec:
  secretStoreRefs: ${refs}
  selector: {secret: {name: src}}
  data:
    - match: {secretKey: db/host, remoteRef: {remoteKey: db-host}}
      conversionStrategy: ReverseUnicode
  dataTo:
${dataTo}
`;
    writeFileSync(join(sub, 'good.yaml'), spec('    - storeRef: {name: kv}\n      match: {regexp: "^db-"}\n      rewrite: [{regexp: {source: "^db-", target: "app-"}}]\n    - storeRef: {name: kv}\n      remoteKey: app-bundle', '[{name: kv, kind: SecretStore}, {kind: ClusterSecretStore, labelSelector: {matchLabels: {env: prod}}}]'));
    const ok = await runProjector(['validate', sub]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.doesNotMatch(ok.stdout, /NotSupported/);

    writeFileSync(join(sub, 'good.yaml'), spec('    - storeRef: {name: kv}\n      match: {regexp: "(?=db)"}\n    - storeRef: {name: elsewhere}\n    - storeRef: {name: kv}\n      remoteKey: app_bundle'));
    const bad = await runProjector(['validate', sub]);
    assert.equal(bad.code, 1, bad.stdout + bad.stderr);
    assert.match(bad.stdout, /good\.yaml:\d+:\d+: error InvalidRegexp: not a valid Go \(RE2\) regular expression/);
    assert.match(bad.stdout, /error InvalidSpec: storeRef "elsewhere" \(SecretStore\) not found in secretStoreRefs/);
    // The bundle's name is judged by the store's provider, as the operator's azurekv client would.
    assert.match(bad.stdout, /good\.yaml:\d+:\d+: error InvalidRemoteKey: "app_bundle" cannot be a Key Vault secret name/);
  });
});
