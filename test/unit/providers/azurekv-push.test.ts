// providers/azurekv/push.ts against ESO v2.9's Azure provider (providers/v1/azure/keyvault/keyvault.go:
// PushSecret, canCreate, legacySecretUnchanged, setKeyVaultSecret) and runtime/esutils/metadata.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProjectorError } from '../../../src/core/errors.ts';
import { decideSecretWrite, parsePushMetadata } from '../../../src/providers/azurekv/push.ts';

const META = { apiVersion: 'kubernetes.external-secrets.io/v1alpha1', kind: 'PushSecretMetadata' };
const ours = { 'managed-by': 'external-secrets' };
const code = (c: string, re?: RegExp) => (e: unknown) => e instanceof ProjectorError && e.code === c && (!re || re.test(e.message));

describe('azurekv PushSecret rules', () => {
  it('parses ESO PushSecretMetadata: tags, contentType, RFC 3339 expiry; refuses what ESO refuses', () => {
    assert.deepEqual(parsePushMetadata(undefined, 'spec.data[0]'), {});
    assert.deepEqual(parsePushMetadata({ ...META, spec: { tags: { team: 'a' }, contentType: 'text/plain', expirationDate: '2030-12-31T20:00:00Z' } }, 'spec.data[0]'), {
      tags: { team: 'a' }, contentType: 'text/plain', expiresOn: new Date('2030-12-31T20:00:00Z'),
    });
    assert.throws(() => parsePushMetadata({ ...META, spec: { tags: { 'managed-by': 'me' } } }, 'spec.data[0]'), code('InvalidSpec', /Cannot specify a 'managed-by' tag/));
    assert.throws(() => parsePushMetadata({ ...META, kind: 'Other' }, 'spec.data[0]'), code('InvalidSpec', /unexpected kind/));
    assert.throws(() => parsePushMetadata({ ...META, apiVersion: 'v1' }, 'spec.data[0]'), code('InvalidSpec', /unexpected apiVersion/));
    assert.throws(() => parsePushMetadata({ ...META, spec: { expires: 'x' } }, 'spec.data[0]'), code('InvalidSpec', /unknown field "expires"/));
    assert.throws(() => parsePushMetadata({ ...META, spec: { expirationDate: '2030-12-31' } }, 'spec.data[0]'), code('InvalidSpec', /RFC3339/));
    // The SDK truncates exp to 32 bits (@azure/keyvault-secrets 4.12 secretAttributesSerializer).
    assert.throws(() => parsePushMetadata({ ...META, spec: { expirationDate: '2099-01-01T00:00:00Z' } }, 'spec.data[0]'), code('InvalidSpec', /2038/));
  });

  it('creates with the managed-by tag, refuses a secret without it, leaves an unchanged one', () => {
    const w = decideSecretWrite('s', undefined, 'v', { tags: { team: 'a' } });
    assert.deepEqual(w, { action: 'create', value: 'v', tags: { 'managed-by': 'external-secrets', team: 'a' }, contentType: undefined, expiresOn: undefined });
    assert.throws(() => decideSecretWrite('s', { value: 'v', tags: { owner: 'x' }, contentType: undefined, expiresOn: undefined }, 'v', {}), code('TargetOwnedElsewhere', /^secret s not managed by external-secrets/));
    assert.throws(() => decideSecretWrite('s', { value: 'v', tags: undefined, contentType: undefined, expiresOn: undefined }, 'v', {}), code('TargetOwnedElsewhere'));
    const live = { value: 'v', tags: ours, contentType: 'text/plain', expiresOn: undefined };
    // legacySecretUnchanged: no requested content type means "don't care"; tags are not compared.
    assert.deepEqual(decideSecretWrite('s', live, 'v', { tags: { new: 'tag' } }), { action: 'unchanged' });
    assert.equal(decideSecretWrite('s', live, 'v', { contentType: 'application/json' }).action, 'update');
    assert.equal(decideSecretWrite('s', live, 'v', { expiresOn: new Date('2030-01-01T00:00:00Z') }).action, 'update');
    const changed = decideSecretWrite('s', live, 'v2', {});
    assert.equal(changed.action, 'update');
    assert.equal(changed.action === 'update' && changed.contentType, 'text/plain', 'the existing content type is kept');
  });
});
