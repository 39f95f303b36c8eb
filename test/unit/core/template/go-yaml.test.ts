import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderTemplate } from '../../../../src/core/template/index.ts';
import { FROM_YAML_CASES, FROM_YAML_TEMPLATE } from './go-yaml-cases.ts';

describe('fromYaml reads documents as ESO does (sigs.k8s.io/yaml over go.yaml.in/yaml/v2, expected values from Go)', () => {
  for (const c of FROM_YAML_CASES) {
    it(JSON.stringify(c.doc), () => {
      const out = renderTemplate(FROM_YAML_TEMPLATE, { doc: c.doc }, 'y');
      if (c.output !== undefined) assert.equal(out, c.output);
      else {
        // Go reports a conversion error under "Error" and nothing else (its text differs, see go-yaml.ts).
        assert.match(out, /^true\|\{"Error":"error converting YAML to JSON: [^"]*"\}\|Error=string;$/);
      }
    });
  }

  // go.yaml.in/yaml/v2 decode.go: past 1,000 decoded nodes and 100 inside aliases, at most 99 % of
  // them may be inside aliases (allowedAliasRatio). Expected answers checked with Go (test/template-go):
  // a chain of double merges passes at 8 levels and fails at 9; ten aliases per level at 3 and 4.
  it('refuses alias bombs exactly where yaml.v2 does, in linear time', () => {
    const verdict = (doc: string) => renderTemplate('{{ $m := fromYaml .doc }}{{ if hasKey $m "Error" }}{{ $m.Error }}{{ else }}ok {{ len $m }}{{ end }}', { doc }, 'y');
    const chain = (n: number) => 'a: &a {x: 1}\n' + Array.from({ length: n }, (_, i) => `b${i}: &b${i}\n  <<: [*${i ? `b${i - 1}` : 'a'}, *${i ? `b${i - 1}` : 'a'}]\n`).join('');
    const lol = (n: number) => 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n' + Array.from({ length: n - 1 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(', ')}]\n`).join('');
    const excessive = 'error converting YAML to JSON: yaml: document contains excessive aliasing';
    assert.equal(verdict(chain(8)), 'ok 9');
    assert.equal(verdict(chain(9)), excessive);
    assert.equal(verdict(chain(18)), excessive);
    assert.equal(verdict(lol(3)), 'ok 3');
    assert.equal(verdict(lol(4)), excessive);
    // 8,000 aliases of one small map: allowed, and no longer a walk of the document per alias
    // (the yaml package's Alias.resolve took 45 s here; the step limit would stop a slow render too).
    assert.equal(verdict('a: &a {x: 1, y: 2}\nl:\n' + '  - *a\n'.repeat(8_000)), 'ok 2');
    assert.equal(verdict('k: &k key\n' + Array.from({ length: 1_200 }, (_, i) => `m${i}: {*k : v}\n`).join('')), 'ok 1201');
  });

  it('a parser error under "Error" does not quote the document', () => {
    const out = renderTemplate('{{ (fromYaml .doc).Error }}', { doc: 'password: [hunter2\n' }, 'y');
    assert.ok(out.startsWith('error converting YAML to JSON: '));
    assert.ok(!out.includes('hunter2'));
  });
});
