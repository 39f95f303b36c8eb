/** ESO's own template functions (`runtime/template/v2`): filterPEM here, the rest reported as unsupported. */
import { decodeStdText } from '../go-base64.ts';
import { fn, type TemplateFunc } from './func-table.ts';
import { FuncError } from './template-error.ts';

const PEM_BLOCK = /-----BEGIN ([^\r\n]*?)-----\r?\n([\s\S]*?)-----END \1-----[ \t]*(\r?\n)?/g;

/** Re-encodes a block the way Go's pem.Encode does: 64-character base64 lines. */
function encodePem(type: string, body: Buffer): string {
  const b64 = body.toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${type}-----\n${lines.map((l) => `${l}\n`).join('')}-----END ${type}-----\n`;
}

/** filterPEM: keeps the PEM blocks of one type (case-insensitive); junk-only input is an error. */
function filterPem(pemType: string, input: string): string {
  const begin = input.indexOf('-----BEGIN');
  const text = begin < 0 ? input : input.slice(begin);
  let out = '';
  let rest = text;
  for (const m of text.matchAll(PEM_BLOCK)) {
    const headerless = m[2]!.split(/\r?\n/).filter((l) => !l.includes(':')).join('\n');
    // Go's encoding/pem drops spaces and tabs, then decodes with base64.StdEncoding; a block whose
    // body does not decode is no block (pem.Decode skips it).
    const body = decodeStdText(headerless.replace(/[ \t]/g, ''));
    if (!body.ok) continue;
    if (m[1]!.toLowerCase() === pemType.toLowerCase()) out += encodePem(m[1]!, Buffer.from(body.bytes));
    rest = text.slice(m.index + m[0].length);
  }
  if (out === '' && rest.length !== 0) throw new FuncError('error filtering pem: found junk');
  return out;
}

function unsupported(name: string): TemplateFunc {
  return fn([], () => {
    throw new FuncError(`${name} is not supported by Projector yet`, true);
  }, 'any');
}

const NOT_YET = [
  'pkcs12key',
  'pkcs12keyPass',
  'pkcs12cert',
  'pkcs12certPass',
  'pemToPkcs12',
  'pemToPkcs12Pass',
  'fullPemToPkcs12',
  'fullPemToPkcs12Pass',
  'pemTruststoreToPKCS12',
  'pemTruststoreToPKCS12Pass',
  'filterCertChain',
  'jwkPublicKeyPem',
  'jwkPrivateKeyPem',
  'rsaDecrypt',
];

export const ESO_FUNCTIONS: ReadonlyMap<string, TemplateFunc> = new Map<string, TemplateFunc>([
  ['filterPEM', fn(['string', 'string'], ([t, s]) => filterPem(t as string, s as string))],
  ...NOT_YET.map((name): [string, TemplateFunc] => [name, unsupported(name)]),
]);

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
