// The shared cases with the azurekv provider: the local vault over HTTPS behind the HOWTO's
// ClusterSecretStore (service principal), changed through the vault's admin interface.
import { HowtoEnv } from '../howto/howto-env.ts';
import type { VaultSide } from './case.ts';
import { registerCases } from './register-cases.ts';

const SP_CLIENT = 'cases-sp';

function azureVaultSide(env: HowtoEnv): VaultSide {
  return {
    provider: 'azurekv',
    async setSecret(key, value) {
      await env.vault.admin.setSecret(key, value);
    },
    async deleteSecret(key) {
      await env.vault.admin.deleteSecret(key);
    },
    failNext(status, count, key) {
      env.vault.faults.failNext(status, count, { path: new RegExp(`^/secrets/${key}(/|$)`) });
    },
  };
}

registerCases('azurekv', ['failNext'], async () => {
  const clientSecret = `canary-cases-client-secret-${process.pid}`;
  const env = await HowtoEnv.start({ principals: [{ clientId: SP_CLIENT, clientSecret }] });
  env.canaries.values.push(clientSecret);
  await env.applyCredentialsSecret(SP_CLIENT, clientSecret);
  const store = env.howtoStore();
  await env.k.apply([store]);
  return {
    k: env.k,
    vault: azureVaultSide(env),
    storeName: store.metadata.name,
    logs: () => ({ 'operator logs': env.op.logs(), 'vault logs': env.vaultLogs() }),
    stop: () => env.stop(),
  };
});
