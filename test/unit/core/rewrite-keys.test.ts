import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rewriteKeys } from '../../../src/core/transform.ts';
import { ProjectorError } from '../../../src/core/errors.ts';

const keysAfter = (keys: string[], source: string, target: string) =>
  [...rewriteKeys(new Map(keys.map((k) => [k, k])), [{ regexp: { source, target } }], 'spec.dataFrom[0]').keys()];

// ESO's RewriteRegexp (runtime/esutils/utils.go) calls Go's (*regexp.Regexp).ReplaceAllString;
// expected keys computed with Go 1.26's regexp.
describe('rewrite.regexp follows Go ReplaceAllString', () => {
  it('replaces once where the pattern also matches the empty string at the end', () => {
    // JavaScript's String.replace gives alerts_MONITOR_MONITOR: it also replaces the empty match after "alerts".
    assert.deepEqual(keysAfter(['alerts'], '(.*)', '${1}_MONITOR'), ['alerts_MONITOR']);
    assert.deepEqual(keysAfter(['baaac'], 'a*', '-'), ['-b-c-']);
  });

  it('expands the target as Go\'s Expand: $1_x names group "1_x", $$ is a dollar', () => {
    assert.deepEqual(keysAfter(['app-db'], '^app-(?P<name>.*)$', '$1_x'), ['']);
    assert.deepEqual(keysAfter(['app-db'], '^app-(?P<name>.*)$', '${name}_x'), ['db_x']);
    assert.deepEqual(keysAfter(['app-db'], '^app-(.*)$', '$$${1}'), ['$db']);
  });

  it('reports a pattern Go refuses as InvalidSpec at its path, with Go\'s reason', () => {
    assert.throws(
      () => keysAfter(['k'], 'k(?=x)', 'y'),
      (e: unknown) =>
        e instanceof ProjectorError &&
        e.code === 'InvalidSpec' &&
        e.details.field === 'spec.dataFrom[0].rewrite[0].regexp.source' &&
        e.message.endsWith('invalid or unsupported Perl syntax'),
    );
  });
});

// ESO's RewriteTransform (runtime/esutils/utils.go) uses the executed template's output as the key as is.
describe('rewrite.transform keeps the rendered key as Go renders it', () => {
  it('does not trim surrounding whitespace (a key with a space then fails key validation, as in ESO)', async () => {
    const { defaultKeyTemplateRenderer } = await import('../../../src/core/default-template-renderer.ts');
    const render = defaultKeyTemplateRenderer({ now: () => new Date(0) });
    assert.equal(render(' {{ .value }}-x\n', 'db', 'spec.dataFrom[0].rewrite[0].transform.template'), ' db-x\n');
    assert.equal(render('{{ .value | upper }}', 'db', 'f'), 'DB');
  });
});
