// Where `projector dev` writes target Secrets when there is no cluster: one Kubernetes Secret YAML
// and one .env file per Secret, under a git-ignored folder, written atomically with mode 0600.
import { goStringFromBytes, isTextString } from '../../core/go-string.ts';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { ManagedFieldsEntry, ObjectMeta } from '../../api/meta.ts';
import { managedFieldsEntryFor, ownedFieldsOf } from '../../core/field-owner.ts';
import type { DesiredSecret, LiveSecret } from '../../core/plan-target-secret.ts';
import { decodeSecretData, encodeSecretData, liveTargetMetaOf } from '../../core/secret-data.ts';
import type { LiveTargetMeta } from '../../core/refresh.ts';

interface SecretFile {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: ObjectMeta;
  type?: string;
  immutable?: boolean;
  data?: Record<string, string>;
}

type Section = 'data' | 'labels' | 'annotations';
const SECTIONS: readonly Section[] = ['data', 'labels', 'annotations'];

function envQuote(v: string): string {
  return `'${v.replace(/'/g, `'\\''`)}'`;
}

export class FileSecrets {
  readonly root: string;
  #generation = 0;
  constructor(root: string) {
    this.root = root;
  }

  yamlPath(namespace: string, name: string): string {
    return join(this.root, namespace, `${name}.yaml`);
  }
  envPath(namespace: string, name: string): string {
    return join(this.root, namespace, `${name}.env`);
  }

  #read(namespace: string, name: string): SecretFile | undefined {
    const p = this.yamlPath(namespace, name);
    if (!existsSync(p)) return undefined;
    try {
      return parse(readFileSync(p, 'utf8')) as SecretFile;
    } catch {
      return undefined; // a hand-broken file is treated as missing and rewritten
    }
  }

  async getSecret(namespace: string, name: string): Promise<LiveSecret | undefined> {
    const f = this.#read(namespace, name);
    if (!f) return undefined;
    return { metadata: f.metadata, type: f.type, immutable: f.immutable, data: decodeSecretData(f.data) };
  }

  /** Metadata and data hash of a written Secret (what the operator's Secret cache holds). */
  liveMeta(namespace: string, name: string): LiveTargetMeta | undefined {
    const f = this.#read(namespace, name);
    return f && liveTargetMetaOf(f);
  }

  /** Key names of a written Secret (never values). */
  keys(namespace: string, name: string): string[] {
    return Object.keys(this.#read(namespace, name)?.data ?? {});
  }

  async createSecret(d: DesiredSecret): Promise<string> {
    return this.#write(d);
  }
  async updateSecret(d: DesiredSecret): Promise<string> {
    return this.#write(d);
  }
  async deleteSecret(namespace: string, name: string, _resourceVersion?: string, _uid?: string): Promise<void> {
    rmSync(this.yamlPath(namespace, name), { force: true });
    rmSync(this.envPath(namespace, name), { force: true });
  }

  /** Every written Secret, as "namespace/name". */
  list(): string[] {
    if (!existsSync(this.root)) return [];
    return readdirSync(this.root).flatMap((ns) => readdirSync(join(this.root, ns)).filter((f) => f.endsWith('.yaml')).map((f) => `${ns}/${f.slice(0, -5)}`));
  }

  /**
   * What the API server records in managedFields for an update by `d.fieldManager` (an Update
   * operation, as ESO and Projector write: structured-merge-diff's rules): the fields the write
   * added or changed become this writer's and no other's; a field it leaves as it was keeps its
   * owners (this writer keeps what it owned); a field the write removes is no one's. Only data
   * keys, labels and annotations are tracked: they decide what an ExternalSecret removes later
   * (core/field-owner.ts), so a Merge ExternalSecret that changed a key another writer had set owns
   * it, and removes it when it stops writing it, as in a cluster.
   */
  #managedFields(d: DesiredSecret, data: Record<string, string>): ManagedFieldsEntry[] {
    const previous = this.#read(d.namespace, d.name);
    const before: Record<Section, Record<string, string>> = { data: previous?.data ?? {}, labels: previous?.metadata.labels ?? {}, annotations: previous?.metadata.annotations ?? {} };
    const after: Record<Section, Record<string, string>> = { data, labels: d.labels, annotations: d.annotations };
    const changed = (sec: Section) => new Set(Object.keys(after[sec]).filter((k) => !Object.hasOwn(before[sec], k) || before[sec][k] !== after[sec][k]));
    const changes = { data: changed('data'), labels: changed('labels'), annotations: changed('annotations') };
    const present = (sec: Section, k: string) => Object.hasOwn(after[sec], k);
    const out: ManagedFieldsEntry[] = [];
    const mine = { data: new Set(changes.data), labels: new Set(changes.labels), annotations: new Set(changes.annotations) };
    for (const e of previous?.metadata.managedFields ?? []) {
      const owned = ownedFieldsOf({ managedFields: [e] }, e.manager ?? '');
      if (e.manager === d.fieldManager) {
        for (const sec of SECTIONS) for (const k of owned[sec]) if (present(sec, k)) mine[sec].add(k);
        continue;
      }
      const kept = {
        data: [...owned.data].filter((k) => present('data', k) && !changes.data.has(k)),
        labels: [...owned.labels].filter((k) => present('labels', k) && !changes.labels.has(k)),
        annotations: [...owned.annotations].filter((k) => present('annotations', k) && !changes.annotations.has(k)),
      };
      out.push({ ...e, fieldsV1: managedFieldsEntryFor(e.manager ?? '', kept, e.time ?? '').fieldsV1 });
    }
    return [...out, managedFieldsEntryFor(d.fieldManager, mine, new Date().toISOString())];
  }

  #write(d: DesiredSecret): string {
    const resourceVersion = String(Date.now() * 1000 + (this.#generation++ % 1000));
    const data = encodeSecretData(d.data);
    const managedFields = this.#managedFields(d, data);
    const env: string[] = [];
    // A Secret key becomes a shell variable name with each other character as `_` (`db.host` →
    // `db_host`). A name that cannot be one (a leading digit) or that two keys would share is not
    // written: sourcing `1x='…'` runs a command and prints the value, and one of two values would be lost.
    const envName = (k: string) => k.replace(/[^A-Za-z0-9_]/g, '_');
    const shared = new Set([...d.data.keys()].map(envName).filter((n, i, all) => all.indexOf(n) !== i));
    for (const [k, v] of d.data) {
      const name = envName(k);
      if (!/^[A-Za-z_]/.test(name) || shared.has(name)) {
        const why = shared.has(name) ? `another key also becomes ${name}` : 'a shell variable name cannot start with a digit';
        env.push(`# key ${JSON.stringify(k)} not written: ${why}; exact in ${d.name}.yaml`);
        continue;
      }
      const value = goStringFromBytes(v.reveal());
      // A shell variable holds neither NUL nor bytes that are not UTF-8 as they are: rather than
      // write altered bytes, the .env points at the Secret file, which holds them exactly (base64).
      if (isTextString(value) && !value.includes('\0')) env.push(`${name}=${envQuote(value)}`);
      else env.push(`# ${name}: binary value (not UTF-8 text), exact in ${d.name}.yaml as base64`);
    }
    const file: SecretFile = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: d.name,
        namespace: d.namespace,
        resourceVersion,
        labels: d.labels,
        annotations: d.annotations,
        ...(d.ownerReferences.length ? { ownerReferences: d.ownerReferences } : {}),
        ...(d.finalizers.length ? { finalizers: d.finalizers } : {}),
        managedFields,
      },
      type: d.type,
      ...(d.immutable ? { immutable: true } : {}),
      data,
    };
    mkdirSync(join(this.root, d.namespace), { recursive: true, mode: 0o700 });
    atomicWrite(this.yamlPath(d.namespace, d.name), `# Written by projector dev from the vault; never commit this file.\n${stringify(file)}`);
    atomicWrite(this.envPath(d.namespace, d.name), `# ${d.namespace}/${d.name}, written by projector dev; never commit this file.\n${env.join('\n')}\n`);
    return resourceVersion;
  }
}

function atomicWrite(path: string, content: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, content, { mode: 0o600 });
  renameSync(tmp, path);
}
