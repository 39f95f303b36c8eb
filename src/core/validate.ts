// Semantic checks on ExternalSecrets and stores: what the JSON schema cannot say. Used by the
// controller (a spec error is terminal: InvalidSpec/NotSupported) and by `projector validate`.
// Mirrors ESO's admission webhook (apis/externalsecrets/v1/externalsecret_validator.go and the
// store validator) plus the features Projector accepts in the schema but does not implement.
// Pure: no I/O. Messages name fields and keys, never values.
import type { ExternalSecret, ExternalSecretDataFrom, GenericStore, LabelSelector } from '../api/index.ts';
import { Msg, NON_OWNER_CREATION_POLICIES } from '../api/validation-rules.ts';
import { DEFAULT_CONTROLLER_CLASS, shouldProcessStore } from './controller-class.ts';
import { parseExternalSecretRefreshInterval, parseSpecDuration, parseStoreRefreshInterval } from './duration.ts';
import { didYouMean } from './did-you-mean.ts';
import { compileGoRegexp } from './go-regexp.ts';
import { generatorRefIssues } from './generators.ts';
import { syncWindowIssues } from './sync-windows.ts';
import { issue, type Issue } from './issues.ts';
import { MIN_REFRESH_INTERVAL_MS, remoteRefBoundIssues } from './limits.ts';
import { unsupportedPropertyMessage } from './gjson.ts';

/** Features the schema accepts (so manifests apply) but Projector does not implement yet. */
export const NOT_SUPPORTED: readonly { path: string; message: string }[] = [
  'spec.data[].sourceRef.generatorRef',
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
    ...syncWindowIssues(spec.syncWindows, 'spec.syncWindows'),
    ...checkHasData(es),
    ...checkPolicies(es),
    ...checkPrivilegedTemplate(es),
    ...checkTemplateFromTargets(es),
    ...checkDuplicateSecretKeys(es),
    ...checkDataFrom(asArray(spec.dataFrom)),
    ...checkRemoteRefBounds(es),
    ...checkStoreRefs(es),
    ...checkNotSupported(es),
    ...checkGenericTarget(es),
  ];
}

/**
 * A generic target (spec.target.manifest other than v1 Secret) is admitted, as ESO's webhook does;
 * the operator writes it only with --unsafe-allow-generic-targets, and its ServiceAccount needs
 * access to the kind. A warning (Projector's; ESO logs a warning when it syncs one), so `validate`
 * and `dev` say so before the operator's condition does.
 */
function checkGenericTarget(es: ExternalSecret): Issue[] {
  const manifest = es.spec?.target?.manifest;
  if (isSecretManifest(es) || !manifest) return [];
  const out = [
    issue(
      'spec.target.manifest',
      'GenericTarget',
      `generic target ${manifest.kind} (${manifest.apiVersion}): written only by an operator started with --unsafe-allow-generic-targets, whose ServiceAccount may get, list, watch, create, update and delete it (docs/generic-targets.md)`,
      'warning',
    ),
  ];
  // ESO renders a templateFrom ConfigMap's or Secret's items into a Secret-shaped scratch object at
  // the entry's target, and carries over only its data: any other target writes nothing.
  asArray(es.spec?.target?.template?.templateFrom).forEach((from, i) => {
    const target = typeof from?.target === 'string' ? from.target : 'Data';
    if ((from?.configMap || from?.secret) && target.toLowerCase() !== 'data') {
      out.push(issue(`spec.target.template.templateFrom[${i}].target`, 'TemplateTargetIgnored', `the configMap and secret items of this entry write nothing to a generic target with target ${JSON.stringify(target)} (as in ESO): only Data carries over; use a literal for other targets`, 'warning'));
    }
  });
  return out;
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
  // Signed, as ESO's metav1.Duration: a negative interval is accepted and means 0 (sync once).
  const ms = parseExternalSecretRefreshInterval(String(interval));
  if (ms === undefined) return [issue('spec.refreshInterval', 'InvalidDuration', Msg.refreshInterval)];
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
  return [issue('spec', 'NoData', Msg.noData)];
}

function checkPolicies(es: ExternalSecret): Issue[] {
  const creation = es.spec?.target?.creationPolicy ?? 'Owner';
  const deletion = es.spec?.target?.deletionPolicy ?? 'Retain';
  const path = 'spec.target.deletionPolicy';
  if (deletion === 'Delete' && (NON_OWNER_CREATION_POLICIES as readonly string[]).includes(creation)) {
    return [issue(path, 'InvalidPolicy', Msg.deleteWithoutOwner(creation))];
  }
  if (deletion === 'Merge' && creation === 'None') return [issue(path, 'InvalidPolicy', Msg.mergeWithNone)];
  return [];
}

// ESO validatePrivilegedTemplate: Secrets Kubernetes itself turns into credentials.
function checkPrivilegedTemplate(es: ExternalSecret): Issue[] {
  const template = es.spec?.target?.template;
  if (template?.type === 'bootstrap.kubernetes.io/token') return [issue('spec.target.template.type', 'PrivilegedTemplate', Msg.bootstrapToken)];
  if (template?.type !== 'kubernetes.io/service-account-token') return [];
  const out: Issue[] = [];
  const annotations = template.metadata?.annotations;
  if (annotations && typeof annotations === 'object' && Object.hasOwn(annotations, 'kubernetes.io/service-account.name')) {
    out.push(issue('spec.target.template.metadata.annotations', 'PrivilegedTemplate', Msg.serviceAccountTokenAnnotation));
  }
  asArray(template.templateFrom).forEach((from, i) => {
    if (typeof from?.target === 'string' && from.target.toLowerCase() === 'annotations') {
      out.push(issue(`spec.target.template.templateFrom[${i}].target`, 'PrivilegedTemplate', Msg.serviceAccountTokenTemplateFrom));
    }
  });
  return out;
}

/** ESO: a Secret target takes templateFrom targets Data, Annotations or Labels, in any case (strings.EqualFold), or "". */
export function isSecretManifest(es: ExternalSecret): boolean {
  const manifest = es.spec?.target?.manifest;
  return !manifest || (manifest.apiVersion === 'v1' && manifest.kind === 'Secret');
}

function checkTemplateFromTargets(es: ExternalSecret): Issue[] {
  if (!isSecretManifest(es)) return [];
  return asArray(es.spec?.target?.template?.templateFrom).flatMap((from, i) => {
    const target = from?.target;
    if (typeof target !== 'string' || ['', 'data', 'annotations', 'labels'].includes(target.toLowerCase())) return [];
    return [issue(`spec.target.template.templateFrom[${i}].target`, 'InvalidTemplateTarget', Msg.templateFromTarget)];
  });
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
    if (!entry.extract && !entry.find && !entry.sourceRef) out.push(issue(path, 'DataFromEmpty', Msg.dataFromEmpty));
    // Only sourceRef.storeRef: ESO accepts it and reads nothing for it (core/external-secret.ts dataFromSource).
    else if (sources.length === 0 && entry.sourceRef?.storeRef) {
      out.push(issue(path, 'DataFromReadsNothing', 'this dataFrom entry has only sourceRef.storeRef: nothing is read for it (as in ESO); add extract or find', 'warning'));
    }
    if (sources.length > 1) out.push(issue(path, 'DataFromAmbiguous', Msg.dataFromAmbiguous(sources as string[])));
    if (entry.sourceRef && !entry.sourceRef.storeRef && !entry.sourceRef.generatorRef) {
      out.push(issue(`${path}.sourceRef`, 'SourceRefEmpty', 'sourceRef needs storeRef or generatorRef'));
    }
    if (entry.find) out.push(...checkFind(entry.find, `${path}.find`));
    // ESO's resolver rules for the ref itself (group, version, kind); the generator object is read at sync.
    out.push(...generatorRefIssues(entry.sourceRef?.generatorRef, `${path}.sourceRef.generatorRef`));
    asArray(entry.rewrite).forEach((rw, j) => {
      const source = rw?.regexp?.source;
      if (typeof source === 'string') out.push(...checkRegexp(source, `${path}.rewrite[${j}].regexp.source`));
      // ESO fails such a merge at every sync, after the read (runtime/esutils/utils.go RewriteMerge);
      // core/rewrite-merge.ts fails it the same way at run time.
      if (rw?.merge?.strategy === 'JSON' && !rw.merge.into) out.push(issue(`${path}.rewrite[${j}].merge.into`, 'MergeIntoMissing', Msg.mergeIntoMissing));
    });
    return out;
  });
}

function checkFind(find: NonNullable<ExternalSecretDataFrom['find']>, path: string): Issue[] {
  const hasName = typeof find.name?.regexp === 'string' && find.name.regexp !== '';
  const hasTags = find.tags !== undefined && Object.keys(find.tags).length > 0;
  const out: Issue[] = [];
  if (!hasName && !hasTags) out.push(issue(path, 'FindEmpty', Msg.findEmpty));
  if (typeof find.name?.regexp === 'string') out.push(...checkRegexp(find.name.regexp, `${path}.name.regexp`));
  return out;
}

/** A user-written regexp that Go's regexp (RE2) would refuse: `InvalidRegexp` at `path` (ExternalSecret find/rewrite, PushSecret dataTo). */
export function checkRegexp(source: string, path: string): Issue[] {
  const compiled = compileGoRegexp(source);
  return compiled.ok ? [] : [issue(path, 'InvalidRegexp', `${Msg.invalidRegexp}: ${compiled.reason}`)];
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
  // Deprecated in ESO, which does not implement it in data[] either (use dataFrom[].sourceRef.generatorRef).
  asArray(es.spec?.data).forEach((item, i) => {
    if (item?.sourceRef?.generatorRef) notSupported(`spec.data[${i}].sourceRef.generatorRef`, 'spec.data[].sourceRef.generatorRef');
  });
  // gjson syntax core/gjson.ts does not evaluate, in a property both providers read with gjson
  // (with metadataPolicy Fetch the property names a tag first, so it is judged when read).
  const property = (ref: { property?: unknown; metadataPolicy?: unknown } | undefined, path: string) => {
    const message = typeof ref?.property === 'string' && ref.metadataPolicy !== 'Fetch' ? unsupportedPropertyMessage(ref.property) : undefined;
    if (message) out.push(issue(`${path}.property`, 'NotSupported', message));
  };
  asArray(es.spec?.data).forEach((item, i) => property(item?.remoteRef, `spec.data[${i}].remoteRef`));
  asArray(es.spec?.dataFrom).forEach((entry, i) => property(entry?.extract, `spec.dataFrom[${i}].extract`));
  const template = es.spec?.target?.template;
  if (template?.engineVersion === 'v1') notSupported('spec.target.template.engineVersion', 'spec.target.template.engineVersion: v1');
  // ESO v2.9 fields Projector does not implement (they change what is written, so never ignored).
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
    ...checkStoreRefreshInterval(spec.refreshInterval),
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

/**
 * Why a store's provider cannot be served: `provider "<name>" is not supported by Projector
 * (did you mean "<supported>"?); supported: <list>`, the hint only for a likely slip (didYouMean).
 * The store reconciler's registry says the same for the providers it has.
 */
export function unsupportedProvider(name: string, supported: readonly string[]): string {
  const hint = didYouMean(name, supported);
  return `provider "${name}" is not supported by Projector${hint ? ` (did you mean "${hint}"?)` : ''}; supported: ${supported.join(', ')}`;
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
      out.push(issue(`spec.provider.${name}`, 'NotSupported', unsupportedProvider(name, SUPPORTED_PROVIDERS)));
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
      return [issue(`${at}.operator`, 'InvalidSelector', Msg.selectorOperator)];
    }
    const values = asArray(expr.values);
    if ((expr.operator === 'In' || expr.operator === 'NotIn') && values.length === 0) {
      return [issue(`${at}.values`, 'InvalidSelector', Msg.selectorNeedsValues(expr.operator))];
    }
    if ((expr.operator === 'Exists' || expr.operator === 'DoesNotExist') && values.length > 0) {
      return [issue(`${at}.values`, 'InvalidSelector', Msg.selectorTakesNoValues(expr.operator))];
    }
    return [];
  });
}

function checkRetrySettings(retry: GenericStore['spec']['retrySettings']): Issue[] {
  const interval = retry?.retryInterval;
  if (interval === undefined || parseSpecDuration(String(interval)) !== undefined) return [];
  // ESO reads retryInterval for none of Projector's providers and its webhook accepts any string: a
  // warning, so that `validate`, the webhook and the operator accept what ESO accepts.
  return [issue('spec.retrySettings.retryInterval', 'InvalidDuration', Msg.retryInterval, 'warning')];
}

/** ESO v2.9 GetRefreshInterval: whole seconds or a Go duration, never negative (its webhook refuses the rest). */
function checkStoreRefreshInterval(value: unknown): Issue[] {
  if (parseStoreRefreshInterval(value) !== undefined) return [];
  return [issue('spec.refreshInterval', 'InvalidDuration', Msg.storeRefreshInterval)];
}

function asArray<T>(v: T[] | undefined | null): T[] {
  return Array.isArray(v) ? v : [];
}

