// ESO's fake provider (providers/v1/fake/fake.go): GetSecret with a property is gjson.Get(value,
// property).String(), a property that does not exist is NoSecretErr (VaultNotFound here), with no
// literal-key fallback; GetSecretMap unmarshals into map[string]json.RawMessage (strings
// unescaped, null as "", other members as their source bytes).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fakeProvider } from '../../../../src/providers/fake/index.ts';
import { ProjectorError } from '../../../../src/core/errors.ts';
import { fakeStore } from '../../../support/builders.ts';

const signal = AbortSignal.timeout(10_000);
const text = (b: { reveal(): Uint8Array }) => Buffer.from(b.reveal()).toString('utf8');
const VALUE = '{"ratio":1.50,"big":12345678901234567890,"a.b":"literal","a":{"b":"nested"},"pem":"-----BEGIN-----\nx\n-----END-----","list":[{"n":"1"},{"n":"2"}],"none":null,"o":{"k": 1.0}}';

describe('fake provider JSON values, as ESO\'s fake provider reads them', () => {
  const client = () => fakeProvider.newClient(fakeStore([{ key: 'json', value: VALUE }]), {} as never, signal);

  it('reads a property as gjson does: numbers as Go formats them, integers and nested JSON as written, paths before literal keys', async () => {
    const c = await client();
    const get = async (property: string) => text(await c.getSecret({ key: 'json', property }, signal));
    assert.equal(await get('ratio'), '1.5');
    assert.equal(await get('big'), '12345678901234567890');
    assert.equal(await get('a.b'), 'nested');
    assert.equal(await get('a\\.b'), 'literal');
    assert.equal(await get('list.#.n'), '["1","2"]');
    assert.equal(await get('pem'), '-----BEGIN-----\nx\n-----END-----');
    assert.equal(await get('o'), '{"k": 1.0}');
  });

  it('answers a missing property as a missing secret, and refuses gjson syntax it does not evaluate', async () => {
    const c = await client();
    await assert.rejects(c.getSecret({ key: 'json', property: 'nope' }, signal), (e: unknown) => e instanceof ProjectorError && e.code === 'VaultNotFound');
    await assert.rejects(c.getSecret({ key: 'json', property: 'list|@reverse' }, signal), (e: unknown) => e instanceof ProjectorError && e.code === 'NotSupported');
  });

  it('extracts members with their source bytes, null as an empty string; a value encoding/json refuses fails', async () => {
    await assert.rejects((await client()).getSecretMap({ key: 'json' }, signal), (e: unknown) => e instanceof ProjectorError && e.code === 'VaultBadValue');
    const c = await fakeProvider.newClient(fakeStore([{ key: 'json', value: VALUE.replace('\n', '\\n').replace('\n', '\\n') }]), {} as never, signal);
    const map = await c.getSecretMap({ key: 'json' }, signal);
    assert.equal(text(map.get('ratio')!), '1.50');
    assert.equal(text(map.get('o')!), '{"k": 1.0}');
    assert.equal(text(map.get('none')!), '');
    assert.equal(text(map.get('a.b')!), 'literal');
  });
});
