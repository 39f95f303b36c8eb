// target.template onto a generic target (a ConfigMap or custom resource: core/generic-target.ts),
// with ESO's semantics: renderTemplatedManifest (pkg/controllers/externalsecret/
// externalsecret_controller_manifest.go) driving the v2 engine's Execute with a `target` path
// (runtime/template/v2/template.go applyToTarget, mapScopeApply, valueScopeApply, setField,
// tryParseYAML, applyParsedToPath, parseTargetPath, setAtPath). Part of the lazily loaded template
// engine (core/default-template-renderer.ts). Messages name fields and paths, never values.
import type { ExternalSecret } from '../api/index.ts';
import { ProjectorError } from './errors.ts';
import { goStringFromBytes, isTextString } from './go-string.ts';
import type { GenericTemplateRenderer, Unstructured } from './generic-target.ts';
import type { SecretBytes, TemplateSources } from './plan-target-secret.ts';
import { renderOne, sourceNotFound, type RenderFn, type SourceTemplate } from './render-target-template.ts';
import { yamlToStringMap, yamlToValue } from './template/go-yaml.ts';

type Token = { kind: 'key'; name: string } | { kind: 'index'; idx: number };

/** ESO's maxArrayIndex: the largest slice index a target path may name. */
const MAX_ARRAY_INDEX = 10000;

function isPlainObject(v: unknown): v is Unstructured {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function setOwn(dest: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(dest, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Go's %T of a value as apimachinery decodes JSON (named in ESO's errors; never the value itself). */
function goType(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 2 ** 63 ? 'int64' : 'float64';
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}

/**
 * ESO parseTargetPath: a dotted path with optional `[n]` indexes, e.g. `spec.rules[0].host`.
 * Throws InvalidSpec with ESO's text (the path is the spec's, so it is quoted).
 */
export function parseTargetPath(target: string, field: string): Token[] {
  const bad = (why: string) => new ProjectorError('InvalidSpec', `${field}: invalid path ${JSON.stringify(target)}: ${why}`, { field });
  const tokens: Token[] = [];
  for (const seg of target.split('.')) {
    if (seg === '') throw bad('empty segment');
    const open = seg.indexOf('[');
    const name = open >= 0 ? seg.slice(0, open) : seg;
    let rest = open >= 0 ? seg.slice(open) : '';
    if (name !== '') tokens.push({ kind: 'key', name });
    else if (rest === '') throw bad('empty segment');
    while (rest !== '') {
      if (rest[0] !== '[') throw bad(`expected '[' near ${JSON.stringify(rest)}`);
      const end = rest.indexOf(']');
      if (end < 0) throw bad("unterminated '['");
      const text = rest.slice(1, end);
      // strconv.Atoi: optional sign, decimal digits.
      if (!/^[+-]?[0-9]+$/.test(text)) throw bad(`bad index ${JSON.stringify(text)}`);
      const idx = Number(text);
      if (idx < 0) throw bad(`negative index ${idx}`);
      if (idx > MAX_ARRAY_INDEX) throw bad(`index ${idx} exceeds maximum (10000)`);
      tokens.push({ kind: 'index', idx });
      rest = rest.slice(end + 1);
    }
  }
  if (tokens.length === 0) throw bad('empty segment');
  if (tokens[0]!.kind !== 'key') throw new ProjectorError('InvalidSpec', `${field}: invalid path ${JSON.stringify(target)}: path must start with a key`, { field });
  return tokens;
}

/** ESO setAtPath: walks `node`, creating maps and growing slices (null-filled), and applies `leaf` at the end. */
function setAtPath(node: unknown, tokens: readonly Token[], leaf: (existing: unknown) => unknown, fail: (why: string) => ProjectorError): unknown {
  const tok = tokens[0]!;
  const rest = tokens.slice(1);
  const apply = (existing: unknown) => (rest.length === 0 ? leaf(existing) : setAtPath(existing, rest, leaf, fail));
  if (tok.kind === 'key') {
    if (node !== null && node !== undefined && !isPlainObject(node)) throw fail(`expected map at key ${JSON.stringify(tok.name)} but found ${goType(node)}`);
    const m: Unstructured = isPlainObject(node) ? node : {};
    setOwn(m, tok.name, apply(Object.hasOwn(m, tok.name) ? m[tok.name] : undefined));
    return m;
  }
  if (node !== null && node !== undefined && !Array.isArray(node)) throw fail(`expected array at index ${tok.idx} but found ${goType(node)}`);
  const s: unknown[] = Array.isArray(node) ? node : [];
  while (s.length <= tok.idx) s.push(null);
  s[tok.idx] = apply(s[tok.idx]);
  return s;
}

/** Renders and writes into one object; `field` names the spec entry in errors. */
class GenericOutput {
  readonly obj: Unstructured;
  constructor(obj: Unstructured) {
    this.obj = obj;
  }

  #meta(): Unstructured {
    if (!isPlainObject(this.obj.metadata)) this.obj.metadata = {};
    return this.obj.metadata as Unstructured;
  }

  /** Text only: JSON would replace bytes that are not UTF-8 (Go's encoder writes U+FFFD); Projector refuses to write altered bytes. */
  #text(value: string, field: string, keyName: string): string {
    if (!isTextString(value)) {
      throw new ProjectorError('TemplateBinaryValue', `${field} renders binary data (bytes that are not UTF-8) for ${keyName}; a generic target's fields are text: encode it (for example with b64enc)`, { field });
    }
    return value;
  }

  #metaMap(which: 'labels' | 'annotations'): Record<string, unknown> {
    const meta = this.#meta();
    if (!isPlainObject(meta[which])) meta[which] = {};
    return meta[which] as Record<string, unknown>;
  }

  /** ESO setField: `field` (data or spec) must be absent or a map; the value is written as a string. */
  #setField(name: 'data' | 'spec', key: string, value: string, field: string): void {
    if (!Object.hasOwn(this.obj, name)) this.obj[name] = {};
    const m = this.obj[name];
    if (!isPlainObject(m)) throw new ProjectorError('VaultBadValue', `${field}: failed to set ${name} field on object: failed to convert ${name} to map[string][]byte`, { field });
    setOwn(m, key, value);
  }

  /** ESO applyToTarget: one rendered entry to `target` (Data, Annotations, Labels, Spec in any case, or a path). */
  apply(key: string, value: string, target: string, field: string, keyName: string): void {
    const text = this.#text(value, field, keyName);
    switch (target.toLowerCase()) {
      case 'annotations':
        setOwn(this.#metaMap('annotations'), key, text);
        break;
      case 'labels':
        setOwn(this.#metaMap('labels'), key, text);
        break;
      case 'data':
        this.#setField('data', key, text, field);
        break;
      case 'spec':
        this.#setField('spec', key, text, field);
        break;
      default: {
        // A path: the value is read as YAML when it parses (a number, a map, a list), else kept as the string.
        const parsed = yamlToValue(text);
        this.#applyAtPath(target, field, () => (parsed.ok ? parsed.value : text));
      }
    }
    // ESO leaves empty label and annotation maps behind rather than none (applyToTarget).
    this.#metaMap('labels');
    this.#metaMap('annotations');
  }

  /** ESO applyParsedToPath: a rendered YAML document at `target`; maps merge into an existing map, except at a one-key path (replaced). */
  applyParsed(parsed: unknown, target: string, field: string): void {
    const tokens = parseTargetPath(target, field);
    const single = tokens.length === 1 && tokens[0]!.kind === 'key';
    this.#applyAtPath(target, field, (existing) => {
      if (!single && isPlainObject(existing) && isPlainObject(parsed)) {
        for (const [k, v] of Object.entries(parsed)) setOwn(existing, k, v);
        return existing;
      }
      return parsed;
    }, tokens);
  }

  #applyAtPath(target: string, field: string, leaf: (existing: unknown) => unknown, tokens = parseTargetPath(target, field)): void {
    const fail = (why: string) => new ProjectorError('VaultBadValue', `${field}: failed to set path ${target}: ${why}`, { field });
    setAtPath(this.obj, tokens, leaf, fail);
  }
}

/** KeysAndValues (ESO mapScopeApply): the rendered text is YAML: a map of strings for Data, Labels and Annotations, any document at a path. */
function applyKeysAndValues(out: GenericOutput, render: RenderFn, scope: Record<string, string>, t: SourceTemplate, target: string): void {
  const rendered = renderOne(render, t, scope);
  const lower = target.toLowerCase();
  if (!isTextString(rendered)) throw new ProjectorError('TemplateBinaryValue', `${t.outField} renders binary data (bytes that are not UTF-8); YAML is text`, { field: t.outField });
  if (lower === 'annotations' || lower === 'labels' || lower === 'data') {
    const map = yamlToStringMap(rendered);
    if (!map.ok) throw new ProjectorError('VaultBadValue', `${t.outField} did not render to a YAML map of strings: ${map.error}`, { field: t.outField });
    // A rendered key may be made from secret data: named by position, never printed.
    map.entries.forEach(([k, v], j) => out.apply(k, v, target, t.outField, `key #${j + 1}`));
    return;
  }
  const parsed = yamlToValue(rendered);
  if (!parsed.ok) throw new ProjectorError('VaultBadValue', `${t.outField} did not render to YAML: could not unmarshal template YAML: ${parsed.error}`, { field: t.outField });
  out.applyParsed(parsed.value, target, t.outField);
}

/**
 * target.template → the generic object, in ESO's order (renderTemplatedManifest): each
 * templateFrom entry in turn — its literal (KeysAndValues) at its `target` (default Data), then its
 * configMap and secret items — then template.data into `data`. template.metadata is not rendered on
 * this path (core/generic-target.ts copies it as written), and neither mergePolicy nor the provider
 * data without a template applies: only what the templates write is in the object.
 *
 * ConfigMap and Secret items, as ESO runs them: each is rendered with its `templateAs` scope into a
 * Secret-shaped scratch object at the entry's target, so only a `Data` target (any case) keeps
 * anything; what they wrote there is then rendered AGAIN (Values) and written to the entry's target
 * path. Projector reproduces both: other targets of such items write nothing (docs/generic-targets.md).
 */
export function genericTemplateRenderer(render: RenderFn): GenericTemplateRenderer {
  return (es: ExternalSecret, data: ReadonlyMap<string, SecretBytes>, obj: Unstructured, sources?: TemplateSources) => {
    const template = es.spec.target?.template;
    if (template?.engineVersion === 'v1') throw new ProjectorError('NotSupported', 'spec.target.template.engineVersion v1 is not supported by Projector; use v2', { field: 'spec.target.template.engineVersion' });
    const scope: Record<string, string> = Object.fromEntries([...data].map(([k, v]) => [k, goStringFromBytes(v.reveal())]));
    const out = new GenericOutput(obj);
    for (const [i, from] of (template?.templateFrom ?? []).entries()) {
      const base = `spec.target.template.templateFrom[${i}]`;
      // The CRD defaults an absent target to Data; an explicit "" is ESO's invalid path.
      const target = from.target ?? 'Data';
      if (from.literal !== undefined) {
        const field = `${base}.literal`;
        applyKeysAndValues(out, render, scope, { source: from.literal, name: field, field, outField: field, external: false }, target);
      }
      if (!from.configMap && !from.secret) continue;
      // The scratch Secret's data: key → rendered text (later writes win), in order of writing.
      const scratch = new Map<string, { value: string; field: string; keyName: string }>();
      const keepsData = target.toLowerCase() === 'data';
      if (target === '') throw new ProjectorError('InvalidSpec', `${base}.target: invalid path "": empty segment`, { field: `${base}.target` });
      const collect = (t: SourceTemplate, as: 'Values' | 'KeysAndValues', key: string) => {
        const rendered = renderOne(render, t, scope);
        if (as === 'Values') {
          if (keepsData) scratch.set(key, { value: rendered, field: t.outField, keyName: `key ${JSON.stringify(key)}` });
          return;
        }
        if (!isTextString(rendered)) throw new ProjectorError('TemplateBinaryValue', `${t.outField} renders binary data (bytes that are not UTF-8); YAML is text`, { field: t.outField });
        const lower = target.toLowerCase();
        if (lower === 'labels' || lower === 'annotations' || lower === 'data') {
          const map = yamlToStringMap(rendered);
          if (!map.ok) throw new ProjectorError('VaultBadValue', `${t.outField} did not render to a YAML map of strings: ${map.error}`, { field: t.outField });
          if (keepsData) map.entries.forEach(([k, v], j) => scratch.set(k, { value: v, field: t.outField, keyName: `key #${j + 1}` }));
        }
      };
      if (from.configMap) {
        const cm = sources?.configMaps.get(from.configMap.name);
        if (!cm) throw sourceNotFound(`${base}.configMap.name`, `configmaps ${JSON.stringify(from.configMap.name)} not found`);
        from.configMap.items.forEach((item, j) => {
          const field = `${base}.configMap.items[${j}]`;
          if (!Object.hasOwn(cm, item.key)) throw sourceNotFound(`${field}.key`, `error in configmap ${from.configMap!.name}: missing key ${item.key}`);
          collect({ source: cm[item.key]!, name: item.key, field, outField: field, external: true }, item.templateAs ?? 'Values', item.key);
        });
      }
      if (from.secret) {
        const secret = sources?.secrets.get(from.secret.name);
        if (!secret) throw sourceNotFound(`${base}.secret.name`, `secrets ${JSON.stringify(from.secret.name)} not found`);
        from.secret.items.forEach((item, j) => {
          const field = `${base}.secret.items[${j}]`;
          const value = secret.get(item.key);
          if (!value) throw sourceNotFound(`${field}.key`, `error in secret ${from.secret!.name}: missing key ${item.key}`);
          collect({ source: goStringFromBytes(value.reveal()), name: item.key, field, outField: field, external: true }, item.templateAs ?? 'Values', item.key);
        });
      }
      // ESO applies the scratch data (a Go map: no order; sorted here) as Values templates.
      for (const key of [...scratch.keys()].sort()) {
        const e = scratch.get(key)!;
        if (!isTextString(e.value)) throw new ProjectorError('TemplateBinaryValue', `${e.field} renders binary data (bytes that are not UTF-8) for ${e.keyName}; a generic target's fields are text`, { field: e.field });
        const again = renderOne(render, { source: e.value, name: e.field, field: e.field, outField: e.field, external: true }, scope);
        out.apply(key, again, target, e.field, e.keyName);
      }
    }
    // template.data into `data` (ESO: Values scope, target Data), each template named by its key.
    for (const [key, source] of Object.entries(template?.data ?? {})) {
      const field = `spec.target.template.data.${key}`;
      const outField = `spec.target.template.data[${JSON.stringify(key)}]`;
      const rendered = renderOne(render, { source, name: key, field, outField, external: false }, scope);
      out.apply(key, rendered, 'Data', outField, `key ${JSON.stringify(key)}`);
    }
  };
}
