// The libraries behind the vault's certificates (docs/design/005-vault-certificates.md): @peculiar/x509
// and @peculiar/asn1-* load only when a certificate is created or imported, never with the vault or
// outside it; the PKCS#12 they write keeps the localKeyId pairing of certificate and key; P-256K,
// which node:crypto's WebCrypto lacks, is created too. node --test runs each file in its own
// process: the recorder below is registered before anything here imports the vault.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { join, relative } from 'node:path';
import forge from 'node-forge';

const resolved: string[] = [];
registerHooks({
  resolve(specifier, context, nextResolve) {
    const r = nextResolve(specifier, context);
    resolved.push(r.url);
    return r;
  },
});
const certificateLibraries = () => resolved.filter((u) => /\/node_modules\/(@peculiar\/|reflect-metadata\/|tsyringe\/)/.test(u));

async function admin() {
  const { createHarness } = await import('./app-harness.ts');
  const h = createHarness({ principals: [{ clientId: 'reader', clientSecret: 'reader-secret' }] });
  return { h, token: await h.tokenFor('reader', 'reader-secret') };
}

/**
 * The passwordless PKCS#12 of a backing secret read by node-forge: each bag's localKeyId (hex), per
 * bag type. No password at all (not an empty one): the MAC is keyed as for none.
 */
function localKeyIds(base64: string): { cert: string[]; key: string[] } {
  const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(Buffer.from(base64, 'base64').toString('binary')));
  const ids = (oid: string) => (p12.getBags({ bagType: oid })[oid] ?? []).map((b) => Buffer.from(b.attributes.localKeyId?.[0] ?? '', 'binary').toString('hex'));
  return { cert: ids(forge.pki.oids.certBag!), key: ids(forge.pki.oids.keyBag!) };
}

describe('vault certificates: libraries loaded on demand', () => {
  it('starts the vault and serves secrets without loading @peculiar/* or reflect-metadata; creating a certificate loads them', async () => {
    const { h, token } = await admin();
    assert.equal((await h.call('PUT', '/secrets/plain?api-version=7.5', { token, body: { value: 'v' } })).status, 200);
    assert.equal((await h.call('POST', '/keys/k/create?api-version=7.5', { token, body: { kty: 'EC' } })).status, 200);
    assert.ok(resolved.some((u) => u.endsWith('/src/vault/app.ts')), 'the recorder saw the vault being loaded');
    assert.deepEqual(certificateLibraries(), []);
    const res = await h.call('POST', '/certificates/c/create?api-version=7.5', { token, body: { policy: { issuer: { name: 'Self' }, x509_props: { subject: 'CN=c.example' } } } });
    assert.equal(res.status, 202, res.body);
    assert.ok(certificateLibraries().some((u) => u.includes('/@peculiar/x509/')));
    assert.ok(certificateLibraries().some((u) => u.includes('/@peculiar/asn1-pfx/')));
  });

  it('imports @peculiar/* nowhere outside src/vault, and inside it only on demand (import() or import type)', () => {
    const src = new URL('../../../src/', import.meta.url).pathname;
    const files = (dir: string): string[] => readdirSync(dir).flatMap((e) => (statSync(join(dir, e)).isDirectory() ? files(join(dir, e)) : e.endsWith('.ts') ? [join(dir, e)] : []));
    const bad: string[] = [];
    let seen = 0;
    for (const f of files(src)) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/^\s*import\s+(type\s+)?[^'";]*?from\s+'(@peculiar\/[^']+|reflect-metadata)'|import\(\s*'(@peculiar\/[^']+|reflect-metadata)'\s*\)/gm)) {
        seen++;
        const where = relative(src, f);
        if (!where.startsWith('vault/') || (m[2] !== undefined && m[1] === undefined)) bad.push(`${where} -> ${m[2] ?? m[3]}`);
      }
    }
    assert.ok(seen > 0, 'the scan found the imports');
    assert.deepEqual(bad, []);
  });
});

describe('vault certificates: what the libraries write', () => {
  for (const kty of ['RSA', 'EC'] as const) {
    it(`pairs the ${kty} certificate and key bags of a created PKCS#12 by localKeyId = SHA-1 of the certificate (read by node-forge)`, async () => {
      const { h, token } = await admin();
      const policy = { issuer: { name: 'Self' }, key_props: { kty }, x509_props: { subject: 'CN=p12.example' } };
      assert.equal((await h.call('POST', '/certificates/p12/create?api-version=7.5', { token, body: { policy } })).status, 202);
      const cer = Buffer.from((await h.call('GET', '/certificates/p12?api-version=7.5', { token })).json.cer, 'base64');
      const ids = localKeyIds((await h.call('GET', '/secrets/p12?api-version=7.5', { token })).json.value);
      const want = createHash('sha1').update(cer).digest('hex');
      assert.deepEqual(ids, { cert: [want], key: [want] });
    });
  }

  it('creates a P-256K (secp256k1) certificate, self-signed with ECDSA SHA-256, and serves its key as P-256K', async () => {
    const { h, token } = await admin();
    const policy = { issuer: { name: 'Self' }, key_props: { kty: 'EC', crv: 'P-256K' }, x509_props: { subject: 'CN=k.example' } };
    const res = await h.call('POST', '/certificates/k256/create?api-version=7.5', { token, body: { policy } });
    assert.equal(res.status, 202, res.body);
    const x509 = new X509Certificate(Buffer.from((await h.call('GET', '/certificates/k256?api-version=7.5', { token })).json.cer, 'base64'));
    assert.equal(x509.publicKey.asymmetricKeyDetails?.namedCurve, 'secp256k1');
    assert.ok(x509.verify(x509.publicKey));
    const key = (await h.call('GET', '/keys/k256?api-version=7.5', { token })).json.key;
    const jwk = x509.publicKey.export({ format: 'jwk' }) as { x: string; y: string };
    assert.deepEqual([key.kty, key.crv, key.x, key.y], ['EC', 'P-256K', jwk.x, jwk.y]);
  });

  it('writes every SAN kind, chosen key usages and EKUs, and a validity past 2049', async () => {
    const { h, token } = await admin();
    const policy = {
      issuer: { name: 'Self' },
      x509_props: {
        subject: 'CN="a, b", O=Acme\\, Inc, C=DE',
        validity_months: 1200,
        sans: { emails: ['m@x.example'], dns_names: ['d.example'], upns: ['u@corp.example'], uris: ['https://u.example/p'], ipAddresses: ['10.0.0.1', '2001:db8::1'] },
        key_usage: ['digitalSignature', 'keyCertSign', 'decipherOnly'],
        ekus: ['1.3.6.1.5.5.7.3.3'],
      },
    };
    assert.equal((await h.call('POST', '/certificates/rich/create?api-version=7.5', { token, body: { policy } })).status, 202);
    const x509 = new X509Certificate(Buffer.from((await h.call('GET', '/certificates/rich?api-version=7.5', { token })).json.cer, 'base64'));
    assert.equal(x509.subject, 'CN=a\\, b\nO=Acme\\, Inc\nC=DE', 'node:crypto escapes the commas');
    assert.equal(x509.subjectAltName, 'email:m@x.example, DNS:d.example, URI:https://u.example/p, IP Address:10.0.0.1, IP Address:2001:DB8:0:0:0:0:0:1, othername:UPN:u@corp.example');
    assert.deepEqual(x509.keyUsage, ['1.3.6.1.5.5.7.3.3'], 'node:crypto names the extended key usages');
    const ku = forge.pki.certificateFromAsn1(forge.asn1.fromDer(x509.raw.toString('binary'))).getExtension('keyUsage') as Record<string, boolean>;
    assert.deepEqual(
      ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly'].filter((u) => ku[u]),
      ['digitalSignature', 'keyCertSign', 'decipherOnly'],
    );
    assert.equal(ku.critical, true);
    assert.equal(x509.validTo, 'Nov 14 22:13:20 2123 GMT');
  });
});
