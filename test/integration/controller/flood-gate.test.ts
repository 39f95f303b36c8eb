// ESO's flood gate (--enable-flood-gate, default true; ESO v2.9 cmd/controller/root.go and
// pkg/controllers/secretstore/client_manager.go assertStoreIsUsable): while a store is not Ready its
// ExternalSecrets fail with StoreNotReady before any client is built, so a wrong client secret costs
// one refused token request per store check instead of one per ExternalSecret reconcile. When the
// store turns Ready its ExternalSecrets sync at once (the store watch re-queues a store's users when
// its Ready status changes), without any change to them. With the gate off, the old behaviour: every
// ExternalSecret builds its own client and is refused by the token endpoint itself.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { startControlPlane, type ControlPlane } from '../../support/controlplane.ts';
import { Cluster, assertNowhere } from '../../support/cluster.ts';
import { startOperator, type RunningOperator } from '../../support/operator.ts';
import { eventually } from '../../support/eventually.ts';
import { startVault, type StartedVault } from '../../../src/vault/index.ts';
import { servicePrincipalSecret, servicePrincipalStoreManifest } from '../../support/vault-store.ts';

const CRED_NS = 'external-secrets';
const APP = 'flood';
const USERS = 4;

interface LogLine {
  msg?: string;
  key?: string;
  code?: string;
}

describe('flood gate (real API server, local vault)', { timeout: 300_000 }, () => {
  let cp: ControlPlane;
  let k: Cluster;
  let vault: StartedVault;
  let dir: string;
  const operators: RunningOperator[] = [];
  const canaries: string[] = [];
  const canary = (label: string) => {
    const v = `canary-${label}-${Math.random().toString(36).slice(2, 10)}`;
    canaries.push(v);
    return v;
  };

  before(async () => {
    cp = await startControlPlane();
    k = new Cluster(cp.admin);
    dir = mkdtempSync(join(tmpdir(), 'projector-flood-gate-'));
    vault = await startVault({ dataDir: dir });
    await k.installCrds();
    await k.namespace(CRED_NS);
    await k.namespace(APP);
  });

  after(async () => {
    try {
      assertNowhere(canaries, { 'operator logs': operators.map((o) => o.logs()).join('\n'), 'statuses and events': await k.observableText([APP, CRED_NS]) });
    } finally {
      for (const op of operators) await op.stop();
      await vault?.close();
      await cp?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });

  /**
   * A ClusterSecretStore `name` whose principal `clientId` is registered in the vault with one
   * client secret while its Kubernetes Secret holds another (both canaries), and USERS
   * ExternalSecrets `<name>-<i>` reading the vault secret `<name>` (a canary) through it.
   */
  async function brokenStore(name: string) {
    const clientId = `${name}-sp`;
    const store = { kind: 'ClusterSecretStore', name } as const;
    const credentials = { name: `${name}-credentials`, namespace: CRED_NS };
    const right = canary(`${name}-right`);
    const wrong = canary(`${name}-wrong`);
    const value = canary(`${name}-value`);
    await vault.admin.setSecret(name, value);
    await vault.admin.addPrincipal({ clientId, clientSecret: right });
    await k.apply([servicePrincipalSecret({ clientId, clientSecret: wrong, store, credentials }), servicePrincipalStoreManifest(vault, { store, credentials })]);
    const users = Array.from({ length: USERS }, (_, i) => `${name}-${i}`);
    const externalSecrets = users.map(
      (es) =>
        ({
          apiVersion: 'external-secrets.io/v1',
          kind: 'ExternalSecret',
          metadata: { name: es, namespace: APP },
          spec: { refreshInterval: '1h', secretStoreRef: store, data: [{ secretKey: 'V', remoteRef: { key: name } }] },
        }) as KubernetesObject,
    );
    return {
      users,
      value,
      externalSecrets,
      storeReady: () => k.ready(undefined, 'clustersecretstores', name),
      /** Token requests the vault refused for this principal, whatever the reason. */
      refused: () => Object.values(vault.stats().tokens.refused[clientId] ?? {}).reduce((a, b) => a + b, 0),
      /** Accept the Kubernetes Secret's client secret on the vault's side: nothing changes in the cluster. */
      fixOnVaultSide: () => vault.admin.addPrincipal({ clientId, clientSecret: wrong }),
    };
  }

  const logLines = (op: RunningOperator): LogLine[] =>
    op
      .logs()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as LogLine);
  /** The store reconciler's failed checks of ClusterSecretStore `name`: each built a client and asked for one token. */
  const storeChecksFailed = (op: RunningOperator, name: string) => logLines(op).filter((l) => l.msg === 'store is not ready' && l.key === `/${name}`).length;
  /** Failed syncs of ExternalSecret APP/`name` with `code`. */
  const syncFailures = (op: RunningOperator, name: string, code: string) => logLines(op).filter((l) => l.msg === 'sync failed; target Secret left as it was' && l.key === `${APP}/${name}` && l.code === code).length;

  it('fails the ExternalSecrets of a store that is not Ready without a token request, and syncs them as soon as the store is Ready', async (t) => {
    const op = await startOperator(cp.admin);
    operators.push(op);
    const s = await brokenStore('gated');
    const failed = await eventually(s.storeReady, (r) => r.status === 'False', { timeoutMs: 30_000, message: 'store reports the refused credential' });
    t.diagnostic(`store: ${failed.reason}: ${failed.message}`);
    assert.ok(s.refused() > 0, 'the store check itself asked for a token and was refused');

    await k.apply(s.externalSecrets);
    const notReady = 'StoreNotReady: ClusterSecretStore "gated" is not ready: its Ready condition is False (ValidationFailed)';
    for (const es of s.users) {
      const r = await eventually(() => k.ready(APP, 'externalsecrets', es), (c) => c.status === 'False', { timeoutMs: 15_000, message: `${es} Ready=False` });
      assert.equal(r.reason, 'SecretSyncedError');
      assert.equal(r.message, notReady);
    }
    const events = await eventually(() => k.events(APP), (evs) => s.users.every((u) => evs.some((e) => e.name === u && e.type === 'Warning' && e.reason === 'UpdateFailed' && e.message === notReady)), { message: 'a Warning UpdateFailed event per ExternalSecret' });
    assert.ok(events.length >= USERS);
    // Let every ExternalSecret retry (backoff) until the next retry is more than 10 s away (ESO's
    // 1 s × 2^4 after the fifth failure: controller/rate-limiter.ts), so that a prompt sync below can
    // only come from the store's Ready change.
    await eventually(() => Math.min(...s.users.map((u) => syncFailures(op, u, 'StoreNotReady'))), (n) => n >= 5, { timeoutMs: 60_000, intervalMs: 200, message: 'each ExternalSecret retried with backoff' });
    // Every refused token request was a store check: the ExternalSecrets asked for none. (Read at a
    // moment when no store check is in flight: refused minus checks is the ExternalSecrets' share.)
    await eventually(() => s.refused() - storeChecksFailed(op, 'gated'), 0, { timeoutMs: 10_000, message: 'no token request beyond the store checks' });
    t.diagnostic(`refused token requests: ${s.refused()}, all from the store's ${storeChecksFailed(op, 'gated')} checks; ExternalSecret attempts: ${s.users.map((u) => syncFailures(op, u, 'StoreNotReady')).join(', ')}`);
    assert.equal(await k.secret(APP, s.users[0]!), undefined, 'no Secret written');

    // The vault accepts the credential now: the store's next check (asked for by an annotation, as its
    // refresh period would) turns it Ready, and that alone brings its ExternalSecrets in.
    await s.fixOnVaultSide();
    const generations = await Promise.all(s.users.map(async (u) => (await k.externalSecret(APP, u)).metadata.generation));
    await k.request('PATCH', '/apis/external-secrets.io/v1/clustersecretstores/gated', { metadata: { annotations: { check: 'now' } } }, 'application/merge-patch+json');
    await eventually(s.storeReady, (r) => r.status === 'True', { timeoutMs: 10_000, intervalMs: 100, message: 'store Ready' });
    const readyAt = Date.now();
    for (const es of s.users) await eventually(() => k.secretValue(APP, es, 'V'), s.value, { timeoutMs: 5_000, intervalMs: 50, message: `${es} synced promptly after the store turned Ready` });
    t.diagnostic(`all ${USERS} ExternalSecrets synced ${Date.now() - readyAt} ms after the store turned Ready`);
    for (const es of s.users) assert.equal((await eventually(() => k.ready(APP, 'externalsecrets', es), (c) => c.status === 'True')).reason, 'SecretSynced');
    assert.deepEqual(await Promise.all(s.users.map(async (u) => (await k.externalSecret(APP, u)).metadata.generation)), generations, 'the ExternalSecrets were not changed');
    await op.stop();
  });

  it('with --enable-flood-gate=false, every ExternalSecret builds its own client and is refused by the token endpoint (the old behaviour)', async (t) => {
    const op = await startOperator(cp.admin, { floodGate: false });
    operators.push(op);
    const s = await brokenStore('ungated');
    await eventually(s.storeReady, (r) => r.status === 'False', { timeoutMs: 30_000, message: 'store reports the refused credential' });
    await k.apply(s.externalSecrets);
    for (const es of s.users) {
      const r = await eventually(() => k.ready(APP, 'externalsecrets', es), (c) => c.status === 'False', { timeoutMs: 15_000, message: `${es} Ready=False` });
      assert.equal(r.reason, 'SecretSyncedError');
      assert.match(r.message ?? '', /^StoreAuthFailed: /);
    }
    // The ExternalSecrets' own token requests come on top of the store's checks (at least one per
    // ExternalSecret as they retry; a store check in flight adds at most one).
    const beyond = await eventually(() => s.refused() - storeChecksFailed(op, 'ungated'), (n) => n >= USERS, { timeoutMs: 20_000, message: 'the ExternalSecrets asked for tokens themselves' });
    t.diagnostic(`refused token requests beyond the store's checks: at least ${beyond}`);
    await s.fixOnVaultSide();
    for (const es of s.users) await eventually(() => k.secretValue(APP, es, 'V'), s.value, { timeoutMs: 60_000, intervalMs: 100, message: `${es} synced by its own retries` });
    await op.stop();
  });
});
