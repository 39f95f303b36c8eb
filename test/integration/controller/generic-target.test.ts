// Generic targets (spec.target.manifest other than v1 Secret) on a real API server, with ESO's fake
// provider as the vault. ESO v2.9: pkg/controllers/externalsecret/externalsecret_controller.go
// (Reconcile's generic branch, reconcileGenericTarget, isGenericTargetValid,
// genericTargetContentHash, cleanupManagedSecrets), externalsecret_controller_manifest.go
// (validateGenericTarget, createGenericResource, applyTemplateToManifest, createSimpleManifest,
// renderTemplatedManifest), informer_manager.go (drift), cmd/controller/root.go (the flag, default false).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import { startControlPlane, type ControlPlane } from '../../support/controlplane.ts';
import { Cluster, assertNowhere } from '../../support/cluster.ts';
import { startOperator, type RunningOperator } from '../../support/operator.ts';
import { eventually } from '../../support/eventually.ts';
import { canaryMaker } from '../../support/canaries.ts';

const OFF = 'generic-off';
const ON = 'generic-on';
const { canaries, canary } = canaryMaker();

/** ESO's esutils.ObjectHash: hex SHA3-224 of Go's `%+v` text of the hashed value (runtime/esutils/utils.go). */
const objectHash = (goText: string) => createHash('sha3-224').update(goText, 'utf8').digest('hex');

function es(namespace: string, name: string, spec: Record<string, unknown>): KubernetesObject {
  return { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name, namespace }, spec: { refreshInterval: '1h', secretStoreRef: { kind: 'ClusterSecretStore', name: 'generic-store' }, ...spec } } as KubernetesObject;
}

const WIDGET_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList' },
    scope: 'Namespaced',
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } } }],
  },
} as KubernetesObject;

describe('generic targets (real API server)', { timeout: 300_000 }, () => {
  let cp: ControlPlane;
  let k: Cluster;
  const operators: RunningOperator[] = [];
  const value = canary('generic');

  const configMap = async (ns: string, name: string): Promise<any | undefined> => {
    try {
      return await k.core.readNamespacedConfigMap({ namespace: ns, name });
    } catch (e) {
      if ((e as { code?: number }).code === 404) return undefined;
      throw e;
    }
  };

  before(async () => {
    cp = await startControlPlane();
    k = new Cluster(cp.admin);
    await k.installCrds();
    await k.namespace(OFF);
    await k.namespace(ON);
    await k.apply([
      { apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name: 'generic-store' }, spec: { provider: { fake: { data: [{ key: 'db-password', value }] } } } } as KubernetesObject,
    ]);
  });

  after(async () => {
    try {
      if (k) assertNowhere(canaries, { 'operator logs': operators.map((o) => o.logs()).join('\n'), 'statuses and events': await k.observableText([OFF, ON]) });
    } finally {
      for (const op of operators) await op.stop();
      await cp?.stop();
    }
  });

  it('refuses a ConfigMap target without --unsafe-allow-generic-targets, with ESO reason and text, and writes nothing', async () => {
    const op = await startOperator(cp.admin);
    operators.push(op);
    await k.apply([es(OFF, 'cm-off', { target: { manifest: { apiVersion: 'v1', kind: 'ConfigMap' } }, data: [{ secretKey: 'password', remoteRef: { key: 'db-password' } }] })]);
    // ESO validateGenericTarget → markAsFailed("invalid generic target", err, …, ConditionReasonSecretSyncedError).
    const ready = await eventually(() => k.ready(OFF, 'externalsecrets', 'cm-off'), (r) => r.status === 'False', { timeoutMs: 30_000, message: 'cm-off refused' });
    assert.equal(ready.reason, 'SecretSyncedError');
    assert.match(ready.message ?? '', /invalid generic target: generic targets are disabled\. Enable with --unsafe-allow-generic-targets flag$/);
    // markAsFailed records a Warning UpdateFailed event with the error's text.
    const events = await eventually(() => k.events(OFF), (evs) => evs.some((e) => e.reason === 'UpdateFailed' && e.name === 'cm-off'), { timeoutMs: 30_000, message: 'UpdateFailed event' });
    const failed = events.find((e) => e.reason === 'UpdateFailed' && e.name === 'cm-off')!;
    assert.equal(failed.type, 'Warning');
    assert.match(failed.message ?? '', /generic targets are disabled\. Enable with --unsafe-allow-generic-targets flag/);
    assert.equal(await configMap(OFF, 'cm-off'), undefined, 'no ConfigMap is written');
    await op.stop();
  });

  it('with the flag, writes a ConfigMap target as ESO does (data, labels, data-hash, owner), and a refused one syncs after the restart', async () => {
    const op = await startOperator(cp.admin, { allowGenericTargets: true });
    operators.push(op);
    await k.apply([
      es(ON, 'cm-on', {
        target: { name: 'app-config', manifest: { apiVersion: 'v1', kind: 'ConfigMap' }, deletionPolicy: 'Delete' },
        data: [{ secretKey: 'password', remoteRef: { key: 'db-password' } }],
      }),
    ]);
    const cm = await eventually(() => configMap(ON, 'app-config'), (c) => c?.data?.password === value, { timeoutMs: 30_000, message: 'ConfigMap written' });
    // createSimpleManifest: the provider data as strings in .data; applyTemplateToManifest: managed label,
    // data-hash over .data (a map[string]string: `map[password:<value>]`); applyOwnership under Owner.
    assert.deepEqual(Object.keys(cm.data).sort(), ['password']);
    assert.equal(cm.metadata.labels['reconcile.external-secrets.io/managed'], 'true');
    assert.equal(cm.metadata.labels['reconcile.external-secrets.io/created-by'], objectHash(`${ON}/cm-on`));
    assert.equal(cm.metadata.annotations['reconcile.external-secrets.io/data-hash'], objectHash(`map[password:${value}]`));
    const owner = cm.metadata.ownerReferences?.find((o: any) => o.controller);
    assert.deepEqual([owner?.kind, owner?.name, owner?.apiVersion], ['ExternalSecret', 'cm-on', 'external-secrets.io/v1']);
    // markAsDone(…, ConditionReasonResourceSynced, msgSynced); createGenericResource's Normal event.
    const ready = await eventually(() => k.ready(ON, 'externalsecrets', 'cm-on'), (r) => r.status === 'True', { timeoutMs: 30_000, message: 'cm-on Ready' });
    assert.deepEqual([ready.reason, ready.message], ['ResourceSynced', 'secret synced']);
    const events = await eventually(() => k.events(ON), (evs) => evs.some((e) => e.name === 'cm-on' && e.reason === 'Created'), { timeoutMs: 30_000, message: 'Created event' });
    assert.equal(events.find((e) => e.name === 'cm-on' && e.reason === 'Created')!.message, 'Created ConfigMap app-config');

    // Never synced before: the refused ExternalSecret syncs once the operator runs with the flag.
    await eventually(() => configMap(OFF, 'cm-off'), (c) => c?.data?.password === value, { timeoutMs: 30_000, message: 'cm-off written after the restart' });
    assert.equal((await k.ready(OFF, 'externalsecrets', 'cm-off')).reason, 'ResourceSynced');
  });

  it('repairs drift of the ConfigMap at once (the kind is watched), well before the 1h refresh', async () => {
    const tampered = canary('tampered');
    const path = `/api/v1/namespaces/${ON}/configmaps/app-config`;
    const res = await k.request('PATCH', path, { data: { password: tampered } }, 'application/merge-patch+json');
    assert.ok(res.status < 300, `patch ConfigMap: HTTP ${res.status}`);
    // informer_manager.go enqueueHandler → Reconcile → isGenericTargetValid false (hash) → rewritten.
    await eventually(() => configMap(ON, 'app-config'), (c) => c?.data?.password === value, { timeoutMs: 30_000, message: 'drift repaired' });
  });

  it('applies templateFrom valuesDecodingStrategy on the generic path: an item decoded before its second rendering, a literal at Data', async () => {
    // ESO renderTemplatedManifest: the literal is executed with tplFrom.ValuesDecodingStrategy
    // (template.go mapScopeApply decodes each value); the configMap item goes through
    // templating.Parser.MergeConfigMap, whose Exec decodes into the scratch Secret (valueScopeApply),
    // and the scratch data is then executed again as a template with ExternalSecretDecodeNone.
    const dsnTemplate = 'db://alice:{{ .password }}@db';
    await k.apply([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'tpl-src', namespace: ON }, data: { dsn: Buffer.from(dsnTemplate).toString('base64') } } as KubernetesObject,
      es(ON, 'cm-decode', {
        target: {
          name: 'decoded-config',
          manifest: { apiVersion: 'v1', kind: 'ConfigMap' },
          template: {
            templateFrom: [
              { configMap: { name: 'tpl-src', items: [{ key: 'dsn' }] }, valuesDecodingStrategy: 'Base64' },
              { literal: 'user: YWxpY2U=', valuesDecodingStrategy: 'Auto' },
            ],
          },
        },
        data: [{ secretKey: 'password', remoteRef: { key: 'db-password' } }],
      }),
    ]);
    const cm = await eventually(() => configMap(ON, 'decoded-config'), (c) => c?.data?.dsn !== undefined, { timeoutMs: 30_000, message: 'decoded ConfigMap written' });
    assert.deepEqual(cm.data, { dsn: `db://alice:${value}@db`, user: 'alice' });
  });

  it('writes a custom resource found through discovery, a templateFrom literal at a spec path', async () => {
    await k.apply([WIDGET_CRD]);
    await eventually(
      async () => {
        const crd = (await k.objects.read({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' } })) as any;
        return crd.status?.conditions?.some((c: any) => c.type === 'Established' && c.status === 'True');
      },
      true,
      { timeoutMs: 20_000, message: 'Widget CRD established' },
    );
    await k.apply([
      es(ON, 'widget', {
        target: {
          manifest: { apiVersion: 'example.com/v1', kind: 'Widget' },
          template: { metadata: { labels: { team: 'red' } }, templateFrom: [{ target: 'spec.database', literal: 'host: db\nport: 5432\npassword: "{{ .password }}"' }] },
        },
        data: [{ secretKey: 'password', remoteRef: { key: 'db-password' } }],
      }),
    ]);
    const read = () => k.custom.getNamespacedCustomObject({ group: 'example.com', version: 'v1', namespace: ON, plural: 'widgets', name: 'widget' }).catch(() => undefined) as Promise<any>;
    const w = await eventually(read, (o) => o?.spec?.database?.password === value, { timeoutMs: 30_000, message: 'Widget written' });
    // mapScopeApply: a nested path takes the rendered YAML as a document (port is a number), merged into spec.
    assert.deepEqual(Object.keys(w.spec).sort(), ['database']);
    assert.equal(w.spec.database.port, 5432);
    assert.equal(w.spec.database.host, 'db');
    // template.metadata labels are copied as written; the hash is over .spec (genericTargetContentHash).
    assert.equal(w.metadata.labels.team, 'red');
    assert.equal(w.metadata.annotations['reconcile.external-secrets.io/data-hash'], objectHash(`map[database:map[host:db password:${value} port:5432]]`));
    const ready = await eventually(() => k.ready(ON, 'externalsecrets', 'widget'), (r) => r.status === 'True', { timeoutMs: 30_000, message: 'widget Ready' });
    assert.equal(ready.reason, 'ResourceSynced');
  });

  it('deletes the target with its ExternalSecret under deletionPolicy Delete', async () => {
    await k.request('DELETE', `/apis/external-secrets.io/v1/namespaces/${ON}/externalsecrets/cm-on`);
    // cleanupManagedSecrets → deleteGenericResource; then the finalizer goes.
    await eventually(() => configMap(ON, 'app-config'), (c) => c === undefined, { timeoutMs: 30_000, message: 'ConfigMap deleted' });
    await eventually(async () => (await k.request('GET', `/apis/external-secrets.io/v1/namespaces/${ON}/externalsecrets/cm-on`)).status, 404, { timeoutMs: 30_000, message: 'ExternalSecret gone' });
  });
});
