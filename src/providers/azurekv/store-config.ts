// Pure: reads spec.provider.azurekv into one normalised shape, with the issues found on the way.
// validateStore reports the issues; newClient refuses to start when any is an error. Both the
// HOWTO's form (tenantId/clientId/clientSecret as {valueFrom: {secretKeyRef}}) and ESO's form
// (tenantId string + authSecretRef) are accepted; naming one credential both ways is an error.
import type { AzureKVProvider, GenericStore, SecretKeySelector, ServiceAccountSelector, ValueOrSecretRef } from '../../api/index.ts';
import { decodeStdText } from '../../core/go-base64.ts';
import { issue, type Issue } from '../../core/issues.ts';
import { storeApiVersion } from './api-version.ts';

export type AuthType = 'ServicePrincipal' | 'ManagedIdentity' | 'WorkloadIdentity';

/** A setting given inline in the manifest or read from a Kubernetes Secret key. */
export type ValueSource = { inline: string } | { secretKeyRef: SecretKeySelector; field: string };

export interface CaSource {
  type: 'Secret' | 'ConfigMap';
  name: string;
  key: string;
  namespace?: string | undefined;
}

export interface AzureKvConfig {
  vaultUrl: string;
  authType: AuthType;
  tenantId?: ValueSource | undefined;
  clientId?: ValueSource | undefined;
  clientSecret?: ValueSource | undefined;
  clientCertificate?: ValueSource | undefined;
  serviceAccountRef?: ServiceAccountSelector | undefined;
  identityId?: string | undefined;
  /** https origin of the Entra ID authority (custom or the environment's). */
  authorityHost: string;
  /** True when the authority is not one of Azure's public clouds: MSAL must not call instance discovery. */
  isCustomAuthority: boolean;
  /** True when vaultUrl is not under a known Key Vault DNS suffix (the local vault, a proxy). */
  disableChallengeResourceVerification: boolean;
  caBundlePem?: string | undefined;
  caProvider?: CaSource | undefined;
  /** Key Vault REST api-version from the store annotation (api-version.ts); undefined = the SDK's default. */
  apiVersion?: string | undefined;
  /**
   * `useAzureSDK`: which of ESO's two Go SDKs would read the vault. It changes the bytes of `key/`
   * refs (key-value.ts: the JSON Web Key's member order) and where WorkloadIdentity takes its client
   * and tenant IDs (auth.ts); Projector always calls the JS SDK.
   */
  useAzureSDK: boolean;
  /**
   * authSecretRef is set but names no clientId: ESO's legacy WorkloadIdentity refuses that
   * (keyvault.go authorizerForWorkloadIdentity, errMissingClientIDSecret) even when the service
   * account's annotation names the client (auth.ts).
   */
  authSecretRefWithoutClientId: boolean;
}

const BASE = 'spec.provider.azurekv';
const AUTH_TYPES: ReadonlySet<string> = new Set<AuthType>(['ServicePrincipal', 'ManagedIdentity', 'WorkloadIdentity']);

/** Entra ID authority per ESO environmentType (AzureStackCloud has none: customCloudConfig is required). */
export const AUTHORITY_BY_ENVIRONMENT: Readonly<Record<string, string | undefined>> = {
  PublicCloud: 'https://login.microsoftonline.com',
  USGovernmentCloud: 'https://login.microsoftonline.us',
  ChinaCloud: 'https://login.chinacloudapi.cn',
  GermanCloud: 'https://login.microsoftonline.de',
  AzureStackCloud: undefined,
};

const KEY_VAULT_DNS_SUFFIXES = ['.vault.azure.net', '.vault.usgovcloudapi.net', '.vault.azure.cn', '.vault.microsoftazure.de', '.managedhsm.azure.net'];

export interface ResolvedStore {
  config?: AzureKvConfig;
  issues: Issue[];
}

function isValueFrom(v: unknown): v is { valueFrom: { secretKeyRef: SecretKeySelector } } {
  return typeof v === 'object' && v !== null && 'valueFrom' in v;
}

/** Reads one `tenantId`/`clientId`/`clientSecret` field written in either form. */
function valueSourceOf(v: ValueOrSecretRef | undefined, field: string, issues: Issue[]): ValueSource | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return { inline: v };
  if (isValueFrom(v) && typeof v.valueFrom === 'object' && v.valueFrom !== null && typeof v.valueFrom.secretKeyRef === 'object') {
    return { secretKeyRef: v.valueFrom.secretKeyRef, field: `${field}.valueFrom.secretKeyRef` };
  }
  issues.push(issue(field, 'InvalidValue', `${field} must be a string or {valueFrom: {secretKeyRef: {name, key}}}`));
  return undefined;
}

function refSource(ref: SecretKeySelector | undefined, field: string): ValueSource | undefined {
  return ref ? { secretKeyRef: ref, field } : undefined;
}

/** One credential named two ways (HOWTO form and authSecretRef) is ambiguous: refuse it. */
function eitherSource(a: ValueSource | undefined, b: ValueSource | undefined, what: string, issues: Issue[]): ValueSource | undefined {
  if (a && b) {
    issues.push(issue(`${BASE}.${what}`, 'Conflict', `${what} is given both as ${BASE}.${what} and as ${BASE}.authSecretRef.${what}; keep one`));
  }
  return a ?? b;
}

/**
 * tenantId as a string (ESO's field) and authSecretRef.tenantId both set: ESO takes one by authType
 * and ignores the other (keyvault.go: ServicePrincipal reads only spec tenantId,
 * authorizerForServicePrincipal; WorkloadIdentity reads authSecretRef.tenantId first,
 * authorizerForWorkloadIdentity), so this warns instead of refusing. The HOWTO's valueFrom form has
 * no ESO counterpart: with authSecretRef.tenantId too it is a conflict.
 */
function tenantSource(p: AzureKVProvider, authType: string, issues: Issue[]): ValueSource | undefined {
  const fromSpec = valueSourceOf(p.tenantId, `${BASE}.tenantId`, issues);
  const fromRef = refSource(p.authSecretRef?.tenantId, `${BASE}.authSecretRef.tenantId`);
  if (fromRef && authType === 'WorkloadIdentity' && p.useAzureSDK === true) {
    // keyvault_new_sdk.go buildWorkloadIdentityCredential: the store's tenantId, else the annotation.
    issues.push(issue(`${BASE}.authSecretRef.tenantId`, 'Ignored', `WorkloadIdentity with useAzureSDK takes ${BASE}.tenantId or the service account annotation; authSecretRef.tenantId is ignored, as ESO does`, 'warning'));
    return fromSpec;
  }
  if (!fromSpec || !fromRef || !('inline' in fromSpec)) return eitherSource(fromSpec, fromRef, 'tenantId', issues);
  const useRef = authType === 'WorkloadIdentity' && p.useAzureSDK !== true;
  const [used, ignored] = useRef ? ['authSecretRef.tenantId', 'tenantId'] : ['tenantId', 'authSecretRef.tenantId'];
  issues.push(issue(`${BASE}.${ignored}`, 'Ignored', `${authType} uses ${BASE}.${used}; ${ignored} is ignored, as ESO does`, 'warning'));
  return useRef ? fromRef : fromSpec;
}

/**
 * ESO's webhook refuses another namespace only on clientId, clientSecret and serviceAccountRef
 * (keyvault.go ValidateStore); its resolver reads every Secret ref of a SecretStore from the store's
 * own namespace whatever the ref says (runtime/esutils/resolvers/secret_ref.go SecretKeyRef). So a
 * namespace on tenantId or clientCertificate is a warning: it is ignored, as in ESO.
 */
function checkSecretRef(source: ValueSource | undefined, store: GenericStore, issues: Issue[], otherNamespace: 'refused' | 'ignored'): void {
  if (!source || 'inline' in source) return;
  const { secretKeyRef: ref, field } = source;
  if (!ref.name) issues.push(issue(`${field}.name`, 'Required', `${field}.name is required`));
  if (!ref.key) issues.push(issue(`${field}.key`, 'Required', `${field}.key is required`));
  if (otherNamespace === 'refused') checkNamespace(ref.namespace, `${field}.namespace`, store, issues);
  else if (store.kind === 'SecretStore' && ref.namespace && ref.namespace !== store.metadata.namespace) {
    issues.push(
      issue(`${field}.namespace`, 'NamespaceIgnored', `a SecretStore reads ${field} from its own namespace "${store.metadata.namespace}"; namespace "${ref.namespace}" is ignored, as ESO does`, 'warning'),
    );
  }
}

/** A namespaced SecretStore may only read its own namespace (ESO's ValidateReferentSecretSelector). */
function checkNamespace(namespace: string | undefined, field: string, store: GenericStore, issues: Issue[]): void {
  if (store.kind !== 'SecretStore' || namespace === undefined || namespace === '') return;
  if (namespace !== store.metadata.namespace) {
    issues.push(issue(field, 'CrossNamespace', `a SecretStore may not reference namespace "${namespace}" (${field}); use a ClusterSecretStore`));
  }
}

function checkHttpsUrl(raw: string | undefined, field: string, issues: Issue[]): URL | undefined {
  if (!raw) {
    issues.push(issue(field, 'Required', `${field} is required`));
    return undefined;
  }
  // Documentation manifests (the HOWTO) ship "https://<YOUR_KEYVAULT_NAME>.vault.azure.net/".
  if (/<[^>]+>/.test(raw)) {
    // A warning for `projector validate` (the manifest is well-formed); newClient refuses it.
    issues.push(issue(field, 'Placeholder', `${field} still contains a placeholder (${/<[^>]+>/.exec(raw)![0]}); set your vault's URL`, 'warning'));
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    issues.push(issue(field, 'InvalidURL', `${field} is not a URL`));
    return undefined;
  }
  if (url.protocol !== 'https:') {
    issues.push(issue(field, 'InsecureURL', `${field} must use https (Key Vault and Entra ID refuse plain http)`));
    return undefined;
  }
  return url;
}

function decodeCaBundle(caBundle: string | undefined, issues: Issue[]): string | undefined {
  if (caBundle === undefined || caBundle === '') return undefined;
  // Decoded as Kubernetes decodes the []byte caBundle fields of ESO's other providers: Go's
  // base64.StdEncoding (padding required, nothing skipped but \r and \n).
  const decoded = decodeStdText(caBundle);
  if (!decoded.ok) {
    issues.push(issue(`${BASE}.caBundle`, 'InvalidValue', `${BASE}.caBundle must be a base64-encoded PEM certificate bundle (${decoded.message})`));
    return undefined;
  }
  const pem = Buffer.from(decoded.bytes).toString('utf8');
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    issues.push(issue(`${BASE}.caBundle`, 'InvalidValue', `${BASE}.caBundle must be a base64-encoded PEM certificate bundle`));
    return undefined;
  }
  return pem;
}

function caProviderOf(p: AzureKVProvider, store: GenericStore, issues: Issue[]): CaSource | undefined {
  const cp = p.caProvider;
  if (!cp) return undefined;
  const field = `${BASE}.caProvider`;
  if (cp.type !== 'Secret' && cp.type !== 'ConfigMap') issues.push(issue(`${field}.type`, 'InvalidValue', `${field}.type must be Secret or ConfigMap`));
  if (!cp.name) issues.push(issue(`${field}.name`, 'Required', `${field}.name is required`));
  if (!cp.key) issues.push(issue(`${field}.key`, 'Required', `${field}.key is required`));
  if (store.kind === 'ClusterSecretStore' && !cp.namespace) {
    issues.push(issue(`${field}.namespace`, 'Required', `${field}.namespace is required in a ClusterSecretStore`));
  }
  checkNamespace(cp.namespace, `${field}.namespace`, store, issues);
  return { type: cp.type, name: cp.name, key: cp.key, namespace: cp.namespace };
}

/**
 * The Entra ID authority. ESO's new SDK refuses `GermanCloud` (keyvault_new_sdk.go
 * getCloudConfiguration: discontinued in 2021); its legacy SDK takes it. ESO also refuses
 * `customCloudConfig` without `useAzureSDK: true` (keyvault.go ValidateStore); Projector does not,
 * a difference listed in docs/design/000-overview.md.
 */
function authorityOf(p: AzureKVProvider, issues: Issue[]): { authorityHost: string; isCustomAuthority: boolean } {
  const custom = p.customCloudConfig?.activeDirectoryEndpoint;
  if (p.useAzureSDK === true && p.environmentType === 'GermanCloud') {
    issues.push(
      issue(`${BASE}.environmentType`, 'InvalidValue', 'GermanCloud (Microsoft Cloud Deutschland) was discontinued on 2021-10-29 and ESO\'s new SDK (useAzureSDK: true) refuses it; use AzureStackCloud with customCloudConfig, or a public cloud region'),
    );
  }
  if (p.customCloudConfig) {
    const url = checkHttpsUrl(custom, `${BASE}.customCloudConfig.activeDirectoryEndpoint`, issues);
    return { authorityHost: url ? url.origin + url.pathname.replace(/\/+$/, '') : '', isCustomAuthority: true };
  }
  const env = p.environmentType ?? 'PublicCloud';
  const known = AUTHORITY_BY_ENVIRONMENT[env];
  if (!known) {
    issues.push(issue(`${BASE}.customCloudConfig`, 'Required', `environmentType ${env} needs ${BASE}.customCloudConfig.activeDirectoryEndpoint`));
    return { authorityHost: '', isCustomAuthority: true };
  }
  return { authorityHost: known, isCustomAuthority: false };
}

function isKnownVaultHost(url: URL, p: AzureKVProvider): boolean {
  const host = url.hostname.toLowerCase();
  const custom = p.customCloudConfig?.keyVaultDNSSuffix;
  const suffixes = custom ? [...KEY_VAULT_DNS_SUFFIXES, `.${custom.replace(/^\.+/, '').toLowerCase()}`] : KEY_VAULT_DNS_SUFFIXES;
  return suffixes.some((s) => host.endsWith(s));
}

function checkServicePrincipal(c: AzureKvConfig, issues: Issue[]): void {
  if (!c.tenantId) issues.push(issue(`${BASE}.tenantId`, 'Required', 'ServicePrincipal needs tenantId (a string, valueFrom.secretKeyRef or authSecretRef.tenantId)'));
  if (!c.clientId) issues.push(issue(`${BASE}.authSecretRef.clientId`, 'Required', 'ServicePrincipal needs clientId (clientId.valueFrom.secretKeyRef or authSecretRef.clientId)'));
  if (!c.clientSecret && !c.clientCertificate) {
    issues.push(issue(`${BASE}.authSecretRef.clientSecret`, 'Required', 'ServicePrincipal needs clientSecret or authSecretRef.clientCertificate'));
  }
  if (c.clientSecret && c.clientCertificate) {
    issues.push(issue(`${BASE}.authSecretRef.clientCertificate`, 'Conflict', 'ServicePrincipal takes clientSecret or clientCertificate, not both'));
  }
}

function checkInlineSecrets(c: AzureKvConfig, issues: Issue[]): void {
  if (c.clientSecret && 'inline' in c.clientSecret) {
    issues.push(issue(`${BASE}.clientSecret`, 'InlineSecret', 'clientSecret must come from a Kubernetes Secret (valueFrom.secretKeyRef), never inline'));
  }
}

function checkUnusedCredentials(c: AzureKvConfig, issues: Issue[]): void {
  if (c.authType === 'ServicePrincipal') return;
  if (c.clientSecret || c.clientCertificate) {
    issues.push(issue(`${BASE}.authSecretRef`, 'Ignored', `${c.authType} does not use a client secret or certificate; they are ignored`, 'warning'));
  }
}

/** Normalises the store's azurekv block; `config` is absent only when the block itself is missing. */
export function resolveStoreConfig(store: GenericStore): ResolvedStore {
  const issues: Issue[] = [];
  const p = store.spec?.provider?.azurekv;
  if (!p) return { issues: [issue(BASE, 'Required', `${BASE} is missing`)] };

  const authType = p.authType ?? 'ServicePrincipal';
  if (!AUTH_TYPES.has(authType)) issues.push(issue(`${BASE}.authType`, 'InvalidValue', `authType must be ServicePrincipal, ManagedIdentity or WorkloadIdentity`));
  const vaultUrl = checkHttpsUrl(p.vaultUrl, `${BASE}.vaultUrl`, issues);
  const asr = p.authSecretRef;
  const apiVersion = storeApiVersion(store);
  issues.push(...apiVersion.issues);
  const config: AzureKvConfig = {
    vaultUrl: vaultUrl?.href ?? p.vaultUrl ?? '',
    authType,
    tenantId: tenantSource(p, authType, issues),
    clientId: eitherSource(valueSourceOf(p.clientId, `${BASE}.clientId`, issues), refSource(asr?.clientId, `${BASE}.authSecretRef.clientId`), 'clientId', issues),
    clientSecret: eitherSource(valueSourceOf(p.clientSecret, `${BASE}.clientSecret`, issues), refSource(asr?.clientSecret, `${BASE}.authSecretRef.clientSecret`), 'clientSecret', issues),
    clientCertificate: refSource(asr?.clientCertificate, `${BASE}.authSecretRef.clientCertificate`),
    serviceAccountRef: p.serviceAccountRef,
    identityId: p.identityId,
    ...authorityOf(p, issues),
    disableChallengeResourceVerification: vaultUrl ? !isKnownVaultHost(vaultUrl, p) : false,
    caBundlePem: decodeCaBundle(p.caBundle, issues),
    caProvider: caProviderOf(p, store, issues),
    apiVersion: apiVersion.version,
    useAzureSDK: p.useAzureSDK === true,
    authSecretRefWithoutClientId: asr !== undefined && asr.clientId === undefined && p.clientId === undefined,
  };

  for (const source of [config.clientId, config.clientSecret]) checkSecretRef(source, store, issues, 'refused');
  for (const source of [config.tenantId, config.clientCertificate]) checkSecretRef(source, store, issues, 'ignored');
  if (config.serviceAccountRef) checkNamespace(config.serviceAccountRef.namespace, `${BASE}.serviceAccountRef.namespace`, store, issues);
  checkInlineSecrets(config, issues);
  checkUnusedCredentials(config, issues);
  if (authType === 'ServicePrincipal') checkServicePrincipal(config, issues);
  if (authType === 'WorkloadIdentity' && config.serviceAccountRef && !config.serviceAccountRef.name) {
    issues.push(issue(`${BASE}.serviceAccountRef.name`, 'Required', `${BASE}.serviceAccountRef.name is required`));
  }
  return { config, issues };
}

/**
 * ESO's isReferentSpec (keyvault.go): a ClusterSecretStore whose clientId, clientSecret or
 * serviceAccountRef names no namespace, so its credentials are resolved in each ExternalSecret's
 * namespace. Such a store cannot be checked without one. ESO looks at those three only: a tenantId
 * or clientCertificate ref without a namespace does not make a store referent.
 */
export function isReferentConfig(config: AzureKvConfig): boolean {
  const refs = [config.clientId, config.clientSecret];
  const referentRef = refs.some((r) => r !== undefined && 'secretKeyRef' in r && !r.secretKeyRef.namespace);
  return referentRef || (config.serviceAccountRef !== undefined && !config.serviceAccountRef.namespace);
}
