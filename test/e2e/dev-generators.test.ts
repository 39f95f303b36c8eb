// `projector dev` through the real CLI process: dataFrom generatorRefs run by the operator's code on
// the repository's generators, and ClusterExternalSecrets rendered as the ExternalSecrets they create.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
const cli = join(root, 'src/cli/main.ts');
const GV = 'generators.external-secrets.io/v1alpha1';

const STORE = `apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata: { name: akv }
spec:
  provider:
    azurekv:
      vaultUrl: "https://example-vault.vault.azure.net/"
      tenantId: "00000000-0000-4000-8000-000000000001"
      authSecretRef:
        clientId: { name: akv-creds, namespace: external-secrets, key: client-id }
        clientSecret: { name: akv-creds, namespace: external-secrets, key: client-secret }
`;

function env(repo: string, ns: string, name: string): Map<string, string> {
  const text = readFileSync(join(repo, '.projector/out', ns, `${name}.env`), 'utf8');
  return new Map(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).replace(/^'|'$/g, '')]));
}

function dev(repo: string) {
  return spawnSync(process.execPath, [cli, 'dev', '.', '--once', '--no-prompt'], { cwd: repo, encoding: 'utf8', timeout: 90_000 });
}

describe('projector dev: generators and ClusterExternalSecrets', { timeout: 300_000 }, () => {
  it('renders Password, UUID, Fake and ClusterGenerator values beside vault values, and ClusterExternalSecrets per listed namespace (--once)', () => {
    const repo = mkdtempSync(join(tmpdir(), 'projector-dev-gen-'));
    writeFileSync(join(repo, 'store.yaml'), STORE);
    writeFileSync(
      join(repo, 'generators.yaml'),
      `apiVersion: ${GV}
kind: Password
metadata: { name: db-password, namespace: app }
spec: { length: 16, digits: 4, symbols: 0, noUpper: true }
---
apiVersion: ${GV}
kind: UUID
metadata: { name: id, namespace: app }
spec: {}
---
apiVersion: ${GV}
kind: ClusterGenerator
metadata: { name: shared-fake }
spec:
  kind: Fake
  generator:
    fakeSpec:
      data: { region: west-europe }
`,
    );
    writeFileSync(
      join(repo, 'secrets.yaml'),
      `apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: { name: db, namespace: app }
spec:
  refreshInterval: 1h
  secretStoreRef: { kind: ClusterSecretStore, name: akv }
  target: { name: db }
  data:
    - secretKey: DB_USER
      remoteRef: { key: app-db-user }
  dataFrom:
    - sourceRef: { generatorRef: { apiVersion: ${GV}, kind: Password, name: db-password } }
    - sourceRef: { generatorRef: { apiVersion: ${GV}, kind: UUID, name: id } }
    - sourceRef: { generatorRef: { apiVersion: ${GV}, kind: ClusterGenerator, name: shared-fake } }
---
apiVersion: external-secrets.io/v1
kind: ClusterExternalSecret
metadata: { name: shared }
spec:
  namespaces: [team-a, team-b]
  namespaceSelectors:
    - matchLabels: { tier: web }
  externalSecretName: shared-config
  externalSecretSpec:
    refreshInterval: 1h
    secretStoreRef: { kind: ClusterSecretStore, name: akv }
    target: { name: shared-config }
    data:
      - secretKey: API_KEY
        remoteRef: { key: shared-api-key }
    dataFrom:
      - sourceRef: { generatorRef: { apiVersion: ${GV}, kind: ClusterGenerator, name: shared-fake } }
`,
    );
    const r = dev(repo);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /ClusterExternalSecret shared: rendered ExternalSecret shared-config in team-a, team-b; namespaceSelectors match namespace labels, which only a cluster has: not rendered for them here/);
    assert.match(r.stdout, /✓ app\/db → .*keys: password, uuid, region, DB_USER /);
    assert.match(r.stdout, /3 ExternalSecret\(s\) ready, 0 failing/);
    const db = env(repo, 'app', 'db');
    assert.deepEqual([...db.keys()].sort(), ['DB_USER', 'password', 'region', 'uuid']);
    assert.match(db.get('password')!, /^[a-z0-9]{16}$/);
    assert.equal(db.get('password')!.replace(/[^0-9]/g, '').length, 4);
    assert.match(db.get('uuid')!, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(db.get('region'), 'west-europe');
    for (const ns of ['team-a', 'team-b']) {
      const shared = env(repo, ns, 'shared-config');
      assert.deepEqual([...shared.keys()].sort(), ['API_KEY', 'region']);
      assert.equal(shared.get('region'), 'west-europe');
    }
    assert.ok(!existsSync(join(repo, '.projector/out/team-c')));
  });

  it('fails what the operator fails: a generator spec it refuses, a missing generator, ACRAccessToken (not run by dev) (--once)', () => {
    const repo = mkdtempSync(join(tmpdir(), 'projector-dev-gen-bad-'));
    writeFileSync(join(repo, 'store.yaml'), STORE);
    writeFileSync(
      join(repo, 'generators.yaml'),
      `apiVersion: ${GV}
kind: Password
metadata: { name: too-short, namespace: app }
spec: { length: 8, digits: 5, symbols: 5 }
---
apiVersion: ${GV}
kind: ACRAccessToken
metadata: { name: acr, namespace: app }
spec:
  registry: example.azurecr.io
  auth: { managedIdentity: {} }
`,
    );
    const es = (name: string, kind: string, gen: string) => `apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: { name: ${name}, namespace: app }
spec:
  refreshInterval: 1h
  dataFrom:
    - sourceRef: { generatorRef: { apiVersion: ${GV}, kind: ${kind}, name: ${gen} } }
`;
    writeFileSync(join(repo, 'secrets.yaml'), [es('bad-spec', 'Password', 'too-short'), es('missing', 'UUID', 'nope'), es('acr', 'ACRAccessToken', 'acr')].join('---\n'));
    const r = dev(repo);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /✗ app\/bad-spec: InvalidSpec: Password too-short spec\.length: digits \(5\) and symbols \(5\) must be less than total length \(8\)/);
    assert.match(r.stdout, /✗ app\/missing: GeneratorNotFound: UUID "nope" in namespace "app" not found/);
    assert.match(r.stdout, /✗ app\/acr: NotSupported: .*projector dev does not run ACRAccessToken generators/);
    assert.match(r.stdout, /0 ExternalSecret\(s\) ready, 3 failing/);
    assert.doesNotMatch(r.stdout + r.stderr, /internal error/i);
  });
});
