// ESO's certificate/key template functions against real Go: every case in
// fixtures/eso-crypto/cases.json was rendered by go-harness/main.go (Go 1.26 text/template with
// ESO's runtime/template/v2 FuncMap, ESO v2.9 source) and its output bytes or error stored in
// expected-go.json. Fixture keys and certificates were made with the openssl CLI.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { goStringFromBytes, goStringToBytes } from '../../../../src/core/go-string.ts';
import { renderTemplate, TemplateError } from '../../../../src/core/template/index.ts';

const dir = new URL('./fixtures/eso-crypto/', import.meta.url);
const read = (f: string): Buffer => readFileSync(new URL(f, dir));

interface Case {
  name: string;
  template: string;
  data: Record<string, { file?: string; fileb64?: string; text?: string }>;
}
const cases = JSON.parse(read('cases.json').toString('utf8')) as Case[];
// An empty Go output is a nil []byte, which encoding/json writes as null.
const expected = JSON.parse(read('expected-go.json').toString('utf8')) as Record<string, { ok?: string | null; err?: string }>;

function dataOf(c: Case): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.data)) {
    const bytes = v.file !== undefined ? read(v.file) : v.fileb64 !== undefined ? Buffer.from(read(v.fileb64).toString('base64')) : Buffer.from(v.text!, 'utf8');
    out[k] = goStringFromBytes(new Uint8Array(bytes));
  }
  return out;
}

/**
 * Cases whose error text differs on purpose: Go's would quote input (the scheme, a JSON parser's
 * view of the value) or carries encoding/asn1's and x509's internal detail; the failure is the same.
 */
const WORDING_DIFFERS = new Set(['pkcs12key of text', 'filterCertChain key block', 'jwk not json', 'rsaDecrypt bad scheme']);

describe("ESO's PKCS#12, PEM, JWK and RSA functions render the bytes ESO renders", () => {
  for (const c of cases) {
    const want = expected[c.name]!;
    it(c.name, () => {
      if (want.err === undefined) {
        const got = renderTemplate(c.template, dataOf(c), 't');
        assert.deepEqual(Buffer.from(goStringToBytes(got)!), Buffer.from(want.ok ?? '', 'base64'));
      } else {
        assert.throws(() => renderTemplate(c.template, dataOf(c), 't'), (e: unknown) => {
          assert.ok(e instanceof TemplateError);
          if (!WORDING_DIFFERS.has(c.name)) assert.equal(e.message, want.err);
          else assert.equal(e.message.split(': ').slice(0, 4).join(': '), want.err!.split(': ').slice(0, 4).join(': '));
          return true;
        });
      }
    });
  }
});
