// The fake provider's validationResult through the operator on a real API server. ESO v2.9:
// providers/v1/fake/fake.go Validate returns (validationResult, "unable to validate") for any value
// but 0; pkg/controllers/secretstore/common.go validateStore turns Unknown (1) into Ready=True,
// reason ValidationUnknown, "could not determine validation status", and a Warning event
// ValidationUnknown; any other value into Ready=False, reason InvalidProviderConfig, and a Warning
// of that reason. The flood gate (client_manager.go assertStoreIsUsable) reads only Ready's status,
// so the Unknown store serves its ExternalSecrets and the Error store holds them back.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubernetesObject } from '@kubernetes/client-node';
import { startControlPlane, type ControlPlane } from '../../support/controlplane.ts';
import { Cluster, assertNowhere } from '../../support/cluster.ts';
import { startOperator, type RunningOperator } from '../../support/operator.ts';
import { eventually } from '../../support/eventually.ts';
import { canaryMaker } from '../../support/canaries.ts';

const NS = 'validation';

describe('fake validationResult (real API server)', { timeout: 300_000 }, () => {
  let cp: ControlPlane;
  let k: Cluster;
  let op: RunningOperator;
  const { canaries, canary } = canaryMaker();
  const value = canary('fake-value');

  const store = (name: string, validationResult: number): KubernetesObject =>
    ({
      apiVersion: 'external-secrets.io/v1',
      kind: 'SecretStore',
      metadata: { name, namespace: NS },
      spec: { provider: { fake: { data: [{ key: 'db', value }], validationResult } } },
    }) as KubernetesObject;
  const externalSecret = (name: string, storeName: string): KubernetesObject =>
    ({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name, namespace: NS },
      spec: { refreshInterval: '1h', secretStoreRef: { kind: 'SecretStore', name: storeName }, target: { name }, data: [{ secretKey: 'password', remoteRef: { key: 'db' } }] },
    }) as KubernetesObject;
  const ready = (plural: string, name: string) => k.ready(NS, plural, name);

  before(async () => {
    cp = await startControlPlane();
    k = new Cluster(cp.admin);
    await k.installCrds();
    await k.namespace(NS);
    op = await startOperator(cp.admin);
  });

  after(async () => {
    try {
      if (k) assertNowhere(canaries, { 'operator logs': op?.logs() ?? '', 'statuses and events': await k.observableText([NS]) });
    } finally {
      await op?.stop();
      await cp?.stop();
    }
  });

  it('1 (Unknown): the store is Ready with reason ValidationUnknown and a Warning event; its ExternalSecret syncs', async () => {
    await k.apply([store('unknown', 1), externalSecret('through-unknown', 'unknown')]);
    const r = await eventually(() => ready('secretstores', 'unknown'), (c) => c.status !== undefined, { message: 'store Ready condition' });
    assert.deepEqual([r.status, r.reason, r.message], ['True', 'ValidationUnknown', 'could not determine validation status']);
    await eventually(() => k.events(NS), (ev) => ev.some((e) => e.name === 'unknown' && e.type === 'Warning' && e.reason === 'ValidationUnknown' && e.message === 'unable to validate'), { message: 'ValidationUnknown event' });
    await eventually(() => ready('externalsecrets', 'through-unknown'), (c) => c.status === 'True', { message: 'ExternalSecret synced through the Unknown store' });
    assert.equal(await k.secretValue(NS, 'through-unknown', 'password'), value);
    // By now the store was checked (its condition is written after its events): none of a passed check's events.
    assert.ok(!(await k.events(NS)).some((e) => e.name === 'unknown' && (e.reason === 'Valid' || e.reason === 'StoreUnmaintained')), 'no Valid or maintenance event');
  });

  it('2 (Error): the store is not Ready (InvalidProviderConfig, naming the field); its ExternalSecret waits; 0 makes it Ready', async () => {
    await k.apply([store('error', 2), externalSecret('through-error', 'error')]);
    const r = await eventually(() => ready('secretstores', 'error'), (c) => c.status !== undefined, { message: 'store Ready condition' });
    assert.deepEqual([r.status, r.reason, r.message], ['False', 'InvalidProviderConfig', 'InvalidSpec: spec.provider.fake.validationResult: unable to validate (validationResult 2: Error)']);
    await eventually(() => k.events(NS), (ev) => ev.some((e) => e.name === 'error' && e.type === 'Warning' && e.reason === 'InvalidProviderConfig'), { message: 'InvalidProviderConfig event' });
    const es = await eventually(() => ready('externalsecrets', 'through-error'), (c) => c.status === 'False', { message: 'ExternalSecret held by the flood gate' });
    assert.match(es.message ?? '', /^StoreNotReady: SecretStore "error" is not ready: its Ready condition is False \(InvalidProviderConfig\)/);
    assert.equal(await k.secret(NS, 'through-error'), undefined);
    await k.apply([store('error', 0)]);
    await eventually(() => ready('secretstores', 'error'), (c) => c.status === 'True' && c.reason === 'Valid', { message: 'store Ready once validationResult is 0' });
    await eventually(() => ready('externalsecrets', 'through-error'), (c) => c.status === 'True', { message: 'ExternalSecret synced once the store is Ready' });
  });
});
