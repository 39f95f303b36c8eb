/**
 * `projector operator` as a child process, for tests that kill it (SIGKILL), run two replicas, or
 * read its memory. Its stdout and stderr are kept whole (for leak checks) across restarts; every
 * instance dies with the test process (parent-death signal), like the control plane's processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;

export interface OperatorProcessOptions {
  kubeconfigPath: string;
  /** Extra flags, e.g. ['--leader-elect', '--leader-elect-lease-duration', '6s']. */
  args?: string[];
  env?: Record<string, string>;
  /** Shown in the captured output before each line block, e.g. 'a#2'. */
  name: string;
}

export class OperatorProcess {
  readonly name: string;
  readonly #child: ChildProcess;
  readonly #exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #out = '';
  #err = '';

  private constructor(opts: OperatorProcessOptions) {
    this.name = opts.name;
    const args = [
      join(root, 'src/cli/main.ts'),
      'operator',
      '--kubeconfig',
      opts.kubeconfigPath,
      '--metrics-addr',
      '0',
      '--health-addr',
      '0',
      '--log-level',
      'debug',
      ...(opts.args ?? []),
    ];
    // setpriv execs node in place, so the child's pid is the operator's (for /proc/<pid>/status).
    this.#child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', process.execPath, ...args], {
      cwd: root,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child.stdout!.on('data', (d: Buffer) => {
      this.#out += d.toString('utf8');
      if (process.env.PROJECTOR_TEST_LOGS) process.stderr.write(d);
    });
    this.#child.stderr!.on('data', (d: Buffer) => (this.#err += d.toString('utf8')));
    // 'close', not 'exit': only then has all of stdout and stderr been read.
    this.#exited = new Promise((resolve) => this.#child.once('close', (code, signal) => resolve({ code, signal })));
  }

  static start(opts: OperatorProcessOptions): OperatorProcess {
    return new OperatorProcess(opts);
  }

  get pid(): number {
    return this.#child.pid!;
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  stdout(): string {
    return this.#out;
  }

  stderr(): string {
    return this.#err;
  }

  /** Resident set size in MiB from /proc/<pid>/status (VmRSS), or undefined once the process is gone. */
  rssMiB(): number | undefined {
    try {
      const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      return m ? Math.round(Number(m[1]) / 1024) : undefined;
    } catch {
      return undefined;
    }
  }

  /** kill -9: no shutdown code runs (the Lease, if held, stays until it expires). */
  async kill9(): Promise<void> {
    if (this.running) this.#child.kill('SIGKILL');
    await this.#exited;
  }

  /** SIGTERM and wait for a clean exit; SIGKILL after `graceMs`. Returns the exit code. */
  async stop(graceMs = 10_000): Promise<number | null> {
    if (this.running) this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs);
    const { code } = await this.#exited;
    clearTimeout(timer);
    return code;
  }

  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.#exited;
  }
}
