// The API server's Secret validation (ValidateSecret, k8s.io/kubernetes v1.36
// pkg/apis/core/validation/validation.go), as core/secret-shape.ts applies it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertSecretShape, MAX_SECRET_DATA_BYTES, secretKeyProblem, secretShapeIssues, type SecretShape } from '../../../src/core/secret-shape.ts';
import { ProjectorError } from '../../../src/core/errors.ts';
import { Sensitive } from '../../../src/core/sensitive.ts';

const CANARY = 'canary-shape-5e1d';

function secret(type: string | undefined, data: Record<string, string | Uint8Array>, annotations?: Record<string, string>): SecretShape {
  const bytes = (v: string | Uint8Array) => new Sensitive<Uint8Array>(typeof v === 'string' ? Buffer.from(v) : v);
  return { name: 's', namespace: 'ns', type, annotations, data: new Map(Object.entries(data).map(([k, v]) => [k, bytes(v)])) };
}

const codes = (s: SecretShape) => secretShapeIssues(s).map((i) => `${i.path} ${i.code}`);

describe('Secret shape (the API server\'s ValidateSecret)', () => {
  it('accepts Opaque, empty and custom types with any valid keys', () => {
    assert.deepEqual(codes(secret(undefined, { a: 'x' })), []);
    assert.deepEqual(codes(secret('', { 'a.b-c_D': '' })), []);
    assert.deepEqual(codes(secret('example.com/custom', {})), []);
  });

  it('refuses data keys outside IsConfigMapKey', () => {
    for (const bad of ['a b', 'a/b', '.', '..', '..x', 'x'.repeat(254), 'é']) assert.ok(secretKeyProblem(bad), bad);
    for (const ok of ['.x', 'a..b', 'x'.repeat(253), 'tls.crt', '.dockerconfigjson']) assert.equal(secretKeyProblem(ok), undefined, ok);
    assert.deepEqual(codes(secret('Opaque', { 'db password': 'v' })), ['data.db password InvalidSecretKey']);
  });

  it('refuses data totalling more than 1 MiB, and accepts exactly 1 MiB', () => {
    assert.deepEqual(codes(secret('Opaque', { a: new Uint8Array(MAX_SECRET_DATA_BYTES / 2), b: new Uint8Array(MAX_SECRET_DATA_BYTES / 2) })), []);
    assert.deepEqual(codes(secret('Opaque', { a: new Uint8Array(MAX_SECRET_DATA_BYTES / 2), b: new Uint8Array(MAX_SECRET_DATA_BYTES / 2 + 1) })), ['data SecretTooLarge']);
  });

  it('needs .dockerconfigjson (and .dockercfg) to be a JSON object, as Go\'s json.Unmarshal into a map', () => {
    const t = 'kubernetes.io/dockerconfigjson';
    assert.deepEqual(codes(secret(t, { '.dockerconfigjson': '{"auths":{}}' })), []);
    // Go (encoding/json) accepts null and surrounding whitespace into a map; refuses arrays, strings, numbers, empty input, trailing text and a BOM.
    assert.deepEqual(codes(secret(t, { '.dockerconfigjson': ' null\n' })), []);
    for (const bad of [CANARY, '[]', '"x"', '1', '', '{"a":1}x', '\ufeff{}']) {
      assert.deepEqual(codes(secret(t, { '.dockerconfigjson': bad })), ['data..dockerconfigjson InvalidSecretValue'], JSON.stringify(bad));
    }
    assert.deepEqual(codes(secret(t, {})), ['data..dockerconfigjson MissingSecretKey']);
    assert.deepEqual(codes(secret('kubernetes.io/dockercfg', { '.dockercfg': 'nope' })), ['data..dockercfg InvalidSecretValue']);
  });

  it('needs username or password for basic-auth, a non-empty ssh-privatekey, tls.crt and tls.key', () => {
    assert.deepEqual(codes(secret('kubernetes.io/basic-auth', { password: '' })), []);
    assert.deepEqual(codes(secret('kubernetes.io/basic-auth', { user: 'x' })), ['data.username MissingSecretKey']);
    assert.deepEqual(codes(secret('kubernetes.io/ssh-auth', { 'ssh-privatekey': '' })), ['data.ssh-privatekey MissingSecretKey']);
    assert.deepEqual(codes(secret('kubernetes.io/ssh-auth', { 'ssh-privatekey': 'k' })), []);
    assert.deepEqual(codes(secret('kubernetes.io/tls', { 'tls.crt': '' })), ['data.tls.key MissingSecretKey']);
    assert.deepEqual(codes(secret('kubernetes.io/tls', { 'tls.crt': '', 'tls.key': '' })), []);
  });

  it('needs the service-account name annotation for a service-account-token Secret', () => {
    assert.deepEqual(codes(secret('kubernetes.io/service-account-token', {})), ['metadata.annotations.kubernetes.io/service-account.name MissingAnnotation']);
    assert.deepEqual(codes(secret('kubernetes.io/service-account-token', {}, { 'kubernetes.io/service-account.name': 'sa' })), []);
  });

  it('throws KubeInvalid naming the Secret and every rule, never a value', () => {
    const s = secret('kubernetes.io/dockerconfigjson', { '.dockerconfigjson': CANARY, 'bad key': CANARY });
    assert.throws(() => assertSecretShape(s), (e: unknown) => {
      assert.ok(e instanceof ProjectorError);
      assert.equal(e.code, 'KubeInvalid');
      assert.match(e.message, /^the API server would refuse Secret ns\/s: .*"bad key".*\.dockerconfigjson/);
      assert.ok(!e.message.includes(CANARY) && !JSON.stringify(e.details).includes(CANARY));
      return true;
    });
    assert.doesNotThrow(() => assertSecretShape(secret('Opaque', { a: 'b' })));
  });
});
