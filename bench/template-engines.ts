// The template engine design choice, measured (docs/design/003-template-engine.md): Projector's
// TypeScript engine vs the Go renderer (text/template + sprig + ESO's functions, test/template-go)
// compiled to WebAssembly (GOOS=js GOARCH=wasm, Go's wasm_exec.js) and run inside Node, vs native Go
// (parse + execute per render, as ESO's execute does). Prints:
//   - parity of each engine with native Go on the differential corpus;
//   - cold start-up of the wasm module (load + compile + instantiate + first render);
//   - p50/p99 per render of typical ESO templates;
//   - process RSS after a full GC, with the TS engine warmed vs with the wasm module loaded and warmed;
//   - artefact sizes.
// Each engine is measured in its own child process so one does not warm or bloat the other.
//
//   node_modules/.bin/node bench/template-engines.ts [--iterations=2000]
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildTemplateGo, parseResponse, renderWithGo, requestLine, type RenderRequest } from '../test/support/template-go.ts';

const ITERATIONS = intArg('iterations', 2_000);

function intArg(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const n = arg ? Number(arg.split('=')[1]) : fallback;
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer`);
  return n;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function printTable(title: string, rows: Record<string, string | number>[]): void {
  const cols = Object.keys(rows[0] ?? {});
  const width = (c: string) => Math.max(c.length, ...rows.map((r) => String(r[c]).length));
  const line = (cells: string[]) => `| ${cells.map((v, i) => v.padEnd(width(cols[i]!))).join(' | ')} |`;
  console.log(`\n${title}`);
  console.log(line(cols));
  console.log(`|${cols.map((c) => '-'.repeat(width(c) + 2)).join('|')}|`);
  for (const r of rows) console.log(line(cols.map((c) => String(r[c]))));
}

/** The typical ESO templates: the first three render in both engines; the PFX one only in Go today. */
async function typicalCases(): Promise<RenderRequest[]> {
  const { CERT_DATA, STD_DATA, TYPICAL } = await import('../test/unit/core/template/differential-corpus.ts');
  const byName = new Map(TYPICAL.map(([n, t]) => [n, t]));
  return [
    { name: 'dockerconfigjson', template: byName.get('dockerconfigjson')!, data: STD_DATA },
    { name: 'connection string', template: byName.get('connection-string')!, data: STD_DATA },
    { name: 'fromJson + index', template: byName.get('fromJson-index')!, data: STD_DATA },
    {
      name: 'PFX → tls.crt/tls.key',
      template: '{"tls.crt":{{ .pfxBin | pkcs12cert | filterPEM "CERTIFICATE" | toJson }},"tls.key":{{ .pfxBin | pkcs12key | toJson }}}',
      data: { pfxBin: CERT_DATA.pfxBin! },
    },
  ];
}

// ------------------------------------------------------------------------------------------------
// Child processes: one engine each
// ------------------------------------------------------------------------------------------------

interface ChildReport {
  readonly startupMs?: number;
  readonly rssBeforeMiB: number;
  readonly rssAfterMiB: number;
  readonly heapAfterMiB: number;
  readonly timings: { name: string; p50: number; p99: number; ok: boolean }[];
  readonly parity?: { agree: number; total: number; differ: string[] };
  readonly rssAfterCorpusMiB?: number;
}

function mib(n: number): number {
  return Math.round((n / 2 ** 20) * 10) / 10;
}

function settledRss(): { rss: number; heap: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
}

function time(fn: () => boolean, iterations: number): { p50: number; p99: number; ok: boolean } {
  let ok = true;
  for (let i = 0; i < Math.min(200, iterations); i++) ok = fn() && ok; // warm-up
  const t: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const s = performance.now();
    ok = fn() && ok;
    t.push((performance.now() - s) * 1000);
  }
  t.sort((a, b) => a - b);
  return { p50: percentile(t, 50), p99: percentile(t, 99), ok };
}

/** Loads the wasm renderer; returns the render function and the cold start-up (load → first render). */
async function loadWasm(dir: string): Promise<{ render: (line: string) => string; startupMs: number }> {
  const start = performance.now();
  const require = createRequire(import.meta.url);
  require(join(dir, 'wasm_exec.cjs'));
  // The project's lib settings carry no WebAssembly types; the shapes used here are small.
  const G = globalThis as unknown as {
    Go: new () => { importObject: object; run(instance: object): Promise<void> };
    WebAssembly: { instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: object }> };
    projectorGoRender?: (l: string) => string;
  };
  const go = new G.Go();
  const { instance } = await G.WebAssembly.instantiate(readFileSync(join(dir, 'template.wasm')), go.importObject);
  void go.run(instance); // runs main(), which registers projectorGoRender and blocks forever
  const render = G.projectorGoRender!;
  render(JSON.stringify({ name: 'first', template: '{{ .a }}', data: { a: 'eA==' } }));
  return { render, startupMs: performance.now() - start };
}

async function child(kind: 'ts' | 'wasm'): Promise<void> {
  const cases = await typicalCases();
  // Both children load Projector's engine (the operator always has it); the wasm child adds the module.
  const { renderWithProjector } = await import('../test/unit/core/template/differential.ts');
  renderWithProjector(cases[0]!);
  const before = settledRss();
  const report: ChildReport = { rssBeforeMiB: mib(before.rss), rssAfterMiB: 0, heapAfterMiB: 0, timings: [] };
  if (kind === 'ts') {
    for (const c of cases) report.timings.push({ name: c.name, ...time(() => !renderWithProjector(c).error, ITERATIONS) });
  } else {
    const { render, startupMs } = await loadWasm(process.argv.find((a) => a.startsWith('--wasm-dir='))!.split('=')[1]!);
    Object.assign(report, { startupMs });
    for (const c of cases) {
      const line = requestLine(c);
      report.timings.push({ name: c.name, ...time(() => !parseResponse(render(line)).error, ITERATIONS) });
    }
    const warmed = settledRss();
    Object.assign(report, { rssAfterMiB: mib(warmed.rss), heapAfterMiB: mib(warmed.heap) });
    // Parity: the whole differential corpus through the wasm module, against native Go's answers.
    const { differentialCorpus } = await import('../test/unit/core/template/differential-corpus.ts');
    const corpus = differentialCorpus().filter((c) => !/(rand|uuid|now|genCA|genSelf|genPrivate|bcrypt|derivePassword|template-infinite|shuffle)/i.test(c.template));
    const expected = (await renderWithGo(corpus)).map(parseResponse);
    let agree = 0;
    const differ: string[] = [];
    for (const [i, c] of corpus.entries()) {
      const got = parseResponse(render(requestLine(c)));
      const want = expected[i]!;
      if (got.error === want.error && Buffer.from(got.output).equals(Buffer.from(want.output))) agree++;
      else differ.push(c.name);
    }
    // WebAssembly memory grows and is never returned: this is the RSS after the 1 MB cases too.
    Object.assign(report, { parity: { agree, total: corpus.length, differ }, rssAfterCorpusMiB: mib(settledRss().rss) });
  }
  if (kind === 'ts') {
    const after = settledRss();
    Object.assign(report, { rssAfterMiB: mib(after.rss), heapAfterMiB: mib(after.heap) });
  }
  process.stdout.write(`${JSON.stringify(report)}\n`);
  process.exit(0); // the Go runtime keeps the event loop alive
}

function runChild(kind: 'ts' | 'wasm', wasmDir: string): ChildReport {
  const r = spawnSync(process.execPath, ['--expose-gc', new URL(import.meta.url).pathname, `--child=${kind}`, `--wasm-dir=${wasmDir}`, `--iterations=${ITERATIONS}`], {
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC' },
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`child ${kind} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildReport;
}

async function main(): Promise<void> {
  const childKind = process.argv.find((a) => a.startsWith('--child='))?.split('=')[1];
  if (childKind === 'ts' || childKind === 'wasm') return child(childKind);

  const native = buildTemplateGo('native');
  const wasmDir = buildTemplateGo('wasm');
  const cases = await typicalCases();
  const nativeTimes = (await renderWithGo(cases, ['-bench', String(ITERATIONS)])).map((l) => JSON.parse(l) as { p50Micros: number; p99Micros: number });
  const ts = runChild('ts', wasmDir);
  const wasm = runChild('wasm', wasmDir);

  console.log(`template engines: ${ITERATIONS} renders per template, Node ${process.version}, ${statSync(native).size} B native renderer`);
  printTable(
    'Render time per template, µs (p50 / p99); the wasm figure includes the JSON + base64 call boundary',
    cases.map((c, i) => ({
      template: c.name,
      'Projector TS': ts.timings[i]!.ok ? `${ts.timings[i]!.p50.toFixed(1)} / ${ts.timings[i]!.p99.toFixed(1)}` : 'not supported',
      'Go → wasm in Node': `${wasm.timings[i]!.p50.toFixed(1)} / ${wasm.timings[i]!.p99.toFixed(1)}`,
      'native Go': `${nativeTimes[i]!.p50Micros.toFixed(1)} / ${nativeTimes[i]!.p99Micros.toFixed(1)}`,
    })),
  );
  const wasmBytes = readFileSync(join(wasmDir, 'template.wasm'));
  printTable('Start-up, memory, artefact', [
    { measure: 'cold start-up (load + compile + instantiate + first render)', 'Projector TS': 'none (part of the process)', 'Go → wasm in Node': `${wasm.startupMs!.toFixed(0)} ms` },
    { measure: 'process RSS after GC, engine loaded only', 'Projector TS': `${ts.rssBeforeMiB} MiB`, 'Go → wasm in Node': `${wasm.rssBeforeMiB} MiB` },
    { measure: 'process RSS after GC, engine(s) warmed', 'Projector TS': `${ts.rssAfterMiB} MiB`, 'Go → wasm in Node': `${wasm.rssAfterMiB} MiB (+${(wasm.rssAfterMiB - ts.rssAfterMiB).toFixed(1)})` },
    { measure: 'process RSS after GC, after the whole corpus (1 MB inputs)', 'Projector TS': '-', 'Go → wasm in Node': `${wasm.rssAfterCorpusMiB} MiB` },
    { measure: 'artefact', 'Projector TS': 'src/core/template (TypeScript, ~3.5k lines)', 'Go → wasm in Node': `template.wasm ${mib(wasmBytes.length)} MiB (${mib(gzipSync(wasmBytes).length)} MiB gzipped) + wasm_exec.js` },
    { measure: 'parity with native Go on the corpus', 'Projector TS': 'see go-differential.test.ts', 'Go → wasm in Node': `${wasm.parity!.agree}/${wasm.parity!.total}${wasm.parity!.differ.length ? ` (differ: ${wasm.parity!.differ.join(', ')})` : ''}` },
  ]);
}

await main();
