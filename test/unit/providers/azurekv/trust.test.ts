// trust.ts builds one TLS SecureContext per distinct CA set and hands the same one to every client
// (issue 9 item 1: a `ca` list on each connection built a context per connection, ~1.2 MB native each).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { trustFor, sdkTlsOptions } from '../../../../src/providers/azurekv/trust.ts';
import { testCertificate } from '../../../support/certificates.ts';

function certPem(cn: string): string {
  const pem = testCertificate(cn).pemFile;
  return pem.slice(pem.indexOf('-----BEGIN CERTIFICATE-----'));
}

/** Counts tls.createSecureContext calls made while `body` runs. */
function countContexts<T>(body: () => T): { result: T; contexts: number } {
  const original = tls.createSecureContext;
  let contexts = 0;
  tls.createSecureContext = (options) => {
    contexts++;
    return original(options);
  };
  try {
    return { result: body(), contexts };
  } finally {
    tls.createSecureContext = original;
  }
}

describe('azurekv trust', () => {
  const a = certPem('trust-a.example');
  const b = certPem('trust-b.example');

  it('builds one context for a CA set and returns it for every later use of the same set', () => {
    const { result, contexts } = countContexts(() => Array.from({ length: 50 }, () => trustFor([a])));
    assert.equal(contexts, 1);
    assert.ok(result.every((t) => t === result[0] && t.secureContext === result[0]!.secureContext));
  });

  it('builds a separate context for a different set, and for the same PEMs in another order', () => {
    const { result, contexts } = countContexts(() => [trustFor([b]), trustFor([a, b]), trustFor([b, a]), trustFor([a, b])]);
    assert.equal(contexts, 3);
    const [onlyB, ab, ba, abAgain] = result;
    assert.notEqual(onlyB, ab);
    assert.notEqual(ab, ba);
    assert.equal(ab, abAgain);
  });

  it('passes a SecureContext, never a `ca` list, to the SDK (a `ca` list makes every connection parse every root)', () => {
    const options = sdkTlsOptions(trustFor([a])) as Record<string, unknown>;
    assert.deepEqual(Object.keys(options), ['secureContext']);
    // A SecureContext holds its native context in `.context`.
    assert.equal(typeof (options['secureContext'] as { context?: unknown }).context, 'object');
    assert.equal(sdkTlsOptions(undefined), undefined);
  });
});
