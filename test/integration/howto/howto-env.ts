// The HOWTO's world for one test file: a real API server (+ garbage collector), the local vault over
// HTTPS as Azure Key Vault and its authority, and the operator running in process. The HOWTO's
// manifests are read from test/fixtures/seed and changed only where a local vault must differ from
// Azure: the vault URL, the authority host and the CA to trust.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlPlane, type ControlPlane } from '../../support/controlplane.ts';
import { Cluster, assertNowhere, readYamlDocs } from '../../support/cluster.ts';
import { startOperator, type RunningOperator } from '../../support/operator.ts';
import { eventually } from '../../support/eventually.ts';
import { startVault, type StartedVault, type VaultOptions, type VaultPrincipal } from '../../../src/vault/index.ts';
import { createLogger } from '../../../src/platform/logger.ts';

const seed = new URL('../../fixtures/seed/', import.meta.url).pathname;
export const SEED_STORE = `${seed}infra/rke2/secrets/clustersecretstore_akv-hybridops.yaml`;
export const SEED_EXTERNAL_SECRET = `${seed}deploy/netbox/secrets/externalsecret-netbox-db-password.yaml`;

/** Names the HOWTO uses. */
export const HOWTO = {
  store: 'akv-hybridops',
  credentialsSecret: 'akv-sp-credentials',
  credentialsNamespace: 'external-secrets',
  vaultSecret: 'netbox-db-password',
  namespace: 'netbox',
  externalSecret: 'netbox-db-password',
  target: 'netbox-db-credentials',
  targetKey: 'DB_PASSWORD',
} as const;

/** Collects unique values that must never appear outside the vault and the target Secret. */
export class Canaries {
  readonly values: string[] = [];
  readonly #run = `${process.pid}-${Date.now().toString(36)}`;
  next(label: string): string {
    const v = `canary-${label}-${this.#run}-${Math.random().toString(36).slice(2, 8)}`;
    this.values.push(v);
    return v;
  }
}

export interface HowtoEnvOptions {
  principals: VaultPrincipal[];
  /** Verify federated assertions with the API server's JWKS (workload identity). */
  apiServerJwks?: boolean;
  throttle?: VaultOptions['throttle'];
  /** Set before the operator starts: the SDK reads it when a ManagedIdentityCredential is created. */
  beforeOperator?(vault: StartedVault): void;
  /** Options for the in-process operator (test/support/operator.ts). */
  operator?: Parameters<typeof startOperator>[1];
}

export class HowtoEnv {
  readonly cp: ControlPlane;
  readonly k: Cluster;
  readonly canaries = new Canaries();
  vault: StartedVault;
  op!: RunningOperator;
  readonly #vaultLog: string[];
  readonly #dataDir: string;
  readonly #vaultOptions: VaultOptions;

  private constructor(cp: ControlPlane, vault: StartedVault, vaultOptions: VaultOptions, vaultLog: string[], dataDir: string) {
    this.cp = cp;
    this.k = new Cluster(cp.admin);
    this.vault = vault;
    this.#vaultOptions = vaultOptions;
    this.#vaultLog = vaultLog;
    this.#dataDir = dataDir;
  }

  static async start(opts: HowtoEnvOptions): Promise<HowtoEnv> {
    const cp = await startControlPlane({ controllerManager: true });
    const dataDir = mkdtempSync(join(tmpdir(), 'projector-howto-vault-'));
    const vaultLog: string[] = [];
    const log = createLogger({ level: 'debug', destination: { write: (s: string) => void vaultLog.push(s) } as never });
    const vaultOptions: VaultOptions = {
      dataDir,
      principals: opts.principals,
      log,
      ...(opts.throttle ? { throttle: opts.throttle } : {}),
      // Workload identity: the vault verifies service-account tokens against the API server's keys.
      ...(opts.apiServerJwks ? { jwks: { uri: `${cp.server}/openid/v1/jwks`, caPem: cp.caPem, bearerToken: cp.users[0]!.token } } : {}),
    };
    const vault = await startVault(vaultOptions);
    const env = new HowtoEnv(cp, vault, vaultOptions, vaultLog, dataDir);
    await env.k.installCrds();
    opts.beforeOperator?.(vault);
    env.op = await startOperator(cp.admin, opts.operator);
    return env;
  }

  /** Stops the vault process's listeners: clients see connection refused. */
  async stopVault(): Promise<void> {
    await this.vault.close();
  }

  /** Starts the vault again on the same ports with the same data dir: same secrets, CA and signing key. */
  async restartVault(): Promise<void> {
    const port = Number(new URL(this.vault.url).port);
    const imdsPort = Number(new URL(this.vault.imdsEndpoint).port);
    this.vault = await startVault({ ...this.#vaultOptions, port, imdsPort });
  }

  vaultLogs(): string {
    return this.#vaultLog.join('');
  }

  /** The HOWTO's Secret holding the service principal's tenant, client id and client secret. */
  async applyCredentialsSecret(clientId: string, clientSecret: string, name: string = HOWTO.credentialsSecret): Promise<void> {
    await this.k.namespace(HOWTO.credentialsNamespace);
    await this.k.apply([
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name, namespace: HOWTO.credentialsNamespace },
        stringData: { 'tenant-id': this.vault.tenantId, 'client-id': clientId, 'client-secret': clientSecret },
      } as never,
    ]);
  }

  /**
   * The HOWTO's ClusterSecretStore with the three local differences: vault URL, authority host
   * (customCloudConfig.activeDirectoryEndpoint) and the vault's CA (caBundle). `change` adjusts the
   * azurekv block further for other auth types.
   */
  howtoStore(change: (azurekv: Record<string, any>) => void = () => {}): any {
    const [store] = readYamlDocs(SEED_STORE) as any[];
    const azurekv = store.spec.provider.azurekv;
    azurekv.vaultUrl = `${this.vault.url}/`;
    azurekv.customCloudConfig = { activeDirectoryEndpoint: this.vault.authorityHost };
    azurekv.caBundle = Buffer.from(this.vault.caPem).toString('base64');
    change(azurekv);
    return store;
  }

  /** The HOWTO's ExternalSecret; `refreshInterval` replaces the seed's 1h so rotation is seen in a test's time. */
  howtoExternalSecret(refreshInterval: string): any {
    const [es] = readYamlDocs(SEED_EXTERNAL_SECRET) as any[];
    es.spec.refreshInterval = refreshInterval;
    return es;
  }

  async storeReady(name: string = HOWTO.store) {
    return this.k.ready(undefined, 'clustersecretstores', name);
  }

  async esReady(namespace: string = HOWTO.namespace, name: string = HOWTO.externalSecret) {
    return this.k.ready(namespace, 'externalsecrets', name);
  }

  /** Waits for the ExternalSecret's Ready condition to reach `status`, returning it. */
  async waitEsReady(status: 'True' | 'False', opts: { namespace?: string; name?: string; message?: RegExp; timeoutMs?: number } = {}) {
    return eventually(
      () => this.esReady(opts.namespace, opts.name),
      (r) => r.status === status && (!opts.message || opts.message.test(r.message ?? '')),
      { timeoutMs: opts.timeoutMs ?? 30_000, message: `ExternalSecret Ready=${status}${opts.message ? ` ${opts.message}` : ''}` },
    );
  }

  /** Fails if any canary reached the operator's logs, statuses, events or the vault's logs. */
  async assertNoLeaks(namespaces: string[]): Promise<void> {
    assertNowhere(this.canaries.values, {
      'operator logs': this.op.logs(),
      'statuses and events': await this.k.observableText(namespaces),
      'vault logs': this.vaultLogs(),
    });
  }

  async stop(): Promise<void> {
    try {
      await this.op?.stop();
    } finally {
      await this.vault.close().catch(() => {});
      await this.cp.stop();
      rmSync(this.#dataDir, { recursive: true, force: true });
    }
  }
}

/** The managed Secret's identity and data hash, as the HOWTO says to check rotation. */
export async function targetVersion(k: Cluster, namespace: string = HOWTO.namespace, name: string = HOWTO.target) {
  const s = await k.secret(namespace, name);
  return s
    ? { resourceVersion: s.metadata.resourceVersion as string, dataHash: s.metadata.annotations?.['reconcile.external-secrets.io/data-hash'] as string | undefined }
    : undefined;
}
