// The vault as a function from request to response (Hono's shape): the AKV secrets API, the AAD
// token endpoints and the IMDS endpoint, with no sockets. server.ts adapts it to node:https.
// Logs carry methods, routes, secret names, client ids and status codes; never values, bodies or tokens.
import type { Logger } from '../platform/logger.ts';
import type { VaultPrincipal, VaultStats } from './index.ts';
import { VaultApiError, badParameter } from './api-error.ts';
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { VaultState, assertValidName, isDisabled, isOutsideValidity, type SecretData, type SetSecretInput, type UpdateSecretInput } from './state.ts';
import { deletedSecretBundle, deletedSecretItem, secretBundle, secretItem, versionItem } from './bundles.ts';
import { decodeSkipToken, encodeSkipToken, pageOf, parseMaxResults, type Page } from './paging.ts';
import { Throttle, type TransactionKind } from './throttle.ts';
import { PrincipalRegistry, isNameAllowed } from './auth/principals.ts';
import { VAULT_RESOURCE, verifyAccessToken } from './auth/access-token.ts';
import { acrExchange, acrToken } from './auth/acr.ts';
import { JwtError } from './auth/jwt.ts';
import { handleTokenRequest, openIdConfiguration, tenantNotFound, type JsonWebKeySet } from './auth/token-endpoint.ts';
import { handleImdsRequest } from './auth/imds.ts';
import type { FaultPlan } from './faults.ts';
import { createObjectsApi, forbiddenObject, matchObjectRoute, type ObjectRoute } from './objects-api.ts';

/** Headers are lower-cased; `url` is the request target (path and query). */
export interface VaultRequest {
  method: string;
  url: string;
  headers: Record<string, string | undefined>;
  body: string;
}

export interface VaultResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface VaultAppDeps {
  state: VaultState;
  principals: PrincipalRegistry;
  tenantId: string;
  /** https://host:port of the HTTPS listener: vault URL and authority host at once. */
  baseUrl: string;
  signingKey: Buffer;
  nowMs: () => number;
  newVersion: () => string;
  /** Makes the current state durable; awaited before a write is acknowledged. */
  persist: () => Promise<void>;
  /** Makes a newly added principal durable. */
  persistPrincipals?: () => Promise<void>;
  loadJwks: () => Promise<JsonWebKeySet>;
  throttle?: Throttle;
  /** AKV serves values outside [nbf, exp); set to answer 403 instead. */
  enforceValidity?: boolean;
  /** api-version values accepted (default SUPPORTED_API_VERSIONS, the last one named as "latest" in the 400). */
  apiVersions?: readonly string[];
  faults?: FaultPlan;
  log: Logger;
}

/**
 * The secrets API versions AKV serves and the official SDKs send, oldest first: 2016-10-01 (the
 * first GA data plane; the Go `services/keyvault/2016-10-01` package, Azure Stack Hub), 7.0 (ESO's
 * legacy Go SDK, `services/keyvault/v7.0`), 7.1 … 7.6 and their previews, 2025-07-01 and
 * 2026-04-01 (`@azure/keyvault-secrets` 4.12's default; its `serviceVersion` option takes "7.0" …
 * "2026-04-01"). `startVault({ apiVersions })` narrows this to emulate an older server.
 */
export const SUPPORTED_API_VERSIONS: readonly string[] = [
  '2016-10-01',
  '7.0-preview', '7.0',
  '7.1-preview', '7.1',
  '7.2-preview', '7.2',
  '7.3-preview', '7.3',
  '7.4-preview.1', '7.4',
  '7.5-preview.1', '7.5',
  '7.6-preview.1', '7.6-preview.2', '7.6',
  '2025-07-01',
  '2026-04-01',
];

export interface VaultApp {
  handle(req: VaultRequest): Promise<VaultResponse>;
  handleImds(req: VaultRequest): Promise<VaultResponse>;
  /** Request counters; the listener adds `connections` (src/vault/server.ts). */
  stats(): Omit<VaultStats, 'connections'>;
  addPrincipal(p: VaultPrincipal): void;
}

interface Caller {
  clientId: string;
  principal: VaultPrincipal;
}

interface SecretsRoute {
  kind: 'list' | 'secret' | 'versions' | 'deletedList' | 'deleted' | 'recover';
  name?: string;
  version?: string;
}

export function createVaultApp(deps: VaultAppDeps): VaultApp {
  const counters: Omit<VaultStats, 'connections'> = { requests: 0, secretReads: 0, byName: {}, tokens: { issued: {}, refused: {} } };
  const nowSeconds = () => Math.floor(deps.nowMs() / 1000);

  async function handle(req: VaultRequest): Promise<VaultResponse> {
    counters.requests++;
    const started = deps.nowMs();
    const url = new URL(req.url, deps.baseUrl);
    let res: VaultResponse;
    const ctx: { clientId?: string } = {};
    try {
      const injected = deps.faults?.take(url.pathname);
      if (injected) throw injected;
      const identity = routeAcrRequest(req, url) ?? (await routeIdentityRequest(req, url));
      if (identity) {
        res = identity.response;
        ctx.clientId = identity.clientId;
      } else {
        res = await handleSecretsApi(req, url, ctx);
      }
    } catch (e) {
      res = errorResponse(e, deps.log, challengeHeader(deps.baseUrl, deps.tenantId));
    }
    deps.log.debug({ method: req.method, path: url.pathname, status: res.status, clientId: ctx.clientId, ms: deps.nowMs() - started }, 'vault request');
    return res;
  }

  // --- Azure Container Registry token endpoints (ACRAccessToken generators; auth/acr.ts) ---
  function routeAcrRequest(req: VaultRequest, url: URL): { response: VaultResponse; clientId?: string } | undefined {
    const which = url.pathname === '/oauth2/exchange' ? 'exchange' : url.pathname === '/oauth2/token' ? 'token' : undefined;
    if (!which || req.method !== 'POST') return undefined;
    const form = new URLSearchParams(req.body);
    const outcome = which === 'exchange' ? acrExchange(form, deps.signingKey, nowSeconds()) : acrToken(form, deps.signingKey, nowSeconds());
    if (outcome.reason) deps.log.warn({ route: `acr ${which}`, clientId: outcome.clientId, reason: outcome.reason, status: outcome.status }, 'ACR token request refused');
    else deps.log.info({ route: `acr ${which}`, clientId: outcome.clientId }, which === 'exchange' ? 'ACR refresh token issued' : 'ACR access token issued');
    return { response: json(outcome.status, outcome.body), ...(outcome.clientId !== undefined ? { clientId: outcome.clientId } : {}) };
  }
  // --- end ACR ---

  async function routeIdentityRequest(req: VaultRequest, url: URL): Promise<{ response: VaultResponse; clientId?: string } | undefined> {
    const parts = url.pathname.split('/').filter(Boolean);
    const [tenant, a, b, c, d] = parts;
    if (!tenant || KEY_VAULT_COLLECTIONS.has(tenant)) return undefined;
    const tenants = new Set([deps.tenantId.toLowerCase(), ...deps.principals.list().map((p) => deps.principals.tenantOf(p).toLowerCase())]);
    if (tenant === 'common' && a === 'discovery' && b === 'instance' && req.method === 'GET') {
      return { response: json(200, instanceDiscovery(deps.baseUrl, url.searchParams.get('authorization_endpoint'))) };
    }
    if (a === 'v2.0' && b === '.well-known' && c === 'openid-configuration' && parts.length === 4 && req.method === 'GET') {
      if (!tenants.has(tenant.toLowerCase())) return { response: json(400, tenantNotFound(tenant).body) };
      return { response: json(200, openIdConfiguration(deps.baseUrl, tenant)) };
    }
    if (a === 'discovery' && b === 'v2.0' && c === 'keys' && parts.length === 4 && req.method === 'GET') {
      return { response: json(200, { keys: [] }) };
    }
    if (a === 'oauth2' && b === 'v2.0' && c === 'token' && d === undefined && req.method === 'POST') {
      const outcome = await handleTokenRequest(tenant, tenants, new URLSearchParams(req.body), {
        principals: deps.principals,
        signingKey: deps.signingKey,
        nowSeconds: nowSeconds(),
        loadJwks: deps.loadJwks,
      });
      const client = outcome.clientId ?? '';
      if (outcome.reason) {
        deps.log.warn({ tenant, clientId: outcome.clientId, reason: outcome.reason, status: outcome.response.status }, 'token request refused');
        const byReason = (counters.tokens.refused[client] ??= {});
        byReason[outcome.reason] = (byReason[outcome.reason] ?? 0) + 1;
      } else {
        deps.log.info({ tenant, clientId: outcome.clientId }, 'token issued');
        counters.tokens.issued[client] = (counters.tokens.issued[client] ?? 0) + 1;
      }
      return { response: json(outcome.response.status, outcome.response.body), ...(outcome.clientId !== undefined && { clientId: outcome.clientId }) };
    }
    return undefined;
  }

  async function handleSecretsApi(req: VaultRequest, url: URL, ctx: { clientId?: string }): Promise<VaultResponse> {
    const route = matchSecretsRoute(url.pathname);
    const objectRoute = route ? undefined : matchObjectRoute(url.pathname, decodePathSegment);
    if (!route && !objectRoute) throw new VaultApiError(404, 'NotFound', `No route for ${req.method} ${url.pathname}.`);
    assertApiVersion(url.searchParams.get('api-version'), deps.apiVersions ?? SUPPORTED_API_VERSIONS);
    const caller = authenticate(req.headers.authorization);
    ctx.clientId = caller.clientId;
    const kind: TransactionKind = req.method === 'GET' ? 'read' : 'write';
    const admitted = deps.throttle?.admit(kind, deps.nowMs());
    if (admitted && !admitted.admitted) {
      throw new VaultApiError(429, 'Throttled', `Request was not processed because too many ${kind} requests were received. Retry after ${admitted.retryAfterSeconds} seconds.`, {
        retryAfterSeconds: admitted.retryAfterSeconds,
      });
    }
    if (objectRoute) return dispatchObjects(req, url, objectRoute, caller);
    return dispatch(req, url, route!, caller);
  }

  // Keys and certificates (objects-api.ts): the same authentication, api-version, throttling and
  // name rule as secrets; their own permissions per object type.
  const objectsApi = createObjectsApi(
    { state: deps.state, baseUrl: deps.baseUrl, nowSeconds, newVersion: deps.newVersion, persist: deps.persist, log: deps.log },
    (url, items, keyOf, render) => pagedBody(url, pageFrom(url, items, keyOf), render),
  );

  async function dispatchObjects(req: VaultRequest, url: URL, route: ObjectRoute, caller: Caller): Promise<VaultResponse> {
    if (route.name !== undefined) assertValidName(route.name);
    const answer = await objectsApi.handle({ method: req.method, url, body: req.body }, route, caller);
    return answer.body === undefined ? { status: answer.status, headers: {}, body: '' } : json(answer.status, answer.body);
  }

  function authenticate(authorization: string | undefined): Caller {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match) throw unauthorized('AKV10000: Request is missing a Bearer or PoP token.');
    let identity;
    try {
      identity = verifyAccessToken(match[1] as string, deps.tenantId, nowSeconds(), deps.signingKey);
    } catch (e) {
      const reason = e instanceof JwtError ? e.message : 'token could not be verified';
      deps.log.warn({ reason }, 'bearer token refused');
      throw unauthorized(`AKV10032: Invalid token: ${reason}.`);
    }
    const principal = deps.principals.find(identity.tenantId, identity.clientId);
    if (!principal) throw unauthorized(`AKV10032: The client ${identity.clientId} is no longer registered with this vault.`);
    return { clientId: principal.clientId, principal };
  }

  function unauthorized(message: string): VaultApiError {
    return new VaultApiError(401, 'Unauthorized', message);
  }

  async function dispatch(req: VaultRequest, url: URL, route: SecretsRoute, caller: Caller): Promise<VaultResponse> {
    const name = route.name ?? '';
    // AKV judges the name in the URI before looking anything up: an impossible name is 400
    // BadParameter on every route that takes one (GET, PUT, PATCH, DELETE, versions, deleted,
    // recover, purge), never 404, so a client can tell "cannot exist" from "does not exist".
    if (route.name !== undefined) assertValidName(route.name);
    switch (`${req.method} ${route.kind}`) {
      case 'GET list':
        return listSecrets(url, caller);
      case 'GET versions':
        return listVersions(url, name, caller);
      case 'GET secret':
        return getSecret(name, route.version, caller);
      case 'PUT secret':
        if (route.version !== undefined) break;
        return setSecret(name, req.body, caller);
      case 'POST secret':
        // POST /secrets/restore and POST /secrets/{name}/backup; GET /secrets/restore reads a secret named "restore".
        if (route.version === undefined && name.toLowerCase() === 'restore') return restoreSecret(req.body, caller);
        if (route.version?.toLowerCase() === 'backup') return backupSecret(name, caller);
        break;
      case 'PATCH secret':
        return updateSecret(name, route.version, req.body, caller);
      case 'DELETE secret':
        if (route.version !== undefined) break;
        return deleteSecret(name, caller);
      case 'GET deletedList':
        return listDeleted(url, caller);
      case 'GET deleted':
        assertMayRead(caller, name);
        return json(200, deletedSecretBundle(deps.baseUrl, deps.state.getDeleted(name)));
      case 'DELETE deleted':
        return purgeDeleted(name, caller);
      case 'POST recover':
        return recoverDeleted(name, caller);
    }
    throw new VaultApiError(405, 'MethodNotAllowed', `${req.method} is not supported on ${url.pathname}.`);
  }

  function getSecret(name: string, version: string | undefined, caller: Caller): VaultResponse {
    assertMayRead(caller, name);
    const found = deps.state.getSecret(name, version);
    if (isDisabled(found.version)) throw new VaultApiError(403, 'Forbidden', 'Operation get is not allowed on a disabled secret.', { innerCode: 'SecretDisabled' });
    const validity = deps.enforceValidity ? isOutsideValidity(found.version, nowSeconds()) : undefined;
    if (validity === 'expired') throw new VaultApiError(403, 'Forbidden', 'Operation get is not allowed on an expired secret.', { innerCode: 'SecretExpired' });
    if (validity === 'notYetValid') throw new VaultApiError(403, 'Forbidden', 'Operation get is not allowed on a secret that is not yet valid.', { innerCode: 'SecretNotYetValid' });
    counters.secretReads++;
    counters.byName[found.secret.name] = (counters.byName[found.secret.name] ?? 0) + 1;
    return json(200, secretBundle(deps.baseUrl, found.secret, found.version, true));
  }

  async function setSecret(name: string, body: string, caller: Caller): Promise<VaultResponse> {
    assertMayWrite(caller, name);
    const input = parseSetSecretBody(body);
    const found = deps.state.setSecret(name, input, { now: nowSeconds(), version: deps.newVersion() });
    await deps.persist();
    deps.log.info({ secret: found.secret.name, version: found.version.version, clientId: caller.clientId }, 'secret set');
    return json(200, secretBundle(deps.baseUrl, found.secret, found.version, true));
  }

  function backupSecret(name: string, caller: Caller): VaultResponse {
    assertMayRead(caller, name);
    const blob = sealBackup(deps.signingKey, deps.state.exportSecret(name));
    deps.log.info({ secret: name, clientId: caller.clientId }, 'secret backed up');
    return json(200, { value: blob });
  }

  async function restoreSecret(body: string, caller: Caller): Promise<VaultResponse> {
    const o = parseJsonObject(body);
    if (typeof o.value !== 'string' || o.value === '') throw badParameter('Property value is required and must be a backup blob (base64url).');
    const data = openBackup(deps.signingKey, o.value);
    assertMayWrite(caller, data.name);
    const secret = deps.state.restoreSecret(data);
    await deps.persist();
    deps.log.info({ secret: secret.name, clientId: caller.clientId }, 'secret restored');
    const latest = deps.state.getSecret(secret.name);
    return json(200, secretBundle(deps.baseUrl, latest.secret, latest.version, false));
  }

  async function updateSecret(name: string, version: string | undefined, body: string, caller: Caller): Promise<VaultResponse> {
    assertMayWrite(caller, name);
    const patch = parseUpdateSecretBody(body);
    const found = deps.state.updateSecret(name, version, patch, nowSeconds());
    await deps.persist();
    deps.log.info({ secret: found.secret.name, version: found.version.version, clientId: caller.clientId }, 'secret properties updated');
    return json(200, secretBundle(deps.baseUrl, found.secret, found.version, false));
  }

  async function deleteSecret(name: string, caller: Caller): Promise<VaultResponse> {
    assertMayWrite(caller, name);
    const deleted = deps.state.deleteSecret(name, nowSeconds());
    await deps.persist();
    deps.log.info({ secret: deleted.secret.name, clientId: caller.clientId }, 'secret soft-deleted');
    return json(200, deletedSecretBundle(deps.baseUrl, deleted));
  }

  async function purgeDeleted(name: string, caller: Caller): Promise<VaultResponse> {
    assertMayWrite(caller, name);
    deps.state.purgeDeleted(name);
    await deps.persist();
    deps.log.info({ secret: name, clientId: caller.clientId }, 'secret purged');
    return { status: 204, headers: {}, body: '' };
  }

  async function recoverDeleted(name: string, caller: Caller): Promise<VaultResponse> {
    assertMayWrite(caller, name);
    const secret = deps.state.recoverDeleted(name);
    await deps.persist();
    deps.log.info({ secret: secret.name, clientId: caller.clientId }, 'secret recovered');
    const latest = deps.state.getSecret(name);
    return json(200, secretBundle(deps.baseUrl, latest.secret, latest.version, false));
  }

  function listSecrets(url: URL, caller: Caller): VaultResponse {
    if (caller.principal.listSecrets === false) throw forbiddenObject(caller, 'secrets', 'list', deps.baseUrl);
    const visible = deps.state.listSecrets().filter((s) => isNameAllowed(caller.principal.allowRead, s.name));
    const page = pageFrom(url, visible, (s) => s.name.toLowerCase());
    return json(200, pagedBody(url, page, (s) => secretItem(deps.baseUrl, s)));
  }

  function listVersions(url: URL, name: string, caller: Caller): VaultResponse {
    assertMayRead(caller, name);
    const secret = deps.state.getSecret(name).secret;
    const indexed = deps.state.listVersions(name).map((v, i) => ({ v, key: String(i).padStart(8, '0') }));
    const page = pageFrom(url, indexed, (x) => x.key);
    return json(200, pagedBody(url, page, (x) => versionItem(deps.baseUrl, secret, x.v)));
  }

  function listDeleted(url: URL, caller: Caller): VaultResponse {
    const visible = deps.state.listDeleted().filter((d) => isNameAllowed(caller.principal.allowRead, d.secret.name));
    const page = pageFrom(url, visible, (d) => d.secret.name.toLowerCase());
    return json(200, pagedBody(url, page, (d) => deletedSecretItem(deps.baseUrl, d)));
  }

  function pageFrom<T>(url: URL, items: T[], keyOf: (item: T) => string): Page<T> & { maxResults: number } {
    const maxResults = parseMaxResults(url.searchParams.get('maxresults'));
    return { ...pageOf(items, keyOf, maxResults, decodeSkipToken(url.searchParams.get('$skiptoken'))), maxResults };
  }

  function pagedBody<T>(url: URL, page: Page<T> & { maxResults: number }, render: (item: T) => Record<string, unknown>): Record<string, unknown> {
    let nextLink: string | null = null;
    if (page.continueAfter !== undefined) {
      // Spelled out by hand: URLSearchParams would escape `$skiptoken` as `%24skiptoken`, unlike AKV.
      const apiVersion = encodeURIComponent(url.searchParams.get('api-version') ?? '');
      nextLink = `${deps.baseUrl}${url.pathname}?api-version=${apiVersion}&$skiptoken=${encodeSkipToken(page.continueAfter)}&maxresults=${page.maxResults}`;
    }
    return { value: page.items.map(render), nextLink };
  }

  async function handleImds(req: VaultRequest): Promise<VaultResponse> {
    const url = new URL(req.url, 'http://imds.local');
    const outcome = handleImdsRequest({ method: req.method, url, metadataHeader: req.headers.metadata }, deps.principals, deps.signingKey, nowSeconds());
    if (outcome.status === 200) deps.log.info({ clientId: outcome.clientId }, 'managed identity token issued');
    else deps.log.warn({ status: outcome.status, path: url.pathname }, 'managed identity request refused');
    return json(outcome.status, outcome.body);
  }

  return {
    handle,
    handleImds,
    stats: () => ({ requests: counters.requests, secretReads: counters.secretReads, byName: { ...counters.byName }, tokens: structuredClone(counters.tokens) }),
    addPrincipal: (p) => deps.principals.add(p),
  };
}

/** First path segments of the Key Vault data plane: never a tenant of the token endpoints. */
const KEY_VAULT_COLLECTIONS = new Set(['secrets', 'deletedsecrets', 'keys', 'deletedkeys', 'certificates', 'deletedcertificates']);

/** Parses the secrets API paths; undefined for anything else. */
export function matchSecretsRoute(pathname: string): SecretsRoute | undefined {
  const parts = pathname.split('/').slice(1);
  const [collection, name, third, fourth] = parts;
  if (collection === 'secrets') {
    if (parts.length === 1 || (parts.length === 2 && name === '')) return { kind: 'list' };
    if (!name) return undefined;
    if (parts.length === 2) return { kind: 'secret', name: decodePathSegment(name) };
    if (parts.length === 3 && third === '') return { kind: 'secret', name: decodePathSegment(name) };
    if (parts.length === 3 && third === 'versions') return { kind: 'versions', name: decodePathSegment(name) };
    if (parts.length === 3 && third) return { kind: 'secret', name: decodePathSegment(name), version: decodePathSegment(third) };
    if (parts.length === 4 && fourth === '' && third) return { kind: 'secret', name: decodePathSegment(name), version: decodePathSegment(third) };
    return undefined;
  }
  if (collection === 'deletedsecrets') {
    if (parts.length === 1 || (parts.length === 2 && name === '')) return { kind: 'deletedList' };
    if (!name) return undefined;
    if (parts.length === 2) return { kind: 'deleted', name: decodePathSegment(name) };
    if (parts.length === 3 && third === 'recover') return { kind: 'recover', name: decodePathSegment(name) };
  }
  return undefined;
}

function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badParameter('The request URI contains an invalid escape sequence.');
  }
}

function assertApiVersion(apiVersion: string | null, accepted: readonly string[]): void {
  if (apiVersion === null || apiVersion === '') throw badParameter('The api-version query parameter is missing.');
  if (!accepted.includes(apiVersion)) {
    throw badParameter(`The specified version (${apiVersion.slice(0, 32)}) is not recognized. Consider using the latest supported version (${accepted.at(-1)}).`);
  }
}

function assertMayRead(caller: Caller, name: string): void {
  if (!isNameAllowed(caller.principal.allowRead, name)) throw forbiddenByPolicy(caller, 'getSecret', name);
}

function assertMayWrite(caller: Caller, name: string): void {
  if (!isNameAllowed(caller.principal.allowWrite, name)) throw forbiddenByPolicy(caller, 'setSecret', name);
}

function forbiddenByPolicy(caller: Caller, action: string, name: string): VaultApiError {
  return new VaultApiError(
    403,
    'Forbidden',
    `Caller is not authorized to perform action on resource. Caller: appid=${caller.clientId}. Action: 'Microsoft.KeyVault/vaults/secrets/${action}/action'. Resource: 'secrets/${name}'.`,
    { innerCode: 'ForbiddenByPolicy' },
  );
}

/**
 * A backup blob as AKV's: opaque, restorable only into the vault that made it (here: the same
 * signing key). AES-256-GCM over the secret's JSON, key derived from the signing key, encoded
 * base64url(iv ‖ tag ‖ ciphertext). Values never appear in the clear.
 */
function backupKey(signingKey: Buffer): Buffer {
  return createHmac('sha256', signingKey).update('projector-vault-backup-v1').digest();
}

function sealBackup(signingKey: Buffer, secret: SecretData): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', backupKey(signingKey), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify({ formatVersion: 1, secret }), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

function openBackup(signingKey: Buffer, blob: string): SecretData {
  try {
    const raw = Buffer.from(blob, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', backupKey(signingKey), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    const parsed = JSON.parse(text) as { formatVersion?: unknown; secret?: SecretData };
    if (parsed.formatVersion === 1 && parsed.secret && typeof parsed.secret.name === 'string' && Array.isArray(parsed.secret.versions)) return parsed.secret;
  } catch {
    // below: the blob is not one of this vault's (AKV answers 400 BadParameter alike)
  }
  throw badParameter('Backup blob contains invalid or corrupt version.');
}

function parseJsonObject(body: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    // JSON.parse's message quotes the body, which may hold a value.
    throw badParameter('The request body is not valid JSON.');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw badParameter('The request body must be a JSON object.');
  return parsed as Record<string, unknown>;
}

function parseSetSecretBody(body: string): SetSecretInput {
  const o = parseJsonObject(body);
  if (typeof o.value !== 'string') throw badParameter('Property value is required and must be a string.');
  const attrs = parseAttributes(o.attributes);
  return {
    value: o.value,
    ...optionalString(o, 'contentType'),
    ...parseTags(o.tags),
    ...(attrs.enabled !== undefined && { enabled: attrs.enabled }),
    ...(typeof attrs.nbf === 'number' && { nbf: attrs.nbf }),
    ...(typeof attrs.exp === 'number' && { exp: attrs.exp }),
  };
}

function parseUpdateSecretBody(body: string): UpdateSecretInput {
  const o = parseJsonObject(body);
  return { ...optionalString(o, 'contentType'), ...parseTags(o.tags), ...parseAttributes(o.attributes) };
}

function parseAttributes(raw: unknown): { enabled?: boolean; nbf?: number | null; exp?: number | null } {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw badParameter('Property attributes must be an object.');
  const a = raw as Record<string, unknown>;
  const out: { enabled?: boolean; nbf?: number | null; exp?: number | null } = {};
  if (a.enabled !== undefined && a.enabled !== null) {
    if (typeof a.enabled !== 'boolean') throw badParameter('Property attributes.enabled must be a boolean.');
    out.enabled = a.enabled;
  }
  for (const key of ['nbf', 'exp'] as const) {
    const v = a[key];
    if (v === undefined) continue;
    if (v !== null && (typeof v !== 'number' || !Number.isFinite(v))) throw badParameter(`Property attributes.${key} must be a unix time in seconds.`);
    out[key] = v === null ? null : Math.floor(v);
  }
  return out;
}

function parseTags(raw: unknown): { tags?: Record<string, string> } {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw) || !Object.values(raw).every((v) => typeof v === 'string')) {
    throw badParameter('Property tags must be an object of strings.');
  }
  return { tags: raw as Record<string, string> };
}

function optionalString(o: Record<string, unknown>, key: 'contentType'): { contentType?: string } {
  const v = o[key];
  if (v === undefined || v === null) return {};
  if (typeof v !== 'string') throw badParameter(`Property ${key} must be a string.`);
  return { [key]: v };
}

function instanceDiscovery(baseUrl: string, authorizationEndpoint: string | null): Record<string, unknown> {
  const host = new URL(baseUrl).host;
  const tenant = authorizationEndpoint ? new URL(authorizationEndpoint, baseUrl).pathname.split('/')[1] ?? 'common' : 'common';
  return {
    tenant_discovery_endpoint: `${baseUrl}/${tenant}/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
  };
}

export function json(status: number, body: unknown): VaultResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) };
}

/** AKV errors keep their shape; anything else is a vault bug, logged by name and stack only. */
export function errorResponse(e: unknown, log: Logger, challenge: string): VaultResponse {
  if (e instanceof VaultApiError) {
    const res = json(e.status, e.toBody());
    if (e.status === 401) res.headers['www-authenticate'] = challenge;
    if (e.retryAfterSeconds !== undefined) res.headers['retry-after'] = String(e.retryAfterSeconds);
    return res;
  }
  log.error({ err: e }, 'vault internal error');
  return json(500, { error: { code: 'InternalServerError', message: 'The vault failed to process the request.' } });
}

export function challengeHeader(authorityHost: string, tenantId: string): string {
  return `Bearer authorization="${authorityHost}/${tenantId}", resource="${VAULT_RESOURCE}"`;
}
