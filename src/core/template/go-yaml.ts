/**
 * ESO's `fromYaml` (runtime/template/v2/yaml.go): sigs.k8s.io/yaml v1.6.0 `Unmarshal` into a
 * map[string]interface{}, which reads the FIRST document with go.yaml.in/yaml/v2 (YAML 1.1 rules
 * of its resolve.go), converts keys to strings (convertToJSONableObject), writes JSON and decodes
 * that JSON, so every number comes back as float64.
 *
 * The npm `yaml` package only tokenizes and builds the node tree here (schema `failsafe`: every
 * scalar is its text); what a plain scalar MEANS is decided below by a port of yaml.v2's resolve,
 * because the package's YAML 1.1 schema differs from yaml.v2 (it reads `12:30:45` as sexagesimal
 * and `2024-01-01` as a timestamp, where yaml.v2 keeps both strings; it drops `1e400`, which
 * yaml.v2 keeps as a string; `0o17`, `1_`, and `0x_1` differ too).
 *
 * Failures land in the map under "Error", as in ESO. Where Go's text names no content (JSON-stage
 * errors, unsupported floats), it is Go's text; parser errors use one fixed text, because Go's
 * messages quote the document and the npm parser's messages differ from libyaml's anyway.
 */
import { createRequire } from 'node:module';
import type { Document, Node } from 'yaml';
import { decodeStd } from '../go-base64.ts';
import { goStringFromBytes, goStringToBytes, isTextString } from '../go-string.ts';
import { newGoMap, putKey, type GoMap } from './values.ts';
import { layoutShortestG, parseGoIntBase0, YAML_STYLE_FLOAT } from './go-yaml-emit.ts';

let yamlLib: typeof import('yaml') | undefined;
/**
 * The yaml package, loaded on the first fromYaml (or a YAML template target) rather than at start:
 * an operator whose templates never read YAML does not need it (~3.8 MB of RSS; docs/benchmarks.md,
 * "Idle memory and start-up").
 */
const yaml = (): typeof import('yaml') => (yamlLib ??= createRequire(import.meta.url)('yaml') as typeof import('yaml'));

const PREFIX = 'error converting YAML to JSON: ';
const TAG = 'tag:yaml.org,2002:';
/** Total nodes one conversion may produce: aliases can expand a small document exponentially. */
const MAX_NODES = 1_000_000;

class YamlFailure extends Error {}

/** ESO's fromYaml: the first document as a map; problems under the "Error" key. */
export function fromYaml(source: string): GoMap {
  const out = newGoMap();
  let value: unknown;
  const readerProblem = isTextString(source) ? undefined : utf8ReaderProblem(goStringToBytes(source));
  if (readerProblem !== undefined) {
    putKey(out, 'Error', `${PREFIX}yaml: ${readerProblem}`);
    return out;
  }
  try {
    value = decodeFirstDocument(source);
  } catch (e) {
    putKey(out, 'Error', e instanceof YamlFailure ? e.message : `${PREFIX}yaml: the document is not valid YAML`);
    return out;
  }
  if (value === null) return out;
  if (typeof value !== 'object' || Array.isArray(value)) {
    const kind = Array.isArray(value) ? 'array' : typeof value === 'string' ? 'string' : typeof value === 'boolean' ? 'bool' : 'number';
    putKey(out, 'Error', `error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`);
    return out;
  }
  return value as GoMap;
}

/**
 * apimachinery's `yaml.Unmarshal` into an `interface{}` (k8s.io/apimachinery/pkg/util/yaml), as ESO
 * reads template output for a generic target's nested path (runtime/template/v2/template.go
 * tryParseYAML and mapScopeApply): sigs.k8s.io/yaml's conversion of the FIRST document to JSON,
 * decoded with numbers kept apart as int64 and float64 (ConvertInterfaceNumbers). A JS number holds
 * both; core/hash.ts goValueHash tells them apart as Go's decoding does. An empty document is null.
 * Fails with Go's text where it names no content (see fromYaml).
 *
 * An integer whose magnitude is above 2^53 and within int64 is exact in Go and would be rounded in a
 * JS number: instead of writing a value ESO would not write, the answer is `{ ok: false,
 * inexactInteger: true }` (its error names no value). Integers beyond int64 are float64 in Go too,
 * and rounded alike.
 */
export function yamlToValue(source: string): { ok: true; value: unknown } | { ok: false; error: string; inexactInteger?: true } {
  const readerProblem = isTextString(source) ? undefined : utf8ReaderProblem(goStringToBytes(source));
  if (readerProblem !== undefined) return { ok: false, error: `${PREFIX}yaml: ${readerProblem}` };
  try {
    return { ok: true, value: decodeFirstDocument(source, int64Value) };
  } catch (e) {
    if (e instanceof InexactInteger) return { ok: false, error: e.message, inexactInteger: true };
    return { ok: false, error: e instanceof YamlFailure ? e.message : `${PREFIX}yaml: the document is not valid YAML` };
  }
}

/** An int64 that a JS number cannot hold exactly (yamlToValue). */
class InexactInteger extends Error {}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** jsonValue, refusing an int64 beyond ±2^53 (apimachinery keeps it exact, a JS number would not). */
function int64Value(r: Resolved): unknown {
  if (r.kind === 'int' && r.v >= INT64_MIN && r.v <= INT64_MAX && (r.v > BigInt(Number.MAX_SAFE_INTEGER) || r.v < BigInt(Number.MIN_SAFE_INTEGER))) {
    throw new InexactInteger('an integer above 2^53 in magnitude (an int64 in Go, which a JavaScript number cannot hold exactly)');
  }
  return jsonValue(r);
}

/**
 * The error go.yaml.in/yaml/v2's reader (readerc.go, yaml_parser_update_buffer) raises for input
 * that is not UTF-8: the first bad sequence, or an earlier character YAML does not allow. The
 * reader decodes its first 512-byte chunk before the scanner starts, so there the problem wins
 * over any syntax error; past it Go reports whichever comes first, which this approximates by the
 * reader's problem (docs/templates.md). Undefined for input Go would read as UTF-16 (a UTF-16 byte
 * order mark), which goes to the parser as it is.
 */
function utf8ReaderProblem(bytes: Uint8Array | undefined): string | undefined {
  if (bytes === undefined) return undefined;
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return undefined;
  for (let pos = 0; pos < bytes.length; ) {
    const octet = bytes[pos]!;
    const width = (octet & 0x80) === 0 ? 1 : (octet & 0xe0) === 0xc0 ? 2 : (octet & 0xf0) === 0xe0 ? 3 : (octet & 0xf8) === 0xf0 ? 4 : 0;
    if (width === 0) return 'invalid leading UTF-8 octet';
    if (width > bytes.length - pos) return 'incomplete UTF-8 octet sequence';
    let value = width === 1 ? octet & 0x7f : width === 2 ? octet & 0x1f : width === 3 ? octet & 0x0f : octet & 0x07;
    for (let k = 1; k < width; k++) {
      const trail = bytes[pos + k]!;
      if ((trail & 0xc0) !== 0x80) return 'invalid trailing UTF-8 octet';
      value = (value << 6) + (trail & 0x3f);
    }
    const shortest = width === 1 || (width === 2 && value >= 0x80) || (width === 3 && value >= 0x800) || (width === 4 && value >= 0x10000);
    if (!shortest) return 'invalid length of a UTF-8 sequence';
    if ((value >= 0xd800 && value <= 0xdfff) || value > 0x10ffff) return 'invalid Unicode character';
    const allowed =
      value === 0x09 || value === 0x0a || value === 0x0d || (value >= 0x20 && value <= 0x7e) || value === 0x85 ||
      (value >= 0xa0 && value <= 0xd7ff) || (value >= 0xe000 && value <= 0xfffd) || (value >= 0x10000 && value <= 0x10ffff);
    if (!allowed) return 'control characters are not allowed';
    pos += width;
  }
  return undefined;
}

function decodeFirstDocument(source: string, leaf: Leaf = jsonValue): unknown {
  const docs = yaml().parseAllDocuments(source, { version: '1.1', schema: 'failsafe', uniqueKeys: false, logLevel: 'silent', merge: false });
  const list = Array.isArray(docs) ? docs : [];
  const doc = list[0];
  if (doc === undefined) return null;
  if (doc.errors.length > 0) throw new Error('parse');
  const yamlDirective = doc.directives?.yaml;
  if (yamlDirective?.explicit === true && yamlDirective.version !== '1.1') throw new YamlFailure(`${PREFIX}yaml: found incompatible YAML document`);
  const state: State = { nodes: 0, active: new Set<Node>(), targets: aliasTargets(doc), decodes: 0, aliased: 0, aliasDepth: 0 };
  decoded(state); // yaml.v2 counts the document node itself
  return convert(doc, doc.contents as Node | null, state, leaf);
}

interface State {
  nodes: number;
  readonly active: Set<Node>;
  /** Each alias node's anchor (aliasTargets). */
  readonly targets: ReadonlyMap<Node, Node>;
  /** yaml.v2's decoder counts (decode.go unmarshal): nodes decoded, those inside an alias, alias nesting. */
  decodes: number;
  aliased: number;
  aliasDepth: number;
}

/**
 * Every alias's node, in one pass: the last node anchored with its name before it, as YAML
 * resolves it. (The yaml package's Alias.resolve walks the whole document on each call: a few
 * thousand aliases took seconds.)
 */
function aliasTargets(doc: Document): Map<Node, Node> {
  const anchors = new Map<string, Node>();
  const targets = new Map<Node, Node>();
  yaml().visit(doc, (_key, node) => {
    if (yaml().isAlias(node)) {
      const target = anchors.get(node.source);
      if (target !== undefined) targets.set(node as Node, target);
    } else if (yaml().isNode(node) && node.anchor) anchors.set(node.anchor, node as Node);
  });
  return targets;
}

function targetOf(node: Node, state: State): Node {
  const target = state.targets.get(node);
  if (target === undefined) throw new Error('unknown anchor');
  return target;
}

/**
 * yaml.v2's guard against alias bombs (decode.go unmarshal, allowedAliasRatio): past 1,000 decoded
 * nodes, of which more than 100 inside aliases, the share inside aliases may be at most 99 % up to
 * 400,000 nodes, falling linearly to 10 % at 4,000,000.
 */
function decoded(state: State): void {
  state.decodes++;
  if (state.aliasDepth > 0) state.aliased++;
  const n = state.decodes;
  const allowed = n <= 400_000 ? 0.99 : n >= 4_000_000 ? 0.1 : 0.99 - 0.89 * ((n - 400_000) / 3_600_000);
  if (state.aliased > 100 && n > 1000 && state.aliased / n > allowed) throw new YamlFailure(`${PREFIX}yaml: document contains excessive aliasing`);
}

/** yaml.v2's decoder.alias: the anchored node, decoded one alias deeper. */
function throughAlias<T>(state: State, decode: () => T): T {
  state.aliasDepth++;
  try {
    return decode();
  } finally {
    state.aliasDepth--;
  }
}

/** What a scalar becomes: its JSON value (fromYaml) or, for a string target, kept resolved. */
type Leaf = (r: Resolved) => unknown;

/** yaml.v2's decode into interface{}, then sigs.k8s.io/yaml's JSON round trip. */
function convert(doc: Document, node: Node | null, state: State, leaf: Leaf = jsonValue): unknown {
  if (++state.nodes > MAX_NODES) throw new YamlFailure(`${PREFIX}yaml: document contains excessive aliasing`);
  decoded(state); // an empty value is a null scalar node to yaml.v2
  if (node === null || node === undefined) return null;
  if (yaml().isAlias(node)) {
    const target = targetOf(node, state);
    if (state.active.has(target)) throw new YamlFailure(`${PREFIX}yaml: an anchor's value contains itself`);
    return throughAlias(state, () => convert(doc, target, state, leaf));
  }
  state.active.add(node);
  try {
    if (yaml().isScalar(node)) return leaf(resolveScalar(node.value as string, node.type === 'PLAIN', node.tag));
    if (yaml().isSeq(node)) return node.items.map((item) => convert(doc, item as Node, state, leaf));
    if (yaml().isMap(node)) {
      const out = newGoMap();
      for (const pair of node.items) {
        const keyNode = pair.key as Node | null;
        if (keyNode !== null && yaml().isScalar(keyNode) && keyNode.type === 'PLAIN' && keyNode.tag === undefined && keyNode.value === '<<') {
          mergeInto(doc, out, pair.value as Node | null, state, leaf);
          continue;
        }
        const key = jsonKey(convertKey(doc, keyNode, state));
        putKey(out, key, convert(doc, pair.value as Node | null, state, leaf));
      }
      return out;
    }
  } finally {
    state.active.delete(node);
  }
  throw new Error('unknown node');
}

/** yaml.v2's merge key: a map's entries overwrite; in a list of maps the earlier map wins. */
function mergeInto(doc: Document, out: GoMap, valueNode: Node | null, state: State, leaf: Leaf): void {
  // decode.go merge: a map or an alias of one, or a sequence of those (not counted itself).
  const mapOrAlias = (node: Node | null): boolean => node !== null && (yaml().isMap(node) || (yaml().isAlias(node) && yaml().isMap(targetOf(node, state))));
  const mergeOne = (node: Node) => {
    const merged = convert(doc, node, state, leaf) as GoMap;
    for (const k of Object.keys(merged)) putKey(out, k, merged[k]);
  };
  if (mapOrAlias(valueNode)) return mergeOne(valueNode!);
  if (valueNode !== null && yaml().isSeq(valueNode)) {
    for (let i = valueNode.items.length - 1; i >= 0; i--) {
      const item = valueNode.items[i] as Node | null;
      if (!mapOrAlias(item)) throw new YamlFailure(`${PREFIX}yaml: map merge requires map or sequence of maps as the value`);
      mergeOne(item!);
    }
    return;
  }
  throw new YamlFailure(`${PREFIX}yaml: map merge requires map or sequence of maps as the value`);
}

type Resolved = { kind: 'str'; v: string } | { kind: 'int'; v: bigint } | { kind: 'float'; v: number } | { kind: 'bool'; v: boolean } | { kind: 'null' };

function convertKey(doc: Document, node: Node | null, state: State): Resolved | 'collection' {
  if (node === null || node === undefined) return { kind: 'null' };
  decoded(state);
  if (yaml().isAlias(node)) return throughAlias(state, () => convertKey(doc, targetOf(node, state), state));
  if (yaml().isScalar(node)) {
    state.nodes++;
    return resolveScalar(node.value as string, node.type === 'PLAIN', node.tag);
  }
  return 'collection';
}

/** sigs.k8s.io/yaml convertToJSONableObject's key rules. */
function jsonKey(key: Resolved | 'collection'): string {
  if (key === 'collection') throw new YamlFailure(`${PREFIX}yaml: invalid map key`);
  switch (key.kind) {
    case 'str':
      return key.v;
    case 'int':
      if (key.v > 9223372036854775807n) throw new YamlFailure(`${PREFIX}unsupported map key of type: uint64`);
      return key.v.toString();
    case 'float':
      return formatFloat32G(key.v);
    case 'bool':
      return key.v ? 'true' : 'false';
    default:
      throw new YamlFailure(`${PREFIX}unsupported map key of type: %!s(<nil>)`);
  }
}

/** A resolved scalar after the JSON round trip: numbers become float64; NaN and ±Inf fail. */
function jsonValue(r: Resolved): unknown {
  switch (r.kind) {
    case 'str':
      return r.v;
    case 'int':
      return Number(r.v);
    case 'float':
      if (Number.isNaN(r.v)) throw new YamlFailure(`${PREFIX}json: unsupported value: NaN`);
      if (!Number.isFinite(r.v)) throw new YamlFailure(`${PREFIX}json: unsupported value: ${r.v > 0 ? '+Inf' : '-Inf'}`);
      return Object.is(r.v, -0) ? -0 : r.v;
    case 'bool':
      return r.v;
    default:
      return null;
  }
}

const RESOLVE_MAP: ReadonlyMap<string, Resolved> = new Map<string, Resolved>([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'].map((s): [string, Resolved] => [s, { kind: 'bool', v: true }]),
  ...['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'].map((s): [string, Resolved] => [s, { kind: 'bool', v: false }]),
  ...['', '~', 'null', 'Null', 'NULL'].map((s): [string, Resolved] => [s, { kind: 'null' }]),
  ...['.nan', '.NaN', '.NAN'].map((s): [string, Resolved] => [s, { kind: 'float', v: NaN }]),
  ...['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].map((s): [string, Resolved] => [s, { kind: 'float', v: Infinity }]),
  ...['-.inf', '-.Inf', '-.INF'].map((s): [string, Resolved] => [s, { kind: 'float', v: -Infinity }]),
]);


/** yaml.v2 resolve.go for a scalar with the given tag (undefined: none). */
function resolveScalar(text: string, plain: boolean, tag: string | undefined): Resolved {
  if (tag === `${TAG}binary`) {
    const decoded = decodeStd(new Uint8Array(Buffer.from(text.replace(/\s/g, ''), 'utf8')));
    if (!decoded.ok) throw new YamlFailure(`${PREFIX}yaml: !!binary value contains invalid base64 data`);
    return { kind: 'str', v: jsonString(goStringFromBytes(decoded.bytes)) };
  }
  const resolvable = tag === undefined || [`${TAG}str`, `${TAG}bool`, `${TAG}int`, `${TAG}float`, `${TAG}null`, `${TAG}timestamp`].includes(tag);
  if (!resolvable) return { kind: 'str', v: text };
  // Quoted scalars without a tag are strings; an explicit tag makes yaml.v2 resolve the text.
  const r = tag === `${TAG}str` || (tag === undefined && !plain) ? ({ kind: 'str', v: text } as Resolved) : resolvePlain(text);
  if (tag === undefined || tag === `${TAG}str` || tag === `${TAG}timestamp`) return r;
  const want = tag.slice(TAG.length);
  if (r.kind === want) return r;
  if (want === 'float' && r.kind === 'int') return { kind: 'float', v: Number(r.v) };
  throw new YamlFailure(`${PREFIX}yaml: cannot decode a value as a !!${want}`);
}

function resolvePlain(text: string): Resolved {
  const known = RESOLVE_MAP.get(text);
  if (known !== undefined) return known;
  const c = text[0] ?? '';
  if (c === '.') {
    const f = parseGoFloat(text);
    return f === undefined ? { kind: 'str', v: text } : { kind: 'float', v: f };
  }
  if (c !== '+' && c !== '-' && !(c >= '0' && c <= '9')) return { kind: 'str', v: text };
  const plain = text.replace(/_/g, '');
  const int = parseGoIntBase0(plain);
  if (int !== undefined) return { kind: 'int', v: int };
  if (YAML_STYLE_FLOAT.test(plain)) {
    const f = Number(plain);
    if (Number.isFinite(f)) return { kind: 'float', v: f };
  }
  return { kind: 'str', v: text };
}

/** strconv.ParseFloat for the forms a scalar starting with '.' can have. */
function parseGoFloat(s: string): number | undefined {
  if (!/^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(s)) return undefined;
  const f = Number(s);
  return Number.isFinite(f) ? f : undefined;
}

/** encoding/json writes each byte that is not UTF-8 as U+FFFD. */
function jsonString(s: string): string {
  return s.replace(/[\uDC80-\uDCFF]/g, '\uFFFD');
}

/** strconv.FormatFloat(f, 'g', -1, 32): the shortest float32 digits, exponent from 1e+06 / 1e-05. */
function formatFloat32G(f: number): string {
  if (Number.isNaN(f)) return '.nan';
  if (!Number.isFinite(f)) return f > 0 ? '.inf' : '-.inf';
  const f32 = Math.fround(f);
  if (f32 === 0) return Object.is(f32, -0) ? '-0' : '0';
  let digits = '';
  let exp = 0;
  for (let p = 1; p <= 9; p++) {
    const [m, e] = Math.abs(f32).toExponential(p - 1).split('e') as [string, string];
    if (Math.fround(Number(`${m}e${e}`)) === Math.abs(f32)) {
      digits = m.replace('.', '').replace(/0+$/, '') || '0';
      exp = Number(e);
      break;
    }
  }
  return layoutShortestG(f32 < 0, digits, exp);
}

/** A scalar kept as resolved by yaml.v2, for a target whose Go type is string. */
class ScalarLeaf {
  readonly r: Resolved;
  constructor(r: Resolved) {
    this.r = r;
  }
}

/**
 * sigs.k8s.io/yaml v1.6.0 `Unmarshal` into a `map[string]string`, as ESO's templateFrom with
 * `KeysAndValues` (and `literal`) reads a rendered template (runtime/template/v2/template.go
 * mapScopeApply). Checked against Go (sigs.k8s.io/yaml v1.6.0): with a string target,
 * convertToJSONableObject turns an int into its decimal text, a float into
 * strconv.FormatFloat(f, 'g', -1, 32) (`1.0` → "1", `1e3` → "1000", `.inf` → "+Inf"), a bool into
 * "true"/"false" (`yes` too: YAML 1.1); null becomes ""; a list or map value, or a document that is
 * not a map, fails with encoding/json's text (which names kinds, never content). Entries come in
 * the document's key order. The error text is Go's where Go's names no content (see fromYaml).
 */
export function yamlToStringMap(source: string): { ok: true; entries: [string, string][] } | { ok: false; error: string } {
  const readerProblem = isTextString(source) ? undefined : utf8ReaderProblem(goStringToBytes(source));
  if (readerProblem !== undefined) return { ok: false, error: `${PREFIX}yaml: ${readerProblem}` };
  let value: unknown;
  try {
    value = decodeFirstDocument(source, (r) => new ScalarLeaf(r));
  } catch (e) {
    return { ok: false, error: e instanceof YamlFailure ? e.message : `${PREFIX}yaml: the document is not valid YAML` };
  }
  const kindOf = (v: unknown): string => (Array.isArray(v) ? 'array' : v instanceof ScalarLeaf ? scalarKind(v.r) : 'object');
  const jsonError = (kind: string, into: string) => ({ ok: false as const, error: `error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${kind} into Go value of type ${into}` });
  if (value === null || (value instanceof ScalarLeaf && value.r.kind === 'null')) return { ok: true, entries: [] };
  if (Array.isArray(value) || value instanceof ScalarLeaf) return jsonError(kindOf(value), 'map[string]string');
  const map = value as GoMap;
  // encoding/json decodes the members in json.Marshal's order (sorted keys): the first bad one is reported.
  for (const k of Object.keys(map).sort()) {
    const v = map[k];
    if (!(v instanceof ScalarLeaf)) return jsonError(kindOf(v), 'string');
  }
  const entries: [string, string][] = [];
  for (const k of Object.keys(map)) entries.push([k, stringTargetText((map[k] as ScalarLeaf).r)]);
  return { ok: true, entries };
}

function scalarKind(r: Resolved): string {
  return r.kind === 'str' ? 'string' : r.kind === 'bool' ? 'bool' : r.kind === 'null' ? 'null' : 'number';
}

/** convertToJSONableObject's coercion of a scalar for a string target, then the JSON round trip. */
function stringTargetText(r: Resolved): string {
  switch (r.kind) {
    case 'str':
      return jsonString(r.v);
    case 'int':
      return r.v.toString();
    case 'float': {
      // FormatFloat's own spellings here (the key path maps them to YAML's .inf/.nan).
      const f32 = Math.fround(r.v);
      if (Number.isNaN(f32)) return 'NaN';
      if (!Number.isFinite(f32)) return f32 > 0 ? '+Inf' : '-Inf';
      return formatFloat32G(r.v);
    }
    case 'bool':
      return r.v ? 'true' : 'false';
    default:
      return '';
  }
}
