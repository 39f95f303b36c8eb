/** Go's encoding/json output for template values: sorted keys, Go's escaping, float formatting. */
import { quoteJson } from '../go-json-any.ts';
import { GoTime } from './go-time.ts';
import { FuncError } from './template-error.ts';
import { GoObject, GoTypedInt, isExported, isNil, isNilSlice, sortedKeys, type GoMap } from './values.ts';

export interface JsonStyle {
  /** json.Marshal escapes <, > and & for HTML; sprig's toRawJson turns that off. */
  readonly escapeHTML: boolean;
  /** MarshalIndent's indent string; empty for the compact form. */
  readonly indent: string;
}

export function toGoJson(v: unknown, style: JsonStyle): string {
  return encode(v, style, '');
}

function encode(v: unknown, style: JsonStyle, prefix: string): string {
  if (isNil(v) || isNilSlice(v)) return 'null';
  if (v instanceof GoTypedInt) return v.value.toString();
  // time.Time.MarshalJSON: RFC 3339 with nanoseconds, for years 0..9999 only.
  if (v instanceof GoTime) {
    const year = Number(v.format('2006'));
    if (year < 0 || year > 9999) throw new FuncError('json: error calling MarshalJSON for type time.Time: Time.MarshalJSON: year outside of range [0,9999]');
    return `"${v.format('2006-01-02T15:04:05.999999999Z07:00')}"`;
  }
  // The type's own JSON (semver.Version's MarshalJSON: a string, so there is nothing to indent).
  if (v instanceof GoObject && v.type.json) return v.type.json(v.value);
  switch (typeof v) {
    case 'string':
      return quoteJson(v, style.escapeHTML);
    case 'bigint':
      return v.toString();
    case 'number':
      if (!Number.isFinite(v)) throw new FuncError('json: unsupported value: a non-finite float');
      return Object.is(v, -0) ? '-0' : String(v);
    case 'boolean':
      return String(v);
    default:
      break;
  }
  const inner = prefix + style.indent;
  const nl = style.indent === '' ? '' : '\n';
  const sep = style.indent === '' ? ':' : ': ';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[${nl}${v.map((x) => inner + encode(x, style, inner)).join(`,${nl}`)}${nl}${prefix}]`;
  }
  // A struct without MarshalJSON (or a pointer to one): its exported fields in declaration order.
  const entries = v instanceof GoObject ? v.fields().filter(([k]) => isExported(k)) : sortedKeys(v as GoMap).map((k) => [k, (v as GoMap)[k]] as const);
  if (entries.length === 0) return '{}';
  return `{${nl}${entries.map(([k, x]) => `${inner}${quoteJson(k, style.escapeHTML)}${sep}${encode(x, style, inner)}`).join(`,${nl}`)}${nl}${prefix}}`;
}
