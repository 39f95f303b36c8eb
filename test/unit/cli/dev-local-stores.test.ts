import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEV_CREDENTIALS, devCredentialSecrets, pointStoreAtLocalVault, remoteKeysNeeded } from '../../../src/cli/dev/local-stores.ts';
import { collectReferences } from '../../../src/cli/check/references.ts';
import type { GenericStore } from '../../../src/api/index.ts';
import { externalSecret, fakeStore } from '../../support/builders.ts';

const vault = { url: 'https://127.0.0.1:8443', authorityHost: 'https://127.0.0.1:8443', tenantId: 't-1', caPem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' };
const howtoStore: GenericStore = {
  apiVersion: 'external-secrets.io/v1',
  kind: 'ClusterSecretStore',
  metadata: { name: 'akv-hybridops' },
  spec: { provider: { azurekv: { vaultUrl: 'https://<YOUR_KEYVAULT_NAME>.vault.azure.net/', tenantId: { valueFrom: { secretKeyRef: { name: 'akv-sp-credentials', namespace: 'external-secrets', key: 'tenant-id' } } } } } },
};

describe('projector dev: local stores', () => {
  it('points an azurekv store at the local vault with a dev principal, keeping its name', () => {
    const local = pointStoreAtLocalVault(howtoStore, vault);
    const az = local.spec.provider.azurekv!;
    assert.equal(local.metadata.name, 'akv-hybridops');
    assert.equal(az.vaultUrl, vault.url);
    assert.equal(az.customCloudConfig?.activeDirectoryEndpoint, vault.authorityHost);
    assert.equal(Buffer.from(az.caBundle!, 'base64').toString(), vault.caPem);
    assert.equal(az.authSecretRef?.clientSecret?.name, DEV_CREDENTIALS.name);
    const creds = devCredentialSecrets([local], { clientId: 'dev', clientSecret: 's' });
    assert.deepEqual([...creds.keys()], [`${DEV_CREDENTIALS.namespace}/${DEV_CREDENTIALS.name}`]);
  });

  it('leaves fake stores alone', () => {
    const fake = fakeStore([{ key: 'k', value: 'v' }]);
    assert.equal(pointStoreAtLocalVault(fake, vault), fake);
  });

  it('lists the vault secrets to seed, with the JSON properties read from them', () => {
    const es = externalSecret({
      data: [
        { secretKey: 'A', remoteRef: { key: 'netbox-db-password' } },
        { secretKey: 'B', remoteRef: { key: 'secret/netbox-db', property: 'user' } },
        { secretKey: 'C', remoteRef: { key: 'netbox-db', property: 'password' } },
        { secretKey: 'D', remoteRef: { key: 'cert/netbox-tls' } },
        { secretKey: 'E', remoteRef: { key: 'DB_PASSWORD' } },
        { secretKey: 'F', remoteRef: { key: 'secret/DB_USER' } },
      ],
    });
    const needed = remoteKeysNeeded(collectReferences([es]));
    // Names Key Vault cannot hold are not seeded: the ExternalSecret fails with the provider's message instead.
    assert.deepEqual([...needed.keys()].sort(), ['netbox-db', 'netbox-db-password']);
    assert.deepEqual([...needed.get('netbox-db')!].sort(), ['password', 'user']);
  });
});
