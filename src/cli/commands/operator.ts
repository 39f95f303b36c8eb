// `projector operator`: runs the controller against a cluster until SIGINT/SIGTERM.
import { Option, type Command } from 'commander';
import type { OperatorFlags } from '../../config.ts';
import { ESO_FLAGS } from '../../eso-flags.ts';

/**
 * ESO's flag names (src/eso-flags.ts) that are not already Projector options. Bool flags take
 * pflag's forms (`--flag`, `--flag=true|false`); ignored ones are hidden from --help and listed in
 * docs/cli/operator.md.
 */
function addEsoFlags(cmd: Command): Command {
  const existing = new Set(cmd.options.map((o) => o.long));
  for (const f of ESO_FLAGS) {
    if (existing.has(`--${f.name}`)) continue;
    const spec = f.kind === 'bool' ? `--${f.name} [bool]` : `--${f.name} <${f.kind === 'duration' ? 'duration' : 'value'}>`;
    const help = f.state === 'alias' ? `ESO's name for --${f.projector}` : f.state === 'same' ? `${f.note} (ESO flag)` : `ESO flag, ignored: ${f.note}`;
    const option = new Option(spec, help);
    cmd.addOption(f.state === 'ignored' ? option.hideHelp() : option);
  }
  return cmd;
}

export function registerOperatorCommand(program: Command): void {
  const cmd = program
    .command('operator')
    .description('Run the controller: reconcile ExternalSecrets, SecretStores and ClusterSecretStores into Kubernetes Secrets.')
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, in-cluster, then ~/.kube/config)')
    .option('--namespace <ns>', 'watch only this namespace (env PROJECTOR_NAMESPACE)')
    .option('--concurrency <n>', 'concurrent ExternalSecret reconciles (env PROJECTOR_CONCURRENCY, default 4)')
    .option('--client-qps <n>', 'API server requests per second (env PROJECTOR_CLIENT_QPS, default 50)')
    .option('--client-burst <n>', 'API server request burst (env PROJECTOR_CLIENT_BURST, default 100)')
    .option('--log-level <level>', 'trace|debug|info|warn|error (env LOG_LEVEL, default info)')
    .option('--metrics-addr <addr>', 'Prometheus metrics address, "0" disables (env PROJECTOR_METRICS_ADDR, default :8080)')
    .option('--health-addr <addr>', '/healthz and /readyz address, "0" disables (env PROJECTOR_HEALTH_ADDR, default :8081)')
    .option('--controller-class <name>', 'serve stores whose spec.controller is empty or this class (env PROJECTOR_CONTROLLER_CLASS, default "default")')
    .option('--resync-period <duration>', 'look at every object again this often (env PROJECTOR_RESYNC_PERIOD, default 10m)')
    .option('--read-window <duration>', 'identical vault reads within this window are made once (default 5s)')
    .option('--leader-elect', 'reconcile only while holding a coordination.k8s.io Lease, for several replicas (env PROJECTOR_LEADER_ELECT, default false)')
    .option('--no-leader-elect', 'run the workers without a Lease even if PROJECTOR_LEADER_ELECT is true')
    .option('--leader-election-namespace <ns>', 'namespace of the Lease (env POD_NAMESPACE, default external-secrets)')
    .option('--leader-election-id <name>', 'name of the Lease (default projector-controller)')
    .option('--leader-elect-lease-duration <duration>', 'how long followers wait after the last renewal before taking over (default 15s)')
    .option('--leader-elect-renew-deadline <duration>', 'how long the leader retries a failing renewal before giving up and exiting (default 10s)')
    .option('--leader-elect-retry-period <duration>', 'interval between Lease renewals and acquire attempts (default 2s)')
    .option('--store-requeue-interval <duration>', 'validate stores without spec.refreshInterval again this often (default 5m)')
    .option('--webhook-addr <addr>', 'serve the validating admission webhook over TLS at this address, e.g. :10250 (ESO\'s webhook port); "0" disables (env PROJECTOR_WEBHOOK_ADDR, default 0; docs/admission-webhook.md)')
    .option('--cert-dir <dir>', 'the webhook\'s tls.crt and tls.key, read again when they change (ESO webhook flag; env PROJECTOR_WEBHOOK_CERT_DIR, default /tmp/k8s-webhook-server/serving-certs)')
    .option('--tls-min-version <version>', 'the webhook\'s minimum TLS version: 1.0, 1.1, 1.2 or 1.3 (ESO webhook flag, default 1.2)')
    .option('--enable-workload-reload', 'roll Deployments/StatefulSets/DaemonSets annotated reloader.stakater.com/auto or secret.reloader.stakater.com/reload when a Secret they consume changes; needs RBAC on them (env PROJECTOR_ENABLE_WORKLOAD_RELOAD, default false)');
  addEsoFlags(cmd)
    .addHelpText('after', '\nExamples:\n  projector operator --kubeconfig ~/.kube/config\n  projector operator --namespace netbox --log-level debug --metrics-addr 127.0.0.1:9090\n  projector operator --leader-elect --leader-election-namespace external-secrets\n  projector operator --concurrent=2 --loglevel=debug --enable-leader-election=true   (ESO\'s flag names)\n')
    .action(async (flags: OperatorFlags) => {
      const ac = new AbortController();
      for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => ac.abort());
      const { runOperator } = await import('./operator-run.ts');
      await runOperator(flags, ac.signal);
    });
}
