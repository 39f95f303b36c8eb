// Accessors with ESO's defaults, so every caller reads a spec the same way.
import type { ExternalSecret, SecretStoreRef, ObjectKey } from '../api/index.ts';
import { DEFAULT_REFRESH_INTERVAL, LABEL_CREATED_BY } from '../api/constants.ts';
import { objectKey } from '../api/object-key.ts';
import { parseExternalSecretRefreshInterval } from './duration.ts';
import { effectiveRefreshIntervalMs } from './limits.ts';
import { createdByLabelValue, metaHash } from './hash.ts';

export { DEFAULT_REFRESH_INTERVAL };

export function targetNameOf(es: ExternalSecret): string {
  return es.spec.target?.name || es.metadata.name;
}

export function targetKeyOf(es: ExternalSecret): ObjectKey {
  return objectKey(es.metadata.namespace, targetNameOf(es));
}

/**
 * The index of managed Secrets by ESO's `reconcile.external-secrets.io/created-by` label (the hash of
 * the Owner ExternalSecret's "<namespace>/<name>", core/plan-target-secret.ts), per namespace: the
 * Secrets an ExternalSecret created under creationPolicy Owner, found without an API list (ESO lists
 * them by that label in deleteOrphanedSecrets).
 */
export const CREATED_BY_INDEX = 'created-by';

/** CREATED_BY_INDEX values of a Secret: "<namespace>/<label value>", or none without the label. */
export function createdByIndexValuesOf(meta: { namespace?: string | undefined; labels?: Record<string, string> | undefined }): string[] {
  const v = meta.labels?.[LABEL_CREATED_BY];
  return v ? [`${meta.namespace ?? ''}/${v}`] : [];
}

/** The CREATED_BY_INDEX value of the Secrets `es` created under creationPolicy Owner. */
export function createdByIndexValueFor(es: ExternalSecret): string {
  return `${es.metadata.namespace}/${createdByLabelValue(es.metadata.namespace, es.metadata.name)}`;
}

export function creationPolicyOf(es: ExternalSecret): 'Owner' | 'Orphan' | 'Merge' | 'CreateOrMerge' | 'None' {
  return es.spec.target?.creationPolicy ?? 'Owner';
}

/** spec.refreshPolicy with ESO's default: unset means Periodic (ESO externalsecret_controller.go shouldRefresh). */
export function refreshPolicyOf(es: ExternalSecret): 'Periodic' | 'OnChange' | 'CreatedOnce' {
  return es.spec.refreshPolicy ?? 'Periodic';
}

export function deletionPolicyOf(es: ExternalSecret): 'Delete' | 'Merge' | 'Retain' {
  return es.spec.target?.deletionPolicy ?? 'Retain';
}

/**
 * Refresh interval in ms as Projector applies it: a negative interval is 0 (ESO treats <= 0 as "sync
 * once": externalsecret_controller.go shouldRefreshPeriodic, getRequeueResult), a positive interval
 * below MIN_REFRESH_INTERVAL_MS (core/limits.ts) is raised to it; undefined when the text is not a
 * Go duration, or overflows one (validation reports it). Read by the same parser as `validate`
 * (duration.ts parseExternalSecretRefreshInterval), so blanks around the text are refused by both.
 */
export function refreshIntervalMsOf(es: ExternalSecret): number | undefined {
  const ms = parseExternalSecretRefreshInterval(es.spec.refreshInterval ?? DEFAULT_REFRESH_INTERVAL);
  return ms === undefined ? undefined : effectiveRefreshIntervalMs(ms);
}

/**
 * What a dataFrom entry reads, in ESO's order (externalsecret_controller_secret.go
 * GetProviderSecretData: find, then extract, then sourceRef.generatorRef). `undefined` for an entry
 * with none of them (only `sourceRef.storeRef`, which ESO's CRD and webhook accept): ESO's controller
 * reads nothing for it, and so do the operator, `dev` and `validate`.
 */
export function dataFromSource(d: { extract?: unknown; find?: unknown; sourceRef?: { generatorRef?: unknown } }): 'find' | 'extract' | 'generator' | undefined {
  if (d.find) return 'find';
  if (d.extract) return 'extract';
  if (d.sourceRef?.generatorRef) return 'generator';
  return undefined;
}

/** Every store this ExternalSecret reads from: the default one and any per-item sourceRef.storeRef. */
export function storeRefsOf(es: ExternalSecret): SecretStoreRef[] {
  const refs: SecretStoreRef[] = [];
  const add = (r: SecretStoreRef | undefined) => {
    if (!r) return;
    const kind = r.kind ?? 'SecretStore';
    if (!refs.some((x) => x.name === r.name && (x.kind ?? 'SecretStore') === kind)) refs.push({ name: r.name, kind });
  };
  add(es.spec.secretStoreRef);
  for (const d of es.spec.data ?? []) add(d.sourceRef?.storeRef);
  for (const d of es.spec.dataFrom ?? []) add(d.sourceRef?.storeRef);
  return refs;
}

/** Store key ("ns/name" or "/name") for a reference made from `namespace`. */
export function storeKeyOf(ref: SecretStoreRef, namespace: string): ObjectKey {
  return (ref.kind ?? 'SecretStore') === 'ClusterSecretStore' ? objectKey(undefined, ref.name) : objectKey(namespace, ref.name);
}

/**
 * ESO's syncedResourceVersion: generation plus a hash of labels and annotations, so a changed
 * `force-sync` annotation (or any label) triggers a refresh just like a spec change.
 */
export function syncVersionOf(es: ExternalSecret): string {
  return `${es.metadata.generation ?? 0}-${metaHash(es.metadata.labels, es.metadata.annotations)}`;
}
