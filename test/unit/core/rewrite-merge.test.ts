// dataFrom[].rewrite[].merge as ESO v2.9.0 does it (runtime/esutils/utils.go RewriteMerge, merge,
// sortKeysWithPriority, GetByteValue, JSONMarshal; runtime/esutils/utils_test.go TestRewriteMerge,
// TestRewrite, TestGetByteValue). Where ESO's tests have no case, the expected bytes were computed by
// running RewriteMerge's logic with Go 1.26's encoding/json and strconv (noted per test).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rewriteMerge, type DataFromEntry, type RewriteMergeSpec } from '../../../src/core/rewrite-merge.ts';
import { dataFromEntries, type DataFromOrigin } from '../../../src/core/transform.ts';
import { ProjectorError } from '../../../src/core/errors.ts';
import { Sensitive } from '../../../src/core/sensitive.ts';
import type { Rewrite } from '../../../src/api/index.ts';

const FIELD = 'spec.dataFrom[0].rewrite[0].merge';
const find: DataFromOrigin = { field: 'spec.dataFrom[0]', kind: 'find' };

const bytesOf = (s: string | Uint8Array) => new Sensitive(typeof s === 'string' ? new TextEncoder().encode(s) : s);
const entries = (data: Record<string, string | Uint8Array>): DataFromEntry[] =>
  Object.entries(data).map(([key, v]) => ({ key, value: bytesOf(v), name: () => `input ${JSON.stringify(key)}`, keyIsValue: false }));
/** The result as key → text, keys sorted (a Secret's data has no order). */
const asText = (out: { key: string; value: Sensitive<Uint8Array> }[] | Map<string, Sensitive<Uint8Array>>) => {
  const pairs = out instanceof Map ? [...out] : out.map((e) => [e.key, e.value] as const);
  return Object.fromEntries(pairs.map(([k, v]) => [k, Buffer.from(v.reveal()).toString('utf8')]).sort(([a], [b]) => (a! < b! ? -1 : 1)));
};
const merge = (spec: RewriteMergeSpec, data: Record<string, string | Uint8Array>) => asText(rewriteMerge(entries(data), spec, FIELD));
const failure = (spec: RewriteMergeSpec, data: Record<string, string | Uint8Array>): ProjectorError => {
  try {
    rewriteMerge(entries(data), spec, FIELD);
  } catch (e) {
    assert.ok(e instanceof ProjectorError, String(e));
    return e;
  }
  assert.fail('expected the merge to fail');
};

const mongo = '{"username": "foz", "password": "baz"}';
const redis = '{"host": "redis.example.com", "port": "6379"}';

describe('rewrite.merge: ESO TestRewriteMerge', () => {
  it('using empty merge: Extract, every member a key, the inputs dropped', () => {
    assert.deepEqual(merge({}, { 'mongo-credentials': mongo, 'redis-credentials': redis }), {
      host: 'redis.example.com',
      password: 'baz',
      port: '6379',
      username: 'foz',
    });
  });

  it('using priority: priority keys are merged last, in their order, so the last one wins', () => {
    const got = merge(
      { conflictPolicy: 'Ignore', priority: ['mongo-credentials', 'redis-credentials'] },
      { 'redis-credentials': redis, 'mongo-credentials': mongo, 'other-credentials': '{"key": "value", "host": "other.example.com"}' },
    );
    assert.deepEqual(got, { host: 'redis.example.com', key: 'value', password: 'baz', port: '6379', username: 'foz' });
  });

  it('using priority with keys not in input (default Strict): fails naming the priority entry, a key of the spec', () => {
    const e = failure({ conflictPolicy: 'Ignore', priority: ['non-existent-key', 'another-missing-key', 'mongo-credentials'] }, { 'mongo-credentials': mongo, 'redis-credentials': redis });
    assert.equal(e.code, 'VaultBadValue');
    assert.equal(e.details.field, `${FIELD}.priority[0]`);
    assert.match(e.message, /merge failed with key "non-existent-key" not found in input map \(priorityPolicy Strict;/);
  });

  it('using priority with keys not in input and IgnoreNotFound: the missing key is skipped', () => {
    const got = merge({ conflictPolicy: 'Ignore', priority: ['non-existent-key', 'mongo-credentials'], priorityPolicy: 'IgnoreNotFound' }, { 'mongo-credentials': mongo, 'redis-credentials': redis });
    assert.deepEqual(got, { host: 'redis.example.com', password: 'baz', port: '6379', username: 'foz' });
  });

  it('using conflict policy Error (also the default): a member name set twice fails, the name never shown', () => {
    const data = { 'mongo-credentials': '{"canary-user": "foz", "password": "baz"}', 'redis-credentials': '{"canary-user": "redis", "port": "6379"}' };
    for (const spec of [{ conflictPolicy: 'Error' as const }, {}]) {
      const e = failure(spec, data);
      assert.equal(e.code, 'VaultBadValue');
      assert.equal(e.details.field, `${FIELD}.conflictPolicy`);
      // Inputs in sorted order: mongo first, so redis's member #1 is the conflict.
      assert.match(e.message, /merge failed with conflicts: 1 member name is set by more than one input, first member #1 of the value of input "redis-credentials", also set by member #1 of the value of input "mongo-credentials"/);
      assert.ok(!e.message.includes('canary'), e.message);
    }
  });

  it('using JSON strategy: the inputs kept, the merged object under into as json.Marshal writes it (keys sorted)', () => {
    assert.deepEqual(merge({ strategy: 'JSON', into: 'credentials' }, { 'mongo-credentials': mongo, 'redis-credentials': redis }), {
      credentials: '{"host":"redis.example.com","password":"baz","port":"6379","username":"foz"}',
      'mongo-credentials': mongo,
      'redis-credentials': redis,
    });
  });

  it("using JSON strategy without into: InvalidSpec (ESO: merge failed with missing 'into' field)", () => {
    for (const into of [undefined, '']) {
      const e = failure({ strategy: 'JSON', ...(into === undefined ? {} : { into }) }, { 'mongo-credentials': mongo, 'redis-credentials': redis });
      assert.equal(e.code, 'InvalidSpec');
      assert.equal(e.details.field, `${FIELD}.into`);
      assert.match(e.message, /merge failed with missing 'into' field/);
    }
  });

  it('with invalid JSON: fails naming the input, not quoting the value', () => {
    const e = failure({}, { 'invalid-json': '{"canary": "foz", "password": "baz"' });
    assert.equal(e.code, 'VaultBadValue');
    assert.equal(e.message, `${FIELD}: merge failed with failed to unmarshal JSON: the value of input "invalid-json": it is not valid JSON`);
  });
});

describe('rewrite.merge: ESO TestRewrite (with other rewrites, runtime/esutils RewriteMap)', () => {
  const run = (rewrite: Rewrite[], data: Record<string, string>) =>
    asText(dataFromEntries(new Map(Object.entries(data).map(([k, v]) => [k, bytesOf(v)])), { rewrite, origin: find }));

  it('using double merge: JSON into "merged", then Extract over every key', () => {
    const got = run(
      [
        { merge: { strategy: 'JSON', conflictPolicy: 'Ignore', into: 'merged', priority: ['a'] } },
        { merge: { strategy: 'Extract', conflictPolicy: 'Ignore', priority: ['b'] } },
      ],
      { a: '{"host": "dba", "pass": "yola", "port": 123}', b: '{"host": "dbb", "pass": "yolb"}' },
    );
    assert.deepEqual(got, { host: 'dbb', pass: 'yolb', port: '123' });
  });

  it('using regexp and merge: the merge sees the rewritten keys; JSON output is not HTML-escaped', () => {
    const got = run(
      [{ regexp: { source: 'db/(.*)', target: '$1' } }, { merge: { strategy: 'JSON', conflictPolicy: 'Ignore', into: 'merged', priority: ['a'] } }],
      { 'db/a': '{"host": "dba.example.com"}', 'db/b': '{"host": "dbb.example.com", "pass": "yolo"}' },
    );
    assert.deepEqual(got, {
      a: '{"host": "dba.example.com"}',
      b: '{"host": "dbb.example.com", "pass": "yolo"}',
      merged: '{"host":"dba.example.com","pass":"yolo"}',
    });
  });

  it('a regexp after a merge renames the merged members', () => {
    const got = run([{ merge: {} }, { regexp: { source: '^', target: 'DB_' } }], { x: '{"user":"u","pass":"p"}' });
    assert.deepEqual(got, { DB_pass: 'p', DB_user: 'u' });
  });
});

describe("rewrite.merge: Go's encoding/json through map[string]any", () => {
  // Expected bytes: RewriteMerge's logic run with Go 1.26 (json.Unmarshal into map[string]any;
  // GetByteValue: strconv.FormatFloat(f, 'f', -1, 64), json.Marshal for maps and slices; JSONMarshal
  // with SetEscapeHTML(false)).
  const types =
    '{"str":"s<&>","num":123.450,"big":12345678901234567890,"tiny":1e-7,"huge":1e21,"neg0":-0,"t":true,"f":false,"nil":null,' +
    '"arr":[1,"<x>",{"b":2,"a":1}],"obj":{"z":"\\u2028","10":1,"9":2,"é":3}}';

  it('Extract: strings as they are, float64 in fixed notation, bools, null as empty, maps and slices as json.Marshal (HTML-escaped, keys sorted bytewise)', () => {
    assert.deepEqual(merge({}, { a: types }), {
      arr: '[1,"\\u003cx\\u003e",{"a":1,"b":2}]',
      big: '12345678901234567000',
      f: 'false',
      huge: '1000000000000000000000',
      neg0: '-0',
      nil: '',
      num: '123.45',
      obj: '{"10":1,"9":2,"z":"\\u2028","é":3}',
      str: 's<&>',
      t: 'true',
      tiny: '0.0000001',
    });
  });

  it('JSON: one object, keys sorted, numbers as encoding/json writes float64 (exponent from 1e21 and below 1e-6), no HTML escaping', () => {
    assert.deepEqual(merge({ strategy: 'JSON', into: 'all' }, { a: types }), {
      a: types,
      all:
        '{"arr":[1,"<x>",{"a":1,"b":2}],"big":12345678901234567000,"f":false,"huge":1e+21,"neg0":-0,"nil":null,"num":123.45,' +
        '"obj":{"10":1,"9":2,"z":"\\u2028","é":3},"str":"s<&>","t":true,"tiny":1e-7}',
    });
  });

  it('merges inputs in Go\'s bytewise key order (sort.Strings), not JavaScript\'s UTF-16 order', () => {
    // U+1F600 sorts after U+FF5A in UTF-8 bytes; in UTF-16 units its surrogate (U+D83D) sorts before.
    assert.deepEqual(merge({ conflictPolicy: 'Ignore' }, { z: '{"k":"z"}', é: '{"k":"é"}', ｚ: '{"k":"fullwidth"}', '😀': '{"k":"emoji"}' }), { k: 'emoji' });
    assert.deepEqual(merge({ conflictPolicy: 'Ignore', priority: ['B'] }, { B: '{"k":"from-B"}', a: '{"k":"from-a"}', c: '{"k":"from-c"}' }), { k: 'from-B' });
  });

  it('a priority key listed twice is merged twice: its members conflict with themselves', () => {
    assert.equal(failure({ priority: ['a', 'a'] }, { a: '{"x":"1"}' }).code, 'VaultBadValue');
    assert.deepEqual(merge({ priority: ['a', 'a'], conflictPolicy: 'Ignore' }, { a: '{"x":"1"}' }), { x: '1' });
  });

  it('null merges nothing; JSON of nothing is {}; into replaces an input of that name', () => {
    assert.deepEqual(merge({}, { a: 'null', b: '{"x":"1"}' }), { x: '1' });
    assert.deepEqual(merge({ strategy: 'JSON', into: 'm' }, { a: 'null' }), { a: 'null', m: '{}' });
    assert.deepEqual(merge({ strategy: 'JSON', into: 'a' }, { a: '{"x":"1"}', b: '{"y":"<2>"}' }), { a: '{"x":"1","y":"<2>"}', b: '{"y":"<2>"}' });
  });

  it('reads strings as Go does: lone surrogates and bytes that are not UTF-8 become U+FFFD; a duplicate member keeps its last value', () => {
    const value = new Uint8Array([...new TextEncoder().encode('{"s":"\\ud800x\\udc00","b":"'), 0xff, ...new TextEncoder().encode('","o":{"k":"\\ud83d\\ude00"}}')]);
    assert.deepEqual(merge({}, { a: value }), { b: '\uFFFD', o: '{"k":"😀"}', s: '\uFFFDx\uFFFD' });
    assert.deepEqual(merge({}, { a: '{"x":"1","x":"2"}' }), { x: '2' });
  });

  it('treats __proto__ and constructor as member names like any other (Go map keys)', () => {
    // Computed keys: a literal `__proto__:` would set the prototype instead of a key.
    assert.deepEqual(merge({}, { a: '{"__proto__":{"x":1,"__proto__":"y"},"constructor":"c"}' }), { ['__proto__']: '{"__proto__":"y","x":1}', constructor: 'c' });
    assert.deepEqual(merge({ strategy: 'JSON', into: '__proto__' }, { ['__proto__']: '{"__proto__":"z"}' }), { ['__proto__']: '{"__proto__":"z"}' });
  });

  it('reads as deep as encoding/json (10,000 levels) and no deeper', () => {
    const nest = (d: number) => '{"a":'.repeat(d) + '1' + '}'.repeat(d);
    const got = merge({}, { x: nest(10_000) });
    assert.equal(got.a, nest(9_999));
    assert.match(failure({}, { x: nest(10_001) }).message, /it is not valid JSON$/);
  });

  it("refuses values Go's Unmarshal refuses, with Go's text where it holds no content", () => {
    const reason = (v: string) => failure({}, { a: v }).message.replace(`${FIELD}: merge failed with failed to unmarshal JSON: the value of input "a": `, '');
    assert.equal(reason('canary-plain'), 'it is not valid JSON');
    assert.equal(reason('[1]'), 'it is a JSON array, not an object (json: cannot unmarshal array into Go value of type map[string]interface {})');
    assert.equal(reason('"x"'), 'it is a JSON string, not an object (json: cannot unmarshal string into Go value of type map[string]interface {})');
    assert.equal(reason('true'), 'it is a JSON bool, not an object (json: cannot unmarshal bool into Go value of type map[string]interface {})');
    assert.equal(reason('1'), 'it is a JSON number, not an object (json: cannot unmarshal number into Go value of type map[string]interface {})');
    // Go: "json: cannot unmarshal number 1e400 into Go value of type float64" (it quotes the number).
    assert.equal(reason('{"x":1e400}'), 'it holds a number out of the range of a float64 (json: cannot unmarshal number into Go value of type float64)');
    // An underflow is 0, as strconv.ParseFloat reads it.
    assert.deepEqual(merge({}, { a: '{"x":1e-400}' }), { x: '0' });
  });
});

describe('rewrite.merge in the dataFrom key pipeline (ESO ValidateKeys after RewriteMap)', () => {
  it('names a merged member that is no Secret key by its position and input, never by name', () => {
    const raw = new Map([['app-db', bytesOf('{"user":"u","canary name":"p"}')]]);
    assert.throws(
      () => dataFromEntries(raw, { rewrite: [{ merge: {} }], origin: find }),
      (e: unknown) => {
        assert.ok(e instanceof ProjectorError && e.code === 'VaultBadValue');
        assert.match(e.message, /^member #2 of the value of the key made from vault secret "app-db" \(matched by spec\.dataFrom\[0\]\.find\) gives a Secret key that .* after rewrite; the name is part of the secret value and is not shown/);
        assert.ok(!e.message.includes('canary'), e.message);
        return true;
      },
    );
  });

  it('of an extract: inputs are named by member position, the merge by its rewrite index', () => {
    const raw = new Map([['a', bytesOf('{"x":"1"}')], ['canary-member', bytesOf('not json')]]);
    const origin: DataFromOrigin = { field: 'spec.dataFrom[2]', kind: 'extract', remoteKey: 'app' };
    assert.throws(
      () => dataFromEntries(raw, { rewrite: [{ regexp: { source: 'x', target: 'y' } }, { merge: {} }], origin }),
      (e: unknown) =>
        e instanceof ProjectorError &&
        e.message === 'spec.dataFrom[2].rewrite[1].merge: merge failed with failed to unmarshal JSON: the value of member #2 of the value of remote key "app" (spec.dataFrom[2].extract): it is not valid JSON',
    );
  });

  it('drops an empty merged member name, as ValidateKeys drops empty keys', () => {
    const raw = new Map([['s', bytesOf('{"":"e","k":"v"}')]]);
    assert.deepEqual(asText(dataFromEntries(raw, { rewrite: [{ merge: {} }], origin: find })), { k: 'v' });
  });
});
