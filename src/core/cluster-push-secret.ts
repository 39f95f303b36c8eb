// The pure decisions of a ClusterPushSecret reconcile, following ESO v2.9's controller
// (pkg/controllers/clusterpushsecret/clusterpushsecret_controller.go and util.go): the name of the
// PushSecrets, the namespaces selected (runtime/esutils GetTargetNamespaces, shared with
// ClusterExternalSecret), the PushSecret to write in each, ownership, and the status. The reconciler
// (controller/clusterpushsecret/reconciler.ts) does the I/O in ESO's order.
import type { ClusterExternalSecret, ClusterPushSecret, ClusterPushSecretStatus, OwnerReference, PushSecret } from '../api/index.ts';
import { GROUP } from '../api/constants.ts';
import { CLUSTER_PUSH_SECRET_VERSION, PUSH_SECRET_VERSION } from '../api/kinds.ts';
import { parseDuration } from './duration.ts';
import { issue, type Issue } from './issues.ts';
import { externalSecretNeedsWrite, selectNamespaces, type NamespaceView } from './cluster-external-secret.ts';
import { checkLabelSelector, isDnsSubdomain } from './validate.ts';
import { matchesLabelSelector } from './store-access.ts';
import { validatePushSecret } from './push-secret.ts';

/** ESO's texts, verbatim (errNamespacesFailed, updateProvisionedNamespaces, markAsFailed callers). */
export const CPS_MESSAGE_NAMESPACES_FAILED = 'one or more namespaces failed';
export const CPS_REASON_ALREADY_EXISTS = 'push secret already exists in namespace';
export const CPS_MESSAGE_TARGETS_FAILED = 'failed to get target Namespaces';
export const CPS_MESSAGE_DELETE_FAILED = 'failed to delete push secret';
/** ESO's RequeueInterval default (cmd/controller/root.go: 1h) when spec.refreshTime is unset. */
export const DEFAULT_CPS_REFRESH_MS = 60 * 60_000;

/** The name of the PushSecrets it creates: spec.pushSecretName, else its own name. */
export function pushSecretNameOf(cps: ClusterPushSecret): string {
  return cps.spec.pushSecretName || cps.metadata.name;
}

/**
 * ESO's GetTargetNamespaces(nil, namespaceSelectors): the namespaces any selector matches, each
 * once, in name order; a null selector selects nothing; an invalid one fails the selection.
 */
export function selectPushNamespaces(cps: ClusterPushSecret, all: readonly NamespaceView[]): { ok: true; namespaces: NamespaceView[] } | { ok: false; error: string } {
  const asCes = { spec: { namespaceSelectors: cps.spec.namespaceSelectors ?? [] } } as unknown as ClusterExternalSecret;
  return selectNamespaces(asCes, all);
}

/** Would a namespace with these labels be selected? An invalid selector selects nothing (ESO logs it). */
export function pushSelectsNamespace(cps: ClusterPushSecret, labels: Record<string, string>): boolean {
  return (cps.spec.namespaceSelectors ?? []).some((sel, i) => !!sel && checkLabelSelector(sel, `spec.namespaceSelectors[${i}]`).length === 0 && matchesLabelSelector(sel, labels));
}

/**
 * ESO's isPushSecretOwnedBy: the controller reference is exactly apiVersion
 * external-secrets.io/v1alpha1, kind ClusterPushSecret, this name (the UID is not compared).
 */
export function isOwnedByClusterPushSecret(ps: Pick<PushSecret, 'metadata'>, cpsName: string): boolean {
  const owner = ps.metadata.ownerReferences?.find((o) => o.controller);
  return !!owner && owner.apiVersion === `${GROUP}/${CLUSTER_PUSH_SECRET_VERSION}` && owner.kind === 'ClusterPushSecret' && owner.name === cpsName;
}

/** controllerutil.SetControllerReference's reference to the ClusterPushSecret. */
export function cpsOwnerReference(cps: ClusterPushSecret): OwnerReference {
  return { apiVersion: `${GROUP}/${CLUSTER_PUSH_SECRET_VERSION}`, kind: 'ClusterPushSecret', name: cps.metadata.name, uid: cps.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

/**
 * ESO's createOrUpdatePushSecret mutate function: labels and annotations become exactly
 * pushSecretMetadata's, the spec becomes pushSecretSpec, the controller reference is set (other
 * owner references, finalizers and status kept).
 */
export function desiredPushSecret(cps: ClusterPushSecret, namespace: string, name: string, existing: PushSecret | undefined): PushSecret {
  const ref = cpsOwnerReference(cps);
  const owners = [...(existing?.metadata.ownerReferences ?? [])];
  const i = owners.findIndex((o) => o.kind === ref.kind && o.name === ref.name && o.apiVersion.split('/')[0] === GROUP);
  if (i >= 0) owners[i] = ref;
  else owners.push(ref);
  return {
    apiVersion: `${GROUP}/${PUSH_SECRET_VERSION}`,
    kind: 'PushSecret',
    metadata: {
      name,
      namespace,
      labels: { ...(cps.spec.pushSecretMetadata?.labels ?? {}) },
      annotations: { ...(cps.spec.pushSecretMetadata?.annotations ?? {}) },
      ownerReferences: owners,
      ...(existing?.metadata.finalizers?.length ? { finalizers: existing.metadata.finalizers } : {}),
      ...(existing?.metadata.resourceVersion ? { resourceVersion: existing.metadata.resourceVersion } : {}),
      ...(existing?.metadata.uid ? { uid: existing.metadata.uid } : {}),
    },
    spec: structuredClone(cps.spec.pushSecretSpec),
  };
}

/** CreateOrUpdate writes only when the mutated object differs (labels, annotations, owners, spec). */
export function pushSecretNeedsWrite(existing: PushSecret, desired: PushSecret): boolean {
  return externalSecretNeedsWrite(existing as never, desired as never);
}

/** ESO's getRemovedNamespaces: provisioned before, not selected now. */
export function removedPushNamespaces(selected: readonly NamespaceView[], provisioned: readonly string[] | undefined): string[] {
  const now = new Set(selected.map((n) => n.name));
  return (provisioned ?? []).filter((ns) => !now.has(ns));
}

/**
 * The status at the end of ESO's Reconcile: Ready True (no reason, no message) or False with
 * `one or more namespaces failed` (NewClusterPushSecretCondition, replacing the Ready condition),
 * failedNamespaces sorted by namespace, provisionedNamespaces sorted, pushSecretName.
 */
export function cpsStatusDone(status: ClusterPushSecretStatus | undefined, pushSecretName: string, failures: ReadonlyMap<string, string>, provisioned: readonly string[]): ClusterPushSecretStatus {
  const ready = failures.size === 0 ? { type: 'Ready', status: 'True' } : { type: 'Ready', status: 'False', message: CPS_MESSAGE_NAMESPACES_FAILED };
  const out: ClusterPushSecretStatus = { ...(status ?? {}), pushSecretName };
  out.conditions = [...(status?.conditions ?? []).filter((c) => c.type !== 'Ready'), ready];
  const failed = sortedFailures(failures);
  if (failed.length) out.failedNamespaces = failed;
  else delete out.failedNamespaces;
  const prov = [...provisioned].sort();
  if (prov.length) out.provisionedNamespaces = prov;
  else delete out.provisionedNamespaces;
  return out;
}

/**
 * ESO's markAsFailed: Ready False, reason Errored, the message; the transition time kept while the
 * status stays False (setClusterPushSecretCondition). `failures`, when given, replaces failedNamespaces.
 */
export function cpsStatusFailed(status: ClusterPushSecretStatus | undefined, message: string, now: Date, failures?: ReadonlyMap<string, string>): ClusterPushSecretStatus {
  const current = status?.conditions?.find((c) => c.type === 'Ready');
  const out: ClusterPushSecretStatus = { ...(status ?? {}) };
  if (!(current && current.status === 'False' && current.reason === 'Errored' && current.message === message)) {
    const lastTransitionTime = current?.status === 'False' && current.lastTransitionTime ? current.lastTransitionTime : now.toISOString().replace(/\.\d{3}Z$/, 'Z');
    out.conditions = [...(status?.conditions ?? []).filter((c) => c.type !== 'Ready'), { type: 'Ready', status: 'False', reason: 'Errored', message, lastTransitionTime }];
  }
  if (failures) {
    const failed = sortedFailures(failures);
    if (failed.length) out.failedNamespaces = failed;
    else delete out.failedNamespaces;
  }
  return out;
}

function sortedFailures(failures: ReadonlyMap<string, string>): { namespace: string; reason: string }[] {
  return [...failures].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([namespace, reason]) => ({ namespace, reason }));
}

/** Requeue period: spec.refreshTime, else ESO's one hour; 0 means no scheduled requeue. */
export function cpsRefreshMs(cps: ClusterPushSecret): number {
  const t = cps.spec.refreshTime;
  if (t === undefined) return DEFAULT_CPS_REFRESH_MS;
  return parseDuration(String(t)) ?? DEFAULT_CPS_REFRESH_MS;
}

/**
 * Checks beyond the schema, shared by `projector validate` and the reconciler: refreshTime a Go
 * duration, valid selectors, the name the PushSecrets take, no selector (warning), and the embedded
 * pushSecretSpec checked as a PushSecret would be (paths under spec.pushSecretSpec).
 */
export function validateClusterPushSecret(cps: ClusterPushSecret): Issue[] {
  const out: Issue[] = [];
  const spec = cps.spec ?? ({} as ClusterPushSecret['spec']);
  if (spec.refreshTime !== undefined && parseDuration(String(spec.refreshTime)) === undefined) {
    out.push(issue('spec.refreshTime', 'InvalidDuration', 'refreshTime must be a Go duration such as "1h" or "15m"'));
  }
  const name = cps.metadata?.name;
  if (!spec.pushSecretName && typeof name === 'string' && !isDnsSubdomain(name)) {
    out.push(issue('metadata.name', 'InvalidName', 'without spec.pushSecretName the PushSecrets take this name, which must be a DNS subdomain'));
  }
  (spec.namespaceSelectors ?? []).forEach((sel, i) => {
    if (sel) out.push(...checkLabelSelector(sel, `spec.namespaceSelectors[${i}]`));
  });
  if (!(spec.namespaceSelectors ?? []).length) out.push(issue('spec.namespaceSelectors', 'NoNamespaceSelected', 'namespaceSelectors is empty: no PushSecret will be created', 'warning'));
  if (spec.pushSecretSpec && typeof spec.pushSecretSpec === 'object') {
    const ps = { apiVersion: `${GROUP}/${PUSH_SECRET_VERSION}`, kind: 'PushSecret', metadata: { name: pushSecretNameOf(cps), namespace: 'default' }, spec: spec.pushSecretSpec } as PushSecret;
    for (const i of validatePushSecret(ps)) {
      if (i.path.startsWith('spec.') || i.path === 'spec') out.push({ ...i, path: `spec.pushSecretSpec${i.path.slice('spec'.length)}` });
    }
  }
  return out;
}
