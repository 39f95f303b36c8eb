// The CLI's shape through the real process (issue 12): --version on every command, a one-line
// usage error, repeatable options that leave the paths alone, what a repository root scan skips,
// JUnit that lists only validated documents, and the offline template renderer.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertWellFormedXml, runProjector } from '../support/cli.ts';

const root = new URL('../../', import.meta.url).pathname;
const VERSION = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

const STORE = `apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata: { name: akv }
spec:
  provider:
    azurekv:
      vaultUrl: "https://kv.vault.azure.net/"
      authType: ManagedIdentity
`;

const es = (name: string, store = 'akv') => `apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: { name: ${name}, namespace: app }
spec:
  refreshInterval: 1h
  secretStoreRef: { kind: ClusterSecretStore, name: ${store} }
  data:
    - secretKey: K
      remoteRef: { key: ${name} }
`;

// A document validate would fail on: an unknown field.
const BROKEN = `apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: { name: broken, namespace: app }
spec:
  secretStoreRef: { kind: ClusterSecretStore, name: akv }
  notAField: true
`;

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: app }
spec: {}
`;

describe('projector CLI shape (CLI process)', { timeout: 1_200_000 }, () => {
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'projector-cli-shape-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('--version', () => {
    for (const args of [['--version'], ['vault', 'secret', 'list', '-V'], ['operator', '--version']]) {
      it(`projector ${args.join(' ')} prints ${VERSION}`, async () => {
        const r = await runProjector(args);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, `${VERSION}\n`);
      });
    }
    it('leaves vault secret show --version to mean the secret version (as az keyvault secret show)', async () => {
      const r = await runProjector(['vault', 'secret', 'show', '--help']);
      assert.match(r.stdout, /--version <version>\s+a specific version/);
    });
    it('prints hints a user can run after npm install (npx projector), and how to stop a background vault serve', async () => {
      const dev = await runProjector(['dev', '--help']);
      // The development principal's credentials come from the file dev writes, then npx projector.
      assert.match(dev.stdout, /^ {2}set -a; \. \.projector\/vault\/dev-principal\.env; set \+a$/m);
      assert.match(dev.stdout, /^ {2}printf %s "\$VALUE" \| npx projector vault secret set --name <name> --value-stdin$/m);
      assert.match(dev.stdout, /exit 1 if a manifest is refused or an ExternalSecret fails/);
      const serve = await runProjector(['vault', 'serve', '--help']);
      assert.match(serve.stdout, /^Stop it with Ctrl-C\. In the background, SIGTERM to npx does not stop the vault/m);
      assert.match(serve.stdout, /node_modules\/\.bin\/node bin\/projector\.mjs vault serve &/);
      assert.match(serve.stdout, /<data-dir>\/lock/);
    });
  });

  describe('usage errors: one line, ending with the help of the command that was run', () => {
    // [arguments, the command whose help the line must point at]. Every command, with an unknown
    // flag, and where it has them a missing argument or required flag and a refused flag value
    // (refused by commander, or by the command's own check of the value).
    const cases: [string[], string][] = [
      [['--bogus'], 'projector'],
      [['bogus'], 'projector'],
      [['operator', '--bogus'], 'projector operator'],
      [['operator', '--concurrency', 'many'], 'projector operator'],
      [['operator', '--resync-period', 'soon'], 'projector operator'],
      [['operator', '--kubeconfig', '/nonexistent/kubeconfig'], 'projector operator'],
      [['dev', '--bogus'], 'projector dev'],
      [['dev', '.', '--once', '--refresh', 'soon'], 'projector dev'],
      [['dev', '.', '--once', '--port', '99999'], 'projector dev'],
      [['validate', '--bogus'], 'projector validate'],
      [['validate', '--outpt', 'json'], 'projector validate'],
      [['validate', '--output', 'yaml'], 'projector validate'],
      [['validate', '--known-store', 'nokind', '.'], 'projector validate'],
      [['validate', '--known-generator', 'Secret/x', '.'], 'projector validate'],
      [['validate', '--config'], 'projector validate'],
      [['check', '--bogus'], 'projector check'],
      [['check', '--output', 'yaml'], 'projector check'],
      [['check', '--concurrency', '0', '.'], 'projector check'],
      [['check', '--vault-url', 'http://kv.example', '.'], 'projector check'],
      [['check', '--store', 'nokind=https://kv.example/', '.'], 'projector check'],
      [['evidence', '--bogus'], 'projector evidence'],
      [['evidence'], 'projector evidence'],
      [['evidence', '--app', 'Not_A_Label'], 'projector evidence'],
      [['template', '--bogus'], 'projector template'],
      [['template'], 'projector template'],
      [['template', '--source-templated-object', 'es.yaml'], 'projector template'],
      [['vault', '--bogus'], 'projector vault'],
      [['vault', 'bogus'], 'projector vault'],
      [['vault', 'serve', '--bogus'], 'projector vault serve'],
      [['vault', 'serve', '--port', 'http'], 'projector vault serve'],
      [['vault', 'serve', '--log-level', 'loud'], 'projector vault serve'],
      [['vault', 'secret', 'bogus'], 'projector vault secret'],
      [['vault', 'secret', 'set'], 'projector vault secret set'],
      [['vault', 'secret', 'set', '--name', 'n', '--vault-url', 'https://kv.example/', '--tenant-id', 't', '--client-id', 'c', '--client-secret', 's'], 'projector vault secret set'],
      [['vault', 'secret', 'show', '--bogus'], 'projector vault secret show'],
      [['vault', 'secret', 'show'], 'projector vault secret show'],
      [['vault', 'secret', 'get'], 'projector vault secret show'], // `get` is show's alias
      [['vault', 'secret', 'set', '--name', 'n', '--value', 'v', '--tags', 'notag', '--vault-url', 'https://kv.example/', '--tenant-id', 't', '--client-id', 'c', '--client-secret', 's'], 'projector vault secret set'],
      [['vault', 'secret', 'set', '--name', 'n', '--file', '/nonexistent/value', '--vault-url', 'https://kv.example/', '--tenant-id', 't', '--client-id', 'c', '--client-secret', 's'], 'projector vault secret set'],
      [['vault', 'secret', 'list'], 'projector vault secret list'],
      [['vault', 'secret', 'list', '--vault-url', 'http://kv.example'], 'projector vault secret list'],
      [['vault', 'secret', 'delete'], 'projector vault secret delete'],
    ];
    const UNSET_ENV = ['KUBECONFIG', 'AZURE_KEYVAULT_URL', 'AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET'];
    for (const [args, command] of cases) {
      it(`projector ${args.join(' ')}: exit 2, one line ending "see \`npx ${command} --help\`"`, async () => {
        const r = await runProjector(args, { cwd: dir, unset: UNSET_ENV });
        assert.equal(r.code, 2, r.stdout + r.stderr);
        const pointer = `; see \`npx ${command} --help\``;
        assert.ok(r.stderr.endsWith(`${pointer}\n`), `ends with the pointer to ${command} --help:\n${r.stderr}`);
        assert.equal(r.stderr.split('\n').length, 2, `one line:\n${r.stderr}`);
        assert.match(r.stderr, /^projector: error: \S/);
        assert.doesNotMatch(r.stderr, /Options:|Usage:|internal error/);
      });
    }
    // The pointer is a command that works: each one prints that command's help.
    for (const command of [...new Set(cases.map(([, c]) => c))]) {
      it(`npx ${command} --help prints that command's usage`, async () => {
        const r = await runProjector([...command.split(' ').slice(1), '--help']);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, new RegExp(`^Usage: ${command}(\\|\\w+)? `)); // `show|get`: an alias is named beside the command
      });
    }
  });

  describe('repeatable options leave the paths alone', () => {
    let repo: string;
    let elsewhere: string;
    before(() => {
      repo = join(dir, 'known-store');
      mkdirSync(join(repo, 'deploy/app/secrets'), { recursive: true });
      writeFileSync(join(repo, 'deploy/app/secrets/externalsecret-a.yaml'), es('a', 'outside-1'));
      writeFileSync(join(repo, 'deploy/app/secrets/externalsecret-b.yaml'), es('b', 'outside-2'));
      // The command runs from an empty directory: had the path been swallowed, "." would hold nothing.
      elsewhere = join(dir, 'empty');
      mkdirSync(elsewhere);
    });

    it('validate --known-store X <path> validates <path>', async () => {
      const r = await runProjector(['validate', '--known-store', 'ClusterSecretStore/outside-1', '--known-store', 'ClusterSecretStore/outside-2', repo], { cwd: elsewhere });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /ok \(2 documents in 2 files\)/);
    });

    it('validate --known-store A,B <path> takes the comma form', async () => {
      const r = await runProjector(['validate', '--known-store', 'ClusterSecretStore/outside-1,ClusterSecretStore/outside-2', repo], { cwd: elsewhere });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /ok \(2 documents in 2 files\)/);
    });

    it('validate with one --known-store still finds the other store missing (each value is one store)', async () => {
      const r = await runProjector(['validate', '--known-store', 'ClusterSecretStore/outside-1', repo], { cwd: elsewhere });
      assert.equal(r.code, 1);
      assert.match(r.stdout, /externalsecret-b\.yaml:\d+:\d+: error StoreNotFound: ClusterSecretStore "outside-2"/);
    });

    it('check --store X=url <path> checks <path>', async () => {
      const checkRepo = join(dir, 'check-store');
      mkdirSync(checkRepo);
      writeFileSync(join(checkRepo, 'store.yaml'), STORE);
      writeFileSync(join(checkRepo, 'es.yaml'), es('a'));
      const r = await runProjector(['check', '--store', 'ClusterSecretStore/akv=https://127.0.0.1:1/', checkRepo, '-o', 'json', '--no-progress'], {
        cwd: elsewhere,
        env: { AZURE_POD_IDENTITY_AUTHORITY_HOST: 'http://127.0.0.1:1' },
      });
      const body = JSON.parse(r.stdout) as { results: { externalSecret: string; result: string }[] };
      assert.deepEqual(body.results.map((x) => [x.externalSecret, x.result]), [['app/a', 'unreachable']]);
      assert.equal(r.code, 2);
    });
  });

  describe('a repository root: .gitignore and --exclude', () => {
    let repo: string;
    before(() => {
      repo = join(dir, 'repo-root');
      for (const d of ['.git', 'deploy/app/secrets', 'build/out', 'vendor/chart', 'deploy/app/secrets/generated']) mkdirSync(join(repo, d), { recursive: true });
      writeFileSync(join(repo, '.gitignore'), '# build output\n/build/\n*.generated.yaml\n');
      writeFileSync(join(repo, 'deploy/app/secrets/.gitignore'), 'generated/\n!keep.generated.yaml\n');
      writeFileSync(join(repo, 'infra.yaml'), STORE);
      writeFileSync(join(repo, 'deploy/app/secrets/externalsecret-a.yaml'), es('a'));
      writeFileSync(join(repo, 'deploy/app/secrets/keep.generated.yaml'), es('kept'));
      writeFileSync(join(repo, 'deploy/app/secrets/x.generated.yaml'), BROKEN);
      writeFileSync(join(repo, 'deploy/app/secrets/generated/es.yaml'), BROKEN);
      writeFileSync(join(repo, 'build/out/es.yaml'), BROKEN);
      writeFileSync(join(repo, 'vendor/chart/es.yaml'), BROKEN);
    });

    it('validate skips what .gitignore names (negations kept) and what --exclude names', async () => {
      const r = await runProjector(['validate', '.', '--exclude', 'vendor/', '-o', 'json'], { cwd: repo });
      const body = JSON.parse(r.stdout) as { summary: { files: number; documents: number }; findings: { file: string; code: string }[] };
      assert.deepEqual(body.findings.filter((f) => f.code === 'UnknownField'), []);
      assert.equal(body.summary.files, 3, r.stdout);
      assert.equal(r.code, 0, r.stdout + r.stderr);
    });

    it('validate without --exclude reads vendor/ (only the excluded is skipped)', async () => {
      const r = await runProjector(['validate', '.', '-o', 'json'], { cwd: repo });
      const body = JSON.parse(r.stdout) as { findings: { file: string; code: string }[] };
      assert.deepEqual(body.findings.filter((f) => f.code === 'UnknownField').map((f) => f.file), ['vendor/chart/es.yaml']);
      assert.equal(r.code, 1);
    });

    it('check takes --exclude too and skips ignored files', async () => {
      const r = await runProjector(['check', '.', '--exclude', 'vendor/', '--exclude', 'deploy/app/secrets/keep.generated.yaml', '-o', 'json', '--no-progress'], {
        cwd: repo,
        env: { AZURE_POD_IDENTITY_AUTHORITY_HOST: 'http://127.0.0.1:1' },
      });
      const body = JSON.parse(r.stdout) as { results: { externalSecret: string }[] };
      assert.deepEqual(body.results.map((x) => x.externalSecret), ['app/a']);
      assert.doesNotMatch(r.stderr, /UnknownField/);
    });
  });

  describe('validate -o junit', () => {
    it('lists only the documents it validated', async () => {
      const repo = join(dir, 'junit');
      mkdirSync(repo);
      writeFileSync(join(repo, 'app.yaml'), `${DEPLOYMENT}---\n${es('a')}`);
      writeFileSync(join(repo, 'store.yaml'), STORE);
      writeFileSync(join(repo, 'web.yaml'), DEPLOYMENT);
      const r = await runProjector(['validate', repo, '-o', 'junit'], { cwd: repo });
      assertWellFormedXml(r.stdout);
      const cases = [...r.stdout.matchAll(/<testcase classname="([^"]+)" name="([^"]+)"/g)].map((m) => `${m[1]} ${m[2]}`);
      assert.deepEqual(cases.sort(), ['app.yaml ExternalSecret app/a', 'store.yaml ClusterSecretStore akv']);
      assert.doesNotMatch(r.stdout, /web\.yaml|Deployment/);
    });
  });

  describe('projector template', () => {
    let esFile: string;
    let dataFile: string;
    before(() => {
      esFile = join(dir, 'es-template.yaml');
      dataFile = join(dir, 'data.yaml');
      writeFileSync(
        esFile,
        `apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: { name: db, namespace: netbox }
spec:
  secretStoreRef: { kind: ClusterSecretStore, name: akv }
  target:
    name: db-credentials
    template:
      type: kubernetes.io/basic-auth
      metadata:
        labels: { app: "{{ .user | lower }}" }
      data:
        username: "{{ .user }}"
        password: "{{ .pass | upper }}"
  data:
    - secretKey: user
      remoteRef: { key: u }
`,
      );
      // ESO's esoctl format: key → base64 (sigs.k8s.io/yaml into map[string][]byte).
      writeFileSync(dataFile, `user: ${Buffer.from('Admin').toString('base64')}\npass: ${Buffer.from('s3cret').toString('base64')}\n`);
    });

    it('renders the target Secret from a data file, no vault or cluster', async () => {
      const r = await runProjector(['template', '--source-templated-object', esFile, '--source-secret-data-file', dataFile]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(
        r.stdout,
        [
          'apiVersion: v1',
          'kind: Secret',
          'metadata:',
          '  name: db-credentials',
          '  namespace: netbox',
          '  labels:',
          '    app: admin',
          'type: kubernetes.io/basic-auth',
          'data:',
          `  password: ${Buffer.from('S3CRET').toString('base64')}`,
          `  username: ${Buffer.from('Admin').toString('base64')}`,
          '',
        ].join('\n'),
      );
    });

    it('renders a PushSecret template and takes a Secret manifest as data (stringData as text)', async () => {
      const ps = join(dir, 'push.yaml');
      writeFileSync(ps, 'apiVersion: external-secrets.io/v1alpha1\nkind: PushSecret\nmetadata: { name: p, namespace: ns }\nspec:\n  template:\n    data:\n      token: "{{ .token | upper }} was templated"\n');
      const data = join(dir, 'secret.yaml');
      writeFileSync(data, 'apiVersion: v1\nkind: Secret\nmetadata: { name: s }\nstringData:\n  token: token\n');
      const out = join(dir, 'rendered.yaml');
      const r = await runProjector(['template', '--source-templated-object', ps, '--source-secret-data-file', data, '--output', out]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(readFileSync(out, 'utf8'), new RegExp(`token: ${Buffer.from('TOKEN was templated').toString('base64')}`));
    });

    it('says which key is not base64, by offset, never quoting it (exit 2)', async () => {
      const bad = join(dir, 'bad-data.yaml');
      writeFileSync(bad, 'user: "CANARY-not-base64!"\n');
      const r = await runProjector(['template', '--source-templated-object', esFile, '--source-secret-data-file', bad]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /key "user" in .*bad-data\.yaml is not base64 \(illegal base64 data at input byte 6\)/);
      assert.doesNotMatch(r.stderr, /CANARY/);
    });

    it('reports a template error with the field and position (exit 1), never an internal error', async () => {
      const broken = join(dir, 'es-broken.yaml');
      writeFileSync(broken, readFileSync(esFile, 'utf8').replace('| upper', '| nosuchfn'));
      const r = await runProjector(['template', '--source-templated-object', broken, '--source-secret-data-file', dataFile]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^projector: error: InvalidSpec: template: password:1:\d+: function "nosuchfn" not defined\n$/);
    });

    describe('templateFrom ConfigMap and Secret sources from files (esoctl --template-from-config-map / --template-from-secret)', () => {
      let tplEs: string;
      const cmDoc = (name: string, extra = '') =>
        `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ${name} }\ndata:\n  config.yml: "user: {{ .user }}${extra}"\n  env: "USER_{{ .user | upper }}: yes-{{ .user }}"\n`;
      before(() => {
        tplEs = join(dir, 'es-template-from.yaml');
        writeFileSync(
          tplEs,
          `apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: { name: app, namespace: apps }
spec:
  secretStoreRef: { kind: ClusterSecretStore, name: akv }
  target:
    name: app-config
    template:
      templateFrom:
        - configMap: { name: app-tpl, items: [ { key: config.yml, templateAs: Values }, { key: env, templateAs: KeysAndValues } ] }
        - secret: { name: app-secret-tpl, items: [ { key: dsn } ] }
        - literal: "tier: '{{ .user | lower }}'"
          target: Labels
  data:
    - secretKey: user
      remoteRef: { key: u }
`,
        );
        writeFileSync(join(dir, 'tpl-cm.yaml'), cmDoc('app-tpl'));
        writeFileSync(join(dir, 'tpl-secret.yaml'), `apiVersion: v1\nkind: Secret\nmetadata: { name: app-secret-tpl }\ndata:\n  dsn: ${Buffer.from('postgres://{{ .user }}:{{ .pass }}@db').toString('base64')}\n`);
      });

      // Expected data and labels checked against ESO's own esoctl (cmd/esoctl, built from /work/eso-src;
      // given engineVersion: v2 and target: Data explicitly, as esoctl applies no CRD defaults):
      // USER_ADMIN, config.yml, dsn and label tier: admin, byte for byte.
      it('renders Values, KeysAndValues, a Secret item and a literal to labels, offline', async () => {
        const r = await runProjector(['template', '--source-templated-object', tplEs, '--source-secret-data-file', dataFile, '--template-from-config-map', join(dir, 'tpl-cm.yaml'), '--template-from-secret', join(dir, 'tpl-secret.yaml')]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(
          r.stdout,
          [
            'apiVersion: v1',
            'kind: Secret',
            'metadata:',
            '  name: app-config',
            '  namespace: apps',
            '  labels:',
            '    tier: admin',
            'type: Opaque',
            'data:',
            `  USER_ADMIN: ${Buffer.from('yes-Admin').toString('base64')}`,
            `  config.yml: ${Buffer.from('user: Admin').toString('base64')}`,
            `  dsn: ${Buffer.from('postgres://Admin:s3cret@db').toString('base64')}`,
            '',
          ].join('\n'),
        );
      });

      it('takes the object of the entry\'s name from a file of several', async () => {
        const several = join(dir, 'tpl-cms.yaml');
        writeFileSync(several, `${cmDoc('other', ' (other)')}---\n${cmDoc('app-tpl', ' (chosen)')}`);
        const r = await runProjector(['template', '--source-templated-object', tplEs, '--source-secret-data-file', dataFile, '--template-from-config-map', several, '--template-from-secret', join(dir, 'tpl-secret.yaml')]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, new RegExp(`config\\.yml: ${Buffer.from('user: Admin (chosen)').toString('base64')}`));
        // None of that name: the operator's own message, naming the entry (exit 1).
        writeFileSync(several, `${cmDoc('other')}---\n${cmDoc('another')}`);
        const missing = await runProjector(['template', '--source-templated-object', tplEs, '--source-secret-data-file', dataFile, '--template-from-config-map', several, '--template-from-secret', join(dir, 'tpl-secret.yaml')]);
        assert.equal(missing.code, 1);
        assert.match(missing.stderr, /TemplateSourceNotFound: error fetching templateFrom data: configmaps "app-tpl" not found/);
      });

      it('names the flag to give when a source is missing, and refuses a file of another kind (exit 2)', async () => {
        const noSecret = await runProjector(['template', '--source-templated-object', tplEs, '--source-secret-data-file', dataFile, '--template-from-config-map', join(dir, 'tpl-cm.yaml')]);
        assert.equal(noSecret.code, 2);
        assert.match(noSecret.stderr, /the template's templateFrom reads Secret "app-secret-tpl": give it with --template-from-secret <file>/);
        const wrongKind = await runProjector(['template', '--source-templated-object', tplEs, '--source-secret-data-file', dataFile, '--template-from-config-map', join(dir, 'tpl-secret.yaml'), '--template-from-secret', join(dir, 'tpl-secret.yaml')]);
        assert.equal(wrongKind.code, 2);
        assert.match(wrongKind.stderr, /--template-from-config-map: .*tpl-secret\.yaml must hold ConfigMap manifests \(found kind Secret\)/);
      });
    });

    it('refuses a kind that has no template (exit 2)', async () => {
      const deployment = join(dir, 'deployment.yaml');
      writeFileSync(deployment, DEPLOYMENT);
      const r = await runProjector(['template', '--source-templated-object', deployment, '--source-secret-data-file', dataFile]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /unsupported kind Deployment .*give an ExternalSecret or a PushSecret/);
    });
  });
});
