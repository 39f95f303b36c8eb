// The pure heart of a sync: from the spec, the fetched data and the live Secret, decide what to write.
import type { ExternalSecret, ObjectMeta, OwnerReference } from '../api/index.ts';
import { ANNOTATION_DATA_HASH, LABEL_MANAGED, LABEL_MANAGED_BY, MANAGER_NAME } from '../api/constants.ts';
import { ProjectorError } from './errors.ts';
import { Sensitive } from './sensitive.ts';
import { hashSecretData } from './secret-data.ts';
import { creationPolicyOf, deletionPolicyOf, targetNameOf } from './external-secret.ts';
import { isValidSecretKey } from './transform.ts';

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
  immutable: boolean;
  data: ReadonlyMap<string, SecretBytes>;
  /** Set for updates: optimistic concurrency against the Secret that was planned from. */
  resourceVersion?: string;
}

export type Plan =
  | { action: 'create'; secret: DesiredSecret; hash: string }
  | { action: 'update'; secret: DesiredSecret; hash: string }
  | { action: 'unchanged'; hash: string }
  | { action: 'delete'; name: string; namespace: string; resourceVersion?: string }
  | { action: 'skip'; reason: string };

/** Renders target.template against the fetched data (injected: core/template). */
export type TemplateRenderer = (es: ExternalSecret, data: ReadonlyMap<string, SecretBytes>) => {
  data: ReadonlyMap<string, SecretBytes>;
  labels: Record<string, string>;
  annotations: Record<string, string>;
};

export interface PlanInput {
  es: ExternalSecret;
  /** Provider data after decoding and rewriting; keys are target Secret keys. */
  data: ReadonlyMap<string, SecretBytes>;
  /** True when every remote ref answered "not found" (drives deletionPolicy). */
  allMissing: boolean;
  live: LiveSecret | undefined;
  renderTemplate?: TemplateRenderer;
}

export function ownerReferenceFor(es: ExternalSecret): OwnerReference {
  return {
    apiVersion: es.apiVersion,
    kind: 'ExternalSecret',
    name: es.metadata.name,
    uid: es.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

function controllerOf(meta: ObjectMeta): OwnerReference | undefined {
  return meta.ownerReferences?.find((o) => o.controller);
}

function assertNotOwnedElsewhere(es: ExternalSecret, live: LiveSecret): void {
  const owner = controllerOf(live.metadata);
  if (owner && !(owner.kind === 'ExternalSecret' && owner.uid === es.metadata.uid)) {
    throw new ProjectorError(
      'TargetOwnedElsewhere',
      `target Secret ${es.metadata.namespace}/${live.metadata.name} is owned by ${owner.kind} ${owner.name}; two owners cannot write one Secret`,
      { field: 'spec.target.name' },
    );
  }
}

function assertValidKeys(data: ReadonlyMap<string, SecretBytes>): void {
  for (const key of data.keys()) {
    if (!isValidSecretKey(key)) {
      throw new ProjectorError('InvalidSpec', `key "${key}" is not a valid Secret key (allowed: letters, digits, '-', '_', '.'); use rewrite or conversionStrategy`, {
        field: 'spec.data',
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

function includes(have: Record<string, string> | undefined, want: Record<string, string>): boolean {
  return Object.entries(want).every(([k, v]) => have?.[k] === v);
}

function desiredContent(input: PlanInput): { data: ReadonlyMap<string, SecretBytes>; labels: Record<string, string>; annotations: Record<string, string> } {
  const { es, data, renderTemplate } = input;
  const template = es.spec.target?.template;
  if (!template) return { data, labels: {}, annotations: {} };
  const rendered = renderTemplate
    ? renderTemplate(es, data)
    : { data: new Map<string, SecretBytes>(), labels: template.metadata?.labels ?? {}, annotations: template.metadata?.annotations ?? {} };
  const merged = template.mergePolicy === 'Merge' ? new Map([...data, ...rendered.data]) : rendered.data;
  // With no template data at all ESO keeps the provider data (a template that only sets type/metadata).
  const finalData = !template.data && !template.templateFrom?.length ? new Map([...data, ...rendered.data]) : merged;
  return { data: finalData, labels: rendered.labels, annotations: rendered.annotations };
}

function planDeletion(input: PlanInput): Plan {
  const { es, live } = input;
  const policy = deletionPolicyOf(es);
  const ns = es.metadata.namespace;
  if (!live) return { action: 'skip', reason: 'every remote secret is gone and the target Secret does not exist' };
  if (policy === 'Delete') {
    assertNotOwnedElsewhere(es, live);
    return { action: 'delete', name: live.metadata.name!, namespace: ns, resourceVersion: live.metadata.resourceVersion };
  }
  // deletionPolicy Merge: take back the keys this ExternalSecret names, keep the Secret.
  const ours = new Set((es.spec.data ?? []).map((d) => d.secretKey));
  const remaining = new Map([...live.data].filter(([k]) => !ours.has(k)));
  const hash = hashSecretData(remaining);
  if (remaining.size === live.data.size) return { action: 'unchanged', hash };
  return {
    action: 'update',
    hash,
    secret: {
      name: live.metadata.name!,
      namespace: ns,
      type: live.type ?? 'Opaque',
      labels: live.metadata.labels ?? {},
      annotations: { ...(live.metadata.annotations ?? {}), [ANNOTATION_DATA_HASH]: hash },
      ownerReferences: live.metadata.ownerReferences ?? [],
      immutable: live.immutable ?? false,
      data: remaining,
      resourceVersion: live.metadata.resourceVersion,
    },
  };
}

export function planTargetSecret(input: PlanInput): Plan {
  const { es, live } = input;
  const creation = creationPolicyOf(es);
  if (creation === 'None') return { action: 'skip', reason: 'creationPolicy None: the Secret is not written' };
  if (input.allMissing && deletionPolicyOf(es) !== 'Retain') return planDeletion(input);

  const content = desiredContent(input);
  assertValidKeys(content.data);
  const name = targetNameOf(es);
  const namespace = es.metadata.namespace;

  if (creation === 'Merge' && !live) {
    throw new ProjectorError('TargetMissing', `target Secret ${namespace}/${name} does not exist; creationPolicy Merge only adds keys to an existing Secret`, {
      field: 'spec.target.creationPolicy',
    });
  }
  if (live && creation !== 'Merge') assertNotOwnedElsewhere(es, live);

  const data = creation === 'Merge' && live ? new Map([...live.data, ...content.data]) : content.data;
  const hash = hashSecretData(data);
  const labels: Record<string, string> = { ...content.labels, [LABEL_MANAGED]: 'true', [LABEL_MANAGED_BY]: MANAGER_NAME };
  const annotations: Record<string, string> = { ...content.annotations, [ANNOTATION_DATA_HASH]: hash };
  const ownerReferences = creation === 'Owner' ? [ownerReferenceFor(es)] : [];
  const type = es.spec.target?.template?.type ?? live?.type ?? 'Opaque';
  const immutable = es.spec.target?.immutable ?? false;

  if (!live) {
    return { action: 'create', hash, secret: { name, namespace, type, labels, annotations, ownerReferences, immutable, data } };
  }

  const dataSame = sameBytes(live.data, data);
  const ownersSame = ownerReferences.every((o) => live.metadata.ownerReferences?.some((l) => l.uid === o.uid && l.controller));
  if (dataSame && ownersSame && includes(live.metadata.labels, labels) && includes(live.metadata.annotations, annotations) && (live.type ?? 'Opaque') === type) {
    return { action: 'unchanged', hash };
  }
  if (live.immutable && !dataSame) {
    throw new ProjectorError('TargetImmutable', `target Secret ${namespace}/${name} is immutable and its data would change; delete it to let Projector recreate it`, {
      field: 'spec.target.immutable',
    });
  }
  // Keep what others put on the Secret (Argo CD tracking labels, other owners for Merge/Orphan).
  const keptOwners = (live.metadata.ownerReferences ?? []).filter((o) => !(o.kind === 'ExternalSecret' && o.uid === es.metadata.uid));
  return {
    action: 'update',
    hash,
    secret: {
      name,
      namespace,
      type: live.type ?? type,
      labels: { ...(live.metadata.labels ?? {}), ...labels },
      annotations: { ...(live.metadata.annotations ?? {}), ...annotations },
      ownerReferences: [...keptOwners, ...ownerReferences],
      immutable: live.immutable || immutable,
      data,
      resourceVersion: live.metadata.resourceVersion,
    },
  };
}
