/**
 * The Prometheus text exposition (format 0.0.4) of a prom-client Registry, written as client_golang
 * writes it (github.com/prometheus/common/expfmt text_create.go, which ESO's /metrics uses), with
 * each series' label text kept between scrapes.
 *
 * Where prom-client's `Registry#metrics()` and Go's exposition differ, this follows Go:
 * - a family with no series is left out (expfmt writes nothing for a MetricFamily without metrics;
 *   prom-client prints its `# HELP` and `# TYPE` lines anyway);
 * - values and the `le`/`quantile` label are written as expfmt's writeFloat does (`strconv` 'g'
 *   shortest: `4e+06`, `1.234567e+06`, `1e-05`, `NaN`) where prom-client writes JavaScript's
 *   `4000000` and `Nan`;
 * - families follow each other without a blank line;
 * - a series' labels are in name order, `le` and `quantile` last (client_golang sorts label pairs,
 *   prometheus/value.go MakeLabelPairs; expfmt appends the bucket bound or quantile).
 * Family order (registration order) and series order (first set first) stay prom-client's;
 * Prometheus reads neither.
 *
 * prom-client 15 formats every series afresh on every scrape (~1.5 KB allocated per series). The
 * operator's per-object families hold a few series per ExternalSecret, so one scrape at 1,000
 * ExternalSecrets allocated ~9 MB (docs/benchmarks.md, "Seventh pass"). Here a series' label text
 * is made once and kept in a WeakMap keyed by the labels object prom-client holds for the series
 * (the same object while the series lives; a gauge `set` stores the object it is given, so a series
 * set with a new object is formatted once more), and each line is `name{labels} value`.
 *
 * Only public prom-client calls (`getMetricsAsArray`, `Metric.get`, `getSingleMetricAsString`).
 * Counters, gauges and histograms are formatted here; any other type, or a series with an exemplar,
 * is left to prom-client (then only the family-without-series rule applies). Not for a registry
 * with default labels or the OpenMetrics content type (the operator's registries have neither).
 */
import type { MetricObject, Registry } from 'prom-client';

/** Backslash and newline escaped (help text; prom-client's escapeString, expfmt's writeEscapedString). */
function escapeString(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** escapeString, then double quotes (label values). */
function escapeLabelValue(s: string): string {
  return escapeString(s).replace(/"/g, '\\"');
}

/**
 * A float as expfmt's writeFloat writes it (prometheus/common expfmt text_create.go): 1, 0 and -1
 * as such, `NaN`, `+Inf`, `-Inf`, else strconv.FormatFloat(f, 'g', -1, 64) — the shortest digits
 * that read back as f (JavaScript's too), in exponent form when the decimal exponent is below -4
 * or 6 and above (Go's %e with at least two exponent digits: `1e-05`, `1.5e+21`).
 */
export function goFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  if (value === 0) return '0';
  // toExponential() without digits: as many as needed to tell the value apart, as toString().
  const e = value.toExponential();
  const at = e.indexOf('e');
  const exp = Number(e.slice(at + 1));
  if (exp >= -4 && exp < 6) return `${value}`;
  const digits = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : `${Math.abs(exp)}`;
  return `${e.slice(0, at)}e${exp < 0 ? '-' : '+'}${digits}`;
}

interface Series {
  value: number;
  labels?: Record<string, unknown>;
  metricName?: string;
  exemplar?: unknown;
}

interface MetricValues {
  name: string;
  help: string;
  type: string;
  values?: Series[];
}

/** Labels expfmt writes after the sorted ones: the bucket bound and the quantile. */
const TRAILING = new Set(['le', 'quantile']);

export class PromTextFormatter {
  readonly #labelText = new WeakMap<object, string>();

  /** The registry's families in the text format, as client_golang would write them (see above). */
  async text(registry: Registry): Promise<string> {
    const families = await Promise.all(registry.getMetricsAsArray().map((m) => this.#family(registry, m)));
    return families.join('');
  }

  /** One family's lines, each ending in a newline; '' when it has no series. */
  async #family(registry: Registry, metric: MetricObject): Promise<string> {
    // Every registered metric is a prom-client Metric (Counter, Gauge…), whose get() gives its series.
    const m = await (metric as unknown as { get(): Promise<MetricValues> }).get();
    const values = m.values ?? [];
    if (values.length === 0) return '';
    const type = String(m.type);
    if ((type !== 'counter' && type !== 'gauge' && type !== 'histogram') || values.some((v) => v.exemplar)) {
      return `${await registry.getSingleMetricAsString(metric.name)}\n`;
    }
    const name = escapeString(m.name);
    let out = `# HELP ${name} ${escapeString(m.help)}\n# TYPE ${name} ${type}\n`;
    for (const v of values) out += `${v.metricName ?? name}${this.#labels(v.labels)} ${goFloat(v.value)}\n`;
    return out;
  }

  /** `{a="x",b="y"}` for a series' labels (empty without labels), kept per labels object. */
  #labels(labels: Record<string, unknown> | undefined): string {
    if (!labels) return '';
    let text = this.#labelText.get(labels);
    if (text === undefined) {
      const names = Object.keys(labels);
      const sorted = names.filter((n) => !TRAILING.has(n)).sort();
      for (const n of names) if (TRAILING.has(n)) sorted.push(n);
      const parts = sorted.map((n) => {
        const v = labels[n];
        return `${n}="${typeof v === 'number' ? goFloat(v) : escapeLabelValue(String(v))}"`;
      });
      text = parts.length ? `{${parts.join(',')}}` : '';
      this.#labelText.set(labels, text);
    }
    return text;
  }
}
