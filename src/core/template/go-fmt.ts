/**
 * Go's `fmt` as templates reach it (`print`, `printf`, `println`, and `{{ . }}` output, which is
 * `fmt.Fprint`): a port of the printf state machine of Go's `fmt/print.go` and the formatters of
 * `fmt/format.go` and `strconv` (ftoa, quote), restricted to the kinds a template value can have
 * here (see values.ts): string, integers (bigint, GoTypedInt), float64 (number), bool, nil, slices,
 * map[string]…, time.Time, and structs with methods and pointers to them (GoObject). The whole
 * verb and flag grammar is kept: verbs %v %+v %#v %T %t %d %b %o %O %x %X %c %q %U %e %E %f %F
 * %g %G %s %p %%, flags `+ - # 0 space`, width and precision (also `*` from
 * an argument), explicit argument indexes `%[n]d`, and Go's in-band error forms `%!d(string=…)`,
 * `%!d(MISSING)`, `%!(EXTRA …)`, `%!d(BADINDEX)`, `%!(BADWIDTH)`, `%!(BADPREC)`, `%!(NOVERB)`.
 *
 * Those error forms embed the argument's value. They are Go's OUTPUT (ESO writes them into the
 * Secret), not error messages, so they are rendered exactly as Go renders them.
 *
 * Strings are Go strings in the form of core/go-string.ts: each byte that is not UTF-8 is one
 * UTF-16 code unit U+DC80..U+DCFF. Go counts such a byte as one rune (utf8.DecodeRune's
 * RuneError of width 1), which is what counting code points here does, so width, precision and
 * truncation agree; %x and %q read the bytes themselves.
 *
 * Deliberate difference: `%p` of a slice, a map or a pointer (and %d %b %o %#v of a pointer inside
 * a slice, a map or a struct, such as a time.Time's *time.Location) prints a fixed stand-in
 * address, where Go prints the address of the value in memory (different on every run).
 */
import { goStringToBytes } from '../go-string.ts';
import { GoTime, LOCAL, UTC, type GoLocation } from './go-time.ts';
import { goInt64, GoObject, GoTypedInt, goTypeName, goUint64, isGoMap, isNil, isNilSlice, sortedKeys, type GoMap, type GoStructType } from './values.ts';
import { goUnicodeTest } from '../go-unicode-assigned.ts';

/** Go's `fmt.Sprint`: a space between operands when neither side is a string. */
export function sprint(args: readonly unknown[]): string {
  const p = new Printer();
  let prevString = false;
  args.forEach((arg, i) => {
    const isString = typeof arg === 'string';
    if (i > 0 && !isString && !prevString) p.buf += ' ';
    p.printArg(arg, 'v');
    prevString = isString;
  });
  return p.buf;
}

/** Go's `fmt.Sprintln`: operands always separated by a space, then a newline. */
export function sprintln(args: readonly unknown[]): string {
  const p = new Printer();
  args.forEach((arg, i) => {
    if (i > 0) p.buf += ' ';
    p.printArg(arg, 'v');
  });
  return `${p.buf}\n`;
}

/** `%v` of one value, as `fmt.Sprint(v)` and text/template's output of `{{ v }}` write it. */
export function formatV(v: unknown): string {
  const p = new Printer();
  p.printArg(v, 'v');
  return p.buf;
}

/** Go's `fmt.Sprintf(format, args...)`, including Go's in-band error forms (see the module comment). */
export function sprintf(format: string, args: readonly unknown[]): string {
  const p = new Printer();
  p.doPrintf(format, args);
  return p.buf;
}

/** Go's `strconv.Quote` of a Go string (core/go-string.ts form). */
export function quoteGo(s: string): string {
  return quoteWith(s, '"', false);
}

const LDIGITS = '0123456789abcdefx';
const UDIGITS = '0123456789ABCDEFX';
/** fmt's tooLarge: widths, precisions and argument indexes above this are refused. */
const MAX_NUM = 1e6;
const RUNE_ERROR = 0xfffd;
const MAX_RUNE = 0x10ffff;
const UINT64_MASK = (1n << 64n) - 1n;
/**
 * `%p` of a slice or map: Go prints the value's address, which differs between runs and
 * processes; no template can depend on it. This fixed stand-in keeps the output's shape.
 */
const STAND_IN_ADDRESS = 0xc000010000n;

/**
 * A nil pointer inside a struct fmt prints (time.Time's *time.Location in UTC, the Local zone's
 * cached *zone): never a template value, only a field.
 */
class NilPointer {
  readonly type: string;
  constructor(type: string) {
    this.type = type;
  }
}

function typeName(v: unknown): string {
  return v instanceof NilPointer ? v.type : goTypeName(v);
}

/** A struct type with no methods, for the unexported structs inside a time.Time. */
function plainStruct<T>(name: string, fields: GoStructType<T>['fields']): GoStructType<T> {
  return { name, fields, methods: new Map(), copy: (v) => v };
}

const ALPHA = -(1n << 63n);
const OMEGA = (1n << 63n) - 1n;

/** time's `zone` and `zoneTrans` structs, as FixedZone fills them: one zone, in effect from alpha. */
const ZONE = plainStruct<GoLocation>('time.zone', (l) => [
  ['name', l.name],
  ['offset', BigInt(l.fixedOffset ?? 0)],
  ['isDST', false],
]);
const ZONE_TRANS = plainStruct<null>('time.zoneTrans', () => [
  ['when', goInt64(ALPHA)],
  ['index', new GoTypedInt('uint8', 0n)],
  ['isstd', false],
  ['isutc', false],
]);

/**
 * time.Location's fields (zoneinfo.go). Local is the zone Go falls back to when it finds no zone
 * data or TZ=UTC (the operator's container, the differential test): named "UTC", with nothing else
 * set. A FixedZone holds its zone, one transition at alpha and a cache for all time.
 */
const LOCATION = plainStruct<GoLocation>('time.Location', (l) =>
  l === LOCAL
    ? [
        ['name', 'UTC'],
        ['zone', []],
        ['tx', []],
        ['extend', ''],
        ['cacheStart', goInt64(0n)],
        ['cacheEnd', goInt64(0n)],
        ['cacheZone', new NilPointer('*time.zone')],
      ]
    : [
        ['name', l.name],
        ['zone', [new GoObject(ZONE, l, false)]],
        ['tx', [new GoObject(ZONE_TRANS, null, false)]],
        ['extend', ''],
        ['cacheStart', goInt64(ALPHA)],
        ['cacheEnd', goInt64(OMEGA)],
        ['cacheZone', new GoObject(ZONE, l, true)],
      ],
);

/** time.Time's three unexported fields (time.go): wall, ext and loc, nil for UTC. */
function timeFields(t: GoTime): readonly (readonly [string, unknown])[] {
  const { wall, ext } = t.internalFields();
  return [
    ['wall', goUint64(wall)],
    ['ext', goInt64(ext)],
    ['loc', t.loc === UTC ? new NilPointer('*time.Location') : new GoObject(LOCATION, t.loc, true)],
  ];
}

/** The state of Go's `pp` and its `fmt` (flags are cleared per verb, as in fmt.clearflags). */
class Printer {
  buf = '';
  widPresent = false;
  precPresent = false;
  minus = false;
  plus = false;
  sharp = false;
  space = false;
  zero = false;
  plusV = false;
  sharpV = false;
  wid = 0;
  prec = 0;
  private reordered = false;
  private goodArgNum = true;
  /** print.go's pp.erroring: inside a bad-verb form, where no String method is called. */
  private erroring = false;

  private clearFlags(): void {
    this.widPresent = false;
    this.precPresent = false;
    this.minus = false;
    this.plus = false;
    this.sharp = false;
    this.space = false;
    this.zero = false;
    this.plusV = false;
    this.sharpV = false;
    this.wid = 0;
    this.prec = 0;
  }

  // ---- print.go: the printf state machine ------------------------------------------------

  doPrintf(format: string, a: readonly unknown[]): void {
    const end = format.length;
    let argNum = 0;
    let afterIndex = false;
    this.reordered = false;
    formatLoop: for (let i = 0; i < end; ) {
      this.goodArgNum = true;
      const lasti = i;
      while (i < end && format[i] !== '%') i++;
      if (i > lasti) this.buf += format.slice(lasti, i);
      if (i >= end) break;
      i++; // skip %
      this.clearFlags();
      simpleFormat: for (; i < end; i++) {
        const c = format[i]!;
        switch (c) {
          case '#':
            this.sharp = true;
            break;
          case '0':
            this.zero = true;
            break;
          case '+':
            this.plus = true;
            break;
          case '-':
            this.minus = true;
            break;
          case ' ':
            this.space = true;
            break;
          default:
            // Fast path of fmt: a lowercase ASCII verb right after the flags.
            if (c >= 'a' && c <= 'z' && argNum < a.length) {
              if (c === 'v' || c === 'w') this.setV();
              this.printArg(a[argNum], c);
              argNum++;
              i++;
              continue formatLoop;
            }
            break simpleFormat;
        }
      }

      [argNum, i, afterIndex] = this.argNumber(argNum, format, i, a.length);

      if (i < end && format[i] === '*') {
        i++;
        [this.wid, this.widPresent, argNum] = intFromArg(a, argNum);
        if (!this.widPresent) this.buf += '%!(BADWIDTH)';
        if (this.wid < 0) {
          this.wid = -this.wid;
          this.minus = true;
          this.zero = false;
        }
        afterIndex = false;
      } else {
        [this.wid, this.widPresent, i] = parseNum(format, i, end);
        if (afterIndex && this.widPresent) this.goodArgNum = false;
      }

      if (i + 1 < end && format[i] === '.') {
        i++;
        if (afterIndex) this.goodArgNum = false;
        [argNum, i, afterIndex] = this.argNumber(argNum, format, i, a.length);
        if (i < end && format[i] === '*') {
          i++;
          [this.prec, this.precPresent, argNum] = intFromArg(a, argNum);
          if (this.prec < 0) {
            this.prec = 0;
            this.precPresent = false;
          }
          if (!this.precPresent) this.buf += '%!(BADPREC)';
          afterIndex = false;
        } else {
          [this.prec, this.precPresent, i] = parseNum(format, i, end);
          if (!this.precPresent) {
            this.prec = 0;
            this.precPresent = true;
          }
        }
      }

      if (!afterIndex) [argNum, i, afterIndex] = this.argNumber(argNum, format, i, a.length);

      if (i >= end) {
        this.buf += '%!(NOVERB)';
        break;
      }

      const [verb, size] = decodeVerb(format, i);
      i += size;
      if (verb === '%') {
        this.buf += '%'; // takes no operand and ignores width and precision
      } else if (!this.goodArgNum) {
        this.buf += `%!${verb}(BADINDEX)`;
      } else if (argNum >= a.length) {
        this.buf += `%!${verb}(MISSING)`;
      } else {
        if (verb === 'v' || verb === 'w') this.setV();
        this.printArg(a[argNum], verb);
        argNum++;
      }
    }

    if (!this.reordered && argNum < a.length) {
      this.clearFlags();
      this.buf += '%!(EXTRA ';
      a.slice(argNum).forEach((arg, k) => {
        if (k > 0) this.buf += ', ';
        if (isNil(arg)) this.buf += '<nil>';
        else {
          this.buf += `${goTypeName(arg)}=`;
          this.printArg(arg, 'v');
        }
      });
      this.buf += ')';
    }
  }

  /** %+v and %#v are flagless formats of their own: the flags move to plusV/sharpV. */
  private setV(): void {
    this.sharpV = this.sharp;
    this.sharp = false;
    this.plusV = this.plus;
    this.plus = false;
  }

  private argNumber(argNum: number, format: string, i: number, numArgs: number): [number, number, boolean] {
    if (format.length <= i || format[i] !== '[') return [argNum, i, false];
    this.reordered = true;
    const [index, wid, ok] = parseArgNumber(format.slice(i));
    if (ok && index >= 0 && index < numArgs) return [index, i + wid, true];
    this.goodArgNum = false;
    return [argNum, i + wid, ok];
  }

  printArg(arg: unknown, verb: string): void {
    if (isNil(arg)) {
      if (verb === 'T' || verb === 'v') this.padString('<nil>');
      else this.badVerb(verb, arg);
      return;
    }
    if (verb === 'T') {
      this.fmtS(goTypeName(arg));
      return;
    }
    if (verb === 'p') {
      this.fmtPointer(arg, verb);
      return;
    }
    if (verb === 'w') {
      // Sprintf wraps no errors: %w of anything is a bad verb for the whole operand.
      this.badVerb(verb, arg);
      return;
    }
    this.printValue(arg, verb, 0);
  }

  /** print.go printValue over the represented kinds; `depth` > 0 inside a slice or map. */
  private printValue(v: unknown, verb: string, depth: number): void {
    if (v instanceof NilPointer) {
      this.fmtPointer(v, verb);
      return;
    }
    if (isNil(v)) {
      // An interface element holding nil (Go's reflect.Interface case): no verb applies to it.
      this.buf += this.sharpV ? 'interface {}(nil)' : '<nil>';
      return;
    }
    // time.Time is a fmt.GoStringer and a fmt.Stringer (print.go handleMethods): %#v is its
    // GoString, %v %s %x %X %q format its String(). Other verbs, and any verb inside a bad-verb
    // form, print the struct's unexported fields.
    if (v instanceof GoTime) {
      if (!this.erroring && this.sharpV) this.buf += v.goString();
      else if (!this.erroring && 'vsxXq'.includes(verb)) this.fmtString(v.toString(), verb);
      else this.printStruct('time.Time', timeFields(v), verb, depth);
      return;
    }
    if (v instanceof GoObject) {
      this.printObject(v, verb, depth);
      return;
    }
    // int64, uint8 and uint64 (sprig arithmetic, `index` of a string, semver's Major) print as
    // integers; their Go type name (goTypeName) shows in %T and the bad-verb forms, and an
    // unsigned one prints in hex with %#v.
    if (v instanceof GoTypedInt) {
      this.fmtIntegerVerb(v.value, verb, v, !v.unsigned);
      return;
    }
    switch (typeof v) {
      case 'boolean':
        if (verb === 't' || verb === 'v') this.padString(v ? 'true' : 'false');
        else this.badVerb(verb, v);
        return;
      case 'bigint':
        this.fmtIntegerVerb(BigInt.asIntN(64, v), verb, v);
        return;
      case 'number':
        this.fmtFloatVerb(v, verb);
        return;
      case 'string':
        this.fmtString(v, verb);
        return;
      default:
        break;
    }
    if (Array.isArray(v)) {
      if (this.sharpV) {
        this.buf += goTypeName(v);
        if (isNilSlice(v)) {
          this.buf += '(nil)';
          return;
        }
        this.buf += '{';
        v.forEach((x, k) => {
          if (k > 0) this.buf += ', ';
          this.printValue(x, verb, depth + 1);
        });
        this.buf += '}';
      } else {
        this.buf += '[';
        v.forEach((x, k) => {
          if (k > 0) this.buf += ' ';
          this.printValue(x, verb, depth + 1);
        });
        this.buf += ']';
      }
      return;
    }
    if (typeof v === 'object') {
      const m = v as GoMap;
      this.buf += this.sharpV ? `${goTypeName(v)}{` : 'map[';
      sortedKeys(m).forEach((k, idx) => {
        if (idx > 0) this.buf += this.sharpV ? ', ' : ' ';
        this.printValue(k, verb, depth + 1);
        this.buf += ':';
        this.printValue(m[k], verb, depth + 1);
      });
      this.buf += this.sharpV ? '}' : ']';
      return;
    }
    this.badVerb(verb, v);
  }

  /** print.go's reflect.Struct case: fields in declaration order, names with %+v and %#v. */
  private printStruct(typeName: string, fields: readonly (readonly [string, unknown])[], verb: string, depth: number): void {
    this.buf += this.sharpV ? `${typeName}{` : '{';
    fields.forEach(([k, x], idx) => {
      if (idx > 0) this.buf += this.sharpV ? ', ' : ' ';
      if (this.plusV || this.sharpV) this.buf += `${k}:`;
      this.printValue(x, verb, depth + 1);
    });
    this.buf += '}';
  }

  /**
   * A struct with methods or a pointer to one (values.ts GoObject): print.go handleMethods first
   * (its String method for %v %s %x %X %q, except inside a bad-verb form), then printValue's
   * Pointer case (`&{…}` for the operand itself, an address inside a list or map) and Struct case.
   * The fields of the represented types are integers and strings, which have no methods.
   */
  private printObject(v: GoObject, verb: string, depth: number): void {
    if (!this.erroring && !this.sharpV && v.type.string && 'vsxXq'.includes(verb)) {
      this.fmtString(v.type.string(v.value), verb);
      return;
    }
    if (!v.pointer) {
      this.printStruct(v.type.name, v.fields(), verb, depth);
    } else if (depth === 0) {
      this.buf += '&';
      this.printStruct(v.type.name, v.fields(), verb, depth + 1);
    } else {
      this.fmtPointer(v, verb);
    }
  }

  /** `%!verb(type=value)`, the value printed with %v and the current flags, as Go does. */
  private badVerb(verb: string, v: unknown): void {
    const erroring = this.erroring;
    this.erroring = true;
    this.buf += `%!${verb}(`;
    if (isNil(v)) this.buf += '<nil>';
    else {
      this.buf += `${typeName(v)}=`;
      this.printArg(v, 'v');
    }
    this.buf += ')';
    this.erroring = erroring;
  }

  /**
   * print.go fmtPointer: the value's address for %p, and for %v %b %o %d %x %X of a pointer inside
   * a list or map (see STAND_IN_ADDRESS); a struct has no address to print.
   */
  private fmtPointer(v: unknown, verb: string): void {
    // Only slices, maps and pointers have an address: integers, structs (time.Time, a struct
    // GoObject) and strings are bad verbs.
    const hasAddress = Array.isArray(v) || isGoMap(v) || (v instanceof GoObject && v.pointer) || v instanceof NilPointer;
    if (!hasAddress) {
      this.badVerb(verb, v);
      return;
    }
    const u = isNilSlice(v) || v instanceof NilPointer ? 0n : STAND_IN_ADDRESS;
    switch (verb) {
      case 'v':
        if (this.sharpV) {
          this.buf += `(${typeName(v)})(`;
          if (u === 0n) this.buf += 'nil';
          else this.fmt0x64(u, true);
          this.buf += ')';
        } else if (u === 0n) this.padString('<nil>');
        else this.fmt0x64(u, !this.sharp);
        return;
      case 'p':
        this.fmt0x64(u, !this.sharp);
        return;
      case 'b':
      case 'o':
      case 'd':
      case 'x':
      case 'X':
        this.fmtIntegerVerb(u, verb, v, false);
        return;
      default:
        this.badVerb(verb, v);
    }
  }

  private fmt0x64(u: bigint, leading0x: boolean): void {
    const sharp = this.sharp;
    this.sharp = leading0x;
    this.fmtInteger(u, 16, false, 'v', LDIGITS);
    this.sharp = sharp;
  }

  /** print.go fmtInteger: `v` is the value of a signed (int64 range) or unsigned (uint64 range) integer. */
  private fmtIntegerVerb(v: bigint, verb: string, original: unknown, isSigned = true): void {
    if (isSigned) v = BigInt.asIntN(64, v);
    switch (verb) {
      case 'v':
        if (this.sharpV && !isSigned) this.fmt0x64(v, true);
        else this.fmtInteger(v, 10, isSigned, verb, LDIGITS);
        return;
      case 'd':
        this.fmtInteger(v, 10, isSigned, verb, LDIGITS);
        return;
      case 'b':
        this.fmtInteger(v, 2, isSigned, verb, LDIGITS);
        return;
      case 'o':
      case 'O':
        this.fmtInteger(v, 8, isSigned, verb, LDIGITS);
        return;
      case 'x':
        this.fmtInteger(v, 16, isSigned, verb, LDIGITS);
        return;
      case 'X':
        this.fmtInteger(v, 16, isSigned, verb, UDIGITS);
        return;
      case 'c':
        this.fmtC(BigInt.asUintN(64, v));
        return;
      case 'q':
        this.fmtQc(BigInt.asUintN(64, v));
        return;
      case 'U':
        this.fmtUnicode(BigInt.asUintN(64, v));
        return;
      default:
        this.badVerb(verb, original);
    }
  }

  private fmtFloatVerb(v: number, verb: string): void {
    switch (verb) {
      case 'v':
        this.fmtFloat(v, 'g', -1);
        return;
      case 'b':
      case 'g':
      case 'G':
      case 'x':
      case 'X':
        this.fmtFloat(v, verb, -1);
        return;
      case 'f':
      case 'e':
      case 'E':
        this.fmtFloat(v, verb, 6);
        return;
      case 'F':
        this.fmtFloat(v, 'f', 6);
        return;
      default:
        this.badVerb(verb, v);
    }
  }

  private fmtString(s: string, verb: string): void {
    switch (verb) {
      case 'v':
        if (this.sharpV) this.fmtQ(s);
        else this.fmtS(s);
        return;
      case 's':
        this.fmtS(s);
        return;
      case 'x':
        this.fmtSx(s, LDIGITS);
        return;
      case 'X':
        this.fmtSx(s, UDIGITS);
        return;
      case 'q':
        this.fmtQ(s);
        return;
      default:
        this.badVerb(verb, s);
    }
  }

  // ---- format.go: the formatters -----------------------------------------------------------

  private writePadding(n: number): void {
    if (n <= 0) return;
    this.buf += (this.zero && !this.minus ? '0' : ' ').repeat(n);
  }

  /** fmt.pad / fmt.padString: width counts runes (an escaped byte is one, as in Go). */
  private padString(s: string): void {
    if (!this.widPresent || this.wid === 0) {
      this.buf += s;
      return;
    }
    const width = this.wid - runeCount(s);
    if (!this.minus) {
      this.writePadding(width);
      this.buf += s;
    } else {
      this.buf += s;
      this.writePadding(width);
    }
  }

  private fmtUnicode(u: bigint): void {
    let prec = 4;
    if (this.precPresent && this.prec > 4) prec = this.prec;
    let out = u.toString(16).toUpperCase().padStart(prec, '0');
    out = `U+${out}`;
    if (this.sharp && u <= BigInt(MAX_RUNE) && isPrint(Number(u))) out += ` '${String.fromCodePoint(Number(u))}'`;
    const oldZero = this.zero;
    this.zero = false;
    this.padString(out);
    this.zero = oldZero;
  }

  /** format.go fmtInteger; `v` is the int64 value (unsigned callers pass a non-negative value). */
  private fmtInteger(v: bigint, base: number, isSigned: boolean, verb: string, digits: string): void {
    const negative = isSigned && v < 0n;
    const u = negative ? -v : v;
    let prec = 0;
    if (this.precPresent) {
      prec = this.prec;
      if (prec === 0 && u === 0n) {
        const oldZero = this.zero;
        this.zero = false;
        this.writePadding(this.wid);
        this.zero = oldZero;
        return;
      }
    } else if (this.zero && !this.minus && this.widPresent) {
      prec = this.wid;
      if (negative || this.plus || this.space) prec--; // room for the sign
    }
    let num = u.toString(base);
    if (digits === UDIGITS) num = num.toUpperCase();
    if (num.length < prec) num = '0'.repeat(prec - num.length) + num;
    if (this.sharp) {
      if (base === 2) num = `0b${num}`;
      else if (base === 8 && num[0] !== '0') num = `0${num}`;
      else if (base === 16) num = `0${digits[16]}${num}`;
    }
    if (verb === 'O') num = `0o${num}`;
    if (negative) num = `-${num}`;
    else if (this.plus) num = `+${num}`;
    else if (this.space) num = ` ${num}`;
    const oldZero = this.zero;
    this.zero = false;
    this.padString(num);
    this.zero = oldZero;
  }

  /** Truncates to `prec` runes when a precision is present. */
  private truncateString(s: string): string {
    if (!this.precPresent) return s;
    let n = this.prec;
    for (let i = 0; i < s.length; ) {
      n--;
      if (n < 0) return s.slice(0, i);
      i += codePointWidth(s, i);
    }
    return s;
  }

  private fmtS(s: string): void {
    this.padString(this.truncateString(s));
  }

  /** format.go fmtSbx: the bytes of the string in hex, `% x` spaced, `#` with 0x prefixes. */
  private fmtSx(s: string, digits: string): void {
    const bytes = goBytesOf(s);
    let length = bytes.length;
    if (this.precPresent && this.prec < length) length = this.prec;
    let width = 2 * length;
    if (width > 0) {
      if (this.space) {
        if (this.sharp) width *= 2;
        width += length - 1;
      } else if (this.sharp) {
        width += 2;
      }
    } else {
      if (this.widPresent) this.writePadding(this.wid);
      return;
    }
    if (this.widPresent && this.wid > width && !this.minus) this.writePadding(this.wid - width);
    let out = '';
    if (this.sharp) out += `0${digits[16]}`;
    for (let i = 0; i < length; i++) {
      if (this.space && i > 0) {
        out += ' ';
        if (this.sharp) out += `0${digits[16]}`;
      }
      const c = bytes[i]!;
      out += digits[c >> 4]! + digits[c & 0xf]!;
    }
    this.buf += out;
    if (this.widPresent && this.wid > width && this.minus) this.writePadding(this.wid - width);
  }

  private fmtQ(s: string): void {
    const t = this.truncateString(s);
    if (this.sharp && canBackquote(t)) {
      this.padString(`\`${t}\``);
      return;
    }
    this.padString(quoteWith(t, '"', this.plus));
  }

  private fmtC(c: bigint): void {
    const r = c > BigInt(MAX_RUNE) ? RUNE_ERROR : Number(c);
    this.padString(String.fromCodePoint(validRune(r) ? r : RUNE_ERROR));
  }

  private fmtQc(c: bigint): void {
    // rune(c) keeps the low 32 bits; anything invalid is quoted as U+FFFD.
    let r = c > BigInt(MAX_RUNE) ? RUNE_ERROR : Number(BigInt.asIntN(32, c));
    if (!validRune(r)) r = RUNE_ERROR;
    this.padString(quoteRuneWith(r, this.plus));
  }

  /** format.go fmtFloat over strconv.AppendFloat (below). */
  private fmtFloat(v: number, verb: string, precIn: number): void {
    const prec = this.precPresent ? this.prec : precIn;
    let num = appendFloat(v, verb, prec);
    if (num[0] === '-' || num[0] === '+') {
      // already signed
    } else {
      num = `+${num}`;
    }
    if (this.space && num[0] === '+' && !this.plus) num = ` ${num.slice(1)}`;
    if (num[1] === 'I' || num[1] === 'N') {
      const oldZero = this.zero;
      this.zero = false;
      if (num[1] === 'N' && !this.space && !this.plus) num = num.slice(1);
      this.padString(num);
      this.zero = oldZero;
      return;
    }
    if (this.sharp && verb !== 'b') {
      let digits = 0;
      if (verb === 'v' || verb === 'g' || verb === 'G' || verb === 'x') {
        digits = prec;
        if (digits === -1) digits = 6;
      }
      let tail = '';
      let hasDecimalPoint = false;
      let sawNonzeroDigit = false;
      for (let i = 1; i < num.length; i++) {
        const ch = num[i]!;
        if (ch === '.') {
          hasDecimalPoint = true;
          continue;
        }
        if (ch === 'p' || ch === 'P' || ((ch === 'e' || ch === 'E') && verb !== 'x' && verb !== 'X')) {
          tail = num.slice(i);
          num = num.slice(0, i);
          break;
        }
        if (ch !== '0') sawNonzeroDigit = true;
        if (sawNonzeroDigit) digits--;
      }
      if (!hasDecimalPoint) {
        if (num.length === 2 && num[1] === '0') digits--;
        num += '.';
      }
      if (digits > 0) num += '0'.repeat(digits);
      num += tail;
    }
    if (this.plus || num[0] !== '+') {
      if (this.zero && !this.minus && this.widPresent && this.wid > num.length) {
        this.buf += num[0];
        this.writePadding(this.wid - num.length);
        this.buf += num.slice(1);
        return;
      }
      this.padString(num);
      return;
    }
    this.padString(num.slice(1));
  }
}

// ---- print.go helpers ------------------------------------------------------------------------

/** print.go parsenum: digits at `start`; more than 1e6 is no number and skips to the end. */
function parseNum(s: string, start: number, end: number): [number, boolean, number] {
  if (start >= end) return [0, false, end];
  let num = 0;
  let isnum = false;
  let i = start;
  for (; i < end && s[i]! >= '0' && s[i]! <= '9'; i++) {
    if (num > MAX_NUM) return [0, false, end];
    num = num * 10 + (s.charCodeAt(i) - 48);
    isnum = true;
  }
  return [num, isnum, i];
}

/** print.go parseArgNumber on text starting with `[`: zero-based index, bytes consumed, ok. */
function parseArgNumber(format: string): [number, number, boolean] {
  if (format.length < 3) return [0, 1, false];
  for (let i = 1; i < format.length; i++) {
    if (format[i] === ']') {
      const [width, ok, newi] = parseNum(format, 1, i);
      if (!ok || newi !== i) return [0, i + 1, false];
      return [width - 1, i + 1, true];
    }
  }
  return [0, 1, false];
}

/** print.go intFromArg: only an int operand gives a width or precision. */
function intFromArg(a: readonly unknown[], argNum: number): [number, boolean, number] {
  if (argNum >= a.length) return [0, false, argNum];
  const v = a[argNum];
  let num = 0;
  let isInt = false;
  const int = v instanceof GoTypedInt ? v.value : v;
  if (typeof int === 'bigint') {
    // An unsigned value is taken as it is (Go: only when it fits an int), a signed one as an int64.
    const n = v instanceof GoTypedInt && v.unsigned ? int : BigInt.asIntN(64, int);
    if (n <= BigInt(MAX_NUM) && n >= BigInt(-MAX_NUM)) {
      num = Number(n);
      isInt = true;
    }
  }
  return [num, isInt, argNum + 1];
}

/**
 * The verb at `i` as Go decodes it (utf8.DecodeRuneInString): a whole code point, or U+FFFD for
 * an escaped byte that is not UTF-8 (core/go-string.ts), which Go reads as RuneError of width 1.
 */
function decodeVerb(format: string, i: number): [string, number] {
  const cp = format.codePointAt(i)!;
  const size = cp > 0xffff ? 2 : 1;
  if (cp >= 0xd800 && cp <= 0xdfff) return ['\uFFFD', 1];
  return [String.fromCodePoint(cp), size];
}

function codePointWidth(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return 2;
  }
  return 1;
}

/** utf8.RuneCountInString of the Go string `s` (an escaped byte counts as one rune). */
function runeCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i += codePointWidth(s, i)) n++;
  return n;
}

function goBytesOf(s: string): Uint8Array {
  return goStringToBytes(s) ?? new Uint8Array(Buffer.from(s, 'utf8'));
}

// ---- strconv: quoting ---------------------------------------------------------------------------

function validRune(r: number): boolean {
  return r >= 0 && r <= MAX_RUNE && !(r >= 0xd800 && r <= 0xdfff);
}

/** strconv.IsPrint: letters, marks, numbers, punctuation, symbols, and the ASCII space. */
function isPrint(r: number): boolean {
  if (r < 0x20) return false;
  if (r < 0x7f) return true;
  if (r < 0xa1) return false; // DEL, C1 controls and U+00A0 (a space separator)
  if (!validRune(r)) return false;
  return goUnicodeTest(PRINTABLE, String.fromCodePoint(r));
}
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** strconv.CanBackquote over a Go string. */
function canBackquote(s: string): boolean {
  for (let i = 0; i < s.length; ) {
    const cp = s.codePointAt(i)!;
    i += codePointWidth(s, i);
    if (cp >= 0xd800 && cp <= 0xdfff) return false; // a byte that is not UTF-8
    if (cp === 0xfeff) return false;
    if (cp >= 0x80) continue;
    if ((cp < 0x20 && cp !== 0x09) || cp === 0x60 || cp === 0x7f) return false;
  }
  return true;
}

const SHORT_ESCAPES: Readonly<Record<number, string>> = {
  0x07: '\\a',
  0x08: '\\b',
  0x0c: '\\f',
  0x0a: '\\n',
  0x0d: '\\r',
  0x09: '\\t',
  0x0b: '\\v',
};

/** strconv's appendEscapedRune. */
function escapeRune(r: number, quote: string, asciiOnly: boolean): string {
  const ch = String.fromCodePoint(r);
  if (ch === quote || ch === '\\') return `\\${ch}`;
  if (asciiOnly) {
    if (r < 0x80 && isPrint(r)) return ch;
  } else if (isPrint(r)) {
    return ch;
  }
  const short = SHORT_ESCAPES[r];
  if (short !== undefined) return short;
  if (r < 0x20 || r === 0x7f) return `\\x${r.toString(16).padStart(2, '0')}`;
  if (r < 0x10000) return `\\u${r.toString(16).padStart(4, '0')}`;
  return `\\U${r.toString(16).padStart(8, '0')}`;
}

/** strconv.Quote / QuoteToASCII over a Go string: each byte that is not UTF-8 becomes `\xNN`. */
function quoteWith(s: string, quote: string, asciiOnly: boolean): string {
  let out = quote;
  for (let i = 0; i < s.length; ) {
    const cp = s.codePointAt(i)!;
    i += codePointWidth(s, i);
    if (cp >= 0xd800 && cp <= 0xdfff) {
      // An escaped byte (core/go-string.ts); a stray surrogate has no Go form and is U+FFFD's bytes.
      const b = cp >= 0xdc80 && cp <= 0xdcff ? cp - 0xdc00 : undefined;
      out += b === undefined ? '\\xef\\xbf\\xbd' : `\\x${b.toString(16).padStart(2, '0')}`;
      continue;
    }
    out += escapeRune(cp, quote, asciiOnly);
  }
  return out + quote;
}

/** strconv.QuoteRune / QuoteRuneToASCII of a valid rune. */
function quoteRuneWith(r: number, asciiOnly: boolean): string {
  return `'${escapeRune(r, "'", asciiOnly)}'`;
}

// ---- strconv: float formatting ------------------------------------------------------------------

interface Decimal {
  /** Significant digits, no leading or trailing zeros ('' for zero). */
  d: string;
  /** Position of the decimal point relative to the start of `d`. */
  dp: number;
}

/** IEEE 754 parts the way strconv's genericFtoa reads them (exp already unbiased). */
function floatParts(v: number): { neg: boolean; mant: bigint; exp: number; special?: string } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  const bits = view.getBigUint64(0);
  const neg = bits >> 63n !== 0n;
  let exp = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  if (exp === 0x7ff) return { neg, mant, exp, special: mant !== 0n ? 'NaN' : neg ? '-Inf' : '+Inf' };
  if (exp === 0) exp++;
  else mant |= 1n << 52n;
  exp += -1023;
  return { neg, mant, exp };
}

/** The exact decimal value of mant × 2^(exp−52). */
function exactDecimal(mant: bigint, exp: number): Decimal {
  if (mant === 0n) return { d: '', dp: 0 };
  const e2 = exp - 52;
  let digits: string;
  let dp: number;
  if (e2 >= 0) {
    digits = (mant << BigInt(e2)).toString();
    dp = digits.length;
  } else {
    digits = (mant * 5n ** BigInt(-e2)).toString();
    dp = digits.length + e2;
  }
  return trimDecimal({ d: digits, dp });
}

function trimDecimal(x: Decimal): Decimal {
  let end = x.d.length;
  while (end > 0 && x.d[end - 1] === '0') end--;
  return { d: x.d.slice(0, end), dp: end === 0 ? 0 : x.dp };
}

/** strconv's decimal.Round(nd) on an exact value: half way rounds to even. */
function roundDecimal(x: Decimal, nd: number): Decimal {
  if (nd < 0 || nd >= x.d.length) return x;
  let up: boolean;
  if (x.d[nd] === '5' && nd + 1 === x.d.length) up = nd > 0 && (x.d.charCodeAt(nd - 1) - 48) % 2 === 1;
  else up = x.d[nd]! >= '5';
  if (!up) return trimDecimal({ d: x.d.slice(0, nd), dp: x.dp });
  let i = nd - 1;
  while (i >= 0 && x.d[i] === '9') i--;
  if (i < 0) return { d: '1', dp: x.dp + 1 };
  return { d: x.d.slice(0, i) + String.fromCharCode(x.d.charCodeAt(i) + 1), dp: x.dp };
}

/**
 * The shortest digits that read back as `abs` (strconv's shortest mode). ECMAScript's
 * Number::toString picks the same digits: as few as possible, the closest to the exact value.
 */
function shortestDecimal(abs: number): Decimal {
  const m = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(abs));
  if (m === null) throw new Error('unexpected number form');
  const intPart = m[1]!;
  const frac = m[2] ?? '';
  const e = Number(m[3] ?? '0');
  let digits = intPart + frac;
  let dp = intPart.length + e;
  const lead = /^0*/.exec(digits)![0].length;
  digits = digits.slice(lead);
  dp -= lead;
  return trimDecimal({ d: digits, dp });
}

/** strconv.AppendFloat(nil, v, fmt, prec, 64) for the formats fmt uses. */
function appendFloat(v: number, fmt: string, prec: number): string {
  const { neg, mant, exp, special } = floatParts(v);
  if (special !== undefined) return special;
  if (fmt === 'b') {
    const e = exp - 52;
    return `${neg ? '-' : ''}${mant.toString()}p${e >= 0 ? '+' : ''}${e}`;
  }
  if (fmt === 'x' || fmt === 'X') return fmtX(prec, fmt, neg, mant, exp);
  const shortest = prec < 0;
  let digs: Decimal;
  if (mant === 0n) {
    digs = { d: '', dp: 0 };
  } else if (shortest) {
    digs = shortestDecimal(Math.abs(v));
    if (fmt === 'e' || fmt === 'E') prec = Math.max(digs.d.length - 1, 0);
    else if (fmt === 'f') prec = Math.max(digs.d.length - digs.dp, 0);
    else prec = digs.d.length;
  } else {
    const exact = exactDecimal(mant, exp);
    if (fmt === 'e' || fmt === 'E') digs = roundDecimal(exact, prec + 1);
    else if (fmt === 'f') digs = roundDecimal(exact, exact.dp + prec);
    else {
      if (prec === 0) prec = 1;
      digs = roundDecimal(exact, prec);
    }
  }
  return (neg ? '-' : '') + formatDigits(shortest, digs, prec, fmt);
}

function formatDigits(shortest: boolean, digs: Decimal, prec: number, fmt: string): string {
  const nd = digs.d.length;
  switch (fmt) {
    case 'e':
    case 'E':
      return fmtE(digs, prec, fmt);
    case 'f':
      return fmtF(digs, prec);
    default: {
      let eprec = prec;
      if (eprec > nd && nd >= digs.dp) eprec = nd;
      if (shortest) eprec = 6;
      const exp = digs.dp - 1;
      if (exp < -4 || exp >= eprec) {
        if (prec > nd) prec = nd;
        return fmtE(digs, prec - 1, fmt === 'g' ? 'e' : 'E');
      }
      if (prec > digs.dp) prec = nd;
      return fmtF(digs, Math.max(prec - digs.dp, 0));
    }
  }
}

function fmtE(digs: Decimal, prec: number, fmt: string): string {
  const nd = digs.d.length;
  let out = nd === 0 ? '0' : digs.d[0]!;
  if (prec > 0) {
    out += '.';
    const m = Math.min(nd, prec + 1);
    let i = 1;
    if (i < m) {
      out += digs.d.slice(i, m);
      i = m;
    }
    if (i <= prec) out += '0'.repeat(prec - i + 1);
  }
  let exp = nd === 0 ? 0 : digs.dp - 1;
  const sign = exp < 0 ? '-' : '+';
  exp = Math.abs(exp);
  return `${out}${fmt}${sign}${exp < 10 ? `0${exp}` : String(exp)}`;
}

function fmtF(digs: Decimal, prec: number): string {
  const nd = digs.d.length;
  let out: string;
  if (digs.dp > 0) {
    const m = Math.min(nd, digs.dp);
    out = digs.d.slice(0, m) + '0'.repeat(digs.dp - m);
  } else {
    out = '0';
  }
  if (prec > 0) {
    out += '.';
    // Digits after the point: d[dp+i] where present, zeros elsewhere.
    const start = digs.dp;
    const from = Math.max(0, Math.min(-start, prec));
    out += '0'.repeat(from);
    const avail = digs.d.slice(Math.max(start, 0), Math.max(start, 0) + (prec - from));
    out += avail + '0'.repeat(prec - from - avail.length);
  }
  return out;
}

/** strconv's fmtX: %x of a float, `0x1.8p+00`. */
function fmtX(prec: number, fmt: string, neg: boolean, mantIn: bigint, expIn: number): string {
  let mant = mantIn;
  let exp = mantIn === 0n ? 0 : expIn;
  const bit60 = 1n << 60n;
  mant = (mant << 8n) & UINT64_MASK; // 60 - mantbits(52)
  while (mant !== 0n && (mant & bit60) === 0n) {
    mant = (mant << 1n) & UINT64_MASK;
    exp--;
  }
  if (prec >= 0 && prec < 15) {
    const shift = BigInt(prec * 4);
    const extra = (mant << shift) & (bit60 - 1n);
    mant >>= 60n - shift;
    if ((extra | (mant & 1n)) > 1n << 59n) mant++;
    mant = (mant << (60n - shift)) & UINT64_MASK;
    if ((mant & (1n << 61n)) !== 0n) {
      mant >>= 1n;
      exp++;
    }
  }
  const hex = fmt === 'X' ? '0123456789ABCDEF' : '0123456789abcdef';
  let out = `${neg ? '-' : ''}0${fmt}${String((mant >> 60n) & 1n)}`;
  mant = (mant << 4n) & UINT64_MASK;
  if (prec < 0 && mant !== 0n) {
    out += '.';
    while (mant !== 0n) {
      out += hex[Number((mant >> 60n) & 15n)];
      mant = (mant << 4n) & UINT64_MASK;
    }
  } else if (prec > 0) {
    out += '.';
    for (let i = 0; i < prec; i++) {
      out += hex[Number((mant >> 60n) & 15n)];
      mant = (mant << 4n) & UINT64_MASK;
    }
  }
  out += fmt === 'X' ? 'P' : 'p';
  const sign = exp < 0 ? '-' : '+';
  exp = Math.abs(exp);
  return `${out}${sign}${exp < 10 ? `0${exp}` : String(exp)}`;
}
