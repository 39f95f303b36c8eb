// The rules a GithubAccessToken generator spec must meet, shared by `projector validate`, `check`,
// `dev` and the operator (core/generators.ts specIssues); apart from core/github-app.ts so the
// operator loads them at start without the key and PEM code.
//
// Behaviour from ESO v2.9 generators/v1/github/github.go newGHClient (what it needs to build a
// request) and apis/generators/v1alpha1/types_github.go.
import type { GithubAccessTokenSpec } from '../api/generators.ts';
import { issue, type Issue } from './issues.ts';

/**
 * The spec's rules, as issues at `path`: appID and installID set (ESO would sign a JWT without an
 * issuer or call `/app/installations//access_tokens`), the private key's Secret named with a key, and
 * a `url` that is an http(s) URL when set.
 */
export function githubIssues(spec: Partial<GithubAccessTokenSpec> | undefined, path: string): Issue[] {
  const out: Issue[] = [];
  if (!spec?.appID) out.push(issue(`${path}.appID`, 'InvalidSpec', 'appID is required (the GitHub App ID)'));
  if (!spec?.installID) out.push(issue(`${path}.installID`, 'InvalidSpec', 'installID is required (the installation of the App)'));
  const ref = spec?.auth?.privateKey?.secretRef;
  if (!ref?.name || !ref.key) out.push(issue(`${path}.auth.privateKey.secretRef`, 'InvalidSpec', 'secretRef needs name and key (the Secret holding the App\'s PEM private key)'));
  if (spec?.url) {
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(spec.url).protocol);
    } catch {}
    if (!ok) out.push(issue(`${path}.url`, 'InvalidSpec', 'url must be an http or https URL (e.g. https://github.example.com/api/v3)'));
  }
  return out;
}
