// A small, raw-preserving subset of gjson (the Go library ESO's azurekv provider uses for `property`).
//
// Why not JSON.parse: gjson returns numbers and nested objects as the exact bytes of the source
// (`1.50` stays `1.50`, big integers keep every digit, nested JSON keeps its spacing), and Node's
// parser error messages quote the input, which is a secret. This scanner records where each value
// sits in the text and never produces a message at all: invalid JSON simply "does not exist".
//
// Supported path syntax: dot-separated keys, `\.` (or any `\x`) to escape, numeric components index
// arrays, and `#` as the last component gives an array's length. gjson's wildcards, queries and
// modifiers are not supported: such a path does not match and the caller reports the property missing.

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

/** Splits a gjson path on unescaped dots; `\x` stands for a literal `x`. */
export function splitJsonPath(path: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c === '\\' && i + 1 < path.length) {
      current += path[++i];
    } else if (c === '.') {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}

function childOf(text: string, node: JsonNode, component: string): JsonNode | undefined {
  let found: JsonNode | undefined;
  if (node.kind === 'object') {
    scanObject(text, node.start, (key, child) => {
      if (key !== component) return false;
      found = child;
      return true; // gjson takes the first member with that name
    });
  } else if (node.kind === 'array' && /^\d+$/.test(component)) {
    const wanted = Number(component);
    scanArray(text, node.start, (index, child) => {
      if (index !== wanted) return false;
      found = child;
      return true;
    });
  }
  return found;
}

function arrayLength(text: string, node: JsonNode): number {
  let count = 0;
  scanArray(text, node.start, () => {
    count++;
  });
  return count;
}

/** gjson's `Result.String()`: strings unescaped, null as "", everything else as its raw JSON text. */
function renderResult(text: string, node: JsonNode): string {
  const raw = text.slice(node.start, node.end);
  if (node.kind === 'string') return decodeJsonString(raw);
  if (node.kind === 'null') return '';
  return raw;
}

/**
 * Looks up `path` in the JSON `text` the way gjson.Get(text, path).String() does.
 * Returns undefined when the text is not JSON or the path does not exist.
 */
export function getJsonPath(text: string, path: string): string | undefined {
  const root = scanDocument(text);
  if (!root) return undefined;
  const parts = splitJsonPath(path);
  let node: JsonNode = root;
  for (let i = 0; i < parts.length; i++) {
    const component = parts[i]!;
    if (component === '#' && i === parts.length - 1 && node.kind === 'array') return String(arrayLength(text, node));
    const child = childOf(text, node, component);
    if (!child) return undefined;
    node = child;
  }
  return renderResult(text, node);
}

/**
 * The members of a JSON object as ESO's getSecretMapMap returns them: string members unescaped,
 * every other member as its exact raw JSON (json.RawMessage). Undefined when `text` is not an object.
 */
export function jsonObjectMembers(text: string): Map<string, string> | undefined {
  const root = scanDocument(text);
  if (root?.kind !== 'object') return undefined;
  const members = new Map<string, string>();
  scanObject(text, root.start, (key, node) => {
    // encoding/json keeps the last duplicate key when decoding into a map.
    members.set(key, node.kind === 'string' ? decodeJsonString(text.slice(node.start, node.end)) : text.slice(node.start, node.end));
  });
  return members;
}

/** True when `text` is a JSON object whose members are all strings (ESO expands such tags). */
export function stringObjectMembers(text: string): Map<string, string> | undefined {
  const root = scanDocument(text);
  if (root?.kind !== 'object') return undefined;
  const members = new Map<string, string>();
  let allStrings = true;
  scanObject(text, root.start, (key, node) => {
    if (node.kind !== 'string') allStrings = false;
    else members.set(key, decodeJsonString(text.slice(node.start, node.end)));
  });
  return allStrings ? members : undefined;
}
