// Small schema builders that keep TypeBox output inside the "structural schema" subset
// Kubernetes accepts for CRDs (no const/anyOf-of-literals, no patternProperties).
import Type, { type TSchema, type TUnsafe } from 'typebox';

export { Type };
export type { Static, TSchema } from 'typebox';

/** A string restricted to a closed set, rendered as a JSON Schema `enum`. */
export function StringEnum<const T extends readonly string[]>(values: T, options: { description?: string; default?: T[number] } = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** map[string]string, rendered as `additionalProperties`. */
export function StringMap(options: { description?: string } = {}): TUnsafe<Record<string, string>> {
  return Type.Unsafe<Record<string, string>>({ type: 'object', additionalProperties: { type: 'string' }, ...options });
}

/** A map whose values follow `value`. */
export function MapOf<S extends TSchema>(value: S, options: { description?: string } = {}): TUnsafe<Record<string, import('typebox').Static<S>>> {
  return Type.Unsafe({ type: 'object', additionalProperties: value, ...options });
}

/** Marks a field whose JSON type varies (string or object); see Preserved. */
export const UNTYPED = 'x-projector-untyped';

/**
 * Arbitrary JSON kept as written. Kubernetes requires a type on every specified field, so the CRD
 * generator drops such a field from its parent's properties and sets
 * x-kubernetes-preserve-unknown-fields on the parent instead; `projector validate` and the
 * providers check its shape.
 */
export function Preserved<T = unknown>(options: { description?: string } = {}): TUnsafe<T> {
  return Type.Unsafe<T>({ ...options, 'x-kubernetes-preserve-unknown-fields': true, [UNTYPED]: true });
}

/** A Go-style duration string such as "1h", "15m30s" or "0". */
export function Duration(options: { description?: string; default?: string } = {}): TUnsafe<string> {
  return Type.Unsafe<string>({ type: 'string', ...options });
}
