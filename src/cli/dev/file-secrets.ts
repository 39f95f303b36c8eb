// Where `projector dev` writes target Secrets when there is no cluster: one Kubernetes Secret YAML
// and one .env file per Secret, under a git-ignored folder, written atomically with mode 0600.
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { ObjectMeta } from '../../api/meta.ts';
import type { DesiredSecret, LiveSecret } from '../../core/plan-target-secret.ts';
import { decodeSecretData, encodeSecretData, liveTargetMetaOf } from '../../core/secret-data.ts';
import type { LiveTargetMeta } from '../../core/refresh.ts';
import { assertSecretShape } from '../../core/secret-shape.ts';

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
  async deleteSecret(namespace: string, name: string): Promise<void> {
    rmSync(this.yamlPath(namespace, name), { force: true });
    rmSync(this.envPath(namespace, name), { force: true });
  }

  /** Every written Secret, as "namespace/name". */
  list(): string[] {
    if (!existsSync(this.root)) return [];
    return readdirSync(this.root).flatMap((ns) => readdirSync(join(this.root, ns)).filter((f) => f.endsWith('.yaml')).map((f) => `${ns}/${f.slice(0, -5)}`));
  }

  /** Refuses, as the API server would (422 Invalid → KubeInvalid), a Secret it would not store. */
  #write(d: DesiredSecret): string {
    assertSecretShape(d);
    const resourceVersion = String(Date.now() * 1000 + (this.#generation++ % 1000));
    const data = encodeSecretData(d.data);
    const env: string[] = [];
    for (const [k, v] of d.data) {
      env.push(`${k.replace(/[^A-Za-z0-9_]/g, '_')}=${envQuote(Buffer.from(v.reveal()).toString('utf8'))}`);
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
