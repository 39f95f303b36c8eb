/**
 * The Prometheus text exposition (format 0.0.4) of a prom-client Registry, as its `metrics()` gives
 * it, with each series' label text kept between scrapes.
 *
 * prom-client 15 formats every series afresh on every scrape (the labels' entries, one string per
 * label, two arrays, a join and an escape pass per value): ~1.5 KB allocated per series. The
 * operator's per-object families hold a few series per ExternalSecret, so one scrape at 1,000
 * ExternalSecrets allocated ~9 MB, and the first scrape after a sync, on top of the sync's garbage,
 * raised peak RSS by 1.3–2.2 MB (docs/benchmarks.md, "Seventh pass"). Here a series' label text is
 * made once and kept in a WeakMap keyed by the labels object prom-client holds for the series (the
 * same object while the series lives; a gauge `set` stores the object it is given, so a series set
 * with a new object is formatted once more), and each line is `name{labels} value`.
 *
 * Only public prom-client calls (`getMetricsAsArray`, `Metric.get`, `getSingleMetricAsString`); the
 * text is byte for byte `Registry#metrics()`'s (test/unit/platform/prom-text.test.ts). Counters and
 * gauges are formatted here; any other type, and a series with shared labels, its own metric name
 * or an exemplar, is left to prom-client. Not for a registry with default labels or the
 * OpenMetrics content type (the operator's per-object registry has neither).
 */
import type { MetricObject, Registry } from 'prom-client';

/** prom-client's escapeString: backslash and newline (names, help text, label values). */
function escapeString(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** prom-client's escapeLabelValue: escapeString, then double quotes; non-strings as they are. */
function escapeLabelValue(v: unknown): unknown {
  return typeof v === 'string' ? escapeString(v).replace(/"/g, '\\"') : v;
}

/** prom-client's getValueAsString (the text format's spellings of NaN and the infinities). */
function valueText(value: number): string {
  if (Number.isNaN(value)) return 'Nan';
  if (!Number.isFinite(value)) return value < 0 ? '-Inf' : '+Inf';
  return `${value}`;
}

interface Series {
  value: number;
  labels?: Record<string, unknown>;
  metricName?: string;
  sharedLabels?: Record<string, unknown>;
  exemplar?: unknown;
}

interface MetricValues {
  name: string;
  help: string;
  type: string;
  values?: Series[];
}

export class PromTextFormatter {
  readonly #labelText = new WeakMap<object, string>();

  /** What `registry.metrics()` returns (Prometheus text format 0.0.4). */
  async text(registry: Registry): Promise<string> {
    const families = await Promise.all(registry.getMetricsAsArray().map((m) => this.#family(registry, m)));
    return `${families.join('\n\n')}\n`;
  }

  async #family(registry: Registry, metric: MetricObject): Promise<string> {
    const type = String(metric.type);
    if (type !== 'counter' && type !== 'gauge') return registry.getSingleMetricAsString(metric.name);
    // Every registered metric is a prom-client Metric (Counter, Gauge…), whose get() gives its series.
    const m = await (metric as unknown as { get(): Promise<MetricValues> }).get();
    const values = m.values ?? [];
    if (values.some((v) => v.metricName !== undefined || (v.sharedLabels && Object.keys(v.sharedLabels).length > 0) || v.exemplar)) {
      return registry.getSingleMetricAsString(metric.name);
    }
    const name = escapeString(m.name);
    const lines = [`# HELP ${name} ${escapeString(m.help)}`, `# TYPE ${name} ${m.type}`];
    for (const v of values) lines.push(`${name}${this.#labels(v.labels)} ${valueText(v.value)}`);
    return lines.join('\n');
  }

  /** `{a="x",b="y"}` for a series' labels (empty without labels), kept per labels object. */
  #labels(labels: Record<string, unknown> | undefined): string {
    if (!labels) return '';
    let text = this.#labelText.get(labels);
    if (text === undefined) {
      const parts: string[] = [];
      for (const [k, v] of Object.entries(labels)) parts.push(`${k}="${escapeLabelValue(v)}"`);
      text = parts.length ? `{${parts.join(',')}}` : '';
      this.#labelText.set(labels, text);
    }
    return text;
  }
}
