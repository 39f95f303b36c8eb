import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { VaultState, isDisabled, isOutsideValidity, MAX_VALUE_BYTES, RECOVERABLE_DAYS } from '../../../src/vault/state.ts';
import { VaultApiError } from '../../../src/vault/api-error.ts';

const T0 = 1_700_000_000;
let counter = 0;
const at = (now = T0) => ({ now, version: (counter++).toString(16).padStart(32, '0') });

function rejects(fn: () => unknown, status: number, code: string, innerCode?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof VaultApiError);
    assert.equal(e.status, status);
    assert.equal(e.code, code);
    if (innerCode) assert.equal(e.innerCode, innerCode);
    return true;
  });
}

describe('VaultState', () => {
  it('adds a new version on every set and serves the latest by default', () => {
    const s = new VaultState();
    const v1 = s.setSecret('db-password', { value: 'one' }, at());
    const v2 = s.setSecret('db-password', { value: 'two' }, at(T0 + 5));
    assert.notEqual(v1.version.version, v2.version.version);
    assert.equal(s.getSecret('db-password').version.value, 'two');
    assert.equal(s.getSecret('db-password', v1.version.version).version.value, 'one');
    assert.deepEqual(s.listVersions('db-password').map((v) => v.value), ['one', 'two']);
  });

  it('treats names case-insensitively and keeps the first spelling', () => {
    const s = new VaultState();
    s.setSecret('Db-Password', { value: 'one' }, at());
    s.setSecret('db-password', { value: 'two' }, at());
    assert.equal(s.getSecret('DB-PASSWORD').secret.name, 'Db-Password');
    assert.equal(s.listSecrets().length, 1);
  });

  it('refuses invalid names and values over 25 KB', () => {
    const s = new VaultState();
    rejects(() => s.setSecret('bad_name', { value: 'x' }, at()), 400, 'BadParameter');
    rejects(() => s.setSecret('a'.repeat(128), { value: 'x' }, at()), 400, 'BadParameter');
    rejects(() => s.setSecret('big', { value: 'x'.repeat(MAX_VALUE_BYTES + 1) }, at()), 400, 'BadParameter');
    assert.doesNotThrow(() => s.setSecret('big', { value: 'x'.repeat(MAX_VALUE_BYTES) }, at()));
  });

  it('answers 404 SecretNotFound for unknown names and versions', () => {
    const s = new VaultState();
    rejects(() => s.getSecret('nope'), 404, 'SecretNotFound');
    s.setSecret('yes', { value: 'v' }, at());
    rejects(() => s.getSecret('yes', 'f'.repeat(32)), 404, 'SecretNotFound');
  });

  it('updates attributes, tags and content type of one version without touching the value', () => {
    const s = new VaultState();
    const { version } = s.setSecret('k', { value: 'v', nbf: T0, exp: T0 + 100 }, at());
    s.updateSecret('k', version.version, { enabled: false, tags: { team: 'a' }, contentType: 'text/plain', exp: null }, T0 + 10);
    const got = s.getSecret('k').version;
    assert.equal(got.value, 'v');
    assert.equal(got.attributes.enabled, false);
    assert.equal(got.attributes.exp, undefined);
    assert.equal(got.attributes.nbf, T0);
    assert.equal(got.attributes.updated, T0 + 10);
    assert.equal(got.attributes.created, T0);
    assert.deepEqual(got.tags, { team: 'a' });
    assert.equal(got.contentType, 'text/plain');
  });

  it('soft-deletes, blocks reuse of the name with 409, then recovers every version', () => {
    const s = new VaultState();
    s.setSecret('k', { value: 'a' }, at());
    s.setSecret('k', { value: 'b' }, at());
    const deleted = s.deleteSecret('k', T0 + 1);
    assert.equal(deleted.scheduledPurgeDate, T0 + 1 + RECOVERABLE_DAYS * 86_400);
    rejects(() => s.getSecret('k'), 404, 'SecretNotFound');
    rejects(() => s.setSecret('k', { value: 'c' }, at()), 409, 'Conflict', 'ObjectIsDeletedButRecoverable');
    rejects(() => s.deleteSecret('k', T0), 404, 'SecretNotFound');
    s.recoverDeleted('k');
    assert.equal(s.getSecret('k').version.value, 'b');
    assert.equal(s.listVersions('k').length, 2);
    rejects(() => s.getDeleted('k'), 404, 'SecretNotFound');
  });

  it('purges a soft-deleted secret so its name can be reused from scratch', () => {
    const s = new VaultState();
    s.setSecret('k', { value: 'a' }, at());
    s.deleteSecret('k', T0);
    s.purgeDeleted('k');
    rejects(() => s.purgeDeleted('k'), 404, 'SecretNotFound');
    s.setSecret('k', { value: 'fresh' }, at());
    assert.equal(s.listVersions('k').length, 1);
  });

  it('purges deleted secrets once their scheduled purge date has passed', () => {
    const s = new VaultState();
    s.setSecret('old', { value: 'a' }, at());
    s.setSecret('new', { value: 'b' }, at());
    s.deleteSecret('old', T0);
    s.deleteSecret('new', T0 + 1000);
    assert.deepEqual(s.purgeDue(T0 + RECOVERABLE_DAYS * 86_400), ['old']);
    assert.deepEqual(s.listDeleted().map((d) => d.secret.name), ['new']);
  });

  it('survives a snapshot round trip through JSON', () => {
    const s = new VaultState();
    s.setSecret('a', { value: 'x', tags: { t: '1' }, contentType: 'c', enabled: false, nbf: 1, exp: 2 }, at());
    s.setSecret('b', { value: 'y' }, at());
    s.deleteSecret('b', T0);
    const restored = VaultState.fromSnapshot(JSON.parse(JSON.stringify(s.toSnapshot())));
    assert.deepEqual(restored.toSnapshot(), s.toSnapshot());
    assert.equal(restored.getDeleted('b').secret.versions[0]?.value, 'y');
  });

  it('judges disabled and validity windows per version', () => {
    const s = new VaultState();
    const { version } = s.setSecret('k', { value: 'v', enabled: false, nbf: T0 + 10, exp: T0 + 20 }, at());
    assert.equal(isDisabled(version), true);
    assert.equal(isOutsideValidity(version, T0), 'notYetValid');
    assert.equal(isOutsideValidity(version, T0 + 15), undefined);
    assert.equal(isOutsideValidity(version, T0 + 20), 'expired');
  });
});
