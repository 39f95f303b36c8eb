// ESO's GithubAccessToken generator (generators/v1/github/github.go): the GitHub App's private key
// from a Secret in the ExternalSecret's namespace, a JWT signed with it (RS256), and a POST to
// `<url>/app/installations/<installID>/access_tokens`; the installation token GitHub answers is the
// one generated key, `token`. The rules, the JWT and the answer's reading are core/github-app.ts.
import type { GithubAccessTokenSpec } from '../../api/index.ts';
import { ProjectorError } from '../../core/errors.ts';
import type { GeneratedData } from '../../core/generators.ts';
import { GITHUB_CONTEXT_TIMEOUT_MS, GITHUB_HTTP_TIMEOUT_MS, githubAppJwt, githubIssues, githubTokenRequest, parseGithubAppKey, parseGithubTokenResponse } from '../../core/github-app.ts';
import { Sensitive } from '../../core/sensitive.ts';
import { goHttpDo, GoHttpFailure } from './go-http.ts';
import type { GeneratorKube } from './webhook.ts';
import { issueText } from '../../core/issues.ts';

/** A GitHub answer is a small JSON object; anything far larger is not GitHub's. */
const MAX_GITHUB_RESPONSE_BYTES = 1024 * 1024;

export interface GithubOptions {
  /** The clock the JWT's iat and exp are taken from, in milliseconds since the epoch. */
  now(): number;
}

/**
 * Runs a GithubAccessToken spec for an ExternalSecret (or PushSecret) in `namespace`, within ESO's
 * 30 s (the whole call) and 5 s (its HTTP client) limits. Returns `token`. Throws InvalidSpec (the
 * spec), CredentialNotFound (the key's Secret or key), GeneratorFailed (a key that is not an RSA key
 * of at least 1024 bits, the call, GitHub's refusal by status code, an answer without a token).
 */
export async function generateGithubAccessToken(spec: GithubAccessTokenSpec, namespace: string, kube: GeneratorKube, opts: GithubOptions, signal: AbortSignal): Promise<GeneratedData> {
  const first = githubIssues(spec, 'spec')[0];
  if (first) throw new ProjectorError('InvalidSpec', issueText(first), { field: first.path });
  const context = AbortSignal.any([signal, AbortSignal.timeout(GITHUB_CONTEXT_TIMEOUT_MS)]);
  const ref = spec.auth.privateKey.secretRef;
  // ESO reads the key in the generator's namespace; a namespace in the selector is not used.
  const pem = await kube.readSecretKey(namespace, ref.name!, ref.key!, context);
  const key = parseGithubAppKey(new Sensitive(new Uint8Array(Buffer.from(pem.reveal(), 'utf8'))), `Secret ${namespace}/${ref.name} key "${ref.key}"`);
  const jwt = githubAppJwt(key, spec.appID, opts.now());
  let response;
  try {
    response = await goHttpDo(githubTokenRequest(spec, jwt), { timeoutMs: GITHUB_HTTP_TIMEOUT_MS, maxResponseBytes: MAX_GITHUB_RESPONSE_BYTES, signal: context });
  } catch (e) {
    if (e instanceof GoHttpFailure) throw new ProjectorError('GeneratorFailed', `error performing request: ${e.message}`, { field: 'spec.url' });
    throw e;
  }
  return parseGithubTokenResponse(response.status, response.body.reveal());
}
