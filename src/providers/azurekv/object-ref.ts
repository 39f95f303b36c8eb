// Pure: which Key Vault object a remote key names, and which listed secrets a `find` selects.
import type { FindRef } from '../../api/index.ts';
import { ProjectorError } from '../../core/errors.ts';
import { compileGoRegexp, type GoRegexp } from '../../core/go-regexp.ts';
import { issue, type Issue } from '../../core/issues.ts';

export type ObjectType = 'secret' | 'cert' | 'key';

export interface ObjectRef {
  objectType: ObjectType;
  name: string;
}

const OBJECT_TYPES: ReadonlySet<string> = new Set<ObjectType>(['secret', 'cert', 'key']);

/**
 * Key Vault's rule for secret, certificate and key names: 1-127 characters of 0-9, a-z, A-Z and
 * "-" (learn.microsoft.com "About keys, secrets, and certificates", object identifiers). A GET for
 * any other name answers 400 BadParameter "The request URI contains an invalid name: …", so such a
 * remote key can never resolve. The one copy of the rule for validate, check, dev and the operator.
 */
export const OBJECT_NAME_PATTERN = /^[0-9a-zA-Z-]{1,127}$/;

/** The rule as users read it, for messages. */
export const OBJECT_NAME_RULE = 'Key Vault names are 1-127 characters of 0-9, a-z, A-Z and "-"';

export function isValidObjectName(name: string): boolean {
  return OBJECT_NAME_PATTERN.test(name);
}

/**
 * Why `name` cannot be a Key Vault object name, with a corrected spelling when replacing the
 * characters Key Vault refuses by "-" gives one (`DB_PASSWORD` → `DB-PASSWORD`); undefined when valid.
 * Names are not secret values, so the message may quote them.
 */
export function objectNameProblem(name: string, objectType: ObjectType = 'secret'): string | undefined {
  if (isValidObjectName(name)) return undefined;
  const what = objectType === 'cert' ? 'certificate' : objectType;
  if (name.length > 127) return `"${name.slice(0, 32)}…" (${name.length} characters) cannot be a Key Vault ${what} name: ${OBJECT_NAME_RULE}`;
  const suggestion = name.replace(/[^0-9a-zA-Z-]/g, '-');
  const hint = suggestion !== name && isValidObjectName(suggestion) ? `; did you mean "${suggestion}"?` : '';
  return `"${name}" cannot be a Key Vault ${what} name: ${OBJECT_NAME_RULE}${hint}`;
}

/**
 * Static problems of a remote key for this provider, as validation issues at `path` (no I/O): an
 * unknown object type, no name, or a name Key Vault refuses. `parseObjectRef` throws the first one.
 * `use` is `extract` for dataFrom.extract, which reads secrets only.
 */
export function remoteKeyIssues(key: string, path: string, use: 'data' | 'extract' = 'data'): Issue[] {
  const parts = key.split('/');
  const prefix = parts.length === 1 ? 'secret' : parts[0]!;
  const name = parts.length === 1 ? key : parts[1]!;
  if (!OBJECT_TYPES.has(prefix)) {
    return [issue(path, 'InvalidRemoteKey', `unknown Azure Key Vault object type "${prefix}" in the key (use secret/, cert/ or key/)`)];
  }
  if (name === '') return [issue(path, 'InvalidRemoteKey', 'the key names no Key Vault object')];
  const out: Issue[] = [];
  const problem = objectNameProblem(name, prefix as ObjectType);
  if (problem) out.push(issue(path, 'InvalidRemoteKey', problem));
  if (use === 'extract' && prefix !== 'secret') {
    out.push(issue(path, 'InvalidRemoteKey', `dataFrom.extract reads secrets only, not ${prefix}/ objects; use data[] for this key`));
  }
  return out;
}

/**
 * ESO's getObjType: `name` and `secret/name` read a secret, `cert/name` a certificate, `key/name` a
 * key. Like ESO, only the first two `/`-separated parts count. An unknown prefix, a missing name
 * or a name Key Vault refuses is a spec error (InvalidSpec naming `field`), found before any call.
 */
export function parseObjectRef(key: string, field = 'remoteRef.key'): ObjectRef {
  const first = remoteKeyIssues(key, field)[0];
  if (first) throw new ProjectorError('InvalidSpec', `${field}: ${first.message}`, { field });
  const parts = key.split('/');
  return parts.length === 1 ? { objectType: 'secret', name: key } : { objectType: parts[0] as ObjectType, name: parts[1]! };
}

/** A listed secret as `find` sees it: no value. */
export interface ListedSecret {
  name: string;
  enabled: boolean;
  tags: Readonly<Record<string, string>>;
}

/**
 * Compiled `find` criteria. ESO's okByName / secretMatchesNamePattern (providers/v1/azure/keyvault)
 * call Go's regexp.MatchString: an unanchored search. A bad regexp is a spec error here (ESO
 * silently matched nothing).
 */
export interface FindMatcher {
  matches(secret: ListedSecret): boolean;
}

export function compileFind(find: FindRef, field = 'dataFrom.find'): FindMatcher {
  const pattern = find.name?.regexp;
  let nameRegExp: GoRegexp | undefined;
  if (pattern !== undefined && pattern !== '') {
    const compiled = compileGoRegexp(pattern);
    if (!compiled.ok) {
      throw new ProjectorError('InvalidSpec', `${field}.name.regexp is not a valid Go regular expression: ${compiled.reason}`, { field: `${field}.name.regexp` });
    }
    nameRegExp = compiled.regexp;
  }
  const wantedTags = Object.entries(find.tags ?? {});
  return {
    matches(secret) {
      if (!secret.enabled) return false;
      if (!wantedTags.every(([k, v]) => Object.hasOwn(secret.tags, k) && secret.tags[k] === v)) return false;
      return nameRegExp === undefined || nameRegExp.matchString(secret.name);
    },
  };
}
