// Durability: acknowledged writes survive kill -9 of the vault process and a restart on the same dataDir.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SecretClient } from '@azure/keyvault-secrets';
import { ClientSecretCredential } from '@azure/identity';
import { startTestVault, credentialOptions, clientOptions } from './vault-support.ts';

const childScript = new URL('./vault-child.ts', import.meta.url).pathname;

interface Ack {
  name: string;
  version: string;
  value: string;
}

function sdkClient(v: { url: string; tenantId: string; caPem: string; authorityHost?: string }): SecretClient {
  const vault = { ...v, authorityHost: v.url } as Parameters<typeof credentialOptions>[0];
  return new SecretClient(v.url, new ClientSecretCredential(v.tenantId, 'writer', 'writer-secret', credentialOptions(vault)), {
    ...clientOptions(vault),
    retryOptions: { maxRetries: 0 },
  });
}

describe('vault persistence', () => {
  it('keeps every acknowledged write after kill -9 in the middle of concurrent writes', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'projector-vault-crash-'));
    const child = spawn(process.execPath, [childScript, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    const firstLine = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', () => reject(new Error('vault child exited before listening')));
    });
    const info = JSON.parse(firstLine) as { url: string; tenantId: string; caPem: string };
    const client = sdkClient(info);
    await client.setSecret('warm-up', 'w'); // token and connection ready before the race

    const acks: Ack[] = [];
    let killed = false;
    const KILL_AFTER = 150;
    async function writer(id: number): Promise<void> {
      for (let i = 0; !killed; i++) {
        const value = `crash-${id}-${i}`;
        try {
          const s = await client.setSecret(`crash-${id}-${i % 5}`, value);
          acks.push({ name: s.name, version: s.properties.version!, value });
          if (acks.length >= KILL_AFTER && !killed) {
            killed = true;
            child.kill('SIGKILL');
          }
        } catch {
          return; // the vault died under this request: it was never acknowledged
        }
      }
    }
    await Promise.all(Array.from({ length: 8 }, (_, id) => writer(id)));
    assert.equal(await exited, 'SIGKILL');
    assert.ok(acks.length >= KILL_AFTER);

    // No torn or temporary files are left behind, and the state file parses.
    assert.doesNotThrow(() => JSON.parse(readFileSync(join(dataDir, 'state.json'), 'utf8')));

    const restarted = await startTestVault({ dataDir, principals: [{ clientId: 'writer', clientSecret: 'writer-secret' }] });
    try {
      const reader = sdkClient(restarted.vault);
      for (const ack of acks) {
        const got = await reader.getSecret(ack.name, { version: ack.version });
        assert.equal(got.value, ack.value, `${ack.name}/${ack.version} lost after kill -9`);
      }
    } finally {
      await restarted.stop();
    }
  });

  it('reloads secrets, versions, soft-deleted secrets and added principals after a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'projector-vault-restart-'));
    try {
      const first = await startTestVault({ dataDir });
      const { version } = await first.vault.admin.setSecret('kept', 'one', { tags: { a: 'b' } });
      await first.vault.admin.setSecret('kept', 'two');
      await first.vault.admin.setSecret('gone', 'x');
      await first.vault.admin.deleteSecret('gone');
      await first.vault.admin.addPrincipal({ clientId: 'writer', clientSecret: 'writer-secret' });
      const caPem = first.vault.caPem;
      await first.vault.close();

      const second = await startTestVault({ dataDir });
      assert.equal(second.vault.caPem, caPem, 'the CA is reused, so clients keep trusting it');
      const client = sdkClient(second.vault);
      assert.equal((await client.getSecret('kept')).value, 'two');
      assert.equal((await client.getSecret('kept', { version })).value, 'one');
      assert.equal((await client.getDeletedSecret('gone')).name, 'gone');
      assert.deepEqual(readdirSync(dataDir).filter((f) => f.endsWith('.tmp')), []);
      await second.vault.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
