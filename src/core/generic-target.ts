// Generic targets (spec.target.manifest naming a kind other than v1 Secret: a ConfigMap, a custom
// resource), ESO v2.9's `--unsafe-allow-generic-targets` feature. Pure: from the spec, the fetched
// data and the live object, the object to write and what to do with it. It follows ESO's
// reconcileGenericTarget, applyTemplateToManifest, createSimpleManifest and isGenericTargetValid
// (pkg/controllers/externalsecret/externalsecret_controller.go and
// externalsecret_controller_manifest.go) step by step; the deliberate differences are listed in
// docs/design/000-overview.md and docs/generic-targets.md.
import type { ExternalSecret, ObjectMeta, OwnerReference } from '../api/index.ts';
import { ANNOTATION_DATA_HASH, LABEL_CREATED_BY, LABEL_MANAGED } from '../api/constants.ts';
import { ProjectorError } from './errors.ts';
import { creationPolicyOf, deletionPolicyOf, targetNameOf } from './external-secret.ts';
import { goStringFromBytes, isTextString } from './go-string.ts';
import { createdByLabelValue, goValueHash } from './hash.ts';
import { controllerOf, isExternalSecretRef, ownerReferenceFor, refersTo, type SecretBytes, type TemplateSources } from './plan-target-secret.ts';
import { secretKeyProblem } from './secret-shape.ts';
import { Sensitive } from './sensitive.ts';

/** An object of any kind as JSON (Go's unstructured.Unstructured). Its content may hold secret values. */
export type Unstructured = { [key: string]: unknown };

/** ESO's text when the flag is off (validateGenericTarget), after its condition message "invalid generic target". */
export const GENERIC_TARGETS_DISABLED = 'invalid generic target: generic targets are disabled. Enable with --unsafe-allow-generic-targets flag';

/** The kind and object an ExternalSecret's generic target names. */
export interface GenericTargetRef {
  /** As written in spec.target.manifest.apiVersion: `v1`, `group/version`. */
  apiVersion: string;
  kind: string;
  /** '' for the core group. */
  group: string;
  version: string;
  /** spec.target.name, else the ExternalSecret's name (ESO getTargetName). */
  name: string;
  /** The ExternalSecret's namespace (a cluster-scoped kind ignores it, as the API server does). */
  namespace: string;
}

/**
 * True when the ExternalSecret writes a generic target: spec.target.manifest is set and names
 * anything but `apiVersion: v1, kind: Secret`. ESO's isGenericTarget is "manifest is set", so ESO
 * sends an explicit v1 Secret manifest down its generic path too (refused without the flag, and
 * written with string values the API server refuses with it); Projector writes it as the ordinary
 * Secret target, as ESO's webhook already judges it (isManifestSecretTarget). docs/design/000-overview.md.
 */
export function isGenericTarget(es: Pick<ExternalSecret, 'spec'>): boolean {
  const manifest = es.spec?.target?.manifest;
  return manifest !== undefined && manifest !== null && !(manifest.apiVersion === 'v1' && manifest.kind === 'Secret');
}

/**
 * The target of a generic ExternalSecret, or undefined for a Secret target. The group and version
 * are apimachinery's ParseGroupVersion: `v1` is the core group, `a/b` group a version b; an
 * apiVersion with more slashes parses to no group and no version, which no API server serves (ESO
 * then fails to map the kind too).
 */
export function genericTargetOf(es: ExternalSecret): GenericTargetRef | undefined {
  if (!isGenericTarget(es)) return undefined;
  const { apiVersion, kind } = es.spec.target!.manifest!;
  const parts = apiVersion.split('/');
  const [group, version] = parts.length === 1 ? ['', parts[0]!] : parts.length === 2 ? [parts[0]!, parts[1]!] : ['', ''];
  return { apiVersion, kind, group, version, name: targetNameOf(es), namespace: es.metadata.namespace };
}

/** `group/version/Kind/name`: the key of the index from a target object to the ExternalSecrets naming it (ESO indexESTargetResourceField). */
export function genericTargetIndexValue(t: Pick<GenericTargetRef, 'group' | 'version' | 'kind' | 'name'>): string {
  return `${t.group}/${t.version}/${t.kind}/${t.name}`;
}

/** `group/version/Kind`: one watch per value (ESO's informer manager keys its informers by GVK). */
export function gvkKey(t: Pick<GenericTargetRef, 'group' | 'version' | 'kind'>): string {
  return `${t.group}/${t.version}/${t.kind}`;
}

/**
 * ESO's genericTargetContentHash: the hash (core/hash.ts goValueHash) of the object's `spec` when it
 * has one (not null), else of its `data`; undefined when it has neither.
 */
export function genericContentHash(obj: Unstructured): string | undefined {
  if (obj.spec !== undefined && obj.spec !== null) return goValueHash(obj.spec);
  if (obj.data !== undefined && obj.data !== null) return goValueHash(obj.data);
  return undefined;
}

/** The live target object as read from the API server (content kept opaque). */
export interface LiveGenericObject {
  metadata: ObjectMeta;
  object: Sensitive<Unstructured>;
}

/**
 * What the refresh decision needs (core/refresh.ts LiveTargetMeta): the metadata and the content hash
 * of the live object. An object without spec or data hashes to '' (never the annotation's value), so
 * it is rewritten; ESO fails that reconcile instead ("does not have a spec or data field").
 */
export function liveGenericMeta(live: LiveGenericObject): { metadata: ObjectMeta; observedDataHash: string } {
  return { metadata: live.metadata, observedDataHash: genericContentHash(live.object.reveal()) ?? '' };
}

/**
 * Renders target.template onto `obj` in place (core/render-generic-template.ts, part of the lazily
 * loaded template engine). Throws ProjectorError; messages name fields, never values.
 */
export type GenericTemplateRenderer = (es: ExternalSecret, data: ReadonlyMap<string, SecretBytes>, obj: Unstructured, sources?: TemplateSources) => void;

export interface GenericPlanInput {
  es: ExternalSecret;
  /** Provider data after decoding and rewriting. */
  data: ReadonlyMap<string, SecretBytes>;
  /** The live object; read unless creationPolicy is None (ESO reads it for every other policy). */
  live: LiveGenericObject | undefined;
  /** Needed when spec.target.template is set. */
  renderTemplate?: GenericTemplateRenderer;
  templateSources?: TemplateSources;
}

export type GenericPlan =
  | { action: 'create'; target: GenericTargetRef; object: Sensitive<Unstructured> }
  /**
   * ESO updates the object at every sync and records an Updated event each time; `changed` false
   * says the object sent would equal the live one (the write may be left out: the API server would
   * change nothing).
   */
  | { action: 'update'; target: GenericTargetRef; object: Sensitive<Unstructured>; changed: boolean }
  /** `exists` false: nothing to delete. `uid`: delete only this very object. */
  | { action: 'delete'; target: GenericTargetRef; exists: boolean; uid?: string | undefined }
  | { action: 'retain' }
  | { action: 'wait-for-target' }
  | { action: 'skip' };

/** ESO's text for deletionPolicy Delete without creationPolicy Owner (reconcileGenericTarget); validation refuses it first. */
function deleteWithoutOwner(creation: string): ProjectorError {
  return new ProjectorError('InvalidSpec', `could not delete resource: unable to delete resource: creationPolicy=${creation} is not Owner`, { field: 'spec.target.deletionPolicy' });
}

function describeTarget(t: GenericTargetRef): string {
  return `${t.kind} ${t.namespace}/${t.name}`;
}

function isPlainObject(v: unknown): v is Unstructured {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A JSON clone (the object is JSON already); structuredClone would keep prototypes we do not want to carry. */
function cloneJson<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function setOwn(dest: Record<string, unknown>, key: string, value: unknown): void {
  // An own data property: `dest[k] = v` with k `__proto__` would set the prototype instead.
  Object.defineProperty(dest, key, { value, writable: true, enumerable: true, configurable: true });
}

function stringMapOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isPlainObject(v)) return out;
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string') setOwn(out, k, x);
  return out;
}

function metadataOf(obj: Unstructured): Unstructured {
  if (!isPlainObject(obj.metadata)) obj.metadata = {};
  return obj.metadata as Unstructured;
}

/**
 * Names a data key in errors: keys written in the spec are quoted, any other came from secret data
 * and is described, never printed (as plan-target-secret.ts does for Secret keys).
 */
function keyText(es: ExternalSecret, key: string): string {
  const literal = new Set((es.spec.data ?? []).map((d) => d.secretKey));
  return literal.has(key) ? `key ${JSON.stringify(key)}` : 'a key made from secret data (not shown: it is part of a value)';
}

/**
 * ESO createSimpleManifest (no template): the provider data as strings into `data` of a ConfigMap
 * (replacing it), or `spec.data` of any other kind. Values must be text: Go's JSON encoding would
 * replace bytes that are not UTF-8 by U+FFFD; Projector refuses to write altered bytes (as it does
 * for templated labels). A ConfigMap's keys follow the API server's rule, checked here so a key
 * made from secret data is never quoted back by the API server.
 */
function simpleContent(es: ExternalSecret, obj: Unstructured, data: ReadonlyMap<string, SecretBytes>, kind: string): void {
  const strings: Record<string, string> = {};
  for (const [k, v] of data) {
    const text = goStringFromBytes(v.reveal());
    if (!isTextString(text)) {
      throw new ProjectorError('VaultBadValue', `the value of ${keyText(es, k)} is binary data (bytes that are not UTF-8): a ${kind}'s fields are text; encode it (decodingStrategy None keeps base64, or use a template with b64enc)`, { field: 'spec.data' });
    }
    setOwn(strings, k, text);
  }
  if (kind === 'ConfigMap') {
    for (const k of Object.keys(strings)) {
      const problem = secretKeyProblem(k);
      if (problem) throw new ProjectorError('VaultBadValue', `${keyText(es, k)} is not a valid ConfigMap key: it ${problem}; use rewrite or conversionStrategy`, { field: 'spec.data' });
    }
    obj.data = strings;
    return;
  }
  if (obj.spec === undefined || obj.spec === null) obj.spec = {};
  if (!isPlainObject(obj.spec)) throw new ProjectorError('VaultBadValue', `the ${kind}'s spec is not an object: spec.data cannot be written into it`, { field: 'spec.target.manifest' });
  (obj.spec as Unstructured).data = strings;
}

/**
 * The controller-reference rules of ESO's applyOwnership for a generic target. Deliberate
 * difference: ESO builds an Owner or Orphan target afresh (it never looks at the live object's
 * owners), so two ExternalSecrets naming one object take it from each other at every sync; Projector
 * refuses, as ESO (and Projector) do for Secrets, when another ExternalSecret controls the live object,
 * or under Owner when anything else does. Sets or removes the created-by label in `labels`.
 */
function ownership(es: ExternalSecret, t: GenericTargetRef, live: LiveGenericObject | undefined, baseOwners: OwnerReference[] | undefined, labels: Record<string, string>): OwnerReference[] {
  const creation = creationPolicyOf(es);
  const controller = live ? controllerOf(live.metadata) : undefined;
  const controlledByUs = controller !== undefined && refersTo(controller, es);
  if (controller && isExternalSecretRef(controller) && !controlledByUs) {
    throw new ProjectorError(
      'TargetOwnedElsewhere',
      `could not apply template to manifest: secret is owned by another ExternalSecret: ${describeTarget(t)} is controlled by ExternalSecret ${controller.name}; to combine several ExternalSecrets in one object, give every one of them creationPolicy Merge or CreateOrMerge`,
      { field: 'spec.target.name' },
    );
  }
  let owners = [...(baseOwners ?? [])];
  if (creation === 'Owner') {
    if (controller && !controlledByUs) {
      throw new ProjectorError('TargetOwnedElsewhere', `could not apply template to manifest: ${describeTarget(t)} is controlled by ${controller.kind} ${controller.name}`, { field: 'spec.target.creationPolicy' });
    }
    const ref = ownerReferenceFor(es);
    const i = owners.findIndex((o) => refersTo(o, es));
    if (i >= 0) owners[i] = ref;
    else owners.push(ref);
    setOwn(labels, LABEL_CREATED_BY, createdByLabelValue(es.metadata.namespace, es.metadata.name));
  } else {
    if (controlledByUs) owners = owners.filter((o) => !refersTo(o, es));
    delete labels[LABEL_CREATED_BY];
  }
  return owners;
}

/**
 * ESO applyTemplateToManifest: the object to write. A copy of the live object for Merge and
 * CreateOrMerge (when it exists), else a new one of the manifest's kind with an empty `data`
 * (ConfigMap, Secret) or `spec` (any other kind). Labels and annotations: the ExternalSecret's own
 * without a template, else template.metadata's as written (ESO does not render them on this path),
 * merged over the base's; the managed label; then the content (createSimpleManifest or the template),
 * the data-hash annotation over it, and the owner rules.
 */
export function buildGenericObject(input: GenericPlanInput, t: GenericTargetRef): Unstructured {
  const { es, data, live, renderTemplate, templateSources } = input;
  const creation = creationPolicyOf(es);
  const mergeBase = (creation === 'Merge' || creation === 'CreateOrMerge') && live !== undefined;
  let obj: Unstructured;
  if (mergeBase) {
    obj = cloneJson(live.object.reveal());
  } else {
    obj = { apiVersion: t.apiVersion, kind: t.kind, metadata: { name: t.name, namespace: t.namespace } };
    if (t.kind === 'ConfigMap' || t.kind === 'Secret') obj.data = {};
    else obj.spec = {};
  }
  const meta = metadataOf(obj);
  const labels = stringMapOf(meta.labels);
  const annotations = stringMapOf(meta.annotations);
  const template = es.spec.target?.template;
  for (const [k, v] of Object.entries((template ? template.metadata?.labels : es.metadata.labels) ?? {})) setOwn(labels, k, v);
  for (const [k, v] of Object.entries((template ? template.metadata?.annotations : es.metadata.annotations) ?? {})) setOwn(annotations, k, v);
  setOwn(labels, LABEL_MANAGED, 'true');
  meta.labels = labels;
  meta.annotations = annotations;

  if (!template) simpleContent(es, obj, data, t.kind);
  else {
    if (!renderTemplate) throw new ProjectorError('Internal', 'the template engine is not loaded for a templated generic target');
    renderTemplate(es, data, obj, templateSources);
  }

  const hash = genericContentHash(obj);
  if (hash === undefined) {
    throw new ProjectorError('VaultBadValue', `could not apply template to manifest: failed to hash target ${JSON.stringify(es.spec.target?.name ?? '')} content: generic target content does not have a spec or data field for content hashing`, { field: 'spec.target.template' });
  }
  const outMeta = metadataOf(obj);
  const outAnnotations = stringMapOf(outMeta.annotations);
  setOwn(outAnnotations, ANNOTATION_DATA_HASH, hash);
  outMeta.annotations = outAnnotations;
  const outLabels = stringMapOf(outMeta.labels);
  const baseOwners = mergeBase ? (live.metadata.ownerReferences ?? []) : undefined;
  const owners = ownership(es, t, live, baseOwners, outLabels);
  outMeta.labels = outLabels;
  if (owners.length > 0) outMeta.ownerReferences = owners;
  else delete outMeta.ownerReferences;
  return obj;
}

/** Metadata the API server sets itself: not part of what a write changes. */
const SERVER_METADATA = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink'];

function withoutServerMetadata(obj: Unstructured): Unstructured {
  const copy = { ...obj };
  if (isPlainObject(copy.metadata)) {
    const meta = { ...copy.metadata };
    for (const f of SERVER_METADATA) delete meta[f];
    copy.metadata = meta;
  }
  return copy;
}

/** JSON equality with object keys in any order (arrays in order). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && sameJson(a[k], b[k]));
}

/**
 * Decides the write for one sync of a generic target, in ESO's order (reconcileGenericTarget):
 * the provider returned no data → deletionPolicy (Retain keeps the object; Delete deletes it, only
 * under creationPolicy Owner; Merge goes on); the object is built (template errors fail here, even
 * under creationPolicy None); None → nothing is written; Merge without a live object → wait for it;
 * otherwise update the live object or create it. Deliberate difference: Delete removes only an
 * object no one else controls (ESO deletes whatever has the name). Throws ProjectorError.
 */
export function planGenericTarget(input: GenericPlanInput): GenericPlan {
  const { es, live } = input;
  const t = genericTargetOf(es);
  if (!t) throw new ProjectorError('Internal', 'planGenericTarget called for a Secret target');
  const creation = creationPolicyOf(es);
  if (input.data.size === 0) {
    const policy = deletionPolicyOf(es);
    if (policy === 'Retain') return { action: 'retain' };
    if (policy === 'Delete') {
      if (creation !== 'Owner') throw deleteWithoutOwner(creation);
      if (!live) return { action: 'delete', target: t, exists: false };
      const controller = controllerOf(live.metadata);
      if (controller && !refersTo(controller, es)) {
        throw new ProjectorError('TargetOwnedElsewhere', `could not delete resource: ${describeTarget(t)} is controlled by ${controller.kind} ${controller.name}; it is not deleted`, { field: 'spec.target.name' });
      }
      return { action: 'delete', target: t, exists: true, uid: live.metadata.uid };
    }
  }
  const obj = buildGenericObject(input, t);
  if (creation === 'None') return { action: 'skip' };
  if (!live) return creation === 'Merge' ? { action: 'wait-for-target' } : { action: 'create', target: t, object: new Sensitive(obj) };
  // ESO copies the live object's resourceVersion and UID onto the object it sends: an update of the
  // very object read (a conflict otherwise).
  const meta = metadataOf(obj);
  const changed = !sameJson(withoutServerMetadata(obj), withoutServerMetadata(live.object.reveal()));
  if (live.metadata.resourceVersion !== undefined) meta.resourceVersion = live.metadata.resourceVersion;
  if (live.metadata.uid !== undefined) meta.uid = live.metadata.uid;
  return { action: 'update', target: t, object: new Sensitive(obj), changed };
}
