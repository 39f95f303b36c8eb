// SecretStore and ClusterSecretStore share one spec (ESO's GenericStore).
import { Type, StringEnum, Preserved, NamespaceName, type Static } from './schema-kit.ts';
import { Condition, LabelSelector, type ObjectMeta } from './meta.ts';
import { AzureKVProvider } from './providers/azurekv.ts';
import { FakeProvider } from './providers/fake.ts';
import { ESO_PROVIDER_SCHEMAS } from './providers/eso-providers.generated.ts';
import { MAX_DURATION_CHARS, Rules } from './validation-rules.ts';

/**
 * Every ESO provider: azurekv and fake as Projector defines them, the others with ESO's own schema
 * (providers/eso-providers.generated.ts, imported from ESO's CRD) so the API server keeps and checks
 * what ESO users wrote; a store using one reports NotSupported. A key no ESO release knows is kept
 * too (reported NotSupported by name) instead of being pruned silently. ESO's CRD: exactly one key.
 */
export const StoreProvider = Type.Object(
  {
    azurekv: Type.Optional(AzureKVProvider),
    fake: Type.Optional(FakeProvider),
    ...Object.fromEntries(Object.entries(ESO_PROVIDER_SCHEMAS).map(([name, schema]) => [name, Type.Optional(Type.Unsafe<Record<string, unknown>>(schema))])),
  },
  { 'x-kubernetes-preserve-unknown-fields': true, minProperties: 1, maxProperties: 1, description: 'Exactly one provider. Projector implements azurekv and fake.' },
);
export type StoreProvider = Static<typeof StoreProvider> & Record<string, unknown>;

export const ClusterSecretStoreCondition = Type.Object({
  namespaceSelector: Type.Optional(LabelSelector),
  // ESO's CRD: each a namespace name (DNS label, 1..63 characters).
  namespaces: Type.Optional(Type.Array(NamespaceName())),
  namespaceRegexes: Type.Optional(Type.Array(Type.String())),
});
export type ClusterSecretStoreCondition = Static<typeof ClusterSecretStoreCondition>;

export const SecretStoreSpec = Type.Object({
  controller: Type.Optional(Type.String({ description: 'Controller class; a store with another class is ignored.' })),
  provider: StoreProvider,
  // retryInterval is not parsed by ESO for azurekv or fake, nor checked by its webhook: any string is
  // accepted (`validate` warns when it is not a Go duration).
  retrySettings: Type.Optional(
    Type.Object({ maxRetries: Type.Optional(Type.Integer({ format: 'int32' })), retryInterval: Type.Optional(Type.String()) }),
  ),
  // ESO v2.9: whole seconds (the legacy form) or a Go duration string such as "5m".
  refreshInterval: Type.Optional(
    Type.Unsafe<number | string>({
      'x-kubernetes-int-or-string': true,
      anyOf: [{ type: 'integer' }, { type: 'string' }],
      maxLength: MAX_DURATION_CHARS,
      'x-kubernetes-validations': Rules.storeRefreshInterval,
      description: 'Time between store validations: seconds, or a Go duration such as "5m".',
    }),
  ),
  conditions: Type.Optional(Type.Array(ClusterSecretStoreCondition, { description: 'ClusterSecretStore only: which namespaces may use it.' })),
});
export type SecretStoreSpec = Static<typeof SecretStoreSpec>;

export const SecretStoreStatus = Type.Object({
  conditions: Type.Optional(Type.Array(Condition)),
  capabilities: Type.Optional(StringEnum(['ReadOnly', 'WriteOnly', 'ReadWrite'])),
});
export type SecretStoreStatus = Static<typeof SecretStoreStatus>;

export type StoreKindName = 'SecretStore' | 'ClusterSecretStore';

/** Either kind of store: ClusterSecretStore has no namespace. */
export interface GenericStore {
  apiVersion: string;
  kind: StoreKindName;
  metadata: ObjectMeta & { name: string };
  spec: SecretStoreSpec & { provider: StoreProvider };
  status?: SecretStoreStatus;
}

export { Preserved };
