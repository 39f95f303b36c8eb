// Pure: rewrites the repository's azurekv stores so the same manifests can be checked against
// another vault (the local one in tests, a staging vault in CI) without editing them.
import type { GenericStore } from '../../api/index.ts';
import type { StoreKindName } from './references.ts';

export interface StoreVaultOverride {
  kind: StoreKindName;
  name: string;
  /** Only for `SecretStore/<namespace>/<name>`. */
  namespace?: string;
  vaultUrl: string;
}

export interface StoreOverrides {
  /** Replaces every azurekv store's vaultUrl (a per-store override wins). */
  vaultUrl?: string | undefined;
  /** Sets customCloudConfig.activeDirectoryEndpoint. */
  authorityHost?: string | undefined;
  /** PEM bundle to trust; replaces caBundle and caProvider. */
  caPem?: string | undefined;
  /** An explicit tenant replaces a tenantId written inline in the store. */
  tenantId?: string | undefined;
  stores?: StoreVaultOverride[];
}

/** A bad flag: exit code 2. */
export class CheckUsageError extends Error {
  override readonly name = 'CheckUsageError';
}

/** `ClusterSecretStore/<name>=<url>`, `SecretStore/<name>=<url>` or `SecretStore/<namespace>/<name>=<url>`. */
export function parseStoreOverride(raw: string): StoreVaultOverride {
  const eq = raw.indexOf('=');
  const bad = () => new CheckUsageError(`--store "${raw}" must be ClusterSecretStore/<name>=<vault url>, SecretStore/<name>=<url> or SecretStore/<namespace>/<name>=<url>`);
  if (eq < 0) throw bad();
  const vaultUrl = raw.slice(eq + 1);
  const parts = raw.slice(0, eq).split('/');
  const kind = parts[0]?.toLowerCase();
  if (!isHttpsUrl(vaultUrl)) throw new CheckUsageError(`--store "${raw.slice(0, eq)}": the vault URL must be an https URL`);
  if (kind === 'clustersecretstore' && parts.length === 2 && parts[1]) return { kind: 'ClusterSecretStore', name: parts[1], vaultUrl };
  if (kind === 'secretstore' && parts.length === 2 && parts[1]) return { kind: 'SecretStore', name: parts[1], vaultUrl };
  if (kind === 'secretstore' && parts.length === 3 && parts[1] && parts[2]) return { kind: 'SecretStore', namespace: parts[1], name: parts[2], vaultUrl };
  throw bad();
}

export function isHttpsUrl(raw: string): boolean {
  try {
    return new URL(raw).protocol === 'https:';
  } catch {
    return false;
  }
}

function matches(o: StoreVaultOverride, store: GenericStore): boolean {
  if (o.kind !== store.kind || o.name !== store.metadata.name) return false;
  return o.namespace === undefined || o.namespace === store.metadata.namespace;
}

/** The store as it should be checked; stores of other providers come back unchanged. */
export function applyStoreOverrides(store: GenericStore, overrides: StoreOverrides): GenericStore {
  const azurekv = store.spec?.provider?.azurekv;
  if (!azurekv) return store;
  const next = structuredClone(azurekv);
  const vaultUrl = overrides.stores?.find((o) => matches(o, store))?.vaultUrl ?? overrides.vaultUrl;
  if (vaultUrl) next.vaultUrl = vaultUrl;
  if (overrides.authorityHost) next.customCloudConfig = { ...(next.customCloudConfig ?? {}), activeDirectoryEndpoint: overrides.authorityHost };
  if (overrides.caPem) {
    next.caBundle = Buffer.from(overrides.caPem, 'utf8').toString('base64');
    delete next.caProvider;
  } else if (next.caProvider) {
    // caProvider reads a Kubernetes Secret or ConfigMap, and CI has no cluster: without --ca-file the
    // connection trusts Node's defaults (system roots plus NODE_EXTRA_CA_CERTS).
    delete next.caProvider;
  }
  if (overrides.tenantId && typeof next.tenantId === 'string') next.tenantId = overrides.tenantId;
  return { ...store, spec: { ...store.spec, provider: { ...store.spec.provider, azurekv: next } } };
}
