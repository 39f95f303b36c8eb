// Builds the vault app in-process with a settable clock, deterministic versions and captured logs.
import { createLogger } from '../../../src/platform/logger.ts';
import { createVaultApp, type VaultApp, type VaultResponse } from '../../../src/vault/app.ts';
import { VaultState } from '../../../src/vault/state.ts';
import { PrincipalRegistry } from '../../../src/vault/auth/principals.ts';
import { Throttle } from '../../../src/vault/throttle.ts';
import { FaultPlan } from '../../../src/vault/faults.ts';
import type { VaultPrincipal } from '../../../src/vault/index.ts';
import type { JsonWebKeySet } from '../../../src/vault/auth/token-endpoint.ts';

export const TENANT = '11111111-2222-3333-4444-555555555555';
export const BASE_URL = 'https://vault.test:8443';
export const API = 'api-version=7.5';

export interface Harness {
  app: VaultApp;
  state: VaultState;
  faults: FaultPlan;
  clock: { ms: number };
  persists: { count: number };
  logs: string[];
  call(method: string, path: string, opts?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<Response>;
  tokenFor(clientId: string, clientSecret: string): Promise<string>;
}

export interface Response extends VaultResponse {
  json: any;
}

export function createHarness(opts: {
  principals?: VaultPrincipal[];
  throttle?: { readsPer10s?: number; writesPer10s?: number };
  enforceValidity?: boolean;
  jwks?: JsonWebKeySet;
  apiVersions?: string[];
} = {}): Harness {
  const logs: string[] = [];
  const log = createLogger({ level: 'debug', destination: { write: (line: string) => void logs.push(line) } });
  const clock = { ms: 1_700_000_000_000 };
  const persists = { count: 0 };
  const state = new VaultState();
  const faults = new FaultPlan();
  let versionCounter = 0;
  const app = createVaultApp({
    state,
    principals: new PrincipalRegistry(TENANT, opts.principals ?? [{ clientId: 'reader', clientSecret: 'reader-secret' }]),
    tenantId: TENANT,
    baseUrl: BASE_URL,
    signingKey: Buffer.alloc(32, 7),
    nowMs: () => clock.ms,
    newVersion: () => (++versionCounter).toString(16).padStart(32, '0'),
    persist: async () => {
      persists.count++;
    },
    loadJwks: async () => opts.jwks ?? { keys: [] },
    ...(opts.throttle && { throttle: new Throttle(opts.throttle) }),
    ...(opts.enforceValidity && { enforceValidity: true }),
    ...(opts.apiVersions && { apiVersions: opts.apiVersions }),
    faults,
    log,
  });

  async function call(method: string, path: string, o: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = { ...o.headers };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    const body = o.body === undefined ? '' : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
    const res = await app.handle({ method, url: path, headers, body });
    return { ...res, json: res.body ? JSON.parse(res.body) : undefined };
  }

  async function tokenFor(clientId: string, clientSecret: string): Promise<string> {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: 'https://vault.azure.net/.default' });
    const res = await call('POST', `/${TENANT}/oauth2/v2.0/token`, { body: form.toString() });
    if (res.status !== 200) throw new Error(`token request failed: ${res.status}`);
    return res.json.access_token as string;
  }

  return { app, state, faults, clock, persists, logs, call, tokenFor };
}
