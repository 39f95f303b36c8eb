// `projector validate` through the real CLI process: references inside a ClusterExternalSecret's and
// a ClusterPushSecret's embedded specs are judged as an ExternalSecret's / PushSecret's, a generatorRef
// to a generator outside the scanned paths is GeneratorNotFound (silenced by --known-generator), and
// an impossible Password spec is InvalidSpec, the code the operator, dev and check give it.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProjector } from '../support/cli.ts';

const AKV = `apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata: {name: akv}
spec:
  provider:
    azurekv: {vaultUrl: "https://example.vault.azure.net", tenantId: 00000000-0000-0000-0000-000000000000, authType: ManagedIdentity}
`;

describe('projector validate: Cluster kinds and generators (CLI process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'projector-validate-cluster-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reports StoreNotFound and InvalidRemoteKey inside spec.externalSecretSpec and spec.pushSecretSpec', async () => {
    const sub = join(dir, 'cluster');
    mkdirSync(sub);
    writeFileSync(join(sub, 'store.yaml'), AKV);
    writeFileSync(
      join(sub, 'ces.yaml'),
      `apiVersion: external-secrets.io/v1
kind: ClusterExternalSecret
metadata: {name: ces}
spec:
  namespaces: [app]
  externalSecretSpec:
    secretStoreRef: {kind: ClusterSecretStore, name: akv}
    data:
      - secretKey: A
        remoteRef: {key: bad_name}
      - secretKey: B
        remoteRef: {key: good}
        sourceRef: {storeRef: {kind: ClusterSecretStore, name: missing}}
`,
    );
    writeFileSync(
      join(sub, 'cps.yaml'),
      `apiVersion: external-secrets.io/v1alpha1
kind: ClusterPushSecret
metadata: {name: cps}
spec:
  namespaceSelectors: [{matchLabels: {team: x}}]
  pushSecretSpec:
    secretStoreRefs: [{kind: ClusterSecretStore, name: akv}, {kind: ClusterSecretStore, name: gone}]
    selector: {secret: {name: src}}
    data:
      - match: {secretKey: A, remoteRef: {remoteKey: bad_name}}
`,
    );
    const r = await runProjector(['validate', sub, '-o', 'json']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const findings = (JSON.parse(r.stdout) as { findings: { file: string; code: string; path?: string }[] }).findings
      .filter((f) => f.code !== 'Layout')
      .map((f) => [f.file.split('/').pop(), f.code, f.path])
      .sort();
    assert.deepEqual(findings, [
      ['ces.yaml', 'InvalidRemoteKey', 'spec.externalSecretSpec.data[0].remoteRef.key'],
      ['ces.yaml', 'StoreNotFound', 'spec.externalSecretSpec.data[1].sourceRef.storeRef.name'],
      ['cps.yaml', 'InvalidRemoteKey', 'spec.pushSecretSpec.data[0].match.remoteRef.remoteKey'],
      ['cps.yaml', 'StoreNotFound', 'spec.pushSecretSpec.secretStoreRefs[1].name'],
    ]);
  });

  it('reports GeneratorNotFound unless --known-generator names it, and an impossible Password spec as InvalidSpec', async () => {
    const sub = join(dir, 'gen');
    mkdirSync(sub);
    writeFileSync(join(sub, 'store.yaml'), AKV);
    writeFileSync(
      join(sub, 'es.yaml'),
      `apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: {name: es, namespace: app}
spec:
  secretStoreRef: {kind: ClusterSecretStore, name: akv}
  dataFrom:
    - sourceRef: {generatorRef: {apiVersion: generators.external-secrets.io/v1alpha1, kind: Password, name: db-password}}
`,
    );
    const missing = await runProjector(['validate', sub]);
    assert.equal(missing.code, 1, missing.stdout + missing.stderr);
    assert.match(missing.stdout, /es\.yaml:7:\d+: error GeneratorNotFound: Password "db-password" in namespace app is not defined in the scanned paths; add its manifest or pass --known-generator Password\/db-password/);
    const known = await runProjector(['validate', sub, '--known-generator', 'Password/app/db-password']);
    assert.equal(known.code, 0, known.stdout + known.stderr);
    const badFlag = await runProjector(['validate', sub, '--known-generator', 'Secret/x']);
    assert.equal(badFlag.code, 2, badFlag.stdout + badFlag.stderr);

    writeFileSync(join(sub, 'password.yaml'), 'apiVersion: generators.external-secrets.io/v1alpha1\nkind: Password\nmetadata: {name: db-password, namespace: app}\nspec: {length: 8, digits: 5, symbols: 5}\n');
    const invalid = await runProjector(['validate', sub]);
    assert.equal(invalid.code, 1, invalid.stdout + invalid.stderr);
    assert.doesNotMatch(invalid.stdout, /GeneratorNotFound|InvalidPassword/);
    assert.match(invalid.stdout, /password\.yaml:\d+:\d+: error InvalidSpec: digits \(5\) and symbols \(5\) must be less than total length \(8\)/);
  });
});
