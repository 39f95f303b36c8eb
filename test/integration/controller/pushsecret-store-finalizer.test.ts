// The store finalizer for PushSecrets with deletionPolicy Delete, on the real API server (with the
// namespace controller) and the local vault: a store keeps `secretstore.externalsecrets.io/finalizer`
// while such a PushSecret uses it, so the PushSecret can still delete what it pushed when the store
// is deleted first (a manifest deleted in order, a namespace deleted), and nothing stays Terminating.
// ESO: pkg/controllers/secretstore/common.go (handleFinalizer, hasPushSecretsWithDeletePolicy,
// findStoresForPushSecret), pkg/controllers/pushsecret/pushsecret_controller.go (field indexes,
// DeleteSecretFromProviders through a store being deleted).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlPlane, type ControlPlane } from '../../support/controlplane.ts';
import { Cluster, assertNowhere } from '../../support/cluster.ts';
import { startOperator, type RunningOperator } from '../../support/operator.ts';
import { eventually } from '../../support/eventually.ts';
import { startVault, type StartedVault } from '../../../src/vault/index.ts';
import { servicePrincipalSecret, servicePrincipalStoreManifest } from '../../support/vault-store.ts';
import { canaryMaker } from '../../support/canaries.ts';

const FINALIZER = 'secretstore.externalsecrets.io/finalizer';
const HOLD = 'test.projector.io/hold';
const G = { group: 'external-secrets.io' };

describe('SecretStore finalizer for PushSecrets with deletionPolicy Delete (real API server, local vault)', { timeout: 300_000 }, () => {
  let cp: ControlPlane;
  let k: Cluster;
  let vault: StartedVault;
  let op: RunningOperator;
  let dir: string;
  const { canaries, canary } = canaryMaker();
  const read = async (path: string): Promise<any | undefined> => {
    const { status, body } = await k.request('GET', path);
    if (status === 404) return undefined;
    assert.ok(status < 300, `GET ${path}: HTTP ${status}`);
    return typeof body === 'string' ? JSON.parse(body) : body;
  };
  const store = (ns: string) => read(`/apis/external-secrets.io/v1/namespaces/${ns}/secretstores/kv`);
  const pushSecret = (ns: string, name: string) => read(`/apis/external-secrets.io/v1alpha1/namespaces/${ns}/pushsecrets/${name}`);
  const inVault = (name: string) => vault.admin.secretNames().includes(name);

  /** A namespace with the store (its credentials Secret optionally held by a finalizer), a source Secret and a PushSecret. */
  const setUp = async (ns: string, remoteKey: string, o: { holdCredentials?: boolean } = {}) => {
    await k.namespace(ns);
    const clientId = `sp-${ns}`;
    const clientSecret = canary(`${ns}-client-secret`);
    await vault.admin.addPrincipal({ clientId, clientSecret });
    const sp = { clientId, clientSecret, store: { kind: 'SecretStore' as const, name: 'kv', namespace: ns }, credentials: { name: 'sp' } };
    const credentials = servicePrincipalSecret(sp) as any;
    if (o.holdCredentials) credentials.metadata.finalizers = [HOLD];
    await k.apply([
      credentials,
      servicePrincipalStoreManifest(vault, sp),
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'src', namespace: ns }, stringData: { v: canary(`${ns}-value`) } },
    ] as any);
    await eventually(() => k.ready(ns, 'secretstores', 'kv'), (r) => r.status === 'True', { timeoutMs: 30_000, message: `${ns}/kv Ready` });
    await applyPush(ns, 'Delete', remoteKey);
    await eventually(() => inVault(remoteKey), true, { timeoutMs: 20_000, message: `${remoteKey} pushed` });
  };
  const applyPush = (ns: string, deletionPolicy: 'Delete' | 'None', remoteKey: string) =>
    k.apply([
      {
        apiVersion: 'external-secrets.io/v1alpha1',
        kind: 'PushSecret',
        metadata: { name: 'app', namespace: ns },
        spec: { deletionPolicy, refreshInterval: '1h', secretStoreRefs: [{ kind: 'SecretStore', name: 'kv' }], selector: { secret: { name: 'src' } }, data: [{ match: { secretKey: 'v', remoteRef: { remoteKey } } }] },
      },
    ] as any);

  before(async () => {
    cp = await startControlPlane({ controllerManager: true }); // the namespace controller
    k = new Cluster(cp.admin);
    dir = mkdtempSync(join(tmpdir(), 'projector-store-finalizer-'));
    vault = await startVault({ dataDir: dir });
    await k.installCrds();
    op = await startOperator(cp.admin);
  });

  after(async () => {
    try {
      if (op) assertNowhere(canaries, { 'operator logs': op.logs() });
    } finally {
      await op?.stop();
      await vault?.close();
      await cp?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is on the store while a Delete PushSecret uses it, off when none does; store deleted before the PushSecret: the remote secret is deleted and both go', async () => {
    const ns = 'sf-order';
    await setUp(ns, 'sf-order-v');
    await eventually(async () => (await store(ns))?.metadata.finalizers ?? [], [FINALIZER], { timeoutMs: 15_000, message: 'store finalizer added' });

    // deletionPolicy None: nothing to clean up through the store, so nothing holds it.
    await applyPush(ns, 'None', 'sf-order-v');
    await eventually(async () => (await store(ns))?.metadata.finalizers ?? [], [], { timeoutMs: 15_000, message: 'store finalizer removed (None)' });
    await applyPush(ns, 'Delete', 'sf-order-v');
    await eventually(async () => (await store(ns))?.metadata.finalizers ?? [], [FINALIZER], { timeoutMs: 15_000, message: 'store finalizer added again (Delete)' });

    // `kubectl delete -f` with the store first: it waits for the PushSecret.
    await k.custom.deleteNamespacedCustomObject({ ...G, version: 'v1', namespace: ns, plural: 'secretstores', name: 'kv' });
    const deleting = await eventually(() => store(ns), (s) => !!s?.metadata.deletionTimestamp, { timeoutMs: 10_000, message: 'store marked for deletion' });
    assert.deepEqual(deleting.metadata.finalizers, [FINALIZER]);
    assert.ok(inVault('sf-order-v'));

    await k.custom.deleteNamespacedCustomObject({ ...G, version: 'v1alpha1', namespace: ns, plural: 'pushsecrets', name: 'app' });
    await eventually(() => inVault('sf-order-v'), false, { timeoutMs: 20_000, message: 'remote secret deleted through the store being deleted' });
    await eventually(() => pushSecret(ns, 'app'), undefined, { timeoutMs: 20_000, message: 'PushSecret gone' });
    await eventually(() => store(ns), undefined, { timeoutMs: 20_000, message: 'store gone once no PushSecret holds it' });
  });

  it('a namespace deletion completes: the PushSecret deletes the remote secret through its store, then the store goes', async () => {
    const ns = 'sf-ns';
    // The namespace controller deletes the kinds in no fixed order. The credentials Secret is held
    // until the PushSecret has cleaned up: like ESO, Projector reads a store's credentials when it
    // builds a client, and without them no store could delete anything (not what this tests).
    await setUp(ns, 'sf-ns-v', { holdCredentials: true });
    await eventually(async () => (await store(ns))?.metadata.finalizers ?? [], [FINALIZER], { timeoutMs: 15_000, message: 'store finalizer added' });

    await k.core.deleteNamespace({ name: ns });
    await eventually(() => inVault('sf-ns-v'), false, { timeoutMs: 30_000, message: 'remote secret deleted' });
    await eventually(() => pushSecret(ns, 'app'), undefined, { timeoutMs: 20_000, message: 'PushSecret gone' });
    await eventually(() => store(ns), undefined, { timeoutMs: 20_000, message: 'store gone' });

    const { status } = await k.request('PATCH', `/api/v1/namespaces/${ns}/secrets/sp`, { metadata: { finalizers: null } }, 'application/merge-patch+json');
    assert.ok(status < 300 || status === 404, `release the credentials: HTTP ${status}`);
    await eventually(() => read(`/api/v1/namespaces/${ns}`), undefined, { timeoutMs: 60_000, message: 'namespace gone (nothing left Terminating)' });
  });
});
