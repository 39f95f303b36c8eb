// The HOWTO end to end as a platform engineer runs it, on a real node: `helm install` of
// deploy/charts/projector (image from the repo's Dockerfile, its own ServiceAccount, Lease, workload
// reload on), the local vault as Azure Key Vault, the HOWTO's ClusterSecretStore and ExternalSecret
// verbatim plus the three local-vault fields, and an application image built here from a tiny Node
// program (test/fixtures/howto-app/app.mjs) that reads DB_PASSWORD from secretKeyRef and from a
// mounted volume and logs in to a database stand-in on loopback that accepts only the current
// password. Rotating the password in the vault (and the stand-in) reaches the mounted file, the app
// keeps working, and the Reloader annotation rolls the Deployment so the env var is current too.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { startNode, type RunningNode } from '../../support/node.ts';
import { freePorts } from '../../support/controlplane.ts';
import { Cluster, assertNowhere, readYamlDocs } from '../../support/cluster.ts';
import { eventually } from '../../support/eventually.ts';
import { CHART, helm, helmBin } from '../../support/helm.ts';
import { buildNodeAppImage, operatorImage } from '../../support/app-image.ts';
import { HOWTO, SEED_EXTERNAL_SECRET, SEED_STORE } from '../howto/howto-env.ts';
import { startVault, type StartedVault } from '../../../src/vault/index.ts';
import { ANNOTATION_SECRET_HASH } from '../../../src/core/workload-reload.ts';

const APP_PROGRAM = new URL('../../fixtures/howto-app/app.mjs', import.meta.url).pathname;
const SP_CLIENT = 'projector-helm';
const OP_NS = 'external-secrets';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('helm install on a real node, and the HOWTO with a real application', { timeout: 45 * 60_000 }, () => {
  let node: RunningNode;
  let k: Cluster;
  let vault: StartedVault;
  let vaultDir: string;
  let clientSecret: string;
  let opImage: ReturnType<typeof operatorImage>;
  let appImage: { archive: string; name: string };
  /** The database stand-in: accepts a login only with `current`. */
  let db: Server;
  let dbPort: number;
  let current = '';
  const canaries: string[] = [];
  const canary = (label: string) => {
    const v = `canary-${label}-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
    canaries.push(v);
    return v;
  };
  const kubeconfig = () => node.cp.kubeconfigPath;

  before(async () => {
    helmBin(); // fails first, with how to build it, when the Helm CLI is missing
    opImage = operatorImage();
    appImage = buildNodeAppImage('howto-app', APP_PROGRAM, opImage);
    const t = Date.now();
    node = await startNode({ syncFrequency: '2s' });
    console.log(`node up in ${Date.now() - t} ms`);
    await node.importImage(opImage.archive, opImage.name);
    await node.importImage(appImage.archive, appImage.name);
    k = new Cluster(node.cp.admin);
    clientSecret = canary('client-secret');
    vaultDir = mkdtempSync(join(tmpdir(), 'projector-helm-vault-'));
    vault = await startVault({ dataDir: vaultDir, principals: [{ clientId: SP_CLIENT, clientSecret }] });
    db = createServer((socket) => {
      let line = '';
      socket.on('data', (d) => {
        line += d;
        if (!line.includes('\n')) return;
        socket.end(line.slice(0, line.indexOf('\n')) === current ? 'OK\n' : 'DENIED\n');
      });
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => db.listen(0, '127.0.0.1', resolve));
    dbPort = (db.address() as { port: number }).port;
  });

  after(async () => {
    db?.close();
    await vault?.close().catch(() => {});
    if (vaultDir) rmSync(vaultDir, { recursive: true, force: true });
    await node?.stop();
  });

  it('helm install: the operator Pod starts from the built image, takes its Lease with its ServiceAccount token, and syncs the HOWTO ExternalSecret', async () => {
    const [metricsPort, healthPort] = await freePorts(2);
    // Only what a loopback-only node needs: host network, loopback ports, the API server's address.
    const values = {
      image: { repository: 'localhost/projector', tag: opImage.tag, pullPolicy: 'Never' },
      hostNetwork: true,
      dnsPolicy: 'ClusterFirstWithHostNet',
      metrics: { listen: { port: metricsPort }, service: { enabled: true } },
      livenessProbe: { spec: { address: '127.0.0.1', port: healthPort } },
      extraEnv: node.apiServerEnv,
      log: { level: 'debug' },
      workloadReload: { enabled: true },
      podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
    };
    const value = canary('db-password-v1');
    current = value;
    await vault.admin.setSecret(HOWTO.vaultSecret, value);

    const t0 = Date.now();
    helm(kubeconfig(), ['install', 'projector', CHART, '--namespace', OP_NS, '--create-namespace'], values);
    const installed = Date.now() - t0;
    // The HOWTO's objects, applied as soon as the chart's CRDs exist.
    await k.apply([
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: HOWTO.credentialsSecret, namespace: HOWTO.credentialsNamespace }, stringData: { 'tenant-id': vault.tenantId, 'client-id': SP_CLIENT, 'client-secret': clientSecret } } as never,
    ]);
    const [store] = readYamlDocs(SEED_STORE) as any[];
    store.spec.provider.azurekv.vaultUrl = `${vault.url}/`;
    store.spec.provider.azurekv.customCloudConfig = { activeDirectoryEndpoint: vault.authorityHost };
    store.spec.provider.azurekv.caBundle = Buffer.from(vault.caPem).toString('base64');
    const [es] = readYamlDocs(SEED_EXTERNAL_SECRET) as any[];
    await k.namespace(HOWTO.namespace);
    // Helm creates the CRDs with the rest of the release; the API serves them a moment later.
    await eventually(() => k.apply([store, es]).then(() => true), true, { timeoutMs: 60_000, intervalMs: 250, message: 'the HOWTO store and ExternalSecret apply (CRDs established)' });
    await eventually(() => k.secretValue(HOWTO.namespace, HOWTO.target, HOWTO.targetKey), value, { timeoutMs: 240_000, intervalMs: 250, message: 'the in-cluster operator writes the HOWTO Secret' }).catch(async (e) => {
      throw new Error(`${(e as Error).message}\n${await operatorPodSummary()}\n--- node logs ---\n${node.logs().slice(-5000)}`);
    });
    const synced = Date.now() - t0;
    console.log(`helm install returned after ${installed} ms; first synced Secret ${synced} ms after helm install started`);
    assert.equal((await k.ready(HOWTO.namespace, 'externalsecrets', HOWTO.externalSecret)).status, 'True');

    // The Pod runs the built image under the chart's ServiceAccount with its projected token.
    const pod = await operatorPod();
    assert.equal(pod.spec.containers[0].image, opImage.name);
    assert.equal(pod.spec.serviceAccountName, 'projector');
    assert.ok(pod.spec.volumes.some((v: any) => v.projected?.sources?.some((s: any) => s.serviceAccountToken)), 'the Pod mounts its ServiceAccount token');
    // Its Lease (hostNetwork: the Pod's hostname is this machine's).
    await eventually(
      async () => JSON.parse((await k.request('GET', `/apis/coordination.k8s.io/v1/namespaces/${OP_NS}/leases/projector-controller`)).body),
      (l: any) => typeof l.spec?.holderIdentity === 'string' && l.spec.holderIdentity.startsWith(`${hostname()}_`),
      { timeoutMs: 60_000, message: 'the operator Pod holds Lease external-secrets/projector-controller' },
    );
    // The chart's other objects exist as rendered.
    assert.equal((await k.request('GET', `/api/v1/namespaces/${OP_NS}/services/projector-metrics`)).status, 200);
    assert.equal((await k.request('GET', `/apis/policy/v1/namespaces/${OP_NS}/poddisruptionbudgets/projector`)).status, 200);

    // The ServiceAccount's RBAC: what it needs is granted, the rest denied.
    const token = JSON.parse((await k.request('POST', `/api/v1/namespaces/${OP_NS}/serviceaccounts/projector/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} })).body).status.token as string;
    const sa = new KubeConfig();
    sa.loadFromOptions({
      clusters: [{ name: 'c', server: node.cp.server, caData: Buffer.from(node.cp.caPem).toString('base64') }],
      users: [{ name: 'projector', token }],
      contexts: [{ name: 'c', cluster: 'c', user: 'projector' }],
      currentContext: 'c',
    });
    const asOperator = new Cluster(sa);
    for (const path of ['/apis/external-secrets.io/v1/externalsecrets', `/api/v1/namespaces/${HOWTO.namespace}/secrets/${HOWTO.target}`, '/apis/apps/v1/deployments']) {
      assert.equal((await asOperator.request('GET', path)).status, 200, `GET ${path} is granted`);
    }
    for (const [method, path] of [
      ['GET', '/api/v1/pods'],
      ['GET', '/apis/apps/v1/namespaces/external-secrets/deployments/projector'],
      ['DELETE', '/apis/apps/v1/namespaces/external-secrets/deployments/projector'],
      ['GET', '/apis/rbac.authorization.k8s.io/v1/clusterroles'],
      // ExternalSecrets may be deleted (ClusterExternalSecret cleanup); ClusterSecretStores may not.
      ['DELETE', `/apis/external-secrets.io/v1/clustersecretstores/${HOWTO.store}`],
    ] as const) {
      assert.equal((await asOperator.request(method, path)).status, 403, `${method} ${path} is denied to system:serviceaccount:external-secrets:projector`);
    }
  });

  it('an application reads DB_PASSWORD from secretKeyRef and a volume, logs in, survives a rotation in the vault, and is rolled to the new env value', async () => {
    const [appPort] = await freePorts(1);
    const labels = { app: 'netbox-app' };
    await k.apply([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'netbox-app', namespace: HOWTO.namespace, annotations: { 'reloader.stakater.com/auto': 'true' } },
        spec: {
          replicas: 1,
          // Host network and a fixed loopback port: the old Pod must go before the new one binds it.
          strategy: { type: 'Recreate' },
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              hostNetwork: true,
              automountServiceAccountToken: false,
              securityContext: { runAsNonRoot: true, runAsUser: 65532 },
              containers: [
                {
                  name: 'app',
                  image: appImage.name,
                  imagePullPolicy: 'Never',
                  env: [
                    { name: HOWTO.targetKey, valueFrom: { secretKeyRef: { name: HOWTO.target, key: HOWTO.targetKey } } },
                    { name: 'DB_PASSWORD_FILE', value: `/etc/db/${HOWTO.targetKey}` },
                    { name: 'DB_PORT', value: String(dbPort) },
                    { name: 'APP_PORT', value: String(appPort) },
                  ],
                  volumeMounts: [{ name: 'db', mountPath: '/etc/db', readOnly: true }],
                  readinessProbe: { httpGet: { host: '127.0.0.1', port: appPort, path: '/healthz' }, periodSeconds: 1 },
                  securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
                },
              ],
              volumes: [{ name: 'db', secret: { secretName: HOWTO.target } }],
            },
          },
        },
      } as never,
    ]);
    const app = async () => JSON.parse(await (await fetch(`http://127.0.0.1:${appPort}/`)).text()) as { healthy: boolean; logins: number; envSha: string; fileSha: string };
    const v1 = current;
    await eventually(app, (s) => s.healthy && s.envSha === sha(v1) && s.fileSha === sha(v1), { timeoutMs: 180_000, intervalMs: 500, message: 'the application logs in with the projected password (env and file)' }).catch(async (e) => {
      throw new Error(`${(e as Error).message}\n--- node logs ---\n${node.logs().slice(-4000)}`);
    });
    const rolledBefore = await templateHash();
    assert.equal(rolledBefore, undefined, 'a workload that opted in is not rolled before anything changed');

    // Rotate: the vault and the database change together; the HOWTO's ExternalSecret (refreshInterval 1h)
    // is told to refresh now as ESO users do, with the force-sync annotation (no Git change).
    const v2 = canary('db-password-v2');
    await vault.admin.setSecret(HOWTO.vaultSecret, v2);
    current = v2;
    const rotatedAt = Date.now();
    await k.request('PATCH', `/apis/external-secrets.io/v1/namespaces/${HOWTO.namespace}/externalsecrets/${HOWTO.externalSecret}`, { metadata: { annotations: { 'force-sync': String(rotatedAt) } } }, 'application/merge-patch+json');
    await eventually(() => k.secretValue(HOWTO.namespace, HOWTO.target, HOWTO.targetKey), v2, { timeoutMs: 60_000, intervalMs: 250, message: 'the rotated password is projected' });
    console.log(`rotation projected ${Date.now() - rotatedAt} ms after force-sync`);

    // The workload is rolled (pod-template hash), and the new Pod has the new value in its env and file.
    await eventually(templateHash, (h) => typeof h === 'string', { timeoutMs: 60_000, message: `the Deployment's pod template gets ${ANNOTATION_SECRET_HASH}` });
    const after = await eventually(app, (s) => s.healthy && s.envSha === sha(v2) && s.fileSha === sha(v2), {
      timeoutMs: 180_000,
      intervalMs: 500,
      message: 'after the rollout the application logs in with the new password, in env and file',
    });
    assert.ok(after.logins > 0);
    console.log(`application healthy on the new password (rolled) ${Date.now() - rotatedAt} ms after the rotation`);
    const events = await k.events(HOWTO.namespace);
    assert.ok(events.some((e) => e.reason === 'Reloaded' && e.name === 'netbox-app'), 'a Reloaded event on the Deployment');

    assertNowhere(canaries, {
      'operator Pod log': await node.podLog(OP_NS, (await operatorPod()).metadata.name),
      'application Pod logs': (await Promise.all((await k.core.listNamespacedPod({ namespace: HOWTO.namespace })).items.map((p) => node.podLog(HOWTO.namespace, p.metadata!.name!).catch(() => '')))).join('\n'),
      'statuses and events': await k.observableText([HOWTO.namespace, HOWTO.credentialsNamespace]),
    });
  });

  it('a volume consumer that did not opt in keeps working across a rotation: the mounted file changes, the Pod is not restarted', async () => {
    const [appPort] = await freePorts(1);
    const labels = { app: 'volume-only' };
    await k.apply([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'volume-only', namespace: HOWTO.namespace },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              hostNetwork: true,
              automountServiceAccountToken: false,
              securityContext: { runAsNonRoot: true, runAsUser: 65532 },
              containers: [
                {
                  name: 'app',
                  image: appImage.name,
                  imagePullPolicy: 'Never',
                  env: [
                    { name: 'DB_PASSWORD_FILE', value: `/etc/db/${HOWTO.targetKey}` },
                    { name: 'DB_PORT', value: String(dbPort) },
                    { name: 'APP_PORT', value: String(appPort) },
                  ],
                  volumeMounts: [{ name: 'db', mountPath: '/etc/db', readOnly: true }],
                  securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
                },
              ],
              volumes: [{ name: 'db', secret: { secretName: HOWTO.target } }],
            },
          },
        },
      } as never,
    ]);
    const app = async () => JSON.parse(await (await fetch(`http://127.0.0.1:${appPort}/`)).text()) as { healthy: boolean; logins: number; fileSha: string };
    const before = await eventually(app, (s) => s.healthy && s.fileSha === sha(current), { timeoutMs: 120_000, intervalMs: 500, message: 'the volume-only application logs in' });
    const podsBefore = (await k.core.listNamespacedPod({ namespace: HOWTO.namespace, labelSelector: 'app=volume-only' })).items.map((p) => p.metadata!.uid);

    const v3 = canary('db-password-v3');
    await vault.admin.setSecret(HOWTO.vaultSecret, v3);
    current = v3;
    const rotatedAt = Date.now();
    await k.request('PATCH', `/apis/external-secrets.io/v1/namespaces/${HOWTO.namespace}/externalsecrets/${HOWTO.externalSecret}`, { metadata: { annotations: { 'force-sync': String(rotatedAt) } } }, 'application/merge-patch+json');
    const afterRotation = await eventually(app, (s) => s.healthy && s.fileSha === sha(v3) && s.logins > before.logins, { timeoutMs: 120_000, intervalMs: 500, message: 'the mounted file changes and the application logs in with it' });
    console.log(`mounted file rotated and the application logged in again ${Date.now() - rotatedAt} ms after force-sync`);
    assert.ok(afterRotation.logins > before.logins);
    const podsAfter = (await k.core.listNamespacedPod({ namespace: HOWTO.namespace, labelSelector: 'app=volume-only' })).items.map((p) => p.metadata!.uid);
    assert.deepEqual(podsAfter, podsBefore, 'the same Pod kept running (no opt-in, no roll)');
  });

  async function templateHash(): Promise<string | undefined> {
    return JSON.parse((await k.request('GET', `/apis/apps/v1/namespaces/${HOWTO.namespace}/deployments/netbox-app`)).body).spec?.template?.metadata?.annotations?.[ANNOTATION_SECRET_HASH];
  }

  async function operatorPod(): Promise<any> {
    const pods = await k.core.listNamespacedPod({ namespace: OP_NS, labelSelector: 'app.kubernetes.io/name=projector' });
    const p = pods.items.find((i) => !i.metadata?.deletionTimestamp);
    assert.ok(p, 'an operator Pod exists');
    return p;
  }

  async function operatorPodSummary(): Promise<string> {
    try {
      const p = await operatorPod();
      const log = await node.podLog(OP_NS, p.metadata.name).catch((e) => `(no log: ${e.message})`);
      return `operator Pod status: ${JSON.stringify(p.status)}\n--- operator log ---\n${log.slice(-6000)}`;
    } catch (e) {
      return `no operator Pod: ${(e as Error).message}`;
    }
  }
});
