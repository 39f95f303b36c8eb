// Which ExternalSecrets may use which store: ESO's rules (secretstore manager shouldProcessSecret).
// A SecretStore serves its own namespace only. A ClusterSecretStore serves every namespace unless
// spec.conditions is set; then any one condition matching is enough, and within a condition any
// of namespaceSelector, namespaces or namespaceRegexes matching is enough.
import type { GenericStore, LabelSelector } from '../api/index.ts';
import { compileGoRegexp } from './go-regexp.ts';

export type StoreAccess = { allowed: true } | { allowed: false; reason: string };

/** Kubernetes sets this label on every namespace; ESO matches `namespaces` through it. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * May an ExternalSecret in `namespace` use `store`? `namespaceLabels` undefined means the labels
 * are unknown: a namespaceSelector then cannot match, and the reason says so.
 */
export function isStoreAllowed(store: GenericStore, namespace: string, namespaceLabels: Record<string, string> | undefined): StoreAccess {
  const name = store.metadata.name;
  if (store.kind !== 'ClusterSecretStore') {
    if (store.metadata.namespace === namespace) return { allowed: true };
    return { allowed: false, reason: `SecretStore "${name}" is in namespace "${store.metadata.namespace ?? ''}" and serves only that namespace, not "${namespace}"` };
  }
  const conditions = Array.isArray(store.spec?.conditions) ? store.spec.conditions : [];
  if (conditions.length === 0) return { allowed: true };
  const labels = namespaceLabels === undefined ? undefined : { [NAMESPACE_NAME_LABEL]: namespace, ...namespaceLabels };
  let selectorUndecided = false;
  for (const condition of conditions) {
    if (condition.namespaceSelector) {
      if (labels === undefined) selectorUndecided = true;
      else if (matchesLabelSelector(condition.namespaceSelector, labels)) return { allowed: true };
    }
    if ((condition.namespaces ?? []).includes(namespace)) return { allowed: true };
    if ((condition.namespaceRegexes ?? []).some((re) => matchesGoRegexp(re, namespace))) return { allowed: true };
  }
  const why = selectorUndecided ? ' (the namespace\'s labels are unknown, so namespaceSelector could not match)' : '';
  return { allowed: false, reason: `ClusterSecretStore "${name}" does not allow namespace "${namespace}" by its spec.conditions${why}` };
}

/**
 * ESO's client_manager.go calls regexp.MatchString(reg, ns): unanchored. An invalid pattern
 * matches nothing here (ESO errors; store validation reports it as a spec error).
 */
function matchesGoRegexp(source: string, text: string): boolean {
  const compiled = compileGoRegexp(source);
  return compiled.ok && compiled.regexp.matchString(text);
}

/**
 * metav1.LabelSelector semantics: matchLabels and every matchExpression must hold. An empty
 * selector matches everything; an invalid expression (unknown operator, In/NotIn without values)
 * matches nothing, as LabelSelectorAsSelector fails on it.
 */
export function matchesLabelSelector(sel: LabelSelector, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(sel.matchLabels ?? {})) {
    if (!Object.hasOwn(labels, key) || labels[key] !== value) return false;
  }
  for (const expr of sel.matchExpressions ?? []) {
    if (!matchesExpression(expr, labels)) return false;
  }
  return true;
}

/**
 * A valid metav1.LabelSelector in the API server's `labelSelector` query syntax
 * (apimachinery labels.Selector.String): `k=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`, joined by
 * commas; `''` (everything) for an empty selector, as LabelSelectorAsSelector. Check the selector
 * first (validate.ts checkLabelSelector): operators are not re-checked here.
 */
export function labelSelectorQuery(sel: LabelSelector): string {
  const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const expr of sel.matchExpressions ?? []) {
    const values = (expr.values ?? []).join(',');
    if (expr.operator === 'In') parts.push(`${expr.key} in (${values})`);
    else if (expr.operator === 'NotIn') parts.push(`${expr.key} notin (${values})`);
    else if (expr.operator === 'Exists') parts.push(expr.key);
    else if (expr.operator === 'DoesNotExist') parts.push(`!${expr.key}`);
  }
  return parts.join(',');
}

function matchesExpression(expr: NonNullable<LabelSelector['matchExpressions']>[number], labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, expr.key);
  const values = expr.values ?? [];
  switch (expr.operator) {
    case 'In':
      return values.length > 0 && has && values.includes(labels[expr.key]!);
    case 'NotIn':
      return values.length > 0 && (!has || !values.includes(labels[expr.key]!));
    case 'Exists':
      return values.length === 0 && has;
    case 'DoesNotExist':
      return values.length === 0 && !has;
    default:
      return false;
  }
}
