// User-supplied keys are looked up as own members only, at every place a user key or property meets
// a JavaScript object: `constructor`, `__proto__`, `toString` and `hasOwnProperty` are absent unless
// the data holds them, and present (with their own value) when it does.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Sensitive } from '../../../src/core/sensitive.ts';
import { ProjectorError } from '../../../src/core/errors.ts';
import { extractJsonProperty, jsonToSecretMap } from '../../../src/core/json-value.ts';
import { encodeSecretData } from '../../../src/core/secret-data.ts';
import { matchesLabelSelector } from '../../../src/core/store-access.ts';
import { defaultTemplateRenderer } from '../../../src/core/default-template-renderer.ts';
import { planTargetSecret } from '../../../src/core/plan-target-secret.ts';
import { jsonObjectMembers } from '../../../src/core/json-raw.ts';
import { gjsonExists, gjsonGet, gjsonString } from '../../../src/core/gjson.ts';

const getJsonPath = (json: string, path: string) => {
  const r = gjsonGet(json, path);
  return gjsonExists(r) ? gjsonString(r) : undefined;
};
import { extractProperty } from '../../../src/providers/azurekv/secret-value.ts';
import { compileFind } from '../../../src/providers/azurekv/object-ref.ts';
import { fakeProvider } from '../../../src/providers/fake/index.ts';
import { generatedValue } from '../../../src/cli/dev/seed-values.ts';
import { externalSecret, fakeStore } from '../../support/builders.ts';
import { FakeClock } from '../../support/fake-clock.ts';

const NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty'] as const;
const text = (b: Sensitive<Uint8Array>) => Buffer.from(b.reveal()).toString('utf8');
const bytes = (s: string) => new Sensitive(new Uint8Array(Buffer.from(s, 'utf8')));
const signal = new AbortController().signal;
// A JSON object whose own members are exactly the four names (JSON.parse keeps `__proto__` as an own member).
const OWN = JSON.stringify(Object.fromEntries(NAMES.map((n) => [n, `own-${n}`])));

describe('prototype-free lookups of user keys', () => {
  for (const name of NAMES) {
    it(`core/json-value (fake provider properties): "${name}" is missing from {} and read from an object that has it`, () => {
      assert.throws(() => extractJsonProperty(new Sensitive('{"a":1}'), name, 'k'), (e: unknown) => e instanceof ProjectorError && e.code === 'VaultNotFound');
      assert.throws(() => extractJsonProperty(new Sensitive('{"a":{}}'), `a.${name}`, 'k'), (e: unknown) => e instanceof ProjectorError && e.code === 'VaultNotFound');
      assert.equal(text(extractJsonProperty(new Sensitive(OWN), name, 'k')), `own-${name}`);
      assert.equal(text(jsonToSecretMap(new Sensitive(OWN), 'k').get(name)!), `own-${name}`);
    });

    it(`azurekv json-path and extractProperty: "${name}" only as an own member`, () => {
      assert.equal(getJsonPath('{"a":1}', name), undefined);
      assert.equal(getJsonPath(OWN, name), `own-${name}`);
      assert.throws(() => extractProperty('{"a":1}', name, 'db'), (e: unknown) => e instanceof ProjectorError && e.code === 'VaultBadValue');
      assert.equal(jsonObjectMembers(OWN)?.get(name), `own-${name}`);
    });

    it(`fake provider: a remoteRef.property "${name}" is not found, a key "${name}" exists only when the store has it`, async () => {
      const client = await fakeProvider.newClient(fakeStore([{ key: 'json', value: '{"a":"1"}' }, { key: name, value: 'v' }]), {} as never, signal);
      await assert.rejects(client.getSecret({ key: 'json', property: name }, signal), (e: unknown) => e instanceof ProjectorError && e.code === 'VaultNotFound');
      assert.equal(text(await client.getSecret({ key: name }, signal)), 'v');
      const empty = await fakeProvider.newClient(fakeStore([]), {} as never, signal);
      await assert.rejects(empty.getSecret({ key: name }, signal), (e: unknown) => e instanceof ProjectorError && e.code === 'VaultNotFound');
    });

    it(`Secret data: a key "${name}" is written as an own member`, () => {
      const encoded = encodeSecretData(new Map([[name, bytes('x')]]));
      assert.deepEqual(Object.keys(encoded), [name]);
      assert.equal(encoded[name], Buffer.from('x').toString('base64'));
      assert.equal(JSON.stringify(encoded), `{"${name}":"eA=="}`);
    });

    it(`template data: "${name}" is a key of the data map, and missing when the data lacks it`, () => {
      const render = defaultTemplateRenderer(new FakeClock());
      const es = externalSecret({ target: { name: 't', template: { data: { out: `{{ index . "${name}" }}` } } } as never });
      assert.equal(text(render(es, new Map([[name, bytes('val')]])).data.get('out')!), 'val');
      // Go's index of a missing map key is the zero value: empty, never a JavaScript built-in.
      assert.equal(text(render(es, new Map([['other', bytes('val')]])).data.get('out')!), '');
    });

    it(`planned Secret: data key and template label "${name}" survive as own members`, () => {
      const es = externalSecret({ target: { name: 't', template: { metadata: { labels: { [name]: 'l' } } } } as never });
      const plan = planTargetSecret({ es, data: new Map([[name, bytes('d')]]), live: undefined, renderTemplate: defaultTemplateRenderer(new FakeClock()) });
      assert.equal(plan.action, 'create');
      const secret = (plan as { secret: { labels: Record<string, string>; data: ReadonlyMap<string, Sensitive<Uint8Array>> } }).secret;
      assert.equal(text(secret.data.get(name)!), 'd');
      assert.ok(Object.hasOwn(secret.labels, name) && secret.labels[name] === 'l', `label ${name}`);
    });

    it(`find tags and label selectors: "${name}" matches only a tag or label that is there`, () => {
      const find = compileFind({ tags: { [name]: 'x' } });
      assert.equal(find.matches({ name: 's', enabled: true, tags: {} }), false);
      assert.equal(find.matches({ name: 's', enabled: true, tags: { [name]: 'x' } }), true);
      assert.equal(matchesLabelSelector({ matchLabels: { [name]: 'x' } }, {}), false);
      assert.equal(matchesLabelSelector({ matchExpressions: [{ key: name, operator: 'Exists' }] }, {}), false);
      assert.equal(matchesLabelSelector({ matchLabels: { [name]: 'x' } }, JSON.parse(`{"${name}":"x"}`)), true);
    });

    it(`dev seeding: a property path through "${name}" makes a member, never touches Object.prototype`, () => {
      const seeded = JSON.parse(generatedValue(new Set([`${name}.polluted`, name === '__proto__' ? 'x' : `${name}.y`])));
      assert.ok(Object.hasOwn(seeded, name));
      assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
      assert.equal(typeof getJsonPath(JSON.stringify(seeded), `${name}.polluted`), 'string');
    });
  }
});
