// `projector dev --cluster` and namespaces. dev applies the namespaces the repository's objects need
// (server-side apply, so a fresh cluster works), and remembers those this session created: absent
// when it was about to apply into them. Once a reload leaves such a namespace with nothing of the
// repository in it, dev deletes it, after what it deleted in it is gone (dev-prune.ts). Never a
// namespace that existed before (yours, or one an earlier dev session created and left), nor one
// the repository declares anything in (any kind: RepoObjects.namespaces), nor one where the
// in-process operator still sees an ExternalSecret or PushSecret (one whose deletion is pending,
// one a ClusterPushSecret made, one dev did not apply). A namespace holding a Secret nothing owns
// (a target left by creationPolicy Orphan or Merge, a Secret made by hand) is kept and said so:
// deleting the namespace would delete the Secret that dev's line said stays. When dev stops,
// the namespaces it created stay, as the objects it applied do.
import { setTimeout as sleep } from 'node:timers/promises';
import { ProjectorError } from '../../core/errors.ts';
import type { Manager } from '../../controller/manager.ts';
import type { KubeClient, NamespaceState } from '../../kube/client.ts';
import type { AppliedSet, Pending } from './dev-prune.ts';
import type { Printer } from './dev-session.ts';

/** What this session knows of the namespaces it created; kept across reloads (dev-cluster.ts). */
export interface NamespaceBook {
  /** Namespaces this session created (absent before its apply) → the uid the apply gave them. */
  created: Map<string, string | undefined>;
  /** Namespaces it deleted that were not gone at the last look → their uid. */
  deleting: Map<string, string | undefined>;
  /** Namespaces it created and kept (a Secret in them nothing owns), until the repository uses them again. */
  kept: Set<string>;
}

/** No namespace created yet: a session's start. */
export function emptyNamespaceBook(): NamespaceBook {
  return { created: new Map(), deleting: new Map(), kept: new Set() };
}

type NamespaceKube = Pick<KubeClient, 'getNamespace' | 'applyObject' | 'deleteNamespace' | 'listSecrets'>;

/** The namespaces of what dev applies: ExternalSecrets, SecretStores, generators, PushSecrets, their source Secrets, and dev's credential Secrets. */
export function namespacesOf(set: AppliedSet): Set<string> {
  const out = new Set<string>();
  for (const es of set.externalSecrets.values()) out.add(es.metadata.namespace);
  for (const m of [set.pushSecrets, set.secrets, set.generators, set.stores]) for (const r of m.values()) if (r.namespace) out.add(r.namespace);
  for (const s of set.stores.values()) if (s.credential) out.add(s.credential.split('/')[0]!);
  return out;
}

/**
 * The namespaces dev must not delete now: those of what it has applied (`applied`), those the
 * repository declares anything in (`declared`, RepoObjects.namespaces), and those of what it
 * deleted that is still there (`pending`: a store held by a finalizer, the credential Secret it reads).
 */
export function namespacesInUse(applied: AppliedSet, declared: readonly string[], pending: Pending): Set<string> {
  const out = namespacesOf(applied);
  for (const ns of declared) out.add(ns);
  for (const s of pending.stores.values()) {
    if (s.namespace) out.add(s.namespace);
    if (s.credential) out.add(s.credential.split('/')[0]!);
  }
  for (const key of pending.credentialSecrets) out.add(key.split('/')[0]!);
  return out;
}

/**
 * The namespaces this session created that nothing uses now (`inUse`, namespacesInUse), neither
 * kept nor already deleted. A kept namespace the repository uses again is forgotten as kept (`book`
 * updated), so emptying it again asks again.
 */
export function namespacesToDelete(book: NamespaceBook, inUse: ReadonlySet<string>): string[] {
  for (const ns of book.kept) if (inUse.has(ns)) book.kept.delete(ns);
  return [...book.created.keys()].filter((ns) => !inUse.has(ns) && !book.kept.has(ns) && !book.deleting.has(ns));
}

/** The line of a namespace dev created and deleted, once it is gone. */
export const namespaceDeletedLine = (name: string) => `- Namespace ${name} deleted (created by this dev session; nothing of the repository is in it now)`;

/**
 * The line of a namespace dev deleted that is still there: why, from the conditions the cluster's
 * namespace controller sets while it deletes the namespace's content (NamespaceContentRemaining,
 * NamespaceFinalizersRemaining, NamespaceDeletionContentFailure, … with status True).
 */
export function namespacePendingLine(name: string, live: Pick<NamespaceState, 'conditions'>): string {
  const why = live.conditions.filter((c) => c.status === 'True').map((c) => `${c.reason ?? c.type}${c.message ? `: ${c.message}` : ''}`);
  return `✗ Namespace ${name} deletion pending: ${why.length ? why.join('; ') : "Terminating: the cluster's namespace controller has not deleted what is in it yet"}`;
}

/** The line of a namespace dev created and keeps: the Secrets ("ns/name") deleting it would delete. */
export function namespaceKeptLine(name: string, secrets: readonly string[]): string {
  const which = `${secrets.length === 1 ? 'Secret' : 'Secrets'} ${secrets.join(', ')}`;
  return `Namespace ${name} kept (created by this dev session; nothing of the repository is in it now, but deleting it would delete ${which}, which nothing owns): delete it yourself when done`;
}

/** Is a namespace dev deleted gone: absent, or another object of the name (another uid) by now? */
const goneOf = (live: NamespaceState | undefined, uid: string | undefined) => !live || (uid !== undefined && live.uid !== uid);

/**
 * Applies each namespace of `names` (server-side apply under `fieldManager`); one absent before
 * goes to `book.created` with its new uid. One still being deleted (Terminating: by an earlier
 * reload, or by someone else) is waited for up to `waitMs` first, so the apply creates it anew
 * rather than every object applied into it being refused. A namespace of `book.deleting` found
 * gone gets its deleted line here.
 */
export async function applyNamespaces(kube: NamespaceKube, names: Iterable<string>, book: NamespaceBook, print: Printer, fieldManager: string, waitMs = 30_000): Promise<void> {
  for (const name of names) {
    let live = await kube.getNamespace(name);
    if (live?.deletionTimestamp) {
      print.line(`Namespace ${name} is being deleted: waiting for it to go before applying into it`);
      const deadline = Date.now() + waitMs;
      while (live?.deletionTimestamp && Date.now() < deadline) {
        await sleep(250);
        live = await kube.getNamespace(name);
      }
    }
    if (book.deleting.has(name) && goneOf(live, book.deleting.get(name))) {
      print.line(namespaceDeletedLine(name));
      book.deleting.delete(name);
    }
    const applied = await kube.applyObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, 'namespaces', fieldManager);
    if (!live) book.created.set(name, applied.uid);
  }
}

export interface NamespaceDeps {
  kube: NamespaceKube;
  /** The in-process operator's caches: an ExternalSecret or PushSecret still in a namespace keeps it. */
  manager: Pick<Manager, 'externalSecrets' | 'pushSecrets'>;
  print: Printer;
  /** How long to wait for a deleted namespace to go (the namespace controller empties it first); default 30 s. */
  waitMs?: number;
}

/** A Secret deleting its namespace would delete that nothing owns (service account tokens go with their ServiceAccount). */
const unowned = (s: { type?: string | undefined; metadata: { ownerReferences?: unknown[] | undefined } }) => !s.metadata.ownerReferences?.length && s.type !== 'kubernetes.io/service-account-token';

/**
 * Deletes the namespaces this session created that nothing uses now (`inUse`, namespacesInUse),
 * as the file header says, and waits up to `waitMs` for them to go: a deleted line for each gone,
 * a pending line (namespacePendingLine) for one still there, whose deleted line comes at a later
 * call once it is gone. Returns when done; a namespace not deletable now (the operator still sees
 * an ExternalSecret or PushSecret in it) is looked at again at the next call.
 */
export async function deleteUnusedNamespaces(book: NamespaceBook, inUse: ReadonlySet<string>, d: NamespaceDeps): Promise<void> {
  const { kube, manager, print } = d;
  for (const [name, uid] of book.deleting) {
    if (goneOf(await kube.getNamespace(name), uid)) {
      print.line(namespaceDeletedLine(name));
      book.deleting.delete(name);
    }
  }
  const deleted: string[] = [];
  for (const name of namespacesToDelete(book, inUse)) {
    const inIt = (o: { metadata: { namespace?: string | undefined } }) => o.metadata.namespace === name;
    if (manager.externalSecrets.list().some(inIt) || manager.pushSecrets.list().some(inIt)) continue;
    const held = (await kube.listSecrets(name, '')).filter(unowned).map((s) => `${name}/${s.metadata.name}`);
    if (held.length) {
      print.line(namespaceKeptLine(name, held));
      book.kept.add(name);
      continue;
    }
    const uid = book.created.get(name);
    book.created.delete(name);
    try {
      await kube.deleteNamespace(name, uid);
    } catch (e) {
      // Another namespace of the name (the uid precondition) or no right to delete: left alone.
      if (!(e instanceof ProjectorError)) throw e;
      print.line(`✗ Namespace ${name} not deleted: ${e.message}`);
      continue;
    }
    book.deleting.set(name, uid);
    deleted.push(name);
  }
  if (deleted.length === 0) return;
  const deadline = Date.now() + (d.waitMs ?? 30_000);
  const last = new Map<string, NamespaceState | undefined>();
  for (;;) {
    for (const name of deleted) last.set(name, await kube.getNamespace(name));
    if (deleted.every((name) => goneOf(last.get(name), book.deleting.get(name))) || Date.now() >= deadline) break;
    await sleep(250);
  }
  for (const name of deleted) {
    const live = last.get(name);
    if (goneOf(live, book.deleting.get(name))) {
      print.line(namespaceDeletedLine(name));
      book.deleting.delete(name);
    } else print.line(namespacePendingLine(name, live!));
  }
}
