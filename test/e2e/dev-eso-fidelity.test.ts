// The ESO-fidelity fixtures through `projector dev --once` (a CLI process per step): the same inputs
// and expected values as the operator's test/integration/controller/eso-fidelity.test.ts, since dev
// runs the operator's reconciler over the repository's manifests.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startVault } from '../../src/vault/index.ts';

const root = new URL('../../', import.meta.url).pathname;
const cli = join(root, 'src/cli/main.ts');
const fixtures = join(root, 'test/fixtures');

interface SecretFile {
  type?: string;
  immutable?: boolean;
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: { name: string }[] };
  data: Record<string, string>;
}

function copyFixture(fixture: string): string {
  const repo = mkdtempSync(join(tmpdir(), 'projector-fidelity-'));
  cpSync(join(fixtures, fixture), repo, { recursive: true });
  return repo;
}

function devOnce(repo: string): { status: number | null; out: string } {
  // A missing --seed file is an error (docs/cli/dev.md): only the fixtures that have one name it.
  const seed = existsSync(join(repo, 'seed.env')) ? ['--seed', 'seed.env'] : [];
  const r = spawnSync(process.execPath, [cli, 'dev', '.', '--once', '--no-prompt', ...seed], { cwd: repo, encoding: 'utf8', timeout: 90_000 });
  return { status: r.status, out: r.stdout + r.stderr };
}

function secretFile(repo: string, name: string): SecretFile | undefined {
  const p = join(repo, `.projector/out/demo/${name}.yaml`);
  return existsSync(p) ? (parse(readFileSync(p, 'utf8')) as SecretFile) : undefined;
}

function value(repo: string, name: string, key: string): string | undefined {
  const v = secretFile(repo, name)?.data[key];
  return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
}

describe('projector dev --once gives ESO\'s results', { timeout: 900_000 }, () => {
  it('dataFrom.rewrite.regexp replaces as Go regexp.ReplaceAllString: (.*) → ${1}_MONITOR gives alerts_MONITOR', () => {
    const repo = copyFixture('eso-fidelity/rewrite-go-replace-all');
    const r = devOnce(repo);
    assert.equal(r.status, 0, r.out);
    assert.deepEqual(Object.keys(secretFile(repo, 'braced')!.data).sort(), ['alerts_MONITOR', 'deploys_MONITOR']);
    assert.equal(value(repo, 'braced', 'alerts_MONITOR'), 'https://hooks.example.test/a');
  });

  it('dataFrom.rewrite.merge as ESO RewriteMerge: Extract members (json.Marshal, HTML-escaped), JSON into one key (not escaped)', () => {
    const repo = copyFixture('eso-fidelity/rewrite-merge');
    const r = devOnce(repo);
    assert.equal(r.status, 0, r.out);
    // Expected bytes: ESO's RewriteMerge logic run with Go 1.26's encoding/json on the fixture's values.
    assert.deepEqual(Object.fromEntries(Object.keys(secretFile(repo, 'merged-extract')!.data).sort().map((k) => [k, value(repo, 'merged-extract', k)])), {
      host: 'db.example',
      opts: '{"\\u003ctag\\u003e":"a\\u0026b","ssl":true}',
      port: '5432',
      user: 'admin',
    });
    assert.deepEqual(Object.keys(secretFile(repo, 'merged-json')!.data).sort(), ['all', 'db-main', 'db-replica']);
    assert.equal(value(repo, 'merged-json', 'all'), '{"host":"db.example","opts":{"<tag>":"a&b","ssl":true},"port":5432,"user":"admin"}');
    assert.equal(value(repo, 'merged-json', 'db-main'), '{"user":"admin","host":"db.example","port":5432}');
  });

  it('templateFrom valuesDecodingStrategy Base64 writes the decoded bytes exactly; template.data is not decoded (ESO mapScopeApply, MergeMap)', () => {
    const repo = copyFixture('eso-fidelity/values-decoding-strategy');
    const r = devOnce(repo);
    assert.equal(r.status, 0, r.out);
    const data = secretFile(repo, 'keystore')!.data;
    assert.deepEqual([...Buffer.from(data['keystore.p12']!, 'base64')], [0xff, 0x00, 0xc3, 0x28, 0x01]);
    assert.equal(value(repo, 'keystore', 'keystore.b64'), '/wDDKAE=');
  });

  it('without a template, the ExternalSecret\'s labels and annotations are on the Secret (ESO setMetadata)', () => {
    const repo = copyFixture('eso-fidelity/labels-without-template');
    const r = devOnce(repo);
    assert.equal(r.status, 0, r.out);
    const s = secretFile(repo, 'repo')!;
    assert.equal(s.metadata.labels?.['argocd.argoproj.io/secret-type'], 'repository');
    assert.equal(s.metadata.annotations?.['reloader.stakater.com/match'], 'true');
    assert.equal(s.metadata.labels?.['reconcile.external-secrets.io/managed'], 'true');
  });

  it('an Owner and a Merge ExternalSecret on one Secret: the Merge one is refused (ESO ErrSecretIsOwned), the Secret keeps its keys', () => {
    const repo = copyFixture('eso-fidelity/owner-and-merge-writers');
    const first = devOnce(repo);
    assert.equal(first.status, 0, first.out);
    cpSync(join(fixtures, 'eso-fidelity/steps/owner-and-merge-writers-merge.yaml'), join(repo, 'merge.yaml'));
    const second = devOnce(repo);
    assert.equal(second.status, 1, second.out);
    assert.match(second.out, /^1 ExternalSecret\(s\) ready, 1 failing$/m);
    assert.match(second.out, /✗ demo\/credentials-ca: TargetOwnedElsewhere: target is owned by another ExternalSecret: .*credentials-init/);
    assert.deepEqual(Object.keys(secretFile(repo, 'credentials')!.data), ['username']);
  });

  it('an Owner and a Merge ExternalSecret in one run: the Merge one is refused whichever is reconciled first (field variant fv-om-merge-then-owner)', () => {
    // ESO: the Merge ExternalSecret first waits (SecretMissing), and once the Owner one has created
    // the Secret it is refused (applyOwnership, ErrSecretIsOwned). The operator looks at it again
    // when the Secret is written (its Secret watch); dev must too, or --once reports it ready.
    // The Owner one renders a template, so it is the slower of the two.
    const repo = mkdtempSync(join(tmpdir(), 'projector-fidelity-'));
    writeFileSync(join(repo, 'store.yaml'), [
      'apiVersion: external-secrets.io/v1', 'kind: ClusterSecretStore', 'metadata: { name: fake }',
      'spec: { provider: { fake: { data: [{ key: app-user, value: u }, { key: app-ca, value: c }] } } }',
    ].join('\n'));
    const es = (name: string, policy: string, item: string, template = '') => [
      'apiVersion: external-secrets.io/v1', 'kind: ExternalSecret', `metadata: { name: ${name}, namespace: demo }`, 'spec:',
      '  secretStoreRef: { kind: ClusterSecretStore, name: fake }',
      `  target: { name: credentials, creationPolicy: ${policy}${template} }`,
      `  data: [{ secretKey: ${item}, remoteRef: { key: app-${item === 'username' ? 'user' : 'ca'} } }]`,
    ].join('\n');
    writeFileSync(join(repo, 'externalsecrets.yaml'), [
      es('a-credentials-ca', 'Merge', 'ca.crt'),
      es('b-credentials-init', 'Owner', 'username', ', template: { data: { username: "{{ .username | upper }}" } }'),
    ].join('\n---\n'));
    const r = devOnce(repo);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /✗ demo\/a-credentials-ca: TargetOwnedElsewhere: target is owned by another ExternalSecret: .*b-credentials-init/);
    assert.match(r.out, /^1 ExternalSecret\(s\) ready, 1 failing$/m);
    assert.deepEqual(Object.keys(secretFile(repo, 'credentials')!.data), ['username']);
  });

  it('immutable: true keeps the data of the existing Secret on rotation and stays ready (ESO docs "Immutable target")', async () => {
    const repo = copyFixture('eso-fidelity/immutable-target-rotation');
    const first = devOnce(repo);
    assert.equal(first.status, 0, first.out);
    assert.equal(secretFile(repo, 'imm')!.immutable, true);
    assert.equal(value(repo, 'imm', 'v'), 'first');
    // Rotate the value in dev's own vault state, as `projector vault secret set` would.
    const vault = await startVault({ dataDir: join(repo, '.projector/vault'), port: 0 });
    try {
      await vault.admin.setSecret('imm-value', 'second');
    } finally {
      await vault.close();
    }
    const second = devOnce(repo);
    assert.equal(second.status, 0, second.out);
    assert.match(second.out, /^1 ExternalSecret\(s\) ready, 0 failing$/m);
    assert.equal(value(repo, 'imm', 'v'), 'first');
  });

  it('a template.type change reaches the Secret: the owned Secret is recreated with the new type', () => {
    const repo = copyFixture('eso-fidelity/template-type-change');
    const first = devOnce(repo);
    assert.equal(first.status, 0, first.out);
    assert.equal(secretFile(repo, 'retype')!.type, 'Opaque');
    const before = secretFile(repo, 'retype')!.data['.dockerconfigjson'];
    cpSync(join(fixtures, 'eso-fidelity/steps/template-type-change-step2.yaml'), join(repo, 'externalsecret.yaml'));
    const second = devOnce(repo);
    assert.equal(second.status, 0, second.out);
    assert.equal(secretFile(repo, 'retype')!.type, 'kubernetes.io/dockerconfigjson');
    assert.equal(secretFile(repo, 'retype')!.data['.dockerconfigjson'], before);
  });

  it('a disabled secret is reported as disabled, not as a permissions problem (Key Vault 403 SecretDisabled)', async () => {
    const repo = copyFixture('eso-fidelity/disabled-secret');
    const first = devOnce(repo);
    assert.equal(first.status, 0, first.out);
    // Disable it in dev's own vault state, as the Azure portal would.
    const vault = await startVault({ dataDir: join(repo, '.projector/vault'), port: 0 });
    try {
      await vault.admin.setSecret('billing-disabled', 'd2', { enabled: false });
    } finally {
      await vault.close();
    }
    const second = devOnce(repo);
    assert.equal(second.status, 1, second.out);
    assert.match(second.out, /✗ demo\/disabled-data: VaultForbidden: .*billing-disabled.*is disabled/);
    assert.doesNotMatch(second.out, /grant|may not read/i);
    assert.equal(value(repo, 'disabled-data', 'off'), 'd1', 'the Secret keeps its last good value');
  });

  it('an unquoted `secretKey: off` is YAML 1.1\'s boolean false, refused at file:line as the API server refuses it', () => {
    const repo = copyFixture('eso-fidelity/disabled-secret');
    const path = join(repo, 'externalsecret.yaml');
    writeFileSync(path, readFileSync(path, 'utf8').replace(/secretKey: "off".*$/m, 'secretKey: off'));
    const r = devOnce(repo);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /externalsecret\.yaml:\d+:\d+: WrongType: spec\.data\[0\]\.secretKey must be string/);
  });
});
