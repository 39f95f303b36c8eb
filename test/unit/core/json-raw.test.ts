import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { jsonObjectMembers, stringObjectMembers } from '../../../src/core/json-raw.ts';
import { gjsonExists, gjsonGet, gjsonString } from '../../../src/core/gjson.ts';

// gjson.Get(...).String() on the cases a reader of ESO's docs expects; gjson-go.test.ts checks
// thousands more against the Go library itself.
describe('gjsonGet / gjsonString (ESO remoteRef.property)', () => {
  const doc = '{"user":"admin","port":5432,"ratio":1.50,"big":12345678901234567890,"ok":true,"none":null,' +
    '"nested":{"a": {"b":"deep"}},"list":["x",{"y":"z"}],"dotted.key":"lit","esc":"a\\"b\\u00e9"}';
  const get = (json: string, path: string) => {
    const r = gjsonGet(json, path);
    return gjsonExists(r) ? gjsonString(r) : undefined;
  };

  it('returns string members unescaped', () => {
    assert.equal(get(doc, 'user'), 'admin');
    assert.equal(get(doc, 'esc'), 'a"bé');
  });

  it('returns integers as their source text, other numbers as Go formats a float64', () => {
    assert.equal(get(doc, 'port'), '5432');
    assert.equal(get(doc, 'big'), '12345678901234567890');
    assert.equal(get(doc, 'ratio'), '1.5');
    assert.equal(get('{"e":1e3,"z":-0.0,"f":0.000001}', 'e'), '1000');
    assert.equal(get('{"e":1e3,"z":-0.0,"f":0.000001}', 'z'), '-0');
    assert.equal(get('{"e":1e3,"z":-0.0,"f":0.000001}', 'f'), '0.000001');
    assert.equal(get(doc, 'ok'), 'true');
  });

  it('returns null as an empty string, found', () => {
    assert.equal(get(doc, 'none'), '');
  });

  it('returns nested objects as their exact source text', () => {
    assert.equal(get(doc, 'nested'), '{"a": {"b":"deep"}}');
    assert.equal(get(doc, 'nested.a.b'), 'deep');
  });

  it('indexes arrays by number, counts them with #, maps them with #.path', () => {
    assert.equal(get(doc, 'list.0'), 'x');
    assert.equal(get(doc, 'list.1.y'), 'z');
    assert.equal(get(doc, 'list.#'), '2');
    assert.equal(get('{"a":[{"n":"1"},{"n":"2"},{}]}', 'a.#.n'), '["1","2"]');
  });

  it('treats a backslash-escaped dot as part of the key, and matches * and ? wildcards', () => {
    assert.equal(get(doc, 'dotted\\.key'), 'lit');
    assert.equal(get(doc, 'dotted.key'), undefined);
    assert.equal(get(doc, 'us*'), 'admin');
    assert.equal(get(doc, 'p?rt'), '5432');
  });

  it('reads what is not strict JSON, as gjson does not validate: raw newlines in strings, trailing commas and text', () => {
    assert.equal(get('{"user":"admin","key":"-----BEGIN KEY-----\nabc\n-----END KEY-----"}', 'key'), '-----BEGIN KEY-----\nabc\n-----END KEY-----');
    assert.equal(get('{"a":"x","b":"y",}', 'b'), 'y');
    assert.equal(get('{"a":1} trailing', 'a'), '1');
    assert.equal(get('{"a":1', 'a'), '1');
    assert.equal(get('canary-not-json-1', 'user'), undefined);
  });

  it('reports a missing path as not found, and takes the first of duplicate keys', () => {
    assert.equal(get(doc, 'nope'), undefined);
    assert.equal(get(doc, 'user.more'), undefined);
    assert.equal(get('{"a":"first","a":"second"}', 'a'), 'first');
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

  // ESO getSecretMapMap: null unmarshals into a string as "", and into the map as no members.
  it('maps a null member to an empty string and a null document to no members', () => {
    assert.deepEqual([...jsonObjectMembers('{"a":null,"b":"x"}')!], [['a', ''], ['b', 'x']]);
    assert.deepEqual([...jsonObjectMembers(' null ')!], []);
  });

  // encoding/json's scanner (checked with Go 1.26): `\q` is "invalid character 'q' in string escape
  // code", `\u12"` "in \u hexadecimal character escape"; `\/` is an escaped slash.
  it('refuses invalid string escapes as not JSON, without throwing', () => {
    assert.equal(jsonObjectMembers('{"k":"a\\qb"}'), undefined);
    assert.equal(jsonObjectMembers('{"k":"\\u00e9\\u12"}'), undefined);
    assert.equal(jsonObjectMembers('{"k\\x":"v"}'), undefined);
    assert.equal(jsonObjectMembers('{"a":{"k":"\\x"}}'), undefined, 'inside a nested value too');
    assert.deepEqual([...jsonObjectMembers('{"k":"\\/ok\\u00e9\\n"}')!], [['k', '/oké\n']]);
  });

  // encoding/json's maxNestingDepth is 10,000 (the root counts): deeper is "exceeded max depth".
  it('reads nesting as deep as encoding/json does, and no deeper, without recursion', () => {
    const arrays = (d: number) => '['.repeat(d) + ']'.repeat(d);
    const deep = jsonObjectMembers(`{"a":${arrays(9_999)},"b":"x"}`)!;
    assert.equal(deep.get('a'), arrays(9_999));
    assert.equal(deep.get('b'), 'x');
    assert.equal(jsonObjectMembers(`{"a":${arrays(10_000)},"b":"x"}`), undefined);
    const objects = (d: number) => '{"k":'.repeat(d) + '1' + '}'.repeat(d);
    assert.equal(jsonObjectMembers(objects(10_000))!.get('k'), objects(9_999));
    assert.equal(jsonObjectMembers(objects(10_001)), undefined);
  });

  it('refuses what is not one JSON document', () => {
    for (const text of ['{"a":1', '{"a":1}}', '{"a":1,}', '{,}', '{"a" 1}', '{"a":[1,]}', '{"a":tru}', '{"a":01}', '{"a":1} x', '']) {
      assert.equal(jsonObjectMembers(text), undefined, text);
    }
  });
});

describe('stringObjectMembers', () => {
  it('expands only objects whose members are all strings', () => {
    assert.deepEqual([...stringObjectMembers('{"a":"1","b":"2"}')!], [['a', '1'], ['b', '2']]);
    assert.equal(stringObjectMembers('{"a":"1","b":2}'), undefined);
    assert.equal(stringObjectMembers('plain'), undefined);
  });

  // ESO getSecretTags: json.Unmarshal into map[string]string takes null members as "" and a null
  // tag value as an empty map (the tag then gives no key at all).
  it('takes null members as empty strings and a null value as no members', () => {
    assert.deepEqual([...stringObjectMembers('{"a":"x","b":null}')!], [['a', 'x'], ['b', '']]);
    assert.deepEqual([...stringObjectMembers('null')!], []);
  });

  // ESO getSecretTags keeps a tag whose value does not unmarshal (here an invalid escape) as it is.
  it('returns undefined, so the tag is kept as it is, for a value with an invalid escape', () => {
    assert.equal(stringObjectMembers('{"dir":"C:\\data"}'), undefined);
  });
});
