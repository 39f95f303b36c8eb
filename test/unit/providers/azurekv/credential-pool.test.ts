import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { CredentialPool } from '../../../../src/providers/azurekv/credential-pool.ts';
import { eventually } from '../../../support/eventually.ts';

/** A credential whose token requests stay open until the test settles them. */
function fakeCredential() {
  const calls: { scopes: string | string[]; options: GetTokenOptions | undefined; settle: (t: AccessToken) => void; fail: (e: Error) => void }[] = [];
  const credential: TokenCredential = {
    getToken: (scopes, options) =>
      new Promise<AccessToken>((settle, fail) => {
        calls.push({ scopes, options, settle, fail });
      }),
  };
  return { credential, calls };
}

const token = (t: string): AccessToken => ({ token: t, expiresOnTimestamp: 0 });
const SCOPE = 'https://vault.azure.net/.default';

describe('CredentialPool (azurekv credentials shared by stores with one identity)', () => {
  it('shares one credential per identity and CA set; another secret, tenant or CA set gets its own', () => {
    const pool = new CredentialPool(() => 0);
    let made = 0;
    const make = () => {
      made++;
      return fakeCredential().credential;
    };
    const caA = {};
    const caB = {};
    const a = pool.get(['https://login', 'false', 't', 'c', 'secret', 's1'], caA, make);
    assert.equal(pool.get(['https://login', 'false', 't', 'c', 'secret', 's1'], caA, make), a);
    assert.notEqual(pool.get(['https://login', 'false', 't', 'c', 'secret', 's2'], caA, make), a);
    assert.notEqual(pool.get(['https://login', 'false', 't2', 'c', 'secret', 's1'], caA, make), a);
    assert.notEqual(pool.get(['https://login', 'false', 't', 'c', 'secret', 's1'], caB, make), a);
    assert.notEqual(pool.get(['https://login', 'false', 't', 'c', 'secret', 's1'], undefined, make), a);
    assert.equal(made, 5);
  });

  it('serves a caller with maxAgeMs only a credential made within it, and shares the newer one from then on', () => {
    let now = 1_000;
    const pool = new CredentialPool(() => now);
    const make = () => fakeCredential().credential;
    const id = ['a', 'false', 't', 'c', 'secret', 's'];
    const first = pool.get(id, undefined, make, 1_000);
    now += 1_000;
    assert.equal(pool.get(id, undefined, make, 1_000), first, 'made exactly maxAgeMs ago');
    now += 1;
    const second = pool.get(id, undefined, make, 1_000);
    assert.notEqual(second, first);
    assert.equal(pool.get(id, undefined, make), second, 'without a bound, the newest');
  });

  it('joins concurrent token requests for the same scopes into one; a later request asks again', async () => {
    const fake = fakeCredential();
    const shared = new CredentialPool(() => 0).get(['x'], undefined, () => fake.credential);
    const p1 = shared.getToken(SCOPE);
    const p2 = shared.getToken([SCOPE]);
    const p3 = shared.getToken(SCOPE, { tenantId: 'other' });
    assert.equal(fake.calls.length, 3, 'a string and an array of scopes, and another tenant, are different requests');
    const p4 = shared.getToken(SCOPE, { abortSignal: new AbortController().signal });
    assert.equal(fake.calls.length, 3, 'the abort signal is not part of the request');
    fake.calls[0]!.settle(token('one'));
    assert.deepEqual([(await p1)?.token, (await p4)?.token], ['one', 'one']);
    fake.calls[1]!.settle(token('two'));
    fake.calls[2]!.settle(token('three'));
    assert.deepEqual([(await p2)?.token, (await p3)?.token], ['two', 'three']);
    void shared.getToken(SCOPE);
    assert.equal(fake.calls.length, 4);
  });

  it('lets a caller stop waiting on its own signal while the others get the token, and shares a failure', async () => {
    const fake = fakeCredential();
    const shared = new CredentialPool(() => 0).get(['x'], undefined, () => fake.credential);
    const ac = new AbortController();
    const waiting = shared.getToken(SCOPE, { abortSignal: ac.signal });
    const other = shared.getToken(SCOPE);
    ac.abort();
    await assert.rejects(waiting, { name: 'AbortError' });
    fake.calls[0]!.settle(token('t'));
    assert.equal((await other)?.token, 't');
    await assert.rejects(shared.getToken(SCOPE, { abortSignal: AbortSignal.abort() }), { name: 'AbortError' });

    const failing = shared.getToken(SCOPE);
    const failingToo = shared.getToken(SCOPE);
    fake.calls.at(-1)!.fail(new Error('AADSTS7000215: Invalid client secret provided.'));
    await assert.rejects(failing, /7000215/);
    await assert.rejects(failingToo, /7000215/);
  });

  // Key Vault's auth policy passes the request's signal to getToken without checking it first: a
  // read cancelled just before asks for a token with an aborted signal. Found by a review helper:
  // the shared request's failure then had no handler, and Node ends the process on that.
  it('leaves no unhandled rejection when every caller stopped waiting and the token request fails', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const fake = fakeCredential();
      const shared = new CredentialPool(() => 0).get(['x'], undefined, () => fake.credential);
      await assert.rejects(shared.getToken(SCOPE, { abortSignal: AbortSignal.abort() }), { name: 'AbortError' });
      fake.calls[0]!.fail(new Error('AADSTS7000215: Invalid client secret provided.'));
      await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('drops a credential no client holds any more', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const pool = new CredentialPool(() => 0);
    (() => {
      pool.get(['gone'], undefined, () => fakeCredential().credential);
    })();
    const kept = pool.get(['kept'], undefined, () => fakeCredential().credential);
    await eventually(
      async () => {
        gc();
        await new Promise((r) => setImmediate(r));
        return pool.size;
      },
      1,
      { timeoutMs: 5_000, message: 'the unreferenced credential is collected' },
    );
    assert.ok(kept);
  });
});
