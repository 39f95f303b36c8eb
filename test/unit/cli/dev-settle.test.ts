// dev --cluster's settle: when a reload counts as reconciled, so the state block follows it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ExternalSecret } from '../../../src/api/index.ts';
import { objectKey } from '../../../src/api/meta.ts';
import { settle } from '../../../src/cli/dev/dev-cluster.ts';
import { syncVersionOf } from '../../../src/core/external-secret.ts';
import { ObjectStore } from '../../../src/kube/object-store.ts';

function world(opts: { ready: boolean; busy: () => boolean }) {
  const es: ExternalSecret = {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name: 'db', namespace: 'team', generation: 2, uid: 'u' },
    spec: { secretStoreRef: { kind: 'ClusterSecretStore', name: 'akv' }, data: [{ secretKey: 'K', remoteRef: { key: 'db' } }] },
  } as ExternalSecret;
  if (opts.ready) es.status = { conditions: [{ type: 'Ready', status: 'True', reason: 'SecretSynced', message: 'ok', lastTransitionTime: '2026-12-01T00:00:00Z' }], syncedResourceVersion: syncVersionOf(es) } as never;
  const externalSecrets = new ObjectStore<ExternalSecret>();
  externalSecrets.upsert(es);
  const manager = {
    externalSecrets,
    pushSecrets: new ObjectStore(),
    clusterPushSecrets: new ObjectStore(),
    counters: { externalSecrets: { get inFlight() { return opts.busy() ? 1 : 0; }, queueDepth: () => 0 } },
  };
  const applied = { generations: new Map([[objectKey('team', 'db'), 2]]), pushGenerations: new Map(), pushDeleted: new Map(), repo: { externalSecrets: [es] } };
  return { manager: manager as never, applied: applied as never };
}

async function timed(p: Promise<void>): Promise<number> {
  const t0 = performance.now();
  await p;
  return performance.now() - t0;
}

describe('dev --cluster settle', () => {
  it('settles after three quiet polls once everything applied is reconciled', async () => {
    const w = world({ ready: true, busy: () => false });
    const ms = await timed(settle(w.manager, w.applied, 30_000));
    assert.ok(ms >= 250 && ms < 3_000, `${ms} ms`);
  });

  // A --refresh of 1s under load keeps a refresh queued or running at almost every poll.
  it('settles within about two seconds when everything is reconciled but the queue is never quiet', async () => {
    const w = world({ ready: true, busy: () => true });
    const ms = await timed(settle(w.manager, w.applied, 30_000));
    assert.ok(ms >= 1_900 && ms < 10_000, `${ms} ms`);
  });

  it('waits (to the limit) while what was applied is not reconciled, however quiet the queue', async () => {
    const w = world({ ready: false, busy: () => false });
    const ms = await timed(settle(w.manager, w.applied, 1_000));
    assert.ok(ms >= 1_000, `${ms} ms`);
  });
});
