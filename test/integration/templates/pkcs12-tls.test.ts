// Issue 8 end to end: a Key Vault certificate read as secret/<name> (base64 PFX, content type
// application/x-pkcs12) and a PEM bundle secret, projected by the operator into kubernetes.io/tls
// Secrets with ESO's pkcs12cert/pkcs12key and filterPEM, on a real API server and the local vault.
// The expected tls.crt/tls.key bytes are Go's: ESO's own functions run by
// test/unit/core/template/fixtures/eso-crypto/go-harness (expected-go.json).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../../support/eventually.ts';
import { HOWTO, HowtoEnv } from '../howto/howto-env.ts';

const fixtures = new URL('../../unit/core/template/fixtures/eso-crypto/', import.meta.url);
const fixture = (f: string): Buffer => readFileSync(new URL(f, fixtures));
const goOutput = JSON.parse(fixture('expected-go.json').toString('utf8')) as Record<string, { ok?: string }>;
const goBytes = (name: string): Buffer => Buffer.from(goOutput[name]!.ok!, 'base64');

const CLIENT = 'templates-sp';

function tlsExternalSecret(name: string, key: string, data: Record<string, string>): unknown {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name, namespace: HOWTO.namespace },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: HOWTO.store },
      target: { name, template: { type: 'kubernetes.io/tls', engineVersion: 'v2', data } },
      data: [{ secretKey: 'tls', remoteRef: { key } }],
    },
  };
}

describe("ESO's certificate functions on the operator, real API server and local vault", { timeout: 240_000 }, () => {
  let env: HowtoEnv;

  before(async () => {
    const clientSecret = `canary-client-secret-${process.pid}-${Date.now().toString(36)}`;
    env = await HowtoEnv.start({ principals: [{ clientId: CLIENT, clientSecret }] });
    env.canaries.values.push(clientSecret);
    await env.applyCredentialsSecret(CLIENT, clientSecret);
    await env.k.apply([env.howtoStore() as never]);
    await eventually(() => env.storeReady(), (r) => r.status === 'True', { timeoutMs: 30_000, message: 'ClusterSecretStore Ready' });
    await env.k.namespace(HOWTO.namespace);
    // Key Vault returns a certificate's secret as base64 of the PFX, content type application/x-pkcs12.
    await env.vault.admin.setSecret('tls-pfx', fixture('rsa-chain-aes-nopass.pfx').toString('base64'), { contentType: 'application/x-pkcs12' });
    await env.vault.admin.setSecret('tls-pem', fixture('tls-bundle.pem').toString('utf8'), { contentType: 'application/x-pem-file' });
  });
  after(async () => env?.stop());

  async function tlsSecret(name: string): Promise<{ type: string; crt: Buffer; key: Buffer }> {
    const s = await eventually(() => env.k.secret(HOWTO.namespace, name), (x) => x !== undefined, { timeoutMs: 30_000, message: `${name} written` });
    return { type: s.type, crt: Buffer.from(s.data['tls.crt'], 'base64'), key: Buffer.from(s.data['tls.key'], 'base64') };
  }

  it('writes tls.crt (leaf → intermediate → root) and tls.key (PKCS#8) from a PFX exactly as ESO does', async () => {
    await env.k.apply([
      tlsExternalSecret('tls-from-pfx', 'secret/tls-pfx', {
        'tls.crt': '{{ .tls | b64dec | pkcs12cert }}',
        'tls.key': '{{ .tls | b64dec | pkcs12key }}',
      }) as never,
    ]);
    const s = await tlsSecret('tls-from-pfx');
    assert.equal(s.type, 'kubernetes.io/tls');
    assert.deepEqual(s.crt, goBytes('pkcs12cert rsa-chain-aes-nopass.pfx'));
    assert.deepEqual(s.key, goBytes('pkcs12key rsa-chain-aes-nopass.pfx'));
    // The key is the fixture's key, re-encoded as Go writes PKCS#8 (openssl wrote the same bytes).
    assert.equal(s.key.toString('utf8'), fixture('leaf.key').toString('utf8'));
  });

  it('writes tls.crt and tls.key from a PEM bundle with filterPEM exactly as ESO does', async () => {
    await env.k.apply([
      tlsExternalSecret('tls-from-pem', 'secret/tls-pem', {
        'tls.crt': '{{ .tls | filterPEM "CERTIFICATE" }}',
        'tls.key': '{{ .tls | filterPEM "PRIVATE KEY" }}',
      }) as never,
    ]);
    const s = await tlsSecret('tls-from-pem');
    assert.equal(s.type, 'kubernetes.io/tls');
    assert.deepEqual(s.crt, goBytes('filterPEM bundle CERTIFICATE'));
    assert.deepEqual(s.key, goBytes('filterPEM bundle PRIVATE KEY'));
  });

  it('fails the sync, without the value, when the PFX password is wrong (a template error, as in ESO)', async () => {
    await env.k.apply([
      tlsExternalSecret('tls-wrong-password', 'secret/tls-pfx', {
        'tls.crt': '{{ .tls | b64dec | pkcs12certPass "not-the-password" }}',
        'tls.key': '{{ .tls | b64dec | pkcs12keyPass "not-the-password" }}',
      }) as never,
    ]);
    const ready = await env.waitEsReady('False', { name: 'tls-wrong-password', message: /pkcs12/ });
    assert.doesNotMatch(ready.message ?? '', /MII/);
    assert.equal(await env.k.secret(HOWTO.namespace, 'tls-wrong-password'), undefined);
  });
});
