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
    const get = (identity: string[], trust: object | undefined) => pool.get(identity, trust, make).credential;
    const a = get(['https://login', 'false', 't', 'c', 'secret', 's1'], caA);
    assert.equal(get(['https://login', 'false', 't', 'c', 'secret', 's1'], caA), a);
    assert.notEqual(get(['https://login', 'false', 't', 'c', 'secret', 's2'], caA), a);
    assert.notEqual(get(['https://login', 'false', 't2', 'c', 'secret', 's1'], caA), a);
    assert.notEqual(get(['https://login', 'false', 't', 'c', 'secret', 's1'], caB), a);
    assert.notEqual(get(['https://login', 'false', 't', 'c', 'secret', 's1'], undefined), a);
    assert.equal(made, 5);
  });

  it('puts a credential made within maxAgeMs behind the shared one, whose token requests go to the newest from then on', async () => {
    let now = 1_000;
    const pool = new CredentialPool(() => now);
    const fakes: ReturnType<typeof fakeCredential>[] = [];
    const make = () => {
      fakes.push(fakeCredential());
      return fakes.at(-1)!.credential;
    };
    const id = ['a', 'false', 't', 'c', 'secret', 's'];
    const first = pool.get(id, undefined, make, 1_000);
    now += 1_000;
    const again = pool.get(id, undefined, make, 1_000);
    assert.equal(again.current, first.current, 'made exactly maxAgeMs ago');
    assert.equal(fakes.length, 1);
    now += 1;
    const checked = pool.get(id, undefined, make, 1_000);
    assert.equal(fakes.length, 2);
    assert.notEqual(checked.current, first.current);
    // The SDK clients built on the shared credential stay; their next token comes from the new one.
    assert.equal(checked.credential, first.credential);
    const t = first.credential.getToken(SCOPE);
    assert.deepEqual([fakes[0]!.calls.length, fakes[1]!.calls.length], [0, 1]);
    fakes[1]!.calls[0]!.settle(token('newer'));
    assert.equal((await t)?.token, 'newer');
    now += 60_000;
    assert.equal(pool.get(id, undefined, make).current, checked.current, 'without a bound, the newest, however old');
  });

  it('joins concurrent token requests for the same scopes into one; a later request asks again', async () => {
    const fake = fakeCredential();
    const shared = new CredentialPool(() => 0).get(['x'], undefined, () => fake.credential).credential;
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
    const shared = new CredentialPool(() => 0).get(['x'], undefined, () => fake.credential).credential;
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
      const shared = new CredentialPool(() => 0).get(['x'], undefined, () => fake.credential).credential;
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
