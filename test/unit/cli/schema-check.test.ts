import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseFile } from '../../../src/cli/manifests.ts';
import { checkSchema, esoKindOf, isShapeIntact } from '../../../src/cli/schema-check.ts';
import { didYouMean } from '../../../src/core/did-you-mean.ts';

const ES_HEAD = 'kind: ExternalSecret\nmetadata:\n  name: es\n  namespace: ns\n';
const ES_BODY = 'spec:\n  secretStoreRef: {kind: ClusterSecretStore, name: s}\n  data:\n    - secretKey: A\n      remoteRef: {key: a}\n';

function check(text: string) {
  const doc = parseFile('x.yaml', text).docs[0]!;
  return checkSchema(doc).map((i) => ({ ...i, at: doc.positionOf(i.path) }));
}

describe('checkSchema', () => {
  it('accepts a valid v1 ExternalSecret', () => {
    assert.deepEqual(check(`apiVersion: external-secrets.io/v1\n${ES_HEAD}${ES_BODY}`), []);
  });

  it('accepts v1beta1 with a deprecation warning', () => {
    const issues = check(`apiVersion: external-secrets.io/v1beta1\n${ES_HEAD}${ES_BODY}`);
    assert.deepEqual(issues.map((i) => [i.code, i.severity]), [['DeprecatedApiVersion', 'warning']]);
  });

  it('rejects versions the CRDs do not serve and kinds Projector does not serve', () => {
    assert.deepEqual(check(`apiVersion: external-secrets.io/v1alpha1\n${ES_HEAD}${ES_BODY}`).map((i) => i.code), ['UnsupportedApiVersion']);
    // PushSecret and ClusterPushSecret are served at v1alpha1 only (as ESO).
    assert.deepEqual(check('apiVersion: external-secrets.io/v1\nkind: PushSecret\nmetadata: {name: p}\nspec: {}\n').map((i) => [i.code, i.message]), [['UnsupportedApiVersion', 'external-secrets.io/v1 is not served for PushSecret; use external-secrets.io/v1alpha1']]);
    assert.deepEqual(check('apiVersion: external-secrets.io/v1\nkind: ClusterPushSecret\nmetadata: {name: p}\nspec: {}\n').map((i) => [i.code, i.message]), [['UnsupportedApiVersion', 'external-secrets.io/v1 is not served for ClusterPushSecret; use external-secrets.io/v1alpha1']]);
    // At v1alpha1 the schema applies: pushSecretSpec is required (ESO's CRD), a namespace is ignored.
    const cps = check('apiVersion: external-secrets.io/v1alpha1\nkind: ClusterPushSecret\nmetadata: {name: p, namespace: x}\nspec: {}\n').map((i) => [i.code, i.severity]);
    assert.deepEqual(cps, [['MissingField', 'error'], ['UnexpectedNamespace', 'warning']]);
    assert.deepEqual(check('apiVersion: external-secrets.io/v1alpha1\nkind: Unheard\nmetadata: {name: p}\nspec: {}\n').map((i) => i.code), ['NotSupported']);
  });

  it('ignores documents outside the external-secrets.io group', () => {
    assert.deepEqual(check('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nwhatever: 1\n'), []);
    assert.equal(esoKindOf({ apiVersion: 'v1', kind: 'ExternalSecret' }), undefined);
  });

  it('reports unknown fields as errors at the field, in spec and in metadata', () => {
    const text = `apiVersion: external-secrets.io/v1\n${ES_HEAD}  labelz: {}\n${ES_BODY}  refreshIntervall: 1h\n`;
    const issues = check(text);
    assert.deepEqual(issues.map((i) => [i.code, i.path, i.at.line, i.message]), [
      ['UnknownField', 'metadata.labelz', 6, 'unknown field "labelz" (did you mean "labels"?)'],
      ['UnknownField', 'spec.refreshIntervall', 12, 'unknown field "refreshIntervall" (did you mean "refreshInterval"?)'],
    ]);
    assert.ok(isShapeIntact(issues));
  });

  it('suggests the declared field an unknown one was meant to be, from the schema at that place, and guesses nothing when none is close', () => {
    const text = `apiVersion: external-secrets.io/v1\n${ES_HEAD}spec:\n  secretstoreref: {kind: ClusterSecretStore, name: s}\n  target: {name: t, creationPolicyy: Owner}\n  data:\n    - secretKey: A\n      remoteRef: {key: a, verison: "1"}\n  colour: blue\n`;
    assert.deepEqual(check(text).filter((i) => i.code === 'UnknownField').map((i) => [i.path, i.message]).sort(), [
      ['spec.colour', 'unknown field "colour"'],
      ['spec.data[0].remoteRef.verison', 'unknown field "verison" (did you mean "version"?)'],
      ['spec.secretstoreref', 'unknown field "secretstoreref" (did you mean "secretStoreRef"?)'],
      ['spec.target.creationPolicyy', 'unknown field "creationPolicyy" (did you mean "creationPolicy"?)'],
    ]);
    assert.equal(didYouMean('SECRETKEY', ['secretKey', 'remoteRef']), 'secretKey', 'case alone');
    assert.equal(didYouMean('ab', ['ac']), undefined, 'one edit in two letters is not a typo of a name');
    assert.equal(didYouMean('regoin', ['region', 'role']), 'region');
    assert.equal(didYouMean('x', []), undefined);
    assert.equal(didYouMean('nmae', ['name', 'namespace']), 'name', 'two neighbouring letters swapped, in a short name');
    assert.equal(didYouMean('kye', ['key', 'version', 'property']), 'key');
    assert.equal(didYouMean('yke', ['key']), undefined, 'a swap, not any two edits');
    assert.equal(didYouMean('ba', ['ab']), undefined, 'two letters: too short to guess');
  });

  it('keeps a provider no ESO release knows, as spec.provider preserves unknown fields', () => {
    const issues = check('apiVersion: external-secrets.io/v1\nkind: ClusterSecretStore\nmetadata: {name: s}\nspec:\n  provider:\n    madeup: {region: eu-west-1}\n');
    assert.deepEqual(issues, []);
  });

  it("checks ESO's other providers against ESO's own schema, every field of it accepted", () => {
    const ok = check('apiVersion: external-secrets.io/v1\nkind: ClusterSecretStore\nmetadata: {name: s}\nspec:\n  provider:\n    aws: {service: SecretsManager, region: eu-west-1, sessionTags: [{key: team, value: a}], auth: {jwt: {serviceAccountRef: {name: sa}}}}\n');
    assert.deepEqual(ok, []);
    const bad = check('apiVersion: external-secrets.io/v1\nkind: ClusterSecretStore\nmetadata: {name: s}\nspec:\n  provider:\n    aws: {region: eu-west-1, regoin: x}\n');
    assert.deepEqual(bad.map((i) => [i.code, i.path]).sort(), [['MissingField', 'spec.provider.aws.service'], ['UnknownField', 'spec.provider.aws.regoin']]);
    assert.equal(bad.find((i) => i.code === 'UnknownField')?.message, 'unknown field "regoin" (did you mean "region"?)');
  });

  it('maps wrong types, enums and missing fields to paths and names the allowed values', () => {
    const text = `apiVersion: external-secrets.io/v1\n${ES_HEAD}spec:\n  target: {creationPolicy: Owned, immutable: "no"}\n  data:\n    - secretKey: A\n`;
    const issues = check(text);
    assert.deepEqual(issues.map((i) => [i.code, i.path]), [
      ['InvalidValue', 'spec.target.creationPolicy'],
      ['WrongType', 'spec.target.immutable'],
      ['MissingField', 'spec.data[0].remoteRef'],
    ]);
    assert.match(issues[0]!.message, /Owner, Orphan, Merge, CreateOrMerge, None/);
    assert.ok(!isShapeIntact(issues));
  });

  it('accepts azurekv credentials as strings or secretKeyRefs and flags an inline clientSecret', () => {
    const store = (creds: string) =>
      `apiVersion: external-secrets.io/v1\nkind: ClusterSecretStore\nmetadata: {name: s}\nspec:\n  provider:\n    azurekv:\n      vaultUrl: https://v\n${creds}`;
    assert.deepEqual(check(store('      tenantId: "t"\n      clientId:\n        valueFrom: {secretKeyRef: {name: creds, key: client-id, namespace: ops}}\n')), []);
    const canary = 'CANARY-inline-client-secret-77aa';
    const inline = check(store(`      clientSecret: "${canary}"\n`));
    assert.deepEqual(inline.map((i) => [i.code, i.path, i.at.line]), [['InlineCredential', 'spec.provider.azurekv.clientSecret', 8]]);
    assert.ok(!JSON.stringify(inline).includes(canary));
    const malformed = check(store('      tenantId:\n        valueFrom: {secretKeyRef: {name: creds}}\n'));
    assert.deepEqual(malformed.map((i) => i.code), ['InvalidCredentialRef']);
  });
});
