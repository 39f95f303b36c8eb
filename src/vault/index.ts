// Public entry point of the local Azure Key Vault-compatible vault. Everything else in src/vault/ is
// internal: other areas (tests, CLI, benchmarks) import only from here.
import type { Logger } from '../platform/logger.ts';

/** A client that may obtain tokens from the vault's token endpoint and use them on the secrets API. */
export interface VaultPrincipal {
  /** Defaults to the vault's tenant. */
  tenantId?: string;
  clientId: string;
  /** client_credentials with a client secret. */
  clientSecret?: string;
  /** client_credentials with a certificate: the public certificate PEM that verifies the JWT assertion (x5t/kid). */
  certificatePem?: string;
  /** Workload identity: accept a client_assertion JWT from this issuer for this subject, verified with the vault's JWKS. */
  federated?: { issuer: string; subject: string; /** default api://AzureADTokenExchange */ audience?: string };
  /** May get tokens from the IMDS listener (identity = clientId; used as system-assigned when it is the only one). */
  managedIdentity?: boolean;
  /** Secret names this principal may read: '*', exact names, or prefixes ending in '*'. Absent = all. */
  allowRead?: string[];
  /** Secret names this principal may write (set, update, delete, recover, purge). Absent = all. */
  allowWrite?: string[];
  /**
   * May list secrets (`GET /secrets`: an access policy's secrets `list`, RBAC's `readMetadata` at the
   * vault). Default true. False answers the list with Key Vault's 403 `ForbiddenByPolicy`, as for an
   * identity granted `get` alone, or a role assigned on single secrets.
   */
  listSecrets?: boolean;
  /**
   * Key names it may read (get, list, versions) and write (create, import, delete, recover, purge),
   * as an access policy's key permissions. Absent: all keys when the principal has no secret lists
   * either (an unrestricted principal), none otherwise, as in Key Vault, where secrets/get grants
   * nothing on keys.
   */
  keys?: { allowRead?: string[]; allowWrite?: string[] };
  /** The same for certificates (get, list, versions / import, delete, recover, purge). */
  certificates?: { allowRead?: string[]; allowWrite?: string[] };
}

export interface VaultOptions {
  /** State, signing key and generated CA/server certificates live here. */
  dataDir: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** Port of the plain-HTTP IMDS listener; default 0 (a free port). */
  imdsPort?: number;
  /** Default 72f988bf-0000-4000-8000-00000000d0c5. */
  tenantId?: string;
  /** Merged with dataDir/principals.json; the options win on a clientId clash. */
  principals?: VaultPrincipal[];
  /** Where to fetch keys for federated assertions (for Kubernetes: the API server's /openid/v1/jwks). */
  jwks?: { uri: string; caPem?: string; bearerToken?: string };
  /** When set, answers 429 + Retry-After past these counts per sliding 10 s (AKV: 4000 reads, 300 writes). */
  throttle?: { readsPer10s?: number; writesPer10s?: number };
  /** AKV serves values outside their nbf/exp window (only `enabled: false` answers 403); set to answer 403 SecretExpired/SecretNotYetValid instead. */
  enforceValidity?: boolean;
  /**
   * The api-version values the secrets API accepts (default: every version AKV serves, 2016-10-01 …
   * 2026-04-01). A narrower list emulates an older AKV-compatible server (Azure Stack Hub, an
   * emulator): any other version answers 400 BadParameter, as AKV answers an unknown one.
   */
  apiVersions?: string[];
  /**
   * Recorded in `<dataDir>/lock` as the holder's command, shown to a second process that finds the
   * directory taken. Default: this process's command line (arguments included: pass a description
   * instead when they may hold a value).
   */
  owner?: string;
  log?: Logger;
}

export interface StartedVault {
  /** https://127.0.0.1:PORT: the vault URL for SecretClient. */
  url: string;
  /** https://127.0.0.1:PORT: authorityHost for @azure/identity credentials. */
  authorityHost: string;
  /** http://127.0.0.1:PORT2: for AZURE_POD_IDENTITY_AUTHORITY_HOST (IMDS). */
  imdsEndpoint: string;
  tenantId: string;
  /** The CA to trust (NODE_EXTRA_CA_CERTS or the pipeline's TLS options). */
  caPem: string;
  /** Path of that CA on disk. */
  caFile: string;
  /** Direct in-process access for tests: no HTTP, no auth, not counted in stats. */
  admin: VaultAdmin;
  faults: VaultFaults;
  /** requests = every HTTP request on the HTTPS listener; secretReads = GETs that returned a secret value. */
  stats(): VaultStats;
  close(): Promise<void>;
}

export interface VaultStats {
  requests: number;
  secretReads: number;
  byName: Record<string, number>;
  /** Token endpoint answers: issued per client id, refused per client id and reason (e.g. "wrong client secret"). */
  tokens: { issued: Record<string, number>; refused: Record<string, Record<string, number>> };
  /** TLS connections the HTTPS listener accepted since start (how well clients reuse connections). */
  connections: number;
}

export interface SetSecretOptions {
  contentType?: string;
  tags?: Record<string, string>;
  enabled?: boolean;
  notBefore?: Date;
  expiresOn?: Date;
}

export interface VaultAdmin {
  setSecret(name: string, value: string, opts?: SetSecretOptions): Promise<{ version: string }>;
  /** Soft delete, as DELETE /secrets/{name}. */
  deleteSecret(name: string): Promise<void>;
  /** Removes a soft-deleted secret for good. */
  purgeSecret(name: string): Promise<void>;
  addPrincipal(p: VaultPrincipal): Promise<void>;
  /** Client ids of the registered principals (never their credentials). */
  principalIds(): string[];
  /** Names of the live (not deleted) secrets; never values. */
  secretNames(): string[];
}

export interface VaultFaults {
  /** The next `count` (default 1) matching requests on the HTTPS listener answer `status` with an AKV-shaped error. */
  failNext(status: number, count?: number, opts?: { retryAfterSeconds?: number; path?: RegExp }): void;
  setLatencyMs(ms: number): void;
  /** While on, sockets are destroyed without an answer. */
  dropConnections(on: boolean): void;
  /**
   * The next `count` (default 1) matching requests that would answer 200 answer 200 with a mangled
   * body instead: `truncate` (the first half of the JSON), `html` (an HTML error page as a proxy
   * sends it) or `shape` (valid JSON of the wrong shape). Without a path, the secrets API only.
   */
  mangleNext(how: MangleKind, count?: number, opts?: { path?: RegExp }): void;
  clear(): void;
}

export type MangleKind = 'truncate' | 'html' | 'shape';

export { startVault } from './server.ts';
export { SUPPORTED_API_VERSIONS } from './app.ts';
export { loadOrCreateDevPrincipal, hasDevPrincipal, writeDevEnvFile, writeCombinedCaBundle, DEV_CLIENT_ID } from './first-run.ts';
export { DataDirLockedError, readLockHolder, type LockHolder } from './lock.ts';
export { VaultDataFileError } from './persistence.ts';
