// MFA's pure half (core/mfa.ts) on a fake clock. Expected values:
// * RFC 6238 Appendix B (SHA-1 rows; the seed is the ASCII "12345678901234567890", base32
//   GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ; 8 digits);
// * ESO v2.9 generators/v1/mfa/mfa_test.go ("foo" at 1998-05-05T05:05:05Z → 674024, 25 s left);
// * the rest from ESO's own generateCode (generators/v1/mfa/otp.go), run in a throwaway Go program
//   with go1.26 on amd64 for each input below (seed clean-up, Go's NoPadding base32 decoder, lengths
//   from 1 to 12, other periods, times before 1970).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanSeed, generateMfa, goBase32NoPadDecode, mfaIssues, MAX_MFA_LENGTH, parseRfc3339Seconds } from '../../../src/core/mfa.ts';
import { ProjectorError } from '../../../src/core/errors.ts';
import { Sensitive } from '../../../src/core/sensitive.ts';

const RFC = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const secret = { name: 's', key: 'seed' };

function run(seed: string, unix: number, extra: Record<string, unknown> = {}): { token: string; timeLeft: string } {
  const out = generateMfa({ secret, ...extra }, new Sensitive(seed), unix * 1000, 'Secret ns/s key "seed"');
  assert.deepEqual([...out.keys()], ['token', 'timeLeft']);
  const text = (k: string) => Buffer.from(out.get(k)!.reveal()).toString('utf8');
  return { token: text('token'), timeLeft: text('timeLeft') };
}

describe('MFA (ESO generateCode)', () => {
  it('RFC 6238 Appendix B, SHA-1, 8 digits (timeLeft as ESO computes it)', () => {
    const rows: [number, string, string][] = [
      [59, '94287082', '1'],
      [1111111109, '07081804', '1'],
      [1111111111, '14050471', '29'],
      [1234567890, '89005924', '30'],
      [2000000000, '69279037', '10'],
      [20000000000, '65353130', '10'],
    ];
    for (const [t, token, timeLeft] of rows) assert.deepEqual(run(RFC, t, { length: 8 }), { token, timeLeft }, `T=${t}`);
  });

  it("ESO's own test: seed foo, when 1998-05-05T05:05:05Z → 674024, 25 s left; `when` wins over the clock", () => {
    const out = generateMfa({ secret, when: '1998-05-05T05:05:05Z' }, new Sensitive('foo'), Date.UTC(2030, 0, 1), 'x');
    assert.equal(Buffer.from(out.get('token')!.reveal()).toString(), '674024');
    assert.equal(Buffer.from(out.get('timeLeft')!.reveal()).toString(), '25');
  });

  it('defaults: 6 digits, 30 s; length or timePeriod ≤ 0 mean the defaults', () => {
    assert.deepEqual(run(RFC, 1111111109), { token: '081804', timeLeft: '1' });
    assert.deepEqual(run(RFC, 1111111109, { length: 0, timePeriod: -5 }), { token: '081804', timeLeft: '1' });
    assert.deepEqual(run(RFC, 1111111109, { timePeriod: 60 }), { token: '360094', timeLeft: '31' });
    assert.deepEqual(run(RFC, 1111111109, { timePeriod: 7 }), { token: '363933', timeLeft: '4' });
  });

  it('lengths: mod 10^n below 10 digits, the whole 31-bit value from 10 on, zero-padded', () => {
    assert.equal(run(RFC, 1111111109, { length: 1 }).token, '4');
    assert.equal(run(RFC, 1111111109, { length: 9 }).token, '907081804');
    assert.equal(run(RFC, 1111111109, { length: 10 }).token, '0907081804');
    assert.equal(run(RFC, 1111111109, { length: 12 }).token, '000907081804');
  });

  it('seed clean-up as ESO: spaces removed, upper-cased (simple mapping), CR/LF ignored by the decoder', () => {
    assert.equal(run('gezd gnbv gy3t qojq gezd gnbv gy3t qojq\n', 1111111109).token, '081804');
    assert.equal(run('ıſ', 59).token, '496149');
    // Go's unicode.ToUpper keeps ß (no single-rune upper case); JS would make it SS.
    assert.deepEqual([...cleanSeed('ß')], [...Buffer.from('ß')]);
  });

  it("Go's NoPadding base32: `=` is illegal; a last group of 1, 3 or 6 characters adds nothing; an empty seed is an empty key", () => {
    assert.deepEqual(goBase32NoPadDecode(Buffer.from(`${RFC}====`)), { errorAt: 32 });
    assert.deepEqual(goBase32NoPadDecode(Buffer.from('GE1DGNBV')), { errorAt: 2 });
    for (const seed of ['GEZDGNBVG', 'GEZDGNBVGEZ', 'GEZDGNBVGEZDGN']) assert.equal(run(seed, 59).token, '662488', seed);
    assert.equal(run('GEZDGNBVGEZDG', 59).token, '012406');
    assert.equal(run('', 59).token, '812658');
  });

  it('times before 1970: the counter wraps as Go uint64 on amd64, timeLeft uses Go\'s truncated remainder', () => {
    assert.deepEqual(run(RFC, -1), { token: '094451', timeLeft: '31' });
    assert.deepEqual(run(RFC, -31), { token: '488204', timeLeft: '31' });
    assert.deepEqual(run(RFC, -100, { timePeriod: 7 }), { token: '299794', timeLeft: '9' });
  });

  it('a seed that is not base32: GeneratorFailed naming the Secret and the byte offset, never the seed', () => {
    const seed = 'hunter2-not-base32';
    assert.throws(
      () => generateMfa({ secret }, new Sensitive(seed), 0, 'Secret app/s key "seed"'),
      (e: unknown) => e instanceof ProjectorError && e.code === 'GeneratorFailed' && /Secret app\/s key "seed" is not base32 \(illegal base32 data at input byte 7\)/.test(e.message) && !e.message.toUpperCase().includes('HUNTER'),
    );
    const invalid = 'GEZ\u{FFFD}\u{FFFD}';
    assert.throws(() => generateMfa({ secret }, new Sensitive(invalid), 0, 'x'), /input byte 3\)/);
  });

  it('spec rules: secret name and key, a parsable `when`, length bound; algorithm other than sha1 only warns (ESO ignores it)', () => {
    assert.deepEqual(mfaIssues({ secret }, 'spec'), []);
    assert.deepEqual(mfaIssues({ secret: {} } as never, 'spec').map((i) => i.path), ['spec.secret']);
    assert.deepEqual(mfaIssues({ secret, when: 'yesterday' }, 'spec').map((i) => i.path), ['spec.when']);
    assert.deepEqual(mfaIssues({ secret, length: MAX_MFA_LENGTH }, 'spec'), []);
    assert.deepEqual(mfaIssues({ secret, length: MAX_MFA_LENGTH + 1 }, 'spec').map((i) => i.path), ['spec.length']);
    const w = mfaIssues({ secret, algorithm: 'sha256' }, 'spec');
    assert.deepEqual(w.map((i) => [i.path, i.severity]), [['spec.algorithm', 'warning']]);
    // …and the token is SHA-1's, as ESO's.
    assert.equal(run(RFC, 59, { length: 8, algorithm: 'sha512' }).token, '94287082');
    assert.throws(() => generateMfa({ secret, when: 'nope' }, new Sensitive(RFC), 0, 'x'), (e: unknown) => e instanceof ProjectorError && e.code === 'InvalidSpec');
  });

  it('`when` is read as metav1.Time reads RFC 3339: offsets, fractions floored to the second, literal years', () => {
    assert.equal(parseRfc3339Seconds('1998-05-05T05:05:05Z'), 894344705);
    assert.equal(parseRfc3339Seconds('1998-05-05T07:05:05+02:00'), 894344705);
    assert.equal(parseRfc3339Seconds('1998-05-05T05:05:05.999999999Z'), 894344705);
    assert.equal(parseRfc3339Seconds('1969-12-31T23:59:59Z'), -1);
    assert.equal(parseRfc3339Seconds('0001-01-01T00:00:00Z'), -62135596800);
    assert.equal(parseRfc3339Seconds('2023-02-29T00:00:00Z'), undefined);
    assert.equal(parseRfc3339Seconds('2023-01-01 00:00:00Z'), undefined);
  });
});
