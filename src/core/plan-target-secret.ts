// The pure heart of a sync: from the spec, the fetched data and the live Secret, decide what to write.
// It follows ESO's mutation of the target Secret step by step (pkg/controllers/externalsecret/
// externalsecret_controller.go Reconcile + mutationFunc + applyOwnership + updateSecret, and
// externalsecret_controller_template.go ApplyTemplate/setMetadata), so labels, annotations, type,
// immutable, ownerReferences and finalizers come out as ESO writes them.
import type { ExternalSecret, ObjectMeta, OwnerReference } from '../api/index.ts';
import { ANNOTATION_DATA_HASH, API_VERSION, GROUP, LABEL_CREATED_BY, LABEL_MANAGED } from '../api/constants.ts';
import { ProjectorError } from './errors.ts';
import { Sensitive } from './sensitive.ts';
import { hashSecretData } from './secret-data.ts';
import { createdByLabelValue } from './hash.ts';
import { creationPolicyOf, deletionPolicyOf, targetNameOf } from './external-secret.ts';
import { dataKeysOfOtherExternalSecrets, fieldOwnerFor, ownedFieldsOf } from './field-owner.ts';
import { assertSecretShape, secretKeyProblem } from './secret-shape.ts';

export type SecretBytes = Sensitive<Uint8Array>;

/** The live target Secret, read just before planning (its values stay opaque). */
export interface LiveSecret {
  metadata: ObjectMeta;
  type?: string;
  immutable?: boolean;
  data: ReadonlyMap<string, SecretBytes>;
}

/** The Secret Projector wants to exist. kube/ turns it into an API object; values stay opaque until then. */
export interface DesiredSecret {
  name: string;
  namespace: string;
  type: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  ownerReferences: OwnerReference[];
  finalizers: string[];
  immutable: boolean;
  data: ReadonlyMap<string, SecretBytes>;
  /** The field manager the write is made as: ESO's per-ExternalSecret name (see core/field-owner.ts). */
  fieldManager: string;
  /** Set for updates: optimistic concurrency against the Secret that was planned from. */
  resourceVersion?: string;
}

export type Plan =
  | { action: 'create'; secret: DesiredSecret; hash: string }
  /** `thenFail`: the metadata is written, but the data or type of an immutable Secret could not be. */
  | { action: 'update'; secret: DesiredSecret; hash: string; thenFail?: ProjectorError }
  /** Kubernetes cannot change a Secret's type in place: delete the one this ExternalSecret owns, create anew. */
  | { action: 'recreate'; secret: DesiredSecret; hash: string; previous: { uid?: string; resourceVersion?: string; type: string } }
  | { action: 'unchanged'; hash: string }
  /** `exists: false`: there is no Secret to delete; the status still says the data is gone. */
  | { action: 'delete'; name: string; namespace: string; exists: boolean; resourceVersion?: string }
  /** The provider returned no data and deletionPolicy is Retain: the Secret stays exactly as it is. */
  | { action: 'retain' }
  /** creationPolicy Merge and the Secret does not exist yet: nothing to merge into (not an error in ESO). */
  | { action: 'wait-for-target' }
  | { action: 'skip'; reason: string };

/**
 * The objects `target.template.templateFrom` names, read by the driver in the ExternalSecret's
 * namespace (core/render-target-template.ts templateSourceNames): ConfigMap name → its `data`,
 * Secret name → its data. A name absent here is one that does not exist.
 */
export interface TemplateSources {
  configMaps: ReadonlyMap<string, Readonly<Record<string, string>>>;
  secrets: ReadonlyMap<string, ReadonlyMap<string, SecretBytes>>;
}

/** Renders target.template against the fetched data (injected: core/template). */
export type TemplateRenderer = (es: ExternalSecret, data: ReadonlyMap<string, SecretBytes>, sources?: TemplateSources) => {
  data: ReadonlyMap<string, SecretBytes>;
  labels: Record<string, string>;
  annotations: Record<string, string>;
};

export interface PlanInput {
  es: ExternalSecret;
  /** Provider data after decoding and rewriting; keys are target Secret keys. */
  data: ReadonlyMap<string, SecretBytes>;
  /** Kept for callers; the deletionPolicy decision is ESO's "the provider returned no data" (data.size === 0). */
  allMissing?: boolean;
  live: LiveSecret | undefined;
  renderTemplate?: TemplateRenderer;
  /** What templateFrom's configMap / secret entries name (see TemplateSources). */
  templateSources?: TemplateSources;
}

/** The controller reference ESO sets (controllerutil.SetControllerReference with the v1 scheme GVK). */
export function ownerReferenceFor(es: ExternalSecret): OwnerReference {
  return {
    apiVersion: API_VERSION,
    kind: 'ExternalSecret',
    name: es.metadata.name,
    uid: es.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The controller reference of an object, if any. */
export function controllerOf(meta: ObjectMeta): OwnerReference | undefined {
  return meta.ownerReferences?.find((o) => o.controller);
}

function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/** Same object for controller-runtime: same group, kind and name; the UID and version are ignored. */
export function refersTo(ref: OwnerReference, es: ExternalSecret): boolean {
  return groupOf(ref.apiVersion) === GROUP && ref.kind === 'ExternalSecret' && ref.name === es.metadata.name;
}

/** Any ExternalSecret (group and kind; the version is ignored, as controller-runtime does). */
export function isExternalSecretRef(ref: OwnerReference): boolean {
  return groupOf(ref.apiVersion) === GROUP && ref.kind === 'ExternalSecret';
}

/**
 * Names a data key in errors. Keys written in the spec (`data[].secretKey`, `template.data` keys) are
 * quoted; any other key came from secret data (a JSON member name, a rendered templateFrom) and is
 * part of a value: it is described by where it came from, never printed (issue 9).
 */
function keyNamer(es: ExternalSecret): (key: string) => { path: string; text: string; literal: boolean } {
  const literal = new Set<string>([...(es.spec.data ?? []).map((d) => d.secretKey), ...Object.keys(es.spec.target?.template?.data ?? {})]);
  return (key) =>
    literal.has(key)
      ? { path: `data.${key}`, text: `Secret key ${JSON.stringify(key)}`, literal: true }
      : { path: 'data', text: 'a Secret key made from secret data (not shown: it is part of a value)', literal: false };
}

function assertValidKeys(es: ExternalSecret, data: ReadonlyMap<string, SecretBytes>): void {
  const name = keyNamer(es);
  for (const key of data.keys()) {
    const problem = secretKeyProblem(key);
    if (problem) {
      const n = name(key);
      // A key in the spec is the user's to fix there; one made from data depends on the vault value too.
      throw new ProjectorError(n.literal ? 'InvalidSpec' : 'VaultBadValue', `${n.text} is not a valid Secret key: it ${problem}; use rewrite or conversionStrategy`, {
        field: n.literal ? 'spec.data' : 'spec.target.template',
      });
    }
  }
}

function sameBytes(a: ReadonlyMap<string, SecretBytes>, b: ReadonlyMap<string, SecretBytes>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w || Buffer.compare(Buffer.from(v.reveal()), Buffer.from(w.reveal())) !== 0) return false;
  }
  return true;
}

function sameMap(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const ea = Object.entries(a ?? {});
  return ea.length === Object.keys(b).length && ea.every(([k, v]) => Object.hasOwn(b, k) && b[k] === v);
}

function sameOwners(a: readonly OwnerReference[] | undefined, b: readonly OwnerReference[]): boolean {
  const norm = (o: OwnerReference) => JSON.stringify([o.apiVersion, o.kind, o.name, o.uid, o.controller ?? false, o.blockOwnerDeletion ?? false]);
  const la = (a ?? []).map(norm);
  const lb = b.map(norm);
  return la.length === lb.length && la.every((x, i) => x === lb[i]);
}

function sameList(a: readonly string[] | undefined, b: readonly string[]): boolean {
  const la = a ?? [];
  return la.length === b.length && la.every((x, i) => x === b[i]);
}

/** ESO's applyOwnership: refuse another ExternalSecret's Secret; set or drop our controller reference. */
function ownership(es: ExternalSecret, live: LiveSecret | undefined, labels: Record<string, string>): OwnerReference[] {
  const creation = creationPolicyOf(es);
  const controller = live ? controllerOf(live.metadata) : undefined;
  const controlledByUs = controller !== undefined && refersTo(controller, es);
  const target = `${es.metadata.namespace}/${targetNameOf(es)}`;
  if (controller && isExternalSecretRef(controller) && !controlledByUs) {
    // Two ExternalSecrets writing one Secret would fight over it (ESO ErrSecretIsOwned), whatever the
    // creationPolicy: a Merge ExternalSecret cannot add keys to a Secret an Owner one controls.
    throw new ProjectorError(
      'TargetOwnedElsewhere',
      `target is owned by another ExternalSecret: Secret ${target} is controlled by ExternalSecret ${controller.name}; to combine keys from several ExternalSecrets, give every one of them creationPolicy Merge or CreateOrMerge`,
      { field: 'spec.target.name' },
    );
  }
  let owners = [...(live?.metadata.ownerReferences ?? [])];
  if (creation === 'Owner') {
    if (controller && !controlledByUs) {
      throw new ProjectorError('TargetOwnedElsewhere', `failed to take ownership of target secret: Secret ${target} is controlled by ${controller.kind} ${controller.name}`, {
        field: 'spec.target.creationPolicy',
      });
    }
    const ref = ownerReferenceFor(es);
    const i = owners.findIndex((o) => refersTo(o, es));
    if (i >= 0) owners[i] = ref;
    else owners.push(ref);
    labels[LABEL_CREATED_BY] = createdByLabelValue(es.metadata.namespace, es.metadata.name);
  } else {
    // A policy changed away from Owner gives the Secret up (ESO RemoveControllerReference).
    if (controlledByUs) owners = owners.filter((o) => !refersTo(o, es));
    delete labels[LABEL_CREATED_BY];
  }
  return owners;
}

function mergeInto(dest: Record<string, string>, src: Record<string, string> | undefined): void {
  // An own data property: `dest[k] = v` with k `__proto__` would set the prototype instead.
  for (const [k, v] of Object.entries(src ?? {})) Object.defineProperty(dest, k, { value: v, writable: true, enumerable: true, configurable: true });
}

/**
 * ESO ApplyTemplate's test for a data template (externalsecret_controller_template.go:
 * `len(Data) == 0 && len(TemplateFrom) == 0` is "no template"): an empty `data: {}` (as Helm renders
 * an empty map) or `templateFrom: []` is none, so the provider data is copied as without a template.
 */
export function hasDataTemplate(template: { data?: Record<string, unknown>; templateFrom?: readonly unknown[] } | undefined): boolean {
  return Object.keys(template?.data ?? {}).length > 0 || (template?.templateFrom?.length ?? 0) > 0;
}

/** ESO's mutationFunc applied to a copy of the live Secret (or to an empty one). */
function desiredSecret(input: PlanInput, fieldManager: string): DesiredSecret {
  const { es, data: providerData, live, renderTemplate, templateSources } = input;
  const creation = creationPolicyOf(es);
  const template = es.spec.target?.template;
  const labels: Record<string, string> = { ...(live?.metadata.labels ?? {}) };
  const annotations: Record<string, string> = { ...(live?.metadata.annotations ?? {}) };
  const finalizers = [...(live?.metadata.finalizers ?? [])];
  let data = new Map(live?.data ?? []);
  let type = live?.type;
  const immutable = (es.spec.target?.immutable ?? false) || (live?.immutable ?? false);

  // An immutable target that exists keeps its data, type and metadata: ESO never rewrites it, so a
  // rotation is not an error (docs/api/externalsecret.md "Immutable target").
  const mutable = !live || !es.spec.target?.immutable;
  if (mutable) {
    const owned = live ? ownedFieldsOf(live.metadata, fieldManager) : undefined;
    for (const k of owned?.data ?? []) data.delete(k);
    for (const k of owned?.labels ?? []) delete labels[k];
    for (const k of owned?.annotations ?? []) delete annotations[k];
    if (creation !== 'Merge' && creation !== 'CreateOrMerge') {
      // Owner and Orphan write the whole Secret (ESO clears it). Orphan keeps the keys another
      // ExternalSecret merged in, where ESO drops them until that one's next refresh: the Secret
      // would flap. (Under Owner the other ExternalSecret cannot write at all: TargetOwnedElsewhere.)
      const keep = creation === 'Orphan' && live ? dataKeysOfOtherExternalSecrets(live.metadata, fieldManager) : new Set<string>();
      data = new Map([...data].filter(([k]) => keep.has(k)));
    }
    if (!template) {
      // Without a template the ExternalSecret's own labels and annotations go onto the Secret.
      mergeInto(labels, es.metadata.labels);
      mergeInto(annotations, es.metadata.annotations);
      for (const [k, v] of providerData) data.set(k, v);
    } else {
      if (template.type) type = template.type;
      const rendered = renderTemplate
        ? renderTemplate(es, providerData, templateSources)
        : { data: new Map<string, SecretBytes>(), labels: template.metadata?.labels ?? {}, annotations: template.metadata?.annotations ?? {} };
      mergeInto(labels, rendered.labels);
      mergeInto(annotations, rendered.annotations);
      if (!live?.metadata.deletionTimestamp) {
        for (const f of template.metadata?.finalizers ?? []) if (!finalizers.includes(f)) finalizers.push(f);
      }
      const noDataTemplate = !hasDataTemplate(template);
      if (template.mergePolicy === 'Merge' || noDataTemplate) for (const [k, v] of providerData) data.set(k, v);
      for (const [k, v] of rendered.data) data.set(k, v);
    }
  }

  const ownerReferences = ownership(es, live, labels);
  labels[LABEL_MANAGED] = 'true';
  annotations[ANNOTATION_DATA_HASH] = hashSecretData(data);
  return {
    name: targetNameOf(es),
    namespace: es.metadata.namespace,
    type: type || 'Opaque',
    labels,
    annotations,
    ownerReferences,
    finalizers,
    immutable,
    data,
    fieldManager,
    resourceVersion: live?.metadata.resourceVersion,
  };
}

function planNoData(input: PlanInput): Plan {
  const { es, live } = input;
  const policy = deletionPolicyOf(es);
  if (policy === 'Retain') return { action: 'retain' };
  // deletionPolicy Merge goes on: the keys this ExternalSecret wrote are taken out of the Secret.
  if (policy === 'Merge') return planWrite(input);
  const creation = creationPolicyOf(es);
  const name = targetNameOf(es);
  if (creation !== 'Owner') {
    throw new ProjectorError('InvalidSpec', `unable to delete secret ${name}: creationPolicy=${creation} is not Owner`, { field: 'spec.target.deletionPolicy' });
  }
  if (!live) return { action: 'delete', name, namespace: es.metadata.namespace, exists: false };
  const controller = controllerOf(live.metadata);
  if (controller && !refersTo(controller, es)) {
    // Never delete what belongs to someone else, even where ESO only checks the policy.
    throw new ProjectorError('TargetOwnedElsewhere', `Secret ${es.metadata.namespace}/${name} is controlled by ${controller.kind} ${controller.name}; it is not deleted`, {
      field: 'spec.target.name',
    });
  }
  return { action: 'delete', name, namespace: es.metadata.namespace, exists: true, resourceVersion: live.metadata.resourceVersion };
}

function planWrite(input: PlanInput): Plan {
  const { es, live } = input;
  const creation = creationPolicyOf(es);
  if (creation === 'None') return { action: 'skip', reason: 'creationPolicy None: the Secret is not written' };
  if (creation === 'Merge' && !live) return { action: 'wait-for-target' };

  const desired = desiredSecret(input, fieldOwnerFor(es.metadata.name));
  assertValidKeys(es, desired.data);
  // What the API server would refuse (a dockerconfigjson that is not JSON, tls without tls.key, over
  // 1 MiB) fails here with a clear message, in the operator and in dev alike.
  assertSecretShape(desired, { nameKey: keyNamer(es) });
  const hash = desired.annotations[ANNOTATION_DATA_HASH]!;
  if (!live) return { action: 'create', hash, secret: { ...desired, resourceVersion: undefined } };

  const liveType = live.type || 'Opaque';
  const dataSame = sameBytes(live.data, desired.data);
  const contentSame = dataSame && liveType === desired.type && (live.immutable ?? false) === desired.immutable;
  const metaSameAs = (d: DesiredSecret) =>
    sameMap(live.metadata.labels, d.labels) &&
    sameMap(live.metadata.annotations, d.annotations) &&
    sameOwners(live.metadata.ownerReferences, d.ownerReferences) &&
    sameList(live.metadata.finalizers, d.finalizers);
  if (contentSame && metaSameAs(desired)) return { action: 'unchanged', hash };

  const target = `${es.metadata.namespace}/${desired.name}`;
  if (live.immutable && !contentSame) {
    // ESO updateSecret: the metadata of an immutable Secret is still written, then the sync fails.
    const err = new ProjectorError(
      'TargetImmutable',
      `could not update secret, target is immutable: Secret ${target} is immutable and its ${dataSame ? 'type' : 'data'} would change; delete it to let it be recreated`,
      { field: 'spec.target.immutable' },
    );
    // ESO copies the mutated copy's whole metadata onto the live Secret, so the data-hash annotation
    // written is the NEW data's (it no longer matches the data: the target stays invalid).
    const metadataOnly: DesiredSecret = { ...desired, data: live.data, type: liveType, immutable: true };
    if (metaSameAs(metadataOnly)) throw err;
    return { action: 'update', hash: metadataOnly.annotations[ANNOTATION_DATA_HASH]!, secret: metadataOnly, thenFail: err };
  }
  if (liveType !== desired.type) {
    // Kubernetes refuses to change a Secret's type (ESO then fails with "could not update secret").
    // The Secret this ExternalSecret owns is recreated with the new type; any other is left alone.
    const controller = controllerOf(live.metadata);
    if (creation === 'Owner' && controller && refersTo(controller, es)) {
      // The new Secret is the one a create makes (as after `kubectl delete secret`): what other
      // writers added to the old one (labels, annotations, owner references, finalizers) is not
      // carried over. Carried over, it would be written as this ExternalSecret's field manager, and
      // the next sync would take those labels and annotations out again as its own: a second write.
      const fresh = desiredSecret({ ...input, live: undefined }, desired.fieldManager);
      return { action: 'recreate', hash: fresh.annotations[ANNOTATION_DATA_HASH]!, secret: fresh, previous: { uid: live.metadata.uid, resourceVersion: live.metadata.resourceVersion, type: liveType } };
    }
    throw new ProjectorError(
      'TargetTypeImmutable',
      `Secret ${target} has type ${liveType} and Kubernetes cannot change a Secret's type to ${desired.type} in place; with creationPolicy ${creation} Projector does not delete a Secret it does not own: delete it and it will be created with the new type`,
      { field: 'spec.target.template.type' },
    );
  }
  return { action: 'update', hash, secret: desired };
}

/**
 * Decides the write for one sync. ESO order: no provider data → deletionPolicy (Retain keeps the
 * Secret, Delete deletes an owned one, Merge goes on to take its keys out); creationPolicy None →
 * nothing; Merge with no Secret → wait; otherwise the mutated copy of the live Secret, compared with
 * it. Throws ProjectorError (TargetOwnedElsewhere, TargetImmutable, TargetTypeImmutable, InvalidSpec).
 */
export function planTargetSecret(input: PlanInput): Plan {
  if (input.data.size === 0) return planNoData(input);
  return planWrite(input);
}
