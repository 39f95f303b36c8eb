// `projector validate`: checks ExternalSecret and store manifests in a repository without a cluster
// or a vault, and without printing values (ADR-0502 §5.3: CI validates manifests, never secrets).
// Layers: load (manifests.ts) → schema (schema-check.ts) → semantics (core/validate.ts, the same
// checks the controller runs) → repository conventions (here) → print (output.ts).
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { ClusterExternalSecret, ExternalSecret, GenericStore, PushSecret } from '../../api/index.ts';
import { validatePushSecret } from '../../core/push-secret.ts';
import { validateClusterExternalSecret } from '../../core/cluster-external-secret.ts';
import { validateClusterPushSecret } from '../../core/cluster-push-secret.ts';
import type { ClusterPushSecret } from '../../api/clusterpushsecret.ts';
import { parseDuration, parseExternalSecretRefreshInterval } from '../../core/duration.ts';
import { issue, type Issue } from '../../core/issues.ts';
import { isStoreAllowed, NAMESPACE_NAME_LABEL } from '../../core/store-access.ts';
import { configuredProviders, validateExternalSecret, validateSecretStore } from '../../core/validate.ts';
import type { Provider } from '../../providers/provider.ts';
import { providerStoreIssues } from '../../providers/registry.ts';
import { IMPLEMENTED_GENERATOR_KINDS } from '../../api/generators.ts';
import { generatorRefIssues } from '../../core/generators.ts';
import { configMapTemplateParseIssues, externalSecretTemplateParseIssues, pushSecretTemplateParseIssues } from '../../core/template-parse-issues.ts';
import type { GeneratorRef } from '../../sync/generate.ts';
import { loadManifests, ManifestPathError, type LoadedDoc, type Problem } from '../manifests.ts';
import { CliOutput, documentLabel, hasFailed, type Report } from '../output.ts';
import { checkGeneratorDocument, checkSchema, esoKindOf, isGeneratorDoc, isShapeIntact } from '../schema-check.ts';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type CommandOptions } from './validate-command.ts';

/** Repository conventions; defaults follow ADR-0502 and the HOWTO. */
export interface ValidateConfig {
  /** Where ExternalSecrets belong, as a glob matched against the end of each file's path. */
  externalSecretPath: string;
  refreshInterval: { minMs: number; maxMs: number };
  /** Stores that exist outside the scanned paths: `ClusterSecretStore/name`, `SecretStore/name` or `SecretStore/namespace/name`. */
  knownStores: string[];
  /** Generators that exist outside the scanned paths: `Kind/name` (any namespace) or `Kind/namespace/name`. */
  knownGenerators?: string[];
}

export const DEFAULT_CONFIG: ValidateConfig = {
  externalSecretPath: 'deploy/*/secrets/externalsecret-*.yaml',
  refreshInterval: { minMs: 60_000, maxMs: 24 * 3_600_000 },
  knownStores: [],
  knownGenerators: [],
};

export { EXIT_OK, EXIT_FINDINGS, EXIT_USAGE } from './validate-command.ts';

/** A bad flag or config file: exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface ValidateDeps {
  /** Providers whose validateStore adds provider-specific checks (none: provider-independent checks only). */
  providers?: readonly Provider[];
}

export async function runValidate(paths: string[], config: ValidateConfig, strict: boolean, deps: ValidateDeps = {}, exclude: string[] = []): Promise<Report> {
  for (const ref of config.knownStores) parseStoreRef(ref);
  for (const ref of config.knownGenerators ?? []) parseGeneratorName(ref);
  const { docs, problems } = await loadManifests(paths.length > 0 ? paths : ['.'], { exclude });
  return analyse(docs, problems, config, strict, deps);
}

/** Every check on already-loaded documents; pure, so unit tests feed it parsed text. */
export function analyse(docs: LoadedDoc[], loadProblems: Problem[], config: ValidateConfig, strict: boolean, deps: ValidateDeps = {}): Report {
  const problems: Report['problems'] = [...loadProblems];
  const report = (doc: LoadedDoc, issues: Issue[]) => {
    const document = docs.indexOf(doc);
    for (const i of issues) {
      problems.push({ file: doc.file, ...doc.positionOf(i.path), severity: i.severity, code: i.code, message: i.message, path: i.path, object: documentLabel(doc), document });
    }
  };
  // Every finding of every document in one pass (like kubeconform or ESLint): a schema error
  // hides neither the document's other errors nor the document from the cross-document checks.
  const intact = new Set<LoadedDoc>();
  for (const doc of docs) {
    const { issues, shapeIntact } = checkDocument(doc, config, deps);
    if (shapeIntact) intact.add(doc);
    report(doc, issues);
  }
  // Cross-document checks need only an identity (kind, a string name) and read every other field
  // defensively; a store whose shape is broken still exists, so references to it resolve.
  const identified = (d: LoadedDoc) => isPlainObject(d.object) && typeof d.name === 'string';
  const externalSecrets = docs.filter((d) => identified(d) && esoKindOf(d) === 'ExternalSecret');
  const stores = docs.filter((d) => identified(d) && (esoKindOf(d) === 'SecretStore' || esoKindOf(d) === 'ClusterSecretStore'));
  const namespaceLabels = collectNamespaceLabels(docs);
  const generators = docs.filter((d) => identified(d) && isGeneratorDoc(d));
  const knownGenerators = (config.knownGenerators ?? []).map(parseGeneratorName);
  const referenceChecks = (object: unknown, push: boolean): Issue[] => [
    ...checkStoreRefsResolve(object, stores, intact, config.knownStores, namespaceLabels),
    ...(push ? checkPushRemoteKeys(object, stores, deps) : checkRemoteKeys(object, stores, deps)),
    ...checkGeneratorRefsResolve(object, generators, knownGenerators),
  ];
  for (const doc of externalSecrets) report(doc, referenceChecks(doc.object, false));
  for (const doc of docs.filter((d) => identified(d) && esoKindOf(d) === 'PushSecret')) report(doc, referenceChecks(doc.object, true));
  // The Cluster kinds embed the spec of the objects they create: the same reference checks, on a
  // stand-in object in each namespace they would create it in (as check's collectClusterReferences).
  for (const doc of docs.filter((d) => identified(d) && (esoKindOf(d) === 'ClusterExternalSecret' || esoKindOf(d) === 'ClusterPushSecret'))) {
    const push = esoKindOf(doc) === 'ClusterPushSecret';
    const field = push ? 'pushSecretSpec' : 'externalSecretSpec';
    const spec = (doc.object as { spec?: Record<string, unknown> }).spec;
    if (!isPlainObject(spec) || !isPlainObject(spec[field])) continue;
    const seen = new Set<string>();
    const found: Issue[] = [];
    for (const namespace of clusterTargetNamespaces(spec)) {
      const standIn = { kind: push ? 'PushSecret' : 'ExternalSecret', metadata: namespace === undefined ? {} : { namespace }, spec: spec[field] };
      for (const i of referenceChecks(standIn, push)) {
        const moved = { ...i, path: i.path.replace(/^spec\./, `spec.${field}.`) };
        const key = JSON.stringify([moved.path, moved.code, moved.message]);
        if (!seen.has(key)) found.push(moved), seen.add(key);
      }
    }
    report(doc, found);
  }
  for (const [doc, issues] of checkDuplicateTargets(externalSecrets)) report(doc, issues);
  for (const doc of docs.filter((d) => identified(d) && (esoKindOf(d) === 'ExternalSecret' || esoKindOf(d) === 'PushSecret'))) {
    report(doc, checkConfigMapTemplates(doc, docs));
  }
  return {
    command: 'validate',
    files: [...new Set([...docs.map((d) => d.file), ...loadProblems.map((p) => p.file)])],
    documents: docs.map((d) => ({ file: d.file, index: d.index, line: d.line, column: d.column, kind: d.kind, name: d.name, namespace: d.namespace, validated: isValidatedKind(d) })),
    problems,
    strict,
  };
}

function checkDocument(doc: LoadedDoc, config: ValidateConfig, deps: ValidateDeps): { issues: Issue[]; shapeIntact: boolean } {
  if (!isPlainObject(doc.object)) return { issues: [issue('', 'NotAnObject', 'a Kubernetes manifest must be a mapping')], shapeIntact: false };
  if (!doc.apiVersion || !doc.kind) return { issues: [issue('', 'NotAManifest', 'document has no apiVersion or kind; it was not checked', 'warning')], shapeIntact: false };
  if (doc.kind === 'Secret' && doc.apiVersion === 'v1') return { issues: checkCommittedSecret(doc), shapeIntact: true };
  if (isGeneratorDoc(doc)) return { issues: checkGeneratorDocument(doc), shapeIntact: true };
  const schemaIssues = checkSchema(doc);
  const shapeIntact = isShapeIntact(schemaIssues);
  const kind = esoKindOf(doc);
  // The semantic checks also run on a document whose schema failed, on the parts that are
  // well-formed: semanticOnWellFormedParts drops what they say about a malformed part.
  const semantic = (run: () => Issue[]) => semanticOnWellFormedParts(run, schemaIssues, shapeIntact);
  const issues = [...schemaIssues];
  if (kind === 'ExternalSecret') {
    const es = doc.object as unknown as ExternalSecret;
    issues.push(...semantic(() => validateExternalSecret(es)), ...semantic(() => checkExternalSecretConventions(doc, es, config)));
    // Templates are parsed as the operator parses them at sync (core/template-parse-issues.ts).
    issues.push(...semantic(() => externalSecretTemplateParseIssues(es.spec)));
  } else if (kind === 'PushSecret') {
    // The reconciler's rules (core/push-secret.ts), so validate and the operator judge alike.
    const ps = doc.object as unknown as PushSecret;
    issues.push(...semantic(() => validatePushSecret(ps)), ...semantic(() => pushSecretTemplateParseIssues(ps.spec)));
  } else if (kind === 'ClusterExternalSecret') {
    const ces = doc.object as unknown as ClusterExternalSecret;
    issues.push(...semantic(() => validateClusterExternalSecret(ces)), ...semantic(() => externalSecretTemplateParseIssues(ces.spec?.externalSecretSpec, 'spec.externalSecretSpec')));
  } else if (kind === 'ClusterPushSecret') {
    const cps = doc.object as unknown as ClusterPushSecret;
    issues.push(...semantic(() => validateClusterPushSecret(cps)), ...semantic(() => pushSecretTemplateParseIssues(cps.spec?.pushSecretSpec, 'spec.pushSecretSpec')));
  } else if (kind === 'SecretStore' || kind === 'ClusterSecretStore') {
    const store = doc.object as unknown as GenericStore;
    // The webhook's store checks (controller/admission-webhook.ts providerStoreChecks), ESO's maintenance warning included.
    issues.push(...semantic(() => validateSecretStore(store)), ...semantic(() => providerStoreIssues(deps.providers ?? [], store)));
  }
  return { issues, shapeIntact };
}

/** What checkDocument judges: external-secrets.io kinds and v1 Secrets (others are read for context only, e.g. Namespace labels). */
function isValidatedKind(doc: LoadedDoc): boolean {
  return esoKindOf(doc) !== undefined || isGeneratorDoc(doc) || (doc.kind === 'Secret' && doc.apiVersion === 'v1');
}

const SHAPE_CODES = new Set(['WrongType', 'MissingField', 'SchemaViolation', 'NotAnObject']);

function isAtOrUnder(path: string, ancestor: string): boolean {
  return ancestor === '' || path === ancestor || path.startsWith(`${ancestor}.`) || path.startsWith(`${ancestor}[`);
}

/**
 * Runs one semantic check and keeps what it found on well-formed parts: an issue at or under a
 * field with a schema error is dropped (the schema error already says what is wrong there), and so
 * is an issue above a field whose shape is wrong (the check may have read that field as absent:
 * `data: "x"` is not "no data"). On a document whose schema held, everything is kept and a throw is
 * a bug; on a broken one, a check that trips over the shape adds nothing.
 */
function semanticOnWellFormedParts(run: () => Issue[], schemaIssues: Issue[], shapeIntact: boolean): Issue[] {
  const errors = schemaIssues.filter((i) => i.severity === 'error');
  if (errors.length === 0) return run();
  let found: Issue[];
  try {
    found = run();
  } catch (e) {
    if (shapeIntact) throw e;
    return [];
  }
  return found.filter(
    (i) => !errors.some((s) => isAtOrUnder(i.path, s.path) || (SHAPE_CODES.has(s.code) && isAtOrUnder(s.path, i.path))),
  );
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

// ADR-0502: values live in the vault. A Secret manifest with data is "secret sprawl"; its key
// names may be printed, its values never.
function checkCommittedSecret(doc: LoadedDoc): Issue[] {
  const o = doc.object as { data?: unknown; stringData?: unknown };
  const keysOf = (v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : []);
  const dataKeys = keysOf(o.data);
  const stringDataKeys = keysOf(o.stringData);
  if (dataKeys.length === 0 && stringDataKeys.length === 0) return [];
  const keys = [...new Set([...dataKeys, ...stringDataKeys])].sort();
  const where = dataKeys.length > 0 ? 'data' : 'stringData';
  const name = `${doc.namespace ? `${doc.namespace}/` : ''}${doc.name ?? '(unnamed)'}`;
  return [
    issue(
      where,
      'SecretSprawl',
      `Secret ${name} commits values for ${keys.length === 1 ? 'key' : 'keys'} ${keys.join(', ')} to Git; keep values in the vault and project them with an ExternalSecret`,
    ),
  ];
}

function checkExternalSecretConventions(doc: LoadedDoc, es: ExternalSecret, config: ValidateConfig): Issue[] {
  const out: Issue[] = [];
  if (!globToRegExp(config.externalSecretPath).test(doc.file)) {
    out.push(issue('', 'Layout', `ExternalSecrets belong in files matching ${config.externalSecretPath} (ADR-0502)`, 'warning'));
  }
  if (!es.metadata?.namespace) {
    out.push(issue('metadata', 'NamespaceMissing', 'metadata.namespace is not set; the ExternalSecret would land in whatever namespace kubectl or Argo CD applies it to', 'warning'));
  }
  const interval = es.spec?.refreshInterval;
  // As the operator reads it: a negative interval is 0, "sync once" (core/duration.ts).
  const ms = interval === undefined ? undefined : parseExternalSecretRefreshInterval(String(interval));
  const { minMs, maxMs } = config.refreshInterval;
  if (ms !== undefined && ms !== 0 && (ms < minMs || ms > maxMs)) {
    out.push(issue('spec.refreshInterval', 'RefreshIntervalRange', `refreshInterval is outside the agreed range ${formatMs(minMs)}..${formatMs(maxMs)} ("0" syncs once)`, 'warning'));
  }
  return out;
}

function formatMs(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${ms / 1000}s`;
}

/** `*` matches within one path segment, `**` across segments; matched against the end of a path at a segment boundary. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`(^|/)${re}$`);
}

// --- store references -------------------------------------------------------------------------

interface StoreRefAt {
  path: string;
  kind: 'SecretStore' | 'ClusterSecretStore';
  name: string;
}

function storeRefsOf(es: ExternalSecret): StoreRefAt[] {
  const refs: StoreRefAt[] = [];
  const add = (path: string, ref: { name?: unknown; kind?: unknown } | undefined) => {
    if (ref && typeof ref.name === 'string') refs.push({ path: `${path}.name`, kind: ref.kind === 'ClusterSecretStore' ? 'ClusterSecretStore' : 'SecretStore', name: ref.name });
  };
  if ((es as { kind?: unknown }).kind === 'PushSecret') {
    asArray((es as unknown as PushSecret).spec?.secretStoreRefs).forEach((r, i) => add(`spec.secretStoreRefs[${i}]`, r));
    return refs;
  }
  add('spec.secretStoreRef', es.spec?.secretStoreRef);
  asArray(es.spec?.data).forEach((d, i) => add(`spec.data[${i}].sourceRef.storeRef`, d?.sourceRef?.storeRef));
  asArray(es.spec?.dataFrom).forEach((d, i) => add(`spec.dataFrom[${i}].sourceRef.storeRef`, d?.sourceRef?.storeRef));
  return refs;
}

/** `ClusterSecretStore/name`, `SecretStore/name` (any namespace) or `SecretStore/namespace/name`. */
export function parseStoreRef(ref: string): { kind: 'SecretStore' | 'ClusterSecretStore'; namespace?: string; name: string } {
  const parts = ref.split('/');
  const kind = parts[0]?.toLowerCase();
  if (kind === 'clustersecretstore' && parts.length === 2 && parts[1]) return { kind: 'ClusterSecretStore', name: parts[1] };
  if (kind === 'secretstore' && parts.length === 2 && parts[1]) return { kind: 'SecretStore', name: parts[1] };
  if (kind === 'secretstore' && parts.length === 3 && parts[1] && parts[2]) return { kind: 'SecretStore', namespace: parts[1], name: parts[2] };
  throw new UsageError(`--known-store "${ref}" must be ClusterSecretStore/<name>, SecretStore/<name> or SecretStore/<namespace>/<name>`);
}

function collectNamespaceLabels(docs: LoadedDoc[]): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const d of docs) {
    if (d.kind !== 'Namespace' || d.apiVersion !== 'v1' || !d.name) continue;
    const labels = (d.object as { metadata?: { labels?: Record<string, string> } }).metadata?.labels ?? {};
    out.set(d.name, { ...labels, [NAMESPACE_NAME_LABEL]: d.name });
  }
  return out;
}

/** The scanned store a reference names, seen from an ExternalSecret in `namespace` (undefined: any namespace). */
function findStore(stores: LoadedDoc[], ref: { kind: string; name: string }, namespace: string | undefined): LoadedDoc | undefined {
  const sameNamespace = (ns: string | undefined) => ref.kind === 'ClusterSecretStore' || ns === undefined || namespace === undefined || ns === namespace;
  return stores.find((s) => s.kind === ref.kind && s.name === ref.name && sameNamespace(ref.kind === 'SecretStore' ? s.namespace : undefined));
}

// A remote key is judged by the provider of the store that reads it (Key Vault refuses names the
// fake provider accepts): the entry's own sourceRef.storeRef, else spec.secretStoreRef. A store
// outside the scanned paths (--known-store) has no known provider, so its keys are not judged.
function checkRemoteKeys(object: unknown, stores: LoadedDoc[], deps: ValidateDeps): Issue[] {
  const es = object as ExternalSecret;
  const namespace = es.metadata?.namespace;
  const providerFor = (entryRef: { name?: unknown; kind?: unknown } | undefined): Provider | undefined => {
    const ref = entryRef ?? es.spec?.secretStoreRef;
    if (!ref || typeof ref.name !== 'string') return undefined;
    const store = findStore(stores, { kind: ref.kind === 'ClusterSecretStore' ? 'ClusterSecretStore' : 'SecretStore', name: ref.name }, namespace);
    const names = configuredProviders((store?.object as GenericStore | undefined)?.spec?.provider);
    return names.length === 1 ? deps.providers?.find((p) => p.name === names[0]) : undefined;
  };
  const out: Issue[] = [];
  asArray(es.spec?.data).forEach((item, i) => {
    const key = item?.remoteRef?.key;
    if (typeof key !== 'string' || item?.sourceRef?.generatorRef) return;
    out.push(...(providerFor(item.sourceRef?.storeRef)?.validateRemoteKey?.(key, 'data', `spec.data[${i}].remoteRef.key`) ?? []));
  });
  asArray(es.spec?.dataFrom).forEach((entry, i) => {
    const key = entry?.extract?.key;
    if (typeof key !== 'string' || entry?.sourceRef?.generatorRef) return;
    out.push(...(providerFor(entry.sourceRef?.storeRef)?.validateRemoteKey?.(key, 'extract', `spec.dataFrom[${i}].extract.key`) ?? []));
  });
  return out;
}

// A PushSecret's remote keys are judged by the provider of each store it writes to (azurekv:
// a Key Vault name, or key/ or cert/ and a name), as the provider's client would refuse them.
function checkPushRemoteKeys(object: unknown, stores: LoadedDoc[], deps: ValidateDeps): Issue[] {
  const ps = object as PushSecret;
  const providers = asArray(ps.spec?.secretStoreRefs).flatMap((ref) => {
    if (!ref || typeof ref.name !== 'string') return [];
    const store = findStore(stores, { kind: ref.kind === 'ClusterSecretStore' ? 'ClusterSecretStore' : 'SecretStore', name: ref.name }, ps.metadata?.namespace);
    const names = configuredProviders((store?.object as GenericStore | undefined)?.spec?.provider);
    const provider = names.length === 1 ? deps.providers?.find((p) => p.name === names[0]) : undefined;
    return provider ? [provider] : [];
  });
  const out: Issue[] = [];
  for (const provider of new Set(providers)) {
    asArray(ps.spec?.data).forEach((item, i) => {
      const key = item?.match?.remoteRef?.remoteKey;
      if (typeof key === 'string' && key !== '') out.push(...(provider.validateRemoteKey?.(key, 'data', `spec.data[${i}].match.remoteRef.remoteKey`) ?? []));
    });
    // A dataTo bundle's name is known up front (per-key names come from the Secret's keys).
    asArray(ps.spec?.dataTo).forEach((entry, i) => {
      const key = entry?.remoteKey;
      if (typeof key === 'string' && key !== '') out.push(...(provider.validateRemoteKey?.(key, 'data', `spec.dataTo[${i}].remoteKey`) ?? []));
    });
  }
  return out;
}

function asArray<T>(v: T[] | undefined | null): T[] {
  return Array.isArray(v) ? v : [];
}

function checkStoreRefsResolve(object: unknown, stores: LoadedDoc[], intact: ReadonlySet<LoadedDoc>, knownStores: string[], namespaceLabels: Map<string, Record<string, string>>): Issue[] {
  const es = object as ExternalSecret;
  const namespace = es.metadata?.namespace;
  const known = knownStores.map(parseStoreRef);
  const out: Issue[] = [];
  for (const ref of storeRefsOf(es)) {
    const sameNamespace = (ns: string | undefined) => ref.kind === 'ClusterSecretStore' || ns === undefined || namespace === undefined || ns === namespace;
    const defined = findStore(stores, ref, namespace);
    if (!defined) {
      if (known.some((k) => k.kind === ref.kind && k.name === ref.name && sameNamespace(k.namespace))) continue;
      const where = ref.kind === 'SecretStore' && namespace ? ` in namespace ${namespace}` : '';
      out.push(issue(ref.path, 'StoreNotFound', `${ref.kind} "${ref.name}"${where} is not defined in the scanned paths; add its manifest or pass --known-store ${ref.kind}/${ref.name}`));
      continue;
    }
    // Access is judged from the store's conditions, which need the store's shape to be intact.
    if (typeof namespace !== 'string' || !intact.has(defined)) continue;
    const access = isStoreAllowed(defined.object as GenericStore, namespace, namespaceLabels.get(namespace));
    if (access.allowed) continue;
    const labelsUnknown = !namespaceLabels.has(namespace) && hasNamespaceSelector(defined.object as GenericStore);
    if (labelsUnknown) out.push(issue(ref.path, 'StoreAccessUnknown', `${access.reason}; add the Namespace manifest to the scanned paths to check it`, 'warning'));
    else out.push(issue(ref.path, 'StoreNotAllowed', access.reason));
  }
  return out;
}

/**
 * The namespaces a ClusterExternalSecret or ClusterPushSecret `spec` would create its object in, as
 * far as the repository can tell: each of `spec.namespaces`, and — for namespace selectors, whose
 * matches only a cluster knows — `undefined`, meaning "some namespace": a SecretStore or generator
 * then resolves when the scanned paths define it in any namespace (check's collectClusterReferences
 * places such references where the repository defines the store). Neither: `undefined` too, so a
 * reference that resolves nowhere is still reported.
 */
function clusterTargetNamespaces(spec: Record<string, unknown>): (string | undefined)[] {
  const listed = [...new Set(asArray(spec.namespaces as unknown[]).filter((n): n is string => typeof n === 'string' && n !== ''))];
  const bySelector = spec.namespaceSelector !== undefined || asArray(spec.namespaceSelectors as unknown[]).length > 0;
  return bySelector || listed.length === 0 ? [...listed, undefined] : listed;
}

/** `Kind/name` (any namespace) or `Kind/namespace/name`, Kind one of the generator kinds Projector runs. */
export function parseGeneratorName(ref: string): { kind: string; namespace?: string; name: string } {
  const parts = ref.split('/');
  const kind = IMPLEMENTED_GENERATOR_KINDS.find((k) => k.toLowerCase() === parts[0]?.toLowerCase());
  if (kind && parts.length === 2 && parts[1]) return { kind, name: parts[1] };
  if (kind && kind !== 'ClusterGenerator' && parts.length === 3 && parts[1] && parts[2]) return { kind, namespace: parts[1], name: parts[2] };
  throw new UsageError(`--known-generator "${ref}" must be <Kind>/<name> or <Kind>/<namespace>/<name>, Kind one of ${IMPLEMENTED_GENERATOR_KINDS.join(', ')}`);
}

/**
 * A dataFrom generatorRef (or a PushSecret's spec.selector.generatorRef) naming a generator that is
 * neither in the scanned paths nor given as known: GeneratorNotFound, as `check` and the operator
 * (sync/generate.ts resolveGeneratorRef) say, and judged as a missing store is (an error, silenced by
 * --known-generator as a store by --known-store). Where the ref is itself wrong (generatorRefIssues,
 * reported by the semantic checks), or names a kind Projector does not run, nothing is looked up.
 * A namespaced generator resolves in the object's namespace (any, when the object sets none, as
 * findStore does for a SecretStore); a ClusterGenerator by name.
 */
function checkGeneratorRefsResolve(object: unknown, generators: LoadedDoc[], known: { kind: string; namespace?: string; name: string }[]): Issue[] {
  const o = object as { kind?: unknown; metadata?: { namespace?: unknown }; spec?: Record<string, unknown> };
  const namespace = typeof o.metadata?.namespace === 'string' ? o.metadata.namespace : undefined;
  const refs: { path: string; ref: unknown }[] = [];
  if (o.kind === 'PushSecret') refs.push({ path: 'spec.selector.generatorRef', ref: (o.spec?.selector as { generatorRef?: unknown } | undefined)?.generatorRef });
  else asArray(o.spec?.dataFrom as { sourceRef?: { generatorRef?: unknown } }[]).forEach((d, i) => refs.push({ path: `spec.dataFrom[${i}].sourceRef.generatorRef`, ref: d?.sourceRef?.generatorRef }));
  const out: Issue[] = [];
  for (const { path, ref } of refs) {
    if (!isPlainObject(ref) || generatorRefIssues(ref as unknown as GeneratorRef, path).length > 0) continue;
    const { kind, name } = ref as unknown as GeneratorRef;
    if (!(IMPLEMENTED_GENERATOR_KINDS as readonly string[]).includes(kind) || typeof name !== 'string') continue;
    const cluster = kind === 'ClusterGenerator';
    const sameNamespace = (ns: string | undefined) => cluster || ns === undefined || namespace === undefined || ns === namespace;
    if (generators.some((g) => g.kind === kind && g.name === name && sameNamespace(g.namespace))) continue;
    if (known.some((k) => k.kind === kind && k.name === name && sameNamespace(k.namespace))) continue;
    const where = !cluster && namespace ? ` in namespace ${namespace}` : '';
    out.push(issue(`${path}.name`, 'GeneratorNotFound', `${kind} "${name}"${where} is not defined in the scanned paths; add its manifest or pass --known-generator ${kind}/${name}`));
  }
  return out;
}

function hasNamespaceSelector(store: GenericStore): boolean {
  return (store.spec?.conditions ?? []).some((c) => c.namespaceSelector !== undefined);
}

// --- templates in scanned ConfigMaps ------------------------------------------------------------

/**
 * templateFrom[].configMap items whose ConfigMap (v1, same namespace, or any when the object sets
 * none) is in the scanned paths are parsed as the operator parses them at sync; one not scanned is
 * not judged (the operator reads it from the cluster).
 */
function checkConfigMapTemplates(doc: LoadedDoc, docs: LoadedDoc[]): Issue[] {
  const o = doc.object as { spec?: Record<string, unknown> };
  const push = esoKindOf(doc) === 'PushSecret';
  const template = push ? o.spec?.template : (o.spec?.target as { template?: unknown } | undefined)?.template;
  const namespace = doc.namespace;
  const configMapData = (name: string) => {
    const cm = docs.find((d) => d.apiVersion === 'v1' && d.kind === 'ConfigMap' && d.name === name && (namespace === undefined || d.namespace === undefined || d.namespace === namespace));
    const data = (cm?.object as { data?: unknown } | undefined)?.data;
    return isPlainObject(data) ? data : undefined;
  };
  return configMapTemplateParseIssues(template, push ? 'spec.template' : 'spec.target.template', configMapData);
}

// --- duplicate targets --------------------------------------------------------------------------

// Two ExternalSecrets writing one Secret fight over it: an Owner/Orphan one replaces the whole
// data on each sync. Only ExternalSecrets that all merge (creationPolicy Merge/None) can share.
function checkDuplicateTargets(externalSecrets: LoadedDoc[]): [LoadedDoc, Issue[]][] {
  const byTarget = new Map<string, LoadedDoc[]>();
  for (const doc of externalSecrets) {
    const es = doc.object as ExternalSecret;
    const key = `${es.metadata?.namespace ?? ''}/${es.spec?.target?.name ?? es.metadata?.name ?? ''}`;
    byTarget.set(key, [...(byTarget.get(key) ?? []), doc]);
  }
  const out: [LoadedDoc, Issue[]][] = [];
  for (const [key, docs] of byTarget) {
    const policyOf = (d: LoadedDoc) => (d.object as ExternalSecret).spec?.target?.creationPolicy ?? 'Owner';
    const writers = docs.filter((d) => policyOf(d) !== 'None');
    if (writers.length < 2) continue;
    // The operator's rules (core/plan-target-secret.ts, as ESO's): an Owner ExternalSecret controls
    // the Secret and every other writer is refused; two that replace the whole data (Owner, Orphan)
    // undo each other on every refresh. One Orphan with Merge/CreateOrMerge ones, or only mergers, share it.
    const owner = writers.find((d) => policyOf(d) === 'Owner');
    const replacers = writers.filter((d) => ['Owner', 'Orphan'].includes(policyOf(d)));
    if (!owner && replacers.length < 2) continue;
    const secret = key.startsWith('/') ? key.slice(1) : key;
    const why = owner
      ? `${documentLabel(owner)} (${owner.file}:${owner.line}) has creationPolicy Owner and controls it, so the others are refused ("target is owned by another ExternalSecret"); give all but one creationPolicy Merge, and the one that creates it Orphan or CreateOrMerge`
      : 'each creationPolicy Orphan ExternalSecret replaces the whole data on every refresh, removing the others\' keys; let one create it and give the others creationPolicy Merge';
    for (const doc of writers) {
      const es = doc.object as ExternalSecret;
      const others = writers.filter((d) => d !== doc).map((d) => `${documentLabel(d)} (${d.file}:${d.line})`);
      const path = es.spec?.target?.name !== undefined ? 'spec.target.name' : 'metadata.name';
      out.push([doc, [issue(path, 'DuplicateTarget', `Secret ${secret} is also written by ${others.join(', ')}: ${why}`)]]);
    }
  }
  return out;
}

// --- configuration --------------------------------------------------------------------------------

/** Reads the `validate:` section of a projector.yaml; flags given on the command line win. */
export async function loadValidateConfig(file: string | undefined): Promise<ValidateConfig> {
  if (file === undefined) return { ...DEFAULT_CONFIG };
  const text = await readFile(file, 'utf8').catch(() => {
    throw new UsageError(`cannot read config file ${file}`);
  });
  let parsed: unknown;
  try {
    parsed = parseYaml(text, { version: '1.1', prettyErrors: false });
  } catch {
    throw new UsageError(`config file ${file} is not valid YAML`);
  }
  return configFrom(parsed, file);
}

export function configFrom(parsed: unknown, file: string): ValidateConfig {
  const root = (parsed ?? {}) as Record<string, unknown>;
  const section = (root.validate ?? {}) as Record<string, unknown>;
  const bad = (field: string, want: string) => new UsageError(`${file}: validate.${field} must be ${want}`);
  const unknown = Object.keys(section).filter((k) => !['externalSecretPath', 'refreshInterval', 'knownStores', 'knownGenerators'].includes(k));
  if (unknown.length > 0) throw new UsageError(`${file}: unknown field validate.${unknown[0]}`);
  const config: ValidateConfig = { ...DEFAULT_CONFIG, refreshInterval: { ...DEFAULT_CONFIG.refreshInterval } };
  if (section.externalSecretPath !== undefined) {
    if (typeof section.externalSecretPath !== 'string') throw bad('externalSecretPath', 'a glob string');
    config.externalSecretPath = section.externalSecretPath;
  }
  if (section.knownStores !== undefined) {
    if (!Array.isArray(section.knownStores) || !section.knownStores.every((s) => typeof s === 'string')) throw bad('knownStores', 'a list of Kind/name strings');
    config.knownStores = section.knownStores;
  }
  if (section.knownGenerators !== undefined) {
    if (!Array.isArray(section.knownGenerators) || !section.knownGenerators.every((s) => typeof s === 'string')) throw bad('knownGenerators', 'a list of Kind/name strings');
    config.knownGenerators = section.knownGenerators;
  }
  if (section.refreshInterval !== undefined) {
    const range = section.refreshInterval as Record<string, unknown>;
    for (const end of ['min', 'max'] as const) {
      if (range[end] === undefined) continue;
      const ms = typeof range[end] === 'string' ? parseDuration(range[end]) : undefined;
      if (ms === undefined) throw bad(`refreshInterval.${end}`, 'a Go duration such as "1m"');
      config.refreshInterval[end === 'min' ? 'minMs' : 'maxMs'] = ms;
    }
  }
  return config;
}

/** The `validate` command's work, loaded by validate-command.ts when the command runs. */
export async function validateCommand(paths: string[], opts: CommandOptions, deps: ValidateDeps): Promise<number> {
  const out = new CliOutput({ stdout: process.stdout, stderr: process.stderr, env: process.env });
  try {
    const config = await loadValidateConfig(opts.config);
    config.knownStores = [...config.knownStores, ...(opts.knownStore ?? [])];
    config.knownGenerators = [...(config.knownGenerators ?? []), ...(opts.knownGenerator ?? [])];
    const report = await runValidate(paths, config, opts.strict === true, deps, opts.exclude ?? []);
    out.report(report, opts.output);
    return hasFailed(report) ? EXIT_FINDINGS : EXIT_OK;
  } catch (e) {
    if (e instanceof UsageError) {
      out.usageError(e.message, 'projector validate');
      return EXIT_USAGE;
    }
    if (e instanceof ManifestPathError) {
      out.error(e.message);
      return EXIT_USAGE;
    }
    throw e;
  }
}
