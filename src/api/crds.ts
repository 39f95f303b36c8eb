// CRD objects for the three kinds, built from the TypeBox schemas (the single source).
// scripts/gen-crds.ts writes them to deploy/crds/; a unit test fails when the files drift.
import { Type, UNTYPED, type TSchema } from './schema-kit.ts';
import { ExternalSecretSpec, ExternalSecretStatus } from './externalsecret.ts';
import { SecretStoreSpec, SecretStoreStatus } from './secretstore.ts';
import { ClusterExternalSecretSpec, ClusterExternalSecretStatus } from './clusterexternalsecret.ts';
import { PushSecretSpec, PushSecretStatus, PUSH_SECRET_VERSION } from './pushsecret.ts';
import { ClusterPushSecretSpec, ClusterPushSecretStatus, CLUSTER_PUSH_SECRET_VERSION } from './clusterpushsecret.ts';
import { GROUP, SERVED_VERSIONS, STORAGE_VERSION } from './constants.ts';
import { ACRAccessTokenSpec, ClusterGeneratorSpec, FakeSpec, GENERATOR_GROUP, GENERATOR_VERSION, GeneratorStateSpec, GeneratorStateStatus, GithubAccessTokenSpec, MFASpec, PasswordSpec, SSHKeySpec, UUIDSpec, WebhookSpec } from './generators.ts';

interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  priority?: number;
}

interface KindSpec {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  scope: 'Namespaced' | 'Cluster';
  spec: TSchema;
  /** Absent: the kind has no status (ESO's generators). */
  status?: TSchema;
  columns: PrinterColumn[];
  /** kubectl categories; default ['external-secrets']. */
  categories?: string[];
  /** API group; default external-secrets.io. Generators live in generators.external-secrets.io. */
  group?: string;
  /** Served versions, storage first; default v1 (storage) and v1beta1 (deprecated), as ESO serves its core kinds. */
  versions?: readonly string[];
}

const readyReason = '.status.conditions[?(@.type=="Ready")].reason';
const readyStatus = '.status.conditions[?(@.type=="Ready")].status';

const KINDS: KindSpec[] = [
  {
    kind: 'ExternalSecret',
    plural: 'externalsecrets',
    singular: 'externalsecret',
    shortNames: ['es'],
    scope: 'Namespaced',
    spec: ExternalSecretSpec,
    status: ExternalSecretStatus,
    columns: [
      { name: 'StoreType', type: 'string', jsonPath: '.spec.secretStoreRef.kind' },
      { name: 'Store', type: 'string', jsonPath: '.spec.secretStoreRef.name' },
      { name: 'Refresh Interval', type: 'string', jsonPath: '.spec.refreshInterval' },
      { name: 'Status', type: 'string', jsonPath: readyReason },
      { name: 'Ready', type: 'string', jsonPath: readyStatus },
      { name: 'Last Sync', type: 'date', jsonPath: '.status.refreshTime' },
    ],
  },
  {
    kind: 'SecretStore',
    plural: 'secretstores',
    singular: 'secretstore',
    shortNames: ['ss'],
    scope: 'Namespaced',
    spec: SecretStoreSpec,
    status: SecretStoreStatus,
    columns: storeColumns(),
  },
  {
    kind: 'ClusterSecretStore',
    plural: 'clustersecretstores',
    singular: 'clustersecretstore',
    shortNames: ['css'],
    scope: 'Cluster',
    spec: SecretStoreSpec,
    status: SecretStoreStatus,
    columns: storeColumns(),
  },
  {
    kind: 'ClusterExternalSecret',
    plural: 'clusterexternalsecrets',
    singular: 'clusterexternalsecret',
    shortNames: ['ces'],
    scope: 'Cluster',
    spec: ClusterExternalSecretSpec,
    status: ClusterExternalSecretStatus,
    columns: [
      { name: 'Store', type: 'string', jsonPath: '.spec.externalSecretSpec.secretStoreRef.name' },
      { name: 'Refresh Interval', type: 'string', jsonPath: '.spec.refreshTime' },
      { name: 'Ready', type: 'string', jsonPath: readyStatus },
    ],
  },
  {
    kind: 'PushSecret',
    plural: 'pushsecrets',
    singular: 'pushsecret',
    shortNames: ['ps'],
    scope: 'Namespaced',
    spec: PushSecretSpec,
    status: PushSecretStatus,
    versions: [PUSH_SECRET_VERSION],
    // ESO's columns for PushSecret (config/crds/bases/external-secrets.io_pushsecrets.yaml).
    columns: [
      { name: 'AGE', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      { name: 'Status', type: 'string', jsonPath: readyReason },
      { name: 'Last Sync', type: 'date', jsonPath: '.status.refreshTime' },
    ],
  },
  // Generators (ESO's generators.external-secrets.io, v1alpha1 only; src/api/generators.ts).
  ...generatorKinds(),
  {
    kind: 'ClusterPushSecret',
    plural: 'clusterpushsecrets',
    singular: 'clusterpushsecret',
    shortNames: [],
    scope: 'Cluster',
    spec: ClusterPushSecretSpec,
    status: ClusterPushSecretStatus,
    versions: [CLUSTER_PUSH_SECRET_VERSION],
    // ESO's columns for ClusterPushSecret (config/crds/bases/external-secrets.io_clusterpushsecrets.yaml).
    columns: [
      { name: 'AGE', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      { name: 'Status', type: 'string', jsonPath: readyReason },
    ],
  },
];

/** ESO's generator CRDs Projector serves: no status, categories external-secrets + external-secrets-generators. */
function generatorKinds(): KindSpec[] {
  const categories = ['external-secrets', 'external-secrets-generators'];
  const gen = (kind: string, plural: string, spec: TSchema, scope: 'Namespaced' | 'Cluster' = 'Namespaced'): KindSpec => ({
    kind, plural, singular: plural.replace(/s$/, ''), shortNames: [], scope, spec, columns: [], categories, group: GENERATOR_GROUP, versions: [GENERATOR_VERSION],
  });
  return [
    gen('Password', 'passwords', PasswordSpec),
    gen('UUID', 'uuids', UUIDSpec),
    gen('Fake', 'fakes', FakeSpec),
    gen('ACRAccessToken', 'acraccesstokens', ACRAccessTokenSpec),
    gen('SSHKey', 'sshkeys', SSHKeySpec),
    gen('MFA', 'mfas', MFASpec),
    gen('Webhook', 'webhooks', WebhookSpec),
    gen('GithubAccessToken', 'githubaccesstokens', GithubAccessTokenSpec),
    gen('ClusterGenerator', 'clustergenerators', ClusterGeneratorSpec, 'Cluster'),
    {
      ...gen('GeneratorState', 'generatorstates', GeneratorStateSpec),
      shortNames: ['gs'],
      status: GeneratorStateStatus,
      columns: [
        { name: 'GC Deadline', type: 'string', jsonPath: '.spec.garbageCollectionDeadline' },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    },
  ];
}

/** ESO's columns, name for name (its CRDs spell this one `AGE`): test/fixtures/eso-crds/printer-columns.json. */
function storeColumns(): PrinterColumn[] {
  return [
    { name: 'AGE', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    { name: 'Status', type: 'string', jsonPath: readyReason },
    { name: 'Capabilities', type: 'string', jsonPath: '.status.capabilities' },
    { name: 'Ready', type: 'string', jsonPath: readyStatus },
  ];
}

/**
 * Removes TypeBox bookkeeping so the result is a plain structural OpenAPI v3 schema. An untyped
 * field (string-or-object) stays declared with only x-kubernetes-preserve-unknown-fields (the one
 * kind of node a structural schema allows without a type), so the API server keeps whatever was
 * written there and nothing else under its parent.
 */
function toStructural(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toStructural);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema as Record<string, unknown>)) {
    if (k === '$id' || k === UNTYPED) continue;
    if (k === 'properties') {
      const props: Record<string, unknown> = {};
      for (const [name, prop] of Object.entries(v as Record<string, Record<string, unknown>>)) {
        props[name] = prop[UNTYPED]
          ? { ...(prop.description ? { description: prop.description } : {}), 'x-kubernetes-preserve-unknown-fields': true }
          : toStructural(prop);
      }
      out.properties = props;
      continue;
    }
    out[k] = k === 'enum' || k === 'required' || k === 'default' || k === 'x-kubernetes-validations' ? v : toStructural(v);
  }
  return out;
}

function openAPIV3Schema(k: KindSpec): unknown {
  return toStructural(
    Type.Object({
      apiVersion: Type.Optional(Type.String()),
      kind: Type.Optional(Type.String()),
      metadata: Type.Optional(Type.Object({})),
      spec: Type.Optional(k.spec),
      ...(k.status ? { status: Type.Optional(k.status) } : {}),
    }),
  );
}

export function customResourceDefinitions(): object[] {
  return KINDS.map((k) => crdOf(k));
}

/**
 * One kind's CRD. A kind with one served version (PushSecret and the generators are v1alpha1 only in
 * ESO) has no deprecated version; a kind with several stores the first and deprecates the others.
 */
function crdOf(k: KindSpec): object {
  const group = k.group ?? GROUP;
  const versions = k.versions ?? SERVED_VERSIONS;
  const storage = k.versions?.[0] ?? STORAGE_VERSION;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${k.plural}.${group}`,
      labels: { 'app.kubernetes.io/part-of': 'projector', 'external-secrets.io/component': 'controller' },
    },
    spec: {
      group,
      names: { kind: k.kind, listKind: `${k.kind}List`, plural: k.plural, singular: k.singular, ...(k.shortNames.length ? { shortNames: k.shortNames } : {}), categories: k.categories ?? ['external-secrets'] },
      scope: k.scope,
      // All served versions of a kind share one schema, so no conversion webhook is needed.
      conversion: { strategy: 'None' },
      versions: versions.map((v) => ({
        name: v,
        served: true,
        storage: v === storage,
        ...(v === storage ? {} : { deprecated: true, deprecationWarning: `${group}/${v} ${k.kind} is deprecated; use ${group}/${storage}` }),
        subresources: { status: {} },
        ...(k.columns.length ? { additionalPrinterColumns: k.columns } : {}),
        schema: { openAPIV3Schema: openAPIV3Schema(k) },
      })),
    },
  };
}
