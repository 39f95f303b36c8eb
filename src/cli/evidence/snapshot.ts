// Pure: what evidence records about an app, derived from the objects read from the cluster. Secrets
// are reduced to metadata here; their data never enters a snapshot.
import { ANNOTATION_DATA_HASH, CONDITION_READY, DEFAULT_REFRESH_INTERVAL } from '../../api/constants.ts';
import type { KubeEvent, KubeObject } from './cluster-reader.ts';

export interface ConditionSummary {
  status?: string | undefined;
  reason?: string | undefined;
  message?: string | undefined;
  lastTransitionTime?: string | undefined;
}

/** A Secret without its values: the HOWTO's "do not decode or log it". */
export interface SecretMetadata {
  name: string;
  namespace: string;
  type?: string | undefined;
  keys: string[];
  resourceVersion?: string | undefined;
  dataHash?: string | undefined;
  labels: Record<string, string>;
  ownerReferences: unknown[];
  creationTimestamp?: string | undefined;
}

export interface StoreRefId {
  kind: 'SecretStore' | 'ClusterSecretStore';
  name: string;
  namespace?: string | undefined;
}

export interface ExternalSecretEvidence {
  name: string;
  namespace: string;
  generation?: number | undefined;
  stores: StoreRefId[];
  ready: ConditionSummary;
  targetName: string;
  refreshInterval: string;
  lastSync?: string | undefined;
  syncedResourceVersion?: string | undefined;
  /** The ExternalSecret as the cluster holds it, minus managedFields: its spec names keys, never values. */
  object: KubeObject;
  /** Undefined when the target Secret does not exist. */
  secret?: SecretMetadata | undefined;
}

export interface StoreEvidence extends StoreRefId {
  found: boolean;
  provider?: string | undefined;
  vaultUrl?: string | undefined;
  authType?: string | undefined;
  ready: ConditionSummary;
}

export interface EventLine {
  lastSeen: string;
  type: string;
  reason: string;
  object: string;
  count: number;
  message: string;
}

export interface EvidenceSnapshot {
  app: string;
  namespace: string;
  server: string;
  capturedAt: string;
  externalSecrets: ExternalSecretEvidence[];
  stores: StoreEvidence[];
  events: EventLine[];
}

type Loose = Record<string, any>;

/**
 * The app's ExternalSecrets among those listed in its namespace. With a label selector the list is
 * already the app's; otherwise, in the app's own namespace every ExternalSecret belongs to it, and in
 * a shared namespace those whose name or target Secret starts with the app name.
 */
export function selectAppExternalSecrets(items: readonly KubeObject[], app: string, namespace: string, bySelector: boolean): KubeObject[] {
  if (bySelector || namespace === app) return [...items];
  const belongs = (n: string | undefined) => n !== undefined && (n === app || n.startsWith(`${app}-`));
  return items.filter((es) => belongs(es.metadata.name) || belongs(targetNameOf(es)));
}

export function targetNameOf(es: KubeObject): string {
  return ((es as Loose).spec?.target?.name as string | undefined) || es.metadata.name;
}

export function readyOf(obj: KubeObject | undefined): ConditionSummary {
  const c = ((obj as Loose | undefined)?.status?.conditions as Loose[] | undefined)?.find((x) => x.type === CONDITION_READY);
  return c ? { status: c.status, reason: c.reason, message: c.message, lastTransitionTime: c.lastTransitionTime } : {};
}

/** Every store an ExternalSecret reads from: secretStoreRef plus per-item sourceRef.storeRef, distinct. */
export function storesOf(es: KubeObject): StoreRefId[] {
  const spec = (es as Loose).spec ?? {};
  const refs: Loose[] = [spec.secretStoreRef, ...(spec.data ?? []).map((d: Loose) => d?.sourceRef?.storeRef), ...(spec.dataFrom ?? []).map((d: Loose) => d?.sourceRef?.storeRef)];
  const out: StoreRefId[] = [];
  for (const r of refs) {
    if (!r?.name) continue;
    const kind = r.kind === 'ClusterSecretStore' ? 'ClusterSecretStore' : 'SecretStore';
    const id: StoreRefId = kind === 'SecretStore' ? { kind, name: r.name, namespace: es.metadata.namespace } : { kind, name: r.name };
    if (!out.some((o) => storeLabel(o) === storeLabel(id))) out.push(id);
  }
  return out;
}

export function storeLabel(s: StoreRefId): string {
  return s.kind === 'SecretStore' ? `SecretStore/${s.namespace ?? ''}/${s.name}` : `ClusterSecretStore/${s.name}`;
}

export function secretMetadataOf(secret: KubeObject): SecretMetadata {
  const s = secret as Loose;
  const meta = s.metadata ?? {};
  return {
    name: meta.name,
    namespace: meta.namespace,
    type: s.type,
    keys: Object.keys({ ...(s.data ?? {}), ...(s.stringData ?? {}) }).sort(),
    resourceVersion: meta.resourceVersion,
    dataHash: meta.annotations?.[ANNOTATION_DATA_HASH],
    labels: { ...(meta.labels ?? {}) },
    ownerReferences: [...(meta.ownerReferences ?? [])],
    creationTimestamp: meta.creationTimestamp,
  };
}

/** managedFields and kubectl's last-applied copy are noise in evidence. */
export function cleanedObject(obj: KubeObject): KubeObject {
  const copy = structuredClone(obj) as Loose;
  delete copy.metadata.managedFields;
  if (copy.metadata.annotations) {
    delete copy.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'];
    if (Object.keys(copy.metadata.annotations).length === 0) delete copy.metadata.annotations;
  }
  return copy as KubeObject;
}

export function externalSecretEvidence(es: KubeObject, secret: KubeObject | undefined): ExternalSecretEvidence {
  const o = es as Loose;
  return {
    name: es.metadata.name,
    namespace: es.metadata.namespace ?? '',
    generation: o.metadata.generation,
    stores: storesOf(es),
    ready: readyOf(es),
    targetName: targetNameOf(es),
    refreshInterval: o.spec?.refreshInterval ?? DEFAULT_REFRESH_INTERVAL,
    lastSync: o.status?.refreshTime ?? undefined,
    syncedResourceVersion: o.status?.syncedResourceVersion,
    object: cleanedObject(es),
    secret: secret ? secretMetadataOf(secret) : undefined,
  };
}

export function storeEvidence(id: StoreRefId, store: KubeObject | undefined): StoreEvidence {
  if (!store) return { ...id, found: false, ready: {} };
  const provider = ((store as Loose).spec?.provider ?? {}) as Loose;
  const name = Object.keys(provider)[0];
  const azurekv = provider.azurekv as Loose | undefined;
  return {
    ...id,
    found: true,
    provider: name,
    // Only non-secret identifiers: the fake provider's spec holds values and is never copied.
    vaultUrl: typeof azurekv?.vaultUrl === 'string' ? azurekv.vaultUrl : undefined,
    authType: azurekv ? (azurekv.authType ?? 'ServicePrincipal') : undefined,
    ready: readyOf(store),
  };
}

/** Events about the app's ExternalSecrets and their target Secrets, oldest first. */
export function eventLines(events: readonly KubeEvent[], externalSecrets: readonly string[], secrets: readonly string[]): EventLine[] {
  const wanted = (e: KubeEvent) =>
    (e.involvedObject?.kind === 'ExternalSecret' && externalSecrets.includes(e.involvedObject.name ?? '')) ||
    (e.involvedObject?.kind === 'Secret' && secrets.includes(e.involvedObject.name ?? ''));
  return events
    .filter(wanted)
    .map((e) => ({
      lastSeen: e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp ?? '',
      type: e.type ?? '',
      reason: e.reason ?? '',
      object: `${e.involvedObject?.kind}/${e.involvedObject?.name}`,
      count: e.count ?? 1,
      message: (e.message ?? '').replace(/\s+/g, ' ').trim(),
    }))
    .sort((a, b) => (a.lastSeen < b.lastSeen ? -1 : a.lastSeen > b.lastSeen ? 1 : 0));
}
