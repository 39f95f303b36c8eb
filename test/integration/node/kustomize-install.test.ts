// The Kustomize install as a user runs it: `kubectl apply -k` of an overlay whose only resource is the
// repo's deploy/ (CRDs, namespace, ServiceAccount, RBAC, Deployment), on a real node, with the image
// built from the repo's Dockerfile. The overlay patches only what a loopback-only node needs (host
// network, loopback ports, the API server's address). The operator Pod then syncs an ExternalSecret
// from a fake SecretStore, and its ServiceAccount is denied what the RBAC does not grant.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { startNode, type RunningNode } from '../../support/node.ts';
import { freePorts } from '../../support/controlplane.ts';
import { Cluster } from '../../support/cluster.ts';
import { eventually } from '../../support/eventually.ts';
import { KubeConfig } from '@kubernetes/client-node';

const repo = new URL('../../../', import.meta.url).pathname;

function buildImage(): { archive: string; name: string } {
  const out = execFileSync('bash', [join(repo, 'hack/image/build.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 30 * 60_000 });
  const archive = out.trim().split('\n').pop()!;
  const hash = /projector-([0-9a-f]+)\.tar$/.exec(archive)?.[1];
  assert.ok(hash, `hack/image/build.sh printed no archive path: ${out.slice(-300)}`);
  return { archive, name: `localhost/projector:${hash}` };
}

describe('kubectl apply -k of deploy/ on a real node', { timeout: 40 * 60_000 }, () => {
  let node: RunningNode;
  let k: Cluster;
  let overlay: string;

  before(async () => {
    if (spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status !== 0) {
      throw new Error('kubectl is not installed: the Kustomize install test runs `kubectl apply -k` as users do (install kubectl >= 1.27)');
    }
    const image = buildImage();
    node = await startNode();
    await node.importImage(image.archive, image.name, ['docker.io/library/projector:dev']);
    k = new Cluster(node.cp.admin);
    overlay = mkdtempSync(join(tmpdir(), 'projector-kustomize-'));
  });

  after(async () => {
    if (overlay) rmSync(overlay, { recursive: true, force: true });
    await node?.stop();
  });

  it('installs, rolls out, syncs with its ServiceAccount, and that ServiceAccount is denied what RBAC does not grant', async () => {
    const [metricsPort, healthPort] = await freePorts(2);
    const env = node.apiServerEnv.map((e) => `      - { op: add, path: /spec/template/spec/containers/0/env/-, value: { name: ${e.name}, value: "${e.value}" } }`).join('\n');
    writeFileSync(
      join(overlay, 'kustomization.yaml'),
      `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ${relative(overlay, join(repo, 'deploy'))}
patches:
  - target: { kind: Deployment, name: projector }
    patch: |
      - { op: add, path: /spec/template/spec/hostNetwork, value: true }
      - { op: add, path: /spec/template/spec/dnsPolicy, value: ClusterFirstWithHostNet }
      - { op: replace, path: /spec/template/spec/containers/0/args, value: ["operator", "--metrics-addr=127.0.0.1:${metricsPort}", "--health-addr=127.0.0.1:${healthPort}", "--leader-elect"] }
      - { op: replace, path: /spec/template/spec/containers/0/ports, value: [{ name: metrics, containerPort: ${metricsPort} }, { name: health, containerPort: ${healthPort} }] }
${env}
`,
    );
    const kubectl = (...args: string[]) => execFileSync('kubectl', ['--kubeconfig', node.cp.kubeconfigPath, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
    const t0 = Date.now();
    // CRDs and the objects that use them in one apply: retry until the CRDs are established, as users do.
    await eventually(() => kubectl('apply', '-k', overlay), () => true, { timeoutMs: 60_000, intervalMs: 1000, message: 'kubectl apply -k succeeds' });
    try {
      kubectl('-n', 'external-secrets', 'rollout', 'status', 'deployment/projector', '--timeout=180s');
    } catch (e) {
      const pods = (() => {
        try {
          return kubectl('-n', 'external-secrets', 'describe', 'pods');
        } catch (err) {
          return `(describe failed: ${(err as Error).message})`;
        }
      })();
      const logs = (() => {
        try {
          return kubectl('-n', 'external-secrets', 'logs', 'deployment/projector', '--tail=40');
        } catch (err) {
          return `(no log: ${(err as Error).message})`;
        }
      })();
      throw new Error(`rollout failed: ${(e as { stderr?: string }).stderr ?? e}\n--- pods ---\n${pods.slice(-4000)}\n--- operator log ---\n${logs}\n--- node logs ---\n${node.logs().slice(-3000)}`);
    }
    console.log(`kubectl apply -k to rolled out: ${Date.now() - t0} ms`);

    await k.namespace('kustomize-demo');
    await k.apply([
      {
        apiVersion: 'external-secrets.io/v1',
        kind: 'SecretStore',
        metadata: { name: 'fake', namespace: 'kustomize-demo' },
        spec: { provider: { fake: { data: [{ key: 'db-password', value: 'from-fake-store' }] } } },
      },
      {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: { name: 'db', namespace: 'kustomize-demo' },
        spec: { refreshInterval: '1h', secretStoreRef: { name: 'fake', kind: 'SecretStore' }, target: { name: 'db-credentials' }, data: [{ secretKey: 'password', remoteRef: { key: 'db-password' } }] },
      },
    ] as never);
    await eventually(() => k.secretValue('kustomize-demo', 'db-credentials', 'password'), 'from-fake-store', {
      timeoutMs: 60_000,
      intervalMs: 250,
      message: 'the in-cluster operator writes db-credentials',
    });
    // The status is patched after the Secret is written: wait for it too.
    await eventually(() => k.ready('kustomize-demo', 'externalsecrets', 'db'), (r) => r.status === 'True', { timeoutMs: 30_000, message: 'the ExternalSecret is Ready' });
    // The Kustomize install's other objects: the PodDisruptionBudget and the metrics Service.
    assert.equal((await k.request('GET', '/apis/policy/v1/namespaces/external-secrets/poddisruptionbudgets/projector')).status, 200);
    assert.equal((await k.request('GET', '/api/v1/namespaces/external-secrets/services/external-secrets-metrics')).status, 200);

    // The operator's own identity: a token for its ServiceAccount (as the Pod's projected volume holds).
    const token = JSON.parse(kubectl('-n', 'external-secrets', 'create', 'token', 'projector', '-o', 'json')).status.token as string;
    const sa = new KubeConfig();
    sa.loadFromOptions({
      clusters: [{ name: 'c', server: node.cp.server, caData: Buffer.from(node.cp.caPem).toString('base64') }],
      users: [{ name: 'projector', token }],
      contexts: [{ name: 'c', cluster: 'c', user: 'projector' }],
      currentContext: 'c',
    });
    const asOperator = new Cluster(sa);
    // Granted: reading ExternalSecrets and Secrets cluster-wide.
    assert.equal((await asOperator.request('GET', '/apis/external-secrets.io/v1/externalsecrets')).status, 200);
    assert.equal((await asOperator.request('GET', '/api/v1/namespaces/kustomize-demo/secrets/db-credentials')).status, 200);
    // Not granted: Pods, Deployments, RBAC, and deleting ExternalSecrets.
    for (const [method, path] of [
      ['GET', '/api/v1/pods'],
      ['GET', '/apis/apps/v1/deployments'],
      ['GET', '/apis/rbac.authorization.k8s.io/v1/clusterroles'],
      // ExternalSecrets may be deleted (ClusterExternalSecret cleanup); ClusterSecretStores may not.
      ['DELETE', '/apis/external-secrets.io/v1/clustersecretstores/none'],
    ] as const) {
      assert.equal((await asOperator.request(method, path)).status, 403, `${method} ${path} is denied to system:serviceaccount:external-secrets:projector`);
    }
  });
});
