// `projector dev` without a cluster: the local vault, the repository's manifests, and the operator's
// own ExternalSecret reconciler writing each target Secret to files. Manifest edits and vault
// rotations show up live.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ExternalSecret, GeneratorObject, GenericStore, ObjectKey } from '../../api/index.ts';
import type { FetchOptions } from '../../sync/fetch-provider-data.ts';
import { resolveGeneratorRef, runGeneratorRef, type GeneratorDeps } from '../../sync/generate.ts';
import { cryptoRandom } from '../../platform/random.ts';
import { expandClusterExternalSecrets } from './expand.ts';
import { objectKey } from '../../api/object-key.ts';
import { ProjectorError } from '../../core/errors.ts';
import { CREATED_BY_INDEX, createdByIndexValuesOf, storeKeyOf, storeRefsOf, targetKeyOf, targetNameOf } from '../../core/external-secret.ts';
import { parseDuration } from '../../core/duration.ts';
import { Sensitive } from '../../core/sensitive.ts';
import { lazyTemplateEngine } from '../../controller/template-engine.ts';
import { ChangeTimes } from '../../controller/change-times.ts';
import { DEFAULT_CONTROLLER_CLASS } from '../../core/controller-class.ts';
import { ExternalSecretReconciler } from '../../controller/externalsecret/reconciler.ts';
import type { EventSink } from '../../controller/events.ts';
import { defaultControllerRateLimiter } from '../../controller/rate-limiter.ts';
import { runWorkers, WorkerCounters } from '../../controller/run-workers.ts';
import { WorkQueue } from '../../controller/workqueue.ts';
import { ObjectStore } from '../../kube/object-store.ts';
import { secretRefNamespace } from '../../kube/provider-host.ts';
import { silentLogger, type Logger } from '../../platform/logger.ts';
import { systemClock, systemTemplateClock } from '../../platform/clock.ts';
import type { ProviderHost } from '../../providers/provider.ts';
import { ClientCache } from '../../sync/client-cache.ts';
import { hasDevPrincipal, loadOrCreateDevPrincipal, writeCombinedCaBundle, writeDevEnvFile, type StartedVault } from '../../vault/index.ts';
import { startVaultForCli } from '../local-vault.ts';
import { toProjectorError } from '../../providers/azurekv/errors.ts';
import { defaultRegistry } from '../default-registry.ts';
import { watchManifests } from './manifest-watch.ts';
import { findGenerator, loadRepoObjects, originKey, type RepoObjects } from '../repo-objects.ts';
import { collectReferences, storeKeyOf as referenceStoreKey } from '../check/references.ts';
import { FileSecrets } from './file-secrets.ts';
import { FileObjects } from './file-objects.ts';
import { genericTargetOf } from '../../core/generic-target.ts';
import { devCredentialSecrets, pointStoreAtLocalVault, remoteKeysNeeded, type DevPrincipal } from './local-stores.ts';
import { generatedValue, promptHidden, readSeedFile } from './seed-values.ts';

export interface DevOptions {
  paths: string[];
  /** --exclude patterns (gitignore syntax); .gitignore files are honoured too. */
  exclude?: string[];
  /** Git-ignored working folder: vault state, dev principal, projected Secrets. */
  workDir: string;
  /** Overrides every ExternalSecret's refreshInterval locally (a Go duration). */
  refresh: string;
  once: boolean;
  demo: boolean;
  prompt: boolean;
  seedFile?: string;
  port?: number;
  out: NodeJS.WritableStream;
  input?: NodeJS.ReadStream;
  log?: Logger;
  /**
   * The operator's --unsafe-allow-generic-targets (default false, as the operator's): dev judges
   * generic targets (spec.target.manifest) as an operator started with the same flag would, and
   * with it writes them to files (file-objects.ts), or to the cluster with --cluster.
   */
  allowGenericTargets?: boolean;
}

export interface Printer {
  line(text: string): void;
}

/**
 * The development principal, shared with `projector vault serve` on the same directory
 * (<work-dir>/vault/dev-principal.json); one written by an earlier Projector at
 * <work-dir>/dev-principal.json is carried over.
 */
function loadPrincipal(workDir: string): DevPrincipal {
  const vaultDir = join(workDir, 'vault');
  const legacy = join(workDir, 'dev-principal.json');
  if (!hasDevPrincipal(vaultDir) && existsSync(legacy)) copyFileSync(legacy, join(vaultDir, 'dev-principal.json'));
  const { principal } = loadOrCreateDevPrincipal(vaultDir);
  return { clientId: principal.clientId, clientSecret: principal.clientSecret ?? '' };
}

/**
 * The line dev prints under the vault URL: where the development principal's credentials are
 * (never the secret itself) and the commands that rotate a value with them.
 */
export function devCredentialsHint(envFile: string): string {
  return `dev principal credentials (mode 0600, never printed): ${envFile}; change a value with: set -a; . ${envFile}; set +a; npx projector vault secret set --name <name> --value-stdin`;
}

/** Puts a value in the local vault for every secret the manifests read that it does not have yet. */
async function seedVault(repo: RepoObjects, vault: StartedVault, opts: DevOptions, print: Printer): Promise<string[]> {
  const azureStores = new Set(repo.stores.filter((s) => s.spec.provider.azurekv).map((s) => referenceStoreKey({ kind: s.kind, name: s.metadata.name, namespace: s.metadata.namespace })));
  const needed = remoteKeysNeeded(collectReferences(repo.externalSecrets).filter((r) => r.store && azureStores.has(referenceStoreKey(r.store))));
  const present = new Set(vault.admin.secretNames());
  const fromFile = opts.seedFile ? readSeedFile(opts.seedFile) : new Map<string, string>();
  const seeded: string[] = [];
  for (const [name, properties] of needed) {
    if (present.has(name)) continue;
    let value = fromFile.get(name);
    let how = `from ${opts.seedFile}`;
    if (value === undefined && opts.prompt && opts.input?.isTTY) {
      value = await promptHidden(`value for vault secret "${name}"${properties.size ? ` (JSON with ${[...properties].join(', ')})` : ''}: `, opts.input, process.stdout);
      how = 'as typed';
    }
    if (value === undefined) {
      value = generatedValue(properties);
      how = 'generated (development value)';
    }
    await setVaultSecret(vault, name, value);
    seeded.push(name);
    print.line(`  vault: set ${name}, ${how}`);
  }
  return seeded;
}

/**
 * Writes one value into the local vault. The vault's in-process admin API throws VaultApiError (an
 * AKV-shaped answer: 400 BadParameter for a name or value Key Vault refuses, 409 for a deleted
 * name); it becomes a ProjectorError here, through the same mapping as the vault's HTTP answers,
 * so no vault answer ends the command as an internal error.
 */
export async function setVaultSecret(vault: StartedVault, name: string, value: string): Promise<{ version: string }> {
  try {
    return await vault.admin.setSecret(name, value);
  } catch (e) {
    throw toProjectorError(e, { vaultUrl: vault.url, secretName: name, valueBytes: Buffer.byteLength(value, 'utf8') });
  }
}

function inMemoryHost(store: GenericStore, esNamespace: string | undefined, credentials: Map<string, Record<string, string>>, log: Logger): ProviderHost {
  return {
    namespace: esNamespace,
    log,
    async readSecretKey(ref) {
      const ns = secretRefNamespace(store, ref.namespace, esNamespace, `Secret ${ref.name}`);
      const v = credentials.get(`${ns}/${ref.name}`)?.[ref.key ?? ''];
      if (v === undefined) throw new ProjectorError('CredentialNotFound', `credential Secret ${ns}/${ref.name} key "${ref.key}" is not available in dev mode`);
      return new Sensitive(v);
    },
    async serviceAccountToken() {
      throw new ProjectorError('NotSupported', 'service account tokens are not available in dev mode');
    },
  };
}

/**
 * Loads the manifests as an API server would take them (what it would refuse is printed at
 * file:line and left out: see LoadOptions.refuseInvalid) and prints the load problems.
 */
export async function loadAndReport(paths: string[], print: Printer, exclude: string[] = [], opts: LoadReportOptions = {}): Promise<RepoObjects> {
  const repo = await loadRepoObjects(paths, undefined, { refuseInvalid: true, ignore: { exclude } });
  for (const p of repo.problems.filter((x) => x.severity === 'error')) print.line(`  ${p.file}:${p.line}:${p.column}: ${p.code}: ${p.message}`);
  if (opts.expandClusterExternalSecrets && repo.clusterExternalSecrets.length > 0) {
    // The ExternalSecrets the ClusterExternalSecrets would create join the repository's own.
    const expanded = expandClusterExternalSecrets(repo.clusterExternalSecrets, repo.externalSecrets);
    for (const note of expanded.notes) print.line(`  ${note}`);
    for (const es of expanded.externalSecrets) {
      const origin = repo.origins.get(originKey('ClusterExternalSecret', undefined, es.metadata.ownerReferences?.[0]?.name ?? ''));
      if (origin) repo.origins.set(originKey('ExternalSecret', es.metadata.namespace, es.metadata.name), origin);
    }
    repo.externalSecrets = [...repo.externalSecrets, ...expanded.externalSecrets];
  }
  const pushers = (repo.pushSecrets?.length ?? 0) + (repo.clusterPushSecrets?.length ?? 0);
  if (pushers > 0 && !opts.cluster) {
    // Without a cluster there is no API server for a PushSecret's finalizer and status (its
    // deletionPolicy, syncedPushSecrets): `--cluster` runs them with the operator's controllers.
    print.line(`  ${pushers} PushSecret(s)/ClusterPushSecret(s) not run by dev without a cluster: run them against the local vault with projector dev --cluster (or --kubeconfig); see their destinations with npx projector check ${paths.join(' ')}`);
  }
  if (repo.externalSecrets.length === 0 && !(opts.cluster && pushers > 0)) {
    const refused = (repo.refused ?? []).filter((k) => k.startsWith('ExternalSecret/')).length;
    print.line(refused > 0 ? `  no ExternalSecret to run: the ${refused} found ${refused === 1 ? 'was' : 'were'} refused (the errors above)` : '  no ExternalSecret found under the given paths');
  }
  return repo;
}

export interface LoadReportOptions {
  /** Add the ExternalSecrets the ClusterExternalSecrets would create (dev without --cluster). */
  expandClusterExternalSecrets?: boolean;
  /** `dev --cluster`: PushSecrets and ClusterPushSecrets are applied and run (dev-cluster.ts), not reported as skipped. */
  cluster?: boolean;
}

export interface LocalVault {
  vault: StartedVault;
  principal: DevPrincipal;
  repo: RepoObjects;
  seeded: string[];
}

/** Starts (or resumes) the local vault in the work folder, registers the dev principal, seeds values. */
export async function startLocalVault(o: DevOptions, print: Printer, load: LoadReportOptions = {}): Promise<LocalVault> {
  mkdirSync(o.workDir, { recursive: true, mode: 0o700 });
  let principal: DevPrincipal = { clientId: '', clientSecret: '' };
  let envFile = '';
  const vault = await startVaultForCli(
    { dataDir: join(o.workDir, 'vault'), port: o.port ?? 0, log: o.log ?? silentLogger(), owner: `projector dev (work dir ${resolve(o.workDir)})` },
    {
      dataDirFlag: '--work-dir',
      setUp: async (v) => {
        principal = loadPrincipal(o.workDir);
        await v.admin.addPrincipal(principal);
        // Rewritten at each start: the URL changes with the port. The secret goes only to this
        // 0600 file (as with `vault serve`), so `vault secret set` can rotate a value from a shell.
        const dataDir = join(o.workDir, 'vault');
        const bundle = writeCombinedCaBundle(dataDir, v.caPem, process.env.NODE_EXTRA_CA_CERTS);
        envFile = writeDevEnvFile(dataDir, { vaultUrl: v.url, tenantId: v.tenantId, authorityHost: v.authorityHost, principal, caBundleFile: bundle.file, writer: 'projector dev' });
      },
    },
  );
  print.line(`local vault: ${vault.url} (state in ${join(o.workDir, 'vault')})`);
  print.line(`  ${devCredentialsHint(envFile)}`);
  const repo = await loadAndReport(o.paths, print, o.exclude, load);
  const seeded = await seedVault(repo, vault, o, print);
  return { vault, principal, repo, seeded };
}

export class DevSession {
  readonly externalSecrets = new ObjectStore<ExternalSecret>();
  readonly secretStores = new ObjectStore<GenericStore>();
  readonly clusterSecretStores = new ObjectStore<GenericStore>();
  readonly files: FileSecrets;
  /** Generic targets written with allowGenericTargets (file-objects.ts). */
  readonly objects: FileObjects;
  readonly counters = new WorkerCounters();
  readonly #o: DevOptions;
  readonly #print: Printer;
  readonly #reconciledOnce = new Set<ObjectKey>();
  readonly #changes = new ChangeTimes();
  #vault?: StartedVault;
  #queue = new WorkQueue<ObjectKey>({ clock: systemClock, rateLimiter: defaultControllerRateLimiter(systemClock) });
  #credentials = new Map<string, Record<string, string>>();
  /** ExternalSecrets whose Secret was written since the last manifest reload ("ns/name"). */
  readonly #updatedSinceReload = new Set<string>();
  /** ExternalSecrets the last load refused (the API server would): they count as failing. */
  #refused: string[] = [];
  /** Errors of the last load (refused manifests of any kind, YAML syntax, missing paths): printed, not applied. */
  #loadErrors = 0;
  #generators: GeneratorObject[] | undefined;
  #generatorsFingerprint = '';
  seeded: string[] = [];

  constructor(o: DevOptions) {
    this.#o = o;
    this.files = new FileSecrets(join(o.workDir, 'out'));
    this.objects = new FileObjects(join(o.workDir, 'out'));
    this.#print = { line: (t) => o.out.write(`${t}\n`) };
    this.externalSecrets.addIndex('store', (es) => storeRefsOf(es).map((r) => `${r.kind}:${storeKeyOf(r, es.metadata.namespace)}`));
    this.externalSecrets.onChange((type, es, old) => {
      // Our own status writes keep the resourceVersion: only manifest changes enqueue.
      if (type === 'deleted' || (type === 'modified' && old?.metadata.resourceVersion === es.metadata.resourceVersion)) return;
      this.#changes.mark(objectKey(es.metadata.namespace, es.metadata.name), Date.now(), false);
      this.#queue.add(objectKey(es.metadata.namespace, es.metadata.name));
    });
    const onStore = (kind: string) => (_t: string, s: GenericStore) => {
      for (const es of this.externalSecrets.byIndex('store', `${kind}:${objectKey(s.metadata.namespace, s.metadata.name)}`)) {
        const k = objectKey(es.metadata.namespace, es.metadata.name);
        this.#changes.mark(k, Date.now(), true);
        this.#queue.add(k);
      }
    };
    this.secretStores.onChange(onStore('SecretStore'));
    this.clusterSecretStores.onChange(onStore('ClusterSecretStore'));
  }

  get vault(): StartedVault {
    if (!this.#vault) throw new Error('dev session not started');
    return this.#vault;
  }

  async start(): Promise<void> {
    const local = await startLocalVault(this.#o, this.#print, { expandClusterExternalSecrets: true });
    this.#vault = local.vault;
    this.seeded = local.seeded;
    this.#credentials = devCredentialSecrets(local.repo.stores.map((s) => pointStoreAtLocalVault(s, local.vault)), local.principal);
    this.#apply(local.repo);
  }

  #load(): Promise<RepoObjects> {
    return loadAndReport(this.#o.paths, this.#print, this.#o.exclude, { expandClusterExternalSecrets: true });
  }

  /** Loads the manifests into the in-memory stores (only what changed is re-queued). */
  #apply(repo: RepoObjects): void {
    this.#refused = (repo.refused ?? []).filter((k) => k.startsWith('ExternalSecret/'));
    this.#loadErrors = loadErrorCount(repo);
    const refresh = this.#o.refresh;
    const keep = <T extends { metadata: { resourceVersion?: string }; status?: unknown }>(store: ObjectStore<T & { metadata: { name?: string; namespace?: string } }>, obj: T & { metadata: { name?: string; namespace?: string } }) => {
      const old = store.get(objectKey(obj.metadata.namespace, obj.metadata.name!));
      return old && old.metadata.resourceVersion === obj.metadata.resourceVersion ? { ...obj, status: old.status } : obj;
    };
    const local = repo.stores.map((s) => pointStoreAtLocalVault(s, this.vault));
    this.secretStores.replaceAll(local.filter((s) => s.kind === 'SecretStore').map((s) => keep(this.secretStores, s)));
    this.clusterSecretStores.replaceAll(local.filter((s) => s.kind === 'ClusterSecretStore').map((s) => keep(this.clusterSecretStores, s)));
    this.externalSecrets.replaceAll(repo.externalSecrets.map((es) => keep(this.externalSecrets, { ...es, spec: { ...es.spec, refreshInterval: refresh } })));
    // Generators are read at each sync (as the operator GETs them); an edited one re-syncs the
    // ExternalSecrets that name one, as a changed store does.
    const fingerprint = JSON.stringify(repo.generators.map((g) => [g.kind, g.metadata.namespace, g.metadata.name, g.spec]));
    const changed = this.#generators !== undefined && fingerprint !== this.#generatorsFingerprint;
    this.#generators = repo.generators;
    this.#generatorsFingerprint = fingerprint;
    if (changed) {
      for (const es of this.externalSecrets.list()) {
        if (!(es.spec.dataFrom ?? []).some((d) => d.sourceRef?.generatorRef)) continue;
        const k = objectKey(es.metadata.namespace, es.metadata.name);
        this.#changes.mark(k, Date.now(), true);
        this.#queue.add(k);
      }
    }
  }

  /**
   * dataFrom generatorRef, run by the operator's own code (sync/generate.ts runGeneratorRef) on the
   * repository's generators: Password, UUID, Fake, SSHKey and ClusterGenerator render; ACRAccessToken
   * needs a real registry, MFA, Webhook and GithubAccessToken Kubernetes Secrets (and the last two a
   * remote service), and are reported NotSupported.
   */
  #generate(): Pick<FetchOptions, 'generate' | 'resolveGenerator'> {
    const deps: GeneratorDeps = {
      getGenerator: async (kind, ns, name) => findGenerator({ generators: this.#generators ?? [] }, kind, ns, name),
      random: cryptoRandom,
      controllerClass: DEFAULT_CONTROLLER_CLASS,
      acrUnavailable: 'projector dev does not run ACRAccessToken generators: they exchange Entra ID credentials at a real Azure Container Registry (run it with the operator)',
      mfaUnavailable: 'projector dev does not run MFA generators: their seed is in a Kubernetes Secret, which dev does not read (run it with the operator)',
      webhookUnavailable: 'projector dev does not run Webhook generators: they call an HTTP service, with credentials from Kubernetes Secrets, which dev does not read (run it with the operator or dev --cluster)',
      githubUnavailable: 'projector dev does not run GithubAccessToken generators: they sign with a GitHub App key held in a Kubernetes Secret, which dev does not read, and ask GitHub for a token (run it with the operator or dev --cluster)',
    };
    return {
      generate: (ref, ns, field, signal, judged) => runGeneratorRef(ref, ns, field, deps, signal, undefined, judged),
      resolveGenerator: (ref, ns, field, signal) => resolveGeneratorRef(ref, ns, field, deps, signal),
    };
  }

  /** Runs the reconcile loop until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const log = this.#o.log ?? silentLogger();
    const clients = new ClientCache({
      registry: defaultRegistry(systemClock),
      hostFor: (store, ns) => inMemoryHost(store, ns, this.#credentials, log),
      clock: systemClock,
      log,
      readWindowMs: 1_000,
    });
    const reconciler = new ExternalSecretReconciler({
      externalSecrets: this.externalSecrets,
      secretStores: this.secretStores,
      clusterSecretStores: this.clusterSecretStores,
      namespaceLabels: (ns) => ({ 'kubernetes.io/metadata.name': ns }),
      managedSecrets: {
        get: (k) => this.files.liveMeta(k.split('/')[0]!, k.split('/')[1]!),
        // The written Secrets an ExternalSecret created as Owner: orphans after a target rename, as the operator finds them.
        byIndex: (index, value) =>
          index === CREATED_BY_INDEX
            ? this.files.list().flatMap((k) => {
                const m = this.files.liveMeta(k.split('/')[0]!, k.split('/')[1]!);
                return m && createdByIndexValuesOf(m.metadata).includes(value) ? [m] : [];
              })
            : [],
        list: () => [],
      },
      kube: {
        getSecret: (ns, name) => this.files.getSecret(ns, name),
        createSecret: async (d) => this.#targetWritten(d.namespace, d.name, await this.files.createSecret(d)),
        updateSecret: async (d) => this.#targetWritten(d.namespace, d.name, await this.files.updateSecret(d)),
        deleteSecret: async (ns, name) => {
          await this.files.deleteSecret(ns, name);
          this.#targetWritten(ns, name, undefined);
        },
        getObject: (t) => this.objects.getObject(t),
        createObject: (t, obj) => this.objects.createObject(t, obj),
        updateObject: (t, obj) => this.objects.updateObject(t, obj),
        deleteObject: (t, uid) => this.objects.deleteObject(t, uid),
        patchStatus: async (obj, status) => {
          const es = this.externalSecrets.get(objectKey(obj.metadata.namespace, obj.metadata.name));
          // Status lives in memory; the resourceVersion stays, so a reload keeps it.
          if (es) this.externalSecrets.upsert({ ...es, status: status as ExternalSecret['status'] });
        },
      },
      clients,
      events: this.#events(),
      clock: systemClock,
      log,
      controllerClass: DEFAULT_CONTROLLER_CLASS, // judged as an operator with default flags would
      // No store reconciler runs here (the stores are the repository's, pointed at the local vault),
      // so no store ever has a Ready condition: the gate would refuse every read. dev --cluster
      // turns it off too (dev-cluster.ts), so both modes report a broken store by its cause.
      floodGate: false,
      allowGenericTargets: this.#o.allowGenericTargets ?? false,
      templates: lazyTemplateEngine(systemTemplateClock),
      fetchOptions: this.#generate(),
      changes: this.#changes,
    });
    const recording = {
      name: reconciler.name,
      reconcile: async (key: ObjectKey, s: AbortSignal) => {
        try {
          return await reconciler.reconcile(key, s);
        } finally {
          this.#reconciledOnce.add(key);
        }
      },
    };
    const stopWatching = this.#watchManifests();
    try {
      await runWorkers({ queue: this.#queue, reconciler: recording, concurrency: 2, log, signal, counters: this.counters, jitter: (ms) => ms });
    } finally {
      stopWatching();
      await clients.closeAll();
      await this.#vault?.close();
    }
  }

  /**
   * The operator's Secret watch (controller/manager.ts: a managed Secret's change enqueues every
   * ExternalSecret whose target it is), for the files this session writes: a Merge ExternalSecret
   * waiting for its Secret, or another writer of it, is looked at again when one of them writes it,
   * so `--once` reports what the operator would (e.g. a Merge ExternalSecret refused because an
   * Owner one now controls the Secret), whatever order the two were reconciled in.
   */
  #targetWritten<T>(namespace: string, name: string, result: T): T {
    const target = objectKey(namespace, name);
    for (const es of this.externalSecrets.list()) if (targetKeyOf(es) === target) this.#queue.add(objectKey(es.metadata.namespace, es.metadata.name));
    return result;
  }

  /** True once every ExternalSecret has been reconciled and nothing is running or ready to run. */
  isSettled(): boolean {
    const all = this.externalSecrets.list();
    return all.every((es) => this.#reconciledOnce.has(objectKey(es.metadata.namespace, es.metadata.name))) && this.#queue.len() === 0 && this.counters.inFlight === 0;
  }

  /** Forget "reconciled once" so isSettled() waits for a fresh pass. */
  markUnsettled(): void {
    this.#reconciledOnce.clear();
  }

  /**
   * ready/failed: ExternalSecrets (a refused one fails). loadErrors: the load's errors, whatever
   * the kind (a refused SecretStore or PushSecret, a YAML syntax error): `--once` fails on them too.
   */
  readyCounts(): { ready: number; failed: number; loadErrors: number } {
    let ready = 0;
    let failed = this.#refused.length;
    for (const es of this.externalSecrets.list()) {
      const c = es.status?.conditions?.find((x) => x.type === 'Ready');
      if (c?.status === 'True') ready++;
      else failed++;
    }
    return { ready, failed, loadErrors: this.#loadErrors };
  }

  #events(): EventSink {
    const lastWarning = new Map<string, string>();
    return {
      normal: (target, reason, message) => {
        const es = target as ExternalSecret;
        lastWarning.delete(target.metadata.uid ?? target.metadata.name);
        this.#updatedSinceReload.add(`${target.metadata.namespace}/${target.metadata.name}`);
        if (reason === 'Deleted') return this.#print.line(`- ${es.metadata.namespace}/${es.metadata.name}: ${message}`);
        const ns = es.metadata.namespace;
        const name = targetNameOf(es);
        const generic = genericTargetOf(es);
        if (generic) {
          const hash = (this.objects.readAnnotation(generic, 'reconcile.external-secrets.io/data-hash') ?? '?').slice(0, 12);
          return this.#print.line(`✓ ${ns}/${es.metadata.name} → ${this.objects.path(generic)} (${generic.kind}) data-hash: ${hash}`);
        }
        const meta = this.files.liveMeta(ns, name);
        const keys = this.files.keys(ns, name).join(', ');
        this.#print.line(`✓ ${ns}/${es.metadata.name} → ${this.files.yamlPath(ns, name)} (+ .env) keys: ${keys} data-hash: ${meta?.metadata.annotations?.['reconcile.external-secrets.io/data-hash']?.slice(0, 12) ?? '?'}`);
      },
      warn: (target, _reason, message) => {
        const id = target.metadata.uid ?? target.metadata.name;
        if (lastWarning.get(id) === message) return;
        lastWarning.set(id, message);
        this.#print.line(`✗ ${target.metadata.namespace ? `${target.metadata.namespace}/` : ''}${target.metadata.name}: ${message}`);
      },
    };
  }

  #watchManifests(): () => void {
    if (this.#o.once || this.#o.demo) return () => {};
    return watchManifests(
      this.#o.paths,
      this.#print,
      async () => {
        this.#updatedSinceReload.clear();
        this.#apply(await this.#load());
      },
      () => this.printState(),
      // dev writes its out/ files there: not manifest edits.
      [this.#o.workDir],
    );
  }

  /**
   * After a reload, once the reconciles it queued have run: one line per ExternalSecret, so an
   * edit that changed nothing, or that still fails, says so (the events print only changes).
   */
  async printState(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let quietPolls = 0;
    while (Date.now() < deadline && quietPolls < 3) {
      await new Promise((r) => setTimeout(r, 100));
      quietPolls = this.#queue.len() === 0 && this.counters.inFlight === 0 ? quietPolls + 1 : 0;
    }
    const entries = this.externalSecrets.list().map((es) => {
      const id = `${es.metadata.namespace}/${es.metadata.name}`;
      return { id, ready: readyConditionOf(es), updated: this.#updatedSinceReload.has(id) };
    });
    for (const line of stateLines(entries, this.#refused)) this.#print.line(line);
  }
}

/** How many errors a load printed (each left something unapplied). */
export function loadErrorCount(repo: Pick<RepoObjects, 'problems'>): number {
  return repo.problems.filter((p) => p.severity === 'error').length;
}

/**
 * The summary `dev --once` (and `--demo` when something fails) prints, and its exit code: 1 when
 * an ExternalSecret (or, with --cluster, a PushSecret or ClusterPushSecret) fails or the load had an error (a refused manifest of any kind was not
 * applied), as `--once` is the CI smoke test; else 0.
 */
export function onceSummary(c: { ready: number; failed: number; loadErrors: number; pushes?: { ready: number; failed: number } }): { lines: string[]; exitCode: number } {
  const lines = [`${c.ready} ExternalSecret(s) ready, ${c.failed} failing`];
  // `dev --cluster`: the PushSecrets and ClusterPushSecrets it applied (a failing one fails the smoke test too).
  if (c.pushes) lines.push(`${c.pushes.ready} PushSecret(s)/ClusterPushSecret(s) ready, ${c.pushes.failed} failing`);
  if (c.loadErrors > 0) lines.push(`${c.loadErrors} manifest error(s) above: what they name was not applied`);
  return { lines, exitCode: c.failed > 0 || c.loadErrors > 0 || (c.pushes?.failed ?? 0) > 0 ? 1 : 0 };
}

/** The Ready condition of an ExternalSecret's status, if any. */
export function readyConditionOf(es: ExternalSecret): { status: string; message?: string } | undefined {
  return es.status?.conditions?.find((x) => x.type === 'Ready');
}

/**
 * What `dev` prints after a manifest reload, local or `--cluster` (one format in one place): a
 * count line, then one line per ExternalSecret, ready (updated: its Secret changed since the
 * reload; else unchanged) or failing with the condition's message, then the ones the load refused.
 */
export function stateLines(entries: { id: string; ready: { status: string; message?: string } | undefined; updated: boolean }[], refused: readonly string[]): string[] {
  const ready = entries.filter((e) => e.ready?.status === 'True').length;
  const lines = [`state: ${ready} ExternalSecret(s) ready, ${entries.length - ready + refused.length} failing`];
  for (const e of entries) {
    if (e.ready?.status === 'True') lines.push(`  ✓ ${e.id} ${e.updated ? 'updated' : 'unchanged'}`);
    else lines.push(`  ✗ ${e.id} failing: ${e.ready?.message ?? 'not reconciled yet'}`);
  }
  for (const key of refused) lines.push(`  ✗ ${key.replace(/^ExternalSecret\//, '')} failing: not applied (see the error above)`);
  return lines;
}

export function refreshMs(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) throw new ProjectorError('InvalidSpec', '--refresh must be a positive Go duration such as 5s', { flag: '--refresh' });
  return ms;
}
