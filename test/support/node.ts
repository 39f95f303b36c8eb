/**
 * A one-node Kubernetes cluster with a real kubelet for integration tests: the control plane of
 * controlplane.ts (with ServiceAccount admission and the controllers Pods need), kube-scheduler,
 * containerd + runc from Debian, and a kubelet, all on loopback. Pods should use `hostNetwork: true`
 * (no kube-proxy, no DNS): the API server is https://127.0.0.1:PORT (`apiServerEnv` gives in-cluster
 * clients the variables that point at it). Images come from docker-archive files imported with `ctr`
 * (hack/image/build.sh, hack/node/build.sh); nothing is ever pulled.
 *
 * Needs root and the Debian packages in NODE_PACKAGES; when anything is missing, startNode throws an
 * error that says what to install (tests fail, they are never skipped).
 *
 * The kubelet's cgroups (/kubepods in every hierarchy) and /var/lib/kubelet/device-plugins are global,
 * so one node runs per machine at a time: startNode waits for a lock file. Teardown (stop(), or the exit
 * hook when a test dies) ends the processes by pid, kills the pods' containers and shims, unmounts
 * everything under the node's directory, deletes its CNI bridge and removes the kubepods cgroups; a
 * later startNode sweeps what a SIGKILLed run left behind.
 *
 * Recipe and every workaround: see the comments below (measured on Debian 12, cgroup v1 hybrid, no
 * systemd, root without CAP_SYS_RESOURCE).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, rmdirSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import { CoreV1Api } from '@kubernetes/client-node';
import { ProcessSet, freePorts, startControlPlane, type ControlPlane } from './controlplane.ts';

/** What to install on Debian 12 for the node (and `buildah` for images). */
export const NODE_PACKAGES = ['containerd', 'runc', 'containernetworking-plugins', 'buildah'];
const INSTALL_HINT = `apt-get install -y --no-install-recommends ${NODE_PACKAGES.join(' ')}`;
/** A node name that parses as an IP becomes the node's InternalIP without the loopback check. */
export const NODE_NAME = '127.0.0.1';
const CNI_BIN_DIR = '/usr/lib/cni';
const READY_TIMEOUT_MS = 120_000;
const LOCK_WAIT_MS = 20 * 60_000;

export interface NodeOptions {
  /**
   * kubelet syncFrequency: how soon a changed Secret reaches a mounted volume (measured: 10s gives
   * 3-15 s, 2s gives 2-3 s; the kubelet default is 1m). Default '10s'.
   */
  syncFrequency?: string;
  /** Extra users for the control plane (no RBAC grants). */
  users?: { name: string; groups?: string[] }[];
}

export interface RunningNode {
  cp: ControlPlane;
  nodeName: string;
  /** KUBERNETES_SERVICE_HOST/PORT for hostNetwork Pods: in-cluster config then reaches the API server on loopback. */
  apiServerEnv: { name: string; value: string }[];
  /**
   * Imports a docker-archive (unless an image of that name is already there), adds the `alsoTag` names
   * to it and removes other tags of its repository (older builds).
   */
  importImage(archive: string, name: string, alsoTag?: string[]): Promise<void>;
  /** A container's log, read through the API server and the kubelet as `kubectl logs` does. */
  podLog(namespace: string, pod: string, container?: string): Promise<string>;
  /** Tail of containerd's, the kubelet's and the scheduler's logs plus the control plane's. */
  logs(): string;
  stop(): Promise<void>;
}

/** Problems that stop the node from starting on this machine, each with what to do; empty = ready. */
export function nodePrerequisites(): string[] {
  const problems: string[] = [];
  if (process.getuid?.() !== 0) problems.push('the node tests run containerd and the kubelet, which need root');
  const missing = ['containerd', 'runc', 'ctr', 'buildah'].filter((c) => !onPath(c));
  for (const p of ['bridge', 'host-local', 'loopback']) if (!existsSync(join(CNI_BIN_DIR, p))) missing.push(`${CNI_BIN_DIR}/${p}`);
  if (missing.length) problems.push(`missing ${missing.join(', ')}: ${INSTALL_HINT}`);
  const bin = nodeBinDir();
  for (const f of ['kubelet', 'kube-scheduler', 'pause.tar']) {
    if (!existsSync(join(bin, f))) problems.push(`missing ${join(bin, f)}: run bash hack/node/build.sh (pause.tar also needs buildah and gcc)`);
  }
  return problems;
}

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

const repoRoot = new URL('../../', import.meta.url).pathname;

function nodeBinDir(): string {
  return execFileSync('bash', [join(repoRoot, 'hack/node/build.sh'), '--print-dir'], { encoding: 'utf8' }).trim();
}
function pauseImageName(): string {
  return execFileSync('bash', [join(repoRoot, 'hack/node/build.sh'), '--pause-image'], { encoding: 'utf8' }).trim();
}
function cacheRoot(): string {
  return process.env.PROJECTOR_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(process.env.HOME ?? '/root', '.cache'), 'projector');
}

/** What teardown needs to know, also written to disk so a later run can sweep a killed one. */
interface NodeState {
  ownerPid: number;
  dir: string;
  socket: string;
  bridge: string;
  createdVarLibKubelet: boolean;
}

export async function startNode(opts: NodeOptions = {}): Promise<RunningNode> {
  const problems = nodePrerequisites();
  if (problems.length) throw new Error(`node: this machine cannot run the node tests:\n- ${problems.join('\n- ')}`);
  await acquireLock();
  sweepStaleRuns();

  const dir = join(tmpdir(), `projector-node-${process.pid}-${randomBytes(3).toString('hex')}`);
  const state: NodeState = {
    ownerPid: process.pid,
    dir,
    socket: join(dir, 'containerd', 'containerd.sock'),
    bridge: `prj${randomBytes(4).toString('hex')}`,
    createdVarLibKubelet: !existsSync('/var/lib/kubelet'),
  };
  for (const d of ['containerd', 'cni/net.d', 'kubelet']) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'node-state.json'), JSON.stringify(state));
  const logTail: string[] = [];
  // Created before this module's exit hook, so on exit the processes die (ProcessSet's hook) before the
  // host is cleaned (a live kubelet would recreate cgroups).
  const procs = new ProcessSet(logTail);
  liveStates.add(state);
  installExitHook();
  let cp: ControlPlane | undefined;
  try {
    const bin = nodeBinDir();
    cp = await startControlPlane({ forNode: true, ...(opts.users ? { users: opts.users } : {}) });
    procs.start('kube-scheduler', join(bin, 'kube-scheduler'), [`--kubeconfig=${cp.kubeconfigPath}`, '--leader-elect=false', '--secure-port=0', '-v=1']);

    // containerd's content store and snapshots live in the cache, so imported images survive between
    // runs (a warm start imports nothing); its state (sockets, pod mounts, netns) is per run.
    const containerdRoot = join(cacheRoot(), 'node-containerd');
    mkdirSync(containerdRoot, { recursive: true });
    writeFileSync(join(dir, 'containerd', 'config.toml'), containerdConfig(dir, containerdRoot, state.socket, pauseImageName()));
    writeFileSync(join(dir, 'cni', 'net.d', '10-projector.conflist'), cniConfig(dir, state.bridge));
    procs.start('containerd', 'containerd', ['--config', join(dir, 'containerd', 'config.toml')]);
    await waitFor(async () => ctrOk(state, ['version']), 'containerd', procs);
    await importArchive(state, join(bin, 'pause.tar'), pauseImageName(), []);

    const [kubeletPort, healthzPort] = await freePorts(2);
    writeFileSync(join(dir, 'kubelet', 'config.yaml'), kubeletConfig(dir, state.socket, kubeletPort!, healthzPort!, opts.syncFrequency ?? '10s'));
    procs.start('kubelet', join(bin, 'kubelet'), [
      `--config=${join(dir, 'kubelet', 'config.yaml')}`,
      `--kubeconfig=${cp.kubeconfigPath}`,
      `--root-dir=${join(dir, 'kubelet')}`,
      // The default is /var/lib/kubelet/pki, outside the node's directory.
      `--cert-dir=${join(dir, 'kubelet', 'pki')}`,
      // kubelet refuses a loopback --node-ip ("nodeIP can't be loopback address"); a node name that is
      // an IP becomes the InternalIP unchecked, so logs/exec reach the kubelet on 127.0.0.1, not eth0.
      `--hostname-override=${NODE_NAME}`,
      '-v=1',
    ]);

    const core = cp.admin.makeApiClient(CoreV1Api);
    await waitFor(async () => {
      const node = await core.readNode({ name: NODE_NAME });
      return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true && !(node.spec?.taints ?? []).some((t) => t.effect === 'NoSchedule');
    }, 'node Ready and schedulable', procs);
    // Pods need their namespace's 'default' ServiceAccount (admission) and the kube-root-ca.crt ConfigMap (token volume).
    await waitFor(async () => (await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' })) !== undefined, 'default ServiceAccount', procs);

    const server = new URL(cp.server);
    const running = cp;
    let stopped = false;
    return {
      cp,
      nodeName: NODE_NAME,
      apiServerEnv: [
        { name: 'KUBERNETES_SERVICE_HOST', value: server.hostname },
        { name: 'KUBERNETES_SERVICE_PORT', value: server.port },
      ],
      importImage: (archive, name, alsoTag = []) => importArchive(state, archive, name, alsoTag),
      podLog: async (namespace, pod, container) => (await core.readNamespacedPodLog({ namespace, name: pod, ...(container ? { container } : {}) })) ?? '',
      logs: () => `${logTail.join('\n')}\n${running.logs()}`,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await teardown(state, procs, running);
      },
    };
  } catch (e) {
    const tail = logTail.slice(-80).join('\n');
    await teardown(state, procs, cp);
    throw new Error(`node: start failed: ${e instanceof Error ? e.message : String(e)}\n--- node log tail ---\n${tail}`);
  }
}

// --- configuration ---

function containerdConfig(dir: string, root: string, socket: string, pauseImage: string): string {
  return `version = 2
root = ${JSON.stringify(root)}
state = ${JSON.stringify(join(dir, 'containerd', 'state'))}
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]

[grpc]
  address = ${JSON.stringify(socket)}

[plugins."io.containerd.internal.v1.opt"]
  path = ${JSON.stringify(join(dir, 'containerd', 'opt'))}

[plugins."io.containerd.grpc.v1.cri"]
  # Imported from hack/node/build.sh's pause.tar; never pulled.
  sandbox_image = ${JSON.stringify(pauseImage)}
  # logs/exec/port-forward back end on loopback only.
  stream_server_address = "127.0.0.1"
  # Pod network namespaces under the state dir (not /var/run/netns), so teardown unmounts them with the rest.
  netns_mounts_under_state_dir = true
  # Root here lacks CAP_SYS_RESOURCE: runc cannot lower oom_score_adj (the sandbox gets -998) and fails
  # with "can't get final child's PID from pipe: EOF". Clamp scores to containerd's own (0).
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = ${JSON.stringify(CNI_BIN_DIR)}
    conf_dir = ${JSON.stringify(join(dir, 'cni', 'net.d'))}
`;
}

/**
 * containerd reports NetworkReady only with a CNI config. A bridge without an address, no gateway and
 * no masquerading: non-hostNetwork Pods get an address in their own netns and no route anywhere.
 */
function cniConfig(dir: string, bridge: string): string {
  return JSON.stringify({
    cniVersion: '0.4.0',
    name: 'projector',
    plugins: [
      {
        type: 'bridge',
        bridge,
        isGateway: false,
        ipMasq: false,
        ipam: { type: 'host-local', ranges: [[{ subnet: '10.88.0.0/24' }]], dataDir: join(dir, 'cni', 'ipam') },
      },
    ],
  });
}

function kubeletConfig(dir: string, socket: string, port: number, healthzPort: number, syncFrequency: string): string {
  return JSON.stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    // Debian 12 sandboxes mount cgroup v1 (hybrid); kubelet >= 1.35 refuses v1 unless told.
    failCgroupV1: false,
    // No systemd; containerd 1.6 lacks the RuntimeConfig RPC that would report the driver.
    cgroupDriver: 'cgroupfs',
    failSwapOn: false,
    containerRuntimeEndpoint: `unix://${socket}`,
    address: '127.0.0.1',
    port,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort,
    // The test API server has no kubelet client certificate: anonymous + AlwaysAllow, on 127.0.0.1 only.
    authentication: { anonymous: { enabled: true }, webhook: { enabled: false } },
    authorization: { mode: 'AlwaysAllow' },
    syncFrequency,
    evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '1%', 'imagefs.available': '1%', 'nodefs.inodesFree': '1%' },
    // Images are imported, never pulled: never garbage-collect them.
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    serializeImagePulls: false,
    // Default /usr/libexec/kubernetes/kubelet-plugins/volume/exec: keep it under the node's directory.
    volumePluginDir: join(dir, 'kubelet', 'volume-plugins'),
  });
}

// --- containerd ---

function ctr(state: NodeState, args: string[], timeoutMs = 120_000): string {
  return execFileSync('ctr', ['--address', state.socket, '--namespace', 'k8s.io', ...args], { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
}

function ctrOk(state: NodeState, args: string[]): boolean {
  try {
    ctr(state, args, 5_000);
    return true;
  } catch {
    return false;
  }
}

async function importArchive(state: NodeState, archive: string, name: string, alsoTag: string[]): Promise<void> {
  const present = () => new Set(ctr(state, ['images', 'ls', '-q']).split('\n').filter(Boolean));
  if (!present().has(name)) {
    if (!existsSync(archive)) throw new Error(`node: image archive ${archive} does not exist`);
    ctr(state, ['images', 'import', archive], 600_000);
    if (!present().has(name)) throw new Error(`node: importing ${archive} did not create image ${name}`);
  }
  for (const tag of alsoTag) ctr(state, ['images', 'tag', '--force', name, tag]);
  // containerd's root is kept between runs: older tags of the same repository (older builds) go, and
  // containerd's garbage collector frees their content.
  const repository = name.slice(0, name.lastIndexOf(':'));
  const stale = [...present()].filter((i) => i.startsWith(`${repository}:`) && i !== name && !alsoTag.includes(i));
  if (stale.length) ctr(state, ['images', 'rm', ...stale]);
}

// --- teardown ---

async function teardown(state: NodeState, procs: ProcessSet, cp: ControlPlane | undefined): Promise<void> {
  // The kubelet first: it would restart what is killed below.
  await procs.stop('kubelet');
  killContainers(state);
  await procs.stop('containerd');
  killLeftovers(state);
  await procs.stop('kube-scheduler');
  await cp?.stop();
  cleanHost(state);
  liveStates.delete(state);
  releaseLock();
}

/** Pod containers outlive the kubelet; kill every task, then delete tasks and containers. */
function killContainers(state: NodeState): void {
  if (!existsSync(state.socket)) return;
  const ids = (args: string[]) => {
    try {
      return ctr(state, args, 10_000).split('\n').filter(Boolean);
    } catch {
      return [];
    }
  };
  const attempt = (args: string[]) => {
    try {
      ctr(state, args, 10_000);
    } catch {
      // Already gone.
    }
  };
  for (const id of ids(['tasks', 'ls', '-q'])) attempt(['tasks', 'kill', '--signal', 'SIGKILL', id]);
  for (const id of ids(['tasks', 'ls', '-q'])) attempt(['tasks', 'delete', '--force', id]);
  for (const id of ids(['containers', 'ls', '-q'])) attempt(['containers', 'delete', id]);
}

function kubepodsDirs(): string[] {
  let hierarchies: string[];
  try {
    hierarchies = readdirSync('/sys/fs/cgroup');
  } catch {
    return [];
  }
  const tops = hierarchies.map((h) => join('/sys/fs/cgroup', h, 'kubepods')).filter((d) => existsSync(d));
  if (existsSync('/sys/fs/cgroup/kubepods')) tops.push('/sys/fs/cgroup/kubepods');
  return tops;
}

function subdirsDeepestFirst(dir: string): string[] {
  const out: string[] = [];
  try {
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) out.push(...subdirsDeepestFirst(join(dir, e.name)));
  } catch {
    return out;
  }
  out.push(dir);
  return out;
}

/** Processes still in the kubelet's pod cgroups and this containerd's shims are ours: SIGKILL by pid. */
function killLeftovers(state: NodeState): void {
  const pids = new Set<number>();
  for (const top of kubepodsDirs()) {
    for (const d of subdirsDeepestFirst(top)) {
      try {
        for (const p of readFileSync(join(d, 'cgroup.procs'), 'utf8').split('\n')) if (p) pids.add(Number(p));
      } catch {
        // Removed meanwhile.
      }
    }
  }
  // Shims outlive containerd (they re-parent to init) and name its socket on their command line.
  for (const entry of safeReaddir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (cmdline[0]?.includes('containerd-shim') && cmdline.includes(state.socket)) pids.add(Number(entry));
    } catch {
      // Exited meanwhile.
    }
  }
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Mounts under the node's directory (Secret tmpfs, overlay rootfs, shm, netns), the bridge, the cgroups. */
function cleanHost(state: NodeState): void {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .map((m) => m.replace(/\\040/g, ' '))
    .filter((m) => m.startsWith(`${state.dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) spawnSync('umount', ['-l', m], { stdio: 'ignore' });
  if (spawnSync('ip', ['link', 'show', state.bridge], { stdio: 'ignore' }).status === 0) spawnSync('ip', ['link', 'delete', state.bridge], { stdio: 'ignore' });
  // Killed processes leave their cgroups a moment later; retry briefly.
  for (let attempt = 0; attempt < 20; attempt++) {
    let left = 0;
    for (const top of kubepodsDirs()) {
      for (const d of subdirsDeepestFirst(top)) {
        try {
          rmdirSync(d);
        } catch {
          left++;
        }
      }
    }
    if (left === 0) break;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  }
  // The kubelet always creates /var/lib/kubelet/device-plugins (a constant path).
  if (state.createdVarLibKubelet) rmSync('/var/lib/kubelet', { recursive: true, force: true });
  rmSync(state.dir, { recursive: true, force: true });
}

/** Everything a run killed with SIGKILL left: its processes were killed by their parent-death signal. */
function sweepStaleRuns(): void {
  for (const name of safeReaddir(tmpdir())) {
    if (!name.startsWith('projector-node-')) continue;
    let state: NodeState;
    try {
      state = JSON.parse(readFileSync(join(tmpdir(), name, 'node-state.json'), 'utf8')) as NodeState;
    } catch {
      continue;
    }
    if (pidAlive(state.ownerPid)) continue;
    killLeftovers(state);
    cleanHost(state);
  }
}

const liveStates = new Set<NodeState>();
let exitHookInstalled = false;

/** When the test process exits without stop(): the ProcessSet hook kills the processes; this cleans the host. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const state of liveStates) {
      killLeftovers(state);
      cleanHost(state);
    }
    releaseLock();
  });
}

// --- one node per machine ---

const LOCK = join(tmpdir(), 'projector-node.lock');
let lockHeld = false;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function acquireLock(): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const fd = openSync(LOCK, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      lockHeld = true;
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = Number(readFileSync(LOCK, 'utf8') || '0');
    if (owner === process.pid) throw new Error('node: this process already runs a node (one per machine)');
    if (!owner || !pidAlive(owner)) {
      rmSync(LOCK, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`node: another test process (pid ${owner}) holds ${LOCK} (one node per machine)`);
    await sleep(1000);
  }
}

function releaseLock(): void {
  if (!lockHeld) return;
  lockHeld = false;
  rmSync(LOCK, { force: true });
}

async function waitFor(check: () => Promise<boolean>, what: string, procs: ProcessSet): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    procs.throwIfAnyExited();
    try {
      if (await check()) return;
    } catch {
      // Not yet (the object does not exist yet).
    }
    await sleep(200);
  }
  throw new Error(`timed out after ${READY_TIMEOUT_MS} ms waiting for ${what}`);
}
