// Every bound of core/limits.ts at and just beyond it, through the functions validate, dev, check and
// the operator call (validateExternalSecret, fetchProviderData, refreshIntervalMsOf, parseDuration).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_REMOTE_KEY_CHARS, MAX_REMOTE_PROPERTY_CHARS, MAX_REMOTE_VERSION_CHARS, MAX_RETRY_AFTER_MS, MIN_REFRESH_INTERVAL_MS,
  abbreviate, assertRemoteRefBounds, clampRetryAfterMs, remoteRefBoundIssues,
} from '../../../src/core/limits.ts';
import { parseDuration } from '../../../src/core/duration.ts';
import { refreshIntervalMsOf } from '../../../src/core/external-secret.ts';
import { nextRefreshAt } from '../../../src/core/refresh.ts';
import { validateExternalSecret } from '../../../src/core/validate.ts';
import { ProjectorError } from '../../../src/core/errors.ts';
import { fetchProviderData } from '../../../src/sync/fetch-provider-data.ts';
import { externalSecret } from '../../support/builders.ts';

const issuesAt = (es: ReturnType<typeof externalSecret>, path: string) => validateExternalSecret(es).filter((i) => i.path === path);

describe('refreshInterval: Go time.ParseDuration bounds', () => {
  // Expected values from Go 1.26 time.ParseDuration (a throwaway program under /tmp): the largest
  // time.Duration is 2^63-1 ns; one nanosecond more is `time: invalid duration "…"`.
  const accepted: [string, number][] = [
    ['2562047h47m16.854775807s', 9223372036854775807 / 1e6],
    ['9223372036854775807ns', 9223372036854775807 / 1e6],
    ['2562047h', 9223369200000000000 / 1e6],
    ['1ms', 1],
    ['0', 0],
  ];
  for (const [text, ms] of accepted) {
    it(`accepts ${text}`, () => assert.equal(parseDuration(text), ms));
  }
  // Go's time.ParseDuration refuses blanks around the text (metav1.Duration's UnmarshalJSON calls it
  // as is), so ESO cannot decode such an object; validate and the refresh decision both refuse it
  // (parseDuration, for flags and CLI options, trims them).
  for (const text of [' 1h', '1h ', '\t5m']) {
    it(`refuses ${JSON.stringify(text)} as a refreshInterval in validate and in the operator's accessor alike`, () => {
      const es = externalSecret({ refreshInterval: text });
      assert.deepEqual(issuesAt(es, 'spec.refreshInterval').map((i) => [i.code, i.severity]), [['InvalidDuration', 'error']]);
      assert.equal(refreshIntervalMsOf(es), undefined);
    });
  }
  for (const text of ['99999999999h', '2562047h47m16.854775808s', '9223372036854775808ns', '2562048h']) {
    it(`refuses ${text} as Go does (invalid duration), in validate and in the operator's accessor`, () => {
      assert.equal(parseDuration(text), undefined);
      const es = externalSecret({ refreshInterval: text });
      assert.deepEqual(issuesAt(es, 'spec.refreshInterval').map((i) => [i.code, i.severity]), [['InvalidDuration', 'error']]);
      assert.equal(refreshIntervalMsOf(es), undefined);
    });
  }
});

describe('refreshInterval floor', () => {
  it(`honours ${MIN_REFRESH_INTERVAL_MS} ms exactly and raises anything shorter to it (with a validate warning)`, () => {
    assert.equal(refreshIntervalMsOf(externalSecret({ refreshInterval: '1s' })), 1_000);
    assert.deepEqual(issuesAt(externalSecret({ refreshInterval: '1s' }), 'spec.refreshInterval'), []);
    for (const text of ['999ms', '1ms', '1ns']) {
      const es = externalSecret({ refreshInterval: text });
      assert.equal(refreshIntervalMsOf(es), MIN_REFRESH_INTERVAL_MS, text);
      assert.deepEqual(issuesAt(es, 'spec.refreshInterval').map((i) => [i.code, i.severity]), [['RefreshIntervalFloor', 'warning']]);
      // The schedule follows the floor: the next refresh is at least half the floor away.
      assert.ok(nextRefreshAt(es, 10_000_000)! - 10_000_000 >= MIN_REFRESH_INTERVAL_MS / 2);
    }
  });

  it('keeps 0 as "no periodic refresh" (ESO)', () => {
    assert.equal(refreshIntervalMsOf(externalSecret({ refreshInterval: '0' })), 0);
    assert.deepEqual(issuesAt(externalSecret({ refreshInterval: '0s' }), 'spec.refreshInterval'), []);
  });
});

describe('remote ref sizes', () => {
  const cases: [field: 'key' | 'property' | 'version', max: number][] = [
    ['key', MAX_REMOTE_KEY_CHARS],
    ['property', MAX_REMOTE_PROPERTY_CHARS],
    ['version', MAX_REMOTE_VERSION_CHARS],
  ];
  for (const [field, max] of cases) {
    it(`accepts a ${field} of ${max} characters and refuses ${max + 1}, naming the field and the length only`, () => {
      const at = { key: 'k', [field]: 'a'.repeat(max) };
      const beyond = { key: 'k', [field]: 'a'.repeat(max + 1) };
      assert.deepEqual(remoteRefBoundIssues(at, 'spec.data[0].remoteRef'), []);
      const [problem, ...rest] = remoteRefBoundIssues(beyond, 'spec.data[0].remoteRef');
      assert.deepEqual(rest, []);
      assert.equal(problem!.path, `spec.data[0].remoteRef.${field}`);
      assert.equal(problem!.message, `${field} is ${max + 1} characters long; at most ${max} are allowed`);
      const es = externalSecret({ data: [{ secretKey: 'S', remoteRef: beyond as { key: string } }] });
      assert.deepEqual(issuesAt(es, `spec.data[0].remoteRef.${field}`).map((i) => i.code), ['TooLong']);
      assert.deepEqual(issuesAt(externalSecret({ data: [{ secretKey: 'S', remoteRef: at as { key: string } }] }), `spec.data[0].remoteRef.${field}`), []);
    });
  }

  it('bounds dataFrom.extract and dataFrom.find.path too', () => {
    const long = 'a'.repeat(MAX_REMOTE_KEY_CHARS + 1);
    const es = externalSecret({ data: undefined, dataFrom: [{ extract: { key: long } }, { find: { path: long, name: { regexp: 'x' } } }] } as never);
    assert.deepEqual(validateExternalSecret(es).filter((i) => i.code === 'TooLong').map((i) => i.path), ['spec.dataFrom[0].extract.key', 'spec.dataFrom[1].find.path']);
  });

  it('is InvalidSpec before any provider is asked (fetchProviderData, used by the operator and dev)', async () => {
    const es = externalSecret({ data: [{ secretKey: 'S', remoteRef: { key: 'x'.repeat(100_000) } }] });
    let asked = 0;
    const err = await fetchProviderData(es, async () => {
      asked++;
      throw new Error('no provider should be resolved');
    }, new AbortController().signal).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof ProjectorError);
    assert.equal(err.code, 'InvalidSpec');
    assert.equal(err.describe(), 'InvalidSpec: spec.data[0].remoteRef.key: key is 100000 characters long; at most 1024 are allowed');
    assert.equal(asked, 0);
    assert.throws(() => assertRemoteRefBounds({ key: 'x'.repeat(MAX_REMOTE_KEY_CHARS + 1) }, 'f'), ProjectorError);
    assert.doesNotThrow(() => assertRemoteRefBounds({ key: 'x'.repeat(MAX_REMOTE_KEY_CHARS) }, 'f'));
  });

  it('abbreviates long names in messages and reports', () => {
    assert.equal(abbreviate('a'.repeat(80)), 'a'.repeat(80));
    assert.equal(abbreviate('a'.repeat(81)), `${'a'.repeat(32)}… (81 characters)`);
  });
});

describe('Retry-After bounds', () => {
  it(`caps at ${MAX_RETRY_AFTER_MS} ms and floors at 0`, () => {
    assert.equal(clampRetryAfterMs(MAX_RETRY_AFTER_MS), MAX_RETRY_AFTER_MS);
    assert.equal(clampRetryAfterMs(MAX_RETRY_AFTER_MS + 1), MAX_RETRY_AFTER_MS);
    assert.equal(clampRetryAfterMs(-5), 0);
    assert.equal(clampRetryAfterMs(Number.NaN), 0);
  });
});
