// Generic targets (spec.target.manifest): the object ESO writes and the decision it makes. Expected
// values come from ESO v2.9's pkg/controllers/externalsecret/externalsecret_controller.go
// (reconcileGenericTarget, applyOwnership, isGenericTargetValid, genericTargetContentHash),
// externalsecret_controller_manifest.go (applyTemplateToManifest, createSimpleManifest,
// renderTemplatedManifest) and runtime/template/v2/template.go (applyToTarget, mapScopeApply,
// setField, tryParseYAML, applyParsedToPath, parseTargetPath, setAtPath); hashes from Go itself.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { ExternalSecret } from '../../../src/api/index.ts';
import { ProjectorError } from '../../../src/core/errors.ts';
import { genericContentHash, genericTargetOf, isGenericTarget, liveGenericMeta, planGenericTarget, type GenericPlan, type LiveGenericObject, type Unstructured } from '../../../src/core/generic-target.ts';
import { goValueHash } from '../../../src/core/hash.ts';
import { Sensitive } from '../../../src/core/sensitive.ts';
import { defaultGenericTemplateRenderer } from '../../../src/core/default-template-renderer.ts';
import { refreshReason } from '../../../src/core/refresh.ts';
import { syncVersionOf } from '../../../src/core/external-secret.ts';
import { validateExternalSecret } from '../../../src/core/validate.ts';
import { externalSecret, fetched } from '../../support/builders.ts';
import { canaryMaker } from '../../support/canaries.ts';

const renderTemplate = defaultGenericTemplateRenderer({ now: () => new Date('2026-11-23T10:00:00Z') });
const NS = 'netbox';
const ES_NAME = 'netbox-db-password';
/** ESO's esutils.ObjectHash: SHA3-224 of Go's `%+v` text. */
const objectHash = (goText: string) => createHash('sha3-224').update(goText, 'utf8').digest('hex');
const CREATED_BY = objectHash(`${NS}/${ES_NAME}`);

function generic(target: Record<string, unknown>, spec: Partial<ExternalSecret['spec']> = {}, meta: Partial<ExternalSecret['metadata']> = {}): ExternalSecret {
  return externalSecret({ target: { name: 'app', creationPolicy: 'Owner', manifest: { apiVersion: 'v1', kind: 'ConfigMap' }, ...target } as never, ...spec }, meta);
}

function live(obj: Unstructured): LiveGenericObject {
  return { metadata: obj.metadata as LiveGenericObject['metadata'], object: new Sensitive(obj) };
}

function written(plan: GenericPlan): Unstructured {
  assert.ok(plan.action === 'create' || plan.action === 'update', `expected a write, got ${plan.action}`);
  return plan.object.reveal();
}

/** The object as the API server returns it after the planned write. */
function served(plan: GenericPlan, extra: Record<string, unknown> = {}): LiveGenericObject {
  const obj = JSON.parse(JSON.stringify(written(plan))) as Unstructured;
  (obj.metadata as Record<string, unknown>).uid ??= 'uid-target-1';
  (obj.metadata as Record<string, unknown>).resourceVersion ??= '5';
  Object.assign(obj.metadata as object, extra);
  return live(obj);
}

const meta = (o: Unstructured) => o.metadata as { labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: { name: string; kind: string; controller?: boolean; uid: string }[]; resourceVersion?: string; uid?: string };

describe('generic target routing', () => {
  it('is a manifest naming anything but v1 Secret (ESO isManifestSecretTarget for v1 Secret)', () => {
    assert.equal(isGenericTarget(generic({})), true);
    assert.equal(isGenericTarget(generic({ manifest: { apiVersion: 'example.com/v1', kind: 'Widget' } })), true);
    assert.equal(isGenericTarget(generic({ manifest: { apiVersion: 'v1', kind: 'Secret' } })), false);
    assert.equal(isGenericTarget(externalSecret()), false);
    // getTargetGVK: ParseGroupVersion; getTargetName: target.name, else the ExternalSecret's name.
    assert.deepEqual(genericTargetOf(generic({ name: undefined, manifest: { apiVersion: 'example.com/v1', kind: 'Widget' } })), { apiVersion: 'example.com/v1', kind: 'Widget', group: 'example.com', version: 'v1', name: ES_NAME, namespace: NS });
    assert.deepEqual(genericTargetOf(generic({}))?.group, '');
  });
});

describe('the generic content hash (genericTargetContentHash, esutils.ObjectHash)', () => {
  it("is Go's %+v of the value as apimachinery decodes JSON (reference hashes computed with Go 1.26)", () => {
    // go: json.Decoder.UseNumber, json.Number → Int64 else Float64, fmt.Sprintf("%+v"), sha3.Sum224.
    const doc = JSON.parse('{"b":[1,2.5,true,null,"x y",{"k":"v"}],"a":{"z":1e+21,"y":1000000,"x":-0.0001,"w":1e-05,"v":100000000000000000000},"é":"ü","A":""}');
    assert.equal(goValueHash(doc), 'a50b267ceb9eb11d3f42b1dfb6e7aa40daa43bebf22f506711fb1a36');
    assert.equal(goValueHash({}), '74a974446e359fb3e6baff9bd0058950e6edd0f040888d9989b0a11b');
    assert.equal(goValueHash([]), 'ed2e5773d709f4a0654d954884b08db4e152aeb8a70cb70b54e01bc4');
    assert.equal(goValueHash({ password: 's3cret', host: 'db', port: 5432 }), 'cc9049723dbad232568f99959fd4f077f22228c9e6f1de1b36a295cb');
  });
  it('hashes spec when it is set, else data, else nothing', () => {
    assert.equal(genericContentHash({ spec: { a: 'b' }, data: { c: 'd' } }), objectHash('map[a:b]'));
    assert.equal(genericContentHash({ spec: null, data: { c: 'd' } }), objectHash('map[c:d]'));
    assert.equal(genericContentHash({ metadata: {} }), undefined);
  });
});

describe('planGenericTarget: the object written (applyTemplateToManifest)', () => {
  it('a ConfigMap without template: the data as strings, the ExternalSecret labels and annotations, managed label, data-hash, Owner reference', () => {
    const es = generic({}, {}, { labels: { app: 'netbox' }, annotations: { note: 'x' } });
    const plan = planGenericTarget({ es, data: fetched({ DB_PASSWORD: 'pw-1' }), live: undefined });
    assert.equal(plan.action, 'create');
    const o = written(plan);
    assert.deepEqual([o.apiVersion, o.kind], ['v1', 'ConfigMap']);
    assert.deepEqual(o.data, { DB_PASSWORD: 'pw-1' });
    assert.equal(o.spec, undefined);
    assert.deepEqual(meta(o).labels, { app: 'netbox', 'reconcile.external-secrets.io/managed': 'true', 'reconcile.external-secrets.io/created-by': CREATED_BY });
    assert.deepEqual(meta(o).annotations, { note: 'x', 'reconcile.external-secrets.io/data-hash': objectHash('map[DB_PASSWORD:pw-1]') });
    assert.deepEqual(meta(o).ownerReferences, [{ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', name: ES_NAME, uid: 'uid-es-1', controller: true, blockOwnerDeletion: true }]);
  });

  it('another kind without template: the data under spec.data, hashed over spec', () => {
    const plan = planGenericTarget({ es: generic({ manifest: { apiVersion: 'example.com/v1', kind: 'Widget' } }), data: fetched({ k: 'v' }), live: undefined });
    const o = written(plan);
    assert.deepEqual(o.spec, { data: { k: 'v' } });
    assert.equal(meta(o).annotations!['reconcile.external-secrets.io/data-hash'], objectHash('map[data:map[k:v]]'));
  });

  it('Orphan builds the object afresh over a live one (no created-by, no owner), Merge keeps the live object and its other fields', () => {
    const liveObj = live({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app', namespace: NS, uid: 'u-1', resourceVersion: '9', labels: { keep: 'me' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'd', uid: 'd-1' }] }, data: { other: '1', DB_PASSWORD: 'old' } });
    const orphan = written(planGenericTarget({ es: generic({ creationPolicy: 'Orphan' }), data: fetched({ DB_PASSWORD: 'new' }), live: liveObj }));
    assert.deepEqual(orphan.data, { DB_PASSWORD: 'new' });
    assert.deepEqual(meta(orphan).labels, { 'reconcile.external-secrets.io/managed': 'true' });
    assert.equal(meta(orphan).ownerReferences, undefined);
    // ESO copies the live object's resourceVersion and UID onto the object it updates.
    assert.deepEqual([meta(orphan).resourceVersion, meta(orphan).uid], ['9', 'u-1']);
    // createSimpleManifest replaces a ConfigMap's data, on a Merge base too.
    const merged = written(planGenericTarget({ es: generic({ creationPolicy: 'Merge' }), data: fetched({ DB_PASSWORD: 'new' }), live: liveObj }));
    assert.deepEqual(merged.data, { DB_PASSWORD: 'new' });
    assert.deepEqual(meta(merged).labels, { keep: 'me', 'reconcile.external-secrets.io/managed': 'true' });
    assert.deepEqual(meta(merged).ownerReferences, [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'd', uid: 'd-1' }]);
  });

  it('Merge without a live object waits for it; None writes nothing; an unchanged object is an update that changes nothing', () => {
    assert.equal(planGenericTarget({ es: generic({ creationPolicy: 'Merge' }), data: fetched({ a: '1' }), live: undefined }).action, 'wait-for-target');
    assert.equal(planGenericTarget({ es: generic({ creationPolicy: 'None' }), data: fetched({ a: '1' }), live: undefined }).action, 'skip');
    const es = generic({});
    const first = planGenericTarget({ es, data: fetched({ a: '1' }), live: undefined });
    const again = planGenericTarget({ es, data: fetched({ a: '1' }), live: served(first) });
    assert.deepEqual([again.action, again.action === 'update' && again.changed], ['update', false]);
    const rotated = planGenericTarget({ es, data: fetched({ a: '2' }), live: served(first) });
    assert.deepEqual([rotated.action, rotated.action === 'update' && rotated.changed], ['update', true]);
  });

  it("is invalid when its content no longer matches the data-hash (isGenericTargetValid), so the refresh runs", () => {
    const base = generic({});
    const es = { ...base, status: { refreshTime: '2026-11-23T09:59:00Z', syncedResourceVersion: syncVersionOf(base) } } as ExternalSecret;
    const first = planGenericTarget({ es, data: fetched({ a: '1' }), live: undefined });
    const ok = served(first);
    const tampered = served(first);
    (tampered.object.reveal().data as Record<string, string>).a = 'edited';
    const now = new Date('2026-11-23T10:00:00Z');
    assert.equal(refreshReason(es, liveGenericMeta(ok), now), 'up-to-date');
    assert.equal(refreshReason(es, liveGenericMeta(tampered), now), 'target-drifted');
  });

  it('refuses an object another ExternalSecret controls, and one something else controls under Owner', () => {
    const other = live({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app', namespace: NS, uid: 'u', ownerReferences: [{ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', name: 'other', uid: 'o', controller: true }] }, data: {} });
    for (const creationPolicy of ['Owner', 'Orphan', 'Merge']) {
      assert.throws(() => planGenericTarget({ es: generic({ creationPolicy }), data: fetched({ a: '1' }), live: other }), (e: unknown) => e instanceof ProjectorError && e.code === 'TargetOwnedElsewhere' && e.message.includes('secret is owned by another ExternalSecret'));
    }
    const byDeployment = live({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app', namespace: NS, uid: 'u', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'd', uid: 'd', controller: true }] }, data: {} });
    assert.throws(() => planGenericTarget({ es: generic({}), data: fetched({ a: '1' }), live: byDeployment }), (e: unknown) => e instanceof ProjectorError && e.code === 'TargetOwnedElsewhere');
  });

  it('without provider data: Retain keeps, Delete deletes what this ExternalSecret controls, Merge goes on', () => {
    const es = generic({ deletionPolicy: 'Delete' });
    assert.equal(planGenericTarget({ es: generic({}), data: new Map(), live: undefined }).action, 'retain');
    const mine = served(planGenericTarget({ es, data: fetched({ a: '1' }), live: undefined }));
    assert.deepEqual(planGenericTarget({ es, data: new Map(), live: mine }), { action: 'delete', target: genericTargetOf(es), exists: true, uid: 'uid-target-1' });
    assert.deepEqual(planGenericTarget({ es, data: new Map(), live: undefined }), { action: 'delete', target: genericTargetOf(es), exists: false });
    const merge = planGenericTarget({ es: generic({ deletionPolicy: 'Merge' }), data: new Map(), live: undefined });
    assert.equal(merge.action, 'create');
    assert.deepEqual(written(merge).data, {});
  });

  it('never writes altered bytes nor quotes a key made from secret data', () => {
    const binary = new Map([['k', new Sensitive(new Uint8Array([0xff, 0xfe]))]]);
    assert.throws(() => planGenericTarget({ es: generic({}), data: binary, live: undefined }), (e: unknown) => e instanceof ProjectorError && e.code === 'VaultBadValue' && /binary/.test(e.message));
    const badKey = 'bad key canary-1';
    assert.throws(
      () => planGenericTarget({ es: generic({}), data: fetched({ [badKey]: 'v' }), live: undefined }),
      (e: unknown) => e instanceof ProjectorError && e.message.includes('not a valid ConfigMap key') && !e.message.includes('canary'),
    );
  });
});

describe('planGenericTarget with a template (renderTemplatedManifest)', () => {
  const plan = (target: Record<string, unknown>, data: Record<string, string>, liveObj?: LiveGenericObject) => planGenericTarget({ es: generic(target), data: fetched(data), live: liveObj, renderTemplate });

  it('template.data goes to the top-level data field; template.metadata is copied as written (not rendered); the provider data is not copied', () => {
    const o = written(plan({ template: { data: { url: 'postgres://{{ .user }}@db' }, metadata: { labels: { team: '{{ .user }}' } } } }, { user: 'alice', extra: 'x' }));
    assert.deepEqual(o.data, { url: 'postgres://alice@db' });
    assert.equal(meta(o).labels!.team, '{{ .user }}');
  });

  it('a templateFrom literal: Data/Labels/Annotations read a YAML map of strings; a path takes the YAML document, merged into a map, replacing a one-key path', () => {
    const o = written(
      plan(
        {
          manifest: { apiVersion: 'example.com/v1', kind: 'Widget' },
          template: {
            templateFrom: [
              { target: 'Labels', literal: 'tier: "{{ .tier }}"' },
              { target: 'spec.db', literal: 'host: db\nport: 5432' },
              { target: 'spec.db', literal: 'password: "{{ .pw }}"' },
              { target: 'spec.list[1].name', literal: 'x' },
            ],
          },
        },
        { tier: 'gold', pw: 'p' },
      ),
    );
    assert.equal(meta(o).labels!.tier, 'gold');
    assert.deepEqual(o.spec, { db: { host: 'db', port: 5432, password: 'p' }, list: [null, { name: 'x' }] });
    const single = written(plan({ manifest: { apiVersion: 'example.com/v1', kind: 'Widget' }, template: { templateFrom: [{ target: 'spec', literal: 'a: 1' }, { target: 'spec', literal: 'b: 2' }] } }, { any: 'x' }));
    assert.deepEqual(single.spec, { b: 2 });
  });

  it('configMap/secret items are rendered, kept only for a Data target, then rendered again', () => {
    const sources = { configMaps: new Map([['tpl', { conf: 'a={{ .v }}', meta: 'x' }]]), secrets: new Map() };
    const es = generic({ template: { templateFrom: [{ configMap: { name: 'tpl', items: [{ key: 'conf' }] } }, { target: 'Labels', configMap: { name: 'tpl', items: [{ key: 'meta' }] } }] } });
    const o = written(planGenericTarget({ es, data: fetched({ v: '{{ "twice" }}' }), live: undefined, renderTemplate, templateSources: sources }));
    // First pass writes "a={{ \"twice\" }}", the second renders it: ESO's tempSecret, executed again.
    assert.deepEqual(o.data, { conf: 'a=twice' });
    assert.equal(meta(o).labels!.meta, undefined);
  });

  it('integers: exact up to 2^53, refused (never rounded) between 2^53 and 2^63, float64 beyond as in Go', () => {
    // ESO reads the document with k8s.io/apimachinery/pkg/util/yaml Unmarshal: integers within int64
    // stay exact (jsonutil.ConvertInterfaceNumbers), larger ones become float64.
    const widget = (literal: string) => plan({ manifest: { apiVersion: 'example.com/v1', kind: 'Widget' }, template: { templateFrom: [{ target: 'spec', literal }] } }, { n: '9223372036854775807' });
    assert.deepEqual(written(widget('a: 9007199254740991\nb: -9007199254740991')).spec, { a: 9007199254740991, b: -9007199254740991 });
    assert.deepEqual(written(widget('big: 9223372036854775808')).spec, { big: 9223372036854775808 });
    for (const literal of ['a: {{ .n }}', 'a: 9007199254740993', 'a: -9223372036854775808', 'list: [1, 0x20000000000001]']) {
      assert.throws(() => widget(literal), (e: unknown) => e instanceof ProjectorError && e.code === 'VaultBadValue' && /renders an integer above 2\^53/.test(e.message) && !e.message.includes('922337') && !e.message.includes('900719'), literal);
    }
    // A path target too: the text is not kept as a string instead.
    const atPath = () => plan({ manifest: { apiVersion: 'example.com/v1', kind: 'Widget' }, template: { templateFrom: [{ target: 'spec.replicas', literal: '{{ .n }}' }] } }, { n: '9223372036854775807' });
    assert.throws(atPath, (e: unknown) => e instanceof ProjectorError && e.code === 'VaultBadValue' && /renders an integer above 2\^53/.test(e.message));
  });

  it("fails with ESO's path errors, naming paths and never values", () => {
    const failing = (target: string, v: string) => () => plan({ manifest: { apiVersion: 'example.com/v1', kind: 'Widget' }, template: { templateFrom: [{ target, literal: 'just-text' }, { target: 'spec.x.y', literal: `z: "{{ .v }}"` }] } }, { v });
    assert.throws(failing('spec.x', 'canary-2'), (e: unknown) => e instanceof ProjectorError && e.message.includes('failed to set path spec.x.y: expected map at key "y" but found string') && !e.message.includes('canary'));
    assert.throws(failing('spec..x', 'v'), (e: unknown) => e instanceof ProjectorError && e.code === 'InvalidSpec' && e.message.includes('invalid path "spec..x": empty segment'));
    assert.throws(failing('spec.x[10001]', 'v'), (e: unknown) => e instanceof ProjectorError && e.message.includes('index 10001 exceeds maximum (10000)'));
  });
});

describe('validation of generic targets', () => {
  it('admits them (ESO webhook) with a warning naming the flag, and warns about templateFrom items that write nothing', () => {
    const issues = validateExternalSecret(generic({ template: { templateFrom: [{ target: 'spec.x', configMap: { name: 'c', items: [{ key: 'k' }] } }] } }));
    assert.deepEqual(issues.filter((i) => i.severity === 'error'), []);
    assert.deepEqual(issues.map((i) => [i.path, i.code]), [
      ['spec.target.manifest', 'GenericTarget'],
      ['spec.target.template.templateFrom[0].target', 'TemplateTargetIgnored'],
    ]);
    assert.match(issues[0]!.message, /--unsafe-allow-generic-targets/);
  });
});

describe('generic targets with templateFrom valuesDecodingStrategy (renderTemplatedManifest)', () => {
  // ESO v2.9 pkg/controllers/externalsecret/externalsecret_controller_manifest.go renderTemplatedManifest:
  // a literal is executed with tplFrom.ValuesDecodingStrategy (runtime/template/v2/template.go
  // mapScopeApply: decoding.Decode on each value of the YAML map at Data/Labels/Annotations, none on a
  // document at Spec or a path); configMap/secret items go through templating.Parser MergeConfigMap /
  // MergeSecret (pkg/controllers/templating/parser.go), which execute each item with
  // tpl.ValuesDecodingStrategy into a scratch v1.Secret (valueScopeApply decodes before applyToTarget,
  // whatever the target), and its Data is then executed again with ExternalSecretDecodeNone.
  // runtime/decoding/decoding.go Decode: Base64 = StdEncoding, Base64URL = URLEncoding, Auto = Base64,
  // else Base64URL, else the value.
  const { canary } = canaryMaker();
  const PW = canary('gendecode');
  const WIDGET = { apiVersion: 'example.com/v1', kind: 'Widget' };
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  /** Go's base64.URLEncoding: the URL alphabet with padding (Node's base64url drops the padding, which Go requires). */
  const b64url = (s: string) => b64(s).replace(/\+/g, '-').replace(/\//g, '_');
  type Strategy = 'None' | 'Base64' | 'Base64URL' | 'Auto';
  const sources = (configMaps: Record<string, Record<string, string>> = {}, secrets: Record<string, Record<string, string>> = {}) => ({
    configMaps: new Map(Object.entries(configMaps)),
    secrets: new Map(Object.entries(secrets).map(([name, d]) => [name, fetched(d)])),
  });
  const render = (target: Record<string, unknown>, data: Record<string, string>, src = sources()) =>
    written(planGenericTarget({ es: generic(target), data: fetched({ pw: PW, ...data }), live: undefined, renderTemplate, templateSources: src }));
  const literal = (lit: string, valuesDecodingStrategy: Strategy, target?: string, manifest?: object) =>
    ({ ...(manifest && { manifest }), template: { templateFrom: [{ literal: lit, valuesDecodingStrategy, ...(target !== undefined && { target }) }] } });
  const failsWith = (fn: () => unknown, code: string, message: RegExp) =>
    assert.throws(fn, (e: unknown) => {
      assert.ok(e instanceof ProjectorError, String(e));
      assert.equal(e.code, code, e.message);
      assert.match(e.message, message);
      assert.ok(!e.message.includes(PW), 'a secret value in the message');
      return true;
    });

  it('a literal at a ConfigMap\'s Data, Labels or Annotations: each value decoded, never the key (mapScopeApply)', () => {
    const o = render(literal('a: "{{ .x }}"\nYWJj: V29ybGQ=\n', 'Base64'), { x: b64('Hello') });
    assert.deepEqual(o.data, { a: 'Hello', YWJj: 'World' });
    assert.equal(meta(render(literal('tier: Z29sZA==', 'Base64', 'Labels'), {})).labels!.tier, 'gold');
    assert.equal(meta(render(literal('note: Pz8_', 'Base64URL', 'annotations'), {})).annotations!.note, '???');
    // "Pz8_" is URL-safe base64 of "???" (Base64 refuses "_"); Auto falls back to the value as it is.
    assert.deepEqual(render(literal('q: Pz8_\nr: SGVsbG8=\nplain: dbuser', 'Auto'), {}).data, { q: '???', r: 'Hello', plain: 'dbuser' });
    assert.deepEqual(render(literal('a: SGVsbG8=', 'None'), {}).data, { a: 'SGVsbG8=' });
  });

  it('a literal at a custom resource: decoded at Data and Annotations, not in a document at Spec or a path (applyParsedToPath)', () => {
    const o = render({ manifest: WIDGET, template: { templateFrom: [
      { target: 'spec.foo', literal: 'a: SGVsbG8=\nb: "{{ .x }}"', valuesDecodingStrategy: 'Base64' },
      { target: 'Data', literal: 'a: SGVsbG8=', valuesDecodingStrategy: 'Base64' },
      { target: 'Annotations', literal: 'note: "{{ .x }}"', valuesDecodingStrategy: 'Auto' },
    ] } }, { x: b64('World') });
    assert.deepEqual(o.spec, { foo: { a: 'SGVsbG8=', b: b64('World') } });
    assert.deepEqual(o.data, { a: 'Hello' });
    assert.equal(meta(o).annotations!.note, 'World');
    // A one-name path keeps its case ("Spec" would be a top-level field of its own, as in ESO's default route).
    assert.deepEqual(render(literal('a: SGVsbG8=', 'Base64', 'spec', WIDGET), {}).spec, { a: 'SGVsbG8=' });
    // Nothing is decoded there, so a value that is not base64 is no error either.
    assert.deepEqual(render(literal('x: "{{ .pw }}"', 'Base64', 'spec.foo', WIDGET), {}).spec, { foo: { x: PW } });
  });

  it('configMap and secret items at Data: decoded into the scratch Secret, then rendered again and not decoded again', () => {
    const src = sources({ tpl: { conf: '{{ .enc }}', twice: '{{ .double }}' } }, { 'tpl-s': { env: 'DSN: "{{ .dsn }}"', url: '{{ .u }}' } });
    const o = render(
      { template: { templateFrom: [
        { configMap: { name: 'tpl', items: [{ key: 'conf' }, { key: 'twice', templateAs: 'Values' }] }, valuesDecodingStrategy: 'Base64' },
        { secret: { name: 'tpl-s', items: [{ key: 'env', templateAs: 'KeysAndValues' }, { key: 'url' }] }, valuesDecodingStrategy: 'Auto' },
      ] } },
      // The decoded text is itself a template (the second execute renders tempSecret.Data); "double"
      // is base64 twice, decoded once (the second execute passes ExternalSecretDecodeNone).
      { enc: b64('user={{ .user }}'), double: b64(b64('x')), dsn: b64url('db://a?b>'), u: 'https://plain', user: 'alice' },
      src,
    );
    assert.deepEqual(o.data, { conf: 'user=alice', twice: b64('x'), DSN: 'db://a?b>', url: 'https://plain' });
    // The same items at a custom resource's Data (setField "data").
    const widget = render({ manifest: WIDGET, template: { templateFrom: [{ configMap: { name: 'tpl', items: [{ key: 'conf' }] }, valuesDecodingStrategy: 'Base64URL', target: 'DATA' }] } }, { enc: b64url('{{ .user }}?>'), user: 'bob' }, src);
    assert.deepEqual(widget.data, { conf: 'bob?>' });
  });

  it('items at another target write nothing, but their values are still decoded, so one that does not decode fails', () => {
    const src = sources({ tpl: { pw: '{{ .pw }}', kv: 'a: "{{ .pw }}"', ok: 'SGVsbG8=' } });
    const items = (keys: { key: string; templateAs?: 'Values' | 'KeysAndValues' }[], target: string, manifest?: object) =>
      ({ ...(manifest && { manifest }), template: { templateFrom: [{ target, configMap: { name: 'tpl', items: keys }, valuesDecodingStrategy: 'Base64' as const }] } });
    // Decodes and writes nothing (ESO applies only the scratch Secret's Data).
    const quiet = render(items([{ key: 'ok' }], 'spec.foo', WIDGET), {}, src);
    assert.deepEqual([quiet.spec, meta(render(items([{ key: 'ok' }], 'Labels'), {}, src)).labels!.ok], [{}, undefined]);
    // valueScopeApply decodes before applyToTarget: Values fails at any target, with the Secret path's text.
    for (const [target, manifest] of [['Labels', undefined], ['spec.foo', WIDGET], ['Spec', WIDGET]] as const) {
      failsWith(() => render(items([{ key: 'pw' }], target, manifest), {}, src), 'VaultBadValue',
        /^spec\.target\.template\.templateFrom\[0\]\.configMap\.items\[0\]: failed to decode rendered template value for key "pw": illegal base64 data at input byte 6 \(valuesDecodingStrategy Base64\)$/);
    }
    // KeysAndValues decodes the map's values at Labels/Annotations; a document at a path is not decoded.
    failsWith(() => render(items([{ key: 'kv', templateAs: 'KeysAndValues' }], 'annotations'), {}, src), 'VaultBadValue',
      /^spec\.target\.template\.templateFrom\[0\]\.configMap\.items\[0\]: failed to decode rendered template value for key #1: illegal base64 data at input byte 6 \(valuesDecodingStrategy Base64\)$/);
    assert.deepEqual(render(items([{ key: 'kv', templateAs: 'KeysAndValues' }], 'spec.foo', WIDGET), {}, src).spec, {});
  });

  it('items check their path when they write it to the scratch Secret, after decoding (applyToTarget parseTargetPath)', () => {
    const src = sources({ tpl: { ok: 'SGVsbG8=', bad: 'not-base64!' } });
    const at = (target: string, key: string, templateAs: 'Values' | 'KeysAndValues' = 'Values') =>
      () => render({ manifest: WIDGET, template: { templateFrom: [{ target, configMap: { name: 'tpl', items: [{ key, templateAs }] }, valuesDecodingStrategy: 'Base64' }] } }, {}, src);
    failsWith(at('spec..x', 'ok'), 'InvalidSpec', /^spec\.target\.template\.templateFrom\[0\]\.target: invalid path "spec\.\.x": empty segment$/);
    failsWith(at('', 'ok'), 'InvalidSpec', /^spec\.target\.template\.templateFrom\[0\]\.target: invalid path "": empty segment$/);
    // valueScopeApply decodes first, so the value's error comes before the path's.
    failsWith(at('spec..x', 'bad'), 'VaultBadValue', /failed to decode rendered template value for key "bad": illegal base64 data at input byte 3/);
    // mapScopeApply at a path parses the YAML document, then the path.
    failsWith(at('[0].x', 'ok', 'KeysAndValues'), 'InvalidSpec', /^spec\.target\.template\.templateFrom\[0\]\.target: invalid path "\[0\]\.x": path must start with a key$/);
    // Without items nothing is executed, so nothing is checked (an empty target included).
    assert.deepEqual(render({ manifest: WIDGET, template: { templateFrom: [{ target: '', configMap: { name: 'tpl', items: [] } }] } }, {}, src).spec, {});
  });

  it('a literal value that does not decode fails with the Secret path\'s text, the rendered key named by position', () => {
    failsWith(() => render(literal(`ok: SGVsbG8=\n${PW}: not-base64!`, 'Base64'), {}), 'VaultBadValue',
      /^spec\.target\.template\.templateFrom\[0\]\.literal: failed to decode rendered template value for key #2: illegal base64 data at input byte 3 \(valuesDecodingStrategy Base64\)$/);
  });

  it('decoded bytes that are not UTF-8 fail where they would be written (ESO writes U+FFFD: docs/design/000-overview.md)', () => {
    const bin = Buffer.from([0xff, 0x00, 0xc3]).toString('base64');
    failsWith(() => render(literal(`a: ${bin}`, 'Base64'), {}), 'TemplateBinaryValue', /^spec\.target\.template\.templateFrom\[0\]\.literal renders binary data \(bytes that are not UTF-8\) for key #1/);
    const src = sources({ tpl: { bin: '{{ .bin }}' } });
    failsWith(() => render({ template: { templateFrom: [{ configMap: { name: 'tpl', items: [{ key: 'bin' }] }, valuesDecodingStrategy: 'Base64' }] } }, { bin }, src), 'TemplateBinaryValue',
      /^spec\.target\.template\.templateFrom\[0\]\.configMap\.items\[0\] renders binary data \(bytes that are not UTF-8\) for key "bin"/);
    // Bytes the second execute drops (inside a template comment) never reach the object, as in Go.
    const commented = Buffer.concat([Buffer.from('ok{{/* '), Buffer.from([0xff]), Buffer.from(' */}}')]).toString('base64');
    assert.deepEqual(render({ template: { templateFrom: [{ configMap: { name: 'tpl', items: [{ key: 'bin' }] }, valuesDecodingStrategy: 'Base64' }] } }, { bin: commented }, src).data, { bin: 'ok' });
  });

  it('template.data is never decoded; an empty literal target is Data (renderTemplatedManifest defaults it)', () => {
    const o = render({ template: { data: { d: 'SGVsbG8=' }, templateFrom: [{ literal: 'a: SGVsbG8=', target: '', valuesDecodingStrategy: 'Base64' }] } }, {});
    assert.deepEqual(o.data, { a: 'Hello', d: 'SGVsbG8=' });
  });
});
