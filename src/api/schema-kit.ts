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

/** ESO's (kubebuilder's) pattern for a Kubernetes object name: a DNS-1123 subdomain. */
export const DNS_SUBDOMAIN_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
/** ESO's pattern for a namespace name: a DNS-1123 label. */
export const DNS_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** ESO's pattern for a key of a Secret or ConfigMap (corev1 IsConfigMapKey's character set). */
export const SECRET_KEY_PATTERN = '^[-._a-zA-Z0-9]+$';

/** An object name with ESO's CRD bounds (1..253 characters, DNS subdomain). */
export function ObjectName(options: { description?: string } = {}): TUnsafe<string> {
  return Type.Unsafe<string>({ type: 'string', minLength: 1, maxLength: 253, pattern: DNS_SUBDOMAIN_PATTERN, ...options });
}

/** A namespace name with ESO's CRD bounds (1..63 characters, DNS label). */
export function NamespaceName(options: { description?: string } = {}): TUnsafe<string> {
  return Type.Unsafe<string>({ type: 'string', minLength: 1, maxLength: 63, pattern: DNS_LABEL_PATTERN, ...options });
}

/** A key of a Secret or ConfigMap with ESO's CRD bounds (1..253 characters of `-._a-zA-Z0-9`). */
export function SecretKeyName(options: { description?: string } = {}): TUnsafe<string> {
  return Type.Unsafe<string>({ type: 'string', minLength: 1, maxLength: 253, pattern: SECRET_KEY_PATTERN, ...options });
}

/**
 * CEL rules the API server evaluates at apply time (`x-kubernetes-validations`). Each message is the
 * text core/validate.ts reports for the same rule, so `projector validate` and `kubectl apply` say the
 * same thing (test/integration/kube/crd-validation.test.ts applies each bad object to both).
 */
export interface CelRule {
  rule: string;
  message: string;
}

/** A Go-style duration string such as "1h", "15m30s" or "0". */
export function Duration(options: { description?: string; default?: string; maxLength?: number; 'x-kubernetes-validations'?: object[] } = {}): TUnsafe<string> {
  return Type.Unsafe<string>({ type: 'string', ...options });
}
