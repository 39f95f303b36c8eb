import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucket, VaultRateLimiter } from '../../../src/sync/rate-limit.ts';
import type { Clock } from '../../../src/platform/clock.ts';

/** A clock whose sleep advances time at once and records what was asked. */
function fakeClock(startMs = 0): Clock & { sleeps: number[]; nowMs(): number } {
  let now = startMs;
  const sleeps: number[] = [];
  return {
    sleeps,
    nowMs: () => now,
    now: () => new Date(now),
    sleep: async (ms: number, signal?: AbortSignal) => {
      signal?.throwIfAborted();
      sleeps.push(ms);
      now += ms;
    },
  };
}

describe('TokenBucket', () => {
  it('grants a burst of 10 % of the window budget at once, then asks to wait', () => {
    const b = new TokenBucket({ readsPerWindow: 4000, windowMs: 10_000 }, 0);
    assert.equal(b.capacity, 400);
    const grants = Array.from({ length: 401 }, () => b.take(0));
    assert.deepEqual(grants.slice(0, 400).filter((w) => w !== 0), []);
    assert.equal(grants[400], 3); // 360 reads/s → one token every 2.78 ms
  });

  it('never allows more than readsPerWindow reads in any window', () => {
    const b = new TokenBucket({ readsPerWindow: 100, windowMs: 1000 }, 0);
    const grantedAt: number[] = [];
    for (let t = 0; t <= 5000; t++) {
      while (b.take(t) === 0) grantedAt.push(t);
    }
    for (let i = 0; i < grantedAt.length; i++) {
      const inWindow = grantedAt.filter((t) => t >= grantedAt[i]! && t < grantedAt[i]! + 1000).length;
      assert.ok(inWindow <= 100, `window from ${grantedAt[i]} has ${inWindow}`);
    }
    assert.ok(grantedAt.length >= 450, `throughput too low: ${grantedAt.length}`);
  });

  it('refuses every read until a pause ends, then resumes with a trickle', () => {
    const b = new TokenBucket({ readsPerWindow: 100, windowMs: 1000 }, 0);
    b.pauseUntil(2000);
    assert.equal(b.take(500), 1500);
    assert.equal(b.available(1999), 0);
    assert.equal(b.take(2000), 0);
    assert.ok(b.take(2000) > 0, 'saved tokens must not all fire after a pause');
  });

  it('keeps the later of two pauses', () => {
    const b = new TokenBucket({}, 0);
    b.pauseUntil(5000);
    b.pauseUntil(1000);
    assert.equal(b.take(0), 5000);
  });

  it('rejects nonsensical options', () => {
    assert.throws(() => new TokenBucket({ readsPerWindow: 0 }, 0), RangeError);
    assert.throws(() => new TokenBucket({ burstFraction: 1 }, 0), RangeError);
  });
});

describe('VaultRateLimiter', () => {
  it('waits on the clock when the bucket is empty', async () => {
    const clock = fakeClock();
    const limiter = new VaultRateLimiter({ clock, options: { readsPerWindow: 20, windowMs: 1000, burstFraction: 0.1 } });
    const signal = new AbortController().signal;
    for (let i = 0; i < 4; i++) await limiter.acquire('https://a', signal);
    assert.deepEqual(clock.sleeps, [56, 56]); // burst 2, then 18 reads/s
  });

  it('keeps separate budgets per vault', async () => {
    const clock = fakeClock();
    const limiter = new VaultRateLimiter({ clock, options: { readsPerWindow: 10, windowMs: 1000, burstFraction: 0.1 } });
    const signal = new AbortController().signal;
    await limiter.acquire('https://a', signal);
    await limiter.acquire('https://b', signal);
    assert.deepEqual(clock.sleeps, []);
    assert.equal(limiter.available('https://a'), 0);
  });

  it('holds every reader of a vault for Retry-After after a 429', async () => {
    const clock = fakeClock(1000);
    const limiter = new VaultRateLimiter({ clock });
    limiter.pause('https://a', 3000);
    await limiter.acquire('https://a', new AbortController().signal);
    assert.deepEqual(clock.sleeps, [3000]);
    assert.equal(clock.nowMs(), 4000);
  });

  it('stops waiting when the signal aborts', async () => {
    const clock = fakeClock();
    const limiter = new VaultRateLimiter({ clock });
    limiter.pause('https://a', 3000);
    const ac = new AbortController();
    ac.abort(new Error('shutdown'));
    await assert.rejects(limiter.acquire('https://a', ac.signal), /shutdown/);
  });
});
