/**
 * sprig v3.3.0 functions that Projector added after the first round (functions.go's genericMap):
 * hello, hexdec (ESO's vendored sprig), chunk/mustChunk, deepCopy/mustDeepCopy, the decimal float
 * arithmetic addf/add1f/subf/mulf/divf with maxf/minf, toDecimal, the path and path/filepath
 * functions, shuffle, randInt, the random strings of Masterminds/goutils and uuidv4.
 *
 * Random results come from node:crypto (sprig uses crypto/rand for the strings and uuidv4, and
 * math/rand for shuffle and randInt; a stronger source changes nothing a template can observe).
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { goStringFromBytes, goStringToBytes } from '../go-string.ts';
import { fn, type TemplateFunc } from './func-table.ts';
import { sprint } from './go-fmt.ts';
import { castToFloat64 } from './sprig-numeric.ts';
import { FuncError } from './template-error.ts';
import { goInt64, goKindName, GoObject, isGoMap, isNilSlice, isStringMap, markStringMap, nilSlice, putKey, sliceElemType, typedSlice, type GoMap, type GoTypedInt } from './values.ts';

/**
 * ESO's hexdec (runtime/template/v2/sprig): encoding/hex.DecodeString; on failure the error's text
 * is the result (not an error), as ESO returns it. Input and output are Go byte strings.
 */
export function hexdec(s: string): string {
  const bytes = goStringToBytes(s) ?? new Uint8Array();
  const out: number[] = [];
  const nib = (b: number): number => (b >= 0x30 && b <= 0x39 ? b - 0x30 : b >= 0x61 && b <= 0x66 ? b - 0x57 : b >= 0x41 && b <= 0x46 ? b - 0x37 : -1);
  let j = 1;
  for (; j < bytes.length; j += 2) {
    const a = nib(bytes[j - 1]!);
    const b = nib(bytes[j]!);
    if (a < 0) return invalidHexByte(bytes[j - 1]!);
    if (b < 0) return invalidHexByte(bytes[j]!);
    out.push((a << 4) | b);
  }
  if (bytes.length % 2 === 1) {
    if (nib(bytes[j - 1]!) < 0) return invalidHexByte(bytes[j - 1]!);
    return 'encoding/hex: odd length hex string';
  }
  return goStringFromBytes(Uint8Array.from(out));
}

/** encoding/hex.InvalidByteError: `%#U` of the byte as a rune (the quoted character only if printable). */
function invalidHexByte(b: number): string {
  const code = `U+${b.toString(16).toUpperCase().padStart(4, '0')}`;
  // strconv.IsPrint for runes below 0x100: ASCII graphic and space, and Latin-1 0xA1–0xFF but the soft hyphen.
  const printable = (b >= 0x20 && b <= 0x7e) || (b >= 0xa1 && b !== 0xad);
  return `encoding/hex: invalid byte: ${printable ? `${code} '${String.fromCharCode(b)}'` : code}`;
}

/** sprig's mustChunk (list.go): slices of `size` items, the last one shorter; Go's float arithmetic kept. */
function mustChunk(size: bigint, list: unknown): unknown[][] {
  if (!Array.isArray(list)) throw new FuncError(`Cannot chunk type ${goKindName(list)}`);
  const l = list.length;
  const s = Number(size);
  const cs = Math.floor((l - 1) / s) + 1;
  // make([][]interface{}, cs) panics on a length that is negative or not an int.
  if (!Number.isFinite(cs) || cs < 0) throw new FuncError('runtime error: makeslice: len out of range');
  const out: unknown[][] = [];
  for (let i = 0; i < cs; i++) {
    let clen = s;
    if (i === cs - 1) {
      clen = Math.floor(l % s);
      if (clen === 0) clen = s;
    }
    if (clen < 0) throw new FuncError('runtime error: makeslice: len out of range');
    const chunk: unknown[] = [];
    for (let j = 0; j < clen; j++) {
      const ix = i * s + j;
      if (ix < 0 || ix >= l) throw new FuncError('runtime error: index out of range');
      chunk.push(list[ix]);
    }
    out.push(chunk);
  }
  return out;
}

/** mitchellh/copystructure.Copy: a deep copy that keeps every Go type (map[string]string, []string, nil slices). */
export function deepCopy(v: unknown): unknown {
  if (Array.isArray(v)) {
    if (isNilSlice(v)) return nilSlice(sliceElemType(v));
    return typedSlice(sliceElemType(v), v.map(deepCopy));
  }
  if (isGoMap(v)) {
    const out: GoMap = {};
    for (const [k, x] of Object.entries(v)) putKey(out, k, deepCopy(x));
    return isStringMap(v) ? markStringMap(out) : out;
  }
  // copystructure makes a new struct (behind a new pointer) and copies only exported fields.
  if (v instanceof GoObject) return new GoObject(v.type, v.type.copy(v.value), v.pointer);
  return v;
}

/** copystructure.Copy(nil) reaches reflect.Value.Type on the zero Value: Go's panic. */
function copyOf(v: unknown): unknown {
  if (v === null || v === undefined) throw new FuncError('reflect: call of reflect.Value.Type on zero Value');
  return deepCopy(v);
}

// ---------------------------------------------------------------------------------------------
// shopspring/decimal v1.4.0 arithmetic, as sprig's execDecimalOp uses it
// ---------------------------------------------------------------------------------------------

/** coefficient × 10^exponent. */
interface Dec {
  readonly c: bigint;
  readonly e: number;
}

/** decimal.NewFromFloat: the shortest decimal that reads back as `f` (JavaScript prints the same digits as Go's 'g' -1). */
function decFromFloat(f: number): Dec {
  if (!Number.isFinite(f)) throw new FuncError(`Cannot create a Decimal from ${Number.isNaN(f) ? 'NaN' : f > 0 ? '+Inf' : '-Inf'}`);
  if (f === 0) return { c: 0n, e: 0 };
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(f.toString());
  if (!m) throw new FuncError('decimal conversion failed');
  const frac = m[3] ?? '';
  return { c: BigInt(`${m[1]}${m[2]}${frac}`), e: Number(m[4] ?? 0) - frac.length };
}

const pow10 = (n: number): bigint => 10n ** BigInt(n);

function align(a: Dec, b: Dec): [bigint, bigint, number] {
  const e = Math.min(a.e, b.e);
  return [a.c * pow10(a.e - e), b.c * pow10(b.e - e), e];
}

const DIVISION_PRECISION = 16;

/** decimal.Div: DivRound to 16 places, halves rounded away from zero. */
function decDiv(a: Dec, b: Dec): Dec {
  if (b.c === 0n) throw new FuncError('decimal division by zero');
  // q = a / b × 10^16, as a fraction num/den of integers.
  let num = a.c;
  let den = b.c;
  const shift = a.e - b.e + DIVISION_PRECISION;
  if (shift >= 0) num *= pow10(shift);
  else den *= pow10(-shift);
  let q = num / den;
  const r = num - q * den;
  const abs = (x: bigint) => (x < 0n ? -x : x);
  if (2n * abs(r) >= abs(den)) q += (a.c < 0n) !== (b.c < 0n) ? -1n : 1n;
  return { c: q, e: -DIVISION_PRECISION };
}

const DEC_OPS = {
  add: (a: Dec, b: Dec): Dec => {
    const [x, y, e] = align(a, b);
    return { c: x + y, e };
  },
  sub: (a: Dec, b: Dec): Dec => {
    const [x, y, e] = align(a, b);
    return { c: x - y, e };
  },
  mul: (a: Dec, b: Dec): Dec => ({ c: a.c * b.c, e: a.e + b.e }),
  div: decDiv,
};

/** sprig's execDecimalOp: each operand through cast.ToFloat64 and decimal.NewFromFloat, the result as the nearest float64. */
function decimalOp(first: unknown, rest: unknown[], op: keyof typeof DEC_OPS): number {
  let acc = decFromFloat(castToFloat64(first));
  for (const x of rest) acc = DEC_OPS[op](acc, decFromFloat(castToFloat64(x)));
  return Number(`${acc.c}e${acc.e}`);
}

/** sprig's toDecimal: strconv.ParseInt(fmt.Sprint(v), 8, 64), 0 on any error. */
function toDecimal(v: unknown): GoTypedInt {
  const m = /^([+-]?)([0-7]+)$/.exec(sprint([v]));
  if (!m) return goInt64(0n);
  const value = m[1] === '-' ? -BigInt(`0o${m[2]}`) : BigInt(`0o${m[2]}`);
  if (value > 2n ** 63n - 1n || value < -(2n ** 63n)) return goInt64(0n);
  return goInt64(value);
}

// ---------------------------------------------------------------------------------------------
// Go's path package (and path/filepath, which is the same on Linux, where ESO runs)
// ---------------------------------------------------------------------------------------------

/** path.Clean: lexical processing of `.`, `..` and repeated slashes. */
export function pathClean(path: string): string {
  if (path === '') return '.';
  const rooted = path[0] === '/';
  const n = path.length;
  let out = '';
  let r = 0;
  let dotdot = 0;
  if (rooted) {
    out = '/';
    r = 1;
    dotdot = 1;
  }
  while (r < n) {
    if (path[r] === '/') r++;
    else if (path[r] === '.' && (r + 1 === n || path[r + 1] === '/')) r++;
    else if (path[r] === '.' && path[r + 1] === '.' && (r + 2 === n || path[r + 2] === '/')) {
      r += 2;
      if (out.length > dotdot) {
        let w = out.length - 1;
        while (w > dotdot && out[w] !== '/') w--;
        out = out.slice(0, w);
      } else if (!rooted) {
        if (out.length > 0) out += '/';
        out += '..';
        dotdot = out.length;
      }
    } else {
      if ((rooted && out.length !== 1) || (!rooted && out.length !== 0)) out += '/';
      const start = r;
      while (r < n && path[r] !== '/') r++;
      out += path.slice(start, r);
    }
  }
  return out === '' ? '.' : out;
}

export function pathBase(path: string): string {
  if (path === '') return '.';
  let p = path.replace(/\/+$/, '');
  const i = p.lastIndexOf('/');
  if (i >= 0) p = p.slice(i + 1);
  return p === '' ? '/' : p;
}

export function pathDir(path: string): string {
  return pathClean(path.slice(0, path.lastIndexOf('/') + 1));
}

export function pathExt(path: string): string {
  for (let i = path.length - 1; i >= 0 && path[i] !== '/'; i--) if (path[i] === '.') return path.slice(i);
  return '';
}

const pathIsAbs = (path: string): boolean => path.startsWith('/');

// ---------------------------------------------------------------------------------------------
// Randomness
// ---------------------------------------------------------------------------------------------

const ALPHA = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';

/** Masterminds/goutils CryptoRandom: `count` characters drawn from `chars`; a negative count gives "" (sprig drops the error). */
function randomString(count: bigint, chars: string, checkSize: (bytes: number) => void): string {
  if (count <= 0n) return '';
  checkSize(Number(count));
  let out = '';
  for (let i = 0n; i < count; i++) out += chars[randomInt(chars.length)];
  return out;
}

const ASCII_PRINTABLE = Array.from({ length: 127 - 32 }, (_, i) => String.fromCharCode(32 + i)).join('');

/** xstrings.Shuffle: the string's runes in random order (Fisher–Yates, as xstrings does). */
function shuffle(s: string): string {
  const runes = Array.from(s);
  for (let i = runes.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [runes[i], runes[j]] = [runes[j]!, runes[i]!];
  }
  return runes.join('');
}

/** sprig's randInt: math/rand.Intn(max-min)+min, which panics unless max > min. */
function randInt(min: bigint, max: bigint): bigint {
  const n = max - min;
  if (n <= 0n) throw new FuncError('invalid argument to Intn');
  // randomBytes gives 64 uniform bits; the modulo bias over a 64-bit draw is far below what a template could see.
  const draw = BigInt(`0x${randomBytes(8).toString('hex')}`) % n;
  return draw + min;
}

export const SPRIG_MISC: ReadonlyMap<string, TemplateFunc> = new Map<string, TemplateFunc>([
  ['hello', fn([], () => 'Hello!')],
  ['hexdec', fn(['string'], ([s]) => hexdec(s as string))],
  // Copying moves values without reading them, so Go byte strings pass through exactly.
  ['chunk', fn(['int', 'any'], ([n, l]) => mustChunk(n as bigint, l))],
  ['mustChunk', fn(['int', 'any'], ([n, l]) => mustChunk(n as bigint, l))],
  ['deepCopy', fn(['any'], ([v]) => copyOf(v))],
  ['mustDeepCopy', fn(['any'], ([v]) => copyOf(v))],
  ['add1f', fn(['any'], ([v]) => decimalOp(v, [1n], 'add'))],
  ['addf', fn([], (vs) => decimalOp(0, vs, 'add'), 'any')],
  ['subf', fn(['any'], ([a, ...vs]) => decimalOp(a, vs, 'sub'), 'any')],
  ['mulf', fn(['any'], ([a, ...vs]) => decimalOp(a, vs, 'mul'), 'any')],
  ['divf', fn(['any'], ([a, ...vs]) => decimalOp(a, vs, 'div'), 'any')],
  // math.Max/math.Min: NaN wins, and +0 is larger than -0, as in JavaScript.
  ['maxf', fn(['any'], ([a, ...vs]) => vs.reduce<number>((m, x) => Math.max(m, castToFloat64(x)), castToFloat64(a)), 'any')],
  ['minf', fn(['any'], ([a, ...vs]) => vs.reduce<number>((m, x) => Math.min(m, castToFloat64(x)), castToFloat64(a)), 'any')],
  ['toDecimal', fn(['any'], ([v]) => toDecimal(v))],
  ['base', fn(['string'], ([p]) => pathBase(p as string))],
  ['dir', fn(['string'], ([p]) => pathDir(p as string))],
  ['clean', fn(['string'], ([p]) => pathClean(p as string))],
  ['ext', fn(['string'], ([p]) => pathExt(p as string))],
  ['isAbs', fn(['string'], ([p]) => pathIsAbs(p as string))],
  ['osBase', fn(['string'], ([p]) => pathBase(p as string))],
  ['osDir', fn(['string'], ([p]) => pathDir(p as string))],
  ['osClean', fn(['string'], ([p]) => pathClean(p as string))],
  ['osExt', fn(['string'], ([p]) => pathExt(p as string))],
  ['osIsAbs', fn(['string'], ([p]) => pathIsAbs(p as string))],
  ['shuffle', fn(['string'], ([s]) => shuffle(s as string))],
  ['randInt', fn(['int', 'int'], ([a, b]) => randInt(a as bigint, b as bigint))],
  ['randAlpha', fn(['int'], ([n], ctx) => randomString(n as bigint, ALPHA, (b) => ctx.checkSize(b)))],
  ['randAlphaNum', fn(['int'], ([n], ctx) => randomString(n as bigint, ALPHA + DIGITS, (b) => ctx.checkSize(b)))],
  ['randNumeric', fn(['int'], ([n], ctx) => randomString(n as bigint, DIGITS, (b) => ctx.checkSize(b)))],
  ['randAscii', fn(['int'], ([n], ctx) => randomString(n as bigint, ASCII_PRINTABLE, (b) => ctx.checkSize(b)))],
  ['uuidv4', fn([], () => randomUUID())],
]);
