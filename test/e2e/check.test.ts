// Runs the real CLI process against the local vault: the HOWTO's manifests checked with the vault
// overrides, and a repository with every kind of broken reference. Values never reach any output.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startVault, type StartedVault } from '../../src/vault/index.ts';
import { assertNowhere } from '../support/cluster.ts';
import { runProjector, assertWellFormedXml } from '../support/cli.ts';

const SEED = 'test/fixtures/seed';
const run = `${process.pid}-${Date.now().toString(36)}`;
const CANARIES = {
  clientSecret: `CANARY-client-secret-${run}`,
  netbox: `CANARY-netbox-${run}`,
  appDb: `CANARY-app-db-${run}`,
  disabled: `CANARY-disabled-${run}`,
  expired: `CANARY-expired-${run}`,
  forbidden: `CANARY-forbidden-${run}`,
  listed: `CANARY-listed-${run}`,
};
const CLIENT_ID = 'ci-check';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const outputs: Record<string, string> = {};

function projector(args: string[], env: Record<string, string | undefined>): Promise<Run> {
  return runProjector(args, { env, unset: ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET'], outputs });
}


// A repository whose references hit every outcome, written at run time like a checkout.
const BROKEN_STORE = `apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata:
  name: akv-main
spec:
  provider:
    azurekv:
      vaultUrl: "https://kv-main.vault.azure.net/"
      authType: ServicePrincipal
      tenantId:
        valueFrom: { secretKeyRef: { name: akv-sp, namespace: external-secrets, key: tenant-id } }
      clientId:
        valueFrom: { secretKeyRef: { name: akv-sp, namespace: external-secrets, key: client-id } }
      clientSecret:
        valueFrom: { secretKeyRef: { name: akv-sp, namespace: external-secrets, key: client-secret } }
`;

const BROKEN_ES = `apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: app-config
  namespace: app
spec:
  refreshInterval: 1h
  secretStoreRef: { kind: ClusterSecretStore, name: akv-main }
  target: { name: app-config }
  data:
    - secretKey: DB_USER
      remoteRef: { key: app-db, property: user }
    - secretKey: DB_PORT
      remoteRef: { key: app-db, property: port }
    - secretKey: API_KEY
      remoteRef: { key: app-api-key }
    - secretKey: OLD_TOKEN
      remoteRef: { key: app-disabled }
    - secretKey: CERT
      remoteRef: { key: app-expired }
    - secretKey: BILLING
      remoteRef: { key: billing-db }
  dataFrom:
    - find: { name: { regexp: "^app-listed-" } }
---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: app-worker
  namespace: app
spec:
  secretStoreRef: { kind: ClusterSecretStore, name: akv-main }
  data:
    - secretKey: DB_USER
      remoteRef: { key: app-db, property: user }
`;


describe('projector check (CLI process) against the local vault', { timeout: 600_000 }, () => {
  let dir: string;
  let repo: string;
  let vault: StartedVault;
  let env: Record<string, string>;
  let overrides: string[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'projector-check-e2e-'));
    vault = await startVault({
      dataDir: join(dir, 'vault'),
      // The CI principal may read the app's and netbox's secrets, not billing's.
      principals: [{ clientId: CLIENT_ID, clientSecret: CANARIES.clientSecret, allowRead: ['netbox-*', 'app-*'] }],
    });
    await vault.admin.setSecret('netbox-db-password', CANARIES.netbox);
    await vault.admin.setSecret('app-db', JSON.stringify({ user: 'app', password: CANARIES.appDb }));
    await vault.admin.setSecret('app-disabled', CANARIES.disabled, { enabled: false });
    await vault.admin.setSecret('app-expired', CANARIES.expired, { expiresOn: new Date(Date.now() - 3_600_000) });
    await vault.admin.setSecret('billing-db', CANARIES.forbidden);
    await vault.admin.setSecret('app-listed-1', CANARIES.listed);
    await vault.admin.setSecret('app-listed-2', CANARIES.listed);
    repo = join(dir, 'repo');
    mkdirSync(join(repo, 'deploy/app/secrets'), { recursive: true });
    mkdirSync(join(repo, 'infra/secrets'), { recursive: true });
    writeFileSync(join(repo, 'infra/secrets/clustersecretstore-akv-main.yaml'), BROKEN_STORE);
    writeFileSync(join(repo, 'deploy/app/secrets/externalsecret-app.yaml'), BROKEN_ES);
    env = { AZURE_TENANT_ID: vault.tenantId, AZURE_CLIENT_ID: CLIENT_ID, AZURE_CLIENT_SECRET: CANARIES.clientSecret };
    overrides = ['--vault-url', vault.url, '--authority-host', vault.authorityHost, '--ca-file', vault.caFile];
  });

  after(async () => {
    await vault?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('passes the HOWTO manifests against the vault with the overrides: exit 0, a table of ok', async () => {
    const r = await projector(['check', SEED, ...overrides], env);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[1]!, /^netbox\/netbox-db-password\s+DB_PASSWORD\s+netbox-db-password\s+ok$/);
    assert.equal(lines.at(-1), 'projector check: 1 ok (1 reference in 1 ExternalSecret, 1 vault read)');
    assert.match(r.stderr, /^check: 1\/1 netbox\/netbox-db-password DB_PASSWORD: ok$/m);
  });

  it('reports missing, no-such-property, disabled, expired and forbidden references and exits 1', async () => {
    const before = vault.stats().byName['app-db'] ?? 0;
    const r = await projector(['check', repo, ...overrides, '--output', 'json'], env);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const body = JSON.parse(r.stdout);
    const results = Object.fromEntries(body.results.map((x: { externalSecret: string; secretKey?: string; field: string; result: string }) => [`${x.externalSecret} ${x.secretKey ?? x.field}`, x.result]));
    assert.deepEqual(results, {
      'app/app-config DB_USER': 'ok',
      'app/app-config DB_PORT': 'no-such-property',
      'app/app-config API_KEY': 'missing',
      'app/app-config OLD_TOKEN': 'disabled',
      'app/app-config CERT': 'expired',
      'app/app-config BILLING': 'forbidden',
      'app/app-config spec.dataFrom[0].find': 'ok',
      'app/app-worker DB_USER': 'ok',
    });
    assert.equal(body.results.find((x: { field: string }) => x.field.endsWith('find')).matched, 2);
    assert.equal(body.ok, false);
    // app-worker's DB_USER is the same read as app-config's: app-db is read once per property.
    assert.equal(body.summary.reads, 7);
    assert.equal((vault.stats().byName['app-db'] ?? 0) - before, 2);
  });

  it('writes well-formed JUnit with a failure per broken reference', async () => {
    const r = await projector(['check', repo, ...overrides, '-o', 'junit', '--no-progress'], env);
    assert.equal(r.code, 1);
    assertWellFormedXml(r.stdout);
    assert.match(r.stdout, /<testsuites name="projector check" tests="8" failures="5" errors="0">/);
    assert.equal(r.stderr, '');
  });

  it('checks one store against the vault with --store while others keep their URL', async () => {
    const r = await projector(['check', repo, '--store', `ClusterSecretStore/akv-main=${vault.url}`, '--authority-host', vault.authorityHost, '--ca-file', vault.caFile, '-o', 'json'], env);
    assert.equal(r.code, 1);
    assert.equal(JSON.parse(r.stdout).summary.ok, 3);
  });

  it('exits 2 naming the variable when a credential is missing from the environment', async () => {
    const r = await projector(['check', repo, ...overrides], { AZURE_TENANT_ID: vault.tenantId, AZURE_CLIENT_ID: CLIENT_ID });
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /ClusterSecretStore akv-main needs AZURE_CLIENT_SECRET/);
  });

  it('reports a wrong client secret as forbidden', async () => {
    const r = await projector(['check', SEED, ...overrides, '-o', 'json'], { ...env, AZURE_CLIENT_SECRET: `${CANARIES.clientSecret}-wrong` });
    assert.equal(r.code, 1);
    assert.equal(JSON.parse(r.stdout).results[0].result, 'forbidden');
  });

  it('exits 2 when the vault is unreachable', async () => {
    vault.faults.dropConnections(true);
    try {
      const r = await projector(['check', SEED, ...overrides, '-o', 'json'], env);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.equal(JSON.parse(r.stdout).results[0].result, 'unreachable');
    } finally {
      vault.faults.dropConnections(false);
    }
  });

  it('exits 2 on a bad flag', async () => {
    assert.equal((await projector(['check', SEED, '--vault-url', 'http://insecure'], env)).code, 2);
    assert.equal((await projector(['check', SEED, '--ca-file', join(dir, 'nope.pem')], env)).code, 2);
    assert.equal((await projector(['check', SEED, '--output', 'yaml'], env)).code, 2);
  });

  it('never prints a value or the client secret', () => {
    assert.ok(Object.keys(outputs).length >= 8);
    assertNowhere(Object.values(CANARIES), outputs);
  });
});
