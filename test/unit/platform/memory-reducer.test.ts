// The memory reducer (src/platform/memory-reducer.ts): a memory-reducing collection once the operator
// is quiet after work, never during work, never twice within the interval. V8's own memory reducer
// (src/heap/memory-reducer.cc) is the model: it waits for low allocation after a mark-compact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { MemoryReducer } from '../../../src/platform/memory-reducer.ts';
import { FakeClock } from '../../support/fake-clock.ts';

function reducer(opts: { quietMs?: number; minIntervalMs?: number } = {}) {
  const clock = new FakeClock();
  let calls = 0;
  const r = new MemoryReducer({ clock, reduce: () => void calls++, ...opts });
  return { clock, r, calls: () => calls };
}

test('quiet for quietMs after a reconcile: one reduction', async () => {
  const { clock, r, calls } = reducer({ quietMs: 2_000 });
  r.begin();
  await clock.advance(10_000);
  assert.equal(calls(), 0, 'never while a reconcile is in flight');
  r.end();
  await clock.advance(1_999);
  assert.equal(calls(), 0, 'not before quietMs');
  await clock.advance(1);
  assert.equal(calls(), 1);
  await clock.advance(60 * 60_000);
  assert.equal(calls(), 1, 'no work since: nothing to give back again');
});

test('work that resumes before quietMs postpones the reduction', async () => {
  const { clock, r, calls } = reducer({ quietMs: 2_000 });
  for (let i = 0; i < 10; i++) {
    r.begin();
    r.end();
    await clock.advance(1_500);
  }
  assert.equal(calls(), 0);
  await clock.advance(500);
  assert.equal(calls(), 1);
});

test('concurrent reconciles: quiet only when the last one ends', async () => {
  const { clock, r, calls } = reducer({ quietMs: 1_000 });
  r.begin();
  r.begin();
  r.end();
  await clock.advance(5_000);
  assert.equal(calls(), 0);
  r.end();
  await clock.advance(1_000);
  assert.equal(calls(), 1);
});

test('at most one reduction per minIntervalMs, the next one after the interval', async () => {
  const { clock, r, calls } = reducer({ quietMs: 1_000, minIntervalMs: 300_000 });
  r.poke();
  await clock.advance(1_000);
  assert.equal(calls(), 1);
  r.begin();
  r.end();
  await clock.advance(60_000);
  assert.equal(calls(), 1, 'within the interval of the first');
  await clock.advance(240_000);
  assert.equal(calls(), 2, 'due once the interval has passed since the first');
});

test('poke (caches synced) counts as work; stop cancels what is due', async () => {
  const { clock, r, calls } = reducer({ quietMs: 1_000 });
  r.poke();
  r.stop();
  await clock.advance(10_000);
  assert.equal(calls(), 0);
  assert.equal(clock.pendingTimers(), 0);
});

test('memoryReducingGc: shrinks the young generation, leaves globalThis.gc undefined (v8 last-resort GC)', () => {
  // A child process: this test runner's heap is not ours to judge.
  const script = `
    import v8 from 'node:v8';
    import { memoryReducingGc } from ${JSON.stringify(new URL('../../../src/platform/memory-reducer.ts', import.meta.url).href)};
    const young = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
    const keep = [];
    for (let i = 0; i < 2e6; i++) { const o = { a: i, b: 'x' + i }; if (i % 1000 === 0) keep.push(o); }
    const before = young();
    const gc = memoryReducingGc();
    if (typeof gc !== 'function') throw new Error('no gc');
    gc();
    console.log(JSON.stringify({ before, after: young(), exposed: typeof globalThis.gc, kept: keep.length }));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { before: number; after: number; exposed: string; kept: number };
  assert.equal(out.exposed, 'undefined');
  assert.equal(out.kept, 2000);
  assert.ok(out.before >= 4 * 1024 * 1024, `the burst grew the young generation (${out.before} bytes)`);
  assert.ok(out.after * 4 <= out.before, `shrunk to a quarter or less: ${out.before} → ${out.after} bytes`);
});

test('memoryReducingGc: a process started with --expose-gc keeps its own gc', () => {
  const script = `
    import { memoryReducingGc } from ${JSON.stringify(new URL('../../../src/platform/memory-reducer.ts', import.meta.url).href)};
    const own = globalThis.gc;
    const gc = memoryReducingGc();
    gc();
    console.log(JSON.stringify({ same: globalThis.gc === own, type: typeof globalThis.gc }));
  `;
  const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { same: true, type: 'function' });
});
