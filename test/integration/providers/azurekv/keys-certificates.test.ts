// Issue 13 item 5 end to end: ExternalSecrets reading `key/<name>` and `cert/<name>` through Key
// Vault's keys and certificates APIs, on a real API server with the operator and the local vault
// (seeded through the official @azure/keyvault-keys and @azure/keyvault-certificates SDKs). The
// expected bytes are ESO's: for key/, encoding/json.Marshal of services/keyvault/v7.0
// keyvault.JSONWebKey (providers/v1/azure/keyvault/keyvault.go getSecretWithLegacySDK: fields kid,
// kty, key_ops, n, e in struct order, strings as Key Vault sent them); for cert/, the certificate's
// `cer` (its DER). A principal with only secrets permissions gets a Forbidden naming certificates/get.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ClientSecretCredential } from '@azure/identity';
import { KeyClient } from '@azure/keyvault-keys';
import { CertificateClient } from '@azure/keyvault-certificates';
import { eventually } from '../../../support/eventually.ts';
import { testCertificate } from '../../../support/certificates.ts';
import { HOWTO, HowtoEnv } from '../../howto/howto-env.ts';

const CLIENT = 'keys-sp';
const SECRETS_ONLY = 'secrets-only-sp';
const cert = testCertificate('keys-certificates.example');

function externalSecret(name: string, store: string, data: Array<{ secretKey: string; remoteRef: Record<string, string> }>): unknown {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name, namespace: HOWTO.namespace },
    spec: { refreshInterval: '1h', secretStoreRef: { kind: 'ClusterSecretStore', name: store }, target: { name }, data },
  };
}

describe('key/ and cert/ refs through the keys and certificates APIs (operator, real API server, local vault)', { timeout: 240_000 }, () => {
  let env: HowtoEnv;
  let keyId = '';
  let n = '';

  before(async () => {
    const secret = `canary-client-secret-${process.pid}-${Date.now().toString(36)}`;
    env = await HowtoEnv.start({
      principals: [
        { clientId: CLIENT, clientSecret: secret },
        // An access policy with secret permissions only: no keys or certificates lists.
        { clientId: SECRETS_ONLY, clientSecret: secret, allowRead: ['*'], allowWrite: ['*'] },
      ],
    });
    env.canaries.values.push(secret);
    await env.applyCredentialsSecret(CLIENT, secret);
    await env.applyCredentialsSecret(SECRETS_ONLY, secret, 'secrets-only-credentials');
    const secretsOnlyStore = env.howtoStore((akv) => {
      for (const field of ['tenantId', 'clientId', 'clientSecret']) akv[field].valueFrom.secretKeyRef.name = 'secrets-only-credentials';
    });
    secretsOnlyStore.metadata.name = 'secrets-only';
    await env.k.apply([env.howtoStore() as never, secretsOnlyStore as never]);
    await eventually(() => env.storeReady(), (r) => r.status === 'True', { timeoutMs: 30_000, message: 'ClusterSecretStore Ready' });
    await env.k.namespace(HOWTO.namespace);

    const credential = new ClientSecretCredential(env.vault.tenantId, CLIENT, secret, {
      authorityHost: env.vault.authorityHost,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: env.vault.caPem },
    } as never);
    const options = { disableChallengeResourceVerification: true, tlsOptions: { ca: env.vault.caPem } } as never;
    const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
    n = jwk.n!;
    const bin = (v: string | undefined) => (v === undefined ? undefined : new Uint8Array(Buffer.from(v, 'base64url')));
    const imported = await new KeyClient(env.vault.url, credential, options).importKey('signing', {
      kty: 'RSA', n: bin(jwk.n), e: bin(jwk.e), d: bin(jwk.d), p: bin(jwk.p), q: bin(jwk.q), dp: bin(jwk.dp), dq: bin(jwk.dq), qi: bin(jwk.qi),
    });
    keyId = imported.id!;
    await new CertificateClient(env.vault.url, credential, options).importCertificate('netbox-tls', Buffer.from(cert.pfxBase64, 'base64'));
  });
  after(async () => env?.stop());

  it("writes ESO's bytes for key/ (the JWK JSON, and a property of it) and cert/ (the DER)", async () => {
    await env.k.apply([
      externalSecret('keys-and-certs', HOWTO.store, [
        { secretKey: 'jwk', remoteRef: { key: 'key/signing' } },
        { secretKey: 'n', remoteRef: { key: 'key/signing', property: 'n' } },
        { secretKey: 'crt', remoteRef: { key: 'cert/netbox-tls' } },
      ]) as never,
    ]);
    const s = await eventually(() => env.k.secret(HOWTO.namespace, 'keys-and-certs'), (x) => x !== undefined, { timeoutMs: 30_000, message: 'Secret written' });
    const data = (k: string) => Buffer.from(s.data[k], 'base64');
    assert.equal(
      data('jwk').toString('utf8'),
      `{"kid":"${keyId}","kty":"RSA","key_ops":["encrypt","decrypt","sign","verify","wrapKey","unwrapKey"],"n":"${n}","e":"AQAB"}`,
    );
    assert.equal(data('n').toString('utf8'), n);
    assert.deepEqual(data('crt'), cert.certDer);
    await env.waitEsReady('True', { name: 'keys-and-certs' });
  });

  it('refuses cert/ and key/ to a principal with secrets permissions only, naming certificates/get', async () => {
    await env.k.apply([
      externalSecret('cert-denied', 'secrets-only', [{ secretKey: 'crt', remoteRef: { key: 'cert/netbox-tls' } }]) as never,
      externalSecret('key-denied', 'secrets-only', [{ secretKey: 'jwk', remoteRef: { key: 'key/signing' } }]) as never,
      // The certificate's backing secret is a secret: secrets/get reads it, as in Key Vault.
      externalSecret('backing-secret', 'secrets-only', [{ secretKey: 'pfx', remoteRef: { key: 'secret/netbox-tls' } }]) as never,
    ]);
    const refused = await env.waitEsReady('False', { name: 'cert-denied', message: /^VaultForbidden: / });
    assert.match(refused.message ?? '', /may not read certificate "netbox-tls".*\(403 Forbidden\/ForbiddenByPolicy\); grant it certificates\/get/);
    const keyRefused = await env.waitEsReady('False', { name: 'key-denied', message: /^VaultForbidden: / });
    assert.match(keyRefused.message ?? '', /may not read key "signing".*grant it keys\/get/);
    await env.waitEsReady('True', { name: 'backing-secret' });
    assert.equal(await env.k.secret(HOWTO.namespace, 'cert-denied'), undefined);
    await env.assertNoLeaks([HOWTO.namespace]);
  });
});
