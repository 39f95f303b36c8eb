// ESO's fake provider: the data lives in spec.provider.fake.data. Used for demos, benchmarks and
// controller tests with no vault at all.
import type { FindRef, GenericStore, RemoteRef } from '../../api/index.ts';
import { ProjectorError } from '../../core/errors.ts';
import { compileGoRegexp } from '../../core/go-regexp.ts';
import { issue, type Issue } from '../../core/issues.ts';
import { abbreviate } from '../../core/limits.ts';
import { Sensitive } from '../../core/sensitive.ts';
import { extractJsonProperty, jsonToSecretMap } from '../../core/json-value.ts';
import type { Provider, SecretBytes, SecretsClient } from '../provider.ts';

interface FakeEntry {
  key: string;
  value?: string;
  valueMap?: Record<string, string>;
  version?: string;
}

const bytes = (s: string): SecretBytes => new Sensitive(new Uint8Array(Buffer.from(s, 'utf8')));

class FakeClient implements SecretsClient {
  readonly #entries: readonly FakeEntry[];
  constructor(entries: readonly FakeEntry[]) {
    this.#entries = entries;
  }

  #find(ref: RemoteRef): FakeEntry {
    const e = this.#entries.find((x) => x.key === ref.key && (x.version ?? '') === (ref.version ?? ''));
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
    const out = new Map<string, SecretBytes>();
    for (const e of this.#entries) {
      if ((e.version ?? '') !== '') continue;
      if (find.path && !e.key.startsWith(find.path)) continue;
      // ESO's fake provider matches with runtime/find (Go's MatchString: unanchored).
      if (re && !re.matchString(e.key)) continue;
      out.set(e.key, bytes(this.#valueOf(e).reveal()));
    }
    return out;
  }

  async describeSecret(ref: RemoteRef) {
    const e = this.#entries.find((x) => x.key === ref.key && (x.version ?? '') === (ref.version ?? ''));
    if (!e) return { exists: false, enabled: false, expired: false };
    let hasProperty: boolean | undefined;
    if (ref.property) {
      try {
        extractJsonProperty(this.#valueOf(e), ref.property, ref.key);
        hasProperty = true;
      } catch (err) {
        // Absent is an answer; a property Projector cannot evaluate (NotSupported) is not.
        if (!(err instanceof ProjectorError && err.code === 'VaultNotFound')) throw err;
        hasProperty = false;
      }
    }
    return { exists: true, enabled: true, expired: false, version: e.version, hasProperty };
  }

  async validate(): Promise<'Ready'> {
    return 'Ready';
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
    // ESO's test knob makes its fake store report Unknown (1) or Error (2); 0 is Ready, as when absent.
    const result = store.spec.provider.fake?.validationResult;
    if (result !== undefined && result !== 0) {
      issues.push(issue('spec.provider.fake.validationResult', 'NotSupported', 'spec.provider.fake.validationResult (other than 0) is not supported by Projector yet'));
    }
    return issues;
  },
  async newClient(store: GenericStore): Promise<SecretsClient> {
    return new FakeClient(store.spec.provider.fake?.data ?? []);
  },
};
