// /healthz, /readyz and /metrics (Prometheus text format, ESO-style metric names where they exist).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Manager } from './manager.ts';

function metricsText(m: Manager): string {
  const lines: string[] = [];
  const counter = (name: string, help: string, rows: [Record<string, string>, number][], type = 'counter') => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, v] of rows) {
      const l = Object.entries(labels)
        .map(([k, x]) => `${k}="${x.replace(/["\\\n]/g, '_')}"`)
        .join(',');
      lines.push(`${name}${l ? `{${l}}` : ''} ${v}`);
    }
  };
  const c = m.counters;
  const ctrl = { externalsecret: c.externalSecrets, secretstore: c.secretStores, clustersecretstore: c.clusterSecretStores };
  counter(
    'controller_runtime_reconcile_total',
    'Reconciles by controller and result.',
    Object.entries(ctrl).flatMap(([name, w]) => Object.entries(w.reconciles).map(([result, v]) => [{ controller: name, result }, v] as [Record<string, string>, number])),
  );
  counter('controller_runtime_reconcile_panics_total', 'Exceptions that escaped a reconcile (bugs).', Object.entries(ctrl).map(([name, w]) => [{ controller: name }, w.errors]));
  counter('workqueue_depth', 'Keys waiting in each queue.', Object.entries(ctrl).map(([name, w]) => [{ name }, w.queueDepth()]), 'gauge');
  const status = m.externalSecrets.list().map((es) => {
    const ready = es.status?.conditions?.find((x) => x.type === 'Ready');
    return [{ name: es.metadata.name, namespace: es.metadata.namespace, condition: 'Ready', status: ready?.status ?? 'Unknown' }, 1] as [Record<string, string>, number];
  });
  counter('leader_election_master_status', 'Whether this instance runs the workers (1) or waits (0).', [[{ name: 'projector-controller' }, m.isLeader() ? 1 : 0]], 'gauge');
  counter('externalsecret_status_condition', 'Ready condition of each ExternalSecret.', status, 'gauge');
  return lines.join('\n') + '\n';
}

export function serveEndpoints(manager: Manager, addr: { host?: string; port: number }, what: 'health' | 'metrics'): Promise<Server> {
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (what === 'health' && url.startsWith('/healthz')) return void res.writeHead(200).end('ok\n');
    if (what === 'health' && url.startsWith('/readyz')) {
      const ok = manager.hasSynced();
      return void res.writeHead(ok ? 200 : 503).end(ok ? 'ok\n' : 'caches not synced\n');
    }
    if (what === 'metrics' && url.startsWith('/metrics')) return void res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metricsText(manager));
    res.writeHead(404).end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(addr.port, addr.host, () => resolve(server));
  });
}

export function portOf(s: Server): number {
  return (s.address() as AddressInfo).port;
}
