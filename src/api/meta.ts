import { Type, StringMap, Preserved, ObjectName, NamespaceName, SecretKeyName, type Static } from './schema-kit.ts';
import { Rules } from './validation-rules.ts';

export { objectKey, splitKey, type ObjectKey } from './object-key.ts';

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** One writer's fields (metav1.ManagedFieldsEntry); fieldsV1 is the API server's FieldsV1 tree. */
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: unknown;
  subresource?: string;
}

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: ManagedFieldsEntry[];
}

export const Condition = Type.Object({
  type: Type.String(),
  status: Type.String(),
  reason: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
  lastTransitionTime: Type.Optional(Type.String({ format: 'date-time' })),
  observedGeneration: Type.Optional(Type.Integer()),
});
export type Condition = Static<typeof Condition>;

/** A reference to a key of a Kubernetes Secret (ESO's SecretKeySelector). */
export const SecretKeySelector = Type.Object({
  name: Type.Optional(ObjectName({ description: 'Name of the Secret.' })),
  namespace: Type.Optional(NamespaceName({ description: 'Namespace of the Secret; only honoured from cluster-scoped stores.' })),
  key: Type.Optional(SecretKeyName({ description: 'Key inside the Secret.' })),
});
export type SecretKeySelector = Static<typeof SecretKeySelector>;

export const ServiceAccountSelector = Type.Object({
  name: ObjectName(),
  namespace: Type.Optional(NamespaceName()),
  audiences: Type.Optional(Type.Array(Type.String())),
});
export type ServiceAccountSelector = Static<typeof ServiceAccountSelector>;

// metav1.LabelSelector as ESO's CRDs render it: atomic for server-side apply (one owner for the whole selector).
export const LabelSelector = Type.Object(
  {
    matchLabels: Type.Optional(StringMap()),
    matchExpressions: Type.Optional(
      Type.Array(
        Type.Object({
          key: Type.String(),
          operator: Type.String(),
          values: Type.Optional(Type.Array(Type.String(), { 'x-kubernetes-list-type': 'atomic' })),
        }, { 'x-kubernetes-validations': Rules.selectorRequirement }),
        { 'x-kubernetes-list-type': 'atomic' },
      ),
    ),
  },
  { 'x-kubernetes-map-type': 'atomic' },
);
export type LabelSelector = Static<typeof LabelSelector>;

export { Preserved };
