// deploy/charts/projector rendered by the real Helm CLI (hack/helm/build.sh): the chart says what the
// Kustomize install says (RBAC rules, CRDs, the Deployment's security and sizing), ESO's chart values
// land where ESO users expect them, and the operator accepts every argument the chart renders.
// The install itself runs on a real node in test/integration/node/howto-app.test.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { parse } from 'yaml';
import { helmTemplate } from '../../support/helm.ts';
import { readYamlDocs } from '../../support/cluster.ts';
import { registerOperatorCommand } from '../../../src/cli/commands/operator.ts';
import { operatorConfig, type OperatorConfig, type OperatorFlags } from '../../../src/config.ts';

const repo = new URL('../../../', import.meta.url).pathname;
const deploy = (f: string) => readYamlDocs(join(repo, 'deploy', f)) as any[];

type Rule = { apiGroups?: string[]; resources?: string[]; verbs?: string[]; resourceNames?: string[] };
/** Rules as a sorted list of canonical strings: order of rules and of list members does not matter. */
const canon = (rules: Rule[]) =>
  rules
    .map((r) => JSON.stringify({ g: [...(r.apiGroups ?? [])].sort(), r: [...(r.resources ?? [])].sort(), v: [...(r.verbs ?? [])].sort(), n: [...(r.resourceNames ?? [])].sort() }))
    .sort();
const rulesOf = (docs: any[], kind: string) => docs.filter((d) => d.kind === kind).flatMap((d) => d.rules as Rule[]);
const one = (docs: any[], kind: string) => {
  const found = docs.filter((d) => d.kind === kind);
  assert.equal(found.length, 1, `exactly one ${kind}`);
  return found[0];
};
const container = (docs: any[]) => one(docs, 'Deployment').spec.template.spec.containers[0];

/** The rendered args through the operator's own CLI parser and config: what the Pod would run with. */
async function configFor(args: string[], env: NodeJS.ProcessEnv = { POD_NAMESPACE: 'external-secrets' }): Promise<OperatorConfig> {
  assert.equal(args[0], 'operator');
  const program = new Command('projector').exitOverride();
  registerOperatorCommand(program);
  let flags: OperatorFlags | undefined;
  program.commands.find((c) => c.name() === 'operator')!.exitOverride().action((f: OperatorFlags) => void (flags = f));
  await program.parseAsync(['node', 'projector', ...args]);
  assert.ok(flags, 'the operator command parsed the args');
  return operatorConfig(flags, env);
}

describe('Helm chart deploy/charts/projector (helm template)', () => {
  it('renders with defaults: the Kustomize install’s RBAC rules, CRDs, security context, sizing and probes', async () => {
    const docs = helmTemplate();
    // RBAC: the ClusterRole and the leader-election Role say exactly what deploy/operator/rbac.yaml says.
    const kustomize = deploy('operator/rbac.yaml');
    assert.deepEqual(canon(rulesOf(docs, 'ClusterRole')), canon(rulesOf(kustomize, 'ClusterRole')));
    assert.deepEqual(canon(rulesOf(docs, 'Role')), canon(rulesOf(kustomize, 'Role')));
    const sa = one(docs, 'ServiceAccount');
    for (const b of docs.filter((d) => d.kind.endsWith('Binding'))) assert.deepEqual(b.subjects, [{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: 'external-secrets' }]);

    // CRDs: deploy/crds, plus only Helm's keep policy.
    const crds = docs.filter((d) => d.kind === 'CustomResourceDefinition');
    // Every CRD the Kustomize install applies (deploy/crds/kustomization.yaml lists them all: test/unit/api/deploy-crds.test.ts).
    const expected = (deploy('crds/kustomization.yaml')[0].resources as string[]).map((f) => deploy(`crds/${f}`)[0]);
    assert.ok(expected.length >= 12, 'the core kinds, PushSecrets and the generators');
    assert.equal(crds.length, expected.length);
    for (const want of expected) {
      const got = crds.find((c) => c.metadata.name === want.metadata.name);
      assert.ok(got, `CRD ${want.metadata.name} rendered`);
      assert.equal(got.metadata.annotations['helm.sh/resource-policy'], 'keep');
      const { annotations: _a, ...gotMeta } = got.metadata;
      assert.deepEqual({ ...got, metadata: gotMeta }, want, `CRD ${want.metadata.name} is deploy/crds' one`);
    }

    // The Deployment: the same pod and container security, resources, NODE_OPTIONS and probe paths as deploy/operator.
    const kDeployment = deploy('operator/deployment.yaml')[0];
    const kPod = kDeployment.spec.template.spec;
    const pod = one(docs, 'Deployment').spec.template.spec;
    assert.deepEqual(pod.securityContext, kPod.securityContext);
    const c = container(docs);
    const kc = kPod.containers[0];
    assert.deepEqual(c.securityContext, kc.securityContext);
    assert.deepEqual(c.resources, kc.resources);
    assert.deepEqual(c.env, kc.env);
    assert.equal(c.image, 'projector:dev');
    assert.equal(c.livenessProbe.httpGet.path, kc.livenessProbe.httpGet.path);
    assert.equal(c.readinessProbe.httpGet.path, kc.readinessProbe.httpGet.path);
    assert.equal(pod.serviceAccountName, sa.metadata.name);

    // The args mean what deploy/operator's args mean.
    const fromChart = await configFor(c.args);
    const fromKustomize = await configFor(kc.args);
    assert.deepEqual(fromChart, fromKustomize);
    assert.equal(fromChart.leaderElection.enabled, true);
    assert.equal(fromChart.workloadReload, false);

    // Nothing optional by default: no PDB, metrics Service, ServiceMonitor or workload-reload RBAC.
    assert.deepEqual([...new Set(docs.map((d) => d.kind))].sort(), ['ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'Deployment', 'Role', 'RoleBinding', 'ServiceAccount']);
  });

  it('scopedRBAC: Roles only, with the rules of deploy/namespaced, and the operator watches the release namespace', async () => {
    const docs = helmTemplate({ scopedRBAC: true }, { namespace: 'team-a' });
    assert.equal(docs.filter((d) => d.kind === 'ClusterRole' || d.kind === 'ClusterRoleBinding').length, 0);
    // deploy/namespaced has one Role (controller + Lease); the chart keeps the Lease rules in their own Role.
    assert.deepEqual(canon(rulesOf(docs, 'Role')), canon(rulesOf(deploy('namespaced/rbac.yaml'), 'Role')));
    for (const r of docs.filter((d) => d.kind === 'Role' || d.kind === 'RoleBinding')) assert.equal(r.metadata.namespace, 'team-a');
    const config = await configFor(container(docs).args, { POD_NAMESPACE: 'team-a' });
    assert.equal(config.namespace, 'team-a');
    assert.equal(config.leaderElection.namespace, 'team-a');
  });

  it('scopedNamespace: watches that namespace; its Role is there, the Lease Role in the release namespace', async () => {
    const docs = helmTemplate({ scopedRBAC: true, scopedNamespace: 'apps' }, { namespace: 'ops' });
    const roles = docs.filter((d) => d.kind === 'Role');
    assert.deepEqual(roles.map((r) => `${r.metadata.namespace}/${r.metadata.name}`).sort(), ['apps/external-secrets-projector-controller', 'ops/external-secrets-projector-leader-election']);
    assert.equal((await configFor(container(docs).args, { POD_NAMESPACE: 'ops' })).namespace, 'apps');
  });

  it('takes the values ESO chart users set, where they expect them', async () => {
    const values = {
      replicaCount: 2,
      image: { repository: 'registry.example/projector', tag: '0.1.0', pullPolicy: 'Always' },
      leaderElectionID: 'my-lease',
      controllerClass: 'team-a',
      log: { level: 'debug' },
      concurrent: 3,
      storeRequeueInterval: '1m',
      extendedMetricLabels: true,
      podLabels: { 'azure.workload.identity/use': 'true' },
      podAnnotations: { 'example.com/a': 'b' },
      serviceAccount: { annotations: { 'azure.workload.identity/client-id': '00000000-0000-0000-0000-000000000001' } },
      extraEnv: [{ name: 'NODE_EXTRA_CA_CERTS', value: '/etc/ca/ca.crt' }],
      extraVolumes: [{ name: 'ca', configMap: { name: 'corporate-ca' } }],
      extraVolumeMounts: [{ name: 'ca', mountPath: '/etc/ca', readOnly: true }],
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'infra', effect: 'NoSchedule' }],
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'pool', operator: 'In', values: ['infra'] }] }] } } },
      priorityClassName: 'system-cluster-critical',
      resources: { requests: { cpu: '100m', memory: '512Mi' }, limits: { memory: '1Gi' } },
      podSecurityContext: { enabled: true, runAsNonRoot: true, runAsUser: 10001, fsGroup: 10001 },
      // ESO's flag names through extraArgs (docs/cli/operator.md): an alias and a bare bool.
      extraArgs: { 'client-qps': 20, 'enable-http2': '' },
    };
    const docs = helmTemplate(values);
    const d = one(docs, 'Deployment');
    const pod = d.spec.template.spec;
    const c = container(docs);
    assert.equal(d.spec.replicas, 2);
    assert.equal(c.image, 'registry.example/projector:0.1.0');
    assert.equal(c.imagePullPolicy, 'Always');
    assert.equal(d.spec.template.metadata.labels['azure.workload.identity/use'], 'true');
    assert.equal(d.spec.template.metadata.annotations['example.com/a'], 'b');
    assert.deepEqual(one(docs, 'ServiceAccount').metadata.annotations, values.serviceAccount.annotations);
    assert.deepEqual(c.env.slice(-1), values.extraEnv);
    assert.deepEqual(pod.volumes, values.extraVolumes);
    assert.deepEqual(c.volumeMounts, values.extraVolumeMounts);
    assert.deepEqual(pod.nodeSelector, values.nodeSelector);
    assert.deepEqual(pod.tolerations, values.tolerations);
    assert.deepEqual(pod.affinity, values.affinity);
    assert.equal(pod.priorityClassName, 'system-cluster-critical');
    assert.deepEqual(c.resources, values.resources);
    assert.deepEqual(pod.securityContext, { runAsNonRoot: true, runAsUser: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    // The leader-election Role names the chosen Lease.
    const leaseRule = rulesOf(docs, 'Role').find((r) => r.resourceNames);
    assert.deepEqual(leaseRule?.resourceNames, ['my-lease']);

    const config = await configFor(c.args);
    assert.equal(config.leaderElection.name, 'my-lease');
    assert.equal(config.controllerClass, 'team-a');
    assert.equal(config.logLevel, 'debug');
    assert.equal(config.concurrency, 3);
    assert.equal(config.storeRequeueMs, 60_000);
    assert.equal(config.extendedMetricLabels, true);
    assert.equal(config.clientQps, 20);
    assert.deepEqual(config.warnings, ['ESO flag --enable-http2=true is accepted and ignored: the metrics server speaks HTTP/1.1']);
  });

  it('installCRDs: false renders no CRD; crds.keep: false drops the keep policy', () => {
    assert.equal(helmTemplate({ installCRDs: false }).filter((d) => d.kind === 'CustomResourceDefinition').length, 0);
    for (const crd of helmTemplate({ crds: { keep: false } }).filter((d) => d.kind === 'CustomResourceDefinition')) assert.equal(crd.metadata.annotations, undefined);
  });

  it('workloadReload: the rule of deploy/components/workload-reload (cluster or namespaced) and --enable-workload-reload', async () => {
    const cluster = helmTemplate({ workloadReload: { enabled: true } });
    const reloadRole = cluster.find((d) => d.kind === 'ClusterRole' && d.metadata.name.endsWith('-workload-reload'));
    assert.deepEqual(canon(reloadRole.rules), canon(rulesOf(deploy('components/workload-reload/rbac.yaml'), 'ClusterRole')));
    assert.equal((await configFor(container(cluster).args)).workloadReload, true);
    const scoped = helmTemplate({ workloadReload: { enabled: true }, scopedRBAC: true });
    const scopedRole = scoped.find((d) => d.kind === 'Role' && d.metadata.name.endsWith('-workload-reload'));
    assert.deepEqual(canon(scopedRole.rules), canon(rulesOf(deploy('components/workload-reload-namespaced/rbac.yaml'), 'Role')));
    // The Kustomize component adds the same flag.
    const component = parse(readFileSync(join(repo, 'deploy/components/workload-reload/kustomization.yaml'), 'utf8'));
    assert.match(component.patches[0].patch, /value: --enable-workload-reload/);
  });

  it("genericTargets: ESO's chart rules (ConfigMaps create/update/delete/patch, then genericTargets.resources) and --unsafe-allow-generic-targets", async () => {
    // ESO deploy/charts/external-secrets/templates/rbac.yaml and deployment.yaml, values genericTargets.
    assert.equal((await configFor(container(helmTemplate()).args)).allowGenericTargets, false);
    const base = canon(rulesOf(helmTemplate(), 'ClusterRole'));
    const docs = helmTemplate({ genericTargets: { enabled: true, resources: [{ apiGroup: 'argoproj.io', resources: ['applications', 'appprojects'], verbs: ['get', 'list', 'watch', 'create', 'update', 'delete'] }] } });
    const added = canon(rulesOf(docs, 'ClusterRole')).filter((r) => !base.includes(r));
    assert.deepEqual(added, canon([
      { apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'update', 'delete', 'patch'] },
      { apiGroups: ['argoproj.io'], resources: ['applications', 'appprojects'], verbs: ['get', 'list', 'watch', 'create', 'update', 'delete'] },
    ]));
    assert.equal((await configFor(container(docs).args)).allowGenericTargets, true);
  });

  it('webhook.create: the webhooks of deploy/components/admission-webhook, its Service, the cert volume and flags; cert-manager or a provided Secret', async () => {
    assert.equal(helmTemplate().filter((d) => d.kind === 'ValidatingWebhookConfiguration').length, 0);
    const docs = helmTemplate({ webhook: { create: true, certManager: { enabled: true } } });
    const vwc = one(docs, 'ValidatingWebhookConfiguration');
    const kVwc = deploy('components/admission-webhook/validatingwebhookconfiguration.yaml')[0];
    // Same webhooks as the Kustomize component but for the Service's name and namespace.
    const strip = (ws: any[]) => ws.map((w) => ({ ...w, clientConfig: { path: w.clientConfig.service.path } }));
    assert.deepEqual(strip(vwc.webhooks), strip(kVwc.webhooks));
    const svc = docs.find((d) => d.kind === 'Service' && d.metadata.name === 'external-secrets-projector-webhook');
    assert.ok(svc, 'webhook Service');
    for (const w of vwc.webhooks) assert.deepEqual(w.clientConfig.service, { namespace: 'external-secrets', name: svc.metadata.name, path: w.clientConfig.service.path });
    assert.equal(vwc.metadata.annotations['cert-manager.io/inject-ca-from'], `external-secrets/${svc.metadata.name}`);
    const cert = one(docs, 'Certificate');
    assert.deepEqual(cert.spec.dnsNames, [`${svc.metadata.name}.external-secrets.svc`, `${svc.metadata.name}.external-secrets.svc.cluster.local`]);
    assert.equal(cert.spec.issuerRef.name, one(docs, 'Issuer').metadata.name);
    const c = container(docs);
    const pod = one(docs, 'Deployment').spec.template.spec;
    assert.deepEqual(pod.volumes, [{ name: 'webhook-tls', secret: { secretName: cert.spec.secretName } }]);
    assert.deepEqual(c.volumeMounts, [{ name: 'webhook-tls', mountPath: '/tmp/k8s-webhook-server/serving-certs', readOnly: true }]);
    assert.ok(c.ports.some((p: any) => p.name === 'webhook' && p.containerPort === 10250));
    const config = await configFor(c.args);
    assert.deepEqual(config.webhook, { addr: ':10250', certDir: '/tmp/k8s-webhook-server/serving-certs', minVersion: 'TLSv1.2' });

    const provided = helmTemplate({ webhook: { create: true, secretName: 'my-tls', caBundle: 'Q0E=', failurePolicy: 'Ignore' } });
    assert.equal(provided.filter((d) => d.kind === 'Certificate' || d.kind === 'Issuer').length, 0);
    const pvwc = one(provided, 'ValidatingWebhookConfiguration');
    assert.equal(pvwc.metadata.annotations, undefined);
    for (const w of pvwc.webhooks) {
      assert.equal(w.clientConfig.caBundle, 'Q0E=');
      assert.equal(w.failurePolicy, 'Ignore');
    }
    assert.equal(one(provided, 'Deployment').spec.template.spec.volumes[0].secret.secretName, 'my-tls');
  });

  it('metrics Service, ServiceMonitor (per renderMode) and PodDisruptionBudget', () => {
    const withService = helmTemplate({ metrics: { service: { enabled: true } } });
    const svc = one(withService, 'Service');
    assert.equal(svc.metadata.name, 'external-secrets-projector-metrics');
    // Like deploy/operator/metrics-service.yaml: the named metrics port; selects the operator Pods.
    const kSvc = deploy('operator/metrics-service.yaml')[0];
    assert.deepEqual(svc.spec.ports, kSvc.spec.ports);
    assert.deepEqual(svc.spec.selector, one(withService, 'Deployment').spec.selector.matchLabels);

    // skipIfMissing (default): nothing without the ServiceMonitor API, Service + ServiceMonitor with it.
    assert.equal(helmTemplate({ serviceMonitor: { enabled: true } }).filter((d) => d.kind === 'ServiceMonitor' || d.kind === 'Service').length, 0);
    const monitored = helmTemplate({ serviceMonitor: { enabled: true, additionalLabels: { release: 'prom' } } }, { apiVersions: ['monitoring.coreos.com/v1/ServiceMonitor'] });
    const sm = one(monitored, 'ServiceMonitor');
    const monitoredSvc = one(monitored, 'Service');
    assert.equal(sm.metadata.labels.release, 'prom');
    for (const [k, v] of Object.entries(sm.spec.selector.matchLabels)) assert.equal(monitoredSvc.metadata.labels[k], v, `the ServiceMonitor selects the Service (${k})`);
    assert.deepEqual(sm.spec.endpoints[0], { port: 'metrics', path: '/metrics', interval: '30s', scrapeTimeout: '25s', honorLabels: false });
    assert.throws(() => helmTemplate({ serviceMonitor: { enabled: true, renderMode: 'failIfMissing' } }), /does not serve monitoring.coreos.com\/v1 ServiceMonitor/);
    assert.throws(() => helmTemplate({ serviceMonitor: { enabled: true, renderMode: 'sometimes' } }), /renderMode must be/);
    assert.equal(helmTemplate({ serviceMonitor: { enabled: true, renderMode: 'alwaysRender' } }).filter((d) => d.kind === 'ServiceMonitor').length, 1);

    const pdb = one(helmTemplate({ podDisruptionBudget: { enabled: true } }), 'PodDisruptionBudget');
    assert.equal(pdb.spec.minAvailable, 1);
    const pdbMax = one(helmTemplate({ podDisruptionBudget: { enabled: true, maxUnavailable: 1 } }), 'PodDisruptionBudget');
    assert.deepEqual(pdbMax.spec, { maxUnavailable: 1, selector: one(withService, 'Deployment').spec.selector });
  });

  it('Chart.yaml appVersion is package.json version', () => {
    const chart = parse(readFileSync(join(repo, 'deploy/charts/projector/Chart.yaml'), 'utf8'));
    assert.equal(chart.appVersion, JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version);
  });
});
