// kubeError: what the API server said, as a ProjectorError whose message names fields, never a value.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException } from '@kubernetes/client-node';
import { kubeError } from '../../../src/kube/errors.ts';

describe('kubeError', () => {
  it('a 422 naming a Secret data key keeps the field but masks the key (it may be a JSON member name from a value; issue 9)', () => {
    const body = {
      kind: 'Status',
      reason: 'Invalid',
      details: { causes: [{ field: 'data[canary-member ключ]', reason: 'FieldValueInvalid' }, { field: 'metadata.name', reason: 'FieldValueInvalid' }] },
    };
    const e = kubeError(new ApiException(422, 'Unprocessable', JSON.stringify(body), {}), 'update Secret ns/app');
    assert.equal(e.code, 'KubeInvalid');
    assert.match(e.message, /fields: data\[…\], metadata\.name$/);
    assert.ok(!e.message.includes('canary'), e.message);
  });
});
