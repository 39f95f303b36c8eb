// Apply-time validation: the CEL rules (`x-kubernetes-validations`) the CRDs carry, and the messages
// they share with core/validate.ts, which judges the same rules for `projector validate`, `dev`,
// `check` and the operator. A message here is the text both print; the logic lives twice (CEL for the
// API server, TypeScript in core/validate.ts), and test/integration/kube/crd-validation.test.ts
// applies every bad object to both and requires both to refuse it with this text.
//
// Sources: ESO's admission webhook (apis/externalsecrets/v1/externalsecret_validator.go,
// secretstore_validator.go), ESO's Go decoding (metav1.Duration and intstr refuse what Go cannot
// parse) and Projector's own rules. What CEL cannot express within the API server's cost budget is
// listed in docs/design/004-eso-crd-superset.md (checked by `projector validate` and at run time only).
import type { CelRule } from './schema-kit.ts';

/** Creation policies that do not own the Secret (ESO validatePolicies). */
export const NON_OWNER_CREATION_POLICIES = ['Merge', 'CreateOrMerge', 'None'] as const;

/**
 * Go's time.ParseDuration syntax in RE2 (CEL's `matches` is Go's regexp): an optional `+`, then "0"
 * or one or more <number><unit>. core/duration.ts parseSpecDuration accepts exactly this (and
 * refuses a value above Go's int64 of nanoseconds, which CEL's duration() refuses too).
 */
export const GO_DURATION_RE = '^[+]?(0|(([0-9]+([.][0-9]*)?|[.][0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$';

/**
 * GO_DURATION_RE with Go's `-` too: an ExternalSecret's or PushSecret's refreshInterval is any metav1.Duration in
 * ESO's CRD, a negative one included (an ExternalSecret then syncs once, as for 0; a PushSecret
 * pushes on every reconcile). core/duration.ts parseExternalSecretRefreshInterval and
 * parsePushSecretRefreshInterval accept exactly this.
 */
export const GO_SIGNED_DURATION_RE = '^[-+]?(0|(([0-9]+([.][0-9]*)?|[.][0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$';

/**
 * Longest duration string a spec field takes. ESO declares none; the API server's CEL cost budget
 * needs one before it runs a regular expression over the field. Go's longest canonical duration,
 * 2562047h47m16.854775807s, has 24 characters.
 */
export const MAX_DURATION_CHARS = 64;

/**
 * Most windows an ExternalSecret's `spec.syncWindows.windows` takes. ESO declares no bound; the API
 * server prices a CEL rule inside a list by the longest list a request could carry, so the
 * duration rule on each window (Rules.syncWindowDuration) needs one (unbounded, the rule alone was
 * 47 times over its budget). Sync windows in practice number a handful.
 */
export const MAX_SYNC_WINDOWS = 100;

export const Msg = {
  noData: 'either spec.data or spec.dataFrom must be set',
  deleteWithoutOwner: (creation: string) => `deletionPolicy Delete must not be used with creationPolicy ${creation}: the Secret is not owned by the ExternalSecret; use creationPolicy Owner`,
  mergeWithNone: 'deletionPolicy Merge must not be used with creationPolicy None: there is no Secret to merge with',
  dataFromEmpty: 'a dataFrom entry needs extract, find or sourceRef',
  dataFromAmbiguousRule: 'a dataFrom entry takes at most one of extract, find and sourceRef.generatorRef',
  dataFromAmbiguous: (found: string[]) => `a dataFrom entry takes at most one of extract, find and sourceRef.generatorRef; found ${found.join(', ')}`,
  findEmpty: 'find needs a non-empty name.regexp or tags; an empty tags: {} or regexp: "" is no filter (ESO would read every secret in the store)',
  invalidRegexp: 'not a valid Go (RE2) regular expression',
  mergeIntoMissing: "a merge with strategy JSON needs into: the key the merged object is written to (ESO fails it at every sync: merge failed with missing 'into' field)",
  refreshInterval: 'refreshInterval must be a Go duration such as "1h", "15m30s" or "0", at most 2562047h47m16.854775807s (Go\'s time.Duration)',
  retryInterval: 'retryInterval is not a Go duration such as "10s"; neither ESO nor Projector reads it for azurekv or fake stores, so it is ignored',
  storeRefreshInterval: 'refreshInterval must be whole seconds (0 to 2147483647) or a Go duration such as "5m"',
  syncWindowDuration: 'duration must be a Go duration such as "8h" or "30m", at most 2562047h47m16.854775807s (Go\'s time.Duration)',
  bootstrapToken: 'template.type bootstrap.kubernetes.io/token is not allowed',
  serviceAccountTokenAnnotation: 'template.type kubernetes.io/service-account-token with the annotation kubernetes.io/service-account.name is not allowed',
  serviceAccountTokenTemplateFrom: 'template.type kubernetes.io/service-account-token with a templateFrom target Annotations is not allowed',
  templateFromTarget: 'templateFrom target must be Data, Annotations or Labels (in any case) when the target is a Secret',
  selectorOperator: 'operator must be one of In, NotIn, Exists, DoesNotExist',
  selectorNeedsValues: (op: string) => `operator ${op} needs at least one value`,
  selectorTakesNoValues: (op: string) => `operator ${op} takes no values`,
} as const;

/** A rule as the CRD carries it (fieldPath: where the API server reports it, relative to the node). */
export interface CrdRule extends Partial<CelRule> {
  rule: string;
  message?: string;
  messageExpression?: string;
  fieldPath?: string;
}

const cel = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
/** A CEL messageExpression printing `message(x)` with `x` the CEL expression `arg`. */
const celMessage = (message: (x: string) => string, arg: string): string => {
  const [before, after] = message('\u0000').split('\u0000');
  return `${cel(before!)} + ${arg} + ${cel(after!)}`;
};
const duration = (message: string): CrdRule => ({ rule: `self.matches(${cel(GO_DURATION_RE)}) && duration(self) >= duration('0s')`, message });
/** Any metav1.Duration, a negative one too (the `duration(self)` calls refuse what overflows Go's int64 of nanoseconds). */
const signedDuration = (message: string): CrdRule => ({
  rule: `self.matches(${cel(GO_SIGNED_DURATION_RE)}) && (self.startsWith('-') ? duration(self) <= duration('0s') : duration(self) >= duration('0s'))`,
  message,
});

export const Rules = {
  /** On spec (ESO: "either data or dataFrom should be specified"). */
  externalSecretSpec: [{ rule: '(has(self.data) && size(self.data) > 0) || (has(self.dataFrom) && size(self.dataFrom) > 0)', message: Msg.noData }],
  /** On spec.target (ESO validatePolicies). */
  target: [
    {
      rule: `!has(self.deletionPolicy) || self.deletionPolicy != 'Delete' || !has(self.creationPolicy) || !(self.creationPolicy in [${NON_OWNER_CREATION_POLICIES.map(cel).join(', ')}])`,
      messageExpression: celMessage(Msg.deleteWithoutOwner, 'self.creationPolicy'),
      fieldPath: '.deletionPolicy',
    },
    {
      rule: "!has(self.deletionPolicy) || self.deletionPolicy != 'Merge' || !has(self.creationPolicy) || self.creationPolicy != 'None'",
      message: Msg.mergeWithNone,
      fieldPath: '.deletionPolicy',
    },
  ],
  /** On spec.target.template (ESO validatePrivilegedTemplate, the parts CEL can afford). */
  template: [
    { rule: "!has(self.type) || self.type != 'bootstrap.kubernetes.io/token'", message: Msg.bootstrapToken, fieldPath: '.type' },
    {
      rule: "!has(self.type) || self.type != 'kubernetes.io/service-account-token' || !has(self.metadata) || !has(self.metadata.annotations) || !('kubernetes.io/service-account.name' in self.metadata.annotations)",
      message: Msg.serviceAccountTokenAnnotation,
      fieldPath: '.metadata.annotations',
    },
  ],
  /**
   * On each spec.dataFrom[] entry (ESO validateFindExtractSourceRef / validateExtractFindGenerator).
   * A sourceRef alone passes (its schema needs exactly one of storeRef and generatorRef): ESO accepts
   * an entry with only sourceRef.storeRef and its controller reads nothing for it (core/external-secret.ts
   * dataFromSource).
   */
  dataFromEntry: [
    { rule: 'has(self.extract) || has(self.find) || has(self.sourceRef)', message: Msg.dataFromEmpty },
    // A messageExpression naming the fields found is over the cost budget: the API server's text stops
    // before core/validate.ts's "; found extract, find".
    { rule: '(has(self.extract) ? 1 : 0) + (has(self.find) ? 1 : 0) + (has(self.sourceRef) && has(self.sourceRef.generatorRef) ? 1 : 0) <= 1', message: Msg.dataFromAmbiguousRule },
  ],
  /** On spec.dataFrom[].find. */
  find: [{ rule: 'has(self.tags) || (has(self.name) && has(self.name.regexp))', message: Msg.findEmpty }],
  refreshInterval: [duration(Msg.refreshInterval)],
  /**
   * An ExternalSecret's or PushSecret's spec.refreshInterval: signed (the `duration(self)` calls refuse what overflows Go's int64 of nanoseconds).
   */
  signedRefreshInterval: [signedDuration(Msg.refreshInterval)],
  /**
   * An ExternalSecret's spec.syncWindows.windows[].duration: a metav1.Duration, which ESO decodes
   * with time.ParseDuration (an object whose duration Go refuses cannot be decoded at all). Negative
   * durations decode; such a window is never open (core/sync-windows.ts).
   */
  syncWindowDuration: [signedDuration(Msg.syncWindowDuration)],
  /** On a store's int-or-string spec.refreshInterval (ESO GetRefreshInterval). */
  storeRefreshInterval: [
    { rule: `type(self) == int ? (self >= 0 && self <= 2147483647) : (self.matches(${cel(GO_DURATION_RE)}) && duration(self) >= duration('0s'))`, message: Msg.storeRefreshInterval },
  ],
  /** On each matchExpressions[] entry (metav1.LabelSelectorAsSelector). */
  selectorRequirement: [
    { rule: "self.operator in ['In', 'NotIn', 'Exists', 'DoesNotExist']", message: Msg.selectorOperator, fieldPath: '.operator' },
    {
      rule: "!(self.operator in ['In', 'NotIn']) || (has(self.values) && size(self.values) > 0)",
      messageExpression: celMessage(Msg.selectorNeedsValues, 'self.operator'),
      fieldPath: '.values',
    },
    {
      rule: "!(self.operator in ['Exists', 'DoesNotExist']) || !has(self.values) || size(self.values) == 0",
      messageExpression: celMessage(Msg.selectorTakesNoValues, 'self.operator'),
      fieldPath: '.values',
    },
  ],
} satisfies Record<string, CrdRule[]>;

/** The rules that stand in for ESO's ExternalSecret webhook (externalsecret_validator.go). */
const ES_WEBHOOK_RULES = new Set([...Rules.externalSecretSpec, ...Rules.target, ...Rules.template, ...Rules.dataFromEntry].map((r) => r.rule));

/**
 * A copy of `schema` without the ExternalSecret webhook's rules, at any depth: ESO validates only
 * ExternalSecrets in its webhook, so a ClusterExternalSecret's externalSecretSpec is refused only
 * where ESO's schema refuses it; each ExternalSecret it stamps out meets the rules (the
 * ClusterExternalSecret's failedNamespaces then say why, as with ESO's webhook). Duration syntax
 * (Go decoding) and Projector's own `find` rule stay.
 */
export function withoutExternalSecretWebhookRules<T>(schema: T): T {
  if (Array.isArray(schema)) return schema.map(withoutExternalSecretWebhookRules) as T;
  if (schema === null || typeof schema !== 'object') return schema;
  // TypeBox keeps its own markers (`~kind`, …) as non-enumerable properties: copied as they are.
  const out = {};
  for (const [key, desc] of Object.entries(Object.getOwnPropertyDescriptors(schema))) {
    if (key === 'x-kubernetes-validations' && Array.isArray(desc.value)) {
      const kept = (desc.value as CrdRule[]).filter((r) => !ES_WEBHOOK_RULES.has(r.rule));
      if (kept.length > 0) Object.defineProperty(out, key, { ...desc, value: kept });
    } else {
      Object.defineProperty(out, key, 'value' in desc ? { ...desc, value: withoutExternalSecretWebhookRules(desc.value) } : desc);
    }
  }
  return out as T;
}
