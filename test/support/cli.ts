// Runs the real `projector` CLI as a child process, for e2e tests.
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';

const root = new URL('../../', import.meta.url).pathname;

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Added to the environment, after `unset` is removed from it. */
  env?: Record<string, string | undefined>;
  /** Variables of the test's own environment the command must not see (colour, credentials…). */
  unset?: string[];
  input?: string;
  cwd?: string;
  /** Sees stderr as it arrives, e.g. to act once the command waits. */
  onStderr?: (soFar: string) => void;
  /** Every run's combined output is added here, for leak checks. */
  outputs?: Record<string, string>;
}

export function runProjector(args: string[], opts: CliOptions = {}): Promise<CliRun> {
  const inherited: Record<string, string | undefined> = { ...process.env };
  for (const name of ['NO_COLOR', 'FORCE_COLOR', ...(opts.unset ?? [])]) delete inherited[name];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${root}src/cli/main.ts`, ...args], { cwd: opts.cwd ?? root, env: { ...inherited, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
      opts.onStderr?.(stderr);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (opts.outputs) opts.outputs[`projector ${args.join(' ')} #${Object.keys(opts.outputs).length}`] = stdout + stderr;
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Tag balance and attribute syntax: enough to catch broken XML without a parser dependency. */
export function assertWellFormedXml(xml: string): void {
  assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n'));
  const body = xml.replace(/^<\?xml[^>]*\?>/, '');
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w-]*)((?:\s+[\w-]+="[^"<]*")*)\s*(\/?)>|<|&(?!(amp|lt|gt|quot|apos);)/g;
  for (let m = tag.exec(body); m; m = tag.exec(body)) {
    assert.ok(m[2], `stray "<" or "&" at ${m.index}`);
    if (m[1]) assert.equal(stack.pop(), m[2], `unbalanced </${m[2]}>`);
    else if (!m[4]) stack.push(m[2]!);
  }
  assert.deepEqual(stack, []);
}
