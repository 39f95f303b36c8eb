// The Webhook generator end to end against local servers: the bytes on the wire, redirects, gzip,
// the timeout, TLS with caBundle/caProvider, the Secrets' label rule, and no secret value in any
// error. Expected values: ESO v2.9.0 generators/v1/webhook/webhook.go + providers/v1/webhook/pkg/
// webhook/webhook.go run through Go's net/http (client.go redirect rules, request.go write order);
// "ESO run" marks what ESO's Webhook.Generate did against an httptest server with the same spec.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import https from 'node:https';
import { gzipSync } from 'node:zlib';
import type { WebhookSpec } from '../../../../src/api/index.ts';
import { ProjectorError } from '../../../../src/core/errors.ts';
import { Sensitive } from '../../../../src/core/sensitive.ts';
import { generateWebhook, type GeneratorKube } from '../../../../src/providers/generators/webhook.ts';
import { canaryMaker } from '../../../support/canaries.ts';
import { testCa, testServerCertificate } from '../../../support/certificates.ts';

const signal = new AbortController().signal;
const { canaries, canary } = canaryMaker();
const USER = canary('webhook-user');
const PASS = canary('webhook-pass');
const ANSWER_SECRET = canary('webhook-answer');

interface Seen {
  head: string;
  body: string;
}

/** A raw HTTP/1.1 server: records each request's head and body, answers what `answer` returns. */
async function rawServer(answer: (seen: Seen, n: number) => string | undefined): Promise<{ port: number; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const open = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    let buf = Buffer.alloc(0);
    socket.on('data', (c) => {
      buf = Buffer.concat([buf, c]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        const s = { head, body: buf.subarray(end + 4, end + 4 + length).toString('latin1') };
        buf = buf.subarray(end + 4 + length);
        seen.push(s);
        const out = answer(s, seen.length);
        if (out !== undefined) socket.write(out, 'latin1');
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const close = () =>
    new Promise<void>((r) => {
      server.close(() => r());
      for (const s of open) s.destroy();
    });
  return { port: (server.address() as net.AddressInfo).port, seen, close };
}

const json = (body: string, status = '200 OK', extra = '') => `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;

function kube(secrets: Record<string, { labels?: Record<string, string>; data: Record<string, string> }> = {}, configMaps: Record<string, Record<string, string>> = {}): GeneratorKube & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async getSecret(ns, name) {
      calls.push(`secret ${ns}/${name}`);
      const s = secrets[`${ns}/${name}`];
      return s && { labels: s.labels ?? {}, data: new Map(Object.entries(s.data).map(([k, v]) => [k, new Sensitive(new Uint8Array(Buffer.from(v)))])) };
    },
    async readSecretKey(ns, name, key) {
      const v = secrets[`${ns}/${name}`]?.data[key];
      if (v === undefined) throw new ProjectorError('CredentialNotFound', `credential Secret ${ns}/${name} has no key "${key}"`);
      return new Sensitive(v);
    },
    async readConfigMapKey(ns, name, key) {
      const v = configMaps[`${ns}/${name}`]?.[key];
      if (v === undefined) throw new ProjectorError('CredentialNotFound', `ConfigMap ${ns}/${name} not found`);
      return v;
    },
    observeApiCall(provider, call, failed) {
      calls.push(`metric ${provider} ${call} ${failed}`);
    },
  };
}
const labelled = { 'external-secrets.io/type': 'webhook' };
const creds = { 'app/creds': { labels: labelled, data: { user: USER, pass: PASS } } };
const values = (m: Map<string, Sensitive<Uint8Array>>) => Object.fromEntries([...m].map(([k, v]) => [k, Buffer.from(v.reveal()).toString()]));

async function failure(p: Promise<unknown>): Promise<ProjectorError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ProjectorError, String(e));
    for (const c of canaries) assert.ok(!e.message.includes(c), 'no secret value in the error');
    return e;
  }
  assert.fail('no error');
}

describe('Webhook generator over HTTP', () => {
  let srv: Awaited<ReturnType<typeof rawServer>>;
  let base: string;
  before(async () => {
    srv = await rawServer((s) => {
      const path = s.head.split(' ')[1]!;
      if (path.startsWith('/redirect-302')) return 'HTTP/1.1 302 Found\r\nLocation: /final?from=302\r\nContent-Length: 0\r\n\r\n';
      if (path.startsWith('/redirect-307')) return 'HTTP/1.1 307 Temporary Redirect\r\nLocation: /final\r\nContent-Length: 0\r\n\r\n';
      if (path.startsWith('/redirect-other-host')) return `HTTP/1.1 302 Found\r\nLocation: http://localhost:${srv.port}/final\r\nContent-Length: 0\r\n\r\n`;
      if (path.startsWith('/loop')) return 'HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\n\r\n';
      if (path.startsWith('/missing')) return json('{}', '404 Not Found');
      if (path.startsWith('/teapot')) return json('{}', "418 I'm a teapot");
      if (path.startsWith('/slow')) return undefined;
      if (path.startsWith('/gzip')) {
        const z = gzipSync(`{"token":"${ANSWER_SECRET}"}`);
        return `HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${z.length}\r\n\r\n${z.toString('latin1')}`;
      }
      return json(`{"token":"${ANSWER_SECRET}","data":{"user":"${USER}"},"n":1.5}`);
    });
    base = `http://127.0.0.1:${srv.port}`;
  });
  after(() => srv.close());

  it("sends what Go's client sends: Host, User-Agent, Content-Length, the headers sorted, Accept-Encoding; returns the answer's members", async () => {
    const k = kube(creds);
    const spec: WebhookSpec = {
      url: `${base}/post?u={{ .creds.user }}`,
      method: 'POST',
      body: '{"u":"{{ .creds.user }}"}',
      headers: { 'x-lower': 'v', Authorization: 'Basic {{ print .creds.user ":" .creds.pass | b64enc }}' },
      secrets: [{ name: 'creds', secretRef: { name: 'creds', key: 'ignored' } }],
      result: {},
    };
    const out = await generateWebhook(spec, 'app', k, signal);
    assert.deepEqual(values(out), { token: ANSWER_SECRET, data: `{"user":"${USER}"}`, n: '1.5' });
    const s = srv.seen.at(-1)!;
    const lines = s.head.split('\r\n').filter((l) => !/^connection:/i.test(l));
    assert.deepEqual(lines, [
      `POST /post?u=${USER} HTTP/1.1`,
      `Host: 127.0.0.1:${srv.port}`,
      'User-Agent: Go-http-client/1.1',
      `Content-Length: ${s.body.length}`,
      `Authorization: Basic ${Buffer.from(`${USER}:${PASS}`).toString('base64')}`,
      'X-Lower: v',
      'Accept-Encoding: gzip',
    ]);
    assert.equal(s.body, `{"u":"${USER}"}`);
    assert.deepEqual(k.calls, ['secret app/creds', 'metric Webhook HTTPRequest false']);
  });

  it('GET without a body sends no Content-Length; a gzip answer is decompressed (Go asked for gzip)', async () => {
    assert.deepEqual(values(await generateWebhook({ url: `${base}/gzip`, result: {} }, 'app', kube(), signal)), { token: ANSWER_SECRET });
    assert.ok(!/content-length/i.test(srv.seen.at(-1)!.head));
  });

  it('follows redirects as Go does (ESO run): 302 turns POST into GET without body or Content-Type, keeps Authorization on the same host, adds Referer; 307 resends the body', async () => {
    const spec = (path: string): WebhookSpec => ({ url: `${base}${path}`, method: 'POST', body: 'abc', headers: { 'Content-Type': 'text/plain', Authorization: 'x' }, result: {} });
    const n = srv.seen.length;
    await generateWebhook(spec('/redirect-302'), 'app', kube(), signal);
    const [first, second] = srv.seen.slice(n);
    assert.match(first!.head, /^POST \/redirect-302 /);
    assert.deepEqual(second!.head.split('\r\n').filter((l) => !/^connection:/i.test(l)), [
      'GET /final?from=302 HTTP/1.1',
      `Host: 127.0.0.1:${srv.port}`,
      'User-Agent: Go-http-client/1.1',
      'Authorization: x',
      `Referer: ${base}/redirect-302`,
      'Accept-Encoding: gzip',
    ]);
    assert.equal(second!.body, '');
    const m = srv.seen.length;
    await generateWebhook(spec('/redirect-307'), 'app', kube(), signal);
    const last = srv.seen.slice(m)[1]!;
    assert.match(last.head, /^POST \/final HTTP\/1.1\r\n/);
    assert.match(last.head, /\r\nContent-Type: text\/plain\r\n/);
    assert.equal(last.body, 'abc');
  });

  it("drops Authorization when a redirect leaves the host's domain; stops after 10 redirects", async () => {
    const n = srv.seen.length;
    await generateWebhook({ url: `${base}/redirect-other-host`, headers: { Authorization: 'Bearer x', 'X-Keep': 'y' }, result: {} }, 'app', kube(), signal);
    const hop = srv.seen.slice(n)[1]!;
    assert.match(hop.head, /^GET \/final /);
    assert.match(hop.head, /\r\nHost: localhost:/);
    assert.ok(!/authorization/i.test(hop.head));
    assert.match(hop.head, /\r\nX-Keep: y\r\n/);
    const m = srv.seen.length;
    const e = await failure(generateWebhook({ url: `${base}/loop`, result: {} }, 'app', kube(), signal));
    assert.equal(e.message, 'failed to call endpoint: stopped after 10 redirects');
    assert.equal(srv.seen.length - m, 11, 'the first request and 10 redirects');
  });

  it("maps statuses as executeRequest does: 404 → ESO's NoSecretError (VaultNotFound), other errors name the status", async () => {
    const e404 = await failure(generateWebhook({ url: `${base}/missing`, result: {} }, 'app', kube(), signal));
    assert.equal(e404.code, 'VaultNotFound');
    assert.equal(e404.details.cause, 'not-found');
    const e418 = await failure(generateWebhook({ url: `${base}/teapot`, result: {} }, 'app', kube(), signal));
    assert.equal(e418.message, "endpoint gave error 418 I'm a teapot");
  });

  it('spec.timeout bounds the call (ESO run: `context deadline exceeded (Client.Timeout exceeded while awaiting headers)`)', async () => {
    const k = kube();
    const e = await failure(generateWebhook({ url: `${base}/slow`, timeout: '200ms', result: {} }, 'app', k, signal));
    assert.match(e.message, /^failed to call endpoint: context deadline exceeded/);
    assert.deepEqual(k.calls, ['metric Webhook HTTPRequest true']);
  });

  it("reads only labelled Secrets of the ExternalSecret's namespace (ESO run: its messages)", async () => {
    const e1 = await failure(generateWebhook({ url: `${base}/x`, secrets: [{ name: 'c', secretRef: { name: 'creds' } }], result: {} }, 'app', kube({ 'app/creds': { data: { user: USER } } }), signal));
    assert.equal(e1.message, "Secret app/creds: secret does not contain needed label 'external-secrets.io/type: webhook'. Update secret label to use it with webhook");
    const e2 = await failure(generateWebhook({ url: `${base}/x`, secrets: [{ name: 'c', secretRef: { name: 'creds' } }], result: {} }, 'app', kube({ 'app/creds': { labels: { 'external-secrets.io/type': 'vault' }, data: {} } }), signal));
    assert.equal(e2.message, "Secret app/creds: secret type is not 'webhook'");
    const e3 = await failure(generateWebhook({ url: `${base}/x`, secrets: [{ name: 'c', secretRef: { name: 'creds' } }], result: {} }, 'other', kube(creds), signal));
    assert.equal(e3.code, 'CredentialNotFound');
    assert.match(e3.message, /^failed to get clustersecretstore webhook secret creds: secrets "creds" not found/);
  });

  it('a connection refused or a url that is not http(s) fails without quoting the url', async () => {
    const closed = await rawServer(() => undefined);
    const port = closed.port;
    await closed.close();
    const e = await failure(generateWebhook({ url: `http://127.0.0.1:${port}/x?token={{ .creds.pass }}`, secrets: [{ name: 'creds', secretRef: { name: 'creds' } }], result: {} }, 'app', kube(creds), signal));
    assert.equal(e.message, 'failed to call endpoint: dial tcp: connect: connection refused');
    const e2 = await failure(generateWebhook({ url: '{{ .creds.pass }}/x', secrets: [{ name: 'creds', secretRef: { name: 'creds' } }], result: {} }, 'app', kube(creds), signal));
    assert.match(e2.message, /^failed to call endpoint: /);
  });
});

describe('Webhook generator over HTTPS: caBundle and caProvider replace the system roots', () => {
  const ca = testCa('webhook CA');
  const other = testCa('another CA');
  let server: https.Server;
  let url: string;
  before(async () => {
    const cert = testServerCertificate(ca);
    server = https.createServer({ cert: cert.certPem, key: cert.keyPem }, (_req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end('{"result":{"value":"ok"}}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `https://127.0.0.1:${(server.address() as net.AddressInfo).port}/token`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('trusts the server through caBundle (base64 of the PEM) or a caProvider ConfigMap; not without, nor with another CA', async () => {
    const b64 = Buffer.from(ca.certPem).toString('base64');
    assert.deepEqual(values(await generateWebhook({ url, caBundle: b64, result: { jsonPath: '$.result' } }, 'app', kube(), signal)), { value: 'ok' });
    const k = kube({}, { 'app/ca': { 'ca.crt': ca.certPem } });
    assert.deepEqual(values(await generateWebhook({ url, caProvider: { type: 'ConfigMap', name: 'ca', key: 'ca.crt' }, result: { jsonPath: '$.result' } }, 'app', k, signal)), { value: 'ok' });
    const untrusted = await failure(generateWebhook({ url, result: {} }, 'app', kube(), signal));
    assert.match(untrusted.message, /^failed to call endpoint: tls: failed to verify certificate/);
    const wrong = await failure(generateWebhook({ url, caBundle: Buffer.from(other.certPem).toString('base64'), result: {} }, 'app', kube(), signal));
    assert.match(wrong.message, /^failed to call endpoint: tls: failed to verify certificate/);
  });

  it("fails as FetchCACertFromSource does (ESO run: its messages)", async () => {
    const bad = await failure(generateWebhook({ url, caBundle: Buffer.from('not a cert').toString('base64'), result: {} }, 'app', kube(), signal));
    assert.equal(bad.message, 'failed to prepare provider http client: failed to decode ca bundle: failed to parse the new certificate, not valid pem data');
    const ns = await failure(generateWebhook({ url, caProvider: { type: 'Secret', name: 'ca', key: 'k', namespace: 'other' }, result: {} }, 'app', kube(), signal));
    assert.equal(ns.message, 'failed to prepare provider http client: namespace should either be empty or match the namespace of the SecretStore for a namespaced SecretStore');
    const missing = await failure(generateWebhook({ url, caProvider: { type: 'ConfigMap', name: 'ca', key: 'k' }, result: {} }, 'app', kube(), signal));
    assert.equal(missing.code, 'CredentialNotFound');
    assert.match(missing.message, /^failed to prepare provider http client: failed to get cert from configmap: /);
  });
});
