// Loads Kubernetes manifests from files and directories for the CLI commands, keeping every
// node's position so each finding maps to file:line:column.
//
// Directories are walked for *.yaml / *.yml; a directory with a kustomization follows its
// `resources:` instead (kustomize semantics, without rendering patches). Documents are parsed as
// YAML 1.1, as Kubernetes reads them (`yes` is a boolean). Parser messages are never passed on:
// the `yaml` package quotes the offending line, which could hold a committed secret.
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { existsSync } from 'node:fs';
import { IgnoreRules, type IgnoreOptions } from './ignore-rules.ts';
import { InputError } from './failure.ts';
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node, type ParsedNode } from 'yaml';

export interface Position {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

/** A finding tied to a place in a file (the CLI's form of a core Issue). */
export interface Problem extends Position {
  file: string;
  severity: 'error' | 'warning';
  code: string;
  message: string;
  /** Field path inside the document, when the finding is about a field. */
  path?: string;
  /** The document the finding is about, e.g. "ExternalSecret netbox/netbox-db-password". */
  object?: string;
}

export interface LoadedDoc extends Position {
  file: string;
  /** 0-based index of the document in its file. */
  index: number;
  kind: string | undefined;
  apiVersion: string | undefined;
  name: string | undefined;
  namespace: string | undefined;
  /** The document as plain JSON data. */
  object: unknown;
  /** Where a field path such as `spec.data[2].remoteRef.key` is; the nearest existing ancestor if it is absent. */
  positionOf(path: string): Position;
}

/** A path given on the command line cannot be read: a usage or I/O error, not a finding. */
export class ManifestPathError extends InputError {
  override readonly name = 'ManifestPathError';
}

/**
 * The first of `paths` that does not exist, as ManifestPathError's message (the loader's words);
 * undefined when all exist. For commands that start servers before loading (dev), so a typo fails
 * before anything starts.
 */
export function missingPathError(paths: readonly string[]): ManifestPathError | undefined {
  const missing = paths.find((p) => !existsSync(p));
  return missing === undefined ? undefined : notThere(missing);
}

const notThere = (p: string) => new ManifestPathError(`cannot read ${displayPath(p)}: no such file or directory`);

/** File names that make a directory a kustomization (its `resources` are loaded, not its other files). */
export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const MANIFEST_EXTENSIONS = ['.yaml', '.yml'];
/** Directories a walk never enters (dot directories are skipped too). */
export const SKIPPED_DIRS = new Set(['node_modules']);

/**
 * Loads every manifest under `paths`. Files named on the command line are always read; inside
 * directories, what .gitignore files and `ignore.exclude` patterns name is skipped (ignore-rules.ts).
 */
export async function loadManifests(paths: string[], ignore: IgnoreOptions = {}): Promise<{ docs: LoadedDoc[]; problems: Problem[] }> {
  const loader = new ManifestLoader(new IgnoreRules(ignore));
  for (const p of paths) await loader.loadArgument(p);
  return { docs: loader.docs, problems: loader.problems };
}

class ManifestLoader {
  readonly docs: LoadedDoc[] = [];
  readonly problems: Problem[] = [];
  readonly #seen = new Set<string>();
  readonly #ignore: IgnoreRules;
  #walkRoot = '.';

  constructor(ignore: IgnoreRules) {
    this.#ignore = ignore;
  }

  async loadArgument(p: string): Promise<void> {
    this.#walkRoot = p;
    const info = await stat(p).catch(() => undefined);
    if (!info) throw notThere(p);
    if (info.isDirectory()) return this.#loadDirectory(p);
    if (KUSTOMIZATION_FILES.includes(basename(p))) return this.#loadDirectory(dirname(p));
    return this.#loadFile(p);
  }

  async #once(p: string): Promise<boolean> {
    const real = await realpath(p).catch(() => resolve(p));
    if (this.#seen.has(real)) return false;
    this.#seen.add(real);
    return true;
  }

  async #loadDirectory(dir: string): Promise<void> {
    if (!(await this.#once(dir))) return;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => undefined);
    if (!entries) return this.#fileProblem(dir, 'ReadError', 'cannot read directory');
    const kustomization = KUSTOMIZATION_FILES.find((k) => entries.some((e) => e.isFile() && e.name === k));
    if (kustomization) return this.#followKustomization(join(dir, kustomization));
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = join(dir, e.name);
      if (e.isDirectory() && !e.name.startsWith('.') && !SKIPPED_DIRS.has(e.name)) {
        if (!this.#ignore.ignored(p, true, this.#walkRoot)) await this.#loadDirectory(p);
      } else if (e.isFile() && MANIFEST_EXTENSIONS.some((x) => e.name.endsWith(x)) && !this.#ignore.ignored(p, false, this.#walkRoot)) await this.#loadFile(p);
    }
  }

  async #followKustomization(file: string): Promise<void> {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) return this.#fileProblem(file, 'ReadError', 'cannot read file');
    const parsed = parseFile(file, text);
    this.problems.push(...parsed.problems);
    const doc = parsed.docs[0];
    if (!doc) return;
    const obj = doc.object as { resources?: unknown; bases?: unknown };
    // `bases` is kustomize's deprecated spelling of directory resources.
    for (const field of ['resources', 'bases'] as const) {
      const list = obj?.[field];
      if (!Array.isArray(list)) continue;
      for (const [i, entry] of list.entries()) {
        const at = doc.positionOf(`${field}[${i}]`);
        if (typeof entry !== 'string') continue;
        if (isRemoteResource(entry)) {
          this.problems.push({ file: displayPath(file), ...at, severity: 'warning', code: 'RemoteResource', message: `${field}[${i}] is a remote resource; it is not fetched or validated` });
          continue;
        }
        const target = join(dirname(file), entry);
        const info = await stat(target).catch(() => undefined);
        if (!info) {
          this.problems.push({ file: displayPath(file), ...at, severity: 'error', code: 'ResourceNotFound', message: `${field}[${i}] names a path that does not exist` });
        } else if (info.isDirectory()) await this.#loadDirectory(target);
        else await this.#loadFile(target);
      }
    }
  }

  async #loadFile(file: string): Promise<void> {
    if (!(await this.#once(file))) return;
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) return this.#fileProblem(file, 'ReadError', 'cannot read file');
    const parsed = parseFile(file, text);
    this.docs.push(...parsed.docs);
    this.problems.push(...parsed.problems);
  }

  #fileProblem(file: string, code: string, message: string): void {
    this.problems.push({ file: displayPath(file), line: 1, column: 1, severity: 'error', code, message });
  }
}

function isRemoteResource(entry: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(entry) || entry.startsWith('git@') || /^github\.com\//.test(entry);
}

/** Paths are shown relative to the working directory when under it. */
export function displayPath(p: string): string {
  const rel = relative(process.cwd(), resolve(p));
  const shown = rel === '' ? '.' : rel.startsWith('..') ? resolve(p) : rel;
  return shown.split(sep).join('/');
}

const YAML_ERROR_TEXT: Record<string, string> = {
  DUPLICATE_KEY: 'duplicate mapping key',
  BAD_INDENT: 'bad indentation',
  TAB_AS_INDENT: 'tab used for indentation',
  MISSING_CHAR: 'a required character is missing (check indentation, ":" after keys, closing quotes and brackets)',
  UNEXPECTED_TOKEN: 'unexpected token',
  BLOCK_AS_IMPLICIT_KEY: 'nested mapping used as an implicit key',
  MULTILINE_IMPLICIT_KEY: 'implicit key spans several lines',
  BAD_ALIAS: 'bad alias',
  BAD_DQ_ESCAPE: 'bad escape in a double-quoted string',
  KEY_OVER_1024_CHARS: 'implicit key longer than 1024 characters',
  TAG_RESOLVE_FAILED: 'unknown tag',
};

/** Parses one file's text into documents and problems; exported for tests. */
export function parseFile(file: string, text: string): { docs: LoadedDoc[]; problems: Problem[] } {
  const shown = displayPath(file);
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, {
    version: '1.1',
    lineCounter,
    prettyErrors: false,
    // Kubernetes' YAML decoder keeps unquoted dates as strings.
    customTags: (tags) => tags.filter((t) => typeof t === 'string' ? t !== 'timestamp' : t.tag !== 'tag:yaml.org,2002:timestamp'),
  });
  const documents = Array.isArray(parsed) ? parsed : [];
  const docs: LoadedDoc[] = [];
  const problems: Problem[] = [];
  const at = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  documents.forEach((doc, index) => {
    for (const err of doc.errors) {
      problems.push({ file: shown, ...at(err.pos[0]), severity: 'error', code: 'YamlSyntax', message: `YAML syntax error: ${YAML_ERROR_TEXT[err.code] ?? err.code.toLowerCase().replace(/_/g, ' ')}` });
    }
    if (doc.errors.length > 0 || doc.contents === null) return;
    let object: unknown;
    try {
      object = doc.toJS({ maxAliasCount: 100 });
    } catch {
      problems.push({ file: shown, ...at(doc.contents.range[0]), severity: 'error', code: 'YamlSyntax', message: 'YAML document cannot be read (too many aliases or an unresolved alias)' });
      return;
    }
    if (object === null || object === undefined) return;
    docs.push(loadedDoc(shown, index, doc, object, at));
  });
  return { docs, problems };
}

function loadedDoc(file: string, index: number, doc: Document.Parsed, object: unknown, at: (offset: number) => Position): LoadedDoc {
  const o = (object !== null && typeof object === 'object' && !Array.isArray(object) ? object : {}) as Record<string, unknown>;
  const meta = (o.metadata !== null && typeof o.metadata === 'object' ? o.metadata : {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const start = at(doc.contents!.range[0]);
  return {
    file,
    index,
    ...start,
    kind: str(o.kind),
    apiVersion: str(o.apiVersion),
    name: str(meta.name),
    namespace: str(meta.namespace),
    object,
    positionOf: (path) => at(offsetOf(doc.contents as ParsedNode, parseFieldPath(path))),
  };
}

/** `spec.data[2].remoteRef.key` or `metadata.annotations["a.b/c"]` → ['spec', 'data', 2, ...]. */
export function parseFieldPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|([^.[\]]+)/g;
  for (let m = re.exec(path); m; m = re.exec(path)) {
    if (m[1] !== undefined) out.push(Number(m[1]));
    else if (m[2] !== undefined) out.push(m[2].replace(/\\(.)/g, '$1'));
    else out.push(m[3]!);
  }
  return out;
}

/** Formats segments back into a field path, quoting keys that are not plain identifiers. */
export function formatFieldPath(segments: (string | number)[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(s)) out += out === '' ? s : `.${s}`;
    else out += `["${s.replace(/["\\]/g, '\\$&')}"]`;
  }
  return out;
}

// A present map key points at the key (the line a reader looks for); a sequence item at the
// item; an absent field at its nearest present ancestor.
function offsetOf(root: ParsedNode, segments: (string | number)[]): number {
  let node: Node | null = root;
  let offset = root.range[0];
  for (const seg of segments) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      offset = (pair.key as ParsedNode).range[0];
      node = pair.value as Node | null;
    } else if (isSeq(node) && typeof seg === 'number' && node.items[seg]) {
      node = node.items[seg] as Node;
      offset = (node as ParsedNode).range[0];
    } else break;
  }
  return offset;
}
