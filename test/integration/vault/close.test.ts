// The local vault stops when told (src/vault/server.ts closeServer), whatever its clients do: a
// TCP connection that never finishes its TLS handshake, and a kept-alive HTTPS connection, are ended
// with it, so `close()` resolves at once and the data directory is free for the next start (the
// fault and in-Pod outage tests stop and restart the vault on the same port and directory).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startVault } from '../../../src/vault/index.ts';

describe('local vault close()', () => {
  it('ends a half-open TLS handshake and a kept-alive connection, then starts again on the same port and directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'projector-vault-close-'));
    try {
      const vault = await startVault({ dataDir: dir });
      const port = Number(new URL(vault.url).port);
      // A client that connects and sends nothing: the HTTP layer never sees this connection.
      const silent = connect(port, '127.0.0.1');
      await new Promise<void>((r) => silent.once('connect', () => r()));
      const silentClosed = new Promise<void>((r) => silent.once('close', () => r()));
      // A kept-alive HTTPS connection that has answered one request.
      const agentClosed = await new Promise<Promise<void>>((resolve, reject) => {
        const req = request(`${vault.url}/healthz`, { ca: vault.caPem, agent: undefined, headers: { connection: 'keep-alive' } }, (res) => {
          res.resume();
          res.once('end', () => resolve(new Promise<void>((r) => req.socket!.once('close', () => r()))));
        });
        req.once('error', reject);
        req.end();
      });
      const started = Date.now();
      await vault.close();
      const ms = Date.now() - started;
      assert.ok(ms < 5_000, `close() took ${ms} ms (a half-open connection held it until the TLS handshake timeout)`);
      await silentClosed;
      await agentClosed;
      const again = await startVault({ dataDir: dir, port });
      assert.equal(Number(new URL(again.url).port), port);
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
