// Durable JSON files: write a temp file, fsync it, rename it over the old one, fsync the directory.
// A crash (kill -9) leaves either the old or the new file, never a torn one. Saves are group-committed:
// callers that ask while a save is queued share it, and each caller's promise resolves only after a
// save that started after its call has reached the disk.
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

let tempCounter = 0;

export async function writeFileAtomic(path: string, contents: string, mode = 0o600): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${tempCounter++}.tmp`);
  const file = await open(temp, 'w', mode);
  try {
    await file.writeFile(contents, 'utf8');
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temp, path);
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/**
 * A file of the vault's data directory that exists but does not parse (edited by hand, or cut short
 * by a full disk before writes were atomic). The message names the file, never its content (it holds
 * secret values).
 */
export class VaultDataFileError extends Error {
  override readonly name = 'VaultDataFileError';
  readonly path: string;
  constructor(path: string) {
    super(`vault: ${path} is not valid JSON`);
    this.path = path;
  }
}

/** Reads a JSON file written by writeFileAtomic; undefined when absent; VaultDataFileError when it does not parse. */
export function readJsonFile<T>(path: string): T | undefined {
  if (!existsSync(path)) return undefined;
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text) as T;
  } catch {
    // JSON.parse's message would quote the file, which holds secret values.
    throw new VaultDataFileError(path);
  }
}

export class JsonFileStore<T> {
  readonly path: string;
  readonly #snapshot: () => T;
  #queued: Promise<void> | undefined;
  #last: Promise<void> = Promise.resolve();

  constructor(path: string, snapshot: () => T) {
    mkdirSync(dirname(path), { recursive: true });
    this.path = path;
    this.#snapshot = snapshot;
  }

  load(): T | undefined {
    return readJsonFile<T>(this.path);
  }

  save(): Promise<void> {
    if (this.#queued) return this.#queued;
    const previous = this.#last;
    const next = (async () => {
      await previous.catch(() => undefined);
      // From here on the snapshot is taken, so later callers must queue a new save.
      this.#queued = undefined;
      await writeFileAtomic(this.path, JSON.stringify(this.#snapshot()));
    })();
    this.#queued = next;
    this.#last = next;
    return next;
  }

  /** Resolves once every save asked for so far has finished (successfully or not). */
  async flush(): Promise<void> {
    await this.#last.catch(() => undefined);
  }
}
