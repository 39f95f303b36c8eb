// core/push-secret-data-to.ts and planPushItems with spec.dataTo, against ESO v2.9's
// pkg/controllers/pushsecret/pushsecret_controller.go (expandDataTo, expandSingleDataTo, matchKeys,
// rewriteWithKeyMapping, registerRemoteKeys, resolveSourceKeyConflicts, resolveOriginalKey,
// validateDataToStoreRefs, validateDataToMatchesResolvedStores, dataToMatchesStore) and its tests
// (pushsecret_controller_test.go: syncWithDataTo*, syncDataToWithDataOverride, failDataTo*,
// "mergeDataEntries unit tests"), and runtime/esutils/utils.go (ReverseKey, ReverseKeys).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PushSecret } from '../../../src/api/pushsecret.ts';
import { defaultKeyTemplateRenderer } from '../../../src/core/default-template-renderer.ts';
import { ProjectorError } from '../../../src/core/errors.ts';
import { assertDataToSelectorsMatch, dataToIssues, dataToTargetsStore, expandDataTo, resolveSourceKeyConflicts, reverseKeys, reverseUnicodeKey, type PushStoreIdentity } from '../../../src/core/push-secret-data-to.ts';
import { planPushItems, validatePushSecret } from '../../../src/core/push-secret.ts';
import { Sensitive } from '../../../src/core/sensitive.ts';

const bytes = (s: string) => new Sensitive(new Uint8Array(Buffer.from(s, 'utf8')));
const text = (b: Sensitive<Uint8Array>) => Buffer.from(b.reveal()).toString('utf8');
const src = (o: Record<string, string>) => new Map(Object.entries(o).map(([k, v]) => [k, bytes(v)]));
const keyTemplates = defaultKeyTemplateRenderer({ now: () => new Date(0) });
const kv: PushStoreIdentity = { kind: 'SecretStore', name: 'kv', labels: { env: 'test' } };

function ps(spec: Partial<PushSecret['spec']> = {}): PushSecret {
  return {
    apiVersion: 'external-secrets.io/v1alpha1',
    kind: 'PushSecret',
    metadata: { name: 'p', namespace: 'ns', generation: 1 },
    spec: { secretStoreRefs: [{ name: 'kv', kind: 'SecretStore' }], selector: { secret: { name: 'src' } }, ...spec },
  };
}
const plan = (p: PushSecret, source: Map<string, Sensitive<Uint8Array>>, store: PushStoreIdentity = kv) => planPushItems(p, source, { store, renderKeyTemplate: keyTemplates });
const pairs = (items: ReturnType<typeof plan>) => items.map((i) => [i.data.match.secretKey ?? '', i.statusRef, text(i.value)]);

describe('conversionStrategy ReverseUnicode (esutils ReverseKey)', () => {
  it('turns _U<hex>_ back into the character, as Go does', () => {
    // Expected values from Go 1.26 running ESO's reverse steps (regexp `_U([0-9a-fA-F]{4,5})_`,
    // FindAllStringSubmatchIndex, strconv.ParseInt(hex, 16, 32), fmt.Sprintf("%c")).
    const cases: [string, string][] = [
      ['db_U002f_host', 'db/host'],
      ['_U00e9_t_U00E9_', 'été'],
      ['_U1F600_', '😀'],
      ['_U0041__U0042_', 'AB'],
      ['_U0041_U0042_', 'AU0042_'], // the shared `_` belongs to the first match only
      ['_Ud800_', '\ufffd'], // %c of a surrogate code point is U+FFFD
      ['_U00e9a_', '\u0e9a'], // five hex digits are taken when present
      ['_U12_', '_U12_'],
      ['a_U002e_b_U002e', 'a.b_U002e'],
      ['_U_U0041_', '_UA'],
    ];
    for (const [from, to] of cases) assert.equal(reverseUnicodeKey('ReverseUnicode', from), to, from);
    assert.equal(reverseUnicodeKey('None', 'db_U002f_host'), 'db_U002f_host');
    assert.equal(reverseUnicodeKey(undefined, 'db_U002f_host'), 'db_U002f_host');
  });

  it('converts every key; two keys converting to one fail naming the key, never a value', () => {
    assert.deepEqual([...reverseKeys('ReverseUnicode', src({ a_U002f_b: '1', c: '2' }), 'spec.data[0]').keys()], ['a/b', 'c']);
    assert.throws(
      () => reverseKeys('ReverseUnicode', src({ a_U002f_b: 'secret-1', 'a_U002F_b': 'secret-2' }), 'spec.data[0]'),
      (e: ProjectorError) => e.code === 'InvalidSpec' && e.details.field === 'spec.data[0].conversionStrategy' && /secret name collision during conversion: a\/b$/.test(e.message) && !e.message.includes('secret-'),
    );
  });

  it('spec.data items look the converted key up and push a whole Secret with converted keys', () => {
    const p = ps({ data: [
      { match: { secretKey: 'db/host', remoteRef: { remoteKey: 'host' } }, conversionStrategy: 'ReverseUnicode' },
      { match: { remoteRef: { remoteKey: 'all' } }, conversionStrategy: 'ReverseUnicode' },
    ] });
    assert.deepEqual(pairs(plan(p, src({ db_U002f_host: 'h', 'x_U00e9_': 'y' }))), [['db/host', 'host', 'h'], ['', 'all', '{"db/host":"h","xé":"y"}']]);
    // Without the strategy the converted name is not a key of the Secret (ESO: secret key ... does not exist).
    assert.throws(() => plan(ps({ data: [{ match: { secretKey: 'db/host', remoteRef: { remoteKey: 'host' } } }] }), src({ db_U002f_host: 'h' })), (e: ProjectorError) => e.code === 'SourceNotFound' && e.message === 'secret key db/host does not exist');
    assert.deepEqual(validatePushSecret(p), [], 'ReverseUnicode is no longer NotSupported');
  });
});

describe('spec.dataTo expansion (expandDataTo)', () => {
  const source = src({ 'db-host': 'localhost', 'db-port': '5432', 'app-name': 'myapp' });

  it('per-key mode: all keys when no match (syncWithDataToMatchAll), sorted, each pushed to its own name', () => {
    const items = plan(ps({ dataTo: [{ storeRef: { name: 'kv' } }] }), source);
    assert.deepEqual(pairs(items), [['app-name', 'app-name', 'myapp'], ['db-host', 'db-host', 'localhost'], ['db-port', 'db-port', '5432']]);
    assert.deepEqual(items[0]!.data, { match: { secretKey: 'app-name', remoteRef: { remoteKey: 'app-name' } }, conversionStrategy: 'None' });
    assert.equal(items[0]!.field, 'spec.dataTo[0]');
  });

  it('match.regexp is Go regexp MatchString (unanchored) over the keys (syncWithDataToRegex)', () => {
    assert.deepEqual(pairs(plan(ps({ dataTo: [{ storeRef: { name: 'kv' }, match: { regexp: '^db-' } }] }), source)).map((p) => p[1]), ['db-host', 'db-port']);
    assert.deepEqual(pairs(plan(ps({ dataTo: [{ storeRef: { name: 'kv' }, match: { regexp: 'port' } }] }), source)).map((p) => p[1]), ['db-port']);
    // Go syntax, not JavaScript's: \z is Go's end of text.
    assert.deepEqual(pairs(plan(ps({ dataTo: [{ storeRef: { name: 'kv' }, match: { regexp: 'host\\z' } }] }), source)).map((p) => p[1]), ['db-host']);
  });

  it('rewrite: regexp (Go ReplaceAllString), transform (.value), chained in order (syncWithDataTo*Rewrite*)', () => {
    const regexp = ps({ dataTo: [{ storeRef: { name: 'kv' }, match: { regexp: '^db-' }, rewrite: [{ regexp: { source: '^db-', target: 'app/database/' } }] }] });
    assert.deepEqual(pairs(plan(regexp, source)), [['db-host', 'app/database/host', 'localhost'], ['db-port', 'app/database/port', '5432']]);
    const transform = ps({ dataTo: [{ storeRef: { name: 'kv' }, rewrite: [{ transform: { template: 'app/{{ .value | upper }}' } }] }] });
    assert.deepEqual(pairs(plan(transform, src({ username: 'admin' }))), [['username', 'app/USERNAME', 'admin']]);
    const chained = ps({ dataTo: [{ storeRef: { name: 'kv' }, rewrite: [{ regexp: { source: '^db-', target: '' } }, { regexp: { source: '^', target: 'app/' } }] }] });
    assert.deepEqual(pairs(plan(chained, src({ 'db-username': 'admin' }))), [['db-username', 'app/username', 'admin']]);
    // Go's $1 expansion: ${1}x, not JavaScript's.
    const groups = ps({ dataTo: [{ storeRef: { name: 'kv' }, rewrite: [{ regexp: { source: '^(db)-(.*)$', target: '${2}_$1' } }] }] });
    assert.deepEqual(pairs(plan(groups, src({ 'db-host': 'h' }))).map((p) => p[1]), ['host_db']);
  });

  it('bundle mode (remoteKey): the matched keys as one JSON object without secretKey (syncWithDataToBundle*)', () => {
    const items = plan(ps({ dataTo: [{ storeRef: { name: 'kv' }, remoteKey: 'db-config', match: { regexp: '^db-' }, metadata: { apiVersion: 'kubernetes.external-secrets.io/v1alpha1', kind: 'PushSecretMetadata', spec: { tags: { team: 'a' } } } }, { storeRef: { name: 'kv' }, match: { regexp: '^app-' } }] }), source);
    assert.deepEqual(pairs(items), [['', 'db-config', '{"db-host":"localhost","db-port":"5432"}'], ['app-name', 'app-name', 'myapp']]);
    assert.deepEqual(items[0]!.data, { match: { remoteRef: { remoteKey: 'db-config' } }, metadata: { apiVersion: 'kubernetes.external-secrets.io/v1alpha1', kind: 'PushSecretMetadata', spec: { tags: { team: 'a' } } }, conversionStrategy: 'None' });
    // A bundle under ReverseUnicode carries the converted key names (ESO matchedData is converted).
    const converted = plan(ps({ dataTo: [{ storeRef: { name: 'kv' }, remoteKey: 'b', conversionStrategy: 'ReverseUnicode' }] }), src({ a_U002f_b: '1' }));
    assert.equal(text(converted[0]!.value), '{"a/b":"1"}');
  });

  it('conversionStrategy: keys are matched and rewritten converted, the original Secret key is pushed (syncWithDataToConversionStrategy)', () => {
    const items = plan(ps({ dataTo: [{ storeRef: { name: 'kv' }, conversionStrategy: 'ReverseUnicode', match: { regexp: '/' }, rewrite: [{ regexp: { source: '/', target: '-' } }] }] }), src({ db_U002f_host: 'h', plain: 'p' }));
    assert.deepEqual(pairs(items), [['db_U002f_host', 'db-host', 'h']]);
    assert.equal(items[0]!.data.conversionStrategy, 'None', 'the conversion is done; status records None as ESO does');
  });

  it('an entry matching no key adds nothing; entries for another store are left out (syncWithDataToStoreRef)', () => {
    const p = ps({
      secretStoreRefs: [{ name: 'kv', kind: 'SecretStore' }, { name: 'second', kind: 'SecretStore' }],
      dataTo: [{ storeRef: { name: 'kv', kind: 'SecretStore' }, match: { regexp: '^db-' } }, { storeRef: { name: 'second' }, match: { regexp: '^app-' } }, { storeRef: { name: 'kv' }, match: { regexp: '^none' } }],
    });
    assert.deepEqual(pairs(plan(p, source)).map((x) => x[1]), ['db-host', 'db-port']);
    assert.deepEqual(pairs(plan(p, source, { kind: 'SecretStore', name: 'second', labels: {} })).map((x) => x[1]), ['app-name']);
    // No store given: spec.data only.
    assert.deepEqual(planPushItems(p, source), []);
  });

  it('explicit spec.data wins a Secret key dataTo also pushes, compared as original keys (syncDataToWithDataOverride, resolveSourceKeyConflicts)', () => {
    const p = ps({ dataTo: [{ storeRef: { name: 'kv' } }], data: [{ match: { secretKey: 'key1', remoteRef: { remoteKey: 'override-key1' } } }] });
    assert.deepEqual(pairs(plan(p, src({ key1: 'value1', key2: 'value2' }))), [['key2', 'key2', 'value2'], ['key1', 'override-key1', 'value1']]);
    // An explicit item under ReverseUnicode names the converted key; it still replaces the dataTo item of its original key.
    const conv = ps({ dataTo: [{ storeRef: { name: 'kv' } }], data: [{ match: { secretKey: 'a/b', remoteRef: { remoteKey: 'explicit' } }, conversionStrategy: 'ReverseUnicode' }] });
    assert.deepEqual(pairs(plan(conv, src({ a_U002f_b: 'v', c: 'w' }))), [['c', 'c', 'w'], ['a/b', 'explicit', 'v']]);
    // Deliberate difference: a whole-Secret explicit item (no secretKey) does not drop a bundle.
    const withBundle = ps({ dataTo: [{ storeRef: { name: 'kv' }, remoteKey: 'bundle' }], data: [{ match: { remoteRef: { remoteKey: 'all' } } }] });
    assert.deepEqual(pairs(plan(withBundle, src({ a: '1' }))).map((x) => x[1]), ['bundle', 'all']);
    const generic = resolveSourceKeyConflicts([{ data: { match: { secretKey: 'a', remoteRef: { remoteKey: 'x' } } } }], [{ data: { match: { secretKey: 'a', remoteRef: { remoteKey: 'y' } } } }], src({ a: '1' }));
    assert.deepEqual(generic.map((g) => g.data.match.remoteRef.remoteKey), ['y']);
  });

  it('fails on two destinations for one remote key, naming entries and keys (failDataToDuplicate*, registerRemoteKeys, validateRemoteKeyUniqueness)', () => {
    const across = ps({ dataTo: [
      { storeRef: { name: 'kv' }, match: { regexp: '^db-host$' }, rewrite: [{ regexp: { source: '.*', target: 'app/config' } }] },
      { storeRef: { name: 'kv' }, match: { regexp: '^db-port$' }, rewrite: [{ regexp: { source: '.*', target: 'app/config' } }] },
    ] });
    // ESO's texts: handlePushSecretDataForStore "failed to expand dataTo: %w" over registerRemoteKeys
    // "dataTo[%d]: duplicate remote key %q from source key %q (conflicts with %s)" (the conflict as
    // "dataTo[%d]:%s"), "failed to merge data entries: %w" over validateRemoteKeyUniqueness, and
    // expandSingleDataTo "empty remote key produced for source key %q" under expandDataTo's "dataTo[%d]: ".
    assert.throws(() => plan(across, source), (e: ProjectorError) => e.code === 'InvalidSpec' && e.message === 'failed to expand dataTo: dataTo[1]: duplicate remote key "app/config" from source key "db-port" (conflicts with dataTo[0]:db-host)' && !e.message.includes('localhost'));
    const withinOne = ps({ dataTo: [{ storeRef: { name: 'kv' }, rewrite: [{ regexp: { source: '-.*', target: '' } }] }] });
    assert.throws(() => plan(withinOne, source), (e: ProjectorError) => e.message === 'failed to expand dataTo: dataTo[0]: duplicate remote key "db" from source key "db-port" (conflicts with dataTo[0]:db-host)' && e.details.field === 'spec.dataTo[0]');
    const withData = ps({ dataTo: [{ storeRef: { name: 'kv' }, match: { regexp: '^db-host$' }, rewrite: [{ regexp: { source: '.*', target: 'myapp/config' } }] }], data: [{ match: { secretKey: 'app-name', remoteRef: { remoteKey: 'myapp/config' } } }] });
    assert.throws(() => plan(withData, source), (e: ProjectorError) => e.code === 'InvalidSpec' && e.details.field === 'spec.data[0].match.remoteRef' && e.message === 'failed to merge data entries: duplicate remote key "myapp/config": source keys "db-host" and "app-name" both map to the same destination');
    const empty = ps({ dataTo: [{ storeRef: { name: 'kv' }, rewrite: [{ regexp: { source: '.*', target: '' } }] }] });
    assert.throws(() => plan(empty, src({ a: '1' })), (e: ProjectorError) => e.message === 'failed to expand dataTo: dataTo[0]: empty remote key produced for source key "a"' && e.details.field === 'spec.dataTo[0].rewrite');
  });

  it('keys with the same value are both pushed (syncWithDataToDuplicateValues); a template-made key is matched (templateCreatesKeysThenDataToMatches)', () => {
    const p = ps({ dataTo: [{ storeRef: { name: 'kv' }, rewrite: [{ regexp: { source: '-host$', target: '/endpoint' } }] }] });
    assert.deepEqual(pairs(plan(p, src({ 'db-host': 'same', 'cache-host': 'same' }))).map((x) => x[1]), ['cache/endpoint', 'db/endpoint']);
    // planPushItems gets the data after the template: a key the template added is a key like any other.
    const q = ps({ dataTo: [{ storeRef: { name: 'kv' }, match: { regexp: '.*-connection$' } }] });
    assert.deepEqual(pairs(plan(q, src({ db_host: 'h', 'mysql-connection': 'mysql://h' }))).map((x) => x[1]), ['mysql-connection']);
  });
});

describe('dataTo store targeting and static rules', () => {
  it('targets a store by name and kind, or by kind and labels (dataToMatchesStore)', () => {
    assert.equal(dataToTargetsStore({ storeRef: { name: 'kv' } }, kv), true);
    assert.equal(dataToTargetsStore({ storeRef: { name: 'kv', kind: 'ClusterSecretStore' } }, kv), false);
    assert.equal(dataToTargetsStore({ storeRef: { labelSelector: { matchLabels: { env: 'test' } } } }, kv), true);
    assert.equal(dataToTargetsStore({ storeRef: { labelSelector: { matchLabels: { env: 'prod' } } } }, kv), false);
    assert.equal(dataToTargetsStore({ storeRef: { kind: 'ClusterSecretStore', labelSelector: { matchLabels: { env: 'test' } } } }, kv), false);
    assert.equal(dataToTargetsStore({}, kv), false);
  });

  it('a label-selecting entry must reach a resolved store (failDataToLabelSelectorMatchesNoStore)', () => {
    const p = ps({ secretStoreRefs: [{ labelSelector: { matchLabels: { env: 'staging' } } }], dataTo: [{ storeRef: { labelSelector: { matchLabels: { env: 'production' } } } }] });
    assert.throws(() => assertDataToSelectorsMatch(p, [{ kind: 'SecretStore', name: 'kv', labels: { env: 'staging' } }]), (e: ProjectorError) => e.code === 'InvalidSpec' && e.details.field === 'spec.dataTo[0].storeRef.labelSelector' && /does not match any store in secretStoreRefs/.test(e.message));
    assert.doesNotThrow(() => assertDataToSelectorsMatch(p, [{ kind: 'SecretStore', name: 'kv', labels: { env: 'production' } }]));
  });

  it("validates as ESO's CRD rules and validateDataToStoreRefs, and reports bad regexps up front", () => {
    const issues = (dataTo: PushSecret['spec']['dataTo'], refs: PushSecret['spec']['secretStoreRefs'] = [{ name: 'kv', kind: 'SecretStore' }]) => dataToIssues(ps({ dataTo, secretStoreRefs: refs })).map((i) => [i.path, i.code, i.message]);
    assert.deepEqual(issues([{ storeRef: { name: 'kv' }, match: { regexp: '^db-' }, rewrite: [{ regexp: { source: '^db-', target: 'x' } }, { transform: { template: '{{ .value }}' } }] }]), []);
    assert.deepEqual(issues([{}]), [['spec.dataTo[0].storeRef', 'InvalidSpec', 'storeRef is required']]);
    assert.deepEqual(issues([{ storeRef: { kind: 'SecretStore' } }]), [['spec.dataTo[0].storeRef', 'InvalidSpec', 'storeRef must specify either name or labelSelector']]);
    // failDataToStoreRefNotInList / failDataToNamedStoreRefWithLabelSelectorRefs; kind counts too.
    assert.deepEqual(issues([{ storeRef: { name: 'other' } }]).map((i) => i[0]), ['spec.dataTo[0].storeRef.name']);
    assert.deepEqual(issues([{ storeRef: { name: 'kv' } }], [{ labelSelector: { matchLabels: { env: 'prod' } } }]).map((i) => i[0]), ['spec.dataTo[0].storeRef.name']);
    assert.deepEqual(issues([{ storeRef: { name: 'kv', kind: 'ClusterSecretStore' } }]).map((i) => i[0]), ['spec.dataTo[0].storeRef.name']);
    // failDataToInvalidRegex: ESO fails while pushing; Projector says so before, with Go's reason.
    assert.deepEqual(issues([{ storeRef: { name: 'kv' }, match: { regexp: '[invalid(regex' } }]), [['spec.dataTo[0].match.regexp', 'InvalidRegexp', 'not a valid Go (RE2) regular expression: missing closing ]']]);
    assert.deepEqual(issues([{ storeRef: { name: 'kv' }, match: { regexp: '(?=x)' } }]).map((i) => i[0]), ['spec.dataTo[0].match.regexp'], 'lookahead is not Go syntax');
    assert.deepEqual(issues([{ storeRef: { name: 'kv' }, rewrite: [{ regexp: { source: '(', target: '' } }] }]).map((i) => i[0]), ['spec.dataTo[0].rewrite[0].regexp.source']);
    assert.deepEqual(issues([{ storeRef: { name: 'kv' }, rewrite: [{}] }]).map((i) => i[2]), ['exactly one of regexp or transform must be set']);
    assert.deepEqual(issues([{ storeRef: { name: 'kv' }, remoteKey: 'b', rewrite: [{ regexp: { source: 'a', target: 'b' } }] }]).map((i) => i[2]), ['remoteKey and rewrite are mutually exclusive: rewrite is only supported in per-key mode (without remoteKey)']);
    assert.deepEqual(issues([{ storeRef: { labelSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: [] }] } } }]).map((i) => [i[0], i[1]]), [['spec.dataTo[0].storeRef.labelSelector.matchExpressions[0].values', 'InvalidSelector']]);
  });

  it('validatePushSecret: dataTo alone is something to push; label-selected stores are checked, not refused', () => {
    assert.deepEqual(validatePushSecret(ps({ dataTo: [{ storeRef: { name: 'kv' } }] })), []);
    assert.deepEqual(validatePushSecret(ps({})).map((i) => [i.path, i.message]), [['spec.data', 'spec.data and spec.dataTo are empty: nothing would be pushed']]);
    assert.deepEqual(validatePushSecret(ps({ secretStoreRefs: [{ kind: 'ClusterSecretStore', labelSelector: { matchLabels: { env: 'prod' } } }], data: [{ match: { secretKey: 'a', remoteRef: { remoteKey: 'r' } } }] })), []);
    const bad = validatePushSecret(ps({ secretStoreRefs: [{ labelSelector: { matchExpressions: [{ key: 'env', operator: 'Exists', values: ['x'] }] } }], data: [{ match: { secretKey: 'a', remoteRef: { remoteKey: 'r' } } }] }));
    assert.deepEqual(bad.map((i) => [i.path, i.code]), [['spec.secretStoreRefs[0].labelSelector.matchExpressions[0].values', 'InvalidSelector']]);
  });

  it('expandDataTo reports a bad regexp that reached it anyway at its path', () => {
    assert.throws(() => expandDataTo(ps({ dataTo: [{ storeRef: { name: 'kv' }, match: { regexp: '(' } }] }), kv, src({ a: '1' })), (e: ProjectorError) => e.details.field === 'spec.dataTo[0].match.regexp');
  });
});
