// The target Secret as ESO writes it. Expected values come from ESO v2.9's
// pkg/controllers/externalsecret/externalsecret_controller.go (Reconcile, mutationFunc, applyOwnership,
// updateSecret), externalsecret_controller_template.go (ApplyTemplate, setMetadata) and
// docs/guides/ownership-deletion-policy.md; each test names the rule it checks.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planTargetSecret, type DesiredSecret, type LiveSecret, type Plan } from '../../../src/core/plan-target-secret.ts';
import { ProjectorError } from '../../../src/core/errors.ts';
import { ANNOTATION_DATA_HASH, LABEL_CREATED_BY, LABEL_MANAGED } from '../../../src/api/constants.ts';
import { fieldOwnerFor, managedFieldsEntryFor } from '../../../src/core/field-owner.ts';
import { defaultTemplateRenderer } from '../../../src/core/default-template-renderer.ts';
import { externalSecret, fetched, text } from '../../support/builders.ts';

const render = defaultTemplateRenderer({ now: () => new Date('2026-11-23T10:00:00Z') });

/** What the API server would hold after the planned write: the written object plus managedFields. */
function liveFrom(plan: Plan, extra: Partial<LiveSecret['metadata']> = {}, uid = 'uid-secret-1'): LiveSecret {
  assert.ok(plan.action === 'create' || plan.action === 'update' || plan.action === 'recreate', `expected a write, got ${plan.action}`);
  const s: DesiredSecret = plan.secret;
  const entry = managedFieldsEntryFor(s.fieldManager, { data: s.data.keys(), labels: Object.keys(s.labels), annotations: Object.keys(s.annotations) }, '2026-01-01T00:00:00Z');
  return {
    metadata: {
      name: s.name,
      namespace: s.namespace,
      uid,
      labels: s.labels,
      annotations: s.annotations,
      ownerReferences: s.ownerReferences,
      finalizers: s.finalizers.length ? s.finalizers : undefined,
      resourceVersion: '7',
      managedFields: [entry],
      ...extra,
    },
    type: s.type,
    immutable: s.immutable || undefined,
    data: s.data,
  };
}

function write(plan: Plan): DesiredSecret {
  assert.ok(plan.action === 'create' || plan.action === 'update' || plan.action === 'recreate', `expected a write, got ${plan.action}`);
  return plan.secret;
}

function keys(d: DesiredSecret): string[] {
  return [...d.data.keys()].sort();
}

const isCode = (code: string) => (e: unknown) => e instanceof ProjectorError && e.code === code;

describe('planTargetSecret: data and hash', () => {
  const es = externalSecret();

  it('creates an owned Secret carrying the data hash when none exists', () => {
    const plan = planTargetSecret({ es, data: fetched({ DB_PASSWORD: 'canary-1' }), live: undefined });
    const s = write(plan);
    assert.equal(plan.action, 'create');
    assert.equal(s.name, 'netbox-db-credentials');
    assert.equal(s.type, 'Opaque');
    assert.equal(s.ownerReferences[0]?.kind, 'ExternalSecret');
    assert.equal(s.ownerReferences[0]?.apiVersion, 'external-secrets.io/v1');
    assert.equal(s.ownerReferences[0]?.uid, 'uid-es-1');
    assert.equal(s.annotations[ANNOTATION_DATA_HASH], plan.action === 'create' ? plan.hash : '');
    assert.equal(text(s.data.get('DB_PASSWORD')), 'canary-1');
  });

  it('skips the write when the live Secret already matches', () => {
    const first = planTargetSecret({ es, data: fetched({ DB_PASSWORD: 'canary-1' }), live: undefined });
    assert.equal(planTargetSecret({ es, data: fetched({ DB_PASSWORD: 'canary-1' }), live: liveFrom(first) }).action, 'unchanged');
  });

  it('updates with the planned resourceVersion when the vault value rotated', () => {
    const first = planTargetSecret({ es, data: fetched({ DB_PASSWORD: 'canary-1' }), live: undefined });
    const plan = planTargetSecret({ es, data: fetched({ DB_PASSWORD: 'canary-2' }), live: liveFrom(first) });
    assert.equal(plan.action, 'update');
    assert.equal(write(plan).resourceVersion, '7');
    assert.equal(text(write(plan).data.get('DB_PASSWORD')), 'canary-2');
  });

  it('writes as ESO\'s per-ExternalSecret field manager (util.go fqdnFor), hashed past 63 characters', () => {
    assert.equal(write(planTargetSecret({ es, data: fetched({ A: 'x' }), live: undefined })).fieldManager, 'externalsecrets.external-secrets.io/netbox-db-password');
    // sha3.Sum224([]byte(name)) in hex, computed with Go's crypto/sha3 for this 40-character name.
    assert.equal(fieldOwnerFor('a'.repeat(40)), 'externalsecrets.external-secrets.io/sha3/' + fieldOwnerFor('a'.repeat(40)).split('/sha3/')[1]);
    assert.match(fieldOwnerFor('a'.repeat(40)), /^externalsecrets\.external-secrets\.io\/sha3\/[0-9a-f]{56}$/);
  });

  it('Owner replaces every key, including keys someone else added (ApplyTemplate clears data unless Merge/CreateOrMerge)', () => {
    const first = planTargetSecret({ es, data: fetched({ DB_PASSWORD: 'a' }), live: undefined });
    const live = liveFrom(first);
    live.data = new Map([...live.data, ...fetched({ HAND_ADDED: 'x' })]);
    assert.deepEqual(keys(write(planTargetSecret({ es, data: fetched({ DB_PASSWORD: 'a' }), live }))), ['DB_PASSWORD']);
  });

  it('Merge keeps keys others wrote and drops the ones it wrote before and no longer writes (managed fields)', () => {
    const merge = externalSecret({ target: { name: 'app', creationPolicy: 'Merge' }, data: [] });
    const mine = fieldOwnerFor(merge.metadata.name);
    const live: LiveSecret = {
      metadata: {
        name: 'app',
        resourceVersion: '3',
        managedFields: [
          managedFieldsEntryFor('kubectl', { data: ['OTHER'], labels: [], annotations: [] }, 't'),
          managedFieldsEntryFor(mine, { data: ['OLD_KEY'], labels: [], annotations: [] }, 't'),
        ],
      },
      data: fetched({ OTHER: 'keep', OLD_KEY: 'stale' }),
    };
    const s = write(planTargetSecret({ es: merge, data: fetched({ NEW_KEY: 'x' }), live }));
    assert.deepEqual(keys(s), ['NEW_KEY', 'OTHER']);
    assert.equal(s.ownerReferences.length, 0);
    assert.equal(s.labels[LABEL_CREATED_BY], undefined);
  });

  it('CreateOrMerge creates a missing Secret without an ownerReference and merges into an existing one', () => {
    const com = externalSecret({ target: { name: 'app', creationPolicy: 'CreateOrMerge' } });
    const created = planTargetSecret({ es: com, data: fetched({ A: 'x' }), live: undefined });
    assert.equal(created.action, 'create');
    assert.equal(write(created).ownerReferences.length, 0);
    const live: LiveSecret = { metadata: { name: 'app', resourceVersion: '3' }, data: fetched({ OTHER: 'keep' }) };
    assert.deepEqual(keys(write(planTargetSecret({ es: com, data: fetched({ A: 'x' }), live }))), ['A', 'OTHER']);
  });

  it('rejects a spec secretKey a Secret cannot hold, naming the key (it is in the manifest) and not the value', () => {
    const withKey = externalSecret({ data: [{ secretKey: 'bad key', remoteRef: { key: 'k' } }] });
    assert.throws(
      () => planTargetSecret({ es: withKey, data: fetched({ 'bad key': 'canary-bad' }), live: undefined }),
      (e: unknown) => e instanceof ProjectorError && e.code === 'InvalidSpec' && e.message.includes('"bad key"') && !e.message.includes('canary-bad'),
    );
  });

  it('rejects a key made from secret data without printing it (a JSON member name is part of the value; issue 9)', () => {
    assert.throws(
      () => planTargetSecret({ es, data: fetched({ 'canary member': 'canary-bad' }), live: undefined }),
      (e: unknown) =>
        e instanceof ProjectorError && e.code === 'VaultBadValue' && /not shown/.test(e.message) && !e.message.includes('canary') && !JSON.stringify(e.details).includes('canary'),
    );
  });
});

describe('planTargetSecret: metadata (setMetadata, applyOwnership)', () => {
  const withMeta = externalSecret({}, { labels: { 'argocd.argoproj.io/secret-type': 'repository' }, annotations: { 'reloader.stakater.com/match': 'true' } });

  it('without a template, copies the ExternalSecret\'s labels and annotations onto the Secret', () => {
    const s = write(planTargetSecret({ es: withMeta, data: fetched({ password: 'p' }), live: undefined }));
    assert.equal(s.labels['argocd.argoproj.io/secret-type'], 'repository');
    assert.equal(s.annotations['reloader.stakater.com/match'], 'true');
    assert.equal(s.labels[LABEL_MANAGED], 'true');
    assert.equal(s.labels['app.kubernetes.io/managed-by'], undefined, 'ESO writes no managed-by label');
  });

  it('with a template, takes labels and annotations from template.metadata only (rendered), plus finalizers', () => {
    const es = externalSecret(
      { target: { name: 'netbox-db-credentials', template: { metadata: { labels: { team: '{{ .password | len }}' }, annotations: { a: 'b' }, finalizers: ['example.com/keep'] } } } },
      { labels: { 'argocd.argoproj.io/secret-type': 'repository' } },
    );
    const s = write(planTargetSecret({ es, data: fetched({ password: 'four' }), live: undefined, renderTemplate: render }));
    assert.equal(s.labels.team, '4');
    assert.equal(s.labels['argocd.argoproj.io/secret-type'], undefined);
    assert.equal(s.annotations.a, 'b');
    assert.deepEqual(s.finalizers, ['example.com/keep']);
    assert.deepEqual(keys(s), ['password'], 'a template with no data keeps the provider data');
  });

  it('an empty template.data ({}, as Helm renders an empty map) or templateFrom [] is no data template: the provider data is copied (ESO ApplyTemplate, externalsecret_controller_template.go: len(Data) == 0 && len(TemplateFrom) == 0)', () => {
    for (const template of [{ data: {} }, { templateFrom: [] }, { data: {}, templateFrom: [], type: 'Opaque' }]) {
      const es = externalSecret({ target: { name: 'netbox-db-credentials', template } });
      const s = write(planTargetSecret({ es, data: fetched({ password: 'p', user: 'u' }), live: undefined, renderTemplate: render }));
      assert.deepEqual(keys(s), ['password', 'user'], JSON.stringify(template));
      assert.equal(text(s.data.get('password')), 'p');
    }
    // A non-empty data template still replaces the provider data (mergePolicy Replace).
    const es = externalSecret({ target: { name: 'netbox-db-credentials', template: { data: { dsn: 'pw={{ .password }}' } } } });
    assert.deepEqual(keys(write(planTargetSecret({ es, data: fetched({ password: 'p' }), live: undefined, renderTemplate: render }))), ['dsn']);
  });

  it('removes labels it wrote before that the ExternalSecret no longer has, keeps labels others wrote', () => {
    const first = planTargetSecret({ es: withMeta, data: fetched({ password: 'p' }), live: undefined });
    const live = liveFrom(first);
    live.metadata.labels = { ...live.metadata.labels, 'argocd.argoproj.io/instance': 'netbox' }; // added by another writer
    const without = externalSecret({}, { labels: {}, annotations: {} });
    const s = write(planTargetSecret({ es: without, data: fetched({ password: 'p' }), live }));
    assert.equal(s.labels['argocd.argoproj.io/secret-type'], undefined);
    assert.equal(s.annotations['reloader.stakater.com/match'], undefined);
    assert.equal(s.labels['argocd.argoproj.io/instance'], 'netbox');
  });

  it('Owner sets the created-by label (ObjectHash of "<namespace>/<name>") and Orphan does not', () => {
    const owner = write(planTargetSecret({ es: externalSecret(), data: fetched({ A: 'x' }), live: undefined }));
    assert.match(owner.labels[LABEL_CREATED_BY] ?? '', /^[0-9a-f]{56}$/);
    const orphan = write(planTargetSecret({ es: externalSecret({ target: { name: 't', creationPolicy: 'Orphan' } }), data: fetched({ A: 'x' }), live: undefined }));
    assert.equal(orphan.labels[LABEL_CREATED_BY], undefined);
    assert.equal(orphan.ownerReferences.length, 0);
  });

  it('a policy changed from Owner to Orphan gives the Secret up: controller reference and created-by label go', () => {
    const first = planTargetSecret({ es: externalSecret(), data: fetched({ A: 'x' }), live: undefined });
    const orphan = externalSecret({ target: { name: 'netbox-db-credentials', creationPolicy: 'Orphan' } });
    const s = write(planTargetSecret({ es: orphan, data: fetched({ A: 'x' }), live: liveFrom(first) }));
    assert.equal(s.ownerReferences.length, 0);
    assert.equal(s.labels[LABEL_CREATED_BY], undefined);
  });

  it('adopts a Secret whose controller reference names this ExternalSecret with an old UID (recreated ExternalSecret)', () => {
    const es = externalSecret();
    const first = planTargetSecret({ es: externalSecret({}, { uid: 'uid-old' }), data: fetched({ A: 'x' }), live: undefined });
    const s = write(planTargetSecret({ es, data: fetched({ A: 'x' }), live: liveFrom(first) }));
    assert.deepEqual(s.ownerReferences.map((o) => o.uid), ['uid-es-1']);
  });

  it('keeps other owner references (non-controller) as they are', () => {
    const first = planTargetSecret({ es: externalSecret(), data: fetched({ A: 'x' }), live: undefined });
    const live = liveFrom(first);
    live.metadata.ownerReferences = [...(live.metadata.ownerReferences ?? []), { apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'u' }];
    assert.equal(planTargetSecret({ es: externalSecret(), data: fetched({ A: 'x' }), live }).action, 'unchanged');
  });
});

describe('planTargetSecret: several writers of one Secret', () => {
  const initEs = externalSecret({ target: { name: 'credentials', creationPolicy: 'Owner' } }, { name: 'credentials-init', uid: 'uid-init' });
  const caEs = externalSecret({ target: { name: 'credentials', creationPolicy: 'Merge' } }, { name: 'credentials-ca', uid: 'uid-ca' });

  it('a Merge ExternalSecret cannot add keys to a Secret an Owner ExternalSecret controls (ESO ErrSecretIsOwned)', () => {
    const live = liveFrom(planTargetSecret({ es: initEs, data: fetched({ username: 'u' }), live: undefined }));
    assert.throws(
      () => planTargetSecret({ es: caEs, data: fetched({ 'ca.crt': 'c' }), live }),
      (e: unknown) => e instanceof ProjectorError && e.code === 'TargetOwnedElsewhere' && e.message.startsWith('target is owned by another ExternalSecret') && e.message.includes('credentials-init'),
    );
  });

  it('an Owner ExternalSecret cannot take a Secret another ExternalSecret controls, nor one another controller owns', () => {
    const live = liveFrom(planTargetSecret({ es: initEs, data: fetched({ username: 'u' }), live: undefined }));
    const second = externalSecret({ target: { name: 'credentials' } }, { name: 'second', uid: 'uid-2' });
    assert.throws(() => planTargetSecret({ es: second, data: fetched({ a: 'b' }), live }), isCode('TargetOwnedElsewhere'));
    const byDeployment: LiveSecret = { metadata: { name: 'credentials', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'd', uid: 'u', controller: true }] }, data: fetched({}) };
    assert.throws(() => planTargetSecret({ es: initEs, data: fetched({ a: 'b' }), live: byDeployment }), (e: unknown) => isCode('TargetOwnedElsewhere')(e) && (e as Error).message.startsWith('failed to take ownership'));
  });

  it('an Orphan refresh keeps the keys a Merge ExternalSecret added, so the Secret does not flap', () => {
    const orphan = externalSecret({ target: { name: 'credentials', creationPolicy: 'Orphan' } }, { name: 'credentials-init', uid: 'uid-init' });
    const live = liveFrom(planTargetSecret({ es: orphan, data: fetched({ username: 'u' }), live: undefined }));
    const merged = liveFrom(planTargetSecret({ es: caEs, data: fetched({ 'ca.crt': 'c' }), live }));
    merged.metadata.managedFields = [...(live.metadata.managedFields ?? []), managedFieldsEntryFor(fieldOwnerFor('credentials-ca'), { data: ['ca.crt'], labels: [], annotations: [] }, 't')];
    const again = planTargetSecret({ es: orphan, data: fetched({ username: 'u2' }), live: merged });
    assert.deepEqual(keys(write(again)), ['ca.crt', 'username']);
  });
});

describe('planTargetSecret: lifecycle', () => {
  it('creationPolicy Merge with no Secret waits for it (Ready=True, SecretMissing in ESO), it is not an error', () => {
    const merge = externalSecret({ target: { name: 'app', creationPolicy: 'Merge' } });
    assert.equal(planTargetSecret({ es: merge, data: fetched({ A: 'x' }), live: undefined }).action, 'wait-for-target');
  });

  it('writes nothing for creationPolicy None', () => {
    const none = externalSecret({ target: { creationPolicy: 'None' } });
    assert.equal(planTargetSecret({ es: none, data: fetched({ A: 'x' }), live: undefined }).action, 'skip');
  });

  it('no provider data: Retain keeps the Secret exactly as it is', () => {
    const es = externalSecret();
    const live = liveFrom(planTargetSecret({ es, data: fetched({ A: 'x' }), live: undefined }));
    assert.equal(planTargetSecret({ es, data: fetched({}), live }).action, 'retain');
  });

  it('no provider data: Delete deletes the owned Secret, and needs creationPolicy Owner', () => {
    const del = externalSecret({ target: { name: 'netbox-db-credentials', deletionPolicy: 'Delete' } });
    const live = liveFrom(planTargetSecret({ es: del, data: fetched({ A: 'a' }), live: undefined }));
    const plan = planTargetSecret({ es: del, data: fetched({}), live });
    assert.ok(plan.action === 'delete' && plan.exists);
    const gone = planTargetSecret({ es: del, data: fetched({}), live: undefined });
    assert.ok(gone.action === 'delete' && !gone.exists);
    const orphanDel = externalSecret({ target: { name: 'x', creationPolicy: 'Orphan', deletionPolicy: 'Delete' } });
    assert.throws(() => planTargetSecret({ es: orphanDel, data: fetched({}), live: undefined }), (e: unknown) => isCode('InvalidSpec')(e) && (e as Error).message.includes('creationPolicy=Orphan is not Owner'));
  });

  it('no provider data: deletionPolicy Merge takes out the keys this ExternalSecret wrote (data and dataFrom alike)', () => {
    const m = externalSecret({ target: { name: 'app', creationPolicy: 'Merge', deletionPolicy: 'Merge' } });
    const live: LiveSecret = {
      metadata: { name: 'app', resourceVersion: '3', managedFields: [managedFieldsEntryFor(fieldOwnerFor(m.metadata.name), { data: ['DB_PASSWORD', 'FROM_DATAFROM'], labels: [], annotations: [] }, 't')] },
      data: fetched({ OTHER: 'keep', DB_PASSWORD: 'x', FROM_DATAFROM: 'y' }),
    };
    assert.deepEqual(keys(write(planTargetSecret({ es: m, data: fetched({}), live }))), ['OTHER']);
  });

  it('immutable: an existing immutable target keeps its data on rotation and the sync succeeds (docs "Immutable target")', () => {
    const es = externalSecret({ target: { name: 'imm', immutable: true } });
    const first = planTargetSecret({ es, data: fetched({ v: 'one' }), live: undefined });
    assert.equal(write(first).immutable, true);
    const plan = planTargetSecret({ es, data: fetched({ v: 'two' }), live: liveFrom(first) });
    assert.equal(plan.action, 'unchanged');
  });

  it('immutable: a Secret made immutable elsewhere whose data must change fails with ESO\'s message', () => {
    const es = externalSecret();
    const live = { ...liveFrom(planTargetSecret({ es, data: fetched({ A: 'a' }), live: undefined })), immutable: true };
    // Nothing but data to change: ESO updateSecret still writes the mutated copy's metadata, whose
    // data-hash annotation is the NEW data's (existingSecret.ObjectMeta = updatedSecret.ObjectMeta),
    // then fails with ErrSecretImmutable; the data stays as it was.
    const dataOnly = planTargetSecret({ es, data: fetched({ A: 'b' }), live });
    assert.ok(dataOnly.action === 'update' && dataOnly.thenFail, `expected a metadata write, got ${dataOnly.action}`);
    assert.ok(isCode('TargetImmutable')(dataOnly.thenFail) && dataOnly.thenFail.message.startsWith('could not update secret, target is immutable'));
    assert.equal(text(dataOnly.secret.data.get('A')), 'a', 'the data stays as it was');
    assert.equal(dataOnly.secret.annotations[ANNOTATION_DATA_HASH], write(planTargetSecret({ es, data: fetched({ A: 'b' }), live: undefined })).annotations[ANNOTATION_DATA_HASH], 'the new data\'s hash');
    assert.notEqual(dataOnly.secret.annotations[ANNOTATION_DATA_HASH], live.metadata.annotations?.[ANNOTATION_DATA_HASH]);
    // Once that metadata is on the Secret, there is nothing left ESO could write: it only fails.
    const after = { ...liveFrom(dataOnly), data: live.data, immutable: true };
    assert.throws(() => planTargetSecret({ es, data: fetched({ A: 'b' }), live: after }), (e: unknown) => isCode('TargetImmutable')(e) && (e as Error).message.startsWith('could not update secret, target is immutable'));
    // Metadata to change too: ESO updateSecret writes the metadata of an immutable Secret, then fails.
    const labelled = externalSecret({}, { labels: { team: 'a' } });
    const plan = planTargetSecret({ es: labelled, data: fetched({ A: 'b' }), live });
    assert.ok(plan.action === 'update' && plan.thenFail);
    assert.equal(plan.secret.labels.team, 'a');
    assert.equal(text(plan.secret.data.get('A')), 'a', 'the data stays as it was');
    assert.ok(isCode('TargetImmutable')(plan.thenFail));
  });

  it('type change: the Secret this ExternalSecret owns is recreated with the new type', () => {
    const step1 = externalSecret({ target: { name: 'retype' } });
    const live = liveFrom(planTargetSecret({ es: step1, data: fetched({ '.dockerconfigjson': '{}' }), live: undefined }));
    const step2 = externalSecret({ target: { name: 'retype', template: { type: 'kubernetes.io/dockerconfigjson' } } });
    const plan = planTargetSecret({ es: step2, data: fetched({ '.dockerconfigjson': '{}' }), live });
    assert.ok(plan.action === 'recreate');
    assert.equal(plan.secret.type, 'kubernetes.io/dockerconfigjson');
    assert.deepEqual(plan.previous, { uid: 'uid-secret-1', resourceVersion: '7', type: 'Opaque' });
  });

  it('type change: the recreated Secret is what a create makes, so the next sync writes nothing (field variant fv-type-owner-adopted)', () => {
    // A Secret kubectl created (with its own label and annotation), adopted by an Owner ExternalSecret.
    // Carried over into the new Secret, kubectl's label would be written as this ExternalSecret's field
    // manager and taken out again by the next sync (getManagedLabelKeys): a second write.
    const step1 = externalSecret({ target: { name: 'retype' } });
    const adopted = liveFrom(planTargetSecret({ es: step1, data: fetched({ v: 'a' }), live: undefined }));
    const kubectl = managedFieldsEntryFor('kubectl', { data: [], labels: ['foreign-label'], annotations: ['foreign-annotation'] }, '2026-01-01T00:00:00Z');
    const live: LiveSecret = {
      ...adopted,
      metadata: {
        ...adopted.metadata,
        labels: { ...adopted.metadata.labels, 'foreign-label': 'yes' },
        annotations: { ...adopted.metadata.annotations, 'foreign-annotation': 'kept' },
        managedFields: [kubectl, ...(adopted.metadata.managedFields ?? [])],
      },
    };
    const step2 = externalSecret({ target: { name: 'retype', template: { type: 'example.com/x' } } });
    const plan = planTargetSecret({ es: step2, data: fetched({ v: 'a' }), live });
    assert.ok(plan.action === 'recreate');
    assert.equal(plan.secret.labels['foreign-label'], undefined);
    assert.equal(plan.secret.annotations['foreign-annotation'], undefined);
    assert.equal(plan.secret.resourceVersion, undefined);
    assert.equal(plan.secret.labels[LABEL_MANAGED], 'true');
    assert.equal(plan.hash, plan.secret.annotations[ANNOTATION_DATA_HASH]);
    assert.equal(planTargetSecret({ es: step2, data: fetched({ v: 'a' }), live: liveFrom(plan, {}, 'uid-secret-2') }).action, 'unchanged');
  });

  it('type change: a Secret not owned by this ExternalSecret is not deleted; the condition says why', () => {
    const orphan = externalSecret({ target: { name: 'retype', creationPolicy: 'Orphan', template: { type: 'kubernetes.io/dockerconfigjson' } } });
    const live: LiveSecret = { metadata: { name: 'retype', resourceVersion: '1' }, type: 'Opaque', data: fetched({}) };
    assert.throws(
      () => planTargetSecret({ es: orphan, data: fetched({ '.dockerconfigjson': '{}' }), live }),
      (e: unknown) => isCode('TargetTypeImmutable')(e) && /cannot change a Secret's type/.test((e as Error).message) && (e as Error).message.includes('Orphan'),
    );
  });

  it('no template.type keeps the existing type (ApplyTemplate only sets a type it is given)', () => {
    const es = externalSecret({ target: { name: 'x', creationPolicy: 'Orphan' } });
    const live: LiveSecret = { metadata: { name: 'x', resourceVersion: '1' }, type: 'kubernetes.io/basic-auth', data: fetched({}) };
    assert.equal(write(planTargetSecret({ es, data: fetched({ username: 'u' }), live })).type, 'kubernetes.io/basic-auth');
  });
});
