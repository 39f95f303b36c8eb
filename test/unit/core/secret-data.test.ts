import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { decodeSecretData, encodeSecretData, hashSecretData, liveTargetMetaOf } from '../../../src/core/secret-data.ts';

describe('secret data', () => {
  const api = { A: Buffer.from('canary-a').toString('base64'), B: Buffer.from([0, 255]).toString('base64') };

  it('round-trips the API form through opaque bytes that print as [REDACTED]', () => {
    const data = decodeSecretData(api);
    assert.ok(!inspect(data).includes('canary-a'));
    assert.deepEqual(encodeSecretData(data), api);
  });

  it('keeps metadata and the data hash of a watched Secret, never its values or managedFields', () => {
    const meta = liveTargetMetaOf({ metadata: { name: 's', managedFields: [{ manager: 'x' }] } as never, data: api });
    assert.equal(meta.observedDataHash, hashSecretData(decodeSecretData(api)));
    assert.deepEqual(meta.metadata, { name: 's' });
    assert.ok(!JSON.stringify(meta).includes(api.A));
  });
});
