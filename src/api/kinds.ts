// The names, versions and REST plurals of the kinds, in a module without TypeBox: the operator needs
// them at run time but never the schemas (those are for CRD generation and the CLI's checks), and
// importing TypeBox costs ~10 MB of RSS at every start (docs/benchmarks.md, "Idle memory and
// start-up"; test/unit/cli/operator-imports.test.ts keeps TypeBox out of the operator). The schema
// modules (generators.ts, externalsecret.ts, pushsecret.ts, clusterpushsecret.ts) re-export these,
// so existing imports keep working.

// --- Generators (ESO v2.9 apis/generators/v1alpha1) ---
export const GENERATOR_GROUP = 'generators.external-secrets.io';
export const GENERATOR_VERSION = 'v1alpha1';
/** The only apiVersion a generatorRef may name (ESO registers its generators in v1alpha1 only). */
export const GENERATOR_API_VERSION = `${GENERATOR_GROUP}/${GENERATOR_VERSION}`;

/** Generator kinds Projector runs from a generatorRef (ClusterGenerator wraps one of the others). */
export const IMPLEMENTED_GENERATOR_KINDS = ['Password', 'UUID', 'Fake', 'ACRAccessToken', 'SSHKey', 'MFA', 'Webhook', 'GithubAccessToken', 'ClusterGenerator'] as const;
export type ImplementedGeneratorKind = (typeof IMPLEMENTED_GENERATOR_KINDS)[number];

/** Namespaced generator kinds → REST plural (ClusterGenerator is cluster-scoped). */
export const GENERATOR_PLURALS: Record<ImplementedGeneratorKind, string> = {
  Password: 'passwords',
  UUID: 'uuids',
  Fake: 'fakes',
  ACRAccessToken: 'acraccesstokens',
  SSHKey: 'sshkeys',
  MFA: 'mfas',
  Webhook: 'webhooks',
  GithubAccessToken: 'githubaccesstokens',
  ClusterGenerator: 'clustergenerators',
};

/** ESO v2.9's GeneratorKind enum (ClusterGenerator.spec.kind). */
export const CLUSTER_GENERATOR_KINDS = [
  'ACRAccessToken', 'BeyondtrustWorkloadCredentialsDynamicSecret', 'CloudsmithAccessToken', 'ECRAuthorizationToken', 'Fake', 'GCRAccessToken',
  'GithubAccessToken', 'GitlabDeployToken', 'QuayAccessToken', 'Password', 'SSHKey', 'STSSessionToken', 'UUID', 'VaultDynamicSecret', 'Webhook',
  'Grafana', 'MFA',
] as const;

/** ClusterGenerator.spec.generator member per kind (ESO's GeneratorSpec json names). */
export const CLUSTER_GENERATOR_SPEC_FIELD: Record<(typeof CLUSTER_GENERATOR_KINDS)[number], string> = {
  ACRAccessToken: 'acrAccessTokenSpec',
  BeyondtrustWorkloadCredentialsDynamicSecret: 'beyondtrustWorkloadCredentialsDynamicSecretSpec',
  CloudsmithAccessToken: 'cloudsmithAccessTokenSpec',
  ECRAuthorizationToken: 'ecrAuthorizationTokenSpec',
  Fake: 'fakeSpec',
  GCRAccessToken: 'gcrAccessTokenSpec',
  GithubAccessToken: 'githubAccessTokenSpec',
  GitlabDeployToken: 'gitlabDeployTokenSpec',
  QuayAccessToken: 'quayAccessTokenSpec',
  Password: 'passwordSpec',
  SSHKey: 'sshKeySpec',
  STSSessionToken: 'stsSessionTokenSpec',
  UUID: 'uuidSpec',
  VaultDynamicSecret: 'vaultDynamicSecretSpec',
  Webhook: 'webhookSpec',
  Grafana: 'grafanaSpec',
  MFA: 'mfaSpec',
};

// --- ExternalSecret (ESO v2.9 apis/externalsecrets/v1) ---
/** ESO v2.9's generator kinds (v1's list; v1beta1's is a subset). Those Projector does not run are NotSupported (core/generators.ts). */
export const GENERATOR_KINDS = [
  'ACRAccessToken', 'BeyondtrustWorkloadCredentialsDynamicSecret', 'ClusterGenerator', 'CloudsmithAccessToken', 'ECRAuthorizationToken', 'Fake',
  'GCRAccessToken', 'GithubAccessToken', 'GitlabDeployToken', 'QuayAccessToken', 'Password', 'SSHKey', 'STSSessionToken', 'UUID',
  'VaultDynamicSecret', 'Webhook', 'Grafana', 'MFA',
] as const;

// --- PushSecret, ClusterPushSecret (ESO v2.9 apis/externalsecrets/v1alpha1) ---
export const PUSH_SECRET_VERSION = 'v1alpha1';
export const CLUSTER_PUSH_SECRET_VERSION = 'v1alpha1';
