// An IMDS-style managed identity endpoint (GET /metadata/identity/oauth2/token), reached by the SDK
// through AZURE_POD_IDENTITY_AUTHORITY_HOST. Answers like Azure IMDS, including its 400 to the SDK's
// availability probe (which sends no Metadata header).
import type { PrincipalRegistry } from './principals.ts';
import { issueAccessToken } from './access-token.ts';

export const IMDS_TOKEN_PATH = '/metadata/identity/oauth2/token';

export interface ImdsRequest {
  method: string;
  url: URL;
  metadataHeader: string | undefined;
}

export interface ImdsOutcome {
  status: number;
  body: Record<string, unknown>;
  clientId?: string;
}

export function handleImdsRequest(req: ImdsRequest, principals: PrincipalRegistry, signingKey: Buffer, nowSeconds: number): ImdsOutcome {
  // MSAL appends a slash (".../oauth2/token/"); Azure IMDS accepts both.
  if (req.url.pathname.replace(/\/$/, '') !== IMDS_TOKEN_PATH) return { status: 404, body: { error: 'not_found', error_description: 'Unknown IMDS path' } };
  if (req.method !== 'GET') return { status: 405, body: { error: 'invalid_request', error_description: 'Method not allowed' } };
  if (req.metadataHeader?.toLowerCase() !== 'true') return { status: 400, body: { error: 'invalid_request', error_description: 'Required metadata header not specified' } };
  const resource = req.url.searchParams.get('resource');
  if (!req.url.searchParams.get('api-version')) return { status: 400, body: { error: 'invalid_request', error_description: 'Required query variable api-version is missing' } };
  if (!resource) return { status: 400, body: { error: 'invalid_request', error_description: 'Required query variable resource is missing' } };
  const requestedId = req.url.searchParams.get('client_id') ?? req.url.searchParams.get('object_id') ?? undefined;
  const identity = principals.findManagedIdentity(requestedId);
  if (!identity) return { status: 400, body: { error: 'invalid_request', error_description: 'Identity not found' } };

  const audience = resource.replace(/\/$/, '');
  const { token, expiresIn, expiresOn } = issueAccessToken({ tenantId: principals.tenantOf(identity), clientId: identity.clientId }, audience, nowSeconds, signingKey);
  return {
    status: 200,
    clientId: identity.clientId,
    body: {
      access_token: token,
      client_id: identity.clientId,
      expires_in: String(expiresIn),
      expires_on: String(expiresOn),
      ext_expires_in: String(expiresIn),
      not_before: String(nowSeconds),
      resource,
      token_type: 'Bearer',
    },
  };
}
