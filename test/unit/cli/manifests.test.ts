import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatFieldPath, loadManifests, ManifestPathError, parseFieldPath, parseFile } from '../../../src/cli/manifests.ts';

const FIXTURES = 'test/fixtures';

describe('parseFile', () => {
  it('reads every document of a multi-document file with its starting line', () => {
    const { docs, problems } = parseFile('x.yaml', 'apiVersion: v1\nkind: A\nmetadata: {name: a}\n---\n---\napiVersion: v1\nkind: B\n');
    assert.deepEqual(problems, []);
    assert.deepEqual(docs.map((d) => [d.kind, d.index, d.line, d.column]), [['A', 0, 1, 1], ['B', 2, 6, 1]]);
    assert.equal(docs[0]?.name, 'a');
  });

  it('reads YAML 1.1 as Kubernetes does: yes is a boolean, unquoted dates stay strings', () => {
    const { docs } = parseFile('x.yaml', 'a: yes\nb: off\nc: 2024-01-31\n');
    assert.deepEqual(docs[0]?.object, { a: true, b: false, c: '2024-01-31' });
  });

  it('locates field paths at their keys, list items at the item, absent fields at the nearest ancestor', () => {
    const text = ['spec:', '  data:', '    - secretKey: A', '      remoteRef:', '        key: k', '  target: {}'].join('\n');
    const doc = parseFile('x.yaml', text).docs[0]!;
    assert.deepEqual(doc.positionOf('spec.data[0].remoteRef.key'), { line: 5, column: 9 });
    assert.deepEqual(doc.positionOf('spec.data[0]'), { line: 3, column: 7 });
    assert.deepEqual(doc.positionOf('spec.data[0].remoteRef.version'), { line: 4, column: 7 });
    assert.deepEqual(doc.positionOf('spec.target.name'), { line: 6, column: 3 });
  });

  it('reports a syntax error with its position and without quoting the line', () => {
    const canary = 'CANARY-yaml-line-41d2';
    const { docs, problems } = parseFile('x.yaml', `a: 1\nb:\n  c: 1\n d: "${canary}"\n`);
    assert.equal(docs.length, 0);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.line, 4);
    assert.equal(problems[0]?.code, 'YamlSyntax');
    assert.ok(!JSON.stringify(problems).includes(canary));
  });

  it('reports duplicate keys, which the API server rejects', () => {
    const { problems } = parseFile('x.yaml', 'a: 1\nb: 2\na: 3\n');
    assert.deepEqual(problems.map((p) => [p.code, p.line]), [['YamlSyntax', 3]]);
    assert.match(problems[0]!.message, /duplicate/);
  });
});

describe('field paths', () => {
  it('round-trips keys that need quoting', () => {
    const segments = ['metadata', 'annotations', 'reconcile.external-secrets.io/data-hash'];
    const path = formatFieldPath(segments);
    assert.equal(path, 'metadata.annotations["reconcile.external-secrets.io/data-hash"]');
    assert.deepEqual(parseFieldPath(path), segments);
    assert.deepEqual(parseFieldPath('spec.data[2].remoteRef.key'), ['spec', 'data', 2, 'remoteRef', 'key']);
  });
});

describe('loadManifests', () => {
  it('walks directories for .yaml files in name order', async () => {
    const { docs, problems } = await loadManifests([`${FIXTURES}/seed`]);
    assert.deepEqual(problems, []);
    assert.deepEqual(docs.map((d) => d.file), [
      `${FIXTURES}/seed/deploy/netbox/deployment.yaml`,
      `${FIXTURES}/seed/deploy/netbox/secrets/externalsecret-netbox-db-password.yaml`,
      `${FIXTURES}/seed/infra/rke2/secrets/clustersecretstore_akv-hybridops.yaml`,
    ]);
  });

  it('follows a kustomization\'s resources only, warning about remote ones and flagging missing ones', async () => {
    const { docs, problems } = await loadManifests([`${FIXTURES}/kustomize/app`]);
    assert.deepEqual(docs.map((d) => `${d.kind}/${d.name}`), ['ExternalSecret/app', 'ConfigMap/app-settings', 'ClusterSecretStore/shared']);
    assert.deepEqual(problems.map((p) => [p.code, p.severity, p.line]), [['RemoteResource', 'warning', 6], ['ResourceNotFound', 'error', 7]]);
    assert.ok(problems.every((p) => p.file === `${FIXTURES}/kustomize/app/kustomization.yaml`));
  });

  it('loads a file reached twice only once', async () => {
    const { docs } = await loadManifests([`${FIXTURES}/kustomize/app`, `${FIXTURES}/kustomize/shared/clustersecretstore-shared.yaml`]);
    assert.equal(docs.filter((d) => d.name === 'shared').length, 1);
  });

  it('fails with a path error for a path that does not exist', async () => {
    await assert.rejects(loadManifests([`${FIXTURES}/no-such-dir`]), ManifestPathError);
  });
});
