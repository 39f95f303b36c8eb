// ESO's handling of the target Secret write on a real API server, checked against ESO v2.9
// pkg/controllers/externalsecret/externalsecret_controller.go:
// - Reconcile, creationPolicy Owner: deleteOrphanedSecrets runs before the write, deleting every
//   Secret labelled reconcile.external-secrets.io/created-by=<hash of the ExternalSecret> that is
//   not the current target, with a Normal `Deleted` event eventDeletedOrphaned;
// - Reconcile after the write: `apierrors.IsConflict(err)` → `Result{Requeue: true}`, no condition,
//   no event (updateSecret returns the conflict unwrapped).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlPlane, type ControlPlane } from '../../support/controlplane.ts';
import { Cluster } from '../../support/cluster.ts';
import { startOperator, type RunningOperator } from '../../support/operator.ts';
import { eventually } from '../../support/eventually.ts';

const NS = 'target-writes';

function fakeStore(value: string) {
  return { apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name: 'fake-store' }, spec: { provider: { fake: { data: [{ key: 'db-password', value }] } } } };
}

function es(name: string, target: Record<string, unknown>) {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name, namespace: NS },
    spec: { refreshInterval: '1h', secretStoreRef: { kind: 'ClusterSecretStore', name: 'fake-store' }, target, data: [{ secretKey: 'password', remoteRef: { key: 'db-password' } }] },
  };
}

describe('target Secret writes as ESO makes them (real API server)', { timeout: 300_000 }, () => {
  let cp: ControlPlane;
  let k: Cluster;
  let op: RunningOperator;
  let dir: string;
  /** Set by a test: the next render for this ExternalSecret changes its target first (a second writer). */
  let touchBeforeWrite: { es: string; secret: string } | undefined;

  /**
   * Another writer changes the target Secret between the operator's read and its write: a merge patch
   * sent from a child process, run synchronously inside the template render, which comes after the
   * operator's GET of the target and before its PUT (guarded by the resourceVersion it read).
   */
  function touchSecret(name: string): void {
    const script = `const r = await fetch(process.env.URL, { method: 'PATCH', headers: { authorization: 'Bearer ' + process.env.TOKEN, 'content-type': 'application/merge-patch+json' }, body: JSON.stringify({ metadata: { labels: { 'touched-by': 'test' } } }) }); process.exit(r.ok ? 0 : 1);`;
    execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { URL: `${cp.server}/api/v1/namespaces/${NS}/secrets/${name}`, TOKEN: cp.users[0]!.token, NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') },
      stdio: 'ignore',
      timeout: 20_000,
    });
  }

  before(async () => {
    cp = await startControlPlane();
    dir = mkdtempSync(join(tmpdir(), 'target-writes-'));
    writeFileSync(join(dir, 'ca.pem'), cp.caPem);
    k = new Cluster(cp.admin);
    await k.installCrds();
    op = await startOperator(cp.admin, {
      wrapRenderer: (inner) => (e, data, sources) => {
        const t = touchBeforeWrite;
        if (t && e.metadata.name === t.es) {
          touchBeforeWrite = undefined;
          touchSecret(t.secret);
        }
        return inner(e, data, sources);
      },
    });
    await k.namespace(NS);
    await k.apply([fakeStore('v1') as any]);
  });

  after(async () => {
    await op?.stop();
    await cp?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('creationPolicy Owner: renaming spec.target.name deletes the Secret created under the old name, with a Normal Deleted event (ESO deleteOrphanedSecrets)', async () => {
    await k.apply([es('renamed', { name: 'old-name', creationPolicy: 'Owner' }) as any]);
    await eventually(() => k.secretValue(NS, 'old-name', 'password'), 'v1', { timeoutMs: 20_000 });
    const created = await k.secret(NS, 'old-name');
    assert.ok(created.metadata.labels['reconcile.external-secrets.io/created-by']);

    await k.apply([es('renamed', { name: 'new-name', creationPolicy: 'Owner' }) as any]);
    await eventually(() => k.secretValue(NS, 'new-name', 'password'), 'v1', { timeoutMs: 20_000 });
    await eventually(() => k.secret(NS, 'old-name'), undefined, { timeoutMs: 20_000, message: 'the old target is deleted' });
    const events = await eventually(
      () => k.events(NS),
      (ev) => ev.some((e) => e.name === 'renamed' && e.type === 'Normal' && e.reason === 'Deleted'),
      { timeoutMs: 20_000 },
    );
    assert.deepEqual(
      events.filter((e) => e.name === 'renamed' && e.reason === 'Deleted').map((e) => e.message),
      ['secret deleted because it was orphaned'],
    );
    assert.equal((await k.ready(NS, 'externalsecrets', 'renamed')).status, 'True');
  });

  it('creationPolicy Orphan: renaming spec.target.name leaves the old Secret (ESO deletes orphans only under Owner)', async () => {
    await k.apply([es('kept', { name: 'kept-old', creationPolicy: 'Orphan' }) as any]);
    await eventually(() => k.secretValue(NS, 'kept-old', 'password'), 'v1', { timeoutMs: 20_000 });
    await k.apply([es('kept', { name: 'kept-new', creationPolicy: 'Orphan' }) as any]);
    await eventually(() => k.secretValue(NS, 'kept-new', 'password'), 'v1', { timeoutMs: 20_000 });
    // Orphans would have gone before the new target was written.
    assert.equal(await k.secretValue(NS, 'kept-old', 'password'), 'v1');
  });

  it('a 409 Conflict on the Secret write requeues at once: no Warning event, Ready never leaves True, the value lands (ESO Result{Requeue: true})', async () => {
    await k.apply([es('conflict', { name: 'conflict-target', creationPolicy: 'Owner', template: { type: 'Opaque' } }) as any]);
    await eventually(() => k.secretValue(NS, 'conflict-target', 'password'), 'v1', { timeoutMs: 20_000 });
    const readyBefore = await eventually(() => k.ready(NS, 'externalsecrets', 'conflict'), (r) => r.status === 'True', { timeoutMs: 20_000 });

    touchBeforeWrite = { es: 'conflict', secret: 'conflict-target' };
    // A store spec change refreshes its Periodic users at once.
    await k.apply([fakeStore('v2') as any]);
    await eventually(() => k.secretValue(NS, 'conflict-target', 'password'), 'v2', { timeoutMs: 30_000 });
    assert.equal(touchBeforeWrite, undefined, 'the second writer ran');
    assert.equal((await k.secret(NS, 'conflict-target')).metadata.labels['touched-by'], 'test');
    assert.match(op.logs(), /conflict while writing the target Secret; requeued/, 'the write answered 409 Conflict');

    const readyAfter = await k.ready(NS, 'externalsecrets', 'conflict');
    assert.equal(readyAfter.status, 'True');
    assert.equal(readyAfter.lastTransitionTime, readyBefore.lastTransitionTime, 'Ready never turned False');
    const warnings = (await k.events(NS)).filter((e) => e.name === 'conflict' && e.type === 'Warning');
    assert.deepEqual(warnings, []);
  });
});
