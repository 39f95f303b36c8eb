import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ExternalSecret, GenericStore, RemoteRef } from '../../../src/api/index.ts';
import { runCheck, type CheckDeps } from '../../../src/cli/check/run-check.ts';
import type { RepoObjects } from '../../../src/cli/repo-objects.ts';
import { ProjectorError } from '../../../src/core/errors.ts';
import { silentLogger } from '../../../src/platform/logger.ts';
import { fakeProvider } from '../../../src/providers/fake/index.ts';
import type { Provider, SecretsClient } from '../../../src/providers/provider.ts';
import { ProviderRegistry } from '../../../src/providers/registry.ts';
import type { Progress } from '../../../src/cli/progress.ts';
import { bytes, externalSecret, fakeStore } from '../../support/builders.ts';

const CANARY = 'CANARY-run-7f3a';

function repo(externalSecrets: ExternalSecret[], stores: GenericStore[]): RepoObjects {
  return { externalSecrets, stores, clusterExternalSecrets: [], generators: [], origins: new Map([['ExternalSecret/netbox/netbox-db-password', 'deploy/es.yaml:1']]), problems: [] };
}

function deps(extra: Partial<CheckDeps> = {}, providers: Provider[] = [fakeProvider]): CheckDeps {
  return { registry: new ProviderRegistry(providers), env: {}, overrides: {}, concurrency: 4, log: silentLogger(), ...extra };
}

/** A provider named "fake" whose client counts reads and can leave out describeSecret. */
function countingProvider(opts: { describe: boolean; answer: (ref: RemoteRef) => 'ok' | 'missing' | 'forbidden' }) {
  const stats = { reads: 0, inFlight: 0, maxInFlight: 0, closed: 0, order: [] as string[] };
  const act = async (ref: RemoteRef) => {
    stats.order.push(`start ${ref.key}`);
    stats.reads++;
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    await new Promise((r) => setImmediate(r));
    stats.inFlight--;
    stats.order.push(`end ${ref.key}`);
    const a = opts.answer(ref);
    if (a === 'missing') throw new ProjectorError('VaultNotFound', `secret "${ref.key}" not found`);
    if (a === 'forbidden') throw new ProjectorError('VaultForbidden', 'vault answered 403 Forbidden', { remoteCode: 'Forbidden' });
  };
  const client: SecretsClient = {
    async getSecret(ref) {
      await act(ref);
      return bytes(CANARY);
    },
    async getSecretMap() {
      throw new Error('not used');
    },
    async getAllSecrets() {
      return new Map([['a', bytes(CANARY)]]);
    },
    async validate() {
      return 'Ready';
    },
    async close() {
      stats.closed++;
    },
    ...(opts.describe
      ? {
          async describeSecret(ref: RemoteRef) {
            await act(ref);
            return { exists: true, enabled: true, expired: false };
          },
        }
      : {}),
  };
  const provider: Provider = { name: 'fake', capabilities: 'ReadWrite', validateStore: () => [], newClient: async () => client };
  return { provider, stats };
}

describe('check: running the reads', () => {
  it('reports each reference of the fake store with its result, never its value', async () => {
    const es = externalSecret({
      data: [
        { secretKey: 'DB_PASSWORD', remoteRef: { key: 'netbox-db-password' } },
        { secretKey: 'USER', remoteRef: { key: 'netbox-db', property: 'user' } },
        { secretKey: 'NOPE', remoteRef: { key: 'netbox-db', property: 'nope' } },
        { secretKey: 'GONE', remoteRef: { key: 'gone' } },
      ],
      dataFrom: [{ find: { name: { regexp: '^netbox-' } } }],
    });
    const store = fakeStore([
      { key: 'netbox-db-password', value: CANARY },
      { key: 'netbox-db', value: JSON.stringify({ user: CANARY }) },
    ]);
    const run = await runCheck(repo([es], [store]), deps());
    assert.deepEqual(
      run.rows.map((r) => [r.secretKey ?? r.field, r.outcome]),
      [['DB_PASSWORD', 'ok'], ['USER', 'ok'], ['NOPE', 'no-such-property'], ['GONE', 'missing'], ['spec.dataFrom[0].find', 'ok']],
    );
    assert.equal(run.rows[4]!.matched, 2);
    // The missing property is named in the words a sync of it fails with (the provider's one rule).
    const client = await fakeProvider.newClient(store, { log: silentLogger() } as never, AbortSignal.timeout(1000));
    const syncError = await client.getSecret({ key: 'netbox-db', property: 'nope' }, AbortSignal.timeout(1000)).then(() => undefined, (e: unknown) => e);
    assert.ok(syncError instanceof ProjectorError);
    assert.equal(run.rows[2]!.detail, syncError.message);
    assert.equal(run.rows[0]!.origin, 'deploy/es.yaml:1');
    assert.equal(run.rows[0]!.store, 'ClusterSecretStore/akv-hybridops');
    assert.ok(!JSON.stringify(run).includes(CANARY));
  });

  it('reads each distinct (store, key, version, property) once across ExternalSecrets', async () => {
    const { provider, stats } = countingProvider({ describe: true, answer: () => 'ok' });
    const a = externalSecret({}, { name: 'a' });
    const b = externalSecret({ data: [{ secretKey: 'X', remoteRef: { key: 'netbox-db-password' } }, { secretKey: 'Y', remoteRef: { key: 'other' } }] }, { name: 'b' });
    const run = await runCheck(repo([a, b], [fakeStore([])]), deps({}, [provider]));
    assert.equal(run.rows.length, 3);
    assert.equal(run.reads, 2);
    assert.equal(stats.reads, 2);
    assert.equal(stats.closed, 1);
  });

  it('keeps at most --concurrency reads in flight', async () => {
    const { provider, stats } = countingProvider({ describe: true, answer: () => 'ok' });
    const es = externalSecret({ data: Array.from({ length: 20 }, (_, i) => ({ secretKey: `K${i}`, remoteRef: { key: `k${i}` } })) });
    await runCheck(repo([es], [fakeStore([])]), deps({ concurrency: 3 }, [provider]));
    assert.equal(stats.reads, 20);
    assert.equal(stats.maxInFlight, 3);
  });

  it("reads a store's first secret alone (client, challenge, token), then the rest in parallel", async () => {
    const { provider, stats } = countingProvider({ describe: true, answer: () => 'ok' });
    const es = externalSecret({ data: Array.from({ length: 6 }, (_, i) => ({ secretKey: `K${i}`, remoteRef: { key: `k${i}` } })) });
    await runCheck(repo([es], [fakeStore([])]), deps({ concurrency: 4 }, [provider]));
    assert.deepEqual(stats.order.slice(0, 3), ['start k0', 'end k0', 'start k1']);
    assert.equal(stats.maxInFlight, 4);
  });

  it('falls back to getSecret when a provider has no describeSecret, classifying its errors', async () => {
    const { provider } = countingProvider({ describe: false, answer: (ref) => (ref.key === 'gone' ? 'missing' : ref.key === 'locked' ? 'forbidden' : 'ok') });
    const es = externalSecret({ data: ['here', 'gone', 'locked'].map((k) => ({ secretKey: k, remoteRef: { key: k } })) });
    const run = await runCheck(repo([es], [fakeStore([])]), deps({}, [provider]));
    assert.deepEqual(run.rows.map((r) => r.outcome), ['ok', 'missing', 'forbidden']);
    assert.ok(!JSON.stringify(run).includes(CANARY));
  });

  it('reports a store missing from the scanned paths and an unsupported provider as errors', async () => {
    const es = externalSecret({ data: [{ secretKey: 'A', remoteRef: { key: 'a' } }, { secretKey: 'B', remoteRef: { key: 'b' }, sourceRef: { storeRef: { kind: 'ClusterSecretStore', name: 'vault-x' } } }] });
    const other = { ...fakeStore([]), metadata: { name: 'vault-x' }, spec: { provider: { vault: {} } } } as unknown as GenericStore;
    const run = await runCheck(repo([es], [other]), deps());
    assert.equal(run.rows[0]!.outcome, 'error');
    assert.match(run.rows[0]!.detail!, /^StoreNotFound: ClusterSecretStore akv-hybridops/);
    assert.equal(run.rows[1]!.outcome, 'error');
    assert.match(run.rows[1]!.detail!, /^NotSupported/);
  });

  it('refuses to start, naming every missing variable, when an azurekv store needs credentials the environment lacks', async () => {
    const store = {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ClusterSecretStore',
      metadata: { name: 'akv-hybridops' },
      spec: { provider: { azurekv: { vaultUrl: 'https://kv.vault.azure.net/', tenantId: 'inline-tenant', authSecretRef: { clientId: { name: 's', key: 'id', namespace: 'ns' }, clientSecret: { name: 's', key: 'secret', namespace: 'ns' } } } } },
    } as GenericStore;
    await assert.rejects(runCheck(repo([externalSecret()], [store]), deps({ env: { AZURE_CLIENT_ID: 'x' } })), /ClusterSecretStore akv-hybridops needs AZURE_CLIENT_SECRET$/);
  });

  it('advances the progress once per reference with names only', async () => {
    const labels: string[] = [];
    let total = -1;
    const progress: Progress = { start: (n) => (total = n), advance: (l) => labels.push(l), finish: () => labels.push('(done)') };
    await runCheck(repo([externalSecret()], [fakeStore([{ key: 'netbox-db-password', value: CANARY }])]), deps({ progress }));
    assert.equal(total, 1);
    assert.deepEqual(labels, ['netbox/netbox-db-password DB_PASSWORD: ok', '(done)']);
  });
});
