// The rules a Webhook generator spec must meet, shared by `projector validate`, `check`, `dev` and
// the operator (core/generators.ts specIssues). Kept apart from core/webhook.ts, which renders the
// templates: the operator loads this module at start, and the template engine only when a Webhook
// (or a template) first runs. The one rule that needs the engine, that the templates parse, comes in
// as `templateProblem` (core/webhook.ts webhookTemplateProblem): the CLI passes it, and the
// operator's Webhook generator checks the whole spec with it before it renders anything.
//
// Behaviour from ESO v2.9 generators/v1/webhook/webhook.go and providers/v1/webhook/pkg/webhook/
// webhook.go (what fails at run time: unparsable templates and durations, Go's method and header
// name checks, no object at the jsonPath), apis/generators/v1alpha1/types_webhook.go.
import type { WebhookSpec } from '../api/generators.ts';
import { canonicalHeaderKey, isValidHeaderName, isValidMethod } from './go-http-request.ts';
import { issue, type Issue } from './issues.ts';
import { parseGoDuration } from './template/go-time.ts';
import { JsonPathError, parseJsonPath } from './webhook-jsonpath.ts';

/** Why a Go template does not parse (text/template's message), or undefined. */
export type TemplateSyntaxCheck = (source: string) => string | undefined;

/**
 * The spec's rules, as issues at `path`: a url; a result; `secrets[]` entries with a name and a
 * Secret name; a `timeout` Go's time.ParseDuration reads (metav1.Duration); a `method` that is an
 * HTTP token; header names that are tokens; `caProvider` with a key; a jsonPath Projector reads and
 * that can select an object; with `templateProblem`, templates (url, body, headers) that parse. NTLM
 * auth is NotSupported.
 */
export function webhookIssues(spec: Partial<WebhookSpec> | undefined, path: string, templateProblem?: TemplateSyntaxCheck): Issue[] {
  const out: Issue[] = [];
  const s = spec ?? {};
  if (typeof s.url !== 'string') out.push(issue(`${path}.url`, 'InvalidSpec', 'url is required'));
  else if (s.url === '') out.push(issue(`${path}.url`, 'InvalidSpec', 'url must not be empty (ESO fails with unsupported protocol scheme "")'));
  if (!s.result) out.push(issue(`${path}.result`, 'InvalidSpec', 'result is required (result: {} returns the whole JSON answer)'));
  if (s.auth?.ntlm) out.push(issue(`${path}.auth.ntlm`, 'NotSupported', 'NTLM authentication is not supported by Projector'));
  if (s.method !== undefined && s.method !== '' && !isValidMethod(s.method)) out.push(issue(`${path}.method`, 'InvalidSpec', `net/http: invalid method ${JSON.stringify(s.method)}`));
  if (s.timeout !== undefined && parseGoDuration(s.timeout) === undefined) out.push(issue(`${path}.timeout`, 'InvalidSpec', `time: invalid duration ${JSON.stringify(s.timeout)}`));
  if (templateProblem) {
    for (const [name, text] of [['url', s.url], ['body', s.body]] as const) {
      const problem = text ? templateProblem(text) : undefined;
      if (problem) out.push(issue(`${path}.${name}`, 'InvalidSpec', `failed to parse ${name}: ${problem}`));
    }
  }
  for (const name of Object.keys(s.headers ?? {}).sort()) {
    if (!isValidHeaderName(canonicalHeaderKey(name))) out.push(issue(`${path}.headers`, 'InvalidSpec', `net/http: invalid header field name ${JSON.stringify(name)}`));
    const text = s.headers![name];
    const problem = templateProblem && text ? templateProblem(text) : undefined;
    if (problem) out.push(issue(`${path}.headers`, 'InvalidSpec', `failed to parse header ${name}: ${problem}`));
  }
  (s.secrets ?? []).forEach((sec, i) => {
    if (!sec?.name) out.push(issue(`${path}.secrets[${i}].name`, 'InvalidSpec', 'name is required (the name templates read the Secret by)'));
    if (!sec?.secretRef?.name) out.push(issue(`${path}.secrets[${i}].secretRef.name`, 'InvalidSpec', 'secretRef.name is required'));
  });
  if (s.caProvider) {
    if (!s.caProvider.name) out.push(issue(`${path}.caProvider.name`, 'InvalidSpec', 'caProvider.name is required'));
    if (!s.caProvider.key) out.push(issue(`${path}.caProvider.key`, 'InvalidSpec', 'caProvider.key is required (the key holding the PEM certificates)'));
  }
  const jsonPath = s.result?.jsonPath;
  if (jsonPath) {
    try {
      const parsed = parseJsonPath(jsonPath);
      if (parsed.ambiguous) {
        out.push(issue(`${path}.result.jsonPath`, 'InvalidSpec', `jsonPath ${JSON.stringify(jsonPath)} selects a list of matches (a wildcard, .., a union or a slice); the result must be a JSON object (ESO fails with wrong type []interface {})`));
      }
    } catch (e) {
      if (!(e instanceof JsonPathError)) throw e;
      out.push(issue(`${path}.result.jsonPath`, e.kind === 'unsupported' ? 'NotSupported' : 'InvalidSpec', e.message));
    }
  }
  return out;
}
