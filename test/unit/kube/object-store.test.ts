import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectStore, type ChangeType, type KubeObject } from '../../../src/kube/object-store.ts';

interface Obj extends KubeObject {
  spec?: { target?: string };
}

function obj(name: string, rv: string, target?: string, namespace = 'ns'): Obj {
  return { metadata: { name, namespace, resourceVersion: rv }, ...(target ? { spec: { target } } : {}) };
}

function recording(store: ObjectStore<Obj>): string[] {
  const seen: string[] = [];
  store.onChange((type: ChangeType, o, old) => seen.push(`${type}:${o.metadata.name}@${o.metadata.resourceVersion}${old ? `<-${old.metadata.resourceVersion}` : ''}`));
  return seen;
}

describe('ObjectStore', () => {
  it('keys objects by namespace/name and cluster-scoped ones by /name', () => {
    const store = new ObjectStore<Obj>();
    store.upsert(obj('a', '1'));
    store.upsert({ metadata: { name: 'global', resourceVersion: '1' } });
    assert.equal(store.get('ns/a')?.metadata.resourceVersion, '1');
    assert.equal(store.get('/global')?.metadata.name, 'global');
    assert.equal(store.size(), 2);
  });

  it('reports an upsert as added first and as modified with the old object after', () => {
    const store = new ObjectStore<Obj>();
    const seen = recording(store);
    store.upsert(obj('a', '1'));
    store.upsert(obj('a', '2'));
    store.delete(obj('a', '3'));
    assert.deepEqual(seen, ['added:a@1', 'modified:a@2<-1', 'deleted:a@3<-2']);
    assert.equal(store.size(), 0);
  });

  it('replaceAll reports only what differs from the cache', () => {
    const store = new ObjectStore<Obj>();
    store.upsert(obj('same', '1'));
    store.upsert(obj('changed', '1'));
    store.upsert(obj('gone', '1'));
    const seen = recording(store);
    const counts = store.replaceAll([obj('same', '1'), obj('changed', '5'), obj('new', '6')]);
    assert.deepEqual(seen.sort(), ['added:new@6', 'deleted:gone@1<-1', 'modified:changed@5<-1']);
    assert.deepEqual(counts, { added: 1, modified: 1, deleted: 1 });
    assert.deepEqual(store.keys().sort(), ['ns/changed', 'ns/new', 'ns/same']);
  });

  it('keeps indexes in step with upserts, changes and deletes', () => {
    const store = new ObjectStore<Obj>();
    store.addIndex('target', (o) => (o.spec?.target ? [o.spec.target] : []));
    store.upsert(obj('es1', '1', 'secret-a'));
    store.upsert(obj('es2', '1', 'secret-a'));
    assert.deepEqual(store.keysByIndex('target', 'secret-a').sort(), ['ns/es1', 'ns/es2']);
    store.upsert(obj('es2', '2', 'secret-b'));
    assert.deepEqual(store.keysByIndex('target', 'secret-a'), ['ns/es1']);
    assert.deepEqual(store.byIndex('target', 'secret-b').map((o) => o.metadata.name), ['es2']);
    store.delete(obj('es1', '3'));
    assert.deepEqual(store.byIndex('target', 'secret-a'), []);
    store.replaceAll([obj('es3', '4', 'secret-b')]);
    assert.deepEqual(store.keysByIndex('target', 'secret-b'), ['ns/es3']);
  });

  it('indexes objects that were stored before the index was added', () => {
    const store = new ObjectStore<Obj>();
    store.upsert(obj('es1', '1', 'secret-a'));
    store.addIndex('target', (o) => (o.spec?.target ? [o.spec.target] : []));
    assert.deepEqual(store.keysByIndex('target', 'secret-a'), ['ns/es1']);
  });

  it('refuses to query an index that does not exist', () => {
    assert.throws(() => new ObjectStore<Obj>().byIndex('nope', 'x'), /no index named nope/);
  });

  it('updates the store before handlers run, and a throwing handler does not stop the others', () => {
    const store = new ObjectStore<Obj>();
    const seenByLater: (string | undefined)[] = [];
    store.onChange(() => {
      throw new Error('handler bug');
    });
    store.onChange((_t, o) => seenByLater.push(store.get(`ns/${o.metadata.name}`)?.metadata.resourceVersion));
    store.upsert(obj('a', '7'));
    assert.deepEqual(seenByLater, ['7']);
  });
});
