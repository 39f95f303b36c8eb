import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { externalSecretFrom, renderSecret, secretDataFrom, templateSourcesFrom } from '../../../src/cli/commands/template.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('projector template inputs', () => {
  it('reads ESO\'s key: base64 data file and a Secret manifest (stringData wins)', () => {
    const esoctl = secretDataFrom({ a: b64('x'), b: '' }, 'f');
    assert.deepEqual([...esoctl].map(([k, v]) => [k, Buffer.from(v.reveal()).toString()]), [['a', 'x'], ['b', '']]);
    const secret = secretDataFrom({ apiVersion: 'v1', kind: 'Secret', data: { a: b64('x') }, stringData: { a: 'y', c: 'z' } }, 'f');
    assert.deepEqual([...secret].map(([k, v]) => [k, Buffer.from(v.reveal()).toString()]), [['a', 'y'], ['c', 'z']]);
  });

  it('names the key whose value is not base64, with Go\'s byte offset, never the value', () => {
    assert.throws(() => secretDataFrom({ k: 'CANARY!' }, 'data.yaml'), (e: Error) => /key "k" in data\.yaml is not base64 \(illegal base64 data at input byte 6\)/.test(e.message) && !e.message.includes('CANARY'));
    assert.throws(() => secretDataFrom({ k: 3 }, 'data.yaml'), /key "k" in data\.yaml must be a base64 string/);
  });

  it('takes an ExternalSecret\'s target.template or a PushSecret\'s spec.template; refuses other kinds', () => {
    const es = externalSecretFrom({ kind: 'ExternalSecret', metadata: { name: 'n', namespace: 'ns' }, spec: { target: { name: 't', template: { data: { k: 'v' } } } } }, 'f');
    assert.equal(es.spec.target?.name, 't');
    const ps = externalSecretFrom({ kind: 'PushSecret', metadata: { name: 'p' }, spec: { template: { data: { k: 'v' } } } }, 'f');
    assert.equal(ps.spec.target?.name, 'p');
    assert.equal(ps.metadata.namespace, 'default');
    assert.throws(() => externalSecretFrom({ kind: 'ConfigMap' }, 'f'), /unsupported kind ConfigMap/);
    assert.throws(() => externalSecretFrom({ kind: 'ExternalSecret', spec: {} }, 'f'), /has no spec\.target\.template to render/);
  });

  it('renders with the operator\'s rules: mergePolicy Merge keeps the data keys, the operator\'s metadata only on request', async () => {
    const es = externalSecretFrom({ kind: 'ExternalSecret', metadata: { name: 'n', namespace: 'ns' }, spec: { target: { template: { mergePolicy: 'Merge', data: { greeting: 'hello {{ .who }}' } } } } }, 'f');
    const data = secretDataFrom({ who: b64('world') }, 'f');
    const plain = await renderSecret(es, data, false);
    assert.deepEqual(plain.data, { greeting: b64('hello world'), who: b64('world') });
    assert.deepEqual(plain.metadata, { name: 'n', namespace: 'ns', labels: undefined, annotations: undefined });
    const withMeta = (await renderSecret(es, data, true)) as { metadata: { labels: Record<string, string>; annotations: Record<string, string> } };
    assert.equal(withMeta.metadata.labels['reconcile.external-secrets.io/managed'], 'true');
    assert.match(withMeta.metadata.annotations['reconcile.external-secrets.io/data-hash']!, /^[0-9a-f]+$/);
  });

  it("templateFrom sources: one object serves every entry of its kind (esoctl), several are matched by name", () => {
    const es = externalSecretFrom(
      {
        kind: 'ExternalSecret',
        metadata: { name: 'n', namespace: 'ns' },
        spec: { target: { template: { templateFrom: [{ configMap: { name: 'a', items: [{ key: 'k' }] } }, { configMap: { name: 'b', items: [{ key: 'k' }] } }, { secret: { name: 's', items: [{ key: 'k' }] } }] } } },
      },
      'f',
    );
    const cm = (name: string, v: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: v } });
    const secret = { file: 's.yaml', docs: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'whatever' }, data: { k: b64('x') } }] };
    // pkg/controllers/templating/parser.go MergeConfigMap: with TemplateFromConfigMap set, the name is not looked at.
    const one = templateSourcesFrom(es, { file: 'c.yaml', docs: [cm('other', 'v1')] }, secret);
    assert.deepEqual([...one.configMaps], [['a', { k: 'v1' }], ['b', { k: 'v1' }]]);
    assert.equal(Buffer.from(one.secrets.get('s')!.get('k')!.reveal()).toString(), 'x');
    const several = templateSourcesFrom(es, { file: 'c.yaml', docs: [cm('b', 'vb'), cm('a', 'va')] }, secret);
    assert.deepEqual([...several.configMaps], [['a', { k: 'va' }], ['b', { k: 'vb' }]]);
    assert.throws(() => templateSourcesFrom(es, undefined, secret), /templateFrom reads ConfigMap "a", "b": give them with --template-from-config-map <file>/);
    assert.throws(() => templateSourcesFrom(es, { file: 'c.yaml', docs: [{ kind: 'ConfigMap', data: { k: 3 } }] }, secret), /key "k" in c\.yaml must be a string/);
  });
});
