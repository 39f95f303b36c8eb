// The Webhook generator's result.jsonPath against github.com/PaesslerAG/jsonpath v0.1.1, the package
// ESO's webhook code calls (providers/v1/webhook/pkg/webhook/webhook.go GetSecretMap:
// jsonpath.Get(path, value)). Expected values: PaesslerAG's selector.go (selectValue's messages,
// starSelector/mapperSelector/multiSelector/rangeSelector giving lists, errors inside a wildcard
// dropping the branch) and parse.go, and jsonpath.Get run in Go on the same document with the
// same paths (the results are listed beside each case).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { unmarshalAny, type GoAny } from '../../../src/core/go-json-any.ts';
import { evaluateJsonPath, JsonPathError, parseJsonPath } from '../../../src/core/webhook-jsonpath.ts';

const parsed = unmarshalAny(new TextEncoder().encode('{"a":{"b":[10,{"c":"d"}],"s":"str","n":null},"k-1":"v","x":[]}'));
assert.ok(parsed.ok);
const doc = parsed.value;
const plain = (v: GoAny): unknown => (v instanceof Map ? Object.fromEntries([...v].map(([k, x]) => [k, plain(x)])) : Array.isArray(v) ? v.map(plain) : v);
const get = (path: string) => {
  const r = evaluateJsonPath(parseJsonPath(path), doc);
  return r.ok ? { value: plain(r.value) } : { error: r.message };
};

describe('Webhook jsonPath (PaesslerAG/jsonpath)', () => {
  it('plain paths give the one value named', () => {
    assert.deepEqual(get('$'), { value: { a: { b: [10, { c: 'd' }], s: 'str', n: null }, 'k-1': 'v', x: [] } });
    assert.deepEqual(get('$.a.b[1].c'), { value: 'd' });
    assert.deepEqual(get('$["k-1"]'), { value: 'v' });
    assert.deepEqual(get('$ . a.s'), { value: 'str' }, 'whitespace between tokens (text/scanner)');
    // A string key of a list is read as a number, a float index truncated, a one-character '…' is a string.
    assert.deepEqual(get("$.a.b['1']"), { value: { c: 'd' } });
    assert.deepEqual(get('$.a.b[1.7]'), { value: { c: 'd' } });
    assert.deepEqual(get("$.a.b[1]['c']"), { value: 'd' });
  });

  it("plain paths fail with PaesslerAG's messages", () => {
    assert.deepEqual(get('$.a.missing'), { error: 'unknown key missing' });
    assert.deepEqual(get('$.a[0]'), { error: 'unknown key 0' });
    assert.deepEqual(get('$.a.b[-1]'), { error: 'index -1 out of bounds' });
    assert.deepEqual(get('$.a.b[5]'), { error: 'index 5 out of bounds' });
    assert.deepEqual(get('$.x[0]'), { error: 'index 0 out of bounds' });
    assert.deepEqual(get('$.a.b.c'), { error: 'could not select value, invalid key: expected number but got c (string)' });
    assert.deepEqual(get('$.a.b[true]'), { error: 'could not select value, invalid key: expected number but got true (bool)' });
    assert.deepEqual(get('$.a.s.x'), { error: 'unsupported value type string for select, expected map[string]interface{} or []interface{}' });
    assert.deepEqual(get('$.a.n.x'), { error: 'unsupported value type <nil> for select, expected map[string]interface{} or []interface{}' });
  });

  it('wildcards, .., unions and slices give a list of the matches (never an error)', () => {
    assert.deepEqual(get('$.a.b[*]'), { value: [10, { c: 'd' }] });
    assert.deepEqual(get('$..c'), { value: ['d'] });
    assert.deepEqual(get('$.a["b","s"]'), { value: [[10, { c: 'd' }], 'str'] });
    assert.deepEqual(get('$.a.b[0:1]'), { value: [10] });
    assert.deepEqual(get('$.a.b[::-1]'), { value: [{ c: 'd' }, 10] });
    assert.deepEqual(get('$.a["missing","s"]'), { value: ['str'] });
    assert.equal(parseJsonPath('$.a.b').ambiguous, false);
    assert.equal(parseJsonPath('$..c').ambiguous, true);
  });

  it('refuses what ESO refuses (syntax) and reports gval syntax beyond the subset (unsupported)', () => {
    const kind = (p: string) => {
      try {
        parseJsonPath(p);
      } catch (e) {
        assert.ok(e instanceof JsonPathError);
        return e.kind;
      }
      return 'ok';
    };
    // ESO: parsing errors.
    for (const p of ["$['k-1']", '$.', "$.'a'", '', '$.k-1']) assert.equal(kind(p), 'syntax', p);
    // ESO: a bool (== …), a value of the root's variable, a filter's list, gval variables: none an object Projector can read.
    for (const p of ['$.a == 1', '$[a]', '$[?(@.c == "d")]', 'a.b', '@.a', '$(a)']) assert.equal(kind(p), 'unsupported', p);
  });
});
