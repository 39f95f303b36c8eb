// ESO v2.9 fields Projector's CRDs now carry: the ones implemented (nullBytePolicy, a store's
// int-or-string refreshInterval, the webhook's privileged-template and templateFrom-target rules) and
// the ones reported NotSupported (never silently ignored).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fetchProviderData } from '../../../src/sync/fetch-provider-data.ts';
import { fakeProvider } from '../../../src/providers/fake/index.ts';
import { ProjectorError } from '../../../src/core/errors.ts';
import type { ProviderHost } from '../../../src/providers/provider.ts';
import { silentLogger } from '../../../src/platform/logger.ts';
import { parseSpecDuration, parseStoreRefreshInterval } from '../../../src/core/duration.ts';
import { validateExternalSecret, validateSecretStore } from '../../../src/core/validate.ts';
import { externalSecret, fakeStore } from '../../support/builders.ts';

const signal = new AbortController().signal;
const host = { log: silentLogger() } as unknown as ProviderHost;
const NUL = 'bin\u0000ary-canary';

describe('nullBytePolicy (ESO validateFetchedSecretValue / validateFetchedSecretMap)', () => {
  const client = () => fakeProvider.newClient(fakeStore([{ key: 'bin', value: NUL }, { key: 'json', value: JSON.stringify({ b: 'ok', a: NUL }) }]), host, signal);

  it('keeps a NUL byte when absent or Ignore', async () => {
    for (const nullBytePolicy of [undefined, 'Ignore'] as const) {
      const es = externalSecret({ data: [{ secretKey: 'K', remoteRef: { key: 'bin', ...(nullBytePolicy ? { nullBytePolicy } : {}) } }] });
      const got = await fetchProviderData(es, async () => client(), signal);
      assert.deepEqual([...got.data.get('K')!.reveal()].includes(0), true);
    }
  });

  it('fails a data item with Fail, naming the item and never the value', async () => {
    const es = externalSecret({ data: [{ secretKey: 'K', remoteRef: { key: 'bin', nullBytePolicy: 'Fail' } }] });
    await assert.rejects(fetchProviderData(es, async () => client(), signal), (e: unknown) => {
      assert.ok(e instanceof ProjectorError && e.code === 'VaultBadValue');
      assert.match(e.message, /^spec\.data\[0\]\.remoteRef: the fetched value holds a NUL byte and nullBytePolicy is Fail/);
      assert.ok(!e.message.includes('canary'));
      return true;
    });
  });

  it('fails a dataFrom entry with Fail after decoding, naming the value by its position in key order, never the key', async () => {
    const es = externalSecret({ dataFrom: [{ extract: { key: 'json', nullBytePolicy: 'Fail' } }] });
    await assert.rejects(fetchProviderData(es, async () => client(), signal), (e: unknown) => {
      assert.ok(e instanceof ProjectorError && e.code === 'VaultBadValue');
      // Keys a, b: "a" (first in Go's sorted order) holds the NUL byte.
      assert.match(e.message, /^spec\.dataFrom\[0\]\.extract: fetched value #1 of 2 \(in key order\) holds a NUL byte/);
      return true;
    });
    // Base64 of "x\0y" decodes to a NUL byte: the check runs on decoded bytes, as ESO's.
    const b64 = fakeProvider.newClient(fakeStore([{ key: 'k', value: Buffer.from('x\u0000y').toString('base64') }]), host, signal);
    const decoded = externalSecret({ data: [{ secretKey: 'K', remoteRef: { key: 'k', decodingStrategy: 'Base64', nullBytePolicy: 'Fail' } }] });
    await assert.rejects(fetchProviderData(decoded, async () => b64, signal), /NUL byte/);
  });
});

describe("a store's refreshInterval (ESO v2.9 GetRefreshInterval)", () => {
  it('takes whole seconds or a Go duration, 0 when absent', () => {
    assert.equal(parseStoreRefreshInterval(undefined), 0);
    assert.equal(parseStoreRefreshInterval(30), 30_000);
    assert.equal(parseStoreRefreshInterval('5m'), 300_000);
    assert.equal(parseStoreRefreshInterval('0'), 0);
  });
  it('refuses negatives, non-int32 numbers, non-durations and blanks (Go does not trim)', () => {
    for (const bad of [-1, 1.5, 2_147_483_648, '-5m', '10', '5 m', ' 5m', 'x', true]) assert.equal(parseStoreRefreshInterval(bad), undefined, String(bad));
    assert.equal(parseSpecDuration(' 1h'), undefined);
  });
  it('is checked by validateSecretStore with the CRD rule message', () => {
    const store = fakeStore([]);
    store.spec.refreshInterval = '5 minutes' as never;
    assert.deepEqual(validateSecretStore(store).map((i) => [i.path, i.code]), [['spec.refreshInterval', 'InvalidDuration']]);
    store.spec.refreshInterval = '5m' as never;
    assert.deepEqual(validateSecretStore(store), []);
  });
});

describe("ESO's webhook rules on templates (validatePrivilegedTemplate, ValidateSecretTemplateFromTargets)", () => {
  const data = [{ secretKey: 'A', remoteRef: { key: 'a' } }];
  const codes = (target: object) => validateExternalSecret(externalSecret({ data, target })).map((i) => [i.path, i.code]);
  it('refuses bootstrap tokens and service-account tokens naming their account', () => {
    assert.deepEqual(codes({ template: { type: 'bootstrap.kubernetes.io/token' } }), [['spec.target.template.type', 'PrivilegedTemplate']]);
    assert.deepEqual(codes({ template: { type: 'kubernetes.io/service-account-token', metadata: { annotations: { 'kubernetes.io/service-account.name': 'x' } } } }), [
      ['spec.target.template.metadata.annotations', 'PrivilegedTemplate'],
    ]);
    assert.deepEqual(
      codes({ template: { type: 'kubernetes.io/service-account-token', templateFrom: [{ literal: 'a: b', target: 'ANNOTATIONS' }] } }).filter((c) => c[1] === 'PrivilegedTemplate'),
      [['spec.target.template.templateFrom[0].target', 'PrivilegedTemplate']],
    );
    assert.deepEqual(codes({ template: { type: 'kubernetes.io/service-account-token' } }), []);
  });
  it('takes Data in any case and refuses other targets for a Secret, not for a manifest target', () => {
    assert.deepEqual(codes({ template: { templateFrom: [{ literal: 'a: b', target: 'data' }, { literal: 'c: d', target: '' }] } }), []);
    assert.deepEqual(codes({ template: { templateFrom: [{ literal: 'a: b', target: 'spec.x' }] } }), [['spec.target.template.templateFrom[0].target', 'InvalidTemplateTarget']]);
    assert.deepEqual(
      codes({ manifest: { apiVersion: 'v1', kind: 'ConfigMap' }, template: { templateFrom: [{ literal: 'a: b', target: 'spec.x' }] } }),
      // Any path for a manifest target (ESO validateTemplateFromTarget); the generic target itself is a warning.
      [['spec.target.manifest', 'GenericTarget']],
    );
  });
});

describe("fake provider's validationResult (ESO providers/v1/fake/fake.go Validate)", () => {
  const withResult = (validationResult: number | undefined) => {
    const store = fakeStore([{ key: 'a', value: 'b' }]);
    (store.spec.provider.fake as { validationResult?: number }).validationResult = validationResult;
    return store;
  };
  const check = async (validationResult: number | undefined) => (await fakeProvider.newClient(withResult(validationResult), host, signal)).validate(signal);

  it('is accepted by the static checks for any uint8 (ESO ValidateStore ignores it), refused outside it', () => {
    for (const ok of [undefined, 0, 1, 2, 255]) assert.deepEqual(fakeProvider.validateStore(withResult(ok)), [], String(ok));
    for (const bad of [-1, 256, 1.5]) assert.deepEqual(fakeProvider.validateStore(withResult(bad)).map((i) => [i.path, i.code, i.severity]), [['spec.provider.fake.validationResult', 'InvalidValue', 'error']], String(bad));
  });

  it('0 or absent: Ready; 1: Unknown with the error "unable to validate"; 2 and others: the check fails naming the field', async () => {
    assert.equal(await check(undefined), 'Ready');
    assert.equal(await check(0), 'Ready');
    assert.deepEqual(await check(1), { unknown: 'unable to validate' });
    await assert.rejects(check(2), (e: unknown) => e instanceof ProjectorError && e.code === 'InvalidSpec' && e.message === 'spec.provider.fake.validationResult: unable to validate (validationResult 2: Error)');
    await assert.rejects(check(7), (e: unknown) => e instanceof ProjectorError && e.message === 'spec.provider.fake.validationResult: unable to validate (validationResult 7)');
  });
});
