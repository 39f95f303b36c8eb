// PromTextFormatter gives what prom-client's Registry#metrics() gives (Prometheus text format 0.0.4),
// keeping each series' label text between scrapes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { PromTextFormatter } from '../../../src/platform/prom-text.ts';

function world() {
  const registry = new Registry();
  const registers = [registry];
  const gauge = new Gauge({ name: 'x_status_condition', help: 'conditions "quoted" \\ and\nnewline', labelNames: ['name', 'namespace', 'condition', 'status'], registers });
  const counter = new Counter({ name: 'x_sync_calls_total', help: 'calls', labelNames: ['name', 'namespace'], registers });
  const bare = new Gauge({ name: 'x_bare', help: 'no labels', registers });
  const histogram = new Histogram({ name: 'x_seconds', help: 'a histogram (left to prom-client)', labelNames: ['controller'], buckets: [0.1, 1], registers });
  new Gauge({ name: 'x_empty', help: 'no series yet', labelNames: ['name'], registers });
  return { registry, gauge, counter, bare, histogram };
}

describe('PromTextFormatter', () => {
  it('formats as Registry#metrics() does: escapes, special values, label order, families without series, other types', async () => {
    const w = world();
    w.gauge.set({ name: 'db', namespace: 'team', condition: 'Ready', status: 'True' }, 1);
    w.gauge.set({ name: 'we"ird\\na\nme', namespace: 'team', condition: 'Ready', status: 'False' }, 0);
    w.gauge.set({ namespace: 'other', name: 'order-as-given', condition: 'Ready', status: 'True' }, Number.NaN);
    w.gauge.set({ name: 'inf', namespace: 'team', condition: 'Ready', status: 'True' }, Number.POSITIVE_INFINITY);
    w.gauge.set({ name: 'ninf', namespace: 'team', condition: 'Ready', status: 'True' }, Number.NEGATIVE_INFINITY);
    w.gauge.set({ name: 'big', namespace: 'team', condition: 'Ready', status: 'True' }, 1.5e21);
    w.counter.inc({ name: 'db', namespace: 'team' });
    w.counter.inc({ name: 'db', namespace: 'team' }, 2.5);
    w.bare.set(3);
    w.histogram.observe({ controller: 'externalsecret' }, 0.5);
    const formatter = new PromTextFormatter();
    assert.equal(await formatter.text(w.registry), await w.registry.metrics());
  });

  it('gives the current values on later scrapes, and series added or removed since', async () => {
    const w = world();
    const formatter = new PromTextFormatter();
    const labels = { name: 'db', namespace: 'team', condition: 'Ready', status: 'True' };
    w.gauge.set(labels, 1);
    w.counter.inc({ name: 'db', namespace: 'team' });
    assert.equal(await formatter.text(w.registry), await w.registry.metrics());
    w.gauge.set(labels, 0);
    w.counter.inc({ name: 'db', namespace: 'team' });
    w.gauge.set({ name: 'new', namespace: 'team', condition: 'Ready', status: 'False' }, 1);
    w.gauge.remove(labels);
    const text = await formatter.text(w.registry);
    assert.equal(text, await w.registry.metrics());
    assert.match(text, /x_sync_calls_total\{name="db",namespace="team"\} 2/);
    assert.doesNotMatch(text, /name="db",namespace="team",condition/);
  });
});
