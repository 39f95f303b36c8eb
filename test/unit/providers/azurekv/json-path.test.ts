import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getJsonPath, jsonObjectMembers, splitJsonPath, stringObjectMembers } from '../../../../src/providers/azurekv/json-path.ts';

describe('getJsonPath (gjson subset)', () => {
  const doc = '{"user":"admin","port":5432,"ratio":1.50,"big":12345678901234567890,"ok":true,"none":null,' +
    '"nested":{"a": {"b":"deep"}},"list":["x",{"y":"z"}],"dotted.key":"lit","esc":"a\\"b\\u00e9"}';

  it('returns string members unescaped', () => {
    assert.equal(getJsonPath(doc, 'user'), 'admin');
    assert.equal(getJsonPath(doc, 'esc'), 'a"bé');
  });

  it('returns numbers and booleans as their raw JSON text', () => {
    assert.equal(getJsonPath(doc, 'port'), '5432');
    assert.equal(getJsonPath(doc, 'ratio'), '1.50');
    assert.equal(getJsonPath(doc, 'big'), '12345678901234567890');
    assert.equal(getJsonPath(doc, 'ok'), 'true');
  });

  it('returns null as an empty string, like gjson String()', () => {
    assert.equal(getJsonPath(doc, 'none'), '');
  });

  it('returns nested objects as their exact source text', () => {
    assert.equal(getJsonPath(doc, 'nested'), '{"a": {"b":"deep"}}');
    assert.equal(getJsonPath(doc, 'nested.a.b'), 'deep');
  });

  it('indexes arrays by number and counts them with #', () => {
    assert.equal(getJsonPath(doc, 'list.0'), 'x');
    assert.equal(getJsonPath(doc, 'list.1.y'), 'z');
    assert.equal(getJsonPath(doc, 'list.#'), '2');
  });

  it('treats a backslash-escaped dot as part of the key', () => {
    assert.equal(getJsonPath(doc, 'dotted\\.key'), 'lit');
    assert.equal(getJsonPath(doc, 'dotted.key'), undefined);
  });

  it('reports a missing path or a non-JSON document as undefined', () => {
    assert.equal(getJsonPath(doc, 'nope'), undefined);
    assert.equal(getJsonPath(doc, 'user.more'), undefined);
    assert.equal(getJsonPath('canary-not-json-1', 'user'), undefined);
    assert.equal(getJsonPath('{"a":1', 'a'), undefined);
    assert.equal(getJsonPath('{"a":1} trailing', 'a'), undefined);
  });

  it('takes the first of duplicate keys, as gjson does', () => {
    assert.equal(getJsonPath('{"a":"first","a":"second"}', 'a'), 'first');
  });

  it('splits paths on unescaped dots only', () => {
    assert.deepEqual(splitJsonPath('a.b\\.c.d'), ['a', 'b.c', 'd']);
  });
});

describe('jsonObjectMembers', () => {
  it('maps string members to text and other members to raw JSON', () => {
    const m = jsonObjectMembers('{"s":"v","n":1.0,"o":{"k": "v"},"a":[1, 2],"b":false}');
    assert.deepEqual([...m!], [['s', 'v'], ['n', '1.0'], ['o', '{"k": "v"}'], ['a', '[1, 2]'], ['b', 'false']]);
  });

  it('returns undefined for arrays, scalars and non-JSON text', () => {
    assert.equal(jsonObjectMembers('[1]'), undefined);
    assert.equal(jsonObjectMembers('"s"'), undefined);
    assert.equal(jsonObjectMembers('canary-not-json-2'), undefined);
  });

  it('keeps the last duplicate key, as encoding/json does', () => {
    assert.equal(jsonObjectMembers('{"a":"1","a":"2"}')!.get('a'), '2');
  });
});

describe('stringObjectMembers', () => {
  it('expands only objects whose members are all strings', () => {
    assert.deepEqual([...stringObjectMembers('{"a":"1","b":"2"}')!], [['a', '1'], ['b', '2']]);
    assert.equal(stringObjectMembers('{"a":"1","b":2}'), undefined);
    assert.equal(stringObjectMembers('plain'), undefined);
  });
});
