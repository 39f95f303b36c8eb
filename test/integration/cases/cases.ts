// The shared cases. Remote keys are prefixed with the case's namespace so cases never share data.
import assert from 'node:assert/strict';
import { eventually } from '../../support/eventually.ts';
import type { Case, CaseContext } from './case.ts';

/** Short, so rotation through a vault (which cannot notify) is seen quickly. */
const REFRESH = '2s';
const SYNC_TIMEOUT_MS = 30_000;

function externalSecret(ctx: CaseContext, name: string, remoteKey: string, target: Record<string, unknown> = {}) {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name, namespace: ctx.namespace },
    spec: {
      refreshInterval: REFRESH,
      secretStoreRef: { kind: 'ClusterSecretStore', name: ctx.storeName },
      target: { name, creationPolicy: 'Owner', ...target },
      data: [{ secretKey: 'VALUE', remoteRef: { key: remoteKey } }],
    },
  } as never;
}

const valueOf = (ctx: CaseContext, name: string) => ctx.k.secretValue(ctx.namespace, name, 'VALUE');
const readyOf = (ctx: CaseContext, name: string) => ctx.k.ready(ctx.namespace, 'externalsecrets', name);

export const sync: Case = {
  title: 'syncs a remote secret into an owned Secret and reports SecretSynced',
  async run(ctx) {
    const key = `${ctx.namespace}-db-password`;
    const value = ctx.canary('sync');
    await ctx.vault.setSecret(key, value);
    await ctx.k.apply([externalSecret(ctx, 'app', key)]);
    await eventually(() => valueOf(ctx, 'app'), value, { timeoutMs: SYNC_TIMEOUT_MS, message: 'Secret synced' });
    const secret = await ctx.k.secret(ctx.namespace, 'app');
    assert.equal(secret.metadata.ownerReferences[0].kind, 'ExternalSecret');
    assert.ok(secret.metadata.annotations['reconcile.external-secrets.io/data-hash']);
    const ready = await eventually(() => readyOf(ctx, 'app'), (r) => r.status === 'True');
    assert.equal(ready.reason, 'SecretSynced');
  },
};

export const rotation: Case = {
  title: 'a value rotated in the vault reaches the Secret without a manifest change',
  async run(ctx) {
    const key = `${ctx.namespace}-api-token`;
    const v1 = ctx.canary('rotation-v1');
    const v2 = ctx.canary('rotation-v2');
    await ctx.vault.setSecret(key, v1);
    await ctx.k.apply([externalSecret(ctx, 'app', key)]);
    await eventually(() => valueOf(ctx, 'app'), v1, { timeoutMs: SYNC_TIMEOUT_MS, message: 'first value' });
    const before = await ctx.k.secret(ctx.namespace, 'app');
    await ctx.vault.setSecret(key, v2);
    await eventually(() => valueOf(ctx, 'app'), v2, { timeoutMs: SYNC_TIMEOUT_MS, message: 'rotated value' });
    const after = await ctx.k.secret(ctx.namespace, 'app');
    assert.notEqual(after.metadata.resourceVersion, before.metadata.resourceVersion);
    assert.notEqual(after.metadata.annotations['reconcile.external-secrets.io/data-hash'], before.metadata.annotations['reconcile.external-secrets.io/data-hash']);
  },
};

export const notFound: Case = {
  title: 'a remote key that does not exist is reported as VaultNotFound and no Secret is written',
  async run(ctx) {
    await ctx.k.apply([externalSecret(ctx, 'app', `${ctx.namespace}-never-created`)]);
    const ready = await eventually(() => readyOf(ctx, 'app'), (r) => r.status === 'False', { timeoutMs: SYNC_TIMEOUT_MS, message: 'Ready=False' });
    assert.equal(ready.reason, 'SecretSyncedError');
    assert.match(ready.message!, new RegExp(`^VaultNotFound: .*${ctx.namespace}-never-created`));
    assert.equal(await ctx.k.secret(ctx.namespace, 'app'), undefined);
  },
};

export const deletionPolicyDelete: Case = {
  title: 'deletionPolicy Delete removes the Secret once the remote secret is deleted, and Retain keeps it',
  async run(ctx) {
    const key = `${ctx.namespace}-short-lived`;
    const value = ctx.canary('deletion');
    await ctx.vault.setSecret(key, value);
    await ctx.k.apply([externalSecret(ctx, 'deleted', key, { deletionPolicy: 'Delete' }), externalSecret(ctx, 'retained', key, { deletionPolicy: 'Retain' })]);
    await eventually(() => valueOf(ctx, 'deleted'), value, { timeoutMs: SYNC_TIMEOUT_MS, message: 'Delete-policy Secret synced' });
    await eventually(() => valueOf(ctx, 'retained'), value, { timeoutMs: SYNC_TIMEOUT_MS, message: 'Retain-policy Secret synced' });

    await ctx.vault.deleteSecret(key);
    await eventually(() => ctx.k.secret(ctx.namespace, 'deleted'), undefined, { timeoutMs: SYNC_TIMEOUT_MS, message: 'Secret deleted' });
    await eventually(() => ctx.k.events(ctx.namespace), (ev) => ev.some((e) => e.name === 'deleted' && e.type === 'Normal' && e.reason === 'Deleted'), { message: 'Deleted event' });
    // Later refreshes do not bring it back while the remote secret stays deleted. The status is
    // patched after the delete (and its event): take its refreshTime once it says SecretDeleted.
    await eventually(() => readyOf(ctx, 'deleted'), (r) => r.reason === 'SecretDeleted', { timeoutMs: SYNC_TIMEOUT_MS, message: 'Ready reason SecretDeleted' });
    const deletedAt = (await ctx.k.externalSecret(ctx.namespace, 'deleted')).status.refreshTime;
    await eventually(async () => (await ctx.k.externalSecret(ctx.namespace, 'deleted')).status.refreshTime, (t) => t !== deletedAt, { timeoutMs: SYNC_TIMEOUT_MS, message: 'a later refresh' });
    assert.equal(await ctx.k.secret(ctx.namespace, 'deleted'), undefined);
    // Retain (the default) never deletes: the same remote deletion is an error that leaves the Secret.
    await eventually(() => readyOf(ctx, 'retained'), (r) => r.status === 'False' && /VaultNotFound/.test(r.message ?? ''), { timeoutMs: SYNC_TIMEOUT_MS });
    assert.equal(await valueOf(ctx, 'retained'), value);
  },
};

export const transientFailure: Case = {
  title: 'a vault failing for a while leaves the Secret untouched, warns, and syncs again when it recovers',
  needs: ['failNext'],
  async run(ctx) {
    const key = `${ctx.namespace}-flaky`;
    const value = ctx.canary('transient');
    await ctx.vault.setSecret(key, value);
    await ctx.k.apply([externalSecret(ctx, 'app', key)]);
    await eventually(() => valueOf(ctx, 'app'), value, { timeoutMs: SYNC_TIMEOUT_MS, message: 'synced before the failure' });
    const before = await ctx.k.secret(ctx.namespace, 'app');
    // The status is patched after the Secret is written: wait for Ready=True before reading it.
    const synced = await eventually(() => readyOf(ctx, 'app'), (r) => r.status === 'True', { message: 'Ready=True before the failure' });
    const readySince = synced.lastTransitionTime;

    ctx.vault.failNext!(503, 9, key);
    await eventually(() => ctx.k.events(ctx.namespace), (ev) => ev.some((e) => e.type === 'Warning' && /^VaultUnavailable: .*503/.test(e.message ?? '')), {
      timeoutMs: SYNC_TIMEOUT_MS,
      message: 'Warning event naming VaultUnavailable',
    });
    // Ready went False with the failures and back to True: a new transition time, not the first one
    // (which a poll could still see between the Warning event and the failure's status patch).
    await eventually(() => readyOf(ctx, 'app'), (r) => r.status === 'True' && r.lastTransitionTime !== readySince, {
      timeoutMs: SYNC_TIMEOUT_MS,
      message: 'synced again after the failures',
    });
    const after = await ctx.k.secret(ctx.namespace, 'app');
    assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion);
  },
};

export const ALL_CASES: Case[] = [sync, rotation, notFound, deletionPolicyDelete, transientFailure];
