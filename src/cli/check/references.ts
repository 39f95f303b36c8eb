// Pure: the remote references a repository's ExternalSecrets make, one per data item and dataFrom
// entry, each tied to the store it reads from, and the key that makes two of them one vault read.
import type { ClusterExternalSecret, ClusterPushSecret, ExternalSecret, FindRef, PushSecret, RemoteRef, SecretStoreRef } from '../../api/index.ts';
import type { GeneratorRef } from '../../sync/generate.ts';
import { desiredExternalSecret, externalSecretNameOf, namespaceSelectorsOf } from '../../core/cluster-external-secret.ts';
import { abbreviate } from '../../core/limits.ts';
import { desiredPushSecret, pushSecretNameOf } from '../../core/cluster-push-secret.ts';

export type StoreKindName = 'SecretStore' | 'ClusterSecretStore';

export interface StoreId {
  kind: StoreKindName;
  name: string;
  /** Set for a SecretStore: the ExternalSecret's namespace. */
  namespace?: string;
}

/** One remote reference of one ExternalSecret. */
export interface CheckReference {
  /** "namespace/name" of the ExternalSecret. */
  externalSecret: string;
  /** Field path, e.g. `spec.data[0].remoteRef`. */
  field: string;
  kind: 'data' | 'extract' | 'find' | 'push';
  /** Set for a PushSecret's destination (then `externalSecret` names the PushSecret). */
  pushSecret?: { remoteKey: string; updatePolicy: 'Replace' | 'IfNotExists' };
  /** The target Secret key, for data items. */
  secretKey?: string;
  /** Undefined when the ExternalSecret names no store for this reference. */
  store?: StoreId;
  remoteRef?: RemoteRef;
  find?: FindRef;
  /** The reference reads from a generator, not from a vault. */
  generator?: boolean;
  /** dataFrom[].sourceRef.generatorRef (spec.data[] has none that runs: ESO does not implement it there). */
  generatorRef?: GeneratorRef;
  /** The namespace the reference is read for (a SecretStore's, a generator's): the ExternalSecret's. */
  namespace?: string;
  /** Key of `RepoObjects.origins` for the manifest that makes this reference. */
  originKey?: string;
  /** Set when the reference comes from a ClusterExternalSecret's externalSecretSpec: its name. */
  clusterExternalSecret?: string;
  /** Set when the destination comes from a ClusterPushSecret's pushSecretSpec: its name. */
  clusterPushSecret?: string;
}

export function storeKeyOf(store: StoreId): string {
  return store.kind === 'ClusterSecretStore' ? `ClusterSecretStore/${store.name}` : `SecretStore/${store.namespace ?? ''}/${store.name}`;
}

export function externalSecretKeyOf(es: ExternalSecret): string {
  return `${es.metadata.namespace}/${es.metadata.name}`;
}

function storeOf(es: ExternalSecret, ref: SecretStoreRef | undefined): StoreId | undefined {
  const chosen = ref ?? es.spec.secretStoreRef;
  if (!chosen?.name) return undefined;
  const kind: StoreKindName = chosen.kind === 'ClusterSecretStore' ? 'ClusterSecretStore' : 'SecretStore';
  return kind === 'SecretStore' ? { kind, name: chosen.name, namespace: es.metadata.namespace } : { kind, name: chosen.name };
}

/** Every remote reference, in manifest order: data items first, then dataFrom entries. */
export function collectReferences(externalSecrets: readonly ExternalSecret[]): CheckReference[] {
  const out: CheckReference[] = [];
  for (const es of externalSecrets) {
    const externalSecret = externalSecretKeyOf(es);
    const placed = { namespace: es.metadata.namespace, originKey: originKeyOf('ExternalSecret', es.metadata.namespace, es.metadata.name) };
    (es.spec.data ?? []).forEach((d, i) => {
      const store = storeOf(es, d.sourceRef?.storeRef);
      out.push({
        externalSecret,
        ...placed,
        field: `spec.data[${i}].remoteRef`,
        kind: 'data',
        secretKey: d.secretKey,
        ...(store ? { store } : {}),
        remoteRef: d.remoteRef,
        ...(d.sourceRef?.generatorRef ? { generator: true } : {}),
      });
    });
    (es.spec.dataFrom ?? []).forEach((d, i) => {
      const store = storeOf(es, d.sourceRef?.storeRef);
      const generatorRef = d.sourceRef?.generatorRef;
      const common = { externalSecret, ...placed, ...(store ? { store } : {}), ...(generatorRef ? { generator: true, generatorRef } : {}) };
      if (d.extract) out.push({ ...common, field: `spec.dataFrom[${i}].extract`, kind: 'extract', remoteRef: d.extract });
      else if (d.find) out.push({ ...common, field: `spec.dataFrom[${i}].find`, kind: 'find', find: d.find });
      else if (d.sourceRef?.generatorRef) out.push({ ...common, field: `spec.dataFrom[${i}].sourceRef.generatorRef`, kind: 'extract' });
    });
  }
  return out;
}

/**
 * Every destination of every PushSecret: one per data item and named store (a store chosen by
 * label is not resolved by check and is left out), in manifest order.
 */
export function collectPushReferences(pushSecrets: readonly PushSecret[]): CheckReference[] {
  const out: CheckReference[] = [];
  for (const ps of pushSecrets) {
    const externalSecret = `${ps.metadata.namespace}/${ps.metadata.name}`;
    const updatePolicy = ps.spec.updatePolicy ?? 'Replace';
    for (const ref of ps.spec.secretStoreRefs ?? []) {
      if (!ref.name) continue;
      const kind: StoreKindName = ref.kind === 'ClusterSecretStore' ? 'ClusterSecretStore' : 'SecretStore';
      const store: StoreId = kind === 'SecretStore' ? { kind, name: ref.name, namespace: ps.metadata.namespace } : { kind, name: ref.name };
      (ps.spec.data ?? []).forEach((d, i) => {
        const remoteKey = d.match?.remoteRef?.remoteKey ?? '';
        out.push({
          externalSecret,
          field: `spec.data[${i}].match.remoteRef`,
          kind: 'push',
          ...(d.match?.secretKey !== undefined ? { secretKey: d.match.secretKey } : {}),
          store,
          pushSecret: { remoteKey, updatePolicy },
        });
      });
    }
    // A dataTo bundle (remoteKey set) has one known destination in its named store. Per-key dataTo
    // names its destinations from the source Secret's keys, which a repository does not hold, and a
    // label-selected store is chosen in the cluster: neither can be checked offline (docs/cli/check.md).
    (ps.spec.dataTo ?? []).forEach((d, i) => {
      if (!d.remoteKey || !d.storeRef?.name) return;
      const kind: StoreKindName = d.storeRef.kind === 'ClusterSecretStore' ? 'ClusterSecretStore' : 'SecretStore';
      const store: StoreId = kind === 'SecretStore' ? { kind, name: d.storeRef.name, namespace: ps.metadata.namespace } : { kind, name: d.storeRef.name };
      out.push({ externalSecret, field: `spec.dataTo[${i}]`, kind: 'push', store, pushSecret: { remoteKey: d.remoteKey, updatePolicy } });
    });
  }
  return out;
}

/**
 * Two references with the same read key are answered by one vault read: same store, same secret,
 * version and property (and metadataPolicy, which turns the property into a tag name).
 */
export function readKeyOf(ref: CheckReference): string {
  const store = ref.store ? storeKeyOf(ref.store) : '';
  if (ref.kind === 'push') return JSON.stringify(['push', store, ref.pushSecret?.remoteKey ?? '', ref.pushSecret?.updatePolicy ?? '']);
  if (ref.kind === 'find') return JSON.stringify(['find', store, ref.find?.path ?? '', ref.find?.name?.regexp ?? '', sortedEntries(ref.find?.tags)]);
  const r = ref.remoteRef;
  return JSON.stringify(['ref', store, r?.key ?? '', r?.version ?? '', r?.property ?? '', r?.metadataPolicy ?? 'None']);
}

function sortedEntries(map: Record<string, string> | undefined): [string, string][] {
  return Object.entries(map ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** How a reference is shown in the report: `name`, `name@version`, `name#property`, or the find query. */
export function describeRemote(ref: CheckReference): string {
  if (ref.generator) return '(generator)';
  if (ref.kind === 'push') return `→ ${abbreviate(ref.pushSecret?.remoteKey ?? '')}`;
  if (ref.kind === 'find') {
    const parts: string[] = [];
    if (ref.find?.path) parts.push(`path=${abbreviate(ref.find.path)}`);
    if (ref.find?.name?.regexp !== undefined) parts.push(`name=~${ref.find.name.regexp}`);
    for (const [k, v] of sortedEntries(ref.find?.tags)) parts.push(`tag ${k}=${v}`);
    return `find ${parts.join(' ') || '(all)'}`;
  }
  const r = ref.remoteRef;
  if (!r) return '';
  const version = r.version ? `@${abbreviate(r.version)}` : '';
  const property = r.property ? `#${abbreviate(r.property)}` : '';
  return `${abbreviate(r.key)}${version}${property}`;
}

/** What collectClusterReferences needs to know of the repository to place namespaced references. */
export interface NamespacedNames {
  /** Namespaces in which the repository defines a SecretStore of this name. */
  secretStoreNamespaces(name: string): string[];
  /** Namespaces in which the repository defines a generator of this kind and name. */
  generatorNamespaces(kind: string, name: string): string[];
}

/**
 * The references of each ClusterExternalSecret's externalSecretSpec, as the ExternalSecrets it
 * would create make them (core/cluster-external-secret.ts desiredExternalSecret), each checked once:
 * a reference to a ClusterSecretStore (or a ClusterGenerator) reads the same thing in every namespace,
 * so it is one row, `ClusterExternalSecret/<name>`. A reference to a SecretStore (or a namespaced
 * generator) reads a different object in each namespace: one row per namespace in `spec.namespaces`,
 * and — for namespaceSelectors, whose labels only a cluster knows — per namespace where the scanned
 * paths define that store or generator; none at all is one row that fails as an ExternalSecret's
 * reference to an undefined store does.
 */
export function collectClusterReferences(cesList: readonly ClusterExternalSecret[], repo: NamespacedNames): CheckReference[] {
  const out: CheckReference[] = [];
  for (const ces of cesList) {
    if (!ces.spec?.externalSecretSpec) continue;
    const cesName = ces.metadata.name;
    const esName = externalSecretNameOf(ces);
    const listed = [...new Set(ces.spec.namespaces ?? [])];
    const bySelector = namespaceSelectorsOf(ces).some((s) => s.selector !== null);
    const once = `ClusterExternalSecret/${cesName}`;
    const common = { clusterExternalSecret: cesName, originKey: originKeyOf('ClusterExternalSecret', undefined, cesName) };
    // Collected on a stand-in ExternalSecret in a placeholder namespace, then placed.
    const template = collectReferences([desiredExternalSecret(ces, '', esName, undefined)]);
    for (const { namespace: _placeholder, ...ref } of template) {
      const namespacedStore = ref.store?.kind === 'SecretStore';
      const namespacedGenerator = ref.generatorRef !== undefined && ref.generatorRef.kind !== 'ClusterGenerator';
      if (!namespacedStore && !namespacedGenerator) {
        out.push({ ...ref, ...common, externalSecret: once, ...(listed[0] !== undefined ? { namespace: listed[0] } : {}) });
        continue;
      }
      const found = bySelector ? (namespacedStore ? repo.secretStoreNamespaces(ref.store!.name) : repo.generatorNamespaces(ref.generatorRef!.kind, ref.generatorRef!.name)) : [];
      const namespaces = [...new Set([...listed, ...found])];
      if (namespaces.length === 0) {
        out.push({ ...ref, ...common, externalSecret: once });
        continue;
      }
      for (const ns of namespaces) {
        out.push({ ...ref, ...common, externalSecret: `${ns}/${esName}`, namespace: ns, ...(namespacedStore ? { store: { ...ref.store!, namespace: ns } } : {}) });
      }
    }
  }
  return out;
}

/**
 * The destinations of each ClusterPushSecret's pushSecretSpec, as the PushSecrets it would create
 * (core/cluster-push-secret.ts desiredPushSecret) name them. Its namespaceSelectors match namespace
 * labels, which only a cluster knows, so check places them as it places a ClusterExternalSecret's
 * references: a ClusterSecretStore destination is the same in every namespace, one row keyed by the
 * ClusterPushSecret's name (no namespace); a SecretStore destination is one row per namespace where
 * the scanned paths define that store (keyed `<namespace>/<PushSecret name>`), and one row that fails
 * as an undefined store when they define it nowhere.
 */
export function collectClusterPushReferences(cpsList: readonly ClusterPushSecret[], repo: Pick<NamespacedNames, 'secretStoreNamespaces'>): CheckReference[] {
  const out: CheckReference[] = [];
  for (const cps of cpsList) {
    if (!cps.spec?.pushSecretSpec) continue;
    const cpsName = cps.metadata.name;
    const psName = pushSecretNameOf(cps);
    const common = { clusterPushSecret: cpsName, originKey: originKeyOf('ClusterPushSecret', undefined, cpsName) };
    // Collected on the PushSecret it would create in a placeholder namespace, then placed.
    for (const ref of collectPushReferences([desiredPushSecret(cps, '', psName, undefined)])) {
      if (ref.store?.kind !== 'SecretStore') {
        out.push({ ...ref, ...common, externalSecret: cpsName });
        continue;
      }
      const namespaces = repo.secretStoreNamespaces(ref.store.name);
      if (namespaces.length === 0) out.push({ ...ref, ...common, externalSecret: cpsName });
      for (const ns of namespaces) out.push({ ...ref, ...common, externalSecret: `${ns}/${psName}`, namespace: ns, store: { ...ref.store, namespace: ns } });
    }
  }
  return out;
}

/** Same as repo-objects' originKey (kept here to leave this module free of I/O imports). */
function originKeyOf(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}
