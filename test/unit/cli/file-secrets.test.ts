// `projector dev` writes target Secrets as files and keeps managedFields in them as the API server
// would, since which keys an ExternalSecret removes later depends on them (core/field-owner.ts).
// Expected values: ESO's controller on a real API server, bench/field-variants.ts cases
// fv-om-merge-rename and fv-lbl-merge-existing (bench/eso-side-by-side.ts --cases field-variants).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { FileSecrets } from '../../../src/cli/dev/file-secrets.ts';
import { planTargetSecret } from '../../../src/core/plan-target-secret.ts';
import { fieldOwnerFor, ownedFieldsOf } from '../../../src/core/field-owner.ts';
import { externalSecret, fetched, text } from '../../support/builders.ts';

/** A Secret kubectl created: its key, label and annotation are kubectl's (an Update entry). */
function kubectlSecret(root: string): void {
  mkdirSync(join(root, 'demo'), { recursive: true });
  const f = (keys: string[]) => Object.fromEntries(keys.map((k) => [`f:${k}`, {}]));
  writeFileSync(join(root, 'demo', 'shared.yaml'), stringify({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: 'shared',
      namespace: 'demo',
      resourceVersion: '1',
      labels: { 'foreign-label': 'yes' },
      annotations: { 'foreign-annotation': 'kept' },
      managedFields: [{ manager: 'kubectl', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': f(['foreign']), 'f:metadata': { 'f:labels': f(['foreign-label']), 'f:annotations': f(['foreign-annotation']) } } }],
    },
    type: 'Opaque',
    data: { foreign: Buffer.from('keep').toString('base64') },
  }));
}

/** One sync of `es` with the provider data `values` (keyed by Secret key), written as dev writes it. */
async function sync(files: FileSecrets, es: ReturnType<typeof externalSecret>, values: Record<string, string>): Promise<void> {
  const plan = planTargetSecret({ es, data: fetched(values), live: await files.getSecret('demo', 'shared') });
  if (plan.action === 'update' || plan.action === 'create') await files.updateSecret(plan.secret);
  else assert.equal(plan.action, 'unchanged');
}

describe('dev file Secrets: managedFields as the API server keeps them', () => {
  const merge = (name: string, data: { secretKey: string; key: string }[], labels?: Record<string, string>) =>
    externalSecret({ target: { name: 'shared', creationPolicy: 'Merge' }, data: data.map((d) => ({ secretKey: d.secretKey, remoteRef: { key: d.key } })) }, { name, namespace: 'demo', ...(labels && { labels }) });

  it('a key another writer set becomes this writer\'s when it changes its value, and goes when it stops writing it (ESO removes its managed keys)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'projector-file-secrets-'));
    kubectlSecret(root);
    const files = new FileSecrets(root);
    // Written with the value it had, a key or label stays kubectl's: kept when two stops writing it.
    await sync(files, merge('two', [{ secretKey: 'b', key: 'b' }, { secretKey: 'foreign', key: 'same' }], { 'foreign-label': 'yes' }), { b: 'value-b', foreign: 'keep' });
    await sync(files, merge('two', [{ secretKey: 'b', key: 'b' }]), { b: 'value-b' });
    const kept = await files.getSecret('demo', 'shared');
    assert.deepEqual([...kept!.data.keys()].sort(), ['b', 'foreign']);
    assert.equal(kept!.metadata.labels?.['foreign-label'], 'yes');
    // Written with a new value, it becomes two's: gone when two stops writing it.
    await sync(files, merge('two', [{ secretKey: 'b', key: 'b' }, { secretKey: 'foreign', key: 'c' }]), { b: 'value-b', foreign: 'value-c' });
    const taken = await files.getSecret('demo', 'shared');
    assert.deepEqual([...ownedFieldsOf(taken!.metadata, fieldOwnerFor('two')).data].sort(), ['b', 'foreign']);
    assert.deepEqual([...ownedFieldsOf(taken!.metadata, 'kubectl').data], []);
    await sync(files, merge('two', [{ secretKey: 'b', key: 'b' }]), { b: 'value-b' });
    const after = await files.getSecret('demo', 'shared');
    assert.deepEqual([...after!.data.keys()].sort(), ['b']);
    assert.equal(text(after!.data.get('b')), 'value-b');
  });

  it('a label another writer set, written with a new value, is this writer\'s and goes with it (fv-lbl-merge-existing)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'projector-file-secrets-'));
    kubectlSecret(root);
    const files = new FileSecrets(root);
    await sync(files, merge('one', [{ secretKey: 'a', key: 'a' }], { 'foreign-label': 'mine', team: 'blue' }), { a: 'value-a' });
    await sync(files, merge('one', [{ secretKey: 'a', key: 'a' }], {}), { a: 'value-a' });
    const s = await files.getSecret('demo', 'shared');
    assert.equal(s!.metadata.labels?.['foreign-label'], undefined);
    assert.equal(s!.metadata.annotations?.['foreign-annotation'], 'kept');
    assert.deepEqual([...s!.data.keys()].sort(), ['a', 'foreign']);
  });
});

describe('dev .env files', () => {
  it('write each key as a shell variable, leaving out (with a comment, never the value) a key that cannot be one or that another key would share', async () => {
    const root = mkdtempSync(join(tmpdir(), 'projector-file-env-'));
    const files = new FileSecrets(root);
    const es = externalSecret({ target: { name: 'env', creationPolicy: 'Owner' }, data: [] }, { name: 'env', namespace: 'demo' });
    const values = { DB_PASSWORD: 'canary-a', 'db.host': 'canary-b', '1x': 'canary-c', 'a.b-c': 'canary-d', a_b_c: 'canary-e', quote: "canary-'f" };
    const plan = planTargetSecret({ es, data: fetched(values), live: undefined });
    assert.ok(plan.action === 'create');
    await files.updateSecret(plan.secret);
    const env = readFileSync(join(root, 'demo', 'env.env'), 'utf8');
    assert.match(env, /^DB_PASSWORD='canary-a'$/m);
    assert.match(env, /^db_host='canary-b'$/m);
    assert.match(env, /^quote='canary-'\\''f'$/m);
    assert.match(env, /^# key "1x" not written: a shell variable name cannot start with a digit; exact in env\.yaml$/m);
    assert.match(env, /^# key "a\.b-c" not written: another key also becomes a_b_c; exact in env\.yaml$/m);
    assert.match(env, /^# key "a_b_c" not written: another key also becomes a_b_c; exact in env\.yaml$/m);
    for (const left of ['canary-c', 'canary-d', 'canary-e']) assert.ok(!env.includes(left), `${left} is not in the .env`);
  });
});
