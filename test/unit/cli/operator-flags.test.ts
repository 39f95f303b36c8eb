// `projector operator` accepts ESO's operator flags (src/eso-flags.ts; ESO v2.9 cmd/controller/root.go).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { registerOperatorCommand } from '../../../src/cli/commands/operator.ts';
import { operatorConfig, type OperatorFlags } from '../../../src/config.ts';
import { ESO_FLAGS } from '../../../src/eso-flags.ts';

/** Parses `operator <args>` with the real command definition, without running it. */
function parse(args: string[]): OperatorFlags {
  const program = new Command().exitOverride();
  registerOperatorCommand(program);
  const cmd = program.commands.find((c) => c.name() === 'operator')!;
  let flags: OperatorFlags | undefined;
  cmd.action((f: OperatorFlags) => void (flags = f));
  program.parse(['node', 'projector', 'operator', ...args]);
  return flags!;
}

describe('operator flags', () => {
  it("parses the args ESO's Helm chart renders (deployment.yaml with typical values and extraArgs)", () => {
    const args = [
      '--enable-leader-election=true',
      '--leader-election-id=external-secrets-controller',
      '--leader-election-lease-duration=30s',
      '--leader-election-renew-deadline=20s',
      '--leader-election-retry-period=4s',
      '--namespace=team-a',
      '--enable-cluster-store-reconciler=false',
      '--enable-cluster-external-secret-reconciler=false',
      '--enable-cluster-push-secret-reconciler=false',
      '--enable-push-secret-reconciler=false',
      '--store-requeue-interval=1m',
      '--controller-class=team-a',
      '--enable-extended-metric-labels=true',
      '--concurrent=3',
      '--client-qps=40',
      '--client-burst=80',
      '--metrics-addr=:8080',
      '--loglevel=debug',
      '--zap-time-encoding=epoch',
      '--live-addr=:8082',
      '--enable-flood-gate',
      '--experimental-enable-vault-token-cache=true',
    ];
    const c = operatorConfig(parse(args), {});
    assert.equal(c.concurrency, 3);
    assert.equal(c.logLevel, 'debug');
    assert.equal(c.namespace, 'team-a');
    assert.equal(c.controllerClass, 'team-a');
    assert.equal(c.clientQps, 40);
    assert.equal(c.clientBurst, 80);
    assert.equal(c.metricsAddr, ':8080');
    assert.equal(c.healthAddr, ':8082');
    assert.equal(c.extendedMetricLabels, true);
    assert.equal(c.storeRequeueMs, 60_000);
    assert.equal(c.clusterExternalSecrets, false);
    assert.equal(c.floodGate, true);
    assert.deepEqual(
      { ...c.leaderElection },
      { enabled: true, namespace: 'external-secrets', name: 'external-secrets-controller', leaseDurationMs: 30_000, renewDeadlineMs: 20_000, retryPeriodMs: 4_000 },
    );
    // Ignored flags whose value describes what Projector does anyway stay quiet; the others warn once each.
    assert.equal(c.clusterStores, false);
    assert.deepEqual(c.warnings, [
      'ESO flag --experimental-enable-vault-token-cache=true is accepted and ignored: HashiCorp Vault provider not in Projector',
    ]);
  });

  it('accepts every flag of the ESO table, in both pflag spellings', () => {
    for (const f of ESO_FLAGS) {
      const value = f.kind === 'bool' ? 'false' : f.kind === 'duration' ? '3s' : f.kind === 'int' ? '7' : f.kind === 'float' ? '7.5' : 'x:1';
      assert.doesNotThrow(() => parse([`--${f.name}=${value}`]), `--${f.name}=${value}`);
      if (f.kind !== 'bool') assert.doesNotThrow(() => parse([`--${f.name}`, value]), `--${f.name} ${value}`);
    }
  });

  it("uses ESO's default controller class and maps zap's panic levels", () => {
    assert.equal(operatorConfig(parse([]), {}).controllerClass, 'default');
    assert.equal(operatorConfig(parse(['--loglevel=dpanic']), {}).logLevel, 'fatal');
    assert.deepEqual(operatorConfig(parse([]), {}).warnings, []);
    // ESO's default: the ClusterExternalSecret controller runs unless the flag says false.
    assert.equal(operatorConfig(parse([]), {}).clusterExternalSecrets, true);
    assert.equal(operatorConfig(parse(['--enable-cluster-external-secret-reconciler']), {}).clusterExternalSecrets, true);
  });

  it("wires --enable-flood-gate into the operator's options: ESO's default true, pflag's bool spellings, no warning", () => {
    // ESO cmd/controller/root.go: BoolVar(&enableFloodGate, "enable-flood-gate", true, …).
    assert.equal(operatorConfig(parse([]), {}).floodGate, true);
    assert.equal(operatorConfig(parse(['--enable-flood-gate']), {}).floodGate, true);
    for (const off of ['false', 'False', 'FALSE', 'f', '0']) assert.equal(operatorConfig(parse([`--enable-flood-gate=${off}`]), {}).floodGate, false, off);
    assert.deepEqual(operatorConfig(parse(['--enable-flood-gate=false']), {}).warnings, []);
    assert.throws(() => operatorConfig(parse(['--enable-flood-gate=maybe']), {}), /--enable-flood-gate must be true or false/);
  });

  it('refuses a bad value with a message naming the ESO flag', () => {
    assert.throws(() => operatorConfig(parse(['--enable-leader-election=maybe']), {}), /--enable-leader-election must be true or false/);
    assert.throws(() => operatorConfig(parse(['--concurrent=two']), {}), /--concurrent must be a whole number/);
    assert.throws(() => operatorConfig(parse(['--concurrency=0']), {}), /--concurrency must be a positive integer/);
    assert.throws(() => operatorConfig(parse(['--client-qps=fast']), {}), /--client-qps must be a number/);
    assert.throws(() => operatorConfig(parse(['--client-burst=-1']), {}), /--client-burst must be a whole number ≥ 0/);
    assert.throws(() => operatorConfig(parse(['--loglevel=loud']), {}), /--loglevel must be one of/);
    assert.throws(() => operatorConfig(parse(['--store-requeue-interval=soon']), {}), /--store-requeue-interval must be a positive Go duration/);
  });

  it("reads ESO's values as ESO's libraries do: client-go's QPS and burst, controller-runtime's concurrency, zap's levels", () => {
    // client-go rest/config.go RESTClientForConfigAndClient: QPS 0 → DefaultQPS 5, burst 0 →
    // DefaultBurst 10, QPS < 0 → no rate limiter; ESO's --client-qps is a Float32Var (cmd/controller/root.go).
    const qps = (v: string) => operatorConfig(parse([`--client-qps=${v}`]), {}).clientQps;
    assert.equal(qps('7.5'), 7.5);
    assert.equal(qps('0'), 5);
    assert.equal(qps('-1'), Infinity);
    assert.equal(operatorConfig(parse(['--client-burst=0']), {}).clientBurst, 10);
    // controller-runtime pkg/controller: MaxConcurrentReconciles <= 0 runs one worker.
    assert.equal(operatorConfig(parse(['--concurrent=0']), {}).concurrency, 1);
    assert.equal(operatorConfig(parse(['--concurrent=-3']), {}).concurrency, 1);
    // go.uber.org/zap zapcore.Level.UnmarshalText: as given, else lower-cased; "" is info; "warning" is warn.
    const level = (v: string) => operatorConfig(parse([`--loglevel=${v}`]), {}).logLevel;
    assert.deepEqual(['INFO', '', 'Warning', 'DEBUG', 'Error', 'PANIC', 'fatal'].map(level), ['info', 'info', 'warn', 'debug', 'error', 'fatal', 'fatal']);
    assert.throws(() => level('trace'), /--loglevel must be one of/);
  });

  it("puts the Lease in the Pod's own namespace when no flag or POD_NAMESPACE names one, as controller-runtime does for ESO", () => {
    // sigs.k8s.io/controller-runtime pkg/leaderelection: LeaderElectionNamespace unset → the
    // service account volume's namespace file; ESO's root.go sets none.
    assert.equal(operatorConfig(parse([]), {}, () => 'platform-secrets').leaderElection.namespace, 'platform-secrets');
    assert.equal(operatorConfig(parse([]), { POD_NAMESPACE: 'from-env' }, () => 'platform-secrets').leaderElection.namespace, 'from-env');
    assert.equal(operatorConfig(parse(['--leader-election-namespace=flag']), {}, () => 'platform-secrets').leaderElection.namespace, 'flag');
    assert.equal(operatorConfig(parse([]), {}, () => undefined).leaderElection.namespace, 'external-secrets');
  });

  it('serves ClusterSecretStores unless --enable-cluster-store-reconciler=false, with --namespace too', () => {
    assert.equal(operatorConfig(parse(['--namespace=team-a']), {}).clusterStores, true);
    assert.equal(operatorConfig(parse(['--enable-cluster-store-reconciler=false']), {}).clusterStores, false);
    assert.deepEqual(operatorConfig(parse(['--enable-cluster-store-reconciler=false']), {}).warnings, []);
  });

  it('still lets the Projector spelling win over the ESO alias', () => {
    const c = operatorConfig(parse(['--concurrency=8', '--concurrent=2', '--log-level=warn', '--loglevel=debug']), {});
    assert.equal(c.concurrency, 8);
    assert.equal(c.logLevel, 'warn');
  });
});
