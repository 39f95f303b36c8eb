// The client cache rebuilds a store's client when a credential Secret, a caProvider ConfigMap or a
// workload identity ServiceAccount it was built from changes (ESO builds its client from the current
// objects at every reconcile: runtime/esutils/resolvers/secret_ref.go, providers/v1/azure/keyvault).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { GenericStore } from '../../../src/api/index.ts';
import { Sensitive } from '../../../src/core/sensitive.ts';
import { silentLogger } from '../../../src/platform/logger.ts';
import type { CredentialRead, Provider, ProviderHost, SecretsClient } from '../../../src/providers/provider.ts';
import { ProviderRegistry } from '../../../src/providers/registry.ts';
import { ClientCache, UNWATCHED } from '../../../src/sync/client-cache.ts';
import { FakeClock } from '../../support/fake-clock.ts';

const store: GenericStore = {
  apiVersion: 'external-secrets.io/v1',
  kind: 'SecretStore',
  metadata: { name: 'vault', namespace: 'team', uid: 'u1', generation: 1 },
  spec: { provider: { fake: { data: [] } } },
} as GenericStore;

/**
 * A provider whose client reads one credential Secret, one CA ConfigMap and one ServiceAccount's
 * annotations through the host, and records what it was built with.
 */
function world() {
  const versions = new Map<string, string>([['team/creds', '1']]);
  /** ConfigMap and ServiceAccount versions, by "kind/ns/name". */
  const others = new Map<string, string>([['ConfigMap/team/ca', '7'], ['ServiceAccount/team/wi', '9']]);
  const built: { credential: string; closed: boolean }[] = [];
  const provider: Provider = {
    name: 'fake',
    capabilities: 'ReadWrite',
    validateStore: () => [],
    async newClient(_store, host, signal) {
      const credential = (await host.readSecretKey({ name: 'creds', key: 'k' }, signal)).reveal();
      await host.readConfigMapKey!({ name: 'ca', key: 'ca.crt' }, signal);
      await host.serviceAccountAnnotations!({ name: 'wi' }, signal);
      const entry = { credential, closed: false };
      built.push(entry);
      return {
        getSecret: async () => new Sensitive(new Uint8Array()),
        getSecretMap: async () => new Map(),
        getAllSecrets: async () => new Map(),
        validate: async () => 'Ready',
        close: async () => void (entry.closed = true),
      } satisfies SecretsClient;
    },
  };
  const hostFor = (_s: GenericStore, _ns: string | undefined, onRead: (r: CredentialRead) => void): ProviderHost => ({
    log: silentLogger(),
    async readSecretKey(ref) {
      const resourceVersion = versions.get(`team/${ref.name}`);
      onRead({ kind: 'Secret', namespace: 'team', name: ref.name!, resourceVersion });
      return new Sensitive(`secret-at-${resourceVersion}`);
    },
    async readConfigMapKey(ref) {
      onRead({ kind: 'ConfigMap', namespace: 'team', name: ref.name, resourceVersion: others.get(`ConfigMap/team/${ref.name}`) });
      return 'ca';
    },
    async serviceAccountAnnotations(sa) {
      onRead({ kind: 'ServiceAccount', namespace: 'team', name: sa.name, resourceVersion: others.get(`ServiceAccount/team/${sa.name}`) });
      return {};
    },
    serviceAccountToken: async () => new Sensitive(''),
  });
  // The watch's view, updated separately from what a read returns (it may lag).
  const watched = new Map(versions);
  const watchedOthers = new Map(others);
  /** Kinds whose watch is forbidden. */
  const unwatched = new Set<string>();
  const cache = new ClientCache({
    registry: new ProviderRegistry([provider]),
    hostFor,
    clock: new FakeClock(Date.UTC(2026, 0, 1)),
    log: silentLogger(),
    credentialVersion: (kind, ns, name) => (unwatched.has(kind) ? UNWATCHED : kind === 'Secret' ? watched.get(`${ns}/${name}`) : watchedOthers.get(`${kind}/${ns}/${name}`)),
  });
  const rotate = (rv: string) => {
    versions.set('team/creds', rv);
    watched.set('team/creds', rv);
  };
  /** A ConfigMap or ServiceAccount changes, as read and as watched. */
  const change = (key: string, rv: string) => {
    others.set(key, rv);
    watchedOthers.set(key, rv);
  };
  return { cache, built, versions, watched, rotate, change, unwatched };
}

const signal = new AbortController().signal;

describe('ClientCache and credential Secrets', () => {
  it('reuses a client while its credential Secret is unchanged, and rebuilds it from the new Secret once it changes', async () => {
    const w = world();
    await w.cache.get(store, 'team', signal);
    await w.cache.get(store, 'team', signal);
    assert.deepEqual(w.built.map((b) => b.credential), ['secret-at-1']);
    w.rotate('2');
    await w.cache.get(store, 'team', signal);
    await w.cache.get(store, 'team', signal);
    assert.deepEqual(w.built.map((b) => b.credential), ['secret-at-1', 'secret-at-2']);
    assert.equal(w.built[0]!.closed, true, 'the old client is closed');
    assert.equal(w.built[1]!.closed, false);
  });

  it('keeps a client built from a kind it cannot watch (UNWATCHED: its watch is forbidden) until it ages out', async () => {
    const w = world();
    w.unwatched.add('ConfigMap');
    await w.cache.get(store, 'team', signal);
    w.change('ConfigMap/team/ca', '8'); // unseen: no watch
    await w.cache.get(store, 'team', signal);
    assert.equal(w.built.length, 1, 'no watch, no rebuild on every use');
    w.rotate('2'); // a watched kind still counts
    await w.cache.get(store, 'team', signal);
    assert.equal(w.built.length, 2);
  });

  it('rebuilds when the Secret it read is gone', async () => {
    const w = world();
    await w.cache.get(store, 'team', signal);
    w.watched.delete('team/creds');
    await w.cache.get(store, 'team', signal);
    assert.equal(w.built.length, 2);
  });

  for (const [kind, key] of [['ConfigMap', 'ConfigMap/team/ca'], ['ServiceAccount', 'ServiceAccount/team/wi']] as const) {
    it(`rebuilds a client once the ${kind} it was built from changes or goes, and names its store as a reader of it`, async () => {
      const w = world();
      await w.cache.get(store, 'team', signal);
      await w.cache.get(store, 'team', signal);
      assert.equal(w.built.length, 1);
      assert.deepEqual(w.cache.storesReading(kind, 'team', key.split('/')[2]!), [{ kind: 'SecretStore', namespace: 'team', name: 'vault' }]);
      assert.deepEqual(w.cache.storesReading('Secret', 'team', key.split('/')[2]!), [], 'kinds are apart: a Secret of the same name is not it');
      w.change(key, '100');
      await w.cache.get(store, 'team', signal);
      assert.equal(w.built.length, 2);
      assert.equal(w.built[0]!.closed, true);
      // A Secret of that name changing drops nothing built from the ConfigMap / ServiceAccount.
      w.cache.dropBuiltFrom('Secret', 'team', key.split('/')[2]!, 'other');
      await new Promise((r) => setImmediate(r));
      assert.equal(w.built[1]!.closed, false);
      w.cache.dropBuiltFrom(kind, 'team', key.split('/')[2]!, undefined);
      await new Promise((r) => setImmediate(r));
      assert.equal(w.built[1]!.closed, true, 'deleted: dropped');
    });
  }

  it('names the stores that read a Secret, and drops only the clients built from an older version of it', async () => {
    const w = world();
    await w.cache.get(store, 'team', signal);
    assert.deepEqual(w.cache.storesReading('Secret', 'team', 'creds'), [{ kind: 'SecretStore', namespace: 'team', name: 'vault' }]);
    assert.deepEqual(w.cache.storesReading('Secret', 'team', 'other'), []);
    w.cache.dropBuiltFrom('Secret', 'team', 'creds', '1');
    await new Promise((r) => setImmediate(r)); // closing is asynchronous
    assert.equal(w.built[0]!.closed, false, 'built from this very version: kept');
    w.cache.dropBuiltFrom('Secret', 'team', 'creds', '2');
    await new Promise((r) => setImmediate(r));
    assert.equal(w.built[0]!.closed, true);
    // Forgetting a deleted store forgets what it read.
    w.cache.invalidate(store, { forget: true });
    assert.deepEqual(w.cache.storesReading('Secret', 'team', 'creds'), []);
  });

  it('builds an uncached client for store validation, from the current Secret', async () => {
    const w = world();
    await w.cache.get(store, 'team', signal);
    w.versions.set('team/creds', '3'); // not yet seen by the watch
    const fresh = await w.cache.fresh(store, 'team', signal);
    await fresh.close();
    assert.deepEqual(w.built.map((b) => b.credential), ['secret-at-1', 'secret-at-3']);
    await w.cache.get(store, 'team', signal);
    assert.equal(w.built.length, 2, 'the cached client is untouched by validation');
  });

  it('takes a checked client from fresh when it holds none for the store, and ExternalSecrets then use it', async () => {
    const w = world();
    const checked = await w.cache.fresh(store, 'team', signal);
    assert.equal(w.cache.adopt(store, 'team', checked), true);
    await w.cache.get(store, 'team', signal);
    assert.equal(w.built.length, 1, 'no second client built');
    assert.equal(w.built[0]!.closed, false);
    // It remembers the credential Secret it was built from: a rotation still rebuilds.
    w.rotate('2');
    await w.cache.get(store, 'team', signal);
    assert.deepEqual(w.built.map((b) => b.credential), ['secret-at-1', 'secret-at-2']);
    assert.equal(w.built[0]!.closed, true);
  });

  it('keeps a usable cached client rather than a checked one, and takes a client only once and only from fresh', async () => {
    const w = world();
    await w.cache.get(store, 'team', signal);
    const checked = await w.cache.fresh(store, 'team', signal);
    assert.equal(w.cache.adopt(store, 'team', checked), false, 'the cached client is usable');
    assert.equal(w.cache.adopt(store, 'team', checked), false, 'a client is offered once');
    await w.cache.get(store, 'team', signal);
    assert.equal(w.built.length, 2);
    assert.equal(w.built[0]!.closed, false, 'the cached client stays');
    const stranger = { ...checked };
    assert.equal(w.cache.adopt(store, 'team', stranger), false, 'not from fresh');
  });

  it('replaces a stale cached client with a checked one built from the new credentials', async () => {
    const w = world();
    await w.cache.get(store, 'team', signal);
    w.rotate('2');
    const checked = await w.cache.fresh(store, 'team', signal);
    assert.equal(w.cache.adopt(store, 'team', checked), true);
    await w.cache.get(store, 'team', signal);
    assert.deepEqual(w.built.map((b) => b.credential), ['secret-at-1', 'secret-at-2']);
    await new Promise((r) => setImmediate(r)); // closing is asynchronous
    assert.equal(w.built[0]!.closed, true);
  });

  it('does not take the check of a ClusterSecretStore whose credentials resolve per ExternalSecret namespace', async () => {
    const w = world();
    const css = { ...store, kind: 'ClusterSecretStore', metadata: { name: 'vault', uid: 'u2', generation: 1 }, spec: { provider: { fake: { auth: { secretRef: { name: 'creds', key: 'k' } } } } } } as unknown as GenericStore;
    const checked = await w.cache.fresh(css, undefined, signal);
    assert.equal(w.cache.adopt(css, undefined, checked), false);
    const withNamespace = { ...css, spec: { provider: { fake: { auth: { secretRef: { name: 'creds', key: 'k', namespace: 'team' } } } } } } as unknown as GenericStore;
    const checked2 = await w.cache.fresh(withNamespace, undefined, signal);
    assert.equal(w.cache.adopt(withNamespace, undefined, checked2), true, 'every namespace uses the same credentials');
    await w.cache.get(withNamespace, 'apps', signal);
    assert.equal(w.built.length, 2);
  });

  it('builds one client per ExternalSecret namespace for a ClusterSecretStore whose serviceAccountRef has no namespace (workload identity of each namespace), one for all when it names one', async () => {
    const w = world();
    const wi = (serviceAccountRef: Record<string, string>) =>
      ({ ...store, kind: 'ClusterSecretStore', metadata: { name: 'wi', uid: 'u3', generation: 1 }, spec: { provider: { fake: { serviceAccountRef } } } }) as unknown as GenericStore;
    const perNamespace = wi({ name: 'reader' });
    await w.cache.get(perNamespace, 'team-a', signal);
    await w.cache.get(perNamespace, 'team-b', signal);
    await w.cache.get(perNamespace, 'team-a', signal);
    assert.equal(w.built.length, 2, "team-b must not read through team-a's identity");
    const shared = { ...wi({ name: 'reader', namespace: 'identities' }), metadata: { name: 'wi-shared', uid: 'u4', generation: 1 } } as unknown as GenericStore;
    await w.cache.get(shared, 'team-a', signal);
    await w.cache.get(shared, 'team-b', signal);
    assert.equal(w.built.length, 3);
  });
});
