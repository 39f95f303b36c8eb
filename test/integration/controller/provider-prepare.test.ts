// Provider.prepare: the operator asks a provider to load what its clients need (the Azure SDK's
// modules for azurekv, ~0.3-0.5 s of CPU) as soon as the first store of it that this operator
// serves arrives, so the load overlaps the cache sync instead of delaying the first store check
// (docs/benchmarks.md, "Ninth pass"). A store of another controller class loads nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane, type ControlPlane } from '../../support/controlplane.ts';
import { Cluster } from '../../support/cluster.ts';
import { startOperator, type RunningOperator } from '../../support/operator.ts';
import { eventually } from '../../support/eventually.ts';
import type { Provider } from '../../../src/providers/provider.ts';

describe('provider prepare (real API server)', { timeout: 120_000 }, () => {
  let cp: ControlPlane;
  let k: Cluster;
  let op: RunningOperator | undefined;

  before(async () => {
    cp = await startControlPlane();
    k = new Cluster(cp.admin);
    await k.installCrds();
  });

  after(async () => {
    await op?.stop();
    await cp?.stop();
  });

  it('prepares the provider of a served store once, before its first client, and not the provider of a store it does not serve', async () => {
    const calls: string[] = [];
    // Two fake stores served (one prepare), and an azurekv store of another controller class.
    await k.apply([
      { apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name: 'fake-a' }, spec: { controller: 'mine', provider: { fake: { data: [] } } } },
      { apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name: 'fake-b' }, spec: { controller: 'mine', provider: { fake: { data: [] } } } },
      {
        apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name: 'akv-other' },
        spec: { controller: 'other', provider: { azurekv: { vaultUrl: 'https://example.vault.azure.net', authType: 'ManagedIdentity' } } },
      },
    ] as never);
    op = await startOperator(cp.admin, {
      controllerClass: 'mine',
      wrapProvider: (inner: Provider): Provider => ({
        ...inner,
        prepare: () => {
          calls.push(`prepare ${inner.name}`);
          inner.prepare?.();
        },
        newClient: (store, host, signal) => {
          calls.push(`newClient ${inner.name}`);
          return inner.newClient(store, host, signal);
        },
        ...(inner.validateRemoteKey && { validateRemoteKey: inner.validateRemoteKey.bind(inner) }),
      }),
    });
    for (const name of ['fake-a', 'fake-b']) {
      await eventually(() => k.ready(undefined, 'clustersecretstores', name), (r) => r.status === 'True', { timeoutMs: 20_000, message: `${name} Ready` });
    }
    // Both checks built a client after the one prepare; the other class's azurekv store was left alone.
    assert.deepEqual(calls, ['prepare fake', 'newClient fake', 'newClient fake']);
  });
});
