// gitignore semantics (https://git-scm.com/docs/gitignore), checked against `git check-ignore`
// answers for the same patterns where noted.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IgnoreRules, parseIgnoreLine } from '../../../src/cli/ignore-rules.ts';

function matches(pattern: string, path: string): boolean {
  const rule = parseIgnoreLine(pattern, '/r', 'test');
  assert.ok(rule, pattern);
  return rule.regex.test(path);
}

describe('gitignore patterns', () => {
  it('skips blanks and comments, keeps escaped # and !', () => {
    assert.equal(parseIgnoreLine('', '/r', 't'), undefined);
    assert.equal(parseIgnoreLine('# c', '/r', 't'), undefined);
    assert.ok(matches('\\#x', '#x'));
    assert.ok(matches('\\!x', '!x'));
  });

  it('matches an unanchored name at any depth, an anchored one only from the base', () => {
    assert.ok(matches('out', 'out'));
    assert.ok(matches('out', 'a/b/out'));
    assert.ok(matches('/out', 'out'));
    assert.ok(!matches('/out', 'a/out'));
    assert.ok(matches('a/out', 'a/out'));
    assert.ok(!matches('a/out', 'x/a/out'));
  });

  it('treats *, ?, [] within one segment and ** across segments', () => {
    assert.ok(matches('*.generated.yaml', 'd/x.generated.yaml'));
    assert.ok(!matches('d/*.yaml', 'd/e/x.yaml'));
    assert.ok(matches('d/**/x.yaml', 'd/x.yaml'));
    assert.ok(matches('d/**/x.yaml', 'd/e/f/x.yaml'));
    assert.ok(matches('**/x.yaml', 'e/x.yaml'));
    assert.ok(matches('d/**', 'd/e/f'));
    assert.ok(matches('file?.yaml', 'file1.yaml'));
    assert.ok(!matches('file?.yaml', 'file12.yaml'));
    assert.ok(matches('file[0-9].yaml', 'file3.yaml'));
    assert.ok(!matches('file[!0-9].yaml', 'file3.yaml'));
  });

  it('ignores trailing spaces', () => {
    assert.ok(matches('out   ', 'out'));
  });
});

describe('IgnoreRules over a repository', () => {
  let repo: string;
  before(() => {
    repo = mkdtempSync(join(tmpdir(), 'projector-ignore-'));
    mkdirSync(join(repo, '.git'));
    mkdirSync(join(repo, 'deploy/gen'), { recursive: true });
    writeFileSync(join(repo, '.gitignore'), '/build/\n*.tmp.yaml\n');
    writeFileSync(join(repo, 'deploy/.gitignore'), 'gen/\n!keep.tmp.yaml\n');
  });
  after(() => rmSync(repo, { recursive: true, force: true }));

  it('applies a directory\'s .gitignore below it, the root one everywhere, later and deeper lines winning', () => {
    const rules = new IgnoreRules({ cwd: repo });
    const at = (p: string, dir = false) => rules.ignored(join(repo, p), dir, join(repo, 'deploy'));
    assert.ok(at('build', true));
    assert.ok(!at('build', false), 'a trailing slash names directories only');
    assert.ok(at('deploy/a.tmp.yaml'));
    assert.ok(!at('deploy/keep.tmp.yaml'), 'negated in deploy/.gitignore');
    assert.ok(at('deploy/gen', true));
    assert.ok(!at('deploy/es.yaml'));
  });

  it('adds --exclude patterns relative to the current directory, and can leave .gitignore out', () => {
    const rules = new IgnoreRules({ cwd: repo, exclude: ['deploy/es.yaml'], gitignore: false });
    assert.ok(rules.ignored(join(repo, 'deploy/es.yaml'), false, repo));
    assert.ok(!rules.ignored(join(repo, 'deploy/a.tmp.yaml'), false, repo));
  });
});
