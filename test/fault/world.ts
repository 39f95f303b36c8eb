/**
 * The fault suite's world: a real kube-apiserver + etcd with an audit log, the local vault behind a
 * fault-injecting proxy (test/support/fault-proxy.ts), `projector operator` as supervised child
 * processes with leader election (a crashed or exited replica is started again after a second, as
 * the kubelet would), N ExternalSecrets each projecting one vault secret holding a unique canary
 * value, and a watch on every Secret that judges every write as it happens.
 *
 * Invariants checked continuously by the watch: a managed Secret is never deleted, never loses its
 * key, and is never written with a value that its vault secret did not hold, nor with an older value
 * after a newer one. Checked after each fault: every Secret converges to the vault's current value
 * (polled, with the time measured), and no canary value appears in any output (operator stdout and
 * stderr, statuses, events, the API server's audit log, the vault's log).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { startControlPlane, type ControlPlane } from '../support/controlplane.ts';
import { Cluster } from '../support/cluster.ts';
import { eventually } from '../support/eventually.ts';
import { FaultProxy } from '../support/fault-proxy.ts';
import { OperatorProcess } from '../support/operator-process.ts';
import { startVault, type StartedVault } from '../../src/vault/index.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { Reflector } from '../../src/kube/reflector.ts';
import { ObjectStore } from '../../src/kube/object-store.ts';

export const NAMESPACE = 'fault';
const CLIENT_ID = 'fault-suite-sp';
const STORE = 'fault-vault';
const KEY = 'value';
const LEASE = { namespace: 'external-secrets', name: 'projector-controller' };
/** Short leader-election timings so a failover fits the suite's time (defaults: 15s/10s/2s). */
const LEADER_FLAGS = ['--leader-elect', '--leader-election-namespace', LEASE.namespace, '--leader-elect-lease-duration', '6s', '--leader-elect-renew-deadline', '4s', '--leader-elect-retry-period', '1s'];
const RESTART_DELAY_MS = 1_000;

export interface FaultFigures {
  scenario: string;
  /** Requests, outages or events the fault acted on. */
  injected: number;
  /** Secrets deleted or left without their key, at any moment during the scenario. */
  lost: number;
  /** Writes of a value the vault never held for that Secret, or of an older value after a newer one. */
  wrong: number;
  /** Writes of managed Secrets the watch judged (at least N: every value rotates in every scenario). */
  writesSeen: number;
  /** Distinct canary values found in any output. */
  leaked: number;
  /** Seconds from the heal until every Secret held the vault's current value; null: not within the bound. */
  convergenceSeconds: number | null;
  rssBeforeMiB: number | undefined;
  rssAfterMiB: number | undefined;
  /** Replica restarts (exits after a lost lease, or kill -9) during the scenario. */
  restarts: number;
}

/** One operator replica as a Deployment would run it: started again whenever it exits, until retired. */
export class Replica {
  readonly slot: string;
  readonly #kubeconfigPath: string;
  readonly #all: OperatorProcess[];
  #current!: OperatorProcess;
  #retired = false;
  restarts = 0;

  constructor(slot: string, kubeconfigPath: string, all: OperatorProcess[]) {
    this.slot = slot;
    this.#kubeconfigPath = kubeconfigPath;
    this.#all = all;
    this.#spawn();
  }

  get process(): OperatorProcess {
    return this.#current;
  }

  #spawn(): void {
    const p = OperatorProcess.start({ name: `${this.slot}#${this.#all.length}`, kubeconfigPath: this.#kubeconfigPath, args: LEADER_FLAGS });
    this.#all.push(p);
    this.#current = p;
    void p.exited().then(async () => {
      if (this.#retired) return;
      this.restarts++;
      await sleep(RESTART_DELAY_MS);
      if (!this.#retired) this.#spawn();
    });
  }

  /** kill -9 the running process; the replica starts a new one after RESTART_DELAY_MS. */
  async kill9(): Promise<void> {
    await this.#current.kill9();
  }

  async retire(): Promise<void> {
    this.#retired = true;
    await this.#current.stop();
  }
}

/** Judges every Secret write in the namespace as it is observed. */
class SecretWatch {
  /** Writes of managed Secrets seen (created or changed): proves the watch saw the scenario's writes. */
  writes = 0;
  lost = 0;
  wrong = 0;
  readonly problems: string[] = [];
  readonly #history: Map<string, string[]>;
  readonly #lastIndex = new Map<string, number>();
  readonly #ac = new AbortController();
  readonly #reflector: Reflector<any>;
  readonly #done: Promise<void>;

  constructor(cp: ControlPlane, history: Map<string, string[]>) {
    this.#history = history;
    const store = new ObjectStore<any>();
    store.onChange((type, obj) => this.#judge(type, obj));
    const quiet = createLogger({ level: 'error', destination: new Writable({ write: (_c, _e, cb) => cb() }) as never });
    this.#reflector = new Reflector<any>({ kubeConfig: cp.admin, path: `/api/v1/namespaces/${NAMESPACE}/secrets`, store, log: quiet, backoff: { initialMs: 200, maxMs: 2_000 } });
    this.#done = this.#reflector.run(this.#ac.signal);
  }

  synced(): boolean {
    return this.#reflector.hasSynced();
  }

  #judge(type: string, obj: any): void {
    const name: string = obj.metadata?.name ?? '';
    const history = this.#history.get(name);
    if (!history) return; // not one of ours (credentials, service-account tokens…)
    if (type === 'deleted') return this.#problem('lost', `${name} deleted`);
    this.writes++;
    const b64 = obj.data?.[KEY];
    if (b64 === undefined) return this.#problem('lost', `${name} written without its key`);
    // Values are compared, never printed: a problem names the Secret and the kind only.
    const index = history.indexOf(Buffer.from(b64, 'base64').toString('utf8'));
    if (index < 0) return this.#problem('wrong', `${name} written with a value its vault secret never held`);
    const last = this.#lastIndex.get(name) ?? -1;
    if (index < last) return this.#problem('wrong', `${name} went back to an older value`);
    this.#lastIndex.set(name, index);
  }

  #problem(kind: 'lost' | 'wrong', what: string): void {
    this[kind]++;
    this.problems.push(what);
  }

  async stop(): Promise<void> {
    this.#ac.abort();
    await this.#done;
  }
}

export class FaultWorld {
  readonly cp: ControlPlane;
  readonly k: Cluster;
  readonly vault: StartedVault;
  readonly proxy: FaultProxy;
  readonly n: number;
  readonly refreshSeconds: number;
  readonly replicas: Replica[] = [];
  /** Every operator process ever started, for the leak search over all their output. */
  readonly processes: OperatorProcess[] = [];
  /** Per ExternalSecret (= target Secret) name, every value its vault secret held, oldest first. */
  readonly history = new Map<string, string[]>();
  readonly #run = `${process.pid.toString(36)}${Date.now().toString(36)}`;
  readonly #vaultLog: string[];
  readonly #dataDir: string;
  watch!: SecretWatch;
  #generation = 0;

  private constructor(cp: ControlPlane, vault: StartedVault, proxy: FaultProxy, vaultLog: string[], dataDir: string, n: number, refreshSeconds: number) {
    this.cp = cp;
    this.k = new Cluster(cp.admin);
    this.vault = vault;
    this.proxy = proxy;
    this.#vaultLog = vaultLog;
    this.#dataDir = dataDir;
    this.n = n;
    this.refreshSeconds = refreshSeconds;
  }

  /** Starts everything and waits until all N Secrets hold their first values. */
  static async start(opts: { n: number; refreshSeconds: number }): Promise<FaultWorld> {
    const cp = await startControlPlane({ auditLog: true });
    const dataDir = mkdtempSync(join(tmpdir(), 'projector-fault-vault-'));
    const vaultLog: string[] = [];
    const log = createLogger({ level: 'debug', destination: { write: (s: string) => void vaultLog.push(s) } as never });
    const clientSecret = `fault-client-secret-${Date.now().toString(36)}`;
    const vault = await startVault({ dataDir, principals: [{ clientId: CLIENT_ID, clientSecret }], log });
    const proxy = await FaultProxy.start(vault.url, vault.caPem);
    const w = new FaultWorld(cp, vault, proxy, vaultLog, dataDir, opts.n, opts.refreshSeconds);
    await w.k.installCrds();
    await w.k.namespace(NAMESPACE);
    await w.k.namespace(LEASE.namespace);
    await w.k.apply([
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'fault-vault-credentials', namespace: LEASE.namespace },
        stringData: { 'client-id': CLIENT_ID, 'client-secret': clientSecret },
      } as never,
      w.storeObject(proxy.caPem),
    ]);
    for (let i = 0; i < w.n; i++) w.history.set(w.esName(i), []);
    await w.rotateAll();
    for (let i = 0; i < w.n; i++) {
      await w.k.apply([
        {
          apiVersion: 'external-secrets.io/v1',
          kind: 'ExternalSecret',
          metadata: { name: w.esName(i), namespace: NAMESPACE },
          spec: {
            refreshInterval: `${opts.refreshSeconds}s`,
            secretStoreRef: { kind: 'ClusterSecretStore', name: STORE },
            target: { name: w.esName(i) },
            data: [{ secretKey: KEY, remoteRef: { key: w.vaultName(i) } }],
          },
        } as never,
      ]);
    }
    w.watch = new SecretWatch(cp, w.history);
    await eventually(() => w.watch.synced(), true, { timeoutMs: 20_000, message: 'Secret watch synced' });
    w.replicas.push(new Replica('a', cp.kubeconfigPath, w.processes));
    return w;
  }

  esName(i: number): string {
    return `es-${String(i).padStart(3, '0')}`;
  }

  vaultName(i: number): string {
    return `fault-${String(i).padStart(3, '0')}`;
  }

  /** The ClusterSecretStore pointing at the proxy (secrets API and token endpoint), trusting `caPem`. */
  storeObject(caPem: string): any {
    return {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ClusterSecretStore',
      metadata: { name: STORE },
      spec: {
        provider: {
          azurekv: {
            vaultUrl: `${this.proxy.url}/`,
            authType: 'ServicePrincipal',
            tenantId: this.vault.tenantId,
            customCloudConfig: { activeDirectoryEndpoint: this.proxy.url },
            caBundle: Buffer.from(caPem).toString('base64'),
            authSecretRef: {
              clientId: { name: 'fault-vault-credentials', namespace: LEASE.namespace, key: 'client-id' },
              clientSecret: { name: 'fault-vault-credentials', namespace: LEASE.namespace, key: 'client-secret' },
            },
          },
        },
      },
    };
  }

  /** Gives every vault secret a new unique value (straight into the vault, not through the proxy). */
  async rotateAll(): Promise<void> {
    this.#generation++;
    for (let i = 0; i < this.n; i++) {
      const value = `canary-${this.#run}-g${this.#generation}-${i}-${Math.random().toString(36).slice(2, 10)}`;
      // Recorded before the write, so the watch can never see a value it does not know yet.
      this.history.get(this.esName(i))!.push(value);
      await this.vault.admin.setSecret(this.vaultName(i), value);
    }
  }

  /** How many target Secrets do not (yet) hold their vault secret's current value. */
  async behind(): Promise<number> {
    const list = await this.k.core.listNamespacedSecret({ namespace: NAMESPACE });
    const byName = new Map(list.items.map((s) => [s.metadata!.name!, s.data?.[KEY]]));
    let behind = 0;
    for (const [name, values] of this.history) {
      const b64 = byName.get(name);
      if (b64 === undefined || Buffer.from(b64, 'base64').toString('utf8') !== values[values.length - 1]) behind++;
    }
    return behind;
  }

  /** Waits (polling) until every Secret holds the vault's current value; returns the seconds it took. */
  async converge(boundSeconds: number, since = Date.now()): Promise<number> {
    await eventually(() => this.behind(), 0, { timeoutMs: Math.max(1_000, boundSeconds * 1000 - (Date.now() - since)), intervalMs: 250, message: `all ${this.n} Secrets hold the vault's current value within ${boundSeconds} s` });
    return (Date.now() - since) / 1000;
  }

  /** The process holding the Lease (or the only one when there is one replica). */
  async leader(): Promise<Replica> {
    if (this.replicas.length === 1) return this.replicas[0]!;
    const holder = await this.leaseHolder();
    const found = this.replicas.find((r) => r.process.running && this.#identityOf(r) === holder);
    if (!found) throw new Error('no running replica holds the Lease');
    return found;
  }

  /**
   * Compacts etcd's history up to its current revision (etcd's v3 JSON gateway: /v3/kv/range for the
   * revision, /v3/kv/compaction). Done while the API server is down, every watch resumed afterwards
   * from an older resourceVersion is answered 410 Gone and must relist.
   */
  async compactEtcd(): Promise<number> {
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${this.cp.etcdUrl}${path}`, { method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`etcd ${path}: HTTP ${res.status}`);
      return (await res.json()) as { header?: { revision?: string } };
    };
    const range = await post('/v3/kv/range', { key: Buffer.from('/').toString('base64'), limit: 1 });
    const revision = range.header?.revision;
    if (!revision) throw new Error('etcd /v3/kv/range: no revision in the answer');
    await post('/v3/kv/compaction', { revision, physical: true });
    return Number(revision);
  }

  async leaseHolder(): Promise<string> {
    const { status, body } = await this.k.request('GET', `/apis/coordination.k8s.io/v1/namespaces/${LEASE.namespace}/leases/${LEASE.name}`);
    if (status !== 200) throw new Error(`GET Lease: HTTP ${status}`);
    return (JSON.parse(body).spec?.holderIdentity as string | undefined) ?? '';
  }

  /** The identity a process announced in its first log line (leaderIdentity(hostname, uuid)). */
  #identityOf(r: Replica): string | undefined {
    const m = /"identity":"([^"]+)"/.exec(r.process.stdout());
    return m?.[1];
  }

  async addReplica(slot: string): Promise<Replica> {
    const r = new Replica(slot, this.cp.kubeconfigPath, this.processes);
    this.replicas.push(r);
    await eventually(() => /attempting to acquire leader lease/.test(r.process.stdout()), true, { timeoutMs: 30_000, message: `replica ${slot} started and waits for the Lease` });
    return r;
  }

  restarts(): number {
    return this.replicas.reduce((sum, r) => sum + r.restarts, 0);
  }

  /** Every output a user or operator could read, by where it came from. */
  async outputs(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const p of this.processes) {
      out[`operator ${p.name} stdout`] = p.stdout();
      out[`operator ${p.name} stderr`] = p.stderr();
    }
    out['statuses and events'] = await this.k.observableText([NAMESPACE, LEASE.namespace]);
    out['API server audit log'] = this.cp.auditLog();
    out['vault log'] = this.#vaultLog.join('');
    return out;
  }

  /**
   * Distinct canary values found in any output, as text or base64 (as Secret data carries them), with
   * where they were found. Searches for the run's prefix, so the cost does not grow with the number of
   * values: only canaries contain it.
   */
  async leaks(): Promise<{ count: number; where: string[] }> {
    return this.findCanaries(await this.outputs());
  }

  /** Distinct canary values in `texts` (by name), as text or base64, and the names they were found in. */
  findCanaries(texts: Record<string, string>): { count: number; where: string[] } {
    const prefix = `canary-${this.#run}-`;
    const plain = new RegExp(`${prefix}[a-z0-9-]+`, 'g');
    // Base64 of the prefix, cut to whole 3-byte groups so it does not depend on what follows.
    const b64Prefix = Buffer.from(prefix.slice(0, prefix.length - (prefix.length % 3))).toString('base64');
    const found = new Set<string>();
    const where = new Set<string>();
    for (const [name, text] of Object.entries(texts)) {
      for (const m of text.matchAll(plain)) {
        found.add(m[0]);
        where.add(name);
      }
      for (let at = text.indexOf(b64Prefix); at >= 0; at = text.indexOf(b64Prefix, at + 1)) {
        const decoded = Buffer.from(/^[A-Za-z0-9+/]+/.exec(text.slice(at, at + 400))![0], 'base64').toString('latin1');
        found.add(/^canary-[a-z0-9-]+/.exec(decoded)?.[0] ?? decoded);
        where.add(`${name} (base64)`);
      }
    }
    return { count: found.size, where: [...where] };
  }

  async stop(): Promise<void> {
    try {
      for (const r of this.replicas) await r.retire();
      await this.watch?.stop();
    } finally {
      await this.proxy.close().catch(() => {});
      await this.vault.close().catch(() => {});
      await this.cp.stop();
      rmSync(this.#dataDir, { recursive: true, force: true });
    }
  }
}
