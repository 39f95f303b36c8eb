// spec.provider.azurekv: Azure Key Vault through the official SDK. This folder is the only code that
// imports @azure/*.
import type { SecretClient, SecretClientOptions } from '@azure/keyvault-secrets';
import type { KeyClient } from '@azure/keyvault-keys';
import type { CertificateClient } from '@azure/keyvault-certificates';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import type { TokenCredential } from '@azure/identity';
import type { GenericStore } from '../../api/index.ts';
import { ProjectorError } from '../../core/errors.ts';
import { issueText, type Issue } from '../../core/issues.ts';
import type { NewClientOptions, Provider, ProviderHost, SecretsClient, ValidationResult } from '../provider.ts';
import { createStoreCredential, type TransportSettings } from './auth.ts';
import { CredentialPool } from './credential-pool.ts';
import { SdkClientPool } from './sdk-client-pool.ts';
import { RecentCall } from './shared-call.ts';
import { AzureKvSecretsClient, type VaultReadLimiter } from './client.ts';
import { isNetworkRefusal, toProjectorError } from './errors.ts';
import { remoteKeyIssues } from './object-ref.ts';
import { isReferentConfig, resolveStoreConfig, type AzureKvConfig } from './store-config.ts';
import { resolveTrust, sdkTlsOptions } from './trust.ts';
import { pinApiVersionPolicy } from './api-version.ts';
import { challengeGatePolicy } from './challenge-gate.ts';
import { defaultTransport } from './http-client.ts';

export { AzureKvSecretsClient, type VaultReadLimiter, type SecretDescription } from './client.ts';

export interface AzureKvProviderOptions {
  /** Shared per-vault read budget (sync/rate-limit.ts VaultRateLimiter). Without it reads are not limited. */
  limiter?: VaultReadLimiter;
  /** Per HTTP request, so a silent vault fails fast. Default 5,000 ms. */
  requestTimeoutMs?: number;
  /** SDK retries for network errors and 5xx (429 is never retried inline: the limiter owns it). Default 2. */
  maxRetries?: number;
  now?: () => Date;
}

/** A 503's Retry-After up to this long is waited out inline by the SDK; a longer one surfaces. */
const MAX_INLINE_RETRY_AFTER_MS = 2_000;

function requestTimeoutPolicy(timeoutMs: number): PipelinePolicy {
  return {
    name: 'projectorRequestTimeout',
    sendRequest(request, next) {
      if (!request.timeout) request.timeout = timeoutMs;
      return next(request);
    },
  };
}

/**
 * Answers mapped here rather than after the SDK: a 429 or long 503, which the SDK would sleep
 * through inside the call (minutes, if the vault says so), hiding it from the rate limiter;
 * surfacing it lets the limiter pause the whole vault and the controller requeue the key after
 * exactly that delay. And a 403 from the vault's network rules (errors.ts isNetworkRefusal), whose
 * inner code the SDK's paged list calls drop from their error: the store check must tell it from
 * a missing list permission.
 */
export function surfaceVaultRefusalsPolicy(vaultUrl: string, now: () => Date): PipelinePolicy {
  return {
    name: 'projectorSurfaceVaultRefusals',
    async sendRequest(request, next) {
      const response = await next(request);
      if (response.status === 403) {
        const e = toProjectorError({ name: 'RestError', statusCode: 403, response }, { vaultUrl }, now().getTime());
        if (isNetworkRefusal(e)) throw e;
        return response;
      }
      if (response.status !== 429 && response.status !== 503) return response;
      const e = toProjectorError({ name: 'RestError', statusCode: response.status, response }, { vaultUrl }, now().getTime());
      if (response.status === 429 || (e.details.retryAfterMs ?? 0) > MAX_INLINE_RETRY_AFTER_MS) throw e;
      return response;
    },
  };
}

async function transportFor(options: AzureKvProviderOptions, tlsOptions: TransportSettings['tlsOptions']): Promise<TransportSettings> {
  const base = await defaultTransport(tlsOptions);
  return {
    ...base,
    retryOptions: { ...base.retryOptions, maxRetries: options.maxRetries ?? base.retryOptions.maxRetries },
    additionalPolicies: [{ policy: requestTimeoutPolicy(options.requestTimeoutMs ?? 5_000), position: 'perCall' }],
  };
}

/** The SDK clients of one credential and vault, shared by the stores that use them (sdk-client-pool.ts). */
interface SdkClients {
  secretClient: SecretClient;
  keyClient: () => Promise<KeyClient>;
  certificateClient: () => Promise<CertificateClient>;
  /** The store check of these clients, shared by the stores checked together (AzureKvSecretsClient.validate). */
  check: RecentCall<ValidationResult>;
  /** The scopes these clients last asked the credential for; undefined until they first did. */
  tokenScopes: () => string | string[] | undefined;
}

interface Pools {
  credentials: CredentialPool;
  sdkClients: SdkClientPool<SdkClients>;
}

function configOrThrow(store: GenericStore): AzureKvConfig {
  const { config, issues } = resolveStoreConfig(store);
  const first = issues.find((i) => i.severity === 'error' || i.code === 'Placeholder');
  if (!config || first) {
    const text = first ? issueText(first) : 'spec.provider.azurekv is missing';
    throw new ProjectorError('InvalidSpec', text, {
      ...(first ? { field: first.path } : {}),
    });
  }
  return config;
}

/**
 * ESO's answer for a referent ClusterSecretStore checked without an ExternalSecret: `Unknown`, since
 * its credentials live in namespaces not known yet. Reads need a namespace and are refused.
 */
function referentPlaceholderClient(storeName: string): SecretsClient {
  const refuse = async (): Promise<never> => {
    throw new ProjectorError('StoreNotReady', `ClusterSecretStore ${storeName} resolves credentials per namespace; read it on behalf of an ExternalSecret`);
  };
  return { getSecret: refuse, getSecretMap: refuse, getAllSecrets: refuse, validate: async () => 'Unknown', close: async () => {} };
}

async function newAzureKvClient(
  store: GenericStore,
  host: ProviderHost,
  signal: AbortSignal,
  options: AzureKvProviderOptions,
  pools: Pools,
  newClientOptions: NewClientOptions,
): Promise<SecretsClient> {
  const { credentials: pool, sdkClients } = pools;
  const config = configOrThrow(store);
  if (store.kind === 'ClusterSecretStore' && host.namespace === undefined && isReferentConfig(config)) {
    return referentPlaceholderClient(store.metadata.name);
  }
  const now = options.now ?? (() => new Date());
  const nowMs = () => now().getTime();
  const transport = await transportFor(options, sdkTlsOptions(await resolveTrust(config, host, signal)));
  const { credential: storeCredential, identity, current } = await createStoreCredential(config, host, transport, signal, { pool, maxAgeMs: newClientOptions.credentialMaxAgeMs });
  // Imported on first use, as @azure/identity in auth.ts: no azurekv store, no Azure SDK loaded.
  const { SecretClient } = await import('@azure/keyvault-secrets');
  const sdk = sdkClients.get(
    storeCredential,
    [config.vaultUrl, config.apiVersion ?? '', String(config.disableChallengeResourceVerification ?? false)],
    transport.tlsOptions,
    () => {
      // The scope comes from the vault's challenge (challenge-gate.ts); a store check asks a new
      // credential for a token with it, as these clients would if their pipelines had none.
      let tokenScopes: string | string[] | undefined;
      const credential: TokenCredential = {
        getToken: (scopes, options) => {
          tokenScopes = scopes;
          return storeCredential.getToken(scopes, options);
        },
      };
      // One set of options for the three SDK clients (same transport, api-version pin, throttling
      // policy), each with its own challenge gate: the SDK keeps the vault's challenge per client.
      const clientOptions = () => ({
        ...transport,
        disableChallengeResourceVerification: config.disableChallengeResourceVerification,
        ...(config.apiVersion && { serviceVersion: config.apiVersion as SecretClientOptions['serviceVersion'] }),
        additionalPolicies: [
          ...transport.additionalPolicies,
          ...(config.apiVersion ? [{ policy: pinApiVersionPolicy(config.apiVersion), position: 'perCall' as const }] : []),
          { policy: challengeGatePolicy(), position: 'perCall' as const },
          { policy: surfaceVaultRefusalsPolicy(config.vaultUrl, now), position: 'perRetry' as const },
        ],
        userAgentOptions: { userAgentPrefix: 'projector' },
      });
      return {
        secretClient: new SecretClient(config.vaultUrl, credential, clientOptions()),
        // The keys and certificates SDKs are imported on the first key/ or cert/ read, not before: a
        // store that reads only secrets (most) never loads them.
        keyClient: once(async () => {
          const { KeyClient } = await import('@azure/keyvault-keys');
          return new KeyClient(config.vaultUrl, credential, clientOptions() as ConstructorParameters<typeof KeyClient>[2]);
        }),
        certificateClient: once(async () => {
          const { CertificateClient } = await import('@azure/keyvault-certificates');
          return new CertificateClient(config.vaultUrl, credential, clientOptions() as ConstructorParameters<typeof CertificateClient>[2]);
        }),
        check: new RecentCall<ValidationResult>(nowMs),
        tokenScopes: () => tokenScopes,
      };
    },
  );
  host.log.debug({ store: store.metadata.name, vault: config.vaultUrl, identity, apiVersion: config.apiVersion ?? 'sdk default' }, 'azurekv client created');
  return new AzureKvSecretsClient({
    secretClient: sdk.secretClient,
    keyClient: sdk.keyClient,
    certificateClient: sdk.certificateClient,
    check: sdk.check,
    ...(newClientOptions.credentialMaxAgeMs !== undefined && { checkMaxAgeMs: newClientOptions.credentialMaxAgeMs }),
    // A shared credential's clients keep the token their pipeline holds across a newer credential
    // behind it: the check asks the newer one itself, so Entra ID still judges the identity now.
    ...(current && {
      askToken: async (signal: AbortSignal) => {
        const scopes = sdk.tokenScopes();
        if (scopes !== undefined) await current.getToken(scopes, { abortSignal: signal });
      },
    }),
    keyJsonLayout: config.useAzureSDK ? 'azure-sdk' : 'legacy',
    vaultUrl: config.vaultUrl,
    log: host.log,
    limiter: options.limiter,
    now,
    observeCall: host.observeApiCall,
  });
}

/** `make` runs at most once; a failure is not kept, so the next call tries again. */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= make().catch((e: unknown) => {
      pending = undefined;
      throw e;
    });
    return pending;
  };
}

/** The azurekv Provider; the composition root passes the process-wide limiter. */
export function createAzureKeyVaultProvider(options: AzureKvProviderOptions = {}): Provider {
  // Per provider, not per process: a credential's and an SDK client's pipelines carry this
  // provider's timeout and retries.
  const pools: Pools = { credentials: new CredentialPool(() => options.now?.().getTime() ?? Date.now()), sdkClients: new SdkClientPool() };
  return {
    name: 'azurekv',
    // providers/v1/azure/keyvault/keyvault.go Capabilities.
    capabilities: 'ReadWrite',
    validateStore(store: GenericStore): Issue[] {
      return resolveStoreConfig(store).issues;
    },
    validateRemoteKey(key, use, path) {
      return remoteKeyIssues(key, path, use);
    },
    async newClient(store, host, signal, newClientOptions = {}) {
      return newAzureKvClient(store, host, signal, options, pools, newClientOptions);
    },
  };
}

/** Unlimited default instance (tests, `projector check`); the operator should use createAzureKeyVaultProvider({limiter}). */
export const azureKeyVaultProvider: Provider = createAzureKeyVaultProvider();

export { resolveStoreConfig };
export { ANNOTATION_API_VERSION, apiVersionIssues, pinApiVersionPolicy } from './api-version.ts';
