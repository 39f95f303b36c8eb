// How a command that failed ends: one line on stderr that says what failed and what to do.
//
// Three kinds of failure reach runCli (main.ts):
//  - ProjectorError: our own, built from names and codes; printed as `projector: Code: message`.
//  - a Node.js system error a user can cause (a port in use, a file that is not there, a directory
//    that cannot be written): explained from its `code`, `syscall`, `path`, `address` and `port`
//    only, never from its message (which can quote input).
//  - anything else is a bug: a one-line summary with an id; the stack goes to the debug log
//    (mode 0600) under that id, so a report can quote the id and the log holds the rest.
import { appendFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/**
 * A file or path the user named cannot be used (a manifest path that is not there, a --seed file
 * that is missing or malformed): printed as `projector: error: <message>`, exit 2. The message
 * names paths and line numbers only, never a file's content.
 */
export class InputError extends Error {
  override readonly name: string = 'InputError';
}

interface SystemErrorLike {
  code?: unknown;
  syscall?: unknown;
  path?: unknown;
  address?: unknown;
  port?: unknown;
}

/** Where bug reports' stacks go: $PROJECTOR_DEBUG_LOG, else <tmpdir>/projector-<user>-debug.log. */
export function debugLogPath(env: Record<string, string | undefined>): string {
  if (env.PROJECTOR_DEBUG_LOG) return env.PROJECTOR_DEBUG_LOG;
  let user = 'user';
  try {
    user = userInfo().username.replace(/[^A-Za-z0-9_.-]/g, '_') || user;
  } catch {
    // No passwd entry (some containers): one shared name is still better than no log.
  }
  return join(tmpdir(), `projector-${user}-debug.log`);
}

/**
 * A Node.js system error (libuv code) as a sentence naming what failed and what to do, or
 * undefined when it is not one a user causes. Codes: Node.js "Common system errors"
 * (https://nodejs.org/api/errors.html#common-system-errors).
 */
export function explainSystemError(e: unknown): string | undefined {
  if (!e || typeof e !== 'object') return undefined;
  const s = e as SystemErrorLike;
  const code = typeof s.code === 'string' ? s.code : undefined;
  const syscall = typeof s.syscall === 'string' ? s.syscall : undefined;
  const path = typeof s.path === 'string' ? s.path : undefined;
  if (!code || !syscall) return undefined;
  const where = typeof s.address === 'string' ? `${s.address}${typeof s.port === 'number' ? `:${s.port}` : ''}` : typeof s.port === 'number' ? `port ${s.port}` : undefined;
  if (syscall === 'listen' || syscall === 'bind') {
    if (code === 'EADDRINUSE') return `cannot listen on ${where ?? 'the port'}: the address is already in use (another process holds it); stop that process or choose another port`;
    if (code === 'EACCES') return `cannot listen on ${where ?? 'the port'}: permission denied (ports below 1024 need privileges); choose another port`;
    if (code === 'EADDRNOTAVAIL') return `cannot listen on ${where ?? 'that address'}: no network interface has that address; choose another address`;
  }
  if (path) {
    if (code === 'ENOENT') return `cannot ${verbOf(syscall)} ${path}: no such file or directory`;
    if (code === 'EACCES' || code === 'EPERM') return `cannot ${verbOf(syscall)} ${path}: permission denied`;
    if (code === 'EISDIR') return `cannot ${verbOf(syscall)} ${path}: it is a directory, a file was expected`;
    if (code === 'ENOTDIR') return `cannot ${verbOf(syscall)} ${path}: a part of the path is not a directory`;
    if (code === 'ENOSPC') return `cannot ${verbOf(syscall)} ${path}: no space left on the device`;
    if (code === 'EROFS') return `cannot ${verbOf(syscall)} ${path}: the file system is read-only`;
    if (code === 'EEXIST') return `cannot ${verbOf(syscall)} ${path}: it already exists`;
  }
  return undefined;
}

function verbOf(syscall: string): string {
  if (syscall === 'open' || syscall === 'read' || syscall === 'stat' || syscall === 'lstat') return 'open';
  if (syscall === 'mkdir') return 'create directory';
  if (syscall === 'scandir') return 'read directory';
  if (syscall === 'rename' || syscall === 'write' || syscall === 'copyfile') return 'write';
  if (syscall === 'unlink' || syscall === 'rmdir') return 'remove';
  return syscall;
}

/**
 * Records a bug's stack in the debug log under a fresh id and returns the line to print. The log
 * is local to the user (mode 0600); when it cannot be written, the line says to rerun with
 * LOG_LEVEL=debug, which prints the stack on stderr.
 */
export function reportBug(e: unknown, env: Record<string, string | undefined>, now: Date = new Date()): { line: string; id: string; logged: string | undefined } {
  const id = randomBytes(4).toString('hex');
  const err = e as { name?: unknown; stack?: unknown } | undefined;
  const name = typeof err?.name === 'string' && /^[A-Za-z][\w.]{0,63}$/.test(err.name) ? err.name : typeof e;
  const file = debugLogPath(env);
  let logged: string | undefined;
  try {
    const stack = typeof err?.stack === 'string' ? err.stack : String(e);
    appendFileSync(file, `--- ${now.toISOString()} id=${id} argv=${process.argv.slice(2, 4).join(' ')}\n${stack}\n`, { mode: 0o600 });
    logged = file;
  } catch {
    logged = undefined;
  }
  const where = logged ? `the stack is in ${logged} under id ${id}` : 'run again with LOG_LEVEL=debug for the stack';
  return { id, logged, line: `projector: internal error ${id} (${name}): this is a bug in Projector; ${where}; please report it` };
}
