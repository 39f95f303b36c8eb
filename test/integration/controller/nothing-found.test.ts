// "Nothing found" per deletionPolicy, as ESO v2.9 does it (issue 9), through the operator on a real
// API server with the local vault as Azure Key Vault. Every row: both remote secrets present and
// synced, then a transient 404 burst (the remote secrets deleted and purged: a find that matches
// nothing, every data[] ref 404, or one of two), then the remote secrets recreated.
//
// Expected outcomes come from ESO's source (pkg/controllers/externalsecret/externalsecret_controller.go
// Reconcile, the `len(dataMap) == 0` switch; externalsecret_controller_secret.go GetProviderSecretData,
// which skips a NoSecretError ref with a MissingProviderSecret event unless deletionPolicy is Retain;
// providers/v1/azure/keyvault parseError: a 404 is esv1.NoSecretError, a find that matches nothing is
// an empty map) and were captured from ESO's own controller with bench/eso-side-by-side.ts (`--only nf-`).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { HowtoEnv } from '../howto/howto-env.ts';
import { eventually } from '../../support/eventually.ts';

type Deletion = 'Retain' | 'Delete' | 'Merge';
type Creation = 'Owner' | 'Orphan' | 'Merge';
type Scenario = 'find' | 'all404' | 'some404';

/** What the Secret and the Ready condition are during the burst. `A`/`B` stand for the two synced keys. */
interface During {
  /** `unchanged`: same resourceVersion and bytes; `absent`: deleted; otherwise the exact keys. */
  secret: 'unchanged' | 'absent' | string[];
  ready: { status: 'True' | 'False'; reason: string; message: RegExp };
  /** Events that must have been recorded for the ExternalSecret (type reason message). */
  events: { type: 'Normal' | 'Warning'; reason: string; message: RegExp }[];
}

const SYNCED = { status: 'True', reason: 'SecretSynced', message: /^secret synced$/ } as const;

function during(deletion: Deletion, creation: Creation, scenario: Scenario, ns: string): During {
  const missing = (i: number) => ({ type: 'Normal' as const, reason: 'MissingProviderSecret', message: new RegExp(`^secret does not exist at provider using spec\\.data\\[${i}\\] \\(key=${ns}-${'ab'[i]}\\)$`) });
  const foreign = creation === 'Merge' ? ['foreign'] : [];
  if (deletion === 'Retain') {
    // Retain: a NoSecretError is an error (GetProviderSecretData returns it); a find that matched
    // nothing gives no data, and `case DeletionPolicyRetain` marks it done without touching the Secret.
    return scenario === 'find'
      ? { secret: 'unchanged', ready: { status: 'True', reason: 'SecretSynced', message: /^secret retained due to DeletionPolicy=Retain$/ }, events: [] }
      : {
          secret: 'unchanged',
          ready: { status: 'False', reason: 'SecretSyncedError', message: new RegExp(`^VaultNotFound: .*${ns}-${scenario === 'all404' ? 'a' : 'b'}`) },
          events: [{ type: 'Warning', reason: 'UpdateFailed', message: /^VaultNotFound: / }],
        };
  }
  const skipped = scenario === 'all404' ? [missing(0), missing(1)] : scenario === 'some404' ? [missing(1)] : [];
  if (scenario === 'some404') {
    // One key left: written as usual without the missing one.
    return { secret: ['A', ...foreign], ready: SYNCED, events: [...skipped, { type: 'Normal', reason: 'Updated', message: /^secret updated$/ }] };
  }
  if (deletion === 'Delete') {
    return creation === 'Owner'
      ? { secret: 'absent', ready: { status: 'True', reason: 'SecretDeleted', message: /^secret deleted due to DeletionPolicy=Delete$/ }, events: [...skipped, { type: 'Normal', reason: 'Deleted', message: /^secret deleted due to DeletionPolicy=Delete$/ }] }
      : {
          // errDeleteCreatePolicy: only an Owner ExternalSecret deletes.
          secret: 'unchanged',
          ready: { status: 'False', reason: 'SecretSyncedError', message: /^InvalidSpec: unable to delete secret app: creationPolicy=Orphan is not Owner$/ },
          events: [...skipped, { type: 'Warning', reason: 'UpdateFailed', message: /unable to delete secret app: creationPolicy=Orphan is not Owner/ }],
        };
  }
  // deletionPolicy Merge: `case DeletionPolicyMerge` falls through to the write: this
  // ExternalSecret's keys are taken out (Owner and Orphan clear the data, Merge keeps others' keys).
  return { secret: [...foreign], ready: SYNCED, events: [...skipped, { type: 'Normal', reason: 'Updated', message: /^secret updated$/ }] };
}

const ROWS: [Deletion, Creation][] = [
  ['Retain', 'Owner'], ['Retain', 'Orphan'], ['Retain', 'Merge'],
  ['Delete', 'Owner'], ['Delete', 'Orphan'],
  ['Merge', 'Owner'], ['Merge', 'Orphan'], ['Merge', 'Merge'],
];
const SCENARIOS: Scenario[] = ['find', 'all404', 'some404'];
/** How long a state reached during the burst must hold (the refresh interval is 1 s). */
const HOLD_MS = 3_000;
const TIMEOUT_MS = 60_000;
const MEMBERS_NS = 'nf-members';

describe('nothing found: every deletionPolicy × creationPolicy × {find empty, all refs 404, some refs 404}, with a transient 404 burst', { timeout: 900_000 }, () => {
  let env: HowtoEnv;
  const k = () => env.k;

  before(async () => {
    const clientSecret = `canary-nothing-found-client-secret-${process.pid}`;
    env = await HowtoEnv.start({ principals: [{ clientId: 'nf-sp', clientSecret }] });
    env.canaries.values.push(clientSecret);
    await env.applyCredentialsSecret('nf-sp', clientSecret);
    const store = env.howtoStore();
    store.metadata.name = 'akv';
    await env.k.apply([store]);
  });

  after(async () => {
    try {
      if (env) await env.assertNoLeaks([...ROWS.flatMap(([d, c]) => SCENARIOS.map((s) => `nf-${d}-${c}-${s}`.toLowerCase())), MEMBERS_NS]);
    } finally {
      await env?.stop();
    }
  });

  describe('rows', { concurrency: true }, () => {
    for (const [deletion, creation] of ROWS) {
      for (const scenario of SCENARIOS) {
        const ns = `nf-${deletion}-${creation}-${scenario}`.toLowerCase();
        it(`${deletion} × ${creation} × ${scenario}`, async () => {
          const remote = { A: `${ns}-a`, B: `${ns}-b` };
          // Secret keys: find keys are the vault secret names; data[] keys are a and b.
          const key = (x: string) => (x === 'A' || x === 'B' ? (scenario === 'find' ? remote[x] : x.toLowerCase()) : x);
          const values = { A: env.canaries.next('nf-a'), B: env.canaries.next('nf-b') };
          await k().namespace(ns);
          if (creation === 'Merge') await k().apply([{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'app', namespace: ns }, stringData: { foreign: 'kept' } } as never]);
          await env.vault.admin.setSecret(remote.A, values.A);
          await env.vault.admin.setSecret(remote.B, values.B);
          const source = scenario === 'find'
            ? { dataFrom: [{ find: { name: { regexp: `^${ns}-` } } }] }
            : { data: [{ secretKey: 'a', remoteRef: { key: remote.A } }, { secretKey: 'b', remoteRef: { key: remote.B } }] };
          await k().apply([{
            apiVersion: 'external-secrets.io/v1',
            kind: 'ExternalSecret',
            metadata: { name: 'app', namespace: ns },
            spec: { refreshInterval: '1s', secretStoreRef: { kind: 'ClusterSecretStore', name: 'akv' }, target: { name: 'app', creationPolicy: creation, deletionPolicy: deletion }, ...source },
          } as never]);
          const readyOf = () => k().ready(ns, 'externalsecrets', 'app');
          const bothKeys = [key('A'), key('B'), ...(creation === 'Merge' ? ['foreign'] : [])].sort();
          const synced = async (what: string) => {
            await eventually(() => readyOf(), (r) => r.status === 'True' && r.message === 'secret synced', { timeoutMs: TIMEOUT_MS, message: `${ns}: Ready=True secret synced ${what}` });
            return eventually(() => k().secret(ns, 'app'), (s: any) => s && JSON.stringify(Object.keys(s.data ?? {}).sort()) === JSON.stringify(bothKeys), { timeoutMs: TIMEOUT_MS, message: `${ns}: both keys ${what}` });
          };
          const first = await synced('before the burst');
          assert.equal(Buffer.from(first.data[key('A')], 'base64').toString(), values.A);

          // The burst: the remote secrets are deleted (and purged, so they can be created again).
          const gone = scenario === 'some404' ? (['B'] as const) : (['A', 'B'] as const);
          // In one tick (the admin calls change the state before their first await): a refresh between
          // two separate deletions would rightly see A gone and B still there and write B alone.
          await Promise.all(gone.map((g) => env.vault.admin.deleteSecret(remote[g])));
          await Promise.all(gone.map((g) => env.vault.admin.purgeSecret(remote[g])));
          const want = during(deletion, creation, scenario, ns);
          const observe = async () => {
            const [s, r] = await Promise.all([k().secret(ns, 'app'), readyOf()]);
            const secret = !s ? 'absent' : s.metadata.resourceVersion === first.metadata.resourceVersion ? 'unchanged' : JSON.stringify(Object.keys(s.data ?? {}).sort());
            return { secret, ready: `${r.status} ${r.reason} ${r.message}` };
          };
          const expectedSecret = typeof want.secret === 'string' ? want.secret : JSON.stringify(want.secret.map(key).sort());
          const matches = (o: { secret: string; ready: string }) => o.secret === expectedSecret && want.ready.message.test(o.ready.split(' ').slice(2).join(' ')) && o.ready.startsWith(`${want.ready.status} ${want.ready.reason} `);
          await eventually(observe, matches, { timeoutMs: TIMEOUT_MS, message: `${ns}: during the burst ${expectedSecret} / ${want.ready.status} ${want.ready.reason} ${want.ready.message}` });
          // It holds over several refreshes (no flapping, nothing written or deleted later).
          const until = Date.now() + HOLD_MS;
          while (Date.now() < until) {
            const o = await observe();
            assert.ok(matches(o), `${ns}: the state during the burst changed to ${JSON.stringify(o)}`);
            await sleep(200);
          }
          const events = await eventually(
            async () => (await k().events(ns)).filter((e) => e.name === 'app'),
            (evs) => want.events.every((w) => evs.some((e) => e.type === w.type && e.reason === w.reason && w.message.test(e.message ?? ''))),
            { timeoutMs: TIMEOUT_MS, message: `${ns}: events ${want.events.map((w) => `${w.type} ${w.reason}`).join(', ')}` },
          );
          if (deletion === 'Retain') assert.ok(!events.some((e) => e.reason === 'MissingProviderSecret' || e.reason === 'Deleted'), `${ns}: Retain skips nothing and deletes nothing`);
          if (want.secret === 'unchanged') {
            const s = await k().secret(ns, 'app');
            assert.equal(Buffer.from(s.data[key('A')], 'base64').toString(), values.A, `${ns}: the value is kept`);
          }

          // The remote secrets come back (new values).
          const again = { A: env.canaries.next('nf-a2'), B: env.canaries.next('nf-b2') };
          for (const g of gone) await env.vault.admin.setSecret(remote[g], again[g]);
          if (deletion === 'Delete' && creation === 'Orphan' && scenario !== 'some404') {
            // ESO returns without a requeue after errDeleteCreatePolicy (a spec error): it stays failed,
            // the Secret untouched, until the spec changes (captured with ESO's controller too).
            const stuckUntil = Date.now() + HOLD_MS;
            while (Date.now() < stuckUntil) {
              const o = await observe();
              assert.ok(matches(o), `${ns}: after the burst the failed state changed to ${JSON.stringify(o)}`);
              await sleep(200);
            }
            const es = await k().externalSecret(ns, 'app');
            await k().apply([{ ...es, metadata: { name: 'app', namespace: ns }, spec: { ...es.spec, target: { ...es.spec.target, creationPolicy: 'Owner' } }, status: undefined }]);
          }
          const after = await eventually(
            async () => synced('after the burst'),
            (s: any) => Buffer.from(s.data[key(gone[0])] ?? '', 'base64').toString() === again[gone[0]],
            { timeoutMs: TIMEOUT_MS, message: `${ns}: the recreated value is synced` },
          );
          if (creation === 'Merge') assert.equal(Buffer.from(after.data.foreign, 'base64').toString(), 'kept');
        });
      }
    }
  });

  // Issue 9 item 5: a JSON member name inside a secret value is part of the value. Keys that the API
  // server would refuse are reported by position; the canary names must appear in no status, event,
  // operator log or vault log (checked in `after`).
  describe('JSON member names are never printed', { concurrency: true }, () => {
    const es = (name: string, spec: Record<string, unknown>) => ({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name, namespace: MEMBERS_NS },
      spec: { refreshInterval: '1h', secretStoreRef: { kind: 'ClusterSecretStore', name: 'akv' }, target: { name }, ...spec },
    });
    const failsWith = (name: string, message: RegExp) =>
      eventually(() => k().ready(MEMBERS_NS, 'externalsecrets', name), (r) => r.status === 'False' && message.test(r.message ?? ''), { timeoutMs: TIMEOUT_MS, message: `${name}: Ready=False ${message}` });

    before(async () => {
      await k().namespace(MEMBERS_NS);
    });

    it('dataFrom.extract: a member name the API server refuses (letters outside ASCII survive conversionStrategy Default) is named by position', async () => {
      // A name made only of letters: ESO's Default conversion keeps it, the API server would refuse it.
      const member = `canaryключ${env.canaries.next('m').replace(/[^a-z0-9]/g, '')}`;
      env.canaries.values.push(member);
      await env.vault.admin.setSecret('nf-members-json', JSON.stringify({ ok: 'fine', [member]: env.canaries.next('v') }));
      await k().apply([es('extract', { dataFrom: [{ extract: { key: 'nf-members-json' } }] }) as never]);
      const r = await failsWith('extract', /^VaultBadValue: member #2 of the value of remote key "nf-members-json" \(spec\.dataFrom\[0\]\.extract\) gives a Secret key that must consist of/);
      assert.match(r.message!, /not shown/);
      assert.equal(await k().secret(MEMBERS_NS, 'extract'), undefined);
      await eventually(() => k().events(MEMBERS_NS), (ev) => ev.some((e) => e.name === 'extract' && e.type === 'Warning' && /member #2/.test(e.message ?? '')), { message: 'Warning event by position' });
    });

    it('two members that convert to one key (ESO: "secret name collision during conversion") are named by position', async () => {
      const base = env.canaries.next('c').replace(/[^a-z0-9]/g, '');
      env.canaries.values.push(`${base} x`, `${base}_x`);
      await env.vault.admin.setSecret('nf-members-collide', JSON.stringify({ [`${base} x`]: '1', [`${base}_x`]: '2' }));
      await k().apply([es('collide', { dataFrom: [{ extract: { key: 'nf-members-collide' } }] }) as never]);
      await failsWith('collide', /^VaultBadValue: member #1 of the value .* and member #2 of the value .* convert to the same Secret key \(conversionStrategy Default\)/);
    });

    it('a templateFrom literal that renders a value as a key is named by position', async () => {
      const rendered = `canaryкey${env.canaries.next('t').replace(/[^a-z0-9]/g, '')}`;
      env.canaries.values.push(rendered);
      await env.vault.admin.setSecret('nf-members-name', rendered);
      await k().apply([es('rendered', {
        data: [{ secretKey: 'name', remoteRef: { key: 'nf-members-name' } }],
        target: { name: 'rendered', template: { templateFrom: [{ literal: '{{ .name }}: fixed' }] } },
      }) as never]);
      await failsWith('rendered', /^VaultBadValue: key #1 rendered by spec\.target\.template\.templateFrom\[0\]\.literal is not a valid Secret key/);
    });
  });
});
