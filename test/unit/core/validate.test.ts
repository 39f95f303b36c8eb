import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ExternalSecret, GenericStore } from '../../../src/api/index.ts';
import { NOT_SUPPORTED, validateExternalSecret, validateSecretStore } from '../../../src/core/validate.ts';
import { ProviderRegistry } from '../../../src/providers/registry.ts';
import { fakeProvider } from '../../../src/providers/fake/index.ts';

function externalSecret(spec: Partial<ExternalSecret['spec']> = {}): ExternalSecret {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name: 'netbox-db-password', namespace: 'netbox' },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: 'akv-hybridops' },
      target: { name: 'netbox-db-credentials', creationPolicy: 'Owner' },
      data: [{ secretKey: 'DB_PASSWORD', remoteRef: { key: 'netbox-db-password' } }],
      ...spec,
    },
  };
}

function store(kind: GenericStore['kind'], spec: Partial<GenericStore['spec']> = {}): GenericStore {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind,
    metadata: kind === 'SecretStore' ? { name: 's', namespace: 'netbox' } : { name: 's' },
    spec: { provider: { fake: { data: [] } }, ...spec },
  };
}

const codes = (issues: { code: string }[]) => issues.map((i) => i.code);
const paths = (issues: { path: string }[]) => issues.map((i) => i.path);

describe('validateExternalSecret', () => {
  it('accepts the HOWTO ExternalSecret', () => {
    assert.deepEqual(validateExternalSecret(externalSecret()), []);
  });

  it('rejects a refreshInterval that is not a Go duration and accepts "0"', () => {
    const bad = validateExternalSecret(externalSecret({ refreshInterval: '1 hour' }));
    assert.deepEqual(codes(bad), ['InvalidDuration']);
    assert.deepEqual(paths(bad), ['spec.refreshInterval']);
    assert.deepEqual(validateExternalSecret(externalSecret({ refreshInterval: '0' })), []);
  });

  // ESO's CRD takes any metav1.Duration (Go's time.ParseDuration: a leading + or -); the controller
  // treats <= 0 as 0 (externalsecret_controller.go shouldRefreshPeriodic).
  it('accepts a signed refreshInterval ("-1h", "+30m", "-0s"), as ESO does; "--1h" and "- 1h" are still not Go durations', () => {
    for (const ok of ['-1h', '+30m', '-0s', '-1.5h', '-2562047h47m16.854775808s']) assert.deepEqual(validateExternalSecret(externalSecret({ refreshInterval: ok })), [], ok);
    for (const bad of ['--1h', '- 1h', '-', '-1', '-2562047h47m16.854775809s']) assert.deepEqual(codes(validateExternalSecret(externalSecret({ refreshInterval: bad }))), ['InvalidDuration'], bad);
  });

  // The same message the read gives (core/gjson.ts unsupportedPropertyMessage): validate and the
  // operator judge a property alike. With metadataPolicy Fetch the property names a tag first.
  it('refuses a property using gjson syntax Projector does not evaluate, except as a Fetch tag name', () => {
    const es = externalSecret({
      data: [
        { secretKey: 'a', remoteRef: { key: 'k', property: 'list.#(n=="1").v' } },
        { secretKey: 'b', remoteRef: { key: 'k', property: 'list.#.n' } },
        { secretKey: 'c', remoteRef: { key: 'k', property: '@this', metadataPolicy: 'Fetch' } },
      ],
      dataFrom: [{ extract: { key: 'k', property: 'cfg|@values' } }],
    });
    const issues = validateExternalSecret(es);
    assert.deepEqual(issues.map((i) => `${i.code}@${i.path}`), ['NotSupported@spec.data[0].remoteRef.property', 'NotSupported@spec.dataFrom[0].extract.property']);
    assert.match(issues[0]!.message, /gjson's a query/);
  });

  it('rejects neither data nor dataFrom, as ESO\'s webhook does even with template data', () => {
    const es = externalSecret({ data: [], target: { template: { data: { a: 'literal' } } } });
    assert.deepEqual(codes(validateExternalSecret(es)), ['NoData']);
  });

  it('reports a duplicate secretKey at the second occurrence, as an error under Retain', () => {
    const data = [
      { secretKey: 'A', remoteRef: { key: 'x' } },
      { secretKey: 'B', remoteRef: { key: 'y' } },
      { secretKey: 'A', remoteRef: { key: 'z' } },
    ];
    const [found, ...rest] = validateExternalSecret(externalSecret({ data }));
    assert.equal(rest.length, 0);
    assert.equal(found?.code, 'DuplicateSecretKey');
    assert.equal(found?.path, 'spec.data[2].secretKey');
    assert.equal(found?.severity, 'error');
    const underDelete = validateExternalSecret(externalSecret({ data, target: { deletionPolicy: 'Delete' } }));
    assert.equal(underDelete[0]?.severity, 'warning');
  });

  it('requires extract, find or sourceRef, and at most one of extract, find and generatorRef, in a dataFrom entry', () => {
    const none = validateExternalSecret(externalSecret({ data: [], dataFrom: [{}] }));
    assert.deepEqual(codes(none), ['DataFromEmpty']);
    // ESO's webhook (externalsecret_validator.go validateFindExtractSourceRef) and CRD accept a
    // sourceRef.storeRef alone; its controller reads nothing for it: a warning, not an error.
    const storeOnly = validateExternalSecret(externalSecret({ data: [], dataFrom: [{ sourceRef: { storeRef: { name: 's' } } }] }));
    assert.deepEqual(storeOnly.map((i) => `${i.code}:${i.severity}`), ['DataFromReadsNothing:warning']);
    const two = validateExternalSecret(externalSecret({ data: [], dataFrom: [{ extract: { key: 'a' }, find: { tags: { app: 'x' } } }] }));
    assert.deepEqual(codes(two), ['DataFromAmbiguous']);
    assert.deepEqual(paths(two), ['spec.dataFrom[0]']);
  });

  it('requires find to have name or tags', () => {
    const issues = validateExternalSecret(externalSecret({ data: [], dataFrom: [{ find: { path: 'x' } }] }));
    assert.deepEqual(codes(issues), ['FindEmpty']);
    assert.deepEqual(paths(issues), ['spec.dataFrom[0].find']);
    // Empty tags and an empty regexp filter nothing (ESO would list every secret): the message says so.
    for (const find of [{ tags: {} }, { name: { regexp: '' } }]) {
      const empty = validateExternalSecret(externalSecret({ data: [], dataFrom: [{ find }] }));
      assert.deepEqual(codes(empty), ['FindEmpty']);
      assert.match(empty[0]!.message, /empty tags: \{\} or regexp: "" is no filter/);
    }
  });

  it('reports regexes RE2 rejects in find and rewrite, at their paths', () => {
    const issues = validateExternalSecret(
      externalSecret({
        data: [],
        dataFrom: [{ find: { name: { regexp: '^(?!tmp-).*' } }, rewrite: [{ regexp: { source: '(a)\\1', target: 'b' } }] }],
      }),
    );
    assert.deepEqual(paths(issues), ['spec.dataFrom[0].find.name.regexp', 'spec.dataFrom[0].rewrite[0].regexp.source']);
    assert.deepEqual(codes(issues), ['InvalidRegexp', 'InvalidRegexp']);
  });

  it("reports a merge with strategy JSON and no into, which ESO fails at every sync (RewriteMerge: missing 'into' field)", () => {
    const merges = [{ strategy: 'JSON' as const }, { strategy: 'JSON' as const, into: '' }, { strategy: 'JSON' as const, into: 'all' }, {}, { strategy: 'Extract' as const }];
    const issues = validateExternalSecret(externalSecret({ data: [], dataFrom: [{ find: { name: { regexp: 'db' } }, rewrite: merges.map((merge) => ({ merge })) }] }));
    assert.deepEqual(paths(issues), ['spec.dataFrom[0].rewrite[0].merge.into', 'spec.dataFrom[0].rewrite[1].merge.into']);
    assert.deepEqual(codes(issues), ['MergeIntoMissing', 'MergeIntoMissing']);
    assert.equal(issues[0]!.severity, 'error');
  });

  it('judges regexes with the engine the controller uses: Go\'s reason, and Go-only syntax accepted', () => {
    const [lookahead] = validateExternalSecret(externalSecret({ data: [], dataFrom: [{ find: { name: { regexp: '^(?!tmp-).*' } } }] }));
    // regexp/syntax's code for `(?!`; the pattern itself is never quoted.
    assert.equal(lookahead?.message, 'not a valid Go (RE2) regular expression: invalid or unsupported Perl syntax');
    // Go 1.26 compiles all of these (a repeated group name included); JavaScript's RegExp refuses them.
    const goOnly = ['(?P<k>db)-(?P<k>x)?', '\\Aapp\\z', '[[:alpha:]]+', '\\Qa.b\\E', '(?i)ADMIN', '(?U)a+'];
    const issues = validateExternalSecret(externalSecret({ data: [], dataFrom: goOnly.map((regexp) => ({ find: { name: { regexp } } })) }));
    assert.deepEqual(issues, []);
  });

  it('rejects a target name that is not a DNS subdomain', () => {
    const issues = validateExternalSecret(externalSecret({ target: { name: 'Netbox_DB' } }));
    assert.deepEqual(paths(issues), ['spec.target.name']);
  });

  it('rejects the creation/deletion policy combinations ESO rejects', () => {
    for (const [creationPolicy, deletionPolicy] of [['Merge', 'Delete'], ['None', 'Delete'], ['None', 'Merge']] as const) {
      const issues = validateExternalSecret(externalSecret({ target: { creationPolicy, deletionPolicy } }));
      assert.deepEqual(codes(issues), ['InvalidPolicy'], `${creationPolicy}/${deletionPolicy}`);
    }
    for (const [creationPolicy, deletionPolicy] of [['Owner', 'Delete'], ['Merge', 'Merge'], ['Orphan', 'Retain']] as const) {
      assert.deepEqual(validateExternalSecret(externalSecret({ target: { creationPolicy, deletionPolicy } })), [], `${creationPolicy}/${deletionPolicy}`);
    }
  });

  it('needs a store for every entry without its own sourceRef.storeRef', () => {
    const issues = validateExternalSecret(
      externalSecret({
        secretStoreRef: undefined,
        data: [
          { secretKey: 'A', remoteRef: { key: 'a' }, sourceRef: { storeRef: { name: 's', kind: 'ClusterSecretStore' } } },
          { secretKey: 'B', remoteRef: { key: 'b' } },
        ],
      }),
    );
    assert.deepEqual(codes(issues), ['StoreRefMissing']);
    assert.deepEqual(paths(issues), ['spec.data[1]']);
  });

  it('reports every not-supported feature as an error saying so', () => {
    const gen = { kind: 'Password', name: 'p' };
    const issues = validateExternalSecret(
      externalSecret({
        data: [{ secretKey: 'A', remoteRef: { key: 'a' }, sourceRef: { generatorRef: gen } }],
        dataFrom: [{ sourceRef: { generatorRef: gen } }],
        target: {
          template: {
            engineVersion: 'v1',
            templateFrom: [{ configMap: { name: 'c', items: [] } }, { secret: { name: 's', items: [] } }],
          },
        },
      }),
    );
    // ESO v2.9's fields Projector does not implement (a manifest target hides templateFrom targets, so apart).
    const newer = [
      ...validateExternalSecret(
        externalSecret({
          data: [{ secretKey: 'A', remoteRef: { key: 'a' } }],
          syncWindows: { kind: 'deny', windows: [{ schedule: '@daily', duration: '1h' }] },
          target: { manifest: { apiVersion: 'v1', kind: 'ConfigMap' }, template: { templateFrom: [{ literal: 'a: b', valuesDecodingStrategy: 'Base64' }] } },
        }),
      ),
      // templateFrom targets Labels/Annotations are implemented (docs/templates.md): no NotSupported.
      ...validateExternalSecret(externalSecret({ data: [{ secretKey: 'A', remoteRef: { key: 'a' } }], target: { template: { templateFrom: [{ literal: 'a: b', target: 'labels' }] } } })),
    ];
    // spec.syncWindows, generic targets (a warning only) and valuesDecodingStrategy are implemented.
    assert.deepEqual(newer.filter((i) => i.code === 'NotSupported').map((i) => i.path).sort(), []);
    assert.deepEqual(newer.filter((i) => i.path === 'spec.target.manifest').map((i) => [i.code, i.severity]), [['GenericTarget', 'warning']]);
    issues.push(...newer);
    const notSupported = issues.filter((i) => i.code === 'NotSupported');
    // Every entry of the list but the store-level one (the fake provider's, tested with it).
    assert.equal(notSupported.length, NOT_SUPPORTED.filter((n) => !n.path.startsWith('spec.provider.')).length);
    assert.ok(notSupported.every((i) => i.severity === 'error' && i.message.endsWith('is not supported by Projector yet')));
    assert.deepEqual(paths(notSupported), [
      'spec.data[0].sourceRef.generatorRef',
      'spec.target.template.engineVersion',
    ]);
    // templateFrom configMap, secret, the Labels target and valuesDecodingStrategy are implemented
    // (core/render-target-template.ts): no templateFrom issue.
    assert.deepEqual(paths(issues.filter((i) => i.path.startsWith('spec.target.template.templateFrom'))), []);
  });

  it('never quotes a spec value in a message', () => {
    const canary = 'canary-7f3a-value';
    const issues = validateExternalSecret(
      externalSecret({
        refreshInterval: canary,
        target: { name: canary.toUpperCase() },
        data: [],
        dataFrom: [{ find: { name: { regexp: `(?=${canary})` } } }],
      }),
    );
    assert.equal(issues.length, 3);
    for (const i of issues) assert.ok(!i.message.toLowerCase().includes(canary), i.message);
  });
});

describe('validateSecretStore', () => {
  it('accepts a store with one supported provider', () => {
    assert.deepEqual(validateSecretStore(store('ClusterSecretStore')), []);
  });

  it('names an unknown provider and the supported ones', () => {
    const [found, ...rest] = validateSecretStore(store('ClusterSecretStore', { provider: { aws: { region: 'x' } } }));
    assert.equal(rest.length, 0);
    assert.equal(found?.code, 'NotSupported');
    assert.equal(found?.path, 'spec.provider.aws');
    assert.equal(found?.message, 'provider "aws" is not supported by Projector; supported: azurekv, fake');
    // A slip in a supported provider's name says which one was meant; the operator's registry says the same.
    const [slip] = validateSecretStore(store('ClusterSecretStore', { provider: { azurkv: { vaultUrl: 'https://v.vault.azure.net' } } }));
    assert.equal(slip?.message, 'provider "azurkv" is not supported by Projector (did you mean "azurekv"?); supported: azurekv, fake');
    const registry = new ProviderRegistry([{ ...fakeProvider, name: 'azurekv' }, fakeProvider]);
    assert.throws(() => registry.providerFor(store('ClusterSecretStore', { provider: { azurkv: {} } })), (e: Error) => e.message.endsWith(slip!.message));
  });

  it('requires exactly one provider', () => {
    assert.deepEqual(codes(validateSecretStore(store('SecretStore', { provider: {} }))), ['NoProvider']);
    const two = validateSecretStore(store('SecretStore', { provider: { fake: { data: [] }, azurekv: { vaultUrl: 'https://v' } } }));
    assert.deepEqual(codes(two), ['MultipleProviders']);
  });

  it('checks namespaceRegexes, selectors and the retry interval', () => {
    const issues = validateSecretStore(
      store('ClusterSecretStore', {
        conditions: [
          { namespaceRegexes: ['^team-.*$', '(?<=x)y'] },
          { namespaceSelector: { matchExpressions: [{ key: 'tier', operator: 'In' }] } },
        ],
        retrySettings: { retryInterval: 'soon' },
      }),
    );
    assert.deepEqual(paths(issues), [
      'spec.conditions[0].namespaceRegexes[1]',
      'spec.conditions[1].namespaceSelector.matchExpressions[0].values',
      'spec.retrySettings.retryInterval',
    ]);    // ESO parses retryInterval for neither azurekv nor fake and its webhook does not check it: a
    // warning only (the operator accepts the store).
    assert.equal(issues.find((i) => i.path === 'spec.retrySettings.retryInterval')?.severity, 'warning');
  });

  it('warns that conditions on a namespaced SecretStore are ignored', () => {
    const [found] = validateSecretStore(store('SecretStore', { conditions: [{ namespaces: ['a'] }] }));
    assert.equal(found?.severity, 'warning');
    assert.equal(found?.code, 'ConditionsIgnored');
  });
});
