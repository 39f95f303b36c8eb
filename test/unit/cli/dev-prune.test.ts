// `projector dev --cluster` and what a reload deletes (src/cli/dev/dev-prune.ts): what the previous
// apply had and this one has not, the refused manifests kept, the dev credential Secrets no store
// reads any more, the ExternalSecret deletion lines, and the order: ExternalSecrets gone before the
// stores and generators they used are deleted.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterPushSecret, ExternalSecret, GeneratorObject, GenericStore, PushSecret } from '../../../src/api/index.ts';
import { objectKey } from '../../../src/api/object-key.ts';
import { appliedSetOf, deleteDropped, droppedSince, emptyAppliedSet, emptyPending, externalSecretDeletedLine, finishDeletions, pendingStoresSettled, storePendingLine, type Dropped } from '../../../src/cli/dev/dev-prune.ts';
import { SECRET_STORE_FINALIZER } from '../../../src/core/store-finalizer.ts';
import { DEV_CREDENTIALS, pointStoreAtLocalVault } from '../../../src/cli/dev/local-stores.ts';
import { ObjectStore } from '../../../src/kube/object-store.ts';
import { externalSecret } from '../../support/builders.ts';

const vault = { url: 'https://127.0.0.1:8443', authorityHost: 'https://127.0.0.1:8443', tenantId: 't-1', caPem: 'pem' };

const es = (name: string, namespace = 'app', target: Partial<NonNullable<ExternalSecret['spec']['target']>> = {}): ExternalSecret =>
  externalSecret({ target: { name: `${name}-secret`, creationPolicy: 'Owner', ...target } }, { name, namespace, uid: `uid-${namespace}-${name}` });

/** A store as dev applies it (pointed at the local vault). */
function store(kind: GenericStore['kind'], name: string, namespace?: string): GenericStore {
  const s: GenericStore = {
    apiVersion: 'external-secrets.io/v1',
    kind,
    metadata: { name, ...(namespace && { namespace }) },
    spec: { provider: { azurekv: { vaultUrl: 'https://x.vault.azure.net/', tenantId: 't' } } },
  } as GenericStore;
  return pointStoreAtLocalVault(s, vault);
}

const generator = (kind: string, name: string, namespace?: string): GeneratorObject => ({ apiVersion: 'generators.external-secrets.io/v1alpha1', kind, metadata: { name, namespace }, spec: {} }) as GeneratorObject;
const pushSecret = (name: string, namespace = 'app'): PushSecret => ({ apiVersion: 'external-secrets.io/v1alpha1', kind: 'PushSecret', metadata: { name, namespace }, spec: {} }) as PushSecret;
const clusterPushSecret = (name: string): ClusterPushSecret => ({ apiVersion: 'external-secrets.io/v1alpha1', kind: 'ClusterPushSecret', metadata: { name }, spec: {} }) as ClusterPushSecret;

function set(o: { externalSecrets?: ExternalSecret[]; stores?: GenericStore[]; generators?: GeneratorObject[]; pushSecrets?: PushSecret[]; clusterPushSecrets?: ClusterPushSecret[]; secrets?: { metadata: { name: string; namespace: string } }[] }) {
  return appliedSetOf({ externalSecrets: [], stores: [], generators: [], pushSecrets: [], clusterPushSecrets: [], secrets: [], ...o });
}

const names = (d: Dropped) => ({
  externalSecrets: d.externalSecrets.map((e) => `${e.metadata.namespace}/${e.metadata.name}`),
  clusterPushSecrets: d.clusterPushSecrets,
  pushSecrets: d.pushSecrets,
  secrets: d.secrets,
  generators: d.generators.map((g) => `${g.kind}/${g.namespace ?? ''}/${g.name}`),
  stores: d.stores.map((s) => `${s.kind}/${s.namespace ?? ''}/${s.name}`),
  credentialSecrets: d.credentialSecrets,
});
const none = { externalSecrets: [], clusterPushSecrets: [], pushSecrets: [], secrets: [], generators: [], stores: [], credentialSecrets: [] };

describe('dev --cluster: what a reload deletes', () => {
  it('drops what the previous apply had and this one has not, of every kind dev applies', () => {
    const previous = set({
      externalSecrets: [es('keep'), es('old'), es('old', 'other')],
      stores: [store('ClusterSecretStore', 'akv'), store('ClusterSecretStore', 'akv-old'), store('SecretStore', 'team-store', 'team')],
      generators: [generator('Password', 'pw', 'app'), generator('ClusterGenerator', 'shared'), generator('UUID', 'id', 'app')],
      pushSecrets: [pushSecret('ps-keep'), pushSecret('ps-old')],
      clusterPushSecrets: [clusterPushSecret('cps-old')],
      secrets: [{ metadata: { name: 'src', namespace: 'app' } }],
    });
    const next = set({ externalSecrets: [es('keep')], stores: [store('ClusterSecretStore', 'akv')], generators: [generator('UUID', 'id', 'app')], pushSecrets: [pushSecret('ps-keep')] });
    const { drop, now } = droppedSince(previous, next, []);
    assert.deepEqual(names(drop), {
      externalSecrets: ['app/old', 'other/old'],
      clusterPushSecrets: ['cps-old'],
      pushSecrets: ['app/ps-old'],
      secrets: ['app/src'],
      generators: ['Password/app/pw', 'ClusterGenerator//shared'],
      stores: ['ClusterSecretStore//akv-old', 'SecretStore/team/team-store'],
      // The SecretStore's credential Secret in its namespace; the ClusterSecretStores' one stays for akv.
      credentialSecrets: [`team/${DEV_CREDENTIALS.name}`],
    });
    assert.deepEqual([...now.externalSecrets.keys()], ['ExternalSecret/app/keep']);
    // The next reload compares with what was applied now: nothing more to delete.
    assert.deepEqual(names(droppedSince(now, next, []).drop), none);
  });

  it('takes a renamed ExternalSecret for a delete of the old name and a create of the new one', () => {
    const { drop, now } = droppedSince(set({ externalSecrets: [es('db')] }), set({ externalSecrets: [es('database')] }), []);
    assert.deepEqual(names(drop).externalSecrets, ['app/db']);
    assert.deepEqual([...now.externalSecrets.keys()], ['ExternalSecret/app/database']);
  });

  it('deletes nothing on the first apply, and nothing when the repository is unchanged', () => {
    const all = set({ externalSecrets: [es('a')], stores: [store('ClusterSecretStore', 'akv')], generators: [generator('Password', 'pw', 'app')] });
    assert.deepEqual(names(droppedSince(emptyAppliedSet(), all, []).drop), none);
    assert.deepEqual(names(droppedSince(all, all, []).drop), none);
  });

  it('keeps an object whose edited manifest the load refused (the cluster keeps the version applied before); deletes it once removed for good', () => {
    const previous = set({ externalSecrets: [es('a'), es('b')], stores: [store('SecretStore', 's', 'team')], pushSecrets: [pushSecret('ps')] });
    const refused = ['ExternalSecret/app/b', 'SecretStore/team/s', 'PushSecret/app/ps'];
    const { drop, now } = droppedSince(previous, set({ externalSecrets: [es('a')] }), refused);
    assert.deepEqual(names(drop), none, 'a refused edit deletes nothing, the credential Secret its store reads included');
    assert.deepEqual([...now.externalSecrets.keys()].sort(), ['ExternalSecret/app/a', 'ExternalSecret/app/b']);
    const later = droppedSince(now, set({ externalSecrets: [es('a')] }), []);
    assert.deepEqual(names(later.drop), { ...none, externalSecrets: ['app/b'], pushSecrets: ['app/ps'], stores: ['SecretStore/team/s'], credentialSecrets: [`team/${DEV_CREDENTIALS.name}`] });
  });

  it('deletes a credential Secret only when no store left reads it', () => {
    const two = set({ stores: [store('SecretStore', 'one', 'team'), store('SecretStore', 'two', 'team'), store('ClusterSecretStore', 'akv')] });
    const step1 = droppedSince(two, set({ stores: [store('SecretStore', 'two', 'team')] }), []);
    assert.deepEqual(step1.drop.credentialSecrets, [`${DEV_CREDENTIALS.namespace}/${DEV_CREDENTIALS.name}`], 'team/… is still read by SecretStore two');
    const step2 = droppedSince(step1.now, set({}), []);
    assert.deepEqual(step2.drop.credentialSecrets, [`team/${DEV_CREDENTIALS.name}`]);
    // A store dev leaves unchanged (not azurekv) reads no credential Secret of dev's.
    const fake = { apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name: 'fake' }, spec: { provider: { fake: { data: [] } } } } as GenericStore;
    assert.deepEqual(droppedSince(set({ stores: [fake] }), set({}), []).drop.credentialSecrets, []);
  });
});

describe('dev --cluster: the line of a deleted ExternalSecret says what became of its target', () => {
  it('owned under deletionPolicy Retain: the garbage collector deletes it', () => {
    assert.equal(externalSecretDeletedLine(es('old'), 'owned'), "- ExternalSecret app/old deleted (not in the repository); creationPolicy Owner: Secret app/old-secret has it as owner (ownerReference), so the cluster's garbage collector deletes the Secret");
  });
  it('owned under deletionPolicy Delete: the operator deleted it (the finalizer)', () => {
    assert.equal(externalSecretDeletedLine(es('old', 'app', { deletionPolicy: 'Delete' }), 'owned'), "- ExternalSecret app/old deleted (not in the repository); creationPolicy Owner, deletionPolicy Delete: the operator deleted Secret app/old-secret, which it owned (the ExternalSecret's finalizer)");
  });
  it('not owned (Orphan, Merge, None): it stays', () => {
    for (const creationPolicy of ['Orphan', 'Merge', 'None'] as const) {
      assert.equal(externalSecretDeletedLine(es('old', 'app', { creationPolicy, deletionPolicy: 'Delete' }), 'not-owned'), `- ExternalSecret app/old deleted (not in the repository); creationPolicy ${creationPolicy}: Secret app/old-secret stays (no ownerReference to the ExternalSecret)`);
    }
  });
  it('no target, a generic target, a target that could not be read', () => {
    assert.equal(externalSecretDeletedLine(es('old'), 'absent'), '- ExternalSecret app/old deleted (not in the repository); creationPolicy Owner: there was no Secret app/old-secret');
    const cm = es('cm', 'app', { manifest: { apiVersion: 'v1', kind: 'ConfigMap' } } as never);
    assert.match(externalSecretDeletedLine(cm, 'owned'), /ConfigMap app\/cm-secret has it as owner \(ownerReference\), so the cluster's garbage collector deletes the ConfigMap$/);
    assert.match(externalSecretDeletedLine(es('old'), undefined), /Secret app\/old-secret \(not read\) is deleted by the cluster's garbage collector if it has the ExternalSecret as owner/);
    assert.match(externalSecretDeletedLine(es('old', 'app', { creationPolicy: 'Merge' }), undefined), /Secret app\/old-secret stays/);
  });
});

/** A kube client that records calls; the "operator" drops an ExternalSecret from its cache `finalizeMs` after its delete. */
function world(o: { finalizeMs?: number; target?: 'owned' | 'other' | 'absent' } = {}) {
  const calls: string[] = [];
  const externalSecrets = new ObjectStore<ExternalSecret>();
  const kube = {
    async getSecret(namespace: string, name: string) {
      calls.push(`get Secret ${namespace}/${name}`);
      if (o.target === 'absent') return undefined;
      const owner = o.target === 'other' ? 'someone-else' : name.replace(/-secret$/, '');
      return { metadata: { name, namespace, ownerReferences: [{ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', name: owner, uid: `uid-${namespace}-${owner}`, controller: true }] }, data: new Map() };
    },
    async getObject() {
      throw new Error('not used');
    },
    async deleteExternalSecret(namespace: string, name: string) {
      calls.push(`delete ExternalSecret ${namespace}/${name}`);
      const cached = externalSecrets.get(objectKey(namespace, name));
      if (cached && o.finalizeMs !== undefined)
        setTimeout(() => {
          calls.push(`gone ExternalSecret ${namespace}/${name}`);
          externalSecrets.delete(cached);
        }, o.finalizeMs);
    },
    async deleteClusterPushSecret(name: string) {
      calls.push(`delete ClusterPushSecret ${name}`);
    },
    async deletePushSecret(namespace: string, name: string) {
      calls.push(`delete PushSecret ${namespace}/${name}`);
    },
    async deleteSecret(namespace: string, name: string) {
      calls.push(`delete Secret ${namespace}/${name}`);
    },
    async deleteCustomObject(r: { apiVersion: string; plural: string; kind: string; namespace: string | undefined; name: string }) {
      calls.push(`delete ${r.apiVersion} ${r.plural} ${r.namespace ?? ''}/${r.name}`);
      // The API server: a store with finalizers is only marked; the cache sees either a moment later.
      const cache = r.kind === 'ClusterSecretStore' ? clusterSecretStores : r.kind === 'SecretStore' ? secretStores : undefined;
      const cached = cache?.get(objectKey(r.namespace, r.name));
      if (cache && cached)
        setTimeout(() => {
          if (cached.metadata.finalizers?.length) cache.upsert({ ...cached, metadata: { ...cached.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } });
          else {
            calls.push(`gone ${r.kind} ${r.namespace ?? ''}/${r.name}`);
            cache.delete(cached);
          }
        }, 20);
    },
  };
  const secretStores = new ObjectStore<GenericStore>();
  const clusterSecretStores = new ObjectStore<GenericStore>();
  const manager = { externalSecrets, pushSecrets: new ObjectStore<PushSecret>(), clusterPushSecrets: new ObjectStore<ClusterPushSecret>(), secretStores, clusterSecretStores };
  const lines: string[] = [];
  return { calls, kube, manager, externalSecrets, secretStores, clusterSecretStores, lines, print: { line: (t: string) => lines.push(t) } };
}

/** A PushSecret with deletionPolicy Delete naming `store` (it holds the store: core/store-finalizer.ts). */
function holder(name: string, store: { kind: string; name: string }, o: { deleting?: boolean } = {}): PushSecret {
  return {
    apiVersion: 'external-secrets.io/v1alpha1',
    kind: 'PushSecret',
    metadata: { name, namespace: 'team', ...(o.deleting && { deletionTimestamp: '2026-01-01T00:00:00Z' }) },
    spec: { deletionPolicy: 'Delete', secretStoreRefs: [{ kind: store.kind, name: store.name }], selector: { secret: { name: 'src' } }, data: [] },
  } as unknown as PushSecret;
}

/** A store as the operator's cache has it, with the store finalizer. */
const heldStore = (kind: GenericStore['kind'], name: string, namespace?: string): GenericStore => {
  const s = store(kind, name, namespace);
  return { ...s, metadata: { ...s.metadata, finalizers: [SECRET_STORE_FINALIZER] } };
};

describe('dev --cluster: deleting what a reload dropped', () => {
  const previous = set({
    externalSecrets: [es('old')],
    stores: [store('ClusterSecretStore', 'akv-old')],
    generators: [generator('Password', 'pw', 'app')],
    pushSecrets: [pushSecret('ps-old')],
  });

  it('deletes the ExternalSecrets and waits until the operator is done with them before the PushSecrets, generators, stores and credential Secret', async () => {
    const w = world({ finalizeMs: 300, target: 'owned' });
    w.externalSecrets.upsert(es('old'));
    const { drop } = droppedSince(previous, set({}), []);
    const pushDeleted = await deleteDropped(drop, { kube: w.kube as never, manager: w.manager as never, print: w.print });
    assert.deepEqual(w.calls, [
      'get Secret app/old-secret',
      'delete ExternalSecret app/old',
      'gone ExternalSecret app/old',
      'delete PushSecret app/ps-old',
      'delete generators.external-secrets.io/v1alpha1 passwords app/pw',
      'delete external-secrets.io/v1 clustersecretstores /akv-old',
      `delete Secret ${DEV_CREDENTIALS.namespace}/${DEV_CREDENTIALS.name}`,
    ]);
    assert.deepEqual(w.lines, [
      "- ExternalSecret app/old deleted (not in the repository); creationPolicy Owner: Secret app/old-secret has it as owner (ownerReference), so the cluster's garbage collector deletes the Secret",
      '- Password app/pw deleted (not in the repository)',
      '- ClusterSecretStore akv-old deleted (not in the repository)',
      `- Secret ${DEV_CREDENTIALS.namespace}/${DEV_CREDENTIALS.name} deleted (dev's credential Secret for the local vault; no store of the repository reads it now)`,
    ]);
    assert.deepEqual([...pushDeleted.keys()], ['app/ps-old']);
  });

  it('says a Secret another ExternalSecret owns stays, and an ExternalSecret whose finalizer has not run is pending (the stores go all the same)', async () => {
    const w = world({ target: 'other' });
    w.externalSecrets.upsert(es('old'));
    const { drop } = droppedSince(previous, set({}), []);
    await deleteDropped(drop, { kube: w.kube as never, manager: w.manager as never, print: w.print, waitMs: 300 });
    assert.equal(w.lines[0], '✗ ExternalSecret app/old deletion pending: the operator has not run its finalizer yet');
    assert.ok(w.calls.includes('delete external-secrets.io/v1 clustersecretstores /akv-old'));

    const w2 = world({ finalizeMs: 0, target: 'other' });
    w2.externalSecrets.upsert(es('old'));
    await deleteDropped(droppedSince(set({ externalSecrets: [es('old', 'app', { creationPolicy: 'Merge' })] }), set({}), []).drop, { kube: w2.kube as never, manager: w2.manager as never, print: w2.print });
    assert.deepEqual(w2.lines, ['- ExternalSecret app/old deleted (not in the repository); creationPolicy Merge: Secret app/old-secret stays (no ownerReference to the ExternalSecret)']);
  });
});

describe('dev --cluster: a deleted store a PushSecret holds (the operator\'s store finalizer)', () => {
  const previous = set({ stores: [store('SecretStore', 'held', 'team')] });
  const credential = `team/${DEV_CREDENTIALS.name}` as const;

  it('says why it is pending without waiting for a PushSecret that stays, keeps its credential Secret, and reports it deleted once it is gone', async () => {
    const w = world();
    w.secretStores.upsert(heldStore('SecretStore', 'held', 'team'));
    w.manager.pushSecrets.upsert(holder('ps', { kind: 'SecretStore', name: 'held' }));
    const pending = emptyPending();
    const started = Date.now();
    const { drop, now } = droppedSince(previous, set({}), []);
    await deleteDropped(drop, { kube: w.kube as never, manager: w.manager as never, print: w.print, waitMs: 5_000 }, pending);
    assert.ok(Date.now() - started < 2_000, 'no wait for a PushSecret that is not being deleted');
    assert.deepEqual(w.lines, [
      `✗ SecretStore team/held deletion pending: held by the operator's finalizer ${SECRET_STORE_FINALIZER}: PushSecret team/ps with deletionPolicy Delete uses it (names it or pushed through it); it goes when that PushSecret is deleted or set deletionPolicy None`,
    ]);
    assert.ok(!w.calls.includes(`delete Secret ${credential}`), 'the PushSecret may still delete through the store: its credential Secret stays');
    assert.deepEqual([...pending.stores.keys()], ['SecretStore/team/held']);
    assert.deepEqual([...pending.credentialSecrets], [credential]);

    // Still held at the state block: nothing more said.
    await finishDeletions(pending, now, { kube: w.kube as never, manager: w.manager as never, print: w.print });
    assert.equal(w.lines.length, 1);
    assert.equal(pendingStoresSettled(w.manager as never, pending, []), true, 'nothing to wait for while the PushSecret stays');
    // A later reload dropped the PushSecret: its finalizer runs, then the store goes.
    w.manager.pushSecrets.upsert(holder('ps', { kind: 'SecretStore', name: 'held' }, { deleting: true }));
    assert.equal(pendingStoresSettled(w.manager as never, pending, ['team/ps']), false, 'the state block waits for it now');
    w.secretStores.delete(w.secretStores.get(objectKey('team', 'held'))!);
    assert.equal(pendingStoresSettled(w.manager as never, pending, ['team/ps']), true);
    await finishDeletions(pending, now, { kube: w.kube as never, manager: w.manager as never, print: w.print });
    assert.deepEqual(w.lines.slice(1), [
      '- SecretStore team/held deleted (not in the repository)',
      `- Secret ${credential} deleted (dev's credential Secret for the local vault; no store of the repository reads it now)`,
    ]);
    assert.equal(w.calls.at(-1), `delete Secret ${credential}`);
    assert.equal(pending.stores.size + pending.credentialSecrets.size, 0);
  });

  it('waits while the PushSecrets holding it are being deleted, then says it was deleted and deletes its credential Secret', async () => {
    const w = world();
    w.secretStores.upsert(heldStore('SecretStore', 'held', 'team'));
    const ps = holder('ps', { kind: 'SecretStore', name: 'held' });
    w.manager.pushSecrets.upsert(ps);
    // The PushSecret's finalizer, then the store reconciler removing the store's finalizer: 300 ms.
    w.kube.deletePushSecret = async (namespace: string, name: string) => {
      w.calls.push(`delete PushSecret ${namespace}/${name}`);
      setTimeout(() => {
        w.manager.pushSecrets.delete(ps);
        const st = w.secretStores.get(objectKey('team', 'held'))!;
        w.secretStores.delete(st);
        w.calls.push('gone SecretStore team/held');
      }, 300);
    };
    const pending = emptyPending();
    const { drop } = droppedSince(set({ stores: [store('SecretStore', 'held', 'team')], pushSecrets: [{ ...pushSecret('ps', 'team') }] }), set({}), []);
    await deleteDropped(drop, { kube: w.kube as never, manager: w.manager as never, print: w.print, waitMs: 5_000 }, pending);
    assert.deepEqual(w.calls, ['delete PushSecret team/ps', 'delete external-secrets.io/v1 secretstores team/held', 'gone SecretStore team/held', `delete Secret ${credential}`]);
    assert.deepEqual(w.lines, ['- SecretStore team/held deleted (not in the repository)', `- Secret ${credential} deleted (dev's credential Secret for the local vault; no store of the repository reads it now)`]);
    assert.equal(pending.stores.size, 0);
  });

  it('gives up after waitMs on a store held by a PushSecret being deleted (a cleanup that fails), and says so', async () => {
    const w = world();
    w.secretStores.upsert(heldStore('SecretStore', 'held', 'team'));
    w.manager.pushSecrets.upsert(holder('ps', { kind: 'SecretStore', name: 'held' }, { deleting: true }));
    const pending = emptyPending();
    await deleteDropped(droppedSince(previous, set({}), []).drop, { kube: w.kube as never, manager: w.manager as never, print: w.print, waitMs: 300 }, pending);
    assert.deepEqual(w.lines, [`✗ SecretStore team/held deletion pending: held by the operator's finalizer ${SECRET_STORE_FINALIZER}: PushSecret team/ps is being deleted and has not yet deleted what it pushed through it`]);
    assert.equal(pending.stores.size, 1);
  });

  it('forgets a pending store the repository has again, and keeps the credential Secret an applied store reads', async () => {
    const w = world();
    w.secretStores.upsert(heldStore('SecretStore', 'held', 'team'));
    const pending = emptyPending();
    pending.stores.set('SecretStore/team/held', { kind: 'SecretStore', namespace: 'team', name: 'held', credential });
    pending.credentialSecrets.add(credential);
    await finishDeletions(pending, set({ stores: [store('SecretStore', 'held', 'team')] }), { kube: w.kube as never, manager: w.manager as never, print: w.print });
    assert.deepEqual(w.lines, []);
    assert.deepEqual(w.calls, []);
    assert.equal(pending.stores.size + pending.credentialSecrets.size, 0);
  });

  it('names every PushSecret that holds the store, those that stay and those being deleted, and other finalizers', () => {
    const css = { ...heldStore('ClusterSecretStore', 'akv'), metadata: { name: 'akv', finalizers: [SECRET_STORE_FINALIZER, 'example.com/keep'] } } as GenericStore;
    const ref = { kind: 'ClusterSecretStore', name: 'akv' };
    const line = storePendingLine(css, [holder('a', ref), holder('b', ref), holder('c', ref, { deleting: true }), holder('other', { kind: 'ClusterSecretStore', name: 'other' })], new Set());
    assert.equal(
      line,
      `✗ ClusterSecretStore akv deletion pending: held by the operator's finalizer ${SECRET_STORE_FINALIZER}: PushSecrets team/a, team/b with deletionPolicy Delete use it (names it or pushed through it); it goes when those PushSecrets are deleted or set deletionPolicy None; PushSecret team/c is being deleted and has not yet deleted what it pushed through it; and by finalizer example.com/keep (not the operator's)`,
    );
    // A PushSecret dev deleted counts as being deleted before the cache shows it.
    assert.match(storePendingLine(css, [holder('a', ref)], new Set(['team/a'])), /PushSecret team\/a is being deleted/);
    assert.match(storePendingLine(css, [], new Set()), /no PushSecret uses it any more, but the operator has not removed the finalizer yet/);
    assert.equal(storePendingLine(store('ClusterSecretStore', 'x'), [], new Set()), '✗ ClusterSecretStore x deletion pending: the API server has not removed it yet');
  });
});
