// Development values for the vault: from a git-ignored file, a prompt, or generated. Values are
// written to the local vault only and never printed.
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { InputError } from '../failure.ts';

/**
 * Reads `name=value` lines (the format of .env files; # comments, optional quotes). Throws InputError
 * when the file is missing or a line is not `name=value` (named by its number, never its text).
 */
export function readSeedFile(path: string): Map<string, string> {
  const out = new Map<string, string>();
  // A typo in the path must not pass as a green run on generated values.
  if (!existsSync(path)) throw new InputError(`--seed ${path}: no such file`);
  const lines = readFileSync(path, 'utf8').split('\n');
  for (const [n, raw] of lines.entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const i = line.indexOf('=');
    // Named by its number only: the line may hold a value.
    if (i <= 0) throw new InputError(`--seed ${path}: line ${n + 1} is not name=value (a comment starts with #)`);
    let value = line.slice(i + 1).trim();
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))) value = value.slice(1, -1);
    out.set(line.slice(0, i).trim(), value);
  }
  return out;
}

/** A random development value; JSON with each asked-for property when the manifests read properties. */
export function generatedValue(properties: ReadonlySet<string>): string {
  const random = () => `dev-${randomBytes(12).toString('base64url')}`;
  if (properties.size === 0) return random();
  // Null-prototype objects and own data properties: a property path such as `__proto__.x` or
  // `constructor` names a member like any other, never Object.prototype.
  const put = (node: Record<string, unknown>, k: string, v: unknown) => Object.defineProperty(node, k, { value: v, writable: true, enumerable: true, configurable: true });
  const obj: Record<string, unknown> = Object.create(null);
  for (const p of properties) {
    // Dotted property paths become nested objects, as gjson reads them.
    const parts = p.split('.');
    let node = obj;
    for (const k of parts.slice(0, -1)) {
      const child = Object.hasOwn(node, k) ? node[k] : undefined;
      if (child !== null && typeof child === 'object') {
        node = child as Record<string, unknown>;
      } else {
        const next: Record<string, unknown> = Object.create(null);
        put(node, k, next);
        node = next;
      }
    }
    put(node, parts.at(-1)!, random());
  }
  return JSON.stringify(obj);
}

/** Asks for a value on a terminal without echoing it. */
export async function promptHidden(question: string, input: NodeJS.ReadStream, output: NodeJS.WriteStream): Promise<string> {
  output.write(question);
  return new Promise((resolve) => {
    let value = '';
    const wasRaw = input.isRaw;
    input.setRawMode?.(true);
    input.resume();
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          input.off('data', onData);
          input.setRawMode?.(wasRaw);
          input.pause();
          output.write('\n');
          return resolve(value);
        }
        if (ch === '\u0003') process.exit(130);
        if (ch === '\u007f') value = value.slice(0, -1);
        else value += ch;
      }
    };
    input.on('data', onData);
  });
}
