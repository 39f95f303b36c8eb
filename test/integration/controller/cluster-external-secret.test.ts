// ClusterExternalSecret and templateFrom sources through the operator on a real API server (with
// kube-controller-manager, so namespaces really delete), the local vault playing Azure Key Vault
// through the official SDK. Expected behaviour: ESO v2.9 pkg/controllers/clusterexternalsecret/
// clusterexternalsecret_controller.go and pkg/controllers/templating/parser.go.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HowtoEnv } from '../howto/howto-env.ts';
import { eventually } from '../../support/eventually.ts';

const SP_CLIENT = 'ces-sp';
const G = { group: 'external-secrets.io', version: 'v1' };

describe('ClusterExternalSecret and templateFrom (real API server, local vault as Azure Key Vault)', { timeout: 600_000 }, () => {
  let env: HowtoEnv;
  let value: string;

  const ces = (name: string) => env.k.custom.getClusterCustomObject({ ...G, plural: 'clusterexternalsecrets', name }).catch((e) => (e.code === 404 ? undefined : Promise.reject(e))) as Promise<any>;
  const es = (ns: string, name: string) => env.k.externalSecret(ns, name).catch((e) => (e.code === 404 ? undefined : Promise.reject(e)));
  const nsObj = (name: string) => env.k.core.readNamespace({ name }).catch((e) => (e.code === 404 ? undefined : Promise.reject(e)));
  const cesStatus = (name: string, pred: (s: any) => boolean, message: string) => eventually(async () => (await ces(name))?.status ?? {}, pred, { timeoutMs: 45_000, message });
  const labelNamespace = (name: string, labels: Record<string, string>) => env.k.namespace(name, labels);

  before(async () => {
    const clientSecret = `canary-ces-client-secret-${process.pid}`;
    env = await HowtoEnv.start({ principals: [{ clientId: SP_CLIENT, clientSecret }] });
    env.canaries.values.push(clientSecret);
    await env.applyCredentialsSecret(SP_CLIENT, clientSecret);
    const store = env.howtoStore();
    store.metadata.name = 'akv';
    await env.k.apply([store]);
    value = env.canaries.next('ces');
    await env.vault.admin.setSecret('ces-shared', value);
  });

  after(async () => {
    try {
      if (env) await env.assertNoLeaks(['team-a1', 'team-a2', 'team-a3', 'foreign', 'tpl']);
    } finally {
      await env?.stop();
    }
  });

  it('provisions selected namespaces, follows relabelling and deletion, never takes over a foreign ExternalSecret, cleans up on delete', async () => {
    await labelNamespace('team-a1', { team: 'a' });
    await labelNamespace('team-a2', { team: 'a' });
    await labelNamespace('foreign', { team: 'a' });
    // An ExternalSecret the ClusterExternalSecret did not create, under the name it will use.
    await env.k.apply([
      { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'shared', namespace: 'foreign' }, spec: { secretStoreRef: { kind: 'ClusterSecretStore', name: 'akv' }, target: { name: 'own-target' }, data: [{ secretKey: 'x', remoteRef: { key: 'ces-shared' } }] } } as never,
    ]);
    await env.k.apply([
      {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ClusterExternalSecret',
        metadata: { name: 'shared' },
        spec: {
          refreshTime: '1m',
          namespaceSelectors: [{ matchLabels: { team: 'a' } }],
          externalSecretMetadata: { labels: { 'app.kubernetes.io/part-of': 'demo' } },
          externalSecretSpec: { secretStoreRef: { kind: 'ClusterSecretStore', name: 'akv' }, refreshInterval: '1h', target: { name: 'shared-secret' }, data: [{ secretKey: 'value', remoteRef: { key: 'ces-shared' } }] },
        },
      } as never,
    ]);
    const status = await cesStatus('shared', (s) => s.provisionedNamespaces?.length === 2 && s.failedNamespaces?.length === 1, 'provisioned team-a1, team-a2; foreign failed');
    assert.deepEqual(status.provisionedNamespaces, ['team-a1', 'team-a2']);
    assert.deepEqual(status.failedNamespaces, [{ namespace: 'foreign', reason: 'external secret already exists in namespace' }]);
    assert.deepEqual(status.conditions, [{ type: 'Ready', status: 'False', message: 'one or more namespaces failed' }]);
    assert.equal(status.externalSecretName, 'shared');
    const created = await es('team-a1', 'shared');
    const cesUid = (await ces('shared')).metadata.uid;
    assert.deepEqual(created.metadata.ownerReferences, [{ apiVersion: 'external-secrets.io/v1', kind: 'ClusterExternalSecret', name: 'shared', uid: cesUid, controller: true, blockOwnerDeletion: true }]);
    assert.deepEqual(created.metadata.labels, { 'app.kubernetes.io/part-of': 'demo' });
    assert.deepEqual((await ces('shared')).metadata.finalizers, ['externalsecrets.external-secrets.io/clusterexternalsecret-cleanup']);
    assert.ok((await nsObj('team-a1'))!.metadata!.finalizers!.includes('externalsecrets.external-secrets.io/ces-shared'));
    // The ExternalSecrets it created sync like any other.
    for (const ns of ['team-a1', 'team-a2']) await eventually(() => env.k.secretValue(ns, 'shared-secret', 'value'), value, { timeoutMs: 30_000, message: `${ns}/shared-secret` });
    const foreign = await es('foreign', 'shared');
    assert.equal(foreign.spec.target.name, 'own-target');
    assert.equal(foreign.metadata.ownerReferences, undefined);

    // Relabelled out of the selector: the ExternalSecret (and with it the Secret it owns) goes, and the namespace finalizer.
    await labelNamespace('team-a2', { team: 'b' });
    await cesStatus('shared', (s) => JSON.stringify(s.provisionedNamespaces) === '["team-a1"]', 'team-a2 deselected');
    await eventually(() => es('team-a2', 'shared'), undefined, { timeoutMs: 30_000, message: 'team-a2/shared deleted' });
    await eventually(async () => (await nsObj('team-a2'))?.metadata?.finalizers ?? [], (f: string[]) => !f.includes('externalsecrets.external-secrets.io/ces-shared'), { message: 'team-a2 finalizer removed' });

    // A namespace appearing with the label is provisioned; deleting it completes (its finalizer is removed).
    await labelNamespace('team-a3', { team: 'a' });
    await cesStatus('shared', (s) => JSON.stringify(s.provisionedNamespaces) === '["team-a1","team-a3"]', 'team-a3 provisioned');
    await env.k.core.deleteNamespace({ name: 'team-a3' });
    await eventually(() => nsObj('team-a3'), undefined, { timeoutMs: 60_000, message: 'team-a3 deleted' });
    await cesStatus('shared', (s) => JSON.stringify(s.provisionedNamespaces) === '["team-a1"]', 'team-a3 no longer provisioned');

    // Someone edits a created ExternalSecret: the ClusterExternalSecret puts its spec back.
    const current = await es('team-a1', 'shared');
    await env.k.request('PUT', `/apis/external-secrets.io/v1/namespaces/team-a1/externalsecrets/shared`, { ...current, spec: { ...current.spec, refreshInterval: '5m' } });
    await eventually(async () => (await es('team-a1', 'shared')).spec.refreshInterval, '1h', { timeoutMs: 30_000, message: 'spec restored' });

    // Deleting the ClusterExternalSecret removes what it created and its namespace finalizers, never the foreign one.
    await env.k.custom.deleteClusterCustomObject({ ...G, plural: 'clusterexternalsecrets', name: 'shared' });
    await eventually(() => ces('shared'), undefined, { timeoutMs: 30_000, message: 'ClusterExternalSecret gone' });
    // The ExternalSecret carries its own cleanup finalizer, removed by its reconciler after the
    // ClusterExternalSecret is gone: wait for it, never read once.
    await eventually(() => es('team-a1', 'shared'), undefined, { timeoutMs: 30_000, message: 'team-a1/shared deleted' });
    assert.ok(!((await nsObj('team-a1'))!.metadata!.finalizers ?? []).includes('externalsecrets.external-secrets.io/ces-shared'));
    assert.equal((await es('foreign', 'shared')).spec.target.name, 'own-target');
  });

  it('templateFrom reads a ConfigMap and a Secret in the ExternalSecret\'s namespace (Values, KeysAndValues, target Labels)', async () => {
    await env.k.namespace('tpl');
    const esDoc = {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'app', namespace: 'tpl' },
      spec: {
        secretStoreRef: { kind: 'ClusterSecretStore', name: 'akv' },
        refreshInterval: '2s',
        target: {
          name: 'app-config',
          template: {
            templateFrom: [
              { configMap: { name: 'app-tpl', items: [{ key: 'config.yml', templateAs: 'Values' }, { key: 'env', templateAs: 'KeysAndValues' }] } },
              { target: 'Labels', secret: { name: 'app-labels', items: [{ key: 'labels', templateAs: 'KeysAndValues' }] } },
            ],
          },
        },
        data: [{ secretKey: 'password', remoteRef: { key: 'ces-shared' } }],
      },
    };
    await env.k.apply([esDoc as never]);
    // The ConfigMap does not exist yet: ESO's text, retried.
    await env.waitEsReady('False', { namespace: 'tpl', name: 'app', message: /TemplateSourceNotFound: error fetching templateFrom data: configmaps "app-tpl" not found/ });
    await env.k.apply([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-tpl', namespace: 'tpl' }, data: { 'config.yml': 'password: {{ .password }}\n', env: 'DB_PASSWORD: "{{ .password }}"\nPORT: 5432' } } as never,
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'app-labels', namespace: 'tpl' }, stringData: { labels: 'tier: backend' } } as never,
    ]);
    await env.waitEsReady('True', { namespace: 'tpl', name: 'app', timeoutMs: 60_000 });
    const s = await env.k.secret('tpl', 'app-config');
    const data = Object.fromEntries(Object.entries(s.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
    assert.deepEqual(data, { 'config.yml': `password: ${value}\n`, DB_PASSWORD: value, PORT: '5432' });
    assert.equal(s.metadata.labels.tier, 'backend');
    // A change to the ConfigMap shows at the next refresh (it is read at each sync, as in ESO).
    await env.k.apply([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-tpl', namespace: 'tpl' }, data: { 'config.yml': 'pw: {{ .password }}\n', env: 'PORT: 6543' } } as never]);
    await eventually(() => env.k.secretValue('tpl', 'app-config', 'PORT'), '6543', { timeoutMs: 30_000, message: 'ConfigMap change applied' });
  });
});
