// dataFrom[].sourceRef.generatorRef: read the generator object, run it, hand back its data. ESO's
// handleGenerateSecrets (pkg/controllers/externalsecret/externalsecret_controller_secret.go) with its
// resolver (runtime/esutils/resolvers/generator.go): a namespaced generator is read in the
// ExternalSecret's namespace, a ClusterGenerator by name; every sync that reads the provider runs the
// generator again (a fresh password or token each refresh).
//
// Generator state: ESO's state manager writes a GeneratorState only for generators that return
// state, and calls Cleanup only on those; Password, UUID, Fake, ACRAccessToken, SSHKey, MFA, Webhook
// and GithubAccessToken return none (their Cleanup does nothing), so for them ESO's state keeping has
// no observable effect and Projector keeps none (docs/generators.md).
import type { ACRAccessTokenSpec, FakeSpec, GeneratorObject, GithubAccessTokenSpec, ImplementedGeneratorKind, MFASpec, PasswordSpec, SSHKeySpec, WebhookSpec } from '../api/index.ts';
import { GENERATOR_API_VERSION } from '../api/kinds.ts';
import { ProjectorError } from '../core/errors.ts';
import { NotServedHere, shouldProcessGenerator } from '../core/controller-class.ts';
import { controllerClassSpecOf, generateFake, generatePassword, generateUuid, generatorRefIssues, resolveGenerator, type GeneratedData, type RandomSource, type ResolvedGenerator } from '../core/generators.ts';
import { generateMfa } from '../core/mfa.ts';
import type { TemplateSyntaxCheck } from '../core/webhook-rules.ts';
import { Sensitive } from '../core/sensitive.ts';
import { openSshAuthorizedKey, openSshPrivateKey, sshKeyParamsOf, type PrivateJwk, type SshKeyParams } from '../core/sshkey.ts';
import { generateSshKeyJwk } from './ssh-keygen.ts';
import { issueText } from '../core/issues.ts';

export interface GeneratorRef {
  apiVersion?: string | undefined;
  kind: string;
  name: string;
}

export interface GeneratorDeps extends GeneratorLookup {
  /**
   * Reads a generator object: `namespace` undefined for ClusterGenerator. Undefined when it does not
   * exist (or its CRD is not installed: the API server answers 404 for both).
   */
  getGenerator(kind: ImplementedGeneratorKind, namespace: string | undefined, name: string, signal: AbortSignal): Promise<GeneratorObject | undefined>;
  random: RandomSource;
  /** ACRAccessToken, run with credentials read in `namespace` (providers/azurekv/acr.ts). Absent: NotSupported here. */
  acr?(spec: ACRAccessTokenSpec, namespace: string, signal: AbortSignal): Promise<GeneratedData>;
  /** Without `acr`: why this driver does not run ACRAccessToken (the NotSupported message). */
  acrUnavailable?: string;
  /**
   * MFA's seed: the value of key `key` of Secret `name` in `namespace` (the ExternalSecret's, as ESO
   * reads it; the selector's namespace is not used). Throws CredentialNotFound naming Secret and key.
   * Absent: MFA is NotSupported here (`mfaUnavailable` says why).
   */
  readSecretKey?(namespace: string, name: string, key: string, signal: AbortSignal): Promise<Sensitive<string>>;
  mfaUnavailable?: string;
  /** The clock MFA reads when its spec has no `when`, in milliseconds since the epoch; default Date.now. */
  now?(): number;
  /** SSHKey's key material (tests pass a recorded key); default node:crypto (sync/ssh-keygen.ts). */
  sshKeyJwk?(params: SshKeyParams): Promise<PrivateJwk>;
  /**
   * Webhook, run for an ExternalSecret in `namespace` (its Secrets and CA read there;
   * providers/generators/webhook.ts). Absent: NotSupported here (`webhookUnavailable` says why).
   */
  webhook?(spec: WebhookSpec, namespace: string, signal: AbortSignal): Promise<GeneratedData>;
  webhookUnavailable?: string;
  /**
   * GithubAccessToken, its App key read in `namespace` (providers/generators/github.ts). Absent:
   * NotSupported here (`githubUnavailable` says why).
   */
  github?(spec: GithubAccessTokenSpec, namespace: string, signal: AbortSignal): Promise<GeneratedData>;
  githubUnavailable?: string;
}

export interface GeneratorLookup {
  /** As GeneratorDeps.getGenerator. */
  getGenerator: GeneratorDeps['getGenerator'];
  /**
   * The controller class of the instance that runs the generator: a generator naming another class
   * makes the ExternalSecret someone else's (NotServedHere). Absent: every generator is served.
   */
  controllerClass?: string | undefined;
  /**
   * Checks that a Webhook's templates parse while resolving (core/webhook.ts webhookTemplateProblem:
   * `check` and `dev`, which load the template engine). The operator leaves it out: the engine
   * loads on first use, and its Webhook generator checks the templates before rendering them.
   */
  templateProblem?: TemplateSyntaxCheck;
}

/**
 * The judgement of a generatorRef without running it, shared by the operator, `projector dev`
 * (through runGeneratorRef) and `projector check`: the ref itself (generatorRefIssues), the object it
 * names (read in the ExternalSecret's `namespace`, a ClusterGenerator by name), the object's
 * controller class (ESO's shouldSkipGenerator on the resolved generator, so a ClusterGenerator's
 * inner spec decides), then the spec (resolveGenerator, which unwraps a ClusterGenerator).
 * Throws InvalidSpec / NotSupported, GeneratorNotFound, and NotServedHere.
 */
export async function resolveGeneratorRef(ref: GeneratorRef, namespace: string, field: string, deps: GeneratorLookup, signal: AbortSignal, refField = `${field}.sourceRef.generatorRef`): Promise<ResolvedGenerator> {
  const first = generatorRefIssues(ref, refField)[0];
  if (first) throw new ProjectorError(first.code === 'NotSupported' ? 'NotSupported' : 'InvalidSpec', issueText(first), { field: first.path });
  const kind = ref.kind as ImplementedGeneratorKind;
  const ns = kind === 'ClusterGenerator' ? undefined : namespace;
  const obj = await deps.getGenerator(kind, ns, ref.name, signal);
  if (!obj) {
    const where = ns ? ` in namespace "${ns}"` : '';
    throw new ProjectorError('GeneratorNotFound', `${kind} "${ref.name}"${where} not found (${GENERATOR_API_VERSION})`, { field: `${refField}.name` });
  }
  // ESO's shouldSkipGenerator reads the class before anything checks the spec's rules.
  if (deps.controllerClass !== undefined && !shouldProcessGenerator(controllerClassSpecOf(kind, obj.spec), deps.controllerClass)) throw new NotServedHere();
  return resolveGenerator(kind, ref.name, obj.spec, deps.templateProblem);
}

/**
 * Runs the generator `ref` names for an ExternalSecret in `namespace`; `field` is the dataFrom item
 * (`spec.dataFrom[i]`) for messages; `refField` the ref's own path when it is not
 * `<field>.sourceRef.generatorRef` (PushSecret's `spec.selector.generatorRef`); `judged` the
 * generator resolveGeneratorRef already returned for this ref in the same reconcile (the operator's
 * up-front controller-class check), so it is not read twice. Returns the generated keys and values
 * (before rewrite). Throws what resolveGeneratorRef throws, and what the generator throws.
 */
export async function runGeneratorRef(ref: GeneratorRef, namespace: string, field: string, deps: GeneratorDeps, signal: AbortSignal, refField = `${field}.sourceRef.generatorRef`, judged?: ResolvedGenerator): Promise<GeneratedData> {
  const resolved = judged ?? (await resolveGeneratorRef(ref, namespace, field, deps, signal, refField));
  try {
    switch (resolved.kind) {
      case 'Password':
        return generatePassword(resolved.spec as Partial<PasswordSpec>, deps.random, resolved.where);
      case 'UUID':
        return generateUuid(deps.random);
      case 'Fake':
        return generateFake(resolved.spec as Partial<FakeSpec>);
      case 'ACRAccessToken':
        if (!deps.acr) throw new ProjectorError('NotSupported', deps.acrUnavailable ?? 'ACRAccessToken generators are not run here', { field: refField });
        return await deps.acr(resolved.spec as ACRAccessTokenSpec, namespace, signal);
      case 'SSHKey': {
        // ESO: keyType default rsa, sizes per sshKeyParamsOf; outputs privateKey (OpenSSH PEM) and publicKey (authorized_keys line).
        const spec = resolved.spec as Partial<SSHKeySpec> | undefined;
        const jwk = await (deps.sshKeyJwk ?? generateSshKeyJwk)(sshKeyParamsOf(spec));
        const comment = spec?.comment ?? '';
        const check = Buffer.from(deps.random.bytes(4)).readUInt32BE(0);
        const utf8 = (text: string) => new Sensitive(new Uint8Array(Buffer.from(text, 'utf8')));
        return new Map([
          ['privateKey', utf8(openSshPrivateKey(jwk, comment, check))],
          ['publicKey', utf8(openSshAuthorizedKey(jwk, comment))],
        ]);
      }
      case 'MFA': {
        if (!deps.readSecretKey) throw new ProjectorError('NotSupported', deps.mfaUnavailable ?? 'MFA generators are not run here', { field: refField });
        const spec = resolved.spec as MFASpec;
        const seed = await deps.readSecretKey(namespace, spec.secret.name!, spec.secret.key!, signal);
        return generateMfa(spec, seed, (deps.now ?? Date.now)(), `Secret ${namespace}/${spec.secret.name} key "${spec.secret.key}"`, resolved.where.replace(/^.* /, ''));
      }
      case 'Webhook':
        if (!deps.webhook) throw new ProjectorError('NotSupported', deps.webhookUnavailable ?? 'Webhook generators are not run here', { field: refField });
        return await deps.webhook(resolved.spec as WebhookSpec, namespace, signal);
      case 'GithubAccessToken':
        if (!deps.github) throw new ProjectorError('NotSupported', deps.githubUnavailable ?? 'GithubAccessToken generators are not run here', { field: refField });
        return await deps.github(resolved.spec as GithubAccessTokenSpec, namespace, signal);
    }
  } catch (e) {
    // Messages from inside a generator name its own fields (spec.…): say which generator.
    if (e instanceof ProjectorError && !e.message.startsWith(resolved.where.split(' ')[0]!)) {
      throw new ProjectorError(e.code, `${resolved.where.replace(/ spec.*$/, '')}: ${e.message}`, { ...e.details, field: e.details.field ?? refField });
    }
    throw e;
  }
}
