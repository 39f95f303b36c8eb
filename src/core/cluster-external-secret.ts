// The pure decisions of a ClusterExternalSecret reconcile, following ESO's controller
// (pkg/controllers/clusterexternalsecret/clusterexternalsecret_controller.go and util.go,
// runtime/esutils/utils.go GetTargetNamespaces): which namespaces are selected, which
// ExternalSecrets to write or delete, and the status. The reconciler (controller/
// clusterexternalsecret/reconciler.ts) does the I/O in ESO's order and feeds the outcomes back here.
import type { ClusterExternalSecret, ClusterExternalSecretStatus, ExternalSecret, LabelSelector, OwnerReference } from '../api/index.ts';
import { ANNOTATION_CES_FORCE_SYNC, API_VERSION, CONDITION_READY, GROUP } from '../api/constants.ts';
import { parseDuration } from './duration.ts';
import { issue, type Issue } from './issues.ts';
import { matchesLabelSelector } from './store-access.ts';
import { checkLabelSelector, isDnsSubdomain, validateExternalSecret } from './validate.ts';

/** ESO's finalizer on a ClusterExternalSecret: its ExternalSecrets are removed before it goes. */
export const FINALIZER_CES_CLEANUP = 'externalsecrets.external-secrets.io/clusterexternalsecret-cleanup';
/** ESO's per-ClusterExternalSecret finalizer on each namespace it provisions (buildCESFinalizer). */
export function namespaceFinalizerFor(cesName: string): string {
  return `externalsecrets.external-secrets.io/ces-${cesName}`;
}
/** ESO's default requeue (cmd/controller/root.go: RequeueInterval time.Hour) when spec.refreshTime is unset. */
export const DEFAULT_CES_REFRESH_MS = 60 * 60_000;
/** ESO's texts, verbatim (errNamespacesFailed, gatherProvisionedNamespaces). */
export const CES_MESSAGE_NAMESPACES_FAILED = 'one or more namespaces failed';
export const CES_REASON_ALREADY_EXISTS = 'external secret already exists in namespace';

/** What the planner reads of a Namespace (the operator's namespace cache keeps these fields). */
export interface NamespaceView {
  name: string;
  labels: Record<string, string>;
  finalizers: readonly string[];
  terminating: boolean;
  resourceVersion?: string;
}

/** The name of the ExternalSecrets it creates: spec.externalSecretName, else its own name. */
export function externalSecretNameOf(ces: ClusterExternalSecret): string {
  return ces.spec.externalSecretName || ces.metadata.name;
}

/** The deprecated namespaceSelector first, then namespaceSelectors (ESO's Reconcile and queueRequestsForItem). */
export function namespaceSelectorsOf(ces: ClusterExternalSecret): { selector: LabelSelector | null; path: string }[] {
  const out: { selector: LabelSelector | null; path: string }[] = [];
  if (ces.spec.namespaceSelector) out.push({ selector: ces.spec.namespaceSelector, path: 'spec.namespaceSelector' });
  (ces.spec.namespaceSelectors ?? []).forEach((selector, i) => out.push({ selector: selector ?? null, path: `spec.namespaceSelectors[${i}]` }));
  return out;
}

/**
 * ESO's GetTargetNamespaces: `spec.namespaces` (each as a `kubernetes.io/metadata.name` selector),
 * then the selectors, ORed, each namespace once, in that order (each list in name order, as the API
 * server lists). A null selector selects nothing (LabelSelectorAsSelector(nil)); an invalid one
 * fails the whole selection, as in ESO, naming the field (ESO prints the selector).
 */
export function selectNamespaces(ces: ClusterExternalSecret, all: readonly NamespaceView[]): { ok: true; namespaces: NamespaceView[] } | { ok: false; error: string } {
  const sorted = [...all].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const selectors: { selector: LabelSelector | null; path: string }[] = [
    ...(ces.spec.namespaces ?? []).map((ns, i) => ({ selector: { matchLabels: { 'kubernetes.io/metadata.name': ns } }, path: `spec.namespaces[${i}]` })),
    ...namespaceSelectorsOf(ces),
  ];
  const seen = new Set<string>();
  const out: NamespaceView[] = [];
  for (const { selector, path } of selectors) {
    if (!selector) continue;
    const problem = checkLabelSelector(selector, path)[0];
    if (problem) return { ok: false, error: `failed to convert label selector ${path}: ${problem.path}: ${problem.message}` };
    for (const ns of sorted) {
      if (seen.has(ns.name) || !matchesLabelSelector(selector, ns.labels)) continue;
      seen.add(ns.name);
      out.push(ns);
    }
  }
  return { ok: true, namespaces: out };
}

/**
 * Would a namespace with these labels (or this name) be selected? ESO's namespace watch enqueues a
 * ClusterExternalSecret for the namespace's old and new labels (findObjectsForNamespace); an
 * invalid selector selects nothing here (ESO logs and skips it).
 */
export function selectsNamespace(ces: ClusterExternalSecret, name: string, labels: Record<string, string>): boolean {
  if ((ces.spec.namespaces ?? []).includes(name)) return true;
  return namespaceSelectorsOf(ces).some(({ selector, path }) => selector !== null && checkLabelSelector(selector, path).length === 0 && matchesLabelSelector(selector, labels));
}

/**
 * ESO's isExternalSecretOwnedBy: the ExternalSecret's controller reference is a ClusterExternalSecret
 * (any version of the group) with this name. The UID is not compared, as in ESO.
 */
export function isOwnedByClusterExternalSecret(es: Pick<ExternalSecret, 'metadata'>, cesName: string): boolean {
  const owner = es.metadata.ownerReferences?.find((o) => o.controller);
  if (!owner) return false;
  const group = owner.apiVersion.includes('/') ? owner.apiVersion.slice(0, owner.apiVersion.indexOf('/')) : '';
  return group === GROUP && owner.kind === 'ClusterExternalSecret' && owner.name === cesName;
}

/** The controller reference ESO sets (controllerutil.SetControllerReference). */
export function cesOwnerReference(ces: ClusterExternalSecret): OwnerReference {
  return { apiVersion: API_VERSION, kind: 'ClusterExternalSecret', name: ces.metadata.name, uid: ces.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

/**
 * ESO's createOrUpdateExternalSecret mutate function applied to the existing ExternalSecret (or a
 * new one): labels and annotations become exactly externalSecretMetadata's (ESO assigns the maps),
 * plus the ClusterExternalSecret's `external-secrets.io/force-sync` annotation when it has one (and
 * without it when it has none, even if externalSecretMetadata names it); the spec becomes
 * externalSecretSpec; the controller reference to the ClusterExternalSecret is added or refreshed
 * (other owner references, finalizers and status are kept).
 */
export function desiredExternalSecret(ces: ClusterExternalSecret, namespace: string, name: string, existing: ExternalSecret | undefined): ExternalSecret {
  const labels = { ...(ces.spec.externalSecretMetadata?.labels ?? {}) };
  const annotations = { ...(ces.spec.externalSecretMetadata?.annotations ?? {}) };
  const forceSync = ces.metadata.annotations?.[ANNOTATION_CES_FORCE_SYNC];
  if (forceSync !== undefined) annotations[ANNOTATION_CES_FORCE_SYNC] = forceSync;
  else delete annotations[ANNOTATION_CES_FORCE_SYNC];
  const ref = cesOwnerReference(ces);
  const owners = [...(existing?.metadata.ownerReferences ?? [])];
  const i = owners.findIndex((o) => o.kind === ref.kind && o.name === ref.name && o.apiVersion.split('/')[0] === GROUP);
  if (i >= 0) owners[i] = ref;
  else owners.push(ref);
  return {
    apiVersion: API_VERSION,
    kind: 'ExternalSecret',
    metadata: {
      name,
      namespace,
      labels,
      annotations,
      ownerReferences: owners,
      ...(existing?.metadata.finalizers?.length ? { finalizers: existing.metadata.finalizers } : {}),
      ...(existing?.metadata.resourceVersion ? { resourceVersion: existing.metadata.resourceVersion } : {}),
      ...(existing?.metadata.uid ? { uid: existing.metadata.uid } : {}),
    },
    spec: structuredClone(ces.spec.externalSecretSpec),
  };
}

/** controllerutil.CreateOrUpdate writes only when the mutated object differs (labels, annotations, owners, spec). */
export function externalSecretNeedsWrite(existing: ExternalSecret, desired: ExternalSecret): boolean {
  const norm = (o: ExternalSecret) =>
    canonicalJson({
      labels: o.metadata.labels ?? {},
      annotations: o.metadata.annotations ?? {},
      owners: (o.metadata.ownerReferences ?? []).map((r) => [r.apiVersion, r.kind, r.name, r.uid, r.controller ?? false, r.blockOwnerDeletion ?? false]),
      spec: o.spec ?? {},
    });
  return norm(existing) !== norm(desired);
}

function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) =>
    val !== null && typeof val === 'object' && !Array.isArray(val) ? Object.fromEntries(Object.entries(val as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : val,
  );
}

/** ESO's getRemovedNamespaces: provisioned before, not selected now. */
export function removedNamespaces(selected: readonly NamespaceView[], provisioned: readonly string[] | undefined): string[] {
  const now = new Set(selected.map((n) => n.name));
  return (provisioned ?? []).filter((ns) => !now.has(ns));
}

/**
 * The status ESO's deferred patch writes: the Ready condition replaced (other conditions kept;
 * True without a message, or False with `one or more namespaces failed`), failedNamespaces sorted
 * by namespace, and — when given — provisionedNamespaces sorted.
 */
export function cesStatusWith(
  status: ClusterExternalSecretStatus | undefined,
  change: { externalSecretName?: string; failures: ReadonlyMap<string, string>; provisioned?: readonly string[] },
): ClusterExternalSecretStatus {
  const ready = change.failures.size === 0 ? { type: CONDITION_READY, status: 'True' } : { type: CONDITION_READY, status: 'False', message: CES_MESSAGE_NAMESPACES_FAILED };
  const out: ClusterExternalSecretStatus = { ...(status ?? {}) };
  if (change.externalSecretName !== undefined) out.externalSecretName = change.externalSecretName;
  out.conditions = [...(status?.conditions ?? []).filter((c) => c.type !== CONDITION_READY), ready];
  const failed = [...change.failures].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([namespace, reason]) => ({ namespace, reason }));
  if (failed.length) out.failedNamespaces = failed;
  else delete out.failedNamespaces;
  if (change.provisioned !== undefined) {
    const provisioned = [...change.provisioned].sort();
    if (provisioned.length) out.provisionedNamespaces = provisioned;
    else delete out.provisionedNamespaces;
  }
  return out;
}

/** Requeue period: spec.refreshTime, else ESO's one hour. 0 means no scheduled requeue. */
export function cesRefreshMs(ces: ClusterExternalSecret): number {
  const t = ces.spec.refreshTime;
  if (t === undefined) return DEFAULT_CES_REFRESH_MS;
  return parseDuration(String(t)) ?? DEFAULT_CES_REFRESH_MS;
}

/**
 * Semantic checks beyond the schema, shared by `projector validate` and the reconciler: refreshTime
 * must be a Go duration (ESO cannot even decode the object otherwise), the selectors must be valid,
 * a spec that selects no namespace is suspicious (warning), and the embedded externalSecretSpec is
 * checked as an ExternalSecret would be (paths under spec.externalSecretSpec).
 */
export function validateClusterExternalSecret(ces: ClusterExternalSecret): Issue[] {
  const out: Issue[] = [];
  const spec = ces.spec ?? ({} as ClusterExternalSecret['spec']);
  const name = ces.metadata?.name;
  if (spec.refreshTime !== undefined && parseDuration(String(spec.refreshTime)) === undefined) {
    out.push(issue('spec.refreshTime', 'InvalidDuration', 'refreshTime must be a Go duration such as "1h" or "15m"'));
  }
  if (!spec.externalSecretName && typeof name === 'string' && !isDnsSubdomain(name)) {
    out.push(issue('metadata.name', 'InvalidName', 'without spec.externalSecretName the ExternalSecrets take this name, which must be a DNS subdomain'));
  }
  const selectors = namespaceSelectorsOf(ces as ClusterExternalSecret);
  for (const { selector, path } of selectors) if (selector) out.push(...checkLabelSelector(selector, path));
  if (selectors.length === 0 && !(spec.namespaces ?? []).length) {
    out.push(issue('spec', 'NoNamespaceSelected', 'neither namespaces nor namespaceSelectors is set: no ExternalSecret will be created', 'warning'));
  }
  if (spec.externalSecretSpec && typeof spec.externalSecretSpec === 'object') {
    const es = { apiVersion: API_VERSION, kind: 'ExternalSecret', metadata: { name: externalSecretNameOf(ces as ClusterExternalSecret), namespace: 'default' }, spec: spec.externalSecretSpec } as ExternalSecret;
    for (const i of validateExternalSecret(es)) {
      if (i.path.startsWith('spec.') || i.path === 'spec') out.push({ ...i, path: `spec.externalSecretSpec${i.path.slice('spec'.length)}` });
    }
  }
  return out;
}

/**
 * The issue that stops a ClusterExternalSecret from creating any ExternalSecret: one ESO could not
 * even decode (refreshTime) or select namespaces with (a selector). Other issues (the embedded
 * externalSecretSpec's) surface on the ExternalSecrets it creates, as in ESO. Shared by the
 * reconciler and `projector dev`.
 */
export function blockingIssue(ces: ClusterExternalSecret): Issue | undefined {
  return validateClusterExternalSecret(ces).find((i) => i.severity === 'error' && (i.path === 'spec.refreshTime' || i.path.startsWith('spec.namespaceSelector')));
}
