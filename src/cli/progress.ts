// Progress for long CLI runs, on stderr so stdout stays a clean report. On a terminal one line is
// redrawn in place (a bar); elsewhere (CI logs, pipes) each step is one plain line. Labels are
// names only: callers never pass values.

export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Progress {
  start(total: number): void;
  /** One step done; `label` says which (e.g. "netbox/netbox-db-password DB_PASSWORD: ok"). */
  advance(label: string): void;
  finish(): void;
}

const BAR_WIDTH = 24;

export function renderBar(done: number, total: number, width = BAR_WIDTH): string {
  const filled = total === 0 ? width : Math.min(width, Math.floor((done / total) * width));
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

/** `prefix` names the command, e.g. "check". */
export function createProgress(stream: ProgressStream, prefix: string): Progress {
  return stream.isTTY === true ? new BarProgress(stream, prefix) : new LineProgress(stream, prefix);
}

/** A silent progress, for --quiet and for machine-readable runs that want stderr empty. */
export const noProgress: Progress = { start() {}, advance() {}, finish() {} };

class LineProgress implements Progress {
  readonly #stream: ProgressStream;
  readonly #prefix: string;
  #total = 0;
  #done = 0;
  constructor(stream: ProgressStream, prefix: string) {
    this.#stream = stream;
    this.#prefix = prefix;
  }
  start(total: number): void {
    this.#total = total;
    this.#done = 0;
  }
  advance(label: string): void {
    this.#done++;
    this.#stream.write(`${this.#prefix}: ${this.#done}/${this.#total} ${label}\n`);
  }
  finish(): void {}
}

class BarProgress implements Progress {
  readonly #stream: ProgressStream;
  readonly #prefix: string;
  #total = 0;
  #done = 0;
  constructor(stream: ProgressStream, prefix: string) {
    this.#stream = stream;
    this.#prefix = prefix;
  }
  start(total: number): void {
    this.#total = total;
    this.#done = 0;
    this.#draw('');
  }
  advance(label: string): void {
    this.#done++;
    this.#draw(label);
  }
  finish(): void {
    this.#stream.write('\r\u001b[2K');
  }
  #draw(label: string): void {
    const line = `${this.#prefix} ${renderBar(this.#done, this.#total)} ${this.#done}/${this.#total} ${label}`;
    const width = this.#stream.columns && this.#stream.columns > 10 ? this.#stream.columns - 1 : 100;
    this.#stream.write(`\r\u001b[2K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
  }
}
