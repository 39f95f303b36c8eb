// SecretsClient over @azure/keyvault-secrets: one instance per store and identity. Token caching and
// reuse belong to the SDK credential; every vault read passes the per-vault rate limiter first.
import type { KeyVaultSecret, SecretClient, SecretProperties } from '@azure/keyvault-secrets';
import type { KeyClient } from '@azure/keyvault-keys';
import type { CertificateClient } from '@azure/keyvault-certificates';
import type { FindRef, RemoteRef } from '../../api/index.ts';
import { ProjectorError } from '../../core/errors.ts';
import { MIN_THROTTLE_PAUSE_MS } from '../../core/limits.ts';
import { Sensitive } from '../../core/sensitive.ts';
import type { Logger } from '../../platform/logger.ts';
import type { ProviderHost, PushRequest, SecretBytes, SecretsClient, SecretsWriter, ValidationResult } from '../provider.ts';
import { decideSecretWrite, isManagedByUs, parsePushMetadata, type LiveKvSecret } from './push.ts';
import { toProjectorError } from './errors.ts';
import { compileFind, parseObjectRef, type ObjectRef } from './object-ref.ts';
import {
  extractProperty, metadataOf, secretMapFromJson, selectMetadata, tagsAsSecretMap, type SecretTimes,
} from './secret-value.ts';
import { keyJson, type KeyJsonLayout } from './key-value.ts';

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
type KvCall = 'GetSecret' | 'GetSecrets' | 'GetKey' | 'GetCertificate' | 'SetSecret' | 'DeleteSecret';

const LIST_PAGE_SIZE = 25;

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

  constructor(deps: AzureKvClientDeps) {
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

  /** Ready only when the vault answers a list call with this identity; throws the precise reason otherwise. */
  async validate(signal: AbortSignal): Promise<ValidationResult> {
    const pages = this.#client.listPropertiesOfSecrets({ abortSignal: signal }).byPage({ maxPageSize: 1 });
    await this.#read('GetSecrets', () => pages.next(), {}, signal);
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
    if (ref.property) description.hasProperty = this.#hasProperty(secret, target, ref);
    return description;
  }

  /** ESO's PushSecret / DeleteSecret / SecretExists for Key Vault secrets (push.ts holds the rules). */
  get writer(): SecretsWriter {
    return {
      pushSecret: (req, signal) => this.#push(req, signal),
      deleteSecret: (remoteKey, signal) => this.#delete(remoteKey, signal),
      secretExists: async (remoteKey, signal) => (await this.#live(this.#writableName(remoteKey, 'spec.data[].match.remoteRef.remoteKey'), signal)) !== undefined,
    };
  }

  /** key/ and cert/ pushes (ESO imports a JWK or a certificate) are not implemented yet. */
  #writableName(remoteKey: string, field: string): string {
    const target = parseObjectRef(remoteKey);
    if (target.objectType !== 'secret') {
      throw new ProjectorError('NotSupported', `${target.objectType}/${target.name}: pushing Key Vault ${target.objectType === 'key' ? 'keys' : 'certificates'} is not supported by Projector yet (secrets only)`, { field });
    }
    return target.name;
  }

  /** The secret as it is now, or undefined when it does not exist (404). */
  async #live(name: string, signal: AbortSignal): Promise<LiveKvSecret | undefined> {
    try {
      const s = await this.#fetch(name, undefined, signal);
      return { value: s.value, tags: s.properties.tags, contentType: s.properties.contentType, expiresOn: s.properties.expiresOn };
    } catch (e) {
      if (e instanceof ProjectorError && e.details.cause === 'not-found') return undefined;
      throw e;
    }
  }

  async #push(req: PushRequest, signal: AbortSignal): Promise<'created' | 'updated' | 'unchanged'> {
    const field = `${req.field}.match.remoteRef.remoteKey`;
    const name = this.#writableName(req.remoteKey, field);
    const meta = parsePushMetadata(req.metadata, req.field);
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
   * ESO's deleteKeyVaultSecret: only a secret carrying the ownership tag is deleted (soft delete, as
   * Key Vault's DELETE does); one already gone is fine; one without the tag is left alone (ESO's new
   * SDK path; its legacy path fails the PushSecret instead: docs/design/000-overview.md).
   */
  async #delete(remoteKey: string, signal: AbortSignal): Promise<'deleted' | 'absent' | 'not-managed'> {
    const name = this.#writableName(remoteKey, 'status.syncedPushSecrets');
    const live = await this.#live(name, signal);
    if (!live) return 'absent';
    if (!isManagedByUs(live.tags)) return 'not-managed';
    try {
      await this.#write('DeleteSecret', name, () => this.#client.beginDeleteSecret(name, { abortSignal: signal }), signal);
    } catch (e) {
      if (e instanceof ProjectorError && e.details.cause === 'not-found') return 'absent';
      throw e;
    }
    return 'deleted';
  }

  /** A write through the same budget, metrics and error mapping as reads; a 403 names the write permission. */
  async #write<T>(call: KvCall, name: string, send: () => Promise<T>, signal: AbortSignal): Promise<T> {
    try {
      return await this.#read(call, send, { secretName: name }, signal);
    } catch (e) {
      if (e instanceof ProjectorError && e.details.cause === 'forbidden') {
        const verb = call === 'SetSecret' ? 'set' : 'delete';
        const answered = `${e.details.httpStatus ?? 403}${e.details.remoteCode ? ` ${e.details.remoteCode}` : ''}`;
        throw new ProjectorError('VaultForbidden', `the store's identity may not ${verb} secret "${name}" in vault ${this.#vaultUrl} (${answered}); grant it ${verb} on secrets (an access policy, or the Key Vault Secrets Officer role)`, e.details);
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

  #hasProperty(secret: KeyVaultSecret, target: ObjectRef, ref: RemoteRef): boolean {
    try {
      // The extracted value is dropped here: check reports presence only.
      this.#select(secret, target, ref);
      return true;
    } catch (e) {
      if (e instanceof ProjectorError && e.code === 'VaultBadValue') return false;
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
