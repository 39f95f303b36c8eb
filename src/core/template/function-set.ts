/**
 * The functions a template can call, with ESO's precedence: Go's builtins first, then sprig
 * (minus env/expandenv, which ESO removes) and ESO's own functions layered over them.
 */
import { BUILTINS } from './builtins.ts';
import { ESO_FUNCTIONS, SPRIG_UNSUPPORTED } from './eso-functions.ts';
import type { FuncTable, TemplateFunc } from './func-table.ts';
import { fn } from './func-table.ts';
import { deepEqual, goKindName, goTypeName } from './values.ts';
import { SPRIG_COLLECTIONS } from './sprig-collections.ts';
import { SPRIG_CERTS } from './sprig-certs.ts';
import { SPRIG_CRYPTO } from './sprig-crypto.ts';
import { SPRIG_DATE } from './sprig-date.ts';
import { SPRIG_ENCODING } from './sprig-encoding.ts';
import { SPRIG_MISC } from './sprig-misc.ts';
import { SPRIG_NUMERIC } from './sprig-numeric.ts';
import { SPRIG_REGEX } from './sprig-regex.ts';
import { SPRIG_SEMVER } from './sprig-semver.ts';
import { SPRIG_STRINGS } from './sprig-strings.ts';
import { SPRIG_URL } from './sprig-url.ts';

const SPRIG_REFLECT: ReadonlyMap<string, TemplateFunc> = new Map<string, TemplateFunc>([
  ['typeOf', fn(['any'], ([v]) => goTypeName(v))],
  ['typeIs', fn(['string', 'any'], ([t, v]) => goTypeName(v) === t)],
  ['typeIsLike', fn(['string', 'any'], ([t, v]) => goTypeName(v) === t || goTypeName(v) === `*${t as string}`)],
  ['kindOf', fn(['any'], ([v]) => kindOf(v))],
  ['kindIs', fn(['string', 'any'], ([k, v]) => kindOf(v) === k)],
  ['deepEqual', fn(['any', 'any'], ([a, b]) => deepEqual(a, b))],
]);

/** sprig's kindOf: reflect.Kind's name (int64 and uint8 are kinds of their own). */
function kindOf(v: unknown): string {
  return goKindName(v);
}

export const TEMPLATE_FUNCTIONS: FuncTable = new Map<string, TemplateFunc>([
  ...BUILTINS,
  ...SPRIG_UNSUPPORTED,
  // Replaces the date names SPRIG_UNSUPPORTED still lists.
  ...SPRIG_DATE,
  ...SPRIG_STRINGS,
  ...SPRIG_COLLECTIONS,
  ...SPRIG_NUMERIC,
  ...SPRIG_ENCODING,
  ...SPRIG_REGEX,
  ...SPRIG_REFLECT,
  ...SPRIG_MISC,
  ...SPRIG_SEMVER,
  ...SPRIG_URL,
  ...SPRIG_CERTS,
  ...SPRIG_CRYPTO,
  ...ESO_FUNCTIONS,
]);
