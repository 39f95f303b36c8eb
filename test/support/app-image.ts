/**
 * A small application image for the node tests, built on the operator image (which already holds
 * Node.js and runs as uid 65532, no shell) with buildah in the same vfs store hack/image/build.sh uses:
 * one file copied in, a new entrypoint. Cached by content hash as a docker-archive beside the operator
 * image's; nothing is pulled.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function cacheRoot(): string {
  return process.env.PROJECTOR_CACHE_DIR ?? join(process.env.HOME ?? '/root', '.cache', 'projector');
}

/** The operator image (hack/image/build.sh; built on first use): its archive and name. */
export function operatorImage(): { archive: string; name: string; tag: string } {
  const repo = new URL('../../', import.meta.url).pathname;
  const out = execFileSync('bash', [join(repo, 'hack/image/build.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 30 * 60_000 });
  const archive = out.trim().split('\n').pop()!;
  const tag = /projector-([0-9a-f]+)\.tar$/.exec(archive)?.[1];
  if (!tag) throw new Error(`hack/image/build.sh printed no archive path: ${out.slice(-300)}`);
  return { archive, name: `localhost/projector:${tag}`, tag };
}

/**
 * `localhost/<name>:<hash>` running `node /app/<basename of program>`, FROM the operator image `base`
 * (read from its docker-archive).
 * Returns the docker-archive path and the image name.
 */
export function buildNodeAppImage(name: string, program: string, base: { name: string; archive: string }): { archive: string; name: string } {
  const hash = createHash('sha256').update(base.name).update(readFileSync(program)).digest('hex').slice(0, 16);
  const image = `localhost/${name}:${hash}`;
  const archive = join(cacheRoot(), 'images', `${name}-${hash}.tar`);
  if (existsSync(archive)) return { archive, name: image };
  const run = mkdtempSync(join(tmpdir(), 'projector-app-image-'));
  const B = ['--root', join(cacheRoot(), 'buildah', 'storage'), '--runroot', run, '--storage-driver', 'vfs'];
  const buildah = (...args: string[]) => execFileSync('buildah', [...B, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 }).trim();
  try {
    // From the archive, not the store's tag: other worktrees' image builds prune older tags there.
    const c = buildah('from', `docker-archive:${base.archive}`);
    const file = program.split('/').pop()!;
    buildah('copy', '--chmod', '0444', c, program, `/app/${file}`);
    buildah('config', '--entrypoint', JSON.stringify(['/usr/local/bin/node', `/app/${file}`]), '--cmd', '', '--user', '65532:65532', c);
    buildah('commit', '--rm', '-q', c, image);
    rmSync(`${archive}.partial`, { force: true });
    buildah('push', '-q', image, `docker-archive:${archive}.partial:${image}`);
    renameSync(`${archive}.partial`, archive);
    // The archive is what the tests import; in the vfs store every image is a full copy of its root
    // (~300 MB), so it does not stay there, and older archives of this app (one per operator image)
    // go too: the three newest stay, as hack/image/build.sh keeps the operator's.
    try {
      buildah('rmi', image);
    } catch {
      // Another checkout may be using it; the next build removes it.
    }
    pruneArchives(join(cacheRoot(), 'images'), name, 3);
  } finally {
    rmSync(run, { recursive: true, force: true });
  }
  return { archive, name: image };
}

/** Deletes all but the `keep` newest `<name>-<hash>.tar` archives in `dir`. */
function pruneArchives(dir: string, name: string, keep: number): void {
  const pattern = new RegExp(`^${name.replace(/[^a-z0-9]/gi, '\\$&')}-[0-9a-f]{16}\\.tar$`);
  const archives = readdirSync(dir)
    .filter((f) => pattern.test(f))
    .map((f) => ({ path: join(dir, f), mtime: statSync(join(dir, f), { throwIfNoEntry: false })?.mtimeMs }))
    // Another checkout may have pruned one meanwhile.
    .filter((a): a is { path: string; mtime: number } => a.mtime !== undefined)
    .sort((a, b) => b.mtime - a.mtime);
  for (const a of archives.slice(keep)) rmSync(a.path, { force: true });
}
