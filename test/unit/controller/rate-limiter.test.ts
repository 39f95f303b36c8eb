import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_RATE_LIMITS,
  ExponentialFailureRateLimiter,
  TokenBucketRateLimiter,
  defaultControllerRateLimiter,
} from '../../../src/controller/rate-limiter.ts';
import { FakeClock } from '../../support/fake-clock.ts';

describe('ExponentialFailureRateLimiter', () => {
  it('doubles the delay per failure from the base and stops at the cap', () => {
    const limiter = new ExponentialFailureRateLimiter({ baseMs: 5, maxMs: 1_000_000 });
    const schedule = Array.from({ length: 20 }, () => limiter.when('ns/a'));
    assert.deepEqual(schedule, [
      5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 5120, 10240, 20480, 40960, 81920, 163840, 327680, 655360,
      1_000_000, 1_000_000,
    ]);
    assert.equal(limiter.numRequeues('ns/a'), 20);
  });

  it('keeps separate failure counts per key', () => {
    const limiter = new ExponentialFailureRateLimiter({ baseMs: 5, maxMs: 1000 });
    limiter.when('ns/a');
    limiter.when('ns/a');
    assert.equal(limiter.when('ns/b'), 5);
    assert.equal(limiter.numRequeues('ns/a'), 2);
  });

  it('starts again from the base after forget', () => {
    const limiter = new ExponentialFailureRateLimiter({ baseMs: 5, maxMs: 1000 });
    limiter.when('ns/a');
    limiter.when('ns/a');
    limiter.forget('ns/a');
    assert.equal(limiter.numRequeues('ns/a'), 0);
    assert.equal(limiter.when('ns/a'), 5);
  });

  it('stays at the cap after very many failures instead of overflowing', () => {
    const limiter = new ExponentialFailureRateLimiter({ baseMs: 5, maxMs: 1000 });
    let last = 0;
    for (let i = 0; i < 2000; i++) last = limiter.when('ns/a');
    assert.equal(last, 1000);
  });
});

describe('TokenBucketRateLimiter', () => {
  it('lets the burst through at once and spaces the rest at the rate', () => {
    const clock = new FakeClock();
    const bucket = new TokenBucketRateLimiter({ qps: 10, burst: 3, clock });
    const delays = Array.from({ length: 6 }, (_, i) => bucket.when(`ns/k${i}`));
    assert.deepEqual(delays, [0, 0, 0, 100, 200, 300]);
  });

  it('refills tokens as time passes, up to the burst', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucketRateLimiter({ qps: 10, burst: 2, clock });
    bucket.when('a');
    bucket.when('b');
    await clock.advance(10_000);
    assert.deepEqual([bucket.when('c'), bucket.when('d'), bucket.when('e')], [0, 0, 100]);
  });
});

describe('defaultControllerRateLimiter', () => {
  it('uses the limits ESO sets for its controllers', () => {
    // ESO pkg/controllers/common/common.go BuildRateLimiter: 1 s → 7 min per key, 10/s burst 100 overall.
    assert.deepEqual(DEFAULT_RATE_LIMITS, { baseMs: 1_000, maxMs: 420_000, qps: 10, burst: 100 });
  });

  it('takes the per-key backoff while the global bucket has tokens', () => {
    const limiter = defaultControllerRateLimiter(new FakeClock());
    assert.deepEqual([limiter.when('ns/a'), limiter.when('ns/a'), limiter.when('ns/a')], [1_000, 2_000, 4_000]);
  });

  it('takes the bucket delay when many keys fail at once', () => {
    const limiter = defaultControllerRateLimiter(new FakeClock());
    // The 101st key waits 100 ms for a token, less than its own 1 s; from the 111th the bucket's wait is longer.
    const delays = Array.from({ length: 112 }, (_, i) => limiter.when(`ns/k${i}`));
    assert.deepEqual(delays.slice(0, 110), Array(110).fill(1_000));
    assert.deepEqual(delays.slice(110), [1_100, 1_200]);
  });
});
