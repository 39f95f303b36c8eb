/**
 * The Go reference renderer (test/template-go): Go text/template + sprig + ESO's functions with ESO's
 * options. Built once into a cache outside the repo (like hack/apiserver/build.sh), keyed by a hash
 * of its go.mod, go.sum and Go sources plus the Go version, so a second run only finds the binary.
 *
 * Go is required: without it this throws a message saying so (the test fails; it never skips).
 */
import { createHash } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const TEMPLATE_GO_DIR = new URL('../template-go/', import.meta.url).pathname;

/** One request to either engine: data values are the secret's bytes. */
export interface RenderRequest {
  readonly name: string;
  readonly template: string;
  readonly data: Readonly<Record<string, Uint8Array>>;
  /** Instead of a template: gjson.Get(json, path).String(), error = !Exists() (test/template-go protocol.go). */
  readonly gjson?: { readonly json: string; readonly path: string };
}

/** Go's answer: the output bytes, or error with Go's message. */
export interface GoResult {
  readonly name: string;
  readonly output: Uint8Array;
  readonly error: boolean;
  readonly message: string;
}

export type GoTarget = 'native' | 'wasm';

function goVersion(): string {
  const r = spawnSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error(
      'the Go template differential test needs the Go toolchain (go >= 1.26) on PATH to build its reference renderer ' +
        `(test/template-go); running "go env GOVERSION" failed: ${r.error?.message ?? r.stderr.trim()}`,
    );
  }
  return r.stdout.trim();
}

/** The cache key: every input of the build. */
function buildKey(target: GoTarget): string {
  const h = createHash('sha256');
  h.update(`${goVersion()}\n${target}\n`);
  for (const f of readdirSync(TEMPLATE_GO_DIR).sort()) {
    if (f === 'go.mod' || f === 'go.sum' || f.endsWith('.go')) h.update(`${f}\n`).update(readFileSync(join(TEMPLATE_GO_DIR, f)));
  }
  return h.digest('hex').slice(0, 16);
}

function cacheRoot(): string {
  return process.env.PROJECTOR_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'projector');
}

/**
 * Path of the built renderer: a native executable, or (wasm) a directory holding
 * `template.wasm` and Go's `wasm_exec.js`. Builds on first use; concurrent builders each build into
 * their own temporary directory and the first rename wins.
 */
export function buildTemplateGo(target: GoTarget = 'native'): string {
  const dir = join(cacheRoot(), `template-go-${target}-${buildKey(target)}`);
  const product = target === 'native' ? join(dir, 'template-go') : join(dir, 'template.wasm');
  if (existsSync(product)) return target === 'native' ? product : dir;
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const env = { ...process.env, CGO_ENABLED: '0', ...(target === 'wasm' ? { GOOS: 'js', GOARCH: 'wasm' } : {}) };
  const out = join(partial, target === 'native' ? 'template-go' : 'template.wasm');
  const r = spawnSync('go', ['build', '-trimpath', '-o', out, '.'], { cwd: TEMPLATE_GO_DIR, env, encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    rmSync(partial, { recursive: true, force: true });
    throw new Error(`building the Go reference renderer (test/template-go, ${target}) failed:\n${r.error?.message ?? r.stderr}`);
  }
  if (target === 'wasm') {
    const goroot = spawnSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).stdout.trim();
    // wasm_exec.js is a classic script that sets globalThis.Go; kept as .cjs so Node loads it as such.
    copyFileSync(join(goroot, 'lib', 'wasm', 'wasm_exec.js'), join(partial, 'wasm_exec.cjs'));
  }
  try {
    renameSync(partial, dir);
  } catch {
    // Another process finished first: its build has the same key, so use it.
    rmSync(partial, { recursive: true, force: true });
  }
  return target === 'native' ? product : dir;
}

export function requestLine(r: RenderRequest): string {
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.data)) data[k] = Buffer.from(v).toString('base64');
  return JSON.stringify({ name: r.name, template: r.template, data, ...(r.gjson && { gjson: r.gjson }) });
}

export function parseResponse(line: string): GoResult {
  const o = JSON.parse(line) as { name: string; output: string; error: boolean; message?: string };
  return { name: o.name, output: new Uint8Array(Buffer.from(o.output, 'base64')), error: o.error, message: o.message ?? '' };
}

/** Renders every request with the native Go renderer (one process, JSON lines); results in order. */
export async function renderWithGo(requests: readonly RenderRequest[], args: readonly string[] = []): Promise<string[]> {
  const bin = buildTemplateGo('native');
  // TZ=UTC: sprig's date functions use the local zone; fixing it makes Go's answers reproducible.
  const child = spawn(bin, [...args], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, TZ: 'UTC' } });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
  for (const r of requests) {
    if (!child.stdin.write(`${requestLine(r)}\n`)) await new Promise((res) => child.stdin.once('drain', res));
  }
  child.stdin.end();
  const code = await done;
  if (code !== 0) throw new Error(`the Go reference renderer exited with ${code}`);
  const lines = Buffer.concat(chunks).toString('utf8').split('\n').filter((l) => l !== '');
  if (lines.length !== requests.length) throw new Error(`the Go reference renderer answered ${lines.length} of ${requests.length} requests`);
  return lines;
}
