// Pure: would the Kubernetes API server accept this Secret? The rules of ValidateSecret in
// k8s.io/kubernetes pkg/apis/core/validation/validation.go (v1.36), so `projector dev` (whose file
// writer stands in for the API server) and the operator (before it writes) refuse what a cluster
// would refuse, with a message naming the key and the rule, never a value.
import { ProjectorError } from './errors.ts';
import { issue, type Issue } from './issues.ts';
import type { Sensitive } from './sensitive.ts';

/** What the rules read: the Secret's type, annotations and data (values stay Sensitive). */
export interface SecretShape {
  name: string;
  namespace: string;
  /** Empty or absent means Opaque, as on the API server. */
  type?: string | undefined;
  annotations?: Readonly<Record<string, string>> | undefined;
  data: ReadonlyMap<string, Sensitive<Uint8Array>>;
}

/** core.MaxSecretSize: the sum of the data values' lengths, in bytes. */
export const MAX_SECRET_DATA_BYTES = 1024 * 1024;

/** validation.IsConfigMapKey: at most 253 characters of `[-._a-zA-Z0-9]`, not `.`, `..` or `..`-prefixed. */
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;
const CONFIG_MAP_KEY_MAX = 253;

/** Why `key` cannot be a Secret data key, or undefined (IsConfigMapKey, with hasChDirPrefix). */
export function secretKeyProblem(key: string): string | undefined {
  if (key.length > CONFIG_MAP_KEY_MAX) return `must be no more than ${CONFIG_MAP_KEY_MAX} characters`;
  if (!CONFIG_MAP_KEY.test(key)) return "must consist of alphanumeric characters, '-', '_' or '.'";
  if (key === '.') return "must not be '.'";
  if (key === '..') return "must not be '..'";
  if (key.startsWith('..')) return "must not start with '..'";
  return undefined;
}

const SERVICE_ACCOUNT_NAME_ANNOTATION = 'kubernetes.io/service-account.name';

/**
 * Go's json.Unmarshal into map[string]interface{}: a JSON object or `null`, nothing else (checked
 * with encoding/json: `[]`, `"x"`, `1`, empty input, trailing text and a BOM are refused).
 */
function isJsonObjectOrNull(bytes: Uint8Array): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return false;
  }
  return parsed === null || (typeof parsed === 'object' && !Array.isArray(parsed));
}

export interface SecretShapeOptions {
  /**
   * How to name a data key in a path and a message. Keys that come from secret values (JSON member
   * names, rendered templates) must not be printed: the planner passes a namer that says where the
   * key came from instead. Without it the key is quoted (keys a user wrote in a manifest).
   */
  nameKey?: (key: string) => { path: string; text: string };
}

/**
 * Every rule the API server's Secret validation applies to content (ValidateSecret), as issues at
 * `data.<key>` / `metadata.annotations.<key>` paths:
 *
 * - every data key is a valid ConfigMap key; the values total at most 1 MiB;
 * - `kubernetes.io/dockercfg` needs `.dockercfg`, `kubernetes.io/dockerconfigjson` needs
 *   `.dockerconfigjson`, each a JSON object;
 * - `kubernetes.io/basic-auth` needs `username` or `password` (either may be empty);
 * - `kubernetes.io/ssh-auth` needs a non-empty `ssh-privatekey`;
 * - `kubernetes.io/tls` needs `tls.crt` and `tls.key` (their content is not checked);
 * - `kubernetes.io/service-account-token` needs the annotation `kubernetes.io/service-account.name`.
 *
 * Other types (Opaque, custom) have no content rules. Messages name keys and rules, never values,
 * and never a JSON parser's message (it would quote the value).
 */
export function secretShapeIssues(secret: SecretShape, opts: SecretShapeOptions = {}): Issue[] {
  const out: Issue[] = [];
  let total = 0;
  for (const [key, value] of secret.data) {
    const problem = secretKeyProblem(key);
    if (problem) {
      const named = opts.nameKey?.(key);
      out.push(named ? issue(named.path, 'InvalidSecretKey', `${named.text} ${problem}`) : issue(`data.${key}`, 'InvalidSecretKey', `Secret key "${key}" ${problem}`));
    }
    total += value.reveal().byteLength;
  }
  if (total > MAX_SECRET_DATA_BYTES) {
    out.push(issue('data', 'SecretTooLarge', `the Secret's data is ${total} bytes; the API server accepts at most ${MAX_SECRET_DATA_BYTES} bytes (1 MiB)`));
  }
  const type = secret.type || 'Opaque';
  const has = (key: string) => secret.data.has(key);
  const need = (key: string, why = `a Secret of type ${type} must have the key "${key}"`) => out.push(issue(`data.${key}`, 'MissingSecretKey', why));
  const jsonKey = (key: string) => {
    if (!has(key)) return need(key);
    if (!isJsonObjectOrNull(secret.data.get(key)!.reveal())) {
      out.push(issue(`data.${key}`, 'InvalidSecretValue', `the value of "${key}" must be a JSON object for a Secret of type ${type} (it is not valid JSON, or not an object)`));
    }
  };
  switch (type) {
    case 'kubernetes.io/dockercfg':
      jsonKey('.dockercfg');
      break;
    case 'kubernetes.io/dockerconfigjson':
      jsonKey('.dockerconfigjson');
      break;
    case 'kubernetes.io/basic-auth':
      if (!has('username') && !has('password')) need('username', `a Secret of type ${type} must have the key "username" or "password" (either may be empty)`);
      break;
    case 'kubernetes.io/ssh-auth':
      if ((secret.data.get('ssh-privatekey')?.reveal().byteLength ?? 0) === 0) need('ssh-privatekey', `a Secret of type ${type} must have a non-empty "ssh-privatekey"`);
      break;
    case 'kubernetes.io/tls':
      if (!has('tls.crt')) need('tls.crt');
      if (!has('tls.key')) need('tls.key');
      break;
    case 'kubernetes.io/service-account-token':
      if (!secret.annotations?.[SERVICE_ACCOUNT_NAME_ANNOTATION]) {
        out.push(issue(`metadata.annotations.${SERVICE_ACCOUNT_NAME_ANNOTATION}`, 'MissingAnnotation', `a Secret of type ${type} must have the annotation ${SERVICE_ACCOUNT_NAME_ANNOTATION}`));
      }
      break;
  }
  return out;
}

/**
 * Throws what the API server would answer (422 Invalid, as `KubeInvalid`) when the Secret breaks
 * any rule of secretShapeIssues, naming every broken rule; returns otherwise. For the operator to
 * call before it creates or updates a target Secret, and for `projector dev`'s file writer.
 */
export function assertSecretShape(secret: SecretShape, opts: SecretShapeOptions = {}): void {
  const issues = secretShapeIssues(secret, opts);
  if (issues.length === 0) return;
  throw new ProjectorError(
    'KubeInvalid',
    `the API server would refuse Secret ${secret.namespace}/${secret.name}: ${issues.map((i) => i.message).join('; ')}`,
    { field: issues[0]!.path },
  );
}
