import { describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_TIMER_MS, systemClock } from '../../../src/platform/clock.ts';

describe('systemClock.sleep', () => {
  it('sleeps a delay longer than setTimeout takes in pieces, instead of firing after 1 ms', async () => {
    // 30 days: a SecretStore's refreshInterval 2592000 (seconds), over Node's 2^31-1 ms timer limit.
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    try {
      const thirtyDays = 30 * 24 * 3600_000;
      let done = false;
      const p = systemClock.sleep(thirtyDays).then(() => (done = true));
      mock.timers.tick(1);
      await Promise.resolve();
      assert.equal(done, false, 'woke after 1 ms');
      mock.timers.tick(MAX_TIMER_MS);
      await Promise.resolve();
      assert.equal(done, false, 'woke at the first piece, before the delay');
      mock.timers.tick(thirtyDays - MAX_TIMER_MS - 2);
      await Promise.resolve();
      assert.equal(done, false, 'woke 1 ms early');
      mock.timers.tick(1);
      await p;
      assert.equal(done, true);
    } finally {
      mock.timers.reset();
    }
  });

  it('still rejects on abort during a long sleep', async () => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    try {
      const ac = new AbortController();
      const p = systemClock.sleep(40 * 24 * 3600_000, ac.signal);
      mock.timers.tick(MAX_TIMER_MS + 5);
      ac.abort(new Error('stop'));
      await assert.rejects(p, /stop/);
    } finally {
      mock.timers.reset();
    }
  });
});
