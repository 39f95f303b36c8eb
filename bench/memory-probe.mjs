// Preloaded into a `projector operator` process by bench/memory.ts and bench/soak.ts (node
// --expose-gc --import): answers on the IPC channel with the process's memory. "measure" answers
// after a full garbage collection (what the process keeps); "sample" answers as it is now, without
// collecting (what the kernel charges at that moment, the figure a memory limit sees).
// It adds no work of its own between messages. Plain JavaScript, not TypeScript: a preloaded .ts
// file would load Node's type stripper into the process being measured (~18 MB of RSS), which the
// operator itself no longer loads when it runs from dist/ (docs/benchmarks.md, "Idle memory and start-up").
const collectGarbage = globalThis.gc;
if (!collectGarbage || !process.send) throw new Error('memory-probe needs --expose-gc and an IPC channel');

process.on('message', (message) => {
  if (message !== 'measure' && message !== 'sample') return;
  if (message === 'measure') {
    // Two passes: the first may only queue finalizers and weak-reference clean-up.
    collectGarbage();
    collectGarbage();
  }
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  process.send({ rss, heapUsed, heapTotal, external, arrayBuffers });
});
// After the listener (adding one refs the channel): the probe must not keep the operator alive after SIGTERM.
process.channel?.unref();
