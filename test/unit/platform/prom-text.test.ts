// PromTextFormatter writes a prom-client Registry as ESO's /metrics writes its registry: client_golang
// v1.23.2's Gather and github.com/prometheus/common v0.67.5 expfmt (text_create.go MetricFamilyToText,
// writeFloat), keeping each series' label text between scrapes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { goFloat, PromTextFormatter } from '../../../src/platform/prom-text.ts';

function world() {
  const registry = new Registry();
  const registers = [registry];
  const gauge = new Gauge({ name: 'x_status_condition', help: 'conditions "quoted" \\ and\nnewline', labelNames: ['name', 'namespace', 'condition', 'status'], registers });
  const counter = new Counter({ name: 'x_sync_calls_total', help: 'calls', labelNames: ['name', 'namespace'], registers });
  const bare = new Gauge({ name: 'x_bare', help: 'no labels', registers });
  const histogram = new Histogram({ name: 'x_seconds', help: 'a histogram', labelNames: ['controller'], buckets: [1e-8, 0.1, 1, 1e6], registers });
  new Gauge({ name: 'x_empty', help: 'no series yet', labelNames: ['name'], registers });
  return { registry, gauge, counter, bare, histogram };
}

/**
 * What a Go program registering the same families and series (prometheus.NewGaugeVec & co., then
 * expfmt.MetricFamilyToText over reg.Gather()) printed. Go also sorts families by name and series by
 * label values; Projector keeps registration and insertion order (see inGoOrder).
 */
const GO_TEXT = `# HELP x_bare no labels
# TYPE x_bare gauge
x_bare 1.234567e+06
# HELP x_seconds a histogram
# TYPE x_seconds histogram
x_seconds_bucket{controller="externalsecret",le="1e-08"} 0
x_seconds_bucket{controller="externalsecret",le="0.1"} 0
x_seconds_bucket{controller="externalsecret",le="1"} 1
x_seconds_bucket{controller="externalsecret",le="1e+06"} 1
x_seconds_bucket{controller="externalsecret",le="+Inf"} 1
x_seconds_sum{controller="externalsecret"} 0.5
x_seconds_count{controller="externalsecret"} 1
# HELP x_status_condition conditions "quoted" \\\\ and\\nnewline
# TYPE x_status_condition gauge
x_status_condition{condition="Ready",name="big",namespace="team",status="True"} 1.5e+21
x_status_condition{condition="Ready",name="db",namespace="team",status="True"} 1
x_status_condition{condition="Ready",name="inf",namespace="team",status="True"} +Inf
x_status_condition{condition="Ready",name="nan",namespace="team",status="True"} NaN
x_status_condition{condition="Ready",name="ninf",namespace="team",status="True"} -Inf
x_status_condition{condition="Ready",name="ns",namespace="team",status="True"} 4e+06
x_status_condition{condition="Ready",name="small",namespace="team",status="True"} 1e-05
x_status_condition{condition="Ready",name="we\\"ird\\\\na\\nme",namespace="team",status="False"} 0
# HELP x_sync_calls_total calls
# TYPE x_sync_calls_total counter
x_sync_calls_total{name="db",namespace="team"} 3.5
`;

/** Families sorted by name and, but for histograms (one series here), sample lines sorted: Go's order. */
function inGoOrder(text: string): string {
  const blocks = text.split(/(?=^# HELP )/m).filter(Boolean);
  return blocks
    .map((b) => {
      const lines = b.split('\n').filter(Boolean);
      const [help, type, ...samples] = lines;
      return { name: help!.split(' ')[2]!, text: [help, type, ...(type!.endsWith(' histogram') ? samples : samples.sort())].join('\n') + '\n' };
    })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((b) => b.text)
    .join('');
}

describe('PromTextFormatter', () => {
  it("writes what client_golang's expfmt writes: Go's numbers and label order, no family without series, no blank lines", async () => {
    const w = world();
    w.gauge.set({ name: 'db', namespace: 'team', condition: 'Ready', status: 'True' }, 1);
    w.gauge.set({ name: 'we"ird\\na\nme', namespace: 'team', condition: 'Ready', status: 'False' }, 0);
    w.gauge.set({ namespace: 'team', name: 'nan', condition: 'Ready', status: 'True' }, Number.NaN);
    w.gauge.set({ name: 'inf', namespace: 'team', condition: 'Ready', status: 'True' }, Number.POSITIVE_INFINITY);
    w.gauge.set({ name: 'ninf', namespace: 'team', condition: 'Ready', status: 'True' }, Number.NEGATIVE_INFINITY);
    w.gauge.set({ name: 'big', namespace: 'team', condition: 'Ready', status: 'True' }, 1.5e21);
    w.gauge.set({ name: 'ns', namespace: 'team', condition: 'Ready', status: 'True' }, 4e6);
    w.gauge.set({ name: 'small', namespace: 'team', condition: 'Ready', status: 'True' }, 1e-5);
    w.counter.inc({ name: 'db', namespace: 'team' });
    w.counter.inc({ name: 'db', namespace: 'team' }, 2.5);
    w.bare.set(1234567);
    w.histogram.observe({ controller: 'externalsecret' }, 0.5);
    const text = await new PromTextFormatter().text(w.registry);
    assert.equal(inGoOrder(text), GO_TEXT);
    assert.doesNotMatch(text, /x_empty/, 'a vector without series has no HELP or TYPE (Go writes nothing for it)');
    assert.doesNotMatch(text, /\n\n/);
  });

  it('writes nothing for a registry whose families have no series', async () => {
    const registry = new Registry();
    new Counter({ name: 'x_calls_count', help: 'calls', labelNames: ['provider'], registers: [registry] });
    new Histogram({ name: 'x_seconds', help: 's', labelNames: ['controller'], registers: [registry] });
    assert.equal(await new PromTextFormatter().text(registry), '');
  });

  it('gives the current values on later scrapes, and series added or removed since', async () => {
    const w = world();
    const formatter = new PromTextFormatter();
    const labels = { name: 'db', namespace: 'team', condition: 'Ready', status: 'True' };
    w.gauge.set(labels, 1);
    w.counter.inc({ name: 'db', namespace: 'team' });
    assert.equal(
      await formatter.text(w.registry),
      '# HELP x_status_condition conditions "quoted" \\\\ and\\nnewline\n# TYPE x_status_condition gauge\nx_status_condition{condition="Ready",name="db",namespace="team",status="True"} 1\n' +
        '# HELP x_sync_calls_total calls\n# TYPE x_sync_calls_total counter\nx_sync_calls_total{name="db",namespace="team"} 1\n' +
        '# HELP x_bare no labels\n# TYPE x_bare gauge\nx_bare 0\n',
    );
    w.gauge.set(labels, 0);
    w.counter.inc({ name: 'db', namespace: 'team' });
    w.gauge.set({ name: 'new', namespace: 'team', condition: 'Ready', status: 'False' }, 1e9);
    w.gauge.remove(labels);
    const text = await formatter.text(w.registry);
    assert.match(text, /^x_sync_calls_total\{name="db",namespace="team"\} 2$/m);
    assert.match(text, /^x_status_condition\{condition="Ready",name="new",namespace="team",status="False"\} 1e\+09$/m);
    assert.doesNotMatch(text, /name="db",namespace="team",status/);
  });
});

describe('goFloat', () => {
  it("is expfmt's writeFloat: strconv.FormatFloat(f, 'g', -1, 64), exponent form below 1e-4 and from 1e6", () => {
    // Right-hand sides printed by Go 1.26 (strconv.FormatFloat(f, 'g', -1, 64)); writeFloat writes
    // -0 as 0 and NaN, +Inf, -Inf as such. An 80,000-value random comparison against the same Go
    // program found no other difference.
    const table: [number, string][] = [
      [0, '0'], [-0, '0'], [1, '1'], [-1, '-1'], [0.5, '0.5'], [100000, '100000'], [999999, '999999'], [1e6, '1e+06'],
      [1234567, '1.234567e+06'], [4e6, '4e+06'], [-1234567, '-1.234567e+06'], [123456.7, '123456.7'], [999999.9999, '999999.9999'],
      [1e21, '1e+21'], [1.5e21, '1.5e+21'], [1e100, '1e+100'], [0.0001, '0.0001'], [0.00012, '0.00012'], [1e-5, '1e-05'],
      [9.999e-5, '9.999e-05'], [1e-8, '1e-08'], [5e-324, '5e-324'], [Number.MAX_VALUE, '1.7976931348623157e+308'],
      [2 ** 53, '9.007199254740992e+15'], [0.1 + 0.2, '0.30000000000000004'], [1 / 3, '0.3333333333333333'],
      [Number.NaN, 'NaN'], [Number.POSITIVE_INFINITY, '+Inf'], [Number.NEGATIVE_INFINITY, '-Inf'],
    ];
    for (const [v, go] of table) assert.equal(goFloat(v), go, String(v));
  });
});
