// encoding/json's reading of a secret or tag value as ESO's azurekv provider decodes it
// (keyvault.go getSecretMapMap for dataFrom.extract, getSecretTags for metadataPolicy Fetch): strict
// JSON, each value's exact source bytes kept (json.RawMessage). `remoteRef.property` is gjson's,
// which does not validate: gjson.ts.
//
// Why not JSON.parse: RawMessage keeps numbers and nested objects as the exact bytes of the source
// (`1.50` stays `1.50`, big integers keep every digit, nested JSON keeps its spacing), and Node's
// parser error messages quote the input, which is a secret. This scanner records where each value
// sits in the text and never produces a message at all: invalid JSON is simply undefined.

export type JsonKind = 'object' | 'array' | 'string' | 'number' | 'true' | 'false' | 'null';

interface JsonNode {
  kind: JsonKind;
  start: number;
  end: number;
}

class NotJson extends Error {}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const NUMBER_PATTERN = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /[0-9a-fA-F]{4}/y;
const SIMPLE_ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const KIND_BY_FIRST: Readonly<Record<string, JsonKind>> = { '{': 'object', '[': 'array', '"': 'string', t: 'true', f: 'false', n: 'null' };
/** encoding/json's scanner refuses deeper nesting ("exceeded max depth"). */
const MAX_NESTING_DEPTH = 10_000;

function skipWhitespace(text: string, pos: number): number {
  while (pos < text.length && WHITESPACE.has(text[pos]!)) pos++;
  return pos;
}

/** pos is at the opening quote; returns the index after the closing quote. Escapes are checked as encoding/json checks them. */
function scanString(text: string, pos: number): number {
  let i = pos + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c === 0x5c) {
      const e = text[i + 1];
      if (e === 'u') {
        HEX4.lastIndex = i + 2;
        if (!HEX4.test(text)) throw new NotJson();
        i += 6;
      } else if (e !== undefined && SIMPLE_ESCAPES.has(e)) i += 2;
      else throw new NotJson();
    } else if (c < 0x20) throw new NotJson();
    else i++;
  }
  throw new NotJson();
}

function scanScalar(text: string, pos: number): JsonNode {
  const c = text[pos];
  if (c === '"') return { kind: 'string', start: pos, end: scanString(text, pos) };
  for (const word of ['true', 'false', 'null'] as const) {
    if (c === word[0]) {
      if (!text.startsWith(word, pos)) throw new NotJson();
      return { kind: word, start: pos, end: pos + word.length };
    }
  }
  NUMBER_PATTERN.lastIndex = pos;
  const m = NUMBER_PATTERN.exec(text);
  if (!m) throw new NotJson();
  return { kind: 'number', start: pos, end: pos + m[0].length };
}

/** After an object's `{` or `,` (whitespace skipped): the member's key and its colon; returns the index after the colon. */
function scanKey(text: string, pos: number): number {
  if (text[pos] !== '"') throw new NotJson();
  pos = skipWhitespace(text, scanString(text, pos));
  if (text[pos] !== ':') throw new NotJson();
  return pos + 1;
}

/**
 * The value starting at `pos` (after whitespace), checked to its end. Iterative, with an explicit
 * stack: a secret value may nest as deep as encoding/json allows (10,000), far beyond what
 * recursion on Node's stack survives.
 */
function scanValue(text: string, pos: number): JsonNode {
  const start = skipWhitespace(text, pos);
  const closers: string[] = [];
  let i = start;
  for (;;) {
    // A value at i.
    i = skipWhitespace(text, i);
    const c = text[i];
    if (c === '{' || c === '[') {
      if (closers.length >= MAX_NESTING_DEPTH) throw new NotJson();
      const closer = c === '{' ? '}' : ']';
      i = skipWhitespace(text, i + 1);
      if (text[i] === closer) i++;
      else {
        closers.push(closer);
        if (closer === '}') i = scanKey(text, i);
        continue;
      }
    } else {
      i = scanScalar(text, i).end;
    }
    // After a value: close what ends here, or go on to the next element.
    for (;;) {
      const closer = closers.at(-1);
      if (closer === undefined) return { kind: KIND_BY_FIRST[text[start]!] ?? 'number', start, end: i };
      i = skipWhitespace(text, i);
      if (text[i] === ',') {
        i = skipWhitespace(text, i + 1);
        if (closer === '}') i = scanKey(text, i);
        break;
      }
      if (text[i] !== closer) throw new NotJson();
      closers.pop();
      i++;
    }
  }
}

/** The members of the object at `start` (already checked by scanDocument), in order. */
function scanMembers(text: string, start: number, onMember: (key: string, node: JsonNode) => void): void {
  let pos = skipWhitespace(text, start + 1);
  if (text[pos] === '}') return;
  for (;;) {
    const keyEnd = scanString(text, pos);
    const key = decodeJsonString(text.slice(pos, keyEnd));
    const node = scanValue(text, skipWhitespace(text, keyEnd) + 1);
    onMember(key, node);
    pos = skipWhitespace(text, node.end);
    if (text[pos] !== ',') return;
    pos = skipWhitespace(text, pos + 1);
  }
}

/** A string literal already checked by scanString: JSON.parse cannot fail on it. */
function decodeJsonString(literal: string): string {
  try {
    return JSON.parse(literal) as string;
  } catch {
    // The parser's message would quote the literal: never let it out.
    throw new NotJson();
  }
}

/** Parses the whole text as one JSON document, or returns undefined when it is not JSON. */
function scanDocument(text: string): JsonNode | undefined {
  try {
    const node = scanValue(text, 0);
    return skipWhitespace(text, node.end) === text.length ? node : undefined;
  } catch (e) {
    if (e instanceof NotJson) return undefined;
    throw e;
  }
}

/**
 * encoding/json.Unmarshal of `text` into a map: `each` gets every member of a JSON object in order
 * (a duplicate key again; the map keeps the last); the document `null` unmarshals into an empty
 * map. Returns false, calling nothing, when `text` is neither.
 */
function forEachMember(text: string, each: (key: string, node: JsonNode) => void): boolean {
  const root = scanDocument(text);
  if (root?.kind === 'object') scanMembers(text, root.start, each);
  return root?.kind === 'object' || root?.kind === 'null';
}

/**
 * The members of a JSON object as ESO's getSecretMapMap returns them (json.Unmarshal into
 * map[string]json.RawMessage, then each member into a string): string members unescaped, `null`
 * members as "" (unmarshalling null into a string leaves it empty), every other member as its exact
 * raw JSON. `null` itself is an empty map (it unmarshals into a nil map without error). Undefined
 * when `text` is not a JSON object or null.
 */
export function jsonObjectMembers(text: string): Map<string, string> | undefined {
  const members = new Map<string, string>();
  const raw = (node: JsonNode) => text.slice(node.start, node.end);
  const ok = forEachMember(text, (key, node) => {
    members.set(key, node.kind === 'string' ? decodeJsonString(raw(node)) : node.kind === 'null' ? '' : raw(node));
  });
  return ok ? members : undefined;
}

/**
 * A tag value as ESO's getSecretTags reads it (json.Unmarshal into map[string]string): a JSON
 * object whose members are all strings or null (null as ""), or `null` (no members at all).
 * Undefined when it does not unmarshal so: ESO then keeps the tag as it is.
 */
export function stringObjectMembers(text: string): Map<string, string> | undefined {
  const members = new Map<string, string>();
  let allStrings = true;
  const ok = forEachMember(text, (key, node) => {
    if (node.kind === 'null') members.set(key, '');
    else if (node.kind !== 'string') allStrings = false;
    else members.set(key, decodeJsonString(text.slice(node.start, node.end)));
  });
  return ok && allStrings ? members : undefined;
}

/** A JSON document as encoding/json's scanner reads it, with an object's members as source texts. */
export interface JsonDocument {
  kind: JsonKind;
  /** For an object: each member's key (unescaped) and the exact source text of its value, in document order, duplicates kept. */
  members: [key: string, raw: string][];
}

/**
 * The kind of the one JSON document `text` holds and, for an object, its members (json.Unmarshal's
 * checkValid first: whitespace around it, nesting up to encoding/json's 10,000 levels). Undefined
 * when `text` is not JSON. Object keys are unescaped as JSON.parse does (a lone `\ud800` stays a
 * lone surrogate; callers that want Go's reading replace it with U+FFFD).
 */
export function jsonDocument(text: string): JsonDocument | undefined {
  const root = scanDocument(text);
  if (!root) return undefined;
  const members: [string, string][] = [];
  if (root.kind === 'object') scanMembers(text, root.start, (key, node) => members.push([key, text.slice(node.start, node.end)]));
  return { kind: root.kind, members };
}
