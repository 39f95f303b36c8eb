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
      return void res.writeHead(ok ? 200 : 503).end(ok ? 'ok\n' : 'caches not synced\n');
    }
    if (what === 'metrics' && url.startsWith('/metrics')) {
      const registry = manager.metrics.registry;
      registry.metrics().then(
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

export function portOf(s: Server): number {
  return (s.address() as AddressInfo).port;
}
