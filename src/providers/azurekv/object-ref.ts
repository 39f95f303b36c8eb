// Pure: which Key Vault object a remote key names, and which listed secrets a `find` selects.
import type { FindRef } from '../../api/index.ts';
import { ProjectorError } from '../../core/errors.ts';
import { compileGoRegexp, type GoRegexp } from '../../core/go-regexp.ts';

export type ObjectType = 'secret' | 'cert' | 'key';

export interface ObjectRef {
  objectType: ObjectType;
  name: string;
}

const OBJECT_TYPES: ReadonlySet<string> = new Set<ObjectType>(['secret', 'cert', 'key']);

/**
 * ESO's getObjType: `name` and `secret/name` read a secret, `cert/name` a certificate, `key/name` a
 * key. Like ESO, only the first two `/`-separated parts count. An unknown prefix is a spec error.
 */
export function parseObjectRef(key: string, field = 'remoteRef.key'): ObjectRef {
  const parts = key.split('/');
  if (parts.length === 1) return requireName({ objectType: 'secret', name: key }, field);
  const prefix = parts[0]!;
  if (!OBJECT_TYPES.has(prefix)) {
    throw new ProjectorError('InvalidSpec', `unknown Azure Key Vault object type "${prefix}" in ${field} (use secret/, cert/ or key/)`, { field });
  }
  return requireName({ objectType: prefix as ObjectType, name: parts[1]! }, field);
}

function requireName(ref: ObjectRef, field: string): ObjectRef {
  if (ref.name === '') throw new ProjectorError('InvalidSpec', `${field} names no Key Vault object`, { field });
  return ref;
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
      if (!wantedTags.every(([k, v]) => secret.tags[k] === v)) return false;
      return nameRegExp === undefined || nameRegExp.matchString(secret.name);
    },
  };
}
