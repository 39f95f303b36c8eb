// platform/https-agents.ts: one keep-alive pool per trust. Node's https.Agent names its pooled
// sockets by host and TLS options but not by `secureContext` (lib/https.js Agent.getName), so with
// the global agent a socket verified against one CA set served a later request that had to be
// verified against another (the ACR generator, providers/azurekv/acr.ts, made its requests that
// way). Go keeps a connection pool per http.Transport; a client with its own RootCAs has its own.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { ensureTlsMaterial } from '../../../src/vault/tls.ts';
import { agentForTrust } from '../../../src/platform/https-agents.ts';

describe('agentForTrust', () => {
  let dirs: string[] = [];
  let server: https.Server;
  let port = 0;
  let servingCa: SecureContext;
  let otherCa: SecureContext;

  before(async () => {
    dirs = [mkdtempSync(join(tmpdir(), 'agents-a-')), mkdtempSync(join(tmpdir(), 'agents-b-'))];
    const [a, b] = await Promise.all(dirs.map((d) => ensureTlsMaterial(d, ['127.0.0.1'])));
    servingCa = createSecureContext({ ca: a!.caPem });
    otherCa = createSecureContext({ ca: b!.caPem });
    server = https.createServer({ cert: a!.certPem, key: a!.keyPem, keepAlive: true }, (_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const get = (secureContext: SecureContext) =>
    new Promise<string>((resolve, reject) => {
      const options: https.RequestOptions & { secureContext: SecureContext } = { host: '127.0.0.1', port, path: '/', agent: agentForTrust(true, secureContext), secureContext };
      const req = https.request(options, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(body));
      });
      req.on('error', (e: NodeJS.ErrnoException) => reject(e));
      req.end();
    });

  it('gives each SecureContext its own pool, and the same pool to the same one', () => {
    assert.equal(agentForTrust(true, servingCa), agentForTrust(true, servingCa));
    assert.notEqual(agentForTrust(true, servingCa), agentForTrust(true, otherCa));
    assert.notEqual(agentForTrust(true, servingCa), agentForTrust(true, undefined));
    assert.notEqual(agentForTrust(false, undefined), agentForTrust(true, undefined));
  });

  it('verifies a request under another CA set on a connection of its own, never on a socket kept alive for the first', async () => {
    assert.equal(await get(servingCa), 'ok');
    // A kept-alive socket to 127.0.0.1:port now exists, verified against the serving CA.
    await assert.rejects(get(otherCa), (e: NodeJS.ErrnoException) => /certificate/i.test(e.message) || /CERT|SIGNATURE|ISSUER/.test(e.code ?? ''));
    assert.equal(await get(servingCa), 'ok');
  });
});
