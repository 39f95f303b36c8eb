import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from '../../../src/controller/workqueue.ts';
import { ExponentialFailureRateLimiter, defaultControllerRateLimiter } from '../../../src/controller/rate-limiter.ts';
import { FakeClock, flushMicrotasks } from '../../support/fake-clock.ts';

function newQueue(clock = new FakeClock()) {
  return { clock, queue: new WorkQueue({ clock, rateLimiter: defaultControllerRateLimiter(clock) }) };
}

/** Everything the queue hands out right now, without marking any of it done. */
async function takeReady(queue: WorkQueue): Promise<string[]> {
  const out: string[] = [];
  while (queue.len() > 0) out.push((await queue.get())!);
  return out;
}

describe('WorkQueue', () => {
  it('hands each key out once however often it was added', async () => {
    const { queue } = newQueue();
    queue.add('ns/a');
    queue.add('ns/b');
    queue.add('ns/a');
    queue.add('ns/a');
    assert.equal(queue.len(), 2);
    assert.deepEqual(await takeReady(queue), ['ns/a', 'ns/b']);
  });

  it('does not hand out a key again while it is being processed', async () => {
    const { queue } = newQueue();
    queue.add('ns/a');
    assert.equal(await queue.get(), 'ns/a');
    queue.add('ns/a');
    queue.add('ns/b');
    assert.deepEqual(await takeReady(queue), ['ns/b']);
    assert.equal(queue.processingLen(), 2);
  });

  it('queues a key added during processing again once it is done, and only once', async () => {
    const { queue } = newQueue();
    queue.add('ns/a');
    await queue.get();
    queue.add('ns/a');
    queue.add('ns/a');
    assert.equal(queue.len(), 0);
    queue.done('ns/a');
    assert.deepEqual(await takeReady(queue), ['ns/a']);
  });

  it('does not queue a processed key again when nobody added it meanwhile', async () => {
    const { queue } = newQueue();
    queue.add('ns/a');
    await queue.get();
    queue.done('ns/a');
    assert.equal(queue.len(), 0);
  });

  it('wakes a waiting get() when a key is added', async () => {
    const { queue } = newQueue();
    const got = queue.get();
    queue.add('ns/late');
    assert.equal(await got, 'ns/late');
  });

  it('returns undefined from a waiting get() when its signal aborts', async () => {
    const { queue } = newQueue();
    const ac = new AbortController();
    const got = queue.get(ac.signal);
    ac.abort();
    assert.equal(await got, undefined);
    queue.add('ns/a');
    assert.equal(await queue.get(), 'ns/a', 'the aborted waiter must not swallow the next key');
  });

  it('adds a key after its delay has passed on the clock', async () => {
    const { clock, queue } = newQueue();
    queue.addAfter('ns/a', 1000);
    await clock.advance(999);
    assert.equal(queue.len(), 0);
    await clock.advance(1);
    assert.deepEqual(await takeReady(queue), ['ns/a']);
  });

  it('keeps the earliest time when a waiting key is added after a delay twice', async () => {
    const { clock, queue } = newQueue();
    queue.addAfter('ns/a', 5000);
    queue.addAfter('ns/a', 1000);
    queue.addAfter('ns/a', 3000);
    await clock.advance(1000);
    assert.deepEqual(await takeReady(queue), ['ns/a']);
    queue.done('ns/a');
    await clock.advance(10_000);
    assert.equal(queue.len(), 0, 'the superseded later times do not add it again');
  });

  it('releases delayed keys in time order', async () => {
    const { clock, queue } = newQueue();
    queue.addAfter('ns/c', 300);
    queue.addAfter('ns/a', 100);
    queue.addAfter('ns/b', 200);
    await clock.advance(300);
    assert.deepEqual(await takeReady(queue), ['ns/a', 'ns/b', 'ns/c']);
  });

  it('adds at once when the delay is zero or negative', async () => {
    const { queue } = newQueue();
    queue.addAfter('ns/a', 0);
    queue.addAfter('ns/b', -5);
    assert.deepEqual(await takeReady(queue), ['ns/a', 'ns/b']);
  });

  it('dedups a delayed key that is already queued when its time comes', async () => {
    const { clock, queue } = newQueue();
    queue.addAfter('ns/a', 100);
    queue.add('ns/a');
    await clock.advance(100);
    assert.deepEqual(await takeReady(queue), ['ns/a']);
  });

  it('backs a failing key off exponentially through addRateLimited', async () => {
    const clock = new FakeClock();
    const queue = new WorkQueue({ clock, rateLimiter: new ExponentialFailureRateLimiter({ baseMs: 5, maxMs: 1000 }) });
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      queue.addRateLimited('ns/a');
      delays.push(clock.nextTimerInMs()!);
      await clock.advance(clock.nextTimerInMs()!);
      assert.deepEqual(await takeReady(queue), ['ns/a']);
      queue.done('ns/a');
    }
    assert.deepEqual(delays, [5, 10, 20, 40, 80]);
    assert.equal(queue.numRequeues('ns/a'), 5);
  });

  it('resets the backoff of a key on forget', () => {
    const { queue } = newQueue();
    queue.addRateLimited('ns/a');
    queue.addRateLimited('ns/a');
    assert.equal(queue.numRequeues('ns/a'), 2);
    queue.forget('ns/a');
    assert.equal(queue.numRequeues('ns/a'), 0);
  });

  it('still hands out queued keys after shutDown, then returns undefined', async () => {
    const { queue } = newQueue();
    queue.add('ns/a');
    queue.add('ns/b');
    queue.shutDown();
    queue.add('ns/ignored');
    assert.equal(await queue.get(), 'ns/a');
    assert.equal(await queue.get(), 'ns/b');
    assert.equal(await queue.get(), undefined);
  });

  it('releases every waiting get() on shutDown', async () => {
    const { queue } = newQueue();
    const waiting = [queue.get(), queue.get()];
    queue.shutDown();
    assert.deepEqual(await Promise.all(waiting), [undefined, undefined]);
  });

  it('drops delayed keys on shutDown and stops sleeping', async () => {
    const { clock, queue } = newQueue();
    queue.addAfter('ns/a', 100);
    queue.shutDown();
    await flushMicrotasks();
    assert.equal(clock.pendingTimers(), 0);
    await clock.advance(100);
    assert.equal(queue.len(), 0);
  });

  it('waits in shutDownWithDrain until keys in processing are done', async () => {
    const { queue } = newQueue();
    queue.add('ns/a');
    await queue.get();
    let drained = false;
    const drain = queue.shutDownWithDrain().then(() => (drained = true));
    await flushMicrotasks();
    assert.equal(drained, false);
    queue.done('ns/a');
    await drain;
    assert.equal(drained, true);
  });

  it('keeps one sleep for many delayed keys', async () => {
    const { clock, queue } = newQueue();
    for (let i = 0; i < 1000; i++) queue.addAfter(`ns/k${i}`, 1000 + i);
    await flushMicrotasks();
    assert.equal(clock.pendingTimers(), 1);
    await clock.advance(2000);
    assert.equal(queue.len(), 1000);
  });
});
