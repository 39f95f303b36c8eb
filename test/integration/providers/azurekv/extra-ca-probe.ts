// Run in a child process with NODE_EXTRA_CA_CERTS set (Node reads it only at start-up): a store with
// no caBundle must still trust the local vault. Prints "Ready <length of one value>", never a value.
import { createAzureKeyVaultProvider } from '../../../../src/providers/azurekv/index.ts';
import { Sensitive } from '../../../../src/core/sensitive.ts';
import { silentLogger } from '../../../../src/platform/logger.ts';
import { ProjectorError } from '../../../../src/core/errors.ts';
import { clusterStore } from './harness.ts';

const env = (k: string) => process.env[k] ?? '';
const values: Record<string, string> = { tenant: env('PROBE_TENANT'), id: env('PROBE_CLIENT_ID'), secret: env('PROBE_CLIENT_SECRET') };
const store = clusterStore({
  vaultUrl: env('PROBE_VAULT_URL'),
  tenantId: env('PROBE_TENANT'),
  authSecretRef: { clientId: { name: 'sp', key: 'id' }, clientSecret: { name: 'sp', key: 'secret' } },
  customCloudConfig: { activeDirectoryEndpoint: env('PROBE_VAULT_URL') },
});
const host = {
  namespace: 'apps',
  log: silentLogger(),
  readSecretKey: async (ref: { key?: string }) => new Sensitive(values[ref.key ?? ''] ?? ''),
  serviceAccountToken: async () => {
    throw new ProjectorError('NotSupported', 'no service accounts here');
  },
};
const signal = AbortSignal.timeout(20_000);
const client = await createAzureKeyVaultProvider().newClient(store, host, signal);
const status = await client.validate(signal);
const value = await client.getSecret({ key: 'netbox-tagged' }, signal);
process.stdout.write(`${status} ${value.reveal().length}\n`);
