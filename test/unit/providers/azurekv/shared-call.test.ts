// RecentCall (a store check shared by the stores of one SDK client) and SdkClientPool (one SDK
// client per credential, vault and CA set): shared-call.ts, sdk-client-pool.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RecentCall } from '../../../../src/providers/azurekv/shared-call.ts';
import { SdkClientPool } from '../../../../src/providers/azurekv/sdk-client-pool.ts';

/** A call that stays open until the test settles it. */
function openCalls() {
  const calls: { settle: (v: string) => void; fail: (e: Error) => void }[] = [];
  const call = () =>
    new Promise<string>((settle, fail) => {
      calls.push({ settle, fail });
    });
  return { calls, call };
}

const never = new AbortController().signal;

describe('RecentCall', () => {
  it('joins a call in flight, and one settled at most maxAgeMs ago; a later one calls again', async () => {
    let now = 0;
    const shared = new RecentCall<string>(() => now);
    const { calls, call } = openCalls();
    const a = shared.run(call, never, 1_000);
    const b = shared.run(call, never, 0);
    assert.equal(calls.length, 1);
    calls[0]!.settle('Ready');
    assert.deepEqual(await Promise.all([a, b]), ['Ready', 'Ready']);
    now = 1_000;
    assert.equal(await shared.run(call, never, 1_000), 'Ready');
    assert.equal(calls.length, 1, 'settled exactly maxAgeMs ago');
    const c = shared.run(call, never, 999);
    assert.equal(calls.length, 2, 'older than the caller accepts');
    calls[1]!.settle('Ready');
    assert.equal(await c, 'Ready');
  });

  it('shares a failure only with the callers that joined it while it ran: the next caller calls again at once', async () => {
    // A store check that failed (a refused credential) must not answer a check made after the
    // cause was fixed, even within the window: the flood-gate integration test nudges the store
    // right after fixing the credential.
    const shared = new RecentCall<string>(() => 0);
    const { calls, call } = openCalls();
    const a = shared.run(call, never, 500);
    const b = shared.run(call, never, 500);
    calls[0]!.fail(new Error('StoreAuthFailed'));
    await assert.rejects(a, /StoreAuthFailed/);
    await assert.rejects(b, /StoreAuthFailed/);
    const c = shared.run(call, never, 500);
    assert.equal(calls.length, 2, 'a new call, with no time passed');
    calls[1]!.settle('Ready');
    assert.equal(await c, 'Ready');
  });

  it('lets a caller stop waiting on its own signal; the call goes on for the others, and its failure is never unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const shared = new RecentCall<string>(() => 0);
      const { calls, call } = openCalls();
      const gaveUp = new AbortController();
      const a = shared.run(call, gaveUp.signal);
      const b = shared.run(call, never);
      gaveUp.abort();
      await assert.rejects(a, { name: 'AbortError' });
      await assert.rejects(shared.run(call, AbortSignal.abort()), { name: 'AbortError' });
      calls[0]!.settle('Ready');
      assert.equal(await b, 'Ready');
      assert.equal(calls.length, 1);
      // Every caller gone, then the call fails.
      const alone = new AbortController();
      const c = shared.run(call, alone.signal, -1);
      alone.abort();
      await assert.rejects(c, { name: 'AbortError' });
      calls[1]!.fail(new Error('VaultUnavailable'));
      await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('SdkClientPool', () => {
  it('gives one value per credential, key and trust object; any of them differing makes another', () => {
    const pool = new SdkClientPool<object>();
    let made = 0;
    const make = () => ({ n: ++made });
    const credA = {};
    const credB = {};
    const trust = {};
    const a = pool.get(credA, ['https://v/', '', 'false'], trust, make);
    assert.equal(pool.get(credA, ['https://v/', '', 'false'], trust, make), a);
    assert.notEqual(pool.get(credB, ['https://v/', '', 'false'], trust, make), a);
    assert.notEqual(pool.get(credA, ['https://w/', '', 'false'], trust, make), a);
    assert.notEqual(pool.get(credA, ['https://v/', '7.4', 'false'], trust, make), a);
    assert.notEqual(pool.get(credA, ['https://v/', '', 'true'], trust, make), a);
    assert.notEqual(pool.get(credA, ['https://v/', '', 'false'], {}, make), a);
    assert.notEqual(pool.get(credA, ['https://v/', '', 'false'], undefined, make), a);
    assert.equal(made, 7);
  });
});
