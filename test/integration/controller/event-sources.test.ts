// Each controller records its Events under ESO's component for it (mgr.GetEventRecorderFor), as
// client-go's recorder writes core/v1 Events: source.component and reportingComponent the name,
// no host and no reportingInstance (client-go tools/record/event.go generateEvent). ESO:
// pkg/controllers/externalsecret/externalsecret_controller.go ("external-secrets"),
// pkg/controllers/secretstore/secretstore_controller.go ("secret-store"),
// pkg/controllers/secretstore/clustersecretstore_controller.go ("cluster-secret-store"),
// pkg/controllers/pushsecret/pushsecret_controller.go ("pushsecret"), cmd/controller/root.go for
// ClusterPushSecret ("external-secrets-controller").
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlPlane, type ControlPlane } from '../../support/controlplane.ts';
import { CRD_FILES, Cluster, assertNowhere } from '../../support/cluster.ts';
import { startOperator, type RunningOperator } from '../../support/operator.ts';
import { eventually } from '../../support/eventually.ts';
import { startVault, type StartedVault } from '../../../src/vault/index.ts';
import { servicePrincipalStoreManifest, setUpServicePrincipalStore } from '../../support/vault-store.ts';
import { readEsoCrd } from '../../../scripts/import-eso-schemas.ts';
import { canaryMaker } from '../../support/canaries.ts';

const NS = 'ev';

describe('Event source components per controller (real API server, local vault)', { timeout: 300_000 }, () => {
  let cp: ControlPlane;
  let k: Cluster;
  let vault: StartedVault;
  let op: RunningOperator;
  let dir: string;
  const { canaries, canary } = canaryMaker();
  /** The first Event of `kind`/`name` with `reason` in `namespace`. */
  const eventFor = (namespace: string, kind: string, name: string, reason: string) =>
    eventually(
      async () => (await k.core.listNamespacedEvent({ namespace })).items.find((e) => e.involvedObject.kind === kind && e.involvedObject.name === name && e.reason === reason),
      (e) => e !== undefined,
      { timeoutMs: 30_000, message: `${reason} event for ${kind} ${name}` },
    );

  before(async () => {
    cp = await startControlPlane();
    k = new Cluster(cp.admin);
    dir = mkdtempSync(join(tmpdir(), 'projector-event-sources-'));
    vault = await startVault({ dataDir: dir });
    await k.installCrds(CRD_FILES);
    // ClusterPushSecret with ESO v2.9's own CRD (a cluster still holding ESO's CRDs): it has no CEL
    // rule for selectors, so the invalid selector below reaches the controller, whose one Warning it is.
    await k.apply([readEsoCrd('clusterpushsecrets') as never]);
    await eventually(
      async () => ((await k.objects.read({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'clusterpushsecrets.external-secrets.io' } })) as any).status?.conditions?.some((c: any) => c.type === 'Established' && c.status === 'True'),
      true,
      { timeoutMs: 20_000, message: 'ESO ClusterPushSecret CRD established' },
    );
    await k.namespace(NS);
    const sp = { clientId: 'ev-sp', clientSecret: canary('client-secret'), credentials: { name: 'sp', namespace: NS } };
    await setUpServicePrincipalStore(k, vault, { ...sp, store: { kind: 'SecretStore', name: 'kv', namespace: NS } }, [
      servicePrincipalStoreManifest(vault, { ...sp, store: { kind: 'ClusterSecretStore', name: 'kv' } }),
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'src', namespace: NS }, stringData: { v: canary('value') } } as never,
    ]);
    op = await startOperator(cp.admin);
  });

  after(async () => {
    try {
      if (op) assertNowhere(canaries, { 'operator logs': op.logs(), 'statuses and events': await k.observableText([NS, 'default']) });
    } finally {
      await op?.stop();
      await vault?.close();
      await cp?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });

  it('SecretStore, ClusterSecretStore, PushSecret, ExternalSecret and ClusterPushSecret Events carry ESO\'s component of their controller', async () => {
    await k.apply([
      { apiVersion: 'external-secrets.io/v1alpha1', kind: 'PushSecret', metadata: { name: 'push', namespace: NS }, spec: { secretStoreRefs: [{ kind: 'SecretStore', name: 'kv' }], selector: { secret: { name: 'src' } }, data: [{ match: { secretKey: 'v', remoteRef: { remoteKey: 'ev-v' } } }] } },
      { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'read', namespace: NS }, spec: { refreshInterval: '10s', secretStoreRef: { kind: 'ClusterSecretStore', name: 'kv' }, target: { name: 'read' }, data: [{ secretKey: 'v', remoteRef: { key: 'ev-v' } }] } },
      // An invalid namespace selector: ESO's markAsFailed ("failed to get target Namespaces"), its one Warning.
      { apiVersion: 'external-secrets.io/v1alpha1', kind: 'ClusterPushSecret', metadata: { name: 'bad' }, spec: { namespaceSelectors: [{ matchExpressions: [{ key: 'team', operator: 'In', values: [] }] }], pushSecretSpec: { secretStoreRefs: [{ kind: 'ClusterSecretStore', name: 'kv' }], selector: { secret: { name: 'src' } }, data: [{ match: { secretKey: 'v', remoteRef: { remoteKey: 'ev-cps' } } }] } } },
    ] as never);
    const expected: [namespace: string, kind: string, name: string, reason: string, component: string][] = [
      [NS, 'SecretStore', 'kv', 'Valid', 'secret-store'],
      ['default', 'ClusterSecretStore', 'kv', 'Valid', 'cluster-secret-store'],
      [NS, 'PushSecret', 'push', 'Synced', 'pushsecret'],
      [NS, 'ExternalSecret', 'read', 'Created', 'external-secrets'],
      ['default', 'ClusterPushSecret', 'bad', 'Errored', 'external-secrets-controller'],
    ];
    for (const [namespace, kind, name, reason, component] of expected) {
      const e = (await eventFor(namespace, kind, name, reason))!;
      assert.deepEqual(
        // Empty host and instance: the API server returns reportingInstance as "" (no omitempty).
        { component: e.source?.component, host: e.source?.host || '', reportingComponent: e.reportingComponent, reportingInstance: e.reportingInstance || '' },
        { component, host: '', reportingComponent: component, reportingInstance: '' },
        `${kind} ${name}`,
      );
    }
  });
});
