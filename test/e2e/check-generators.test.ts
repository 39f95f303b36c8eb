// Runs the real CLI process against the local vault: dataFrom generatorRefs are judged by the
// operator's rules and reported `generated` (never a failure when valid, always one when not), and a
// ClusterExternalSecret's references are checked once, not once per namespace.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startVault, type StartedVault } from '../../src/vault/index.ts';
import { IMPLEMENTED_GENERATOR_KINDS } from '../../src/api/kinds.ts';
import { assertNowhere } from '../support/cluster.ts';
import { assertWellFormedXml, runProjector, type CliRun } from '../support/cli.ts';

const run = `${process.pid}-${Date.now().toString(36)}`;
const CANARIES = { clientSecret: `CANARY-client-secret-${run}`, db: `CANARY-db-${run}`, fake: `CANARY-fake-${run}` };
const CLIENT_ID = 'ci-check-gen';
const outputs: Record<string, string> = {};

// A SecretStore reads its credentials in its own namespace; a ClusterSecretStore names one.
const creds = (ns: string) => `      authType: ServicePrincipal
      tenantId:
        valueFrom: { secretKeyRef: { name: akv-sp, ${ns}key: tenant-id } }
      clientId:
        valueFrom: { secretKeyRef: { name: akv-sp, ${ns}key: client-id } }
      clientSecret:
        valueFrom: { secretKeyRef: { name: akv-sp, ${ns}key: client-secret } }`;

const STORES = `apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata: { name: akv }
spec:
  provider:
    azurekv:
      vaultUrl: "https://kv-main.vault.azure.net/"
${creds('namespace: external-secrets, ')}
${['team-a', 'team-b']
  .map(
    (ns) => `---
apiVersion: external-secrets.io/v1
kind: SecretStore
metadata: { name: team-store, namespace: ${ns} }
spec:
  provider:
    azurekv:
      vaultUrl: "https://kv-main.vault.azure.net/"
${creds('')}`,
  )
  .join('\n')}
`;

const GENERATORS = `apiVersion: generators.external-secrets.io/v1alpha1
kind: Password
metadata: { name: db-password, namespace: app }
spec: { length: 20, digits: 4, symbols: 2 }
---
apiVersion: generators.external-secrets.io/v1alpha1
kind: ClusterGenerator
metadata: { name: shared-fake }
spec:
  kind: Fake
  generator:
    fakeSpec:
      data: { token: "${CANARIES.fake}" }
`;

const VALID = `apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: { name: db, namespace: app }
spec:
  secretStoreRef: { kind: ClusterSecretStore, name: akv }
  data:
    - secretKey: DB_USER
      remoteRef: { key: app-db, property: user }
  dataFrom:
    - sourceRef:
        generatorRef: { apiVersion: generators.external-secrets.io/v1alpha1, kind: Password, name: db-password }
---
apiVersion: external-secrets.io/v1
kind: ClusterExternalSecret
metadata: { name: shared }
spec:
  namespaces: [team-a, team-b]
  externalSecretName: shared-secret
  externalSecretSpec:
    secretStoreRef: { kind: ClusterSecretStore, name: akv }
    data:
      - secretKey: DB_USER
        remoteRef: { key: app-db, property: user }
      - secretKey: TEAM
        remoteRef: { key: app-db, property: user }
        sourceRef: { storeRef: { kind: SecretStore, name: team-store } }
    dataFrom:
      - sourceRef:
          generatorRef: { apiVersion: generators.external-secrets.io/v1alpha1, kind: ClusterGenerator, name: shared-fake }
`;

const INVALID = `apiVersion: generators.external-secrets.io/v1alpha1
kind: Password
metadata: { name: too-short, namespace: app }
spec: { length: 8, digits: 5, symbols: 5 }
---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: { name: bad, namespace: app }
spec:
  secretStoreRef: { kind: ClusterSecretStore, name: akv }
  dataFrom:
    - sourceRef:
        generatorRef: { apiVersion: generators.external-secrets.io/v1alpha1, kind: Password, name: too-short }
    - sourceRef:
        generatorRef: { apiVersion: generators.external-secrets.io/v1alpha1, kind: Password, name: not-in-repo }
    - sourceRef:
        generatorRef: { apiVersion: generators.external-secrets.io/v1alpha1, kind: VaultDynamicSecret, name: x }
`;

interface Row {
  externalSecret: string;
  secretKey?: string;
  field: string;
  result: string;
  detail?: string;
  store?: string;
  clusterExternalSecret?: string;
}

describe('projector check (CLI process): generators and ClusterExternalSecrets', { timeout: 300_000 }, () => {
  let dir: string;
  let vault: StartedVault;
  let env: Record<string, string>;
  let overrides: string[];
  let valid: string;
  let invalid: string;

  const projector = (args: string[]): Promise<CliRun> => runProjector(args, { env, unset: ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET'], outputs });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'projector-check-gen-e2e-'));
    vault = await startVault({ dataDir: join(dir, 'vault'), principals: [{ clientId: CLIENT_ID, clientSecret: CANARIES.clientSecret, allowRead: ['app-*'] }] });
    await vault.admin.setSecret('app-db', JSON.stringify({ user: 'app', password: CANARIES.db }));
    valid = join(dir, 'valid');
    invalid = join(dir, 'invalid');
    for (const d of [valid, invalid]) mkdirSync(d, { recursive: true });
    writeFileSync(join(valid, 'stores.yaml'), STORES);
    writeFileSync(join(valid, 'generators.yaml'), GENERATORS);
    writeFileSync(join(valid, 'secrets.yaml'), VALID);
    writeFileSync(join(invalid, 'stores.yaml'), STORES);
    writeFileSync(join(invalid, 'secrets.yaml'), INVALID);
    env = { AZURE_TENANT_ID: vault.tenantId, AZURE_CLIENT_ID: CLIENT_ID, AZURE_CLIENT_SECRET: CANARIES.clientSecret };
    overrides = ['--vault-url', vault.url, '--authority-host', vault.authorityHost, '--ca-file', vault.caFile];
  });

  after(async () => {
    await vault?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('passes valid generatorRefs as generated and checks a ClusterExternalSecret once (per namespace only for a SecretStore)', async () => {
    const before = vault.stats().byName['app-db'] ?? 0;
    const r = await projector(['check', valid, ...overrides, '-o', 'json', '--no-progress']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const body = JSON.parse(r.stdout);
    assert.equal(body.ok, true);
    const rows = (body.results as Row[]).map((x) => [x.externalSecret, x.secretKey ?? x.field, x.result, x.store ?? '-', x.detail ?? ''].join(' | ')).sort();
    assert.deepEqual(rows, [
      'ClusterExternalSecret/shared | DB_USER | ok | ClusterSecretStore/akv | ',
      'ClusterExternalSecret/shared | spec.dataFrom[0].sourceRef.generatorRef | generated | ClusterSecretStore/akv | not read from the vault: generated by ClusterGenerator/shared-fake (Fake)',
      'app/db | DB_USER | ok | ClusterSecretStore/akv | ',
      'app/db | spec.dataFrom[0].sourceRef.generatorRef | generated | ClusterSecretStore/akv | not read from the vault: generated by Password/db-password',
      'team-a/shared-secret | TEAM | ok | SecretStore/team-a/team-store | ',
      'team-b/shared-secret | TEAM | ok | SecretStore/team-b/team-store | ',
    ]);
    assert.equal(body.summary.generated, 2);
    for (const x of body.results as Row[]) if (x.externalSecret !== 'app/db') assert.equal(x.clusterExternalSecret, 'shared');
    // One read for the ClusterSecretStore (shared by the ExternalSecret and the ClusterExternalSecret), one per team store.
    assert.equal(body.summary.reads, 3);
    assert.equal((vault.stats().byName['app-db'] ?? 0) - before, 3);
  });

  it('text and JUnit: generated shown and passing, skipped in JUnit', async () => {
    const text = await projector(['check', valid, ...overrides, '--no-progress']);
    assert.match(text.stdout, /^app\/db\s+\(dataFrom\)\s+\(generator\)\s+generated\s+not read from the vault: generated by Password\/db-password$/m);
    const junit = await projector(['check', valid, ...overrides, '-o', 'junit', '--no-progress']);
    assertWellFormedXml(junit.stdout);
    assert.match(junit.stdout, /<skipped message="generated: not read from the vault: generated by Password\/db-password"\/>/);
    assert.match(junit.stdout, /<testsuite name="ClusterExternalSecret\/shared" tests="2" failures="0" errors="0" skipped="1">/);
  });

  it('fails an invalid generatorRef or generator spec by the same rules as validate and the operator', async () => {
    const r = await projector(['check', invalid, ...overrides, '-o', 'json', '--no-progress']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const results = (JSON.parse(r.stdout).results as Row[]).map((x) => [x.field, x.result, x.detail]);
    assert.deepEqual(results, [
      ['spec.dataFrom[0].sourceRef.generatorRef', 'error', 'InvalidSpec: Password too-short spec.length: digits (5) and symbols (5) must be less than total length (8)'],
      ['spec.dataFrom[1].sourceRef.generatorRef', 'error', 'GeneratorNotFound: Password not-in-repo in namespace "app" is not defined in the scanned paths'],
      ['spec.dataFrom[2].sourceRef.generatorRef', 'error', `NotSupported: spec.dataFrom[2].sourceRef.generatorRef.kind: generator kind VaultDynamicSecret is not supported by Projector (it runs ${IMPLEMENTED_GENERATOR_KINDS.join(', ')})`],
    ]);
    // validate reports the same spec rule for the generator document.
    const v = await projector(['validate', invalid, '-o', 'json']);
    assert.match(v.stdout, /digits \(5\) and symbols \(5\) must be less than total length \(8\)/);
  });

  it('never prints a value or the client secret', () => {
    assert.ok(Object.keys(outputs).length >= 5);
    assertNowhere(Object.values(CANARIES), outputs);
  });
});
