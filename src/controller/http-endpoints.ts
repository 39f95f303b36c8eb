// /healthz, /readyz and /metrics. The metrics are the Manager's prom-client registry
// (controller/metrics.ts), rendered in the Prometheus text format by prom-client (label values
// escaped as the exposition format says).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Manager } from './manager.ts';

export function serveEndpoints(manager: Manager, addr: { host?: string; port: number }, what: 'health' | 'metrics'): Promise<Server> {
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (what === 'health' && url.startsWith('/healthz')) return void res.writeHead(200).end('ok\n');
    if (what === 'health' && url.startsWith('/readyz')) {
      const ok = manager.hasSynced();
      // A missing CRD is named in the body either way: an optional one leaves the operator ready.
      return void res.writeHead(ok ? 200 : 503).end(`${ok ? 'ok' : 'caches not synced'}\n${missingCrdLines(manager).join('')}`);
    }
    if (what === 'metrics' && url.startsWith('/metrics')) {
      const registry = manager.metrics.registry;
      manager.metrics.text().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        () => res.writeHead(500).end('metrics collection failed\n'),
      );
      return;
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(addr.port, addr.host, () => resolve(server));
  });
}

/** One line per resource the API server does not serve: the CRD, what it means, how to install it. */
export function missingCrdLines(manager: Pick<Manager, 'missingResources'>): string[] {
  return manager.missingResources().map(
    (m) =>
      `warning: CRD ${m.crd ?? m.path} is not installed: ${m.optional ? 'its kind is not served until it is (the other kinds are)' : 'the operator cannot become ready'}; install it with kubectl apply -k deploy/crds (or the Helm chart's CRDs)\n`,
  );
}

export function portOf(s: Server): number {
  return (s.address() as AddressInfo).port;
}
