// The manifest watch of `projector dev` (files mode and --cluster).
//
// Why not `fs.watch(root, { recursive: true })`: on Linux Node emulates the recursive mode in JS
// and ties each watch to the inode a file had when it was seen. A file replaced by a rename
// (`sed -i`, `mv tmp file`, editors that save via a temp file) is a new inode, so every later edit,
// restore, or delete-and-recreate of that name went unseen until some other new file made Node
// re-walk the tree. It also covered everything under the root, including the work dir's own
// `.projector/out/*.yaml`, so dev's first write looked like a manifest edit.
//
// Instead each directory is watched on its own (inotify on a directory reports its entries by
// name: writes, creates, deletes and renames onto a name, whatever inode the name points to now),
// and a `rename` event (an entry appeared or went) re-walks the tree to arm new directories and
// drop gone or replaced ones. Cost: one watch per directory, a directory walk only on renames; no
// polling. Skipped like the loader skips them (manifests.ts): dot directories and node_modules;
// and the work dir, wherever it is.
import { readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { Printer } from './dev-session.ts';
import { KUSTOMIZATION_FILES, SKIPPED_DIRS } from '../manifests.ts';

/** How long after the last event a reload starts (ms): one reload for a burst (a save, a checkout). */
const DEBOUNCE_MS = 300;

const isManifestName = (name: string) => /\.ya?ml$/.test(name) || name === 'Kustomization';

/**
 * Calls `reload` (debounced, 300 ms after the last event) whenever a YAML file (or `Kustomization`)
 * under `paths` is written, created, deleted or replaced by a rename, then `after`; prints one
 * line per reload. `paths` are directories (watched with their subdirectories, except dot
 * directories and node_modules) or files (their directory is watched for that name only).
 * `skip` lists directories never watched (the work dir, whose out/ dev writes itself).
 * Returns a stop function. Missing paths are not watched (the load reports them).
 */
export function watchManifests(paths: string[], print: Printer, reload: () => Promise<void>, after?: () => Promise<void>, skip: string[] = []): () => void {
  const skipped = skip.map((s) => resolve(s));
  const isSkipped = (dir: string) => skipped.some((s) => dir === s || dir.startsWith(s + sep));
  let timer: NodeJS.Timeout | undefined;
  let rescanQueued = false;
  let stopped = false;
  /** Armed watches by directory, with the inode they were armed on (a directory replaced by a rename is re-armed). */
  const watches = new Map<string, { watcher: FSWatcher; ino: number }>();

  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      reload().then(
        async () => {
          print.line('manifests changed: reloaded');
          await after?.();
        },
        () => print.line('manifests changed but could not be applied; keeping the previous ones'),
      );
    }, DEBOUNCE_MS);
  };

  /** One re-walk per burst of rename events (a checkout renames many entries at once). */
  const queueRescan = () => {
    if (rescanQueued) return;
    rescanQueued = true;
    setImmediate(() => {
      rescanQueued = false;
      arm(true);
    });
  };

  /** Directory → which of its names count (undefined: every manifest name) and whether it holds a manifest now. */
  const wanted = () => {
    const dirs = new Map<string, { names?: Set<string>; manifests: boolean }>();
    const walk = (dir: string) => {
      if (isSkipped(dir) || (dirs.has(dir) && !dirs.get(dir)!.names)) return;
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      dirs.set(dir, { manifests: entries.some((e) => !e.isDirectory() && isManifestName(e.name)) });
      for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.') && !SKIPPED_DIRS.has(e.name)) walk(join(dir, e.name));
    };
    const files: string[] = [];
    for (const p of paths.map((x) => resolve(x))) {
      let isDir = false;
      try {
        isDir = statSync(p).isDirectory();
      } catch {
        continue;
      }
      // A kustomization file argument loads its directory (manifests.ts): watch that.
      if (isDir || KUSTOMIZATION_FILES.includes(basename(p))) walk(isDir ? p : dirname(p));
      else files.push(p);
    }
    for (const f of files) {
      const at = dirs.get(dirname(f));
      if (at && !at.names) continue;
      dirs.set(dirname(f), { names: new Set([...(at?.names ?? []), basename(f)]), manifests: true });
    }
    return dirs;
  };

  const disarm = (dir: string) => {
    watches.get(dir)?.watcher.close();
    watches.delete(dir);
  };

  /**
   * Brings the armed watches in line with the tree as it is now. After start (`later`), a newly
   * armed directory that already holds manifests (made and filled before its watch existed,
   * `cp -r`) counts as a change.
   */
  const arm = (later: boolean) => {
    if (stopped) return;
    const dirs = wanted();
    for (const dir of [...watches.keys()]) if (!dirs.has(dir)) disarm(dir);
    for (const [dir, { names, manifests }] of dirs) {
      let ino: number;
      try {
        ino = statSync(dir).ino;
      } catch {
        disarm(dir);
        continue;
      }
      if (watches.get(dir)?.ino === ino) continue;
      disarm(dir);
      try {
        const watcher = watch(dir, (event, file) => {
          const name = file === null ? undefined : String(file);
          // An entry appeared or went (maybe a directory): what is watched may change.
          if (event === 'rename' || name === undefined) queueRescan();
          if (name === undefined || (names ? names.has(name) : isManifestName(name))) schedule();
        });
        // The directory went away under the watch: re-walk (its parent's watch sees a re-creation).
        watcher.on('error', () => {
          disarm(dir);
          queueRescan();
        });
        watches.set(dir, { watcher, ino });
        if (later && manifests) schedule();
      } catch {
        // Removed between the walk and the watch: the parent's rename event re-walks.
      }
    }
  };

  arm(false);
  return () => {
    stopped = true;
    clearTimeout(timer);
    for (const dir of [...watches.keys()]) disarm(dir);
  };
}
