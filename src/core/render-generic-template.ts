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
import { decodeRendered, renderOne, templateFromItems, type RenderFn, type SourceTemplate } from './render-target-template.ts';
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
        if (!parsed.ok && parsed.inexactInteger) throw inexactIntegerError(field);
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

/** Data, Labels and Annotations (any case) read a rendered KeysAndValues template as a map of strings (ESO mapScopeApply); Spec and paths as a YAML document. */
function isMapTarget(target: string): boolean {
  const lower = target.toLowerCase();
  return lower === 'data' || lower === 'labels' || lower === 'annotations';
}

/** A rendered KeysAndValues template is YAML, which is text (Go's YAML reader refuses bytes that are not UTF-8). */
function yamlText(rendered: string, t: SourceTemplate): string {
  if (!isTextString(rendered)) throw new ProjectorError('TemplateBinaryValue', `${t.outField} renders binary data (bytes that are not UTF-8); YAML is text`, { field: t.outField });
  return rendered;
}

/**
 * ESO mapScopeApply at a map target: the YAML map's entries, each value decoded by the entry's
 * valuesDecodingStrategy (never the key). A rendered key may be made from secret data: it is named
 * by its position, never printed.
 */
function decodedEntries(rendered: string, t: SourceTemplate): { key: string; value: string; keyName: string }[] {
  const map = yamlToStringMap(yamlText(rendered, t));
  if (!map.ok) throw new ProjectorError('VaultBadValue', `${t.outField} did not render to a YAML map of strings: ${map.error}`, { field: t.outField });
  return map.entries.map(([key, v], j) => ({ key, value: decodeRendered(v, t, `key #${j + 1}`), keyName: `key #${j + 1}` }));
}

/**
 * A rendered integer between 2^53 and 2^63 in magnitude: ESO writes it exactly (an int64), Projector
 * cannot yet, and refuses rather than write it rounded (docs/generic-targets.md). Names no value.
 */
function inexactIntegerError(field: string): ProjectorError {
  return new ProjectorError('VaultBadValue', `${field} renders an integer above 2^53 in magnitude, which Projector cannot write exactly yet (ESO writes it as an int64); quote it in the template to write a string`, { field });
}

/** ESO mapScopeApply at Spec or a path: the YAML document as it is (not decoded: ESO decodes only map entries). */
function parsedDocument(rendered: string, t: SourceTemplate): unknown {
  const parsed = yamlToValue(yamlText(rendered, t));
  if (!parsed.ok && parsed.inexactInteger) throw inexactIntegerError(t.outField);
  if (!parsed.ok) throw new ProjectorError('VaultBadValue', `${t.outField} did not render to YAML: could not unmarshal template YAML: ${parsed.error}`, { field: t.outField });
  return parsed.value;
}

/** KeysAndValues (ESO mapScopeApply) into the object: map entries (decoded) for Data, Labels and Annotations, the document at Spec or a path. */
function applyKeysAndValues(out: GenericOutput, render: RenderFn, scope: Record<string, string>, t: SourceTemplate, target: string): void {
  const rendered = renderOne(render, t, scope);
  if (isMapTarget(target)) {
    for (const e of decodedEntries(rendered, t)) out.apply(e.key, e.value, target, t.outField, e.keyName);
    return;
  }
  out.applyParsed(parsedDocument(rendered, t), target, t.outField);
}

/** The scratch Secret's data: key → what was written there (later writes win), in order of writing. */
type Scratch = Map<string, { value: string; field: string; keyName: string }>;

/**
 * One configMap or secret item as ESO's Parser executes it into its scratch Secret (parser.go
 * MergeConfigMap / MergeSecret → template.go valueScopeApply / mapScopeApply with the entry's
 * valuesDecodingStrategy): rendered, each value decoded — also where nothing is kept, so a value
 * that does not decode fails at every target but a KeysAndValues document at Spec or a path — and
 * written to the scratch object at the entry's `target`. Only its `data` is carried on (a Data
 * target, any case); labels, annotations, `spec` and other paths of a Secret are dropped, but a path
 * must still parse (ESO parseTargetPath, named at the entry's `target`).
 */
function collectItem(scratch: Scratch, render: RenderFn, scope: Record<string, string>, t: SourceTemplate, as: 'Values' | 'KeysAndValues', key: string, target: string, targetField: string): void {
  const rendered = renderOne(render, t, scope);
  const lower = target.toLowerCase();
  const keepsData = lower === 'data';
  if (as === 'Values') {
    const keyName = `key ${JSON.stringify(key)}`;
    const value = decodeRendered(rendered, t, keyName);
    if (keepsData) scratch.set(key, { value, field: t.outField, keyName });
    else if (!isMapTarget(target) && lower !== 'spec') parseTargetPath(target, targetField);
    return;
  }
  if (isMapTarget(target)) {
    const entries = decodedEntries(rendered, t);
    if (keepsData) for (const e of entries) scratch.set(e.key, { value: e.value, field: t.outField, keyName: e.keyName });
    return;
  }
  parsedDocument(rendered, t);
  parseTargetPath(target, targetField);
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
 *
 * `valuesDecodingStrategy` (core/render-target-template.ts decodeRendered, ESO's text on failure):
 * a literal's values at Data, Labels and Annotations (not its document at Spec or a path), and every
 * value an item writes to the scratch object, before the second rendering, which is not decoded
 * (ESO passes ExternalSecretDecodeNone); template.data is never decoded. Decoded bytes that are not
 * UTF-8 fail where they would be written (TemplateBinaryValue): the object's fields are text.
 */
export function genericTemplateRenderer(render: RenderFn): GenericTemplateRenderer {
  return (es: ExternalSecret, data: ReadonlyMap<string, SecretBytes>, obj: Unstructured, sources?: TemplateSources) => {
    const template = es.spec.target?.template;
    if (template?.engineVersion === 'v1') throw new ProjectorError('NotSupported', 'spec.target.template.engineVersion v1 is not supported by Projector; use v2', { field: 'spec.target.template.engineVersion' });
    const scope: Record<string, string> = Object.fromEntries([...data].map(([k, v]) => [k, goStringFromBytes(v.reveal())]));
    const out = new GenericOutput(obj);
    for (const [i, from] of (template?.templateFrom ?? []).entries()) {
      const base = `spec.target.template.templateFrom[${i}]`;
      // The CRD defaults an absent target to Data. An explicit "" is Data for the literal
      // (renderTemplatedManifest defaults it) but reaches the items' scratch step as it is, where
      // it is ESO's invalid path.
      const target = from.target ?? 'Data';
      if (from.literal !== undefined) {
        const field = `${base}.literal`;
        applyKeysAndValues(out, render, scope, { source: from.literal, name: field, field, outField: field, external: false, decoding: from.valuesDecodingStrategy }, target === '' ? 'Data' : target);
      }
      if (!from.configMap && !from.secret) continue;
      const scratch: Scratch = new Map();
      for (const item of templateFromItems(from, base, sources)) collectItem(scratch, render, scope, item.template, item.as, item.key, target, `${base}.target`);
      // ESO applies the scratch data (a Go map: no order; sorted here) as Values templates, not
      // decoded again (ExternalSecretDecodeNone): a decoded value is itself rendered.
      for (const key of [...scratch.keys()].sort()) {
        const e = scratch.get(key)!;
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
