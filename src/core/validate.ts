// Semantic checks on ExternalSecrets and stores: what the JSON schema cannot say. Used by the
// controller (a spec error is terminal: InvalidSpec/NotSupported) and by `projector validate`.
// Mirrors ESO's admission webhook (apis/externalsecrets/v1/externalsecret_validator.go and the
// store validator) plus the features Projector accepts in the schema but does not implement.
// Pure: no I/O. Messages name fields and keys, never values.
import type { ExternalSecret, ExternalSecretDataFrom, GenericStore, LabelSelector } from '../api/index.ts';
import { DEFAULT_CONTROLLER_CLASS, shouldProcessStore } from './controller-class.ts';
import { parseDuration } from './duration.ts';
import { compileGoRegexp } from './go-regexp.ts';
import { issue, type Issue } from './issues.ts';
import { MIN_REFRESH_INTERVAL_MS, remoteRefBoundIssues } from './limits.ts';

/** Features the schema accepts (so manifests apply) but Projector does not implement yet. */
export const NOT_SUPPORTED: readonly { path: string; message: string }[] = [
  'spec.data[].sourceRef.generatorRef',
  'spec.dataFrom[].sourceRef.generatorRef',
  'spec.target.template.engineVersion: v1',
].map((path) => ({ path, message: `${path} is not supported by Projector yet` }));

/** Providers Projector implements (keys under spec.provider). */
export const SUPPORTED_PROVIDERS: readonly string[] = ['azurekv', 'fake'];

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_SUBDOMAIN_MAX = 253;

export function isDnsSubdomain(name: string): boolean {
  return name.length <= DNS_SUBDOMAIN_MAX && DNS_SUBDOMAIN.test(name);
}

// ---------------------------------------------------------------------------------------------
// ExternalSecret

export function validateExternalSecret(es: ExternalSecret): Issue[] {
  const spec = es.spec ?? {};
  return [
    ...checkNames(es),
    ...checkRefreshInterval(spec.refreshInterval),
    ...checkHasData(es),
    ...checkPolicies(es),
    ...checkDuplicateSecretKeys(es),
    ...checkDataFrom(asArray(spec.dataFrom)),
    ...checkRemoteRefBounds(es),
    ...checkStoreRefs(es),
    ...checkNotSupported(es),
  ];
}

function checkNames(es: ExternalSecret): Issue[] {
  const out: Issue[] = [];
  const name = es.metadata?.name;
  if (typeof name === 'string' && !isDnsSubdomain(name)) {
    out.push(issue('metadata.name', 'InvalidName', 'metadata.name must be a DNS subdomain (lowercase letters, digits, "-" and ".", at most 253 characters)'));
  }
  const target = es.spec?.target?.name;
  if (typeof target === 'string' && !isDnsSubdomain(target)) {
    out.push(issue('spec.target.name', 'InvalidName', 'target.name must be a DNS subdomain (lowercase letters, digits, "-" and ".", at most 253 characters)'));
  }
  return out;
}

function checkRefreshInterval(interval: string | undefined): Issue[] {
  if (interval === undefined) return [];
  const ms = parseDuration(String(interval));
  if (ms === undefined) {
    return [issue('spec.refreshInterval', 'InvalidDuration', 'refreshInterval must be a Go duration such as "1h", "15m30s" or "0", at most 2562047h47m16.854775807s (Go\'s time.Duration)')];
  }
  if (ms > 0 && ms < MIN_REFRESH_INTERVAL_MS) {
    return [issue('spec.refreshInterval', 'RefreshIntervalFloor', `refreshInterval is below Projector's floor of ${MIN_REFRESH_INTERVAL_MS / 1000}s: it refreshes at most once per second`, 'warning')];
  }
  return [];
}

/** Size bounds of every remote ref (core/limits.ts), wherever it sits in the spec. */
function checkRemoteRefBounds(es: ExternalSecret): Issue[] {
  return [
    ...asArray(es.spec?.data).flatMap((item, i) => remoteRefBoundIssues(item?.remoteRef, `spec.data[${i}].remoteRef`)),
    ...asArray(es.spec?.dataFrom).flatMap((entry, i) => [
      ...remoteRefBoundIssues(entry?.extract, `spec.dataFrom[${i}].extract`),
      ...remoteRefBoundIssues(entry?.find, `spec.dataFrom[${i}].find`),
    ]),
  ];
}

// ESO's webhook rejects an ExternalSecret with neither data nor dataFrom, even when the template
// has literal data, so Projector does too (a template-only manifest would fail on ESO).
function checkHasData(es: ExternalSecret): Issue[] {
  if (asArray(es.spec?.data).length > 0 || asArray(es.spec?.dataFrom).length > 0) return [];
  return [issue('spec', 'NoData', 'either spec.data or spec.dataFrom must be set')];
}

function checkPolicies(es: ExternalSecret): Issue[] {
  const creation = es.spec?.target?.creationPolicy ?? 'Owner';
  const deletion = es.spec?.target?.deletionPolicy ?? 'Retain';
  const path = 'spec.target.deletionPolicy';
  if (deletion === 'Delete' && (creation === 'Merge' || creation === 'CreateOrMerge' || creation === 'None')) {
    return [issue(path, 'InvalidPolicy', `deletionPolicy Delete must not be used with creationPolicy ${creation}: the Secret is not owned by the ExternalSecret; use creationPolicy Owner`)];
  }
  if (deletion === 'Merge' && creation === 'None') {
    return [issue(path, 'InvalidPolicy', 'deletionPolicy Merge must not be used with creationPolicy None: there is no Secret to merge with')];
  }
  return [];
}

// ESO rejects duplicates only under deletionPolicy Retain (the default); otherwise the last one
// silently wins, which is still worth a warning.
function checkDuplicateSecretKeys(es: ExternalSecret): Issue[] {
  const severity = (es.spec?.target?.deletionPolicy ?? 'Retain') === 'Retain' ? 'error' : 'warning';
  const firstIndex = new Map<string, number>();
  const out: Issue[] = [];
  asArray(es.spec?.data).forEach((item, i) => {
    const key = item?.secretKey;
    if (typeof key !== 'string') return;
    const first = firstIndex.get(key);
    if (first === undefined) firstIndex.set(key, i);
    else out.push(issue(`spec.data[${i}].secretKey`, 'DuplicateSecretKey', `secretKey "${key}" is also set by spec.data[${first}]`, severity));
  });
  return out;
}

function checkDataFrom(entries: ExternalSecretDataFrom[]): Issue[] {
  return entries.flatMap((entry, i) => {
    const path = `spec.dataFrom[${i}]`;
    if (entry === null || typeof entry !== 'object') return [];
    const sources = [entry.extract && 'extract', entry.find && 'find', entry.sourceRef?.generatorRef && 'sourceRef.generatorRef'].filter(Boolean);
    const out: Issue[] = [];
    if (sources.length === 0) out.push(issue(path, 'DataFromEmpty', 'a dataFrom entry needs exactly one of extract, find or sourceRef.generatorRef'));
    if (sources.length > 1) out.push(issue(path, 'DataFromAmbiguous', `a dataFrom entry needs exactly one of extract, find or sourceRef.generatorRef; found ${sources.join(', ')}`));
    if (entry.sourceRef && !entry.sourceRef.storeRef && !entry.sourceRef.generatorRef) {
      out.push(issue(`${path}.sourceRef`, 'SourceRefEmpty', 'sourceRef needs storeRef or generatorRef'));
    }
    if (entry.find) out.push(...checkFind(entry.find, `${path}.find`));
    asArray(entry.rewrite).forEach((rw, j) => {
      const source = rw?.regexp?.source;
      if (typeof source === 'string') out.push(...checkRegexp(source, `${path}.rewrite[${j}].regexp.source`));
    });
    return out;
  });
}

function checkFind(find: NonNullable<ExternalSecretDataFrom['find']>, path: string): Issue[] {
  const hasName = typeof find.name?.regexp === 'string' && find.name.regexp !== '';
  const hasTags = find.tags !== undefined && Object.keys(find.tags).length > 0;
  const out: Issue[] = [];
  if (!hasName && !hasTags) out.push(issue(path, 'FindEmpty', 'find needs name.regexp or tags'));
  if (typeof find.name?.regexp === 'string') out.push(...checkRegexp(find.name.regexp, `${path}.name.regexp`));
  return out;
}

function checkRegexp(source: string, path: string): Issue[] {
  const compiled = compileGoRegexp(source);
  return compiled.ok ? [] : [issue(path, 'InvalidRegexp', `not a valid Go (RE2) regular expression: ${compiled.reason}`)];
}

// Every data item and every extract/find needs a store: its own sourceRef.storeRef or the
// ExternalSecret's secretStoreRef.
function checkStoreRefs(es: ExternalSecret): Issue[] {
  if (es.spec?.secretStoreRef) return [];
  const out: Issue[] = [];
  const message = 'no store: set spec.secretStoreRef or this entry\'s sourceRef.storeRef';
  asArray(es.spec?.data).forEach((item, i) => {
    if (!item?.sourceRef?.storeRef && !item?.sourceRef?.generatorRef) out.push(issue(`spec.data[${i}]`, 'StoreRefMissing', message));
  });
  asArray(es.spec?.dataFrom).forEach((entry, i) => {
    if (!entry?.sourceRef?.storeRef && !entry?.sourceRef?.generatorRef) out.push(issue(`spec.dataFrom[${i}]`, 'StoreRefMissing', message));
  });
  return out;
}

function checkNotSupported(es: ExternalSecret): Issue[] {
  const out: Issue[] = [];
  const notSupported = (path: string, generic: string) => out.push(issue(path, 'NotSupported', `${generic} is not supported by Projector yet`));
  asArray(es.spec?.data).forEach((item, i) => {
    if (item?.sourceRef?.generatorRef) notSupported(`spec.data[${i}].sourceRef.generatorRef`, 'spec.data[].sourceRef.generatorRef');
  });
  asArray(es.spec?.dataFrom).forEach((entry, i) => {
    if (entry?.sourceRef?.generatorRef) notSupported(`spec.dataFrom[${i}].sourceRef.generatorRef`, 'spec.dataFrom[].sourceRef.generatorRef');
  });
  const template = es.spec?.target?.template;
  if (template?.engineVersion === 'v1') notSupported('spec.target.template.engineVersion', 'spec.target.template.engineVersion: v1');
  return out;
}

// ---------------------------------------------------------------------------------------------
// SecretStore / ClusterSecretStore (provider-independent parts; providers add their own checks)

export function validateSecretStore(store: GenericStore): Issue[] {
  const spec = store.spec ?? ({} as GenericStore['spec']);
  return [
    ...checkProvider(spec.provider),
    ...checkConditions(store),
    ...checkRetrySettings(spec.retrySettings),
    ...checkControllerClass(store),
  ];
}

/**
 * A store naming a controller class other than the default is ignored by an operator started
 * with default flags (core/controller-class.ts, ESO's ShouldProcessStore): a warning, since an
 * operator with that `--controller-class` may well exist.
 */
function checkControllerClass(store: GenericStore): Issue[] {
  if (shouldProcessStore(store, DEFAULT_CONTROLLER_CLASS)) return [];
  const wanted = String(store.spec.controller);
  return [
    issue(
      'spec.controller',
      'ControllerClass',
      `only an operator started with --controller-class ${JSON.stringify(wanted)} serves this store and the ExternalSecrets using it; the default class is "${DEFAULT_CONTROLLER_CLASS}" (an empty spec.controller is served by every class)`,
      'warning',
    ),
  ];
}

/** The provider keys that are set (a key written as null configures nothing, as on the API server). */
export function configuredProviders(provider: unknown): string[] {
  if (provider === null || typeof provider !== 'object') return [];
  return Object.entries(provider as Record<string, unknown>)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k]) => k)
    .sort();
}

function checkProvider(provider: unknown): Issue[] {
  const names = configuredProviders(provider);
  if (names.length === 0) return [issue('spec.provider', 'NoProvider', 'exactly one provider must be set under spec.provider')];
  const out: Issue[] = [];
  if (names.length > 1) {
    out.push(issue('spec.provider', 'MultipleProviders', `exactly one provider must be set under spec.provider; found ${names.length}: ${names.join(', ')}`));
  }
  for (const name of names) {
    if (!SUPPORTED_PROVIDERS.includes(name)) {
      out.push(issue(`spec.provider.${name}`, 'NotSupported', `provider "${name}" is not supported by Projector; supported: ${SUPPORTED_PROVIDERS.join(', ')}`));
    }
  }
  return out;
}

function checkConditions(store: GenericStore): Issue[] {
  const conditions = asArray(store.spec?.conditions);
  const out: Issue[] = [];
  if (store.kind === 'SecretStore' && conditions.length > 0) {
    out.push(issue('spec.conditions', 'ConditionsIgnored', 'conditions apply to ClusterSecretStores only; a SecretStore serves its own namespace', 'warning'));
  }
  conditions.forEach((condition, i) => {
    asArray(condition?.namespaceRegexes).forEach((re, j) => {
      if (typeof re === 'string') out.push(...checkRegexp(re, `spec.conditions[${i}].namespaceRegexes[${j}]`));
    });
    if (condition?.namespaceSelector) out.push(...checkLabelSelector(condition.namespaceSelector, `spec.conditions[${i}].namespaceSelector`));
  });
  return out;
}

const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** The rules metav1.LabelSelectorAsSelector enforces. */
export function checkLabelSelector(sel: LabelSelector, path: string): Issue[] {
  return asArray(sel.matchExpressions).flatMap((expr, i) => {
    const at = `${path}.matchExpressions[${i}]`;
    if (!SELECTOR_OPERATORS.includes(expr?.operator)) {
      return [issue(`${at}.operator`, 'InvalidSelector', `operator must be one of ${SELECTOR_OPERATORS.join(', ')}`)];
    }
    const values = asArray(expr.values);
    if ((expr.operator === 'In' || expr.operator === 'NotIn') && values.length === 0) {
      return [issue(`${at}.values`, 'InvalidSelector', `operator ${expr.operator} needs at least one value`)];
    }
    if ((expr.operator === 'Exists' || expr.operator === 'DoesNotExist') && values.length > 0) {
      return [issue(`${at}.values`, 'InvalidSelector', `operator ${expr.operator} takes no values`)];
    }
    return [];
  });
}

function checkRetrySettings(retry: GenericStore['spec']['retrySettings']): Issue[] {
  const interval = retry?.retryInterval;
  if (interval === undefined || parseDuration(String(interval)) !== undefined) return [];
  return [issue('spec.retrySettings.retryInterval', 'InvalidDuration', 'retryInterval must be a Go duration such as "10s"')];
}

function asArray<T>(v: T[] | undefined | null): T[] {
  return Array.isArray(v) ? v : [];
}

