// SecretsClient over @azure/keyvault-secrets: one instance per store and identity. Token caching and
// reuse belong to the SDK credential; every vault read passes the per-vault rate limiter first.
import type { KeyVaultSecret, SecretClient, SecretProperties } from '@azure/keyvault-secrets';
import type { JsonWebKey, KeyClient, KeyVaultKey } from '@azure/keyvault-keys';
import type { CertificateClient, KeyVaultCertificateWithPolicy } from '@azure/keyvault-certificates';
import type { FindRef, RemoteRef } from '../../api/index.ts';
import { ProjectorError } from '../../core/errors.ts';
import { MIN_THROTTLE_PAUSE_MS } from '../../core/limits.ts';
import { Sensitive } from '../../core/sensitive.ts';
import type { Logger } from '../../platform/logger.ts';
import type { ProviderHost, PushRequest, SecretBytes, SecretsClient, SecretsWriter, ValidationResult } from '../provider.ts';
import { decideSecretWrite, isManagedByUs, MANAGED_BY_TAG, MANAGED_BY_VALUE, notManagedByUs, parsePushMetadata, type LiveKvSecret } from './push.ts';
import { isPermissionRefusal, toProjectorError } from './errors.ts';
import { compileFind, parseObjectRef, type ObjectRef } from './object-ref.ts';
import {
  extractProperty, metadataOf, secretMapFromJson, selectMetadata, tagsAsSecretMap, type SecretTimes,
} from './secret-value.ts';
import { keyJson, type KeyJsonLayout } from './key-value.ts';
import type { RecentCall } from './shared-call.ts';

/**
 * Reading keys and certificates to push (push-objects.ts with core/template's PEM, PKCS#12 and
 * X.509 readers, ~8 MB of RSS) is loaded by the first key or certificate push: an operator that
 * only reads, or pushes secrets, never needs it (docs/benchmarks.md, "Idle memory and start-up").
 */
const pushObjects = () => import('./push-objects.ts');

/**
 * A per-vault read budget shared by every client of that vault (sync/rate-limit.ts implements it).
 * `acquire` resolves when one read may go; `pause` holds the vault after a 429.
 */
export interface VaultReadLimiter {
  acquire(vaultKey: string, signal: AbortSignal): Promise<void>;
  pause(vaultKey: string, retryAfterMs: number): void;
}

/** What `projector check` learns about one remote ref without seeing its value. */
export interface SecretDescription {
  exists: boolean;
  enabled: boolean;
  expired: boolean;
  version?: string;
  hasProperty?: boolean;
  /** Why `hasProperty` is false: the provider's message a sync would fail with (a property or a tag). */
  propertyProblem?: string;
}

export interface AzureKvClientDeps {
  secretClient: SecretClient;
  vaultUrl: string;
  log: Logger;
  limiter?: VaultReadLimiter | undefined;
  now?: () => Date;
  /** Parallel value reads in getAllSecrets. */
  findConcurrency?: number;
  /** externalsecret_provider_api_calls_count (ProviderHost.observeApiCall). */
  observeCall?: ProviderHost['observeApiCall'];
  /**
   * The keys and certificates SDK clients, made on first use of a `key/` or `cert/` ref (their
   * modules are imported then: a store that reads only secrets never loads them). Without them such
   * refs fail with NotSupported.
   */
  keyClient?: () => Promise<KeyClient>;
  certificateClient?: () => Promise<CertificateClient>;
  /** ESO's JSON layout of `key/` values (store `useAzureSDK`; key-value.ts). Default legacy. */
  keyJsonLayout?: KeyJsonLayout;
  /**
   * The store check shared by every client of the same SDK client (sdk-client-pool.ts): a check
   * joins one in flight, or one answered at most `checkMaxAgeMs` ago (default 0: in flight only).
   */
  check?: RecentCall<ValidationResult>;
  checkMaxAgeMs?: number;
  /**
   * A store check's first step: asks Entra ID for a token for the identity now (index.ts), where
   * the SDK client's pipeline would keep the one it has. Errors as the credential's.
   */
  askToken?: (signal: AbortSignal) => Promise<void>;
}

/** A key or certificate as far as ESO reads it: the value it returns, and its metadata for `Fetch`. */
interface FetchedObject {
  /** The bytes ESO returns without metadataPolicy Fetch, before `property`. */
  value: () => Uint8Array | string;
  tags: Record<string, string> | undefined;
  times: SecretTimes;
  enabled: boolean | undefined;
  version: string | undefined;
}

/** ESO's provider and call names for Key Vault (runtime/constants: ProviderAzureKV, CallAzureKV*). */
const PROVIDER_NAME = 'Azure/KeyVault';
type WriteCall = 'SetSecret' | 'DeleteSecret' | 'ImportKey' | 'DeleteKey' | 'ImportCertificate' | 'DeleteCertificate';
type KvCall = 'GetSecret' | 'GetSecrets' | 'GetKey' | 'GetCertificate' | WriteCall;

/** What a 403 on a write means: the permission and the built-in role that grants it (Key Vault RBAC). */
const WRITE_PERMISSION: Record<WriteCall, { verb: string; noun: string; objectType: ObjectRef['objectType']; role: string }> = {
  SetSecret: { verb: 'set', noun: 'secret', objectType: 'secret', role: 'Key Vault Secrets Officer' },
  DeleteSecret: { verb: 'delete', noun: 'secret', objectType: 'secret', role: 'Key Vault Secrets Officer' },
  ImportKey: { verb: 'import', noun: 'key', objectType: 'key', role: 'Key Vault Crypto Officer' },
  DeleteKey: { verb: 'delete', noun: 'key', objectType: 'key', role: 'Key Vault Crypto Officer' },
  ImportCertificate: { verb: 'import', noun: 'certificate', objectType: 'cert', role: 'Key Vault Certificates Officer' },
  DeleteCertificate: { verb: 'delete', noun: 'certificate', objectType: 'cert', role: 'Key Vault Certificates Officer' },
};

/** The value of `load()`, or undefined when Key Vault answered 404 (the object does not exist). */
async function absentOn404<T>(load: () => Promise<T>): Promise<T | undefined> {
  try {
    return await load();
  } catch (e) {
    if (e instanceof ProjectorError && e.details.cause === 'not-found') return undefined;
    throw e;
  }
}

/** ESO's ownership tag plus the metadata tags (parsePushMetadata refused a managed-by among them). */
function ownedTags(tags: Record<string, string> | undefined): Record<string, string> {
  return { [MANAGED_BY_TAG]: MANAGED_BY_VALUE, ...(tags ?? {}) };
}

const LIST_PAGE_SIZE = 25;

/** For a call shared by callers that each stop waiting on their own signal (shared-call.ts). */
const NEVER_ABORTED = new AbortController().signal;

function bytesOf(text: string): SecretBytes {
  return new Sensitive<Uint8Array>(Buffer.from(text, 'utf8'));
}

function timesOf(p: SecretProperties): SecretTimes {
  return { expiresOn: p.expiresOn, createdOn: p.createdOn, updatedOn: p.updatedOn, notBefore: p.notBefore };
}

/**
 * Which listed secrets a find reads: ESO's isValidSecret (providers/v1/azure/keyvault/keyvault.go for
 * the legacy SDK, keyvault_new_sdk.go for the new one) skips an item whose `attributes.enabled` is
 * false, and nothing else. Key Vault answers a GET of a disabled secret with 403, body
 * `{"error":{"code":"Forbidden","message":"Operation get is not allowed on a disabled secret.",
 * "innererror":{"code":"SecretDisabled"}}}`, so reading it would fail the whole find. It answers
 * 200 with the value for expired (`exp` past) and not-yet-valid (`nbf` ahead) secrets: "A secret's
 * get operation will work for not-yet-valid and expired secrets" ("About Azure Key Vault secrets",
 * date-time controlled operations); ESO therefore includes them, and so does Projector. The local
 * vault answers the same (src/vault/app.ts getSecret).
 */
function isReadable(p: SecretProperties): boolean {
  return p.enabled !== false;
}

function isFetchPolicy(ref: RemoteRef): boolean {
  return ref.metadataPolicy === 'Fetch';
}

function objectsNotSupported(target: ObjectRef): ProjectorError {
  return new ProjectorError('NotSupported', `${target.objectType}/${target.name}: this client reads secrets only`, { field: 'remoteRef.key' });
}

export class AzureKvSecretsClient implements SecretsClient {
  readonly #client: SecretClient;
  readonly #vaultUrl: string;
  readonly #vaultKey: string;
  readonly #log: Logger;
  readonly #limiter: VaultReadLimiter | undefined;
  readonly #now: () => Date;
  readonly #findConcurrency: number;
  readonly #observeCall: AzureKvClientDeps['observeCall'];
  readonly #keyClient: AzureKvClientDeps['keyClient'];
  readonly #certificateClient: AzureKvClientDeps['certificateClient'];
  readonly #keyJsonLayout: KeyJsonLayout;
  readonly #check: RecentCall<ValidationResult> | undefined;
  readonly #checkMaxAgeMs: number;
  readonly #askToken: AzureKvClientDeps['askToken'];

  constructor(deps: AzureKvClientDeps) {
    this.#check = deps.check;
    this.#askToken = deps.askToken;
    this.#checkMaxAgeMs = deps.checkMaxAgeMs ?? 0;
    this.#observeCall = deps.observeCall;
    this.#keyClient = deps.keyClient;
    this.#certificateClient = deps.certificateClient;
    this.#keyJsonLayout = deps.keyJsonLayout ?? 'legacy';
    this.#client = deps.secretClient;
    this.#vaultUrl = deps.vaultUrl;
    this.#vaultKey = new URL(deps.vaultUrl).origin.toLowerCase();
    this.#log = deps.log;
    this.#limiter = deps.limiter;
    this.#now = deps.now ?? (() => new Date());
    this.#findConcurrency = deps.findConcurrency ?? 8;
  }

  /**
   * ESO's GetSecret (keyvault.go getSecretWithLegacySDK): a secret's value (or a property, or a tag
   * with metadataPolicy Fetch); `cert/<name>` through the certificates API (certificates/get): the
   * certificate's DER (`cer`), `property` ignored; `key/<name>` through the keys API (keys/get): the
   * JSON Web Key as Go marshals it (key-value.ts), `property` a gjson path into it. With Fetch, a
   * key's or certificate's tags and `attribute.*` times, as for a secret.
   */
  async getSecret(ref: RemoteRef, signal: AbortSignal): Promise<SecretBytes> {
    const target = parseObjectRef(ref.key);
    if (target.objectType !== 'secret') {
      const object = await this.#fetchObject(target, ref.version, signal);
      if (isFetchPolicy(ref)) return bytesOf(selectMetadata(metadataOf(object.tags, object.times), ref.property, target.name));
      const value = object.value();
      if (typeof value !== 'string') return new Sensitive(value);
      return bytesOf(extractProperty(value, ref.property, target.name));
    }
    const secret = await this.#fetch(target.name, ref.version, signal);
    return bytesOf(this.#select(secret, target, ref));
  }

  async getSecretMap(ref: RemoteRef, signal: AbortSignal): Promise<ReadonlyMap<string, SecretBytes>> {
    const target = parseObjectRef(ref.key);
    if (target.objectType !== 'secret') {
      throw new ProjectorError('InvalidSpec', `dataFrom.extract cannot read ${target.objectType}/ objects; use data[] with ${ref.key}`, { field: 'dataFrom.extract.key' });
    }
    const secret = await this.#fetch(target.name, ref.version, signal);
    const entries = isFetchPolicy(ref)
      ? tagsAsSecretMap(target.name, secret.properties.tags, timesOf(secret.properties), ref.property)
      : secretMapFromJson(extractProperty(this.#valueOf(secret, target.name), ref.property, target.name), target.name);
    return new Map([...entries].map(([k, v]) => [k, bytesOf(v)]));
  }

  async getAllSecrets(find: FindRef, signal: AbortSignal): Promise<ReadonlyMap<string, SecretBytes>> {
    const matcher = compileFind(find);
    const names = (await this.#listProperties(signal))
      .filter((p) => matcher.matches({ name: p.name, enabled: isReadable(p), tags: p.tags ?? {} }))
      .map((p) => p.name);
    const out = new Map<string, SecretBytes>();
    let next = 0;
    const worker = async () => {
      while (next < names.length) {
        const name = names[next++]!;
        out.set(name, bytesOf(this.#valueOf(await this.#fetch(name, undefined, signal), name)));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#findConcurrency, names.length) }, worker));
    this.#log.debug({ vault: this.#vaultUrl, listed: names.length }, 'azurekv find matched secrets');
    // Sorted so callers see the same order however the reads interleaved.
    return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /**
   * Ready when Entra ID gives this identity a token and the vault accepts it: one list call of one
   * item. A 403 answer is Ready too: the vault authenticated the caller, and an identity may read
   * secrets without listing them (access policy `get` alone, a role assigned on single secrets), as
   * ESO's store, which asks nothing (providers/v1/azure/keyvault/keyvault.go `Validate`), syncs it.
   * Throws the precise reason otherwise: StoreAuthFailed (token refused), VaultUnavailable, ...
   */
  async validate(signal: AbortSignal): Promise<ValidationResult> {
    if (!this.#check) return this.#listOne(signal);
    // Shared with the stores of the same identity and vault checked together: the check's answer
    // is the same for each of them. It runs on no caller's signal (a store deleted mid-check does
    // not fail the others' checks); its requests are bounded by the provider's timeout.
    return this.#check.run(() => this.#listOne(NEVER_ABORTED), signal, this.#checkMaxAgeMs);
  }

  async #listOne(signal: AbortSignal): Promise<ValidationResult> {
    const pages = this.#client.listPropertiesOfSecrets({ abortSignal: signal }).byPage({ maxPageSize: 1 });
    try {
      await this.#read('GetSecrets', async () => {
        await this.#askToken?.(signal);
        return pages.next();
      }, {}, signal);
    } catch (e) {
      // A refused permission means the vault accepted the identity; its network rules refusing the
      // operator mean nothing will sync.
      if (!isPermissionRefusal(e)) throw e;
      this.#log.debug({ vault: this.#vaultUrl }, 'azurekv store identity may not list secrets; reads are judged one by one');
    }
    return 'Ready';
  }

  async describeSecret(ref: RemoteRef, signal: AbortSignal): Promise<SecretDescription> {
    const target = parseObjectRef(ref.key);
    if (target.objectType !== 'secret') return this.#describeObject(target, ref, signal);
    let secret: KeyVaultSecret;
    try {
      secret = await this.#fetch(target.name, ref.version, signal);
    } catch (e) {
      // The cause comes from the one mapping of vault answers (errors.ts).
      const cause = e instanceof ProjectorError ? e.details.cause : undefined;
      if (cause === 'not-found' || cause === 'version-not-found') return { exists: false, enabled: false, expired: false };
      if (cause === 'disabled') return { exists: true, enabled: false, expired: false };
      if (cause === 'expired' || cause === 'not-yet-valid') return { exists: true, enabled: true, expired: true };
      throw e;
    }
    const p = secret.properties;
    const description: SecretDescription = {
      exists: true,
      enabled: p.enabled !== false,
      expired: p.expiresOn !== undefined && p.expiresOn.getTime() <= this.#now().getTime(),
      ...(p.version ? { version: p.version } : {}),
    };
    if (ref.property) {
      const problem = this.#propertyProblem(secret, target, ref);
      description.hasProperty = problem === undefined;
      if (problem !== undefined) description.propertyProblem = problem;
    }
    return description;
  }

  /**
   * ESO's PushSecret / DeleteSecret / SecretExists for Key Vault secrets, keys (`key/<name>`) and
   * certificates (`cert/<name>`); push.ts and push-objects.ts hold the rules.
   */
  get writer(): SecretsWriter {
    return {
      pushSecret: (req, signal) => this.#push(req, signal),
      deleteSecret: (remoteKey, signal) => this.#delete(remoteKey, signal),
      secretExists: (remoteKey, signal) => this.#exists(remoteKey, signal),
      describeDestination: (remoteKey, signal) => this.#describeDestination(remoteKey, signal),
    };
  }

  /** Exists, and carries ESO's ownership tag? (A secret's value comes with the GET and is dropped here.) */
  async #describeDestination(remoteKey: string, signal: AbortSignal): Promise<{ exists: boolean; managed: boolean }> {
    const target = parseObjectRef(remoteKey);
    const live =
      target.objectType === 'key' ? (await this.#liveKey(target, signal))?.properties
      : target.objectType === 'cert' ? (await this.#liveCertificate(target, signal))?.properties
      : await this.#live(target.name, signal);
    return { exists: live !== undefined, managed: live !== undefined && isManagedByUs(live.tags) };
  }

  /** ESO's SecretExists: a GET through the object's own API; 404 is "no". */
  async #exists(remoteKey: string, signal: AbortSignal): Promise<boolean> {
    const target = parseObjectRef(remoteKey);
    if (target.objectType === 'key') return (await this.#liveKey(target, signal)) !== undefined;
    if (target.objectType === 'cert') return (await this.#liveCertificate(target, signal)) !== undefined;
    return (await this.#live(target.name, signal)) !== undefined;
  }

  /** The secret as it is now, or undefined when it does not exist (404). */
  async #live(name: string, signal: AbortSignal): Promise<LiveKvSecret | undefined> {
    return absentOn404(async () => {
      const s = await this.#fetch(name, undefined, signal);
      return { value: s.value, tags: s.properties.tags, contentType: s.properties.contentType, expiresOn: s.properties.expiresOn };
    });
  }

  async #liveKey(target: ObjectRef, signal: AbortSignal): Promise<KeyVaultKey | undefined> {
    const client = await this.#keys(target);
    return absentOn404(() => this.#read('GetKey', () => client.getKey(target.name, { abortSignal: signal }), { secretName: target.name, objectType: 'key' }, signal));
  }

  async #liveCertificate(target: ObjectRef, signal: AbortSignal): Promise<KeyVaultCertificateWithPolicy | undefined> {
    const client = await this.#certificates(target);
    return absentOn404(() => this.#read('GetCertificate', () => client.getCertificate(target.name, { abortSignal: signal }), { secretName: target.name, objectType: 'cert' }, signal));
  }

  #keys(target: ObjectRef): Promise<KeyClient> {
    if (!this.#keyClient) throw objectsNotSupported(target);
    return this.#keyClient();
  }

  #certificates(target: ObjectRef): Promise<CertificateClient> {
    if (!this.#certificateClient) throw objectsNotSupported(target);
    return this.#certificateClient();
  }

  async #push(req: PushRequest, signal: AbortSignal): Promise<'created' | 'updated' | 'unchanged'> {
    const target = parseObjectRef(req.remoteKey);
    // ESO parses the metadata before it looks at the object type: a bad one fails every kind.
    const meta = parsePushMetadata(req.metadata, req.field);
    if (target.objectType === 'key') return this.#pushKey(target, req, meta.tags, signal);
    if (target.objectType === 'cert') return this.#pushCertificate(target, req, meta.tags, signal);
    const name = target.name;
    const live = await this.#live(name, signal);
    // Key Vault holds text: the bytes as UTF-8 (invalid sequences become U+FFFD, as Go's JSON body
    // does). `property` is ignored, as ESO's Azure PushSecret ignores it: the value replaces the
    // whole secret (validatePushSecret warns, and refuses two items that differ only by property).
    const value = Buffer.from(req.value.reveal()).toString('utf8');
    const write = decideSecretWrite(name, live, value, meta);
    if (write.action === 'unchanged') return 'unchanged';
    await this.#write('SetSecret', name, () =>
      this.#client.setSecret(name, write.value, {
        tags: write.tags,
        enabled: true,
        ...(write.contentType !== undefined && { contentType: write.contentType }),
        ...(write.expiresOn !== undefined && { expiresOn: write.expiresOn }),
        abortSignal: signal,
      }), signal);
    this.#log.debug({ vault: this.#vaultUrl, secret: name, action: write.action }, 'azurekv secret pushed');
    return write.action === 'create' ? 'created' : 'updated';
  }

  /**
   * ESO's setKeyVaultKey: the value's private key as a JWK (push-objects.ts), refused when a key
   * of that name exists without the ownership tag, left when its public key is the same
   * (equalKeys), else imported (KeyClient.importKey → PUT /keys/{name}) with the ownership tag and
   * the metadata tags. Content type and expiry do not apply to keys (ESO ignores them too).
   */
  async #pushKey(target: ObjectRef, req: PushRequest, tags: Record<string, string> | undefined, signal: AbortSignal): Promise<'created' | 'updated' | 'unchanged'> {
    const { keyUnchanged, privateKeyJwk } = await pushObjects();
    const jwk = privateKeyJwk(req.value.reveal(), target.name);
    const live = await this.#liveKey(target, signal);
    if (live) {
      if (!isManagedByUs(live.properties.tags)) throw notManagedByUs('key', target.name);
      if (keyUnchanged(jwk, live.key)) return 'unchanged';
    }
    const client = await this.#keys(target);
    await this.#write('ImportKey', target.name, () => client.importKey(target.name, jwk as JsonWebKey, { tags: ownedTags(tags), abortSignal: signal }), signal);
    this.#log.debug({ vault: this.#vaultUrl, key: target.name, action: live ? 'update' : 'create' }, 'azurekv key imported');
    return live ? 'updated' : 'created';
  }

  /**
   * ESO's setKeyVaultCertificate: the value must read as a certificate (PKCS#12 without password,
   * DER or PEM: push-objects.ts); refused when a certificate of that name exists without the
   * ownership tag, left when Key Vault's `cer` is that certificate, else imported as ESO sends it
   * (CertificateClient.importCertificate with no policy: the value's bytes base64-encoded, the
   * service tells PEM from PKCS#12) with the ownership tag and the metadata tags.
   */
  async #pushCertificate(target: ObjectRef, req: PushRequest, tags: Record<string, string> | undefined, signal: AbortSignal): Promise<'created' | 'updated' | 'unchanged'> {
    const { certificateDer, certificateUnchanged } = await pushObjects();
    const value = req.value.reveal();
    const der = certificateDer(value, target.name);
    const live = await this.#liveCertificate(target, signal);
    if (live) {
      if (!isManagedByUs(live.properties.tags)) throw notManagedByUs('certificate', target.name);
      if (certificateUnchanged(der, live.cer)) return 'unchanged';
    }
    const client = await this.#certificates(target);
    await this.#write('ImportCertificate', target.name, () => client.importCertificate(target.name, value, { tags: ownedTags(tags), abortSignal: signal }), signal);
    this.#log.debug({ vault: this.#vaultUrl, certificate: target.name, action: live ? 'update' : 'create' }, 'azurekv certificate imported');
    return live ? 'updated' : 'created';
  }

  /**
   * ESO's deleteKeyVaultSecret / deleteKeyVaultKey / deleteKeyVaultCertificate: only an object
   * carrying the ownership tag is deleted (soft delete, as Key Vault's DELETE does; a
   * certificate's DELETE takes its key and secret with it); one already gone is fine; one without
   * the tag is left alone (ESO's new SDK path; its legacy path fails the PushSecret instead:
   * docs/pushsecret.md).
   */
  async #delete(remoteKey: string, signal: AbortSignal): Promise<'deleted' | 'absent' | 'not-managed'> {
    const target = parseObjectRef(remoteKey);
    let tags: Readonly<Record<string, string>> | undefined;
    let send: () => Promise<unknown>;
    let call: KvCall;
    if (target.objectType === 'key') {
      const live = await this.#liveKey(target, signal);
      if (!live) return 'absent';
      tags = live.properties.tags;
      const client = await this.#keys(target);
      call = 'DeleteKey';
      send = () => client.beginDeleteKey(target.name, { abortSignal: signal });
    } else if (target.objectType === 'cert') {
      const live = await this.#liveCertificate(target, signal);
      if (!live) return 'absent';
      tags = live.properties.tags;
      const client = await this.#certificates(target);
      call = 'DeleteCertificate';
      send = () => client.beginDeleteCertificate(target.name, { abortSignal: signal });
    } else {
      const live = await this.#live(target.name, signal);
      if (!live) return 'absent';
      tags = live.tags;
      call = 'DeleteSecret';
      send = () => this.#client.beginDeleteSecret(target.name, { abortSignal: signal });
    }
    if (!isManagedByUs(tags)) return 'not-managed';
    const gone = await absentOn404(async () => {
      await this.#write(call, target.name, send, signal);
      return true;
    });
    return gone ? 'deleted' : 'absent';
  }

  /** A write through the same budget, metrics and error mapping as reads; a 403 names the write permission. */
  async #write<T>(call: KvCall, name: string, send: () => Promise<T>, signal: AbortSignal): Promise<T> {
    const what = WRITE_PERMISSION[call as WriteCall];
    try {
      return await this.#read(call, send, { secretName: name, ...(what && what.objectType !== 'secret' && { objectType: what.objectType }) }, signal);
    } catch (e) {
      if (what && isPermissionRefusal(e)) {
        const answered = `${e.details.httpStatus ?? 403}${e.details.remoteCode ? ` ${e.details.remoteCode}` : ''}`;
        throw new ProjectorError('VaultForbidden', `the store's identity may not ${what.verb} ${what.noun} "${name}" in vault ${this.#vaultUrl} (${answered}); grant it ${what.verb} on ${what.noun}s (an access policy, or the ${what.role} role)`, e.details);
      }
      throw e;
    }
  }

  async close(): Promise<void> {
    // The SDK holds no resources that need releasing: its keep-alive sockets idle out on their own.
  }

  async #describeObject(target: ObjectRef, ref: RemoteRef, signal: AbortSignal): Promise<SecretDescription> {
    let object: FetchedObject;
    try {
      object = await this.#fetchObject(target, ref.version, signal);
    } catch (e) {
      const cause = e instanceof ProjectorError ? e.details.cause : undefined;
      if (cause === 'not-found' || cause === 'version-not-found') return { exists: false, enabled: false, expired: false };
      if (cause === 'disabled') return { exists: true, enabled: false, expired: false };
      throw e;
    }
    const description: SecretDescription = {
      exists: true,
      enabled: object.enabled !== false,
      expired: object.times.expiresOn !== undefined && object.times.expiresOn.getTime() <= this.#now().getTime(),
      ...(object.version ? { version: object.version } : {}),
    };
    if (ref.property) {
      try {
        const value = object.value();
        if (isFetchPolicy(ref)) selectMetadata(metadataOf(object.tags, object.times), ref.property, target.name);
        else if (typeof value === 'string') extractProperty(value, ref.property, target.name);
        description.hasProperty = true;
      } catch (e) {
        if (!(e instanceof ProjectorError && e.code === 'VaultBadValue')) throw e;
        description.hasProperty = false;
        description.propertyProblem = e.message;
      }
    }
    return description;
  }

  /** One GetCertificate or GetKey call, through the limiter and the error mapping like a secret read. */
  async #fetchObject(target: ObjectRef, version: string | undefined, signal: AbortSignal): Promise<FetchedObject> {
    const about = { secretName: target.name, version, objectType: target.objectType };
    if (target.objectType === 'cert') {
      if (!this.#certificateClient) throw objectsNotSupported(target);
      const client = await this.#certificateClient();
      const cert = await this.#read(
        'GetCertificate',
        () => (version ? client.getCertificateVersion(target.name, version, { abortSignal: signal }) : client.getCertificate(target.name, { abortSignal: signal })),
        about,
        signal,
      );
      const p = cert.properties;
      return {
        value: () => {
          if (!cert.cer) throw new ProjectorError('VaultBadValue', `vault ${this.#vaultUrl} returned certificate "${target.name}" without its cer`, { remoteCode: 'NoCer' });
          return cert.cer;
        },
        tags: p.tags,
        times: { expiresOn: p.expiresOn, createdOn: p.createdOn, updatedOn: p.updatedOn, notBefore: p.notBefore },
        enabled: p.enabled,
        version: p.version,
      };
    }
    if (!this.#keyClient) throw objectsNotSupported(target);
    const client = await this.#keyClient();
    const key = await this.#read('GetKey', () => client.getKey(target.name, { ...(version ? { version } : {}), abortSignal: signal }), about, signal);
    const p = key.properties;
    return {
      value: () => {
        if (!key.key) throw new ProjectorError('VaultBadValue', `vault ${this.#vaultUrl} returned key "${target.name}" without its JSON Web Key`, { remoteCode: 'NoKey' });
        return keyJson(key.key, this.#keyJsonLayout);
      },
      tags: p.tags,
      times: { expiresOn: p.expiresOn, createdOn: p.createdOn, updatedOn: p.updatedOn, notBefore: p.notBefore },
      enabled: p.enabled,
      version: p.version,
    };
  }

  /** Undefined when the property (or tag) is there, else the message a sync would fail with. */
  #propertyProblem(secret: KeyVaultSecret, target: ObjectRef, ref: RemoteRef): string | undefined {
    try {
      // The extracted value is dropped here: check reports presence only.
      this.#select(secret, target, ref);
      return undefined;
    } catch (e) {
      if (e instanceof ProjectorError && e.code === 'VaultBadValue') return e.message;
      throw e;
    }
  }

  /** ESO's selection: a tag (metadataPolicy Fetch) or a property of the value, or the whole value. */
  #select(secret: KeyVaultSecret, target: ObjectRef, ref: RemoteRef): string {
    if (isFetchPolicy(ref)) return selectMetadata(metadataOf(secret.properties.tags, timesOf(secret.properties)), ref.property, target.name);
    return extractProperty(this.#valueOf(secret, target.name), ref.property, target.name);
  }

  #valueOf(secret: KeyVaultSecret, name: string): string {
    if (secret.value === undefined) throw new ProjectorError('VaultBadValue', `vault ${this.#vaultUrl} returned secret "${name}" without a value`);
    return secret.value;
  }

  #fetch(name: string, version: string | undefined, signal: AbortSignal): Promise<KeyVaultSecret> {
    return this.#read('GetSecret', () => this.#client.getSecret(name, { ...(version ? { version } : {}), abortSignal: signal }), { secretName: name, version }, signal);
  }

  async #listProperties(signal: AbortSignal): Promise<SecretProperties[]> {
    const pages = this.#client.listPropertiesOfSecrets({ abortSignal: signal }).byPage({ maxPageSize: LIST_PAGE_SIZE });
    const all: SecretProperties[] = [];
    for (;;) {
      const page = await this.#read('GetSecrets', () => pages.next(), {}, signal);
      if (page.done) return all;
      all.push(...page.value);
    }
  }

  /** Every vault call goes through here: rate limit, then one SDK call, then error translation. */
  async #read<T>(name: KvCall, call: () => Promise<T>, about: { secretName?: string; version?: string | undefined; objectType?: ObjectRef['objectType'] }, signal: AbortSignal): Promise<T> {
    const secretName = about.secretName;
    let called = false;
    try {
      await this.#limiter?.acquire(this.#vaultKey, signal);
      called = true;
      const result = await call();
      this.#observeCall?.(PROVIDER_NAME, name, false);
      return result;
    } catch (err) {
      if (called) this.#observeCall?.(PROVIDER_NAME, name, true);
      const e = toProjectorError(err, { vaultUrl: this.#vaultUrl, ...about }, this.#now().getTime());
      // A 429 without Retry-After, or with `0`, still pauses the vault for MIN_THROTTLE_PAUSE_MS
      // (core/limits.ts): otherwise every waiting reader fires again at once into a throttling vault.
      if (e.code === 'VaultThrottled') this.#limiter?.pause(this.#vaultKey, Math.max(e.details.retryAfterMs ?? 0, MIN_THROTTLE_PAUSE_MS));
      this.#log.debug({ vault: this.#vaultUrl, secret: secretName, code: e.code, httpStatus: e.details.httpStatus }, 'azurekv read failed');
      throw e;
    }
  }
}
