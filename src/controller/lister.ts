import type { ObjectKey } from '../api/meta.ts';

/** Read-only view of an informer cache: what reconcilers may use (they never list the API server). */
export interface Lister<T> {
  get(key: ObjectKey): T | undefined;
  byIndex(name: string, value: string): T[];
  list(): T[];
}
