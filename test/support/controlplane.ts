/**
 * A real etcd + kube-apiserver (+ optional kube-controller-manager) for integration tests, started
 * from the binaries built by hack/apiserver/build.sh. Everything lives in one temp dir and on free
 * loopback ports; every process dies with the test process (parent-death signal + exit hook).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeConfig } from '@kubernetes/client-node';

export interface TestUser {
  name: string;
  token: string;
  groups: string[];
}

export interface ControlPlane {
  /** https://127.0.0.1:PORT */
  server: string;
  /** The API server's serving CA (self-signed by the API server into --cert-dir). */
  caPem: string;
  /** Admin kubeconfig file (token auth, system:masters). */
  kubeconfigPath: string;
  /** Path of a kubeconfig for one of the users (restricted users have no RBAC grants). */
  kubeconfigFor(user: string): string;
  admin: KubeConfig;
  users: TestUser[];
  serviceAccountIssuer: string;
  /** http://127.0.0.1:PORT of etcd, for tests that compact history to force 410 Gone. */
  etcdUrl: string;
  stopApiServer(): Promise<void>;
  /** Same etcd, same port, same certificates and tokens. */
  startApiServer(): Promise<void>;
  stop(): Promise<void>;
  /** Combined stderr tail of every process, for diagnostics. */
  logs(): string;
  /** With `auditLog`: the API server's audit log (JSON lines), else ''. */
  auditLog(): string;
  /** With `auditLog`: the audit log parsed (who did what; see AUDIT_POLICY for which bodies are kept). */
  auditEvents(): AuditEvent[];
}

/** The audit.k8s.io/v1 Event fields tests read. */
export interface AuditEvent {
  verb: string;
  user: { username: string; groups?: string[] };
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string; apiGroup?: string };
  responseStatus?: { code?: number };
  requestReceivedTimestamp: string;
  stage: string;
}

export interface ControlPlaneOptions {
  controllerManager?: boolean;
  users?: { name: string; groups?: string[] }[];
  /**
   * Write an audit log: request and response bodies of writes to external-secrets.io objects and
   * Events (where a leaked value would be), metadata only for Secrets (whose bodies hold values by design) and everything else.
   */
  auditLog?: boolean;
  /**
   * What a real kubelet needs (test/support/node.ts): the ServiceAccount admission plugin on (Pods get
   * their projected token volume), the controllers that make Pods schedulable and runnable
   * (serviceaccount, root-CA publisher, node-lifecycle, deployment/replicaset, pod GC), and the kubelet
   * reached by its InternalIP. Implies controllerManager.
   */
  forNode?: boolean;
}

const LOG_TAIL_LINES = 400;
const READY_TIMEOUT_MS = 90_000;
const TERMINATE_GRACE_MS = 2_000;

export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const binDir = controlPlaneBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'projector-cp-'));
  liveDirs.add(dir);
  const logTail: string[] = [];
  const procs = new ProcessSet(logTail);
  try {
    const [etcdClientPort, etcdPeerPort, apiPort] = await freePorts(3);
    const etcdUrl = `http://127.0.0.1:${etcdClientPort}`;
    const server = `https://127.0.0.1:${apiPort}`;
    const users = makeUsers(opts.users ?? []);
    const files = writeAuthFiles(dir, users);

    procs.start('etcd', join(binDir, 'etcd'), etcdArgs(dir, etcdClientPort!, etcdPeerPort!));
    await waitFor(() => httpGetOk(`${etcdUrl}/health`), 'etcd health', procs);

    const auditLogPath = opts.auditLog ? writeAuditPolicy(dir) : undefined;
    const apiArgs = [...apiServerArgs({ dir, etcdUrl, apiPort: apiPort!, issuer: server, forNode: opts.forNode === true, ...files }), ...(auditLogPath ? auditArgs(dir, auditLogPath) : [])];
    const startApiServer = async (): Promise<void> => {
      procs.start('kube-apiserver', join(binDir, 'kube-apiserver'), apiArgs);
      await waitFor(() => httpsGetOk(server, '/readyz', undefined), 'kube-apiserver /readyz', procs);
    };
    await startApiServer();

    const caPem = readServingCa(dir);
    const kubeconfigFor = (name: string): string => {
      const user = users.find((u) => u.name === name);
      if (!user) throw new Error(`controlplane: no user named ${name}`);
      const path = join(dir, `kubeconfig-${name}.yaml`);
      writeFileSync(path, kubeconfigYaml(server, caPem, user), { mode: 0o600 });
      return path;
    };
    const kubeconfigPath = kubeconfigFor('admin');
    const adminToken = users[0]!.token;
    await waitFor(() => httpsGetOk(server, '/api/v1/namespaces/default', { caPem, token: adminToken }), 'default namespace', procs);

    if (opts.controllerManager || opts.forNode) {
      const caFile = join(dir, 'ca.crt');
      writeFileSync(caFile, caPem);
      procs.start('kube-controller-manager', join(binDir, 'kube-controller-manager'), controllerManagerArgs(kubeconfigPath, files, opts.forNode ? caFile : undefined));
    }

    const admin = new KubeConfig();
    admin.loadFromFile(kubeconfigPath);

    return {
      server,
      caPem,
      kubeconfigPath,
      kubeconfigFor,
      admin,
      users,
      serviceAccountIssuer: server,
      etcdUrl,
      stopApiServer: () => procs.stop('kube-apiserver'),
      startApiServer,
      stop: async () => {
        await procs.stopAll();
        removeDir(dir);
      },
      logs: () => logTail.join('\n'),
      auditLog: () => (auditLogPath ? readAuditLog(auditLogPath) : ''),
      auditEvents: () => {
        if (!opts.auditLog) throw new Error('controlplane: started without auditLog');
        const text = auditLogPath ? readAuditLog(auditLogPath) : '';
        const events: AuditEvent[] = [];
        const lines = text.split('\n').filter((l) => l.trim() !== '');
        lines.forEach((l, i) => {
          try {
            events.push(JSON.parse(l) as AuditEvent);
          } catch (e) {
            if (i !== lines.length - 1) throw e; // only the line being written may be partial
          }
        });
        return events;
      },
    };
  } catch (e) {
    await procs.stopAll();
    const tail = logTail.slice(-60).join('\n');
    removeDir(dir);
    throw new Error(`controlplane: start failed: ${e instanceof Error ? e.message : String(e)}\n--- process log tail ---\n${tail}`);
  }
}

function controlPlaneBinDir(): string {
  const script = new URL('../../hack/apiserver/build.sh', import.meta.url).pathname;
  return execFileSync('bash', [script, '--print-dir'], { encoding: 'utf8' }).trim();
}

function makeUsers(restricted: { name: string; groups?: string[] }[]): TestUser[] {
  const token = () => randomBytes(24).toString('hex');
  return [
    { name: 'admin', token: token(), groups: ['system:masters'] },
    ...restricted.map((u) => ({ name: u.name, token: token(), groups: u.groups ?? [] })),
  ];
}

interface AuthFiles {
  tokenFile: string;
  saPublicKey: string;
  saPrivateKey: string;
}

function writeAuthFiles(dir: string, users: TestUser[]): AuthFiles {
  const tokenFile = join(dir, 'tokens.csv');
  const lines = users.map((u) => `${u.token},${u.name},${u.name}-uid${u.groups.length ? `,"${u.groups.join(',')}"` : ''}`);
  writeFileSync(tokenFile, `${lines.join('\n')}\n`, { mode: 0o600 });
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const saPublicKey = join(dir, 'sa.pub');
  const saPrivateKey = join(dir, 'sa.key');
  writeFileSync(saPublicKey, publicKey);
  writeFileSync(saPrivateKey, privateKey, { mode: 0o600 });
  return { tokenFile, saPublicKey, saPrivateKey };
}

function etcdArgs(dir: string, clientPort: number, peerPort: number): string[] {
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  return [
    `--data-dir=${join(dir, 'etcd')}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=default=${peer}`,
    '--unsafe-no-fsync',
    '--log-level=warn',
  ];
}

function apiServerArgs(o: AuthFiles & { dir: string; etcdUrl: string; apiPort: number; issuer: string; forNode: boolean }): string[] {
  return [
    `--etcd-servers=${o.etcdUrl}`,
    `--cert-dir=${join(o.dir, 'certs')}`,
    `--secure-port=${o.apiPort}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    '--service-cluster-ip-range=10.0.0.0/24',
    '--allow-privileged=true',
    // Without a kubelet, Pods are never run, and the plugin would only demand a 'default' ServiceAccount.
    ...(o.forNode ? ['--kubelet-preferred-address-types=InternalIP,Hostname'] : ['--disable-admission-plugins=ServiceAccount']),
    '--authorization-mode=RBAC',
    `--token-auth-file=${o.tokenFile}`,
    `--service-account-issuer=${o.issuer}`,
    `--service-account-key-file=${o.saPublicKey}`,
    `--service-account-signing-key-file=${o.saPrivateKey}`,
    // Tests compact etcd themselves when they need 410s; the API server's own compaction would be noise.
    '--etcd-compaction-interval=0',
    '-v=1',
  ];
}

const AUDIT_POLICY = {
  apiVersion: 'audit.k8s.io/v1',
  kind: 'Policy',
  omitStages: ['RequestReceived'],
  rules: [
    { level: 'Metadata', resources: [{ group: '', resources: ['secrets'] }] },
    // Writes only: a value that reached a status or an event was written there; reads would only repeat it.
    {
      level: 'RequestResponse',
      verbs: ['create', 'update', 'patch', 'delete'],
      resources: [{ group: 'external-secrets.io' }, { group: '', resources: ['events'] }, { group: 'events.k8s.io' }],
    },
    // Who did what for everything else (the leader hand-over test counts a paused leader's writes).
    { level: 'Metadata' },
  ],
};

function writeAuditPolicy(dir: string): string {
  // JSON is YAML; the API server reads it.
  writeFileSync(join(dir, 'audit-policy.yaml'), JSON.stringify(AUDIT_POLICY));
  return join(dir, 'audit.log');
}

function auditArgs(dir: string, logPath: string): string[] {
  // Blocking mode: an event is on disk when the request returns, so a test reads everything.
  return [`--audit-policy-file=${join(dir, 'audit-policy.yaml')}`, `--audit-log-path=${logPath}`, '--audit-log-mode=blocking'];
}

function readAuditLog(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Controllers a one-node cluster with a real kubelet needs on top of garbage collection (see forNode). */
const NODE_CONTROLLERS = [
  'serviceaccount-controller',
  'root-ca-certificate-publisher-controller',
  'node-lifecycle-controller',
  'deployment-controller',
  'replicaset-controller',
  'pod-garbage-collector-controller',
];

/** rootCaFile set = the node's controller set (see ControlPlaneOptions.forNode). */
function controllerManagerArgs(kubeconfigPath: string, files: AuthFiles, rootCaFile: string | undefined): string[] {
  const controllers = ['garbage-collector-controller', 'namespace-controller', ...(rootCaFile ? NODE_CONTROLLERS : [])];
  return [
    `--kubeconfig=${kubeconfigPath}`,
    `--controllers=${controllers.join(',')}`,
    ...(rootCaFile ? [`--root-ca-file=${rootCaFile}`] : []),
    '--leader-elect=false',
    '--secure-port=0',
    `--service-account-private-key-file=${files.saPrivateKey}`,
    '-v=1',
  ];
}

/** --cert-dir holds the serving certificate followed by the CA that signed it. */
function readServingCa(dir: string): string {
  const chain = readFileSync(join(dir, 'certs', 'apiserver.crt'), 'utf8');
  const certs = chain.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const ca = certs[certs.length - 1];
  if (!ca) throw new Error('controlplane: no certificate in cert-dir');
  return `${ca}\n`;
}

function kubeconfigYaml(server: string, caPem: string, user: TestUser): string {
  // JSON is YAML; every kubeconfig loader reads it.
  return JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'test', cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
      users: [{ name: user.name, user: { token: user.token } }],
      contexts: [{ name: user.name, context: { cluster: 'test', user: user.name } }],
      'current-context': user.name,
    },
    null,
    2,
  );
}

/** Binds port 0 and releases it; the tiny race with other processes is acceptable in tests. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<import('node:net').Server>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as import('node:net').AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

async function httpGetOk(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

function httpsGetOk(server: string, path: string, auth: { caPem: string; token: string } | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      `${server}${path}`,
      {
        // Before the serving CA is read, /readyz is checked without verification (it is public anyway).
        ...(auth ? { ca: auth.caPem, headers: { authorization: `Bearer ${auth.token}` } } : { rejectUnauthorized: false }),
        timeout: 2000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200));
      },
    );
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

async function waitFor(check: () => Promise<boolean>, what: string, procs: ProcessSet): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    procs.throwIfAnyExited();
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`timed out after ${READY_TIMEOUT_MS} ms waiting for ${what}`);
}

const liveChildren = new Set<ChildProcess>();
const liveDirs = new Set<string>();

function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  liveDirs.delete(dir);
}
let exitHookInstalled = false;

/** Kills whatever is left when the test process exits for any reason short of SIGKILL. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of liveChildren) child.kill('SIGKILL');
    for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
  });
}

/** Child processes started with a parent-death signal, killed by the exit hook, logs kept in `logTail`. */
export class ProcessSet {
  readonly #children = new Map<string, ChildProcess>();
  readonly #logTail: string[];
  #unexpectedExit: string | undefined;

  constructor(logTail: string[]) {
    this.#logTail = logTail;
    installExitHook();
  }

  start(name: string, binary: string, args: string[]): void {
    // setpriv's parent-death signal covers the case the exit hook cannot: the test process being SIGKILLed.
    const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', binary, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#children.set(name, child);
    liveChildren.add(child);
    const record = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line) this.#logTail.push(`[${name}] ${line}`);
      }
      if (this.#logTail.length > LOG_TAIL_LINES) this.#logTail.splice(0, this.#logTail.length - LOG_TAIL_LINES);
    };
    child.stdout!.on('data', record);
    child.stderr!.on('data', record);
    child.on('exit', (code, signal) => {
      liveChildren.delete(child);
      if (this.#children.get(name) === child) {
        this.#children.delete(name);
        this.#unexpectedExit = `${name} exited (code ${code}, signal ${signal})`;
      }
    });
  }

  throwIfAnyExited(): void {
    if (this.#unexpectedExit) throw new Error(this.#unexpectedExit);
  }

  async stop(name: string): Promise<void> {
    const child = this.#children.get(name);
    if (!child) return;
    this.#children.delete(name);
    await terminate(child);
  }

  async stopAll(): Promise<void> {
    // Dependants first: controller manager, API server, then etcd.
    for (const name of ['kube-controller-manager', 'kube-apiserver', 'etcd']) await this.stop(name);
    for (const name of [...this.#children.keys()]) await this.stop(name);
  }
}

/**
 * SIGTERM, then SIGKILL after a short grace: the API server's graceful shutdown can wait many seconds
 * for long-running requests, and tests only need it gone (etcd keeps the data either way).
 */
async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), TERMINATE_GRACE_MS);
  await exited;
  clearTimeout(timer);
}
