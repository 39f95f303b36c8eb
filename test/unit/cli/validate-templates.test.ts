// `projector validate` parses every template the operator parses at sync, and reports a parse error
// with the operator's code and message (core/template-parse-issues.ts), at the template's own line.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyse, DEFAULT_CONFIG } from '../../../src/cli/commands/validate.ts';
import { parseFile } from '../../../src/cli/manifests.ts';
import { externalSecretTemplateParseIssues, pushSecretTemplateParseIssues } from '../../../src/core/template-parse-issues.ts';
import { keyTemplateRenderer, targetTemplateRenderer } from '../../../src/core/render-target-template.ts';
import { renderTemplate } from '../../../src/core/template/index.ts';
import { ProjectorError } from '../../../src/core/errors.ts';
import type { ExternalSecret } from '../../../src/api/index.ts';

const ES_FILE = 'deploy/app/secrets/externalsecret-app.yaml';
const STORE: [string, string] = ['infra/store.yaml', 'apiVersion: external-secrets.io/v1\nkind: ClusterSecretStore\nmetadata: {name: akv}\nspec:\n  provider:\n    fake: {data: []}\n'];

/** An ExternalSecret whose spec ends with `extra` (lines indented under spec:). Line 11 is the first extra line. */
function externalSecret(extra: string[]): string {
  return [
    'apiVersion: external-secrets.io/v1',
    'kind: ExternalSecret',
    'metadata:',
    '  name: app',
    '  namespace: app',
    'spec:',
    '  refreshInterval: 1h',
    '  secretStoreRef: {kind: ClusterSecretStore, name: akv}',
    '  data:',
    '    - {secretKey: a, remoteRef: {key: a}}',
    ...extra,
  ].join('\n');
}

function run(files: [string, string][]) {
  const report = analyse(files.flatMap(([file, text]) => parseFile(file, text).docs), [], DEFAULT_CONFIG, false, {});
  return report.problems.filter((p) => p.severity === 'error').map((p) => ({ line: p.line, code: p.code, path: p.path, message: p.message }));
}

const BAD_TEMPLATE_DATA = ['  target:', '    template:', '      data:', '        x: "{{ .a | nosuchfunc }}"', '        "y": "{{ .a "', '        ok: "{{ .a | upper }}"'];

describe('validate: template parse errors, as the operator reports them', () => {
  it('reports an unknown function and an unclosed action in spec.target.template.data at their lines, with the operator\'s message', () => {
    assert.deepEqual(run([[ES_FILE, externalSecret(BAD_TEMPLATE_DATA)], STORE]), [
      { line: 14, code: 'InvalidSpec', path: 'spec.target.template.data["x"]', message: 'template: x:1:8: function "nosuchfunc" not defined' },
      { line: 15, code: 'InvalidSpec', path: 'spec.target.template.data["y"]', message: 'template: y:1:6: unclosed action' },
    ]);
  });

  it('passes valid templates (sprig and ESO functions, templateFrom literal, rewrite transform)', () => {
    const valid = externalSecret([
      '  dataFrom:',
      '    - extract: {key: bundle}',
      '      rewrite: [{transform: {template: "app-{{ .value | lower }}"}}]',
      '  target:',
      '    template:',
      '      templateFrom: [{literal: "k: {{ .a | b64enc }}"}]',
      '      data: {ok: "{{ .a | upper }}", pem: "{{ .a | filterPEM \\"CERTIFICATE\\" }}"}',
      '      metadata: {labels: {l: "{{ .a }}"}}',
    ]);
    assert.deepEqual(run([[ES_FILE, valid], STORE]), []);
  });

  it('parses templateFrom literals, metadata templates and dataFrom rewrite transforms too, named as the operator names them', () => {
    const found = run([
      [
        ES_FILE,
        externalSecret([
          '  dataFrom:',
          '    - extract: {key: bundle}',
          '      rewrite:',
          '        - regexp: {source: "a", target: "b"}',
          '        - transform: {template: "{{ .value | nope }}"}',
          '  target:',
          '    template:',
          '      templateFrom:',
          '        - literal: "k: {{ end }}"',
          '      metadata:',
          '        annotations: {note: "{{ .a "}',
        ]),
      ],
      STORE,
    ]);
    assert.deepEqual(found, [
      { line: 19, code: 'InvalidSpec', path: 'spec.target.template.templateFrom[0].literal', message: 'template: spec.target.template.templateFrom[0].literal:1:10: unexpected {{end}}' },
      { line: 21, code: 'InvalidSpec', path: 'spec.target.template.metadata.annotations["note"]', message: 'template: note:1:6: unclosed action' },
      { line: 15, code: 'InvalidSpec', path: 'spec.dataFrom[0].rewrite[1].transform.template', message: 'template: spec.dataFrom[0].rewrite[1].transform.template:1:12: function "nope" not defined' },
    ]);
  });

  it('gives the same code and message the operator\'s renderers give for the same templates', () => {
    const es = {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'app', namespace: 'app' },
      spec: { target: { template: { templateFrom: [{ literal: 'k: {{ .a | nosuchfunc }}' }] } }, dataFrom: [{ extract: { key: 'k' }, rewrite: [{ transform: { template: '{{ .value ' } }] }] },
    } as unknown as ExternalSecret;
    const render = (source: string, data: unknown, name: string) => renderTemplate(source, data, name, { now: new Date(0) });
    const operatorError = (f: () => unknown): [string, string] => {
      try {
        f();
      } catch (e) {
        assert.ok(e instanceof ProjectorError);
        return [e.code, e.message];
      }
      assert.fail('the operator renderer accepted the template');
    };
    const fromValidate = externalSecretTemplateParseIssues(es.spec).map((i) => [i.code, i.message]);
    assert.deepEqual(fromValidate, [
      operatorError(() => targetTemplateRenderer(render)(es, new Map())),
      operatorError(() => keyTemplateRenderer(render)('{{ .value ', 'k', 'spec.dataFrom[0].rewrite[0].transform.template')),
    ]);
    for (const data of [{ x: '{{ .a | nosuchfunc }}' }, { y: '{{ .a ' }]) {
      const withData = { ...es, spec: { target: { template: { data } } } } as unknown as ExternalSecret;
      assert.deepEqual(externalSecretTemplateParseIssues(withData.spec).map((i) => [i.code, i.message]), [operatorError(() => targetTemplateRenderer(render)(withData, new Map()))]);
    }
  });

  it('leaves engineVersion v1 templates to the NotSupported check', () => {
    assert.deepEqual(externalSecretTemplateParseIssues({ target: { template: { engineVersion: 'v1', data: { x: '{{ .a ' } } } }), []);
  });

  it('checks PushSecret spec.template and dataTo rewrite transforms, named spec.template as the operator names them', () => {
    const ps = ['apiVersion: external-secrets.io/v1alpha1', 'kind: PushSecret', 'metadata: {name: p, namespace: app}', 'spec:', '  secretStoreRefs: [{name: akv, kind: ClusterSecretStore}]', '  selector: {secret: {name: src}}', '  dataTo:', '    - storeRef: {name: akv, kind: ClusterSecretStore}', '      rewrite: [{transform: {template: "{{ .value | nope }}"}}]', '  template:', '    templateFrom: [{literal: "{{ .a "}]', '    data: {x: "{{ .a | nosuchfunc }}"}'].join('\n');
    assert.deepEqual(run([['deploy/app/push.yaml', ps], STORE]), [
      { line: 11, code: 'InvalidSpec', path: 'spec.template.templateFrom[0].literal', message: 'template: spec.template.templateFrom[0].literal:1:6: unclosed action' },
      { line: 12, code: 'InvalidSpec', path: 'spec.template.data["x"]', message: 'template: x:1:8: function "nosuchfunc" not defined' },
      { line: 9, code: 'InvalidSpec', path: 'spec.dataTo[0].rewrite[0].transform.template', message: 'template: spec.dataTo[0].rewrite[0].transform.template:1:12: function "nope" not defined' },
    ]);
    assert.deepEqual(pushSecretTemplateParseIssues({ template: { data: { x: '{{ .a | upper }}' } } }), []);
  });

  it('checks the specs embedded in ClusterExternalSecret and ClusterPushSecret, at their own lines', () => {
    const ces = ['apiVersion: external-secrets.io/v1', 'kind: ClusterExternalSecret', 'metadata: {name: c}', 'spec:', '  namespaces: [a]', '  externalSecretSpec:', '    secretStoreRef: {kind: ClusterSecretStore, name: akv}', '    data: [{secretKey: a, remoteRef: {key: a}}]', '    target:', '      template:', '        data: {x: "{{ .a | nosuchfunc }}"}'].join('\n');
    assert.deepEqual(run([['c.yaml', ces], STORE]), [{ line: 11, code: 'InvalidSpec', path: 'spec.externalSecretSpec.target.template.data["x"]', message: 'template: x:1:8: function "nosuchfunc" not defined' }]);
    const cps = ['apiVersion: external-secrets.io/v1alpha1', 'kind: ClusterPushSecret', 'metadata: {name: c}', 'spec:', '  namespaceSelectors: [{matchLabels: {team: x}}]', '  pushSecretSpec:', '    secretStoreRefs: [{kind: ClusterSecretStore, name: akv}]', '    selector: {secret: {name: src}}', '    data: [{match: {secretKey: A, remoteRef: {remoteKey: r}}}]', '    template:', '      data: {\"y\": \"{{ .a \"}'].join('\n');
    assert.deepEqual(run([['c.yaml', cps], STORE]), [{ line: 11, code: 'InvalidSpec', path: 'spec.pushSecretSpec.template.data["y"]', message: 'template: y:1:6: unclosed action' }]);
  });

  it('parses templateFrom configMap items when the ConfigMap is in the scanned paths (TemplateSourceInvalid, as the operator), else judges nothing', () => {
    const es = externalSecret(['  target:', '    template:', '      templateFrom:', '        - configMap:', '            name: tpl', '            items: [{key: good}, {key: bad}, {key: absent}]']);
    const cm = (ns: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: tpl, namespace: ${ns}}\ndata:\n  good: "{{ .a }}"\n  bad: "{{ .a | nosuchfunc }}"\n`;
    assert.deepEqual(run([[ES_FILE, es], STORE, ['cm.yaml', cm('app')]]), [
      { line: 16, code: 'TemplateSourceInvalid', path: 'spec.target.template.templateFrom[0].configMap.items[1]', message: 'template: bad:1:8: function "nosuchfunc" not defined' },
    ]);
    assert.deepEqual(run([[ES_FILE, es], STORE, ['cm.yaml', cm('other')]]), []);
    assert.deepEqual(run([[ES_FILE, es], STORE]), []);
  });
});
