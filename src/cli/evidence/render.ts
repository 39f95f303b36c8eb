// Pure: the files of an evidence folder, as text. Everything here is built from snapshots, which
// hold names, conditions and Secret metadata only.
import { stringify } from 'yaml';
import type { EventLine, EvidenceSnapshot, ExternalSecretEvidence, SecretMetadata, StoreEvidence } from './snapshot.ts';
import { storeLabel } from './snapshot.ts';

export interface RotationRecord {
  externalSecret: string;
  secret: string;
  before: { resourceVersion?: string | undefined; dataHash?: string | undefined; generation?: number | undefined };
  after: { resourceVersion?: string | undefined; dataHash?: string | undefined; generation?: number | undefined };
}

export interface RotationEvidence {
  /** `vault`: evidence wrote a new value; `wait`: someone else rotated. */
  mode: 'vault' | 'wait';
  rotateKey?: string | undefined;
  forceSync: boolean;
  startedAt: string;
  finishedAt: string;
  timeoutMs: number;
  records: RotationRecord[];
}

export function hasSecretChanged(r: RotationRecord): boolean {
  return r.before.resourceVersion !== r.after.resourceVersion || r.before.dataHash !== r.after.dataHash;
}

export function isGenerationUnchanged(r: RotationRecord): boolean {
  return r.before.generation === r.after.generation;
}

/** Proven when every watched Secret changed while its ExternalSecret's spec (generation) did not. */
export function isRotationProven(rotation: RotationEvidence): boolean {
  return rotation.records.length > 0 && rotation.records.every((r) => hasSecretChanged(r) && isGenerationUnchanged(r));
}

export function externalSecretFileName(name: string): string {
  return `externalsecret-${name}.yaml`;
}

export function secretMetadataFileName(name: string): string {
  return `secret-${name}.metadata.yaml`;
}

export function renderYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0 });
}

export function renderSecretMetadata(meta: SecretMetadata): string {
  return `# Secret metadata only: data is never recorded.\n${renderYaml(meta)}`;
}

export function renderStores(stores: readonly StoreEvidence[]): string {
  const body = stores.map((s) => ({
    kind: s.kind,
    name: s.name,
    ...(s.namespace ? { namespace: s.namespace } : {}),
    found: s.found,
    ...(s.provider ? { provider: s.provider } : {}),
    ...(s.vaultUrl ? { vaultUrl: s.vaultUrl } : {}),
    ...(s.authType ? { authType: s.authType } : {}),
    ready: s.ready,
  }));
  return `# Stores used by the ExternalSecrets, with their Ready condition (provider credentials are not recorded).\n${renderYaml(body)}`;
}

export function renderEvents(events: readonly EventLine[], scope: string): string {
  const header = ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'COUNT', 'MESSAGE'];
  const rows = events.map((e) => [e.lastSeen, e.type, e.reason, e.object, String(e.count), e.message]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const body = rows.length > 0 ? [line(header), ...rows.map(line)] : ['(no events; the API server keeps events for about an hour)'];
  return [`# Events for ${scope}`, ...body, ''].join('\n');
}

/** A Markdown table cell: pipes and newlines would break the row. */
export function cell(text: string | number | undefined): string {
  const s = text === undefined || text === '' ? '-' : String(text);
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function code(text: string | undefined): string {
  return text ? `\`${text.replace(/`/g, "'")}\`` : '-';
}

function readyCell(status: string | undefined): string {
  if (status === 'True') return '✅ True';
  if (status === 'False') return '❌ False';
  return status ? `⚠️ ${status}` : '⚠️ Unknown';
}

function table(header: string[], rows: string[][]): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

function esRow(es: ExternalSecretEvidence): string[] {
  return [
    code(es.name),
    es.stores.map((s) => code(storeLabel(s))).join(', ') || '-',
    readyCell(es.ready.status),
    cell(es.ready.reason),
    code(es.targetName),
    es.secret ? es.secret.keys.map((k) => code(k)).join(', ') || '(none)' : '❌ missing',
    cell(es.refreshInterval),
    cell(es.lastSync),
  ];
}

export interface ReadmeInput {
  snapshot: EvidenceSnapshot;
  files: string[];
  rotation?: RotationEvidence | undefined;
}

/** The folder's summary, written to read well on GitHub. */
export function renderReadme({ snapshot, files, rotation }: ReadmeInput): string {
  const s = snapshot;
  const allReady = s.externalSecrets.length > 0 && s.externalSecrets.every((e) => e.ready.status === 'True');
  const allSecrets = s.externalSecrets.every((e) => e.secret !== undefined && e.secret.keys.length > 0);
  const storesReady = s.stores.length > 0 && s.stores.every((st) => st.ready.status === 'True');
  const check = (ok: boolean) => (ok ? '[x]' : '[ ]');
  const lines = [
    `# ESO + Azure Key Vault evidence: ${s.app} (${s.capturedAt.slice(0, 10)})`,
    '',
    `Captured by \`projector evidence\` from API server ${code(s.server)}, namespace ${code(s.namespace)}, at ${s.capturedAt}.`,
    '',
    '> No secret values are recorded here. Secrets appear as metadata only (key names, resourceVersion,',
    '> data-hash annotation), and every file in this folder passed a redaction check against the live values.',
    '',
    '## ExternalSecrets',
    '',
    ...table(['ExternalSecret', 'Store', 'Ready', 'Reason', 'Target', 'Keys', 'Refresh', 'Last sync'], s.externalSecrets.map(esRow)),
    '',
    '## Stores',
    '',
    ...table(
      ['Store', 'Provider', 'Vault', 'Ready', 'Reason'],
      s.stores.map((st) => [code(storeLabel(st)), st.found ? cell(st.provider) : '❌ not found', code(st.vaultUrl), readyCell(st.ready.status), cell(st.ready.reason)]),
    ),
    '',
    '## Target Secrets (metadata only)',
    '',
    ...table(
      ['Secret', 'Type', 'Keys', 'resourceVersion', 'data-hash', 'Owner', 'Created'],
      s.externalSecrets.map((e) =>
        e.secret
          ? [code(e.secret.name), cell(e.secret.type), String(e.secret.keys.length), code(e.secret.resourceVersion), code(e.secret.dataHash), ownerCell(e.secret), cell(e.secret.creationTimestamp)]
          : [code(e.targetName), '❌ missing', '-', '-', '-', '-', '-'],
      ),
    ),
    '',
    '## Checklist (HOWTO §9)',
    '',
    `- ${check(storesReady)} The SecretStore/ClusterSecretStore is configured and Ready.`,
    `- ${check(allReady)} Every ExternalSecret is Ready.`,
    `- ${check(allSecrets)} Every target Secret exists with its keys.`,
    `- ${check(rotation !== undefined && isRotationProven(rotation))} Rotation in the vault updated the Secret without a Git change${rotation ? ' ([rotation.md](rotation.md))' : ' (not captured: run with `--rotation`)'}.`,
    '',
    '## Files',
    '',
    ...files.map((f) => `- [${f}](${f})`),
    '',
  ];
  return lines.join('\n');
}

function ownerCell(meta: SecretMetadata): string {
  const owners = meta.ownerReferences as { kind?: string; name?: string }[];
  return owners.length > 0 ? owners.map((o) => code(`${o.kind}/${o.name}`)).join(', ') : '-';
}

export function renderRotation(rotation: RotationEvidence, app: string): string {
  const proven = isRotationProven(rotation);
  const how =
    rotation.mode === 'vault'
      ? `\`projector evidence\` wrote a new random value (never displayed) to vault secret ${code(rotation.rotateKey)}${rotation.forceSync ? ' and set the `force-sync` annotation to ask for an immediate refresh' : ''}.`
      : `\`projector evidence\` waited up to ${Math.round(rotation.timeoutMs / 1000)} s for the value to be rotated in the vault by someone else${rotation.forceSync ? ' (with the `force-sync` annotation set)' : ''}.`;
  const lines = [
    `# Rotation evidence: ${app}`,
    '',
    `**Result: ${proven ? '✅ the Secret changed while the ExternalSecret spec did not (no Git change)' : '❌ not proven: see the table'}**`,
    '',
    how,
    '',
    `Started ${rotation.startedAt}, finished ${rotation.finishedAt}.`,
    '',
    ...table(
      ['ExternalSecret', 'Secret', 'resourceVersion before → after', 'data-hash before → after', 'generation before → after', 'Secret changed', 'Spec unchanged'],
      rotation.records.map((r) => [
        code(r.externalSecret),
        code(r.secret),
        `${code(r.before.resourceVersion)} → ${code(r.after.resourceVersion)}`,
        `${code(r.before.dataHash)} → ${code(r.after.dataHash)}`,
        `${cell(r.before.generation)} → ${cell(r.after.generation)}`,
        hasSecretChanged(r) ? '✅ yes' : '❌ no',
        isGenerationUnchanged(r) ? '✅ yes' : '❌ no',
      ]),
    ),
    '',
    'A changed resourceVersion and data-hash show that the Secret was rewritten with new data; an unchanged',
    'metadata.generation shows that the ExternalSecret spec (what Git holds) was not edited. Values are not shown.',
    '',
  ];
  return lines.join('\n');
}
