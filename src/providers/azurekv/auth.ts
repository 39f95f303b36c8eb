// authType → TokenCredential. Credentials come from the host (Kubernetes Secrets, service-account
// tokens); nothing here reads a Kubernetes object directly.
import type { TokenCredential } from '@azure/identity';
import type { HttpClient, PipelinePolicy, TlsSettings } from '@azure/core-rest-pipeline';
import type { ServiceAccountSelector } from '../../api/index.ts';
import { ProjectorError } from '../../core/errors.ts';
import type { ProviderHost } from '../provider.ts';
import type { AzureKvConfig, ValueSource } from './store-config.ts';
import type { SecureContext } from 'node:tls';
import { diagnosingCredential } from './authority.ts';
import type { CredentialPool } from './credential-pool.ts';

export const AZURE_DEFAULT_AUDIENCE = 'api://AzureADTokenExchange';
export const ANNOTATION_CLIENT_ID = 'azure.workload.identity/client-id';
export const ANNOTATION_TENANT_ID = 'azure.workload.identity/tenant-id';

/** Pipeline settings shared by the credential and the SecretClient (fail fast, trust the store's CA). */
export interface TransportSettings {
  /** From trust.ts sdkTlsOptions: one shared SecureContext per CA set, never a `ca` list. */
  tlsOptions?: TlsSettings | undefined;
  retryOptions: { maxRetries: number; retryDelayInMs: number; maxRetryDelayInMs: number };
  additionalPolicies: { policy: PipelinePolicy; position: 'perCall' | 'perRetry' }[];
  /** http-client.ts sharedHttpClient: one connection pool per CA set for every client and credential. */
  httpClient: HttpClient;
}

export interface StoreCredential {
  credential: TokenCredential;
  /**
   * A shared credential's current one, made at most `CredentialSharing.maxAgeMs` ago; set only when
   * that bound was asked (a store check): the check asks it for a token (credential-pool.ts).
   */
  current?: TokenCredential;
  /** Identity for logs and cache keys: auth type and client ID, never a secret. */
  identity: string;
}

const SERVICE_ACCOUNT_TOKEN_TIMEOUT_MS = 10_000;

/** A provider's credential pool, and how recent a shared credential must be (NewClientOptions). */
export interface CredentialSharing {
  pool: CredentialPool;
  maxAgeMs?: number | undefined;
}

let identityModule: Promise<typeof import('@azure/identity')> | undefined;
/**
 * @azure/identity, imported on first use: an operator with no azurekv store never loads the Azure
 * SDK (with @azure/keyvault-secrets, ~40 MB RSS and 0.6-0.9 s of CPU at start; docs/benchmarks.md).
 */
function azureIdentity(): Promise<typeof import('@azure/identity')> {
  return (identityModule ??= import('@azure/identity'));
}

async function readSource(source: ValueSource, host: ProviderHost, signal: AbortSignal): Promise<string> {
  if ('inline' in source) return source.inline;
  return (await host.readSecretKey(source.secretKeyRef, signal)).reveal().trim();
}

async function readOptional(source: ValueSource | undefined, host: ProviderHost, signal: AbortSignal): Promise<string | undefined> {
  return source ? readSource(source, host, signal) : undefined;
}

function authFailed(message: string): ProjectorError {
  return new ProjectorError('StoreAuthFailed', message, { field: 'spec.provider.azurekv' });
}

function commonOptions(config: AzureKvConfig, transport: TransportSettings) {
  return {
    authorityHost: config.authorityHost,
    // Instance discovery asks login.microsoftonline.com about the authority: wrong for custom clouds
    // and impossible offline.
    disableInstanceDiscovery: config.isCustomAuthority,
    ...transport,
  };
}

/** The store fields (and `projector check` flags) that fix an authority problem, for authority.ts's messages. */
function diagnosed(credential: TokenCredential, config: AzureKvConfig, tenantId: string, transport: TransportSettings): TokenCredential {
  const authority = config.isCustomAuthority ? 'spec.provider.azurekv.customCloudConfig.activeDirectoryEndpoint' : 'spec.provider.azurekv.environmentType';
  return diagnosingCredential(credential, {
    authorityHost: config.authorityHost,
    tenantId,
    ca: trustOf(transport) as SecureContext | undefined,
    fix: { authority: `${authority} (projector check: --authority-host)`, ca: 'spec.provider.azurekv.caBundle or caProvider (projector check: --ca-file)' },
  });
}

/**
 * A service principal's credential; stores with the same authority, tenant, client and secret (or
 * certificate) share one through `sharing` (credential-pool.ts), as they would share its tokens.
 */
async function servicePrincipalCredential(config: AzureKvConfig, host: ProviderHost, transport: TransportSettings, signal: AbortSignal, sharing: CredentialSharing | undefined): Promise<StoreCredential> {
  const tenantId = await readOptional(config.tenantId, host, signal);
  const clientId = await readOptional(config.clientId, host, signal);
  if (!tenantId || !clientId) throw authFailed('ServicePrincipal needs a non-empty tenantId and clientId');
  const options = commonOptions(config, transport);
  const { ClientCertificateCredential, ClientSecretCredential } = await azureIdentity();
  const shared = (material: string[], make: () => TokenCredential, name: string): StoreCredential => {
    const identity = [config.authorityHost, String(config.isCustomAuthority), tenantId, clientId, ...material];
    const build = () => diagnosed(make(), config, tenantId, transport);
    if (!sharing) return { credential: build(), identity: name };
    const pooled = sharing.pool.get(identity, trustOf(transport), build, sharing.maxAgeMs);
    return { credential: pooled.credential, identity: name, ...(sharing.maxAgeMs !== undefined && { current: pooled.current }) };
  };
  if (config.clientCertificate) {
    const pem = await readSource(config.clientCertificate, host, signal);
    if (!pem.includes('-----BEGIN CERTIFICATE-----') || !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
      throw authFailed('authSecretRef.clientCertificate must hold a PEM certificate and its private key');
    }
    return shared(['certificate', pem], () => new ClientCertificateCredential(tenantId, clientId, { certificate: pem }, options), `ServicePrincipal(certificate) ${clientId}`);
  }
  const clientSecret = await readOptional(config.clientSecret, host, signal);
  if (!clientSecret) throw authFailed('ServicePrincipal needs a non-empty clientSecret');
  return shared(['secret', clientSecret], () => new ClientSecretCredential(tenantId, clientId, clientSecret, options), `ServicePrincipal ${clientId}`);
}

/** The transport's trust (trust.ts: one SecureContext per CA set), or undefined for Node's defaults. */
function trustOf(transport: TransportSettings): object | undefined {
  return (transport.tlsOptions as { secureContext?: SecureContext } | undefined)?.secureContext;
}

async function managedIdentityCredential(config: AzureKvConfig, transport: TransportSettings): Promise<StoreCredential> {
  const { ManagedIdentityCredential } = await azureIdentity();
  const { retryOptions, additionalPolicies, tlsOptions, httpClient } = transport;
  const options = { retryOptions, additionalPolicies, tlsOptions, httpClient };
  const credential = config.identityId
    ? new ManagedIdentityCredential({ clientId: config.identityId, ...options })
    : new ManagedIdentityCredential(options);
  return { credential, identity: `ManagedIdentity ${config.identityId ?? 'system-assigned'}` };
}

/** ESO's rule: a value may come from the store or from the annotation, not both. */
function pickOne(fromStore: string | undefined, fromAnnotation: string | undefined, what: string): string | undefined {
  if (fromStore && fromAnnotation) {
    throw authFailed(`${what} is set both on the store and in service account annotation; keep one`);
  }
  return fromStore || fromAnnotation;
}

function serviceAccountOf(config: AzureKvConfig, host: ProviderHost): ServiceAccountSelector {
  const sa = config.serviceAccountRef!;
  return { ...sa, namespace: sa.namespace ?? host.namespace };
}

/**
 * ESO's legacy SDK (keyvault.go authorizerForWorkloadIdentity): clientId and tenantId from the store
 * or the service account's annotations, one place each (both is an error); tenant last from
 * AZURE_TENANT_ID. An authSecretRef without clientId is an error.
 */
async function legacyWorkloadIds(config: AzureKvConfig, annotations: Record<string, string>, host: ProviderHost, signal: AbortSignal): Promise<{ clientId: string; tenantId: string }> {
  if (config.authSecretRefWithoutClientId) throw authFailed('WorkloadIdentity with authSecretRef needs authSecretRef.clientId (ESO refuses authSecretRef without it, even when the service account annotation names the client); remove authSecretRef or add clientId');
  const clientId = pickOne(await readOptional(config.clientId, host, signal), annotations[ANNOTATION_CLIENT_ID], 'clientId');
  if (!clientId) throw authFailed(`WorkloadIdentity needs authSecretRef.clientId or the service account annotation ${ANNOTATION_CLIENT_ID}`);
  const tenantId = pickOne(await readOptional(config.tenantId, host, signal), annotations[ANNOTATION_TENANT_ID], 'tenantId') || process.env['AZURE_TENANT_ID'];
  if (!tenantId) throw authFailed(`WorkloadIdentity needs tenantId, authSecretRef.tenantId or the annotation ${ANNOTATION_TENANT_ID}`);
  return { clientId, tenantId };
}

/**
 * ESO's new SDK (`useAzureSDK: true`, keyvault_new_sdk.go getWorkloadIdentityCredential): clientId
 * only from the annotation; tenantId from the store first, else the annotation; no fallback.
 */
async function newSdkWorkloadIds(config: AzureKvConfig, annotations: Record<string, string>, host: ProviderHost, signal: AbortSignal): Promise<{ clientId: string; tenantId: string }> {
  const clientId = annotations[ANNOTATION_CLIENT_ID];
  if (clientId === undefined) throw authFailed(`WorkloadIdentity with useAzureSDK needs the service account annotation ${ANNOTATION_CLIENT_ID} (the store's clientId is not used)`);
  const tenantId = (await readOptional(config.tenantId, host, signal)) || annotations[ANNOTATION_TENANT_ID];
  if (!tenantId) throw authFailed(`WorkloadIdentity with useAzureSDK needs tenantId or the annotation ${ANNOTATION_TENANT_ID}`);
  return { clientId, tenantId };
}

async function workloadIdentityCredential(config: AzureKvConfig, host: ProviderHost, transport: TransportSettings, signal: AbortSignal): Promise<StoreCredential> {
  const options = commonOptions(config, transport);
  if (!config.serviceAccountRef) {
    // ESO's fallback: the operator pod's own federated token, set up by the workload identity webhook.
    return { credential: new (await azureIdentity()).WorkloadIdentityCredential(options), identity: 'WorkloadIdentity (operator pod)' };
  }
  const sa = serviceAccountOf(config, host);
  const annotations = host.serviceAccountAnnotations ? await host.serviceAccountAnnotations(sa, signal) : {};
  const { clientId, tenantId } = config.useAzureSDK
    ? await newSdkWorkloadIds(config, annotations, host, signal)
    : await legacyWorkloadIds(config, annotations, host, signal);
  const audiences = [AZURE_DEFAULT_AUDIENCE, ...(sa.audiences ?? [])];
  // MSAL calls this whenever it needs a new token: mint a fresh service-account token each time.
  const getAssertion = async () =>
    (await host.serviceAccountToken(sa, audiences, AbortSignal.timeout(SERVICE_ACCOUNT_TOKEN_TIMEOUT_MS))).reveal();
  return { credential: diagnosed(new (await azureIdentity()).ClientAssertionCredential(tenantId, clientId, getAssertion, options), config, tenantId, transport), identity: `WorkloadIdentity ${sa.namespace ?? ''}/${sa.name} ${clientId}` };
}

/**
 * Builds the credential for the store's authType, reading its inputs through the host. With
 * `sharing`, service principal credentials are shared by stores with the same inputs
 * (credential-pool.ts), made at most `maxAgeMs` ago when it is set.
 */
export async function createStoreCredential(
  config: AzureKvConfig,
  host: ProviderHost,
  transport: TransportSettings,
  signal: AbortSignal,
  sharing?: CredentialSharing,
): Promise<StoreCredential> {
  switch (config.authType) {
    case 'ServicePrincipal':
      return servicePrincipalCredential(config, host, transport, signal, sharing);
    case 'ManagedIdentity':
      return managedIdentityCredential(config, transport);
    case 'WorkloadIdentity':
      return workloadIdentityCredential(config, host, transport, signal);
  }
}
