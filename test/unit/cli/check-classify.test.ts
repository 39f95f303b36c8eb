import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { classifyDescription, classifyError, classifyFind, exitCodeFor } from '../../../src/cli/check/classify.ts';
import { ProjectorError } from '../../../src/core/errors.ts';
import { toProjectorError } from '../../../src/providers/azurekv/errors.ts';

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

  it('maps Key Vault answers to outcomes through the provider\'s one mapping of vault codes', () => {
    // The check reads the cause the azurekv mapping sets; it never re-reads AKV codes itself.
    const answer = (status: number, code: string, inner?: string, version?: string) => {
      const e = Object.assign(new Error('body'), { name: 'RestError', statusCode: status, code, details: { error: { code, ...(inner && { innerError: { code: inner } }) } } });
      return classifyError(toProjectorError(e, { vaultUrl: 'https://v.example/', secretName: 's', version })).outcome;
    };
    assert.equal(answer(404, 'SecretNotFound'), 'missing');
    assert.equal(answer(404, 'SecretNotFound', undefined, 'v1'), 'missing');
    assert.equal(answer(403, 'Forbidden', 'ForbiddenByPolicy'), 'forbidden');
    assert.equal(answer(403, 'Forbidden', 'SecretDisabled'), 'disabled');
    assert.equal(answer(403, 'Forbidden', 'SecretExpired'), 'expired');
    assert.equal(answer(403, 'Forbidden', 'SecretNotYetValid'), 'expired');
    assert.equal(answer(409, 'Conflict', 'ObjectIsDeletedButRecoverable'), 'missing');
    assert.equal(answer(401, 'Unauthorized'), 'forbidden');
    assert.equal(answer(400, 'BadParameter'), 'error');
    assert.equal(answer(429, 'Throttled'), 'unreachable');
    assert.equal(answer(503, 'ServiceUnavailable'), 'unreachable');
  });

  it('falls back on the error code for providers that set no cause', () => {
    const err = (code: ConstructorParameters<typeof ProjectorError>[0]) => classifyError(new ProjectorError(code, 'vault answered')).outcome;
    assert.equal(err('VaultNotFound'), 'missing');
    assert.equal(err('VaultForbidden'), 'forbidden');
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

describe('check: PushSecret destinations (the operator\'s ownership rule, providers/azurekv/push.ts)', () => {
  it('absent → created; ours → replaced; someone else\'s → refused under Replace, left under IfNotExists', async () => {
    const { classifyPushDestination } = await import('../../../src/cli/check/classify.ts');
    assert.equal(classifyPushDestination({ exists: false, managed: false }, 'Replace', 'k').outcome, 'ok');
    assert.match(classifyPushDestination({ exists: true, managed: true }, 'Replace', 'k').detail!, /managed by external-secrets: a push replaces it/);
    const refused = classifyPushDestination({ exists: true, managed: false }, 'Replace', 'key/k');
    assert.deepEqual([refused.outcome, refused.detail], ['error', 'TargetOwnedElsewhere: key/k exists without the tag managed-by=external-secrets; updatePolicy Replace would be refused']);
    assert.deepEqual(classifyPushDestination({ exists: true, managed: false }, 'IfNotExists', 'k'), { outcome: 'ok', detail: 'exists: left unchanged (updatePolicy IfNotExists)' });
    assert.equal(exitCodeFor([refused]), 1);
  });
});
