import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { renderTemplate, TemplateError } from '../../../../src/core/template/index.ts';
import { CERT_CASES } from './sprig-certs-cases.ts';
import { normaliseCertificates } from './sprig-certs-normalise.ts';

const dir = new URL('./fixtures/sprig-certs/', import.meta.url);
const KEYS = Object.fromEntries(['rsa', 'ec', 'ed'].map((k) => [k, readFileSync(new URL(`${k}.pem`, dir), 'utf8')]));

function render(template: string, data: Record<string, string> = KEYS): string {
  return renderTemplate(template, data, 't', { now: new Date() });
}

function pemCerts(s: string): X509Certificate[] {
  return [...s.matchAll(/-----BEGIN CERTIFICATE-----\n[\s\S]*?-----END CERTIFICATE-----\n/g)].map((m) => new X509Certificate(m[0]));
}

const DAY = 86_400_000;

describe('sprig certificate functions write what Go writes (sprig v3.3.0 crypto.go, crypto/x509)', () => {
  for (const c of CERT_CASES) {
    if (c.normalised !== undefined) {
      it(`renders ${c.template} as Go does, up to serial, validity and signature`, () => {
        const actual = normaliseCertificates(render(c.template));
        if (!/\| len\b/.test(c.template)) return assert.equal(actual, c.normalised);
        // Lengths of output holding a certificate vary in Go too: the random 128-bit serial is DER
        // 15-17 bytes (a leading zero byte, or one added for a set top bit), so its PEM is a few
        // characters longer or shorter. The words must match; each length within 8 characters per
        // certificate printed (3 in the printf case), where any format difference moves it by far more.
        const words = (x: string) => x.split(' ');
        const [got, want] = [words(actual), words(c.normalised!)];
        assert.equal(got.length, want.length, actual);
        got.forEach((w, i) => (/^\d+$/.test(want[i]!) ? assert.ok(Math.abs(Number(w) - Number(want[i])) <= 24, `${actual} vs Go's ${c.normalised}`) : assert.equal(w, want[i])));
      });
    } else {
      it(`fails ${c.template} as Go does`, () => {
        assert.throws(() => render(c.template), (e: unknown) => e instanceof TemplateError && e.kind === 'exec');
      });
    }
  }
});

describe('generated certificates and keys (random in Go too: checked by parsing)', () => {
  it('genCA: a self-signed CA with an RSA 2048 key, valid for the given days from now', () => {
    const before = Date.now();
    const out = render('{{ $ca := genCA "test-ca" 365 }}{{ $ca.Cert }}{{ $ca.Key }}');
    const [cert] = pemCerts(out);
    assert.ok(cert);
    assert.equal(cert.subject, 'CN=test-ca');
    assert.equal(cert.issuer, 'CN=test-ca');
    assert.equal(cert.ca, true);
    assert.ok(cert.verify(cert.publicKey));
    assert.equal(cert.publicKey.asymmetricKeyType, 'rsa');
    assert.equal(cert.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
    const from = Date.parse(cert.validFrom);
    assert.ok(from >= Math.floor(before / 1000) * 1000 - 1000 && from <= Date.now());
    assert.equal(Date.parse(cert.validTo) - from, 365 * DAY);
    const key = createPrivateKey(out.slice(out.indexOf('-----BEGIN RSA PRIVATE KEY-----')));
    assert.ok(createPublicKey(key).equals(cert.publicKey));
  });

  it('genSignedCert: signed by the CA, with the SANs, not a CA, with a fresh RSA 2048 key', () => {
    const out = render('{{ $ca := genCA "ca" 10 }}{{ $c := genSignedCert "leaf.example" (list "10.0.0.1" "2001:db8::1") (list "leaf.example" "alt.example") 30 $ca }}{{ $ca.Cert }}{{ $c.Cert }}{{ $c.Key }}');
    const [ca, leaf] = pemCerts(out);
    assert.ok(ca && leaf);
    assert.equal(leaf.subject, 'CN=leaf.example');
    assert.equal(leaf.issuer, 'CN=ca');
    assert.equal(leaf.ca, false);
    assert.ok(leaf.verify(ca.publicKey));
    assert.ok(leaf.checkIssued(ca));
    assert.equal(leaf.subjectAltName, 'DNS:leaf.example, DNS:alt.example, IP Address:10.0.0.1, IP Address:2001:DB8:0:0:0:0:0:1');
    assert.equal(Date.parse(leaf.validTo) - Date.parse(leaf.validFrom), 30 * DAY);
    assert.equal(leaf.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
    assert.ok(!leaf.publicKey.equals(ca.publicKey));
  });

  it('genSelfSignedCert: self-signed leaf whose SANs certSANs reads back (ESO function)', () => {
    assert.equal(render('{{ $c := genSelfSignedCert "x.example" (list "10.0.0.1") (list "x.example") 30 }}{{ $c.Cert | certSANs }}'), '[x.example 10.0.0.1]');
  });

  it('prints the certificate struct as Go prints sprig.certificate', () => {
    const out = render('{{ $c := genSelfSignedCertWithKey "x" nil nil 1 .rsa }}{{ $c }}|{{ printf "%+v" $c | trunc 8 }}|{{ typeOf $c }}|{{ kindOf $c }}');
    assert.match(out, /^\{-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n -----BEGIN RSA PRIVATE KEY-----\n[\s\S]+\}\|\{Cert:--\|sprig\.certificate\|struct$/);
  });

  it('uses the render time it is given for NotBefore (the engine has no clock of its own)', () => {
    const now = new Date('2031-05-06T07:08:09.999Z');
    const out = renderTemplate('{{ (genSelfSignedCertWithKey "x" nil nil 2 .rsa).Cert }}', KEYS, 't', { now });
    const [cert] = pemCerts(out);
    assert.ok(cert);
    assert.equal(new Date(cert.validFrom).toISOString(), '2031-05-06T07:08:09.000Z');
    assert.equal(new Date(cert.validTo).toISOString(), '2031-05-08T07:08:09.000Z');
  });

  it('writes GeneralizedTime from 2050 on, as encoding/asn1 does', () => {
    const out = renderTemplate('{{ (genSelfSignedCertWithKey "x" nil nil 1 .rsa).Cert }}', KEYS, 't', { now: new Date('2049-12-31T12:00:00Z') });
    const der = Buffer.from(out.replace(/-----[A-Z ]+-----|\n/g, ''), 'base64');
    // UTCTime 491231120000Z, then GeneralizedTime 20500101120000Z.
    assert.ok(der.includes(Buffer.from('\x17\x0d491231120000Z', 'latin1')));
    assert.ok(der.includes(Buffer.from('\x18\x0f20500101120000Z', 'latin1')));
  });

  it('fails as unsupported when the caller passes no render time', () => {
    assert.throws(() => renderTemplate('{{ genCA "x" 1 }}', {}, 't'), (e: unknown) => e instanceof TemplateError && e.kind === 'unsupported');
  });

  it('does not quote a bad IP or PEM type from data in its error (Go does)', () => {
    assert.throws(() => render('{{ genSelfSignedCertWithKey "x" (list .ip) nil 1 .rsa }}', { ...KEYS, ip: 'secret-ip' }), (e: Error) => !e.message.includes('secret-ip'));
  });
});
