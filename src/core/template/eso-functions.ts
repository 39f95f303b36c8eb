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
 * sprig functions that Projector does not run: getHostByName is not in ESO's map at all (ESO
 * removes it); it stays here so that a template calling it fails with a clear message rather than
 * a parse error. It parses, and fails when called.
 */
const SPRIG_NOT_SUPPORTED = ['getHostByName'];

export const SPRIG_UNSUPPORTED: ReadonlyMap<string, TemplateFunc> = new Map(
  SPRIG_NOT_SUPPORTED.map((name): [string, TemplateFunc] => [name, unsupported(name)]),
);
