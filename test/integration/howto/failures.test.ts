// What the HOWTO's reader sees when something is wrong: each failure is named precisely in the
// store's or the ExternalSecret's Ready condition, no Secret is written, and a 429 burst is ridden out
// by waiting as long as the vault asked.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../../support/eventually.ts';
import { HOWTO, HowtoEnv } from './howto-env.ts';

const SP_CLIENT = 'howto-sp';
const LIMITED_CLIENT = 'howto-limited';
const GET_ONLY_CLIENT = 'howto-get-only';

function externalSecret(namespace: string, name: string, store: string, remoteKey: string) {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name, namespace },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: store },
      target: { name, creationPolicy: 'Owner' },
      data: [{ secretKey: 'VALUE', remoteRef: { key: remoteKey } }],
    },
  };
}

describe('HOWTO failure cases on a real API server and the local vault', { timeout: 600_000 }, () => {
  let env: HowtoEnv;
  const namespaces = ['wrong-secret', 'forbidden', 'get-only', 'not-found', 'throttled'];

  /** A copy of the HOWTO store named `name` whose credentials come from Secret `credentials`. */
  function storeWith(name: string, credentials: string) {
    const store = env.howtoStore((azurekv) => {
      for (const field of ['tenantId', 'clientId', 'clientSecret']) azurekv[field].valueFrom.secretKeyRef.name = credentials;
    });
    store.metadata.name = name;
    return store;
  }

  before(async () => {
    const goodSecret = `canary-good-client-secret-${process.pid}`;
    const limitedSecret = `canary-limited-client-secret-${process.pid}`;
    const getOnlySecret = `canary-get-only-client-secret-${process.pid}`;
    env = await HowtoEnv.start({
      principals: [
        { clientId: SP_CLIENT, clientSecret: goodSecret },
        // May list the vault and read other-* secrets only.
        { clientId: LIMITED_CLIENT, clientSecret: limitedSecret, allowRead: ['other-*'] },
        // An access policy with Get alone (or a role assigned on single secrets): no listing.
        { clientId: GET_ONLY_CLIENT, clientSecret: getOnlySecret, listSecrets: false },
      ],
    });
    env.canaries.values.push(goodSecret, limitedSecret, getOnlySecret);
    await env.applyCredentialsSecret(SP_CLIENT, goodSecret);
    await env.applyCredentialsSecret(LIMITED_CLIENT, limitedSecret, 'akv-sp-limited');
    await env.applyCredentialsSecret(GET_ONLY_CLIENT, getOnlySecret, 'akv-sp-get-only');
    await env.k.apply([env.howtoStore(), storeWith('akv-limited', 'akv-sp-limited'), storeWith('akv-get-only', 'akv-sp-get-only')]);
    for (const ns of namespaces) await env.k.namespace(ns);
  });

  after(async () => {
    try {
      if (env) await env.assertNoLeaks([...namespaces, HOWTO.credentialsNamespace]);
    } finally {
      await env?.stop();
    }
  });

  it('reports a wrong client secret as StoreAuthFailed on the store, and the ExternalSecret as waiting for that store (flood gate), and writes no Secret', async () => {
    const wrong = env.canaries.next('wrong-client-secret');
    const value = env.canaries.next('unreachable-value');
    await env.vault.admin.setSecret('wrong-secret-value', value);
    await env.applyCredentialsSecret(SP_CLIENT, wrong, 'akv-sp-wrong');
    await env.k.apply([storeWith('akv-wrong', 'akv-sp-wrong'), externalSecret('wrong-secret', 'app', 'akv-wrong', 'wrong-secret-value') as never]);

    const store = await eventually(() => env.storeReady('akv-wrong'), (r) => r.status === 'False', { timeoutMs: 30_000, message: 'store Ready=False' });
    assert.equal(store.reason, 'ValidationFailed');
    assert.match(store.message!, /^StoreAuthFailed: could not get a token .*invalid_client/);
    // ESO's flood gate (--enable-flood-gate, default true; client_manager.go assertStoreIsUsable):
    // the ExternalSecret does not ask for a token of its own, it names the store that is not ready.
    const es = await env.waitEsReady('False', { namespace: 'wrong-secret', name: 'app', message: /ValidationFailed/ });
    assert.equal(es.message, 'StoreNotReady: ClusterSecretStore "akv-wrong" is not ready: its Ready condition is False (ValidationFailed)');
    assert.equal(es.reason, 'SecretSyncedError');
    assert.equal(await env.k.secret('wrong-secret', 'app'), undefined);
  });

  it('reports a principal without read access to the secret as VaultForbidden and writes no Secret', async () => {
    await env.vault.admin.setSecret('billing-db-password', env.canaries.next('forbidden-value'));
    await env.k.apply([externalSecret('forbidden', 'app', 'akv-limited', 'billing-db-password') as never]);
    const es = await env.waitEsReady('False', { namespace: 'forbidden', name: 'app', message: /VaultForbidden/ });
    assert.match(es.message!, /billing-db-password/);
    assert.match(es.message!, /403/);
    assert.equal(await env.k.secret('forbidden', 'app'), undefined);
    // Listing is allowed for this principal, so the store itself is Ready: the refusal is per secret.
    await eventually(() => env.storeReady('akv-limited'), (r) => r.status === 'True', { timeoutMs: 30_000, message: 'store akv-limited Ready=True' });
  });

  // ESO's azurekv store check asks the vault nothing (providers/v1/azure/keyvault/keyvault.go
  // Validate), so such an identity's store is Ready there and its ExternalSecrets sync; Projector's
  // check lists one secret, and a 403 for that list means the vault accepted the identity.
  it('syncs through a store whose identity may get secrets but not list them', async () => {
    const value = env.canaries.next('get-only-value');
    await env.vault.admin.setSecret('get-only-secret', value);
    await env.k.apply([externalSecret('get-only', 'app', 'akv-get-only', 'get-only-secret') as never]);
    await eventually(() => env.k.secretValue('get-only', 'app', 'VALUE'), value, { timeoutMs: 30_000, message: 'synced through the get-only store' });
    const store = await eventually(() => env.storeReady('akv-get-only'), (r) => r.status === 'True', { timeoutMs: 30_000, message: 'store akv-get-only Ready=True' });
    assert.equal(store.reason, 'Valid');
  });

  it('reports a secret missing from the vault as VaultNotFound and writes no Secret', async () => {
    await env.k.apply([externalSecret('not-found', 'app', HOWTO.store, 'never-created') as never]);
    const es = await env.waitEsReady('False', { namespace: 'not-found', name: 'app', message: /VaultNotFound/ });
    assert.match(es.message!, /never-created.*404/);
    assert.equal(await env.k.secret('not-found', 'app'), undefined);
  });

  it('syncs through a burst of 429s, waiting the Retry-After each time before asking again', async () => {
    const value = env.canaries.next('throttled');
    await env.vault.admin.setSecret('burst-secret', value);
    const throttledReads = 3;
    env.vault.faults.failNext(429, throttledReads, { retryAfterSeconds: 1, path: /^\/secrets\/burst-secret/ });
    const started = Date.now();
    await env.k.apply([externalSecret('throttled', 'app', HOWTO.store, 'burst-secret') as never]);
    await eventually(() => env.k.secretValue('throttled', 'app', 'VALUE'), value, { timeoutMs: 30_000, message: 'synced after the burst' });
    // A lower bound, so it cannot flake on a slow machine: ignoring Retry-After (per-key backoff starts
    // at 5 ms) would sync in well under a second; honouring it needs about one second per 429.
    assert.ok(Date.now() - started >= (throttledReads - 0.5) * 1_000, 'each 429 was waited out for its Retry-After');
    assert.match(env.op.logs(), /VaultThrottled/);
    await env.waitEsReady('True', { namespace: 'throttled', name: 'app' });
  });
});
