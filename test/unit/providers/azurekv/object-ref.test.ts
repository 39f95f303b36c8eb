import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileFind, isValidObjectName, objectNameProblem, parseObjectRef, remoteKeyIssues } from '../../../../src/providers/azurekv/object-ref.ts';
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

describe('the Key Vault object name rule', () => {
  it('accepts 1-127 characters of 0-9, a-z, A-Z and "-" and nothing else', () => {
    for (const ok of ['a', 'DB-PASSWORD', '0', '-', 'x'.repeat(127)]) assert.equal(isValidObjectName(ok), true, ok);
    for (const bad of ['', 'DB_PASSWORD', 'db.password', 'a b', 'é', 'x'.repeat(128), 'a/b']) assert.equal(isValidObjectName(bad), false, bad);
  });

  it('names the rule and suggests the spelling Key Vault accepts', () => {
    assert.equal(objectNameProblem('netbox-db'), undefined);
    const problem = objectNameProblem('DB_PASSWORD')!;
    assert.match(problem, /^"DB_PASSWORD" cannot be a Key Vault secret name: Key Vault names are 1-127 characters of 0-9, a-z, A-Z and "-"; did you mean "DB-PASSWORD"\?$/);
    assert.match(objectNameProblem('tls.crt', 'cert')!, /certificate name/);
    assert.doesNotMatch(objectNameProblem('x'.repeat(200))!, /x{40}/, 'a long name is shortened');
  });

  it('reports every form of remote key: name, secret/, cert/, key/, and for extract secrets only', () => {
    const codes = (key: string, use: 'data' | 'extract' = 'data') => remoteKeyIssues(key, 'spec.data[0].remoteRef.key', use).map((i) => `${i.path} ${i.code}`);
    assert.deepEqual(codes('DB_PASSWORD'), ['spec.data[0].remoteRef.key InvalidRemoteKey']);
    assert.deepEqual(codes('secret/DB_PASSWORD'), ['spec.data[0].remoteRef.key InvalidRemoteKey']);
    assert.deepEqual(codes('cert/my_cert'), ['spec.data[0].remoteRef.key InvalidRemoteKey']);
    assert.deepEqual(codes('key/my_key'), ['spec.data[0].remoteRef.key InvalidRemoteKey']);
    assert.deepEqual(codes('secret/ok-name/extra_part'), [], 'parts after the second slash are ignored, as ESO does');
    assert.deepEqual(codes('ok-name'), []);
    assert.deepEqual(codes('cert/ok-name', 'extract').length, 1);
    assert.deepEqual(codes('ok-name', 'extract'), []);
  });

  it('makes parseObjectRef refuse an impossible name before any vault call, naming the field and the rule', () => {
    assert.throws(() => parseObjectRef('DB_PASSWORD', 'spec.data[0].remoteRef.key'), (e: unknown) =>
      e instanceof ProjectorError && e.code === 'InvalidSpec' && e.details.field === 'spec.data[0].remoteRef.key' && /"DB_PASSWORD" cannot be a Key Vault secret name/.test(e.message));
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
