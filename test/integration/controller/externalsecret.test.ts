// The controller on a real kube-apiserver + etcd, with ESO's fake provider as the vault.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane, type ControlPlane } from '../../support/controlplane.ts';
import { Cluster, assertNowhere } from '../../support/cluster.ts';
import { startOperator, type RunningOperator } from '../../support/operator.ts';
import { eventually } from '../../support/eventually.ts';

const seed = new URL('../../fixtures/seed/', import.meta.url).pathname;
const SEED_ES = `${seed}deploy/netbox/secrets/externalsecret-netbox-db-password.yaml`;
const SEED_CSS = `${seed}infra/rke2/secrets/clustersecretstore_akv-hybridops.yaml`;
const canaries: string[] = [];
const canary = (label: string) => {
  const v = `canary-${label}-${Math.random().toString(36).slice(2, 10)}`;
  canaries.push(v);
  return v;
};

function fakeStore(name: string, data: { key: string; value: string; version?: string }[], extra: Record<string, unknown> = {}) {
  return { apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name }, spec: { provider: { fake: { data } }, ...extra } };
}

function es(namespace: string, name: string, spec: Record<string, unknown>, apiVersion = 'external-secrets.io/v1') {
  return { apiVersion, kind: 'ExternalSecret', metadata: { name, namespace }, spec: { refreshInterval: '1h', secretStoreRef: { kind: 'ClusterSecretStore', name: 'fake-store' }, ...spec } };
}

describe('ExternalSecret controller on a real API server', { timeout: 600_000 }, () => {
  let cp: ControlPlane;
  let k: Cluster;
  let op: RunningOperator;

  before(async () => {
    cp = await startControlPlane({ controllerManager: true });
    k = new Cluster(cp.admin);
    await k.installCrds();
    op = await startOperator(cp.admin);
  });

  after(async () => {
    try {
      if (k && op) {
        const text = await k.observableText(['netbox', 'rotation', 'errors', 'adopt', 'policies', 'restricted', 'restart', 'drift']);
        assertNowhere(canaries, { 'operator logs': op.logs(), 'statuses and events': text });
      }
    } finally {
      await op?.stop();
      await cp?.stop();
    }
  });

  it('applies the HOWTO manifests unchanged (v1beta1) and keeps their fields', async () => {
    await k.namespace('netbox');
    await k.applyFile(SEED_CSS);
    await k.applyFile(SEED_ES);
    const css: any = await k.custom.getClusterCustomObject({ group: 'external-secrets.io', version: 'v1beta1', plural: 'clustersecretstores', name: 'akv-hybridops' });
    assert.equal(css.spec.provider.azurekv.tenantId.valueFrom.secretKeyRef.key, 'tenant-id');
    assert.equal(css.spec.provider.azurekv.clientSecret.valueFrom.secretKeyRef.name, 'akv-sp-credentials');
    const got = await k.externalSecret('netbox', 'netbox-db-password');
    assert.equal(got.spec.target.creationPolicy, 'Owner');
    assert.equal(got.spec.data[0].remoteRef.key, 'netbox-db-password');
  });

  it('syncs the HOWTO ExternalSecret into netbox-db-credentials with ESO metadata and status', async () => {
    const pw = canary('netbox');
    // Same store name as the HOWTO, served by the fake provider.
    await k.apply([{ ...fakeStore('akv-hybridops', [{ key: 'netbox-db-password', value: pw }]) } as any]);
    await eventually(() => k.secretValue('netbox', 'netbox-db-credentials', 'DB_PASSWORD'), pw, { timeoutMs: 20_000 });
    const s = await k.secret('netbox', 'netbox-db-credentials');
    assert.ok(s.metadata.annotations['reconcile.external-secrets.io/data-hash']);
    assert.equal(s.metadata.labels['reconcile.external-secrets.io/managed'], 'true');
    assert.equal(s.metadata.ownerReferences[0].kind, 'ExternalSecret');
    assert.equal(s.metadata.ownerReferences[0].name, 'netbox-db-password');
    const ready = await eventually(() => k.ready('netbox', 'externalsecrets', 'netbox-db-password'), (r) => r.status === 'True');
    assert.equal(ready.reason, 'SecretSynced');
    const status = (await k.externalSecret('netbox', 'netbox-db-password')).status;
    assert.equal(status.binding.name, 'netbox-db-credentials');
    assert.ok(status.refreshTime);
    assert.ok(status.syncedResourceVersion);
    const events = await eventually(() => k.events('netbox'), (ev) => ev.some((e) => e.reason === 'Created'));
    assert.ok(events.some((e) => e.name === 'netbox-db-password' && e.type === 'Normal'));
    await eventually(() => k.ready(undefined, 'clustersecretstores', 'akv-hybridops'), (r) => r.status === 'True');
  });

  it('rotates: a changed store value reaches the Secret, and the force-sync annotation re-reads', async () => {
    await k.namespace('rotation');
    const v1 = canary('rot1');
    const v2 = canary('rot2');
    await k.apply([fakeStore('fake-store', [{ key: 'rot', value: v1 }]) as any, es('rotation', 'rot', { data: [{ secretKey: 'V', remoteRef: { key: 'rot' } }] }) as any]);
    await eventually(() => k.secretValue('rotation', 'rot', 'V'), v1, { timeoutMs: 20_000 });
    const rv1 = (await k.secret('rotation', 'rot')).metadata.resourceVersion;
    await k.apply([fakeStore('fake-store', [{ key: 'rot', value: v2 }]) as any]);
    await eventually(() => k.secretValue('rotation', 'rot', 'V'), v2, { timeoutMs: 20_000 });
    const after = await k.secret('rotation', 'rot');
    assert.notEqual(after.metadata.resourceVersion, rv1);

    // Changing the force-sync annotation re-reads the store although the 1h refresh is not due: a
    // sync records the annotated version in status.syncedResourceVersion. The status is patched
    // after the Secret is written, so wait for it to exist before taking the "before" value.
    const sv1 = await eventually(async () => (await k.externalSecret('rotation', 'rot')).status?.syncedResourceVersion, (v) => v !== undefined, { message: 'status records the sync' });
    const forced = es('rotation', 'rot', { data: [{ secretKey: 'V', remoteRef: { key: 'rot' } }] }) as any;
    forced.metadata.annotations = { 'force-sync': String(Date.now()) };
    await k.apply([forced]);
    await eventually(async () => (await k.externalSecret('rotation', 'rot')).status.syncedResourceVersion, (v) => v !== sv1, { timeoutMs: 10_000, message: 'force-sync refreshed' });
  });

  it('re-syncs on refreshInterval and repairs a deleted or edited target Secret', async () => {
    await k.namespace('drift');
    const v = canary('drift');
    await k.apply([fakeStore('fake-store', [{ key: 'drift', value: v }]) as any, es('drift', 'd', { refreshInterval: '2s', data: [{ secretKey: 'V', remoteRef: { key: 'drift' } }] }) as any]);
    await eventually(() => k.secretValue('drift', 'd', 'V'), v, { timeoutMs: 20_000 });
    // The status follows the Secret: take the first refreshTime only once it is recorded.
    const t1 = await eventually(async () => (await k.externalSecret('drift', 'd')).status?.refreshTime, (t) => t !== undefined, { message: 'first refreshTime recorded' });
    await eventually(async () => (await k.externalSecret('drift', 'd')).status.refreshTime, (t) => t !== t1, { timeoutMs: 10_000, message: 'a periodic refresh' });

    await k.core.deleteNamespacedSecret({ name: 'd', namespace: 'drift' });
    await eventually(() => k.secretValue('drift', 'd', 'V'), v, { timeoutMs: 20_000 });

    const live = await k.secret('drift', 'd');
    live.data.V = Buffer.from('tampered').toString('base64');
    await k.core.replaceNamespacedSecret({ name: 'd', namespace: 'drift', body: live });
    await eventually(() => k.secretValue('drift', 'd', 'V'), v, { timeoutMs: 20_000 });
  });

  it('reports provider and spec errors in status and events and leaves the existing Secret untouched', async () => {
    await k.namespace('errors');
    const v = canary('err');
    await k.apply([fakeStore('fake-store', [{ key: 'present', value: v }]) as any, es('errors', 'ok', { data: [{ secretKey: 'V', remoteRef: { key: 'present' } }] }) as any]);
    await eventually(() => k.secretValue('errors', 'ok', 'V'), v, { timeoutMs: 20_000 });
    const before = await k.secret('errors', 'ok');

    // The same ExternalSecret now asks for a key the store does not have.
    await k.apply([es('errors', 'ok', { data: [{ secretKey: 'V', remoteRef: { key: 'absent' } }] }) as any]);
    const r = await eventually(() => k.ready('errors', 'externalsecrets', 'ok'), (x) => x.status === 'False', { timeoutMs: 20_000 });
    assert.equal(r.reason, 'SecretSyncedError');
    assert.match(r.message!, /VaultNotFound: .*absent/);
    const afterErr = await k.secret('errors', 'ok');
    assert.equal(afterErr.metadata.resourceVersion, before.metadata.resourceVersion);
    assert.equal(await k.secretValue('errors', 'ok', 'V'), v);
    await eventually(() => k.events('errors'), (ev) => ev.some((e) => e.type === 'Warning' && e.reason === 'UpdateFailed' && /VaultNotFound/.test(e.message ?? '')));

    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['unknown-store', { secretStoreRef: { kind: 'ClusterSecretStore', name: 'nope' }, data: [{ secretKey: 'V', remoteRef: { key: 'present' } }] }, /StoreNotFound: ClusterSecretStore "nope" not found/],
      ['bad-regex', { data: [], dataFrom: [{ find: { name: { regexp: '(unclosed' } } }] }, /InvalidSpec: spec\.dataFrom\[0\]\.find\.name\.regexp/],
      // A generator kind Projector does not run (Password, UUID, Fake, ACRAccessToken, SSHKey, MFA, Webhook, GithubAccessToken and ClusterGenerator it does: generators.test.ts).
      ['generator', { data: [], dataFrom: [{ sourceRef: { generatorRef: { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Grafana', name: 'p' } } }] }, /NotSupported: .*Grafana/],
      ['generator-missing', { data: [], dataFrom: [{ sourceRef: { generatorRef: { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Password', name: 'p' } } }] }, /GeneratorNotFound: Password "p" in namespace "errors" not found/],
    ];
    // What the CRDs' CEL rules refuse never reaches the operator (test/integration/kube/crd-validation.test.ts).
    const refused: [string, Record<string, unknown>, RegExp][] = [
      ['bad-duration', { refreshInterval: 'every hour', data: [{ secretKey: 'V', remoteRef: { key: 'present' } }] }, /spec\.refreshInterval: .*refreshInterval must be a Go duration/],
      ['empty', { data: [] }, /either spec\.data or spec\.dataFrom must be set/],
    ];
    for (const [name, spec, want] of refused) await assert.rejects(k.apply([es('errors', name, spec) as any]), (e: Error) => / 422 /.test(e.message) && want.test(e.message), name);
    for (const [name, spec] of cases) await k.apply([es('errors', name, spec) as any]);
    for (const [name, , want] of cases) {
      const got = await eventually(() => k.ready('errors', 'externalsecrets', name), (x) => x.status === 'False', { timeoutMs: 20_000, message: name });
      assert.match(got.message!, want, name);
    }

    // Two ExternalSecrets writing one target: the second is refused, the first keeps it.
    await k.apply([es('errors', 'dup', { target: { name: 'ok' }, data: [{ secretKey: 'V', remoteRef: { key: 'present' } }] }) as any]);
    const dup = await eventually(() => k.ready('errors', 'externalsecrets', 'dup'), (x) => x.status === 'False', { timeoutMs: 20_000 });
    assert.match(dup.message!, /TargetOwnedElsewhere/);
    assert.equal((await k.secret('errors', 'ok')).metadata.ownerReferences[0].name, 'ok');
  });

  it('labels a pre-existing Secret it targets even when the provider read fails, its data untouched (ESO Reconcile patches the managed label first)', async () => {
    // ESO externalsecret_controller.go Reconcile: an existing target without
    // reconcile.external-secrets.io/managed=true is patched (field owner fqdnFor(es.Name)) before the
    // refresh decision; then GetProviderSecretData fails: markAsFailed(msgErrorGetSecretData, …,
    // ConditionReasonSecretSyncedError) and a Warning UpdateFailed event. The condition message is
    // Projector's `<Code>: <cause>` (docs/design/000-overview.md, "failure messages in Ready=False").
    await k.namespace('adopt');
    const theirs = canary('adopt');
    await k.apply([
      fakeStore('adopt-store', [{ key: 'present', value: canary('adopt-present') }]) as any,
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'theirs', namespace: 'adopt', labels: { team: 'db' } }, type: 'Opaque', data: { THEIRS: Buffer.from(theirs).toString('base64') } } as any,
    ]);
    const before = await k.secret('adopt', 'theirs');
    await k.apply([es('adopt', 'adopter', { secretStoreRef: { kind: 'ClusterSecretStore', name: 'adopt-store' }, target: { name: 'theirs' }, data: [{ secretKey: 'V', remoteRef: { key: 'absent' } }] }) as any]);
    const r = await eventually(() => k.ready('adopt', 'externalsecrets', 'adopter'), (x) => x.status === 'False', { timeoutMs: 20_000 });
    assert.equal(r.reason, 'SecretSyncedError');
    assert.match(r.message!, /^VaultNotFound: .*absent/);
    const s = await eventually(() => k.secret('adopt', 'theirs'), (x) => x?.metadata.labels?.['reconcile.external-secrets.io/managed'] === 'true', { timeoutMs: 20_000 });
    assert.equal(s.metadata.labels.team, 'db');
    assert.deepEqual(Object.keys(s.data), ['THEIRS']);
    assert.equal(await k.secretValue('adopt', 'theirs', 'THEIRS'), theirs);
    assert.equal(s.metadata.annotations?.['reconcile.external-secrets.io/data-hash'], undefined, 'nothing written but the label');
    assert.equal(s.metadata.ownerReferences, undefined);
    assert.equal(s.metadata.uid, before.metadata.uid);
    // The label is the ExternalSecret's field manager's, as ESO's client.FieldOwner(fqdnFor(name)) patch makes it.
    const owner = s.metadata.managedFields.find((m: any) => m.manager === 'externalsecrets.external-secrets.io/adopter');
    assert.ok(owner?.fieldsV1?.['f:metadata']?.['f:labels']?.['f:reconcile.external-secrets.io/managed'], JSON.stringify(s.metadata.managedFields));
    await eventually(() => k.events('adopt'), (ev) => ev.some((e) => e.name === 'adopter' && e.type === 'Warning' && e.reason === 'UpdateFailed' && /VaultNotFound/.test(e.message ?? '')));
  });

  it('enforces ClusterSecretStore conditions and namespaced store boundaries', async () => {
    await k.namespace('restricted', { team: 'blue' });
    const v = canary('restricted');
    await k.apply([
      fakeStore('only-red', [{ key: 'k', value: v }], { conditions: [{ namespaceSelector: { matchLabels: { team: 'red' } } }] }) as any,
      es('restricted', 'denied', { secretStoreRef: { kind: 'ClusterSecretStore', name: 'only-red' }, data: [{ secretKey: 'V', remoteRef: { key: 'k' } }] }) as any,
    ]);
    const denied = await eventually(() => k.ready('restricted', 'externalsecrets', 'denied'), (x) => x.status === 'False', { timeoutMs: 20_000 });
    assert.match(denied.message!, /StoreNotAllowed/);
    assert.equal(await k.secret('restricted', 'denied'), undefined);

    // Relabel the namespace: the store now admits it, with no change to the ExternalSecret.
    await k.namespace('restricted', { team: 'red' });
    await eventually(() => k.secretValue('restricted', 'denied', 'V'), v, { timeoutMs: 20_000 });

    // A namespaced SecretStore may not read credentials from another namespace.
    await k.apply([
      {
        apiVersion: 'external-secrets.io/v1',
        kind: 'SecretStore',
        metadata: { name: 'sneaky', namespace: 'restricted' },
        spec: {
          provider: {
            azurekv: {
              vaultUrl: 'https://127.0.0.1:9/',
              tenantId: 'tenant',
              authSecretRef: { clientId: { name: 'creds', namespace: 'external-secrets', key: 'id' }, clientSecret: { name: 'creds', namespace: 'external-secrets', key: 'secret' } },
            },
          },
        },
      } as any,
    ]);
    const store = await eventually(() => k.ready('restricted', 'secretstores', 'sneaky'), (x) => x.status === 'False', { timeoutMs: 20_000 });
    assert.match(store.message!, /namespace/);
  });

  it('honours creationPolicy Merge and Orphan and deletionPolicy Delete', async () => {
    await k.namespace('policies');
    const v = canary('pol');
    await k.apply([
      fakeStore('fake-store', [{ key: 'p', value: v }]) as any,
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'existing', namespace: 'policies' }, stringData: { KEEP: 'kept' } } as any,
      es('policies', 'merge', { target: { name: 'existing', creationPolicy: 'Merge' }, data: [{ secretKey: 'V', remoteRef: { key: 'p' } }] }) as any,
      es('policies', 'orphan', { target: { name: 'orphaned', creationPolicy: 'Orphan' }, data: [{ secretKey: 'V', remoteRef: { key: 'p' } }] }) as any,
      es('policies', 'merge-missing', { target: { name: 'not-there', creationPolicy: 'Merge' }, data: [{ secretKey: 'V', remoteRef: { key: 'p' } }] }) as any,
      es('policies', 'del', { refreshInterval: '1s', target: { name: 'deletable', deletionPolicy: 'Delete' }, data: [{ secretKey: 'V', remoteRef: { key: 'p' } }] }) as any,
    ]);
    await eventually(() => k.secretValue('policies', 'existing', 'V'), v, { timeoutMs: 20_000 });
    assert.equal(await k.secretValue('policies', 'existing', 'KEEP'), 'kept');
    assert.equal((await k.secret('policies', 'existing')).metadata.ownerReferences, undefined);
    await eventually(() => k.secretValue('policies', 'orphaned', 'V'), v, { timeoutMs: 20_000 });
    assert.equal((await k.secret('policies', 'orphaned')).metadata.ownerReferences, undefined);
    // ESO: Merge into a missing Secret is not an error (Ready=True, SecretMissing); nothing is created.
    const missing = await eventually(() => k.ready('policies', 'externalsecrets', 'merge-missing'), (x) => x.status === 'True', { timeoutMs: 20_000 });
    assert.equal(missing.reason, 'SecretMissing');
    assert.equal(await k.secret('policies', 'not-there'), undefined);

    await eventually(() => k.secretValue('policies', 'deletable', 'V'), v, { timeoutMs: 20_000 });
    // The remote secret disappears: deletionPolicy Delete removes the target.
    await k.apply([fakeStore('fake-store', []) as any]);
    await eventually(() => k.secret('policies', 'deletable'), undefined, { timeoutMs: 20_000 });
    // The status is patched after the delete.
    await eventually(() => k.ready('policies', 'externalsecrets', 'del'), (r) => r.reason === 'SecretDeleted', { message: 'Ready reason SecretDeleted' });
    // Later refreshes (every 1 s here) keep saying so, and do not recreate it: wait for two of them.
    const deletedAt = (await k.externalSecret('policies', 'del')).status.refreshTime;
    let later = deletedAt;
    for (let i = 0; i < 2; i++) {
      const seen = later;
      later = await eventually(async () => (await k.externalSecret('policies', 'del')).status.refreshTime, (t) => t !== seen, { timeoutMs: 10_000, message: `refresh ${i + 1} after the deletion` });
      assert.equal((await k.ready('policies', 'externalsecrets', 'del')).reason, 'SecretDeleted');
      assert.equal(await k.secret('policies', 'deletable'), undefined);
    }
    // The Retain default keeps the others.
    assert.equal(await k.secretValue('policies', 'orphaned', 'V'), v);
  });

  it('serves a ClusterSecretStore with --namespace too, as ESO: cluster-scoped kinds are watched whatever the namespace', async () => {
    // ESO cmd/controller/root.go: --namespace sets the cache's DefaultNamespaces, which scope
    // namespaced kinds only; its ClusterSecretStore controller and watch run as without it.
    // The store names its own controller class, so only the namespaced operator serves it.
    await k.namespace('scoped');
    const v = canary('scoped');
    const scoped = await startOperator(cp.admin, { namespace: 'scoped', controllerClass: 'scoped' });
    try {
      await k.apply([
        fakeStore('scoped-store', [{ key: 's', value: v }], { controller: 'scoped' }) as any,
        es('scoped', 's', { secretStoreRef: { kind: 'ClusterSecretStore', name: 'scoped-store' }, data: [{ secretKey: 'V', remoteRef: { key: 's' } }] }) as any,
      ]);
      await eventually(() => k.ready(undefined, 'clustersecretstores', 'scoped-store'), (r) => r?.status === 'True', { timeoutMs: 20_000, message: 'the ClusterSecretStore is checked by the namespaced operator' });
      await eventually(() => k.secretValue('scoped', 's', 'V'), v, { timeoutMs: 20_000, message: 'the ExternalSecret syncs through it' });
    } finally {
      await scoped.stop();
    }
  });

  it('lets garbage collection remove an owned Secret when its ExternalSecret is deleted', async () => {
    await k.custom.deleteNamespacedCustomObject({ group: 'external-secrets.io', version: 'v1', namespace: 'rotation', plural: 'externalsecrets', name: 'rot' });
    // kube-controller-manager's garbage collector learns new CRDs from discovery, re-read every 30 s.
    await eventually(() => k.secret('rotation', 'rot'), undefined, { timeoutMs: 90_000 });
  });

  it('recovers without a restart when the API server goes away and comes back', async () => {
    await k.namespace('restart');
    const v1 = canary('restart1');
    await k.apply([fakeStore('fake-store', [{ key: 'r', value: v1 }]) as any, es('restart', 'r', { data: [{ secretKey: 'V', remoteRef: { key: 'r' } }] }) as any]);
    await eventually(() => k.secretValue('restart', 'r', 'V'), v1, { timeoutMs: 20_000 });
    await cp.stopApiServer();
    await new Promise((r) => setTimeout(r, 2_000));
    await cp.startApiServer();
    const v2 = canary('restart2');
    await eventually(() => k.apply([fakeStore('fake-store', [{ key: 'r', value: v2 }]) as any]).then(() => true), true, { timeoutMs: 30_000 });
    await eventually(() => k.secretValue('restart', 'r', 'V'), v2, { timeoutMs: 60_000 });
    // A new ExternalSecret created after the restart is served too.
    await k.apply([es('restart', 'after', { data: [{ secretKey: 'V', remoteRef: { key: 'r' } }] }) as any]);
    await eventually(() => k.secretValue('restart', 'after', 'V'), v2, { timeoutMs: 30_000 });
  });
});

