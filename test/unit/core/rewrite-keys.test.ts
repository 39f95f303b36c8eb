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

// ESO's RewriteTransform (runtime/esutils/utils.go) and PushSecret's compileRewrite
// (pkg/controllers/pushsecret/pushsecret_controller.go) parse the key template with
// template.New(...).Funcs(...).Parse: no Option("missingkey=error"), so Go's text/template default
// (missingkey=invalid) applies. Expected values are Go 1.26 text/template's with that default.
describe('rewrite.transform reads a missing key as Go\'s default missingkey does', () => {
  it('gives the invalid value (nil to functions, <no value> when printed) instead of failing', async () => {
    const { defaultKeyTemplateRenderer } = await import('../../../src/core/default-template-renderer.ts');
    const render = defaultKeyTemplateRenderer({ now: () => new Date(0) });
    const f = 'spec.dataFrom[0].rewrite[0].transform.template';
    assert.equal(render('{{ .other | default .value }}', 'alerts', f), 'alerts');
    assert.equal(render('{{ if .other }}x{{ end }}{{ .value }}', 'alerts', f), 'alerts');
    assert.equal(render('{{ .value }}-{{ .other }}', 'alerts', f), 'alerts-<no value>');
    assert.equal(render('{{ eq .other nil }}', 'alerts', f), 'true');
    assert.equal(render('{{ .other.x }}', 'alerts', f), '<no value>');
  });
  it('still fails where Go fails with the default option', async () => {
    const { defaultKeyTemplateRenderer } = await import('../../../src/core/default-template-renderer.ts');
    const render = defaultKeyTemplateRenderer({ now: () => new Date(0) });
    assert.throws(() => render('{{ .value.x }}', 'alerts', 'f'));
    assert.throws(() => render('{{ .other | upper }}', 'alerts', 'f'));
  });
});
