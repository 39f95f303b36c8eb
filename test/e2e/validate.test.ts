// Runs the real CLI process against the fixture repositories.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runProjector, assertWellFormedXml } from '../support/cli.ts';

const SEED = 'test/fixtures/seed';
const BAD = 'test/fixtures/bad-repo';

// Values committed in the bad repository's fixtures; none may reach any output.
const CANARIES = ['CANARY-malformed-5b7e1c', 'CANARY-committed-9c2d4a', 'Q0FOQVJZLWNvbW1pdHRlZC05YzJkNGE=', 'CANARY-committed-user-3e8f'];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}


function projector(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return runProjector(args, { env });
}

function assertNoCanary(run: Run): void {
  for (const canary of CANARIES) {
    assert.ok(!run.stdout.includes(canary) && !run.stderr.includes(canary), `canary ${canary} leaked`);
  }
}

// Each deliberate mistake in the bad repository, where it is.
const EXPECTED_BAD: [file: string, line: number, severity: string, code: string][] = [
  ['deploy/app-a/secrets/externalsecret-bad-duration.yaml', 7, 'error', 'InvalidDuration'],
  ['deploy/app-a/secrets/externalsecret-malformed.yaml', 12, 'error', 'YamlSyntax'],
  ['deploy/app-a/secrets/externalsecret-unknown-field.yaml', 8, 'error', 'UnknownField'],
  ['deploy/app-b/secrets/externalsecret-bad-regex.yaml', 15, 'error', 'InvalidRegexp'],
  ['deploy/app-b/secrets/externalsecret-shared-1.yaml', 12, 'error', 'DuplicateTarget'],
  ['deploy/app-b/secrets/externalsecret-shared-2.yaml', 12, 'error', 'DuplicateTarget'],
  ['deploy/app-c/externalsecret-misplaced.yaml', 1, 'warning', 'Layout'],
  ['deploy/app-c/secret-committed.yaml', 8, 'error', 'SecretSprawl'],
  ['deploy/app-c/secrets/externalsecret-store-missing.yaml', 10, 'error', 'StoreNotFound'],
  ['deploy/app-d/secrets/externalsecret-legacy.yaml', 1, 'warning', 'DeprecatedApiVersion'],
];


describe('projector validate (CLI process)', () => {
  it('passes the HOWTO\'s manifests: exit 0, warning only of v1beta1 and the vault URL placeholder', async () => {
    const run = await projector(['validate', SEED]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 4);
    assert.ok(lines.slice(0, 2).every((l) => / warning DeprecatedApiVersion: /.test(l)));
    assert.match(lines[2]!, /clustersecretstore_akv-hybridops\.yaml:8:7: warning Placeholder: spec\.provider\.azurekv\.vaultUrl still contains a placeholder \(<YOUR_KEYVAULT_NAME>\)/);
    assert.equal(lines[3], 'projector validate: 0 errors, 3 warnings (3 documents in 3 files)');
    assert.equal(run.stderr, '');
  });

  it('fails the HOWTO\'s manifests under --strict because v1beta1 is deprecated', async () => {
    assert.equal((await projector(['validate', SEED, '--strict'])).code, 1);
  });

  it('is quiet on success: one summary line', async () => {
    const run = await projector(['validate', `${SEED}/deploy/netbox/deployment.yaml`]);
    assert.equal(run.code, 0);
    assert.equal(run.stdout, 'projector validate: ok (1 document in 1 file)\n');
  });

  it('reports each mistake in the bad repository exactly once, at its file and line, and exits 1', async () => {
    const run = await projector(['validate', BAD]);
    assert.equal(run.code, 1, run.stderr);
    const findings = run.stdout.trimEnd().split('\n').slice(0, -1);
    for (const [file, line, severity, code] of EXPECTED_BAD) {
      const prefix = `${BAD}/${file}:${line}:`;
      const matching = findings.filter((l) => l.startsWith(prefix) && l.includes(` ${severity} ${code}: `));
      assert.equal(matching.length, 1, `${file}:${line} ${code} in:\n${run.stdout}`);
    }
    assert.equal(findings.length, EXPECTED_BAD.length, run.stdout);
    assert.match(run.stdout.trimEnd().split('\n').at(-1)!, /^projector validate: 8 errors, 2 warnings/);
    assertNoCanary(run);
  });

  it('reports every finding of every document in one pass: a broken document\'s other errors, its duplicate target, and Key Vault names for the azurekv store only', async () => {
    const ALL = 'test/fixtures/all-findings';
    const run = await projector(['validate', ALL]);
    assert.equal(run.code, 1, run.stderr);
    const broken = `${ALL}/deploy/app/secrets/externalsecret-broken.yaml`;
    const shared = `${ALL}/deploy/app/secrets/externalsecret-shared.yaml`;
    const findings = run.stdout.trimEnd().split('\n').slice(0, -1).map((l) => /^(.*?:\d+):\d+: (\w+) (\w+):/.exec(l)?.slice(1).join(' '));
    assert.deepEqual(findings.sort(), [
      `${broken}:6 error InvalidDuration`,
      `${broken}:8 error DuplicateTarget`,
      `${broken}:8 error InvalidValue`,
      `${broken}:11 error InvalidRemoteKey`,
      `${broken}:11 error InvalidValue`,
      `${shared}:7 error DuplicateTarget`,
      // ESO's admission warning for the fake provider's store (secretstore_validator.go warnStoreUnmaintained).
      `${ALL}/infra/stores.yaml:11 warning StoreUnmaintained`,
    ].sort(), run.stdout);
    assert.match(run.stdout, /InvalidRemoteKey: "DB_PASSWORD" cannot be a Key Vault secret name: .*did you mean "DB-PASSWORD"\?/);
  });

  it('emits JSON that parses and carries the same findings', async () => {
    const run = await projector(['validate', BAD, '--output', 'json']);
    assert.equal(run.code, 1);
    const body = JSON.parse(run.stdout);
    assert.equal(body.ok, false);
    assert.deepEqual(body.summary.errors, 8);
    const got = body.findings.map((f: { file: string; line: number; severity: string; code: string }) => [f.file.slice(BAD.length + 1), f.line, f.severity, f.code]);
    assert.deepEqual(got, EXPECTED_BAD);
    assertNoCanary(run);
  });

  it('emits well-formed JUnit XML with a failing test case per broken document', async () => {
    const run = await projector(['validate', BAD, '-o', 'junit']);
    assert.equal(run.code, 1);
    assertWellFormedXml(run.stdout);
    assert.match(run.stdout, /<testsuites name="projector validate" tests="11" failures="8" errors="0">/);
    assert.match(run.stdout, /<testcase classname="[^"]*secret-committed.yaml" name="Secret app-c\/app-c-db">\n\s*<failure type="SecretSprawl"/);
    assertNoCanary(run);
  });

  it('colours output only when forced, and never under NO_COLOR', async () => {
    const forced = await projector(['validate', BAD], { FORCE_COLOR: '1' });
    assert.ok(forced.stdout.includes('\u001b['));
    const plain = await projector(['validate', BAD], { FORCE_COLOR: '1', NO_COLOR: '1' });
    assert.ok(!plain.stdout.includes('\u001b['));
    assert.equal(plain.code, 1);
    const offTerminal = await projector(['validate', BAD]);
    assert.ok(!offTerminal.stdout.includes('\u001b['));
  });

  it('accepts a store defined elsewhere with --known-store', async () => {
    const run = await projector(['validate', `${BAD}/deploy/app-c/secrets`, '--known-store', 'ClusterSecretStore/akv-typo']);
    assert.equal(run.code, 0, run.stdout);
  });

  it('exits 2 on usage and I/O errors, saying why on stderr', async () => {
    const missing = await projector(['validate', 'test/fixtures/no-such-dir']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read test\/fixtures\/no-such-dir/);
    assert.equal((await projector(['validate', SEED, '--output', 'yaml'])).code, 2);
    const badStore = await projector(['validate', SEED, '--known-store', 'akv']);
    assert.equal(badStore.code, 2);
    assert.match(badStore.stderr, /--known-store/);
  });

  it('shows help with examples and exits 0', async () => {
    const run = await projector(['validate', '--help']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /Examples:/);
    assert.match(run.stdout, /--known-store/);
  });
});
