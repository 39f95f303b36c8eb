// The shared cases with ESO's fake provider: the "vault" is spec.provider.fake.data of a
// ClusterSecretStore, changed by re-applying the store.
import { startControlPlane } from '../../support/controlplane.ts';
import { Cluster } from '../../support/cluster.ts';
import { startOperator } from '../../support/operator.ts';
import type { VaultSide } from './case.ts';
import { registerCases } from './register-cases.ts';

const STORE = 'fake-cases';

function fakeVaultSide(k: Cluster): VaultSide {
  const data = new Map<string, string>();
  const applyStore = () =>
    k.apply([
      {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ClusterSecretStore',
        metadata: { name: STORE },
        spec: { provider: { fake: { data: [...data].map(([key, value]) => ({ key, value })) } } },
      } as never,
    ]);
  return {
    provider: 'fake',
    async setSecret(key, value) {
      data.set(key, value);
      await applyStore();
    },
    async deleteSecret(key) {
      data.delete(key);
      await applyStore();
    },
  };
}

registerCases('fake', [], async () => {
  const cp = await startControlPlane({ controllerManager: true });
  const k = new Cluster(cp.admin);
  await k.installCrds();
  const vault = fakeVaultSide(k);
  await vault.deleteSecret('none'); // creates the empty store
  const op = await startOperator(cp.admin);
  return {
    k,
    vault,
    storeName: STORE,
    logs: () => ({ 'operator logs': op.logs() }),
    async stop() {
      await op.stop();
      await cp.stop();
    },
  };
});
