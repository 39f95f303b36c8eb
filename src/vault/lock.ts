// One process per data directory. Two vaults on one state.json each hold the whole state in memory
// and write it back on every change, so the second writer erases what the first acknowledged
// (issue 12: `vault serve` and `dev` on the default `.projector/vault`). The lock is a file, `lock`,
// holding who took it: pid, command, start time, host, and on Linux the kernel's start tick of the
// pid so a recycled pid is not mistaken for the holder.
//
// Taking it: the record is written to a temp file and hard-linked to `lock` (link(2) fails with
// EEXIST when the name exists, atomically, and the linked file is already complete: a reader never
// sees a half-written record). A lock whose holder is gone (same host, pid not running or running
// since another tick) is stale: it is renamed away, checked to be the record judged stale, then
// removed, and the link is tried again.
import { hostname } from 'node:os';
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'lock';

/** What the lock file records about its holder. */
export interface LockHolder {
  pid: number;
  /** What the holder runs, e.g. `projector vault serve --data-dir .projector/vault`. Never holds secret values. */
  command: string;
  /** ISO 8601, when the lock was taken. */
  startedAt: string;
  hostname: string;
  /** Linux: field 22 of /proc/<pid>/stat (clock ticks since boot when the process started). */
  startTicks?: string;
}

/** Another live process holds the data directory. Its message names the holder, never a value. */
export class DataDirLockedError extends Error {
  override readonly name = 'DataDirLockedError';
  readonly lockFile: string;
  readonly holder: LockHolder | undefined;

  constructor(dataDir: string, lockFile: string, holder: LockHolder | undefined) {
    const who = holder
      ? `process ${holder.pid} (${holder.command}), started ${holder.startedAt}${holder.hostname !== hostname() ? ` on host ${holder.hostname}` : ''}`
      : 'a process whose lock record cannot be read';
    super(
      `the vault data directory ${dataDir} is in use by ${who}; stop that process, or give this one another directory (--data-dir for vault serve, --work-dir for dev). ` +
        `If no such process runs, delete ${lockFile}.`,
    );
    this.lockFile = lockFile;
    this.holder = holder;
  }
}

export interface DataDirLock {
  readonly file: string;
  /** Removes the lock if it is still this process's record. Idempotent. */
  release(): void;
}

let tempCounter = 0;

/**
 * Takes `<dataDir>/lock` for this process, or throws DataDirLockedError naming the live holder.
 * A stale lock (its holder no longer runs on this host) is replaced. `command` is recorded as given.
 */
export function acquireDataDirLock(dataDir: string, command: string): DataDirLock {
  const file = join(dataDir, LOCK_FILE);
  const mine: LockHolder = { pid: process.pid, command, startedAt: new Date().toISOString(), hostname: hostname(), ...optionalTicks(process.pid) };
  const text = `${JSON.stringify(mine, null, 2)}\n`;
  const temp = join(dataDir, `.${LOCK_FILE}.${process.pid}.${tempCounter++}.tmp`);
  writeFileSync(temp, text, { mode: 0o600 });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(temp, file);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const raw = readOrUndefined(file);
      if (raw === undefined) continue; // released between link and read: try again
      const holder = parseHolder(raw);
      if (attempt >= 3 || !holder || isAlive(holder)) throw new DataDirLockedError(dataDir, file, holder);
      removeIfUnchanged(file, raw);
    }
  } finally {
    unlinkQuietly(temp);
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    if (readOrUndefined(file) === text) unlinkQuietly(file);
  };
  // A process that ends without close() (an uncaught error, process.exit) still frees the directory.
  process.on('exit', release);
  return { file, release };
}

/** Reads the record of the current holder, if any (for status output and tests). */
export function readLockHolder(dataDir: string): LockHolder | undefined {
  const raw = readOrUndefined(join(dataDir, LOCK_FILE));
  return raw === undefined ? undefined : parseHolder(raw);
}

/**
 * A holder on another host cannot be checked: it counts as alive. On this host: the pid must run
 * (kill(pid, 0); EPERM means it runs under another user) and, where /proc tells, since the tick
 * recorded.
 */
function isAlive(holder: LockHolder): boolean {
  if (holder.hostname !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (holder.startTicks === undefined) return true;
  const now = startTicksOf(holder.pid);
  return now === undefined || now === holder.startTicks;
}

/** Moves a stale lock aside and deletes it; puts it back if it changed since it was judged stale. */
function removeIfUnchanged(file: string, judged: string): void {
  const aside = `${file}.stale.${process.pid}.${tempCounter++}`;
  try {
    renameSync(file, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (readOrUndefined(aside) !== judged) {
    // Someone took the lock between our read and the rename: give it back (link fails only if yet
    // another process holds the name now, and then that one is the holder).
    try {
      linkSync(aside, file);
    } catch {
      // see above
    }
  }
  unlinkQuietly(aside);
}

function parseHolder(raw: string): LockHolder | undefined {
  try {
    const o = JSON.parse(raw) as Partial<LockHolder>;
    if (typeof o.pid === 'number' && typeof o.command === 'string' && typeof o.startedAt === 'string' && typeof o.hostname === 'string') {
      return { pid: o.pid, command: o.command, startedAt: o.startedAt, hostname: o.hostname, ...(typeof o.startTicks === 'string' && { startTicks: o.startTicks }) };
    }
  } catch {
    // an unreadable record: the caller refuses and names the file
  }
  return undefined;
}

function optionalTicks(pid: number): { startTicks?: string } {
  const ticks = startTicksOf(pid);
  return ticks === undefined ? {} : { startTicks: ticks };
}

/** Field 22 of /proc/<pid>/stat; the command name (field 2) may hold spaces and parentheses. */
function startTicksOf(pid: number): string | undefined {
  const stat = readOrUndefined(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19];
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
