import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { Sensitive } from '../../../src/core/sensitive.ts';

describe('Sensitive', () => {
  it('prints [REDACTED] through every formatting path and reveals only on request', () => {
    const s = new Sensitive('canary-sensitive-1');
    assert.equal(String(s), '[REDACTED]');
    assert.equal(`${s}`, '[REDACTED]');
    assert.equal(JSON.stringify({ s }), '{"s":"[REDACTED]"}');
    assert.equal(inspect({ s }), '{ s: [REDACTED] }');
    assert.equal(s.reveal(), 'canary-sensitive-1');
  });
});
