// The HOWTO's phases as one story, run once per auth type: create the vault secret, apply the store
// and the ExternalSecret, see the Secret appear, rotate in the vault, survive a vault outage with the
// Secret untouched, and recover when the vault comes back.
import assert from 'node:assert/strict';
import { eventually } from '../../support/eventually.ts';
import { HOWTO, targetVersion, type HowtoEnv } from './howto-env.ts';

/** The seed's 1h becomes this, so a rotation is seen within a test's time. */
export const TEST_REFRESH_INTERVAL = '3s';
const REFRESH_MS = 3_000;
/** Generous: one refresh interval plus room for a loaded 2-core machine. */
const WITHIN_REFRESH_MS = REFRESH_MS + 12_000;

export interface HowtoFlowOptions {
  /** The ClusterSecretStore to apply (the HOWTO's, adjusted for the auth type under test). */
  store: unknown;
  /** Objects the store needs first (credentials Secret, ServiceAccount). */
  prerequisites?(): Promise<void>;
  /** How to take the vault away: close its listeners (default) or drop every connection. */
  outage?: 'close' | 'drop';
}

async function phase1CreateVaultSecret(env: HowtoEnv): Promise<string> {
  const v1 = env.canaries.next('netbox-v1');
  await env.vault.admin.setSecret(HOWTO.vaultSecret, v1);
  return v1;
}

async function phase2to4ApplyAndSync(env: HowtoEnv, o: HowtoFlowOptions, v1: string): Promise<void> {
  await o.prerequisites?.();
  await env.k.apply([o.store as never]);
  await eventually(() => env.storeReady(), (r) => r.status === 'True', { timeoutMs: 30_000, message: 'ClusterSecretStore Ready' });
  await env.k.namespace(HOWTO.namespace);
  await env.k.apply([env.howtoExternalSecret(TEST_REFRESH_INTERVAL)]);

  const value = await eventually(() => env.k.secretValue(HOWTO.namespace, HOWTO.target, HOWTO.targetKey), v1, { timeoutMs: 30_000, message: 'netbox-db-credentials synced' });
  assert.equal(value, v1);
  const secret = await env.k.secret(HOWTO.namespace, HOWTO.target);
  assert.deepEqual(Object.keys(secret.data), [HOWTO.targetKey]);
  assert.equal(secret.metadata.ownerReferences?.[0]?.kind, 'ExternalSecret');
  assert.equal(secret.metadata.ownerReferences?.[0]?.name, HOWTO.externalSecret);
  const ready = await env.waitEsReady('True');
  assert.equal(ready.reason, 'SecretSynced');
}

async function phase6Rotate(env: HowtoEnv): Promise<string> {
  const before = await targetVersion(env.k);
  assert.ok(before?.dataHash, 'the managed Secret carries a data-hash annotation');
  const v2 = env.canaries.next('netbox-v2');
  await env.vault.admin.setSecret(HOWTO.vaultSecret, v2);
  await eventually(() => env.k.secretValue(HOWTO.namespace, HOWTO.target, HOWTO.targetKey), v2, { timeoutMs: WITHIN_REFRESH_MS, message: 'rotated value reaches the Secret' });
  const after = await targetVersion(env.k);
  assert.notEqual(after?.resourceVersion, before.resourceVersion);
  assert.notEqual(after?.dataHash, before.dataHash);
  return v2;
}

async function outageKeepsSecret(env: HowtoEnv, o: HowtoFlowOptions, current: string): Promise<void> {
  const before = await env.k.secret(HOWTO.namespace, HOWTO.target);
  if (o.outage === 'drop') env.vault.faults.dropConnections(true);
  else await env.stopVault();

  const failed = await env.waitEsReady('False', { message: /VaultUnavailable/ });
  assert.equal(failed.reason, 'SecretSyncedError');
  await eventually(() => env.k.events(HOWTO.namespace), (ev) => ev.some((e) => e.type === 'Warning' && /VaultUnavailable/.test(e.message ?? '')), { message: 'Warning event naming VaultUnavailable' });
  const during = await env.k.secret(HOWTO.namespace, HOWTO.target);
  assert.equal(during.metadata.resourceVersion, before.metadata.resourceVersion);
  assert.deepEqual(during.data, before.data);
  assert.equal(await env.k.secretValue(HOWTO.namespace, HOWTO.target, HOWTO.targetKey), current);
}

async function recovers(env: HowtoEnv, o: HowtoFlowOptions): Promise<void> {
  if (o.outage === 'drop') env.vault.faults.dropConnections(false);
  else await env.restartVault();
  // A value written after the restart proves reads flow again, not just that the condition flipped.
  const v3 = env.canaries.next('netbox-v3');
  await env.vault.admin.setSecret(HOWTO.vaultSecret, v3);
  await eventually(() => env.k.secretValue(HOWTO.namespace, HOWTO.target, HOWTO.targetKey), v3, { timeoutMs: 60_000, message: 'Secret updated after the vault came back' });
  const ready = await env.waitEsReady('True');
  assert.equal(ready.reason, 'SecretSynced');
}

/** Runs the whole HOWTO story; each step asserts what the HOWTO tells the reader to check. */
export async function runHowtoFlow(env: HowtoEnv, o: HowtoFlowOptions): Promise<void> {
  const v1 = await phase1CreateVaultSecret(env);
  await phase2to4ApplyAndSync(env, o, v1);
  const v2 = await phase6Rotate(env);
  await outageKeepsSecret(env, o, v2);
  await recovers(env, o);
  await env.assertNoLeaks([HOWTO.namespace, HOWTO.credentialsNamespace]);
}
