// ESO's ACRAccessToken generator (generators/v1/acr/acr.go): an Entra ID access token for Azure
// Resource Manager (service principal, managed identity or workload identity), exchanged at the
// registry's /oauth2/exchange for an ACR refresh token, and, when spec.scope is set, that refresh
// token traded at /oauth2/token for an access token of that scope. Output: `username` (the fixed
// 00000000-0000-0000-0000-000000000000 ACR expects with a token) and `password` (the token).
// The protocol is ACR's (https://github.com/Azure/acr/blob/main/docs/AAD-OAuth.md).
import https from 'node:https';
import { agentForTrust } from '../../platform/https-agents.ts';
import type { ACRAccessTokenSpec } from '../../api/index.ts';
import { ProjectorError } from '../../core/errors.ts';
import { acrIssues } from '../../core/generators.ts';
import { Sensitive } from '../../core/sensitive.ts';
import type { ProviderHost } from '../provider.ts';
import { createStoreCredential, type TransportSettings } from './auth.ts';
import type { AzureKvConfig } from './store-config.ts';
import { AUTHORITY_BY_ENVIRONMENT } from './store-config.ts';
import { sdkTlsOptions, trustFor, type TrustSettings } from './trust.ts';
import { defaultTransport } from './http-client.ts';
import { issueText } from '../../core/issues.ts';

/** ESO's defaultLoginUsername: ACR takes any token with this user name. */
export const ACR_TOKEN_USERNAME = '00000000-0000-0000-0000-000000000000';

/** ESO's audienceForType: Azure Resource Manager per cloud (go-autorest TokenAudience), + ".default". */
const ARM_AUDIENCE: Readonly<Record<string, string>> = {
  PublicCloud: 'https://management.azure.com/',
  USGovernmentCloud: 'https://management.usgovcloudapi.net/',
  ChinaCloud: 'https://management.chinacloudapi.cn/',
  GermanCloud: 'https://management.microsoftazure.de/',
};

/** How long one call to the registry may take. */
const REGISTRY_TIMEOUT_MS = 30_000;
/** A token answer is a few KB; anything far larger is not ACR. */
const MAX_ANSWER_BYTES = 1024 * 1024;

export interface AcrOptions {
  /**
   * Entra ID authority to use instead of the environment's (tests point it at the local vault, which
   * plays Entra ID); ESO has no such field: its authority follows environmentType.
   */
  authorityHost?: string | undefined;
  /** CAs trusted for the authority and the registry in addition to Node's defaults (tests: the local vault's). */
  caPems?: readonly string[] | undefined;
}

function failed(message: string, field: string): ProjectorError {
  return new ProjectorError('GeneratorFailed', message, { field });
}

/** An Entra ID access token for Azure Resource Manager, by the spec's auth method. */
async function entraToken(spec: ACRAccessTokenSpec, host: ProviderHost, opts: AcrOptions, trust: TrustSettings | undefined, signal: AbortSignal): Promise<Sensitive<string>> {
  const env = spec.environmentType ?? 'PublicCloud';
  const audience = ARM_AUDIENCE[env];
  if (!audience) throw new ProjectorError('NotSupported', `environmentType ${env} has no token audience for ACR`, { field: 'spec.environmentType' });
  const authorityHost = opts.authorityHost ?? AUTHORITY_BY_ENVIRONMENT[env]!;
  const transport = await defaultTransport(sdkTlsOptions(trust));
  const base = { vaultUrl: '', authorityHost, isCustomAuthority: opts.authorityHost !== undefined, disableChallengeResourceVerification: false, useAzureSDK: false, authSecretRefWithoutClientId: false };
  const auth = spec.auth;
  let config: AzureKvConfig;
  // ESO's order: servicePrincipal, then managedIdentity, then workloadIdentity.
  if (auth.servicePrincipal) {
    const ref = auth.servicePrincipal.secretRef;
    // ESO reads both keys in the generator's namespace (a namespace in the selector is not used).
    const local = (s: typeof ref.clientId, field: string) => ({ secretKeyRef: { name: s?.name, key: s?.key }, field });
    config = { ...base, authType: 'ServicePrincipal', tenantId: { inline: spec.tenantId ?? '' }, clientId: local(ref.clientId, 'clientId'), clientSecret: local(ref.clientSecret, 'clientSecret') };
  } else if (auth.managedIdentity) {
    return managedIdentityToken(auth.managedIdentity.identityId, audience, transport, signal);
  } else if (auth.workloadIdentity) {
    const sa = auth.workloadIdentity.serviceAccountRef;
    config = { ...base, authType: 'WorkloadIdentity', ...(sa ? { serviceAccountRef: { name: sa.name, ...(sa.audiences ? { audiences: sa.audiences } : {}) } } : {}) };
  } else {
    throw new ProjectorError('InvalidSpec', 'spec.auth needs one of servicePrincipal, managedIdentity or workloadIdentity', { field: 'spec.auth' });
  }
  const { credential } = await createStoreCredential(config, host, transport, signal);
  const token = await credential.getToken(`${audience}.default`, { abortSignal: signal }).catch((e: unknown) => {
    if (e instanceof ProjectorError) throw e;
    throw new ProjectorError('StoreAuthFailed', `ACRAccessToken: Entra ID refused the ${config.authType} credential (${(e as Error).name})`, { field: 'spec.auth' });
  });
  if (!token) throw new ProjectorError('StoreAuthFailed', 'ACRAccessToken: Entra ID returned no token', { field: 'spec.auth' });
  return new Sensitive(token.token);
}

/** ESO: an identityId containing "/" is a resource ID, any other non-empty one a client ID; none: system-assigned. */
async function managedIdentityToken(identityId: string | undefined, audience: string, transport: TransportSettings, signal: AbortSignal): Promise<Sensitive<string>> {
  const { ManagedIdentityCredential } = await import('@azure/identity');
  const { retryOptions, additionalPolicies, tlsOptions, httpClient } = transport;
  const options = { retryOptions, additionalPolicies, tlsOptions, httpClient };
  const credential = !identityId
    ? new ManagedIdentityCredential(options)
    : identityId.includes('/')
      ? new ManagedIdentityCredential({ resourceId: identityId, ...options })
      : new ManagedIdentityCredential({ clientId: identityId, ...options });
  const token = await credential.getToken(`${audience}.default`, { abortSignal: signal }).catch((e: unknown) => {
    throw new ProjectorError('StoreAuthFailed', `ACRAccessToken: managed identity token request failed (${(e as Error).name})`, { field: 'spec.auth.managedIdentity' });
  });
  return new Sensitive(token.token);
}

/**
 * POSTs a form to https://<registry><path> and returns the JSON member `member` of a 200 answer.
 * Errors name the registry, path and HTTP status, never a body (it may hold a token).
 */
function postForm(registry: string, path: string, form: Record<string, string>, member: string, trust: TrustSettings | undefined, signal: AbortSignal): Promise<Sensitive<string>> {
  const body = new URLSearchParams(form).toString();
  const what = `ACR ${path} at ${registry}`;
  return new Promise((resolve, reject) => {
    const req = https.request(
      `https://${registry}${path}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
        timeout: REGISTRY_TIMEOUT_MS,
        signal,
        // The trust's own connection pool: the global agent would reuse a socket verified against another CA set.
        agent: agentForTrust(true, trust?.secureContext),
        ...(trust ? { secureContext: trust.secureContext } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_ANSWER_BYTES) req.destroy(new Error('answer too large'));
          else chunks.push(c);
        });
        res.on('error', (e) => reject(failed(`${what}: the answer was cut short (${e.name})`, 'spec.registry')));
        res.on('end', () => {
          // ESO: "unexpected status code" for anything but 200.
          if (res.statusCode !== 200) return reject(failed(`${what} answered HTTP ${res.statusCode}`, 'spec.registry'));
          let parsed: unknown;
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            return reject(failed(`${what}: the answer is not JSON`, 'spec.registry'));
          }
          const v = (parsed as Record<string, unknown> | null)?.[member];
          if (typeof v !== 'string' || v === '') return reject(failed(`${what}: the answer has no ${member}`, 'spec.registry'));
          resolve(new Sensitive(v));
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e: NodeJS.ErrnoException) => reject(failed(`${what} unreachable (${e.code ?? e.message})`, 'spec.registry')));
    req.end(body);
  });
}

/**
 * Runs an ACRAccessToken spec for a generator in `host.namespace` (credentials are read there).
 * Returns `username` and `password`. Throws InvalidSpec / NotSupported (the spec), CredentialNotFound
 * (a credential Secret or service account), StoreAuthFailed (Entra ID refused), GeneratorFailed (the
 * registry refused or was unreachable).
 */
export async function generateAcrAccessToken(spec: ACRAccessTokenSpec, host: ProviderHost, opts: AcrOptions, signal: AbortSignal): Promise<Map<string, Sensitive<Uint8Array>>> {
  const first = acrIssues(spec, 'spec')[0];
  if (first) throw new ProjectorError(first.code === 'NotSupported' ? 'NotSupported' : 'InvalidSpec', issueText(first), { field: first.path });
  const trust = opts.caPems && opts.caPems.length > 0 ? trustFor(opts.caPems) : undefined;
  const aad = await entraToken(spec, host, opts, trust, signal);
  // ESO fetchACRRefreshToken: grant_type access_token, service, tenant, access_token.
  let token = await postForm(spec.registry, '/oauth2/exchange', { grant_type: 'access_token', service: spec.registry, tenant: spec.tenantId ?? '', access_token: aad.reveal() }, 'refresh_token', trust, signal);
  if (spec.scope) {
    // ESO fetchACRAccessToken: grant_type refresh_token, service, scope, refresh_token.
    token = await postForm(spec.registry, '/oauth2/token', { grant_type: 'refresh_token', service: spec.registry, scope: spec.scope, refresh_token: token.reveal() }, 'access_token', trust, signal);
  }
  return new Map([
    ['username', new Sensitive(new Uint8Array(Buffer.from(ACR_TOKEN_USERNAME, 'utf8')))],
    ['password', new Sensitive(new Uint8Array(Buffer.from(token.reveal(), 'utf8')))],
  ]);
}
