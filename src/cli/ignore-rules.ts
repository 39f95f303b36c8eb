// Which files under a scanned directory are not the user's manifests: what Git ignores
// (.gitignore files, git's documented pattern syntax: https://git-scm.com/docs/gitignore) and
// what --exclude names (the same syntax, relative to the current directory). `validate`, `dev` and
// `check` on a repository root then skip node_modules/, build output and `.projector/out/`
// (projected development Secrets) just as `git status` does.
//
// Covered: comments, blank lines, `!` negation (last match wins), trailing `/` (directories
// only), anchoring (a `/` at the start or in the middle ties a pattern to its .gitignore's
// directory), `*`, `?`, `[...]`, `**/`, `/**`, `/**/`, backslash escapes. Not read:
// .git/info/exclude and core.excludesFile (per-clone, not the repository's rules).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

interface Rule {
  /** Directory the pattern is relative to (absolute). */
  base: string;
  regex: RegExp;
  negate: boolean;
  dirOnly: boolean;
  source: string;
}

/** One gitignore pattern line → a rule, or undefined for blanks and comments. */
export function parseIgnoreLine(line: string, base: string, source: string): Rule | undefined {
  let p = line.replace(/\r$/, '');
  // Trailing spaces are ignored unless escaped with a backslash.
  p = p.replace(/(?<!\\)\s+$/, '');
  if (p === '' || p.startsWith('#')) return undefined;
  let negate = false;
  if (p.startsWith('!')) {
    negate = true;
    p = p.slice(1);
  } else if (p.startsWith('\\!') || p.startsWith('\\#')) p = p.slice(1);
  let dirOnly = false;
  if (p.endsWith('/')) {
    dirOnly = true;
    p = p.slice(0, -1);
  }
  if (p === '') return undefined;
  const anchored = p.includes('/');
  if (p.startsWith('/')) p = p.slice(1);
  const body = globBody(p);
  const regex = new RegExp(`^${anchored ? '' : '(?:.*/)?'}${body}$`);
  return { base, regex, negate, dirOnly, source };
}

function globBody(p: string): string {
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\' && i + 1 < p.length) {
      re += escapeRe(p[++i]!);
    } else if (c === '*' && p[i + 1] === '*') {
      const atStart = i === 0 || p[i - 1] === '/';
      const atEnd = i + 2 === p.length || p[i + 2] === '/';
      if (atStart && atEnd) {
        // `**/` any leading directories; `/**` everything inside; `a/**/b` zero or more directories.
        if (i + 2 === p.length) re += '.*';
        else {
          re += '(?:.*/)?';
          i++; // the slash after ** is consumed by the group
        }
        i++;
      } else {
        re += '[^/]*';
        i++;
      }
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = p.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let cls = p.slice(i + 1, end);
        if (cls.startsWith('!')) cls = `^${cls.slice(1)}`;
        re += `[${cls.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += escapeRe(c);
  }
  return re;
}

function escapeRe(c: string): string {
  return c.replace(/[.+^${}()|[\]\\/]/g, '\\$&');
}

/** The repository root above `dir` (the nearest directory holding `.git`), or undefined. */
function repoRootOf(dir: string): string | undefined {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d;
    if (dirname(d) === d) return undefined;
  }
}

export interface IgnoreOptions {
  /** --exclude patterns (gitignore syntax), relative to `cwd`. */
  exclude?: readonly string[];
  /** Read .gitignore files (default true). */
  gitignore?: boolean;
  cwd?: string;
}

/**
 * Decides, for paths met while walking directories, whether they are skipped. Rules of a
 * directory's .gitignore apply below it; deeper files and later lines win, as in git.
 */
export class IgnoreRules {
  readonly #useGitignore: boolean;
  readonly #exclude: Rule[];
  readonly #byDir = new Map<string, Rule[]>();

  constructor(opts: IgnoreOptions = {}) {
    this.#useGitignore = opts.gitignore !== false;
    const cwd = resolve(opts.cwd ?? '.');
    this.#exclude = (opts.exclude ?? []).flatMap((x) => {
      const r = parseIgnoreLine(x, cwd, '--exclude');
      return r ? [r] : [];
    });
  }

  #rulesIn(dir: string): Rule[] {
    let rules = this.#byDir.get(dir);
    if (rules) return rules;
    rules = [];
    const file = join(dir, '.gitignore');
    if (this.#useGitignore && existsSync(file)) {
      let text = '';
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        text = '';
      }
      for (const line of text.split('\n')) {
        const r = parseIgnoreLine(line, dir, file);
        if (r) rules.push(r);
      }
    }
    this.#byDir.set(dir, rules);
    return rules;
  }

  /** The .gitignore directories whose rules reach `path`: from the repository root (or the walk's start) down. */
  #chain(path: string, walkRoot: string): string[] {
    const top = repoRootOf(walkRoot) ?? resolve(walkRoot);
    const dirs: string[] = [];
    for (let d = dirname(path); ; d = dirname(d)) {
      dirs.unshift(d);
      if (d === top || dirname(d) === d || !d.startsWith(top)) break;
    }
    return dirs;
  }

  /** True when `path` (met under `walkRoot`) is ignored by a .gitignore or an --exclude. */
  ignored(path: string, isDirectory: boolean, walkRoot: string): boolean {
    const abs = resolve(path);
    let verdict = false;
    const apply = (rule: Rule) => {
      if (rule.dirOnly && !isDirectory) return;
      const rel = relative(rule.base, abs).split(sep).join('/');
      if (rel === '' || rel.startsWith('..')) return;
      if (rule.regex.test(rel)) verdict = !rule.negate;
    };
    if (this.#useGitignore) for (const dir of this.#chain(abs, walkRoot)) for (const r of this.#rulesIn(dir)) apply(r);
    for (const r of this.#exclude) apply(r);
    return verdict;
  }
}
