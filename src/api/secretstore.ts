// SecretStore and ClusterSecretStore share one spec (ESO's GenericStore).
import { Type, StringEnum, Preserved, type Static } from './schema-kit.ts';
import { Condition, LabelSelector, type ObjectMeta } from './meta.ts';
import { AzureKVProvider } from './providers/azurekv.ts';
import { FakeProvider } from './providers/fake.ts';

export const StoreProvider = Type.Object(
  {
    azurekv: Type.Optional(AzureKVProvider),
    fake: Type.Optional(FakeProvider),
  },
  // Other ESO providers are kept as written so a manifest applies, and the store reports them as
  // unsupported instead of the API server silently pruning them.
  { 'x-kubernetes-preserve-unknown-fields': true, description: 'Exactly one provider. Projector implements azurekv and fake.' },
);
export type StoreProvider = Static<typeof StoreProvider> & Record<string, unknown>;

export const ClusterSecretStoreCondition = Type.Object({
  namespaceSelector: Type.Optional(LabelSelector),
  namespaces: Type.Optional(Type.Array(Type.String())),
  namespaceRegexes: Type.Optional(Type.Array(Type.String())),
});
export type ClusterSecretStoreCondition = Static<typeof ClusterSecretStoreCondition>;

export const SecretStoreSpec = Type.Object({
  controller: Type.Optional(Type.String({ description: 'Controller class; a store with another class is ignored.' })),
  provider: StoreProvider,
  retrySettings: Type.Optional(
    Type.Object({ maxRetries: Type.Optional(Type.Integer()), retryInterval: Type.Optional(Type.String()) }),
  ),
  refreshInterval: Type.Optional(Type.Integer({ description: 'Seconds between store validations.' })),
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
