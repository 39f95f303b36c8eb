import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ProjectorError } from '../../core/errors.ts';
import { createLogger, type LogLevel } from '../../platform/logger.ts';
import type { DevFlags } from '../commands/dev.ts';
import { DevSession, refreshMs } from './dev-session.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (cond()) return true;
    await sleep(100);
  }
  return cond();
}

function warnIfNotIgnored(workDir: string, out: NodeJS.WritableStream): void {
  const gitignore = resolve('.gitignore');
  const name = workDir.replace(/^\.\//, '').replace(/\/$/, '');
  if (existsSync(gitignore) && !readFileSync(gitignore, 'utf8').split('\n').some((l) => l.trim().replace(/^\//, '').replace(/\/$/, '') === name)) {
    out.write(`warning: ${workDir}/ is not in .gitignore; it holds development Secrets: add it before committing\n`);
  }
}

/** Returns the process exit code. */
export async function runDev(paths: string[], flags: DevFlags): Promise<number> {
  const out = process.stdout;
  refreshMs(flags.refresh); // usage error before anything starts
  warnIfNotIgnored(flags.workDir, out);
  const workDir = resolve(flags.workDir);
  mkdirSync(workDir, { recursive: true, mode: 0o700 });
  const log = createLogger({ level: (flags.logLevel ?? 'info') as LogLevel, destination: createWriteStream(join(workDir, 'dev.log'), { flags: 'a' }) as never });
  const session = new DevSession({
    paths,
    workDir,
    refresh: flags.demo ? '2s' : flags.refresh,
    once: Boolean(flags.once),
    demo: Boolean(flags.demo),
    prompt: flags.prompt,
    seedFile: flags.seed,
    port: flags.port ? Number(flags.port) : undefined,
    out,
    input: process.stdin,
    log,
  });
  await session.start();
  const ac = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => ac.abort());
  const running = session.run(ac.signal);

  if (!flags.once && !flags.demo) {
    out.write(`watching ${paths.join(', ')} and the vault (refresh every ${flags.refresh}); Ctrl-C to stop\n`);
    await running;
    return 0;
  }
  try {
    await waitUntil(() => session.isSettled(), 60_000);
    const first = session.readyCounts();
    if (flags.once || first.failed > 0) {
      out.write(`${first.ready} ExternalSecret(s) ready, ${first.failed} failing\n`);
      return first.failed > 0 ? 1 : 0;
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
    const { version } = await session.vault.admin.setSecret(name, `dev-rotated-${crypto.randomUUID()}`);
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
  out.write('the rotated value reached the Secret with no Git change. Next: projector dev <your repo> (see README)\n');
  return 0;
}
