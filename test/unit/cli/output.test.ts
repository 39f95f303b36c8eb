import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CliOutput, formatJson, formatJunit, documentLabel, formatText, hasFailed, shouldUseColor, type Report } from '../../../src/cli/output.ts';

function report(problems: Report['problems'], strict = false): Report {
  return {
    command: 'validate',
    files: ['a.yaml', 'b.yaml'],
    documents: [
      { file: 'a.yaml', index: 0, line: 1, column: 1, kind: 'ExternalSecret', name: 'x', namespace: 'ns' },
      { file: 'b.yaml', index: 0, line: 1, column: 1, kind: 'Secret', name: 'y', namespace: undefined },
    ],
    problems,
    strict,
  };
}

const warning = { file: 'a.yaml', line: 7, column: 3, severity: 'warning' as const, code: 'Layout', message: 'misplaced <here> & "there"', document: 0 };
const error = { file: 'b.yaml', line: 8, column: 1, severity: 'error' as const, code: 'SecretSprawl', message: 'committed', document: 1 };
const syntax = { file: 'c.yaml', line: 2, column: 4, severity: 'error' as const, code: 'YamlSyntax', message: 'bad indentation' };

describe('formatText', () => {
  it('prints one summary line on success', () => {
    assert.equal(formatText(report([]), { color: false }), 'projector validate: ok (2 documents in 2 files)\n');
  });

  it('prints findings as file:line:col: severity code: message, sorted, then the counts', () => {
    const text = formatText(report([error, warning]), { color: false });
    assert.deepEqual(text.trimEnd().split('\n'), [
      'a.yaml:7:3: warning Layout: misplaced <here> & "there"',
      'b.yaml:8:1: error SecretSprawl: committed',
      'projector validate: 1 error, 1 warning (2 documents in 2 files)',
    ]);
  });

  it('uses colour only when asked', () => {
    assert.ok(formatText(report([error]), { color: true }).includes('\u001b['));
    assert.ok(!formatText(report([error]), { color: false }).includes('\u001b['));
  });
});

describe('shouldUseColor', () => {
  it('colours a terminal, never under NO_COLOR, and off a terminal only with FORCE_COLOR', () => {
    assert.equal(shouldUseColor({ isTTY: true }, {}), true);
    assert.equal(shouldUseColor({ isTTY: true }, { NO_COLOR: '1' }), false);
    assert.equal(shouldUseColor({ isTTY: false }, {}), false);
    assert.equal(shouldUseColor({}, { FORCE_COLOR: '1' }), true);
    assert.equal(shouldUseColor({}, { FORCE_COLOR: '1', NO_COLOR: '1' }), false);
  });
});

describe('hasFailed', () => {
  it('fails on errors, and on warnings only under --strict', () => {
    assert.equal(hasFailed(report([warning])), false);
    assert.equal(hasFailed(report([warning], true)), true);
    assert.equal(hasFailed(report([error])), true);
  });
});

describe('formatJson', () => {
  it('carries the verdict, counts and every finding', () => {
    const body = JSON.parse(formatJson(report([error, warning])));
    assert.equal(body.ok, false);
    assert.deepEqual(body.summary, { files: 2, documents: 2, errors: 1, warnings: 1 });
    assert.deepEqual(body.findings.map((f: { code: string }) => f.code), ['Layout', 'SecretSprawl']);
  });
});

describe('formatJunit', () => {
  it('has a test case per document plus one per file with problems outside documents', () => {
    const xml = formatJunit(report([error, warning, syntax]));
    assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="projector validate" tests="3" failures="2" errors="0">/);
    assert.match(xml, /<testcase classname="a.yaml" name="ExternalSecret ns\/x">\n {6}<system-out>a.yaml:7:3: warning Layout: misplaced &lt;here&gt; &amp; &quot;there&quot;<\/system-out>/);
    assert.match(xml, /<testcase classname="b.yaml" name="Secret y">\n {6}<failure type="SecretSprawl"/);
    assert.match(xml, /<testsuite name="c.yaml" tests="1" failures="1" errors="0">\n {4}<testcase classname="c.yaml" name="file">/);
  });

  it('turns warnings into failures under --strict', () => {
    assert.match(formatJunit(report([warning], true)), /failures="1"/);
  });
});

describe('CliOutput', () => {
  it('writes reports to stdout and errors to stderr', () => {
    const out: string[] = [];
    const err: string[] = [];
    const cli = new CliOutput({ stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, env: {} });
    cli.report(report([]), 'text');
    cli.error('cannot read x');
    assert.deepEqual(out, ['projector validate: ok (2 documents in 2 files)\n']);
    assert.deepEqual(err, ['projector: error: cannot read x\n']);
  });
});

describe('documentLabel', () => {
  it('names a cluster-scoped object by name alone, even when the document wrote a namespace (JUnit case names)', () => {
    assert.equal(documentLabel({ kind: 'ClusterPushSecret', name: 'cps', namespace: 'default', index: 0 }), 'ClusterPushSecret cps');
    assert.equal(documentLabel({ kind: 'ClusterGenerator', name: 'g', namespace: 'ns', index: 0 }), 'ClusterGenerator g');
    assert.equal(documentLabel({ kind: 'PushSecret', name: 'ps', namespace: 'default', index: 0 }), 'PushSecret default/ps');
    assert.equal(documentLabel({ kind: undefined, name: undefined, namespace: undefined, index: 2 } as never), 'document 3');
  });
});
