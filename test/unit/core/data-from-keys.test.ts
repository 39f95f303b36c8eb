// dataFrom keys as ESO makes them (pkg/controllers/externalsecret/externalsecret_controller_secret.go
// handleExtractSecrets / handleFindAllSecrets: rewrite, or without one the conversionStrategy, then
// runtime/esutils/utils.go ValidateKeys), and the rule of issue 9: a JSON member name is part of the
// secret value, so no message names it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { convertKey, dataFromEntries, type DataFromOrigin } from '../../../src/core/transform.ts';
import { Sensitive } from '../../../src/core/sensitive.ts';
import { ProjectorError } from '../../../src/core/errors.ts';

const extract: DataFromOrigin = { field: 'spec.dataFrom[0]', kind: 'extract', remoteKey: 'app-config' };

/** dataFromEntries over `keys`, each holding its own index as its value: final key → that index. */
function dataFromKeys(keys: string[], opts: Parameters<typeof dataFromEntries>[1]): Map<string, number> {
  const raw = new Map(keys.map((k, i) => [k, new Sensitive(Uint8Array.of(i))]));
  return new Map([...dataFromEntries(raw, opts)].map(([k, v]) => [k, v.reveal()[0]!]));
}

describe('convertKey: ESO runtime/esutils/utils.go convert', () => {
  // Expected values computed with Go 1.26 (unicode.IsLetter / unicode.IsNumber, fmt "_U%04x_").
  const cases: [string, string, string][] = [
    ['my key', 'my_key', 'my_U0020_key'],
    ['db.password', 'db.password', 'db.password'],
    ['ключ', 'ключ', 'ключ'],
    ['a/b', 'a_b', 'a_U002f_b'],
    ['é😀x', 'é_x', 'é_U1f600_x'],
    ['tab\tkey', 'tab_key', 'tab_U0009_key'],
    ['Ⅻ²', 'Ⅻ²', 'Ⅻ²'],
    ['x:y@z', 'x_y_z', 'x_U003a_y_U0040_z'],
  ];
  for (const [key, def, uni] of cases) {
    it(`${JSON.stringify(key)} → Default ${JSON.stringify(def)}, Unicode ${JSON.stringify(uni)}`, () => {
      assert.equal(convertKey(key, 'Default'), def);
      assert.equal(convertKey(key, undefined), def, 'an absent strategy is Default');
      assert.equal(convertKey(key, 'Unicode'), uni);
    });
  }
});

describe('dataFromEntries: keys', () => {
  it('applies the conversion strategy only when there is no rewrite (ESO: `if len(remoteRef.Rewrite) == 0`)', () => {
    assert.deepEqual([...dataFromKeys(['a b'], { origin: extract }).keys()], ['a_b']);
    assert.deepEqual([...dataFromKeys(['a b'], { origin: extract, conversion: 'Unicode' }).keys()], ['a_U0020_b']);
    // With a rewrite the strategy is not applied: the rewritten key must be valid on its own.
    const rewritten = dataFromKeys(['a b'], { origin: extract, conversion: 'Unicode', rewrite: [{ regexp: { source: ' ', target: '-' } }] });
    assert.deepEqual([...rewritten.keys()], ['a-b']);
  });

  it('drops an empty key, as ESO ValidateKeys does, and maps each key to its entry', () => {
    const got = dataFromKeys(['x', '', 'y'], { origin: extract });
    assert.deepEqual([...got], [['x', 0], ['y', 2]]);
  });

  it('a key the API server refuses is named by position, never by name', () => {
    const canary = 'canary-member-ключ';
    assert.throws(
      () => dataFromKeys(['ok', 'fine', canary], { origin: extract }),
      (e: unknown) => {
        assert.ok(e instanceof ProjectorError);
        assert.equal(e.code, 'VaultBadValue');
        assert.match(e.message, /^member #3 of the value of remote key "app-config" \(spec\.dataFrom\[0\]\.extract\) gives a Secret key that must consist of alphanumeric characters/);
        assert.match(e.message, /not shown/);
        assert.ok(!JSON.stringify([e.message, e.details]).includes('canary'), e.message);
        return true;
      },
    );
  });

  it('a rewrite that makes a bad key: position, "after rewrite", the name not shown', () => {
    assert.throws(
      () => dataFromKeys(['canary-x'], { origin: extract, rewrite: [{ regexp: { source: '^canary-', target: 'canary/' } }] }),
      (e: unknown) => e instanceof ProjectorError && /member #1 .* after rewrite/.test(e.message) && !e.message.includes('canary'),
    );
  });

  it('two members converting to one key fail (ESO: "secret name collision during conversion") without either name', () => {
    assert.throws(
      () => dataFromKeys(['canary a', 'canary_a'], { origin: extract }),
      (e: unknown) =>
        e instanceof ProjectorError &&
        e.code === 'VaultBadValue' &&
        /^member #1 .* and member #2 .* convert to the same Secret key \(conversionStrategy Default\)/.test(e.message) &&
        !e.message.includes('canary'),
    );
  });

  it('tags (metadataPolicy Fetch) are entries of the tags; find keys name the vault secret (a name, not a value)', () => {
    assert.throws(() => dataFromKeys(['ключ'], { origin: { ...extract, tags: true } }), /entry #1 of the tags of remote key "app-config"/);
    assert.throws(
      () => dataFromKeys(['app-a'], { origin: { field: 'spec.dataFrom[1]', kind: 'find' }, rewrite: [{ regexp: { source: '-', target: '/' } }] }),
      /the key made from vault secret "app-a" \(matched by spec\.dataFrom\[1\]\.find\) gives a Secret key that .* after rewrite/,
    );
  });
});
