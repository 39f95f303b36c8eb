// ESO's operator flags (cmd/controller/root.go and the provider/runtime feature flag sets of ESO
// v2.9) as `projector operator` accepts them, so `extraArgs` and args copied from an ESO chart keep
// working. One table: the CLI registers these options from it, config.ts resolves the aliases and
// warns about the ignored ones, and docs/cli/operator.md lists the same states.

export type EsoFlagState =
  /** Same name and meaning as a Projector flag (already an option). */
  | 'same'
  /** Another name for a Projector flag. */
  | 'alias'
  /** A feature Projector does not have: accepted, a one-line warning unless the value matches what Projector does anyway. */
  | 'ignored';

export interface EsoFlag {
  /** Flag name without dashes, as ESO spells it. */
  readonly name: string;
  readonly kind: 'bool' | 'string' | 'int' | 'float' | 'duration';
  readonly state: EsoFlagState;
  /** ESO's default, as text. */
  readonly esoDefault: string;
  /** For aliases: the Projector flag it sets. */
  readonly projector?: string;
  /** For ignored flags: the values that describe what Projector does anyway (no warning then). */
  readonly harmless?: readonly string[];
  /** Why it is ignored, or what it maps to (help text and docs). */
  readonly note: string;
}

export const ESO_FLAGS: readonly EsoFlag[] = [
  { name: 'metrics-addr', kind: 'string', state: 'same', esoDefault: ':8080', note: 'Prometheus /metrics address' },
  { name: 'controller-class', kind: 'string', state: 'same', esoDefault: 'default', note: 'serve stores whose spec.controller is empty or this class' },
  { name: 'namespace', kind: 'string', state: 'same', esoDefault: '', note: 'watch one namespace only (ClusterSecretStores still served)' },
  { name: 'client-qps', kind: 'float', state: 'same', esoDefault: '50', note: 'API server requests per second (0: 5, negative: unlimited, as client-go)' },
  { name: 'client-burst', kind: 'int', state: 'same', esoDefault: '100', note: 'API server request burst' },
  { name: 'leader-election-id', kind: 'string', state: 'same', esoDefault: 'external-secrets-controller', note: "Lease name (Projector's default: projector-controller)" },
  { name: 'enable-extended-metric-labels', kind: 'bool', state: 'same', esoDefault: 'false', note: 'app.kubernetes.io/* labels of the objects as metric labels' },
  { name: 'concurrent', kind: 'int', state: 'alias', projector: 'concurrency', esoDefault: '1', note: "concurrent ExternalSecret reconciles (Projector's default: 4)" },
  { name: 'loglevel', kind: 'string', state: 'alias', projector: 'log-level', esoDefault: 'info', note: 'debug, info, warn, error; dpanic, panic and fatal log at fatal' },
  { name: 'enable-leader-election', kind: 'bool', state: 'alias', projector: 'leader-elect', esoDefault: 'false', note: 'reconcile only while holding the Lease' },
  { name: 'leader-election-lease-duration', kind: 'duration', state: 'alias', projector: 'leader-elect-lease-duration', esoDefault: '15s', note: 'Lease duration' },
  { name: 'leader-election-renew-deadline', kind: 'duration', state: 'alias', projector: 'leader-elect-renew-deadline', esoDefault: '10s', note: 'renew deadline' },
  { name: 'leader-election-retry-period', kind: 'duration', state: 'alias', projector: 'leader-elect-retry-period', esoDefault: '2s', note: 'retry period' },
  { name: 'live-addr', kind: 'string', state: 'alias', projector: 'health-addr', esoDefault: ':8082', note: "/healthz and /readyz address (Projector's default: :8081)" },
  { name: 'store-requeue-interval', kind: 'duration', state: 'alias', projector: 'store-requeue-interval', esoDefault: '5m', note: 're-validate stores without spec.refreshInterval this often' },
  { name: 'metrics-auth', kind: 'bool', state: 'ignored', esoDefault: 'false', harmless: ['false'], note: 'no RBAC authentication on /metrics (use a NetworkPolicy)' },
  { name: 'metrics-secure', kind: 'bool', state: 'ignored', esoDefault: 'false', harmless: ['false'], note: '/metrics is served over plain HTTP' },
  { name: 'metrics-cert-dir', kind: 'string', state: 'ignored', esoDefault: '', harmless: [''], note: '/metrics is served over plain HTTP' },
  { name: 'metrics-cert-name', kind: 'string', state: 'ignored', esoDefault: 'tls.crt', harmless: ['tls.crt'], note: '/metrics is served over plain HTTP' },
  { name: 'metrics-key-name', kind: 'string', state: 'ignored', esoDefault: 'tls.key', harmless: ['tls.key'], note: '/metrics is served over plain HTTP' },
  { name: 'enable-http2', kind: 'bool', state: 'ignored', esoDefault: 'false', harmless: ['false'], note: 'the metrics server speaks HTTP/1.1' },
  { name: 'zap-time-encoding', kind: 'string', state: 'ignored', esoDefault: 'epoch', harmless: ['epoch'], note: 'logs are pino JSON with epoch-millisecond times' },
  { name: 'enable-cluster-store-reconciler', kind: 'bool', state: 'same', esoDefault: 'true', note: 'serve ClusterSecretStores (with --namespace too); false leaves ExternalSecrets naming one alone' },
  { name: 'enable-secret-store-reconciler', kind: 'bool', state: 'ignored', esoDefault: 'true', harmless: ['true'], note: 'SecretStores are always served' },
  { name: 'enable-cluster-external-secret-reconciler', kind: 'bool', state: 'same', esoDefault: 'true', note: 'serve ClusterExternalSecrets (when watching all namespaces)' },
  { name: 'enable-cluster-push-secret-reconciler', kind: 'bool', state: 'same', esoDefault: 'true', note: 'serve ClusterPushSecrets (cluster-wide installs only)' },
  { name: 'enable-push-secret-reconciler', kind: 'bool', state: 'same', esoDefault: 'true', note: 'serve PushSecrets' },
  { name: 'enable-secrets-caching', kind: 'bool', state: 'ignored', esoDefault: 'false', harmless: ['false'], note: 'only managed Secrets are watched, values dropped' },
  { name: 'enable-configmaps-caching', kind: 'bool', state: 'ignored', esoDefault: 'false', harmless: ['false'], note: 'ConfigMaps are read when needed, not cached' },
  { name: 'enable-managed-secrets-caching', kind: 'bool', state: 'ignored', esoDefault: 'true', harmless: ['true'], note: "managed Secrets' metadata and data hash are always cached" },
  { name: 'enable-secret-api-read-on-cache-mismatch', kind: 'bool', state: 'ignored', esoDefault: 'true', harmless: ['true'], note: 'each sync reads its target Secret from the API server' },
  { name: 'enable-flood-gate', kind: 'bool', state: 'same', esoDefault: 'true', note: 'an ExternalSecret reads through a store only while the store is Ready (StoreNotReady otherwise)' },
  { name: 'enable-generator-state', kind: 'bool', state: 'ignored', esoDefault: 'true', harmless: [], note: 'the generators Projector runs keep no state (docs/generators.md)' },
  { name: 'unsafe-allow-generic-targets', kind: 'bool', state: 'same', esoDefault: 'false', note: 'write spec.target.manifest targets other than v1 Secret (ConfigMaps, custom resources); grant their RBAC yourself (docs/generic-targets.md)' },
  { name: 'generator-gc-grace-period', kind: 'duration', state: 'ignored', esoDefault: '2m', harmless: [], note: 'the generators Projector runs keep no state (docs/generators.md)' },
  { name: 'template-left-delimiter', kind: 'string', state: 'ignored', esoDefault: '{{', harmless: ['{{'], note: 'templates use {{ and }}' },
  { name: 'template-right-delimiter', kind: 'string', state: 'ignored', esoDefault: '}}', harmless: ['}}'], note: 'templates use {{ and }}' },
  { name: 'enable-vault-token-cache', kind: 'bool', state: 'ignored', esoDefault: 'false', harmless: [], note: 'HashiCorp Vault provider not in Projector' },
  { name: 'vault-token-cache-size', kind: 'int', state: 'ignored', esoDefault: '262144', harmless: [], note: 'HashiCorp Vault provider not in Projector' },
  { name: 'experimental-enable-vault-token-cache', kind: 'bool', state: 'ignored', esoDefault: 'false', harmless: [], note: 'HashiCorp Vault provider not in Projector' },
  { name: 'experimental-vault-token-cache-size', kind: 'int', state: 'ignored', esoDefault: '262144', harmless: [], note: 'HashiCorp Vault provider not in Projector' },
  { name: 'experimental-enable-doppler-oidc-cache', kind: 'bool', state: 'ignored', esoDefault: 'false', harmless: [], note: 'Doppler provider not in Projector' },
  { name: 'experimental-doppler-oidc-cache-size', kind: 'int', state: 'ignored', esoDefault: '', harmless: [], note: 'Doppler provider not in Projector' },
  { name: 'doppler-etag-cache-size', kind: 'int', state: 'ignored', esoDefault: '', harmless: [], note: 'Doppler provider not in Projector' },
  { name: 'pulumi-oidc-cache-size', kind: 'int', state: 'ignored', esoDefault: '', harmless: [], note: 'Pulumi provider not in Projector' },
  { name: 'mysterybox-tokens-cache-size', kind: 'int', state: 'ignored', esoDefault: '', harmless: [], note: 'Nebius MysteryBox provider not in Projector' },
  { name: 'mysterybox-connections-cache-size', kind: 'int', state: 'ignored', esoDefault: '', harmless: [], note: 'Nebius MysteryBox provider not in Projector' },
];

/** commander's attribute name for a flag: `enable-leader-election` → `enableLeaderElection`. */
export function attributeOf(flag: string): string {
  return flag.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * pflag's bool flag: bare `--flag` is true, `--flag=VALUE` takes strconv.ParseBool's spellings
 * (1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False). Returns undefined for anything else.
 */
export function parseGoBool(text: string | true | undefined): boolean | undefined {
  if (text === undefined) return undefined;
  if (text === true) return true;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

/**
 * One warning line per ignored ESO flag that was given with a value Projector does not honour.
 * `values` maps commander attribute names to what was parsed (true for a bare bool flag).
 */
export function ignoredFlagWarnings(values: Readonly<Record<string, unknown>>): string[] {
  const out: string[] = [];
  for (const f of ESO_FLAGS) {
    if (f.state !== 'ignored') continue;
    const v = values[attributeOf(f.name)];
    if (v === undefined) continue;
    const text = v === true ? 'true' : String(v);
    const normalized = f.kind === 'bool' ? String(parseGoBool(text) ?? text) : text;
    if (f.harmless?.includes(normalized)) continue;
    out.push(`ESO flag --${f.name}=${normalized} is accepted and ignored: ${f.note}`);
  }
  return out;
}
