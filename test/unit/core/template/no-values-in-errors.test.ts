import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderTemplate, TemplateError } from '../../../../src/core/template/index.ts';

const CANARY = 'canary-7f3a9c-VALUE';
const OUTPUT_CANARY = 'canary-out-51be';

/** Each template fails while a canary value is in the data (and, where possible, already in the output). */
const FAILING: readonly { title: string; source: string }[] = [
  { title: 'fromJson of invalid JSON used as a map', source: '{{ (fromJson .secret).key }}' },
  { title: 'mustFromJson of invalid JSON', source: '{{ mustFromJson .secret }}' },
  { title: 'a regex compiled from a value', source: '{{ regexFind .badRegex "x" }}' },
  { title: 'mustRegexMatch with a bad pattern from data', source: '{{ mustRegexMatch .badRegex .secret }}' },
  { title: 'printf of a value followed by a failing call', source: '{{ printf "%s %s" .out .secret }}{{ fail "stop" }}' },
  { title: 'fail with a message computed from a value', source: '{{ fail (printf "bad %s" .secret) }}' },
  { title: 'fail with a piped value', source: '{{ .secret | fail }}' },
  { title: 'ranging over a string value', source: '{{ .out }}{{ range .secret }}{{ end }}' },
  { title: 'comparing a value with a number', source: '{{ lt .secret 3 }}' },
  { title: 'a field of a string value', source: '{{ .secret.field }}' },
  { title: 'a value passed where an int is expected', source: '{{ repeat (fromJson .num) "x" }}' },
  { title: 'indexing a list past its end', source: '{{ index (list .secret) 3 }}' },
  { title: 'first of a string value', source: '{{ first .secret }}' },
  { title: 'dig through a value that is not a map', source: '{{ dig "a" "b" "d" (dict "a" .secret) }}' },
  { title: 'filterPEM of a junk value', source: '{{ filterPEM "CERTIFICATE" .secret }}' },
  { title: 'pkcs12key of a junk value', source: '{{ .out }}{{ pkcs12key .secret }}' },
  { title: 'pkcs12certPass with a password from data', source: '{{ pkcs12certPass .secret .secret }}' },
  { title: 'filterCertChain of a junk value', source: '{{ filterCertChain "leaf" .secret }}' },
  { title: 'certSANs of a PEM block that is no certificate', source: '{{ certSANs (printf "-----BEGIN X-----\\n%s\\n-----END X-----\\n" (b64enc .secret)) }}' },
  { title: 'pemToPkcs12 of junk', source: '{{ pemToPkcs12 .secret .secret }}' },
  { title: 'jwkPrivateKeyPem of a JSON value that is no key', source: '{{ jwkPrivateKeyPem (printf "{\\"kty\\":\\"RSA\\",\\"d\\":%q}" .secret) }}' },
  { title: 'rsaDecrypt with a scheme from data', source: '{{ rsaDecrypt .secret "SHA256" .secret .secret }}' },
  { title: 'rsaDecrypt with a key from data', source: '{{ rsaDecrypt "RSA-OAEP" "SHA256" .secret .secret }}' },
  { title: 'a range over an int with two variables', source: '{{ range $i, $v := fromJson .num }}{{ end }}' },
  { title: 'a missing key after output', source: '{{ .out }}{{ .secret }}{{ .nope }}' },
  { title: 'exceeding the output limit', source: '{{ repeat 2000000 .secret }}' },
];

describe('template errors never carry data values or output', () => {
  for (const { title, source } of FAILING) {
    it(`keeps values out of the error for ${title}`, () => {
      const data = { secret: `{${CANARY}`, badRegex: `(${CANARY}`, out: OUTPUT_CANARY, num: '3' };
      let error: unknown;
      try {
        renderTemplate(source, data, 'KEY');
      } catch (e) {
        error = e;
      }
      assert.ok(error instanceof TemplateError, `expected a TemplateError for ${source}`);
      for (const text of [error.message, String(error), JSON.stringify(error), error.stack ?? '', error.toProjectorError().describe()]) {
        assert.ok(!text.includes(CANARY), `value leaked: ${text}`);
        assert.ok(!text.includes(OUTPUT_CANARY), `output leaked: ${text}`);
      }
    });
  }

  it('shows a fail message written literally in the template', () => {
    assert.throws(() => renderTemplate('{{ fail "password is required" }}', {}), /error calling fail: password is required/);
  });

  it('renders the value where it belongs when nothing fails', () => {
    assert.equal(renderTemplate('{{ .secret }}', { secret: CANARY }), CANARY);
  });
});
