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
 * sprig functions that exist in ESO but not here: time and randomness have no place in the pure
 * core, and the crypto generators are not implemented. They parse, and fail when called.
 */
const SPRIG_NOT_SUPPORTED = [
  'hello', 'ago', 'date', 'date_in_zone', 'date_modify', 'dateInZone', 'dateModify', 'duration',
  'durationRound', 'htmlDate', 'htmlDateInZone', 'must_date_modify', 'mustDateModify', 'mustToDate',
  'now', 'toDate', 'unixEpoch', 'randAlphaNum', 'randAlpha', 'randAscii',
  'randNumeric', 'shuffle', 'toDecimal', 'randInt', 'add1f', 'addf',
  'subf', 'divf', 'mulf', 'maxf', 'minf', 'deepCopy', 'mustDeepCopy', 'getHostByName',
  'base', 'dir', 'clean', 'ext', 'isAbs', 'osBase', 'osClean', 'osDir', 'osExt', 'osIsAbs', 'chunk',
  'mustChunk', 'bcrypt', 'htpasswd', 'genPrivateKey', 'derivePassword', 'buildCustomCert', 'genCA',
  'genCAWithKey', 'genSelfSignedCert', 'genSelfSignedCertWithKey', 'genSignedCert',
  'genSignedCertWithKey', 'encryptAES', 'decryptAES', 'randBytes', 'uuidv4', 'semver',
  'semverCompare', 'urlParse', 'urlJoin',
];

export const SPRIG_UNSUPPORTED: ReadonlyMap<string, TemplateFunc> = new Map(
  SPRIG_NOT_SUPPORTED.map((name): [string, TemplateFunc] => [name, unsupported(name)]),
);
