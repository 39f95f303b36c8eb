// The ProviderHost of `projector check`: CI has no cluster, so store credentials come from the
// environment. Each Kubernetes Secret reference in a store plays a role (tenantId, clientId,
// clientSecret, clientCertificate); the host answers a read by that role from the matching variable.
import { readFile } from 'node:fs/promises';
import type { GenericStore, SecretKeySelector } from '../../api/index.ts';
import { ProjectorError } from '../../core/errors.ts';
import { Sensitive } from '../../core/sensitive.ts';
import type { Logger } from '../../platform/logger.ts';
import { ANNOTATION_CLIENT_ID, ANNOTATION_TENANT_ID } from '../../providers/azurekv/auth.ts';
import type { AzureKvConfig, ValueSource } from '../../providers/azurekv/store-config.ts';
import type { ProviderHost } from '../../providers/provider.ts';

export type CredentialRole = 'tenantId' | 'clientId' | 'clientSecret' | 'clientCertificate' | 'serviceAccountToken';

/** Where each role is read from: the variable (a file path for the last two). */
export const VARIABLE_OF: Readonly<Record<CredentialRole, string>> = {
  tenantId: 'AZURE_TENANT_ID',
  clientId: 'AZURE_CLIENT_ID',
  clientSecret: 'AZURE_CLIENT_SECRET',
  clientCertificate: 'AZURE_CLIENT_CERTIFICATE_PATH',
  serviceAccountToken: 'AZURE_FEDERATED_TOKEN_FILE',
};

/** The environment `projector check` reads; `--tenant-id` wins over AZURE_TENANT_ID. */
export type CredentialEnvironment = Readonly<Record<string, string | undefined>>;

export function credentialEnvironment(env: Record<string, string | undefined>, flags: { tenantId?: string | undefined }): CredentialEnvironment {
  const out: Record<string, string | undefined> = {};
  for (const variable of Object.values(VARIABLE_OF)) out[variable] = env[variable] || undefined;
  if (flags.tenantId) out[VARIABLE_OF.tenantId] = flags.tenantId;
  return out;
}

const isRef = (s: ValueSource | undefined): s is { secretKeyRef: SecretKeySelector; field: string } => s !== undefined && 'secretKeyRef' in s;

/** The roles this store's authentication will ask the host for. */
export function requiredRoles(config: AzureKvConfig): CredentialRole[] {
  const roles: CredentialRole[] = [];
  const fromRef = (role: CredentialRole, source: ValueSource | undefined) => {
    if (isRef(source)) roles.push(role);
  };
  if (config.authType === 'ServicePrincipal') {
    fromRef('tenantId', config.tenantId);
    fromRef('clientId', config.clientId);
    if (config.clientCertificate) fromRef('clientCertificate', config.clientCertificate);
    else fromRef('clientSecret', config.clientSecret);
  } else if (config.authType === 'WorkloadIdentity') {
    // Without a serviceAccountRef the SDK reads these three variables itself (the operator pod's
    // own federated token); with one, the host answers the token and the annotations.
    roles.push('serviceAccountToken');
    if (config.clientId === undefined || isRef(config.clientId)) roles.push('clientId');
    if (config.tenantId === undefined || isRef(config.tenantId)) roles.push('tenantId');
  }
  return roles;
}

export function missingVariables(roles: readonly CredentialRole[], env: CredentialEnvironment): string[] {
  return [...new Set(roles.map((r) => VARIABLE_OF[r]))].filter((v) => !env[v]);
}

function sameSelector(a: SecretKeySelector, b: SecretKeySelector): boolean {
  return a.name === b.name && a.key === b.key && (a.namespace ?? '') === (b.namespace ?? '');
}

export function roleOf(config: AzureKvConfig, ref: SecretKeySelector): CredentialRole | undefined {
  const roles: [CredentialRole, ValueSource | undefined][] = [
    ['tenantId', config.tenantId],
    ['clientId', config.clientId],
    ['clientSecret', config.clientSecret],
    ['clientCertificate', config.clientCertificate],
  ];
  return roles.find(([, source]) => isRef(source) && sameSelector(source.secretKeyRef, ref))?.[0];
}

export interface EnvironmentHostOptions {
  store: GenericStore;
  config: AzureKvConfig;
  env: CredentialEnvironment;
  /** The referencing ExternalSecret's namespace: a referent ClusterSecretStore needs one to build a client. */
  namespace?: string | undefined;
  log: Logger;
  readTextFile?: (path: string) => Promise<string>;
}

export function environmentHost(opts: EnvironmentHostOptions): ProviderHost {
  const { store, config, env } = opts;
  const readTextFile = opts.readTextFile ?? ((p: string) => readFile(p, 'utf8'));
  const where = `${store.kind} ${store.metadata.name}`;
  const variable = async (role: CredentialRole): Promise<string> => {
    const name = VARIABLE_OF[role];
    const raw = env[name];
    if (!raw) throw new ProjectorError('CredentialNotFound', `${where} needs ${role}: set ${name}`);
    if (role !== 'clientCertificate' && role !== 'serviceAccountToken') return raw;
    try {
      return await readTextFile(raw);
    } catch {
      throw new ProjectorError('CredentialNotFound', `${where} needs ${role}: cannot read the file named by ${name}`);
    }
  };
  return {
    ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
    log: opts.log,
    async readSecretKey(ref) {
      const role = roleOf(config, ref);
      if (!role) throw new ProjectorError('CredentialNotFound', `${where}: Secret ${ref.name} key ${ref.key} is not a credential projector check can take from the environment`);
      return new Sensitive(await variable(role));
    },
    async serviceAccountToken() {
      return new Sensitive((await variable('serviceAccountToken')).trim());
    },
    // Workload identity takes the client and tenant from the service account's annotations when the
    // store does not name them; in CI they come from the same variables the Azure SDK reads.
    async serviceAccountAnnotations() {
      const out: Record<string, string> = {};
      if (config.clientId === undefined && env[VARIABLE_OF.clientId]) out[ANNOTATION_CLIENT_ID] = env[VARIABLE_OF.clientId]!;
      if (config.tenantId === undefined && env[VARIABLE_OF.tenantId]) out[ANNOTATION_TENANT_ID] = env[VARIABLE_OF.tenantId]!;
      return out;
    },
  };
}
