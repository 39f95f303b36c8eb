import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fetchProviderData } from '../../../src/sync/fetch-provider-data.ts';
import { CoalescingClient } from '../../../src/sync/coalescing-client.ts';
import { maxReadAgeFor } from '../../../src/controller/externalsecret/reconciler.ts';
import { fakeProvider } from '../../../src/providers/fake/index.ts';
import { ProjectorError } from '../../../src/core/errors.ts';
import { Sensitive } from '../../../src/core/sensitive.ts';
import type { ProviderHost, SecretsClient } from '../../../src/providers/provider.ts';
import { silentLogger } from '../../../src/platform/logger.ts';
import { externalSecret, fakeStore, text } from '../../support/builders.ts';
import { defaultKeyTemplateRenderer } from '../../../src/core/default-template-renderer.ts';

const signal = new AbortController().signal;
const host = { log: silentLogger() } as unknown as ProviderHost;
const fixedClock = { now: () => new Date(0), sleep: async () => {} };

async function clientFor(data: { key: string; value: string; version?: string }[]): Promise<SecretsClient> {
  return fakeProvider.newClient(fakeStore(data), host, signal);
}

describe('fetchProviderData', () => {
  it('reads data items and dataFrom, data items winning on collisions', async () => {
    const client = await clientFor([
      { key: 'netbox-db-password', value: 'canary-pw' },
      { key: 'netbox-json', value: JSON.stringify({ user: 'netbox', DB_PASSWORD: 'from-json', nested: { a: 1 } }) },
    ]);
    const es = externalSecret({ dataFrom: [{ extract: { key: 'netbox-json' } }] });
    const got = await fetchProviderData(es, async () => client, signal);
    assert.equal(text(got.data.get('DB_PASSWORD')), 'canary-pw');
    assert.equal(text(got.data.get('user')), 'netbox');
    assert.equal(text(got.data.get('nested')), '{"a":1}');
  });

  it('extracts a JSON property and pins versions', async () => {
    const client = await clientFor([
      { key: 'db', value: '{"password":"p1"}', version: 'v1' },
      { key: 'db', value: '{"password":"p2"}' },
    ]);
    const es = externalSecret({
      data: [
        { secretKey: 'OLD', remoteRef: { key: 'db', property: 'password', version: 'v1' } },
        { secretKey: 'NEW', remoteRef: { key: 'db', property: 'password' } },
      ],
    });
    const got = await fetchProviderData(es, async () => client, signal);
    assert.equal(text(got.data.get('OLD')), 'p1');
    assert.equal(text(got.data.get('NEW')), 'p2');
  });

  it('decodes base64 values and rewrites dataFrom keys', async () => {
    const client = await clientFor([
      { key: 'app-a', value: Buffer.from('va').toString('base64') },
      { key: 'app-b', value: Buffer.from('vb').toString('base64') },
    ]);
    const es = externalSecret({
      data: [],
      dataFrom: [{ find: { name: { regexp: '^app-' }, decodingStrategy: 'Base64' }, rewrite: [{ regexp: { source: '^app-(.*)$', target: 'APP_${1}' } }] }],
    });
    const got = await fetchProviderData(es, async () => client, signal);
    assert.deepEqual([...got.data.keys()].sort(), ['APP_a', 'APP_b']);
    assert.equal(text(got.data.get('APP_a')), 'va');
  });

  it('finds fake-store keys with Go\'s unanchored MatchString and rewrites them with Go\'s ReplaceAllString', async () => {
    // ESO: fake provider via runtime/find (MatchString), rewrite via RewriteRegexp (ReplaceAllString).
    const client = await clientFor([{ key: 'alerts', value: 'a' }, { key: 'team-ALERTS', value: 'b' }, { key: 'other', value: 'c' }]);
    const es = externalSecret({
      data: [],
      dataFrom: [{ find: { name: { regexp: '(?i)alerts' } }, rewrite: [{ regexp: { source: '(.*)', target: '${1}_MONITOR' } }] }],
    });
    const got = await fetchProviderData(es, async () => client, signal);
    assert.deepEqual([...got.data.keys()].sort(), ['alerts_MONITOR', 'team-ALERTS_MONITOR']);
  });

  it('rewrites keys with a transform template before converting them, as ESO orders it', async () => {
    const client = await clientFor([{ key: 'db-user', value: 'u' }, { key: 'db-pass', value: 'p' }]);
    const es = externalSecret({
      data: [],
      dataFrom: [{ find: { name: { regexp: '^db-' } }, rewrite: [{ transform: { template: '{{ .value | upper | replace "-" "_" }}' } }] }],
    });
    const got = await fetchProviderData(es, async () => client, signal, { renderKeyTemplate: defaultKeyTemplateRenderer(fixedClock) });
    assert.deepEqual([...got.data.keys()].sort(), ['DB_PASS', 'DB_USER']);
  });

  it('merges found values before decoding them, as ESO orders it (handleFindAllSecrets: RewriteMap, ValidateKeys, DecodeMap)', async () => {
    // Each vault value is a JSON object whose members are base64: the merge reads the JSON as it
    // was stored, and decodingStrategy applies to the merged members.
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const client = await clientFor([
      { key: 'db-a', value: JSON.stringify({ user: b64('canary-user-a'), host: b64('a.example') }) },
      { key: 'db-b', value: JSON.stringify({ user: b64('canary-user-b') }) },
    ]);
    const es = externalSecret({
      data: [],
      dataFrom: [{ find: { name: { regexp: '^db-' }, decodingStrategy: 'Base64' }, rewrite: [{ merge: { conflictPolicy: 'Ignore', priority: ['db-a'] } }] }],
    });
    const got = await fetchProviderData(es, async () => client, signal);
    assert.deepEqual([...got.data.keys()].sort(), ['host', 'user']);
    assert.equal(text(got.data.get('user')), 'canary-user-a');
    assert.equal(text(got.data.get('host')), 'a.example');
  });

  it('runs a merge after the read: a missing secret under deletionPolicy Delete is missing, not a merge error (ESO reads, then rewrites)', async () => {
    const client = await clientFor([]);
    const es = externalSecret({ data: [], target: { name: 't', deletionPolicy: 'Delete' }, dataFrom: [{ extract: { key: 'gone' }, rewrite: [{ merge: { strategy: 'JSON' } }] }] });
    const got = await fetchProviderData(es, async () => client, signal);
    assert.deepEqual(got.missing, ['spec.dataFrom[0]']);
    const present = await clientFor([{ key: 'a', value: '{"x":"{}"}' }]);
    const es2 = externalSecret({ data: [], dataFrom: [{ extract: { key: 'a' }, rewrite: [{ merge: { strategy: 'JSON' } }] }] });
    await assert.rejects(fetchProviderData(es2, async () => present, signal), (e: unknown) => e instanceof ProjectorError && e.code === 'InvalidSpec' && e.details.field === 'spec.dataFrom[0].rewrite[0].merge.into');
  });

  it('merges a generator\'s values too (ESO handleGenerateSecrets: RewriteMap, then ValidateKeys)', async () => {
    const generated = new Map([['a', '{"k":"1"}'], ['b', '{"j":"2"}']].map(([k, v]) => [k!, new Sensitive(new TextEncoder().encode(v))]));
    const es = externalSecret({
      data: [],
      dataFrom: [{ sourceRef: { generatorRef: { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Password', name: 'p' } }, rewrite: [{ merge: { strategy: 'JSON', into: 'all' } }] }],
    });
    const got = await fetchProviderData(es, async () => { throw new Error('no store'); }, signal, { generate: async () => generated });
    assert.deepEqual([...got.data.keys()].sort(), ['a', 'all', 'b']);
    assert.equal(text(got.data.get('all')), '{"j":"2","k":"1"}');
  });

  it('fails with VaultNotFound naming the field when a key is missing and deletionPolicy is Retain', async () => {
    const client = await clientFor([]);
    await assert.rejects(fetchProviderData(externalSecret(), async () => client, signal), (e: unknown) => e instanceof ProjectorError && e.code === 'VaultNotFound' && e.details.field === 'spec.data[0].remoteRef.key');
  });

  it('reports allMissing when every ref is gone and deletionPolicy is Delete', async () => {
    const client = await clientFor([]);
    const es = externalSecret({ target: { name: 't', deletionPolicy: 'Delete' } });
    const got = await fetchProviderData(es, async () => client, signal);
    assert.equal(got.allMissing, true);
    assert.deepEqual(got.missing, ['spec.data[0]']);
  });

  it("skips a dataFrom entry with only sourceRef.storeRef, asking no store, as ESO's controller does (externalsecret_controller_secret.go GetProviderSecretData)", async () => {
    const client = await clientFor([{ key: 'a', value: 'va' }]);
    const asked: string[] = [];
    const es = externalSecret({
      data: [{ secretKey: 'A', remoteRef: { key: 'a' } }],
      dataFrom: [{ sourceRef: { storeRef: { name: 'other', kind: 'ClusterSecretStore' } } }],
    });
    const got = await fetchProviderData(es, async (_ref, field) => (asked.push(field), client), signal);
    assert.deepEqual([...got.data.keys()], ['A']);
    assert.deepEqual(asked, ['spec.data[0]']);
    assert.deepEqual(got.missing, []);
  });

  it("reports a skipped dataFrom entry missing after a missing one, as ESO's loop keeps the previous error (deletionPolicy Delete)", async () => {
    const client = await clientFor([{ key: 'a', value: 'va' }]);
    const es = externalSecret({
      target: { name: 't', deletionPolicy: 'Delete' },
      data: [{ secretKey: 'A', remoteRef: { key: 'a' } }],
      dataFrom: [{ extract: { key: 'gone' } }, { sourceRef: { storeRef: { name: 's' } } }, { sourceRef: { storeRef: { name: 's' } } }],
    });
    const got = await fetchProviderData(es, async () => client, signal);
    assert.deepEqual(got.missing, ['spec.dataFrom[0]', 'spec.dataFrom[1]', 'spec.dataFrom[2]']);
    assert.equal(got.allMissing, false);
    assert.equal(text(got.data.get('A')), 'va');
  });

  it("a Webhook's 404 (ESO's NoSecretError) is missing under deletionPolicy Delete, with the echo of ESO's loop; an error under Retain (GetProviderSecretData)", async () => {
    const gen = { sourceRef: { generatorRef: { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Webhook', name: 'w' } } };
    const notFound = async (): Promise<never> => {
      throw new ProjectorError('VaultNotFound', 'Webhook w: Secret does not exist (the endpoint answered HTTP 404)', { cause: 'not-found', httpStatus: 404 });
    };
    const es = externalSecret({ data: [], target: { name: 't', deletionPolicy: 'Delete' }, dataFrom: [gen, { sourceRef: { storeRef: { name: 's' } } }] });
    const got = await fetchProviderData(es, async () => { throw new Error('no store'); }, signal, { generate: notFound });
    assert.deepEqual(got.missing, ['spec.dataFrom[0]', 'spec.dataFrom[1]']);
    assert.equal(got.allMissing, true);
    const retain = externalSecret({ data: [], target: { name: 't', deletionPolicy: 'Retain' }, dataFrom: [gen] });
    await assert.rejects(fetchProviderData(retain, async () => { throw new Error('no store'); }, signal, { generate: notFound }), (e: unknown) => e instanceof ProjectorError && e.code === 'VaultNotFound');
    // Any other generator failure is an error whatever the policy.
    const failing = async (): Promise<never> => {
      throw new ProjectorError('GeneratorFailed', 'Webhook w: endpoint gave error 500 Internal Server Error');
    };
    await assert.rejects(fetchProviderData(es, async () => { throw new Error('no store'); }, signal, { generate: failing }), (e: unknown) => e instanceof ProjectorError && e.code === 'GeneratorFailed');
  });

  it('rejects generator refs as not supported instead of ignoring them', async () => {
    const client = await clientFor([]);
    const es = externalSecret({ data: [], dataFrom: [{ sourceRef: { generatorRef: { kind: 'Password', name: 'p' } } }] });
    await assert.rejects(fetchProviderData(es, async () => client, signal), (e: unknown) => e instanceof ProjectorError && e.code === 'NotSupported');
  });
});

describe('CoalescingClient', () => {
  it('reads each distinct ref once for many concurrent callers', async () => {
    const inner = await clientFor([{ key: 'shared', value: 'v' }, { key: 'other', value: 'w' }]);
    const client = new CoalescingClient(inner, fixedClock, 5_000);
    await Promise.all([...Array(50)].map((_, i) => client.getSecret({ key: i % 2 ? 'shared' : 'other' }, signal)));
    assert.equal(client.vaultReads, 2);
  });
  it('shares a read between refs that differ only in defaults the CRD no longer fills or in post-read strategies', async () => {
    const inner = await clientFor([{ key: 'shared', value: '{"a":"1"}' }]);
    const client = new CoalescingClient(inner, fixedClock, 5_000);
    await Promise.all([
      client.getSecret({ key: 'shared' }, signal),
      client.getSecret({ key: 'shared', metadataPolicy: 'None', decodingStrategy: 'None', conversionStrategy: 'Default' }, signal),
      client.getSecret({ key: 'shared', decodingStrategy: 'Base64' }, signal),
    ]);
    assert.equal(client.vaultReads, 1);
    await client.getSecret({ key: 'shared', metadataPolicy: 'Fetch' }, signal);
    await client.getSecret({ key: 'shared', property: 'a' }, signal);
    assert.equal(client.vaultReads, 3, 'metadataPolicy Fetch and a property are different reads');
  });
  it('asks again after a failure and after the window', async () => {
    let now = 0;
    const clock = { now: () => new Date(now), sleep: async () => {} };
    const inner = await clientFor([{ key: 'k', value: 'v' }]);
    const client = new CoalescingClient(inner, clock, 1_000);
    await assert.rejects(client.getSecret({ key: 'missing' }, signal));
    await assert.rejects(client.getSecret({ key: 'missing' }, signal));
    await client.getSecret({ key: 'k' }, signal);
    await client.getSecret({ key: 'k' }, signal);
    now = 1_001;
    await client.getSecret({ key: 'k' }, signal);
    assert.equal(client.vaultReads, 4);
  });
  it('lets a view share only reads that started within its freshness bound', async () => {
    let now = 0;
    const clock = { now: () => new Date(now), sleep: async () => {} };
    const inner = await clientFor([{ key: 'k', value: 'v' }]);
    const client = new CoalescingClient(inner, clock, 5_000);
    await client.getSecret({ key: 'k' }, signal); // read 1 at t=0
    now = 1_000;
    await client.view(2_000).getSecret({ key: 'k' }, signal); // shares read 1 (1 s old)
    await client.view(0).getSecret({ key: 'k' }, signal); // forced: read 2 at t=1000
    now = 1_500;
    await client.view(600).getSecret({ key: 'k' }, signal); // shares read 2 (0.5 s old)
    await client.view(60_000).getSecret({ key: 'k' }, signal); // a refresh wave may reach back past the default window
    now = 62_000;
    await client.view(120_000).getSecret({ key: 'k' }, signal); // but never past the 60 s retention: read 3
    assert.equal(client.vaultReads, 3);
  });
});

describe('maxReadAgeFor', () => {
  const now = new Date(10_000);
  it('asks for reads started after a user change, and since the start of the wave on a periodic refresh', () => {
    const es = externalSecret({ refreshInterval: '10m' });
    assert.equal(maxReadAgeFor(es, 'spec-changed', { at: 9_000, forced: false }, now), 1_000);
    assert.equal(maxReadAgeFor(es, 'store-changed', { at: 10_000, forced: true }, now), 0);
    assert.equal(maxReadAgeFor(es, 'spec-changed', undefined, now), 0);
    // 10 m waves: t = 10 s is 10 s into the wave that started at t = 0.
    assert.equal(maxReadAgeFor(es, 'interval-elapsed', undefined, now), 10_000);
    assert.equal(maxReadAgeFor(es, 'never-synced', undefined, now), undefined);
    const created = externalSecret({}, { creationTimestamp: new Date(4_000).toISOString() });
    assert.equal(maxReadAgeFor(created, 'never-synced', undefined, now), 6_000);
  });
});
