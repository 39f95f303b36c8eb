// ClusterPushSecret (external-secrets.io/v1alpha1, cluster-scoped): one PushSecret spec stamped into
// every selected namespace. Fields and status follow ESO v2.9 verbatim (ClusterPushSecretSpec and
// ClusterPushSecretStatus in apis/externalsecrets/v1alpha1/pushsecret_types.go;
// config/crds/bases/external-secrets.io_clusterpushsecrets.yaml). The schema is the single source
// for the TS types, the CRD (src/api/crds.ts) and `projector validate`.
import { Type, StringMap, Duration, type Static } from './schema-kit.ts';
import { Condition, LabelSelector, type ObjectMeta } from './meta.ts';
import { PushSecretSpec } from './pushsecret.ts';

export { CLUSTER_PUSH_SECRET_VERSION } from './kinds.ts';

/** Labels and annotations put on each PushSecret created (they replace the PushSecret's own, as ESO assigns them). */
export const PushSecretMetadata = Type.Object({
  annotations: Type.Optional(StringMap()),
  labels: Type.Optional(StringMap()),
});
export type PushSecretMetadata = Static<typeof PushSecretMetadata>;

export const ClusterPushSecretSpec = Type.Object({
  pushSecretSpec: PushSecretSpec,
  refreshTime: Type.Optional(Duration({ description: 'How often to reconcile the PushSecrets and re-check the namespaces (Go duration); default 1h.' })),
  pushSecretName: Type.Optional(
    Type.String({
      description: 'The name of the PushSecrets to be created; defaults to the name of the ClusterPushSecret.',
      minLength: 1,
      maxLength: 253,
      pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
    }),
  ),
  pushSecretMetadata: Type.Optional(PushSecretMetadata),
  namespaceSelectors: Type.Optional(Type.Array(LabelSelector, { description: 'Label selectors (ORed) choosing the Namespaces to create the PushSecrets in.' })),
});
export type ClusterPushSecretSpec = Static<typeof ClusterPushSecretSpec>;

export const ClusterPushSecretNamespaceFailure = Type.Object({
  namespace: Type.String({ description: 'The namespace that failed when trying to apply a PushSecret.' }),
  reason: Type.Optional(Type.String({ description: 'Why the PushSecret failed to apply to the namespace.' })),
});
export type ClusterPushSecretNamespaceFailure = Static<typeof ClusterPushSecretNamespaceFailure>;

export const ClusterPushSecretStatus = Type.Object({
  failedNamespaces: Type.Optional(Type.Array(ClusterPushSecretNamespaceFailure)),
  provisionedNamespaces: Type.Optional(Type.Array(Type.String())),
  pushSecretName: Type.Optional(Type.String()),
  /** ESO's PushSecretStatusCondition (type, status, reason, message, lastTransitionTime). */
  conditions: Type.Optional(Type.Array(Condition)),
});
export type ClusterPushSecretStatus = Static<typeof ClusterPushSecretStatus>;

export interface ClusterPushSecret {
  apiVersion: string;
  kind: 'ClusterPushSecret';
  metadata: ObjectMeta & { name: string };
  spec: ClusterPushSecretSpec;
  status?: ClusterPushSecretStatus;
}
