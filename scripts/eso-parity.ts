// Writes the generated sections of docs/eso-parity.md: every ESO metric family, every ESO operator
// flag and every ESO CRD field (grouped by top-level field path) of the kinds Projector serves, each
// with its state in Projector. The states come from the code where the code knows them (the metrics
// registry, src/eso-flags.ts, core/validate.ts NOT_SUPPORTED and SUPPORTED_PROVIDERS, and — for
// PushSecret and the generators — their validators, asked about one probe manifest per field ESO
// has and Projector may not run: core/push-secret.ts validatePushSecret, core/generators.ts) and from the
// short tables below for deliberate differences, each with its reason. An ESO metric that Projector
// neither serves nor explains, or an explanation for a family Projector now serves, is an error, so
// the document cannot silently drift: `--check` (and test/unit/docs/eso-parity.test.ts) fail then.
//
// Inputs: test/fixtures/eso-metrics/<version>/metrics.json (ESO's families, written from ESO's
// source), test/fixtures/eso-crds/<version>/field-paths.json (from ESO's published CRDs).
import { readFileSync, writeFileSync } from 'node:fs';
import { OperatorMetrics } from '../src/controller/metrics.ts';
import { NOT_SUPPORTED, SUPPORTED_PROVIDERS } from '../src/core/validate.ts';
import type { PushSecret } from '../src/api/index.ts';
import { CLUSTER_GENERATOR_KINDS, CLUSTER_GENERATOR_SPEC_FIELD } from '../src/api/generators.ts';
import { GENERATOR_KINDS } from '../src/api/externalsecret.ts';
import { acrIssues, clusterGeneratorIssues, generatorRefIssues } from '../src/core/generators.ts';
import { webhookIssues } from '../src/core/webhook.ts';
import { validatePushSecret } from '../src/core/push-secret.ts';
import type { Issue } from '../src/core/issues.ts';
import { ESO_FLAGS } from '../src/eso-flags.ts';
import { systemClock } from '../src/platform/clock.ts';

const root = new URL('..', import.meta.url).pathname;
export const DOC = 'docs/eso-parity.md';
export const ESO_VERSION = 'v2.9.0';

type State = 'same' | 'alias' | 'NotSupported' | 'deliberately different';
interface Noted {
  state: State;
  note: string;
}

// ---------------------------------------------------------------------------------------------
// Metrics

/** ESO families Projector does not serve as ESO does, and why. Families not listed here must be served with ESO's type and labels. */
export const METRIC_NOTES: Readonly<Record<string, Noted>> = {
  clusterexternalsecret_status_condition: {
    state: 'deliberately different',
    note: 'ESO updates it only while Ready is True (a ClusterExternalSecret that fails keeps {Ready,True} 1); Projector sets {Ready,False} 1 and {Ready,True} 0 then, as for ExternalSecrets',
  },
  clusterpushsecret_status_condition: {
    state: 'deliberately different',
    note: 'ESO updates it only while Ready is True (a ClusterPushSecret that fails keeps {Ready,True} 1); Projector sets {Ready,False} 1 and {Ready,True} 0 then, as for ExternalSecrets',
  },
  clusterpushsecret_reconcile_duration: { state: 'deliberately different', note: 'ESO registers it but never sets it; Projector sets it after each reconcile, as pushsecret_reconcile_duration' },
  leader_election_slowpath_total: { state: 'NotSupported', note: "Projector's elector has no separate slow path" },
  controller_runtime_webhook_requests_total: { state: 'NotSupported', note: "served by ESO's webhook Deployment; Projector's optional webhook does not count its requests yet" },
  controller_runtime_webhook_requests_in_flight: { state: 'NotSupported', note: "served by ESO's webhook Deployment; Projector's optional webhook does not count its requests yet" },
  controller_runtime_webhook_latency_seconds: { state: 'NotSupported', note: "served by ESO's webhook Deployment; Projector's optional webhook does not count its requests yet" },
  certwatcher_read_certificate_total: { state: 'NotSupported', note: "ESO's webhook certificate watcher; Projector logs each reload instead" },
  certwatcher_read_certificate_errors_total: { state: 'NotSupported', note: "ESO's webhook certificate watcher; Projector logs each failed reload instead" },
  process_virtual_memory_max_bytes: { state: 'NotSupported', note: "prom-client's process collector has no such gauge" },
  process_network_receive_bytes_total: { state: 'NotSupported', note: "prom-client's process collector has no such counter" },
  process_network_transmit_bytes_total: { state: 'NotSupported', note: "prom-client's process collector has no such counter" },
  'go_*': { state: 'deliberately different', note: 'the Go runtime families; Projector exports the Node.js runtime as nodejs_* (event-loop lag, heap, GC)' },
};

export interface EsoFamily {
  name: string;
  type: string;
  labels: string[];
  origin: string;
  /** The family's HELP text, as its Go source registers it (absent for `go_*`). */
  help?: string;
}

export function esoFamilies(): EsoFamily[] {
  return (JSON.parse(readFileSync(`${root}test/fixtures/eso-metrics/${ESO_VERSION}/metrics.json`, 'utf8')) as { families: EsoFamily[] }).families;
}

/** One row per ESO family; throws when a family is unexplained, a note is stale, or a served family's type or labels differ. */
export function metricRows(families: readonly EsoFamily[] = esoFamilies(), notes: Readonly<Record<string, Noted>> = METRIC_NOTES): { name: string; type: string; labels: string; state: State; note: string }[] {
  const served = new OperatorMetrics({ clock: systemClock, processMetrics: true }).families();
  const types = new Map(served.map((m) => [m.name, m.type]));
  const labelsOf = (name: string) => [...(served.find((m) => m.name === name)?.labelNames ?? [])].sort();
  const rows = families.map((f) => {
    const served = types.has(f.name);
    const noted = notes[f.name];
    if (noted?.state === 'NotSupported' && served) throw new Error(`${f.name} is served now: drop its NotSupported note in scripts/eso-parity.ts`);
    if (!noted && !served) throw new Error(`ESO's ${f.name} is neither served by Projector nor explained in scripts/eso-parity.ts METRIC_NOTES`);
    if (served && types.get(f.name) !== f.type) throw new Error(`${f.name}: ESO's type is ${f.type}, Projector's ${types.get(f.name)}`);
    if (served && labelsOf(f.name).join() !== [...f.labels].sort().join()) throw new Error(`${f.name}: ESO's labels are ${f.labels.join(', ')}, Projector's ${labelsOf(f.name).join(', ')}`);
    return { name: f.name, type: f.type, labels: f.labels.join(', '), state: noted?.state ?? 'same', note: noted?.note ?? '' };
  });
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Flags

/** ESO's webhook subcommand flags (cmd/controller/webhook.go) and what the operator offers instead. */
export const WEBHOOK_FLAGS: readonly ({ name: string; esoDefault: string } & Noted)[] = [
  { name: 'port', esoDefault: '10250', state: 'deliberately different', note: '`--webhook-addr` (`:10250`): the webhook is off unless given, and it shares the operator process' },
  { name: 'cert-dir', esoDefault: '/tmp/k8s-webhook-server/serving-certs', state: 'same', note: 'tls.crt and tls.key, read again when they change' },
  { name: 'tls-min-version', esoDefault: '1.2', state: 'same', note: 'an unknown value is refused (ESO falls back to 1.3)' },
  { name: 'tls-ciphers', esoDefault: '', state: 'NotSupported', note: "Node's TLS defaults choose the ciphers" },
  { name: 'dns-name', esoDefault: 'localhost', state: 'NotSupported', note: 'no certificate check against a DNS name: the API server checks it' },
  { name: 'check-interval', esoDefault: '5m', state: 'NotSupported', note: 'the certificate is reloaded when its files change instead of checked for expiry' },
  { name: 'lookahead-interval', esoDefault: '', state: 'NotSupported', note: 'as check-interval' },
  { name: 'healthz-addr', esoDefault: ':8081', state: 'alias', note: "the operator's `--health-addr`" },
  { name: 'metrics-addr', esoDefault: ':8080', state: 'alias', note: "the operator's `--metrics-addr` (one process)" },
];

export function flagRows(): { name: string; command: string; esoDefault: string; state: State; note: string }[] {
  const controller = ESO_FLAGS.map((f) => ({
    name: f.name,
    command: 'controller',
    esoDefault: f.esoDefault,
    state: (f.state === 'ignored' ? 'NotSupported' : f.state) as State,
    note: f.state === 'alias' ? `sets \`--${f.projector}\`; ${f.note}` : f.state === 'ignored' ? `accepted and ignored${f.harmless?.length ? ` (no warning for ${f.harmless.map((h) => `\`${h || '""'}\``).join(', ')})` : ''}: ${f.note}` : f.note,
  }));
  const webhook = WEBHOOK_FLAGS.map((f) => ({ name: f.name, command: 'webhook', esoDefault: f.esoDefault, state: f.state, note: f.note }));
  return [...controller, ...webhook];
}

// ---------------------------------------------------------------------------------------------
// CRD fields

/** Field paths where Projector deliberately differs from ESO (the NotSupported ones come from core/validate.ts). */
const STORE_NOTES: Readonly<Record<string, Noted>> = {
  'spec.provider.azurekv.useAzureSDK': { state: 'deliberately different', note: 'Projector always calls the Azure SDK for JavaScript; as in ESO the field sets the member order of `key/` values and where WorkloadIdentity takes its client and tenant IDs; customCloudConfig works without it (ESO requires it)' },
};
const EXTERNAL_SECRET_NOTES: Readonly<Record<string, Noted>> = {
  'spec.secretStoreRef.name': { state: 'deliberately different', note: 'required (ESO: optional, and the ExternalSecret fails at run time)' },
  'spec.refreshInterval': { state: 'deliberately different', note: 'maxLength 64 (the CEL duration rule needs a bound)' },
  'spec.syncWindows': {
    state: 'deliberately different',
    note: "`windows[].duration`: maxLength 64 and Go's duration syntax checked at apply (ESO cannot decode an object with a bad one), so `windows` takes at most 100 (CEL prices the rule by the longest list); a periodic refresh a window blocks is requeued for the moment the windows allow it (ESO retries on its failure backoff, up to 7 min); an unparsable `schedule` is accepted and never open, as in ESO, with a `validate` and webhook warning (docs/refresh.md)",
  },
  'spec.dataFrom[].find': { state: 'deliberately different', note: "refused without a name.regexp or tags filter (empty ones included); ESO lists every secret of the vault" },
};
/** An ExternalSecret path as it appears in a ClusterExternalSecret (its externalSecretSpec is checked as an ExternalSecret's spec). */
const inExternalSecretSpec = (path: string) => path.replace(/^spec\./, 'spec.externalSecretSpec.');
export const FIELD_NOTES: Readonly<Record<string, Readonly<Record<string, Noted>>>> = {
  ExternalSecret: EXTERNAL_SECRET_NOTES,
  SecretStore: STORE_NOTES,
  ClusterSecretStore: STORE_NOTES,
  ClusterExternalSecret: Object.fromEntries(
    Object.entries(EXTERNAL_SECRET_NOTES).filter(([path]) => path !== 'spec.refreshInterval').map(([path, noted]) => [inExternalSecretSpec(path), noted]),
  ),
  GeneratorState: {
    spec: { state: 'same', note: 'none are written: ESO writes them only for generators that return state, and Password, UUID, Fake, ACRAccessToken, SSHKey, MFA, Webhook and GithubAccessToken return none (docs/generators.md)' },
  },
  SSHKey: {
    'spec.keySize': { state: 'same', note: "an RSA size below 1024 fails as in ESO (Go's crypto/rsa refuses it); `validate` reports it" },
  },
  MFA: {
    'spec.algorithm': { state: 'same', note: 'accepted and ignored, as ESO ignores it (tokens are HMAC-SHA-1); `validate` warns for another value' },
  },
  Webhook: {
    'spec.url': { state: 'same', note: "a Go template as in ESO (sprig and ESO's functions; a missing key prints `<no value>`); sent as Go's client sends it (User-Agent `Go-http-client/1.1`, `Accept-Encoding: gzip`, redirects by Go's rules); messages never quote the rendered url" },
    'spec.caBundle': { state: 'same', note: "replaces the system roots, as ESO's tls.Config RootCAs does (also with caProvider)" },
    'spec.timeout': { state: 'same', note: 'none by default, as in ESO; the operator still ends a reconcile after 5 minutes' },
  },
  GithubAccessToken: {
    'spec.url': { state: 'same', note: 'default https://api.github.com (the code ESO runs; its CRD description says https://github.com/), joined with `/app/installations/<installID>/access_tokens` as written' },
    'spec.auth': { state: 'deliberately different', note: "as in ESO (RS256 JWT, iat 10 s back, exp 300 s ahead), but a refusal names GitHub's status only: ESO adds GitHub's `message`, and Projector never quotes a response body" },
  },
};

interface NotSupportedEntry {
  path: string;
  qualifier: string;
}

/** core/validate.ts NOT_SUPPORTED as {path, qualifier}: `spec.target.manifest (other than …)` → path + "other than …". */
function notSupportedEntries(): NotSupportedEntry[] {
  return NOT_SUPPORTED.map(({ path }) => {
    const m = /^([^ :]+)(?::\s*(.+)|\s+\((.+)\))?$/.exec(path)!;
    return { path: m[1]!, qualifier: m[2] ? `value ${m[2]}` : (m[3] ?? '') };
  });
}

/** A field path without list indices: `spec.data[0].x` → `spec.data[].x`. */
const unindexed = (path: string) => path.replace(/\[\d+\]/g, '[]');

/** Does the validator answer NotSupported at `path` for this probe? */
const saysNotSupported = (issues: readonly Issue[], path: string) => issues.some((i) => i.code === 'NotSupported' && unindexed(i.path) === path);

/** The generator kinds a dataFrom generatorRef may name that Projector does not run (core/generators.ts generatorRefIssues). */
function generatorRefKindsNotRun(): string[] {
  return GENERATOR_KINDS.filter((kind) => saysNotSupported(generatorRefIssues({ apiVersion: 'generators.external-secrets.io/v1alpha1', kind, name: 'x' }, 'spec.dataFrom[0].sourceRef.generatorRef'), 'spec.dataFrom[].sourceRef.generatorRef.kind'));
}

/**
 * PushSecret: one probe per ESO field Projector may not run, each a valid PushSecret with that field
 * set, kept when core/push-secret.ts validatePushSecret answers NotSupported at that path (so a field
 * implemented later turns `same` here without an edit).
 */
const PUSH_SECRET_PROBES: readonly { path: string; qualifier: string; spec: Record<string, unknown> }[] = [
  { path: 'spec.selector.secret.selector', qualifier: 'without selector.secret.name', spec: { selector: { secret: { selector: { matchLabels: { app: 'x' } } } } } },
  { path: 'spec.secretStoreRefs[].labelSelector', qualifier: 'without a name', spec: { secretStoreRefs: [{ kind: 'SecretStore', labelSelector: { matchLabels: { app: 'x' } } }] } },
  { path: 'spec.dataTo', qualifier: '', spec: { dataTo: [{ storeRef: { name: 'store' } }] } },
  { path: 'spec.data[].conversionStrategy', qualifier: 'value ReverseUnicode', spec: { data: [{ conversionStrategy: 'ReverseUnicode', match: { secretKey: 'k', remoteRef: { remoteKey: 'r' } } }] } },
  { path: 'spec.template.engineVersion', qualifier: 'value v1', spec: { template: { engineVersion: 'v1' } } },
];

function pushSecretNotSupported(): NotSupportedEntry[] {
  const base = { selector: { secret: { name: 'source' } }, secretStoreRefs: [{ kind: 'SecretStore', name: 'store' }], data: [{ match: { secretKey: 'k', remoteRef: { remoteKey: 'r' } } }] };
  return PUSH_SECRET_PROBES.filter((p) => {
    const ps = { apiVersion: 'external-secrets.io/v1alpha1', kind: 'PushSecret', metadata: { name: 'p', namespace: 'n' }, spec: { ...base, ...p.spec } } as unknown as PushSecret;
    return saysNotSupported(validatePushSecret(ps), p.path);
  }).map(({ path, qualifier }) => ({ path, qualifier }));
}

/** ClusterGenerator.spec.generator members whose kind Projector does not run (core/generators.ts clusterGeneratorIssues). */
function clusterGeneratorMembersNotRun(): string[] {
  return CLUSTER_GENERATOR_KINDS.filter((kind) => saysNotSupported(clusterGeneratorIssues({ kind, generator: { [CLUSTER_GENERATOR_SPEC_FIELD[kind]]: {} } } as never), 'spec.kind')).map((kind) => CLUSTER_GENERATOR_SPEC_FIELD[kind]);
}

/** A Webhook spec's NotSupported paths under `prefix` (core/webhook.ts webhookIssues, one probe each). */
function webhookNotSupported(prefix: string): NotSupportedEntry[] {
  const base = { url: 'https://h/x', result: {} };
  const probes: { path: string; qualifier: string; spec: Record<string, unknown> }[] = [
    { path: 'spec.auth.ntlm', qualifier: '', spec: { ...base, auth: { ntlm: { usernameSecret: { name: 'u', key: 'u' }, passwordSecret: { name: 'p', key: 'p' } } } } },
    { path: 'spec.result.jsonPath', qualifier: "gval syntax beyond PaesslerAG/jsonpath's paths: filters, scripts, expressions, paths without $", spec: { ...base, result: { jsonPath: '$[?(@.a)]' } } },
  ];
  return probes.filter((p) => saysNotSupported(webhookIssues(p.spec as never, 'spec'), p.path)).map((p) => ({ path: p.path.replace(/^spec/, prefix), qualifier: p.qualifier }));
}

/** The NotSupported paths of a kind, from the code that judges it. */
function notSupportedFor(kind: string): NotSupportedEntry[] {
  const refKinds = generatorRefKindsNotRun();
  const generatorRef = (prefix: string): NotSupportedEntry => ({ path: `${prefix}.dataFrom[].sourceRef.generatorRef.kind`, qualifier: `value ${refKinds.join(', ')}` });
  switch (kind) {
    case 'ExternalSecret':
      return [...notSupportedEntries(), generatorRef('spec')];
    case 'SecretStore':
    case 'ClusterSecretStore':
      return notSupportedEntries();
    case 'ClusterExternalSecret':
      return [...notSupportedEntries().filter((e) => !e.path.startsWith('spec.provider.')).map((e) => ({ ...e, path: inExternalSecretSpec(e.path) })), generatorRef('spec.externalSecretSpec')];
    case 'PushSecret':
      return pushSecretNotSupported();
    case 'ClusterPushSecret':
      // Its spec.pushSecretSpec is a PushSecret's spec, judged by the same validator.
      return pushSecretNotSupported().map((e) => ({ ...e, path: e.path.replace(/^spec\./, 'spec.pushSecretSpec.') }));
    case 'Webhook':
      return webhookNotSupported('spec');
    case 'ACRAccessToken':
      return saysNotSupported(acrIssues({ environmentType: 'AzureStackCloud' } as never, 'spec'), 'spec.environmentType') ? [{ path: 'spec.environmentType', qualifier: 'value AzureStackCloud' }] : [];
    case 'ClusterGenerator': {
      const members = clusterGeneratorMembersNotRun();
      const kinds = CLUSTER_GENERATOR_KINDS.filter((k) => members.includes(CLUSTER_GENERATOR_SPEC_FIELD[k]));
      return [...members.map((m) => ({ path: `spec.generator.${m}`, qualifier: '' })), { path: 'spec.kind', qualifier: `value ${kinds.join(', ')}` }, ...webhookNotSupported('spec.generator.webhookSpec')];
    }
    default:
      return [];
  }
}

const within = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[]`) || path.startsWith(`${prefix}{}`);

/** The group of a field path: the first two segments (`spec.data`), or `spec.provider.<name>` / `spec.generator.<name>` (ClusterGenerator). */
function groupOf(path: string): string {
  const segments = path.replace(/\[\]|\{\}/g, '').split('.');
  return segments[0] === 'spec' && (segments[1] === 'provider' || segments[1] === 'generator') && segments[2] ? segments.slice(0, 3).join('.') : segments.slice(0, 2).join('.');
}

export function fieldRows(): { kind: string; group: string; fields: number; state: State; note: string }[] {
  const fixture = JSON.parse(readFileSync(`${root}test/fixtures/eso-crds/${ESO_VERSION}/field-paths.json`, 'utf8')) as { kinds: Record<string, Record<string, string[]>> };
  const rows: { kind: string; group: string; fields: number; state: State; note: string }[] = [];
  for (const [kind, versions] of Object.entries(fixture.kinds)) {
    const notSupported = notSupportedFor(kind);
    const generatorsNotRun = kind === 'ClusterGenerator' ? clusterGeneratorMembersNotRun() : [];
    const paths = [...new Set(Object.values(versions).flat())];
    const groups = new Map<string, string[]>();
    for (const p of paths) groups.set(groupOf(p), [...(groups.get(groupOf(p)) ?? []), p]);
    const unsupportedProviders: { name: string; fields: number }[] = [];
    const unsupportedGenerators: { name: string; fields: number }[] = [];
    for (const [group, members] of groups) {
      const provider = /^spec\.provider\.(.+)$/.exec(group)?.[1];
      if (provider && !SUPPORTED_PROVIDERS.includes(provider)) {
        unsupportedProviders.push({ name: provider, fields: members.length });
        continue;
      }
      const generator = /^spec\.generator\.(.+)$/.exec(group)?.[1];
      if (generator && generatorsNotRun.includes(generator)) {
        unsupportedGenerators.push({ name: generator, fields: members.length });
        continue;
      }
      const exceptions: string[] = [];
      let state: State = 'same';
      for (const n of notSupported.filter((e) => members.some((m) => within(m, e.path)) && !(generator && e.path === group))) {
        if (n.path === group && !n.qualifier) state = 'NotSupported';
        else exceptions.push(`\`${n.path}\` NotSupported${n.qualifier ? ` (${n.qualifier})` : ''}`);
      }
      for (const [path, noted] of Object.entries(FIELD_NOTES[kind] ?? {})) {
        if (!members.includes(path)) continue;
        if (path === group) {
          state = noted.state;
          exceptions.push(noted.note);
        } else exceptions.push(`\`${path}\` ${noted.state}: ${noted.note}`);
      }
      rows.push({ kind, group, fields: members.length, state, note: exceptions.join('; ') });
    }
    if (unsupportedProviders.length) {
      rows.push({
        kind,
        group: 'spec.provider.<other>',
        fields: unsupportedProviders.reduce((n, p) => n + p.fields, 0),
        state: 'NotSupported',
        note: `schema present (ESO's); a store using one reports NotSupported: ${unsupportedProviders.map((p) => p.name).sort().join(', ')}`,
      });
    }
    if (unsupportedGenerators.length) {
      rows.push({
        kind,
        group: 'spec.generator.<other>',
        fields: unsupportedGenerators.reduce((n, p) => n + p.fields, 0),
        state: 'NotSupported',
        note: `schema present (ESO's); a ClusterGenerator of such a kind reports NotSupported: ${unsupportedGenerators.map((p) => p.name).sort().join(', ')}`,
      });
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Rendering

const cell = (s: string) => s.replace(/\|/g, '\\|');

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

export function generatedSections(): Record<string, string> {
  return {
    metrics: table(['family', 'type', "ESO's labels", 'state', 'note'], metricRows().map((r) => [`\`${r.name}\``, r.type, r.labels, r.state, r.note])),
    flags: table(['flag', 'ESO command', "ESO's default", 'state', 'note'], flagRows().map((r) => [`\`--${r.name}\``, r.command, r.esoDefault ? `\`${r.esoDefault}\`` : '', r.state, r.note])),
    fields: table(['kind', 'field group', 'ESO paths', 'state', 'exceptions and notes'], fieldRows().map((r) => [r.kind, `\`${r.group}\``, String(r.fields), r.state, r.note])),
  };
}

/** `text` with each `<!-- generated:NAME -->…<!-- /generated:NAME -->` section replaced. */
export function renderParityDoc(text: string): string {
  const sections = generatedSections();
  let out = text;
  for (const [name, body] of Object.entries(sections)) {
    const re = new RegExp(`(<!-- generated:${name} -->\\n)[\\s\\S]*?(<!-- /generated:${name} -->)`);
    if (!re.test(out)) throw new Error(`${DOC} has no generated:${name} section`);
    out = out.replace(re, (_, a: string, b: string) => `${a}${body}\n${b}`);
  }
  return out;
}

if (import.meta.main) {
  const current = readFileSync(root + DOC, 'utf8');
  const next = renderParityDoc(current);
  if (process.argv.includes('--check')) {
    if (next !== current) {
      console.error(`${DOC} is out of date: run node scripts/eso-parity.ts`);
      process.exit(1);
    }
  } else {
    writeFileSync(root + DOC, next);
    console.log(`wrote ${DOC}`);
  }
}
