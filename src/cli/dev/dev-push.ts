// `projector dev --cluster` and the repository's PushSecrets and ClusterPushSecrets. dev applies
// them (with the repository's Secrets they read) and the in-process Manager's PushSecret and
// ClusterPushSecret controllers push them into the local vault: the operator's own reconcilers,
// so a PushSecret is judged by core/push-secret.ts and core/cluster-push-secret.ts exactly as
// `validate` and the operator judge it. This file only chooses what to apply and says what the
// controllers reported (conditions, remote keys; never a value). Without --cluster nothing is
// pushed: dev's file mode has no API server for a PushSecret's finalizer and status.
import type { ClusterPushSecret, PushSecret } from '../../api/index.ts';
import { isOwnedByClusterPushSecret } from '../../core/cluster-push-secret.ts';
import { pushSyncVersionOf } from '../../core/push-secret.ts';
import { matchesLabelSelector } from '../../core/store-access.ts';
import type { RepoObjects, RepoSecret } from '../repo-objects.ts';

/** The CRDs that serve the push kinds (external-secrets.io/v1alpha1): plural → CRD name. */
export const PUSH_CRDS = { pushsecrets: 'pushsecrets.external-secrets.io', clusterpushsecrets: 'clusterpushsecrets.external-secrets.io' } as const;

type Selector = PushSecret['spec']['selector'] | undefined;

function selects(selector: Selector, secret: RepoSecret): boolean {
  const s = selector?.secret;
  if (!s) return false;
  if (s.name) return s.name === secret.metadata.name;
  return s.selector !== undefined && matchesLabelSelector(s.selector, secret.metadata.labels ?? {});
}

/**
 * The repository's `v1` Secrets that its PushSecrets read (ESO's resolveSecrets: selector.secret.name
 * in the PushSecret's namespace, or selector.secret.selector over that namespace's labels), and those
 * a ClusterPushSecret's pushSecretSpec would read in any namespace. Other Secrets of the repository
 * are left alone: dev applies what the pushes need, not the whole repository.
 */
export function pushSourceSecrets(repo: Pick<RepoObjects, 'secrets' | 'pushSecrets' | 'clusterPushSecrets'>): RepoSecret[] {
  return (repo.secrets ?? []).filter(
    (s) =>
      (repo.pushSecrets ?? []).some((ps) => ps.metadata.namespace === s.metadata.namespace && selects(ps.spec.selector, s)) ||
      (repo.clusterPushSecrets ?? []).some((cps) => selects(cps.spec.pushSecretSpec?.selector, s)),
  );
}

/** The remote keys a PushSecret's status says were pushed, per store ("ClusterSecretStore/akv: a, b"); remote names, never values. */
export function pushedKeys(ps: PushSecret): string {
  const synced = ps.status?.syncedPushSecrets ?? {};
  const parts = Object.keys(synced)
    .sort()
    .flatMap((store) => {
      const refs = Object.keys(synced[store] ?? {}).sort();
      return refs.length ? [`${store}: ${refs.join(', ')}`] : [];
    });
  return parts.length ? parts.join('; ') : 'nothing pushed';
}

interface Ready {
  status: string;
  reason?: string | undefined;
  message?: string | undefined;
}

function readyOf(obj: { status?: { conditions?: { type: string; status: string; reason?: string | undefined; message?: string | undefined }[] | undefined } | undefined } | undefined): Ready | undefined {
  return obj?.status?.conditions?.find((c) => c.type === 'Ready');
}

/**
 * Has the controller answered for this very spec? A PushSecret: a Ready condition, and when True
 * for the current generation and metadata (syncedResourceVersion, ESO's GetResourceVersion). A
 * ClusterPushSecret (no observed generation in its status): a Ready condition.
 */
export function pushSettled(kind: 'PushSecret' | 'ClusterPushSecret', obj: PushSecret | ClusterPushSecret | undefined, generation: number): boolean {
  if (!obj || (obj.metadata.generation ?? 0) < generation) return false;
  const ready = readyOf(obj as PushSecret);
  if (!ready) return false;
  if (kind === 'ClusterPushSecret' || ready.status !== 'True') return true;
  return (obj as PushSecret).status?.syncedResourceVersion === pushSyncVersionOf(obj as PushSecret);
}

/** "Reason: message" of a condition that is not True (or why there is none yet). */
function why(ready: Ready | undefined): string {
  if (!ready) return 'not reconciled yet';
  return `${ready.reason ? `${ready.reason}: ` : ''}${ready.message ?? ''}`;
}

/** One object's state, as the state block and the transitions show it. */
export function pushStateOf(kind: 'PushSecret' | 'ClusterPushSecret', id: string, obj: PushSecret | ClusterPushSecret | undefined): { ok: boolean; text: string } {
  const ready = readyOf(obj as PushSecret);
  if (ready?.status !== 'True') {
    const failed = kind === 'ClusterPushSecret' ? ((obj as ClusterPushSecret | undefined)?.status?.failedNamespaces ?? []) : [];
    const where = failed.length ? ` (${failed.map((f) => `${f.namespace}: ${f.reason}`).join('; ')})` : '';
    return { ok: false, text: `${kind} ${id} failing: ${why(ready)}${where}` };
  }
  if (kind === 'ClusterPushSecret') {
    const s = (obj as ClusterPushSecret).status;
    const namespaces = s?.provisionedNamespaces ?? [];
    return { ok: true, text: `${kind} ${id} → PushSecret ${s?.pushSecretName ?? '?'} in ${namespaces.length ? namespaces.join(', ') : 'no namespace'}` };
  }
  return { ok: true, text: `${kind} ${id} pushed → ${pushedKeys(obj as PushSecret)}` };
}

export interface PushStateEntry {
  kind: 'PushSecret' | 'ClusterPushSecret';
  /** "namespace/name" (a ClusterPushSecret: its name). */
  id: string;
  obj: PushSecret | ClusterPushSecret | undefined;
}

/**
 * The push part of dev's state block after a reload (the ExternalSecret part is dev-session.ts
 * stateLines): per kind present, a count line, then one line per object (✓ what was pushed where,
 * or ✗ the Ready condition's reason and message), then those not applied (`refused`, "Kind/ns/name").
 */
export function pushStateLines(entries: readonly PushStateEntry[], refused: readonly string[]): string[] {
  const lines: string[] = [];
  for (const kind of ['PushSecret', 'ClusterPushSecret'] as const) {
    const mine = entries.filter((e) => e.kind === kind);
    const notApplied = refused.filter((k) => k.startsWith(`${kind}/`));
    if (mine.length === 0 && notApplied.length === 0) continue;
    const states = mine.map((e) => pushStateOf(kind, e.id, e.obj));
    const ready = states.filter((s) => s.ok).length;
    lines.push(`state: ${ready} ${kind}(s) ready, ${mine.length - ready + notApplied.length} failing`);
    for (const s of states) lines.push(`  ${s.ok ? '✓' : '✗'} ${s.text}`);
    for (const key of notApplied) lines.push(`  ✗ ${kind} ${key.slice(kind.length + 1).replace(/^\//, '')} failing: not applied (see the error above)`);
  }
  return lines;
}

/** The PushSecrets a repository's ClusterPushSecrets created (their controller reference names one of them). */
export function ownedByRepo(ps: PushSecret, clusterPushSecrets: readonly ClusterPushSecret[]): boolean {
  return clusterPushSecrets.some((cps) => isOwnedByClusterPushSecret(ps, cps.metadata.name));
}

/**
 * What dev prints once a PushSecret it removed from the cluster is gone: the operator ran its
 * finalizer (deletionPolicy Delete: it deleted from the store what it had pushed and manages, as
 * ESO's DeleteSecretFromProviders; None: it left the remote secrets).
 */
export function pushDeletedLine(id: string, last: PushSecret | undefined): string {
  const policy = last?.spec.deletionPolicy ?? 'None';
  const keys = last ? pushedKeys(last) : 'nothing pushed';
  return policy === 'Delete'
    ? `- PushSecret ${id} deleted (not in the repository); deletionPolicy Delete: the operator deleted what it had pushed and manages (${keys})`
    : `- PushSecret ${id} deleted (not in the repository); deletionPolicy None: what it pushed stays in the vault (${keys})`;
}
