// `projector check` on PushSecret destinations, through the real CLI process against the local
// vault: absent (a push creates it), ours (tag managed-by=external-secrets: replaced), someone
// else's (Replace refused, IfNotExists left), for a secret and a certificate. Values never printed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startVault, type StartedVault } from '../../src/vault/index.ts';
import { runProjector } from '../support/cli.ts';

const run = `${process.pid}-${Date.now().toString(36)}`;
const CANARIES = { clientSecret: `CANARY-client-secret-${run}`, ours: `CANARY-ours-${run}`, theirs: `CANARY-theirs-${run}` };
const CLIENT_ID = 'ci-push-check';

const STORE = `apiVersion: external-secrets.io/v1
kind: SecretStore
metadata: {name: kv, namespace: app}
spec:
  provider:
    azurekv:
      vaultUrl: "https://kv.vault.azure.net/"
      authType: ServicePrincipal
      tenantId: "00000000-0000-0000-0000-000000000000"
      authSecretRef:
        clientId: {name: sp, key: client-id}
        clientSecret: {name: sp, key: client-secret}
`;

const PUSH = `apiVersion: external-secrets.io/v1alpha1
kind: PushSecret
metadata: {name: app, namespace: app}
spec:
  secretStoreRefs: [{name: kv, kind: SecretStore}]
  selector: {secret: {name: src}}
  data:
    - match: {secretKey: a, remoteRef: {remoteKey: push-new}}
    - match: {secretKey: b, remoteRef: {remoteKey: push-ours}}
    - match: {secretKey: c, remoteRef: {remoteKey: push-theirs}}
    - match: {secretKey: tls, remoteRef: {remoteKey: cert/push-cert}}
---
apiVersion: external-secrets.io/v1alpha1
kind: PushSecret
metadata: {name: gentle, namespace: app}
spec:
  updatePolicy: IfNotExists
  secretStoreRefs: [{name: kv, kind: SecretStore}]
  selector: {secret: {name: src}}
  data:
    - match: {secretKey: c, remoteRef: {remoteKey: push-theirs}}
`;

describe('projector check: PushSecret destinations (CLI process, local vault)', { timeout: 300_000 }, () => {
  let dir: string;
  let vault: StartedVault;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'projector-check-push-'));
    vault = await startVault({ dataDir: join(dir, 'vault'), principals: [{ clientId: CLIENT_ID, clientSecret: CANARIES.clientSecret }] });
    await vault.admin.setSecret('push-ours', CANARIES.ours, { tags: { 'managed-by': 'external-secrets' } });
    await vault.admin.setSecret('push-theirs', CANARIES.theirs, { tags: { owner: 'someone-else' } });
    writeFileSync(join(dir, 'store.yaml'), STORE);
    writeFileSync(join(dir, 'push.yaml'), PUSH);
  });

  after(async () => {
    await vault?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reports each destination: created, replaced, refused under Replace, left under IfNotExists; exit 1 for the refusal', async () => {
    const env = { AZURE_TENANT_ID: vault.tenantId, AZURE_CLIENT_ID: CLIENT_ID, AZURE_CLIENT_SECRET: CANARIES.clientSecret };
    const r = await runProjector(['check', dir, '--vault-url', vault.url, '--authority-host', vault.authorityHost, '--ca-file', vault.caFile, '--tenant-id', vault.tenantId, '--no-progress', '--output', 'json'], {
      env,
      unset: ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET'],
    });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    for (const canary of Object.values(CANARIES)) assert.ok(!r.stdout.includes(canary) && !r.stderr.includes(canary), 'no value printed');
    const body = JSON.parse(r.stdout);
    const rows = body.results.map((x: any) => [x.kind, x.pushSecret, x.remote, x.result, x.detail]);
    assert.deepEqual(rows, [
      ['PushSecret', 'app/app', '→ push-new', 'ok', 'does not exist yet: a push creates it (write permission not tested)'],
      ['PushSecret', 'app/app', '→ push-ours', 'ok', 'exists, managed by external-secrets: a push replaces it (write permission not tested)'],
      ['PushSecret', 'app/app', '→ push-theirs', 'error', 'TargetOwnedElsewhere: push-theirs exists without the tag managed-by=external-secrets; updatePolicy Replace would be refused'],
      ['PushSecret', 'app/app', '→ cert/push-cert', 'ok', 'does not exist yet: a push creates it (write permission not tested)'],
      ['PushSecret', 'app/gentle', '→ push-theirs', 'ok', 'exists: left unchanged (updatePolicy IfNotExists)'],
    ]);
    const text = await runProjector(['check', dir, '--vault-url', vault.url, '--authority-host', vault.authorityHost, '--ca-file', vault.caFile, '--tenant-id', vault.tenantId, '--no-progress'], {
      env,
      unset: ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET'],
    });
    assert.match(text.stdout, /^PushSecret app\/app +c +→ push-theirs +error +TargetOwnedElsewhere/m);
    assert.match(text.stdout, /\(5 references in 0 ExternalSecrets and 2 PushSecrets, 5 vault reads\)/);
  });

  it('reports a ClusterPushSecret\'s destinations: a ClusterSecretStore once under its name, a SecretStore in each namespace defining it', async () => {
    const cpsDir = join(dir, 'cluster');
    mkdirSync(cpsDir);
    writeFileSync(join(cpsDir, 'store.yaml'), `${STORE}---
apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata: {name: shared}
spec:
  provider:
    azurekv:
      vaultUrl: "https://kv.vault.azure.net/"
      authType: ServicePrincipal
      tenantId: "00000000-0000-0000-0000-000000000000"
      authSecretRef:
        clientId: {name: sp, namespace: app, key: client-id}
        clientSecret: {name: sp, namespace: app, key: client-secret}
`);
    writeFileSync(join(cpsDir, 'cps.yaml'), `apiVersion: external-secrets.io/v1alpha1
kind: ClusterPushSecret
metadata: {name: fanout}
spec:
  pushSecretName: fanned
  namespaceSelectors: [{matchLabels: {team: app}}]
  pushSecretSpec:
    secretStoreRefs: [{name: shared, kind: ClusterSecretStore}, {name: kv, kind: SecretStore}]
    selector: {secret: {name: src}}
    data:
      - match: {secretKey: a, remoteRef: {remoteKey: push-new}}
      - match: {secretKey: c, remoteRef: {remoteKey: push-theirs}}
`);
    const env = { AZURE_TENANT_ID: vault.tenantId, AZURE_CLIENT_ID: CLIENT_ID, AZURE_CLIENT_SECRET: CANARIES.clientSecret };
    const args = ['check', cpsDir, '--vault-url', vault.url, '--authority-host', vault.authorityHost, '--ca-file', vault.caFile, '--tenant-id', vault.tenantId, '--no-progress'];
    const r = await runProjector([...args, '--output', 'json'], { env, unset: ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET'] });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    for (const canary of Object.values(CANARIES)) assert.ok(!r.stdout.includes(canary) && !r.stderr.includes(canary), 'no value printed');
    const body = JSON.parse(r.stdout);
    const rows = body.results.map((x: any) => [x.kind, x.pushSecret ?? null, x.clusterPushSecret, x.store, x.remote, x.result, x.origin?.replace(/^.*\//, '')]);
    assert.deepEqual(rows, [
      ['PushSecret', 'app/fanned', 'fanout', 'SecretStore/app/kv', '→ push-new', 'ok', 'cps.yaml:1'],
      ['PushSecret', 'app/fanned', 'fanout', 'SecretStore/app/kv', '→ push-theirs', 'error', 'cps.yaml:1'],
      ['ClusterPushSecret', null, 'fanout', 'ClusterSecretStore/shared', '→ push-new', 'ok', 'cps.yaml:1'],
      ['ClusterPushSecret', null, 'fanout', 'ClusterSecretStore/shared', '→ push-theirs', 'error', 'cps.yaml:1'],
    ]);
    const text = await runProjector(args, { env, unset: ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET'] });
    assert.match(text.stdout, /^ClusterPushSecret fanout +c +→ push-theirs +error +TargetOwnedElsewhere/m);
    assert.match(text.stdout, /\(4 references in 0 ExternalSecrets and 1 ClusterPushSecret, 4 vault reads\)/);
  });
});
