import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyse, configFrom, DEFAULT_CONFIG, globToRegExp, parseGeneratorName, parseStoreRef, UsageError, type ValidateConfig } from '../../../src/cli/commands/validate.ts';
import { parseFile, type LoadedDoc } from '../../../src/cli/manifests.ts';
import type { Issue } from '../../../src/core/issues.ts';
import type { Provider } from '../../../src/providers/provider.ts';
import { defaultRegistry } from '../../../src/cli/default-registry.ts';

const ES_FILE = 'deploy/app/secrets/externalsecret-app.yaml';

function externalSecret(o: { name?: string; namespace?: string | null; store?: string; storeKind?: string; target?: string; creationPolicy?: string; refresh?: string } = {}): string {
  return [
    'apiVersion: external-secrets.io/v1',
    'kind: ExternalSecret',
    'metadata:',
    `  name: ${o.name ?? 'app'}`,
    o.namespace === null ? '' : `  namespace: ${o.namespace ?? 'app'}`,
    'spec:',
    `  refreshInterval: "${o.refresh ?? '1h'}"`,
    `  secretStoreRef: {kind: ${o.storeKind ?? 'ClusterSecretStore'}, name: ${o.store ?? 'akv'}}`,
    `  target: {name: ${o.target ?? o.name ?? 'app'}, creationPolicy: ${o.creationPolicy ?? 'Owner'}}`,
    '  data:',
    '    - secretKey: A',
    '      remoteRef: {key: a}',
  ]
    .filter(Boolean)
    .join('\n');
}

const CLUSTER_STORE = 'apiVersion: external-secrets.io/v1\nkind: ClusterSecretStore\nmetadata: {name: akv}\nspec:\n  provider:\n    fake: {data: []}\n';

function docs(...files: [string, string][]): LoadedDoc[] {
  return files.flatMap(([file, text]) => parseFile(file, text).docs);
}

function run(files: [string, string][], config: Partial<ValidateConfig> = {}, providers: Provider[] = []) {
  const report = analyse(docs(...files), [], { ...DEFAULT_CONFIG, ...config }, false, { providers });
  return report.problems.map((p) => ({ file: p.file, line: p.line, code: p.code, severity: p.severity, message: p.message }));
}

const STORE_FILE: [string, string] = ['infra/store.yaml', CLUSTER_STORE];

describe('validate analysis', () => {
  it('finds nothing in a well-formed repository', () => {
    assert.deepEqual(run([[ES_FILE, externalSecret()], STORE_FILE]), []);
  });

  it('runs the core semantic checks on schema-valid documents', () => {
    const found = run([[ES_FILE, externalSecret({ refresh: 'often' })], STORE_FILE]);
    assert.deepEqual(found.map((f) => [f.code, f.line]), [['InvalidDuration', 7]]);
  });

  it('reports a store reference that resolves nowhere, unless it is a known store', () => {
    const found = run([[ES_FILE, externalSecret({ store: 'elsewhere' })], STORE_FILE]);
    assert.deepEqual(found.map((f) => [f.code, f.line]), [['StoreNotFound', 8]]);
    assert.deepEqual(run([[ES_FILE, externalSecret({ store: 'elsewhere' })]], { knownStores: ['ClusterSecretStore/elsewhere'] }), []);
  });

  it('resolves a SecretStore only in the ExternalSecret\'s namespace', () => {
    const store = (ns: string) => `apiVersion: external-secrets.io/v1\nkind: SecretStore\nmetadata: {name: local, namespace: ${ns}}\nspec:\n  provider:\n    fake: {data: []}\n`;
    const es = externalSecret({ store: 'local', storeKind: 'SecretStore' });
    assert.deepEqual(run([[ES_FILE, es], ['s.yaml', store('app')]]), []);
    assert.deepEqual(run([[ES_FILE, es], ['s.yaml', store('other')]]).map((f) => f.code), ['StoreNotFound']);
    assert.deepEqual(run([[ES_FILE, es]], { knownStores: ['SecretStore/app/local'] }), []);
  });

  it('reports a ClusterSecretStore whose conditions exclude the namespace', () => {
    const store = `${CLUSTER_STORE}  conditions:\n    - namespaces: [team-a]\n`;
    const found = run([[ES_FILE, externalSecret()], ['infra/store.yaml', store]]);
    assert.deepEqual(found.map((f) => [f.code, f.severity]), [['StoreNotAllowed', 'error']]);
  });

  it('evaluates namespaceSelector with a Namespace manifest, and only warns without one', () => {
    const store = `${CLUSTER_STORE}  conditions:\n    - namespaceSelector: {matchLabels: {akv: allowed}}\n`;
    const ns = (label: string) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: app\n  labels: {akv: ${label}}\n`;
    assert.deepEqual(run([[ES_FILE, externalSecret()], ['infra/store.yaml', store], ['ns.yaml', ns('allowed')]]), []);
    assert.deepEqual(run([[ES_FILE, externalSecret()], ['infra/store.yaml', store], ['ns.yaml', ns('denied')]]).map((f) => f.code), ['StoreNotAllowed']);
    assert.deepEqual(run([[ES_FILE, externalSecret()], ['infra/store.yaml', store]]).map((f) => [f.code, f.severity]), [['StoreAccessUnknown', 'warning']]);
  });

  it('reports two ExternalSecrets writing one Secret at both, naming the other', () => {
    const other = 'deploy/app/secrets/externalsecret-other.yaml';
    const found = run([[ES_FILE, externalSecret({ name: 'one', target: 'shared' })], [other, externalSecret({ name: 'two', target: 'shared' })], STORE_FILE]);
    assert.deepEqual(found.map((f) => [f.file, f.code, f.line]), [[ES_FILE, 'DuplicateTarget', 9], [other, 'DuplicateTarget', 9]]);
    assert.match(found[0]!.message, /ExternalSecret app\/two \(deploy\/app\/secrets\/externalsecret-other\.yaml:1\)/);
  });

  it('lets one Orphan ExternalSecret share a Secret with Merge ones, and reports an Owner sharing one (its controller refuses the others)', () => {
    const other = 'deploy/app/secrets/externalsecret-other.yaml';
    const orphan = externalSecret({ name: 'init', target: 'shared', creationPolicy: 'Orphan' });
    const merge = externalSecret({ name: 'ca', target: 'shared', creationPolicy: 'Merge' });
    assert.deepEqual(run([[ES_FILE, orphan], [other, merge], STORE_FILE]), []);
    const owner = externalSecret({ name: 'init', target: 'shared', creationPolicy: 'Owner' });
    const found = run([[ES_FILE, owner], [other, merge], STORE_FILE]);
    assert.deepEqual(found.map((f) => [f.file, f.code]), [[ES_FILE, 'DuplicateTarget'], [other, 'DuplicateTarget']]);
    assert.match(found[1]!.message, /has creationPolicy Owner and controls it, so the others are refused/);
  });

  it('lets ExternalSecrets that all merge share a Secret', () => {
    const other = 'deploy/app/secrets/externalsecret-other.yaml';
    const merging = (name: string) => externalSecret({ name, target: 'shared', creationPolicy: 'Merge' });
    assert.deepEqual(run([[ES_FILE, merging('one')], [other, merging('two')], STORE_FILE]), []);
  });

  it('warns about refreshInterval outside the agreed range but not about 0', () => {
    assert.deepEqual(run([[ES_FILE, externalSecret({ refresh: '30s' })], STORE_FILE]).map((f) => [f.code, f.severity]), [['RefreshIntervalRange', 'warning']]);
    assert.deepEqual(run([[ES_FILE, externalSecret({ refresh: '48h' })], STORE_FILE]).map((f) => f.code), ['RefreshIntervalRange']);
    assert.deepEqual(run([[ES_FILE, externalSecret({ refresh: '0' })], STORE_FILE]), []);
  });

  it('warns about a missing namespace and a file outside the agreed layout', () => {
    assert.deepEqual(run([[ES_FILE, externalSecret({ namespace: null })], STORE_FILE]).map((f) => f.code), ['NamespaceMissing']);
    assert.deepEqual(run([['deploy/app/es.yaml', externalSecret()], STORE_FILE]).map((f) => [f.code, f.line]), [['Layout', 1]]);
    assert.deepEqual(run([['apps/app/es.yaml', externalSecret()], STORE_FILE], { externalSecretPath: 'apps/*/es.yaml' }), []);
  });

  it('reports a committed Secret with data by key names only', () => {
    const canary = 'CANARY-unit-secret-0b1c';
    const secret = `apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: app}\nstringData:\n  password: ${canary}\n`;
    const found = run([['deploy/app/secret.yaml', secret]]);
    assert.deepEqual(found.map((f) => [f.code, f.line]), [['SecretSprawl', 4]]);
    assert.match(found[0]!.message, /key password/);
    assert.ok(!JSON.stringify(found).includes(canary));
    assert.deepEqual(run([['deploy/app/secret.yaml', 'apiVersion: v1\nkind: Secret\nmetadata: {name: tls}\ntype: kubernetes.io/tls\n']]), []);
  });

  it('skips semantic checks on a document whose shape is broken, reporting the schema error only', () => {
    const broken = externalSecret().replace('  data:\n    - secretKey: A\n      remoteRef: {key: a}', '  data: "not a list"');
    assert.deepEqual(run([[ES_FILE, broken], STORE_FILE]).map((f) => f.code), ['WrongType']);
  });

  it('reports every independent error of one document in one pass, each at its line', () => {
    const es = [
      'apiVersion: external-secrets.io/v1',
      'kind: ExternalSecret',
      'metadata: {name: app, namespace: app}',
      'spec:',
      '  refreshInterval: often',
      '  secretStoreRef: {kind: ClusterSecretStore, name: akv}',
      '  target: {name: app, creationPolicy: Sometimes}',
      '  data:',
      '    - secretKey: A',
      '      remoteRef: {key: a, decodingStrategy: Base32}',
      '    - secretKey: A',
      '      remoteRef: {key: b}',
    ].join('\n');
    const found = run([[ES_FILE, es], STORE_FILE]);
    assert.deepEqual(
      found.map((f) => [f.code, f.line]).sort(),
      [['DuplicateSecretKey', 11], ['InvalidDuration', 5], ['InvalidValue', 10], ['InvalidValue', 7]].sort(),
    );
  });

  it('still checks a document with a schema error against the others: a duplicate target is reported at both', () => {
    const other = 'deploy/app/secrets/externalsecret-other.yaml';
    const broken = externalSecret({ name: 'one', target: 'shared' }).replace('remoteRef: {key: a}', 'remoteRef: {key: a, conversionStrategy: Nope}');
    const found = run([[ES_FILE, broken], [other, externalSecret({ name: 'two', target: 'shared' })], STORE_FILE]);
    assert.deepEqual(found.map((f) => [f.file, f.code, f.line]), [[ES_FILE, 'InvalidValue', 12], [ES_FILE, 'DuplicateTarget', 9], [other, 'DuplicateTarget', 9]]);
  });

  it('resolves store references of a broken document, and to a broken store', () => {
    const brokenStore = CLUSTER_STORE.replace('fake: {data: []}', 'fake: {data: []}\n  retrySettings: {maxRetries: many}');
    const brokenEs = (store: string) => externalSecret({ store }).replace('creationPolicy: Owner', 'creationPolicy: Sometimes');
    const codes = (files: [string, string][]) => run(files).map((f) => `${f.code}:${f.line}`).sort();
    // The broken store still exists: no StoreNotFound beside each document's own schema error.
    assert.deepEqual(codes([[ES_FILE, brokenEs('akv')], ['infra/store.yaml', brokenStore]]), ['InvalidValue:9', 'WrongType:7']);
    // The broken ExternalSecret's reference to a missing store is still reported.
    assert.deepEqual(codes([[ES_FILE, brokenEs('elsewhere')], STORE_FILE]), ['InvalidValue:9', 'StoreNotFound:8']);
  });

  it('flags a remote key Key Vault cannot hold, at its line, for an azurekv store only', () => {
    const es = externalSecret().replace('remoteRef: {key: a}', 'remoteRef: {key: DB_PASSWORD}');
    const extract = `${es}\n  dataFrom:\n    - extract: {key: secret/db_json}\n    - find: {name: {regexp: "^DB_"}}`;
    const akvStore = 'apiVersion: external-secrets.io/v1\nkind: ClusterSecretStore\nmetadata: {name: akv}\nspec:\n  provider:\n    azurekv:\n      vaultUrl: https://kv-test.vault.azure.net/\n      authType: ManagedIdentity\n';
    const providers = defaultRegistry().providers();
    const found = run([[ES_FILE, extract], ['infra/store.yaml', akvStore]], {}, providers);
    assert.deepEqual(found.map((f) => [f.code, f.line]), [['InvalidRemoteKey', 12], ['InvalidRemoteKey', 14]]);
    assert.match(found[0]!.message, /"DB_PASSWORD" cannot be a Key Vault secret name: .*"DB-PASSWORD"/);
    // The fake provider holds any key: the same ExternalSecret is fine against a fake store (the
    // store's only finding is ESO's unmaintained-provider warning, core/store-maintenance.ts).
    assert.deepEqual(run([[ES_FILE, extract], STORE_FILE], {}, providers).map((f) => [f.file, f.code]), [[STORE_FILE[0], 'StoreUnmaintained']]);
    // A store outside the scanned paths has no known provider: its keys are not judged.
    assert.deepEqual(run([[ES_FILE, extract]], { knownStores: ['ClusterSecretStore/akv'] }, providers), []);
  });

  it('adds the checks of the provider a store configures', () => {
    const provider = { name: 'fake', validateStore: (): Issue[] => [{ path: 'spec.provider.fake.data', code: 'FakeCheck', message: 'm', severity: 'error' }] } as unknown as Provider;
    assert.deepEqual(run([STORE_FILE], {}, [provider]).map((f) => [f.code, f.line]), [['FakeCheck', 6]]);
  });
});

describe('validate configuration', () => {
  it('matches the layout glob at the end of a path, on segment boundaries', () => {
    const re = globToRegExp(DEFAULT_CONFIG.externalSecretPath);
    assert.ok(re.test('deploy/netbox/secrets/externalsecret-db.yaml'));
    assert.ok(re.test('repo/deploy/netbox/secrets/externalsecret-db.yaml'));
    assert.ok(!re.test('mydeploy/netbox/secrets/externalsecret-db.yaml'));
    assert.ok(!re.test('deploy/netbox/extra/secrets/externalsecret-db.yaml'));
    assert.ok(!re.test('deploy/netbox/secrets/externalsecret-db.yml'));
  });

  it('parses --known-store references and rejects malformed ones', () => {
    assert.deepEqual(parseStoreRef('ClusterSecretStore/akv'), { kind: 'ClusterSecretStore', name: 'akv' });
    assert.deepEqual(parseStoreRef('SecretStore/ns/local'), { kind: 'SecretStore', namespace: 'ns', name: 'local' });
    assert.throws(() => parseStoreRef('akv'), UsageError);
  });

  it('reads the validate section of projector.yaml and rejects unknown fields', () => {
    const config = configFrom({ validate: { externalSecretPath: 'apps/**/*.yaml', refreshInterval: { min: '5m' }, knownStores: ['ClusterSecretStore/x'] } }, 'projector.yaml');
    assert.equal(config.externalSecretPath, 'apps/**/*.yaml');
    assert.deepEqual(config.refreshInterval, { minMs: 300_000, maxMs: DEFAULT_CONFIG.refreshInterval.maxMs });
    assert.deepEqual(config.knownStores, ['ClusterSecretStore/x']);
    assert.throws(() => configFrom({ validate: { strictness: 1 } }, 'p.yaml'), UsageError);
    assert.throws(() => configFrom({ validate: { refreshInterval: { min: 'soon' } } }, 'p.yaml'), UsageError);
  });
});

describe('validate: PushSecret (external-secrets.io/v1alpha1), with the reconciler\'s rules', () => {
  const AZ_STORE = 'apiVersion: external-secrets.io/v1\nkind: SecretStore\nmetadata: {name: kv, namespace: app}\nspec:\n  provider:\n    azurekv: {vaultUrl: "https://v.vault.azure.net", tenantId: t, authType: ManagedIdentity}\n';
  const push = (data: string, apiVersion = 'external-secrets.io/v1alpha1', store = 'kv') => [
    `apiVersion: ${apiVersion}`,
    'kind: PushSecret',
    'metadata: {name: p, namespace: app}',
    'spec:',
    `  secretStoreRefs: [{name: ${store}, kind: SecretStore}]`,
    '  selector: {secret: {name: src}}',
    '  data:',
    data,
  ].join('\n');
  const files = (text: string): [string, string][] => [['deploy/app/push.yaml', text], ['deploy/app/store.yaml', AZ_STORE]];
  const providers = () => [...defaultRegistry().providers()];

  it('accepts a well-formed PushSecret and warns that property has no effect with azurekv', () => {
    assert.deepEqual(run(files(push('    - match: {secretKey: a, remoteRef: {remoteKey: ra}}')), {}, providers()), []);
    const warned = run(files(push('    - match: {secretKey: a, remoteRef: {remoteKey: ra, property: p}}')), {}, providers());
    assert.deepEqual(warned.map((f) => [f.code, f.severity, f.line]), [['PropertyIgnored', 'warning', 8]]);
  });

  it('refuses what the operator refuses: items differing only by property, unknown fields, a wrong version, a missing store, a bad Key Vault name', () => {
    const dup = run(files(push('    - match: {secretKey: a, remoteRef: {remoteKey: r, property: x}}\n    - match: {secretKey: b, remoteRef: {remoteKey: r, property: other}}')), {}, providers());
    assert.deepEqual(dup.filter((f) => f.severity === 'error').map((f) => f.code), ['InvalidSpec']);
    assert.match(dup.find((f) => f.severity === 'error')!.message, /differ only by property/);
    assert.deepEqual(run(files(push('    - match: {secretKey: a, remoteRef: {remoteKey: ra}, extra: 1}')), {}, providers()).map((f) => f.code), ['UnknownField']);
    assert.deepEqual(run(files(push('    - match: {secretKey: a, remoteRef: {remoteKey: ra}}', 'external-secrets.io/v1')), {}, providers()).map((f) => [f.code, f.message]), [
      ['UnsupportedApiVersion', 'external-secrets.io/v1 is not served for PushSecret; use external-secrets.io/v1alpha1'],
    ]);
    assert.deepEqual(run(files(push('    - match: {secretKey: a, remoteRef: {remoteKey: ra}}', undefined, 'nowhere')), {}, providers()).map((f) => f.code), ['StoreNotFound']);
    const badName = run(files(push('    - match: {secretKey: a, remoteRef: {remoteKey: "key/bad_name"}}')), {}, providers());
    assert.deepEqual(badName.map((f) => [f.severity, f.line]), [['error', 8]]);
  });
});

describe('validate: references inside ClusterExternalSecret and ClusterPushSecret, and generatorRefs', () => {
  const AKV_STORE = 'apiVersion: external-secrets.io/v1\nkind: ClusterSecretStore\nmetadata: {name: akv}\nspec:\n  provider:\n    azurekv:\n      vaultUrl: https://kv-test.vault.azure.net/\n      authType: ManagedIdentity\n';
  const providers = () => defaultRegistry().providers();
  const paths = (files: [string, string][], config: Partial<ValidateConfig> = {}) =>
    analyse(docs(...files), [], { ...DEFAULT_CONFIG, ...config }, false, { providers: providers() }).problems.filter((p) => p.severity === 'error').map((p) => [p.code, p.path, p.message]);
  const ces = (store: string, kind = 'ClusterSecretStore', key = 'bad_name', where = 'namespaces: [a, b]') =>
    `apiVersion: external-secrets.io/v1\nkind: ClusterExternalSecret\nmetadata: {name: c}\nspec:\n  ${where}\n  externalSecretSpec:\n    secretStoreRef: {kind: ${kind}, name: ${store}}\n    data:\n      - secretKey: A\n        remoteRef: {key: ${key}}\n`;
  const cps = (store: string, key = 'bad_name') =>
    `apiVersion: external-secrets.io/v1alpha1\nkind: ClusterPushSecret\nmetadata: {name: c}\nspec:\n  namespaceSelectors: [{matchLabels: {team: x}}]\n  pushSecretSpec:\n    secretStoreRefs: [{kind: ClusterSecretStore, name: ${store}}]\n    selector: {secret: {name: src}}\n    data:\n      - match: {secretKey: A, remoteRef: {remoteKey: ${key}}}\n`;

  it('reports a missing store and a Key Vault name in a ClusterExternalSecret as for an ExternalSecret, under spec.externalSecretSpec', () => {
    const missing = paths([['c.yaml', ces('nope')]]);
    assert.deepEqual(missing.map(([c, p]) => [c, p]), [['StoreNotFound', 'spec.externalSecretSpec.secretStoreRef.name']]);
    const badKey = paths([['c.yaml', ces('akv')], ['s.yaml', AKV_STORE]]);
    assert.deepEqual(badKey.map(([c, p]) => [c, p]), [['InvalidRemoteKey', 'spec.externalSecretSpec.data[0].remoteRef.key']]);
    assert.deepEqual(paths([['c.yaml', ces('akv', 'ClusterSecretStore', 'good-name')], ['s.yaml', AKV_STORE]]), []);
  });

  it('looks a SecretStore of a ClusterExternalSecret up in each listed namespace, and for selectors in any scanned namespace', () => {
    const store = (ns: string) => `apiVersion: external-secrets.io/v1\nkind: SecretStore\nmetadata: {name: ss, namespace: ${ns}}\nspec:\n  provider:\n    fake: {data: []}\n`;
    const found = paths([['c.yaml', ces('ss', 'SecretStore', 'k')], ['s.yaml', store('a')]]);
    assert.deepEqual(found.map(([c, p, m]) => [c, p, m]), [['StoreNotFound', 'spec.externalSecretSpec.secretStoreRef.name', 'SecretStore "ss" in namespace b is not defined in the scanned paths; add its manifest or pass --known-store SecretStore/ss']]);
    const bySelector = ces('ss', 'SecretStore', 'k', 'namespaceSelectors: [{matchLabels: {team: x}}]');
    assert.deepEqual(paths([['c.yaml', bySelector], ['s.yaml', store('a')]]), []);
    assert.deepEqual(paths([['c.yaml', bySelector]]).map(([c]) => c), ['StoreNotFound']);
  });

  it('reports a missing store and a Key Vault name in a ClusterPushSecret as for a PushSecret, under spec.pushSecretSpec', () => {
    assert.deepEqual(paths([['c.yaml', cps('nope')]]).map(([c, p]) => [c, p]), [['StoreNotFound', 'spec.pushSecretSpec.secretStoreRefs[0].name']]);
    assert.deepEqual(paths([['c.yaml', cps('akv')], ['s.yaml', AKV_STORE]]).map(([c, p]) => [c, p]), [['InvalidRemoteKey', 'spec.pushSecretSpec.data[0].match.remoteRef.remoteKey']]);
    assert.deepEqual(paths([['c.yaml', cps('akv', 'good-name')], ['s.yaml', AKV_STORE]]), []);
  });

  it("points each generator spec finding at the offending field's own line, not at spec:", () => {
    const lines = (text: string) => run([['gen.yaml', text]]).map((f) => [f.code, f.line, f.message]);
    const password = (fields: string[]) => ['apiVersion: generators.external-secrets.io/v1alpha1', 'kind: Password', 'metadata: {name: pw, namespace: app}', 'spec:', ...fields.map((f) => `  ${f}`)].join('\n');
    // spec: is line 4; the fields follow from line 5.
    assert.deepEqual(lines(password(['allowRepeat: true', 'digits: 6', 'symbols: 6', 'length: 8'])), [['InvalidSpec', 8, 'digits (6) and symbols (6) must be less than total length (8)']]);
    assert.deepEqual(lines(password(['allowRepeat: true', 'symbols: 30', 'digits: 1'])), [['InvalidSpec', 6, 'digits (1) and symbols (30) must be less than total length (24)']]);
    assert.deepEqual(lines(password(['noUpper: true', 'digits: 0', 'length: 30', 'symbols: 0'])), [['InvalidSpec', 7, 'number of letters (30) exceeds available letters (26) and repeats are not allowed']]);
    assert.deepEqual(lines(password(['length: 12', 'digits: -1', 'symbols: 2'])), [['InvalidSpec', 6, 'digits must not be negative']]);
    // The same rules inside a ClusterGenerator, at spec.generator.passwordSpec.<field>.
    const cluster = ['apiVersion: generators.external-secrets.io/v1alpha1', 'kind: ClusterGenerator', 'metadata: {name: cg}', 'spec:', '  kind: Password', '  generator:', '    passwordSpec:', '      allowRepeat: true', '      length: 8', '      digits: 6', '      symbols: 6'].join('\n');
    assert.deepEqual(lines(cluster), [['InvalidSpec', 9, 'digits (6) and symbols (6) must be less than total length (8)']]);
    // ACRAccessToken: a wrong registry at its line.
    const acr = ['apiVersion: generators.external-secrets.io/v1alpha1', 'kind: ACRAccessToken', 'metadata: {name: acr, namespace: app}', 'spec:', '  auth: {managedIdentity: {}}', '  registry: "x/y"'].join('\n');
    assert.deepEqual(lines(acr).map(([c, l]) => [c, l]), [['InvalidSpec', 6]]);
  });

  it('reports a dataFrom generatorRef naming a generator not in the scanned paths as GeneratorNotFound, unless known', () => {
    const es = `${externalSecret()}\n  dataFrom:\n    - sourceRef: {generatorRef: {apiVersion: generators.external-secrets.io/v1alpha1, kind: Password, name: pw}}\n`;
    const pw = (ns: string) => `apiVersion: generators.external-secrets.io/v1alpha1\nkind: Password\nmetadata: {name: pw, namespace: ${ns}}\nspec: {length: 12}\n`;
    const missing = paths([[ES_FILE, es], STORE_FILE]);
    assert.deepEqual(missing, [['GeneratorNotFound', 'spec.dataFrom[0].sourceRef.generatorRef.name', 'Password "pw" in namespace app is not defined in the scanned paths; add its manifest or pass --known-generator Password/pw']]);
    assert.deepEqual(paths([[ES_FILE, es], STORE_FILE, ['g.yaml', pw('app')]]), []);
    assert.deepEqual(paths([[ES_FILE, es], STORE_FILE, ['g.yaml', pw('other')]]).map(([c]) => c), ['GeneratorNotFound']);
    assert.deepEqual(paths([[ES_FILE, es], STORE_FILE], { knownGenerators: ['Password/pw'] }), []);
    assert.deepEqual(paths([[ES_FILE, es], STORE_FILE], { knownGenerators: ['Password/other/pw'] }).map(([c]) => c), ['GeneratorNotFound']);
    // The same inside a ClusterExternalSecret's embedded spec.
    const cesGen = `apiVersion: external-secrets.io/v1\nkind: ClusterExternalSecret\nmetadata: {name: c}\nspec:\n  namespaces: [app]\n  externalSecretSpec:\n    secretStoreRef: {kind: ClusterSecretStore, name: akv}\n    dataFrom:\n      - sourceRef: {generatorRef: {apiVersion: generators.external-secrets.io/v1alpha1, kind: Password, name: pw}}\n`;
    assert.deepEqual(paths([['c.yaml', cesGen], STORE_FILE]).map(([c, p]) => [c, p]), [['GeneratorNotFound', 'spec.externalSecretSpec.dataFrom[0].sourceRef.generatorRef.name']]);
    assert.deepEqual(paths([['c.yaml', cesGen], STORE_FILE, ['g.yaml', pw('app')]]), []);
  });

  it('rejects a malformed --known-generator', () => {
    assert.throws(() => parseGeneratorName('Secret/x'), UsageError);
    assert.throws(() => parseGeneratorName('ClusterGenerator/ns/x'), UsageError);
  });

  it('gives an impossible Password spec the operator\'s code, InvalidSpec', () => {
    const pw = 'apiVersion: generators.external-secrets.io/v1alpha1\nkind: Password\nmetadata: {name: pw, namespace: app}\nspec: {length: 4, digits: 3, symbols: 3}\n';
    assert.deepEqual(paths([['g.yaml', pw]]).map(([c, p]) => [c, p]), [['InvalidSpec', 'spec.length']]);
  });

  it("SSHKey and MFA manifests: the operator's rules (sshKeyIssues, mfaIssues), ESO's schema, --known-generator", () => {
    const all = (files: [string, string][], config: Partial<ValidateConfig> = {}) =>
      analyse(docs(...files), [], { ...DEFAULT_CONFIG, ...config }, false, { providers: providers() }).problems.map((p) => [p.severity, p.code, p.path]);
    const gen = (kind: string, spec: string) => `apiVersion: generators.external-secrets.io/v1alpha1\nkind: ${kind}\nmetadata: {name: g, namespace: app}\nspec: ${spec}\n`;
    assert.deepEqual(all([['g.yaml', gen('SSHKey', '{keyType: ed25519, comment: me}')]]), []);
    assert.deepEqual(all([['g.yaml', gen('SSHKey', '{keySize: 512}')]]), [['error', 'InvalidSpec', 'spec.keySize']]);
    assert.deepEqual(all([['g.yaml', gen('SSHKey', '{keyType: dsa}')]]).map(([s]) => s), ['error']);
    assert.deepEqual(all([['g.yaml', gen('MFA', '{secret: {name: otp, key: seed}, length: 8}')]]), []);
    assert.deepEqual(all([['g.yaml', gen('MFA', '{secret: {name: otp, key: seed}, algorithm: sha256}')]]), [['warning', 'IgnoredField', 'spec.algorithm']]);
    assert.deepEqual(all([['g.yaml', gen('MFA', '{length: 8}')]]).map(([s]) => s), ['error']);
    const es = (kind: string) => `${externalSecret()}\n  dataFrom:\n    - sourceRef: {generatorRef: {apiVersion: generators.external-secrets.io/v1alpha1, kind: ${kind}, name: g}}\n`;
    for (const kind of ['SSHKey', 'MFA']) {
      assert.deepEqual(paths([[ES_FILE, es(kind)], STORE_FILE]).map(([c]) => c), ['GeneratorNotFound']);
      assert.deepEqual(paths([[ES_FILE, es(kind)], STORE_FILE], { knownGenerators: [`${kind}/app/g`] }), []);
    }
    assert.deepEqual(parseGeneratorName('mfa/app/g'), { kind: 'MFA', namespace: 'app', name: 'g' });
  });
});
