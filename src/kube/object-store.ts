import { objectKey, type ObjectKey } from '../api/object-key.ts';
import type { ObjectMeta } from '../api/meta.ts';
import type { Logger } from '../platform/logger.ts';

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
}

export type ChangeType = 'added' | 'modified' | 'deleted';
export type ChangeHandler<T> = (type: ChangeType, obj: T, old: T | undefined) => void;

export function keyOf(obj: KubeObject): ObjectKey {
  return objectKey(obj.metadata.namespace, obj.metadata.name ?? '');
}

interface Index<T> {
  fn: (obj: T) => string[];
  byValue: Map<string, Set<ObjectKey>>;
}

/**
 * The in-memory cache a reflector fills: objects by ObjectKey, plus named indexes (e.g. target
 * Secret name → ExternalSecret keys). Change handlers run synchronously after the store is updated,
 * so a handler that reads the store sees the new state. Handlers should only enqueue keys.
 */
export class ObjectStore<T extends KubeObject> {
  readonly #objects = new Map<ObjectKey, T>();
  readonly #indexes = new Map<string, Index<T>>();
  readonly #handlers: ChangeHandler<T>[] = [];
  readonly #log: Logger | undefined;

  constructor(opts: { log?: Logger } = {}) {
    this.#log = opts.log;
  }

  get(key: ObjectKey): T | undefined {
    return this.#objects.get(key);
  }

  list(): T[] {
    return [...this.#objects.values()];
  }

  keys(): ObjectKey[] {
    return [...this.#objects.keys()];
  }

  size(): number {
    return this.#objects.size;
  }

  /** Adds an index; objects already in the store are indexed at once. */
  addIndex(name: string, fn: (obj: T) => string[]): void {
    if (this.#indexes.has(name)) throw new Error(`ObjectStore: index ${name} already exists`);
    const index: Index<T> = { fn, byValue: new Map() };
    this.#indexes.set(name, index);
    for (const [key, obj] of this.#objects) addToIndex(index, key, obj);
  }

  byIndex(name: string, value: string): T[] {
    return this.keysByIndex(name, value).map((k) => this.#objects.get(k)!);
  }

  keysByIndex(name: string, value: string): ObjectKey[] {
    const index = this.#indexes.get(name);
    if (!index) throw new Error(`ObjectStore: no index named ${name}`);
    return [...(index.byValue.get(value) ?? [])];
  }

  onChange(fn: ChangeHandler<T>): void {
    this.#handlers.push(fn);
  }

  /** Inserts or replaces an object and reports it as added or modified. */
  upsert(obj: T): void {
    const key = keyOf(obj);
    const old = this.#objects.get(key);
    this.#put(key, obj, old);
    this.#emit(old ? 'modified' : 'added', obj, old);
  }

  /** Removes an object (the watch's final state) and reports it, with the last cached state as `old`. */
  delete(obj: T): void {
    const key = keyOf(obj);
    const old = this.#objects.get(key);
    this.#remove(key, old);
    this.#emit('deleted', obj, old);
  }

  /**
   * Makes the store hold exactly `objects` (a fresh list) and reports only the differences:
   * new keys as added, a changed resourceVersion as modified, vanished keys as deleted.
   * This is what keeps a relist after 410 Gone from re-enqueuing every object.
   */
  replaceAll(objects: T[]): { added: number; modified: number; deleted: number } {
    const counts = { added: 0, modified: 0, deleted: 0 };
    const seen = new Set<ObjectKey>();
    const changes: [ChangeType, T, T | undefined][] = [];
    for (const obj of objects) {
      const key = keyOf(obj);
      seen.add(key);
      const old = this.#objects.get(key);
      if (old && old.metadata.resourceVersion === obj.metadata.resourceVersion) {
        this.#put(key, obj, old); // same version; keep the fresh copy without an event
        continue;
      }
      this.#put(key, obj, old);
      changes.push([old ? 'modified' : 'added', obj, old]);
    }
    for (const [key, old] of this.#objects) {
      if (seen.has(key)) continue;
      this.#remove(key, old);
      changes.push(['deleted', old, old]);
    }
    for (const [type, obj, old] of changes) {
      counts[type]++;
      this.#emit(type, obj, old);
    }
    return counts;
  }

  #put(key: ObjectKey, obj: T, old: T | undefined): void {
    if (old) for (const index of this.#indexes.values()) removeFromIndex(index, key, old);
    this.#objects.set(key, obj);
    for (const index of this.#indexes.values()) addToIndex(index, key, obj);
  }

  #remove(key: ObjectKey, old: T | undefined): void {
    if (!old) return;
    for (const index of this.#indexes.values()) removeFromIndex(index, key, old);
    this.#objects.delete(key);
  }

  #emit(type: ChangeType, obj: T, old: T | undefined): void {
    for (const handler of this.#handlers) {
      try {
        handler(type, obj, old);
      } catch (e) {
        // A handler bug must not stop the reflector (the store is already updated). Stack only: messages may quote input.
        this.#log?.error(
          { errorName: e instanceof Error ? e.name : typeof e, stack: e instanceof Error ? stackFrames(e) : undefined, key: keyOf(obj), type },
          'store change handler threw; this is a bug',
        );
      }
    }
  }
}

function addToIndex<T>(index: Index<T>, key: ObjectKey, obj: T): void {
  for (const value of index.fn(obj)) {
    let keys = index.byValue.get(value);
    if (!keys) index.byValue.set(value, (keys = new Set()));
    keys.add(key);
  }
}

function removeFromIndex<T>(index: Index<T>, key: ObjectKey, obj: T): void {
  for (const value of index.fn(obj)) {
    const keys = index.byValue.get(value);
    keys?.delete(key);
    if (keys?.size === 0) index.byValue.delete(value);
  }
}

function stackFrames(e: Error): string | undefined {
  return e.stack?.split('\n').filter((l) => l.trimStart().startsWith('at ')).slice(0, 10).join('\n');
}
