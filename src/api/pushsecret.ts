// PushSecret (external-secrets.io/v1alpha1, namespaced): pushes a Kubernetes Secret (or a generator's
// output) to one or more stores. Fields, defaults and validation follow ESO v2.9 verbatim
// (apis/externalsecrets/v1alpha1/pushsecret_types.go; config/crds/bases/
// external-secrets.io_pushsecrets.yaml). The schema is the single source for the TS types, the CRD
// (src/api/crds.ts) and `projector validate`. Fields Projector does not implement yet are in the
// schema and reported NotSupported by core/push-secret.ts (docs/pushsecret.md).
import { Type, StringEnum, Duration, ObjectName, Preserved, type Static } from './schema-kit.ts';
import { Condition, LabelSelector, type ObjectMeta } from './meta.ts';
import { GeneratorRef, Template } from './externalsecret.ts';
import { DEFAULT_REFRESH_INTERVAL } from './constants.ts';
import { MAX_DURATION_CHARS, Rules } from './validation-rules.ts';

export { PUSH_SECRET_VERSION } from './kinds.ts';

// ESO's PushSecret template is the ExternalSecret's with engineVersion limited to v2 (its CRD's enum;
// pushsecret_controller_template.go renders with v2 whatever is set): v1 is refused at apply time.
// No rule on template.type: ESO has no PushSecret webhook (the ExternalSecret's privileged-type rules
// guard the Secret an ExternalSecret writes; a PushSecret's template only shapes what is pushed).
const PushSecretTemplate = Type.Object(
  { ...Template.properties, engineVersion: Type.Optional(StringEnum(['v2'], { default: 'v2' })) },
);

const PushStoreKind = StringEnum(['SecretStore', 'ClusterSecretStore'], { default: 'SecretStore' });

/** ESO's PushSecretStoreRef: a store by name, or every store of `kind` matching a label selector. */
export const PushSecretStoreRef = Type.Object({
  name: Type.Optional(ObjectName({ description: 'Name of the SecretStore or ClusterSecretStore.' })),
  labelSelector: Type.Optional(LabelSelector),
  kind: Type.Optional(PushStoreKind),
});
export type PushSecretStoreRef = Static<typeof PushSecretStoreRef>;

export const PushConversionStrategy = StringEnum(['None', 'ReverseUnicode'], { default: 'None' });

export const PushSecretRemoteRef = Type.Object({
  remoteKey: Type.String({ description: 'Name of the object in the provider (Azure Key Vault: a secret name, or key/ or cert/ + name).' }),
  property: Type.Optional(Type.String({ description: 'A property in the remote object (providers that support it).' })),
});
export type PushSecretRemoteRef = Static<typeof PushSecretRemoteRef>;

export const PushSecretMatch = Type.Object({
  secretKey: Type.Optional(Type.String({ description: 'Key of the source Secret to push; absent pushes the whole Secret as JSON.' })),
  remoteRef: PushSecretRemoteRef,
});

export const PushSecretData = Type.Object({
  match: PushSecretMatch,
  metadata: Type.Optional(Preserved({ description: 'Provider-specific metadata (azurekv: apiVersion kubernetes.external-secrets.io/v1alpha1, kind PushSecretMetadata, spec.tags/contentType/expirationDate).' })),
  conversionStrategy: Type.Optional(PushConversionStrategy),
});
export type PushSecretData = Static<typeof PushSecretData>;

const PushSecretRewrite = Type.Object(
  {
    regexp: Type.Optional(Type.Object({ source: Type.String(), target: Type.String() })),
    transform: Type.Optional(Type.Object({ template: Type.String() })),
  },
  { 'x-kubernetes-validations': [{ rule: '(has(self.regexp) && !has(self.transform)) || (!has(self.regexp) && has(self.transform))', message: 'exactly one of regexp or transform must be set' }] },
);

export const PushSecretDataTo = Type.Object(
  {
    storeRef: Type.Optional(PushSecretStoreRef),
    remoteKey: Type.Optional(Type.String()),
    match: Type.Optional(Type.Object({ regexp: Type.Optional(Type.String()) })),
    rewrite: Type.Optional(Type.Array(PushSecretRewrite)),
    metadata: Type.Optional(Preserved()),
    conversionStrategy: Type.Optional(PushConversionStrategy),
  },
  {
    'x-kubernetes-validations': [
      { rule: 'has(self.storeRef) && (has(self.storeRef.name) || has(self.storeRef.labelSelector))', message: 'storeRef must specify either name or labelSelector' },
      { rule: '!has(self.remoteKey) || !has(self.rewrite) || size(self.rewrite) == 0', message: 'remoteKey and rewrite are mutually exclusive: rewrite is only supported in per-key mode (without remoteKey)' },
    ],
  },
);
export type PushSecretDataTo = Static<typeof PushSecretDataTo>;

export const PushSecretSelector = Type.Object(
  {
    secret: Type.Optional(
      Type.Object({
        name: Type.Optional(ObjectName({ description: 'Name of the source Secret (in the PushSecret namespace).' })),
        selector: Type.Optional(LabelSelector),
      }),
    ),
    generatorRef: Type.Optional(GeneratorRef),
  },
  { minProperties: 1, maxProperties: 1 },
);
export type PushSecretSelector = Static<typeof PushSecretSelector>;

export const PushSecretSpec = Type.Object({
  refreshInterval: Type.Optional(
    Duration({ description: 'How often to push again, as a Go duration; "0" pushes once per change of the PushSecret, a negative duration on every reconcile.', default: DEFAULT_REFRESH_INTERVAL, maxLength: MAX_DURATION_CHARS, 'x-kubernetes-validations': Rules.signedRefreshInterval }),
  ),
  secretStoreRefs: Type.Array(PushSecretStoreRef),
  updatePolicy: Type.Optional(StringEnum(['Replace', 'IfNotExists'], { default: 'Replace' })),
  deletionPolicy: Type.Optional(StringEnum(['Delete', 'None'], { default: 'None' })),
  selector: PushSecretSelector,
  data: Type.Optional(Type.Array(PushSecretData)),
  dataTo: Type.Optional(Type.Array(PushSecretDataTo)),
  template: Type.Optional(PushSecretTemplate),
});
export type PushSecretSpec = Static<typeof PushSecretSpec>;

/** status.syncedPushSecrets: "<Kind>/<store name>" → statusRef ("remoteKey" or "remoteKey/property") → the data item pushed. */
export type SyncedPushSecrets = Record<string, Record<string, PushSecretData>>;

export const PushSecretStatus = Type.Object({
  refreshTime: Type.Optional(Type.Unsafe<string | null>({ type: 'string', format: 'date-time', nullable: true })),
  syncedResourceVersion: Type.Optional(Type.String()),
  syncedPushSecrets: Type.Optional(Type.Unsafe<SyncedPushSecrets>({ type: 'object', additionalProperties: { type: 'object', additionalProperties: PushSecretData } })),
  conditions: Type.Optional(Type.Array(Condition)),
});
export type PushSecretStatus = Static<typeof PushSecretStatus>;

export interface PushSecret {
  apiVersion: string;
  kind: 'PushSecret';
  metadata: ObjectMeta & { name: string; namespace: string };
  spec: PushSecretSpec;
  status?: PushSecretStatus;
}
