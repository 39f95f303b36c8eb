import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { GeneratorObject } from '../../../src/api/index.ts';
import { NotServedHere, shouldProcessGenerator } from '../../../src/core/controller-class.ts';
import { ProjectorError } from '../../../src/core/errors.ts';
import { resolveGeneratorRef, runGeneratorRef, type GeneratorDeps } from '../../../src/sync/generate.ts';
import { Sensitive } from '../../../src/core/sensitive.ts';
import type { PrivateJwk } from '../../../src/core/sshkey.ts';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

const GV = 'generators.external-secrets.io/v1alpha1';
const signal = new AbortController().signal;

function deps(objects: GeneratorObject[], controllerClass?: string): GeneratorDeps {
  return {
    getGenerator: async (kind, ns, name) => objects.find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === ns),
    random: { int: () => 0, bytes: (n) => new Uint8Array(n) },
    ...(controllerClass !== undefined ? { controllerClass } : {}),
  };
}

const fake = (controller?: string): GeneratorObject => ({ apiVersion: GV, kind: 'Fake', metadata: { name: 'f', namespace: 'app' }, spec: { data: { k: 'v' }, ...(controller !== undefined ? { controller } : {}) } });
const clusterFake = (controller?: string): GeneratorObject => ({
  apiVersion: GV,
  kind: 'ClusterGenerator',
  metadata: { name: 'cf' },
  spec: { kind: 'Fake', generator: { fakeSpec: { data: { k: 'v' }, ...(controller !== undefined ? { controller } : {}) } } },
});

describe('generator controller class (ESO shouldSkipGenerator)', () => {
  it('serves a generator naming no class or this class, never one naming another', () => {
    assert.equal(shouldProcessGenerator({}, 'default'), true);
    assert.equal(shouldProcessGenerator({ controller: '' }, 'default'), true);
    assert.equal(shouldProcessGenerator({ controller: 'default' }, 'default'), true);
    // ESO's own test: a Fake with controller "fakeControllerClass" is skipped by class "default".
    assert.equal(shouldProcessGenerator({ controller: 'fakeControllerClass' }, 'default'), false);
    assert.equal(shouldProcessGenerator({ controller: 'team-a' }, 'team-a'), true);
    assert.equal(shouldProcessGenerator(undefined, 'default'), true);
  });

  it('a Fake naming another class is not served here: NotServedHere, nothing generated', async () => {
    await assert.rejects(runGeneratorRef({ apiVersion: GV, kind: 'Fake', name: 'f' }, 'app', 'spec.dataFrom[0]', deps([fake('team-a')], 'default'), signal), NotServedHere);
    const out = await runGeneratorRef({ apiVersion: GV, kind: 'Fake', name: 'f' }, 'app', 'spec.dataFrom[0]', deps([fake('team-a')], 'team-a'), signal);
    assert.deepEqual([...out.keys()], ['k']);
    const unclassed = await runGeneratorRef({ apiVersion: GV, kind: 'Fake', name: 'f' }, 'app', 'spec.dataFrom[0]', deps([fake()], 'team-a'), signal);
    assert.deepEqual([...unclassed.keys()], ['k']);
  });

  it("a ClusterGenerator is judged by its inner spec's controller (clusterGeneratorToVirtual)", async () => {
    await assert.rejects(resolveGeneratorRef({ apiVersion: GV, kind: 'ClusterGenerator', name: 'cf' }, 'app', 'spec.dataFrom[0]', deps([clusterFake('team-a')], 'default'), signal), NotServedHere);
    const ok = await resolveGeneratorRef({ apiVersion: GV, kind: 'ClusterGenerator', name: 'cf' }, 'app', 'spec.dataFrom[0]', deps([clusterFake('default')], 'default'), signal);
    assert.equal(ok.kind, 'Fake');
  });

  it('without a controller class (projector check) nothing is skipped; invalid refs and missing generators still fail', async () => {
    const r = await resolveGeneratorRef({ apiVersion: GV, kind: 'Fake', name: 'f' }, 'app', 'spec.dataFrom[0]', deps([fake('team-a')]), signal);
    assert.equal(r.where, 'Fake f spec');
    await assert.rejects(resolveGeneratorRef({ apiVersion: GV, kind: 'Nope', name: 'f' }, 'app', 'spec.dataFrom[0]', deps([]), signal), (e: ProjectorError) => e.code === 'InvalidSpec');
    await assert.rejects(resolveGeneratorRef({ apiVersion: GV, kind: 'Fake', name: 'gone' }, 'app', 'spec.dataFrom[0]', deps([]), signal), (e: ProjectorError) => e.code === 'GeneratorNotFound');
  });
});

// SSHKey and MFA through runGeneratorRef (ESO v2.9 generators/v1/sshkey/sshkey.go, generators/v1/mfa/mfa.go).
describe('SSHKey and MFA generators (runGeneratorRef)', () => {
  const fixtures = new URL('../../fixtures/sshkey/', import.meta.url);
  const keys = JSON.parse(readFileSync(new URL('keys.json', fixtures), 'utf8')) as Record<string, PrivateJwk>;
  const text = (out: Map<string, { reveal(): Uint8Array }>, k: string) => Buffer.from(out.get(k)!.reveal()).toString('utf8');
  const sshKey = (spec: object): GeneratorObject => ({ apiVersion: GV, kind: 'SSHKey', metadata: { name: 'k', namespace: 'app' }, spec });

  it('SSHKey: the key asked for, encoded as x/crypto/ssh writes it (privateKey, publicKey); check int from the random source', async () => {
    const asked: unknown[] = [];
    const d: GeneratorDeps = {
      ...deps([sshKey({ keyType: 'rsa', keySize: 1024, comment: 'me@vrsa' })]),
      random: { int: () => 0, bytes: () => new Uint8Array([1, 2, 3, 4]) },
      sshKeyJwk: async (p) => (asked.push(p), keys.vrsa!),
    };
    const out = await runGeneratorRef({ apiVersion: GV, kind: 'SSHKey', name: 'k' }, 'app', 'spec.dataFrom[0]', d, signal);
    assert.deepEqual(asked, [{ type: 'rsa', bits: 1024 }]);
    assert.deepEqual([...out.keys()], ['privateKey', 'publicKey']);
    assert.equal(text(out, 'privateKey'), readFileSync(new URL('rsa.openssh', fixtures), 'utf8'));
    assert.equal(text(out, 'publicKey'), readFileSync(new URL('rsa.pub', fixtures), 'utf8'));
  });

  it('SSHKey with node:crypto: ed25519 by default settings of a ClusterGenerator, a fresh key each run', async () => {
    const cg: GeneratorObject = { apiVersion: GV, kind: 'ClusterGenerator', metadata: { name: 'ssh' }, spec: { kind: 'SSHKey', generator: { sshKeySpec: { keyType: 'ed25519' } } } };
    const d = { ...deps([cg]), random: { int: () => 0, bytes: (n: number) => randomBytes(n) } };
    const a = await runGeneratorRef({ apiVersion: GV, kind: 'ClusterGenerator', name: 'ssh' }, 'app', 'spec.dataFrom[0]', d, signal);
    const b = await runGeneratorRef({ apiVersion: GV, kind: 'ClusterGenerator', name: 'ssh' }, 'app', 'spec.dataFrom[0]', d, signal);
    assert.match(text(a, 'publicKey'), /^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]{43}\n$/);
    assert.match(text(a, 'privateKey'), /^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
    assert.notEqual(text(a, 'publicKey'), text(b, 'publicKey'));
  });

  it('SSHKey with an RSA keySize Go refuses: InvalidSpec naming the generator and field, no key made', async () => {
    const d: GeneratorDeps = { ...deps([sshKey({ keyType: 'rsa', keySize: 512 })]), sshKeyJwk: async () => assert.fail('no key may be generated') };
    await assert.rejects(runGeneratorRef({ apiVersion: GV, kind: 'SSHKey', name: 'k' }, 'app', 'spec.dataFrom[0]', d, signal), (e: ProjectorError) => e.code === 'InvalidSpec' && /^SSHKey k spec\.keySize: RSA keys need at least 1024 bits/.test(e.message));
  });

  const mfa = (spec: object): GeneratorObject => ({ apiVersion: GV, kind: 'MFA', metadata: { name: 'm', namespace: 'app' }, spec });
  it("MFA: the seed read from the ExternalSecret's namespace (not the selector's), the time from the driver's clock", async () => {
    const reads: string[] = [];
    const d: GeneratorDeps = {
      ...deps([mfa({ secret: { name: 'otp', key: 'seed', namespace: 'elsewhere' }, length: 8 })]),
      readSecretKey: async (ns, name, key) => (reads.push(`${ns}/${name}/${key}`), new Sensitive('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ')),
      now: () => 1111111111_000,
    };
    const out = await runGeneratorRef({ apiVersion: GV, kind: 'MFA', name: 'm' }, 'app', 'spec.dataFrom[0]', d, signal);
    assert.deepEqual(reads, ['app/otp/seed']);
    // RFC 6238 Appendix B, T = 1111111111.
    assert.deepEqual([text(out, 'token'), text(out, 'timeLeft')], ['14050471', '29']);
  });

  it('MFA where the driver reads no Secrets (projector dev): NotSupported with its reason; a bad seed names the Secret', async () => {
    await assert.rejects(
      runGeneratorRef({ apiVersion: GV, kind: 'MFA', name: 'm' }, 'app', 'spec.dataFrom[0]', { ...deps([mfa({ secret: { name: 'otp', key: 'seed' } })]), mfaUnavailable: 'not here' }, signal),
      (e: ProjectorError) => e.code === 'NotSupported' && /not here/.test(e.message),
    );
    const d: GeneratorDeps = { ...deps([mfa({ secret: { name: 'otp', key: 'seed' } })]), readSecretKey: async () => new Sensitive('not-base32-hunter2'), now: () => 0 };
    await assert.rejects(runGeneratorRef({ apiVersion: GV, kind: 'MFA', name: 'm' }, 'app', 'spec.dataFrom[0]', d, signal), (e: ProjectorError) => e.code === 'GeneratorFailed' && /Secret app\/otp key "seed"/.test(e.message) && !/hunter2/i.test(e.message));
  });
});

// Webhook and GithubAccessToken through runGeneratorRef: the driver runs them (the operator) or says
// why not (projector dev); errors name the generator (ESO: `error using generator: …`).
describe('Webhook and GithubAccessToken generators (runGeneratorRef)', () => {
  const webhook: GeneratorObject = { apiVersion: GV, kind: 'Webhook', metadata: { name: 'w', namespace: 'app' }, spec: { url: 'https://h/x', result: { jsonPath: '$.data' } } };
  const github: GeneratorObject = { apiVersion: GV, kind: 'GithubAccessToken', metadata: { name: 'g', namespace: 'app' }, spec: { appID: '1', installID: '2', auth: { privateKey: { secretRef: { name: 'k', key: 'pem' } } } } };
  const cluster: GeneratorObject = { apiVersion: GV, kind: 'ClusterGenerator', metadata: { name: 'cw' }, spec: { kind: 'Webhook', generator: { webhookSpec: { url: 'https://h/x', result: {} } } } };

  it("runs them with the ExternalSecret's namespace; a ClusterGenerator's webhookSpec too", async () => {
    const calls: string[] = [];
    const d: GeneratorDeps = {
      ...deps([webhook, github, cluster]),
      webhook: async (spec, ns) => (calls.push(`webhook ${ns} ${spec.url}`), new Map([['k', new Sensitive(new Uint8Array([1]))]])),
      github: async (spec, ns) => (calls.push(`github ${ns} ${spec.installID}`), new Map([['token', new Sensitive(new Uint8Array([2]))]])),
    };
    assert.deepEqual([...(await runGeneratorRef({ apiVersion: GV, kind: 'Webhook', name: 'w' }, 'app', 'spec.dataFrom[0]', d, signal)).keys()], ['k']);
    assert.deepEqual([...(await runGeneratorRef({ apiVersion: GV, kind: 'GithubAccessToken', name: 'g' }, 'app', 'spec.dataFrom[0]', d, signal)).keys()], ['token']);
    await runGeneratorRef({ apiVersion: GV, kind: 'ClusterGenerator', name: 'cw' }, 'app', 'spec.dataFrom[0]', d, signal);
    assert.deepEqual(calls, ['webhook app https://h/x', 'github app 2', 'webhook app https://h/x']);
  });

  it('a spec the rules refuse is InvalidSpec / NotSupported before anything runs; a failure names the generator', async () => {
    const bad: GeneratorObject = { ...webhook, spec: { url: 'https://h/x', result: { jsonPath: '$.items[*]' } } };
    const ntlm: GeneratorObject = { ...webhook, metadata: { name: 'n', namespace: 'app' }, spec: { url: 'https://h/x', result: {}, auth: { ntlm: { usernameSecret: { name: 'u', key: 'u' }, passwordSecret: { name: 'p', key: 'p' } } } } };
    const d: GeneratorDeps = { ...deps([bad, ntlm]), webhook: async () => assert.fail('must not run') };
    await assert.rejects(runGeneratorRef({ apiVersion: GV, kind: 'Webhook', name: 'w' }, 'app', 'spec.dataFrom[0]', d, signal), (e: ProjectorError) => e.code === 'InvalidSpec' && /^Webhook w spec\.result\.jsonPath: /.test(e.message));
    await assert.rejects(runGeneratorRef({ apiVersion: GV, kind: 'Webhook', name: 'n' }, 'app', 'spec.dataFrom[0]', d, signal), (e: ProjectorError) => e.code === 'NotSupported' && /NTLM/.test(e.message));
    const failing: GeneratorDeps = { ...deps([github]), github: async () => { throw new ProjectorError('GeneratorFailed', 'error generating token: response code: 401'); } };
    await assert.rejects(runGeneratorRef({ apiVersion: GV, kind: 'GithubAccessToken', name: 'g' }, 'app', 'spec.dataFrom[0]', failing, signal), (e: ProjectorError) => e.message === 'GithubAccessToken g: error generating token: response code: 401');
  });

  it('where the driver does not run them (projector dev): NotSupported with its reason', async () => {
    const d: GeneratorDeps = { ...deps([webhook, github]), webhookUnavailable: 'no webhooks here', githubUnavailable: 'no github here' };
    await assert.rejects(runGeneratorRef({ apiVersion: GV, kind: 'Webhook', name: 'w' }, 'app', 'spec.dataFrom[0]', d, signal), (e: ProjectorError) => e.code === 'NotSupported' && /no webhooks here/.test(e.message));
    await assert.rejects(runGeneratorRef({ apiVersion: GV, kind: 'GithubAccessToken', name: 'g' }, 'app', 'spec.dataFrom[0]', d, signal), (e: ProjectorError) => e.code === 'NotSupported' && /no github here/.test(e.message));
  });
});
