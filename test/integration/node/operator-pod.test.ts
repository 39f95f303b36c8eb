// The operator as users run it: the image built from the repo's Dockerfile (hack/image/build.sh), the
// repo's deploy/ manifests (CRDs, namespace, ServiceAccount, RBAC, Deployment) applied unchanged except
// for what a loopback-only node needs, running as a Pod on a real kubelet with its ServiceAccount token.
// The HOWTO's ClusterSecretStore and ExternalSecret against the local vault (the three local fields:
// vault URL, authority host, CA) project the secret, and an application Pod reads the projected Secret
// through env.valueFrom.secretKeyRef and prints its SHA-256 (never the value).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, hostname } from 'node:os';
import { join } from 'node:path';
import { startNode, type RunningNode } from '../../support/node.ts';
import { freePorts } from '../../support/controlplane.ts';
import { Cluster, assertNowhere, readYamlDocs } from '../../support/cluster.ts';
import { eventually } from '../../support/eventually.ts';
import { HOWTO, SEED_EXTERNAL_SECRET, SEED_STORE } from '../howto/howto-env.ts';
import { startVault, type StartedVault } from '../../../src/vault/index.ts';

const repo = new URL('../../../', import.meta.url).pathname;
const DEPLOY = ['operator/namespace.yaml', 'operator/rbac.yaml', 'operator/deployment.yaml'].map((f) => join(repo, 'deploy', f));
const SP_CLIENT = 'projector-in-cluster';

/** The image archive for the current sources (cached by content hash; built on first use). */
function buildImage(): { archive: string; name: string } {
  const out = execFileSync('bash', [join(repo, 'hack/image/build.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 30 * 60_000 });
  const archive = out.trim().split('\n').pop()!;
  const hash = /projector-([0-9a-f]+)\.tar$/.exec(archive)?.[1];
  assert.ok(hash, `hack/image/build.sh printed no archive path: ${out.slice(-300)}`);
  return { archive, name: `localhost/projector:${hash}` };
}

describe('the operator image as a Pod on a real node (deploy/ manifests, its ServiceAccount, the local vault)', { timeout: 40 * 60_000 }, () => {
  let node: RunningNode;
  let k: Cluster;
  let vault: StartedVault;
  let vaultDir: string;
  let clientSecret: string;
  const canaries: string[] = [];

  before(async () => {
    const image = buildImage();
    let t = Date.now();
    node = await startNode();
    console.log(`node up in ${Date.now() - t} ms`);
    t = Date.now();
    // deploy/operator/deployment.yaml says image: projector:dev, which containerd reads as docker.io/library/projector:dev.
    await node.importImage(image.archive, image.name, ['docker.io/library/projector:dev']);
    console.log(`image ready in ${Date.now() - t} ms`);
    k = new Cluster(node.cp.admin);
    clientSecret = `canary-client-secret-${process.pid}-${Date.now().toString(36)}`;
    canaries.push(clientSecret);
    vaultDir = mkdtempSync(join(tmpdir(), 'projector-node-vault-'));
    vault = await startVault({ dataDir: vaultDir, principals: [{ clientId: SP_CLIENT, clientSecret }] });
  });

  after(async () => {
    await vault?.close().catch(() => {});
    if (vaultDir) rmSync(vaultDir, { recursive: true, force: true });
    await node?.stop();
  });

  it('runs from deploy/, takes its Lease with its ServiceAccount token, syncs the HOWTO ExternalSecret, and a Pod reads the Secret through secretKeyRef', async () => {
    await k.installCrds();
    const [metricsPort, healthPort] = await freePorts(2);
    const docs = DEPLOY.flatMap((f) => readYamlDocs(f)) as any[];
    const deployment = docs.find((d) => d.kind === 'Deployment');
    // Only what a loopback-only node needs: the host network (no CNI routing, no kube-proxy), ports on
    // 127.0.0.1, and KUBERNETES_SERVICE_HOST/PORT naming the API server there (the `kubernetes` Service
    // IP the kubelet injects is unreachable without kube-proxy). Token, CA and namespace still come
    // from the ServiceAccount volume.
    const pod = deployment.spec.template.spec;
    pod.hostNetwork = true;
    pod.dnsPolicy = 'ClusterFirstWithHostNet';
    const c = pod.containers[0];
    c.args = [
      ...c.args.map((a: string) =>
        a.startsWith('--metrics-addr=') ? `--metrics-addr=127.0.0.1:${metricsPort}` : a.startsWith('--health-addr=') ? `--health-addr=127.0.0.1:${healthPort}` : a,
      ),
      // Shown only when the test fails.
      '--log-level=debug',
    ];
    c.ports = [
      { name: 'metrics', containerPort: metricsPort },
      { name: 'health', containerPort: healthPort },
    ];
    c.env = [...(c.env ?? []), ...node.apiServerEnv];
    assert.equal(c.image, 'projector:dev', 'deploy/operator/deployment.yaml names the image this test imported');
    await k.apply(docs);

    const apps = `/apis/apps/v1/namespaces/external-secrets/deployments/${deployment.metadata.name}`;
    const t0 = Date.now();
    await eventually(
      async () => JSON.parse((await k.request('GET', apps)).body).status ?? {},
      (s: any) => s.readyReplicas === 1 && s.updatedReplicas === 1,
      { timeoutMs: 180_000, intervalMs: 500, message: 'the operator Deployment has one ready replica (probes pass)' },
    ).catch(async (e) => {
      throw new Error(`${(e as Error).message}\n${await operatorPodSummary()}\n--- node logs ---\n${node.logs().slice(-6000)}`);
    });
    console.log(`operator Deployment ready in ${Date.now() - t0} ms`);
    const opPod = await operatorPod();
    assert.equal(opPod.spec.serviceAccountName, 'projector');
    assert.ok(
      opPod.spec.volumes.some((v: any) => v.projected?.sources?.some((s: any) => s.serviceAccountToken)),
      'the Pod mounts its ServiceAccount token (ServiceAccount admission)',
    );

    // Leader election through the Deployment's --leader-elect: the Pod's only credential is its token.
    const lease = await eventually(
      async () => JSON.parse((await k.request('GET', '/apis/coordination.k8s.io/v1/namespaces/external-secrets/leases/projector-controller')).body),
      (l: any) => typeof l.spec?.holderIdentity === 'string' && l.spec.holderIdentity.startsWith(`${hostname()}_`),
      { timeoutMs: 60_000, message: 'the operator holds Lease external-secrets/projector-controller' },
    );
    assert.ok(lease.spec.renewTime);

    // The HOWTO's manifests with the three local-vault fields.
    const value = `canary-db-password-${process.pid}-${Date.now().toString(36)}`;
    canaries.push(value);
    await vault.admin.setSecret(HOWTO.vaultSecret, value);
    await k.namespace(HOWTO.credentialsNamespace);
    await k.apply([
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: HOWTO.credentialsSecret, namespace: HOWTO.credentialsNamespace },
        stringData: { 'tenant-id': vault.tenantId, 'client-id': SP_CLIENT, 'client-secret': clientSecret },
      } as never,
    ]);
    const [store] = readYamlDocs(SEED_STORE) as any[];
    store.spec.provider.azurekv.vaultUrl = `${vault.url}/`;
    store.spec.provider.azurekv.customCloudConfig = { activeDirectoryEndpoint: vault.authorityHost };
    store.spec.provider.azurekv.caBundle = Buffer.from(vault.caPem).toString('base64');
    const [es] = readYamlDocs(SEED_EXTERNAL_SECRET) as any[];
    await k.namespace(HOWTO.namespace);
    const t1 = Date.now();
    await k.apply([store, es]);

    await eventually(() => k.ready(HOWTO.namespace, 'externalsecrets', HOWTO.externalSecret), (r) => r.status === 'True', {
      timeoutMs: 60_000,
      intervalMs: 200,
      message: 'the HOWTO ExternalSecret is Ready (synced by the in-cluster operator)',
    }).catch(async (e) => {
      const got = await k.externalSecret(HOWTO.namespace, HOWTO.externalSecret).catch((err) => err.message);
      throw new Error(
        `${(e as Error).message}\nExternalSecret: ${JSON.stringify(got)}\n--- operator log ---\n${await node.podLog('external-secrets', (await operatorPod()).metadata.name).catch(() => '')}`,
      );
    });
    console.log(`ExternalSecret synced ${Date.now() - t1} ms after apply`);
    assert.equal(await k.secretValue(HOWTO.namespace, HOWTO.target, HOWTO.targetKey), value);

    // The application side: a Pod reads DB_PASSWORD through secretKeyRef and prints only its hash.
    // It runs the operator image's node (no shell in the image), not the operator.
    await k.apply([
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'db-password-reader', namespace: HOWTO.namespace },
        spec: {
          hostNetwork: true,
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, runAsUser: 65532 },
          containers: [
            {
              name: 'reader',
              image: 'projector:dev',
              command: ['/usr/local/bin/node', '-e', "console.log('sha256=' + require('node:crypto').createHash('sha256').update(process.env.DB_PASSWORD ?? '').digest('hex'))"],
              env: [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: HOWTO.target, key: HOWTO.targetKey } } }],
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            },
          ],
        },
      } as never,
    ]);
    const phase = await eventually(
      async () => (await k.core.readNamespacedPod({ namespace: HOWTO.namespace, name: 'db-password-reader' })).status?.phase,
      (p) => p === 'Succeeded' || p === 'Failed',
      { timeoutMs: 120_000, intervalMs: 250, message: 'the reader Pod completes' },
    );
    const log = await node.podLog(HOWTO.namespace, 'db-password-reader');
    assert.equal(phase, 'Succeeded', `reader Pod ${phase}: ${log}`);
    assert.equal(log.trim(), `sha256=${createHash('sha256').update(value).digest('hex')}`);

    assertNowhere(canaries, {
      'operator Pod log': await node.podLog('external-secrets', (await operatorPod()).metadata.name),
      'reader Pod log': log,
      'statuses and events': await k.observableText([HOWTO.namespace, HOWTO.credentialsNamespace]),
    });
  });

  // Issue 9: the operator in its Pod, under the Deployment's memory limit, through repeated vault
  // outages with a caBundle store (the case that leaked native memory per failed connection). The
  // kubelet enforces the limit: an OOM kill would show as a restart with reason OOMKilled.
  it('keeps every Secret and stays under its memory limit through repeated vault outages (in its Pod, caBundle store)', async () => {
    const N = 100;
    const OUTAGES = 3;
    const OUTAGE_MS = 20_000;
    const opPod = await operatorPod();
    const limit = opPod.spec.containers[0].resources?.limits?.memory as string;
    assert.match(limit, /^\d+Mi$/, 'deploy/operator/deployment.yaml sets a memory limit in Mi');
    const limitBytes = Number(limit.slice(0, -2)) * 1024 * 1024;
    // The V8 flags the benchmarks measured with (bench/compare.ts reads them from the Dockerfile's
    // ENTRYPOINT, as NODE_OPTIONS may not carry them) reach the operator's process in its Pod.
    const argv = podProcessArgv(opPod.metadata.uid).find((a) => a.includes('/app/bin/projector.mjs'));
    assert.ok(argv, 'the operator process runs /app/bin/projector.mjs');
    assert.ok(argv.includes('--max-opt=2') && argv.includes('--no-concurrent-recompilation'), `the image's ENTRYPOINT node flags: ${argv.join(' ')}`);
    const values = new Map<string, string>();
    for (let i = 0; i < N; i++) {
      const v = `canary-outage-${i}-${process.pid}-${Date.now().toString(36)}`;
      canaries.push(v);
      values.set(`outage-${i}`, v);
      await vault.admin.setSecret(`outage-${i}`, v);
    }
    await k.apply(
      [...values.keys()].map((name) => ({
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: { name, namespace: HOWTO.namespace },
        spec: {
          refreshInterval: '5s',
          secretStoreRef: { kind: 'ClusterSecretStore', name: HOWTO.store },
          target: { name },
          data: [{ secretKey: 'value', remoteRef: { key: name } }],
        },
      })) as never,
    );
    const allHold = async () => {
      for (const [name, v] of values) if ((await k.secretValue(HOWTO.namespace, name, 'value')) !== v) return false;
      return true;
    };
    await eventually(allHold, true, { timeoutMs: 180_000, intervalMs: 1_000, message: `all ${N} Secrets synced by the in-cluster operator` });
    const rvs = async () => Promise.all([...values.keys()].map(async (n) => (await k.secret(HOWTO.namespace, n))?.metadata?.resourceVersion));
    const memory = () => podMemory(opPod.metadata.uid);
    const before = memory();
    const port = Number(new URL(vault.url).port);
    for (let o = 0; o < OUTAGES; o++) {
      const rvBefore = await rvs();
      await vault.close();
      await eventually(() => k.ready(HOWTO.namespace, 'externalsecrets', 'outage-0'), (r) => r.status === 'False', { timeoutMs: 60_000, message: 'the outage is seen (Ready=False)' });
      await new Promise((r) => setTimeout(r, OUTAGE_MS));
      // Nothing is lost or rewritten while the vault is away.
      assert.deepEqual(await rvs(), rvBefore, `outage ${o + 1}: no Secret was written or deleted while the vault was down`);
      vault = await startVault({ dataDir: vaultDir, principals: [{ clientId: SP_CLIENT, clientSecret }], port });
      await eventually(allHold, true, { timeoutMs: 120_000, intervalMs: 1_000, message: `outage ${o + 1}: every Secret holds its value after the vault is back` });
      await eventually(() => k.ready(HOWTO.namespace, 'externalsecrets', 'outage-0'), (r) => r.status === 'True', { timeoutMs: 60_000, message: 'Ready again' });
    }
    const after = memory();
    const status = (await operatorPod()).status.containerStatuses[0];
    console.log(
      `in-Pod outages: ${OUTAGES} x ${OUTAGE_MS / 1000} s at ${N} ExternalSecrets; memory cgroup usage ${mib(before.usage)} -> ${mib(after.usage)} MiB, peak ${mib(after.peak)} MiB, limit ${mib(limitBytes)} MiB; restarts ${status.restartCount}`,
    );
    assert.equal(status.restartCount, 0, `the operator container restarted (last state ${JSON.stringify(status.lastState)})`);
    assert.ok(after.peak < limitBytes, `peak memory ${mib(after.peak)} MiB stays under the limit ${mib(limitBytes)} MiB`);
    assertNowhere(canaries, {
      'operator Pod log': await node.podLog('external-secrets', (await operatorPod()).metadata.name),
      'statuses and events': await k.observableText([HOWTO.namespace, HOWTO.credentialsNamespace]),
    });
  });

  /** The Pod's memory cgroup directory (cgroup v1, cgroupfs driver: kubepods/<qos>/pod<uid>). */
  function podCgroupDir(uid: string): string {
    for (const qos of ['burstable', 'besteffort', '']) {
      const dir = join('/sys/fs/cgroup/memory/kubepods', qos, `pod${uid}`);
      if (existsSync(dir)) return dir;
    }
    throw new Error(`no memory cgroup for pod ${uid} under /sys/fs/cgroup/memory/kubepods`);
  }

  /** The Pod's memory usage and peak, in bytes. */
  function podMemory(uid: string): { usage: number; peak: number } {
    const dir = podCgroupDir(uid);
    const read = (f: string) => Number(readFileSync(join(dir, f), 'utf8').trim());
    return { usage: read('memory.usage_in_bytes'), peak: read('memory.max_usage_in_bytes') };
  }

  /** The command lines of the processes in the Pod's memory cgroup (its containers' sub-cgroups). */
  function podProcessArgv(uid: string): string[][] {
    const dir = podCgroupDir(uid);
    const pids = readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('cgroup.procs'))
      .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean));
    return pids.map((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean));
  }

  const mib = (b: number) => Math.round(b / 1024 / 1024);

  async function operatorPod(): Promise<any> {
    const pods = await k.core.listNamespacedPod({ namespace: 'external-secrets', labelSelector: 'app.kubernetes.io/name=projector' });
    const p = pods.items.find((i) => !i.metadata?.deletionTimestamp);
    assert.ok(p, 'an operator Pod exists');
    return p;
  }

  async function operatorPodSummary(): Promise<string> {
    try {
      const p = await operatorPod();
      const log = await node.podLog('external-secrets', p.metadata.name).catch((e) => `(no log: ${e.message})`);
      return `operator Pod status: ${JSON.stringify(p.status)}\n--- operator log ---\n${log}`;
    } catch (e) {
      return `no operator Pod: ${(e as Error).message}`;
    }
  }
});
