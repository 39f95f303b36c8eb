// spec.target.template.templateFrom with configMap, secret and literal sources, against ESO's
// semantics (pkg/controllers/templating/parser.go, pkg/controllers/externalsecret/
// externalsecret_controller_template.go ApplyTemplate, runtime/template/v2/template.go Execute).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultTemplateRenderer } from '../../../src/core/default-template-renderer.ts';
import { planTargetSecret, type TemplateSources } from '../../../src/core/plan-target-secret.ts';
import { templateSourceNames } from '../../../src/core/render-target-template.ts';
import { yamlToStringMap } from '../../../src/core/template/go-yaml.ts';
import { ProjectorError } from '../../../src/core/errors.ts';
import type { ExternalSecret } from '../../../src/api/index.ts';
import { externalSecret, fetched, text } from '../../support/builders.ts';

const render = defaultTemplateRenderer({ now: () => new Date('2026-11-23T10:00:00Z') });
const CANARY = 'canary-tf-9d41';

function sources(configMaps: Record<string, Record<string, string>> = {}, secrets: Record<string, Record<string, string>> = {}): TemplateSources {
  return {
    configMaps: new Map(Object.entries(configMaps)),
    secrets: new Map(Object.entries(secrets).map(([name, data]) => [name, fetched(data)])),
  };
}

function withTemplate(template: NonNullable<NonNullable<ExternalSecret['spec']['target']>['template']>): ExternalSecret {
  return externalSecret({ target: { name: 'app', creationPolicy: 'Owner', template } });
}

function plan(es: ExternalSecret, src: TemplateSources | undefined, data: Record<string, string> = { user: 'u1', password: CANARY }) {
  const p = planTargetSecret({ es, data: fetched(data), allMissing: false, live: undefined, renderTemplate: render, templateSources: src });
  assert.ok(p.action === 'create', `expected create, got ${p.action}`);
  return p.secret;
}

function dataOf(secret: { data: ReadonlyMap<string, unknown> }): Record<string, string | undefined> {
  return Object.fromEntries([...secret.data.keys()].sort().map((k) => [k, text(secret.data.get(k) as never)]));
}

function failsWith(fn: () => unknown, code: string, message: RegExp | string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ProjectorError, String(e));
    assert.equal(e.code, code, e.message);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    assert.ok(!e.message.includes(CANARY), 'a secret value in the message');
    return true;
  });
}

describe('templateFrom configMap and secret', () => {
  it('Values: each item key becomes a Secret key holding its rendered template (ESO docs "TemplateFrom")', () => {
    const es = withTemplate({ templateFrom: [{ configMap: { name: 'tpl', items: [{ key: 'config.yml', templateAs: 'Values' }] } }] });
    const secret = plan(es, sources({ tpl: { 'config.yml': 'db:\n  user: {{ .user }}\n  password: {{ .password }}\n', unused: '{{ .nope }}' } }));
    assert.deepEqual(dataOf(secret), { 'config.yml': `db:\n  user: u1\n  password: ${CANARY}\n` });
  });

  it('an absent templateAs means Values (the CRD default)', () => {
    const es = withTemplate({ templateFrom: [{ configMap: { name: 'tpl', items: [{ key: 'a' }] } }] });
    assert.deepEqual(dataOf(plan(es, sources({ tpl: { a: 'x-{{ .user }}' } }))), { a: 'x-u1' });
  });

  it('KeysAndValues: the rendered template is a YAML map whose entries become keys', () => {
    const es = withTemplate({ templateFrom: [{ configMap: { name: 'tpl', items: [{ key: 'all', templateAs: 'KeysAndValues' }] } }] });
    const secret = plan(es, sources({ tpl: { all: 'DB_USER: {{ .user }}\nDB_PASS: "{{ .password }}"\nPORT: 5432\nTLS: yes\n' } }));
    // sigs.k8s.io/yaml v1.6.0 Unmarshal into map[string]string: 5432 → "5432", yes → "true" (YAML 1.1).
    assert.deepEqual(dataOf(secret), { DB_PASS: CANARY, DB_USER: 'u1', PORT: '5432', TLS: 'true' });
  });

  it('a Secret as the source: its bytes are the template (Values and KeysAndValues)', () => {
    const es = withTemplate({
      templateFrom: [{ secret: { name: 'tpl-secret', items: [{ key: 'dsn', templateAs: 'Values' }, { key: 'env', templateAs: 'KeysAndValues' }] } }],
    });
    const secret = plan(es, sources({}, { 'tpl-secret': { dsn: 'postgres://{{ .user }}:{{ .password }}@db', env: 'USER: {{ .user | upper }}' } }));
    assert.deepEqual(dataOf(secret), { USER: 'U1', dsn: `postgres://u1:${CANARY}@db` });
  });

  it('applies entries in order (configMap, secret, literal within one), later writes win, template.data wins over all', () => {
    const es = withTemplate({
      data: { shared: 'from-data' },
      templateFrom: [
        { configMap: { name: 'cm', items: [{ key: 'k', templateAs: 'KeysAndValues' }] }, secret: { name: 'sec', items: [{ key: 'k', templateAs: 'KeysAndValues' }] }, literal: 'third: lit\n' },
        { literal: 'first: later-entry\nshared: from-literal' },
      ],
    });
    const secret = plan(es, sources({ cm: { k: 'first: cm\nsecond: cm\nthird: cm' } }, { sec: { k: 'second: sec\nthird: sec' } }));
    assert.deepEqual(dataOf(secret), { first: 'later-entry', second: 'sec', shared: 'from-data', third: 'lit' });
  });

  it('with templateFrom alone the provider data is left out (Replace), kept with mergePolicy Merge', () => {
    const tf = [{ literal: 'x: "{{ .user }}"' }];
    assert.deepEqual(dataOf(plan(withTemplate({ templateFrom: tf }), undefined)), { x: 'u1' });
    assert.deepEqual(dataOf(plan(withTemplate({ templateFrom: tf, mergePolicy: 'Merge' }), undefined)), { password: CANARY, user: 'u1', x: 'u1' });
  });

  it('target Labels and Annotations put the rendered entries in metadata; template.metadata wins', () => {
    const es = withTemplate({
      metadata: { labels: { team: 'from-metadata' } },
      data: { d: 'v' },
      templateFrom: [
        { target: 'Labels', configMap: { name: 'meta', items: [{ key: 'labels', templateAs: 'KeysAndValues' }, { key: 'tier', templateAs: 'Values' }] } },
        { target: 'Annotations', literal: 'example.com/owner: "{{ .user }}"' },
      ],
    });
    const secret = plan(es, sources({ meta: { labels: 'team: from-cm\napp: "{{ .user }}"', tier: 'backend' } }));
    assert.equal(secret.labels.team, 'from-metadata');
    assert.equal(secret.labels.app, 'u1');
    assert.equal(secret.labels.tier, 'backend');
    assert.equal(secret.annotations['example.com/owner'], 'u1');
    assert.deepEqual(dataOf(secret), { d: 'v' });
  });

  it('lists the ConfigMaps and Secrets to read, once each', () => {
    const es = withTemplate({
      templateFrom: [{ configMap: { name: 'a', items: [] } }, { secret: { name: 's', items: [] }, configMap: { name: 'a', items: [] } }, { literal: 'x: y' }, { configMap: { name: 'b', items: [] } }],
    });
    assert.deepEqual(templateSourceNames(es), { configMaps: ['a', 'b'], secrets: ['s'] });
    assert.deepEqual(templateSourceNames(externalSecret()), { configMaps: [], secrets: [] });
  });
});

describe('templateFrom valuesDecodingStrategy (ESO runtime/template/v2/template.go valueScopeApply / mapScopeApply)', () => {
  // Cases of ESO's TestExecuteDecodesRenderedTemplateValues and pkg/controllers/templating/parser_test.go.
  const literal = (lit: string, valuesDecodingStrategy?: 'None' | 'Base64' | 'Base64URL' | 'Auto', target?: string) =>
    withTemplate({ templateFrom: [{ literal: lit, ...(target && { target }), ...(valuesDecodingStrategy && { valuesDecodingStrategy }) }] });

  it('KeysAndValues decodes each rendered value, never the keys', () => {
    assert.deepEqual(dataOf(plan(literal('service-a: SGVsbG8=\nservice-b: V29ybGQ=\n', 'Base64'), undefined)), { 'service-a': 'Hello', 'service-b': 'World' });
    // ESO's case has the key "SGVsbG8=", which a Secret cannot hold; "YWJj" is base64 of "abc" and stays.
    assert.deepEqual(dataOf(plan(literal('YWJj: V29ybGQ=\n', 'Base64'), undefined)), { YWJj: 'World' });
  });

  it('Values decodes the rendered value (configMap and secret items)', () => {
    const es = withTemplate({
      templateFrom: [
        { configMap: { name: 'tpl', items: [{ key: 'service-a' }] }, valuesDecodingStrategy: 'Base64' },
        { secret: { name: 'tpl-s', items: [{ key: 'service-b', templateAs: 'Values' }] }, valuesDecodingStrategy: 'Base64' },
      ],
    });
    const got = plan(es, sources({ tpl: { 'service-a': '{{ .encoded }}' } }, { 'tpl-s': { 'service-b': '{{ .encoded | b64dec | b64enc }}' } }), { encoded: 'SGVsbG8=' });
    assert.deepEqual(dataOf(got), { 'service-a': 'Hello', 'service-b': 'Hello' });
  });

  it('None or absent keeps the rendered value; template.data is never decoded (ESO MergeMap passes None)', () => {
    assert.deepEqual(dataOf(plan(literal('service-a: SGVsbG8=\n', 'None'), undefined)), { 'service-a': 'SGVsbG8=' });
    assert.deepEqual(dataOf(plan(literal('service-a: SGVsbG8=\n'), undefined)), { 'service-a': 'SGVsbG8=' });
    const es = withTemplate({ templateFrom: [{ literal: 'a: SGVsbG8=', valuesDecodingStrategy: 'Base64' }], data: { encoded: 'SGVsbG8=' } });
    assert.deepEqual(dataOf(plan(es, undefined)), { a: 'Hello', encoded: 'SGVsbG8=' });
  });

  it('Base64URL and Auto as decodingStrategy reads them (Go encoding/base64 URLEncoding; Auto falls back to the value)', () => {
    // "Pz8_" is URL-safe base64 of "???"; Base64 (standard) refuses "_".
    assert.deepEqual(dataOf(plan(literal('q: Pz8_\n', 'Base64URL'), undefined)), { q: '???' });
    assert.deepEqual(dataOf(plan(literal('q: Pz8_\nr: SGVsbG8=\nplain: dbuser\n', 'Auto'), undefined)), { plain: 'dbuser', q: '???', r: 'Hello' });
  });

  it('decoded binary bytes reach data exactly, and fail as binary in annotations', () => {
    const es = withTemplate({ templateFrom: [{ configMap: { name: 'tpl', items: [{ key: 'bin' }] }, valuesDecodingStrategy: 'Base64' }] });
    const got = plan(es, sources({ tpl: { bin: '{{ .encoded }}' } }), { encoded: Buffer.from([0xff, 0x00, 0xc3]).toString('base64') });
    assert.deepEqual([...got.data.get('bin')!.reveal()], [0xff, 0x00, 0xc3]);
    failsWith(() => plan(literal('note: /wDD\n', 'Base64', 'Annotations'), undefined), 'TemplateBinaryValue', /^spec\.target\.template\.templateFrom\[0\]\.literal renders binary data/);
  });

  it("a value that does not decode: ESO's text with Go's offset, a rendered key named by position, never the value", () => {
    failsWith(
      () => plan(literal(`service-a: not-base64!\n${CANARY}: "{{ .password }}"\n`, 'Base64'), undefined),
      'VaultBadValue',
      'spec.target.template.templateFrom[0].literal: failed to decode rendered template value for key #1: illegal base64 data at input byte 3 (valuesDecodingStrategy Base64)',
    );
    const es = withTemplate({ templateFrom: [{ configMap: { name: 'tpl', items: [{ key: 'pw' }] }, valuesDecodingStrategy: 'Base64URL' }] });
    failsWith(
      () => plan(es, sources({ tpl: { pw: '{{ .password }}' } })),
      'VaultBadValue',
      /^spec\.target\.template\.templateFrom\[0\]\.configMap\.items\[0\]: failed to decode rendered template value for key "pw": illegal base64 data at input byte \d+ \(valuesDecodingStrategy Base64URL\)$/,
    );
  });
});

describe('templateFrom failures', () => {
  it('a ConfigMap or Secret that does not exist: ESO\'s text, retried', () => {
    const cm = withTemplate({ templateFrom: [{ configMap: { name: 'gone', items: [{ key: 'a' }] } }] });
    failsWith(() => plan(cm, sources()), 'TemplateSourceNotFound', 'error fetching templateFrom data: configmaps "gone" not found');
    const sec = withTemplate({ templateFrom: [{ secret: { name: 'gone', items: [{ key: 'a' }] } }] });
    failsWith(() => plan(sec, sources()), 'TemplateSourceNotFound', 'error fetching templateFrom data: secrets "gone" not found');
    assert.equal(new ProjectorError('TemplateSourceNotFound', '').retry, 'backoff');
  });

  it('a key the ConfigMap or Secret lacks: ESO\'s text (parser.go errTplCMMissingKey / errTplSecMissingKey)', () => {
    const cm = withTemplate({ templateFrom: [{ configMap: { name: 'tpl', items: [{ key: 'missing' }] } }] });
    failsWith(() => plan(cm, sources({ tpl: { other: 'x' } })), 'TemplateSourceNotFound', 'error fetching templateFrom data: error in configmap tpl: missing key missing');
    const sec = withTemplate({ templateFrom: [{ secret: { name: 'tpl', items: [{ key: 'missing' }] } }] });
    failsWith(() => plan(sec, sources({}, { tpl: { other: 'x' } })), 'TemplateSourceNotFound', 'error fetching templateFrom data: error in secret tpl: missing key missing');
  });

  it('a template in a ConfigMap that does not parse is the source\'s problem: retried, never a value in the message', () => {
    const es = withTemplate({ templateFrom: [{ configMap: { name: 'tpl', items: [{ key: 'bad' }] } }] });
    failsWith(() => plan(es, sources({ tpl: { bad: '{{ .user ' } })), 'TemplateSourceInvalid', /bad/);
    assert.equal(new ProjectorError('TemplateSourceInvalid', '').retry, 'backoff');
    // The same error in the spec's own literal is the spec's: terminal.
    failsWith(() => plan(withTemplate({ templateFrom: [{ literal: '{{ .user ' }] }), undefined), 'InvalidSpec', /templateFrom\[0\]\.literal/);
  });

  it('KeysAndValues that does not render to a map of strings: Go\'s reason, never the content', () => {
    const es = withTemplate({ templateFrom: [{ configMap: { name: 'tpl', items: [{ key: 'kv', templateAs: 'KeysAndValues' }] } }] });
    failsWith(
      () => plan(es, sources({ tpl: { kv: 'nested:\n  password: {{ .password }}' } })),
      'VaultBadValue',
      'spec.target.template.templateFrom[0].configMap.items[0] did not render to a YAML map of strings: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal object into Go value of type string',
    );
    failsWith(() => plan(es, sources({ tpl: { kv: '{{ .password }}' } })), 'VaultBadValue', /cannot unmarshal string into Go value of type map\[string\]string$/);
  });

  it('a label key or value made from secret data that the API server would refuse: named by position, never printed', () => {
    const key = withTemplate({ templateFrom: [{ target: 'Labels', literal: 'ok: fine\n"{{ .password }} x": v' }] });
    failsWith(() => plan(key, undefined), 'VaultBadValue', /^key #2 rendered by spec\.target\.template\.templateFrom\[0\]\.literal is not a valid label key/);
    const value = withTemplate({ templateFrom: [{ target: 'Labels', literal: 'ok: "{{ .password }} with spaces"' }] });
    failsWith(() => plan(value, undefined), 'VaultBadValue', /is not a valid label value/);
    // template.metadata.labels values too: dev (no API server) must fail where the operator's write would.
    const metaValue = withTemplate({ metadata: { labels: { team: '{{ .password }}!!' } } });
    failsWith(() => plan(metaValue, undefined), 'VaultBadValue', /^the value rendered by spec\.target\.template\.metadata\.labels\["team"\] for key "team" is not a valid label value .*; not shown\)$/);
    const dataKey = withTemplate({ templateFrom: [{ configMap: { name: 'c', items: [{ key: 'kv', templateAs: 'KeysAndValues' }] } }] });
    failsWith(() => plan(dataKey, sources({ c: { kv: '"{{ .password }}/x": v' } })), 'VaultBadValue', /^key #1 rendered by spec\.target\.template\.templateFrom\[0\]\.configMap\.items\[0\] is not a valid Secret key/);
  });
});

describe('yamlToStringMap (sigs.k8s.io/yaml v1.6.0 Unmarshal into map[string]string)', () => {
  // Expected values printed by a Go program calling sigs.k8s.io/yaml v1.6.0 yaml.Unmarshal(in, &map[string]string{}).
  const cases: [string, [string, string][] | string][] = [
    ['a: 1', [['a', '1']]],
    ['a: yes', [['a', 'true']]],
    ['a: 1.0', [['a', '1']]],
    ['a: 3.14159265358979', [['a', '3.1415927']]],
    ['a: 1e40', [['a', '+Inf']]],
    ['a: .nan', [['a', 'NaN']]],
    ['a: 100000000000000000000', [['a', '1e+20']]],
    ['a: 18446744073709551615', [['a', '18446744073709551615']]],
    ['a: -9223372036854775809', [['a', '-9.223372e+18']]],
    ['a: 0x10', [['a', '16']]],
    ['a: null', [['a', '']]],
    ['a: !!binary aGVsbG8=', [['a', 'hello']]],
    ['a: 2024-01-01', [['a', '2024-01-01']]],
    ['<<: {a: 1}\nb: 2', [['a', '1'], ['b', '2']]],
    ['1: x', [['1', 'x']]],
    ['~', []],
    ['', []],
    ['- x', 'error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]string'],
    ['b: 1\na: [1]', 'error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type string'],
    ['x: [1]\na: {b: 1}', 'error unmarshaling JSON: while decoding JSON: json: cannot unmarshal object into Go value of type string'],
  ];
  for (const [input, want] of cases) {
    it(JSON.stringify(input), () => {
      const got = yamlToStringMap(input);
      if (typeof want === 'string') assert.deepEqual(got, { ok: false, error: want });
      else assert.deepEqual(got, { ok: true, entries: want });
    });
  }
});
