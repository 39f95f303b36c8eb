// PushSecret's label-selected sources and ClusterPushSecret on the real API server with the local
// vault as Key Vault (official SDK): every Secret selector.secret.selector matches is pushed and a
// Secret relabelled in or out is followed at once (ESO resolveSecrets, pushsecret_controller.go);
// a ClusterPushSecret stamps its PushSecret into each selected namespace and removes it from a
// namespace relabelled out (ESO clusterpushsecret_controller.go).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { startControlPlane, type ControlPlane } from '../../support/controlplane.ts';
import { CRD_FILES, Cluster, assertNowhere } from '../../support/cluster.ts';
import { startOperator, type RunningOperator } from '../../support/operator.ts';
import { eventually } from '../../support/eventually.ts';
import { startVault, type StartedVault } from '../../../src/vault/index.ts';
import { clientOptions, credentialOptions } from '../vault/vault-support.ts';
import { setUpServicePrincipalStore } from '../../support/vault-store.ts';

const NS = 'push-sel';
const CLIENT = 'push-sel-sp';
const CPS_CRD = new URL('../../../deploy/crds/clusterpushsecrets.external-secrets.io.yaml', import.meta.url).pathname;
const GROUP = 'external-secrets.io';

describe('PushSecret selector.secret.selector and ClusterPushSecret (real API server, local vault)', { timeout: 300_000 }, () => {
  let cp: ControlPlane;
  let k: Cluster;
  let vault: StartedVault;
  let op: RunningOperator;
  let dir: string;
  let kv: SecretClient;
  const canaries: string[] = [];
  const canary = (label: string) => {
    const v = `canary-${label}-${Math.random().toString(36).slice(2, 10)}`;
    canaries.push(v);
    return v;
  };
  const remote = async (name: string) => {
    try {
      return (await kv.getSecret(name)).value;
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 404) return undefined;
      throw e;
    }
  };
  const secret = (namespace: string, name: string, labels: Record<string, string>, data: Record<string, string>) => k.apply([{ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace, labels }, stringData: data }] as any);
  const pushSecret = (namespace: string, name: string) => k.custom.getNamespacedCustomObject({ group: GROUP, version: 'v1alpha1', namespace, plural: 'pushsecrets', name }) as Promise<any>;
  const pushSecretGone = async (namespace: string, name: string) => {
    try {
      await pushSecret(namespace, name);
      return false;
    } catch (e) {
      return (e as { code?: number }).code === 404;
    }
  };
  const clusterPushSecret = (name: string) => k.custom.getClusterCustomObject({ group: GROUP, version: 'v1alpha1', plural: 'clusterpushsecrets', name }) as Promise<any>;

  before(async () => {
    cp = await startControlPlane();
    k = new Cluster(cp.admin);
    dir = mkdtempSync(join(tmpdir(), 'projector-push-sel-'));
    vault = await startVault({ dataDir: dir });
    await k.installCrds([...CRD_FILES, CPS_CRD]);
    await k.namespace(NS);
    const clientSecret = canary('client-secret');
    kv = new SecretClient(vault.url, new ClientSecretCredential(vault.tenantId, CLIENT, clientSecret, credentialOptions(vault)), clientOptions(vault));
    await setUpServicePrincipalStore(k, vault, { clientId: CLIENT, clientSecret, store: { kind: 'ClusterSecretStore', name: 'kv' }, credentials: { name: 'sp', namespace: NS } });
    op = await startOperator(cp.admin);
    await eventually(() => k.ready(undefined, 'clustersecretstores', 'kv'), (r) => r.status === 'True', { timeoutMs: 30_000, message: 'store Ready' });
  });

  after(async () => {
    try {
      if (op) assertNowhere(canaries, { 'operator logs': op.logs(), 'statuses and events': await k.observableText([NS, 'cps-a1', 'cps-a2']) });
    } finally {
      await op?.stop();
      await vault?.close();
      await cp?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });

  it('pushes every Secret the label selector matches, in name order, and follows a Secret labelled in or out at once', async () => {
    const one = canary('one');
    const two = canary('two');
    await secret(NS, 'sel-1', { push: 'yes' }, { v: one });
    // Unlabelled and last in name order: if it were pushed it would be the value Key Vault keeps.
    await secret(NS, 'sel-9', {}, { v: canary('unselected') });
    await k.apply([{ apiVersion: 'external-secrets.io/v1alpha1', kind: 'PushSecret', metadata: { name: 'selected', namespace: NS }, spec: {
      refreshInterval: '1h', // the changes below must not wait for it
      secretStoreRefs: [{ name: 'kv', kind: 'ClusterSecretStore' }],
      selector: { secret: { selector: { matchLabels: { push: 'yes' } } } },
      data: [{ match: { remoteRef: { remoteKey: 'sel-all' } } }],
    } }] as any);
    await eventually(() => remote('sel-all'), `{"v":"${one}"}`, { timeoutMs: 20_000, message: 'sel-1 pushed' });
    const ps = await eventually(() => pushSecret(NS, 'selected'), (o) => o.status?.conditions?.[0]?.status === 'True', { timeoutMs: 10_000, message: 'Ready' });
    assert.deepEqual(ps.status.syncedPushSecrets, { 'ClusterSecretStore/kv': { 'sel-all': { match: { remoteRef: { remoteKey: 'sel-all' } }, conversionStrategy: 'None' } } });

    // A second Secret labelled in: both are pushed, the later name's value stays.
    await secret(NS, 'sel-2', { push: 'yes' }, { v: two });
    await eventually(() => remote('sel-all'), `{"v":"${two}"}`, { timeoutMs: 15_000, message: 'sel-2 pushed without waiting for refreshInterval' });
    // Labelled out: sel-1 is the last selected again (sel-9 never is).
    await secret(NS, 'sel-2', { push: 'no' }, { v: two });
    await eventually(() => remote('sel-all'), `{"v":"${one}"}`, { timeoutMs: 15_000, message: 'sel-2 relabelled out' });
  });

  it('a ClusterPushSecret creates its PushSecret in each selected namespace, they push, and a namespace relabelled out loses its PushSecret', async () => {
    const values: string[] = [];
    for (const ns of ['cps-a1', 'cps-a2']) {
      await k.namespace(ns, { team: 'push' });
      const v = canary(ns);
      values.push(v);
      await secret(ns, 'cps-src', {}, { k: v });
    }
    await k.apply([{ apiVersion: 'external-secrets.io/v1alpha1', kind: 'ClusterPushSecret', metadata: { name: 'fleet' }, spec: {
      namespaceSelectors: [{ matchLabels: { team: 'push' } }],
      pushSecretMetadata: { labels: { 'app.kubernetes.io/part-of': 'fleet' } },
      pushSecretSpec: {
        secretStoreRefs: [{ name: 'kv', kind: 'ClusterSecretStore' }],
        selector: { secret: { name: 'cps-src' } },
        data: [{ match: { secretKey: 'k', remoteRef: { remoteKey: 'fleet-k' } } }],
      },
    } }] as any);
    const cps = await eventually(() => clusterPushSecret('fleet'), (o) => JSON.stringify(o.status?.provisionedNamespaces) === '["cps-a1","cps-a2"]', { timeoutMs: 20_000, message: 'both namespaces provisioned' });
    assert.deepEqual(cps.status.conditions, [{ type: 'Ready', status: 'True' }]);
    assert.equal(cps.status.pushSecretName, 'fleet');
    for (const ns of ['cps-a1', 'cps-a2']) {
      const ps = await eventually(() => pushSecret(ns, 'fleet'), (o) => o.status?.conditions?.[0]?.status === 'True', { timeoutMs: 20_000, message: `PushSecret in ${ns} synced` });
      assert.deepEqual(ps.metadata.labels, { 'app.kubernetes.io/part-of': 'fleet' });
      assert.deepEqual(ps.metadata.ownerReferences.map((o: any) => [o.apiVersion, o.kind, o.name, o.controller]), [['external-secrets.io/v1alpha1', 'ClusterPushSecret', 'fleet', true]]);
    }
    // Both push to one remote key: it holds one of the two namespaces' values.
    assert.ok(values.includes((await remote('fleet-k')) ?? ''), 'fleet-k pushed from a selected namespace');

    await k.namespace('cps-a2', { team: 'other' });
    await eventually(() => pushSecretGone('cps-a2', 'fleet'), true, { timeoutMs: 15_000, message: 'PushSecret removed from the namespace relabelled out' });
    const after = await eventually(() => clusterPushSecret('fleet'), (o) => JSON.stringify(o.status?.provisionedNamespaces) === '["cps-a1"]', { timeoutMs: 10_000, message: 'status follows' });
    assert.deepEqual(after.status.conditions, [{ type: 'Ready', status: 'True' }]);
    assert.equal((await pushSecret('cps-a1', 'fleet')).metadata.name, 'fleet');
  });
});
