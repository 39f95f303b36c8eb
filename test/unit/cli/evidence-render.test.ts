import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cell, isRotationProven, renderEvents, renderReadme, renderRotation, renderStores, type RotationEvidence } from '../../../src/cli/evidence/render.ts';
import { eventLines, externalSecretEvidence, secretMetadataOf, selectAppExternalSecrets, storeEvidence, storesOf, type EvidenceSnapshot } from '../../../src/cli/evidence/snapshot.ts';
import { findLeaks, MIN_SEARCHED_LENGTH, needlesOf } from '../../../src/cli/evidence/redaction.ts';
import type { KubeObject } from '../../../src/cli/evidence/cluster-reader.ts';

const CANARY = 'CANARY-evidence-51d2';

function es(name: string, extra: Record<string, any> = {}): KubeObject {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name, namespace: 'netbox', generation: 3, managedFields: [{ manager: 'kubectl' }], annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
    spec: { refreshInterval: '1h', secretStoreRef: { kind: 'ClusterSecretStore', name: 'akv-hybridops' }, target: { name: 'netbox-db-credentials' }, data: [{ secretKey: 'DB_PASSWORD', remoteRef: { key: 'netbox-db-password' } }] },
    status: { refreshTime: '2026-03-14T10:00:00Z', conditions: [{ type: 'Ready', status: 'True', reason: 'SecretSynced', message: 'Secret was synced', lastTransitionTime: '2026-03-14T09:00:00Z' }] },
    ...extra,
  };
}

const SECRET: KubeObject = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: {
    name: 'netbox-db-credentials',
    namespace: 'netbox',
    resourceVersion: '812',
    creationTimestamp: '2026-03-14T09:00:00Z',
    labels: { 'reconcile.external-secrets.io/managed': 'true' },
    annotations: { 'reconcile.external-secrets.io/data-hash': 'abc123' },
    ownerReferences: [{ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', name: 'netbox-db-password', uid: 'u1', controller: true }],
  },
  type: 'Opaque',
  data: { DB_PASSWORD: Buffer.from(CANARY).toString('base64'), A_USER: Buffer.from('netbox-user').toString('base64') },
};

function snapshot(): EvidenceSnapshot {
  return {
    app: 'netbox',
    namespace: 'netbox',
    server: 'https://127.0.0.1:6443',
    capturedAt: '2026-03-14T10:05:00.000Z',
    externalSecrets: [externalSecretEvidence(es('netbox-db-password'), SECRET)],
    stores: [storeEvidence({ kind: 'ClusterSecretStore', name: 'akv-hybridops' }, { metadata: { name: 'akv-hybridops' }, spec: { provider: { azurekv: { vaultUrl: 'https://kv.vault.azure.net/' } } }, status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Valid' }] } } as KubeObject)],
    events: [],
  };
}

describe('evidence: snapshot', () => {
  it('keeps a Secret as metadata only: sorted key names, resourceVersion, data-hash, labels, owners', () => {
    const meta = secretMetadataOf(SECRET);
    assert.deepEqual(meta.keys, ['A_USER', 'DB_PASSWORD']);
    assert.equal(meta.dataHash, 'abc123');
    assert.equal(meta.resourceVersion, '812');
    assert.equal((meta.ownerReferences[0] as { name: string }).name, 'netbox-db-password');
    assert.ok(!JSON.stringify(meta).includes(Buffer.from(CANARY).toString('base64')));
    assert.ok(!('data' in meta));
  });

  it("drops managedFields and kubectl's last-applied copy from the ExternalSecret", () => {
    const e = externalSecretEvidence(es('netbox-db-password'), SECRET);
    assert.equal((e.object.metadata as Record<string, unknown>).managedFields, undefined);
    assert.equal((e.object.metadata as Record<string, unknown>).annotations, undefined);
    assert.deepEqual(e.ready, { status: 'True', reason: 'SecretSynced', message: 'Secret was synced', lastTransitionTime: '2026-03-14T09:00:00Z' });
    assert.equal(e.lastSync, '2026-03-14T10:00:00Z');
  });

  it("takes every ExternalSecret of the app's own namespace, and in a shared one those named after the app", () => {
    const items = [es('netbox-db-password'), es('billing-api', { spec: { target: { name: 'billing' } } }), es('shared', { spec: { target: { name: 'netbox-cache' } } })];
    assert.equal(selectAppExternalSecrets(items, 'netbox', 'netbox', false).length, 3);
    assert.deepEqual(selectAppExternalSecrets(items, 'netbox', 'shared', false).map((e) => e.metadata.name), ['netbox-db-password', 'shared']);
    assert.equal(selectAppExternalSecrets(items, 'netbox', 'shared', true).length, 3, 'a label selector already chose');
  });

  it('lists each store once: secretStoreRef plus per-item sourceRef stores', () => {
    const e = es('x', {
      spec: {
        secretStoreRef: { kind: 'ClusterSecretStore', name: 'akv' },
        data: [{ secretKey: 'A', remoteRef: { key: 'a' }, sourceRef: { storeRef: { name: 'local' } } }, { secretKey: 'B', remoteRef: { key: 'b' } }],
        dataFrom: [{ extract: { key: 'c' }, sourceRef: { storeRef: { kind: 'ClusterSecretStore', name: 'akv' } } }],
      },
    });
    assert.deepEqual(storesOf(e), [{ kind: 'ClusterSecretStore', name: 'akv' }, { kind: 'SecretStore', name: 'local', namespace: 'netbox' }]);
  });

  it("never copies a fake store's data into the store summary", () => {
    const s = storeEvidence({ kind: 'ClusterSecretStore', name: 'f' }, { metadata: { name: 'f' }, spec: { provider: { fake: { data: [{ key: 'k', value: CANARY }] } } } } as KubeObject);
    assert.equal(s.provider, 'fake');
    assert.ok(!renderStores([s]).includes(CANARY));
  });

  it("keeps the events of the app's ExternalSecrets and Secrets, oldest first, on one line each", () => {
    const lines = eventLines(
      [
        { type: 'Normal', reason: 'Updated', message: 'Updated Secret', lastTimestamp: '2026-03-14T10:00:00Z', involvedObject: { kind: 'ExternalSecret', name: 'netbox-db-password' } },
        { type: 'Normal', reason: 'Created', message: 'Created\nSecret', lastTimestamp: '2026-03-14T09:00:00Z', count: 1, involvedObject: { kind: 'ExternalSecret', name: 'netbox-db-password' } },
        { type: 'Warning', reason: 'Other', message: 'x', lastTimestamp: '2026-03-14T09:30:00Z', involvedObject: { kind: 'ExternalSecret', name: 'other' } },
      ],
      ['netbox-db-password'],
      ['netbox-db-credentials'],
    );
    assert.deepEqual(lines.map((l) => [l.reason, l.message]), [['Created', 'Created Secret'], ['Updated', 'Updated Secret']]);
    const text = renderEvents(lines, 'netbox');
    assert.match(text, /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+COUNT\s+MESSAGE$/m);
    assert.match(text, /^2026-03-14T09:00:00Z\s+Normal\s+Created\s+ExternalSecret\/netbox-db-password\s+1\s+Created Secret$/m);
    assert.match(renderEvents([], 'netbox'), /no events/);
  });
});

describe('evidence: Markdown', () => {
  it('renders the README summary table row for each ExternalSecret', () => {
    const md = renderReadme({ snapshot: snapshot(), files: ['README.md', 'stores.yaml'] });
    assert.match(md, /^# ESO \+ Azure Key Vault evidence: netbox \(2026-03-14\)$/m);
    assert.match(md, /^\| ExternalSecret \| Store \| Ready \| Reason \| Target \| Keys \| Refresh \| Last sync \|$/m);
    assert.match(md, /^\|---\|---\|---\|---\|---\|---\|---\|---\|$/m);
    assert.match(md, /^\| `netbox-db-password` \| `ClusterSecretStore\/akv-hybridops` \| ✅ True \| SecretSynced \| `netbox-db-credentials` \| `A_USER`, `DB_PASSWORD` \| 1h \| 2026-03-14T10:00:00Z \|$/m);
    assert.match(md, /^\| `ClusterSecretStore\/akv-hybridops` \| azurekv \| `https:\/\/kv.vault.azure.net\/` \| ✅ True \| Valid \|$/m);
    assert.match(md, /^\| `netbox-db-credentials` \| Opaque \| 2 \| `812` \| `abc123` \| `ExternalSecret\/netbox-db-password` \| 2026-03-14T09:00:00Z \|$/m);
    assert.match(md, /^- \[x\] Every ExternalSecret is Ready\.$/m);
    assert.match(md, /^- \[ \] Rotation .*run with `--rotation`/m);
    assert.match(md, /^- \[stores.yaml\]\(stores.yaml\)$/m);
    assert.ok(!md.includes(CANARY));
  });

  it('marks a missing target Secret and an ExternalSecret that is not Ready', () => {
    const s = snapshot();
    s.externalSecrets = [externalSecretEvidence(es('broken', { status: { conditions: [{ type: 'Ready', status: 'False', reason: 'SecretSyncedError' }] } }), undefined)];
    const md = renderReadme({ snapshot: s, files: [] });
    assert.match(md, /\| ❌ False \| SecretSyncedError \| `netbox-db-credentials` \| ❌ missing \|/);
    assert.match(md, /^- \[ \] Every ExternalSecret is Ready\.$/m);
    assert.match(md, /^- \[ \] Every target Secret exists with its keys\.$/m);
  });

  it('escapes pipes and newlines in table cells', () => {
    assert.equal(cell('a|b\nc'), 'a\\|b c');
    assert.equal(cell(undefined), '-');
  });

  const rotation = (after: { resourceVersion: string; dataHash: string; generation: number }): RotationEvidence => ({
    mode: 'wait',
    forceSync: false,
    startedAt: '2026-03-14T10:00:00Z',
    finishedAt: '2026-03-14T10:01:00Z',
    timeoutMs: 300_000,
    records: [{ externalSecret: 'netbox-db-password', secret: 'netbox-db-credentials', before: { resourceVersion: '812', dataHash: 'abc', generation: 3 }, after }],
  });

  it('proves a rotation only when the Secret changed and the generation did not', () => {
    assert.equal(isRotationProven(rotation({ resourceVersion: '900', dataHash: 'def', generation: 3 })), true);
    assert.equal(isRotationProven(rotation({ resourceVersion: '812', dataHash: 'abc', generation: 3 })), false);
    assert.equal(isRotationProven(rotation({ resourceVersion: '900', dataHash: 'def', generation: 4 })), false, 'a spec change is a Git change');
    assert.equal(isRotationProven({ ...rotation({ resourceVersion: '900', dataHash: 'def', generation: 3 }), records: [] }), false);
  });

  it('renders rotation.md with before and after per Secret', () => {
    const md = renderRotation(rotation({ resourceVersion: '900', dataHash: 'def', generation: 3 }), 'netbox');
    assert.match(md, /^\*\*Result: ✅ the Secret changed while the ExternalSecret spec did not \(no Git change\)\*\*$/m);
    assert.match(md, /^\| `netbox-db-password` \| `netbox-db-credentials` \| `812` → `900` \| `abc` → `def` \| 3 → 3 \| ✅ yes \| ✅ yes \|$/m);
    assert.match(md, /waited up to 300 s/);
    assert.match(renderRotation(rotation({ resourceVersion: '812', dataHash: 'abc', generation: 3 }), 'netbox'), /❌ not proven/);
  });
});

describe('evidence: redaction check', () => {
  it('searches for each Secret value as text and as base64, and for extra values such as a rotated one', () => {
    const { needles, skipped } = needlesOf([SECRET], [{ text: 'rotated-value-xyz', what: 'the new value' }]);
    const texts = needles.map((n) => n.text);
    assert.ok(texts.includes(CANARY));
    assert.ok(texts.includes(Buffer.from(CANARY).toString('base64')));
    assert.ok(texts.includes('rotated-value-xyz'));
    assert.ok(texts.includes(Buffer.from('rotated-value-xyz').toString('base64')));
    assert.equal(skipped, 0);
  });

  it('names the file and the value (by Secret and key) where one is found', () => {
    const { needles } = needlesOf([SECRET]);
    const leaks = findLeaks(
      [
        { name: 'README.md', text: 'clean' },
        { name: 'notes.txt', text: `pasted ${Buffer.from(CANARY).toString('base64')}` },
      ],
      needles,
    );
    assert.deepEqual(leaks, [{ file: 'notes.txt', what: 'Secret netbox/netbox-db-credentials key DB_PASSWORD (base64)' }]);
  });

  it(`counts values shorter than ${MIN_SEARCHED_LENGTH} characters instead of matching them by chance`, () => {
    const short = { ...SECRET, data: { PORT: Buffer.from('5432').toString('base64') } } as KubeObject;
    const { needles, skipped } = needlesOf([short]);
    assert.equal(skipped, 1);
    assert.deepEqual(needles.map((n) => n.text), [Buffer.from('5432').toString('base64')]);
  });
});
