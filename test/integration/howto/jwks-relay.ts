// Serves the API server's service-account JWKS to the vault over loopback HTTP.
//
// Why: the vault's JWKS client (src/vault/jwks-client.ts) sends `Accept: application/json`, and
// kube-apiserver answers /openid/v1/jwks only for `application/jwk-set+json` (406 otherwise). Until
// the vault asks for that media type, this relay fetches the keys with the right header. The keys
// still come from the real API server on every request; nothing is cached or made up here.
import { createServer, type Server } from 'node:http';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface JwksRelay {
  uri: string;
  close(): Promise<void>;
}

function fetchFromApiServer(server: string, caPem: string, token: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server}/openid/v1/jwks`, { ca: caPem, headers: { accept: 'application/jwk-set+json', authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export async function startJwksRelay(apiServer: { server: string; caPem: string; token: string }): Promise<JwksRelay> {
  const relay: Server = createServer((_req, res) => {
    fetchFromApiServer(apiServer.server, apiServer.caPem, apiServer.token).then(
      ({ status, body }) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(body);
      },
      () => {
        res.writeHead(502);
        res.end();
      },
    );
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
  return {
    uri: `http://127.0.0.1:${(relay.address() as AddressInfo).port}/openid/v1/jwks`,
    close: () => new Promise<void>((r) => relay.close(() => r())),
  };
}
