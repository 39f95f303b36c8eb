// The last gate before evidence is committed: every file in the folder is read back and searched
// for every value of the app's Secrets (as text and as base64). The values are read from the
// cluster into memory for this check only and never written or printed.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { KubeObject } from './cluster-reader.ts';

/**
 * Values shorter than this are not searched for: a 3-character value would match resourceVersions,
 * dates and hashes by chance and fail every run. They are counted and reported instead.
 */
export const MIN_SEARCHED_LENGTH = 6;

export interface Needle {
  text: string;
  /** Which value it is, by name: "Secret netbox/netbox-db-credentials key DB_PASSWORD (base64)". */
  what: string;
}

export interface Needles {
  needles: Needle[];
  /** Values too short to search for. */
  skipped: number;
}

export function needlesOf(secrets: readonly KubeObject[], extra: readonly { text: string; what: string }[] = []): Needles {
  const needles: Needle[] = [];
  let skipped = 0;
  const add = (text: string, what: string) => {
    if (text.length < MIN_SEARCHED_LENGTH) skipped++;
    else if (!needles.some((n) => n.text === text)) needles.push({ text, what });
  };
  const addValue = (value: string, what: string) => {
    add(value, what);
    add(Buffer.from(value, 'utf8').toString('base64'), `${what} (base64)`);
  };
  for (const secret of secrets) {
    const data = ((secret as { data?: Record<string, string> }).data ?? {}) as Record<string, string>;
    const name = `${secret.metadata.namespace}/${secret.metadata.name}`;
    for (const [key, b64] of Object.entries(data)) {
      const what = `Secret ${name} key ${key}`;
      addValue(Buffer.from(b64, 'base64').toString('utf8'), what);
      add(b64, `${what} (base64)`);
    }
  }
  for (const e of extra) addValue(e.text, e.what);
  return { needles, skipped };
}

export interface Leak {
  file: string;
  what: string;
}

export function findLeaks(files: readonly { name: string; text: string }[], needles: readonly Needle[]): Leak[] {
  const leaks: Leak[] = [];
  for (const f of files) {
    for (const n of needles) if (f.text.includes(n.text)) leaks.push({ file: f.name, what: n.what });
  }
  return leaks;
}

/** UTF-8 text, plus a byte-for-byte (latin1) view when the file is not plain ASCII: binary files are searched too. */
function searchableText(bytes: Buffer): string {
  const utf8 = bytes.toString('utf8');
  return bytes.some((b) => b > 0x7f) ? `${utf8}\n${bytes.toString('latin1')}` : utf8;
}

/** Every file under `dir`, recursively, named relative to it. */
export async function readFolder(dir: string): Promise<{ name: string; text: string }[]> {
  const out: { name: string; text: string }[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out.push({ name: relative(dir, p), text: searchableText(await readFile(p)) });
    }
  };
  await walk(dir);
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}
