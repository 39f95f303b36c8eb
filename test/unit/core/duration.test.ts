import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, formatDuration } from '../../../src/core/duration.ts';

describe('parseDuration', () => {
  it('reads Go durations the way time.ParseDuration does', () => {
    assert.equal(parseDuration('1h'), 3_600_000);
    assert.equal(parseDuration('2h45m'), 9_900_000);
    assert.equal(parseDuration('1.5h'), 5_400_000);
    assert.equal(parseDuration('300ms'), 300);
    assert.equal(parseDuration('0'), 0);
    assert.equal(parseDuration('0s'), 0);
    assert.equal(parseDuration('10s'), 10_000);
  });
  it('rejects what Go rejects', () => {
    for (const bad of ['', '1', 'h', '1x', '-1h', '1h 2m', '1d', 'abc']) assert.equal(parseDuration(bad), undefined, bad);
  });
  it('formats like Go', () => {
    assert.equal(formatDuration(3_600_000), '1h0m0s');
    assert.equal(formatDuration(90_000), '1m30s');
    assert.equal(formatDuration(0), '0s');
  });
});
