import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeKubeConfig, resolveKubeConfig, SERVICE_ACCOUNT_TOKEN } from '../../../src/cli/kubeconfig.ts';
import { ProjectorError } from '../../../src/core/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'projector-kubeconfig-'));
const file = join(dir, 'config');
writeFileSync(file, 'apiVersion: v1\nkind: Config\ncurrent-context: dev\ncontexts: [{name: dev, context: {cluster: k, user: u}}]\nclusters: [{name: k, cluster: {server: "https://k.example:6443"}}]\nusers: [{name: u, user: {token: t}}]\n');
const noContext = join(dir, 'no-context');
writeFileSync(noContext, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');

const env = (vars: Record<string, string>, files: string[] = []) => ({ env: vars, home: join(dir, 'home'), exists: (p: string) => files.includes(p) || p === file || p === noContext });

describe('resolveKubeConfig (controller-runtime order: flag, KUBECONFIG, in-cluster, ~/.kube/config)', () => {
  it('uses the flag first and says so', () => {
    const r = resolveKubeConfig(file, env({ KUBECONFIG: '/elsewhere' }));
    assert.equal(describeKubeConfig(r), `https://k.example:6443 (context dev, from --kubeconfig ${file})`);
  });

  it('then KUBECONFIG, skipping the files it lists that do not exist', () => {
    const r = resolveKubeConfig(undefined, env({ KUBECONFIG: `/missing:${file}` }));
    assert.equal(r.source, `KUBECONFIG=/missing:${file}`);
    assert.equal(r.server, 'https://k.example:6443');
  });

  it('then the in-cluster service account, only with its variables and token', () => {
    const r = resolveKubeConfig(undefined, env({ KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' }, [SERVICE_ACCOUNT_TOKEN]));
    assert.equal(r.source, 'in-cluster service account');
    assert.equal(r.server, 'https://10.0.0.1:443');
    assert.equal(r.context, undefined);
  });

  it('then ~/.kube/config', () => {
    const home = join(dir, 'real-home');
    mkdirSync(join(home, '.kube'), { recursive: true });
    copyFileSync(file, join(home, '.kube', 'config'));
    const r = resolveKubeConfig(undefined, { env: {}, home, exists: (p) => p === join(home, '.kube', 'config') });
    assert.equal(r.source, `default file ${join(home, '.kube', 'config')}`);
  });

  it('refuses when none exists, naming every place looked at (no localhost:8080 fallback)', () => {
    assert.throws(() => resolveKubeConfig(undefined, env({ KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' })), (e: unknown) => {
      assert.ok(e instanceof ProjectorError);
      assert.match(e.message, /^no Kubernetes configuration: no --kubeconfig, KUBECONFIG is not set, this is not a pod .* and .*home\/\.kube\/config does not exist; pass --kubeconfig <file> or set KUBECONFIG$/);
      return true;
    });
  });

  it('names a missing flag file, a KUBECONFIG of missing files, and a configuration without a current context', () => {
    assert.throws(() => resolveKubeConfig('/nope', env({})), /--kubeconfig \/nope does not exist/);
    assert.throws(() => resolveKubeConfig(undefined, env({ KUBECONFIG: '/a:/b' })), /KUBECONFIG names \/a, \/b, which does not exist/);
    assert.throws(() => resolveKubeConfig(noContext, env({})), /from --kubeconfig .*no-context has no cluster for its current context \(current-context is not set\)/);
  });
});
