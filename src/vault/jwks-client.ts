// Fetches the JSON Web Key Set that verifies federated (workload identity) assertions, e.g. a
// Kubernetes API server's /openid/v1/jwks, trusting an optional CA and sending an optional bearer token.
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { JsonWebKeySet } from './auth/token-endpoint.ts';

const TIMEOUT_MS = 10_000;

export function fetchJwks(source: { uri: string; caPem?: string; bearerToken?: string }): Promise<JsonWebKeySet> {
  const url = new URL(source.uri);
  const requestFn = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = requestFn(
      url,
      {
        method: 'GET',
        headers: { accept: 'application/jwk-set+json, application/json', ...(source.bearerToken && { authorization: `Bearer ${source.bearerToken}` }) },
        ...(source.caPem && { ca: source.caPem }),
        timeout: TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`vault: JWKS fetch from ${url.origin}${url.pathname} answered ${res.statusCode}`));
          try {
            const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as JsonWebKeySet;
            if (!Array.isArray(parsed.keys)) throw new Error('no keys');
            resolve(parsed);
          } catch {
            reject(new Error(`vault: JWKS from ${url.origin}${url.pathname} is not a key set`));
          }
        });
        res.on('error', () => reject(new Error(`vault: JWKS fetch from ${url.origin}${url.pathname} failed`)));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`vault: JWKS fetch from ${url.origin}${url.pathname} timed out`)));
    req.on('error', (e) => reject(new Error(`vault: JWKS fetch from ${url.origin}${url.pathname} failed (${(e as NodeJS.ErrnoException).code ?? e.name})`)));
    req.end();
  });
}
