import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileFind, parseObjectRef } from '../../../../src/providers/azurekv/object-ref.ts';
import { ProjectorError } from '../../../../src/core/errors.ts';

describe('parseObjectRef', () => {
  it('reads a bare name as a secret', () => {
    assert.deepEqual(parseObjectRef('netbox-db-password'), { objectType: 'secret', name: 'netbox-db-password' });
  });

  it('reads secret/, cert/ and key/ prefixes', () => {
    assert.deepEqual(parseObjectRef('secret/a'), { objectType: 'secret', name: 'a' });
    assert.deepEqual(parseObjectRef('cert/b'), { objectType: 'cert', name: 'b' });
    assert.deepEqual(parseObjectRef('key/c'), { objectType: 'key', name: 'c' });
  });

  it('ignores parts after the second slash, as ESO does', () => {
    assert.deepEqual(parseObjectRef('secret/a/extra'), { objectType: 'secret', name: 'a' });
  });

  it('rejects an unknown object type with InvalidSpec naming the field', () => {
    assert.throws(() => parseObjectRef('blob/a', 'spec.data[0].remoteRef.key'), (e: unknown) =>
      e instanceof ProjectorError && e.code === 'InvalidSpec' && e.details.field === 'spec.data[0].remoteRef.key' && e.message.includes('"blob"'));
  });

  it('rejects an empty name', () => {
    assert.throws(() => parseObjectRef('secret/'), (e: unknown) => e instanceof ProjectorError && e.code === 'InvalidSpec');
    assert.throws(() => parseObjectRef(''), (e: unknown) => e instanceof ProjectorError && e.code === 'InvalidSpec');
  });
});

describe('compileFind', () => {
  const secret = (name: string, tags: Record<string, string> = {}, enabled = true) => ({ name, tags, enabled });

  it('matches names by unanchored regular expression', () => {
    const m = compileFind({ name: { regexp: 'db-' } });
    assert.equal(m.matches(secret('netbox-db-password')), true);
    assert.equal(m.matches(secret('netbox-api-token')), false);
  });

  it('matches names with Go\'s regexp syntax, as ESO\'s regexp.MatchString', () => {
    // JavaScript's RegExp refuses \\z, [[:digit:]] and (?P<n>...); Go accepts them.
    const m = compileFind({ name: { regexp: '^(?P<app>netbox)-db-[[:digit:]]+\\z' } });
    assert.equal(m.matches(secret('netbox-db-42')), true);
    assert.equal(m.matches(secret('netbox-db-42x')), false);
  });

  it('refuses lookahead, which Go refuses, with Go\'s reason', () => {
    assert.throws(() => compileFind({ name: { regexp: '^(?!tmp-)' } }), (e: unknown) =>
      e instanceof ProjectorError && e.code === 'InvalidSpec' && e.message.endsWith(': invalid or unsupported Perl syntax'));
  });

  it('requires every wanted tag with the exact value', () => {
    const m = compileFind({ tags: { app: 'netbox', env: 'prod' } });
    assert.equal(m.matches(secret('a', { app: 'netbox', env: 'prod', extra: 'x' })), true);
    assert.equal(m.matches(secret('a', { app: 'netbox', env: 'dev' })), false);
    assert.equal(m.matches(secret('a', { app: 'netbox' })), false);
  });

  it('skips disabled secrets even when they match', () => {
    assert.equal(compileFind({ name: { regexp: '.*' } }).matches(secret('a', {}, false)), false);
  });

  it('combines name and tags', () => {
    const m = compileFind({ name: { regexp: '^netbox-' }, tags: { app: 'netbox' } });
    assert.equal(m.matches(secret('netbox-x', { app: 'netbox' })), true);
    assert.equal(m.matches(secret('other-x', { app: 'netbox' })), false);
  });

  it('reports a regexp that does not compile as InvalidSpec instead of matching nothing', () => {
    assert.throws(() => compileFind({ name: { regexp: '(' } }), (e: unknown) =>
      e instanceof ProjectorError && e.code === 'InvalidSpec' && e.details.field === 'dataFrom.find.name.regexp');
  });
});
