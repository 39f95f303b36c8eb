// Where `projector dev --unsafe-allow-generic-targets` writes generic targets (spec.target.manifest:
// a ConfigMap, a custom resource) when there is no cluster: one YAML file per object under
// <out>/<namespace>/<Kind>[.<group>]/<name>.yaml, written atomically with mode 0600 (their content
// may hold secret values, as the Secrets beside them). The folder name never ends in .yaml, so the
// Secret writer (file-secrets.ts) never lists these as Secrets.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { ObjectMeta } from '../../api/meta.ts';
import type { GenericTargetRef, LiveGenericObject, Unstructured } from '../../core/generic-target.ts';
import { Sensitive } from '../../core/sensitive.ts';

export class FileObjects {
  readonly root: string;
  #generation = 0;
  constructor(root: string) {
    this.root = root;
  }

  /** The file of a target object. */
  path(t: Pick<GenericTargetRef, 'group' | 'kind' | 'namespace' | 'name'>): string {
    return join(this.root, t.namespace, t.group ? `${t.kind}.${t.group}` : t.kind, `${t.name}.yaml`);
  }

  #read(t: GenericTargetRef): Unstructured | undefined {
    const p = this.path(t);
    if (!existsSync(p)) return undefined;
    try {
      const obj = parse(readFileSync(p, 'utf8')) as unknown;
      return obj !== null && typeof obj === 'object' && !Array.isArray(obj) ? (obj as Unstructured) : undefined;
    } catch {
      return undefined; // a hand-broken file is treated as missing and rewritten
    }
  }

  /** One annotation of a written object (the data-hash dev prints), never its content. */
  readAnnotation(t: GenericTargetRef, key: string): string | undefined {
    const annotations = (this.#read(t)?.metadata as ObjectMeta | undefined)?.annotations;
    return annotations?.[key];
  }

  async getObject(t: GenericTargetRef): Promise<LiveGenericObject | undefined> {
    const obj = this.#read(t);
    return obj && { metadata: (obj.metadata ?? {}) as ObjectMeta, object: new Sensitive(obj) };
  }

  async createObject(t: GenericTargetRef, obj: Sensitive<Unstructured>): Promise<string> {
    return this.#write(t, obj.reveal(), `dev-${randomUUID()}`);
  }

  async updateObject(t: GenericTargetRef, obj: Sensitive<Unstructured>): Promise<string> {
    const uid = (this.#read(t)?.metadata as ObjectMeta | undefined)?.uid ?? `dev-${randomUUID()}`;
    return this.#write(t, obj.reveal(), uid);
  }

  async deleteObject(t: GenericTargetRef, _uid?: string): Promise<void> {
    rmSync(this.path(t), { force: true });
  }

  #write(t: GenericTargetRef, obj: Unstructured, uid: string): string {
    const resourceVersion = String(Date.now() * 1000 + (this.#generation++ % 1000));
    const metadata = { ...((obj.metadata ?? {}) as ObjectMeta), uid, resourceVersion };
    const p = this.path(t);
    mkdirSync(dirname(p), { recursive: true, mode: 0o700 });
    const tmp = `${p}.tmp-${process.pid}`;
    writeFileSync(tmp, `# Written by projector dev from the vault; never commit this file.\n${stringify({ ...obj, metadata })}`, { mode: 0o600 });
    renameSync(tmp, p);
    return resourceVersion;
  }
}
