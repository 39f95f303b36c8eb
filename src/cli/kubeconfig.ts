// Which Kubernetes configuration a command uses, said out loud. The order is controller-runtime's
// (sigs.k8s.io/controller-runtime/pkg/client/config GetConfig): the --kubeconfig flag, the
// KUBECONFIG variable, the in-cluster service account, then $HOME/.kube/config. Unlike
// @kubernetes/client-node's loadFromDefault, which falls back to http://localhost:8080 when none
// exists, no configuration is an error naming every place looked at.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { isIPv6 } from 'node:net';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '../kube/client-node.ts';
import { ProjectorError } from '../core/errors.ts';

/** Where the service account token of a pod is mounted (client-go rest.InClusterConfig). */
export const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';
const SERVICE_ACCOUNT_CA = '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt';

export interface ResolvedKubeConfig {
  kubeConfig: KubeConfig;
  /** Which configuration: `--kubeconfig /p`, `KUBECONFIG=/p`, `in-cluster service account`, `default file /home/u/.kube/config`. */
  source: string;
  /** The API server URL of the current context. */
  server: string;
  /** The current context's name (absent in-cluster). */
  context: string | undefined;
}

export interface KubeConfigEnvironment {
  env: Record<string, string | undefined>;
  home: string;
  exists(path: string): boolean;
}

const systemEnvironment = (): KubeConfigEnvironment => ({ env: process.env, home: homedir(), exists: existsSync });

/**
 * Loads the configuration `flag` (a --kubeconfig value) or the environment selects.
 * Throws ProjectorError InvalidSpec when none exists, a named file is missing or unreadable, or
 * the configuration has no current cluster; every message names the source and what to do.
 */
export function resolveKubeConfig(flag: string | undefined, environment: KubeConfigEnvironment = systemEnvironment()): ResolvedKubeConfig {
  const { env, home, exists } = environment;
  const kc = new KubeConfig();
  let source: string;
  if (flag) {
    source = `--kubeconfig ${flag}`;
    if (!exists(flag)) throw new ProjectorError('InvalidSpec', `--kubeconfig ${flag} does not exist`, { flag: '--kubeconfig' });
    load(() => kc.loadFromFile(flag), source);
  } else if (env.KUBECONFIG) {
    const files = env.KUBECONFIG.split(delimiter).filter((f) => f);
    source = `KUBECONFIG=${env.KUBECONFIG}`;
    const present = files.filter((f) => exists(f));
    if (present.length === 0) throw new ProjectorError('InvalidSpec', `KUBECONFIG names ${files.join(', ')}, which does not exist; fix KUBECONFIG or pass --kubeconfig <file>`);
    // client-go merges every file KUBECONFIG lists and skips missing ones; the first that sets a context wins.
    load(() => {
      kc.loadFromFile(present[0]!);
      for (const f of present.slice(1)) {
        const more = new KubeConfig();
        more.loadFromFile(f);
        kc.mergeConfig(more);
      }
    }, source);
  } else if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT && exists(SERVICE_ACCOUNT_TOKEN)) {
    source = 'in-cluster service account';
    // client-go's rest.InClusterConfig: https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT, the
    // mounted CA and token (re-read as it rotates). Built from `env`, not the library's process.env read.
    const host = isIPv6(env.KUBERNETES_SERVICE_HOST) ? `[${env.KUBERNETES_SERVICE_HOST}]` : env.KUBERNETES_SERVICE_HOST;
    kc.loadFromOptions({
      clusters: [{ name: 'in-cluster', server: `https://${host}:${env.KUBERNETES_SERVICE_PORT}`, caFile: SERVICE_ACCOUNT_CA, skipTLSVerify: false }],
      users: [{ name: 'in-cluster', authProvider: { name: 'tokenFile', config: { tokenFile: SERVICE_ACCOUNT_TOKEN } } }],
      contexts: [{ name: 'in-cluster', cluster: 'in-cluster', user: 'in-cluster' }],
      currentContext: 'in-cluster',
    });
  } else {
    const file = join(home, '.kube', 'config');
    source = `default file ${file}`;
    if (!exists(file)) {
      throw new ProjectorError(
        'InvalidSpec',
        `no Kubernetes configuration: no --kubeconfig, KUBECONFIG is not set, this is not a pod (no KUBERNETES_SERVICE_HOST and service account token), and ${file} does not exist; pass --kubeconfig <file> or set KUBECONFIG`,
      );
    }
    load(() => kc.loadFromFile(file), source);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) {
    const context = kc.getCurrentContext();
    throw new ProjectorError('InvalidSpec', `the Kubernetes configuration from ${source} has no cluster for its current context${context ? ` "${context}"` : ' (current-context is not set)'}; set one with kubectl config use-context`);
  }
  return { kubeConfig: kc, source, server: cluster.server, context: source === 'in-cluster service account' ? undefined : kc.getCurrentContext() || undefined };
}

function load(fn: () => void, source: string): void {
  try {
    fn();
  } catch {
    // The parser's message can quote the file, which holds credentials.
    throw new ProjectorError('InvalidSpec', `cannot load the Kubernetes configuration from ${source}: not a readable kubeconfig file`);
  }
}

/** One line for people: `https://host:6443 (context kind-dev, from KUBECONFIG=/p)`. */
export function describeKubeConfig(r: ResolvedKubeConfig): string {
  return `${r.server} (${r.context ? `context ${r.context}, ` : ''}from ${r.source})`;
}
