// Generators (generators.external-secrets.io/v1alpha1): the kinds an ExternalSecret's
// `dataFrom[].sourceRef.generatorRef` names. Field for field ESO v2.9's published CRDs
// (config/crds/bases/generators.external-secrets.io_{passwords,uuids,fakes,acraccesstokens,
// sshkeys,mfas,webhooks,githubaccesstokens,clustergenerators,generatorstates}.yaml; Go types in
// apis/generators/v1alpha1/types_*.go), with
// ESO's defaults, enums and bounds. The schema is the single source for the TS types, the CRDs
// (src/api/crds.ts) and `projector validate`.
//
// Projector runs Password, UUID, Fake, ACRAccessToken, SSHKey, MFA, Webhook, GithubAccessToken and
// ClusterGenerator of those kinds. ESO's other
// generator kinds are not served as CRDs; inside a ClusterGenerator their specs have ESO's schema
// (imported from its CRD: providers/eso-generators.generated.ts) and are reported NotSupported
// (core/generators.ts).
import { Type, NamespaceName, ObjectName, SecretKeyName, StringEnum, StringMap, type Static, type TSchema } from './schema-kit.ts';
import { SecretKeySelector, ServiceAccountSelector, type ObjectMeta } from './meta.ts';
import { ESO_GENERATOR_SPEC_SCHEMAS } from './providers/eso-generators.generated.ts';
import { CLUSTER_GENERATOR_KINDS } from './kinds.ts';

// Kinds, versions and plurals live in kinds.ts (no TypeBox there: the operator imports them).
export {
  CLUSTER_GENERATOR_KINDS,
  CLUSTER_GENERATOR_SPEC_FIELD,
  GENERATOR_API_VERSION,
  GENERATOR_GROUP,
  GENERATOR_PLURALS,
  GENERATOR_VERSION,
  IMPLEMENTED_GENERATOR_KINDS,
  type ImplementedGeneratorKind,
} from './kinds.ts';

// --- Password (types_password.go) ---
export const PasswordEncoding = StringEnum(['base64', 'base64url', 'base32', 'hex', 'raw'], { default: 'raw' });
export const PasswordSpec = Type.Object({
  length: Type.Integer({ default: 24, description: 'Length of the password to be generated (default 24).' }),
  digits: Type.Optional(Type.Integer({ description: 'Number of digits; default 25% of the length.' })),
  symbols: Type.Optional(Type.Integer({ description: 'Number of symbol characters; default 25% of the length.' })),
  symbolCharacters: Type.Optional(Type.String({ description: 'Characters symbols are drawn from; default ~!@#$%^&*()_+`-={}|[]\\:"<>?,./' })),
  noUpper: Type.Boolean({ default: false, description: 'No uppercase letters.' }),
  allowRepeat: Type.Boolean({ default: false, description: 'Characters may repeat.' }),
  secretKeys: Type.Optional(Type.Array(Type.String(), { minItems: 1, description: 'Keys to generate one password each for; default ["password"].' })),
  encoding: Type.Optional(PasswordEncoding),
});
export type PasswordSpec = Static<typeof PasswordSpec>;

// --- UUID (types_uuid.go): no fields ---
export const UUIDSpec = Type.Object({});
export type UUIDSpec = Static<typeof UUIDSpec>;

// --- Fake (types_fake.go) ---
export const FakeSpec = Type.Object({
  controller: Type.Optional(Type.String({ description: 'Controller class that serves this generator (ESO spec.controller).' })),
  data: Type.Optional(StringMap({ description: 'Returned verbatim as the generated data.' })),
});
export type FakeSpec = Static<typeof FakeSpec>;

// --- ACRAccessToken (types_acr.go) ---
export const AcrEnvironmentType = StringEnum(['PublicCloud', 'USGovernmentCloud', 'ChinaCloud', 'GermanCloud', 'AzureStackCloud'], { default: 'PublicCloud' });
export const ACRAccessTokenSpec = Type.Object({
  auth: Type.Object({
    managedIdentity: Type.Optional(Type.Object({ identityId: Type.Optional(Type.String({ description: 'Client ID or resource ID of the identity to use.' })) })),
    servicePrincipal: Type.Optional(
      Type.Object({
        secretRef: Type.Object({
          clientId: Type.Optional(SecretKeySelector),
          clientSecret: Type.Optional(SecretKeySelector),
        }),
      }),
    ),
    workloadIdentity: Type.Optional(Type.Object({ serviceAccountRef: Type.Optional(ServiceAccountSelector) })),
  }),
  tenantId: Type.Optional(Type.String({ description: 'Entra ID tenant; required for ServicePrincipal auth.' })),
  registry: Type.String({ description: 'The registry host, e.g. example.azurecr.io.' }),
  scope: Type.Optional(Type.String({ description: 'Access token scope (repository:<name>:pull,push); without it a refresh token is returned.' })),
  environmentType: Type.Optional(AcrEnvironmentType),
});
export type ACRAccessTokenSpec = Static<typeof ACRAccessTokenSpec>;

// --- SSHKey (types_sshkey.go) ---
export const SSHKeySpec = Type.Object({
  // Optional with a default, as ESO's (`omitempty` + kubebuilder default): the API server fills it in.
  keyType: Type.Optional(StringEnum(['rsa', 'ecdsa', 'ed25519'], { default: 'rsa', description: 'The SSH key type (rsa, ecdsa, ed25519).' })),
  keySize: Type.Optional(
    Type.Integer({
      minimum: 256,
      maximum: 8192,
      description: 'Key size: RSA bits (default 2048; at least 1024), ECDSA curve 256, 384 or 521 (default 256; any other value means 256); ignored for ed25519.',
    }),
  ),
  comment: Type.Optional(Type.String({ description: 'Comment of the key (in the private key and at the end of the public key line).' })),
});
export type SSHKeySpec = Static<typeof SSHKeySpec>;

// --- MFA (types_mfa.go) ---
export const MFASpec = Type.Object({
  secret: SecretKeySelector,
  length: Type.Optional(Type.Integer({ description: 'Token length in digits; default 6.' })),
  timePeriod: Type.Optional(Type.Integer({ description: 'Seconds a token is valid; default 30.' })),
  algorithm: Type.Optional(Type.String({ description: 'Accepted as in ESO, which ignores it: tokens always use HMAC-SHA-1.' })),
  when: Type.Optional(Type.String({ format: 'date-time', description: 'Pins the time the token is generated for (RFC 3339); default now.' })),
});
export type MFASpec = Static<typeof MFASpec>;

// --- Webhook (types_webhook.go) ---
/**
 * The Secret selector of ESO's generator types (apis/generators/v1alpha1 SecretKeySelector): name and
 * key only. A Webhook's `secrets[].secretRef.key` is not read: the whole Secret is offered to the templates.
 */
export const GeneratorSecretKeySelector = Type.Object({
  name: Type.Optional(ObjectName({ description: 'Name of the Secret (in the ExternalSecret\'s namespace).' })),
  key: Type.Optional(SecretKeyName({ description: 'Accepted as in ESO, which does not read it: every key of the Secret is offered to the templates.' })),
});
export const WebhookSpec = Type.Object({
  method: Type.Optional(Type.String({ description: 'HTTP method; default GET.' })),
  url: Type.String({ description: 'URL to call: a Go template over the `secrets` (sprig and ESO functions).' }),
  headers: Type.Optional(StringMap({ description: 'Headers to send: name → Go template (as url).' })),
  auth: Type.Optional(
    Type.Object(
      {
        ntlm: Type.Optional(
          Type.Object({
            usernameSecret: SecretKeySelector,
            passwordSecret: SecretKeySelector,
          }, { description: 'NTLM authentication (ESO); reported NotSupported by Projector.' }),
        ),
      },
      { minProperties: 1, maxProperties: 1, description: 'One authorization protocol.' },
    ),
  ),
  body: Type.Optional(Type.String({ description: 'Request body: a Go template (as url).' })),
  timeout: Type.Optional(Type.String({ description: 'Timeout of the whole call (Go duration, e.g. 10s); none by default.' })),
  result: Type.Object({
    jsonPath: Type.Optional(Type.String({ description: 'JSONPath of the object to return inside the JSON response (e.g. $.data); default the whole response.' })),
  }),
  secrets: Type.Optional(
    Type.Array(
      Type.Object({
        name: Type.String({ description: 'Name of this Secret in the templates: {{ .<name>.<key> }}.' }),
        secretRef: GeneratorSecretKeySelector,
      }),
      { description: 'Secrets (labelled external-secrets.io/type: webhook) whose keys the templates may read.' },
    ),
  ),
  caBundle: Type.Optional(Type.String({ format: 'byte', description: 'PEM CA bundle (base64) the server certificate must chain to; replaces the system roots.' })),
  caProvider: Type.Optional(
    Type.Object({
      type: StringEnum(['Secret', 'ConfigMap'], { description: 'Secret or ConfigMap.' }),
      name: ObjectName({ description: 'Name of the Secret or ConfigMap (in the ExternalSecret\'s namespace).' }),
      key: Type.Optional(SecretKeyName({ description: 'Key holding the PEM CA certificates.' })),
      namespace: Type.Optional(NamespaceName({ description: 'Must be empty or the ExternalSecret\'s namespace.' })),
    }),
  ),
});
export type WebhookSpec = Static<typeof WebhookSpec>;

// --- GithubAccessToken (types_github.go) ---
export const GithubAccessTokenSpec = Type.Object({
  url: Type.Optional(Type.String({ description: 'GitHub API base URL; default https://api.github.com (GitHub Enterprise: https://HOST/api/v3).' })),
  appID: Type.String({ description: 'The GitHub App ID (the JWT issuer).' }),
  installID: Type.String({ description: 'The installation ID of the App.' }),
  repositories: Type.Optional(Type.Array(Type.String(), { description: 'Repositories the token may access; default all the installation may.' })),
  permissions: Type.Optional(StringMap({ description: 'Permissions of the token (e.g. contents: read); default all the App has.' })),
  auth: Type.Object({
    privateKey: Type.Object({
      secretRef: SecretKeySelector,
    }, { description: 'The App\'s private key (PEM, PKCS#1 or PKCS#8 RSA), read in the ExternalSecret\'s namespace.' }),
  }),
});
export type GithubAccessTokenSpec = Static<typeof GithubAccessTokenSpec>;

// --- ClusterGenerator (types_cluster.go) ---
/** A generator spec Projector does not run: ESO's schema, reported NotSupported. */
function KeptSpec(field: string): TSchema {
  const schema = ESO_GENERATOR_SPEC_SCHEMAS[field];
  if (!schema) throw new Error(`no ESO schema for ClusterGenerator spec.generator.${field}`);
  return Type.Unsafe<Record<string, unknown>>(schema);
}

export const ClusterGeneratorSpec = Type.Object({
  kind: StringEnum(CLUSTER_GENERATOR_KINDS, { description: 'The kind of the generator.' }),
  generator: Type.Object(
    {
      acrAccessTokenSpec: Type.Optional(ACRAccessTokenSpec),
      beyondtrustWorkloadCredentialsDynamicSecretSpec: Type.Optional(KeptSpec('beyondtrustWorkloadCredentialsDynamicSecretSpec')),
      cloudsmithAccessTokenSpec: Type.Optional(KeptSpec('cloudsmithAccessTokenSpec')),
      ecrAuthorizationTokenSpec: Type.Optional(KeptSpec('ecrAuthorizationTokenSpec')),
      fakeSpec: Type.Optional(FakeSpec),
      gcrAccessTokenSpec: Type.Optional(KeptSpec('gcrAccessTokenSpec')),
      githubAccessTokenSpec: Type.Optional(GithubAccessTokenSpec),
      gitlabDeployTokenSpec: Type.Optional(KeptSpec('gitlabDeployTokenSpec')),
      grafanaSpec: Type.Optional(KeptSpec('grafanaSpec')),
      mfaSpec: Type.Optional(MFASpec),
      passwordSpec: Type.Optional(PasswordSpec),
      quayAccessTokenSpec: Type.Optional(KeptSpec('quayAccessTokenSpec')),
      sshKeySpec: Type.Optional(SSHKeySpec),
      stsSessionTokenSpec: Type.Optional(KeptSpec('stsSessionTokenSpec')),
      uuidSpec: Type.Optional(UUIDSpec),
      vaultDynamicSecretSpec: Type.Optional(KeptSpec('vaultDynamicSecretSpec')),
      webhookSpec: Type.Optional(WebhookSpec),
    },
    { minProperties: 1, maxProperties: 1, description: 'Exactly one generator spec, the one matching kind.' },
  ),
});
export type ClusterGeneratorSpec = Static<typeof ClusterGeneratorSpec>;

// --- GeneratorState (generator_state_types.go) ---
// ESO writes one only for generators that return state (VaultDynamicSecret, Grafana, …); the kinds
// Projector runs (Webhook and GithubAccessToken included) return none, so Projector never creates one (docs/generators.md). The CRD is
// installed so manifests and tools that list them behave as with ESO.
export const GeneratorStateSpec = Type.Object({
  garbageCollectionDeadline: Type.Optional(Type.String({ format: 'date-time' })),
  resource: Type.Unsafe<unknown>({ 'x-kubernetes-preserve-unknown-fields': true }),
  state: Type.Unsafe<unknown>({ 'x-kubernetes-preserve-unknown-fields': true }),
});
export const GeneratorStateStatus = Type.Object({
  conditions: Type.Optional(
    Type.Array(
      Type.Object({
        type: Type.String(),
        status: Type.String(),
        reason: Type.Optional(Type.String()),
        message: Type.Optional(Type.String()),
        lastTransitionTime: Type.Optional(Type.String({ format: 'date-time' })),
      }),
    ),
  ),
});

/** A generator object as read from the API server. */
export interface GeneratorObject<S = unknown> {
  apiVersion?: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: S;
}
