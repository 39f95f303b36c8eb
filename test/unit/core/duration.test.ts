import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, formatDuration, parseExternalSecretRefreshInterval, parseSignedDuration } from '../../../src/core/duration.ts';

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
  it('parseSignedDuration takes Go\'s sign (time.ParseDuration: a leading + or -)', () => {
    assert.equal(parseSignedDuration('-1h'), -3_600_000);
    assert.equal(parseSignedDuration('+1h'), 3_600_000);
    assert.ok(Object.is(parseSignedDuration('-0s'), 0));
    for (const bad of ['--1h', '-', '-1', '+-1h']) assert.equal(parseSignedDuration(bad), undefined, bad);
  });
  it('an ExternalSecret refreshInterval <= 0 is 0, as ESO treats it (externalsecret_controller.go shouldRefreshPeriodic)', () => {
    assert.equal(parseExternalSecretRefreshInterval('-1h'), 0);
    assert.equal(parseExternalSecretRefreshInterval('-1ms'), 0);
    assert.equal(parseExternalSecretRefreshInterval('90s'), 90_000);
    assert.equal(parseExternalSecretRefreshInterval(' -1h'), undefined, 'no blanks in a spec field');
  });
  it('formats like Go', () => {
    assert.equal(formatDuration(3_600_000), '1h0m0s');
    assert.equal(formatDuration(90_000), '1m30s');
    assert.equal(formatDuration(0), '0s');
  });
});
