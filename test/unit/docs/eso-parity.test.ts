// docs/eso-parity.md's generated tables are what scripts/eso-parity.ts derives from the code and the
// ESO fixtures, and the generator refuses to explain away a family Projector serves or to leave one
// ESO exports unexplained.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DOC, esoFamilies, fieldRows, flagRows, metricRows, renderParityDoc } from '../../../scripts/eso-parity.ts';
import { ESO_FLAGS } from '../../../src/eso-flags.ts';

const root = new URL('../../../', import.meta.url).pathname;

describe('docs/eso-parity.md', () => {
  it('is up to date (node scripts/eso-parity.ts)', () => {
    const current = readFileSync(root + DOC, 'utf8');
    assert.equal(renderParityDoc(current), current);
  });

  it('has a state for every ESO metric family, flag and CRD field group', () => {
    const metrics = metricRows();
    assert.deepEqual(metrics.map((r) => r.name), esoFamilies().map((f) => f.name));
    for (const r of [...metrics, ...flagRows(), ...fieldRows()]) assert.ok(['same', 'alias', 'NotSupported', 'deliberately different'].includes(r.state), JSON.stringify(r));
    const flags = flagRows().filter((r) => r.command === 'controller').map((r) => r.name);
    assert.deepEqual(flags, ESO_FLAGS.map((f) => f.name));
    const fields = fieldRows();
    // Implemented, with the differences listed in docs/design/000-overview.md.
    assert.equal(fields.find((r) => r.kind === 'ExternalSecret' && r.group === 'spec.syncWindows')?.state, 'deliberately different');
    assert.match(fields.find((r) => r.kind === 'SecretStore' && r.group === 'spec.provider.<other>')!.note, /\baws\b/);
    assert.equal(fields.find((r) => r.kind === 'SecretStore' && r.group === 'spec.provider.azurekv')?.state, 'same');
  });

  it('lists ClusterExternalSecret, PushSecret and the generator kinds with states drawn from their validators', () => {
    const fields = fieldRows();
    const row = (kind: string, group: string) => fields.find((r) => r.kind === kind && r.group === group);
    for (const kind of ['ClusterExternalSecret', 'PushSecret', 'Password', 'UUID', 'Fake', 'ACRAccessToken', 'ClusterGenerator', 'GeneratorState']) {
      assert.ok(fields.some((r) => r.kind === kind && r.group === 'spec'), `${kind} has rows`);
    }
    // The embedded ExternalSecret spec carries core/validate.ts NOT_SUPPORTED under its own prefix.
    assert.match(row('ClusterExternalSecret', 'spec.externalSecretSpec')!.note, /`spec\.externalSecretSpec\.target\.template\.engineVersion` NotSupported \(value v1\)/);
    assert.match(row('ClusterExternalSecret', 'spec.externalSecretSpec')!.note, /`spec\.externalSecretSpec\.syncWindows` deliberately different/);
    // validatePushSecret serves dataTo, label-selected stores and ReverseUnicode (their probes turn
    // same); what it still refuses is named inside its group.
    assert.equal(row('PushSecret', 'spec.dataTo')?.state, 'same');
    assert.doesNotMatch(row('PushSecret', 'spec.secretStoreRefs')!.note, /NotSupported/);
    assert.equal(row('PushSecret', 'spec.template')?.state, 'same');
    assert.equal(row('PushSecret', 'spec.updatePolicy')?.state, 'same');
    // Generators: the kinds Projector runs are same, the others NotSupported, from core/generators.ts.
    assert.equal(row('ClusterGenerator', 'spec.generator.passwordSpec')?.state, 'same');
    assert.equal(row('ClusterGenerator', 'spec.generator.<other>')?.state, 'NotSupported');
    assert.match(row('ClusterGenerator', 'spec.generator.<other>')!.note, /vaultDynamicSecretSpec/);
    assert.doesNotMatch(row('ClusterGenerator', 'spec.generator.<other>')!.note, /passwordSpec|fakeSpec|uuidSpec|acrAccessTokenSpec/);
    assert.match(row('ExternalSecret', 'spec.dataFrom')!.note, /generatorRef\.kind` NotSupported \(value [^)]*VaultDynamicSecret/);
    assert.doesNotMatch(row('ExternalSecret', 'spec.dataFrom')!.note, /value [^)]*\bPassword\b/);
    assert.match(row('ACRAccessToken', 'spec.environmentType')!.note, /AzureStackCloud/);
    assert.equal(row('Fake', 'spec.controller')?.state, 'same');
  });

  it('refuses an ESO family that is neither served nor explained, a stale explanation, and a type that differs', () => {
    assert.throws(() => metricRows([{ name: 'externalsecret_new_total', type: 'counter', labels: [], origin: 'eso' }]), /neither served by Projector nor explained/);
    assert.throws(() => metricRows([{ name: 'workqueue_depth', type: 'gauge', labels: ['name', 'controller', 'priority'], origin: 'eso' }], { workqueue_depth: { state: 'NotSupported', note: 'x' } }), /is served now/);
    assert.throws(() => metricRows([{ name: 'workqueue_depth', type: 'counter', labels: ['name', 'controller', 'priority'], origin: 'eso' }]), /type is counter/);
    assert.throws(() => metricRows([{ name: 'workqueue_depth', type: 'gauge', labels: ['name'], origin: 'eso' }]), /labels are name/);
  });
});
