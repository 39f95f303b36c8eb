import { Type, StringEnum, Preserved, type Static } from '../schema-kit.ts';
import { SecretKeySelector, ServiceAccountSelector } from '../meta.ts';

/**
 * A value given inline or read from a Kubernetes Secret. ESO's azurekv takes `tenantId` as a string;
 * the HOWTO's manifests write `tenantId`/`clientId`/`clientSecret` as `{valueFrom: {secretKeyRef}}`.
 * Projector accepts both, so the schema node keeps whatever was written and core/validate checks it.
 */
export interface ValueFrom {
  valueFrom: { secretKeyRef: SecretKeySelector };
}
export type ValueOrSecretRef = string | ValueFrom;

export const AzureAuthType = StringEnum(['ServicePrincipal', 'ManagedIdentity', 'WorkloadIdentity'], { default: 'ServicePrincipal' });

export const AzureKVProvider = Type.Object({
  authType: Type.Optional(AzureAuthType),
  vaultUrl: Type.String({ description: 'Vault URL, e.g. https://my-vault.vault.azure.net/ (or the local vault).' }),
  tenantId: Type.Optional(Preserved<ValueOrSecretRef>({ description: 'Tenant ID: a string, or {valueFrom: {secretKeyRef}}.' })),
  clientId: Type.Optional(Preserved<ValueOrSecretRef>({ description: 'Projector extension (HOWTO form): client ID as {valueFrom: {secretKeyRef}}.' })),
  clientSecret: Type.Optional(Preserved<ValueOrSecretRef>({ description: 'Projector extension (HOWTO form): client secret as {valueFrom: {secretKeyRef}}.' })),
  environmentType: Type.Optional(
    StringEnum(['PublicCloud', 'USGovernmentCloud', 'ChinaCloud', 'GermanCloud', 'AzureStackCloud'], { default: 'PublicCloud' }),
  ),
  authSecretRef: Type.Optional(
    Type.Object({
      clientId: Type.Optional(SecretKeySelector),
      clientSecret: Type.Optional(SecretKeySelector),
      clientCertificate: Type.Optional(SecretKeySelector),
      tenantId: Type.Optional(SecretKeySelector),
    }),
  ),
  serviceAccountRef: Type.Optional(ServiceAccountSelector),
  identityId: Type.Optional(Type.String({ description: 'Client ID of a user-assigned managed identity.' })),
  customCloudConfig: Type.Optional(
    Type.Object({
      activeDirectoryEndpoint: Type.String({ description: 'Authority host, e.g. https://login.microsoftonline.com/ or the local vault.' }),
      keyVaultEndpoint: Type.Optional(Type.String()),
      keyVaultDNSSuffix: Type.Optional(Type.String()),
      resourceManagerEndpoint: Type.Optional(Type.String()),
    }),
  ),
  useAzureSDK: Type.Optional(Type.Boolean({ default: false })),
  caBundle: Type.Optional(Type.String({ description: 'Projector extension: PEM CA bundle (base64) to trust for the vault and authority.' })),
  caProvider: Type.Optional(
    Type.Object({
      type: StringEnum(['Secret', 'ConfigMap']),
      name: Type.String(),
      key: Type.String(),
      namespace: Type.Optional(Type.String()),
    }),
  ),
});
export type AzureKVProvider = Static<typeof AzureKVProvider>;
