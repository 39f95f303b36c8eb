// The keys and certificates REST surface of the local vault, beside the secrets API in app.ts:
// create/import, get (latest or a version), versions, list, delete (soft), deleted, recover, purge,
// with AKV's wire shapes (KeyBundle, CertificateBundle, their items and deleted forms) and errors.
// A certificate is backed, as in AKV, by a managed key and a managed secret of the same name and
// version. Logs name objects, versions and client ids; never key material or certificate values.
import type { Logger } from '../platform/logger.ts';
import type { VaultPrincipal } from './index.ts';
import { VaultApiError, badParameter } from './api-error.ts';
import { RECOVERY_LEVEL } from './bundles.ts';
import { PEM_FILE, PKCS12, readCertificateImport, type ImportedCertificate } from './certificate-material.ts';
import { assertSelfIssuer, createSelfSignedCertificate, readCreatePolicy, type CreatePolicy } from './certificate-create.ts';
import { defaultKeyOps, generateKey, importJwk, jwkOfKeyObject, publicJwk } from './key-material.ts';
import type { CertificateVersionData, DeletedObject, KeyVersionData, ObjectAttributesData, StoredObject } from './objects.ts';
import { RECOVERABLE_DAYS, managedByCertificate, type VaultState } from './state.ts';
import { isAllowed, type ObjectPermissionType } from './auth/principals.ts';

export type ObjectCollectionName = 'keys' | 'certificates';

export interface ObjectRoute {
  type: ObjectCollectionName;
  deleted: boolean;
  name?: string;
  /** The third path segment: a version, or `versions`, `create`, `import`, `policy`, `recover`. */
  sub?: string;
}

export interface ObjectsApiDeps {
  state: VaultState;
  baseUrl: string;
  nowSeconds: () => number;
  newVersion: () => string;
  persist: () => Promise<void>;
  log: Logger;
}

export interface ObjectCaller {
  clientId: string;
  principal: VaultPrincipal;
}

export interface ObjectRequest {
  method: string;
  url: URL;
  body: string;
}

/** Paging shared with the secrets API (app.ts), so lists page the same way. */
export type Pager = <T>(url: URL, items: T[], keyOf: (item: T) => string, render: (item: T) => Record<string, unknown>) => Record<string, unknown>;

/** Parses /keys…, /deletedkeys…, /certificates…, /deletedcertificates…; undefined for anything else. */
export function matchObjectRoute(pathname: string, decode: (segment: string) => string): ObjectRoute | undefined {
  const parts = pathname.split('/').slice(1);
  if (parts.at(-1) === '' && parts.length > 1) parts.pop();
  const [collection, name, sub, extra] = parts;
  const types: Record<string, [ObjectCollectionName, boolean]> = {
    keys: ['keys', false],
    deletedkeys: ['keys', true],
    certificates: ['certificates', false],
    deletedcertificates: ['certificates', true],
  };
  const found = collection === undefined ? undefined : types[collection];
  if (!found || extra !== undefined) return undefined;
  const [type, deleted] = found;
  if (!name) return { type, deleted };
  return { type, deleted, name: decode(name), ...(sub !== undefined && sub !== '' && { sub: decode(sub) }) };
}

function parseJson(body: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = body === '' ? {} : JSON.parse(body);
  } catch {
    // JSON.parse's message quotes the body, which may hold key material.
    throw badParameter('The request body is not valid JSON.');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw badParameter('The request body must be a JSON object.');
  return parsed as Record<string, unknown>;
}

function parseTags(raw: unknown): Record<string, string> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw) || !Object.values(raw).every((v) => typeof v === 'string')) throw badParameter('Property tags must be an object of strings.');
  return { ...(raw as Record<string, string>) };
}

function parseAttributes(raw: unknown): { enabled?: boolean; nbf?: number; exp?: number; exportable?: boolean } {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw badParameter('Property attributes must be an object.');
  const a = raw as Record<string, unknown>;
  const out: { enabled?: boolean; nbf?: number; exp?: number; exportable?: boolean } = {};
  for (const key of ['enabled', 'exportable'] as const) {
    if (a[key] === undefined || a[key] === null) continue;
    if (typeof a[key] !== 'boolean') throw badParameter(`Property attributes.${key} must be a boolean.`);
    out[key] = a[key];
  }
  for (const key of ['nbf', 'exp'] as const) {
    const v = a[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw badParameter(`Property attributes.${key} must be a unix time in seconds.`);
    out[key] = Math.floor(v);
  }
  return out;
}

function wireAttributes(a: ObjectAttributesData & { exportable?: boolean }): Record<string, unknown> {
  return {
    enabled: a.enabled,
    ...(a.nbf !== undefined && { nbf: a.nbf }),
    ...(a.exp !== undefined && { exp: a.exp }),
    created: a.created,
    updated: a.updated,
    recoverableDays: RECOVERABLE_DAYS,
    recoveryLevel: RECOVERY_LEVEL,
    ...(a.exportable !== undefined && { exportable: a.exportable }),
  };
}

/**
 * Key Vault's access-policy refusal: "The user, group or application 'appid=…' does not have
 * certificates get permission on key vault '…'" (the wording Key Vault answers with, as quoted in
 * public issue reports), 403 Forbidden with inner code ForbiddenByPolicy like the secrets API here.
 */
export function forbiddenObject(caller: ObjectCaller, type: ObjectPermissionType, permission: string, baseUrl: string): VaultApiError {
  return new VaultApiError(
    403,
    'Forbidden',
    `The user, group or application 'appid=${caller.clientId}' does not have ${type} ${permission} permission on key vault '${new URL(baseUrl).host}'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287`,
    { innerCode: 'ForbiddenByPolicy' },
  );
}

export function createObjectsApi(deps: ObjectsApiDeps, pager: Pager) {
  const base = deps.baseUrl;
  const keyId = (name: string, version?: string) => (version ? `${base}/keys/${name}/${version}` : `${base}/keys/${name}`);
  const certId = (name: string, version?: string) => (version ? `${base}/certificates/${name}/${version}` : `${base}/certificates/${name}`);

  function assertMay(caller: ObjectCaller, type: ObjectCollectionName, op: 'read' | 'write', permission: string, name: string): void {
    if (!isAllowed(caller.principal, type, op, name)) throw forbiddenObject(caller, type, permission, base);
  }

  // ---- wire shapes -------------------------------------------------------------------------------

  function keyBundle(o: StoredObject<KeyVersionData>, v: KeyVersionData): Record<string, unknown> {
    return {
      key: publicJwk(keyId(o.name, v.version), v.jwk, v.keyOps),
      attributes: wireAttributes(v.attributes),
      ...(v.tags !== undefined && { tags: v.tags }),
      ...(v.managed && { managed: true }),
    };
  }

  function keyItem(o: StoredObject<KeyVersionData>, v: KeyVersionData, withVersion: boolean): Record<string, unknown> {
    return {
      kid: keyId(o.name, withVersion ? v.version : undefined),
      attributes: wireAttributes(v.attributes),
      ...(v.tags !== undefined && { tags: v.tags }),
      ...(v.managed && { managed: true }),
    };
  }

  function policyOf(o: StoredObject<CertificateVersionData>, v: CertificateVersionData): Record<string, unknown> {
    const first = o.versions[0]!;
    const attributes = { enabled: true, created: first.attributes.created, updated: v.attributes.updated };
    // A created certificate's policy is the one it was created with (defaults filled in), as AKV keeps it.
    const created = [...o.versions].reverse().find((x) => x.policy)?.policy;
    if (created) return { id: `${certId(o.name)}/policy`, ...created, attributes };
    return {
      id: `${certId(o.name)}/policy`,
      key_props: { exportable: true, kty: v.keyType, ...(v.keySize !== undefined && { key_size: v.keySize }), ...(v.crv !== undefined && { crv: v.crv }), reuse_key: false },
      secret_props: { contentType: v.contentType },
      x509_props: { subject: v.subject, validity_months: Math.max(1, Math.round(((v.attributes.exp ?? 0) - (v.attributes.nbf ?? 0)) / (30 * 86_400))) },
      lifetime_actions: [{ trigger: { lifetime_percentage: 80 }, action: { action_type: 'EmailContacts' } }],
      issuer: { name: 'Unknown' },
      attributes: { enabled: true, created: first.attributes.created, updated: v.attributes.updated },
    };
  }

  function certBundle(o: StoredObject<CertificateVersionData>, v: CertificateVersionData, withPolicy: boolean): Record<string, unknown> {
    return {
      id: certId(o.name, v.version),
      kid: keyId(o.name, v.version),
      sid: `${base}/secrets/${o.name}/${v.version}`,
      x5t: v.x5t,
      cer: v.cer,
      contentType: v.contentType,
      attributes: wireAttributes(v.attributes),
      ...(v.tags !== undefined && { tags: v.tags }),
      ...(withPolicy && { policy: policyOf(o, v) }),
    };
  }

  function certItem(o: StoredObject<CertificateVersionData>, v: CertificateVersionData, withVersion: boolean): Record<string, unknown> {
    return { id: certId(o.name, withVersion ? v.version : undefined), x5t: v.x5t, attributes: wireAttributes(v.attributes), ...(v.tags !== undefined && { tags: v.tags }) };
  }

  function deletedFields<V>(type: ObjectCollectionName, d: DeletedObject<V>): Record<string, unknown> {
    return { recoveryId: `${base}/deleted${type}/${d.object.name}`, scheduledPurgeDate: d.scheduledPurgeDate, deletedDate: d.deletedDate };
  }

  // ---- keys --------------------------------------------------------------------------------------

  async function storeKey(name: string, jwk: Record<string, string>, keyOps: string[], o: Record<string, unknown>, caller: ObjectCaller, what: string): Promise<Record<string, unknown>> {
    if (deps.state.keys.has(name) && deps.state.keys.get(name).version.managed) throw managedByCertificate('Key', name);
    const attrs = parseAttributes(o.attributes);
    const now = deps.nowSeconds();
    const tags = parseTags(o.tags);
    const version: KeyVersionData = {
      version: deps.newVersion(),
      jwk,
      keyOps,
      ...(tags && { tags }),
      attributes: { enabled: attrs.enabled ?? true, ...(attrs.nbf !== undefined && { nbf: attrs.nbf }), ...(attrs.exp !== undefined && { exp: attrs.exp }), created: now, updated: now, ...(attrs.exportable !== undefined && { exportable: attrs.exportable }) },
    };
    const added = deps.state.keys.add(name, version);
    await deps.persist();
    deps.log.info({ key: added.object.name, version: version.version, clientId: caller.clientId }, what);
    return keyBundle(added.object, added.version);
  }

  async function createKey(name: string, body: string, caller: ObjectCaller): Promise<Record<string, unknown>> {
    assertMay(caller, 'keys', 'write', 'create', name);
    const o = parseJson(body);
    const jwk = generateKey(o.kty, o.key_size, o.crv);
    const ops = Array.isArray(o.key_ops) && o.key_ops.every((x) => typeof x === 'string') ? (o.key_ops as string[]) : defaultKeyOps(jwk.kty!);
    return storeKey(name, jwk, ops, o, caller, 'key created');
  }

  async function importKey(name: string, body: string, caller: ObjectCaller): Promise<Record<string, unknown>> {
    assertMay(caller, 'keys', 'write', 'import', name);
    const o = parseJson(body);
    const { jwk, keyOps } = importJwk(o.key);
    if (o.hsm === true && !jwk.kty!.endsWith('-HSM')) jwk.kty = `${jwk.kty}-HSM`;
    return storeKey(name, jwk, keyOps ?? defaultKeyOps(jwk.kty!), o, caller, 'key imported');
  }

  function getKey(name: string, version: string | undefined, caller: ObjectCaller): Record<string, unknown> {
    assertMay(caller, 'keys', 'read', 'get', name);
    const found = deps.state.keys.get(name, version);
    if (!found.version.attributes.enabled) throw new VaultApiError(403, 'Forbidden', 'Operation get is not allowed on a disabled key.', { innerCode: 'KeyDisabled' });
    return keyBundle(found.object, found.version);
  }

  async function deleteKey(name: string, caller: ObjectCaller): Promise<Record<string, unknown>> {
    assertMay(caller, 'keys', 'write', 'delete', name);
    if (deps.state.keys.has(name) && deps.state.keys.get(name).version.managed) throw managedByCertificate('Key', name);
    const d = deps.state.keys.delete(name, deps.nowSeconds());
    await deps.persist();
    deps.log.info({ key: d.object.name, clientId: caller.clientId }, 'key soft-deleted');
    return { ...deletedFields('keys', d), ...keyBundle(d.object, d.object.versions.at(-1)!) };
  }

  // ---- certificates ------------------------------------------------------------------------------

  /** 409 when `name` is held by a secret or key that no certificate manages, or is a soft-deleted certificate. */
  function assertCertificateNameFree(name: string): void {
    deps.state.certificates.assertNotDeleted(name);
    // One name for a certificate and the secret and key backing it: a secret or key of that name
    // that no certificate manages blocks the import (409 Conflict; the wording here is ours).
    if (!deps.state.certificates.has(name) && (deps.state.hasSecretName(name) || deps.state.keys.has(name) || deps.state.keys.isDeleted(name))) {
      throw new VaultApiError(409, 'Conflict', `There is a secret or key named ${name} that is not managed by a certificate; a certificate cannot take its name.`);
    }
  }

  /**
   * Adds a certificate version with its managed key and secret of the same name and version (body
   * `o` gives attributes and tags; `extra` the created version's policy and operation).
   */
  function storeCertificate(name: string, made: ImportedCertificate, o: Record<string, unknown>, extra: Pick<CertificateVersionData, 'policy' | 'operation'>) {
    const attrs = parseAttributes(o.attributes);
    const tags = parseTags(o.tags);
    const now = deps.nowSeconds();
    const version = deps.newVersion();
    const attributes: ObjectAttributesData = { enabled: attrs.enabled ?? true, nbf: made.notBefore, exp: made.expires, created: now, updated: now };
    const { kty, jwk } = jwkOfKeyObject(made.privateKey);
    const cert: CertificateVersionData = {
      version,
      cer: made.leaf.toString('base64'),
      x5t: made.x5t,
      contentType: made.contentType,
      subject: made.subject,
      keyType: kty,
      ...(kty === 'RSA' ? { keySize: Buffer.from(jwk.n!, 'base64url').length * 8 } : { crv: jwk.crv! }),
      ...(tags && { tags }),
      attributes,
      ...extra,
    };
    const added = deps.state.certificates.add(name, cert);
    deps.state.keys.add(name, { version, jwk, keyOps: defaultKeyOps(kty), ...(tags && { tags }), attributes: { ...attributes, exportable: true }, managed: true });
    deps.state.addManagedSecretVersion(name, {
      version,
      value: made.secretValue,
      contentType: made.contentType,
      ...(tags && { tags }),
      attributes: { ...attributes },
      kid: keyId(added.object.name, version),
      managed: true,
    });
    return { added, cert, version };
  }

  /** AKV's CertificateOperation for a version made by create: issuer Self completes at once here. */
  function operationOf(o: StoredObject<CertificateVersionData>, v: CertificateVersionData): Record<string, unknown> {
    const op = v.operation!;
    return {
      id: `${certId(o.name)}/pending`,
      issuer: op.issuer,
      csr: op.csr,
      cancellation_requested: false,
      status: 'completed',
      target: certId(o.name),
      request_id: op.requestId,
    };
  }

  /**
   * POST /certificates/{name}/create: 202 with the certificate operation. Issuer Self only: the
   * certificate is made at once (AKV takes a few seconds and reports `inProgress` meanwhile; a client
   * polls /pending until the status is no longer inProgress, so an operation completed at once reads
   * the same to it). Without a policy, the certificate's current policy is used, as AKV does.
   */
  async function createCertificate(name: string, body: string, caller: ObjectCaller): Promise<{ status: number; body: Record<string, unknown> }> {
    assertMay(caller, 'certificates', 'write', 'create', name);
    const o = parseJson(body);
    const existing = o.policy === undefined || o.policy === null ? (deps.state.certificates.has(name) ? [...deps.state.certificates.get(name).object.versions].reverse().find((v) => v.policy)?.policy : undefined) : undefined;
    const policy: CreatePolicy = readCreatePolicy(o.policy ?? existing);
    assertSelfIssuer(policy.issuer.name);
    assertCertificateNameFree(name);
    const made = await createSelfSignedCertificate(policy, deps.nowSeconds());
    const requestId = deps.newVersion();
    const { added, cert, version } = storeCertificate(name, made, o, {
      policy: policy as unknown as Record<string, unknown>,
      operation: { requestId, issuer: { ...policy.issuer }, csr: made.csr.toString('base64') },
    });
    await deps.persist();
    deps.log.info({ certificate: added.object.name, version, clientId: caller.clientId }, 'certificate created');
    return { status: 202, body: operationOf(added.object, cert) };
  }

  function getPendingOperation(name: string, caller: ObjectCaller): Record<string, unknown> {
    assertMay(caller, 'certificates', 'read', 'get', name);
    const found = deps.state.certificates.has(name) ? deps.state.certificates.get(name) : undefined;
    // The latest version's operation: an imported latest version has none (AKV: no pending operation).
    if (!found?.version.operation) throw new VaultApiError(404, 'PendingCertificateNotFound', `Pending certificate not found: ${name}`);
    return operationOf(found.object, found.version);
  }

  async function importCertificate(name: string, body: string, caller: ObjectCaller): Promise<Record<string, unknown>> {
    assertMay(caller, 'certificates', 'write', 'import', name);
    const o = parseJson(body);
    if (typeof o.value !== 'string' || o.value === '') throw badParameter('Property value is required and must be a PEM or base64 PKCS#12 certificate.');
    if (o.pwd !== undefined && o.pwd !== null && typeof o.pwd !== 'string') throw badParameter('Property pwd must be a string.');
    const policy = o.policy && typeof o.policy === 'object' ? (o.policy as Record<string, unknown>) : undefined;
    const secretProps = policy?.secret_props && typeof policy.secret_props === 'object' ? (policy.secret_props as Record<string, unknown>) : undefined;
    const contentType = typeof secretProps?.contentType === 'string' ? secretProps.contentType : undefined;
    if (contentType !== undefined && contentType !== PEM_FILE && contentType !== PKCS12) throw badParameter(`Property policy.secret_props.contentType must be ${PKCS12} or ${PEM_FILE}.`);
    assertCertificateNameFree(name);
    const imported = await readCertificateImport(o.value, typeof o.pwd === 'string' ? o.pwd : undefined, contentType);
    const { added, cert, version } = storeCertificate(name, imported, o, {});
    await deps.persist();
    deps.log.info({ certificate: added.object.name, version, clientId: caller.clientId }, 'certificate imported');
    return certBundle(added.object, cert, true);
  }

  function getCertificate(name: string, version: string | undefined, caller: ObjectCaller): Record<string, unknown> {
    assertMay(caller, 'certificates', 'read', 'get', name);
    const found = deps.state.certificates.get(name, version);
    // The SDK's getCertificate (no version) gets the policy with the bundle; a versioned get does not.
    return certBundle(found.object, found.version, version === undefined);
  }

  async function deleteCertificate(name: string, caller: ObjectCaller): Promise<Record<string, unknown>> {
    assertMay(caller, 'certificates', 'write', 'delete', name);
    deps.state.certificates.get(name);
    const secret = deps.state.takeSecret(name);
    const key = deps.state.keys.take(name);
    const d = deps.state.certificates.delete(name, deps.nowSeconds(), { ...(secret && { secret }), ...(key && { key }) });
    await deps.persist();
    deps.log.info({ certificate: d.object.name, clientId: caller.clientId }, 'certificate soft-deleted');
    return { ...deletedFields('certificates', d), ...certBundle(d.object, d.object.versions.at(-1)!, true) };
  }

  // ---- dispatch ----------------------------------------------------------------------------------

  function notAllowed(req: ObjectRequest): never {
    throw new VaultApiError(405, 'MethodNotAllowed', `${req.method} is not supported on ${req.url.pathname}.`);
  }

  async function handle(req: ObjectRequest, route: ObjectRoute, caller: ObjectCaller): Promise<{ status: number; body: Record<string, unknown> | undefined }> {
    const ok = (body: Record<string, unknown>) => ({ status: 200, body });
    const { type, name, sub } = route;
    const collection = type === 'keys' ? deps.state.keys : deps.state.certificates;
    if (route.deleted) {
      if (name === undefined) {
        if (req.method !== 'GET') notAllowed(req);
        const visible = collection.listDeleted().filter((d) => isAllowed(caller.principal, type, 'read', d.object.name));
        return ok(pager(req.url, visible as DeletedObject<never>[], (d) => d.object.name.toLowerCase(), (d) => {
          const o = d.object as StoredObject<KeyVersionData & CertificateVersionData>;
          const latest = o.versions.at(-1)!;
          return { ...deletedFields(type, d), ...(type === 'keys' ? keyItem(o, latest, false) : certItem(o, latest, false)) };
        }));
      }
      if (sub === undefined && req.method === 'GET') {
        assertMay(caller, type, 'read', 'get', name);
        const d = collection.getDeleted(name) as DeletedObject<never>;
        const o = d.object as StoredObject<KeyVersionData & CertificateVersionData>;
        const latest = o.versions.at(-1)!;
        return ok({ ...deletedFields(type, d), ...(type === 'keys' ? keyBundle(o, latest) : certBundle(o, latest, true)) });
      }
      if (sub === undefined && req.method === 'DELETE') {
        assertMay(caller, type, 'write', 'purge', name);
        collection.purge(name);
        await deps.persist();
        deps.log.info({ [type === 'keys' ? 'key' : 'certificate']: name, clientId: caller.clientId }, `${type === 'keys' ? 'key' : 'certificate'} purged`);
        return { status: 204, body: undefined };
      }
      if (sub === 'recover' && req.method === 'POST') {
        assertMay(caller, type, 'write', 'recover', name);
        const d = collection.recover(name);
        if (d.backing?.secret) deps.state.putSecret(d.backing.secret);
        if (d.backing?.key) deps.state.keys.restore(d.backing.key);
        await deps.persist();
        deps.log.info({ [type === 'keys' ? 'key' : 'certificate']: name, clientId: caller.clientId }, `${type === 'keys' ? 'key' : 'certificate'} recovered`);
        const o = d.object as StoredObject<KeyVersionData & CertificateVersionData>;
        const latest = o.versions.at(-1)!;
        return ok(type === 'keys' ? keyBundle(o, latest) : certBundle(o, latest, true));
      }
      notAllowed(req);
    }
    if (name === undefined) {
      if (req.method !== 'GET') notAllowed(req);
      const visible = collection.list().filter((o) => isAllowed(caller.principal, type, 'read', o.name)) as StoredObject<KeyVersionData & CertificateVersionData>[];
      return ok(pager(req.url, visible, (o) => o.name.toLowerCase(), (o) => (type === 'keys' ? keyItem(o, o.versions.at(-1)!, false) : certItem(o, o.versions.at(-1)!, false))));
    }
    if (req.method === 'GET' && sub === 'versions') {
      assertMay(caller, type, 'read', 'list', name);
      const o = collection.get(name).object as StoredObject<KeyVersionData & CertificateVersionData>;
      const indexed = o.versions.map((v, i) => ({ v, key: String(i).padStart(8, '0') }));
      return ok(pager(req.url, indexed, (x) => x.key, (x) => (type === 'keys' ? keyItem(o, x.v, true) : certItem(o, x.v, true))));
    }
    if (type === 'keys') {
      if (req.method === 'GET') return ok(getKey(name, sub, caller));
      if (req.method === 'POST' && sub === 'create') return ok(await createKey(name, req.body, caller));
      if (req.method === 'PUT' && sub === undefined) return ok(await importKey(name, req.body, caller));
      if (req.method === 'DELETE' && sub === undefined) return ok(await deleteKey(name, caller));
      notAllowed(req);
    }
    if (req.method === 'GET' && sub === 'policy') {
      assertMay(caller, type, 'read', 'get', name);
      const found = deps.state.certificates.get(name);
      return ok(policyOf(found.object, found.version));
    }
    if (req.method === 'GET' && sub === 'pending') return ok(getPendingOperation(name, caller));
    if (req.method === 'GET') return ok(getCertificate(name, sub, caller));
    if (req.method === 'POST' && sub === 'create') return createCertificate(name, req.body, caller);
    if (req.method === 'POST' && sub === 'import') return ok(await importCertificate(name, req.body, caller));
    if (req.method === 'DELETE' && sub === undefined) return ok(await deleteCertificate(name, caller));
    notAllowed(req);
  }

  return { handle };
}
