// Binary data through target.template: byte-exact like Go's text/template (Go strings are bytes),
// through every function as Go and sprig process it; labels and annotations (text) refuse it.
// Expected bytes come from Go 1.26 text/template with sprig v3.3.0 as ESO's runtime/template/v2
// sets them up (the reference renderer in test/template-go).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultTemplateRenderer } from '../../../src/core/default-template-renderer.ts';
import { ProjectorError } from '../../../src/core/errors.ts';
import { planTargetSecret, type SecretBytes } from '../../../src/core/plan-target-secret.ts';
import { Sensitive } from '../../../src/core/sensitive.ts';
import { goStringFromBytes, goStringToBytes, isTextString } from '../../../src/core/go-string.ts';
import { renderTemplate } from '../../../src/core/template/index.ts';
import { externalSecret } from '../../support/builders.ts';

/** The field case's keystore: a JKS magic number, not UTF-8 (0xfe never starts a UTF-8 sequence). */
const KEYSTORE = Uint8Array.of(0xfe, 0xed, 0xfe, 0xed, 0x00, 0x00, 0x00, 0x02);
const KEYSTORE_B64 = '/u3+7QAAAAI=';

function data(values: Record<string, string | Uint8Array>): Map<string, SecretBytes> {
  return new Map(Object.entries(values).map(([k, v]) => [k, new Sensitive(typeof v === 'string' ? new Uint8Array(Buffer.from(v, 'utf8')) : v)]));
}

const render = defaultTemplateRenderer({ now: () => new Date('2026-11-23T10:00:00Z') });

function renderKey(template: string, values: Record<string, string | Uint8Array>): string {
  const es = externalSecret({ target: { name: 't', template: { data: { 'keystore.jks': template } } } });
  const out = render(es, data(values)).data.get('keystore.jks');
  assert.ok(out);
  return Buffer.from(out.reveal()).toString('hex');
}

describe('Go strings as JavaScript strings (core/go-string.ts)', () => {
  it('round-trips any bytes exactly, text or not', () => {
    const cases = [KEYSTORE, Uint8Array.of(), Buffer.from('héllo 😀'), Uint8Array.of(0xc3), Uint8Array.of(0xed, 0xa0, 0x80), Uint8Array.of(0xf0, 0x9f, 0x98), Uint8Array.of(0xe2, 0x82, 0x41, 0xff)];
    for (const b of cases) assert.deepEqual(goStringToBytes(goStringFromBytes(b)), new Uint8Array(b));
    // 256 × 256 two-byte sequences cover every lead/continuation combination.
    for (let a = 0; a < 256; a++) {
      for (let b = 0; b < 256; b += 1) {
        const bytes = Uint8Array.of(a, b);
        assert.deepEqual(goStringToBytes(goStringFromBytes(bytes)), bytes);
      }
    }
  });

  it('decodes valid UTF-8 as text and marks only invalid bytes (a surrogate encoding counts as invalid, as in Go)', () => {
    assert.equal(goStringFromBytes(Buffer.from('héllo 😀')), 'héllo 😀');
    assert.ok(isTextString(goStringFromBytes(Buffer.from('héllo 😀'))));
    assert.ok(!isTextString(goStringFromBytes(KEYSTORE)));
    assert.ok(!isTextString(goStringFromBytes(Uint8Array.of(0xed, 0xa0, 0x80))));
  });
});

describe('binary values through target.template', () => {
  it('writes b64dec of a binary value byte-exact, as ESO does (the field case template-b64dec-binary)', () => {
    assert.equal(renderKey('{{ .raw | b64dec }}', { raw: KEYSTORE_B64 }), 'feedfeed00000002');
  });

  it('writes b64dec of text as its UTF-8 bytes', () => {
    assert.equal(renderKey('{{ .raw | b64dec }}', { raw: Buffer.from('héllo').toString('base64') }), Buffer.from('héllo').toString('hex'));
  });

  it('passes a fetched value that is not UTF-8 through {{ .x }}, index, variables and range byte-exact', () => {
    assert.equal(renderKey('{{ .bin }}', { bin: KEYSTORE }), 'feedfeed00000002');
    assert.equal(renderKey('{{ index . "bin" }}', { bin: KEYSTORE }), 'feedfeed00000002');
    assert.equal(renderKey('{{ $v := .bin }}{{ $v }}', { bin: KEYSTORE }), 'feedfeed00000002');
    assert.equal(renderKey('{{ range $k, $v := . }}{{ $v }}{{ end }}', { bin: KEYSTORE }), 'feedfeed00000002');
    // Go prints map[string]string as map[k:v] with the value's bytes as they are.
    assert.equal(renderKey('{{ . }}', { bin: KEYSTORE, raw: KEYSTORE_B64 }), Buffer.concat([Buffer.from('map[bin:'), KEYSTORE, Buffer.from(' raw:/u3+7QAAAAI=]')]).toString('hex'));
  });

  it('compares and measures binary values as Go does (eq, len, index on bytes)', () => {
    assert.equal(renderKey('{{ if eq .bin .bin }}same{{ end }}|{{ len .bin }}|{{ index .bin 0 }}', { bin: KEYSTORE }), Buffer.from('same|8|254').toString('hex'));
  });

  it('keeps the bytes Go keeps where a string is cut inside a character, or written as \\x escapes', () => {
    assert.equal(renderKey('{{ substr 0 1 "é" }}', {}), 'c3');
    assert.equal(renderKey('{{ substr 0 2 .text }}', { text: 'héllo' }), '68c3');
    assert.equal(renderKey('{{ "\\xff" }}', {}), 'ff');
    assert.equal(renderKey("{{ '\\xff' }}", {}), Buffer.from('255').toString('hex'));
  });

  it("prints binary data byte for byte through printf and print, as Go's fmt does", () => {
    // Go 1.26 text/template with data {"bin": "a\xff\x00"}; output bytes in hex.
    assert.equal(
      renderKey('{{ printf "%s|%x|%q|%5.2s|% X|%v" .bin .bin .bin .bin .bin .bin }}{{ print .bin 1 }}', { bin: Uint8Array.of(0x61, 0xff, 0x00) }),
      '61ff007c3631666630307c22615c7866665c783030227c20202061ff7c36312046462030307c61ff0061ff0031',
    );
  });

  it('runs functions on binary data as Go does: U+FFFD where Go decodes runes, the bytes where Go works on bytes', () => {
    // strings.ToUpper goes through strings.Map, which writes EF BF BD for each byte that is not UTF-8.
    assert.equal(renderKey('{{ .raw | b64dec | upper }}', { raw: KEYSTORE_B64 }), 'efbfbdefbfbdefbfbdefbfbd00000002');
    // base64.StdEncoding.EncodeToString of the bytes.
    assert.equal(renderKey('{{ .bin | b64enc }}', { bin: KEYSTORE }), Buffer.from(KEYSTORE_B64).toString('hex'));
    // encoding/json writes \ufffd for each byte that is not UTF-8.
    assert.equal(renderKey('{{ toJson . }}', { bin: KEYSTORE, user: 'u' }), Buffer.from('{"bin":"\\ufffd\\ufffd\\ufffd\\ufffd\\u0000\\u0000\\u0000\\u0002","user":"u"}').toString('hex'));
    // strings.TrimSpace slices the string: the bytes are kept.
    assert.equal(renderKey('{{ .raw | b64dec | trim }}', { raw: KEYSTORE_B64 }), 'feedfeed00000002');
  });

  it('renders templates that do not use the binary value, next to it', () => {
    assert.equal(renderKey('{{ .user | upper }}', { bin: KEYSTORE, user: 'u' }), Buffer.from('U').toString('hex'));
  });

  it('refuses binary data in labels and annotations (API strings) instead of altering it', () => {
    const es = externalSecret({ target: { name: 't', template: { metadata: { annotations: { note: '{{ .raw | b64dec }}' } } } } });
    assert.throws(() => render(es, data({ raw: KEYSTORE_B64 })), (e: unknown) => {
      assert.ok(e instanceof ProjectorError);
      assert.equal(e.code, 'TemplateBinaryValue');
      assert.match(e.message, /^spec\.target\.template\.metadata\.annotations\["note"\] renders binary data/);
      return true;
    });
  });

  it('plans no Secret when a label renders binary data', () => {
    const es = externalSecret({ target: { name: 't', template: { metadata: { labels: { l: '{{ .raw | b64dec }}' } } } } });
    assert.throws(() => planTargetSecret({ es, data: data({ raw: KEYSTORE_B64 }), allMissing: false, live: undefined, renderTemplate: render }), (e: unknown) => {
      assert.ok(e instanceof ProjectorError);
      assert.equal(e.code, 'TemplateBinaryValue');
      assert.match(e.message, /^spec\.target\.template\.metadata\.labels\["l"\] renders binary data/);
      return true;
    });
  });
});

describe("b64dec follows Go's encoding/base64 (sprig v3 base64decode returns the error text)", () => {
  // Go 1.26: sprig's base64decode = base64.StdEncoding.DecodeString, err.Error() on failure.
  const cases: [string, string][] = [
    ['aGk=', 'hi'],
    ['aGk', 'illegal base64 data at input byte 0'],
    ['YQ==\n', 'a'],
    ['\nYQ==', 'a'],
    [' YQ==', 'illegal base64 data at input byte 0'],
    ['YQ=', 'illegal base64 data at input byte 3'],
    ['YQ==YQ==', 'illegal base64 data at input byte 4'],
    ['-_8=', 'illegal base64 data at input byte 0'],
    ['YR==', 'a'],
    ['', ''],
  ];
  for (const [input, output] of cases) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(output)}`, () => {
      assert.equal(renderTemplate('{{ .v | b64dec }}', { v: input }), output);
    });
  }
});

describe("filterPEM reads block bodies with Go's encoding/pem and base64 rules", () => {
  // Go 1.26 encoding/pem: a body that is not padded base64 makes no block; spaces and tabs are dropped.
  const block = (body: string) => `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;

  it('skips a block whose body is not valid base64 and keeps the next one', () => {
    assert.equal(renderTemplate('{{ .v | filterPEM "CERTIFICATE" }}', { v: block('MII') + block('MIIB') }), block('MIIB'));
  });

  it('drops spaces inside a body as Go does', () => {
    assert.equal(renderTemplate('{{ .v | filterPEM "CERTIFICATE" }}', { v: block('MI IB') }), block('MIIB'));
  });

  it('reports junk when the only block does not decode', () => {
    assert.throws(() => renderTemplate('{{ .v | filterPEM "CERTIFICATE" }}', { v: block('MII') }), /error filtering pem: found junk/);
  });
});
