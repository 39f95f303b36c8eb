// A rotated store credential is picked up within seconds: the operator watches the Secrets,
// caProvider ConfigMaps and workload identity ServiceAccounts its stores' clients were built from,
// and rebuilds those clients when one changes (ESO builds its client from the current objects at
// every reconcile: providers/v1/azure/keyvault reads the ServiceAccount's client-id annotation and
// the CA ConfigMap in NewClient). The local vault counts token requests per client and outcome, so
// the test sees which credential the operator used.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startControlPlane, type ControlPlane } from '../../support/controlplane.ts';
import { Cluster, assertNowhere } from '../../support/cluster.ts';
import { startOperator, type RunningOperator } from '../../support/operator.ts';
import { eventually } from '../../support/eventually.ts';
import { startVault, type StartedVault } from '../../../src/vault/index.ts';
import { servicePrincipalSecret, setUpServicePrincipalStore } from '../../support/vault-store.ts';

const CLIENT = 'rotating-sp';
const CRED_NS = 'external-secrets';
const APP = 'rotation';
const WRONG_SECRET = 'wrong client secret';

describe('store credential rotation (real API server, local vault)', { timeout: 300_000 }, () => {
  let cp: ControlPlane;
  let k: Cluster;
  let vault: StartedVault;
  let op: RunningOperator;
  let dir: string;
  const canaries: string[] = [];
  const canary = (label: string) => {
    const v = `canary-${label}-${Math.random().toString(36).slice(2, 10)}`;
    canaries.push(v);
    return v;
  };
  const issued = () => vault.stats().tokens.issued[CLIENT] ?? 0;
  const refusedWithOldSecret = () => vault.stats().tokens.refused[CLIENT]?.[WRONG_SECRET] ?? 0;
  const STORE = { kind: 'ClusterSecretStore', name: 'sp' } as const;
  const CREDENTIALS = { name: 'sp-credentials', namespace: CRED_NS };
  const setK8sSecret = (clientSecret: string) => k.apply([servicePrincipalSecret({ clientId: CLIENT, clientSecret, store: STORE, credentials: CREDENTIALS })]);
  const setVaultSecret = (clientSecret: string) => vault.admin.addPrincipal({ clientId: CLIENT, clientSecret });
  const storeReady = () => k.ready(undefined, 'clustersecretstores', 'sp');
  const synced = (value: string, what: string) => eventually(() => k.secretValue(APP, 'db', 'V'), value, { timeoutMs: 10_000, message: what });

  before(async () => {
    cp = await startControlPlane();
    k = new Cluster(cp.admin);
    dir = mkdtempSync(join(tmpdir(), 'projector-rotation-'));
    // The JWKS of the API server's service account issuer: workload identity tokens verify against it.
    vault = await startVault({ dataDir: dir, jwks: { uri: `${cp.server}/openid/v1/jwks`, caPem: cp.caPem, bearerToken: cp.users[0]!.token } });
    await k.installCrds();
    await k.namespace(CRED_NS);
    await k.namespace(APP);
  });

  after(async () => {
    try {
      if (op) assertNowhere(canaries, { 'operator logs': op.logs(), 'statuses and events': await k.observableText([APP, CRED_NS]) });
    } finally {
      await op?.stop();
      await vault?.close();
      await cp?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rebuilds the clients from the rotated Secret within seconds, reports a vault-only rotation on the store, and never uses the old secret after', async (t) => {
    const s1 = canary('s1');
    let value = canary('value-1');
    await vault.admin.setSecret('db', value);
    await setUpServicePrincipalStore(k, vault, { clientId: CLIENT, clientSecret: s1, store: STORE, credentials: CREDENTIALS }, [
      {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: { name: 'db', namespace: APP },
        spec: { refreshInterval: '1s', secretStoreRef: { kind: 'ClusterSecretStore', name: 'sp' }, data: [{ secretKey: 'V', remoteRef: { key: 'db' } }] },
      } as any,
    ]);
    op = await startOperator(cp.admin);
    await eventually(storeReady, (r) => r.status === 'True', { timeoutMs: 30_000, message: 'store Ready' });
    await synced(value, 'first sync');

    // 1. The usual rotation: the vault and the Kubernetes Secret both get the new client secret. The
    //    cached clients still hold valid tokens, so only a rebuild asks for a token: the store's
    //    validation gets one with the new secret, and the ExternalSecret's client is rebuilt too
    //    (with a token of its own, or it is the check's client when the check came first).
    const before1 = issued();
    const rotatedAt = Date.now();
    const s2 = canary('s2');
    await setVaultSecret(s2);
    await setK8sSecret(s2);
    await eventually(issued, (n) => n >= before1 + 1, { timeoutMs: 10_000, intervalMs: 50, message: 'clients rebuilt with the new secret' });
    t.diagnostic(`both sides rotated: new tokens after ${Date.now() - rotatedAt} ms`);
    value = canary('value-2');
    await vault.admin.setSecret('db', value);
    await synced(value, 'keeps syncing after the rotation');
    assert.equal((await storeReady()).status, 'True');
    assert.equal(refusedWithOldSecret(), 0, 'no token request with the old secret');
    assert.match(op.logs(), /"msg":"store credential Secret changed; rebuilding its clients"/);

    // 2. Only the vault side rotated: the store's next validation (asked for here by an annotation,
    //    as its refresh period would) fails to authenticate, and says so. A check trusts a token its
    //    identity got within the last second (client-cache.ts FRESH_CREDENTIAL_MS, so that stores
    //    sharing one service principal ask for one token): the rotation comes after that.
    await sleep(1_100);
    const s3 = canary('s3');
    await setVaultSecret(s3);
    await k.request('PATCH', '/apis/external-secrets.io/v1/clustersecretstores/sp', { metadata: { annotations: { validate: '1' } } }, 'application/merge-patch+json');
    const failed = await eventually(storeReady, (r) => r.status === 'False', { timeoutMs: 10_000, message: 'store reports the authentication failure' });
    t.diagnostic(`vault-only rotation: store ${failed.reason}: ${failed.message}`);
    assert.match(failed.message ?? '', /client secret|invalid_client|7000215/i);
    assert.ok(refusedWithOldSecret() > 0, 'the old secret was refused by the vault');

    // 3. The Kubernetes Secret catches up: store Ready and the ExternalSecret syncing again within
    //    seconds, and from then on no request carries the old secret.
    const fixedAt = Date.now();
    await setK8sSecret(s3);
    await eventually(storeReady, (r) => r.status === 'True', { timeoutMs: 10_000, intervalMs: 100, message: 'store Ready again' });
    value = canary('value-3');
    await vault.admin.setSecret('db', value);
    await synced(value, 'syncing again with the new secret');
    t.diagnostic(`Kubernetes Secret updated: store Ready and new value synced ${Date.now() - fixedAt} ms later`);
    const refusedAfterRecovery = refusedWithOldSecret();
    await sleep(4_000); // four refreshes of the ExternalSecret
    value = canary('value-4');
    await vault.admin.setSecret('db', value);
    await synced(value, 'still syncing');
    assert.equal(refusedWithOldSecret(), refusedAfterRecovery, 'a token request used the old secret after the rotation');
  });

  it('switches to the identity a ServiceAccount annotation names now, and rebuilds on a changed CA ConfigMap, within seconds', async (t) => {
    const WI_NS = 'wi-rotation';
    const [first, second] = ['wi-first', 'wi-second'];
    const subject = `system:serviceaccount:${WI_NS}:reader`;
    await vault.admin.addPrincipal({ clientId: first, federated: { issuer: cp.serviceAccountIssuer, subject }, allowRead: ['wi-db'] });
    await vault.admin.addPrincipal({ clientId: second, federated: { issuer: cp.serviceAccountIssuer, subject }, allowRead: ['wi-db'] });
    const tokens = (clientId: string) => vault.stats().tokens.issued[clientId] ?? 0;
    let value = canary('wi-value-1');
    await vault.admin.setSecret('wi-db', value);
    await k.namespace(WI_NS);
    const serviceAccount = (clientId: string) => ({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'reader', namespace: WI_NS, annotations: { 'azure.workload.identity/client-id': clientId, 'azure.workload.identity/tenant-id': vault.tenantId } },
    });
    const caConfigMap = (comment: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'vault-ca', namespace: WI_NS }, data: { 'ca.crt': `# ${comment}\n${vault.caPem}` } });
    await k.apply([
      serviceAccount(first),
      caConfigMap('first'),
      {
        apiVersion: 'external-secrets.io/v1',
        kind: 'SecretStore',
        metadata: { name: 'wi', namespace: WI_NS },
        spec: { provider: { azurekv: { vaultUrl: `${vault.url}/`, authType: 'WorkloadIdentity', serviceAccountRef: { name: 'reader' }, customCloudConfig: { activeDirectoryEndpoint: vault.authorityHost }, caProvider: { type: 'ConfigMap', name: 'vault-ca', key: 'ca.crt' } } } },
      },
      {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: { name: 'db', namespace: WI_NS },
        spec: { refreshInterval: '1s', secretStoreRef: { kind: 'SecretStore', name: 'wi' }, data: [{ secretKey: 'V', remoteRef: { key: 'wi-db' } }] },
      },
    ] as any);
    const wiSynced = (v: string, what: string) => eventually(() => k.secretValue(WI_NS, 'db', 'V'), v, { timeoutMs: 15_000, message: what });
    await wiSynced(value, 'first sync with the first identity');
    assert.ok(tokens(first) > 0);
    assert.equal(tokens(second), 0);

    // The annotation names the second identity: the clients built from the ServiceAccount as it was
    // are dropped, and the next reads use the second one (without the watch, the ExternalSecret's
    // cached client kept the first identity's token for up to ten minutes).
    const switchedAt = Date.now();
    await k.apply([serviceAccount(second)] as any);
    await eventually(() => tokens(second), (n) => n > 0, { timeoutMs: 10_000, intervalMs: 50, message: 'a token for the identity the annotation names now' });
    t.diagnostic(`annotation changed: first token of the new identity after ${Date.now() - switchedAt} ms`);
    // The first identity loses its access: reads still succeeding show the second one is in use.
    await vault.admin.addPrincipal({ clientId: first, federated: { issuer: cp.serviceAccountIssuer, subject }, allowRead: [] });
    value = canary('wi-value-2');
    await vault.admin.setSecret('wi-db', value);
    await wiSynced(value, 'syncing with the second identity');
    assert.match(op.logs(), /"msg":"store credential ServiceAccount changed; rebuilding its clients"/);

    // A new CA bundle (the same certificate under a comment here) rebuilds the clients too.
    const beforeCa = tokens(second);
    await k.apply([caConfigMap('second')] as any);
    await eventually(() => tokens(second), (n) => n > beforeCa, { timeoutMs: 10_000, intervalMs: 50, message: 'clients rebuilt from the new CA bundle' });
    assert.match(op.logs(), /"msg":"store credential ConfigMap changed; rebuilding its clients"/);
    value = canary('wi-value-3');
    await vault.admin.setSecret('wi-db', value);
    await wiSynced(value, 'syncing after the CA bundle changed');
    assert.equal((await k.ready(WI_NS, 'externalsecrets', 'db')).status, 'True');
  });
});
