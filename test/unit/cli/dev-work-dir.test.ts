// What dev says and writes about its work folder: the warning when git would track it (run-dev.ts
// gitIgnoreState/gitIgnoreWarning), the credentials line (dev-session.ts devCredentialsHint), and
// the 0600 credentials file even when an older copy was readable by others (vault/first-run.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gitIgnoreState, gitIgnoreWarning } from '../../../src/cli/dev/run-dev.ts';
import { devCredentialsHint } from '../../../src/cli/dev/dev-session.ts';
import { writeDevEnvFile } from '../../../src/vault/index.ts';

describe('dev work folder', () => {
  it('asks git whether the folder is ignored: no repository, a fresh one without .gitignore, then ignored', () => {
    const dir = mkdtempSync(join(tmpdir(), 'projector-workdir-'));
    assert.equal(gitIgnoreState('.projector', dir), 'no-repo');
    assert.equal(spawnSync('git', ['init', '-q', '.'], { cwd: dir }).status, 0);
    assert.equal(gitIgnoreState('.projector', dir), 'not-ignored');
    assert.equal(gitIgnoreState('./.projector/', dir), 'not-ignored');
    writeFileSync(join(dir, '.gitignore'), '.projector/\n');
    assert.equal(gitIgnoreState('.projector', dir), 'ignored');
    assert.equal(gitIgnoreState('./.projector/', dir), 'ignored');
  });

  it('warns only when git would track the folder, naming the line to add', () => {
    assert.equal(gitIgnoreWarning('.projector', 'ignored'), undefined);
    assert.equal(gitIgnoreWarning('.projector', 'no-repo'), undefined);
    assert.equal(
      gitIgnoreWarning('./.dev-work/', 'not-ignored'),
      'warning: .dev-work/ is not git-ignored and holds development Secrets in plain text: add the line .dev-work/ to .gitignore before committing',
    );
  });

  it('the credentials line names the file and the rotation command, never a secret', () => {
    assert.equal(
      devCredentialsHint('/r/.projector/vault/dev-principal.env'),
      'dev principal credentials (mode 0600, never printed): /r/.projector/vault/dev-principal.env; change a value with: set -a; . /r/.projector/vault/dev-principal.env; set +a; npx projector vault secret set --name <name> --value-stdin',
    );
  });

  it('the credentials file is 0600 even when an earlier one was readable by others', () => {
    const dir = mkdtempSync(join(tmpdir(), 'projector-envfile-'));
    writeFileSync(join(dir, 'dev-principal.env'), 'old\n');
    chmodSync(join(dir, 'dev-principal.env'), 0o644);
    const file = writeDevEnvFile(dir, { vaultUrl: 'https://127.0.0.1:1', tenantId: 't', authorityHost: 'https://127.0.0.1:2', principal: { clientId: 'c', clientSecret: 's' }, caBundleFile: '/ca.pem', writer: 'projector dev' });
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });
});
