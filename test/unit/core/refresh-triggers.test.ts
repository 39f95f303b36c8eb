// Every cell of docs/refresh.md: each trigger under each refresh policy (and, for the target Secret,
// each creation policy), decided by the pure refreshReason with time from a fake clock.
// Expected values follow ESO's shouldRefresh / isSecretValid / getRequeueResult
// (pkg/controllers/externalsecret/externalsecret_controller.go) and the behaviour matrix of
// docs/guides/ownership-deletion-policy.md; the two deliberate differences are marked.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { refreshReason, untilNextRefresh, type LiveTargetMeta, type RefreshReason } from '../../../src/core/refresh.ts';
import { syncVersionOf } from '../../../src/core/external-secret.ts';
import { ANNOTATION_DATA_HASH, LABEL_MANAGED } from '../../../src/api/constants.ts';
import type { ExternalSecret } from '../../../src/api/index.ts';
import { externalSecret } from '../../support/builders.ts';
import { FakeClock } from '../../support/fake-clock.ts';

type Column = 'periodic' | 'periodic-0' | 'on-change' | 'created-once';
const COLUMNS: Column[] = ['periodic', 'periodic-0', 'on-change', 'created-once'];
type Creation = 'Owner' | 'Orphan' | 'Merge' | 'None';
const CREATIONS: Creation[] = ['Owner', 'Orphan', 'Merge', 'None'];

const SYNCED_AT = Date.parse('2026-11-23T10:00:00Z');
const HOUR = 3_600_000;

function spec(column: Column, creationPolicy: Creation = 'Owner'): Partial<ExternalSecret['spec']> {
  const target = { name: 'netbox-db-credentials', creationPolicy };
  switch (column) {
    case 'periodic':
      return { refreshPolicy: 'Periodic', refreshInterval: '1h', target };
    case 'periodic-0':
      return { refreshPolicy: 'Periodic', refreshInterval: '0', target };
    case 'on-change':
      return { refreshPolicy: 'OnChange', refreshInterval: '1h', target };
    case 'created-once':
      return { refreshPolicy: 'CreatedOnce', refreshInterval: '1h', target };
  }
}

/** An ExternalSecret as left by a successful sync at `at` (status as markSynced writes it). */
function syncedEs(column: Column, creation: Creation = 'Owner', at = SYNCED_AT): ExternalSecret {
  const es = externalSecret(spec(column, creation));
  return { ...es, status: { refreshTime: new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z'), syncedResourceVersion: syncVersionOf(es) } };
}

/** The target Secret as the managed-Secrets watch holds it after that sync. */
const intact: LiveTargetMeta = { metadata: { name: 'netbox-db-credentials', namespace: 'netbox', labels: { [LABEL_MANAGED]: 'true' }, annotations: { [ANNOTATION_DATA_HASH]: 'h1' } }, observedDataHash: 'h1' };
const edited: LiveTargetMeta = { ...intact, observedDataHash: 'h2' };

function withMeta(es: ExternalSecret, meta: Partial<ExternalSecret['metadata']>): ExternalSecret {
  return { ...es, metadata: { ...es.metadata, ...meta } };
}

/** A trigger: the state it leaves, the clock after it, and what each column must decide. */
interface Row {
  trigger: string;
  /** How long after the last sync the decision is made. */
  afterMs: number;
  apply(es: ExternalSecret): ExternalSecret;
  live?: LiveTargetMeta | undefined;
  storeChanged?: boolean;
  want: Record<Column, RefreshReason>;
}

const rows: Row[] = [
  {
    trigger: 'first reconcile (no status yet)',
    afterMs: 0,
    apply: (es) => ({ ...es, status: undefined }),
    want: { periodic: 'never-synced', 'periodic-0': 'never-synced', 'on-change': 'never-synced', 'created-once': 'never-synced' },
  },
  {
    trigger: 'nothing changed, interval not elapsed (a resync or a watch event)',
    afterMs: 10 * 60_000,
    apply: (es) => es,
    want: { periodic: 'up-to-date', 'periodic-0': 'up-to-date', 'on-change': 'up-to-date', 'created-once': 'up-to-date' },
  },
  {
    // ESO: RefreshTime + interval before now. Projector: the first grid point at least R/2 after the
    // sync (10:00 synced → 11:00); OnChange and CreatedOnce ignore the interval.
    trigger: 'refresh interval elapsed',
    afterMs: HOUR,
    apply: (es) => es,
    want: { periodic: 'interval-elapsed', 'periodic-0': 'up-to-date', 'on-change': 'up-to-date', 'created-once': 'up-to-date' },
  },
  {
    trigger: 'a day later',
    afterMs: 24 * HOUR,
    apply: (es) => es,
    want: { periodic: 'interval-elapsed', 'periodic-0': 'up-to-date', 'on-change': 'up-to-date', 'created-once': 'up-to-date' },
  },
  {
    // ESO shouldRefreshPeriodic: "if the last refresh time is in the future, we should refresh".
    trigger: 'status.refreshTime in the future (clock moved back)',
    afterMs: -10 * 60_000,
    apply: (es) => es,
    want: { periodic: 'interval-elapsed', 'periodic-0': 'up-to-date', 'on-change': 'up-to-date', 'created-once': 'up-to-date' },
  },
  {
    trigger: 'spec changed (generation)',
    afterMs: 60_000,
    apply: (es) => withMeta(es, { generation: 2 }),
    want: { periodic: 'spec-changed', 'periodic-0': 'up-to-date', 'on-change': 'spec-changed', 'created-once': 'up-to-date' },
  },
  {
    trigger: 'label added or changed',
    afterMs: 60_000,
    apply: (es) => withMeta(es, { labels: { team: 'blue' } }),
    want: { periodic: 'spec-changed', 'periodic-0': 'up-to-date', 'on-change': 'spec-changed', 'created-once': 'up-to-date' },
  },
  {
    trigger: 'force-sync annotation set or changed',
    afterMs: 60_000,
    apply: (es) => withMeta(es, { annotations: { 'force-sync': '1700000000' } }),
    want: { periodic: 'spec-changed', 'periodic-0': 'up-to-date', 'on-change': 'spec-changed', 'created-once': 'up-to-date' },
  },
  {
    trigger: 'any other annotation changed',
    afterMs: 60_000,
    apply: (es) => withMeta(es, { annotations: { 'example.com/note': 'x' } }),
    want: { periodic: 'spec-changed', 'periodic-0': 'up-to-date', 'on-change': 'spec-changed', 'created-once': 'up-to-date' },
  },
  {
    trigger: 'status-only change (our own status write)',
    afterMs: 60_000,
    apply: (es) => ({ ...es, status: { ...es.status, conditions: [{ type: 'Ready', status: 'True', reason: 'SecretSynced', message: '', lastTransitionTime: '2026-11-23T10:00:00Z' }] } }),
    want: { periodic: 'up-to-date', 'periodic-0': 'up-to-date', 'on-change': 'up-to-date', 'created-once': 'up-to-date' },
  },
  {
    // Deliberate difference: ESO does not watch stores (the change shows at the next interval).
    trigger: 'a store it reads from changed its spec',
    afterMs: 60_000,
    apply: (es) => es,
    storeChanged: true,
    want: { periodic: 'store-changed', 'periodic-0': 'up-to-date', 'on-change': 'up-to-date', 'created-once': 'up-to-date' },
  },
  {
    trigger: 'target Secret metadata edited, data untouched (resourceVersion changed)',
    afterMs: 60_000,
    apply: (es) => es,
    live: { ...intact, metadata: { ...intact.metadata, labels: { ...intact.metadata.labels, other: 'x' }, resourceVersion: '99' } },
    want: { periodic: 'up-to-date', 'periodic-0': 'up-to-date', 'on-change': 'up-to-date', 'created-once': 'up-to-date' },
  },
];

describe('refresh triggers × refresh policy (creationPolicy Owner, target intact)', () => {
  for (const row of rows) {
    for (const column of COLUMNS) {
      it(`${row.trigger} / ${column} → ${row.want[column]}`, async () => {
        const clock = new FakeClock(SYNCED_AT);
        const es = row.apply(syncedEs(column));
        if (row.afterMs >= 0) await clock.advance(row.afterMs);
        const now = row.afterMs >= 0 ? clock.now() : new Date(SYNCED_AT + row.afterMs);
        const live = 'live' in row ? row.live : intact;
        assert.equal(refreshReason(es, live, now, row.storeChanged ?? false), row.want[column]);
      });
    }
  }
});

// The target Secret's validity depends on creationPolicy alone, whatever the refresh policy
// (ESO isSecretValid runs on every reconcile): Owner and Merge repair at once, Orphan waits for a
// due refresh, None never writes.
const targetRows: { trigger: string; live: LiveTargetMeta | undefined; want: Record<Creation, RefreshReason> }[] = [
  {
    trigger: 'target Secret deleted',
    live: undefined,
    want: { Owner: 'target-missing', Orphan: 'up-to-date', Merge: 'target-missing', None: 'up-to-date' },
  },
  {
    // The watch selects the managed label: a Secret that lost it is absent from the cache.
    trigger: 'managed label removed from the target Secret',
    live: undefined,
    want: { Owner: 'target-missing', Orphan: 'up-to-date', Merge: 'target-missing', None: 'up-to-date' },
  },
  {
    trigger: 'target Secret data edited (data-hash mismatch)',
    live: edited,
    want: { Owner: 'target-drifted', Orphan: 'up-to-date', Merge: 'target-drifted', None: 'up-to-date' },
  },
  {
    trigger: 'data-hash annotation removed',
    live: { ...intact, metadata: { ...intact.metadata, annotations: {} } },
    want: { Owner: 'target-drifted', Orphan: 'up-to-date', Merge: 'target-drifted', None: 'up-to-date' },
  },
];

describe('target Secret deleted / edited × creationPolicy × refresh policy (no refresh due)', () => {
  for (const row of targetRows) {
    for (const creation of CREATIONS) {
      for (const column of COLUMNS) {
        it(`${row.trigger} / ${creation} / ${column} → ${row.want[creation]}`, async () => {
          const clock = new FakeClock(SYNCED_AT);
          await clock.advance(60_000);
          assert.equal(refreshReason(syncedEs(column, creation), row.live, clock.now()), row.want[creation]);
        });
      }
    }
  }
});

describe('Orphan: a deleted or edited target waits for a due refresh (ESO behaviour matrix)', () => {
  for (const [what, live] of [
    ['a deleted', undefined],
    ['an edited', edited],
  ] as const) {
    it(`Periodic re-creates / reverts ${what} Secret at the next interval, not before`, async () => {
      const clock = new FakeClock(SYNCED_AT);
      const es = syncedEs('periodic', 'Orphan');
      await clock.advance(HOUR - 1);
      assert.equal(refreshReason(es, live, clock.now()), 'up-to-date');
      await clock.advance(1);
      assert.equal(refreshReason(es, live, clock.now()), 'interval-elapsed');
    });
    it(`OnChange re-creates / reverts ${what} Secret only on an ExternalSecret change`, async () => {
      const clock = new FakeClock(SYNCED_AT);
      const es = syncedEs('on-change', 'Orphan');
      await clock.advance(24 * HOUR);
      assert.equal(refreshReason(es, live, clock.now()), 'up-to-date');
      assert.equal(refreshReason(withMeta(es, { annotations: { 'force-sync': '1' } }), live, clock.now()), 'spec-changed');
    });
    for (const column of ['created-once', 'periodic-0'] as const) {
      it(`${column} never re-creates / reverts ${what} Secret, even on an ExternalSecret change`, async () => {
        const clock = new FakeClock(SYNCED_AT);
        const es = syncedEs(column, 'Orphan');
        await clock.advance(24 * HOUR);
        assert.equal(refreshReason(withMeta(es, { generation: 7, annotations: { 'force-sync': '1' } }), live, clock.now()), 'up-to-date');
      });
    }
  }
});

describe('Merge waiting for its Secret (Ready reason SecretMissing)', () => {
  it('merges as soon as the Secret appears, for every refresh policy (deliberate: ESO waits for the interval)', () => {
    for (const column of COLUMNS) {
      const es = syncedEs(column, 'Merge');
      const waiting = { ...es, status: { ...es.status, conditions: [{ type: 'Ready', status: 'True', reason: 'SecretMissing', message: 'secret will not be created due to CreationPolicy=Merge' }] } };
      assert.equal(refreshReason(waiting, intact, new Date(SYNCED_AT + 1_000)), 'target-missing', column);
      assert.equal(refreshReason(es, intact, new Date(SYNCED_AT + 1_000)), 'up-to-date', column);
    }
  });
});

describe('fresh-read reasons win over target repair', () => {
  it('a spec change and a deleted target in one reconcile read afresh (spec-changed)', () => {
    assert.equal(refreshReason(withMeta(syncedEs('periodic'), { generation: 2 }), undefined, new Date(SYNCED_AT + 1)), 'spec-changed');
  });
  it('a due interval and an edited target read the wave (interval-elapsed)', () => {
    assert.equal(refreshReason(syncedEs('periodic'), edited, new Date(SYNCED_AT + HOUR)), 'interval-elapsed');
  });
});

describe('next scheduled refresh (requeueAfter) by refresh policy', () => {
  const want: Record<Column, number | undefined> = { periodic: HOUR - 10 * 60_000, 'periodic-0': undefined, 'on-change': undefined, 'created-once': undefined };
  for (const column of COLUMNS) {
    it(`${column} → ${want[column] ?? 'none (the watches and the resync cover target repair)'}`, async () => {
      const clock = new FakeClock(SYNCED_AT);
      await clock.advance(10 * 60_000);
      assert.equal(untilNextRefresh(syncedEs(column), clock.now()), want[column]);
    });
  }
  it('refreshPolicy unset behaves as Periodic', () => {
    const es = externalSecret({ refreshInterval: '1h' });
    const synced = { ...es, status: { refreshTime: '2026-11-23T10:00:00Z', syncedResourceVersion: syncVersionOf(es) } };
    assert.equal(refreshReason(withMeta(synced, { generation: 3 }), intact, new Date(SYNCED_AT + 1)), 'spec-changed');
    assert.equal(refreshReason(synced, intact, new Date(SYNCED_AT + HOUR)), 'interval-elapsed');
    assert.equal(untilNextRefresh(synced, new Date(SYNCED_AT)), HOUR);
  });
  it('refreshInterval "0s" is zero too: no periodic refresh, no refresh on a spec change', () => {
    const es = externalSecret({ refreshInterval: '0s' });
    const synced = { ...es, status: { refreshTime: '2026-11-23T10:00:00Z', syncedResourceVersion: syncVersionOf(es) } };
    assert.equal(refreshReason(withMeta(synced, { generation: 3 }), intact, new Date(SYNCED_AT + 24 * HOUR)), 'up-to-date');
    assert.equal(untilNextRefresh(synced, new Date(SYNCED_AT)), undefined);
  });
});
