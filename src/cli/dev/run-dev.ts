import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { ProjectorError } from '../../core/errors.ts';
import { createLogger } from '../../platform/logger.ts';
import { logLevelFrom } from '../../config.ts';
import type { DevFlags } from '../commands/dev.ts';
import { DevSession, loadAndReport, loadErrorCount, onceSummary, refreshMs, setVaultSecret } from './dev-session.ts';
import { watchManifests } from './manifest-watch.ts';
import { runDevCluster } from './dev-cluster.ts';
import { pushStateLines, pushStateOf } from './dev-push.ts';
import { parsePort } from '../commands/vault.ts';
import { missingPathError } from '../manifests.ts';
import { readSeedFile } from './seed-values.ts';
import type { Logger } from '../../platform/logger.ts';
import { objectKey } from '../../api/object-key.ts';
import { targetNameOf } from '../../core/external-secret.ts';
import { ANNOTATION_DATA_HASH } from '../../api/constants.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (cond()) return true;
    await sleep(100);
  }
  return cond();
}

/**
 * Whether git ignores `workDir` (relative to the current directory), asked with `git check-ignore`:
 * 'ignored', 'not-ignored', or 'no-repo' (not inside a git work tree, outside the repository, or
 * git is not installed). Git itself decides, so every .gitignore, .git/info/exclude and the global
 * excludes file count, as they do for `git status`.
 */
export function gitIgnoreState(workDir: string, cwd: string = process.cwd()): 'ignored' | 'not-ignored' | 'no-repo' {
  // The trailing slash makes directory patterns (`.projector/`) match a folder not created yet.
  const r = spawnSync('git', ['check-ignore', '-q', '--', `${workDir.replace(/\/+$/, '')}/`], { cwd, stdio: 'ignore' });
  if (r.status === 0) return 'ignored';
  if (r.status === 1) return 'not-ignored';
  return 'no-repo';
}

/**
 * The warning dev prints when its work folder (plaintext Secrets under out/, the vault's state and
 * the development principal's secret) would show up in `git status`; undefined when git ignores it
 * or there is no repository. `workDir` is the --work-dir flag as given.
 */
export function gitIgnoreWarning(workDir: string, state: 'ignored' | 'not-ignored' | 'no-repo'): string | undefined {
  if (state !== 'not-ignored') return undefined;
  const name = workDir.replace(/^\.\//, '').replace(/\/+$/, '');
  // A relative entry without a leading slash matches wherever dev is run from in the repository.
  const add = isAbsolute(name) ? 'add it to .gitignore (relative to the repository root)' : `add the line ${name}/ to .gitignore`;
  return `warning: ${name}/ is not git-ignored and holds development Secrets in plain text: ${add} before committing`;
}

function warnIfNotIgnored(workDir: string, out: NodeJS.WritableStream): void {
  const warning = gitIgnoreWarning(workDir, gitIgnoreState(workDir));
  if (warning) out.write(`${warning}\n`);
}

/** Returns the process exit code. */
export async function runDev(paths: string[], flags: DevFlags): Promise<number> {
  const out = process.stdout;
  refreshMs(flags.refresh); // usage errors before anything starts
  if (flags.once && flags.demo) throw new ProjectorError('InvalidSpec', '--once and --demo are two ways to end a run: give one', { flag: '--demo' });
  // Paths and the seed file too: a typo fails before the vault starts, as validate and check fail.
  const missing = missingPathError(paths);
  if (missing) throw missing;
  if (flags.seed) readSeedFile(flags.seed);
  const port = flags.port !== undefined ? parsePort(flags.port, '--port') : undefined;
  const level = logLevelFrom(flags.logLevel ?? 'info', '--log-level');
  warnIfNotIgnored(flags.workDir, out);
  const workDir = resolve(flags.workDir);
  mkdirSync(workDir, { recursive: true, mode: 0o700 });
  const log = createLogger({ level, destination: createWriteStream(join(workDir, 'dev.log'), { flags: 'a' }) as never });
  const session = new DevSession({
    paths,
    exclude: flags.exclude ?? [],
    workDir,
    refresh: flags.demo ? '2s' : flags.refresh,
    once: Boolean(flags.once),
    demo: Boolean(flags.demo),
    prompt: flags.prompt,
    seedFile: flags.seed,
    port,
    out,
    input: process.stdin,
    log,
    allowGenericTargets: Boolean(flags.unsafeAllowGenericTargets),
  });
  if (flags.cluster || flags.kubeconfig) return runDevAgainstCluster(paths, flags, workDir, log);
  await session.start();
  const ac = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => ac.abort());
  const running = session.run(ac.signal);

  if (!flags.once && !flags.demo) {
    out.write(`watching ${paths.join(', ')} and the vault (refresh every ${flags.refresh}); Ctrl-C to stop\n`);
    // One line per ExternalSecret once the first sync is done, as after a reload: with a work dir
    // already up to date the first sync changes nothing, so no transition would say anything.
    void session.printState();
    await running;
    return 0;
  }
  try {
    await waitUntil(() => session.isSettled(), 60_000);
    const first = session.readyCounts();
    const summary = onceSummary(first);
    if (flags.once || summary.exitCode !== 0) {
      for (const l of summary.lines) out.write(`${l}\n`);
      return summary.exitCode;
    }
    return await demoRotation(session, out);
  } finally {
    ac.abort();
    await running;
  }
}

/** Rotates each seeded secret and shows the projected Secret follow, with no manifest change. */
async function demoRotation(session: DevSession, out: NodeJS.WritableStream): Promise<number> {
  const targets = session.files.list();
  const before = new Map(targets.map((t) => [t, session.files.liveMeta(t.split('/')[0]!, t.split('/')[1]!)]));
  const rotated = session.seeded.length ? session.seeded : session.vault.admin.secretNames();
  for (const name of rotated) {
    const { version } = await setVaultSecret(session.vault, name, `dev-rotated-${crypto.randomUUID()}`);
    out.write(`rotated ${name} in the vault (new version ${version.slice(0, 8)}…); no manifest changed, waiting for the refresh (2s)\n`);
  }
  const changed = await waitUntil(
    () => targets.some((t) => session.files.liveMeta(t.split('/')[0]!, t.split('/')[1]!)?.observedDataHash !== before.get(t)?.observedDataHash),
    20_000,
  );
  for (const t of targets) {
    const [ns, name] = t.split('/') as [string, string];
    const a = before.get(t)?.metadata;
    const b = session.files.liveMeta(ns, name)?.metadata;
    const hash = (m: typeof a) => m?.annotations?.['reconcile.external-secrets.io/data-hash']?.slice(0, 12);
    out.write(`  ${t}: resourceVersion ${a?.resourceVersion} → ${b?.resourceVersion}, data-hash ${hash(a)} → ${hash(b)}\n`);
  }
  if (!changed) throw new ProjectorError('Internal', 'the rotation did not reach the projected Secret within 20s');
  out.write('the rotated value reached the Secret with no Git change. Next: npx projector dev <your repo> (see README)\n');
  return 0;
}

/** `--cluster`: the operator's Manager in this process reconciles the repo into the cluster. */
async function runDevAgainstCluster(paths: string[], flags: DevFlags, workDir: string, log: Logger): Promise<number> {
  const out = process.stdout;
  const print = { line: (t: string) => out.write(`${t}\n`) };
  const ac = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => ac.abort());
  const refresh = flags.demo ? '2s' : flags.refresh;
  const dev = await runDevCluster(
    { paths, exclude: flags.exclude ?? [], workDir, refresh, once: Boolean(flags.once), demo: Boolean(flags.demo), prompt: flags.prompt, seedFile: flags.seed, port: flags.port !== undefined ? parsePort(flags.port, '--port') : undefined, out, input: process.stdin, log, kubeconfig: flags.kubeconfig, installCrds: Boolean(flags.installCrds), allowGenericTargets: Boolean(flags.unsafeAllowGenericTargets) },
    ac.signal,
    print,
  );
  const wanted = dev.local.repo.externalSecrets.map((es) => objectKey(es.metadata.namespace, es.metadata.name));
  const readyOf = (k: string) => dev.manager.externalSecrets.get(k as never)?.status?.conditions?.find((c) => c.type === 'Ready');
  if (!flags.once && !flags.demo) {
    out.write(`watching ${paths.join(', ')} and the vault (refresh every ${refresh}); Ctrl-C to stop\n`);
    let applied: Awaited<ReturnType<typeof dev.reapply>> | undefined;
    const stop = watchManifests(
      paths,
      print,
      async () => {
        applied = await dev.reapply(await loadAndReport(paths, print, flags.exclude ?? [], { cluster: true }));
      },
      // After every reload, the state of every ExternalSecret (and PushSecret), as without --cluster.
      async () => {
        if (applied) await dev.printState(applied);
      },
      [workDir],
    );
    await dev.done;
    stop();
    return 0;
  }
  try {
    await waitUntil(() => wanted.every((k) => readyOf(k)), 60_000);
    // An ExternalSecret the API server would refuse was never applied: it fails too.
    const refused = (dev.local.repo.refused ?? []).filter((k) => k.startsWith('ExternalSecret/'));
    const failed = [...wanted.filter((k) => readyOf(k)?.status !== 'True'), ...refused];
    // The PushSecrets and ClusterPushSecrets too, once the in-process operator answered for them.
    const push = await dev.pushState(dev.initial, 60_000);
    const pushReady = push.entries.filter((e) => pushStateOf(e.kind, e.id, e.obj).ok).length;
    for (const line of pushStateLines(push.entries, push.notApplied)) out.write(`${line}\n`);
    const pushes = push.entries.length + push.notApplied.length > 0 ? { ready: pushReady, failed: push.entries.length - pushReady + push.notApplied.length } : undefined;
    const summary = onceSummary({ ready: wanted.length + refused.length - failed.length, failed: failed.length, loadErrors: loadErrorCount(dev.local.repo), ...(pushes && { pushes }) });
    if (flags.once || summary.exitCode !== 0) {
      for (const l of summary.lines) out.write(`${l}\n`);
      return summary.exitCode;
    }
    const targets = dev.local.repo.externalSecrets.map((es) => ({ ns: es.metadata.namespace, name: targetNameOf(es) }));
    const hashes = async () => Promise.all(targets.map(async (t) => (await dev.kube.getSecret(t.ns, t.name))?.metadata));
    const before = await hashes();
    for (const name of dev.local.seeded.length ? dev.local.seeded : dev.local.vault.admin.secretNames()) {
      await setVaultSecret(dev.local.vault, name, `dev-rotated-${crypto.randomUUID()}`);
      out.write(`rotated ${name} in the vault; no manifest changed, waiting for the refresh (2s)\n`);
    }
    let after = before;
    const changed = await waitUntilAsync(async () => {
      after = await hashes();
      return after.some((m, i) => m?.annotations?.[ANNOTATION_DATA_HASH] !== before[i]?.annotations?.[ANNOTATION_DATA_HASH]);
    }, 30_000);
    targets.forEach((t, i) => {
      const h = (m: typeof before[number]) => m?.annotations?.[ANNOTATION_DATA_HASH]?.slice(0, 12);
      out.write(`  Secret ${t.ns}/${t.name}: resourceVersion ${before[i]?.resourceVersion} → ${after[i]?.resourceVersion}, data-hash ${h(before[i])} → ${h(after[i])}\n`);
    });
    if (!changed) throw new ProjectorError('Internal', 'the rotation did not reach the Secret within 30s');
    return 0;
  } finally {
    ac.abort();
    await dev.done;
  }
}

async function waitUntilAsync(cond: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return true;
    await sleep(250);
  }
  return false;
}
