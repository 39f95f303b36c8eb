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
   * What the API server would record in managedFields: the other writers' entries as they were, and
   * this writer owning what it set that no other writer owns (so Merge ExternalSecrets stay apart).
   */
  #managedFields(d: DesiredSecret): ManagedFieldsEntry[] {
    const previous = this.#read(d.namespace, d.name)?.metadata;
    const others = (previous?.managedFields ?? []).filter((e) => e.manager !== d.fieldManager);
    const theirs = { data: new Set<string>(), labels: new Set<string>(), annotations: new Set<string>() };
    for (const e of others) {
      const owned = ownedFieldsOf({ managedFields: [e] }, e.manager ?? '');
      for (const k of owned.data) theirs.data.add(k);
      for (const k of owned.labels) theirs.labels.add(k);
      for (const k of owned.annotations) theirs.annotations.add(k);
    }
    const mine = {
      data: [...d.data.keys()].filter((k) => !theirs.data.has(k)),
      labels: Object.keys(d.labels).filter((k) => !theirs.labels.has(k)),
      annotations: Object.keys(d.annotations).filter((k) => !theirs.annotations.has(k)),
    };
    return [...others, managedFieldsEntryFor(d.fieldManager, mine, new Date().toISOString())];
  }

  #write(d: DesiredSecret): string {
    const resourceVersion = String(Date.now() * 1000 + (this.#generation++ % 1000));
    const data = encodeSecretData(d.data);
    const env: string[] = [];
    for (const [k, v] of d.data) {
      const name = k.replace(/[^A-Za-z0-9_]/g, '_');
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
        managedFields: this.#managedFields(d),
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
