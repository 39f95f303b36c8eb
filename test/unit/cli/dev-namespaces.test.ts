// `projector dev --cluster` and the namespaces it creates: which ones it remembers (absent before
// its apply), which it may delete (created by this session, nothing of the repository in them, no
// deletion of dev's pending in them), which it keeps (a Secret nothing owns), the lines, and that a
// namespace that existed before is never deleted.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExternalSecret, GenericStore, PushSecret } from '../../../src/api/index.ts';
import { applyNamespaces, deleteUnusedNamespaces, emptyNamespaceBook, type NamespaceBook, namespaceDeletedLine, namespaceKeptLine, namespacePendingLine, namespacesInUse, namespacesOf, namespacesToDelete } from '../../../src/cli/dev/dev-namespaces.ts';
import { appliedSetOf, emptyPending } from '../../../src/cli/dev/dev-prune.ts';
import { DEV_CREDENTIALS, pointStoreAtLocalVault } from '../../../src/cli/dev/local-stores.ts';
import { loadRepoObjects } from '../../../src/cli/repo-objects.ts';
import type { NamespaceState } from '../../../src/kube/client.ts';
import { ProjectorError } from '../../../src/core/errors.ts';
import { ObjectStore } from '../../../src/kube/object-store.ts';
import { externalSecret } from '../../support/builders.ts';

const vault = { url: 'https://127.0.0.1:8443', authorityHost: 'https://127.0.0.1:8443', tenantId: 't-1', caPem: 'pem' };
const es = (name: string, namespace: string): ExternalSecret => externalSecret({ target: { name } }, { name, namespace, uid: `uid-${namespace}-${name}` });
const akv = (kind: GenericStore['kind'], name: string, namespace?: string): GenericStore =>
  pointStoreAtLocalVault({ apiVersion: 'external-secrets.io/v1', kind, metadata: { name, ...(namespace && { namespace }) }, spec: { provider: { azurekv: { vaultUrl: 'https://x.vault.azure.net/', tenantId: 't' } } } } as GenericStore, vault);
const set = (o: { externalSecrets?: ExternalSecret[]; stores?: GenericStore[]; pushSecrets?: PushSecret[] }) =>
  appliedSetOf({ externalSecrets: [], stores: [], generators: [], pushSecrets: [], clusterPushSecrets: [], secrets: [], ...o });

describe('dev --cluster: which namespaces are in use', () => {
  it('are those of what dev applies, with its credential Secrets, of what the repository declares, and of pending deletions', () => {
    const applied = set({ externalSecrets: [es('a', 'app')], stores: [akv('ClusterSecretStore', 'akv'), akv('SecretStore', 's', 'team')] });
    assert.deepEqual([...namespacesOf(applied)].sort(), ['app', DEV_CREDENTIALS.namespace, 'team']);
    const pending = emptyPending();
    pending.stores.set('SecretStore/held/s', { kind: 'SecretStore', namespace: 'held', name: 's', credential: `held/${DEV_CREDENTIALS.name}` });
    pending.credentialSecrets.add(`creds/${DEV_CREDENTIALS.name}`);
    assert.deepEqual([...namespacesInUse(set({}), ['declared'], pending)].sort(), ['creds', 'declared', 'held']);
  });

  it('the repository declares a namespace by any document in it, and by a Namespace document', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'projector-dev-ns-'));
    writeFileSync(
      join(dir, 'all.yaml'),
      [
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web, namespace: web-app }\nspec: {}',
        'apiVersion: v1\nkind: Namespace\nmetadata: { name: declared-ns }',
        'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: cm, namespace: web-app }',
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: { name: r }',
      ].join('\n---\n'),
    );
    assert.deepEqual((await loadRepoObjects([dir])).namespaces, ['web-app', 'declared-ns']);
  });

  it('deletes only namespaces this session created that nothing uses, and asks again about a kept one once used again', () => {
    const book = emptyNamespaceBook();
    book.created.set('mine', 'u1');
    book.created.set('used', 'u2');
    book.created.set('kept', 'u3');
    book.created.set('going', 'u4');
    book.kept.add('kept');
    book.deleting.set('going', 'u4');
    assert.deepEqual(namespacesToDelete(book, new Set(['used', 'preexisting'])), ['mine']);
    assert.deepEqual(namespacesToDelete(book, new Set(['kept'])), ['mine', 'used']);
    assert.equal(book.kept.size, 0, 'used again: no longer kept');
  });
});

describe('dev --cluster: the namespace lines', () => {
  it('deleted, pending with the namespace controller\'s conditions, kept with the Secrets it would delete', () => {
    assert.equal(namespaceDeletedLine('app'), '- Namespace app deleted (created by this dev session; nothing of the repository is in it now)');
    const conditions = [
      { type: 'NamespaceDeletionDiscoveryFailure', status: 'False', reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
      { type: 'NamespaceFinalizersRemaining', status: 'True', reason: 'SomeFinalizersRemain', message: 'Some content in the namespace has finalizers remaining: pushsecret.externalsecrets.io/finalizer in 1 resource instances' },
    ];
    assert.equal(namespacePendingLine('app', { conditions }), '✗ Namespace app deletion pending: SomeFinalizersRemain: Some content in the namespace has finalizers remaining: pushsecret.externalsecrets.io/finalizer in 1 resource instances');
    assert.equal(namespacePendingLine('app', { conditions: [] }), "✗ Namespace app deletion pending: Terminating: the cluster's namespace controller has not deleted what is in it yet");
    assert.equal(namespaceKeptLine('app', ['app/orphan']), 'Namespace app kept (created by this dev session; nothing of the repository is in it now, but deleting it would delete Secret app/orphan, which nothing owns): delete it yourself when done');
  });
});

/** A cluster of namespaces and Secrets; a deleted namespace goes after `goneAfterMs` (the namespace controller), never if undefined. */
function cluster(o: { existing?: string[]; terminating?: string[]; goneAfterMs?: number; secrets?: Record<string, { name: string; type?: string; owned?: boolean }[]> } = {}) {
  const calls: string[] = [];
  const ns = new Map<string, NamespaceState>();
  let uids = 0;
  const add = (name: string, deleting = false) => ns.set(name, { uid: `uid-${name}-${++uids}`, deletionTimestamp: deleting ? '2026-01-01T00:00:00Z' : undefined, phase: deleting ? 'Terminating' : 'Active', conditions: [] });
  for (const n of o.existing ?? []) add(n);
  for (const n of o.terminating ?? []) {
    add(n, true);
    setTimeout(() => ns.delete(n), 300);
  }
  const kube = {
    async getNamespace(name: string) {
      return ns.get(name);
    },
    async applyObject(obj: { metadata: { name: string } }) {
      calls.push(`apply Namespace ${obj.metadata.name}`);
      if (!ns.has(obj.metadata.name)) add(obj.metadata.name);
      return { uid: ns.get(obj.metadata.name)!.uid };
    },
    async listSecrets(namespace: string) {
      return (o.secrets?.[namespace] ?? []).map((s) => ({ metadata: { name: s.name, namespace, ...(s.owned && { ownerReferences: [{ kind: 'ExternalSecret' }] }) }, type: s.type ?? 'Opaque', data: new Map() }));
    },
    async deleteNamespace(name: string, uid?: string) {
      calls.push(`delete Namespace ${name} uid=${uid}`);
      const live = ns.get(name);
      if (!live) return;
      ns.set(name, { ...live, deletionTimestamp: '2026-01-01T00:00:00Z', phase: 'Terminating', conditions: [{ type: 'NamespaceContentRemaining', status: 'True', reason: 'SomeResourcesRemain', message: 'Some resources are remaining: pushsecrets.external-secrets.io has 1 resource instances' }] });
      if (o.goneAfterMs !== undefined) setTimeout(() => ns.delete(name), o.goneAfterMs);
    },
  };
  const manager = { externalSecrets: new ObjectStore<ExternalSecret>(), pushSecrets: new ObjectStore<PushSecret>() };
  const lines: string[] = [];
  const print = { line: (t: string) => lines.push(t) };
  return {
    calls,
    ns,
    kube,
    manager,
    lines,
    print,
    /** dev's apply of `names`, recording in `book`. */
    apply: (book: NamespaceBook, names: string[], waitMs?: number) => applyNamespaces(kube as never, names, book, print, 'projector-dev', waitMs),
    /** A state block with nothing in use. */
    sweep: (book: NamespaceBook, waitMs = 5_000) => deleteUnusedNamespaces(book, new Set(), { kube: kube as never, manager: manager as never, print, waitMs }),
  };
}

/** A cluster (see `cluster`) into which dev applied `names`, and dev's book of them. */
async function applied(names: string[], o: Parameters<typeof cluster>[0] = {}) {
  const c = cluster(o);
  const book = emptyNamespaceBook();
  await c.apply(book, names);
  return { c, book };
}

describe('dev --cluster: creating and deleting namespaces', () => {
  it('remembers the namespaces it created, not those that existed; waits for one being deleted to go, then creates it anew', async () => {
    const c = cluster({ existing: ['theirs'], terminating: ['was-going'] });
    const book = emptyNamespaceBook();
    await c.apply(book, ['theirs', 'new', 'was-going'], 5_000);
    assert.deepEqual([...book.created.keys()], ['new', 'was-going']);
    assert.equal(book.created.get('new'), c.ns.get('new')!.uid);
    assert.deepEqual(c.lines, ['Namespace was-going is being deleted: waiting for it to go before applying into it']);
    assert.equal(c.ns.get('was-going')?.deletionTimestamp, undefined, 'created again after it went');
  });

  it('deletes a namespace it created once nothing uses it (as that very object, by uid), waits for it to go, and never one that existed before', async () => {
    const { c, book } = await applied(['theirs', 'mine'], { existing: ['theirs'], goneAfterMs: 200 });
    const uid = book.created.get('mine');
    await c.sweep(book, 5_000);
    assert.deepEqual(c.calls.filter((x) => x.startsWith('delete')), [`delete Namespace mine uid=${uid}`]);
    assert.deepEqual(c.lines, [namespaceDeletedLine('mine')]);
    assert.ok(c.ns.has('theirs') && !c.ns.has('mine'));
    assert.equal(book.created.size + book.deleting.size, 0);
  });

  it('leaves a namespace where the operator still sees an ExternalSecret or PushSecret, keeps one with a Secret nothing owns', async () => {
    const { c, book } = await applied(['busy', 'orphan', 'clean'], { goneAfterMs: 0, secrets: { orphan: [{ name: 'left', type: 'Opaque' }, { name: 'owned', owned: true }, { name: 'token', type: 'kubernetes.io/service-account-token' }], clean: [{ name: 'owned', owned: true }] } });
    c.manager.externalSecrets.upsert(es('still-finalizing', 'busy'));
    await c.sweep(book, 5_000);
    assert.deepEqual(c.lines, [namespaceKeptLine('orphan', ['orphan/left']), namespaceDeletedLine('clean')]);
    assert.deepEqual([...book.created.keys()], ['busy', 'orphan']);
    // The ExternalSecret gone: the next state block deletes its namespace; the kept one is not asked about again.
    c.manager.externalSecrets.delete(c.manager.externalSecrets.get('busy/still-finalizing' as never)!);
    await c.sweep(book, 5_000);
    assert.deepEqual(c.lines.slice(2), [namespaceDeletedLine('busy')]);
  });

  it('says a namespace that has not gone within the wait is pending and why, and that it was deleted once it is gone', async () => {
    const { c, book } = await applied(['slow']);
    await c.sweep(book, 300);
    assert.deepEqual(c.lines, ['✗ Namespace slow deletion pending: SomeResourcesRemain: Some resources are remaining: pushsecrets.external-secrets.io has 1 resource instances']);
    await c.sweep(book, 300);
    assert.equal(c.lines.length, 1, 'still there: nothing more said, not deleted twice');
    assert.equal(c.calls.filter((x) => x.startsWith('delete')).length, 1);
    c.ns.delete('slow');
    await c.sweep(book, 300);
    assert.deepEqual(c.lines.slice(1), [namespaceDeletedLine('slow')]);
  });

  it('does not delete a namespace of the name that is another object by now (uid precondition refused)', async () => {
    const { c, book } = await applied(['mine']);
    c.kube.deleteNamespace = async () => {
      throw new ProjectorError('KubeConflict', 'delete Namespace mine: Precondition failed: UID in precondition: uid-mine-1, UID in object meta: uid-mine-2');
    };
    await c.sweep(book, 300);
    assert.match(c.lines[0]!, /^✗ Namespace mine not deleted: delete Namespace mine: Precondition failed/);
    assert.equal(book.created.size + book.deleting.size, 0, 'forgotten: not ours any more');
  });
});
