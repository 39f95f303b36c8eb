// target.template → Secret data, labels and annotations, with ESO's v2 engine semantics: the data
// is exposed to templates as map[string]string, template output becomes bytes. Go strings are bytes,
// so values go in and out as Go strings (core/go-string.ts): bytes that are not UTF-8 are carried
// exactly through every template function, and where they cannot be written as they are (a label,
// an annotation, a templateFrom literal: API strings and YAML are text) the sync fails instead of
// writing altered bytes.
import type { ExternalSecret, Template } from '../api/index.ts';
import { ProjectorError } from './errors.ts';
import { secretKeyProblem } from './secret-shape.ts';
import { decodeBytes, type DecodingStrategy } from './transform.ts';
import { goStringFromBytes, goStringToBytes, isTextString } from './go-string.ts';
import { Sensitive } from './sensitive.ts';
import { TemplateError } from './template/index.ts';
import type { SecretBytes, TemplateRenderer, TemplateSources } from './plan-target-secret.ts';
import { yamlToStringMap } from './template/go-yaml.ts';

/** The engine's render function (core/template), injected to keep this adapter testable alone. */
export type RenderFn = (source: string, data: unknown, name: string) => string;

/** `spec.target.template.data["tls.crt"]`: the key may hold dots, so it is quoted. */
function keyField(what: string, key: string): string {
  return `${what}[${JSON.stringify(key)}]`;
}

/** What to do instead (never names a value). */
const BINARY_ADVICE =
  'labels, annotations and templateFrom literals are text; write binary data to a key of template.data, ' +
  'or encode it where text is needed (for example with b64enc)';

function binaryValueError(field: string, what: string): ProjectorError {
  return new ProjectorError('TemplateBinaryValue', `${field} ${what} binary data (bytes that are not UTF-8); ${BINARY_ADVICE}`, { field });
}

/** Label keys and annotation keys: a qualified name with an optional DNS-subdomain prefix (apimachinery IsQualifiedName). */
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Label values (apimachinery IsValidLabelValue): empty, or at most 63 of `[-_.A-Za-z0-9]` starting and ending alphanumeric. */
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function qualifiedNameProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return 'has a prefix that is not a DNS subdomain';
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) return 'is not a qualified name (at most 63 characters of letters, digits, "-", "_" and ".", starting and ending with a letter or digit)';
  return undefined;
}

type Target = 'data' | 'labels' | 'annotations';

/** ESO matches the well-known targets case-insensitively (runtime/template/v2/template.go applyToTarget). */
function targetOf(target: string | undefined): Target {
  const t = (target ?? 'Data').toLowerCase();
  if (t === 'data' || t === 'labels' || t === 'annotations') return t;
  throw new ProjectorError('NotSupported', `templateFrom target ${JSON.stringify(target)} is not supported by Projector (Data, Annotations, Labels)`);
}

/** Where rendered output goes, in ESO's order of application: later writes win. */
class Output {
  readonly data = new Map<string, SecretBytes>();
  readonly labels: Record<string, string> = {};
  readonly annotations: Record<string, string> = {};

  /**
   * One rendered entry to its target. `keyName` says how to name the key in an error: a key from the
   * spec is quoted, one made by rendering (KeysAndValues, literal) is named by position only.
   */
  put(target: Target, key: string, value: string, field: string, keyName: string, keyFromData: boolean, checkKey: boolean): void {
    if (target === 'data') {
      if (keyFromData) {
        const problem = secretKeyProblem(key);
        if (problem) throw new ProjectorError('VaultBadValue', `${keyName} rendered by ${field} is not a valid Secret key: it ${problem} (not shown: it may be part of a secret value)`, { field });
      }
      const bytes = goStringToBytes(value);
      if (!bytes) throw binaryValueError(field, 'renders');
      this.data.set(key, new Sensitive(bytes));
      return;
    }
    // Labels and annotations are API strings (text); their keys and label values follow the API server's rules.
    if (!isTextString(value)) throw binaryValueError(field, 'renders');
    // Checked here, so a key or value made from secret data is never quoted back by the API server,
    // and dev (no API server) judges a label as the operator's write would: templateFrom keys, and
    // every rendered label value; template.metadata keys are the spec's and left to the API server.
    if (checkKey) {
      const what = target === 'labels' ? 'label' : 'annotation';
      const keyProblem = qualifiedNameProblem(key);
      if (keyProblem) throw new ProjectorError(keyFromData ? 'VaultBadValue' : 'InvalidSpec', `${keyName} rendered by ${field} is not a valid ${what} key: it ${keyProblem}${keyFromData ? ' (not shown: it may be part of a secret value)' : ''}`, { field });
    }
    if (target === 'labels' && (value.length > 63 || !LABEL_VALUE.test(value))) {
      throw new ProjectorError('VaultBadValue', `the value rendered by ${field} for ${keyName} is not a valid label value (at most 63 characters of letters, digits, "-", "_" and ".", starting and ending with a letter or digit; not shown)`, { field });
    }
    this.#set(target, key, value);
  }

  #set(target: 'labels' | 'annotations', key: string, value: string): void {
    Object.defineProperty(target === 'labels' ? this.labels : this.annotations, key, { value, writable: true, enumerable: true, configurable: true });
  }
}

/** One template, for rendering and for naming it in errors. */
export interface SourceTemplate {
  /** What the template is rendered from (a Go string). */
  source: string;
  /** The template's name in the engine's messages: ESO's (the key) where that is no value, else the field path. */
  name: string;
  /** Field path of the template (errors of the template itself). */
  field: string;
  /** Field path naming what it renders (errors about the output). */
  outField: string;
  /** A template from a ConfigMap or Secret: a parse error is the source's, retried (the object may be fixed). */
  external: boolean;
  /** templateFrom[].valuesDecodingStrategy: applied to each rendered value (template.data and metadata: None, as ESO's MergeMap). */
  decoding?: DecodingStrategy | undefined;
}

/** Renders one template; engine errors become ProjectorErrors naming `t.field` (a parse error of a ConfigMap's or Secret's template is TemplateSourceInvalid). */
export function renderOne(render: RenderFn, t: SourceTemplate, scope: Record<string, string>): string {
  try {
    return render(t.source, scope, t.name);
  } catch (e) {
    // The engine's messages carry template names and positions only (tested there); never values.
    // A parse error is terminal (the spec must change), unless the template lives in a ConfigMap or
    // Secret; an execution error may depend on data and is retried.
    if (!(e instanceof TemplateError)) throw new ProjectorError('InvalidSpec', `${t.field}: template failed`, { field: t.field });
    const pe = e.toProjectorError(t.field);
    if (t.external && pe.code === 'InvalidSpec') throw new ProjectorError('TemplateSourceInvalid', pe.message, pe.details);
    throw pe;
  }
}

/**
 * templateFrom[].valuesDecodingStrategy on one rendered value (ESO runtime/template/v2/template.go
 * valueScopeApply / mapScopeApply: decoding.Decode after rendering, before the value goes to its
 * target), over the Go string's bytes (core/transform.ts decodeBytes); the result is a Go string
 * again, so decoded binary data reaches `data` exactly and fails as binary in labels and annotations.
 * @throws ProjectorError `VaultBadValue` with ESO's text (`failed to decode rendered template value
 *   for key …`) and Go's offset; a key made by rendering is named by position.
 */
export function decodeRendered(value: string, t: SourceTemplate, keyName: string): string {
  if (!t.decoding || t.decoding === 'None') return value;
  const bytes = goStringToBytes(value) ?? new TextEncoder().encode(value);
  const decoded = decodeBytes(bytes, t.decoding);
  if (!decoded.ok) {
    throw new ProjectorError('VaultBadValue', `${t.outField}: failed to decode rendered template value for ${keyName}: ${decoded.message} (valuesDecodingStrategy ${t.decoding})`, { field: t.outField });
  }
  return goStringFromBytes(decoded.bytes);
}

/**
 * ESO's template scopes (runtime/template/v2/template.go Execute): `Values` renders the template
 * and writes it under `key`; `KeysAndValues` renders it to YAML, read as a map[string]string
 * (core/template/go-yaml.ts yamlToStringMap), and writes every entry. Each value is decoded by
 * the source's valuesDecodingStrategy, then goes to `target`.
 */
function applyScope(out: Output, render: RenderFn, scope: Record<string, string>, t: SourceTemplate, as: 'Values' | 'KeysAndValues', key: string, target: Target): void {
  const rendered = renderOne(render, t, scope);
  if (as === 'Values') {
    const keyName = `key ${JSON.stringify(key)}`;
    out.put(target, key, decodeRendered(rendered, t, keyName), t.outField, keyName, false, t.external || t.field.startsWith('spec.target.template.templateFrom'));
    return;
  }
  // YAML is text: Go's YAML reader refuses bytes that are not UTF-8 (docs/design/000-overview.md).
  if (!isTextString(rendered)) throw binaryValueError(t.outField, 'renders');
  const map = yamlToStringMap(rendered);
  // Go's messages here name JSON kinds and YAML rules only, never content.
  if (!map.ok) throw new ProjectorError('VaultBadValue', `${t.outField} did not render to a YAML map of strings: ${map.error}`, { field: t.outField });
  // A rendered key may be made from secret data: it is named by its position, never printed.
  map.entries.forEach(([k, v], j) => out.put(target, k, decodeRendered(v, t, `key #${j + 1}`), t.outField, `key #${j + 1}`, true, true));
}

/**
 * target.template → Secret data, labels and annotations, in ESO's order (pkg/controllers/
 * externalsecret/externalsecret_controller_template.go ApplyTemplate, pkg/controllers/templating/
 * parser.go): each `templateFrom` entry in turn — its configMap items, then its secret items, then
 * its literal, each value decoded by the entry's `valuesDecodingStrategy` — then `template.data`,
 * then `template.metadata.labels` and `.annotations`; a later write to a key wins. `sources` holds the ConfigMaps' and Secrets' data the entries name (read by
 * the caller in the ExternalSecret's namespace); a name or key missing from it fails with ESO's
 * text (`error fetching templateFrom data: …`) as TemplateSourceNotFound. Throws ProjectorError;
 * messages name fields, objects and keys written in the spec, never a value or a rendered key.
 */
export function targetTemplateRenderer(render: RenderFn): TemplateRenderer {
  return (es: ExternalSecret, data: ReadonlyMap<string, SecretBytes>, sources?: TemplateSources) => {
    const template = es.spec.target?.template;
    // ESO passes map[string]string(bytes): each value is the Go string of its bytes, binary or not.
    // Built with own data properties (Object.fromEntries), so a key `__proto__` is a key like any other.
    const scope: Record<string, string> = Object.fromEntries([...data].map(([k, v]) => [k, goStringFromBytes(v.reveal())]));
    if (template?.engineVersion === 'v1') throw new ProjectorError('NotSupported', 'spec.target.template.engineVersion v1 is not supported by Projector; use v2', { field: 'spec.target.template.engineVersion' });
    const out = new Output();
    for (const [i, from] of (template?.templateFrom ?? []).entries()) {
      const base = `spec.target.template.templateFrom[${i}]`;
      const target = targetOf(from.target);
      for (const item of templateFromItems(from, base, sources)) applyScope(out, render, scope, item.template, item.as, item.key, target);
      if (from.literal !== undefined) {
        const field = `${base}.literal`;
        applyScope(out, render, scope, { source: from.literal, name: field, field, outField: field, external: false, decoding: from.valuesDecodingStrategy }, 'KeysAndValues', '', target);
      }
    }
    // ESO's MergeMap: template.data, then the metadata templates (each template named by its key).
    const maps = [
      ['spec.target.template.data', template?.data, 'data'],
      ['spec.target.template.metadata.labels', template?.metadata?.labels, 'labels'],
      ['spec.target.template.metadata.annotations', template?.metadata?.annotations, 'annotations'],
    ] as const;
    for (const [what, templates, target] of maps) {
      for (const [key, source] of Object.entries(templates ?? {})) {
        applyScope(out, render, scope, { source, name: key, field: `${what}.${key}`, outField: keyField(what, key), external: false }, 'Values', key, target);
      }
    }
    return { data: out.data, labels: out.labels, annotations: out.annotations };
  };
}

/** ESO's text for a templateFrom ConfigMap or Secret (or a key in it) that is missing, as TemplateSourceNotFound. */
export function sourceNotFound(field: string, cause: string): ProjectorError {
  return new ProjectorError('TemplateSourceNotFound', `error fetching templateFrom data: ${cause}`, { field });
}

/** One `templateFrom[]` entry of the spec. */
export type TemplateFromEntry = NonNullable<Template['templateFrom']>[number];

/** A configMap or secret item of a templateFrom entry, ready to render. */
export interface TemplateFromItem {
  /** The item's template: named by its key, with the entry's valuesDecodingStrategy. */
  template: SourceTemplate;
  /** The item's `templateAs` (the CRD's default, Values, when absent). */
  as: 'Values' | 'KeysAndValues';
  /** The item's key: the output key of a Values item. */
  key: string;
}

/**
 * The configMap items, then the secret items, of one templateFrom entry (`base` is its field path,
 * `spec.target.template.templateFrom[i]`), as ESO's Parser walks them (pkg/controllers/templating/
 * parser.go MergeConfigMap, MergeSecret); both the Secret and the generic renderer read them here.
 * Lazy, so a missing object or key fails when it is reached, after the items before it rendered (as
 * in ESO, where each item is executed before the next key is looked up). A ConfigMap's value is the
 * template's text; a Secret's bytes are its Go string.
 * @throws ProjectorError `TemplateSourceNotFound` with ESO's text (`error fetching templateFrom data:
 *   configmaps "x" not found`, `… error in secret x: missing key k`), naming the spec's field.
 */
export function* templateFromItems(from: TemplateFromEntry, base: string, sources: TemplateSources | undefined): Generator<TemplateFromItem> {
  if (from.configMap) {
    yield* itemsOf(from, `${base}.configMap`, from.configMap, { plural: 'configmaps', singular: 'configmap' }, (name) => {
      const cm = sources?.configMaps.get(name);
      return cm && ((key) => (Object.hasOwn(cm, key) ? cm[key] : undefined));
    });
  }
  if (from.secret) {
    yield* itemsOf(from, `${base}.secret`, from.secret, { plural: 'secrets', singular: 'secret' }, (name) => {
      const secret = sources?.secrets.get(name);
      return secret && ((key) => { const value = secret.get(key); return value && goStringFromBytes(value.reveal()); });
    });
  }
}

/** The items of one source object; `open` gives a reader of its values by key, or undefined when the object is missing. */
function* itemsOf(
  from: TemplateFromEntry,
  field: string,
  ref: NonNullable<TemplateFromEntry['configMap']>,
  kind: { plural: string; singular: string },
  open: (name: string) => ((key: string) => string | undefined) | undefined,
): Generator<TemplateFromItem> {
  const read = open(ref.name);
  if (!read) throw sourceNotFound(`${field}.name`, `${kind.plural} ${JSON.stringify(ref.name)} not found`);
  for (const [j, { key, templateAs }] of ref.items.entries()) {
    const itemField = `${field}.items[${j}]`;
    const source = read(key);
    if (source === undefined) throw sourceNotFound(`${itemField}.key`, `error in ${kind.singular} ${ref.name}: missing key ${key}`);
    yield {
      template: { source, name: key, field: itemField, outField: itemField, external: true, decoding: from.valuesDecodingStrategy },
      as: templateAs ?? 'Values',
      key,
    };
  }
}

/** Re-exported from its own module (core/template-source-names.ts), which needs no template engine. */
export { templateSourceNames } from './template-source-names.ts';

/** dataFrom[].rewrite[].transform: the key is `.value` in the template, as in ESO. */
export function keyTemplateRenderer(render: RenderFn): (template: string, key: string, field: string) => string {
  return (template, key, field) => {
    try {
      // ESO writes the rendered text as the key unchanged (RewriteTransform in runtime/esutils/utils.go): no trimming.
      return render(template, { value: key }, field);
    } catch (e) {
      if (e instanceof TemplateError) throw e.toProjectorError(field);
      throw new ProjectorError('InvalidSpec', `${field}: template failed`, { field });
    }
  };
}
