// ESO's fake provider (providers/v1/fake/fake.go) keys its entries by mapKey (key then version,
// NewClient: a later entry replaces an earlier one), GetSecret wants the entry's version to be the
// ref's, and GetAllSecrets (collectMatchingSecrets, updateLatestVersion) returns per matching key the
// entry with the greatest version (Go string order, no version the least), its keys converted by
// esutils.ConvertKeys with the find's conversionStrategy, find.path not read. Expected values
// follow that code.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fakeProvider } from '../../../../src/providers/fake/index.ts';
import { ProjectorError } from '../../../../src/core/errors.ts';
import { fakeStore } from '../../../support/builders.ts';

const signal = AbortSignal.timeout(10_000);
const text = (b: { reveal(): Uint8Array }) => Buffer.from(b.reveal()).toString('utf8');
const client = (data: { key: string; value: string; version?: string }[]) => fakeProvider.newClient(fakeStore(data), {} as never, signal);
const all = async (c: Awaited<ReturnType<typeof client>>, find: object) =>
  Object.fromEntries([...(await c.getAllSecrets(find as never, signal))].map(([k, v]) => [k, text(v)]));

describe('fake provider entries, as ESO\'s fake provider keeps them', () => {
  it('reads the last of two entries with the same key and version', async () => {
    const c = await client([{ key: 'dup', value: 'first' }, { key: 'dup', value: 'second' }, { key: 'dup', value: 'v-first', version: 'v1' }, { key: 'dup', value: 'v-second', version: 'v1' }]);
    assert.equal(text(await c.getSecret({ key: 'dup' }, signal)), 'second');
    assert.equal(text(await c.getSecret({ key: 'dup', version: 'v1' }, signal)), 'v-second');
    assert.deepEqual(await all(c, { name: { regexp: '^dup$' } }), { dup: 'v-second' });
  });

  it('finds the entry with the greatest version of each key (Go string order), whatever the spec order', async () => {
    const c = await client([{ key: 'k', value: 'v2', version: 'v2' }, { key: 'k', value: 'none' }, { key: 'k', value: 'v10', version: 'v10' }, { key: 'only', value: 'plain' }]);
    assert.deepEqual(await all(c, { name: { regexp: '^(k|only)$' } }), { k: 'v2', only: 'plain' });
  });

  it('converts found keys in the provider by the find\'s conversionStrategy, and does not read find.path', async () => {
    const c = await client([{ key: 'app a/b', value: 'x' }, { key: 'app é', value: 'y' }, { key: 'other', value: 'z' }]);
    assert.deepEqual(await all(c, { name: { regexp: '^app' }, path: 'zzz' }), { app_a_b: 'x', 'app_é': 'y' });
    assert.deepEqual(await all(c, { name: { regexp: '^app a' }, conversionStrategy: 'Unicode' }), { app_U0020_a_U002f_b: 'x' });
  });

  it('fails two found keys that convert to one with ESO\'s text', async () => {
    const c = await client([{ key: 'a b', value: 'x' }, { key: 'a/b', value: 'y' }]);
    await assert.rejects(c.getAllSecrets({ name: { regexp: '^a' } } as never, signal), (e: unknown) => e instanceof ProjectorError && e.code === 'VaultBadValue' && e.message === 'secret name collision during conversion: a_b');
  });

  it('answers a ref whose key and version only spell another entry\'s mapKey as missing', async () => {
    const c = await client([{ key: 'ab', value: 'x' }]);
    await assert.rejects(c.getSecret({ key: 'a', version: 'b' }, signal), (e: unknown) => e instanceof ProjectorError && e.code === 'VaultNotFound');
  });
});
