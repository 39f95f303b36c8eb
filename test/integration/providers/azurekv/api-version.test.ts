// The store's Key Vault api-version against a server that serves only old ones (the local vault
// narrowed to 2016-10-01 and 7.0, as Azure Stack Hub): more than one page of secrets (AKV pages
// hold at most 25), and dataFrom.find taking exactly what ESO takes (disabled skipped; expired and
// not-yet-valid read, as Key Vault serves them).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startVault, type StartedVault } from '../../../../src/vault/index.ts';
import { ANNOTATION_API_VERSION, createAzureKeyVaultProvider } from '../../../../src/providers/azurekv/index.ts';
import { ProjectorError } from '../../../../src/core/errors.ts';
import type { GenericStore } from '../../../../src/api/index.ts';
import { FakeHost, TokenIssuer, captureLog, clusterStore, secretRef, text } from './harness.ts';

describe('azurekv provider: per-store api-version against an older Key Vault-compatible server', () => {
  let dir: string;
  let vault: StartedVault;
  let host: FakeHost;
  const provider = createAzureKeyVaultProvider();
  const capture = captureLog();
  const signal = () => AbortSignal.timeout(20_000);

  function store(apiVersion?: string): GenericStore {
    const s = clusterStore({
      vaultUrl: vault.url,
      tenantId: secretRef('akv', 'tenant-id', 'external-secrets'),
      clientId: secretRef('akv', 'client-id', 'external-secrets'),
      clientSecret: secretRef('akv', 'client-secret', 'external-secrets'),
      customCloudConfig: { activeDirectoryEndpoint: vault.authorityHost },
      caBundle: Buffer.from(vault.caPem).toString('base64'),
    });
    if (apiVersion !== undefined) s.metadata.annotations = { [ANNOTATION_API_VERSION]: apiVersion };
    return s;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'projector-akv-apiversion-'));
    vault = await startVault({ dataDir: dir, apiVersions: ['2016-10-01', '7.0'], principals: [{ clientId: 'old', clientSecret: 'old-secret' }] });
    host = new FakeHost({ namespace: 'apps', log: capture.log, issuer: new TokenIssuer() });
    host.setSecret('external-secrets', 'akv', { 'tenant-id': vault.tenantId, 'client-id': 'old', 'client-secret': 'old-secret' });
    for (let i = 0; i < 31; i++) await vault.admin.setSecret(`bulk-${String(i).padStart(2, '0')}`, `value-${i}`);
    await vault.admin.setSecret('bulk-disabled', 'off', { enabled: false });
    await vault.admin.setSecret('bulk-expired', 'old', { expiresOn: new Date(Date.now() - 60_000) });
    await vault.admin.setSecret('bulk-future', 'soon', { notBefore: new Date(Date.now() + 3_600_000) });
  });

  after(async () => {
    await vault?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("fails with the SDK's default api-version, which this server does not serve", async () => {
    const client = await provider.newClient(store(), host, signal());
    await assert.rejects(client.validate(signal()), (e: Error) => e instanceof ProjectorError && e.details.httpStatus === 400 && e.details.remoteCode === 'BadParameter');
    // The store's condition names the version sent and the annotation that changes it.
    await assert.rejects(client.getSecret({ key: 'bulk-01' }, signal()), (e: Error) => {
      assert.ok(e instanceof ProjectorError);
      assert.equal(e.code, 'InvalidSpec');
      assert.equal(
        e.message,
        `vault ${vault.url}/ does not serve Key Vault REST api-version 2026-04-01 (400 BadParameter): an older Key Vault-compatible server (Azure Stack Hub, an emulator) needs an older one; set the store annotation ${ANNOTATION_API_VERSION} to a version the server supports (e.g. "7.0")`,
      );
      return true;
    });
  });

  it('reads every page (34 secrets, pages of 25) with the annotation, and finds what ESO finds', async () => {
    const client = await provider.newClient(store('7.0'), host, signal());
    assert.equal(await client.validate(signal()), 'Ready');
    const found = await client.getAllSecrets({ name: { regexp: '^bulk-' } }, signal());
    const names = [...found.keys()];
    // ESO's isValidSecret skips disabled items only (providers/v1/azure/keyvault/keyvault.go);
    // Key Vault serves expired and not-yet-valid values ("About Azure Key Vault secrets").
    assert.equal(names.length, 33, names.join(','));
    assert.ok(!names.includes('bulk-disabled'));
    assert.ok(names.includes('bulk-expired') && names.includes('bulk-future'));
    assert.equal(text(found.get('bulk-30')!), 'value-30');
    assert.equal(text(found.get('bulk-future')!), 'soon');
  });

  it('reads with 2016-10-01 too, and validate reports an ill-formed annotation at its path', async () => {
    const client = await provider.newClient(store('2016-10-01'), host, signal());
    assert.equal(text(await client.getSecret({ key: 'bulk-07' }, signal())), 'value-7');
    const issues = provider.validateStore(store('latest'));
    assert.deepEqual(issues.map((i) => [i.path, i.code]), [[`metadata.annotations["${ANNOTATION_API_VERSION}"]`, 'InvalidValue']]);
    await assert.rejects(provider.newClient(store('latest'), host, signal()), (e: Error) => e instanceof ProjectorError && e.code === 'InvalidSpec' && e.message.includes(ANNOTATION_API_VERSION));
  });
});
