import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkSummaryLine, formatCheckJson, formatCheckJunit, formatCheckText } from '../../../src/cli/check/report.ts';
import type { CheckRun } from '../../../src/cli/check/run-check.ts';
import { createProgress, renderBar } from '../../../src/cli/progress.ts';

const RUN: CheckRun = {
  reads: 3,
  rows: [
    { externalSecret: 'netbox/netbox-db-password', origin: 'deploy/es.yaml:1', field: 'spec.data[0].remoteRef', secretKey: 'DB_PASSWORD', remote: 'netbox-db-password', store: 'ClusterSecretStore/akv', outcome: 'ok', version: 'v1' },
    { externalSecret: 'billing/api', field: 'spec.data[0].remoteRef', secretKey: 'TOKEN', remote: 'billing-token', store: 'ClusterSecretStore/akv', outcome: 'missing', detail: 'VaultNotFound: vault answered 404 SecretNotFound' },
    { externalSecret: 'billing/api', field: 'spec.dataFrom[0].find', remote: 'find name=~^billing-', store: 'ClusterSecretStore/akv', outcome: 'unreachable', detail: 'VaultUnavailable: <timeout> & "quotes"' },
  ],
};

describe('check: report', () => {
  it('prints an aligned table sorted by ExternalSecret and a summary line', () => {
    const text = formatCheckText(RUN, { color: false });
    const lines = text.trimEnd().split('\n');
    assert.match(lines[0]!, /^EXTERNALSECRET\s+SECRET KEY\s+REMOTE KEY\s+RESULT\s+DETAIL$/);
    assert.match(lines[1]!, /^billing\/api\s+TOKEN\s+billing-token\s+missing\s+VaultNotFound/);
    assert.match(lines[2]!, /^billing\/api\s+\(dataFrom\)\s+find name=~\^billing-\s+unreachable/);
    assert.match(lines[3]!, /^netbox\/netbox-db-password\s+DB_PASSWORD\s+netbox-db-password\s+ok$/);
    assert.equal(lines[0]!.indexOf('RESULT'), lines[3]!.indexOf('ok'));
    assert.equal(lines[4], 'projector check: 1 ok, 1 missing, 1 unreachable (3 references in 2 ExternalSecrets, 3 vault reads)');
  });

  it('colours results only when asked', () => {
    assert.ok(!formatCheckText(RUN, { color: false }).includes('\u001b['));
    assert.ok(formatCheckText(RUN, { color: true }).includes('\u001b[31mmissing'));
  });

  it('says so when there is nothing to check', () => {
    assert.equal(checkSummaryLine({ rows: [], reads: 0 }), 'projector check: nothing to check (0 references in 0 ExternalSecrets, 0 vault reads)');
  });

  it('gives tools JSON with counts per result and one entry per reference', () => {
    const body = JSON.parse(formatCheckJson(RUN, 1));
    assert.equal(body.ok, false);
    assert.deepEqual(body.summary, { references: 3, reads: 3, ok: 1, missing: 1, disabled: 0, expired: 0, 'no-such-property': 0, forbidden: 0, unreachable: 1, error: 0 });
    assert.deepEqual(body.results[2], {
      externalSecret: 'netbox/netbox-db-password',
      origin: 'deploy/es.yaml:1',
      field: 'spec.data[0].remoteRef',
      secretKey: 'DB_PASSWORD',
      remote: 'netbox-db-password',
      store: 'ClusterSecretStore/akv',
      result: 'ok',
      version: 'v1',
    });
  });

  it('writes JUnit with a suite per ExternalSecret, findings as failures and an unreachable vault as an error, escaped', () => {
    const xml = formatCheckJunit(RUN);
    assert.match(xml, /<testsuites name="projector check" tests="3" failures="1" errors="1">/);
    assert.match(xml, /<testsuite name="ExternalSecret billing\/api" tests="2" failures="1" errors="1">/);
    assert.match(xml, /<failure type="missing" message="missing: VaultNotFound: vault answered 404 SecretNotFound">/);
    assert.match(xml, /<error type="unreachable" message="unreachable: VaultUnavailable: &lt;timeout&gt; &amp; &quot;quotes&quot;">/);
    assert.match(xml, /<testcase classname="deploy\/es.yaml:1" name="DB_PASSWORD &lt;- netbox-db-password"\/>/);
  });
});

describe('check: progress', () => {
  const sink = (isTTY: boolean) => {
    const out: string[] = [];
    return { out, stream: { isTTY, columns: 80, write: (s: string) => out.push(s) } };
  };

  it('logs one plain line per step off a terminal', () => {
    const { out, stream } = sink(false);
    const p = createProgress(stream, 'check');
    p.start(2);
    p.advance('a/b KEY: ok');
    p.advance('a/c KEY: missing');
    p.finish();
    assert.deepEqual(out, ['check: 1/2 a/b KEY: ok\n', 'check: 2/2 a/c KEY: missing\n']);
  });

  it('redraws one line with a bar on a terminal and clears it at the end', () => {
    const { out, stream } = sink(true);
    const p = createProgress(stream, 'check');
    p.start(4);
    p.advance('x');
    p.finish();
    assert.equal(out[1], `\r\u001b[2Kcheck ${renderBar(1, 4)} 1/4 x`);
    assert.ok(!out.some((s) => s.includes('\n')));
    assert.equal(out.at(-1), '\r\u001b[2K');
  });

  it('fills the bar in proportion', () => {
    assert.equal(renderBar(0, 4, 8), '[........]');
    assert.equal(renderBar(2, 4, 8), '[####....]');
    assert.equal(renderBar(4, 4, 8), '[########]');
    assert.equal(renderBar(0, 0, 8), '[########]');
  });

  it('cuts a long line to the terminal width', () => {
    const { out, stream } = sink(true);
    const p = createProgress(stream, 'check');
    p.start(1);
    p.advance('x'.repeat(200));
    assert.ok(out[1]!.length <= '\r\u001b[2K'.length + 79);
  });
});
