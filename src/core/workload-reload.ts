// Rotation reaching the workload (a Projector extension, off unless the operator runs with
// --enable-workload-reload; docs/workload-reload.md). A Deployment, StatefulSet or DaemonSet opts in
// with Stakater Reloader's annotations; when a Secret Projector manages and the workload tracks
// changes, the operator patches one pod-template annotation with a hash of the tracked Secrets' data
// hashes, and the workload's own controller rolls its Pods (respecting its update strategy and PDBs).
//
// Reloader's annotations (https://docs.stakater.com/reloader/ "Annotation Reference"), as honoured here:
//   reloader.stakater.com/auto: "true"         every Secret the pod template references
//   secret.reloader.stakater.com/auto: "true"  the same (Projector manages Secrets only)
//   secret.reloader.stakater.com/reload: "a,b" these Secrets (same namespace), referenced or not
// ConfigMap annotations, `search`/`match` and `ignore` are not Reloader's business here: Projector
// only rolls for Secrets it writes. Pure: the caller supplies the tracked Secrets' data hashes.
import { createHash } from 'node:crypto';

export const ANNOTATION_RELOADER_AUTO = 'reloader.stakater.com/auto';
export const ANNOTATION_RELOADER_SECRET_AUTO = 'secret.reloader.stakater.com/auto';
export const ANNOTATION_RELOADER_SECRET_RELOAD = 'secret.reloader.stakater.com/reload';
/** The pod-template annotation Projector writes: a change of it is what rolls the Pods. */
export const ANNOTATION_SECRET_HASH = 'projector.io/secret-hash';

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

/** What the operator keeps of a workload (the rest of the pod template is dropped on arrival). */
export interface WorkloadView {
  kind: WorkloadKind;
  metadata: { name: string; namespace: string; resourceVersion?: string; annotations?: Record<string, string> };
  /** Secrets the pod template references (env, envFrom, volumes, projected volumes), sorted, unique. */
  referencedSecrets: string[];
  /** The pod template's current ANNOTATION_SECRET_HASH, if any. */
  appliedHash?: string;
}

interface PodSpecLike {
  containers?: ContainerLike[];
  initContainers?: ContainerLike[];
  volumes?: { secret?: { secretName?: string }; projected?: { sources?: { secret?: { name?: string } }[] } }[];
}
interface ContainerLike {
  env?: { valueFrom?: { secretKeyRef?: { name?: string } } }[];
  envFrom?: { secretRef?: { name?: string } }[];
}

/**
 * The Secret names a pod spec references: `env[].valueFrom.secretKeyRef`, `envFrom[].secretRef` of
 * containers and init containers, `volumes[].secret.secretName` and projected volumes' `secret`
 * sources (the places Reloader's auto mode looks). Sorted and unique.
 */
export function referencedSecretsOf(spec: PodSpecLike | undefined): string[] {
  const names = new Set<string>();
  const add = (n: string | undefined) => {
    if (n) names.add(n);
  };
  for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
    for (const e of c.env ?? []) add(e.valueFrom?.secretKeyRef?.name);
    for (const e of c.envFrom ?? []) add(e.secretRef?.name);
  }
  for (const v of spec?.volumes ?? []) {
    add(v.secret?.secretName);
    for (const s of v.projected?.sources ?? []) add(s.secret?.name);
  }
  return [...names].sort();
}

/**
 * A Deployment/StatefulSet/DaemonSet as the API server returns it → the WorkloadView kept in memory.
 * Only the annotations that drive reloading are kept.
 */
export function workloadViewOf(kind: WorkloadKind, o: { metadata: { name?: string; namespace?: string; resourceVersion?: string; annotations?: Record<string, string> }; spec?: { template?: { metadata?: { annotations?: Record<string, string> }; spec?: PodSpecLike } } }): WorkloadView {
  const annotations: Record<string, string> = {};
  for (const k of [ANNOTATION_RELOADER_AUTO, ANNOTATION_RELOADER_SECRET_AUTO, ANNOTATION_RELOADER_SECRET_RELOAD]) {
    const v = o.metadata.annotations?.[k];
    if (v !== undefined) annotations[k] = v;
  }
  const applied = o.spec?.template?.metadata?.annotations?.[ANNOTATION_SECRET_HASH];
  return {
    kind,
    metadata: { name: o.metadata.name ?? '', namespace: o.metadata.namespace ?? '', ...(o.metadata.resourceVersion ? { resourceVersion: o.metadata.resourceVersion } : {}), annotations },
    referencedSecrets: referencedSecretsOf(o.spec?.template?.spec),
    ...(applied !== undefined ? { appliedHash: applied } : {}),
  };
}

/**
 * The Secrets (names in the workload's namespace) whose changes roll this workload, sorted; empty when
 * it has not opted in. `auto: "true"` (either spelling; exactly "true", as Reloader compares) tracks
 * the referenced Secrets; `reload` adds its list (comma-separated, blanks trimmed, empties dropped).
 */
export function trackedSecretsOf(w: WorkloadView): string[] {
  const a = w.metadata.annotations ?? {};
  const names = new Set<string>();
  if (a[ANNOTATION_RELOADER_AUTO] === 'true' || a[ANNOTATION_RELOADER_SECRET_AUTO] === 'true') for (const n of w.referencedSecrets) names.add(n);
  for (const n of (a[ANNOTATION_RELOADER_SECRET_RELOAD] ?? '').split(',')) if (n.trim()) names.add(n.trim());
  return [...names].sort();
}

/**
 * The value of ANNOTATION_SECRET_HASH for these tracked Secrets: the first 32 hex digits of the
 * SHA-256 of `name=dataHash` lines (sorted by name) of those Projector manages (`dataHashOf` returns
 * undefined for a Secret it does not manage or that does not exist). Undefined when none is managed:
 * nothing of Projector's to reload for. The data hashes are themselves hashes: no value is exposed.
 */
export function workloadSecretHash(tracked: readonly string[], dataHashOf: (name: string) => string | undefined): string | undefined {
  const lines: string[] = [];
  for (const name of [...tracked].sort()) {
    const h = dataHashOf(name);
    if (h !== undefined) lines.push(`${name}=${h}`);
  }
  if (lines.length === 0) return undefined;
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 32);
}

/** Why the operator looks at a workload: a tracked managed Secret's data changed, or the workload (or the operator) was (re)observed. */
export type ReloadTrigger = 'secret-data-changed' | 'observed';

/**
 * The hash to patch into the pod template, or undefined for "leave it alone":
 * - not opted in, or no tracked Secret is managed by Projector → nothing;
 * - the template already carries the current hash → nothing;
 * - the template carries another hash → patch (a change the operator missed while down, or a second change);
 * - the template carries none → patch only on `secret-data-changed`: a workload that just opted in
 *   (or an operator that just started) must not roll Pods that already read the current data.
 */
export function reloadPatchFor(w: WorkloadView, dataHashOf: (name: string) => string | undefined, trigger: ReloadTrigger): string | undefined {
  const tracked = trackedSecretsOf(w);
  if (tracked.length === 0) return undefined;
  const hash = workloadSecretHash(tracked, dataHashOf);
  if (hash === undefined || hash === w.appliedHash) return undefined;
  if (w.appliedHash === undefined && trigger !== 'secret-data-changed') return undefined;
  return hash;
}
