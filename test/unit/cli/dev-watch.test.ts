// The manifest watch of `projector dev` (src/cli/dev/manifest-watch.ts): a file replaced by a
// rename (`sed -i`, `mv tmp file`, editors saving via a temp file) stays watched, and the work
// dir dev writes into is not a manifest change.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchManifests } from '../../../src/cli/dev/manifest-watch.ts';
import { eventually } from '../../support/eventually.ts';

function watched(root: string, skip: string[] = []) {
  const lines: string[] = [];
  let reloads = 0;
  const stop = watchManifests([root], { line: (t) => lines.push(t) }, async () => {
    reloads++;
  }, undefined, skip);
  return { stop, lines, reloads: () => reloads };
}

describe('dev manifest watch', () => {
  it('sees a file replaced by a rename, then edits of it in place', async () => {
    const root = mkdtempSync(join(tmpdir(), 'projector-watch-'));
    const dir = join(root, 'deploy/secrets');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'es.yaml');
    writeFileSync(file, 'a: 1\n');
    const w = watched(root);
    try {
      // sed -i: a temp file in the same directory renamed over the manifest.
      writeFileSync(join(dir, 'sedXYZ'), 'a: 2\n');
      renameSync(join(dir, 'sedXYZ'), file);
      await eventually(w.reloads, 1, { timeoutMs: 5_000, message: 'a reload after the rename' });
      // The name now points to a new inode; an in-place edit of it must still reload.
      writeFileSync(file, 'a: 1\n');
      await eventually(w.reloads, 2, { timeoutMs: 5_000, message: 'a reload after the in-place edit that follows the rename' });
      // A new directory with a manifest in it is watched too.
      mkdirSync(join(root, 'more'));
      writeFileSync(join(root, 'more/x.yaml'), 'b: 1\n');
      await eventually(w.reloads, (n) => n >= 3, { timeoutMs: 5_000, message: 'a reload for the new directory' });
      const before = w.reloads();
      writeFileSync(join(root, 'more/x.yaml'), 'b: 2\n');
      await eventually(w.reloads, (n) => n > before, { timeoutMs: 5_000, message: 'a reload after editing a file in the new directory' });
      assert.ok(w.lines.every((l) => l === 'manifests changed: reloaded'), w.lines.join('\n'));
    } finally {
      w.stop();
    }
  });

  it('ignores the work dir and dot directories under the watched root', async () => {
    const root = mkdtempSync(join(tmpdir(), 'projector-watch-'));
    const es = join(root, 'es.yaml');
    writeFileSync(es, 'a: 1\n');
    mkdirSync(join(root, 'work/out'), { recursive: true });
    mkdirSync(join(root, '.projector/out'), { recursive: true });
    // Each reload records the manifest as it read it: a spurious one reads the old content.
    const seen: string[] = [];
    const stop = watchManifests([root], { line: () => undefined }, async () => {
      seen.push(readFileSync(es, 'utf8'));
    }, undefined, [join(root, 'work')]);
    try {
      writeFileSync(join(root, 'work/out/secret.yaml'), 'x: 1\n');
      writeFileSync(join(root, '.projector/out/secret.yaml'), 'x: 1\n');
      // Longer than the debounce, so a reload for those writes would run on its own and not
      // merge into the one for the real edit below (this pause only separates; nothing is read).
      await sleep(1_000);
      writeFileSync(es, 'a: 2\n');
      await eventually(() => seen.length, (n) => n >= 1, { timeoutMs: 5_000, message: 'a reload for the manifest edit' });
      assert.deepEqual(seen, ['a: 2\n']);
    } finally {
      stop();
    }
  });
});
