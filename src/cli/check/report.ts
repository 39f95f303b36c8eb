// The report of `projector check` in three forms: a table for people, JSON for tools, JUnit XML for
// CI dashboards. Rows carry names, outcomes and error codes: never values.
import { escapeXml } from '../output.ts';
import { OUTCOMES, isFinding, isPassing, type Outcome } from './classify.ts';
import type { CheckRow, CheckRun } from './run-check.ts';

export const CHECK_OUTPUT_FORMATS = ['text', 'json', 'junit'] as const;
export type CheckOutputFormat = (typeof CHECK_OUTPUT_FORMATS)[number];

export function countByOutcome(rows: readonly CheckRow[]): Record<Outcome, number> {
  const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  for (const r of rows) counts[r.outcome]++;
  return counts;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function checkSummaryLine(run: CheckRun): string {
  const counts = countByOutcome(run.rows);
  const parts = OUTCOMES.filter((o) => counts[o] > 0).map((o) => `${counts[o]} ${o}`);
  const externalSecrets = new Set(run.rows.filter((r) => !r.kind).map((r) => r.externalSecret)).size;
  const pushSecrets = new Set(run.rows.filter((r) => r.kind === 'PushSecret' && r.clusterPushSecret === undefined).map((r) => r.externalSecret)).size;
  const clusterPushSecrets = new Set(run.rows.flatMap((r) => (r.clusterPushSecret !== undefined ? [r.clusterPushSecret] : []))).size;
  const pushers = [...(pushSecrets > 0 ? [plural(pushSecrets, 'PushSecret')] : []), ...(clusterPushSecrets > 0 ? [plural(clusterPushSecrets, 'ClusterPushSecret')] : [])];
  const scope = `${plural(run.rows.length, 'reference')} in ${plural(externalSecrets, 'ExternalSecret')}${pushers.map((p) => ` and ${p}`).join('')}, ${plural(run.reads, 'vault read')}`;
  return `projector check: ${parts.length > 0 ? parts.join(', ') : 'nothing to check'} (${scope})`;
}

const GREEN = '32';
const RED = '31';
const YELLOW = '33';

function paint(text: string, code: string, color: boolean): string {
  return color ? `\u001b[${code}m${text}\u001b[0m` : text;
}

const CYAN = '36';

function colorOf(outcome: Outcome): string {
  if (outcome === 'ok') return GREEN;
  if (outcome === 'generated') return CYAN;
  return outcome === 'unreachable' ? YELLOW : RED;
}

const HEADERS = ['EXTERNALSECRET', 'SECRET KEY', 'REMOTE KEY', 'RESULT', 'DETAIL'];

/** The object column: an ExternalSecret's "namespace/name", a PushSecret's prefixed with its kind. */
function labelOf(r: CheckRow): string {
  return r.kind ? `${r.kind} ${r.externalSecret}` : r.externalSecret;
}

export function sortedRows(rows: readonly CheckRow[]): CheckRow[] {
  return [...rows].sort((a, b) => (a.externalSecret < b.externalSecret ? -1 : a.externalSecret > b.externalSecret ? 1 : 0));
}

/** A column-aligned table and the summary line; padding is computed before colour is added. */
export function formatCheckText(run: CheckRun, opts: { color: boolean }): string {
  const cells = sortedRows(run.rows).map((r) => [labelOf(r), r.secretKey ?? (r.field.includes('dataFrom') ? '(dataFrom)' : '-'), r.remote, r.outcome, r.detail ?? '']);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[], outcome?: Outcome) =>
    c
      .map((cell, i) => {
        const padded = i === c.length - 1 ? cell : cell.padEnd(widths[i]!);
        return i === 3 && outcome ? paint(padded, colorOf(outcome), opts.color) : padded;
      })
      .join('  ')
      .trimEnd();
  const lines = cells.length > 0 ? [line(HEADERS), ...cells.map((c) => line(c, c[3] as Outcome))] : [];
  const failed = run.rows.some((r) => !isPassing(r.outcome));
  lines.push(paint(checkSummaryLine(run), failed ? RED : GREEN, opts.color));
  return `${lines.join('\n')}\n`;
}

export function formatCheckJson(run: CheckRun, exitCode: number): string {
  const body = {
    command: 'check',
    ok: exitCode === 0,
    summary: { references: run.rows.length, reads: run.reads, ...countByOutcome(run.rows) },
    results: sortedRows(run.rows).map((r) => ({
      ...(r.kind === 'ClusterPushSecret' ? { kind: r.kind } : r.kind ? { kind: r.kind, pushSecret: r.externalSecret } : { externalSecret: r.externalSecret }),
      ...(r.clusterPushSecret !== undefined ? { clusterPushSecret: r.clusterPushSecret } : {}),
      ...(r.origin ? { origin: r.origin } : {}),
      field: r.field,
      ...(r.secretKey !== undefined ? { secretKey: r.secretKey } : {}),
      remote: r.remote,
      ...(r.store ? { store: r.store } : {}),
      ...(r.clusterExternalSecret !== undefined ? { clusterExternalSecret: r.clusterExternalSecret } : {}),
      result: r.outcome,
      ...(r.detail ? { detail: r.detail } : {}),
      ...(r.matched !== undefined ? { matched: r.matched } : {}),
      ...(r.version ? { version: r.version } : {}),
    })),
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}

// JUnit: a suite per ExternalSecret, a case per reference. Findings are failures; an unreachable
// vault is an error (the check could not run), as test runners report infrastructure problems; a
// generated value is skipped (nothing to read from a vault), as test runners report a case not run.
export function formatCheckJunit(run: CheckRun): string {
  const bySecret = new Map<string, CheckRow[]>();
  for (const r of sortedRows(run.rows)) bySecret.set(labelOf(r), [...(bySecret.get(labelOf(r)) ?? []), r]);
  const suites: string[] = [];
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  for (const [es, rows] of bySecret) {
    const f = rows.filter((r) => isFinding(r.outcome)).length;
    const e = rows.filter((r) => r.outcome === 'unreachable').length;
    const s = rows.filter((r) => r.outcome === 'generated').length;
    failures += f;
    errors += e;
    skipped += s;
    // A PushSecret's rows carry their kind in the key; a ClusterExternalSecret's rows are keyed `ClusterExternalSecret/<name>`.
    const label = rows[0]!.kind ? es : rows[0]?.clusterExternalSecret !== undefined && es.startsWith('ClusterExternalSecret/') ? es : `ExternalSecret ${es}`;
    suites.push(`  <testsuite name="${escapeXml(label)}" tests="${rows.length}" failures="${f}" errors="${e}"${s > 0 ? ` skipped="${s}"` : ''}>`);
    for (const r of rows) suites.push(junitCase(es, r));
    suites.push('  </testsuite>');
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="projector check" tests="${run.rows.length}" failures="${failures}" errors="${errors}"${skipped > 0 ? ` skipped="${skipped}"` : ''}>`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

function junitCase(es: string, r: CheckRow): string {
  const name = `${r.secretKey ?? r.field} <- ${r.remote}`;
  const open = `    <testcase classname="${escapeXml(r.origin ?? es)}" name="${escapeXml(name)}"`;
  if (r.outcome === 'ok') return `${open}/>`;
  if (r.outcome === 'generated') return `${open}>\n      <skipped message="${escapeXml(`generated${r.detail ? `: ${r.detail}` : ''}`)}"/>\n    </testcase>`;
  const message = escapeXml(`${r.outcome}${r.detail ? `: ${r.detail}` : ''}`);
  const tag = r.outcome === 'unreachable' ? 'error' : 'failure';
  return `${open}>\n      <${tag} type="${r.outcome}" message="${message}">${escapeXml(`${r.field} in ${r.store ?? '(no store)'}`)}</${tag}>\n    </testcase>`;
}
