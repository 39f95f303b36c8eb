// The Webhook generator's pure parts against ESO v2.9.0: generators/v1/webhook/webhook_test.go
// (its testCases: the answers and the errors expected for them) and the code it runs,
// providers/v1/webhook/pkg/webhook/webhook.go (GetTemplateData with no remoteRef, ExecuteTemplate
// with text/template's default missingkey, ReqAddHeaders' Header.Add, executeRequest's status
// rules, GetSecretMap + runtime/esutils GetByteValue). Values marked "ESO run" are what ESO's
// Webhook.Generate returned for the same spec and answer (a Go test run on ESO's module).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { WebhookSpec } from '../../../src/api/index.ts';
import { ProjectorError } from '../../../src/core/errors.ts';
import { canonicalHeaderKey } from '../../../src/core/go-http-request.ts';
import { Sensitive } from '../../../src/core/sensitive.ts';
import {
  buildWebhookRequest,
  caCertificates,
  parseWebhookResponse,
  webhookCaBundle,
  webhookIssues,
  webhookSecretLabelProblem,
  webhookStatusError,
  webhookTemplateData,
  webhookTemplateProblem,
} from '../../../src/core/webhook.ts';
import { testCa } from '../../support/certificates.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');
const values = (m: Map<string, Sensitive<Uint8Array>>) => Object.fromEntries([...m].map(([k, v]) => [k, text(v.reveal())]));
const failure = (f: () => unknown): ProjectorError => {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof ProjectorError);
    return e;
  }
  assert.fail('no error');
};
const secret = (data: Record<string, string>) => ({ labels: { 'external-secrets.io/type': 'webhook' }, data: new Map(Object.entries(data).map(([k, v]) => [k, new Sensitive(enc(v))])) });

describe('Webhook: the answer (GetSecretMap)', () => {
  // webhook_test.go testCases, each answer with its jsonpath and ESO's expected error (a prefix).
  const cases: [name: string, response: string, jsonPath: string, err: string][] = [
    ['error bad json', '{"result":{"thesecret":"secret-value"}', '$.result.thesecret', 'failed to parse response json'],
    ['error bad jsonpath', '{"result":{"nosecret":"secret-value"}}', '$.result.thesecret', 'failed to get response path'],
    ['not valid response path', '{"result":{"thesecret":{"one":"secret-value"}}}', '$.result.unexisting', 'failed to get response path'],
    ['response path not json', '{"result":{"thesecret":[{"one":"secret-value"}]}}', '$.result.thesecret', 'failed to get response (wrong type:'],
  ];
  for (const [name, response, jsonPath, err] of cases) {
    it(`testCase "${name}": ${err}`, () => {
      const e = failure(() => parseWebhookResponse(enc(response), jsonPath));
      assert.equal(e.code, 'GeneratorFailed');
      assert.ok(e.message.startsWith(err), e.message);
      assert.ok(!e.message.includes('secret-value'), 'the answer is never quoted');
    });
  }

  it('testCase "pull data out of map": the object at the path, its members as keys', () => {
    assert.deepEqual(values(parseWebhookResponse(enc('{"result":{"thesecret":{"one":"secret-value"}}}'), '$.result.thesecret')), { one: 'secret-value' });
  });

  it("each value as GetByteValue writes it (ESO run): strings, float64 'f' -1, bools, null, objects and lists as json.Marshal", () => {
    const answer = '{"a":"x","n":12345678901234567890,"f":1.5e-7,"b":true,"z":null,"o":{"k":"<v>"},"arr":[1,"s"],"s":"{\\"inner\\":1}"}';
    assert.deepEqual(values(parseWebhookResponse(enc(answer), undefined)), {
      a: 'x',
      n: '12345678901234567000',
      f: '0.00000015',
      b: 'true',
      z: '',
      o: '{"k":"\\u003cv\\u003e"}',
      arr: '[1,"s"]',
      s: '{"inner":1}',
    });
    // A string at the path is JSON parsed once more (ESO run: {"inner":"1"}).
    assert.deepEqual(values(parseWebhookResponse(enc(answer), '$.s')), { inner: '1' });
    assert.equal(failure(() => parseWebhookResponse(enc(answer), '$.a')).message, 'failed to parse response json from jsonpath (the selected string is not valid JSON)');
    assert.equal(failure(() => parseWebhookResponse(enc('null'), undefined)).message, 'failed to get response (wrong type: <nil>)');
    assert.equal(failure(() => parseWebhookResponse(enc('[1]'), undefined)).message, 'failed to get response (wrong type: []interface {})');
    assert.equal(failure(() => parseWebhookResponse(enc('{"a":1}'), '$.a')).message, 'failed to get response (wrong type: float64)');
  });
});

describe('Webhook: the status (executeRequest)', () => {
  it("404 is ESO's NoSecretError (deletionPolicy acts on it), 304 not modified, other non-2xx `endpoint gave error`", () => {
    const e404 = webhookStatusError(404, 'Not Found')!;
    assert.equal(e404.code, 'VaultNotFound');
    assert.equal(e404.details.cause, 'not-found');
    assert.match(e404.message, /^Secret does not exist/);
    assert.match(webhookStatusError(304, 'Not Modified')!.message, /^not modified/);
    // webhook_test.go "error server error": `endpoint gave error 500`; ESO run: `endpoint gave error 418 I'm a teapot`.
    assert.equal(webhookStatusError(500, 'Internal Server Error')!.message, 'endpoint gave error 500 Internal Server Error');
    assert.equal(webhookStatusError(418, "I'm a teapot")!.message, "endpoint gave error 418 I'm a teapot");
    assert.equal(webhookStatusError(199, '')!.code, 'GeneratorFailed');
    assert.equal(webhookStatusError(200, 'OK'), undefined);
    assert.equal(webhookStatusError(299, ''), undefined);
  });
});

describe('Webhook: the request (GetWebhookData, ReqAddHeaders)', () => {
  const spec = (extra: Partial<WebhookSpec>): WebhookSpec => ({ url: 'http://h/get', result: {}, ...extra });
  const data = webhookTemplateData([{ name: 'creds', secret: secret({ user: 'alice', pass: 'p@ss w/rd' }) }]);

  it('renders url, body and headers over the secrets; a missing key or remoteRef prints <no value> (missingkey default)', () => {
    const r = buildWebhookRequest(
      spec({
        url: 'http://h/get?u={{ .creds.user }}&m={{ .creds.missing }}',
        method: 'POST',
        body: '{"u":"{{ .creds.user }}","r":"{{ .remoteRef.key }}"}',
        headers: { 'x-lower': '{{ .creds.user }}', Authorization: 'Basic {{ print .creds.user ":" .creds.pass | b64enc }}', 'Content-Type': 'application.json' },
      }),
      data,
    );
    assert.equal(r.method, 'POST');
    assert.equal(r.url.reveal(), 'http://h/get?u=alice&m=<no value>');
    assert.equal(text(r.body.reveal()), '{"u":"alice","r":"<no value>"}');
    // Go writes the fields sorted by canonical name after User-Agent, then its Accept-Encoding.
    assert.deepEqual(r.headers.reveal(), {
      userAgent: 'Go-http-client/1.1',
      fields: [
        ['Authorization', `Basic ${Buffer.from('alice:p@ss w/rd').toString('base64')}`],
        ['Content-Type', 'application.json'],
        ['X-Lower', 'alice'],
      ],
      requestedGzip: true,
    });
    assert.equal(String(r.url), '[REDACTED]');
  });

  it('GET by default; a User-Agent or Accept-Encoding header replaces Go\'s; values trimmed; Host and Content-Length headers ignored', () => {
    const r = buildWebhookRequest(spec({ headers: { 'user-agent': 'hook/1', 'accept-encoding': 'identity', host: 'evil', 'content-length': '5', 'X-Pad': '  v\t' } }), {});
    assert.equal(r.method, 'GET');
    assert.deepEqual(r.headers.reveal(), { userAgent: 'hook/1', fields: [['Accept-Encoding', 'identity'], ['X-Pad', 'v']], requestedGzip: false });
    assert.equal(buildWebhookRequest(spec({ headers: { 'User-Agent': '' } }), {}).headers.reveal().userAgent, undefined);
    assert.equal(buildWebhookRequest(spec({ method: 'HEAD' }), {}).headers.reveal().requestedGzip, false);
  });

  it("fails as ESO does: templates (webhook_test.go 'error url', 'error body'), method, header names and values", () => {
    const e1 = failure(() => buildWebhookRequest(spec({ url: '/api/getsecret?id={{ .unclosed.template' }), {}));
    assert.equal(e1.code, 'InvalidSpec');
    assert.match(e1.message, /^failed to parse url: template: webhooktemplate:1:/);
    assert.match(failure(() => buildWebhookRequest(spec({ body: 'Body error {{ .unclosed.template' }), {})).message, /^failed to parse body: /);
    // ESO run: `template: webhooktemplate:1:17: executing "webhooktemplate" at <b64enc>: invalid value; expected string`.
    const e3 = failure(() => buildWebhookRequest(spec({ headers: { 'X-T': '{{ .creds.user | b64enc }}' } }), {}));
    assert.equal(e3.message, 'failed to parse header X-T: template: webhooktemplate:1:17: executing "webhooktemplate" at <b64enc>: invalid value; expected string');
    assert.equal(e3.code, 'GeneratorFailed', 'an execution error may come from a Secret: retried');
    // ESO run: the remaining messages.
    assert.equal(failure(() => buildWebhookRequest(spec({ method: 'bad method' }), {})).message, 'failed to create request: net/http: invalid method "bad method"');
    assert.equal(failure(() => buildWebhookRequest(spec({ headers: { 'bad key': 'a' } }), {})).message, 'failed to call endpoint: net/http: invalid header field name "bad key"');
    const nl = failure(() => buildWebhookRequest(spec({ headers: { 'X-Bad': '{{ .creds.pass }}' } }), webhookTemplateData([{ name: 'creds', secret: secret({ pass: 'line1\nline2' }) }])));
    assert.equal(nl.message, 'failed to call endpoint: net/http: invalid header field value for "X-Bad"');
    assert.ok(!nl.message.includes('line1'));
  });

  it("textproto.CanonicalMIMEHeaderKey", () => {
    assert.equal(canonicalHeaderKey('x-secretkey'), 'X-Secretkey');
    assert.equal(canonicalHeaderKey('CONTENT-type'), 'Content-Type');
    assert.equal(canonicalHeaderKey('www-authenticate'), 'Www-Authenticate');
    assert.equal(canonicalHeaderKey('bad key'), 'bad key');
  });

  it('template data: every key of each named Secret (secretRef.key is not read), no remoteRef', () => {
    const d = webhookTemplateData([
      { name: 'a', secret: secret({ x: '1', y: '2' }) },
      { name: 'a', secret: secret({ y: '3' }) },
    ]);
    assert.deepEqual({ ...d.a }, { x: '1', y: '3' });
    assert.equal('remoteRef' in d, false);
  });

  it("getStoreSecret's label rule (ESO run: both messages)", () => {
    assert.equal(webhookSecretLabelProblem({ 'external-secrets.io/type': 'webhook' }), undefined);
    assert.equal(webhookSecretLabelProblem({}), "secret does not contain needed label 'external-secrets.io/type: webhook'. Update secret label to use it with webhook");
    assert.equal(webhookSecretLabelProblem({ 'external-secrets.io/type': 'other' }), "secret type is not 'webhook'");
  });
});

describe('Webhook: caBundle (FetchCACertFromSource, AppendCertsFromPEM)', () => {
  const ca = testCa('webhook test CA');
  it('takes PEM as it is, or base64 of PEM once more; refuses what is neither (ESO run: `failed to parse the new certificate, not valid pem data`)', () => {
    const pem = enc(ca.certPem);
    const direct = webhookCaBundle(pem);
    assert.ok(direct.ok && text(direct.pem) === ca.certPem);
    const twice = webhookCaBundle(enc(Buffer.from(ca.certPem).toString('base64')));
    assert.ok(twice.ok && text(twice.pem) === ca.certPem);
    assert.deepEqual(webhookCaBundle(enc('not a cert')), { ok: false, message: 'failed to parse the new certificate, not valid pem data' });
    assert.equal(caCertificates(pem).length, 1);
    assert.deepEqual(caCertificates(enc('-----BEGIN X-----\nAAAA\n-----END X-----\n')), []);
  });
});

describe('Webhook: the spec rules (validate, check, dev and the operator)', () => {
  it('names each problem at its field (templates with the engine: webhookTemplateProblem)', () => {
    assert.deepEqual(webhookIssues({ url: 'https://h/x', result: { jsonPath: '$.data' } }, 'spec'), []);
    const found = webhookIssues(
      {
        url: '{{ .x',
        method: 'a b',
        timeout: '5 seconds',
        headers: { 'bad key': 'v', ok: '{{ end }}' },
        secrets: [{ name: '', secretRef: {} }],
        caProvider: { type: 'Secret', name: 'ca' },
        auth: { ntlm: { usernameSecret: { name: 'u', key: 'u' }, passwordSecret: { name: 'p', key: 'p' } } },
        result: { jsonPath: '$.items[*]' },
      },
      'spec',
      webhookTemplateProblem,
    ).map((i) => `${i.code} ${i.path}`);
    assert.deepEqual(found, [
      'NotSupported spec.auth.ntlm',
      'InvalidSpec spec.method',
      'InvalidSpec spec.timeout',
      'InvalidSpec spec.url',
      'InvalidSpec spec.headers',
      'InvalidSpec spec.headers',
      'InvalidSpec spec.secrets[0].name',
      'InvalidSpec spec.secrets[0].secretRef.name',
      'InvalidSpec spec.caProvider.key',
      'InvalidSpec spec.result.jsonPath',
    ]);
    assert.deepEqual(webhookIssues({ url: 'http://h', result: { jsonPath: '$[?(@.a)]' } }, 'spec').map((i) => i.code), ['NotSupported']);
    // Without the engine (the operator's resolver), the templates are left to the generator's own check.
    assert.deepEqual(webhookIssues({ url: '{{ .x', result: {} }, 'spec'), []);
    assert.deepEqual(webhookIssues({ url: 'http://h' } as WebhookSpec, 'spec').map((i) => i.path), ['spec.result']);
  });
});
