// Schema checks for ExternalSecret, SecretStore and ClusterSecretStore documents, against the same
// TypeBox schemas the CRDs are generated from, with `kubectl apply --validate=strict` behaviour:
// a field the schema does not declare is an error (the API server would prune or reject it),
// except under nodes marked x-kubernetes-preserve-unknown-fields.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { ClusterPushSecretSpec, ClusterPushSecretStatus, CLUSTER_PUSH_SECRET_VERSION, ClusterExternalSecretSpec, ClusterExternalSecretStatus, ExternalSecretSpec, ExternalSecretStatus, GROUP, PushSecretSpec, PushSecretStatus, PUSH_SECRET_VERSION, SecretStoreSpec, SecretStoreStatus, SERVED_VERSIONS, STORAGE_VERSION } from '../api/index.ts';
import { didYouMean } from '../core/did-you-mean.ts';
import { issue, type Issue } from '../core/issues.ts';
import { ACRAccessTokenSpec, ClusterGeneratorSpec, FakeSpec, GENERATOR_API_VERSION, GENERATOR_GROUP, GithubAccessTokenSpec, MFASpec, PasswordSpec, SSHKeySpec, UUIDSpec, WebhookSpec } from '../api/generators.ts';
import { clusterGeneratorIssues, specIssues, type RunnableKind } from '../core/generators.ts';
import { webhookTemplateProblem } from '../core/webhook.ts';
import { formatFieldPath, type LoadedDoc } from './manifests.ts';
import { isClusterScopedKind } from '../api/object-key.ts';

export type EsoKind = 'ExternalSecret' | 'SecretStore' | 'ClusterSecretStore' | 'ClusterExternalSecret' | 'PushSecret' | 'ClusterPushSecret';
export const ESO_KINDS: readonly EsoKind[] = ['ExternalSecret', 'SecretStore', 'ClusterSecretStore', 'ClusterExternalSecret', 'PushSecret', 'ClusterPushSecret'];

/** Served versions of a kind, storage first, where it differs from the core kinds' (api/crds.ts KINDS). */
const KIND_VERSIONS: Partial<Record<EsoKind, readonly string[]>> = { PushSecret: [PUSH_SECRET_VERSION], ClusterPushSecret: [CLUSTER_PUSH_SECRET_VERSION] };

const PRESERVE = 'x-kubernetes-preserve-unknown-fields';
const STRING_MAP = { type: 'object', additionalProperties: { type: 'string' } };

// What the API server accepts in metadata of a manifest; anything else is an unknown field.
const OBJECT_META = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    generateName: { type: 'string' },
    namespace: { type: 'string' },
    labels: STRING_MAP,
    annotations: STRING_MAP,
    uid: { type: 'string' },
    resourceVersion: { type: 'string' },
    generation: { type: 'integer' },
    creationTimestamp: { type: ['string', 'null'] },
    deletionTimestamp: { type: 'string' },
    deletionGracePeriodSeconds: { type: 'integer' },
    ownerReferences: { type: 'array', items: { type: 'object', [PRESERVE]: true } },
    finalizers: { type: 'array', items: { type: 'string' } },
    managedFields: { type: 'array', items: { type: 'object', [PRESERVE]: true } },
  },
};

function documentSchema(spec: unknown, status: unknown): object {
  return strictify({
    type: 'object',
    required: ['apiVersion', 'kind', 'metadata', 'spec'],
    properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: OBJECT_META, spec, status },
  });
}

/** Adds `additionalProperties: false` to every object schema that declares properties and does not preserve unknown fields. */
function strictify(schema: unknown): any {
  if (Array.isArray(schema)) return schema.map(strictify);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === 'enum' || k === 'required' || k === 'default' ? v : strictify(v);
  if (out.properties && out.additionalProperties === undefined && out[PRESERVE] !== true) out.additionalProperties = false;
  return out;
}

let validators: Record<EsoKind, ValidateFunction> | undefined;

function validatorFor(kind: EsoKind): ValidateFunction {
  if (!validators) {
    // verbose: an error carries the schema it failed against, so an unknown field can be compared
    // with the names that schema declares (didYouMean).
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, verbose: true });
    const store = documentSchema(SecretStoreSpec, SecretStoreStatus);
    validators = {
      ExternalSecret: ajv.compile(documentSchema(ExternalSecretSpec, ExternalSecretStatus)),
      SecretStore: ajv.compile(store),
      ClusterSecretStore: ajv.compile(store),
      ClusterExternalSecret: ajv.compile(documentSchema(ClusterExternalSecretSpec, ClusterExternalSecretStatus)),
      PushSecret: ajv.compile(documentSchema(PushSecretSpec, PushSecretStatus)),
      ClusterPushSecret: ajv.compile(documentSchema(ClusterPushSecretSpec, ClusterPushSecretStatus)),
    };
  }
  return validators[kind];
}

/** The ESO kind of a document in the external-secrets.io group, whatever its version. */
export function esoKindOf(doc: Pick<LoadedDoc, 'apiVersion' | 'kind'>): EsoKind | undefined {
  if (!doc.apiVersion?.startsWith(`${GROUP}/`)) return undefined;
  return ESO_KINDS.find((k) => k === doc.kind);
}

/** Version, schema and credential-shape checks for one document; empty for documents outside the group. */
export function checkSchema(doc: LoadedDoc): Issue[] {
  if (!doc.apiVersion?.startsWith(`${GROUP}/`)) return [];
  const kind = esoKindOf(doc);
  if (!kind) return [issue('kind', 'NotSupported', `kind ${doc.kind ?? '(none)'} in ${GROUP} is not supported by Projector; supported: ${ESO_KINDS.join(', ')}`)];
  const version = doc.apiVersion.slice(GROUP.length + 1);
  const served = KIND_VERSIONS[kind] ?? SERVED_VERSIONS;
  const storage = served[0] === undefined || !KIND_VERSIONS[kind] ? STORAGE_VERSION : served[0];
  if (!(served as readonly string[]).includes(version)) {
    return [issue('apiVersion', 'UnsupportedApiVersion', `${doc.apiVersion} is not served${KIND_VERSIONS[kind] ? ` for ${kind}` : ''}; use ${GROUP}/${storage}`)];
  }
  const out: Issue[] = [];
  if (version !== storage) {
    out.push(issue('apiVersion', 'DeprecatedApiVersion', `${doc.apiVersion} ${kind} is deprecated; use ${GROUP}/${storage}`, 'warning'));
  }
  const validate = validatorFor(kind);
  if (!validate(doc.object)) out.push(...dedupe((validate.errors ?? []).map(toIssue)));
  if (kind === 'SecretStore' || kind === 'ClusterSecretStore') out.push(...checkAzureCredentialRefs(doc.object));
  if (isClusterScopedKind(kind) && typeof (doc.object as { metadata?: { namespace?: unknown } })?.metadata?.namespace === 'string') {
    out.push(issue('metadata.namespace', 'UnexpectedNamespace', `a ${kind} is cluster-scoped; metadata.namespace is ignored`, 'warning'));
  }
  return out;
}

/** True when the issues leave the document's shape intact enough for semantic checks. */
export function isShapeIntact(issues: Issue[]): boolean {
  return !issues.some((i) => i.severity === 'error' && !['UnknownField', 'InvalidCredentialRef', 'InlineCredential', 'TooLong'].includes(i.code));
}

function toIssue(e: ErrorObject): Issue {
  const base = pointerToSegments(e.instancePath);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const field = String(params.additionalProperty);
      const known = Object.keys((e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
      const hint = didYouMean(field, known);
      return issue(formatFieldPath([...base, field]), 'UnknownField', `unknown field "${field}"${hint ? ` (did you mean "${hint}"?)` : ''}`);
    }
    case 'required': {
      const field = String(params.missingProperty);
      return issue(formatFieldPath([...base, field]), 'MissingField', `missing required field "${field}"`);
    }
    case 'type':
      return issue(formatFieldPath(base), 'WrongType', `${describeField(base)} must be ${[params.type].flat().join(' or ')}`);
    case 'enum':
      return issue(formatFieldPath(base), 'InvalidValue', `${describeField(base)} must be one of: ${(params.allowedValues as unknown[]).join(', ')}`);
    case 'maxLength':
      return issue(formatFieldPath(base), 'TooLong', `${describeField(base)} must be at most ${String(params.limit)} characters`);
    case 'minLength':
      return issue(formatFieldPath(base), 'TooShort', `${describeField(base)} must be at least ${String(params.limit)} character(s)`);
    case 'pattern':
      // The pattern is ESO's (a Kubernetes name or key); the value is not quoted.
      return issue(formatFieldPath(base), 'InvalidValue', `${describeField(base)} must match ${String(params.pattern)}`);
    case 'minProperties':
    case 'maxProperties':
      return issue(formatFieldPath(base), 'InvalidValue', `${describeField(base)} must set ${e.keyword === 'minProperties' ? 'at least' : 'at most'} ${String(params.limit)} field(s)`);
    case 'minItems':
      return issue(formatFieldPath(base), 'InvalidValue', `${describeField(base)} must hold at least ${String(params.limit)} item(s)`);
    default:
      return issue(formatFieldPath(base), 'SchemaViolation', `${describeField(base)} does not match the schema (${e.keyword})`);
  }
}

function describeField(segments: (string | number)[]): string {
  return segments.length === 0 ? 'the document' : formatFieldPath(segments);
}

function pointerToSegments(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function dedupe(issues: Issue[]): Issue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}\u0000${i.code}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// The azurekv tenantId/clientId/clientSecret nodes are Preserved (the schema cannot say "string or
// object"), so their shape is checked here. A clientSecret written inline is a committed secret.
const CREDENTIAL_FIELDS = ['tenantId', 'clientId', 'clientSecret'] as const;

function checkAzureCredentialRefs(object: unknown): Issue[] {
  const azure = (object as { spec?: { provider?: { azurekv?: unknown } } })?.spec?.provider?.azurekv;
  if (azure === null || typeof azure !== 'object') return [];
  const out: Issue[] = [];
  for (const field of CREDENTIAL_FIELDS) {
    const value = (azure as Record<string, unknown>)[field];
    const path = `spec.provider.azurekv.${field}`;
    if (value === undefined || value === null) continue;
    if (typeof value === 'string') {
      if (field === 'clientSecret') {
        out.push(issue(path, 'InlineCredential', 'clientSecret is written inline in the manifest; reference a Kubernetes Secret with valueFrom.secretKeyRef'));
      }
      continue;
    }
    if (!isSecretKeyRef(value)) {
      out.push(issue(path, 'InvalidCredentialRef', `${field} must be a string or {valueFrom: {secretKeyRef: {name, key, namespace?}}}`));
    }
  }
  return out;
}

function isSecretKeyRef(value: unknown): boolean {
  const isPlain = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isPlain(value) || Object.keys(value).join() !== 'valueFrom') return false;
  const from = value.valueFrom;
  if (!isPlain(from) || Object.keys(from).join() !== 'secretKeyRef') return false;
  const ref = from.secretKeyRef;
  if (!isPlain(ref)) return false;
  const keys = Object.keys(ref);
  return (
    typeof ref.name === 'string' &&
    typeof ref.key === 'string' &&
    (ref.namespace === undefined || typeof ref.namespace === 'string') &&
    keys.every((k) => k === 'name' || k === 'key' || k === 'namespace')
  );
}

// --- generators (generators.external-secrets.io/v1alpha1) ---
const GENERATOR_SPECS: Record<string, unknown> = {
  Password: PasswordSpec,
  UUID: UUIDSpec,
  Fake: FakeSpec,
  ACRAccessToken: ACRAccessTokenSpec,
  SSHKey: SSHKeySpec,
  MFA: MFASpec,
  Webhook: WebhookSpec,
  GithubAccessToken: GithubAccessTokenSpec,
  ClusterGenerator: ClusterGeneratorSpec,
};
let generatorValidators: Record<string, ValidateFunction> | undefined;

/** True for a document in the generators group. */
export function isGeneratorDoc(doc: Pick<LoadedDoc, 'apiVersion'>): boolean {
  return doc.apiVersion?.startsWith(`${GENERATOR_GROUP}/`) ?? false;
}

/**
 * A generator manifest: a kind Projector runs, v1alpha1, ESO's schema (with the API server's
 * defaults applied first, so a field that is required but defaulted may be left out), then the same
 * spec rules the operator applies (core/generators.ts).
 */
export function checkGeneratorDocument(doc: LoadedDoc): Issue[] {
  const { issues: schema } = generatorSchemaCheck(doc);
  if (schema.length > 0) return schema;
  // The rules read the spec as written, not with the schema's defaults applied: a defaulted field
  // (Password's length: 24) has no line, and an issue naming it would point at `spec:`. The
  // judgement is the same, as core applies ESO's defaults itself (passwordConfigOf).
  const object = doc.object as GeneratorDocObject;
  const kind = doc.kind ?? '';
  const out: Issue[] =
    kind === 'ClusterGenerator'
      ? clusterGeneratorIssues(object.spec as never, 'spec', webhookTemplateProblem)
      : specIssues(kind as RunnableKind, object.spec, 'spec', webhookTemplateProblem);
  if (kind === 'ClusterGenerator' && typeof object.metadata?.namespace === 'string') out.push(issue('metadata.namespace', 'UnexpectedNamespace', 'a ClusterGenerator is cluster-scoped; metadata.namespace is ignored', 'warning'));
  return out;
}

/**
 * What the API server itself would say of a generator document: its kind and version are served
 * and it meets ESO's schema (defaults applied first). The spec rules the operator applies at run
 * time are checkGeneratorDocument's.
 */
export function checkGeneratorSchema(doc: LoadedDoc): Issue[] {
  return generatorSchemaCheck(doc).issues;
}

export type GeneratorDocObject = { metadata?: { name?: string; namespace?: unknown }; spec?: unknown };

/** The schema issues and the object with the API server's defaults applied (as it would store it). */
export function generatorSchemaCheck(doc: LoadedDoc): { issues: Issue[]; object: GeneratorDocObject } {
  const kind = doc.kind ?? '';
  const fail = (issues: Issue[]) => ({ issues, object: doc.object as GeneratorDocObject });
  if (!GENERATOR_SPECS[kind]) {
    if (kind === 'GeneratorState') return fail([issue('kind', 'NotSupported', 'GeneratorState objects are written by the controller, not by hand')]);
    return fail([issue('kind', 'NotSupported', `generator kind ${kind || '(none)'} is not supported by Projector; supported: ${Object.keys(GENERATOR_SPECS).join(', ')}`)]);
  }
  if (doc.apiVersion !== GENERATOR_API_VERSION) return fail([issue('apiVersion', 'UnsupportedApiVersion', `${doc.apiVersion} is not served; use ${GENERATOR_API_VERSION}`)]);
  if (!generatorValidators) {
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, useDefaults: true, verbose: true });
    generatorValidators = Object.fromEntries(Object.entries(GENERATOR_SPECS).map(([k, spec]) => [k, ajv.compile(documentSchema(spec, {}))]));
  }
  const object = structuredClone(doc.object) as GeneratorDocObject;
  const validate = generatorValidators[kind]!;
  if (!validate(object)) return { issues: dedupe((validate.errors ?? []).map(toIssue)), object };
  return { issues: [], object };
}
