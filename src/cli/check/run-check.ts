// Asks each store's vault about every remote reference of the scanned ExternalSecrets: does the
// secret (version, property) exist, is it enabled and not expired. Values are never printed,
// logged or kept: providers' describeSecret answers without returning one.
import type { GenericStore } from '../../api/index.ts';
import { ProjectorError } from '../../core/errors.ts';
import { assertRemoteRefBounds } from '../../core/limits.ts';
import type { Logger } from '../../platform/logger.ts';
import { resolveStoreConfig } from '../../providers/azurekv/store-config.ts';
import type { SecretsClient } from '../../providers/provider.ts';
import type { ProviderRegistry } from '../../providers/registry.ts';
import { originKey, type RepoObjects } from '../repo-objects.ts';
import { noProgress, type Progress } from '../progress.ts';
import { classifyDescription, classifyError, classifyFind, classifyPushDestination, type CheckResult } from './classify.ts';
import { environmentHost, missingVariables, requiredRoles, type CredentialEnvironment } from './environment-host.ts';
import { createConcurrencyLimit } from './limit-concurrency.ts';
import { collectClusterPushReferences, collectClusterReferences, collectPushReferences, collectReferences, describeRemote, readKeyOf, storeKeyOf, type CheckReference } from './references.ts';
import { findGenerator } from '../repo-objects.ts';
import { resolveGeneratorRef } from '../../sync/generate.ts';
import { webhookTemplateProblem } from '../../core/webhook.ts';
import { applyStoreOverrides, CheckUsageError, type StoreOverrides } from './store-overrides.ts';

export interface CheckRow extends CheckResult {
  /** "namespace/name" of the ExternalSecret, or of the PushSecret when `kind` says so, or the ClusterPushSecret's name. */
  externalSecret: string;
  /** Set for a PushSecret's destination, or a ClusterPushSecret's that is the same in every namespace. */
  kind?: 'PushSecret' | 'ClusterPushSecret';
  /** file:line of the ExternalSecret. */
  origin?: string | undefined;
  field: string;
  secretKey?: string | undefined;
  /** The remote reference as shown: `name`, `name@version`, `name#property` or a find query. */
  remote: string;
  /** `ClusterSecretStore/name` or `SecretStore/namespace/name`. */
  store?: string | undefined;
  /** Set when the reference comes from a ClusterExternalSecret's externalSecretSpec: its name. */
  clusterExternalSecret?: string | undefined;
  /** Set when the destination comes from a ClusterPushSecret's pushSecretSpec: its name. */
  clusterPushSecret?: string | undefined;
}

export interface CheckRun {
  rows: CheckRow[];
  /** Distinct vault reads made (one per store, secret, version and property). */
  reads: number;
}

export interface CheckDeps {
  registry: ProviderRegistry;
  env: CredentialEnvironment;
  overrides: StoreOverrides;
  /** Vault reads in flight at once. */
  concurrency: number;
  log: Logger;
  progress?: Progress;
  /** Per read, including client creation. Default 30 s. */
  readTimeoutMs?: number;
}

const DEFAULT_READ_TIMEOUT_MS = 30_000;

export async function runCheck(repo: RepoObjects, deps: CheckDeps): Promise<CheckRun> {
  const refs = [...collectReferences(repo.externalSecrets), ...collectClusterReferences(repo.clusterExternalSecrets, namespacedNames(repo)), ...collectPushReferences(repo.pushSecrets ?? []), ...collectClusterPushReferences(repo.clusterPushSecrets ?? [], namespacedNames(repo))];
  const stores = new Map(repo.stores.map((s) => [storeKeyOf({ kind: s.kind, name: s.metadata.name, namespace: s.metadata.namespace }), applyStoreOverrides(s, deps.overrides)]));
  assertCredentialsAvailable(refs, stores, deps.env);

  const progress = deps.progress ?? noProgress;
  const limit = createConcurrencyLimit(deps.concurrency);
  const clients = new StoreClients(deps, namespaceOfFirstUse(refs));
  const reads = new Map<string, Promise<CheckResult>>();
  // A store's first read goes alone: it creates the client, answers the vault's 401 challenge and
  // caches the token. Started together, every parallel read would take the challenge round trip.
  const firstReads = new Map<string, Promise<CheckResult>>();
  const timeoutMs = deps.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
  const readOnce = (ref: CheckReference, store: GenericStore): Promise<CheckResult> => {
    const key = readKeyOf(ref);
    let pending = reads.get(key);
    if (!pending) {
      const storeKey = storeKeyOf(ref.store!);
      const first = firstReads.get(storeKey);
      pending = first
        ? first.then(() => limit(() => readReference(ref, store, clients, timeoutMs)))
        : limit(() => readReference(ref, store, clients, timeoutMs));
      if (!first) firstReads.set(storeKey, pending);
      reads.set(key, pending);
    }
    return pending;
  };

  progress.start(refs.length);
  try {
    const rows = await Promise.all(
      refs.map(async (ref) => {
        const result = await resultFor(ref, stores, readOnce, repo);
        const row = rowOf(ref, result, repo);
        progress.advance(`${row.externalSecret} ${row.secretKey ?? row.field}: ${row.outcome}`);
        return row;
      }),
    );
    return { rows, reads: reads.size };
  } finally {
    progress.finish();
    await clients.closeAll();
  }
}

function rowOf(ref: CheckReference, result: CheckResult, repo: RepoObjects): CheckRow {
  const [namespace, name] = ref.externalSecret.split('/') as [string, string];
  const kind = ref.kind === 'push' ? 'PushSecret' : 'ExternalSecret';
  // A ClusterPushSecret's destination placed in no namespace is shown under the ClusterPushSecret itself.
  const pushKind = ref.clusterPushSecret !== undefined && ref.namespace === undefined ? ('ClusterPushSecret' as const) : ('PushSecret' as const);
  return {
    externalSecret: ref.externalSecret,
    ...(ref.kind === 'push' ? { kind: pushKind } : {}),
    ...(ref.clusterPushSecret !== undefined ? { clusterPushSecret: ref.clusterPushSecret } : {}),
    origin: repo.origins.get(ref.originKey ?? originKey(kind, namespace, name)),
    ...(ref.clusterExternalSecret !== undefined ? { clusterExternalSecret: ref.clusterExternalSecret } : {}),
    field: ref.field,
    ...(ref.secretKey !== undefined ? { secretKey: ref.secretKey } : {}),
    remote: describeRemote(ref),
    ...(ref.store ? { store: storeKeyOf(ref.store) } : {}),
    ...result,
  };
}

async function resultFor(ref: CheckReference, stores: Map<string, GenericStore>, readOnce: (ref: CheckReference, store: GenericStore) => Promise<CheckResult>, repo: RepoObjects): Promise<CheckResult> {
  if (ref.generatorRef) return generatorResult(ref, repo);
  // spec.data[].sourceRef.generatorRef: deprecated in ESO, which does not run it (validate says the same).
  if (ref.generator) return { outcome: 'error', detail: `NotSupported: ${ref.field.replace(/\.remoteRef$/, '')}.sourceRef.generatorRef is not implemented (use dataFrom[].sourceRef.generatorRef)` };
  if (!ref.store) return { outcome: 'error', detail: 'InvalidSpec: no secretStoreRef for this reference' };
  const store = stores.get(storeKeyOf(ref.store));
  if (!store) return { outcome: 'error', detail: `StoreNotFound: ${ref.store.kind} ${ref.store.name} is not defined in the scanned paths` };
  return readOnce(ref, store);
}

/**
 * A dataFrom generatorRef is not read from a vault: it is judged as the operator judges it before
 * running it (sync/generate.ts resolveGeneratorRef: the ref, the generator object among the scanned
 * manifests, its spec), and a valid one is `generated`. Nothing is generated.
 */
async function generatorResult(ref: CheckReference, repo: RepoObjects): Promise<CheckResult> {
  const g = ref.generatorRef!;
  const field = ref.field.replace(/\.sourceRef\.generatorRef$/, '');
  try {
    const getGenerator = async (kind: string, ns: string | undefined, name: string) => findGenerator(repo, kind, ns, name);
    const resolved = await resolveGeneratorRef(g, ref.namespace ?? '', field, { getGenerator, templateProblem: webhookTemplateProblem }, AbortSignal.timeout(DEFAULT_READ_TIMEOUT_MS));
    const by = g.kind === 'ClusterGenerator' ? `ClusterGenerator/${g.name} (${resolved.kind})` : `${g.kind}/${g.name}`;
    return { outcome: 'generated', detail: `not read from the vault: generated by ${by}` };
  } catch (e) {
    if (e instanceof ProjectorError && e.code === 'GeneratorNotFound') {
      const where = g.kind === 'ClusterGenerator' || !ref.namespace ? '' : ` in namespace "${ref.namespace}"`;
      return { outcome: 'error', detail: `GeneratorNotFound: ${g.kind} ${g.name}${where} is not defined in the scanned paths` };
    }
    if (e instanceof ProjectorError) return { outcome: 'error', detail: e.describe() };
    return { outcome: 'error', detail: `Internal: unexpected ${(e as Error)?.name ?? typeof e}` };
  }
}

/** Where the repository defines namespaced stores and generators, for a ClusterExternalSecret's selectors. */
function namespacedNames(repo: RepoObjects) {
  const sorted = (xs: (string | undefined)[]) => [...new Set(xs.filter((x): x is string => x !== undefined))].sort();
  return {
    secretStoreNamespaces: (name: string) => sorted(repo.stores.filter((s) => s.kind === 'SecretStore' && s.metadata.name === name).map((s) => s.metadata.namespace)),
    generatorNamespaces: (kind: string, name: string) => sorted(repo.generators.filter((g) => g.kind === kind && g.metadata.name === name).map((g) => g.metadata.namespace)),
  };
}

/** Missing credentials are a usage error for the whole run, named before any vault is asked. */
function assertCredentialsAvailable(refs: CheckReference[], stores: Map<string, GenericStore>, env: CredentialEnvironment): void {
  const used = new Set(refs.flatMap((r) => (r.store ? [storeKeyOf(r.store)] : [])));
  const problems: string[] = [];
  for (const key of [...used].sort()) {
    const store = stores.get(key);
    if (!store?.spec?.provider?.azurekv) continue;
    const { config, issues } = resolveStoreConfig(store);
    // A store with spec errors fails its references with InvalidSpec; its credentials do not matter.
    if (!config || issues.some((i) => i.severity === 'error')) continue;
    const missing = missingVariables(requiredRoles(config), env);
    if (missing.length > 0) problems.push(`${store.kind} ${store.metadata.name} needs ${missing.join(', ')}`);
  }
  if (problems.length > 0) throw new CheckUsageError(`store credentials come from the environment: ${problems.join('; ')}`);
}

/** A referent ClusterSecretStore builds a client only on behalf of a namespace: use the first ExternalSecret's. */
function namespaceOfFirstUse(refs: CheckReference[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of refs) {
    if (!r.store) continue;
    const key = storeKeyOf(r.store);
    if (!out.has(key) && r.namespace) out.set(key, r.namespace);
  }
  return out;
}

class StoreClients {
  readonly #deps: CheckDeps;
  readonly #namespaces: Map<string, string>;
  readonly #clients = new Map<string, Promise<SecretsClient>>();
  constructor(deps: CheckDeps, namespaces: Map<string, string>) {
    this.#deps = deps;
    this.#namespaces = namespaces;
  }

  clientFor(store: GenericStore, signal: AbortSignal): Promise<SecretsClient> {
    const key = storeKeyOf({ kind: store.kind, name: store.metadata.name, namespace: store.metadata.namespace });
    let client = this.#clients.get(key);
    if (!client) {
      client = this.#create(store, key, signal);
      this.#clients.set(key, client);
    }
    return client;
  }

  async #create(store: GenericStore, key: string, signal: AbortSignal): Promise<SecretsClient> {
    const provider = this.#deps.registry.providerFor(store);
    const config = store.spec.provider.azurekv ? resolveStoreConfig(store).config : undefined;
    const host = config
      ? environmentHost({ store, config, env: this.#deps.env, namespace: this.#namespaces.get(key), log: this.#deps.log })
      : environmentlessHost(this.#deps.log, this.#namespaces.get(key));
    return provider.newClient(store, host, signal);
  }

  async closeAll(): Promise<void> {
    const settled = await Promise.allSettled(this.#clients.values());
    await Promise.allSettled(settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value.close()] : [])));
  }
}

/** Providers without credentials (fake) never call the host; any call is a clear error. */
function environmentlessHost(log: Logger, namespace: string | undefined) {
  const refuse = async (): Promise<never> => {
    throw new ProjectorError('CredentialNotFound', 'this store reads no credentials in projector check');
  };
  return { ...(namespace !== undefined ? { namespace } : {}), log, readSecretKey: refuse, serviceAccountToken: refuse };
}

async function readReference(ref: CheckReference, store: GenericStore, clients: StoreClients, timeoutMs: number): Promise<CheckResult> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    if (ref.kind === 'push') {
      const client = await clients.clientFor(store, signal);
      const { remoteKey, updatePolicy } = ref.pushSecret!;
      if (!client.writer?.describeDestination) return { outcome: 'error', detail: `NotSupported: ${store.kind} ${store.metadata.name}: its provider cannot push secrets in Projector` };
      return classifyPushDestination(await client.writer.describeDestination(remoteKey, signal), updatePolicy, remoteKey);
    }
    // The same size bounds as validate and the operator (core/limits.ts), before any read.
    assertRemoteRefBounds(ref.kind === 'find' ? ref.find : ref.remoteRef, ref.field);
    const client = await clients.clientFor(store, signal);
    if (ref.kind === 'find') {
      // Listing a find needs the provider's getAllSecrets, which returns values: only the count is
      // kept, and the map is dropped at once.
      const matched = (await client.getAllSecrets(ref.find ?? {}, signal)).size;
      return classifyFind(matched);
    }
    const remoteRef = ref.remoteRef!;
    if (client.describeSecret) return classifyDescription(await client.describeSecret(remoteRef, signal), remoteRef.property);
    // A provider without describeSecret: read the value and drop it unseen; success means it exists,
    // is readable and (with a property) holds that property.
    await client.getSecret(remoteRef, signal);
    return { outcome: 'ok' };
  } catch (e) {
    if (e instanceof ProjectorError) return classifyError(e);
    if (signal.aborted) return { outcome: 'unreachable', detail: `VaultUnavailable: no answer within ${timeoutMs} ms` };
    // Not ours: a bug. Its message may quote input, so only its name is reported.
    return { outcome: 'error', detail: `Internal: unexpected ${(e as Error)?.name ?? typeof e}` };
  }
}
