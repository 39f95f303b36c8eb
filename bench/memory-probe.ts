// Preloaded into a `projector operator` process by bench/memory.ts (node --expose-gc --import):
// answers "measure" on the IPC channel with the process's memory after a full garbage collection.
// It adds no work of its own between measurements.
const collectGarbage = (globalThis as { gc?: () => void }).gc;
if (!collectGarbage || !process.send) throw new Error('memory-probe needs --expose-gc and an IPC channel');

process.on('message', (message) => {
  if (message !== 'measure') return;
  // Two passes: the first may only queue finalizers and weak-reference clean-up.
  collectGarbage();
  collectGarbage();
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  process.send!({ rss, heapUsed, heapTotal, external, arrayBuffers });
});
// After the listener (adding one refs the channel): the probe must not keep the operator alive after SIGTERM.
process.channel?.unref();
