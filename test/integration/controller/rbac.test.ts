// The shipped RBAC, verbatim, is enough and no more: the operator runs as a separate process with the
// ServiceAccount's own token (TokenRequest, no admin), serves a ServicePrincipal store (credential
// Secret, caProvider ConfigMap) and a workload identity store (ServiceAccount annotations,
// TokenRequest) against the local vault, writes Secrets, statuses and events, takes its Lease and
// finalizes a deleted ExternalSecret; requests outside the grant get 403. Then the namespaced install.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { startControlPlane, type ControlPlane } from '../../support/controlplane.ts';
import { Cluster, assertNowhere } from '../../support/cluster.ts';
import { eventually } from '../../support/eventually.ts';
import { kubeSend } from '../../../src/kube/http.ts';
import { startVault, type StartedVault } from '../../../src/vault/index.ts';

const repo = new URL('../../../', import.meta.url).pathname;
const OP_NS = 'external-secrets';
const APP = 'app';
const SP_CLIENT = 'rbac-sp';
const WI_CLIENT = 'rbac-wi';
// The args deploy/namespaced/kustomization.yaml adds: its Role cannot watch ClusterSecretStores.
const NAMESPACED_ARGS = ['--namespace', OP_NS, '--enable-cluster-store-reconciler=false'];
const LEASE_PATH = `/apis/coordination.k8s.io/v1/namespaces/${OP_NS}/leases/projector-controller`;

function spawnOperator(kubeconfigPath: string, extra: string[]): { child: ChildProcess; output(): string; exited: Promise<unknown> } {
  const args = ['src/cli/main.ts', 'operator', '--kubeconfig', kubeconfigPath, '--leader-elect', '--metrics-addr', '0', '--health-addr', '0', ...extra];
  const { NO_COLOR: _n, FORCE_COLOR: _f, ...inherited } = process.env;
  const child = spawn(`${repo}node_modules/.bin/node`, args, { cwd: repo, env: { ...inherited, POD_NAMESPACE: OP_NS, LOG_LEVEL: 'debug' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: string[] = [];
  child.stdout!.on('data', (c) => chunks.push(String(c)));
  child.stderr!.on('data', (c) => chunks.push(String(c)));
  return { child, output: () => chunks.join(''), exited: once(child, 'exit') };
}

async function stopOperator(p: { child: ChildProcess; exited: Promise<unknown> }): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  await p.exited;
}

describe('least-privilege RBAC with the ServiceAccount token (real API server, local vault)', { timeout: 600_000 }, () => {
  let cp: ControlPlane;
  let k: Cluster;
  let vault: StartedVault;
  let dir: string;
  let saKubeconfig: string;
  let sa: KubeConfig;
  const processes: ReturnType<typeof spawnOperator>[] = [];
  const canaries: string[] = [];
  const canary = (label: string) => {
    const v = `canary-${label}-${Math.random().toString(36).slice(2, 10)}`;
    canaries.push(v);
    return v;
  };
  const asServiceAccount = (method: string, path: string, body?: unknown) => kubeSend(sa, { method, path, ...(body === undefined ? {} : { body }) });
  const spStore = (kind: 'ClusterSecretStore' | 'SecretStore', name: string, ns: string) => ({
    apiVersion: 'external-secrets.io/v1',
    kind,
    metadata: kind === 'SecretStore' ? { name, namespace: ns } : { name },
    spec: {
      provider: {
        azurekv: {
          vaultUrl: `${vault.url}/`,
          tenantId: vault.tenantId,
          authType: 'ServicePrincipal',
          customCloudConfig: { activeDirectoryEndpoint: vault.authorityHost },
          authSecretRef: {
            clientId: { name: 'sp-credentials', key: 'client-id', ...(kind === 'ClusterSecretStore' ? { namespace: ns } : {}) },
            clientSecret: { name: 'sp-credentials', key: 'client-secret', ...(kind === 'ClusterSecretStore' ? { namespace: ns } : {}) },
          },
          caProvider: { type: 'ConfigMap', name: 'vault-ca', key: 'ca.crt', ...(kind === 'ClusterSecretStore' ? { namespace: ns } : {}) },
        },
      },
    },
  });
  const externalSecret = (name: string, ns: string, storeKind: string, store: string, vaultKey: string) => ({
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name, namespace: ns },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { kind: storeKind, name: store },
      target: { name, deletionPolicy: 'Delete' },
      data: [{ secretKey: 'V', remoteRef: { key: vaultKey } }],
    },
  });
  const credentials = (ns: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sp-credentials', namespace: ns }, stringData: { 'client-id': SP_CLIENT, 'client-secret': canary('sp-secret') } });
  const caConfigMap = (ns: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'vault-ca', namespace: ns }, data: { 'ca.crt': vault.caPem } });

  /** Everything the operator must do with the grant: stores Ready, Secrets written, events, Lease, finalizer, deletion. */
  /** `tolerated`: log lines about refusals the test expects (they are left out of the last check). */
  async function assertServes(op: ReturnType<typeof spawnOperator>, stores: { ns?: string; plural: string; name: string }[], ess: { ns: string; name: string; value: string }[], tolerated?: RegExp) {
    for (const s of stores) await eventually(() => k.ready(s.ns, s.plural, s.name), (r) => r.status === 'True', { timeoutMs: 30_000, message: `${s.plural} ${s.name} Ready` });
    for (const e of ess) {
      await eventually(() => k.secretValue(e.ns, e.name, 'V'), e.value, { timeoutMs: 30_000, message: `Secret ${e.ns}/${e.name} written` });
      const es: any = await k.externalSecret(e.ns, e.name);
      assert.ok(es.metadata.finalizers?.includes('externalsecrets.external-secrets.io/externalsecret-cleanup'), 'the cleanup finalizer is set');
      await eventually(async () => (await k.events(e.ns)).filter((ev) => ev.name === e.name).length, (n) => n > 0, { timeoutMs: 10_000, message: `events for ${e.name}` });
    }
    const lease = JSON.parse((await k.request('GET', LEASE_PATH)).body);
    assert.match(lease.spec.holderIdentity, /_/);
    // Deletion: the finalizer deletes the Secret (deletionPolicy Delete) and lets the ExternalSecret go.
    const gone = ess[0]!;
    await k.request('DELETE', `/apis/external-secrets.io/v1/namespaces/${gone.ns}/externalsecrets/${gone.name}`);
    await eventually(async () => (await k.request('GET', `/apis/external-secrets.io/v1/namespaces/${gone.ns}/externalsecrets/${gone.name}`)).status, 404, { timeoutMs: 20_000, message: 'ExternalSecret finalized and gone' });
    await eventually(() => k.secret(gone.ns, gone.name), undefined, { timeoutMs: 10_000, message: 'target Secret deleted' });
    // Nothing the operator tried was refused.
    const output = tolerated ? op.output().split('\n').filter((line) => !tolerated.test(line)).join('\n') : op.output();
    assert.doesNotMatch(output, /KubeForbidden|"httpStatus":403|forbidden/i);
  }

  before(async () => {
    cp = await startControlPlane();
    k = new Cluster(cp.admin);
    dir = mkdtempSync(join(tmpdir(), 'projector-rbac-'));
    vault = await startVault({ dataDir: join(dir, 'vault'), jwks: { uri: `${cp.server}/openid/v1/jwks`, caPem: cp.caPem, bearerToken: cp.users[0]!.token } });
    await k.installCrds();
    // The shipped manifests, verbatim.
    await k.applyFile(`${repo}deploy/operator/namespace.yaml`);
    await k.applyFile(`${repo}deploy/operator/rbac.yaml`);
    await k.namespace(APP);
    const tr = await k.request('POST', `/api/v1/namespaces/${OP_NS}/serviceaccounts/projector/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } });
    assert.equal(tr.status, 201, tr.body.slice(0, 200));
    const token = JSON.parse(tr.body).status.token as string;
    saKubeconfig = join(dir, 'sa-kubeconfig.json');
    writeFileSync(
      saKubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'test', cluster: { server: cp.server, 'certificate-authority-data': Buffer.from(cp.caPem).toString('base64') } }],
        users: [{ name: 'projector', user: { token } }],
        contexts: [{ name: 'projector', context: { cluster: 'test', user: 'projector' } }],
        'current-context': 'projector',
      }),
      { mode: 0o600 },
    );
    sa = new KubeConfig();
    sa.loadFromFile(saKubeconfig);
  });

  after(async () => {
    try {
      if (k) assertNowhere(canaries, { ...Object.fromEntries(processes.map((p, i) => [`operator process ${i + 1}`, p.output()])), 'statuses and events': await k.observableText([APP, OP_NS]) });
    } finally {
      for (const p of processes) await stopOperator(p);
      await vault?.close();
      await cp?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });

  /** SelfSubjectAccessReview with the ServiceAccount's token: may it patch `resource` (external-secrets.io)? */
  const mayPatch = async (resource: string, namespace?: string): Promise<boolean> => {
    const review = { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { group: 'external-secrets.io', verb: 'patch', resource, ...(namespace ? { namespace } : {}) } } };
    const r = await asServiceAccount('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', review);
    assert.equal(r.status, 201, r.body.slice(0, 200));
    return JSON.parse(r.body).status.allowed === true;
  };

  it('cluster-wide install: everything works with the ServiceAccount token, and requests outside the grant are refused', async () => {
    const whoami = await asServiceAccount('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
    assert.equal(JSON.parse(whoami.body).status.userInfo.username, `system:serviceaccount:${OP_NS}:projector`);
    // The store finalizer for PushSecrets with deletionPolicy Delete (ESO secretstore/common.go handleFinalizer).
    assert.equal(await mayPatch('secretstores', APP), true, 'patch SecretStores');
    assert.equal(await mayPatch('clustersecretstores'), true, 'patch ClusterSecretStores');

    const creds = credentials(OP_NS);
    await vault.admin.addPrincipal({ clientId: SP_CLIENT, clientSecret: creds.stringData['client-secret'] });
    await vault.admin.addPrincipal({ clientId: WI_CLIENT, federated: { issuer: cp.serviceAccountIssuer, subject: `system:serviceaccount:${APP}:reader` } });
    const spValue = canary('sp-value');
    const wiValue = canary('wi-value');
    await vault.admin.setSecret('sp-value', spValue);
    await vault.admin.setSecret('wi-value', wiValue);
    await k.apply([creds, caConfigMap(OP_NS), caConfigMap(APP)] as any);
    await k.apply([
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'reader', namespace: APP, annotations: { 'azure.workload.identity/client-id': WI_CLIENT, 'azure.workload.identity/tenant-id': vault.tenantId } } },
    ] as any);
    const wiStore = {
      apiVersion: 'external-secrets.io/v1',
      kind: 'SecretStore',
      metadata: { name: 'wi', namespace: APP },
      spec: { provider: { azurekv: { vaultUrl: `${vault.url}/`, authType: 'WorkloadIdentity', serviceAccountRef: { name: 'reader' }, customCloudConfig: { activeDirectoryEndpoint: vault.authorityHost }, caProvider: { type: 'ConfigMap', name: 'vault-ca', key: 'ca.crt' } } } },
    };
    await k.apply([spStore('ClusterSecretStore', 'sp', OP_NS), wiStore, externalSecret('from-sp', APP, 'ClusterSecretStore', 'sp', 'sp-value'), externalSecret('from-wi', APP, 'SecretStore', 'wi', 'wi-value')] as any);

    const op = spawnOperator(saKubeconfig, []);
    processes.push(op);
    await assertServes(
      op,
      [
        { plural: 'clustersecretstores', name: 'sp' },
        { ns: APP, plural: 'secretstores', name: 'wi' },
      ],
      [
        { ns: APP, name: 'from-sp', value: spValue },
        { ns: APP, name: 'from-wi', value: wiValue },
      ],
    );

    // Outside the grant, with the same token: 403.
    const lease = (ns: string, name: string) => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: ns }, spec: {} });
    assert.equal((await asServiceAccount('POST', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases', lease('kube-system', 'projector-controller'))).status, 403, 'a Lease in kube-system');
    assert.equal((await asServiceAccount('GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/projector-controller')).status, 403, 'reading a Lease in kube-system');
    assert.equal((await asServiceAccount('GET', `/apis/coordination.k8s.io/v1/namespaces/${OP_NS}/leases/someone-else`)).status, 403, 'another Lease in its own namespace');
    // ConfigMaps and ServiceAccounts are listed and watched (names and versions: what clients were
    // built from), never written.
    assert.equal((await asServiceAccount('GET', '/api/v1/configmaps')).status, 200, 'listing ConfigMaps');
    assert.equal((await asServiceAccount('POST', `/api/v1/namespaces/${APP}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'not-mine' } })).status, 403, 'creating a ConfigMap');
    assert.equal((await asServiceAccount('DELETE', `/api/v1/namespaces/${APP}/serviceaccounts/default`)).status, 403, 'deleting a ServiceAccount');
    assert.equal((await asServiceAccount('PUT', `/apis/external-secrets.io/v1/namespaces/${APP}/externalsecrets/from-wi/status`, {})).status, 403, 'updating (not patching) a status');
    assert.equal((await asServiceAccount('GET', `/apis/external-secrets.io/v1/namespaces/${APP}/externalsecrets/from-wi`)).status, 403, 'getting one ExternalSecret');
    await stopOperator(op); // graceful: releases the Lease
  });

  it('namespaced install: a Role in its own namespace is enough for --namespace, and nothing outside it is allowed', async () => {
    // Swap the cluster-wide grant for the namespaced one.
    for (const path of ['/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/projector-controller', '/apis/rbac.authorization.k8s.io/v1/clusterroles/projector-controller', `/apis/rbac.authorization.k8s.io/v1/namespaces/${OP_NS}/rolebindings/projector-leader-election`, `/apis/rbac.authorization.k8s.io/v1/namespaces/${OP_NS}/roles/projector-leader-election`]) {
      assert.equal((await k.request('DELETE', path)).status, 200, path);
    }
    await k.applyFile(`${repo}deploy/namespaced/rbac.yaml`);
    const value = canary('ns-value');
    await vault.admin.setSecret('ns-value', value);
    await k.apply([spStore('SecretStore', 'sp-local', OP_NS), externalSecret('local', OP_NS, 'SecretStore', 'sp-local', 'ns-value'), externalSecret('local-2', OP_NS, 'SecretStore', 'sp-local', 'ns-value')] as any);

    // RBAC changes reach the authorizer through its informers: wait until the new grant answers.
    await eventually(async () => (await asServiceAccount('GET', `/api/v1/namespaces/${OP_NS}/secrets`)).status, 200, { timeoutMs: 10_000, message: 'the Role is in effect' });
    await eventually(async () => (await asServiceAccount('GET', '/api/v1/secrets')).status, 403, { timeoutMs: 10_000, message: 'the ClusterRole is gone' });
    assert.equal(await mayPatch('secretstores', OP_NS), true, 'patch SecretStores (store finalizer)');

    const op = spawnOperator(saKubeconfig, NAMESPACED_ARGS);
    processes.push(op);
    await assertServes(op, [{ ns: OP_NS, plural: 'secretstores', name: 'sp-local' }], [
      { ns: OP_NS, name: 'local', value },
      { ns: OP_NS, name: 'local-2', value },
    ]);
    assert.equal((await asServiceAccount('GET', `/api/v1/namespaces/${APP}/secrets/from-wi`)).status, 403, 'a Secret in another namespace');
    assert.equal((await asServiceAccount('GET', '/apis/external-secrets.io/v1/clustersecretstores')).status, 403, 'ClusterSecretStores');
    assert.equal((await asServiceAccount('GET', '/api/v1/namespaces')).status, 403, 'namespaces');
    await stopOperator(op);
  });

  it('an older Role (only get on configmaps and serviceaccounts, before they were watched): the operator still serves, and says once what it does without those watches', async () => {
    const rolePath = `/apis/rbac.authorization.k8s.io/v1/namespaces/${OP_NS}/roles/projector-controller`;
    const role = JSON.parse((await k.request('GET', rolePath)).body);
    for (const rule of role.rules) if (rule.resources.includes('configmaps') || rule.resources.includes('serviceaccounts')) rule.verbs = ['get'];
    assert.equal((await k.request('PUT', rolePath, role)).status, 200);
    await eventually(async () => (await asServiceAccount('GET', `/api/v1/namespaces/${OP_NS}/configmaps`)).status, 403, { timeoutMs: 10_000, message: 'the older Role is in effect' });
    const value = canary('old-role-value');
    await vault.admin.setSecret('old-role-value', value);
    await k.apply([externalSecret('old-role', OP_NS, 'SecretStore', 'sp-local', 'old-role-value')] as any);

    const op = spawnOperator(saKubeconfig, NAMESPACED_ARGS);
    processes.push(op);
    await assertServes(op, [{ ns: OP_NS, plural: 'secretstores', name: 'sp-local' }], [{ ns: OP_NS, name: 'old-role', value }], /may not list\/watch \/api\/v1\/namespaces\/[^/]+\/(configmaps|serviceaccounts) \(403\)/);
    for (const plural of ['configmaps', 'serviceaccounts']) {
      const warning = `may not list/watch /api/v1/namespaces/${OP_NS}/${plural} (403)`;
      assert.equal(op.output().split(warning).length - 1, 1, `one warning for ${plural}`);
    }
    await stopOperator(op);
  });
});
