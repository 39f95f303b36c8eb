// ESO's fake provider: the data lives in spec.provider.fake.data. Used for demos, benchmarks and
// controller tests with no vault at all.
import type { FindRef, GenericStore, RemoteRef } from '../../api/index.ts';
import { ProjectorError } from '../../core/errors.ts';
import { compileGoRegexp } from '../../core/go-regexp.ts';
import { issue, type Issue } from '../../core/issues.ts';
import { abbreviate } from '../../core/limits.ts';
import { convertKey } from '../../core/transform.ts';
import { Sensitive } from '../../core/sensitive.ts';
import { extractJsonProperty, jsonToSecretMap } from '../../core/json-value.ts';
import type { Provider, SecretBytes, SecretsClient, ValidationResult } from '../provider.ts';

interface FakeEntry {
  key: string;
  value?: string;
  valueMap?: Record<string, string>;
  version?: string;
}

const bytes = (s: string): SecretBytes => new Sensitive(new Uint8Array(Buffer.from(s, 'utf8')));

/** ESO's validation results (apis/externalsecrets/v1/provider.go: Ready 0, Unknown 1, Error 2). */
const VALIDATION_RESULT_NAMES = ['Ready', 'Unknown', 'Error'];
/** ESO's fake Validate error text (providers/v1/fake/fake.go). */
const UNABLE_TO_VALIDATE = 'unable to validate';

/**
 * ESO's fake client config (providers/v1/fake/fake.go NewClient): the store's entries keyed by
 * mapKey, the key and the version written one after the other, a later entry replacing an earlier
 * one with the same mapKey.
 */
function fakeConfig(entries: readonly FakeEntry[]): Map<string, FakeEntry> {
  const config = new Map<string, FakeEntry>();
  for (const e of entries) config.set(`${e.key}${e.version ?? ''}`, e);
  return config;
}

/** Go's `<` on strings: bytewise over UTF-8. */
const goLess = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')) < 0;

class FakeClient implements SecretsClient {
  readonly #config: ReadonlyMap<string, FakeEntry>;
  readonly #validationResult: number | undefined;
  constructor(entries: readonly FakeEntry[], validationResult: number | undefined) {
    this.#config = fakeConfig(entries);
    this.#validationResult = validationResult;
  }

  /** ESO's GetSecret lookup: the entry at mapKey(key, version), whose own version must be the ref's. */
  #lookup(ref: RemoteRef): FakeEntry | undefined {
    const e = this.#config.get(`${ref.key}${ref.version ?? ''}`);
    return e && (e.version ?? '') === (ref.version ?? '') ? e : undefined;
  }

  #find(ref: RemoteRef): FakeEntry {
    const e = this.#lookup(ref);
    if (!e) throw new ProjectorError('VaultNotFound', `secret "${abbreviate(ref.key)}"${ref.version ? ` version "${abbreviate(ref.version)}"` : ''} not found in fake store`, { httpStatus: 404 });
    return e;
  }

  #valueOf(e: FakeEntry): Sensitive<string> {
    return new Sensitive(e.valueMap ? JSON.stringify(e.valueMap) : (e.value ?? ''));
  }

  async getSecret(ref: RemoteRef): Promise<SecretBytes> {
    const value = this.#valueOf(this.#find(ref));
    if (!ref.property) return bytes(value.reveal());
    return extractJsonProperty(value, ref.property, ref.key);
  }

  async getSecretMap(ref: RemoteRef): Promise<ReadonlyMap<string, SecretBytes>> {
    const value = this.#valueOf(this.#find(ref));
    const scoped = ref.property ? new Sensitive(Buffer.from(extractJsonProperty(value, ref.property, ref.key).reveal()).toString('utf8')) : value;
    return jsonToSecretMap(scoped, ref.key);
  }

  async getAllSecrets(find: FindRef): Promise<ReadonlyMap<string, SecretBytes>> {
    if (find.tags && Object.keys(find.tags).length) throw new ProjectorError('NotSupported', 'the fake provider does not support find.tags', { field: 'find.tags' });
    const compiled = find.name?.regexp ? compileGoRegexp(find.name.regexp) : undefined;
    if (compiled && !compiled.ok) throw new ProjectorError('InvalidSpec', `find.name.regexp is not a valid Go regular expression: ${compiled.reason}`, { field: 'find.name.regexp' });
    const re = compiled?.regexp;
    // ESO's collectMatchingSecrets: every entry whose key matches (runtime/find: Go's MatchString,
    // unanchored; find.path is not read), and per key the entry with the greatest version (Go's
    // string order; no version is the least), then esutils.ConvertKeys with the find's
    // conversionStrategy, in the provider (the controller converts again only without a rewrite,
    // which changes nothing then; a rewrite sees the converted keys).
    const latest = new Map<string, FakeEntry>();
    for (const e of this.#config.values()) {
      if (re && !re.matchString(e.key)) continue;
      const seen = latest.get(e.key);
      if (!seen || goLess(seen.version ?? '', e.version ?? '')) latest.set(e.key, e);
    }
    const out = new Map<string, SecretBytes>();
    for (const [key, e] of latest) {
      const converted = convertKey(key, find.conversionStrategy);
      if (out.has(converted)) {
        // ESO's transformKeys text; the keys are vault entry names, not values.
        throw new ProjectorError('VaultBadValue', `secret name collision during conversion: ${abbreviate(converted)}`, { field: 'find.conversionStrategy' });
      }
      out.set(converted, bytes(this.#valueOf(e).reveal()));
    }
    return out;
  }

  async describeSecret(ref: RemoteRef) {
    const e = this.#lookup(ref);
    if (!e) return { exists: false, enabled: false, expired: false };
    let hasProperty: boolean | undefined;
    let propertyProblem: string | undefined;
    if (ref.property) {
      try {
        extractJsonProperty(this.#valueOf(e), ref.property, ref.key);
        hasProperty = true;
      } catch (err) {
        // Absent is an answer; a property Projector cannot evaluate (NotSupported) is not.
        if (!(err instanceof ProjectorError && err.code === 'VaultNotFound')) throw err;
        hasProperty = false;
        propertyProblem = err.message;
      }
    }
    return { exists: true, enabled: true, expired: false, version: e.version, hasProperty, ...(propertyProblem !== undefined && { propertyProblem }) };
  }

  /**
   * ESO's fake Validate (providers/v1/fake/fake.go): `validationResult` absent or 0 is Ready; any
   * other value is returned with the error "unable to validate". Unknown (1) keeps the store Ready
   * (reason ValidationUnknown); Error (2), and any other value, fails the check (ESO's
   * validateStore: InvalidProviderConfig), here as InvalidSpec naming the field: the spec asks for it.
   */
  async validate(): Promise<ValidationResult> {
    const result = this.#validationResult;
    if (result === undefined || result === 0) return 'Ready';
    if (result === 1) return { unknown: UNABLE_TO_VALIDATE };
    const name = VALIDATION_RESULT_NAMES[result];
    const field = 'spec.provider.fake.validationResult';
    throw new ProjectorError('InvalidSpec', `${field}: ${UNABLE_TO_VALIDATE} (validationResult ${result}${name ? `: ${name}` : ''})`, { field });
  }
  async close(): Promise<void> {}
}

export const fakeProvider: Provider = {
  name: 'fake',
  // ESO providers/v1/fake/fake.go: Capabilities ReadWrite, MaintenanceStatus NotMaintained.
  capabilities: 'ReadWrite',
  maintenance: 'NotMaintained',
  validateStore(store: GenericStore): Issue[] {
    const data = store.spec.provider.fake?.data;
    if (!Array.isArray(data)) return [issue('spec.provider.fake.data', 'Required', 'spec.provider.fake.data must be a list')];
    const issues: Issue[] = [];
    data.forEach((d, i) => {
      if (!d.key) issues.push(issue(`spec.provider.fake.data[${i}].key`, 'Required', 'key is required'));
    });
    // ESO's test knob (0 Ready, 1 Unknown, 2 Error: FakeClient.validate) is a Go uint8: ESO cannot
    // even decode a store holding another number, so it is refused here, naming the range.
    const result = store.spec.provider.fake?.validationResult;
    if (result !== undefined && !(Number.isInteger(result) && result >= 0 && result <= 255)) {
      issues.push(issue('spec.provider.fake.validationResult', 'InvalidValue', 'validationResult must be 0 (Ready), 1 (Unknown) or 2 (Error); ESO reads it as a uint8 (0 to 255) and cannot decode a store with another number'));
    }
    return issues;
  },
  async newClient(store: GenericStore): Promise<SecretsClient> {
    return new FakeClient(store.spec.provider.fake?.data ?? [], store.spec.provider.fake?.validationResult);
  },
};
