// The only place CLI commands print. Three forms of one report: text for people
// (`file:line:col: severity code: message`, colour only on a terminal and never under NO_COLOR),
// JSON for tools, JUnit XML for CI dashboards. Quiet on success: one summary line.
// Everything printed is built from findings, whose messages carry names and paths, never values.
import type { Problem } from './manifests.ts';
import { objectLabel } from '../api/object-key.ts';
import { usageErrorLine } from './usage.ts';

export const OUTPUT_FORMATS = ['text', 'json', 'junit'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface DocumentSummary {
  file: string;
  index: number;
  line: number;
  column: number;
  kind: string | undefined;
  name: string | undefined;
  namespace: string | undefined;
  /**
   * The command checked this document (an external-secrets.io kind, a v1 Secret): JUnit lists a
   * test case for these and for any document with a finding, not for every Deployment it read past.
   * Absent means checked.
   */
  validated?: boolean;
}

export interface Report {
  /** The command, e.g. "validate". */
  command: string;
  files: string[];
  documents: DocumentSummary[];
  /** Problems; `document` (index into `documents`) ties one to a document. */
  problems: (Problem & { document?: number })[];
  /** Warnings fail too. */
  strict: boolean;
}

export interface Streams {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  env: Record<string, string | undefined>;
}

export function countBySeverity(report: Report): { errors: number; warnings: number } {
  const errors = report.problems.filter((p) => p.severity === 'error').length;
  return { errors, warnings: report.problems.length - errors };
}

export function hasFailed(report: Report): boolean {
  const { errors, warnings } = countBySeverity(report);
  return errors > 0 || (report.strict && warnings > 0);
}

/** https://no-color.org: NO_COLOR (non-empty) always wins; FORCE_COLOR asks for colour off a terminal. */
export function shouldUseColor(stream: { isTTY?: boolean }, env: Record<string, string | undefined>): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

export class CliOutput {
  readonly #streams: Streams;

  constructor(streams: Streams) {
    this.#streams = streams;
  }

  report(report: Report, format: OutputFormat): void {
    const text =
      format === 'json' ? formatJson(report) : format === 'junit' ? formatJunit(report) : formatText(report, { color: shouldUseColor(this.#streams.stdout, this.#streams.env) });
    this.#streams.stdout.write(text);
  }

  /** An I/O error (or any error --help would not help with): one line on stderr. */
  error(message: string): void {
    const color = shouldUseColor(this.#streams.stderr, this.#streams.env);
    this.#streams.stderr.write(`${paint('projector: error:', RED, color)} ${message}\n`);
  }

  /** A usage error of `commandPath` (`projector validate`): one line ending with where its help is (usage.ts). */
  usageError(message: string, commandPath: string): void {
    const color = shouldUseColor(this.#streams.stderr, this.#streams.env);
    this.#streams.stderr.write(`${usageErrorLine(message, commandPath, (prefix) => paint(prefix, RED, color))}\n`);
  }
}

const RED = '31';
const YELLOW = '33';
const GREEN = '32';
const DIM = '2';

function paint(text: string, code: string, color: boolean): string {
  return color ? `\u001b[${code}m${text}\u001b[0m` : text;
}

function sortedProblems(report: Report): Report['problems'] {
  return [...report.problems].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column));
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function summaryLine(report: Report): string {
  const { errors, warnings } = countBySeverity(report);
  const scope = `${plural(report.documents.length, 'document')} in ${plural(report.files.length, 'file')}`;
  if (errors === 0 && warnings === 0) return `projector ${report.command}: ok (${scope})`;
  const strictNote = report.strict && warnings > 0 ? '; --strict: warnings fail' : '';
  return `projector ${report.command}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')} (${scope})${strictNote}`;
}

export function formatText(report: Report, opts: { color: boolean }): string {
  const lines = sortedProblems(report).map((p) => {
    const where = paint(`${p.file}:${p.line}:${p.column}:`, DIM, opts.color);
    const severity = paint(p.severity, p.severity === 'error' ? RED : YELLOW, opts.color);
    return `${where} ${severity} ${p.code}: ${p.message}`;
  });
  const summary = summaryLine(report);
  lines.push(hasFailed(report) ? paint(summary, RED, opts.color) : paint(summary, GREEN, opts.color));
  return `${lines.join('\n')}\n`;
}

export function formatJson(report: Report): string {
  const { errors, warnings } = countBySeverity(report);
  const body = {
    command: report.command,
    ok: !hasFailed(report),
    strict: report.strict,
    summary: { files: report.files.length, documents: report.documents.length, errors, warnings },
    findings: sortedProblems(report).map((p) => ({
      file: p.file,
      line: p.line,
      column: p.column,
      severity: p.severity,
      code: p.code,
      message: p.message,
      ...(p.path !== undefined ? { path: p.path } : {}),
      ...(p.object !== undefined ? { object: p.object } : {}),
    })),
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}

// JUnit: a suite per file, a test case per document (plus one per file for findings outside any
// document, such as YAML syntax errors). Errors, and warnings under --strict, are failures;
// other warnings go to the case's system-out.
export function formatJunit(report: Report): string {
  // A file is a suite when it has a document that was validated or a finding; others were only read.
  const files = [...new Set([...report.files, ...report.problems.map((p) => p.file)])]
    .filter((f) => report.problems.some((p) => p.file === f) || report.documents.some((d) => d.file === f && d.validated !== false))
    .sort();
  const suites = files.map((file) => junitSuite(report, file));
  const tests = suites.reduce((n, s) => n + s.tests, 0);
  const failures = suites.reduce((n, s) => n + s.failures, 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="projector ${escapeXml(report.command)}" tests="${tests}" failures="${failures}" errors="0">`,
    ...suites.map((s) => s.xml),
    '</testsuites>',
    '',
  ].join('\n');
}

function junitSuite(report: Report, file: string): { xml: string; tests: number; failures: number } {
  const cases: { name: string; problems: Problem[] }[] = [];
  const fileProblems = report.problems.filter((p) => p.file === file && p.document === undefined);
  if (fileProblems.length > 0) cases.push({ name: 'file', problems: fileProblems });
  report.documents.forEach((d, i) => {
    if (d.file !== file) return;
    const problems = report.problems.filter((p) => p.document === i);
    if (d.validated === false && problems.length === 0) return;
    cases.push({ name: documentLabel(d), problems });
  });
  let failures = 0;
  const body = cases.map((c) => {
    const failing = c.problems.filter((p) => p.severity === 'error' || report.strict);
    const passing = c.problems.filter((p) => !failing.includes(p));
    const line = (p: Problem) => `${p.file}:${p.line}:${p.column}: ${p.severity} ${p.code}: ${p.message}`;
    const parts = [`    <testcase classname="${escapeXml(file)}" name="${escapeXml(c.name)}">`];
    if (failing.length > 0) {
      failures++;
      const first = failing[0]!;
      parts.push(`      <failure type="${escapeXml(first.code)}" message="${escapeXml(`${first.code}: ${first.message}`)}">${escapeXml(failing.map(line).join('\n'))}</failure>`);
    }
    if (passing.length > 0) parts.push(`      <system-out>${escapeXml(passing.map(line).join('\n'))}</system-out>`);
    parts.push('    </testcase>');
    return parts.join('\n');
  });
  const open = `  <testsuite name="${escapeXml(file)}" tests="${cases.length}" failures="${failures}" errors="0">`;
  return { xml: [open, ...body, '  </testsuite>'].join('\n'), tests: cases.length, failures };
}

export function documentLabel(d: Pick<DocumentSummary, 'kind' | 'name' | 'namespace' | 'index'>): string {
  if (!d.kind || !d.name) return `document ${d.index + 1}`;
  return objectLabel(d.kind, d.namespace, d.name);
}

/** Text safe inside XML elements and attributes (JUnit reports). */
export function escapeXml(s: string): string {
  return s
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
