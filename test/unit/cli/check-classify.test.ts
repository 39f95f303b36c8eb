import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { classifyDescription, classifyError, classifyFind, exitCodeFor } from '../../../src/cli/check/classify.ts';
import { ProjectorError } from '../../../src/core/errors.ts';

describe('check: result classification', () => {
  it('reads a description: missing, disabled, expired, no-such-property, ok (in that order of precedence)', () => {
    assert.equal(classifyDescription({ exists: false, enabled: false, expired: false }, undefined).outcome, 'missing');
    assert.equal(classifyDescription({ exists: true, enabled: false, expired: true }, undefined).outcome, 'disabled');
    assert.equal(classifyDescription({ exists: true, enabled: true, expired: true }, 'p').outcome, 'expired');
    assert.equal(classifyDescription({ exists: true, enabled: true, expired: false, hasProperty: false }, 'password').outcome, 'no-such-property');
    assert.deepEqual(classifyDescription({ exists: true, enabled: true, expired: false, version: 'abc', hasProperty: true }, 'password'), { outcome: 'ok', version: 'abc' });
  });

  it('ignores hasProperty when the reference names no property', () => {
    assert.equal(classifyDescription({ exists: true, enabled: true, expired: false, hasProperty: false }, undefined).outcome, 'ok');
  });

  it('maps provider errors to outcomes, using the AKV inner code to tell disabled and expired from forbidden', () => {
    const err = (code: ConstructorParameters<typeof ProjectorError>[0], remoteCode?: string) =>
      classifyError(new ProjectorError(code, 'vault answered', remoteCode ? { remoteCode } : {})).outcome;
    assert.equal(err('VaultNotFound'), 'missing');
    assert.equal(err('VaultForbidden', 'Forbidden'), 'forbidden');
    assert.equal(err('VaultForbidden', 'SecretDisabled'), 'disabled');
    assert.equal(err('VaultForbidden', 'SecretExpired'), 'expired');
    assert.equal(err('StoreAuthFailed'), 'forbidden');
    assert.equal(err('VaultBadValue'), 'no-such-property');
    assert.equal(err('VaultUnavailable'), 'unreachable');
    assert.equal(err('VaultThrottled'), 'unreachable');
    assert.equal(err('InvalidSpec'), 'error');
  });

  it('keeps the error code and message as the detail', () => {
    assert.equal(classifyError(new ProjectorError('VaultNotFound', 'vault answered 404 SecretNotFound')).detail, 'VaultNotFound: vault answered 404 SecretNotFound');
  });

  it('reports a find with no match as missing and otherwise the count', () => {
    assert.deepEqual(classifyFind(0), { outcome: 'missing', detail: 'no secret matches', matched: 0 });
    assert.deepEqual(classifyFind(3), { outcome: 'ok', detail: '3 secrets match', matched: 3 });
  });

  it('exits 1 on any finding, 2 when only a vault was unreachable, 0 when all are ok', () => {
    assert.equal(exitCodeFor([{ outcome: 'ok' }]), 0);
    assert.equal(exitCodeFor([]), 0);
    assert.equal(exitCodeFor([{ outcome: 'ok' }, { outcome: 'unreachable' }]), 2);
    assert.equal(exitCodeFor([{ outcome: 'missing' }, { outcome: 'unreachable' }]), 1);
    assert.equal(exitCodeFor([{ outcome: 'forbidden' }]), 1);
    assert.equal(exitCodeFor([{ outcome: 'error' }]), 1);
  });
});
