// registerLeanClientNode's lazy stand-ins (LAZY_IMPORTS): a kubeconfig that uses a proxy, the oidc
// auth provider or the gcp auth provider's token command still works, end to end against local
// servers, and loads the library it needs when (and only when) it is used; a token kubeconfig and an
// exec kubeconfig load none of them. The hook is process-wide; node --test runs each file in its own
// process, and this file registers it before anything here imports client-node.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createRequire, registerHooks } from 'node:module';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { LAZY_IMPORTS, registerLeanClientNode } from '../../../src/kube/lean-client-node.ts';
import { testCa, testServerCertificate } from '../../support/certificates.ts';

const loaded: string[] = [];
before(() => {
  // Records what is loaded (a load hook: the lean hook resolves a lazy package's real file at
  // start, to name it in the stand-in, but loads it only on first use).
  registerHooks({
    load(url, context, nextLoad) {
      loaded.push(url);
      return nextLoad(url, context);
    },
  });
  registerLeanClientNode();
});

const LAZY_PACKAGES = ['socks-proxy-agent', 'socks', 'hpagent', 'openid-client', 'jsonpath-plus'];
/** The lazily loaded packages loaded so far (their real files, not the stand-ins). */
const loadedLazy = () => LAZY_PACKAGES.filter((p) => loaded.some((u) => u.includes(`/node_modules/${p}/`)));

type Kc = InstanceType<typeof import('../../../src/kube/client-node.ts').KubeConfig>;
async function kubeConfig(cluster: object, user: object): Promise<Kc> {
  const { KubeConfig } = await import('../../../src/kube/client-node.ts');
  const kc = new KubeConfig();
  kc.loadFromString(JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'x',
  }));
  return kc;
}
async function authorization(kc: Kc): Promise<string | undefined> {
  const opts: { headers: Record<string, string> } = { headers: {} };
  await kc.applyToHTTPSOptions(opts as never);
  return opts.headers.Authorization;
}
const listen = async (server: Server): Promise<number> => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
};
const servers: { close(): unknown }[] = [];
after(() => servers.forEach((s) => s.close()));
/** A JWT with `claims`; its signature is not checked by the code under test (openid-client takes the token endpoint's TLS as proof). */
const jwt = (claims: object) => [{ alg: 'RS256', typ: 'JWT' }, claims, 'sig'].map((p) => (typeof p === 'string' ? p : Buffer.from(JSON.stringify(p)).toString('base64url'))).join('.');

describe('registerLeanClientNode: libraries only some kubeconfigs use', () => {
  it('a token kubeconfig and an exec kubeconfig authenticate without loading socks, hpagent, openid-client or jsonpath-plus', async () => {
    assert.equal(await authorization(await kubeConfig({ server: 'https://127.0.0.1:6443' }, { token: 'not-a-real-token' })), 'Bearer not-a-real-token');
    const credential = JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: 'exec-token' } });
    const exec = { apiVersion: 'client.authentication.k8s.io/v1', command: process.execPath, args: ['-e', `process.stdout.write(${JSON.stringify(credential)})`], interactiveMode: 'Never' };
    assert.equal(await authorization(await kubeConfig({ server: 'https://127.0.0.1:6443' }, { exec })), 'Bearer exec-token');
    assert.ok(loaded.some((u) => u.endsWith('/@kubernetes/client-node/dist/config.js')), 'the recorder saw client-node being loaded');
    assert.deepEqual(loadedLazy(), []);
  });

  it('a cluster with an http proxy-url sends its requests through the proxy (hpagent loaded on first use)', async () => {
    const seen: string[] = [];
    // The API server behind the proxy: it gets the tunnelled connections.
    const api = createHttpServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    // hpagent tunnels with CONNECT (for http and https targets alike).
    const proxy = createHttpServer();
    proxy.on('connect', (req, socket: Socket) => {
      seen.push(`CONNECT ${req.url}`);
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      api.emit('connection', socket);
    });
    servers.push(proxy, api);
    const port = await listen(proxy);
    const kc = await kubeConfig({ server: 'http://kube.invalid:8080', 'insecure-skip-tls-verify': true, 'proxy-url': `http://127.0.0.1:${port}` }, { token: 't' });
    const { kubeRequest } = await import('../../../src/kube/http.ts');
    const res = await kubeRequest(kc, { method: 'GET', path: '/api', headers: {} });
    res.resume();
    assert.equal(res.statusCode, 200);
    assert.deepEqual(seen, ['CONNECT kube.invalid:8080', 'GET /api Bearer t']);
    assert.ok(loadedLazy().includes('hpagent'));
  });

  it('a cluster with a socks5 proxy-url opens its connections through the SOCKS proxy (socks loaded on first use)', async () => {
    // A SOCKS5 server (RFC 1928) that records the CONNECT target, then refuses it (reply 0x05, connection refused).
    const targets: string[] = [];
    const socks = createTcpServer((s: Socket) => {
      let stage = 0;
      s.on('data', (b: Buffer) => {
        if (stage++ === 0) return void s.write(Buffer.from([5, 0])); // greeting → "no authentication"
        // [5, CONNECT, 0, ATYP=3 (domain), len, name..., port(2)]
        const name = b.subarray(5, 5 + b[4]!).toString();
        targets.push(`${b[1]} ${name}:${b.readUInt16BE(5 + b[4]!)}`);
        s.end(Buffer.from([5, 5, 0, 1, 0, 0, 0, 0, 0, 0]));
      });
      s.on('error', () => {});
    });
    servers.push(socks);
    const port = await new Promise<number>((r) => socks.listen(0, '127.0.0.1', () => r((socks.address() as AddressInfo).port)));
    const kc = await kubeConfig({ server: 'https://kube.invalid:6443', 'proxy-url': `socks5h://127.0.0.1:${port}` }, { token: 't' });
    const { kubeRequest } = await import('../../../src/kube/http.ts');
    await assert.rejects(kubeRequest(kc, { method: 'GET', path: '/api', headers: {} }));
    assert.deepEqual(targets, ['1 kube.invalid:6443']);
    assert.ok(loadedLazy().includes('socks-proxy-agent') && loadedLazy().includes('socks'));
  });

  it('the oidc auth provider: a valid id-token is sent without openid-client; an expired one loads openid-client and calls it (through the customFetch option for the IdP CA)', async () => {
    const ca = testCa();
    const { certPem, keyPem } = testServerCertificate(ca);
    const idp = createHttpsServer({ cert: certPem, key: keyPem }, (_req, res) => res.writeHead(500).end());
    servers.push(idp);
    const issuer = `https://127.0.0.1:${await listen(idp as unknown as Server)}`;
    const now = Math.floor(Date.now() / 1000);
    const valid = jwt({ iss: issuer, sub: 'someone', aud: 'projector', iat: now, exp: now + 3600 });
    const config = (idToken: string) => ({ 'client-id': 'projector', 'id-token': idToken, 'refresh-token': 'r', 'idp-issuer-url': issuer, 'idp-certificate-authority-data': Buffer.from(ca.certPem).toString('base64') });
    const fresh = await kubeConfig({ server: 'https://127.0.0.1:6443' }, { 'auth-provider': { name: 'oidc', config: config(valid) } });
    assert.equal(await authorization(fresh), `Bearer ${valid}`);
    assert.ok(!loadedLazy().includes('openid-client'), 'a valid id-token needs no refresh, so no openid-client');
    // An expired token: client-node refreshes through openid-client's discovery. client-node 2.0.1
    // passes the issuer as a string where openid-client 6's discovery() requires a URL object
    // (oidc_auth.js getClient), so the refresh fails inside openid-client, with or without the
    // stand-in; what this shows is that the real library was loaded and called with client-node's
    // arguments, customFetch option included (the stand-in re-exports oauth4webapi's symbol, the
    // value openid-client itself exports).
    const expired = await kubeConfig({ server: 'https://127.0.0.1:6443' }, { 'auth-provider': { name: 'oidc', config: config(jwt({ iss: issuer, aud: 'projector', iat: 1, exp: 2 })) } });
    await assert.rejects(authorization(expired), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'ERR_INVALID_ARG_TYPE');
      assert.match(e.message, /"server" must be an instance of URL/);
      assert.match(e.stack ?? '', /\/node_modules\/openid-client\/build\/index\.js/);
      return true;
    });
    assert.ok(loadedLazy().includes('openid-client'));
    const oauth4webapi = createRequire(import.meta.resolve('openid-client')).resolve('oauth4webapi');
    const { customFetch } = (await import(pathToFileURL(oauth4webapi).href)) as { customFetch: symbol };
    assert.equal(customFetch, (await import('openid-client')).customFetch, "oauth4webapi's customFetch is openid-client's");
  });

  it("the gcp auth provider runs its token command and reads the token with jsonpath-plus (loaded on first use)", async () => {
    const out = JSON.stringify({ token: { access_token: 'gcp-token', token_expiry: '2099-01-01T00:00:00Z' } });
    const config = { 'cmd-path': process.execPath, 'cmd-args': `-e "process.stdout.write(process.argv[1])" ${JSON.stringify(out).replace(/\$/g, '\\$')}`, 'token-key': '{.token.access_token}', 'expiry-key': '{.token.token_expiry}' };
    const kc = await kubeConfig({ server: 'https://127.0.0.1:6443' }, { 'auth-provider': { name: 'gcp', config } });
    assert.equal(await authorization(kc), 'Bearer gcp-token');
    assert.ok(loadedLazy().includes('jsonpath-plus'));
  });

  it("every member client-node reads from a namespace import of a lazy package is one the stand-in exports", () => {
    // Named imports are checked by the linker at start; `import * as x` members only when read.
    for (const { importer, specifier, names, eager } of LAZY_IMPORTS) {
      const file = fileURLToPath(import.meta.resolve(`@kubernetes/client-node/dist/${importer}`));
      const src = readFileSync(file, 'utf8');
      const ns = new RegExp(`import \\* as (\\w+) from '${specifier}';`).exec(src)?.[1];
      const named = new RegExp(`import \\{([^}]*)\\} from '${specifier}';`).exec(src)?.[1];
      assert.ok(ns || named, `${importer} imports ${specifier}`);
      const used = ns
        ? [...new Set([...src.matchAll(new RegExp(`\\b${ns}\\.(\\w+)`, 'g'))].map((m) => m[1]!))]
        : named!.split(',').map((n) => n.trim().split(/\s+as\s+/)[0]!).filter(Boolean);
      assert.deepEqual(used.filter((n) => !names.includes(n) && !eager?.names.includes(n)), [], `${importer}: ${specifier}`);
    }
  });
});
