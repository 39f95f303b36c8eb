import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  extractProperty, formatRfc3339, marshalGoStringMap, metadataOf, secretMapFromJson, selectMetadata, tagsAsSecretMap,
} from '../../../../src/providers/azurekv/secret-value.ts';
import { ProjectorError } from '../../../../src/core/errors.ts';

const CANARY = 'canary-sv-7f3a';

function isBadValueNaming(...words: string[]) {
  return (e: unknown) => e instanceof ProjectorError && e.code === 'VaultBadValue' && words.every((w) => e.message.includes(w)) && !e.message.includes(CANARY);
}

describe('extractProperty', () => {
  const value = JSON.stringify({ password: CANARY, db: { host: 'h', port: 5432 }, 'a.b': 'literal-dot' });

  it('returns the whole value without a property', () => {
    assert.equal(extractProperty(value, undefined, 's'), value);
    assert.equal(extractProperty(value, '', 's'), value);
  });

  it('follows a dotted path into the JSON value', () => {
    assert.equal(extractProperty(value, 'password', 's'), CANARY);
    assert.equal(extractProperty(value, 'db.port', 's'), '5432');
    assert.equal(extractProperty(value, 'db', 's'), '{"host":"h","port":5432}');
  });

  it('falls back to the whole property as one key when the path misses', () => {
    assert.equal(extractProperty(value, 'a.b', 's'), 'literal-dot');
  });

  // gjson.Get does not validate (keyvault.go getProperty): a PEM pasted with raw newlines still reads.
  it('reads JSON that gjson reads though it is not strict, and formats numbers as gjson String() does', () => {
    assert.equal(extractProperty(`{"user":"admin","key":"-----BEGIN KEY-----\n${CANARY}\n-----END KEY-----"}`, 'user', 's'), 'admin');
    assert.equal(extractProperty('{"ratio":1.50,"n":1e3}', 'ratio', 's'), '1.5');
    assert.equal(extractProperty('{"ratio":1.50,"n":1e3}', 'n', 's'), '1000');
  });

  it('refuses gjson syntax it does not evaluate with NotSupported naming the feature', () => {
    assert.throws(() => extractProperty(value, 'db|@keys', 's'), (e: unknown) => e instanceof ProjectorError && e.code === 'NotSupported' && /modifier @keys/.test(e.message) && !e.message.includes(CANARY));
  });

  // docs/limits.md: gjson descends one level per component; core/gjson.ts recurses, Go's stack grows.
  it('reads a path of 1,000 components into a value nested as deep, and refuses a longer path with NotSupported', () => {
    const nested = (d: number) => '['.repeat(d) + '"deep"' + ']'.repeat(d);
    const path = (d: number) => Array(d).fill('0').join('.');
    for (let run = 0; run < 3; run++) assert.equal(extractProperty(nested(1_000), path(1_000), 's'), 'deep');
    const objects = '{"a":'.repeat(1_000) + '"deep"' + '}'.repeat(1_000);
    assert.equal(extractProperty(objects, Array(1_000).fill('a').join('.'), 's'), 'deep');
    assert.throws(() => extractProperty(nested(1_001), path(1_001), 's'), (e: unknown) => e instanceof ProjectorError && e.code === 'NotSupported' && /1001 path components; Projector reads at most 1,000/.test(e.message));
    assert.throws(() => extractProperty('{}', `${path(500)}|${path(501)}`, 's'), (e: unknown) => e instanceof ProjectorError && e.code === 'NotSupported');
  });

  it('reports a missing property as VaultBadValue naming property and secret, never the value', () => {
    assert.throws(() => extractProperty(value, 'username', 'netbox-db'), isBadValueNaming('"username"', '"netbox-db"'));
    assert.throws(() => extractProperty(CANARY, 'x', 'plain'), isBadValueNaming('"x"', '"plain"'));
  });
});

describe('metadata (metadataPolicy Fetch)', () => {
  const times = { createdOn: new Date('2024-01-02T03:04:05.678Z'), expiresOn: new Date('2030-01-01T00:00:00Z') };

  it('formats timestamps as Go RFC 3339 in UTC without fractions', () => {
    assert.equal(formatRfc3339(new Date('2024-01-02T03:04:05.678Z')), '2024-01-02T03:04:05Z');
    // Go's time.Format: at least four year digits, no '+' past 9999 (checked with Go 1.26).
    assert.equal(formatRfc3339(new Date('0099-12-31T23:59:59Z')), '0099-12-31T23:59:59Z');
    assert.equal(formatRfc3339(new Date(Date.UTC(10000, 0, 1))), '10000-01-01T00:00:00Z');
    assert.throws(() => formatRfc3339(new Date(1e16)), (e: unknown) => e instanceof ProjectorError && e.code === 'VaultBadValue');
  });

  it('marshals all metadata as sorted, HTML-escaped JSON without a property', () => {
    const m = metadataOf({ owner: 'team<a&b>', app: 'netbox' }, times);
    assert.equal(selectMetadata(m, undefined, 's'),
      '{"app":"netbox","attribute.created":"2024-01-02T03:04:05Z","attribute.expires":"2030-01-01T00:00:00Z","owner":"team\\u003ca\\u0026b\\u003e"}');
  });

  it('selects one tag or attribute by name', () => {
    const m = metadataOf({ app: 'netbox' }, times);
    assert.equal(selectMetadata(m, 'app', 's'), 'netbox');
    assert.equal(selectMetadata(m, 'attribute.expires', 's'), '2030-01-01T00:00:00Z');
  });

  it('follows tag.path into a JSON tag value', () => {
    const m = metadataOf({ conf: '{"env":"prod"}' }, {});
    assert.equal(selectMetadata(m, 'conf.env', 's'), 'prod');
  });

  it('reports a missing tag as VaultBadValue naming the tag', () => {
    assert.throws(() => selectMetadata(metadataOf({}, {}), 'owner', 's'), isBadValueNaming('"owner"'));
  });

  it('marshals an empty map as {}', () => {
    assert.equal(marshalGoStringMap(new Map()), '{}');
  });
});

describe('secretMapFromJson (dataFrom.extract)', () => {
  it('maps a null member to an empty string and a null document to no keys, as encoding/json does', () => {
    assert.deepEqual(Object.fromEntries(secretMapFromJson('{"a":null,"b":"x"}', 's')), { a: '', b: 'x' });
    assert.deepEqual(Object.fromEntries(secretMapFromJson('null', 's')), {});
  });

  it('maps each member; strings unescaped, others raw', () => {
    const m = secretMapFromJson(`{"user":"admin","pass":"${CANARY}","port":5432,"opts":{"ssl": true}}`, 's');
    assert.deepEqual(Object.fromEntries(m), { user: 'admin', pass: CANARY, port: '5432', opts: '{"ssl": true}' });
  });

  it('reports a value that is not a JSON object without quoting it', () => {
    assert.throws(() => secretMapFromJson(CANARY, 'plain'), isBadValueNaming('"plain"'));
    assert.throws(() => secretMapFromJson('["a"]', 'arr'), isBadValueNaming('"arr"'));
  });
});

describe('tagsAsSecretMap (dataFrom.extract with metadataPolicy Fetch)', () => {
  const times = { updatedOn: new Date('2024-05-06T07:08:09Z') };

  it('prefixes tags with the secret name and expands JSON string maps', () => {
    const m = tagsAsSecretMap('db', { app: 'netbox', conf: '{"a":"1","b":"2"}' }, times, undefined);
    assert.deepEqual(Object.fromEntries(m), {
      db_app: 'netbox', db_conf_a: '1', db_conf_b: '2', 'db_attribute.updated': '2024-05-06T07:08:09Z',
    });
  });

  it('returns only <name>_<property> when a property is given', () => {
    assert.deepEqual(Object.fromEntries(tagsAsSecretMap('db', { app: 'netbox', x: 'y' }, {}, 'app')), { db_app: 'netbox' });
  });

  // ESO's GetSecretMap reads the value as GetSecret does first: the tag as it is must exist.
  it('fails when the selected tag does not exist', () => {
    assert.throws(() => tagsAsSecretMap('db', {}, {}, 'app'), isBadValueNaming('"app"', '"db"'));
  });

  // ESO's getSecretMapProperties then looks `db_conf` up among the expanded keys and drops the
  // error (keyvault.go: `singleTag, _ := getSecretTag(...)`): the key with an empty value.
  it('gives an empty value for a property naming a tag that was expanded into members', () => {
    assert.deepEqual(Object.fromEntries(tagsAsSecretMap('db', { conf: '{"a":"1"}' }, {}, 'conf')), { db_conf: '' });
    assert.deepEqual(Object.fromEntries(tagsAsSecretMap('db', { conf: '{"a":"1"}' }, {}, 'conf.a')), { 'db_conf.a': '' });
  });

  // json.Unmarshal into map[string]string: a null member is "", a null tag value has no members.
  it('expands null members as empty strings and a null tag value into no key', () => {
    assert.deepEqual(Object.fromEntries(tagsAsSecretMap('db', { conf: '{"a":"x","b":null}', gone: 'null' }, {}, undefined)), { db_conf_a: 'x', db_conf_b: '' });
  });
});
