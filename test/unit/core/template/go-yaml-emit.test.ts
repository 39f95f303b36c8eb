// toYaml as ESO writes it: the port of sigs.k8s.io/yaml JSONToYAML over go.yaml.in/yaml/v2's
// emitter (src/core/template/go-yaml-emit.ts) against outputs recorded from real Go
// (go-yaml-emit-cases.ts says how they were computed).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderTemplate } from '../../../../src/core/template/index.ts';
import { formatFloatG, jsonToGoYaml, yamlKeyLess } from '../../../../src/core/template/go-yaml-emit.ts';
import { JSON_TO_YAML_CASES, MULTI, TEMPLATE_CASES } from './go-yaml-emit-cases.ts';

const label = (s: string) => (s.length > 90 ? `${s.slice(0, 90)}… (${s.length} chars)` : s);

describe('jsonToGoYaml writes what sigs.k8s.io/yaml JSONToYAML (go.yaml.in/yaml/v2 Marshal) writes', () => {
  assert.ok(JSON_TO_YAML_CASES.length >= 100);
  for (const c of JSON_TO_YAML_CASES) {
    it(JSON.stringify(label(c.json)), () => {
      assert.equal(jsonToGoYaml(c.json), c.yaml);
    });
  }
});

describe('toYaml in templates renders as ESO renders it (outputs from test/template-go)', () => {
  for (const c of TEMPLATE_CASES) {
    it(label(c.template), () => {
      assert.equal(renderTemplate(c.template, { multi: MULTI }, 'y'), c.output);
    });
  }
});

describe('the pieces of yaml.v2 the emitter relies on', () => {
  it('orders keys as sorter.go keyList.Less does (digit runs as numbers, non-letters before letters)', () => {
    // Go's order: yaml.v2 Marshal of a map with these keys (the same map is a case of the table above).
    const goOrder = ['-1', '_', '1', '01', '001', '9', '10', 'A', 'a', 'a0', 'a00', 'a1', 'a01', 'a001', 'a2', 'a10'];
    const shuffled = [...goOrder].reverse();
    shuffled.push(...shuffled.splice(0, 5));
    const sorted = shuffled.sort((x, y) => (yamlKeyLess(x, y) ? -1 : yamlKeyLess(y, x) ? 1 : 0));
    assert.deepEqual(sorted, goOrder);
  });

  it('formats floats as strconv.FormatFloat(f, \'g\', -1, 64)', () => {
    // Values from Go's strconv.FormatFloat.
    const cases: Array<[number, string]> = [
      [1.5, '1.5'], [1e21, '1e+21'], [1e20, '1e+20'], [0.000001, '1e-06'], [0.0001, '0.0001'], [123456.5, '123456.5'],
      [1234567.5, '1.2345675e+06'], [5e-324, '5e-324'], [1.7976931348623157e308, '1.7976931348623157e+308'], [-2.25, '-2.25'], [100, '100'],
    ];
    for (const [f, want] of cases) assert.equal(formatFloatG(f), want, String(f));
  });
});
