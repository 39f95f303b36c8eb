// encoding/json's reading of a secret or tag value as ESO's azurekv provider decodes it
// (keyvault.go getSecretMapMap for dataFrom.extract, getSecretTags for metadataPolicy Fetch): strict
// JSON, each value's exact source bytes kept (json.RawMessage). `remoteRef.property` is gjson's,
// which does not validate: gjson.ts.
//
// Why not JSON.parse: RawMessage keeps numbers and nested objects as the exact bytes of the source
// (`1.50` stays `1.50`, big integers keep every digit, nested JSON keeps its spacing), and Node's
// parser error messages quote the input, which is a secret. This scanner records where each value
// sits in the text and never produces a message at all: invalid JSON is simply undefined.

type JsonKind = 'object' | 'array' | 'string' | 'number' | 'true' | 'false' | 'null';

interface JsonNode {
  kind: JsonKind;
  start: number;
  end: number;
}

class NotJson extends Error {}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const NUMBER_PATTERN = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

function skipWhitespace(text: string, pos: number): number {
  while (pos < text.length && WHITESPACE.has(text[pos]!)) pos++;
  return pos;
}

function scanString(text: string, pos: number): number {
  // pos is at the opening quote; returns the index after the closing quote.
  let i = pos + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c === 0x5c) i += 2;
    else if (c < 0x20) throw new NotJson();
    else i++;
  }
  throw new NotJson();
}

function scanLiteral(text: string, pos: number, word: string): number {
  if (!text.startsWith(word, pos)) throw new NotJson();
  return pos + word.length;
}

/** Returns the value starting at `pos` (after whitespace) and calls `onMember` for each direct child. */
function scanValue(
  text: string,
  pos: number,
  onMember?: (key: string | number, node: JsonNode) => boolean | void,
): JsonNode {
  const start = skipWhitespace(text, pos);
  const c = text[start];
  if (c === '{') return scanObject(text, start, onMember);
  if (c === '[') return scanArray(text, start, onMember);
  if (c === '"') return { kind: 'string', start, end: scanString(text, start) };
  if (c === 't') return { kind: 'true', start, end: scanLiteral(text, start, 'true') };
  if (c === 'f') return { kind: 'false', start, end: scanLiteral(text, start, 'false') };
  if (c === 'n') return { kind: 'null', start, end: scanLiteral(text, start, 'null') };
  NUMBER_PATTERN.lastIndex = start;
  const m = NUMBER_PATTERN.exec(text);
  if (!m) throw new NotJson();
  return { kind: 'number', start, end: start + m[0].length };
}

function scanObject(text: string, start: number, onMember?: (key: string, node: JsonNode) => boolean | void): JsonNode {
  let pos = skipWhitespace(text, start + 1);
  let stopped = false;
  if (text[pos] === '}') return { kind: 'object', start, end: pos + 1 };
  for (;;) {
    if (text[pos] !== '"') throw new NotJson();
    const keyEnd = scanString(text, pos);
    const key = decodeJsonString(text.slice(pos, keyEnd));
    pos = skipWhitespace(text, keyEnd);
    if (text[pos] !== ':') throw new NotJson();
    const node = scanValue(text, pos + 1);
    if (!stopped && onMember?.(key, node) === true) stopped = true;
    pos = skipWhitespace(text, node.end);
    if (text[pos] === ',') {
      pos = skipWhitespace(text, pos + 1);
      continue;
    }
    if (text[pos] === '}') return { kind: 'object', start, end: pos + 1 };
    throw new NotJson();
  }
}

function scanArray(text: string, start: number, onMember?: (index: number, node: JsonNode) => boolean | void): JsonNode {
  let pos = skipWhitespace(text, start + 1);
  let stopped = false;
  if (text[pos] === ']') return { kind: 'array', start, end: pos + 1 };
  for (let index = 0; ; index++) {
    const node = scanValue(text, pos);
    if (!stopped && onMember?.(index, node) === true) stopped = true;
    pos = skipWhitespace(text, node.end);
    if (text[pos] === ',') {
      pos = pos + 1;
      continue;
    }
    if (text[pos] === ']') return { kind: 'array', start, end: pos + 1 };
    throw new NotJson();
  }
}

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
  if (root?.kind === 'object') scanObject(text, root.start, each);
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
