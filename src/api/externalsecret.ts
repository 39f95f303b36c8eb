// ExternalSecret (external-secrets.io/v1): the schema is the single source for the TS types,
// the CRD YAML (scripts/gen-crds.ts) and `projector validate`. Field names follow ESO verbatim.
//
// `default:` appears exactly where ESO's CRD has one (config/crds/bases/
// external-secrets.io_externalsecrets.yaml, v1) and nowhere else: the API server fills a default into
// every stored object, so a default ESO lacks is a live field a GitOps tool sees as drift from Git.
// Code reading an optional field without a CRD default applies ESO's meaning itself (core/external-secret.ts).
import { Type, StringEnum, StringMap, Duration, ObjectName, SecretKeyName, type Static } from './schema-kit.ts';
import { Condition } from './meta.ts';
import { DEFAULT_REFRESH_INTERVAL } from './constants.ts';
import { MAX_DURATION_CHARS, MAX_SYNC_WINDOWS, Rules } from './validation-rules.ts';
import { GENERATOR_KINDS } from './kinds.ts';

export { GENERATOR_KINDS } from './kinds.ts';

/** No CRD default (ESO has none): an absent kind means SecretStore, applied by core/external-secret.ts storeKindOf. */
export const StoreKind = StringEnum(['SecretStore', 'ClusterSecretStore']);

export const SecretStoreRef = Type.Object({
  name: ObjectName({ description: 'Name of the SecretStore or ClusterSecretStore.' }),
  kind: Type.Optional(StoreKind),
});
export type SecretStoreRef = Static<typeof SecretStoreRef>;


export const GeneratorRef = Type.Object({
  apiVersion: Type.Optional(Type.String({ default: 'generators.external-secrets.io/v1alpha1' })),
  kind: Type.Unsafe<string>({ type: 'string', enum: [...GENERATOR_KINDS] }),
  name: ObjectName(),
});

// ESO's CRD: exactly one of storeRef and generatorRef.
export const StoreSourceRef = Type.Object(
  {
    storeRef: Type.Optional(SecretStoreRef),
    generatorRef: Type.Optional(GeneratorRef),
  },
  { minProperties: 1, maxProperties: 1 },
);
export type StoreSourceRef = Static<typeof StoreSourceRef>;

// No CRD defaults (ESO's CRD has none here): absent means Default / None / None, which is how
// core/transform.ts and the providers read an absent value.
export const ConversionStrategy = StringEnum(['Default', 'Unicode']);
export const DecodingStrategy = StringEnum(['Auto', 'Base64', 'Base64URL', 'None']);
export const MetadataPolicy = StringEnum(['None', 'Fetch']);
/** ESO v2.9: `Fail` refuses fetched data holding a NUL byte; absent or `Ignore` keeps it (core/null-bytes.ts). */
export const NullBytePolicy = StringEnum(['Ignore', 'Fail']);

export const RemoteRef = Type.Object({
  key: Type.String({ description: 'Key of the secret in the provider (for Azure Key Vault: the secret name, or secret/, key/, cert/ + name).' }),
  metadataPolicy: Type.Optional(MetadataPolicy),
  property: Type.Optional(Type.String({ description: 'A property inside a JSON value (gjson-style dotted path).' })),
  version: Type.Optional(Type.String()),
  conversionStrategy: Type.Optional(ConversionStrategy),
  decodingStrategy: Type.Optional(DecodingStrategy),
  nullBytePolicy: Type.Optional(NullBytePolicy),
});
export type RemoteRef = Static<typeof RemoteRef>;

export const FindName = Type.Object({ regexp: Type.Optional(Type.String()) });

export const FindRef = Type.Object({
  path: Type.Optional(Type.String()),
  name: Type.Optional(FindName),
  tags: Type.Optional(StringMap()),
  conversionStrategy: Type.Optional(ConversionStrategy),
  decodingStrategy: Type.Optional(DecodingStrategy),
  nullBytePolicy: Type.Optional(NullBytePolicy),
}, { 'x-kubernetes-validations': Rules.find });
export type FindRef = Static<typeof FindRef>;

export const Rewrite = Type.Object({
  regexp: Type.Optional(Type.Object({ source: Type.String(), target: Type.String() })),
  transform: Type.Optional(Type.Object({ template: Type.String() })),
  merge: Type.Optional(
    Type.Object({
      strategy: Type.Optional(StringEnum(['Extract', 'JSON'], { default: 'Extract' })),
      into: Type.Optional(Type.String({ default: '' })),
      priority: Type.Optional(Type.Array(Type.String())),
      conflictPolicy: Type.Optional(StringEnum(['Error', 'Ignore'], { default: 'Error' })),
      priorityPolicy: Type.Optional(StringEnum(['Strict', 'IgnoreNotFound'], { default: 'Strict' })),
    }, { description: 'Merges the values (JSON objects) of this entry\'s keys: Extract makes each merged member a key, JSON writes the merged object to the key named by into.' }),
  ),
  // ESO's CRD: exactly one of regexp, transform and merge per item.
}, { minProperties: 1, maxProperties: 1 });
export type Rewrite = Static<typeof Rewrite>;

export const ExternalSecretData = Type.Object({
  secretKey: SecretKeyName({ description: 'Key in the target Secret.' }),
  remoteRef: RemoteRef,
  sourceRef: Type.Optional(StoreSourceRef),
});
export type ExternalSecretData = Static<typeof ExternalSecretData>;

export const ExternalSecretDataFrom = Type.Object(
  {
    extract: Type.Optional(RemoteRef),
    find: Type.Optional(FindRef),
    rewrite: Type.Optional(Type.Array(Rewrite)),
    sourceRef: Type.Optional(StoreSourceRef),
  },
  { 'x-kubernetes-validations': Rules.dataFromEntry },
);
export type ExternalSecretDataFrom = Static<typeof ExternalSecretDataFrom>;

const TemplateRefItem = Type.Object({
  key: SecretKeyName(),
  templateAs: Type.Optional(StringEnum(['Values', 'KeysAndValues'], { default: 'Values' })),
});

const TemplateFrom = Type.Object({
  configMap: Type.Optional(Type.Object({ name: ObjectName(), items: Type.Array(TemplateRefItem) })),
  secret: Type.Optional(Type.Object({ name: ObjectName(), items: Type.Array(TemplateRefItem) })),
  // Free text in ESO v1 (a path for manifest targets); for a Secret, Data, Annotations or Labels in any case.
  target: Type.Optional(Type.String({ default: 'Data' })),
  literal: Type.Optional(Type.String()),
  valuesDecodingStrategy: Type.Optional(DecodingStrategy),
});

export const Template = Type.Object({
  type: Type.Optional(Type.String({ description: 'Type of the target Secret, e.g. kubernetes.io/dockerconfigjson.' })),
  engineVersion: Type.Optional(StringEnum(['v1', 'v2'], { default: 'v2' })),
  metadata: Type.Optional(
    Type.Object({
      annotations: Type.Optional(StringMap()),
      labels: Type.Optional(StringMap()),
      finalizers: Type.Optional(Type.Array(Type.String())),
    }),
  ),
  mergePolicy: Type.Optional(StringEnum(['Replace', 'Merge'], { default: 'Replace' })),
  data: Type.Optional(StringMap()),
  templateFrom: Type.Optional(Type.Array(TemplateFrom)),
}, { 'x-kubernetes-validations': Rules.template });
export type Template = Static<typeof Template>;

export const CreationPolicy = StringEnum(['Owner', 'Orphan', 'Merge', 'CreateOrMerge', 'None'], { default: 'Owner' });
export const DeletionPolicy = StringEnum(['Delete', 'Merge', 'Retain'], { default: 'Retain' });

export const Target = Type.Object(
  {
    name: Type.Optional(ObjectName({ description: 'Name of the Secret to write; defaults to the ExternalSecret name.' })),
    creationPolicy: Type.Optional(CreationPolicy),
    deletionPolicy: Type.Optional(DeletionPolicy),
    template: Type.Optional(Template),
    /** ESO v2.9's generic targets (a ConfigMap or custom resource instead of a Secret): NotSupported unless v1 Secret. */
    manifest: Type.Optional(Type.Object({ apiVersion: Type.String({ minLength: 1 }), kind: Type.String({ minLength: 1 }) })),
    immutable: Type.Optional(Type.Boolean()),
  },
  // ESO defaults an absent target to this object, so every live ExternalSecret shows both policies.
  { default: { creationPolicy: 'Owner', deletionPolicy: 'Retain' }, 'x-kubernetes-validations': Rules.target },
);
export type Target = Static<typeof Target>;

export const ExternalSecretSpec = Type.Object({
  secretStoreRef: Type.Optional(SecretStoreRef),
  target: Type.Optional(Target),
  refreshPolicy: Type.Optional(StringEnum(['CreatedOnce', 'Periodic', 'OnChange'])),
  refreshInterval: Type.Optional(
    Duration({ description: 'How often to re-read the provider, as a Go duration; "0" (or a negative duration) syncs once.', default: DEFAULT_REFRESH_INTERVAL, maxLength: MAX_DURATION_CHARS, 'x-kubernetes-validations': Rules.signedRefreshInterval }),
  ),
  /**
   * ESO v2.9: cron windows (UTC) that allow or deny periodic refreshes (core/sync-windows.ts). ESO's
   * schema, plus the duration's Go syntax checked at apply time as for refreshInterval (which needs
   * the bounds maxLength and maxItems).
   */
  syncWindows: Type.Optional(
    Type.Object({
      kind: StringEnum(['allow', 'deny']),
      windows: Type.Array(
        Type.Object({
          schedule: Type.String({ minLength: 1, pattern: '^(@(annually|yearly|monthly|weekly|daily|midnight|hourly)|@every [^\\s]+.*|[^\\s]+( [^\\s]+){4})$' }),
          duration: Duration({ maxLength: MAX_DURATION_CHARS, 'x-kubernetes-validations': Rules.syncWindowDuration }),
        }),
        { minItems: 1, maxItems: MAX_SYNC_WINDOWS },
      ),
    }),
  ),
  data: Type.Optional(Type.Array(ExternalSecretData)),
  dataFrom: Type.Optional(Type.Array(ExternalSecretDataFrom)),
}, { 'x-kubernetes-validations': Rules.externalSecretSpec });
export type ExternalSecretSpec = Static<typeof ExternalSecretSpec>;

export const ExternalSecretStatus = Type.Object({
  refreshTime: Type.Optional(Type.Unsafe<string | null>({ type: 'string', format: 'date-time', nullable: true })),
  syncedResourceVersion: Type.Optional(Type.String()),
  conditions: Type.Optional(Type.Array(Type.Object({ ...Condition.properties, type: Type.Unsafe<string>({ type: 'string', enum: ['Ready', 'Deleted'] }) }))),
  // ESO's status.binding is a non-pointer corev1.LocalObjectReference (so `binding: {}` when no Secret
  // was bound) whose name has a CRD default of "" (so the API server serves `binding: {name: ""}`).
  binding: Type.Optional(Type.Object({ name: Type.Optional(Type.String({ default: '' })) }, { 'x-kubernetes-map-type': 'atomic' })),
});
export type ExternalSecretStatus = Static<typeof ExternalSecretStatus>;

export interface ExternalSecret {
  apiVersion: string;
  kind: 'ExternalSecret';
  metadata: import('./meta.ts').ObjectMeta & { name: string; namespace: string };
  spec: ExternalSecretSpec;
  status?: ExternalSecretStatus;
}
