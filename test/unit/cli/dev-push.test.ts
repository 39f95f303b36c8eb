// `projector dev --cluster` and PushSecrets (src/cli/dev/dev-push.ts): which repository Secrets are
// applied as their sources, how their state is shown (remote keys, conditions; never a value), when
// an apply counts as answered, and the --once summary with pushes (dev-session.ts onceSummary).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClusterPushSecret, PushSecret } from '../../../src/api/index.ts';
import { pushDeletedLine, pushedKeys, pushSettled, pushSourceSecrets, pushStateLines } from '../../../src/cli/dev/dev-push.ts';
import { loadAndReport, onceSummary } from '../../../src/cli/dev/dev-session.ts';
import { loadRepoObjects } from '../../../src/cli/repo-objects.ts';
import { pushStatusFailed, pushStatusSynced, pushSyncVersionOf } from '../../../src/core/push-secret.ts';
import { cpsStatusDone } from '../../../src/core/cluster-push-secret.ts';

const NOW = new Date('2026-01-02T03:04:05Z');

function ps(name: string, ns: string, selector: PushSecret['spec']['selector'], extra: Partial<PushSecret['spec']> = {}, generation = 1): PushSecret {
  return {
    apiVersion: 'external-secrets.io/v1alpha1',
    kind: 'PushSecret',
    metadata: { name, namespace: ns, generation },
    spec: { secretStoreRefs: [{ kind: 'ClusterSecretStore', name: 'akv' }], selector, data: [{ match: { secretKey: 'a', remoteRef: { remoteKey: 'remote-a' } } }], ...extra },
  } as PushSecret;
}

function cps(name: string, selector: PushSecret['spec']['selector']): ClusterPushSecret {
  return { apiVersion: 'external-secrets.io/v1alpha1', kind: 'ClusterPushSecret', metadata: { name }, spec: { namespaceSelectors: [{ matchLabels: { team: 'a' } }], pushSecretSpec: ps('x', '', selector).spec } } as ClusterPushSecret;
}

const secret = (name: string, namespace: string, labels?: Record<string, string>) => ({ metadata: { name, namespace, ...(labels && { labels }) }, stringData: { a: 'not-printed' } });

describe('dev --cluster: the source Secrets applied beside the PushSecrets', () => {
  it('takes a Secret named in the PushSecret\'s namespace, one its label selector matches there, and one a ClusterPushSecret reads anywhere; leaves the rest', () => {
    const secrets = [secret('named', 'app'), secret('named', 'other'), secret('labelled', 'app', { push: 'yes' }), secret('unlabelled', 'app'), secret('labelled-elsewhere', 'other', { push: 'yes' }), secret('for-cps', 'team-ns')];
    const chosen = pushSourceSecrets({
      secrets,
      pushSecrets: [ps('by-name', 'app', { secret: { name: 'named' } }), ps('by-label', 'app', { secret: { selector: { matchLabels: { push: 'yes' } } } })],
      clusterPushSecrets: [cps('c', { secret: { name: 'for-cps' } })],
    });
    assert.deepEqual(chosen.map((s) => `${s.metadata.namespace}/${s.metadata.name}`), ['app/named', 'app/labelled', 'team-ns/for-cps']);
  });

  it('takes nothing for a generator source or without push objects', () => {
    assert.deepEqual(pushSourceSecrets({ secrets: [secret('s', 'app')], pushSecrets: [ps('g', 'app', { generatorRef: { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Password', name: 'p' } })] }), []);
    assert.deepEqual(pushSourceSecrets({ secrets: [secret('s', 'app')] }), []);
  });

  it('loads v1 Secret manifests of the repository (data, stringData, labels, type) and no other core kind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'projector-dev-push-'));
    writeFileSync(join(dir, 'all.yaml'), [
      'apiVersion: v1\nkind: Secret\nmetadata: { name: s, namespace: app, labels: { push: "yes" } }\ntype: Opaque\ndata: { a: YWFh }\nstringData: { b: bbb }',
      'apiVersion: v1\nkind: Secret\nmetadata: { name: defaulted }\nstringData: { c: ccc }',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: cm, namespace: app }\ndata: { x: y }',
    ].join('\n---\n'));
    const repo = await loadRepoObjects([dir]);
    assert.deepEqual(repo.secrets, [
      { metadata: { name: 's', namespace: 'app', labels: { push: 'yes' } }, type: 'Opaque', data: { a: 'YWFh' }, stringData: { b: 'bbb' } },
      { metadata: { name: 'defaulted', namespace: 'default' }, stringData: { c: 'ccc' } },
    ]);
  });
});

describe('dev --cluster: PushSecret state', () => {
  it('shows what was pushed (store and remote keys, sorted), never a value', () => {
    const p = ps('p', 'app', { secret: { name: 's' } });
    p.status = pushStatusSynced(p, { 'ClusterSecretStore/akv': { 'remote-b': p.spec.data![0]!, 'remote-a/prop': p.spec.data![0]! }, 'SecretStore/local': { k: p.spec.data![0]! } }, NOW);
    assert.equal(pushedKeys(p), 'ClusterSecretStore/akv: remote-a/prop, remote-b; SecretStore/local: k');
    assert.equal(pushedKeys(ps('q', 'app', { secret: { name: 's' } })), 'nothing pushed');
  });

  it('prints a count line per kind, ✓ with the pushed keys, ✗ with reason and message, and the objects not applied', () => {
    const ok = ps('ok', 'app', { secret: { name: 's' } });
    ok.status = pushStatusSynced(ok, { 'ClusterSecretStore/akv': { 'remote-a': ok.spec.data![0]! } }, NOW);
    const bad = ps('bad', 'app', { secret: { name: 's' } });
    bad.status = pushStatusFailed(bad, 'SourceNotFound: could not get source secret', NOW);
    const c = cps('c', { secret: { name: 's' } });
    c.status = cpsStatusDone(undefined, 'c', new Map(), ['b-ns', 'a-ns']);
    const lines = pushStateLines(
      [
        { kind: 'PushSecret', id: 'app/ok', obj: ok },
        { kind: 'PushSecret', id: 'app/bad', obj: bad },
        { kind: 'PushSecret', id: 'app/new', obj: undefined },
        { kind: 'ClusterPushSecret', id: 'c', obj: c },
      ],
      ['PushSecret/app/refused', 'ClusterPushSecret//cps-refused', 'ExternalSecret/app/es'],
    );
    assert.deepEqual(lines, [
      'state: 1 PushSecret(s) ready, 3 failing',
      '  ✓ PushSecret app/ok pushed → ClusterSecretStore/akv: remote-a',
      '  ✗ PushSecret app/bad failing: Errored: SourceNotFound: could not get source secret',
      '  ✗ PushSecret app/new failing: not reconciled yet',
      '  ✗ PushSecret app/refused failing: not applied (see the error above)',
      'state: 1 ClusterPushSecret(s) ready, 1 failing',
      '  ✓ ClusterPushSecret c → PushSecret c in a-ns, b-ns',
      '  ✗ ClusterPushSecret cps-refused failing: not applied (see the error above)',
    ]);
  });

  it('names the namespaces a ClusterPushSecret failed in', () => {
    const c = cps('c', { secret: { name: 's' } });
    c.status = cpsStatusDone(undefined, 'c', new Map([['ns1', 'push secret already exists in namespace']]), []);
    assert.deepEqual(pushStateLines([{ kind: 'ClusterPushSecret', id: 'c', obj: c }], []), [
      'state: 0 ClusterPushSecret(s) ready, 1 failing',
      '  ✗ ClusterPushSecret c failing: one or more namespaces failed (ns1: push secret already exists in namespace)',
    ]);
  });

  it('prints nothing without push objects', () => {
    assert.deepEqual(pushStateLines([], ['ExternalSecret/a/b']), []);
  });

  it('counts an apply as answered once Ready is for the applied generation and metadata (ESO GetResourceVersion)', () => {
    const p = ps('p', 'app', { secret: { name: 's' } }, {}, 2);
    assert.equal(pushSettled('PushSecret', undefined, 2), false, 'not in the cache yet');
    assert.equal(pushSettled('PushSecret', p, 2), false, 'no condition yet');
    const older = { ...p, metadata: { ...p.metadata, generation: 1 } };
    older.status = pushStatusSynced(older, {}, NOW);
    assert.equal(pushSettled('PushSecret', older, 2), false, 'the cache has the previous generation');
    // Synced for generation 1, then the spec changed to generation 2 (no new status yet).
    const stale = { ...p, status: { ...older.status, syncedResourceVersion: pushSyncVersionOf(older) } };
    assert.equal(pushSettled('PushSecret', stale, 2), false, 'Ready=True for an older spec');
    assert.equal(pushSettled('PushSecret', { ...p, status: pushStatusSynced(p, {}, NOW) }, 2), true);
    assert.equal(pushSettled('PushSecret', { ...p, status: pushStatusFailed(p, 'x', NOW) }, 2), true, 'a failure answers too');
    const c = cps('c', { secret: { name: 's' } });
    assert.equal(pushSettled('ClusterPushSecret', c, 0), false);
    assert.equal(pushSettled('ClusterPushSecret', { ...c, status: cpsStatusDone(undefined, 'c', new Map(), []) }, 0), true);
  });

  it('says what a deletion did with each deletionPolicy (ESO: Delete removes what was pushed, None leaves it)', () => {
    const del = ps('d', 'app', { secret: { name: 's' } }, { deletionPolicy: 'Delete' });
    del.status = pushStatusSynced(del, { 'ClusterSecretStore/akv': { 'remote-a': del.spec.data![0]! } }, NOW);
    assert.equal(pushDeletedLine('app/d', del), '- PushSecret app/d deleted (not in the repository); deletionPolicy Delete: the operator deleted what it had pushed and manages (ClusterSecretStore/akv: remote-a)');
    const none = { ...del, spec: { ...del.spec, deletionPolicy: 'None' as const } };
    assert.equal(pushDeletedLine('app/d', none), '- PushSecret app/d deleted (not in the repository); deletionPolicy None: what it pushed stays in the vault (ClusterSecretStore/akv: remote-a)');
    assert.match(pushDeletedLine('app/x', undefined), /deletionPolicy None: what it pushed stays in the vault \(nothing pushed\)/);
  });
});

describe('dev --once with pushes', () => {
  it('fails when a PushSecret or ClusterPushSecret fails, and counts them on their own line', () => {
    assert.deepEqual(onceSummary({ ready: 1, failed: 0, loadErrors: 0, pushes: { ready: 2, failed: 0 } }), { lines: ['1 ExternalSecret(s) ready, 0 failing', '2 PushSecret(s)/ClusterPushSecret(s) ready, 0 failing'], exitCode: 0 });
    assert.equal(onceSummary({ ready: 1, failed: 0, loadErrors: 0, pushes: { ready: 1, failed: 1 } }).exitCode, 1);
  });

  it('with --cluster the load does not report PushSecrets as skipped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'projector-dev-push-load-'));
    writeFileSync(join(dir, 'ps.yaml'), ['apiVersion: external-secrets.io/v1alpha1', 'kind: PushSecret', 'metadata: { name: ps, namespace: demo }', 'spec:',
      '  secretStoreRefs: [{ kind: ClusterSecretStore, name: s }]', '  selector: { secret: { name: src } }',
      '  data: [{ match: { secretKey: a, remoteRef: { remoteKey: r } } }]'].join('\n'));
    const lines: string[] = [];
    const repo = await loadAndReport([dir], { line: (t) => lines.push(t) }, [], { cluster: true });
    assert.equal(repo.pushSecrets?.length, 1);
    assert.doesNotMatch(lines.join('\n'), /not run by dev|no ExternalSecret found/);
  });
});
