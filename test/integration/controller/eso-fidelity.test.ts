// Behaviours ESO users reported where Projector once differed from ESO, through the operator on a real
// API server with the local vault playing Azure Key Vault (azurekv provider, official SDK). The same
// fixtures run through `projector dev --once` in test/e2e/dev-eso-fidelity.test.ts. Expected values
// come from ESO v2.9 (file named at each test) or Go's standard library.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { HowtoEnv } from '../howto/howto-env.ts';
import { readYamlDocs } from '../../support/cluster.ts';
import { eventually } from '../../support/eventually.ts';

const fixtures = new URL('../../fixtures/', import.meta.url).pathname;
const NS = 'demo';
const SP_CLIENT = 'fidelity-sp';

/** The ExternalSecrets of a fixture folder (its store is replaced by one pointing at the local vault). */
function externalSecretsOf(dir: string): any[] {
  const docs = readdirSync(join(fixtures, dir))
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => readYamlDocs(join(fixtures, dir, f)) as any[]);
  return docs.filter((d) => d.kind === 'ExternalSecret');
}

function bytesOf(secret: any, key: string): Buffer | undefined {
  const v = secret?.data?.[key];
  return v === undefined ? undefined : Buffer.from(v, 'base64');
}

describe('ESO fidelity through the operator (real API server, local vault as Azure Key Vault)', { timeout: 600_000 }, () => {
  let env: HowtoEnv;
  const readyOf = (name: string) => env.k.ready(NS, 'externalsecrets', name);
  const waitReady = (name: string, status: 'True' | 'False', message?: RegExp) =>
    eventually(() => readyOf(name), (r) => r.status === status && (!message || message.test(r.message ?? '')), { timeoutMs: 30_000, message: `${name} Ready=${status} ${message ?? ''}` });
  const seed = async (values: Record<string, string>) => {
    for (const [k, v] of Object.entries(values)) await env.vault.admin.setSecret(k, v);
  };

  before(async () => {
    const clientSecret = `canary-fidelity-client-secret-${process.pid}`;
    env = await HowtoEnv.start({ principals: [{ clientId: SP_CLIENT, clientSecret }] });
    env.canaries.values.push(clientSecret);
    await env.applyCredentialsSecret(SP_CLIENT, clientSecret);
    const store = env.howtoStore();
    store.metadata.name = 'akv';
    await env.k.apply([store]);
    await env.k.namespace(NS);
  });

  after(async () => {
    try {
      if (env) await env.assertNoLeaks([NS]);
    } finally {
      await env?.stop();
    }
  });

  it('dataFrom.rewrite.regexp replaces as Go regexp.ReplaceAllString: (.*) → ${1}_MONITOR gives alerts_MONITOR', async () => {
    const hook = env.canaries.next('hook');
    await seed({ 'webhook-urls': JSON.stringify({ alerts: `${hook}-a`, deploys: `${hook}-d` }) });
    await env.k.apply(externalSecretsOf('eso-fidelity/rewrite-go-replace-all'));
    await waitReady('braced', 'True', /^secret synced$/);
    const s = await env.k.secret(NS, 'braced');
    assert.deepEqual(Object.keys(s.data).sort(), ['alerts_MONITOR', 'deploys_MONITOR']);
    assert.equal(bytesOf(s, 'alerts_MONITOR')?.toString(), `${hook}-a`);
  });

  it('dataFrom.rewrite.merge as ESO RewriteMerge: Extract members, JSON into one key; a conflict fails without naming the member', async () => {
    const user = env.canaries.next('merge-user');
    // The fixture's members, with a canary value; expected bytes as ESO's RewriteMerge logic with
    // Go 1.26's encoding/json writes them (json.Marshal HTML-escapes, JSONMarshal does not).
    await seed({ 'db-config': JSON.stringify({ main: { user, host: 'db.example', port: 5432 }, replica: { host: 'replica.example', opts: { ssl: true, '<tag>': 'a&b' } } }) });
    await env.k.apply(externalSecretsOf('eso-fidelity/rewrite-merge'));
    await waitReady('merged-extract', 'True', /^secret synced$/);
    const extract = await env.k.secret(NS, 'merged-extract');
    assert.deepEqual(Object.keys(extract.data).sort(), ['host', 'opts', 'port', 'user']);
    assert.equal(bytesOf(extract, 'user')?.toString(), user);
    assert.equal(bytesOf(extract, 'host')?.toString(), 'db.example');
    assert.equal(bytesOf(extract, 'opts')?.toString(), '{"\\u003ctag\\u003e":"a\\u0026b","ssl":true}');
    await waitReady('merged-json', 'True', /^secret synced$/);
    const json = await env.k.secret(NS, 'merged-json');
    assert.equal(bytesOf(json, 'all')?.toString(), `{"host":"db.example","opts":{"<tag>":"a&b","ssl":true},"port":5432,"user":"${user}"}`);
    // conflictPolicy Error (the default): "host" is in both inputs.
    const conflict = externalSecretsOf('eso-fidelity/rewrite-merge')[0];
    conflict.metadata.name = 'merged-conflict';
    conflict.spec.target.name = 'merged-conflict';
    conflict.spec.dataFrom[0].rewrite = [{ merge: {} }];
    await env.k.apply([conflict]);
    await waitReady('merged-conflict', 'False', /^VaultBadValue: spec\.dataFrom\[0\]\.rewrite\[0\]\.merge: merge failed with conflicts: 1 member name is set by more than one input/);
    assert.ok(!(await readyOf('merged-conflict')).message?.includes('host'));
  });

  it('templateFrom valuesDecodingStrategy Base64 writes the decoded bytes exactly; template.data is not decoded (ESO mapScopeApply, MergeMap)', async () => {
    const keystore = Buffer.concat([Buffer.from([0xff, 0x00, 0xc3]), Buffer.from(env.canaries.next('keystore'))]);
    await seed({ 'keystore-b64': keystore.toString('base64') });
    await env.k.apply(externalSecretsOf('eso-fidelity/values-decoding-strategy'));
    await waitReady('keystore', 'True', /^secret synced$/);
    const s = await env.k.secret(NS, 'keystore');
    assert.ok(bytesOf(s, 'keystore.p12')?.equals(keystore));
    assert.equal(bytesOf(s, 'keystore.b64')?.toString(), keystore.toString('base64'));
  });

  it('decodingStrategy Auto keeps a value that is not padded base64 (ESO runtime/decoding; Go encoding/base64)', async () => {
    await seed({ 'db-user': 'dbuser' });
    await env.k.apply(externalSecretsOf('decoding-auto'));
    await waitReady('auto', 'True');
    assert.equal(bytesOf(await env.k.secret(NS, 'auto'), 'username')?.toString(), 'dbuser');
  });

  it('without a template, the ExternalSecret\'s labels and annotations are on the Secret (ESO setMetadata), with ESO\'s managed labels', async () => {
    await seed({ 'repo-token': env.canaries.next('repo') });
    await env.k.apply(externalSecretsOf('eso-fidelity/labels-without-template'));
    await waitReady('repo', 'True');
    const s = await env.k.secret(NS, 'repo');
    assert.equal(s.metadata.labels['argocd.argoproj.io/secret-type'], 'repository');
    assert.equal(s.metadata.annotations['reloader.stakater.com/match'], 'true');
    assert.equal(s.metadata.labels['reconcile.external-secrets.io/managed'], 'true');
    assert.match(s.metadata.labels['reconcile.external-secrets.io/created-by'], /^[0-9a-f]{56}$/);
    assert.equal(s.metadata.labels['app.kubernetes.io/managed-by'], undefined);
    assert.ok(s.metadata.managedFields.some((m: any) => m.manager === 'externalsecrets.external-secrets.io/repo'), 'written as ESO\'s field manager');
    const created = await eventually(() => env.k.events(NS), (ev) => ev.some((e) => e.name === 'repo' && e.reason === 'Created'), { message: 'Created event' });
    assert.equal(created.find((e) => e.name === 'repo' && e.reason === 'Created')?.message, 'secret created', 'ESO eventCreated');
    const es = await env.k.externalSecret(NS, 'repo');
    assert.deepEqual(es.metadata.finalizers, ['externalsecrets.external-secrets.io/externalsecret-cleanup']);
    // Removing a label from the ExternalSecret removes it from the Secret (it was this writer's).
    await env.k.apply([{ ...es, metadata: { name: 'repo', namespace: NS, labels: {}, annotations: { 'reloader.stakater.com/match': 'true' } }, status: undefined }]);
    await eventually(() => env.k.secret(NS, 'repo'), (x: any) => x.metadata.labels['argocd.argoproj.io/secret-type'] === undefined, { timeoutMs: 30_000, message: 'label removed from the Secret' });
  });

  it('an Owner and a Merge ExternalSecret on one Secret: the Merge one is refused (ESO ErrSecretIsOwned), nothing flaps', async () => {
    await seed({ 'app-user': env.canaries.next('user'), 'app-ca': env.canaries.next('ca') });
    await env.k.apply(externalSecretsOf('eso-fidelity/owner-and-merge-writers'));
    await waitReady('credentials-init', 'True');
    await env.k.apply(readYamlDocs(join(fixtures, 'eso-fidelity/steps/owner-and-merge-writers-merge.yaml')));
    await waitReady('credentials-ca', 'False', /target is owned by another ExternalSecret.*credentials-init/);
    const first = await env.k.secret(NS, 'credentials');
    // Over two refreshes of the Owner ExternalSecret (3 s) the Secret keeps its keys and version, and the
    // Merge ExternalSecret never turns Ready.
    const t0 = Date.parse((await env.k.externalSecret(NS, 'credentials-init')).status.refreshTime);
    const seen = new Set<string>();
    await eventually(
      async () => {
        const s = await env.k.secret(NS, 'credentials');
        seen.add(`ca Ready=${(await readyOf('credentials-ca')).status}; keys=${Object.keys(s.data).join(',')}; resourceVersion changed=${s.metadata.resourceVersion !== first.metadata.resourceVersion}`);
        return Date.parse((await env.k.externalSecret(NS, 'credentials-init')).status.refreshTime);
      },
      (t: number) => t >= t0 + 6_000,
      { timeoutMs: 30_000, intervalMs: 200, message: 'two refreshes of credentials-init' },
    );
    assert.deepEqual([...seen], ['ca Ready=False; keys=username; resourceVersion changed=false']);
  });

  it('immutable: true keeps the data of the existing Secret on rotation and stays Ready (ESO docs "Immutable target")', async () => {
    await seed({ 'imm-value': 'first-value' });
    await env.k.apply(externalSecretsOf('eso-fidelity/immutable-target-rotation'));
    await waitReady('imm', 'True');
    const created = await env.k.secret(NS, 'imm');
    assert.equal(created.immutable, true);
    await seed({ 'imm-value': 'second-value' });
    const rotatedAt = Date.now();
    await eventually(async () => Date.parse((await env.k.externalSecret(NS, 'imm')).status.refreshTime), (t: number) => t > rotatedAt + 1_000, {
      timeoutMs: 30_000,
      message: 'refreshes after the rotation',
    });
    const ready = await readyOf('imm');
    assert.equal(ready.status, 'True', ready.message);
    assert.equal(bytesOf(await env.k.secret(NS, 'imm'), 'v')?.toString(), 'first-value');
    const warnings = (await env.k.events(NS)).filter((e) => e.name === 'imm' && e.type === 'Warning');
    assert.deepEqual(warnings, []);
  });

  it('a template.type change reaches the Secret: the owned Secret is recreated with the new type', async () => {
    await seed({ 'registry-dockercfg': JSON.stringify({ auths: { 'registry.example.test': { auth: Buffer.from(`u:${env.canaries.next('pw')}`).toString('base64') } } }) });
    await env.k.apply(externalSecretsOf('eso-fidelity/template-type-change'));
    await waitReady('retype', 'True');
    const before = await env.k.secret(NS, 'retype');
    assert.equal(before.type, 'Opaque');
    const [step2] = readYamlDocs(join(fixtures, 'eso-fidelity/steps/template-type-change-step2.yaml')) as any[];
    await env.k.apply([step2]);
    const after = await eventually(() => env.k.secret(NS, 'retype'), (s: any) => s?.type === 'kubernetes.io/dockerconfigjson', { timeoutMs: 30_000, message: 'Secret type changed' });
    assert.deepEqual(bytesOf(after, '.dockerconfigjson'), bytesOf(before, '.dockerconfigjson'));
    await waitReady('retype', 'True', /^secret synced$/);
  });

  it('b64dec of a binary keystore is written byte-exact, upper of it as Go writes it, and a label that renders bytes fails clearly', async () => {
    await seed({ 'app-keystore': '/u3+7QAAAAI=' });
    await env.k.apply(externalSecretsOf('template-binary'));
    const keystore = Buffer.from([0xfe, 0xed, 0xfe, 0xed, 0x00, 0x00, 0x00, 0x02]);
    await waitReady('keystore', 'True');
    await waitReady('keystore-tpl', 'True');
    assert.deepEqual(bytesOf(await env.k.secret(NS, 'keystore'), 'keystore.jks'), keystore);
    assert.deepEqual(bytesOf(await env.k.secret(NS, 'keystore-tpl'), 'keystore.jks'), keystore);
    // strings.ToUpper (strings.Map) writes U+FFFD for each byte that is not UTF-8, as ESO does.
    await waitReady('keystore-upper', 'True');
    assert.equal(bytesOf(await env.k.secret(NS, 'keystore-upper'), 'keystore.jks')?.toString('hex'), 'efbfbdefbfbdefbfbdefbfbd00000002');
    await waitReady('keystore-label', 'False', /TemplateBinaryValue: spec\.target\.template\.metadata\.labels\["kind"\] renders binary data/);
    assert.equal(await env.k.secret(NS, 'keystore-label'), undefined);
  });

  it('creationPolicy Merge into a Secret that does not exist is Ready=True, reason SecretMissing (ESO msgMissing)', async () => {
    await seed({ 'repo-token': env.canaries.next('merge') });
    const [es] = externalSecretsOf('eso-fidelity/labels-without-template');
    es.metadata = { name: 'merge-missing', namespace: NS };
    es.spec.target = { name: 'not-there-yet', creationPolicy: 'Merge' };
    await env.k.apply([es]);
    const r = await waitReady('merge-missing', 'True');
    assert.equal(r.reason, 'SecretMissing');
    assert.equal(r.message, 'secret will not be created due to CreationPolicy=Merge');
    assert.equal(await env.k.secret(NS, 'not-there-yet'), undefined);
    // Another ExternalSecret creates the Secret: the waiting one merges its key at once (Projector does
    // not wait for the next interval, see docs/design/000-overview.md).
    const [creator] = externalSecretsOf('eso-fidelity/labels-without-template');
    creator.metadata = { name: 'creator', namespace: NS };
    creator.spec.target = { name: 'not-there-yet', creationPolicy: 'Orphan' };
    creator.spec.data = [{ secretKey: 'created', remoteRef: { key: 'repo-token' } }];
    await env.k.apply([creator]);
    await eventually(() => env.k.secret(NS, 'not-there-yet'), (s: any) => s && Object.keys(s.data).sort().join() === 'created,password', { timeoutMs: 30_000, message: 'both keys in the Secret' });
    await waitReady('merge-missing', 'True', /^secret synced$/);
  });

  it('a remote key Key Vault cannot hold (DB_PASSWORD) fails with the name rule, before any vault call', async () => {
    await env.k.apply(externalSecretsOf('eso-fidelity/key-vault-name-rule'));
    const r = await waitReady('names', 'False', /"DB_PASSWORD" cannot be a Key Vault secret name.*0-9, a-z, A-Z and "-"/);
    assert.equal(r.reason, 'SecretSyncedError');
    assert.equal(await env.k.secret(NS, 'names'), undefined);
  });

  it('a disabled secret is reported as disabled, not as a permissions problem (Key Vault 403 SecretDisabled)', async () => {
    await env.vault.admin.setSecret('billing-disabled', env.canaries.next('disabled'), { enabled: false });
    await env.k.apply(externalSecretsOf('eso-fidelity/disabled-secret'));
    const r = await waitReady('disabled-data', 'False', /billing-disabled.*is disabled/);
    assert.doesNotMatch(r.message ?? '', /grant|permission|may not read/i);
  });

  it('a type change Projector may not make (an Orphan target): ESO\'s managed label and binding, the data untouched, the cause named', async () => {
    const orphanCanary = env.canaries.next('orphan-existing');
    await env.k.apply([{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pre', namespace: NS }, stringData: { keep: orphanCanary } } as never]);
    await seed({ 'repo-token': env.canaries.next('typed') });
    const [es] = externalSecretsOf('eso-fidelity/labels-without-template');
    es.metadata = { name: 'typed', namespace: NS };
    es.spec.target = { name: 'pre', creationPolicy: 'Orphan', template: { type: 'example.com/custom' } };
    await env.k.apply([es]);
    const r = await waitReady('typed', 'False', /^TargetTypeImmutable: .*Opaque.*example\.com\/custom/);
    assert.equal(r.reason, 'SecretSyncedError');
    assert.deepEqual((await env.k.externalSecret(NS, 'typed')).status.binding, { name: 'pre' }, 'ESO updateSecret binds the target before mutating it');
    const s = await env.k.secret(NS, 'pre');
    assert.equal(s.metadata.labels['reconcile.external-secrets.io/managed'], 'true', 'ESO labels an existing target first');
    assert.equal(s.type, 'Opaque');
    assert.deepEqual(Object.keys(s.data), ['keep']);
  });
});
