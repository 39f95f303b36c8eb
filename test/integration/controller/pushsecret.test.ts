// PushSecret on the real API server with the local vault as Key Vault (official SDK both ways):
// push of a key and of a whole Secret with ESO's ownership tag and metadata, a rotation of the
// Kubernetes Secret reaching the vault without waiting for refreshInterval, a secret Projector did
// not create (Replace refuses it, IfNotExists leaves it), and deletion with each deletionPolicy.
// ESO behaviour: pkg/controllers/pushsecret/pushsecret_controller.go, providers/v1/azure/keyvault/keyvault.go.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { KeyClient } from '@azure/keyvault-keys';
import { CertificateClient } from '@azure/keyvault-certificates';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { testCertificate } from '../../support/certificates.ts';
import { startControlPlane, type ControlPlane } from '../../support/controlplane.ts';
import { Cluster, GENERATOR_CRD_FILES, assertNowhere } from '../../support/cluster.ts';
import { startOperator, type RunningOperator } from '../../support/operator.ts';
import { eventually } from '../../support/eventually.ts';
import { startVault, type StartedVault } from '../../../src/vault/index.ts';
import { clientOptions, credentialOptions } from '../vault/vault-support.ts';
import { setUpServicePrincipalStore } from '../../support/vault-store.ts';

const NS = 'push';
const CLIENT = 'push-sp';
const META = { apiVersion: 'kubernetes.external-secrets.io/v1alpha1', kind: 'PushSecretMetadata' };

describe('PushSecret (real API server, local vault)', { timeout: 300_000 }, () => {
  let cp: ControlPlane;
  let k: Cluster;
  let vault: StartedVault;
  let op: RunningOperator;
  let dir: string;
  let kv: SecretClient;
  let keys: KeyClient;
  let certs: CertificateClient;
  const canaries: string[] = [];
  const canary = (label: string) => {
    const v = `canary-${label}-${Math.random().toString(36).slice(2, 10)}`;
    canaries.push(v);
    return v;
  };
  const remote = async (name: string) => {
    try {
      return await kv.getSecret(name);
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 404) return undefined;
      throw e;
    }
  };
  const pushSecret = (name: string) => k.custom.getNamespacedCustomObject({ group: 'external-secrets.io', version: 'v1alpha1', namespace: NS, plural: 'pushsecrets', name }) as Promise<any>;
  const ready = async (name: string) => ((await pushSecret(name)).status?.conditions ?? []).find((c: any) => c.type === 'Ready') ?? {};
  const source = (name: string, data: Record<string, string>) => k.apply([{ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: NS }, stringData: data }] as any);
  const apply = (name: string, spec: Record<string, unknown>) =>
    k.apply([{ apiVersion: 'external-secrets.io/v1alpha1', kind: 'PushSecret', metadata: { name, namespace: NS }, spec: { secretStoreRefs: [{ name: 'kv', kind: 'SecretStore' }], ...spec } }] as any);
  const gone = async (name: string) => {
    try {
      await pushSecret(name);
      return false;
    } catch (e) {
      return (e as { code?: number }).code === 404;
    }
  };

  before(async () => {
    cp = await startControlPlane();
    k = new Cluster(cp.admin);
    dir = mkdtempSync(join(tmpdir(), 'projector-push-'));
    vault = await startVault({ dataDir: dir });
    await k.installCrds();
    await k.installCrds(GENERATOR_CRD_FILES);
    await k.namespace(NS);
    const clientSecret = canary('client-secret');
    const credential = new ClientSecretCredential(vault.tenantId, CLIENT, clientSecret, credentialOptions(vault));
    kv = new SecretClient(vault.url, credential, clientOptions(vault));
    keys = new KeyClient(vault.url, credential, clientOptions(vault) as never);
    certs = new CertificateClient(vault.url, credential, clientOptions(vault) as never);
    await setUpServicePrincipalStore(k, vault, { clientId: CLIENT, clientSecret, store: { kind: 'SecretStore', name: 'kv', namespace: NS }, credentials: { name: 'sp' } });
    op = await startOperator(cp.admin);
    await eventually(() => k.ready(NS, 'secretstores', 'kv'), (r) => r.status === 'True', { timeoutMs: 30_000, message: 'store Ready' });
  });

  after(async () => {
    try {
      if (op) {
        const statuses = JSON.stringify(((await k.custom.listNamespacedCustomObject({ group: 'external-secrets.io', version: 'v1alpha1', namespace: NS, plural: 'pushsecrets' })) as any).items.map((i: any) => i.status));
        assertNowhere(canaries, { 'operator logs': op.logs(), 'statuses and events': (await k.observableText([NS])) + statuses });
      }
    } finally {
      await op?.stop();
      await vault?.close();
      await cp?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });

  it('pushes a key and the whole Secret with the managed-by tag and metadata, records status, and a rotation in Kubernetes reaches the vault at once', async () => {
    const password = canary('password');
    const user = canary('user');
    await source('app', { password, user });
    await apply('app', {
      refreshInterval: '1h', // the rotation below must not wait for it
      deletionPolicy: 'Delete',
      selector: { secret: { name: 'app' } },
      data: [
        { match: { secretKey: 'password', remoteRef: { remoteKey: 'app-password' } }, metadata: { ...META, spec: { tags: { team: 'payments' }, contentType: 'text/plain', expirationDate: '2030-12-31T20:00:00Z' } } },
        { match: { remoteRef: { remoteKey: 'app-all' } } },
      ],
    });
    const pushed = await eventually(() => remote('app-password'), (s) => s?.value === password, { timeoutMs: 20_000, message: 'app-password pushed' });
    assert.deepEqual(pushed!.properties.tags, { 'managed-by': 'external-secrets', team: 'payments' });
    assert.equal(pushed!.properties.contentType, 'text/plain');
    assert.equal(pushed!.properties.expiresOn?.toISOString(), '2030-12-31T20:00:00.000Z');
    // Items are pushed in order: app-all follows app-password.
    const all = await eventually(() => remote('app-all'), (a) => a !== undefined, { timeoutMs: 10_000, message: 'app-all pushed' });
    // Go's json.Marshal of map[string]string: keys sorted (ESO keyvault.go getSecretKey).
    assert.equal(all?.value, `{"password":"${password}","user":"${user}"}`);
    assert.deepEqual(all?.properties.tags, { 'managed-by': 'external-secrets' });

    const ps = await eventually(() => pushSecret('app'), (o) => o.status?.conditions?.[0]?.status === 'True', { timeoutMs: 10_000, message: 'status Ready' });
    assert.deepEqual(ps.metadata.finalizers, ['pushsecret.externalsecrets.io/finalizer']);
    const cond = ps.status.conditions[0];
    assert.equal(cond.reason, 'Synced');
    assert.equal(cond.message, 'PushSecret synced successfully');
    assert.deepEqual(Object.keys(ps.status.syncedPushSecrets), ['SecretStore/kv']);
    assert.deepEqual(Object.keys(ps.status.syncedPushSecrets['SecretStore/kv']).sort(), ['app-all', 'app-password']);
    assert.deepEqual(ps.status.syncedPushSecrets['SecretStore/kv']['app-all'], { match: { remoteRef: { remoteKey: 'app-all' } }, conversionStrategy: 'None' });
    assert.match(ps.status.syncedResourceVersion, /^1-[0-9a-f]{56}$/);
    assert.ok(ps.status.refreshTime);
    await eventually(async () => (await k.events(NS)).some((e) => e.name === 'app' && e.reason === 'Synced' && e.type === 'Normal'), true, { timeoutMs: 10_000, message: 'Synced event' });

    const rotated = canary('rotated');
    const at = Date.now();
    await source('app', { password: rotated, user });
    await eventually(async () => (await remote('app-password'))?.value, rotated, { timeoutMs: 15_000, message: 'rotation reached the vault' });
    assert.ok(Date.now() - at < 15_000);
    await eventually(async () => (await remote('app-all'))?.value, `{"password":"${rotated}","user":"${user}"}`, { timeoutMs: 10_000, message: 'whole-Secret JSON rotated' });
  });

  it('refuses to overwrite a secret it did not create (Replace), and leaves it with IfNotExists', async () => {
    const theirs = canary('theirs');
    await vault.admin.setSecret('foreign', theirs, { tags: { owner: 'someone-else' } });
    await source('mine', { v: canary('mine') });
    await apply('replace', { selector: { secret: { name: 'mine' } }, data: [{ match: { secretKey: 'v', remoteRef: { remoteKey: 'foreign' } } }] });
    await apply('if-not-exists', { updatePolicy: 'IfNotExists', deletionPolicy: 'Delete', selector: { secret: { name: 'mine' } }, data: [{ match: { secretKey: 'v', remoteRef: { remoteKey: 'foreign' } } }] });
    const refused = await eventually(() => ready('replace'), (c) => c.status === 'False', { timeoutMs: 20_000, message: 'Replace refused' });
    assert.equal(refused.reason, 'Errored');
    assert.match(refused.message, /^TargetOwnedElsewhere: set secret failed: could not write remote ref v to target secretstore kv: secret foreign not managed by external-secrets/);
    const left = await eventually(() => ready('if-not-exists'), (c) => c.status === 'True', { timeoutMs: 20_000, message: 'IfNotExists synced' });
    assert.equal(left.message, 'PushSecret synced successfully. Existing secrets in providers unchanged.');
    const foreign = await remote('foreign');
    assert.equal(foreign?.value, theirs);
    assert.deepEqual(foreign?.properties.tags, { owner: 'someone-else' });
    await eventually(async () => (await k.events(NS)).some((e) => e.name === 'replace' && e.reason === 'Errored' && e.type === 'Warning'), true, { timeoutMs: 10_000, message: 'Errored event' });
  });

  it("reports a missing source Secret and a missing store with ESO's messages, reason Errored and a Warning event saying the same", async () => {
    // ESO pushsecret_controller.go markAsFailed: errFailedGetSecret ("could not get source secret"),
    // and GetSecretStores' errGetSecretStore ("could not get SecretStore %q, %w") over the API
    // server's NotFound; the condition and the Warning Errored event carry one text, the code before it
    // (docs/design/000-overview.md, "PushSecret: Ready=False message").
    await source('err-source', { v: canary('err-source') });
    await apply('no-source', { selector: { secret: { name: 'absent' } }, data: [{ match: { secretKey: 'v', remoteRef: { remoteKey: 'never-a' } } }] });
    await apply('no-store', { secretStoreRefs: [{ name: 'nowhere', kind: 'SecretStore' }], selector: { secret: { name: 'err-source' } }, data: [{ match: { secretKey: 'v', remoteRef: { remoteKey: 'never-b' } } }] });
    const want: [string, string][] = [
      ['no-source', 'SourceNotFound: could not get source secret'],
      ['no-store', 'StoreNotFound: could not get SecretStore "nowhere", secretstores.external-secrets.io "nowhere" not found'],
    ];
    for (const [name, message] of want) {
      const c = await eventually(() => ready(name), (x) => x.status === 'False', { timeoutMs: 20_000, message: `${name} failed` });
      assert.deepEqual([c.reason, c.message], ['Errored', message], name);
      await eventually(async () => (await k.events(NS)).some((e) => e.name === name && e.type === 'Warning' && e.reason === 'Errored' && e.message === message), true, { timeoutMs: 10_000, message: `${name} event` });
    }
    assert.equal(await remote('never-a'), undefined);
    assert.equal(await remote('never-b'), undefined);
  });

  it('deletes what it pushed with deletionPolicy Delete (item removed, PushSecret deleted), keeps it with None, never deletes a secret it does not own', async () => {
    await source('del', { a: canary('a'), b: canary('b') });
    await apply('del', { deletionPolicy: 'Delete', selector: { secret: { name: 'del' } }, data: [{ match: { secretKey: 'a', remoteRef: { remoteKey: 'del-a' } } }, { match: { secretKey: 'b', remoteRef: { remoteKey: 'del-b' } } }] });
    await apply('keep', { deletionPolicy: 'None', selector: { secret: { name: 'del' } }, data: [{ match: { secretKey: 'a', remoteRef: { remoteKey: 'keep-a' } } }] });
    await eventually(() => vault.admin.secretNames().filter((n) => ['del-a', 'del-b', 'keep-a'].includes(n)).sort(), ['del-a', 'del-b', 'keep-a'], { timeoutMs: 20_000, message: 'pushed' });
    // Dropping an item deletes its remote secret.
    await apply('del', { deletionPolicy: 'Delete', selector: { secret: { name: 'del' } }, data: [{ match: { secretKey: 'a', remoteRef: { remoteKey: 'del-a' } } }] });
    await eventually(() => vault.admin.secretNames().includes('del-b'), false, { timeoutMs: 15_000, message: 'del-b deleted with its item' });
    await eventually(async () => Object.keys((await pushSecret('del')).status?.syncedPushSecrets?.['SecretStore/kv'] ?? {}), ['del-a'], { timeoutMs: 10_000, message: 'status without del-b' });

    await k.custom.deleteNamespacedCustomObject({ group: 'external-secrets.io', version: 'v1alpha1', namespace: NS, plural: 'pushsecrets', name: 'del' });
    await k.custom.deleteNamespacedCustomObject({ group: 'external-secrets.io', version: 'v1alpha1', namespace: NS, plural: 'pushsecrets', name: 'keep' });
    await eventually(() => gone('del'), true, { timeoutMs: 15_000, message: 'PushSecret del finalized' });
    await eventually(() => gone('keep'), true, { timeoutMs: 15_000, message: 'PushSecret keep gone' });
    assert.ok(!vault.admin.secretNames().includes('del-a'), 'Delete: del-a deleted');
    assert.ok(vault.admin.secretNames().includes('keep-a'), 'None: keep-a kept');

    // A PushSecret with Delete that only ever saw someone else's secret (IfNotExists) deletes nothing of theirs.
    await k.custom.deleteNamespacedCustomObject({ group: 'external-secrets.io', version: 'v1alpha1', namespace: NS, plural: 'pushsecrets', name: 'if-not-exists' });
    await eventually(() => gone('if-not-exists'), true, { timeoutMs: 15_000 });
    assert.equal((await remote('foreign'))?.properties.tags?.owner, 'someone-else');
  });

  it('pushes what a generator makes (selector.generatorRef, as ESO resolveSecretFromGenerator), and names the field when the generator is missing', async () => {
    await k.apply([{ apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'UUID', metadata: { name: 'id', namespace: NS }, spec: {} }] as any);
    await apply('generated', { selector: { generatorRef: { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'UUID', name: 'id' } }, data: [{ match: { secretKey: 'uuid', remoteRef: { remoteKey: 'generated-id' } } }] });
    await eventually(() => ready('generated'), (c) => c.status === 'True', { timeoutMs: 20_000, message: 'generated PushSecret synced' });
    const pushed = await remote('generated-id');
    assert.match(pushed?.value ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(pushed?.properties.tags?.['managed-by'], 'external-secrets');

    await apply('no-generator', { selector: { generatorRef: { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'UUID', name: 'absent' } }, data: [{ match: { secretKey: 'uuid', remoteRef: { remoteKey: 'never-pushed' } } }] });
    const failed = await eventually(() => ready('no-generator'), (c) => c.status === 'False', { timeoutMs: 20_000, message: 'missing generator reported' });
    assert.match(failed.message, /GeneratorNotFound: .*UUID "absent" in namespace "push" not found/);
    assert.equal(await remote('never-pushed'), undefined);
  });

  it('remoteRef.property is ignored as in ESO: the value replaces the whole secret, and the condition warns', async () => {
    const v = canary('prop');
    await source('prop', { v });
    await apply('prop', { selector: { secret: { name: 'prop' } }, data: [{ match: { secretKey: 'v', remoteRef: { remoteKey: 'prop-target', property: 'field' } } }] });
    await eventually(async () => (await remote('prop-target'))?.value, v, { timeoutMs: 20_000, message: 'whole value pushed, property ignored' });
    const cond = await eventually(() => ready('prop'), (c) => c.status === 'True', { timeoutMs: 10_000, message: 'prop synced' });
    assert.match(cond.message, /^PushSecret synced successfully\. Warning: spec\.data\[0\]\.match\.remoteRef\.property: property has no effect with azurekv/);
    assert.deepEqual(Object.keys((await pushSecret('prop')).status.syncedPushSecrets['SecretStore/kv']), ['prop-target/field']);
    // Two items on one name differing only by property would overwrite each other: refused.
    await apply('prop-dup', { selector: { secret: { name: 'prop' } }, data: [{ match: { secretKey: 'v', remoteRef: { remoteKey: 'prop-dup', property: 'a' } } }, { match: { secretKey: 'v', remoteRef: { remoteKey: 'prop-dup', property: 'b' } } }] });
    const refused = await eventually(() => ready('prop-dup'), (c) => c.status === 'False', { timeoutMs: 20_000, message: 'duplicate refused' });
    assert.match(refused.message, /^InvalidSpec: spec\.data\[1\]\.match\.remoteRef: remote key "prop-dup" is also written by spec\.data\[0\]/);
    assert.equal(await remote('prop-dup'), undefined);
  });

  it('imports key/ (PEM private key as a JWK) and cert/ (PEM and PKCS#12) through the keys and certificates APIs, re-imports on rotation, deletes them with deletionPolicy Delete', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const keyPem = rsa.export({ type: 'pkcs8', format: 'pem' }).toString();
    canaries.push(keyPem.split('\n')[5]!);
    const tls = testCertificate('push.example');
    const p12 = testCertificate('p12.example');
    canaries.push(tls.keyPem.split('\n')[5]!);
    const b64 = (t: string | Buffer) => Buffer.from(t).toString('base64');
    await k.apply([{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'material', namespace: NS }, data: { 'key.pem': b64(keyPem), 'tls.pem': b64(tls.pemFile), 'tls.p12': p12.pfxBase64 } }] as any);
    await apply('objects', {
      deletionPolicy: 'Delete',
      selector: { secret: { name: 'material' } },
      data: [
        { match: { secretKey: 'key.pem', remoteRef: { remoteKey: 'key/x' } }, metadata: { ...META, spec: { tags: { team: 'payments' } } } },
        { match: { secretKey: 'tls.pem', remoteRef: { remoteKey: 'cert/y' } } },
        { match: { secretKey: 'tls.p12', remoteRef: { remoteKey: 'cert/z' } } },
      ],
    });
    const cond = await eventually(() => ready('objects'), (c) => c.status !== undefined && c.status !== 'Unknown', { timeoutMs: 30_000, message: 'objects pushed' });
    assert.equal(cond.status, 'True', cond.message);
    const key = await keys.getKey('x');
    const jwk = createPublicKey(rsa).export({ format: 'jwk' });
    assert.equal(key.key?.kty, 'RSA');
    assert.equal(Buffer.from(key.key!.n!).toString('base64url'), jwk.n);
    assert.deepEqual(key.properties.tags, { 'managed-by': 'external-secrets', team: 'payments' });
    const y = await certs.getCertificate('y');
    assert.deepEqual(Buffer.from(y.cer!), tls.certDer);
    assert.deepEqual(y.properties.tags, { 'managed-by': 'external-secrets' });
    const z = await certs.getCertificate('z');
    assert.deepEqual(Buffer.from(z.cer!), p12.certDer);
    const versionOf = async () => [(await keys.getKey('x')).properties.version, (await certs.getCertificate('y')).properties.version];
    const before = await versionOf();

    // A new certificate in the Secret is re-imported (new version); the unchanged key is not.
    const next = testCertificate('push2.example');
    canaries.push(next.keyPem.split('\n')[5]!);
    await k.apply([{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'material', namespace: NS }, data: { 'key.pem': b64(keyPem), 'tls.pem': b64(next.pemFile), 'tls.p12': p12.pfxBase64 } }] as any);
    await eventually(async () => Buffer.from((await certs.getCertificate('y')).cer!).equals(next.certDer), true, { timeoutMs: 20_000, message: 'rotated certificate imported' });
    const after = await versionOf();
    assert.equal(after[0], before[0], 'the unchanged key was not re-imported');
    assert.notEqual(after[1], before[1]);

    await k.custom.deleteNamespacedCustomObject({ group: 'external-secrets.io', version: 'v1alpha1', namespace: NS, plural: 'pushsecrets', name: 'objects' });
    await eventually(() => gone('objects'), true, { timeoutMs: 20_000, message: 'PushSecret objects finalized' });
    const status = (p: Promise<unknown>) => p.then(() => 200, (e: { statusCode?: number }) => e.statusCode);
    assert.equal(await status(keys.getKey('x')), 404);
    assert.equal(await status(certs.getCertificate('y')), 404);
    assert.equal(await status(certs.getCertificate('z')), 404);
  });
  it('spec.dataTo: per-key with rewrite, a bundle, explicit data winning a key, ReverseUnicode, all after a templateFrom ConfigMap (ESO expandDataTo, applyTemplate)', async () => {
    const host = canary('host');
    const user = canary('user');
    const pass = canary('pass');
    const extra = canary('extra');
    await source('dt-src', { 'db-host': host, 'db-user': user, 'db-pass': pass, db_U002d_extra: extra, other: canary('other') });
    await k.apply([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dt-tpl', namespace: NS }, data: { conn: 'u={{ index . "db-user" }};h={{ index . "db-host" }}' } }] as any);
    await apply('dt', {
      selector: { secret: { name: 'dt-src' } },
      template: { templateFrom: [{ configMap: { name: 'dt-tpl', items: [{ key: 'conn' }] } }] },
      dataTo: [
        { storeRef: { name: 'kv' }, match: { regexp: '^db-' }, rewrite: [{ regexp: { source: '^db-', target: 'dt-db-' } }] },
        { storeRef: { name: 'kv' }, remoteKey: 'dt-bundle', match: { regexp: '^(conn|db-host)$' } },
      ],
      data: [
        { match: { secretKey: 'db-pass', remoteRef: { remoteKey: 'dt-explicit-pass' } } },
        { match: { secretKey: 'db-extra', remoteRef: { remoteKey: 'dt-unicode' } }, conversionStrategy: 'ReverseUnicode' },
      ],
    });
    const done = await eventually(() => pushSecret('dt'), (o) => o.status?.conditions?.[0]?.status === 'True', { timeoutMs: 20_000, message: 'dt Ready' });
    assert.deepEqual(Object.keys(done.status.syncedPushSecrets['SecretStore/kv']).sort(), ['dt-bundle', 'dt-db-host', 'dt-db-user', 'dt-explicit-pass', 'dt-unicode']);
    assert.deepEqual(done.status.syncedPushSecrets['SecretStore/kv']['dt-db-host'], { match: { secretKey: 'db-host', remoteRef: { remoteKey: 'dt-db-host' } }, conversionStrategy: 'None' });
    assert.equal((await remote('dt-db-host'))?.value, host);
    assert.equal((await remote('dt-db-user'))?.value, user);
    assert.equal((await remote('dt-explicit-pass'))?.value, pass);
    assert.equal(await remote('dt-db-pass'), undefined, 'explicit data wins db-pass: dataTo does not push it');
    assert.equal((await remote('dt-unicode'))?.value, extra);
    assert.equal((await remote('dt-bundle'))?.value, `{"conn":"u=${user};h=${host}","db-host":"${host}"}`);
    assert.equal((await remote('dt-bundle'))?.properties.tags?.['managed-by'], 'external-secrets');

    // An invalid dataTo regexp is refused before anything is pushed, at its path.
    await apply('dt-bad', { selector: { secret: { name: 'dt-src' } }, dataTo: [{ storeRef: { name: 'kv' }, match: { regexp: '[invalid(regex' } }] });
    const bad = await eventually(() => ready('dt-bad'), (c) => c.status === 'False', { timeoutMs: 20_000, message: 'dt-bad refused' });
    assert.equal(bad.message, 'InvalidSpec: spec.dataTo[0].match.regexp: not a valid Go (RE2) regular expression: missing closing ]');
  });

  it('secretStoreRefs[].labelSelector: a store labelled after the PushSecret exists is pushed to within seconds, with a dataTo selecting it by label', async () => {
    const kvStore = (await k.custom.getNamespacedCustomObject({ group: 'external-secrets.io', version: 'v1', namespace: NS, plural: 'secretstores', name: 'kv' })) as any;
    await k.apply([{ apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'kv-late', namespace: NS }, spec: kvStore.spec }] as any);
    await eventually(() => k.ready(NS, 'secretstores', 'kv-late'), (r) => r.status === 'True', { timeoutMs: 30_000, message: 'kv-late Ready' });
    const a = canary('lbl-a');
    await source('lbl-src', { 'lbl-a': a, skip: canary('skip') });
    await apply('by-label', {
      secretStoreRefs: [{ kind: 'SecretStore', labelSelector: { matchLabels: { 'push-target': 'late' } } }],
      selector: { secret: { name: 'lbl-src' } },
      dataTo: [{ storeRef: { kind: 'SecretStore', labelSelector: { matchLabels: { 'push-target': 'late' } } }, match: { regexp: '^lbl-' } }],
    });
    // No store carries the label yet: nothing is pushed and nothing fails (ESO: no store, no work).
    await new Promise((r) => setTimeout(r, 2_000));
    assert.equal(await remote('lbl-a'), undefined);
    assert.equal((await pushSecret('by-label')).status?.conditions?.[0]?.status, undefined);

    const labelledAt = Date.now();
    const { status } = await k.request('PATCH', `/apis/external-secrets.io/v1/namespaces/${NS}/secretstores/kv-late`, { metadata: { labels: { 'push-target': 'late' } } }, 'application/merge-patch+json');
    assert.ok(status < 300, `label patch: HTTP ${status}`);
    await eventually(async () => (await remote('lbl-a'))?.value, a, { timeoutMs: 15_000, message: 'pushed once the store is labelled (refreshInterval is 1h)' });
    assert.ok(Date.now() - labelledAt < 15_000);
    assert.equal(await remote('skip'), undefined, 'match.regexp left skip out');
    const synced = await eventually(() => pushSecret('by-label'), (o) => o.status?.conditions?.[0]?.status === 'True', { timeoutMs: 10_000, message: 'by-label Ready' });
    assert.deepEqual(Object.keys(synced.status.syncedPushSecrets), ['SecretStore/kv-late']);
    assert.deepEqual(Object.keys(synced.status.syncedPushSecrets['SecretStore/kv-late']), ['lbl-a']);
  });
});
