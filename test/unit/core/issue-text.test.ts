// issueText: an issue as one line, naming its field once.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { issue, issueText } from '../../../src/core/issues.ts';
import { validateExternalSecret } from '../../../src/core/validate.ts';
import { externalSecret } from '../../support/builders.ts';

describe('issueText', () => {
  it('puts the path in front of a message that does not name it, and not before one that does', () => {
    assert.equal(issueText(issue('spec.length', 'InvalidValue', 'must be at least 1')), 'spec.length: must be at least 1');
    assert.equal(issueText(issue('metadata.name', 'InvalidName', 'metadata.name must be a DNS subdomain')), 'metadata.name must be a DNS subdomain');
    assert.equal(issueText(issue('', 'X', 'no path')), 'no path');
  });

  it('names an invalid ExternalSecret name once, as dev and the operator print it', () => {
    const found = validateExternalSecret(externalSecret({}, { name: 'Netbox_DB' })).find((i) => i.code === 'InvalidName');
    assert.ok(found);
    assert.match(issueText(found), /^metadata\.name must be a DNS subdomain/);
  });
});
