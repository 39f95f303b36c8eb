/**
 * The Helm CLI built from its Go module by hack/helm/build.sh (cached by version outside the repo),
 * for the chart tests: `helm template` renders deploy/charts/projector as a user's install would, and
 * `helm install` installs it on the test node. When the binary is missing, helmBin() throws saying
 * how to build it (tests fail, never skip).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const repo = new URL('../../', import.meta.url).pathname;
export const CHART = join(repo, 'deploy/charts/projector');

export function helmBin(): string {
  const dir = execFileSync('bash', [join(repo, 'hack/helm/build.sh'), '--print-dir'], { encoding: 'utf8' }).trim();
  const bin = join(dir, 'helm');
  if (!existsSync(bin)) throw new Error(`helm: ${bin} is missing: run bash hack/helm/build.sh (builds the Helm CLI from its Go module)`);
  return bin;
}

export interface RenderOptions {
  release?: string;
  namespace?: string;
  /** Extra API versions the "cluster" serves (helm template --api-versions), e.g. monitoring.coreos.com/v1/ServiceMonitor. */
  apiVersions?: string[];
}

/** Writes values to a file (so types survive: numbers stay numbers) and runs helm with -f. */
function withValues<T>(values: unknown, run: (file: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'projector-helm-values-'));
  try {
    const file = join(dir, 'values.yaml');
    writeFileSync(file, JSON.stringify(values ?? {}));
    return run(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `helm template` of the chart: the rendered objects (empty documents dropped). Throws with helm's stderr. */
export function helmTemplate(values: unknown = {}, o: RenderOptions = {}): any[] {
  return withValues(values, (file) => {
    const args = ['template', o.release ?? 'external-secrets', CHART, '--namespace', o.namespace ?? 'external-secrets', '-f', file, ...(o.apiVersions ?? []).flatMap((v) => ['--api-versions', v])];
    const res = spawnSync(helmBin(), args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (res.status !== 0) throw new Error(`helm template failed: ${res.stderr}`);
    return parseAllDocuments(res.stdout).map((d) => d.toJS()).filter((d) => d && typeof d === 'object');
  });
}

/** helm with a kubeconfig; values as a file. Returns stdout; throws with stderr. */
export function helm(kubeconfig: string, args: string[], values?: unknown, timeoutMs = 600_000): string {
  const run = (extra: string[]) => {
    const res = spawnSync(helmBin(), ['--kubeconfig', kubeconfig, ...args, ...extra], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
    if (res.status !== 0) throw new Error(`helm ${args[0]} failed (${res.status ?? res.signal}): ${res.stderr}`);
    return res.stdout;
  };
  return values === undefined ? run([]) : withValues(values, (file) => run(['-f', file]));
}
