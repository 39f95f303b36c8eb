// Issue 9 item 1: memory under a vault outage, on a real kube-apiserver + etcd with the local vault
// and the operator in process. An azurekv store with a caBundle, ExternalSecrets that refresh every
// second, then the vault stops and its port accepts and drops every connection until a few hundred
// connections were refused, then the vault comes back and everything is Ready again.
//
// Deterministic signal: every TLS SecureContext that trusts the vault's CA is counted
// (tls.createSecureContext, which tls.connect calls for each connection not given one). The store
// has one CA set, so exactly one context may be built for it however many requests fail. Before
// the fix every connection built its own, with every root CA parsed: ~1.2 MB native per refused
// connection, which V8's collector does not see and glibc keeps.
// Coarse signal: RSS after a full GC grows by less than RSS_BOUND_MB across the outage (before the
// fix, 200 refused connections cost ~280 MB; after it, 24-44 MB in this process, whose own captured
// logs grow too: bench/soak.ts measures the operator process alone).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { startControlPlane, type ControlPlane } from '../../support/controlplane.ts';
import { Cluster } from '../../support/cluster.ts';
import { startOperator, type RunningOperator } from '../../support/operator.ts';
import { eventually } from '../../support/eventually.ts';
import { startVault, type StartedVault } from '../../../src/vault/index.ts';

const NAMESPACE = 'vault-outage-memory';
const ES_COUNT = 50;
const REFUSED_TARGET = 200;
const RSS_BOUND_MB = 100;
const CLIENT_ID = 'outage-sp';
const CLIENT_SECRET = `canary-outage-client-secret-${process.pid}`;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** RSS after two full collections (the first may only queue finalizers), in bytes. */
async function settledRss(): Promise<number> {
  gc();
  await new Promise((r) => setImmediate(r));
  gc();
  return process.memoryUsage().rss;
}

function caListOf(options: tls.SecureContextOptions | undefined): string[] {
  const ca = options?.ca;
  if (ca === undefined) return [];
  return (Array.isArray(ca) ? ca : [ca]).map((c) => String(c));
}

describe('memory under a vault outage (azurekv store with caBundle)', { timeout: 150_000 }, () => {
  let cp: ControlPlane;
  let k: Cluster;
  let op: RunningOperator | undefined;
  let vault: StartedVault;
  let port = 0;
  const dataDir = mkdtempSync(join(tmpdir(), 'projector-outage-vault-'));
  const originalCreateSecureContext = tls.createSecureContext;
  let vaultCaBody = '';
  let contextsTrustingVault = 0;
  let refuser: Server | undefined;
  const refusedSockets = new Set<Socket>();
  let refused = 0;

  const start = async () => {
    vault = await startVault({ dataDir, port, principals: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }] });
    port = Number(new URL(vault.url).port);
  };

  const readyCount = async () => {
    const list: any = await k.custom.listNamespacedCustomObject({ group: 'external-secrets.io', version: 'v1', namespace: NAMESPACE, plural: 'externalsecrets' });
    return list.items.filter((es: any) => es.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')).length as number;
  };

  before(async () => {
    cp = await startControlPlane();
    k = new Cluster(cp.admin);
    await k.installCrds();
    await k.namespace(NAMESPACE);
    await start();
    // The CA's base64 body identifies it whatever line endings a caller used.
    vaultCaBody = vault.caPem.split('\n').filter((l) => !l.startsWith('-----')).join('').replace(/\s/g, '').slice(0, 200);
    tls.createSecureContext = (options?: tls.SecureContextOptions) => {
      if (caListOf(options).some((pem) => pem.replace(/\s/g, '').includes(vaultCaBody))) contextsTrustingVault++;
      return originalCreateSecureContext(options);
    };
    for (let i = 0; i < ES_COUNT; i++) await vault.admin.setSecret(`outage-${i}`, `value-${i}`);
    const ref = (key: string) => ({ name: 'akv-credentials', key });
    await k.apply([
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'akv-credentials', namespace: NAMESPACE }, stringData: { 'client-id': CLIENT_ID, 'client-secret': CLIENT_SECRET } } as never,
      {
        apiVersion: 'external-secrets.io/v1',
        kind: 'SecretStore',
        metadata: { name: 'akv', namespace: NAMESPACE },
        spec: {
          provider: {
            azurekv: {
              vaultUrl: `${vault.url}/`,
              authType: 'ServicePrincipal',
              tenantId: vault.tenantId,
              authSecretRef: { clientId: ref('client-id'), clientSecret: ref('client-secret') },
              customCloudConfig: { activeDirectoryEndpoint: vault.authorityHost },
              caBundle: Buffer.from(vault.caPem).toString('base64'),
            },
          },
        },
      } as never,
      ...Array.from({ length: ES_COUNT }, (_, i) => ({
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: { name: `es-${i}`, namespace: NAMESPACE },
        spec: {
          refreshInterval: '1s',
          secretStoreRef: { kind: 'SecretStore', name: 'akv' },
          target: { name: `es-${i}`, creationPolicy: 'Owner' },
          data: [{ secretKey: 'VALUE', remoteRef: { key: `outage-${i}` } }],
        },
      })) as never[],
    ]);
    op = await startOperator(cp.admin, { namespace: NAMESPACE });
  });

  after(async () => {
    tls.createSecureContext = originalCreateSecureContext;
    await op?.stop();
    if (refuser) await new Promise((r) => refuser!.close(r));
    await vault?.close();
    await cp?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('builds one TLS context for the store however many requests fail, and RSS stays flat', async () => {
    await eventually(readyCount, ES_COUNT, { timeoutMs: 40_000, intervalMs: 250, message: 'every ExternalSecret Ready before the outage' });
    const rssBefore = await settledRss();
    const contextsBefore = contextsTrustingVault;

    // The outage: the vault stops; its port accepts TCP and drops it (each attempt counted).
    await vault.close();
    refuser = createServer((socket) => {
      refused++;
      refusedSockets.add(socket);
      socket.on('close', () => refusedSockets.delete(socket));
      socket.on('error', () => {});
      socket.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      refuser!.once('error', reject);
      refuser!.listen(port, '127.0.0.1', () => resolve());
    });
    await eventually(() => refused, (n) => n >= REFUSED_TARGET, { timeoutMs: 40_000, intervalMs: 100, message: `${REFUSED_TARGET} connections refused during the outage` });
    const refusedDuringOutage = refused;
    await new Promise((r) => refuser!.close(r));
    for (const s of refusedSockets) s.destroy();
    refuser = undefined;
    await start();
    // Every ExternalSecret failed during the outage (refresh every second) and must recover.
    await eventually(readyCount, ES_COUNT, { timeoutMs: 40_000, intervalMs: 250, message: 'every ExternalSecret Ready after the outage' });
    const rssAfter = await settledRss();

    const growthMb = (rssAfter - rssBefore) / 2 ** 20;
    const summary = `${refusedDuringOutage} refused connections; TLS contexts trusting the vault CA: ${contextsBefore} before the outage, ${contextsTrustingVault} in all; RSS after GC ${(rssBefore / 2 ** 20).toFixed(1)} MB → ${(rssAfter / 2 ** 20).toFixed(1)} MB (${growthMb.toFixed(1)} MB)`;
    console.log(`vault outage memory: ${summary}`);
    // One store, one CA set: one context, built when the store's client was first made.
    assert.equal(contextsTrustingVault, 1, summary);
    assert.ok(growthMb < RSS_BOUND_MB, `RSS grew by more than ${RSS_BOUND_MB} MB: ${summary}`);
  });
});
