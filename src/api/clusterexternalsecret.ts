// ClusterExternalSecret (external-secrets.io/v1, cluster-scoped): one ExternalSecret spec stamped
// into every selected namespace. Fields, validation and status follow ESO verbatim
// (apis/externalsecrets/v1/clusterexternalsecret_types.go; config/crds/bases/
// external-secrets.io_clusterexternalsecrets.yaml). The schema is the single source for the TS
// types, the CRD (src/api/crds.ts) and `projector validate`.
import { Type, StringMap, Duration, type Static } from './schema-kit.ts';
import { LabelSelector, type ObjectMeta } from './meta.ts';
import { ExternalSecretSpec } from './externalsecret.ts';
import { withoutExternalSecretWebhookRules } from './validation-rules.ts';

/** Labels and annotations put on each ExternalSecret created (they replace the ExternalSecret's own). */
export const ExternalSecretMetadata = Type.Object({
  annotations: Type.Optional(StringMap()),
  labels: Type.Optional(StringMap()),
});
export type ExternalSecretMetadata = Static<typeof ExternalSecretMetadata>;

export const ClusterExternalSecretSpec = Type.Object({
  // ESO has no ClusterExternalSecret webhook: its ExternalSecrets meet the webhook's rules, not it.
  externalSecretSpec: withoutExternalSecretWebhookRules(ExternalSecretSpec),
  externalSecretName: Type.Optional(
    Type.String({
      description: 'The name of the ExternalSecrets to be created; defaults to the name of the ClusterExternalSecret.',
      minLength: 1,
      maxLength: 253,
      pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
    }),
  ),
  externalSecretMetadata: Type.Optional(ExternalSecretMetadata),
  /** Deprecated in ESO: use namespaceSelectors. */
  namespaceSelector: Type.Optional(LabelSelector),
  namespaceSelectors: Type.Optional(Type.Array(LabelSelector, { description: 'Label selectors (ORed) choosing the Namespaces to create the ExternalSecrets in.' })),
  namespaces: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 63, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' }), {
      description: 'Deprecated: use namespaceSelectors. Namespaces by name, ORed with the selectors.',
    }),
  ),
  refreshTime: Type.Optional(Duration({ description: 'How often to reconcile the ExternalSecrets and re-check the namespaces (Go duration); default 1h.' })),
});
export type ClusterExternalSecretSpec = Static<typeof ClusterExternalSecretSpec>;

/** ESO's ClusterExternalSecretStatusCondition: type, status, message (no reason, no times). */
export const ClusterExternalSecretCondition = Type.Object({
  type: Type.String(),
  status: Type.String(),
  message: Type.Optional(Type.String()),
});
export type ClusterExternalSecretCondition = Static<typeof ClusterExternalSecretCondition>;

export const ClusterExternalSecretNamespaceFailure = Type.Object({
  namespace: Type.String({ description: 'The namespace that failed when trying to apply an ExternalSecret.' }),
  reason: Type.Optional(Type.String({ description: 'Why the ExternalSecret failed to apply to the namespace.' })),
});
export type ClusterExternalSecretNamespaceFailure = Static<typeof ClusterExternalSecretNamespaceFailure>;

export const ClusterExternalSecretStatus = Type.Object({
  externalSecretName: Type.Optional(Type.String()),
  failedNamespaces: Type.Optional(Type.Array(ClusterExternalSecretNamespaceFailure)),
  provisionedNamespaces: Type.Optional(Type.Array(Type.String())),
  conditions: Type.Optional(Type.Array(ClusterExternalSecretCondition)),
});
export type ClusterExternalSecretStatus = Static<typeof ClusterExternalSecretStatus>;

export interface ClusterExternalSecret {
  apiVersion: string;
  kind: 'ClusterExternalSecret';
  metadata: ObjectMeta & { name: string };
  spec: ClusterExternalSecretSpec;
  status?: ClusterExternalSecretStatus;
}
