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

  it('a parser error under "Error" does not quote the document', () => {
    const out = renderTemplate('{{ (fromYaml .doc).Error }}', { doc: 'password: [hunter2\n' }, 'y');
    assert.ok(out.startsWith('error converting YAML to JSON: '));
    assert.ok(!out.includes('hunter2'));
  });
});
