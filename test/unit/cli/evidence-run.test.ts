import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EvidenceCluster, KubeObject } from '../../../src/cli/evidence/cluster-reader.ts';
import { runEvidence, EvidenceFinding, type EvidenceDeps, type EvidenceOptions } from '../../../src/cli/evidence/run-evidence.ts';
import type { VaultWrite } from '../../../src/cli/evidence/vault-writer.ts';
import { silentLogger } from '../../../src/platform/logger.ts';
import { isCalendarDate } from '../../../src/cli/commands/evidence.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** An in-memory cluster: one ExternalSecret, its Secret (value changeable) and an azurekv store. */
class MemoryCluster implements EvidenceCluster {
  readonly server = 'https://127.0.0.1:6443';
  value = 'CANARY-value-one';
  rv = 100;
  annotations: Record<string, string>[] = [];
  es: KubeObject = {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name: 'netbox-db-password', namespace: 'netbox', generation: 2 },
    spec: { secretStoreRef: { kind: 'ClusterSecretStore', name: 'akv' }, target: { name: 'netbox-db-credentials' }, data: [{ secretKey: 'DB_PASSWORD', remoteRef: { key: 'netbox-db-password' } }] },
    status: { conditions: [{ type: 'Ready', status: 'True', reason: 'SecretSynced' }] },
  };
  async listExternalSecrets(namespace: string) {
    return namespace === 'netbox' ? [structuredClone(this.es)] : [];
  }
  async getStore(kind: string, name: string) {
    return kind === 'ClusterSecretStore' && name === 'akv' ? ({ apiVersion: 'external-secrets.io/v1', kind, metadata: { name }, spec: { provider: { azurekv: { vaultUrl: 'https://kv.vault.azure.net/' } } } } as KubeObject) : undefined;
  }
  async getSecret(namespace: string, name: string) {
    if (name !== 'netbox-db-credentials') return undefined;
    return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace, resourceVersion: String(this.rv), annotations: { 'reconcile.external-secrets.io/data-hash': `h${this.rv}` } }, type: 'Opaque', data: { DB_PASSWORD: b64(this.value) } } as KubeObject;
  }
  async listEvents() {
    return [];
  }
  async annotateExternalSecret(_ns: string, _name: string, annotations: Record<string, string>) {
    this.annotations.push(annotations);
  }
}

function setup() {
  const root = mkdtempSync(join(tmpdir(), 'projector-evidence-unit-'));
  const cluster = new MemoryCluster();
  let nowMs = Date.parse('2026-03-14T10:00:00Z');
  const notes: string[] = [];
  const deps: EvidenceDeps = {
    cluster,
    now: () => new Date(nowMs),
    sleep: async (ms) => {
      nowMs += ms;
    },
    log: silentLogger(),
    note: (l) => notes.push(l),
  };
  const opts: EvidenceOptions = { app: 'netbox', namespace: 'netbox', outRoot: root, date: '2026-03-14' };
  return { root, cluster, deps, opts, notes, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

const rotation = { timeoutMs: 10_000, pollMs: 1_000, forceSync: true, overrides: {}, env: {} };

describe('evidence: the run', () => {
  it('rotates through the vault writer with a new value it never writes to a file, then records before and after', async () => {
    const t = setup();
    try {
      const writes: { key: string; value: string; vaultUrl: string | undefined }[] = [];
      t.deps.writeVault = async (w: VaultWrite) => {
        writes.push({ key: w.secretName, value: w.value.reveal(), vaultUrl: w.store.spec.provider.azurekv?.vaultUrl });
        // The operator syncs the new value on the force-sync annotation.
        t.cluster.value = w.value.reveal();
        t.cluster.rv = 101;
        return 'v2';
      };
      const result = await runEvidence({ ...t.opts, rotation: { ...rotation, rotateKey: 'netbox-db-password', overrides: { vaultUrl: 'https://127.0.0.1:8443' } } }, t.deps);
      assert.equal(writes.length, 1);
      assert.equal(writes[0]!.key, 'netbox-db-password');
      assert.equal(writes[0]!.vaultUrl, 'https://127.0.0.1:8443');
      assert.ok(writes[0]!.value.length >= 24);
      assert.deepEqual(t.cluster.annotations, [{ 'force-sync': '2026-03-14T10:00:00.000Z' }]);
      assert.deepEqual(result.rotation, { proven: true });
      assert.deepEqual(result.leaks, []);
      const dir = join(t.root, 'eso-akv-netbox-2026-03-14');
      const all = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
      assert.ok(!all.includes(writes[0]!.value) && !all.includes('CANARY-value-one'));
      assert.match(readFileSync(join(dir, 'rotation.md'), 'utf8'), /`100` → `101`/);
    } finally {
      t.cleanup();
    }
  });

  it('gives up after --timeout when nobody rotates, recording that nothing changed', async () => {
    const t = setup();
    try {
      const result = await runEvidence({ ...t.opts, rotation: { ...rotation, forceSync: false } }, t.deps);
      assert.deepEqual(result.rotation, { proven: false });
      assert.deepEqual(t.cluster.annotations, []);
      assert.match(t.notes.join('\n'), /waiting up to 10 s for the Secret to change/);
    } finally {
      t.cleanup();
    }
  });

  it('finds a value that another file in the folder already holds', async () => {
    const t = setup();
    try {
      const dir = join(t.root, 'eso-akv-netbox-2026-03-14');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'kubectl-get-secret.txt'), `DB_PASSWORD: ${b64('CANARY-value-one')}`);
      const result = await runEvidence(t.opts, t.deps);
      assert.deepEqual(result.leaks, [{ file: 'kubectl-get-secret.txt', what: 'Secret netbox/netbox-db-credentials key DB_PASSWORD (base64)' }]);
      assert.ok(readdirSync(dir).includes('kubectl-get-secret.txt'), 'nothing is deleted');
    } finally {
      t.cleanup();
    }
  });

  it('refuses a --rotate-key no ExternalSecret of the app references', async () => {
    const t = setup();
    try {
      await assert.rejects(runEvidence({ ...t.opts, rotation: { ...rotation, rotateKey: 'other' } }, t.deps), (e: unknown) => e instanceof EvidenceFinding && /references vault secret other/.test((e as Error).message));
    } finally {
      t.cleanup();
    }
  });
});

describe('evidence --date', () => {
  it('takes only days that exist (the folder name is a date)', () => {
    for (const ok of ['2026-03-14', '2024-02-29', '2026-12-31']) assert.equal(isCalendarDate(ok), true, ok);
    for (const bad of ['2026-13-45', '2026-02-29', '2026-04-31', '2026-00-10', '14/03/2026', '2026-3-14']) assert.equal(isCalendarDate(bad), false, bad);
  });
});
