/**
 * Keep-alive connection pools, one per trust. Node's https.Agent keys its kept-alive sockets by host
 * and TLS options (lib/https.js Agent.getName: ca, cert, servername, …) but not by `secureContext`,
 * so a socket verified against one CA set would serve a later request that must be verified against
 * another set, or the system roots. Go keeps one connection pool per http.Transport, and a client
 * with its own RootCAs has a Transport of its own; this is the same: requests made with the same
 * SecureContext object share a pool, and requests without one use a pool of their own.
 */
import http from 'node:http';
import https from 'node:https';
import type { SecureContext } from 'node:tls';

const httpAgent = new http.Agent({ keepAlive: true });
const defaultHttpsAgent = new https.Agent({ keepAlive: true });
const agentsByTrust = new WeakMap<SecureContext, https.Agent>();

/**
 * The agent for a request: plain HTTP shares one pool; HTTPS with `secureContext` (a CA set made
 * once per trust, e.g. providers/azurekv/trust.ts) gets that context's pool, HTTPS without it the
 * pool that verifies against Node's default roots.
 */
export function agentForTrust(isHttps: boolean, secureContext: SecureContext | undefined): http.Agent {
  if (!isHttps) return httpAgent;
  if (!secureContext) return defaultHttpsAgent;
  let agent = agentsByTrust.get(secureContext);
  if (!agent) {
    agent = new https.Agent({ keepAlive: true, secureContext });
    agentsByTrust.set(secureContext, agent);
  }
  return agent;
}
