/**
 * The part of Go's `fmt` that templates reach: Sprint, Sprintln, Sprintf with the common verbs
 * (%v %s %d %q %x %X %f %e %g %t %c %o %b %T %%), flags `-+ 0#`, width and precision.
 */
import { GoTypedInt, goTypeName, isNil, sortedKeys, type GoMap } from './values.ts';

/** Go's `fmt.Sprint`: spaces between operands when neither side is a string. */
export function sprint(args: readonly unknown[]): string {
  let out = '';
  args.forEach((arg, i) => {
    const isString = typeof arg === 'string';
    if (i > 0 && !isString && typeof args[i - 1] !== 'string') out += ' ';
    out += formatV(arg);
  });
  return out;
}

/** Go's `fmt.Sprintln`: always spaces, then a newline. */
export function sprintln(args: readonly unknown[]): string {
  return `${args.map((a) => formatV(a)).join(' ')}\n`;
}

/** `%v` of one value. */
export function formatV(v: unknown): string {
  return formatValue(v, 'v', NO_FLAGS);
}

interface Flags {
  readonly minus: boolean;
  readonly plus: boolean;
  readonly sharp: boolean;
  readonly space: boolean;
  readonly zero: boolean;
  readonly width?: number;
  readonly precision?: number;
}

const NO_FLAGS: Flags = { minus: false, plus: false, sharp: false, space: false, zero: false };

/** Go's `fmt.Sprintf`. Bad verbs and missing or extra operands render the way Go renders them. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let out = '';
  let argIndex = 0;
  let i = 0;
  while (i < format.length) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    let minus = false;
    let plus = false;
    let sharp = false;
    let space = false;
    let zero = false;
    for (; i < format.length; i++) {
      const c = format[i];
      if (c === '-') minus = true;
      else if (c === '+') plus = true;
      else if (c === '#') sharp = true;
      else if (c === ' ') space = true;
      else if (c === '0') zero = !minus;
      else break;
    }
    let width: number | undefined;
    let precision: number | undefined;
    const widthMatch = /^\d+/.exec(format.slice(i));
    if (widthMatch) {
      width = Number(widthMatch[0]);
      i += widthMatch[0].length;
    }
    if (format[i] === '.') {
      i++;
      const precMatch = /^\d+/.exec(format.slice(i));
      precision = precMatch ? Number(precMatch[0]) : 0;
      if (precMatch) i += precMatch[0].length;
    }
    if (i >= format.length) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argIndex >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const flags: Flags = { minus, plus, sharp, space, zero: zero && !minus, width, precision };
    out += formatValue(args[argIndex++], verb, flags);
  }
  if (argIndex < args.length) {
    const extra = args.slice(argIndex).map((a) => (isNil(a) ? '<nil>' : `${goTypeName(a)}=${formatV(a)}`));
    out += `%!(EXTRA ${extra.join(', ')})`;
  }
  return out;
}

function formatValue(v: unknown, verb: string, flags: Flags): string {
  if (verb === 'T') return pad(goTypeName(v), flags);
  if (isNil(v)) return verb === 'v' ? pad('<nil>', flags) : badVerb(verb, v);
  if (Array.isArray(v)) {
    return pad(`[${v.map((x) => formatValue(x, verb, { ...NO_FLAGS, precision: flags.precision, sharp: flags.sharp, plus: flags.plus })).join(' ')}]`, flags);
  }
  if (v instanceof GoTypedInt) return formatInteger(v.value, verb, flags);
  if (typeof v === 'object') return pad(formatMap(v as GoMap, verb, flags), flags);
  switch (typeof v) {
    case 'string':
      return formatString(v, verb, flags);
    case 'bigint':
      return formatInteger(v, verb, flags);
    case 'number':
      return formatFloat(v, verb, flags);
    case 'boolean':
      return verb === 'v' || verb === 't' ? pad(String(v), flags) : badVerb(verb, v);
    default:
      return badVerb(verb, v);
  }
}

function formatMap(m: GoMap, verb: string, flags: Flags): string {
  const inner: Flags = { ...NO_FLAGS, precision: flags.precision };
  const parts = sortedKeys(m).map((k) => `${formatValue(k, verb, inner)}:${formatValue(m[k], verb, inner)}`);
  return `map[${parts.join(' ')}]`;
}

function badVerb(verb: string, v: unknown): string {
  if (isNil(v)) return `%!${verb}(<nil>)`;
  return `%!${verb}(${goTypeName(v)}=${formatV(v)})`;
}

function formatString(s: string, verb: string, flags: Flags): string {
  const truncated = flags.precision === undefined ? s : [...s].slice(0, flags.precision).join('');
  switch (verb) {
    case 'v':
    case 's':
      return pad(truncated, flags);
    case 'q':
      return pad(flags.sharp && !s.includes('`') ? `\`${truncated}\`` : quoteGo(truncated), flags);
    case 'x':
    case 'X': {
      const hex = Buffer.from(truncated, 'utf8').toString('hex');
      return pad(verb === 'X' ? hex.toUpperCase() : hex, flags);
    }
    default:
      return badVerb(verb, s);
  }
}

function formatInteger(n: bigint, verb: string, flags: Flags): string {
  const negative = n < 0n;
  const abs = negative ? -n : n;
  let digits: string;
  let prefix = '';
  switch (verb) {
    case 'v':
    case 'd':
      digits = abs.toString(10);
      break;
    case 'x':
      digits = abs.toString(16);
      if (flags.sharp) prefix = '0x';
      break;
    case 'X':
      digits = abs.toString(16).toUpperCase();
      if (flags.sharp) prefix = '0X';
      break;
    case 'o':
      digits = abs.toString(8);
      if (flags.sharp) prefix = '0';
      break;
    case 'b':
      digits = abs.toString(2);
      break;
    case 'c':
      return pad(String.fromCodePoint(Number(n)), flags);
    case 'q':
      return pad(quoteRune(Number(n)), flags);
    case 'U':
      return pad(`U+${abs.toString(16).toUpperCase().padStart(4, '0')}`, flags);
    case 'e':
    case 'f':
    case 'g':
    case 's':
    case 't':
    default:
      return badVerb(verb, n);
  }
  if (flags.precision !== undefined) digits = digits.padStart(flags.precision, '0');
  const sign = negative ? '-' : flags.plus ? '+' : flags.space ? ' ' : '';
  return padNumber(sign, prefix + digits, flags);
}

function formatFloat(f: number, verb: string, flags: Flags): string {
  let body: string;
  if (!Number.isFinite(f)) {
    body = Number.isNaN(f) ? 'NaN' : 'Inf';
  } else {
    const abs = Math.abs(f);
    switch (verb) {
      case 'v':
      case 'g':
        body = formatG(abs, flags.precision);
        break;
      case 'G':
        body = formatG(abs, flags.precision).toUpperCase();
        break;
      case 'e':
        body = formatE(abs, flags.precision ?? 6);
        break;
      case 'E':
        body = formatE(abs, flags.precision ?? 6).toUpperCase();
        break;
      case 'f':
      case 'F':
        body = toFixedHalfEven(abs, Math.min(flags.precision ?? 6, 100));
        break;
      default:
        return badVerb(verb, f);
    }
  }
  const negative = f < 0 || Object.is(f, -0);
  const sign = negative ? '-' : flags.plus || (f === Infinity && verb === 'v') ? '+' : flags.space ? ' ' : '';
  if (!Number.isFinite(f)) return pad(sign + body, { ...flags, zero: false });
  return padNumber(sign, body, flags);
}

/**
 * toFixed with Go's rounding: a value exactly halfway rounds to the even digit (2.25 → "2.2"),
 * where JavaScript rounds up.
 */
function toFixedHalfEven(abs: number, digits: number): string {
  const rounded = abs.toFixed(digits);
  const exact = abs.toFixed(Math.min(digits + 25, 100));
  const tail = exact.slice(exact.length - 25);
  if (!/^50*$/.test(tail) || exact.length - 25 < 1) return rounded;
  const truncated = exact.slice(0, exact.length - 25).replace(/\.$/, '');
  const lastDigit = Number(truncated[truncated.length - 1]);
  return lastDigit % 2 === 0 ? truncated : rounded;
}

/** Go's `%e`: mantissa with `precision` digits, exponent with at least two digits. */
function formatE(abs: number, precision: number): string {
  const [mantissa, exp] = abs.toExponential(Math.min(precision, 100)).split('e') as [string, string];
  return `${mantissa}e${goExponent(exp)}`;
}

function goExponent(jsExponent: string): string {
  const sign = jsExponent.startsWith('-') ? '-' : '+';
  return sign + jsExponent.replace(/^[+-]/, '').padStart(2, '0');
}

/**
 * Go's `%g`/`%v` for float64 (strconv's 'g' format): the shortest digits that round-trip (or
 * `precision` significant digits), in exponent form when the exponent is < -4 or >= the precision,
 * where the shortest form decides with precision 6 (so 1e6 prints as `1e+06`).
 */
function formatG(abs: number, precision: number | undefined): string {
  if (abs === 0) return '0';
  const shortest = precision === undefined;
  const p = shortest ? 6 : Math.max(precision, 1);
  const expForm = shortest ? abs.toExponential() : abs.toExponential(Math.min(p - 1, 100));
  const [mantissa, expText] = expForm.split('e') as [string, string];
  const exp = Number(expText);
  const digits = mantissa.replace('.', '').replace(/0+$/, '') || '0';
  const nd = digits.length;
  const dp = exp + 1;
  let eprec = p;
  if (!shortest && eprec > nd && nd >= dp) eprec = nd;
  if (exp < -4 || exp >= eprec) {
    const m = nd > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${m}e${goExponent(expText)}`;
  }
  if (dp <= 0) return `0.${'0'.repeat(-dp)}${digits}`;
  if (dp >= nd) return digits + '0'.repeat(dp - nd);
  return `${digits.slice(0, dp)}.${digits.slice(dp)}`;
}

function pad(s: string, flags: Flags): string {
  if (flags.width === undefined) return s;
  const len = [...s].length;
  if (len >= flags.width) return s;
  const fill = ' '.repeat(flags.width - len);
  return flags.minus ? s + fill : fill + s;
}

function padNumber(sign: string, digits: string, flags: Flags): string {
  if (flags.zero && flags.width !== undefined && !flags.minus) {
    return sign + digits.padStart(flags.width - sign.length, '0');
  }
  return pad(sign + digits, flags);
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\\': '\\\\',
};

/** Go's `strconv.Quote`. */
export function quoteGo(s: string): string {
  return `"${escapeForQuote(s, '"')}"`;
}

function quoteRune(cp: number): string {
  return `'${escapeForQuote(String.fromCodePoint(cp), "'")}'`;
}

function escapeForQuote(s: string, quote: string): string {
  let out = '';
  for (const ch of s) {
    if (ch === quote) out += `\\${quote}`;
    else if (ch in SHORT_ESCAPES) out += SHORT_ESCAPES[ch];
    else if (isGoPrint(ch)) out += ch;
    else {
      const cp = ch.codePointAt(0)!;
      if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, '0')}`;
      else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
      else out += `\\U${cp.toString(16).padStart(8, '0')}`;
    }
  }
  return out;
}

/** Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space. */
function isGoPrint(ch: string): boolean {
  return ch === ' ' || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(ch);
}
