/**
 * ESO's own template functions (`runtime/template/v2`, template.go's tplFuncs): the certificate,
 * key and PEM functions live in eso-crypto-functions.ts; toYaml/fromYaml are sprig-level here.
 */
import { ESO_CRYPTO_FUNCTIONS } from './eso-crypto-functions.ts';
import { fn, type TemplateFunc } from './func-table.ts';
import { FuncError } from './template-error.ts';

function unsupported(name: string): TemplateFunc {
  return fn([], () => {
    throw new FuncError(`${name} is not supported by Projector yet`, true);
  }, 'any');
}

export const ESO_FUNCTIONS: ReadonlyMap<string, TemplateFunc> = ESO_CRYPTO_FUNCTIONS;

/**
 * sprig functions that exist in ESO but not in Projector (docs/templates.md says why): semver (a
 * *semver.Version value with methods) is not ported yet. getHostByName is not in ESO's map at all
 * (ESO removes it); it stays here so that a template calling it fails with a clear message. They
 * parse, and fail when called.
 */
const SPRIG_NOT_SUPPORTED = ['getHostByName', 'semver'];

export const SPRIG_UNSUPPORTED: ReadonlyMap<string, TemplateFunc> = new Map(
  SPRIG_NOT_SUPPORTED.map((name): [string, TemplateFunc] => [name, unsupported(name)]),
);
