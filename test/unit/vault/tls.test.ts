// The local vault's certificates: serial numbers OpenSSL accepts whatever the random bytes, and
// material that cannot be used (unparseable, mismatched key) renewed instead of stopping the server.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { certificateSerialHex, ensureTlsMaterial } from '../../../src/vault/tls.ts';

// First octets that once made a padded or negative DER INTEGER: 0x00 then <0x80 (padding OpenSSL
// refuses), 0x00 0x00, 0x80 and 0xff (high bit set), and ordinary ones.
const EDGE_CASES = [
  [0x00, 0x3f],
  [0x00, 0x00],
  [0x00, 0x80],
  [0x80, 0x00],
  [0xff, 0xff],
  [0x7f, 0x01],
  [0x01, 0x00],
];

function bytes(first: number[]): Uint8Array {
  const b = new Uint8Array(16).fill(0xab);
  b.set(first);
  return b;
}

describe('certificateSerialHex', () => {
  for (const first of EDGE_CASES) {
    it(`is positive and minimally encoded for random bytes starting ${first.map((x) => x.toString(16).padStart(2, '0')).join(' ')}`, () => {
      const hex = certificateSerialHex(bytes(first));
      assert.match(hex, /^[0-9a-f]{32}$/);
      const lead = Number.parseInt(hex.slice(0, 2), 16);
      // Positive (high bit clear) and not a zero octet: DER needs no padding octet (X.690 §8.3.2).
      assert.ok(lead >= 0x01 && lead <= 0x7f, `first octet ${lead}`);
      // The other octets are the random ones, unchanged.
      assert.equal(hex.slice(2), Buffer.from(bytes(first)).subarray(1).toString('hex'));
    });
  }
});

describe('ensureTlsMaterial', () => {
  it('makes certificates node accepts even from random bytes that once produced a padded serial', async () => {
    for (const first of [[0x00, 0x3f], [0x00, 0x00]]) {
      const dir = mkdtempSync(join(tmpdir(), 'projector-tls-'));
      try {
        const t = await ensureTlsMaterial(dir, ['127.0.0.1'], Date.now(), (n) => bytes(first).subarray(0, n));
        // What `vault serve` does with them (https.createServer) and what a client does with the CA.
        assert.doesNotThrow(() => createSecureContext({ key: t.keyPem, cert: t.certPem }));
        assert.doesNotThrow(() => createSecureContext({ ca: t.caPem }));
        const cert = new X509Certificate(t.certPem);
        assert.ok(cert.verify(new X509Certificate(t.caPem).publicKey));
        assert.equal(cert.serialNumber.length, 32);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it('renews a server certificate that does not parse or whose key is not its own, and a CA whose key does not parse', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'projector-tls-'));
    try {
      const first = await ensureTlsMaterial(dir, ['127.0.0.1']);
      // Reused as it is when nothing is wrong.
      const again = await ensureTlsMaterial(dir, ['127.0.0.1']);
      assert.equal(again.certPem, first.certPem);
      assert.equal(again.caPem, first.caPem);

      writeFileSync(join(dir, 'server.pem'), '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
      const renewed = await ensureTlsMaterial(dir, ['127.0.0.1']);
      assert.notEqual(renewed.certPem, first.certPem);
      assert.equal(renewed.caPem, first.caPem);
      assert.doesNotThrow(() => createSecureContext({ key: renewed.keyPem, cert: renewed.certPem }));

      // A key from another pair: the certificate would not load with it.
      writeFileSync(join(dir, 'server-key.pem'), readFileSync(join(dir, 'ca-key.pem')));
      const rekeyed = await ensureTlsMaterial(dir, ['127.0.0.1']);
      assert.notEqual(rekeyed.certPem, renewed.certPem);
      assert.doesNotThrow(() => createSecureContext({ key: rekeyed.keyPem, cert: rekeyed.certPem }));

      writeFileSync(join(dir, 'ca-key.pem'), 'not a key\n');
      const newCa = await ensureTlsMaterial(dir, ['127.0.0.1']);
      assert.notEqual(newCa.caPem, first.caPem);
      assert.ok(new X509Certificate(newCa.certPem).verify(new X509Certificate(newCa.caPem).publicKey));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
