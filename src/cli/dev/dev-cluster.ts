// `projector dev --cluster`: the same local vault and manifests, reconciled into a real cluster by
// the operator's own Manager running in this process. The stores are applied pointing at the local
// vault with controller class "projector-dev", so an operator already running in the cluster leaves
// them alone, and this process serves only them: unlike an ESO controller class it leaves stores that
// name no class to the cluster's operator (exclusiveControllerClass, core/controller-class.ts).
import { describeKubeConfig, resolveKubeConfig } from '../kubeconfig.ts';
import type { ExternalSecret, GeneratorObject, GenericStore } from '../../api/index.ts';
import { GENERATOR_API_VERSION, GENERATOR_PLURALS, type ImplementedGeneratorKind } from '../../api/generators.ts';
import { API_VERSION } from '../../api/constants.ts';
import { ProjectorError } from '../../core/errors.ts';
import { syncVersionOf, targetNameOf } from '../../core/external-secret.ts';
import { objectKey, type ObjectKey, type ObjectMeta } from '../../api/meta.ts';
import { lazyTemplateEngine } from '../../controller/template-engine.ts';
import { Manager } from '../../controller/manager.ts';
import { ReadyMessage } from '../../controller/externalsecret/status.ts';
import { KubeClient } from '../../kube/client.ts';
import { systemClock, systemTemplateClock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/logger.ts';
import { defaultRegistry } from '../default-registry.ts';
import { customResourceDefinitions } from '../../api/crds.ts';
import { devCredentialSecrets, pointStoreAtLocalVault } from './local-stores.ts';
import { readyConditionOf, startLocalVault, stateLines, type DevOptions, type LocalVault, type Printer } from './dev-session.ts';
import type { RepoObjects } from '../repo-objects.ts';

export const DEV_CONTROLLER_CLASS = 'projector-dev';
const FIELD_MANAGER = 'projector-dev';

async function ensureCrds(kube: KubeClient, install: boolean, print: Printer): Promise<void> {
  if (await kube.servesGroupVersion('external-secrets.io/v1')) return;
  if (!install) throw new ProjectorError('InvalidSpec', 'the cluster does not serve external-secrets.io/v1; install the CRDs (kubectl apply -k deploy/) or pass --install-crds');
  // Every CRD the operator serves (the same list scripts/gen-crds.ts writes to deploy/crds).
  for (const crd of customResourceDefinitions()) await kube.applyObject(crd as never, 'customresourcedefinitions', FIELD_MANAGER);
  print.line('installed the external-secrets.io CRDs');
  for (let i = 0; i < 50 && !(await kube.servesGroupVersion('external-secrets.io/v1')); i++) await new Promise((r) => setTimeout(r, 200));
}

/** Applies the repository; returns the generation the API server gave each ExternalSecret. */
async function applyRepo(kube: KubeClient, externalSecrets: ExternalSecret[], stores: GenericStore[], credentials: Map<string, Record<string, string>>, refresh: string, generators: GeneratorObject[] = []): Promise<Map<ObjectKey, number>> {
  const namespaces = new Set([
    ...externalSecrets.map((es) => es.metadata.namespace),
    ...[...credentials.keys()].map((k) => k.split('/')[0]!),
    ...generators.flatMap((g) => (g.metadata.namespace ? [g.metadata.namespace] : [])),
  ]);
  for (const ns of namespaces) await kube.applyObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, 'namespaces', FIELD_MANAGER);
  for (const [key, data] of credentials) {
    const [namespace, name] = key.split('/') as [string, string];
    await kube.applyObject({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'projector-dev' } }, stringData: data } as never, 'secrets', FIELD_MANAGER);
  }
  const clean = (m: ObjectMeta) => ({ name: m.name, namespace: m.namespace, labels: m.labels, annotations: m.annotations });
  for (const s of stores) {
    await kube.applyObject({ apiVersion: API_VERSION, kind: s.kind, metadata: clean(s.metadata) as never, spec: { ...s.spec, controller: DEV_CONTROLLER_CLASS } } as never, s.kind === 'SecretStore' ? 'secretstores' : 'clustersecretstores', FIELD_MANAGER);
  }
  // The repository's generators, which its ExternalSecrets' generatorRefs read (the operator GETs them at each sync).
  if (generators.length > 0) {
    // CRDs installed a moment ago: the generators group may be served a little after external-secrets.io.
    for (let i = 0; i < 50 && !(await kube.servesGroupVersion(GENERATOR_API_VERSION)); i++) await new Promise((r) => setTimeout(r, 200));
  }
  for (const g of generators) {
    await kube.applyObject({ apiVersion: GENERATOR_API_VERSION, kind: g.kind, metadata: clean(g.metadata) as never, spec: g.spec } as never, GENERATOR_PLURALS[g.kind as ImplementedGeneratorKind], FIELD_MANAGER);
  }
  const generations = new Map<ObjectKey, number>();
  for (const es of externalSecrets) {
    const applied = await kube.applyObject({ apiVersion: API_VERSION, kind: 'ExternalSecret', metadata: clean(es.metadata) as never, spec: { ...es.spec, refreshInterval: refresh } } as never, 'externalsecrets', FIELD_MANAGER);
    generations.set(objectKey(es.metadata.namespace, es.metadata.name), applied.generation ?? 0);
  }
  return generations;
}

/** A repository applied by a reload: what `printState` waits for and compares against. */
export interface AppliedRepo {
  repo: RepoObjects;
  /** ExternalSecret → the generation the apply produced. */
  generations: Map<ObjectKey, number>;
  /** ExternalSecret → its target Secret's data hash before the apply (undefined: no Secret yet). */
  hashesBefore: Map<ObjectKey, string | undefined>;
}

function targetHash(manager: Manager, es: ExternalSecret): string | undefined {
  return manager.managedSecrets.get(objectKey(es.metadata.namespace, targetNameOf(es)))?.observedDataHash;
}

/**
 * Waits until the in-process operator has reconciled what a reload applied: each ExternalSecret's
 * cached copy has the applied generation and a Ready condition for it (Ready=True with the
 * syncedResourceVersion of that generation, or Ready=False), and the queue has been empty with no
 * reconcile running for three polls (100 ms apart). Gives up after `timeoutMs` and reports as is.
 */
async function settle(manager: Manager, generations: Map<ObjectKey, number>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const counters = manager.counters.externalSecrets;
  let quiet = 0;
  while (Date.now() < deadline && quiet < 3) {
    await new Promise((r) => setTimeout(r, 100));
    const reconciled = [...generations].every(([key, generation]) => {
      const es = manager.externalSecrets.get(key);
      if (!es || (es.metadata.generation ?? 0) < generation) return false;
      const ready = readyConditionOf(es);
      return ready !== undefined && (ready.status !== 'True' || es.status?.syncedResourceVersion === syncVersionOf(es));
    });
    quiet = reconciled && counters.inFlight === 0 && counters.queueDepth() === 0 ? quiet + 1 : 0;
  }
}

/** Prints each ExternalSecret's Ready transitions as the in-process operator reports them. */
function reportTransitions(manager: Manager, print: Printer): () => void {
  const last = new Map<string, string>();
  const timer = setInterval(() => {
    for (const es of manager.externalSecrets.list()) {
      const c = es.status?.conditions?.find((x) => x.type === 'Ready');
      if (!c) continue;
      const id = `${es.metadata.namespace}/${es.metadata.name}`;
      // Ready=True also reports a Secret deleted or retained by policy (ESO's conditions): say which.
      const done = c.message === ReadyMessage.Synced ? `✓ ${id} → Secret ${es.metadata.namespace}/${targetNameOf(es)} (synced ${es.status?.refreshTime})` : `✓ ${id}: ${c.message}`;
      const line = c.status === 'True' ? done : `✗ ${id}: ${c.message}`;
      if (last.get(id) !== line) print.line(line);
      last.set(id, line);
    }
  }, 250);
  return () => clearInterval(timer);
}

export interface DevCluster {
  manager: Manager;
  kube: KubeClient;
  local: LocalVault;
  /** Settles when the in-process operator stops. */
  done: Promise<void>;
  /** Applies an edited repository (manifest watch). */
  reapply(repo: RepoObjects): Promise<AppliedRepo>;
  /**
   * After a reload, once its reconciles have run: one line per ExternalSecret of the applied
   * repository (✓ updated / unchanged, ✗ failing and why), as `dev` without --cluster prints
   * (dev-session.ts stateLines): the transitions alone say nothing about an edit that changed nothing.
   */
  printState(applied: AppliedRepo, timeoutMs?: number): Promise<void>;
}

export async function runDevCluster(o: DevOptions & { kubeconfig?: string; installCrds: boolean; log: Logger }, signal: AbortSignal, print: Printer): Promise<DevCluster> {
  const resolved = resolveKubeConfig(o.kubeconfig);
  const kc = resolved.kubeConfig;
  const kube = new KubeClient(kc);
  print.line(`cluster: ${describeKubeConfig(resolved)}`);
  await ensureCrds(kube, o.installCrds, print);
  const local = await startLocalVault(o, print);
  const stores = local.repo.stores.map((s) => pointStoreAtLocalVault(s, local.vault));
  await applyRepo(kube, local.repo.externalSecrets, stores, devCredentialSecrets(stores, local.principal), o.refresh, local.repo.generators);
  const manager = new Manager({
    kubeConfig: kc,
    registry: defaultRegistry(systemClock),
    log: o.log,
    clock: systemClock,
    concurrency: 4,
    controllerClass: DEV_CONTROLLER_CLASS,
    exclusiveControllerClass: true,
    // ClusterExternalSecrets stamp ExternalSecrets into the user's cluster: the cluster's operator's job.
    clusterExternalSecrets: false,
    templates: lazyTemplateEngine(systemTemplateClock),
  });
  const stopReporting = reportTransitions(manager, print);
  const done = manager.run(signal).finally(async () => {
    stopReporting();
    await local.vault.close();
  });
  return {
    manager,
    kube,
    local,
    done,
    reapply: async (repo) => {
      const next = repo.stores.map((s) => pointStoreAtLocalVault(s, local.vault));
      const hashesBefore = new Map(repo.externalSecrets.map((es) => [objectKey(es.metadata.namespace, es.metadata.name), targetHash(manager, es)] as const));
      const generations = await applyRepo(kube, repo.externalSecrets, next, devCredentialSecrets(next, local.principal), o.refresh, repo.generators);
      return { repo, generations, hashesBefore };
    },
    printState: async (applied, timeoutMs = 30_000) => {
      await settle(manager, applied.generations, timeoutMs);
      const entries = applied.repo.externalSecrets.map((wanted) => {
        const key = objectKey(wanted.metadata.namespace, wanted.metadata.name);
        const es = manager.externalSecrets.get(key);
        const ready = es && readyConditionOf(es);
        return { id: `${wanted.metadata.namespace}/${wanted.metadata.name}`, ready, updated: es !== undefined && targetHash(manager, es) !== applied.hashesBefore.get(key) };
      });
      const refused = (applied.repo.refused ?? []).filter((k) => k.startsWith('ExternalSecret/'));
      for (const line of stateLines(entries, refused)) print.line(line);
    },
  };
}
